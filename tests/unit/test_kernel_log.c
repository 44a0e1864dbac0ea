/* Kernel-log containers (src/ingest/kernel_log.c, kernel_gz.c): every stamp style of dmesg,
 * journalctl's short formats, syslog files, /dev/kmsg, journalctl -o json / export, gzip and
 * nvidia-bug-report.log, on the real samples in tests/unit/data/kernel (SOURCES.md there);
 * year inference, boot time, node rules, sniffing, bad input, every truncation length and
 * the allocation-failure loop. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/time.h"

#define DATA FL_SOURCE_DIR "/tests/unit/data/kernel/"

/* ---- helpers -------------------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    *len = got;
    return buf;
}

struct run {
    struct fl_engine *e;
    const struct fl_window *w;
    const struct fl_input *in;
    uint64_t skipped;
};

static struct run run_buf(const char *name, const char *buf, size_t len, const char *format,
                          int64_t boot_ns)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    o.boot_ns = boot_ns;
    struct run r = {0};
    r.e = fl_engine_new(&o, NULL);
    cr_assert_not_null(r.e);
    cr_assert_eq(fl_engine_add_buffer(r.e, name, buf, len, NULL), 0);
    cr_assert_eq(fl_engine_ingest(r.e, NULL), 0);
    r.w = fl_engine_window(r.e);
    size_t n;
    r.in = fl_engine_inputs(r.e, &n);
    const struct fl_skip *s = fl_engine_skips(r.e, &n, &r.skipped);
    (void)s;
    return r;
}

static struct run run_file(const char *file, int64_t boot_ns)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.boot_ns = boot_ns;
    struct run r = {0};
    r.e = fl_engine_new(&o, NULL);
    cr_assert_not_null(r.e);
    cr_assert_eq(fl_engine_add_path(r.e, file, NULL), 0);
    cr_assert_eq(fl_engine_ingest(r.e, NULL), 0);
    r.w = fl_engine_window(r.e);
    size_t n;
    r.in = fl_engine_inputs(r.e, &n);
    fl_engine_skips(r.e, &n, &r.skipped);
    return r;
}

static size_t nkind(const struct run *r, enum fl_event_kind k)
{
    return fl_window_kind(r->w, k).n;
}

static const struct fl_event *at_line(const struct run *r, enum fl_event_kind k, uint32_t line)
{
    struct fl_evlist l = fl_window_kind(r->w, k);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i]->src.line == line)
            return l.v[i];
    cr_assert_fail("no %s event at line %u", fl_event_kind_name(k), line);
    return NULL;
}

static bool str_is(struct fl_str s, const char *want)
{
    return s.len == strlen(want) && (s.len == 0 || memcmp(s.ptr, want, s.len) == 0);
}

static int64_t rfc3339(const char *s)
{
    int64_t ns;
    cr_assert_eq(fl_time_parse_rfc3339(s, s + strlen(s), true, &ns, NULL, NULL), 0, "%s", s);
    return ns;
}

static const char *skip_reason(const struct run *r, size_t i, uint32_t *line)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(r->e, &n, &total);
    if (i >= n)
        return NULL;
    if (line)
        *line = s[i].line;
    return s[i].reason;
}

/* ---- dmesg ---------------------------------------------------------------------------- */

