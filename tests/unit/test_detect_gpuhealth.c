/* hbm_ecc and thermal_throttle: the rules the golden cases do not pin down one by one
 * (pro-rata rates over long gaps, ambiguous identities, clocks other than the wall clock,
 * configuration, record order inside one input). Inputs are faultline.events/v1 lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"
#include "faultline/window.h"
#include "faultline/time.h"
#include "fl_test.h"

#define T0 "2026-11-24T"
/* Every buffer below leaves at least this much room after its last line. */
#define LINE_MAX_ 320

struct out {
    struct fl_engine *e;
    const struct fl_verdict *v;
    size_t n;
};

static struct out analyze(const char *det, const char *text, const char *key, const char *val)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.detectors = det;
    struct out r = {fl_engine_new(&o, NULL), NULL, 0};
    cr_assert_not_null(r.e);
    if (key)
        cr_assert_eq(fl_engine_set_config(r.e, det, key, fl_str_from_cstr(val), NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(r.e, "events.jsonl", text, strlen(text), NULL), 0);
    cr_assert_eq(fl_engine_run(r.e, NULL), 0);
    r.v = fl_engine_verdicts(r.e, &r.n);
    return r;
}

/* Lines of text in reverse order (a copy to free). */
static char *reversed_lines(const char *text)
{
    size_t len = strlen(text);
    char *out = malloc(len + 2), *p = out;
    cr_assert_not_null(out);
    const char *end = text + len;
    while (end > text) {
        const char *e = end;
        if (e[-1] == '\n')
            e--;
        const char *b = e;
        while (b > text && b[-1] != '\n')
            b--;
        memcpy(p, b, (size_t)(e - b));
        p += e - b;
        *p++ = '\n';
        end = b;
    }
    *p = '\0';
    return out;
}

static char *ecc_line(char *p, const char *hm, const char *node, const char *pci, int index,
                      const char *type, int agg, long long count, const char *text)
{
    char gpu[128];
    if (pci && index >= 0)
        snprintf(gpu, sizeof gpu, "{\"pci\":\"%s\",\"index\":%d}", pci, index);
    else if (pci)
        snprintf(gpu, sizeof gpu, "{\"pci\":\"%s\"}", pci);
    else
        snprintf(gpu, sizeof gpu, "{\"index\":%d}", index);
    return p +
           snprintf(p, LINE_MAX_,
                    "{\"kind\":\"ecc\",\"ts\":\"" T0 "%sZ\",\"node\":\"%s\",\"gpu\":%s,"
                    "\"ecc\":{\"type\":\"%s\",\"aggregate\":%s,\"count\":%lld,\"text\":\"%s\"}}\n",
                    hm, node, gpu, type, agg ? "true" : "false", count, text);
}

static bool has_pattern(const struct out *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].pattern_id, id) == 0)
            return true;
    return false;
}

/* +150 correctable errors across one 2-hour gap is 75 per hour: under the default 100; +250
 * over the same gap (125 per hour) is over it. */
