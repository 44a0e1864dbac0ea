/* xid_correlation: an NVIDIA XID on a node, joined to the pods on that node that were
 * evicted, killed, failed, restarted or refused within a window after it.
 *
 * One verdict per (XID burst, affected pod); an XID that touched no pod still gets one
 * node/GPU verdict at the catalog's severity, except a memory XID, which hbm_ecc judges with
 * the GPU's ECC counters (leave_memory_xids). A burst is the same code on the same GPU
 * repeating with gaps shorter than storm_gap: one verdict with a count, not one per line.
 * XID 45 (preemptive cleanup) following another XID on the same GPU is that XID's
 * consequence: it becomes evidence of the earlier burst, not a fault of its own. XIDs
 * NVIDIA's catalog attributes to the application are never blamed on the GPU, and the same
 * application XID on job_min_nodes or more nodes of one job within job_window is one
 * application crash listing the nodes, not one fault per node.
 *
 * The GPU of a verdict is the XID's PCI address; its nvidia-smi / DCGM index and UUID come
 * from the XID itself or, when it lacks them, from any XID, gpu_sample, ecc or throttle event
 * of the same node and PCI address (nvidia-smi -q, dcgm-exporter scrapes carry all three).
 *
 * A job is the XIDs' job id when the events carry one; otherwise the workload the disrupted
 * pods belong to, read from the pod name without its ordinal, generated suffix and
 * worker/master role word ("ml/llama-70b-worker-3" -> "ml/llama-70b"); otherwise unknown,
 * and XIDs of unknown job are grouped only with each other and said to be so.
 *
 * XIDs stamped only relative to boot (a plain `dmesg`, no wall clock and no boot time to
 * resolve it) are judged too: bursts, XID 45 consequences and the catalog's action work on one
 * node's boot clock. They cannot be joined to pods or to other nodes (Kubernetes times are
 * wall times), so such a verdict names no pod and no job crash, has no time, says how long
 * after boot it happened and how to give the log a wall clock. A boot-relative XID whose GPU
 * shows the same code on the wall clock too is the same fault read from a second log of the
 * node (a raw dmesg beside kern.log) and is left to the wall-clock one.
 *
 * Scratch memory comes from the sink's arena: a warm run allocates nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/verdict_text.h"
#include "faultline/arena.h"
#include "faultline/catalog.h"
#include "faultline/detector.h"
#include "faultline/err.h"

enum { P_WINDOW, P_STORM_GAP, P_MAX_EVIDENCE, P_JOB_WINDOW, P_JOB_MIN_NODES, P_MEMORY_TO_HBM };

static const struct fl_cfg_param params[] = {
    [P_WINDOW] = {"window", FL_CFG_DURATION, "10m", "1s", "24h",
                  "how long after an XID a pod disruption on the same node is joined to it"},
    [P_STORM_GAP] = {"storm_gap", FL_CFG_DURATION, "5m", "0s", "24h",
                     "repeats of one XID code on one GPU closer than this form one burst"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "8", "2", "1000",
                        "most XID lines of one burst listed as evidence (first and last kept)"},
    [P_JOB_WINDOW] = {"job_window", FL_CFG_DURATION, "2m", "1s", "1h",
                      "span within which the same application XID on several nodes of one job "
                      "is one application crash"},
    [P_JOB_MIN_NODES] = {"job_min_nodes", FL_CFG_INT, "3", "2", "100000",
                         "fewest nodes of one job showing the same application XID within "
                         "job_window for one job-level crash verdict"},
    [P_MEMORY_TO_HBM] = {"leave_memory_xids", FL_CFG_BOOL, "true", NULL, NULL,
                         "memory XIDs (48, 63, 64, 92, 94, 95, 140) that disrupted no pod are "
                         "left to hbm_ecc, which judges them with the GPU's ECC counters (one "
                         "verdict per GPU, not one per XID); set false to run xid_correlation "
                         "alone"},
};

static const struct fl_pattern patterns[] = {
    {"xid_correlation.pod_disrupted",
     "A GPU error (XID) on a node was followed within the window by a pod on that node being "
     "evicted, killed, failed, restarted or refused: the XID is the likely cause of the pod's "
     "disruption. The remediation is NVIDIA's catalog action for that XID, pinned to node and "
     "GPU."},
    {"xid_correlation.gpu_error",
     "A GPU error (XID) that disrupted no pod seen in the bundle: the GPU or driver fault stands "
     "on its own, at the catalog's severity, with the catalog's action. Memory XIDs are left to "
     "hbm_ecc here (setting leave_memory_xids)."},
    {"xid_correlation.app_fault",
     "An XID NVIDIA's catalog attributes to the application (illegal address, MMU fault from a "
     "user kernel...): the program faulted; the GPU is not blamed."},
    {"xid_correlation.job_app_crash",
     "The same application XID (13, 31, 43...) on job_min_nodes or more nodes of one job within "
     "job_window: one crash of the application, not that many hardware faults. The nodes are "
     "listed and none should be drained for it; the job is the events' job id, else the "
     "workload named by the disrupted pods."},
    {NULL, NULL},
};

enum { JOB_NONE = 0, JOB_ID = 1, JOB_WORKLOAD = 2 };

/* Which job an application XID belongs to. */
struct jobkey {
    uint8_t how;            /* JOB_* */
    uint32_t job;           /* JOB_ID: interned job id */
    struct fl_str workload; /* JOB_WORKLOAD: "namespace/name" prefix of a pod name */
};

