/* PyTorch NCCL Flight Recorder dumps, pickle and JSON, every version from the 2023 bare list to
 * 2.10: one nccl_fr_record event per entry and one nccl_fr_dump event per file (the rank's
 * version, backend, process groups with their members and pg_status, or why the dump could
 * not be read). docs/formats/flight-recorder.md describes what is read and how.
 *
 * Both encodings become the same value tree (ingest/pickle.h) and one reader walks it, except
 * for the entries, which are decoded as the dump loads (no tree of 2,000 entries): an entry in
 * the C++ pickler's form straight from its bytes (raw_entry), in the JSON API's form from its
 * tokens (json_raw_entry), any other from its values (decode_entry, through the unpickler's
 * take hook or from the tree); each gives the same staged record, interned afterwards in the
 * order the tree walk always interned (replay_entry). The tree, the staged entries and scratch
 * buffers live in a per-file arena and heap buffers released when the file is done; strings
 * in events are views into the input (pickle strings are raw UTF-8, JSON strings without
 * escapes) or interned. No allocation per record. */
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
/* Scratch chunks of a large dump: the tree is small (entries are decoded as they load) and
 * the staged entries take about 300 bytes each; chunks below glibc's default mmap threshold
 * (128 KiB) come from the heap, so one dump after another reuses the same pages. */
#define FR_SCRATCH_CHUNK (96u * 1024u)
#define FR_TEXT_MAX (1u << 20) /* longest rendered sizes / frames text */
#define FR_CACHE 256           /* intern cache slots (views into the input) */
#define FR_SHAPE_MAX 8         /* shapes and integers of a sizes list the reader remembers */

/* ---- small helpers shared with detectors (nccl_fr.h) ---------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "[0, 1, 2]" (or "[0,1,2]") as the writers spell it, read in one tight pass; -2 when the
 * text is spelled any other way (the general scanner then reads it). */
static long ranks_fast(struct fl_str s, int32_t *out, size_t cap)
{
    if (s.len < 2 || s.ptr[0] != '[' || s.ptr[s.len - 1] != ']')
        return -2;
    const char *p = s.ptr + 1, *e = s.ptr + s.len - 1;
    long n = 0;
    if (p == e)
        return 0;
    for (;;) {
        const char *d = p;
        uint64_t v = 0;
        while (p < e && p - d < 10 && (unsigned)(*p - '0') <= 9)
            v = v * 10 + (uint64_t)(*p++ - '0');
        if (p == d || (p < e && (unsigned)(*p - '0') <= 9) || v > INT32_MAX)
            return -2;
        if (out) {
            if ((size_t)n >= cap)
                return -1;
            out[n] = (int32_t)v;
        }
        n++;
        if (p == e)
            return n;
        if (*p++ != ',')
            return -2;
        if (p < e && *p == ' ')
            p++;
        if (p == e)
            return -2;
    }
}

long fl_fr_ranks_parse(struct fl_str s, int32_t *out, size_t cap)
{
    long fast = ranks_fast(s, out, cap);
    if (fast != -2)
        return fast;
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
    size_t n = o->op.len;
    o->coalesced = n >= 9 && memcmp(o->op.ptr + n - 9, "coalesced", 9) == 0;
    bool send = n == 4 && memcmp(o->op.ptr, "send", 4) == 0;
    bool recv = n == 4 && memcmp(o->op.ptr, "recv", 4) == 0;
    if (!(send || recv) || !o->meta.len)
        return;
    /* "0->3" (send: self->peer) or "3<-0" (recv: self<-peer) */
    char a0 = send ? '-' : '<', a1 = send ? '>' : '-';
    const char *m = o->meta.ptr;
    size_t at = 0;
    while (at + 1 < o->meta.len && !(m[at] == a0 && m[at + 1] == a1))
        at++;
    if (at + 1 >= o->meta.len)
        return;
    int32_t self = small_int(fl_str_trim(fl_str_make(m, at)));
    int32_t peer = small_int(fl_str_trim(fl_str_make(m + at + 2, o->meta.len - at - 2)));
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

/* A key of an entry as the C++ pickler writes it: the two bytes of its BINGET, valid while
 * the unpickler's memo_redefs is what it was when the key was read (the memo slot still holds
 * the same string). */
struct keyslot {
    uint16_t code;  /* 'h' and the memo id as they lie in the input (little-endian); 0: none */
    uint8_t field;  /* enum field */
    uint64_t redefs;
};

#define FR_KEYS 32 /* keys of an entry remembered in order */

/* The integers of a sizes list: nshapes shapes of dims[i] integers each, in v. */
struct shapes {
    uint32_t nshapes; /* 0: nothing remembered */
    uint32_t dims[FR_SHAPE_MAX];
    int64_t v[FR_SHAPE_MAX]; /* last: a copy may stop after the integers in use */
};

/* What replay_entry needs of a profiling name's split (fl_fr_opname), and its backend. */
/* A sizes text kept for the file, and the integers it renders (both in the scratch arena). */
struct sizes_slot {
    uint64_t h;             /* shapes_hash of *sh */
    const struct shapes *sh; /* NULL: empty slot */
    struct fl_str txt;
};

#define FR_SIZES_CACHE 1024 /* sizes texts cached (by their integers) */

struct opslot {
    const char *ptr;
    uint32_t len;
    uint32_t backend;
    int32_t peer_pg_rank;
    bool send, recv, coalesced;
};

#define FR_OPS_CACHE 1024 /* profiling names cached (by their bytes) */
#define FR_STAGED_BATCH 64 /* staged records allocated at once */
#define FR_PG_CACHE 16     /* pg names remembered by their interned id */

struct pg_str {
    uint32_t id;
    bool set;
    struct fl_str s;
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
    struct cache_slot by_bytes[FR_CACHE];
    /* per-address caches: a pickle's memo hands back the same bytes for repeated keys,
     * profiling names, states and thread ids */
    struct {
        const char *ptr;
        size_t len;
        uint8_t field;
    } keys[64];
    struct opslot ops[FR_OPS_CACHE];
    struct opslot *ops_by_ptr[FR_CACHE]; /* the slots of ops by the address of the name */
    struct fl_event ev0;                 /* an nccl_fr_record as fl_event_init makes it */
    bool have_ev0;
    struct fl_str last_txt[8];   /* the last rendered text kept per interned field (enum ifield) */
    struct shapes last_shape[2]; /* the integers behind last_txt of the two sizes fields */
    struct sizes_slot sizes[FR_SIZES_CACHE];
    const char *entries_key;     /* the "entries" key string last matched (take_entry) */
    struct staged *spare;        /* a staged record raw_entry did not use */
    struct keyslot keyseq[FR_KEYS + 1]; /* the keys of the last entry read from bytes, in order */
    struct staged *pool;            /* staged records allocated and not yet handed out */
    uint32_t pg_learnt[FR_PG_CACHE];       /* pgs pg_from_entry has nothing more to learn of */
    struct pg_str pg_strs[FR_PG_CACHE];    /* interned pg names' text (record_uid) */
    size_t pool_n, pool_batches;
    struct fl_arena *tree;          /* where JSON values go: scratch, or etmp for an entry */
    struct fl_arena etmp;           /* one JSON entry's values while it is decoded */
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

/* A cheap hash of a string's length and first and last 8 bytes (a cache index only). */
static size_t bytes_slot(struct fl_str s)
{
    uint64_t a = 0, b = 0;
    size_t n = s.len < 8 ? s.len : 8;
    memcpy(&a, s.ptr, n);
    memcpy(&b, s.ptr + s.len - n, n);
    uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ s.len) * 0xff51afd7ed558ccdULL;
    return (size_t)(h >> 40) & (FR_CACHE - 1);
}

/* Intern a view into the input (or into memory kept for the file), through two small caches:
 * by address (a pickle's memo hands the same bytes back for repeated strings) and by bytes (a
 * JSON dump spells the same names again and again), so most lookups skip the table. */
static int intern_view_slow(struct fr *f, struct fl_str s, uint32_t *id,
                            struct cache_slot *c);

static inline int intern_view(struct fr *f, struct fl_str s, uint32_t *id)
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
    return intern_view_slow(f, s, id, c);
}

static int intern_view_slow(struct fr *f, struct fl_str s, uint32_t *id, struct cache_slot *c)
{
    struct cache_slot *b = &f->by_bytes[bytes_slot(s)];
    uint32_t v;
    if (b->ptr && b->len == s.len && memcmp(b->ptr, s.ptr, s.len) == 0) {
        v = b->id;
    } else {
        v = fl_ingest_intern(f->ctx, s);
        if (v == FL_INTERN_FAIL)
            return oom(f);
        *b = (struct cache_slot){s.ptr, s.len, v};
    }
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
        size_t cap = f->text_cap ? f->text_cap : 4096;
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

struct staged;
static struct staged *staged_new(struct fr *f);
static int decode_entry(struct fr *f, const struct fl_pk *d, uint64_t list_at, struct staged *st);

static int json_value(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                      unsigned depth, bool entries);
static int json_raw_entry(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out);

/* An item of a dump's entries (token i, an object): converted in f->etmp, decoded into a
 * staged record, then forgotten; *out becomes its handle. */
static int json_entry(struct fr *f, const struct fl_json *j, int i, uint64_t list_at,
                      struct fl_pk *out, unsigned depth)
{
    struct fl_pk d;
    struct staged *st = staged_new(f);
    if (!st)
        return FL_ENOMEM;
    f->tree = &f->etmp;
    int k = json_value(f, j, i, &d, depth, false);
    f->tree = &f->scratch;
    int rc = k < 0 ? k : decode_entry(f, &d, list_at, st);
    fl_arena_reset(&f->etmp);
    if (rc)
        return rc;
    out->type = FL_PK_HANDLE;
    out->u.i = (int64_t)(intptr_t)st;
    return k;
}

/* entries: an array whose items are a dump's entries (its objects are decoded as they are
 * converted: no tree of every entry). */
static int json_container(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                          unsigned depth, bool entries)
{
    const jsmntok_t *t = &j->tok[i];
    bool obj = t->type == JSMN_OBJECT;
    if (depth >= FL_PK_MAX_DEPTH) {
        snprintf(f->why, sizeof f->why, "JSON nested deeper than %d at byte %d", FL_PK_MAX_DEPTH,
                 t->start);
        return FL_ELIMIT;
    }
    struct fl_pk_seq *s = FL_ARENA_NEW(f->tree, struct fl_pk_seq);
    size_t n = (size_t)t->size, per = obj ? 2 : 1;
    struct fl_pk *v = n ? FL_ARENA_NEW_N(f->tree, struct fl_pk, n * per) : NULL;
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
        bool ents = false;
        if (obj) {
            bool o = false;
            v[2 * m].type = FL_PK_STR;
            if (!fl_json_str(j, k, f->ctx->arena, &v[2 * m].u.s, &o))
                return o ? FL_ENOMEM : FL_EPARSE;
            ents = depth == 0 && fl_str_eq_cstr(v[2 * m].u.s, "entries");
            k++;
        }
        if (entries && !obj && k < j->ntok && j->tok[k].type == JSMN_OBJECT) {
            int next = json_raw_entry(f, j, k, &v[m]);
            k = next ? next : json_entry(f, j, k, s->offset, &v[m], depth + 1);
        } else {
            k = json_value(f, j, k, &v[m * per + per - 1], depth + 1, ents);
        }
        if (k < 0)
            return k;
    }
    return k;
}

