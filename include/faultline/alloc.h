/* alloc.h - the one allocation hook.
 *
 * Contract: every heap allocation in faultline goes through fl_malloc / fl_calloc /
 * fl_realloc / fl_free, never the C library directly. The hook counts calls and bytes
 * (benches read the counters) and can be told to fail the Nth allocation (tests use
 * this to prove every failure path returns a clean error and leaks nothing).
 * The counters are process-wide atomics; the hook itself holds no other state.
 */
#ifndef FAULTLINE_ALLOC_H
#define FAULTLINE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *fl_malloc(size_t n);
void *fl_calloc(size_t count, size_t size);
void *fl_realloc(void *p, size_t n);
void fl_free(void *p);
/* Duplicate len bytes into a new NUL-terminated heap string. */
char *fl_strndup_copy(const char *s, size_t len);

struct fl_alloc_stats {
    uint64_t allocs; /* successful fl_malloc/fl_calloc/fl_realloc calls */
    uint64_t frees;
    uint64_t bytes;  /* bytes requested by those calls */
    uint64_t failed; /* calls that returned NULL (injected or real) */
};

void fl_alloc_stats_get(struct fl_alloc_stats *out);
void fl_alloc_stats_reset(void);

/* Fail the nth allocation from now (1 = the very next one) and every later one
 * while sticky is nonzero; n == 0 disarms. For tests only. */
void fl_alloc_fail_after(uint64_t n, int sticky);

#endif