/* A burst: consecutive XIDs of one code on one (node, GPU). */
struct burst {
    const struct fl_event **xids; /* into the sorted copy */
    size_t n;
    const struct fl_event *consequence; /* first XID 45 that followed it, if any */
    size_t nconsequence;
    struct fl_gpu_ref gpu; /* the XIDs' GPU, index and UUID completed from the bundle */
    struct fl_evlist pods; /* the node's pod events */
    size_t pod_lo, pod_hi; /* pods[pod_lo, pod_hi): those within [first, last + window] */
    struct jobkey key;     /* application XIDs only */
    bool absorbed;         /* an XID 45 told as another burst's consequence */
    bool in_job;           /* told in a job-level crash verdict */
};

static int cmp_xid(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->gpu.pci != y->gpu.pci)
        return x->gpu.pci < y->gpu.pci ? -1 : 1;
    if (x->u.xid.code != y->u.xid.code)
        return x->u.xid.code < y->u.xid.code ? -1 : 1;
    return fl_event_cmp(x, y);
}

static bool disrupts(const struct fl_event *ev)
{
    switch ((enum fl_pod_reason)ev->u.pod.reason_code) {
    case FL_POD_EVICTED:
    case FL_POD_KILLING:
    case FL_POD_OOMKILLED:
    case FL_POD_FAILED:
    case FL_POD_BACKOFF:
    case FL_POD_ADMISSION_ERROR:
    case FL_POD_PREEMPTED:
        return true;
    case FL_POD_TAINT_EVICTION:
        /* "Cancelling deletion of Pod ..." is the taint manager standing down (the node came
         * back): nothing happened to the pod */
        return !fl_str_starts_with(fl_str_trim(ev->u.pod.message), "Cancelling deletion");
    default:
        return false;
    }
}

/* The k-th pod event of b's range is the first disruption of its pod in that range. */
static bool first_disruption(const struct burst *b, size_t k)
{
    const struct fl_event *p = b->pods.v[k];
    if (p->clock != FL_CLOCK_WALL || !disrupts(p))
        return false;
    for (size_t m = b->pod_lo; m < k; m++) {
        const struct fl_event *q = b->pods.v[m];
        if (q->u.pod.pod == p->u.pod.pod && q->clock == FL_CLOCK_WALL && disrupts(q))
            return false;
    }
    return true;
}

static const char *gpu_label(const struct fl_window *w, const struct fl_gpu_ref *g, char *buf,
                             size_t cap)
{
    if (!g->pci)
        snprintf(buf, cap, "an unidentified GPU");
    else if (g->index >= 0)
        snprintf(buf, cap, "GPU %d (%s)", g->index, fl_window_str(w, g->pci));
    else
        snprintf(buf, cap, "GPU %s", fl_window_str(w, g->pci));
    return buf;
}

