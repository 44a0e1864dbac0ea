/* gzip inputs and nvidia-bug-report.log (docs/formats/kernel-log.md).
 *
 * gzip: every member of the stream (nvidia-bug-report.sh appends one member per section) is
 * inflated with zlib into one buffer in the window arena, then read by the parser its content
 * matches (a bug report, a kernel log, any other format faultline reads). A corrupt or
 * truncated stream is a skip at the byte offset where it broke; what inflated before it is
 * still read.
 *
 * nvidia-bug-report.log: the sections holding kernel messages are read, each with its own
 * clock, and lines one section already gave are dropped from the others:
 *   "dmesg:"                                       the ring buffer (boot-relative stamps)
 *   "Scanning kernel log files for NVIDIA kernel messages:"
 *       "  journalctl -b -0:" / "-b -1:" / "-b -2:"   grep output of journalctl (short)
 *       "  /var/log/messages:", "kern.log", ...       grep output of syslog files
 * The report's "Date:" line gives the year (and zone) of the year-less stamps; the boot time
 * of the dmesg section is learned from a message it shares with "journalctl -b -0".
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "faultline/alloc.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/kernel_lines.h"

#define GZ_MAX_OUT ((size_t)2 << 30) /* 2 GiB of decompressed text per input */
#define BR_SEPARATOR "____________________________________________"

bool fl__bug_report_sniff(const char *buf, size_t len);
int fl__bug_report_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len);

/* ==== nvidia-bug-report.log ============================================================ */

bool fl__bug_report_sniff(const char *buf, size_t len)
{
    struct fl_str head = fl_str_make(buf, len < 4096 ? len : 4096);
    return fl_str_find(head, FL_STR_LIT("Start of NVIDIA bug report log file")) >= 0 ||
           fl_str_find(head, FL_STR_LIT("nvidia-bug-report.sh Version:")) >= 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "Date: Thu Aug 25 20:30:39 CEST 2022" (date(1) in any locale: "jeu. 25 août 2022
 * 20:30:39 CEST"): the tokens are found by shape, not position. */
static bool report_date(struct fl_str line, struct fl_year_ref *yr)
{
    unsigned y = 0, mo = 0, d = 0;
    int64_t sod = -1;
    int32_t off = 0;
    bool zone = false;
    const char *p = line.ptr, *end = line.ptr + line.len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const char *b = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        struct fl_str tok = fl_str_make(b, (size_t)(p - b));
        if (!tok.len)
            continue;
        bool digits = true;
        for (size_t i = 0; i < tok.len; i++)
            digits = digits && is_digit(tok.ptr[i]);
        if (digits && tok.len == 4) {
            y = (unsigned)((tok.ptr[0] - '0') * 1000 + (tok.ptr[1] - '0') * 100 +
                           (tok.ptr[2] - '0') * 10 + (tok.ptr[3] - '0'));
        } else if (digits && tok.len <= 2) {
            d = (unsigned)(tok.len == 1 ? tok.ptr[0] - '0'
                                        : (tok.ptr[0] - '0') * 10 + tok.ptr[1] - '0');
        } else if (tok.len == 8 && tok.ptr[2] == ':' && tok.ptr[5] == ':' && is_digit(tok.ptr[0]) &&
                   is_digit(tok.ptr[1]) && is_digit(tok.ptr[3]) && is_digit(tok.ptr[4]) &&
                   is_digit(tok.ptr[6]) && is_digit(tok.ptr[7])) {
            sod = ((tok.ptr[0] - '0') * 10 + tok.ptr[1] - '0') * 3600 +
                  ((tok.ptr[3] - '0') * 10 + tok.ptr[4] - '0') * 60 + (tok.ptr[6] - '0') * 10 +
                  tok.ptr[7] - '0';
        } else if (!mo && fl__kl_month(tok)) {
            mo = fl__kl_month(tok);
        } else if (fl__kl_zone(tok, &off)) {
            zone = true;
        }
    }
    if (y < 1970 || y > 2200 || !mo || !d || d > fl_days_in_month(y, mo) || sod < 0)
        return false;
    yr->tz_off = zone ? off : 0;
    yr->tz_known = zone;
    yr->ref_ns = (fl_days_from_civil(y, mo, d) * 86400 + sod - yr->tz_off) * FL_NS_PER_SEC;
    yr->rule = "bug report date";
    return true;
}

enum br_kind { BR_DMESG, BR_JOURNAL0, BR_JOURNAL_OLD, BR_BOOT_DMESG, BR_SYSLOG };

struct br_block {
    enum br_kind kind;
    const char *b, *e;
    uint32_t line;
};

#define BR_MAX_BLOCKS 32

/* Dedup table: (hash of message text, second) -> block that read it. */
struct br_seen {
    uint64_t *key; /* 0 = empty */
    uint16_t *block;
    size_t cap, n;
};

struct br_filter {
    struct br_seen seen;
    uint16_t block;
    bool collect;       /* first pass: remember texts and times, feed nothing */
    uint64_t *col_hash; /* collected (hash, ts) of one block */
    int64_t *col_ts;
    size_t col_n, col_cap;
    int err;
};

static uint64_t key_of(uint64_t h, int64_t sec)
{
    uint64_t k = fl_hash64(&sec, sizeof sec, h);
    return k ? k : 1;
}

static bool seen_grow(struct br_seen *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    uint64_t *k = fl_calloc(cap, sizeof *k);
    uint16_t *b = fl_calloc(cap, sizeof *b);
    if (!k || !b) {
        fl_free(k);
        fl_free(b);
        return false;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->key[i])
            continue;
        size_t j = s->key[i] & (cap - 1);
        while (k[j])
            j = (j + 1) & (cap - 1);
        k[j] = s->key[i];
        b[j] = s->block[i];
    }
    fl_free(s->key);
    fl_free(s->block);
    s->key = k;
    s->block = b;
    s->cap = cap;
    return true;
}

