/* test_catalog.c - the Xid catalog, AER bit names and throttle reasons.
 *
 * Expected Xid values are NVIDIA's: "Analyzing Xid Errors with the Xid Catalog",
 * https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html, sheet "Xids",
 * columns "Resolution Bucket (Immediate Action)" and "(Investigatory Action)". Category and
 * severity follow the rule in docs/xid-catalog.md.
 */
#include <criterion/criterion.h>

#include "fl_test.h"

#include <stdio.h>
#include <string.h>

#include "faultline/catalog.h"
#include "faultline/verdict.h"

static struct fl_str S(const char *s) {
    return fl_str_make(s, strlen(s));
}

/* ---- table shape ---- */

FL_TEST(xid_catalog, valid_codes_unique_and_strictly_ascending)
{
    size_t n = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    cr_assert_not_null(t);
    cr_assert_eq(n, 172, "NVIDIA's catalog lists codes 1-172, got %zu rows", n);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(t[i - 1].code, t[i].code, "row %zu (code %u) out of order", i, t[i].code);
    cr_assert_eq(t[0].code, 1);
    cr_assert_eq(t[n - 1].code, 172);
    cr_assert_eq(fl_xid_catalog(NULL), t);
}

FL_TEST(xid_catalog, valid_every_code_found_by_lookup)
{
    size_t n = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(fl_xid_lookup(t[i].code), &t[i], "lookup(%u)", t[i].code);
}

FL_TEST(xid_catalog, valid_fields_in_range_and_text_present)
{
    size_t n = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    for (size_t i = 0; i < n; i++) {
        const struct fl_xid_info *x = &t[i];
        cr_assert_lt(x->immediate, FL_XACT__COUNT, "xid %u", x->code);
        cr_assert_lt(x->category, FL_XCAT__COUNT, "xid %u", x->code);
        cr_assert_lt(x->severity, FL_SEV__COUNT, "xid %u", x->code);
        cr_assert(x->mnemonic && x->mnemonic[0], "xid %u has no mnemonic", x->code);
        cr_assert(x->description && x->description[0], "xid %u has no description", x->code);
        cr_assert(x->investigatory == NULL || x->investigatory[0], "xid %u: empty, not NULL",
                  x->code);
        if (!x->in_use)
            cr_assert_str_eq(x->description, "Unused", "xid %u", x->code);
    }
}

FL_TEST(xid_catalog, invalid_unknown_codes_give_null)
{
    cr_assert_null(fl_xid_lookup(0));
    cr_assert_null(fl_xid_lookup(173));
    cr_assert_null(fl_xid_lookup(999));
    cr_assert_null(fl_xid_lookup(65536u + 79u)); /* must not wrap into the uint16_t code */
    cr_assert_null(fl_xid_lookup(UINT32_MAX));
}

/* ---- NVIDIA's values for the codes faultline's detectors lean on ---- */

struct expect {
    uint32_t code;
    enum fl_xid_action immediate; /* NVIDIA's immediate-action column */
    const char *investigatory;    /* NVIDIA's investigatory column */
    enum fl_xid_category category;
    enum fl_severity severity;
};

