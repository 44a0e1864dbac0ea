/* nccl_hang: name the ranks that hung a collective (or a send/recv), from PyTorch Flight
 * Recorder dumps and py-spy stacks.
 *
 * Model. A process group's identity is its name plus its member set (names are reused, e.g.
 * by split groups). Each (pg, member rank) has a state: the latest record of each collective
 * seq (records of one rank and seq are one unit: the ops of a coalesced group and its closing
 * entry; duplicates of one record_id, e.g. the same rank dumped twice, keep the furthest
 * state, so a later "completed" supersedes "started"), and the rank's pg_status (last
 * enqueued / started / completed). pg_status follows the seq of the pg's last work, which for
 * p2p work is the p2p seq: it is read only for groups with records, all collectives. A
 * status whose pg id no entry names (a dump with no pending entry) is mapped to its pg by
 * creation order: pg names and pg ids both grow as groups are created (checked against every
 * id the entries name).
 *
 * Per pg, over the members whose state is known: E = last seq entered, C = last completed.
 * The wavefront is where they diverge, by counts, never by which file was read first:
 *   mismatch   ranks disagree on op, sizes or dtypes at a seq (pairwise rules below; the
 *              unique largest agreeing class is right, everyone else is named);
 *   missing    N = max(C_max, E_min) + 1 <= E_max: ranks with E < N never entered N while
 *              peers wait in it; ranks that hold seqs their peers completed (C < C_max) are
 *              named with them (their GPU stopped reporting completions);
 *   straggler  some ranks completed N = C_min + 1, others hold it longer than the entry's
 *              timeout_ms (else `timeout`);
 *   stuck      every rank entered N = C_max + 1 and none completed it, for longer than the
 *              timeout: network or NCCL, Flight Recorder alone cannot name a rank (py-spy
 *              may: a rank whose main thread is not in a collective is named);
 *   dump       a member without a usable dump (missing, cut, unsupported) while its peers
 *              wait: the suspect, with lower confidence.
 * p2p ops are paired per (sender, receiver) in each rank's own order: the sends of a to b
 * against the recvs of b from a, all of them when both dumps hold the ranks' whole p2p
 * history in the pg (p2p seqs from 1 without a gap), else the pending ones only (oldest
 * first). A half with no counterpart: its peer never posted it (missing); one half completed
 * and the other held past its timeout: straggler; both pending past the timeout: stuck
 * (p2p_seq_id counts a rank's own p2p ops in the pg, whatever the peer, so it differs between
 * peers and is never compared across ranks).
 * Across pgs: a rank absent from pg A's wavefront because it waits in pg B (it entered B's
 * wavefront op and is not B's culprit) is explained by B. Pgs whose culprits are all free are
 * roots; roots sharing culprits are one verdict (its pg: the one naming most of them, then the
 * earliest wavefront); pgs explained by roots are one `blocked` verdict caused_by them.
 *
 * Several jobs in one bundle: a dump carries no job id and a job has one dump per rank, so
 * when a rank number has dumps in two directories the directories are grouped in path order,
 * one job while their ranks do not repeat (a job split over per-node directories stays one),
 * and each job is judged on its own dumps and records (split_jobs).
 *
 * Times: a dump carries no write time, so a wait is measured to the latest time any recorder
 * noted ("at least"). Scratch memory comes from the sink's arena: a warm run allocates
 * nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/nccl_hang_match.h"
#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/err.h"
#include "ingest/nccl_fr.h"

enum { P_TIMEOUT, P_ENTRY_TIMEOUT, P_MAX_RANKS, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_TIMEOUT] = {"timeout", FL_CFG_DURATION, "60s", "1s", "24h",
                   "how long a rank may hold a collective its peers completed (straggler), or "
                   "every rank one none completed (stuck), before it counts, when the entry "
                   "carries no timeout_ms"},
    [P_ENTRY_TIMEOUT] = {"use_entry_timeout", FL_CFG_BOOL, "true", NULL, NULL,
                         "use each Flight Recorder entry's own timeout_ms (the watchdog's) "
                         "instead of timeout when the dump carries it"},
    [P_MAX_RANKS] = {"max_ranks", FL_CFG_INT, "8", "1", "100000",
                     "most rank numbers or ranges a headline lists (the rest are counted)"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "8", "4", "1000",
                        "most records listed as evidence of one verdict"},
};

static const struct fl_pattern patterns[] = {
    {"nccl_hang.missing",
     "Ranks of a process group never entered the collective (or never posted the send/recv) "
     "their peers wait in: the hang's culprits. They are stuck outside NCCL (Python, data "
     "loading, a crash, a dead GPU); the waiting ranks are victims. Ranks that had not seen "
     "collectives complete that their peers completed are named with them."},
    {"nccl_hang.straggler",
     "Some ranks completed a collective (or their half of a send/recv) while others still held "
     "it past the timeout (the entry's timeout_ms, else the timeout setting): the slow ranks' "
     "GPU or host is the suspect."},
    {"nccl_hang.stuck",
     "Every rank of the process group entered the collective (or both ranks entered a "
     "send/recv) and none completed it within the timeout: the network or NCCL itself. Flight "
     "Recorder alone cannot name a rank; a rank py-spy shows outside any collective is named."},
    {"nccl_hang.mismatch",
     "Ranks called different collectives, sizes or dtypes at the same sequence number: a "
     "program bug (diverging control flow or data), not hardware. The ranks outside the "
     "largest agreeing group are named; on a tie every disagreeing rank is."},
    {"nccl_hang.dump_missing",
     "Peers wait in a collective and a member rank left no usable dump (missing, cut short, "
     "unsupported): that rank is the likely culprit, named with lower confidence since its "
     "own state is unknown."},
    {"nccl_hang.blocked",
     "Process groups that hang only because their missing ranks are themselves blocked in "
     "another group's hang: consequences, caused_by the root verdict."},
    {NULL, NULL},
};

static bool compatible(enum fl__nccl_match m)
{
    return m == FL__NM_MATCH || m == FL__NM_UNDECIDED || m == FL__NM_STATE_DIFFERS;
}

static const char *mismatch_word(enum fl__nccl_match m)
{
    switch (m) {
    case FL__NM_TYPE:
        return "op";
    case FL__NM_SIZE:
        return "sizes";
    case FL__NM_DTYPE:
        return "dtypes";
    default:
        return "call";
    }
}

/* ==== the model ========================================================================= */

enum { DS_NONE = 0, DS_OK, DS_UNREADABLE, DS_UNSUPPORTED };

struct rk {
    int32_t rank;
    uint8_t dstate;    /* DS_* of its chosen dump */
    bool laggard;      /* held seqs its peers completed (a fault of its own) */
    bool has_records;  /* some record of it was read */
    bool root_culprit; /* named by a root finding */
    const struct fl_event *dump;
    const struct fl_event *stack; /* py-spy: the main thread */
    uint32_t node;
    int32_t gpu_index;
    int32_t root_finding; /* a root finding naming it, -1 none */
};

struct pg {
    uint32_t name; /* interned */
    struct fl_str name_s;
    uint32_t desc; /* interned, 0 unknown */
    struct fl_str desc_s;
    int32_t *members; /* sorted */
    uint32_t nmembers;
    uint32_t slot0;
    bool config; /* members from pg_config (else: the ranks that recorded it) */
    bool has_coll, has_p2p;
    uint8_t mm_kind; /* first mismatch found (enum fl__nccl_match), 0 none */
    int64_t mm_seq;
    const struct fl_event *mm_major, *mm_minor;
    int32_t *mm_culprits;
    uint32_t nmm_culprits, nmm_units;
    size_t w0, nw; /* its p2p work: ctx.work[w0..w0 + nw) */
};

struct slot {
    uint32_t pg;
    uint32_t rk;
    int64_t st_e, st_s, st_c;    /* pg_status, FL_FR_NO_SEQ when none */
    int64_t e, s, c;             /* from records: last entered / started / completed, -2 none */
    const struct fl_event *last; /* record of seq e */
    uint32_t nrec;               /* collective units */
    /* judged state */
    bool known;
    int64_t E, C;
};

struct nrkey {
    uint32_t name;
    int32_t rank;
    uint32_t prio;
    uint32_t slot;
};

/* A call as the matching rules see it: its profiling name (an index into the ids' names)
 * and its sizes and dtypes (intern ids), with the record's state. Equal calls have equal
 * fields. */
struct call {
    uint32_t name;
    uint32_t in, out, din, dout;
    uint8_t state;
};

/* A unit: one rank's records of one collective seq. */
struct unit {
    uint32_t slot;
    uint8_t state;
    struct call call;           /* rep's */
    const struct fl_event *rep; /* the closing entry of a coalesced group, else the op */
    uint32_t ops, nops;         /* ops of a coalesced group (rep excluded): ctx.opsbuf[ops..] */
};

/* A send or recv. What judge_p2p reads of the record is copied here when the walk reads it:
 * the sorts and the pairing never touch the record again, but for the few ops left pending. */
struct p2pop {
    uint32_t slot;
    uint32_t pg;
    int32_t src, dst;
    uint8_t recv;
    uint8_t state;         /* its own, or its coalesced batch's closing entry's */
    uint8_t own_state;     /* the record's */
    uint8_t coalesced;     /* the record's enum fl_fr_coalesced */
    bool has_peer;         /* the record's peer (FL_FR_HAS_PEER) */
    bool send, recv_named; /* its profiling name's send / recv (fl_fr_opname) */
    int32_t peer_pg_rank;  /* and its peer_pg_rank */
    int32_t peer;
    int64_t rid; /* the record's record_id */
    int64_t p2p_seq;
    const struct fl_event *ev;
};

enum { CL_MISMATCH = 0, CL_MISSING, CL_DUMP, CL_STUCK, CL_STRAGGLER, CL__COUNT };

struct finding {
    uint32_t pg;
    uint8_t cls;
    bool p2p;
    uint8_t mm_kind;
    int64_t seq; /* wavefront seq (collectives) */
    int64_t ts;
    int64_t waited;                 /* ns, lower bound; -1 unknown */
    int64_t timeout;                /* ns of the threshold that applied, -1 none */
    bool timed_out;                 /* a waiting record was retired without completing */
    const struct fl_event *wait_ev; /* one waiting rank's record at the wavefront */
    const struct fl_event *mm_major, *mm_minor;
    int32_t *culprits, *laggards, *suspects, *waiting;
    uint32_t nculprits, nlaggards, nsuspects, nwaiting;
    uint32_t nentered, ncompleted;
    int64_t lag_lo, lag_hi;
    uint32_t nunmatched;           /* p2p ops with no counterpart */
    uint32_t npairs;               /* p2p stuck: send/recv pairs neither side completed */
    const struct fl_event *peer_ev; /* p2p: the other half of wait_ev's pair */
    /* attribution */
    bool root;
    int32_t group; /* root group (union-find parent while grouping) */
};

/* Records of names no pg_config lists: (name, rank) pairs found in the records. */
struct loose {
    uint32_t name;
    int32_t rank;
};

struct ctx {
    const struct fl_window *w;
    const union fl_cfg_value *cfg;
    struct fl_verdict_sink *out;
    struct fl_arena *a;
    const struct fl_event **recs; /* fr_by_seq, or the records of one job (split_jobs) */
    size_t nrecs;
    const uint16_t *job_of; /* per input: its job when a bundle holds several, else NULL */
    uint16_t job;           /* the job judged */
    struct loose *lo; /* (pg name, rank) of records no pg_config lists */
    size_t nlo, lo_cap;
    struct rk *rks;
    size_t nrks;
    struct pg *pgs;
    size_t npgs;
    struct slot *slots;
    size_t nslots;
    struct nrkey *nr;
    size_t nnr;
    struct p2pop *p2p, *p2p_alt; /* one pg name's sends and recvs (p2p_block), its scratch */
    size_t np2p, p2p_cap, p2p_alt_cap;
    size_t *p2p_cnt;                  /* 2 x (slots + 1): the counting sorts */
    bool *p2p_whole;                  /* per slot: its whole p2p history is in its dump */
    const struct fl_event **p2p_last; /* per slot: its latest send or recv (the evidence) */
    uint32_t *p2p_key, *sp, *rp;      /* p2p_block scratch */
    size_t p2p_key_cap, sp_cap, rp_cap;
    struct p2pwork *work; /* what judge_p2p weighs, per pg: pg.w0, pg.nw */
    size_t nwork, work_cap;
    struct finding *f;
    size_t nf;
    int64_t t_ref;               /* latest wall time any recorder noted */
    const struct fl_event **buf; /* per-rank scratch */
    size_t buf_cap;
    struct unit *units;
    size_t units_cap;
    const struct fl_event **opsbuf; /* the run's coalesced ops */
    struct call *opcalls;           /* their calls, parallel to opsbuf */
    size_t nops, ops_cap, opcalls_cap;
    uint32_t *cls, *rep, *cnt; /* check_units scratch */
    size_t cls_cap, rep_cap, cnt_cap;
    int32_t *ibuf;      /* rank scratch */
    uint32_t *lo_cache; /* note_loose: (name, rank) pairs seen, hashed */
    struct ids *ids;    /* what the matching rules read of each text, shared by the jobs */
};

#define NONE_SEQ (-2)
#define SEQ_MAX (INT64_MAX / 4) /* larger seqs (only JSON Lines could say so) are not read */

static int oom(void)
{
    return FL_ENOMEM;
}

static struct fl_str istr(const struct ctx *x, uint32_t id)
{
    return fl_intern_str(x->w->intern, id);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static size_t uniq_i32(int32_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i])
            v[k++] = v[i];
    return k;
}

static bool has_i32(const int32_t *v, size_t n, int32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* Growable scratch from the arena (the old block is abandoned: growth is geometric). */
static void *grow(struct fl_arena *a, void *old, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return old;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *v = fl_arena_alloc_array(a, n, size, 8);
    if (v && old && *cap)
        memcpy(v, old, *cap * size);
    if (v)
        *cap = n;
    return v;
}

static int state_rank(uint8_t s)
{
    return s == FL_FR_COMPLETED ? 3 : s == FL_FR_STARTED ? 2 : s == FL_FR_SCHEDULED ? 1 : 0;
}

static struct rk *rk_find(const struct ctx *x, int32_t rank)
{
    size_t lo = 0, hi = x->nrks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->rks[mid].rank < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->nrks && x->rks[lo].rank == rank ? &x->rks[lo] : NULL;
}

/* Numbers first in numeric order, then other names in byte order: "2" < "10" < "embd". */
static int cmp_name(struct fl_str a, struct fl_str b)
{
    uint64_t x, y;
    bool na = fl_str_to_u64(a, &x), nb = fl_str_to_u64(b, &y);
    if (na && nb)
        return (x > y) - (x < y);
    if (na != nb)
        return na ? -1 : 1;
    return fl_str_cmp(a, b);
}

/* a - b, saturated (JSON Lines may carry times at the ends of int64) */
static int64_t elapsed(int64_t a, int64_t b)
{
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    return a - b;
}

static void note_time(struct ctx *x, int64_t t)
{
    if (t > 0 && (x->t_ref == FL_TIME_NONE || t > x->t_ref))
        x->t_ref = t;
}

/* ---- texts by id: what the matching rules read of each, computed once ----------------- */

/* A job repeats a few calls millions of times: the rules (nccl_hang_match.c) are applied to
 * facts computed once per distinct text, and two calls compare by ids.
 * - sizes and dtypes are interned by the reader: per intern id, its class (texts equal by
 *   the rules' own comparison share a class: "[[4,4]]" and "[[4, 4]]", "Float, Float" and
 *   "Float") and, for sizes, its parsed shape;
 * - profiling names are views into the input: each distinct name gets an index (found by a
 *   hash of its bytes, with a cache by address in front: the pickle reader hands the same
 *   bytes to every record that names them), parsed once, with the class of its op part.
 * A class is found through a hash key equal texts share (fl__nccl_sizes_key, ...) and
 * confirmed by the comparison itself, so classes are exact. */
enum { CK_SIZES, CK_DTYPES, CK_NAME, CK_OP };

struct centry {
    uint64_t key;
    uint32_t cls; /* 1..: 0 marks an empty entry */
    uint32_t rep; /* the class's first member: an intern id, or an index into names / ops */
};

struct ctab {
    struct centry *e;
    size_t cap, n; /* cap a power of two, n classes */
};

/* A profiling name as the rules and the walk need it. */
struct opname {
    struct fl_str s;
    struct fl_fr_opname o;
    uint32_t op;    /* class of o.op: equal classes, equal op texts */
    unsigned flags; /* fl__nccl_op_flags(o.op) */
    bool p2p;       /* named send or recv (is_p2p's test on the name) */
    bool all_to_all;
};

/* An op part ("all_reduce") and what the rules read of it. */
struct opclass {
    struct fl_str s;
    unsigned flags; /* fl__nccl_op_flags */
    bool all_to_all;
};

struct szinfo {
    uint32_t cls; /* 0: not computed yet */
    struct fl__nccl_shape sh;
};

/* Profiling names by address: 16 K entries (256 KiB) hold the names of the ranks of a pg as
 * the walk goes through its seqs rank by rank. */
#define NAME_CACHE_BITS 14
#define NAME_CACHE (1u << NAME_CACHE_BITS)
struct name_cache {
    const char *ptr;
    uint32_t len, name;
};

/* Sends' and recvs' profiling names by address, parsed: one per peer ("nccl:send 3->7"),
 * thousands in a job, read as they are, not classed. */
struct p2p_name {
    bool send, recv;      /* fl_fr_opname's */
    int32_t peer_pg_rank; /* fl_fr_opname's */
};

struct p2p_name_cache {
    const char *ptr;
    uint32_t len;
    struct p2p_name n;
};

struct ids {
    uint32_t nids;      /* intern ids 0..nids; larger ones read as id 0 (an empty text) */
    struct szinfo *sz;  /* by intern id */
    uint32_t *dt;       /* dtypes class by intern id, 0: not computed yet */
    struct ctab tab[4]; /* CK_* */
    struct opname *names;
    size_t nnames, names_cap;
    struct opclass *ops; /* each CK_OP class, by class - 1 */
    size_t nops, ops_cap;
    struct name_cache *cache;         /* NAME_CACHE */
    struct p2p_name_cache *p2p_cache; /* NAME_CACHE */
};

static int ids_init(struct ctx *x)
{
    struct ids *d = FL_ARENA_NEW(x->a, struct ids); /* zeroed */
    if (!d)
        return oom();
    d->nids = x->w->intern ? x->w->intern->count : 0;
    d->sz = FL_ARENA_NEW_N(x->a, struct szinfo, (size_t)d->nids + 1);
    d->dt = FL_ARENA_NEW_N(x->a, uint32_t, (size_t)d->nids + 1);
    d->cache = FL_ARENA_NEW_N(x->a, struct name_cache, NAME_CACHE);
    d->p2p_cache = FL_ARENA_NEW_N(x->a, struct p2p_name_cache, NAME_CACHE);
    if (!d->sz || !d->dt || !d->cache || !d->p2p_cache)
        return oom();
    memset(d->p2p_cache, 0, NAME_CACHE * sizeof *d->p2p_cache);
    memset(d->cache, 0, NAME_CACHE * sizeof *d->cache);
    memset(d->sz, 0, ((size_t)d->nids + 1) * sizeof *d->sz);
    memset(d->dt, 0, ((size_t)d->nids + 1) * sizeof *d->dt);
    x->ids = d;
    return 0;
}

static struct fl_str ctab_text(const struct ctx *x, int kind, uint32_t rep)
{
    switch (kind) {
    case CK_NAME:
        return x->ids->names[rep].s;
    case CK_OP:
        return x->ids->ops[rep].s;
    default:
        return istr(x, rep);
    }
}

static bool ctab_same(int kind, struct fl_str a, struct fl_str b)
{
    switch (kind) {
    case CK_SIZES:
        return fl__nccl_sizes_eq(a, b);
    case CK_DTYPES:
        return fl__nccl_dtypes_eq(a, b);
    default:
        return fl_str_eq(a, b);
    }
}

static int ctab_grow(struct ctx *x, struct ctab *t)
{
    size_t cap = t->cap ? 2 * t->cap : 64;
    struct centry *e = FL_ARENA_NEW_N(x->a, struct centry, cap);
    if (!e)
        return oom();
    memset(e, 0, cap * sizeof *e);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].cls)
            continue;
        size_t h = (size_t)t->e[i].key & (cap - 1);
        while (e[h].cls)
            h = (h + 1) & (cap - 1);
        e[h] = t->e[i];
    }
    t->e = e;
    t->cap = cap;
    return 0;
}

