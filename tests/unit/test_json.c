/* JSON input: the strict validator (valid / invalid / implementation-defined, as yyjson's and
 * JSONTestSuite's data name them), every truncation length, token navigation, decoding. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "faultline/err.h"

static int validate_exact(const char *s, size_t n, size_t *pos, const char **why)
{
    char *copy = malloc(n ? n : 1); /* exact size: an over-read hits ASan's redzone */
    memcpy(copy, s, n);
    int rc = fl_json_validate(copy, n, pos, why);
    free(copy);
    return rc;
}

FL_TEST(json, valid_documents)
{
    static const char *const ok[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "1.5e-3",
        "-12E+4",
        "\"\"",
        "true",
        "false",
        "null",
        " {\"a\" : [1, 2.0, {\"b\": null}], \"c\": \"\\u00e9\\n\\\"\"} ",
        "[[[[[]]]]]",
        "{\"a\":{\"b\":{\"c\":[true,false,null]}}}",
        "\"\xc3\xa9\xf0\x9f\x98\x80\"",
        "[1]\r\n",
        "\"\\/\\b\\f\\r\\t\\\\\"",
        "123456789012345678901234567890",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        size_t pos;
        const char *why = NULL;
        cr_assert_eq(validate_exact(ok[i], strlen(ok[i]), &pos, &why), 0, "'%s': %s", ok[i], why);
    }
}

struct bad {
    const char *doc;
    int rc;
    size_t pos;
};

