/* report.h - writers of what faultline prints: the verdict envelope (JSON), the human report
 * (text) and normalized events (faultline.events/v1 JSON Lines). Not installed.
 * Every writer is a pure function of the engine's state: same state, same bytes. */
#ifndef FAULTLINE_REPORT_H
#define FAULTLINE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"

/* The faultline.verdicts/v1 envelope, pretty-printed, newline-terminated. */
void fl_report_json(const struct fl_engine *e, struct fl_jsonw *w);

struct fl_text_opts {
    bool color;
    bool quiet; /* verdicts only: no inputs section, no skipped list */
};
/* Human report; returns 0 or FL_EIO when the stream fails. */
int fl_report_text(const struct fl_engine *e, FILE *out, const struct fl_text_opts *o);

/* One event as a faultline.events/v1 object (no newline). */
void fl_event_write_json(struct fl_jsonw *w, const struct fl_window *win,
                         const struct fl_event *ev);
/* Events as a table for a terminal. */
int fl_events_text(const struct fl_engine *e, FILE *out);

#endif
