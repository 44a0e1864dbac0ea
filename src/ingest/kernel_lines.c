/* The GPU line families of kernel logs (see kernel_lines.h for the contract and
 * docs/formats/kernel-log.md for the grammar of each family). */
#include "ingest/kernel_lines.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FL_KL_AVX2 1
#endif

#include "faultline/catalog.h"
#include "faultline/time.h"

/* Windows that decide when a multi-line record has ended. */
#define AER_MAX_GAP_NS (2 * FL_NS_PER_SEC)
#define AER_MAX_GAP_MSGS 64u
#define SXID_MAX_GAP_NS (5 * FL_NS_PER_SEC)
#define SXID_MAX_GAP_MSGS 512u
#define SXID_TEXT_CAP 4096u
#define FALLEN_WINDOW_NS (10 * FL_NS_PER_SEC)
#define FALLEN_WINDOW_MSGS 64u
#define NAMED_GPU_MSGS 4u

/* ---- small scanners over views ------------------------------------------------------ */

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool starts(struct fl_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len >= n && memcmp(s.ptr, lit, n) == 0;
}

static struct fl_str after(struct fl_str s, size_t n)
{
    return n >= s.len ? fl_str_make(s.ptr + s.len, 0) : fl_str_make(s.ptr + n, s.len - n);
}

static struct fl_str ltrim(struct fl_str s)
{
    while (s.len && is_space(*s.ptr)) {
        s.ptr++;
        s.len--;
    }
    return s;
}

static struct fl_str rtrim(struct fl_str s)
{
    while (s.len && (is_space(s.ptr[s.len - 1]) || s.ptr[s.len - 1] == '\r'))
        s.len--;
    return s;
}

static ptrdiff_t find(struct fl_str s, const char *lit)
{
    return fl_str_find(s, fl_str_make(lit, strlen(lit)));
}

/* Decimal number at the start of s (no sign); false when none or overflow. */
static bool lead_u64(struct fl_str *s, uint64_t *out)
{
    struct fl_scan sc = fl_scan_make(s->ptr, s->ptr + s->len);
    if (!fl_scan_u64(&sc, out))
        return false;
    *s = fl_str_make(sc.p, (size_t)(sc.end - sc.p));
    return true;
}

static bool lead_hex32(struct fl_str *s, uint32_t *out)
{
    if (starts(*s, "0x") || starts(*s, "0X"))
        *s = after(*s, 2);
    struct fl_scan sc = fl_scan_make(s->ptr, s->ptr + s->len);
    uint64_t v;
    if (!fl_scan_hex_u64(&sc, &v) || v > 0xffffffffu)
        return false;
    *out = (uint32_t)v;
    *s = fl_str_make(sc.p, (size_t)(sc.end - sc.p));
    return true;
}

/* "dddd:bb:dd.f" exactly at p (the kernel's dev_name of a PCI device). */
static bool bdf_at(const char *p, const char *end)
{
    static const char shape[] = "hhhh:hh:hh.h";
    if (end - p < 12)
        return false;
    for (int i = 0; i < 12; i++) {
        if (shape[i] == 'h' ? !is_hex(p[i]) : p[i] != shape[i])
            return false;
    }
    return true;
}

/* ---- the needle prefilter ---------------------------------------------------------- */

static bool lit_at(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Is one of the needles at p? Called only where a bigram matched. */
static bool needle_at(const char *p, const char *end)
{
    switch (*p) {
    case 'N':
        return lit_at(p, end, "NVRM", 4) || lit_at(p, end, "NVLink", 6) ||
               lit_at(p, end, "NVLINK", 6);
    case 'X':
        return lit_at(p, end, "Xid", 3);
    case 'A':
        return lit_at(p, end, "AER", 3);
    case 'B':
        return lit_at(p, end, "Bus Error", 9);
    default:
        return false;
    }
}

static bool bigram(char a, char b)
{
    switch (a) {
    case 'N':
        return b == 'V';
    case 'X':
        return b == 'i';
    case 'A':
        return b == 'E';
    case 'B':
        return b == 'u';
    default:
        return false;
    }
}

/* Four bigrams ("NV", "Xi", "AE", "Bu") compared 64 bytes at a time, then the needle
 * verified where one matched. The lines that follow an AER "PCIe Bus Error" line need no
 * needle of their own: the container feeds every line while a report is open. */
#if defined(__SSE2__)
static inline __m128i bigram_mask(const char *p)
{
    const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
    __m128i m =
        _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('N')), _mm_cmpeq_epi8(b, _mm_set1_epi8('V')));
    m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('X')),
                                      _mm_cmpeq_epi8(b, _mm_set1_epi8('i'))));
    m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('A')),
                                      _mm_cmpeq_epi8(b, _mm_set1_epi8('E'))));
    m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('B')),
                                      _mm_cmpeq_epi8(b, _mm_set1_epi8('u'))));
    return m;
}
#endif

const char *fl_kl_scan(const char *p, const char *end)
{
#if defined(__SSE2__)
    while (end - p >= 65) {
        __m128i m0 = bigram_mask(p), m1 = bigram_mask(p + 16);
        __m128i m2 = bigram_mask(p + 32), m3 = bigram_mask(p + 48);
        __m128i any = _mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3));
        if (_mm_movemask_epi8(any)) {
            uint64_t bits = (uint64_t)(unsigned)_mm_movemask_epi8(m0) |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m1) << 16 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m2) << 32 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m3) << 48;
            while (bits) {
                unsigned i = (unsigned)__builtin_ctzll(bits);
                if (needle_at(p + i, end))
                    return p + i;
                bits &= bits - 1;
            }
        }
        p += 64;
    }
    while (end - p >= 17) {
        unsigned bits = (unsigned)_mm_movemask_epi8(bigram_mask(p));
        while (bits) {
            unsigned i = (unsigned)__builtin_ctz(bits);
            if (needle_at(p + i, end))
                return p + i;
            bits &= bits - 1;
        }
        p += 16;
    }
#endif
    for (; p + 1 < end; p++)
        if (bigram(p[0], p[1]) && needle_at(p, end))
            return p;
    return end;
}

#if defined(FL_KL_AVX2)
/* The same loop on 32-byte vectors, for CPUs that have AVX2 (chosen at run time). */
__attribute__((target("avx2"))) static inline uint64_t bigram_bits_avx2(const char *p)
{
    uint64_t out = 0;
    for (int h = 0; h < 2; h++) {
        const __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * h));
        const __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * h + 1));
        __m256i m = _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('N')),
                                     _mm256_cmpeq_epi8(b, _mm256_set1_epi8('V')));
        m = _mm256_or_si256(m, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('X')),
                                                _mm256_cmpeq_epi8(b, _mm256_set1_epi8('i'))));
        m = _mm256_or_si256(m, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('A')),
                                                _mm256_cmpeq_epi8(b, _mm256_set1_epi8('E'))));
        m = _mm256_or_si256(m, _mm256_and_si256(_mm256_cmpeq_epi8(a, _mm256_set1_epi8('B')),
                                                _mm256_cmpeq_epi8(b, _mm256_set1_epi8('u'))));
        out |= (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << (32 * h);
    }
    return out;
}

