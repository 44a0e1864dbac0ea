/* Verdict sink: copy-in emit, stable uid, total order. */
#include "faultline/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/err.h"

static const char *const sev_names[FL_SEV__COUNT] = {
#define FL_SEV_NAME_(e, n) n,
    FL_SEVERITY_MAP(FL_SEV_NAME_)
#undef FL_SEV_NAME_
};

const char *fl_severity_name(enum fl_severity s)
{
    return (unsigned)s < FL_SEV__COUNT ? sev_names[s] : "unknown";
}

int fl_severity_from_name(struct fl_str s)
{
    for (int i = 0; i < FL_SEV__COUNT; i++)
        if (fl_str_eq_cstr(s, sev_names[i]))
            return i;
    return -1;
}

void fl_verdict_sink_init(struct fl_verdict_sink *s, struct fl_arena *arena,
                          const struct fl_intern *intern)
{
    memset(s, 0, sizeof *s);
    s->arena = arena;
    s->intern = intern;
}

void fl_verdict_sink_release(struct fl_verdict_sink *s)
{
    fl_free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static const char *dup_cstr(struct fl_arena *a, const char *s)
{
    return s ? fl_arena_strndup_copy(a, s, strlen(s)) : NULL;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return fl_hash64(b, sizeof b, h);
}

static uint64_t hash_id(uint64_t h, const struct fl_intern *t, uint32_t id)
{
    struct fl_str str = t ? fl_intern_str(t, id) : FL_STR_NULL;
    h = hash_u64(h, str.len);
    return fl_hash64(str.ptr, str.len, h);
}

/* uid = hash(pattern id, scope, evidence uids): the same finding on the same records gets the
 * same uid in every run. Scope strings are hashed by value (interned ids depend on the order
 * inputs were read), evidence by event uid. */
static uint64_t verdict_uid(const struct fl_verdict *v, const struct fl_intern *t)
{
    uint64_t h = fl_hash64(v->pattern_id, strlen(v->pattern_id), FL_HASH_SEED);
    h = hash_id(h, t, v->scope.node);
    h = hash_id(h, t, v->scope.gpu.pci);
    h = hash_id(h, t, v->scope.gpu.uuid);
    h = hash_u64(h, (uint64_t)(int64_t)v->scope.gpu.index);
    h = hash_id(h, t, v->scope.pod);
    h = hash_id(h, t, v->scope.job);
    h = hash_id(h, t, v->scope.pg);
    for (size_t i = 0; i < v->scope.nranks; i++)
        h = hash_u64(h, (uint64_t)(int64_t)v->scope.ranks[i]);
    for (size_t i = 0; i < v->nevidence; i++)
        h = hash_u64(h, v->evidence[i].ev->uid);
    return h;
}

int fl_verdict_emit(struct fl_verdict_sink *s, const struct fl_verdict *v)
{
    if (s->error)
        return s->error;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct fl_verdict *nv = fl_realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return s->error = FL_ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    struct fl_arena *a = s->arena;
    struct fl_verdict d = *v;
    d.pattern_id = dup_cstr(a, v->pattern_id ? v->pattern_id : "unknown");
    d.headline = dup_cstr(a, v->headline ? v->headline : "");
    d.remediation = dup_cstr(a, v->remediation ? v->remediation : "");
    d.scope.pg_desc = dup_cstr(a, v->scope.pg_desc);
    if (!d.pattern_id || !d.headline || !d.remediation || (v->scope.pg_desc && !d.scope.pg_desc))
        return s->error = FL_ENOMEM;
    if (v->scope.nranks) {
        int32_t *r = FL_ARENA_NEW_N(a, int32_t, v->scope.nranks);
        if (!r)
            return s->error = FL_ENOMEM;
        memcpy(r, v->scope.ranks, v->scope.nranks * sizeof *r);
        qsort(r, v->scope.nranks, sizeof *r, cmp_i32);
        d.scope.ranks = r;
    }
    if (v->nevidence) {
        struct fl_evidence *ev = FL_ARENA_NEW_N(a, struct fl_evidence, v->nevidence);
        if (!ev)
            return s->error = FL_ENOMEM;
        for (size_t i = 0; i < v->nevidence; i++) {
            ev[i].ev = v->evidence[i].ev;
            ev[i].description = dup_cstr(a, v->evidence[i].description ? v->evidence[i].description : "");
            if (!ev[i].description)
                return s->error = FL_ENOMEM;
        }
        d.evidence = ev;
    }
    if (v->ncaused_by) {
        uint64_t *c = FL_ARENA_NEW_N(a, uint64_t, v->ncaused_by);
        if (!c)
            return s->error = FL_ENOMEM;
        memcpy(c, v->caused_by, v->ncaused_by * sizeof *c);
        d.caused_by = c;
    }
    d.uid = verdict_uid(&d, s->intern);
    s->v[s->n++] = d;
    return 0;
}

static int cmp_verdict(const void *a, const void *b)
{
    const struct fl_verdict *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity < y->severity ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    int c = strcmp(x->pattern_id, y->pattern_id);
    if (c)
        return c;
    if (x->uid != y->uid)
        return x->uid < y->uid ? -1 : 1;
    return strcmp(x->headline, y->headline);
}

void fl_verdict_sink_sort(struct fl_verdict_sink *s)
{
    if (s->n > 1)
        qsort(s->v, s->n, sizeof *s->v, cmp_verdict);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k && s->v[k - 1].uid == s->v[i].uid && strcmp(s->v[k - 1].pattern_id, s->v[i].pattern_id) == 0)
            continue;
        s->v[k++] = s->v[i];
    }
    s->n = k;
}

