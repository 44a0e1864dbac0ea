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

struct fl_evblock {
    struct fl_evblock *next;
    size_t n;
    struct fl_event ev[FL_EVBLOCK_EVENTS];
};

struct fl_skip_list {
    struct fl_skip *v; /* kept skips of one input, at most FL_SKIPS_KEPT */
    size_t n;
};

struct fl_engine {
    struct fl_engine_opts opts;
    char *opt_node;   /* owned copies of the option strings */
    char *opt_format;
    struct fl_arena arena; /* window arena: events, indexes, decoded bytes, verdicts */
    struct fl_intern intern;

    struct fl_input *inputs; /* heap array, sorted by path before parsing */
    size_t ninputs, cap_inputs;
    struct fl_skip_list *skips; /* parallel to inputs */

    struct fl_evblock *blocks_head, *blocks_tail;
    size_t nevents;

    struct fl_skip *kept_skips; /* merged, sorted, <= FL_SKIPS_KEPT */
    size_t nkept_skips;
    uint64_t skipped_total;

    struct fl_window window;
    struct fl_verdict_sink sink;
    union fl_cfg_value **cfg; /* per detector, parallel to params */
    bool *disabled;           /* per detector: left out by opts.detectors */
    bool ingested, ran;
};

/* Build the window from the parsed event blocks (engine.c -> window.c). */
int fl__window_build(struct fl_engine *e);

#endif
