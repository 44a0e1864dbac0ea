/* Tests for arena.c: chunking, alignment, reset, high-water, cap, poison, hook failure. */
#include <criterion/criterion.h>

#include "fl_test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/arena.h"

static uint64_t hook_allocs(void)
{
    struct fl_alloc_stats st;
    fl_alloc_stats_get(&st);
    return st.allocs;
}

static uint64_t hook_failed(void)
{
    struct fl_alloc_stats st;
    fl_alloc_stats_get(&st);
    return st.failed;
}

static bool aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

FL_TEST(arena, init_allocates_nothing)
{
    uint64_t before = hook_allocs();
    struct fl_arena a;
    fl_arena_init(&a, 0, 0);
    cr_assert_eq(a.chunk_size, FL_ARENA_DEFAULT_CHUNK, "0 means the default chunk");
    cr_assert_null(a.head);
    cr_assert(a.used == 0 && a.reserved == 0 && a.high_water == 0 && a.chunks_allocated == 0);
    fl_arena_reset(&a); /* reset and release of an unused arena are no-ops */
    fl_arena_release(&a);
    cr_assert_eq(hook_allocs(), before);
}

FL_TEST(arena, chunking)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    unsigned char *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = fl_arena_alloc(&a, 100, 1);
        cr_assert_not_null(p[i]);
        memset(p[i], i, 100); /* ASan: all 100 bytes are ours */
    }
    cr_assert_eq(a.used, 6400);
    cr_assert_geq(a.chunks_allocated, 7, "at most 10 x 100 bytes per 1 KiB chunk");
    cr_assert_leq(a.chunks_allocated, 8);
    size_t per_chunk = a.reserved / a.chunks_allocated;
    cr_assert_eq(a.reserved, per_chunk * a.chunks_allocated, "all chunks the same size");
    cr_assert_geq(per_chunk, 1024);
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 100; j++)
            cr_assert_eq(p[i][j], i, "allocations do not overlap");
    }
    fl_arena_release(&a);
    cr_assert(a.head == NULL && a.reserved == 0 && a.used == 0);
}

FL_TEST(arena, large_request_gets_its_own_chunk)
{
    struct fl_arena a;
    fl_arena_init(&a, 256, 0);
    unsigned char *small = fl_arena_alloc(&a, 8, 8);
    unsigned char *big = fl_arena_alloc(&a, 10000, 8);
    cr_assert(small && big);
    memset(big, 0x5a, 10000);
    cr_assert_eq(a.chunks_allocated, 2);
    cr_assert_geq(a.reserved, 256 + 10000);
    unsigned char *after = fl_arena_alloc(&a, 8, 8);
    cr_assert_not_null(after);
    memset(after, 1, 8);
    cr_assert_eq(big[9999], 0x5a);
    fl_arena_release(&a);
}

FL_TEST(arena, alignment)
{
    struct fl_arena a;
    fl_arena_init(&a, 4096, 0);
    static const size_t aligns[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 4096};
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
            cr_assert_not_null(fl_arena_alloc(&a, 1 + (size_t)round % 7, 1), "misalign");
            void *p = fl_arena_alloc(&a, 24, aligns[i]);
            cr_assert_not_null(p);
            cr_assert(aligned(p, aligns[i]), "align %zu: %p", aligns[i], p);
            memset(p, 0, 24);
        }
    }
    /* 0 and non-powers of two mean 16 */
    for (int i = 0; i < 20; i++) {
        cr_assert_not_null(fl_arena_alloc(&a, 3, 1));
        cr_assert(aligned(fl_arena_alloc(&a, 8, 0), 16));
        cr_assert_not_null(fl_arena_alloc(&a, 5, 1));
        cr_assert(aligned(fl_arena_alloc(&a, 8, 24), 16));
    }
    /* typed helpers */
    long double *ld = FL_ARENA_NEW(&a, long double);
    cr_assert(ld && aligned(ld, _Alignof(long double)) && *ld == 0);
    fl_arena_release(&a);
}

