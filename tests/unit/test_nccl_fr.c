/* The Flight Recorder reader (src/ingest/nccl_fr.c): every dump version in every encoding
 * (fixtures from tests/fr/gen_fixtures.py), PyTorch 2.9's real 16-rank dumps read completely,
 * cut and refused dumps, ranks from names and content, sniffing that steals nothing, the round
 * trip through faultline.events/v1, every truncation length and an allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/jsonw.h"
#include "ingest/nccl_fr.h"
#include "verdict/report.h"

#define GOLDEN "tests/golden/ingest_nccl_fr/"
#define REAL_GPU GOLDEN "nvrx-gpu-error-16-ranks/inputs"
#define REAL_GIL GOLDEN "nvrx-lock-gil-16-ranks/inputs"

static char *read_file(const char *rel, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FL_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = len > 0 ? fread(buf, 1, (size_t)len, f) : 0;
    fclose(f);
    return buf;
}

/* Ingest one buffer under a display name (the rank comes from it). */
static struct fl_engine *ingest_buf(const char *name, const char *buf, size_t n, const char *format)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, name, buf, n, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static struct fl_engine *ingest_file(const char *rel, const char *name)
{
    size_t n;
    char *buf = read_file(rel, &n);
    struct fl_engine *e = ingest_buf(name, buf, n, NULL);
    free(buf);
    return e;
}

static struct fl_engine *ingest_dir(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FL_SOURCE_DIR, rel);
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_eq(fl_engine_add_path(e, path, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static uint64_t skips(struct fl_engine *e, const char **first)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    if (first)
        *first = n ? s[0].reason : NULL;
    return total;
}

static bool any_skip_has(struct fl_engine *e, const char *part)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    for (size_t i = 0; i < n; i++)
        if (strstr(s[i].reason, part))
            return true;
    return false;
}

static const char *str(struct fl_engine *e, uint32_t id)
{
    return fl_window_str(fl_engine_window(e), id);
}

static struct fl_evlist kind(struct fl_engine *e, enum fl_event_kind k)
{
    return fl_window_kind(fl_engine_window(e), k);
}

static const struct fl_ev_nccl_fr_dump *the_dump(struct fl_engine *e)
{
    struct fl_evlist l = kind(e, FL_EV_NCCL_FR_DUMP);
    cr_assert_eq(l.n, 1, "%zu dump events", l.n);
    return &l.v[0]->u.fr_dump;
}

/* The i-th record (in time order) whose op is name. */
static const struct fl_event *rec(struct fl_engine *e, const char *op, int nth)
{
    struct fl_evlist l = kind(e, FL_EV_NCCL_FR_RECORD);
    for (size_t i = 0; i < l.n; i++)
        if (fl_str_eq_cstr(l.v[i]->u.fr.op, op) && nth-- == 0)
            return l.v[i];
    cr_assert_fail("no record '%s'", op);
    return NULL;
}

static const struct fl_fr_pg *pg_named(struct fl_engine *e, const struct fl_ev_nccl_fr_dump *d,
                                       const char *name)
{
    for (uint32_t i = 0; i < d->npgs; i++)
        if (strcmp(str(e, d->pgs[i].name), name) == 0)
            return &d->pgs[i];
    return NULL;
}

static bool ver_ge(const char *v, int major, int minor)
{
    if (strcmp(v, "bare") == 0)
        return major == 0 && minor == 0;
    int a = atoi(v), b = atoi(strchr(v, '.') + 1);
    return a > major || (a == major && b >= minor);
}

/* ---- every version, every encoding ------------------------------------------------------ */

static const char *const versions[] = {"bare", "1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3",
                                       "2.4",  "2.5", "2.6", "2.7", "2.8", "2.9", "2.10"};

