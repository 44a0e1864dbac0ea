/* Timestamps, durations and boot-relative clocks (see faultline/time.h for the contract).
 *
 * Everything here is integer arithmetic on int64 nanoseconds: no libc time functions (timegm,
 * mktime, strptime) and no unbounded scanners. Every parser takes an end pointer and checks
 * the bytes left before it looks at one. Overflow is checked before it can happen, never
 * detected after the fact.
 *
 * Choices the header leaves open, fixed here:
 *   - INT64_MIN is FL_TIME_NONE, so a timestamp that lands exactly on it is FL_ERANGE: the
 *     parseable range is 1677-09-21T00:12:43.145224193Z .. 2262-04-11T23:47:16.854775807Z.
 *   - Outputs (*out_ns, *consumed, *had_zone) are written only on success.
 *   - A '.' or ',' after the seconds that is not followed by a digit is not a fraction: the
 *     stamp ends before it (a stamp followed by prose, "at 12:00:00, ..."). A '+' or '-'
 *     after the seconds always starts a zone, and a zone that is not complete is FL_EPARSE.
 */
#include "faultline/time.h"

#include "faultline/err.h"

/* ---- checked int64 arithmetic ---- */

static bool add_i64(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return false;
    *out = a + b;
    return true;
}

/* a * b for a, b >= 0. */
static bool mul_nonneg_i64(int64_t a, int64_t b, int64_t *out)
{
    if (a != 0 && b > INT64_MAX / a) return false;
    *out = a * b;
    return true;
}

/* sec * 1e9 + frac for any sec and 0 <= frac < 1e9, without overflowing on the way. */
static bool sec_frac_to_ns(int64_t sec, int64_t frac, int64_t *out)
{
    const int64_t max_sec = INT64_MAX / FL_NS_PER_SEC; /* 9223372036 */
    const int64_t min_sec = -max_sec - 1;              /* -9223372037: floor(INT64_MIN / 1e9) */
    if (sec > max_sec || sec < min_sec) return false;
    if (sec == max_sec && frac > INT64_MAX - max_sec * FL_NS_PER_SEC) return false;
    if (sec == min_sec) {
        /* (sec + 1) * 1e9 is representable; add the fraction less one second. */
        int64_t base = (sec + 1) * FL_NS_PER_SEC;
        int64_t rest = frac - FL_NS_PER_SEC; /* in [-1e9, 0) */
        return add_i64(base, rest, out);
    }
    *out = sec * FL_NS_PER_SEC + frac;
    return true;
}

/* Floor division and its non-negative remainder, for b > 0. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;
    if (r < 0) {
        q -= 1;
        r += b;
    }
    *rem = r;
    return q;
}

/* ---- civil calendar (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms") ---- */

int64_t fl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t mm = (int64_t)m, dd = (int64_t)d;
    y -= mm <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                       /* [0, 399] */
    int64_t doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + dd - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void fl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;                           /* [1, 31] */
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;                              /* [1, 12] */
    *y = yoe + era * 400 + (mm <= 2);
    *m = (unsigned)mm;
    *d = (unsigned)dd;
}

bool fl_is_leap_year(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* 0 for a month outside 1-12. */
unsigned fl_days_in_month(int64_t y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    if (m == 2 && fl_is_leap_year(y)) return 29;
    return days[m - 1];
}

/* ---- RFC 3339 parsing ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* n ASCII digits at p (the caller has checked n bytes are there). */
static bool read_digits(const char *p, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(p[i])) return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

/* Zone at p: Z z +hh:mm +hhmm +hh -hh:mm -hhmm -hh. Sets *off_sec (local - UTC) and the
 * cursor past the zone; FL_EPARSE when p starts none of them or one is incomplete. */
static int parse_zone(const char **pp, const char *end, int64_t *off_sec)
{
    const char *p = *pp;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        *off_sec = 0;
        *pp = p + 1;
        return 0;
    }
    if (p >= end || (*p != '+' && *p != '-')) return FL_EPARSE;
    int64_t sign = *p == '-' ? -1 : 1;
    p++;
    unsigned hh, mm = 0;
    if (end - p < 2 || !read_digits(p, 2, &hh)) return FL_EPARSE;
    p += 2;
    if (p < end && *p == ':') {
        if (end - p < 3 || !read_digits(p + 1, 2, &mm)) return FL_EPARSE;
        p += 3;
    } else if (p < end && is_digit(*p)) {
        if (end - p < 2 || !read_digits(p, 2, &mm)) return FL_EPARSE;
        p += 2;
    }
    if (hh > 23 || mm > 59) return FL_EPARSE;
    *off_sec = sign * (int64_t)(hh * 3600 + mm * 60);
    *pp = p;
    return 0;
}

