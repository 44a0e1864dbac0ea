/* Deterministic PyTorch Flight Recorder dumps for the fr_* cases (bench.h, cases_fr.c).
 *
 * One rank of a Megatron-style MoE job (TP 8, PP 2, EP 128 inside each pipeline stage, 16
 * process groups per rank as Megatron names them) as its watchdog dumps it with version
 * "2.10": the last `nentries` operations of steady-state training (tensor-parallel all-gathers
 * and reduce-scatters, expert all-to-alls with token counts that vary, pipeline send/recv
 * pairs and MoE token dispatches as batch_isend_irecv groups, each op with its own entry and a
 * closing nccl:coalesced entry as 2.7+ records them, step-end data-parallel collectives), all
 * completed and retired except the tail where the job hung: a few completed but not retired,
 * one started, one to three scheduled.
 *
 * Two encodings of the same dump:
 * - pickle, byte for byte in the opcode style of PyTorch's C++ pickler (the real 2.9 dumps in
 *   tests/golden/ingest_nccl_fr/nvrx-*): PROTO 2, EMPTY_DICT MARK ... SETITEMS, EMPTY_LIST MARK
 *   ... APPENDS, TUPLE2 for process_group, BININT1/BININT2/BININT, LONG1 of 8 bytes for ns
 *   times, BINFLOAT for duration_ms (omitted when there is none), NEWTRUE/NEWFALSE, NONE,
 *   BINUNICODE; every distinct string stored once (BINPUT, LONG_BINPUT from id 256) and
 *   repeated with BINGET/LONG_BINGET; the top dict memoized last; STOP. The dispatch peers'
 *   p2p names take the memo past 255 ids, so the long forms are always exercised.
 * - JSON, as _dump_nccl_trace_json writes it (nlohmann::json over std::map): compact, keys
 *   sorted at every level, no frames, 0 for a discovered time never seen, pg_status values as
 *   strings, process_group a 2-item array.
 *
 * Integers only: duration_ms is a multiple of 1/16 ms, so its double is built from integers
 * and prints exactly; every PRNG draw is a statement of its own (see gen.c). */
#include "bench.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"

#define TP 8
#define PP 2
#define EP 128
#define NGROUPS 16
#define DISPATCH_PEERS 8 /* sends and receives per MoE dispatch batch */
#define MEMO_SLOTS 4096  /* distinct strings per dump, at most half of it */
#define T0 1758610505885199777LL

/* ---- the job: process groups ------------------------------------------------------ */

enum gtype {
    G_DEFAULT,
    G_DP,
    G_DP_CP,
    G_CP,
    G_MP,
    G_TP,
    G_PP,
    G_EMB,
    G_TP_DP,
    G_TP_CP,
    G_EP,
    G_ETP,
    G_ETMP,
    G_ETMPP,
    G_EDP,
    G_DIST_OPT,
};

static const char *const gdesc[NGROUPS] = {
    "default_pg",
    "DATA_PARALLEL_GROUP",
    "DATA_PARALLEL_GROUP_WITH_CP",
    "CONTEXT_PARALLEL_GROUP",
    "MODEL_PARALLEL_GROUP",
    "TENSOR_MODEL_PARALLEL_GROUP",
    "PIPELINE_MODEL_PARALLEL_GROUP",
    "EMBEDDING_GROUP",
    "TENSOR_AND_DATA_PARALLEL_GROUP",
    "TENSOR_AND_CONTEXT_PARALLEL_GROUP",
    "EXPERT_MODEL_PARALLEL_GROUP",
    "EXPERT_TENSOR_PARALLEL_GROUP",
    "EXPERT_TENSOR_AND_MODEL_PARALLEL_GROUP",
    "EXPERT_TENSOR_MODEL_PIPELINE_PARALLEL_GROUP",
    "EXPERT_DATA_PARALLEL_GROUP",
    "INTRA_DISTRIBUTED_OPTIMIZER_INSTANCE_GROUP",
};

/* Groups of each type in the whole job (every rank creates them all, in this order, so a
 * group's name is its global creation number) and this rank's group among them. */
static int ngroups_of(int t, int n)
{
    int s = n / PP;
    switch (t) {
    case G_DEFAULT:
        return 1;
    case G_DP:
    case G_DP_CP:
        return PP * TP;
    case G_CP:
    case G_ETP:
        return n;
    case G_MP:
        return s / TP;
    case G_TP:
    case G_TP_CP:
        return n / TP;
    case G_PP:
    case G_EMB:
        return s;
    case G_TP_DP:
    case G_DIST_OPT:
        return PP;
    case G_EP:
    case G_ETMP:
        return n / EP;
    case G_ETMPP:
        return s / EP;
    default: /* G_EDP */
        return PP * EP;
    }
}

