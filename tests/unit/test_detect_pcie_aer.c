/* pcie_aer beyond the golden cases: the same verdicts in every input order, the rate threshold
 * to the nanosecond under a config override, out-of-memory at every point of a run (a capped
 * scratch arena) ending in FL_ENOMEM, and times at the ends of int64 (UBSan aborts on a signed
 * overflow). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/err.h"
#include "fl_test.h"

extern const struct fl_detector fl_detector_pcie_aer;

#define AER(ts, node, pci, sev, status, extra)                                                     \
    "{\"kind\":\"pcie_aer\",\"ts\":\"" ts "\",\"node\":\"" node "\",\"gpu\":{\"pci\":\"" pci       \
    "\"},\"pcie_aer\":{\"severity\":\"" sev "\",\"status\":\"" status "\"" extra "}}\n"

/* n1: a fatal AER on a GPU (nvidia driver in raw) then XID 79; a NIC's non-fatal; a bridge's
 * fatal. n2: the same GPU address, no XID and no driver: an NVIDIA device, not joined. */
static const char *const lines[] = {
    "{\"kind\":\"pcie_aer\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"n1\",\"gpu\":{\"pci\":"
    "\"0000:ba:00.0\"},\"raw\":\"nvidia 0000:ba:00.0: AER: PCIe Bus Error: severity=Uncorrectable "
    "(Fatal), type=Transaction Layer, (Requester ID)\",\"pcie_aer\":{\"severity\":\"fatal\","
    "\"status\":\"00004020\",\"first_bit\":14,\"vendor_id\":\"10de\",\"device_id\":\"2330\"}}\n",
    "{\"kind\":\"xid\",\"ts\":\"2026-11-24T10:00:00.2Z\",\"node\":\"n1\",\"gpu\":{\"pci\":"
    "\"0000:ba:00.0\",\"index\":6},\"xid\":{\"code\":79,\"text\":\"GPU has fallen off the "
    "bus.\"}}\n",
    AER("2026-11-24T10:01:00Z", "n1", "0000:9a:00.0", "nonfatal", "00040000",
        ",\"vendor_id\":\"15b3\",\"device_id\":\"1021\""),
    "{\"kind\":\"pcie_aer\",\"ts\":\"2026-11-24T10:02:00Z\",\"node\":\"n1\",\"gpu\":{\"pci\":"
    "\"0000:17:00.0\"},\"raw\":\"pcieport 0000:17:00.0: AER: PCIe Bus Error: severity="
    "Uncorrectable (Fatal), type=Data Link Layer, (Receiver ID)\",\"pcie_aer\":{\"severity\":"
    "\"fatal\",\"status\":\"00000010\",\"vendor_id\":\"1000\",\"device_id\":\"c030\"}}\n",
    AER("2026-11-24T10:00:00Z", "n2", "0000:ba:00.0", "fatal", "00000020",
        ",\"vendor_id\":\"10de\",\"device_id\":\"2330\""),
    AER("2026-11-24T10:00:30Z", "n2", "0000:ba:00.0", "corrected", "00000001", ""),
};
#define NLINES (sizeof lines / sizeof lines[0])

static struct fl_engine *engine_of(const char *text, const char *key, const char *value)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.detectors = "pcie_aer";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    if (key)
        cr_assert_eq(fl_engine_set_config(e, "pcie_aer", key, fl_str_from_cstr(value), NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(e, "w.jsonl", text, strlen(text), NULL), 0);
    return e;
}

/* "uid pattern headline\n" per verdict, in output order. */
static char *summary(struct fl_engine *e)
{
    size_t n, cap = 1, len = 0;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i].pattern_id) + strlen(v[i].headline) + 24;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    s[0] = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%016llx %s %s\n", (unsigned long long)v[i].uid,
                                v[i].pattern_id, v[i].headline);
    return s;
}

static char *window_text(size_t rot, bool reversed)
{
    size_t cap = 1;
    for (size_t i = 0; i < NLINES; i++)
        cap += strlen(lines[i]);
    char *t = malloc(cap);
    cr_assert_not_null(t);
    t[0] = 0;
    for (size_t i = 0; i < NLINES; i++) {
        size_t k = (rot + i) % NLINES;
        strcat(t, lines[reversed ? NLINES - 1 - k : k]);
    }
    return t;
}

FL_TEST(pcie_aer, same_verdicts_in_every_input_order)
{
    char *want = NULL;
    for (size_t rot = 0; rot < NLINES; rot++)
        for (int rev = 0; rev < 2; rev++) {
            char *t = window_text(rot, rev);
            struct fl_engine *e = engine_of(t, NULL, NULL);
            cr_assert_eq(fl_engine_run(e, NULL), 0);
            char *got = summary(e);
            if (!want) {
                want = got;
                size_t n;
                fl_engine_verdicts(e, &n);
                cr_assert_eq(n, 4, "%zu verdicts:\n%s", n, want);
                cr_assert(strstr(want, "pcie_aer.fatal_xid79 Fatal PCIe error on n1 NVIDIA GPU 6 "
                                       "(0000:ba:00.0, 10de:2330)"),
                          "%s", want);
                cr_assert(strstr(want, "the PCIe error explains the XID"), "%s", want);
                cr_assert(strstr(want, "n1 Mellanox/NVIDIA NIC 0000:9a:00.0 (15b3:1021)"), "%s",
                          want);
                cr_assert(strstr(want, "n1 PCIe bridge/port 0000:17:00.0 (Broadcom 1000:c030, "
                                       "pcieport)"),
                          "%s", want);
                cr_assert(strstr(want, "pcie_aer.uncorrected_fatal Fatal PCIe error on n2 NVIDIA "
                                       "device 0000:ba:00.0 (10de:2330)"),
                          "n2 must not borrow n1's GPU or XID:\n%s", want);
            } else {
                cr_assert_str_eq(got, want, "rotation %zu reversed %d", rot, rev);
                free(got);
            }
            fl_engine_free(e);
            free(t);
        }
    free(want);
}

