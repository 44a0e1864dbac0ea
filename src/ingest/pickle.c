/* A small strict unpickler for data-only pickles; see pickle.h for the contract.
 *
 * Opcodes read (pickletools names): PROTO FRAME STOP MARK EMPTY_DICT EMPTY_LIST EMPTY_TUPLE
 * SETITEM SETITEMS APPEND APPENDS TUPLE TUPLE1 TUPLE2 TUPLE3 BININT BININT1 BININT2 LONG1
 * LONG4 BINFLOAT NEWTRUE NEWFALSE NONE BINUNICODE SHORT_BINUNICODE BINUNICODE8 BINPUT
 * LONG_BINPUT MEMOIZE BINGET LONG_BINGET. Everything else is an error. */
#include "ingest/pickle.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/err.h"

#define PK_UNDEF 0xff /* memo slot never written */

/* ---- opcode names (pickletools), for messages ----------------------------------------- */

static const char *const opnames[256] = {
    ['('] = "MARK",
    ['.'] = "STOP",
    ['0'] = "POP",
    ['1'] = "POP_MARK",
    ['2'] = "DUP",
    ['F'] = "FLOAT",
    ['I'] = "INT",
    ['J'] = "BININT",
    ['K'] = "BININT1",
    ['L'] = "LONG",
    ['M'] = "BININT2",
    ['N'] = "NONE",
    ['P'] = "PERSID",
    ['Q'] = "BINPERSID",
    ['R'] = "REDUCE",
    ['S'] = "STRING",
    ['T'] = "BINSTRING",
    ['U'] = "SHORT_BINSTRING",
    ['V'] = "UNICODE",
    ['X'] = "BINUNICODE",
    ['a'] = "APPEND",
    ['b'] = "BUILD",
    ['c'] = "GLOBAL",
    ['d'] = "DICT",
    ['}'] = "EMPTY_DICT",
    ['e'] = "APPENDS",
    ['g'] = "GET",
    ['h'] = "BINGET",
    ['i'] = "INST",
    ['j'] = "LONG_BINGET",
    ['l'] = "LIST",
    [']'] = "EMPTY_LIST",
    ['o'] = "OBJ",
    ['p'] = "PUT",
    ['q'] = "BINPUT",
    ['r'] = "LONG_BINPUT",
    ['s'] = "SETITEM",
    ['t'] = "TUPLE",
    [')'] = "EMPTY_TUPLE",
    ['u'] = "SETITEMS",
    ['G'] = "BINFLOAT",
    [0x80] = "PROTO",
    [0x81] = "NEWOBJ",
    [0x82] = "EXT1",
    [0x83] = "EXT2",
    [0x84] = "EXT4",
    [0x85] = "TUPLE1",
    [0x86] = "TUPLE2",
    [0x87] = "TUPLE3",
    [0x88] = "NEWTRUE",
    [0x89] = "NEWFALSE",
    [0x8a] = "LONG1",
    [0x8b] = "LONG4",
    ['B'] = "BINBYTES",
    ['C'] = "SHORT_BINBYTES",
    [0x8c] = "SHORT_BINUNICODE",
    [0x8d] = "BINUNICODE8",
    [0x8e] = "BINBYTES8",
    [0x8f] = "EMPTY_SET",
    [0x90] = "ADDITEMS",
    [0x91] = "FROZENSET",
    [0x92] = "NEWOBJ_EX",
    [0x93] = "STACK_GLOBAL",
    [0x94] = "MEMOIZE",
    [0x95] = "FRAME",
    [0x96] = "BYTEARRAY8",
    [0x97] = "NEXT_BUFFER",
    [0x98] = "READONLY_BUFFER",
};

const char *fl_pickle_opname(unsigned char op)
{
    return opnames[op];
}

/* Opcodes that import, call or construct objects, or pull out-of-band data. */
static bool refused(unsigned char op)
{
    switch (op) {
    case 'c':
    case 0x93:
    case 'R':
    case 'b':
    case 'i':
    case 'o':
    case 0x81:
    case 0x92:
    case 0x82:
    case 0x83:
    case 0x84:
    case 'P':
    case 'Q':
    case 0x97:
    case 0x98:
        return true;
    default:
        return false;
    }
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case FL_PK_NONE:
        return "None";
    case FL_PK_BOOL:
        return "bool";
    case FL_PK_INT:
    case FL_PK_BIGINT:
        return "int";
    case FL_PK_FLOAT:
        return "float";
    case FL_PK_STR:
        return "str";
    case FL_PK_LIST:
        return "list";
    case FL_PK_TUPLE:
        return "tuple";
    case FL_PK_DICT:
        return "dict";
    default:
        return "value";
    }
}