/* The class of text s (found by key), or a new one whose first member is rep; 0 on OOM. *fresh
 * says which. */
static uint32_t ctab_class(struct ctx *x, int kind, uint64_t key, struct fl_str s, uint32_t rep,
                           bool *fresh)
{
    struct ctab *t = &x->ids->tab[kind];
    *fresh = false;
    if (2 * (t->n + 1) > t->cap && ctab_grow(x, t))
        return 0;
    size_t h = (size_t)key & (t->cap - 1);
    for (; t->e[h].cls; h = (h + 1) & (t->cap - 1))
        if (t->e[h].key == key && ctab_same(kind, ctab_text(x, kind, t->e[h].rep), s))
            return t->e[h].cls;
    t->e[h] = (struct centry){key, (uint32_t)++t->n, rep};
    *fresh = true;
    return t->e[h].cls;
}

static uint32_t id_in_range(const struct ids *d, uint32_t id)
{
    return id <= d->nids ? id : 0; /* fl_intern_str reads an unknown id as id 0 does */
}

/* Sizes facts of an intern id; NULL on OOM. */
static const struct szinfo *sizes_of(struct ctx *x, uint32_t id)
{
    struct szinfo *z = &x->ids->sz[id_in_range(x->ids, id)];
    if (z->cls)
        return z;
    struct fl_str s = istr(x, id);
    bool fresh;
    z->cls = ctab_class(x, CK_SIZES, fl__nccl_sizes_key(s), s, id_in_range(x->ids, id), &fresh);
    if (!z->cls)
        return NULL;
    z->sh = fl__nccl_shape_parse(s);
    return z;
}

/* Dtypes class of an intern id; 0 on OOM. */
static uint32_t dtypes_of(struct ctx *x, uint32_t id)
{
    uint32_t *c = &x->ids->dt[id_in_range(x->ids, id)];
    if (!*c) {
        struct fl_str s = istr(x, id);
        bool fresh;
        *c = ctab_class(x, CK_DTYPES, fl__nccl_dtypes_key(s), s, id_in_range(x->ids, id), &fresh);
    }
    return *c;
}

/* Index of a profiling name; UINT32_MAX on OOM. */
static uint32_t name_of(struct ctx *x, struct fl_str s)
{
    struct ids *d = x->ids;
    uint64_t a = ((uint64_t)(uintptr_t)s.ptr ^ s.len) * 0x9e3779b97f4a7c15ULL;
    struct name_cache *nc = &d->cache[a >> (64 - NAME_CACHE_BITS)];
    if (nc->ptr == s.ptr && nc->len == s.len && s.ptr)
        return nc->name;
    d->names = grow(x->a, d->names, &d->names_cap, d->nnames + 1, sizeof *d->names);
    if (!d->names)
        return UINT32_MAX;
    /* a candidate entry, kept when the name is new */
    struct opname *n = &d->names[d->nnames];
    *n = (struct opname){.s = s};
    bool fresh;
    uint32_t cls = ctab_class(x, CK_NAME, fl_hash64(s.ptr ? s.ptr : "", s.len, FL_HASH_SEED), s,
                              (uint32_t)d->nnames, &fresh);
    if (!cls)
        return UINT32_MAX;
    uint32_t name = cls - 1; /* names are added in class order */
    if (fresh) {
        d->nnames++;
        fl_fr_opname_parse(s, &n->o);
        const char *c = memchr(s.ptr ? s.ptr : "", ':', s.len);
        size_t at = c ? (size_t)(c - s.ptr) + 1 : 0, left = s.len - at;
        n->p2p = left >= 4 && (!memcmp(s.ptr + at, "send", 4) || !memcmp(s.ptr + at, "recv", 4));
        d->ops = grow(x->a, d->ops, &d->ops_cap, d->nops + 1, sizeof *d->ops);
        if (!d->ops)
            return UINT32_MAX;
        struct fl_str op = n->o.op;
        d->ops[d->nops] = (struct opclass){op, 0, false}; /* a candidate, kept when new */
        n->op = ctab_class(x, CK_OP, fl_hash64(op.ptr ? op.ptr : "", op.len, FL_HASH_SEED), op,
                           (uint32_t)d->nops, &fresh);
        if (!n->op)
            return UINT32_MAX;
        if (fresh) {
            d->ops[d->nops].flags = fl__nccl_op_flags(op);
            d->ops[d->nops++].all_to_all = fl__nccl_is_all_to_all(op);
        }
        n->flags = d->ops[n->op - 1].flags;
        n->all_to_all = d->ops[n->op - 1].all_to_all;
    }
    if (s.len <= UINT32_MAX)
        *nc = (struct name_cache){s.ptr, (uint32_t)s.len, name};
    return name;
}

static struct p2p_name p2p_name_make(const struct fl_fr_opname *o)
{
    return (struct p2p_name){o->send, o->recv, o->peer_pg_rank};
}

/* What the pairing reads of a send's or recv's profiling name. */
static struct p2p_name p2p_name_of(struct ctx *x, struct fl_str s)
{
    uint64_t a = ((uint64_t)(uintptr_t)s.ptr ^ s.len) * 0x9e3779b97f4a7c15ULL;
    struct p2p_name_cache *c = &x->ids->p2p_cache[a >> (64 - NAME_CACHE_BITS)];
    if (c->ptr == s.ptr && c->len == s.len && s.ptr)
        return c->n;
    struct fl_fr_opname o;
    fl_fr_opname_parse(s, &o);
    if (s.len <= UINT32_MAX)
        *c = (struct p2p_name_cache){s.ptr, (uint32_t)s.len, p2p_name_make(&o)};
    return p2p_name_make(&o);
}

/* The call of a record; false on OOM. */
static bool call_of(struct ctx *x, const struct fl_ev_nccl_fr *r, struct call *c)
{
    *c = (struct call){name_of(x, r->op), r->input_sizes,   r->output_sizes,
                       r->input_dtypes,   r->output_dtypes, r->state};
    return c->name != UINT32_MAX && sizes_of(x, c->in) && sizes_of(x, c->out) &&
           dtypes_of(x, c->din) && dtypes_of(x, c->dout);
}

/* fl__nccl_match_pair of two calls (their facts are computed: call_of). */
static enum fl__nccl_match match_calls(const struct ctx *x, const struct call *a,
                                       const struct call *b, int32_t size)
{
    const struct ids *d = x->ids;
    const struct opname *na = &d->names[a->name], *nb = &d->names[b->name];
    const struct szinfo *ai = &d->sz[id_in_range(d, a->in)], *ao = &d->sz[id_in_range(d, a->out)];
    const struct szinfo *bi = &d->sz[id_in_range(d, b->in)], *bo = &d->sz[id_in_range(d, b->out)];
    uint32_t adi = d->dt[id_in_range(d, a->din)], ado = d->dt[id_in_range(d, a->dout)];
    uint32_t bdi = d->dt[id_in_range(d, b->din)], bdo = d->dt[id_in_range(d, b->dout)];
    struct fl__nccl_facts k = {.same_op = na->op == nb->op,
                               .flags = na->flags,
                               .a_state = a->state,
                               .b_state = b->state,
                               .a_in = &ai->sh,
                               .a_out = &ao->sh,
                               .b_in = &bi->sh,
                               .b_out = &bo->sh,
                               .in_eq = ai->cls == bi->cls,
                               .out_eq = ao->cls == bo->cls,
                               .a_in_b_out_eq = ai->cls == bo->cls,
                               .a_dt_self_eq = adi == ado,
                               .b_dt_self_eq = bdi == bdo,
                               .dt_in_eq = adi == bdi,
                               .dt_out_eq = ado == bdo};
#ifdef FL_NCCL_HANG_XCHECK /* -DFL_NCCL_HANG_XCHECK: every id comparison checked on the texts */
    struct fl__nccl_op oa = {na->o.op,        istr(x, a->in),   istr(x, a->out),
                             istr(x, a->din), istr(x, a->dout), a->state};
    struct fl__nccl_op ob = {nb->o.op,        istr(x, b->in),   istr(x, b->out),
                             istr(x, b->din), istr(x, b->dout), b->state};
    if (fl__nccl_match_pair(&oa, &ob, size) != fl__nccl_match_facts(&k, size))
        abort();
#endif
    return fl__nccl_match_facts(&k, size);
}

/* fl__nccl_sizes_total of a sizes id whose facts are computed */
static bool sizes_total(const struct ctx *x, uint32_t id, uint64_t *total)
{
    const struct fl__nccl_shape *sh = &x->ids->sz[id_in_range(x->ids, id)].sh;
    *total = sh->total;
    return sh->ok && !sh->big && sh->ndims > 0;
}

static bool same_call(const struct call *a, const struct call *b)
{
    return a->name == b->name && a->in == b->in && a->out == b->out && a->din == b->din &&
           a->dout == b->dout;
}

/* ---- dumps: one per rank -------------------------------------------------------------- */

static uint8_t dump_state(const struct fl_event *d)
{
    switch (d->u.fr_dump.status) {
    case FL_FR_DUMP_OK:
        return DS_OK;
    case FL_FR_DUMP_UNSUPPORTED:
        return DS_UNSUPPORTED;
    default:
        return DS_UNREADABLE;
    }
}

/* Preferred dump of a rank first: readable, later, more entries, then uid. */
static int cmp_dump(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    const struct fl_ev_nccl_fr_dump *p = &x->u.fr_dump, *q = &y->u.fr_dump;
    if (p->rank != q->rank)
        return p->rank < q->rank ? -1 : 1;
    if ((p->status == FL_FR_DUMP_OK) != (q->status == FL_FR_DUMP_OK))
        return p->status == FL_FR_DUMP_OK ? -1 : 1;
    int64_t tx = x->clock == FL_CLOCK_WALL ? x->ts : FL_TIME_NONE;
    int64_t ty = y->clock == FL_CLOCK_WALL ? y->ts : FL_TIME_NONE;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    if (p->nentries != q->nentries)
        return p->nentries > q->nentries ? -1 : 1;
    return (x->uid > y->uid) - (x->uid < y->uid);
}

/* ---- process-group identities from the dumps' pg_config -------------------------------- */

struct pgkey {
    uint32_t name, ranks, desc;
    int32_t rank; /* the dump's rank */
    uint32_t pg;  /* identity */
};

