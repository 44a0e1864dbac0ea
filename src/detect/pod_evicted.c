/* pod_evicted: a kubelet eviction joined to the node condition that caused it.
 *
 * The kubelet's eviction manager evicts a pod when a node signal crosses its threshold and
 * reports the matching node condition (pkg/kubelet/eviction/helpers.go):
 *   memory                      -> MemoryPressure
 *   ephemeral-storage, inodes   -> DiskPressure (nodefs, imagefs, containerfs)
 *   pids                        -> PIDPressure
 * Its message ("The node was low on resource: memory. Threshold quantity: 100Mi, available:
 * 92104Ki. Container trainer was using 59Gi, request is 48Gi, ...") is read by the ingest into
 * resource, threshold, available and the container furthest over its request.
 *
 * One verdict per evicted pod: every Evicted record of the same pod (an event with count > 1,
 * the pods file's status and the events file's event) is one eviction, split only when the pod
 * uid changes (a StatefulSet pod recreated under the same name) or a gap exceeds the window.
 * The eviction is joined to the latest transition of its condition on its node at or before
 * it, when that transition is to True and at most `window` old (inclusive: a condition exactly
 * `window` before is joined). The kubelet stamps lastTransitionTime when it next posts node
 * status (nodeStatusUpdateFrequency, 10s by default) while the eviction manager evicts at once,
 * so a True transition at most `report_lag` after the eviction is joined too; one later than
 * that is not joined. Without a joined condition the verdict stands on the message and says
 * it is partial, and why (no node, no condition data, True too late or too long before, False).
 *
 * Also judged here, under their own patterns, because a reader sees the same word "Evicted" or
 * "eviction" and needs to be told the cause is different:
 *   - evictions for exceeding the pod's own ephemeral-storage or emptyDir limit (no node
 *     pressure: never joined to a condition);
 *   - admission rejections ("The node had condition: [DiskPressure]"): the pod never ran;
 *   - TaintManagerEviction "Marking for deletion": the node went NotReady/unreachable and the
 *     pod's NoExecute toleration expired; joined to the node's Ready False/Unknown transition.
 *     "Cancelling deletion" (the node came back) is not an eviction and is ignored.
 * An eviction wave (at least `wave_pods` pods evicted from one node, each within `window` of
 * the wave's first, the wave going on while evictions keep coming within `window`) is also one
 * node-level verdict. Records without a wall-clock time are not judged (they cannot be
 * ordered against a condition). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/detector.h"
#include "faultline/err.h"
#include "faultline/time.h"

enum { P_WINDOW, P_REPORT_LAG, P_WAVE_PODS, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_WINDOW] = {"window", FL_CFG_DURATION, "10m", "1s", "24h",
                  "how long before an eviction the node condition that caused it may have turned "
                  "True (Ready turned False or Unknown for a taint eviction), inclusive; also the "
                  "span of an eviction wave"},
    [P_REPORT_LAG] = {"report_lag", FL_CFG_DURATION, "10s", "0s", "5m",
                      "a pressure condition the kubelet reported True at most this long after the "
                      "eviction is still joined (it posts node status every "
                      "nodeStatusUpdateFrequency, 10s by default, but evicts at once)"},
    [P_WAVE_PODS] = {"wave_pods", FL_CFG_INT, "3", "2", "100000",
                     "pods evicted from one node within the window that make an eviction wave "
                     "(one node-level verdict besides the per-pod ones)"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "8", "2", "1000",
                        "most eviction records listed as evidence of one verdict (first and last "
                        "kept; the headline gives the count)"},
};

static const struct fl_pattern patterns[] = {
    {"pod_evicted.node_pressure",
     "The kubelet evicted the pod because its node ran low on memory, disk (ephemeral-storage, "
     "inodes) or PIDs, joined to the node's MemoryPressure, DiskPressure or PIDPressure turning "
     "True within the window before it. Without such a condition the verdict rests on the "
     "kubelet's message and says it is partial, and why. Warning: one eviction is the kubelet "
     "protecting the node; the remediation names the container most over its request."},
    {"pod_evicted.storage_limit",
     "The kubelet evicted the pod for exceeding its own ephemeral-storage limit (a container's, "
     "the pod's total, or an emptyDir sizeLimit): the node was not under pressure and no node "
     "condition is involved. Warning: fix the pod's limit or where it writes."},
    {"pod_evicted.rejected",
     "The kubelet refused to admit the pod (reason Evicted, \"The node had condition\") because "
     "the node already had a pressure condition: the pod never ran there. Joined to that "
     "condition like an eviction. Warning."},
    {"pod_evicted.node_not_ready",
     "The taint manager deleted the pod (TaintManagerEviction) after its node went NotReady or "
     "unreachable and the pod's NoExecute toleration ran out: a node failure, not resource "
     "pressure, joined to the node's Ready turning False or Unknown within the window before. "
     "Kept here rather than left out because the pod was evicted all the same and the reader "
     "must be told the cause differs: the remediation points at the node, not at the pod. "
     "Warning per pod; \"Cancelling deletion\" events (the node came back) are not evictions."},
    {"pod_evicted.wave",
     "At least wave_pods pods were evicted from one node within the window (pressure evictions, "
     "or taint deletions after the node went NotReady): one node-level summary besides the "
     "per-pod verdicts. Error: the node itself is overcommitted or lost, not one pod."},
    {NULL, NULL},
};

/* What an eviction record is. */
enum cls { CL_PRESSURE, CL_UNSTATED, CL_REJECTED, CL_LIMIT, CL_TAINT };
/* Node condition types joined. CD_NONE: the record does not say which pressure. */
enum cond { CD_NONE, CD_MEMORY, CD_DISK, CD_PID, CD_READY };
static const char *const cond_names[] = {"", "MemoryPressure", "DiskPressure", "PIDPressure",
                                         "Ready"};

