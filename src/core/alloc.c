/* The one allocation hook: counters and failure injection around the C allocator. */
#include "faultline/alloc.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t n_allocs, n_frees, n_bytes, n_failed;
static _Atomic uint64_t fail_countdown; /* 0 = disarmed */
static _Atomic int fail_sticky;

static int should_fail(void)
{
    uint64_t c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    if (c == 0)
        return 0;
    if (c == 1) {
        if (!atomic_load_explicit(&fail_sticky, memory_order_relaxed))
            atomic_store_explicit(&fail_countdown, 0, memory_order_relaxed);
        return 1;
    }
    atomic_fetch_sub_explicit(&fail_countdown, 1, memory_order_relaxed);
    return 0;
}

static void *counted(void *p, size_t n)
{
    if (!p) {
        atomic_fetch_add_explicit(&n_failed, 1, memory_order_relaxed);
        return NULL;
    }
    atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&n_bytes, n, memory_order_relaxed);
    return p;
}

/* Requests past PTRDIFF_MAX can never succeed; refuse them here so every build (sanitizers
 * included, which would abort) sees a clean NULL. */
#define FL_ALLOC_MAX ((size_t)PTRDIFF_MAX)

void *fl_malloc(size_t n)
{
    if (n > FL_ALLOC_MAX || should_fail())
        return counted(NULL, n);
    return counted(malloc(n ? n : 1), n);
}

void *fl_calloc(size_t count, size_t size)
{
    if (should_fail())
        return counted(NULL, 0);
    if (size && count > FL_ALLOC_MAX / size)
        return counted(NULL, 0);
    return counted(calloc(count ? count : 1, size ? size : 1), count * size);
}

void *fl_realloc(void *p, size_t n)
{
    if (n > FL_ALLOC_MAX || should_fail())
        return counted(NULL, n);
    return counted(realloc(p, n ? n : 1), n);
}

void fl_free(void *p)
{
    if (!p)
        return;
    atomic_fetch_add_explicit(&n_frees, 1, memory_order_relaxed);
    free(p);
}

char *fl_strndup_copy(const char *s, size_t len)
{
    char *d = fl_malloc(len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void fl_alloc_stats_get(struct fl_alloc_stats *out)
{
    out->allocs = atomic_load(&n_allocs);
    out->frees = atomic_load(&n_frees);
    out->bytes = atomic_load(&n_bytes);
    out->failed = atomic_load(&n_failed);
}

void fl_alloc_stats_reset(void)
{
    atomic_store(&n_allocs, 0);
    atomic_store(&n_frees, 0);
    atomic_store(&n_bytes, 0);
    atomic_store(&n_failed, 0);
}

void fl_alloc_fail_after(uint64_t n, int sticky)
{
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_countdown, n);
}