FL_TEST(kernel_log, dmesg_raw_boot_relative_and_with_boot_time)
{
    struct run r = run_file(DATA "synthetic-dmesg-aer-xid79.txt", FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "kernel-log");
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_PCIE_AER), 3);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    const struct fl_event *x = at_line(&r, FL_EV_XID, 17);
    cr_assert_eq(x->clock, FL_CLOCK_BOOT);
    cr_assert_eq(x->ts, 9078000001000LL);
    fl_engine_free(r.e);

    int64_t boot = rfc3339("2026-11-24T16:00:00Z");
    r = run_file(DATA "synthetic-dmesg-aer-xid79.txt", boot);
    x = at_line(&r, FL_EV_XID, 17);
    cr_assert_eq(x->clock, FL_CLOCK_WALL);
    cr_assert_eq(x->ts, boot + 9078000001000LL);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_ctime_gsp_timeout_capture)
{
    struct run r = run_file(DATA "gpud-dmesg-T-xid119-gsp-timeout.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 5);
    const struct fl_event *x = at_line(&r, FL_EV_XID, 3);
    cr_assert_eq(x->u.xid.code, 119);
    cr_assert_eq(x->u.xid.pid, 2024380);
    cr_assert(str_is(x->u.xid.process, "nvidia-smi"));
    cr_assert_eq(x->ts, rfc3339("2025-02-23T16:24:18Z")); /* local time read as UTC */
    cr_assert_str_eq(fl_window_str(r.w, x->gpu.uuid), "GPU-509665ad-b600-ac93-3616-d754b23d636d");
    /* the RPC history tables are rows of the message above them, not records */
    for (size_t i = 0; i < nkind(&r, FL_EV_LOG); i++) {
        const struct fl_event *l = fl_window_kind(r.w, FL_EV_LOG).v[i];
        cr_assert(!str_is(fl_str_sub(l->u.log.text, 0, 9), "NVRM:    "));
    }
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_decode_iso)
{
    struct run r = run_file(DATA "gpud-dmesg-decode-iso-xid13-43.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 26);
    const struct fl_event *x = at_line(&r, FL_EV_XID, 1);
    cr_assert_eq(x->ts, rfc3339("2025-01-21T02:21:33.498559Z"));
    cr_assert_eq(x->u.xid.code, 13);
    cr_assert_eq(x->u.xid.pid, -1);
    cr_assert_eq(x->u.xid.process.len, 0);
    const struct fl_event *last = at_line(&r, FL_EV_XID, 26);
    cr_assert_eq(last->u.xid.code, 43);
    cr_assert(str_is(last->u.xid.process, "pt_main_thread"));
    fl_engine_free(r.e);
    /* a segfault in libnccl is not a GPU line */
    r = run_file(DATA "gpud-dmesg-decode-iso-nccl-segfault.log", FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "kernel-log");
    cr_assert_eq(r.w->nevents, 0);
    cr_assert_eq(r.skipped, 0);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_iso_ecc_xids_without_trailing_newline)
{
    struct run r = run_file(DATA "gpud-dmesg-iso-xid48-63-94.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_ECC), 3);
    cr_assert_eq(at_line(&r, FL_EV_ECC, 11)->u.ecc.ecc_kind, FL_ECC_DBE);
    cr_assert_eq(at_line(&r, FL_EV_ECC, 12)->u.ecc.ecc_kind, FL_ECC_REMAP_PENDING);
    cr_assert_eq(at_line(&r, FL_EV_ECC, 13)->u.ecc.ecc_kind, FL_ECC_CONTAINED);
    cr_assert_eq(at_line(&r, FL_EV_XID, 14)->u.xid.pid, 1248209);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_raw_priority_prefix)
{
    struct run r = run_file(DATA "gpud-pstore-dmesg-raw-prio-nvrm-load.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_LOG), 2);
    cr_assert_eq(at_line(&r, FL_EV_LOG, 8)->u.log.level, 4);
    cr_assert_eq(at_line(&r, FL_EV_LOG, 19)->u.log.level, 3);
    cr_assert_eq(at_line(&r, FL_EV_LOG, 19)->ts, 1137356721000LL);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_readme_captures)
{
    struct run r = run_file(DATA "gpud-readme-dmesg-xid79-sxid20034.txt", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    cr_assert_eq(nkind(&r, FL_EV_SXID), 5); /* 4 records + 1 follow-up whose first line was cut */
    cr_assert_str_eq(fl_window_str(r.w, at_line(&r, FL_EV_XID, 3)->gpu.uuid),
                     "GPU-b6c3b2be-c55b-d076-fa0e-d464e4c7e08b");
    fl_engine_free(r.e);
    r = run_file(DATA "gpud-readme-dmesg-T-xid13-xid109.txt", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 4);
    cr_assert_eq(at_line(&r, FL_EV_XID, 5)->u.xid.code, 109);
    fl_engine_free(r.e);
    r = run_file(DATA "gpud-readme-dmesg-T-xid31-xid109.txt", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 2);
    cr_assert_eq(at_line(&r, FL_EV_XID, 1)->ts, rfc3339("2024-08-31T07:06:03Z"));
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, dmesg_stamp_styles_inline)
{
    static const struct {
        const char *line;
        int64_t ts;
        uint8_t clock;
        uint8_t level;
    } cases[] = {
        /* PRINTK_CALLER caller id after the stamp */
        {"[ 9078.000001] [T811] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x", 9078000001000LL,
         FL_CLOCK_BOOT, 255},
        {"[ 9078.000001] [    C3] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x", 9078000001000LL,
         FL_CLOCK_BOOT, 255},
        /* --show-delta */
        {"[ 9078.000001 <    0.000123>] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x", 9078000001000LL,
         FL_CLOCK_BOOT, 255},
        /* -T with a one-digit day (%e pads with a space) and with a delta */
        {"[Sun Feb  3 16:24:18 2025] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x",
         1738599858000000000LL, FL_CLOCK_WALL, 255},
        {"[Sun Feb 23 16:24:18 2025 <    0.000123>] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x",
         1740327858000000000LL, FL_CLOCK_WALL, 255},
        /* --decode with the raw stamp; -r priority with a facility */
        {"kern  :err   : [ 9078.000001] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x", 9078000001000LL,
         FL_CLOCK_BOOT, 3},
        {"<3>[ 9078.000001] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x", 9078000001000LL,
         FL_CLOCK_BOOT, 3},
        /* iso with +hhmm and with a negative offset */
        {"2025-01-21T02:21:33,498559+0100 NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x",
         1737422493498559000LL, FL_CLOCK_WALL, 255},
        {"2025-01-21T02:21:33,498559-05:00 NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x",
         1737444093498559000LL, FL_CLOCK_WALL, 255},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s\n", cases[i].line);
        struct run r = run_buf("d.log", buf, strlen(buf), "kernel-log", FL_TIME_NONE);
        cr_assert_eq(r.skipped, 0, "case %zu: %s", i, skip_reason(&r, 0, NULL));
        cr_assert_eq(nkind(&r, FL_EV_XID), 1, "case %zu", i);
        const struct fl_event *x = at_line(&r, FL_EV_XID, 1);
        cr_assert_eq(x->ts, cases[i].ts, "case %zu: %lld", i, (long long)x->ts);
        cr_assert_eq(x->clock, cases[i].clock, "case %zu", i);
        fl_engine_free(r.e);
        (void)cases[i].level;
    }
}

FL_TEST(kernel_log, dmesg_reltime_is_skipped_with_a_reason)
{
    const char *t = "[Feb23 16:24] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, x\n"
                    "[  +0.000123] NVRM: Xid (PCI:0000:ba:00): 45, pid=0, x\n";
    struct run r = run_buf("d.log", t, strlen(t), "kernel-log", FL_TIME_NONE);
    cr_assert_eq(r.w->nevents, 0);
    cr_assert_eq(r.skipped, 2);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "reltime"));
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, bare_messages_have_no_clock)
{
    struct run r = run_file(DATA "nvsentinel-doc-xid13-no-pid-name-domain0009.txt", FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "kernel-log");
    const struct fl_event *x = at_line(&r, FL_EV_XID, 1);
    cr_assert_eq(x->clock, FL_CLOCK_NONE);
    cr_assert_eq(x->ts, FL_TIME_NONE);
    cr_assert_str_eq(fl_window_str(r.w, x->gpu.pci), "0009:01:00.0");
    fl_engine_free(r.e);
    r = run_file(DATA "nvsentinel-doc-xid13-chid-class-domain0002.txt", FL_TIME_NONE);
    cr_assert_eq(at_line(&r, FL_EV_XID, 1)->u.xid.pid, 2519562);
    fl_engine_free(r.e);
    r = run_file(DATA "nvsentinel-doc-xid13-gpc-tpc-sm-unknown-pid.txt", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, untimed_gpu_line_among_stamped_lines_is_skipped)
{
    const char *t = "[    1.000000] hello\n"
                    "NVRM: Xid (PCI:0000:ba:00): 79, pid=0, pasted without its stamp\n"
                    "[    2.000000] NVRM: Xid (PCI:0000:ba:00): 13, pid=0, x\n";
    struct run r = run_buf("d.log", t, strlen(t), NULL, FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    uint32_t line;
    cr_assert(strstr(skip_reason(&r, 0, &line), "no timestamp"));
    cr_assert_eq(line, 2);
    fl_engine_free(r.e);
}

/* ---- journalctl short formats and syslog --------------------------------------------- */

FL_TEST(kernel_log, journal_short_year_from_header_across_new_year)
{
    struct run r = run_file(DATA "journal-short-header.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(at_line(&r, FL_EV_XID, 3)->ts, rfc3339("2025-12-31T23:59:59Z"));
    cr_assert_eq(at_line(&r, FL_EV_XID, 4)->ts, rfc3339("2026-01-01T00:00:01Z"));
    const struct fl_event *x = at_line(&r, FL_EV_XID, 9); /* continuation line of line 7 */
    cr_assert_eq(x->u.xid.code, 79);
    cr_assert_eq(x->ts, rfc3339("2026-01-02T09:32:51Z"));
    cr_assert_str_eq(fl_window_str(r.w, x->gpu.pci), "0000:b3:00.0");
    cr_assert_str_eq(fl_window_str(r.w, x->node), "gpu-node-09");
    cr_assert_str_eq(r.in[0].node_rule, "journal hostname");
    /* nvidia-persistenced quoting the driver is not a kernel record */
    cr_assert_eq(nkind(&r, FL_EV_XID), 3);
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, journal_short_year_from_file_mtime)
{
    char path[] = "/tmp/fl-test-journal-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char *t = "Dec 30 10:00:00 n1 kernel: NVRM: Xid (PCI:0000:5d:00): 13, pid=1, name=a, x\n"
                    "Jan 02 10:00:00 n1 kernel: NVRM: Xid (PCI:0000:5d:00): 43, pid=1, name=a, y\n";
    cr_assert_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
    close(fd);
    /* written on 2027-01-05: December is 2026, January 2027 */
    struct timeval tv[2] = {{1799150400, 0}, {1799150400, 0}};
    cr_assert_eq(utimes(path, tv), 0);
    struct run r = run_file(path, FL_TIME_NONE);
    cr_assert_eq(at_line(&r, FL_EV_XID, 1)->ts, rfc3339("2026-12-30T10:00:00Z"));
    cr_assert_eq(at_line(&r, FL_EV_XID, 2)->ts, rfc3339("2027-01-02T10:00:00Z"));
    fl_engine_free(r.e);
    unlink(path);
}

FL_TEST(kernel_log, journal_short_iso_sample_and_real_captures)
{
    struct run r = run_file(DATA "synthetic-journal-short-iso.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 6);
    cr_assert_eq(nkind(&r, FL_EV_SXID), 1);
    cr_assert_eq(at_line(&r, FL_EV_SXID, 14)->u.sxid.link, 41);
    cr_assert_eq(at_line(&r, FL_EV_LOG, 7)->ts, rfc3339("2026-11-24T18:32:52Z"));
    fl_engine_free(r.e);
    static const char *const quiet[] = {"gpud-journalctl-short-iso-plus0800.log",
                                        "gpud-journalctl-short-iso-fqdn-host.log",
                                        "gpud-kmsg-nvswitch.kmsg"};
    for (size_t i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof p, DATA "%s", quiet[i]);
        r = run_file(p, FL_TIME_NONE);
        cr_assert_str_eq(r.in[0].format, "kernel-log", "%s", quiet[i]);
        cr_assert_eq(r.w->nevents, 0, "%s", quiet[i]);
        cr_assert_eq(r.skipped, 0, "%s", quiet[i]);
        fl_engine_free(r.e);
    }
}

FL_TEST(kernel_log, journal_short_variants_inline)
{
    static const struct {
        const char *line;
        int64_t ts;
        const char *node; /* NULL: none */
    } cases[] = {
        {"2026-11-24T18:32:51.551203+0000 node-17 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x",
         1795545171551203000LL, "node-17"},
        {"Tue 2026-11-24 18:32:51 UTC node-17 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x",
         1795545171000000000LL, "node-17"},
        {"Tue 2026-11-24 19:32:51 CET node-17 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x",
         1795545171000000000LL, "node-17"},
        {"1795545171.551203 node-17 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x",
         1795545171551203000LL, "node-17"},
        {"2026-11-24T18:32:51+0000 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x", /* --no-hostname */
         1795545171000000000LL, NULL},
        {"2026-11-24T18:32:51+0000 localhost kernel: NVRM: Xid (PCI:0000:5d:00): 79, x",
         1795545171000000000LL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s\n", cases[i].line);
        struct run r = run_buf("j.log", buf, strlen(buf), NULL, FL_TIME_NONE);
        cr_assert_str_eq(r.in[0].format, "kernel-log", "case %zu", i);
        cr_assert_eq(nkind(&r, FL_EV_XID), 1, "case %zu", i);
        const struct fl_event *x = at_line(&r, FL_EV_XID, 1);
        cr_assert_eq(x->ts, cases[i].ts, "case %zu: %lld", i, (long long)x->ts);
        if (cases[i].node)
            cr_assert_str_eq(fl_window_str(r.w, x->node), cases[i].node, "case %zu", i);
        else
            cr_assert_eq(x->node, 0, "case %zu", i);
        fl_engine_free(r.e);
    }
    /* short-monotonic: boot-relative */
    const char *t = "[ 9012.551203] node-17 kernel: NVRM: Xid (PCI:0000:5d:00): 79, x\n";
    struct run r = run_buf("j.log", t, strlen(t), NULL, FL_TIME_NONE);
    cr_assert_eq(at_line(&r, FL_EV_XID, 1)->clock, FL_CLOCK_BOOT);
    cr_assert_str_eq(fl_window_str(r.w, at_line(&r, FL_EV_XID, 1)->node), "node-17");
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, syslog_with_embedded_kernel_stamps_and_old_aer)
{
    struct run r = run_file(DATA "syslog-kern.log", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    const struct fl_event *a = at_line(&r, FL_EV_PCIE_AER, 4);
    cr_assert_eq(a->u.aer.first_bit, 0);
    cr_assert_eq(a->u.aer.status, 1);
    cr_assert_eq(a->clock, FL_CLOCK_WALL);
    cr_assert(str_is(at_line(&r, FL_EV_SXID, 7)->u.sxid.text,
                     "Non-fatal, Link 46 MC TS crumbstore MCTO (First); Severity 0 Engine instance "
                     "46 Sub-engine instance 00; Data {0x00140004, 0x00100000, 0x00140004, "
                     "0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000}"));
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, localized_month_names)
{
    const char *t =
        "ao\xc3\xbbt 25 19:38:04 fujitsu kernel: NVRM: Xid (PCI:0000:01:00): 79, pid=0, "
        "GPU has fallen off the bus.\n";
    struct run r = run_buf("j.log", t, strlen(t), NULL, FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    int64_t y;
    unsigned m, d;
    fl_civil_from_days(at_line(&r, FL_EV_XID, 1)->ts / FL_NS_PER_SEC / 86400, &y, &m, &d);
    cr_assert_eq(m, 8);
    cr_assert_eq(d, 25);
    fl_engine_free(r.e);
}

/* ---- /dev/kmsg ------------------------------------------------------------------------ */

FL_TEST(kernel_log, kmsg_records_escapes_and_dictionary_lines)
{
    struct run r = run_file(DATA "synthetic-kmsg-aer.kmsg", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_PCIE_AER), 1);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    cr_assert_eq(at_line(&r, FL_EV_XID, 7)->ts, 9078000001000LL);
    fl_engine_free(r.e);
    r = run_file(DATA "kmsg-escapes.kmsg", FL_TIME_NONE);
    cr_assert_eq(r.skipped, 0);
    cr_assert_eq(nkind(&r, FL_EV_XID), 2); /* the decoded fallen-off notice and an Xid 45 */
    const struct fl_event *x = NULL;
    struct fl_evlist l = fl_window_kind(r.w, FL_EV_XID);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i]->u.xid.code == 79)
            x = l.v[i];
    cr_assert_not_null(x);
    cr_assert_str_eq(fl_window_str(r.w, x->gpu.pci), "0000:b3:00.0");
    cr_assert_eq(x->src.line, 1);
    fl_engine_free(r.e);
}

/* ---- journalctl -o json / export ------------------------------------------------------ */

static void check_journal_entries(const struct run *r, const char *format)
{
    cr_assert_str_eq(r->in[0].format, format);
    cr_assert_str_eq(r->in[0].node_rule, "journal hostname");
    cr_assert_eq(nkind(r, FL_EV_XID), 3);
    struct fl_evlist l = fl_window_kind(r->w, FL_EV_XID);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *x = l.v[i];
        cr_assert_str_eq(fl_window_str(r->w, x->node), "gpu-node-12");
        if (x->u.xid.code == 13) {
            /* realtime - monotonic + _SOURCE_MONOTONIC_TIMESTAMP */
            cr_assert_eq(x->ts, (1795537200000000LL + 699999050LL) * 1000);
            cr_assert_str_eq(fl_window_str(r->w, x->gpu.uuid),
                             "GPU-7b2d4c1a-55e0-4f6e-a1c3-9d8e7f6a5b40");
            seen |= 1;
        } else if (x->u.xid.code == 43) {
            /* the byte-array MESSAGE, decoded (latin-1 byte kept as is) */
            cr_assert(str_is(x->u.xid.process, "entra\xeenement"));
            seen |= 2;
        } else {
            cr_assert_eq(x->u.xid.code, 79); /* the fallen-off notice without an Xid */
            seen |= 4;
        }
    }
    cr_assert_eq(seen, 7);
}

FL_TEST(kernel_log, journal_json_and_export)
{
    struct run r = run_file(DATA "journal-kernel.json", FL_TIME_NONE);
    check_journal_entries(&r, "journal-json");
    fl_engine_free(r.e);
    r = run_file(DATA "journal-kernel.export", FL_TIME_NONE);
    check_journal_entries(&r, "journal-json");
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, journal_json_seq_and_pretty)
{
    size_t len;
    char *json = slurp(DATA "journal-kernel.json", &len);
    /* json-seq: RS before every record */
    char *seq = malloc(len * 2 + 16);
    size_t n = 0;
    seq[n++] = 0x1e;
    for (size_t i = 0; i < len; i++) {
        seq[n++] = json[i];
        if (json[i] == '\n' && i + 1 < len)
            seq[n++] = 0x1e;
    }
    struct run r = run_buf("j.json", seq, n, NULL, FL_TIME_NONE);
    check_journal_entries(&r, "journal-json");
    fl_engine_free(r.e);
    /* json-pretty: break after every comma outside strings and indent */
    char *pretty = malloc(len * 3 + 16);
    n = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        pretty[n++] = c;
        if (in_str) {
            if (c == '\\')
                pretty[n++] = json[++i];
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == ',' || c == '{') {
            pretty[n++] = '\n';
            pretty[n++] = '\t';
        }
    }
    r = run_buf("j.json", pretty, n, "journal-json", FL_TIME_NONE);
    check_journal_entries(&r, "journal-json");
    fl_engine_free(r.e);
    free(seq);
    free(pretty);
    free(json);
}

FL_TEST(kernel_log, journal_json_bad_records)
{
    const char *t = "{\"__REALTIME_TIMESTAMP\":\"1\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"NVRM: "
                    "Xid (PCI:0000:01:00): 79, x\"\n"
                    "{\"__REALTIME_TIMESTAMP\":\"x\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"NVRM: "
                    "Xid (PCI:0000:01:00): 79, x\"}\n"
                    "{\"__REALTIME_TIMESTAMP\":\"1795537200000000\",\"_TRANSPORT\":\"kernel\","
                    "\"MESSAGE\":[78,86,82,77,300]}\n"
                    "{\"__REALTIME_TIMESTAMP\":\"1795537200000000\",\"_TRANSPORT\":\"kernel\","
                    "\"MESSAGE\":{\"NVRM\":1}}\n"
                    "[\"NVRM\"]\n"
                    "{\"__REALTIME_TIMESTAMP\":\"1795537200000000\",\"_TRANSPORT\":\"kernel\","
                    "\"MESSAGE\":\"NVRM: Xid (PCI:0000:01:00): 79, ok\"}\n";
    struct run r = run_buf("j.json", t, strlen(t), "journal-json", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    cr_assert_eq(r.skipped, 5);
    static const char *const why[] = {"invalid JSON", "__REALTIME_TIMESTAMP", "0-255",
                                      "neither a string", "not a JSON object"};
    for (size_t i = 0; i < 5; i++) {
        uint32_t line;
        const char *s = skip_reason(&r, i, &line);
        cr_assert(strstr(s, why[i]), "skip %zu: '%s'", i, s);
        cr_assert_eq(line, i + 1);
    }
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, journal_export_truncated_binary_field)
{
    const char t[] =
        "__REALTIME_TIMESTAMP=1795537200000000\n_TRANSPORT=kernel\nMESSAGE\n\x40\0\0\0\0\0\0\0NVRM";
    struct run r = run_buf("j.export", t, sizeof t - 1, "journal-json", FL_TIME_NONE);
    cr_assert_eq(r.w->nevents, 0);
    cr_assert_eq(r.skipped, 1);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "longer than the rest"));
    fl_engine_free(r.e);
}

/* ---- gzip and nvidia-bug-report ------------------------------------------------------- */

FL_TEST(kernel_log, bug_report_gz_sections_dedup_and_boot_time)
{
    struct run r = run_file(DATA "nvidia-bug-report.log.gz", FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "gzip");
    cr_assert_eq(r.skipped, 0);
    cr_assert_str_eq(fl_window_str(r.w, r.in[0].node), "dgx-a100-03");
    cr_assert_str_eq(r.in[0].node_rule, "bug report hostname");
    /* Xid 31 (kern.log only), 48 + 63 (journal -b -1; kern.log copies dropped), 79 (dmesg;
     * journal -b -0 and kern.log copies dropped) */
    cr_assert_eq(nkind(&r, FL_EV_XID), 4);
    cr_assert_eq(nkind(&r, FL_EV_PCIE_AER), 1);
    cr_assert_eq(nkind(&r, FL_EV_SXID), 1);
    struct fl_evlist l = fl_window_kind(r.w, FL_EV_XID);
    for (size_t i = 0; i < l.n; i++) {
        const struct fl_event *x = l.v[i];
        cr_assert_eq(x->clock, FL_CLOCK_WALL);
        if (x->u.xid.code == 79) {
            /* dmesg [59501.114520] + boot learned from journalctl -b -0 (within a second) */
            int64_t want = rfc3339("2026-11-24T18:32:51Z");
            cr_assert(x->ts >= want && x->ts < want + FL_NS_PER_SEC, "%lld", (long long)x->ts);
            cr_assert_str_eq(fl_window_str(r.w, x->gpu.uuid),
                             "GPU-29c4b2e6-1d59-4e0a-9a2c-3f7a3c6de1a4");
        }
    }
    fl_engine_free(r.e);
}

FL_TEST(kernel_log, bug_report_uncompressed)
{
    size_t zlen;
    char *z = slurp(DATA "nvidia-bug-report.log.gz", &zlen);
    /* inflate every member with zlib directly */
    size_t cap = 1 << 20, n = 0;
    char *out = malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    cr_assert_eq(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    for (;;) {
        zs.next_out = (Bytef *)out + n;
        zs.avail_out = (uInt)(cap - n);
        int rc = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
        if (rc == Z_STREAM_END && zs.avail_in)
            inflateReset(&zs);
        else if (rc != Z_OK)
            break;
    }
    inflateEnd(&zs);
    struct run r = run_buf("nvidia-bug-report.log", out, n, NULL, FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "kernel-log");
    cr_assert_eq(nkind(&r, FL_EV_XID), 4);
    fl_engine_free(r.e);
    free(out);
    free(z);
}

static char *gz_of(const char *text, size_t len, size_t *out_len)
{
    uLong cap = compressBound((uLong)len) + 64;
    char *out = malloc(cap);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

FL_TEST(kernel_log, gzip_of_any_format_and_corrupt_streams)
{
    size_t len, glen;
    char *text = slurp(DATA "synthetic-dmesg-aer-xid79.txt", &len);
    char *gz = gz_of(text, len, &glen);
    struct run r = run_buf("dmesg.txt.gz", gz, glen, NULL, FL_TIME_NONE);
    cr_assert_str_eq(r.in[0].format, "gzip");
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    cr_assert_eq(r.skipped, 0);
    fl_engine_free(r.e);

    /* truncated: what inflated is read, one skip says where it broke */
    r = run_buf("dmesg.txt.gz", gz, glen - 9, NULL, FL_TIME_NONE);
    cr_assert_eq(r.skipped, 1);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "truncated"));
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    fl_engine_free(r.e);

    /* corrupt bytes in the middle */
    char *bad = malloc(glen);
    memcpy(bad, gz, glen);
    for (size_t i = glen / 2; i < glen / 2 + 8; i++)
        bad[i] ^= 0x5a;
    r = run_buf("dmesg.txt.gz", bad, glen, NULL, FL_TIME_NONE);
    cr_assert_geq(r.skipped, 1);
    fl_engine_free(r.e);

    /* trailing garbage after a complete stream */
    char *tail = malloc(glen + 5);
    memcpy(tail, gz, glen);
    memcpy(tail + glen, "junk!", 5);
    r = run_buf("dmesg.txt.gz", tail, glen + 5, NULL, FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "not gzip"));
    fl_engine_free(r.e);

    /* gzip of something no parser reads */
    char *junk = gz_of("\x01\x02\x03 not a log\n", 15, &glen);
    r = run_buf("x.gz", junk, glen, NULL, FL_TIME_NONE);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "not a format"));
    fl_engine_free(r.e);
    free(junk);
    free(tail);
    free(bad);
    free(gz);
    free(text);
}

