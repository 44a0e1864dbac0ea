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
        "{}", "[]", "0", "-0", "1.5e-3", "-12E+4", "\"\"", "true", "false", "null",
        " {\"a\" : [1, 2.0, {\"b\": null}], \"c\": \"\\u00e9\\n\\\"\"} ",
        "[[[[[]]]]]", "{\"a\":{\"b\":{\"c\":[true,false,null]}}}", "\"\xc3\xa9\xf0\x9f\x98\x80\"",
        "[1]\r\n", "\"\\/\\b\\f\\r\\t\\\\\"", "123456789012345678901234567890",
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
        {"{\"a\" \"b\"}", FL_EPARSE, 5},       {"{\"a\":1 \"b\":2}", FL_EPARSE, 7},
        {"[1 2]", FL_EPARSE, 3},               {"{\"a\",1}", FL_EPARSE, 4},
        {"{\"a\":}", FL_EPARSE, 5},            {"[1,]", FL_EPARSE, 3},
        {"{\"a\":1,}", FL_EPARSE, 7},          {"[01]", FL_EPARSE, 2},
        {"[1.]", FL_EPARSE, 3},                {"[-]", FL_EPARSE, 2},
        {"[tru]", FL_EPARSE, 4},               {"{\"a\":\"\x01\"}", FL_EPARSE, 6},
        {"[\"\\x\"]", FL_EPARSE, 3},           {"{1:2}", FL_EPARSE, 1},
        {"[nulll]", FL_EPARSE, 5},             {"{\"a\":1}}", FL_EPARSE, 7},
        {"three", FL_EPARSE, 1},               {"\"tab\there\"", FL_EPARSE, 4},
        {"[1,2", FL_ETRUNC, 4},                {"{\"a\":", FL_ETRUNC, 5},
        {"\"abc", FL_ETRUNC, 4},               {"", FL_ETRUNC, 0},
        {"   ", FL_ETRUNC, 3},                 {"[\"\\u12\"]", FL_EPARSE, 6},
        {"[1e]", FL_EPARSE, 3},                {"{} {}", FL_EPARSE, 3},
        {"[+1]", FL_EPARSE, 1},                {"[.5]", FL_EPARSE, 1},
        {"['a']", FL_EPARSE, 1},               {"[NaN]", FL_EPARSE, 1},
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
