/* Kubernetes objects as kubectl prints them (docs/formats/kubernetes.md):
 *   kubectl get events -A -o json            a List of core/v1 (or events.k8s.io/v1) Events
 *   kubectl get events --watch -o json       concatenated objects, pretty or one per line,
 *                                            optionally {"type": ..., "object": ...} wrapped
 *   kubectl get nodes -o json / get pods -A -o json, and single objects
 * Events about pods become pod_event, Node condition events node_condition, other events log;
 * each node condition becomes node_condition; each pod its status and its containers'
 * terminations as pod_event.
 *
 * A List of hundreds of MB is never tokenized whole: each object of `items` is validated and
 * tokenized alone, in the one pass that finds where it ends (fl_json_parse_prefix), into one
 * reused token array; an object that is not valid JSON is cut out by a bracket- and
 * string-aware scanner instead and parsed alone for the reason. Lines are counted only when a
 * line number is needed. Events are emitted in batches, their uids hashed side by side. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/k8s.h"
#include "ingest/uid_batch.h"

#define K8S_MAX_TOKENS (1u << 22)

struct kp {
    struct fl_parse_ctx *ctx;
    const char *buf, *end;
    struct fl_json_parser jp;
    const char *lpos; /* newlines before lpos are counted in line */
    uint32_t line;
    int rc;                          /* first hard error (FL_ENOMEM) */
    struct fl_uid_batch pend; /* read, not yet emitted: uids hashed together */
    /* strings interned lately (views of the table's own copies), direct-mapped by their ends:
     * the same pods, uids and nodes recur, and comparing bytes costs less than hashing them */
    struct fl_str icache_s[64];
    uint32_t icache_id[64];
};

/* ---- line numbers ------------------------------------------------------------------ */

/* Newlines in [p, end), eight bytes at a time. */
static size_t count_nl(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101ULL, nl = ones * '\n', low7 = ones * 0x7f;
    size_t n = 0;
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = w ^ nl;                            /* a zero byte where w had '\n' */
        uint64_t t = ~(((x & low7) + low7) | x | low7); /* 0x80 in each such byte */
        n += (size_t)(((t >> 7) * ones) >> 56);
    }
    for (; p < end; p++)
        n += *p == '\n';
    return n;
}

/* 1-based line of byte p. */
static uint32_t line_at(struct kp *k, const char *p)
{
    if (p >= k->lpos)
        k->line += (uint32_t)count_nl(k->lpos, p);
    else
        k->line -= (uint32_t)count_nl(p, k->lpos);
    k->lpos = p;
    return k->line;
}

static void skip(struct kp *k, uint32_t line, const char *reason)
{
    if (!k->rc && fl_ingest_skip(k->ctx, line, 0, reason))
        k->rc = FL_ENOMEM;
}

static void skipf(struct kp *k, uint32_t line, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void skipf(struct kp *k, uint32_t line, const char *what, const char *fmt, ...)
{
    char why[256];
    int n = snprintf(why, sizeof why, "%s", what);
    if (n < 0 || (size_t)n >= sizeof why)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, sizeof why - (size_t)n, fmt, ap);
    va_end(ap);
    skip(k, line, why);
}

/* ---- the splitter ------------------------------------------------------------------- */

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Past the closing quote of the string opening at p; NULL when the input ends first. */
static const char *string_end(const char *p, const char *end)
{
    static const unsigned char stop[256] = {['"'] = 1, ['\\'] = 2};
    p++;
    for (;;) {
        while (p < end && !stop[(unsigned char)*p])
            p++;
        if (p >= end)
            return NULL;
        if (*p == '"')
            return p + 1;
        p += 2; /* a backslash and the byte it escapes */
    }
}

/* Past the JSON value starting at p (p < end), by brackets and strings only: the value is
 * validated later, when it is parsed. Always advances. NULL when the input ends inside it. */
static const char *value_end(const char *p, const char *end)
{
    if (*p == '"')
        return string_end(p, end);
    if (*p != '{' && *p != '[') {
        const char *q = p;
        while (q < end && *q != ',' && *q != '}' && *q != ']' && *q != ' ' && *q != '\n' &&
               *q != '\r' && *q != '\t' && *q != '{' && *q != '[' && *q != '"')
            q++;
        return q > p ? q : p + 1;
    }
    /* 1: opens, 2: closes, 3: a string */
    static const unsigned char cls[256] = {['{'] = 1, ['['] = 1, ['}'] = 2, [']'] = 2, ['"'] = 3};
    size_t depth = 0;
    for (;;) {
        while (p < end && !cls[(unsigned char)*p])
            p++;
        if (p >= end)
            return NULL;
        switch (cls[(unsigned char)*p]) {
        case 1:
            depth++;
            p++;
            break;
        case 2:
            p++;
            if (--depth == 0)
                return p;
            break;
        default:
            p = string_end(p, end);
            if (!p)
                return NULL;
        }
    }
}

/* ---- object readers ---------------------------------------------------------------- */

/* Reading state of one object: the first failure wins and names the field. */
struct rd {
    struct kp *k;
    const struct fl_json *j;
    const char *what; /* "event", "pod", "node" */
    char why[192];
    bool oom;
    struct fl_str tcache_s; /* the last time parsed, and its value: an Event's times repeat */
    int64_t tcache_v;
};

