/* xid_correlation beyond the golden cases: the workload a pod name belongs to (through the
 * job-level crash it groups), the same verdicts in every input order, out-of-memory at every
 * point of a run (a capped scratch arena) ending in FL_ENOMEM, and times at the ends of int64
 * (UBSan aborts on a signed overflow). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/err.h"
#include "fl_test.h"

extern const struct fl_detector fl_detector_xid_correlation;

#define XID(ts, node, code)                                                                        \
    "{\"kind\":\"xid\",\"ts\":\"" ts "\",\"node\":\"" node                                         \
    "\",\"gpu\":{\"pci\":\"0000:18:00.0\"},"                                                       \
    "\"xid\":{\"code\":" #code ",\"text\":\"t\"}}\n"
#define POD(ts, node, pod)                                                                         \
    "{\"kind\":\"pod_event\",\"ts\":\"" ts "\",\"node\":\"" node                                   \
    "\",\"pod_event\":{\"pod\":\"" pod                                                             \
    "\",\"reason\":\"BackOff\",\"message\":\"Back-off restarting failed container\"}}\n"

static struct fl_engine *engine_of(const char *text)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.detectors = "xid_correlation";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, "w.jsonl", text, strlen(text), NULL), 0);
    return e;
}

/* "uid pattern headline\n" per verdict, in output order. */
static char *summary(struct fl_engine *e)
{
    size_t n, cap = 1, len = 0;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i].pattern_id) + strlen(v[i].headline) + 24;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    s[0] = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%016llx %s %s\n", (unsigned long long)v[i].uid,
                                v[i].pattern_id, v[i].headline);
    return s;
}

/* Three nodes each, within 2m: pods of one JobSet (generated suffix, then job and pod
 * indexes), of one Deployment (ReplicaSet hash + random suffix), of one PyTorchJob (master and
 * workers). Two look-alikes that are other workloads: "ml/eval-2" vs "ml/evalx-2". */
static const char *const workloads = XID("2026-11-24T10:00:00Z", "j1", 13)
    POD("2026-11-24T10:00:20Z", "j1", "ml/train-workers-0-0-x7k2p") XID("2026-11-24T10:00:05Z",
                                                                        "j2", 13)
        POD("2026-11-24T10:00:25Z", "j2", "ml/train-workers-0-1-b9z4q") XID("2026-11-24T10:00:09Z",
                                                                            "j3", 13)
            POD("2026-11-24T10:00:29Z", "j3",
                "ml/train-workers-1-0-m2n5t") XID("2026-11-24T10:00:00Z", "d1", 31)
                POD("2026-11-24T10:00:20Z", "d1",
                    "web/infer-7d9f8c6b5-x2k9p") XID("2026-11-24T10:00:01Z", "d2", 31)
                    POD("2026-11-24T10:00:21Z", "d2",
                        "web/infer-7d9f8c6b5-q4w8z") XID("2026-11-24T10:00:02Z", "d3", 31)
                        POD("2026-11-24T10:00:22Z", "d3",
                            "web/infer-5c6d7f8b9-h6j7k") XID("2026-11-24T10:00:00Z", "p1", 43)
                            POD("2026-11-24T10:00:20Z", "p1",
                                "ml/llm-master-0") XID("2026-11-24T10:00:01Z", "p2", 43)
                                POD("2026-11-24T10:00:21Z", "p2",
                                    "ml/llm-worker-0") XID("2026-11-24T10:00:02Z", "p3", 43)
                                    POD("2026-11-24T10:00:22Z", "p3", "ml/llm-worker-1")
                                        XID("2026-11-24T10:00:00Z", "e1", 13)
                                            POD("2026-11-24T10:00:20Z", "e1", "ml/eval-2")
                                                XID("2026-11-24T10:00:01Z", "e2", 13)
                                                    POD("2026-11-24T10:00:21Z", "e2", "ml/eval-3")
                                                        XID("2026-11-24T10:00:02Z", "e3", 13)
                                                            POD("2026-11-24T10:00:22Z", "e3",
                                                                "ml/evalx-2");

