/* The strict unpickler (src/ingest/pickle.c): every opcode it reads (valid), everything it
 * must refuse or reject (invalid: code-running opcodes, cut input, bad memo references,
 * nesting bombs, lengths past the end), implementation-defined corners, every truncation
 * length of real dumps in exact-size buffers, and an allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/err.h"
#include "ingest/pickle.h"

struct ld {
    struct fl_arena arena;
    struct fl_pickle p;
    struct fl_pk root;
    int rc;
    char *copies[8]; /* inputs the trees point into */
    int ncopies;
};

static void ld_init(struct ld *l)
{
    memset(l, 0, sizeof *l);
    fl_arena_init(&l->arena, 4096, 0);
    fl_pickle_init(&l->p, &l->arena);
}

static void ld_release(struct ld *l)
{
    fl_pickle_release(&l->p);
    fl_arena_release(&l->arena);
    for (int i = 0; i < l->ncopies; i++)
        free(l->copies[i]);
}

/* Load n bytes from an exact-size heap copy (an over-read hits ASan's redzone). */
static int load_n(struct ld *l, const void *bytes, size_t n)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, bytes, n);
    cr_assert_lt(l->ncopies, 8);
    l->copies[l->ncopies++] = copy; /* strings are views into it */
    l->rc = fl_pickle_load(&l->p, copy, n, &l->root);
    return l->rc;
}

#define LOAD(l, lit) load_n((l), (lit), sizeof(lit) - 1)

static char *read_file(const char *rel, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FL_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    return buf;
}

static bool str_is(const struct fl_pk *v, const char *s)
{
    return v && v->type == FL_PK_STR && fl_str_eq_cstr(v->u.s, s);
}

/* ---- valid ---------------------------------------------------------------------------- */

FL_TEST(pickle, valid_cpp_style_dict)
{
    struct ld l;
    ld_init(&l);
    /* {"version": "2.9", "n": [1, 300, 70000, -1], "t": ("a", "b")} as the C++ pickler
     * writes it: PROTO 2, EMPTY_DICT MARK ... SETITEMS, memoized strings, TUPLE2 */
    static const char b[] =
        "\x80\x02}(X\x07\x00\x00\x00versionq\x00X\x03\x00\x00\x00"
        "2.9q\x01"
        "X\x01\x00\x00\x00nq\x02](K\x01M\x2c\x01J\x70\x11\x01\x00J\xff\xff\xff\xff"
        "e"
        "X\x01\x00\x00\x00tq\x03X\x01\x00\x00\x00"
        "aq\x04h\x04\x86u"
        "q\x05.";
    cr_assert_eq(LOAD(&l, b), 0, "%s", l.p.why);
    cr_assert_eq(l.root.type, FL_PK_DICT);
    cr_assert_eq(l.root.u.seq->n, 3);
    cr_assert(str_is(fl_pk_get(&l.root, "version"), "2.9"));
    const struct fl_pk *n = fl_pk_get(&l.root, "n");
    cr_assert_eq(n->type, FL_PK_LIST);
    cr_assert_eq(n->u.seq->n, 4);
    cr_assert_eq(n->u.seq->v[0].u.i, 1);
    cr_assert_eq(n->u.seq->v[1].u.i, 300);
    cr_assert_eq(n->u.seq->v[2].u.i, 70000);
    cr_assert_eq(n->u.seq->v[3].u.i, -1);
    const struct fl_pk *t = fl_pk_get(&l.root, "t");
    cr_assert_eq(t->type, FL_PK_TUPLE);
    cr_assert_eq(t->u.seq->n, 2);
    cr_assert(str_is(&t->u.seq->v[0], "a") && str_is(&t->u.seq->v[1], "a"));
    cr_assert_eq(l.p.protocol, 2);
    cr_assert_eq(l.p.end_offset, sizeof b - 1);
    ld_release(&l);
}