/* How the join came out. */
enum how {
    J_JOINED,   /* condition turned True (Ready not True) within window before */
    J_LAGGED,   /* pressure reported True within report_lag after */
    J_NO_NODE,  /* the eviction names no node */
    J_NO_DATA,  /* no condition of that type for the node */
    J_AFTER,    /* turned True only after report_lag */
    J_STALE,    /* True (NotReady) since before the window */
    J_NOT_TRUE, /* the condition said False (Ready True) at the eviction */
    J_NO_TRUE,  /* CD_NONE: no pressure condition turned True within the window */
    J_NONE,     /* storage limit: nothing to join */
};

struct join {
    uint8_t how;              /* enum how */
    uint8_t cond;             /* enum cond, the type joined or looked for */
    const struct fl_event *c; /* the condition event, joined or explaining the partial */
};

struct rec {
    const struct fl_event *ev;
    uint8_t cls, cond;
    uint8_t family; /* 0 kubelet, 1 taint manager */
};

struct grp {
    const struct rec *r; /* records of one eviction, ts order */
    size_t n;
    const struct rec *best; /* the record with the most facts */
    int64_t t;              /* earliest record */
    uint32_t node;
    struct join j;
};

/* a - b, saturated: times and quantities from JSON Lines may be anywhere in int64 */
static int64_t sub(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

/* ---- classification -------------------------------------------------------------- */

static bool has(struct fl_str s, const char *lit)
{
    return fl_str_find(s, fl_str_from_cstr(lit)) >= 0;
}

static uint8_t cond_of_resource(struct fl_str r)
{
    if (fl_str_eq_cstr(r, "memory"))
        return CD_MEMORY;
    if (fl_str_eq_cstr(r, "ephemeral-storage") || fl_str_eq_cstr(r, "inodes"))
        return CD_DISK;
    if (fl_str_eq_cstr(r, "pids"))
        return CD_PID;
    return CD_NONE;
}

/* The first pressure condition a "The node had condition: [A B]" message names. */
static uint8_t cond_in_message(struct fl_str m)
{
    ptrdiff_t at = fl_str_find(m, FL_STR_LIT("The node had condition: "));
    struct fl_str s = fl_str_sub(m, (size_t)(at < 0 ? 0 : at), m.len);
    uint8_t best = CD_NONE;
    ptrdiff_t best_at = -1;
    for (uint8_t c = CD_MEMORY; c <= CD_PID; c++) {
        ptrdiff_t p = fl_str_find(s, fl_str_from_cstr(cond_names[c]));
        if (p >= 0 && (best_at < 0 || p < best_at)) {
            best = c;
            best_at = p;
        }
    }
    return best;
}

static bool classify(const struct fl_event *ev, struct rec *out)
{
    const struct fl_ev_pod_event *p = &ev->u.pod;
    out->ev = ev;
    out->family = 0;
    out->cond = CD_NONE;
    if (p->reason_code == FL_POD_TAINT_EVICTION) {
        if (fl_str_starts_with(fl_str_trim(p->message), "Cancelling deletion"))
            return false;
        out->cls = CL_TAINT;
        out->cond = CD_READY;
        out->family = 1;
        return true;
    }
    if (p->reason_code != FL_POD_EVICTED)
        return false;
    if (has(p->message, "The node was low on resource")) {
        out->cls = CL_PRESSURE;
        out->cond = cond_of_resource(p->resource);
    } else if (has(p->message, "The node had condition")) {
        out->cls = CL_REJECTED;
        out->cond = cond_in_message(p->message);
    } else if (p->resource.len || has(p->message, "exceeded its local ephemeral storage limit") ||
               has(p->message, "Pod ephemeral local storage usage exceeds") ||
               has(p->message, "Usage of EmptyDir volume")) {
        out->cls = CL_LIMIT; /* a container, pod or emptyDir limit sentence */
    } else {
        out->cls = CL_UNSTATED;
    }
    return true;
}

static int popcount8(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static int score(const struct rec *r)
{
    const struct fl_ev_pod_event *p = &r->ev->u.pod;
    return (r->cls != CL_UNSTATED) * 100 + popcount8(p->known) * 10 + (p->message.len > 0);
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->ev->u.pod.pod != y->ev->u.pod.pod)
        return x->ev->u.pod.pod < y->ev->u.pod.pod ? -1 : 1;
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return fl_event_cmp(x->ev, y->ev);
}

/* ---- the join ---------------------------------------------------------------------- */

static bool is_type(const struct fl_event *c, uint8_t cd)
{
    return fl_str_eq_cstr(c->u.cond.type, cond_names[cd]);
}

/* A pressure condition counts when True; Ready counts when not True (False or Unknown). */
static bool bad(const struct fl_event *c, uint8_t cd)
{
    return cd == CD_READY ? c->u.cond.status != FL_TRUE : c->u.cond.status == FL_TRUE;
}

static struct join join_one(const struct fl_window *w, const union fl_cfg_value *cfg, uint32_t node,
                            int64_t t, uint8_t cd)
{
    struct join j = {J_NO_DATA, cd, NULL};
    struct fl_evlist l = fl_window_node(w, FL_EV_NODE_CONDITION, node);
    int64_t window = cfg[P_WINDOW].i;
    int64_t lag = cd == CD_READY ? 0 : cfg[P_REPORT_LAG].i;
    const struct fl_event *before = NULL, *after = NULL;
    bool any = false;
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *c = l.v[i];
        if (c->clock != FL_CLOCK_WALL || !is_type(c, cd))
            continue;
        any = true;
        if (cd != CD_READY && c->u.cond.status == FL_UNKNOWN)
            continue; /* the kubelet stopped reporting: says nothing about pressure */
        if (c->ts <= t)
            before = c; /* ts order: the latest wins */
        else if (!after && bad(c, cd))
            after = c;
    }
    if (!any)
        return j;
    if (before && bad(before, cd) && sub(t, before->ts) <= window)
        return (struct join){J_JOINED, cd, before};
    if (after && sub(after->ts, t) <= lag)
        return (struct join){J_LAGGED, cd, after};
    if (after)
        return (struct join){J_AFTER, cd, after};
    if (before)
        return (struct join){bad(before, cd) ? J_STALE : J_NOT_TRUE, cd, before};
    return (struct join){J_NO_TRUE, cd, NULL};
}