static int cmp_pgkey(const void *a, const void *b)
{
    const struct pgkey *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    if (x->ranks != y->ranks)
        return x->ranks < y->ranks ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int cmp_nr(const void *a, const void *b)
{
    const struct nrkey *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->prio != y->prio)
        return x->prio < y->prio ? -1 : 1;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

static int cmp_pg_canon(const void *a, const void *b)
{
    const struct pg *x = a, *y = b;
    int c = cmp_name(x->name_s, y->name_s);
    if (c)
        return c;
    if (x->nmembers != y->nmembers)
        return x->nmembers < y->nmembers ? -1 : 1;
    for (uint32_t i = 0; i < x->nmembers; i++)
        if (x->members[i] != y->members[i])
            return x->members[i] < y->members[i] ? -1 : 1;
    return 0;
}

static bool same_members(const struct pg *g, const int32_t *m, size_t n)
{
    return g->nmembers == n && (!n || memcmp(g->members, m, n * sizeof *m) == 0);
}

/* Lookup of (pg name, rank) -> slot: nr is sorted by (name, rank, prio). */
static size_t nr_lower(const struct ctx *x, uint32_t name, int32_t rank, size_t lo, size_t hi)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct nrkey *k = &x->nr[mid];
        if (k->name < name || (k->name == name && k->rank < rank))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t nr_find(const struct ctx *x, uint32_t name, int32_t rank)
{
    size_t i = nr_lower(x, name, rank, 0, x->nnr);
    return i < x->nnr && x->nr[i].name == name && x->nr[i].rank == rank ? x->nr[i].slot
                                                                        : UINT32_MAX;
}

static uint32_t member_index(const struct pg *g, int32_t rank)
{
    size_t lo = 0, hi = g->nmembers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->members[mid] < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->nmembers && g->members[lo] == rank ? (uint32_t)lo : UINT32_MAX;
}

static int cmp_loose(const void *a, const void *b)
{
    const struct loose *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int build_pgs(struct ctx *x, const struct fl_event **dumps, size_t ndumps)
{
    size_t nkeys = 0;
    for (size_t i = 0; i < ndumps; i++)
        if (dumps[i]->u.fr_dump.status == FL_FR_DUMP_OK)
            nkeys += dumps[i]->u.fr_dump.npgs;
    struct pgkey *keys = FL_ARENA_NEW_N(x->a, struct pgkey, nkeys ? nkeys : 1);
    if (!keys)
        return oom();
    size_t nk = 0;
    for (size_t i = 0; i < ndumps; i++) {
        const struct fl_ev_nccl_fr_dump *d = &dumps[i]->u.fr_dump;
        if (d->status != FL_FR_DUMP_OK)
            continue;
        for (uint32_t k = 0; k < d->npgs; k++)
            if (d->pgs[k].name && d->pgs[k].ranks)
                keys[nk++] =
                    (struct pgkey){d->pgs[k].name, d->pgs[k].ranks, d->pgs[k].desc, d->rank, 0};
    }
    qsort(keys, nk, sizeof *keys, cmp_pgkey);

    /* loose names: found while resolving records below; counted first */
    size_t ndistinct = 0;
    for (size_t i = 0; i < nk; i++)
        ndistinct += !i || keys[i].name != keys[i - 1].name || keys[i].ranks != keys[i - 1].ranks;
    x->pgs = FL_ARENA_NEW_N(x->a, struct pg, ndistinct + 1);
    if (!x->pgs)
        return oom();
    x->npgs = 0;
    for (size_t i = 0; i < nk;) {
        size_t j = i;
        while (j < nk && keys[j].name == keys[i].name && keys[j].ranks == keys[i].ranks)
            j++;
        struct fl_str rs = istr(x, keys[i].ranks);
        long n = fl_fr_ranks_parse(rs, NULL, 0);
        int32_t *m = n > 0 ? FL_ARENA_NEW_N(x->a, int32_t, (size_t)n) : NULL;
        if (n > 0 && !m)
            return oom();
        if (n > 0)
            fl_fr_ranks_parse(rs, m, (size_t)n);
        size_t nm = n > 0 ? (size_t)n : 0;
        if (nm > 1)
            qsort(m, nm, sizeof *m, cmp_i32);
        nm = uniq_i32(m, nm);
        /* the same name and set written another way ("[0,1]"): the same identity */
        uint32_t id = UINT32_MAX;
        for (size_t g = x->npgs; g-- > 0 && x->pgs[g].name == keys[i].name;)
            if (same_members(&x->pgs[g], m, nm))
                id = (uint32_t)g;
        if (id == UINT32_MAX) {
            id = (uint32_t)x->npgs++;
            x->pgs[id] = (struct pg){.name = keys[i].name,
                                     .name_s = istr(x, keys[i].name),
                                     .members = m,
                                     .nmembers = (uint32_t)nm,
                                     .config = true};
            x->pgs[id].desc = keys[i].desc; /* keys are rank-ordered within (name, ranks) */
        } else if (!x->pgs[id].desc) {
            x->pgs[id].desc = keys[i].desc;
        }
        for (size_t k = i; k < j; k++)
            keys[k].pg = id;
        i = j;
    }
    /* canonical order (by name and members, never by intern ids): remap keys after */
    uint32_t *order = FL_ARENA_NEW_N(x->a, uint32_t, x->npgs + 1);
    struct pg *sorted = FL_ARENA_NEW_N(x->a, struct pg, x->npgs + 1);
    if (!order || !sorted)
        return oom();
    memcpy(sorted, x->pgs, x->npgs * sizeof *sorted);
    qsort(sorted, x->npgs, sizeof *sorted, cmp_pg_canon);
    for (size_t g = 0; g < x->npgs; g++)
        for (size_t h = 0; h < x->npgs; h++)
            if (sorted[h].members == x->pgs[g].members && sorted[h].name == x->pgs[g].name) {
                order[g] = (uint32_t)h;
                break;
            }
    memcpy(x->pgs, sorted, x->npgs * sizeof *sorted);
    for (size_t k = 0; k < nk; k++)
        keys[k].pg = order[keys[k].pg];

    /* slots and the (name, rank) -> slot map: a rank's own dump first, then membership */
    size_t ns = 0;
    for (size_t g = 0; g < x->npgs; g++) {
        x->pgs[g].slot0 = (uint32_t)ns;
        ns += x->pgs[g].nmembers;
    }
    x->nslots = ns;
    size_t cap_nr = nk + ns;
    x->nr = FL_ARENA_NEW_N(x->a, struct nrkey, cap_nr ? cap_nr : 1);
    if (!x->nr)
        return oom();
    size_t nn = 0;
    for (size_t k = 0; k < nk; k++) {
        const struct pg *g = &x->pgs[keys[k].pg];
        uint32_t mi = member_index(g, keys[k].rank);
        if (mi != UINT32_MAX)
            x->nr[nn++] = (struct nrkey){g->name, keys[k].rank, 0, g->slot0 + mi};
    }
    for (size_t g = 0; g < x->npgs; g++)
        for (uint32_t mi = 0; mi < x->pgs[g].nmembers; mi++)
            x->nr[nn++] =
                (struct nrkey){x->pgs[g].name, x->pgs[g].members[mi], 1, x->pgs[g].slot0 + mi};
    qsort(x->nr, nn, sizeof *x->nr, cmp_nr);
    size_t u = 0;
    for (size_t i = 0; i < nn; i++)
        if (!u || x->nr[u - 1].name != x->nr[i].name || x->nr[u - 1].rank != x->nr[i].rank)
            x->nr[u++] = x->nr[i];
    x->nnr = u;
    return 0;
}

/* Remember a (pg name, rank) no pg_config lists: a small direct-mapped cache skips most
 * repeats (the list is deduplicated later). */
static int note_loose(struct ctx *x, uint32_t name, int32_t r)
{
    uint64_t key = ((uint64_t)name << 32) | (uint32_t)r;
    uint32_t h = (uint32_t)(fl_hash64(&key, sizeof key, FL_HASH_SEED) & 4095);
    if (!x->lo_cache) {
        x->lo_cache = FL_ARENA_NEW_N(x->a, uint32_t, 4096 * 2);
        if (!x->lo_cache)
            return oom();
        memset(x->lo_cache, 0xff, 4096 * 2 * sizeof *x->lo_cache);
    }
    if (x->lo_cache[2 * h] == name && x->lo_cache[2 * h + 1] == (uint32_t)r)
        return 0;
    x->lo_cache[2 * h] = name;
    x->lo_cache[2 * h + 1] = (uint32_t)r;
    x->lo = grow(x->a, x->lo, &x->lo_cap, x->nlo + 1, sizeof *x->lo);
    if (!x->lo)
        return oom();
    x->lo[x->nlo++] = (struct loose){name, r};
    return 0;
}

/* Records whose (pg name, rank) no pg_config lists form pgs of their own: the members are
 * the ranks that recorded them. */
static int add_loose(struct ctx *x)
{
    struct loose *lo = x->lo;
    size_t nlo = x->nlo;
    if (!nlo)
        return 0;
    qsort(lo, nlo, sizeof *lo, cmp_loose);
    size_t u = 0;
    for (size_t i = 0; i < nlo; i++)
        if (!u || cmp_loose(&lo[u - 1], &lo[i]))
            lo[u++] = lo[i];
    nlo = u;
    /* new pgs appended after the configured ones, one per name */
    size_t nnames = 0;
    for (size_t i = 0; i < nlo; i++)
        nnames += !i || lo[i].name != lo[i - 1].name;
    struct pg *pgs = FL_ARENA_NEW_N(x->a, struct pg, x->npgs + nnames);
    struct nrkey *nr = FL_ARENA_NEW_N(x->a, struct nrkey, x->nnr + nlo);
    int32_t *mem = FL_ARENA_NEW_N(x->a, int32_t, nlo);
    if (!pgs || !nr || !mem)
        return oom();
    memcpy(pgs, x->pgs, x->npgs * sizeof *pgs);
    memcpy(nr, x->nr, x->nnr * sizeof *nr);
    /* in name order (never intern-id order, which follows the order inputs were read) */
    size_t *starts = FL_ARENA_NEW_N(x->a, size_t, nnames + 1);
    if (!starts)
        return oom();
    size_t ng = 0;
    for (size_t i = 0; i < nlo; i++)
        if (!i || lo[i].name != lo[i - 1].name)
            starts[ng++] = i;
    for (size_t a = 1; a < ng; a++) /* insertion sort: few names */
        for (size_t b = a;
             b > 0 && cmp_name(istr(x, lo[starts[b]].name), istr(x, lo[starts[b - 1]].name)) < 0;
             b--) {
            size_t t = starts[b];
            starts[b] = starts[b - 1];
            starts[b - 1] = t;
        }
    size_t ns = x->nslots, np = x->npgs, nn = x->nnr;
    for (size_t q = 0; q < ng; q++) {
        size_t i = starts[q], j = i;
        while (j < nlo && lo[j].name == lo[i].name)
            j++;
        struct pg *g = &pgs[np];
        *g = (struct pg){.name = lo[i].name,
                         .name_s = istr(x, lo[i].name),
                         .members = mem + i,
                         .nmembers = (uint32_t)(j - i),
                         .slot0 = (uint32_t)ns};
        for (size_t k = i; k < j; k++) {
            mem[k] = lo[k].rank;
            nr[nn++] = (struct nrkey){lo[k].name, lo[k].rank, 0, (uint32_t)(ns + (k - i))};
        }
        ns += j - i;
        np++;
    }
    qsort(nr, nn, sizeof *nr, cmp_nr);
    x->pgs = pgs;
    x->npgs = np;
    x->nr = nr;
    x->nnr = nn;
    x->nslots = ns;
    return 0;
}

/* ---- ranks and slots ------------------------------------------------------------------- */

static int build_ranks(struct ctx *x, const struct fl_event **dumps, size_t ndumps)
{
    size_t cap = x->nslots + ndumps;
    int32_t *all = FL_ARENA_NEW_N(x->a, int32_t, cap ? cap : 1);
    if (!all)
        return oom();
    size_t n = 0;
    for (size_t g = 0; g < x->npgs; g++)
        for (uint32_t i = 0; i < x->pgs[g].nmembers; i++)
            all[n++] = x->pgs[g].members[i];
    for (size_t i = 0; i < ndumps; i++)
        all[n++] = dumps[i]->u.fr_dump.rank;
    qsort(all, n, sizeof *all, cmp_i32);
    n = uniq_i32(all, n);
    x->rks = FL_ARENA_NEW_N(x->a, struct rk, n ? n : 1);
    if (!x->rks)
        return oom();
    for (size_t i = 0; i < n; i++)
        x->rks[i] = (struct rk){.rank = all[i], .gpu_index = -1, .root_finding = -1};
    x->nrks = n;
    for (size_t i = 0; i < ndumps; i++) {
        struct rk *r = rk_find(x, dumps[i]->u.fr_dump.rank);
        if (r && !r->dump) {
            r->dump = dumps[i];
            r->dstate = dump_state(dumps[i]);
            r->node = dumps[i]->node;
            r->gpu_index = dumps[i]->gpu.index;
        }
    }
    x->slots = FL_ARENA_NEW_N(x->a, struct slot, x->nslots ? x->nslots : 1);
    if (!x->slots)
        return oom();
    for (size_t g = 0; g < x->npgs; g++)
        for (uint32_t i = 0; i < x->pgs[g].nmembers; i++) {
            struct slot *s = &x->slots[x->pgs[g].slot0 + i];
            struct rk *r = rk_find(x, x->pgs[g].members[i]);
            *s = (struct slot){.pg = (uint32_t)g,
                               .rk = (uint32_t)(r - x->rks),
                               .st_e = FL_FR_NO_SEQ,
                               .st_s = FL_FR_NO_SEQ,
                               .st_c = FL_FR_NO_SEQ,
                               .e = NONE_SEQ,
                               .s = NONE_SEQ,
                               .c = NONE_SEQ};
        }
    return 0;
}

/* pg_status of each dump onto its slots. A status whose pg id no entry named is mapped by
 * creation order when every pg name is a number and the order agrees with every id known. */
struct named_pg {
    struct fl_str name;
    const struct fl_fr_pg *p;
};

static int cmp_pgp_name(const void *a, const void *b)
{
    return cmp_name(((const struct named_pg *)a)->name, ((const struct named_pg *)b)->name);
}

static int cmp_pgp_id(const void *a, const void *b)
{
    const struct fl_fr_pg *x = *(const struct fl_fr_pg *const *)a;
    const struct fl_fr_pg *y = *(const struct fl_fr_pg *const *)b;
    return (x->id > y->id) - (x->id < y->id);
}

static void put_status(struct ctx *x, uint32_t name, int32_t rank, const struct fl_fr_pg *p)
{
    if (p->last_enqueued == FL_FR_NO_SEQ && p->last_completed == FL_FR_NO_SEQ)
        return;
    uint32_t s = nr_find(x, name, rank);
    if (s == UINT32_MAX)
        return;
    x->slots[s].st_e = p->last_enqueued;
    x->slots[s].st_s = p->last_started;
    x->slots[s].st_c = p->last_completed;
}

static int map_status(struct ctx *x)
{
    struct named_pg *named = NULL;
    const struct fl_fr_pg **ids = NULL;
    size_t cap_n = 0, cap_i = 0;
    for (size_t i = 0; i < x->nrks; i++) {
        const struct fl_event *de = x->rks[i].dump;
        if (!de || x->rks[i].dstate != DS_OK)
            continue;
        const struct fl_ev_nccl_fr_dump *d = &de->u.fr_dump;
        if (de->clock == FL_CLOCK_WALL)
            note_time(x, de->ts);
        size_t nn = 0, ni = 0, nunnamed = 0;
        named = grow(x->a, named, &cap_n, d->npgs + 1, sizeof *named);
        ids = grow(x->a, ids, &cap_i, d->npgs + 1, sizeof *ids);
        if (!named || !ids)
            return oom();
        bool numeric = true;
        for (uint32_t k = 0; k < d->npgs; k++) {
            const struct fl_fr_pg *p = &d->pgs[k];
            if (p->name) {
                uint64_t v;
                numeric = numeric && fl_str_to_u64(istr(x, p->name), &v);
                named[nn++] = (struct named_pg){istr(x, p->name), p};
                put_status(x, p->name, d->rank, p);
            } else if (p->id >= 0) {
                nunnamed++;
            }
            if (p->id >= 0)
                ids[ni++] = p;
        }
        if (!nunnamed || !numeric || nn != ni)
            continue;
        qsort(named, nn, sizeof *named, cmp_pgp_name);
        qsort(ids, ni, sizeof *ids, cmp_pgp_id);
        bool agree = true;
        for (size_t k = 0; k < nn && agree; k++)
            agree = named[k].p->id < 0 || named[k].p->id == ids[k]->id;
        for (size_t k = 0; k < ni && agree; k++)
            agree = !k || ids[k]->id != ids[k - 1]->id;
        if (!agree)
            continue;
        for (size_t k = 0; k < nn; k++)
            if (named[k].p->id < 0 && !ids[k]->name)
                put_status(x, named[k].p->name, d->rank, ids[k]);
    }
    return 0;
}

/* ---- walking the records --------------------------------------------------------------- */

static bool is_p2p(const struct fl_ev_nccl_fr *r)
{
    if (r->is_p2p)
        return true; /* the reader sets it from the name for dumps before the flag existed */
    const char *c = memchr(r->op.ptr ? r->op.ptr : "", ':', r->op.len);
    size_t at = c ? (size_t)(c - r->op.ptr) + 1 : 0, left = r->op.len - at;
    return left >= 4 && (!memcmp(r->op.ptr + at, "send", 4) || !memcmp(r->op.ptr + at, "recv", 4));
}

static int cmp_by_record(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->u.fr.record_id != y->u.fr.record_id)
        return x->u.fr.record_id < y->u.fr.record_id ? -1 : 1;
    int sx = state_rank(x->u.fr.state), sy = state_rank(y->u.fr.state);
    if (sx != sy)
        return sx > sy ? -1 : 1; /* the furthest state of one record first */
    if (x->ts != y->ts)
        return x->ts > y->ts ? -1 : 1;
    return (x->uid > y->uid) - (x->uid < y->uid);
}

/* How unit b's calls compare with unit a's: the representatives, then a coalesced group's
 * ops in order. */
static enum fl__nccl_match match_units(const struct ctx *x, const struct unit *a,
                                       const struct unit *b, int32_t size)
{
    enum fl__nccl_match m = match_calls(x, &a->call, &b->call, size);
    if (!compatible(m))
        return m;
    if (a->nops != b->nops && a->nops && b->nops)
        return FL__NM_SIZE; /* coalesced groups of different lengths */
    for (uint32_t i = 0; i < a->nops && i < b->nops; i++) {
        enum fl__nccl_match k =
            match_calls(x, &x->opcalls[a->ops + i], &x->opcalls[b->ops + i], size);
        if (!compatible(k))
            return k;
    }
    return m;
}

/* One rank's records of one (pg name, collective seq): p2p ones set aside, the rest one unit. */
static int take_rank(struct ctx *x, size_t a, size_t b, uint32_t s, size_t *nunits)
{
    size_t nc = 0;
    x->buf = grow(x->a, x->buf, &x->buf_cap, b - a, sizeof *x->buf);
    if (!x->buf)
        return oom();
    for (size_t k = a; k < b; k++) {
        const struct fl_event *e = x->recs[k];
        const struct fl_ev_nccl_fr *r = &e->u.fr;
        note_time(x, e->clock == FL_CLOCK_WALL ? e->ts : 0);
        note_time(x, r->started_ns);
        note_time(x, r->completed_ns);
        if (s == UINT32_MAX)
            continue;
        struct rk *rk = &x->rks[x->slots[s].rk];
        struct pg *pgd = &x->pgs[x->slots[s].pg];
        rk->has_records = true;
        if (!pgd->desc && !pgd->desc_s.len && r->pg_desc.len)
            pgd->desc_s = r->pg_desc;
        if (!rk->node && e->node)
            rk->node = e->node;
        if (rk->gpu_index < 0 && e->gpu.index >= 0)
            rk->gpu_index = e->gpu.index;
        /* the reader sets is_p2p from the name for dumps before the flag existed */
        bool p2p = r->is_p2p;
        struct p2p_name pn;
        if (p2p) {
            pn = p2p_name_of(x, r->op);
        } else {
            uint32_t name = name_of(x, r->op);
            if (name == UINT32_MAX)
                return oom();
            p2p = x->ids->names[name].p2p;
            pn = p2p_name_make(&x->ids->names[name].o);
        }
        if (p2p) {
            x->pgs[x->slots[s].pg].has_p2p = true;
            x->p2p = grow(x->a, x->p2p, &x->p2p_cap, x->np2p + 1, sizeof *x->p2p);
            if (!x->p2p)
                return oom();
            x->p2p[x->np2p++] = (struct p2pop){.slot = s,
                                               .pg = x->slots[s].pg,
                                               .own_state = r->state,
                                               .coalesced = r->coalesced,
                                               .send = pn.send,
                                               .recv_named = pn.recv,
                                               .peer_pg_rank = pn.peer_pg_rank,
                                               .has_peer = (r->known & FL_FR_HAS_PEER) != 0,
                                               .peer = r->peer,
                                               .rid = r->record_id,
                                               .p2p_seq = r->p2p_seq,
                                               .ev = e};
            continue;
        }
        if (r->collective_seq < 0 || r->collective_seq > SEQ_MAX)
            continue;
        x->buf[nc++] = e;
    }
    if (!nc)
        return 0;
    struct pg *g = &x->pgs[x->slots[s].pg];
    g->has_coll = true;
    if (nc > 1)
        qsort(x->buf, nc, sizeof *x->buf, cmp_by_record);
    size_t u = 0;
    for (size_t k = 0; k < nc; k++)
        if (!u || x->buf[u - 1]->u.fr.record_id != x->buf[k]->u.fr.record_id)
            x->buf[u++] = x->buf[k];
    /* the closing entry of a coalesced group represents it; the ops are compared in order */
    const struct fl_event *end = NULL;
    x->opsbuf = grow(x->a, x->opsbuf, &x->ops_cap, x->nops + u, sizeof *x->opsbuf);
    if (!x->opsbuf)
        return oom();
    const struct fl_event **ops = x->opsbuf + x->nops;
    size_t nops = 0;
    for (size_t k = 0; k < u; k++) {
        if (x->buf[k]->u.fr.coalesced == FL_FR_COALESCED_END)
            end = x->buf[k];
        else
            ops[nops++] = x->buf[k];
    }
    struct unit un = {
        .slot = s, .rep = end ? end : ops[0], .ops = (uint32_t)x->nops, .nops = (uint32_t)nops};
    if (!end) { /* one op; or a coalesced group not yet closed: its first op stands for it */
        un.ops++;
        un.nops--;
    }
    x->opcalls = grow(x->a, x->opcalls, &x->opcalls_cap, x->nops + nops + 1, sizeof *x->opcalls);
    if (!x->opcalls)
        return oom();
    for (size_t k = 0; k < nops; k++)
        if (!call_of(x, &ops[k]->u.fr, &x->opcalls[x->nops + k]))
            return oom();
    if (!call_of(x, &un.rep->u.fr, &un.call))
        return oom();
    x->nops += nops;
    un.state = un.rep->u.fr.state;
    if (!end)
        for (size_t k = 0; k < nops; k++)
            if (state_rank(ops[k]->u.fr.state) < state_rank(un.state))
                un.state = ops[k]->u.fr.state;
    x->units = grow(x->a, x->units, &x->units_cap, *nunits + 1, sizeof *x->units);
    if (!x->units)
        return oom();
    x->units[(*nunits)++] = un;

    struct slot *sl = &x->slots[s];
    int64_t seq = un.rep->u.fr.collective_seq;
    if (seq > sl->e) {
        sl->e = seq;
        sl->last = un.rep;
    }
    if (state_rank(un.state) >= 2 && seq > sl->s)
        sl->s = seq;
    if (un.state == FL_FR_COMPLETED && seq > sl->c)
        sl->c = seq;
    sl->nrec++;
    return 0;
}

static int cmp_unit_slot(const void *a, const void *b)
{
    const struct unit *x = a, *y = b;
    return (x->slot > y->slot) - (x->slot < y->slot);
}

/* Whether a unit's calls are consistent in themselves (sizes for the op and pg size,
 * dtypes). */
static enum fl__nccl_match self_match(const struct ctx *x, const struct unit *u, int32_t size)
{
    return match_units(x, u, u, size);
}

/* The units of one pg at one seq: find the first mismatch of the pg. Units agreeing with
 * each other form classes (in rank order); the unique largest class is right. */
static int check_units(struct ctx *x, struct unit *u, size_t n)
{
    struct pg *g = &x->pgs[x->slots[u[0].slot].pg];
    if (g->mm_kind || g->nmembers < 2)
        return 0;
    int32_t size = (int32_t)g->nmembers;
    x->cls = grow(x->a, x->cls, &x->cls_cap, n, sizeof *x->cls);
    x->rep = grow(x->a, x->rep, &x->rep_cap, n, sizeof *x->rep);
    x->cnt = grow(x->a, x->cnt, &x->cnt_cap, n, sizeof *x->cnt);
    if (!x->cls || !x->rep || !x->cnt)
        return oom();
    uint32_t *cls = x->cls, *rep = x->rep, *cnt = x->cnt;
    size_t nc = 0;
    bool selfbad = false;
    for (size_t i = 0; i < n; i++) {
        /* the same call as the unit before (the common case) is as consistent as it was */
        bool again = i && !u[i].nops && !u[i - 1].nops && same_call(&u[i - 1].call, &u[i].call);
        selfbad = selfbad || (!again && !compatible(self_match(x, &u[i], size)));
        size_t c = 0;
        while (c < nc &&
               !(!u[i].nops && !u[rep[c]].nops && same_call(&u[rep[c]].call, &u[i].call)) &&
               !compatible(match_units(x, &u[rep[c]], &u[i], size)))
            c++;
        if (c == nc) {
            rep[nc] = (uint32_t)i;
            cnt[nc++] = 0;
        }
        cls[i] = (uint32_t)c;
        cnt[c]++;
    }
    uint32_t best = 0;
    bool unique = true;
    for (size_t c = 1; c < nc; c++) {
        if (cnt[c] > cnt[best]) {
            best = (uint32_t)c;
            unique = true;
        } else if (cnt[c] == cnt[best]) {
            unique = false;
        }
    }
    int32_t *culprits = NULL;
    size_t ncul = 0;
    const struct fl_event *major = NULL, *minor = NULL;
    enum fl__nccl_match kind = FL__NM_MATCH;
    if (nc > 1 || selfbad) {
        culprits = FL_ARENA_NEW_N(x->a, int32_t, n);
        if (!culprits)
            return oom();
    }
    if (nc > 1) {
        size_t other = SIZE_MAX;
        for (size_t i = 0; i < n; i++)
            if (!unique || cls[i] != best) {
                culprits[ncul++] = x->rks[x->slots[u[i].slot].rk].rank;
                if (other == SIZE_MAX && cls[i] != (unique ? best : 0))
                    other = i;
            }
        size_t mj = unique ? rep[best] : rep[0];
        major = u[mj].rep;
        minor = u[other].rep;
        kind = match_units(x, &u[mj], &u[other], size);
    } else if (selfbad) {
        /* every rank agrees, on a call inconsistent in itself */
        for (size_t i = 0; i < n; i++) {
            enum fl__nccl_match m = self_match(x, &u[i], size);
            if (compatible(m))
                continue;
            culprits[ncul++] = x->rks[x->slots[u[i].slot].rk].rank;
            if (!minor) {
                minor = u[i].rep;
                kind = m;
            }
        }
        major = minor;
    } else if (x->ids->names[u[0].call.name].all_to_all && n == g->nmembers) {
        /* all_to_all: only the totals over every rank can be checked */
        uint64_t tin = 0, tout = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t in, out;
            if (!sizes_total(x, u[i].call.in, &in) || !sizes_total(x, u[i].call.out, &out) ||
                in > UINT64_MAX - tin || out > UINT64_MAX - tout)
                return 0;
            tin += in;
            tout += out;
        }
        if (tin == tout)
            return 0;
        kind = FL__NM_SIZE;
        major = u[0].rep;
        minor = u[n - 1].rep;
    } else {
        return 0;
    }
    g->mm_kind = (uint8_t)kind;
    g->mm_seq = u[0].rep->u.fr.collective_seq;
    g->mm_major = major;
    g->mm_minor = minor;
    g->mm_culprits = culprits;
    g->nmm_culprits = (uint32_t)ncul;
    g->nmm_units = (uint32_t)n;
    return 0;
}

