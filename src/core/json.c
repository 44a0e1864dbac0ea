/* JSON input: strict validation fused into tokenizing (jsmn tokens), the jsmn reference path,
 * token array reuse, navigation, value decoding. */
#include "core/json.h"

#include <limits.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "faultline/alloc.h"
#include "faultline/err.h"

#define FL_JSON_DEFAULT_MAX_TOKENS (1u << 24)

void fl_json_parser_init(struct fl_json_parser *p, size_t max_tokens)
{
    memset(p, 0, sizeof *p);
    p->max_tokens = max_tokens ? max_tokens : FL_JSON_DEFAULT_MAX_TOKENS;
}

void fl_json_parser_release(struct fl_json_parser *p)
{
    fl_free(p->tok);
    p->tok = NULL;
    p->cap = 0;
}

static int grow(struct fl_json_parser *p)
{
    if (p->cap >= p->max_tokens)
        return FL_ELIMIT;
    size_t cap = p->cap ? p->cap * 2 : 256;
    if (cap > p->max_tokens)
        cap = p->max_tokens;
    jsmntok_t *t = fl_realloc(p->tok, cap * sizeof *t);
    if (!t)
        return FL_ENOMEM;
    p->tok = t;
    p->cap = cap;
    return 0;
}

/* ---- strict RFC 8259 validation ------------------------------------------------------ */

struct vstate {
    const char *s;
    size_t n, i;
    const char *why;
    int rc;
};

static bool v_fail(struct vstate *v, int rc, const char *why)
{
    if (!v->rc) {
        v->rc = rc;
        v->why = why;
    }
    return false;
}

