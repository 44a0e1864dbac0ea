/* engine_internal.h - the engine's representation, shared by the model, ingest glue and the
 * report writers. Not installed. */
#ifndef FAULTLINE_ENGINE_INTERNAL_H
#define FAULTLINE_ENGINE_INTERNAL_H

#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/str.h"
#include "faultline/verdict.h"
#include "faultline/window.h"

#define FL_EVBLOCK_EVENTS 512

/* A block holds cap events (FL_EVBLOCK_EVENTS, or fewer for the first block of a parse task),
 * n of them used. Walks use n and next only. */
struct fl_evblock {
    struct fl_evblock *next;
    size_t n, cap;
    struct fl_event ev[];
};
#define FL_EVBLOCK_BYTES(cap) (sizeof(struct fl_evblock) + (size_t)(cap) * sizeof(struct fl_event))

struct fl_skip_list {
    struct fl_skip *v; /* kept skips of one input, at most FL_SKIPS_KEPT */
    size_t n;
};

/* One line of a ranks map (src/ingest/ranks_map.c): rank -> node [, gpu index]. */
struct fl_rank_entry {
    int32_t rank;
    int32_t gpu; /* -1 absent */
    uint32_t node;
    uint32_t input, line; /* where the mapping was read */
};

struct fl_engine {
    struct fl_engine_opts opts;
    struct fl_rank_entry *ranks; /* heap, from ranks maps; applied by fl__ranks_resolve */
    size_t nranks, cap_ranks;
    char *opt_node;   /* owned copies of the option strings */
    char *opt_format;
    struct fl_arena arena; /* window arena: events, indexes, decoded bytes, verdicts */
    struct fl_intern intern;

    struct fl_input *inputs; /* heap array, sorted by path before parsing */
    size_t ninputs, cap_inputs;
    struct fl_skip_list *skips; /* parallel to inputs */

    struct fl_evblock *blocks_head, *blocks_tail;
    struct fl_arena *block_arena; /* where event blocks come from: &arena, or a parse task's own */
    size_t group_after;           /* events held before blocks come a huge-page group at a time */
    struct fl_evblock *spare;     /* empty blocks, linked, to use before allocating any */
    size_t first_cap;             /* > 0: the first block holds this many events, from arena */
    size_t nevents;
    size_t npod_events; /* of them pod_event: the post-ingest pod joins run only when > 0 */

    struct fl_skip *kept_skips; /* merged, sorted, <= FL_SKIPS_KEPT */
    size_t nkept_skips;
    uint64_t skipped_total;

    struct fl_window window;
    struct fl_verdict_sink sink;
    union fl_cfg_value **cfg; /* per detector, parallel to params */
    bool *disabled;           /* per detector: left out by opts.detectors */
    bool ingested, ran;
};

/* Apply the ranks maps to rank-bearing events without a node (src/model/ranks.c). 0 or
 * FL_ENOMEM; conflicting mappings are skips of the map that lost. */
int fl__ranks_resolve(struct fl_engine *e);

/* Rewrite every interned id of ev through map[0..n] (event.c; the parallel ingest's merge). */
void fl__event_map_ids(struct fl_event *ev, const uint32_t *map, uint32_t n);

/* Build the window from the parsed event blocks (engine.c -> window.c). */
int fl__window_build(struct fl_engine *e);

#endif
