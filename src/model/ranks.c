/* Ranks maps applied after ingest: every nccl_fr_record, nccl_fr_dump and pyspy_stack event
 * that knows its rank but not its node takes the node (and GPU index) the map gives that rank.
 * Runs once over the event blocks after every input is parsed, so the order of files in a
 * bundle does not matter. A rank mapped twice to different places keeps the mapping read
 * first (inputs in path order, then line order); the other is a skip of its map naming both. */
#include <stdio.h>
#include <stdlib.h>

#include "faultline/alloc.h"
#include "model/engine_internal.h"

int fl_ingest_rank(struct fl_parse_ctx *ctx, int32_t rank, uint32_t node, int32_t gpu,
                   uint32_t line)
{
    struct fl_engine *e = ctx->engine;
    if (e->nranks == e->cap_ranks) {
        size_t cap = e->cap_ranks ? e->cap_ranks * 2 : 64;
        struct fl_rank_entry *v = fl_realloc(e->ranks, cap * sizeof *v);
        if (!v)
            return FL_ENOMEM;
        e->ranks = v;
        e->cap_ranks = cap;
    }
    e->ranks[e->nranks++] = (struct fl_rank_entry){rank, gpu, node, ctx->input, line};
    e->inputs[ctx->input].records++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct fl_rank_entry *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->input != y->input)
        return x->input < y->input ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static const struct fl_rank_entry *find(const struct fl_rank_entry *v, size_t n, int32_t rank)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].rank < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo].rank == rank ? &v[lo] : NULL;
}

static int32_t rank_of(const struct fl_event *ev)
{
    switch ((enum fl_event_kind)ev->kind) {
    case FL_EV_NCCL_FR_RECORD:
        return ev->u.fr.rank;
    case FL_EV_PYSPY_STACK:
        return ev->u.pyspy.rank;
    case FL_EV_NCCL_FR_DUMP:
        return (ev->u.fr_dump.known & FL_FR_DUMP_HAS_RANK) ? ev->u.fr_dump.rank : -1;
    default:
        return -1;
    }
}

int fl__ranks_resolve(struct fl_engine *e)
{
    if (!e->nranks)
        return 0;
    qsort(e->ranks, e->nranks, sizeof *e->ranks, cmp_entry);
    /* keep the first mapping of each rank; a later one that disagrees is a skip */
    size_t k = 0;
    for (size_t i = 0; i < e->nranks; i++) {
        const struct fl_rank_entry *r = &e->ranks[i];
        if (k && e->ranks[k - 1].rank == r->rank) {
            const struct fl_rank_entry *kept = &e->ranks[k - 1];
            if (kept->node != r->node || (kept->gpu != r->gpu && r->gpu >= 0)) {
                char why[512];
                struct fl_str kn = fl_intern_str(&e->intern, kept->node);
                snprintf(why, sizeof why,
                         "rank %d is already mapped to node %.*s gpu %d (%s:%u); this line "
                         "is ignored",
                         (int)r->rank, (int)kn.len, kn.ptr, (int)kept->gpu,
                         e->inputs[kept->input].path, (unsigned)kept->line);
                struct fl_parse_ctx ctx = {.engine = e, .input = r->input};
                if (fl_ingest_skip(&ctx, r->line, 0, why))
                    return FL_ENOMEM;
                e->inputs[r->input].records--;
            }
            continue;
        }
        e->ranks[k++] = *r;
    }
    e->nranks = k;
    for (struct fl_evblock *b = e->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            struct fl_event *ev = &b->ev[i];
            int32_t rank = rank_of(ev);
            if (rank < 0 || ev->node)
                continue;
            const struct fl_rank_entry *r = find(e->ranks, e->nranks, rank);
            if (!r)
                continue;
            ev->node = r->node;
            if (r->gpu >= 0 && ev->gpu.index < 0 && !ev->gpu.pci && !ev->gpu.uuid)
                ev->gpu.index = r->gpu;
        }
    return 0;
}
