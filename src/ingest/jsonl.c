/* faultline.events/v1 JSON Lines reader: one normalized event per line
 * (docs/input-formats.md, schema/events.v1.schema.json). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "faultline/ingest.h"
#include "faultline/time.h"

/* A field reader over one object; the first failure wins and names the field. */
struct rd {
    const struct fl_json *j;
    struct fl_parse_ctx *ctx;
    char why[160];
    bool oom;
};

static bool fail(struct rd *r, const char *obj, const char *key, const char *what)
{
    if (!r->why[0])
        snprintf(r->why, sizeof r->why, "%s%s\"%s\": %s", obj ? obj : "", obj ? "." : "", key,
                 what);
    return false;
}

static bool get_str(struct rd *r, int o, const char *obj, const char *key, bool req,
                    struct fl_str *out)
{
    int v = fl_json_get(r->j, o, key);
    if (v < 0 || fl_json_is_null(r->j, v))
        return req ? fail(r, obj, key, "required string missing") : true;
    if (!fl_json_str(r->j, v, r->ctx->arena, out, &r->oom))
        return fail(r, obj, key, r->oom ? "out of memory" : "not a valid string");
    return true;
}

static bool get_i64(struct rd *r, int o, const char *obj, const char *key, bool req,
                    int64_t *out, bool *present)
{
    int v = fl_json_get(r->j, o, key);
    *present = false;
    if (v < 0 || fl_json_is_null(r->j, v))
        return req ? fail(r, obj, key, "required integer missing") : true;
    if (!fl_json_i64(r->j, v, false, out))
        return fail(r, obj, key, "not an integer");
    *present = true;
    return true;
}

/* An integer within [lo, hi]; *out is left alone when the key is absent. */
static bool get_int_range(struct rd *r, int o, const char *obj, const char *key, bool req,
                          int64_t lo, int64_t hi, int64_t *out)
{
    int64_t x = 0;
    bool present;
    if (!get_i64(r, o, obj, key, req, &x, &present))
        return false;
    if (!present)
        return true;
    if (x < lo || x > hi)
        return fail(r, obj, key, "integer out of range");
    *out = x;
    return true;
}

static bool get_double(struct rd *r, int o, const char *obj, const char *key, bool req,
                       double *out)
{
    int v = fl_json_get(r->j, o, key);
    if (v < 0 || fl_json_is_null(r->j, v))
        return req ? fail(r, obj, key, "required number missing") : true;
    if (!fl_json_double(r->j, v, false, out))
        return fail(r, obj, key, "not a number");
    return true;
}

static bool get_bool(struct rd *r, int o, const char *obj, const char *key, bool *out)
{
    int v = fl_json_get(r->j, o, key);
    if (v < 0 || fl_json_is_null(r->j, v))
        return true;
    if (!fl_json_bool(r->j, v, out))
        return fail(r, obj, key, "not true or false");
    return true;
}

static bool get_enum(struct rd *r, int o, const char *obj, const char *key, bool req,
                     int (*from)(struct fl_str), uint8_t *out)
{
    struct fl_str s = FL_STR_NULL;
    if (!get_str(r, o, obj, key, req, &s))
        return false;
    if (!s.ptr)
        return true;
    int x = from(s);
    if (x < 0)
        return fail(r, obj, key, "unknown value");
    *out = (uint8_t)x;
    return true;
}

static bool get_hex(struct rd *r, int o, const char *obj, const char *key, uint64_t max,
                    uint64_t *out)
{
    struct fl_str s = FL_STR_NULL;
    if (!get_str(r, o, obj, key, false, &s) || !s.ptr)
        return !r->why[0];
    if (fl_str_starts_with(s, "0x") || fl_str_starts_with(s, "0X"))
        s = fl_str_sub(s, 2, s.len);
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    uint64_t v;
    if (!fl_scan_hex_u64(&sc, &v) || !fl_scan_eof(&sc) || v > max)
        return fail(r, obj, key, "not a hex number in range");
    *out = v;
    return true;
}

static bool get_interned(struct rd *r, int o, const char *obj, const char *key, bool req,
                         uint32_t *out)
{
    struct fl_str s = FL_STR_NULL;
    if (!get_str(r, o, obj, key, req, &s))
        return false;
    if (!s.ptr)
        return true;
    uint32_t id = fl_ingest_intern(r->ctx, s);
    if (id == FL_INTERN_FAIL) {
        r->oom = true;
        return fail(r, obj, key, "out of memory");
    }
    *out = id;
    return true;
}

