/* Tests for the JSON writer (src/verdict/jsonw.c): structure and pretty printing, string
 * escaping and UTF-8 repair, integers, doubles, the depth limit, allocation failure at every
 * point, and a property test over pseudo-random byte strings checked against an
 * independent reference repair and a small JSON validator. */
#include <criterion/criterion.h>

#include "fl_test.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/err.h"
#include "faultline/jsonw.h"
#include "faultline/time.h"

/* ---- helpers ----------------------------------------------------------------------- */

static const char *out(const struct fl_jsonw *w)
{
    return w->buf ? w->buf : "";
}

#define S(lit) fl_str_make((lit), sizeof(lit) - 1)

/* Small JSON validator (RFC 8259 grammar, no extensions). Returns true when [p, end) is
 * exactly one JSON value with optional surrounding whitespace. Strings must also be
 * valid UTF-8; that is checked separately by utf8_valid. */
struct jv {
    const unsigned char *p, *end;
    int depth;
};

static void jv_ws(struct jv *v)
{
    while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
        v->p++;
}

static bool jv_value(struct jv *v);

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool jv_string(struct jv *v)
{
    if (v->p >= v->end || *v->p != '"')
        return false;
    v->p++;
    while (v->p < v->end) {
        unsigned char c = *v->p++;
        if (c == '"')
            return true;
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        if (v->p >= v->end)
            return false;
        c = *v->p++;
        if (c == 'u') {
            for (int i = 0; i < 4; i++)
                if (v->p >= v->end || !is_hex(*v->p++))
                    return false;
        } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
            return false;
        }
    }
    return false;
}

static bool jv_digits(struct jv *v)
{
    const unsigned char *s = v->p;
    while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
        v->p++;
    return v->p > s;
}

static bool jv_number(struct jv *v)
{
    if (v->p < v->end && *v->p == '-')
        v->p++;
    if (v->p < v->end && *v->p == '0')
        v->p++;
    else if (v->p >= v->end || *v->p < '1' || *v->p > '9' || !jv_digits(v))
        return false;
    if (v->p < v->end && *v->p == '.') {
        v->p++;
        if (!jv_digits(v))
            return false;
    }
    if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
        v->p++;
        if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
            v->p++;
        if (!jv_digits(v))
            return false;
    }
    return true;
}

static bool jv_lit(struct jv *v, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(v->end - v->p) < n || memcmp(v->p, lit, n) != 0)
        return false;
    v->p += n;
    return true;
}

static bool jv_container(struct jv *v, unsigned char close, bool object)
{
    if (++v->depth > 1000)
        return false;
    v->p++;
    jv_ws(v);
    if (v->p < v->end && *v->p == close) {
        v->p++;
        v->depth--;
        return true;
    }
    for (;;) {
        jv_ws(v);
        if (object) {
            if (!jv_string(v))
                return false;
            jv_ws(v);
            if (v->p >= v->end || *v->p++ != ':')
                return false;
        }
        if (!jv_value(v))
            return false;
        jv_ws(v);
        if (v->p >= v->end)
            return false;
        unsigned char c = *v->p++;
        if (c == close)
            break;
        if (c != ',')
            return false;
    }
    v->depth--;
    return true;
}

static bool jv_value(struct jv *v)
{
    jv_ws(v);
    if (v->p >= v->end)
        return false;
    switch (*v->p) {
    case '{':
        return jv_container(v, '}', true);
    case '[':
        return jv_container(v, ']', false);
    case '"':
        return jv_string(v);
    case 't':
        return jv_lit(v, "true");
    case 'f':
        return jv_lit(v, "false");
    case 'n':
        return jv_lit(v, "null");
    default:
        return jv_number(v);
    }
}

static bool json_valid(const char *s, size_t n)
{
    struct jv v = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    if (!jv_value(&v))
        return false;
    jv_ws(&v);
    return v.p == v.end;
}

/* Strict UTF-8 check by decoding code points and range-checking them (a different method
 * from the writer's per-lead second-byte table). */
static bool utf8_valid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t len;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* Write one string value in a fresh compact writer; returns a heap copy of the output. */
static char *str_json(const char *s, size_t n)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_str(&w, fl_str_make(s, n));
    cr_assert_eq(fl_jsonw_error(&w), 0);
    char *r = fl_strndup_copy(out(&w), w.len);
    fl_jsonw_release(&w);
    return r;
}

