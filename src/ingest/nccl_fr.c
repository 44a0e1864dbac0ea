/* PyTorch NCCL Flight Recorder dumps, pickle and JSON, every version from the 2023 bare list to
 * 2.10: one nccl_fr_record event per entry and one nccl_fr_dump event per file (the rank's
 * version, backend, process groups with their members and pg_status, or why the dump could
 * not be read). docs/formats/flight-recorder.md describes what is read and how.
 *
 * Both encodings become the same value tree (ingest/pickle.h) and one reader walks it. The
 * tree, the decoded entries and scratch buffers live in a per-file arena and heap buffers
 * released when the file is done; strings in events are views into the input (pickle strings
 * are raw UTF-8, JSON strings without escapes) or interned. No allocation per record. */
#include "ingest/nccl_fr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "faultline/alloc.h"
#include "faultline/ingest.h"
#include "ingest/pickle.h"

#define FR_SNIFF_WINDOW 65536
#define FR_SCRATCH_CHUNK (1024u * 1024u)
#define FR_TEXT_MAX (1u << 20) /* longest rendered sizes / frames text */
#define FR_CACHE 256           /* intern cache slots (views into the input) */

/* ---- small helpers shared with detectors (nccl_fr.h) ---------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

long fl_fr_ranks_parse(struct fl_str s, int32_t *out, size_t cap)
{
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    fl_scan_skip_ws(&sc);
    bool bracket = fl_scan_char(&sc, '[');
    long n = 0;
    fl_scan_skip_ws(&sc);
    if (bracket && fl_scan_char(&sc, ']')) {
        fl_scan_skip_ws(&sc);
        return fl_scan_eof(&sc) ? 0 : -1;
    }
    for (;;) {
        fl_scan_skip_ws(&sc);
        uint64_t v;
        if (fl_scan_eof(&sc) || !is_digit(*sc.p) || !fl_scan_u64(&sc, &v) || v > INT32_MAX)
            return -1;
        if (out) {
            if ((size_t)n >= cap)
                return -1;
            out[n] = (int32_t)v;
        }
        n++;
        fl_scan_skip_ws(&sc);
        if (fl_scan_char(&sc, ','))
            continue;
        if (bracket && !fl_scan_char(&sc, ']'))
            return -1;
        fl_scan_skip_ws(&sc);
        return fl_scan_eof(&sc) ? n : -1;
    }
}

/* A small non-negative decimal; -1 when s is not one. */
static int32_t small_int(struct fl_str s)
{
    if (!s.len || s.len > 9)
        return -1;
    int32_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (!is_digit(s.ptr[i]))
            return -1;
        v = v * 10 + (s.ptr[i] - '0');
    }
    return v;
}

void fl_fr_opname_parse(struct fl_str name, struct fl_fr_opname *o)
{
    memset(o, 0, sizeof *o);
    o->self_pg_rank = o->peer_pg_rank = -1;
    const char *colon = memchr(name.ptr ? name.ptr : "", ':', name.len);
    struct fl_str rest = name;
    if (colon) {
        o->backend = fl_str_make(name.ptr, (size_t)(colon - name.ptr));
        rest = fl_str_make(colon + 1, name.len - o->backend.len - 1);
    }
    const char *sp = memchr(rest.ptr ? rest.ptr : "", ' ', rest.len);
    o->op = sp ? fl_str_make(rest.ptr, (size_t)(sp - rest.ptr)) : rest;
    if (sp)
        o->meta = fl_str_trim(fl_str_make(sp + 1, rest.len - o->op.len - 1));
    o->coalesced = fl_str_ends_with(o->op, "coalesced");
    bool send = fl_str_eq_cstr(o->op, "send"), recv = fl_str_eq_cstr(o->op, "recv");
    if (!(send || recv) || !o->meta.len)
        return;
    /* "0->3" (send: self->peer) or "3<-0" (recv: self<-peer) */
    struct fl_str arrow = send ? FL_STR_LIT("->") : FL_STR_LIT("<-");
    ptrdiff_t at = fl_str_find(o->meta, arrow);
    if (at < 0)
        return;
    int32_t self = small_int(fl_str_trim(fl_str_sub(o->meta, 0, (size_t)at)));
    int32_t peer = small_int(fl_str_trim(fl_str_sub(o->meta, (size_t)at + 2, o->meta.len)));
    if (self < 0 || peer < 0)
        return;
    o->self_pg_rank = self;
    o->peer_pg_rank = peer;
    o->send = send;
    o->recv = recv;
}

static struct fl_str base_name(struct fl_str path)
{
    size_t i = path.len;
    while (i > 0 && path.ptr[i - 1] != '/')
        i--;
    return fl_str_sub(path, i, path.len - i);
}