static bool fail(struct rd *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(struct rd *r, const char *field, const char *fmt, ...)
{
    if (r->why[0])
        return false;
    int n = snprintf(r->why, sizeof r->why, "%s \"%s\": ", r->what, field);
    if (n < 0 || (size_t)n >= sizeof r->why)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why + n, sizeof r->why - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool key_is(const struct fl_json *j, int k, const char *lit, size_t n)
{
    const jsmntok_t *t = &j->tok[k];
    return (size_t)(t->end - t->start) == n && memcmp(j->js + t->start, lit, n) == 0;
}
#define KEY(lit) key_is(j, k, lit, sizeof(lit) - 1)

/* Iterate the keys of object o: k is the key token, v its value. */
#define FOR_KEYS(j, o, k, v)                                                                       \
    for (int n_ = 0, k = (o) + 1, v = k + 1; n_ < (j)->tok[o].size && k + 1 < (j)->ntok;           \
         n_++, k = fl_json_skip((j), v), v = k + 1)

static bool present(const struct fl_json *j, int v)
{
    return v >= 0 && !fl_json_is_null(j, v);
}

/* A string field: absent or null gives FL_STR_NULL; anything else but a string fails. */
static bool str(struct rd *r, int v, const char *field, struct fl_str *out)
{
    *out = FL_STR_NULL;
    if (!present(r->j, v))
        return true;
    if (!fl_json_str(r->j, v, r->k->ctx->arena, out, &r->oom))
        return fail(r, field, "%s", r->oom ? "out of memory" : "not a string");
    return true;
}

static bool get_str(struct rd *r, int o, const char *key, const char *field, struct fl_str *out)
{
    return str(r, fl_json_get(r->j, o, key), field, out);
}

static bool is_zero_time(struct fl_str s)
{
    static const char zero[] = "0001-01-01T00:00:00";
    return s.len >= sizeof zero - 1 && memcmp(s.ptr, zero, sizeof zero - 1) == 0;
}

/* A time field; *ts stays FL_TIME_NONE when absent, null, empty or Go's zero time. */
static bool time_field(struct rd *r, int v, const char *field, int64_t *ts)
{
    *ts = FL_TIME_NONE;
    if (!present(r->j, v))
        return true;
    if (!fl_json_is_string(r->j, v))
        return fail(r, field, "not an RFC 3339 time");
    struct fl_str s = fl_json_raw(r->j, v);
    if (!s.len || is_zero_time(s))
        return true;
    if (fl_str_eq(s, r->tcache_s)) {
        *ts = r->tcache_v;
        return true;
    }
    size_t used = 0;
    int64_t t;
    if (fl_time_parse_rfc3339(s.ptr, s.ptr + s.len, false, &t, &used, NULL) || used != s.len)
        return fail(r, field, "not an RFC 3339 time");
    *ts = t;
    r->tcache_s = s;
    r->tcache_v = t;
    return true;
}

static bool int_field(struct rd *r, int v, const char *field, int64_t lo, int64_t hi, int64_t *out,
                      bool *got)
{
    *got = false;
    if (!present(r->j, v))
        return true;
    int64_t x;
    if (!fl_json_i64(r->j, v, true, &x))
        return fail(r, field, "not an integer");
    if (x < lo || x > hi)
        return fail(r, field, "integer out of range");
    *out = x;
    *got = true;
    return true;
}

/* A Kubernetes quantity as Value(): a string ("8", "100Mi") or a bare JSON number. */
static bool qty_field(struct rd *r, int v, const char *field, int64_t *out, bool *got)
{
    *got = false;
    if (!present(r->j, v))
        return true;
    const jsmntok_t *t = &r->j->tok[v];
    if (t->type != JSMN_STRING && t->type != JSMN_PRIMITIVE)
        return fail(r, field, "not a quantity");
    struct fl_str s = fl_str_trim(fl_json_raw(r->j, v));
    int rc = fl__k8s_quantity(s, 0, out);
    if (rc)
        return fail(r, field, "%s quantity \"%.*s\"", rc == FL_ERANGE ? "out-of-range" : "bad",
                    (int)(s.len > 40 ? 40 : s.len), s.ptr);
    *got = true;
    return true;
}

static uint32_t intern(struct rd *r, struct fl_str s)
{
    if (!s.len)
        return 0;
    struct kp *k = r->k;
    uint64_t head = 0, tail = 0;
    size_t w = s.len < 8 ? s.len : 8;
    memcpy(&head, s.ptr, w);
    memcpy(&tail, s.ptr + s.len - w, w);
    uint64_t mix = (head ^ (tail * 0x9E3779B97F4A7C15ULL) ^ s.len) * 0x9E3779B97F4A7C15ULL;
    size_t slot = (size_t)(mix >> 58); /* 64 slots */
    if (fl_str_eq(k->icache_s[slot], s))
        return k->icache_id[slot];
    uint32_t id = fl_ingest_intern(k->ctx, s);
    if (id == FL_INTERN_FAIL) {
        r->oom = true;
        fail(r, "metadata", "out of memory");
        return 0;
    }
    k->icache_s[slot] = fl_ingest_str(k->ctx, id);
    k->icache_id[slot] = id;
    return id;
}

/* "namespace/name" interned. */
static bool pod_key(struct rd *r, struct fl_str ns, struct fl_str name, const char *field,
                    uint32_t *out)
{
    char b[600];
    if (!name.len)
        return fail(r, field, "required string missing");
    if (!ns.len)
        return fail(r, "namespace", "required string missing");
    if (ns.len + 1 + name.len > sizeof b)
        return fail(r, field, "name too long");
    memcpy(b, ns.ptr, ns.len);
    b[ns.len] = '/';
    memcpy(b + ns.len + 1, name.ptr, name.len);
    *out = intern(r, fl_str_make(b, ns.len + 1 + name.len));
    return !r->oom;
}

static struct fl_str span(const struct fl_json *j, int i)
{
    const jsmntok_t *t = &j->tok[i];
    return fl_str_make(j->js + t->start, (size_t)(t->end - t->start));
}

static uint32_t line_of(struct rd *r, int i)
{
    return line_at(r->k, r->j->js + r->j->tok[i].start);
}

static bool emit(struct rd *r, struct fl_event *ev)
{
    struct kp *k = r->k;
    if (fl_uid_batch_push(k->ctx, &k->pend, ev)) {
        r->oom = true;
        return false;
    }
    return true;
}

/* ---- Event ------------------------------------------------------------------------- */

struct kev {
    int inv, src, series, meta;
    struct fl_str reason, message, type, rcomp, rinst;
    int64_t t_last, t_series, t_event, t_first, t_created;
    int64_t count;
    bool has_count;
};

static uint8_t level_of(struct fl_str type)
{
    if (fl_str_eq_cstr(type, "Warning"))
        return 4;
    if (fl_str_eq_cstr(type, "Normal"))
        return 6;
    return 255;
}

/* Node events that are condition transitions: reason -> (type, status). */
static bool node_transition(struct fl_str reason, const char **type, uint8_t *status)
{
    static const struct {
        const char *reason, *type;
        uint8_t status;
    } map[] = {
        {"NodeHasSufficientMemory", "MemoryPressure", FL_FALSE},
        {"NodeHasInsufficientMemory", "MemoryPressure", FL_TRUE},
        {"NodeHasNoDiskPressure", "DiskPressure", FL_FALSE},
        {"NodeHasDiskPressure", "DiskPressure", FL_TRUE},
        {"NodeHasSufficientPID", "PIDPressure", FL_FALSE},
        {"NodeHasInsufficientPID", "PIDPressure", FL_TRUE},
        {"NodeReady", "Ready", FL_TRUE},
        {"NodeNotReady", "Ready", FL_FALSE},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (fl_str_eq_cstr(reason, map[i].reason)) {
            *type = map[i].type;
            *status = map[i].status;
            return true;
        }
    return false;
}

/* The Event fields read_event_fields takes, found by the key's length first. */
enum evkey {
    EK_NONE,
    EK_INV,
    EK_REASON,
    EK_MESSAGE,
    EK_NOTE,
    EK_SOURCE,
    EK_RCOMP,
    EK_RINST,
    EK_TYPE,
    EK_COUNT,
    EK_SERIES,
    EK_TLAST,
    EK_TEVENT,
    EK_TFIRST,
    EK_META,
};

static enum evkey event_key(const struct fl_json *j, int k)
{
    const char *p = j->js + j->tok[k].start;
#define IS(lit) (memcmp(p, lit, sizeof(lit) - 1) == 0)
    switch (j->tok[k].end - j->tok[k].start) {
    case 4:
        return IS("note") ? EK_NOTE : IS("type") ? EK_TYPE : EK_NONE;
    case 5:
        return IS("count") ? EK_COUNT : EK_NONE;
    case 6:
        return IS("reason")   ? EK_REASON
               : IS("source") ? EK_SOURCE
               : IS("series") ? EK_SERIES
                              : EK_NONE;
    case 7:
        return IS("message") ? EK_MESSAGE : EK_NONE;
    case 8:
        return IS("metadata") ? EK_META : EK_NONE;
    case 9:
        return IS("regarding") ? EK_INV : IS("eventTime") ? EK_TEVENT : EK_NONE;
    case 13:
        return IS("lastTimestamp") ? EK_TLAST : EK_NONE;
    case 14:
        return IS("involvedObject") ? EK_INV : IS("firstTimestamp") ? EK_TFIRST : EK_NONE;
    case 15:
        return IS("deprecatedCount") ? EK_COUNT : EK_NONE;
    case 16:
        return IS("deprecatedSource") ? EK_SOURCE : EK_NONE;
    case 17:
        return IS("reportingInstance") ? EK_RINST : EK_NONE;
    case 18:
        return IS("reportingComponent") ? EK_RCOMP : EK_NONE;
    case 19:
        return IS("reportingController") ? EK_RCOMP : EK_NONE;
    case 23:
        return IS("deprecatedLastTimestamp") ? EK_TLAST : EK_NONE;
    case 24:
        return IS("deprecatedFirstTimestamp") ? EK_TFIRST : EK_NONE;
    default:
        return EK_NONE;
    }
#undef IS
}

static bool read_event_fields(struct rd *r, int o, struct kev *e)
{
    const struct fl_json *j = r->j;
    memset(e, 0, sizeof *e);
    e->inv = e->src = e->series = e->meta = -1;
    e->t_last = e->t_series = e->t_event = e->t_first = e->t_created = FL_TIME_NONE;
    int count_v = -1;
    FOR_KEYS(j, o, k, v)
    {
        bool ok = true;
        switch (event_key(j, k)) {
        case EK_INV:
            e->inv = v;
            break;
        case EK_REASON:
            ok = str(r, v, "reason", &e->reason);
            break;
        case EK_MESSAGE:
            ok = str(r, v, "message", &e->message);
            break;
        case EK_NOTE:
            ok = str(r, v, "note", &e->message);
            break;
        case EK_SOURCE:
            e->src = (e->src < 0 || present(j, v)) ? v : e->src;
            break;
        case EK_RCOMP:
            ok = str(r, v, "reportingController", &e->rcomp);
            break;
        case EK_RINST:
            ok = str(r, v, "reportingInstance", &e->rinst);
            break;
        case EK_TYPE:
            ok = str(r, v, "type", &e->type);
            break;
        case EK_COUNT:
            count_v = present(j, v) ? v : count_v;
            break;
        case EK_SERIES:
            e->series = v;
            break;
        case EK_TLAST:
            ok = time_field(r, v, "lastTimestamp", &e->t_last);
            break;
        case EK_TEVENT:
            ok = time_field(r, v, "eventTime", &e->t_event);
            break;
        case EK_TFIRST:
            ok = time_field(r, v, "firstTimestamp", &e->t_first);
            break;
        case EK_META:
            e->meta = v;
            break;
        case EK_NONE:
            break;
        }
        if (!ok)
            return false;
    }
    bool got;
    int64_t c = 1;
    if (!int_field(r, count_v, "count", 0, INT64_MAX, &c, &got))
        return false;
    e->count = got ? c : 1;
    e->has_count = got;
    if (fl_json_is_object(j, e->series)) {
        int64_t sc = 0;
        if (!int_field(r, fl_json_get(j, e->series, "count"), "series.count", 0, INT64_MAX, &sc,
                       &got) ||
            !time_field(r, fl_json_get(j, e->series, "lastObservedTime"), "series.lastObservedTime",
                        &e->t_series))
            return false;
        if (got && (!e->has_count || sc > e->count))
            e->count = sc;
    }
    if (fl_json_is_object(j, e->meta) &&
        !time_field(r, fl_json_get(j, e->meta, "creationTimestamp"), "metadata.creationTimestamp",
                    &e->t_created))
        return false;
    return true;
}

static int64_t event_time(const struct kev *e)
{
    const int64_t order[] = {e->t_last, e->t_series, e->t_event, e->t_first, e->t_created};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] != FL_TIME_NONE)
            return order[i];
    return FL_TIME_NONE;
}

/* The node an event's record names: source.host, or a kubelet's reportingInstance. */
static struct fl_str event_host(struct rd *r, const struct kev *e)
{
    struct fl_str host = FL_STR_NULL;
    if (fl_json_is_object(r->j, e->src))
        get_str(r, e->src, "host", "source.host", &host);
    if (!host.len && fl_str_eq_cstr(e->rcomp, "kubelet"))
        host = e->rinst;
    return host;
}

/* Evicted / UnexpectedAdmissionError: read the numbers out of the message. */
static bool read_message_numbers(struct rd *r, struct fl_ev_pod_event *p, const char *field)
{
    char why[160];
    if (fl__k8s_pod_message_numbers(p, why, sizeof why) < 0)
        return fail(r, field, "%s", why + strlen("\"message\": "));
    return true;
}

static bool event_about_pod(struct rd *r, int o, const struct kev *e, struct fl_event *ev,
                            struct fl_str ns, struct fl_str name, struct fl_str uid,
                            struct fl_str field_path)
{
    fl_event_init(ev, FL_EV_POD_EVENT);
    struct fl_ev_pod_event *p = &ev->u.pod;
    if (!ns.len && fl_json_is_object(r->j, e->meta) &&
        !get_str(r, e->meta, "namespace", "metadata.namespace", &ns))
        return false;
    if (!pod_key(r, ns, name, "involvedObject.name", &p->pod))
        return false;
    p->pod_uid = intern(r, uid);
    p->reason = e->reason;
    p->reason_code = (uint8_t)fl_pod_reason_from(e->reason);
    p->message = e->message;
    p->count = e->count;
    /* "spec.containers{trainer}", "spec.initContainers{init}" */
    ptrdiff_t brace = fl_str_find(field_path, FL_STR_LIT("{"));
    if (brace >= 0 && field_path.len && field_path.ptr[field_path.len - 1] == '}')
        p->container =
            fl_str_sub(field_path, (size_t)brace + 1, field_path.len - (size_t)brace - 2);
    if (!p->container.len)
        p->container = fl__k8s_container_from_message(e->message);
    if (!read_message_numbers(r, p, "message"))
        return false;
    struct fl_str host = event_host(r, e);
    if (!host.len)
        host = fl__k8s_node_from_message(e->reason, e->message);
    ev->node = intern(r, host);
    (void)o;
    return !r->oom;
}

static bool event_about_other(struct rd *r, const struct kev *e, struct fl_event *ev,
                              struct fl_str kind, struct fl_str ns, struct fl_str name)
{
    struct fl_str host = FL_STR_NULL;
    bool node_obj = fl_str_eq_cstr(kind, "Node");
    const char *ctype;
    uint8_t cstatus;
    if (node_obj && node_transition(e->reason, &ctype, &cstatus)) {
        fl_event_init(ev, FL_EV_NODE_CONDITION);
        ev->u.cond.type = fl_str_from_cstr(ctype);
        ev->u.cond.status = cstatus;
        ev->u.cond.reason = e->reason;
        ev->u.cond.message = e->message;
    } else {
        fl_event_init(ev, FL_EV_LOG);
        ev->u.log.level = level_of(e->type);
        char *t = fl_arena_printf(r->k->ctx->arena, "%.*s %.*s%s%.*s %.*s: %.*s",
                                  FL_STR_FMT(kind.len ? kind : FL_STR_LIT("Object")),
                                  FL_STR_FMT(ns), ns.len ? "/" : "", FL_STR_FMT(name),
                                  FL_STR_FMT(e->reason), FL_STR_FMT(e->message));
        if (!t) {
            r->oom = true;
            return fail(r, "message", "out of memory");
        }
        ev->u.log.text = fl_str_from_cstr(t);
    }
    if (node_obj)
        host = name;
    if (!host.len)
        host = event_host(r, e);
    ev->node = intern(r, host);
    return !r->oom;
}

static bool read_event(struct rd *r, int o, uint32_t line)
{
    const struct fl_json *j = r->j;
    r->what = "event";
    struct kev e;
    if (!read_event_fields(r, o, &e))
        return false;
    if (!e.reason.len)
        return fail(r, "reason", "required string missing");
    if (!fl_json_is_object(j, e.inv))
        return fail(r, "involvedObject", "required object missing (nor \"regarding\")");
    /* one pass over involvedObject: the first of each key, as fl_json_get would find it */
    int iv[5] = {-1, -1, -1, -1, -1}; /* kind, namespace, name, uid, fieldPath */
    FOR_KEYS(j, e.inv, k, v)
    {
        int f = KEY("kind")        ? 0
                : KEY("namespace") ? 1
                : KEY("name")      ? 2
                : KEY("uid")       ? 3
                : KEY("fieldPath") ? 4
                                   : -1;
        if (f >= 0 && iv[f] < 0)
            iv[f] = v;
    }
    struct fl_str kind, ns, name, uid, fpath;
    if (!str(r, iv[0], "involvedObject.kind", &kind) ||
        !str(r, iv[1], "involvedObject.namespace", &ns) ||
        !str(r, iv[2], "involvedObject.name", &name) ||
        !str(r, iv[3], "involvedObject.uid", &uid) ||
        !str(r, iv[4], "involvedObject.fieldPath", &fpath))
        return false;
    int64_t ts = event_time(&e);
    if (ts == FL_TIME_NONE)
        return fail(r, "lastTimestamp",
                    "no time (lastTimestamp, eventTime, firstTimestamp and "
                    "metadata.creationTimestamp all missing)");
    struct fl_event ev;
    bool ok = fl_str_eq_cstr(kind, "Pod") ? event_about_pod(r, o, &e, &ev, ns, name, uid, fpath)
                                          : event_about_other(r, &e, &ev, kind, ns, name);
    if (!ok)
        return false;
    ev.ts = ts;
    ev.clock = FL_CLOCK_WALL;
    ev.raw = span(j, o);
    ev.src.line = line;
    return emit(r, &ev);
}

/* ---- Pod --------------------------------------------------------------------------- */

/* nvidia.com/gpu of one container: requests, else limits (an extended resource's request
 * defaults to its limit). */
static bool container_gpus(struct rd *r, int c, int64_t *out)
{
    int res = fl_json_get(r->j, c, "resources");
    *out = 0;
    if (!fl_json_is_object(r->j, res))
        return true;
    bool got = false;
    int req = fl_json_get(r->j, res, "requests");
    if (fl_json_is_object(r->j, req) &&
        !qty_field(r, fl_json_get(r->j, req, "nvidia.com/gpu"),
                   "spec.containers[].resources.requests.nvidia.com/gpu", out, &got))
        return false;
    int lim = fl_json_get(r->j, res, "limits");
    if (!got && fl_json_is_object(r->j, lim) &&
        !qty_field(r, fl_json_get(r->j, lim, "nvidia.com/gpu"),
                   "spec.containers[].resources.limits.nvidia.com/gpu", out, &got))
        return false;
    if (!got)
        *out = 0;
    return true;
}

/* The pod's effective GPU request: the sum over its containers, or the largest init
 * container's when that is more. */
static bool pod_gpus(struct rd *r, int spec, int64_t *out, bool *got)
{
    *got = false;
    int cs = fl_json_get(r->j, spec, "containers");
    if (!fl_json_is_array(r->j, cs))
        return true;
    int64_t sum = 0, init_max = 0, g;
    for (int i = cs + 1, n = 0; n < r->j->tok[cs].size; n++, i = fl_json_skip(r->j, i)) {
        if (!container_gpus(r, i, &g))
            return false;
        sum = g > INT64_MAX - sum ? INT64_MAX : sum + g;
    }
    int ics = fl_json_get(r->j, spec, "initContainers");
    if (fl_json_is_array(r->j, ics))
        for (int i = ics + 1, n = 0; n < r->j->tok[ics].size; n++, i = fl_json_skip(r->j, i)) {
            if (!container_gpus(r, i, &g))
                return false;
            init_max = g > init_max ? g : init_max;
        }
    *out = sum > init_max ? sum : init_max;
    *got = true;
    return true;
}

struct kpod {
    uint32_t pod, pod_uid, node;
    uint32_t job; /* "namespace/name" of the workload a label names, 0 none */
    int64_t gpus;
    bool has_gpus;
    int64_t ts; /* the pod's last status change */
};

static void pod_base(struct fl_event *ev, const struct kpod *kp)
{
    fl_event_init(ev, FL_EV_POD_EVENT);
    ev->u.pod.pod = kp->pod;
    ev->u.pod.pod_uid = kp->pod_uid;
    ev->node = kp->node;
    ev->job = kp->job;
    if (kp->has_gpus) {
        ev->u.pod.gpus = kp->gpus > INT32_MAX ? INT32_MAX : (int32_t)kp->gpus;
        ev->u.pod.known |= FL_POD_HAS_GPUS;
    }
}

/* One terminated state (state.terminated or lastState.terminated) of a container. */
static bool pod_termination(struct rd *r, const struct kpod *kp, int t, struct fl_str cname,
                            int64_t restarts)
{
    const struct fl_json *j = r->j;
    struct fl_str reason, message;
    int64_t code = 0, fin;
    bool got;
    if (!get_str(r, t, "reason", "status.containerStatuses[].state.terminated.reason", &reason) ||
        !get_str(r, t, "message", "status.containerStatuses[].state.terminated.message",
                 &message) ||
        !int_field(r, fl_json_get(j, t, "exitCode"),
                   "status.containerStatuses[].state.terminated.exitCode", INT32_MIN, INT32_MAX,
                   &code, &got) ||
        !time_field(r, fl_json_get(j, t, "finishedAt"),
                    "status.containerStatuses[].state.terminated.finishedAt", &fin))
        return false;
    if (!reason.len)
        reason = got && code == 0 ? FL_STR_LIT("Completed") : FL_STR_LIT("Error");
    if (fl_str_eq_cstr(reason, "Completed") && got && code == 0)
        return true; /* a normal exit is not worth an event */
    struct fl_event ev;
    pod_base(&ev, kp);
    struct fl_ev_pod_event *p = &ev.u.pod;
    p->reason = reason;
    p->reason_code = (uint8_t)fl_pod_reason_from(reason);
    p->message = message;
    p->container = cname;
    p->count = restarts > 0 ? restarts : 1;
    if (got) {
        p->exit_code = (int32_t)code;
        p->known |= FL_POD_HAS_EXIT_CODE;
    }
    ev.ts = fin != FL_TIME_NONE ? fin : kp->ts;
    ev.clock = FL_CLOCK_WALL;
    ev.raw = span(j, t);
    ev.src.line = line_of(r, t);
    return emit(r, &ev);
}

static bool pod_containers(struct rd *r, const struct kpod *kp, int arr)
{
    const struct fl_json *j = r->j;
    if (!fl_json_is_array(j, arr))
        return true;
    for (int c = arr + 1, n = 0; n < j->tok[arr].size; n++, c = fl_json_skip(j, c)) {
        if (!fl_json_is_object(j, c))
            continue;
        struct fl_str cname;
        int64_t restarts = 0;
        bool got;
        if (!get_str(r, c, "name", "status.containerStatuses[].name", &cname) ||
            !int_field(r, fl_json_get(j, c, "restartCount"),
                       "status.containerStatuses[].restartCount", 0, INT64_MAX, &restarts, &got))
            return false;
        static const char *const states[] = {"lastState", "state"};
        for (size_t s = 0; s < 2; s++) {
            int st = fl_json_get(j, c, states[s]);
            int t = fl_json_is_object(j, st) ? fl_json_get(j, st, "terminated") : -1;
            if (fl_json_is_object(j, t) && !pod_termination(r, kp, t, cname, restarts))
                return false;
        }
    }
    return true;
}

/* The training workload a pod belongs to, from the label its controller puts on every pod,
 * most specific owner first: a JobSet (its child Jobs' pods also carry the Job's name), a
 * Kubeflow training job (PyTorchJob, MPIJob, ...), a Volcano job, a LeaderWorkerSet, a
 * batch/v1 Job (the 1.27+ key, then the legacy one). Interned as "namespace/name" into *job
 * (0 when no label names one). */
static bool pod_job(struct rd *r, int meta, struct fl_str ns, uint32_t *job)
{
    static const char *const keys[] = {
        "jobset.sigs.k8s.io/jobset-name", "training.kubeflow.org/job-name",
        "volcano.sh/job-name",            "leaderworkerset.sigs.k8s.io/name",
        "batch.kubernetes.io/job-name",   "job-name",
    };
    const struct fl_json *j = r->j;
    *job = 0;
    int labels = fl_json_get(j, meta, "labels");
    if (!fl_json_is_object(j, labels))
        return true;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct fl_str name;
        if (!get_str(r, labels, keys[i], "metadata.labels", &name))
            return false;
        if (name.len)
            return pod_key(r, ns, name, "metadata.labels", job);
    }
    return true;
}

