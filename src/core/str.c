/* String views, bounded scanners, hashing and interning; see str.h for the contract.
 *
 * Every function here reads only inside [ptr, ptr + len) or [p, end). No pointer arithmetic is
 * done on a NULL view (ptr == NULL is only legal with len == 0), and no libc routine that needs
 * a NUL terminator is handed caller memory: the one place that calls strtod gives it a private,
 * NUL-terminated stack copy whose syntax was checked first.
 */
#include "faultline/str.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"

/* ---- views ---- */

struct fl_str fl_str_from_cstr(const char *s)
{
    if (!s)
        return FL_STR_NULL;
    return fl_str_make(s, strlen(s));
}

bool fl_str_eq(struct fl_str a, struct fl_str b)
{
    if (a.len != b.len)
        return false;
    return a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0;
}

bool fl_str_eq_cstr(struct fl_str a, const char *b)
{
    return fl_str_eq(a, fl_str_from_cstr(b)); /* NULL b is the empty string */
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

bool fl_str_eq_nocase(struct fl_str a, struct fl_str b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        if (ascii_lower((unsigned char)a.ptr[i]) != ascii_lower((unsigned char)b.ptr[i]))
            return false;
    }
    return true;
}

bool fl_str_starts_with(struct fl_str s, const char *prefix)
{
    struct fl_str p = fl_str_from_cstr(prefix);
    if (p.len > s.len)
        return false;
    return p.len == 0 || memcmp(s.ptr, p.ptr, p.len) == 0;
}

bool fl_str_ends_with(struct fl_str s, const char *suffix)
{
    struct fl_str x = fl_str_from_cstr(suffix);
    if (x.len > s.len)
        return false;
    return x.len == 0 || memcmp(s.ptr + (s.len - x.len), x.ptr, x.len) == 0;
}

int fl_str_cmp(struct fl_str a, struct fl_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (a.len == b.len)
        return 0;
    return a.len < b.len ? -1 : 1;
}

static bool is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

struct fl_str fl_str_trim(struct fl_str s)
{
    size_t b = 0, e = s.len;
    while (b < e && is_ascii_space(s.ptr[b]))
        b++;
    while (e > b && is_ascii_space(s.ptr[e - 1]))
        e--;
    if (b == e)
        return fl_str_make(s.ptr, 0); /* keep the position; no arithmetic on NULL */
    return fl_str_make(s.ptr + b, e - b);
}

struct fl_str fl_str_sub(struct fl_str s, size_t off, size_t len)
{
    if (!s.ptr)
        return FL_STR_NULL;
    if (off > s.len)
        off = s.len;
    if (len > s.len - off)
        len = s.len - off;
    return fl_str_make(s.ptr + off, len);
}

/* memchr for the first byte, memcmp for the rest: portable (memmem is a GNU extension) and
 * fast for the short needles parsers look for; worst case O(hay * needle). */
