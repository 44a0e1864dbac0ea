/* The Kubernetes reader: quantities, kubelet messages, every object shape on real and
 * synthetic samples, the List splitter's line numbers, watch streams, bad input, every
 * truncation length, sniffing against other formats, the cross-file node join, the JSONL round
 * trip of the new fields and an allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/jsonw.h"
#include "ingest/k8s.h"
#include "verdict/report.h"

#define DATA FL_SOURCE_DIR "/tests/unit/data/k8s/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

struct in {
    const char *name;
    const char *text; /* NULL: read DATA name */
    size_t len;       /* 0: strlen(text) */
};

static struct fl_engine *ingest_n(const struct in *v, size_t n, const char *format)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    for (size_t i = 0; i < n; i++) {
        size_t len = v[i].len;
        char *own = NULL;
        const char *t = v[i].text;
        if (!t) {
            char path[512];
            snprintf(path, sizeof path, DATA "%s", v[i].name);
            t = own = slurp(path, &len);
        } else if (!len) {
            len = strlen(t);
        }
        cr_assert_eq(fl_engine_add_buffer(e, v[i].name, t, len, NULL), 0);
        free(own);
    }
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static struct fl_engine *ingest_file(const char *name)
{
    struct in v = {name, NULL, 0};
    return ingest_n(&v, 1, NULL);
}

static struct fl_engine *ingest_text(const char *text)
{
    struct in v = {"t.json", text, 0};
    return ingest_n(&v, 1, "kubernetes");
}

static const struct fl_event *nth(struct fl_engine *e, enum fl_event_kind k, size_t i)
{
    struct fl_evlist l = fl_window_kind(fl_engine_window(e), k);
    cr_assert_lt(i, l.n, "only %zu events of kind %d", l.n, k);
    return l.v[i];
}

static size_t count_kind(struct fl_engine *e, enum fl_event_kind k)
{
    return fl_window_kind(fl_engine_window(e), k).n;
}

static const char *S(struct fl_engine *e, uint32_t id)
{
    return fl_window_str(fl_engine_window(e), id);
}

static bool str_eq(struct fl_str s, const char *c)
{
    return fl_str_eq_cstr(s, c);
}

static uint64_t skipped(struct fl_engine *e, const struct fl_skip **first)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    if (first)
        *first = n ? s : NULL;
    return total;
}

static int64_t T(const char *rfc)
{
    int64_t t;
    cr_assert_eq(fl_time_parse_rfc3339(rfc, rfc + strlen(rfc), true, &t, NULL, NULL), 0);
    return t;
}

/* ---- quantities -------------------------------------------------------------------- */

FL_TEST(k8s_quantity, valid)
{
    static const struct {
        const char *q;
        int scale;
        int64_t want;
    } cases[] = {
        {"0", 0, 0},
        {"8", 0, 8},
        {"100Mi", 0, 104857600},
        {"92104Ki", 0, 94314496},
        {"48Gi", 0, 51539607552LL},
        {"61865984Ki", 0, 63350767616LL},
        {"19469689584", 0, 19469689584LL},
        {"128M", 0, 128000000},
        {"1.2Gi", 0, 1288490189}, /* 1288490188.8 rounded up */
        {"1.5Gi", 0, 1610612736},
        {"100m", 0, 1}, /* Value() rounds up */
        {"100m", 3, 100},
        {"1500m", 3, 1500},
        {"2", 3, 2000},
        {"250u", 3, 1},
        {"1n", 0, 1},
        {"0.9n", 0, 1},
        {"1k", 0, 1000},
        {"1E", 0, 1000000000000000000LL},
        {"1Ei", 0, 1152921504606846976LL},
        {"8Ei", 0, INT64_MAX}, /* binary capped at 2^63-1 as Kubernetes caps it */
        {"1e3", 0, 1000},
        {"1E3", 0, 1000},
        {"12e6", 0, 12000000},
        {"1e-3", 3, 1},
        {"5e+2", 0, 500},
        {".5", 3, 500},
        {"1.", 0, 1},
        {"+3", 0, 3},
        {"-1Gi", 0, -1073741824},
        {"-100m", 0, -1}, /* rounded away from zero */
        {"0.000", 0, 0},
        {"0Ki", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -77;
        int rc = fl__k8s_quantity(fl_str_from_cstr(cases[i].q), cases[i].scale, &v);
        cr_assert_eq(rc, 0, "%s: rc %d", cases[i].q, rc);
        cr_assert_eq(v, cases[i].want, "%s at scale %d: %lld, want %lld", cases[i].q,
                     cases[i].scale, (long long)v, (long long)cases[i].want);
    }
    /* more digits than an int64 holds, scaled down: 19 significant digits kept, rounded up */
    int64_t v;
    cr_assert_eq(fl__k8s_quantity(FL_STR_LIT("12345678901234567890123"), -4, &v), 0);
    cr_assert_eq(v, 1234567890123456790LL);
}

FL_TEST(k8s_quantity, invalid)
{
    static const char *const bad[] = {"",    "12x", "Mi",  "1K",   "1 Gi",  "1Gi ", "1.2.3",
                                      "1e",  "1e+", "1ee", "1Mib", "--1",   "0x10", "1,5",
                                      "1mi", "Ki",  "+",   ".",    "1e1.5", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 42;
        cr_assert_eq(fl__k8s_quantity(fl_str_from_cstr(bad[i]), 0, &v), FL_EPARSE, "'%s'", bad[i]);
        cr_assert_eq(v, 42);
    }
    int64_t v;
    cr_assert_eq(fl__k8s_quantity(FL_STR_LIT("10E"), 0, &v), FL_ERANGE);
    cr_assert_eq(fl__k8s_quantity(FL_STR_LIT("1e30"), 0, &v), FL_ERANGE);
    cr_assert_eq(fl__k8s_quantity(FL_STR_LIT("9223372036854775808"), 0, &v), FL_ERANGE);
    cr_assert_eq(fl__k8s_quantity(FL_STR_LIT("1e-99999999999"), 0, &v), 0);
    cr_assert_eq(v, 1);
}

/* ---- messages ---------------------------------------------------------------------- */

FL_TEST(k8s_message, eviction_current_form)
{
    struct fl__k8s_msg m;
    char why[160];
    int rc = fl__k8s_evict_parse(
        FL_STR_LIT("The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                   "92104Ki. Container trainer was using 61865984Ki, request is 48Gi, has larger "
                   "consumption of memory. "),
        &m, why, sizeof why);
    cr_assert_eq(rc, 1);
    cr_assert(str_eq(m.resource, "memory"));
    cr_assert(str_eq(m.container, "trainer"));
    cr_assert_eq(m.threshold, 104857600);
    cr_assert_eq(m.available, 94314496);
    cr_assert_eq(m.usage, 63350767616LL);
    cr_assert_eq(m.request, 51539607552LL);
    cr_assert_eq(m.known, FL_POD_HAS_THRESHOLD | FL_POD_HAS_AVAILABLE | FL_POD_HAS_USAGE |
                              FL_POD_HAS_REQUEST);
}

FL_TEST(k8s_message, eviction_picks_container_furthest_over_request)
{
    struct fl__k8s_msg m;
    char why[160];
    /* the older kubelet form, several containers, no threshold sentence, no final space */
    int rc = fl__k8s_evict_parse(
        FL_STR_LIT("The node was low on resource: ephemeral-storage. Container istio-proxy was "
                   "using 120Ki, which exceeds its request of 0. Container beacon was using "
                   "316Ki, which exceeds its request of 0. Container small was using 494165961, "
                   "which exceeds its request of 1Gi."),
        &m, why, sizeof why);
    cr_assert_eq(rc, 1);
    cr_assert(str_eq(m.resource, "ephemeral-storage"));
    cr_assert(str_eq(m.container, "beacon"), "%.*s", FL_STR_FMT(m.container));
    cr_assert_eq(m.usage, 316 * 1024);
    cr_assert_eq(m.request, 0);
    cr_assert_eq(m.known, FL_POD_HAS_USAGE | FL_POD_HAS_REQUEST);
}

FL_TEST(k8s_message, eviction_other_forms)
{
    struct fl__k8s_msg m;
    char why[160];
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("Pod ephemeral local storage usage exceeds the "
                                                "total limit of containers 1Gi. "),
                                     &m, why, sizeof why),
                 1);
    cr_assert(str_eq(m.resource, "ephemeral-storage"));
    cr_assert_eq(m.threshold, 1073741824);
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("Container writer exceeded its local ephemeral "
                                                "storage limit \"2Gi\". "),
                                     &m, why, sizeof why),
                 1);
    cr_assert(str_eq(m.container, "writer"));
    cr_assert_eq(m.threshold, 2147483648LL);
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("Usage of EmptyDir volume \"scratch\" exceeds "
                                                "the limit \"500Mi\". "),
                                     &m, why, sizeof why),
                 1);
    cr_assert_eq(m.threshold, 524288000);
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("Pod was rejected: The node had condition: "
                                                "[DiskPressure]. "),
                                     &m, why, sizeof why),
                 1);
    cr_assert_eq(m.known, 0);
    /* pod-level resources: the pod's numbers when no container sentence follows */
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("The node was low on resource: memory. Pod big "
                                                "was using 3Gi, request is 1Gi, has larger "
                                                "consumption of memory. "),
                                     &m, why, sizeof why),
                 1);
    cr_assert_eq(m.usage, 3221225472LL);
    cr_assert_eq(m.container.len, 0);
    /* pids: counts, not bytes */
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT("The node was low on resource: pids. Threshold "
                                                "quantity: 1000, available: 873. "),
                                     &m, why, sizeof why),
                 1);
    cr_assert(str_eq(m.resource, "pids"));
    cr_assert_eq(m.available, 873);
    /* not an eviction message */
    cr_assert_eq(
        fl__k8s_evict_parse(FL_STR_LIT("Evicting pod for maintenance"), &m, why, sizeof why), 0);
    cr_assert_eq(fl__k8s_evict_parse(FL_STR_LIT(""), &m, why, sizeof why), 0);
}