static int group_index(int t, int n, int r)
{
    int s = n / PP, stage = r / s;
    switch (t) {
    case G_DEFAULT:
        return 0;
    case G_DP:
    case G_DP_CP:
        return stage * TP + r % TP;
    case G_CP:
    case G_ETP:
        return r;
    case G_MP:
        return (r % s) / TP;
    case G_TP:
    case G_TP_CP:
        return r / TP;
    case G_PP:
    case G_EMB:
        return r % s;
    case G_TP_DP:
    case G_DIST_OPT:
        return stage;
    case G_EP:
    case G_ETMP:
        return r / EP;
    case G_ETMPP:
        return (r % s) / EP;
    default:
        return stage * EP + r % EP;
    }
}

/* Members of rank r's group of type t, ascending; returns how many. */
static int members(int t, int n, int r, int32_t *out)
{
    int s = n / PP, stage = r / s, k = 0;
    switch (t) {
    case G_DEFAULT:
        for (int i = 0; i < n; i++)
            out[k++] = i;
        break;
    case G_DP:
    case G_DP_CP:
        for (int d = 0; d < s / TP; d++)
            out[k++] = stage * s + d * TP + r % TP;
        break;
    case G_CP:
    case G_ETP:
        out[k++] = r;
        break;
    case G_MP:
        for (int p = 0; p < PP; p++)
            for (int i = 0; i < TP; i++)
                out[k++] = p * s + ((r % s) / TP) * TP + i;
        break;
    case G_TP:
    case G_TP_CP:
        for (int i = 0; i < TP; i++)
            out[k++] = (r / TP) * TP + i;
        break;
    case G_PP:
    case G_EMB: /* first and last stage: every rank with PP 2 */
        for (int p = 0; p < PP; p++)
            out[k++] = p * s + r % s;
        break;
    case G_TP_DP:
    case G_DIST_OPT:
        for (int i = 0; i < s; i++)
            out[k++] = stage * s + i;
        break;
    case G_EP:
    case G_ETMP:
        for (int i = 0; i < EP; i++)
            out[k++] = (r / EP) * EP + i;
        break;
    case G_ETMPP:
        for (int p = 0; p < PP; p++)
            for (int i = 0; i < EP; i++)
                out[k++] = p * s + ((r % s) / EP) * EP + i;
        break;
    default: /* G_EDP */
        for (int j = 0; j < s / EP; j++)
            out[k++] = stage * s + j * EP + r % EP;
        break;
    }
    return k;
}

/* ---- the trace: one rank's operations ----------------------------------------------- */

enum { ST_SCHEDULED, ST_STARTED, ST_COMPLETED };

struct op {
    uint8_t pg;     /* enum gtype, also the rank's local pg_id */
    uint8_t thread; /* 0 main, 1 autograd */
    uint8_t state;
    bool p2p, retired, has_dur;
    uint16_t name; /* index into the rank's names */
    uint8_t nin, nout;
    uint8_t in_nd[2], out_nd[2];
    int32_t in[2][3], out[2][3];
    uint8_t dtype; /* 0 BFloat16, 1 Float; nin == 0: empty lists */
    uint32_t dur16;
    int64_t coll_seq, p2p_seq, op_id;
    int64_t created, started, completed;
    int64_t timeout_ms;
};

#define MAX_NAMES 320
#define NAME_SLOTS 1024
struct trace {
    struct bench_rng rng;
    int n, rank;
    struct op *ops;
    int nops, cap;
    char names[MAX_NAMES][32];
    int nnames;
    uint16_t slot[NAME_SLOTS]; /* name index + 1 by hash, 0 empty */
    int64_t coll[NGROUPS], p2p[NGROUPS], opid[NGROUPS];
    int64_t last_completed[NGROUPS], last_started[NGROUPS];
    int64_t t;
    int cursor; /* next dispatch peer offset */
    char tid[2][24];
};

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static unsigned name_id(struct trace *tr, const char *s)
{
    uint32_t h = fnv(s, strlen(s)) & (NAME_SLOTS - 1);
    for (; tr->slot[h]; h = (h + 1) & (NAME_SLOTS - 1))
        if (strcmp(tr->names[tr->slot[h] - 1], s) == 0)
            return tr->slot[h] - 1u;
    if (tr->nnames == MAX_NAMES)
        bench_die("fr generator: more than %d profiling names", MAX_NAMES);
    snprintf(tr->names[tr->nnames], sizeof tr->names[0], "%s", s);
    tr->slot[h] = (uint16_t)(tr->nnames + 1);
    return (unsigned)tr->nnames++;
}