FL_TEST(arena, zero_size_allocations_are_distinct)
{
    struct fl_arena a;
    fl_arena_init(&a, 128, 0);
    void *p = fl_arena_alloc(&a, 0, 1);
    void *q = fl_arena_alloc(&a, 0, 1);
    cr_assert(p && q && p != q);
    void *z = fl_arena_zalloc(&a, 0, 1);
    cr_assert_not_null(z);
    fl_arena_release(&a);
}

FL_TEST(arena, reset_keeps_first_chunk)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    void *first = fl_arena_alloc(&a, 16, 16);
    size_t first_reserved = a.reserved;
    for (int i = 0; i < 100; i++)
        cr_assert_not_null(fl_arena_alloc(&a, 200, 8));
    cr_assert_gt(a.chunks_allocated, 10);
    uint64_t chunks = a.chunks_allocated;
    fl_arena_reset(&a);
    cr_assert_eq(a.used, 0);
    cr_assert_eq(a.reserved, first_reserved, "only the first chunk is held");
    cr_assert_eq(a.chunks_allocated, chunks, "lifetime counter");
    /* steady state: refilling the first chunk allocates nothing */
    uint64_t before = hook_allocs();
    void *again = fl_arena_alloc(&a, 16, 16);
    cr_assert_eq(again, first, "reuses the first chunk from its start");
    for (int i = 0; i < 4; i++)
        cr_assert_not_null(fl_arena_alloc(&a, 200, 8));
    cr_assert_eq(hook_allocs(), before);
    cr_assert_eq(a.chunks_allocated, chunks);
    fl_arena_release(&a);
}

FL_TEST(arena, high_water)
{
    struct fl_arena a;
    fl_arena_init(&a, 512, 0);
    for (int i = 0; i < 10; i++)
        fl_arena_alloc(&a, 100, 1);
    cr_assert_eq(a.used, 1000);
    cr_assert_eq(a.high_water, 1000);
    fl_arena_reset(&a);
    cr_assert_eq(a.used, 0);
    cr_assert_eq(a.high_water, 1000, "kept across reset");
    fl_arena_alloc(&a, 300, 1);
    cr_assert_eq(a.high_water, 1000);
    fl_arena_alloc(&a, 800, 1);
    cr_assert_eq(a.used, 1100);
    cr_assert_eq(a.high_water, 1100);
    fl_arena_release(&a);
    cr_assert_eq(a.high_water, 1100, "a lifetime statistic");
}

FL_TEST(arena, cap_gives_null_and_arena_stays_usable)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    fl_arena_alloc(&a, 1, 1);
    size_t one_chunk = a.reserved; /* header + 1024 */
    fl_arena_release(&a);

    fl_arena_init(&a, 1024, 3 * one_chunk);
    int got = 0;
    while (fl_arena_alloc(&a, 1000, 1))
        got++;
    cr_assert_eq(got, 3, "three chunks fit under the cap");
    cr_assert_leq(a.reserved, a.cap);
    /* what fits in the current chunk is still served */
    cr_assert_not_null(fl_arena_alloc(&a, 16, 1));
    cr_assert_null(fl_arena_alloc(&a, 1000, 1));
    fl_arena_reset(&a);
    cr_assert_not_null(fl_arena_alloc(&a, 1000, 1), "usable again after reset");
    cr_assert_not_null(fl_arena_alloc(&a, 1000, 1));
    fl_arena_release(&a);
}

/* Regression: the cap check was `reserved + header + size > cap`, which wraps for a huge
 * request and let it through to the allocator (ASan aborts on such a size). */
FL_TEST(arena, cap_check_does_not_wrap)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 1u << 20);
    cr_assert_not_null(fl_arena_alloc(&a, 10, 1));
    uint64_t allocs = hook_allocs(), failed = hook_failed();
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX - 200, 1));
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX - 4096, 16));
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX / 2, 1));
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX, 1));
    cr_assert_null(fl_arena_alloc(&a, 100, (size_t)1 << 62), "huge alignment");
    cr_assert_eq(hook_allocs(), allocs, "refused before reaching the allocator");
    cr_assert_eq(hook_failed(), failed);
    cr_assert_not_null(fl_arena_alloc(&a, 10, 1));
    fl_arena_release(&a);
}