static void expect_str(const char *in, size_t n, const char *want)
{
    char *got = str_json(in, n);
    cr_expect_str_eq(got, want, "input of %zu bytes", n);
    cr_expect(utf8_valid((const unsigned char *)got, strlen(got)));
    cr_expect(json_valid(got, strlen(got)));
    fl_free(got);
}

/* ---- structure --------------------------------------------------------------------- */

/* One document exercising every value kind and every nesting shape. */
static void write_doc(struct fl_jsonw *w)
{
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "name");
    fl_jsonw_cstr(w, "gpu");
    fl_jsonw_key(w, "n");
    fl_jsonw_i64(w, 3);
    fl_jsonw_key(w, "list");
    fl_jsonw_array_begin(w);
    fl_jsonw_u64(w, 1);
    fl_jsonw_str(w, S("two"));
    fl_jsonw_bool(w, true);
    fl_jsonw_null(w);
    fl_jsonw_object_begin(w);
    fl_jsonw_object_end(w);
    fl_jsonw_array_end(w);
    fl_jsonw_key(w, "nested");
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "a");
    fl_jsonw_array_begin(w);
    fl_jsonw_array_end(w);
    fl_jsonw_key_str(w, S("b"));
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "c");
    fl_jsonw_array_begin(w);
    fl_jsonw_array_begin(w);
    fl_jsonw_array_end(w);
    fl_jsonw_array_end(w);
    fl_jsonw_object_end(w);
    fl_jsonw_object_end(w);
    fl_jsonw_key(w, "x");
    fl_jsonw_double(w, 1.5);
    fl_jsonw_key(w, "f");
    fl_jsonw_bool(w, false);
    fl_jsonw_object_end(w);
}

FL_TEST(jsonw, nested_compact)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    write_doc(&w);
    cr_assert_eq(fl_jsonw_error(&w), 0);
    cr_assert_str_eq(out(&w), "{\"name\":\"gpu\",\"n\":3,\"list\":[1,\"two\",true,null,{}],"
                              "\"nested\":{\"a\":[],\"b\":{\"c\":[[]]}},\"x\":1.5,\"f\":false}");
    cr_assert_eq(w.len, strlen(out(&w)));
    cr_assert(json_valid(w.buf, w.len));
    fl_jsonw_release(&w);
    cr_assert_null(w.buf);
}

FL_TEST(jsonw, nested_pretty)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, true);
    write_doc(&w);
    cr_assert_eq(fl_jsonw_error(&w), 0);
    cr_assert_str_eq(out(&w), "{\n"
                              "  \"name\": \"gpu\",\n"
                              "  \"n\": 3,\n"
                              "  \"list\": [\n"
                              "    1,\n"
                              "    \"two\",\n"
                              "    true,\n"
                              "    null,\n"
                              "    {}\n"
                              "  ],\n"
                              "  \"nested\": {\n"
                              "    \"a\": [],\n"
                              "    \"b\": {\n"
                              "      \"c\": [\n"
                              "        []\n"
                              "      ]\n"
                              "    }\n"
                              "  },\n"
                              "  \"x\": 1.5,\n"
                              "  \"f\": false\n"
                              "}");
    cr_assert(json_valid(w.buf, w.len));
    fl_jsonw_release(&w);
}

FL_TEST(jsonw, empty_containers)
{
    for (int pretty = 0; pretty <= 1; pretty++) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, pretty);
        fl_jsonw_object_begin(&w);
        fl_jsonw_object_end(&w);
        cr_assert_str_eq(out(&w), "{}");
        fl_jsonw_reset(&w);
        fl_jsonw_array_begin(&w);
        fl_jsonw_array_end(&w);
        cr_assert_str_eq(out(&w), "[]");
        fl_jsonw_release(&w);
    }
}