static bool read_pod(struct rd *r, int o, uint32_t line)
{
    const struct fl_json *j = r->j;
    r->what = "pod";
    int meta = fl_json_get(j, o, "metadata"), spec = fl_json_get(j, o, "spec"),
        status = fl_json_get(j, o, "status");
    if (!fl_json_is_object(j, meta))
        return fail(r, "metadata", "required object missing");
    if (!fl_json_is_object(j, status))
        return fail(r, "status", "required object missing");
    struct fl_str name, ns, uid, node, phase, reason, message;
    struct kpod kp = {0};
    int64_t created;
    if (!get_str(r, meta, "name", "metadata.name", &name) ||
        !get_str(r, meta, "namespace", "metadata.namespace", &ns) ||
        !get_str(r, meta, "uid", "metadata.uid", &uid) ||
        !time_field(r, fl_json_get(j, meta, "creationTimestamp"), "metadata.creationTimestamp",
                    &created) ||
        !pod_key(r, ns, name, "metadata.name", &kp.pod) || !pod_job(r, meta, ns, &kp.job))
        return false;
    kp.pod_uid = intern(r, uid);
    if (fl_json_is_object(j, spec)) {
        if (!get_str(r, spec, "nodeName", "spec.nodeName", &node) ||
            !pod_gpus(r, spec, &kp.gpus, &kp.has_gpus))
            return false;
        kp.node = intern(r, node);
    }
    if (!get_str(r, status, "phase", "status.phase", &phase) ||
        !get_str(r, status, "reason", "status.reason", &reason) ||
        !get_str(r, status, "message", "status.message", &message))
        return false;
    /* the pod's last status change: its newest condition transition, whose message (an
     * Unschedulable pod's "0/64 nodes are available: ...") stands in for status.message */
    kp.ts = FL_TIME_NONE;
    struct fl_str cmsg = FL_STR_NULL;
    int conds = fl_json_get(j, status, "conditions");
    if (fl_json_is_array(j, conds))
        for (int c = conds + 1, n = 0; n < j->tok[conds].size; n++, c = fl_json_skip(j, c)) {
            int64_t t;
            struct fl_str m;
            if (!fl_json_is_object(j, c))
                continue;
            if (!time_field(r, fl_json_get(j, c, "lastTransitionTime"),
                            "status.conditions[].lastTransitionTime", &t) ||
                !get_str(r, c, "message", "status.conditions[].message", &m))
                return false;
            if (t != FL_TIME_NONE && (kp.ts == FL_TIME_NONE || t > kp.ts)) {
                kp.ts = t;
                cmsg = m;
            } else if (t == kp.ts && !cmsg.len) {
                cmsg = m;
            }
        }
    if (kp.ts == FL_TIME_NONE &&
        !time_field(r, fl_json_get(j, status, "startTime"), "status.startTime", &kp.ts))
        return false;
    if (kp.ts == FL_TIME_NONE)
        kp.ts = created;
    if (kp.ts == FL_TIME_NONE)
        return fail(r, "status.conditions",
                    "no time (lastTransitionTime, status.startTime and "
                    "metadata.creationTimestamp all missing)");
    if (!reason.len && !phase.len)
        return fail(r, "status.phase", "required string missing");
    struct fl_event ev;
    pod_base(&ev, &kp);
    struct fl_ev_pod_event *p = &ev.u.pod;
    p->reason = reason.len ? reason : phase;
    p->reason_code = (uint8_t)fl_pod_reason_from(p->reason);
    p->message = message.len ? message : cmsg;
    if (!read_message_numbers(r, p, "status.message"))
        return false;
    ev.ts = kp.ts;
    ev.clock = FL_CLOCK_WALL;
    ev.raw = span(j, status);
    ev.src.line = line;
    if (!emit(r, &ev))
        return false;
    static const char *const lists[] = {"initContainerStatuses", "containerStatuses",
                                        "ephemeralContainerStatuses"};
    for (size_t i = 0; i < 3; i++)
        if (!pod_containers(r, &kp, fl_json_get(j, status, lists[i])))
            return false;
    return true;
}

