/* nccl_hang beyond the golden cases: PyTorch's own analyzer tests (test_fr_analysis.py) as
 * behaviour to reproduce or beat — the pairwise matching rules, and its two-rank end-to-end
 * cases, each also with the odd rank's file read first — plus properties the golden cases
 * only show one at a time: pickle and JSON dumps give the same verdicts, a later completed
 * record supersedes a started one, the real dumps name exactly the injected ranks, and
 * running out of memory anywhere is a clean error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/nccl_hang_match.h"
#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/err.h"
#include "fl_test.h"

extern const struct fl_detector fl_detector_nccl_hang;

static struct fl__nccl_op op(const char *name, const char *in, const char *out, uint8_t state,
                             const char *out_dtype)
{
    return (struct fl__nccl_op){fl_str_from_cstr(name),      fl_str_from_cstr(in),
                                fl_str_from_cstr(out),       FL_STR_LIT("Float"),
                                fl_str_from_cstr(out_dtype), state};
}

static enum fl__nccl_match m(struct fl__nccl_op a, struct fl__nccl_op b)
{
    return fl__nccl_match_pair(&a, &b, 2);
}

/* test_match_one_event, one assertion each */
FL_TEST(nccl_hang_match, pytorch_match_one_event)
{
    struct fl__nccl_op e1 = op("all_reduce", "[[4, 4]]", "[[4, 4]]", FL_FR_SCHEDULED, "Float");
    cr_assert_eq(m(e1, e1), FL__NM_MATCH);
    cr_assert_eq(m(e1, op("all_gather", "[[4, 4]]", "[[4, 4]]", FL_FR_SCHEDULED, "Float")),
                 FL__NM_TYPE);
    struct fl__nccl_op e3 = op("all_to_all", "[[4, 4]]", "[[4, 4]]", FL_FR_SCHEDULED, "Float");
    cr_assert_eq(m(e3, e3), FL__NM_UNDECIDED);
    cr_assert_eq(m(e1, op("all_reduce", "[[5, 4]]", "[[4, 4]]", FL_FR_SCHEDULED, "Float")),
                 FL__NM_SIZE);
    struct fl__nccl_op e6 = op("all_reduce", "[[4, 4]]", "[[5, 4]]", FL_FR_SCHEDULED, "Float");
    cr_assert_eq(m(e1, e6), FL__NM_SIZE);
    cr_assert_eq(m(e6, e6), FL__NM_SIZE, "all_reduce's output must have its input's shape");
    struct fl__nccl_op e9 = op("all_reduce", "[[4, 4]]", "[[4, 4]]", FL_FR_COMPLETED, "Float");
    cr_assert_eq(m(e1, e9), FL__NM_STATE_DIFFERS, "progress differs; not a mismatch");
    struct fl__nccl_op e10 = op("all_reduce", "[[4, 4]]", "[[4, 4]]", FL_FR_COMPLETED, "Half");
    cr_assert_eq(m(e10, e9), FL__NM_DTYPE);
    struct fl__nccl_op e11 = op("gather", "[[4, 4]]", "[[4, 4], [4, 4]]", FL_FR_COMPLETED, "Float");
    cr_assert_eq(m(e11, op("gather", "[[4, 4]]", "[[]]", FL_FR_COMPLETED, "")), FL__NM_MATCH);
    cr_assert_eq(m(e11, op("gather", "[[4, 4]]", "[[4, 4]]", FL_FR_COMPLETED, "")), FL__NM_MATCH);
}

/* test_all_events: every collective name PyTorch lists matches itself with sizes consistent
 * for its kind in a pg of 2 */