FL_TEST(k8s_message, eviction_bad_quantity)
{
    struct fl__k8s_msg m;
    char why[160];
    int rc = fl__k8s_evict_parse(FL_STR_LIT("The node was low on resource: memory. Threshold "
                                            "quantity: 12x, available: 92104Ki. "),
                                 &m, why, sizeof why);
    cr_assert_eq(rc, FL_EPARSE);
    cr_assert(strstr(why, "bad quantity \"12x\" (threshold)") != NULL, "%s", why);
}

FL_TEST(k8s_message, admission_and_nodes)
{
    struct fl__k8s_msg m;
    cr_assert(fl__k8s_admission_parse(
        FL_STR_LIT("Allocate failed due to requested number of devices unavailable for "
                   "nvidia.com/gpu. Requested: 8, Available: 7, which is unexpected"),
        &m));
    cr_assert(str_eq(m.resource, "nvidia.com/gpu"));
    cr_assert_eq(m.request, 8);
    cr_assert_eq(m.available, 7);
    cr_assert(fl__k8s_admission_parse(
        FL_STR_LIT("Allocate failed due to no healthy devices present; cannot allocate "
                   "unhealthy devices nvidia.com/gpu, which is unexpected"),
        &m));
    cr_assert(str_eq(m.resource, "nvidia.com/gpu"));
    cr_assert_eq(m.known, FL_POD_HAS_AVAILABLE);
    cr_assert_eq(m.available, 0);
    cr_assert(!fl__k8s_admission_parse(FL_STR_LIT("Node didn't have enough resource"), &m));

    cr_assert(str_eq(fl__k8s_node_from_message(FL_STR_LIT("Scheduled"),
                                               FL_STR_LIT("Successfully assigned team/p-1 to "
                                                          "gpu-node-07")),
                     "gpu-node-07"));
    cr_assert(str_eq(fl__k8s_node_from_message(FL_STR_LIT("Preempted"),
                                               FL_STR_LIT("Preempted by pod 3f2a-11 on node "
                                                          "worker-1")),
                     "worker-1"));
    cr_assert(str_eq(fl__k8s_node_from_message(FL_STR_LIT("NodeControllerEviction"),
                                               FL_STR_LIT("Marking for deletion Pod ingester-01 "
                                                          "from Node cloud-node-01")),
                     "cloud-node-01"));
    cr_assert_null(
        fl__k8s_node_from_message(FL_STR_LIT("Killing"), FL_STR_LIT("Stopping container a to b"))
            .ptr);
    cr_assert(str_eq(fl__k8s_container_from_message(FL_STR_LIT("Back-off restarting failed "
                                                               "container trainer in pod x")),
                     "trainer"));
}

/* ---- samples ----------------------------------------------------------------------- */