FL_TEST(jsonw, commas_in_arrays_and_top_level_lines)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_array_begin(&w);
    for (int i = 1; i <= 3; i++)
        fl_jsonw_i64(&w, i);
    fl_jsonw_raw(&w, "{\"a\":2}", 7);
    fl_jsonw_array_begin(&w);
    fl_jsonw_array_end(&w);
    fl_jsonw_cstr(&w, NULL);
    fl_jsonw_array_end(&w);
    cr_assert_str_eq(out(&w), "[1,2,3,{\"a\":2},[],null]");
    fl_jsonw_reset(&w);

    /* JSON Lines: top-level values never get commas; fl_jsonw_bytes goes in verbatim. */
    for (int i = 0; i < 3; i++) {
        fl_jsonw_object_begin(&w);
        fl_jsonw_key(&w, "i");
        fl_jsonw_i64(&w, i);
        fl_jsonw_object_end(&w);
        fl_jsonw_bytes(&w, "\n", 1);
    }
    cr_assert_str_eq(out(&w), "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
    fl_jsonw_release(&w);
}

FL_TEST(jsonw, keys_are_escaped)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_object_begin(&w);
    fl_jsonw_key(&w, "a\"b\\c\n");
    fl_jsonw_i64(&w, 1);
    fl_jsonw_key_str(&w, S("bad\xff"));
    fl_jsonw_i64(&w, 2);
    fl_jsonw_object_end(&w);
    cr_assert_str_eq(out(&w), "{\"a\\\"b\\\\c\\n\":1,\"bad\xEF\xBF\xBD\":2}");
    fl_jsonw_release(&w);
}

FL_TEST(jsonw, reset_keeps_buffer)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_array_begin(&w);
    fl_jsonw_i64(&w, 1);
    char *buf = w.buf;
    size_t cap = w.cap;
    fl_jsonw_reset(&w);
    cr_assert_eq(w.len, 0);
    cr_assert_eq(w.buf, buf);
    cr_assert_eq(w.cap, cap);
    cr_assert_eq(w.depth, 0);
    fl_jsonw_i64(&w, 7);
    cr_assert_str_eq(out(&w), "7");
    fl_jsonw_release(&w);
}

/* ---- string escaping --------------------------------------------------------------- */

FL_TEST(jsonw, escape_every_control_char)
{
    static const char *const want[0x20] = {
        "\"\\u0000\"", "\"\\u0001\"", "\"\\u0002\"", "\"\\u0003\"", "\"\\u0004\"", "\"\\u0005\"",
        "\"\\u0006\"", "\"\\u0007\"", "\"\\b\"",     "\"\\t\"",     "\"\\n\"",     "\"\\u000b\"",
        "\"\\f\"",     "\"\\r\"",     "\"\\u000e\"", "\"\\u000f\"", "\"\\u0010\"", "\"\\u0011\"",
        "\"\\u0012\"", "\"\\u0013\"", "\"\\u0014\"", "\"\\u0015\"", "\"\\u0016\"", "\"\\u0017\"",
        "\"\\u0018\"", "\"\\u0019\"", "\"\\u001a\"", "\"\\u001b\"", "\"\\u001c\"", "\"\\u001d\"",
        "\"\\u001e\"", "\"\\u001f\"",
    };
    for (int c = 0; c < 0x20; c++) {
        char in = (char)c;
        expect_str(&in, 1, want[c]);
    }
}

FL_TEST(jsonw, escape_quote_backslash_keep_del_slash_and_ls_ps)
{
    expect_str("\"", 1, "\"\\\"\"");
    expect_str("\\", 1, "\"\\\\\"");
    expect_str("\x7f", 1, "\"\x7f\"");        /* DEL is not a control char in JSON */
    expect_str("a/b", 3, "\"a/b\"");          /* '/' is never escaped */
    expect_str("\xE2\x80\xA8\xE2\x80\xA9", 6, /* U+2028, U+2029 are valid JSON raw */
               "\"\xE2\x80\xA8\xE2\x80\xA9\"");
    expect_str("", 0, "\"\"");
    expect_str("plain text 123 ~", 16, "\"plain text 123 ~\"");
    expect_str("a\0b", 3, "\"a\\u0000b\""); /* embedded NUL from a view */
}

FL_TEST(jsonw, null_view_is_empty_string)
{
    char *got = str_json(NULL, 0);
    cr_assert_str_eq(got, "\"\"");
    fl_free(got);
}

