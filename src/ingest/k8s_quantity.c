/* Kubernetes resource.Quantity, read the way k8s.io/apimachinery/pkg/api/resource reads it:
 *
 *   <quantity>        ::= <signedNumber><suffix>
 *   <signedNumber>    ::= <number> | <sign><number>          <sign> ::= "+" | "-"
 *   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>   (an integer exponent)
 *
 * The value is mantissa * 10^exp10 * 2^exp2, kept in a uint64 mantissa of up to 19 significant
 * digits; digits past those only make the result round up. */
#include "ingest/k8s.h"

#include "faultline/err.h"

struct qty {
    uint64_t m;
    int64_t exp10;
    unsigned exp2;
    bool neg, inexact, binary;
};

static void add_digit(struct qty *q, unsigned d, bool fraction)
{
    if (q->m <= (UINT64_MAX - 9) / 10) {
        q->m = q->m * 10 + d;
        if (fraction)
            q->exp10--;
        return;
    }
    /* mantissa full: an integer digit still scales the value, a fraction digit does not */
    if (!fraction)
        q->exp10++;
    if (d)
        q->inexact = true;
}

static bool read_suffix(struct qty *q, const char *p, const char *end)
{
    size_t n = (size_t)(end - p);
    if (n == 0)
        return true;
    if (n == 2 && p[1] == 'i') {
        static const char bin[] = "KMGTPE";
        for (unsigned k = 0; k < 6; k++)
            if (p[0] == bin[k]) {
                q->exp2 = 10 * (k + 1);
                q->binary = true;
                return true;
            }
        return false;
    }
    if (n == 1) {
        static const struct {
            char c;
            int e;
        } dec[] = {{'n', -9}, {'u', -6}, {'m', -3}, {'k', 3}, {'M', 6},
                   {'G', 9},  {'T', 12}, {'P', 15}, {'E', 18}};
        for (size_t k = 0; k < sizeof dec / sizeof dec[0]; k++)
            if (p[0] == dec[k].c) {
                q->exp10 += dec[k].e;
                return true;
            }
        return false;
    }
    if (p[0] != 'e' && p[0] != 'E')
        return false;
    /* exponent: [+-]digits, bounded so the arithmetic below stays small */
    struct fl_scan s = fl_scan_make(p + 1, end);
    int64_t e;
    if (s.p < s.end && (*s.p == '+' || *s.p == '-') && s.end - s.p < 2)
        return false;
    if (!fl_scan_i64(&s, &e) || !fl_scan_eof(&s))
        return false;
    if (e > 100000 || e < -100000)
        e = e > 0 ? 100000 : -100000;
    q->exp10 += e;
    return true;
}

int fl__k8s_quantity(struct fl_str str, int scale, int64_t *out)
{
    const char *p = str.ptr, *end = str.ptr + str.len;
    struct qty q = {0};
    if (p < end && (*p == '+' || *p == '-')) {
        q.neg = *p == '-';
        p++;
    }
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; p++, any = true)
        add_digit(&q, (unsigned)(*p - '0'), false);
    if (p < end && *p == '.') {
        p++;
        for (; p < end && *p >= '0' && *p <= '9'; p++, any = true)
            add_digit(&q, (unsigned)(*p - '0'), true);
    }
    if (!any || !read_suffix(&q, p, end))
        return FL_EPARSE;
    if (q.m == 0) {
        *out = 0;
        return 0;
    }
    /* magnitude at the wanted scale, rounded up */
    uint64_t v = q.m;
    bool over = false, rem = q.inexact;
    if (q.exp2 && v > (UINT64_MAX >> q.exp2))
        over = true;
    else
        v <<= q.exp2;
    int64_t e = q.exp10 + scale;
    for (; !over && e > 0; e--) {
        if (v > UINT64_MAX / 10)
            over = true;
        else
            v *= 10;
    }
    for (; !over && e < 0 && v; e++) {
        rem |= v % 10 != 0;
        v /= 10;
    }
    if (!over && rem)
        v++; /* also gives 1 for a positive value that scaled below one unit */
    if (over || v > (uint64_t)INT64_MAX) {
        if (!q.binary)
            return FL_ERANGE;
        v = (uint64_t)INT64_MAX;
    }
    *out = q.neg ? -(int64_t)v : (int64_t)v;
    return 0;
}
