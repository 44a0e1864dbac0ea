/* Kernel-log containers in text form (docs/formats/kernel-log.md):
 *   - dmesg with any stamp util-linux prints: "[ 8123.456789]" (raw), "[Tue Nov 24 10:00:03
 *     2026]" (-T / ctime), "2026-11-24T10:00:03,123456+00:00" (--time-format iso), none (-t),
 *     with the "kern  :warn  : " prefix of --decode, the "<4>" priority of -r, the
 *     "[T123]" caller id of PRINTK_CALLER kernels and " <delta>" of --show-delta;
 *   - journalctl short, short-precise, short-iso, short-iso-precise, short-full,
 *     short-monotonic, short-unix, and syslog files (rsyslog RFC 3164 and RFC 3339 stamps,
 *     "kernel: [ 123.456]" embedded stamps); continuation lines indented under a record;
 *   - /dev/kmsg records ("6,1234,8123456789,-;msg" + " KEY=value" dictionary lines);
 *   - journalctl -o json / json-seq / json-pretty and -o export (the "journal-json" parser).
 * Lines are prefiltered for the GPU needles (ingest/kernel_lines.h) and only candidates are
 * parsed; their GPU families become events there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/json.h"
#include "faultline/alloc.h"
#include "faultline/ingest.h"
#include "faultline/time.h"
#include "ingest/kernel_lines.h"

#define KL_MAX_LINE (64u * 1024u) /* longer text lines are skipped, not read */
#define KL_CONT_LOOKBACK 256      /* lines searched back for a continuation's record */
#define KL_SNIFF_LINES 64
#define KL_SNIFF_BYTES (64u * 1024u)

/* ---- character classes and small scanners ------------------------------------------ */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_sp(char c)
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

static struct fl_str skip_sp(struct fl_str s)
{
    while (s.len && is_sp(*s.ptr)) {
        s.ptr++;
        s.len--;
    }
    return s;
}

/* Exactly n digits at the start of s into *v. */
static bool digits_n(struct fl_str s, size_t n, unsigned *v)
{
    if (s.len < n)
        return false;
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s.ptr[i]))
            return false;
        x = x * 10 + (unsigned)(s.ptr[i] - '0');
    }
    *v = x;
    return true;
}

/* 1-2 digits (a space-padded day "%e" has its space skipped by the caller). */
static bool digits_12(struct fl_str *s, unsigned *v)
{
    if (!s->len || !is_digit(s->ptr[0]))
        return false;
    unsigned x = (unsigned)(s->ptr[0] - '0');
    size_t n = 1;
    if (s->len > 1 && is_digit(s->ptr[1])) {
        x = x * 10 + (unsigned)(s->ptr[1] - '0');
        n = 2;
    }
    *v = x;
    *s = after(*s, n);
    return true;
}

/* Fraction digits after '.' or ','; up to 9 significant. */
static struct fl_str fraction(struct fl_str s, int64_t *ns)
{
    int64_t v = 0;
    int n = 0;
    while (s.len && is_digit(*s.ptr)) {
        if (n < 9) {
            v = v * 10 + (*s.ptr - '0');
            n++;
        }
        s = after(s, 1);
    }
    while (n++ < 9)
        v *= 10;
    *ns = v;
    return s;
}

/* "HH:MM:SS" then an optional ".frac"; seconds of the day + ns. */
static bool hms(struct fl_str *s, int64_t *sec_of_day, int64_t *frac_ns)
{
    unsigned h, m, sec;
    if (!digits_n(*s, 2, &h) || s->len < 8 || s->ptr[2] != ':' || !digits_n(after(*s, 3), 2, &m) ||
        s->ptr[5] != ':' || !digits_n(after(*s, 6), 2, &sec) || h > 23 || m > 59 || sec > 60)
        return false;
    if (sec == 60)
        sec = 59;
    *s = after(*s, 8);
    *frac_ns = 0;
    if (s->len >= 2 && (s->ptr[0] == '.' || s->ptr[0] == ',') && is_digit(s->ptr[1]))
        *s = fraction(after(*s, 1), frac_ns);
    *sec_of_day = (int64_t)h * 3600 + (int64_t)m * 60 + sec;
    return true;
}

/* Nanoseconds of a civil time; FL_TIME_NONE outside the years int64 nanoseconds can hold. */
static int64_t civil_ns(int64_t y, unsigned mo, unsigned d, int64_t sod, int64_t frac,
                        int32_t tz_off)
{
    if (y < 1678 || y > 2261)
        return FL_TIME_NONE;
    int64_t days = fl_days_from_civil(y, mo, d);
    return (days * 86400 + sod - tz_off) * FL_NS_PER_SEC + frac;
}

/* ---- year inference for "Nov 24 10:00:03" stamps ------------------------------------ */

/* "Www YYYY-MM-DD HH:MM:SS ZONE" (journalctl's header and short-full stamps). */
static bool full_stamp(struct fl_str s, int64_t *ns, int32_t *tz_off, bool *tz_known,
                       struct fl_str *rest)
{
    /* weekday: any letters (localized), then one space */
    size_t i = 0;
    while (i < s.len && !is_sp(s.ptr[i]) && i < 12)
        i++;
    if (i == 0 || i >= s.len)
        return false;
    s = skip_sp(after(s, i));
    unsigned y, mo, d;
    if (!digits_n(s, 4, &y) || s.len < 11 || s.ptr[4] != '-' || !digits_n(after(s, 5), 2, &mo) ||
        s.ptr[7] != '-' || !digits_n(after(s, 8), 2, &d) || s.ptr[10] != ' ' || mo < 1 || mo > 12 ||
        d < 1 || d > fl_days_in_month(y, mo))
        return false;
    s = after(s, 11);
    int64_t sod, frac;
    if (!hms(&s, &sod, &frac))
        return false;
    int32_t off = 0;
    bool known = false;
    if (s.len && s.ptr[0] == ' ') {
        struct fl_str z = after(s, 1);
        size_t n = 0;
        while (n < z.len &&
               (is_alpha(z.ptr[n]) || z.ptr[n] == '+' || z.ptr[n] == '-' || is_digit(z.ptr[n])))
            n++;
        if (n && fl__kl_zone(fl_str_make(z.ptr, n), &off)) {
            known = true;
            s = after(z, n);
        } else if (n >= 5 && (z.ptr[0] == '+' || z.ptr[0] == '-')) {
            unsigned hh, mm;
            if (digits_n(after(z, 1), 2, &hh) && digits_n(after(z, 3), 2, &mm)) {
                off = (int32_t)(hh * 3600 + mm * 60) * (z.ptr[0] == '-' ? -1 : 1);
                known = true;
                s = after(z, n);
            }
        }
    }
    *ns = civil_ns(y, mo, d, sod, frac, off);
    if (*ns == FL_TIME_NONE)
        return false;
    if (tz_off)
        *tz_off = off;
    if (tz_known)
        *tz_known = known;
    if (rest)
        *rest = s;
    return true;
}

/* journalctl's first line: "-- Logs begin at STAMP, end at STAMP. --" (systemd < 250) or
 * "-- Journal begins at STAMP, ends at STAMP. --" (250-254). Uses the end stamp. */
