/* window.h - the read-only window detectors see.
 *
 * Contract: a window holds every event of one analysis window, sorted by fl_event_cmp,
 * plus sorted pointer indexes for lookups by kind, (kind, node), (kind, node, gpu) and
 * (pg, collective seq). All memory belongs to the engine's arena; nothing here is freed
 * individually and nothing is mutable once the window is frozen.
 */
#ifndef FAULTLINE_WINDOW_H
#define FAULTLINE_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/event.h"
#include "faultline/str.h"

struct fl_input;

/* A run of events, ts-ascending. */
struct fl_evlist {
    const struct fl_event *const *v;
    size_t n;
};

struct fl_window {
    int64_t start, end; /* min and max wall ts of events; FL_TIME_NONE when empty */
    /* all events, fl_event_cmp order: pointers to where the readers put them (the window does
     * not copy events) */
    const struct fl_event *const *events;
    size_t nevents;
    const struct fl_event **by_kind[FL_EV__COUNT];      /* ts order */
    const struct fl_event **by_node[FL_EV__COUNT];      /* (node, ts) order */
    const struct fl_event **by_gpu[FL_EV__COUNT];       /* (node, gpu.pci, ts) order */
    size_t nkind[FL_EV__COUNT];
    const struct fl_event **fr_by_seq; /* nccl_fr_record by (pg, collective_seq, rank, ts) */
    const struct fl_intern *intern;
    const struct fl_input *inputs;
    size_t ninputs;
};

struct fl_evlist fl_window_kind(const struct fl_window *w, enum fl_event_kind k);
struct fl_evlist fl_window_node(const struct fl_window *w, enum fl_event_kind k, uint32_t node);
struct fl_evlist fl_window_gpu(const struct fl_window *w, enum fl_event_kind k, uint32_t node,
                               uint32_t pci);
/* Flight-recorder records of one (pg, collective seq), ordered by rank then ts. */
struct fl_evlist fl_window_pg_seq(const struct fl_window *w, uint32_t pg, int64_t seq);
/* Index of the first event in l with ts >= t (l.n when none). */
size_t fl_evlist_lower_bound(struct fl_evlist l, int64_t t);

/* Interned string of an id ("" for 0). */
const char *fl_window_str(const struct fl_window *w, uint32_t id);
/* "path:line" (or "path@offset") of an event into buf; returns length. */
size_t fl_window_source(const struct fl_window *w, const struct fl_event *ev, char *buf,
                        size_t cap);

#endif