__attribute__((target("avx2"))) static inline uint64_t newline_bits_avx2(const char *p)
{
    const __m256i nl = _mm256_set1_epi8('\n');
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p), nl));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), nl));
    return lo | hi << 32;
}

/* Blocks of 64 bytes while at least 65 remain; returns where it stopped (a needle, or the
 * start of the tail), with the counts of the bytes it passed. */
__attribute__((target("avx2"))) static const char *scan_count_avx2(const char *p, const char *end,
                                                                   size_t max_line, size_t *n,
                                                                   const char **last,
                                                                   const char **found, bool *hit)
{
    *hit = false;
    while (end - p >= 65) {
        uint64_t bits = bigram_bits_avx2(p);
        uint64_t lines = newline_bits_avx2(p);
        unsigned stop = 64;
        while (bits) {
            unsigned i = (unsigned)__builtin_ctzll(bits);
            if (needle_at(p + i, end)) {
                stop = i;
                break;
            }
            bits &= bits - 1;
        }
        if (stop < 64)
            lines &= (1ull << stop) - 1;
        if (lines) {
            if (!*found && (size_t)(p + __builtin_ctzll(lines) - *last) > max_line)
                *found = *last;
            *n += (size_t)__builtin_popcountll(lines);
            *last = p + 64 - __builtin_clzll(lines);
        }
        if (stop < 64) {
            if (!*found && (size_t)(p + stop - *last) > max_line)
                *found = *last;
            *hit = true;
            return p + stop;
        }
        if (!lines && !*found && (size_t)(p + 64 - *last) > max_line)
            *found = *last;
        p += 64;
    }
    return p;
}

static bool have_avx2(void)
{
    /* parse tasks run on several threads (engine.c): every thread may fill the cache, with
     * the same value */
    static _Atomic int cached = -1;
    int c = atomic_load_explicit(&cached, memory_order_relaxed);
    if (c < 0) {
        c = __builtin_cpu_supports("avx2") ? 1 : 0;
        atomic_store_explicit(&cached, c, memory_order_relaxed);
    }
    return c == 1;
}
#endif

const char *fl_kl_scan_count(const char *p, const char *end, size_t max_line, size_t *nl,
                             const char **long_at)
{
#if defined(FL_KL_AVX2)
    if (have_avx2()) {
        size_t n = 0;
        const char *last = p, *found = NULL;
        bool hit;
        const char *q = scan_count_avx2(p, end, max_line, &n, &last, &found, &hit);
        if (hit) {
            *nl = n;
            *long_at = found;
            return q;
        }
        /* the tail: the portable loop, continuing the counts */
        const char *c = fl_kl_scan(q, end);
        const char *tail_long;
        n += fl_kl_lines(q, c, max_line, &tail_long);
        if (!found) {
            const char *first = memchr(q, '\n', (size_t)(c - q));
            if ((size_t)((first ? first : c) - last) > max_line)
                found = last;
            else
                found = tail_long;
        }
        *nl = n;
        *long_at = found;
        return c;
    }
#endif
    /* fl_kl_scan and fl_kl_lines in one pass over the bytes: the newlines before the
     * needle are counted from the same loads */
    size_t n = 0;
    const char *last = p, *found = NULL;
#if defined(__SSE2__)
    const __m128i cnl = _mm_set1_epi8('\n');
    while (end - p >= 65) {
        __m128i m0 = bigram_mask(p), m1 = bigram_mask(p + 16);
        __m128i m2 = bigram_mask(p + 32), m3 = bigram_mask(p + 48);
        uint64_t lines =
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), cnl)) |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), cnl))
                << 16 |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), cnl))
                << 32 |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), cnl))
                << 48;
        __m128i any = _mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3));
        unsigned stop = 64;
        if (_mm_movemask_epi8(any)) {
            uint64_t bits = (uint64_t)(unsigned)_mm_movemask_epi8(m0) |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m1) << 16 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m2) << 32 |
                            (uint64_t)(unsigned)_mm_movemask_epi8(m3) << 48;
            while (bits) {
                unsigned i = (unsigned)__builtin_ctzll(bits);
                if (needle_at(p + i, end)) {
                    stop = i;
                    break;
                }
                bits &= bits - 1;
            }
        }
        if (stop < 64)
            lines &= (1ull << stop) - 1;
        if (lines) {
            if (!found && (size_t)(p + __builtin_ctzll(lines) - last) > max_line)
                found = last;
            n += (size_t)__builtin_popcountll(lines);
            last = p + 64 - __builtin_clzll(lines);
        }
        if (stop < 64) {
            if (!found && (size_t)(p + stop - last) > max_line)
                found = last;
            *nl = n;
            *long_at = found;
            return p + stop;
        }
        if (!lines && !found && (size_t)(p + 64 - last) > max_line)
            found = last;
        p += 64;
    }
#endif
    const char *c = fl_kl_scan(p, end);
    const char *tail_long;
    n += fl_kl_lines(p, c, max_line, &tail_long);
    if (!found && (size_t)(p - last) + (size_t)(c - p) > max_line) {
        /* the line that crosses into the tail: measure it from its real start */
        const char *q = memchr(p, '\n', (size_t)(c - p));
        if ((size_t)((q ? q : c) - last) > max_line)
            found = last;
    }
    if (!found)
        found = tail_long;
    *nl = n;
    *long_at = found;
    return c;
}

size_t fl_kl_lines(const char *p, const char *end, size_t max_line, const char **long_at)
{
    /* newlines counted 64 bytes at a time; the first line longer than max_line is noted
     * (long_at: where it starts) so the caller can skip it by its number */
    size_t n = 0;
    const char *last = p; /* start of the current line */
    const char *found = NULL;
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    while (end - p >= 64) {
        uint64_t bits =
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), nl)) |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), nl))
                << 16 |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), nl))
                << 32 |
            (uint64_t)(unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), nl))
                << 48;
        if (bits) {
            if (!found && (size_t)(p + __builtin_ctzll(bits) - last) > max_line)
                found = last;
            n += (size_t)__builtin_popcountll(bits);
            last = p + 64 - __builtin_clzll(bits); /* just after the block's last newline */
        } else if (!found && (size_t)(p + 64 - last) > max_line) {
            found = last;
        }
        p += 64;
    }
#endif
    for (; p < end; p++)
        if (*p == '\n') {
            if (!found && (size_t)(p - last) > max_line)
                found = last;
            n++;
            last = p + 1;
        }
    if (!found && (size_t)(end - last) > max_line)
        found = last;
    if (long_at)
        *long_at = found;
    return n;
}