/* ---- Node -------------------------------------------------------------------------- */

/* The labels as "k=v,k=v" in the arena (FL_STR_NULL when none). */
static bool node_labels(struct rd *r, int labels, struct fl_str *out)
{
    const struct fl_json *j = r->j;
    *out = FL_STR_NULL;
    if (!fl_json_is_object(j, labels) || j->tok[labels].size == 0)
        return true;
    size_t cap = 0;
    FOR_KEYS(j, labels, k, v)
    cap +=
        (size_t)(j->tok[k].end - j->tok[k].start) + (size_t)(j->tok[v].end - j->tok[v].start) + 2;
    char *b = fl_arena_alloc(r->k->ctx->arena, cap, 1);
    if (!b) {
        r->oom = true;
        return fail(r, "metadata.labels", "out of memory");
    }
    size_t n = 0;
    FOR_KEYS(j, labels, k, v)
    {
        struct fl_str ks, vs;
        if (!str(r, k, "metadata.labels", &ks) || !str(r, v, "metadata.labels", &vs))
            return false;
        if (n)
            b[n++] = ',';
        memcpy(b + n, ks.ptr, ks.len);
        n += ks.len;
        b[n++] = '=';
        if (vs.len)
            memcpy(b + n, vs.ptr, vs.len);
        n += vs.len;
    }
    *out = fl_str_make(b, n);
    return true;
}