/* Valid sequences at every boundary of Unicode Table 3-7 pass through unchanged. */
FL_TEST(jsonw, utf8_valid_passes_through)
{
    static const char *const ok[] = {
        "\xC2\x80",         /* U+0080 */
        "\xC3\xA9",         /* U+00E9 e acute */
        "\xDF\xBF",         /* U+07FF */
        "\xE0\xA0\x80",     /* U+0800 */
        "\xE2\x82\xAC",     /* U+20AC euro */
        "\xED\x9F\xBF",     /* U+D7FF, last before surrogates */
        "\xEE\x80\x80",     /* U+E000, first after surrogates */
        "\xEF\xBF\xBD",     /* U+FFFD itself */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xF0\x90\x80\x80", /* U+10000 */
        "\xF0\x9F\x98\x80", /* U+1F600 */
        "\xF3\xBF\xBF\xBF", /* U+FFFFF */
        "\xF4\x8F\xBF\xBF", /* U+10FFFF, last code point */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char want[16];
        snprintf(want, sizeof want, "\"%s\"", ok[i]);
        expect_str(ok[i], strlen(ok[i]), want);
    }
}

#define R "\xEF\xBF\xBD" /* U+FFFD REPLACEMENT CHARACTER */

/* Invalid UTF-8: one U+FFFD per maximal subpart. The rule (Unicode Standard ch. 3, §3.9
 * "U+FFFD Substitution of Maximal Subparts", Table 3-8; the WHATWG Encoding Standard's
 * UTF-8 decoder and ICU do the same): a maximal subpart is the longest prefix of a
 * well-formed sequence (Table 3-7) starting at the current byte, or that single byte when
 * it cannot start one. So "\xF0\x80\x80" is THREE: F0 may start a sequence but needs
 * 90-BF next, so F0 alone is a subpart; each 80 is then a stray continuation byte. A
 * truncated but otherwise valid prefix ("\xF0\x90\x80") is ONE. Python's
 * bytes.decode("utf-8", "replace") agrees on every case below. */
FL_TEST(jsonw, utf8_invalid_maximal_subparts)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        /* stray continuation bytes: one each */
        {"\x80", 1, "\"" R "\""},
        {"\xBF", 1, "\"" R "\""},
        {"\x80\xBF\x80", 3, "\"" R R R "\""},
        /* C0, C1 can only start overlongs: never a lead, so each byte separately */
        {"\xC0\x80", 2, "\"" R R "\""},
        {"\xC0\xAF", 2, "\"" R R "\""},
        {"\xC1\xBF", 2, "\"" R R "\""},
        /* E0 80-9F is an overlong 3-byte form: E0 alone, then each continuation */
        {"\xE0\x80\x80", 3, "\"" R R R "\""},
        {"\xE0\x9F\xBF", 3, "\"" R R R "\""},
        /* F0 80-8F is an overlong 4-byte form */
        {"\xF0\x80\x80", 3, "\"" R R R "\""},
        {"\xF0\x80\x80\x80", 4, "\"" R R R R "\""},
        {"\xF0\x8F\xBF\xBF", 4, "\"" R R R R "\""},
        /* surrogates ED A0-BF */
        {"\xED\xA0\x80", 3, "\"" R R R "\""},
        {"\xED\xBF\xBF", 3, "\"" R R R "\""},
        {"\xED\xA0\x80\xED\xB0\x80", 6, "\"" R R R R R R "\""}, /* CESU-8 pair */
        /* past U+10FFFF: F4 90+, and F5-FF can never lead */
        {"\xF4\x90\x80\x80", 4, "\"" R R R R "\""},
        {"\xF5\x80\x80\x80", 4, "\"" R R R R "\""},
        {"\xF7\xBF\xBF\xBF", 4, "\"" R R R R "\""},
        {"\xF8\x88\x80\x80\x80", 5, "\"" R R R R R "\""},
        {"\xFE", 1, "\"" R "\""},
        {"\xFF", 1, "\"" R "\""},
        /* truncated sequences: the valid prefix is one subpart */
        {"\xC3", 1, "\"" R "\""},
        {"\xE2\x82", 2, "\"" R "\""},
        {"\xF0\x9F\x98", 3, "\"" R "\""},
        {"\xF0\x90\x80", 3, "\"" R "\""},
        {"\xF4\x8F\xBF", 3, "\"" R "\""},
        /* truncated, then a good byte: the good byte survives */
        {"\xE1\x80"
         "A",
         3, "\"" R "A\""},
        {"\xC3"
         "\"",
         2, "\"" R "\\\"\""},
        {"\xF1\x80\x80"
         "\xC3\xA9",
         5, "\"" R "\xC3\xA9\""},
        /* lead followed by another lead */
        {"\xC3\xC3\xA9", 3, "\"" R "\xC3\xA9\""},
        {"\xE2\xF0\x9F\x98\x80", 5, "\"" R "\xF0\x9F\x98\x80\""},
        /* a mix in running text */
        {"a\xFF"
         "b\xC0\x80"
         "c",
         6, "\"a" R "b" R R "c\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_str(cases[i].in, cases[i].n, cases[i].want);
}