static bool journal_header(struct fl_str line, struct fl_year_ref *yr)
{
    if (!starts(line, "-- "))
        return false;
    ptrdiff_t e = fl_str_find(line, FL_STR_LIT(", end at "));
    size_t skip = 9;
    if (e < 0) {
        e = fl_str_find(line, FL_STR_LIT(", ends at "));
        skip = 10;
    }
    if (e < 0)
        return false;
    int64_t ns;
    int32_t off;
    bool known;
    if (!full_stamp(after(line, (size_t)e + skip), &ns, &off, &known, NULL))
        return false;
    yr->ref_ns = ns;
    yr->rule = "journal header";
    yr->tz_off = off;
    yr->tz_known = known;
    return true;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return FL_TIME_NONE;
    return (int64_t)ts.tv_sec * FL_NS_PER_SEC + ts.tv_nsec;
}

/* Work out the reference of year-less stamps: a journalctl header in the first lines,
 * else the file's mtime, else the current time. */
static void year_ref_detect(struct fl_parse_ctx *ctx, const char *buf, size_t len,
                            struct fl_year_ref *yr)
{
    yr->ref_ns = FL_TIME_NONE;
    yr->rule = NULL;
    yr->tz_off = 0;
    yr->tz_known = false;
    struct fl_scan sc = fl_scan_make(buf, buf + (len < 4096 ? len : 4096));
    struct fl_str line;
    for (int i = 0; i < 4 && fl_scan_line(&sc, &line); i++)
        if (journal_header(line, yr))
            return;
    struct stat st;
    if (ctx->path && strcmp(ctx->path, "-") != 0 && stat(ctx->path, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        yr->ref_ns = (int64_t)st.st_mtim.tv_sec * FL_NS_PER_SEC + st.st_mtim.tv_nsec;
        yr->rule = "file mtime";
        return;
    }
    yr->ref_ns = now_ns();
    yr->rule = "current date";
}

/* The year that puts month/day nearest before ref (a log ends when it was written). */
static bool year_for(const struct fl_year_ref *yr, unsigned mo, unsigned d, int64_t sod,
                     int64_t frac, int64_t *out)
{
    int64_t ref = yr->ref_ns == FL_TIME_NONE ? 0 : yr->ref_ns;
    int64_t days = (ref + (int64_t)yr->tz_off * FL_NS_PER_SEC) / FL_NS_PER_SEC / 86400;
    int64_t y;
    unsigned rm, rd;
    fl_civil_from_days(days, &y, &rm, &rd);
    /* a stamp more than two days after the reference belongs to the year before */
    for (int back = 0; back < 2; back++, y--) {
        if (d > fl_days_in_month(y, mo))
            continue;
        int64_t ns = civil_ns(y, mo, d, sod, frac, yr->tz_off);
        if (ns == FL_TIME_NONE)
            return false;
        if (back == 0 && ns > ref + 2 * 86400 * FL_NS_PER_SEC)
            continue;
        *out = ns;
        return true;
    }
    return false;
}

/* ---- the text parse state ----------------------------------------------------------- */

struct kt {
    struct fl_parse_ctx *ctx;
    struct fl_kl *kl;
    const char *buf, *end;
    int64_t boot_ns;
    struct fl_year_ref year;
    bool year_done;
    bool bare; /* no line of the sample had a stamp: dmesg -t / grep output */
    bool kmsg; /* /dev/kmsg records */
    struct fl_str last_host;
    uint32_t last_host_id;
    bool node_set;
};

/* A parsed line. */
struct pline {
    enum { PL_SKIP, PL_MSG, PL_CONT, PL_BARE, PL_BAD } kind;
    const char *why; /* PL_BAD */
    bool kernel;     /* false: a journal/syslog record of another program */
    int64_t ts;
    uint8_t clock;
    uint8_t level;
    struct fl_str host;
    struct fl_str text;
};

static void ensure_year(struct kt *t)
{
    if (!t->year_done) {
        year_ref_detect(t->ctx, t->buf, (size_t)(t->end - t->buf), &t->year);
        t->year_done = true;
    }
}

static void boot_rel(struct kt *t, int64_t rel, struct pline *pl)
{
    int64_t wall;
    if (t->boot_ns != FL_TIME_NONE && !__builtin_add_overflow(t->boot_ns, rel, &wall) &&
        wall != FL_TIME_NONE) {
        pl->ts = wall;
        pl->clock = FL_CLOCK_WALL;
    } else {
        pl->ts = rel;
        pl->clock = FL_CLOCK_BOOT;
    }
}

/* "  123.456789" (spaces, seconds, '.', fraction) at s; ns since boot. */
static bool rel_secs(struct fl_str *s, int64_t *ns)
{
    struct fl_str x = skip_sp(*s);
    uint64_t sec = 0;
    size_t n = 0;
    while (n < x.len && is_digit(x.ptr[n]) && n < 12)
        sec = sec * 10 + (uint64_t)(x.ptr[n++] - '0');
    if (n == 0 || n >= x.len || x.ptr[n] != '.' || sec > 9000000000u)
        return false; /* over 285 years of uptime: not a stamp */
    int64_t frac;
    struct fl_str r = fraction(after(x, n + 1), &frac);
    if (r.ptr == x.ptr + n + 1)
        return false;
    *ns = (int64_t)sec * FL_NS_PER_SEC + frac;
    *s = r;
    return true;
}

/* Facility and level names of dmesg --decode ("kern  :warn  : "). */
static bool decode_prefix(struct fl_str *s, uint8_t *level)
{
    static const char *const fac[] = {"kern",   "user",   "mail",   "daemon", "auth",     "syslog",
                                      "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
                                      "res0",   "res1",   "res2",   "res3",   "local0",   "local1",
                                      "local2", "local3", "local4", "local5", "local6",   "local7"};
    static const char *const lev[] = {"emerg", "alert",  "crit", "err",
                                      "warn",  "notice", "info", "debug"};
    struct fl_str x = *s;
    size_t n = 0;
    while (n < x.len && (is_alpha(x.ptr[n]) || is_digit(x.ptr[n])) && n < 9)
        n++;
    struct fl_str f = fl_str_make(x.ptr, n);
    bool ok = false;
    for (size_t i = 0; i < sizeof fac / sizeof fac[0]; i++)
        ok = ok || fl_str_eq_cstr(f, fac[i]);
    if (!ok)
        return false;
    x = skip_sp(after(x, n));
    if (!x.len || x.ptr[0] != ':')
        return false;
    x = after(x, 1);
    n = 0;
    while (n < x.len && is_alpha(x.ptr[n]) && n < 7)
        n++;
    struct fl_str l = fl_str_make(x.ptr, n);
    int lv = -1;
    for (int i = 0; i < 8; i++)
        if (fl_str_eq_cstr(l, lev[i]))
            lv = i;
    if (lv < 0)
        return false;
    x = skip_sp(after(x, n));
    if (!x.len || x.ptr[0] != ':')
        return false;
    *s = skip_sp(after(x, 1));
    *level = (uint8_t)lv;
    return true;
}

/* After a stamp: "HOST IDENT: msg" (journal/syslog) or "kernel: msg" (--no-hostname).
 * any_ident: accept any identifier (syslog-style stamps); else only "kernel" or an
 * identifier with a "[pid]" (so dmesg text like "ACPI Error: ..." stays a message). */
static bool host_ident(struct fl_str s, bool any_ident, struct fl_str *host, bool *kernel,
                       struct fl_str *msg)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    const char *sp1 = memchr(p, ' ', (size_t)(end - p));
    if (!sp1)
        return false;
    struct fl_str t1 = fl_str_make(p, (size_t)(sp1 - p));
    if (fl_str_eq_cstr(t1, "kernel:")) {
        *host = FL_STR_NULL;
        *kernel = true;
        *msg = fl_str_make(sp1 + 1, (size_t)(end - sp1 - 1));
        return true;
    }
    if (!t1.len || t1.ptr[t1.len - 1] == ':' || memchr(t1.ptr, '[', t1.len))
        return false;
    const char *q = sp1 + 1;
    const char *sp2 = memchr(q, ' ', (size_t)(end - q));
    const char *te = sp2 ? sp2 : end;
    struct fl_str t2 = fl_str_make(q, (size_t)(te - q));
    if (t2.len < 2 || t2.ptr[t2.len - 1] != ':')
        return false;
    struct fl_str ident = fl_str_make(t2.ptr, t2.len - 1);
    if (memchr(ident.ptr, ':', ident.len))
        return false;
    bool with_pid = false;
    const char *lb = memchr(ident.ptr, '[', ident.len);
    if (lb) {
        if (ident.ptr[ident.len - 1] != ']' || lb == ident.ptr)
            return false;
        for (const char *d = lb + 1; d < ident.ptr + ident.len - 1; d++)
            if (!is_digit(*d))
                return false;
        with_pid = true;
        ident.len = (size_t)(lb - ident.ptr);
    }
    bool is_kernel = fl_str_eq_cstr(ident, "kernel");
    if (!any_ident && !is_kernel && !with_pid)
        return false;
    *host = t1;
    *kernel = is_kernel;
    *msg = sp2 ? fl_str_make(sp2 + 1, (size_t)(end - sp2 - 1)) : fl_str_make(end, 0);
    return true;
}

