/* Prometheus HTTP API query results (`/api/v1/query_range` matrix, `/api/v1/query` vector), as
 * saved by curl, promtool or a script: `{"status":"success","data":{"resultType":...,
 * "result":[...]}}`, the `data` object alone, or the `result` array alone (jq '.data.result'),
 * one document or several concatenated. docs/formats/gpu-metrics.md has the details.
 *
 * Results of a long range query are large, so the document is never tokenized whole: it is
 * validated once (src/core/json.c), then walked member by member with a small scanner over the
 * validated bytes; only each series' `metric` object goes through the token array (reused, so
 * steady state allocates nothing), and each point `[t,"v"]` is read in place.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/gpu_metrics.h"

/* ---- a scanner over validated JSON ------------------------------------------------------- */

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p at '"': past the closing quote. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

/* p at a value: past it. */
static const char *skip_value(const char *p, const char *end)
{
    if (p >= end)
        return end;
    if (*p == '"')
        return skip_string(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
               *p != '\n' && *p != '\r')
            p++;
        return p;
    }
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return p + 1;
        p++;
    }
    return end;
}

/* Members of an object, read lazily: member() gives the key and where the value starts, the
 * caller reads or skips the value and hands its end to member_end(). it->p starts at '{'. */
struct members {
    const char *p, *end;
};

static bool member(struct members *it, struct fl_str *key, const char **vb)
{
    const char *p = ws(it->p + 1, it->end); /* past '{' or ',' */
    if (p >= it->end || *p != '"')
        return false;
    const char *ke = skip_string(p, it->end);
    *key = fl_str_make(p + 1, (size_t)(ke - p - 2));
    p = ws(ke, it->end);
    *vb = ws(p + 1, it->end); /* past ':' */
    return true;
}

static void member_end(struct members *it, const char *ve)
{
    it->p = ws(ve, it->end); /* at ',' or '}' */
}

static struct fl_str str_body(const char *b, const char *e)
{
    if (e - b >= 2 && *b == '"')
        return fl_str_make(b + 1, (size_t)(e - b - 2));
    return FL_STR_NULL;
}

/* ---- one file ---------------------------------------------------------------------------- */

struct pa {
    struct fl_parse_ctx *ctx;
    const char *buf;
    struct fl_json_parser jp;
    struct fl_gm_cache cache;
    char why[200];
};

static int skip_at(struct pa *a, const char *at, const char *why)
{
    return fl_ingest_skip(a->ctx, 0, (uint64_t)(at - a->buf), why);
}

/* Seconds since the epoch as Prometheus writes them (1435781451.781), exactly. */
static bool api_time(struct fl_str s, int64_t *ns)
{
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    bool neg = fl_scan_char(&sc, '-');
    uint64_t sec;
    if (fl_scan_u64(&sc, &sec) && sec < (uint64_t)(INT64_MAX / FL_NS_PER_SEC) - 1) {
        int64_t frac = 0, scale = FL_NS_PER_SEC / 10;
        if (fl_scan_char(&sc, '.')) {
            while (sc.p < sc.end && *sc.p >= '0' && *sc.p <= '9') {
                frac += (*sc.p - '0') * scale;
                scale /= 10;
                sc.p++;
            }
        }
        if (fl_scan_eof(&sc)) {
            *ns = (neg ? -1 : 1) * ((int64_t)sec * FL_NS_PER_SEC + frac);
            return true;
        }
    }
    double d; /* exponent forms */
    if (!fl_str_to_double(s, &d) || !(fabs(d) < 9.2e9))
        return false;
    *ns = (int64_t)llround(d * 1e9);
    return true;
}

/* What a series' points are turned into. */
struct series {
    struct fl_event tmpl; /* node, gpu, raw (the `metric` object) */
    const struct fl_gm_metric *m;
    struct fl_str name;
    uint64_t seed; /* uid seed: node name + the `metric` bytes */
};