/* ---- numbers ----------------------------------------------------------------------- */

static char *scalar_json(void (*fn)(struct fl_jsonw *, const void *), const void *arg)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fn(&w, arg);
    char *r = fl_strndup_copy(out(&w), w.len);
    fl_jsonw_release(&w);
    return r;
}

static void put_i64(struct fl_jsonw *w, const void *a)
{
    fl_jsonw_i64(w, *(const int64_t *)a);
}
static void put_u64(struct fl_jsonw *w, const void *a)
{
    fl_jsonw_u64(w, *(const uint64_t *)a);
}
static void put_dbl(struct fl_jsonw *w, const void *a)
{
    fl_jsonw_double(w, *(const double *)a);
}

static void expect_i64(int64_t v, const char *want)
{
    char *got = scalar_json(put_i64, &v);
    cr_expect_str_eq(got, want);
    fl_free(got);
}

static void expect_u64(uint64_t v, const char *want)
{
    char *got = scalar_json(put_u64, &v);
    cr_expect_str_eq(got, want);
    fl_free(got);
}

static void expect_dbl(double v, const char *want)
{
    char *got = scalar_json(put_dbl, &v);
    cr_expect_str_eq(got, want, "for %.17g", v);
    fl_free(got);
}

FL_TEST(jsonw, integers_exact)
{
    expect_i64(0, "0");
    expect_i64(-1, "-1");
    expect_i64(42, "42");
    expect_i64(INT64_MAX, "9223372036854775807");
    expect_i64(INT64_MIN, "-9223372036854775808");
    expect_i64(INT64_MIN + 1, "-9223372036854775807");
    expect_u64(0, "0");
    expect_u64(UINT64_MAX, "18446744073709551615");
    expect_u64((uint64_t)INT64_MAX + 1, "9223372036854775808");
}

FL_TEST(jsonw, doubles_shortest_round_trip)
{
    expect_dbl(0.1, "0.1");
    expect_dbl(0.3, "0.3");
    expect_dbl(0.1 + 0.2, "0.30000000000000004"); /* needs all 17 digits */
    expect_dbl(1.0 / 3.0, "0.3333333333333333");  /* 16 digits */
    expect_dbl(1.0, "1");                         /* no forced ".0" */
    expect_dbl(-2.0, "-2");
    expect_dbl(1.5, "1.5");
    expect_dbl(100.0, "100");
    expect_dbl(123456.0, "123456");
    expect_dbl(1e21, "1e+21");
    expect_dbl(1e-7, "1e-07");
    expect_dbl(DBL_MAX, "1.7976931348623157e+308");
    expect_dbl(DBL_MIN, "2.2250738585072014e-308");
    /* %.15g is the shortest form tried; it already round-trips the smallest denormal. */
    expect_dbl(5e-324, "4.94065645841247e-324");
}

/* Decision: -0.0 is written "0" (ECMAScript JSON.stringify does the same; "-0" in a report
 * reads like a bug and consumers such as Python's json turn it into int 0 anyway). */
FL_TEST(jsonw, doubles_negative_zero_is_zero)
{
    expect_dbl(-0.0, "0");
    expect_dbl(0.0, "0");
}

FL_TEST(jsonw, doubles_non_finite_are_null)
{
    expect_dbl(NAN, "null");
    expect_dbl(-NAN, "null");
    expect_dbl(INFINITY, "null");
    expect_dbl(-INFINITY, "null");
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: fixed seed, same sequence on every machine */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

FL_TEST(jsonw, doubles_property_round_trip)
{
    rng_state = 0x9E3779B97F4A7C15ULL;
    int checked = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = rng();
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v) || v == 0)
            continue;
        char *got = scalar_json(put_dbl, &v);
        cr_assert(json_valid(got, strlen(got)), "%s", got);
        double back = strtod(got, NULL);
        cr_assert(memcmp(&back, &v, sizeof v) == 0, "%.17g wrote %s", v, got);
        /* Shortest among %.15g/%.16g/%.17g: with d > 15 significant digits, d - 1 digits
         * must not round-trip. */
        int digits = 0;
        bool lead = true;
        for (const char *c = got; *c && *c != 'e'; c++) {
            if (*c < '0' || *c > '9' || (lead && *c == '0'))
                continue;
            lead = false;
            digits++;
        }
        cr_assert(digits >= 1 && digits <= 17, "%s", got);
        if (digits > 15) {
            char shorter[320];
            snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
            cr_assert_neq(strtod(shorter, NULL), v, "%s is shorter than %s", shorter, got);
        }
        fl_free(got);
        checked++;
    }
    cr_assert_gt(checked, 19000);
}