/* Fraction digits after the separator: the first 9 are kept (scaled to ns), the rest are
 * consumed and dropped. */
static const char *parse_fraction(const char *p, const char *end, int64_t *frac)
{
    int64_t v = 0;
    int n = 0;
    for (; p < end && is_digit(*p); p++) {
        if (n < 9) {
            v = v * 10 + (*p - '0');
            n++;
        }
    }
    for (; n < 9; n++)
        v *= 10;
    *frac = v;
    return p;
}

/* The fixed 19-byte head "YYYY-MM-DDThh:mm:ss" as seconds since the epoch (local time). */
static int parse_head(const char *p, int64_t *local_sec, bool *leap)
{
    unsigned y, mo, d, h, mi, s;
    if (!read_digits(p, 4, &y) || p[4] != '-' || !read_digits(p + 5, 2, &mo) || p[7] != '-' ||
        !read_digits(p + 8, 2, &d))
        return FL_EPARSE;
    if (p[10] != 'T' && p[10] != 't' && p[10] != ' ') return FL_EPARSE;
    if (!read_digits(p + 11, 2, &h) || p[13] != ':' || !read_digits(p + 14, 2, &mi) ||
        p[16] != ':' || !read_digits(p + 17, 2, &s))
        return FL_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > fl_days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
        return FL_EPARSE;
    *leap = s == 60;
    if (*leap) s = 59;
    int64_t days = fl_days_from_civil(y, mo, d);
    *local_sec = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)s;
    return 0;
}