static struct op *add_op(struct trace *tr, int pg, int thread, const char *name, bool p2p)
{
    if (tr->nops == tr->cap)
        return NULL;
    struct op *o = &tr->ops[tr->nops++];
    memset(o, 0, sizeof *o);
    o->pg = (uint8_t)pg;
    o->thread = (uint8_t)thread;
    o->name = (uint16_t)name_id(tr, name);
    o->p2p = p2p;
    uint64_t gap = bench_rng_below(&tr->rng, 400000);
    tr->t += 20000 + (int64_t)gap;
    o->created = tr->t;
    o->timeout_ms = pg == G_TP || pg == G_TP_CP ? 180000 : 600000;
    if (p2p) {
        o->coll_seq = tr->coll[pg];
        o->p2p_seq = tr->p2p[pg];
    } else {
        o->coll_seq = ++tr->coll[pg];
        o->p2p_seq = tr->p2p[pg];
    }
    o->op_id = ++tr->opid[pg];
    return o;
}

static void shape(int32_t *dims, uint8_t *nd, int a, int b, int c)
{
    dims[0] = a;
    dims[1] = b;
    dims[2] = c;
    *nd = (uint8_t)(c ? 3 : b ? 2 : 1);
}

static void collective(struct trace *tr, int pg, int thread, const char *name, int in0, int in1,
                       int in2, int out0, int out1, int out2, int dtype)
{
    struct op *o = add_op(tr, pg, thread, name, false);
    if (!o)
        return;
    o->nin = o->nout = 1;
    shape(o->in[0], &o->in_nd[0], in0, in1, in2);
    shape(o->out[0], &o->out_nd[0], out0, out1, out2);
    o->dtype = (uint8_t)dtype;
}

/* A batch_isend_irecv group: its ops share one p2p seq, then the closing entry. */
struct p2p {
    bool send;
    int self, peer; /* ranks within the pg */
    int count;      /* elements */
    int width;      /* second dimension, 0 none */
};

static void p2p_batch(struct trace *tr, int pg, int thread, const struct p2p *ops, int n)
{
    tr->p2p[pg]++;
    char name[32];
    for (int i = 0; i < n; i++) {
        if (ops[i].send)
            snprintf(name, sizeof name, "nccl:send %d->%d", ops[i].self, ops[i].peer);
        else
            snprintf(name, sizeof name, "nccl:recv %d<-%d", ops[i].self, ops[i].peer);
        struct op *o = add_op(tr, pg, thread, name, true);
        if (!o)
            return;
        o->nin = o->nout = 1;
        shape(o->in[0], &o->in_nd[0], ops[i].count, ops[i].width, 0);
        shape(o->out[0], &o->out_nd[0], ops[i].count, ops[i].width, 0);
    }
    struct op *o = add_op(tr, pg, thread, "nccl:coalesced", true);
    if (o)
        o->op_id = --tr->opid[pg]; /* the closing entry repeats the last op's id */
}

static void layer(struct trace *tr, int thread)
{
    collective(tr, G_TP, thread, "nccl:_all_gather_base", 4096, 1, 5120, 32768, 1, 5120, 0);
    uint64_t a = bench_rng_below(&tr->rng, 1024);
    uint64_t b = bench_rng_below(&tr->rng, 1024);
    int sent = 3584 + (int)a, got = 3584 + (int)b;
    collective(tr, G_EP, thread, "nccl:all_to_all", sent, 5120, 0, got, 5120, 0, 0);
    collective(tr, G_EP, thread, "nccl:all_to_all", got, 5120, 0, sent, 5120, 0, 0);
    collective(tr, G_TP, thread, "nccl:_reduce_scatter_base", 32768, 1, 5120, 4096, 1, 5120, 0);
}

/* MoE token dispatch to a rotating window of peers of the expert group. */
static void dispatch(struct trace *tr)
{
    struct p2p ops[2 * DISPATCH_PEERS];
    int me = tr->rank % EP;
    for (int j = 0; j < DISPATCH_PEERS; j++) {
        int off = 1 + (tr->cursor + j) % (EP - 1);
        uint64_t c1 = bench_rng_below(&tr->rng, 600);
        uint64_t c2 = bench_rng_below(&tr->rng, 600);
        ops[2 * j] = (struct p2p){true, me, (me + off) % EP, (int)c1, 5120};
        ops[2 * j + 1] = (struct p2p){false, me, (me + EP - off) % EP, (int)c2, 5120};
    }
    tr->cursor = (tr->cursor + DISPATCH_PEERS) % (EP - 1);
    p2p_batch(tr, G_EP, 0, ops, 2 * DISPATCH_PEERS);
}

