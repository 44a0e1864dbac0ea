/* verdict_text.h - small pieces of verdict text and time arithmetic the node-level detectors
 * (xid_correlation, pcie_aer) share. Not installed. */
#ifndef FAULTLINE_DETECT_VERDICT_TEXT_H
#define FAULTLINE_DETECT_VERDICT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/event.h"
#include "faultline/window.h"

/* b - a for b >= a, without overflow (INT64_MAX when it would not fit). */
int64_t fl__elapsed(int64_t a, int64_t b);

/* A delay for a headline: "118ms", "14s", "6m30s". */
void fl__fmt_delay(int64_t ns, char *buf, size_t cap);

/* The node's name, or "(unknown node)". */
const char *fl__node_name(const struct fl_window *w, uint32_t node);

/* The verdict time of e: its ts on the wall clock, else FL_TIME_NONE with buf saying how long
 * after boot it was and that the log has no wall-clock time (", 9078.0 s after boot (...)");
 * buf is "" for a wall-clock e. */
int64_t fl__verdict_when(const struct fl_event *e, char *buf, size_t cap);

#endif