FL_TEST(arena, huge_request_without_cap)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    uint64_t allocs = hook_allocs();
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX, 1));
    cr_assert_null(fl_arena_alloc(&a, SIZE_MAX - 8, 16));
    cr_assert_eq(hook_allocs(), allocs);
    fl_arena_release(&a);
}

#if !defined(NDEBUG) && !defined(FL_ARENA_NO_POISON)
FL_TEST(arena, poison_on_reset)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    unsigned char *p = fl_arena_alloc(&a, 64, 1);
    memset(p, 0x11, 64);
    fl_arena_reset(&a);
    /* p still points into the kept first chunk, so reading it is defined here */
    for (int i = 0; i < 64; i++)
        cr_assert_eq(p[i], 0xA5, "byte %d", i);
    unsigned char *z = fl_arena_zalloc(&a, 64, 1);
    cr_assert_eq(z, p);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(z[i], 0, "zalloc clears the poison");
    fl_arena_release(&a);
}
#endif

FL_TEST(arena, hook_failure_returns_null)
{
    struct fl_arena a;
    fl_arena_init(&a, 256, 0);
    fl_alloc_fail_after(1, 0);
    cr_assert_null(fl_arena_alloc(&a, 8, 8));
    cr_assert(a.head == NULL && a.reserved == 0 && a.used == 0 && a.chunks_allocated == 0);
    cr_assert_not_null(fl_arena_alloc(&a, 8, 8), "one failure, then usable");

    cr_assert_not_null(fl_arena_alloc(&a, 200, 1)); /* first chunk nearly full */
    size_t reserved = a.reserved, used = a.used;
    fl_alloc_fail_after(1, 1);
    cr_assert_null(fl_arena_alloc(&a, 200, 1));
    cr_assert_null(fl_arena_zalloc(&a, 200, 1));
    cr_assert_null(fl_arena_strndup_copy(&a, "x", 200 - 1));
    cr_assert_null(fl_arena_printf(&a, "%0300d", 1));
    cr_assert(a.reserved == reserved && a.used == used, "failed calls change nothing");
    cr_assert_not_null(fl_arena_alloc(&a, 8, 1), "room left in the current chunk");
    fl_alloc_fail_after(0, 0);
    cr_assert_not_null(fl_arena_alloc(&a, 200, 1));
    fl_arena_release(&a);
}

/* Fail the nth hook allocation during a mixed workload; whatever succeeded is usable and
 * release frees everything. */
FL_TEST(arena, failure_loop)
{
    uint64_t n;
    for (n = 1; n < 1000; n++) {
        struct fl_arena a;
        fl_arena_init(&a, 512, 0);
        uint64_t failed = hook_failed();
        fl_alloc_fail_after(n, (int)(n & 1));
        for (int i = 0; i < 200; i++) {
            size_t sz = (size_t)(i * 37) % 900 + 1;
            unsigned char *p = fl_arena_alloc(&a, sz, (size_t)1 << (i % 7));
            if (p)
                memset(p, 0xee, sz);
            char *s = fl_arena_printf(&a, "window-%d-%s", i, "gpu");
            if (s)
                cr_assert_eq(strncmp(s, "window-", 7), 0);
            if (i == 100)
                fl_arena_reset(&a);
        }
        fl_alloc_fail_after(0, 0);
        bool any_failed = hook_failed() != failed;
        cr_assert_not_null(fl_arena_alloc(&a, 64, 8));
        fl_arena_release(&a);
        if (!any_failed)
            break;
    }
    cr_assert_lt(n, 1000);
    cr_assert_gt(n, 5);
}

FL_TEST(arena, strndup_copy)
{
    struct fl_arena a;
    fl_arena_init(&a, 64, 0);
    char *s = fl_arena_strndup_copy(&a, "hello world", 5);
    cr_assert_str_eq(s, "hello");
    char *e = fl_arena_strndup_copy(&a, NULL, 0);
    cr_assert(e && e[0] == '\0');
    char *z = fl_arena_strndup_copy(&a, "a\0b", 3);
    cr_assert(z && z[0] == 'a' && z[1] == '\0' && z[2] == 'b' && z[3] == '\0');
    cr_assert_null(fl_arena_strndup_copy(&a, "x", SIZE_MAX));
    fl_arena_release(&a);
}