/* 3 corrected reports within 2s on a and the third 1ns later on b: with corrected_rate 2 per
 * rate_window 2s, a storms and b does not. */
static const char *const edge =
    AER("2026-11-24T10:00:00Z", "a", "0000:18:00.0", "corrected", "00000001",
        "") AER("2026-11-24T10:00:01Z", "a", "0000:18:00.0", "corrected", "00000001", "")
        AER("2026-11-24T10:00:01.999999999Z", "a", "0000:18:00.0", "corrected", "00000001", "")
            AER("2026-11-24T10:00:00Z", "b", "0000:18:00.0", "corrected", "00000001", "")
                AER("2026-11-24T10:00:01Z", "b", "0000:18:00.0", "corrected", "00000001", "")
                    AER("2026-11-24T10:00:02Z", "b", "0000:18:00.0", "corrected", "00000001", "");

FL_TEST(pcie_aer, rate_window_is_half_open_to_the_nanosecond)
{
    struct fl_engine *e = engine_of(edge, "corrected_rate", "2");
    cr_assert_eq(fl_engine_set_config(e, "pcie_aer", "rate_window", FL_STR_LIT("2s"), NULL), 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    size_t n;
    fl_engine_verdicts(e, &n);
    cr_assert_eq(n, 1, "%s", s);
    cr_assert(strstr(s, "storm on a PCIe device 0000:18:00.0: 3 reports in 1s (peak 3 within 2s, "
                        "threshold 2): Receiver Error"),
              "%s", s);
    free(s);
    fl_engine_free(e);
}

FL_TEST(pcie_aer, out_of_memory_anywhere_is_a_clean_error)
{
    char *t = window_text(0, false);
    struct fl_engine *e = engine_of(t, NULL, NULL);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    const struct fl_detector *d = &fl_detector_pcie_aer;
    union fl_cfg_value cfg[8];
    cr_assert_leq(d->nparams, 8);
    for (size_t i = 0; i < d->nparams; i++)
        cr_assert_eq(fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]),
                     0);
    size_t full = 0, failures = 0;
    for (size_t cap = 256; cap < (1u << 20); cap += 256) {
        struct fl_arena a;
        fl_arena_init(&a, 256, cap);
        struct fl_verdict_sink sink;
        fl_verdict_sink_init(&sink, &a, w->intern);
        int rc = d->run(w, cfg, &sink);
        cr_assert(rc == 0 || rc == FL_ENOMEM, "cap %zu: rc %d", cap, rc);
        bool ok = rc == 0 && sink.error == 0;
        for (size_t i = 0; ok && i < sink.n; i++)
            cr_assert(sink.v[i].headline[0] && sink.v[i].remediation[0]);
        fl_verdict_sink_release(&sink);
        fl_arena_release(&a);
        if (ok) {
            full = cap;
            break;
        }
        failures++;
    }
    cr_assert_gt(full, 0, "never completed under 1 MiB");
    cr_assert_gt(failures, 0, "the cap never bit: the test proves nothing");
    fl_engine_free(e);
    free(t);
}

/* Reports at both ends of the int64 clock, with every window at its maximum. */
static const char *const extremes =
    AER("1677-09-22T00:00:00Z", "a", "0000:18:00.0", "fatal", "00000020", "")
        AER("2262-04-10T00:00:00Z", "a", "0000:18:00.0", "fatal", "00000020", "")
            AER("1677-09-22T00:00:00Z", "a", "0000:18:00.0", "corrected", "00000001", "")
                AER("2262-04-10T00:00:00Z", "a", "0000:18:00.0", "corrected", "00000001",
                    "") "{\"kind\":\"xid\",\"ts\":\"2262-04-10T00:00:00Z\",\"node\":\"a\",\"gpu\":{"
                        "\"pci\":\"0000:18:00.0\"},\"xid\":{\"code\":79}}\n";

FL_TEST(pcie_aer, extreme_times_do_not_overflow)
{
    struct fl_engine *e = engine_of(extremes, "episode_gap", "24h");
    cr_assert_eq(fl_engine_set_config(e, "pcie_aer", "rate_window", FL_STR_LIT("24h"), NULL), 0);
    cr_assert_eq(fl_engine_set_config(e, "pcie_aer", "corrected_rate", FL_STR_LIT("1"), NULL), 0);
    cr_assert_eq(fl_engine_set_config(e, "pcie_aer", "xid_window", FL_STR_LIT("1h"), NULL), 0);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    size_t n;
    fl_engine_verdicts(e, &n);
    char *s = summary(e);
    /* two fatal episodes 585 years apart (the second explains the XID), no storm */
    cr_assert_eq(n, 2, "%s", s);
    cr_assert(strstr(s, "pcie_aer.fatal_xid79"), "%s", s);
    free(s);
    fl_engine_free(e);
}
