/* Window indexes against their definitions: every index is the events of its kind in the
 * order its comparator gives (src/model/window.c sorts them by merges of runs, counting and
 * radix passes, and shares one array among a kind's three indexes when its events have one
 * node and GPU; none of that may show). */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"

static int cmp_node(const struct fl_event *x, const struct fl_event *y)
{
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return fl_event_cmp(x, y);
}

static int cmp_gpu(const struct fl_event *x, const struct fl_event *y)
{
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->gpu.pci != y->gpu.pci)
        return x->gpu.pci < y->gpu.pci ? -1 : 1;
    return fl_event_cmp(x, y);
}

static int cmp_seq(const struct fl_event *x, const struct fl_event *y)
{
    if (x->u.fr.pg != y->u.fr.pg)
        return x->u.fr.pg < y->u.fr.pg ? -1 : 1;
    if (x->u.fr.collective_seq != y->u.fr.collective_seq)
        return x->u.fr.collective_seq < y->u.fr.collective_seq ? -1 : 1;
    if (x->u.fr.rank != y->u.fr.rank)
        return x->u.fr.rank < y->u.fr.rank ? -1 : 1;
    return fl_event_cmp(x, y);
}

static int cmp_addr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (const struct fl_event *const *)a;
    uintptr_t y = (uintptr_t) * (const struct fl_event *const *)b;
    return (x > y) - (x < y);
}

/* v[0..n) is ordered by cmp (strictly: no two events of a window compare equal here) and
 * holds exactly the events of ref[0..n). */
static void check_index(const struct fl_event *const *v, const struct fl_event *const *ref,
                        size_t n, int (*cmp)(const struct fl_event *, const struct fl_event *),
                        const char *what)
{
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(cmp(v[i - 1], v[i]), 0, "%s: %zu and %zu out of order", what, i - 1, i);
    const struct fl_event **a = malloc((n + 1) * sizeof *a), **b = malloc((n + 1) * sizeof *b);
    cr_assert(a && b);
    memcpy(a, v, n * sizeof *a);
    memcpy(b, ref, n * sizeof *b);
    qsort(a, n, sizeof *a, cmp_addr);
    qsort(b, n, sizeof *b, cmp_addr);
    cr_assert(n == 0 || memcmp(a, b, n * sizeof *a) == 0, "%s: not the kind's events", what);
    free(a);
    free(b);
}

static void check_window(const struct fl_window *w)
{
    for (size_t i = 1; i < w->nevents; i++)
        cr_assert_lt(fl_event_cmp(w->events[i - 1], w->events[i]), 0);
    for (int k = 0; k < FL_EV__COUNT; k++) {
        size_t m = w->nkind[k];
        if (!m)
            continue;
        check_index(w->by_kind[k], w->by_kind[k], m, fl_event_cmp, "by_kind");
        check_index(w->by_node[k], w->by_kind[k], m, cmp_node, "by_node");
        check_index(w->by_gpu[k], w->by_kind[k], m, cmp_gpu, "by_gpu");
    }
    size_t m = w->nkind[FL_EV_NCCL_FR_RECORD];
    if (m)
        check_index(w->fr_by_seq, w->by_kind[FL_EV_NCCL_FR_RECORD], m, cmp_seq, "fr_by_seq");
}

/* Deterministic events spread over inputs: each input in time order (a run), inputs
 * interleaved in time; Flight Recorder records of several pgs, ranks and seqs (seq -1 and
 * repeats included), on one node or on several; xids on several nodes and GPUs. */
static char *events(unsigned seed, int records, bool fr_nodes, int64_t seq_scale, size_t *len)
{
    size_t cap = (size_t)records * 400 + 1;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    size_t n = 0;
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (int i = 0; i < records; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int sec = i / 7, ns = (int)(x % 3) * 1000; /* equal ts happen */
        int kind = (int)(x >> 8) % 5;
        if (kind < 3) {
            int64_t seq = (int64_t)((x >> 16) % 9) - 1;
            n += (size_t)snprintf(
                s + n, cap - n,
                "{\"kind\":\"nccl_fr_record\",\"ts\":\"2026-11-24T10:%02d:%02d.%09dZ\"%s%s,"
                "\"nccl_fr_record\":{\"rank\":%d,\"pg\":\"%d\",\"collective_seq\":%lld,"
                "\"record_id\":%d,\"state\":\"started\"}}\n",
                sec / 60 % 60, sec % 60, ns, fr_nodes ? ",\"node\":\"n" : "",
                fr_nodes ? ((x >> 40) % 2 ? "1\"" : "2\"") : "", (int)((x >> 24) % 6),
                (int)((x >> 32) % 4), (long long)(seq * seq_scale), i);
        } else {
            n += (size_t)snprintf(
                s + n, cap - n,
                "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:%02d:%02d.%09dZ\",\"node\":\"n%d\","
                "\"gpu\":{\"pci\":\"0000:%02x:00.0\"},\"xid\":{\"code\":%d}}\n",
                sec / 60 % 60, sec % 60, ns, (int)((x >> 24) % 3), (int)(0x3b + (x >> 32) % 4),
                40 + i % 50);
        }
    }
    *len = n;
    return s;
}

static struct fl_engine *engine_of(int ninputs, int records, bool fr_nodes, int64_t seq_scale)
{
    struct fl_engine *e = fl_engine_new(NULL, NULL);
    cr_assert_not_null(e);
    for (int i = 0; i < ninputs; i++) {
        size_t len;
        char *s = events((unsigned)i + 1, records, fr_nodes, seq_scale, &len), name[32];
        snprintf(name, sizeof name, "in%02d.jsonl", i);
        cr_assert_eq(fl_engine_add_buffer(e, name, s, len, NULL), 0);
        free(s);
    }
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

FL_TEST(window, indexes_follow_their_comparators)
{
    struct fl_engine *e = engine_of(9, 700, false, 1);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_gt(w->nkind[FL_EV_NCCL_FR_RECORD], 1000);
    /* records of one node and GPU share one array among their three indexes */
    cr_assert_eq(w->by_node[FL_EV_NCCL_FR_RECORD], w->by_kind[FL_EV_NCCL_FR_RECORD]);
    cr_assert_neq(w->by_node[FL_EV_XID], w->by_kind[FL_EV_XID]);
    check_window(w);
    fl_engine_free(e);
}

FL_TEST(window, records_on_several_nodes)
{
    struct fl_engine *e = engine_of(5, 500, true, 1);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_neq(w->by_node[FL_EV_NCCL_FR_RECORD], w->by_kind[FL_EV_NCCL_FR_RECORD]);
    check_window(w);
    fl_engine_free(e);
}

/* seqs spread over 63 bits with ranks and pgs beside them do not pack into 64 bits: the
 * comparator sorts them instead, to the same order */
FL_TEST(window, seqs_too_wide_to_pack)
{
    struct fl_engine *e = engine_of(3, 400, false, INT64_MAX / 8);
    check_window(fl_engine_window(e));
    fl_engine_free(e);
}

FL_TEST(window, one_event_and_none)
{
    struct fl_engine *e = engine_of(1, 1, false, 1);
    check_window(fl_engine_window(e));
    fl_engine_free(e);
    e = engine_of(0, 0, false, 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 0);
    fl_engine_free(e);
}
