/* The GPU line families (src/ingest/kernel_lines.c): the needle prefilter against a naive
 * scan, Xid / SXid / AER / ECC / fallen-off-the-bus / NVRM lines in every wording the
 * drivers and kernels print, and the month / zone helpers. Lines are fed as plain dmesg. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"
#include "ingest/kernel_lines.h"

/* ---- helpers -------------------------------------------------------------------------- */

static struct fl_engine *ingest_text(const char *text)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "kernel-log";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, "dmesg.txt", text, strlen(text), NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static size_t count_kind(const struct fl_window *w, enum fl_event_kind k)
{
    return fl_window_kind(w, k).n;
}

static const struct fl_event *nth(const struct fl_window *w, enum fl_event_kind k, size_t i)
{
    struct fl_evlist l = fl_window_kind(w, k);
    cr_assert(i < l.n, "no %s event #%zu (have %zu)", fl_event_kind_name(k), i, l.n);
    return l.v[i];
}

static bool str_is(struct fl_str s, const char *want)
{
    return s.len == strlen(want) && (s.len == 0 || memcmp(s.ptr, want, s.len) == 0);
}

static const char *first_skip(struct fl_engine *e)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    return n ? s[0].reason : NULL;
}

/* ---- prefilter ------------------------------------------------------------------------ */

static const char *const needles[] = {"NVRM", "NVLink", "NVLINK", "Xid", "AER", "Bus Error"};

static const char *naive_scan(const char *p, const char *end)
{
    for (; p < end; p++)
        for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
            size_t n = strlen(needles[i]);
            if ((size_t)(end - p) >= n && memcmp(p, needles[i], n) == 0)
                return p;
        }
    return end;
}

FL_TEST(kernel_lines, prefilter_matches_a_naive_scan)
{
    /* random text with near-misses ("NVMe", "Xen", "AEAD", "Bus") and real needles at
     * random places, including the last bytes of the buffer */
    static const char *const bits[] = {"NVMe ",
                                       "Xen ",
                                       "AEAD ",
                                       "Bus ",
                                       "NV",
                                       "Xi",
                                       "AE",
                                       "Bu",
                                       "NVRM",
                                       "Xid",
                                       "AER",
                                       "Bus Error",
                                       "NVLink",
                                       "NVLINK",
                                       "a\n",
                                       "\n",
                                       "zzzzzzzzzzzzzzzzzzzzzzzz",
                                       "B",
                                       "N"};
    unsigned seed = 12345;
    for (int round = 0; round < 400; round++) {
        size_t cap = 1 + (size_t)(round * 7 % 700);
        char *buf = malloc(cap);
        size_t len = 0;
        while (len < cap) {
            seed = seed * 1103515245u + 12345u;
            const char *b = bits[(seed >> 16) % (sizeof bits / sizeof bits[0])];
            if ((seed >> 8) % 5 == 0 && round % 3 == 0)
                b = "q"; /* mostly filler in a third of the rounds */
            size_t n = strlen(b);
            if (n > cap - len)
                n = cap - len;
            memcpy(buf + len, b, n);
            len += n;
        }
        const char *p = buf, *end = buf + len;
        for (;;) {
            const char *want = naive_scan(p, end);
            const char *got = fl_kl_scan(p, end);
            cr_assert_eq(got, want, "round %d: scan at %td, naive %td", round, got - buf,
                         want - buf);
            size_t nl, want_nl = 0;
            const char *long_at;
            const char *got2 = fl_kl_scan_count(p, end, 64, &nl, &long_at);
            for (const char *q = p; q < want; q++)
                want_nl += *q == '\n';
            cr_assert_eq(got2, want, "round %d: scan_count", round);
            cr_assert_eq(nl, want_nl, "round %d: newlines %zu, want %zu", round, nl, want_nl);
            if (want == end)
                break;
            p = want + 1;
        }
        free(buf);
    }
}