/* Block that read key, or -1. */
static int seen_get(const struct br_seen *s, uint64_t key)
{
    if (!s->cap)
        return -1;
    for (size_t j = key & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        if (!s->key[j])
            return -1;
        if (s->key[j] == key)
            return s->block[j];
    }
}

static bool seen_put(struct br_seen *s, uint64_t key, uint16_t block)
{
    if ((s->n + 1) * 2 > s->cap && !seen_grow(s))
        return false;
    size_t j = key & (s->cap - 1);
    while (s->key[j] && s->key[j] != key)
        j = (j + 1) & (s->cap - 1);
    if (!s->key[j])
        s->n++;
    s->key[j] = key;
    s->block[j] = block;
    return true;
}

static uint64_t text_hash(struct fl_str t)
{
    return fl_hash64(t.ptr, t.len, FL_HASH_SEED);
}

static bool br_filter(void *arg, const struct fl_kmsg *m)
{
    struct br_filter *f = arg;
    uint64_t h = text_hash(m->text);
    if (f->collect) {
        if (f->col_n == f->col_cap) {
            size_t cap = f->col_cap ? f->col_cap * 2 : 256;
            uint64_t *nh = fl_realloc(f->col_hash, cap * sizeof *nh);
            if (!nh) {
                f->err = FL_ENOMEM;
                return false;
            }
            f->col_hash = nh;
            int64_t *nt = fl_realloc(f->col_ts, cap * sizeof *nt);
            if (!nt) {
                f->err = FL_ENOMEM;
                return false;
            }
            f->col_ts = nt;
            f->col_cap = cap;
        }
        f->col_hash[f->col_n] = h;
        f->col_ts[f->col_n] = m->ts;
        f->col_n++;
        return false;
    }
    if (m->clock != FL_CLOCK_WALL)
        return true; /* cannot be matched with wall-clock sections */
    int64_t sec = m->ts / FL_NS_PER_SEC;
    for (int64_t d = -2; d <= 2; d++) {
        int b = seen_get(&f->seen, key_of(h, sec + d));
        if (b >= 0 && b != f->block)
            return false; /* another section already gave this line */
    }
    if (!seen_put(&f->seen, key_of(h, sec), f->block))
        f->err = FL_ENOMEM;
    return true;
}