/* "[T1234] " / "[  C3] " of PRINTK_CALLER kernels. */
static struct fl_str caller_id(struct fl_str s)
{
    if (!s.len || s.ptr[0] != '[')
        return s;
    struct fl_str x = skip_sp(after(s, 1));
    if (!x.len || (x.ptr[0] != 'T' && x.ptr[0] != 'C'))
        return s;
    size_t n = 1;
    while (n < x.len && is_digit(x.ptr[n]))
        n++;
    if (n == 1 || n >= x.len || x.ptr[n] != ']')
        return s;
    return skip_sp(after(x, n + 1));
}

/* /dev/kmsg header "PRI,SEQ,USEC,FLAGS[,...];" at s. */
static bool kmsg_header(struct fl_str s, unsigned *pri, int64_t *usec, struct fl_str *msg)
{
    const char *p = s.ptr, *end = s.ptr + s.len;
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        const char *st = p;
        uint64_t x = 0;
        while (p < end && is_digit(*p) && p - st < 20) {
            x = x * 10 + (uint64_t)(*p - '0');
            p++;
        }
        if (p == st || p >= end || (*p != ',' && !(i == 2 && *p == ';')))
            return false;
        v[i] = x;
        if (*p == ';')
            break;
        p++;
        if (i == 2)
            break;
    }
    const char *semi = memchr(p, ';', (size_t)(end - p));
    if (!semi || semi - p > 128)
        return false;
    if (v[0] > 1023 || v[2] > (uint64_t)INT64_MAX / 1000)
        return false;
    *pri = (unsigned)v[0];
    *usec = (int64_t)v[2];
    *msg = fl_str_make(semi + 1, (size_t)(end - semi - 1));
    return true;
}

