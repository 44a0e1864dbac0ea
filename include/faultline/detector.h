/* detector.h - the detector interface and its configuration table.
 *
 * Contract: a detector is a static descriptor. run() is a pure function of the read-only
 * window and the detector's resolved configuration: the same inputs give byte-identical
 * verdicts. Configuration values are resolved by the engine from the param table (defaults,
 * then --config overrides, bounds checked) and passed as an array parallel to params.
 */
#ifndef FAULTLINE_DETECTOR_H
#define FAULTLINE_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/verdict.h"
#include "faultline/window.h"

enum fl_cfg_type {
    FL_CFG_DURATION = 0, /* value.i in ns; written "10m", "90s" */
    FL_CFG_INT = 1,      /* value.i */
    FL_CFG_FLOAT = 2,    /* value.f */
    FL_CFG_BOOL = 3,     /* value.b */
};

struct fl_cfg_param {
    const char *key;         /* snake_case, unique within the detector */
    enum fl_cfg_type type;
    const char *def;         /* default, written as a user would write it */
    const char *min, *max;   /* inclusive bounds, NULL = none */
    const char *description; /* one sentence, for --help and docs/detectors.md */
};

union fl_cfg_value {
    int64_t i;
    double f;
    bool b;
};

/* A pattern a detector emits: its id ("<detector>.<what>") and what a verdict of it means to
 * the person reading it (one or two sentences; docs/detectors.md prints it). */
struct fl_pattern {
    const char *id;
    const char *meaning;
};

struct fl_detector {
    const char *name;    /* also the config section name */
    const char *summary; /* one line */
    const struct fl_pattern *patterns; /* the patterns it emits, ended by {NULL, NULL} */
    uint32_t kinds;      /* FL_EV_BIT mask of event kinds read */
    const struct fl_cfg_param *params;
    size_t nparams;
    int (*run)(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out);
};

/* The registry, in a fixed order. */
extern const struct fl_detector *const fl_detectors[];
extern const size_t fl_detectors_count;
const struct fl_detector *fl_detector_find(struct fl_str name);

/* Parse text as a value of param's type and check bounds. 0 or FL_EPARSE / FL_ERANGE. */
int fl_cfg_parse_value(const struct fl_cfg_param *param, struct fl_str text,
                       union fl_cfg_value *out);

#endif
