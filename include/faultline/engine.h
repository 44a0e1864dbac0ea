/* engine.h - one analysis: inputs in, window, detectors, verdicts out.
 *
 * Contract: an engine is a value the caller creates and frees; it holds no global state.
 * It owns every input buffer, the window arena, the intern table, the events and the
 * verdicts; all pointers it hands out stay valid until fl_engine_free. Inputs may be added
 * in any order: they are sorted by path before parsing, so results do not depend on it.
 */
#ifndef FAULTLINE_ENGINE_H
#define FAULTLINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/detector.h"
#include "faultline/err.h"
#include "faultline/event.h"
#include "faultline/verdict.h"
#include "faultline/window.h"

struct fl_engine;
struct fl_input;

struct fl_engine_opts {
    const char *node;     /* --node: default node for inputs that name none */
    int64_t boot_ns;      /* --boot-time, FL_TIME_NONE when unknown */
    int64_t since, until; /* keep events with since <= ts < until; FL_TIME_NONE = open */
    const char *format;   /* force a parser by name; NULL = sniff */
    const char *detectors; /* run only these, comma-separated names; NULL = all */
    /* Threads that parse inputs: 0 or 1 = every input on the calling thread (no threads);
     * N > 1 = up to N worker threads, one input at a time each. Results (events, intern ids,
     * skips, verdicts, every output byte) are the same for any value (docs/architecture.md). */
    unsigned jobs;
    /* Called before each input is parsed (progress reporting); may be NULL. Always on the
     * thread that called fl_engine_run/_ingest, in input order: with jobs > 1, as each
     * input's results are taken in, right after it was parsed. */
    void (*on_input)(void *arg, const struct fl_input *in);
    void *on_input_arg;
};
void fl_engine_opts_init(struct fl_engine_opts *o);

/* One input as read. */
struct fl_input {
    char *path;          /* display path (owned) */
    const char *format;  /* parser name, "unknown" when nothing claimed it */
    const char *data;    /* bytes (owned: heap, or a read-only mapping when mapped) */
    size_t len;
    size_t map_len;      /* > 0: data is mmap()ed, munmap(data, map_len) releases it */
    uint64_t records;    /* events produced */
    uint64_t skipped;    /* malformed records */
    int error;           /* 0, or negative FL_E* when the input could not be read */
    char *error_msg;     /* owned; NULL when error == 0 */
    uint32_t node;       /* default node for this input, 0 = none */
    const char *node_rule; /* how node was chosen: "--node", "bundle directory", NULL */
    bool from_stdin;
};

struct fl_skip {
    uint32_t input;
    uint32_t line;
    uint64_t offset;
    const char *reason;
};

#define FL_SKIPS_KEPT 100

struct fl_engine *fl_engine_new(const struct fl_engine_opts *opts, struct fl_err *err);
void fl_engine_free(struct fl_engine *e);

/* Override detector configuration: section = detector name, key = param key, value as text.
 * Returns 0, FL_ENOTFOUND (unknown detector or key; err says which), FL_EPARSE or FL_ERANGE. */
int fl_engine_set_config(struct fl_engine *e, const char *detector, const char *key,
                         struct fl_str value, struct fl_err *err);
/* Load a YAML config file (see docs/configuration.md). */
int fl_engine_load_config(struct fl_engine *e, const char *path, struct fl_err *err);

/* Add a file, or a directory (walked recursively, entries sorted, hidden files skipped),
 * or "-" for stdin. Unreadable files are recorded as inputs with error set and do not stop
 * the rest; the return is 0, or FL_EIO when path itself cannot be opened (err says why). */
int fl_engine_add_path(struct fl_engine *e, const char *path, struct fl_err *err);
/* Add an in-memory input; the engine copies buf. */
int fl_engine_add_buffer(struct fl_engine *e, const char *name, const char *buf, size_t len,
                         struct fl_err *err);

/* Parse every input, build the window, run every detector. Call once. 0 or FL_ENOMEM. */
int fl_engine_run(struct fl_engine *e, struct fl_err *err);
/* Parse and build the window only (for `faultline events`). */
int fl_engine_ingest(struct fl_engine *e, struct fl_err *err);

const struct fl_window *fl_engine_window(const struct fl_engine *e);
const struct fl_input *fl_engine_inputs(const struct fl_engine *e, size_t *n);
const struct fl_verdict *fl_engine_verdicts(const struct fl_engine *e, size_t *n);
/* Kept skips (at most FL_SKIPS_KEPT, sorted by path then line) and the total count. */
const struct fl_skip *fl_engine_skips(const struct fl_engine *e, size_t *n, uint64_t *total);
/* Number of inputs that could not be read. */
size_t fl_engine_input_errors(const struct fl_engine *e);

#endif