static void v_ws(struct vstate *v)
{
    while (v->i < v->n) {
        char c = v->s[v->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        v->i++;
    }
}

static bool v_string(struct vstate *v)
{
    v->i++; /* opening quote */
    while (v->i < v->n) {
        unsigned char c = (unsigned char)v->s[v->i];
        if (c == '"') {
            v->i++;
            return true;
        }
        if (c < 0x20)
            return v_fail(v, FL_EPARSE, "control character inside a string");
        if (c == '\\') {
            if (++v->i >= v->n)
                break;
            char e = v->s[v->i];
            if (e == 'u') {
                for (int k = 1; k <= 4; k++) {
                    if (v->i + (size_t)k >= v->n) {
                        v->i = v->n;
                        return v_fail(v, FL_ETRUNC, "JSON ends inside a string");
                    }
                    if (fl_hex_digit(v->s[v->i + (size_t)k]) < 0) {
                        v->i += (size_t)k;
                        return v_fail(v, FL_EPARSE, "bad \\u escape in a string");
                    }
                }
                v->i += 4;
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return v_fail(v, FL_EPARSE, "bad escape in a string");
            }
        }
        v->i++;
    }
    return v_fail(v, FL_ETRUNC, "JSON ends inside a string");
}

static bool v_digits(struct vstate *v)
{
    size_t start = v->i;
    while (v->i < v->n && v->s[v->i] >= '0' && v->s[v->i] <= '9')
        v->i++;
    if (v->i == start)
        return v_fail(v, v->i >= v->n ? FL_ETRUNC : FL_EPARSE, "bad number");
    return true;
}

static bool v_number(struct vstate *v)
{
    if (v->s[v->i] == '-')
        v->i++;
    if (v->i < v->n && v->s[v->i] == '0') {
        v->i++;
    } else if (!v_digits(v)) {
        return false;
    }
    if (v->i < v->n && v->s[v->i] == '.') {
        v->i++;
        if (!v_digits(v))
            return false;
    }
    if (v->i < v->n && (v->s[v->i] == 'e' || v->s[v->i] == 'E')) {
        v->i++;
        if (v->i < v->n && (v->s[v->i] == '+' || v->s[v->i] == '-'))
            v->i++;
        if (!v_digits(v))
            return false;
    }
    return true;
}

static bool v_literal(struct vstate *v, const char *lit)
{
    size_t k = 0;
    for (; lit[k]; k++) {
        if (v->i + k >= v->n) {
            v->i = v->n;
            return v_fail(v, FL_ETRUNC, "JSON ends inside a literal");
        }
        if (v->s[v->i + k] != lit[k]) {
            v->i += k;
            return v_fail(v, FL_EPARSE, "unexpected word (expected a value)");
        }
    }
    v->i += k;
    return true;
}

/* Expect a key string then ':' (inside an object). */
static bool v_key(struct vstate *v)
{
    v_ws(v);
    if (v->i >= v->n)
        return v_fail(v, FL_ETRUNC, "JSON ends inside an object");
    if (v->s[v->i] != '"')
        return v_fail(v, FL_EPARSE, "expected a quoted key");
    if (!v_string(v))
        return false;
    v_ws(v);
    if (v->i >= v->n)
        return v_fail(v, FL_ETRUNC, "JSON ends inside an object");
    if (v->s[v->i] != ':')
        return v_fail(v, FL_EPARSE, "expected ':' after a key");
    v->i++;
    return true;
}

int fl_json_validate(const char *js, size_t len, size_t *err_pos, const char **why)
{
    struct vstate v = {.s = js, .n = len};
    unsigned char stack[FL_JSON_MAX_DEPTH]; /* 1 = object, 0 = array */
    int depth = 0;
    for (;;) {
        /* a value */
        v_ws(&v);
        if (v.i >= v.n) {
            v_fail(&v, FL_ETRUNC,
                   v.i == 0 || depth == 0 ? "no JSON value" : "JSON ends before a value");
            break;
        }
        char c = js[v.i];
        if (c == '{' || c == '[') {
            if (depth == FL_JSON_MAX_DEPTH) {
                v_fail(&v, FL_ELIMIT, "JSON nested too deeply");
                break;
            }
            stack[depth++] = c == '{';
            v.i++;
            v_ws(&v);
            if (v.i < v.n && js[v.i] == (c == '{' ? '}' : ']')) {
                v.i++;
                depth--;
            } else {
                if (c == '{' && !v_key(&v))
                    break;
                continue; /* the first member's value */
            }
        } else if (c == '"') {
            if (!v_string(&v))
                break;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!v_number(&v))
                break;
        } else if (c == 't' || c == 'f' || c == 'n') {
            if (!v_literal(&v, c == 't' ? "true" : c == 'f' ? "false" : "null"))
                break;
        } else {
            v_fail(&v, FL_EPARSE, "unexpected character (expected a value)");
            break;
        }
        /* after a value: close containers or move to the next member */
        bool more = false;
        while (!more) {
            v_ws(&v);
            if (depth == 0) {
                if (v.i < v.n)
                    v_fail(&v, FL_EPARSE, "unexpected data after the JSON value");
                goto done;
            }
            if (v.i >= v.n) {
                v_fail(&v, FL_ETRUNC,
                       stack[depth - 1] ? "JSON ends inside an object"
                                        : "JSON ends inside an array");
                goto done;
            }
            char d = js[v.i];
            if (d == ',') {
                v.i++;
                if (stack[depth - 1] && !v_key(&v))
                    goto done;
                more = true;
            } else if (d == (stack[depth - 1] ? '}' : ']')) {
                v.i++;
                depth--;
            } else {
                v_fail(&v, FL_EPARSE,
                       stack[depth - 1] ? "expected ',' or '}'" : "expected ',' or ']'");
                goto done;
            }
        }
    }
done:
    if (err_pos)
        *err_pos = v.i < v.n ? v.i : v.n;
    if (why)
        *why = v.why;
    return v.rc;
}

