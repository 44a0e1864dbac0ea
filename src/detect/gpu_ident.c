/* gpu_ident.c - see gpu_ident.h. */
#include "detect/gpu_ident.h"

#include <stdlib.h>

#include "faultline/err.h"

static int cmp_idrow(const void *a, const void *b)
{
    const struct fl_idrow *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->pci > y->pci) - (x->pci < y->pci);
}

static size_t sort_unique(struct fl_idrow *r, size_t n)
{
    if (!n)
        return 0;
    qsort(r, n, sizeof *r, cmp_idrow);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (cmp_idrow(&r[i], &r[m - 1]) != 0)
            r[m++] = r[i];
    return m;
}

int fl_idmap_build(struct fl_idmap *m, struct fl_arena *a, const struct fl_window *w,
                       const enum fl_event_kind *kinds, size_t nkinds)
{
    size_t total = 0;
    for (size_t k = 0; k < nkinds; k++)
        total += fl_window_kind(w, kinds[k]).n;
    m->uuid = FL_ARENA_NEW_N(a, struct fl_idrow, total ? total : 1);
    m->index = FL_ARENA_NEW_N(a, struct fl_idrow, total ? total : 1);
    if (!m->uuid || !m->index)
        return FL_ENOMEM;
    m->nuuid = m->nindex = 0;
    for (size_t k = 0; k < nkinds; k++) {
        struct fl_evlist l = fl_window_kind(w, kinds[k]);
        for (size_t i = 0; i < l.n; i++) {
            const struct fl_event *ev = l.v[i];
            if (!ev->gpu.pci)
                continue;
            if (ev->gpu.uuid)
                m->uuid[m->nuuid++] = (struct fl_idrow){ev->node, ev->gpu.uuid, ev->gpu.pci};
            if (ev->gpu.index >= 0)
                m->index[m->nindex++] =
                    (struct fl_idrow){ev->node, (uint32_t)ev->gpu.index, ev->gpu.pci};
        }
    }
    m->nuuid = sort_unique(m->uuid, m->nuuid);
    m->nindex = sort_unique(m->index, m->nindex);
    return 0;
}

/* The PCI address rows pair with (node, key); 0 when none or when two addresses claim it. */
static uint32_t idmap_find(const struct fl_idrow *r, size_t n, uint32_t node, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].node < node || (r[mid].node == node && r[mid].key < key))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= n || r[lo].node != node || r[lo].key != key)
        return 0;
    if (lo + 1 < n && r[lo + 1].node == node && r[lo + 1].key == key)
        return 0; /* ambiguous */
    return r[lo].pci;
}

struct fl_gkey fl_gkey_of(const struct fl_idmap *m, const struct fl_event *ev)
{
    struct fl_gkey k = {ev->node, ev->gpu.pci, 0, -1};
    if (k.pci)
        return k;
    if (ev->gpu.uuid) {
        k.pci = idmap_find(m->uuid, m->nuuid, ev->node, ev->gpu.uuid);
        if (!k.pci)
            k.uuid = ev->gpu.uuid;
        return k;
    }
    if (ev->gpu.index >= 0) {
        k.pci = idmap_find(m->index, m->nindex, ev->node, (uint32_t)ev->gpu.index);
        if (!k.pci)
            k.index = ev->gpu.index;
    }
    return k;
}

int fl_gkey_cmp(const struct fl_gkey *x, const struct fl_gkey *y)
{
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->pci != y->pci)
        return x->pci < y->pci ? -1 : 1;
    if (x->uuid != y->uuid)
        return x->uuid < y->uuid ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}