static struct join join_grp(const struct fl_window *w, const union fl_cfg_value *cfg,
                            const struct grp *g)
{
    const struct rec *b = g->best;
    if (b->cls == CL_LIMIT)
        return (struct join){J_NONE, CD_NONE, NULL};
    if (!g->node)
        return (struct join){J_NO_NODE, b->cond, NULL};
    if (b->cond != CD_NONE)
        return join_one(w, cfg, g->node, g->t, b->cond);
    /* the record does not say which resource: any pressure condition may be the cause; the
     * most recent one that joins is */
    struct join best = {J_NO_DATA, CD_NONE, NULL};
    bool data = false;
    for (uint8_t cd = CD_MEMORY; cd <= CD_PID; cd++) {
        struct join j = join_one(w, cfg, g->node, g->t, cd);
        if (j.how != J_NO_DATA)
            data = true;
        if ((j.how == J_JOINED || j.how == J_LAGGED) &&
            (!best.c || (best.how != J_JOINED && best.how != J_LAGGED) || j.c->ts > best.c->ts))
            best = j;
    }
    if (best.c)
        return best;
    return (struct join){data ? J_NO_TRUE : J_NO_DATA, CD_NONE, NULL};
}

static bool joined(const struct join *j)
{
    return j->how == J_JOINED || j->how == J_LAGGED;
}

/* ---- text -------------------------------------------------------------------------- */

static bool in_bytes(struct fl_str resource)
{
    return fl_str_eq_cstr(resource, "memory") || fl_str_eq_cstr(resource, "ephemeral-storage");
}