bool fl_kl_has_needle(const char *p, const char *end)
{
    return fl_kl_scan(p, end) < end;
}

/* ---- month names and zones --------------------------------------------------------- */

unsigned fl__kl_month(struct fl_str name)
{
    /* Abbreviations as glibc's %b writes them in the locales seen in bug reports, plus the
     * full English names. Compared case-insensitively, a trailing '.' dropped. */
    static const struct {
        const char *s;
        unsigned m;
    } names[] = {
        {"jan", 1},
        {"feb", 2},
        {"mar", 3},
        {"apr", 4},
        {"may", 5},
        {"jun", 6},
        {"jul", 7},
        {"aug", 8},
        {"sep", 9},
        {"sept", 9},
        {"oct", 10},
        {"nov", 11},
        {"dec", 12},
        {"january", 1},
        {"february", 2},
        {"march", 3},
        {"april", 4},
        {"june", 6},
        {"july", 7},
        {"august", 8},
        {"september", 9},
        {"october", 10},
        {"november", 11},
        {"december", 12},
        /* fr */
        {"janv", 1},
        {"f\xc3\xa9vr", 2},
        {"mars", 3},
        {"avr", 4},
        {"mai", 5},
        {"juin", 6},
        {"juil", 7},
        {"ao\xc3\xbbt", 8},
        {"d\xc3\xa9"
         "c",
         12},
        /* de */
        {"m\xc3\xa4r", 3},
        {"okt", 10},
        {"dez", 12},
        /* es / it / pt / nl */
        {"ene", 1},
        {"abr", 4},
        {"ago", 8},
        {"dic", 12},
        {"gen", 1},
        {"mag", 5},
        {"giu", 6},
        {"lug", 7},
        {"set", 9},
        {"ott", 10},
        {"fev", 2},
        {"out", 10},
        {"dez", 12},
        {"mrt", 3},
        {"mei", 5},
    };
    while (name.len && name.ptr[name.len - 1] == '.')
        name.len--;
    if (name.len < 3 || name.len > 9)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (fl_str_eq_nocase(name, fl_str_from_cstr(names[i].s)))
            return names[i].m;
    return 0;
}

bool fl__kl_zone(struct fl_str abbr, int32_t *off_sec)
{
    static const struct {
        const char *s;
        int32_t min;
    } zones[] = {
        {"UTC", 0},    {"GMT", 0},    {"Z", 0},       {"UCT", 0},     {"WET", 0},    {"WEST", 60},
        {"BST", 60},   {"CET", 60},   {"CEST", 120},  {"MET", 60},    {"MEST", 120}, {"EET", 120},
        {"EEST", 180}, {"MSK", 180},  {"JST", 540},   {"KST", 540},   {"HKT", 480},  {"SGT", 480},
        {"AWST", 480}, {"ACST", 570}, {"ACDT", 630},  {"AEST", 600},  {"AEDT", 660}, {"NZST", 720},
        {"NZDT", 780}, {"EST", -300}, {"EDT", -240},  {"CDT", -300},  {"MST", -420}, {"MDT", -360},
        {"PST", -480}, {"PDT", -420}, {"AKST", -540}, {"AKDT", -480}, {"HST", -600},
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (fl_str_eq_cstr(abbr, zones[i].s)) {
            *off_sec = zones[i].min * 60;
            return true;
        }
    return false;
}

/* ---- emitting ------------------------------------------------------------------------ */

static uint32_t intern(struct fl_kl *k, struct fl_str s)
{
    uint32_t id = fl_ingest_intern(k->ctx, s);
    if (id == FL_INTERN_FAIL) {
        k->err = FL_ENOMEM;
        return 0;
    }
    return id;
}

/* Interned normalized PCI address of s, 0 when s is not one. */
static uint32_t pci_id(struct fl_kl *k, struct fl_str s)
{
    char norm[13];
    if (!fl_pci_normalize(s, norm))
        return 0;
    return intern(k, fl_str_make(norm, 12));
}

static struct fl_kl_gpu *gpu_slot(struct fl_kl *k, uint32_t pci, bool add)
{
    for (size_t i = 0; i < k->ngpus; i++)
        if (k->gpus[i].pci == pci)
            return &k->gpus[i];
    if (!add || !pci)
        return NULL;
    if (k->ngpus == FL_KL_GPUS) {
        /* a node has at most a few dozen GPUs: recycle the oldest entry */
        memmove(&k->gpus[0], &k->gpus[1], (FL_KL_GPUS - 1) * sizeof k->gpus[0]);
        k->ngpus--;
    }
    struct fl_kl_gpu *g = &k->gpus[k->ngpus++];
    g->pci = pci;
    g->uuid = 0;
    g->xid79_ts = FL_TIME_NONE;
    g->xid79_clock = FL_CLOCK_NONE;
    g->xid79_seq = 0;
    return g;
}

static void base_event(struct fl_kl *k, struct fl_event *ev, enum fl_event_kind kind,
                       const struct fl_kmsg *m, uint32_t pci)
{
    fl_event_init(ev, kind);
    ev->ts = m->clock == FL_CLOCK_NONE ? FL_TIME_NONE : m->ts;
    ev->clock = m->clock;
    ev->node = m->node;
    ev->src.line = m->line;
    ev->src.offset = m->offset;
    ev->raw = m->raw;
    ev->gpu.pci = pci;
    const struct fl_kl_gpu *g = pci ? gpu_slot(k, pci, false) : NULL;
    ev->gpu.uuid = g ? g->uuid : 0;
}

static void emit(struct fl_kl *k, const struct fl_event *ev)
{
    if (k->err)
        return;
    int rc = fl_ingest_emit(k->ctx, ev);
    if (rc)
        k->err = rc;
    else
        k->emitted++;
}

static void emit_log(struct fl_kl *k, const struct fl_kmsg *m, uint32_t pci)
{
    struct fl_event ev;
    base_event(k, &ev, FL_EV_LOG, m, pci);
    ev.u.log.text = m->text;
    ev.u.log.level = m->level <= 7 ? m->level : 255;
    emit(k, &ev);
}

static void skip(struct fl_kl *k, const struct fl_kmsg *m, const char *why)
{
    if (k->err)
        return;
    if (fl_ingest_skip(k->ctx, m->line, m->line ? 0 : m->offset, why))
        k->err = FL_ENOMEM;
}

/* Has the stream moved past a record stamped (ts, clock) and fed at seq? */
static bool gone(const struct fl_kl *k, const struct fl_kmsg *m, int64_t ts, uint8_t clock,
                 uint64_t seq, int64_t max_ns, uint64_t max_msgs)
{
    if (k->seq - seq > max_msgs)
        return true;
    if (m && clock != FL_CLOCK_NONE && clock == m->clock && ts != FL_TIME_NONE) {
        int64_t d;
        if (__builtin_sub_overflow(m->ts, ts, &d))
            return true;
        return d > max_ns || d < -max_ns;
    }
    return false;
}

/* First "dddd:bb:dd[.f]" in s (word-bounded), normalized and interned; 0 when none. */
static uint32_t find_pci(struct fl_kl *k, struct fl_str s)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    for (const char *q = p; q + 10 <= end; q++) {
        q = memchr(q, ':', (size_t)(end - q));
        if (!q)
            break;
        const char *b = q - 4;
        if (b < p || (b > p && (is_hex(b[-1]) || b[-1] == ':')))
            continue;
        if (end - b < 10 || !is_hex(b[0]) || !is_hex(b[1]) || !is_hex(b[2]) || !is_hex(b[3]) ||
            !is_hex(b[5]) || !is_hex(b[6]) || b[7] != ':' || !is_hex(b[8]) || !is_hex(b[9]))
            continue;
        size_t n = 10;
        if (end - b >= 12 && b[10] == '.' && is_hex(b[11]))
            n = 12;
        if (b + n < end && is_hex(b[n]))
            continue;
        return pci_id(k, fl_str_make(b, n));
    }
    return 0;
}