#define PREFETCH 64

static int p2p_block(struct ctx *x); /* with the p2p judging, below */

/* One pass over the records in (pg name, collective seq, rank) order: per-rank state, first
 * mismatch per pg, p2p ops set aside, (name, rank) pairs no pg_config lists noted. */
static int walk(struct ctx *x)
{
    size_t n = x->nrecs, lo = 0, hi = 0;
    uint32_t cur = 0;
    /* the p2p pairing's per-slot state (p2p_block) */
    size_t ns = x->nslots + 1;
    x->p2p_cnt = FL_ARENA_NEW_N(x->a, size_t, 2 * ns);
    x->p2p_whole = FL_ARENA_NEW_N(x->a, bool, ns);
    x->p2p_last = FL_ARENA_NEW_N(x->a, const struct fl_event *, ns);
    if (!x->p2p_cnt || !x->p2p_whole || !x->p2p_last)
        return oom();
    memset(x->p2p_whole, 0, ns * sizeof *x->p2p_whole);
    memset(x->p2p_last, 0, ns * sizeof *x->p2p_last);
    x->np2p = x->nwork = 0;
    for (size_t g = 0; g < x->npgs; g++)
        x->pgs[g].w0 = x->pgs[g].nw = 0;
    for (size_t i = 0; i < n;) {
        uint32_t name = x->recs[i]->u.fr.pg;
        int64_t cseq = x->recs[i]->u.fr.collective_seq;
        if (i && name != x->recs[i - 1]->u.fr.pg) { /* a pg name's records end */
            int rc = p2p_block(x);
            if (rc)
                return rc;
        }
        size_t j = i;
        while (j < n && x->recs[j]->u.fr.pg == name && x->recs[j]->u.fr.collective_seq == cseq) {
            /* records are visited in seq order, scattered over the event array: fetch the
             * ones ahead (the record spans a few cache lines) */
            if (j + PREFETCH < n) {
                const char *p = (const char *)x->recs[j + PREFETCH];
                __builtin_prefetch(p);
                __builtin_prefetch(p + 64);
                __builtin_prefetch(p + 128);
                __builtin_prefetch(p + 192);
                __builtin_prefetch(p + sizeof(struct fl_event) - 1);
            }
            /* and, once a record is in, its profiling name's bytes (name_of reads them when
             * the name is new at its address) */
            if (j + PREFETCH / 2 < n)
                __builtin_prefetch(x->recs[j + PREFETCH / 2]->u.fr.op.ptr);
            j++;
        }
        if (name != cur) { /* this name's part of the (name, rank) -> slot map */
            cur = name;
            lo = nr_lower(x, name, INT32_MIN, 0, x->nnr);
            hi = nr_lower(x, name + 1, INT32_MIN, lo, x->nnr);
        }
        size_t nunits = 0;
        x->nops = 0;
        for (size_t a = i; a < j;) {
            size_t b = a;
            int32_t r = x->recs[a]->u.fr.rank;
            while (b < j && x->recs[b]->u.fr.rank == r)
                b++;
            size_t p = nr_lower(x, name, r, lo, hi);
            uint32_t s = p < hi && x->nr[p].rank == r ? x->nr[p].slot : UINT32_MAX;
            int rc = s == UINT32_MAX ? note_loose(x, name, r) : take_rank(x, a, b, s, &nunits);
            if (rc)
                return rc;
            a = b;
        }
        /* units come in rank order, which is slot order unless a name has several pgs */
        bool sorted = true;
        for (size_t k = 1; k < nunits && sorted; k++)
            sorted = x->units[k - 1].slot < x->units[k].slot;
        if (!sorted)
            qsort(x->units, nunits, sizeof *x->units, cmp_unit_slot);
        for (size_t a = 0; a < nunits;) {
            size_t b = a;
            while (b < nunits && x->slots[x->units[b].slot].pg == x->slots[x->units[a].slot].pg)
                b++;
            int rc = check_units(x, x->units + a, b - a);
            if (rc)
                return rc;
            a = b;
        }
        i = j;
    }
    return p2p_block(x);
}

/* ==== judging a pg ====================================================================== */

static int64_t timeout_of(const struct ctx *x, const struct fl_event *e)
{
    if (x->cfg[P_ENTRY_TIMEOUT].b && e && e->u.fr.timeout_ms > 0)
        return e->u.fr.timeout_ms > INT64_MAX / FL_NS_PER_MS ? INT64_MAX
                                                             : e->u.fr.timeout_ms * FL_NS_PER_MS;
    return x->cfg[P_TIMEOUT].i;
}

/* The records of pg g at collective seq, one per rank (the unit's representative). */
static const struct fl_event *rec_at(const struct ctx *x, uint32_t g, int64_t seq, int32_t rank)
{
    uint32_t s = nr_find(x, x->pgs[g].name, rank);
    if (s == UINT32_MAX || x->slots[s].pg != g)
        return NULL;
    struct fl_evlist l = fl_window_pg_seq(x->w, x->pgs[g].name, seq);
    /* the list is in rank order: this rank's records only (a pg may have thousands) */
    size_t lo = 0, hi = l.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l.v[mid]->u.fr.rank < rank)
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct fl_event *best = NULL;
    for (size_t i = lo; i < l.n && l.v[i]->u.fr.rank == rank; i++) {
        const struct fl_event *e = l.v[i];
        if (is_p2p(&e->u.fr) || (x->job_of && x->job_of[e->src.input] != x->job))
            continue;
        if (!best ||
            (e->u.fr.coalesced == FL_FR_COALESCED_END) >
                (best->u.fr.coalesced == FL_FR_COALESCED_END) ||
            ((e->u.fr.coalesced == FL_FR_COALESCED_END) ==
                 (best->u.fr.coalesced == FL_FR_COALESCED_END) &&
             cmp_by_record(&e, &best) < 0))
            best = e;
    }
    return best;
}

static int64_t start_of(const struct fl_event *e)
{
    if (!e)
        return FL_TIME_NONE;
    if (e->u.fr.started_ns > 0)
        return e->u.fr.started_ns;
    return e->clock == FL_CLOCK_WALL ? e->ts : FL_TIME_NONE;
}

static int32_t *ranks_copy(struct ctx *x, const int32_t *v, size_t n)
{
    int32_t *c = FL_ARENA_NEW_N(x->a, int32_t, n ? n : 1);
    if (c && n)
        memcpy(c, v, n * sizeof *c);
    return c;
}

static struct finding *new_finding(struct ctx *x, uint32_t g, uint8_t cls, bool p2p)
{
    struct finding *f = &x->f[x->nf++];
    *f = (struct finding){.pg = g,
                          .cls = cls,
                          .p2p = p2p,
                          .ts = FL_TIME_NONE,
                          .waited = -1,
                          .timeout = -1,
                          .group = -1};
    return f;
}

/* Fill the waiting side of a collective finding at seq: entered ranks that did not complete
 * it (minus culprits), the earliest of their records and how long they waited. */
static int waiting_at(struct ctx *x, struct finding *f, const struct slot *sl, uint32_t nm,
                      int64_t seq)
{
    int32_t *w = FL_ARENA_NEW_N(x->a, int32_t, nm);
    if (!w)
        return oom();
    size_t nw = 0;
    for (uint32_t i = 0; i < nm; i++) {
        const struct slot *s = &sl[i];
        if (!s->known || s->E < seq || s->C >= seq)
            continue;
        int32_t r = x->rks[s->rk].rank;
        if (has_i32(f->culprits, f->nculprits, r))
            continue;
        w[nw++] = r;
        const struct fl_event *e = rec_at(x, f->pg, seq, r);
        if (e && (!f->wait_ev || fl_event_cmp(e, f->wait_ev) < 0))
            f->wait_ev = e;
        if (e && e->u.fr.retired && e->u.fr.state != FL_FR_COMPLETED)
            f->timed_out = true;
    }
    f->waiting = w;
    f->nwaiting = (uint32_t)nw;
    for (uint32_t i = 0; i < nm && !f->wait_ev; i++) /* nobody waits: a peer that completed it */
        if (sl[i].known && sl[i].E >= seq)
            f->wait_ev = rec_at(x, f->pg, seq, x->rks[sl[i].rk].rank);
    if (f->wait_ev) {
        f->ts = f->wait_ev->ts;
        int64_t t0 = start_of(f->wait_ev);
        if (t0 != FL_TIME_NONE && x->t_ref != FL_TIME_NONE && x->t_ref >= t0)
            f->waited = elapsed(x->t_ref, t0);
        f->timeout = timeout_of(x, f->wait_ev);
    }
    return 0;
}

static int judge_collective(struct ctx *x, uint32_t gi)
{
    struct pg *g = &x->pgs[gi];
    struct slot *sl = &x->slots[g->slot0];
    uint32_t nm = g->nmembers;
    /* pg_status counts p2p work in p2p seqs, which differ between ranks: it is read only for
     * pgs whose records are all collectives (a pg with no record pending anywhere has nothing
     * hung in it to find) */
    bool status_ok = g->has_coll && !g->has_p2p;
    int64_t cmax = INT64_MIN, cmin = INT64_MAX, emin = INT64_MAX, emax = INT64_MIN;
    size_t nknown = 0, nsus = 0;
    int32_t *sus = FL_ARENA_NEW_N(x->a, int32_t, nm);
    if (!sus)
        return oom();
    for (uint32_t i = 0; i < nm; i++) {
        struct slot *s = &sl[i];
        const struct rk *r = &x->rks[s->rk];
        bool st = status_ok && s->st_e != FL_FR_NO_SEQ && s->st_e <= SEQ_MAX && s->st_c <= SEQ_MAX;
        s->known = s->nrec > 0 || st;
        if (!s->known) {
            if (g->config && r->dstate != DS_OK && !r->has_records)
                sus[nsus++] = r->rank;
            continue;
        }
        s->E = s->e;
        s->C = s->c;
        if (st) {
            if (s->st_e > s->E)
                s->E = s->st_e;
            if (s->st_c != FL_FR_NO_SEQ && s->st_c > s->C)
                s->C = s->st_c;
        }
        if (s->C > s->E)
            s->E = s->C;
        nknown++;
        cmax = s->C > cmax ? s->C : cmax;
        cmin = s->C < cmin ? s->C : cmin;
        emax = s->E > emax ? s->E : emax;
        emin = s->E < emin ? s->E : emin;
    }
    bool mm_live = g->mm_kind && nknown && g->mm_seq > cmin;
    if (g->mm_kind) {
        struct finding *f = new_finding(x, gi, CL_MISMATCH, false);
        f->mm_kind = g->mm_kind;
        f->seq = g->mm_seq;
        f->mm_major = g->mm_major;
        f->mm_minor = g->mm_minor;
        f->culprits = g->mm_culprits;
        f->nculprits = g->nmm_culprits;
        f->ts = g->mm_minor ? g->mm_minor->ts : FL_TIME_NONE;
        f->nentered = g->nmm_units;
        if (f->nculprits > 1)
            qsort(f->culprits, f->nculprits, sizeof *f->culprits, cmp_i32);
        if (mm_live && g->mm_seq <= emax) {
            int rc = waiting_at(x, f, sl, nm, g->mm_seq);
            if (rc)
                return rc;
            if (g->mm_minor)
                f->ts = g->mm_minor->ts;
        }
    }
    if (!nknown || nm < 2)
        return 0;

    /* the wavefront */
    /* the first seq some rank never entered while a peer did (seqs count from 1: -1 is "none
     * yet") */
    int64_t nmiss = emin + 1 > 1 ? emin + 1 : 1;
    bool missing = nmiss <= emax;
    int32_t *cul = FL_ARENA_NEW_N(x->a, int32_t, nm);
    int32_t *lag = FL_ARENA_NEW_N(x->a, int32_t, nm);
    if (!cul || !lag)
        return oom();
    size_t ncul = 0, nlag = 0;
    int64_t lag_lo = INT64_MAX;
    int64_t strag_elapsed = -1, strag_timeout = -1;
    const struct fl_event *strag_ev = NULL;
    for (uint32_t i = 0; i < nm; i++) {
        const struct slot *s = &sl[i];
        if (!s->known)
            continue;
        int32_t r = x->rks[s->rk].rank;
        if (missing && s->E < nmiss)
            cul[ncul++] = r;
        if (s->C < cmax && s->E > s->C) {
            lag[nlag++] = r;
            lag_lo = s->C + 1 < lag_lo ? s->C + 1 : lag_lo;
            const struct fl_event *e = rec_at(x, gi, s->C + 1, r);
            int64_t t0 = start_of(e);
            if (t0 != FL_TIME_NONE && x->t_ref != FL_TIME_NONE) {
                int64_t el = elapsed(x->t_ref, t0), to = timeout_of(x, e);
                if (el >= to && (!strag_ev || el > strag_elapsed)) {
                    strag_elapsed = el;
                    strag_timeout = to;
                    strag_ev = e;
                }
            }
        }
    }
    struct finding *f = NULL;
    if (missing) {
        f = new_finding(x, gi, CL_MISSING, false);
        f->seq = nmiss;
        for (size_t k = 0; k < nlag; k++)
            cul[ncul++] = lag[k];
        qsort(cul, ncul, sizeof *cul, cmp_i32);
        ncul = uniq_i32(cul, ncul);
    } else if (strag_ev) {
        f = new_finding(x, gi, CL_STRAGGLER, false);
        f->seq = lag_lo;
        memcpy(cul, lag, nlag * sizeof *cul);
        ncul = nlag;
        f->waited = strag_elapsed;
        f->timeout = strag_timeout;
        f->wait_ev = strag_ev;
    } else if (cmax + 1 <= emin) {
        /* every known rank entered C_max + 1 and none completed it */
        int64_t n = cmax + 1, latest = FL_TIME_NONE, to = -1;
        bool all_known_time = true, timed_out = false;
        for (uint32_t i = 0; i < nm; i++) {
            if (!sl[i].known)
                continue;
            const struct fl_event *e = rec_at(x, gi, n, x->rks[sl[i].rk].rank);
            int64_t t0 = start_of(e);
            if (t0 == FL_TIME_NONE)
                all_known_time = false;
            else if (latest == FL_TIME_NONE || t0 > latest)
                latest = t0;
            if (e) {
                int64_t t = timeout_of(x, e);
                to = to < 0 || t < to ? t : to;
                timed_out = timed_out || (e->u.fr.retired && e->u.fr.state != FL_FR_COMPLETED);
            }
        }
        int64_t el = all_known_time && latest != FL_TIME_NONE && x->t_ref != FL_TIME_NONE
                         ? elapsed(x->t_ref, latest)
                         : -1;
        if (nsus) {
            f = new_finding(x, gi, CL_DUMP, false);
        } else if (timed_out || (to > 0 && el >= to)) {
            f = new_finding(x, gi, CL_STUCK, false);
            f->timed_out = timed_out;
        }
        if (f)
            f->seq = n;
    }
    if (!f)
        return 0;
    if (f->cls == CL_MISSING && mm_live && g->mm_seq <= f->seq) {
        x->nf--; /* the mismatch is the hang's cause */
        return 0;
    }
    f->culprits = ranks_copy(x, cul, ncul);
    f->nculprits = (uint32_t)ncul;
    qsort(lag, nlag, sizeof *lag, cmp_i32);
    f->laggards = ranks_copy(x, lag, nlag);
    f->nlaggards = f->cls == CL_STUCK ? 0 : (uint32_t)nlag;
    f->lag_lo = lag_lo;
    f->lag_hi = cmax;
    f->suspects = sus;
    f->nsuspects = (uint32_t)nsus;
    if (!f->culprits || !f->laggards)
        return oom();
    if (f->cls == CL_STRAGGLER) {
        f->ts = f->wait_ev->ts;
        for (uint32_t i = 0; i < nm; i++)
            f->ncompleted += sl[i].known && sl[i].C >= f->seq;
        return 0;
    }
    int rc = waiting_at(x, f, sl, nm, f->seq);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < nm; i++)
        f->nentered += sl[i].known && sl[i].E >= f->seq;
    if (f->cls == CL_STUCK || f->cls == CL_DUMP) {
        /* py-spy may show a rank that is not in any collective: name it */
        for (uint32_t i = 0; i < nm; i++) {
            const struct rk *r = &x->rks[sl[i].rk];
            if (f->cls == CL_STUCK && r->stack &&
                r->stack->u.pyspy.activity != FL_PYSPY_COLLECTIVE &&
                r->stack->u.pyspy.activity != FL_PYSPY_UNKNOWN)
                cul[ncul++] = r->rank;
        }
        f->culprits = ranks_copy(x, cul, ncul);
        f->nculprits = (uint32_t)ncul;
        if (!f->culprits)
            return oom();
    }
    return 0;
}

/* ---- p2p --------------------------------------------------------------------------------- */

static int cmp_p2p_slot(const void *a, const void *b)
{
    const struct p2pop *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->rid != y->rid) /* cmp_by_record's first key, without reading the events */
        return x->rid < y->rid ? -1 : 1;
    return cmp_by_record(&x->ev, &y->ev);
}

static int cmp_p2p_pair(const void *a, const void *b)
{
    const struct p2pop *x = a, *y = b;
    if (x->pg != y->pg)
        return x->pg < y->pg ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    if (x->recv != y->recv)
        return x->recv < y->recv ? -1 : 1;
    if (x->rid != y->rid)
        return x->rid < y->rid ? -1 : 1;
    return cmp_by_record(&x->ev, &y->ev);
}

