/* Post-ingest: the node of a pod event whose record named none (a scheduler or controller
 * event: FailedScheduling, Preempted, TaintManagerEviction, NodeNotReady), taken from another
 * event of the same pod that has one (a pods file's spec.nodeName, a kubelet event's
 * source.host); then, the same way, its job (a pods file's labels). Runs once over the engine's event blocks after every input is parsed, so the
 * order of the files in a bundle does not matter. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "ingest/k8s.h"
#include "model/engine_internal.h"

struct anchor {
    uint32_t key; /* pod uid or pod name id */
    uint32_t uid; /* pod uid of the anchor, 0 unknown */
    uint32_t node; /* the value carried: a node, or a job */
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

/* in[0..n) into out in cmp_anchor order: counted out by key (an intern id < nkeys), then each
 * key's run (a pod's anchors: few, and mostly in time order already) insertion-sorted by time
 * and node; a long run goes to qsort. cnt holds nkeys + 1 counters. */
static void sort_anchors(const struct anchor *in, struct anchor *out, size_t n, size_t *cnt,
                         size_t nkeys)
{
    memset(cnt, 0, (nkeys + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[in[i].key + 1]++;
    for (size_t k = 1; k <= nkeys; k++)
        cnt[k] += cnt[k - 1];
    for (size_t i = 0; i < n; i++)
        out[cnt[in[i].key]++] = in[i];
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && out[hi].key == out[lo].key;)
            hi++;
        if (hi - lo > 64) {
            qsort(out + lo, hi - lo, sizeof *out, cmp_anchor);
            continue;
        }
        for (size_t i = lo + 1; i < hi; i++) {
            struct anchor a = out[i];
            size_t j = i;
            for (; j > lo && cmp_anchor(&a, &out[j - 1]) < 0; j--)
                out[j] = out[j - 1];
            out[j] = a;
        }
    }
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

static bool bit(const uint64_t *set, uint32_t id)
{
    return (set[id / 64] >> (id % 64)) & 1;
}

/* The uint32_t field at offset off of ev (node or job). */
static uint32_t *field(struct fl_event *ev, size_t off)
{
    return (uint32_t *)(void *)((char *)ev + off);
}

/* Fill the field at offset off (node or job) of pod events that lack it from the nearest
 * event of the same pod that has it (fl__pod_nodes_resolve). */
static int resolve(struct fl_engine *e, size_t off)
{
    /* Only anchors of a pod that has an orphan are ever looked at: mark the orphans' uids and
     * names (intern ids) first, and sort only those anchors, not every pod event read. */
    size_t nanchor = 0, norphan = 0, words = ((size_t)e->intern.count + 64) / 64;
    uint64_t *need = NULL; /* words for the uids, then words for the names */
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            struct fl_event *ev = &b->ev[i];
            if (ev->kind != FL_EV_POD_EVENT || !ev->u.pod.pod)
                continue;
            if (*field(ev, off)) {
                nanchor++;
                continue;
            }
            if (!need && !(need = fl_calloc(2 * words, sizeof *need)))
                return FL_ENOMEM;
            norphan++;
            uint32_t uid = ev->u.pod.pod_uid, pod = ev->u.pod.pod;
            need[uid / 64] |= (uint64_t)1 << (uid % 64);
            need[words + pod / 64] |= (uint64_t)1 << (pod % 64);
        }
    if (!nanchor || !norphan) {
        fl_free(need);
        return 0;
    }
    size_t nkeys = (size_t)e->intern.count + 1;
    struct anchor *mem = fl_malloc(4 * nanchor * sizeof *mem); /* read, then sorted */
    size_t *cnt = fl_malloc((nkeys + 1) * sizeof *cnt);
    if (!mem || !cnt) {
        fl_free(mem);
        fl_free(cnt);
        fl_free(need);
        return FL_ENOMEM;
    }
    struct anchor *by_uid = mem + 2 * nanchor, *by_name = mem + 3 * nanchor;
    size_t nu = 0, nn = 0;
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            struct fl_event *ev = &b->ev[i];
            uint32_t have = ev->kind == FL_EV_POD_EVENT ? *field(ev, off) : 0;
            if (!have || !ev->u.pod.pod)
                continue;
            uint32_t uid = ev->u.pod.pod_uid;
            if (uid && bit(need, uid))
                mem[nu++] = (struct anchor){uid, uid, have, ev->ts};
            if (bit(need + words, ev->u.pod.pod))
                mem[nanchor + nn++] = (struct anchor){ev->u.pod.pod, uid, have, ev->ts};
        }
    fl_free(need);
    sort_anchors(mem, by_uid, nu, cnt, nkeys);
    sort_anchors(mem + nanchor, by_name, nn, cnt, nkeys);
    fl_free(cnt);
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            struct fl_event *ev = &b->ev[i];
            if (ev->kind != FL_EV_POD_EVENT || !ev->u.pod.pod || *field(ev, off))
                continue;
            uint32_t uid = ev->u.pod.pod_uid, v = 0;
            if (uid)
                v = nearest(by_uid, nu, uid, uid, ev->ts);
            if (!v)
                v = nearest(by_name, nn, ev->u.pod.pod, uid, ev->ts);
            *field(ev, off) = v;
        }
    fl_free(mem);
    return 0;
}


/* The node first (a pods file's spec.nodeName, a kubelet event's source.host), then the job
 * (a pods file's labels, k8s.c pod_job): the events list names neither for many pod events. */
int fl__pod_nodes_resolve(struct fl_engine *e)
{
    if (!e->npod_events)
        return 0; /* a bundle without Kubernetes inputs: no walk over its events */
    int rc = resolve(e, offsetof(struct fl_event, node));
    return rc ? rc : resolve(e, offsetof(struct fl_event, job));
}