int fl__json_parse_ref(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                       size_t *err_pos, const char **why)
{
    if (len > (size_t)INT_MAX) { /* jsmn keeps int offsets */
        if (err_pos)
            *err_pos = 0;
        if (why)
            *why = "JSON document larger than 2 GiB";
        return FL_ELIMIT;
    }
    int rc = fl_json_validate(js, len, err_pos, why);
    if (rc)
        return rc;
    if (!p->cap) {
        rc = grow(p);
        if (rc)
            return rc;
    }
    size_t b = 0, e = len;
    while (b < e && (js[b] == ' ' || js[b] == '\t' || js[b] == '\r' || js[b] == '\n'))
        b++;
    if (js[b] != '{' && js[b] != '[' && js[b] != '"') {
        /* a bare number or literal: strict jsmn wants a delimiter after it, so the (already
         * validated) root becomes one primitive token here */
        while (e > b &&
               (js[e - 1] == ' ' || js[e - 1] == '\t' || js[e - 1] == '\r' || js[e - 1] == '\n'))
            e--;
        p->tok[0] = (jsmntok_t){
            .type = JSMN_PRIMITIVE, .start = (int)b, .end = (int)e, .size = 0, .parent = -1};
        out->js = js;
        out->len = len;
        out->tok = p->tok;
        out->ntok = 1;
        return 0;
    }
    for (;;) {
        jsmn_parser jp;
        jsmn_init(&jp);
        int r = jsmn_parse(&jp, js, len, p->tok, (unsigned)p->cap);
        if (r == JSMN_ERROR_NOMEM) {
            rc = grow(p);
            if (rc) {
                if (why)
                    *why = rc == FL_ELIMIT ? "JSON has too many values" : "out of memory";
                return rc;
            }
            continue;
        }
        if (r <= 0) { /* the validator accepted it: jsmn must too */
            if (err_pos)
                *err_pos = jp.pos;
            if (why)
                *why = "JSON tokenizer disagrees with the validator";
            return FL_EPARSE;
        }
        out->js = js;
        out->len = len;
        out->tok = p->tok;
        out->ntok = r;
        return 0;
    }
}

/* ---- the fast path: validation fused into tokenizing ---------------------------------- */

/* One pass that accepts exactly what fl_json_validate accepts and writes the tokens jsmn
 * (strict, parent links) writes for it: a string's token spans its body, a primitive's its
 * bytes, a container's its brackets; an object's size counts its keys, a key's size is 1 (its
 * value is its child), an array's size counts its elements; parents as jsmn links them. It
 * only has to be right when it accepts: on anything else (a syntax error, the depth limit) the
 * caller runs the reference path, which says what is wrong and where. String bodies are
 * skipped 16 bytes at a time where SSE2 is there, the indentation 8 bytes at a time. */

enum { FAST_OK = 0, FAST_NO = 1 }; /* else FL_ENOMEM or FL_ELIMIT from growing the tokens */

static inline bool fast_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Past the whitespace at i, counting newlines into *nl. */
static inline size_t fast_ws(const char *s, size_t n, size_t i, size_t *nl)
{
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c > ' ')
            break; /* most calls: no whitespace, or the one space after a colon */
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c != '\n')
            break;
        (*nl)++;
        i++;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* kubectl indents: a run of spaces follows each newline */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t x = w ^ 0x2020202020202020ULL; /* zero bytes where w has spaces */
            if (x) {
                i += (size_t)__builtin_ctzll(x) >> 3;
                break;
            }
            i += 8;
        }
#endif
    }
    return i;
}

static inline bool fast_escape_char(char e)
{
    return e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
           e == 't';
}

#ifdef __GNUC__
#define FAST_INLINE inline __attribute__((always_inline))
#else
#define FAST_INLINE inline
#endif

/* Index of the closing quote of the string whose body starts at i; SIZE_MAX when the body is
 * not valid (a raw control character, a bad escape) or the input ends first. */
static FAST_INLINE size_t fast_string(const char *s, size_t n, size_t i)
{
    for (;;) {
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
        const __m128i ctl = _mm_set1_epi8(0x1f);
        while (n - i >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i m =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                             _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)); /* v <= 0x1f */
            unsigned bits = (unsigned)_mm_movemask_epi8(m);
            if (bits) {
                i += (size_t)__builtin_ctz(bits);
                goto stop;
            }
            i += 16;
        }
#endif
        for (;; i++) {
            if (i >= n)
                return SIZE_MAX;
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\' || c < 0x20)
                break;
        }
#ifdef __SSE2__
    stop:
#endif
        if (s[i] == '"')
            return i;
        if (s[i] != '\\' || n - i < 2)
            return SIZE_MAX; /* a control character, or the input ends in an escape */
        char e = s[i + 1];
        if (e == 'u') {
            if (n - i < 6)
                return SIZE_MAX;
            for (size_t k = 2; k < 6; k++)
                if (fl_hex_digit(s[i + k]) < 0)
                    return SIZE_MAX;
            i += 6;
        } else if (fast_escape_char(e)) {
            i += 2;
        } else {
            return SIZE_MAX;
        }
    }
}

static inline bool fast_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* End of the RFC 8259 number at i, SIZE_MAX when there is none. */
static size_t fast_number(const char *s, size_t n, size_t i)
{
    if (s[i] == '-')
        i++;
    if (i >= n)
        return SIZE_MAX;
    if (s[i] == '0') {
        i++;
    } else if (fast_digit(s[i])) {
        while (++i < n && fast_digit(s[i]))
            ;
    } else {
        return SIZE_MAX;
    }
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && fast_digit(s[i]))
            i++;
        if (i == d)
            return SIZE_MAX;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && fast_digit(s[i]))
            i++;
        if (i == d)
            return SIZE_MAX;
    }
    return i;
}

static size_t fast_literal(const char *s, size_t n, size_t i)
{
    static const char *const lit[] = {"true", "false", "null"};
    const char *l = s[i] == 't' ? lit[0] : s[i] == 'f' ? lit[1] : lit[2];
    size_t k = strlen(l);
    if (n - i < k || memcmp(s + i, l, k) != 0)
        return SIZE_MAX;
    return i + k;
}

/* The value starting at s[i] (not whitespace, i < n <= INT_MAX) into p's tokens. With prefix,
 * stop right after it (*end: that index, *nl: newlines before it); else only whitespace may
 * follow it. p->cap must be at least 1. */
static int fast_parse(struct fl_json_parser *p, const char *s, size_t n, size_t i, bool prefix,
                      int *ntok, size_t *end, size_t *newlines)
{
    int stk[FL_JSON_MAX_DEPTH]; /* token of each open container */
    int depth = 0, nt = 0, parent = -1;
    size_t nl = 0;
    jsmntok_t *tok = p->tok, *t;
    int rc;

value:
    if (i >= n)
        return FAST_NO;
    if ((size_t)nt == p->cap) {
        if ((rc = grow(p)))
            return rc;
        tok = p->tok;
    }
    t = &tok[nt];
    t->parent = parent;
    t->size = 0;
    if (parent >= 0)
        tok[parent].size++;
    if (s[i] == '"') { /* most values */
        size_t q = fast_string(s, n, i + 1);
        if (q == SIZE_MAX)
            return FAST_NO;
        t->type = JSMN_STRING;
        t->start = (int)(i + 1);
        t->end = (int)q;
        i = q + 1;
        nt++;
        goto after_value;
    }
    switch (s[i]) {
    case '{':
    case '[': {
        char close = s[i] == '{' ? '}' : ']';
        if (depth == FL_JSON_MAX_DEPTH)
            return FAST_NO;
        t->type = close == '}' ? JSMN_OBJECT : JSMN_ARRAY;
        t->start = (int)i;
        t->end = -1;
        stk[depth++] = nt++;
        i = fast_ws(s, n, i + 1, &nl);
        if (i < n && s[i] == close) {
            t->end = (int)(i + 1);
            depth--;
            i++;
            goto after_value;
        }
        if (close == '}')
            goto key;
        parent = nt - 1;
        goto value;
    }
    case 't':
    case 'f':
    case 'n':
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
        size_t e = fast_digit(s[i]) || s[i] == '-' ? fast_number(s, n, i) : fast_literal(s, n, i);
        if (e == SIZE_MAX)
            return FAST_NO;
        t->type = JSMN_PRIMITIVE;
        t->start = (int)i;
        t->end = (int)e;
        i = e;
        break;
    }
    default:
        return FAST_NO;
    }
    nt++;

