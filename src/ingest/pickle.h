/* pickle.h - a small strict unpickler for data-only pickles (PyTorch Flight Recorder dumps).
 *
 * Contract: fl_pickle_load reads one pickle (protocol 2-5, as PyTorch's C++ pickler and
 * Python's pickle write them) into a tree of struct fl_pk values allocated in the arena the
 * loader was given. It understands exactly the data opcodes those writers use for dicts,
 * lists, tuples, str, int, float, bool and None, plus the memo; every opcode that imports,
 * calls or builds an object (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ,
 * NEWOBJ_EX, EXT1/2/4, PERSID, BINPERSID, out-of-band buffers) is refused with an error
 * before anything happens: nothing is ever looked up, imported or executed. Other data
 * opcodes (protocol 0/1 text forms, bytes, sets) are refused as unsupported.
 *
 * Ownership: strings (FL_PK_STR) and big integers (FL_PK_BIGINT) are views into the input
 * buffer, never copied or decoded (BINUNICODE bytes are UTF-8 as written), so the input must
 * outlive the tree; containers live in the arena until it is reset. The value stack, mark
 * stack and memo are scratch arrays owned by struct fl_pickle (through the allocation hook),
 * reused by the next load and freed by fl_pickle_release. Nothing is allocated per value on
 * the heap.
 *
 * Streaming (optional): a caller that reads a long list of dicts (a dump's entries) can set
 * p->take, called as each dict among a list's pending items is complete. When it takes the
 * dict (it copies what it needs, nothing else can reach the dict: it is not memoized), the
 * dict becomes an FL_PK_HANDLE value in the list, and its memory, with everything in it, is
 * reused for the next one when nothing in it was memoized: a dump's tree then stays a few
 * pages however many entries it has. A taken dict used as anything but an item of its list
 * (a key, a tuple item, memoized, extended by a later SETITEM) stops the load with
 * p->take_conflict set; loading again without the hook gives the plain tree.
 *
 * Containers may be shared (the memo lets one list or dict appear in several places) and a
 * hostile pickle can even make one contain itself: walk a tree with a depth limit. Limits
 * (all checked, all errors): nesting depth (marks and containers), value stack size, memo
 * size (a memo id can never exceed the input length), string lengths against the end of the
 * input. Errors carry the byte offset of the offending opcode and a lower-case reason.
 */
#ifndef FAULTLINE_INGEST_PICKLE_H
#define FAULTLINE_INGEST_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"
#include "faultline/str.h"

enum fl_pk_type {
    FL_PK_NONE = 0,
    FL_PK_BOOL,
    FL_PK_INT,    /* fits int64 */
    FL_PK_BIGINT, /* LONG1/LONG4 wider than int64: u.s holds the little-endian bytes */
    FL_PK_FLOAT,
    FL_PK_STR, /* UTF-8 bytes as written */
    FL_PK_LIST,
    FL_PK_TUPLE,
    FL_PK_DICT,
    FL_PK_HANDLE, /* a dict the take hook took over: u.i is the hook's handle */
};

struct fl_pk_seq;

/* One value; 24 bytes, copied by value. Containers point at a shared body. */
struct fl_pk {
    uint8_t type; /* enum fl_pk_type */
    union {
        bool b;
        int64_t i;
        double f;
        struct fl_str s;       /* STR, BIGINT */
        struct fl_pk_seq *seq; /* LIST, TUPLE, DICT */
    } u;
};

/* Body of a list, tuple or dict. A dict holds n pairs: v[2k] is a key, v[2k+1] its value, in
 * insertion order (a repeated key appears twice; the later pair wins, as in Python). */
struct fl_pk_seq {
    struct fl_pk *v;
    uint32_t n;      /* items (list, tuple) or pairs (dict) */
    uint32_t cap;    /* items or pairs allocated */
    uint32_t depth;  /* 1 + deepest child container at insertion time */
    bool memoized;   /* a memo slot holds it */
    uint64_t offset; /* byte offset of the opcode that created it */
};

/* Limits; the defaults fit any real Flight Recorder dump with a wide margin. */
#define FL_PK_MAX_DEPTH 64         /* open marks, and container nesting */
#define FL_PK_MAX_STACK (1u << 22) /* values on the stack at once */
#define FL_PK_MAX_MEMO (1u << 24)  /* memo ids (also < input length) */

struct fl_pickle;

/* The take hook: dict (complete, unmemoized) sits among the pending items of the list at
 * p->stack[list_at] (the innermost open MARK is that list's). Return 1 with *handle set to
 * take it, 0 to leave it, or a negative FL_E* code to stop the load with it. */