/* Parse the prefixes of one line. */
static void parse_line(struct kt *t, struct fl_str line, struct pline *pl)
{
    memset(pl, 0, sizeof *pl);
    pl->level = 255;
    pl->kernel = true;
    if (!line.len) {
        pl->kind = PL_SKIP;
        return;
    }
    if (is_sp(line.ptr[0])) {
        pl->kind = PL_CONT;
        pl->text = skip_sp(line);
        return;
    }
    struct fl_str s = line;
    if (t->kmsg || is_digit(s.ptr[0])) {
        unsigned pri;
        int64_t usec;
        struct fl_str msg;
        if (kmsg_header(s, &pri, &usec, &msg)) {
            pl->kind = PL_MSG;
            pl->level = (uint8_t)(pri & 7);
            pl->kernel = (pri >> 3) == 0;
            boot_rel(t, usec * 1000, pl);
            pl->text = msg;
            return;
        }
    }
    if (s.ptr[0] == '-' && starts(s, "-- ")) {
        pl->kind = PL_SKIP; /* journalctl "-- Boot ... --", "-- Reboot --", headers */
        return;
    }
    if (s.ptr[0] == '<') { /* dmesg -r "<4>" */
        size_t n = 1;
        unsigned v = 0;
        while (n < s.len && is_digit(s.ptr[n]) && n < 5)
            v = v * 10 + (unsigned)(s.ptr[n++] - '0');
        if (n > 1 && n < s.len && s.ptr[n] == '>') {
            pl->level = (uint8_t)(v & 7);
            pl->kernel = (v >> 3) == 0;
            s = after(s, n + 1);
        }
    }
    if (s.len && is_alpha(s.ptr[0]))
        (void)decode_prefix(&s, &pl->level);
    bool any_ident = false, stamped = false;
    if (s.len && s.ptr[0] == '[') {
        struct fl_str x = after(s, 1);
        int64_t rel;
        if (rel_secs(&x, &rel)) {
            boot_rel(t, rel, pl);
            stamped = true;
        } else {
            /* ctime: "Www Mon  D HH:MM:SS YYYY" */
            x = skip_sp(after(s, 1));
            size_t i = 0;
            while (i < x.len && !is_sp(x.ptr[i]) && i < 8)
                i++;
            x = skip_sp(after(x, i));
            size_t mn = 0;
            while (mn < x.len && !is_sp(x.ptr[mn]) && mn < 10)
                mn++;
            unsigned mo = fl__kl_month(fl_str_make(x.ptr, mn)), d, y;
            x = skip_sp(after(x, mn));
            int64_t sod, frac;
            if (mo && digits_12(&x, &d) && x.len && x.ptr[0] == ' ' &&
                (x = after(x, 1), hms(&x, &sod, &frac)) && x.len && x.ptr[0] == ' ' &&
                digits_n(after(x, 1), 4, &y) && d >= 1 && d <= fl_days_in_month(y, mo)) {
                x = after(x, 5);
                ensure_year(t);
                pl->ts = civil_ns(y, mo, d, sod, frac, t->year.tz_off);
                if (pl->ts == FL_TIME_NONE) {
                    pl->kind = PL_BAD;
                    pl->why = "year out of range";
                    return;
                }
                pl->clock = FL_CLOCK_WALL;
                stamped = true;
            } else {
                pl->kind = PL_BAD;
                pl->why = "unsupported bracketed stamp (dmesg --reltime or --show-delta "
                          "without a time cannot be placed in time)";
                return;
            }
        }
        x = skip_sp(x);
        if (x.len && x.ptr[0] == '<') { /* " <    0.000123>" of --show-delta */
            const char *gt = memchr(x.ptr, '>', x.len);
            if (gt)
                x = after(x, (size_t)(gt - x.ptr) + 1);
        }
        x = skip_sp(x);
        if (!x.len || x.ptr[0] != ']') {
            pl->kind = PL_BAD;
            pl->why = "bracketed stamp is not closed";
            return;
        }
        s = after(x, 1);
    } else if (s.len >= 19 && is_digit(s.ptr[0]) && s.ptr[4] == '-') {
        int64_t ns;
        size_t used;
        bool zone;
        if (fl_time_parse_rfc3339(s.ptr, s.ptr + s.len, false, &ns, &used, &zone) != 0) {
            pl->kind = PL_BAD;
            pl->why = "malformed ISO 8601 stamp";
            return;
        }
        if (!zone) {
            ensure_year(t);
            if (__builtin_sub_overflow(ns, (int64_t)t->year.tz_off * FL_NS_PER_SEC, &ns) ||
                ns == FL_TIME_NONE) {
                pl->kind = PL_BAD;
                pl->why = "malformed ISO 8601 stamp";
                return;
            }
        }
        pl->ts = ns;
        pl->clock = FL_CLOCK_WALL;
        s = after(s, used);
        stamped = true;
    } else if (s.len >= 15 && is_alpha(s.ptr[0])) {
        /* "Nov 24 10:00:03" (journalctl short, syslog) or "Tue 2026-11-24 10:00:03 UTC" */
        size_t mn = 0;
        while (mn < s.len && !is_sp(s.ptr[mn]) && mn < 10)
            mn++;
        unsigned mo = fl__kl_month(fl_str_make(s.ptr, mn)), d;
        struct fl_str x = skip_sp(after(s, mn));
        int64_t sod, frac, ns;
        int32_t off;
        bool known;
        struct fl_str rest;
        if (mo && digits_12(&x, &d) && x.len && x.ptr[0] == ' ' &&
            (x = after(x, 1), hms(&x, &sod, &frac))) {
            ensure_year(t);
            if (d < 1 || !year_for(&t->year, mo, d, sod, frac, &pl->ts)) {
                pl->kind = PL_BAD;
                pl->why = "day does not exist in that month";
                return;
            }
            pl->clock = FL_CLOCK_WALL;
            s = x;
            stamped = true;
            any_ident = true;
        } else if (full_stamp(s, &ns, &off, &known, &rest)) {
            if (!known) {
                ensure_year(t);
                if (__builtin_sub_overflow(ns, (int64_t)(t->year.tz_off - off) * FL_NS_PER_SEC,
                                           &ns) ||
                    ns == FL_TIME_NONE) {
                    pl->kind = PL_BAD;
                    pl->why = "year out of range";
                    return;
                }
            }
            pl->ts = ns;
            pl->clock = FL_CLOCK_WALL;
            s = rest;
            stamped = true;
            any_ident = true;
        }
    } else if (s.len > 18 && is_digit(s.ptr[0])) {
        /* short-unix "1732445571.551203 host kernel: " */
        size_t n = 0;
        int64_t sec = 0;
        while (n < s.len && is_digit(s.ptr[n]) && n < 12)
            sec = sec * 10 + (s.ptr[n++] - '0');
        if (n >= 9 && n <= 10 && n < s.len && s.ptr[n] == '.') {
            int64_t frac;
            struct fl_str r = fraction(after(s, n + 1), &frac);
            if (r.ptr > s.ptr + n + 1 && r.len && r.ptr[0] == ' ') {
                pl->ts = sec * FL_NS_PER_SEC + frac;
                pl->clock = FL_CLOCK_WALL;
                s = r;
                stamped = true;
                any_ident = true;
            }
        }
    }
    if (!stamped) {
        pl->kind = PL_BARE;
        pl->text = s;
        return;
    }
    s = skip_sp(s);
    struct fl_str host, msg;
    bool kernel;
    if (host_ident(s, any_ident, &host, &kernel, &msg)) {
        pl->host = host;
        pl->kernel = pl->kernel && kernel;
        s = msg;
        /* rsyslog's imklog kept the kernel's own stamp: "kernel: [ 123.456789] msg" */
        if (s.len && s.ptr[0] == '[') {
            struct fl_str x = after(s, 1);
            int64_t rel;
            if (rel_secs(&x, &rel) && x.len && x.ptr[0] == ']')
                s = skip_sp(after(x, 1));
        }
    } else if (any_ident) {
        pl->kind = PL_BAD;
        pl->why = "journal or syslog line without \"host identifier:\" after its stamp";
        return;
    }
    pl->kind = PL_MSG;
    pl->text = caller_id(s);
}

/* ---- feeding ------------------------------------------------------------------------ */

static uint32_t host_node(struct kt *t, struct fl_str host)
{
    if (!host.len || fl_str_eq_cstr(host, "localhost") ||
        fl_str_eq_cstr(host, "localhost.localdomain") || fl_str_eq_cstr(host, "(none)"))
        return 0;
    if (t->last_host_id && fl_str_eq(host, t->last_host))
        return t->last_host_id;
    uint32_t id = fl_ingest_intern(t->ctx, host);
    if (id == FL_INTERN_FAIL) {
        t->kl->err = FL_ENOMEM;
        return 0;
    }
    t->last_host = host;
    t->last_host_id = id;
    if (!t->node_set) {
        t->node_set = true;
        fl__kl_set_input_node(t->ctx, id);
    }
    return id;
}

/* kmsg escapes unprintable bytes as \xNN: decode into the arena (only for lines fed). */
static struct fl_str kmsg_unescape(struct kt *t, struct fl_str s)
{
    if (!memchr(s.ptr, '\\', s.len))
        return s;
    char *o = fl_arena_alloc(t->ctx->arena, s.len ? s.len : 1, 1);
    if (!o) {
        t->kl->err = FL_ENOMEM;
        return s;
    }
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '\\' && i + 3 < s.len + 0 && s.ptr[i + 1] == 'x') {
            int v = 0, ok = 1;
            for (int j = 2; j < 4; j++) {
                char h = s.ptr[i + (size_t)j];
                int d = is_digit(h)              ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0)
                    ok = 0;
                v = v * 16 + d;
            }
            if (ok) {
                o[n++] = (char)v;
                i += 3;
                continue;
            }
        }
        o[n++] = c;
    }
    return fl_str_make(o, n);
}

static void feed(struct kt *t, const struct pline *pl, struct fl_str raw, uint32_t lineno)
{
    struct fl_kmsg m = {
        .text = pl->text,
        .raw = raw,
        .ts = pl->ts,
        .clock = pl->clock,
        .level = pl->level,
        .line = lineno,
    };
    m.node = host_node(t, pl->host);
    if (t->kmsg) {
        struct fl_str text = kmsg_unescape(t, pl->text);
        /* a decoded multi-line message is fed line by line; each line is its own raw
         * text then, so events of one record keep distinct uids */
        const char *p = text.ptr, *e = text.ptr + text.len;
        bool multi = memchr(text.ptr, '\n', text.len) != NULL;
        while (p <= e && !t->kl->err) {
            const char *nl = memchr(p, '\n', (size_t)(e - p));
            const char *le = nl ? nl : e;
            m.text = fl_str_make(p, (size_t)(le - p));
            if (multi)
                m.raw = m.text;
            (void)fl_kl_feed(t->kl, &m);
            if (!nl)
                break;
            p = nl + 1;
        }
        return;
    }
    (void)fl_kl_feed(t->kl, &m);
}

static void skip_line(struct kt *t, uint32_t lineno, const char *why)
{
    if (!t->kl->err && fl_ingest_skip(t->ctx, lineno, 0, why))
        t->kl->err = FL_ENOMEM;
}