/* ---- ECC text ----------------------------------------------------------------------- */

/* ECC kind named by an Xid (code > 0) or NVRM line's text; -1 when it names none. */
static int ecc_kind_of(uint32_t code, struct fl_str text)
{
    if (code == 94 && starts(text, "Contained"))
        return FL_ECC_CONTAINED;
    if (code == 95 && starts(text, "Uncontained"))
        return FL_ECC_UNCONTAINED;
    if (find(text, "Row Remapper") >= 0 || find(text, "row remap") >= 0 ||
        find(text, "Row remap") >= 0) {
        if (find(text, "ail") >= 0) /* "Failed", "failure" */
            return FL_ECC_REMAP_FAILURE;
        if (find(text, "marked for remapping") >= 0 || find(text, "New row") >= 0 ||
            find(text, "pending") >= 0)
            return FL_ECC_REMAP_PENDING;
        return code == 64 ? FL_ECC_REMAP_FAILURE : FL_ECC_REMAP_PENDING;
    }
    if (find(text, "Dynamic Page Retirement") >= 0 || find(text, "page retire") >= 0 ||
        find(text, "Page Retire") >= 0)
        return FL_ECC_RETIRED_PAGE;
    if (find(text, "double bit error") >= 0 || find(text, "(DBE)") >= 0 ||
        find(text, "uncorrectable ECC") >= 0 || find(text, "Uncorrectable ECC") >= 0 ||
        (code == 140 && find(text, "ECC") >= 0))
        return FL_ECC_DBE;
    if (code == 92 || find(text, "single bit error") >= 0 || find(text, "(SBE)") >= 0 ||
        find(text, "single-bit ECC") >= 0)
        return FL_ECC_SBE;
    return -1;
}

static void emit_ecc(struct fl_kl *k, const struct fl_kmsg *m, uint32_t pci, int kind,
                     struct fl_str text)
{
    struct fl_event ev;
    base_event(k, &ev, FL_EV_ECC, m, pci);
    ev.u.ecc.ecc_kind = (uint8_t)kind;
    ev.u.ecc.aggregate = false;
    ev.u.ecc.count = 1;
    ev.u.ecc.text = text;
    emit(k, &ev);
}

/* ---- fallen off the bus ------------------------------------------------------------- */

static void flush_fallen(struct fl_kl *k, struct fl_kl_fallen *f)
{
    if (!f->used)
        return;
    f->used = false;
    if (f->cancelled) {
        emit_log(k, &f->m, f->gpu);
        return;
    }
    struct fl_event ev;
    base_event(k, &ev, FL_EV_XID, &f->m, f->gpu);
    ev.u.xid.code = 79;
    ev.u.xid.pid = -1;
    struct fl_str t = f->m.text;
    ptrdiff_t nv = find(t, "NVRM:");
    ev.u.xid.text = nv >= 0 ? ltrim(after(t, (size_t)nv + 5)) : t;
    emit(k, &ev);
}

static void xid79_seen(struct fl_kl *k, const struct fl_kmsg *m, uint32_t pci)
{
    struct fl_kl_gpu *g = gpu_slot(k, pci, true);
    if (g) {
        g->xid79_ts = m->ts;
        g->xid79_clock = m->clock;
        g->xid79_seq = k->seq;
    }
    for (int i = 0; i < FL_KL_FALLEN_SLOTS; i++)
        if (k->fallen[i].used && k->fallen[i].gpu == pci)
            k->fallen[i].cancelled = true;
}

static void on_fallen(struct fl_kl *k, const struct fl_kmsg *m, uint32_t pci)
{
    const struct fl_kl_gpu *g = pci ? gpu_slot(k, pci, false) : NULL;
    if (!pci || (g && g->xid79_seq &&
                 !gone(k, m, g->xid79_ts, g->xid79_clock, g->xid79_seq, FALLEN_WINDOW_NS,
                       FALLEN_WINDOW_MSGS))) {
        emit_log(k, m, pci); /* an Xid 79 already said it (or no GPU is named) */
        return;
    }
    int slot = -1;
    for (int i = 0; i < FL_KL_FALLEN_SLOTS && slot < 0; i++)
        if (!k->fallen[i].used)
            slot = i;
    if (slot < 0) {
        flush_fallen(k, &k->fallen[0]);
        slot = 0;
    }
    k->fallen[slot] = (struct fl_kl_fallen){.used = true, .gpu = pci, .m = *m, .seq = k->seq};
}

/* ---- Xid ---------------------------------------------------------------------------- */

/* Skip reasons of one line family's "(PCI:...): CODE," head. */
struct head_msgs {
    const char *no_field, *bad_device, *bad_code;
};

/* The head Xid and SXid lines share: rest starts after the '(' of "(PCI:...): CODE,". On success
 * *dev (interned PCI address), *code and *tail (what follows the code and its comma) are set;
 * otherwise the line is skipped with the family's reason (or k->err is set) and false returned. */
static bool device_and_code(struct fl_kl *k, const struct fl_kmsg *m, struct fl_str rest,
                            const struct head_msgs *msg, uint32_t *dev, uint64_t *code,
                            struct fl_str *tail)
{
    ptrdiff_t close = find(rest, "):");
    if (close < 0) {
        skip(k, m, msg->no_field);
        return false;
    }
    *dev = pci_id(k, fl_str_make(rest.ptr, (size_t)close));
    if (k->err)
        return false;
    if (!*dev) {
        skip(k, m, msg->bad_device);
        return false;
    }
    struct fl_str s = ltrim(after(rest, (size_t)close + 2));
    if (!lead_u64(&s, code) || *code > UINT32_MAX) {
        skip(k, m, msg->bad_code);
        return false;
    }
    if (s.len && *s.ptr == ',')
        s = after(s, 1);
    *tail = s;
    return true;
}

