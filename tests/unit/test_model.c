/* Event model, window indexes, verdict sink and engine behaviour (order independence,
 * bundle walk, node rules, unreadable inputs, time filters). */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

FL_TEST(event, pci_normalize_every_spelling)
{
    char out[13];
    static const char *const ok[][2] = {
        {"PCI:0000:3b:00", "0000:3b:00.0"},   {"00000000:3B:00.0", "0000:3b:00.0"},
        {"0000:3b:00.0", "0000:3b:00.0"},     {"3b:00.0", "0000:3b:00.0"},
        {"0009:01:00", "0009:01:00.0"},       {" 0002:c1:1f.7 ", "0002:c1:1f.7"},
        {"pci:0000:BA:00", "0000:ba:00.0"},   {"00000001:00:00.0", "0001:00:00.0"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert(fl_pci_normalize(fl_str_from_cstr(ok[i][0]), out), "%s", ok[i][0]);
        cr_assert_str_eq(out, ok[i][1]);
    }
    static const char *const bad[] = {"",       "3b",         "0000:3b:20.0", "0000:3b:00.8",
                                      "x:3b:00", "0000:3b:00.", "1:2:3:4",      "10000:3b:00.0",
                                      "0000:3b:00.0 trailing"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(fl_pci_normalize(fl_str_from_cstr(bad[i]), out), "%s", bad[i]);
}

FL_TEST(event, kind_names_round_trip)
{
    for (int k = 0; k < FL_EV__COUNT; k++)
        cr_assert_eq(fl_event_kind_from_name(fl_str_from_cstr(fl_event_kind_name(k))), k);
    cr_assert_eq(fl_event_kind_from_name(FL_STR_LIT("nope")), -1);
    cr_assert_eq(fl_pod_reason_from(FL_STR_LIT("Evicted")), FL_POD_EVICTED);
    cr_assert_eq(fl_pod_reason_from(FL_STR_LIT("Scheduled")), FL_POD_OTHER);
}

FL_TEST(event, uid_depends_on_content_not_source)
{
    struct fl_event a, b;
    fl_event_init(&a, FL_EV_XID);
    a.ts = 1000;
    a.clock = FL_CLOCK_WALL;
    a.raw = FL_STR_LIT("NVRM: Xid (PCI:0000:3b:00): 79");
    b = a;
    b.src.input = 7;
    b.src.line = 99;
    cr_assert_eq(fl_event_compute_uid(&a, FL_STR_LIT("n1")), fl_event_compute_uid(&b, FL_STR_LIT("n1")));
    cr_assert_neq(fl_event_compute_uid(&a, FL_STR_LIT("n1")), fl_event_compute_uid(&a, FL_STR_LIT("n2")));
    b.ts = 1001;
    cr_assert_neq(fl_event_compute_uid(&a, FL_STR_LIT("n1")), fl_event_compute_uid(&b, FL_STR_LIT("n1")));
}

static const char *bundle_a =
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:05Z\",\"node\":\"n2\",\"gpu\":{\"pci\":\"0000:3b:00.0\"},\"xid\":{\"code\":79}}\n"
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:01Z\",\"node\":\"n1\",\"gpu\":{\"pci\":\"0000:5e:00.0\"},\"xid\":{\"code\":48}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:30Z\",\"node\":\"n2\",\"pod_event\":{\"pod\":\"ns/a\",\"reason\":\"Evicted\"}}\n";
static const char *bundle_b =
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:03Z\",\"node\":\"n1\",\"gpu\":{\"pci\":\"0000:3b:00.0\"},\"xid\":{\"code\":31}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:20Z\",\"node\":\"n1\",\"pod_event\":{\"pod\":\"ns/b\",\"reason\":\"Killing\"}}\n"
    "{\"kind\":\"nccl_fr_record\",\"ts\":\"2026-11-24T10:00:02Z\",\"nccl_fr_record\":{\"rank\":1,\"pg\":\"0\",\"collective_seq\":7,\"state\":\"started\"}}\n"
    "{\"kind\":\"nccl_fr_record\",\"ts\":\"2026-11-24T10:00:02Z\",\"nccl_fr_record\":{\"rank\":0,\"pg\":\"0\",\"collective_seq\":7,\"state\":\"completed\"}}\n";

static struct fl_engine *two_inputs(bool reversed, const struct fl_engine_opts *opts)
{
    struct fl_engine *e = fl_engine_new(opts, NULL);
    cr_assert_not_null(e);
    if (reversed) {
        fl_engine_add_buffer(e, "b.jsonl", bundle_b, strlen(bundle_b), NULL);
        fl_engine_add_buffer(e, "a.jsonl", bundle_a, strlen(bundle_a), NULL);
    } else {
        fl_engine_add_buffer(e, "a.jsonl", bundle_a, strlen(bundle_a), NULL);
        fl_engine_add_buffer(e, "b.jsonl", bundle_b, strlen(bundle_b), NULL);
    }
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    return e;
}

static char *envelope(struct fl_engine *e)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, true);
    fl_report_json(e, &w);
    char *s = strndup(w.buf, w.len);
    fl_jsonw_release(&w);
    return s;
}