static const struct expect expected[] = {
    {13, FL_XACT_RESTART_APP, "WORKFLOW_XID_13", FL_XCAT_APPLICATION, FL_SEV_WARNING},
    {31, FL_XACT_RESTART_APP, "WORKFLOW_XID_31", FL_XCAT_APPLICATION, FL_SEV_WARNING},
    /* 43: NVIDIA's immediate action is IGNORE (the GPU stays healthy; the app was at fault). */
    {43, FL_XACT_IGNORE, "CONTACT_SUPPORT", FL_XCAT_APPLICATION, FL_SEV_WARNING},
    {45, FL_XACT_WORKFLOW_XID_45, "Solo: RESTART_FM; Not Solo: IGNORE (follow other Xid)",
     FL_XCAT_APPLICATION, FL_SEV_WARNING},
    {48, FL_XACT_WORKFLOW_XID_48, "WORKFLOW_XID_48", FL_XCAT_MEMORY, FL_SEV_CRITICAL},
    {63, FL_XACT_IGNORE, "IGNORE", FL_XCAT_MEMORY, FL_SEV_INFO},
    {64, FL_XACT_RESET_GPU, "CONTACT_SUPPORT", FL_XCAT_MEMORY, FL_SEV_CRITICAL},
    {74, FL_XACT_WORKFLOW_NVLINK_ERR, "CONTACT_SUPPORT", FL_XCAT_NVLINK, FL_SEV_CRITICAL},
    {79, FL_XACT_RESTART_BM, "CONTACT_SUPPORT", FL_XCAT_HARDWARE, FL_SEV_CRITICAL},
    {92, FL_XACT_IGNORE, "CONTACT_SUPPORT", FL_XCAT_MEMORY, FL_SEV_INFO},
    {94, FL_XACT_RESTART_APP, "IGNORE (sympathetic)", FL_XCAT_MEMORY, FL_SEV_ERROR},
    {95, FL_XACT_RESET_GPU, "IGNORE (sympathetic)", FL_XCAT_MEMORY, FL_SEV_CRITICAL},
    {119, FL_XACT_RESET_GPU, "INVESTIGATE_SW", FL_XCAT_DRIVER, FL_SEV_ERROR},
    {120, FL_XACT_RESET_GPU, "INVESTIGATE_SW", FL_XCAT_DRIVER, FL_SEV_ERROR},
    {140, FL_XACT_RESET_GPU, "CONTACT_SUPPORT", FL_XCAT_MEMORY, FL_SEV_CRITICAL},
    /* beyond the core set: buckets that appear only once or twice in the catalog */
    {54, FL_XACT_CHECK_MECHANICALS, "CONTACT_SUPPORT", FL_XCAT_POWER, FL_SEV_ERROR},
    {78, FL_XACT_UPDATE_SWFW, "UPDATE_SWFW", FL_XCAT_DRIVER, FL_SEV_ERROR},
    {144, FL_XACT_WORKFLOW_NVLINK5_ERR, "WORKFLOW_NVLINK5_ERR", FL_XCAT_NVLINK, FL_SEV_ERROR},
    {151, FL_XACT_RESTART_VM, "CONTACT_SUPPORT", FL_XCAT_DRIVER, FL_SEV_ERROR},
    {154, FL_XACT_XID_154, "N/A Informational only regarding another Xid", FL_XCAT_DRIVER,
     FL_SEV_INFO},
    {159, FL_XACT_CHECK_UVM, "SYMPATHETIC_REPORT_SOLO", FL_XCAT_NVLINK, FL_SEV_WARNING},
    /* 160: NVIDIA says IGNORE; NVSentinel's mapping says RESTART_BM. NVIDIA wins. */
    {160, FL_XACT_IGNORE, "INVESTIGATE_SW", FL_XCAT_DRIVER, FL_SEV_INFO},
    /* 162-172 have no bucket in the catalog yet. */
    {167, FL_XACT_NONE, NULL, FL_XCAT_HARDWARE, FL_SEV_WARNING},
};

FL_TEST(xid_catalog, valid_nvidia_values_for_key_codes)
{
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const struct expect *e = &expected[i];
        const struct fl_xid_info *x = fl_xid_lookup(e->code);
        cr_assert_not_null(x, "xid %u missing", e->code);
        cr_assert_eq(x->code, e->code);
        cr_assert_eq(x->immediate, e->immediate, "xid %u immediate %s, want %s", e->code,
                     fl_xid_action_name(x->immediate), fl_xid_action_name(e->immediate));
        if (e->investigatory)
            cr_assert_str_eq(x->investigatory, e->investigatory, "xid %u", e->code);
        else
            cr_assert_null(x->investigatory, "xid %u", e->code);
        cr_assert_eq(x->category, e->category, "xid %u category %s, want %s", e->code,
                     fl_xid_category_name(x->category), fl_xid_category_name(e->category));
        cr_assert_eq(x->severity, e->severity, "xid %u severity %d, want %d", e->code, x->severity,
                     e->severity);
        cr_assert(x->in_use, "xid %u", e->code);
    }
}

FL_TEST(xid_catalog, valid_mnemonics_as_nvidia_spells_them)
{
    cr_assert_str_eq(fl_xid_lookup(79)->mnemonic, "ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS");
    cr_assert_str_eq(fl_xid_lookup(48)->mnemonic, "ROBUST_CHANNEL_GPU_ECC_DBE");
    cr_assert_str_eq(fl_xid_lookup(137)->mnemonic, "NVLINK_PRIV_ERR");
    cr_assert_str_eq(fl_xid_lookup(108)->mnemonic, "NVLINK_REMOTE_TRANSLATION_ERROR");
    cr_assert_str_eq(fl_xid_lookup(79)->description, "GPU has fallen off the bus");
}