/* ---- lifecycle ---------------------------------------------------------------------- */

void fl_pickle_init(struct fl_pickle *p, struct fl_arena *arena)
{
    memset(p, 0, sizeof *p);
    p->arena = arena;
    p->max_depth = FL_PK_MAX_DEPTH;
    p->max_stack = FL_PK_MAX_STACK;
    p->max_memo = FL_PK_MAX_MEMO;
}

void fl_pickle_release(struct fl_pickle *p)
{
    fl_free(p->stack);
    fl_free(p->marks);
    fl_free(p->markinfo);
    fl_free(p->memo);
    p->stack = NULL;
    p->marks = NULL;
    p->markinfo = NULL;
    p->memo = NULL;
    p->stack_cap = p->marks_cap = p->memo_cap = 0;
}

/* ---- errors ------------------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static int fail(struct fl_pickle *p, int code, size_t at,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    p->err_offset = at;
    return code;
}

static const char *opname_or_hex(unsigned char op, char buf[8])
{
    if (opnames[op])
        return opnames[op];
    snprintf(buf, 8, "0x%02x", op);
    return buf;
}

/* ---- allocation: a bump block carved from the arena ------------------------------- */

#define PK_BLOCK_MIN (4u * 1024u)
#define PK_BLOCK_MAX (64u * 1024u)

static void *alloc_slow(struct fl_pickle *p, size_t n)
{
    if (n > p->block / 4)
        return fl_arena_alloc(p->arena, n, 8);
    unsigned char *b = fl_arena_alloc(p->arena, p->block, 8);
    if (!b)
        return NULL;
    p->bump = b + n;
    p->bump_end = b + p->block;
    return b;
}

/* n bytes, 8-aligned (every value and body holds at most 8-byte fields). */
static inline void *alloc(struct fl_pickle *p, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(p->bump_end - p->bump) >= n) {
        void *r = p->bump;
        p->bump += n;
        return r;
    }
    return alloc_slow(p, n);
}

/* ---- stack, marks, memo -------------------------------------------------------------- */

static int conflict(struct fl_pickle *p, size_t at);

/* Store *v (not on the stack, or its top) under memo id. */
static int memo_store(struct fl_pickle *p, uint64_t id, const struct fl_pk *v, size_t at,
                      size_t limit)
{
    if (id >= limit)
        return fail(p, FL_ELIMIT, at, "memo id %llu at byte %zu is out of range (limit %zu)",
                    (unsigned long long)id, at, limit);
    if (id >= p->memo_cap) {
        size_t cap = p->memo_cap ? p->memo_cap * 2 : 256;
        while (cap <= id)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        struct fl_pk *m = fl_realloc(p->memo, cap * sizeof *m);
        if (!m)
            return fail(p, FL_ENOMEM, at, "out of memory");
        for (size_t i = p->memo_cap; i < cap; i++)
            m[i].type = PK_UNDEF;
        p->memo = m;
        p->memo_cap = cap;
    }
    if (v->type == FL_PK_HANDLE)
        return conflict(p, at);
    if (v->type >= FL_PK_LIST && !v->u.seq->memoized) {
        v->u.seq->memoized = true;
        p->memo_containers++;
    }
    if (p->memo[id].type == PK_UNDEF)
        p->memo_len++;
    else
        p->memo_redefs++;
    p->memo[id] = *v;
    return 0;
}

static int grow_stack(struct fl_pickle *p, size_t at)
{
    if (p->stack_cap >= p->max_stack)
        return fail(p, FL_ELIMIT, at, "more than %zu values on the pickle stack", p->max_stack);
    /* a first stack in proportion to the input (a dump's entries wait there for APPENDS, one
     * value per 150 bytes or so): one allocation where doubling from 256 took five */
    size_t first = p->input_len / 128 < 256     ? 256
                   : p->input_len / 128 > 65536 ? 65536
                                                : p->input_len / 128;
    size_t cap = p->stack_cap ? p->stack_cap * 2 : first;
    if (cap > p->max_stack)
        cap = p->max_stack;
    struct fl_pk *s = fl_realloc(p->stack, cap * sizeof *s);
    if (!s)
        return fail(p, FL_ENOMEM, at, "out of memory");
    p->stack = s;
    p->stack_cap = cap;
    return 0;
}