int fl_time_parse_rfc3339(const char *p, const char *end, bool require_zone, int64_t *out_ns,
                          size_t *consumed, bool *had_zone)
{
    enum { HEAD_LEN = 19 };
    if (!p || !end || end < p || end - p < HEAD_LEN) return FL_EPARSE;
    const char *start = p;
    int64_t local_sec;
    bool leap;
    int rc = parse_head(p, &local_sec, &leap);
    if (rc) return rc;
    p += HEAD_LEN;

    int64_t frac = 0;
    if (end - p >= 2 && (*p == '.' || *p == ',') && is_digit(p[1]))
        p = parse_fraction(p + 1, end, &frac);
    if (leap) frac = FL_NS_PER_SEC - 1; /* :60.x folds onto :59.999999999 */

    int64_t off_sec = 0;
    bool zone = p < end && (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-');
    if (zone) {
        rc = parse_zone(&p, end, &off_sec);
        if (rc) return rc;
    } else if (require_zone) {
        return FL_EPARSE;
    }

    /* Years 0000-9999 and offsets < 24h keep this far inside int64. */
    int64_t ns;
    if (!sec_frac_to_ns(local_sec - off_sec, frac, &ns) || ns == FL_TIME_NONE) return FL_ERANGE;
    *out_ns = ns;
    if (consumed) *consumed = (size_t)(p - start);
    if (had_zone) *had_zone = zone;
    return 0;
}

/* ---- formatting ---- */

/* v as exactly width digits, zero padded; returns the cursor past them. */
static char *put_digits(char *o, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        o[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + width;
}

/* v in decimal, no padding. */
static char *put_uint(char *o, uint64_t v)
{
    int width = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        width++;
    return put_digits(o, v, width);
}

/* '.' and the fraction (of `width` digits) with trailing zeros trimmed; nothing when 0. */
static char *put_fraction(char *o, uint64_t frac, int width)
{
    if (frac == 0) return o;
    while (frac % 10 == 0) {
        frac /= 10;
        width--;
    }
    *o++ = '.';
    return put_digits(o, frac, width);
}

size_t fl_time_format_rfc3339(int64_t ns, char out[FL_TIME_BUF])
{
    int64_t frac, sod;
    int64_t sec = floor_div(ns, FL_NS_PER_SEC, &frac);
    int64_t days = floor_div(sec, 86400, &sod);
    int64_t y;
    unsigned m, d;
    fl_civil_from_days(days, &y, &m, &d);
    /* int64 ns spans years 1677-2262: always four digits. */
    char *o = out;
    o = put_digits(o, (uint64_t)y, 4);
    *o++ = '-';
    o = put_digits(o, m, 2);
    *o++ = '-';
    o = put_digits(o, d, 2);
    *o++ = 'T';
    o = put_digits(o, (uint64_t)(sod / 3600), 2);
    *o++ = ':';
    o = put_digits(o, (uint64_t)(sod / 60 % 60), 2);
    *o++ = ':';
    o = put_digits(o, (uint64_t)(sod % 60), 2);
    o = put_fraction(o, (uint64_t)frac, 9);
    *o++ = 'Z';
    *o = '\0';
    return (size_t)(o - out);
}

/* ---- durations ---- */

struct unit {
    const char *name;
    unsigned char len;
    int64_t ns;
};

static const struct unit units[] = {
    {"ns", 2, 1},
    {"us", 2, FL_NS_PER_US},
    {"\xC2\xB5s", 3, FL_NS_PER_US}, /* U+00B5 MICRO SIGN */
    {"\xCE\xBCs", 3, FL_NS_PER_US}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 2, FL_NS_PER_MS},
    {"s", 1, FL_NS_PER_SEC},
    {"m", 1, 60 * FL_NS_PER_SEC},
    {"h", 1, 3600 * FL_NS_PER_SEC},
    {"d", 1, 86400 * FL_NS_PER_SEC},
};

/* Unit spelled by exactly [p, e); 0 when none is. */
static int64_t unit_ns(const char *p, const char *e)
{
    size_t n = (size_t)(e - p);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (units[i].len != n) continue;
        size_t k = 0;
        while (k < n && p[k] == units[i].name[k])
            k++;
        if (k == n) return units[i].ns;
    }
    return 0;
}

/* floor(0.<digits in [p, e)> * unit), exact for any number of digits: folding the digits in
 * from the last, w = floor((digit * unit + w) / 10) loses nothing because digit * unit is an
 * integer. w stays below unit, so nothing overflows. */
static int64_t fraction_of_unit(const char *p, const char *e, int64_t unit)
{
    int64_t w = 0;
    while (e > p) {
        e--;
        w = ((*e - '0') * unit + w) / 10;
    }
    return w;
}

/* One "<int>[.<frac>]<unit>" element at *pp; adds its value to *total. */
static int parse_element(const char **pp, const char *end, int64_t *total, bool *plain)
{
    const char *p = *pp;
    int64_t whole = 0;
    bool overflow = false;
    const char *int_start = p;
    for (; p < end && is_digit(*p); p++) {
        int dig = *p - '0';
        if (whole > (INT64_MAX - dig) / 10)
            overflow = true; /* keep scanning: a bad unit still reports FL_EPARSE */
        else
            whole = whole * 10 + dig;
    }
    bool has_int = p > int_start;
    const char *frac_start = p, *frac_end = p;
    bool has_dot = p < end && *p == '.';
    if (has_dot) {
        frac_start = ++p;
        while (p < end && is_digit(*p))
            p++;
        frac_end = p;
    }
    if (!has_int && frac_end == frac_start) return FL_EPARSE; /* no digits at all: "", ".", ".s" */
    const char *unit_start = p;
    while (p < end && !is_digit(*p) && *p != '.')
        p++;
    *plain = false;
    if (p == unit_start) {
        /* No unit: a plain integer means seconds, if it is the whole input (the caller
         * checks nothing came before it). */
        if (has_dot || p != end) return FL_EPARSE;
        *plain = true;
    }
    int64_t unit = *plain ? FL_NS_PER_SEC : unit_ns(unit_start, p);
    if (unit == 0) return FL_EPARSE;
    int64_t v;
    if (overflow || !mul_nonneg_i64(whole, unit, &v) ||
        !add_i64(v, fraction_of_unit(frac_start, frac_end, unit), &v) || !add_i64(*total, v, total))
        return FL_ERANGE;
    *pp = p;
    return 0;
}