FL_TEST(xid_catalog, valid_app_fault_attribution)
{
    static const uint32_t app[] = {11, 13, 25, 31, 43, 69, 80, 137};
    static const uint32_t not_app[] = {8, 32, 37, 45, 48, 74, 79, 94, 95, 119, 140};
    for (size_t i = 0; i < sizeof app / sizeof app[0]; i++)
        cr_assert(fl_xid_lookup(app[i])->app_fault, "xid %u", app[i]);
    for (size_t i = 0; i < sizeof not_app / sizeof not_app[0]; i++)
        cr_assert_not(fl_xid_lookup(not_app[i])->app_fault, "xid %u", not_app[i]);
}

FL_TEST(xid_catalog, valid_in_use_marks)
{
    cr_assert_not(fl_xid_lookup(1)->in_use);
    cr_assert_not(fl_xid_lookup(9)->in_use);
    cr_assert_not(fl_xid_lookup(108)->in_use);
    cr_assert(fl_xid_lookup(14)->in_use, "the injected-error code stays live");
    cr_assert(fl_xid_lookup(152)->in_use, "DLA codes are described, so live");
    size_t n = 0, used = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    for (size_t i = 0; i < n; i++)
        used += t[i].in_use;
    cr_assert_eq(used, 110, "in use: %zu", used);
}

/* Invariants of the derivation rule that hold for every row. */
FL_TEST(xid_catalog, valid_rule_invariants)
{
    size_t n = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    for (size_t i = 0; i < n; i++) {
        const struct fl_xid_info *x = &t[i];
        if (x->app_fault) {
            cr_assert_eq(x->category, FL_XCAT_APPLICATION, "xid %u", x->code);
            cr_assert_eq(x->severity, FL_SEV_WARNING, "xid %u", x->code);
        }
        if (x->immediate == FL_XACT_IGNORE && !x->app_fault)
            cr_assert_eq(x->severity, FL_SEV_INFO, "xid %u", x->code);
        if (x->immediate == FL_XACT_WORKFLOW_NVLINK_ERR ||
            x->immediate == FL_XACT_WORKFLOW_NVLINK5_ERR)
            cr_assert_eq(x->category, FL_XCAT_NVLINK, "xid %u", x->code);
        if (x->severity == FL_SEV_CRITICAL)
            cr_assert(x->category == FL_XCAT_HARDWARE || x->category == FL_XCAT_MEMORY ||
                          x->category == FL_XCAT_NVLINK,
                      "xid %u", x->code);
        if (x->immediate == FL_XACT_RESTART_BM)
            cr_assert_eq(x->severity, FL_SEV_CRITICAL, "xid %u", x->code);
    }
}

/* The enum is exactly the set of buckets NVIDIA's immediate column uses. */
FL_TEST(xid_catalog, valid_every_action_used_by_some_row)
{
    size_t n = 0;
    const struct fl_xid_info *t = fl_xid_catalog(&n);
    for (int a = 0; a < FL_XACT__COUNT; a++) {
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = t[i].immediate == a;
        cr_assert(seen, "action %s unused by the catalog", fl_xid_action_name(a));
    }
}

/* ---- names ---- */

FL_TEST(xid_names, valid_action_names_round_trip)
{
    for (int a = 0; a < FL_XACT__COUNT; a++) {
        const char *name = fl_xid_action_name(a);
        cr_assert_eq(fl_xid_action_from_name(S(name)), a, "%s", name);
        const char *m = fl_xid_action_meaning(a);
        cr_assert(m[0] && m[strlen(m) - 1] == '.', "meaning of %s: '%s'", name, m);
    }
    cr_assert_str_eq(fl_xid_action_name(FL_XACT_RESET_GPU), "RESET_GPU");
    cr_assert_str_eq(fl_xid_action_name(FL_XACT_WORKFLOW_NVLINK5_ERR), "WORKFLOW_NVLINK5_ERR");
    cr_assert_eq(fl_xid_action_from_name(S("  restart_bm ")), FL_XACT_RESTART_BM);
}

FL_TEST(xid_names, invalid_action_names)
{
    cr_assert_eq(fl_xid_action_from_name(S("REBOOT")), -1);
    cr_assert_eq(fl_xid_action_from_name(S("")), -1);
    cr_assert_eq(fl_xid_action_from_name(FL_STR_NULL), -1);
    cr_assert_str_eq(fl_xid_action_name(FL_XACT__COUNT), "UNKNOWN");
    cr_assert_str_eq(fl_xid_action_meaning(FL_XACT__COUNT), "");
}

