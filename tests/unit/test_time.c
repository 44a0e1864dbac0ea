/* Unit tests for core/time.c: civil dates, RFC 3339 stamps, durations, boot clocks.
 *
 * Every parser input is copied into an exact-size heap buffer (ASan catches a read at `end`)
 * and, separately, right before a PROT_NONE page (any build crashes on an over-read); the two
 * runs must agree. Suites: civil, rfc3339_valid, rfc3339_invalid, rfc3339_impl (behaviour the
 * RFC leaves to us), rfc3339_format, duration_valid, duration_invalid, duration_format,
 * boot_clock.
 */
#include <criterion/criterion.h>

#include "fl_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "faultline/err.h"
#include "faultline/time.h"

#define B_NS 1731672123000000000LL /* 2024-11-15T12:02:03Z */

/* ---- bounded-input harness ---- */

/* Two pages mapped once per test process, the second PROT_NONE: an input copied to the end
 * of the first page has its `end` on the guard. Inputs are shorter than a page. */
static char *guard_page_end(void)
{
    static char *data_end;
    if (!data_end) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        char *map =
            mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(map, MAP_FAILED, "mmap failed");
        cr_assert_eq(mprotect(map + page, page, PROT_NONE), 0, "mprotect failed");
        data_end = map + page;
    }
    return data_end;
}

static const char *guard_copy(const char *s, size_t n)
{
    char *end = guard_page_end();
    cr_assert_lt(n, 4096u);
    if (n) memcpy(end - n, s, n);
    return end - n;
}

/* Exact-size heap copy; ASan flags any access at or past p + n. */
static char *heap_copy(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    cr_assert_not_null(p);
    if (n) memcpy(p, s, n);
    return p;
}

struct tres {
    int rc;
    int64_t ns;
    size_t consumed;
    bool had_zone;
};

static struct tres tparse_raw(const char *p, const char *end, bool rz)
{
    struct tres r = {0, -42, 9999, true};
    r.rc = fl_time_parse_rfc3339(p, end, rz, &r.ns, &r.consumed, &r.had_zone);
    return r;
}

/* Parse the first n bytes of s both ways; assert the runs agree. */
static struct tres tparse_n(const char *s, size_t n, bool rz)
{
    char *h = heap_copy(s, n);
    struct tres a = tparse_raw(h, h + n, rz);
    free(h);
    const char *g = guard_copy(s, n);
    struct tres b = tparse_raw(g, g + n, rz);
    cr_assert(a.rc == b.rc && a.ns == b.ns && a.consumed == b.consumed && a.had_zone == b.had_zone,
              "heap and guard-page runs disagree on \"%.*s\"", (int)n, s);
    return a;
}

static struct tres tparse(const char *s, bool rz)
{
    return tparse_n(s, strlen(s), rz);
}

static int dparse_raw(const char *p, const char *end, int64_t *out)
{
    return fl_duration_parse(p, end, out);
}

static int dparse_n(const char *s, size_t n, int64_t *out)
{
    int64_t a = -42, b = -42;
    char *h = heap_copy(s, n);
    int rc_a = dparse_raw(h, h + n, &a);
    free(h);
    const char *g = guard_copy(s, n);
    int rc_b = dparse_raw(g, g + n, &b);
    cr_assert(rc_a == rc_b && a == b, "heap and guard-page runs disagree on \"%.*s\"", (int)n, s);
    *out = a;
    return rc_a;
}

static int dparse(const char *s, int64_t *out)
{
    return dparse_n(s, strlen(s), out);
}

/* Deterministic 64-bit generator (splitmix64) for sweeps. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* ---- civil calendar ---- */

FL_TEST(civil, known_days)
{
    cr_assert_eq(fl_days_from_civil(1970, 1, 1), 0);
    cr_assert_eq(fl_days_from_civil(1969, 12, 31), -1);
    cr_assert_eq(fl_days_from_civil(2000, 3, 1), 11017);
    cr_assert_eq(fl_days_from_civil(2024, 2, 29), 19782);
    cr_assert_eq(fl_days_from_civil(1, 1, 1), -719162);
    cr_assert_eq(fl_days_from_civil(0, 3, 1), -719468);
    cr_assert_eq(fl_days_from_civil(-1, 12, 31), -719529);
}

FL_TEST(civil, leap_years)
{
    cr_assert(fl_is_leap_year(2000));
    cr_assert(!fl_is_leap_year(1900));
    cr_assert(fl_is_leap_year(2024));
    cr_assert(!fl_is_leap_year(2023));
    cr_assert(!fl_is_leap_year(2100));
    cr_assert(fl_is_leap_year(2400));
    cr_assert(fl_is_leap_year(0));
    cr_assert(fl_is_leap_year(-4));
    cr_assert(!fl_is_leap_year(-100));
    cr_assert(fl_is_leap_year(-400));
}

FL_TEST(civil, days_in_month)
{
    cr_assert_eq(fl_days_in_month(2024, 2), 29);
    cr_assert_eq(fl_days_in_month(2023, 2), 28);
    cr_assert_eq(fl_days_in_month(2000, 2), 29);
    cr_assert_eq(fl_days_in_month(1900, 2), 28);
    cr_assert_eq(fl_days_in_month(2024, 1), 31);
    cr_assert_eq(fl_days_in_month(2024, 4), 30);
    cr_assert_eq(fl_days_in_month(2024, 6), 30);
    cr_assert_eq(fl_days_in_month(2024, 9), 30);
    cr_assert_eq(fl_days_in_month(2024, 11), 30);
    cr_assert_eq(fl_days_in_month(2024, 12), 31);
    cr_assert_eq(fl_days_in_month(2024, 0), 0);
    cr_assert_eq(fl_days_in_month(2024, 13), 0);
}