static int push_mark(struct fl_pickle *p, size_t at)
{
    if (p->nmarks >= p->max_depth)
        return fail(p, FL_ELIMIT, at, "more than %u nested MARKs (nesting too deep)", p->max_depth);
    if (p->nmarks == p->marks_cap) {
        size_t cap = p->marks_cap ? p->marks_cap * 2 : 16;
        uint32_t *m = fl_realloc(p->marks, cap * sizeof *m);
        if (!m)
            return fail(p, FL_ENOMEM, at, "out of memory");
        p->marks = m;
        struct fl_pk_markinfo *mi = fl_realloc(p->markinfo, cap * sizeof *mi);
        if (!mi)
            return fail(p, FL_ENOMEM, at, "out of memory");
        p->markinfo = mi;
        p->marks_cap = cap;
    }
    p->markinfo[p->nmarks] = (struct fl_pk_markinfo){p->bump, p->bump_end, p->memo_containers};
    p->marks[p->nmarks++] = (uint32_t)p->sp;
    return 0;
}

/* Pop the innermost mark: *m is the stack index it recorded. */
static int pop_mark(struct fl_pickle *p, unsigned char op, size_t at, size_t *m)
{
    if (!p->nmarks)
        return fail(p, FL_EPARSE, at, "%s at byte %zu without a MARK", opnames[op], at);
    *m = p->marks[--p->nmarks];
    return 0;
}

/* A taken dict (FL_PK_HANDLE) reached an opcode that needs the dict itself. */
static int conflict(struct fl_pickle *p, size_t at)
{
    p->take_conflict = true;
    return fail(p, FL_EUNSUPPORTED, at,
                "a dict read as it was complete is used again at byte %zu (load again without "
                "streaming)",
                at);
}

static int memo_put(struct fl_pickle *p, uint64_t id, size_t at, size_t limit)
{
    if (!p->sp)
        return fail(p, FL_EPARSE, at, "memo store at byte %zu with an empty stack", at);
    return memo_store(p, id, &p->stack[p->sp - 1], at, limit);
}

int fl_pickle_memo_store(struct fl_pickle *p, uint64_t id, const struct fl_pk *v)
{
    if (id >= p->memo_limit || v->type >= FL_PK_LIST)
        return FL_ELIMIT; /* containers are stored by the loader itself */
    return memo_store(p, id, v, 0, p->memo_limit);
}

/* ---- containers ---------------------------------------------------------------------- */

static inline struct fl_pk_seq *new_seq(struct fl_pickle *p, size_t at)
{
    struct fl_pk_seq *s = alloc(p, sizeof *s);
    if (!s)
        return NULL;
    s->v = NULL;
    s->n = s->cap = 0;
    s->depth = 1;
    s->memoized = false;
    s->offset = at;
    return s;
}

/* Room for add more items (pairs for a dict) in s. */
static inline int reserve(struct fl_pickle *p, struct fl_pk_seq *s, size_t add, size_t per,
                          size_t at)
{
    if (add <= (size_t)(s->cap - s->n))
        return 0;
    size_t need = (size_t)s->n + add;
    if (need > UINT32_MAX / 2)
        return fail(p, FL_ELIMIT, at, "container at byte %zu is too large", at);
    /* a fresh container gets exactly what its first batch needs (the C++ pickler and
     * Python's both add everything in one batch up to 1000 items) */
    size_t cap = s->cap ? (size_t)s->cap * 2 : need;
    if (cap < need)
        cap = need;
    if (cap > UINT32_MAX / 2)
        cap = UINT32_MAX / 2;
    struct fl_pk *v = alloc(p, cap * per * sizeof *v);
    if (!v)
        return fail(p, FL_ENOMEM, at, "out of memory");
    if (s->n)
        memcpy(v, s->v, (size_t)s->n * per * sizeof *v);
    s->v = v;
    s->cap = (uint32_t)cap;
    return 0;
}

/* A container item went in: the nesting limit, and (dict keys) hashability. Rare: most
 * items are scalars and never get here. */