FL_TEST(xid_names, valid_category_names_round_trip)
{
    for (int c = 0; c < FL_XCAT__COUNT; c++)
        cr_assert_eq(fl_xid_category_from_name(S(fl_xid_category_name(c))), c);
    cr_assert_str_eq(fl_xid_category_name(FL_XCAT_NVLINK), "nvlink");
    cr_assert_str_eq(fl_xid_category_name(FL_XCAT__COUNT), "unknown");
    cr_assert_eq(fl_xid_category_from_name(S("gpu")), -1);
}

/* ---- AER ---- */

FL_TEST(aer, valid_current_kernel_names)
{
    cr_assert_str_eq(fl_aer_bit_name(false, 0), "RxErr");
    cr_assert_str_eq(fl_aer_bit_name(false, 6), "BadTLP");
    cr_assert_str_eq(fl_aer_bit_name(false, 7), "BadDLLP");
    cr_assert_str_eq(fl_aer_bit_name(false, 8), "Rollover");
    cr_assert_str_eq(fl_aer_bit_name(false, 12), "Timeout");
    cr_assert_str_eq(fl_aer_bit_name(false, 13), "NonFatalErr");
    cr_assert_str_eq(fl_aer_bit_name(false, 14), "CorrIntErr");
    cr_assert_str_eq(fl_aer_bit_name(false, 15), "HeaderOF");
    cr_assert_str_eq(fl_aer_bit_name(true, 0), "Undefined");
    cr_assert_str_eq(fl_aer_bit_name(true, 4), "DLP");
    cr_assert_str_eq(fl_aer_bit_name(true, 5), "SDES");
    cr_assert_str_eq(fl_aer_bit_name(true, 12), "TLP");
    cr_assert_str_eq(fl_aer_bit_name(true, 13), "FCP");
    cr_assert_str_eq(fl_aer_bit_name(true, 14), "CmpltTO");
    cr_assert_str_eq(fl_aer_bit_name(true, 15), "CmpltAbrt");
    cr_assert_str_eq(fl_aer_bit_name(true, 16), "UnxCmplt");
    cr_assert_str_eq(fl_aer_bit_name(true, 17), "RxOF");
    cr_assert_str_eq(fl_aer_bit_name(true, 18), "MalfTLP");
    cr_assert_str_eq(fl_aer_bit_name(true, 19), "ECRC");
    cr_assert_str_eq(fl_aer_bit_name(true, 20), "UnsupReq");
    cr_assert_str_eq(fl_aer_bit_name(true, 21), "ACSViol");
    cr_assert_str_eq(fl_aer_bit_name(true, 22), "UncorrIntErr");
    cr_assert_str_eq(fl_aer_bit_name(true, 23), "BlockedTLP");
    cr_assert_str_eq(fl_aer_bit_name(true, 24), "AtomicOpBlocked");
    cr_assert_str_eq(fl_aer_bit_name(true, 25), "TLPBlockedErr");
    cr_assert_str_eq(fl_aer_bit_name(true, 26), "PoisonTLPBlocked");
    cr_assert_str_eq(fl_aer_bit_name(true, 31), "TLPXlatBlocked");
}

FL_TEST(aer, valid_older_kernel_names)
{
    cr_assert_str_eq(fl_aer_bit_long_name(false, 0), "Receiver Error");
    cr_assert_str_eq(fl_aer_bit_long_name(false, 12), "Replay Timer Timeout");
    cr_assert_str_eq(fl_aer_bit_long_name(true, 14), "Completion Timeout");
    cr_assert_str_eq(fl_aer_bit_long_name(true, 20), "Unsupported Request");
    cr_assert_null(fl_aer_bit_long_name(true, 27));
}