FL_TEST(k8s, events_list_sample)
{
    struct fl_engine *e = ingest_file("k8s-events-list.json");
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_str_eq(in[0].format, "kubernetes");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 4);
    const struct fl_event *ev = nth(e, FL_EV_POD_EVENT, 0);
    const struct fl_ev_pod_event *p = &ev->u.pod;
    /* Evicted and Killing at the same second: order by uid; find the Evicted one */
    if (p->reason_code != FL_POD_EVICTED) {
        ev = nth(e, FL_EV_POD_EVENT, 1);
        p = &ev->u.pod;
    }
    cr_assert_eq(p->reason_code, FL_POD_EVICTED);
    cr_assert_eq(ev->ts, T("2026-11-24T18:41:09Z"));
    cr_assert_str_eq(S(e, ev->node), "node-17");
    cr_assert_str_eq(S(e, p->pod), "team-llm/pretrain-70b-worker-12");
    cr_assert_str_eq(S(e, p->pod_uid), "6c0de53643d0-1b2c-4d5e-8f90-0a1b2c3d4e5f");
    cr_assert(str_eq(p->resource, "memory"));
    cr_assert(str_eq(p->container, "trainer"));
    cr_assert_eq(p->threshold, 104857600);
    cr_assert_eq(p->available, 94314496);
    cr_assert_eq(p->usage, 63350767616LL);
    cr_assert_eq(p->request, 51539607552LL);
    cr_assert_eq(p->count, 1);
    cr_assert_eq(ev->src.line, 4, "an item's line is where it starts");
    cr_assert(fl_str_starts_with(ev->raw, "{") && fl_str_ends_with(ev->raw, "}"));

    const struct fl_event *adm = nth(e, FL_EV_POD_EVENT, 2);
    cr_assert_eq(adm->u.pod.reason_code, FL_POD_ADMISSION_ERROR);
    cr_assert_str_eq(S(e, adm->node), "node-04");
    cr_assert(str_eq(adm->u.pod.resource, "nvidia.com/gpu"));
    cr_assert_eq(adm->u.pod.request, 8);
    cr_assert_eq(adm->u.pod.available, 7);
    cr_assert_eq(adm->src.line, 66);
    const struct fl_event *bo = nth(e, FL_EV_POD_EVENT, 3);
    cr_assert_eq(bo->u.pod.reason_code, FL_POD_BACKOFF);
    cr_assert(str_eq(bo->u.pod.container, "trainer"), "container from the message");
    cr_assert_eq(bo->src.line, 97);
    fl_engine_free(e);
}

FL_TEST(k8s, events_watch_sample_both_shapes)
{
    struct fl_engine *e = ingest_file("k8s-events-watch.json");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 2);
    const struct fl_event *ev = nth(e, FL_EV_POD_EVENT, 1);
    const struct fl_ev_pod_event *p = &ev->u.pod;
    /* events.k8s.io/v1: regarding, note, deprecatedSource, deprecatedLastTimestamp */
    cr_assert_str_eq(S(e, p->pod), "team-llm/ckpt-writer-1");
    cr_assert_str_eq(S(e, ev->node), "node-22");
    cr_assert_eq(ev->ts, T("2026-11-24T18:50:12Z"));
    cr_assert(str_eq(p->resource, "ephemeral-storage"));
    cr_assert_eq(p->threshold, 19469689584LL);
    cr_assert_eq(p->available, 17915424LL * 1024);
    cr_assert_eq(p->usage, 210LL << 30);
    cr_assert_eq(p->request, 0);
    cr_assert(str_eq(p->container, "writer"));
    cr_assert_eq(ev->src.line, 32);
    fl_engine_free(e);
}

FL_TEST(k8s, events_k8s_io_times_and_series)
{
    /* eventTime (MicroTime) when no lastTimestamp; series.count and lastObservedTime win */
    struct fl_engine *e = ingest_text(
        "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"eventTime\":\"2026-11-24T18:50:"
        "12.512345Z\",\"reason\":\"BackOff\",\"note\":\"Back-off pulling image\",\"regarding\":{"
        "\"kind\":\"Pod\",\"namespace\":\"ns\",\"name\":\"p\"},\"reportingController\":\"kubelet\","
        "\"reportingInstance\":\"gpu-3\",\"series\":{\"count\":17,\"lastObservedTime\":\"2026-11-"
        "24T18:55:00.000001Z\"}}\n"
        "{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"eventTime\":\"2026-11-24T18:50:"
        "12.5Z\",\"reason\":\"FailedScheduling\",\"note\":\"0/8 nodes are "
        "available\",\"regarding\":"
        "{\"kind\":\"Pod\",\"namespace\":\"ns\",\"name\":\"q\"},\"reportingController\":\"default-"
        "scheduler\",\"reportingInstance\":\"default-scheduler-cp-1\"}\n"
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"firstTimestamp\":\"2026-11-24T18:40:00Z\","
        "\"lastTimestamp\":null,\"count\":3,\"reason\":\"Killing\",\"message\":\"m\","
        "\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"ns\",\"name\":\"r\",\"fieldPath\":"
        "\"spec.containers{c2}\"},\"source\":{\"component\":\"kubelet\",\"host\":\"gpu-4\"}}\n");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 3);
    const struct fl_event *k = nth(e, FL_EV_POD_EVENT, 0);
    cr_assert_eq(k->ts, T("2026-11-24T18:40:00Z"));
    cr_assert_eq(k->u.pod.count, 3);
    cr_assert(str_eq(k->u.pod.container, "c2"));
    cr_assert_str_eq(S(e, k->node), "gpu-4");
    const struct fl_event *fs = nth(e, FL_EV_POD_EVENT, 1);
    cr_assert_eq(fs->ts, T("2026-11-24T18:50:12.5Z"));
    cr_assert_eq(fs->node, 0, "a scheduler's reportingInstance is not a node");
    const struct fl_event *b = nth(e, FL_EV_POD_EVENT, 2);
    cr_assert_eq(b->ts, T("2026-11-24T18:55:00.000001Z"));
    cr_assert_eq(b->u.pod.count, 17);
    cr_assert_str_eq(S(e, b->node), "gpu-3", "a kubelet's reportingInstance is its node");
    fl_engine_free(e);
}

FL_TEST(k8s, nodes_sample)
{
    struct fl_engine *e = ingest_file("k8s-nodes.json");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_NODE_CONDITION), 8);
    struct fl_evlist l = fl_window_kind(fl_engine_window(e), FL_EV_NODE_CONDITION);
    const struct fl_event *mp = l.v[l.n - 2];
    cr_assert(str_eq(mp->u.cond.type, "MemoryPressure"));
    cr_assert_eq(mp->u.cond.status, FL_TRUE);
    cr_assert_eq(mp->ts, T("2026-11-24T18:40:55Z"));
    cr_assert_str_eq(S(e, mp->node), "node-17");
    cr_assert_eq(mp->u.cond.known, FL_COND_HAS_GPU_CAPACITY | FL_COND_HAS_GPU_ALLOCATABLE);
    cr_assert_eq(mp->u.cond.gpu_capacity, 8);
    cr_assert_eq(mp->u.cond.gpu_allocatable, 8);
    cr_assert(
        str_eq(mp->u.cond.labels,
               "kubernetes.io/hostname=node-17,nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3"));
    const struct fl_event *dp = l.v[l.n - 1];
    cr_assert(str_eq(dp->u.cond.type, "DiskPressure"));
    cr_assert_str_eq(S(e, dp->node), "node-22");
    cr_assert(str_eq(dp->u.cond.reason, "KubeletHasDiskPressure"));
    fl_engine_free(e);
}