/* Split the report into its kernel-log blocks. */
static size_t find_blocks(const char *buf, size_t len, struct br_block *out, struct fl_year_ref *yr,
                          bool *dated, struct fl_str *host)
{
    size_t n = 0;
    const char *p = buf, *end = buf + len;
    uint32_t lineno = 1;
    enum { S_NONE, S_TITLE, S_DMESG, S_SCAN } state = S_TITLE;
    struct br_block *cur = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        struct fl_str line = fl_str_make(p, (size_t)(le - p));
        if (line.len && line.ptr[line.len - 1] == '\r')
            line.len--;
        if (fl_str_eq_cstr(line, BR_SEPARATOR)) {
            if (cur)
                cur->e = p;
            cur = NULL;
            state = S_TITLE;
        } else if (state == S_TITLE && line.len) {
            if (fl_str_eq_cstr(line, "dmesg:")) {
                state = S_DMESG;
                if (n < BR_MAX_BLOCKS) {
                    cur = &out[n++];
                    *cur = (struct br_block){BR_DMESG, nl ? nl + 1 : end, end, lineno + 1};
                }
            } else if (fl_str_starts_with(line, "Scanning kernel log files")) {
                state = S_SCAN;
            } else if (!*dated && fl_str_starts_with(line, "Start of NVIDIA bug report")) {
                state = S_NONE; /* the banner section: look for Date: */
            } else {
                state = S_NONE;
            }
        } else if (state == S_NONE && !*dated && fl_str_starts_with(line, "Date:")) {
            *dated = report_date(fl_str_make(line.ptr + 5, line.len - 5), yr);
        } else if (state == S_NONE && !host->len && fl_str_starts_with(line, "uname: ")) {
            /* "uname: Linux HOST 5.18.0-14-amd64 #1 SMP ..." */
            struct fl_str u = fl_str_make(line.ptr + 7, line.len - 7);
            const char *sp = memchr(u.ptr, ' ', u.len);
            if (sp) {
                const char *h = sp + 1, *e2 = memchr(h, ' ', (size_t)(u.ptr + u.len - h));
                if (e2 && e2 > h)
                    *host = fl_str_make(h, (size_t)(e2 - h));
            }
        } else if (state == S_SCAN && line.len > 3 && line.ptr[0] == ' ' && line.ptr[1] == ' ' &&
                   line.ptr[line.len - 1] == ':' && line.ptr[2] != ' ') {
            /* "  journalctl -b -0:" or "  /var/log/kern.log:" */
            if (cur)
                cur->e = p;
            cur = NULL;
            struct fl_str what = fl_str_make(line.ptr + 2, line.len - 3);
            enum br_kind k = BR_SYSLOG;
            if (fl_str_eq_cstr(what, "journalctl -b -0") || fl_str_eq_cstr(what, "journalctl -b 0"))
                k = BR_JOURNAL0;
            else if (fl_str_starts_with(what, "journalctl"))
                k = BR_JOURNAL_OLD;
            else if (fl_str_ends_with(what, "/dmesg"))
                k = BR_BOOT_DMESG;
            if (n < BR_MAX_BLOCKS) {
                cur = &out[n++];
                *cur = (struct br_block){k, nl ? nl + 1 : end, end, lineno + 1};
            }
        }
        lineno++;
        p = nl ? nl + 1 : end;
    }
    return n;
}

/* Boot time of the dmesg section: every message that occurs once in it and once in
 * "journalctl -b -0" pairs a boot-relative stamp with a wall-clock one. journalctl's short
 * stamps are whole seconds (the true time is up to 1 s later), so each pair bounds the boot
 * time to [wall - rel, wall + 1 s - rel]; the middle of the intersection is used. */
#define BR_LEARN_MAX 4096
static int64_t learn_boot(const struct br_filter *dm, const uint64_t *jh, const int64_t *jt,
                          size_t jn)
{
    int64_t lo = FL_TIME_NONE, hi = INT64_MAX;
    size_t dn = dm->col_n < BR_LEARN_MAX ? dm->col_n : BR_LEARN_MAX;
    if (jn > BR_LEARN_MAX)
        jn = BR_LEARN_MAX;
    bool whole_seconds = true;
    for (size_t k = 0; k < jn; k++)
        if (jt[k] != FL_TIME_NONE && jt[k] % FL_NS_PER_SEC != 0)
            whole_seconds = false;
    for (size_t i = 0; i < dn; i++) {
        uint64_t h = dm->col_hash[i];
        size_t in_dm = 0, in_j = 0, at = 0;
        for (size_t k = 0; k < dn && in_dm < 2; k++)
            in_dm += dm->col_hash[k] == h;
        for (size_t k = 0; k < jn && in_j < 2; k++)
            if (jh[k] == h) {
                in_j++;
                at = k;
            }
        if (in_dm != 1 || in_j != 1 || jt[at] == FL_TIME_NONE || dm->col_ts[i] < 0)
            continue;
        int64_t b, top;
        if (__builtin_sub_overflow(jt[at], dm->col_ts[i], &b) ||
            __builtin_add_overflow(b, whole_seconds ? FL_NS_PER_SEC : 0, &top))
            continue;
        if (lo == FL_TIME_NONE || b > lo)
            lo = b;
        if (top < hi)
            hi = top;
    }
    if (lo == FL_TIME_NONE)
        return FL_TIME_NONE;
    return hi >= lo ? lo + (hi - lo) / 2 : lo;
}