FL_TEST(xid_correlation, workload_from_pod_names)
{
    struct fl_engine *e = engine_of(workloads);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    cr_assert(strstr(s, "Application crash on 3 nodes of workload ml/train-workers (from its pod "
                        "names): XID 13"),
              "%s", s);
    cr_assert(strstr(s, "Application crash on 3 nodes of workload web/infer (from its pod "
                        "names): XID 31"),
              "%s", s);
    cr_assert(strstr(s, "Application crash on 3 nodes of workload ml/llm (from its pod names): "
                        "XID 43"),
              "%s", s);
    cr_assert_null(strstr(s, "workload ml/eval"), "%s", s);
    size_t n;
    fl_engine_verdicts(e, &n);
    cr_assert_eq(n, 6, "3 crashes and the three eval nodes on their own:\n%s", s);
    free(s);
    fl_engine_free(e);
}

/* Job ids, an XID 45 consequence, a storm, an app crash over 3 nodes and one over 2. */
static const char *const lines[] = {
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"a\",\"job\":\"j\",\"gpu\":{"
    "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":31}}\n",
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:30Z\",\"node\":\"b\",\"job\":\"j\",\"gpu\":{"
    "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":31}}\n",
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:01:00Z\",\"node\":\"c\",\"job\":\"j\",\"gpu\":{"
    "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":31}}\n",
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"d\",\"job\":\"k\",\"gpu\":{"
    "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":31}}\n",
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:10Z\",\"node\":\"e\",\"job\":\"k\",\"gpu\":{"
    "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":31}}\n",
    XID("2026-11-24T11:00:00Z", "f", 79),
    XID("2026-11-24T11:00:01Z", "f", 45),
    XID("2026-11-24T12:00:00Z", "g", 74),
    XID("2026-11-24T12:00:01Z", "g", 74),
    XID("2026-11-24T12:00:02Z", "g", 74),
    POD("2026-11-24T11:00:30Z", "f", "ml/x-0"),
    "{\"kind\":\"gpu_sample\",\"ts\":\"2026-11-24T09:00:00Z\",\"node\":\"f\",\"gpu\":{\"pci\":"
    "\"0000:18:00.0\",\"uuid\":\"GPU-00000000-0000-4000-8000-00000000000f\",\"index\":3},"
    "\"gpu_sample\":{\"metric\":\"temp_gpu\",\"value\":40}}\n",
};
#define NLINES (sizeof lines / sizeof lines[0])

static char *window_text(size_t rot, bool reversed)
{
    size_t cap = 1;
    for (size_t i = 0; i < NLINES; i++)
        cap += strlen(lines[i]);
    char *t = malloc(cap);
    cr_assert_not_null(t);
    t[0] = 0;
    for (size_t i = 0; i < NLINES; i++) {
        size_t k = (rot + i) % NLINES;
        strcat(t, lines[reversed ? NLINES - 1 - k : k]);
    }
    return t;
}

FL_TEST(xid_correlation, same_verdicts_in_every_input_order)
{
    char *want = NULL;
    for (size_t rot = 0; rot < NLINES; rot++)
        for (int rev = 0; rev < 2; rev++) {
            char *t = window_text(rot, rev);
            struct fl_engine *e = engine_of(t);
            cr_assert_eq(fl_engine_run(e, NULL), 0);
            char *got = summary(e);
            if (!want) {
                want = got;
                size_t n;
                fl_engine_verdicts(e, &n);
                cr_assert_eq(n, 5, "%zu verdicts:\n%s", n, want);
                cr_assert(strstr(want, "Application crash on 3 nodes of job j: XID 31"), "%s",
                          want);
                cr_assert(strstr(want, "XID 79 (GPU has fallen off the bus) on f GPU 3 "
                                       "(0000:18:00.0), then pod ml/x-0 BackOff 30s later"),
                          "%s", want);
                cr_assert(strstr(want, "XID 74 x3"), "%s", want);
                cr_assert_null(strstr(want, "XID 45"), "45 is the 79's consequence:\n%s", want);
            } else {
                cr_assert_str_eq(got, want, "rotation %zu reversed %d", rot, rev);
                free(got);
            }
            fl_engine_free(e);
            free(t);
        }
    free(want);
}