/* text holds "Xid (" at x. */
static void on_xid(struct fl_kl *k, const struct fl_kmsg *m, struct fl_str rest)
{
    /* rest starts after "Xid (" */
    static const struct head_msgs msgs = {
        "Xid line without the \"(PCI:...):\" device field",
        "Xid device is not a PCI address",
        "Xid code is not a number",
    };
    uint32_t pci;
    uint64_t code;
    struct fl_str s;
    if (!device_and_code(k, m, rest, &msgs, &pci, &code, &s))
        return;
    struct fl_event ev;
    base_event(k, &ev, FL_EV_XID, m, pci);
    ev.u.xid.code = (uint32_t)code;
    s = ltrim(s);
    if (starts(s, "pid=")) {
        s = after(s, 4);
        uint64_t pid;
        struct fl_str t = s;
        if (lead_u64(&t, &pid) && pid <= INT64_MAX && (t.len == 0 || *t.ptr == ',')) {
            ev.u.xid.pid = (int64_t)pid;
            s = t;
        } else {
            /* '<unknown>', <unknown>, 'N/A': not a number */
            ptrdiff_t c = find(s, ",");
            s = c < 0 ? after(s, s.len) : after(s, (size_t)c);
        }
        if (s.len && *s.ptr == ',')
            s = after(s, 1);
        s = ltrim(s);
    }
    if (starts(s, "name=")) {
        s = after(s, 5);
        ptrdiff_t c = find(s, ", ");
        struct fl_str name = c < 0 ? s : fl_str_make(s.ptr, (size_t)c);
        name = rtrim(name);
        if (name.len && name.ptr[name.len - 1] == ',')
            name.len--;
        if (!fl_str_eq_cstr(name, "<unknown>") && !fl_str_eq_cstr(name, "'<unknown>'"))
            ev.u.xid.process = name;
        s = c < 0 ? after(s, s.len) : ltrim(after(s, (size_t)c + 2));
    }
    ev.u.xid.text = rtrim(s);
    emit(k, &ev);
    if (code == 79)
        xid79_seen(k, m, pci);
    int ek = ecc_kind_of((uint32_t)code, ev.u.xid.text);
    if (ek >= 0)
        emit_ecc(k, m, pci, ek, ev.u.xid.text);
}

/* ---- SXid --------------------------------------------------------------------------- */

static void flush_sxid(struct fl_kl *k, struct fl_kl_sxid *s)
{
    if (!s->used)
        return;
    s->used = false;
    emit(k, &s->ev);
}

static void sxid_append(struct fl_kl *k, struct fl_kl_sxid *s, struct fl_str more)
{
    struct fl_str *t = &s->ev.u.sxid.text;
    if (t->len + 2 + more.len > SXID_TEXT_CAP)
        return;
    char *buf = fl_arena_alloc(k->ctx->arena, t->len + 2 + more.len, 1);
    if (!buf) {
        k->err = FL_ENOMEM;
        return;
    }
    memcpy(buf, t->ptr, t->len);
    memcpy(buf + t->len, "; ", 2);
    memcpy(buf + t->len + 2, more.ptr, more.len);
    *t = fl_str_make(buf, t->len + 2 + more.len);
}

/* text = "...nvidia-nvswitchN: SXid (PCI:...): CODE, rest"; sx points at "SXid (". */
static void on_sxid(struct fl_kl *k, const struct fl_kmsg *m, struct fl_str text, size_t sx)
{
    int32_t sw_index = -1;
    ptrdiff_t nv = find(fl_str_make(text.ptr, sx), "nvswitch");
    if (nv >= 0) {
        struct fl_str d = after(text, (size_t)nv + 8);
        uint64_t n;
        if (lead_u64(&d, &n) && n <= INT32_MAX)
            sw_index = (int32_t)n;
    }
    static const struct head_msgs msgs = {
        "SXid line without the \"(PCI:...):\" switch field",
        "SXid switch is not a PCI address",
        "SXid code is not a number",
    };
    uint32_t sw;
    uint64_t code;
    struct fl_str s;
    if (!device_and_code(k, m, after(text, sx + 6), &msgs, &sw, &code, &s))
        return;
    s = rtrim(ltrim(s));
    bool follow = starts(s, "Severity ") || starts(s, "Data {") || starts(s, "Data{");
    if (follow) {
        for (int i = 0; i < FL_KL_SXID_SLOTS; i++) {
            struct fl_kl_sxid *p = &k->sxid[i];
            if (p->used && p->sw == sw && p->ev.u.sxid.code == code) {
                sxid_append(k, p, s);
                p->seq = k->seq;
                return;
            }
        }
        /* no primary line seen (cut off by the ring buffer): keep it as its own record */
    }
    int slot = -1;
    for (int i = 0; i < FL_KL_SXID_SLOTS; i++) {
        struct fl_kl_sxid *p = &k->sxid[i];
        if (p->used && p->sw == sw)
            flush_sxid(k, p); /* a new primary line ends the previous record of the switch */
        if (!p->used && slot < 0)
            slot = i;
    }
    if (slot < 0) {
        uint64_t oldest = UINT64_MAX;
        for (int i = 0; i < FL_KL_SXID_SLOTS; i++)
            if (k->sxid[i].seq < oldest) {
                oldest = k->sxid[i].seq;
                slot = i;
            }
        flush_sxid(k, &k->sxid[slot]);
    }
    struct fl_kl_sxid *p = &k->sxid[slot];
    p->used = true;
    p->sw = sw;
    p->ts = m->ts;
    p->clock = m->clock;
    p->seq = k->seq;
    base_event(k, &p->ev, FL_EV_SXID, m, sw);
    p->ev.u.sxid.code = (uint32_t)code;
    p->ev.u.sxid.switch_index = sw_index;
    p->ev.u.sxid.text = s;
    if (starts(s, "Fatal"))
        p->ev.u.sxid.fatal = true;
    ptrdiff_t l = find(s, "Link ");
    if (l >= 0 && !follow) {
        struct fl_str d = after(s, (size_t)l + 5);
        uint64_t n;
        if (lead_u64(&d, &n) && n <= INT32_MAX)
            p->ev.u.sxid.link = (int32_t)n;
    }
}

/* ---- PCIe AER ----------------------------------------------------------------------- */

static void aer_close_count(struct fl_kl *k)
{
    k->open = k->open > 0 ? k->open - 1 : 0;
}

/* Derive what the kernel derives when a line is missing (AER_GET_LAYER_ERROR). */
static uint8_t aer_layer_of(bool unc, uint32_t status)
{
    if (!unc) {
        if (status & 1u)
            return FL_AER_PHYSICAL;
        if (status & ((1u << 6) | (1u << 7) | (1u << 8) | (1u << 12)))
            return FL_AER_DATA_LINK;
        return FL_AER_TRANSACTION;
    }
    return (status & (1u << 4)) ? FL_AER_DATA_LINK : FL_AER_TRANSACTION;
}