/* The p2p ops of every pg, paired per direction (src -> dst: the sends of src to dst against
 * the recvs of dst from src, each in its rank's own order; p2p_seq_id counts each rank's own
 * p2p ops in the pg, whatever the peer, so it is never compared across ranks).
 *
 * Alignment. When both ranks' dumps hold every p2p op they issued in the pg (their p2p seqs
 * run from 1 without a gap: the ring buffer dropped none), the k-th send pairs with the k-th
 * recv. Otherwise only the pending ops are paired, oldest first (a dump keeps the newest
 * entries, and what is pending is newest): the completed halves cannot be told apart.
 *
 * Per pair: both pending past the timeout: stuck (network or NCCL, like a collective every
 * rank entered); one completed, the other still held past its timeout: the holder
 * straggles. An op with no counterpart: its peer never posted it (missing). One finding per
 * pg: missing first, then straggler, then stuck. */
struct p2pjudge {
    int32_t *cul, *wait, *strag, *stuck;
    size_t ncul, nwait, nstrag, nstuck, unmatched, npairs;
    const struct fl_event *first;            /* missing: the earliest op without counterpart */
    const struct fl_event *s_ev, *s_peer;    /* straggler: the held op, its completed half */
    int64_t s_el, s_to;
    const struct fl_event *k_send, *k_recv;  /* stuck: the earliest pair */
    int64_t k_el, k_to;
    bool k_timed_out;
};

static int32_t p2p_self(const struct p2pop *o)
{
    return o->recv ? o->dst : o->src;
}

static bool p2p_timed_out(const struct p2pop *o)
{
    return o->ev->u.fr.retired && o->state != FL_FR_COMPLETED;
}

/* an op of the longer side with no counterpart: its peer never posted the other half */
static void p2p_unmatched(struct p2pjudge *j, const struct p2pop *w)
{
    if (w->state == FL_FR_COMPLETED)
        return; /* completed without a counterpart: nothing waits on it */
    j->cul[j->ncul++] = w->recv ? w->src : w->dst;
    j->wait[j->nwait++] = p2p_self(w);
    j->unmatched++;
    if (!j->first || fl_event_cmp(w->ev, j->first) < 0)
        j->first = w->ev;
}

static void p2p_pair(const struct ctx *x, struct p2pjudge *j, const struct p2pop *s,
                     const struct p2pop *r)
{
    bool sd = s->state == FL_FR_COMPLETED, rd = r->state == FL_FR_COMPLETED;
    if (sd && rd)
        return;
    if (sd != rd) { /* one half completed: the other straggles past its timeout */
        const struct p2pop *p = sd ? r : s;
        int64_t t0 = start_of(p->ev), to = timeout_of(x, p->ev);
        if (t0 == FL_TIME_NONE || x->t_ref == FL_TIME_NONE)
            return;
        int64_t el = elapsed(x->t_ref, t0);
        if (el < to)
            return;
        j->strag[j->nstrag++] = p2p_self(p);
        if (!j->s_ev || el > j->s_el || (el == j->s_el && fl_event_cmp(p->ev, j->s_ev) < 0)) {
            j->s_ev = p->ev;
            j->s_peer = (sd ? s : r)->ev;
            j->s_el = el;
            j->s_to = to;
        }
        return;
    }
    /* both pending: stuck once the later of the two has waited past the shorter timeout */
    int64_t ts = start_of(s->ev), tr = start_of(r->ev);
    int64_t latest = ts == FL_TIME_NONE || tr == FL_TIME_NONE ? FL_TIME_NONE : ts > tr ? ts : tr;
    int64_t el = latest != FL_TIME_NONE && x->t_ref != FL_TIME_NONE ? elapsed(x->t_ref, latest)
                                                                    : -1;
    int64_t to = timeout_of(x, s->ev), t2 = timeout_of(x, r->ev);
    to = t2 < to ? t2 : to;
    bool timed_out = p2p_timed_out(s) || p2p_timed_out(r);
    if (!timed_out && !(to > 0 && el >= to))
        return;
    j->stuck[j->nstuck++] = s->src;
    j->stuck[j->nstuck++] = r->dst;
    j->npairs++;
    if (!j->k_send || fl_event_cmp(s->ev, j->k_send) < 0) {
        j->k_send = s->ev;
        j->k_recv = r->ev;
        j->k_el = el;
        j->k_to = to;
        j->k_timed_out = timed_out;
    }
}

static uint32_t slot_of(const struct ctx *x, uint32_t gi, int32_t rank)
{
    const struct pg *g = &x->pgs[gi];
    uint32_t mi = member_index(g, rank);
    return mi == UINT32_MAX ? UINT32_MAX : g->slot0 + mi;
}

static int p2p_finding(struct ctx *x, uint32_t gi, struct p2pjudge *j)
{
    if (j->ncul) {
        int32_t *cul = j->cul, *wait = j->wait;
        size_t ncul = j->ncul, nwait = j->nwait;
        qsort(cul, ncul, sizeof *cul, cmp_i32);
        ncul = uniq_i32(cul, ncul);
        qsort(wait, nwait, sizeof *wait, cmp_i32);
        nwait = uniq_i32(wait, nwait);
        struct finding *f = new_finding(x, gi, CL_MISSING, true);
        /* a culprit without a usable dump is a suspect */
        size_t nc = 0, nsus = 0;
        int32_t *sus = FL_ARENA_NEW_N(x->a, int32_t, ncul);
        if (!sus)
            return oom();
        for (size_t k = 0; k < ncul; k++) {
            const struct rk *r = rk_find(x, cul[k]);
            if (!r || (r->dstate != DS_OK && !r->has_records))
                sus[nsus++] = cul[k];
            else
                cul[nc++] = cul[k];
        }
        size_t nw = 0;
        for (size_t k = 0; k < nwait; k++)
            if (!has_i32(cul, nc, wait[k]))
                wait[nw++] = wait[k];
        if (!nc && nsus)
            f->cls = CL_DUMP;
        const struct fl_event *first = j->first;
        f->culprits = cul;
        f->nculprits = (uint32_t)nc;
        f->suspects = sus;
        f->nsuspects = (uint32_t)nsus;
        f->waiting = wait;
        f->nwaiting = (uint32_t)nw;
        f->wait_ev = first;
        f->nunmatched = (uint32_t)j->unmatched;
        f->seq = first->u.fr.p2p_seq;
        f->ts = first->ts;
        int64_t t0 = start_of(first);
        if (t0 != FL_TIME_NONE && x->t_ref != FL_TIME_NONE && x->t_ref >= t0)
            f->waited = elapsed(x->t_ref, t0);
        f->timeout = timeout_of(x, first);
        f->timed_out = first->u.fr.retired && first->u.fr.state != FL_FR_COMPLETED;
        return 0;
    }
    if (j->nstrag) {
        qsort(j->strag, j->nstrag, sizeof *j->strag, cmp_i32);
        size_t n = uniq_i32(j->strag, j->nstrag);
        struct finding *f = new_finding(x, gi, CL_STRAGGLER, true);
        f->culprits = f->laggards = j->strag;
        f->nculprits = f->nlaggards = (uint32_t)n;
        f->wait_ev = j->s_ev;
        f->peer_ev = j->s_peer;
        f->seq = j->s_ev->u.fr.p2p_seq;
        f->ts = j->s_ev->ts;
        f->waited = j->s_el;
        f->timeout = j->s_to;
        return 0;
    }
    if (j->nstuck) {
        qsort(j->stuck, j->nstuck, sizeof *j->stuck, cmp_i32);
        size_t n = uniq_i32(j->stuck, j->nstuck);
        struct finding *f = new_finding(x, gi, CL_STUCK, true);
        f->waiting = j->stuck;
        f->nwaiting = f->nentered = (uint32_t)n;
        f->npairs = (uint32_t)j->npairs;
        f->wait_ev = j->k_send;
        f->peer_ev = j->k_recv;
        f->seq = j->k_send->u.fr.p2p_seq;
        f->ts = j->k_send->ts;
        f->waited = j->k_el;
        f->timeout = j->k_to;
        f->timed_out = j->k_timed_out;
        /* py-spy may show a rank of a stuck pair outside any collective: name it */
        int32_t *cul = FL_ARENA_NEW_N(x->a, int32_t, n);
        if (!cul)
            return oom();
        size_t nc = 0;
        for (size_t k = 0; k < n; k++) {
            const struct rk *r = rk_find(x, j->stuck[k]);
            if (r && r->stack && r->stack->u.pyspy.activity != FL_PYSPY_COLLECTIVE &&
                r->stack->u.pyspy.activity != FL_PYSPY_UNKNOWN)
                cul[nc++] = r->rank;
        }
        f->culprits = cul;
        f->nculprits = (uint32_t)nc;
    }
    return 0;
}

/* x->p2p[0..n) (one pg name's ops) by slot (stable: a counting sort), then each slot's ops
 * as cmp_p2p_slot orders them: they come in the walk's order, by collective seq, which is
 * record order unless a dump says otherwise (then that slot alone is sorted). The same order
 * qsort with cmp_p2p_slot gives: it is total (a record is one event). */
static int sort_p2p_slot(struct ctx *x, size_t n)
{
    x->p2p_alt = grow(x->a, x->p2p_alt, &x->p2p_alt_cap, n, sizeof *x->p2p_alt);
    if (!x->p2p_alt)
        return oom();
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        lo = x->p2p[i].slot < lo ? x->p2p[i].slot : lo;
        hi = x->p2p[i].slot > hi ? x->p2p[i].slot : hi;
    }
    size_t *start = x->p2p_cnt + lo; /* slots lo..hi, + 1 */
    memset(start, 0, ((size_t)(hi - lo) + 2) * sizeof *start);
    for (size_t i = 0; i < n; i++)
        start[x->p2p[i].slot - lo + 1]++;
    for (size_t k = 0; k <= hi - lo; k++)
        start[k + 1] += start[k];
    struct p2pop *out = x->p2p_alt;
    for (size_t i = 0; i < n; i++)
        out[start[x->p2p[i].slot - lo]++] = x->p2p[i];
    /* start[k] is now the end of slot lo + k */
    for (size_t k = 0, a = 0; k <= hi - lo; a = start[k++]) {
        size_t b = start[k];
        for (size_t i = a + 1; i < b; i++)
            if (cmp_p2p_slot(&out[i - 1], &out[i]) > 0) {
                qsort(out + a, b - a, sizeof *out, cmp_p2p_slot);
                break;
            }
    }
    x->p2p_alt = x->p2p; /* the buffers change places */
    x->p2p = out;
    size_t cap = x->p2p_alt_cap;
    x->p2p_alt_cap = x->p2p_cap;
    x->p2p_cap = cap;
    return 0;
}

/* x->p2p[a..b), one pg's ops in (slot, record) order, into cmp_p2p_pair's order. Within a pg
 * that order is (src, dst, recv) with the ops of one (src, dst, recv) in record order, and
 * those all come from one slot (the sender's for sends, the receiver's for recvs), already in
 * record order: a stable sort by (src, dst, recv) gives it, here two counting sorts over
 * member indices (by dst and recv, then stably by src). A rank outside the pg: qsort. */