static void check_version(const char *v, const char *enc)
{
    char rel[256], name[64];
    bool json = strcmp(enc, "json") == 0;
    snprintf(name, sizeof name, "nccl_trace_rank_3%s", json ? ".json" : "");
    snprintf(rel, sizeof rel, "tests/fr/fixtures/%s/%s/%s", v, enc, name);
    struct fl_engine *e = ingest_file(rel, name);
    const char *why = NULL;
    cr_assert_eq(skips(e, &why), 0, "%s/%s: skipped: %s", v, enc, why);
    size_t ninputs;
    const struct fl_input *in = fl_engine_inputs(e, &ninputs);
    cr_assert_str_eq(in[0].format, "nccl-flight-recorder", "%s/%s", v, enc);
    bool v27 = ver_ge(v, 2, 7);
    cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, v27 ? 7 : 5, "%s/%s", v, enc);

    const struct fl_ev_nccl_fr_dump *d = the_dump(e);
    cr_assert_eq(d->status, FL_FR_DUMP_OK);
    cr_assert_eq(d->encoding, json ? FL_FR_JSON : FL_FR_PICKLE);
    cr_assert(d->known & FL_FR_DUMP_HAS_RANK);
    cr_assert_eq(d->rank, 3);
    cr_assert(fl_str_eq_cstr(d->version, strcmp(v, "bare") ? v : ""), "%s: version '%.*s'", v,
              FL_STR_FMT(d->version));
    cr_assert_eq(d->nentries, v27 ? 7 : 5);
    cr_assert_str_eq(str(e, d->backend), "nccl");
    const char *clv = ver_ge(v, 2, 10) ? "2.27.3" : ver_ge(v, 2, 6) ? "2.21.5" : "";
    cr_assert(fl_str_eq_cstr(d->comm_lib_version, clv), "%s/%s: comm_lib_version", v, enc);
    const struct fl_fr_pg *pg0 = d->npgs ? pg_named(e, d, "0") : NULL;
    if (ver_ge(v, 1, 2)) {
        cr_assert_not_null(pg0);
        cr_assert_str_eq(str(e, pg0->desc), "default_pg");
        cr_assert_str_eq(str(e, pg0->ranks), "[0, 1, 2, 3]");
        cr_assert_eq(pg0->size, 4);
        const struct fl_fr_pg *pg1 = pg_named(e, d, "1");
        cr_assert_eq(pg1->size, 2);
        cr_assert_eq(pg1->id, 1);
    }
    if (ver_ge(v, 2, 2)) {
        cr_assert_eq(pg0->id, 0);
        cr_assert_eq(pg0->last_enqueued, 4);
        cr_assert_eq(pg0->last_started, 3);
        cr_assert_eq(pg0->last_completed, 2);
    } else if (pg0) {
        cr_assert_eq(pg0->last_enqueued, FL_FR_NO_SEQ);
    }

    /* the completed all_reduce */
    const struct fl_event *ar = rec(e, "nccl:all_reduce", 0);
    const struct fl_ev_nccl_fr *r = &ar->u.fr;
    cr_assert_eq(ar->clock, FL_CLOCK_WALL);
    cr_assert_eq(ar->ts, 1764009006150000000LL);
    cr_assert_eq(ar->src.offset > 0, true);
    cr_assert_eq(r->rank, 3);
    cr_assert_str_eq(str(e, r->pg), "0");
    cr_assert(fl_str_eq_cstr(r->pg_desc, ver_ge(v, 1, 1) ? "default_pg" : ""));
    cr_assert_eq(r->collective_seq, 1);
    cr_assert_eq(r->record_id, 200);
    cr_assert_eq(r->state, FL_FR_COMPLETED);
    cr_assert_eq(r->started_ns, 1764009006151000000LL);
    cr_assert_eq(r->completed_ns, 1764009006159000000LL);
    cr_assert(r->retired);
    cr_assert(r->duration_ms == 8.0);
    cr_assert_str_eq(str(e, r->backend), "nccl");
    cr_assert_str_eq(str(e, r->input_sizes), "[[1048576]]");
    cr_assert_str_eq(str(e, r->output_sizes), "[[1048576]]");
    cr_assert_str_eq(str(e, r->input_dtypes), ver_ge(v, 2, 1) ? "BFloat16" : "");
    cr_assert_eq(r->timeout_ms, ver_ge(v, 2, 3) ? 600000 : -1);
    cr_assert(r->known & FL_FR_HAS_PG_ID);
    cr_assert_eq(r->pg_id, 0);
    cr_assert_eq(r->op_id, ver_ge(v, 2, 0) ? 1 : -1);
    cr_assert_eq(r->p2p_seq, ver_ge(v, 2, 0) ? 0 : -1);
    cr_assert_str_eq(str(e, r->thread_name), ver_ge(v, 2, 8) ? "pt_main_thread" : "");
    cr_assert_eq(r->thread_id, ver_ge(v, 2, 8) ? 140106313836352LL : 0);
    bool frames = !json && !(strcmp(enc, "cpp") == 0 && ver_ge(v, 2, 8));
    cr_assert_str_eq(str(e, r->frames),
                     frames ? "all_reduce (torch/distributed/distributed_c10d.py:2501)\n"
                              "train_step (/workspace/train.py:212)"
                            : "");

    /* the p2p send: peer 0 within pg "1" [1, 3] is global rank 1 */
    const struct fl_ev_nccl_fr *s = &rec(e, "nccl:send 1->0", 0)->u.fr;
    cr_assert(s->is_p2p, "%s: is_p2p (derived before 2.4)", v);
    cr_assert_str_eq(str(e, s->pg), "1");
    cr_assert(s->known & FL_FR_HAS_PEER_PG_RANK);
    cr_assert_eq(s->peer_pg_rank, 0);
    if (ver_ge(v, 1, 2)) {
        cr_assert(s->known & FL_FR_HAS_PEER);
        cr_assert_eq(s->peer, 1);
    } else {
        cr_assert(!(s->known & FL_FR_HAS_PEER));
    }
    cr_assert_eq(ver_ge(v, 2, 0) ? s->p2p_seq : s->collective_seq, 1);
    cr_assert_str_eq(str(e, s->input_sizes), "[[4096, 1, 5120]]");

    /* coalescing: 2.7+ has the ops and the closing entry, older dumps one entry */
    if (v27) {
        cr_assert_eq(rec(e, "nccl:all_gather", 0)->u.fr.coalesced, FL_FR_COALESCED_OP);
        cr_assert_eq(rec(e, "nccl:all_gather", 1)->u.fr.coalesced, FL_FR_COALESCED_OP);
        const struct fl_ev_nccl_fr *c = &rec(e, "nccl:coalesced", 0)->u.fr;
        cr_assert_eq(c->coalesced, FL_FR_COALESCED_END);
        cr_assert_str_eq(str(e, c->input_sizes), "[]");
    } else {
        const struct fl_ev_nccl_fr *c = &rec(e, "nccl:allreduce_coalesced", 0)->u.fr;
        cr_assert_eq(c->coalesced, FL_FR_COALESCED_END);
        cr_assert_str_eq(str(e, c->input_sizes), "[[8], [8]]");
        if (ver_ge(v, 2, 1))
            cr_assert_str_eq(str(e, c->input_dtypes), "Float, Float");
    }
    /* still running / never started: no discovered times (None in pickles, 0 in JSON) */
    const struct fl_ev_nccl_fr *st = &rec(e, "nccl:all_reduce", 1)->u.fr;
    cr_assert_eq(st->state, FL_FR_STARTED);
    cr_assert(st->started_ns > 0 && st->completed_ns == 0);
    cr_assert(isnan(st->duration_ms));
    cr_assert(!st->retired);
    const struct fl_ev_nccl_fr *sc = &rec(e, "nccl:broadcast", 0)->u.fr;
    cr_assert_eq(sc->state, FL_FR_SCHEDULED);
    cr_assert(sc->started_ns == 0 && sc->completed_ns == 0);
    cr_assert_eq(sc->coalesced, FL_FR_NOT_COALESCED);
    fl_engine_free(e);
}

FL_TEST(nccl_fr, valid_every_version_cpp_pickle)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        check_version(versions[i], "cpp");
}

FL_TEST(nccl_fr, valid_every_version_python_pickle)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        check_version(versions[i], "py");
}

FL_TEST(nccl_fr, valid_every_version_json_api)
{
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++)
        if (ver_ge(versions[i], 2, 0))
            check_version(versions[i], "json");
}

FL_TEST(nccl_fr, valid_python_protocols_and_long_memo)
{
    for (int p = 2; p <= 5; p++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/fr/fixtures/protocols/p%d/nccl_trace_rank_3", p);
        struct fl_engine *e = ingest_file(rel, "nccl_trace_rank_3");
        cr_assert_eq(skips(e, NULL), 0);
        cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 5);
        fl_engine_free(e);
    }
    struct fl_engine *e =
        ingest_file("tests/fr/fixtures/memo-long/cpp/nccl_trace_rank_3", "nccl_trace_rank_3");
    cr_assert_eq(skips(e, NULL), 0);
    struct fl_evlist l = kind(e, FL_EV_NCCL_FR_RECORD);
    cr_assert_eq(l.n, 280);
    cr_assert_str_eq(str(e, l.v[279]->u.fr.thread_name), "w260");
    cr_assert_str_eq(str(e, l.v[269]->u.fr.thread_name), "w269");
    cr_assert_eq(pg_named(e, the_dump(e), "0")->last_enqueued, 289);
    fl_engine_free(e);
}

