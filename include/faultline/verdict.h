/* verdict.h - verdicts and the sink detectors write them into.
 *
 * Contract: a verdict is built on the detector's stack with borrowed strings and arrays;
 * fl_verdict_emit copies everything it references into the sink's arena and computes the
 * uid (stable hash of pattern id, scope and evidence uids), so the detector's buffers may
 * be reused at once. Events referenced by evidence are borrowed from the window and must
 * outlive the sink (they do: both live as long as the engine).
 */
#ifndef FAULTLINE_VERDICT_H
#define FAULTLINE_VERDICT_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"
#include "faultline/event.h"
#include "faultline/str.h"

#define FL_SEVERITY_MAP(X)                                                                         \
    X(CRITICAL, "critical")                                                                        \
    X(ERROR, "error")                                                                              \
    X(WARNING, "warning")                                                                          \
    X(INFO, "info")

/* Lower value = more severe; verdicts sort in this order. */
enum fl_severity {
#define FL_SEV_ENUM_(e, n) FL_SEV_##e,
    FL_SEVERITY_MAP(FL_SEV_ENUM_)
#undef FL_SEV_ENUM_
        FL_SEV__COUNT
};
const char *fl_severity_name(enum fl_severity s);
int fl_severity_from_name(struct fl_str s); /* -1 when unknown */

struct fl_scope {
    uint32_t node;          /* interned, 0 = absent */
    struct fl_gpu_ref gpu;  /* pci 0 = absent */
    uint32_t pod;           /* interned "namespace/name", 0 = absent */
    uint32_t job;           /* interned, 0 = absent */
    uint32_t pg;            /* interned process-group id, 0 = absent */
    const char *pg_desc;    /* NULL = absent */
    const int32_t *ranks;   /* sorted ascending by emit */
    size_t nranks;
};

struct fl_evidence {
    const struct fl_event *ev;
    const char *description;
};

struct fl_verdict {
    uint64_t uid; /* filled by emit */
    const char *pattern_id;
    enum fl_severity severity;
    int64_t ts;
    struct fl_scope scope;
    const char *headline;
    const char *remediation;
    const struct fl_evidence *evidence;
    size_t nevidence;
    const uint64_t *caused_by; /* verdict uids */
    size_t ncaused_by;
};

struct fl_verdict_sink {
    struct fl_arena *arena;
    const struct fl_intern *intern; /* resolves scope ids for the uid hash */
    struct fl_verdict *v;
    size_t n, cap;
    int error; /* sticky FL_ENOMEM */
};

void fl_verdict_sink_init(struct fl_verdict_sink *s, struct fl_arena *arena,
                          const struct fl_intern *intern);
void fl_verdict_sink_release(struct fl_verdict_sink *s);
/* Copy v into the sink; returns 0 or FL_ENOMEM. */
int fl_verdict_emit(struct fl_verdict_sink *s, const struct fl_verdict *v);
/* Sort by (severity, ts, pattern_id, uid) and drop exact uid duplicates. */
/* Cause links across detectors (the verdicts' caused_by): a verdict whose pattern explains
 * another detector's finding and cites the same record becomes its cause, e.g. a fatal PCIe
 * error followed by XID 79 (pcie_aer.fatal_xid79) causes xid_correlation's verdict on that
 * XID 79. uids do not change. 0 or FL_ENOMEM. */
int fl_verdict_sink_link(struct fl_verdict_sink *s);
void fl_verdict_sink_sort(struct fl_verdict_sink *s);
/* printf into the sink's arena, for headlines and remediations. NULL on failure. */
char *fl_verdict_printf(struct fl_verdict_sink *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