static void microbatch(struct trace *tr, int mb)
{
    int stage = tr->rank / (tr->n / PP);
    struct p2p pp = {false, stage, 0, 4096 * 5120, 0};
    if (stage > 0) { /* forward: activations from the previous stage */
        pp.peer = stage - 1;
        p2p_batch(tr, G_PP, 0, &pp, 1);
    }
    layer(tr, 0);
    layer(tr, 0);
    if (mb % 2 == 0)
        dispatch(tr);
    if (stage < PP - 1) {
        pp.send = true;
        pp.peer = stage + 1;
        p2p_batch(tr, G_PP, 0, &pp, 1);
        pp.send = false;
        p2p_batch(tr, G_PP, 1, &pp, 1); /* backward: gradients from the next stage */
    }
    layer(tr, 1);
    layer(tr, 1);
    if (stage > 0) {
        pp.send = true;
        pp.peer = stage - 1;
        p2p_batch(tr, G_PP, 1, &pp, 1);
    }
    if (mb % 8 == 7) { /* step end */
        collective(tr, G_DP, 0, "nccl:_reduce_scatter_base", 67108864, 0, 0, 4194304, 0, 0, 1);
        collective(tr, G_EDP, 0, "nccl:all_reduce", 16777216, 0, 0, 16777216, 0, 0, 1);
        collective(tr, G_EMB, 0, "nccl:all_reduce", 50304, 5120, 0, 50304, 5120, 0, 0);
        collective(tr, G_DEFAULT, 0, "nccl:all_reduce", 1, 0, 0, 1, 0, 0, 1);
        collective(tr, G_DP, 0, "nccl:_all_gather_base", 4194304, 0, 0, 67108864, 0, 0, 0);
    }
}

/* States: completed and retired, then the hang: two completed not yet retired, one started,
 * one to three scheduled. */
static void finish(struct trace *tr)
{
    uint64_t sched = 1 + bench_rng_below(&tr->rng, 3);
    for (int i = 0; i < tr->nops; i++) {
        struct op *o = &tr->ops[i];
        int from_end = tr->nops - i;
        o->state = from_end <= (int)sched       ? ST_SCHEDULED
                   : from_end == (int)sched + 1 ? ST_STARTED
                                                : ST_COMPLETED;
        o->retired = from_end > (int)sched + 3;
        if (o->state >= ST_STARTED) {
            uint64_t wait = bench_rng_below(&tr->rng, 200000);
            o->started = o->created + 5000 + (int64_t)wait;
            if (!o->p2p && o->coll_seq > tr->last_started[o->pg])
                tr->last_started[o->pg] = o->coll_seq;
        }
        if (o->state == ST_COMPLETED) {
            uint64_t d = bench_rng_below(&tr->rng, 160);
            o->dur16 = 1 + (uint32_t)d;
            o->has_dur = true;
            o->completed = o->started + (int64_t)o->dur16 * 62500;
            if (!o->p2p && o->coll_seq > tr->last_completed[o->pg])
                tr->last_completed[o->pg] = o->coll_seq;
        }
    }
}

static void trace_build(struct trace *tr, uint64_t seed, int n, int rank, int nentries)
{
    memset(tr, 0, sizeof *tr);
    tr->rng.s = seed ^ ((uint64_t)rank * 0x9e3779b97f4a7c15ULL);
    tr->n = n;
    tr->rank = rank;
    tr->cap = nentries;
    tr->ops = fl_calloc((size_t)nentries, sizeof *tr->ops);
    if (!tr->ops)
        bench_die("out of memory generating a flight recorder trace");
    for (int g = 0; g < NGROUPS; g++) {
        uint64_t base = bench_rng_below(&tr->rng, 4);
        tr->coll[g] = g == G_PP ? 0 : (int64_t)(1000 * (NGROUPS - g) + 500 * base);
        tr->p2p[g] = g == G_PP || g == G_EP ? (int64_t)(2000 + 100 * base) : 0;
        tr->opid[g] = tr->coll[g] + tr->p2p[g] * 3;
        tr->last_completed[g] = tr->last_started[g] = -1;
    }
    uint64_t t0 = bench_rng_below(&tr->rng, 1000000);
    tr->t = T0 + (int64_t)t0;
    uint64_t c = bench_rng_below(&tr->rng, EP - 1);
    tr->cursor = (int)c;
    for (int i = 0; i < 2; i++) {
        uint64_t id = 23400000000000ULL + bench_rng_below(&tr->rng, 100000000000ULL);
        snprintf(tr->tid[i], sizeof tr->tid[i], "%llu", (unsigned long long)id);
    }
    for (int mb = 0; tr->nops < tr->cap; mb++)
        microbatch(tr, mb);
    finish(tr);
}

/* ---- small writers ------------------------------------------------------------------ */