/* ---- real dumps --------------------------------------------------------------------------- */

static void check_real(const char *dir, size_t want_records)
{
    struct fl_engine *e = ingest_dir(dir);
    const char *why = NULL;
    cr_assert_eq(skips(e, &why), 0, "%s: %s", dir, why);
    size_t ninputs;
    const struct fl_input *in = fl_engine_inputs(e, &ninputs);
    cr_assert_eq(ninputs, 16);
    for (size_t i = 0; i < ninputs; i++) {
        cr_assert_str_eq(in[i].format, "nccl-flight-recorder", "%s", in[i].path);
        cr_assert_eq(in[i].error, 0);
    }
    struct fl_evlist dumps = kind(e, FL_EV_NCCL_FR_DUMP);
    cr_assert_eq(dumps.n, 16);
    bool seen[16] = {false};
    size_t entries = 0;
    for (size_t i = 0; i < dumps.n; i++) {
        const struct fl_ev_nccl_fr_dump *d = &dumps.v[i]->u.fr_dump;
        cr_assert_eq(d->status, FL_FR_DUMP_OK);
        cr_assert(fl_str_eq_cstr(d->version, "2.9"));
        cr_assert(fl_str_eq_cstr(d->comm_lib_version, "2.27.3"));
        cr_assert(d->rank >= 0 && d->rank < 16 && !seen[d->rank]);
        seen[d->rank] = true;
        entries += d->nentries;
        cr_assert(d->npgs >= 13, "rank %d: %u pgs", d->rank, d->npgs);
        cr_assert_str_eq(str(e, pg_named(e, d, "0")->desc), "default_pg");
        cr_assert_eq(pg_named(e, d, "0")->size, 16);
    }
    struct fl_evlist recs = kind(e, FL_EV_NCCL_FR_RECORD);
    cr_assert_eq(recs.n, entries);
    cr_assert_eq(recs.n, want_records);
    for (size_t i = 0; i < recs.n; i++) {
        const struct fl_ev_nccl_fr *r = &recs.v[i]->u.fr;
        cr_assert(r->pg && r->op.len && r->collective_seq >= 0 && r->thread_name);
        cr_assert_eq(recs.v[i]->clock, FL_CLOCK_WALL);
        if (r->known & FL_FR_HAS_PEER_PG_RANK)
            cr_assert(r->known & FL_FR_HAS_PEER, "peer unresolved for %.*s", FL_STR_FMT(r->op));
    }
    fl_engine_free(e);
}

FL_TEST(nccl_fr, real_16_rank_dumps_read_completely)
{
    check_real(REAL_GPU, 289);
    check_real(REAL_GIL, 142);
}

FL_TEST(nccl_fr, real_dump_details)
{
    struct fl_engine *e = ingest_file(REAL_GPU "/_dump_0", "_dump_0");
    const struct fl_ev_nccl_fr *s = &rec(e, "nccl:send 0->3", 0)->u.fr;
    cr_assert_str_eq(str(e, s->pg), "43");
    cr_assert_eq(s->peer, 12); /* pg 43 is [0, 4, 8, 12]: its rank 3 is global 12 */
    cr_assert_eq(s->p2p_seq, 11981);
    cr_assert_eq(s->pg_id, 6);
    cr_assert_eq(s->state, FL_FR_SCHEDULED);
    cr_assert_str_eq(str(e, s->thread_name), "python3");
    cr_assert_eq(s->thread_id, 23456244340032LL);
    const struct fl_ev_nccl_fr_dump *d = the_dump(e);
    const struct fl_fr_pg *g = pg_named(e, d, "35");
    cr_assert_eq(g->id, 5);
    cr_assert_eq(g->last_enqueued, 39416);
    cr_assert_eq(g->last_started, -1);
    cr_assert_eq(g->last_completed, 39406);
    cr_assert_str_eq(str(e, g->desc), "TENSOR_MODEL_PARALLEL_GROUP");
    fl_engine_free(e);
}

/* ---- invalid ------------------------------------------------------------------------------ */

FL_TEST(nccl_fr, cut_dump_is_recorded_unreadable)
{
    struct fl_engine *e =
        ingest_file("tests/fr/fixtures/cut/cpp/nccl_trace_rank_2", "nccl_trace_rank_2");
    const char *why = NULL;
    cr_assert_eq(skips(e, &why), 1);
    cr_assert(strstr(why, "flight recorder dump unreadable: cut short"), "%s", why);
    cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 0);
    const struct fl_ev_nccl_fr_dump *d = the_dump(e);
    cr_assert_eq(d->status, FL_FR_DUMP_UNREADABLE);
    cr_assert_eq(d->rank, 2);
    cr_assert(d->error.len && strstr(d->error.ptr, "cut short"));
    fl_engine_free(e);
    /* an empty file with a dump's name */
    e = ingest_buf("/x/nccl_trace_rank_4", "", 0, NULL);
    d = the_dump(e);
    cr_assert_eq(d->status, FL_FR_DUMP_UNREADABLE);
    cr_assert_eq(d->rank, 4);
    cr_assert(fl_str_eq_cstr(d->error, "empty file"));
    fl_engine_free(e);
}

struct bad_dump {
    const char *name;
    const char *bytes;
    size_t n;
    uint8_t status; /* 255: no dump event expected */
    const char *why;
};
#define BD(name, lit, st, why)                                                                     \
    {                                                                                              \
        name, lit, sizeof(lit) - 1, st, why                                                        \
    }

