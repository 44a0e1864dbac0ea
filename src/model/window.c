/* Window store: the sorted event array and its pointer indexes. */
#include "model/engine_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "faultline/alloc.h"

static int cmp_ptr_node(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return fl_event_cmp(x, y);
}

static int cmp_ptr_gpu(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->gpu.pci != y->gpu.pci)
        return x->gpu.pci < y->gpu.pci ? -1 : 1;
    return fl_event_cmp(x, y);
}

static int cmp_ptr_seq(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->u.fr.pg != y->u.fr.pg)
        return x->u.fr.pg < y->u.fr.pg ? -1 : 1;
    if (x->u.fr.collective_seq != y->u.fr.collective_seq)
        return x->u.fr.collective_seq < y->u.fr.collective_seq ? -1 : 1;
    if (x->u.fr.rank != y->u.fr.rank)
        return x->u.fr.rank < y->u.fr.rank ? -1 : 1;
    return fl_event_cmp(x, y);
}

static bool keep(const struct fl_engine *e, const struct fl_event *ev)
{
    if (ev->clock != FL_CLOCK_WALL)
        return true; /* cannot be placed on the wall clock: never filtered out by time */
    if (e->opts.since != FL_TIME_NONE && ev->ts < e->opts.since)
        return false;
    if (e->opts.until != FL_TIME_NONE && ev->ts >= e->opts.until)
        return false;
    return true;
}

/* ---- sorting ------------------------------------------------------------------------ */

/* What fl_event_cmp looks at first, next to the event: sorting these 32-byte keys moves a
 * tenth of the bytes that sorting the events would, and reads no event unless ts, kind and
 * uid all tie. */
struct wkey {
    int64_t ts;
    uint64_t uid;
    uint32_t kind;
    const struct fl_event *ev;
};

static inline bool key_lt(const struct wkey *a, const struct wkey *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    if (a->uid != b->uid)
        return a->uid < b->uid;
    return fl_event_cmp(a->ev, b->ev) < 0;
}

#define WSORT_RUN 24
#define WPREFETCH 8 /* events fetched ahead when they are read in window order */

/* Stable merge sort of v[0..n) by key_lt, tmp holding n keys and bound n / WSORT_RUN + 2
 * indexes: events that fl_event_cmp calls equal stay in the order they were emitted (as
 * glibc's merge-sort qsort kept them). The runs already in order are found first (the events
 * of one input are mostly in time order: one run per Flight Recorder dump or log file), a run
 * shorter than WSORT_RUN extended to that length by insertion, and the runs merged pairwise:
 * log2(runs) passes over the keys, not log2(n / WSORT_RUN). */