/* The base name without one known extension. */
static struct fl_str stem(struct fl_str path)
{
    static const char *const ext[] = {".json", ".pkl", ".pickle", ".bin", ".txt", ".pt"};
    struct fl_str b = base_name(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (fl_str_ends_with(b, ext[i]) && b.len > strlen(ext[i]))
            return fl_str_sub(b, 0, b.len - strlen(ext[i]));
    return b;
}

int32_t fl_fr_rank_from_path(struct fl_str path)
{
    struct fl_str s = stem(path);
    size_t i = s.len;
    while (i > 0 && is_digit(s.ptr[i - 1]))
        i--;
    return small_int(fl_str_sub(s, i, s.len - i));
}

/* A file name the PyTorch writers use for dumps: only used to attribute an empty or cut file
 * that no content can identify (never to recognise a dump that has content). */
static bool dump_like_name(struct fl_str path)
{
    struct fl_str s = stem(path);
    if (fl_fr_rank_from_path(path) < 0)
        return false;
    return fl_str_find(s, FL_STR_LIT("trace_rank_")) >= 0 || fl_str_starts_with(s, "_dump_") ||
           fl_str_starts_with(s, "rank_");
}

/* ---- per-file state ------------------------------------------------------------------- */

struct pginfo {
    struct fl_str name; /* view */
    uint32_t name_id, desc_id, ranks_id;
    int32_t *members; /* sorted copy, scratch */
    int32_t size;     /* -1 unknown */
    int32_t id;       /* -1 unknown */
    int64_t last_enqueued, last_started, last_completed;
};

struct cache_slot {
    const char *ptr;
    size_t len;
    uint32_t id;
};

struct fr {
    struct fl_parse_ctx *ctx;
    const char *buf;
    size_t len;
    struct fl_arena scratch;
    uint8_t encoding;
    /* dump-level */
    struct fl_str version, comm_lib_version;
    uint32_t backend;
    int32_t rank;
    uint32_t nentries;
    int64_t max_ts;
    struct pginfo *pgs;
    size_t npgs, pgs_cap;
    uint32_t *by_name, *by_id; /* hash indexes of pgs (index + 1, 0 empty) */
    size_t idx_cap;            /* power of two, at least twice npgs */
    /* text rendering (heap, reused) */
    char *text;
    size_t text_len, text_cap;
    bool text_over; /* the text did not fit (too long, or text_oom) */
    bool text_oom;  /* growing the text buffer failed */
    struct cache_slot cache[FR_CACHE];
    /* per-address caches: a pickle's memo hands back the same bytes for repeated keys,
     * profiling names, states and thread ids */
    struct {
        const char *ptr;
        size_t len;
        uint8_t field;
    } keys[64];
    struct {
        const char *ptr;
        size_t len;
        struct fl_fr_opname on;
        uint32_t backend;
    } ops[64];
    const char *tid_ptr;
    size_t tid_len;
    int64_t tid;
    char why[320];
};

static int oom(struct fr *f)
{
    fl_err_set(&f->ctx->err, FL_ENOMEM, f->ctx->path, 0, "out of memory");
    return FL_ENOMEM;
}

__attribute__((format(printf, 3, 4))) static int skip(struct fr *f, uint64_t offset,
                                                      const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return fl_ingest_skip(f->ctx, 0, offset, why) ? oom(f) : 0;
}

/* Intern a view into the input, through a small cache keyed by address: a pickle's memo
 * hands the same bytes back for repeated strings, so most lookups skip the hash. */
static int intern_view(struct fr *f, struct fl_str s, uint32_t *id)
{
    if (!s.len) {
        *id = 0;
        return 0;
    }
    size_t slot = ((uintptr_t)s.ptr >> 2 ^ s.len) & (FR_CACHE - 1);
    struct cache_slot *c = &f->cache[slot];
    if (c->ptr == s.ptr && c->len == s.len) {
        *id = c->id;
        return 0;
    }
    uint32_t v = fl_ingest_intern(f->ctx, s);
    if (v == FL_INTERN_FAIL)
        return oom(f);
    *c = (struct cache_slot){s.ptr, s.len, v};
    *id = v;
    return 0;
}

/* Intern text that is not a stable view (rendered into f->text): no cache. */
static int intern_copy(struct fr *f, struct fl_str s, uint32_t *id)
{
    *id = s.len ? fl_ingest_intern(f->ctx, s) : 0;
    return *id == FL_INTERN_FAIL ? oom(f) : 0;
}

static void text_reset(struct fr *f)
{
    f->text_len = 0;
    f->text_over = false;
}

static void text_grow(struct fr *f, const char *p, size_t n);

static inline void text_add(struct fr *f, const char *p, size_t n)
{
    if (f->text_len + n <= f->text_cap && !f->text_over) {
        memcpy(f->text + f->text_len, p, n);
        f->text_len += n;
        return;
    }
    text_grow(f, p, n);
}

static void text_grow(struct fr *f, const char *p, size_t n)
{
    if (f->text_over)
        return;
    if (n > FR_TEXT_MAX - f->text_len) {
        f->text_over = true;
        return;
    }
    if (f->text_len + n > f->text_cap) {
        size_t cap = f->text_cap ? f->text_cap : 256;
        while (cap < f->text_len + n)
            cap *= 2;
        char *t = fl_realloc(f->text, cap);
        if (!t) {
            f->text_over = true;
            f->text_oom = true;
            return;
        }
        f->text = t;
        f->text_cap = cap;
    }
    memcpy(f->text + f->text_len, p, n);
    f->text_len += n;
}

static void text_i64(struct fr *f, int64_t v)
{
    char b[24];
    size_t i = sizeof b;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        b[--i] = '-';
    text_add(f, b + i, sizeof b - i);
}

/* ---- value access --------------------------------------------------------------------- */

static const char *pk_type_name(const struct fl_pk *v)
{
    switch (v->type) {
    case FL_PK_NONE:
        return "None";
    case FL_PK_BOOL:
        return "a bool";
    case FL_PK_INT:
        return "an int";
    case FL_PK_BIGINT:
        return "an int wider than 64 bits";
    case FL_PK_FLOAT:
        return "a float";
    case FL_PK_STR:
        return "a string";
    case FL_PK_LIST:
        return "a list";
    case FL_PK_TUPLE:
        return "a tuple";
    case FL_PK_DICT:
        return "a dict";
    default:
        return "a value";
    }
}

static bool is_seq(const struct fl_pk *v)
{
    return v->type == FL_PK_LIST || v->type == FL_PK_TUPLE;
}

/* An integer, or a string of one (the JSON API writes pg_status values as strings). */
static bool as_i64(const struct fl_pk *v, int64_t *out)
{
    if (v->type == FL_PK_INT) {
        *out = v->u.i;
        return true;
    }
    if (v->type == FL_PK_STR)
        return fl_str_to_i64(fl_str_trim(v->u.s), out);
    return false;
}

/* ---- JSON text to the value tree ---------------------------------------------------- */

static int json_value(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                      unsigned depth);

static int json_container(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                          unsigned depth)
{
    const jsmntok_t *t = &j->tok[i];
    bool obj = t->type == JSMN_OBJECT;
    if (depth >= FL_PK_MAX_DEPTH) {
        snprintf(f->why, sizeof f->why, "JSON nested deeper than %d at byte %d", FL_PK_MAX_DEPTH,
                 t->start);
        return FL_ELIMIT;
    }
    struct fl_pk_seq *s = FL_ARENA_NEW(&f->scratch, struct fl_pk_seq);
    size_t n = (size_t)t->size, per = obj ? 2 : 1;
    struct fl_pk *v = n ? FL_ARENA_NEW_N(&f->scratch, struct fl_pk, n * per) : NULL;
    if (!s || (n && !v))
        return FL_ENOMEM;
    s->v = v;
    s->n = s->cap = (uint32_t)n;
    s->depth = 1;
    s->offset = (uint64_t)t->start;
    out->type = obj ? FL_PK_DICT : FL_PK_LIST;
    out->u.seq = s;
    int k = i + 1;
    for (size_t m = 0; m < n; m++) {
        if (obj) {
            bool o = false;
            v[2 * m].type = FL_PK_STR;
            if (!fl_json_str(j, k, f->ctx->arena, &v[2 * m].u.s, &o))
                return o ? FL_ENOMEM : FL_EPARSE;
            k++;
        }
        k = json_value(f, j, k, &v[m * per + per - 1], depth + 1);
        if (k < 0)
            return k;
    }
    return k;
}

/* Convert token i; returns the index after its subtree, or a (negative) FL_E* code. */
static int json_value(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                      unsigned depth)
{
    if (i >= j->ntok)
        return FL_EPARSE;
    const jsmntok_t *t = &j->tok[i];
    out->u.i = 0;
    if (t->type == JSMN_OBJECT || t->type == JSMN_ARRAY)
        return json_container(f, j, i, out, depth);
    if (t->type == JSMN_STRING) {
        bool o = false;
        out->type = FL_PK_STR;
        if (!fl_json_str(j, i, f->ctx->arena, &out->u.s, &o))
            return o ? FL_ENOMEM : FL_EPARSE;
        return i + 1;
    }
    /* a primitive the validator accepted: null, true, false or a number */
    struct fl_str raw = fl_json_raw(j, i);
    char c = raw.len ? raw.ptr[0] : 0;
    if (c == 'n') {
        out->type = FL_PK_NONE;
        return i + 1;
    }
    if (c == 't' || c == 'f') {
        out->type = FL_PK_BOOL;
        out->u.b = c == 't';
        return i + 1;
    }
    /* plain non-negative integers (nearly all of a dump's numbers) without the general
     * scanner */
    if (raw.len && raw.len <= 19) { /* 19 digits stay below 2^64 */
        uint64_t v = 0;
        size_t k = 0;
        while (k < raw.len && is_digit(raw.ptr[k]))
            v = v * 10 + (uint64_t)(raw.ptr[k++] - '0');
        if (k == raw.len && v <= INT64_MAX) {
            out->type = FL_PK_INT;
            out->u.i = (int64_t)v;
            return i + 1;
        }
    }
    if (fl_str_to_i64(raw, &out->u.i))
        out->type = FL_PK_INT;
    else if (fl_str_to_double(raw, &out->u.f))
        out->type = FL_PK_FLOAT;
    else
        return FL_EPARSE;
    return i + 1;
}

/* ---- loading -------------------------------------------------------------------------- */

static size_t skip_bom_ws(const char *buf, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    return i;
}

/* Strings only a Flight Recorder dump holds, found anywhere in the first bytes. */
static bool has_fr_keys(const char *buf, size_t len)
{
    static const char *const keys[] = {"pg_config",
                                       "profiling_name",
                                       "pg_status",
                                       "collective_seq_id",
                                       "nccl_comm_state",
                                       "comm_lib_version",
                                       "time_discovered_started_ns"};
    const char *end = buf + (len < FR_SNIFF_WINDOW ? len : FR_SNIFF_WINDOW);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (fl_memmem(buf, end, keys[i], strlen(keys[i])))
            return true;
    return false;
}

/* Load the dump into *root. 0, or a negative FL_E* code with f->why and *at set. */
static int load(struct fr *f, struct fl_pk *root, uint64_t *at)
{
    size_t start = skip_bom_ws(f->buf, f->len);
    if (start < f->len && (f->buf[start] == '{' || f->buf[start] == '[')) {
        f->encoding = FL_FR_JSON;
        struct fl_json_parser jp;
        fl_json_parser_init(&jp, 0);
        struct fl_json j;
        size_t pos = 0;
        const char *jwhy = NULL;
        int rc = fl_json_parse(&jp, f->buf + start, f->len - start, &j, &pos, &jwhy);
        if (rc == 0) {
            int next = json_value(f, &j, 0, root, 0);
            rc = next < 0 ? next : 0;
            if (rc == FL_EPARSE)
                snprintf(f->why, sizeof f->why, "JSON value not understood");
            *at = start;
        } else if (rc == FL_ETRUNC) {
            snprintf(f->why, sizeof f->why, "JSON ends at byte %zu inside a value", f->len);
            *at = f->len;
        } else if (rc != FL_ENOMEM) {
            if (!f->why[0])
                snprintf(f->why, sizeof f->why, "invalid JSON at byte %zu: %s", start + pos,
                         jwhy ? jwhy : "syntax error");
            *at = start + pos;
        }
        fl_json_parser_release(&jp);
        return rc;
    }
    f->encoding = FL_FR_PICKLE;
    struct fl_pickle pk;
    fl_pickle_init(&pk, &f->scratch);
    int rc = fl_pickle_load(&pk, f->buf, f->len, root);
    if (rc && rc != FL_ENOMEM) {
        snprintf(f->why, sizeof f->why, "%s", pk.why);
        *at = pk.err_offset;
    } else if (rc == 0 && pk.end_offset < f->len) {
        rc = skip(f, pk.end_offset, "%zu bytes after the end of the pickle ignored",
                  f->len - pk.end_offset);
    }
    fl_pickle_release(&pk);
    return rc;
}

/* ---- process groups ------------------------------------------------------------------- */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static size_t idx_slot(uint32_t key, size_t cap)
{
    uint32_t h = key * 0x9e3779b1u;
    return (size_t)(h ^ (h >> 15)) & (cap - 1);
}

static void idx_put(uint32_t *t, size_t cap, uint32_t key, size_t i)
{
    size_t s = idx_slot(key, cap);
    while (t[s])
        s = (s + 1) & (cap - 1);
    t[s] = (uint32_t)i + 1;
}

/* Room in the indexes for one more pg: rebuilt twice as large when half full. */
static bool idx_reserve(struct fr *f)
{
    if ((f->npgs + 1) * 2 <= f->idx_cap)
        return true;
    size_t cap = f->idx_cap ? f->idx_cap * 2 : 64;
    uint32_t *n = FL_ARENA_NEW_N(&f->scratch, uint32_t, cap);
    uint32_t *d = FL_ARENA_NEW_N(&f->scratch, uint32_t, cap);
    if (!n || !d)
        return false;
    memset(n, 0, cap * sizeof *n);
    memset(d, 0, cap * sizeof *d);
    for (size_t i = 0; i < f->npgs; i++) {
        if (f->pgs[i].name_id)
            idx_put(n, cap, f->pgs[i].name_id, i);
        if (f->pgs[i].id >= 0)
            idx_put(d, cap, (uint32_t)f->pgs[i].id, i);
    }
    f->by_name = n;
    f->by_id = d;
    f->idx_cap = cap;
    return true;
}

/* Name and pg id of a pg, indexed (each is set once, and never to one another pg has). */
static void pg_set_name(struct fr *f, struct pginfo *g, uint32_t name_id)
{
    g->name_id = name_id;
    if (name_id)
        idx_put(f->by_name, f->idx_cap, name_id, (size_t)(g - f->pgs));
}

static void pg_set_id(struct fr *f, struct pginfo *g, int32_t id)
{
    g->id = id;
    idx_put(f->by_id, f->idx_cap, (uint32_t)id, (size_t)(g - f->pgs));
}

static struct pginfo *pg_add(struct fr *f)
{
    if (!idx_reserve(f))
        return NULL;
    if (f->npgs == f->pgs_cap) {
        size_t cap = f->pgs_cap ? f->pgs_cap * 2 : 16;
        struct pginfo *v = FL_ARENA_NEW_N(&f->scratch, struct pginfo, cap);
        if (!v)
            return NULL;
        if (f->npgs)
            memcpy(v, f->pgs, f->npgs * sizeof *v);
        f->pgs = v;
        f->pgs_cap = cap;
    }
    struct pginfo *g = &f->pgs[f->npgs++];
    *g = (struct pginfo){.size = -1,
                         .id = -1,
                         .last_enqueued = FL_FR_NO_SEQ,
                         .last_started = FL_FR_NO_SEQ,
                         .last_completed = FL_FR_NO_SEQ};
    return g;
}

static struct pginfo *pg_by_name(struct fr *f, uint32_t name_id)
{
    if (!f->idx_cap || !name_id)
        return NULL;
    for (size_t s = idx_slot(name_id, f->idx_cap); f->by_name[s]; s = (s + 1) & (f->idx_cap - 1))
        if (f->pgs[f->by_name[s] - 1].name_id == name_id)
            return &f->pgs[f->by_name[s] - 1];
    return NULL;
}

static struct pginfo *pg_by_id(struct fr *f, int32_t id)
{
    if (!f->idx_cap || id < 0)
        return NULL;
    for (size_t s = idx_slot((uint32_t)id, f->idx_cap); f->by_id[s]; s = (s + 1) & (f->idx_cap - 1))
        if (f->pgs[f->by_id[s] - 1].id == id)
            return &f->pgs[f->by_id[s] - 1];
    return NULL;
}

/* Members from a ranks string (or, in a re-pickled dump, a list of ints). */
static int pg_members(struct fr *f, struct pginfo *g, const struct fl_pk *v, uint64_t at)
{
    struct fl_str text;
    if (v->type == FL_PK_STR) {
        text = v->u.s;
    } else if (is_seq(v)) {
        text_reset(f);
        text_add(f, "[", 1);
        for (uint32_t i = 0; i < v->u.seq->n; i++) {
            if (v->u.seq->v[i].type != FL_PK_INT)
                return skip(f, at, "pg_config \"%.*s\": \"ranks\" holds %s, not ranks",
                            FL_STR_FMT(g->name), pk_type_name(&v->u.seq->v[i]));
            if (i)
                text_add(f, ", ", 2);
            text_i64(f, v->u.seq->v[i].u.i);
        }
        text_add(f, "]", 1);
        if (f->text_over)
            return f->text_oom ? oom(f) : 0;
        text = fl_str_make(f->text, f->text_len);
    } else {
        return skip(f, at, "pg_config \"%.*s\": \"ranks\" is %s, not a string", FL_STR_FMT(g->name),
                    pk_type_name(v));
    }
    long n = fl_fr_ranks_parse(text, NULL, 0);
    if (n < 0)
        return skip(f, at, "pg_config \"%.*s\": \"ranks\" \"%.*s\" is not a list of ranks",
                    FL_STR_FMT(g->name), (int)(text.len > 60 ? 60 : text.len), text.ptr);
    int rc = v->type == FL_PK_STR ? intern_view(f, text, &g->ranks_id)
                                  : intern_copy(f, text, &g->ranks_id);
    if (rc)
        return rc;
    g->members = n ? FL_ARENA_NEW_N(&f->scratch, int32_t, (size_t)n) : NULL;
    if (n && !g->members)
        return oom(f);
    fl_fr_ranks_parse(text, g->members, (size_t)n);
    qsort(g->members, (size_t)n, sizeof *g->members, cmp_i32);
    g->size = (int32_t)n;
    return 0;
}

static int read_pg_config(struct fr *f, const struct fl_pk *cfg)
{
    const struct fl_pk_seq *s = cfg->u.seq;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct fl_pk *k = &s->v[2 * (size_t)i], *v = &s->v[2 * (size_t)i + 1];
        if (k->type != FL_PK_STR || v->type != FL_PK_DICT) {
            int rc = skip(f, s->offset, "pg_config: an item is %s -> %s, not a pg name -> dict",
                          pk_type_name(k), pk_type_name(v));
            if (rc)
                return rc;
            continue;
        }
        const struct fl_pk *name = fl_pk_get(v, "name"), *desc = fl_pk_get(v, "desc"),
                           *ranks = fl_pk_get(v, "ranks");
        struct fl_str nm = name && name->type == FL_PK_STR ? name->u.s : k->u.s;
        uint32_t name_id;
        int rc = intern_view(f, nm, &name_id);
        if (rc)
            return rc;
        struct pginfo *g = pg_by_name(f, name_id);
        if (!g) {
            if (!(g = pg_add(f)))
                return oom(f);
            pg_set_name(f, g, name_id);
        }
        g->name = nm;
        if (desc && desc->type == FL_PK_STR && (rc = intern_view(f, desc->u.s, &g->desc_id)))
            return rc;
        if (ranks && (rc = pg_members(f, g, ranks, v->u.seq->offset)))
            return rc;
    }
    return 0;
}