FL_TEST(pickle, valid_scalars)
{
    struct ld l;
    ld_init(&l);
    /* [None, True, False, 1.5, LONG1 0 bytes, LONG1 -2 (8 bytes), LONG1 2**63 (9 bytes),
     *  LONG4 5, SHORT_BINUNICODE "é", BINUNICODE8 "xy"] via APPEND one at a time */
    static const char b[] = "\x80\x02]"
                            "Na\x88"
                            "a\x89"
                            "aG\x3f\xf8\x00\x00\x00\x00\x00\x00"
                            "a"
                            "\x8a\x00"
                            "a"
                            "\x8a\x08\xfe\xff\xff\xff\xff\xff\xff\xff"
                            "a"
                            "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00"
                            "a"
                            "\x8b\x01\x00\x00\x00\x05"
                            "a"
                            "\x8c\x02\xc3\xa9"
                            "a"
                            "\x8d\x02\x00\x00\x00\x00\x00\x00\x00xy"
                            "a.";
    cr_assert_eq(LOAD(&l, b), 0, "%s", l.p.why);
    const struct fl_pk_seq *s = l.root.u.seq;
    cr_assert_eq(s->n, 10);
    cr_assert_eq(s->v[0].type, FL_PK_NONE);
    cr_assert(s->v[1].type == FL_PK_BOOL && s->v[1].u.b);
    cr_assert(s->v[2].type == FL_PK_BOOL && !s->v[2].u.b);
    cr_assert(s->v[3].type == FL_PK_FLOAT && s->v[3].u.f == 1.5);
    cr_assert(s->v[4].type == FL_PK_INT && s->v[4].u.i == 0);
    cr_assert(s->v[5].type == FL_PK_INT && s->v[5].u.i == -2);
    cr_assert_eq(s->v[6].type, FL_PK_BIGINT);
    cr_assert_eq(s->v[6].u.s.len, 9);
    cr_assert(s->v[7].type == FL_PK_INT && s->v[7].u.i == 5);
    cr_assert(str_is(&s->v[8], "\xc3\xa9"));
    cr_assert(str_is(&s->v[9], "xy"));
    ld_release(&l);
}

FL_TEST(pickle, valid_tuples_of_every_size)
{
    struct ld l;
    ld_init(&l);
    static const char b[] = "\x80\x02(K\x01K\x02K\x03K\x04tq\x00)K\x01\x85\x87.";
    cr_assert_eq(LOAD(&l, b), 0, "%s", l.p.why);
    const struct fl_pk_seq *s = l.root.u.seq;
    cr_assert_eq(l.root.type, FL_PK_TUPLE);
    cr_assert_eq(s->n, 3);
    cr_assert_eq(s->v[0].u.seq->n, 4);
    cr_assert_eq(s->v[1].u.seq->n, 0);
    cr_assert_eq(s->v[2].u.seq->n, 1);
    cr_assert_eq(l.root.u.seq->depth, 2);
    ld_release(&l);
}

FL_TEST(pickle, valid_memo_shares_containers)
{
    struct ld l;
    ld_init(&l);
    /* d = {}; x = [d, d]; then d["k"] = 1 through the memo: both items see it (Python does) */
    static const char c[] = "\x80\x02]q\x00(}q\x01h\x01"
                            "e"
                            "h\x01X\x01\x00\x00\x00kK\x01s"
                            "\x85\x86.";
    /* the list is under the SETITEM's dict; TUPLE1 then TUPLE2 leave one value */
    cr_assert_eq(LOAD(&l, c), 0, "%s", l.p.why);
    cr_assert_eq(l.root.type, FL_PK_TUPLE);
    const struct fl_pk *list = &l.root.u.seq->v[0];
    cr_assert_eq(list->type, FL_PK_LIST);
    cr_assert_eq(list->u.seq->n, 2);
    cr_assert_eq(list->u.seq->v[0].u.seq, list->u.seq->v[1].u.seq);
    cr_assert_eq(fl_pk_get(&list->u.seq->v[1], "k")->u.i, 1);
    ld_release(&l);
}