FL_TEST(nccl_hang_match, every_collective_matches_itself)
{
    static const char *const names[] = {"broadcast",
                                        "_broadcast_oop",
                                        "reduce",
                                        "_reduce_oop",
                                        "all_gather",
                                        "all_gather_single",
                                        "all_gather_v",
                                        "all_reduce",
                                        "_all_gather_base",
                                        "all_gather_into_tensor_coalesced",
                                        "reduce_scatter",
                                        "reduce_scatter_single",
                                        "reduce_scatter_v",
                                        "reduce_scatter_tensor_coalesced",
                                        "_reduce_scatter_base",
                                        "gather",
                                        "scatter",
                                        "all_to_all",
                                        "all_to_all_single",
                                        "all_to_all_v_single",
                                        "all_reduce_barrier",
                                        "barrier",
                                        "split",
                                        "new_window",
                                        "allreduce_coalesced",
                                        "ALLGATHER_coalesced",
                                        "REDUCE_SCATTER_coalesced"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *n = names[i], *in = "[[4, 4]]", *out = "[[4, 4]]";
        if (!strcmp(n, "all_gather") || !strcmp(n, "all_gather_single") ||
            !strcmp(n, "_all_gather_base") || !strcmp(n, "all_gather_into_tensor_coalesced"))
            out = "[[32]]";
        if (!strcmp(n, "reduce_scatter") || !strcmp(n, "reduce_scatter_single") ||
            !strcmp(n, "_reduce_scatter_base") || !strcmp(n, "reduce_scatter_tensor_coalesced"))
            out = "[[8]]";
        struct fl__nccl_op a = op(n, in, out, FL_FR_SCHEDULED, "Float");
        enum fl__nccl_match want = strncmp(n, "all_to_all", 10) ? FL__NM_MATCH : FL__NM_UNDECIDED;
        cr_assert_eq(m(a, a), want, "%s", n);
    }
    /* and the sizes are really checked: the same all_gather with a wrong output */
    struct fl__nccl_op bad = op("_all_gather_base", "[[4, 4]]", "[[16]]", FL_FR_SCHEDULED, "Float");
    cr_assert_eq(m(bad, bad), FL__NM_SIZE, "out must be in x pg size");
    bad = op("reduce_scatter", "[[4, 4]]", "[[16]]", FL_FR_SCHEDULED, "Float");
    cr_assert_eq(m(bad, bad), FL__NM_SIZE, "in must be out x pg size");
}

FL_TEST(nccl_hang_match, spellings_and_sets)
{
    /* blanks do not matter, dtypes are sets, empty sizes are not checked */
    cr_assert_eq(m(op("all_reduce", "[[4,4]]", "[[4,4]]", FL_FR_STARTED, "Float"),
                   op("all_reduce", "[[4, 4]]", "[[4, 4]]", FL_FR_STARTED, "Float")),
                 FL__NM_MATCH);
    struct fl__nccl_op a = op("all_reduce", "[[8], [8]]", "[[8], [8]]", FL_FR_STARTED, "Float");
    a.in_dtypes = FL_STR_LIT("Float, Float");
    a.out_dtypes = FL_STR_LIT("Float, Float");
    cr_assert_eq(m(a, op("all_reduce", "[[8], [8]]", "[[8], [8]]", FL_FR_STARTED, "Float")),
                 FL__NM_MATCH);
    cr_assert_eq(m(op("barrier", "[[1]]", "[[1]]", FL_FR_STARTED, "Float"),
                   op("barrier", "[[]]", "[]", FL_FR_STARTED, "")),
                 FL__NM_MATCH);
    cr_assert_eq(m(op("coalesced", "[]", "[]", FL_FR_STARTED, ""),
                   op("coalesced", "[]", "[]", FL_FR_STARTED, "")),
                 FL__NM_MATCH);
    /* all_to_all: uneven splits are fine pairwise */
    cr_assert_eq(m(op("all_to_all", "[[4096, 5120]]", "[[4107, 5120]]", FL_FR_STARTED, "Float"),
                   op("all_to_all", "[[4096, 5120]]", "[[4034, 5120]]", FL_FR_STARTED, "Float")),
                 FL__NM_UNDECIDED);
}

/* ---- PyTorch's two-rank end-to-end cases, as JSON API dumps ---------------------------- */

struct ent {
    const char *pg; /* "0" default_pg [0, 1], "1" sub_pg [this rank] */
    int seq;
    const char *op;
    const char *in, *out;
};