static bool node_gpus(struct rd *r, int status, const char *key, const char *field, int32_t *out,
                      uint8_t *known, uint8_t bit)
{
    int o = fl_json_get(r->j, status, key);
    if (!fl_json_is_object(r->j, o))
        return true;
    int64_t g;
    bool got;
    if (!qty_field(r, fl_json_get(r->j, o, "nvidia.com/gpu"), field, &g, &got))
        return false;
    if (got) {
        *out = g > INT32_MAX ? INT32_MAX : g < 0 ? 0 : (int32_t)g;
        *known |= bit;
    }
    return true;
}

static bool read_node(struct rd *r, int o, uint32_t line)
{
    const struct fl_json *j = r->j;
    r->what = "node";
    (void)line;
    int meta = fl_json_get(j, o, "metadata"), status = fl_json_get(j, o, "status");
    if (!fl_json_is_object(j, meta))
        return fail(r, "metadata", "required object missing");
    struct fl_str name, labels;
    if (!get_str(r, meta, "name", "metadata.name", &name) ||
        !node_labels(r, fl_json_get(j, meta, "labels"), &labels))
        return false;
    if (!name.len)
        return fail(r, "metadata.name", "required string missing");
    uint32_t node = intern(r, name);
    if (r->oom || !fl_json_is_object(j, status))
        return !r->oom;
    struct fl_ev_node_condition base = {0};
    if (!node_gpus(r, status, "capacity", "status.capacity.nvidia.com/gpu", &base.gpu_capacity,
                   &base.known, FL_COND_HAS_GPU_CAPACITY) ||
        !node_gpus(r, status, "allocatable", "status.allocatable.nvidia.com/gpu",
                   &base.gpu_allocatable, &base.known, FL_COND_HAS_GPU_ALLOCATABLE))
        return false;
    base.labels = labels;
    int conds = fl_json_get(j, status, "conditions");
    if (!fl_json_is_array(j, conds))
        return true;
    for (int c = conds + 1, n = 0; n < j->tok[conds].size; n++, c = fl_json_skip(j, c)) {
        if (!fl_json_is_object(j, c))
            continue;
        struct fl_event ev;
        fl_event_init(&ev, FL_EV_NODE_CONDITION);
        struct fl_ev_node_condition *cd = &ev.u.cond;
        *cd = base;
        struct fl_str st;
        int64_t t;
        /* a bad condition costs only itself */
        struct rd cr = {.k = r->k, .j = j, .what = "node"};
        bool ok = get_str(&cr, c, "type", "status.conditions[].type", &cd->type) &&
                  get_str(&cr, c, "status", "status.conditions[].status", &st) &&
                  get_str(&cr, c, "reason", "status.conditions[].reason", &cd->reason) &&
                  get_str(&cr, c, "message", "status.conditions[].message", &cd->message) &&
                  time_field(&cr, fl_json_get(j, c, "lastTransitionTime"),
                             "status.conditions[].lastTransitionTime", &t);
        if (ok && t == FL_TIME_NONE)
            ok = time_field(&cr, fl_json_get(j, c, "lastHeartbeatTime"),
                            "status.conditions[].lastHeartbeatTime", &t);
        if (ok && !cd->type.len)
            ok = fail(&cr, "status.conditions[].type", "required string missing");
        int s = ok ? fl_tristate_from(st) : 0;
        if (ok && s < 0)
            ok = fail(&cr, "status.conditions[].status", "not True, False or Unknown");
        if (ok && t == FL_TIME_NONE)
            ok = fail(&cr, "status.conditions[].lastTransitionTime", "required time missing");
        if (cr.oom) {
            r->oom = true;
            return false;
        }
        uint32_t cline = line_of(r, c);
        if (!ok) {
            skip(r->k, cline, cr.why);
            continue;
        }
        cd->status = (uint8_t)s;
        ev.ts = t;
        ev.clock = FL_CLOCK_WALL;
        ev.node = node;
        ev.raw = span(j, c);
        ev.src.line = cline;
        if (!emit(r, &ev))
            return false;
    }
    return true;
}