FL_TEST(engine, output_does_not_depend_on_input_order)
{
    struct fl_engine *e1 = two_inputs(false, NULL), *e2 = two_inputs(true, NULL);
    char *a = envelope(e1), *b = envelope(e2);
    cr_assert_str_eq(a, b);
    size_t n;
    fl_engine_verdicts(e1, &n);
    cr_assert_gt(n, 0);
    free(a);
    free(b);
    fl_engine_free(e1);
    fl_engine_free(e2);
}

FL_TEST(window, indexes)
{
    struct fl_engine *e = two_inputs(false, NULL);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 7);
    for (size_t i = 1; i < w->nevents; i++)
        cr_assert_leq(fl_event_cmp(w->events[i - 1], w->events[i]), 0);
    struct fl_evlist x = fl_window_kind(w, FL_EV_XID);
    cr_assert_eq(x.n, 3);
    cr_assert_eq(x.v[0]->u.xid.code, 48); /* ts order */
    uint32_t n1 = 0;
    for (size_t i = 0; i < x.n; i++)
        if (strcmp(fl_window_str(w, x.v[i]->node), "n1") == 0)
            n1 = x.v[i]->node;
    struct fl_evlist on1 = fl_window_node(w, FL_EV_XID, n1);
    cr_assert_eq(on1.n, 2);
    cr_assert_eq(on1.v[0]->u.xid.code, 48);
    cr_assert_eq(on1.v[1]->u.xid.code, 31);
    struct fl_evlist g = fl_window_gpu(w, FL_EV_XID, n1, on1.v[1]->gpu.pci);
    cr_assert_eq(g.n, 1);
    cr_assert_eq(g.v[0]->u.xid.code, 31);
    cr_assert_eq(fl_window_node(w, FL_EV_XID, 9999).n, 0);
    cr_assert_eq(fl_evlist_lower_bound(x, x.v[1]->ts), 1);
    cr_assert_eq(fl_evlist_lower_bound(x, INT64_MAX), 3);
    const struct fl_event *fr0 = fl_window_kind(w, FL_EV_NCCL_FR_RECORD).v[0];
    struct fl_evlist s = fl_window_pg_seq(w, fr0->u.fr.pg, 7);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.v[0]->u.fr.rank, 0);
    cr_assert_eq(s.v[1]->u.fr.rank, 1);
    cr_assert_eq(fl_window_pg_seq(w, fr0->u.fr.pg, 8).n, 0);
    cr_assert_str_eq(fl_window_str(w, 0), "");
    char src[64];
    fl_window_source(w, x.v[0], src, sizeof src);
    cr_assert_str_eq(src, "a.jsonl:2");
    fl_engine_free(e);
}

FL_TEST(engine, since_until_filter_wall_clock_events)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    size_t used;
    const char *since = "2026-11-24T10:00:02Z", *until = "2026-11-24T10:00:20Z";
    fl_time_parse_rfc3339(since, since + strlen(since), true, &o.since, &used, NULL);
    fl_time_parse_rfc3339(until, until + strlen(until), true, &o.until, &used, NULL);
    struct fl_engine *e = two_inputs(false, &o);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 4); /* 10:00:02 x2, :03, :05; :01 before, :20 and :30 at/after */
    cr_assert_eq(w->start, o.since);
    fl_engine_free(e);
}