after_value:
    if (depth == 0) {
        if (!prefix) {
            i = fast_ws(s, n, i, &nl);
            if (i != n)
                return FAST_NO;
        }
        *ntok = nt;
        *end = i;
        *newlines = nl;
        return FAST_OK;
    }
    if (i < n && (unsigned char)s[i] <= ' ') /* kubectl puts the comma right after */
        i = fast_ws(s, n, i, &nl);
    if (i >= n)
        return FAST_NO;
    {
        jsmntok_t *top = &tok[stk[depth - 1]];
        if (s[i] == ',') {
            i = fast_ws(s, n, i + 1, &nl);
            if (top->type == JSMN_OBJECT)
                goto key;
            parent = stk[depth - 1];
            goto value;
        }
        if (s[i] != (top->type == JSMN_OBJECT ? '}' : ']'))
            return FAST_NO;
        top->end = (int)(i + 1);
        depth--;
        i++;
        goto after_value;
    }

key:
    if (i >= n || s[i] != '"')
        return FAST_NO;
    if ((size_t)nt == p->cap) {
        if ((rc = grow(p)))
            return rc;
        tok = p->tok;
    }
    {
        size_t q = fast_string(s, n, i + 1);
        if (q == SIZE_MAX)
            return FAST_NO;
        int obj = stk[depth - 1];
        tok[nt] = (jsmntok_t){
            .type = JSMN_STRING, .start = (int)(i + 1), .end = (int)q, .size = 0, .parent = obj};
        tok[obj].size++;
        parent = nt++;
        i = q + 1;
        if (i < n && s[i] != ':') /* kubectl: the colon right after the key, one space */
            i = fast_ws(s, n, i, &nl);
        if (i >= n || s[i] != ':')
            return FAST_NO;
        i++;
        if (i < n && s[i] == ' ')
            i++;
        if (i < n && (unsigned char)s[i] <= ' ')
            i = fast_ws(s, n, i, &nl);
        goto value;
    }
}

int fl_json_parse(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                  size_t *err_pos, const char **why)
{
    size_t b = 0;
    while (b < len && fast_space((unsigned char)js[b]))
        b++;
    /* a bare number or literal at the root, and everything fast_parse refuses, take the
     * reference path: it is the one that reports errors */
    if (len > (size_t)INT_MAX || b >= len || (js[b] != '{' && js[b] != '[' && js[b] != '"'))
        return fl__json_parse_ref(p, js, len, out, err_pos, why);
    int rc = p->cap ? 0 : grow(p);
    int ntok = 0;
    size_t end, nl = 0;
    if (!rc)
        rc = fast_parse(p, js, len, b, false, &ntok, &end, &nl);
    if (rc == FAST_NO)
        return fl__json_parse_ref(p, js, len, out, err_pos, why);
    if (rc) {
        /* the token array could not grow: a syntax error still comes first, as it does on the
         * reference path, which validates before it tokenizes */
        bool first = !p->cap;
        int vr = fl_json_validate(js, len, err_pos, why);
        if (vr)
            return vr;
        if (why && !first)
            *why = rc == FL_ELIMIT ? "JSON has too many values" : "out of memory";
        return rc;
    }
    if (err_pos)
        *err_pos = len;
    if (why)
        *why = NULL;
    out->js = js;
    out->len = len;
    out->tok = p->tok;
    out->ntok = ntok;
    return 0;
}

int fl_json_parse_prefix(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                         size_t *used, size_t *newlines)
{
    if (!len || (js[0] != '{' && js[0] != '['))
        return FL_EPARSE;
    if (len > (size_t)INT_MAX)
        len = (size_t)INT_MAX; /* token offsets are int: a longer value fails, as it would */
    int rc = p->cap ? 0 : grow(p);
    int ntok = 0;
    size_t end, nl = 0;
    if (!rc)
        rc = fast_parse(p, js, len, 0, true, &ntok, &end, &nl);
    if (rc)
        return rc == FAST_NO ? FL_EPARSE : rc;
    out->js = js;
    out->len = end;
    out->tok = p->tok;
    out->ntok = ntok;
    *used = end;
    *newlines = nl;
    return 0;
}