/* Walk every day of 0000-01-01 .. 9999-12-31 by hand-incremented dates: both conversions
 * must agree with the walk, so neither is checked only against the other. */
FL_TEST(civil, every_day_0000_to_9999)
{
    int64_t y = 0;
    unsigned m = 1, d = 1;
    int64_t day = fl_days_from_civil(0, 1, 1);
    for (;;) {
        cr_assert_eq(fl_days_from_civil(y, m, d), day, "days_from_civil %lld-%u-%u", (long long)y,
                     m, d);
        int64_t cy;
        unsigned cm, cd;
        fl_civil_from_days(day, &cy, &cm, &cd);
        if (cy != y || cm != m || cd != d)
            cr_assert_fail("civil_from_days %lld gave %lld-%u-%u, want %lld-%u-%u", (long long)day,
                           (long long)cy, cm, cd, (long long)y, m, d);
        if (y == 9999 && m == 12 && d == 31) break;
        day++;
        if (++d > fl_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    cr_assert_eq(day, 2932896);
}

/* ---- RFC 3339: valid ---- */

struct tcase {
    const char *in;
    int64_t ns;
};

static void expect_ok(const char *in, bool rz, int64_t ns, size_t consumed, bool had_zone)
{
    struct tres r = tparse(in, rz);
    cr_assert_eq(r.rc, 0, "\"%s\": rc %s", in, fl_errname(r.rc));
    cr_assert_eq(r.ns, ns, "\"%s\": got %lld want %lld", in, (long long)r.ns, (long long)ns);
    cr_assert_eq(r.consumed, consumed, "\"%s\": consumed %zu want %zu", in, r.consumed, consumed);
    cr_assert_eq(r.had_zone, had_zone, "\"%s\": had_zone", in);
}

static void expect_err(const char *in, bool rz, int code)
{
    struct tres r = tparse(in, rz);
    cr_assert_eq(r.rc, code, "\"%s\": rc %s want %s", in, fl_errname(r.rc), fl_errname(code));
    /* Outputs untouched on failure. */
    cr_assert(r.ns == -42 && r.consumed == 9999 && r.had_zone, "\"%s\": outputs written", in);
}

static const struct tcase zone_forms[] = {
    {"2024-11-15T12:02:03Z", B_NS},
    {"2024-11-15T12:02:03z", B_NS},
    {"2024-11-15t12:02:03Z", B_NS},
    {"2024-11-15 12:02:03Z", B_NS},
    {"2024-11-15T12:02:03+00:00", B_NS},
    {"2024-11-15T12:02:03-00:00", B_NS},
    {"2024-11-15T12:02:03+0000", B_NS},
    {"2024-11-15T12:02:03-0000", B_NS},
    {"2024-11-15T12:02:03+00", B_NS},
    {"2024-11-15T12:02:03-00", B_NS},
    {"2024-11-15T20:02:03+08:00", B_NS},
    {"2024-11-15T20:02:03+0800", B_NS},
    {"2024-11-15T20:02:03+08", B_NS},
    {"2024-11-15T04:02:03-08:00", B_NS},
    {"2024-11-15T04:02:03-0800", B_NS},
    {"2024-11-15T04:02:03-08", B_NS},
    {"2024-11-15T17:32:03+05:30", B_NS},
    {"2024-11-15T17:32:03+0530", B_NS},
    {"2024-11-15T06:47:03-05:15", B_NS},
    {"2024-11-16T11:01:03+22:59", B_NS}, /* crosses midnight forward */
    {"2024-11-14T13:03:03-22:59", B_NS}, /* and backward */
    {"2024-11-16T11:59:03+23:57", B_NS},
    {"2024-12-31T23:59:59-01:00", 1735693199000000000LL}, /* into the next year */
    {"2025-01-01T00:30:00+01:00", 1735687800000000000LL}, /* into the previous year */
};

FL_TEST(rfc3339_valid, every_zone_form)
{
    for (size_t i = 0; i < sizeof zone_forms / sizeof zone_forms[0]; i++) {
        const char *in = zone_forms[i].in;
        expect_ok(in, true, zone_forms[i].ns, strlen(in), true);
        expect_ok(in, false, zone_forms[i].ns, strlen(in), true);
    }
}

FL_TEST(rfc3339_valid, known_instants)
{
    expect_ok("1970-01-01T00:00:00Z", true, 0, 20, true);
    expect_ok("1969-12-31T23:59:59.999999999Z", true, -1, 30, true);
    expect_ok("1970-01-01T00:00:00.000000001Z", true, 1, 30, true);
    expect_ok("1969-07-20T20:17:40Z", true, -14182940000000000LL, 20, true);
    expect_ok("1900-01-01T00:00:00Z", true, -2208988800000000000LL, 20, true);
    expect_ok("2026-11-24T18:32:51.5512Z", true, 1795545171551200000LL, 25, true);
}

FL_TEST(rfc3339_valid, dmesg_iso_comma_fraction)
{
    expect_ok("2024-11-15T12:02:03,470068+00:00", true, B_NS + 470068000, 32, true);
    expect_ok("2024-11-15T20:02:03,470068+08:00", true, B_NS + 470068000, 32, true);
}

FL_TEST(rfc3339_valid, journalctl_short_iso)
{
    /* journalctl -o short-iso / short-iso-precise: "+hhmm". */
    expect_ok("2024-11-15T20:02:03+0800", true, B_NS, 24, true);
    expect_ok("2024-11-15T20:02:03.123456+0800", true, B_NS + 123456000, 31, true);
    expect_ok("2024-11-15T20:02:03+0800 node1 kernel: NVRM: Xid", true, B_NS, 24, true);
}

FL_TEST(rfc3339_valid, fraction_1_to_9_digits)
{
    const char *digits = "987654321";
    for (int k = 1; k <= 9; k++) {
        char in[64] = "2024-11-15T12:02:03.";
        memcpy(in + 20, digits, (size_t)k);
        memcpy(in + 20 + k, "Z", 2);
        int64_t frac = 0;
        for (int i = 0; i < 9; i++)
            frac = frac * 10 + (i < k ? digits[i] - '0' : 0);
        expect_ok(in, true, B_NS + frac, strlen(in), true);
        in[19] = ',';
        expect_ok(in, true, B_NS + frac, strlen(in), true);
    }
    expect_ok("2024-11-15T12:02:03.0Z", true, B_NS, 22, true);
    expect_ok("2024-11-15T12:02:03.000000000Z", true, B_NS, 30, true);
    expect_ok("2024-11-15T12:02:03.5Z", true, B_NS + 500000000, 22, true);
    expect_ok("2024-11-15T12:02:03.05Z", true, B_NS + 50000000, 23, true);
}

FL_TEST(rfc3339_valid, fraction_past_9_digits_truncated)
{
    expect_ok("2024-11-15T12:02:03.1234567891Z", true, B_NS + 123456789, 31, true);
    expect_ok("2024-11-15T12:02:03.123456789999999Z", true, B_NS + 123456789, 36, true);
    expect_ok("2024-11-15T12:02:03.000000000999999999999+00:00", true, B_NS, 47, true);
    expect_ok("1969-12-31T23:59:59.9999999999Z", true, -1, 31, true);
}

FL_TEST(rfc3339_valid, leap_days)
{
    expect_ok("2024-02-29T00:00:00Z", true, 1709164800000000000LL, 20, true);
    expect_ok("2000-02-29T00:00:00Z", true, 951782400000000000LL, 20, true);
    expect_ok("1904-02-29T00:00:00Z", true, -2077747200000000000LL, 20, true);
}

FL_TEST(rfc3339_valid, last_day_of_every_month)
{
    for (unsigned m = 1; m <= 12; m++) {
        for (int64_t y = 2023; y <= 2024; y++) {
            char in[32];
            unsigned d = fl_days_in_month(y, m);
            memcpy(in, "2023-00-00T00:00:00Z", 21);
            in[3] = (char)('0' + y % 10);
            in[5] = (char)('0' + m / 10);
            in[6] = (char)('0' + m % 10);
            in[8] = (char)('0' + d / 10);
            in[9] = (char)('0' + d % 10);
            expect_ok(in, true, fl_days_from_civil(y, m, d) * 86400 * FL_NS_PER_SEC, 20, true);
            in[8] = (char)('0' + (d + 1) / 10);
            in[9] = (char)('0' + (d + 1) % 10);
            expect_err(in, true, FL_EPARSE);
        }
    }
}

FL_TEST(rfc3339_valid, leap_second_folds_to_59_999999999)
{
    const int64_t leap = 1483228799999999999LL; /* 2016-12-31T23:59:59.999999999Z */
    expect_ok("2016-12-31T23:59:60Z", true, leap, 20, true);
    expect_ok("2016-12-31T23:59:60.5Z", true, leap, 22, true);
    expect_ok("2016-12-31T23:59:60.000000001Z", true, leap, 30, true);
    expect_ok("2017-01-01T07:59:60+08:00", true, leap, 25, true);
    expect_ok("2016-12-31T23:59:59.999999999Z", true, leap, 30, true);
    /* Order is kept: after :59.x, before the next minute. */
    struct tres before = tparse("2016-12-31T23:59:59.5Z", true);
    struct tres next = tparse("2017-01-01T00:00:00Z", true);
    cr_assert_lt(before.ns, leap);
    cr_assert_gt(next.ns, leap);
}

FL_TEST(rfc3339_valid, int64_range_edges)
{
    expect_ok("2262-04-11T23:47:16.854775807Z", true, INT64_MAX, 30, true);
    expect_ok("2262-04-12T00:47:16.854775807+01:00", true, INT64_MAX, 35, true);
    expect_ok("1677-09-21T00:12:43.145224193Z", true, INT64_MIN + 1, 30, true);
    expect_ok("1677-09-20T23:12:43.145224193-01:00", true, INT64_MIN + 1, 35, true);
}

/* ---- RFC 3339: invalid ---- */

FL_TEST(rfc3339_invalid, leap_days)
{
    expect_err("2023-02-29T00:00:00Z", true, FL_EPARSE);
    expect_err("1900-02-29T00:00:00Z", true, FL_EPARSE);
    expect_err("2100-02-29T00:00:00Z", true, FL_EPARSE);
    expect_err("2024-02-30T00:00:00Z", true, FL_EPARSE);
    /* A real leap day outside int64 ns is a range error, not a parse error. */
    expect_err("2400-02-29T00:00:00Z", true, FL_ERANGE);
    expect_err("1600-02-29T00:00:00Z", true, FL_ERANGE);
}

FL_TEST(rfc3339_invalid, day_31_in_30_day_months)
{
    expect_err("2024-04-31T00:00:00Z", true, FL_EPARSE);
    expect_err("2024-06-31T00:00:00Z", true, FL_EPARSE);
    expect_err("2024-09-31T00:00:00Z", true, FL_EPARSE);
    expect_err("2024-11-31T00:00:00Z", true, FL_EPARSE);
}

FL_TEST(rfc3339_invalid, fields_out_of_range)
{
    static const char *bad[] = {
        "2024-00-15T12:02:03Z",      "2024-13-15T12:02:03Z",      "2024-11-00T12:02:03Z",
        "2024-11-32T12:02:03Z",      "2024-01-99T12:02:03Z",      "2024-11-15T24:00:00Z",
        "2024-11-15T12:60:03Z",      "2024-11-15T12:02:61Z",      "2024-11-15T12:02:99Z",
        "2024-11-15T12:02:03+24:00", "2024-11-15T12:02:03+12:60", "2024-11-15T12:02:03-2400",
        "2024-11-15T12:02:03+99",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_err(bad[i], true, FL_EPARSE);
        expect_err(bad[i], false, FL_EPARSE);
    }
}

FL_TEST(rfc3339_invalid, malformed)
{
    static const char *bad[] = {
        "",
        "2024",
        "2024-11-15",
        "2024-11-15T12:02",
        "24-11-15T12:02:03Z",
        "20241115T120203Z",
        "2024/11/15T12:02:03Z",
        "2024-11-15X12:02:03Z",
        "2024-11-15_12:02:03Z",
        "2024-11-15T12.02.03Z",
        "2024-11-15T12:02:3Z",
        "2024-1-15T12:02:03Z",
        "2024-11-15T-1:02:03Z",
        "2024-11-15T+1:02:03Z",
        "+2024-11-15T12:02:03Z",
        " 2024-11-15T12:02:03Z",
        "2024-11-15T12:02:03+",
        "2024-11-15T12:02:03-",
        "2024-11-15T12:02:03+8",
        "2024-11-15T12:02:03+8:00",
        "2024-11-15T12:02:03+08:",
        "2024-11-15T12:02:03+08:0",
        "2024-11-15T12:02:03+08:0x",
        "2024-11-15T12:02:03+080",
        "2024-11-15T12:02:03+080x",
        "2024-11-15T12:02:03+ab:cd",
        "2024-11-15T12:02:03-x",
        ("\xef\xbc\x92"
         "024-11-15T12:02:03Z"), /* fullwidth digit two */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_err(bad[i], true, FL_EPARSE);
    /* An embedded NUL is a byte like any other, not an end. */
    static const char nul[] = "2024-11-15T12:02:03\0Z";
    cr_assert_eq(tparse_n(nul, sizeof nul - 1, true).rc, FL_EPARSE);
    cr_assert_eq(tparse_n(nul, sizeof nul - 1, false).consumed, 19);
}

FL_TEST(rfc3339_invalid, require_zone)
{
    static const char *no_zone[] = {
        "2024-11-15T12:02:03",     "2024-11-15T12:02:03.5",      "2024-11-15T12:02:03 Z",
        "2024-11-15T12:02:03.Z",   "2024-11-15T12:02:03,Z",      "2024-11-15T12:02:03..5Z",
        "2024-11-15T12:02:03.5.Z", "2024-11-15T12:02:03 +00:00", "2024-11-15T12:02:031Z",
        "2024-11-15T12:02:03UTC",
    };
    for (size_t i = 0; i < sizeof no_zone / sizeof no_zone[0]; i++)
        expect_err(no_zone[i], true, FL_EPARSE);
}

FL_TEST(rfc3339_invalid, outside_int64_ns)
{
    expect_err("0000-01-01T00:00:00Z", true, FL_ERANGE);
    expect_err("9999-12-31T23:59:59.999999999Z", true, FL_ERANGE);
    expect_err("1677-09-21T00:12:43.145224191Z", true, FL_ERANGE);
    expect_err("2262-04-11T23:47:16.854775808Z", true, FL_ERANGE);
    expect_err("2262-04-11T23:47:17Z", true, FL_ERANGE);
    expect_err("2262-04-11T23:47:16.854775807-00:01", true, FL_ERANGE);
    expect_err("1677-09-21T00:12:43.145224193+00:01", true, FL_ERANGE);
    expect_err("2262-04-11T23:47:16.854775808", false, FL_ERANGE);
    /* INT64_MIN itself is FL_TIME_NONE, so it is not a time. */
    expect_err("1677-09-21T00:12:43.145224192Z", true, FL_ERANGE);
}

FL_TEST(rfc3339_invalid, null_and_reversed_bounds)
{
    const char *s = "2024-11-15T12:02:03Z";
    int64_t ns = -42;
    cr_assert_eq(fl_time_parse_rfc3339(NULL, NULL, true, &ns, NULL, NULL), FL_EPARSE);
    cr_assert_eq(fl_time_parse_rfc3339(s + 20, s, true, &ns, NULL, NULL), FL_EPARSE);
    cr_assert_eq(ns, -42);
}

/* ---- RFC 3339: behaviour the RFC leaves to the implementation ---- */

FL_TEST(rfc3339_impl, missing_zone_is_utc)
{
    expect_ok("2024-11-15T12:02:03", false, B_NS, 19, false);
    expect_ok("2024-11-15 12:02:03.470068", false, B_NS + 470068000, 26, false);
    expect_ok("2024-11-15T12:02:03 node1 kernel: x", false, B_NS, 19, false);
}

FL_TEST(rfc3339_impl, consumes_exactly_the_stamp)
{
    expect_ok("2024-11-15T12:02:03Z kernel: NVRM", true, B_NS, 20, true);
    expect_ok("2024-11-15T12:02:03Zjunk", true, B_NS, 20, true);
    expect_ok("2024-11-15T12:02:03.5Z.", true, B_NS + 500000000, 22, true);
    expect_ok("2024-11-15T20:02:03+08x", true, B_NS, 22, true);
    expect_ok("2024-11-15T20:02:03+08:00:00", true, B_NS, 25, true);
    expect_ok("2024-11-15T20:02:03+0800123", true, B_NS, 24, true);
}

FL_TEST(rfc3339_impl, dangling_separator_is_not_a_fraction)
{
    /* Prose after a zoneless stamp: "... at 12:02:03, then ..." */
    expect_ok("2024-11-15T12:02:03, then", false, B_NS, 19, false);
    expect_ok("2024-11-15T12:02:03. End", false, B_NS, 19, false);
    expect_ok("2024-11-15T12:02:03.", false, B_NS, 19, false);
    expect_ok("2024-11-15T12:02:03.5.", false, B_NS + 500000000, 21, false);
    /* A digit glued to the seconds is not part of the stamp; the caller sees consumed. */
    expect_ok("2024-11-15T12:02:031", false, B_NS, 19, false);
}

FL_TEST(rfc3339_impl, optional_outputs_may_be_null)
{
    const char *s = "2024-11-15T12:02:03Z";
    int64_t ns = 0;
    cr_assert_eq(fl_time_parse_rfc3339(s, s + strlen(s), true, &ns, NULL, NULL), 0);
    cr_assert_eq(ns, B_NS);
    size_t consumed = 0;
    cr_assert_eq(fl_time_parse_rfc3339(s, s + strlen(s), false, &ns, &consumed, NULL), 0);
    cr_assert_eq(consumed, 20);
    bool had = false;
    cr_assert_eq(fl_time_parse_rfc3339(s, s + 19, false, &ns, NULL, &had), 0);
    cr_assert(!had);
}

/* Valid stamps fed at every truncation length. A prefix may parse only when it is itself a
 * complete stamp, and then consumes all of itself; a dangling fraction separator is left. */
static const char *trunc_stamps[] = {
    "2024-11-15T12:02:03Z",
    "2024-11-15T12:02:03+08:00",
    "2024-11-15T12:02:03-0800",
    "2024-11-15T12:02:03+08",
    "2024-11-15T12:02:03,470068+00:00",
    "2024-11-15 12:02:03.123456789123-05:30",
    "2024-11-15t12:02:03.5z",
    "2016-12-31T23:59:60.25+0000",
};

static bool prefix_expected(const char *s, size_t k, bool rz, size_t *consumed)
{
    size_t n = strlen(s), zs = 19;
    while (zs < n && !strchr("Zz+-", s[zs]))
        zs++;
    if (k < 19) return false;
    if (k <= zs) { /* in or just after the fraction, no zone yet */
        if (rz) return false;
        *consumed = (k == 20 && (s[19] == '.' || s[19] == ',')) ? 19 : k;
        return true;
    }
    size_t j = k - zs; /* bytes of the zone present, short of all of them */
    *consumed = k;
    return j == 3; /* "+hh" of "+hh:mm" / "+hhmm" */
}

FL_TEST(rfc3339_impl, every_truncation_length)
{
    for (size_t i = 0; i < sizeof trunc_stamps / sizeof trunc_stamps[0]; i++) {
        const char *s = trunc_stamps[i];
        size_t n = strlen(s);
        struct tres full = tparse(s, true);
        cr_assert_eq(full.rc, 0, "\"%s\"", s);
        cr_assert_eq(full.consumed, n);
        for (size_t k = 0; k < n; k++) {
            for (int rz = 0; rz <= 1; rz++) {
                size_t want = 0;
                bool ok = prefix_expected(s, k, rz, &want);
                struct tres r = tparse_n(s, k, rz);
                if (ok) {
                    cr_assert_eq(r.rc, 0, "\"%.*s\" rz=%d: %s", (int)k, s, rz, fl_errname(r.rc));
                    cr_assert_eq(r.consumed, want, "\"%.*s\" rz=%d: consumed %zu want %zu", (int)k,
                                 s, rz, r.consumed, want);
                } else {
                    cr_assert_eq(r.rc, FL_EPARSE, "\"%.*s\" rz=%d: %s", (int)k, s, rz,
                                 fl_errname(r.rc));
                }
            }
        }
    }
}

/* Random byte mutations of valid stamps: never crash or over-read; whatever parses must
 * survive a format/parse round trip. */
FL_TEST(rfc3339_impl, mutations_are_bounded)
{
    uint64_t st = 42;
    static const char alphabet[] = "0123456789:-+.,TtZz \xff";
    for (int iter = 0; iter < 20000; iter++) {
        const char *s =
            trunc_stamps[rng_next(&st) % (sizeof trunc_stamps / sizeof trunc_stamps[0])];
        char buf[64];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        int edits = 1 + (int)(rng_next(&st) % 3);
        for (int e = 0; e < edits; e++)
            buf[rng_next(&st) % n] = alphabet[rng_next(&st) % (sizeof alphabet - 1)];
        size_t len = (size_t)(rng_next(&st) % (n + 1));
        struct tres r = tparse_n(buf, len, rng_next(&st) & 1);
        if (r.rc == 0) {
            cr_assert_leq(r.consumed, len);
            char out[FL_TIME_BUF];
            size_t fl = fl_time_format_rfc3339(r.ns, out);
            struct tres back = tparse(out, true);
            cr_assert(back.rc == 0 && back.ns == r.ns && back.consumed == fl);
        } else {
            cr_assert(r.rc == FL_EPARSE || r.rc == FL_ERANGE);
        }
    }
}

/* ---- RFC 3339: formatting ---- */

static void expect_format(int64_t ns, const char *want)
{
    char out[FL_TIME_BUF];
    memset(out, 'x', sizeof out);
    size_t n = fl_time_format_rfc3339(ns, out);
    cr_assert_str_eq(out, want, "format %lld", (long long)ns);
    cr_assert_eq(n, strlen(want));
}

FL_TEST(rfc3339_format, golden)
{
    expect_format(0, "1970-01-01T00:00:00Z");
    expect_format(1, "1970-01-01T00:00:00.000000001Z");
    expect_format(-1, "1969-12-31T23:59:59.999999999Z");
    expect_format(-FL_NS_PER_SEC, "1969-12-31T23:59:59Z");
    expect_format(-FL_NS_PER_SEC / 2, "1969-12-31T23:59:59.5Z");
    expect_format(-86400 * FL_NS_PER_SEC, "1969-12-31T00:00:00Z");
    expect_format(-86400 * FL_NS_PER_SEC - 1, "1969-12-30T23:59:59.999999999Z");
    expect_format(100000000, "1970-01-01T00:00:00.1Z");
    expect_format(120000000, "1970-01-01T00:00:00.12Z");
    expect_format(1795545171551200000LL, "2026-11-24T18:32:51.5512Z");
    expect_format(1795545171000000000LL, "2026-11-24T18:32:51Z");
    expect_format(B_NS + 470068000, "2024-11-15T12:02:03.470068Z");
    expect_format(951782400000000000LL, "2000-02-29T00:00:00Z");
    expect_format(-14182940000000000LL, "1969-07-20T20:17:40Z");
    expect_format(-2208988800000000000LL, "1900-01-01T00:00:00Z");
    expect_format(INT64_MAX, "2262-04-11T23:47:16.854775807Z");
    expect_format(INT64_MIN + 1, "1677-09-21T00:12:43.145224193Z");
    expect_format(INT64_MIN, "1677-09-21T00:12:43.145224192Z");
}

static void roundtrip_time(int64_t x)
{
    char out[FL_TIME_BUF];
    size_t n = fl_time_format_rfc3339(x, out);
    cr_assert_lt(n, (size_t)FL_TIME_BUF);
    cr_assert_eq(strlen(out), n);
    struct tres r = tparse_n(out, n, true);
    if (r.rc != 0 || r.ns != x || r.consumed != n || !r.had_zone)
        cr_assert_fail("round trip %lld -> \"%s\" -> rc %s ns %lld", (long long)x, out,
                       fl_errname(r.rc), (long long)r.ns);
}

FL_TEST(rfc3339_format, roundtrip_sweep)
{
    static const int64_t fixed[] = {
        0,
        1,
        -1,
        999999999,
        -999999999,
        FL_NS_PER_SEC,
        -FL_NS_PER_SEC,
        FL_NS_PER_SEC + 1,
        -FL_NS_PER_SEC - 1,
        86400 * FL_NS_PER_SEC - 1,
        -86400 * FL_NS_PER_SEC + 1,
        B_NS,
        951782400000000000LL,
        951782399999999999LL,
        1483228799999999999LL,
        INT64_MAX,
        INT64_MAX - 1,
        INT64_MIN + 1,
        INT64_MIN + 2,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        roundtrip_time(fixed[i]);
    /* Every fraction length, both sides of the epoch. */
    for (int64_t f = 1; f < FL_NS_PER_SEC; f *= 10) {
        roundtrip_time(B_NS + f);
        roundtrip_time(-B_NS - f);
        roundtrip_time(B_NS + 123456789 / f * f);
    }
    /* Uniform over the whole int64 range (FL_TIME_NONE excluded), then near the epoch. */
    uint64_t st = 7;
    for (int i = 0; i < 20000; i++) {
        int64_t x = (int64_t)rng_next(&st);
        if (x != INT64_MIN) roundtrip_time(x);
        roundtrip_time(x / 1000000); /* within ~106 days of 1970 */
        roundtrip_time(x / FL_NS_PER_SEC * FL_NS_PER_SEC);
    }
}

/* ---- durations ---- */

struct dcase {
    const char *in;
    int64_t ns;
};

#define SEC FL_NS_PER_SEC
#define MIN (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY (86400 * SEC)

FL_TEST(duration_valid, table)
{
    static const struct dcase ok[] = {
        {"0", 0},
        {"90", 90 * SEC},
        {"+90", 90 * SEC},
        {"00010", 10 * SEC},
        {"0s", 0},
        {"90s", 90 * SEC},
        {"10m", 10 * MIN},
        {"1h30m", HOUR + 30 * MIN},
        {"1.5s", SEC + SEC / 2},
        {"250ms", 250 * FL_NS_PER_MS},
        {"2d", 2 * DAY},
        {"+5s", 5 * SEC},
        {"1ns", 1},
        {"1us", 1000},
        {"1\xC2\xB5s", 1000},
        {"1\xCE\xBCs", 1000},
        {"1ms", FL_NS_PER_MS},
        {"1.5h", HOUR + 30 * MIN},
        {"1.5d", DAY + 12 * HOUR},
        {".5s", SEC / 2},
        {"5.s", 5 * SEC},
        {"1.5us", 1500},
        {"1h1m1s1ms1us1ns", HOUR + MIN + SEC + FL_NS_PER_MS + FL_NS_PER_US + 1},
        {"1d1h", DAY + HOUR},
        {"1m1m", 2 * MIN},
        {"1h0m5s", HOUR + 5 * SEC},
        {"1h5s", HOUR + 5 * SEC},
        {"0.000000001s", 1},
        {"1.0000000019s", SEC + 1}, /* digits past ns are truncated */
        {"1.9ns", 1},
        {"0.1ns", 0},
        {"0.333333333333s", 333333333},
        {"0.99999999999999999999d", DAY - 1}, /* exact, however many digits */
        {"9223372036854775807ns", INT64_MAX},
        {"9223372036.854775807s", INT64_MAX},
        {"2562047h47m16.854775807s", INT64_MAX},
        {"106751d23h47m16.854775807s", INT64_MAX},
        {"9223372036", 9223372036 * SEC},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v;
        int rc = dparse(ok[i].in, &v);
        cr_assert_eq(rc, 0, "\"%s\": %s", ok[i].in, fl_errname(rc));
        cr_assert_eq(v, ok[i].ns, "\"%s\": got %lld want %lld", ok[i].in, (long long)v,
                     (long long)ok[i].ns);
    }
}

FL_TEST(duration_invalid, table)
{
    static const struct {
        const char *in;
        int rc;
    } bad[] = {
        {"", FL_EPARSE},
        {"+", FL_EPARSE},
        {"-", FL_EPARSE},
        {"++5s", FL_EPARSE},
        {"+-5s", FL_EPARSE},
        {"s", FL_EPARSE},
        {"ms", FL_EPARSE},
        {".", FL_EPARSE},
        {".s", FL_EPARSE},
        {"5x", FL_EPARSE},
        {"5S", FL_EPARSE},
        {"5H", FL_EPARSE},
        {"5sm", FL_EPARSE},
        {"5mss", FL_EPARSE},
        {"5 s", FL_EPARSE},
        {" 5s", FL_EPARSE},
        {"5s ", FL_EPARSE},
        {"1h30", FL_EPARSE}, /* a bare number only as the whole input */
        {"1.5", FL_EPARSE},  /* and only an integer */
        {"1..5s", FL_EPARSE},
        {"1.5.5s", FL_EPARSE},
        {"1e3s", FL_EPARSE},
        {"5m-3s", FL_EPARSE},
        {"5\xC2s", FL_EPARSE},
        {"5\xC2", FL_EPARSE},
        {"5\xB5s", FL_EPARSE},
        {"99999999999999999999x", FL_EPARSE},
        {"-5s", FL_ERANGE},
        {"-90", FL_ERANGE},
        {"-0s", FL_ERANGE},
        {"-x", FL_EPARSE},
        {"9223372036854775808ns", FL_ERANGE},
        {"9223372036.854775808s", FL_ERANGE},
        {"2562047h47m16.854775808s", FL_ERANGE},
        {"106752d", FL_ERANGE},
        {"9223372037", FL_ERANGE},
        {"9999999999999999999", FL_ERANGE},
        {"99999999999999999999ns", FL_ERANGE},
        {"5000000000h5000000000h", FL_ERANGE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = -42;
        int rc = dparse(bad[i].in, &v);
        cr_assert_eq(rc, bad[i].rc, "\"%s\": %s want %s", bad[i].in, fl_errname(rc),
                     fl_errname(bad[i].rc));
        cr_assert_eq(v, -42, "\"%s\": output written on failure", bad[i].in);
    }
    int64_t v = -42;
    cr_assert_eq(fl_duration_parse(NULL, NULL, &v), FL_EPARSE);
    cr_assert_eq(v, -42);
}

FL_TEST(duration_invalid, every_truncation_length)
{
    static const char *ds[] = {"1h30m15.5s", "250\xC2\xB5s", "1.5ms", "+2d12h", "90"};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        size_t n = strlen(ds[i]);
        for (size_t k = 0; k <= n; k++) {
            int64_t v;
            int rc = dparse_n(ds[i], k, &v);
            cr_assert(rc == 0 || rc == FL_EPARSE, "\"%.*s\": %s", (int)k, ds[i], fl_errname(rc));
        }
    }
    int64_t v;
    cr_assert_eq(dparse_n("250\xC2\xB5s", 4, &v), FL_EPARSE); /* half a micro sign */
    cr_assert_eq(dparse_n("1h30m15.5s", 3, &v), FL_EPARSE);   /* "1h3" */
    cr_assert_eq(dparse_n("1h30m15.5s", 2, &v), 0);           /* "1h" */
    cr_assert_eq(v, HOUR);
    cr_assert_eq(dparse_n("90", 1, &v), 0); /* "9" = 9s */
    cr_assert_eq(v, 9 * SEC);
}

static void expect_dformat(int64_t ns, const char *want)
{
    char out[FL_TIME_BUF];
    memset(out, 'x', sizeof out);
    size_t n = fl_duration_format(ns, out);
    cr_assert_str_eq(out, want, "format %lld", (long long)ns);
    cr_assert_eq(n, strlen(want));
}

FL_TEST(duration_format, golden)
{
    expect_dformat(0, "0s");
    expect_dformat(1, "1ns");
    expect_dformat(999, "999ns");
    expect_dformat(1000, "1us");
    expect_dformat(1500, "1.5us");
    expect_dformat(1001, "1.001us");
    expect_dformat(FL_NS_PER_MS, "1ms");
    expect_dformat(FL_NS_PER_MS + 1, "1.000001ms");
    expect_dformat(250 * FL_NS_PER_MS, "250ms");
    expect_dformat(SEC - 1, "999.999999ms");
    expect_dformat(SEC, "1s");
    expect_dformat(SEC + SEC / 2, "1.5s");
    expect_dformat(SEC + 1, "1.000000001s");
    expect_dformat(90 * SEC, "1m30s");
    expect_dformat(10 * MIN, "10m");
    expect_dformat(HOUR + 30 * MIN, "1h30m");
    expect_dformat(HOUR + 5 * SEC, "1h5s");
    expect_dformat(HOUR + SEC / 2, "1h0.5s");
    expect_dformat(HOUR + MIN + SEC + 1, "1h1m1.000000001s");
    expect_dformat(2 * DAY, "48h");
    expect_dformat(25 * HOUR, "25h");
    expect_dformat(INT64_MAX, "2562047h47m16.854775807s");
    expect_dformat(-SEC - SEC / 2, "-1.5s");
    expect_dformat(-1, "-1ns");
    expect_dformat(INT64_MIN, "-2562047h47m16.854775808s");
}

static void roundtrip_duration(int64_t x)
{
    char out[FL_TIME_BUF];
    size_t n = fl_duration_format(x, out);
    cr_assert_lt(n, (size_t)FL_TIME_BUF);
    int64_t back = -42;
    int rc = dparse_n(out, n, &back);
    if (rc != 0 || back != x)
        cr_assert_fail("duration round trip %lld -> \"%s\" -> rc %s %lld", (long long)x, out,
                       fl_errname(rc), (long long)back);
}

FL_TEST(duration_format, roundtrip_sweep)
{
    for (int64_t x = 0; x <= 20000; x++)
        roundtrip_duration(x);
    static const int64_t units[] = {1, FL_NS_PER_US, FL_NS_PER_MS, SEC, MIN, HOUR, DAY};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        for (int64_t k = 1; k <= 1000; k++) {
            roundtrip_duration(k * units[u]);
            roundtrip_duration(k * units[u] + 1);
            roundtrip_duration(k * units[u] - 1);
        }
    }
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {
        roundtrip_duration(p);
        roundtrip_duration(p - 1);
        roundtrip_duration(p + 1);
    }
    roundtrip_duration(INT64_MAX);
    roundtrip_duration(INT64_MAX - 1);
    uint64_t st = 99;
    for (int i = 0; i < 20000; i++) {
        uint64_t r = rng_next(&st);
        roundtrip_duration((int64_t)(r >> 1));               /* whole range */
        roundtrip_duration((int64_t)((r >> 1) >> (r % 63))); /* every magnitude */
    }
}

/* ---- boot-relative clocks ---- */

FL_TEST(boot_clock, unknown_boot_converts_nothing)
{
    struct fl_boot_clock c = {FL_TIME_NONE, NULL};
    int64_t wall = -42;
    cr_assert(!fl_boot_clock_to_wall(&c, 5 * SEC, &wall));
    cr_assert_eq(wall, -42);
}

FL_TEST(boot_clock, learn_then_convert)
{
    static const char how_journal[] = "journal", how_flag[] = "--boot-time";
    struct fl_boot_clock c = {FL_TIME_NONE, NULL};
    fl_boot_clock_learn(&c, B_NS, 5 * SEC, how_journal);
    cr_assert_eq(c.boot_ns, B_NS - 5 * SEC);
    cr_assert_eq(c.how, how_journal);
    int64_t wall = 0;
    cr_assert(fl_boot_clock_to_wall(&c, 10 * SEC, &wall));
    cr_assert_eq(wall, B_NS + 5 * SEC);
    cr_assert(fl_boot_clock_to_wall(&c, 0, &wall));
    cr_assert_eq(wall, B_NS - 5 * SEC);
    /* The latest pair wins. */
    fl_boot_clock_learn(&c, B_NS, 7 * SEC, how_flag);
    cr_assert_eq(c.boot_ns, B_NS - 7 * SEC);
    cr_assert_eq(c.how, how_flag);
}

FL_TEST(boot_clock, overflow_and_sentinels)
{
    struct fl_boot_clock c = {INT64_MAX - 5, "x"};
    int64_t wall = -42;
    cr_assert(!fl_boot_clock_to_wall(&c, 10, &wall));
    cr_assert(!fl_boot_clock_to_wall(&c, FL_TIME_NONE, &wall));
    cr_assert_eq(wall, -42);
    cr_assert(fl_boot_clock_to_wall(&c, 5, &wall));
    cr_assert_eq(wall, INT64_MAX);
    c.boot_ns = INT64_MIN + 5;
    cr_assert(!fl_boot_clock_to_wall(&c, -5, &wall)); /* would land on FL_TIME_NONE */

    struct fl_boot_clock d = {123, "before"};
    fl_boot_clock_learn(&d, INT64_MIN + 1, INT64_MAX, "overflow");
    fl_boot_clock_learn(&d, FL_TIME_NONE, 0, "no wall");
    fl_boot_clock_learn(&d, 0, FL_TIME_NONE, "no rel");
    cr_assert_eq(d.boot_ns, 123);
    cr_assert_str_eq(d.how, "before");
}
