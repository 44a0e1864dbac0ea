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
#include "faultline/time.h"

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

/* Deterministic events spread over inputs: each input in time order (a run: the window
 * merges them) or nearly (runs of a few events: the window sorts keys), inputs interleaved
 * in time; Flight Recorder records of several pgs, ranks and seqs (seq -1 and
 * repeats included), on one node or on several; xids on several nodes and GPUs. */
static bool ordered = true; /* each input in time order (false: ns at random in the second) */

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
        /* equal ts happen: across inputs (ordered), or within one too */
        int sec = i / 7, ns = ordered ? i % 7 * 1000 : (int)(x % 3) * 1000;
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

/* Each input's lines reversed: newest first, every event a run of its own. */
static void reverse_lines(char *s, size_t len)
{
    char *t = malloc(len + 1);
    cr_assert_not_null(t);
    size_t o = 0, end = len;
    while (end > 0) {
        size_t b = end - 1; /* end is just past a '\n' */
        while (b > 0 && s[b - 1] != '\n')
            b--;
        memcpy(t + o, s + b, end - b);
        o += end - b;
        end = b;
    }
    memcpy(s, t, len);
    free(t);
}

static struct fl_engine *engine_opts(int ninputs, int records, bool fr_nodes, int64_t seq_scale,
                                     bool reversed, const struct fl_engine_opts *o)
{
    struct fl_engine *e = fl_engine_new(o, NULL);
    cr_assert_not_null(e);
    for (int i = 0; i < ninputs; i++) {
        size_t len;
        char *s = events((unsigned)i + 1, records, fr_nodes, seq_scale, &len), name[32];
        if (reversed)
            reverse_lines(s, len);
        snprintf(name, sizeof name, "in%02d.jsonl", i);
        cr_assert_eq(fl_engine_add_buffer(e, name, s, len, NULL), 0);
        free(s);
    }
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static size_t emitted(const struct fl_engine *e)
{
    size_t n, sum = 0;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    for (size_t i = 0; i < n; i++)
        sum += in[i].records;
    return sum;
}

static struct fl_engine *engine_of(int ninputs, int records, bool fr_nodes, int64_t seq_scale)
{
    struct fl_engine *e = engine_opts(ninputs, records, fr_nodes, seq_scale, false, NULL);
    /* every event read, each once (check_window proves no two are equal) */
    cr_assert_eq(fl_engine_window(e)->nevents, emitted(e));
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

/* seqs wide enough that key and record index do not fit one 64-bit item together, while
 * the key alone does: the 16-byte items */
FL_TEST(window, seqs_wide_items_of_16_bytes)
{
    ordered = false;
    struct fl_engine *e = engine_of(4, 600, false, (int64_t)1 << 48);
    check_window(fl_engine_window(e));
    fl_engine_free(e);
}

/* inputs newest first are no runs to merge: the keys are sorted, to the same order */
FL_TEST(window, unordered_inputs)
{
    ordered = false;
    struct fl_engine *e = engine_opts(6, 500, true, 1, true, NULL);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, emitted(e));
    cr_assert_gt(w->nevents, 2000);
    check_window(w);
    fl_engine_free(e);
}

/* --since / --until drop events from inside the runs; the merge skips them */
FL_TEST(window, since_until_inside_runs)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    struct fl_engine *all = engine_opts(5, 700, false, 1, false, &o);
    static const char a[] = "2026-11-24T10:00:20Z", b[] = "2026-11-24T10:01:00Z";
    cr_assert_eq(fl_time_parse_rfc3339(a, a + strlen(a), true, &o.since, NULL, NULL), 0);
    cr_assert_eq(fl_time_parse_rfc3339(b, b + strlen(b), true, &o.until, NULL, NULL), 0);
    struct fl_engine *e = engine_opts(5, 700, false, 1, false, &o);
    const struct fl_window *w = fl_engine_window(e), *wa = fl_engine_window(all);
    size_t want = 0;
    for (size_t i = 0; i < wa->nevents; i++)
        want += wa->events[i]->ts >= o.since && wa->events[i]->ts < o.until;
    cr_assert_gt(want, 0);
    cr_assert_lt(want, wa->nevents);
    cr_assert_eq(w->nevents, want);
    check_window(w);
    fl_engine_free(e);
    fl_engine_free(all);
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