FL_TEST(k8s, pods_sample)
{
    struct fl_engine *e = ingest_file("k8s-pods.json");
    const struct fl_skip *s;
    cr_assert_eq(skipped(e, &s), 0, "%s", s ? s->reason : "");
    /* 5 pod statuses + worker-12's terminated trainer + worker-5's OOMKilled lastState */
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 7);
    struct fl_evlist l = fl_window_kind(fl_engine_window(e), FL_EV_POD_EVENT);
    bool evicted = false, oom = false, adm = false, pending = false;
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *ev = l.v[i];
        const struct fl_ev_pod_event *p = &ev->u.pod;
        if (p->reason_code == FL_POD_EVICTED) {
            evicted = true;
            cr_assert_eq(ev->ts, T("2026-11-24T18:41:10Z"), "newest condition transition");
            cr_assert_str_eq(S(e, ev->node), "node-17");
            cr_assert_eq(p->gpus, 8);
            cr_assert(p->known & FL_POD_HAS_GPUS);
            cr_assert_eq(p->usage, 63350767616LL);
            cr_assert(str_eq(p->container, "trainer"));
        } else if (p->reason_code == FL_POD_OOMKILLED) {
            oom = true;
            cr_assert_eq(ev->ts, T("2026-11-24T18:46:31Z"));
            cr_assert_eq(p->exit_code, 137);
            cr_assert(p->known & FL_POD_HAS_EXIT_CODE);
            cr_assert_eq(p->count, 3);
            cr_assert(str_eq(p->container, "trainer"));
            cr_assert_eq(p->gpus, 8, "requests and limits are not added up");
            cr_assert_str_eq(S(e, ev->node), "node-06");
        } else if (p->reason_code == FL_POD_ADMISSION_ERROR) {
            adm = true;
            cr_assert_eq(p->request, 8);
            cr_assert_eq(p->available, 7);
            cr_assert_eq(ev->ts, T("2026-11-24T18:45:30Z"), "startTime when no condition");
        } else if (str_eq(p->reason, "Pending")) {
            pending = true;
            cr_assert_eq(ev->node, 0);
        }
    }
    cr_assert(evicted && oom && adm && pending);
    fl_engine_free(e);
}

FL_TEST(k8s, real_k9s_samples)
{
    struct fl_engine *e = ingest_file("k9s-event-gke-pulled.json");
    cr_assert_eq(skipped(e, NULL), 0);
    const struct fl_event *ev = nth(e, FL_EV_POD_EVENT, 0);
    cr_assert(str_eq(ev->u.pod.reason, "Pulled"));
    cr_assert_eq(ev->u.pod.reason_code, FL_POD_OTHER);
    cr_assert(str_eq(ev->u.pod.container, "c1"));
    cr_assert_str_eq(S(e, ev->node), "gke-k9s-default-pool-0fa2fb89-qnkc");
    cr_assert_str_eq(S(e, ev->u.pod.pod), "default/hello-1567197780-mn4mv");
    fl_engine_free(e);

    e = ingest_file("k9s-node-minikube-conditions.json");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_NODE_CONDITION), 4);
    ev = nth(e, FL_EV_NODE_CONDITION, 0);
    cr_assert_eq(ev->u.cond.known, 0, "no nvidia.com/gpu on minikube");
    cr_assert_str_eq(S(e, ev->node), "minikube");
    cr_assert(fl_str_starts_with(ev->u.cond.labels, "beta.kubernetes.io/arch=amd64,"));
    cr_assert(fl_str_ends_with(ev->u.cond.labels, "node-role.kubernetes.io/master="));
    fl_engine_free(e);

    e = ingest_file("k9s-pod-sidecar-terminated-completed.json");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 1, "a Completed exit 0 is not an event");
    ev = nth(e, FL_EV_POD_EVENT, 0);
    cr_assert(str_eq(ev->u.pod.reason, "Running"));
    cr_assert_str_eq(S(e, ev->node), "kind-control-plane");
    cr_assert_eq(ev->u.pod.gpus, 0);
    cr_assert(ev->u.pod.known & FL_POD_HAS_GPUS);
    cr_assert_eq(ev->ts, T("2024-08-24T01:54:39Z"));
    fl_engine_free(e);
}

FL_TEST(k8s, node_and_other_object_events)
{
    struct fl_engine *e = ingest_text(
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:00:00Z\","
        "\"reason\":\"NodeNotReady\",\"message\":\"Node gpu-7 status is now: NodeNotReady\","
        "\"involvedObject\":{\"kind\":\"Node\",\"name\":\"gpu-7\",\"uid\":\"gpu-7\"},\"source\":{"
        "\"component\":\"node-controller\"},\"type\":\"Normal\"}"
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:01:00Z\","
        "\"reason\":\"OOMKilling\",\"message\":\"Memory cgroup out of memory: Killed process 123 "
        "(python)\",\"involvedObject\":{\"kind\":\"Node\",\"name\":\"gpu-7\"},\"source\":{"
        "\"component\":\"kernel-monitor\",\"host\":\"gpu-7\"},\"type\":\"Warning\"}"
        "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:02:00Z\","
        "\"reason\":\"ScalingReplicaSet\",\"message\":\"Scaled up\",\"involvedObject\":{\"kind\":"
        "\"Deployment\",\"namespace\":\"team\",\"name\":\"web\"},\"type\":\"Normal\"}");
    cr_assert_eq(skipped(e, NULL), 0);
    const struct fl_event *c = nth(e, FL_EV_NODE_CONDITION, 0);
    cr_assert(str_eq(c->u.cond.type, "Ready"));
    cr_assert_eq(c->u.cond.status, FL_FALSE);
    cr_assert_str_eq(S(e, c->node), "gpu-7");
    cr_assert_eq(count_kind(e, FL_EV_LOG), 2);
    const struct fl_event *oom = nth(e, FL_EV_LOG, 0);
    cr_assert(str_eq(oom->u.log.text, "Node gpu-7 OOMKilling: Memory cgroup out of memory: "
                                      "Killed process 123 (python)"));
    cr_assert_eq(oom->u.log.level, 4);
    cr_assert_str_eq(S(e, oom->node), "gpu-7");
    const struct fl_event *d = nth(e, FL_EV_LOG, 1);
    cr_assert(str_eq(d->u.log.text, "Deployment team/web ScalingReplicaSet: Scaled up"));
    cr_assert_eq(d->node, 0);
    cr_assert_eq(d->u.log.level, 6);
    fl_engine_free(e);
}

