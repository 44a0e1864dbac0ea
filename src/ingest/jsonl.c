/* faultline.events/v1 JSON Lines reader: one normalized event per line
 * (docs/input-formats.md, schema/events.v1.schema.json). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/k8s.h"

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

/* An integer within [lo, hi] whose presence sets bit in *known. */
static bool get_known(struct rd *r, int o, const char *obj, const char *key, int64_t lo,
                      int64_t hi, int64_t *out, uint8_t *known, unsigned bit)
{
    int64_t x = 0;
    bool present;
    if (!get_i64(r, o, obj, key, false, &x, &present))
        return false;
    if (!present)
        return true;
    if (x < lo || x > hi)
        return fail(r, obj, key, "integer out of range");
    *out = x;
    *known |= (uint8_t)bit;
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

/* "activity", "op" and "activity_frame" as written; derived from the frames when "activity"
 * is absent (a script converting py-spy output need not classify stacks itself). */
static bool read_pyspy_activity(struct rd *r, int o, struct fl_ev_pyspy_stack *s)
{
    const char *k = "pyspy_stack";
    int v = fl_json_get(r->j, o, "activity");
    if (v < 0 || fl_json_is_null(r->j, v)) {
        fl_pyspy_classify(s);
        return true;
    }
    return get_enum(r, o, k, "activity", false, fl_pyspy_activity_from, &s->activity) &&
           get_str(r, o, k, "op", false, &s->op) &&
           get_str(r, o, k, "activity_frame", false, &s->activity_frame);
}

/* ---- Flight Recorder (docs/formats/flight-recorder.md) ---- */

/* An optional int32 >= lo; sets bit in *known when present. */
static bool get_known_i32(struct rd *r, int o, const char *obj, const char *key, int64_t lo,
                          uint8_t bit, uint8_t *known, int32_t *out)
{
    int64_t x = INT64_MIN;
    if (!get_int_range(r, o, obj, key, false, lo, INT32_MAX, &x))
        return false;
    if (x != INT64_MIN) {
        *out = (int32_t)x;
        *known |= bit;
    }
    return true;
}

/* An optional RFC 3339 time with a zone; *out is left alone when absent. */
static bool get_time(struct rd *r, int o, const char *obj, const char *key, int64_t *out)
{
    struct fl_str s = FL_STR_NULL;
    if (!get_str(r, o, obj, key, false, &s))
        return false;
    if (!s.ptr)
        return true;
    size_t used = 0;
    if (fl_time_parse_rfc3339(s.ptr, s.ptr + s.len, true, out, &used, NULL) || used != s.len)
        return fail(r, obj, key, "not an RFC 3339 time with a zone");
    return true;
}

static bool read_fr_more(struct rd *r, int o, const char *k, struct fl_ev_nccl_fr *f)
{
    return get_known_i32(r, o, k, "pg_id", 0, FL_FR_HAS_PG_ID, &f->known, &f->pg_id) &&
           get_interned(r, o, k, "backend", false, &f->backend) &&
           get_enum(r, o, k, "coalesced", false, fl_fr_coalesced_from, &f->coalesced) &&
           get_bool(r, o, k, "retired", &f->retired) &&
           get_known_i32(r, o, k, "peer", 0, FL_FR_HAS_PEER, &f->known, &f->peer) &&
           get_known_i32(r, o, k, "peer_pg_rank", 0, FL_FR_HAS_PEER_PG_RANK, &f->known,
                         &f->peer_pg_rank) &&
           get_interned(r, o, k, "input_sizes", false, &f->input_sizes) &&
           get_interned(r, o, k, "input_dtypes", false, &f->input_dtypes) &&
           get_interned(r, o, k, "output_sizes", false, &f->output_sizes) &&
           get_interned(r, o, k, "output_dtypes", false, &f->output_dtypes) &&
           get_int_range(r, o, k, "thread_id", false, 1, INT64_MAX, &f->thread_id) &&
           get_interned(r, o, k, "thread_name", false, &f->thread_name) &&
           get_time(r, o, k, "started_at", &f->started_ns) &&
           get_time(r, o, k, "completed_at", &f->completed_ns) &&
           get_interned(r, o, k, "frames", false, &f->frames);
}

static bool read_fr_pg(struct rd *r, int i, struct fl_fr_pg *g)
{
    const char *k = "nccl_fr_dump.pgs[]";
    *g = (struct fl_fr_pg){.size = -1, .id = -1, .last_enqueued = FL_FR_NO_SEQ,
                           .last_started = FL_FR_NO_SEQ, .last_completed = FL_FR_NO_SEQ};
    if (!fl_json_is_object(r->j, i))
        return fail(r, "nccl_fr_dump", "pgs", "item not an object");
    int64_t size = -1, id = -1;
    if (!get_interned(r, i, k, "name", false, &g->name) ||
        !get_interned(r, i, k, "desc", false, &g->desc) ||
        !get_interned(r, i, k, "ranks", false, &g->ranks) ||
        !get_int_range(r, i, k, "size", false, 0, INT32_MAX, &size) ||
        !get_int_range(r, i, k, "id", false, 0, INT32_MAX, &id) ||
        !get_int_range(r, i, k, "last_enqueued", false, -1, INT64_MAX, &g->last_enqueued) ||
        !get_int_range(r, i, k, "last_started", false, -1, INT64_MAX, &g->last_started) ||
        !get_int_range(r, i, k, "last_completed", false, -1, INT64_MAX, &g->last_completed))
        return false;
    g->size = (int32_t)size;
    g->id = (int32_t)id;
    return true;
}

static bool read_fr_dump(struct rd *r, int o, const char *k, struct fl_ev_nccl_fr_dump *d)
{
    int64_t rank = -1, n = 0;
    if (!get_int_range(r, o, k, "rank", false, 0, INT32_MAX, &rank) ||
        !get_enum(r, o, k, "status", true, fl_fr_dump_status_from, &d->status) ||
        !get_enum(r, o, k, "format", false, fl_fr_encoding_from, &d->encoding) ||
        !get_str(r, o, k, "version", false, &d->version) ||
        !get_str(r, o, k, "comm_lib_version", false, &d->comm_lib_version) ||
        !get_interned(r, o, k, "backend", false, &d->backend) ||
        !get_int_range(r, o, k, "entries", false, 0, UINT32_MAX, &n) ||
        !get_str(r, o, k, "error", false, &d->error))
        return false;
    if (rank >= 0) {
        d->rank = (int32_t)rank;
        d->known |= FL_FR_DUMP_HAS_RANK;
    }
    d->nentries = (uint32_t)n;
    int a = fl_json_get(r->j, o, "pgs");
    if (a < 0 || fl_json_is_null(r->j, a))
        return true;
    if (!fl_json_is_array(r->j, a))
        return fail(r, k, "pgs", "not an array");
    int count = r->j->tok[a].size;
    struct fl_fr_pg *pgs = count ? FL_ARENA_NEW_N(r->ctx->arena, struct fl_fr_pg, count) : NULL;
    if (count && !pgs) {
        r->oom = true;
        return fail(r, k, "pgs", "out of memory");
    }
    int i = a + 1;
    for (int m = 0; m < count; m++, i = fl_json_skip(r->j, i))
        if (!read_fr_pg(r, i, &pgs[m]))
            return false;
    d->pgs = pgs;
    d->npgs = (uint32_t)count;
    return true;
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
        int64_t ec = 0, g = 0;
        if (!get_interned(r, o, k, "pod", true, &p->pod) ||
            !get_str(r, o, k, "reason", true, &p->reason) ||
            !get_str(r, o, k, "message", false, &p->message) ||
            !get_str(r, o, k, "container", false, &p->container) ||
            !get_int_range(r, o, k, "count", false, 0, INT64_MAX, &p->count) ||
            !get_interned(r, o, k, "pod_uid", false, &p->pod_uid) ||
            !get_known(r, o, k, "exit_code", INT32_MIN, INT32_MAX, &ec, &p->known,
                       FL_POD_HAS_EXIT_CODE) ||
            !get_known(r, o, k, "gpus", 0, INT32_MAX, &g, &p->known, FL_POD_HAS_GPUS) ||
            !get_str(r, o, k, "resource", false, &p->resource) ||
            !get_known(r, o, k, "threshold", INT64_MIN, INT64_MAX, &p->threshold, &p->known,
                       FL_POD_HAS_THRESHOLD) ||
            !get_known(r, o, k, "available", INT64_MIN, INT64_MAX, &p->available, &p->known,
                       FL_POD_HAS_AVAILABLE) ||
            !get_known(r, o, k, "usage", INT64_MIN, INT64_MAX, &p->usage, &p->known,
                       FL_POD_HAS_USAGE) ||
            !get_known(r, o, k, "request", INT64_MIN, INT64_MAX, &p->request, &p->known,
                       FL_POD_HAS_REQUEST))
            return false;
        p->exit_code = (int32_t)ec;
        p->gpus = (int32_t)g;
        p->reason_code = (uint8_t)fl_pod_reason_from(p->reason);
        /* a record that carries the kubelet's message but not its numbers (written by
         * another tool than faultline) gets them from the message, as the Kubernetes reader
         * does; a malformed quantity leaves them out, the message stays */
        enum { NUMBERS = FL_POD_HAS_THRESHOLD | FL_POD_HAS_AVAILABLE | FL_POD_HAS_USAGE |
                         FL_POD_HAS_REQUEST };
        if (!p->resource.len && !(p->known & NUMBERS) && p->message.len) {
            struct fl_str container = p->container;
            char why[160];
            if (fl__k8s_pod_message_numbers(p, why, sizeof why) > 0 && container.len)
                p->container = container;
        }
        return true;
    }
    case FL_EV_NODE_CONDITION: {
        struct fl_ev_node_condition *c = &ev->u.cond;
        int64_t cap = 0, alloc = 0;
        if (!get_str(r, o, k, "type", true, &c->type) ||
            !get_enum(r, o, k, "status", true, fl_tristate_from, &c->status) ||
            !get_str(r, o, k, "reason", false, &c->reason) ||
            !get_str(r, o, k, "message", false, &c->message) ||
            !get_known(r, o, k, "gpu_capacity", 0, INT32_MAX, &cap, &c->known,
                       FL_COND_HAS_GPU_CAPACITY) ||
            !get_known(r, o, k, "gpu_allocatable", 0, INT32_MAX, &alloc, &c->known,
                       FL_COND_HAS_GPU_ALLOCATABLE) ||
            !get_str(r, o, k, "labels", false, &c->labels))
            return false;
        c->gpu_capacity = (int32_t)cap;
        c->gpu_allocatable = (int32_t)alloc;
        return true;
    }
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
               get_double(r, o, k, "duration_ms", false, &f->duration_ms) &&
               read_fr_more(r, o, k, f);
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
               get_str(r, o, k, "frames", false, &s->frames) &&
               get_interned(r, o, k, "cmdline", false, &s->cmdline) &&
               get_interned(r, o, k, "python", false, &s->python) && read_pyspy_activity(r, o, s);
    }
    case FL_EV_NCCL_FR_DUMP:
        return read_fr_dump(r, o, k, &ev->u.fr_dump);
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
    } else if (fl_json_get(r->j, 0, "ts") >= 0) {
        /* "ts": null without "boot_ns": the record carried no usable time (e.g. a metrics
         * snapshot without timestamps); kept on FL_CLOCK_NONE, as the writer wrote it */
        ev->clock = FL_CLOCK_NONE;
    } else {
        return fail(r, NULL, "ts", "required time missing");
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

#define SNIFF_MAX ((size_t)64 << 10)

static int jsonl_sniff(const char *buf, size_t len, struct fl_str path)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i >= len || buf[i] != '{')
        return 0;
    /* the first line, up to 64 KiB of it: an event's "schema", "kind" and "ts" come first,
     * and a one-line JSON document of megabytes (a Flight Recorder JSON dump, a kubectl List
     * printed compact) is not scanned whole three times by every sniff */
    size_t most = len - i < SNIFF_MAX ? len - i : SNIFF_MAX;
    const char *nl = memchr(buf + i, '\n', most);
    const char *end = nl ? nl : buf + i + most;
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
