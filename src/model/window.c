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

static inline int key_cmp(const struct wkey *a, const struct wkey *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->uid != b->uid)
        return a->uid < b->uid ? -1 : 1;
    return fl_event_cmp(a->ev, b->ev);
}

static inline bool key_lt(const struct wkey *a, const struct wkey *b)
{
    return key_cmp(a, b) < 0;
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

/* The bytes to ask for n bytes on whole huge pages; 0 when n is too small (or too large)
 * for them. */
static size_t huge_bytes(size_t n)
{
    if (n < HUGE_PAGE || n > SIZE_MAX - HUGE_PAGE - HUGE_HEADROOM)
        return 0;
    return ((n + HUGE_HEADROOM + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - HUGE_HEADROOM;
}

static void *alloc_huge(struct fl_arena *a, size_t n, size_t align)
{
    size_t bytes = huge_bytes(n);
    void *p = fl_arena_alloc(a, bytes ? bytes : n, align);
    if (p && bytes)
        advise_huge(p, bytes);
    return p;
}

/* fl_malloc of n bytes rounded as alloc_huge rounds them, the pages advised the same way:
 * for the sort's scratch, which is freed when the window is built. */
static void *malloc_huge(size_t n)
{
    size_t bytes = huge_bytes(n);
    void *p = fl_malloc(bytes ? bytes : n);
    if (p && bytes)
        advise_huge(p, bytes);
    return p;
}

/* The Flight Recorder index, (pg, collective_seq, rank, fl_event_cmp) order, by a stable LSD
 * radix sort: the records' (pg, seq, rank) offsets from their minimums packed into one
 * integer key (they fit in practice: a few thousand pgs and ranks, seqs in the millions). The
 * items are made from the kind's window-ordered array and every pass is stable, so ties keep
 * that order, as the comparator's last step says. When the key and the record's index fit in
 * 64 bits together (index low), the items are 8 bytes, sorted in the index's own array with
 * one more array of scratch; else 16 bytes (key, index) in scratch of their own. */
struct fritem {
    uint64_t key;
    uint64_t at; /* index into the kind's window-ordered array */
};

static unsigned bits_of(uint64_t range)
{
    unsigned b = 0;
    while (b < 64 && (range >> b))
        b++;
    return b;
}

#define FR_DIGIT 11
#define FR_RADIX ((size_t)1 << FR_DIGIT)

/* The ranges of the records' pg, seq and rank. */
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

struct frkey {
    uint32_t pg0;
    int64_t seq0;
    int32_t rank0;
    unsigned pb, sb, rb; /* bits of each */
};

static inline uint64_t fr_key(const struct frkey *k, const struct fl_event *ev)
{
    const struct fl_ev_nccl_fr *r = &ev->u.fr;
    uint64_t key = (uint64_t)(r->pg - k->pg0); /* 0 when sb or rb is 64 */
    key = (k->sb < 64 ? key << k->sb : 0) | ((uint64_t)r->collective_seq - (uint64_t)k->seq0);
    return (k->rb < 64 ? key << k->rb : 0) | (uint64_t)((int64_t)r->rank - k->rank0);
}

/* Counts of each digit into the offset of its first item. */
static void offsets_of(size_t *cnt)
{
    size_t sum = 0;
    for (size_t d = 0; d < FR_RADIX; d++) {
        size_t c = cnt[d];
        cnt[d] = sum;
        sum += c;
    }
}

/* One stable counting pass of m 8-byte items by the digit at shift, a into b. */
static void radix_pass8(const uint64_t *a, uint64_t *b, size_t m, unsigned shift, size_t *cnt)
{
    memset(cnt, 0, FR_RADIX * sizeof *cnt);
    for (size_t i = 0; i < m; i++)
        cnt[(a[i] >> shift) & (FR_RADIX - 1)]++;
    offsets_of(cnt);
    for (size_t i = 0; i < m; i++)
        b[cnt[(a[i] >> shift) & (FR_RADIX - 1)]++] = a[i];
}

static struct frkey fr_key_of(const struct frrange *g)
{
    return (struct frkey){g->pg0,
                          g->seq0,
                          g->rank0,
                          bits_of((uint64_t)(g->pg1 - g->pg0)),
                          bits_of((uint64_t)g->seq1 - (uint64_t)g->seq0),
                          bits_of((uint64_t)((int64_t)g->rank1 - g->rank0))};
}

/* Whether m records of ranges g sort as 8-byte items (key and index in one word). */
static bool fr_items8(const struct frrange *g, size_t m)
{
    struct frkey k = fr_key_of(g);
    return k.pb + k.sb + k.rb + bits_of(m - 1) <= 64 &&
           sizeof(const struct fl_event *) == sizeof(uint64_t);
}

/* Bytes of scratch fr_seq_sort needs for m records of ranges g. */
static size_t fr_scratch(const struct frrange *g, size_t m)
{
    struct frkey k = fr_key_of(g);
    if (!m || k.pb + k.sb + k.rb > 64)
        return 0;
    return fr_items8(g, m) ? m * sizeof(uint64_t) : 2 * m * sizeof(struct fritem);
}

/* out[0..m) = the m records of v (window order) in index order, scratch holding
 * fr_scratch(g, m) bytes. 0, or 1 when the key does not fit 64 bits (the caller sorts with
 * the comparator). */
static int fr_seq_sort(const struct fl_event *const *v, size_t m, const struct frrange *g,
                       const struct fl_event **out, void *scratch)
{
    struct frkey k = fr_key_of(g);
    unsigned kb = k.pb + k.sb + k.rb, ib = bits_of(m - 1);
    if (kb > 64)
        return 1;
    size_t cnt[FR_RADIX];
    if (fr_items8(g, m)) {
        /* the items in out's own bytes (allocated memory: each slot read as the type last
         * stored in it), the other array in the scratch */
        uint64_t *a = (uint64_t *)(void *)out, *b = scratch;
        for (size_t i = 0; i < m; i++) {
            if (i + WPREFETCH < m)
                __builtin_prefetch(&v[i + WPREFETCH]->u.fr);
            a[i] = (ib < 64 ? fr_key(&k, v[i]) << ib : 0) | i;
        }
        uint64_t *src = a, *dst = b;
        for (unsigned shift = ib; shift < ib + kb; shift += FR_DIGIT) {
            radix_pass8(src, dst, m, shift, cnt);
            uint64_t *t = src;
            src = dst;
            dst = t;
        }
        uint64_t mask = ib < 64 ? ((uint64_t)1 << ib) - 1 : UINT64_MAX;
        for (size_t i = 0; i < m; i++) {
            uint64_t at = src[i] & mask;
            out[i] = v[at];
        }
        return 0;
    }
    struct fritem *a = scratch, *b = a + m;
    for (size_t i = 0; i < m; i++)
        a[i] = (struct fritem){fr_key(&k, v[i]), i};
    for (unsigned shift = 0; shift < kb; shift += FR_DIGIT) {
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < m; i++)
            cnt[(a[i].key >> shift) & (FR_RADIX - 1)]++;
        offsets_of(cnt);
        for (size_t i = 0; i < m; i++)
            b[cnt[(a[i].key >> shift) & (FR_RADIX - 1)]++] = a[i];
        struct fritem *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < m; i++)
        out[i] = v[a[i].at];
    return 0;
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

/* ---- the window order -------------------------------------------------------------- */

/* The events of one input come mostly in time order: the block chain is a few long runs,
 * each already in window order (one per Flight Recorder dump, per log file). Those are merged
 * through a heap of the runs' next events straight into the window's array: no scratch but
 * the heap. A chain of many short runs (an unordered input) is sorted by keys instead. */
struct wcur {
    const struct fl_evblock *b; /* where the next event lies (NULL: past the chain's end) */
    size_t i;
};

struct wrun {
    struct wcur at; /* the run's next event */
    size_t left;    /* kept events still to take */
};

struct wheap {
    struct wkey k; /* of the run's next event */
    uint32_t run;
};

static inline bool heap_lt(const struct wheap *a, const struct wheap *b)
{
    int c = key_cmp(&a->k, &b->k);
    return c ? c < 0 : a->run < b->run; /* equal events: in the order they were emitted */
}

/* Whether ev (after prev in the chain; prev NULL: none) starts a run. */
static inline bool run_breaks(const struct fl_event *ev, const struct fl_event *prev)
{
    return !prev || (ev->ts <= prev->ts && fl_event_cmp(ev, prev) < 0);
}

/* The kept event at or after c, c stepped past it; NULL at the chain's end. */
static const struct fl_event *next_kept(const struct fl_engine *e, struct wcur *c)
{
    while (c->b) {
        if (c->i >= c->b->n) {
            c->b = c->b->next;
            c->i = 0;
            continue;
        }
        const struct fl_event *ev = &c->b->ev[c->i++];
        if (keep(e, ev))
            return ev;
    }
    return NULL;
}

/* Sifts h[at] down to its place. Bottom-up: the hole goes down the smaller children to a
 * leaf (one comparison a level), then the item climbs back from there (it comes from the run
 * just taken, so it mostly belongs low in the heap): about half the comparisons of the
 * textbook loop. */
static void heap_down(struct wheap *h, size_t n, size_t at)
{
    struct wheap x = h[at];
    size_t top = at;
    for (;;) {
        size_t c = 2 * at + 1;
        if (c >= n)
            break;
        if (c + 1 < n && heap_lt(&h[c + 1], &h[c]))
            c++;
        h[at] = h[c];
        at = c;
    }
    while (at > top) {
        size_t p = (at - 1) / 2;
        if (!heap_lt(&x, &h[p]))
            break;
        h[at] = h[p];
        at = p;
    }
    h[at] = x;
}

#define MERGE_SCRATCH(nruns) ((nruns) * (sizeof(struct wrun) + sizeof(struct wheap)))

/* Merges the chain's nruns runs into out (n events), scratch holding MERGE_SCRATCH(nruns)
 * bytes; each event is appended to its kind's by_kind array too (fill: their lengths) while
 * it is in the cache. */
static void merge_runs(const struct fl_engine *e, size_t nruns, const struct fl_event **out,
                       size_t n, void *scratch, const struct fl_event **by_kind[], size_t *fill)
{
    struct wrun *runs = scratch;
    struct wheap *h = (struct wheap *)(void *)(runs + nruns);
    _Static_assert(sizeof(struct wrun) % _Alignof(struct wheap) == 0, "heap aligned");
    /* the runs again, as the count found them */
    size_t r = 0;
    const struct fl_event *prev = NULL, *ev;
    for (struct wcur c = {e->blocks_head, 0}; (ev = next_kept(e, &c)); prev = ev) {
        if (run_breaks(ev, prev))
            runs[r++] = (struct wrun){{c.b, c.i - 1}, 0};
        runs[r - 1].left++;
    }
    for (r = 0; r < nruns; r++) {
        ev = next_kept(e, &runs[r].at);
        runs[r].left--;
        h[r] = (struct wheap){{ev->ts, ev->uid, ev->kind, ev}, (uint32_t)r};
    }
    for (size_t i = nruns / 2; i-- > 0;)
        heap_down(h, nruns, i);
    size_t nh = nruns;
    for (size_t k = 0; k < n; k++) {
        out[k] = h[0].k.ev;
        by_kind[h[0].k.kind][fill[h[0].k.kind]++] = h[0].k.ev;
        struct wrun *top = &runs[h[0].run];
        if (top->left) {
            ev = next_kept(e, &top->at);
            top->left--;
            __builtin_prefetch((const char *)ev + sizeof *ev); /* the run's next but one */
            h[0].k = (struct wkey){ev->ts, ev->uid, ev->kind, ev};
        } else {
            h[0] = h[--nh];
        }
        if (nh)
            heap_down(h, nh, 0);
    }
}

/* Bytes of sort_keys' scratch for n events; SIZE_MAX when too many. */
static size_t keys_scratch(size_t n)
{
    size_t nb = n / WSORT_RUN + 2;
    if (n > (SIZE_MAX / 2 - nb * sizeof(size_t)) / (2 * sizeof(struct wkey)))
        return SIZE_MAX;
    return 2 * n * sizeof(struct wkey) + nb * sizeof(size_t);
}

/* out[0..n) = the chain's kept events in window order, sorted by 32-byte keys in scratch
 * (keys_scratch(n) bytes), and appended to their kinds' by_kind arrays as merge_runs does. */
static void sort_keys(const struct fl_engine *e, const struct fl_event **out, size_t n,
                      void *scratch, const struct fl_event **by_kind[], size_t *fill)
{
    struct wkey *keys = scratch;
    size_t k = 0;
    const struct fl_event *ev;
    for (struct wcur c = {e->blocks_head, 0}; (ev = next_kept(e, &c));)
        keys[k++] = (struct wkey){ev->ts, ev->uid, ev->kind, ev};
    key_sort(keys, keys + n, (size_t *)(void *)(keys + 2 * n), n);
    for (size_t i = 0; i < n; i++) {
        out[i] = keys[i].ev;
        by_kind[keys[i].kind][fill[keys[i].kind]++] = keys[i].ev;
    }
}

/* The window is an array of pointers to the events where the readers emitted them (the
 * engine's blocks), in fl_event_cmp order, not a copy of the events: at 248 bytes an event,
 * a sorted copy of 8 M Flight Recorder records was 2 GB of fresh pages to zero and fill,
 * more than the parse itself (docs/performance.md). Its scratch is the runs' heap (or the
 * keys of an unordered chain), then one array for the Flight Recorder index's sort. */
int fl__window_build(struct fl_engine *e)
{
    struct fl_window *w = &e->window;
    memset(w, 0, sizeof *w);
    w->start = w->end = FL_TIME_NONE;
    w->intern = &e->intern;
    w->inputs = e->inputs;
    w->ninputs = e->ninputs;

    const struct fl_event **all = NULL, **ptrs = NULL;
    size_t *cnt = NULL, ncnt = 0;
    void *scratch = NULL;
    int rc = FL_ENOMEM;

    /* one walk of the chain, in the order the events lie in memory: the kept events, the
     * runs they form, each kind's count, whether a kind's events all share one node and one
     * GPU (Flight Recorder records of one job, say: its (node) and (node, gpu) orders are then
     * its ts order, and one array serves the three indexes), the wall-clock span, the Flight
     * Recorder records' ranges. The window-order passes then never read an event. */
    size_t n = 0, nfr = 0, nruns = 0;
    struct frrange g = {UINT32_MAX, 0, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    bool mixed[FL_EV__COUNT] = {false};
    uint32_t node1[FL_EV__COUNT], pci1[FL_EV__COUNT];
    const struct fl_event *prev = NULL, *x;
    for (struct wcur c = {e->blocks_head, 0}; (x = next_kept(e, &c)); prev = x) {
        n++;
        nruns += run_breaks(x, prev);
        unsigned k = x->kind;
        if (!w->nkind[k]) {
            node1[k] = x->node;
            pci1[k] = x->gpu.pci;
        } else if (x->node != node1[k] || x->gpu.pci != pci1[k]) {
            mixed[k] = true;
        }
        w->nkind[k]++;
        if (x->clock == FL_CLOCK_WALL) {
            if (w->start == FL_TIME_NONE || x->ts < w->start)
                w->start = x->ts;
            if (w->end == FL_TIME_NONE || x->ts > w->end)
                w->end = x->ts;
        }
        if (k == FL_EV_NCCL_FR_RECORD) {
            nfr++;
            fr_range_add(&g, x);
        }
    }
    if (!n)
        return 0;
    size_t nptrs = 0;
    bool any_mixed = false;
    for (int k = 0; k < FL_EV__COUNT; k++) {
        nptrs += (mixed[k] ? 3 : 1) * w->nkind[k];
        any_mixed |= mixed[k];
    }
    /* the window's array, and the indexes of every kind in one array: by_kind, by_node,
     * by_gpu of kind 0, ... */
    if (!(all = alloc_huge(&e->arena, n * sizeof *all, _Alignof(const struct fl_event *))) ||
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
    /* runs of 32 events on average and longer are merged (a heap of 4,096 runs costs 12 steps
     * an event, as many as the key sort's merge passes, without its 64 bytes of scratch).
     * One scratch buffer serves, in turn, the merge or sort, the id sorts' counters (ids up to a
     * few times the events, else the comparators sort) and the Flight Recorder sort. */
    bool merge = (nruns <= n / 32 || nruns <= 2) && nruns <= UINT32_MAX;
    size_t bytes = merge ? MERGE_SCRATCH(nruns) : keys_scratch(n);
    ncnt = (size_t)e->intern.count + 2;
    if (ncnt > 4 * n + 4096)
        ncnt = 4 * n + 4096;
    bytes = ncnt * sizeof *cnt > bytes ? ncnt * sizeof *cnt : bytes;
    bytes = fr_scratch(&g, nfr) > bytes ? fr_scratch(&g, nfr) : bytes;
    if (bytes == SIZE_MAX || !(scratch = malloc_huge(bytes)))
        goto out;
    size_t fill[FL_EV__COUNT] = {0};
    if (merge)
        merge_runs(e, nruns, all, n, scratch, w->by_kind, fill);
    else
        sort_keys(e, all, n, scratch, w->by_kind, fill);
    w->events = all;
    w->nevents = n;
    if (any_mixed)
        cnt = scratch;
    for (int k = 0; k < FL_EV__COUNT; k++)
        if (mixed[k])
            index_kind(w->by_kind[k], w->nkind[k], w->by_node[k], w->by_gpu[k], cnt, ncnt);
    if (nfr) {
        const struct fl_event **s = alloc_huge(&e->arena, nfr * sizeof *s, _Alignof(const struct fl_event *));
        if (!s)
            goto out;
        if (fr_seq_sort(w->by_kind[FL_EV_NCCL_FR_RECORD], nfr, &g, s, scratch)) {
            memcpy(s, w->by_kind[FL_EV_NCCL_FR_RECORD], nfr * sizeof *s);
            qsort(s, nfr, sizeof *s, cmp_ptr_seq);
        }
        w->fr_by_seq = s;
    }
    rc = 0;
out:
    fl_free(scratch);
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