/* ---- stream shapes ----------------------------------------------------------------- */

#define EV(t, name, host)                                                                          \
    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"" t                             \
    "\",\"reason\":\"Killing\","                                                                   \
    "\"message\":\"Stopping container c\",\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":"     \
    "\"ns\",\"name\":\"" name "\"},\"source\":{\"host\":\"" host "\"}}"

FL_TEST(k8s, watch_stream_variants)
{
    /* one per line, directly concatenated, wrapped watch events, BOOKMARK, CRLF, a BOM */
    struct fl_engine *e = ingest_text(
        "\xEF\xBB\xBF" EV("2026-11-24T18:00:00Z", "a", "n1") "\r\n" EV("2026-11-24T18:00:01Z", "b",
                                                                       "n1")
            EV("2026-11-24T18:00:02Z", "c",
               "n1") "\n"
                     "{\"type\":\"ADDED\",\"object\":" EV(
                         "2026-11-24T18:00:03Z", "d",
                         "n2") "}\n"
                               "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Event\","
                               "\"apiVersion\":\"v1\","
                               "\"metadata\":{\"resourceVersion\":\"12\"}}}\n"
                               "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"message\":"
                               "\"too old resource "
                               "version\"}}\n" EV("2026-11-24T18:00:04Z", "e", "n2") "\n\n");
    const struct fl_skip *s;
    cr_assert_eq(skipped(e, &s), 1);
    cr_assert(strstr(s->reason, "watch stream error: \"too old resource version\"") != NULL, "%s",
              s->reason);
    cr_assert_eq(s->line, 5);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 5);
    cr_assert_eq(nth(e, FL_EV_POD_EVENT, 2)->src.line, 2, "concatenated on line 2");
    cr_assert_eq(nth(e, FL_EV_POD_EVENT, 4)->src.line, 6);
    fl_engine_free(e);
}

FL_TEST(k8s, list_bad_items_are_skipped_with_their_line)
{
    const char *text =
        "{\n"
        "  \"apiVersion\": \"v1\",\n"
        "  \"items\": [\n"
        "    " EV(
            "2026-11-24T18:00:00Z", "a",
            "n1") ",\n"
                  "    {\"kind\": \"Event\",\n"
                  "     \"reason\": \"Killing\" \"x\": 1},\n"
                  "    " EV(
                      "not a time", "b",
                      "n1") ",\n"
                            "    {\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":"
                            "\"2026-11-24T18:00:00Z\",\"involvedObject\":{\"kind\":\"Pod\"}},\n"
                            "    {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\"},\n"
                            "    [1, 2],\n"
                            "    "
                            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                            "\"namespace\":\"n\"},\"spec\":{\"containers\":[{\"name\":\"c\","
                            "\"resources\":{\"limits\":{\"nvidia.com/"
                            "gpu\":\"12x\"}}}]},\"status\":{"
                            "\"phase\":\"Running\",\"startTime\":\"2026-11-24T18:00:00Z\"}},\n"
                            "    " EV("2026-11-24T18:00:09Z", "z", "n1") "\n"
                                                                         "  ],\n"
                                                                         "  \"kind\": \"List\"\n"
                                                                         "}\n";
    struct fl_engine *e = ingest_text(text);
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    cr_assert_eq(total, 6);
    static const struct {
        uint32_t line;
        const char *part;
    } want[] = {
        {5, "invalid JSON at line 6 column"},
        {7, "event \"lastTimestamp\": not an RFC 3339 time"},
        {8, "event \"reason\": required string missing"},
        {9, "unsupported object kind \"Deployment\""},
        {10, "not a JSON object"},
        {11, "pod \"spec.containers[].resources.limits.nvidia.com/gpu\": bad quantity \"12x\""},
    };
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq(s[i].line, want[i].line, "skip %zu at line %u", i, s[i].line);
        cr_assert(strstr(s[i].reason, want[i].part) != NULL, "skip %zu: '%s' lacks '%s'", i,
                  s[i].reason, want[i].part);
    }
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 2);
    cr_assert_eq(nth(e, FL_EV_POD_EVENT, 1)->src.line, 12);
    fl_engine_free(e);
}

FL_TEST(k8s, garbage_and_truncation_are_skips)
{
    static const struct {
        const char *text;
        const char *part;
    } cases[] = {
        {"{\"apiVersion\":\"v1\",\"items\":[" EV("2026-11-24T18:00:00Z", "a", "n") ",{\"kind\":",
         "JSON ends inside an object"},
        {"{\"apiVersion\":\"v1\",\"items\":[" EV("2026-11-24T18:00:00Z", "a", "n"),
         "JSON ends inside the items array"},
        {EV("2026-11-24T18:00:00Z", "a", "n") "{\"apiVersion\":\"v1\",\"kind\":\"Ev",
         "invalid JSON"},
        {EV("2026-11-24T18:00:00Z", "a", "n") "\nthis is not json\n", "expected an object"},
        {EV("2026-11-24T18:00:00Z", "a", "n") "\n\x01\x02\xff\n", "expected an object"},
        {EV("2026-11-24T18:00:00Z", "a", "n") "\n{\"a\":\"\x01\"}", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fl_engine *e = ingest_text(cases[i].text);
        const struct fl_skip *s;
        cr_assert_eq(skipped(e, &s), 1, "case %zu", i);
        cr_assert(strstr(s->reason, cases[i].part) != NULL, "case %zu: '%s' lacks '%s'", i,
                  s->reason, cases[i].part);
        cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 1, "case %zu", i);
        fl_engine_free(e);
    }
    /* NUL bytes inside a List: the item holding them is skipped, the rest read */
    const char text[] =
        "{\"items\":[" EV("2026-11-24T18:00:00Z", "a",
                          "n") ",{\"kind\":\"Ev\0nt\"}," EV("2026-11-24T18:00:01Z", "b", "n") "]}";
    struct in v = {"nul.json", text, sizeof text - 1};
    struct fl_engine *e = ingest_n(&v, 1, "kubernetes");
    cr_assert_eq(skipped(e, NULL), 1);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 2);
    fl_engine_free(e);
}

FL_TEST(k8s, every_truncation_length)
{
    static const char *const files[] = {"k8s-events-list.json", "k8s-events-watch.json",
                                        "k8s-nodes.json", "k8s-pods.json"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, DATA "%s", files[f]);
        char *full = slurp(path, &len);
        struct fl_engine *e0 = ingest_file(files[f]);
        size_t all = fl_engine_window(e0)->nevents;
        fl_engine_free(e0);
        for (size_t cut = 0; cut <= len; cut++) {
            char *b = malloc(cut ? cut : 1); /* exact size: an over-read hits ASan's redzone */
            memcpy(b, full, cut);
            struct in v = {files[f], b, cut};
            if (!cut)
                v.text = "";
            struct fl_engine *e = ingest_n(&v, 1, "kubernetes");
            size_t got = fl_engine_window(e)->nevents;
            cr_assert_leq(got, all, "%s cut at %zu: %zu events", files[f], cut, got);
            if (cut == len)
                cr_assert_eq(got, all);
            fl_engine_free(e);
            free(b);
        }
        free(full);
    }
}