/* Bytes in binary units ("89.9Mi", "48Gi"), one decimal, or a plain count. */
static const char *fmt_qty(char *b, size_t cap, int64_t v, bool bytes)
{
    if (!bytes) {
        snprintf(b, cap, "%lld", (long long)v);
        return b;
    }
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const char *sign = v < 0 ? "-" : "";
    static const char *const unit[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    if (a < 1024) {
        snprintf(b, cap, "%s%llu bytes", sign, (unsigned long long)a);
        return b;
    }
    int u = 0;
    uint64_t div = 1024;
    while (u < 5 && a / div >= 1024) {
        div *= 1024;
        u++;
    }
    uint64_t whole = a / div, tenth = (a % div * 10 + div / 2) / div;
    if (tenth == 10) {
        whole++;
        tenth = 0;
    }
    if (tenth)
        snprintf(b, cap, "%s%llu.%llu%s", sign, (unsigned long long)whole,
                 (unsigned long long)tenth, unit[u]);
    else
        snprintf(b, cap, "%s%llu%s", sign, (unsigned long long)whole, unit[u]);
    return b;
}

static const char *fmt_dur(char *b, int64_t ns)
{
    fl_duration_format(ns == INT64_MIN ? INT64_MAX : ns < 0 ? -ns : ns, b);
    return b;
}

/* "10m1s before", or the time itself when more than a day before (a long-standing state). */
static const char *since(char *b, int64_t ts, int64_t dt)
{
    if (dt < -24 * 3600 * FL_NS_PER_SEC) {
        fl_time_format_rfc3339(ts, b);
        return b;
    }
    size_t n = fl_duration_format(dt == INT64_MIN ? INT64_MAX : dt < 0 ? -dt : dt, b);
    snprintf(b + n, FL_TIME_BUF - n, " before");
    return b;
}

static const char *node_name(const struct fl_window *w, uint32_t node)
{
    return node ? fl_window_str(w, node) : "an unknown node";
}

/* "MemoryPressure turned True 14s before" / the partial reason, for a headline. */
static const char *join_text(struct fl_verdict_sink *out, const struct fl_window *w,
                             const union fl_cfg_value *cfg, const struct grp *g)
{
    const struct join *j = &g->j;
    char d[FL_TIME_BUF], win[FL_TIME_BUF];
    const char *c = j->cond == CD_NONE ? "pressure condition" : cond_names[j->cond];
    const char *node = node_name(w, g->node);
    bool ready = j->cond == CD_READY;
    int64_t dt = j->c ? sub(j->c->ts, g->t) : 0;
    fmt_dur(win, cfg[P_WINDOW].i);
    switch ((enum how)j->how) {
    case J_JOINED:
        if (ready)
            return fl_verdict_printf(out, "Ready turned %s %s before",
                                     fl_tristate_name(j->c->u.cond.status),
                                     dt ? fmt_dur(d, dt) : "0s");
        if (!dt)
            return fl_verdict_printf(out, "%s turned True the same second", c);
        return fl_verdict_printf(out, "%s turned True %s before", c, fmt_dur(d, dt));
    case J_LAGGED:
        return fl_verdict_printf(out,
                                 "%s reported True %s after (within the kubelet's status "
                                 "report lag)",
                                 c, fmt_dur(d, dt));
    case J_NO_NODE:
        return fl_verdict_printf(out, "partial: the record names no node, so no %s can be joined",
                                 c);
    case J_NO_DATA:
        return fl_verdict_printf(out, "partial: no %s data for %s", c, node);
    case J_AFTER:
        return fl_verdict_printf(out, "partial: %s turned %s only %s after, not joined", c,
                                 ready ? fl_tristate_name(j->c->u.cond.status) : "True",
                                 fmt_dur(d, dt));
    case J_STALE:
        return fl_verdict_printf(out, "partial: %s %s since %s, outside the %s window", c,
                                 fl_tristate_name(j->c->u.cond.status), since(d, j->c->ts, dt),
                                 win);
    case J_NOT_TRUE:
        if (ready)
            return fl_verdict_printf(out,
                                     "partial: %s was Ready at the time (since %s), so the "
                                     "NoExecute taint did not come from NotReady",
                                     node, since(d, j->c->ts, dt));
        return fl_verdict_printf(out, "partial: %s was %s at the time (since %s)", c,
                                 fl_tristate_name(j->c->u.cond.status), since(d, j->c->ts, dt));
    case J_NO_TRUE:
        return fl_verdict_printf(out, "partial: no %s on %s turned True within %s before", c, node,
                                 win);
    case J_NONE:
        break;
    }
    return "";
}

/* Remediation tail of a partial verdict: how to confirm what faultline could not join. */
static const char *partial_tail(struct fl_verdict_sink *out, const struct fl_window *w,
                                const struct grp *g)
{
    if (joined(&g->j) || g->j.how == J_NONE)
        return "";
    if (!g->node)
        return " Partial: the record names no node; find it with `kubectl get pod -o wide` or "
               "the kubelet's Evicted event (source.host) and check that node's conditions.";
    const char *c = g->j.cond == CD_NONE ? "pressure conditions" : cond_names[g->j.cond];
    return fl_verdict_printf(
        out,
        " Partial: no %s joined, so this rests on the %s alone; check "
        "`kubectl describe node %s` (Conditions, Events) around the time.",
        c, g->best->cls == CL_TAINT ? "taint manager's event" : "kubelet's message",
        node_name(w, g->node));
}

/* "memory low: available 89.9Mi against a threshold of 100Mi" */
static const char *pressure_text(struct fl_verdict_sink *out, const struct fl_ev_pod_event *p)
{
    char th[48], av[48];
    bool bytes = in_bytes(p->resource);
    bool ht = p->known & FL_POD_HAS_THRESHOLD, ha = p->known & FL_POD_HAS_AVAILABLE;
    struct fl_str res = p->resource.len ? p->resource : FL_STR_LIT("an unnamed resource");
    if (ht && ha)
        return fl_verdict_printf(out, "%.*s low: available %s against a threshold of %s",
                                 FL_STR_FMT(res), fmt_qty(av, sizeof av, p->available, bytes),
                                 fmt_qty(th, sizeof th, p->threshold, bytes));
    if (ht)
        return fl_verdict_printf(out, "%.*s low: threshold %s (available not stated)",
                                 FL_STR_FMT(res), fmt_qty(th, sizeof th, p->threshold, bytes));
    return fl_verdict_printf(out, "%.*s low (the message states no threshold)", FL_STR_FMT(res));
}

/* Name of the emptyDir volume of "Usage of EmptyDir volume \"x\" exceeds the limit". */
static struct fl_str emptydir_name(struct fl_str m)
{
    static const char lead[] = "Usage of EmptyDir volume \"";
    ptrdiff_t at = fl_str_find(m, FL_STR_LIT(lead));
    if (at < 0)
        return FL_STR_NULL;
    struct fl_str s = fl_str_sub(m, (size_t)at + sizeof lead - 1, m.len);
    ptrdiff_t q = fl_str_find(s, FL_STR_LIT("\""));
    return q > 0 ? fl_str_make(s.ptr, (size_t)q) : FL_STR_NULL;
}

static void headline_remediation(struct fl_verdict_sink *out, const struct fl_window *w,
                                 const union fl_cfg_value *cfg, const struct grp *g,
                                 struct fl_verdict *v)
{
    const struct fl_ev_pod_event *p = &g->best->ev->u.pod;
    const char *pod = fl_window_str(w, p->pod);
    const char *node = g->node ? fl_window_str(w, g->node) : "its node";
    const char *jt = join_text(out, w, cfg, g);
    const char *tail = partial_tail(out, w, g);
    if (!jt || !tail)
        return; /* out of memory: no headline, the caller reports it */
    char n[32] = "", u[48], r[48], o[48];
    if (g->n > 1)
        snprintf(n, sizeof n, " (%zu records)", g->n);
    bool bytes = in_bytes(p->resource);
    switch ((enum cls)g->best->cls) {
    case CL_PRESSURE:
    case CL_UNSTATED: {
        const char *what;
        if (g->best->cls == CL_PRESSURE)
            what = pressure_text(out, p);
        else if (p->message.len)
            what = "the eviction message names no resource, threshold or container";
        else
            what = "the eviction message is empty: no resource, threshold or container";
        if (!what)
            return;
        v->headline = fl_verdict_printf(out, "Pod %s evicted from %s%s: %s; %s", pod,
                                        node_name(w, g->node), n, what, jt);
        bool over = (p->known & FL_POD_HAS_USAGE) && (p->known & FL_POD_HAS_REQUEST);
        const char *res = p->resource.len ? p->resource.ptr : "";
        int rl = (int)p->resource.len;
        if (over && p->container.len) {
            char req[96];
            if (p->request > 0)
                snprintf(req, sizeof req, "against a request of %s",
                         fmt_qty(r, sizeof r, p->request, bytes));
            else
                snprintf(req, sizeof req, "with no %.*s request", rl, res);
            bool disk = fl_str_eq_cstr(p->resource, "ephemeral-storage");
            const char *then = disk ? fl_verdict_printf(out,
                                                        "%s (unused images, dead containers, "
                                                        "logs) or move scratch data to a volume",
                                                        node)
                                    : node;
            v->remediation = fl_verdict_printf(
                out,
                "%s%s%sontainer %.*s of %s used %s of %.*s %s (%s over), the most over its "
                "request in the pod: set its %.*s request to its real peak (or cap it with a "
                "limit) so the scheduler stops overcommitting %s, and %s %s.%s",
                g->node ? "On " : "", g->node ? node : "", g->node ? ", c" : "C",
                FL_STR_FMT(p->container), pod, fmt_qty(u, sizeof u, p->usage, bytes), rl, res, req,
                fmt_qty(o, sizeof o, sub(p->usage, p->request), bytes), rl, res, node,
                disk ? "free local disk on" : "check what else grew on", then ? then : node, tail);
        } else if (over)
            v->remediation = fl_verdict_printf(
                out,
                "On %s, pod %s used %s of %.*s against a pod-level request of %s: set the "
                "request to its real peak so the scheduler stops overcommitting %s.%s",
                node, pod, fmt_qty(u, sizeof u, p->usage, bytes), rl, res,
                fmt_qty(r, sizeof r, p->request, bytes), node, tail);
        else if (fl_str_eq_cstr(p->resource, "pids"))
            v->remediation = fl_verdict_printf(
                out,
                "%s ran out of process IDs; the kubelet names no container for pids: find the "
                "pod forking processes or threads on %s and bound it with a pod PID limit "
                "(kubelet podPidsLimit).%s",
                node, node, tail);
        else if (fl_str_eq_cstr(p->resource, "inodes"))
            v->remediation = fl_verdict_printf(
                out,
                "%s ran out of inodes on its node or image filesystem; the kubelet names no "
                "container for inodes: find the pod writing many small files and remove unused "
                "images and dead containers on %s.%s",
                node, node, tail);
        else if (rl)
            v->remediation = fl_verdict_printf(
                out,
                "No container of %s was over its %.*s request: the pod was evicted to relieve "
                "%s, so look for what else consumed %.*s there (pods over their requests, "
                "system daemons, kubelet and runtime) and reschedule the pod.%s",
                pod, rl, res, node, rl, res, tail);
        else {
            ptrdiff_t sl = fl_str_find(fl_str_from_cstr(pod), FL_STR_LIT("/"));
            int nsl = sl < 0 ? 0 : (int)sl;
            const char *name = sl < 0 ? pod : pod + sl + 1;
            if (joined(&g->j))
                v->remediation = fl_verdict_printf(
                    out,
                    "The kubelet's message does not say what %s was evicted for, but %s had %s at "
                    "the time, so the starved resource is likely %s: look on %s for the pod most "
                    "over its request, and read the pod's status message (`kubectl get pod -n "
                    "%.*s %s -o yaml`).",
                    pod, node, cond_names[g->j.cond],
                    g->j.cond == CD_MEMORY ? "memory"
                    : g->j.cond == CD_DISK ? "local disk (ephemeral-storage or inodes)"
                                           : "process IDs",
                    node, nsl, pod, name);
            else
                v->remediation = fl_verdict_printf(
                    out,
                    "The kubelet evicted %s from %s without saying why; read the pod's status "
                    "message (`kubectl get pod -n %.*s %s -o yaml`) and the node's conditions for "
                    "the starved resource.%s",
                    pod, node, nsl, pod, name, tail);
        }
        break;
    }
    case CL_REJECTED: {
        const char *c = g->j.cond == CD_NONE ? "a pressure condition" : cond_names[g->j.cond];
        v->headline =
            fl_verdict_printf(out, "Pod %s rejected at admission by %s%s: the node had %s; %s", pod,
                              node_name(w, g->node), n, c, jt);
        v->remediation = fl_verdict_printf(
            out,
            "The pod never ran on %s: the kubelet refused it because %s had %s. Relieve the "
            "pressure on %s or let the scheduler place the pod elsewhere; nothing in the pod "
            "needs fixing for this.%s",
            node, node, c, node, tail);
        break;
    }
    case CL_LIMIT: {
        char th[48] = "";
        if (p->known & FL_POD_HAS_THRESHOLD)
            snprintf(th, sizeof th, " of %s", fmt_qty(u, sizeof u, p->threshold, true));
        struct fl_str vol = emptydir_name(p->message);
        char who[160];
        if (vol.len)
            snprintf(who, sizeof who, "emptyDir volume %.*s exceeded its sizeLimit%s",
                     FL_STR_FMT(vol), th);
        else if (p->container.len)
            snprintf(who, sizeof who, "container %.*s exceeded its ephemeral-storage limit%s",
                     FL_STR_FMT(p->container), th);
        else
            snprintf(who, sizeof who, "the pod exceeded its total ephemeral-storage limit%s", th);
        v->headline = fl_verdict_printf(
            out, "Pod %s evicted from %s%s: %s (its own limit, not node pressure)", pod,
            node_name(w, g->node), n, who);
        v->remediation = fl_verdict_printf(
            out,
            "The pod outgrew its own local-storage limit on %s: raise the limit to what the pod "
            "really writes, or move scratch, logs or checkpoints to a volume; %s itself was not "
            "under disk pressure for this.",
            node, node);
        break;
    }
    case CL_TAINT:
        v->headline = fl_verdict_printf(
            out,
            "Pod %s deleted by the taint manager on %s%s (NoExecute taint: node not ready or "
            "unreachable); %s",
            pod, node_name(w, g->node), n, jt);
        if (joined(&g->j) && g->j.c->u.cond.message.len)
            v->remediation = fl_verdict_printf(
                out,
                "%s stopped being Ready (%.*s) and the pod's NoExecute toleration ran out. Find "
                "why %s went NotReady (kubelet and container runtime logs, network, kernel log: "
                "XID, OOM, hung task) before uncordoning it; the pod's own usage is not the "
                "cause.%s",
                node, FL_STR_FMT(g->j.c->u.cond.message), node, tail);
        else if (g->j.how == J_NOT_TRUE)
            v->remediation = fl_verdict_printf(
                out,
                "%s reported Ready, so its NoExecute taint was put there by something else: "
                "read its taints (`kubectl describe node %s`) and find who added them (a GPU or "
                "node health controller, a drain script, kubectl taint) before rescheduling.",
                node, node);
        else
            v->remediation = fl_verdict_printf(
                out,
                "The pod's NoExecute toleration of %s's not-ready/unreachable taint ran out. Find "
                "why %s went NotReady (kubelet and container runtime logs, network, kernel log: "
                "XID, OOM, hung task) before uncordoning it; the pod's own usage is not the "
                "cause.%s",
                node, node, tail);
        break;
    }
}

/* ---- evidence ---------------------------------------------------------------------- */

static const char *describe_rec(struct fl_verdict_sink *out, const struct fl_window *w,
                                const struct fl_event *ev)
{
    const struct fl_ev_pod_event *p = &ev->u.pod;
    char cnt[32] = "";
    if (p->count > 1)
        snprintf(cnt, sizeof cnt, " x%lld", (long long)p->count);
    return fl_verdict_printf(
        out, "%.*s%s, pod %s on %s: %.*s", FL_STR_FMT(p->reason), cnt, fl_window_str(w, p->pod),
        node_name(w, ev->node),
        FL_STR_FMT(p->message.len ? fl_str_trim(p->message) : FL_STR_LIT("(empty message)")));
}

static const char *describe_cond(struct fl_verdict_sink *out, const struct fl_window *w,
                                 const struct fl_event *c, const char *note)
{
    const struct fl_ev_node_condition *cd = &c->u.cond;
    if (!note)
        return NULL;
    char ts[FL_TIME_BUF];
    fl_time_format_rfc3339(c->ts, ts);
    return fl_verdict_printf(out, "%.*s %s on %s since %s (%.*s%s%.*s)%s", FL_STR_FMT(cd->type),
                             fl_tristate_name(cd->status), node_name(w, c->node), ts,
                             FL_STR_FMT(cd->reason), cd->reason.len && cd->message.len ? ": " : "",
                             FL_STR_FMT(cd->message), note);
}

static void sort_evidence(struct fl_evidence *e, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && fl_event_cmp(e[k - 1].ev, e[k].ev) > 0; k--) {
            struct fl_evidence t = e[k];
            e[k] = e[k - 1];
            e[k - 1] = t;
        }
}