static void key_sort(struct wkey *v, struct wkey *tmp, size_t *bound, size_t n)
{
    size_t nb = 0;
    bound[nb++] = 0;
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && !key_lt(&v[hi], &v[hi - 1]))
            hi++;
        if (hi - lo < WSORT_RUN) {
            size_t end = lo + WSORT_RUN < n ? lo + WSORT_RUN : n;
            for (; hi < end; hi++) {
                struct wkey k = v[hi];
                size_t j = hi;
                for (; j > lo && key_lt(&k, &v[j - 1]); j--)
                    v[j] = v[j - 1];
                v[j] = k;
            }
        }
        bound[nb++] = hi;
        lo = hi;
    }
    struct wkey *src = v, *dst = tmp;
    while (nb > 2) { /* nb - 1 runs: bound[r] .. bound[r + 1] */
        size_t out = 1;
        for (size_t r = 0; r + 1 < nb; r += 2) {
            size_t lo = bound[r], mid = bound[r + 1], hi = r + 2 < nb ? bound[r + 2] : mid;
            size_t i = lo, j = mid, o = lo;
            if (mid < hi && key_lt(&src[mid], &src[mid - 1])) {
                while (i < mid && j < hi)
                    dst[o++] = key_lt(&src[j], &src[i]) ? src[j++] : src[i++];
            }
            memcpy(dst + o, src + i, (mid - i) * sizeof *src);
            o += mid - i;
            memcpy(dst + o, src + j, (hi - j) * sizeof *src);
            bound[out++] = hi; /* out <= r / 2 + 1: bounds still to be read lie beyond */
        }
        nb = out;
        struct wkey *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

/* The Flight Recorder index, (pg, collective_seq, rank, fl_event_cmp) order, by a stable LSD
 * radix sort of 16-byte items: (pg, seq, rank) offsets from their minimums packed into one
 * 64-bit key when their widths fit (they always do in practice: a few thousand pgs and ranks,
 * seqs in the millions), the window index of the record beside it. The items are made in
 * window (fl_event_cmp) order and every pass is stable, so ties keep that order, as the
 * comparator's last step says. g holds the ranges, a and b m items each; out gets the
 * records' pointers. false when the key does not fit. */
struct fritem {
    uint64_t key;
    uint64_t at; /* window index */
};

static unsigned bits_of(uint64_t range)
{
    unsigned b = 0;
    while (b < 64 && (range >> b))
        b++;
    return b;
}

#define FR_DIGIT 11

/* The ranges of the records' pg, seq and rank (taken while the keys are made, in the order
 * the events lie in memory). */
struct frrange {
    uint32_t pg0, pg1;
    int32_t rank0, rank1;
    int64_t seq0, seq1;
};

static inline void fr_range_add(struct frrange *g, const struct fl_event *ev)
{
    const struct fl_ev_nccl_fr *r = &ev->u.fr;
    g->pg0 = r->pg < g->pg0 ? r->pg : g->pg0;
    g->pg1 = r->pg > g->pg1 ? r->pg : g->pg1;
    g->seq0 = r->collective_seq < g->seq0 ? r->collective_seq : g->seq0;
    g->seq1 = r->collective_seq > g->seq1 ? r->collective_seq : g->seq1;
    g->rank0 = r->rank < g->rank0 ? r->rank : g->rank0;
    g->rank1 = r->rank > g->rank1 ? r->rank : g->rank1;
}

static bool fr_seq_sort(const struct wkey *keys, size_t n, const struct frrange *g,
                        struct fritem *a, struct fritem *b, size_t m, const struct fl_event **out)
{
    uint32_t pg0 = g->pg0;
    int64_t seq0 = g->seq0;
    int32_t rank0 = g->rank0;
    unsigned rb = bits_of((uint64_t)((int64_t)g->rank1 - rank0));
    unsigned sb = bits_of((uint64_t)g->seq1 - (uint64_t)seq0);
    unsigned pb = bits_of((uint64_t)(g->pg1 - pg0));
    if (rb + sb + pb > 64)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (keys[i].kind != FL_EV_NCCL_FR_RECORD)
            continue;
        if (i + WPREFETCH < n)
            __builtin_prefetch(&keys[i + WPREFETCH].ev->u.fr);
        const struct fl_ev_nccl_fr *r = &keys[i].ev->u.fr;
        uint64_t key = (uint64_t)(r->pg - pg0); /* 0 when sb or rb is 64 */
        key = (sb < 64 ? key << sb : 0) | ((uint64_t)r->collective_seq - (uint64_t)seq0);
        key = (rb < 64 ? key << rb : 0) | (uint64_t)((int64_t)r->rank - rank0);
        a[k++] = (struct fritem){key, i};
    }
    unsigned bits = rb + sb + pb;
    size_t cnt[(size_t)1 << FR_DIGIT];
    for (unsigned shift = 0; shift < bits; shift += FR_DIGIT) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < m; i++)
            cnt[(a[i].key >> shift) & (((size_t)1 << FR_DIGIT) - 1)]++;
        size_t sum = 0;
        for (size_t d = 0; d < ((size_t)1 << FR_DIGIT); d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++)
            b[cnt[(a[i].key >> shift) & (((size_t)1 << FR_DIGIT) - 1)]++] = a[i];
        struct fritem *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < m; i++)
        out[i] = keys[a[i].at].ev;
    return true;
}

/* Stable counting sort of in[0..m) into out by key(ev) (an intern id <= kmax); cnt holds
 * kmax + 2 counters. Equal keys keep their order, so sorting the ts-ordered list by node gives
 * exactly the (node, fl_event_cmp) order cmp_ptr_node defines. */
static void id_sort(const struct fl_event **in, const struct fl_event **out, size_t m, size_t *cnt,
                    uint32_t kmax, bool by_pci)
{
    memset(cnt, 0, ((size_t)kmax + 2) * sizeof *cnt);
    for (size_t i = 0; i < m; i++)
        cnt[(by_pci ? in[i]->gpu.pci : in[i]->node) + 1]++;
    for (size_t k = 1; k <= (size_t)kmax + 1; k++)
        cnt[k] += cnt[k - 1];
    for (size_t i = 0; i < m; i++)
        out[cnt[by_pci ? in[i]->gpu.pci : in[i]->node]++] = in[i];
}