/* ---- sniffing ---------------------------------------------------------------------- */

static const char *sniffed(const char *text, size_t len, const char *path)
{
    const struct fl_parser *p = fl_parser_sniff(text, len, fl_str_from_cstr(path));
    return p ? p->name : "none";
}

FL_TEST(k8s, sniff_takes_kubernetes_and_nothing_else)
{
    static const char *const mine[] = {"k8s-events-list.json",
                                       "k8s-events-watch.json",
                                       "k8s-nodes.json",
                                       "k8s-pods.json",
                                       "k9s-event-gke-pulled.json",
                                       "k9s-node-minikube-conditions.json",
                                       "k9s-pod-sidecar-terminated-completed.json"};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, DATA "%s", mine[i]);
        char *t = slurp(path, &len);
        cr_assert_str_eq(sniffed(t, len, mine[i]), "kubernetes", "%s", mine[i]);
        free(t);
    }
    const char *compact = EV("2026-11-24T18:00:00Z", "a", "n") "\n";
    cr_assert_str_eq(sniffed(compact, strlen(compact), "w.jsonl"), "kubernetes");
    const char *wrapped =
        "{\"type\":\"ADDED\",\"object\":" EV("2026-11-24T18:00:00Z", "a", "n") "}";
    cr_assert_str_eq(sniffed(wrapped, strlen(wrapped), "w"), "kubernetes");
    const char *empty_list = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": "
                             "\"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n"
                             "    }\n}\n";
    cr_assert_str_eq(sniffed(empty_list, strlen(empty_list), "e.json"), "kubernetes");

    /* not ours: faultline JSONL (even a pod_event), Prometheus API JSON, journal JSON, text */
    static const char *const others[] = {
        ("{\"schema\":\"faultline.events/v1\",\"kind\":\"pod_event\",\"ts\":"
         "\"2026-11-24T18:00:00Z\",\"pod_event\":{\"pod\":\"a/b\",\"reason\":\"Evicted\"}}\n"),
        "{\"kind\":\"log\",\"ts\":\"2026-11-24T18:00:00Z\",\"log\":{\"text\":\"kind Event\"}}\n",
        ("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{"
         "\"__name__\":\"DCGM_FI_DEV_GPU_TEMP\",\"kind\":\"Node\"},\"values\":[[1,\"2\"]]}]}}"),
        "{\"__REALTIME_TIMESTAMP\":\"1732473171551203\",\"MESSAGE\":\"NVRM: Xid\"}\n",
        "{\"version\":\"2.4\",\"pg_config\":{},\"entries\":[]}",
        "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n",
        "[ 9012.551203] NVRM: Xid (PCI:0000:3b:00): 79, pid=0, GPU has fallen off the bus.\n",
        "lastState:\n   terminated:\n     reason: OOMKilled\n",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        cr_assert_str_neq(sniffed(others[i], strlen(others[i]), "x"), "kubernetes", "case %zu", i);
}

/* ---- the cross-file node join ------------------------------------------------------- */

static const char *orphan_events =
    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:46:00Z\","
    "\"reason\":\"TaintManagerEviction\",\"message\":\"Marking for deletion Pod team-llm/"
    "pretrain-70b-worker-9\",\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"team-llm\","
    "\"name\":\"pretrain-70b-worker-9\",\"uid\":\"9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a\"},"
    "\"source\":{\"component\":\"taint-controller\"}}\n"
    /* same name, another incarnation (uid differs): must not take the pods file's node */
    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T16:00:00Z\","
    "\"reason\":\"NodeNotReady\",\"message\":\"Node is not ready\",\"involvedObject\":{\"kind\":"
    "\"Pod\",\"namespace\":\"team-llm\",\"name\":\"pretrain-70b-worker-9\",\"uid\":\"old-uid\"}}\n"
    /* no uid: joined by name */
    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:50:00Z\","
    "\"reason\":\"Preempted\",\"message\":\"Preempted by a higher priority pod\","
    "\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"team-llm\",\"name\":"
    "\"pretrain-70b-worker-5\"}}\n";

static void check_join(struct fl_engine *e)
{
    struct fl_evlist l = fl_window_kind(fl_engine_window(e), FL_EV_POD_EVENT);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *ev = l.v[i];
        if (ev->u.pod.reason_code == FL_POD_TAINT_EVICTION) {
            cr_assert_str_eq(S(e, ev->node), "node-31");
            seen |= 1;
        } else if (ev->u.pod.reason_code == FL_POD_NODE_NOT_READY) {
            cr_assert_eq(ev->node, 0, "another incarnation of the pod");
            seen |= 2;
        } else if (ev->u.pod.reason_code == FL_POD_PREEMPTED) {
            cr_assert_str_eq(S(e, ev->node), "node-06");
            seen |= 4;
        }
    }
    cr_assert_eq(seen, 7);
}

FL_TEST(k8s, pod_node_join_any_file_order)
{
    struct in a[2] = {{"a-events.json", orphan_events, 0}, {"b-pods.json", NULL, 0}};
    struct in b[2] = {{"a-pods.json", NULL, 0}, {"b-events.json", orphan_events, 0}};
    char path[512];
    size_t len;
    snprintf(path, sizeof path, DATA "k8s-pods.json");
    char *pods = slurp(path, &len);
    a[1].text = b[0].text = pods;
    a[1].len = b[0].len = len;
    struct fl_engine *e = ingest_n(a, 2, NULL);
    check_join(e);
    fl_engine_free(e);
    e = ingest_n(b, 2, NULL);
    check_join(e);
    fl_engine_free(e);
    /* without the pods file the node stays unknown */
    struct in c = {"events.json", orphan_events, 0};
    e = ingest_n(&c, 1, NULL);
    cr_assert_eq(nth(e, FL_EV_POD_EVENT, 0)->node, 0);
    fl_engine_free(e);
    free(pods);
}

/* ---- JSONL round trip -------------------------------------------------------------- */

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