int fl__json_skip_tree(const struct fl_json *j, int i)
{
    int end = i + 1;
    long pending = j->tok[i].size;
    while (pending > 0 && end < j->ntok) {
        pending += (long)j->tok[end].size - 1;
        end++;
    }
    return end;
}

struct fl_str fl_json_raw(const struct fl_json *j, int i)
{
    const jsmntok_t *t = &j->tok[i];
    return fl_str_make(j->js + t->start, (size_t)(t->end - t->start));
}

int fl_json_get_n(const struct fl_json *j, int obj, const char *key, size_t klen)
{
    if (obj < 0 || obj >= j->ntok || j->tok[obj].type != JSMN_OBJECT)
        return -1;
    int k = obj + 1;
    for (int n = 0; n < j->tok[obj].size && k < j->ntok; n++) {
        const jsmntok_t *t = &j->tok[k];
        if (t->type == JSMN_STRING && (size_t)(t->end - t->start) == klen &&
            memcmp(j->js + t->start, key, klen) == 0)
            return k + 1 < j->ntok ? k + 1 : -1;
        k = fl_json_skip(j, k + 1);
    }
    return -1;
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4)
        return -1;
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int d = fl_hex_digit(p[k]);
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Whether s[0..n) holds a backslash: most strings are short and have none, and a call to
 * memchr costs more than looking. */
static bool has_backslash(const char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i bslash = _mm_set1_epi8('\\');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, bslash)))
            return true;
    }
#endif
    for (; i < n; i++)
        if (s[i] == '\\')
            return true;
    return false;
}

bool fl_json_unescape(struct fl_str body, struct fl_arena *a, struct fl_str *out, bool *oom)
{
    const char *p = body.ptr, *end = body.ptr + body.len;
    if (!has_backslash(p, body.len)) {
        *out = body;
        return true;
    }
    /* decoded output is never longer than the escaped input (\uXXXX = 6 bytes -> <= 3,
     * a surrogate pair = 12 bytes -> 4) */
    char *buf = fl_arena_alloc(a, body.len ? body.len : 1, 1);
    if (!buf) {
        if (oom)
            *oom = true;
        return false;
    }
    char *o = buf;
    while (p < end) {
        char c = *p++;
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        if (p >= end)
            return false;
        char e = *p++;
        switch (e) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp;
            if (hex4(p, end, &cp))
                return false;
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, end, &lo) == 0 &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            o = put_utf8(o, cp);
            break;
        }
        default:
            return false;
        }
    }
    *out = fl_str_make(buf, (size_t)(o - buf));
    return true;
}

bool fl_json_str(const struct fl_json *j, int i, struct fl_arena *a, struct fl_str *out, bool *oom)
{
    if (!fl_json_is_string(j, i))
        return false;
    return fl_json_unescape(fl_json_raw(j, i), a, out, oom);
}

static bool number_text(const struct fl_json *j, int i, bool allow_string, struct fl_str *s)
{
    if (i < 0 || i >= j->ntok)
        return false;
    if (j->tok[i].type == JSMN_PRIMITIVE) {
        *s = fl_json_raw(j, i);
        return s->len && (s->ptr[0] == '-' || (s->ptr[0] >= '0' && s->ptr[0] <= '9'));
    }
    if (allow_string && j->tok[i].type == JSMN_STRING) {
        *s = fl_json_raw(j, i);
        return true;
    }
    return false;
}

bool fl_json_i64(const struct fl_json *j, int i, bool allow_string, int64_t *out)
{
    struct fl_str s;
    return number_text(j, i, allow_string, &s) && fl_str_to_i64(s, out);
}

bool fl_json_double(const struct fl_json *j, int i, bool allow_string, double *out)
{
    struct fl_str s;
    return number_text(j, i, allow_string, &s) && fl_str_to_double(s, out);
}

bool fl_json_bool(const struct fl_json *j, int i, bool *out)
{
    if (i < 0 || i >= j->ntok || j->tok[i].type != JSMN_PRIMITIVE)
        return false;
    struct fl_str s = fl_json_raw(j, i);
    if (fl_str_eq_cstr(s, "true")) {
        *out = true;
        return true;
    }
    if (fl_str_eq_cstr(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}