FL_TEST(kernel_lines, long_lines_are_found_where_they_start)
{
    size_t len = 3 * 100 + 5000;
    char *buf = malloc(len);
    memset(buf, 'x', len);
    buf[99] = '\n';
    buf[199] = '\n';
    buf[5199] = '\n'; /* line 3 is 5000 bytes */
    buf[len - 1] = '\n';
    const char *long_at;
    size_t n = fl_kl_lines(buf, buf + len, 1000, &long_at);
    cr_assert_eq(n, 4);
    cr_assert_eq(long_at, buf + 200);
    n = fl_kl_lines(buf, buf + len, 6000, &long_at);
    cr_assert_null(long_at);
    size_t nl;
    const char *c = fl_kl_scan_count(buf, buf + len, 1000, &nl, &long_at);
    cr_assert_eq(c, buf + len);
    cr_assert_eq(nl, 4);
    cr_assert_eq(long_at, buf + 200);
    free(buf);
}

/* ---- month names and zones ------------------------------------------------------------ */

FL_TEST(kernel_lines, month_names_in_the_locales_of_bug_reports)
{
    struct {
        const char *s;
        unsigned m;
    } cases[] = {{"Nov", 11},       {"nov", 11},        {"NOV", 11},  {"September", 9},
                 {"Sept", 9},       {"ao\xc3\xbbt", 8}, {"janv.", 1}, {"f\xc3\xa9vr.", 2},
                 {"M\xc3\xa4r", 3}, {"Okt", 10},        {"Dez", 12},  {"ene", 1},
                 {"dic", 12},       {"mrt", 3},         {"Xyz", 0},   {"", 0},
                 {"No", 0},         {"Novembre!", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(fl__kl_month(fl_str_from_cstr(cases[i].s)), cases[i].m, "'%s'", cases[i].s);
}

FL_TEST(kernel_lines, zone_abbreviations_only_when_unambiguous)
{
    int32_t off = 1;
    cr_assert(fl__kl_zone(FL_STR_LIT("UTC"), &off) && off == 0);
    cr_assert(fl__kl_zone(FL_STR_LIT("CEST"), &off) && off == 7200);
    cr_assert(fl__kl_zone(FL_STR_LIT("PDT"), &off) && off == -7 * 3600);
    cr_assert(fl__kl_zone(FL_STR_LIT("ACST"), &off) && off == 9 * 3600 + 1800);
    cr_assert_not(fl__kl_zone(FL_STR_LIT("CST"), &off)); /* China or US Central */
    cr_assert_not(fl__kl_zone(FL_STR_LIT("IST"), &off)); /* India, Ireland or Israel */
    cr_assert_not(fl__kl_zone(FL_STR_LIT(""), &off));
}

/* ---- Xid ------------------------------------------------------------------------------ */

struct xid_case {
    const char *line;
    const char *pci;
    uint32_t code;
    int64_t pid;
    const char *process;
    const char *text;
};

FL_TEST(kernel_lines, xid_across_driver_versions)
{
    static const struct xid_case cases[] = {
        /* 535+: pid and name, '<unknown>' when the driver has no process */
        {"NVRM: Xid (PCI:0000:19:00): 94, pid='<unknown>', name=<unknown>, Contained: SM (0x1). "
         "RST: No, D-RST: No",
         "0000:19:00.0", 94, -1, "", "Contained: SM (0x1). RST: No, D-RST: No"},
        {"NVRM: Xid (PCI:0000:19:00): 94, pid=1248209, name=python3.10, Ch 00000008",
         "0000:19:00.0", 94, 1248209, "python3.10", "Ch 00000008"},
        /* 510: pid without name */
        {"NVRM: Xid (PCI:0000:10:1c): 63, pid=1896, Row Remapper: New row marked for "
         "remapping, reset gpu to activate.",
         "0000:10:1c.0", 63, 1896, "",
         "Row Remapper: New row marked for remapping, reset gpu "
         "to activate."},
        /* older: pid=0, no name */
        {"NVRM: Xid (PCI:0000:ba:00): 79, pid=0, GPU has fallen off the bus.", "0000:ba:00.0", 79,
         0, "", "GPU has fallen off the bus."},
        /* Grace / GB200: neither pid nor name, domain 0009 */
        {"NVRM: Xid (PCI:0009:01:00): 13, Graphics SM Warp Exception on (GPC 0, TPC 3, SM 0): "
         "Out Of Range Address",
         "0009:01:00.0", 13, -1, "",
         "Graphics SM Warp Exception on (GPC 0, TPC 3, SM 0): Out "
         "Of Range Address"},
        /* very old drivers: no "PCI:" prefix, raw register words */
        {"NVRM: Xid (0000:02:00): 8, Channel 00000001", "0000:02:00.0", 8, -1, "",
         "Channel 00000001"},
        {"NVRM: Xid (PCI:0000:01:00): 62, 023f0f30 00000000 00000000 202c0ffe", "0000:01:00.0", 62,
         -1, "", "023f0f30 00000000 00000000 202c0ffe"},
        /* a function digit, 'N/A' pid, Xid 45 "caused by previous Xid" suffix */
        {"NVRM: Xid (PCI:0000:65:00.0): 64, pid='N/A', Row Remapper: Failed to remap row",
         "0000:65:00.0", 64, -1, "", "Row Remapper: Failed to remap row"},
        {"NVRM: Xid (PCI:0000:dc:00): 45, pid=1818990, name=python3, Ch 00000001 caused by "
         "previous Xid 149",
         "0000:dc:00.0", 45, 1818990, "python3", "Ch 00000001 caused by previous Xid 149"},
        /* NVLink5 Xids with no pid */
        {"NVRM: Xid (PCI:0018:01:00): 145, RLW_RXPIPE Nonfatal XC0 i0 Link 13 (0x0409a0c2 "
         "0x00000008)",
         "0018:01:00.0", 145, -1, "", "RLW_RXPIPE Nonfatal XC0 i0 Link 13 (0x0409a0c2 0x00000008)"},
        /* a code with nothing after it */
        {"NVRM: Xid (PCI:0000:01:00): 79", "0000:01:00.0", 79, -1, "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "[  100.000001] %s\n", cases[i].line);
        struct fl_engine *e = ingest_text(buf);
        const struct fl_window *w = fl_engine_window(e);
        cr_assert_eq(count_kind(w, FL_EV_XID), 1, "case %zu", i);
        const struct fl_event *ev = nth(w, FL_EV_XID, 0);
        cr_assert_str_eq(fl_window_str(w, ev->gpu.pci), cases[i].pci, "case %zu", i);
        cr_assert_eq(ev->u.xid.code, cases[i].code, "case %zu", i);
        cr_assert_eq(ev->u.xid.pid, cases[i].pid, "case %zu: pid %lld", i,
                     (long long)ev->u.xid.pid);
        cr_assert(str_is(ev->u.xid.process, cases[i].process), "case %zu: process '%.*s'", i,
                  FL_STR_FMT(ev->u.xid.process));
        cr_assert(str_is(ev->u.xid.text, cases[i].text), "case %zu: text '%.*s'", i,
                  FL_STR_FMT(ev->u.xid.text));
        cr_assert_eq(ev->clock, FL_CLOCK_BOOT);
        cr_assert_eq(ev->ts, 100000001000LL);
        cr_assert_eq(ev->src.line, 1);
        cr_assert_eq(ev->raw.len, strlen(buf) - 1); /* the whole line, stamp included */
        cr_assert(memcmp(ev->raw.ptr, buf, ev->raw.len) == 0);
        fl_engine_free(e);
    }
}

FL_TEST(kernel_lines, bad_xid_lines_are_skipped_with_a_reason)
{
    static const struct {
        const char *line;
        const char *why;
    } cases[] = {
        {"NVRM: Xid (PCI:0000:zz:00): 79, GPU has fallen off the bus.", "not a PCI address"},
        {"NVRM: Xid (PCI:0000:3b:00) 79, no colon", "device field"},
        {"NVRM: Xid (PCI:0000:3b:00): seventy-nine", "code is not a number"},
        {"NVRM: Xid (PCI:0000:3b:00): 99999999999, overflow", "code is not a number"},
        {"nvidia-nvswitch0: SXid (PCI:0000:05:00.0) 20034, Fatal", "switch field"},
        {"nvidia-nvswitch0: SXid (PCI:zz): 20034, Fatal", "not a PCI address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "[    1.000000] ok\n[    2.000000] %s\n", cases[i].line);
        struct fl_engine *e = ingest_text(buf);
        const char *why = first_skip(e);
        cr_assert_not_null(why, "case %zu not skipped", i);
        cr_assert(strstr(why, cases[i].why), "case %zu: '%s'", i, why);
        size_t n;
        uint64_t total;
        const struct fl_skip *s = fl_engine_skips(e, &n, &total);
        cr_assert_eq(s[0].line, 2);
        cr_assert_eq(fl_engine_window(e)->nevents, 0, "case %zu", i);
        fl_engine_free(e);
    }
}

/* ---- ECC ------------------------------------------------------------------------------ */

FL_TEST(kernel_lines, ecc_and_row_remapper_text)
{
    static const struct {
        const char *line;
        int ecc; /* -1: none */
    } cases[] = {
        {"NVRM: Xid (PCI:0000:19:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable "
         "double bit error (DBE) has been detected on GPU in the framebuffer at physAddr "
         "0x12bac1c3e0 partition 2, subpartition 1.",
         FL_ECC_DBE},
        {"NVRM: Xid (PCI:0000:19:00): 63, pid='<unknown>', name=<unknown>, Row Remapper: New "
         "row (0x00000012bac1c3e0) marked for remapping, reset gpu to activate.",
         FL_ECC_REMAP_PENDING},
        {"NVRM: Xid (PCI:0000:65:00): 64, pid='N/A', Row Remapper: Failed to remap row",
         FL_ECC_REMAP_FAILURE},
        {"NVRM: Xid (PCI:0000:19:00): 94, pid='<unknown>', name=<unknown>, Contained: SM "
         "(0x1). RST: No, D-RST: No",
         FL_ECC_CONTAINED},
        {"NVRM: Xid (PCI:0000:19:00): 95, pid='<unknown>', name=<unknown>, Uncontained: FBHUB. "
         "RST: Yes, D-RST: No",
         FL_ECC_UNCONTAINED},
        {"NVRM: Xid (PCI:0000:19:00): 92, pid='<unknown>', name=<unknown>, High single-bit ECC "
         "error rate",
         FL_ECC_SBE},
        {"NVRM: Xid (PCI:0000:3b:00): 63, Dynamic Page Retirement: New page retired, reboot to "
         "activate. (0x00000000002c1e40)",
         FL_ECC_RETIRED_PAGE},
        /* channel notices of the same Xid 94: no ECC text */
        {"NVRM: Xid (PCI:0000:19:00): 94, pid=1248209, name=python3.10, Ch 00000008", -1},
        {"NVRM: Xid (PCI:0000:19:00): 13, pid=1, name=a, Graphics Exception: ESR 0x1", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "[  100.000001] %s\n", cases[i].line);
        struct fl_engine *e = ingest_text(buf);
        const struct fl_window *w = fl_engine_window(e);
        cr_assert_eq(count_kind(w, FL_EV_XID), 1, "case %zu", i);
        if (cases[i].ecc < 0) {
            cr_assert_eq(count_kind(w, FL_EV_ECC), 0, "case %zu", i);
        } else {
            cr_assert_eq(count_kind(w, FL_EV_ECC), 1, "case %zu", i);
            const struct fl_event *ev = nth(w, FL_EV_ECC, 0);
            cr_assert_eq(ev->u.ecc.ecc_kind, cases[i].ecc, "case %zu: %u", i, ev->u.ecc.ecc_kind);
            cr_assert_eq(ev->u.ecc.count, 1);
            cr_assert_not(ev->u.ecc.aggregate);
            cr_assert_eq(ev->gpu.pci, nth(w, FL_EV_XID, 0)->gpu.pci);
        }
        fl_engine_free(e);
    }
}

/* ---- SXid ----------------------------------------------------------------------------- */

FL_TEST(kernel_lines, sxid_follow_up_lines_join_their_record_even_interleaved)
{
    const char *text =
        "[6781753.400584] nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM "
        "Fault Up\n"
        "[6781753.404587] nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 20034, Fatal, Link 63 LTSSM "
        "Fault Up\n"
        "[6781753.404848] nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Severity 1 Engine "
        "instance 48 Sub-engine instance 00\n"
        "[6781753.406566] nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 20034, Data {0x10000000, "
        "0x10000000}\n"
        "[6781753.408138] nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 12028, Non-fatal, Link 62 "
        "egress non-posted PRIV error (First)\n";
    struct fl_engine *e = ingest_text(text);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(count_kind(w, FL_EV_SXID), 3);
    for (size_t i = 0; i < 3; i++) {
        const struct fl_event *ev = nth(w, FL_EV_SXID, i);
        const char *pci = fl_window_str(w, ev->gpu.pci);
        if (ev->u.sxid.link == 48) {
            cr_assert_str_eq(pci, "0000:06:00.0");
            cr_assert_eq(ev->u.sxid.switch_index, 1);
            cr_assert(ev->u.sxid.fatal);
            cr_assert(str_is(ev->u.sxid.text, "Fatal, Link 48 LTSSM Fault Up; Severity 1 Engine "
                                              "instance 48 Sub-engine instance 00"));
            cr_assert_eq(ev->src.line, 1);
        } else if (ev->u.sxid.link == 63) {
            cr_assert_str_eq(pci, "0000:05:00.0");
            cr_assert(str_is(ev->u.sxid.text,
                             "Fatal, Link 63 LTSSM Fault Up; Data {0x10000000, 0x10000000}"));
        } else {
            cr_assert_eq(ev->u.sxid.link, 62);
            cr_assert_eq(ev->u.sxid.code, 12028);
            cr_assert_not(ev->u.sxid.fatal);
        }
    }
    fl_engine_free(e);
}

FL_TEST(kernel_lines, sxid_follow_up_without_its_first_line_is_kept)
{
    struct fl_engine *e = ingest_text(
        "[   38.175561] nvidia-nvswitch3: SXid (PCI:0000:04:00.0): 22013, Data {0x0000002b}\n");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(count_kind(w, FL_EV_SXID), 1);
    cr_assert_eq(nth(w, FL_EV_SXID, 0)->u.sxid.code, 22013);
    cr_assert_eq(nth(w, FL_EV_SXID, 0)->u.sxid.link, -1);
    fl_engine_free(e);
}

/* ---- PCIe AER ------------------------------------------------------------------------- */

struct aer_want {
    const char *dev;
    uint8_t severity, type;
    bool multiple;
    uint32_t status, mask, first_bit;
    uint16_t vendor, device;
    const char *agent;
    uint32_t line;
};

static void check_aer(const char *text, const struct aer_want *want, size_t n)
{
    struct fl_engine *e = ingest_text(text);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(count_kind(w, FL_EV_PCIE_AER), n, "%zu AER events", count_kind(w, FL_EV_PCIE_AER));
    for (size_t i = 0; i < n; i++) {
        const struct fl_event *ev = NULL;
        struct fl_evlist l = fl_window_kind(w, FL_EV_PCIE_AER);
        for (size_t k = 0; k < l.n; k++)
            if (l.v[k]->src.line == want[i].line)
                ev = l.v[k];
        cr_assert_not_null(ev, "no AER event at line %u", want[i].line);
        const struct fl_ev_pcie_aer *a = &ev->u.aer;
        cr_assert_str_eq(fl_window_str(w, ev->gpu.pci), want[i].dev);
        cr_assert_eq(a->severity, want[i].severity, "line %u: severity %u", want[i].line,
                     a->severity);
        cr_assert_eq(a->type, want[i].type, "line %u: type %u", want[i].line, a->type);
        cr_assert_eq(a->multiple, want[i].multiple, "line %u", want[i].line);
        cr_assert_eq(a->status, want[i].status, "line %u: status %08x", want[i].line, a->status);
        cr_assert_eq(a->mask, want[i].mask, "line %u", want[i].line);
        cr_assert_eq(a->first_bit, want[i].first_bit, "line %u: first %u", want[i].line,
                     a->first_bit);
        cr_assert_eq(a->vendor_id, want[i].vendor, "line %u", want[i].line);
        cr_assert_eq(a->device_id, want[i].device, "line %u", want[i].line);
        cr_assert(str_is(a->agent, want[i].agent), "line %u: agent '%.*s'", want[i].line,
                  FL_STR_FMT(a->agent));
    }
    fl_engine_free(e);
}

FL_TEST(kernel_lines, aer_kernel_4x_5x_wording)
{
    const char *text =
        "[ 9012.551203] pcieport 0000:b8:01.0: AER: Corrected error received: 0000:ba:00.0\n"
        "[ 9012.551221] nvidia 0000:ba:00.0: PCIe Bus Error: severity=Corrected, type=Physical "
        "Layer, (Receiver ID)\n"
        "[ 9012.551225] nvidia 0000:ba:00.0:   device [10de:2330] error status/mask=00000001/"
        "0000e000\n"
        "[ 9012.551231] nvidia 0000:ba:00.0:    [ 0] RxErr                  (First)\n";
    struct aer_want w[] = {{"0000:ba:00.0", FL_AER_CORRECTED, FL_AER_PHYSICAL, false, 1, 0xe000, 0,
                            0x10de, 0x2330, "Receiver ID", 2}};
    check_aer(text, w, 1);
}

FL_TEST(kernel_lines, aer_kernel_6x_wording_with_aer_prefix_on_every_line)
{
    const char *text =
        "[ 8123.456701] pcieport 0000:b8:01.0: AER: Multiple Correctable error message received "
        "from 0000:ba:00.0\n"
        "[ 8123.456715] nvidia 0000:ba:00.0: AER: PCIe Bus Error: severity=Correctable, type=Data "
        "Link Layer, (Transmitter ID)\n"
        "[ 8123.456722] nvidia 0000:ba:00.0: AER:   device [10de:2330] error status/mask=000000c0/"
        "0000e000\n"
        "[ 8123.456727] nvidia 0000:ba:00.0: AER:    [ 6] BadTLP                \n"
        "[ 8123.456731] nvidia 0000:ba:00.0: AER:    [ 7] BadDLLP                (First)\n";
    struct aer_want w[] = {{"0000:ba:00.0", FL_AER_CORRECTED, FL_AER_DATA_LINK, true, 0xc0, 0xe000,
                            7, 0x10de, 0x2330, "Transmitter ID", 2}};
    check_aer(text, w, 1);
}

FL_TEST(kernel_lines, aer_kernel_3x_wording_id_and_long_bit_names)
{
    const char *text =
        "[  888.000001] pcieport 0000:00:1d.0: AER: Multiple Corrected error received: id=00e8\n"
        "[  888.000002] pcieport 0000:00:1d.0: PCIe Bus Error: severity=Corrected, type=Physical "
        "Layer, id=00e8(Receiver ID)\n"
        "[  888.000003] pcieport 0000:00:1d.0:   device [8086:a298] error status/mask=00000001/"
        "00002000\n"
        "[  888.000004] pcieport 0000:00:1d.0:    [ 0] Receiver Error         (First)\n"
        "[  890.000001] 0000:50:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), "
        "type=Transaction "
        "Layer, id=0500(Requester ID)\n"
        "[  890.000002] 0000:50:00.0:   device [8086:0329] error status/mask=00100000/00000000\n"
        "[  890.000003] 0000:50:00.0:    [20] Unsupported Request    (First)\n"
        "[  890.000004] 0000:50:00.0:   TLP Header: 04000001 00200a03 05010000 00050100\n";
    struct aer_want w[] = {
        {"0000:00:1d.0", FL_AER_CORRECTED, FL_AER_PHYSICAL, true, 1, 0x2000, 0, 0x8086, 0xa298,
         "Receiver ID", 2},
        {"0000:50:00.0", FL_AER_FATAL, FL_AER_TRANSACTION, false, 0x100000, 0, 20, 0x8086, 0x0329,
         "Requester ID", 5},
    };
    check_aer(text, w, 2);
}

FL_TEST(kernel_lines, aer_reports_of_two_devices_interleaved)
{
    const char *text =
        "[  100.000001] nvidia 0000:ba:00.0: AER: PCIe Bus Error: severity=Correctable, type=Data "
        "Link Layer, (Transmitter ID)\n"
        "[  100.000002] mlx5_core 0000:9a:00.0: PCIe Bus Error: severity=Corrected, type=Physical "
        "Layer, (Receiver ID)\n"
        "[  100.000003] nvidia 0000:ba:00.0: AER:   device [10de:2330] error status/mask=000010c0/"
        "0000e000\n"
        "[  100.000004] mlx5_core 0000:9a:00.0:   device [15b3:101d] error status/mask=00000001/"
        "00000000\n"
        "[  100.000005] nvidia 0000:ba:00.0: AER:    [ 6] BadTLP                \n"
        "[  100.000006] random 0000:01:00.0: unrelated line in between\n"
        "[  100.000007] mlx5_core 0000:9a:00.0:    [ 0] RxErr                  (First)\n"
        "[  100.000008] nvidia 0000:ba:00.0: AER:    [12] Timeout                (First)\n";
    struct aer_want w[] = {
        {"0000:ba:00.0", FL_AER_CORRECTED, FL_AER_DATA_LINK, false, 0x10c0, 0xe000, 12, 0x10de,
         0x2330, "Transmitter ID", 1},
        {"0000:9a:00.0", FL_AER_CORRECTED, FL_AER_PHYSICAL, false, 1, 0, 0, 0x15b3, 0x101d,
         "Receiver ID", 2},
    };
    check_aer(text, w, 2);
}

FL_TEST(kernel_lines, aer_header_alone_firmware_first_and_inaccessible)
{
    const char *text =
        "[ 9101.500000] pcieport 0000:c0:03.1: AER: Correctable error message received from "
        "0000:c1:00.0 (no details found\n"
        "[ 9120.100000] pcieport 0000:d0:01.0: AER: aer_status: 0x00100000, aer_mask: 0x00000000\n"
        "[ 9120.100002] pcieport 0000:d0:01.0: AER:    [20] UnsupReq               (First)\n"
        "[ 9120.100004] pcieport 0000:d0:01.0: AER: aer_layer=Transaction Layer, "
        "aer_agent=Requester "
        "ID\n"
        "[ 9120.100006] pcieport 0000:d0:01.0: AER: aer_uncor_severity: 0x00162030\n"
        "[ 9130.000000] nvidia 0000:3b:00.0: AER: PCIe Bus Error: severity=Uncorrectable "
        "(Non-Fatal),"
        " type=Inaccessible, (Unregistered Agent ID)\n";
    struct aer_want w[] = {
        {"0000:c1:00.0", FL_AER_CORRECTED, FL_AER_TYPE_UNKNOWN, false, 0, 0, 32, 0, 0, "", 1},
        {"0000:d0:01.0", FL_AER_FATAL, FL_AER_TRANSACTION, false, 0x100000, 0, 20, 0, 0,
         "Requester ID", 2},
        {"0000:3b:00.0", FL_AER_NONFATAL, FL_AER_TYPE_UNKNOWN, false, 0, 0, 32, 0, 0,
         "Unregistered Agent ID", 6},
    };
    check_aer(text, w, 3);
}

FL_TEST(kernel_lines, aer_boot_lines_are_not_kept_but_recovery_lines_are)
{
    struct fl_engine *e = ingest_text(
        "[    2.104417] pcieport 0000:00:01.1: AER: enabled with IRQ 122\n"
        "[ 9077.880199] nvidia 0000:ba:00.0: AER: can't recover (no error_detected callback)\n");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 1);
    cr_assert_eq(nth(w, FL_EV_LOG, 0)->src.line, 2);
    cr_assert_str_eq(fl_window_str(w, nth(w, FL_EV_LOG, 0)->gpu.pci), "0000:ba:00.0");
    fl_engine_free(e);
}

/* ---- fallen off the bus, UUIDs, NVRM lines ---------------------------------------------- */

FL_TEST(kernel_lines, fallen_off_without_xid_becomes_xid_79)
{
    struct fl_engine *e =
        ingest_text("[   10.000000] NVRM: The NVIDIA GPU 0000:b3:00.0\n"
                    "[   10.000001] NVRM: (PCI ID: 10de:26b5) installed in this system has\n"
                    "[   10.000002] NVRM: fallen off the bus and is not responding to commands.\n");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(count_kind(w, FL_EV_XID), 1);
    const struct fl_event *x = nth(w, FL_EV_XID, 0);
    cr_assert_eq(x->u.xid.code, 79);
    cr_assert_eq(x->src.line, 3);
    cr_assert_str_eq(fl_window_str(w, x->gpu.pci), "0000:b3:00.0");
    cr_assert(str_is(x->u.xid.text, "fallen off the bus and is not responding to commands."));
    cr_assert_eq(count_kind(w, FL_EV_LOG), 2);
    fl_engine_free(e);
}

FL_TEST(kernel_lines, fallen_off_next_to_an_xid_79_is_only_a_log)
{
    /* before and after the Xid: either order */
    static const char *const texts[] = {
        "[   10.000000] NVRM: Xid (PCI:0000:91:00): 79, pid='<unknown>', name=<unknown>, GPU has "
        "fallen off the bus.\n"
        "[   10.000004] NVRM: GPU 0000:91:00.0: GPU has fallen off the bus.\n",
        "[   10.000000] NVRM: GPU 0000:91:00.0: GPU has fallen off the bus.\n"
        "[   10.000004] NVRM: Xid (PCI:0000:91:00): 79, pid='<unknown>', name=<unknown>, GPU has "
        "fallen off the bus.\n",
    };
    for (size_t i = 0; i < 2; i++) {
        struct fl_engine *e = ingest_text(texts[i]);
        const struct fl_window *w = fl_engine_window(e);
        cr_assert_eq(count_kind(w, FL_EV_XID), 1, "text %zu", i);
        cr_assert_eq(count_kind(w, FL_EV_LOG), 1, "text %zu", i);
        cr_assert_str_eq(fl_window_str(w, nth(w, FL_EV_LOG, 0)->gpu.pci), "0000:91:00.0");
        fl_engine_free(e);
    }
}

FL_TEST(kernel_lines, gpu_at_pci_maps_the_uuid_for_later_events)
{
    struct fl_engine *e = ingest_text(
        "[   10.000000] NVRM: GPU at PCI:0000:9b:00: GPU-509665ad-b600-ac93-3616-d754b23d636d\n"
        "[   10.000001] NVRM: GPU Board Serial Number: 1650124014249\n"
        "[   10.000002] NVRM: Xid (PCI:0000:9b:00): 119, pid=2024380, name=nvidia-smi, Timeout "
        "after 6s of waiting for RPC response from GPU4 GSP!\n"
        "[   10.000003] NVRM: GPU4 RPC history (CPU -> GSP):\n"
        "[   10.000004] NVRM:     entry function                   data0\n"
        "[   10.000005] NVRM:      0    103  GSP_RM_ALLOC          0x0000000000002081\n");
    const struct fl_window *w = fl_engine_window(e);
    const struct fl_event *x = nth(w, FL_EV_XID, 0);
    cr_assert_str_eq(fl_window_str(w, x->gpu.uuid), "GPU-509665ad-b600-ac93-3616-d754b23d636d");
    /* "GPU at", "Board Serial" (tagged with the GPU named just before) and "RPC history";
     * the table rows are part of the message before them */
    cr_assert_eq(count_kind(w, FL_EV_LOG), 3);
    const struct fl_event *serial = NULL;
    for (size_t i = 0; i < 3; i++)
        if (nth(w, FL_EV_LOG, i)->src.line == 2)
            serial = nth(w, FL_EV_LOG, i);
    cr_assert_not_null(serial);
    cr_assert_str_eq(fl_window_str(w, serial->gpu.pci), "0000:9b:00.0");
    fl_engine_free(e);
}

FL_TEST(kernel_lines, lines_without_gpu_needles_make_no_events)
{
    struct fl_engine *e =
        ingest_text("[    1.000000] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\n"
                    "[    1.000001] nvme nvme0: 32/0/0 default/read/poll queues\n"
                    "[    1.000002] NVMe controller with an NV-prefix but no needle\n"
                    "[    1.000003] xen: Xen detected, AEAD ok, Bus 0000:00 scanned\n"
                    "[    1.000004] nvidia-nvlink: Nvlink Core is being initialized\n");
    cr_assert_eq(fl_engine_window(e)->nevents, 0);
    size_t n;
    uint64_t total;
    fl_engine_skips(e, &n, &total);
    cr_assert_eq(total, 0);
    fl_engine_free(e);
}

FL_TEST(kernel_lines, nvlink_lines_are_logs)
{
    struct fl_engine *e =
        ingest_text("[    1.000000] nvidia-nvswitch0: NVLink link 12 training failed on "
                    "0000:05:00.0\n");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(count_kind(w, FL_EV_LOG), 1);
    cr_assert_str_eq(fl_window_str(w, nth(w, FL_EV_LOG, 0)->gpu.pci), "0000:05:00.0");
    fl_engine_free(e);
}