static const char *cond_note(struct fl_verdict_sink *out, const struct join *j, int64_t t)
{
    char d[FL_TIME_BUF];
    switch ((enum how)j->how) {
    case J_JOINED:
    case J_LAGGED:
        return " (joined)";
    case J_AFTER:
        return fl_verdict_printf(out, " (not joined: %s after the eviction)",
                                 fmt_dur(d, sub(j->c->ts, t)));
    case J_STALE:
        return " (not joined: before the window)";
    case J_NOT_TRUE:
        return " (not joined: the state at the eviction)";
    default:
        return "";
    }
}

#define MAX_EV 1003

static int emit_pod(const struct fl_window *w, const union fl_cfg_value *cfg,
                    struct fl_verdict_sink *out, const struct grp *g)
{
    struct fl_verdict v = {0};
    const struct rec *b = g->best;
    switch ((enum cls)b->cls) {
    case CL_LIMIT:
        v.pattern_id = "pod_evicted.storage_limit";
        break;
    case CL_REJECTED:
        v.pattern_id = "pod_evicted.rejected";
        break;
    case CL_TAINT:
        v.pattern_id = "pod_evicted.node_not_ready";
        break;
    default:
        v.pattern_id = "pod_evicted.node_pressure";
    }
    v.severity = FL_SEV_WARNING;
    v.ts = g->t;
    v.scope.node = g->node;
    v.scope.pod = b->ev->u.pod.pod;
    v.scope.job = b->ev->job;
    headline_remediation(out, w, cfg, g, &v);