static bool read_gpu(struct rd *r, int root, struct fl_event *ev)
{
    int g = fl_json_get(r->j, root, "gpu");
    if (g < 0 || fl_json_is_null(r->j, g))
        return true;
    if (!fl_json_is_object(r->j, g))
        return fail(r, NULL, "gpu", "not an object");
    struct fl_str pci = FL_STR_NULL;
    if (!get_str(r, g, "gpu", "pci", false, &pci))
        return false;
    if (pci.ptr) {
        char norm[13];
        if (!fl_pci_normalize(pci, norm))
            return fail(r, "gpu", "pci", "not a PCI address");
        ev->gpu.pci = fl_ingest_intern(r->ctx, fl_str_make(norm, 12));
        if (ev->gpu.pci == FL_INTERN_FAIL) {
            r->oom = true;
            return fail(r, "gpu", "pci", "out of memory");
        }
    }
    int64_t idx = ev->gpu.index;
    if (!get_int_range(r, g, "gpu", "index", false, 0, INT32_MAX, &idx))
        return false;
    ev->gpu.index = (int32_t)idx;
    return get_interned(r, g, "gpu", "uuid", false, &ev->gpu.uuid);
}

static bool read_payload(struct rd *r, int o, struct fl_event *ev)
{
    const char *k = fl_event_kind_name(ev->kind);
    int64_t x;
    uint64_t h;
    switch ((enum fl_event_kind)ev->kind) {
    case FL_EV_LOG:
        x = ev->u.log.level;
        if (!get_str(r, o, k, "text", true, &ev->u.log.text) ||
            !get_int_range(r, o, k, "level", false, 0, 7, &x))
            return false;
        ev->u.log.level = (uint8_t)x;
        return true;
    case FL_EV_XID:
        x = -1;
        if (!get_int_range(r, o, k, "code", true, 0, UINT32_MAX, &x))
            return false;
        ev->u.xid.code = (uint32_t)x;
        return get_int_range(r, o, k, "pid", false, -1, INT64_MAX, &ev->u.xid.pid) &&
               get_str(r, o, k, "process", false, &ev->u.xid.process) &&
               get_str(r, o, k, "text", false, &ev->u.xid.text);
    case FL_EV_SXID:
        x = -1;
        if (!get_int_range(r, o, k, "code", true, 0, UINT32_MAX, &x))
            return false;
        ev->u.sxid.code = (uint32_t)x;
        x = ev->u.sxid.switch_index;
        if (!get_int_range(r, o, k, "switch", false, 0, INT32_MAX, &x))
            return false;
        ev->u.sxid.switch_index = (int32_t)x;
        x = ev->u.sxid.link;
        if (!get_int_range(r, o, k, "link", false, 0, INT32_MAX, &x))
            return false;
        ev->u.sxid.link = (int32_t)x;
        return get_bool(r, o, k, "fatal", &ev->u.sxid.fatal) &&
               get_str(r, o, k, "text", false, &ev->u.sxid.text);
    case FL_EV_PCIE_AER: {
        struct fl_ev_pcie_aer *a = &ev->u.aer;
        if (!get_enum(r, o, k, "severity", false, fl_aer_severity_from, &a->severity) ||
            !get_enum(r, o, k, "type", false, fl_aer_type_from, &a->type) ||
            !get_bool(r, o, k, "multiple", &a->multiple) ||
            !get_str(r, o, k, "agent", false, &a->agent))
            return false;
        h = 0;
        if (!get_hex(r, o, k, "vendor_id", 0xffff, &h))
            return false;
        a->vendor_id = (uint16_t)h;
        h = 0;
        if (!get_hex(r, o, k, "device_id", 0xffff, &h))
            return false;
        a->device_id = (uint16_t)h;
        h = 0;
        if (!get_hex(r, o, k, "status", 0xffffffffu, &h))
            return false;
        a->status = (uint32_t)h;
        h = 0;
        if (!get_hex(r, o, k, "mask", 0xffffffffu, &h))
            return false;
        a->mask = (uint32_t)h;
        x = a->first_bit;
        if (!get_int_range(r, o, k, "first_bit", false, 0, 32, &x))
            return false;
        a->first_bit = (uint32_t)x;
        return true;
    }
    case FL_EV_ECC:
        return get_enum(r, o, k, "type", true, fl_ecc_kind_from, &ev->u.ecc.ecc_kind) &&
               get_bool(r, o, k, "aggregate", &ev->u.ecc.aggregate) &&
               get_int_range(r, o, k, "count", false, 0, INT64_MAX, &ev->u.ecc.count) &&
               get_str(r, o, k, "text", false, &ev->u.ecc.text);
    case FL_EV_THROTTLE:
        x = -1;
        if (!get_int_range(r, o, k, "reasons", true, 0, INT64_MAX, &x))
            return false;
        ev->u.throttle.reasons = (uint64_t)x;
        return true;
    case FL_EV_GPU_SAMPLE:
        return get_enum(r, o, k, "metric", true, fl_gpu_metric_from, &ev->u.sample.metric) &&
               get_double(r, o, k, "value", true, &ev->u.sample.value) &&
               get_str(r, o, k, "name", false, &ev->u.sample.name);
    case FL_EV_POD_EVENT: {
        struct fl_ev_pod_event *p = &ev->u.pod;
        if (!get_interned(r, o, k, "pod", true, &p->pod) ||
            !get_str(r, o, k, "reason", true, &p->reason) ||
            !get_str(r, o, k, "message", false, &p->message) ||
            !get_str(r, o, k, "container", false, &p->container) ||
            !get_int_range(r, o, k, "count", false, 0, INT64_MAX, &p->count))
            return false;
        p->reason_code = (uint8_t)fl_pod_reason_from(p->reason);
        return true;
    }
    case FL_EV_NODE_CONDITION:
        return get_str(r, o, k, "type", true, &ev->u.cond.type) &&
               get_enum(r, o, k, "status", true, fl_tristate_from, &ev->u.cond.status) &&
               get_str(r, o, k, "reason", false, &ev->u.cond.reason) &&
               get_str(r, o, k, "message", false, &ev->u.cond.message);
    case FL_EV_NCCL_FR_RECORD: {
        struct fl_ev_nccl_fr *f = &ev->u.fr;
        x = -1;
        if (!get_int_range(r, o, k, "rank", true, 0, INT32_MAX, &x))
            return false;
        f->rank = (int32_t)x;
        return get_interned(r, o, k, "pg", true, &f->pg) &&
               get_str(r, o, k, "pg_desc", false, &f->pg_desc) &&
               get_enum(r, o, k, "state", true, fl_fr_state_from, &f->state) &&
               get_int_range(r, o, k, "collective_seq", false, 0, INT64_MAX, &f->collective_seq) &&
               get_int_range(r, o, k, "p2p_seq", false, 0, INT64_MAX, &f->p2p_seq) &&
               get_int_range(r, o, k, "op_id", false, 0, INT64_MAX, &f->op_id) &&
               get_int_range(r, o, k, "record_id", false, 0, INT64_MAX, &f->record_id) &&
               get_str(r, o, k, "op", false, &f->op) && get_bool(r, o, k, "is_p2p", &f->is_p2p) &&
               get_int_range(r, o, k, "timeout_ms", false, 0, INT64_MAX, &f->timeout_ms) &&
               get_double(r, o, k, "duration_ms", false, &f->duration_ms);
    }
    case FL_EV_PYSPY_STACK: {
        struct fl_ev_pyspy_stack *s = &ev->u.pyspy;
        x = s->rank;
        if (!get_int_range(r, o, k, "rank", false, 0, INT32_MAX, &x))
            return false;
        s->rank = (int32_t)x;
        return get_int_range(r, o, k, "pid", false, 0, INT64_MAX, &s->pid) &&
               get_int_range(r, o, k, "thread_id", false, 0, INT64_MAX, &s->thread_id) &&
               get_str(r, o, k, "thread_name", false, &s->thread_name) &&
               get_bool(r, o, k, "active", &s->active) && get_bool(r, o, k, "gil", &s->gil) &&
               get_str(r, o, k, "top_frame", false, &s->top_frame) &&
               get_str(r, o, k, "frames", false, &s->frames);
    }
    case FL_EV__COUNT:
        break;
    }
    return fail(r, NULL, "kind", "unsupported");
}