FL_TEST(nccl_fr, invalid_dumps_give_a_clear_reason)
{
    static const struct bad_dump cases[] = {
        BD("nccl_trace_rank_1",
           "\x80\x02}(X\x07\x00\x00\x00versionq\x00X\x03\x00\x00\x00"
           "2.9"
           "cos\nsystem\n(S'echo pwned'\ntR.",
           FL_FR_DUMP_UNREADABLE, "refused opcode GLOBAL"),
        BD("nccl_trace_rank_1",
           "\x80\x02}(X\x07\x00\x00\x00versionX\x03\x00\x00\x00"
           "3.0"
           "X\x07\x00\x00\x00"
           "entries](eu.",
           FL_FR_DUMP_UNSUPPORTED, "this reader knows 1.0 to 2.10"),
        BD("nccl_trace_rank_1", "\x80\x02}(X\x07\x00\x00\x00versionK\x05u.", FL_FR_DUMP_UNREADABLE,
           "\"version\" is an int, not a string"),
        BD("nccl_trace_rank_1", "\x80\x02}(X\x07\x00\x00\x00versionX\x01\x00\x00\x00xu.",
           FL_FR_DUMP_UNSUPPORTED, "not major.minor"),
        BD("nccl_trace_rank_1",
           "\x80\x02}(X\x07\x00\x00\x00versionX\x03\x00\x00\x00"
           "2.9"
           "X\x07\x00\x00\x00"
           "entriesK\x01u.",
           FL_FR_DUMP_UNREADABLE, "\"entries\" is an int, not a list"),
        BD("nccl_trace_rank_1", "{\"version\":\"2.4\",\"pg_config\":{},\"entries\":[",
           FL_FR_DUMP_UNREADABLE, "JSON ends at byte"),
        BD("nccl_trace_rank_1", "{\"version\":\"2.4\",\"pg_config\":{},\"entries\":[}",
           FL_FR_DUMP_UNREADABLE, "invalid JSON"),
        /* a pickle that is no dump and has no dump's name: skipped, not recorded */
        BD("weights.pkl",
           "\x80\x02}(X\x01\x00\x00\x00"
           "aK\x01u.",
           255, "not a flight recorder dump"),
        BD("weights.pkl", "\x80\x02K\x01.", 255, "it holds an int"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fl_engine *e =
            ingest_buf(cases[i].name, cases[i].bytes, cases[i].n, "nccl-flight-recorder");
        const char *why = NULL;
        cr_assert_eq(skips(e, &why), 1, "case %zu", i);
        cr_assert(strstr(why, cases[i].why), "case %zu: '%s' lacks '%s'", i, why, cases[i].why);
        struct fl_evlist l = kind(e, FL_EV_NCCL_FR_DUMP);
        if (cases[i].status == 255) {
            cr_assert_eq(l.n, 0, "case %zu", i);
        } else {
            cr_assert_eq(l.n, 1, "case %zu", i);
            cr_assert_eq(l.v[0]->u.fr_dump.status, cases[i].status, "case %zu", i);
            cr_assert_eq(l.v[0]->u.fr_dump.rank, 1, "case %zu", i);
        }
        cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 0, "case %zu", i);
        fl_engine_free(e);
    }
}

FL_TEST(nccl_fr, bad_entries_are_skipped_with_the_field)
{
    static const char js[] =
        "{\"version\":\"2.4\",\"pg_config\":{\"0\":{\"name\":\"0\",\"desc\":\"d\",\"ranks\":\"[0, "
        "1]\"}},"
        "\"entries\":["
        "{\"record_id\":1,\"pg_id\":0,\"process_group\":[\"0\",\"d\"],\"collective_seq_id\":1,"
        "\"profiling_name\":\"nccl:all_reduce\",\"state\":\"completed\",\"time_created_ns\":5},"
        "{\"record_id\":2,\"pg_id\":0,\"process_group\":[\"0\",\"d\"],\"state\":5},"
        "{\"record_id\":3,\"pg_id\":0,\"process_group\":[\"0\",\"d\"],\"input_sizes\":\"x\"},"
        "{\"record_id\":4,\"pg_id\":0,\"process_group\":[\"0\",\"d\"],\"collective_seq_id\":-3},"
        "{\"record_id\":5},"
        "[1,2],"
        "{\"record_id\":7,\"pg_id\":0,\"process_group\":[\"0\",\"d\"],\"state\":\"timed_out\"}]}";
    struct fl_engine *e = ingest_buf("nccl_trace_rank_1.json", js, sizeof js - 1, NULL);
    cr_assert_eq(skips(e, NULL), 5);
    cr_assert(any_skip_has(e, "entry 1 (record_id 2): \"state\" is an int, not a string"));
    cr_assert(any_skip_has(e, "entry 2 (record_id 3): \"input_sizes\" is a string"));
    cr_assert(any_skip_has(e, "entry 3 (record_id 4): \"collective_seq_id\" is -3"));
    cr_assert(any_skip_has(e, "entry 4 (record_id 5): no \"process_group\" and no \"pg_id\""));
    cr_assert(any_skip_has(e, "entry 5: \"entry\" is a list, not a dict"));
    struct fl_evlist l = kind(e, FL_EV_NCCL_FR_RECORD);
    cr_assert_eq(l.n, 2);
    /* an unknown state string is kept as unknown, not dropped */
    cr_assert_eq(rec(e, "", 0)->u.fr.state, FL_FR_STATE_UNKNOWN);
    cr_assert_eq(the_dump(e)->nentries, 7);
    fl_engine_free(e);
}

/* ---- ranks ----------------------------------------------------------------------------------- */

FL_TEST(nccl_fr, rank_from_name_and_content)
{
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("/d/nccl_trace_rank_5")), 5);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("comm_lib_trace_rank_12")), 12);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("x/_dump_15")), 15);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("rank_3.json")), 3);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("nccl_trace_rank_node02_7")), 7);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("dump")), -1);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("node7/dump.json")), -1);
    cr_assert_eq(fl_fr_rank_from_path(FL_STR_LIT("rank_12345678901")), -1);

    /* no digits in the name: the groups' only common member (real rank 5) */
    struct fl_engine *e = ingest_file(REAL_GPU "/_dump_5", "dump");
    cr_assert_eq(skips(e, NULL), 0);
    cr_assert_eq(the_dump(e)->rank, 5);
    cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).v[0]->u.fr.rank, 5);
    fl_engine_free(e);
    /* the name disagrees with the groups: reported, the groups' rank used */
    e = ingest_file(REAL_GPU "/_dump_5", "_dump_7");
    const char *why = NULL;
    cr_assert_eq(skips(e, &why), 1);
    cr_assert(strstr(why, "rank 7 from the file name is not a member"), "%s", why);
    cr_assert_eq(the_dump(e)->rank, 5);
    fl_engine_free(e);
    /* neither: records are not attributed (and say so), the dump is still listed */
    e = ingest_file("tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3", "dump");
    cr_assert(any_skip_has(e, "no rank for this dump"));
    cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 0);
    cr_assert(!(the_dump(e)->known & FL_FR_DUMP_HAS_RANK));
    fl_engine_free(e);
}