const char *fl_memmem(const char *hay, const char *end, const char *needle, size_t nlen)
{
    size_t hlen = (hay && end > hay) ? (size_t)(end - hay) : 0;
    if (nlen == 0)
        return hay;
    if (hlen < nlen)
        return NULL;
    const char *last = hay + (hlen - nlen); /* last possible start */
    const char *p = hay;
    while (p <= last) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p + 1, needle + 1, nlen - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

ptrdiff_t fl_str_find(struct fl_str hay, struct fl_str needle)
{
    if (needle.len == 0)
        return 0;
    if (needle.len > hay.len)
        return -1;
    const char *hit = fl_memmem(hay.ptr, hay.ptr + hay.len, needle.ptr, needle.len);
    return hit ? hit - hay.ptr : -1;
}

/* ---- scanners ---- */

bool fl_scan_lit(struct fl_scan *s, const char *lit)
{
    size_t n = lit ? strlen(lit) : 0;
    if (n == 0)
        return true;
    if (fl_scan_left(s) < n || memcmp(s->p, lit, n) != 0)
        return false;
    s->p += n;
    return true;
}

bool fl_scan_char(struct fl_scan *s, char c)
{
    if (fl_scan_eof(s) || *s->p != c)
        return false;
    s->p++;
    return true;
}

void fl_scan_skip_ws(struct fl_scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
        s->p++;
}

bool fl_scan_until(struct fl_scan *s, char c, struct fl_str *out)
{
    if (fl_scan_eof(s))
        return false;
    const char *hit = memchr(s->p, (unsigned char)c, fl_scan_left(s));
    if (!hit)
        return false;
    *out = fl_str_make(s->p, (size_t)(hit - s->p));
    s->p = hit;
    return true;
}

bool fl_scan_line(struct fl_scan *s, struct fl_str *line)
{
    if (fl_scan_eof(s))
        return false;
    const char *start = s->p;
    const char *lf = memchr(start, '\n', fl_scan_left(s));
    if (!lf) {
        /* final line without a terminator: kept as is (a lone trailing CR stays) */
        *line = fl_str_make(start, fl_scan_left(s));
        s->p = s->end;
        return true;
    }
    size_t n = (size_t)(lf - start);
    if (n > 0 && start[n - 1] == '\r')
        n--;
    *line = fl_str_make(start, n);
    s->p = lf + 1;
    return true;
}

/* Digits from p (already past any sign) into *out; returns the end of the digits, or NULL on
 * no digit or when the value exceeds max. */
static const char *scan_dec(const char *p, const char *end, uint64_t max, uint64_t *out)
{
    const char *q = p;
    uint64_t v = 0;
    while (q < end && *q >= '0' && *q <= '9') {
        uint64_t d = (uint64_t)(*q - '0');
        if (v > (max - d) / 10)
            return NULL;
        v = v * 10 + d;
        q++;
    }
    if (q == p)
        return NULL;
    *out = v;
    return q;
}

bool fl_scan_u64(struct fl_scan *s, uint64_t *out)
{
    uint64_t v;
    const char *q = scan_dec(s->p, s->end, UINT64_MAX, &v);
    if (!q)
        return false;
    *out = v;
    s->p = q;
    return true;
}

bool fl_scan_i64(struct fl_scan *s, int64_t *out)
{
    const char *p = s->p;
    bool neg = false;
    if (p < s->end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag;
    const char *q = scan_dec(p, s->end, max, &mag);
    if (!q)
        return false;
    if (!neg)
        *out = (int64_t)mag;
    else if (mag == (uint64_t)INT64_MAX + 1)
        *out = INT64_MIN;
    else
        *out = -(int64_t)mag;
    s->p = q;
    return true;
}

int fl_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool fl_scan_hex_u64(struct fl_scan *s, uint64_t *out)
{
    const char *q = s->p;
    uint64_t v = 0;
    int d;
    while (q < s->end && (d = fl_hex_digit(*q)) >= 0) {
        if (v >> 60)
            return false;
        v = (v << 4) | (uint64_t)d;
        q++;
    }
    if (q == s->p)
        return false;
    *out = v;
    s->p = q;
    return true;
}

bool fl_str_to_u64(struct fl_str s, uint64_t *out)
{
    if (s.len == 0)
        return false;
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    uint64_t v;
    if (!fl_scan_u64(&sc, &v) || !fl_scan_eof(&sc))
        return false;
    *out = v;
    return true;
}

bool fl_str_to_i64(struct fl_str s, int64_t *out)
{
    if (s.len == 0)
        return false;
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    int64_t v;
    if (!fl_scan_i64(&sc, &v) || !fl_scan_eof(&sc))
        return false;
    *out = v;
    return true;
}

/* ---- doubles ---- */

/* Longest literal fl_str_to_double accepts; longer input is rejected, not truncated. */
#define FL_DOUBLE_MAX_LEN 350

static size_t skip_digits(const char *p, size_t i, size_t n)
{
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    return i;
}

/* [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits], nothing else. */
static bool is_decimal_syntax(const char *p, size_t n)
{
    size_t i = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
    size_t int_start = i;
    i = skip_digits(p, i, n);
    size_t int_digits = i - int_start;
    size_t frac_digits = 0;
    if (i < n && p[i] == '.') {
        i++;
        size_t frac_start = i;
        i = skip_digits(p, i, n);
        frac_digits = i - frac_start;
    }
    if (int_digits == 0 && frac_digits == 0)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t exp_start = i;
        i = skip_digits(p, i, n);
        if (i == exp_start)
            return false;
    }
    return i == n;
}

/* "NaN", "Inf", "Infinity" in any case; the infinities may carry a sign (Prometheus writes
 * "NaN", "+Inf", "-Inf"). */
static bool parse_special(struct fl_str s, double *out)
{
    if (fl_str_eq_nocase(s, FL_STR_LIT("nan"))) {
        *out = NAN;
        return true;
    }
    double sign = 1.0;
    struct fl_str body = s;
    if (s.len > 0 && (s.ptr[0] == '+' || s.ptr[0] == '-')) {
        sign = s.ptr[0] == '-' ? -1.0 : 1.0;
        body = fl_str_sub(s, 1, s.len - 1);
    }
    if (fl_str_eq_nocase(body, FL_STR_LIT("inf")) ||
        fl_str_eq_nocase(body, FL_STR_LIT("infinity"))) {
        *out = sign * INFINITY;
        return true;
    }
    return false;
}

/* The syntax is checked here, with bounds, so strtod only ever sees a private NUL-terminated
 * copy of a plain decimal literal (no hex floats, no "nan(...)", no leading spaces) and does
 * the correctly rounded conversion. strtod reads the locale's decimal point; faultline never
 * changes LC_NUMERIC, and if an embedding program does, the end-pointer check below turns
 * "1.5" into a failure rather than a wrong value.
 *
 * Overflow ("1e400") fails: only the Inf spellings produce an infinity. Underflow ("1e-400")
 * succeeds with the rounded result (a subnormal or zero of the right sign). */
bool fl_str_to_double(struct fl_str s, double *out)
{
    if (s.len == 0 || s.len > FL_DOUBLE_MAX_LEN)
        return false;
    if (parse_special(s, out))
        return true;
    if (!is_decimal_syntax(s.ptr, s.len))
        return false;
    char buf[FL_DOUBLE_MAX_LEN + 1];
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    char *endp = NULL;
    int saved = errno;
    errno = 0;
    double v = strtod(buf, &endp);
    int err = errno;
    errno = saved;
    if (endp != buf + s.len)
        return false;
    if (err == ERANGE && isinf(v))
        return false;
    *out = v;
    return true;
}

/* ---- hashing ---- */

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x00000100000001b3ULL

static uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Byte at a time: no word loads, so no alignment or endianness dependence. */
uint64_t fl_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = FNV64_OFFSET ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV64_PRIME;
    }
    return fmix64(h);
}