static bool read_uid(struct rd *r, int root, uint64_t *uid)
{
    struct fl_str s = FL_STR_NULL;
    if (!get_str(r, root, NULL, "uid", false, &s))
        return false;
    if (!s.ptr)
        return true;
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    if (s.len != 16 || !fl_scan_hex_u64(&sc, uid) || !fl_scan_eof(&sc))
        return fail(r, NULL, "uid", "not 16 hex digits");
    return true;
}

/* Parse one line into ev; false with r->why set when the line is not a valid event. */
static bool read_event(struct rd *r, struct fl_event *ev)
{
    const struct fl_json *j = r->j;
    if (!fl_json_is_object(j, 0))
        return fail(r, NULL, "line", "not a JSON object");
    struct fl_str schema = FL_STR_NULL;
    if (!get_str(r, 0, NULL, "schema", false, &schema))
        return false;
    if (schema.ptr && !fl_str_eq_cstr(schema, "faultline.events/v1"))
        return fail(r, NULL, "schema", "unsupported schema (this reader takes faultline.events/v1)");
    struct fl_str kind = FL_STR_NULL;
    if (!get_str(r, 0, NULL, "kind", true, &kind))
        return false;
    int k = fl_event_kind_from_name(kind);
    if (k < 0)
        return fail(r, NULL, "kind", "unknown event kind");
    fl_event_init(ev, (enum fl_event_kind)k);
    /* "ts" (wall clock), or "ts": null with "boot_ns" for a kernel stamp whose node's boot
     * time was unknown when the event was written */
    struct fl_str ts = FL_STR_NULL;
    int64_t boot_ns = -1;
    if (!get_str(r, 0, NULL, "ts", false, &ts) ||
        !get_int_range(r, 0, NULL, "boot_ns", false, 0, INT64_MAX, &boot_ns))
        return false;
    if (ts.ptr) {
        size_t used = 0;
        if (fl_time_parse_rfc3339(ts.ptr, ts.ptr + ts.len, true, &ev->ts, &used, NULL) ||
            used != ts.len)
            return fail(r, NULL, "ts", "not an RFC 3339 time with a zone");
        ev->clock = FL_CLOCK_WALL;
    } else if (boot_ns >= 0) {
        ev->ts = boot_ns;
        ev->clock = FL_CLOCK_BOOT;
    } else {
        return fail(r, NULL, "ts", "required time missing (or null without \"boot_ns\")");
    }
    if (!read_uid(r, 0, &ev->uid) || !get_interned(r, 0, NULL, "node", false, &ev->node) ||
        !get_interned(r, 0, NULL, "job", false, &ev->job) ||
        !get_str(r, 0, NULL, "source", false, &ev->origin) ||
        !get_str(r, 0, NULL, "raw", false, &ev->raw) || !read_gpu(r, 0, ev))
        return false;
    int o = fl_json_get(j, 0, fl_event_kind_name((enum fl_event_kind)k));
    if (o < 0)
        return fail(r, NULL, fl_event_kind_name((enum fl_event_kind)k),
                    "object for this kind missing");
    if (!fl_json_is_object(j, o))
        return fail(r, NULL, fl_event_kind_name((enum fl_event_kind)k), "not an object");
    return read_payload(r, o, ev);
}

