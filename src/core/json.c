/* JSON input over jsmn: token array reuse, navigation, value decoding. */
#include "core/json.h"

#include <string.h>

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

int fl_json_parse(struct fl_json_parser *p, const char *js, size_t len, struct fl_json *out,
                  size_t *err_pos)
{
    if (!p->cap) {
        int rc = grow(p);
        if (rc)
            return rc;
    }
    for (;;) {
        jsmn_parser jp;
        jsmn_init(&jp);
        int r = jsmn_parse(&jp, js, len, p->tok, (unsigned)p->cap);
        if (err_pos)
            *err_pos = jp.pos;
        if (r == JSMN_ERROR_NOMEM) {
            int rc = grow(p);
            if (rc)
                return rc;
            continue;
        }
        if (r == JSMN_ERROR_INVAL)
            return FL_EPARSE;
        if (r == JSMN_ERROR_PART)
            return FL_ETRUNC;
        if (r <= 0)
            return FL_EPARSE; /* empty text */
        /* jsmn stops at the end of the first complete value only in non-strict mode; make
         * sure nothing but whitespace follows the root value */
        size_t end = (size_t)p->tok[0].end;
        for (size_t k = end; k < len; k++) {
            char c = js[k];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                if (err_pos)
                    *err_pos = k;
                return FL_EPARSE;
            }
        }
        out->js = js;
        out->len = len;
        out->tok = p->tok;
        out->ntok = r;
        return 0;
    }
}

int fl_json_skip(const struct fl_json *j, int i)
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

int fl_json_get(const struct fl_json *j, int obj, const char *key)
{
    if (obj < 0 || obj >= j->ntok || j->tok[obj].type != JSMN_OBJECT)
        return -1;
    size_t klen = strlen(key);
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

bool fl_json_is_string(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_STRING;
}
bool fl_json_is_object(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_OBJECT;
}
bool fl_json_is_array(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_ARRAY;
}
bool fl_json_is_null(const struct fl_json *j, int i)
{
    return i >= 0 && i < j->ntok && j->tok[i].type == JSMN_PRIMITIVE &&
           fl_str_eq_cstr(fl_json_raw(j, i), "null");
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4)
        return -1;
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
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

bool fl_json_unescape(struct fl_str body, struct fl_arena *a, struct fl_str *out, bool *oom)
{
    const char *p = body.ptr, *end = body.ptr + body.len;
    if (!memchr(p, '\\', body.len)) {
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
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
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

bool fl_json_str(const struct fl_json *j, int i, struct fl_arena *a, struct fl_str *out,
                 bool *oom)
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