static void flush_aer(struct fl_kl *k, struct fl_kl_aer *a)
{
    if (!a->used)
        return;
    a->used = false;
    aer_close_count(k);
    struct fl_event ev;
    base_event(k, &ev, FL_EV_PCIE_AER, &a->first, a->dev);
    struct fl_ev_pcie_aer *p = &ev.u.aer;
    uint32_t status = a->status_known ? a->status : a->bits;
    p->status = status;
    p->mask = a->mask;
    p->vendor_id = a->vendor_id;
    p->device_id = a->device_id;
    p->multiple = a->multiple;
    p->agent = a->agent;
    p->first_bit = a->first_bit;
    if (a->sev_known) {
        p->severity = a->severity;
    } else if (a->unc_known && !a->unc) {
        p->severity = FL_AER_CORRECTED;
    } else if (a->unc_known && a->uncor_sev_known) {
        p->severity = (status & ~a->mask & a->uncor_sev) ? FL_AER_FATAL : FL_AER_NONFATAL;
    } else {
        p->severity = FL_AER_SEVERITY_UNKNOWN;
    }
    p->type = a->type;
    if (p->type == FL_AER_TYPE_UNKNOWN && status && p->severity != FL_AER_SEVERITY_UNKNOWN)
        p->type = aer_layer_of(p->severity != FL_AER_CORRECTED, status & ~a->mask);
    emit(k, &ev);
}

static void flush_hdr(struct fl_kl *k, struct fl_kl_aer_hdr *h)
{
    if (!h->used)
        return;
    h->used = false;
    aer_close_count(k);
    /* a header whose source never printed details (rate limit, "no details found") is
     * still one report */
    struct fl_event ev;
    base_event(k, &ev, FL_EV_PCIE_AER, &h->first, h->src);
    ev.u.aer.severity = h->sev_known ? h->severity : FL_AER_SEVERITY_UNKNOWN;
    ev.u.aer.multiple = h->multiple;
    emit(k, &ev);
}

static struct fl_kl_aer *aer_find(struct fl_kl *k, uint32_t dev)
{
    for (int i = 0; i < FL_KL_AER_SLOTS; i++)
        if (k->aer[i].used && k->aer[i].dev == dev)
            return &k->aer[i];
    return NULL;
}

static uint16_t busdevfn_of(struct fl_kl *k, uint32_t dev)
{
    struct fl_str s = fl_ingest_str(k->ctx, dev); /* "dddd:bb:dd.f" */
    if (s.len != 12)
        return 0xffff;
    unsigned v[3] = {0, 0, 0};
    const int at[3] = {5, 8, 11}, w[3] = {2, 2, 1};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < w[i]; j++) {
            char c = s.ptr[at[i] + j];
            v[i] = v[i] * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
    return (uint16_t)(v[0] << 8 | v[1] << 3 | v[2]);
}

/* Open (or reopen) the report of dev at message m. */
static struct fl_kl_aer *aer_open(struct fl_kl *k, const struct fl_kmsg *m, uint32_t dev,
                                  bool fresh)
{
    struct fl_kl_aer *a = aer_find(k, dev);
    if (a && !fresh)
        return a;
    if (a)
        flush_aer(k, a);
    int slot = -1;
    uint64_t oldest = UINT64_MAX;
    for (int i = 0; i < FL_KL_AER_SLOTS; i++) {
        if (!k->aer[i].used) {
            slot = i;
            break;
        }
        if (k->aer[i].last_seq < oldest) {
            oldest = k->aer[i].last_seq;
            slot = i;
        }
    }
    a = &k->aer[slot];
    flush_aer(k, a);
    memset(a, 0, sizeof *a);
    a->used = true;
    a->dev = dev;
    a->first = *m;
    a->first_bit = 32;
    a->last_seq = k->seq;
    k->open++;
    /* attach the root port's header naming this device as the source */
    uint16_t bdf = busdevfn_of(k, dev);
    for (int i = 0; i < FL_KL_AER_SLOTS; i++) {
        struct fl_kl_aer_hdr *h = &k->hdr[i];
        if (!h->used || !(h->src == dev || (!h->src && h->busdevfn == bdf)))
            continue;
        a->multiple = h->multiple;
        if (h->sev_known) {
            a->sev_known = true;
            a->severity = h->severity;
        }
        h->used = false;
        aer_close_count(k);
        break;
    }
    return a;
}

/* "Corrected" / "Correctable" / "Uncorrected (Non-Fatal)" / "Uncorrectable (Fatal)"...
 * at the start of s; consumes it. */
static bool aer_severity(struct fl_str *s, uint8_t *sev)
{
    static const struct {
        const char *lit;
        uint8_t sev;
    } t[] = {
        {"Corrected", FL_AER_CORRECTED},
        {"Correctable", FL_AER_CORRECTED},
        {"Uncorrected (Non-Fatal)", FL_AER_NONFATAL},
        {"Uncorrectable (Non-Fatal)", FL_AER_NONFATAL},
        {"Uncorrected (Fatal)", FL_AER_FATAL},
        {"Uncorrectable (Fatal)", FL_AER_FATAL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (starts(*s, t[i].lit)) {
            *s = after(*s, strlen(t[i].lit));
            *sev = t[i].sev;
            return true;
        }
    return false;
}

/* Header: "[Multiple ]SEV error received: <bdf|id=XXXX>" or
 * "[Multiple ]SEV error message received from <bdf>". reporter = the root port. */
static bool aer_header(struct fl_kl *k, const struct fl_kmsg *m, struct fl_str body,
                       uint32_t reporter)
{
    bool multiple = false;
    if (starts(body, "Multiple ")) {
        multiple = true;
        body = after(body, 9);
    }
    uint8_t sev;
    if (!aer_severity(&body, &sev))
        return false;
    struct fl_str src;
    if (starts(body, " error received: "))
        src = after(body, 17);
    else if (starts(body, " error message received from "))
        src = after(body, 29);
    else
        return false;
    src = ltrim(src);
    uint32_t dev = 0;
    uint16_t bdf = 0xffff;
    if (starts(src, "id=")) {
        struct fl_str h = after(src, 3);
        uint32_t id;
        if (lead_hex32(&h, &id) && id <= 0xffff)
            bdf = (uint16_t)id;
    } else if (bdf_at(src.ptr, src.ptr + src.len)) {
        dev = pci_id(k, fl_str_make(src.ptr, 12));
        if (k->err)
            return true;
        bdf = busdevfn_of(k, dev);
    }
    (void)reporter;
    /* a header for a source whose report is open ends that report */
    struct fl_kl_aer *open = dev ? aer_find(k, dev) : NULL;
    if (open)
        flush_aer(k, open);
    int slot = -1, free_slot = -1, oldest_slot = 0;
    for (int i = 0; i < FL_KL_AER_SLOTS; i++) {
        struct fl_kl_aer_hdr *h = &k->hdr[i];
        if (!h->used) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if ((dev && h->src == dev) || (!dev && !h->src && h->busdevfn == bdf))
            slot = i; /* the previous header for this source had no details */
        if (h->seq < k->hdr[oldest_slot].seq || !k->hdr[oldest_slot].used)
            oldest_slot = i;
    }
    if (slot < 0)
        slot = free_slot >= 0 ? free_slot : oldest_slot;
    flush_hdr(k, &k->hdr[slot]);
    k->hdr[slot] = (struct fl_kl_aer_hdr){.used = true,
                                          .multiple = multiple,
                                          .sev_known = true,
                                          .severity = sev,
                                          .src = dev,
                                          .busdevfn = bdf,
                                          .first = *m,
                                          .seq = k->seq};
    k->open++;
    return true;
}

/* Split "driver dddd:bb:dd.f: rest" or "dddd:bb:dd.f: rest"; body = rest with an optional
 * "AER: " removed. false when the message names no PCI device. */
static bool aer_device(struct fl_kl *k, struct fl_str text, uint32_t *dev, struct fl_str *body)
{
    const char *p = text.ptr, *end = text.ptr + text.len;
    if (!bdf_at(p, end)) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!sp || sp - p > 64)
            return false;
        p = sp + 1;
        if (!bdf_at(p, end))
            return false;
    }
    if (end - p < 13 || p[12] != ':')
        return false;
    *dev = pci_id(k, fl_str_make(p, 12));
    struct fl_str b = fl_str_make(p + 13, (size_t)(end - p - 13));
    b = ltrim(b);
    if (starts(b, "AER:"))
        b = ltrim(after(b, 4));
    *body = rtrim(b);
    return *dev != 0;
}