static int sort_p2p_pair(struct ctx *x, size_t a, size_t b)
{
    const struct pg *g = &x->pgs[x->p2p[a].pg];
    size_t n = b - a, m = g->nmembers;
    /* per op: src index, dst index * 2 + recv; then the src index of tmp's ops */
    x->p2p_key = grow(x->a, x->p2p_key, &x->p2p_key_cap, 3 * n, sizeof *x->p2p_key);
    x->p2p_alt = grow(x->a, x->p2p_alt, &x->p2p_alt_cap, n, sizeof *x->p2p_alt);
    if (!x->p2p_key || !x->p2p_alt)
        return oom();
    uint32_t *key = x->p2p_key, *tkey = key + 2 * n;
    size_t *cnt = x->p2p_cnt; /* 2 x (slots + 1) >= 2 x members + 1 */
    struct p2pop *v = x->p2p + a, *tmp = x->p2p_alt;
    for (size_t i = 0; i < n; i++) {
        uint32_t si = member_index(g, v[i].src), di = member_index(g, v[i].dst);
        if (si == UINT32_MAX || di == UINT32_MAX) {
            qsort(v, n, sizeof *v, cmp_p2p_pair);
            return 0;
        }
        key[2 * i] = si;
        key[2 * i + 1] = 2 * di + v[i].recv;
    }
    /* by dst and recv, into tmp */
    memset(cnt, 0, (2 * m + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[key[2 * i + 1] + 1]++;
    for (size_t k = 0; k < 2 * m; k++)
        cnt[k + 1] += cnt[k];
    for (size_t i = 0; i < n; i++) {
        size_t at = cnt[key[2 * i + 1]]++;
        tmp[at] = v[i];
        tkey[at] = key[2 * i];
    }
    /* then stably by src, back into v */
    memset(cnt, 0, (m + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[tkey[i] + 1]++;
    for (size_t k = 0; k < m; k++)
        cnt[k + 1] += cnt[k];
    for (size_t i = 0; i < n; i++)
        v[cnt[tkey[i]]++] = tmp[i];
    return 0;
}

/* What judge_p2p weighs once every time is known (x->t_ref): a send/recv pair not both
 * completed, or a pending op with no counterpart. Pairs both completed and completed ops
 * without a counterpart weigh nothing, and are dropped as the walk goes. */
struct p2pwork {
    bool pair;
    struct p2pop a, b; /* pair: the send, the recv; else the op (a) */
};

static int add_work(struct ctx *x, bool pair, const struct p2pop *a, const struct p2pop *b)
{
    if (pair ? a->state == FL_FR_COMPLETED && b->state == FL_FR_COMPLETED
             : a->state == FL_FR_COMPLETED)
        return 0;
    x->work = grow(x->a, x->work, &x->work_cap, x->nwork + 1, sizeof *x->work);
    if (!x->work)
        return oom();
    x->work[x->nwork++] = (struct p2pwork){pair, *a, pair ? *b : *a};
    return 0;
}

/* One pg's ops, in cmp_p2p_pair order, paired per direction: its work. */
static int pair_pg(struct ctx *x, uint32_t gi, size_t i, size_t j)
{
    x->sp = grow(x->a, x->sp, &x->sp_cap, j - i + 1, sizeof *x->sp);
    x->rp = grow(x->a, x->rp, &x->rp_cap, j - i + 1, sizeof *x->rp);
    if (!x->sp || !x->rp)
        return oom();
    uint32_t *sp = x->sp, *rp = x->rp;
    x->pgs[gi].w0 = x->nwork;
    int rc = 0;
    for (size_t a = i; a < j && !rc;) {
        size_t b = a;
        while (b < j && x->p2p[b].src == x->p2p[a].src && x->p2p[b].dst == x->p2p[a].dst)
            b++;
        size_t ns = 0;
        while (a + ns < b && !x->p2p[a + ns].recv)
            ns++;
        const struct p2pop *S = &x->p2p[a], *R = &x->p2p[a + ns];
        size_t nr = b - a - ns;
        uint32_t ss = slot_of(x, gi, x->p2p[a].src), sr = slot_of(x, gi, x->p2p[a].dst);
        if (ss != UINT32_MAX && sr != UINT32_MAX && x->p2p_whole[ss] && x->p2p_whole[sr]) {
            size_t m = ns < nr ? ns : nr;
            for (size_t k = 0; k < m && !rc; k++)
                rc = add_work(x, true, &S[k], &R[k]);
            for (size_t k = m; k < ns && !rc; k++)
                rc = add_work(x, false, &S[k], NULL);
            for (size_t k = m; k < nr && !rc; k++)
                rc = add_work(x, false, &R[k], NULL);
        } else {
            size_t nsp = 0, nrp = 0;
            for (size_t k = 0; k < ns; k++)
                if (S[k].state != FL_FR_COMPLETED)
                    sp[nsp++] = (uint32_t)k;
            for (size_t k = 0; k < nr; k++)
                if (R[k].state != FL_FR_COMPLETED)
                    rp[nrp++] = (uint32_t)k;
            size_t m = nsp < nrp ? nsp : nrp;
            for (size_t k = 0; k < m && !rc; k++)
                rc = add_work(x, true, &S[sp[k]], &R[rp[k]]);
            for (size_t k = m; k < nsp && !rc; k++)
                rc = add_work(x, false, &S[sp[k]], NULL);
            for (size_t k = m; k < nrp && !rc; k++)
                rc = add_work(x, false, &R[rp[k]], NULL);
        }
        a = b;
    }
    x->pgs[gi].nw = x->nwork - x->pgs[gi].w0;
    return rc;
}

/* The sends and recvs of one pg name (the walk's x->p2p: the records of a pg are all under
 * its name), paired: the pairing is by counts and states alone, so it is done as the walk
 * goes, keeping the work (p2pwork) and each slot's latest op; the buffers are reused by the
 * next name. */
static int p2p_block(struct ctx *x)
{
    if (!x->np2p)
        return 0;
    int rc = sort_p2p_slot(x, x->np2p);
    if (rc)
        return rc;
    /* one entry per (rank, record_id), its furthest state first */
    size_t n = 0;
    for (size_t i = 0; i < x->np2p; i++)
        if (!n || x->p2p[n - 1].slot != x->p2p[i].slot || x->p2p[n - 1].rid != x->p2p[i].rid)
            x->p2p[n++] = x->p2p[i];
    x->np2p = n;
    n = 0;
    for (size_t i = 0; i < x->np2p;) {
        size_t j = i;
        while (j < x->np2p && x->p2p[j].slot == x->p2p[i].slot)
            j++;
        /* the rank's whole p2p history in the pg: seqs 1, then each the same or one more */
        bool all = true;
        int64_t prev = 0;
        for (size_t k = i; k < j && all; k++) {
            int64_t q = x->p2p[k].p2p_seq;
            all = q >= 1 && (q == prev || q == prev + 1);
            prev = q;
        }
        x->p2p_whole[x->p2p[i].slot] = all;
        /* an op of a coalesced batch (2.7+ records them without events, so they stay
         * scheduled) takes the state of its batch's closing entry, recorded after it */
        int64_t end_seq = -1;
        uint8_t end_state = 0;
        for (size_t k = j; k-- > i;) {
            struct p2pop *o = &x->p2p[k];
            o->state = o->own_state;
            if (o->coalesced == FL_FR_COALESCED_END) {
                end_seq = o->p2p_seq;
                end_state = o->own_state;
            } else if (o->coalesced == FL_FR_COALESCED_OP && o->p2p_seq == end_seq) {
                o->state = end_state;
            }
        }
        /* the sends and recvs with a resolvable peer */
        for (size_t k = i; k < j; k++) {
            struct p2pop op = x->p2p[k];
            if (op.coalesced == FL_FR_COALESCED_END)
                continue;
            const struct pg *g = &x->pgs[x->slots[op.slot].pg];
            int32_t self = x->rks[x->slots[op.slot].rk].rank, peer = -1;
            if (op.has_peer)
                peer = op.peer;
            else if (op.peer_pg_rank >= 0 && (uint32_t)op.peer_pg_rank < g->nmembers && g->config)
                peer = g->members[op.peer_pg_rank];
            if (peer < 0 || !(op.send || op.recv_named) || peer == self)
                continue;
            op.recv = op.recv_named;
            op.src = op.send ? self : peer;
            op.dst = op.send ? peer : self;
            x->p2p_last[op.slot] = op.ev; /* in record order: the last is the latest */
            x->p2p[n++] = op;
        }
        i = j;
    }
    /* per pg (slots are numbered by pg, so the pgs come in order) */
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && x->p2p[j].pg == x->p2p[i].pg)
            j++;
        if (!(rc = sort_p2p_pair(x, i, j)))
            rc = pair_pg(x, x->p2p[i].pg, i, j);
        i = j;
    }
    x->np2p = 0;
    return rc;
}

/* The p2p findings, pg by pg, from the work the walk kept. */
static int judge_p2p(struct ctx *x)
{
    for (uint32_t gi = 0; gi < x->npgs; gi++) {
        size_t nw = x->pgs[gi].nw;
        if (!nw)
            continue;
        struct p2pjudge jd = {0};
        jd.cul = FL_ARENA_NEW_N(x->a, int32_t, nw);
        jd.wait = FL_ARENA_NEW_N(x->a, int32_t, nw);
        jd.strag = FL_ARENA_NEW_N(x->a, int32_t, nw);
        jd.stuck = FL_ARENA_NEW_N(x->a, int32_t, 2 * nw);
        if (!jd.cul || !jd.wait || !jd.strag || !jd.stuck)
            return oom();
        for (size_t k = x->pgs[gi].w0; k < x->pgs[gi].w0 + nw; k++) {
            const struct p2pwork *w = &x->work[k];
            if (w->pair)
                p2p_pair(x, &jd, &w->a, &w->b);
            else
                p2p_unmatched(&jd, &w->a);
        }
        int rc = p2p_finding(x, gi, &jd);
        if (rc)
            return rc;
    }
    return 0;
}

/* ==== across pgs ========================================================================= */

struct victim {
    int32_t rank;
    uint32_t finding;
};

static int cmp_victim(const void *a, const void *b)
{
    const struct victim *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return (x->finding > y->finding) - (x->finding < y->finding);
}

static int32_t uf_find(struct finding *f, int32_t i)
{
    while (f[i].group != i) {
        f[i].group = f[f[i].group].group;
        i = f[i].group;
    }
    return i;
}

static bool culprit_of(const struct finding *f, int32_t r)
{
    return has_i32(f->culprits, f->nculprits, r) || has_i32(f->suspects, f->nsuspects, r);
}

/* Is culprit r of finding fi blocked as a victim in another finding? Returns the first. */
static size_t victim_lo(const struct victim *v, size_t nv, int32_t r)
{
    size_t lo = 0, hi = nv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].rank < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_free(const struct ctx *x, const struct victim *v, size_t nv, size_t fi, int32_t r)
{
    const struct rk *k = rk_find(x, r);
    if (k && k->laggard)
        return true;
    for (size_t i = victim_lo(v, nv, r); i < nv && v[i].rank == r; i++)
        if (x->f[v[i].finding].pg != x->f[fi].pg)
            return false;
    return true;
}

static int attribute(struct ctx *x, struct victim **vout, size_t *nvout)
{
    size_t nv = 0;
    for (size_t i = 0; i < x->nf; i++)
        nv += x->f[i].nwaiting;
    struct victim *v = FL_ARENA_NEW_N(x->a, struct victim, nv ? nv : 1);
    if (!v)
        return oom();
    nv = 0;
    for (size_t i = 0; i < x->nf; i++) {
        const struct finding *f = &x->f[i];
        for (uint32_t k = 0; k < f->nwaiting; k++)
            if (!culprit_of(f, f->waiting[k]))
                v[nv++] = (struct victim){f->waiting[k], (uint32_t)i};
        for (uint32_t k = 0; k < f->nlaggards; k++) {
            struct rk *r = rk_find(x, f->laggards[k]);
            if (r)
                r->laggard = true;
        }
    }
    qsort(v, nv, sizeof *v, cmp_victim);
    /* pure roots: every culprit free */
    for (size_t i = 0; i < x->nf; i++) {
        struct finding *f = &x->f[i];
        bool pure = true; /* a mismatch is a program bug: a root of its own */
        for (uint32_t k = 0; k < f->nculprits && pure && f->cls != CL_MISMATCH; k++)
            pure = is_free(x, v, nv, i, f->culprits[k]);
        f->root = pure;
        f->group = (int32_t)i;
        if (!pure)
            continue;
        for (uint32_t k = 0; k < f->nculprits; k++) {
            struct rk *r = rk_find(x, f->culprits[k]);
            if (r && !r->root_culprit) {
                r->root_culprit = true;
                r->root_finding = (int32_t)i;
            }
        }
        for (uint32_t k = 0; k < f->nsuspects; k++) {
            struct rk *r = rk_find(x, f->suspects[k]);
            if (r && !r->root_culprit) {
                r->root_culprit = true;
                r->root_finding = (int32_t)i;
            }
        }
    }
    /* the others are derived when their free culprits are all named by pure roots */
    bool any_pure = false;
    for (size_t i = 0; i < x->nf; i++)
        any_pure = any_pure || x->f[i].root;
    for (size_t i = 0; i < x->nf; i++) {
        struct finding *f = &x->f[i];
        if (f->root)
            continue;
        bool derived = any_pure && f->cls != CL_MISMATCH;
        for (uint32_t k = 0; k < f->nculprits && derived; k++) {
            int32_t r = f->culprits[k];
            const struct rk *k2 = rk_find(x, r);
            if (is_free(x, v, nv, i, r))
                derived = k2 && k2->root_culprit;
        }
        f->root = !derived;
    }
    /* roots sharing a culprit are one group */
    for (size_t i = 0; i < x->nf; i++) {
        if (!x->f[i].root)
            continue;
        for (uint32_t k = 0; k < x->f[i].nculprits + x->f[i].nsuspects; k++) {
            int32_t r = k < x->f[i].nculprits ? x->f[i].culprits[k]
                                              : x->f[i].suspects[k - x->f[i].nculprits];
            struct rk *rr = rk_find(x, r);
            if (!rr)
                continue;
            if (rr->root_finding < 0 || !x->f[rr->root_finding].root)
                rr->root_finding = (int32_t)i;
            int32_t a = uf_find(x->f, (int32_t)i), b = uf_find(x->f, rr->root_finding);
            if (a != b)
                x->f[a > b ? a : b].group = a < b ? a : b;
        }
    }
    for (size_t i = 0; i < x->nf; i++)
        if (x->f[i].root)
            x->f[i].group = uf_find(x->f, (int32_t)i);
    *vout = v;
    *nvout = nv;
    return 0;
}

/* Root groups a derived finding hangs on: through its blocked culprits (transitively) and the
 * root findings naming its free culprits. */
static int causes_of(struct ctx *x, const struct victim *v, size_t nv, size_t fi, bool *seen,
                     int32_t *groups, size_t *ng)
{
    size_t *stack = FL_ARENA_NEW_N(x->a, size_t, x->nf);
    if (!stack)
        return oom();
    memset(seen, 0, x->nf * sizeof *seen);
    size_t top = 0;
    stack[top++] = fi;
    seen[fi] = true;
    while (top) {
        size_t i = stack[--top];
        const struct finding *f = &x->f[i];
        if (f->root) {
            groups[(*ng)++] = f->group;
            continue;
        }
        for (uint32_t k = 0; k < f->nculprits; k++) {
            int32_t r = f->culprits[k];
            if (is_free(x, v, nv, i, r)) {
                const struct rk *rr = rk_find(x, r);
                if (rr && rr->root_finding >= 0)
                    groups[(*ng)++] = x->f[rr->root_finding].group;
                continue;
            }
            for (size_t m = victim_lo(v, nv, r); m < nv && v[m].rank == r; m++)
                if (x->f[v[m].finding].pg != f->pg && !seen[v[m].finding]) {
                    seen[v[m].finding] = true;
                    stack[top++] = v[m].finding;
                }
        }
    }
    qsort(groups, *ng, sizeof *groups, cmp_i32);
    *ng = uniq_i32(groups, *ng);
    return 0;
}

/* ==== text ============================================================================== */

struct sb {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sb *b, const char *fmt, ...)
{
    if (b->len >= b->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        b->len = b->len + (size_t)n < b->cap ? b->len + (size_t)n : b->cap - 1;
}

static void fmt_dur(int64_t ns, char *buf, size_t cap)
{
    int64_t s = ns / FL_NS_PER_SEC;
    if (ns < FL_NS_PER_SEC)
        snprintf(buf, cap, "%lldms", (long long)(ns / FL_NS_PER_MS));
    else if (s < 120)
        snprintf(buf, cap, "%llds", (long long)s);
    else if (s < 7200)
        snprintf(buf, cap, "%lldm", (long long)(s / 60));
    else
        snprintf(buf, cap, "%lldh%lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}

/* "rank 3" / "ranks 0-6, 9, 12 and 4 more" (ranges of consecutive ranks) */
static void sb_ranks(struct sb *b, const int32_t *r, size_t n, size_t max)
{
    sb_add(b, "rank%s ", n == 1 ? "" : "s");
    size_t items = 0, i = 0;
    for (; i < n && items < max; items++) {
        size_t j = i;
        while (j + 1 < n && r[j + 1] == r[j] + 1)
            j++;
        sb_add(b, "%s%d", items ? ", " : "", r[i]);
        if (j > i)
            sb_add(b, "%s%d", j == i + 1 ? ", " : "-", r[j]);
        i = j + 1;
    }
    if (i < n)
        sb_add(b, " and %zu more", n - i);
}

static const char *pg_label(const struct ctx *x, uint32_t gi, char *buf, size_t cap)
{
    const struct pg *g = &x->pgs[gi];
    struct fl_str d = istr(x, g->desc);
    if (!d.len)
        d = g->desc_s;
    if (d.len)
        snprintf(buf, cap, "pg %s (%.*s)", istr(x, g->name).ptr, FL_STR_FMT(d));
    else
        snprintf(buf, cap, "pg %s", istr(x, g->name).ptr);
    return buf;
}

static struct fl_str op_name(const struct fl_event *e)
{
    struct fl_fr_opname o;
    fl_fr_opname_parse(e->u.fr.op, &o);
    return o.op.len ? o.op : FL_STR_LIT("collective");
}

static const char *activity_words(uint8_t a)
{
    switch (a) {
    case FL_PYSPY_COLLECTIVE:
        return "in a collective";
    case FL_PYSPY_DATA_LOADING:
        return "in data loading";
    case FL_PYSPY_CHECKPOINT_IO:
        return "in checkpoint I/O";
    case FL_PYSPY_CUDA_SYNC:
        return "in a CUDA synchronize";
    case FL_PYSPY_IDLE:
        return "idle";
    case FL_PYSPY_ELSEWHERE:
        return "running Python outside any collective";
    default:
        return "in an unknown place";
    }
}

static struct fl_str stack_frame(const struct fl_event *s)
{
    const struct fl_ev_pyspy_stack *p = &s->u.pyspy;
    return p->activity_frame.len ? p->activity_frame : p->top_frame;
}

/* ==== verdicts ========================================================================== */

struct evbuf {
    struct fl_evidence *v;
    size_t n, max;
};

static void ev_add(struct evbuf *b, const struct fl_event *e, const char *desc)
{
    if (!e || !desc || b->n >= b->max)
        return;
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].ev == e)
            return;
    b->v[b->n].ev = e;
    b->v[b->n].description = desc;
    b->n++;
}

static const char *describe_rec(struct ctx *x, const struct fl_event *e, const char *who)
{
    const struct fl_ev_nccl_fr *r = &e->u.fr;
    char pg[256];
    uint32_t s = nr_find(x, r->pg, r->rank);
    if (s != UINT32_MAX)
        pg_label(x, x->slots[s].pg, pg, sizeof pg);
    else
        snprintf(pg, sizeof pg, "pg %s", istr(x, r->pg).ptr);
    char seq[48];
    if (is_p2p(r))
        snprintf(seq, sizeof seq, "p2p #%lld", (long long)r->p2p_seq);
    else
        snprintf(seq, sizeof seq, "#%lld", (long long)r->collective_seq);
    return fl_verdict_printf(
        x->out, "%s: rank %d %.*s %s on %s (record_id %lld), %s%s (sizes %s -> %s)", who, r->rank,
        FL_STR_FMT(r->op), seq, pg, (long long)r->record_id, fl_fr_state_name(r->state),
        r->retired && r->state != FL_FR_COMPLETED ? ", retired by the "
                                                    "watchdog"
                                                  : "",
        istr(x, r->input_sizes).len ? istr(x, r->input_sizes).ptr : "[]",
        istr(x, r->output_sizes).len ? istr(x, r->output_sizes).ptr : "[]");
}

/* The latest send or recv (completed or not) a slot recorded. */
static const struct fl_event *last_p2p(const struct ctx *x, const struct slot *s)
{
    return s ? x->p2p_last[s - x->slots] : NULL; /* p2p_block keeps it */
}

/* Evidence about a culprit: its last record in the pg, else its dump (or the lack of one). */
static void culprit_evidence(struct ctx *x, struct evbuf *b, const struct finding *f, int32_t r)
{
    const struct pg *g = &x->pgs[f->pg];
    uint32_t mi = member_index(g, r);
    const struct slot *s = mi != UINT32_MAX ? &x->slots[g->slot0 + mi] : NULL;
    const struct rk *k = rk_find(x, r);
    char pg[256];
    pg_label(x, f->pg, pg, sizeof pg);
    const struct fl_event *lp = last_p2p(x, s);
    if (f->p2p && lp) {
        ev_add(b, lp, describe_rec(x, lp, "its last p2p op there"));
        return;
    }
    if (!f->p2p && s && s->known && has_i32(f->laggards, f->nlaggards, r)) {
        const struct fl_event *e = rec_at(x, f->pg, s->C + 1, r);
        if (e) {
            ev_add(b, e, describe_rec(x, e, "first collective it did not complete"));
            return;
        }
    }
    const struct fl_event *last = s && s->last ? s->last : lp;
    if (last) {
        ev_add(b, last, describe_rec(x, last, "culprit's last record in the pg"));
        return;
    }
    if (k && k->dump && k->dstate == DS_OK) {
        const char *st = "";
        char buf[192] = "";
        if (s && s->st_e != FL_FR_NO_SEQ) {
            snprintf(buf, sizeof buf, ": last enqueued #%lld, last completed #%lld%s%s",
                     (long long)s->st_e, (long long)s->st_c,
                     s->st_e == s->st_c ? " (nothing pending)" : "",
                     g->has_p2p ? " (pg_status counts p2p work in p2p seqs)" : "");
            st = buf;
        }
        ev_add(b, k->dump,
               fl_verdict_printf(x->out, "rank %d's dump holds no entry of %s%s", r, pg, st));
    } else if (k && k->dump) {
        ev_add(b, k->dump,
               fl_verdict_printf(x->out, "rank %d's dump is %s: %.*s", r,
                                 k->dstate == DS_UNSUPPORTED ? "unsupported" : "unreadable",
                                 FL_STR_FMT(k->dump->u.fr_dump.error)));
    }
}

static void stack_evidence(struct ctx *x, struct evbuf *b, int32_t r)
{
    const struct rk *k = rk_find(x, r);
    if (!k || !k->stack)
        return;
    const struct fl_ev_pyspy_stack *p = &k->stack->u.pyspy;
    struct fl_str fr = stack_frame(k->stack);
    ev_add(b, k->stack,
           fl_verdict_printf(x->out, "py-spy, rank %d thread %.*s: %s%s%.*s%s", r,
                             FL_STR_FMT(p->thread_name), activity_words(p->activity),
                             fr.len ? " at " : "", FL_STR_FMT(fr),
                             p->gil ? " (holding the GIL)" : ""));
}

/* Words for the ranks of a finding with their nodes when they are known. */
static void sb_ranks_nodes(struct ctx *x, struct sb *b, const int32_t *r, size_t n)
{
    sb_ranks(b, r, n, (size_t)x->cfg[P_MAX_RANKS].i);
    /* one node for all: say it; a few on different nodes: list them */
    uint32_t node = 0;
    bool same = true, any = false;
    for (size_t i = 0; i < n; i++) {
        const struct rk *k = rk_find(x, r[i]);
        uint32_t nd = k ? k->node : 0;
        if (!nd) {
            same = false;
            continue;
        }
        any = true;
        if (node && nd != node)
            same = false;
        node = nd;
    }
    if (!any)
        return;
    if (same) {
        const struct rk *k = rk_find(x, r[0]);
        if (n == 1 && k && k->gpu_index >= 0)
            sb_add(b, " (%s GPU %d)", istr(x, node).ptr, k->gpu_index);
        else
            sb_add(b, " (%s)", istr(x, node).ptr);
        return;
    }
    if (n > 4)
        return;
    sb_add(b, " (");
    for (size_t i = 0; i < n; i++) {
        const struct rk *k = rk_find(x, r[i]);
        sb_add(b, "%s%d on %s", i ? ", " : "", r[i], k && k->node ? istr(x, k->node).ptr : "?");
    }
    sb_add(b, ")");
}

/* How long the waiting ranks waited: past their timeout when the watchdog retired the work,
 * else the lower bound when it is a second or more (a dump carries no write time). */
static void sb_wait(struct sb *b, const struct finding *f, bool plural)
{
    char d[32];
    if (f->timed_out && f->timeout > 0) {
        fmt_dur(f->timeout, d, sizeof d);
        sb_add(b, " waited past the %s timeout", d);
    } else if (f->waited >= FL_NS_PER_SEC) {
        fmt_dur(f->waited, d, sizeof d);
        sb_add(b, " waited at least %s", d);
    } else {
        sb_add(b, " %s waiting", plural ? "are still" : "is still");
    }
}

/* " (py-spy: rank 5's MainThread is in data loading)" for the first culprit py-spy saw. */
static void sb_stack_note(struct ctx *x, struct sb *b, const int32_t *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct rk *k = rk_find(x, r[i]);
        if (!k || !k->stack || k->stack->u.pyspy.activity == FL_PYSPY_UNKNOWN)
            continue;
        const struct fl_ev_pyspy_stack *p = &k->stack->u.pyspy;
        sb_add(b, " (py-spy: rank %d's %.*s is %s%s%.*s)", r[i], FL_STR_FMT(p->thread_name),
               activity_words(p->activity), p->op.len ? ": " : "", FL_STR_FMT(p->op));
        return;
    }
}

/* " in 11m" / " within the 10m timeout", then who py-spy names, for a stuck finding */
static void sb_stuck_tail(struct ctx *x, struct sb *b, const struct finding *f, const char *what)
{
    char d[32];
    if (f->timed_out && f->timeout > 0) {
        fmt_dur(f->timeout, d, sizeof d);
        sb_add(b, " within the %s timeout", d);
    } else if (f->waited >= 0) {
        fmt_dur(f->waited, d, sizeof d);
        sb_add(b, " in %s", d);
    }
    if (f->nculprits) {
        sb_add(b, "; py-spy shows ");
        sb_ranks_nodes(x, b, f->culprits, f->nculprits);
        const struct rk *k = rk_find(x, f->culprits[0]);
        sb_add(b, " %s, not in the %s",
               k && k->stack ? activity_words(k->stack->u.pyspy.activity) : "elsewhere", what);
    } else {
        sb_add(b, " (network or NCCL: Flight Recorder alone cannot name a rank)");
    }
}

/* p2p stuck and straggler headlines: the op and its p2p seq are those of one rank's record
 * (p2p seqs are counted per rank). */
static void headline_p2p(struct ctx *x, struct sb *b, const struct finding *f, const char *pg)
{
    struct fl_fr_opname o;
    fl_fr_opname_parse(f->wait_ev->u.fr.op, &o);
    if (f->cls == CL_STRAGGLER) {
        char d[32], t[32];
        fmt_dur(f->waited, d, sizeof d);
        fmt_dur(f->timeout, t, sizeof t);
        sb_add(b, "%.*s p2p #%lld on %s straggled: ", FL_STR_FMT(o.op), (long long)f->seq, pg);
        sb_ranks_nodes(x, b, f->culprits, f->nculprits);
        if (f->nculprits == 1)
            sb_add(b, " still held it %s after it began (timeout %s) while rank %d completed the "
                      "matching %s",
                   d, t, f->peer_ev->u.fr.rank, o.send ? "recv" : "send");
        else
            sb_add(b, " still held their halves up to %s after they began (timeout %s) while "
                      "their peers completed the matching ones",
                   d, t);
        return;
    }
    sb_add(b, "%.*s p2p #%lld on %s stuck: ", FL_STR_FMT(o.op), (long long)f->seq, pg);
    if (f->npairs == 1) {
        sb_add(b, "both ranks entered it (rank %d the send, rank %d the recv) and neither "
                  "completed it",
               f->wait_ev->u.fr.rank, f->peer_ev->u.fr.rank);
    } else {
        sb_ranks(b, f->waiting, f->nwaiting, (size_t)x->cfg[P_MAX_RANKS].i);
        sb_add(b, " entered %u send/recv pairs and none completed them", f->npairs);
    }
    sb_stuck_tail(x, b, f, "send/recv");
}

/* The headline of one finding (without the group's tail). */
static void headline(struct ctx *x, struct sb *b, const struct finding *f)
{
    char pg[256];
    pg_label(x, f->pg, pg, sizeof pg);
    const struct pg *g = &x->pgs[f->pg];
    const struct fl_event *at = f->wait_ev ? f->wait_ev : f->mm_minor;
    struct fl_str op = at && !f->p2p ? op_name(at) : FL_STR_LIT("collective");
    if (at && !f->p2p && at->u.fr.coalesced == FL_FR_COALESCED_END &&
        fl_str_eq_cstr(op, "coalesced"))
        op = FL_STR_LIT("coalesced group");
    if (f->p2p && (f->cls == CL_STUCK || f->cls == CL_STRAGGLER)) {
        headline_p2p(x, b, f, pg);
        return;
    }
    switch (f->cls) {
    case CL_MISMATCH: {
        const struct fl_event *mj = f->mm_major, *mn = f->mm_minor;
        sb_add(b, "%.*s #%lld on %s: ", FL_STR_FMT(op_name(mj)), (long long)f->seq, pg);
        if (f->nculprits == 0) {
            sb_add(b, "%.*s sizes do not add up across the %u ranks (elements sent != received)",
                   FL_STR_FMT(op_name(mj)), g->nmembers);
        } else if (mj == mn || f->nculprits == f->nentered) {
            sb_ranks_nodes(x, b, f->culprits, f->nculprits);
            if (mj == mn)
                sb_add(b, " called it with inconsistent %s (in %s, out %s)",
                       mismatch_word(f->mm_kind), istr(x, mn->u.fr.input_sizes).ptr,
                       istr(x, mn->u.fr.output_sizes).ptr);
            else
                sb_add(b, " disagree on %s: rank %d %.*s %s, rank %d %.*s %s",
                       mismatch_word(f->mm_kind), mj->u.fr.rank, FL_STR_FMT(op_name(mj)),
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mj->u.fr.input_dtypes).ptr
                                                  : istr(x, mj->u.fr.input_sizes).ptr,
                       mn->u.fr.rank, FL_STR_FMT(op_name(mn)),
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mn->u.fr.input_dtypes).ptr
                                                  : istr(x, mn->u.fr.input_sizes).ptr);
        } else {
            sb_ranks_nodes(x, b, f->culprits, f->nculprits);
            if (f->mm_kind == FL__NM_TYPE)
                sb_add(b, " called %.*s where %u/%u ranks called %.*s", FL_STR_FMT(op_name(mn)),
                       f->nentered - f->nculprits, f->nentered, FL_STR_FMT(op_name(mj)));
            else
                sb_add(b, " passed %s %s/%s where %u/%u ranks passed %s/%s",
                       mismatch_word(f->mm_kind),
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mn->u.fr.input_dtypes).ptr
                                                  : istr(x, mn->u.fr.input_sizes).ptr,
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mn->u.fr.output_dtypes).ptr
                                                  : istr(x, mn->u.fr.output_sizes).ptr,
                       f->nentered - f->nculprits, f->nentered,
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mj->u.fr.input_dtypes).ptr
                                                  : istr(x, mj->u.fr.input_sizes).ptr,
                       f->mm_kind == FL__NM_DTYPE ? istr(x, mj->u.fr.output_dtypes).ptr
                                                  : istr(x, mj->u.fr.output_sizes).ptr);
        }
        sb_add(b, " (a program bug, not hardware)");
        if (f->nwaiting) {
            sb_add(b, "; %u/%u ranks", f->nwaiting, g->nmembers);
            sb_wait(b, f, true);
        }
        return;
    }
    case CL_STRAGGLER: {
        char d[32], t[32];
        fmt_dur(f->waited, d, sizeof d);
        fmt_dur(f->timeout, t, sizeof t);
        sb_add(b, "%.*s #%lld on %s straggled: ", FL_STR_FMT(op), (long long)f->seq, pg);
        sb_ranks_nodes(x, b, f->culprits, f->nculprits);
        sb_add(b, " still held it %s after it began (timeout %s) while %u/%u ranks completed it", d,
               t, f->ncompleted, g->nmembers);
        return;
    }
    case CL_STUCK: {
        sb_add(b, "%.*s #%lld on %s stuck: all %u ranks entered it and none completed it",
               FL_STR_FMT(op), (long long)f->seq, pg, f->nentered);
        sb_stuck_tail(x, b, f, "collective");
        return;
    }
    case CL_DUMP:
    case CL_MISSING:
        break;
    }
    if (f->p2p) {
        struct fl_fr_opname o;
        fl_fr_opname_parse(f->wait_ev->u.fr.op, &o);
        sb_add(b, "%.*s p2p #%lld on %s hung: ", FL_STR_FMT(o.op), (long long)f->seq, pg);
        if (f->nculprits) {
            sb_ranks_nodes(x, b, f->culprits, f->nculprits);
            sb_add(b, " never posted the matching %s", o.send ? "recv" : "send");
            sb_stack_note(x, b, f->culprits, f->nculprits);
        }
        if (f->nsuspects) {
            sb_add(b, "%s", f->nculprits ? "; " : "");
            sb_ranks_nodes(x, b, f->suspects, f->nsuspects);
            sb_add(b, " left no usable dump (the likely culprit%s)", f->nsuspects > 1 ? "s" : "");
        }
        sb_add(b, "; ");
        if (f->nunmatched > 1)
            sb_add(b, "%u unmatched ops of ", f->nunmatched);
        sb_ranks_nodes(x, b, f->waiting, f->nwaiting);
        sb_wait(b, f, f->nunmatched > 1 || f->nwaiting > 1);
        return;
    }
    sb_add(b, "%.*s #%lld on %s hung: ", FL_STR_FMT(op), (long long)f->seq, pg);
    int32_t *absent = x->ibuf;
    size_t na = 0;
    for (uint32_t k = 0; k < f->nculprits; k++) {
        uint32_t mi = member_index(g, f->culprits[k]);
        const struct slot *s = mi != UINT32_MAX ? &x->slots[g->slot0 + mi] : NULL;
        if (s && s->known && s->E < f->seq)
            absent[na++] = f->culprits[k];
    }
    if (na) {
        sb_ranks_nodes(x, b, absent, na);
        sb_add(b, " never entered it");
        sb_stack_note(x, b, absent, na);
        sb_add(b, "; ");
    }
    if (f->nsuspects) {
        sb_ranks_nodes(x, b, f->suspects, f->nsuspects);
        const struct rk *k = rk_find(x, f->suspects[0]);
        sb_add(b, " left %s (%s), so %s state is unknown: %s culprit%s; ",
               !k || !k->dump                ? "no dump"
               : k->dstate == DS_UNSUPPORTED ? "an unsupported dump"
                                             : "an unreadable dump",
               !k || !k->dump                ? "missing"
               : k->dstate == DS_UNSUPPORTED ? "version not read"
                                             : "cut short or corrupt",
               f->nsuspects == 1 ? "its" : "their",
               na ? (f->nsuspects == 1 ? "possibly another" : "possibly other") : "the likely",
               f->nsuspects == 1 ? "" : "s");
    }
    uint32_t inside = 0; /* ranks inside it (culprits that entered and lag included) */
    for (uint32_t i = 0; i < g->nmembers; i++) {
        const struct slot *s = &x->slots[g->slot0 + i];
        inside += s->known && s->E >= f->seq && s->C < f->seq;
    }
    if (inside) {
        sb_add(b, "%u/%u ranks", inside, g->nmembers);
        sb_wait(b, f, true);
    } else { /* peers completed it without them: their dumps may predate it */
        int32_t *done = x->ibuf;
        size_t nd = 0;
        for (uint32_t i = 0; i < g->nmembers; i++) {
            const struct slot *s = &x->slots[g->slot0 + i];
            if (s->known && s->C >= f->seq)
                done[nd++] = x->rks[s->rk].rank;
        }
        sb_ranks(b, done, nd, (size_t)x->cfg[P_MAX_RANKS].i);
        sb_add(b, " completed it (a dump written before the others?)");
    }
    if (f->nlaggards) {
        sb_add(b, "; ");
        sb_ranks_nodes(x, b, f->laggards, f->nlaggards);
        if (f->lag_lo == f->lag_hi)
            sb_add(b, " had not completed #%lld, which ", (long long)f->lag_lo);
        else
            sb_add(b, " had not completed #%lld-#%lld, which ", (long long)f->lag_lo,
                   (long long)f->lag_hi);
        int32_t *done = x->ibuf;
        size_t nd = 0;
        for (uint32_t i = 0; i < g->nmembers; i++) {
            const struct slot *s = &x->slots[g->slot0 + i];
            if (s->known && s->C >= f->lag_hi)
                done[nd++] = x->rks[s->rk].rank;
        }
        sb_ranks(b, done, nd, (size_t)x->cfg[P_MAX_RANKS].i);
        sb_add(b, " completed");
    }
}