static char *dump_json(int rank, const struct ent *e, size_t n)
{
    size_t cap = 4096 + n * 1024, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    len += (size_t)snprintf(s + len, cap - len, "{\"entries\":[");
    for (size_t i = 0; i < n; i++) {
        bool sub = !strcmp(e[i].pg, "1");
        len += (size_t)snprintf(
            s + len, cap - len,
            "%s{\"collective_seq_id\":%d,\"input_dtypes\":[\"Float\"],\"input_sizes\":%s,"
            "\"is_p2p\":false,\"op_id\":%zu,\"output_dtypes\":[\"Float\"],\"output_sizes\":%s,"
            "\"p2p_seq_id\":0,\"pg_id\":%d,\"process_group\":[\"%s\",\"%s\"],"
            "\"profiling_name\":\"nccl:%s\",\"record_id\":%zu,\"retired\":true,"
            "\"state\":\"completed\",\"time_created_ns\":%zu,"
            "\"time_discovered_completed_ns\":0,\"time_discovered_started_ns\":0,"
            "\"timeout_ms\":600000}",
            i ? "," : "", e[i].seq, e[i].in, i + 1, e[i].out, sub ? 1 : 0, e[i].pg,
            sub ? "sub_pg" : "default_pg", e[i].op, i, (size_t)1764009000000000000ULL + i);
    }
    len += (size_t)snprintf(s + len, cap - len,
                            "],\"pg_config\":{\"0\":{\"desc\":\"default_pg\",\"name\":\"0\","
                            "\"ranks\":\"[0, 1]\"},\"1\":{\"desc\":\"sub_pg\",\"name\":\"1\","
                            "\"ranks\":\"[%d]\"}},\"version\":\"2.8\"}",
                            rank);
    cr_assert_lt(len, cap);
    return s;
}

static struct fl_engine *new_engine(void)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.detectors = "nccl_hang";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    return e;
}

/* "uid pattern [ranks] headline\n" per verdict, in output order. */
static char *summary(struct fl_engine *e)
{
    size_t n, cap = 1, len = 0;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i].pattern_id) + strlen(v[i].headline) + 48 + 12 * v[i].scope.nranks;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    s[0] = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(s + len, cap - len, "%016llx %s [", (unsigned long long)v[i].uid,
                                v[i].pattern_id);
        for (size_t k = 0; k < v[i].scope.nranks; k++)
            len += (size_t)snprintf(s + len, cap - len, "%s%d", k ? " " : "", v[i].scope.ranks[k]);
        len += (size_t)snprintf(s + len, cap - len, "] %s\n", v[i].headline);
    }
    return s;
}