/* ---- sniffing ------------------------------------------------------------------------- */

static const char *sniffed(const char *text)
{
    const struct fl_parser *p = fl_parser_sniff(text, strlen(text), FL_STR_LIT("x"));
    return p ? p->name : "none";
}

FL_TEST(kernel_log, sniff_claims_kernel_logs_and_nothing_else)
{
    cr_assert_str_eq(sniffed("[    0.000000] Linux version 6.8.0\n[    1.0] x\n"), "kernel-log");
    cr_assert_str_eq(sniffed("6,1042,9012551203,-;pcieport 0000:b8:01.0: AER: x\n"), "kernel-log");
    cr_assert_str_eq(
        sniffed("Nov 24 18:32:51 host kernel: x\nNov 24 18:32:52 host systemd[1]: y\n"),
        "kernel-log");
    cr_assert_str_eq(
        sniffed("{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}\n"),
        "journal-json");
    cr_assert_str_eq(sniffed("__CURSOR=s=1\n__REALTIME_TIMESTAMP=1\nMESSAGE=x\n\n"),
                     "journal-json");
    cr_assert_str_eq(sniffed("LPKSHHRH\x01\x02\x03\x04"), "journal");
    /* other formats stay theirs */
    cr_assert_str_neq(
        sniffed("{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":79}}\n"),
        "kernel-log");
    cr_assert_str_neq(
        sniffed("# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n"
                "# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n"
                "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\"} 0\n"),
        "kernel-log");
    cr_assert_str_neq(sniffed("\n==============NVSMI LOG==============\n\nTimestamp : Thu Aug 25 "
                              "20:30:44 2022\nDriver Version : 510.73.08\n"),
                      "kernel-log");
    cr_assert_str_neq(
        sniffed("Process 40121: python train.py\nPython v3.10.12 (/usr/bin/python3)\n\n"
                "Thread 40121 (active): \"MainThread\"\n"),
        "kernel-log");
    cr_assert_str_neq(sniffed("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}\n"),
                      "kernel-log");
    cr_assert_str_eq(sniffed("\x01\x02\x03\x00\x05 binary\n"), "none");
}