/* ---- dispatch ---------------------------------------------------------------------- */

static bool str_is(const struct fl_json *j, int v, const char *lit)
{
    return fl_json_is_string(j, v) && fl_str_eq_cstr(fl_json_raw(j, v), lit);
}

/* Kind of an object that does not say (items of a raw API PodList): by its shape. */
static struct fl_str infer_kind(const struct fl_json *j, int o)
{
    if (fl_json_get(j, o, "involvedObject") >= 0 || fl_json_get(j, o, "regarding") >= 0)
        return FL_STR_LIT("Event");
    int spec = fl_json_get(j, o, "spec"), status = fl_json_get(j, o, "status");
    if (fl_json_get(j, spec, "containers") >= 0 || fl_json_get(j, status, "phase") >= 0)
        return FL_STR_LIT("Pod");
    if (fl_json_get(j, status, "nodeInfo") >= 0 || fl_json_get(j, status, "conditions") >= 0)
        return FL_STR_LIT("Node");
    return FL_STR_NULL;
}

static void dispatch(struct kp *k, const struct fl_json *j, int o, struct fl_str list_kind,
                     int depth);

static void dispatch_items(struct kp *k, const struct fl_json *j, int items,
                           struct fl_str list_kind, int depth)
{
    for (int i = items + 1, n = 0; n < j->tok[items].size && !k->rc; n++, i = fl_json_skip(j, i))
        dispatch(k, j, i, list_kind, depth + 1);
}