static int parse_block(struct fl_parse_ctx *ctx, struct fl_kl *kl, const struct br_block *b,
                       const struct fl_year_ref *yr, int64_t boot_ns, bool named)
{
    struct fl_kl_text_opts o = {
        .year = yr, .first_line = b->line, .kl = kl, .boot_ns = boot_ns, .node_named = named};
    int rc = fl__kernel_text_parse(ctx, b->b, (size_t)(b->e - b->b), &o);
    if (!rc)
        rc = fl_kl_finish(kl); /* records do not continue across sections */
    return rc;
}

int fl__bug_report_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct br_block blocks[BR_MAX_BLOCKS];
    struct fl_year_ref yr = {.ref_ns = FL_TIME_NONE};
    bool dated = false;
    struct fl_str host = FL_STR_NULL;
    size_t nb = find_blocks(buf, len, blocks, &yr, &dated, &host);
    bool named = false;
    if (host.len && !fl_str_eq_cstr(host, "localhost") && !fl_str_eq_cstr(host, "(none)")) {
        named = true;
        /* the report names its machine: every section's events belong to it */
        uint32_t id = fl_ingest_intern(ctx, host);
        if (id == FL_INTERN_FAIL)
            return FL_ENOMEM;
        fl_ingest_set_node(ctx, id, "bug report hostname");
    }
    if (!dated) {
        /* no readable Date: line; the year of syslog stamps falls back to the clock */
        yr.ref_ns = FL_TIME_NONE;
    }
    struct fl_kl kl;
    fl_kl_init(&kl, ctx);
    struct br_filter f = {0};
    kl.filter = br_filter;
    kl.filter_arg = &f;
    int rc = 0;
    const struct fl_year_ref *yp = dated ? &yr : NULL;

    /* 1. boot time of the dmesg section, unless --boot-time gave it */
    int64_t boot = ctx->boot_ns;
    const struct br_block *dm = NULL, *j0 = NULL;
    for (size_t i = 0; i < nb; i++) {
        if (blocks[i].kind == BR_DMESG && !dm)
            dm = &blocks[i];
        if (blocks[i].kind == BR_JOURNAL0 && !j0)
            j0 = &blocks[i];
    }
    if (boot == FL_TIME_NONE && dm && j0) {
        f.collect = true;
        rc = parse_block(ctx, &kl, j0, yp, FL_TIME_NONE, true);
        uint64_t *jh = f.col_hash;
        int64_t *jt = f.col_ts;
        size_t jn = f.col_n;
        f.col_hash = NULL;
        f.col_ts = NULL;
        f.col_n = f.col_cap = 0;
        if (!rc)
            rc = parse_block(ctx, &kl, dm, yp, FL_TIME_NONE, true);
        if (!rc)
            boot = learn_boot(&f, jh, jt, jn);
        fl_free(jh);
        fl_free(jt);
        f.collect = false;
    }
    rc = rc ? rc : f.err;

    /* 2. sections in order of trust: the ring buffer, the current boot's journal, older
     * boots, the boot-time dmesg file, syslog files; a line another section gave within
     * two seconds is dropped */
    static const enum br_kind order[] = {BR_DMESG, BR_JOURNAL0, BR_JOURNAL_OLD, BR_BOOT_DMESG,
                                         BR_SYSLOG};
    for (size_t o = 0; o < sizeof order / sizeof order[0] && !rc; o++)
        for (size_t i = 0; i < nb && !rc; i++) {
            if (blocks[i].kind != order[o])
                continue;
            f.block = (uint16_t)i;
            bool rel = blocks[i].kind == BR_DMESG || blocks[i].kind == BR_BOOT_DMESG;
            rc = parse_block(ctx, &kl, &blocks[i], yp, rel ? boot : ctx->boot_ns, named);
            rc = rc ? rc : f.err;
        }
    fl_free(f.seen.key);
    fl_free(f.seen.block);
    fl_free(f.col_hash);
    fl_free(f.col_ts);
    return rc;
}

/* ==== gzip ================================================================================ */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return fl_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    fl_free(p);
}