/* Large arrays sit on 2 MiB pages: 26 MB of events in 4 KiB pages is 6,500 page faults at
 * 16 us each on the bench VM, a fifth of a big List's run time (engine.c's new_blocks does the
 * same for the event blocks). A large array asks the arena for a whole number of huge pages
 * less room for the arena's and malloc's headers, so that malloc maps whole huge pages, which
 * Linux (6.7 on) places on a 2 MiB boundary. The pages holding the array are advised
 * (MADV_HUGEPAGE), and the first 2 MiB, where malloc's header already sits in a 4 KiB page,
 * collapsed at once (MADV_COLLAPSE, Linux 6.1 on), else its other 511 pages fault one by one.
 * Advice only: where the kernel has neither, plain pages. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_HEADROOM ((size_t)256)

static void advise_huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* <linux/mman.h>; glibc 2.36's <sys/mman.h> lacks it */
#endif
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), b = (uintptr_t)p & ~(page - 1);
    uintptr_t end = ((uintptr_t)p + n + page - 1) & ~(page - 1);
    if (madvise((void *)b, end - b, MADV_HUGEPAGE) == 0 && b % HUGE_PAGE == 0 &&
        end - b >= HUGE_PAGE)
        (void)madvise((void *)b, HUGE_PAGE, MADV_COLLAPSE);
#else
    (void)p;
    (void)n;
#endif
}

