/* Prometheus text exposition (format 0.0.4) as dcgm-exporter serves it: one sample per line,
 * `name{label="value",...} value [timestamp_ms]`, `# HELP` / `# TYPE` comments, several scrapes
 * concatenated, each optionally introduced by a `# scrape <time>` comment.
 * docs/formats/gpu-metrics.md lists what is read, the time rules and every skip reason.
 *
 * DCGM metrics become throttle, ecc and gpu_sample events (gpu_metrics.c has the table);
 * other metric families (node_exporter, go_*, ...) are read past without events. Lines are
 * views into the input; only escaped label values are decoded (into the arena); nothing is
 * allocated per sample.
 */
#include <string.h>

#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/gpu_metrics.h"
#include "ingest/uid_batch.h"

/* ---- lexing ---------------------------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Character classes of metric and label names: bit 1 may start a name, bit 2 may follow. */
static const unsigned char name_class[256] = {
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2,
    ['8'] = 2, ['9'] = 2, [':'] = 3, ['_'] = 3, ['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3,
    ['e'] = 3, ['f'] = 3, ['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3, ['k'] = 3, ['l'] = 3,
    ['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3, ['s'] = 3, ['t'] = 3,
    ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3, ['y'] = 3, ['z'] = 3, ['A'] = 3, ['B'] = 3,
    ['C'] = 3, ['D'] = 3, ['E'] = 3, ['F'] = 3, ['G'] = 3, ['H'] = 3, ['I'] = 3, ['J'] = 3,
    ['K'] = 3, ['L'] = 3, ['M'] = 3, ['N'] = 3, ['O'] = 3, ['P'] = 3, ['Q'] = 3, ['R'] = 3,
    ['S'] = 3, ['T'] = 3, ['U'] = 3, ['V'] = 3, ['W'] = 3, ['X'] = 3, ['Y'] = 3, ['Z'] = 3,
};

static bool name_start(char c)
{
    return name_class[(unsigned char)c] & 1;
}
static bool name_char(char c)
{
    return name_class[(unsigned char)c] & 2;
}

static void skip_blanks(struct fl_scan *s)
{
    while (s->p < s->end && is_blank(*s->p))
        s->p++;
}

static struct fl_str scan_name(struct fl_scan *s, bool metric)
{
    const char *b = s->p;
    if (s->p < s->end && name_start(*s->p) && (metric || *s->p != ':')) {
        s->p++;
        while (s->p < s->end && name_char(*s->p) && (metric || *s->p != ':'))
            s->p++;
    }
    return fl_str_make(b, (size_t)(s->p - b));
}

/* A quoted string at s->p ('"' already checked): its body without quotes; *esc when it holds
 * a backslash. false when it never closes. */
static bool scan_quoted(struct fl_scan *s, struct fl_str *body, bool *esc)
{
    const char *b = ++s->p;
    *esc = false;
    /* the usual value has no backslash: one pass to the quote */
    const char *q = b;
    while (q < s->end && *q != '"' && *q != '\\')
        q++;
    if (q < s->end && *q == '"') {
        *body = fl_str_make(b, (size_t)(q - b));
        s->p = q + 1;
        return true;
    }
    while (s->p < s->end) {
        char c = *s->p;
        if (c == '"') {
            *body = fl_str_make(b, (size_t)(s->p - b));
            s->p++;
            return true;
        }
        if (c == '\\') {
            *esc = true;
            if (s->p + 1 >= s->end)
                break;
            s->p++;
        }
        s->p++;
    }
    return false;
}

/* Prometheus label-value escapes: \\ \" \n; any other backslash is kept as written (as
 * Prometheus' own text parser does). */
static bool prom_unescape(struct fl_str raw, struct fl_arena *a, struct fl_str *out, bool *oom)
{
    char *d = fl_arena_alloc(a, raw.len + 1, 1);
    if (!d) {
        if (oom)
            *oom = true;
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.ptr[i];
        if (c == '\\' && i + 1 < raw.len) {
            char e = raw.ptr[i + 1];
            if (e == '\\' || e == '"' || e == 'n') {
                d[n++] = e == 'n' ? '\n' : e;
                i++;
                continue;
            }
        }
        d[n++] = c;
    }
    d[n] = '\0';
    *out = fl_str_make(d, n);
    return true;
}

/* ---- one file -------------------------------------------------------------------------- */

struct pt {
    struct fl_parse_ctx *ctx;
    int64_t scrape_ts;       /* from the last `# scrape` comment; FL_TIME_NONE = none */
    bool openmetrics;        /* the input ends with `# EOF`: timestamps are seconds */
    struct fl_str last_name; /* one-entry cache of the metric table lookup */
    const struct fl_gm_metric *last_m;
    struct fl_gm_cache cache; /* label values already resolved */
    struct fl_uid_batch pend; /* samples read, not yet emitted: uids hashed together */
};

static const struct fl_gm_metric *lookup(struct pt *t, struct fl_str name)
{
    if (t->last_name.ptr && fl_str_eq(name, t->last_name))
        return t->last_m;
    t->last_name = name;
    t->last_m = fl__gm_lookup(name);
    return t->last_m;
}

/* Unix time as digits: 10 or fewer integer digits are seconds (an optional fraction too), 12
 * or 13 are milliseconds. */
static bool unix_time(struct fl_str s, int64_t *ns)
{
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    uint64_t v;
    const char *b = sc.p;
    if (!fl_scan_u64(&sc, &v))
        return false;
    size_t digits = (size_t)(sc.p - b);
    if (digits >= 12 && digits <= 13 && fl_scan_eof(&sc)) {
        if (v > (uint64_t)(INT64_MAX / FL_NS_PER_MS))
            return false;
        *ns = (int64_t)v * FL_NS_PER_MS;
        return true;
    }
    if (digits > 10 || v > (uint64_t)(INT64_MAX / FL_NS_PER_SEC) - 1)
        return false;
    int64_t frac = 0;
    if (fl_scan_char(&sc, '.')) {
        int64_t scale = FL_NS_PER_SEC / 10;
        const char *f = sc.p;
        while (sc.p < sc.end && *sc.p >= '0' && *sc.p <= '9') {
            frac += (*sc.p - '0') * scale;
            scale /= 10;
            sc.p++;
        }
        if (sc.p == f)
            return false;
    }
    if (!fl_scan_eof(&sc))
        return false;
    *ns = (int64_t)v * FL_NS_PER_SEC + frac;
    return true;
}

static bool scrape_word(struct fl_str w, bool *strict)
{
    static const char *const words[] = {"scrape",    "scraped",   "scrape_time", "scraped_at",
                                        "scrape_ts", "timestamp", "time"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (fl_str_eq_nocase(w, fl_str_from_cstr(words[i]))) {
            *strict = i < 5;
            return true;
        }
    return false;
}

/* `# scrape <time>` and its spellings (docs/formats/gpu-metrics.md). Returns 0 or a skip
 * result; other comments are ignored. */
static int comment(struct pt *t, struct fl_str line, uint32_t lineno)
{
    struct fl_scan sc = fl_scan_make(line.ptr + 1, line.ptr + line.len);
    skip_blanks(&sc);
    const char *wb = sc.p;
    while (sc.p < sc.end && !is_blank(*sc.p) && *sc.p != ':' && *sc.p != '=')
        sc.p++;
    struct fl_str w = fl_str_make(wb, (size_t)(sc.p - wb));
    bool strict;
    if (!scrape_word(w, &strict))
        return 0;
    skip_blanks(&sc);
    if (sc.p < sc.end && (*sc.p == ':' || *sc.p == '='))
        sc.p++;
    skip_blanks(&sc);
    /* the time runs to the next blank, or is "date time" with a space separator */
    int64_t ns;
    size_t used = 0;
    bool had_zone;
    if (sc.p < sc.end && fl_time_parse_rfc3339(sc.p, sc.end, false, &ns, &used, &had_zone) == 0 &&
        (sc.p + used == sc.end || is_blank(sc.p[used]))) {
        t->scrape_ts = ns;
        return 0;
    }
    const char *tb = sc.p;
    while (sc.p < sc.end && !is_blank(*sc.p))
        sc.p++;
    if (unix_time(fl_str_make(tb, (size_t)(sc.p - tb)), &ns)) {
        t->scrape_ts = ns;
        return 0;
    }
    if (!strict)
        return 0;                /* an ordinary comment that happens to start with "time" */
    t->scrape_ts = FL_TIME_NONE; /* never carry an older scrape's time over */
    return fl_ingest_skip(t->ctx, lineno, 0,
                          "scrape comment: time is neither RFC 3339 nor Unix seconds/milliseconds");
}

/* The label set from '{' (at s->p) to '}'. A quoted entry without '=' is the metric name
 * (the UTF-8 name syntax `{"name", label="v"}`). */
static const char *labels(struct fl_scan *s, struct fl_gm_labels *l, struct fl_str *name)
{
    s->p++; /* '{' */
    for (bool first = true;; first = false) {
        skip_blanks(s);
        if (s->p >= s->end)
            return "label set not closed";
        if (*s->p == '}') {
            s->p++;
            return NULL;
        }
        struct fl_str key;
        bool esc = false, quoted = *s->p == '"';
        if (quoted) {
            if (!scan_quoted(s, &key, &esc))
                return "label name not closed";
        } else {
            key = scan_name(s, false);
            if (!key.len)
                return "label set: expected a label name";
        }
        skip_blanks(s);
        if (s->p < s->end && *s->p != '=' && first && quoted && !name->len) {
            *name = key; /* quoted metric name */
        } else {
            if (s->p >= s->end || *s->p != '=')
                return "label set: expected '=' after a label name";
            s->p++;
            skip_blanks(s);
            if (s->p >= s->end || *s->p != '"')
                return "label set: label value not quoted";
            struct fl_str val;
            if (!scan_quoted(s, &val, &esc))
                return "label value not closed";
            int id = fl__gm_label_id(key);
            if (id >= 0) {
                l->v[id] = val;
                l->esc[id] = esc;
            }
        }
        skip_blanks(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return NULL;
        }
        return s->p >= s->end ? "label set not closed" : "label set: expected ',' or '}'";
    }
}

static struct fl_str token(struct fl_scan *s)
{
    const char *b = s->p;
    while (s->p < s->end && !is_blank(*s->p))
        s->p++;
    return fl_str_make(b, (size_t)(s->p - b));
}

/* Sample timestamp: integer milliseconds (Prometheus text), or seconds with a fraction
 * (OpenMetrics, or any stamp with a '.'). */
static bool sample_time(const struct pt *t, struct fl_str s, int64_t *ns)
{
    bool neg = s.len && s.ptr[0] == '-';
    struct fl_str body = neg ? fl_str_sub(s, 1, s.len) : s;
    if (!body.len)
        return false;
    bool frac = memchr(body.ptr, '.', body.len) != NULL;
    if (!frac && !t->openmetrics) {
        uint64_t ms;
        if (!fl_str_to_u64(body, &ms) || ms > (uint64_t)(INT64_MAX / FL_NS_PER_MS))
            return false;
        *ns = (neg ? -1 : 1) * (int64_t)ms * FL_NS_PER_MS;
        return true;
    }
    struct fl_scan sc = fl_scan_make(body.ptr, body.ptr + body.len);
    uint64_t sec;
    if (!fl_scan_u64(&sc, &sec) || sec > (uint64_t)(INT64_MAX / FL_NS_PER_SEC) - 1)
        return false;
    int64_t f = 0;
    if (fl_scan_char(&sc, '.')) {
        int64_t scale = FL_NS_PER_SEC / 10;
        while (sc.p < sc.end && *sc.p >= '0' && *sc.p <= '9') {
            f += (*sc.p - '0') * scale;
            scale /= 10;
            sc.p++;
        }
    }
    if (!fl_scan_eof(&sc))
        return false;
    *ns = (neg ? -1 : 1) * ((int64_t)sec * FL_NS_PER_SEC + f);
    return true;
}

static int sample(struct pt *t, struct fl_str line, uint32_t lineno)
{
    struct fl_scan s = fl_scan_make(line.ptr, line.ptr + line.len);
    struct fl_str name = FL_STR_NULL;
    if (*s.p != '{') {
        name = scan_name(&s, true);
        if (!name.len || (s.p < s.end && !is_blank(*s.p) && *s.p != '{'))
            return fl_ingest_skip(t->ctx, lineno, 0,
                                  "not a sample line (expected a metric name, labels and a value)");
    }
    /* a metric that is not DCGM's is read past unparsed (unless its name hides in braces) */
    const struct fl_gm_metric *m = name.len ? lookup(t, name) : NULL;
    if (name.len && !m)
        return 0;
    skip_blanks(&s);
    struct fl_gm_labels l;
    memset(&l, 0, sizeof l);
    if (s.p < s.end && *s.p == '{') {
        const char *why = labels(&s, &l, &name);
        if (why)
            return fl_ingest_skip(t->ctx, lineno, 0, why);
        if (!m) {
            if (!name.len)
                return fl_ingest_skip(t->ctx, lineno, 0, "label set names no metric");
            m = lookup(t, name);
            if (!m)
                return 0;
        }
    }
    skip_blanks(&s);
    struct fl_str value = token(&s);
    if (!value.len)
        return fl_ingest_skip(t->ctx, lineno, 0, "sample has no value");
    skip_blanks(&s);
    int64_t ts = t->scrape_ts;
    if (s.p < s.end && *s.p != '#') {
        struct fl_str tok = token(&s);
        if (!sample_time(t, tok, &ts))
            return fl_ingest_skip(t->ctx, lineno, 0,
                                  "sample timestamp is not integer milliseconds");
        skip_blanks(&s);
        if (s.p < s.end && *s.p != '#') /* `# {...}` is an OpenMetrics exemplar */
            return fl_ingest_skip(t->ctx, lineno, 0, "unexpected text after the timestamp");
    }
    struct fl_event ev;
    fl_event_init(&ev, (enum fl_event_kind)m->kind);
    const char *why = NULL;
    enum fl_gm_value r = fl__gm_fill(&ev, m, name, value, &why);
    if (r == FL_GM_BLANK)
        return 0; /* DCGM's "no data" sentinel, NaN, Inf: nothing was measured */
    if (r == FL_GM_BAD)
        return fl_ingest_skip(t->ctx, lineno, 0, why);
    int rc = fl__gm_identity(t->ctx, &l, prom_unescape, &t->cache, &ev, &why);
    if (rc == FL_EPARSE)
        return fl_ingest_skip(t->ctx, lineno, 0, why);
    if (rc)
        return rc;
    ev.raw = line;
    ev.src.line = lineno;
    fl__gm_stamp(&ev, ts);
    return fl_uid_batch_push(t->ctx, &t->pend, &ev);
}

static bool ends_with_eof_marker(const char *buf, size_t len)
{
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || is_blank(buf[len - 1])))
        len--;
    return len >= 5 && memcmp(buf + len - 5, "# EOF", 5) == 0;
}

static int prom_text_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct pt t = {.ctx = ctx, .scrape_ts = FL_TIME_NONE}; /* the rest, cache included, zero */
    t.openmetrics = ends_with_eof_marker(buf, len);
    struct fl_scan sc = fl_scan_make(buf, buf + len);
    struct fl_str line;
    uint32_t lineno = 0;
    int rc = 0;
    while (rc == 0 && fl_scan_line(&sc, &line)) {
        lineno++;
        line = fl_str_trim(line);
        if (!line.len)
            continue;
        if (line.ptr[0] == '#')
            rc = comment(&t, line, lineno);
        else
            rc = sample(&t, line, lineno);
    }
    int frc = fl_uid_batch_flush(ctx, &t.pend); /* also on failure: nothing stays queued */
    return rc ? rc : frc;
}

/* ---- sniffing -------------------------------------------------------------------------- */

/* Does a line parse as a sample (name, labels, a number, an optional integer stamp)? */
static bool looks_like_sample(struct fl_str line, bool *dcgm)
{
    struct fl_scan s = fl_scan_make(line.ptr, line.ptr + line.len);
    struct fl_str name = FL_STR_NULL;
    if (*s.p != '{') {
        name = scan_name(&s, true);
        if (!name.len)
            return false;
    }
    skip_blanks(&s);
    if (s.p < s.end && *s.p == '{') {
        struct fl_gm_labels l;
        memset(&l, 0, sizeof l);
        if (labels(&s, &l, &name) || !name.len)
            return false;
    } else if (s.p == line.ptr + name.len) {
        return false; /* no blank between name and value */
    }
    skip_blanks(&s);
    double d;
    struct fl_str v = token(&s);
    if (!fl_str_to_double(v, &d))
        return false;
    skip_blanks(&s);
    if (s.p < s.end) {
        struct fl_str ts = token(&s);
        int64_t x;
        if (!fl_str_to_i64(ts, &x) && !fl_str_to_double(ts, &d))
            return false;
        skip_blanks(&s);
        if (s.p < s.end && *s.p != '#')
            return false;
    }
    *dcgm = *dcgm || fl__gm_lookup(name) != NULL;
    return true;
}

static int prom_text_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    size_t n = len < 8192 ? len : 8192;
    struct fl_scan sc = fl_scan_make(buf, buf + n);
    struct fl_str line;
    int ok = 0, bad = 0, typed = 0, seen = 0;
    bool dcgm = false;
    while (seen < 64 && fl_scan_line(&sc, &line)) {
        if (sc.p >= buf + n && n < len)
            break; /* a line cut by the sniff window says nothing */
        line = fl_str_trim(line);
        if (!line.len)
            continue;
        seen++;
        if (line.ptr[0] == '#') {
            if (fl_str_starts_with(line, "# HELP ") || fl_str_starts_with(line, "# TYPE ")) {
                typed++;
                struct fl_str rest = fl_str_trim(fl_str_sub(line, 7, line.len));
                struct fl_scan r = fl_scan_make(rest.ptr, rest.ptr + rest.len);
                dcgm = dcgm || (rest.len && fl__gm_lookup(scan_name(&r, true)) != NULL);
            }
            continue;
        }
        if (looks_like_sample(line, &dcgm))
            ok++;
        else
            bad++;
    }
    if (dcgm && (ok || typed) && ok + typed > bad)
        return 90;
    if (typed && ok > bad)
        return 60;
    if (ok >= 2 && bad == 0)
        return 35;
    return 0;
}

const struct fl_parser fl_parser_prom_text = {
    .name = "prometheus-text",
    .summary = "Prometheus text exposition, e.g. dcgm-exporter /metrics scrapes",
    .sniff = prom_text_sniff,
    .parse = prom_text_parse,
};
