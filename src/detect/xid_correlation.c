/* xid_correlation: an NVIDIA XID on a node, joined to the pods on that node that were
 * evicted, killed, failed, restarted or refused within a window after it.
 *
 * One verdict per (XID burst, affected pod); an XID that touched no pod still gets one
 * node/GPU verdict. A burst is the same code on the same GPU repeating with gaps shorter
 * than storm_gap: one verdict with a count, not one per line. XID 45 (preemptive cleanup)
 * following another XID on the same GPU is that XID's consequence: it becomes evidence of
 * the earlier burst, not a fault of its own. XIDs NVIDIA's catalog attributes to the
 * application are never blamed on the GPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/catalog.h"
#include "faultline/detector.h"
#include "faultline/err.h"

enum { P_WINDOW, P_STORM_GAP, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_WINDOW] = {"window", FL_CFG_DURATION, "10m", "1s", "24h",
                  "how long after an XID a pod disruption on the same node is joined to it"},
    [P_STORM_GAP] = {"storm_gap", FL_CFG_DURATION, "5m", "0s", "24h",
                     "repeats of one XID code on one GPU closer than this form one burst"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "8", "2", "1000",
                        "most XID lines of one burst listed as evidence (first and last kept)"},
};

static const struct fl_pattern patterns[] = {
    {"xid_correlation.pod_disrupted",
     "A GPU error (XID) on a node was followed within the window by a pod on that node being "
     "evicted, killed, failed, restarted or refused: the XID is the likely cause of the pod's "
     "disruption. The remediation is NVIDIA's catalog action for that XID, pinned to node and GPU."},
    {"xid_correlation.gpu_error",
     "A GPU error (XID) that disrupted no pod seen in the bundle: the GPU or driver fault stands "
     "on its own, at the catalog's severity, with the catalog's action."},
    {"xid_correlation.app_fault",
     "An XID NVIDIA's catalog attributes to the application (illegal address, MMU fault from a "
     "user kernel...): the program faulted; the GPU is not blamed."},
    {NULL, NULL},
};

/* A burst: consecutive XIDs of one code on one (node, GPU). */
struct burst {
    const struct fl_event **xids; /* into the sorted copy */
    size_t n;
    const struct fl_event *consequence; /* first XID 45 that followed it, if any */
    size_t nconsequence;
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
    case FL_POD_TAINT_EVICTION:
        return true;
    default:
        return false;
    }
}