/* One point `[t, "v"]` at p, read in place; *next gets the end of the point. */
static int point(struct pa *a, const struct series *sr, const char *p, const char *end,
                 const char **next)
{
    const char *at = p;
    if (p >= end || *p != '[')
        goto bad;
    p = ws(p + 1, end);
    const char *te = skip_value(p, end);
    struct fl_str t = fl_str_make(p, (size_t)(te - p));
    p = ws(te, end);
    if (p >= end || *p != ',')
        goto bad;
    p = ws(p + 1, end);
    if (p >= end || *p != '"')
        goto bad;
    const char *ve = skip_string(p, end);
    struct fl_str v = fl_str_make(p + 1, (size_t)(ve - p - 2));
    p = ws(ve, end);
    if (p >= end || *p != ']')
        goto bad;
    *next = p + 1;
    int64_t ns;
    if (!t.len || !api_time(t, &ns))
        return skip_at(a, at, "series point time is not Unix seconds");
    struct fl_event ev = sr->tmpl;
    const char *why = NULL;
    enum fl_gm_value r = fl__gm_fill(&ev, sr->m, sr->name, v, &why);
    if (r == FL_GM_BLANK)
        return 0;
    if (r == FL_GM_BAD)
        return skip_at(a, at, why);
    ev.src.offset = (uint64_t)(at - a->buf);
    ev.ts = ns;
    ev.clock = FL_CLOCK_WALL;
    ev.uid = fl__gm_point_uid(&ev, sr->seed);
    return fl__gm_emit(a->ctx, &ev, ns, NULL);
bad:
    *next = skip_value(at, end);
    return skip_at(a, at, "series point is not a [time, \"value\"] pair");
}

/* `values` (an array of points, matrix) or `value` (one point, vector) at p; *next gets its
 * end. */