FL_TEST(arena, printf)
{
    struct fl_arena a;
    fl_arena_init(&a, 64, 0);
    char *s = fl_arena_printf(&a, "gpu%d/xid=%u", 3, 79u);
    cr_assert_str_eq(s, "gpu3/xid=79");
    char *e = fl_arena_printf(&a, "%s", "");
    cr_assert(e && e[0] == '\0');
    /* longer than a chunk */
    char *l = fl_arena_printf(&a, "%0200d|%s", 7, "end");
    cr_assert_not_null(l);
    cr_assert_eq(strlen(l), 204);
    cr_assert_str_eq(l + 200, "|end");
    cr_assert_eq(l[199], '7');
    cr_assert_str_eq(s, "gpu3/xid=79", "earlier strings untouched");
    fl_arena_release(&a);

    fl_arena_init(&a, 64, 200);
    cr_assert_null(fl_arena_printf(&a, "%0500d", 1), "cap");
    cr_assert_str_eq(fl_arena_printf(&a, "%d", 42), "42");
    fl_arena_release(&a);
}

FL_TEST(arena, alloc_array_overflow)
{
    struct fl_arena a;
    fl_arena_init(&a, 256, 0);
    uint64_t allocs = hook_allocs();
    cr_assert_null(fl_arena_alloc_array(&a, SIZE_MAX / 2 + 1, 2, 1));
    cr_assert_null(fl_arena_alloc_array(&a, SIZE_MAX, SIZE_MAX, 8));
    cr_assert_null(fl_arena_alloc_array(&a, (SIZE_MAX / 16) + 1, 16, 16));
    cr_assert_null(FL_ARENA_NEW_N(&a, uint64_t, SIZE_MAX / 4));
    cr_assert_eq(hook_allocs(), allocs, "overflow caught before allocating");
    cr_assert_not_null(fl_arena_alloc_array(&a, 0, 8, 8));
    cr_assert_not_null(fl_arena_alloc_array(&a, 8, 0, 8));
    uint64_t *v = FL_ARENA_NEW_N(&a, uint64_t, 10);
    cr_assert(v && aligned(v, _Alignof(uint64_t)));
    for (int i = 0; i < 10; i++)
        v[i] = (uint64_t)i;
    fl_arena_release(&a);
}

FL_TEST(arena, release_then_reuse)
{
    struct fl_arena a;
    fl_arena_init(&a, 128, 0);
    for (int i = 0; i < 20; i++)
        fl_arena_alloc(&a, 100, 1);
    fl_arena_release(&a);
    fl_arena_release(&a);
    cr_assert_not_null(fl_arena_alloc(&a, 100, 1), "usable after release");
    fl_arena_release(&a);
}

FL_TEST(arena, growth_doubles_chunks_up_to_the_limit)
{
    struct fl_arena a;
    fl_arena_init(&a, 1024, 0);
    fl_arena_set_growth(&a, 8192);
    for (int i = 0; i < 64; i++)
        cr_assert_not_null(fl_arena_alloc(&a, 1000, 8));
    /* chunks of 1k, 2k, 4k, 8k, 8k...: 64000 bytes need 2 + (64000-7000)/8192 + ... far fewer
     * than the 63 a fixed 1 KiB chunk size would take */
    cr_assert_eq(a.chunk_size, 8192);
    cr_assert_lt(a.chunks_allocated, 12);
    fl_arena_release(&a);
    fl_arena_init(&a, 1024, 0);
    for (int i = 0; i < 8; i++)
        fl_arena_alloc(&a, 1000, 8);
    cr_assert_eq(a.chunk_size, 1024, "no growth unless asked");
    cr_assert_eq(a.chunks_allocated, 8);
    fl_arena_release(&a);
}