static void dispatch(struct kp *k, const struct fl_json *j, int o, struct fl_str list_kind,
                     int depth)
{
    uint32_t line = line_at(k, j->js + j->tok[o].start);
    if (!fl_json_is_object(j, o)) {
        skip(k, line, "not a JSON object");
        return;
    }
    /* one pass over the keys: a watch event is {"type": "ADDED", "object": {...}} */
    int wobj = -1, wtype = -1, kv = -1, items = -1;
    bool api = false;
#define KEY2(lit) key_is(j, kk, lit, sizeof(lit) - 1)
    FOR_KEYS(j, o, kk, v)
    {
        if (KEY2("kind"))
            kv = v;
        else if (KEY2("items"))
            items = v;
        else if (KEY2("object") || KEY2("Object"))
            wobj = v;
        else if (KEY2("type") || KEY2("Type"))
            wtype = v;
        else if (KEY2("apiVersion"))
            api = true;
    }
#undef KEY2
    if (fl_json_is_object(j, wobj) && fl_json_is_string(j, wtype) && !api) {
        if (str_is(j, wtype, "BOOKMARK"))
            return;
        if (str_is(j, wtype, "ERROR")) {
            struct fl_str m = fl_json_raw(j, fl_json_get(j, wobj, "message"));
            skipf(k, line, "watch stream error: ", "\"%.*s\"",
                  (int)(m.ptr && m.len < 160 ? m.len
                        : m.ptr              ? 160
                                             : 0),
                  m.ptr ? m.ptr : "");
            return;
        }
        o = wobj;
        kv = fl_json_get(j, o, "kind");
        items = fl_json_get(j, o, "items");
    }
    struct fl_str kind = FL_STR_NULL;
    if (fl_json_is_string(j, kv))
        kind = fl_json_raw(j, kv);
    if (fl_json_is_array(j, items) && (!kind.len || fl_str_ends_with(kind, "List"))) {
        if (depth < 4)
            dispatch_items(k, j, items, kind, depth);
        return;
    }
    if (!kind.len && list_kind.len > 4 && fl_str_ends_with(list_kind, "List"))
        kind = fl_str_make(list_kind.ptr, list_kind.len - 4);
    if (!kind.len)
        kind = infer_kind(j, o);
    struct rd r = {.k = k, .j = j, .what = "object"};
    bool ok;
    if (fl_str_eq_cstr(kind, "Event"))
        ok = read_event(&r, o, line);
    else if (fl_str_eq_cstr(kind, "Pod"))
        ok = read_pod(&r, o, line);
    else if (fl_str_eq_cstr(kind, "Node"))
        ok = read_node(&r, o, line);
    else if (kind.len) {
        skipf(k, line, "unsupported object kind ",
              "\"%.*s\" (this reader takes Event, Pod and Node)",
              (int)(kind.len > 60 ? 60 : kind.len), kind.ptr);
        return;
    } else {
        skip(k, line, "object \"kind\": required string missing (not an Event, Pod or Node)");
        return;
    }
    if (r.oom) {
        k->rc = FL_ENOMEM;
        return;
    }
    if (!ok)
        skip(k, line, r.why[0] ? r.why : "unreadable object");
}

/* Parse one object's bytes [s, e) and read it. */
static void item(struct kp *k, const char *s, const char *e, struct fl_str list_kind)
{
    struct fl_json j;
    size_t pos = 0;
    const char *why = NULL;
    int jr = fl_json_parse(&k->jp, s, (size_t)(e - s), &j, &pos, &why);
    if (jr == FL_ENOMEM) {
        k->rc = FL_ENOMEM;
        return;
    }
    uint32_t line = line_at(k, s);
    if (jr) {
        const char *at = s + pos;
        uint32_t eline = line_at(k, at);
        const char *ls = at;
        while (ls > k->buf && ls[-1] != '\n')
            ls--;
        char msg[200];
        snprintf(msg, sizeof msg, "invalid JSON at line %u column %zu: %s", eline,
                 (size_t)(at - ls) + 1, why ? why : "syntax error");
        skip(k, line, msg);
        return;
    }
    dispatch(k, &j, 0, list_kind, 0);
}