static const char *remediation(struct ctx *x, const struct finding *f, const int32_t *r, size_t n)
{
    char who[512];
    struct sb b = {who, 0, sizeof who};
    sb_ranks_nodes(x, &b, r, n);
    switch (f->cls) {
    case CL_MISMATCH:
        return fl_verdict_printf(
            x->out,
            "Fix the program: %s reached this collective with a different call than their "
            "peers (diverging control flow, uneven data or shapes). Restarting will hang "
            "again at the same place; the hardware is not at fault.",
            who);
    case CL_STRAGGLER:
        return fl_verdict_printf(
            x->out,
            "Look at %s first: %s GPU%s did not complete work %s peers completed. Check %s "
            "node%s for XIDs, ECC errors, thermal or power throttling and PCIe/NVLink errors at "
            "that time before restarting the job there.",
            who, n == 1 ? "its" : "their", n == 1 ? "" : "s", n == 1 ? "its" : "their",
            n == 1 ? "its" : "their", n == 1 ? "" : "s");
    case CL_STUCK:
        if (f->nculprits)
            return fl_verdict_printf(x->out,
                                     "Look at what %s was doing instead (the py-spy stack "
                                     "below); the ranks in the %s are victims.",
                                     who, f->p2p ? "send/recv" : "collective");
        if (f->p2p)
            return fl_verdict_printf(
                x->out,
                "Both ranks of the send/recv are inside it: check the network and NCCL between "
                "them (NCCL_DEBUG=INFO logs, InfiniBand/RoCE port counters, NVLink errors) and "
                "take py-spy dumps of both; Flight Recorder alone cannot name a rank.");
        return fl_verdict_printf(
            x->out,
            "Every rank is inside the collective: check the network and NCCL (NCCL_DEBUG=INFO "
            "logs, InfiniBand/RoCE port counters, NVLink errors) and take py-spy dumps of all "
            "ranks; Flight Recorder alone cannot name a rank.");
    case CL_DUMP:
        return fl_verdict_printf(
            x->out,
            "Find out what happened to %s: its process may have died or been killed before it "
            "could write its dump (exit code, OOM kill, XIDs on its node). Its peers are "
            "waiting for it.",
            who);
    default:
        break;
    }
    bool one = n == 1;
    if (f->nlaggards && f->nlaggards == n)
        return fl_verdict_printf(
            x->out,
            "Check the GPU%s of %s first: %s did not report completing collectives %s peers "
            "completed (XIDs, ECC errors, a hung or fallen-off GPU on %s node%s). The ranks "
            "waiting in the collective are victims; do not chase the network first.",
            one ? "" : "s", who, one ? "it" : "they", one ? "its" : "their", one ? "its" : "their",
            one ? "" : "s");
    if (f->nlaggards)
        return fl_verdict_printf(
            x->out,
            "Look at %s first: py-spy dump them and read their logs for exceptions, "
            "data-loader or checkpoint stalls; those that did not report completing collectives "
            "their peers completed also point at their GPU (check XIDs and ECC on their "
            "nodes). The ranks waiting in the collective are victims; do not chase the network "
            "first.",
            who);
    return fl_verdict_printf(
        x->out,
        "Look at what %s %s doing instead of %s: py-spy dump %s, read "
        "%s logs for exceptions, data-loader or checkpoint stalls, and check %s GPU%s (XIDs). "
        "The ranks waiting in it are victims; do not chase the network first.",
        who, one ? "was" : "were",
        !f->p2p ? "entering the collective"
        : one   ? "posting the send or recv its peer waits on"
                : "posting the sends and recvs their peers wait on",
        one ? "it" : "them", one ? "its" : "their", one ? "its" : "their", one ? "" : "s");
}

static enum fl_severity severity_of(const struct finding *f)
{
    switch (f->cls) {
    case CL_MISSING:
    case CL_STUCK:
    case CL_MISMATCH:
        return FL_SEV_CRITICAL;
    default:
        return FL_SEV_ERROR;
    }
}

static const char *pattern_of(const struct finding *f)
{
    static const char *const ids[CL__COUNT] = {
        [CL_MISMATCH] = "nccl_hang.mismatch",   [CL_MISSING] = "nccl_hang.missing",
        [CL_DUMP] = "nccl_hang.dump_missing",   [CL_STUCK] = "nccl_hang.stuck",
        [CL_STRAGGLER] = "nccl_hang.straggler",
    };
    return ids[f->cls];
}

/* Evidence of one finding: culprits' last records, one waiting rank's record, the mismatch
 * pair, py-spy stacks. */
static void finding_evidence(struct ctx *x, struct evbuf *b, const struct finding *f)
{
    if (f->cls == CL_MISMATCH) {
        if (f->mm_major && f->mm_major != f->mm_minor)
            ev_add(b, f->mm_major, describe_rec(x, f->mm_major, "the majority's call"));
        if (f->mm_minor)
            ev_add(b, f->mm_minor, describe_rec(x, f->mm_minor, "the disagreeing call"));
    }
    size_t maxc = b->max > 4 ? b->max - 4 : 1;
    for (uint32_t k = 0; k < f->nculprits && k < maxc; k++)
        culprit_evidence(x, b, f, f->culprits[k]);
    for (uint32_t k = 0; k < f->nsuspects && k < maxc; k++)
        culprit_evidence(x, b, f, f->suspects[k]);
    if (f->wait_ev && f->cls != CL_MISMATCH)
        ev_add(b, f->wait_ev,
               describe_rec(x, f->wait_ev,
                            f->cls == CL_STRAGGLER        ? "the straggler's record"
                            : f->nwaiting || f->nsuspects ? "a waiting rank's record"
                                                          : "a peer's record"));
    else if (f->wait_ev)
        ev_add(b, f->wait_ev, describe_rec(x, f->wait_ev, "a waiting rank's record"));
    if (f->peer_ev)
        ev_add(b, f->peer_ev, describe_rec(x, f->peer_ev, "the matching half"));
    for (uint32_t k = 0; k < f->nculprits && k < maxc; k++)
        stack_evidence(x, b, f->culprits[k]);
    for (uint32_t k = 0; k < f->nsuspects && k < maxc; k++)
        stack_evidence(x, b, f->suspects[k]);
}

static size_t cover(const struct finding *f, const int32_t *r, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += culprit_of(f, r[i]);
    return c;
}

/* Order of findings where output order matters: wavefront time, then pg. */
static bool finding_before(const struct finding *a, const struct finding *b)
{
    if (a->ts != b->ts)
        return a->ts != FL_TIME_NONE && (b->ts == FL_TIME_NONE || a->ts < b->ts);
    if (a->pg != b->pg)
        return a->pg < b->pg;
    return a->p2p < b->p2p;
}

static void set_scope(struct ctx *x, struct fl_verdict *v, const struct finding *f,
                      const int32_t *r, size_t n)
{
    const struct pg *g = &x->pgs[f->pg];
    v->scope.gpu.index = -1;
    v->scope.pg = g->name;
    struct fl_str d = istr(x, g->desc);
    if (!d.len)
        d = g->desc_s;
    v->scope.pg_desc = d.len ? fl_verdict_printf(x->out, "%.*s", FL_STR_FMT(d)) : NULL;
    v->scope.ranks = r;
    v->scope.nranks = n;
    uint32_t node = 0;
    bool same = n > 0;
    for (size_t i = 0; i < n && same; i++) {
        const struct rk *k = rk_find(x, r[i]);
        same = k && k->node && (!node || k->node == node);
        node = k ? k->node : 0;
    }
    if (same)
        v->scope.node = node;
    const struct fl_event *e = f->wait_ev ? f->wait_ev : f->mm_minor;
    if (e)
        v->scope.job = e->job;
}