    struct fl_evidence ev[MAX_EV];
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i, ne = 0;
    size_t shown = g->n <= maxev ? g->n : maxev;
    for (size_t i = 0; i < shown; i++) {
        size_t k = (i + 1 == shown && shown < g->n) ? g->n - 1 : i;
        ev[ne].ev = g->r[k].ev;
        ev[ne].description = describe_rec(out, w, g->r[k].ev);
        ne++;
    }
    if (g->j.c) {
        ev[ne].ev = g->j.c;
        ev[ne].description = describe_cond(out, w, g->j.c, cond_note(out, &g->j, g->t));
        ne++;
    }
    sort_evidence(ev, ne);
    v.evidence = ev;
    v.nevidence = ne;
    for (size_t i = 0; i < ne; i++)
        if (!ev[i].description)
            return FL_ENOMEM;
    if (!v.headline || !v.remediation)
        return FL_ENOMEM;
    return fl_verdict_emit(out, &v);
}

/* ---- waves ------------------------------------------------------------------------- */

static int wave_class(const struct grp *g)
{
    if (!g->node)
        return -1;
    switch ((enum cls)g->best->cls) {
    case CL_PRESSURE:
    case CL_UNSTATED:
        return 0;
    case CL_TAINT:
        return 1;
    default:
        return -1; /* own-limit evictions and rejections are not the node shedding load */
    }
}