static int read_pg_status(struct fr *f, const struct fl_pk *st)
{
    static const char *const keys[3] = {"last_enqueued_collective", "last_started_collective",
                                        "last_completed_collective"};
    const struct fl_pk_seq *s = st->u.seq;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct fl_pk *k = &s->v[2 * (size_t)i], *v = &s->v[2 * (size_t)i + 1];
        int64_t id;
        if (!as_i64(k, &id) || id < 0 || id > INT32_MAX || v->type != FL_PK_DICT) {
            int rc = skip(f, s->offset, "pg_status: an item is %s -> %s, not a pg id -> dict",
                          pk_type_name(k), pk_type_name(v));
            if (rc)
                return rc;
            continue;
        }
        struct pginfo *g = pg_by_id(f, (int32_t)id);
        if (!g) {
            if (!(g = pg_add(f)))
                return oom(f);
            pg_set_id(f, g, (int32_t)id);
        }
        int64_t *dst[3] = {&g->last_enqueued, &g->last_started, &g->last_completed};
        for (int q = 0; q < 3; q++) {
            const struct fl_pk *x = fl_pk_get(v, keys[q]);
            int64_t seq;
            if (!x || x->type == FL_PK_NONE)
                continue;
            if (!as_i64(x, &seq) || seq < -1) {
                int rc = skip(f, v->u.seq->offset, "pg_status \"%lld\": \"%s\" is %s, not a seq",
                              (long long)id, keys[q], pk_type_name(x));
                if (rc)
                    return rc;
                continue;
            }
            *dst[q] = seq;
        }
    }
    return 0;
}