/* "-?D+.D+" with at most 15 digits in all (duration_ms: "8.0", "0.1875"): the digits as an
 * integer below 2^53 divided by an exact power of ten, which IEEE 754 rounds correctly, so the
 * value is the one strtod gives. false for any other spelling (strtod reads it). */
static bool short_decimal(struct fl_str raw, double *out)
{
    static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    size_t i = raw.len && raw.ptr[0] == '-', digits = 0, frac = 0;
    bool dot = false;
    uint64_t m = 0;
    for (; i < raw.len; i++) {
        char c = raw.ptr[i];
        if (c == '.' && !dot && digits) {
            dot = true;
            continue;
        }
        if (!is_digit(c) || ++digits > 15)
            return false;
        m = m * 10 + (uint64_t)(c - '0');
        frac += dot;
    }
    if (!dot || !frac)
        return false;
    double v = (double)m / pow10[frac];
    *out = raw.ptr[0] == '-' ? -v : v;
    return true;
}

/* A primitive the validator accepted: null, true, false or a number. false when it is none
 * of them. */
static bool json_prim(struct fl_str raw, struct fl_pk *out)
{
    char c = raw.len ? raw.ptr[0] : 0;
    out->u.i = 0;
    if (c == 'n') {
        out->type = FL_PK_NONE;
        return true;
    }
    if (c == 't' || c == 'f') {
        out->type = FL_PK_BOOL;
        out->u.b = c == 't';
        return true;
    }
    /* plain non-negative integers (nearly all of a dump's numbers) without the general
     * scanner */
    if (raw.len && raw.len <= 19) { /* 19 digits stay below 2^64 */
        uint64_t v = 0;
        size_t k = 0;
        for (; k < raw.len; k++) {
            unsigned d = (unsigned)(unsigned char)raw.ptr[k] - '0';
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (k == raw.len && v <= INT64_MAX) {
            out->type = FL_PK_INT;
            out->u.i = (int64_t)v;
            return true;
        }
    }
    if (fl_str_to_i64(raw, &out->u.i))
        out->type = FL_PK_INT;
    else if (short_decimal(raw, &out->u.f) || fl_str_to_double(raw, &out->u.f))
        out->type = FL_PK_FLOAT;
    else
        return false;
    return true;
}

/* Convert token i; returns the index after its subtree, or a (negative) FL_E* code. */
static int json_value(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out,
                      unsigned depth, bool entries)
{
    if (i >= j->ntok)
        return FL_EPARSE;
    const jsmntok_t *t = &j->tok[i];
    out->u.i = 0;
    if (t->type == JSMN_OBJECT || t->type == JSMN_ARRAY)
        return json_container(f, j, i, out, depth, entries);
    if (t->type == JSMN_STRING) {
        bool o = false;
        out->type = FL_PK_STR;
        if (!fl_json_str(j, i, f->ctx->arena, &out->u.s, &o))
            return o ? FL_ENOMEM : FL_EPARSE;
        return i + 1;
    }
    return json_prim(fl_json_raw(j, i), out) ? i + 1 : FL_EPARSE;
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

static int raw_entry(void *arg, struct fl_pickle *p, const unsigned char *buf, size_t len,
                     size_t at, size_t list_at, size_t *next, int64_t *handle);

/* The unpickler's take hook: a dict complete among the items of the dump's entries list (the
 * root list of the 2023 form, or the list under the root dict's "entries" key) is decoded
 * now, and its memory goes to the next one. */
static bool entries_list(struct fr *f, const struct fl_pickle *p, size_t list_at)
{
    const struct fl_pk *sk = p->stack;
    if (p->marks[0] != 1)
        return false;
    if (list_at == 0 ? p->nmarks != 1
                     : p->nmarks != 2 || list_at % 2 || sk[0].type != FL_PK_DICT ||
                           sk[list_at - 1].type != FL_PK_STR)
        return false;
    if (list_at) {
        struct fl_str k = sk[list_at - 1].u.s;
        if (!(k.ptr == f->entries_key && k.len == 7) && !fl_str_eq_cstr(k, "entries"))
            return false;
        f->entries_key = k.ptr; /* a view of the input: these bytes say "entries" */
    }
    return true;
}

static int take_entry(void *arg, const struct fl_pickle *p, size_t list_at,
                      const struct fl_pk *dict, int64_t *handle)
{
    struct fr *f = arg;
    if (!entries_list(f, p, list_at))
        return 0;
    const struct fl_pk *sk = p->stack;
    struct staged *st = staged_new(f);
    if (!st)
        return FL_ENOMEM;
    int rc = decode_entry(f, dict, sk[list_at].u.seq->offset, st);
    if (rc)
        return rc;
    *handle = (int64_t)(intptr_t)st;
    return 1;
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
            int next = json_value(f, &j, 0, root, 0, true);
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
    pk.take = take_entry;
    pk.take_raw = raw_entry;
    pk.take_arg = f;
    int rc = fl_pickle_load(&pk, f->buf, f->len, root);
    if (rc && pk.take_conflict) { /* a pickle no writer makes: the plain tree, then */
        pk.take = NULL;
        pk.take_raw = NULL;
        rc = fl_pickle_load(&pk, f->buf, f->len, root);
    }
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
    /* every rank takes a digit and a separator: one pass into room for the most there can be */
    size_t most = text.len / 2 + 1;
    int32_t *m = FL_ARENA_NEW_N(&f->scratch, int32_t, most);
    if (!m)
        return oom(f);
    long n = fl_fr_ranks_parse(text, m, most);
    if (n < 0)
        return skip(f, at, "pg_config \"%.*s\": \"ranks\" \"%.*s\" is not a list of ranks",
                    FL_STR_FMT(g->name), (int)(text.len > 60 ? 60 : text.len), text.ptr);
    int rc = v->type == FL_PK_STR ? intern_view(f, text, &g->ranks_id)
                                  : intern_copy(f, text, &g->ranks_id);
    if (rc)
        return rc;
    g->members = n ? m : NULL;
    bool sorted = true; /* as the writers list them: no sort needed */
    for (long i = 1; i < n && sorted; i++)
        sorted = m[i - 1] <= m[i];
    if (!sorted)
        qsort(m, (size_t)n, sizeof *m, cmp_i32);
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

/* Why an entry is skipped. */
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
    if (v->type == FL_PK_INT && v->u.i >= lo) {
        *out = v->u.i;
        return true;
    }
    if (v->type == FL_PK_NONE)
        return true;
    if (v->type != FL_PK_INT)
        return bad(e, key, "an integer", v);
    snprintf(e->why, sizeof e->why, "\"%s\" is %lld, below %lld", key, (long long)v->u.i,
             (long long)lo);
    return false;
}

/* ---- entries: decoded first, interned after ------------------------------------------- *
 *
 * An entry is decoded from its dict into a staged record with nothing interned: the order in
 * which strings are first interned numbers them, and the window's orders follow those numbers,
 * so interning (replay_entry) happens when the dump is walked, entry after entry, field after
 * field, exactly as it always has. What is to be interned is kept as views into the input or
 * into rendered text kept for the file. This lets a pickle's entries be decoded while it loads
 * (the unpickler's take hook) and a JSON dump's straight from its tokens, without a tree of
 * every entry. */

/* Fields interned from an entry, in the order its dict has them. */
enum ifield {
    IF_IN_SIZES = 1,
    IF_OUT_SIZES,
    IF_IN_DTYPES,
    IF_OUT_DTYPES,
    IF_FRAMES,
    IF_THREAD_NAME,
    IF__N,
};

struct iop {
    struct fl_str s;
    uint8_t field; /* enum ifield */
};

#define FR_MAX_IOPS 64 /* interned fields one entry may hold (repeated keys included) */
#define FR_INLINE_IOPS 5 /* kept in the staged record itself (sizes and dtypes in and out, thread) */

struct staged {
    struct fl_event ev;    /* everything but the interned ids */
    const struct iop *ops; /* interning to do, in the dict's order */
    struct fl_str pg_name; /* process_group[0] */
    int64_t pg_id;         /* -1 absent */
    const char *why;       /* rc 1: why the entry is skipped */
    uint64_t at;           /* byte offset: the dict's, or the list's */
    uint16_t nops;
    uint8_t rc;          /* 0 read, 1 skipped */
    bool dict;           /* the entry is a dict (its record_id names it in a skip) */
    bool have_profiling; /* ev.u.fr.op holds profiling_name */
    bool have_p2p_flag;  /* is_p2p was read */
    bool ok;             /* replayed without a skip */
    struct iop inl[FR_INLINE_IOPS]; /* ops, when they fit */
};

/* Text rendered into f->text, kept for the file (the same bytes as the last text of that
 * field share its copy). NULL ptr when out of memory. */
static struct fl_str keep_text(struct fr *f, uint8_t field)
{
    struct fl_str *last = &f->last_txt[field];
    if (last->ptr && last->len == f->text_len && memcmp(last->ptr, f->text, f->text_len) == 0)
        return *last;
    char *c = fl_arena_alloc(&f->scratch, f->text_len ? f->text_len : 1, 1);
    if (!c)
        return FL_STR_NULL;
    memcpy(c, f->text, f->text_len);
    *last = fl_str_make(c, f->text_len);
    return *last;
}

struct ops {
    struct iop v[FR_MAX_IOPS];
    size_t n;
};

/* Record that field will be interned from s (a stable view). 1 when an entry has too many. */
static int add_op(struct ops *o, uint8_t field, struct fl_str s, struct entry_err *e)
{
    if (o->n == FR_MAX_IOPS) {
        snprintf(e->why, sizeof e->why, "more than %d list and name fields", FR_MAX_IOPS);
        return 1;
    }
    o->v[o->n++] = (struct iop){s, field};
    return 0;
}

/* Rendered text in f->text becomes an op: left out when it did not fit (too long), an error
 * when memory ran out. */
static int text_op(struct fr *f, struct ops *o, uint8_t field, struct entry_err *e)
{
    if (f->text_over)
        return f->text_oom ? oom(f) : 0; /* too long to keep: left out */
    if (!f->text_len)
        return add_op(o, field, FL_STR_NULL, e); /* interned as 0, as "" always was */
    struct fl_str t = keep_text(f, field);
    if (!t.ptr)
        return oom(f);
    return add_op(o, field, t, e);
}

/* The sizes list v holds exactly the integers whose text was kept last for this field (the
 * same shapes entry after entry: no need to render them again). */
static bool same_shapes(const struct fr *f, const struct fl_pk *v, uint8_t field)
{
    const struct shapes *c = &f->last_shape[field - IF_IN_SIZES];
    if (!c->nshapes || v->u.seq->n != c->nshapes || !f->last_txt[field].ptr)
        return false;
    size_t k = 0;
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        const struct fl_pk *shape = &v->u.seq->v[i];
        if (!is_seq(shape) || shape->u.seq->n != c->dims[i])
            return false;
        for (uint32_t d = 0; d < shape->u.seq->n; d++, k++)
            if (shape->u.seq->v[d].type != FL_PK_INT || shape->u.seq->v[d].u.i != c->v[k])
                return false;
    }
    return true;
}

/* Remember the integers of v (already rendered and kept as last_txt[field]). */
static void keep_shapes(struct fr *f, const struct fl_pk *v, uint8_t field)
{
    struct shapes *c = &f->last_shape[field - IF_IN_SIZES];
    c->nshapes = 0;
    if (v->u.seq->n > FR_SHAPE_MAX)
        return;
    size_t k = 0;
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        const struct fl_pk_seq *shape = v->u.seq->v[i].u.seq;
        if (k + shape->n > FR_SHAPE_MAX)
            return;
        c->dims[i] = shape->n;
        for (uint32_t d = 0; d < shape->n; d++)
            c->v[k++] = shape->v[d].u.i;
    }
    c->nshapes = v->u.seq->n;
}

