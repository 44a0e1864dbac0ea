/* Post-ingest: the node of a pod event whose record named none (a scheduler or controller
 * event: FailedScheduling, Preempted, TaintManagerEviction, NodeNotReady), taken from another
 * event of the same pod that has one (a pods file's spec.nodeName, a kubelet event's
 * source.host). Runs once over the engine's event blocks after every input is parsed, so the
 * order of the files in a bundle does not matter. */
#include <stdlib.h>

#include "faultline/alloc.h"
#include "ingest/k8s.h"
#include "model/engine_internal.h"

struct anchor {
    uint32_t key; /* pod uid or pod name id */
    uint32_t uid; /* pod uid of the anchor, 0 unknown */
    uint32_t node;
    int64_t ts;
};

static int cmp_anchor(const void *a, const void *b)
{
    const struct anchor *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return 0;
}

/* First index with key >= k. */
static size_t lower(const struct anchor *v, size_t n, uint32_t k)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Node of the anchor of key k nearest to ts (latest at or before it, else the earliest after),
 * skipping anchors whose pod uid is known and differs from uid; 0 when none. */
static uint32_t nearest(const struct anchor *v, size_t n, uint32_t k, uint32_t uid, int64_t ts)
{
    uint32_t before = 0, after = 0;
    for (size_t i = lower(v, n, k); i < n && v[i].key == k; i++) {
        if (uid && v[i].uid && v[i].uid != uid)
            continue;
        if (v[i].ts <= ts)
            before = v[i].node;
        else if (!after)
            after = v[i].node;
    }
    return before ? before : after;
}

int fl__pod_nodes_resolve(struct fl_engine *e)
{
    size_t nanchor = 0, norphan = 0;
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++)
            if (b->ev[i].kind == FL_EV_POD_EVENT && b->ev[i].u.pod.pod) {
                if (b->ev[i].node)
                    nanchor++;
                else
                    norphan++;
            }
    if (!nanchor || !norphan)
        return 0;
    struct anchor *by_uid = fl_malloc(2 * nanchor * sizeof *by_uid);
    if (!by_uid)
        return FL_ENOMEM;
    struct anchor *by_name = by_uid + nanchor;
    size_t nu = 0, nn = 0;
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            const struct fl_event *ev = &b->ev[i];
            if (ev->kind != FL_EV_POD_EVENT || !ev->u.pod.pod || !ev->node)
                continue;
            uint32_t uid = ev->u.pod.pod_uid;
            if (uid)
                by_uid[nu++] = (struct anchor){uid, uid, ev->node, ev->ts};
            by_name[nn++] = (struct anchor){ev->u.pod.pod, uid, ev->node, ev->ts};
        }
    qsort(by_uid, nu, sizeof *by_uid, cmp_anchor);
    qsort(by_name, nn, sizeof *by_name, cmp_anchor);
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            struct fl_event *ev = &b->ev[i];
            if (ev->kind != FL_EV_POD_EVENT || !ev->u.pod.pod || ev->node)
                continue;
            uint32_t uid = ev->u.pod.pod_uid, node = 0;
            if (uid)
                node = nearest(by_uid, nu, uid, uid, ev->ts);
            if (!node)
                node = nearest(by_name, nn, ev->u.pod.pod, uid, ev->ts);
            ev->node = node;
        }
    fl_free(by_uid);
    return 0;
}