int fl_duration_parse(const char *p, const char *end, int64_t *out_ns)
{
    if (!p || !end || end <= p) return FL_EPARSE;
    bool negative = false;
    if (*p == '+' || *p == '-') {
        negative = *p == '-';
        p++;
    }
    if (p == end) return FL_EPARSE;
    const char *body = p;
    int64_t total = 0;
    while (p < end) {
        bool plain;
        const char *elem = p;
        int rc = parse_element(&p, end, &total, &plain);
        if (rc) return rc;
        if (plain && elem != body) return FL_EPARSE;
    }
    if (negative) return FL_ERANGE; /* durations are non-negative; "-0s" included */
    *out_ns = total;
    return 0;
}

/* Rule (deterministic, exact, and parsed back by fl_duration_parse):
 *   - 0 is "0s".
 *   - Under one second: one unit, the largest of ms / us / ns whose value is >= 1, with the
 *     rest as a trimmed decimal fraction: "250ms", "1.5us", "1.000001ms", "7ns". ASCII "us",
 *     not "µs", so the output is plain ASCII.
 *   - One second or more: hours, minutes, seconds, each omitted when zero; the seconds carry
 *     the sub-second part as a trimmed fraction: "10m", "1h30m", "1h5s", "1.5s", "1h0.5s",
 *     "25h" (no days: hours never roll over).
 *   - Negative: "-" then the magnitude (INT64_MIN included), though the parser rejects it. */
size_t fl_duration_format(int64_t ns, char out[FL_TIME_BUF])
{
    char *o = out;
    uint64_t v = (uint64_t)ns;
    if (ns < 0) {
        *o++ = '-';
        v = 0 - v;
    }
    const uint64_t sec = (uint64_t)FL_NS_PER_SEC, ms = (uint64_t)FL_NS_PER_MS;
    const uint64_t us = (uint64_t)FL_NS_PER_US;
    if (v == 0) {
        *o++ = '0';
        *o++ = 's';
    } else if (v < us) {
        o = put_uint(o, v);
        *o++ = 'n';
        *o++ = 's';
    } else if (v < ms) {
        o = put_uint(o, v / us);
        o = put_fraction(o, v % us, 3);
        *o++ = 'u';
        *o++ = 's';
    } else if (v < sec) {
        o = put_uint(o, v / ms);
        o = put_fraction(o, v % ms, 6);
        *o++ = 'm';
        *o++ = 's';
    } else {
        uint64_t s = v / sec, frac = v % sec;
        if (s >= 3600) {
            o = put_uint(o, s / 3600);
            *o++ = 'h';
        }
        if (s / 60 % 60) {
            o = put_uint(o, s / 60 % 60);
            *o++ = 'm';
        }
        if (s % 60 || frac) {
            o = put_uint(o, s % 60);
            o = put_fraction(o, frac, 9);
            *o++ = 's';
        }
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* ---- boot-relative clocks ---- */

/* Also false when boot_ns + rel_ns leaves int64 or lands on FL_TIME_NONE. */
bool fl_boot_clock_to_wall(const struct fl_boot_clock *c, int64_t rel_ns, int64_t *wall)
{
    int64_t w;
    if (!c || c->boot_ns == FL_TIME_NONE || rel_ns == FL_TIME_NONE ||
        !add_i64(c->boot_ns, rel_ns, &w) || w == FL_TIME_NONE)
        return false;
    *wall = w;
    return true;
}

/* The latest pair wins. A pair holding FL_TIME_NONE, or whose difference leaves int64, teaches
 * nothing and leaves c as it was. */
void fl_boot_clock_learn(struct fl_boot_clock *c, int64_t wall_ns, int64_t rel_ns, const char *how)
{
    int64_t boot;
    if (!c || wall_ns == FL_TIME_NONE || rel_ns == FL_TIME_NONE ||
        !add_i64(wall_ns, -rel_ns, &boot) || boot == FL_TIME_NONE)
        return;
    c->boot_ns = boot;
    c->how = how;
}