/* Render a sizes list ([[4096, 1, 5120], [8]]) as Python prints it. */
static int sizes_text(struct fr *f, const struct fl_pk *v, const char *key, uint8_t field,
                      struct ops *o, struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return 0;
    if (!is_seq(v))
        return bad(e, key, "a list of shapes", v), 1;
    if (v->u.seq->n && same_shapes(f, v, field))
        return add_op(o, field, f->last_txt[field], e);
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
    int rc = text_op(f, o, field, e);
    if (rc == 0 && !f->text_over && f->text_len)
        keep_shapes(f, v, field);
    return rc;
}

/* dtypes: a list of strings, joined with ", " ("BFloat16"; "Float, Float"). */
static int dtypes_text(struct fr *f, const struct fl_pk *v, const char *key, uint8_t field,
                       struct ops *o, struct entry_err *e)
{
    if (v->type == FL_PK_NONE)
        return 0;
    if (!is_seq(v))
        return bad(e, key, "a list of strings", v), 1;
    for (uint32_t i = 0; i < v->u.seq->n; i++)
        if (v->u.seq->v[i].type != FL_PK_STR)
            return bad(e, key, "a list of strings", &v->u.seq->v[i]), 1;
    if (v->u.seq->n == 1)
        return add_op(o, field, v->u.seq->v[0].u.s, e);
    text_reset(f);
    for (uint32_t i = 0; i < v->u.seq->n; i++) {
        if (i)
            text_add(f, ", ", 2);
        text_add(f, v->u.seq->v[i].u.s.ptr, v->u.seq->v[i].u.s.len);
    }
    return text_op(f, o, field, e);
}

/* frames: [{name, filename, line}, ...] as "name (filename:line)" lines, innermost first
 * (py-spy's form, so the two can be compared). */