/* g with its index and UUID completed from events of the same node and PCI address that
 * know them (XID, nvidia-smi / DCGM samples, ECC and throttle records), first in time wins.
 * Nothing is joined on an unknown node. */
static struct fl_gpu_ref map_gpu(const struct fl_window *w, uint32_t node, struct fl_gpu_ref g)
{
    static const enum fl_event_kind kinds[] = {FL_EV_XID, FL_EV_GPU_SAMPLE, FL_EV_ECC,
                                               FL_EV_THROTTLE};
    if (!g.pci || !node)
        return g;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct fl_evlist l = fl_window_gpu(w, kinds[k], node, g.pci);
        for (size_t i = 0; i < l.n && (g.index < 0 || !g.uuid); i++) {
            if (g.index < 0 && l.v[i]->gpu.index >= 0)
                g.index = l.v[i]->gpu.index;
            if (!g.uuid && l.v[i]->gpu.uuid)
                g.uuid = l.v[i]->gpu.uuid;
        }
    }
    return g;
}

/* ---- the job of an application XID ---------------------------------------------------- */

static bool all_in(struct fl_str s, const char *set)
{
    for (size_t i = 0; i < s.len; i++)
        if (!s.ptr[i] || !strchr(set, s.ptr[i]))
            return false;
    return s.len > 0;
}

/* Index of the last '-' in s at or after from, or -1. */
static ptrdiff_t last_dash(struct fl_str s, size_t from)
{
    for (size_t i = s.len; i > from; i--)
        if (s.ptr[i - 1] == '-')
            return (ptrdiff_t)i - 1;
    return -1;
}

/* The workload a pod ("namespace/name") belongs to: its name without trailing ordinals
 * ("-3"), generated suffixes (Kubernetes' 5-character random suffix, a ReplicaSet's
 * pod-template hash, both from the alphabet "bcdfghjklmnpqrstvwxz2456789") and then one
 * role word of a training operator (worker, master, launcher...). */
static struct fl_str workload_of(struct fl_str pod)
{
    static const char *const roles[] = {"worker", "master", "launcher", "leader",
                                        "chief",  "ps",     "evaluator"};
    static const char gen[] = "bcdfghjklmnpqrstvwxz2456789";
    ptrdiff_t slash = -1;
    for (size_t i = 0; i < pod.len && slash < 0; i++)
        if (pod.ptr[i] == '/')
            slash = (ptrdiff_t)i;
    size_t name = (size_t)(slash + 1);
    struct fl_str s = pod;
    for (;;) {
        ptrdiff_t d = last_dash(s, name + 1);
        if (d < 0)
            break;
        struct fl_str seg = fl_str_make(s.ptr + d + 1, s.len - (size_t)d - 1);
        bool generated = (seg.len == 5 || (seg.len >= 8 && seg.len <= 10)) && all_in(seg, gen);
        if (!all_in(seg, "0123456789") && !generated)
            break;
        s.len = (size_t)d;
    }
    ptrdiff_t d = last_dash(s, name + 1);
    if (d >= 0) {
        struct fl_str seg = fl_str_make(s.ptr + d + 1, s.len - (size_t)d - 1);
        for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
            if (fl_str_eq_cstr(seg, roles[i]))
                s.len = (size_t)d;
    }
    return s;
}

static struct jobkey job_of(const struct fl_window *w, const struct burst *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->xids[i]->job)
            return (struct jobkey){.how = JOB_ID, .job = b->xids[i]->job};
    for (size_t k = b->pod_lo; k < b->pod_hi; k++)
        if (first_disruption(b, k) && b->pods.v[k]->job)
            return (struct jobkey){.how = JOB_ID, .job = b->pods.v[k]->job};
    for (size_t k = b->pod_lo; k < b->pod_hi; k++)
        if (first_disruption(b, k)) {
            struct fl_str pod = fl_intern_str(w->intern, b->pods.v[k]->u.pod.pod);
            if (pod.len)
                return (struct jobkey){.how = JOB_WORKLOAD, .workload = workload_of(pod)};
        }
    return (struct jobkey){.how = JOB_NONE};
}

