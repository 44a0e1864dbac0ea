/* Window store: the sorted event array and its pointer indexes. */
#include "model/engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_ev(const void *a, const void *b)
{
    return fl_event_cmp(a, b);
}

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

int fl__window_build(struct fl_engine *e)
{
    struct fl_window *w = &e->window;
    memset(w, 0, sizeof *w);
    w->start = w->end = FL_TIME_NONE;
    w->intern = &e->intern;
    w->inputs = e->inputs;
    w->ninputs = e->ninputs;

    struct fl_event *all = NULL;
    if (e->nevents) {
        all = FL_ARENA_NEW_N(&e->arena, struct fl_event, e->nevents);
        if (!all)
            return FL_ENOMEM;
    }
    size_t n = 0;
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++)
            if (keep(e, &b->ev[i]))
                all[n++] = b->ev[i];
    if (n > 1)
        qsort(all, n, sizeof *all, cmp_ev);
    w->events = all;
    w->nevents = n;

    size_t nfr = 0;
    for (size_t i = 0; i < n; i++) {
        const struct fl_event *ev = &all[i];
        w->nkind[ev->kind]++;
        if (ev->clock == FL_CLOCK_WALL) {
            if (w->start == FL_TIME_NONE || ev->ts < w->start)
                w->start = ev->ts;
            if (w->end == FL_TIME_NONE || ev->ts > w->end)
                w->end = ev->ts;
        }
        nfr += ev->kind == FL_EV_NCCL_FR_RECORD;
    }
    for (int k = 0; k < FL_EV__COUNT; k++) {
        size_t m = w->nkind[k];
        if (!m)
            continue;
        const struct fl_event **a = FL_ARENA_NEW_N(&e->arena, const struct fl_event *, m);
        const struct fl_event **b = FL_ARENA_NEW_N(&e->arena, const struct fl_event *, m);
        const struct fl_event **c = FL_ARENA_NEW_N(&e->arena, const struct fl_event *, m);
        if (!a || !b || !c)
            return FL_ENOMEM;
        size_t j = 0;
        for (size_t i = 0; i < n; i++)
            if (all[i].kind == k)
                a[j++] = &all[i];
        memcpy(b, a, m * sizeof *a);
        memcpy(c, a, m * sizeof *a);
        qsort(b, m, sizeof *b, cmp_ptr_node);
        qsort(c, m, sizeof *c, cmp_ptr_gpu);
        w->by_kind[k] = a;
        w->by_node[k] = b;
        w->by_gpu[k] = c;
    }
    if (nfr) {
        const struct fl_event **s = FL_ARENA_NEW_N(&e->arena, const struct fl_event *, nfr);
        if (!s)
            return FL_ENOMEM;
        memcpy(s, w->by_kind[FL_EV_NCCL_FR_RECORD], nfr * sizeof *s);
        qsort(s, nfr, sizeof *s, cmp_ptr_seq);
        w->fr_by_seq = s;
    }
    return 0;
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

size_t fl_window_source(const struct fl_window *w, const struct fl_event *ev, char *buf,
                        size_t cap)
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