/* ---- entries -------------------------------------------------------------------------- */

enum field {
    F_NONE,
    F_RECORD_ID,
    F_PG_ID,
    F_PROCESS_GROUP,
    F_COLL_SEQ,
    F_P2P_SEQ,
    F_OP_ID,
    F_PROFILING_NAME,
    F_TIME_CREATED,
    F_DURATION,
    F_INPUT_SIZES,
    F_OUTPUT_SIZES,
    F_INPUT_DTYPES,
    F_OUTPUT_DTYPES,
    F_STATE,
    F_STARTED,
    F_COMPLETED,
    F_RETIRED,
    F_TIMEOUT,
    F_IS_P2P,
    F_FRAMES,
    F_THREAD_ID,
    F_THREAD_NAME,
};

static enum field field_of(struct fl_str k);

static enum field field_cached(struct fr *f, struct fl_str k)
{
    size_t slot = ((uintptr_t)k.ptr >> 3) & 63;
    if (f->keys[slot].ptr == k.ptr && f->keys[slot].len == k.len)
        return (enum field)f->keys[slot].field;
    enum field fld = field_of(k);
    f->keys[slot].ptr = k.ptr;
    f->keys[slot].len = k.len;
    f->keys[slot].field = (uint8_t)fld;
    return fld;
}

static enum field field_of(struct fl_str k)
{
#define K(lit, fld)                                                                                \
    if (k.len == sizeof(lit) - 1 && memcmp(k.ptr, lit, sizeof(lit) - 1) == 0)                      \
        return fld;
    switch (k.len) {
    case 5:
        K("pg_id", F_PG_ID) K("op_id", F_OP_ID) K("state", F_STATE) break;
    case 6:
        K("seq_id", F_COLL_SEQ) K("is_p2p", F_IS_P2P) K("frames", F_FRAMES) break;
    case 7:
        K("retired", F_RETIRED) break;
    case 9:
        K("record_id", F_RECORD_ID) K("thread_id", F_THREAD_ID) break;
    case 10:
        K("p2p_seq_id", F_P2P_SEQ) K("timeout_ms", F_TIMEOUT) break;
    case 11:
        K("duration_ms", F_DURATION)
        K("input_sizes", F_INPUT_SIZES) K("thread_name", F_THREAD_NAME) break;
    case 12:
        K("output_sizes", F_OUTPUT_SIZES) K("input_dtypes", F_INPUT_DTYPES) break;
    case 13:
        K("process_group", F_PROCESS_GROUP) K("output_dtypes", F_OUTPUT_DTYPES) break;
    case 14:
        K("profiling_name", F_PROFILING_NAME) break;
    case 15:
        K("time_created_ns", F_TIME_CREATED) break;
    case 17:
        K("collective_seq_id", F_COLL_SEQ) break;
    case 26:
        K("time_discovered_started_ns", F_STARTED) break;
    case 28:
        K("time_discovered_completed_ns", F_COMPLETED) break;
    default:
        break;
    }
#undef K
    return F_NONE;
}

/* One entry's decoded state before it becomes an event. */
struct ent {
    struct fl_str pg_name, pg_desc;
    int64_t pg_id; /* -1 absent */
    struct fl_fr_opname on;
    bool have_p2p_flag;
};

struct entry_err {
    char why[200];
};

static bool bad(struct entry_err *e, const char *key, const char *want, const struct fl_pk *v)
{
    snprintf(e->why, sizeof e->why, "\"%s\" is %s, not %s", key, pk_type_name(v), want);
    return false;
}

static bool get_int(const struct fl_pk *v, const char *key, int64_t lo, int64_t *out,
                    struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return true;
    if (v->type != FL_PK_INT)
        return bad(e, key, "an integer", v);
    if (v->u.i < lo) {
        snprintf(e->why, sizeof e->why, "\"%s\" is %lld, below %lld", key, (long long)v->u.i,
                 (long long)lo);
        return false;
    }
    *out = v->u.i;
    return true;
}

/* Render a sizes list ([[4096, 1, 5120], [8]]) as Python prints it and intern it. */
static int sizes_text(struct fr *f, const struct fl_pk *v, const char *key, uint32_t *id,
                      struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return 0;
    if (!is_seq(v))
        return bad(e, key, "a list of shapes", v), 1;
    text_reset(f);
    text_add(f, "[", 1);
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        const struct fl_pk *shape = &v->u.seq->v[i];
        if (!is_seq(shape))
            return bad(e, key, "a list of shapes", shape), 1;
        text_add(f, i ? ", [" : "[", i ? 3 : 1);
        for (uint32_t d = 0; d < shape->u.seq->n; d++) {
            const struct fl_pk *dim = &shape->u.seq->v[d];
            if (dim->type != FL_PK_INT)
                return bad(e, key, "a list of shapes of integers", dim), 1;
            if (d)
                text_add(f, ", ", 2);
            text_i64(f, dim->u.i);
        }
        text_add(f, "]", 1);
    }
    text_add(f, "]", 1);
    if (f->text_over)
        return f->text_oom ? oom(f) : 0; /* too long to keep: left out */
    return intern_copy(f, fl_str_make(f->text, f->text_len), id);
}