/* ---- bad input ------------------------------------------------------------------------ */

FL_TEST(kernel_log, crlf_nul_bytes_garbage_and_a_huge_line)
{
    size_t big = 10u * 1024 * 1024;
    const char head[] = "[    1.000000] NVRM: Xid (PCI:0000:ba:00): 13, pid=1, name=a, crlf\r\n"
                        "[    2.000000] NVRM: Xid (PCI:0000:ba:00): 43, pid=1, name=a\0b, nul\n"
                        "\x01\x02\xff\xfe garbage NVRM: Xid \x80\n";
    const char tail[] = "\n[    3.000000] NVRM: Xid (PCI:0000:ba:00): 45, pid=1, name=a, after\n";
    size_t len = sizeof head - 1 + big + sizeof tail - 1;
    char *buf = malloc(len);
    memcpy(buf, head, sizeof head - 1);
    memset(buf + sizeof head - 1, 'x', big);
    memcpy(buf + sizeof head - 1 + big / 2, "NVRM", 4); /* a needle inside the huge line */
    memcpy(buf + sizeof head - 1 + big, tail, sizeof tail - 1);
    struct run r = run_buf("d.log", buf, len, "kernel-log", FL_TIME_NONE);
    cr_assert_eq(nkind(&r, FL_EV_XID), 3);
    cr_assert(str_is(at_line(&r, FL_EV_XID, 1)->u.xid.text, "crlf"));
    cr_assert_eq(at_line(&r, FL_EV_XID, 2)->u.xid.process.len, 3); /* "a\0b" */
    cr_assert_eq(at_line(&r, FL_EV_XID, 5)->u.xid.code, 45);
    uint32_t line;
    cr_assert(strstr(skip_reason(&r, 0, &line), "no timestamp"));
    cr_assert_eq(line, 3);
    cr_assert(strstr(skip_reason(&r, 1, &line), "64 KiB"));
    cr_assert_eq(line, 4);
    cr_assert_eq(r.skipped, 2);
    fl_engine_free(r.e);
    free(buf);
}