static void fmt_delay(int64_t ns, char *buf, size_t cap)
{
    int64_t s = ns / FL_NS_PER_SEC;
    if (ns < FL_NS_PER_SEC)
        snprintf(buf, cap, "%lldms", (long long)(ns / FL_NS_PER_MS));
    else if (s < 120)
        snprintf(buf, cap, "%llds", (long long)s);
    else
        snprintf(buf, cap, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
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

static int emit(const struct fl_window *w, const union fl_cfg_value *cfg,
                struct fl_verdict_sink *out, const struct burst *b, const struct fl_event *pod)
{
    const struct fl_event *first = b->xids[0];
    uint32_t code = first->u.xid.code;
    const struct fl_xid_info *info = fl_xid_lookup(code);
    const char *node = first->node ? fl_window_str(w, first->node) : "(unknown node)";
    char gpu[96], count[48] = "", delay[32];
    gpu_label(w, &first->gpu, gpu, sizeof gpu);
    if (b->n > 1)
        snprintf(count, sizeof count, " x%zu", b->n);
    const char *name = info ? info->description : "unknown XID";
    bool app = info && info->app_fault;

    struct fl_verdict v = {0};
    v.ts = first->ts;
    v.scope.node = first->node;
    v.scope.gpu = first->gpu;
    v.scope.job = first->job;
    v.severity = info ? (enum fl_severity)info->severity : FL_SEV_ERROR;
    if (app) {
        v.pattern_id = "xid_correlation.app_fault";
        if (v.severity < FL_SEV_WARNING)
            v.severity = FL_SEV_WARNING;
    } else {
        v.pattern_id = pod ? "xid_correlation.pod_disrupted" : "xid_correlation.gpu_error";
    }

    if (pod) {
        v.scope.pod = pod->u.pod.pod;
        fmt_delay(pod->ts - first->ts, delay, sizeof delay);
        v.headline = fl_verdict_printf(
            out, "%s: XID %u%s (%s) on %s %s, then pod %s %.*s %s later", app ? "Application fault" : "GPU fault",
            code, count, name, node, gpu, fl_window_str(w, pod->u.pod.pod),
            FL_STR_FMT(pod->u.pod.reason), delay);
    } else {
        v.headline = fl_verdict_printf(out, "%s: XID %u%s (%s) on %s %s",
                                       app ? "Application fault" : "GPU fault", code, count, name,
                                       node, gpu);
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
    }
    else
        v.remediation = remediation(out, info, node, gpu);

    /* evidence: first and last XID lines of the burst (up to max_evidence), the XID 45 that
     * followed, the pod event */
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    struct fl_evidence ev[1003];
    size_t ne = 0;
    size_t shown = b->n <= maxev ? b->n : maxev;
    for (size_t i = 0; i < shown; i++) {
        size_t k = (i + 1 == shown && shown < b->n) ? b->n - 1 : i;
        const struct fl_event *x = b->xids[k];
        ev[ne].ev = x;
        const char *where = b->n < 2 ? "" : k == 0 ? " (first of burst)"
                                          : k == b->n - 1 ? " (last of burst)" : "";
        ev[ne].description = fl_verdict_printf(out, "XID %u%s%s%.*s", x->u.xid.code, where,
                                               x->u.xid.text.len ? ": " : "",
                                               FL_STR_FMT(x->u.xid.text));
        ne++;
    }
    if (b->consequence) {
        ev[ne].ev = b->consequence;
        ev[ne].description = fl_verdict_printf(
            out, "XID 45 x%zu: the driver cleaned up the GPU's channels after the fault (consequence)",
            b->nconsequence);
        ne++;
    }
    if (pod) {
        ev[ne].ev = pod;
        ev[ne].description = fl_verdict_printf(out, "pod %s %.*s: %.*s",
                                               fl_window_str(w, pod->u.pod.pod),
                                               FL_STR_FMT(pod->u.pod.reason),
                                               FL_STR_FMT(pod->u.pod.message));
        ne++;
    }
    v.evidence = ev;
    v.nevidence = ne;
    return fl_verdict_emit(out, &v);
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist xl = fl_window_kind(w, FL_EV_XID);
    if (!xl.n)
        return 0;
    int64_t window = cfg[P_WINDOW].i, gap = cfg[P_STORM_GAP].i;
    const struct fl_event **x = fl_malloc(xl.n * sizeof *x);
    struct burst *bursts = fl_malloc(xl.n * sizeof *bursts);
    if (!x || !bursts) {
        fl_free(x);
        fl_free(bursts);
        return FL_ENOMEM;
    }
    size_t nx = 0;
    for (size_t i = 0; i < xl.n; i++)
        if (xl.v[i]->clock == FL_CLOCK_WALL) /* boot-relative stamps cannot be joined */
            x[nx++] = xl.v[i];
    qsort(x, nx, sizeof *x, cmp_xid);

    size_t nb = 0;
    for (size_t i = 0; i < nx; i++) {
        struct burst *last = nb ? &bursts[nb - 1] : NULL;
        if (last && last->xids[0]->node == x[i]->node && last->xids[0]->gpu.pci == x[i]->gpu.pci &&
            last->xids[0]->u.xid.code == x[i]->u.xid.code &&
            x[i]->ts - last->xids[last->n - 1]->ts <= gap) {
            last->n++;
            continue;
        }
        bursts[nb++] = (struct burst){.xids = &x[i], .n = 1};
    }

    /* XID 45 after another XID on the same GPU (within the join window) is its consequence */
    bool *absorbed = fl_calloc(nb ? nb : 1, sizeof *absorbed);
    if (!absorbed) {
        fl_free(x);
        fl_free(bursts);
        return FL_ENOMEM;
    }
    for (size_t i = 0; i < nb; i++) {
        const struct fl_event *f = bursts[i].xids[0];
        if (f->u.xid.code != 45)
            continue;
        size_t best = nb;
        for (size_t j = 0; j < nb; j++) {
            const struct fl_event *g = bursts[j].xids[0];
            if (j == i || g->u.xid.code == 45 || g->node != f->node || g->gpu.pci != f->gpu.pci)
                continue;
            if (g->ts <= f->ts && f->ts - g->ts <= window &&
                (best == nb || g->ts > bursts[best].xids[0]->ts))
                best = j;
        }
        if (best < nb && !bursts[best].consequence) {
            bursts[best].consequence = f;
            bursts[best].nconsequence = bursts[i].n;
            absorbed[i] = true;
        }
    }

    int rc = 0;
    for (size_t i = 0; i < nb && rc == 0; i++) {
        if (absorbed[i])
            continue;
        const struct burst *b = &bursts[i];
        int64_t from = b->xids[0]->ts, to = b->xids[b->n - 1]->ts + window;
        struct fl_evlist pods = fl_window_node(w, FL_EV_POD_EVENT, b->xids[0]->node);
        size_t npods = 0;
        /* one verdict per pod: its first disruption in [from, to] */
        for (size_t k = 0; k < pods.n && rc == 0; k++) {
            const struct fl_event *p = pods.v[k];
            if (p->clock != FL_CLOCK_WALL || p->ts < from || p->ts > to || !disrupts(p) ||
                !b->xids[0]->node)
                continue;
            bool seen = false;
            for (size_t m = 0; m < k && !seen; m++) {
                const struct fl_event *q = pods.v[m];
                seen = q->u.pod.pod == p->u.pod.pod && q->clock == FL_CLOCK_WALL &&
                       q->ts >= from && q->ts <= to && disrupts(q);
            }
            if (seen)
                continue;
            rc = emit(w, cfg, out, b, p);
            npods++;
        }
        if (rc == 0 && npods == 0)
            rc = emit(w, cfg, out, b, NULL);
    }
    fl_free(absorbed);
    fl_free(x);
    fl_free(bursts);
    return rc;
}

const struct fl_detector fl_detector_xid_correlation = {
    .name = "xid_correlation",
    .summary = "NVIDIA XIDs joined to the pods on the same node they disrupted, with the "
               "catalog's action",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_XID) | FL_EV_BIT(FL_EV_POD_EVENT),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