/* The record a continuation line belongs to: the nearest line above that is not indented. */
static bool cont_parent(struct kt *t, const char *line_start, struct pline *out)
{
    const char *p = line_start;
    for (int n = 0; n < KL_CONT_LOOKBACK && p > t->buf; n++) {
        const char *e = p - 1; /* the '\n' ending the previous line */
        const char *b = e;
        while (b > t->buf && b[-1] != '\n')
            b--;
        struct fl_str l = fl_str_make(b, (size_t)(e - b));
        if (l.len && l.ptr[l.len - 1] == '\r')
            l.len--;
        if (l.len && !is_sp(l.ptr[0])) {
            parse_line(t, l, out);
            return out->kind == PL_MSG;
        }
        p = b;
    }
    return false;
}

static void process_line(struct kt *t, const char *b, const char *e, uint32_t lineno)
{
    struct fl_str line = fl_str_make(b, (size_t)(e - b));
    if (line.len && line.ptr[line.len - 1] == '\r')
        line.len--;
    if (line.len > KL_MAX_LINE) {
        skip_line(t, lineno, "line longer than 64 KiB is not read");
        return;
    }
    struct pline pl;
    parse_line(t, line, &pl);
    switch (pl.kind) {
    case PL_SKIP:
        return;
    case PL_MSG:
        if (pl.kernel)
            feed(t, &pl, line, lineno);
        return;
    case PL_CONT: {
        if (t->kmsg)
            return; /* " KEY=value" dictionary lines of /dev/kmsg */
        struct pline parent;
        if (t->bare) {
            pl.kind = PL_BARE;
            pl.clock = FL_CLOCK_NONE;
            feed(t, &pl, line, lineno);
            return;
        }
        if (!cont_parent(t, b, &parent)) {
            if (fl_kl_has_needle(pl.text.ptr, pl.text.ptr + pl.text.len))
                skip_line(t, lineno, "indented line with no timestamped record above it");
            return;
        }
        if (!parent.kernel)
            return;
        parent.text = pl.text;
        feed(t, &parent, line, lineno);
        return;
    }
    case PL_BARE:
        if (t->bare) {
            pl.clock = FL_CLOCK_NONE;
            feed(t, &pl, line, lineno);
        } else if (fl_kl_has_needle(pl.text.ptr, pl.text.ptr + pl.text.len)) {
            skip_line(t, lineno, "no timestamp: the line does not start with a kernel log stamp");
        }
        return;
    case PL_BAD:
        if (fl_kl_has_needle(line.ptr, line.ptr + line.len) || fl_kl_hungry(t->kl))
            skip_line(t, lineno, pl.why);
        return;
    }
}

/* Does any of the first lines carry a stamp (else the text is bare messages)? Also tells
 * /dev/kmsg apart. */
static void detect_mode(struct kt *t)
{
    struct fl_scan sc = fl_scan_make(
        t->buf, t->end - t->buf > (ptrdiff_t)KL_SNIFF_BYTES ? t->buf + KL_SNIFF_BYTES : t->end);
    struct fl_str line;
    int seen = 0, stamped = 0, kmsg = 0;
    while (seen < KL_SNIFF_LINES && fl_scan_line(&sc, &line)) {
        if (!line.len || is_sp(line.ptr[0]))
            continue;
        seen++;
        unsigned pri;
        int64_t usec;
        struct fl_str msg;
        if (kmsg_header(line, &pri, &usec, &msg)) {
            kmsg++;
            continue;
        }
        struct pline pl;
        struct kt probe = *t;
        probe.year_done = true; /* do not stat or read the clock while probing */
        probe.year.ref_ns = 0;
        parse_line(&probe, line, &pl);
        if (pl.kind == PL_MSG || pl.kind == PL_SKIP || pl.kind == PL_BAD)
            stamped++;
    }
    t->kmsg = seen > 0 && kmsg * 2 > seen;
    t->bare = seen > 0 && stamped == 0 && !t->kmsg;
}

/* Count the lines of [p, to) (whole lines: to is a line start or the end), skipping the
 * ones longer than KL_MAX_LINE by number; returns the line number at to. */
static uint32_t advance(struct kt *t, const char *p, const char *to, uint32_t lineno)
{
    while (p < to && !t->kl->err) {
        const char *long_at;
        size_t n = fl_kl_lines(p, to, KL_MAX_LINE, &long_at);
        if (!long_at)
            return lineno + (uint32_t)n;
        uint32_t ln = lineno + (uint32_t)fl_kl_lines(p, long_at, SIZE_MAX, NULL);
        skip_line(t, ln, "line longer than 64 KiB is not read");
        const char *nl = memchr(long_at, '\n', (size_t)(to - long_at));
        if (!nl)
            return ln;
        lineno = ln + 1;
        p = nl + 1;
    }
    return lineno;
}

int fl__kernel_text_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len,
                          const struct fl_kl_text_opts *opts)
{
    struct fl_kl own;
    struct fl_kl *kl = opts && opts->kl ? opts->kl : &own;
    if (kl == &own)
        fl_kl_init(&own, ctx);
    struct kt t = {
        .ctx = ctx,
        .kl = kl,
        .buf = buf,
        .end = buf + len,
        .boot_ns = opts ? opts->boot_ns : ctx->boot_ns,
        .node_set = opts && opts->node_named,
    };
    if (opts && opts->year) {
        t.year = *opts->year;
        t.year_done = true;
    }
    detect_mode(&t);
    const char *p = buf, *end = buf + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    uint32_t lineno = opts && opts->first_line ? opts->first_line : 1;
    while (p < end && !kl->err) {
        if (fl_kl_hungry(kl)) { /* an AER report is open: every line counts */
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            process_line(&t, p, le, lineno++);
            p = nl ? nl + 1 : end;
            continue;
        }
        size_t nls;
        const char *long_at;
        const char *cand = fl_kl_scan_count(p, end, KL_MAX_LINE, &nls, &long_at);
        if (cand == end) {
            if (long_at)
                (void)advance(&t, p, end, lineno); /* rare: number the long lines exactly */
            break;
        }
        const char *ls = cand;
        while (ls > p && ls[-1] != '\n')
            ls--;
        if (long_at && long_at < ls)
            lineno = advance(&t, p, ls, lineno);
        else
            lineno += (uint32_t)nls;
        const char *nl = memchr(cand, '\n', (size_t)(end - cand));
        const char *le = nl ? nl : end;
        process_line(&t, ls, le, lineno++);
        p = nl ? nl + 1 : end;
    }
    if (kl == &own)
        (void)fl_kl_finish(&own);
    return kl->err;
}

/* ---- sniffing ----------------------------------------------------------------------- */

enum sniff_class { SC_OTHER, SC_KERNEL, SC_JOURNAL, SC_ISO, SC_BARE_GPU };