/* Only runs where a decimal-comma locale is installed; the writer must still use '.'. */
FL_TEST(jsonw, doubles_locale_independent)
{
    static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8",
                                          "fr_FR.utf8",  "ru_RU.UTF-8", "nl_NL.UTF-8"};
    const char *got_locale = NULL;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0] && !got_locale; i++)
        got_locale = setlocale(LC_NUMERIC, locales[i]);
    if (!got_locale)
        cr_skip_test("no decimal-comma locale installed");
    expect_dbl(1.5, "1.5");
    expect_dbl(0.1 + 0.2, "0.30000000000000004");
    setlocale(LC_NUMERIC, "C");
}

/* ---- time -------------------------------------------------------------------------- */

FL_TEST(jsonw, time_values)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_array_begin(&w);
    fl_jsonw_time(&w, 0);
    fl_jsonw_time(&w, FL_TIME_NONE);
    fl_jsonw_time(&w, 1795545171551200000LL);
    fl_jsonw_array_end(&w);
    cr_assert_str_eq(out(&w), "[\"1970-01-01T00:00:00Z\",null,\"2026-11-24T18:32:51.5512Z\"]");
    fl_jsonw_release(&w);
}

/* ---- limits and errors ------------------------------------------------------------- */

FL_TEST(jsonw, depth_limit)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    for (int i = 0; i < FL_JSONW_MAX_DEPTH; i++) {
        if (i % 2) {
            fl_jsonw_object_begin(&w);
            fl_jsonw_key(&w, "k");
        } else {
            fl_jsonw_array_begin(&w);
        }
    }
    cr_assert_eq(fl_jsonw_error(&w), 0, "%d levels must fit", FL_JSONW_MAX_DEPTH);
    cr_assert_eq(w.depth, FL_JSONW_MAX_DEPTH);
    size_t len = w.len;
    fl_jsonw_array_begin(&w);
    cr_assert_eq(fl_jsonw_error(&w), FL_ELIMIT);
    cr_assert_eq(w.len, len, "the failing begin writes nothing");
    /* Sticky: everything after is a no-op. */
    fl_jsonw_i64(&w, 1);
    fl_jsonw_array_end(&w);
    fl_jsonw_cstr(&w, "x");
    fl_jsonw_bytes(&w, "\n", 1);
    cr_assert_eq(w.len, len);
    cr_assert_eq(fl_jsonw_error(&w), FL_ELIMIT);
    /* reset clears the error; the writer is usable again */
    fl_jsonw_reset(&w);
    cr_assert_eq(fl_jsonw_error(&w), 0);
    fl_jsonw_array_begin(&w);
    fl_jsonw_array_end(&w);
    cr_assert_str_eq(out(&w), "[]");
    fl_jsonw_release(&w);
}

FL_TEST(jsonw, unbalanced_end_is_ignored)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_jsonw_array_end(&w);
    fl_jsonw_object_end(&w);
    cr_assert_eq(w.len, 0);
    cr_assert_eq(fl_jsonw_error(&w), 0);
    fl_jsonw_release(&w);
}

/* A document big enough to need several reallocations. */
static void write_big(struct fl_jsonw *w)
{
    fl_jsonw_object_begin(w);
    fl_jsonw_key(w, "verdicts");
    fl_jsonw_array_begin(w);
    for (int i = 0; i < 150; i++) {
        fl_jsonw_object_begin(w);
        fl_jsonw_key(w, "i");
        fl_jsonw_i64(w, i);
        fl_jsonw_key(w, "text");
        fl_jsonw_str(w, S("line\twith \"escapes\" \x01 and bad \xC0\x80 utf-8 \xE2\x82\xAC"));
        fl_jsonw_key(w, "d");
        fl_jsonw_double(w, i / 7.0);
        fl_jsonw_key(w, "t");
        fl_jsonw_time(w, (int64_t)i * FL_NS_PER_SEC);
        fl_jsonw_object_end(w);
    }
    fl_jsonw_array_end(w);
    fl_jsonw_object_end(w);
}