char *fl_verdict_printf(struct fl_verdict_sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = fl_arena_vprintf(s->arena, fmt, ap);
    va_end(ap);
    if (!d)
        s->error = FL_ENOMEM;
    return d;
}

/* ---- cause links across detectors -------------------------------------------------------- */

/* A verdict of pattern `cause` whose evidence holds a record of kind `kind` explains a
 * verdict whose pattern starts with `effect` and cites the same record. */
static const struct {
    const char *cause, *effect;
    uint8_t kind;
} cause_links[] = {
    /* a fatal PCIe error, then XID 79 on that GPU: the link dropped the GPU off the bus */
    {"pcie_aer.fatal_xid79", "xid_correlation.", FL_EV_XID},
};

static bool cites(const struct fl_verdict *v, const struct fl_event *ev)
{
    for (size_t i = 0; i < v->nevidence; i++)
        if (v->evidence[i].ev == ev)
            return true;
    return false;
}

/* Append uid to v's caused_by unless it is there. 0 or FL_ENOMEM. */
static int add_cause(struct fl_verdict_sink *s, struct fl_verdict *v, uint64_t uid)
{
    for (size_t i = 0; i < v->ncaused_by; i++)
        if (v->caused_by[i] == uid)
            return 0;
    uint64_t *c = FL_ARENA_NEW_N(s->arena, uint64_t, v->ncaused_by + 1);
    if (!c)
        return s->error = FL_ENOMEM;
    if (v->ncaused_by)
        memcpy(c, v->caused_by, v->ncaused_by * sizeof *c);
    c[v->ncaused_by++] = uid;
    v->caused_by = c;
    return 0;
}

int fl_verdict_sink_link(struct fl_verdict_sink *s)
{
    for (size_t r = 0; r < sizeof cause_links / sizeof cause_links[0]; r++)
        for (size_t a = 0; a < s->n; a++) {
            const struct fl_verdict *cause = &s->v[a];
            if (strcmp(cause->pattern_id, cause_links[r].cause) != 0)
                continue;
            size_t plen = strlen(cause_links[r].effect);
            for (size_t i = 0; i < cause->nevidence; i++) {
                const struct fl_event *ev = cause->evidence[i].ev;
                if (ev->kind != cause_links[r].kind)
                    continue;
                for (size_t b = 0; b < s->n; b++) {
                    struct fl_verdict *eff = &s->v[b];
                    if (b == a || strncmp(eff->pattern_id, cause_links[r].effect, plen) != 0 ||
                        !cites(eff, ev))
                        continue;
                    int rc = add_cause(s, eff, cause->uid);
                    if (rc)
                        return rc;
                }
            }
        }
    return 0;
}