static int emit_groups(struct ctx *x, uint64_t *group_uid, int32_t *primary)
{
    size_t maxev = (size_t)x->cfg[P_MAX_EVIDENCE].i;
    struct fl_evidence *evs = FL_ARENA_NEW_N(x->a, struct fl_evidence, maxev);
    int32_t *all = FL_ARENA_NEW_N(x->a, int32_t, x->nrks + 1);
    char *text = fl_arena_alloc(x->a, 4096, 1);
    if (!evs || !all || !text)
        return oom();
    for (size_t gi = 0; gi < x->nf; gi++) {
        if (!x->f[gi].root || x->f[gi].group != (int32_t)gi)
            continue;
        /* the group's culprits; its primary finding names most of them, earliest */
        size_t n = 0;
        size_t nmem = 0;
        for (size_t i = 0; i < x->nf; i++) {
            const struct finding *f = &x->f[i];
            if (!f->root || f->group != (int32_t)gi)
                continue;
            nmem++;
            for (uint32_t k = 0; k < f->nculprits; k++)
                all[n++] = f->culprits[k];
            for (uint32_t k = 0; k < f->nsuspects; k++)
                all[n++] = f->suspects[k];
        }
        qsort(all, n, sizeof *all, cmp_i32);
        n = uniq_i32(all, n);
        const struct finding *p = NULL;
        size_t pc = 0;
        for (size_t i = 0; i < x->nf; i++) {
            const struct finding *f = &x->f[i];
            if (!f->root || f->group != (int32_t)gi)
                continue;
            /* most culprits, then a live hang (not peers that completed it without the
             * culprit: an older dump), then class, then earliest */
            size_t c = cover(f, all, n);
            bool live = !(f->cls == CL_MISSING && !f->nwaiting && !f->nsuspects);
            bool plive = p && !(p->cls == CL_MISSING && !p->nwaiting && !p->nsuspects);
            if (!p || c > pc || (c == pc && live && !plive) ||
                (c == pc && live == plive && f->cls < p->cls) ||
                (c == pc && live == plive && f->cls == p->cls && finding_before(f, p))) {
                p = f;
                pc = c;
            }
        }
        primary[gi] = (int32_t)(p - x->f);
        struct sb b = {text, 0, 4096};
        headline(x, &b, p);
        if (nmem > 1) {
            sb_add(&b, "; the same ranks hold up %zu more pg%s (", nmem - 1, nmem == 2 ? "" : "s");
            /* in pg order (findings are made pg by pg, p2p ones after) */
            size_t listed = 0;
            for (size_t g = 0; g < x->npgs; g++)
                for (size_t i = 0; i < x->nf; i++) {
                    const struct finding *f = &x->f[i];
                    if (f->pg != g || !f->root || f->group != (int32_t)gi || f == p)
                        continue;
                    if (listed++ < 6)
                        sb_add(&b, "%s%s%s", listed > 1 ? ", " : "",
                               istr(x, x->pgs[f->pg].name).ptr, f->p2p ? " p2p" : "");
                }
            if (listed > 6)
                sb_add(&b, " and %zu more", listed - 6);
            sb_add(&b, ")");
        }
        struct evbuf eb = {evs, 0, maxev};
        finding_evidence(x, &eb, p);
        for (size_t i = 0; i < x->nf && eb.n < eb.max; i++) {
            const struct finding *f = &x->f[i];
            if (f->root && f->group == (int32_t)gi && f != p && f->wait_ev)
                ev_add(&eb, f->wait_ev, describe_rec(x, f->wait_ev, "also waiting"));
        }
        struct fl_verdict v = {0};
        v.pattern_id = pattern_of(p);
        v.severity = severity_of(p);
        v.ts = p->ts;
        set_scope(x, &v, p, all, n);
        v.headline = fl_verdict_printf(x->out, "%s", text);
        v.remediation = remediation(x, p, all, n);
        v.evidence = evs;
        v.nevidence = eb.n;
        if (!v.headline || !v.remediation)
            return oom();
        int rc = fl_verdict_emit(x->out, &v);
        if (rc)
            return rc;
        group_uid[gi] = x->out->v[x->out->n - 1].uid;
    }
    return 0;
}

struct derived {
    uint32_t finding;
    int32_t *groups;
    size_t ngroups;
    const struct finding *f;
};

static int cmp_derived(const void *a, const void *b)
{
    const struct derived *x = a, *y = b;
    size_t n = x->ngroups < y->ngroups ? x->ngroups : y->ngroups;
    for (size_t i = 0; i < n; i++)
        if (x->groups[i] != y->groups[i])
            return x->groups[i] < y->groups[i] ? -1 : 1;
    if (x->ngroups != y->ngroups)
        return x->ngroups < y->ngroups ? -1 : 1;
    if (finding_before(x->f, y->f))
        return -1;
    return finding_before(y->f, x->f) ? 1 : 0;
}

static int emit_blocked(struct ctx *x, const struct victim *v, size_t nv, const uint64_t *group_uid,
                        const int32_t *primary)
{
    size_t nd = 0;
    for (size_t i = 0; i < x->nf; i++)
        nd += !x->f[i].root;
    if (!nd)
        return 0;
    struct derived *d = FL_ARENA_NEW_N(x->a, struct derived, nd);
    bool *seen = FL_ARENA_NEW_N(x->a, bool, x->nf);
    if (!d || !seen)
        return oom();
    size_t cap = x->nf;
    for (size_t i = 0; i < x->nf; i++)
        cap += x->f[i].nculprits;
    nd = 0;
    for (size_t i = 0; i < x->nf; i++) {
        if (x->f[i].root)
            continue;
        int32_t *gs = FL_ARENA_NEW_N(x->a, int32_t, cap);
        if (!gs)
            return oom();
        size_t ng = 0;
        int rc = causes_of(x, v, nv, i, seen, gs, &ng);
        if (rc)
            return rc;
        d[nd++] = (struct derived){(uint32_t)i, gs, ng, &x->f[i]};
    }
    qsort(d, nd, sizeof *d, cmp_derived);
    size_t maxev = (size_t)x->cfg[P_MAX_EVIDENCE].i;
    struct fl_evidence *evs = FL_ARENA_NEW_N(x->a, struct fl_evidence, maxev);
    int32_t *ranks = FL_ARENA_NEW_N(x->a, int32_t, x->nrks + 1);
    uint64_t *causes = FL_ARENA_NEW_N(x->a, uint64_t, x->nf);
    char *text = fl_arena_alloc(x->a, 4096, 1);
    if (!evs || !ranks || !causes || !text)
        return oom();
    for (size_t i = 0; i < nd;) {
        size_t j = i + 1;
        while (j < nd && d[j].ngroups == d[i].ngroups &&
               (!d[i].ngroups ||
                !memcmp(d[j].groups, d[i].groups, d[i].ngroups * sizeof *d[i].groups)))
            j++;
        const struct finding *p = &x->f[d[i].finding];
        size_t n = 0; /* the ranks that look missing there but wait in a root hang */
        for (size_t k = i; k < j; k++) {
            const struct finding *f = &x->f[d[k].finding];
            for (uint32_t m = 0; m < f->nculprits; m++)
                if (!is_free(x, v, nv, d[k].finding, f->culprits[m]))
                    ranks[n++] = f->culprits[m];
        }
        qsort(ranks, n, sizeof *ranks, cmp_i32);
        n = uniq_i32(ranks, n);
        struct sb b = {text, 0, 4096};
        char pg[256];
        sb_add(&b, "%s%s", pg_label(x, p->pg, pg, sizeof pg), p->p2p ? " p2p" : "");
        if (j - i > 1) {
            sb_add(&b, " and %zu more pg%s (", j - i - 1, j - i == 2 ? "" : "s");
            for (size_t k = i + 1; k < j && k < i + 7; k++)
                sb_add(&b, "%s%s%s", k > i + 1 ? ", " : "",
                       istr(x, x->pgs[x->f[d[k].finding].pg].name).ptr,
                       x->f[d[k].finding].p2p ? " p2p" : "");
            if (j - i > 7)
                sb_add(&b, " and %zu more", j - i - 7);
            sb_add(&b, ")");
        }
        bool many = j - i > 1;
        sb_add(&b, " hang%s only as a consequence: ", many ? "" : "s");
        sb_ranks(&b, ranks, n, (size_t)x->cfg[P_MAX_RANKS].i);
        sb_add(&b, " never reached %s: %s in the hang of ", many ? "them" : "it",
               n == 1 ? "it waits" : "they wait");
        for (size_t k = 0; k < d[i].ngroups; k++) {
            /* a root group is named by its primary's pg, as its verdict is */
            const struct finding *r = &x->f[primary[d[i].groups[k]]];
            sb_add(&b, "%s%s%s", k ? (k + 1 == d[i].ngroups ? " and " : ", ") : "",
                   pg_label(x, r->pg, pg, sizeof pg), r->p2p ? " p2p" : "");
        }
        size_t nc = 0;
        for (size_t k = 0; k < d[i].ngroups; k++)
            if (group_uid[d[i].groups[k]])
                causes[nc++] = group_uid[d[i].groups[k]];
        struct evbuf eb = {evs, 0, maxev};
        for (size_t k = i; k < j && eb.n < eb.max; k++) {
            const struct finding *f = &x->f[d[k].finding];
            if (f->wait_ev)
                ev_add(&eb, f->wait_ev, describe_rec(x, f->wait_ev, "waiting"));
        }
        struct fl_verdict vd = {0};
        vd.pattern_id = "nccl_hang.blocked";
        vd.severity = FL_SEV_WARNING;
        vd.ts = p->ts;
        set_scope(x, &vd, p, ranks, n);
        vd.headline = fl_verdict_printf(x->out, "%s", text);
        vd.remediation = fl_verdict_printf(
            x->out, "No action of its own: these groups resume once the root hang named in "
                    "caused_by is fixed.");
        vd.evidence = evs;
        vd.nevidence = eb.n;
        vd.caused_by = causes;
        vd.ncaused_by = nc;
        if (!vd.headline || !vd.remediation)
            return oom();
        int rc = fl_verdict_emit(x->out, &vd);
        if (rc)
            return rc;
        i = j;
    }
    return 0;
}

/* The py-spy stack that stands for a rank: its main thread (by name), else a thread whose
 * activity is known; ties by thread id and uid. */
static int stack_score(const struct fl_event *e)
{
    const struct fl_ev_pyspy_stack *p = &e->u.pyspy;
    return (fl_str_eq_cstr(p->thread_name, "MainThread") ? 4 : 0) +
           (p->activity != FL_PYSPY_UNKNOWN ? 2 : 0) + (p->frames.len ? 1 : 0);
}

static void take_stacks(struct ctx *x)
{
    struct fl_evlist l = fl_window_kind(x->w, FL_EV_PYSPY_STACK);
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *e = l.v[i];
        if (e->u.pyspy.rank < 0)
            continue;
        struct rk *r = rk_find(x, e->u.pyspy.rank);
        if (!r)
            continue;
        if (r->stack) {
            int a = stack_score(e), b = stack_score(r->stack);
            if (a < b || (a == b && (e->u.pyspy.thread_id > r->stack->u.pyspy.thread_id ||
                                     (e->u.pyspy.thread_id == r->stack->u.pyspy.thread_id &&
                                      e->uid >= r->stack->uid))))
                continue;
        }
        r->stack = e;
        if (!r->node && e->node)
            r->node = e->node;
    }
}

/* One job: its dumps (rank-bearing, any order) and the records in x->recs. */
static int judge_job(struct ctx *x, const struct fl_event **dumps, size_t nd)
{
    /* one dump per rank */
    qsort(dumps, nd, sizeof *dumps, cmp_dump);
    size_t u = 0;
    for (size_t i = 0; i < nd; i++)
        if (!u || dumps[u - 1]->u.fr_dump.rank != dumps[i]->u.fr_dump.rank)
            dumps[u++] = dumps[i];
    nd = u;
    int rc = build_pgs(x, dumps, nd);
    if (rc)
        return rc;
    /* one walk; a second only when records name pgs no pg_config lists (they become pgs of
     * their own, and every state is rebuilt) */
    for (int pass = 0; pass < 2; pass++) {
        if ((rc = build_ranks(x, dumps, nd)) || (rc = map_status(x)))
            return rc;
        take_stacks(x);
        if ((rc = walk(x)))
            return rc;
        if (!x->nlo || pass)
            break;
        if ((rc = add_loose(x)))
            return rc;
        x->nlo = 0;
        for (size_t g = 0; g < x->npgs; g++) {
            struct pg *p = &x->pgs[g];
            p->has_coll = p->has_p2p = false;
            p->mm_kind = 0;
        }
    }
    x->ibuf = FL_ARENA_NEW_N(x->a, int32_t, x->nrks + 1);
    /* per pg: a mismatch and one wavefront finding (judge_collective), one p2p finding */
    x->f = FL_ARENA_NEW_N(x->a, struct finding, 3 * x->npgs + 1);
    if (!x->ibuf || !x->f)
        return oom();
    for (size_t g = 0; g < x->npgs && !rc; g++)
        rc = judge_collective(x, (uint32_t)g);
    if (!rc)
        rc = judge_p2p(x);
    if (rc || !x->nf)
        return rc;
    struct victim *v = NULL;
    size_t nv = 0;
    if ((rc = attribute(x, &v, &nv)))
        return rc;
    uint64_t *group_uid = FL_ARENA_NEW_N(x->a, uint64_t, x->nf);
    int32_t *primary = FL_ARENA_NEW_N(x->a, int32_t, x->nf);
    if (!group_uid || !primary)
        return oom();
    memset(group_uid, 0, x->nf * sizeof *group_uid);
    if ((rc = emit_groups(x, group_uid, primary)))
        return rc;
    return emit_blocked(x, v, nv, group_uid, primary);
}


/* ---- several jobs in one bundle ------------------------------------------------------------ */

/* The directory part of an input's path ("" when none). */
static struct fl_str dir_of(const struct fl_window *w, uint32_t input)
{
    const char *p = input < w->ninputs && w->inputs[input].path ? w->inputs[input].path : "";
    const char *slash = strrchr(p, '/');
    return fl_str_make(p, slash ? (size_t)(slash - p) : 0);
}

/* A dump and its directory, sorted by directory then as cmp_dump. */
struct dumpdir {
    struct fl_str dir;
    const struct fl_event *ev;
};

static int cmp_dumpdir(const void *a, const void *b)
{
    const struct dumpdir *x = a, *y = b;
    size_t n = x->dir.len < y->dir.len ? x->dir.len : y->dir.len;
    int c = n ? memcmp(x->dir.ptr, y->dir.ptr, n) : 0;
    if (c || x->dir.len != y->dir.len)
        return c ? c : (x->dir.len < y->dir.len ? -1 : 1);
    return cmp_dump(&x->ev, &y->ev);
}

/* A dump carries no job id, and a job has one dump per rank: when a rank number has dumps in
 * two directories, the bundle holds several jobs (or several dump rounds of one). Directories
 * are then taken in path order and put together while their ranks do not repeat (a job
 * split over per-node directories stays one job); a directory with a rank already present
 * starts the next job. *job_of (per input, UINT16_MAX: no job) stays NULL when every rank has
 * one directory: one job, as before. */
static int split_jobs(struct ctx *x, const struct fl_event **dumps, size_t nd, uint16_t **job_of,
                      uint16_t *njobs)
{
    const struct fl_window *w = x->w;
    *job_of = NULL;
    *njobs = 1;
    qsort(dumps, nd, sizeof *dumps, cmp_dump);
    bool repeat = false;
    int32_t maxrank = 0;
    for (size_t i = 0; i < nd; i++) {
        if (dumps[i]->u.fr_dump.rank > maxrank)
            maxrank = dumps[i]->u.fr_dump.rank;
        if (i && dumps[i]->u.fr_dump.rank == dumps[i - 1]->u.fr_dump.rank &&
            !fl_str_eq(dir_of(w, dumps[i]->src.input), dir_of(w, dumps[i - 1]->src.input)))
            repeat = true;
    }
    if (!repeat || maxrank < 0 || !w->ninputs)
        return 0;
    uint16_t *jo = FL_ARENA_NEW_N(x->a, uint16_t, w->ninputs);
    uint16_t *seen = FL_ARENA_NEW_N(x->a, uint16_t, (size_t)maxrank + 1); /* job + 1 */
    struct dumpdir *dd = FL_ARENA_NEW_N(x->a, struct dumpdir, nd);
    if (!jo || !seen || !dd)
        return oom();
    for (size_t i = 0; i < w->ninputs; i++)
        jo[i] = UINT16_MAX;
    memset(seen, 0, ((size_t)maxrank + 1) * sizeof *seen);
    for (size_t i = 0; i < nd; i++)
        dd[i] = (struct dumpdir){dir_of(w, dumps[i]->src.input), dumps[i]};
    qsort(dd, nd, sizeof *dd, cmp_dumpdir);
    uint16_t job = 0;
    for (size_t i = 0, j; i < nd; i = j) {
        for (j = i + 1; j < nd && fl_str_eq(dd[j].dir, dd[i].dir); j++)
            ;
        bool clash = false;
        for (size_t k = i; k < j && !clash; k++) {
            int32_t r = dd[k].ev->u.fr_dump.rank;
            clash = r >= 0 && seen[r] == job + 1;
        }
        if (clash && job + 1 < UINT16_MAX - 1)
            job++;
        for (size_t k = i; k < j; k++) {
            int32_t r = dd[k].ev->u.fr_dump.rank;
            if (r >= 0)
                seen[r] = (uint16_t)(job + 1);
            jo[dd[k].ev->src.input] = job;
        }
    }
    *job_of = jo;
    *njobs = (uint16_t)(job + 1);
    return 0;
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist dl = fl_window_kind(w, FL_EV_NCCL_FR_DUMP);
    size_t nrecs = w->nkind[FL_EV_NCCL_FR_RECORD];
    if (!dl.n && !nrecs)
        return 0;
    struct ctx base = {.w = w,
                       .cfg = cfg,
                       .out = out,
                       .a = out->arena,
                       .recs = w->fr_by_seq,
                       .nrecs = nrecs,
                       .t_ref = FL_TIME_NONE};
    const struct fl_event **dumps = FL_ARENA_NEW_N(base.a, const struct fl_event *, dl.n + 1);
    if (!dumps || ids_init(&base))
        return oom();
    size_t nd = 0;
    for (size_t i = 0; i < dl.n; i++)
        if (dl.v[i]->u.fr_dump.known & FL_FR_DUMP_HAS_RANK)
            dumps[nd++] = dl.v[i];
    uint16_t *job_of, njobs;
    int rc = split_jobs(&base, dumps, nd, &job_of, &njobs);
    if (rc)
        return rc;
    if (!job_of) {
        struct ctx cx = base;
        return judge_job(&cx, dumps, nd);
    }
    /* each job on its own: its dumps, its records (fr_by_seq order kept) */
    const struct fl_event **jd = FL_ARENA_NEW_N(base.a, const struct fl_event *, nd + 1);
    const struct fl_event **jr = FL_ARENA_NEW_N(base.a, const struct fl_event *, nrecs + 1);
    if (!jd || !jr)
        return oom();
    for (uint16_t j = 0; j < njobs && !rc; j++) {
        size_t n = 0, m = 0;
        for (size_t i = 0; i < nd; i++)
            if (job_of[dumps[i]->src.input] == j)
                jd[n++] = dumps[i];
        for (size_t i = 0; i < nrecs; i++)
            if (job_of[w->fr_by_seq[i]->src.input] == j)
                jr[m++] = w->fr_by_seq[i];
        struct ctx cx = base;
        cx.recs = jr;
        cx.nrecs = m;
        cx.job_of = job_of;
        cx.job = j;
        rc = judge_job(&cx, jd, n);
    }
    return rc;
}

const struct fl_detector fl_detector_nccl_hang = {
    .name = "nccl_hang",
    .summary = "the ranks that hung a NCCL collective or send/recv, and why, from Flight "
               "Recorder dumps and py-spy stacks",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_NCCL_FR_RECORD) | FL_EV_BIT(FL_EV_NCCL_FR_DUMP) |
             FL_EV_BIT(FL_EV_PYSPY_STACK),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