/* One FNV-1a byte loop is a chain of dependent multiplies, about four cycles a byte; four
 * inputs hashed side by side keep the multiplier busy every cycle. Lanes run in step for as
 * many bytes as the shortest has left; a lane that finishes takes the next input. With fewer
 * than four inputs left, the idle lanes shadow lane 0 and their results are dropped. */
void fl__hash64_many_scalar(const void *const *data, const size_t *len, uint64_t *seed, size_t n)
{
    const unsigned char *p[4];
    size_t left[4], who[4], next = 0;
    uint64_t h[4];
    int live = 0; /* lanes holding an input; the others shadow lane 0 */
    for (;;) {
        while (live < 4 && next < n) {
            p[live] = data[next];
            left[live] = len[next];
            h[live] = FNV64_OFFSET ^ seed[next];
            who[live++] = next++;
        }
        if (live == 0)
            return;
        size_t m = SIZE_MAX;
        for (int l = 0; l < live; l++)
            m = left[l] < m ? left[l] : m;
        for (int l = live; l < 4; l++) {
            p[l] = p[0];
            h[l] = h[0];
        }
        uint64_t h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3];
        const unsigned char *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3];
        for (size_t i = 0; i < m; i++) {
            h0 = (h0 ^ p0[i]) * FNV64_PRIME;
            h1 = (h1 ^ p1[i]) * FNV64_PRIME;
            h2 = (h2 ^ p2[i]) * FNV64_PRIME;
            h3 = (h3 ^ p3[i]) * FNV64_PRIME;
        }
        h[0] = h0;
        h[1] = h1;
        h[2] = h2;
        h[3] = h3;
        for (int l = 0; l < live;) {
            p[l] = m ? p[l] + m : p[l]; /* no arithmetic on a NULL view */
            left[l] -= m;
            if (left[l]) {
                l++;
                continue;
            }
            seed[who[l]] = fmix64(h[l]);
            live--;
            p[l] = p[live];
            left[l] = left[live];
            h[l] = h[live];
            who[l] = who[live];
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Sixteen hashes side by side in two AVX-512 registers (vpmullq multiplies eight 64-bit lanes
 * at once): each step gathers eight bytes of every lane and runs them through the same
 * xor-multiply as the scalar loop, low byte first (x86 is little-endian). A lane with fewer
 * than eight bytes left finishes alone and hands its place to the next input; idle lanes read
 * a zero word and do not advance. Four bytes a cycle where the scalar loops do one. */
#define HASH_LANES 16
__attribute__((target("avx512f,avx512dq"))) static void
hash_many_avx512(const void *const *data, const size_t *len, uint64_t *seed, size_t n)
{
    static const uint64_t idle_word = 0;
    const unsigned char *p[HASH_LANES];
    size_t left[HASH_LANES], who[HASH_LANES], next = 0;
    uint64_t h[HASH_LANES];
    int live = 0;
    for (;;) {
        /* fill the lanes; finish (alone) every input shorter than a step */
        for (;;) {
            while (live < HASH_LANES && next < n) {
                p[live] = data[next];
                left[live] = len[next];
                h[live] = FNV64_OFFSET ^ seed[next];
                who[live++] = next++;
            }
            bool retired = false;
            for (int l = 0; l < live;) {
                if (left[l] >= 8) {
                    l++;
                    continue;
                }
                uint64_t x = h[l];
                for (size_t k = 0; k < left[l]; k++)
                    x = (x ^ p[l][k]) * FNV64_PRIME;
                seed[who[l]] = fmix64(x);
                live--;
                p[l] = p[live];
                left[l] = left[live];
                h[l] = h[live];
                who[l] = who[live];
                retired = true;
            }
            if (!retired || next >= n)
                break;
        }
        if (live == 0)
            return;
        size_t steps = SIZE_MAX;
        for (int l = 0; l < live; l++)
            steps = left[l] / 8 < steps ? left[l] / 8 : steps;
        uint64_t addr[HASH_LANES], inc[HASH_LANES];
        for (int l = 0; l < HASH_LANES; l++) {
            addr[l] = l < live ? (uint64_t)(uintptr_t)p[l] : (uint64_t)(uintptr_t)&idle_word;
            inc[l] = l < live ? 8 : 0;
        }
        __m512i a0 = _mm512_loadu_si512(addr), a1 = _mm512_loadu_si512(addr + 8);
        __m512i i0 = _mm512_loadu_si512(inc), i1 = _mm512_loadu_si512(inc + 8);
        __m512i h0 = _mm512_loadu_si512(h), h1 = _mm512_loadu_si512(h + 8);
        const __m512i prime = _mm512_set1_epi64((long long)FNV64_PRIME);
        const __m512i low = _mm512_set1_epi64(0xff);
        for (size_t st = 0; st < steps; st++) {
            __m512i w0 = _mm512_i64gather_epi64(a0, NULL, 1);
            __m512i w1 = _mm512_i64gather_epi64(a1, NULL, 1);
            for (int b = 0; b < 8; b++) {
                h0 = _mm512_mullo_epi64(_mm512_xor_si512(h0, _mm512_and_si512(w0, low)), prime);
                h1 = _mm512_mullo_epi64(_mm512_xor_si512(h1, _mm512_and_si512(w1, low)), prime);
                w0 = _mm512_srli_epi64(w0, 8);
                w1 = _mm512_srli_epi64(w1, 8);
            }
            a0 = _mm512_add_epi64(a0, i0);
            a1 = _mm512_add_epi64(a1, i1);
        }
        _mm512_storeu_si512(h, h0);
        _mm512_storeu_si512(h + 8, h1);
        for (int l = 0; l < live; l++) {
            p[l] += 8 * steps;
            left[l] -= 8 * steps;
        }
    }
}

static bool have_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#endif

void fl_hash64_many(const void *const *data, const size_t *len, uint64_t *seed, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (n >= 8 && have_avx512()) {
        hash_many_avx512(data, len, seed, n);
        return;
    }
#endif
    fl__hash64_many_scalar(data, len, seed, n);
}

void fl_hex64(uint64_t v, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = digits[v & 0xf];
        v >>= 4;
    }
    out[16] = '\0';
}