/* Read an item the tokenizer cut out itself (fl_json_parse_prefix), nl newlines long. */
static void item_parsed(struct kp *k, const struct fl_json *j, size_t nl, struct fl_str list_kind)
{
    uint32_t line = line_at(k, j->js);
    dispatch(k, j, 0, list_kind, 0);
    /* the tokenizer counted the item's newlines: line_at need not count them again */
    k->lpos = j->js + j->len;
    k->line = line + (uint32_t)nl;
}

/* The elements of the array opening at p, each read as an object. Returns the position
 * after the array, or NULL when the input ended inside it. */
static const char *array(struct kp *k, const char *p, struct fl_str list_kind)
{
    const char *end = k->end;
    p++;
    while (!k->rc) {
        p = ws(p, end);
        if (p >= end) {
            skip(k, line_at(k, end), "JSON ends inside the items array (truncated input)");
            return NULL;
        }
        if (*p == ']')
            return p + 1;
        /* an object is cut out, validated and tokenized in one pass; anything else, or an
         * object that is not valid JSON, is cut out by brackets and parsed alone, which says
         * what is wrong */
        const char *e = NULL;
        struct fl_json j;
        size_t used, nl;
        if (*p == '{' && !fl_json_parse_prefix(&k->jp, p, (size_t)(end - p), &j, &used, &nl)) {
            item_parsed(k, &j, nl, list_kind);
            e = p + used;
        } else {
            e = value_end(p, end);
            if (!e) {
                skip(k, line_at(k, p), "JSON ends inside an object (truncated input)");
                return NULL;
            }
            item(k, p, e, list_kind);
        }
        p = ws(e, end);
        if (p < end && *p == ',')
            p++;
        else if (p < end && *p != ']')
            skip(k, line_at(k, p), "invalid JSON: expected ',' or ']' after an item");
    }
    return NULL;
}

/* A top-level object: a List, whose items are cut out and read one by one, or one object. */
static const char *top_object(struct kp *k, const char *p)
{
    const char *end = k->end, *start = p, *q = p + 1;
    struct fl_str list_kind = FL_STR_NULL;
    bool list = false;
    while (!k->rc) {
        q = ws(q, end);
        if (q >= end)
            break;
        if (*q == '}') {
            q++;
            if (!list)
                item(k, start, q, list_kind);
            return q;
        }
        if (*q != '"')
            break;
        const char *ke = string_end(q, end);
        if (!ke)
            break;
        struct fl_str key = fl_str_make(q + 1, (size_t)(ke - q - 2));
        q = ws(ke, end);
        if (q >= end || *q != ':')
            break;
        q = ws(q + 1, end);
        if (q >= end)
            break;
        if (fl_str_eq_cstr(key, "items") && *q == '[') {
            list = true;
            q = array(k, q, list_kind);
            if (!q)
                return end;
        } else {
            const char *ve = value_end(q, end);
            if (!ve)
                break;
            if (fl_str_eq_cstr(key, "kind") && *q == '"' && ve - q >= 2)
                list_kind = fl_str_make(q + 1, (size_t)(ve - q - 2));
            q = ve;
        }
        q = ws(q, end);
        if (q < end && *q == ',')
            q++;
        else if (q >= end || *q != '}')
            break;
    }
    if (k->rc)
        return end;
    if (list) {
        skip(k, line_at(k, q < end ? q : end), "invalid JSON after the items array of a List");
        const char *e = value_end(start, end);
        return e ? e : end;
    }
    /* not a well-formed object: let the validator say where and why */
    const char *e = value_end(start, end);
    item(k, start, e ? e : end, list_kind);
    return e ? e : end;
}

static int k8s_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct kp k = {.ctx = ctx, .buf = buf, .end = buf + len, .lpos = buf, .line = 1};
    fl_json_parser_init(&k.jp, K8S_MAX_TOKENS);
    /* Kubernetes objects name their own nodes: the bundle directory or --node never does */
    ctx->default_node = 0;
    const char *p = buf, *end = buf + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (!k.rc) {
        p = ws(p, end);
        if (p >= end)
            break;
        if (*p == '{') {
            p = top_object(&k, p);
        } else if (*p == '[') {
            p = array(&k, p, FL_STR_NULL);
            if (!p)
                break;
        } else {
            skip(&k, line_at(&k, p), "invalid JSON: expected an object");
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
        }
    }
    if (!k.rc)
        k.rc = fl_uid_batch_flush(k.ctx, &k.pend);
    fl_json_parser_release(&k.jp);
    return k.rc;
}

/* ---- sniff ------------------------------------------------------------------------- */

/* Value of the next "kind" key in s, or FL_STR_NULL. */
static struct fl_str next_kind(struct fl_str *s)
{
    ptrdiff_t at = fl_str_find(*s, FL_STR_LIT("\"kind\""));
    if (at < 0)
        return FL_STR_NULL;
    const char *p = s->ptr + at + 6, *end = s->ptr + s->len;
    *s = fl_str_make(p, (size_t)(end - p));
    p = ws(p, end);
    if (p >= end || *p != ':')
        return FL_STR_NULL;
    p = ws(p + 1, end);
    if (p >= end || *p != '"')
        return FL_STR_NULL;
    const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
    return q ? fl_str_make(p + 1, (size_t)(q - p - 1)) : FL_STR_NULL;
}

static int k8s_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    size_t n = len < 8192 ? len : 8192;
    struct fl_str s = fl_str_make(buf, n);
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        s = fl_str_sub(s, 3, n);
    const char *p = ws(s.ptr, s.ptr + s.len);
    if (p >= s.ptr + s.len || (*p != '{' && *p != '['))
        return 0;
    bool api = fl_str_find(s, FL_STR_LIT("\"apiVersion\"")) >= 0;
    if (fl_str_find(s, FL_STR_LIT("\"involvedObject\"")) >= 0 ||
        (api && fl_str_find(s, FL_STR_LIT("\"regarding\"")) >= 0))
        return 85;
    /* the List kinds are distinctive alone; the object kinds need an apiVersion beside them */
    static const char *const kinds[] = {"EventList", "NodeList", "PodList", "Event", "Node", "Pod"};
    struct fl_str rest = s;
    for (int guard = 0; guard < 64; guard++) {
        struct fl_str kind = next_kind(&rest);
        if (!kind.ptr)
            break;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (fl_str_eq_cstr(kind, kinds[i]) && (api || i < 3))
                return 85;
        if (api && fl_str_eq_cstr(kind, "List") && fl_str_find(s, FL_STR_LIT("\"items\"")) >= 0)
            return 60;
    }
    return 0;
}

const struct fl_parser fl_parser_k8s = {
    .name = "kubernetes",
    .summary = "kubectl get events/nodes/pods -o json: Lists, --watch streams, single objects",
    .sniff = k8s_sniff,
    .parse = k8s_parse,
    .cluster_scope = true,
};