static int gz_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    return len >= 10 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b &&
                   buf[2] == 8
               ? 90
               : 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* The inflated text. It starts in the window arena, sized by the last member's ISIZE (exact
 * for the usual one-member file, so nothing is copied); when it outgrows that, it moves to a
 * heap buffer that doubles, and is copied into the arena at the end. */
struct gz_out {
    char *buf;
    size_t len, cap;
    bool in_arena;
};

static int gz_grow(struct gz_out *o)
{
    if (o->cap >= GZ_MAX_OUT)
        return FL_ELIMIT;
    size_t cap = o->cap ? o->cap * 2 : 1u << 20;
    if (cap > GZ_MAX_OUT)
        cap = GZ_MAX_OUT;
    char *nb;
    if (o->in_arena) {
        nb = fl_malloc(cap);
        if (!nb)
            return FL_ENOMEM;
        if (o->len)
            memcpy(nb, o->buf, o->len);
        o->in_arena = false; /* the arena block is left unused */
    } else {
        nb = fl_realloc(o->buf, cap);
        if (!nb)
            return FL_ENOMEM;
    }
    o->buf = nb;
    o->cap = cap;
    return 0;
}

static void gz_out_free(struct gz_out *o)
{
    if (!o->in_arena)
        fl_free(o->buf);
    o->buf = NULL;
}

/* Inflate every member of buf into o. Returns 0 or FL_ENOMEM; a corrupt, truncated or
 * oversized stream and trailing garbage are skips recorded in ctx, and the caller still
 * reads what o holds. */
static int gz_inflate(struct fl_parse_ctx *ctx, const char *buf, size_t len, struct gz_out *o,
                      size_t base)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return FL_ENOMEM;
    const unsigned char *in = (const unsigned char *)buf;
    size_t fed = 0; /* bytes handed to zlib so far */
    int rc = 0;
    char why[200];
    for (;;) {
        if (zs.avail_in == 0 && fed < len) {
            size_t slice = len - fed > (1u << 30) ? (1u << 30) : len - fed;
            zs.next_in = (Bytef *)(uintptr_t)(in + fed);
            zs.avail_in = (uInt)slice;
            fed += slice;
        }
        if (o->len == o->cap) {
            int g = gz_grow(o);
            if (g == FL_ELIMIT) {
                size_t at = fed - zs.avail_in;
                snprintf(why, sizeof why,
                         "decompressed data exceeds 2 GiB: the stream after compressed byte "
                         "%zu is not read",
                         base + at);
                rc = fl_ingest_skip(ctx, 0, base + at, why);
                break;
            }
            if (g) {
                rc = g;
                break;
            }
        }
        size_t room = o->cap - o->len;
        zs.next_out = (Bytef *)(o->buf + o->len);
        zs.avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
        uInt out_before = zs.avail_out;
        int zr = inflate(&zs, Z_NO_FLUSH);
        o->len += out_before - zs.avail_out;
        size_t used = fed - zs.avail_in; /* compressed bytes consumed */
        if (zr == Z_OK)
            continue;
        if (zr == Z_STREAM_END) {
            size_t left = len - used;
            if (left == 0)
                break;
            if (left >= 2 && in[used] == 0x1f && in[used + 1] == 0x8b) {
                inflateReset(&zs); /* the next member: nvidia-bug-report.sh appends many */
                continue;
            }
            if (!all_zero(in + used, left)) {
                snprintf(why, sizeof why,
                         "%zu bytes after the end of the gzip stream are not gzip: ignored", left);
                rc = fl_ingest_skip(ctx, 0, base + used, why);
            }
            break;
        }
        if (zr == Z_BUF_ERROR) {
            if ((zs.avail_in == 0 && fed >= len) ||
                (zs.avail_in && zs.avail_out && out_before == zs.avail_out)) {
                snprintf(why, sizeof why,
                         "gzip stream is truncated at byte %zu: the %zu bytes inflated before "
                         "the end are read",
                         base + len, o->len);
                rc = fl_ingest_skip(ctx, 0, base + len, why);
                break;
            }
            continue; /* out of room or input: refilled above */
        }
        if (zr == Z_MEM_ERROR) {
            rc = FL_ENOMEM;
            break;
        }
        snprintf(why, sizeof why,
                 "corrupt gzip stream at compressed byte %zu (%s): the %zu bytes inflated "
                 "before it are read",
                 base + used, zs.msg ? zs.msg : "invalid data", o->len);
        rc = fl_ingest_skip(ctx, 0, base + used, why);
        break;
    }
    inflateEnd(&zs);
    return rc;
}