static int cmp_key(const struct jobkey *x, const struct jobkey *y)
{
    if (x->how != y->how)
        return x->how < y->how ? -1 : 1;
    if (x->how == JOB_ID && x->job != y->job)
        return x->job < y->job ? -1 : 1;
    if (x->how == JOB_WORKLOAD)
        return fl_str_cmp(x->workload, y->workload);
    return 0;
}

/* Application bursts by (code, job, time). */
static int cmp_app(const void *a, const void *b)
{
    const struct burst *x = *(const struct burst *const *)a;
    const struct burst *y = *(const struct burst *const *)b;
    if (x->xids[0]->u.xid.code != y->xids[0]->u.xid.code)
        return x->xids[0]->u.xid.code < y->xids[0]->u.xid.code ? -1 : 1;
    int c = cmp_key(&x->key, &y->key);
    if (c)
        return c;
    return fl_event_cmp(x->xids[0], y->xids[0]);
}

/* ---- verdicts ------------------------------------------------------------------------- */

/* What the operator should do, following the catalog's immediate-action bucket and never
 * stronger than it. */
static const char *remediation(struct fl_verdict_sink *out, const struct fl_xid_info *info,
                               const char *node, const char *gpu)
{
    if (!info)
        return fl_verdict_printf(out,
                                 "XID not in NVIDIA's catalog: check the driver release notes "
                                 "for it; collect nvidia-bug-report.sh on %s before any reset.",
                                 node);
    return fl_verdict_printf(out, "%s, %s: %s (NVIDIA catalog action %s)", node, gpu,
                             fl_xid_action_meaning(info->immediate),
                             fl_xid_action_name(info->immediate));
}

/* Evidence of b's XID lines: the first and last of the burst, up to max lines. */
static size_t xid_evidence(struct fl_verdict_sink *out, const struct burst *b, size_t maxev,
                           struct fl_evidence *ev)
{
    size_t ne = 0;
    size_t shown = b->n <= maxev ? b->n : maxev;
    for (size_t i = 0; i < shown; i++) {
        size_t k = (i + 1 == shown && shown < b->n) ? b->n - 1 : i;
        const struct fl_event *x = b->xids[k];
        const char *where = b->n < 2        ? ""
                            : k == 0        ? " (first of burst)"
                            : k == b->n - 1 ? " (last of burst)"
                                            : "";
        ev[ne].ev = x;
        ev[ne].description =
            fl_verdict_printf(out, "XID %u%s%s%.*s", x->u.xid.code, where,
                              x->u.xid.text.len ? ": " : "", FL_STR_FMT(x->u.xid.text));
        ne++;
    }
    return ne;
}

static int emit(const struct fl_window *w, const union fl_cfg_value *cfg,
                struct fl_verdict_sink *out, const struct burst *b, const struct fl_event *pod,
                struct fl_evidence *ev)
{
    const struct fl_event *first = b->xids[0];
    uint32_t code = first->u.xid.code;
    const struct fl_xid_info *info = fl_xid_lookup(code);
    const char *node = fl__node_name(w, first->node);
    char gpu[96], count[48] = "", delay[32];
    gpu_label(w, &b->gpu, gpu, sizeof gpu);
    if (b->n > 1)
        snprintf(count, sizeof count, " x%zu", b->n);
    const char *name = info ? info->description : "unknown XID";
    bool app = info && info->app_fault;

    struct fl_verdict v = {0};
    char when[96];
    v.ts = fl__verdict_when(first, when, sizeof when);
    bool boot = first->clock != FL_CLOCK_WALL;
    v.scope.node = first->node;
    v.scope.gpu = b->gpu;
    v.scope.job = first->job;
    v.severity = info ? (enum fl_severity)info->severity : FL_SEV_ERROR;
    const char *what = "GPU fault";
    if (app) {
        v.pattern_id = "xid_correlation.app_fault";
        what = "Application fault";
        if (v.severity < FL_SEV_WARNING)
            v.severity = FL_SEV_WARNING;
    } else {
        v.pattern_id = pod ? "xid_correlation.pod_disrupted" : "xid_correlation.gpu_error";
    }