FL_TEST(json, invalid_documents_with_offset)
{
    static const struct bad bad[] = {
        {"{\"a\" \"b\"}", FL_EPARSE, 5}, {"{\"a\":1 \"b\":2}", FL_EPARSE, 7},
        {"[1 2]", FL_EPARSE, 3},         {"{\"a\",1}", FL_EPARSE, 4},
        {"{\"a\":}", FL_EPARSE, 5},      {"[1,]", FL_EPARSE, 3},
        {"{\"a\":1,}", FL_EPARSE, 7},    {"[01]", FL_EPARSE, 2},
        {"[1.]", FL_EPARSE, 3},          {"[-]", FL_EPARSE, 2},
        {"[tru]", FL_EPARSE, 4},         {"{\"a\":\"\x01\"}", FL_EPARSE, 6},
        {"[\"\\x\"]", FL_EPARSE, 3},     {"{1:2}", FL_EPARSE, 1},
        {"[nulll]", FL_EPARSE, 5},       {"{\"a\":1}}", FL_EPARSE, 7},
        {"three", FL_EPARSE, 1},         {"\"tab\there\"", FL_EPARSE, 4},
        {"[1,2", FL_ETRUNC, 4},          {"{\"a\":", FL_ETRUNC, 5},
        {"\"abc", FL_ETRUNC, 4},         {"", FL_ETRUNC, 0},
        {"   ", FL_ETRUNC, 3},           {"[\"\\u12\"]", FL_EPARSE, 6},
        {"[1e]", FL_EPARSE, 3},          {"{} {}", FL_EPARSE, 3},
        {"[+1]", FL_EPARSE, 1},          {"[.5]", FL_EPARSE, 1},
        {"['a']", FL_EPARSE, 1},         {"[NaN]", FL_EPARSE, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t pos = 999;
        const char *why = NULL;
        int rc = validate_exact(bad[i].doc, strlen(bad[i].doc), &pos, &why);
        cr_assert_eq(rc, bad[i].rc, "'%s': rc %d", bad[i].doc, rc);
        cr_assert_eq(pos, bad[i].pos, "'%s': pos %zu (%s)", bad[i].doc, pos, why);
        cr_assert_not_null(why, "'%s' has no reason", bad[i].doc);
    }
}

FL_TEST(json, depth_limit)
{
    size_t n = FL_JSON_MAX_DEPTH + 1;
    char *s = malloc(2 * n);
    memset(s, '[', n);
    memset(s + n, ']', n);
    cr_assert_eq(fl_json_validate(s, 2 * n, NULL, NULL), FL_ELIMIT);
    cr_assert_eq(fl_json_validate(s + 1, 2 * n - 2, NULL, NULL), 0);
    free(s);
}

FL_TEST(json, every_truncation_is_an_error_not_a_crash)
{
    const char *doc = "{\"kind\":\"xid\",\"a\":[1,-2.5e3,true,null,\"x\\u00e9\\n\"],\"b\":{}}";
    size_t n = strlen(doc);
    cr_assert_eq(validate_exact(doc, n, NULL, NULL), 0);
    for (size_t k = 0; k < n; k++) {
        int rc = validate_exact(doc, k, NULL, NULL);
        /* a prefix may itself be valid only if it is a whole value: never for this doc */
        cr_assert(rc == FL_ETRUNC || rc == FL_EPARSE, "prefix %zu: rc %d", k, rc);
    }
}

FL_TEST(json, navigation_and_decoding)
{
    const char *doc = "{\"a\":{\"x\":[1,2,{\"y\":3}]},\"b\":\"h\\u00e9\\ud83d\\ude00\\n\","
                      "\"c\":-42,\"d\":\"17\",\"e\":2.5,\"f\":true,\"g\":null,\"h\":\"\\ud800x\"}";
    struct fl_json_parser p;
    fl_json_parser_init(&p, 0);
    struct fl_json j;
    cr_assert_eq(fl_json_parse(&p, doc, strlen(doc), &j, NULL, NULL), 0);
    struct fl_arena a;
    fl_arena_init(&a, 0, 0);
    int ia = fl_json_get(&j, 0, "a");
    cr_assert(fl_json_is_object(&j, ia));
    cr_assert(fl_json_is_array(&j, fl_json_get(&j, ia, "x")));
    struct fl_str s;
    cr_assert(fl_json_str(&j, fl_json_get(&j, 0, "b"), &a, &s, NULL));
    cr_assert_eq(s.len, 8);
    cr_assert(memcmp(s.ptr, "h\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0);
    int64_t v;
    cr_assert(fl_json_i64(&j, fl_json_get(&j, 0, "c"), false, &v));
    cr_assert_eq(v, -42);
    cr_assert_not(fl_json_i64(&j, fl_json_get(&j, 0, "d"), false, &v));
    cr_assert(fl_json_i64(&j, fl_json_get(&j, 0, "d"), true, &v));
    cr_assert_eq(v, 17);
    cr_assert_not(fl_json_i64(&j, fl_json_get(&j, 0, "e"), false, &v));
    double d;
    cr_assert(fl_json_double(&j, fl_json_get(&j, 0, "e"), false, &d));
    cr_assert_float_eq(d, 2.5, 1e-12);
    bool b;
    cr_assert(fl_json_bool(&j, fl_json_get(&j, 0, "f"), &b) && b);
    cr_assert(fl_json_is_null(&j, fl_json_get(&j, 0, "g")));
    cr_assert(fl_json_str(&j, fl_json_get(&j, 0, "h"), &a, &s, NULL)); /* lone surrogate */
    cr_assert_eq(s.len, 4);
    cr_assert(memcmp(s.ptr, "\xef\xbf\xbdx", 4) == 0);
    cr_assert_eq(fl_json_get(&j, 0, "zz"), -1);
    cr_assert_eq(fl_json_get(&j, fl_json_get(&j, 0, "c"), "a"), -1); /* not an object */
    /* skip: the token after "a"'s subtree is the key "b" */
    int after = fl_json_skip(&j, ia);
    cr_assert(fl_str_eq_cstr(fl_json_raw(&j, after), "b"));
    fl_arena_release(&a);
    fl_json_parser_release(&p);
}

FL_TEST(json, token_array_grows_and_is_capped)
{
    char doc[4096] = "[";
    for (int i = 0; i < 500; i++)
        strcat(doc, i ? ",1" : "1");
    strcat(doc, "]");
    struct fl_json_parser p;
    fl_json_parser_init(&p, 300);
    struct fl_json j;
    const char *why = NULL;
    cr_assert_eq(fl_json_parse(&p, doc, strlen(doc), &j, NULL, &why), FL_ELIMIT);
    fl_json_parser_release(&p);
    fl_json_parser_init(&p, 0);
    cr_assert_eq(fl_json_parse(&p, doc, strlen(doc), &j, NULL, NULL), 0);
    cr_assert_eq(j.ntok, 501);
    fl_json_parser_release(&p);
}

/* ---- the fused fast path against the reference (validator, then jsmn) --------------------- */

/* Parse doc (copied to an exact-size buffer, so an over-read hits ASan's redzone) both ways
 * and require the same result: code, error offset and reason, and on success every token. */
static void same_as_reference(const char *doc, size_t n, size_t max_tokens)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, doc, n);
    struct fl_json_parser pf, pr;
    fl_json_parser_init(&pf, max_tokens);
    fl_json_parser_init(&pr, max_tokens);
    struct fl_json jf, jr;
    size_t posf = 12345, posr = 12345;
    const char *whyf = "unset", *whyr = "unset";
    int rf = fl_json_parse(&pf, copy, n, &jf, &posf, &whyf);
    int rr = fl__json_parse_ref(&pr, copy, n, &jr, &posr, &whyr);
    cr_assert_eq(rf, rr, "'%.*s': rc %d, reference %d", (int)n, doc, rf, rr);
    cr_assert_eq(posf, posr, "'%.*s': offset %zu, reference %zu", (int)n, doc, posf, posr);
    cr_assert((!whyf && !whyr) || (whyf && whyr && strcmp(whyf, whyr) == 0),
              "'%.*s': reason '%s', reference '%s'", (int)n, doc, whyf, whyr);
    if (rf == 0) {
        cr_assert_eq(jf.ntok, jr.ntok, "'%.*s': %d tokens, reference %d", (int)n, doc, jf.ntok,
                     jr.ntok);
        cr_assert_eq(jf.len, jr.len);
        for (int i = 0; i < jf.ntok; i++) {
            const jsmntok_t *a = &jf.tok[i], *b = &jr.tok[i];
            cr_assert(a->type == b->type && a->start == b->start && a->end == b->end &&
                          a->size == b->size && a->parent == b->parent,
                      "'%.*s': token %d is (%d %d %d %d %d), reference (%d %d %d %d %d)", (int)n,
                      doc, i, a->type, a->start, a->end, a->size, a->parent, b->type, b->start,
                      b->end, b->size, b->parent);
        }
    }
    fl_json_parser_release(&pf);
    fl_json_parser_release(&pr);
    free(copy);
}

FL_TEST(json, fast_path_equals_reference_on_the_named_cases)
{
    static const char *const docs[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "\"\"",
        "true",
        " null ",
        "{\"a\":1}",
        "[1,[2,[3,{}]],{\"b\":[]}]",
        " {\"a\" : [1, 2.0, {\"b\": null}], \"c\": \"\\u00e9\\n\\\"\"} ",
        "[[[[[]]]]]",
        "{\"a\":{\"b\":{\"c\":[true,false,null]}}}",
        "\"\xc3\xa9\xf0\x9f\x98\x80\"",
        "[1]\r\n",
        "\"\\/\\b\\f\\r\\t\\\\\"",
        "{\n    \"k\": \"v\",\n    \"n\": [\n        1,\n        2\n    ]\n}",
        "{\"a\" \"b\"}",
        "{\"a\":1 \"b\":2}",
        "[1 2]",
        "{\"a\",1}",
        "{\"a\":}",
        "[1,]",
        "{\"a\":1,}",
        "[01]",
        "[1.]",
        "[-]",
        "[tru]",
        "{\"a\":\"\x01\"}",
        "[\"\\x\"]",
        "{1:2}",
        "[nulll]",
        "{\"a\":1}}",
        "three",
        "\"tab\there\"",
        "[1,2",
        "{\"a\":",
        "\"abc",
        "",
        "   ",
        "[\"\\u12\"]",
        "[1e]",
        "{} {}",
        "[+1]",
        "[.5]",
        "['a']",
        "[NaN]",
        "{\"a\":1]",
        "[1}",
        "{\"a\":[}",
        "[\"\\",
        "[\"\\u",
        "{\"a\"",
        "{\"a\" ",
        "[truex]",
        "[true",
        "[-01]",
        "[1e+]",
        "[1.5e-3,-12E+4]",
        "{\"\":\"\"}",
        "[\"a\"\"b\"]",
        "{\"a\":1,\"a\":2}",
        "[\0]",
        "\"\\u00\"",
        "[\"\x7f\x80\xff\"]",
        "{\"k\":\"v\"}\n\n",
        "{\"k\":\"v\"}x",
        "[{}{}]",
        "[,1]",
        "{,}",
        "}",
        "]",
        "{\"a\":[1,{\"b\":\"\\\"}\"}]}",
        "{\"a\"::1}",
        "[1,,2]",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        same_as_reference(docs[i], docs[i][0] || i == 0 ? strlen(docs[i]) : 0, 0);
    same_as_reference("[\0]", 3, 0); /* a NUL byte */
    /* and at every truncation length */
    const char *doc = "{\"kind\":\"xid\",\"a\":[1,-2.5e3,true,null,\"x\\u00e9\\n\"],\"b\":{}}";
    for (size_t k = 0; k <= strlen(doc); k++)
        same_as_reference(doc, k, 0);
}

FL_TEST(json, fast_path_equals_reference_at_the_limits)
{
    /* token cap: too many values, and a syntax error after the cap still comes first */
    char doc[4096] = "[";
    for (int i = 0; i < 500; i++)
        strcat(doc, i ? ",1" : "1");
    strcat(doc, "]");
    same_as_reference(doc, strlen(doc), 300);
    same_as_reference(doc, strlen(doc), 501);
    same_as_reference(doc, strlen(doc), 500);
    doc[strlen(doc) - 1] = ',';
    strcat(doc, "x]");
    same_as_reference(doc, strlen(doc), 300);
    /* depth: the deepest allowed and one more */
    size_t n = FL_JSON_MAX_DEPTH + 1;
    char *s = malloc(2 * n);
    memset(s, '[', n);
    memset(s + n, ']', n);
    same_as_reference(s, 2 * n, 0);
    same_as_reference(s + 1, 2 * n - 2, 0);
    free(s);
}

/* A small deterministic generator: random JSON texts, then random damage. */
static uint64_t rng_state = 0x243F6A8885A308D3ULL;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng_state >> 33) % n;
}