/* "[ N] Name (First)" bit line body; true when it is one (and was recorded). */
static bool aer_bit_line(struct fl_kl *k, struct fl_kl_aer *a, struct fl_str body)
{
    if (!starts(body, "["))
        return false;
    struct fl_str s = ltrim(after(body, 1));
    uint64_t n;
    if (!lead_u64(&s, &n) || n > 31)
        return false;
    s = ltrim(s);
    if (!starts(s, "]"))
        return false;
    struct fl_str name = rtrim(ltrim(after(s, 1)));
    bool first = fl_str_ends_with(name, "(First)");
    bool unc = false;
    int bit = fl_aer_bit_from_name(name, &unc);
    if (bit >= 0 && (unsigned)bit == n) {
        a->unc_known = true;
        a->unc = unc;
    }
    (void)k;
    a->bits |= 1u << n;
    if (first)
        a->first_bit = (uint32_t)n;
    return true;
}

/* Returns true when the message was an AER line (consumed). */
static bool on_aer(struct fl_kl *k, const struct fl_kmsg *m, bool needle)
{
    uint32_t dev;
    struct fl_str body;
    if (!aer_device(k, m->text, &dev, &body))
        return false;
    if (needle && aer_header(k, m, body, dev))
        return true;
    struct fl_kl_aer *a;
    if (starts(body, "PCIe Bus Error:")) {
        a = aer_open(k, m, dev, true);
        a->has_e1 = true;
        a->first = *m;
        struct fl_str s = ltrim(after(body, 15));
        if (starts(s, "severity=")) {
            s = after(s, 9);
            uint8_t sev;
            if (aer_severity(&s, &sev)) {
                a->sev_known = true;
                a->severity = sev;
                a->unc_known = true;
                a->unc = sev != FL_AER_CORRECTED;
            }
        }
        ptrdiff_t t = find(s, "type=");
        if (t >= 0) {
            struct fl_str ty = after(s, (size_t)t + 5);
            a->type = starts(ty, "Physical Layer")      ? FL_AER_PHYSICAL
                      : starts(ty, "Data Link Layer")   ? FL_AER_DATA_LINK
                      : starts(ty, "Transaction Layer") ? FL_AER_TRANSACTION
                                                        : FL_AER_TYPE_UNKNOWN;
        }
        ptrdiff_t lp = -1;
        for (size_t i = s.len; i > 0; i--)
            if (s.ptr[i - 1] == '(') {
                lp = (ptrdiff_t)i - 1;
                break;
            }
        if (lp >= 0 && s.len && s.ptr[s.len - 1] == ')')
            a->agent = fl_str_make(s.ptr + lp + 1, s.len - (size_t)lp - 2);
        a->last_seq = k->seq;
        return true;
    }
    if (starts(body, "aer_status:")) { /* firmware-first (GHES) report */
        a = aer_open(k, m, dev, true);
        struct fl_str s = ltrim(after(body, 11));
        if (lead_hex32(&s, &a->status)) {
            a->status_known = true;
            ptrdiff_t mk = find(s, "aer_mask:");
            if (mk >= 0) {
                struct fl_str t = ltrim(after(s, (size_t)mk + 9));
                (void)lead_hex32(&t, &a->mask);
            }
        }
        a->last_seq = k->seq;
        return true;
    }
    a = aer_find(k, dev);
    struct fl_str t = ltrim(body);
    if (starts(t, "device [")) {
        if (!a)
            a = aer_open(k, m, dev, true);
        struct fl_str s = after(t, 8);
        uint32_t v, d;
        if (lead_hex32(&s, &v) && starts(s, ":") && (s = after(s, 1), lead_hex32(&s, &d)) &&
            v <= 0xffff && d <= 0xffff) {
            a->vendor_id = (uint16_t)v;
            a->device_id = (uint16_t)d;
        }
        ptrdiff_t e = find(s, "status/mask=");
        if (e >= 0) {
            s = after(s, (size_t)e + 12);
            uint32_t st, mk;
            if (lead_hex32(&s, &st) && starts(s, "/") && (s = after(s, 1), lead_hex32(&s, &mk))) {
                a->status = st;
                a->mask = mk;
                a->status_known = true;
            }
        }
        a->last_seq = k->seq;
        return true;
    }
    if (!a)
        return false;
    if (aer_bit_line(k, a, t) || starts(t, "TLP Header") || starts(t, "Error of this Agent") ||
        starts(t, "aer_uncor_severity:") || starts(t, "aer_layer=")) {
        if (starts(t, "aer_uncor_severity:")) {
            struct fl_str s = ltrim(after(t, 19));
            if (lead_hex32(&s, &a->uncor_sev))
                a->uncor_sev_known = true;
        } else if (starts(t, "aer_layer=")) {
            struct fl_str s = after(t, 10);
            a->type = starts(s, "Physical Layer")      ? FL_AER_PHYSICAL
                      : starts(s, "Data Link Layer")   ? FL_AER_DATA_LINK
                      : starts(s, "Transaction Layer") ? FL_AER_TRANSACTION
                                                       : a->type;
            ptrdiff_t ag = find(s, "aer_agent=");
            if (ag >= 0)
                a->agent = rtrim(after(s, (size_t)ag + 10));
        }
        a->last_seq = k->seq;
        return true;
    }
    return false;
}

