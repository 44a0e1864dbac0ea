/* The faultline.verdicts/v1 envelope (docs/verdicts.md, schema/verdicts.v1.schema.json). */
#include <stdio.h>

#include "faultline/window.h"
#include "verdict/report.h"

static void write_scope(struct fl_jsonw *w, const struct fl_window *win, const struct fl_scope *s)
{
    fl_jsonw_key(w, "scope");
    fl_jsonw_object_begin(w);
    if (s->node) {
        fl_jsonw_key(w, "node");
        fl_jsonw_cstr(w, fl_window_str(win, s->node));
    }
    if (s->gpu.pci) {
        fl_jsonw_key(w, "gpu");
        fl_jsonw_cstr(w, fl_window_str(win, s->gpu.pci));
    }
    if (s->gpu.index >= 0 && (s->gpu.pci || s->gpu.uuid)) {
        fl_jsonw_key(w, "gpu_index");
        fl_jsonw_i64(w, s->gpu.index);
    }
    if (s->gpu.uuid) {
        fl_jsonw_key(w, "gpu_uuid");
        fl_jsonw_cstr(w, fl_window_str(win, s->gpu.uuid));
    }
    if (s->pod) {
        fl_jsonw_key(w, "pod");
        fl_jsonw_cstr(w, fl_window_str(win, s->pod));
    }
    if (s->job) {
        fl_jsonw_key(w, "job");
        fl_jsonw_cstr(w, fl_window_str(win, s->job));
    }
    if (s->pg) {
        fl_jsonw_key(w, "pg");
        fl_jsonw_object_begin(w);
        fl_jsonw_key(w, "id");
        fl_jsonw_cstr(w, fl_window_str(win, s->pg));
        if (s->pg_desc) {
            fl_jsonw_key(w, "desc");
            fl_jsonw_cstr(w, s->pg_desc);
        }
        fl_jsonw_object_end(w);
    }
    if (s->nranks) {
        fl_jsonw_key(w, "ranks");
        fl_jsonw_array_begin(w);
        for (size_t i = 0; i < s->nranks; i++)
            fl_jsonw_i64(w, s->ranks[i]);
        fl_jsonw_array_end(w);
    }
    fl_jsonw_object_end(w);
}

static void write_verdict(struct fl_jsonw *w, const struct fl_window *win,
                          const struct fl_verdict *v)
{
    char hex[17], src[1024];
    fl_jsonw_object_begin(w);
    fl_hex64(v->uid, hex);
    fl_jsonw_key(w, "uid");
    fl_jsonw_cstr(w, hex);
    fl_jsonw_key(w, "pattern_id");
    fl_jsonw_cstr(w, v->pattern_id);
    fl_jsonw_key(w, "severity");
    fl_jsonw_cstr(w, fl_severity_name(v->severity));
    fl_jsonw_key(w, "ts");
    fl_jsonw_time(w, v->ts);
    write_scope(w, win, &v->scope);
    fl_jsonw_key(w, "headline");
    fl_jsonw_cstr(w, v->headline);
    fl_jsonw_key(w, "remediation");
    fl_jsonw_cstr(w, v->remediation);
    fl_jsonw_key(w, "evidence");
    fl_jsonw_array_begin(w);
    for (size_t i = 0; i < v->nevidence; i++) {
        const struct fl_event *ev = v->evidence[i].ev;
        fl_jsonw_object_begin(w);
        fl_hex64(ev->uid, hex);
        fl_jsonw_key(w, "uid");
        fl_jsonw_cstr(w, hex);
        fl_jsonw_key(w, "kind");
        fl_jsonw_cstr(w, fl_event_kind_name((enum fl_event_kind)ev->kind));
        fl_jsonw_key(w, "ts");
        fl_jsonw_time(w, ev->clock == FL_CLOCK_WALL ? ev->ts : FL_TIME_NONE);
        fl_window_source(win, ev, src, sizeof src);
        fl_jsonw_key(w, "source");
        fl_jsonw_cstr(w, src);
        fl_jsonw_key(w, "description");
        fl_jsonw_cstr(w, v->evidence[i].description);
        fl_jsonw_object_end(w);
    }
    fl_jsonw_array_end(w);
    fl_jsonw_key(w, "caused_by");
    fl_jsonw_array_begin(w);
    for (size_t i = 0; i < v->ncaused_by; i++) {
        fl_hex64(v->caused_by[i], hex);
        fl_jsonw_cstr(w, hex);
    }
    fl_jsonw_array_end(w);
    fl_jsonw_object_end(w);
}