static void gen_value(char *b, size_t *len, size_t cap, int depth)
{
    static const char *const atoms[] = {
        "0",
        "-1",
        "12.5",
        "-0.25e+3",
        "1E9",
        "true",
        "false",
        "null",
        "\"\"",
        "\"plain\"",
        "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
        "\"\\u00e9\\uD83D\\uDE00\"",
        "\"utf-8 \xc3\xa9 \xe2\x80\xa8\"",
        "\"a long string that crosses the sixteen byte mark\"",
    };
    static const char *const ws[] = {"", " ", "\n    ", "\t", "\r\n", "\n        "};
#define PUT(str)                                                                                   \
    do {                                                                                           \
        const char *s_ = (str); /* evaluated once: it may call rnd() */                            \
        size_t l_ = strlen(s_);                                                                    \
        if (*len + l_ < cap) {                                                                     \
            memcpy(b + *len, s_, l_);                                                              \
            *len += l_;                                                                            \
        }                                                                                          \
    } while (0)
    unsigned kind = depth > 4 ? 0 : rnd(4);
    if (kind < 2) {
        PUT(atoms[rnd(sizeof atoms / sizeof atoms[0])]);
        return;
    }
    bool obj = kind == 2;
    PUT(obj ? "{" : "[");
    unsigned m = rnd(5);
    for (unsigned i = 0; i < m; i++) {
        if (i)
            PUT(",");
        PUT(ws[rnd(6)]);
        if (obj) {
            PUT(atoms[8 + rnd(6)]);
            PUT(ws[rnd(2)]);
            PUT(":");
            PUT(ws[rnd(2)]);
        }
        gen_value(b, len, cap, depth + 1);
        PUT(ws[rnd(3)]);
    }
    PUT(obj ? "}" : "]");
#undef PUT
}