/* dtypes: a list of strings, joined with ", " ("BFloat16"; "Float, Float"). */
static int dtypes_text(struct fr *f, const struct fl_pk *v, const char *key, uint32_t *id,
                       struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return 0;
    if (!is_seq(v))
        return bad(e, key, "a list of strings", v), 1;
    for (uint32_t i = 0; i < v->u.seq->n; i++)
        if (v->u.seq->v[i].type != FL_PK_STR)
            return bad(e, key, "a list of strings", &v->u.seq->v[i]), 1;
    if (v->u.seq->n == 1)
        return intern_view(f, v->u.seq->v[0].u.s, id);
    text_reset(f);
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        if (i)
            text_add(f, ", ", 2);
        text_add(f, v->u.seq->v[i].u.s.ptr, v->u.seq->v[i].u.s.len);
    }
    if (f->text_over)
        return f->text_oom ? oom(f) : 0;
    return intern_copy(f, fl_str_make(f->text, f->text_len), id);
}

/* frames: [{name, filename, line}, ...] as "name (filename:line)" lines, innermost first
 * (py-spy's form, so the two can be compared). */
static int frames_text(struct fr *f, const struct fl_pk *v, uint32_t *id, struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return 0;
    if (!is_seq(v))
        return bad(e, "frames", "a list of frames", v), 1;
    text_reset(f);
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        const struct fl_pk *fr = &v->u.seq->v[i];
        if (fr->type != FL_PK_DICT)
            return bad(e, "frames", "a list of frames", fr), 1;
        const struct fl_pk *name = fl_pk_get(fr, "name"), *file = fl_pk_get(fr, "filename"),
                           *line = fl_pk_get(fr, "line");
        if (i)
            text_add(f, "\n", 1);
        if (name && name->type == FL_PK_STR)
            text_add(f, name->u.s.ptr, name->u.s.len);
        text_add(f, " (", 2);
        if (file && file->type == FL_PK_STR)
            text_add(f, file->u.s.ptr, file->u.s.len);
        if (line && line->type == FL_PK_INT) {
            text_add(f, ":", 1);
            text_i64(f, line->u.i);
        }
        text_add(f, ")", 1);
    }
    if (f->text_over)
        return f->text_oom ? oom(f) : 0;
    return intern_copy(f, fl_str_make(f->text, f->text_len), id);
}

static uint8_t state_of(struct fl_str s)
{
    if (s.len == 9 && memcmp(s.ptr, "completed", 9) == 0)
        return FL_FR_COMPLETED;
    if (s.len == 9 && memcmp(s.ptr, "scheduled", 9) == 0)
        return FL_FR_SCHEDULED;
    if (s.len == 7 && memcmp(s.ptr, "started", 7) == 0)
        return FL_FR_STARTED;
    return FL_FR_STATE_UNKNOWN;
}

/* thread_id is a decimal string (std::thread::id printed); positive, else absent. */
static bool thread_id(struct fr *f, struct fl_str s, int64_t *out)
{
    if (s.ptr == f->tid_ptr && s.len == f->tid_len) {
        *out = f->tid;
        return f->tid > 0;
    }
    int64_t t = 0;
    if (!fl_str_to_i64(s, &t) || t <= 0)
        t = 0;
    f->tid_ptr = s.ptr;
    f->tid_len = s.len;
    f->tid = t;
    *out = t;
    return t > 0;
}

static int opname(struct fr *f, struct fl_str name, struct fl_fr_opname *on, uint32_t *backend)
{
    size_t slot = ((uintptr_t)name.ptr >> 3) & 63;
    if (f->ops[slot].ptr == name.ptr && f->ops[slot].len == name.len && name.ptr) {
        *on = f->ops[slot].on;
        *backend = f->ops[slot].backend;
        return 0;
    }
    fl_fr_opname_parse(name, on);
    int rc = intern_view(f, on->backend, backend);
    if (rc)
        return rc;
    f->ops[slot].ptr = name.ptr;
    f->ops[slot].len = name.len;
    f->ops[slot].on = *on;
    f->ops[slot].backend = *backend;
    return 0;
}

/* Decode entry d into ev and x. 0 when read, 1 when it must be skipped (e->why says why),
 * FL_ENOMEM. */