#if defined(FL_HAVE_LIBDEFLATE)
#include <libdeflate.h>
#include <pthread.h>

static void hook_libdeflate(void)
{
    libdeflate_set_memory_allocator(fl_malloc, fl_free);
}

/* libdeflate inflates a whole member at once, about twice as fast as zlib on these inputs
 * (measured for issue 3). It stops at the first member it cannot read (corrupt, cut, not
 * gzip); zlib then takes over from that member's start, which keeps the bytes before the
 * damage and reports where it broke. Returns the input bytes done. */
static size_t gz_inflate_fast(const char *buf, size_t len, struct gz_out *o, int *rc)
{
    static pthread_once_t hooked = PTHREAD_ONCE_INIT; /* parse tasks run on several threads */
    (void)pthread_once(&hooked, hook_libdeflate);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) {
        *rc = FL_ENOMEM;
        return 0;
    }
    size_t off = 0;
    while (off + 18 <= len && (unsigned char)buf[off] == 0x1f &&
           (unsigned char)buf[off + 1] == 0x8b) {
        if (o->len == o->cap && gz_grow(o))
            break;
        size_t ain = 0, aout = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            d, buf + off, len - off, o->buf + o->len, o->cap - o->len, &ain, &aout);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (gz_grow(o))
                break; /* over the cap: zlib inflates what fits and says so */
            continue;
        }
        if (r != LIBDEFLATE_SUCCESS)
            break;
        o->len += aout;
        off += ain;
    }
    libdeflate_free_decompressor(d);
    return off;
}
#endif

static int gz_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct gz_out o = {0};
    int rc = 0;
    size_t done = 0;
    /* the last member's size (mod 2^32) is in the trailer: the whole text for one member */
    if (len >= 18) {
        const unsigned char *t = (const unsigned char *)buf + len - 4;
        size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
        if (isize > 0 && isize < GZ_MAX_OUT && isize / 1032 < len) {
            o.buf = fl_arena_alloc(ctx->arena, isize + 1, 1);
            o.cap = o.buf ? isize + 1 : 0;
            o.in_arena = o.buf != NULL;
        }
    }
#if defined(FL_HAVE_LIBDEFLATE)
    done = gz_inflate_fast(buf, len, &o, &rc);
    if (!rc && done && done < len &&
        !(len - done >= 2 && (unsigned char)buf[done] == 0x1f &&
          (unsigned char)buf[done + 1] == 0x8b)) {
        if (!all_zero((const unsigned char *)buf + done, len - done)) {
            char why[120];
            snprintf(why, sizeof why,
                     "%zu bytes after the end of the gzip stream are not gzip: ignored",
                     len - done);
            rc = fl_ingest_skip(ctx, 0, done, why);
        }
        done = len;
    }
#endif
    if (!rc && done < len)
        rc = gz_inflate(ctx, buf + done, len - done, &o, done);
    if (rc) {
        gz_out_free(&o);
        return rc;
    }
    /* the text lives as long as the engine: in the window arena */
    char *text = o.buf;
    size_t n = o.len;
    if (!o.in_arena) {
        text = fl_arena_alloc(ctx->arena, n ? n : 1, 1);
        if (!text) {
            gz_out_free(&o);
            return FL_ENOMEM;
        }
        if (n)
            memcpy(text, o.buf, n);
        gz_out_free(&o);
    }
    if (n == 0)
        return 0;
    if (fl__bug_report_sniff(text, n))
        return fl__bug_report_parse(ctx, text, n);
    struct fl_str path = fl_str_from_cstr(ctx->path);
    if (fl_str_ends_with(path, ".gz"))
        path.len -= 3;
    const struct fl_parser *p = fl_parser_sniff(text, n, path);
    if (!p)
        return fl_ingest_skip(ctx, 0, 0, "decompressed content is not a format faultline reads");
    if (p->parse == gz_parse)
        return fl_ingest_skip(ctx, 0, 0, "gzip inside gzip is not read");
    return p->parse(ctx, text, n);
}

const struct fl_parser fl_parser_gzip = {
    .name = "gzip",
    .summary = "gzip-compressed input (nvidia-bug-report.log.gz, *.log.gz): inflated, then "
               "read by the parser its content matches",
    .sniff = gz_sniff,
    .parse = gz_parse,
};