static enum sniff_class classify(struct fl_str line)
{
    struct kt t = {.boot_ns = FL_TIME_NONE, .year_done = true};
    t.buf = line.ptr;
    t.end = line.ptr + line.len;
    unsigned pri;
    int64_t usec;
    struct fl_str msg;
    if (kmsg_header(line, &pri, &usec, &msg))
        return SC_KERNEL;
    if (starts(line, "-- Logs begin at ") || starts(line, "-- Journal begins at ") ||
        starts(line, "-- Boot ") || starts(line, "-- Reboot --") ||
        starts(line, "-- No entries --"))
        return SC_JOURNAL;
    struct pline pl;
    parse_line(&t, line, &pl);
    if (pl.kind == PL_BARE)
        return (starts(line, "NVRM: ") || starts(line, "nvidia-nvswitch")) ? SC_BARE_GPU : SC_OTHER;
    if (pl.kind != PL_MSG)
        return SC_OTHER;
    if (pl.host.len)
        return SC_JOURNAL;
    if (line.ptr[0] == '[' || line.ptr[0] == '<')
        return SC_KERNEL;
    if (is_alpha(line.ptr[0]))
        return is_digit(line.ptr[0]) ? SC_ISO : SC_KERNEL; /* decode prefix */
    /* dmesg --time-format iso writes a comma before the microseconds */
    if (line.len > 20 && line.ptr[19] == ',')
        return SC_KERNEL;
    return SC_ISO;
}

static int kernel_log_sniff(const char *buf, size_t len, struct fl_str path)
{
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    size_t lim = len < KL_SNIFF_BYTES ? len : KL_SNIFF_BYTES;
    if (lim && memchr(buf, '\0', lim < 4096 ? lim : 4096))
        return 0; /* binary */
    struct fl_scan sc = fl_scan_make(buf, buf + lim);
    struct fl_str line;
    int n = 0, k = 0, j = 0, iso = 0, bare = 0;
    while (n < KL_SNIFF_LINES && fl_scan_line(&sc, &line)) {
        if (!line.len || is_sp(line.ptr[0]))
            continue;
        /* the last line of the window may be cut */
        if (sc.p >= buf + lim && lim < len)
            break;
        n++;
        switch (classify(line)) {
        case SC_KERNEL:
            k++;
            break;
        case SC_JOURNAL:
            j++;
            break;
        case SC_ISO:
            iso++;
            break;
        case SC_BARE_GPU:
            bare++;
            break;
        default:
            break;
        }
    }
    if (n == 0)
        return 0;
    int score = 0;
    if ((k + j) * 10 >= n * 6)
        score = 80;
    else if ((k + j + iso) * 10 >= n * 6)
        score = k + j ? 60 : 45;
    else if ((bare + k + j) * 2 >= n && bare)
        score = 35;
    if (score && (fl_str_find(path, FL_STR_LIT("dmesg")) >= 0 ||
                  fl_str_find(path, FL_STR_LIT("kern")) >= 0 ||
                  fl_str_find(path, FL_STR_LIT("journal")) >= 0 ||
                  fl_str_find(path, FL_STR_LIT("syslog")) >= 0 ||
                  fl_str_find(path, FL_STR_LIT("messages")) >= 0 ||
                  fl_str_find(path, FL_STR_LIT("kmsg")) >= 0))
        score += 5;
    return score;
}

/* ---- nvidia-bug-report.log (uncompressed): kernel_gz.c reads its sections ---------- */

int fl__bug_report_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len);
bool fl__bug_report_sniff(const char *buf, size_t len);

static int kernel_log_sniff_all(const char *buf, size_t len, struct fl_str path)
{
    if (fl__bug_report_sniff(buf, len))
        return 95;
    return kernel_log_sniff(buf, len, path);
}

static int kernel_log_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    if (fl__bug_report_sniff(buf, len))
        return fl__bug_report_parse(ctx, buf, len);
    return fl__kernel_text_parse(ctx, buf, len, NULL);
}

const struct fl_parser fl_parser_kernel_log = {
    .name = "kernel-log",
    .summary = "kernel logs as text: dmesg (raw, -T, iso, -x, -r, -t), journalctl -k short*, "
               "syslog files, /dev/kmsg records, nvidia-bug-report.log",
    .sniff = kernel_log_sniff_all,
    .parse = kernel_log_parse,
};

/* ==== journal entries: shared by journalctl -o json / export and binary journals ======= */

/* A kernel record: _TRANSPORT=kernel (journald read it from /dev/kmsg), or
 * SYSLOG_IDENTIFIER=kernel (relayed through syslog or the native protocol), or neither
 * field (a hand-made dump). */
static bool jentry_kernel(const struct fl_jentry *e)
{
    if (!e->transport.len && !e->ident.len)
        return true;
    return fl_str_eq_cstr(e->transport, "kernel") || fl_str_eq_cstr(e->ident, "kernel");
}

static struct fl_str arena_copy(struct fl_jfeed *jf, struct fl_str s)
{
    char *c = fl_arena_strndup_copy(jf->ctx->arena, s.ptr, s.len);
    if (!c) {
        jf->kl->err = FL_ENOMEM;
        return FL_STR_NULL;
    }
    return fl_str_make(c, s.len);
}

void fl__journal_entry(struct fl_jfeed *jf, const struct fl_jentry *e, bool copy)
{
    struct fl_kl *kl = jf->kl;
    if (kl->err || !jentry_kernel(e) || !e->message.len)
        return;
    if (!fl_kl_hungry(kl) && !fl_kl_has_needle(e->message.ptr, e->message.ptr + e->message.len))
        return;
    struct fl_kmsg m = {
        .level = e->priority >= 0 && e->priority <= 7 ? (uint8_t)e->priority : 255,
        .line = e->line,
        .offset = e->offset,
    };
    if (e->realtime_us >= 0 && e->realtime_us <= INT64_MAX / FL_NS_PER_US) {
        int64_t us = e->realtime_us;
        if (e->monotonic_us >= 0 && e->source_mono_us >= 0 && e->monotonic_us <= us &&
            e->source_mono_us <= INT64_MAX / FL_NS_PER_US - (us - e->monotonic_us))
            us = us - e->monotonic_us + e->source_mono_us;
        m.ts = us * FL_NS_PER_US;
        m.clock = FL_CLOCK_WALL;
    } else if ((e->source_mono_us >= 0 || e->monotonic_us >= 0) &&
               (e->source_mono_us >= 0 ? e->source_mono_us : e->monotonic_us) <=
                   INT64_MAX / FL_NS_PER_US / 2) {
        int64_t rel = (e->source_mono_us >= 0 ? e->source_mono_us : e->monotonic_us) * 1000;
        if (jf->ctx->boot_ns != FL_TIME_NONE) {
            m.ts = jf->ctx->boot_ns + rel;
            m.clock = FL_CLOCK_WALL;
        } else {
            m.ts = rel;
            m.clock = FL_CLOCK_BOOT;
        }
    } else {
        m.ts = FL_TIME_NONE;
        m.clock = FL_CLOCK_NONE;
    }
    struct fl_str host = e->host;
    if (host.len && !fl_str_eq_cstr(host, "localhost") &&
        !fl_str_eq_cstr(host, "localhost.localdomain")) {
        if (jf->last_host_id && fl_str_eq(host, jf->last_host)) {
            m.node = jf->last_host_id;
        } else {
            if (copy && !(host = arena_copy(jf, host)).ptr)
                return;
            uint32_t id = fl_ingest_intern(jf->ctx, host);
            if (id == FL_INTERN_FAIL) {
                kl->err = FL_ENOMEM;
                return;
            }
            jf->last_host = host;
            jf->last_host_id = id;
            m.node = id;
            if (!jf->node_set) {
                jf->node_set = true;
                fl__kl_set_input_node(jf->ctx, id);
            }
        }
    }
    struct fl_str msg = e->message;
    if (copy && !(msg = arena_copy(jf, msg)).ptr)
        return;
    const char *p = msg.ptr, *end = msg.ptr + msg.len;
    while (p < end && !kl->err) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        m.text = fl_str_make(p, (size_t)(le - p));
        m.raw = m.text;
        (void)fl_kl_feed(kl, &m);
        p = nl ? nl + 1 : end;
    }
}