static int read_entry(struct fr *f, const struct fl_pk *d, struct fl_event *ev, struct ent *x,
                      struct entry_err *e)
{
    fl_event_init(ev, FL_EV_NCCL_FR_RECORD);
    memset(x, 0, sizeof *x);
    x->pg_id = -1;
    if (d->type != FL_PK_DICT)
        return bad(e, "entry", "a dict", d), 1;
    struct fl_ev_nccl_fr *r = &ev->u.fr;
    const struct fl_pk *profiling = NULL;
    int64_t t;
    int rc;
    const struct fl_pk_seq *s = d->u.seq;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct fl_pk *k = &s->v[2 * (size_t)i], *v = &s->v[2 * (size_t)i + 1];
        if (k->type != FL_PK_STR)
            continue;
        switch (field_cached(f, k->u.s)) {
        case F_RECORD_ID:
            if (!get_int(v, "record_id", 0, &r->record_id, e))
                return 1;
            break;
        case F_PG_ID:
            if (!get_int(v, "pg_id", 0, &x->pg_id, e))
                return 1;
            break;
        case F_PROCESS_GROUP:
            if (v->type == FL_PK_NONE)
                break;
            if (!is_seq(v) || v->u.seq->n < 1 || v->u.seq->v[0].type != FL_PK_STR ||
                (v->u.seq->n > 1 && v->u.seq->v[1].type != FL_PK_STR))
                return bad(e, "process_group", "a (name, desc) pair of strings", v), 1;
            x->pg_name = v->u.seq->v[0].u.s;
            x->pg_desc = v->u.seq->n > 1 ? v->u.seq->v[1].u.s : FL_STR_NULL;
            break;
        case F_COLL_SEQ:
            if (!get_int(v, "collective_seq_id", 0, &r->collective_seq, e))
                return 1;
            break;
        case F_P2P_SEQ:
            if (!get_int(v, "p2p_seq_id", 0, &r->p2p_seq, e))
                return 1;
            break;
        case F_OP_ID:
            if (!get_int(v, "op_id", 0, &r->op_id, e))
                return 1;
            break;
        case F_PROFILING_NAME:
            if (v->type != FL_PK_STR && v->type != FL_PK_NONE)
                return bad(e, "profiling_name", "a string", v), 1;
            profiling = v->type == FL_PK_STR ? v : NULL;
            break;
        case F_TIME_CREATED:
            t = 0;
            if (!get_int(v, "time_created_ns", 0, &t, e))
                return 1;
            if (t > 0) {
                ev->ts = t;
                ev->clock = FL_CLOCK_WALL;
            }
            break;
        case F_DURATION:
            if (v->type == FL_PK_FLOAT && v->u.f >= 0 && !isinf(v->u.f))
                r->duration_ms = v->u.f;
            else if (v->type == FL_PK_INT && v->u.i >= 0)
                r->duration_ms = (double)v->u.i;
            else if (v->type != FL_PK_NONE && !(v->type == FL_PK_FLOAT && isnan(v->u.f)))
                return bad(e, "duration_ms", "a non-negative number", v), 1;
            break;
        case F_INPUT_SIZES:
            if ((rc = sizes_text(f, v, "input_sizes", &r->input_sizes, e)))
                return rc;
            break;
        case F_OUTPUT_SIZES:
            if ((rc = sizes_text(f, v, "output_sizes", &r->output_sizes, e)))
                return rc;
            break;
        case F_INPUT_DTYPES:
            if ((rc = dtypes_text(f, v, "input_dtypes", &r->input_dtypes, e)))
                return rc;
            break;
        case F_OUTPUT_DTYPES:
            if ((rc = dtypes_text(f, v, "output_dtypes", &r->output_dtypes, e)))
                return rc;
            break;
        case F_STATE: {
            if (v->type == FL_PK_NONE)
                break;
            if (v->type != FL_PK_STR)
                return bad(e, "state", "a string", v), 1;
            r->state = state_of(v->u.s);
            break;
        }
        case F_STARTED:
            t = 0;
            if (!get_int(v, "time_discovered_started_ns", 0, &t, e))
                return 1;
            r->started_ns = t; /* 0 (the JSON API's "none") stays absent */
            break;
        case F_COMPLETED:
            t = 0;
            if (!get_int(v, "time_discovered_completed_ns", 0, &t, e))
                return 1;
            r->completed_ns = t;
            break;
        case F_RETIRED:
            if (v->type == FL_PK_BOOL)
                r->retired = v->u.b;
            else if (v->type != FL_PK_NONE)
                return bad(e, "retired", "a bool", v), 1;
            break;
        case F_TIMEOUT:
            if (!get_int(v, "timeout_ms", 0, &r->timeout_ms, e))
                return 1;
            break;
        case F_IS_P2P:
            if (v->type == FL_PK_BOOL) {
                r->is_p2p = v->u.b;
                x->have_p2p_flag = true;
            } else if (v->type != FL_PK_NONE) {
                return bad(e, "is_p2p", "a bool", v), 1;
            }
            break;
        case F_FRAMES:
            if ((rc = frames_text(f, v, &r->frames, e)))
                return rc;
            break;
        case F_THREAD_ID:
            if (v->type == FL_PK_INT && v->u.i > 0)
                r->thread_id = v->u.i;
            else if (v->type == FL_PK_STR && thread_id(f, v->u.s, &t))
                r->thread_id = t;
            else if (v->type != FL_PK_NONE && v->type != FL_PK_STR && v->type != FL_PK_INT)
                return bad(e, "thread_id", "a thread id", v), 1;
            break;
        case F_THREAD_NAME:
            if (v->type == FL_PK_STR) {
                if ((rc = intern_view(f, v->u.s, &r->thread_name)))
                    return rc;
            } else if (v->type != FL_PK_NONE) {
                return bad(e, "thread_name", "a string", v), 1;
            }
            break;
        case F_NONE:
            break;
        }
    }
    if (x->pg_id >= 0 && x->pg_id <= INT32_MAX) {
        r->pg_id = (int32_t)x->pg_id;
        r->known |= FL_FR_HAS_PG_ID;
    } else if (x->pg_id > INT32_MAX) {
        snprintf(e->why, sizeof e->why, "\"pg_id\" %lld is out of range", (long long)x->pg_id);
        return 1;
    }
    if (!x->pg_name.len) {
        /* dumps from before process_group (late 2023): the pg is known by its pg_id only */
        if (x->pg_id < 0) {
            snprintf(e->why, sizeof e->why, "no \"process_group\" and no \"pg_id\"");
            return 1;
        }
        char idbuf[24];
        int n = snprintf(idbuf, sizeof idbuf, "%lld", (long long)x->pg_id);
        if ((rc = intern_copy(f, fl_str_make(idbuf, (size_t)n), &r->pg)))
            return rc;
    } else if ((rc = intern_view(f, x->pg_name, &r->pg))) {
        return rc;
    }
    r->pg_desc = x->pg_desc;
    if (profiling) {
        r->op = profiling->u.s;
        if ((rc = opname(f, profiling->u.s, &x->on, &r->backend)))
            return rc;
        if (x->on.send || x->on.recv) {
            r->peer_pg_rank = x->on.peer_pg_rank;
            r->known |= FL_FR_HAS_PEER_PG_RANK;
            if (!x->have_p2p_flag)
                r->is_p2p = true; /* before is_p2p existed (2.1) */
        }
        if (x->on.coalesced)
            r->coalesced = FL_FR_COALESCED_END;
    }
    return 0;
}

/* Mark the ops of each coalesced group: walking back from a closing "*coalesced" entry, the
 * entries of the same pg with the same seq (p2p_seq for p2p ops) belong to it. */
static void mark_coalesced(struct fl_event *evs, const bool *ok, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!ok[i] || evs[i].u.fr.coalesced != FL_FR_COALESCED_END)
            continue;
        const struct fl_ev_nccl_fr *end = &evs[i].u.fr;
        int64_t key = end->is_p2p ? end->p2p_seq : end->collective_seq;
        for (size_t j = i; j-- > 0;) {
            struct fl_ev_nccl_fr *r = &evs[j].u.fr;
            if (!ok[j] || r->pg != end->pg)
                continue;
            if ((r->is_p2p ? r->p2p_seq : r->collective_seq) != key ||
                r->coalesced != FL_FR_NOT_COALESCED)
                break;
            r->coalesced = FL_FR_COALESCED_OP;
        }
    }
}

/* Stable on every machine: numbers mixed word by word, then the pg and node names. */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

static uint64_t record_uid(struct fr *f, const struct fl_event *ev, struct fl_str node)
{
    const struct fl_ev_nccl_fr *r = &ev->u.fr;
    uint64_t h = FL_HASH_SEED;
    h = mix(h, ev->kind);
    h = mix(h, (uint64_t)ev->ts);
    h = mix(h, (uint64_t)r->rank);
    h = mix(h, (uint64_t)r->record_id);
    h = mix(h, (uint64_t)r->op_id);
    h = mix(h, (uint64_t)r->collective_seq);
    h = mix(h, (uint64_t)r->p2p_seq);
    h = mix(h, r->state);
    struct fl_str pg = fl_ingest_str(f->ctx, r->pg);
    h = fl_hash64(pg.ptr, pg.len, h);
    return fl_hash64(node.ptr, node.len, h);
}

/* The rank this dump belongs to: the file name's, checked against the process groups the
 * dump lists (a rank is a member of every pg it records); the groups' only common member
 * when the name has none or disagrees. */
static int resolve_rank(struct fr *f)
{
    int32_t named = fl_fr_rank_from_path(fl_str_from_cstr(f->ctx->path));
    const struct pginfo *small = NULL;
    for (size_t i = 0; i < f->npgs; i++)
        if (f->pgs[i].size > 0 && (!small || f->pgs[i].size < small->size))
            small = &f->pgs[i];
    int32_t common = -1;
    size_t ncommon = 0;
    bool named_in_all = true;
    if (small) {
        for (int32_t c = 0; c < small->size; c++) {
            int32_t cand = small->members[c];
            bool all = true;
            for (size_t i = 0; i < f->npgs && all; i++)
                if (f->pgs[i].size > 0)
                    all = bsearch(&cand, f->pgs[i].members, (size_t)f->pgs[i].size, sizeof(int32_t),
                                  cmp_i32) != NULL;
            if (all) {
                common = cand;
                ncommon++;
            }
        }
        for (size_t i = 0; i < f->npgs && named >= 0 && named_in_all; i++)
            if (f->pgs[i].size > 0)
                named_in_all = bsearch(&named, f->pgs[i].members, (size_t)f->pgs[i].size,
                                       sizeof(int32_t), cmp_i32) != NULL;
    }
    f->rank = named;
    if (named >= 0 && small && !named_in_all) {
        bool use_common = ncommon == 1;
        if (use_common)
            f->rank = common;
        return skip(f, 0,
                    "rank %d from the file name is not a member of every process group the "
                    "dump lists; %s",
                    named,
                    use_common ? "its groups single out another rank, which is used"
                               : "the name's rank is kept");
    }
    if (named < 0 && ncommon == 1) {
        f->rank = common;
        return 0;
    }
    return 0;
}