FL_TEST(k8s, round_trip_through_faultline_jsonl)
{
    static const char *const files[] = {"k8s-events-list.json", "k8s-events-watch.json",
                                        "k8s-nodes.json", "k8s-pods.json"};
    struct in v[4];
    for (size_t i = 0; i < 4; i++)
        v[i] = (struct in){files[i], NULL, 0};
    struct fl_engine *e1 = ingest_n(v, 4, NULL);
    char *once = events_jsonl(e1);
    cr_assert(strstr(once, "\"threshold\":104857600") != NULL);
    cr_assert(strstr(once, "\"gpu_allocatable\":8") != NULL);
    cr_assert(strstr(once, "\"exit_code\":137") != NULL);
    cr_assert(strstr(once, "\"pod_uid\":\"6c0de53643d0-1b2c-4d5e-8f90-0a1b2c3d4e5f\"") != NULL);
    cr_assert(strstr(once, "\"labels\":\"kubernetes.io/hostname=node-17,") != NULL);
    struct in j = {"k.jsonl", once, 0};
    struct fl_engine *e2 = ingest_n(&j, 1, "faultline-jsonl");
    cr_assert_eq(skipped(e2, NULL), 0);
    char *twice = events_jsonl(e2);
    cr_assert_str_eq(once, twice);
    free(once);
    free(twice);
    fl_engine_free(e1);
    fl_engine_free(e2);
}

FL_TEST(k8s, allocation_failure_loop)
{
    char path[512];
    size_t len;
    snprintf(path, sizeof path, DATA "k8s-pods.json");
    char *pods = slurp(path, &len);
    bool completed = false;
    for (uint64_t n = 1; n < 100000 && !completed; n++) {
        fl_alloc_fail_after(n, 1);
        struct fl_engine_opts o;
        fl_engine_opts_init(&o);
        struct fl_engine *e = fl_engine_new(&o, NULL);
        int rc = FL_ENOMEM;
        if (e && fl_engine_add_buffer(e, "pods.json", pods, len, NULL) == 0 &&
            fl_engine_add_buffer(e, "ev.json", orphan_events, strlen(orphan_events), NULL) == 0)
            rc = fl_engine_run(e, NULL);
        fl_alloc_fail_after(0, 0);
        if (rc == 0) {
            cr_assert_eq(fl_engine_window(e)->nevents, 10, "n=%llu", (unsigned long long)n);
            completed = true;
        } else {
            cr_assert_eq(rc, FL_ENOMEM, "n=%llu: rc %d", (unsigned long long)n, rc);
        }
        fl_engine_free(e);
    }
    cr_assert(completed);
    free(pods);
}

FL_TEST(k8s, raw_api_lists_and_arrays)
{
    /* kind from the List ("PodList" first, as the API writes it), from the shape when the List
     * kind comes last, and Lists inside a top-level array (jq -s) */
    struct fl_engine *e = ingest_text(
        "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"name\":\"a\","
        "\"namespace\":\"ns\"},\"spec\":{\"nodeName\":\"n1\",\"containers\":[]},\"status\":{"
        "\"phase\":\"Running\",\"startTime\":\"2026-11-24T18:00:00Z\"}}]}\n"
        "[{\"items\":[{\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"ns\",\"name\":\"b\"},"
        "\"reason\":\"Killing\",\"lastTimestamp\":\"2026-11-24T18:00:01Z\"}],\"kind\":"
        "\"EventList\"},{\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":\"n2\"},"
        "\"status\":{\"allocatable\":{\"nvidia.com/gpu\":7},\"conditions\":[{\"type\":\"Ready\","
        "\"status\":\"Unknown\",\"lastHeartbeatTime\":\"2026-11-24T18:00:02Z\"}]}}]}]\n");
    cr_assert_eq(skipped(e, NULL), 0);
    cr_assert_eq(count_kind(e, FL_EV_POD_EVENT), 2);
    const struct fl_event *c = nth(e, FL_EV_NODE_CONDITION, 0);
    cr_assert_eq(c->u.cond.status, FL_UNKNOWN);
    cr_assert_eq(c->ts, T("2026-11-24T18:00:02Z"), "lastHeartbeatTime when no transition time");
    cr_assert_eq(c->u.cond.known, FL_COND_HAS_GPU_ALLOCATABLE);
    cr_assert_eq(c->u.cond.gpu_allocatable, 7, "a bare JSON number is a quantity too");
    cr_assert_str_eq(S(e, nth(e, FL_EV_POD_EVENT, 0)->node), "n1");
    const struct fl_event *b = nth(e, FL_EV_POD_EVENT, 1);
    cr_assert_eq(b->u.pod.reason_code, FL_POD_KILLING);
    cr_assert_eq(b->node, 0, "no host and nothing to join: the node stays unknown");
    fl_engine_free(e);
}

/* ---- uids: hashed in batches, equal to fl_event_compute_uid ------------------------------ */

/* Every event's uid is fl_event_compute_uid of the node it had when it was read: its node now,
 * or none for a pod event whose node the cross-file join filled in later. */
static void uids_are_compute_uid(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_gt(w->nevents, 0);
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        uint64_t named = fl_event_compute_uid(ev, fl_str_from_cstr(S(e, ev->node)));
        uint64_t unnamed = fl_event_compute_uid(ev, FL_STR_NULL);
        cr_assert(ev->uid == named || (ev->kind == FL_EV_POD_EVENT && ev->uid == unnamed),
                  "event %zu (line %u): uid %016llx", i, ev->src.line, (unsigned long long)ev->uid);
    }
}

FL_TEST(k8s, uids_equal_fl_event_compute_uid)
{
    static const char *const files[] = {"k8s-events-list.json", "k8s-events-watch.json",
                                        "k8s-nodes.json", "k8s-pods.json",
                                        "k9s-pod-sidecar-terminated-completed.json"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        struct fl_engine *e = ingest_file(files[f]);
        uids_are_compute_uid(e);
        fl_engine_free(e);
    }
    /* more events than one batch, of many lengths, in emit order: 100 events, one a line */
    char *text = malloc(100 * 600);
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        char name[256], pad[200];
        memset(pad, 'x', sizeof pad);
        pad[(i * 37) % 199] = '\0';
        snprintf(name, sizeof name, "p%d-%s", i, pad);
        n += (size_t)snprintf(text + n, 600, EV("2026-11-24T18:00:%02dZ", "%s", "node-%d") "\n",
                              i % 60, name, i % 7);
    }
    struct in v = {"batch.json", text, n};
    struct fl_engine *e = ingest_n(&v, 1, "kubernetes");
    cr_assert_eq(fl_engine_window(e)->nevents, 100);
    cr_assert_eq(skipped(e, NULL), 0);
    uids_are_compute_uid(e);
    /* same ts: emit (line) order breaks no tie the uid leaves, but every line is there once */
    unsigned seen[101] = {0};
    for (size_t i = 0; i < 100; i++)
        seen[fl_engine_window(e)->events[i]->src.line]++;
    for (unsigned l = 1; l <= 100; l++)
        cr_assert_eq(seen[l], 1, "line %u read %u times", l, seen[l]);
    fl_engine_free(e);
    free(text);
}