static int jsonl_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fl_json_parser jp;
    fl_json_parser_init(&jp, 1u << 16);
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    struct fl_str line;
    uint32_t lineno = 0;
    int rc = 0;
    while (rc == 0 && fl_scan_line(&sc, &line)) {
        lineno++;
        struct fl_str t = fl_str_trim(line);
        if (t.len == 0)
            continue;
        struct fl_json j;
        size_t pos = 0;
        const char *jwhy = NULL;
        int jr = fl_json_parse(&jp, t.ptr, t.len, &j, &pos, &jwhy);
        if (jr == FL_ENOMEM) {
            rc = FL_ENOMEM;
            break;
        }
        if (jr) {
            char why[128];
            snprintf(why, sizeof why, "invalid JSON at column %zu: %s",
                     (size_t)(t.ptr - line.ptr) + pos + 1, jwhy ? jwhy : "syntax error");
            rc = fl_ingest_skip(ctx, lineno, 0, why);
            continue;
        }
        struct rd r = {.j = &j, .ctx = ctx};
        struct fl_event ev;
        if (!read_event(&r, &ev)) {
            rc = r.oom ? FL_ENOMEM : fl_ingest_skip(ctx, lineno, 0, r.why);
            continue;
        }
        ev.src.line = lineno;
        rc = fl_ingest_emit(ctx, &ev);
    }
    fl_json_parser_release(&jp);
    return rc;
}

static int jsonl_sniff(const char *buf, size_t len, struct fl_str path)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= len || buf[i] != '{')
        return 0;
    const char *nl = memchr(buf + i, '\n', len - i);
    const char *end = nl ? nl : buf + len;
    struct fl_str first = fl_str_make(buf + i, (size_t)(end - (buf + i)));
    if (fl_str_find(first, FL_STR_LIT("\"faultline.events/v1\"")) >= 0)
        return 90;
    bool kind = fl_str_find(first, FL_STR_LIT("\"kind\"")) >= 0;
    bool ts = fl_str_find(first, FL_STR_LIT("\"ts\"")) >= 0;
    if (kind && ts)
        return fl_str_ends_with(path, ".jsonl") || fl_str_ends_with(path, ".ndjson") ? 70 : 50;
    return 0;
}

const struct fl_parser fl_parser_jsonl = {
    .name = "faultline-jsonl",
    .summary = "faultline's normalized events, JSON Lines (faultline.events/v1)",
    .sniff = jsonl_sniff,
    .parse = jsonl_parse,
};
