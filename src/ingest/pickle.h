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
    uint64_t offset; /* byte offset of the opcode that created it */
};

/* Limits; the defaults fit any real Flight Recorder dump with a wide margin. */
#define FL_PK_MAX_DEPTH 64         /* open marks, and container nesting */
#define FL_PK_MAX_STACK (1u << 22) /* values on the stack at once */
#define FL_PK_MAX_MEMO (1u << 24)  /* memo ids (also < input length) */

struct fl_pickle {
    struct fl_arena *arena; /* containers go here (borrowed) */
    struct fl_pk *stack;
    size_t sp, stack_cap;
    uint32_t *marks;
    size_t nmarks, marks_cap;
    struct fl_pk *memo; /* indexed by memo id; type 0xff = not defined */
    size_t memo_cap, memo_len;
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
 * container of the wrong type...), FL_EUNSUPPORTED (a refused or unknown opcode), FL_ELIMIT
 * (depth, stack or memo limit) or FL_ENOMEM; on error p->why and p->err_offset say what and
 * where. Bytes after STOP are not read (p->end_offset tells where the pickle ended). */
int fl_pickle_load(struct fl_pickle *p, const char *buf, size_t len, struct fl_pk *out);

/* Name of an opcode byte ("BINUNICODE", "GLOBAL"...), or NULL when it is not one. */
const char *fl_pickle_opname(unsigned char op);

/* Dict lookup by string key (linear; the later pair wins). NULL when absent or d is not a
 * dict. */
const struct fl_pk *fl_pk_get(const struct fl_pk *d, const char *key);

#endif