FL_TEST(xid_correlation, out_of_memory_anywhere_is_a_clean_error)
{
    char *t = window_text(0, false);
    struct fl_engine *e = engine_of(t);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    const struct fl_detector *d = &fl_detector_xid_correlation;
    union fl_cfg_value cfg[8];
    cr_assert_leq(d->nparams, 8);
    for (size_t i = 0; i < d->nparams; i++)
        cr_assert_eq(fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]),
                     0);
    size_t full = 0, failures = 0;
    for (size_t cap = 256; cap < (1u << 20); cap += 256) {
        struct fl_arena a;
        fl_arena_init(&a, 256, cap);
        struct fl_verdict_sink sink;
        fl_verdict_sink_init(&sink, &a, w->intern);
        int rc = d->run(w, cfg, &sink);
        cr_assert(rc == 0 || rc == FL_ENOMEM, "cap %zu: rc %d", cap, rc);
        bool ok = rc == 0 && sink.error == 0;
        for (size_t i = 0; ok && i < sink.n; i++)
            cr_assert(sink.v[i].headline[0] && sink.v[i].remediation[0]);
        fl_verdict_sink_release(&sink);
        fl_arena_release(&a);
        if (ok) {
            full = cap;
            break;
        }
        failures++;
    }
    cr_assert_gt(full, 0, "never completed under 1 MiB");
    cr_assert_gt(failures, 0, "the cap never bit: the test proves nothing");
    fl_engine_free(e);
    free(t);
}

/* XIDs and pods at both ends of the int64 clock, windows at their maximum. */
static const char *const extremes = XID("1677-09-22T00:00:00Z", "a", 13)
    XID("2262-04-10T00:00:00Z", "a", 13) XID("2262-04-10T00:00:00Z", "b", 13)
        XID("2262-04-10T00:00:00Z", "c", 13) XID("1677-09-22T00:00:01Z", "a", 45)
            XID("2262-04-10T00:00:01Z", "d", 79) POD("2262-04-10T00:00:02Z", "d", "ml/x-0")
                POD("1677-09-22T00:00:02Z", "a", "ml/y-0");

FL_TEST(xid_correlation, extreme_times_do_not_overflow)
{
    struct fl_engine *e = engine_of(extremes);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "window", FL_STR_LIT("24h"), NULL), 0);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "storm_gap", FL_STR_LIT("24h"), NULL),
                 0);
    cr_assert_eq(fl_engine_set_config(e, "xid_correlation", "job_window", FL_STR_LIT("1h"), NULL),
                 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    cr_assert(strstr(s, "Application crash on 3 nodes"), "%s", s);
    cr_assert(strstr(s, "then pod ml/x-0 BackOff 1s later"), "%s", s);
    free(s);
    fl_engine_free(e);
}

/* The taint manager's "Cancelling deletion" (the node came back before the toleration ran
 * out) did nothing to the pod: it is not a disruption an XID explains. */
#define TAINT(ts, node, pod, msg)                                                                  \
    "{\"kind\":\"pod_event\",\"ts\":\"" ts "\",\"node\":\"" node                                   \
    "\",\"pod_event\":{\"pod\":\"" pod "\",\"reason\":\"TaintManagerEviction\",\"message\":\"" msg \
    "\"}}\n"

FL_TEST(xid_correlation, cancelled_taint_deletion_is_not_a_disruption)
{
    static const char *const text =
        XID("2026-11-24T10:00:00Z", "n1", 79)
            TAINT("2026-11-24T10:00:30Z", "n1", "ml/a", "Marking for deletion Pod ml/a")
                TAINT("2026-11-24T10:00:31Z", "n1", "ml/b", "Cancelling deletion of Pod ml/b");
    struct fl_engine *e = engine_of(text);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    cr_assert(strstr(s, "ml/a"), "the deleted pod is named:\n%s", s);
    cr_assert_null(strstr(s, "ml/b"), "the pod whose deletion was cancelled is not:\n%s", s);
    free(s);
    fl_engine_free(e);
}