FL_TEST(aer, valid_lookup_either_spelling)
{
    bool unc = true;
    cr_assert_eq(fl_aer_bit_from_name(S("RxErr"), &unc), 0);
    cr_assert_not(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("Receiver Error"), &unc), 0);
    cr_assert_not(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("BadTLP"), &unc), 6);
    cr_assert_eq(fl_aer_bit_from_name(S("Bad TLP"), &unc), 6);
    cr_assert_not(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("REPLAY_NUM Rollover"), &unc), 8);
    cr_assert_eq(fl_aer_bit_from_name(S("RELAY_NUM Rollover"), &unc), 8);
    cr_assert_eq(fl_aer_bit_from_name(S("UnsupReq"), &unc), 20);
    cr_assert(unc);
    unc = false;
    cr_assert_eq(fl_aer_bit_from_name(S("Unsupported Request"), &unc), 20);
    cr_assert(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("CmpltTO"), &unc), 14);
    cr_assert_eq(fl_aer_bit_from_name(S("Completion Timeout"), &unc), 14);
    cr_assert_eq(fl_aer_bit_from_name(S("Poisoned TLP"), &unc), 12);
    cr_assert(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("Timeout"), &unc), 12);
    cr_assert_not(unc);
    cr_assert_eq(fl_aer_bit_from_name(S("  RxErr                 (First)"), NULL), 0);
    cr_assert_eq(fl_aer_bit_from_name(S("malftlp"), NULL), 18);
}

FL_TEST(aer, valid_every_name_maps_back_to_its_bit)
{
    for (int r = 0; r < 2; r++) {
        bool u = r == 1;
        for (unsigned bit = 0; bit < FL_AER_BITS; bit++) {
            const char *names[2] = {fl_aer_bit_name(u, bit), fl_aer_bit_long_name(u, bit)};
            for (int k = 0; k < 2; k++) {
                if (!names[k])
                    continue;
                bool got = !u;
                cr_assert_eq(fl_aer_bit_from_name(S(names[k]), &got), (int)bit, "%s", names[k]);
                cr_assert_eq(got, u, "%s", names[k]);
            }
        }
    }
}

FL_TEST(aer, invalid_bits_and_names)
{
    cr_assert_null(fl_aer_bit_name(false, 1));
    cr_assert_null(fl_aer_bit_name(false, 16));
    cr_assert_null(fl_aer_bit_name(true, 1));
    cr_assert_null(fl_aer_bit_name(true, 32));
    cr_assert_null(fl_aer_bit_long_name(false, 99));
    cr_assert_eq(fl_aer_bit_from_name(S("Bogus"), NULL), -1);
    cr_assert_eq(fl_aer_bit_from_name(S(""), NULL), -1);
    cr_assert_eq(fl_aer_bit_from_name(S("(First)"), NULL), -1);
    cr_assert_eq(fl_aer_bit_from_name(FL_STR_NULL, NULL), -1);
    /* a view is not NUL-terminated: only its first len bytes count */
    cr_assert_eq(fl_aer_bit_from_name(fl_str_make("BadTLPxyz", 6), NULL), 6);
}

/* ---- throttle reasons ---- */

FL_TEST(throttle, valid_nvml_values)
{
    cr_assert_eq(FL_THROTTLE_GPU_IDLE, 0x1ULL);
    cr_assert_eq(FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING, 0x2ULL);
    cr_assert_eq(FL_THROTTLE_SW_POWER_CAP, 0x4ULL);
    cr_assert_eq(FL_THROTTLE_HW_SLOWDOWN, 0x8ULL);
    cr_assert_eq(FL_THROTTLE_SYNC_BOOST, 0x10ULL);
    cr_assert_eq(FL_THROTTLE_SW_THERMAL_SLOWDOWN, 0x20ULL);
    cr_assert_eq(FL_THROTTLE_HW_THERMAL_SLOWDOWN, 0x40ULL);
    cr_assert_eq(FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN, 0x80ULL);
    cr_assert_eq(FL_THROTTLE_DISPLAY_CLOCK_SETTING, 0x100ULL);
    cr_assert_str_eq(fl_throttle_lookup(0x40)->name, "HwThermalSlowdown");
    cr_assert_str_eq(fl_throttle_lookup(0x4)->name, "SwPowerCap");
}

FL_TEST(throttle, valid_table_one_bit_each_ascending)
{
    size_t n = 0;
    const struct fl_throttle_reason *t = fl_throttle_reasons(&n);
    cr_assert_geq(n, 9);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i].bit & (t[i].bit - 1), 0, "%s is not one bit", t[i].name);
        cr_assert(t[i].name[0] && t[i].meaning[0]);
        cr_assert_not(t[i].benign && (t[i].thermal || t[i].power), "%s", t[i].name);
        if (i)
            cr_assert_lt(t[i - 1].bit, t[i].bit);
        cr_assert_eq(fl_throttle_lookup(t[i].bit), &t[i]);
        cr_assert_eq(fl_throttle_from_name(S(t[i].name)), &t[i]);
    }
}