FL_TEST(pickle, valid_long_memo_and_memoize)
{
    struct ld l;
    ld_init(&l);
    /* LONG_BINPUT 70000 then LONG_BINGET 70000 is out of the memo bound for a short input;
     * LONG_BINPUT 300 is fine once the input is longer than 300 bytes */
    char b[400];
    size_t n = 0;
    memcpy(b + n, "\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00", 11); /* PROTO 4, FRAME 0 */
    n += 11;
    memcpy(b + n,
           "](\x8c\x01"
           "a\x94r\x2c\x01\x00\x00j\x2c\x01\x00\x00h\x00",
           18);
    n += 18;
    while (n < 390)
        b[n++] = 'N';
    memcpy(b + n, "e.", 2);
    n += 2;
    cr_assert_eq(load_n(&l, b, n), 0, "%s", l.p.why);
    const struct fl_pk_seq *s = l.root.u.seq;
    cr_assert(str_is(&s->v[0], "a") && str_is(&s->v[1], "a") && str_is(&s->v[2], "a"));
    cr_assert_eq(l.p.memo_len, 2);
    ld_release(&l);
}

FL_TEST(pickle, valid_python_pickles_of_every_protocol)
{
    for (int proto = 2; proto <= 5; proto++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/fr/fixtures/protocols/p%d/nccl_trace_rank_3", proto);
        size_t n;
        char *buf = read_file(rel, &n);
        struct ld l;
        ld_init(&l);
        cr_assert_eq(fl_pickle_load(&l.p, buf, n, &l.root), 0, "p%d: %s", proto, l.p.why);
        cr_assert_eq(l.p.protocol, proto);
        cr_assert(str_is(fl_pk_get(&l.root, "version"), "2.4"));
        const struct fl_pk *x = fl_pk_get(&l.root, "x_extra");
        const struct fl_pk *tuples = fl_pk_get(x, "tuples");
        cr_assert_eq(tuples->u.seq->n, 4);
        for (uint32_t i = 0; i < 4; i++) {
            cr_assert_eq(tuples->u.seq->v[i].type, FL_PK_TUPLE);
            cr_assert_eq(tuples->u.seq->v[i].u.seq->n, i < 3 ? (i == 2 ? 3 : i) : 4);
        }
        cr_assert_eq(fl_pk_get(x, "wide")->type, FL_PK_BIGINT);
        cr_assert_eq(fl_pk_get(x, "neg")->u.i, -5);
        cr_assert(fl_pk_get(x, "f")->u.f == -0.5);
        cr_assert_eq(fl_pk_get(&l.root, "entries")->u.seq->n, 5);
        ld_release(&l);
        free(buf);
    }
}

/* ---- invalid ---------------------------------------------------------------------------- */

struct bad {
    const char *bytes;
    size_t n;
    int rc;
    const char *why;
};
#define BAD(lit, rc, why)                                                                          \
    {                                                                                              \
        lit, sizeof(lit) - 1, rc, why                                                              \
    }