/* Every prefix of each sample, in an exact-size heap buffer (ASan catches an over-read). */
FL_TEST(kernel_log, every_truncation_length)
{
    static const char *const files[] = {"synthetic-dmesg-aer-xid79.txt",
                                        "synthetic-journal-short-iso.log",
                                        "synthetic-kmsg-aer.kmsg",
                                        "journal-short-header.log",
                                        "dmesg-aer-interleaved.txt",
                                        "journal-kernel.json",
                                        "journal-kernel.export",
                                        "kmsg-escapes.kmsg",
                                        "gpud-readme-dmesg-xid79-sxid20034.txt",
                                        "nvidia-bug-report.log.gz"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", files[f]);
        size_t len;
        char *full = slurp(path, &len);
        size_t step = len > 3000 ? 7 : 1;
        for (size_t n = 0; n <= len; n += step) {
            char *buf = malloc(n ? n : 1);
            memcpy(buf, full, n);
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            struct fl_engine *e = fl_engine_new(&o, NULL);
            cr_assert_eq(fl_engine_add_buffer(e, files[f], buf, n, NULL), 0);
            cr_assert_eq(fl_engine_ingest(e, NULL), 0, "%s at %zu", files[f], n);
            fl_engine_free(e);
            free(buf);
        }
        free(full);
    }
}

