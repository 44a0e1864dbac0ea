/* str.h - string views, bounded scanners, hashing and interning.
 *
 * Contract: a struct fl_str is a view (ptr, len) into memory someone else owns; it is never
 * assumed NUL-terminated. Every scanner takes an end pointer and never reads at or past it.
 * An intern table owns copies of the strings it interns (in its own arena) and maps each to
 * a dense id >= 1; id 0 means "none". Same strings in the same order give the same ids.
 */
#ifndef FAULTLINE_STR_H
#define FAULTLINE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/arena.h"

struct fl_str {
    const char *ptr;
    size_t len;
};

#define FL_STR_NULL ((struct fl_str){NULL, 0})
#define FL_STR_LIT(s) ((struct fl_str){(s), sizeof(s) - 1})
/* For printf: printf("%.*s", FL_STR_FMT(s)) */
#define FL_STR_FMT(s) (int)(s).len, (s).ptr

static inline struct fl_str fl_str_make(const char *p, size_t n)
{
    struct fl_str s = {p, n};
    return s;
}
struct fl_str fl_str_from_cstr(const char *s); /* NULL gives FL_STR_NULL */

bool fl_str_eq(struct fl_str a, struct fl_str b);
bool fl_str_eq_cstr(struct fl_str a, const char *b);
bool fl_str_eq_nocase(struct fl_str a, struct fl_str b);
bool fl_str_starts_with(struct fl_str s, const char *prefix);
bool fl_str_ends_with(struct fl_str s, const char *suffix);
int fl_str_cmp(struct fl_str a, struct fl_str b); /* memcmp order, shorter first on tie */
struct fl_str fl_str_trim(struct fl_str s);       /* ASCII whitespace both ends */
struct fl_str fl_str_sub(struct fl_str s, size_t off, size_t len); /* clamped */
/* Offset of needle in hay, or -1. Empty needle is found at 0. */
ptrdiff_t fl_str_find(struct fl_str hay, struct fl_str needle);
/* memmem over raw bounds; NULL when absent. */
const char *fl_memmem(const char *hay, const char *end, const char *needle, size_t nlen);

/* Bounded scanner: a cursor p that never passes end. */
struct fl_scan {
    const char *p;
    const char *end;
};

static inline struct fl_scan fl_scan_make(const char *p, const char *end)
{
    struct fl_scan s = {p, end};
    return s;
}
static inline bool fl_scan_eof(const struct fl_scan *s) { return s->p >= s->end; }
static inline size_t fl_scan_left(const struct fl_scan *s) { return (size_t)(s->end - s->p); }

/* Consume the literal if it is next; true when consumed. */
bool fl_scan_lit(struct fl_scan *s, const char *lit);
bool fl_scan_char(struct fl_scan *s, char c);
void fl_scan_skip_ws(struct fl_scan *s); /* spaces and tabs only */
/* Consume up to (not including) c; returns the span; false when c never appears (nothing
 * consumed). */
bool fl_scan_until(struct fl_scan *s, char c, struct fl_str *out);
/* Next line without its terminator (LF; a CR before it is dropped too). false at end. */
bool fl_scan_line(struct fl_scan *s, struct fl_str *line);

/* Decimal and hex numbers: consume digits, fail (nothing consumed) on no digit or
 * overflow. Signed accepts a leading '-' or '+'. */
bool fl_scan_u64(struct fl_scan *s, uint64_t *out);
bool fl_scan_i64(struct fl_scan *s, int64_t *out);
bool fl_scan_hex_u64(struct fl_scan *s, uint64_t *out); /* no 0x prefix */
/* Value of one hex digit (either case), -1 for anything else. */
int fl_hex_digit(char c);
/* Whole-string conversions: true only when all of s is the number. */
bool fl_str_to_u64(struct fl_str s, uint64_t *out);
bool fl_str_to_i64(struct fl_str s, int64_t *out);
bool fl_str_to_double(struct fl_str s, double *out); /* decimal/exponent, "NaN", "+Inf" */

/* Stable 64-bit hash (FNV-1a with a final avalanche); identical on every machine. */
uint64_t fl_hash64(const void *data, size_t len, uint64_t seed);
#define FL_HASH_SEED 0x6661756c746c696eULL /* "faultlin" */
/* n independent hashes at once: seed[i] becomes fl_hash64(data[i], len[i], seed[i]), the same
 * value, faster for long inputs (a kilobyte each: several times faster than n calls). */
void fl_hash64_many(const void *const *data, const size_t *len, uint64_t *seed, size_t n);
/* The portable loop fl_hash64_many uses where it has no vector path (tests call it). */
void fl__hash64_many_scalar(const void *const *data, const size_t *len, uint64_t *seed, size_t n);
/* 16 lower-case hex digits + NUL. */
void fl_hex64(uint64_t v, char out[17]);

/* Intern table. */
struct fl_intern {
    struct fl_arena arena;  /* holds copies of interned bytes and the id->string array */
    uint32_t *slots;        /* open addressing: id, 0 = empty */
    uint64_t *hashes;       /* hash of each id's string, indexed by id */
    struct fl_str *strs;    /* indexed by id; strs[0] = empty */
    uint32_t count;         /* ids in use, excluding 0 */
    uint32_t cap_ids;       /* capacity of strs/hashes */
    uint32_t nslots;        /* power of two */
};

void fl_intern_init(struct fl_intern *t);
void fl_intern_release(struct fl_intern *t);
/* Id of s, adding a copy when new. 0 for an empty string; -FL_ENOMEM style failure is
 * reported as UINT32_MAX. */
uint32_t fl_intern_put(struct fl_intern *t, struct fl_str s);
/* Id of s or 0 when absent (no insertion). */
uint32_t fl_intern_get(const struct fl_intern *t, struct fl_str s);
/* String of id (FL_STR_NULL for 0 or out of range). The view is NUL-terminated. */
struct fl_str fl_intern_str(const struct fl_intern *t, uint32_t id);
#define FL_INTERN_FAIL UINT32_MAX

#endif
