/* --config FILE: detector thresholds in YAML, as users keep them in a ConfigMap.
 *
 *   detectors:
 *     xid_correlation:
 *       window: 10m
 *
 * libyaml's event API gives line numbers for every error. libyaml allocates with the C
 * library's malloc (it has no allocator hook); the config is read once at start-up, never on
 * a hot path, so this is the one documented exception to the allocation hook. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "model/engine_internal.h"

struct cfg_reader {
    yaml_parser_t p;
    yaml_event_t ev;
    bool have_ev;
    const char *path;
    struct fl_err *err;
};

static int next(struct cfg_reader *r)
{
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    r->have_ev = false;
    if (!yaml_parser_parse(&r->p, &r->ev))
        return fl_err_set(r->err, FL_EPARSE, r->path, (uint32_t)r->p.problem_mark.line + 1,
                          "%s:%zu: %s", r->path, r->p.problem_mark.line + 1,
                          r->p.problem ? r->p.problem : "invalid YAML");
    r->have_ev = true;
    return 0;
}

static uint32_t line_of(const struct cfg_reader *r) { return (uint32_t)r->ev.start_mark.line + 1; }

static int expect(struct cfg_reader *r, yaml_event_type_t t, const char *what)
{
    int rc = next(r);
    if (rc)
        return rc;
    if (r->ev.type != t)
        return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r), "%s:%u: expected %s", r->path,
                          line_of(r), what);
    return 0;
}

static struct fl_str scalar(const struct cfg_reader *r)
{
    return fl_str_make((const char *)r->ev.data.scalar.value, r->ev.data.scalar.length);
}

/* One detector's mapping: key -> scalar. */
static int read_detector(struct fl_engine *e, struct cfg_reader *r, const char *det)
{
    int rc = expect(r, YAML_MAPPING_START_EVENT, "a mapping of settings under the detector");
    if (rc)
        return rc;
    for (;;) {
        if ((rc = next(r)))
            return rc;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (r->ev.type != YAML_SCALAR_EVENT)
            return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r),
                              "%s:%u: expected a setting name", r->path, line_of(r));
        char key[128];
        struct fl_str k = scalar(r);
        snprintf(key, sizeof key, "%.*s", FL_STR_FMT(k));
        uint32_t kline = line_of(r);
        if ((rc = expect(r, YAML_SCALAR_EVENT, "a scalar value")))
            return rc;
        struct fl_err e2 = {0};
        rc = fl_engine_set_config(e, det, key, scalar(r), &e2);
        if (rc)
            return fl_err_set(r->err, rc, r->path, kline, "%s:%u: %s", r->path, kline, e2.msg);
    }
}

static int read_detectors(struct fl_engine *e, struct cfg_reader *r)
{
    int rc = expect(r, YAML_MAPPING_START_EVENT, "a mapping of detector names under 'detectors'");
    if (rc)
        return rc;
    for (;;) {
        if ((rc = next(r)))
            return rc;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (r->ev.type != YAML_SCALAR_EVENT)
            return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r),
                              "%s:%u: expected a detector name", r->path, line_of(r));
        struct fl_str name = scalar(r);
        if (!fl_detector_find(name))
            return fl_err_set(r->err, FL_ENOTFOUND, r->path, line_of(r),
                              "%s:%u: no detector named '%.*s' (faultline detectors lists them)",
                              r->path, line_of(r), FL_STR_FMT(name));
        char det[64];
        snprintf(det, sizeof det, "%.*s", FL_STR_FMT(name));
        if ((rc = read_detector(e, r, det)))
            return rc;
    }
}

static int read_root(struct fl_engine *e, struct cfg_reader *r)
{
    int rc;
    if ((rc = expect(r, YAML_STREAM_START_EVENT, "a YAML stream")))
        return rc;
    if ((rc = next(r)))
        return rc;
    if (r->ev.type == YAML_STREAM_END_EVENT)
        return 0; /* empty file: defaults */
    if (r->ev.type != YAML_DOCUMENT_START_EVENT)
        return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r), "%s:%u: expected a document",
                          r->path, line_of(r));
    if ((rc = next(r)))
        return rc;
    if (r->ev.type == YAML_SCALAR_EVENT && r->ev.data.scalar.length == 0)
        return 0; /* document with only comments */
    if (r->ev.type != YAML_MAPPING_START_EVENT)
        return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r),
                          "%s:%u: expected a mapping with a 'detectors' key", r->path, line_of(r));
    for (;;) {
        if ((rc = next(r)))
            return rc;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 0;
        if (r->ev.type != YAML_SCALAR_EVENT || !fl_str_eq_cstr(scalar(r), "detectors"))
            return fl_err_set(r->err, FL_EPARSE, r->path, line_of(r),
                              "%s:%u: unknown top-level key (only 'detectors' is known)", r->path,
                              line_of(r));
        if ((rc = read_detectors(e, r)))
            return rc;
    }
}

int fl_engine_load_config(struct fl_engine *e, const char *path, struct fl_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fl_err_set(err, FL_EIO, path, 0, "cannot read config '%s': %s", path,
                          strerror(errno));
    struct cfg_reader r = {.path = path, .err = err};
    if (!yaml_parser_initialize(&r.p)) {
        fclose(f);
        return fl_err_set(err, FL_ENOMEM, path, 0, "out of memory");
    }
    yaml_parser_set_input_file(&r.p, f);
    int rc = read_root(e, &r);
    if (r.have_ev)
        yaml_event_delete(&r.ev);
    yaml_parser_delete(&r.p);
    fclose(f);
    return rc;
}