    if (pod) {
        v.scope.pod = pod->u.pod.pod;
        fl__fmt_delay(fl__elapsed(first->ts, pod->ts), delay, sizeof delay);
        v.headline = fl_verdict_printf(
            out, "%s: XID %u%s (%s) on %s %s, then pod %s %.*s %s later", what, code, count, name,
            node, gpu, fl_window_str(w, pod->u.pod.pod), FL_STR_FMT(pod->u.pod.reason), delay);
    } else {
        v.headline = fl_verdict_printf(out, "%s: XID %u%s (%s) on %s %s%s", what, code, count,
                                       name, node, gpu, when);
    }
    if (app) {
        char proc[96] = "";
        if (first->u.xid.process.len)
            snprintf(proc, sizeof proc, " (process %.*s, pid %lld)",
                     FL_STR_FMT(first->u.xid.process), (long long)first->u.xid.pid);
        v.remediation = fl_verdict_printf(
            out,
            "The application faulted on %s: NVIDIA attributes XID %u to the program, not the "
            "GPU. Debug the job%s; do not drain or RMA %s for this. NVIDIA action: %s.",
            gpu, code, proc, node, fl_xid_action_name(info->immediate));
    } else {
        v.remediation = remediation(out, info, node, gpu);
    }
    if (boot)
        v.remediation = fl_verdict_printf(
            out,
            "%s To join it to pods and other nodes, give the log a wall clock: `dmesg -T` or "
            "`journalctl -k -o short-iso` on the node, or `--boot-time` with the node's boot "
            "time (`uptime -s`).",
            v.remediation);

    /* evidence: first and last XID lines of the burst (up to max_evidence), the XID 45 that
     * followed, the pod event */
    size_t ne = xid_evidence(out, b, (size_t)cfg[P_MAX_EVIDENCE].i, ev);
    if (b->consequence) {
        ev[ne].ev = b->consequence;
        ev[ne].description = fl_verdict_printf(
            out,
            "XID 45 x%zu: the driver cleaned up the GPU's channels after the fault (consequence)",
            b->nconsequence);
        ne++;
    }
    if (pod) {
        ev[ne].ev = pod;
        ev[ne].description =
            fl_verdict_printf(out, "pod %s %.*s: %.*s", fl_window_str(w, pod->u.pod.pod),
                              FL_STR_FMT(pod->u.pod.reason), FL_STR_FMT(pod->u.pod.message));
        ne++;
    }
    v.evidence = ev;
    v.nevidence = ne;
    return fl_verdict_emit(out, &v);
}

/* Keep at most maxev of n items: the first maxev-1 and the last. */
static bool keep(size_t i, size_t n, size_t maxev)
{
    return n <= maxev || i + 1 < maxev || i + 1 == n;
}