FL_TEST(json, fast_path_equals_reference_on_random_and_damaged_texts)
{
    static const char damage[] = "{}[]\",:\\ \n0-.eE+tfnu\x01\x1f\x7f\x80";
    char b[2048];
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        gen_value(b, &len, sizeof b, 0);
        if (round % 4) { /* three in four damaged: one to three bytes changed, cut or added */
            for (unsigned d = 1 + rnd(3); d > 0 && len; d--) {
                size_t at = rnd((unsigned)len);
                switch (rnd(3)) {
                case 0:
                    b[at] = damage[rnd(sizeof damage - 1)];
                    break;
                case 1:
                    memmove(b + at, b + at + 1, len - at - 1);
                    len--;
                    break;
                default:
                    if (len + 1 < sizeof b) {
                        memmove(b + at + 1, b + at, len - at);
                        b[at] = damage[rnd(sizeof damage - 1)];
                        len++;
                    }
                }
            }
        }
        same_as_reference(b, len, round % 7 ? 0 : 8);
    }
}

FL_TEST(json, prefix_parse_stops_after_the_value)
{
    static const char *const docs[] = {
        "{}",
        "[]",
        "{\"a\":[1,{\"b\":\"}\"}]}",
        "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}",
        "[\"\\\"]\", {\"x\": null}]",
    };
    static const char *const after[] = {"", ",{\"next\":1}", "\n  ]\n}", "xyz", " \x01"};
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++)
        for (size_t a = 0; a < sizeof after / sizeof after[0]; a++) {
            size_t vlen = strlen(docs[d]), n = vlen + strlen(after[a]);
            char *b = malloc(n);
            memcpy(b, docs[d], vlen);
            memcpy(b + vlen, after[a], n - vlen);
            struct fl_json_parser p, q;
            fl_json_parser_init(&p, 0);
            fl_json_parser_init(&q, 0);
            struct fl_json j, r;
            size_t used = 0, nl = 99;
            cr_assert_eq(fl_json_parse_prefix(&p, b, n, &j, &used, &nl), 0, "%s%s", docs[d],
                         after[a]);
            cr_assert_eq(used, vlen);
            size_t want_nl = 0;
            for (size_t i = 0; i < vlen; i++)
                want_nl += b[i] == '\n';
            cr_assert_eq(nl, want_nl);
            cr_assert_eq(fl_json_parse(&q, b, vlen, &r, NULL, NULL), 0);
            cr_assert_eq(j.ntok, r.ntok);
            cr_assert_eq(j.len, vlen);
            cr_assert(memcmp(j.tok, r.tok, (size_t)j.ntok * sizeof *j.tok) == 0);
            /* every truncation of the value fails, and reads nothing past the end */
            for (size_t cut = 0; cut < vlen; cut++) {
                char *t = malloc(cut ? cut : 1);
                memcpy(t, b, cut);
                cr_assert_neq(fl_json_parse_prefix(&p, t, cut, &j, &used, &nl), 0);
                free(t);
            }
            fl_json_parser_release(&p);
            fl_json_parser_release(&q);
            free(b);
        }
    /* not an object or array, or not valid: refused, for the caller to report */
    static const char *const bad[] = {"\"s\"", "1", " {}", "{\"a\" 1}", "[1,]", "{\"a\":\"\x01\"}"};
    struct fl_json_parser p;
    fl_json_parser_init(&p, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fl_json j;
        size_t used, nl;
        cr_assert_neq(fl_json_parse_prefix(&p, bad[i], strlen(bad[i]), &j, &used, &nl), 0, "%s",
                      bad[i]);
    }
    fl_json_parser_release(&p);
}