FL_TEST(nccl_fr, helpers)
{
    int32_t r[8];
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0, 1, 2]"), r, 8), 3);
    cr_assert_eq(r[2], 2);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[4,5]"), r, 8), 2);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[]"), r, 8), 0);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0, 1, 2]"), NULL, 0), 3);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0, 1, 2]"), r, 2), -1);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0, -1]"), r, 8), -1);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0, 1"), r, 8), -1);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[0,,1]"), r, 8), -1);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT("[99999999999]"), r, 8), -1);
    cr_assert_eq(fl_fr_ranks_parse(FL_STR_LIT(""), r, 8), -1);
    struct fl_fr_opname o;
    fl_fr_opname_parse(FL_STR_LIT("nccl:recv 3<-0"), &o);
    cr_assert(o.recv && o.self_pg_rank == 3 && o.peer_pg_rank == 0);
    cr_assert(fl_str_eq_cstr(o.backend, "nccl") && fl_str_eq_cstr(o.op, "recv"));
    fl_fr_opname_parse(FL_STR_LIT("ncclx:send 2->11"), &o);
    cr_assert(o.send && o.peer_pg_rank == 11 && fl_str_eq_cstr(o.backend, "ncclx"));
    fl_fr_opname_parse(FL_STR_LIT("xccl:ALLGATHER_coalesced"), &o);
    cr_assert(o.coalesced && !o.send && o.peer_pg_rank == -1);
    fl_fr_opname_parse(FL_STR_LIT("gloo:send 0-3"), &o);
    cr_assert(!o.send && o.peer_pg_rank == -1);
    fl_fr_opname_parse(FL_STR_LIT("broadcast"), &o);
    cr_assert(o.backend.len == 0 && fl_str_eq_cstr(o.op, "broadcast"));
}

/* ---- sniffing ----------------------------------------------------------------------------------
 */

static const struct fl_parser *mine(void)
{
    return fl_parser_find(FL_STR_LIT("nccl-flight-recorder"));
}

static void walk(const char *dir, void (*fn)(const char *path))
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            walk(p, fn);
        else if (S_ISREG(st.st_mode))
            fn(p);
    }
    closedir(d);
}

/* A dump another detector's golden case reads (nccl_hang...): the reader takes it for a dump
 * (read, or cut) and it holds keys only a dump holds. */
static bool a_dump(const char *path)
{
    size_t n;
    char *buf = read_file(path + strlen(FL_SOURCE_DIR) + 1, &n);
    struct fl_engine *e = ingest_buf(path, buf, n, "nccl-flight-recorder");
    struct fl_evlist d = kind(e, FL_EV_NCCL_FR_DUMP);
    bool keys =
        fl_memmem(buf, buf + n, "profiling_name", 14) || fl_memmem(buf, buf + n, "pg_config", 9);
    bool dump = d.n == 1 && (d.v[0]->u.fr_dump.status == FL_FR_DUMP_OK || keys);
    fl_engine_free(e);
    free(buf);
    return dump;
}

static void not_mine(const char *path)
{
    if (strstr(path, "ingest_nccl_fr") || strstr(path, "/fuzz/corpus/nccl_fr") ||
        strstr(path, "/fuzz/corpus/pickle") || strstr(path, "/fuzz/regress/") ||
        strstr(path, "/tests/fr/"))
        return;
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int s = mine()->sniff(buf, n, fl_str_from_cstr(path));
    if (s && strstr(path, "/tests/golden/") && a_dump(path))
        return;
    cr_assert_eq(s, 0, "sniffed another format's file %s (%d)", path, s);
}

static void is_mine(const char *path)
{
    if (!strstr(path, "/inputs/") && !strstr(path, "/fixtures/"))
        return;
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    const struct fl_parser *p = fl_parser_sniff(buf, n, fl_str_from_cstr(path));
    cr_assert(p == mine(), "%s sniffed as %s", path, p ? p->name : "nothing");
}

FL_TEST(nccl_fr, sniff_claims_dumps_and_steals_nothing)
{
    char d[1024];
    snprintf(d, sizeof d, "%s/tests/fr/fixtures", FL_SOURCE_DIR);
    walk(d, is_mine);
    snprintf(d, sizeof d, "%s/" GOLDEN, FL_SOURCE_DIR);
    walk(d, is_mine);
    snprintf(d, sizeof d, "%s/tests/golden", FL_SOURCE_DIR);
    walk(d, not_mine);
    snprintf(d, sizeof d, "%s/tests/fuzz/corpus", FL_SOURCE_DIR);
    walk(d, not_mine);
    snprintf(d, sizeof d, "%s/examples", FL_SOURCE_DIR);
    walk(d, not_mine);
    /* faultline's own JSON Lines of these events mention dump words: they stay JSONL */
    const char *ev = "{\"kind\":\"nccl_fr_dump\",\"ts\":null,\"nccl_fr_dump\":{\"status\":\"ok\","
                     "\"comm_lib_version\":\"2.27.3\",\"pgs\":[{\"name\":\"0\"}]}}\n";
    cr_assert_eq(mine()->sniff(ev, strlen(ev), FL_STR_LIT("x.jsonl")), 0);
    /* a cut pickle of one byte, or empty, is claimed by a dump's name only */
    cr_assert_gt(mine()->sniff("\x80", 1, FL_STR_LIT("_dump_3")), 0);
    cr_assert_gt(mine()->sniff("", 0, FL_STR_LIT("nccl_trace_rank_3")), 0);
    cr_assert_eq(mine()->sniff("", 0, FL_STR_LIT("notes.txt")), 0);
    cr_assert_eq(mine()->sniff("{\"a\":1}", 7, FL_STR_LIT("config.json")), 0);
}

/* ---- every reading path gives the same records ------------------------------------------ *
 *
 * The reader decodes an entry straight from the pickle's bytes (the C++ pickler's form), from
 * the unpickler's stack (a dict in another form), from the value tree (when a dump reuses a
 * dict it has read, the load starts again without streaming), from JSON tokens (the JSON API's
 * form) or from JSON values (escapes): one dump written in ways that take each path gives the
 * same records. */

struct pw {
    char b[16384];
    size_t n;
    const char *s[64]; /* strings stored in the memo, by id */
    int ns;
};