static void put(struct bench_buf *b, const char *s, size_t n)
{
    bench_buf_put(b, s, n);
}

/* string literals only (sizeof); put_cstr for a pointer */
#define PUTS(b, lit) put((b), (lit), sizeof(lit) - 1)

static void put_cstr(struct bench_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_i64(struct bench_buf *b, int64_t v)
{
    char t[24];
    size_t i = sizeof t;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        t[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        t[--i] = '-';
    put(b, t + i, sizeof t - i);
}

/* "[0, 1, 2]" as Python prints a list (PyTorch's ranks string). */
static void ranks_text(struct bench_buf *b, const int32_t *m, int k)
{
    PUTS(b, "[");
    for (int i = 0; i < k; i++) {
        if (i)
            PUTS(b, ", ");
        put_i64(b, m[i]);
    }
    PUTS(b, "]");
}

/* ---- the C++ pickler's opcodes -------------------------------------------------------- */

struct memo_slot {
    uint32_t off, len, id, used;
};

struct pkw {
    struct bench_buf *out;
    struct bench_buf pool; /* bytes of the memoized strings */
    struct memo_slot *slots;
    uint32_t next_id;
};

static void le32(struct bench_buf *b, uint32_t v)
{
    char t[4] = {(char)v, (char)(v >> 8), (char)(v >> 16), (char)(v >> 24)};
    put(b, t, 4);
}

static void memo_ref(struct pkw *w, char op_short, char op_long, uint32_t id)
{
    if (id <= 255) {
        char t[2] = {op_short, (char)id};
        put(w->out, t, 2);
    } else {
        put(w->out, &op_long, 1);
        le32(w->out, id);
    }
}

/* BINUNICODE + BINPUT the first time a string is seen, BINGET after. */
static void pk_str(struct pkw *w, const char *s, size_t n)
{
    uint32_t h = fnv(s, n) & (MEMO_SLOTS - 1);
    for (;; h = (h + 1) & (MEMO_SLOTS - 1)) {
        struct memo_slot *m = &w->slots[h];
        if (!m->used)
            break;
        if (m->len == n && memcmp(w->pool.p + m->off, s, n) == 0) {
            memo_ref(w, 'h', 'j', m->id);
            return;
        }
    }
    if (w->next_id >= MEMO_SLOTS / 2)
        bench_die("fr generator: more than %d distinct strings in a dump", MEMO_SLOTS / 2);
    w->slots[h] = (struct memo_slot){(uint32_t)w->pool.len, (uint32_t)n, w->next_id, 1};
    put(&w->pool, s, n);
    PUTS(w->out, "X");
    le32(w->out, (uint32_t)n);
    put(w->out, s, n);
    memo_ref(w, 'q', 'r', w->next_id++);
}

static void put_bool(struct pkw *w, bool v)
{
    put(w->out, v ? "\x88" : "\x89", 1);
}

#define PK_LIT(w, lit) pk_str((w), (lit), sizeof(lit) - 1)

static void pk_int(struct pkw *w, int64_t v)
{
    char t[10];
    if (v >= 0 && v <= 255) {
        t[0] = 'K';
        t[1] = (char)v;
        put(w->out, t, 2);
    } else if (v >= 0 && v <= 65535) {
        t[0] = 'M';
        t[1] = (char)v;
        t[2] = (char)(v >> 8);
        put(w->out, t, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        PUTS(w->out, "J");
        le32(w->out, (uint32_t)(int32_t)v);
    } else {
        t[0] = (char)0x8a;
        t[1] = 8;
        for (int i = 0; i < 8; i++)
            t[2 + i] = (char)((uint64_t)v >> (8 * i));
        put(w->out, t, 10);
    }
}

/* BINFLOAT of q/16 (q > 0), built from integers: the value is exact. */
static void pk_sixteenths(struct pkw *w, uint32_t q)
{
    int msb = 31 - __builtin_clz(q);
    uint64_t mant = ((uint64_t)q << (52 - msb)) & ((1ULL << 52) - 1);
    uint64_t bits = ((uint64_t)(msb - 4 + 1023) << 52) | mant;
    char t[9];
    t[0] = 'G';
    for (int i = 0; i < 8; i++)
        t[1 + i] = (char)(bits >> (56 - 8 * i));
    put(w->out, t, 9);
}

static void pk_ranks(struct pkw *w, struct bench_buf *tmp, const int32_t *m, int k)
{
    tmp->len = 0;
    ranks_text(tmp, m, k);
    pk_str(w, tmp->p, tmp->len);
}

static void pk_shapes(struct pkw *w, const int32_t (*dims)[3], const uint8_t *nd, int n)
{
    PUTS(w->out, "](");
    for (int i = 0; i < n; i++) {
        PUTS(w->out, "](");
        for (int d = 0; d < nd[i]; d++)
            pk_int(w, dims[i][d]);
        PUTS(w->out, "e");
    }
    PUTS(w->out, "e");
}

static void pk_dtypes(struct pkw *w, int dtype, int n)
{
    PUTS(w->out, "](");
    for (int i = 0; i < n; i++) {
        if (dtype)
            PK_LIT(w, "Float");
        else
            PK_LIT(w, "BFloat16");
    }
    PUTS(w->out, "e");
}

/* ---- one dump ------------------------------------------------------------------------ */

struct dumpctx {
    struct trace tr;
    int32_t *m; /* members scratch (n) */
    struct bench_buf tmp;
    char gname[NGROUPS][16];
};

static void group_names(struct dumpctx *c)
{
    int base = 0;
    for (int t = 0; t < NGROUPS; t++) {
        int idx = group_index(t, c->tr.n, c->tr.rank);
        snprintf(c->gname[t], sizeof c->gname[t], "%d", t == G_DEFAULT ? 0 : base + idx);
        base += ngroups_of(t, c->tr.n);
    }
}

static const char *const state_name[3] = {"scheduled", "started", "completed"};

static void pickle_entry(struct pkw *w, const struct dumpctx *c, const struct op *o, int64_t rid)
{
    const struct trace *tr = &c->tr;
    PUTS(w->out, "}(");
    PK_LIT(w, "record_id");
    pk_int(w, rid);
    PK_LIT(w, "pg_id");
    pk_int(w, o->pg);
    PK_LIT(w, "process_group");
    pk_str(w, c->gname[o->pg], strlen(c->gname[o->pg]));
    pk_str(w, gdesc[o->pg], strlen(gdesc[o->pg]));
    PUTS(w->out, "\x86");
    PK_LIT(w, "thread_name");
    if (o->thread)
        PK_LIT(w, "pt_autograd_0");
    else
        PK_LIT(w, "pt_main_thread");
    PK_LIT(w, "thread_id");
    pk_str(w, tr->tid[o->thread], strlen(tr->tid[o->thread]));
    PK_LIT(w, "collective_seq_id");
    pk_int(w, o->coll_seq);
    PK_LIT(w, "p2p_seq_id");
    pk_int(w, o->p2p_seq);
    PK_LIT(w, "op_id");
    pk_int(w, o->op_id);
    PK_LIT(w, "profiling_name");
    pk_str(w, tr->names[o->name], strlen(tr->names[o->name]));
    PK_LIT(w, "time_created_ns");
    pk_int(w, o->created);
    if (o->has_dur) {
        PK_LIT(w, "duration_ms");
        pk_sixteenths(w, o->dur16);
    }
    PK_LIT(w, "input_sizes");
    pk_shapes(w, o->in, o->in_nd, o->nin);
    PK_LIT(w, "input_dtypes");
    pk_dtypes(w, o->dtype, o->nin);
    PK_LIT(w, "output_sizes");
    pk_shapes(w, o->out, o->out_nd, o->nout);
    PK_LIT(w, "output_dtypes");
    pk_dtypes(w, o->dtype, o->nout);
    PK_LIT(w, "state");
    pk_str(w, state_name[o->state], strlen(state_name[o->state]));
    PK_LIT(w, "time_discovered_started_ns");
    if (o->started)
        pk_int(w, o->started);
    else
        PUTS(w->out, "N");
    PK_LIT(w, "time_discovered_completed_ns");
    if (o->completed)
        pk_int(w, o->completed);
    else
        PUTS(w->out, "N");
    PK_LIT(w, "retired");
    put_bool(w, o->retired);
    PK_LIT(w, "timeout_ms");
    pk_int(w, o->timeout_ms);
    PK_LIT(w, "is_p2p");
    put_bool(w, o->p2p);
    PUTS(w->out, "u");
}

static uint32_t write_pickle(struct dumpctx *c, int64_t rid0, struct bench_buf *out)
{
    const struct trace *tr = &c->tr;
    struct pkw w = {.out = out};
    w.slots = fl_calloc(MEMO_SLOTS, sizeof *w.slots);
    if (!w.slots)
        bench_die("out of memory generating a flight recorder dump");
    PUTS(out, "\x80\x02}(");
    PK_LIT(&w, "version");
    PK_LIT(&w, "2.10");
    PK_LIT(&w, "pg_config");
    PUTS(out, "}(");
    for (int t = 0; t < NGROUPS; t++) {
        pk_str(&w, c->gname[t], strlen(c->gname[t]));
        PUTS(out, "}(");
        PK_LIT(&w, "name");
        pk_str(&w, c->gname[t], strlen(c->gname[t]));
        PK_LIT(&w, "desc");
        pk_str(&w, gdesc[t], strlen(gdesc[t]));
        PK_LIT(&w, "ranks");
        pk_ranks(&w, &c->tmp, c->m, members(t, tr->n, tr->rank, c->m));
        PUTS(out, "u");
    }
    PUTS(out, "u");
    PK_LIT(&w, "comm_lib_version");
    PK_LIT(&w, "2.27.3");
    PK_LIT(&w, "pg_status");
    PUTS(out, "}(");
    for (int t = 0; t < NGROUPS; t++) {
        char id[8];
        int n = snprintf(id, sizeof id, "%d", t);
        pk_str(&w, id, (size_t)n);
        PUTS(out, "}(");
        PK_LIT(&w, "last_enqueued_collective");
        pk_int(&w, t == G_PP ? -1 : tr->coll[t]);
        PK_LIT(&w, "last_started_collective");
        pk_int(&w, tr->last_started[t]);
        PK_LIT(&w, "last_completed_collective");
        pk_int(&w, tr->last_completed[t]);
        PUTS(out, "u");
    }
    PUTS(out, "u");
    PK_LIT(&w, "entries");
    PUTS(out, "](");
    for (int i = 0; i < tr->nops; i++)
        pickle_entry(&w, c, &tr->ops[i], rid0 + i);
    PUTS(out, "e");
    PUTS(out, "u");
    uint32_t ids = w.next_id + 1;
    memo_ref(&w, 'q', 'r', w.next_id); /* the returned dict is memoized last */
    PUTS(out, ".");
    fl_free(w.slots);
    bench_buf_release(&w.pool);
    return ids;
}

/* ---- JSON (_dump_nccl_trace_json) ----------------------------------------------------- */

static void js_str(struct bench_buf *b, const char *s)
{
    PUTS(b, "\"");
    put(b, s, strlen(s));
    PUTS(b, "\"");
}

static void js_shapes(struct bench_buf *b, const int32_t (*dims)[3], const uint8_t *nd, int n)
{
    PUTS(b, "[");
    for (int i = 0; i < n; i++) {
        put_cstr(b, i ? ",[" : "[");
        for (int d = 0; d < nd[i]; d++) {
            if (d)
                PUTS(b, ",");
            put_i64(b, dims[i][d]);
        }
        PUTS(b, "]");
    }
    PUTS(b, "]");
}

static void js_dtypes(struct bench_buf *b, int dtype, int n)
{
    PUTS(b, "[");
    for (int i = 0; i < n; i++) {
        if (i)
            PUTS(b, ",");
        if (dtype)
            PUTS(b, "\"Float\"");
        else
            PUTS(b, "\"BFloat16\"");
    }
    PUTS(b, "]");
}

/* q/16 as nlohmann prints a double: shortest form, at least one decimal ("8.0", "0.0625"). */
static void js_sixteenths(struct bench_buf *b, uint32_t q)
{
    put_i64(b, q / 16);
    char f[5];
    uint32_t frac = (q % 16) * 625; /* 1/16 = 0.0625 */
    int n = 4;
    for (int i = 3; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    while (n > 1 && f[n - 1] == '0')
        n--;
    PUTS(b, ".");
    put(b, f, (size_t)n);
}

static void json_entry(struct bench_buf *b, const struct dumpctx *c, const struct op *o,
                       int64_t rid)
{
    const struct trace *tr = &c->tr;
    PUTS(b, "{\"collective_seq_id\":");
    put_i64(b, o->coll_seq);
    if (o->has_dur) {
        PUTS(b, ",\"duration_ms\":");
        js_sixteenths(b, o->dur16);
    }
    PUTS(b, ",\"input_dtypes\":");
    js_dtypes(b, o->dtype, o->nin);
    PUTS(b, ",\"input_sizes\":");
    js_shapes(b, o->in, o->in_nd, o->nin);
    put_cstr(b, o->p2p ? ",\"is_p2p\":true,\"op_id\":" : ",\"is_p2p\":false,\"op_id\":");
    put_i64(b, o->op_id);
    PUTS(b, ",\"output_dtypes\":");
    js_dtypes(b, o->dtype, o->nout);
    PUTS(b, ",\"output_sizes\":");
    js_shapes(b, o->out, o->out_nd, o->nout);
    PUTS(b, ",\"p2p_seq_id\":");
    put_i64(b, o->p2p_seq);
    PUTS(b, ",\"pg_id\":");
    put_i64(b, o->pg);
    PUTS(b, ",\"process_group\":[");
    js_str(b, c->gname[o->pg]);
    PUTS(b, ",");
    js_str(b, gdesc[o->pg]);
    PUTS(b, "],\"profiling_name\":");
    js_str(b, tr->names[o->name]);
    PUTS(b, ",\"record_id\":");
    put_i64(b, rid);
    put_cstr(b, o->retired ? ",\"retired\":true,\"state\":" : ",\"retired\":false,\"state\":");
    js_str(b, state_name[o->state]);
    PUTS(b, ",\"thread_id\":");
    js_str(b, tr->tid[o->thread]);
    PUTS(b, ",\"thread_name\":");
    js_str(b, o->thread ? "pt_autograd_0" : "pt_main_thread");
    PUTS(b, ",\"time_created_ns\":");
    put_i64(b, o->created);
    PUTS(b, ",\"time_discovered_completed_ns\":");
    put_i64(b, o->completed);
    PUTS(b, ",\"time_discovered_started_ns\":");
    put_i64(b, o->started);
    PUTS(b, ",\"timeout_ms\":");
    put_i64(b, o->timeout_ms);
    PUTS(b, "}");
}

/* pg_config and pg_status are std::maps: keys in byte order. */
static void sorted_keys(char keys[NGROUPS][16], int order[NGROUPS])
{
    for (int i = 0; i < NGROUPS; i++)
        order[i] = i;
    for (int i = 1; i < NGROUPS; i++)
        for (int j = i; j > 0 && strcmp(keys[order[j - 1]], keys[order[j]]) > 0; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

static void write_json(struct dumpctx *c, int64_t rid0, struct bench_buf *out)
{
    const struct trace *tr = &c->tr;
    PUTS(out, "{\"comm_lib_version\":\"2.27.3\",\"entries\":[");
    for (int i = 0; i < tr->nops; i++) {
        if (i)
            PUTS(out, ",");
        json_entry(out, c, &tr->ops[i], rid0 + i);
    }
    PUTS(out, "],\"pg_config\":{");
    int order[NGROUPS];
    sorted_keys(c->gname, order);
    for (int k = 0; k < NGROUPS; k++) {
        int t = order[k];
        if (k)
            PUTS(out, ",");
        js_str(out, c->gname[t]);
        PUTS(out, ":{\"desc\":");
        js_str(out, gdesc[t]);
        PUTS(out, ",\"name\":");
        js_str(out, c->gname[t]);
        PUTS(out, ",\"ranks\":\"");
        ranks_text(out, c->m, members(t, tr->n, tr->rank, c->m));
        PUTS(out, "\"}");
    }
    PUTS(out, "},\"pg_status\":{");
    char ids[NGROUPS][16];
    for (int t = 0; t < NGROUPS; t++)
        snprintf(ids[t], sizeof ids[t], "%d", t);
    sorted_keys(ids, order);
    for (int k = 0; k < NGROUPS; k++) {
        int t = order[k];
        if (k)
            PUTS(out, ",");
        js_str(out, ids[t]);
        PUTS(out, ":{\"last_completed_collective\":\"");
        put_i64(out, tr->last_completed[t]);
        PUTS(out, "\",\"last_enqueued_collective\":\"");
        put_i64(out, t == G_PP ? -1 : tr->coll[t]);
        PUTS(out, "\",\"last_started_collective\":\"");
        put_i64(out, tr->last_started[t]);
        PUTS(out, "\"}");
    }
    PUTS(out, "},\"version\":\"2.10\"}");
}

size_t bench_gen_fr_dump(uint64_t seed, int nranks, int rank, int nentries, bool json,
                         struct bench_buf *out, uint32_t *memo_ids)
{
    if (nranks <= 0 || nranks % (PP * EP) || rank < 0 || rank >= nranks || nentries <= 0)
        bench_die("fr generator: %d ranks (a multiple of %d), rank %d, %d entries", nranks, PP * EP,
                  rank, nentries);
    struct dumpctx *c = fl_calloc(1, sizeof *c);
    int32_t *m = c ? fl_calloc((size_t)nranks, sizeof *m) : NULL;
    if (!m)
        bench_die("out of memory generating a flight recorder dump");
    c->m = m;
    trace_build(&c->tr, seed, nranks, rank, nentries);
    group_names(c);
    uint64_t r0 = bench_rng_below(&c->tr.rng, 1000);
    int64_t rid0 = 88000 + (int64_t)r0;
    uint32_t ids = 0;
    if (json)
        write_json(c, rid0, out);
    else
        ids = write_pickle(c, rid0, out);
    if (memo_ids)
        *memo_ids = ids;
    size_t n = (size_t)c->tr.nops;
    fl_free(c->tr.ops);
    bench_buf_release(&c->tmp);
    fl_free(m);
    fl_free(c);
    return n;
}