/* ---- journalctl -o json (one object per line), json-seq (RS-prefixed), json-pretty --- */

#define JJ_MAX_OBJECT (16u * 1024u * 1024u)

/* MESSAGE as a string, an array of byte values (not UTF-8), or an array of either (a field
 * with several values: the first). false with *why set when unusable. */
static bool json_message(struct fl_jfeed *jf, const struct fl_json *j, int v, struct fl_str *out,
                         const char **why)
{
    bool oom = false;
    if (fl_json_is_null(j, v)) {
        *why = "\"MESSAGE\": null (the value was over journalctl's data threshold)";
        return false;
    }
    if (fl_json_is_string(j, v)) {
        if (!fl_json_str(j, v, jf->ctx->arena, out, &oom)) {
            if (oom)
                jf->kl->err = FL_ENOMEM;
            *why = "\"MESSAGE\": invalid string";
            return false;
        }
        return true;
    }
    if (!fl_json_is_array(j, v)) {
        *why = "\"MESSAGE\": neither a string nor an array of bytes";
        return false;
    }
    int n = j->tok[v].size;
    if (n > 0 && (fl_json_is_string(j, v + 1) || fl_json_is_array(j, v + 1)))
        return json_message(jf, j, v + 1, out, why); /* several values: the first */
    char *buf = fl_arena_alloc(jf->ctx->arena, n > 0 ? (size_t)n : 1, 1);
    if (!buf) {
        jf->kl->err = FL_ENOMEM;
        return false;
    }
    int k = v + 1;
    for (int i = 0; i < n; i++) {
        int64_t b;
        if (!fl_json_i64(j, k, false, &b) || b < 0 || b > 255) {
            *why = "\"MESSAGE\": byte array holds a value that is not 0-255";
            return false;
        }
        buf[i] = (char)b;
        k = fl_json_skip(j, k);
    }
    *out = fl_str_make(buf, (size_t)n);
    return true;
}

static struct fl_str json_field_str(const struct fl_json *j, int obj, const char *key)
{
    int v = fl_json_get(j, obj, key);
    if (v < 0 || !fl_json_is_string(j, v))
        return FL_STR_NULL;
    return fl_json_raw(j, v); /* journald field values here never need unescaping */
}

static int64_t json_field_i64(const struct fl_json *j, int obj, const char *key)
{
    int v = fl_json_get(j, obj, key);
    int64_t x;
    if (v < 0 || !fl_json_i64(j, v, true, &x) || x < 0)
        return -1;
    return x;
}

static void json_object(struct fl_jfeed *jf, struct fl_json_parser *jp, struct fl_str obj,
                        uint32_t lineno)
{
    struct fl_json j;
    size_t pos = 0;
    const char *jwhy = NULL;
    int rc = fl_json_parse(jp, obj.ptr, obj.len, &j, &pos, &jwhy);
    if (rc == FL_ENOMEM) {
        jf->kl->err = FL_ENOMEM;
        return;
    }
    char why[160];
    if (rc == FL_ELIMIT) {
        if (fl_ingest_skip(jf->ctx, lineno, 0,
                           "JSON record too large (over a million values or nested too deep)"))
            jf->kl->err = FL_ENOMEM;
        return;
    }
    if (rc) {
        snprintf(why, sizeof why, "invalid JSON at column %zu: %s", pos + 1,
                 jwhy ? jwhy : (rc == FL_ETRUNC ? "the object is cut short" : "syntax error"));
        if (fl_ingest_skip(jf->ctx, lineno, 0, why))
            jf->kl->err = FL_ENOMEM;
        return;
    }
    if (!fl_json_is_object(&j, 0)) {
        if (fl_ingest_skip(jf->ctx, lineno, 0, "not a JSON object"))
            jf->kl->err = FL_ENOMEM;
        return;
    }
    struct fl_jentry e = {.line = lineno, .priority = -1};
    int mv = fl_json_get(&j, 0, "MESSAGE");
    if (mv < 0)
        return; /* entries without a message (journald's own records) carry nothing */
    e.transport = json_field_str(&j, 0, "_TRANSPORT");
    e.ident = json_field_str(&j, 0, "SYSLOG_IDENTIFIER");
    if (!jentry_kernel(&e))
        return;
    const char *mwhy = NULL;
    if (!json_message(jf, &j, mv, &e.message, &mwhy)) {
        if (!jf->kl->err && fl_ingest_skip(jf->ctx, lineno, 0, mwhy))
            jf->kl->err = FL_ENOMEM;
        return;
    }
    e.host = json_field_str(&j, 0, "_HOSTNAME");
    e.realtime_us = json_field_i64(&j, 0, "__REALTIME_TIMESTAMP");
    e.monotonic_us = json_field_i64(&j, 0, "__MONOTONIC_TIMESTAMP");
    e.source_mono_us = json_field_i64(&j, 0, "_SOURCE_MONOTONIC_TIMESTAMP");
    int64_t pr = json_field_i64(&j, 0, "PRIORITY");
    e.priority = pr >= 0 && pr <= 7 ? (int)pr : -1;
    if (e.realtime_us < 0 && e.monotonic_us < 0 && e.source_mono_us < 0 &&
        fl_json_get(&j, 0, "__REALTIME_TIMESTAMP") >= 0) {
        if (fl_ingest_skip(jf->ctx, lineno, 0,
                           "\"__REALTIME_TIMESTAMP\": not a number of microseconds"))
            jf->kl->err = FL_ENOMEM;
        return;
    }
    fl__journal_entry(jf, &e, false);
}

/* End of the JSON object starting at p ('{'), string-aware; NULL when it does not end. */
static const char *object_end(const char *p, const char *end)
{
    int depth = 0;
    bool str = false;
    for (const char *q = p; q < end; q++) {
        char c = *q;
        if (str) {
            if (c == '\\')
                q++;
            else if (c == '"')
                str = false;
            continue;
        }
        if (c == '"')
            str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return q + 1;
    }
    return NULL;
}