FL_TEST(hbm_ecc, sbe_rise_over_a_long_gap_counts_pro_rata)
{
    char buf[4096], *p = buf;
    p = ecc_line(p, "10:00:00", "n1", "0000:3b:00.0", 0, "sbe", 0, 0,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    p = ecc_line(p, "12:00:00", "n1", "0000:3b:00.0", 0, "sbe", 0, 150,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    p = ecc_line(p, "10:00:00", "n2", "0000:3b:00.0", 0, "sbe", 0, 0,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    p = ecc_line(p, "12:00:00", "n2", "0000:3b:00.0", 0, "sbe", 0, 250,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    struct out r = analyze("hbm_ecc", buf, NULL, NULL);
    cr_assert_eq(r.n, 1);
    cr_assert_str_eq(r.v[0].pattern_id, "hbm_ecc.sbe_rate");
    cr_assert(strstr(r.v[0].headline, "n2") && strstr(r.v[0].headline, "125 correctable"), "%s",
              r.v[0].headline);
    fl_engine_free(r.e);
}

FL_TEST(hbm_ecc, sbe_threshold_is_configurable)
{
    char buf[4096], *p = buf;
    p = ecc_line(p, "10:00:00", "n1", "0000:3b:00.0", 0, "sbe", 0, 0,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    p = ecc_line(p, "10:10:00", "n1", "0000:3b:00.0", 0, "sbe", 0, 12,
                 "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL");
    struct out a = analyze("hbm_ecc", buf, NULL, NULL);
    cr_assert_eq(a.n, 0);
    struct out b = analyze("hbm_ecc", buf, "sbe_threshold", "12");
    cr_assert_eq(b.n, 1);
    cr_assert_str_eq(b.v[0].pattern_id, "hbm_ecc.sbe_rate");
    fl_engine_free(a.e);
    fl_engine_free(b.e);
}

/* A reading that names only index 0 joins the PCI address paired with index 0 on its node; when
 * two addresses claim index 0 the join is ambiguous and the reading stays its own GPU. */
FL_TEST(hbm_ecc, index_join_needs_one_address)
{
    char buf[4096], *p = buf;
    p = ecc_line(p, "10:00:00", "n1", "0000:3b:00.0", 0, "dbe", 1, 0,
                 "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL");
    p = ecc_line(p, "10:00:30", "n1", NULL, 0, "dbe", 0, 0, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL");
    p = ecc_line(p, "10:01:00", "n1", NULL, 0, "dbe", 0, 1, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL");
    struct out a = analyze("hbm_ecc", buf, NULL, NULL);
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(fl_window_str(fl_engine_window(a.e), a.v[0].scope.gpu.pci), "0000:3b:00.0");
    p = ecc_line(p, "10:00:00", "n1", "0000:5e:00.0", 0, "dbe", 1, 0,
                 "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL");
    struct out b = analyze("hbm_ecc", buf, NULL, NULL);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.v[0].scope.gpu.pci, 0);
    cr_assert_eq(b.v[0].scope.gpu.index, 0);
    fl_engine_free(a.e);
    fl_engine_free(b.e);
}

/* An Xid on the boot clock (dmesg without a boot time) still names its GPU; the verdict has no
 * wall time. */
FL_TEST(hbm_ecc, boot_clock_xid_gives_a_verdict_without_time)
{
    const char *text = "{\"kind\":\"xid\",\"ts\":null,\"boot_ns\":9078000001000,\"node\":\"n1\","
                       "\"gpu\":{\"pci\":\"0000:ba:00.0\"},\"xid\":{\"code\":95,\"text\":"
                       "\"Uncontained: FBHUB. RST: Yes, D-RST: No\"}}\n";
    struct out r = analyze("hbm_ecc", text, NULL, NULL);
    cr_assert_eq(r.n, 1);
    cr_assert_str_eq(r.v[0].pattern_id, "hbm_ecc.uncontained");
    cr_assert_eq(r.v[0].ts, FL_TIME_NONE);
    fl_engine_free(r.e);
}

/* The order of records inside one input changes intern ids, never the verdicts. */
FL_TEST(hbm_ecc, record_order_inside_an_input_does_not_matter)
{
    char buf[4096], *p = buf;
    p = ecc_line(p, "10:00:00", "n1", "0000:3b:00.0", 0, "dbe", 0, 0,
                 "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL");
    p = ecc_line(p, "10:00:30", "n1", "0000:3b:00.0", 0, "dbe", 0, 2,
                 "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL");
    p = ecc_line(p, "10:00:00", "n2", "0000:5e:00.0", 1, "remap_pending", 0, 1,
                 "DCGM_FI_DEV_ROW_REMAP_PENDING");
    p = ecc_line(p, "10:00:00", "n1", "0000:5e:00.0", 1, "dbe", 1, 4,
                 "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL");
    p = ecc_line(p, "10:00:30", "n1", "0000:5e:00.0", 1, "dbe", 1, 4,
                 "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL");
    char *rev = reversed_lines(buf);
    struct out a = analyze("hbm_ecc", buf, NULL, NULL), b = analyze("hbm_ecc", rev, NULL, NULL);
    cr_assert_eq(a.n, 3);
    cr_assert_eq(b.n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        cr_assert_eq(a.v[i].uid, b.v[i].uid);
        cr_assert_str_eq(a.v[i].headline, b.v[i].headline);
        cr_assert_eq(a.v[i].nevidence, b.v[i].nevidence);
    }
    cr_assert(has_pattern(&a, "hbm_ecc.uncorrectable") &&
              has_pattern(&a, "hbm_ecc.remap_pending") && has_pattern(&a, "hbm_ecc.history"));
    free(rev);
    fl_engine_free(a.e);
    fl_engine_free(b.e);
}

/* ---- thermal_throttle ------------------------------------------------------------------- */

static char *thr_line(char *p, int sec, const char *node, int gpu, unsigned mask, bool timed)
{
    char ts[40];
    if (timed)
        snprintf(ts, sizeof ts, "\"" T0 "10:%02d:%02dZ\"", sec / 60, sec % 60);
    else
        snprintf(ts, sizeof ts, "null");
    return p + snprintf(p, LINE_MAX_,
                        "{\"kind\":\"throttle\",\"ts\":%s,\"node\":\"%s\",\"gpu\":{\"pci\":"
                        "\"0000:%02x:00.0\",\"index\":%d},\"throttle\":{\"reasons\":%u}}\n",
                        ts, node, 0x18 + 16 * gpu, gpu, mask);
}

/* 6 of 8 GPUs under the power brake: one node verdict at node_share 0.75, six GPU verdicts when
 * node_share asks for all of them. */
FL_TEST(thermal_throttle, node_share_decides_node_or_gpus)
{
    static char buf[65536];
    char *p = buf;
    for (int s = 0; s <= 120; s += 15)
        for (int g = 0; g < 8; g++)
            p = thr_line(p, s, "n1", g, g < 6 ? 0x88 : 0x0, true);
    struct out a = analyze("thermal_throttle", buf, NULL, NULL);
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(a.v[0].pattern_id, "thermal_throttle.node");
    struct out b = analyze("thermal_throttle", buf, "node_share", "1");
    cr_assert_eq(b.n, 6);
    for (size_t i = 0; i < b.n; i++)
        cr_assert_str_eq(b.v[i].pattern_id, "thermal_throttle.gpu");
    char *rev = reversed_lines(buf);
    struct out c = analyze("thermal_throttle", rev, NULL, NULL);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.v[0].uid, a.v[0].uid);
    cr_assert_str_eq(c.v[0].headline, a.v[0].headline);
    free(rev);
    fl_engine_free(a.e);
    fl_engine_free(b.e);
    fl_engine_free(c.e);
}

/* Samples without a time cannot measure a duration: never a verdict. */
FL_TEST(thermal_throttle, clockless_samples_are_not_read)
{
    char buf[4096], *p = buf;
    for (int s = 0; s <= 300; s += 30)
        p = thr_line(p, s, "n1", 0, 0x40, false);
    struct out r = analyze("thermal_throttle", buf, NULL, NULL);
    cr_assert_eq(r.n, 0);
    fl_engine_free(r.e);
}

/* Two qualifying episodes of one GPU, split by an inactive sample, are one verdict; min_duration
 * is configurable. */
FL_TEST(thermal_throttle, episodes_of_one_gpu_make_one_verdict)
{
    char buf[8192], *p = buf;
    for (int s = 0; s <= 300; s += 15)
        p = thr_line(p, s, "n1", 2, (s >= 0 && s <= 90) || (s >= 150 && s <= 300) ? 0x20 : 0x1,
                     true);
    struct out a = analyze("thermal_throttle", buf, NULL, NULL);
    cr_assert_eq(a.n, 1);
    cr_assert(strstr(a.v[0].headline, "2 episodes"), "%s", a.v[0].headline);
    struct out b = analyze("thermal_throttle", buf, "min_duration", "2m");
    cr_assert_eq(b.n, 1);
    cr_assert_null(strstr(b.v[0].headline, "2 episodes"), "%s", b.v[0].headline);
    struct out c = analyze("thermal_throttle", buf, "min_duration", "3m");
    cr_assert_eq(c.n, 0);
    fl_engine_free(a.e);
    fl_engine_free(b.e);
    fl_engine_free(c.e);
}