static int check_container_item(struct fl_pickle *p, struct fl_pk_seq *s, const struct fl_pk *c,
                                bool key, size_t at)
{
    if (key) {
        bool bad = c->type != FL_PK_TUPLE;
        for (uint32_t k = 0; k < c->u.seq->n && !bad; k++)
            bad = c->u.seq->v[k].type == FL_PK_LIST || c->u.seq->v[k].type == FL_PK_DICT;
        if (bad)
            return fail(p, FL_EPARSE, at, "dict key at byte %zu is a %s (unhashable)", at,
                        type_name(c->type));
    }
    if (c->u.seq->depth + 1 > s->depth) {
        s->depth = c->u.seq->depth + 1;
        if (s->depth > p->max_depth)
            return fail(p, FL_ELIMIT, at, "containers nested deeper than %u at byte %zu",
                        p->max_depth, at);
    }
    return 0;
}

enum items { INTO_DICT, INTO_LIST, INTO_TUPLE };

/* Copy n items into dst (inside s), checking the containers among them. A taken dict may only
 * go into a list (its own). */
static inline int copy_items(struct fl_pickle *p, struct fl_pk_seq *s, struct fl_pk *dst,
                             const struct fl_pk *src, size_t n, enum items into, size_t at)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[i];
        if (src[i].type >= FL_PK_LIST) {
            if (src[i].type == FL_PK_HANDLE) {
                if (into != INTO_LIST)
                    return conflict(p, at);
                continue;
            }
            int rc = check_container_item(p, s, &src[i], into == INTO_DICT && i % 2 == 0, at);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Append stack[from..sp) to the list or dict at stack[from - 1], then drop them. */
static inline int add_items(struct fl_pickle *p, unsigned char op, size_t from, size_t at)
{
    bool dict = op == 's' || op == 'u';
    if (from == 0)
        return fail(p, FL_EPARSE, at, "%s at byte %zu has no container under its items",
                    opnames[op], at);
    struct fl_pk *target = &p->stack[from - 1];
    uint8_t want = dict ? FL_PK_DICT : FL_PK_LIST;
    if (target->type == FL_PK_HANDLE)
        return conflict(p, at);
    /* a memoized container older than a taken dict may be inside it: filling it now would
     * change what the hook read (no writer does this; Python fills a container right after
     * memoizing it, before any dict holding it is complete) */
    if (p->taken && target->type >= FL_PK_LIST && target->u.seq->memoized &&
        target->u.seq->offset < p->last_take_at)
        return conflict(p, at);
    if (target->type != want)
        return fail(p, FL_EPARSE, at, "%s at byte %zu into a %s, not a %s", opnames[op], at,
                    type_name(target->type), dict ? "dict" : "list");
    struct fl_pk_seq *s = target->u.seq;
    size_t count = p->sp - from;
    if (!count) /* MARK + APPENDS of nothing, as the C++ pickler writes an empty list */
        return 0;
    if (dict && count % 2)
        return fail(p, FL_EPARSE, at, "%s at byte %zu with an odd number of items (%zu)",
                    opnames[op], at, count);
    size_t per = dict ? 2 : 1;
    int rc = reserve(p, s, count / per, per, at);
    if (rc || (rc = copy_items(p, s, s->v + (size_t)s->n * per, p->stack + from, count,
                               dict ? INTO_DICT : INTO_LIST, at)))
        return rc;
    s->n += (uint32_t)(count / per);
    p->sp = from;
    return 0;
}

/* Replace stack[from..sp) with one tuple of those items. */
static int make_tuple(struct fl_pickle *p, size_t from, size_t at)
{
    struct fl_pk_seq *s = new_seq(p, at);
    if (!s)
        return fail(p, FL_ENOMEM, at, "out of memory");
    size_t count = p->sp - from;
    int rc;
    if (count && ((rc = reserve(p, s, count, 1, at)) ||
                  (rc = copy_items(p, s, s->v, p->stack + from, count, INTO_TUPLE, at))))
        return rc;
    s->n = (uint32_t)count;
    p->sp = from;
    if (p->sp == p->stack_cap && (rc = grow_stack(p, at)))
        return rc;
    p->stack[p->sp++] = (struct fl_pk){.type = FL_PK_TUPLE, .u.seq = s};
    return 0;
}

/* SETITEMS is about to fill the dict at stack[m - 1] with the pairs in stack[m..sp) (m: the
 * MARK it popped, info: what that MARK saved). When the dict is fresh and unmemoized and the
 * innermost open MARK is a list's, the dict is one of that list's pending items: the take
 * hook reads it straight off the stack. Taken, it becomes a handle without ever being copied
 * into a body, and the bump memory its contents took since its MARK is reused when nothing in
 * it was memoized (nothing else can reach it) and no new block was started meanwhile.
 * Returns 1 taken, 0 (the caller fills the dict as usual) or an error; the pairs are checked
 * exactly as add_items would, so errors do not depend on the hook. */
static int take_setitems(struct fl_pickle *p, size_t m, const struct fl_pk_markinfo *info,
                         size_t at)
{
    if (m == 0 || !p->nmarks)
        return 0;
    struct fl_pk *d = &p->stack[m - 1];
    size_t lm = p->marks[p->nmarks - 1], count = p->sp - m;
    if (d->type != FL_PK_DICT || d->u.seq->n || d->u.seq->memoized || !count || count % 2 ||
        lm == 0 || lm > m - 1 || p->stack[lm - 1].type != FL_PK_LIST)
        return 0;
    struct fl_pk_seq *seq = d->u.seq;
    struct fl_pk_seq view = *seq;
    view.v = p->stack + m;
    view.n = view.cap = (uint32_t)(count / 2);
    const struct fl_pk *src = view.v;
    for (size_t i = 0; i < count; i++) {
        if (src[i].type < FL_PK_LIST)
            continue;
        if (src[i].type == FL_PK_HANDLE)
            return conflict(p, at);
        int rc = check_container_item(p, &view, &src[i], i % 2 == 0, at);
        if (rc)
            return rc;
    }
    /* a dict nested near the limit stays in the tree, so that the list around it is refused
     * for its depth as it would be without the hook */
    if (view.depth + 3 > p->max_depth)
        return 0;
    int64_t h = 0;
    struct fl_pk dv = {.type = FL_PK_DICT, .u.seq = &view};
    int rc = p->take(p->take_arg, p, lm - 1, &dv, &h);
    if (rc == FL_ENOMEM)
        return fail(p, rc, at, "out of memory");
    if (rc < 0)
        return fail(p, rc, at, "the reader stopped at byte %zu", at);
    if (rc == 0)
        return 0;
    *d = (struct fl_pk){.type = FL_PK_HANDLE, .u.i = h};
    p->sp = m;
    p->taken++;
    p->last_take_at = at;
    if (info->bump && info->bump_end == p->bump_end &&
        info->memo_containers == p->memo_containers) {
        unsigned char *start = info->bump;
        if ((unsigned char *)seq + sizeof *seq == start) /* EMPTY_DICT right before its MARK */
            start = (unsigned char *)seq;
        p->bump = start;
        p->reclaimed++;
    }
    return 1;
}

/* ---- scalar decoding ------------------------------------------------------------------ */

static uint64_t le(const unsigned char *q, size_t n)
{
    uint64_t x = 0;
    for (size_t i = n; i-- > 0;)
        x = (x << 8) | q[i];
    return x;
}

static uint64_t le64(const unsigned char *q)
{
    uint64_t x;
    memcpy(&x, q, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* LONG1/LONG4 payload: n little-endian two's complement bytes. */
static struct fl_pk long_value(const unsigned char *q, size_t n)
{
    struct fl_pk v = {.type = FL_PK_INT, .u.i = 0};
    if (n == 8) { /* the C++ pickler's only width */
        v.u.i = (int64_t)le64(q);
        return v;
    }
    if (n == 0)
        return v;
    /* bytes past the 8th must only extend the sign of byte 7 */
    bool neg = q[n - 1] & 0x80;
    size_t sig = n;
    while (sig > 1 && q[sig - 1] == (neg ? 0xff : 0x00) && ((q[sig - 2] & 0x80) != 0) == neg)
        sig--;
    if (sig > 8) {
        v.type = FL_PK_BIGINT;
        v.u.s = fl_str_make((const char *)q, n);
        return v;
    }
    uint64_t x = le(q, sig);
    if (neg && sig < 8)
        x |= ~(uint64_t)0 << (8 * sig);
    v.u.i = (int64_t)x;
    return v;
}

/* ---- the loop ----------------------------------------------------------------------- */

/* The loop keeps the stack pointer, the stack and the memo in locals (a store into the stack
 * could otherwise alias p->sp for the compiler); SYNC hands them to the helpers, which work on
 * p, and RELOAD takes them back. AT is the offending opcode's offset, for messages. */
#define AT ((size_t)(opq - b))

#define NEED(n)                                                                                    \
    do {                                                                                           \
        if ((size_t)(end - q) < (size_t)(n))                                                       \
            return fail(p, FL_ETRUNC, AT,                                                          \
                        "cut short: the pickle ends at byte %zu inside %s "                        \
                        "(at byte %zu)",                                                           \
                        len, opnames[op], AT);                                                     \
    } while (0)

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

#define SYNC() (p->sp = sp)
#define RELOAD() (stk = p->stack, sp = p->sp, cap = p->stack_cap)
#define RELOAD_MEMO() (memo = p->memo, memo_cap = p->memo_cap)

#define PUSH(val)                                                                                  \
    do {                                                                                           \
        if (sp == cap) {                                                                           \
            SYNC();                                                                                \
            TRY(grow_stack(p, AT));                                                                \
            RELOAD();                                                                              \
        }                                                                                          \
        stk[sp++] = (val);                                                                         \
    } while (0)

static int load(struct fl_pickle *p, const unsigned char *b, size_t len, struct fl_pk *out)
{
    const unsigned char *q = b, *end = b + len;
    /* every writer numbers memo ids from 0 upwards, one per store of at least two bytes */
    size_t memo_limit = len < p->max_memo ? (len > 256 ? len : 256) : p->max_memo;
    p->memo_limit = memo_limit;
    struct fl_pk *stk = p->stack;
    size_t sp = p->sp, cap = p->stack_cap;
    const struct fl_pk *memo = p->memo;
    size_t memo_cap = p->memo_cap;
    for (;;) {
        const unsigned char *opq = q;
        if (q >= end)
            return fail(p, FL_ETRUNC, AT, "cut short: the pickle ends at byte %zu before STOP",
                        len);
        unsigned char op = *q++;
        struct fl_pk v;
        size_t m = 0; /* set by every opcode that reads it; gcc -O2 cannot see that */
        uint64_t n;
        switch (op) {
        case 'h': /* BINGET: the C++ pickler's most frequent opcode */
            NEED(1);
            n = *q++;
            goto get;
        case 'j': /* LONG_BINGET */
            NEED(4);
            n = le(q, 4);
            q += 4;
        get:
            if (n >= memo_cap || memo[n].type == PK_UNDEF)
                return fail(p, FL_EPARSE, AT, "memo reference %llu at byte %zu was never stored",
                            (unsigned long long)n, AT);
            PUSH(memo[n]);
            break;
        case 'K': /* BININT1 */
            NEED(1);
            v.type = FL_PK_INT;
            v.u.i = *q++;
            PUSH(v);
            break;
        case 'M': /* BININT2 */
            NEED(2);
            v.type = FL_PK_INT;
            v.u.i = (int64_t)(q[0] | (unsigned)q[1] << 8);
            q += 2;
            PUSH(v);
            break;
        case 'J': /* BININT: signed 32-bit */
            NEED(4);
            v.type = FL_PK_INT;
            v.u.i = (int32_t)(uint32_t)le(q, 4);
            q += 4;
            PUSH(v);
            break;
        case '(':
            SYNC();
            TRY(push_mark(p, AT));
            break;
        case '}':
            /* an entry among a list's items, in the C++ pickler's form: the raw hook may read
             * it from the bytes (the stack limit stays far: the loader would push its pairs) */
            if (p->take_raw && p->take && q < end && *q == '(' && p->nmarks &&
                p->marks[p->nmarks - 1] > 0 &&
                stk[p->marks[p->nmarks - 1] - 1].type == FL_PK_LIST && sp + 4096 < p->max_stack) {
                size_t next = 0;
                int64_t h = 0;
                SYNC();
                int rc =
                    p->take_raw(p->take_arg, p, b, len, AT, p->marks[p->nmarks - 1] - 1, &next, &h);
                RELOAD_MEMO();
                if (rc == FL_ENOMEM)
                    return fail(p, rc, AT, "out of memory");
                if (rc < 0)
                    return fail(p, rc, AT, "the reader stopped at byte %zu", AT);
                if (rc) {
                    v.type = FL_PK_HANDLE;
                    v.u.i = h;
                    PUSH(v);
                    p->taken++;
                    p->last_take_at = next - 1; /* its SETITEMS */
                    q = b + next;
                    break;
                }
            }
            /* fall through */
        case ']': {
            struct fl_pk_seq *s = new_seq(p, AT);
            if (!s)
                return fail(p, FL_ENOMEM, AT, "out of memory");
            v.type = op == '}' ? FL_PK_DICT : FL_PK_LIST;
            v.u.seq = s;
            PUSH(v);
            break;
        }
        case 'e': /* APPENDS */
        case 'u': /* SETITEMS */
            SYNC();
            TRY(pop_mark(p, op, AT, &m));
            if (op == 'u' && p->take) {
                int rc = take_setitems(p, m, &p->markinfo[p->nmarks], AT);
                if (rc < 0)
                    return rc;
                if (rc) {
                    RELOAD();
                    break;
                }
            }
            TRY(add_items(p, op, m, AT));
            RELOAD();
            break;
        case 'a': /* APPEND */
        case 's': /* SETITEM */
            m = op == 'a' ? 1 : 2;
            if (sp < m + 1)
                return fail(p, FL_EPARSE, AT, "%s at byte %zu with too few values on the stack",
                            opnames[op], AT);
            SYNC();
            TRY(add_items(p, op, sp - m, AT));
            RELOAD();
            break;
        case 'X':
        case 0x8c:
        case 0x8d: { /* BINUNICODE, SHORT_BINUNICODE, BINUNICODE8 */
            size_t w = op == 'X' ? 4 : op == 0x8c ? 1 : 8;
            NEED(w);
            n = le(q, w);
            q += w;
            if (n > (uint64_t)(end - q))
                return fail(p, FL_ETRUNC, AT,
                            "cut short: a string of %llu bytes at byte %zu runs past the end "
                            "(the input ends at byte %zu)",
                            (unsigned long long)n, AT, len);
            v.type = FL_PK_STR;
            v.u.s = fl_str_make((const char *)q, (size_t)n);
            q += n;
            PUSH(v);
            break;
        }
        case 'q': /* BINPUT */
            NEED(1);
            SYNC();
            TRY(memo_put(p, *q++, AT, memo_limit));
            RELOAD_MEMO();
            break;
        case 'r': /* LONG_BINPUT */
            NEED(4);
            n = le(q, 4);
            q += 4;
            SYNC();
            TRY(memo_put(p, n, AT, memo_limit));
            RELOAD_MEMO();
            break;
        case 0x94: /* MEMOIZE */
            SYNC();
            TRY(memo_put(p, p->memo_len, AT, memo_limit));
            RELOAD_MEMO();
            break;
        case 0x8a: /* LONG1 */
            NEED(1);
            n = *q++;
            NEED(1 + n);
            if (n == 8) { /* the C++ pickler's only width */
                v.type = FL_PK_INT;
                v.u.i = (int64_t)le64(q);
            } else {
                v = long_value(q, (size_t)n);
            }
            q += n;
            PUSH(v);
            break;
        case 0x8b: /* LONG4: signed 32-bit length */
            NEED(4);
            n = le(q, 4);
            q += 4;
            if (n & 0x80000000u)
                return fail(p, FL_EPARSE, AT, "LONG4 at byte %zu has a negative length", AT);
            if (n > (uint64_t)(end - q))
                return fail(p, FL_ETRUNC, AT,
                            "cut short: an integer of %llu bytes at byte %zu runs past the end "
                            "(the input ends at byte %zu)",
                            (unsigned long long)n, AT, len);
            v = long_value(q, (size_t)n);
            q += n;
            PUSH(v);
            break;
        case 'G': { /* BINFLOAT: big-endian IEEE 754 double */
            NEED(8);
            uint64_t bits = 0;
            for (int i = 0; i < 8; i++)
                bits = (bits << 8) | q[i];
            q += 8;
            v.type = FL_PK_FLOAT;
            memcpy(&v.u.f, &bits, sizeof bits);
            PUSH(v);
            break;
        }
        case 'N':
            v.type = FL_PK_NONE;
            v.u.i = 0;
            PUSH(v);
            break;
        case 0x88:
        case 0x89:
            v.type = FL_PK_BOOL;
            v.u.i = 0;
            v.u.b = op == 0x88;
            PUSH(v);
            break;
        case ')':
            SYNC();
            TRY(make_tuple(p, sp, AT));
            RELOAD();
            break;
        case 't': /* TUPLE */
            SYNC();
            TRY(pop_mark(p, op, AT, &m));
            TRY(make_tuple(p, m, AT));
            RELOAD();
            break;
        case 0x85:
        case 0x86:
        case 0x87: /* TUPLE1..3 */
            m = (size_t)(op - 0x84);
            if (sp < m)
                return fail(p, FL_EPARSE, AT, "%s at byte %zu with too few values on the stack",
                            opnames[op], AT);
            SYNC();
            TRY(make_tuple(p, sp - m, AT));
            RELOAD();
            break;
        case 0x80: /* PROTO */
            NEED(1);
            p->protocol = *q++;
            if (p->protocol > 5)
                return fail(p, FL_EUNSUPPORTED, AT,
                            "pickle protocol %d is newer than this reader (2 to 5)", p->protocol);
            break;
        case 0x95: /* FRAME: a length prefix, transparent to the data */
            NEED(8);
            n = le64(q);
            q += 8;
            if (n > (uint64_t)(end - q))
                return fail(p, FL_ETRUNC, AT,
                            "cut short: a frame of %llu bytes at byte %zu runs past the end "
                            "(the input ends at byte %zu)",
                            (unsigned long long)n, AT, len);
            break;
        case '.': /* STOP */
            SYNC();
            if (p->nmarks)
                return fail(p, FL_EPARSE, AT, "STOP at byte %zu with an open MARK", AT);
            if (sp != 1)
                return fail(p, FL_EPARSE, AT, "STOP at byte %zu with %zu values on the stack", AT,
                            sp);
            *out = stk[0];
            p->end_offset = (size_t)(q - b);
            return 0;
        default: {
            char hex[8];
            if (refused(op))
                return fail(p, FL_EUNSUPPORTED, AT,
                            "refused opcode %s (0x%02x) at byte %zu: it imports or calls code, "
                            "and only plain data is read",
                            opnames[op], op, AT);
            if (opnames[op])
                return fail(p, FL_EUNSUPPORTED, AT,
                            "unsupported opcode %s (0x%02x) at byte %zu: not written by "
                            "PyTorch or Python protocol 2-5 for these dumps",
                            opnames[op], op, AT);
            return fail(p, FL_EUNSUPPORTED, AT, "unknown opcode %s at byte %zu",
                        opname_or_hex(op, hex), AT);
        }
        }
    }
}

int fl_pickle_load(struct fl_pickle *p, const char *buf, size_t len, struct fl_pk *out)
{
    /* forget the previous load's memo (only the slots it could have written) */
    for (size_t i = 0; i < p->memo_cap; i++)
        p->memo[i].type = PK_UNDEF;
    p->sp = 0;
    p->nmarks = 0;
    p->memo_len = 0;
    p->memo_redefs++; /* every slot forgotten: what a hook learned of the memo is stale */
    p->take_conflict = false;
    p->memo_containers = 0;
    p->taken = p->reclaimed = 0;
    p->last_take_at = 0;
    p->protocol = 0;
    p->end_offset = 0;
    p->input_len = len;
    p->bump = p->bump_end = NULL; /* the arena may have been reset since the last load */
    /* blocks in proportion to the input: a small pickle does not get 64 KiB */
    p->block = len * 2 < PK_BLOCK_MIN   ? PK_BLOCK_MIN
               : len * 2 > PK_BLOCK_MAX ? PK_BLOCK_MAX
                                        : len * 2;
    p->err_offset = 0;
    p->why[0] = '\0';
    out->type = FL_PK_NONE;
    out->u.i = 0;
    return load(p, (const unsigned char *)buf, len, out);
}

const struct fl_pk *fl_pk_get(const struct fl_pk *d, const char *key)
{
    if (!d || d->type != FL_PK_DICT)
        return NULL;
    const struct fl_pk *found = NULL;
    const struct fl_pk_seq *s = d->u.seq;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct fl_pk *k = &s->v[2 * (size_t)i];
        if (k->type == FL_PK_STR && fl_str_eq_cstr(k->u.s, key))
            found = &s->v[2 * (size_t)i + 1];
    }
    return found;
}