static void write_input(struct fl_jsonw *w, const struct fl_window *win, const struct fl_input *in)
{
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "path");
    fl_jsonw_cstr(w, in->path);
    fl_jsonw_key(w, "format");
    fl_jsonw_cstr(w, in->format);
    fl_jsonw_key(w, "records");
    fl_jsonw_u64(w, in->records);
    fl_jsonw_key(w, "skipped");
    fl_jsonw_u64(w, in->skipped);
    if (in->node) {
        fl_jsonw_key(w, "node");
        fl_jsonw_object_begin(w);
        fl_jsonw_key(w, "name");
        fl_jsonw_cstr(w, fl_window_str(win, in->node));
        fl_jsonw_key(w, "rule");
        fl_jsonw_cstr(w, in->node_rule ? in->node_rule : "unknown");
        fl_jsonw_object_end(w);
    }
    if (in->error) {
        fl_jsonw_key(w, "error");
        fl_jsonw_cstr(w, in->error_msg ? in->error_msg : "cannot read input");
    }
    fl_jsonw_object_end(w);
}

void fl_report_json(const struct fl_engine *e, struct fl_jsonw *w)
{
    const struct fl_window *win = fl_engine_window(e);
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "schema");
    fl_jsonw_cstr(w, "faultline.verdicts/v1");
    fl_jsonw_key(w, "generator");
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "name");
    fl_jsonw_cstr(w, "faultline");
    fl_jsonw_key(w, "version");
    fl_jsonw_cstr(w, FL_VERSION);
    fl_jsonw_object_end(w);
    fl_jsonw_key(w, "window");
    if (win->start == FL_TIME_NONE) {
        fl_jsonw_null(w);
    } else {
        fl_jsonw_object_begin(w);
        fl_jsonw_key(w, "start");
        fl_jsonw_time(w, win->start);
        fl_jsonw_key(w, "end");
        fl_jsonw_time(w, win->end);
        fl_jsonw_object_end(w);
    }
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    fl_jsonw_key(w, "inputs");
    fl_jsonw_array_begin(w);
    for (size_t i = 0; i < n; i++)
        write_input(w, win, &in[i]);
    fl_jsonw_array_end(w);
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    fl_jsonw_key(w, "verdicts");
    fl_jsonw_array_begin(w);
    for (size_t i = 0; i < n; i++)
        write_verdict(w, win, &v[i]);
    fl_jsonw_array_end(w);
    uint64_t total;
    const struct fl_skip *sk = fl_engine_skips(e, &n, &total);
    fl_jsonw_key(w, "skipped");
    fl_jsonw_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        char src[1024];
        const char *path = in[sk[i].input].path;
        if (sk[i].line)
            snprintf(src, sizeof src, "%s:%u", path, sk[i].line);
        else if (sk[i].offset)
            snprintf(src, sizeof src, "%s@%llu", path, (unsigned long long)sk[i].offset);
        else
            snprintf(src, sizeof src, "%s", path);
        fl_jsonw_object_begin(w);
        fl_jsonw_key(w, "source");
        fl_jsonw_cstr(w, src);
        fl_jsonw_key(w, "reason");
        fl_jsonw_cstr(w, sk[i].reason);
        fl_jsonw_object_end(w);
    }
    fl_jsonw_array_end(w);
    fl_jsonw_key(w, "skipped_total");
    fl_jsonw_u64(w, total);
    fl_jsonw_object_end(w);
    fl_jsonw_bytes(w, "\n", 1);
}