/* A pg named by entries but not by pg_config: learn its pg_id and description. */
static int pg_from_entry(struct fr *f, const struct fl_event *ev)
{
    const struct fl_ev_nccl_fr *r = &ev->u.fr;
    struct pginfo *g = pg_by_name(f, r->pg);
    int rc;
    if (!g) {
        if (!(g = pg_add(f)))
            return oom(f);
        pg_set_name(f, g, r->pg);
        g->name = fl_ingest_str(f->ctx, r->pg);
    }
    if (!g->desc_id && r->pg_desc.len && (rc = intern_view(f, r->pg_desc, &g->desc_id)))
        return rc;
    if (g->id < 0 && (r->known & FL_FR_HAS_PG_ID) && !pg_by_id(f, r->pg_id))
        pg_set_id(f, g, r->pg_id);
    return 0;
}

static void note_ts(struct fr *f, int64_t t)
{
    if (t > 0 && t > f->max_ts)
        f->max_ts = t;
}

static int read_entries(struct fr *f, const struct fl_pk *list)
{
    const struct fl_pk_seq *s = list->u.seq;
    size_t n = s->n;
    f->nentries = (uint32_t)n;
    if (!n)
        return 0;
    struct fl_event *evs = FL_ARENA_NEW_N(&f->scratch, struct fl_event, n);
    bool *ok = FL_ARENA_NEW_N(&f->scratch, bool, n);
    if (!evs || !ok)
        return oom(f);
    for (size_t i = 0; i < n; i++) {
        struct ent x;
        struct entry_err e;
        const struct fl_pk *d = &s->v[i];
        int rc = read_entry(f, d, &evs[i], &x, &e);
        ok[i] = rc == 0;
        uint64_t at = d->type == FL_PK_DICT ? d->u.seq->offset : s->offset;
        if (rc == 1) {
            int64_t rid = d->type == FL_PK_DICT ? evs[i].u.fr.record_id : -1;
            if (rid >= 0)
                rc = skip(f, at, "entry %zu (record_id %lld): %s", i, (long long)rid, e.why);
            else
                rc = skip(f, at, "entry %zu: %s", i, e.why);
        }
        if (rc)
            return rc;
        if (!ok[i])
            continue;
        evs[i].src.offset = at;
        if ((rc = pg_from_entry(f, &evs[i])))
            return rc;
        if (!f->backend && evs[i].u.fr.backend)
            f->backend = evs[i].u.fr.backend;
    }
    if (f->rank < 0)
        return skip(f, 0,
                    "no rank for this dump: the file name ends in no digits and its process "
                    "groups do not single out one rank; its %zu entries are not read",
                    n);
    mark_coalesced(evs, ok, n);
    struct fl_str node = fl_ingest_str(f->ctx, f->ctx->default_node);
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        struct fl_ev_nccl_fr *r = &evs[i].u.fr;
        r->rank = f->rank;
        if (r->known & FL_FR_HAS_PEER_PG_RANK) {
            const struct pginfo *g = pg_by_name(f, r->pg);
            if (g && g->size > r->peer_pg_rank) {
                r->peer = g->members[r->peer_pg_rank];
                r->known |= FL_FR_HAS_PEER;
            }
        }
        note_ts(f, evs[i].ts);
        note_ts(f, r->started_ns);
        note_ts(f, r->completed_ns);
        evs[i].uid = record_uid(f, &evs[i], node);
        if (fl_ingest_emit(f->ctx, &evs[i]))
            return oom(f);
    }
    return 0;
}

/* ---- the dump ------------------------------------------------------------------------- */

/* "2.10" -> 2, 10; false when not major.minor. */
static bool parse_version(struct fl_str v, int *major, int *minor)
{
    const char *dot = memchr(v.ptr ? v.ptr : "", '.', v.len);
    if (!dot)
        return false;
    int32_t a = small_int(fl_str_make(v.ptr, (size_t)(dot - v.ptr)));
    int32_t b = small_int(fl_str_make(dot + 1, v.len - (size_t)(dot - v.ptr) - 1));
    *major = a;
    *minor = b;
    return a >= 0 && b >= 0;
}

/* Emit the nccl_fr_dump event (once per file, whatever happened). */
static int emit_dump(struct fr *f, uint8_t status, const char *error)
{
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_NCCL_FR_DUMP);
    struct fl_ev_nccl_fr_dump *d = &ev.u.fr_dump;
    if (f->rank >= 0) {
        d->rank = f->rank;
        d->known |= FL_FR_DUMP_HAS_RANK;
    }
    d->status = status;
    d->encoding = f->encoding;
    d->backend = f->backend;
    d->version = f->version;
    d->comm_lib_version = f->comm_lib_version;
    d->nentries = f->nentries;
    if (error && error[0]) {
        d->error.ptr = fl_arena_strndup_copy(f->ctx->arena, error, strlen(error));
        if (!d->error.ptr)
            return oom(f);
        d->error.len = strlen(error);
    }
    if (f->npgs) {
        struct fl_fr_pg *pgs = FL_ARENA_NEW_N(f->ctx->arena, struct fl_fr_pg, f->npgs);
        if (!pgs)
            return oom(f);
        for (size_t i = 0; i < f->npgs; i++) {
            const struct pginfo *g = &f->pgs[i];
            pgs[i] =
                (struct fl_fr_pg){g->name_id, g->desc_id,       g->ranks_id,     g->size,
                                  g->id,      g->last_enqueued, g->last_started, g->last_completed};
        }
        d->pgs = pgs;
        d->npgs = (uint32_t)f->npgs;
    }
    if (f->max_ts > 0) {
        ev.ts = f->max_ts; /* the dump was written after its last recorded time */
        ev.clock = FL_CLOCK_WALL;
    }
    int64_t nums[4] = {ev.kind, f->rank, status, f->nentries};
    unsigned char b[sizeof nums];
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < 8; k++)
            b[i * 8 + k] = (unsigned char)((uint64_t)nums[i] >> (8 * k));
    uint64_t h = fl_hash64(b, sizeof b, FL_HASH_SEED);
    h = fl_hash64(f->version.ptr, f->version.len, h);
    h = fl_hash64(error ? error : "", error ? strlen(error) : 0, h);
    struct fl_str node = fl_ingest_str(f->ctx, f->ctx->default_node);
    ev.uid = fl_hash64(node.ptr, node.len, h);
    return fl_ingest_emit(f->ctx, &ev) ? oom(f) : 0;
}

/* The dump could not be read at all: one skip naming why, and the rank's dump recorded as
 * unreadable (so a hang analysis can suspect that rank). */
static int unreadable(struct fr *f, uint8_t status, uint64_t at, const char *why)
{
    char msg[420];
    snprintf(msg, sizeof msg, "flight recorder dump %s: %s",
             status == FL_FR_DUMP_UNSUPPORTED ? "not supported" : "unreadable", why);
    int rc = fl_ingest_skip(f->ctx, 0, at, msg) ? oom(f) : 0;
    if (rc)
        return rc;
    f->rank = fl_fr_rank_from_path(fl_str_from_cstr(f->ctx->path));
    return emit_dump(f, status, why);
}

/* Content that loaded but is no dump: recorded as an unreadable dump only when something
 * says it was meant to be one (dump keys, a dump's file name), else just skipped. */
static int not_a_dump(struct fr *f, uint64_t at, const char *why)
{
    char msg[300];
    snprintf(msg, sizeof msg, "not a flight recorder dump: %s", why);
    if (has_fr_keys(f->buf, f->len) || dump_like_name(fl_str_from_cstr(f->ctx->path)))
        return unreadable(f, FL_FR_DUMP_UNREADABLE, at, msg);
    return skip(f, at, "%s", msg);
}