FL_TEST(kernel_log, allocation_failures_fail_cleanly)
{
    static const char *const files[] = {"dmesg-aer-interleaved.txt", "journal-kernel.json",
                                        "journal-kernel.export", "nvidia-bug-report.log.gz"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, DATA "%s", files[f]);
        size_t len;
        char *full = slurp(path, &len);
        bool completed = false;
        for (uint64_t n = 1; n < 100000 && !completed; n++) {
            fl_alloc_fail_after(n, 1);
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            struct fl_engine *e = fl_engine_new(&o, NULL);
            int rc = FL_ENOMEM;
            if (e && fl_engine_add_buffer(e, files[f], full, len, NULL) == 0)
                rc = fl_engine_run(e, NULL);
            fl_alloc_fail_after(0, 0);
            if (rc == 0) {
                cr_assert_gt(fl_engine_window(e)->nevents, 0);
                completed = true;
            } else {
                cr_assert_eq(rc, FL_ENOMEM, "%s n=%llu: rc %d", files[f], (unsigned long long)n,
                             rc);
            }
            fl_engine_free(e);
        }
        cr_assert(completed, "%s", files[f]);
        free(full);
    }
}

FL_TEST(kernel_log, stamps_out_of_the_int64_range_are_skipped)
{
    /* found by fuzz_kernel_log (tests/fuzz/regress/kernel_log/ctime-year-9999-overflow) */
    const char *t = "[Sun Feb 23 16:24:18 7025] NVRM: Xid (PCI:0000:9b:00): 119, pid=1, x\n"
                    "[99999999999.000000] NVRM: Xid (PCI:0000:9b:00): 119, pid=1, x\n"
                    "Tue 9999-11-24 18:32:51 XYZ n kernel: NVRM: Xid (PCI:0000:9b:00): 79, x\n"
                    "[ 9078.000001] NVRM: Xid (PCI:0000:ba:00): 79, pid=0, fine\n";
    struct run r = run_buf("d.log", t, strlen(t), "kernel-log", 9223372000000000000LL);
    cr_assert_eq(nkind(&r, FL_EV_XID), 1);
    /* boot time + stamp past int64: stays on the boot clock */
    cr_assert_eq(at_line(&r, FL_EV_XID, 4)->clock, FL_CLOCK_BOOT);
    cr_assert_eq(r.skipped, 3);
    cr_assert(strstr(skip_reason(&r, 0, NULL), "year out of range"));
    fl_engine_free(r.e);
}