static int cmp_wave(const void *a, const void *b)
{
    const struct grp *x = *(const struct grp *const *)a, *y = *(const struct grp *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    int cx = wave_class(x), cy = wave_class(y);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return fl_event_cmp(x->r[0].ev, y->r[0].ev);
}

/* "memory", "memory and pids", "an unstated resource" */
static const char *wave_resources(struct fl_verdict_sink *out, struct grp *const *g, size_t n)
{
    static const char *const names[] = {"memory", "ephemeral-storage", "inodes", "pids"};
    bool seen[5] = {false};
    for (size_t i = 0; i < n; i++) {
        const struct fl_ev_pod_event *p = &g[i]->best->ev->u.pod;
        size_t k = 0;
        while (k < 4 && !fl_str_eq_cstr(p->resource, names[k]))
            k++;
        seen[g[i]->best->cls == CL_UNSTATED ? 4 : k] = true;
    }
    char buf[128] = "";
    size_t nseen = 0, len = 0;
    for (size_t k = 0; k < 5; k++)
        nseen += seen[k];
    size_t done = 0;
    for (size_t k = 0; k < 5; k++) {
        if (!seen[k])
            continue;
        const char *sep = done == 0 ? "" : done + 1 == nseen ? " and " : ", ";
        int m = snprintf(buf + len, sizeof buf - len, "%s%s", sep,
                         k < 4 ? names[k] : "an unstated resource");
        if (m > 0 && (size_t)m < sizeof buf - len)
            len += (size_t)m;
        done++;
    }
    return fl_verdict_printf(out, "%s", buf);
}

static int emit_wave(const struct fl_window *w, const union fl_cfg_value *cfg,
                     struct fl_verdict_sink *out, struct grp *const *g, size_t n)
{
    const struct grp *first = g[0], *last = g[n - 1];
    const char *node = fl_window_str(w, first->node);
    bool taint = wave_class(first) == 1;
    char span[FL_TIME_BUF], t0[FL_TIME_BUF], t1[FL_TIME_BUF], d[FL_TIME_BUF];
    fmt_dur(span, sub(last->t, first->t));
    fl_time_format_rfc3339(first->t, t0);
    fl_time_format_rfc3339(last->t, t1);
    /* the condition: the first joined one of the wave */
    const struct join *j = NULL;
    for (size_t i = 0; i < n && !j; i++)
        if (joined(&g[i]->j))
            j = &g[i]->j;
    const char *cond;
    if (j && j->c->ts <= first->t)
        cond = fl_verdict_printf(out, "%s %s since %s before the first", cond_names[j->cond],
                                 fl_tristate_name(j->c->u.cond.status),
                                 fmt_dur(d, sub(first->t, j->c->ts)));
    else if (j)
        cond = fl_verdict_printf(out, "%s %s from %s", cond_names[j->cond],
                                 fl_tristate_name(j->c->u.cond.status),
                                 fmt_dur(d, sub(j->c->ts, first->t)));
    else
        cond = fl_verdict_printf(out, "partial: no %s joined on %s",
                                 taint ? "Ready condition" : "pressure condition", node);

    if (!cond)
        return FL_ENOMEM;
    struct fl_verdict v = {0};
    v.pattern_id = "pod_evicted.wave";
    v.severity = FL_SEV_ERROR;
    v.ts = first->t;
    v.scope.node = first->node;
    if (taint) {
        v.headline = fl_verdict_printf(
            out, "%s %s%s: %zu pods deleted by the taint manager in %s (%s to %s); %s",
            j ? "Node" : "Taint-manager deletions on", node, j ? " went NotReady" : "", n, span, t0,
            t1, cond);
        v.remediation = fl_verdict_printf(
            out,
            "%s was lost (not ready or unreachable) long enough for %zu pods' NoExecute "
            "tolerations to run out. Find why (kubelet and container runtime logs, network, "
            "kernel log: XID, OOM, hung task) and keep %s cordoned until it is understood; the "
            "pods' own usage is not the cause.",
            node, n, node);
    } else {
        const char *res = wave_resources(out, g, n);
        if (!res)
            return FL_ENOMEM;
        v.headline = fl_verdict_printf(
            out, "Eviction wave on %s: %zu pods evicted for %s in %s (%s to %s); %s", node, n, res,
            span, t0, t1, cond);
        /* the container furthest over its request across the wave */
        const struct fl_ev_pod_event *top = NULL;
        for (size_t i = 0; i < n; i++) {
            const struct fl_ev_pod_event *p = &g[i]->best->ev->u.pod;
            if (!(p->known & FL_POD_HAS_USAGE) || !(p->known & FL_POD_HAS_REQUEST) ||
                !p->container.len)
                continue;
            if (!top || sub(p->usage, p->request) > sub(top->usage, top->request))
                top = p;
        }
        char worst[320] = "", u[48], r[48];
        if (top)
            snprintf(worst, sizeof worst,
                     " Most over its request: container %.*s of %s, %s of %.*s against a "
                     "request of %s.",
                     FL_STR_FMT(top->container), fl_window_str(w, top->pod),
                     fmt_qty(u, sizeof u, top->usage, in_bytes(top->resource)),
                     FL_STR_FMT(top->resource),
                     fmt_qty(r, sizeof r, top->request, in_bytes(top->resource)));
        else
            snprintf(worst, sizeof worst,
                     " No evicted container is stated over its request: look for usage outside "
                     "the pods (system daemons, kubelet, runtime, kernel).");
        v.remediation = fl_verdict_printf(
            out,
            "%s shed %zu pods in %s: it is overcommitted on %s, not one pod.%s Set requests to "
            "the pods' real peak so the scheduler stops packing %s past its capacity, check %s "
            "for usage outside pods, and cordon it while evictions go on.",
            node, n, span, res, worst, node, node);
    }

    struct fl_evidence ev[MAX_EV];
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i, ne = 0;
    size_t shown = n <= maxev ? n : maxev;
    for (size_t i = 0; i < shown; i++) {
        size_t k = (i + 1 == shown && shown < n) ? n - 1 : i;
        ev[ne].ev = g[k]->best->ev;
        ev[ne].description = describe_rec(out, w, g[k]->best->ev);
        ne++;
    }
    if (j) {
        ev[ne].ev = j->c;
        ev[ne].description = describe_cond(out, w, j->c, " (joined)");
        ne++;
    }
    sort_evidence(ev, ne);
    v.evidence = ev;
    v.nevidence = ne;
    for (size_t i = 0; i < ne; i++)
        if (!ev[i].description)
            return FL_ENOMEM;
    if (!v.headline || !v.remediation)
        return FL_ENOMEM;
    return fl_verdict_emit(out, &v);
}

static int waves(const struct fl_window *w, const union fl_cfg_value *cfg,
                 struct fl_verdict_sink *out, struct grp *gs, size_t ng)
{
    struct grp **v = FL_ARENA_NEW_N(out->arena, struct grp *, ng ? ng : 1);
    if (!v)
        return FL_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < ng; i++)
        if (wave_class(&gs[i]) >= 0)
            v[m++] = &gs[i];
    qsort(v, m, sizeof *v, cmp_wave);
    int64_t window = cfg[P_WINDOW].i;
    size_t need = (size_t)cfg[P_WAVE_PODS].i;
    int rc = 0;
    for (size_t s = 0; s < m && rc == 0;) {
        size_t e = s; /* [s, e) is one (node, class) run */
        while (e < m && v[e]->node == v[s]->node && wave_class(v[e]) == wave_class(v[s]))
            e++;
        for (size_t i = s; i < e && rc == 0;) {
            size_t k = i;
            while (k + 1 < e && sub(v[k + 1]->t, v[i]->t) <= window)
                k++;
            if (k - i + 1 < need) {
                i++;
                continue;
            }
            while (k + 1 < e && sub(v[k + 1]->t, v[k]->t) <= window) /* the wave goes on */
                k++;
            rc = emit_wave(w, cfg, out, &v[i], k - i + 1);
            i = k + 1;
        }
        s = e;
    }
    return rc;
}