static void pw_put(struct pw *w, const void *p, size_t n)
{
    cr_assert_lt(w->n + n, sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void pw_op(struct pw *w, unsigned char op)
{
    pw_put(w, &op, 1);
}

/* A string as the C++ pickler writes it: stored once, then BINGET. */
static void pw_str(struct pw *w, const char *s)
{
    for (int i = 0; i < w->ns; i++)
        if (strcmp(w->s[i], s) == 0) {
            unsigned char g[2] = {'h', (unsigned char)i};
            pw_put(w, g, 2);
            return;
        }
    cr_assert_lt(w->ns, 64);
    uint32_t n = (uint32_t)strlen(s);
    unsigned char x[5] = {'X', (unsigned char)n, (unsigned char)(n >> 8), 0, 0};
    pw_put(w, x, 5);
    pw_put(w, s, n);
    unsigned char q[2] = {'q', (unsigned char)w->ns};
    pw_put(w, q, 2);
    w->s[w->ns++] = s;
}

static void pw_int(struct pw *w, int64_t v)
{
    unsigned char t[10];
    if (v >= 0 && v <= 255) {
        t[0] = 'K', t[1] = (unsigned char)v;
        pw_put(w, t, 2);
    } else if (v >= 0 && v <= 65535) {
        t[0] = 'M', t[1] = (unsigned char)v, t[2] = (unsigned char)(v >> 8);
        pw_put(w, t, 3);
    } else {
        t[0] = 0x8a, t[1] = 8;
        for (int i = 0; i < 8; i++)
            t[2 + i] = (unsigned char)((uint64_t)v >> (8 * i));
        pw_put(w, t, 10);
    }
}

#define PW_T0 1764009006150000000LL
static const char *const pw_ops[4] = {"nccl:all_reduce", "nccl:send 0->1", "nccl:all_gather",
                                      "nccl:coalesced"};

enum { PW_PLAIN, PW_EXTRA, PW_MEMO };

/* Entry i of a small 2.10 dump, C++ keys order; PW_EXTRA adds a key with a list (the byte
 * reader leaves it to the unpickler), PW_MEMO memoizes the dict (the load starts again). */
static void pw_entry(struct pw *w, int i, int variant)
{
    pw_put(w, "}(", 2);
    pw_str(w, "record_id"), pw_int(w, 10 + i);
    pw_str(w, "pg_id"), pw_int(w, 0);
    pw_str(w, "process_group"), pw_str(w, "0"), pw_str(w, "default_pg"), pw_op(w, 0x86);
    pw_str(w, "thread_name"), pw_str(w, "pt_main_thread");
    pw_str(w, "thread_id"), pw_str(w, "140106313836352");
    pw_str(w, "collective_seq_id"), pw_int(w, i == 3 ? 7 : 5 + i);
    pw_str(w, "p2p_seq_id"), pw_int(w, 0);
    pw_str(w, "op_id"), pw_int(w, 5 + i);
    pw_str(w, "profiling_name"), pw_str(w, pw_ops[i]);
    pw_str(w, "time_created_ns"), pw_int(w, PW_T0 + i * 1000);
    if (i % 2 == 0) /* 1.5 */
        pw_str(w, "duration_ms"), pw_put(w, "G\x3f\xf8\x00\x00\x00\x00\x00\x00", 9);
    pw_str(w, "input_sizes"), pw_put(w, "](](", 4), pw_int(w, 4), pw_int(w, 5 + i);
    pw_put(w, "ee", 2);
    pw_str(w, "input_dtypes"), pw_put(w, "](", 2), pw_str(w, "Float");
    if (i == 1)
        pw_str(w, "BFloat16");
    pw_op(w, 'e');
    pw_str(w, "output_sizes"), pw_put(w, "](e", 3);
    pw_str(w, "output_dtypes"), pw_put(w, "](e", 3);
    pw_str(w, "state"), pw_str(w, i == 3 ? "started" : "completed");
    pw_str(w, "time_discovered_started_ns"), pw_int(w, PW_T0 + i * 1000 + 10);
    pw_str(w, "time_discovered_completed_ns");
    if (i == 3)
        pw_op(w, 'N');
    else
        pw_int(w, PW_T0 + i * 1000 + 20);
    pw_str(w, "retired"), pw_op(w, i == 3 ? 0x89 : 0x88);
    pw_str(w, "timeout_ms"), pw_int(w, 600000);
    pw_str(w, "is_p2p"), pw_op(w, i == 1 ? 0x88 : 0x89);
    if (variant == PW_EXTRA)
        pw_str(w, "x_extra"), pw_put(w,
                                     "](K\x01"
                                     "e",
                                     5);
    pw_op(w, 'u');
    if (variant == PW_MEMO)
        pw_put(w, "q\x3f", 2);
}

static size_t pw_dump(struct pw *w, int variant)
{
    memset(w, 0, sizeof *w);
    pw_put(w, "\x80\x02}(", 4);
    pw_str(w, "version"), pw_str(w, "2.10");
    pw_str(w, "pg_config"), pw_put(w, "}(", 2), pw_str(w, "0"), pw_put(w, "}(", 2);
    pw_str(w, "name"), pw_str(w, "0"), pw_str(w, "desc"), pw_str(w, "default_pg");
    pw_str(w, "ranks"), pw_str(w, "[0, 1]"), pw_put(w, "uu", 2);
    pw_str(w, "entries"), pw_put(w, "](", 2);
    for (int i = 0; i < 4; i++)
        pw_entry(w, i, variant);
    pw_put(w, "eu.", 3);
    return w->n;
}

/* The same dump as _dump_nccl_trace_json writes it; esc spells one key of entry 1 with an
 * escape (that entry is read from JSON values). */
static size_t json_dump(char *b, size_t cap, bool esc)
{
    size_t n = (size_t)snprintf(b, cap, "{\"entries\":[");
    for (int i = 0; i < 4; i++) {
        char dur[32] = "", comp[32];
        if (i % 2 == 0)
            snprintf(dur, sizeof dur, "\"duration_ms\":1.5,");
        snprintf(comp, sizeof comp, "%lld", i == 3 ? 0LL : PW_T0 + i * 1000 + 20);
        n += (size_t)snprintf(
            b + n, cap - n,
            "%s{\"collective_seq_id\":%d,%s\"input_dtypes\":[\"Float\"%s],\"input_sizes\":[[4,%d]],"
            "\"is_p2p\":%s,\"op_id\":%d,\"output_dtypes\":[],\"output_sizes\":[],\"p2p_seq_id\":0,"
            "\"%s\":0,\"process_group\":[\"0\",\"default_pg\"],\"profiling_name\":\"%s\","
            "\"record_id\":%d,\"retired\":%s,\"state\":\"%s\",\"thread_id\":\"140106313836352\","
            "\"thread_name\":\"pt_main_thread\",\"time_created_ns\":%lld,"
            "\"time_discovered_completed_ns\":%s,\"time_discovered_started_ns\":%lld,"
            "\"timeout_ms\":600000}",
            i ? "," : "", i == 3 ? 7 : 5 + i, dur, i == 1 ? ",\"BFloat16\"" : "", 5 + i,
            i == 1 ? "true" : "false", 5 + i, esc && i == 1 ? "pg\\u005fid" : "pg_id", pw_ops[i],
            10 + i, i == 3 ? "false" : "true", i == 3 ? "started" : "completed", PW_T0 + i * 1000,
            comp, PW_T0 + i * 1000 + 10);
    }
    n += (size_t)snprintf(b + n, cap - n,
                          "],\"pg_config\":{\"0\":{\"desc\":\"default_pg\",\"name\":\"0\","
                          "\"ranks\":\"[0, 1]\"}},\"version\":\"2.10\"}");
    cr_assert_lt(n, cap);
    return n;
}

/* The records as JSON Lines, without their "source" (byte offsets differ by encoding). */
static char *records_text(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    struct fl_jsonw jw;
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w->nevents; i++) {
        if (w->events[i]->kind != FL_EV_NCCL_FR_RECORD)
            continue;
        size_t at = jw.len;
        fl_event_write_json(&jw, w, w->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
        char *src = strstr(jw.buf + at, "\"source\":\"");
        char *end = src ? strstr(src, "\",") : NULL;
        cr_assert(src && end);
        memmove(src, end + 2, jw.len - (size_t)(end + 2 - jw.buf));
        jw.len -= (size_t)(end + 2 - src);
    }
    cr_assert_eq(fl_jsonw_error(&jw), 0);
    char *s = strndup(jw.buf ? jw.buf : "", jw.len);
    fl_jsonw_release(&jw);
    return s;
}

FL_TEST(nccl_fr, every_reading_path_gives_the_same_records)
{
    static struct pw w;
    char *want = NULL;
    for (int v = PW_PLAIN; v <= PW_MEMO; v++) {
        size_t n = pw_dump(&w, v);
        struct fl_engine *e = ingest_buf("comm_lib_trace_rank_0", w.b, n, NULL);
        cr_assert_eq(skips(e, NULL), 0, "variant %d", v);
        cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 4, "variant %d", v);
        char *got = records_text(e);
        if (!want)
            want = got;
        else
            cr_assert_str_eq(got, want, "pickle variant %d", v);
        if (got != want)
            free(got);
        fl_engine_free(e);
    }
    /* what the records say, once: the coalesced pair, the p2p peer, the dtypes joined */
    cr_assert(strstr(want, "\"op\":\"nccl:all_gather\""));
    cr_assert(strstr(want, "\"coalesced\":\"op\""), "%s", want);
    cr_assert(strstr(want, "\"coalesced\":\"end\""), "%s", want);
    cr_assert(strstr(want, "\"peer\":1"), "%s", want);
    cr_assert(strstr(want, "\"input_dtypes\":\"Float, BFloat16\""), "%s", want);
    cr_assert(strstr(want, "\"input_sizes\":\"[[4, 8]]\""), "%s", want);
    cr_assert(strstr(want, "\"duration_ms\":1.5"), "%s", want);
    static char js[8192];
    for (int esc = 0; esc < 2; esc++) {
        size_t n = json_dump(js, sizeof js, esc);
        struct fl_engine *e = ingest_buf("comm_lib_trace_rank_0", js, n, NULL);
        cr_assert_eq(skips(e, NULL), 0, "json %d", esc);
        char *got = records_text(e);
        cr_assert_str_eq(got, want, "json %d", esc);
        free(got);
        fl_engine_free(e);
    }
    free(want);
}

/* ---- round trip, truncation, allocation failures ------------------------------------------ */

static char *events_jsonl(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    struct fl_jsonw jw;
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w->nevents; i++) {
        fl_event_write_json(&jw, w, w->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
    }
    cr_assert_eq(fl_jsonw_error(&jw), 0);
    char *s = strndup(jw.buf ? jw.buf : "", jw.len);
    fl_jsonw_release(&jw);
    return s;
}

static void round_trip(const char *rel, const char *name)
{
    struct fl_engine *e1 = ingest_file(rel, name);
    char *once = events_jsonl(e1);
    struct fl_engine *e2 = ingest_buf("events.jsonl", once, strlen(once), "faultline-jsonl");
    const char *why = NULL;
    cr_assert_eq(skips(e2, &why), 0, "%s: the JSONL reader skipped: %s", rel, why);
    char *twice = events_jsonl(e2);
    cr_assert_str_eq(once, twice, "%s", rel);
    cr_assert_eq(fl_engine_window(e1)->nevents, fl_engine_window(e2)->nevents);
    free(once);
    free(twice);
    fl_engine_free(e1);
    fl_engine_free(e2);
}

FL_TEST(nccl_fr, round_trip_through_events_jsonl)
{
    round_trip(REAL_GPU "/_dump_14", "_dump_14");
    round_trip("tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3", "nccl_trace_rank_3");
    round_trip("tests/fr/fixtures/1.0/py/nccl_trace_rank_3", "nccl_trace_rank_3");
    round_trip("tests/fr/fixtures/2.10/json/nccl_trace_rank_3.json", "nccl_trace_rank_3.json");
    round_trip("tests/fr/fixtures/cut/cpp/nccl_trace_rank_2", "nccl_trace_rank_2");
    round_trip("tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3", "dump"); /* rank unknown */
}

/* Every prefix, each in an exact-size buffer: the whole file reads, every cut one is recorded
 * unreadable with one skip; never a crash or an over-read. */
static void every_truncation(const char *rel, const char *name, size_t records)
{
    size_t n;
    char *whole = read_file(rel, &n);
    for (size_t len = 0; len <= n; len++) {
        struct fl_engine *e = ingest_buf(name, whole, len, NULL);
        struct fl_evlist d = kind(e, FL_EV_NCCL_FR_DUMP);
        cr_assert_eq(d.n, 1, "%s prefix %zu: %zu dump events", rel, len, d.n);
        if (len == n) {
            cr_assert_eq(d.v[0]->u.fr_dump.status, FL_FR_DUMP_OK);
            cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, records);
            cr_assert_eq(skips(e, NULL), 0);
        } else {
            cr_assert_eq(d.v[0]->u.fr_dump.status, FL_FR_DUMP_UNREADABLE, "%s prefix %zu", rel,
                         len);
            cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 0);
            cr_assert_eq(skips(e, NULL), 1);
        }
        fl_engine_free(e);
    }
    free(whole);
}