FL_TEST(k8s, hash64_many_equals_one_at_a_time)
{
    char buf[3000];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 131 + (i >> 3));
    for (size_t n = 0; n <= 40; n++) {
        const void *data[40];
        size_t len[40];
        uint64_t h[40], hs[40], want[40];
        for (size_t i = 0; i < n; i++) {
            len[i] = (i * 977 + n * 31) % 1500; /* 0 included: an empty record */
            if (i % 5 == 3)
                len[i] %= 9; /* shorter than a vector step */
            data[i] = len[i] ? buf + (i * 53) % 1400 : NULL;
            h[i] = hs[i] = 0x1234567 * (i + 1);
            want[i] = fl_hash64(data[i], len[i], h[i]);
        }
        fl_hash64_many(data, len, h, n); /* the vector path where the CPU has one */
        fl__hash64_many_scalar(data, len, hs, n);
        for (size_t i = 0; i < n; i++) {
            cr_assert_eq(h[i], want[i], "n=%zu input %zu", n, i);
            cr_assert_eq(hs[i], want[i], "scalar: n=%zu input %zu", n, i);
        }
    }
}

FL_TEST(k8s, pod_node_join_many_anchors_out_of_order)
{
    /* 100 kubelet events of pod p (a long run: sorted by qsort) and 10 of pod q (insertion
     * sort), newest first, the node changing at 18:00:50; an orphan of each at 18:00:55 and one
     * before all anchors (the earliest after it) */
    char *text = malloc(200 * 400);
    size_t n = 0;
    for (int i = 99; i >= 0; i--)
        n += (size_t)snprintf(text + n, 400, EV("2026-11-24T18:%02d:%02dZ", "p", "%s") "\n",
                              1 + i / 60, i % 60, i >= 50 ? "node-b" : "node-a");
    for (int i = 9; i >= 0; i--)
        n += (size_t)snprintf(text + n, 400, EV("2026-11-24T18:01:%02dZ", "q", "%s") "\n", i,
                              i >= 5 ? "node-d" : "node-c");
    static const char *const orphans[] = {"p", "q"};
    for (int k = 0; k < 2; k++) {
        n += (size_t)snprintf(text + n, 400,
                              "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"%s\","
                              "\"reason\":\"NodeNotReady\",\"involvedObject\":{\"kind\":\"Pod\","
                              "\"namespace\":\"ns\",\"name\":\"%s\"}}\n",
                              k ? "2026-11-24T18:01:07Z" : "2026-11-24T18:01:55Z", orphans[k]);
        n += (size_t)snprintf(text + n, 400,
                              "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":"
                              "\"2026-11-24T17:00:00Z\",\"reason\":\"NodeNotReady\","
                              "\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"ns\","
                              "\"name\":\"%s\"}}\n",
                              orphans[k]);
    }
    struct in v = {"many.json", text, n};
    struct fl_engine *e = ingest_n(&v, 1, "kubernetes");
    cr_assert_eq(skipped(e, NULL), 0);
    size_t seen = 0;
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        if (ev->u.pod.reason_code != FL_POD_NODE_NOT_READY)
            continue;
        const char *pod = S(e, ev->u.pod.pod), *node = S(e, ev->node);
        if (ev->ts == T("2026-11-24T17:00:00Z"))
            cr_assert_str_eq(node, strcmp(pod, "ns/p") == 0 ? "node-a" : "node-c", "%s", pod);
        else
            cr_assert_str_eq(node, strcmp(pod, "ns/p") == 0 ? "node-b" : "node-d", "%s", pod);
        seen++;
    }
    cr_assert_eq(seen, 4);
    fl_engine_free(e);
    free(text);
}

/* ---- the workload of a pod: from its labels in the pods file ---------------------------- */

#define JPOD(name, uid, labels)                                                                    \
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" name                       \
    "\",\"namespace\":\"ml\",\"uid\":\"" uid "\",\"labels\":{" labels                              \
    "}},\"spec\":{\"nodeName\":\"gpu-1\"},\"status\":{\"phase\":\"Running\",\"startTime\":"        \
    "\"2026-11-24T17:00:00Z\"}}"
#define JEV(name, uid)                                                                             \
    "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"lastTimestamp\":\"2026-11-24T18:00:00Z\","        \
    "\"reason\":\"Killing\",\"message\":\"Stopping container c\",\"involvedObject\":{\"kind\":"    \
    "\"Pod\",\"namespace\":\"ml\",\"name\":\"" name "\",\"uid\":\"" uid "\"},\"source\":{"          \
    "\"host\":\"gpu-1\"}}\n"

FL_TEST(k8s, pod_job_from_labels_reaches_the_events_list)
{
    static const char pods[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        /* a JobSet's pod also carries its child Job's names: the JobSet wins */
        JPOD("llm-workers-0-3-x7k2p", "u1",
             "\"batch.kubernetes.io/job-name\":\"llm-workers-0\",\"job-name\":\"llm-workers-0\","
             "\"jobset.sigs.k8s.io/jobset-name\":\"llm\"") ","
        JPOD("bert-worker-1", "u2", "\"training.kubeflow.org/job-name\":\"bert\"") ","
        JPOD("etl-5x2c", "u3", "\"job-name\":\"etl\"") ","
        JPOD("web-7d9f", "u4", "\"app\":\"web\"") "]}";
    static const char events[] = JEV("llm-workers-0-3-x7k2p", "u1") JEV("bert-worker-1", "")
        JEV("etl-5x2c", "other-incarnation") JEV("web-7d9f", "u4");
    const struct in v[] = {{"events.json", events, 0}, {"pods.json", pods, 0}};
    struct fl_engine *e = ingest_n(v, 2, "kubernetes");
    cr_assert_eq(skipped(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    size_t checked = 0;
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        if (ev->kind != FL_EV_POD_EVENT || ev->u.pod.reason_code != FL_POD_KILLING)
            continue;
        const char *pod = S(e, ev->u.pod.pod), *job = ev->job ? S(e, ev->job) : "";
        if (strcmp(pod, "ml/llm-workers-0-3-x7k2p") == 0)
            cr_assert_str_eq(job, "ml/llm", "by uid, the JobSet label first");
        else if (strcmp(pod, "ml/bert-worker-1") == 0)
            cr_assert_str_eq(job, "ml/bert", "by name when the event has no uid");
        else if (strcmp(pod, "ml/etl-5x2c") == 0)
            cr_assert_str_eq(job, "", "another incarnation of the pod: not joined");
        else
            cr_assert_str_eq(job, "", "no job label: no job");
        checked++;
    }
    cr_assert_eq(checked, 4);
    fl_engine_free(e);
}