FL_TEST(jsonw, allocation_failure_at_every_point)
{
    for (int pretty = 0; pretty <= 1; pretty++) {
        struct fl_jsonw ref;
        fl_jsonw_init(&ref, pretty);
        write_big(&ref);
        cr_assert_eq(fl_jsonw_error(&ref), 0);
        cr_assert(json_valid(ref.buf, ref.len));
        cr_assert_gt(ref.len, 8 * 256, "needs several reallocations");

        struct fl_alloc_stats st;
        fl_alloc_stats_reset();
        bool done = false;
        uint64_t n = 1;
        for (; n < 1000 && !done; n++) {
            struct fl_jsonw w;
            fl_jsonw_init(&w, pretty);
            fl_alloc_fail_after(n, 1);
            write_big(&w);
            size_t len = w.len;
            fl_jsonw_i64(&w, 1); /* after a failure this must do nothing */
            fl_alloc_fail_after(0, 0);
            int err = fl_jsonw_error(&w);
            if (err == 0) {
                cr_assert_eq(w.len, ref.len + 1);
                cr_assert(memcmp(w.buf, ref.buf, ref.len) == 0, "n=%llu", (unsigned long long)n);
                done = true;
            } else {
                cr_assert_eq(err, FL_ENOMEM, "n=%llu: %s", (unsigned long long)n, fl_errname(err));
                cr_assert_eq(w.len, len, "sticky after failure");
                cr_assert(w.len == 0 || w.buf[w.len] == '\0');
            }
            fl_jsonw_release(&w);
            cr_assert_null(w.buf);
        }
        cr_assert(done, "never succeeded");
        cr_assert_gt(n, 3, "some allocation must have been failed");
        fl_alloc_stats_get(&st);
        cr_assert_gt(st.failed, 0);
        fl_jsonw_release(&ref);
    }
}

/* ---- property: random bytes -------------------------------------------------------- */

/* Reference repair, written independently of the writer: at each position take the
 * longest k (1..4) such that the k bytes are a prefix of SOME well-formed sequence, judged
 * by the range of code points reachable by completing it (remaining continuation bits all
 * 0 .. all 1) against that length's valid range minus surrogates. A complete prefix is
 * copied; otherwise it is one maximal subpart -> U+FFFD. */
static int seq_len_of_lead(unsigned char c)
{
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 0;
}

static bool wf_prefix(const unsigned char *p, int k)
{
    int len = seq_len_of_lead(p[0]);
    if (len == 0 || k > len)
        return false;
    static const uint32_t lead_mask[5] = {0, 0, 0x1F, 0x0F, 0x07};
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    static const uint32_t max_cp[5] = {0, 0, 0x7FF, 0xFFFF, 0x10FFFF};
    uint32_t lo = p[0] & lead_mask[len];
    uint32_t hi = lo;
    for (int i = 1; i < len; i++) {
        if (i < k) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            lo = (lo << 6) | (p[i] & 0x3Fu);
            hi = (hi << 6) | (p[i] & 0x3Fu);
        } else {
            lo <<= 6;
            hi = (hi << 6) | 0x3F;
        }
    }
    if (hi < min_cp[len] || lo > max_cp[len])
        return false;
    if (lo >= 0xD800 && hi <= 0xDFFF)
        return false; /* every completion is a surrogate */
    return true;
}

/* Expected unescaped content; returns its length. out needs 3 * n bytes. */
static size_t ref_repair(const unsigned char *p, size_t n, unsigned char *o)
{
    size_t i = 0, m = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            o[m++] = p[i++];
            continue;
        }
        int k = 0;
        while (k < 4 && i + (size_t)k < n && wf_prefix(p + i, k + 1))
            k++;
        if (k > 0 && k == seq_len_of_lead(p[i])) {
            memcpy(o + m, p + i, (size_t)k);
            m += (size_t)k;
            i += (size_t)k;
        } else {
            memcpy(o + m, R, 3);
            m += 3;
            i += k ? (size_t)k : 1;
        }
    }
    return m;
}