typedef int (*fl_pickle_take_fn)(void *arg, const struct fl_pickle *p, size_t list_at,
                                 const struct fl_pk *dict, int64_t *handle);

/* The raw take hook: the bytes at buf[at] are EMPTY_DICT MARK among the pending items of the
 * list at p->stack[list_at]. The hook may read the whole dict from the bytes itself (the memo
 * through fl_pickle_memo_get / fl_pickle_memo_store): return 1 with *next (the offset just
 * past its SETITEMS) and *handle, and the loader continues there with the dict taken, exactly
 * as if it had built the dict and the take hook had taken it; 0 when it would rather not (the
 * loader goes on at buf[at] as usual: memo stores the hook made are made again, to the same
 * values); a negative FL_E* code stops the load. */
typedef int (*fl_pickle_take_raw_fn)(void *arg, struct fl_pickle *p, const unsigned char *buf,
                                     size_t len, size_t at, size_t list_at, size_t *next,
                                     int64_t *handle);

/* What the loader saved at a MARK (to reuse a taken dict's memory). */
struct fl_pk_markinfo {
    unsigned char *bump, *bump_end;
    uint64_t memo_containers;
};

struct fl_pickle {
    struct fl_arena *arena; /* containers go here (borrowed) */
    struct fl_pk *stack;
    size_t sp, stack_cap;
    uint32_t *marks;
    struct fl_pk_markinfo *markinfo; /* parallel to marks */
    size_t nmarks, marks_cap;
    fl_pickle_take_fn take;         /* optional (see above); NULL = build the whole tree */
    fl_pickle_take_raw_fn take_raw; /* optional, only with take */
    void *take_arg;
    size_t memo_limit;         /* memo ids of this load are below it */
    size_t input_len;          /* bytes of this load's input */
    bool take_conflict;        /* the load failed because a taken dict was used otherwise */
    uint64_t memo_containers;  /* containers memoized so far in this load */
    uint64_t taken, reclaimed; /* dicts taken, and of those whose memory was reused */
    uint64_t last_take_at;     /* byte offset of the SETITEMS that completed the last one */
    struct fl_pk *memo;        /* indexed by memo id; type 0xff = not defined */
    size_t memo_cap, memo_len;
    /* Stores into a memo slot that held a value (and loads, which forget every slot): while
     * it is unchanged, a defined slot still holds what it held, so a hook may remember what
     * a memo id resolved to and check this count instead of the slot. */
    uint64_t memo_redefs;
    uint32_t max_depth;
    size_t max_stack;
    size_t max_memo;
    unsigned char *bump, *bump_end; /* current block carved from the arena */
    size_t block;                   /* size of those blocks, set per load */
    int protocol;                   /* from PROTO, 0 when absent */
    size_t end_offset;              /* byte just past STOP after a successful load */
    /* error report of the last load */
    uint64_t err_offset;
    char why[192];
};

void fl_pickle_init(struct fl_pickle *p, struct fl_arena *arena);
void fl_pickle_release(struct fl_pickle *p);

/* Load the pickle at buf[0..len) into *out. Returns 0, FL_ETRUNC (the input ends before
 * STOP), FL_EPARSE (malformed: stack underflow, a missing mark, a bad memo reference, a
 * container of the wrong type...), FL_EUNSUPPORTED (a refused or unknown opcode, or
 * p->take_conflict), FL_ELIMIT (depth, stack or memo limit), FL_ENOMEM, or a code the take
 * hook returned; on error p->why and p->err_offset say what and where. Bytes after STOP are
 * not read (p->end_offset tells where the pickle ended). */
int fl_pickle_load(struct fl_pickle *p, const char *buf, size_t len, struct fl_pk *out);

/* The memo for a take_raw hook: the value stored under id (false when none), and a store
 * (0, or nonzero when the id is out of range or memory ran out: the hook then declines and
 * the loader says what is wrong). */
static inline bool fl_pickle_memo_get(const struct fl_pickle *p, uint64_t id, struct fl_pk *out)
{
    if (id >= p->memo_cap || p->memo[id].type == 0xff)
        return false;
    *out = p->memo[id];
    return true;
}
int fl_pickle_memo_store(struct fl_pickle *p, uint64_t id, const struct fl_pk *v);

/* Name of an opcode byte ("BINUNICODE", "GLOBAL"...), or NULL when it is not one. */
const char *fl_pickle_opname(unsigned char op);

/* Dict lookup by string key (linear; the later pair wins). NULL when absent or d is not a
 * dict. */
const struct fl_pk *fl_pk_get(const struct fl_pk *d, const char *key);

#endif