/* ---- intern table ---- */

#define INTERN_MIN_SLOTS 16u
#define INTERN_MIN_IDS 16u
#define INTERN_MAX_SLOTS (1u << 31)               /* largest power of two in uint32_t */
#define INTERN_MAX_IDS (INTERN_MAX_SLOTS / 2 - 1) /* 50% load, ids start at 1 */

void fl_intern_init(struct fl_intern *t)
{
    memset(t, 0, sizeof *t);
    fl_arena_init(&t->arena, 0, 0);
}

void fl_intern_release(struct fl_intern *t)
{
    fl_free(t->slots);
    fl_free(t->hashes);
    fl_free(t->strs);
    fl_arena_release(&t->arena);
    fl_intern_init(t);
}

static uint64_t hash_str(struct fl_str s)
{
    return fl_hash64(s.ptr, s.len, FL_HASH_SEED);
}

/* Slot holding s, or the empty slot where it would go. Needs nslots > count. */
static uint32_t probe(const struct fl_intern *t, struct fl_str s, uint64_t h)
{
    uint32_t mask = t->nslots - 1;
    uint32_t i = (uint32_t)h & mask;
    for (;;) {
        uint32_t id = t->slots[i];
        if (id == 0 || (t->hashes[id] == h && fl_str_eq(t->strs[id], s)))
            return i;
        i = (i + 1) & mask;
    }
}