FL_TEST(verdict, sink_orders_and_hashes_by_value)
{
    struct fl_arena a;
    fl_arena_init(&a, 0, 0);
    struct fl_intern t;
    fl_intern_init(&t);
    uint32_t n1 = fl_intern_put(&t, FL_STR_LIT("node-1"));
    struct fl_verdict_sink s;
    fl_verdict_sink_init(&s, &a, &t);
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_XID);
    ev.uid = 42;
    struct fl_evidence evd = {&ev, "x"};
    int32_t ranks[] = {3, 1, 2};
    struct fl_verdict v = {.pattern_id = "p.b", .severity = FL_SEV_WARNING, .ts = 5,
                           .headline = "h", .remediation = "r", .evidence = &evd, .nevidence = 1};
    v.scope.node = n1;
    v.scope.ranks = ranks;
    v.scope.nranks = 3;
    cr_assert_eq(fl_verdict_emit(&s, &v), 0);
    v.severity = FL_SEV_CRITICAL;
    v.ts = 9;
    v.pattern_id = "p.a";
    cr_assert_eq(fl_verdict_emit(&s, &v), 0);
    cr_assert_eq(fl_verdict_emit(&s, &v), 0); /* exact duplicate: dropped by sort */
    fl_verdict_sink_sort(&s);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.v[0].severity, FL_SEV_CRITICAL);
    cr_assert_eq(s.v[1].scope.ranks[0], 1); /* ranks sorted on emit */
    cr_assert_eq(s.v[1].scope.ranks[2], 3);
    /* scope strings are hashed by value: another table with other ids gives the same uid */
    struct fl_intern t2;
    fl_intern_init(&t2);
    fl_intern_put(&t2, FL_STR_LIT("padding"));
    uint32_t n1b = fl_intern_put(&t2, FL_STR_LIT("node-1"));
    struct fl_verdict_sink s2;
    fl_verdict_sink_init(&s2, &a, &t2);
    v.scope.node = n1b;
    fl_verdict_emit(&s2, &v);
    cr_assert_eq(s2.v[0].uid, s.v[0].uid);
    fl_verdict_sink_release(&s);
    fl_verdict_sink_release(&s2);
    fl_intern_release(&t);
    fl_intern_release(&t2);
    fl_arena_release(&a);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

FL_TEST(engine, bundle_walk_node_rules_and_unreadable_files)
{
    char dir[] = "/tmp/fl_bundle_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/gpu-node-3", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/gpu-node-3/k.jsonl", dir);
    write_file(p, "{\"kind\":\"log\",\"ts\":\"2026-11-24T10:00:00Z\",\"log\":{\"text\":\"x\"}}\n");
    snprintf(p, sizeof p, "%s/top.jsonl", dir);
    write_file(p, "{\"kind\":\"log\",\"ts\":\"2026-11-24T10:00:01Z\",\"log\":{\"text\":\"y\"}}\n");
    snprintf(p, sizeof p, "%s/.hidden.jsonl", dir);
    write_file(p, "garbage");
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    write_file(p, "just some notes\n");
    snprintf(p, sizeof p, "%s/gpu-node-3/locked.jsonl", dir);
    write_file(p, "{}");
    chmod(p, 0);
    bool root = geteuid() == 0; /* root reads mode-000 files */

    struct fl_engine *e = fl_engine_new(NULL, NULL);
    cr_assert_eq(fl_engine_add_path(e, dir, NULL), 0);
    struct fl_err err;
    cr_assert_eq(fl_engine_add_path(e, "/nonexistent/fl/x.log", &err), FL_EIO);
    cr_assert(strstr(err.msg, "No such file or directory") != NULL);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_eq(n, 5); /* the hidden file is not read */
    /* sorted by path */
    cr_assert_str_eq(in[0].path, "/nonexistent/fl/x.log");
    cr_assert_neq(in[0].error, 0);
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < n; i++) {
        if (strstr(in[i].path, "gpu-node-3/k.jsonl")) {
            cr_assert_str_eq(fl_window_str(w, in[i].node), "gpu-node-3");
            cr_assert_str_eq(in[i].node_rule, "bundle directory");
            cr_assert_eq(in[i].records, 1);
        }
        if (strstr(in[i].path, "top.jsonl"))
            cr_assert_eq(in[i].node, 0);
        if (strstr(in[i].path, "notes.txt")) {
            cr_assert_str_eq(in[i].format, "unknown");
            cr_assert_eq(in[i].skipped, 1);
        }
        if (strstr(in[i].path, "locked.jsonl") && !root)
            cr_assert_neq(in[i].error, 0);
    }
    cr_assert_eq(fl_engine_input_errors(e), root ? 1u : 2u);
    fl_engine_free(e);
    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    cr_assert_eq(system(p), 0);
}

/* A large file is mapped, not read: same events as the same bytes handed over as a buffer;
 * a mapped file that shrinks under the reader ends the process with a message naming it. */