static int frames_text(struct fr *f, const struct fl_pk *v, struct ops *o, struct entry_err *e)
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
    return text_op(f, o, IF_FRAMES, e);
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
    if (s.len == f->tid_len &&
        (s.ptr == f->tid_ptr || (f->tid_ptr && s.ptr && memcmp(s.ptr, f->tid_ptr, s.len) == 0))) {
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

/* The profiling name split (fl_fr_opname_parse) and its backend interned, through a small
 * cache keyed by the bytes (a pickle's memo and a JSON dump's repeats give the same few names
 * over and over). Only the parts replay_entry uses are kept: send, recv, coalesced and the
 * peer. */
static int opname(struct fr *f, struct fl_str name, struct opslot *on, uint32_t *backend)
{
    /* a pickle's memo hands back the same bytes: by their address first */
    struct opslot **bp = &f->ops_by_ptr[((uintptr_t)name.ptr >> 2 ^ name.len) & (FR_CACHE - 1)];
    if (*bp && (*bp)->ptr == name.ptr && (*bp)->len == name.len && name.ptr) {
        *on = **bp;
        *backend = on->backend;
        return 0;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < name.len; i++)
        h = (h ^ (unsigned char)name.ptr[i]) * 16777619u;
    size_t slot = (h ^ (h >> 16)) & (FR_OPS_CACHE - 1);
    struct opslot *c = &f->ops[slot];
    if (c->ptr && c->len == name.len &&
        (c->ptr == name.ptr || memcmp(c->ptr, name.ptr, name.len) == 0)) {
        *on = *c;
        *backend = c->backend;
        if (c->ptr == name.ptr)
            *bp = c;
        return 0;
    }
    struct fl_fr_opname o;
    fl_fr_opname_parse(name, &o);
    int rc = intern_view(f, o.backend, backend);
    if (rc)
        return rc;
    *on = (struct opslot){name.ptr, (uint32_t)name.len, *backend, o.peer_pg_rank, o.send,
                          o.recv,   o.coalesced};
    if (name.ptr && name.len <= UINT32_MAX) {
        *c = *on;
        *bp = c;
    }
    return 0;
}

/* Decode entry d (an item of the entries list at byte list_at) into st, interning nothing.
 * 0 (st->rc says whether the entry is read or skipped) or FL_ENOMEM. */
static void staged_init(struct fr *f, struct staged *st, bool dict, uint64_t at)
{
    if (!f->have_ev0) {
        fl_event_init(&f->ev0, FL_EV_NCCL_FR_RECORD);
        f->have_ev0 = true;
    }
    st->ev = f->ev0;
    st->ops = NULL;
    st->pg_name = FL_STR_NULL;
    st->pg_id = -1;
    st->why = NULL;
    st->nops = 0;
    st->rc = 0;
    st->dict = dict;
    st->at = at;
    st->have_profiling = st->have_p2p_flag = st->ok = false;
}

/* The end of an entry's decoding (rc: 0, or 1 with e->why): the checks that need every
 * field, then the reason and the interning ops kept with st. 0 or FL_ENOMEM. */
static inline __attribute__((always_inline)) int
finish_entry(struct fr *f, struct staged *st, const struct ops *o, struct fl_str pg_desc, int rc,
             struct entry_err *e)
{
    struct fl_ev_nccl_fr *r = &st->ev.u.fr;
    if (!rc) {
        if (st->pg_id > INT32_MAX) {
            snprintf(e->why, sizeof e->why, "\"pg_id\" %lld is out of range", (long long)st->pg_id);
            rc = 1;
        } else if (!st->pg_name.len && st->pg_id < 0) {
            /* dumps from before process_group (late 2023) know the pg by its pg_id only */
            snprintf(e->why, sizeof e->why, "no \"process_group\" and no \"pg_id\"");
            rc = 1;
        }
        if (st->pg_id >= 0 && st->pg_id <= INT32_MAX) {
            r->pg_id = (int32_t)st->pg_id;
            r->known |= FL_FR_HAS_PG_ID;
        }
        r->pg_desc = pg_desc;
    }
    st->rc = (uint8_t)rc;
    if (rc) {
        size_t n = strlen(e->why);
        char *w = fl_arena_alloc(&f->scratch, n + 1, 1);
        if (!w)
            return oom(f);
        memcpy(w, e->why, n + 1);
        st->why = w;
    }
    if (o->n) {
        struct iop *v = st->inl;
        if (o->n <= FR_INLINE_IOPS) {
            for (size_t i = 0; i < o->n; i++)
                v[i] = o->v[i];
        } else {
            if (!(v = FL_ARENA_NEW_N(&f->scratch, struct iop, o->n)))
                return oom(f);
            memcpy(v, o->v, o->n * sizeof *v);
        }
        st->ops = v;
        st->nops = (uint16_t)o->n;
    }
    return 0;
}

static int decode_entry(struct fr *f, const struct fl_pk *d, uint64_t list_at, struct staged *st)
{
    bool dict = d->type == FL_PK_DICT;
    staged_init(f, st, dict, dict ? d->u.seq->offset : list_at);
    struct fl_event *ev = &st->ev;
    struct ops o;
    o.n = 0;
    struct entry_err e;
    struct fl_str pg_desc = FL_STR_NULL;
    if (!dict) {
        bad(&e, "entry", "a dict", d);
        return finish_entry(f, st, &o, pg_desc, 1, &e);
    }
    int rc = 0;
    struct fl_ev_nccl_fr *r = &ev->u.fr;
    int64_t t;
    const struct fl_pk_seq *s = d->u.seq;
    for (uint32_t i = 0; i < s->n && !rc; i++) {
        const struct fl_pk *k = &s->v[2 * (size_t)i], *v = &s->v[2 * (size_t)i + 1];
        if (k->type != FL_PK_STR)
            continue;
        switch (field_cached(f, k->u.s)) {
        case F_RECORD_ID:
            rc = !get_int(v, "record_id", 0, &r->record_id, &e);
            break;
        case F_PG_ID:
            rc = !get_int(v, "pg_id", 0, &st->pg_id, &e);
            break;
        case F_PROCESS_GROUP:
            if (v->type == FL_PK_NONE)
                break;
            if (!is_seq(v) || v->u.seq->n < 1 || v->u.seq->v[0].type != FL_PK_STR ||
                (v->u.seq->n > 1 && v->u.seq->v[1].type != FL_PK_STR)) {
                rc = !bad(&e, "process_group", "a (name, desc) pair of strings", v);
                break;
            }
            st->pg_name = v->u.seq->v[0].u.s;
            pg_desc = v->u.seq->n > 1 ? v->u.seq->v[1].u.s : FL_STR_NULL;
            break;
        case F_COLL_SEQ:
            rc = !get_int(v, "collective_seq_id", 0, &r->collective_seq, &e);
            break;
        case F_P2P_SEQ:
            rc = !get_int(v, "p2p_seq_id", 0, &r->p2p_seq, &e);
            break;
        case F_OP_ID:
            rc = !get_int(v, "op_id", 0, &r->op_id, &e);
            break;
        case F_PROFILING_NAME:
            if (v->type != FL_PK_STR && v->type != FL_PK_NONE) {
                rc = !bad(&e, "profiling_name", "a string", v);
                break;
            }
            st->have_profiling = v->type == FL_PK_STR;
            r->op = st->have_profiling ? v->u.s : FL_STR_NULL;
            break;
        case F_TIME_CREATED:
            t = 0;
            if (!get_int(v, "time_created_ns", 0, &t, &e))
                rc = 1;
            else if (t > 0) {
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
                rc = !bad(&e, "duration_ms", "a non-negative number", v);
            break;
        case F_INPUT_SIZES:
            rc = sizes_text(f, v, "input_sizes", IF_IN_SIZES, &o, &e);
            break;
        case F_OUTPUT_SIZES:
            rc = sizes_text(f, v, "output_sizes", IF_OUT_SIZES, &o, &e);
            break;
        case F_INPUT_DTYPES:
            rc = dtypes_text(f, v, "input_dtypes", IF_IN_DTYPES, &o, &e);
            break;
        case F_OUTPUT_DTYPES:
            rc = dtypes_text(f, v, "output_dtypes", IF_OUT_DTYPES, &o, &e);
            break;
        case F_STATE:
            if (v->type == FL_PK_STR)
                r->state = state_of(v->u.s);
            else if (v->type != FL_PK_NONE)
                rc = !bad(&e, "state", "a string", v);
            break;
        case F_STARTED:
            t = 0;
            if (!get_int(v, "time_discovered_started_ns", 0, &t, &e))
                rc = 1;
            else
                r->started_ns = t; /* 0 (the JSON API's "none") stays absent */
            break;
        case F_COMPLETED:
            t = 0;
            if (!get_int(v, "time_discovered_completed_ns", 0, &t, &e))
                rc = 1;
            else
                r->completed_ns = t;
            break;
        case F_RETIRED:
            if (v->type == FL_PK_BOOL)
                r->retired = v->u.b;
            else if (v->type != FL_PK_NONE)
                rc = !bad(&e, "retired", "a bool", v);
            break;
        case F_TIMEOUT:
            rc = !get_int(v, "timeout_ms", 0, &r->timeout_ms, &e);
            break;
        case F_IS_P2P:
            if (v->type == FL_PK_BOOL) {
                r->is_p2p = v->u.b;
                st->have_p2p_flag = true;
            } else if (v->type != FL_PK_NONE) {
                rc = !bad(&e, "is_p2p", "a bool", v);
            }
            break;
        case F_FRAMES:
            rc = frames_text(f, v, &o, &e);
            break;
        case F_THREAD_ID:
            if (v->type == FL_PK_INT && v->u.i > 0)
                r->thread_id = v->u.i;
            else if (v->type == FL_PK_STR && thread_id(f, v->u.s, &t))
                r->thread_id = t;
            else if (v->type != FL_PK_NONE && v->type != FL_PK_STR && v->type != FL_PK_INT)
                rc = !bad(&e, "thread_id", "a thread id", v);
            break;
        case F_THREAD_NAME:
            if (v->type == FL_PK_STR) {
                rc = add_op(&o, IF_THREAD_NAME, v->u.s, &e);
            } else if (v->type != FL_PK_NONE) {
                rc = !bad(&e, "thread_name", "a string", v);
            }
            break;
        case F_NONE:
            break;
        }
    }
    if (rc < 0)
        return rc;
    return finish_entry(f, st, &o, pg_desc, rc, &e);
}

/* Intern what st needs, in the order the tree walk always did: the entry's fields in its
 * dict's order, then (when it is read) its pg, then its backend. 0 read, 1 skipped (st->why),
 * or FL_ENOMEM. */
static int replay_entry(struct fr *f, struct staged *st)
{
    struct fl_ev_nccl_fr *r = &st->ev.u.fr;
    int rc;
    for (size_t i = 0; i < st->nops; i++) {
        static const uint16_t at[IF__N] = {
            [0] = offsetof(struct fl_ev_nccl_fr, thread_name),
            [IF_IN_SIZES] = offsetof(struct fl_ev_nccl_fr, input_sizes),
            [IF_OUT_SIZES] = offsetof(struct fl_ev_nccl_fr, output_sizes),
            [IF_IN_DTYPES] = offsetof(struct fl_ev_nccl_fr, input_dtypes),
            [IF_OUT_DTYPES] = offsetof(struct fl_ev_nccl_fr, output_dtypes),
            [IF_FRAMES] = offsetof(struct fl_ev_nccl_fr, frames),
            [IF_THREAD_NAME] = offsetof(struct fl_ev_nccl_fr, thread_name),
        };
        const struct iop *op = &st->ops[i];
        uint32_t *dst = (uint32_t *)((char *)r + at[op->field < IF__N ? op->field : 0]);
        if ((rc = intern_view(f, op->s, dst)))
            return rc;
    }
    if (st->rc)
        return 1;
    if (!st->pg_name.len) {
        char idbuf[24];
        int n = snprintf(idbuf, sizeof idbuf, "%lld", (long long)st->pg_id);
        if ((rc = intern_copy(f, fl_str_make(idbuf, (size_t)n), &r->pg)))
            return rc;
    } else if ((rc = intern_view(f, st->pg_name, &r->pg))) {
        return rc;
    }
    if (st->have_profiling) {
        struct opslot on;
        if ((rc = opname(f, r->op, &on, &r->backend)))
            return rc;
        if (on.send || on.recv) {
            r->peer_pg_rank = on.peer_pg_rank;
            r->known |= FL_FR_HAS_PEER_PG_RANK;
            if (!st->have_p2p_flag)
                r->is_p2p = true; /* before is_p2p existed (2.1) */
        }
        if (on.coalesced)
            r->coalesced = FL_FR_COALESCED_END;
    }
    return 0;
}

/* A staged record for one more entry (scratch). */
static struct staged *staged_new(struct fr *f)
{
    if (f->pool_n) {
        f->pool_n--;
        return f->pool++;
    }
    /* a few at a time: 8, then FR_STAGED_BATCH */
    size_t n = f->pool_batches++ ? FR_STAGED_BATCH : 8;
    struct staged *st = FL_ARENA_NEW_N(&f->scratch, struct staged, n);
    if (!st) {
        oom(f);
        return NULL;
    }
    f->pool = st + 1;
    f->pool_n = n - 1;
    return st;
}

/* ---- entries in the C++ pickler's form, read from their bytes ------------------------- *
 *
 * The unpickler's raw take hook: an entry of the dump's entries list, EMPTY_DICT MARK
 * (key value)* SETITEMS with the C++ pickler's opcodes and values of the types decode_entry
 * reads without complaint, is decoded into a staged record straight from the bytes, with no
 * value stack and no dict. Anything else (another opcode, a value of another type, frames,
 * an empty dict, a cut) makes the reader decline: the unpickler then builds the dict from the
 * same bytes and decode_entry reads it, errors and all. Both give the same staged record. */

struct raw {
    struct fl_pickle *p;
    const unsigned char *q, *end;
    const struct fl_pk *memo; /* p->memo and p->memo_cap, taken again after every store */
    size_t memo_cap;
};

static uint32_t rd_le32(const unsigned char *q)
{
    return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

/* One scalar value: BINGET / LONG_BINGET of a memoized scalar, BINUNICODE (and the BINPUT /
 * LONG_BINPUT that memoizes it), BININT1 / BININT2 / BININT, LONG1 of 8 bytes, BINFLOAT,
 * NONE, NEWTRUE, NEWFALSE. false for anything else. */
static bool raw_scalar_slow(struct raw *r, struct fl_pk *v)
{
    const unsigned char *q = r->q, *end = r->end;
    if (q >= end)
        return false;
    uint64_t n;
    v->u.i = 0;
    switch (*q++) {
    case 'h':
        if (q >= end)
            return false;
        n = *q++;
        if (!fl_pickle_memo_get(r->p, n, v) || v->type >= FL_PK_LIST)
            return false;
        break;
    case 'j':
        if (end - q < 4)
            return false;
        n = rd_le32(q);
        q += 4;
        if (!fl_pickle_memo_get(r->p, n, v) || v->type >= FL_PK_LIST)
            return false;
        break;
    case 'X':
        if (end - q < 4)
            return false;
        n = rd_le32(q);
        q += 4;
        if (n > (uint64_t)(end - q))
            return false;
        v->type = FL_PK_STR;
        v->u.s = fl_str_make((const char *)q, (size_t)n);
        q += n;
        if (q < end && (*q == 'q' || *q == 'r')) {
            uint64_t id;
            if (*q == 'q') {
                if (end - q < 2)
                    return false;
                id = q[1];
                q += 2;
            } else {
                if (end - q < 5)
                    return false;
                id = rd_le32(q + 1);
                q += 5;
            }
            if (fl_pickle_memo_store(r->p, id, v))
                return false;
            r->memo = r->p->memo;
            r->memo_cap = r->p->memo_cap;
        }
        break;
    case 'K':
        if (q >= end)
            return false;
        v->type = FL_PK_INT;
        v->u.i = *q++;
        break;
    case 'M':
        if (end - q < 2)
            return false;
        v->type = FL_PK_INT;
        v->u.i = (int64_t)(q[0] | (unsigned)q[1] << 8);
        q += 2;
        break;
    case 'J':
        if (end - q < 4)
            return false;
        v->type = FL_PK_INT;
        v->u.i = (int32_t)rd_le32(q);
        q += 4;
        break;
    case 0x8a: {
        if (end - q < 9 || q[0] != 8)
            return false;
        uint64_t x = (uint64_t)rd_le32(q + 1) | (uint64_t)rd_le32(q + 5) << 32;
        v->type = FL_PK_INT;
        v->u.i = (int64_t)x;
        q += 9;
        break;
    }
    case 'G': {
        if (end - q < 8)
            return false;
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits = (bits << 8) | q[i];
        q += 8;
        v->type = FL_PK_FLOAT;
        memcpy(&v->u.f, &bits, sizeof bits);
        break;
    }
    case 'N':
        v->type = FL_PK_NONE;
        break;
    case 0x88:
    case 0x89:
        v->type = FL_PK_BOOL;
        v->u.b = q[-1] == 0x88;
        break;
    default:
        return false;
    }
    r->q = q;
    return true;
}

/* The common cases inline: BINGET of a memoized scalar (keys, repeated strings), BININT1,
 * BININT2, LONG1 of 8 bytes. */
static inline bool raw_scalar(struct raw *r, struct fl_pk *v)
{
    const unsigned char *q = r->q;
    if (r->end - q >= 10) {
        switch (q[0]) {
        case 'h':
            if (q[1] < r->memo_cap && r->memo[q[1]].type < FL_PK_LIST) {
                *v = r->memo[q[1]];
                r->q = q + 2;
                return true;
            }
            return false; /* not stored, or a container */
        case 'K':
            v->type = FL_PK_INT;
            v->u.i = q[1];
            r->q = q + 2;
            return true;
        case 'M':
            v->type = FL_PK_INT;
            v->u.i = (int64_t)(q[1] | (unsigned)q[2] << 8);
            r->q = q + 3;
            return true;
        case 0x8a:
            if (q[1] == 8) {
                v->type = FL_PK_INT;
                v->u.i = (int64_t)((uint64_t)rd_le32(q + 2) | (uint64_t)rd_le32(q + 6) << 32);
                r->q = q + 10;
                return true;
            }
            break;
        default:
            break;
        }
    }
    return raw_scalar_slow(r, v);
}

/* The two bytes EMPTY_LIST MARK that open a non-empty or empty list in the C++ form. */
static bool raw_list_open(struct raw *r)
{
    if (r->end - r->q < 2 || r->q[0] != ']' || r->q[1] != '(')
        return false;
    r->q += 2;
    return true;
}

static bool raw_at(const struct raw *r, unsigned char op)
{
    return r->q < r->end && *r->q == op;
}

/* A sizes list, [[ints], ...], into sh (false past FR_SHAPE_MAX). */
static bool raw_shapes(struct raw *r, struct shapes *sh)
{
    size_t k = 0;
    sh->nshapes = 0;
    if (!raw_list_open(r))
        return false;
    while (!raw_at(r, 'e')) {
        if (sh->nshapes == FR_SHAPE_MAX || !raw_list_open(r))
            return false;
        uint32_t dims = 0;
        while (!raw_at(r, 'e')) {
            struct fl_pk v;
            if (k == FR_SHAPE_MAX || !raw_scalar(r, &v) || v.type != FL_PK_INT)
                return false;
            sh->v[k++] = v.u.i;
            dims++;
        }
        r->q++;
        sh->dims[sh->nshapes++] = dims;
    }
    r->q++;
    return true;
}

static bool shapes_equal(const struct shapes *a, const struct shapes *b)
{
    if (a->nshapes != b->nshapes)
        return false;
    size_t k = 0;
    for (uint32_t i = 0; i < a->nshapes; i++) {
        if (a->dims[i] != b->dims[i])
            return false;
        k += a->dims[i];
    }
    for (size_t i = 0; i < k; i++)
        if (a->v[i] != b->v[i])
            return false;
    return true;
}

/* Two decimal digits at a time (rendering sizes texts). */
static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

/* v in decimal at p (at most 20 bytes); returns the end. */
static char *put_i64(char *p, int64_t v)
{
    char b[20];
    size_t i = sizeof b;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100);
        u /= 100;
        i -= 2;
        memcpy(b + i, digits2 + 2 * d, 2);
    }
    if (u >= 10) {
        i -= 2;
        memcpy(b + i, digits2 + 2 * u, 2);
    } else {
        b[--i] = (char)('0' + u);
    }
    if (v < 0)
        *p++ = '-';
    while (i < sizeof b)
        *p++ = b[i++];
    return p;
}

/* The hash of a sizes list, mixed in reading order (fast_shapes mixes it as it reads). */
#define FR_SH_SEED 0x9e3779b97f4a7c15ULL
static inline uint64_t sh_mix_int(uint64_t h, int64_t v)
{
    h = (h ^ (uint64_t)v) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}
static inline uint64_t sh_mix_dims(uint64_t h, uint32_t dims)
{
    return (h ^ dims) * 0xff51afd7ed558ccdULL;
}

static uint64_t shapes_hash(const struct shapes *sh)
{
    uint64_t h = FR_SH_SEED;
    size_t k = 0;
    for (uint32_t i = 0; i < sh->nshapes; i++) {
        for (uint32_t d = 0; d < sh->dims[i]; d++)
            h = sh_mix_int(h, sh->v[k++]);
        h = sh_mix_dims(h, sh->dims[i]);
    }
    return sh_mix_dims(h, sh->nshapes);
}

/* sizes_text for integers read from the bytes: the text of the same integers is rendered and
 * kept once per file (a cache keyed by the integers), and the same copy serves every entry
 * that has them. */
static int raw_sizes_op_h(struct fr *f, const struct shapes *sh, uint64_t h, uint8_t field,
                          struct ops *o, struct entry_err *e)
{
    struct sizes_slot *c = &f->sizes[(h >> 40) & (FR_SIZES_CACHE - 1)];
    if (c->h == h && c->sh && shapes_equal(c->sh, sh))
        return add_op(o, field, c->txt, e);
    /* at most FR_SHAPE_MAX integers of 20 bytes, ", " or "], [" between them, "[[" "]]" */
    char buf[FR_SHAPE_MAX * 24 + 8], *p = buf;
    *p++ = '[';
    size_t k = 0;
    for (uint32_t i = 0; i < sh->nshapes; i++) {
        if (i) {
            memcpy(p, ", [", 3);
            p += 3;
        } else {
            *p++ = '[';
        }
        for (uint32_t d = 0; d < sh->dims[i]; d++) {
            if (d) {
                memcpy(p, ", ", 2);
                p += 2;
            }
            p = put_i64(p, sh->v[k++]);
        }
        *p++ = ']';
    }
    *p++ = ']';
    size_t n = (size_t)(p - buf);
    /* the integers in use and the text, in one piece */
    size_t used = offsetof(struct shapes, v) + k * sizeof sh->v[0];
    struct shapes *kept = fl_arena_alloc(&f->scratch, used + n, _Alignof(struct shapes));
    if (!kept)
        return oom(f);
    memcpy(kept, sh, used);
    char *t = (char *)kept + used;
    memcpy(t, buf, n);
    *c = (struct sizes_slot){h, kept, fl_str_make(t, n)};
    return add_op(o, field, c->txt, e);
}

static int raw_sizes_op(struct fr *f, const struct shapes *sh, uint8_t field, struct ops *o,
                        struct entry_err *e)
{
    return raw_sizes_op_h(f, sh, shapes_hash(sh), field, o, e);
}

/* raw_shapes for the form the C++ pickler writes (EMPTY_LIST MARK, each shape EMPTY_LIST MARK
 * BININT1 / BININT2 / BININT / LONG1-8 integers APPENDS, APPENDS), hashing as it reads. false,
 * with nothing read, for anything else (raw_shapes then reads it). */
static inline bool fast_shapes(const unsigned char **qp, const unsigned char *end,
                               struct shapes *sh, uint64_t *hp)
{
    const unsigned char *q = *qp;
    if (end - q < 2 || q[0] != ']' || q[1] != '(')
        return false;
    q += 2;
    uint32_t ns = 0;
    size_t k = 0;
    uint64_t h = FR_SH_SEED;
    for (;;) {
        if (end - q < 2)
            return false;
        if (*q == 'e')
            break;
        if (ns == FR_SHAPE_MAX || q[0] != ']' || q[1] != '(')
            return false;
        q += 2;
        uint32_t dims = 0;
        for (;;) {
            if (end - q < 10)
                return false;
            int64_t x;
            switch (*q) {
            case 'e':
                goto shape_end;
            case 'K':
                x = q[1];
                q += 2;
                break;
            case 'M':
                x = (int64_t)(q[1] | (unsigned)q[2] << 8);
                q += 3;
                break;
            case 'J':
                x = (int32_t)rd_le32(q + 1);
                q += 5;
                break;
            case 0x8a:
                if (q[1] != 8)
                    return false;
                x = (int64_t)((uint64_t)rd_le32(q + 2) | (uint64_t)rd_le32(q + 6) << 32);
                q += 10;
                break;
            default:
                return false;
            }
            if (k == FR_SHAPE_MAX)
                return false;
            sh->v[k++] = x;
            h = sh_mix_int(h, x);
            dims++;
        }
    shape_end:
        q++;
        sh->dims[ns++] = dims;
        h = sh_mix_dims(h, dims);
    }
    sh->nshapes = ns;
    *hp = sh_mix_dims(h, ns);
    *qp = q + 1;
    return true;
}

/* dtypes: a list of strings (*declined when it is not). */
static int raw_dtypes_op(struct fr *f, struct raw *r, uint8_t field, struct ops *o,
                         struct entry_err *e, bool *declined)
{
    *declined = true;
    if (!raw_list_open(r))
        return 0;
    struct fl_pk first = {0};
    size_t n = 0;
    while (!raw_at(r, 'e')) {
        struct fl_pk v;
        if (!raw_scalar(r, &v) || v.type != FL_PK_STR)
            return 0;
        if (n == 0) {
            first = v;
        } else {
            if (n == 1) {
                text_reset(f);
                text_add(f, first.u.s.ptr, first.u.s.len);
            }
            text_add(f, ", ", 2);
            text_add(f, v.u.s.ptr, v.u.s.len);
        }
        n++;
    }
    r->q++;
    *declined = false;
    if (n == 1)
        return add_op(o, field, first.u.s, e);
    if (n == 0)
        text_reset(f);
    return text_op(f, o, field, e);
}

/* A scalar v of field fld, read by a raw reader, applied to st as decode_entry applies it when
 * the value has the type it expects. false when decode_entry would complain (the raw reader
 * declines, and decode_entry says what is wrong); *rc gets add_op's result. */
static inline __attribute__((always_inline)) bool raw_apply(struct fr *f, struct staged *st,
                                                            enum field fld, const struct fl_pk *v,
                                                            struct ops *o, struct entry_err *e,
                                                            int *rc)
{
    struct fl_ev_nccl_fr *r = &st->ev.u.fr;
    switch (fld) {
    case F_RECORD_ID:
    case F_PG_ID:
    case F_COLL_SEQ:
    case F_P2P_SEQ:
    case F_OP_ID:
    case F_TIMEOUT: {
        if (v->type == FL_PK_NONE)
            break;
        if (v->type != FL_PK_INT || v->u.i < 0)
            return false;
        int64_t *dst = fld == F_RECORD_ID  ? &r->record_id
                       : fld == F_PG_ID    ? &st->pg_id
                       : fld == F_COLL_SEQ ? &r->collective_seq
                       : fld == F_P2P_SEQ  ? &r->p2p_seq
                       : fld == F_OP_ID    ? &r->op_id
                                           : &r->timeout_ms;
        *dst = v->u.i;
        break;
    }
    case F_TIME_CREATED:
    case F_STARTED:
    case F_COMPLETED: {
        int64_t t = 0;
        if (v->type == FL_PK_INT && v->u.i >= 0)
            t = v->u.i;
        else if (v->type != FL_PK_NONE)
            return false;
        if (fld == F_STARTED) {
            r->started_ns = t;
        } else if (fld == F_COMPLETED) {
            r->completed_ns = t;
        } else if (t > 0) {
            st->ev.ts = t;
            st->ev.clock = FL_CLOCK_WALL;
        }
        break;
    }
    case F_PROFILING_NAME:
        if (v->type != FL_PK_STR && v->type != FL_PK_NONE)
            return false;
        st->have_profiling = v->type == FL_PK_STR;
        r->op = st->have_profiling ? v->u.s : FL_STR_NULL;
        break;
    case F_DURATION:
        if (v->type == FL_PK_FLOAT && v->u.f >= 0 && !isinf(v->u.f))
            r->duration_ms = v->u.f;
        else if (v->type == FL_PK_INT && v->u.i >= 0)
            r->duration_ms = (double)v->u.i;
        else if (v->type != FL_PK_NONE && !(v->type == FL_PK_FLOAT && isnan(v->u.f)))
            return false;
        break;
    case F_STATE:
        if (v->type == FL_PK_STR)
            r->state = state_of(v->u.s);
        else if (v->type != FL_PK_NONE)
            return false;
        break;
    case F_RETIRED:
    case F_IS_P2P:
        if (v->type == FL_PK_NONE)
            break;
        if (v->type != FL_PK_BOOL)
            return false;
        if (fld == F_RETIRED) {
            r->retired = v->u.b;
        } else {
            r->is_p2p = v->u.b;
            st->have_p2p_flag = true;
        }
        break;
    case F_THREAD_ID: {
        int64_t t;
        if (v->type == FL_PK_INT && v->u.i > 0)
            r->thread_id = v->u.i;
        else if (v->type == FL_PK_STR && thread_id(f, v->u.s, &t))
            r->thread_id = t;
        else if (v->type != FL_PK_NONE && v->type != FL_PK_STR && v->type != FL_PK_INT)
            return false;
        break;
    }
    case F_THREAD_NAME:
        if (v->type == FL_PK_STR)
            *rc = add_op(o, IF_THREAD_NAME, v->u.s, e);
        else if (v->type != FL_PK_NONE)
            return false;
        break;
    case F_FRAMES: /* a list of dicts: the unpickler builds them */
        if (v->type != FL_PK_NONE)
            return false;
        break;
    case F_PROCESS_GROUP: /* the raw readers read these containers themselves */
    case F_INPUT_SIZES:
    case F_OUTPUT_SIZES:
    case F_INPUT_DTYPES:
    case F_OUTPUT_DTYPES:
        return v->type == FL_PK_NONE;
    case F_NONE: /* a key the reader does not use, with a scalar */
        break;
    }
    return true;
}

/* The scalars the C++ pickler writes for an entry's plain fields, decoded inline from q with
 * at least 10 bytes left: BINGET of a memoized scalar, BININT1 / BININT2 / BININT, LONG1 of 8
 * bytes, BINFLOAT, NONE, NEWTRUE, NEWFALSE; each exactly as raw_scalar_slow decodes it. false
 * (q unmoved) for anything else: the general reader then reads it. */
static inline __attribute__((always_inline)) bool fast_scalar(const unsigned char **qp,
                                                              const struct fl_pk *memo,
                                                              size_t memo_cap, struct fl_pk *v)
{
    const unsigned char *q = *qp;
    switch (q[0]) {
    case 'h':
        if (q[1] >= memo_cap || memo[q[1]].type >= FL_PK_LIST)
            return false;
        *v = memo[q[1]];
        *qp = q + 2;
        return true;
    case 'K':
        v->type = FL_PK_INT;
        v->u.i = q[1];
        *qp = q + 2;
        return true;
    case 'M':
        v->type = FL_PK_INT;
        v->u.i = (int64_t)(q[1] | (unsigned)q[2] << 8);
        *qp = q + 3;
        return true;
    case 'J':
        v->type = FL_PK_INT;
        v->u.i = (int32_t)rd_le32(q + 1);
        *qp = q + 5;
        return true;
    case 0x8a:
        if (q[1] != 8)
            return false;
        v->type = FL_PK_INT;
        v->u.i = (int64_t)((uint64_t)rd_le32(q + 2) | (uint64_t)rd_le32(q + 6) << 32);
        *qp = q + 10;
        return true;
    case 'G': {
        uint64_t bits = 0;
        for (int i = 1; i <= 8; i++)
            bits = (bits << 8) | q[i];
        v->type = FL_PK_FLOAT;
        memcpy(&v->u.f, &bits, sizeof bits);
        *qp = q + 9;
        return true;
    }
    case 'N':
        v->type = FL_PK_NONE;
        v->u.i = 0;
        *qp = q + 1;
        return true;
    case 0x88:
    case 0x89:
        v->type = FL_PK_BOOL;
        v->u.i = 0;
        v->u.b = q[0] == 0x88;
        *qp = q + 1;
        return true;
    default:
        return false;
    }
}

/* fast_scalar with the opcodes a field usually has tried first (F is a constant: the tests
 * fold), then all of them. */
static inline __attribute__((always_inline)) bool fast_scalar_for(enum field F,
                                                                  const unsigned char **qp,
                                                                  const struct fl_pk *memo,
                                                                  size_t memo_cap, struct fl_pk *v)
{
    const unsigned char *q = *qp;
    switch (F) {
    case F_PROFILING_NAME:
    case F_STATE:
    case F_THREAD_ID:
    case F_THREAD_NAME:
        if (q[0] == 'h' && q[1] < memo_cap && memo[q[1]].type == FL_PK_STR) {
            *v = memo[q[1]];
            *qp = q + 2;
            return true;
        }
        break;
    case F_RECORD_ID:
    case F_PG_ID:
    case F_COLL_SEQ:
    case F_P2P_SEQ:
    case F_OP_ID:
    case F_TIMEOUT:
    case F_TIME_CREATED:
    case F_STARTED:
    case F_COMPLETED:
        v->type = FL_PK_INT;
        if (q[0] == 'K') {
            v->u.i = q[1];
            *qp = q + 2;
            return true;
        }
        if (q[0] == 'M') {
            v->u.i = (int64_t)(q[1] | (unsigned)q[2] << 8);
            *qp = q + 3;
            return true;
        }
        if (q[0] == 'J') {
            v->u.i = (int32_t)rd_le32(q + 1);
            *qp = q + 5;
            return true;
        }
        if (q[0] == 0x8a && q[1] == 8) {
            v->u.i = (int64_t)((uint64_t)rd_le32(q + 2) | (uint64_t)rd_le32(q + 6) << 32);
            *qp = q + 10;
            return true;
        }
        break;
    case F_RETIRED:
    case F_IS_P2P:
        if (q[0] == 0x88 || q[0] == 0x89) {
            v->type = FL_PK_BOOL;
            v->u.i = 0;
            v->u.b = q[0] == 0x88;
            *qp = q + 1;
            return true;
        }
        break;
    default:
        break;
    }
    return fast_scalar(qp, memo, memo_cap, v);
}

static inline uint16_t rd_le16(const unsigned char *q)
{
    return (uint16_t)(q[0] | (unsigned)q[1] << 8);
}

static int raw_entry(void *arg, struct fl_pickle *p, const unsigned char *buf, size_t len,
                     size_t at, size_t list_at, size_t *next, int64_t *handle)
{
    struct fr *f = arg;
    if (!entries_list(f, p, list_at))
        return 0;
    struct staged *st = f->spare ? f->spare : staged_new(f);
    if (!st)
        return FL_ENOMEM;
    f->spare = st; /* until it is taken */
    staged_init(f, st, true, at);
    struct raw r = {p, buf + at + 2, buf + len, p->memo, p->memo_cap};
    const unsigned char *q = r.q, *const end = r.end;
    struct ops o;
    o.n = 0;
    struct entry_err e;
    struct fl_str pg_desc = FL_STR_NULL;
    size_t pairs = 0;
    int rc = 0;
    uint64_t redefs = p->memo_redefs; /* read again after the general reader stored */
    for (;; pairs++) {
        struct fl_pk k, v;
        enum field fld;
        /* the C++ pickler writes every entry's keys in the same order, each a BINGET of the
         * string stored by the first entry: the key at this position last time is known by
         * its two bytes while no memo slot was stored again since (a slot that knows no key,
         * and the one past FR_KEYS, never match: their redefs is UINT64_MAX) */
        const struct keyslot *ks = &f->keyseq[pairs < FR_KEYS ? pairs : FR_KEYS];
        const unsigned char *vq;
        bool done;
        if (end - q >= 12 && rd_le16(q) == ks->code && ks->redefs == redefs) {
            q += 2;
            fld = (enum field)ks->field;
            goto fast_value; /* at least 10 bytes left */
        } else {
            if (q >= end)
                return 0;
            if (*q == 'u')
                break;
            const unsigned char *kq = q;
            r.q = q;
            if (!raw_scalar(&r, &k) || k.type != FL_PK_STR)
                return 0;
            q = r.q;
            redefs = p->memo_redefs;
            fld = field_cached(f, k.u.s);
            if (pairs < FR_KEYS) {
                bool get = q - kq == 2 && kq[0] == 'h';
                f->keyseq[pairs] =
                    (struct keyslot){get ? rd_le16(kq) : 0, (uint8_t)fld, get ? redefs : UINT64_MAX};
            }
        }
        /* a plain field's value, in the forms the C++ pickler writes, read inline: one case
         * per field, so that raw_apply is folded for it */
        if (end - q >= 10) {
        fast_value:
            vq = q;
            done = false;
            switch (fld) {
#define FR_FAST(F)                                                                                 \
    case F:                                                                                        \
        if (fast_scalar_for(F, &vq, r.memo, r.memo_cap, &v)) {                                     \
            if (!raw_apply(f, st, F, &v, &o, &e, &rc))                                             \
                return 0;                                                                          \
            done = true;                                                                           \
        }                                                                                          \
        break;
                FR_FAST(F_RECORD_ID)
                FR_FAST(F_PG_ID)
                FR_FAST(F_COLL_SEQ)
                FR_FAST(F_P2P_SEQ)
                FR_FAST(F_OP_ID)
                FR_FAST(F_PROFILING_NAME)
                FR_FAST(F_TIME_CREATED)
                FR_FAST(F_DURATION)
                FR_FAST(F_STATE)
                FR_FAST(F_STARTED)
                FR_FAST(F_COMPLETED)
                FR_FAST(F_RETIRED)
                FR_FAST(F_TIMEOUT)
                FR_FAST(F_IS_P2P)
                FR_FAST(F_FRAMES)
                FR_FAST(F_THREAD_ID)
                FR_FAST(F_THREAD_NAME)
                FR_FAST(F_NONE)
#undef FR_FAST
            default: /* the containers: read below */
                break;
            }
            if (done) {
                q = vq;
                if (rc)
                    return rc < 0 ? rc : 0;
                continue;
            }
        }
        /* the containers' commonest forms: (BINGET name, BINGET desc) TUPLE2, and a list of
         * one BINGET dtype */
        if (fld == F_PROCESS_GROUP && end - q >= 5 && q[0] == 'h' && q[2] == 'h' && q[4] == 0x86 &&
            q[1] < r.memo_cap && q[3] < r.memo_cap && r.memo[q[1]].type == FL_PK_STR &&
            r.memo[q[3]].type == FL_PK_STR) {
            st->pg_name = r.memo[q[1]].u.s;
            pg_desc = r.memo[q[3]].u.s;
            q += 5;
            continue;
        }
        if ((fld == F_INPUT_DTYPES || fld == F_OUTPUT_DTYPES) && end - q >= 5 && q[0] == ']' &&
            q[1] == '(' && q[2] == 'h' && q[4] == 'e' && q[3] < r.memo_cap &&
            r.memo[q[3]].type == FL_PK_STR) {
            rc = add_op(&o, fld == F_INPUT_DTYPES ? IF_IN_DTYPES : IF_OUT_DTYPES,
                        r.memo[q[3]].u.s, &e);
            q += 5;
            if (rc)
                return rc < 0 ? rc : 0;
            continue;
        }
        r.q = q;
        switch (fld) {
        case F_PROCESS_GROUP:
            if (raw_at(&r, 'N')) {
                r.q++;
                break;
            }
            if (!raw_scalar(&r, &k) || k.type != FL_PK_STR)
                return 0;
            if (raw_at(&r, 0x85)) {
                pg_desc = FL_STR_NULL;
            } else if (!raw_scalar(&r, &v) || v.type != FL_PK_STR || !raw_at(&r, 0x86)) {
                return 0;
            } else {
                pg_desc = v.u.s;
            }
            r.q++;
            st->pg_name = k.u.s;
            break;
        case F_INPUT_SIZES:
        case F_OUTPUT_SIZES: {
            if (raw_at(&r, 'N')) {
                r.q++;
                break;
            }
            struct shapes sh;
            uint64_t h;
            if (fast_shapes(&r.q, end, &sh, &h)) {
                rc = raw_sizes_op_h(f, &sh, h, fld == F_INPUT_SIZES ? IF_IN_SIZES : IF_OUT_SIZES,
                                    &o, &e);
                break;
            }
            if (!raw_shapes(&r, &sh))
                return 0;
            rc = raw_sizes_op(f, &sh, fld == F_INPUT_SIZES ? IF_IN_SIZES : IF_OUT_SIZES, &o, &e);
            break;
        }
        case F_INPUT_DTYPES:
        case F_OUTPUT_DTYPES: {
            if (raw_at(&r, 'N')) {
                r.q++;
                break;
            }
            bool declined;
            rc = raw_dtypes_op(f, &r, fld == F_INPUT_DTYPES ? IF_IN_DTYPES : IF_OUT_DTYPES, &o, &e,
                               &declined);
            if (declined)
                return 0;
            break;
        }
        default:
            if (!raw_scalar(&r, &v) || !raw_apply(f, st, fld, &v, &o, &e, &rc))
                return 0;
            break;
        }
        q = r.q;
        redefs = p->memo_redefs;
        if (rc)
            return rc < 0 ? rc : 0;
    }
    if (!pairs)
        return 0; /* an empty dict is left to the unpickler, as take_setitems leaves it */
    q++;
    if ((rc = finish_entry(f, st, &o, pg_desc, 0, &e)))
        return rc;
    f->spare = NULL;
    *next = (size_t)(q - buf);
    *handle = (int64_t)(intptr_t)st;
    return 1;
}

/* ---- JSON entries read from their tokens ------------------------------------------------- *
 *
 * The same for a JSON dump: an entry object whose keys and strings hold no escapes and whose
 * values have the types decode_entry reads without complaint is decoded from its tokens; any
 * other entry is converted to values and read by decode_entry. */

static inline struct fl_str tok_raw(const struct fl_json *j, int i)
{
    return fl_str_make(j->js + j->tok[i].start, (size_t)(j->tok[i].end - j->tok[i].start));
}

static inline bool has_escape(struct fl_str s)
{
    if (s.len > 32)
        return memchr(s.ptr, '\\', s.len) != NULL;
    for (size_t k = 0; k < s.len; k++)
        if (s.ptr[k] == '\\')
            return true;
    return false;
}

/* The view of string token i when it holds no escape (as fl_json_str gives it). */
static inline bool json_plain_str(const struct fl_json *j, int i, struct fl_str *out)
{
    if (j->tok[i].type != JSMN_STRING)
        return false;
    *out = tok_raw(j, i);
    return !has_escape(*out);
}

/* A scalar token (a plain string or a primitive). */
static bool json_raw_scalar(const struct fl_json *j, int i, struct fl_pk *v)
{
    if (j->tok[i].type == JSMN_STRING) {
        v->type = FL_PK_STR;
        return json_plain_str(j, i, &v->u.s);
    }
    return j->tok[i].type == JSMN_PRIMITIVE && json_prim(tok_raw(j, i), v);
}

static bool json_null(const struct fl_json *j, int i)
{
    return j->tok[i].type == JSMN_PRIMITIVE && j->js[j->tok[i].start] == 'n';
}

/* A sizes array of arrays of integers, from token *i (moved past it). */
static bool json_raw_shapes(const struct fl_json *j, int *i, struct shapes *sh)
{
    const jsmntok_t *t = j->tok;
    int k = *i;
    if (t[k].type != JSMN_ARRAY || t[k].size > FR_SHAPE_MAX)
        return false;
    sh->nshapes = (uint32_t)t[k].size;
    size_t n = 0;
    k++;
    for (uint32_t s = 0; s < sh->nshapes; s++) {
        if (k >= j->ntok || t[k].type != JSMN_ARRAY || n + (size_t)t[k].size > FR_SHAPE_MAX)
            return false;
        int dims = t[k].size;
        sh->dims[s] = (uint32_t)dims;
        k++;
        for (int d = 0; d < dims; d++, k++) {
            struct fl_pk v;
            if (k >= j->ntok || t[k].type != JSMN_PRIMITIVE || !json_prim(tok_raw(j, k), &v) ||
                v.type != FL_PK_INT)
                return false;
            sh->v[n++] = v.u.i;
        }
    }
    *i = k;
    return true;
}

static int json_raw_entry(struct fr *f, const struct fl_json *j, int i, struct fl_pk *out)
{
    const jsmntok_t *t = j->tok;
    int npairs = t[i].size;
    if (npairs <= 0)
        return 0; /* left to decode_entry */
    struct staged *st = f->spare ? f->spare : staged_new(f);
    if (!st)
        return FL_ENOMEM;
    f->spare = st; /* until it is used */
    staged_init(f, st, true, (uint64_t)t[i].start);
    struct ops o;
    o.n = 0;
    struct entry_err e;
    struct fl_str pg_desc = FL_STR_NULL;
    int rc = 0, k = i + 1;
    for (int m = 0; m < npairs; m++) {
        if (k + 1 >= j->ntok || t[k].type != JSMN_STRING)
            return 0;
        /* a key spelled with escapes is read decoded (as decode_entry reads it): only a key
         * the reader does not know needs the look (no field name holds a backslash) */
        struct fl_str key = tok_raw(j, k);
        enum field fld = field_of(key);
        if (fld == F_NONE && has_escape(key))
            return 0;
        k++;
        switch (fld) {
        case F_PROCESS_GROUP: {
            if (json_null(j, k)) {
                k++;
                break;
            }
            int n = t[k].type == JSMN_ARRAY ? t[k].size : 0;
            struct fl_str name, desc = FL_STR_NULL;
            if (n < 1 || n > 2 || k + n >= j->ntok || !json_plain_str(j, k + 1, &name) ||
                (n == 2 && !json_plain_str(j, k + 2, &desc)))
                return 0;
            st->pg_name = name;
            pg_desc = desc;
            k += 1 + n;
            break;
        }
        case F_INPUT_SIZES:
        case F_OUTPUT_SIZES: {
            if (json_null(j, k)) {
                k++;
                break;
            }
            struct shapes sh;
            if (!json_raw_shapes(j, &k, &sh))
                return 0;
            rc = raw_sizes_op(f, &sh, fld == F_INPUT_SIZES ? IF_IN_SIZES : IF_OUT_SIZES, &o, &e);
            break;
        }
        case F_INPUT_DTYPES:
        case F_OUTPUT_DTYPES: {
            if (json_null(j, k)) {
                k++;
                break;
            }
            uint8_t field = fld == F_INPUT_DTYPES ? IF_IN_DTYPES : IF_OUT_DTYPES;
            int n = t[k].type == JSMN_ARRAY ? t[k].size : -1;
            if (n < 0 || k + n >= j->ntok)
                return 0;
            struct fl_str d;
            for (int x = 1; x <= n; x++)
                if (!json_plain_str(j, k + x, &d))
                    return 0;
            if (n == 1) {
                json_plain_str(j, k + 1, &d);
                rc = add_op(&o, field, d, &e);
            } else {
                text_reset(f);
                for (int x = 1; x <= n; x++) {
                    json_plain_str(j, k + x, &d);
                    if (x > 1)
                        text_add(f, ", ", 2);
                    text_add(f, d.ptr, d.len);
                }
                rc = text_op(f, &o, field, &e);
            }
            k += 1 + n;
            break;
        }
        default: {
            struct fl_pk v;
            if (!json_raw_scalar(j, k, &v) || !raw_apply(f, st, fld, &v, &o, &e, &rc))
                return 0;
            k++;
            break;
        }
        }
        if (rc)
            return rc < 0 ? rc : 0;
    }
    if ((rc = finish_entry(f, st, &o, pg_desc, 0, &e)))
        return rc;
    f->spare = NULL;
    out->type = FL_PK_HANDLE;
    out->u.i = (int64_t)(intptr_t)st;
    return k;
}

/* Mark the ops of each coalesced group: walking back from a closing "*coalesced" entry, the
 * entries of the same pg with the same seq (p2p_seq for p2p ops) belong to it. */
static void mark_coalesced(struct staged *const *es, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!es[i]->ok || es[i]->ev.u.fr.coalesced != FL_FR_COALESCED_END)
            continue;
        const struct fl_ev_nccl_fr *end = &es[i]->ev.u.fr;
        int64_t key = end->is_p2p ? end->p2p_seq : end->collective_seq;
        for (size_t j = i; j-- > 0;) {
            struct fl_ev_nccl_fr *r = &es[j]->ev.u.fr;
            if (!es[j]->ok || r->pg != end->pg)
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
    struct pg_str *c = &f->pg_strs[r->pg & (FR_PG_CACHE - 1)];
    if (c->id != r->pg || !c->set)
        *c = (struct pg_str){r->pg, true, fl_ingest_str(f->ctx, r->pg)};
    struct fl_str pg = c->s;
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
    /* a pg whose description and id are both known has nothing more to learn */
    uint32_t *known = &f->pg_learnt[r->pg & (FR_PG_CACHE - 1)];
    if (*known == r->pg && r->pg)
        return 0;
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
    if (g->desc_id && g->id >= 0 && g->name_id == r->pg)
        *known = r->pg;
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
    struct staged **es = FL_ARENA_NEW_N(&f->scratch, struct staged *, n);
    if (!es)
        return oom(f);
    for (size_t i = 0; i < n; i++) {
        const struct fl_pk *d = &s->v[i];
        struct staged *st;
        int rc;
        if (d->type == FL_PK_HANDLE) { /* decoded while the dump loaded */
            st = (struct staged *)(intptr_t)d->u.i;
        } else {
            if (!(st = staged_new(f)))
                return FL_ENOMEM;
            if ((rc = decode_entry(f, d, s->offset, st)))
                return rc;
        }
        es[i] = st;
        rc = replay_entry(f, st);
        st->ok = rc == 0;
        if (rc == 1) {
            int64_t rid = st->dict ? st->ev.u.fr.record_id : -1;
            if (rid >= 0)
                rc = skip(f, st->at, "entry %zu (record_id %lld): %s", i, (long long)rid, st->why);
            else
                rc = skip(f, st->at, "entry %zu: %s", i, st->why);
        }
        if (rc)
            return rc;
        if (!st->ok)
            continue;
        st->ev.src.offset = st->at;
        if ((rc = pg_from_entry(f, &st->ev)))
            return rc;
        if (!f->backend && st->ev.u.fr.backend)
            f->backend = st->ev.u.fr.backend;
    }
    if (f->rank < 0)
        return skip(f, 0,
                    "no rank for this dump: the file name ends in no digits and its process "
                    "groups do not single out one rank; its %zu entries are not read",
                    n);
    mark_coalesced(es, n);
    struct fl_str node = fl_ingest_str(f->ctx, f->ctx->default_node);
    for (size_t i = 0; i < n; i++) {
        if (!es[i]->ok)
            continue;
        struct fl_event *ev = &es[i]->ev;
        struct fl_ev_nccl_fr *r = &ev->u.fr;
        r->rank = f->rank;
        if (r->known & FL_FR_HAS_PEER_PG_RANK) {
            const struct pginfo *g = pg_by_name(f, r->pg);
            if (g && g->size > r->peer_pg_rank) {
                r->peer = g->members[r->peer_pg_rank];
                r->known |= FL_FR_HAS_PEER;
            }
        }
        note_ts(f, ev->ts);
        note_ts(f, r->started_ns);
        note_ts(f, r->completed_ns);
        ev->uid = record_uid(f, ev, node);
        if (fl_ingest_emit(f->ctx, ev))
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
    for (size_t i = 0; i <= FR_KEYS; i++)
        f->keyseq[i].redefs = UINT64_MAX; /* no key known */
    /* every opcode or token is at least a byte and becomes at most ~56 bytes of tree */
    size_t cap = len < (SIZE_MAX - (64u << 20)) / 64 ? 64 * len + (64u << 20) : SIZE_MAX;
    /* chunks in proportion to the input (a tree takes about 12 times a pickle's bytes) */
    size_t chunk = len < FR_SCRATCH_CHUNK ? 16384 : FR_SCRATCH_CHUNK;
    fl_arena_init(&f->scratch, chunk, cap);
    fl_arena_init(&f->etmp, 16384, 0);
    f->tree = &f->scratch;
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
    fl_arena_release(&f->etmp);
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