/* Double the slot array (rehashing from the stored hashes). On failure nothing changes. */
static bool grow_slots(struct fl_intern *t)
{
    uint32_t n = t->nslots ? t->nslots * 2 : INTERN_MIN_SLOTS;
    uint32_t *slots = fl_calloc(n, sizeof *slots);
    if (!slots)
        return false;
    uint32_t mask = n - 1;
    for (uint32_t id = 1; id <= t->count; id++) {
        uint32_t i = (uint32_t)t->hashes[id] & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = id;
    }
    fl_free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
}

/* Double strs/hashes. cap_ids only moves once both arrays are large enough, so a failure
 * halfway leaves one array larger than recorded, which is harmless. */
static bool grow_ids(struct fl_intern *t)
{
    uint32_t n = t->cap_ids ? t->cap_ids * 2 : INTERN_MIN_IDS;
#if SIZE_MAX <= UINT32_MAX
    if (n > SIZE_MAX / sizeof(struct fl_str))
        return false;
#endif
    struct fl_str *strs = fl_realloc(t->strs, (size_t)n * sizeof *strs);
    if (!strs)
        return false;
    t->strs = strs;
    uint64_t *hashes = fl_realloc(t->hashes, (size_t)n * sizeof *hashes);
    if (!hashes)
        return false;
    t->hashes = hashes;
    if (t->cap_ids == 0) {
        t->strs[0] = FL_STR_NULL;
        t->hashes[0] = 0;
    }
    t->cap_ids = n;
    return true;
}

uint32_t fl_intern_put(struct fl_intern *t, struct fl_str s)
{
    if (s.len == 0)
        return 0;
    uint64_t h = hash_str(s);
    if (t->nslots) {
        uint32_t id = t->slots[probe(t, s, h)];
        if (id)
            return id;
    }
    if (t->count >= INTERN_MAX_IDS)
        return FL_INTERN_FAIL;
    /* Everything that can fail happens before the table changes what it maps. */
    if ((uint64_t)(t->count + 1) * 2 > t->nslots && !grow_slots(t))
        return FL_INTERN_FAIL;
    if (t->count + 1 >= t->cap_ids && !grow_ids(t))
        return FL_INTERN_FAIL;
    char *copy = fl_arena_strndup_copy(&t->arena, s.ptr, s.len);
    if (!copy)
        return FL_INTERN_FAIL;
    uint32_t slot = probe(t, s, h);
    uint32_t id = ++t->count;
    t->strs[id] = fl_str_make(copy, s.len);
    t->hashes[id] = h;
    t->slots[slot] = id;
    return id;
}

uint32_t fl_intern_get(const struct fl_intern *t, struct fl_str s)
{
    if (s.len == 0 || t->nslots == 0)
        return 0;
    return t->slots[probe(t, s, hash_str(s))];
}

struct fl_str fl_intern_str(const struct fl_intern *t, uint32_t id)
{
    if (id == 0 || id > t->count)
        return FL_STR_NULL;
    return t->strs[id];
}