static void *alloc_huge(struct fl_arena *a, size_t n, size_t align)
{
    if (n < HUGE_PAGE || n > SIZE_MAX - HUGE_PAGE - HUGE_HEADROOM)
        return fl_arena_alloc(a, n, align);
    size_t bytes = ((n + HUGE_HEADROOM + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - HUGE_HEADROOM;
    void *p = fl_arena_alloc(a, bytes, align);
    if (p)
        advise_huge(p, bytes);
    return p;
}

/* The (kind, node) and (kind, node, gpu) indexes of one kind, from its ts-ordered list a. */
static void index_kind(const struct fl_event **a, size_t m, const struct fl_event **b,
                       const struct fl_event **c, size_t *cnt, size_t ncnt)
{
    uint32_t kmax = 0;
    for (size_t i = 0; i < m; i++) {
        kmax = a[i]->node > kmax ? a[i]->node : kmax;
        kmax = a[i]->gpu.pci > kmax ? a[i]->gpu.pci : kmax;
    }
    if (!cnt || (size_t)kmax + 2 > ncnt) {
        /* ids too sparse for counting: sort as the comparators say */
        memcpy(b, a, m * sizeof *a);
        memcpy(c, a, m * sizeof *a);
        qsort(b, m, sizeof *b, cmp_ptr_node);
        qsort(c, m, sizeof *c, cmp_ptr_gpu);
        return;
    }
    id_sort(a, b, m, cnt, kmax, true); /* by pci, then stably by node: (node, pci, ts) */
    id_sort(b, c, m, cnt, kmax, false);
    id_sort(a, b, m, cnt, kmax, false);
}

/* fl_malloc of n bytes rounded as alloc_huge rounds them, the pages advised the same way:
 * for the sort's scratch, which is freed when the window is built. */
static void *malloc_huge(size_t n)
{
    if (n < HUGE_PAGE || n > SIZE_MAX - HUGE_PAGE - HUGE_HEADROOM)
        return fl_malloc(n);
    size_t bytes = ((n + HUGE_HEADROOM + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - HUGE_HEADROOM;
    void *p = fl_malloc(bytes);
    if (p)
        advise_huge(p, bytes);
    return p;
}

/* The window is an array of pointers to the events where the readers emitted them (the
 * engine's blocks), in fl_event_cmp order, not a copy of the events: at 264 bytes an event,
 * a sorted copy of 8 M Flight Recorder records was 2.1 GB of fresh pages to zero and fill,
 * more than the parse itself (docs/performance.md). The sort works on 32-byte keys in one
 * scratch buffer freed before returning. */
int fl__window_build(struct fl_engine *e)
{
    struct fl_window *w = &e->window;
    memset(w, 0, sizeof *w);
    w->start = w->end = FL_TIME_NONE;
    w->intern = &e->intern;
    w->inputs = e->inputs;
    w->ninputs = e->ninputs;

    const struct fl_event **all = NULL;
    struct wkey *keys = NULL;
    const struct fl_event **ptrs = NULL;
    size_t *cnt = NULL, ncnt = 0;
    int rc = FL_ENOMEM;
    /* scratch, one allocation: keys[0..n), the merge buffer keys[n..2n) (then the Flight
     * Recorder items, 2 * 16 bytes a record), the run bounds (n / WSORT_RUN + 2 size_t); once
     * the events are sorted, the counters of the id sorts (ids up to a few times the events,
     * else the comparators sort) */
    _Static_assert(2 * sizeof(struct fritem) <= sizeof(struct wkey), "fr items fit");
    if (e->nevents) {
        size_t nb = e->nevents / WSORT_RUN + 2;
        if (e->nevents > (SIZE_MAX / 2 - nb * sizeof(size_t)) / (2 * sizeof *keys))
            goto out;
        ncnt = (size_t)e->intern.count + 2;
        if (ncnt > 4 * e->nevents + 4096)
            ncnt = 4 * e->nevents + 4096;
        size_t bytes = 2 * e->nevents * sizeof *keys + nb * sizeof(size_t);
        if (bytes < ncnt * sizeof *cnt)
            bytes = ncnt * sizeof *cnt;
        keys = malloc_huge(bytes);
        if (!keys)
            goto out;
    }
    size_t n = 0, nfr = 0;
    struct frrange g = {UINT32_MAX, 0, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            const struct fl_event *ev = &b->ev[i];
            if (!keep(e, ev))
                continue;
            keys[n++] = (struct wkey){ev->ts, ev->uid, ev->kind, ev};
            if (ev->kind == FL_EV_NCCL_FR_RECORD) {
                nfr++;
                fr_range_add(&g, ev);
            }
        }
    if (n > 1)
        key_sort(keys, keys + n, (size_t *)(void *)(keys + 2 * e->nevents), n);
    if (n && !(all = alloc_huge(&e->arena, n * sizeof *all, _Alignof(const struct fl_event *))))
        goto out;
    for (size_t i = 0; i < n; i++)
        all[i] = keys[i].ev;
    /* the Flight Recorder index, from the keys, its items where the merge buffer was */
    bool fr_sorted = false;
    if (nfr) {
        const struct fl_event **s = FL_ARENA_NEW_N(&e->arena, const struct fl_event *, nfr);
        if (!s)
            goto out;
        struct fritem *fa = (struct fritem *)(void *)(keys + n);
        fr_sorted = fr_seq_sort(keys, n, &g, fa, fa + nfr, nfr, s);
        w->fr_by_seq = s;
    }
    w->events = all;
    w->nevents = n;

    /* a kind whose events all share one node and one GPU (Flight Recorder records of one
     * job, say) has its (node) and (node, gpu) orders equal to its ts order: one array
     * serves the three indexes */
    bool mixed[FL_EV__COUNT] = {false};
    uint32_t node1[FL_EV__COUNT], pci1[FL_EV__COUNT];
    for (size_t i = 0; i < n; i++) {
        if (i + WPREFETCH < n)
            __builtin_prefetch(all[i + WPREFETCH]);
        const struct fl_event *ev = all[i];
        unsigned k = ev->kind;
        if (!w->nkind[k]) {
            node1[k] = ev->node;
            pci1[k] = ev->gpu.pci;
        } else if (ev->node != node1[k] || ev->gpu.pci != pci1[k]) {
            mixed[k] = true;
        }
        w->nkind[k]++;
        if (ev->clock == FL_CLOCK_WALL) {
            if (w->start == FL_TIME_NONE || ev->ts < w->start)
                w->start = ev->ts;
            if (w->end == FL_TIME_NONE || ev->ts > w->end)
                w->end = ev->ts;
        }
    }
    size_t nptrs = 0;
    bool any_mixed = false;
    for (int k = 0; k < FL_EV__COUNT; k++) {
        nptrs += (mixed[k] ? 3 : 1) * w->nkind[k];
        any_mixed |= mixed[k];
    }
    if (any_mixed)
        cnt = (size_t *)(void *)keys; /* the keys are read no more */
    /* the indexes of every kind in one array: by_kind, by_node, by_gpu of kind 0, ... A kind
     * that is every event of the window (a bundle of Flight Recorder dumps has two kinds, so
     * not there) has the window's own array as its ts-ordered index. */
    size_t fill[FL_EV__COUNT] = {0};
    if (nptrs &&
        !(ptrs = alloc_huge(&e->arena, nptrs * sizeof *ptrs, _Alignof(const struct fl_event *))))
        goto out;
    size_t at = 0;
    for (int k = 0; k < FL_EV__COUNT; k++) {
        size_t m = w->nkind[k];
        if (!m)
            continue;
        w->by_kind[k] = w->by_node[k] = w->by_gpu[k] = ptrs + at;
        if (mixed[k]) {
            w->by_node[k] = ptrs + at + m;
            w->by_gpu[k] = ptrs + at + 2 * m;
        }
        at += (mixed[k] ? 3 : 1) * m;
    }
    for (size_t i = 0; i < n; i++) {
        if (i + WPREFETCH < n)
            __builtin_prefetch(all[i + WPREFETCH]);
        unsigned k = all[i]->kind;
        w->by_kind[k][fill[k]++] = all[i];
    }
    for (int k = 0; k < FL_EV__COUNT; k++)
        if (mixed[k])
            index_kind(w->by_kind[k], w->nkind[k], w->by_node[k], w->by_gpu[k], cnt, ncnt);
    if (nfr && !fr_sorted) {
        const struct fl_event **s = w->fr_by_seq;
        memcpy(s, w->by_kind[FL_EV_NCCL_FR_RECORD], nfr * sizeof *s);
        qsort(s, nfr, sizeof *s, cmp_ptr_seq);
    }
    rc = 0;
out:
    fl_free(keys);
    return rc;
}

struct fl_evlist fl_window_kind(const struct fl_window *w, enum fl_event_kind k)
{
    struct fl_evlist l = {NULL, 0};
    if ((unsigned)k < FL_EV__COUNT) {
        l.v = w->by_kind[k];
        l.n = w->nkind[k];
    }
    return l;
}

/* Equal range in a sorted pointer array under a key comparator. */
typedef int (*keycmp_fn)(const struct fl_event *ev, const void *key);

static struct fl_evlist equal_range(const struct fl_event **v, size_t n, keycmp_fn cmp,
                                    const void *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(v[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(v[mid], key) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    struct fl_evlist l = {v ? v + first : NULL, lo - first};
    return l;
}

static int key_node(const struct fl_event *ev, const void *key)
{
    uint32_t node = *(const uint32_t *)key;
    return (ev->node > node) - (ev->node < node);
}

struct fl_evlist fl_window_node(const struct fl_window *w, enum fl_event_kind k, uint32_t node)
{
    if ((unsigned)k >= FL_EV__COUNT)
        return (struct fl_evlist){NULL, 0};
    return equal_range(w->by_node[k], w->nkind[k], key_node, &node);
}

static int key_gpu(const struct fl_event *ev, const void *key)
{
    const uint32_t *k = key;
    if (ev->node != k[0])
        return ev->node < k[0] ? -1 : 1;
    return (ev->gpu.pci > k[1]) - (ev->gpu.pci < k[1]);
}

struct fl_evlist fl_window_gpu(const struct fl_window *w, enum fl_event_kind k, uint32_t node,
                               uint32_t pci)
{
    if ((unsigned)k >= FL_EV__COUNT)
        return (struct fl_evlist){NULL, 0};
    uint32_t key[2] = {node, pci};
    return equal_range(w->by_gpu[k], w->nkind[k], key_gpu, key);
}

struct seq_key {
    uint32_t pg;
    int64_t seq;
};

static int key_seq(const struct fl_event *ev, const void *key)
{
    const struct seq_key *k = key;
    if (ev->u.fr.pg != k->pg)
        return ev->u.fr.pg < k->pg ? -1 : 1;
    return (ev->u.fr.collective_seq > k->seq) - (ev->u.fr.collective_seq < k->seq);
}

struct fl_evlist fl_window_pg_seq(const struct fl_window *w, uint32_t pg, int64_t seq)
{
    struct seq_key k = {pg, seq};
    return equal_range(w->fr_by_seq, w->nkind[FL_EV_NCCL_FR_RECORD], key_seq, &k);
}

size_t fl_evlist_lower_bound(struct fl_evlist l, int64_t t)
{
    size_t lo = 0, hi = l.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l.v[mid]->ts < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *fl_window_str(const struct fl_window *w, uint32_t id)
{
    struct fl_str s = fl_intern_str(w->intern, id);
    return s.ptr ? s.ptr : "";
}

size_t fl_window_source(const struct fl_window *w, const struct fl_event *ev, char *buf, size_t cap)
{
    int n;
    if (ev->origin.len)
        n = snprintf(buf, cap, "%.*s", FL_STR_FMT(ev->origin));
    else if (ev->src.input >= w->ninputs)
        n = snprintf(buf, cap, "?");
    else if (ev->src.line)
        n = snprintf(buf, cap, "%s:%u", w->inputs[ev->src.input].path, ev->src.line);
    else
        n = snprintf(buf, cap, "%s@%llu", w->inputs[ev->src.input].path,
                     (unsigned long long)ev->src.offset);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}