FL_TEST(nccl_fr, every_truncation_length)
{
    every_truncation(REAL_GPU "/_dump_13", "_dump_13", 16);
    every_truncation("tests/fr/fixtures/2.8/json/nccl_trace_rank_3.json", "nccl_trace_rank_3.json",
                     7);
    every_truncation("tests/fr/fixtures/2.3/py/nccl_trace_rank_3", "nccl_trace_rank_3", 5);
}

FL_TEST(nccl_fr, allocation_failure_loop)
{
    static const char *const files[] = {"tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3",
                                        "tests/fr/fixtures/2.10/json/nccl_trace_rank_3.json"};
    for (size_t f = 0; f < 2; f++) {
        size_t n;
        char *buf = read_file(files[f], &n);
        bool completed = false;
        for (uint64_t k = 1; k < 100000 && !completed; k++) {
            fl_alloc_fail_after(k, 1);
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            struct fl_engine *e = fl_engine_new(&o, NULL);
            int rc = FL_ENOMEM;
            if (e && fl_engine_add_buffer(e, "nccl_trace_rank_3", buf, n, NULL) == 0)
                rc = fl_engine_run(e, NULL);
            fl_alloc_fail_after(0, 0);
            if (rc == 0) {
                cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 7);
                completed = true;
            } else {
                cr_assert_eq(rc, FL_ENOMEM, "k=%llu: rc %d", (unsigned long long)k, rc);
            }
            fl_engine_free(e);
        }
        cr_assert(completed);
        free(buf);
    }
}