/* ---- NVRM lines --------------------------------------------------------------------- */

static void on_nvrm(struct fl_kl *k, const struct fl_kmsg *m, struct fl_str body)
{
    /* body = text after "NVRM:" */
    if (body.len >= 2 && is_space(body.ptr[0]) && is_space(body.ptr[1]))
        return; /* a table row of the previous message (RPC history...) */
    body = ltrim(body);
    if (starts(body, "GPU at PCI:")) {
        struct fl_str s = after(body, 11);
        ptrdiff_t c = find(s, ": ");
        uint32_t pci = c < 0 ? 0 : pci_id(k, fl_str_make(s.ptr, (size_t)c));
        if (pci) {
            struct fl_str uuid = rtrim(ltrim(after(s, (size_t)c + 2)));
            struct fl_kl_gpu *g = gpu_slot(k, pci, true);
            if (g && starts(uuid, "GPU-")) {
                size_t n = 4;
                while (n < uuid.len && (is_hex(uuid.ptr[n]) || uuid.ptr[n] == '-'))
                    n++;
                g->uuid = intern(k, fl_str_make(uuid.ptr, n));
            }
            k->at_gpu = pci;
            k->at_seq = k->seq;
        }
        emit_log(k, m, pci);
        return;
    }
    uint32_t pci = find_pci(k, body);
    if (!pci && starts(body, "GPU Board Serial Number") && k->at_gpu &&
        k->seq - k->at_seq <= NAMED_GPU_MSGS)
        pci = k->at_gpu;
    if (starts(body, "The NVIDIA GPU ") && pci) {
        k->named_gpu = pci;
        k->named_seq = k->seq;
    }
    if (find(body, "fallen off the bus") >= 0) {
        if (!pci && k->named_gpu && k->seq - k->named_seq <= NAMED_GPU_MSGS)
            pci = k->named_gpu;
        on_fallen(k, m, pci);
        return;
    }
    int ek = ecc_kind_of(0, body);
    if (ek >= 0) {
        emit_ecc(k, m, pci, ek, body);
        return;
    }
    emit_log(k, m, pci);
}

/* ---- driver ------------------------------------------------------------------------- */

void fl_kl_init(struct fl_kl *k, struct fl_parse_ctx *ctx)
{
    memset(k, 0, sizeof *k);
    k->ctx = ctx;
}

static void expire(struct fl_kl *k, const struct fl_kmsg *m)
{
    if (k->open) {
        for (int i = 0; i < FL_KL_AER_SLOTS; i++) {
            struct fl_kl_aer *a = &k->aer[i];
            if (a->used && gone(k, m, a->first.ts, a->first.clock, a->last_seq, AER_MAX_GAP_NS,
                                AER_MAX_GAP_MSGS))
                flush_aer(k, a);
            struct fl_kl_aer_hdr *h = &k->hdr[i];
            if (h->used &&
                gone(k, m, h->first.ts, h->first.clock, h->seq, AER_MAX_GAP_NS, AER_MAX_GAP_MSGS))
                flush_hdr(k, h);
        }
    }
    for (int i = 0; i < FL_KL_SXID_SLOTS; i++) {
        struct fl_kl_sxid *s = &k->sxid[i];
        if (s->used && gone(k, m, s->ts, s->clock, s->seq, SXID_MAX_GAP_NS, SXID_MAX_GAP_MSGS))
            flush_sxid(k, s);
    }
    for (int i = 0; i < FL_KL_FALLEN_SLOTS; i++) {
        struct fl_kl_fallen *f = &k->fallen[i];
        if (f->used &&
            gone(k, m, f->m.ts, f->m.clock, f->seq, FALLEN_WINDOW_NS, FALLEN_WINDOW_MSGS))
            flush_fallen(k, f);
    }
}

int fl_kl_feed(struct fl_kl *k, const struct fl_kmsg *msg)
{
    if (k->err)
        return k->err;
    struct fl_kmsg mm = *msg;
    mm.text = rtrim(mm.text);
    const struct fl_kmsg *m = &mm;
    bool needle = fl_kl_has_needle(m->text.ptr, m->text.ptr + m->text.len);
    if (!needle && !k->open)
        return 0;
    k->seq++;
    expire(k, m);
    if (!needle) {
        /* an open AER report may continue on a needle-less line (bit lines of kernels
         * that do not prefix them with "AER:") */
        (void)on_aer(k, m, false);
        return k->err;
    }
    if (k->filter && !k->filter(k->filter_arg, m))
        return k->err;
    struct fl_str text = m->text;
    ptrdiff_t x = find(text, "Xid (");
    if (x >= 0) {
        if (x > 0 && text.ptr[x - 1] == 'S')
            on_sxid(k, m, text, (size_t)x - 1);
        else
            on_xid(k, m, after(text, (size_t)x + 5));
        return k->err;
    }
    if (on_aer(k, m, true))
        return k->err;
    ptrdiff_t nv = find(text, "NVRM:");
    if (nv >= 0) {
        on_nvrm(k, m, after(text, (size_t)nv + 5));
        return k->err;
    }
    if (find(text, "NVLink") >= 0 || find(text, "NVLINK") >= 0) {
        emit_log(k, m, find_pci(k, text));
        return k->err;
    }
    /* AER lines that end a recovery ("AER: can't recover", "AER: device recovery
     * successful") and other AER text: kept as logs when they name a device */
    if (find(text, "AER") >= 0) {
        uint32_t dev;
        struct fl_str body;
        if (aer_device(k, text, &dev, &body) &&
            (find(body, "recover") >= 0 || find(body, "reset") >= 0 || find(body, "fail") >= 0 ||
             find(body, "rror") >= 0))
            emit_log(k, m, dev); /* not "AER: enabled with IRQ ..." at boot */
    }
    return k->err;
}

int fl_kl_finish(struct fl_kl *k)
{
    for (int i = 0; i < FL_KL_AER_SLOTS; i++) {
        flush_aer(k, &k->aer[i]);
        flush_hdr(k, &k->hdr[i]);
    }
    for (int i = 0; i < FL_KL_SXID_SLOTS; i++)
        flush_sxid(k, &k->sxid[i]);
    for (int i = 0; i < FL_KL_FALLEN_SLOTS; i++)
        flush_fallen(k, &k->fallen[i]);
    k->open = 0;
    return k->err;
}

void fl__kl_set_input_node(struct fl_parse_ctx *ctx, uint32_t node)
{
    /* the record's own host name wins over --node and the bundle directory, and the
     * report says so even when they agree */
    if (node)
        fl_ingest_set_node(ctx, node, "journal hostname");
}