/* One verdict for the application bursts a[i, j), on nodes distinct nodes of one job. */
static int emit_job(const struct fl_window *w, const union fl_cfg_value *cfg,
                    struct fl_verdict_sink *out, struct burst *const *a, size_t i, size_t j,
                    size_t nodes, struct fl_evidence *ev)
{
    const struct burst *b0 = a[i];
    const struct fl_event *first = b0->xids[0];
    uint32_t code = first->u.xid.code;
    const struct fl_xid_info *info = fl_xid_lookup(code);
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;

    /* the nodes in order of their first fault, the XID lines, the pods disrupted */
    char list[512];
    size_t len = 0, listed = 0, lines = 0, npods = 0, ne = 0, nodeno = 0;
    list[0] = '\0';
    int64_t last = first->ts;
    for (size_t k = i; k < j; k++) {
        const struct burst *b = a[k];
        lines += b->n;
        if (b->xids[b->n - 1]->ts > last)
            last = b->xids[b->n - 1]->ts;
        bool seen = false;
        for (size_t m = i; m < k && !seen; m++)
            seen = a[m]->xids[0]->node == b->xids[0]->node;
        if (seen)
            continue;
        if (listed < 6 && len < sizeof list) {
            int n = snprintf(list + len, sizeof list - len, "%s%s", listed ? ", " : "",
                             fl__node_name(w, b->xids[0]->node));
            len = n < 0 ? len : len + (size_t)n;
            listed++;
        }
        if (keep(nodeno, nodes, maxev)) {
            char gpu[96];
            const struct fl_event *x = b->xids[0];
            ev[ne].ev = x;
            ev[ne].description =
                fl_verdict_printf(out, "XID %u on %s %s%s%.*s", code, fl__node_name(w, x->node),
                                  gpu_label(w, &b->gpu, gpu, sizeof gpu),
                                  x->u.xid.text.len ? ": " : "", FL_STR_FMT(x->u.xid.text));
            ne++;
        }
        nodeno++;
    }
    if (len >= sizeof list)
        len = sizeof list - 1;
    char more[48] = "";
    if (nodes > listed)
        snprintf(more, sizeof more, " and %zu more", nodes - listed);
    for (int pass = 0; pass < 2; pass++) { /* count, then list the first and last */
        size_t seen_pods = 0;
        for (size_t k = i; k < j; k++) {
            const struct burst *b = a[k];
            for (size_t p = b->pod_lo; p < b->pod_hi; p++) {
                if (!first_disruption(b, p))
                    continue;
                bool dup = false; /* the same pod joined to an earlier burst of the cluster */
                for (size_t m = i; m < k && !dup; m++)
                    for (size_t q = a[m]->pod_lo; q < a[m]->pod_hi && !dup; q++)
                        dup = first_disruption(a[m], q) &&
                              a[m]->pods.v[q]->u.pod.pod == b->pods.v[p]->u.pod.pod;
                if (dup)
                    continue;
                if (pass == 1 && keep(seen_pods, npods, maxev)) {
                    const struct fl_event *pe = b->pods.v[p];
                    ev[ne].ev = pe;
                    ev[ne].description = fl_verdict_printf(
                        out, "pod %s %.*s on %s: %.*s", fl_window_str(w, pe->u.pod.pod),
                        FL_STR_FMT(pe->u.pod.reason), fl__node_name(w, pe->node),
                        FL_STR_FMT(pe->u.pod.message));
                    ne++;
                }
                seen_pods++;
            }
        }
        npods = seen_pods;
    }

    char job[192], count[48] = "", span[32], pods[48] = "";
    if (b0->key.how == JOB_ID)
        snprintf(job, sizeof job, "of job %s", fl_window_str(w, b0->key.job));
    else if (b0->key.how == JOB_WORKLOAD)
        snprintf(job, sizeof job, "of workload %.*s (from its pod names)",
                 FL_STR_FMT(b0->key.workload));
    else
        snprintf(job, sizeof job, "at once (no job id or pod in the bundle names the job)");
    if (lines > nodes)
        snprintf(count, sizeof count, " x%zu", lines);
    if (npods)
        snprintf(pods, sizeof pods, ", %zu pod%s disrupted", npods, npods == 1 ? "" : "s");
    fl__fmt_delay(fl__elapsed(first->ts, last), span, sizeof span);

    struct fl_verdict v = {0};
    v.pattern_id = "xid_correlation.job_app_crash";
    v.ts = first->ts;
    v.severity = info ? (enum fl_severity)info->severity : FL_SEV_WARNING;
    if (b0->key.how == JOB_ID)
        v.scope.job = b0->key.job;
    v.headline = fl_verdict_printf(
        out,
        "Application crash on %zu nodes %s: XID %u%s (%s) on %.*s%s within %s%s; not a "
        "hardware fault",
        nodes, job, code, count, info ? info->description : "unknown XID", (int)len, list, more,
        span, pods);
    char gpu[96], proc[96] = "";
    if (first->u.xid.process.len)
        snprintf(proc, sizeof proc, ", process %.*s pid %lld", FL_STR_FMT(first->u.xid.process),
                 (long long)first->u.xid.pid);
    v.remediation = fl_verdict_printf(
        out,
        "One crash of the application, not %zu hardware faults: NVIDIA attributes XID %u to the "
        "program (catalog action %s). Debug the job from its first fault (%s %s%s) and restart "
        "it; do not drain, reset or RMA these nodes for this.",
        nodes, code, info ? fl_xid_action_name(info->immediate) : "NONE", fl__node_name(w, first->node),
        gpu_label(w, &b0->gpu, gpu, sizeof gpu), proc);
    v.evidence = ev;
    v.nevidence = ne;
    return fl_verdict_emit(out, &v);
}