FL_TEST(nccl_fr, trailing_bytes_after_the_pickle)
{
    size_t n;
    char *buf = read_file("tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3", &n);
    char *more = malloc(n + 5);
    memcpy(more, buf, n);
    memcpy(more + n, "junk!", 5);
    struct fl_engine *e = ingest_buf("nccl_trace_rank_3", more, n + 5, NULL);
    const char *why = NULL;
    cr_assert_eq(skips(e, &why), 1);
    cr_assert(strstr(why, "5 bytes after the end of the pickle ignored"), "%s", why);
    cr_assert_eq(kind(e, FL_EV_NCCL_FR_RECORD).n, 7);
    fl_engine_free(e);
    free(more);
    free(buf);
}

FL_TEST(nccl_fr, valid_loose_json_rendering_and_fork_backend)
{
    /* the shape of a pickle's dict written as JSON by a user: "version" first, frames,
     * null times, integer pg_status, torchcomms' ranks without spaces */
    static const char js[] =
        "{\"version\": \"2.4\", \"pg_config\": {\"0\": {\"name\": \"0\", \"desc\": \"default_pg\", "
        "\"ranks\": \"[0,1]\"}}, \"pg_status\": {\"0\": {\"last_enqueued_collective\": 7, "
        "\"last_started_collective\": 7, \"last_completed_collective\": 6}}, \"entries\": [{"
        "\"record_id\": 3, \"pg_id\": 0, \"process_group\": [\"0\", \"default_pg\"], "
        "\"collective_seq_id\": 7, \"p2p_seq_id\": 0, \"op_id\": 7, \"profiling_name\": "
        "\"nccl:all_reduce\", \"time_created_ns\": 1764009006150000000, \"duration_ms\": null, "
        "\"input_sizes\": [[2, 3]], \"input_dtypes\": [\"Float\"], \"output_sizes\": [[2, 3]], "
        "\"output_dtypes\": [\"Float\"], \"state\": \"started\", \"time_discovered_started_ns\": "
        "1764009006151000000, \"time_discovered_completed_ns\": null, \"retired\": false, "
        "\"timeout_ms\": 600000, \"is_p2p\": false, \"frames\": [{\"name\": \"all_reduce\", "
        "\"filename\": \"c10d.py\", \"line\": 2501}, {\"name\": \"step\", \"filename\": "
        "\"train.py\", \"line\": 9}]}]}";
    struct fl_engine *e = ingest_buf("nccl_trace_rank_1.json", js, sizeof js - 1, NULL);
    cr_assert_eq(skips(e, NULL), 0);
    size_t n;
    cr_assert_str_eq(fl_engine_inputs(e, &n)[0].format, "nccl-flight-recorder");
    const struct fl_ev_nccl_fr *r = &rec(e, "nccl:all_reduce", 0)->u.fr;
    cr_assert_eq(r->state, FL_FR_STARTED);
    cr_assert(isnan(r->duration_ms));
    cr_assert_eq(r->completed_ns, 0);
    cr_assert_str_eq(str(e, r->frames), "all_reduce (c10d.py:2501)\nstep (train.py:9)");
    cr_assert_str_eq(str(e, r->input_sizes), "[[2, 3]]");
    const struct fl_ev_nccl_fr_dump *d = the_dump(e);
    cr_assert_eq(d->rank, 1);
    cr_assert_eq(d->encoding, FL_FR_JSON);
    const struct fl_fr_pg *g = pg_named(e, d, "0");
    cr_assert_eq(g->size, 2);
    cr_assert_str_eq(str(e, g->ranks), "[0,1]");
    cr_assert_eq(g->last_enqueued, 7);
    cr_assert_eq(g->last_completed, 6);
    fl_engine_free(e);

    /* a fork's dump (hccl_comm_state) without entries: the backend comes from that key; a
     * status for a pg no entry names stays unnamed, with its id */
    static const char fork[] = "\x80\x02}(X\x07\x00\x00\x00versionX\x03\x00\x00\x00"
                               "2.4"
                               "X\x0f\x00\x00\x00hccl_comm_state}"
                               "X\x09\x00\x00\x00pg_status}(X\x01\x00\x00\x00"
                               "5}(X\x18\x00\x00\x00"
                               "last_enqueued_collectiveJ\xff\xff\xff\xffuuu.";
    e = ingest_buf("_dump_0", fork, sizeof fork - 1, NULL);
    cr_assert_eq(skips(e, NULL), 0);
    d = the_dump(e);
    cr_assert_str_eq(str(e, d->backend), "hccl");
    cr_assert_eq(d->nentries, 0);
    cr_assert_eq(d->npgs, 1);
    cr_assert_eq(d->pgs[0].name, 0);
    cr_assert_eq(d->pgs[0].id, 5);
    cr_assert_eq(d->pgs[0].last_enqueued, -1);
    cr_assert_eq(d->pgs[0].last_completed, FL_FR_NO_SEQ);
    cr_assert_eq(d->rank, 0);
    fl_engine_free(e);
}