FL_TEST(pickle, refuses_every_opcode_that_imports_or_calls)
{
    static const struct bad cases[] = {
        /* the classic payload: os.system("echo pwned") */
        BAD("cos\nsystem\n(S'echo pwned'\ntR.", FL_EUNSUPPORTED, "refused opcode GLOBAL"),
        BAD("\x80\x04\x8c\x02os\x8c\x06system\x93.", FL_EUNSUPPORTED, "STACK_GLOBAL"),
        BAD("\x80\x02NNR.", FL_EUNSUPPORTED, "REDUCE"),
        BAD("\x80\x02}}b.", FL_EUNSUPPORTED, "BUILD"),
        BAD("\x80\x02(ios\nsystem\n.", FL_EUNSUPPORTED, "INST"),
        BAD("\x80\x02(No.", FL_EUNSUPPORTED, "OBJ"),
        BAD("\x80\x02N)\x81.", FL_EUNSUPPORTED, "NEWOBJ"),
        BAD("\x80\x04N)}\x92.", FL_EUNSUPPORTED, "NEWOBJ_EX"),
        BAD("\x80\x02\x82\x01.", FL_EUNSUPPORTED, "EXT1"),
        BAD("\x80\x02\x83\x01\x00.", FL_EUNSUPPORTED, "EXT2"),
        BAD("\x80\x02\x84\x01\x00\x00\x00.", FL_EUNSUPPORTED, "EXT4"),
        BAD("\x80\x02Pid\n.", FL_EUNSUPPORTED, "PERSID"),
        BAD("\x80\x02NQ.", FL_EUNSUPPORTED, "BINPERSID"),
        BAD("\x80\x05\x97.", FL_EUNSUPPORTED, "NEXT_BUFFER"),
        BAD("\x80\x05N\x98.", FL_EUNSUPPORTED, "READONLY_BUFFER"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ld l;
        ld_init(&l);
        int rc = load_n(&l, cases[i].bytes, cases[i].n);
        cr_assert_eq(rc, cases[i].rc, "case %zu: rc %d (%s)", i, rc, l.p.why);
        cr_assert(strstr(l.p.why, cases[i].why) && strstr(l.p.why, "refused"), "case %zu: '%s'", i,
                  l.p.why);
        ld_release(&l);
    }
}

FL_TEST(pickle, invalid_input_gives_a_clear_error)
{
    static const struct bad cases[] = {
        BAD("\x80\x02I12\n.", FL_EUNSUPPORTED, "unsupported opcode INT"),
        BAD("\x80\x03"
            "C\x01x.",
            FL_EUNSUPPORTED, "unsupported opcode SHORT_BINBYTES"),
        BAD("\x80\x04\x8f.", FL_EUNSUPPORTED, "EMPTY_SET"),
        BAD("\x80\x02\xff.", FL_EUNSUPPORTED, "unknown opcode 0xff"),
        BAD("\x80\x06N.", FL_EUNSUPPORTED, "protocol 6"),
        BAD("\x80\x02h\x05.", FL_EPARSE, "memo reference 5"),
        BAD("\x80\x02q\x00.", FL_EPARSE, "empty stack"),
        BAD("\x80\x02Nr\xff\xff\xff\xff.", FL_ELIMIT, "memo id 4294967295"),
        BAD("\x80\x02NNa.", FL_EPARSE, "APPEND at byte 4 into a None"),
        BAD("\x80\x02}(K\x01u.", FL_EPARSE, "odd number"),
        BAD("\x80\x02}(e.", FL_EPARSE, "APPENDS at byte 4 into a dict"),
        BAD("\x80\x02NN.", FL_EPARSE, "2 values"),
        BAD("\x80\x02(N.", FL_EPARSE, "open MARK"),
        BAD("\x80\x02"
            "e.",
            FL_EPARSE, "without a MARK"),
        BAD("\x80\x02.", FL_EPARSE, "0 values"),
        BAD("\x80\x02}]K\x01s.", FL_EPARSE, "unhashable"),
        BAD("\x80\x02N\x86.", FL_EPARSE, "too few"),
        BAD("\x80\x02\x8b\xff\xff\xff\xff.", FL_EPARSE, "negative length"),
        BAD("\x80\x02X\xff\xff\xff\xff"
            "abc.",
            FL_ETRUNC, "a string of 4294967295 bytes"),
        BAD("\x80\x02\x8d\x00\x00\x00\x00\x00\x00\x00\x01"
            "a.",
            FL_ETRUNC, "runs past the end"),
        BAD("\x80\x04\x95\x00\x01\x00\x00\x00\x00\x00\x00N.", FL_ETRUNC, "frame of 256 bytes"),
        BAD("\x80\x02N", FL_ETRUNC, "before STOP"),
        BAD("\x80\x02J\x01\x00", FL_ETRUNC, "inside BININT"),
        BAD("", FL_ETRUNC, "before STOP"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ld l;
        ld_init(&l);
        int rc = load_n(&l, cases[i].bytes, cases[i].n);
        cr_assert_eq(rc, cases[i].rc, "case %zu: rc %d (%s)", i, rc, l.p.why);
        cr_assert(strstr(l.p.why, cases[i].why), "case %zu: '%s' lacks '%s'", i, l.p.why,
                  cases[i].why);
        ld_release(&l);
    }
}

FL_TEST(pickle, nesting_bombs_hit_the_depth_limit)
{
    char b[4096];
    /* MARK bomb: 1000 open marks */
    size_t n = 0;
    b[n++] = '\x80';
    b[n++] = 2;
    for (int i = 0; i < 1000; i++)
        b[n++] = '(';
    b[n++] = '.';
    struct ld l;
    ld_init(&l);
    cr_assert_eq(load_n(&l, b, n), FL_ELIMIT);
    cr_assert(strstr(l.p.why, "nested MARKs"), "%s", l.p.why);
    ld_release(&l);
    /* container bomb without marks: 1000 lists, each appended into the one below */
    n = 2;
    for (int i = 0; i < 1000; i++)
        b[n++] = ']';
    for (int i = 0; i < 999; i++)
        b[n++] = 'a';
    b[n++] = '.';
    ld_init(&l);
    cr_assert_eq(load_n(&l, b, n), FL_ELIMIT);
    cr_assert(strstr(l.p.why, "nested deeper"), "%s", l.p.why);
    ld_release(&l);
    /* a list appended to itself through the memo, over and over */
    static const char self[] = "\x80\x02]q\x00h\x00"
                               "a";
    n = 0;
    memcpy(b, self, sizeof self - 1);
    n = sizeof self - 1;
    for (int i = 0; i < 200; i++) {
        memcpy(b + n,
               "h\x00"
               "a",
               3);
        n += 3;
    }
    b[n++] = '.';
    ld_init(&l);
    cr_assert_eq(load_n(&l, b, n), FL_ELIMIT, "%s", l.p.why);
    ld_release(&l);
}

FL_TEST(pickle, stack_limit)
{
    struct ld l;
    ld_init(&l);
    l.p.max_stack = 100;
    char b[300];
    size_t n = 0;
    b[n++] = '\x80';
    b[n++] = 2;
    b[n++] = ']';
    b[n++] = '(';
    for (int i = 0; i < 200; i++)
        b[n++] = 'N';
    b[n++] = 'e';
    b[n++] = '.';
    cr_assert_eq(load_n(&l, b, n), FL_ELIMIT);
    cr_assert(strstr(l.p.why, "more than 100 values"), "%s", l.p.why);
    ld_release(&l);
}

/* ---- implementation-defined ------------------------------------------------------------- */

FL_TEST(pickle, impl_trailing_bytes_duplicate_keys_and_reuse)
{
    struct ld l;
    ld_init(&l);
    /* bytes after STOP are not read; a repeated key: the later pair wins */
    static const char b[] = "\x80\x02}(X\x01\x00\x00\x00kK\x01X\x01\x00\x00\x00kK\x02u.garbage";
    cr_assert_eq(LOAD(&l, b), 0, "%s", l.p.why);
    cr_assert_eq(l.p.end_offset, sizeof b - 1 - 7);
    cr_assert_eq(l.root.u.seq->n, 2);
    cr_assert_eq(fl_pk_get(&l.root, "k")->u.i, 2);
    /* the same loader again: the previous memo is forgotten */
    static const char c[] = "\x80\x02Nq\x07.";
    cr_assert_eq(LOAD(&l, c), 0, "%s", l.p.why);
    static const char d[] = "\x80\x02h\x07.";
    cr_assert_eq(LOAD(&l, d), FL_EPARSE);
    ld_release(&l);
    cr_assert_str_eq(fl_pickle_opname(0x93), "STACK_GLOBAL");
    cr_assert_null(fl_pickle_opname(0xff));
    cr_assert_null(fl_pk_get(NULL, "x"));
}

/* Every prefix of a real dump, each in an exact-size heap buffer: a clean error (cut short)
 * for all but the whole file, never an over-read. */
static void every_truncation(const char *rel)
{
    size_t n;
    char *whole = read_file(rel, &n);
    struct fl_arena arena;
    fl_arena_init(&arena, 65536, 0);
    struct fl_pickle p;
    fl_pickle_init(&p, &arena);
    for (size_t len = 0; len <= n; len++) {
        char *buf = malloc(len ? len : 1);
        memcpy(buf, whole, len);
        struct fl_pk root;
        int rc = fl_pickle_load(&p, buf, len, &root);
        if (len == n)
            cr_assert_eq(rc, 0, "%s: whole file: %s", rel, p.why);
        else
            cr_assert_eq(rc, FL_ETRUNC, "%s: prefix %zu: rc %d %s", rel, len, rc, p.why);
        free(buf);
        fl_arena_reset(&arena);
    }
    fl_pickle_release(&p);
    fl_arena_release(&arena);
    free(whole);
}

FL_TEST(pickle, every_truncation_of_real_and_python_dumps)
{
    every_truncation("tests/golden/ingest_nccl_fr/nvrx-gpu-error-16-ranks/inputs/_dump_12");
    every_truncation("tests/fr/fixtures/protocols/p5/nccl_trace_rank_3");
    every_truncation("tests/fr/fixtures/2.9/cpp/nccl_trace_rank_3");
}

FL_TEST(pickle, real_dump_shape)
{
    size_t n;
    char *buf = read_file("tests/golden/ingest_nccl_fr/nvrx-gpu-error-16-ranks/inputs/_dump_0", &n);
    struct ld l;
    ld_init(&l);
    cr_assert_eq(fl_pickle_load(&l.p, buf, n, &l.root), 0, "%s", l.p.why);
    cr_assert(str_is(fl_pk_get(&l.root, "version"), "2.9"));
    cr_assert(str_is(fl_pk_get(&l.root, "nccl_version"), "2.27.3"));
    const struct fl_pk *e = fl_pk_get(&l.root, "entries");
    cr_assert_eq(e->u.seq->n, 20);
    const struct fl_pk *e0 = &e->u.seq->v[0];
    cr_assert(str_is(fl_pk_get(e0, "profiling_name"), "nccl:send 0->3"));
    cr_assert_eq(fl_pk_get(e0, "time_created_ns")->u.i, 1758610505592849034LL);
    cr_assert_eq(fl_pk_get(e0, "process_group")->type, FL_PK_TUPLE);
    cr_assert_eq(e0->u.seq->offset, 1493);
    ld_release(&l);
    free(buf);
}

/* ---- the take hook (streaming a list of dicts) -------------------------------------------- */

struct taker {
    int taken;
    size_t list_at;
    int64_t first_a; /* "a" of the first dict offered */
};

/* Takes every dict it is offered; the handle is 100 + its order. */
static int take_all(void *arg, const struct fl_pickle *p, size_t list_at, const struct fl_pk *d,
                    int64_t *handle)
{
    struct taker *t = arg;
    cr_assert_eq(d->type, FL_PK_DICT);
    cr_assert_eq(p->stack[list_at].type, FL_PK_LIST);
    const struct fl_pk *a = fl_pk_get(d, "a");
    cr_assert_not_null(a);
    if (!t->taken)
        t->first_a = a->u.i;
    t->list_at = list_at;
    *handle = 100 + t->taken++;
    return 1;
}

/* [{"a": 1, "s": [7]}, {"a": 2, "s": [7]}, {"a": 3, "s": [7]}] in the C++ form, then a tail:
 * "" (the list is the root), "q\x09" (the last dict memoized), ... */
static size_t three_dicts(char *out, const char *tail)
{
    static const char head[] = "\x80\x02]("
                               "}(X\x01\x00\x00\x00"
                               "aq\x00K\x01X\x01\x00\x00\x00sq\x01](K\x07"
                               "eu"
                               "}(h\x00K\x02h\x01](K\x07"
                               "eu"
                               "}(h\x00K\x03h\x01](K\x07"
                               "eu";
    size_t n = sizeof head - 1;
    memcpy(out, head, n);
    memcpy(out + n, tail, strlen(tail));
    return n + strlen(tail);
}

FL_TEST(pickle, take_hook_streams_dicts_and_reuses_their_memory)
{
    struct ld l;
    ld_init(&l);
    struct taker t = {0};
    l.p.take = take_all;
    l.p.take_arg = &t;
    char b[256];
    size_t n = three_dicts(b, "e.");
    cr_assert_eq(load_n(&l, b, n), 0, "%s", l.p.why);
    cr_assert_eq(t.taken, 3);
    cr_assert_eq(t.first_a, 1);
    cr_assert_eq(t.list_at, 0);
    cr_assert_eq(l.root.type, FL_PK_LIST);
    cr_assert_eq(l.root.u.seq->n, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(l.root.u.seq->v[i].type, FL_PK_HANDLE);
        cr_assert_eq(l.root.u.seq->v[i].u.i, 100 + i);
    }
    cr_assert_eq(l.p.taken, 3);
    cr_assert_eq(l.p.reclaimed, 3); /* nothing in them was memoized: their memory went back */
    ld_release(&l);

    /* a hook that declines leaves the plain tree */
    ld_init(&l);
    cr_assert_eq(load_n(&l, b, n), 0);
    cr_assert_eq(l.root.u.seq->v[2].type, FL_PK_DICT);
    cr_assert_eq(fl_pk_get(&l.root.u.seq->v[2], "a")->u.i, 3);
    ld_release(&l);
}

FL_TEST(pickle, take_hook_conflicts_load_again_without_it)
{
    /* a taken dict memoized, put in a tuple, or its memoized list filled after it was taken:
     * the load stops with take_conflict, and a load without the hook reads the tree */
    static const char *const tails[] = {"q\x09"
                                        "e.",
                                        "\x85"
                                        "e."};
    for (size_t k = 0; k < 2; k++) {
        struct ld l;
        ld_init(&l);
        struct taker t = {0};
        l.p.take = take_all;
        l.p.take_arg = &t;
        char b[256];
        size_t n = three_dicts(b, tails[k]);
        cr_assert_eq(load_n(&l, b, n), FL_EUNSUPPORTED, "tail %zu", k);
        cr_assert(l.p.take_conflict);
        l.p.take = NULL;
        cr_assert_eq(fl_pickle_load(&l.p, l.copies[0], n, &l.root), 0, "%s", l.p.why);
        cr_assert(!l.p.take_conflict);
        cr_assert_eq(l.root.type, FL_PK_LIST);
        ld_release(&l);
    }
    /* the list memoized when created (Python's way), then filled after its dicts were taken */
    static const char pylist[] = "\x80\x02]q\x05("
                                 "}(X\x01\x00\x00\x00"
                                 "aK\x01u"
                                 "e.";
    struct ld l;
    ld_init(&l);
    struct taker t = {0};
    l.p.take = take_all;
    l.p.take_arg = &t;
    cr_assert_eq(LOAD(&l, pylist), FL_EUNSUPPORTED);
    cr_assert(l.p.take_conflict);
    ld_release(&l);
}

FL_TEST(pickle, allocation_failure_loop)
{
    size_t n;
    char *buf = read_file("tests/fr/fixtures/memo-long/cpp/nccl_trace_rank_3", &n);
    bool completed = false;
    for (uint64_t k = 1; k < 10000 && !completed; k++) {
        struct fl_arena arena;
        fl_arena_init(&arena, 4096, 0);
        struct fl_pickle p;
        fl_pickle_init(&p, &arena);
        fl_alloc_fail_after(k, 1);
        struct fl_pk root;
        int rc = fl_pickle_load(&p, buf, n, &root);
        fl_alloc_fail_after(0, 0);
        if (rc == 0)
            completed = true;
        else
            cr_assert_eq(rc, FL_ENOMEM, "k=%llu: rc %d %s", (unsigned long long)k, rc, p.why);
        fl_pickle_release(&p);
        fl_arena_release(&arena);
    }
    cr_assert(completed);
    free(buf);
}