static int points(struct pa *a, const struct series *sr, bool matrix, const char *p,
                  const char *end, const char **next)
{
    *next = end;
    if (!matrix)
        return point(a, sr, p, end, next);
    if (*p != '[') {
        *next = skip_value(p, end);
        return skip_at(a, p, "series \"values\" is not an array");
    }
    p = ws(p + 1, end);
    int rc = 0;
    while (rc == 0 && p < end && *p != ']') {
        const char *q;
        rc = point(a, sr, p, end, &q);
        p = ws(q, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    if (rc == 0)
        *next = p < end ? p + 1 : end;
    return rc;
}

/* A skip whose caller stops reading the series: 1, or FL_ENOMEM. */
static int skip_series(struct pa *a, const char *at, const char *why)
{
    int rc = skip_at(a, at, why);
    return rc ? rc : 1;
}

/* The series' `metric` object: name and identity labels. 0 = read, 1 = nothing to emit
 * (skipped, or not a DCGM metric), FL_ENOMEM. */
static int series_metric(struct pa *a, const char *mb, const char *me, struct series *sr)
{
    struct fl_json j;
    size_t pos = 0;
    const char *jwhy = NULL;
    int rc = fl_json_parse(&a->jp, mb, (size_t)(me - mb), &j, &pos, &jwhy);
    if (rc == FL_ENOMEM)
        return rc;
    if (rc || !fl_json_is_object(&j, 0))
        return skip_series(a, mb, "series \"metric\" is not an object of labels");
    struct fl_gm_labels l;
    memset(&l, 0, sizeof l);
    sr->name = FL_STR_NULL;
    for (int i = 1; i < j.ntok; i = fl_json_skip(&j, i + 1)) {
        struct fl_str key = fl_json_raw(&j, i);
        if (!fl_json_is_string(&j, i + 1))
            return skip_series(a, mb, "series label value is not a string");
        struct fl_str val = fl_json_raw(&j, i + 1);
        bool esc = memchr(val.ptr, '\\', val.len) != NULL;
        if (fl_str_eq_cstr(key, "__name__")) {
            bool oom = false;
            if (!fl_json_str(&j, i + 1, a->ctx->arena, &sr->name, &oom))
                return oom ? FL_ENOMEM : skip_series(a, mb, "series \"__name__\" has a bad escape");
            continue;
        }
        int id = fl__gm_label_id(key);
        if (id >= 0) {
            l.v[id] = val;
            l.esc[id] = esc;
        }
    }
    if (!sr->name.len)
        return skip_series(a, mb,
                           "series has no \"__name__\" label (query the metric itself, "
                           "not an expression over it)");
    sr->m = fl__gm_lookup(sr->name);
    if (!sr->m)
        return 1;
    fl_event_init(&sr->tmpl, (enum fl_event_kind)sr->m->kind);
    const char *why = NULL;
    rc = fl__gm_identity(a->ctx, &l, fl_json_unescape, &a->cache, &sr->tmpl, &why);
    if (rc == FL_EPARSE)
        return skip_series(a, mb, why);
    if (rc)
        return rc;
    sr->tmpl.raw = fl_str_make(mb, (size_t)(me - mb));
    sr->seed = fl__gm_series_seed(a->ctx, &sr->tmpl);
    return 0;
}

/* One item of `result` at ib; *next gets its end. Members are read in one pass: the points
 * right where they are when `metric` came first (as Prometheus writes it), else afterwards. */
static int series(struct pa *a, const char *ib, const char *end, const char **next)
{
    if (*ib != '{') {
        *next = skip_value(ib, end);
        return skip_at(a, ib, "result item is not an object");
    }
    struct series sr;
    int state = -1; /* -1 metric not read yet, 0 read, 1 nothing (more) to emit */
    const char *pb = NULL, *vb, *ve;
    bool matrix = false, have_metric = false;
    const char *p = ws(ib + 1, end);
    int rc = 0;
    while (rc == 0 && p < end && *p == '"') {
        const char *ke = skip_string(p, end);
        struct fl_str key = fl_str_make(p + 1, (size_t)(ke - p - 2));
        vb = ws(ws(ke, end) + 1, end); /* past ':' */
        bool is_values = fl_str_eq_cstr(key, "values");
        if (fl_str_eq_cstr(key, "metric")) {
            ve = skip_value(vb, end);
            have_metric = true;
            rc = series_metric(a, vb, ve, &sr);
            state = rc == 1 ? 1 : 0;
            if (rc == 1)
                rc = 0;
        } else if (is_values || fl_str_eq_cstr(key, "value")) {
            matrix = is_values;
            if (state == 0) {
                rc = points(a, &sr, matrix, vb, end, &ve);
                state = 1;
            } else {
                pb = vb;
                ve = skip_value(vb, end);
            }
        } else {
            ve = skip_value(vb, end);
        }
        p = ws(ve, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    *next = p < end ? p + 1 : end; /* past '}' */
    if (rc)
        return rc;
    if (!have_metric)
        return skip_at(a, ib, "result item has no \"metric\"");
    if (state == 0 && pb) /* the points came before the labels */
        return points(a, &sr, matrix, pb, end, &ve);
    return 0; /* native histograms only ("histogram"/"histograms"): no DCGM metric is one */
}

/* The `result` array at rb; *next gets its end. */
static int result_array(struct pa *a, const char *rb, const char *end, const char **next)
{
    if (*rb != '[') {
        *next = skip_value(rb, end);
        return skip_at(a, rb, "\"result\" is not an array");
    }
    const char *p = ws(rb + 1, end);
    int rc = 0;
    while (rc == 0 && p < end && *p != ']') {
        const char *q;
        rc = series(a, p, end, &q);
        p = ws(q, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    *next = p < end ? p + 1 : end;
    return rc;
}

static bool series_type(struct fl_str t)
{
    return fl_str_eq_cstr(t, "matrix") || fl_str_eq_cstr(t, "vector");
}

/* The `data` object at db (or a document that is one): resultType + result. The result is read
 * where it stands when resultType came first (as Prometheus writes it), else afterwards. */
static int data_object(struct pa *a, const char *db, const char *end, const char **next)
{
    struct members it = {db, end};
    struct fl_str key, type = FL_STR_NULL;
    const char *vb, *ve, *rb = NULL;
    bool done = false;
    int rc = 0;
    while (rc == 0 && member(&it, &key, &vb)) {
        if (fl_str_eq_cstr(key, "resultType")) {
            ve = skip_value(vb, end);
            type = str_body(vb, ve);
        } else if (fl_str_eq_cstr(key, "result") && type.ptr && series_type(type)) {
            rc = result_array(a, vb, end, &ve);
            done = true;
        } else {
            if (fl_str_eq_cstr(key, "result"))
                rb = vb;
            ve = skip_value(vb, end);
        }
        member_end(&it, ve);
    }
    *next = it.p < end ? it.p + 1 : end;
    if (rc || done)
        return rc;
    if (type.ptr && !series_type(type)) {
        snprintf(a->why, sizeof a->why,
                 "resultType \"%.*s\" holds no series (only matrix and "
                 "vector results are read)",
                 (int)(type.len > 40 ? 40 : type.len), type.ptr);
        return skip_at(a, db, a->why);
    }
    if (!rb)
        return skip_at(a, db, "no \"result\" in the query data");
    return result_array(a, rb, end, &ve);
}

static int api_error(struct pa *a, const char *b, struct fl_str etype, struct fl_str err)
{
    bool oom = false;
    if (err.ptr && memchr(err.ptr, '\\', err.len) &&
        !fl_json_unescape(err, a->ctx->arena, &err, &oom) && oom)
        return FL_ENOMEM;
    if (!err.len)
        err = FL_STR_LIT("no message");
    snprintf(a->why, sizeof a->why, "Prometheus API error (%.*s): %.*s",
             (int)(etype.len > 40 ? 40 : etype.len), etype.ptr ? etype.ptr : "",
             (int)(err.len > 120 ? 120 : err.len), err.ptr);
    return skip_at(a, b, a->why);
}

static int document(struct pa *a, const char *b, const char *e)
{
    const char *ve;
    if (*b == '[')
        return result_array(a, b, e, &ve);
    if (*b != '{')
        return skip_at(a, b, "not a Prometheus API response (expected an object)");
    struct members it = {b, e};
    struct fl_str key, status = FL_STR_NULL, etype = FL_STR_NULL, err = FL_STR_NULL;
    const char *vb;
    bool data = false;
    int rc = 0;
    while (rc == 0 && member(&it, &key, &vb)) {
        if (fl_str_eq_cstr(key, "resultType") || fl_str_eq_cstr(key, "result"))
            return data_object(a, b, e, &ve); /* the data object alone (jq .data) */
        bool ok = !status.ptr || fl_str_eq_cstr(status, "success");
        if (fl_str_eq_cstr(key, "data") && ok && *vb == '{') {
            rc = data_object(a, vb, e, &ve);
            data = true;
        } else {
            ve = skip_value(vb, e);
            if (fl_str_eq_cstr(key, "status"))
                status = str_body(vb, ve);
            else if (fl_str_eq_cstr(key, "errorType"))
                etype = str_body(vb, ve);
            else if (fl_str_eq_cstr(key, "error"))
                err = str_body(vb, ve);
            else if (fl_str_eq_cstr(key, "data")) {
                data = true;
                if (ok)
                    rc = skip_at(a, vb, "\"data\" is not an object");
            }
        }
        member_end(&it, ve);
    }
    if (rc)
        return rc;
    if (status.ptr && !fl_str_eq_cstr(status, "success"))
        return api_error(a, b, etype, err);
    if (!data)
        return skip_at(a, b, "no \"data\" in the API response");
    return 0;
}

static int prom_api_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct pa a = {.ctx = ctx, .buf = buf};
    fl_json_parser_init(&a.jp, 1u << 16);
    const char *p = buf, *end = buf + len;
    int rc = 0;
    while (rc == 0 && (p = ws(p, end)) < end) {
        size_t n = (size_t)(end - p), pos = 0, pos2 = 0;
        const char *why = NULL;
        int v = fl_json_validate(p, n, &pos, &why);
        /* several documents back to back: the first one ends where the validator found
         * "more data" */
        if (v == FL_EPARSE && pos > 0 && fl_json_validate(p, pos, &pos2, NULL) == 0)
            v = 0, n = pos;
        if (v) {
            const char *at = p + pos;
            bool cut = at > p && at < end && at[-1] == '\n' && (*at == '{' || *at == '[');
            snprintf(a.why, sizeof a.why, "%s at byte %zu: %s",
                     v == FL_ETRUNC || cut ? "JSON ends early" : "invalid JSON", (size_t)(at - buf),
                     cut   ? "a new document starts on the next line"
                     : why ? why
                           : "syntax error");
            rc = fl_ingest_skip(ctx, 0, (uint64_t)(p - buf), a.why);
            /* resynchronize on the next line that opens a document (column 0) */
            const char *q = p + 1;
            while (q < end && !(q[-1] == '\n' && (*q == '{' || *q == '[')))
                q++;
            p = q;
            continue;
        }
        rc = document(&a, p, p + n);
        p += n;
    }
    fl_json_parser_release(&a.jp);
    return rc;
}

static int prom_api_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    const char *p = ws(buf, buf + len);
    if (p >= buf + len || (*p != '{' && *p != '['))
        return 0;
    size_t n = (size_t)(buf + len - p);
    struct fl_str head = fl_str_make(p, n < 4096 ? n : 4096);
    if (fl_str_find(head, FL_STR_LIT("\"resultType\"")) >= 0)
        return 90;
    if (*p == '{' && fl_str_find(head, FL_STR_LIT("\"status\"")) >= 0 &&
        fl_str_find(head, FL_STR_LIT("\"errorType\"")) >= 0)
        return 80;
    if (*p == '[' && fl_str_find(head, FL_STR_LIT("\"metric\"")) >= 0 &&
        (fl_str_find(head, FL_STR_LIT("\"values\"")) >= 0 ||
         fl_str_find(head, FL_STR_LIT("\"value\"")) >= 0))
        return 75;
    return 0;
}

const struct fl_parser fl_parser_prom_api = {
    .name = "prometheus-api",
    .summary = "Prometheus HTTP API query results (query_range matrix, query vector), JSON",
    .sniff = prom_api_sniff,
    .parse = prom_api_parse,
    .cluster_scope = true,
};