static uint32_t count_nl(const char *p, const char *e)
{
    uint32_t n = 0;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

static int journal_json_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fl_kl kl;
    fl_kl_init(&kl, ctx);
    struct fl_jfeed jf = {.ctx = ctx, .kl = &kl};
    struct fl_json_parser jp;
    fl_json_parser_init(&jp, 1u << 20);
    const char *p = buf, *end = buf + len;
    uint32_t lineno = 1;
    while (p < end && !kl.err) {
        /* skip blank space and json-seq's record separators */
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == 0x1e)) {
            if (*p == '\n')
                lineno++;
            p++;
        }
        if (p >= end)
            break;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (*p != '{') {
            if (fl_ingest_skip(ctx, lineno, 0, "not a JSON object"))
                kl.err = FL_ENOMEM;
            p = le;
            continue;
        }
        /* one object per line (json, json-seq); json-pretty spreads one over many */
        struct fl_str line = fl_str_make(p, (size_t)(le - p));
        while (line.len && (line.ptr[line.len - 1] == '\r' || line.ptr[line.len - 1] == ' '))
            line.len--;
        const char *oe = NULL;
        if (!(line.len == 1 && line.ptr[0] == '{'))
            oe = le; /* one object per line (a cut one fails to parse: one skip) */
        else {       /* json-pretty: "{" alone opens an object spread over lines */
            oe = object_end(p, end);
            if (!oe || oe - p > (ptrdiff_t)JJ_MAX_OBJECT) {
                if (fl_ingest_skip(ctx, lineno, 0,
                                   oe ? "JSON object longer than 16 MiB is not read"
                                      : "JSON object is cut short at the end of the input"))
                    kl.err = FL_ENOMEM;
                p = oe ? oe : end;
                continue;
            }
        }
        struct fl_str obj = fl_str_make(p, (size_t)(oe - p));
        while (obj.len && (obj.ptr[obj.len - 1] == '\r' || obj.ptr[obj.len - 1] == ' '))
            obj.len--;
        /* prefilter: a needle in the object's text, or a byte-array MESSAGE, or an open
         * AER report that needs every entry */
        if (fl_kl_hungry(&kl) || fl_kl_has_needle(obj.ptr, obj.ptr + obj.len) ||
            fl_str_find(obj, FL_STR_LIT("\"MESSAGE\":[")) >= 0 ||
            fl_str_find(obj, FL_STR_LIT("\"MESSAGE\" : [")) >= 0)
            json_object(&jf, &jp, obj, lineno);
        lineno += count_nl(p, oe);
        p = oe;
    }
    fl_json_parser_release(&jp);
    (void)fl_kl_finish(&kl);
    return kl.err;
}

/* ---- journalctl -o export ------------------------------------------------------------ */

static int64_t export_u64(struct fl_str v)
{
    uint64_t x;
    if (!fl_str_to_u64(v, &x) || x > (uint64_t)INT64_MAX)
        return -1;
    return (int64_t)x;
}

static int journal_export_parse(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fl_kl kl;
    fl_kl_init(&kl, ctx);
    struct fl_jfeed jf = {.ctx = ctx, .kl = &kl};
    const char *p = buf, *end = buf + len;
    uint32_t lineno = 1;
    while (p < end && !kl.err) {
        struct fl_jentry e = {.priority = -1,
                              .realtime_us = -1,
                              .monotonic_us = -1,
                              .source_mono_us = -1,
                              .line = lineno};
        bool any = false, bad = false;
        const char *why = NULL;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            if (le == p) { /* blank line: end of entry */
                p = nl ? nl + 1 : end;
                lineno++;
                break;
            }
            any = true;
            const char *eq = memchr(p, '=', (size_t)(le - p));
            struct fl_str name, val;
            if (eq) {
                name = fl_str_make(p, (size_t)(eq - p));
                val = fl_str_make(eq + 1, (size_t)(le - eq - 1));
                p = nl ? nl + 1 : end;
                lineno++;
            } else {
                /* binary field: NAME\n, little-endian 64-bit size, data, \n */
                name = fl_str_make(p, (size_t)(le - p));
                const char *d = nl ? nl + 1 : end;
                if (end - d < 8) {
                    bad = true;
                    why = "export field cut short before its 64-bit size";
                    p = end;
                    break;
                }
                uint64_t n = 0;
                for (int i = 7; i >= 0; i--)
                    n = n << 8 | (unsigned char)d[i];
                d += 8;
                if (n > (uint64_t)(end - d)) {
                    bad = true;
                    why = "export binary field is longer than the rest of the input";
                    p = end;
                    break;
                }
                val = fl_str_make(d, (size_t)n);
                lineno += 1 + count_nl(d, d + n);
                d += n;
                if (d < end && *d == '\n') {
                    d++;
                    lineno++;
                }
                p = d;
            }
            if (fl_str_eq_cstr(name, "MESSAGE"))
                e.message = val;
            else if (fl_str_eq_cstr(name, "_HOSTNAME"))
                e.host = val;
            else if (fl_str_eq_cstr(name, "_TRANSPORT"))
                e.transport = val;
            else if (fl_str_eq_cstr(name, "SYSLOG_IDENTIFIER"))
                e.ident = val;
            else if (fl_str_eq_cstr(name, "__REALTIME_TIMESTAMP"))
                e.realtime_us = export_u64(val);
            else if (fl_str_eq_cstr(name, "__MONOTONIC_TIMESTAMP"))
                e.monotonic_us = export_u64(val);
            else if (fl_str_eq_cstr(name, "_SOURCE_MONOTONIC_TIMESTAMP"))
                e.source_mono_us = export_u64(val);
            else if (fl_str_eq_cstr(name, "PRIORITY")) {
                int64_t pr = export_u64(val);
                e.priority = pr >= 0 && pr <= 7 ? (int)pr : -1;
            }
        }
        if (bad) {
            if (fl_ingest_skip(ctx, e.line, 0, why))
                kl.err = FL_ENOMEM;
            break;
        }
        if (any && e.message.len)
            fl__journal_entry(&jf, &e, false);
    }
    (void)fl_kl_finish(&kl);
    return kl.err;
}

/* ---- one parser for both journal text dumps ------------------------------------------ */

static bool is_export(const char *buf, size_t len)
{
    struct fl_str s = fl_str_make(buf, len < 4096 ? len : 4096);
    if (starts(s, "__CURSOR=") || starts(s, "__REALTIME_TIMESTAMP="))
        return true;
    /* a hand-made export may start with any field; it still has these near the top */
    return s.len && ((*s.ptr >= 'A' && *s.ptr <= 'Z') || *s.ptr == '_') &&
           fl_str_find(s, FL_STR_LIT("\n__REALTIME_TIMESTAMP=")) >= 0 &&
           fl_str_find(s, FL_STR_LIT("\nMESSAGE")) >= 0;
}

static int journal_json_sniff(const char *buf, size_t len, struct fl_str path)
{
    (void)path;
    if (is_export(buf, len))
        return 90;
    size_t i = 0;
    while (i < len &&
           (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n' || buf[i] == 0x1e))
        i++;
    if (i >= len || buf[i] != '{')
        return 0;
    struct fl_str head = fl_str_make(buf + i, len - i < 8192 ? len - i : 8192);
    bool rt = fl_str_find(head, FL_STR_LIT("\"__REALTIME_TIMESTAMP\"")) >= 0;
    bool cur = fl_str_find(head, FL_STR_LIT("\"__CURSOR\"")) >= 0;
    bool msg = fl_str_find(head, FL_STR_LIT("\"MESSAGE\"")) >= 0;
    bool boot = fl_str_find(head, FL_STR_LIT("\"_BOOT_ID\"")) >= 0;
    if ((rt || cur) && msg)
        return 90;
    if (msg && boot)
        return 70;
    return 0;
}

static int journal_json_parse_any(struct fl_parse_ctx *ctx, const char *buf, size_t len)
{
    if (is_export(buf, len))
        return journal_export_parse(ctx, buf, len);
    return journal_json_parse(ctx, buf, len);
}

const struct fl_parser fl_parser_journal_json = {
    .name = "journal-json",
    .summary = "journalctl -o json / json-seq / json-pretty / export: kernel records",
    .sniff = journal_json_sniff,
    .parse = journal_json_parse_any,
};