static size_t distinct_nodes(struct burst *const *a, size_t i, size_t j)
{
    size_t n = 0;
    for (size_t k = i; k < j; k++) {
        bool seen = false;
        for (size_t m = i; m < k && !seen; m++)
            seen = a[m]->xids[0]->node == a[k]->xids[0]->node;
        n += !seen;
    }
    return n;
}

/* Find the job-level crashes among the application bursts: within each (code, job) run,
 * the earliest span of job_window holding job_min_nodes nodes or more is one crash; its
 * bursts are marked and told there. */
static int find_jobs(const struct fl_window *w, const union fl_cfg_value *cfg,
                     struct fl_verdict_sink *out, struct burst **a, size_t na,
                     struct fl_evidence *ev)
{
    qsort(a, na, sizeof *a, cmp_app);
    int64_t span = cfg[P_JOB_WINDOW].i;
    size_t min_nodes = (size_t)cfg[P_JOB_MIN_NODES].i;
    int rc = 0;
    for (size_t g0 = 0, g1; g0 < na && rc == 0; g0 = g1) {
        for (g1 = g0 + 1; g1 < na && a[g1]->xids[0]->u.xid.code == a[g0]->xids[0]->u.xid.code &&
                          cmp_key(&a[g1]->key, &a[g0]->key) == 0;
             g1++)
            ;
        size_t j = g0;
        for (size_t i = g0; i < g1 && rc == 0;) {
            if (j < i)
                j = i;
            while (j < g1 && fl__elapsed(a[i]->xids[0]->ts, a[j]->xids[0]->ts) <= span)
                j++;
            size_t nodes = distinct_nodes(a, i, j);
            if (nodes < min_nodes) {
                i++;
                continue;
            }
            for (size_t k = i; k < j; k++)
                a[k]->in_job = true;
            rc = emit_job(w, cfg, out, a, i, j, nodes, ev);
            i = j;
        }
    }
    return rc;
}

/* A boot-relative XID whose GPU shows the same code on the wall clock too: the same fault
 * read from a second log of the node (a raw dmesg beside kern.log or the journal), judged
 * once, from the log that can be joined. */