/* ---- run --------------------------------------------------------------------------- */

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist pl = fl_window_kind(w, FL_EV_POD_EVENT);
    size_t n = 0;
    for (size_t i = 0; i < pl.n; i++) {
        uint8_t rc = pl.v[i]->u.pod.reason_code;
        n += (rc == FL_POD_EVICTED || rc == FL_POD_TAINT_EVICTION) &&
             pl.v[i]->clock == FL_CLOCK_WALL && pl.v[i]->u.pod.pod;
    }
    if (!n)
        return 0;
    struct rec *recs = FL_ARENA_NEW_N(out->arena, struct rec, n);
    struct grp *gs = FL_ARENA_NEW_N(out->arena, struct grp, n);
    if (!recs || !gs)
        return FL_ENOMEM;
    size_t nr = 0;
    for (size_t i = 0; i < pl.n; i++)
        if (pl.v[i]->clock == FL_CLOCK_WALL && pl.v[i]->u.pod.pod && classify(pl.v[i], &recs[nr]))
            nr++;
    qsort(recs, nr, sizeof *recs, cmp_rec);

    /* one eviction per pod: same pod and family, same uid when both known, no gap > window */
    int64_t window = cfg[P_WINDOW].i;
    size_t ng = 0;
    uint32_t guid = 0;
    for (size_t i = 0; i < nr; i++) {
        const struct rec *r = &recs[i];
        struct grp *g = ng ? &gs[ng - 1] : NULL;
        uint32_t uid = r->ev->u.pod.pod_uid;
        bool same = g && g->r[0].ev->u.pod.pod == r->ev->u.pod.pod && g->r[0].family == r->family &&
                    !(uid && guid && uid != guid) &&
                    sub(r->ev->ts, g->r[g->n - 1].ev->ts) <= window;
        if (!same) {
            gs[ng++] = (struct grp){.r = r, .n = 1, .best = r, .t = r->ev->ts, .node = r->ev->node};
            guid = uid;
            continue;
        }
        g->n++;
        if (!guid)
            guid = uid;
        if (!g->node)
            g->node = r->ev->node;
        if (score(r) > score(g->best))
            g->best = r;
    }

    int rc = 0;
    for (size_t i = 0; i < ng && rc == 0; i++) {
        gs[i].j = join_grp(w, cfg, &gs[i]);
        rc = emit_pod(w, cfg, out, &gs[i]);
    }
    if (rc == 0)
        rc = waves(w, cfg, out, gs, ng);
    return rc;
}

const struct fl_detector fl_detector_pod_evicted = {
    .name = "pod_evicted",
    .summary = "Kubelet evictions joined to the node pressure condition that caused them, with "
               "the container most over its request; eviction waves per node",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_POD_EVENT) | FL_EV_BIT(FL_EV_NODE_CONDITION),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
