/* json.h - JSON input on top of jsmn (docs/json-library.md says why jsmn).
 *
 * Contract: fl_json_parse validates one JSON text strictly against RFC 8259 (jsmn alone
 * accepts missing commas, bare words and raw control characters), reporting the byte offset and
 * the reason of the first error, and tokenizes it, as jsmn would, into a token array that the
 * parser struct owns and reuses (grown through the allocation hook, capped), so steady-state
 * parsing allocates nothing. Validation and tokenizing are one pass; the errors come from
 * fl_json_validate, run only when that pass refuses the text. Tokens are offsets into the caller's
 * buffer, which must outlive them. Strings come back as views into that buffer when they hold no
 * escapes, else decoded into the arena given; invalid escapes fail and lone surrogates become
 * U+FFFD. Not installed: readers inside faultline use it, nothing outside does.
 */
#ifndef FAULTLINE_JSON_H
#define FAULTLINE_JSON_H

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS /* without it jsmn is quadratic on large arrays (bench/jsonlib) */
#include <jsmn.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faultline/arena.h"
#include "faultline/str.h"

struct fl_json_parser {
    jsmntok_t *tok;
    size_t cap;        /* tokens allocated */
    size_t max_tokens; /* cap on growth; 0 = default (1 << 24) */
};

struct fl_json {
    const char *js;
    size_t len;
    const jsmntok_t *tok;
    int ntok;
};

void fl_json_parser_init(struct fl_json_parser *p, size_t max_tokens);
void fl_json_parser_release(struct fl_json_parser *p);

/* 0, FL_EPARSE (syntax), FL_ETRUNC (ends inside a value), FL_ELIMIT (nesting deeper than
 * FL_JSON_MAX_DEPTH or more tokens than the cap), FL_ENOMEM. On a syntax error *err_pos (may
 * be NULL) gets the byte offset of the offending byte and *why (may be NULL) a static reason. */
int fl_json_parse(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                  size_t *err_pos, const char **why);

/* One object or array that starts at js[0], read up to its closing bracket and no further: a
 * List's item cut out and tokenized in the same pass. 0 with *used (its bytes), *newlines (the
 * newlines in them) and out exactly as fl_json_parse(js, *used) gives; nonzero (FL_EPARSE for
 * anything that is not such a value, FL_ENOMEM, FL_ELIMIT) leaves no reason: the caller cuts
 * the value out by other means and has fl_json_parse say what is wrong. */
int fl_json_parse_prefix(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                         size_t *used, size_t *newlines);
/* fl_json_parse as it was before the fused fast path: fl_json_validate, then jsmn. It gives
 * the same result for every input; fl_json_parse falls back on it whenever the fast path
 * refuses, and the tests compare the two. */
int fl__json_parse_ref(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                       size_t *err_pos, const char **why);

#define FL_JSON_MAX_DEPTH 512
/* The validator alone: 0, FL_EPARSE, FL_ETRUNC or FL_ELIMIT, with *err_pos and *why. */
int fl_json_validate(const char *js, size_t len, size_t *err_pos, const char **why);

/* Index just past the subtree rooted at i (inline for a leaf, the common case). */
int fl__json_skip_tree(const struct fl_json *j, int i);
static inline int fl_json_skip(const struct fl_json *j, int i)
{
    return j->tok[i].size == 0 ? i + 1 : fl__json_skip_tree(j, i);
}
/* Value index of key (klen bytes) in object obj (keys compared as raw bytes), -1 when absent
 * or obj is not an object. fl_json_get takes a C string: inline, so the length of a literal
 * is known when it compiles. */
int fl_json_get_n(const struct fl_json *j, int obj, const char *key, size_t klen);
static inline int fl_json_get(const struct fl_json *j, int obj, const char *key)
{
    return fl_json_get_n(j, obj, key, strlen(key));
}
/* Raw bytes of token i (for strings: without quotes, still escaped). */
struct fl_str fl_json_raw(const struct fl_json *j, int i);

static inline bool fl_json_is_string(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_STRING;
}
static inline bool fl_json_is_object(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_OBJECT;
}
static inline bool fl_json_is_array(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_ARRAY;
}
static inline bool fl_json_is_null(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_PRIMITIVE &&
           j->tok[i].end - j->tok[i].start == 4 && memcmp(j->js + j->tok[i].start, "null", 4) == 0;
}
/* Decoded string value; false when i is not a string or its escapes are invalid (or the
 * arena is exhausted: *oom set when oom != NULL). */
bool fl_json_str(const struct fl_json *j, int i, struct fl_arena *a, struct fl_str *out, bool *oom);
/* Integer: a JSON number without fraction/exponent, or (when allow_string) a string holding
 * one, as Kubernetes and journald write them. */
bool fl_json_i64(const struct fl_json *j, int i, bool allow_string, int64_t *out);
bool fl_json_double(const struct fl_json *j, int i, bool allow_string, double *out);
bool fl_json_bool(const struct fl_json *j, int i, bool *out);

/* Decode a JSON string body (between quotes) into the arena. false on a bad escape or OOM. */
bool fl_json_unescape(struct fl_str body, struct fl_arena *a, struct fl_str *out, bool *oom);

#endif