static int read_dump(struct fr *f, const struct fl_pk *root)
{
    const struct fl_pk *entries = NULL, *cfg = NULL, *status = NULL;
    if (root->type == FL_PK_LIST) {
        entries = root; /* the 2023 form: a bare list of entries, no version */
    } else if (root->type == FL_PK_DICT) {
        const struct fl_pk_seq *s = root->u.seq;
        bool any = false;
        for (uint32_t i = 0; i < s->n; i++) {
            const struct fl_pk *k = &s->v[2 * (size_t)i], *v = &s->v[2 * (size_t)i + 1];
            if (k->type != FL_PK_STR)
                continue;
            struct fl_str key = k->u.s;
            const char *want = NULL;
            if (fl_str_eq_cstr(key, "version")) {
                any = true;
                if (v->type == FL_PK_STR)
                    f->version = v->u.s;
                else
                    want = "a string";
            } else if (fl_str_eq_cstr(key, "entries")) {
                any = true;
                if (is_seq(v))
                    entries = v;
                else if (v->type != FL_PK_NONE)
                    want = "a list";
            } else if (fl_str_eq_cstr(key, "pg_config")) {
                any = true;
                if (v->type == FL_PK_DICT)
                    cfg = v;
                else if (v->type != FL_PK_NONE)
                    want = "a dict";
            } else if (fl_str_eq_cstr(key, "pg_status")) {
                if (v->type == FL_PK_DICT)
                    status = v;
                else if (v->type != FL_PK_NONE)
                    want = "a dict";
            } else if (fl_str_eq_cstr(key, "nccl_version") ||
                       fl_str_eq_cstr(key, "comm_lib_version")) {
                if (v->type == FL_PK_STR)
                    f->comm_lib_version = v->u.s;
            } else if (fl_str_ends_with(key, "_comm_state") && key.len > 11 && !f->backend) {
                /* nccl_comm_state, and the forks' hccl_, mccl_, bccl_... */
                int rc = intern_view(f, fl_str_sub(key, 0, key.len - 11), &f->backend);
                if (rc)
                    return rc;
            }
            if (want) {
                char why[160];
                snprintf(why, sizeof why, "\"%.*s\" is %s, not %s", FL_STR_FMT(key),
                         pk_type_name(v), want);
                return unreadable(f, FL_FR_DUMP_UNREADABLE, s->offset, why);
            }
        }
        if (!any)
            return not_a_dump(f, s->offset,
                              "a dict without \"version\", \"entries\" or \"pg_config\"");
    } else {
        char why[160];
        snprintf(why, sizeof why, "it holds %s, not a dict", pk_type_name(root));
        return not_a_dump(f, 0, why);
    }
    if (f->version.len) {
        int major, minor;
        char why[200];
        if (!parse_version(f->version, &major, &minor)) {
            snprintf(why, sizeof why, "version \"%.*s\" is not major.minor",
                     (int)(f->version.len > 40 ? 40 : f->version.len), f->version.ptr);
            return unreadable(f, FL_FR_DUMP_UNSUPPORTED, 0, why);
        }
        if (major < 1 || major > 2) {
            snprintf(why, sizeof why,
                     "version \"%.*s\": this reader knows 1.0 to 2.10 (a new major version "
                     "changes what fields mean)",
                     FL_STR_FMT(f->version));
            return unreadable(f, FL_FR_DUMP_UNSUPPORTED, 0, why);
        }
    }
    int rc;
    if (cfg && (rc = read_pg_config(f, cfg)))
        return rc;
    if ((rc = resolve_rank(f)))
        return rc;
    if (entries && (rc = read_entries(f, entries)))
        return rc;
    if (status && (rc = read_pg_status(f, status)))
        return rc;
    return emit_dump(f, FL_FR_DUMP_OK, NULL);
}

static int fr_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fr *f = fl_calloc(1, sizeof *f);
    if (!f) {
        fl_err_set(&ctx->err, FL_ENOMEM, ctx->path, 0, "out of memory");
        return FL_ENOMEM;
    }
    f->ctx = ctx;
    f->buf = buf;
    f->len = len;
    f->rank = -1;
    /* every opcode or token is at least a byte and becomes at most ~56 bytes of tree */
    size_t cap = len < (SIZE_MAX - (64u << 20)) / 64 ? 64 * len + (64u << 20) : SIZE_MAX;
    /* chunks in proportion to the input (a tree takes about 12 times a pickle's bytes) */
    size_t chunk = len < FR_SCRATCH_CHUNK / 16 ? 16384 : FR_SCRATCH_CHUNK;
    fl_arena_init(&f->scratch, chunk, cap);
    int rc;
    if (len == 0) {
        f->encoding = FL_FR_PICKLE;
        rc = unreadable(f, FL_FR_DUMP_UNREADABLE, 0, "empty file");
        goto out;
    }
    struct fl_pk root;
    uint64_t at = 0;
    rc = load(f, &root, &at);
    if (rc == FL_ENOMEM && f->scratch.reserved > f->scratch.cap / 2) {
        rc = unreadable(f, FL_FR_DUMP_UNREADABLE, at,
                        "its content needs more memory than its size justifies");
    } else if (rc == FL_ENOMEM) {
        rc = oom(f);
    } else if (rc) {
        /* a pickle or JSON text that is cut or corrupt: a dump when it names dump keys or
         * carries a dump's file name; otherwise just not ours */
        if (has_fr_keys(buf, len) || dump_like_name(fl_str_from_cstr(ctx->path)))
            rc = unreadable(f, FL_FR_DUMP_UNREADABLE, at, f->why);
        else
            rc = skip(f, at, "not a flight recorder dump: %s", f->why);
    } else {
        rc = read_dump(f, &root);
    }
out:
    fl_free(f->text);
    fl_arena_release(&f->scratch);
    fl_free(f);
    return rc;
}

/* The first key of the JSON object at p ("" when there is none). */
static struct fl_str first_key(const char *p, size_t len)
{
    size_t i = 1;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i >= len || p[i] != '"')
        return FL_STR_NULL;
    const char *q = memchr(p + i + 1, '"', len - i - 1);
    return q ? fl_str_make(p + i + 1, (size_t)(q - (p + i + 1))) : FL_STR_NULL;
}

/* A JSON dump opens with one of its top-level keys (the JSON API sorts them; the shared
 * rendering starts with "version"), or is a list whose first entry opens with an entry key;
 * faultline's own JSON Lines (which mention some of the same words) open with "kind". */
static bool json_dump_start(const char *p, size_t len)
{
    static const char *const top[] = {"version",      "comm_lib_version", "entries",
                                      "nccl_version", "pg_config",        "pg_status"};
    if (p[0] == '[') {
        size_t i = 1;
        while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            i++;
        return i < len && p[i] == '{' && field_of(first_key(p + i, len - i)) != F_NONE;
    }
    struct fl_str k = first_key(p, len);
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (fl_str_eq_cstr(k, top[i]))
            return true;
    return fl_str_ends_with(k, "_comm_state");
}

static int fr_sniff(const char *buf, size_t len, struct fl_str path)
{
    if (len == 0)
        return dump_like_name(path) ? 10 : 0; /* an empty dump: only its name can tell */
    size_t i = skip_bom_ws(buf, len);
    if (i < len && (buf[i] == '{' || buf[i] == '[')) {
        if (json_dump_start(buf + i, len - i) && has_fr_keys(buf + i, len - i))
            return 90;
        /* a JSON dump cut before its keys: only its name can tell */
        return len - i < 64 && dump_like_name(path) ? 10 : 0;
    }
    if ((unsigned char)buf[0] == 0x80 && (len == 1 || (buf[1] >= 2 && buf[1] <= 5))) {
        if (has_fr_keys(buf, len) || fl_memmem(buf, buf + (len < 64 ? len : 64), "version", 7))
            return 95;
        return 30; /* a pickle nobody else reads: parse says whether it is a dump */
    }
    return 0;
}

const struct fl_parser fl_parser_nccl_fr = {
    .name = "nccl-flight-recorder",
    .summary = "PyTorch NCCL Flight Recorder dumps, pickle or JSON, versions 1.0 to 2.10",
    .sniff = fr_sniff,
    .parse = fr_parse,
};