static char *big_kernel_log(size_t *len)
{
    size_t cap = (3u << 20) / 2, n = 0; /* 1.5 MiB: past the 1 MiB mapping threshold */
    char *b = malloc(cap + 256);
    cr_assert_not_null(b);
    for (unsigned i = 0; n < cap; i++)
        n += (size_t)sprintf(b + n,
                             i % 997 ? "[%6u.%06u] systemd[1]: Started Session %u of user root.\n"
                                     : "[%6u.%06u] NVRM: Xid (PCI:0000:3b:00): 79, pid=%u, GPU "
                                       "has fallen off the bus.\n",
                             100 + i / 1000, i % 1000 * 1000, i);
    *len = n;
    return b;
}

FL_TEST(engine, large_file_is_mapped_and_reads_like_a_buffer)
{
    size_t len;
    char *text = big_kernel_log(&len);
    char path[] = "/tmp/fl_map_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);

    struct fl_engine *a = fl_engine_new(NULL, NULL), *b = fl_engine_new(NULL, NULL);
    cr_assert_eq(fl_engine_add_path(a, path, NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(b, path, text, len, NULL), 0);
    cr_assert_eq(fl_engine_run(a, NULL), 0);
    cr_assert_eq(fl_engine_run(b, NULL), 0);
    size_t n;
    const struct fl_input *in = fl_engine_inputs(a, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(in[0].map_len, len, "a 1.5 MiB regular file is mapped");
    cr_assert_eq(fl_engine_inputs(b, &n)[0].map_len, 0);
    const struct fl_window *wa = fl_engine_window(a), *wb = fl_engine_window(b);
    cr_assert_gt(wa->nevents, 0);
    cr_assert_eq(wa->nevents, wb->nevents);
    for (size_t i = 0; i < wa->nevents; i++)
        cr_assert_eq(wa->events[i]->uid, wb->events[i]->uid);
    fl_engine_free(a);
    fl_engine_free(b);
    free(text);
    unlink(path);
}

FL_TEST(engine, mapped_file_that_shrinks_names_itself)
{
    size_t len;
    char *text = big_kernel_log(&len);
    char path[] = "/tmp/fl_shrink_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    free(text);
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(pipefd[1], 2);
        struct fl_engine *e = fl_engine_new(NULL, NULL);
        fl_engine_add_path(e, path, NULL);
        cr_assert_eq(truncate(path, 0), 0); /* rotated in place before the parse reads it */
        fl_engine_run(e, NULL);
        _exit(0); /* not reached: the first read of a vanished page raises SIGBUS */
    }
    close(pipefd[1]);
    char msg[1024] = {0};
    size_t got = 0;
    ssize_t r;
    while (got < sizeof msg - 1 && (r = read(pipefd[0], msg + got, sizeof msg - 1 - got)) > 0)
        got += (size_t)r;
    close(pipefd[0]);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %d", st);
    cr_assert(strstr(msg, path) && strstr(msg, "shrank while it was being read"), "%s", msg);
    unlink(path);
}

FL_TEST(engine, node_option_overrides_bundle_directory)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.node = "forced";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    const char *t = "{\"kind\":\"log\",\"ts\":\"2026-11-24T10:00:00Z\",\"log\":{\"text\":\"x\"}}\n"
                    "{\"kind\":\"log\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"own\",\"log\":{\"text\":\"x\"}}\n";
    fl_engine_add_buffer(e, "x.jsonl", t, strlen(t), NULL);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 2);
    bool forced = false, own = false;
    for (size_t i = 0; i < 2; i++) {
        forced |= strcmp(fl_window_str(w, w->events[i]->node), "forced") == 0;
        own |= strcmp(fl_window_str(w, w->events[i]->node), "own") == 0;
    }
    cr_assert(forced && own, "a record's own node wins over --node, which fills the rest");
    fl_engine_free(e);
}

FL_TEST(engine, config_values_and_errors)
{
    struct fl_engine *e = fl_engine_new(NULL, NULL);
    struct fl_err err;
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "window", FL_STR_LIT("90s"), &err), 0);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "window", FL_STR_LIT("0s"), &err), FL_ERANGE);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "window", FL_STR_LIT("soon"), &err), FL_EPARSE);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "nope", FL_STR_LIT("1"), &err), FL_ENOTFOUND);
    cr_assert_eq(fl_engine_set_config(e, "nope", "window", FL_STR_LIT("1"), &err), FL_ENOTFOUND);
    cr_assert(strstr(err.msg, "no detector named 'nope'") != NULL);
    fl_engine_free(e);
}
