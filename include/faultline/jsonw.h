/* jsonw.h - deterministic JSON writer.
 *
 * Contract: the writer appends to a growable byte buffer it owns (through the allocation
 * hook). Output is compact (no spaces) unless pretty is set (2-space indent, one key per
 * line), keys are written in the order the caller writes them, strings are escaped per
 * RFC 8259 (quote, backslash, control characters as \n \t \r \b \f or \u00XX; DEL kept),
 * and invalid UTF-8 (bad lead or continuation bytes, overlongs, surrogates, code points past
 * U+10FFFF, truncated sequences) is replaced by U+FFFD, one per maximal invalid subpart,
 * so output is always valid UTF-8. Integers are exact int64/uint64; doubles are written
 * with the shortest "%.17g"-round-trip form, NaN/Inf as null. Commas and nesting are
 * tracked by the writer. The buffer is always NUL-terminated after the content (w->buf is a C string). After any allocation failure the writer is sticky-failed:
 * fl_jsonw_error returns FL_ENOMEM and further calls do nothing.
 */
#ifndef FAULTLINE_JSONW_H
#define FAULTLINE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/str.h"

#define FL_JSONW_MAX_DEPTH 64

struct fl_jsonw {
    char *buf;
    size_t len;
    size_t cap;
    int error;      /* 0 or FL_ENOMEM / FL_ELIMIT (nesting too deep) */
    bool pretty;
    int depth;
    bool need_comma[FL_JSONW_MAX_DEPTH + 1];
    bool after_key;
    bool in_object[FL_JSONW_MAX_DEPTH + 1];
};

void fl_jsonw_init(struct fl_jsonw *w, bool pretty);
void fl_jsonw_release(struct fl_jsonw *w);
void fl_jsonw_reset(struct fl_jsonw *w); /* keep the buffer, drop the content */
int fl_jsonw_error(const struct fl_jsonw *w);

void fl_jsonw_object_begin(struct fl_jsonw *w);
void fl_jsonw_object_end(struct fl_jsonw *w);
void fl_jsonw_array_begin(struct fl_jsonw *w);
void fl_jsonw_array_end(struct fl_jsonw *w);
void fl_jsonw_key(struct fl_jsonw *w, const char *key); /* key is trusted ASCII, still escaped */
void fl_jsonw_key_str(struct fl_jsonw *w, struct fl_str key);

void fl_jsonw_str(struct fl_jsonw *w, struct fl_str s);
void fl_jsonw_cstr(struct fl_jsonw *w, const char *s); /* NULL writes null */
void fl_jsonw_i64(struct fl_jsonw *w, int64_t v);
void fl_jsonw_u64(struct fl_jsonw *w, uint64_t v);
void fl_jsonw_double(struct fl_jsonw *w, double v);
void fl_jsonw_bool(struct fl_jsonw *w, bool v);
void fl_jsonw_null(struct fl_jsonw *w);
void fl_jsonw_time(struct fl_jsonw *w, int64_t ns); /* RFC 3339 UTC string; null for FL_TIME_NONE */
/* Append already-valid JSON text as one value (caller guarantees validity). */
void fl_jsonw_raw(struct fl_jsonw *w, const char *json, size_t len);
/* Append raw bytes outside the value structure (e.g. a newline between JSON Lines). */
void fl_jsonw_bytes(struct fl_jsonw *w, const char *p, size_t n);

/* Escape s as the body of a JSON string (no quotes) into w, with UTF-8 repair. */
void fl_jsonw_escape_into(struct fl_jsonw *w, struct fl_str s);

#endif