static bool seen_on_wall_clock(const struct fl_window *w, const struct fl_event *x)
{
    struct fl_evlist l = fl_window_gpu(w, FL_EV_XID, x->node, x->gpu.pci);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i]->clock == FL_CLOCK_WALL && l.v[i]->u.xid.code == x->u.xid.code)
            return true;
    return false;
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist xl = fl_window_kind(w, FL_EV_XID);
    if (!xl.n)
        return 0;
    int64_t window = cfg[P_WINDOW].i, gap = cfg[P_STORM_GAP].i;
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    const struct fl_event **x = FL_ARENA_NEW_N(out->arena, const struct fl_event *, xl.n);
    struct burst *bursts = FL_ARENA_NEW_N(out->arena, struct burst, xl.n);
    struct burst **app = FL_ARENA_NEW_N(out->arena, struct burst *, xl.n);
    struct fl_evidence *ev = FL_ARENA_NEW_N(out->arena, struct fl_evidence, 2 * maxev + 4);
    if (!x || !bursts || !app || !ev)
        return FL_ENOMEM;
    size_t nx = 0;
    for (size_t i = 0; i < xl.n; i++) /* boot-relative stamps too: see the top */
        if (xl.v[i]->clock == FL_CLOCK_WALL ||
            (xl.v[i]->clock == FL_CLOCK_BOOT && !seen_on_wall_clock(w, xl.v[i])))
            x[nx++] = xl.v[i];
    qsort(x, nx, sizeof *x, cmp_xid);

    size_t nb = 0;
    for (size_t i = 0; i < nx; i++) {
        struct burst *last = nb ? &bursts[nb - 1] : NULL;
        if (last && last->xids[0]->node == x[i]->node && last->xids[0]->gpu.pci == x[i]->gpu.pci &&
            last->xids[0]->u.xid.code == x[i]->u.xid.code &&
            last->xids[0]->clock == x[i]->clock &&
            fl__elapsed(last->xids[last->n - 1]->ts, x[i]->ts) <= gap) {
            last->n++;
            continue;
        }
        bursts[nb++] = (struct burst){.xids = &x[i], .n = 1};
    }

    /* per GPU (bursts of one (node, pci) are adjacent): its index/UUID, and XID 45 after
     * another XID on it (within the join window) is that XID's consequence */
    for (size_t g0 = 0, g1; g0 < nb; g0 = g1) {
        const struct fl_event *f0 = bursts[g0].xids[0];
        for (g1 = g0 + 1; g1 < nb && bursts[g1].xids[0]->node == f0->node &&
                          bursts[g1].xids[0]->gpu.pci == f0->gpu.pci;
             g1++)
            ;
        struct fl_gpu_ref gpu = map_gpu(w, f0->node, f0->gpu);
        for (size_t i = g0; i < g1; i++) {
            bursts[i].gpu = bursts[i].xids[0]->gpu;
            if (bursts[i].gpu.index < 0)
                bursts[i].gpu.index = gpu.index;
            if (!bursts[i].gpu.uuid)
                bursts[i].gpu.uuid = gpu.uuid;
        }
        for (size_t i = g0; i < g1; i++) {
            const struct fl_event *f = bursts[i].xids[0];
            if (f->u.xid.code != 45)
                continue;
            size_t best = g1;
            for (size_t j = g0; j < g1; j++) {
                const struct fl_event *g = bursts[j].xids[0];
                if (j == i || g->u.xid.code == 45 || g->clock != f->clock)
                    continue;
                if (g->ts <= f->ts && fl__elapsed(g->ts, f->ts) <= window &&
                    (best == g1 || g->ts > bursts[best].xids[0]->ts))
                    best = j;
            }
            if (best < g1 && !bursts[best].consequence) {
                bursts[best].consequence = f;
                bursts[best].nconsequence = bursts[i].n;
                bursts[i].absorbed = true;
            }
        }
    }

    /* the pods each burst may have disrupted; application bursts and their jobs */
    size_t na = 0;
    for (size_t i = 0; i < nb; i++) {
        struct burst *b = &bursts[i];
        if (b->absorbed || b->xids[0]->clock != FL_CLOCK_WALL)
            continue; /* boot-relative: no pod, no job across nodes */
        if (b->xids[0]->node) {
            b->pods = fl_window_node(w, FL_EV_POD_EVENT, b->xids[0]->node);
            b->pod_lo = fl_evlist_lower_bound(b->pods, b->xids[0]->ts);
            int64_t last = b->xids[b->n - 1]->ts;
            b->pod_hi = fl_evlist_lower_bound(
                b->pods, last > INT64_MAX - window - 1 ? INT64_MAX : last + window + 1);
        }
        const struct fl_xid_info *info = fl_xid_lookup(b->xids[0]->u.xid.code);
        if (info && info->app_fault) {
            b->key = job_of(w, b);
            app[na++] = b;
        }
    }
    int rc = find_jobs(w, cfg, out, app, na, ev);

    for (size_t i = 0; i < nb && rc == 0; i++) {
        const struct burst *b = &bursts[i];
        if (b->absorbed || b->in_job)
            continue;
        size_t npods = 0;
        /* one verdict per pod: its first disruption in [first, last + window] */
        for (size_t k = b->pod_lo; k < b->pod_hi && rc == 0; k++) {
            if (!first_disruption(b, k))
                continue;
            rc = emit(w, cfg, out, b, b->pods.v[k], ev);
            npods++;
        }
        if (rc == 0 && npods == 0 &&
            !(cfg[P_MEMORY_TO_HBM].b && fl_xid_is_memory(b->xids[0]->u.xid.code)))
            rc = emit(w, cfg, out, b, NULL, ev);
    }
    return rc;
}

const struct fl_detector fl_detector_xid_correlation = {
    .name = "xid_correlation",
    .summary = "NVIDIA XIDs joined to the pods on the same node they disrupted, with the "
               "catalog's action",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_XID) | FL_EV_BIT(FL_EV_POD_EVENT) | FL_EV_BIT(FL_EV_GPU_SAMPLE) |
             FL_EV_BIT(FL_EV_ECC) | FL_EV_BIT(FL_EV_THROTTLE),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