/* Decode the body of a JSON string (between the quotes); only the escapes the writer
 * may produce are accepted. Returns the length or (size_t)-1. */
static size_t unescape(const char *s, size_t n, unsigned char *o)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            o[m++] = (unsigned char)s[i];
            continue;
        }
        if (++i >= n)
            return (size_t)-1;
        switch (s[i]) {
        case '"':
            o[m++] = '"';
            break;
        case '\\':
            o[m++] = '\\';
            break;
        case 'b':
            o[m++] = '\b';
            break;
        case 'f':
            o[m++] = '\f';
            break;
        case 'n':
            o[m++] = '\n';
            break;
        case 'r':
            o[m++] = '\r';
            break;
        case 't':
            o[m++] = '\t';
            break;
        case 'u': {
            if (i + 4 >= n || s[i + 1] != '0' || s[i + 2] != '0')
                return (size_t)-1;
            unsigned v = 0;
            for (int k = 3; k <= 4; k++) {
                char c = s[i + (size_t)k];
                if (c >= '0' && c <= '9')
                    v = v * 16 + (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                    v = v * 16 + (unsigned)(c - 'a' + 10);
                else
                    return (size_t)-1; /* upper-case hex would be a contract break */
            }
            if (v >= 0x20 || v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t')
                return (size_t)-1; /* short form or no escape was required */
            o[m++] = (unsigned char)v;
            i += 4;
            break;
        }
        default:
            return (size_t)-1;
        }
    }
    return m;
}

/* Byte classes weighted toward the interesting ones. */
static unsigned char random_byte(void)
{
    uint64_t r = rng();
    switch (r % 12) {
    case 0:
        return (unsigned char)(0x20 + (r >> 8) % 0x60); /* printable ASCII + DEL */
    case 1:
        return (unsigned char)((r >> 8) % 0x20); /* controls */
    case 2:
        return "\"\\/"[(r >> 8) % 3];
    case 3:
    case 4:
        return (unsigned char)(0x80 + (r >> 8) % 0x40); /* continuation */
    case 5:
        return (unsigned char)(0xC0 + (r >> 8) % 0x20); /* 2-byte leads, C0/C1 too */
    case 6:
        return (unsigned char)(0xE0 + (r >> 8) % 0x10); /* 3-byte leads */
    case 7:
        return (unsigned char)"\xE0\xED\xF0\xF4"[(r >> 8) % 4];
    case 8:
        return (unsigned char)(0xF0 + (r >> 8) % 0x10); /* F0-FF */
    case 9:
        return (unsigned char)"\x80\x8F\x90\x9F\xA0\xBF"[(r >> 8) % 6]; /* edges */
    default:
        return (unsigned char)(r >> 8); /* anything */
    }
}

FL_TEST(jsonw, property_random_bytes_give_valid_json_strings)
{
    rng_state = 0x0123456789ABCDEFULL;
    unsigned char in[64], want[3 * 64], got[3 * 64 + 8];
    size_t replaced = 0, valid_inputs = 0;
    for (int iter = 0; iter < 10000; iter++) {
        size_t n = (size_t)(rng() % sizeof in);
        for (size_t i = 0; i < n; i++)
            in[i] = random_byte();
        char *js = str_json((const char *)in, n);
        size_t jn = strlen(js);
        cr_assert(utf8_valid((const unsigned char *)js, jn), "iter %d: not UTF-8", iter);
        cr_assert(json_valid(js, jn), "iter %d: not a JSON value: %s", iter, js);
        cr_assert(jn >= 2 && js[0] == '"' && js[jn - 1] == '"');
        size_t gn = unescape(js + 1, jn - 2, got);
        cr_assert_neq(gn, (size_t)-1, "iter %d: unexpected escape in %s", iter, js);
        size_t wn = ref_repair(in, n, want);
        cr_assert_eq(gn, wn, "iter %d: length %zu, reference %zu", iter, gn, wn);
        cr_assert(memcmp(got, want, gn) == 0, "iter %d: differs from reference repair", iter);
        if (utf8_valid(in, n))
            valid_inputs++;
        if (gn != n)
            replaced++;
        fl_free(js);
    }
    /* The generator must exercise both outcomes. */
    cr_assert_gt(replaced, 1000);
    cr_assert_gt(valid_inputs, 100);
}