/* Run the two ranks' dumps, named so that rank `first` is read first. */
static char *run_pair(const struct ent *r0, size_t n0, const struct ent *r1, size_t n1, int first)
{
    struct fl_engine *e = new_engine();
    char *d0 = dump_json(0, r0, n0), *d1 = dump_json(1, r1, n1);
    cr_assert_eq(fl_engine_add_buffer(e, first == 0 ? "a/rank_0.json" : "b/rank_0.json", d0,
                                      strlen(d0), NULL),
                 0);
    cr_assert_eq(fl_engine_add_buffer(e, first == 1 ? "a/rank_1.json" : "b/rank_1.json", d1,
                                      strlen(d1), NULL),
                 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    size_t ni;
    const struct fl_input *in = fl_engine_inputs(e, &ni);
    for (size_t i = 0; i < ni; i++)
        cr_assert_str_eq(in[i].format, "nccl-flight-recorder", "%s", in[i].path);
    char *s = summary(e);
    fl_engine_free(e);
    free(d0);
    free(d1);
    return s;
}

/* Both load orders give the same verdicts; returns them. */
static char *both_orders(const struct ent *r0, size_t n0, const struct ent *r1, size_t n1)
{
    char *a = run_pair(r0, n0, r1, n1, 0), *b = run_pair(r0, n0, r1, n1, 1);
    /* the bundle directories differ (a/, b/), which changes no verdict */
    cr_assert_str_eq(a, b, "rank 0 read first:\n%s\nrank 1 read first:\n%s", a, b);
    free(b);
    return a;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

FL_TEST(nccl_hang_e2e, matched_pairs_and_solo_sub_groups_pass)
{
    static const struct ent r[] = {{"0", 0, "all_reduce", "[[4, 4]]", "[[4, 4]]"},
                                   {"1", 0, "all_reduce", "[[5, 5]]", "[[5, 5]]"}};
    char *s = both_orders(r, N(r), r, N(r));
    cr_assert_str_eq(s, "");
    free(s);
    static const struct ent c[] = {{"0", 0, "allreduce_coalesced", "[[4, 4]]", "[[4, 4]]"}};
    s = both_orders(c, N(c), c, N(c));
    cr_assert_str_eq(s, "");
    free(s);
}

FL_TEST(nccl_hang_e2e, coalesced_group_is_one_unit)
{
    static const struct ent b[] = {{"0", 0, "broadcast", "[[4, 4]]", "[[4, 4]]"},
                                   {"0", 0, "broadcast", "[[4, 4]]", "[[4, 4]]"},
                                   {"0", 0, "coalesced", "[[]]", "[[]]"}};
    char *s = both_orders(b, N(b), b, N(b));
    cr_assert_str_eq(s, "", "%s", s);
    free(s);
    static const struct ent r[] = {{"0", 0, "_reduce_oop", "[[4, 4]]", "[[4, 4]]"},
                                   {"0", 0, "_reduce_oop", "[[4, 4]]", "[[4, 4]]"},
                                   {"0", 0, "REDUCE_SCATTER_coalesced", "[[]]", "[[]]"}};
    s = both_orders(r, N(r), r, N(r));
    cr_assert_str_eq(s, "", "%s", s);
    free(s);
}

FL_TEST(nccl_hang_e2e, size_mismatch_inside_a_coalesced_group)
{
    static const struct ent r0[] = {{"0", 0, "_broadcast_oop", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 0, "_broadcast_oop", "[[5, 5]]", "[[5, 5]]"},
                                    {"0", 0, "ALLGATHER_coalesced", "[[]]", "[[]]"}};
    static const struct ent r1[] = {{"0", 0, "_broadcast_oop", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 0, "_broadcast_oop", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 0, "ALLGATHER_coalesced", "[[]]", "[[]]"}};
    char *s = both_orders(r0, N(r0), r1, N(r1));
    /* two ranks, one each way: no majority, both are named, never "whoever differs from the
     * first file" */
    cr_assert(strstr(s, "nccl_hang.mismatch [0 1] ") && strstr(s, "sizes"), "%s", s);
    cr_assert_eq(strchr(s, '\n') - s + 1, (long)strlen(s), "one verdict: %s", s);
    free(s);
}

FL_TEST(nccl_hang_e2e, rank_that_stopped_early_is_missing)
{
    static const struct ent r0[] = {{"0", 0, "all_reduce", "[[4, 4]]", "[[4, 4]]"}};
    static const struct ent r1[] = {{"0", 0, "all_reduce", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 1, "_reduce_oop", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 1, "_reduce_oop", "[[4, 4]]", "[[4, 4]]"},
                                    {"0", 1, "REDUCE_SCATTER_coalesced", "[[]]", "[[]]"}};
    char *s = both_orders(r0, N(r0), r1, N(r1));
    cr_assert(strstr(s, "nccl_hang.missing [0] REDUCE_SCATTER_coalesced #1 on pg 0 (default_pg) "
                        "hung: rank 0 never entered it; rank 1 completed it"),
              "%s", s);
    free(s);
}

/* A 4-rank op mismatch with the odd rank's dump in each position: always rank 3 alone. */
FL_TEST(nccl_hang_e2e, odd_rank_named_in_every_load_order)
{
    char *want = NULL;
    for (int pos = 0; pos < 4; pos++) {
        struct fl_engine *e = new_engine();
        for (int r = 0; r < 4; r++) {
            struct ent x[] = {{"0", 0, "all_reduce", "[[4, 4]]", "[[4, 4]]"},
                              {"0", 1, r == 3 ? "all_gather" : "all_reduce", "[[4, 4]]",
                               r == 3 ? "[[64]]" : "[[4, 4]]"}};
            char *d = dump_json(r, x, N(x));
            /* pg_config says [0, 1]; widen it to the 4 ranks */
            char *p = strstr(d, "[0, 1]");
            cr_assert_not_null(p);
            char *w = malloc(strlen(d) + 16);
            cr_assert_not_null(w);
            snprintf(w, strlen(d) + 16, "%.*s[0, 1, 2, 3]%s", (int)(p - d), d, p + 6);
            char name[32];
            snprintf(name, sizeof name, "%c_rank_%d.json", r == 3 ? 'a' + pos * 2 : 'b' + r * 2, r);
            cr_assert_eq(fl_engine_add_buffer(e, name, w, strlen(w), NULL), 0);
            free(w);
            free(d);
        }
        cr_assert_eq(fl_engine_run(e, NULL), 0);
        char *s = summary(e);
        if (!want) {
            want = s;
            cr_assert(strstr(want, "nccl_hang.mismatch [3] all_reduce #1 on pg 0 (default_pg): "
                                   "rank 3 called all_gather where 3/4 ranks called all_reduce"),
                      "%s", want);
        } else {
            cr_assert_str_eq(s, want);
            free(s);
        }
        fl_engine_free(e);
    }
    free(want);
}

/* ---- over the golden inputs --------------------------------------------------------------- */

#define GOLDEN FL_SOURCE_DIR "/tests/golden/nccl_hang/"

static char *run_paths(const char *const *paths, size_t n, struct fl_engine **keep)
{
    struct fl_engine *e = new_engine();
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(fl_engine_add_path(e, paths[i], NULL), 0, "%s", paths[i]);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    if (keep)
        *keep = e;
    else
        fl_engine_free(e);
    return s;
}

FL_TEST(nccl_hang_golden, pickle_and_json_dumps_give_the_same_verdicts)
{
    const char *p[] = {GOLDEN "encoding-pickle/inputs"}, *j[] = {GOLDEN "encoding-json/inputs"};
    char *a = run_paths(p, 1, NULL), *b = run_paths(j, 1, NULL);
    cr_assert(strstr(a, "nccl_hang.missing [2] broadcast #12"), "%s", a);
    cr_assert(strstr(a, "nccl_hang.blocked [1] "), "%s", a);
    cr_assert_str_eq(a, b, "pickle:\n%s\njson:\n%s", a, b);
    free(a);
    free(b);
    const char *f[] = {GOLDEN "load-order-odd-first/inputs"},
               *l[] = {GOLDEN "load-order-odd-last/inputs"};
    a = run_paths(f, 1, NULL);
    b = run_paths(l, 1, NULL);
    cr_assert(strstr(a, "nccl_hang.mismatch [1] "), "%s", a);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

FL_TEST(nccl_hang_golden, later_completed_record_supersedes)
{
    /* the early dump alone: rank 1 still holds #20, 15 minutes on: a straggler */
    const char *early[] = {GOLDEN "later-completed-supersedes/inputs/nccl_trace_rank_0",
                           GOLDEN "later-completed-supersedes/inputs/nccl_trace_rank_1.pkl",
                           GOLDEN "later-completed-supersedes/inputs/nccl_trace_rank_2",
                           GOLDEN "later-completed-supersedes/inputs/nccl_trace_rank_3"};
    char *s = run_paths(early, 4, NULL);
    cr_assert(strstr(s, "nccl_hang.straggler [1] all_reduce #20 on pg 0 (default_pg) straggled: "
                        "rank 1 still held it 15m"),
              "%s", s);
    free(s);
    /* with the later dump beside it: the completed record wins, healthy */
    const char *all[] = {GOLDEN "later-completed-supersedes/inputs"};
    s = run_paths(all, 1, NULL);
    cr_assert_str_eq(s, "");
    free(s);
}

/* The real 16-rank dumps: exactly the ranks fault_injection.log names, in the pg. */
FL_TEST(nccl_hang_golden, real_dumps_name_exactly_the_injected_ranks)
{
    static const struct {
        const char *dir, *pg;
        int32_t ranks[2];
    } cases[] = {{GOLDEN "nvrx-gpu-error-16-ranks/inputs", "74", {12, 14}},
                 {GOLDEN "nvrx-lock-gil-16-ranks/inputs", "72", {9, 14}}};
    for (size_t c = 0; c < N(cases); c++) {
        struct fl_engine *e;
        free(run_paths(&cases[c].dir, 1, &e));
        size_t n;
        const struct fl_verdict *v = fl_engine_verdicts(e, &n);
        cr_assert_geq(n, 1);
        cr_assert_str_eq(v[0].pattern_id, "nccl_hang.missing");
        cr_assert_eq(v[0].scope.nranks, 2, "%s", v[0].headline);
        cr_assert_eq(v[0].scope.ranks[0], cases[c].ranks[0]);
        cr_assert_eq(v[0].scope.ranks[1], cases[c].ranks[1]);
        cr_assert_str_eq(fl_window_str(fl_engine_window(e), v[0].scope.pg), cases[c].pg);
        for (size_t i = 1; i < n; i++) /* the rest are consequences of it */
            cr_assert(v[i].ncaused_by == 1 && v[i].caused_by[0] == v[0].uid, "%s", v[i].headline);
        fl_engine_free(e);
    }
}

FL_TEST(nccl_hang_golden, out_of_memory_anywhere_is_a_clean_error)
{
    struct fl_engine *e = new_engine();
    cr_assert_eq(fl_engine_add_path(e, GOLDEN "nvrx-lock-gil-16-ranks/inputs", NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    const struct fl_detector *d = &fl_detector_nccl_hang;
    union fl_cfg_value cfg[8];
    cr_assert_leq(d->nparams, 8);
    for (size_t i = 0; i < d->nparams; i++)
        cr_assert_eq(fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]),
                     0);
    size_t full = 0, failures = 0;
    for (size_t cap = 1024; cap < (4u << 20); cap += 1024) {
        struct fl_arena a;
        fl_arena_init(&a, 1024, cap);
        struct fl_verdict_sink sink;
        fl_verdict_sink_init(&sink, &a, w->intern);
        int rc = d->run(w, cfg, &sink);
        cr_assert(rc == 0 || rc == FL_ENOMEM, "cap %zu: rc %d", cap, rc);
        bool ok = rc == 0 && sink.error == 0;
        for (size_t i = 0; ok && i < sink.n; i++)
            cr_assert(sink.v[i].headline[0] && sink.v[i].remediation[0]);
        if (ok)
            cr_assert_eq(sink.n, 2, "cap %zu: %zu verdicts", cap, sink.n);
        fl_verdict_sink_release(&sink);
        fl_arena_release(&a);
        if (ok) {
            full = cap;
            break;
        }
        failures++;
    }
    cr_assert_gt(full, 0, "never completed under 4 MiB");
    cr_assert_gt(failures, 0, "the cap never bit: the test proves nothing");
    fl_engine_free(e);
}

/* Seqs, times, timeouts, sizes and ranks at the ends of their ranges (JSON Lines may carry
 * them): no overflow (UBSan aborts the test on one), no crash, a clean run. */
FL_TEST(nccl_hang_golden, extreme_values_saturate)
{
    static const char text[] =
        "{\"kind\":\"nccl_fr_dump\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_dump\":{\"rank\":0,"
        "\"status\":\"ok\",\"pgs\":[{\"name\":\"0\",\"ranks\":\"[0, 1, 2147483647]\",\"id\":0,"
        "\"last_enqueued\":9223372036854775807,\"last_started\":-1,\"last_completed\":-1},"
        "{\"id\":7,\"last_enqueued\":3,\"last_completed\":3}]}}\n"
        "{\"kind\":\"nccl_fr_dump\",\"ts\":null,\"nccl_fr_dump\":{\"rank\":1,"
        "\"status\":\"unreadable\",\"error\":\"cut short\"}}\n"
        "{\"kind\":\"nccl_fr_dump\",\"ts\":\"1678-01-01T00:00:00Z\",\"nccl_fr_dump\":{"
        "\"rank\":2147483647,\"status\":\"ok\",\"pgs\":[{\"name\":\"0\",\"ranks\":"
        "\"[0, 1, 2147483647]\",\"id\":0,\"last_enqueued\":-1,\"last_completed\":-1}]}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":0,\"pg\":\"0\",\"state\":\"started\",\"collective_seq\":9223372036854775807,"
        "\"op\":\"nccl:all_gather\",\"input_sizes\":\"[[18446744073709551615, 2]]\","
        "\"output_sizes\":\"[[4]]\",\"timeout_ms\":9223372036854775807}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"1678-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":2147483647,\"pg\":\"0\",\"state\":\"started\",\"collective_seq\":1,"
        "\"op\":\"nccl:all_gather\",\"input_sizes\":\"[[2]]\",\"output_sizes\":\"[[6]]\","
        "\"started_at\":\"1678-01-01T00:00:00Z\",\"timeout_ms\":0}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"1678-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":0,\"pg\":\"0\",\"state\":\"completed\",\"collective_seq\":1,"
        "\"op\":\"\",\"input_sizes\":\"[[\",\"output_sizes\":\"]]\"}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":0,\"pg\":\"0\",\"state\":\"started\",\"p2p_seq\":9223372036854775807,"
        "\"is_p2p\":true,\"op\":\"nccl:send 0->2\",\"peer_pg_rank\":2147483647}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":5,\"pg\":\"x\",\"state\":\"started\",\"p2p_seq\":1,\"is_p2p\":true,"
        "\"op\":\"nccl:recv 1<-0\",\"peer\":2147483647}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":6,\"pg\":\"x\",\"state\":\"started\",\"collective_seq\":0,"
        "\"op\":\"nccl:all_to_all\",\"input_sizes\":\"[[18446744073709551615]]\","
        "\"output_sizes\":\"[[18446744073709551615]]\"}}\n"
        "{\"kind\":\"nccl_fr_record\",\"ts\":\"2262-01-01T00:00:00Z\",\"nccl_fr_record\":{"
        "\"rank\":5,\"pg\":\"x\",\"state\":\"started\",\"collective_seq\":0,"
        "\"op\":\"nccl:all_to_all\",\"input_sizes\":\"[[18446744073709551615]]\","
        "\"output_sizes\":\"[[18446744073709551615]]\"}}\n";
    struct fl_engine *e = new_engine();
    cr_assert_eq(fl_engine_add_buffer(e, "w.jsonl", text, strlen(text), NULL), 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    size_t n, ni;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    const struct fl_input *in = fl_engine_inputs(e, &ni);
    cr_assert_eq(in[0].skipped, 0, "every line was read");
    for (size_t i = 0; i < n; i++)
        cr_assert(v[i].headline[0] && v[i].remediation[0]);
    fl_engine_free(e);
}

/* ---- p2p: pairing, stuck, straggler (faultline JSON Lines, one line per event) ----------- */

/* A job of `nranks` ranks in pg "1" (one ok dump each, written `minutes` after 18:30) and the
 * p2p records `recs` (JSON objects without their envelope), each at 18:30:00. */
static char *p2p_run(int nranks, int minutes, const char *const *recs, size_t n)
{
    size_t cap = 4096 + n * 512, len = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    char ranks[128] = "[";
    for (int r = 0; r < nranks; r++)
        snprintf(ranks + strlen(ranks), sizeof ranks - strlen(ranks), "%s%d", r ? ", " : "", r);
    strcat(ranks, "]");
    for (int r = 0; r < nranks; r++)
        len += (size_t)snprintf(s + len, cap - len,
                                "{\"kind\":\"nccl_fr_dump\",\"ts\":\"2025-11-24T%02d:%02d:00Z\","
                                "\"nccl_fr_dump\":{\"rank\":%d,\"status\":\"ok\",\"pgs\":[{\"name\":"
                                "\"1\",\"desc\":\"PIPELINE_MODEL_PARALLEL_GROUP\",\"ranks\":\"%s\"}]}}\n",
                                18 + (30 + minutes) / 60, (30 + minutes) % 60, r, ranks);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "{\"kind\":\"nccl_fr_record\",\"ts\":\"2025-11-24T18:30:00Z\","
                                "\"nccl_fr_record\":{\"pg\":\"1\",\"is_p2p\":true,"
                                "\"timeout_ms\":600000,%s}}\n",
                                recs[i]);
    cr_assert_lt(len, cap);
    struct fl_engine *e = new_engine();
    cr_assert_eq(fl_engine_add_buffer(e, "job.jsonl", s, len, NULL), 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    size_t ni;
    const struct fl_input *in = fl_engine_inputs(e, &ni);
    cr_assert_eq(in[0].skipped, 0, "every line was read");
    char *out = summary(e);
    fl_engine_free(e);
    free(s);
    return out;
}

#define SEND(rank, peer, seq, rid, state)                                                          \
    "\"rank\":" #rank ",\"op\":\"nccl:send " #rank "->" #peer "\",\"p2p_seq\":" #seq               \
    ",\"record_id\":" #rid ",\"state\":\"" state "\""
#define RECV(rank, peer, seq, rid, state)                                                          \
    "\"rank\":" #rank ",\"op\":\"nccl:recv " #rank "<-" #peer "\",\"p2p_seq\":" #seq               \
    ",\"record_id\":" #rid ",\"state\":\"" state "\""

FL_TEST(nccl_hang_p2p, straggler_past_and_under_the_timeout)
{
    /* both dumps hold every p2p op of the pg (seqs from 1): the 2nd send pairs with the 2nd
     * recv, which rank 1 still holds */
    static const char *const r[] = {SEND(0, 1, 1, 0, "completed"), SEND(0, 1, 2, 1, "completed"),
                                    RECV(1, 0, 1, 0, "completed"), RECV(1, 0, 2, 1, "started")};
    char *s = p2p_run(2, 12, r, N(r));
    cr_assert(strstr(s, "nccl_hang.straggler [1] recv p2p #2 on pg 1 "
                        "(PIPELINE_MODEL_PARALLEL_GROUP) straggled: rank 1 still held it 12m "
                        "after it began (timeout 10m) while rank 0 completed the matching send\n"),
              "%s", s);
    cr_assert_eq(strchr(s, '\n') - s + 1, (long)strlen(s), "one verdict: %s", s);
    free(s);
    s = p2p_run(2, 5, r, N(r));
    cr_assert_str_eq(s, "", "5 minutes is under the 10-minute timeout: %s", s);
    free(s);
}

FL_TEST(nccl_hang_p2p, without_a_whole_history_only_pending_halves_pair)
{
    /* the same straggle, but both dumps lost their first ops (seqs from 5): the completed
     * halves cannot be aligned, so the pending recv has no pending send against it and rank 0
     * is reported as never having posted it. The limit of a dump that kept the newest entries
     * only; the docs say so. */
    static const char *const r[] = {SEND(0, 1, 5, 9, "completed"), SEND(0, 1, 6, 10, "completed"),
                                    RECV(1, 0, 5, 9, "completed"), RECV(1, 0, 6, 10, "started")};
    char *s = p2p_run(2, 12, r, N(r));
    cr_assert(strstr(s, "nccl_hang.missing [0] recv p2p #6 on pg 1 "
                        "(PIPELINE_MODEL_PARALLEL_GROUP) hung: rank 0 never posted the matching "
                        "send"),
              "%s", s);
    free(s);
    /* a gap in one rank's seqs is a lost op too */
    static const char *const g[] = {SEND(0, 1, 1, 0, "completed"), SEND(0, 1, 3, 1, "completed"),
                                    RECV(1, 0, 1, 0, "completed"), RECV(1, 0, 2, 1, "started")};
    s = p2p_run(2, 12, g, N(g));
    cr_assert(strstr(s, "nccl_hang.missing [0] "), "%s", s);
    free(s);
}

FL_TEST(nccl_hang_p2p, stuck_pairs_name_no_rank)
{
    /* a 4-stage pipeline: every stage started its send to the next and the next its recv */
    static const char *const r[] = {
        SEND(0, 1, 1, 0, "started"), RECV(1, 0, 1, 0, "started"), SEND(1, 2, 2, 1, "started"),
        RECV(2, 1, 1, 0, "started"), SEND(2, 3, 2, 1, "started"), RECV(3, 2, 1, 0, "started")};
    char *s = p2p_run(4, 12, r, N(r));
    cr_assert(strstr(s, "nccl_hang.stuck [] send p2p #1 on pg 1 (PIPELINE_MODEL_PARALLEL_GROUP) "
                        "stuck: ranks 0-3 entered 3 send/recv pairs and none completed them in "
                        "12m (network or NCCL: Flight Recorder alone cannot name a rank)\n"),
              "%s", s);
    free(s);
    s = p2p_run(4, 9, r, N(r));
    cr_assert_str_eq(s, "", "under the timeout: %s", s);
    free(s);
}

FL_TEST(nccl_hang_p2p, coalesced_batch_takes_its_closing_entry_state)
{
    /* 2.7+: a batch_isend_irecv records each op without events (they stay scheduled), then
     * the closing entry, which the watchdog updates; one p2p seq for the whole batch */
    static const char *const started[] = {
        SEND(0, 1, 1, 0, "scheduled") ",\"coalesced\":\"op\"",
        "\"rank\":0,\"op\":\"nccl:coalesced\",\"p2p_seq\":1,\"record_id\":1,"
        "\"state\":\"started\",\"coalesced\":\"end\"",
        RECV(1, 0, 1, 0, "scheduled") ",\"coalesced\":\"op\"",
        "\"rank\":1,\"op\":\"nccl:coalesced\",\"p2p_seq\":1,\"record_id\":1,"
        "\"state\":\"started\",\"coalesced\":\"end\""};
    char *s = p2p_run(2, 12, started, N(started));
    cr_assert(strstr(s, "nccl_hang.stuck [] send p2p #1 on pg 1 (PIPELINE_MODEL_PARALLEL_GROUP) "
                        "stuck: both ranks entered it (rank 0 the send, rank 1 the recv) and "
                        "neither completed it in 12m"),
              "%s", s);
    free(s);
    static const char *const done[] = {
        SEND(0, 1, 1, 0, "scheduled") ",\"coalesced\":\"op\"",
        "\"rank\":0,\"op\":\"nccl:coalesced\",\"p2p_seq\":1,\"record_id\":1,"
        "\"state\":\"completed\",\"coalesced\":\"end\"",
        RECV(1, 0, 1, 0, "scheduled") ",\"coalesced\":\"op\"",
        "\"rank\":1,\"op\":\"nccl:coalesced\",\"p2p_seq\":1,\"record_id\":1,"
        "\"state\":\"started\",\"coalesced\":\"end\""};
    s = p2p_run(2, 12, done, N(done));
    cr_assert(strstr(s, "nccl_hang.straggler [1] recv p2p #1 "), "%s", s);
    free(s);
}