FL_TEST(throttle, valid_classes)
{
    cr_assert(fl_throttle_lookup(FL_THROTTLE_GPU_IDLE)->benign);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING)->benign);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_SYNC_BOOST)->benign);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_DISPLAY_CLOCK_SETTING)->benign);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_SW_POWER_CAP)->power);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN)->power);
    cr_assert_not(fl_throttle_lookup(FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN)->thermal);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_SW_THERMAL_SLOWDOWN)->thermal);
    cr_assert(fl_throttle_lookup(FL_THROTTLE_HW_THERMAL_SLOWDOWN)->thermal);
    cr_assert_not(fl_throttle_lookup(FL_THROTTLE_HW_THERMAL_SLOWDOWN)->power);
    const struct fl_throttle_reason *hw = fl_throttle_lookup(FL_THROTTLE_HW_SLOWDOWN);
    cr_assert(hw->thermal && hw->power && !hw->benign);
}

FL_TEST(throttle, valid_names_with_nvml_prefixes)
{
    const struct fl_throttle_reason *r = fl_throttle_lookup(FL_THROTTLE_HW_SLOWDOWN);
    cr_assert_eq(fl_throttle_from_name(S("nvmlClocksThrottleReasonHwSlowdown")), r);
    cr_assert_eq(fl_throttle_from_name(S("nvmlClocksEventReasonHwSlowdown")), r);
    cr_assert_eq(fl_throttle_from_name(S(" hwslowdown ")), r);
    cr_assert_eq(fl_throttle_from_name(S("nvmlClocksThrottleReasonUserDefinedClocks")),
                 fl_throttle_lookup(FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING));
}

FL_TEST(throttle, invalid_bits_and_names)
{
    cr_assert_null(fl_throttle_lookup(0));
    cr_assert_null(fl_throttle_lookup(0x3));
    cr_assert_null(fl_throttle_lookup(0x800));
    cr_assert_null(fl_throttle_from_name(S("nvmlClocksEventReason")));
    cr_assert_null(fl_throttle_from_name(S("Overheat")));
    cr_assert_null(fl_throttle_from_name(FL_STR_NULL));
}

FL_TEST(throttle, valid_mask_predicates)
{
    cr_assert(fl_throttle_mask_benign(0));
    cr_assert(fl_throttle_mask_benign(FL_THROTTLE_GPU_IDLE | FL_THROTTLE_SYNC_BOOST));
    cr_assert_not(fl_throttle_mask_benign(FL_THROTTLE_GPU_IDLE | FL_THROTTLE_SW_POWER_CAP));
    cr_assert_not(fl_throttle_mask_benign(0x1000), "an unknown bit is not benign");
    cr_assert(fl_throttle_mask_thermal(FL_THROTTLE_SW_THERMAL_SLOWDOWN | FL_THROTTLE_GPU_IDLE));
    cr_assert_not(fl_throttle_mask_thermal(FL_THROTTLE_SW_POWER_CAP));
    cr_assert(fl_throttle_mask_power(FL_THROTTLE_HW_POWER_BRAKE_SLOWDOWN));
    cr_assert(fl_throttle_mask_power(FL_THROTTLE_HW_SLOWDOWN));
    cr_assert(fl_throttle_mask_thermal(FL_THROTTLE_HW_SLOWDOWN));
    cr_assert_not(fl_throttle_mask_power(FL_THROTTLE_GPU_IDLE));
}

/* The memory XIDs hbm_ecc judges and xid_correlation leaves to it: exactly these, each in the
 * catalog. */
FL_TEST(xid_catalog, memory_xids_exactly_these)
{
    static const uint32_t mem[] = {48, 63, 64, 92, 94, 95, 140};
    size_t found = 0;
    for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++)
        cr_assert_not_null(fl_xid_lookup(mem[i]), "XID %u is not in the catalog", mem[i]);
    for (uint32_t c = 0; c < 1000; c++)
        found += fl_xid_is_memory(c);
    cr_assert_eq(found, sizeof mem / sizeof mem[0]);
    for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++)
        cr_assert(fl_xid_is_memory(mem[i]));
    cr_assert_not(fl_xid_is_memory(79));
    cr_assert_not(fl_xid_is_memory(13));
}
