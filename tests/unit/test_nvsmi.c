/* The nvidia-smi readers: -q text (new and old ECC layouts, both clock-reason headings, the
 * one-line N/A forms, -d displays, -l loops), the default table, and -q -x XML (DTD v10..v13);
 * the GPU index/UUID/PCI map they give, bad input, every truncation length, sniffing against
 * other formats and allocation-failure loops. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/ingest.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

#include "gpu_metrics_test.h"

/* ---- nvidia-smi -q text ------------------------------------------------------------------ */

FL_TEST(nvsmi, valid_a10_new_ecc_layout_remap_pending)
{
    struct fl_engine *e = ingest_file("gpud-a10-535.129.03-q.txt");
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(skips(e), 0);
    const char *g =
        "2024-09-25T10:40:24Z - 0000:07:00.0 GPU-73d12ef7-f589-f867-4259-c7090ab44736 0 |";
    cr_assert_eq(COUNT(e, "throttle", g, "reasons=1"), 1); /* Idle */
    cr_assert_eq(COUNT(e, "ecc", g, "ecc=sbe agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, "ecc", g, "ecc=dbe agg=1 count=0"), 1);
    cr_assert_eq(COUNT(e, "ecc", g, "ecc=remapped_uncorrectable agg=1 count=4"), 1);
    cr_assert_eq(COUNT(e, "ecc", g, "ecc=remap_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, "ecc", g, "ecc=remap_failure agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, "retired"), 0); /* Retired Pages: N/A */
    cr_assert_eq(COUNT(e, g, "metric=temp_gpu value=33 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=power_w value=43.89 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=sm_clock_mhz value=225 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=pcie_replay value=0 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=util value=0 "), 1);
    cr_assert_eq(COUNT(e, "temp_memory"), 0); /* N/A */
    cr_assert_eq(fl_engine_window(e)->nevents, 14);
    /* raw: the field's line, or the whole section for sums and reason sets */
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        if (ev->kind == FL_EV_THROTTLE) {
            cr_assert(fl_str_starts_with(ev->raw, "    Clocks Event Reasons\n"));
            cr_assert(fl_str_ends_with(ev->raw, "Display Clock Setting             : Not Active"));
            cr_assert_eq(ev->src.line, 82);
        }
    }
    fl_engine_free(e);
}

FL_TEST(nvsmi, valid_h100x8_index_uuid_pci_map)
{
    struct fl_engine *e = ingest_file("gpud-h100x8-535.183.01-q.txt");
    cr_assert_eq(skips(e), 0);
    static const char *const map[8] = {
        "0000:53:00.0 GPU-566e6f65-c38e-b12f-4824-6944218668b9 0 |",
        "0000:64:00.0 GPU-9930d717-21dd-7692-054e-3d0a2bae76b5 1 |",
        "0000:75:00.0 GPU-973565ff-45cf-12ea-4e91-33386720f7bb 2 |",
        "0000:86:00.0 GPU-6b932a61-abfd-5ea1-b26a-7dea7f2fa601 3 |",
        "0000:97:00.0 GPU-726d356b-f548-bbfd-c81e-b9c68f2f1587 4 |",
        "0000:a8:00.0 GPU-06db64f6-6181-5a90-cf95-5ce52a58c4e5 5 |",
        "0000:b9:00.0 GPU-a5271aa6-4cdb-28c7-0ef5-5da271d0caae 6 |",
        "0000:ca:00.0 GPU-7e78e6c8-c71c-66c7-9ded-f8836cecab32 7 |",
    };
    for (int i = 0; i < 8; i++)
        cr_assert_eq(COUNT(e, map[i]), 15, "GPU %d", i);
    /* GPU 2: SW Power Cap + HW Power Brake Slowdown + SW Thermal Slowdown */
    cr_assert_eq(COUNT(e, map[2], "reasons=164"), 1);
    cr_assert_eq(COUNT(e, map[0], "metric=pcie_replay value=120 "), 1);
    cr_assert_eq(COUNT(e, map[0], "metric=temp_memory value=44 "), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 120);
    /* every event of a GPU has its own uid although the lines repeat across GPUs */
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 1; i < w->nevents; i++)
        cr_assert_neq(w->events[i]->uid, w->events[i - 1]->uid);
    fl_engine_free(e);

    e = ingest_file("gpud-h100x8-535.161.08-q.txt"); /* leading blank line */
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(fl_engine_window(e)->nevents, 120);
    fl_engine_free(e);
}

FL_TEST(nvsmi, valid_consumer_and_volta_na_fields)
{
    struct fl_engine *e = ingest_file("gpud-rtx4090x8-535.154.05-q.txt"); /* no final newline */
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(COUNT(e, "ecc=sbe"), 0); /* ECC N/A on GeForce */
    cr_assert_eq(COUNT(e, "ecc=remap_pending agg=0 count=0"), 8);
    cr_assert_eq(COUNT(e, "throttle"), 8);
    fl_engine_free(e);
    e = ingest_file("gpud-titanv-560.35.03-q.txt");
    cr_assert_eq(skips(e), 0);
    /* `Remapped Rows : N/A` one-liner, old Single Bit / Double Bit ECC layout all N/A */
    cr_assert_eq(COUNT(e, "ecc"), 0);
    cr_assert_eq(COUNT(e, "0000:01:00.0 GPU-f4c353ff-b56c-c1de-bcb9-7dad861b589a 0 | "
                          "metric=temp_memory value=41 "),
                 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 7);
    fl_engine_free(e);
}

FL_TEST(nvsmi, valid_page_retirement_display_non_zero_domains)
{
    struct fl_engine *e = ingest_file("azurehpc-nvsmi-q-d-page-retirement-8gpu-535.86.10.txt");
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 24);
    cr_assert_eq(COUNT(e, "ecc 2024-03-14T20:45:34Z - 0001:00:00.0 - 0 | ecc=retired_page agg=1 "
                          "count=0 text=pages retired for single-bit"),
                 1);
    cr_assert_eq(COUNT(e, "0008:00:00.0 - 7 | ecc=retire_pending agg=0 count=0"), 1);
    fl_engine_free(e);
}

FL_TEST(nvsmi, old_throttle_heading_sums_and_a_loop_of_two_logs)
{
    struct fl_engine *e = ingest_file("own-a100-throttle-remap-loop-q.txt");
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    const char *g0 =
        "2026-11-24T18:31:02Z - 0000:07:00.0 GPU-a100a100-0000-4000-8000-000000000000 0 |";
    const char *g1 =
        "2026-11-24T18:31:02Z - 0000:0f:00.0 GPU-a100a100-0000-4000-8000-000000000001 1 |";
    /* SW Power Cap + HW Slowdown + HW Thermal Slowdown + SW Thermal Slowdown */
    cr_assert_eq(COUNT(e, "throttle", g0, "reasons=108"), 1);
    cr_assert_eq(COUNT(e, "throttle", g1, "reasons=1"), 1);
    /* SRAM + DRAM sums */
    cr_assert_eq(COUNT(e, g0, "ecc=sbe agg=0 count=177"), 1);
    cr_assert_eq(COUNT(e, g0, "ecc=dbe agg=0 count=3"), 1);
    cr_assert_eq(COUNT(e, g0, "ecc=sbe agg=1 count=1180"), 1);
    cr_assert_eq(COUNT(e, g0, "ecc=dbe agg=1 count=7"), 1);
    cr_assert_eq(COUNT(e, g0, "ecc=remap_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, g0, "metric=pcie_replay value=12 "), 1);
    cr_assert_eq(COUNT(e, g0, "metric=power_w value=401.23 "), 1); /* "Power Readings" (older) */
    cr_assert_eq(COUNT(e, g0, "metric=temp_memory value=95 "), 1);
    cr_assert_eq(COUNT(e, g0, "metric=sm_clock_mhz value=1005 "), 1); /* not Max Clocks */
    cr_assert_eq(COUNT(e, g1, "metric=power_w value=1234.5 "), 1);    /* "1,234.5 W" */
    cr_assert_eq(COUNT(e, g1, "temp_gpu"), 0);                        /* [Unknown Error] */
    cr_assert(strstr(skip_at(e, 87, 0), "\"Memory Current Temp\": not a number"));
    cr_assert_eq(skips(e), 1);
    /* the second log: its own time; it lists one of two attached GPUs, so no index */
    const char *g0b =
        "2026-11-24T18:31:12Z - 0000:07:00.0 GPU-a100a100-0000-4000-8000-000000000000 -1 |";
    cr_assert_eq(COUNT(e, g0b, "ecc=remap_pending agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, g0b, "ecc=remap_failure agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, "2026-11-24T18:31:12Z"), 4);
    fl_engine_free(e);
}

FL_TEST(nvsmi, old_ecc_totals_retired_pages_event_counters)
{
    struct fl_engine *e = ingest_file("own-volta-old-ecc-counters-q.txt");
    cr_assert_eq(skips(e), 0);
    const char *g =
        "2026-03-02T07:05:09Z - 0000:86:00.0 GPU-e0e0e0e0-0000-4000-8000-000000000086 0 |";
    cr_assert_eq(COUNT(e, "throttle", g, "reasons=128"), 1); /* HW Power Brake Slowdown */
    cr_assert_eq(COUNT(e, g, "ecc=sbe agg=0 count=5 text=volatile single-bit ECC errors (Total)"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=dbe agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=sbe agg=1 count=40"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=dbe agg=1 count=3"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=retired_page agg=1 count=2 text=pages retired for single-bit"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=retired_page agg=1 count=1 text=pages retired for double-bit"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=retire_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, g, "metric=other value=4.00767e+09 name=clocks_event_us.sw_power_cap"),
                 1);
    cr_assert_eq(COUNT(e, g, "value=120000 name=clocks_event_us.hw_power_brake"), 1);
    cr_assert_eq(COUNT(e, g, "metric=power_w value=61.2 "), 1); /* Average Power Draw */
    cr_assert_eq(COUNT(e, "remap"), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 15);
    fl_engine_free(e);
}

FL_TEST(nvsmi, crlf_excerpt_without_banner_and_bad_input)
{
    struct fl_engine *e = ingest_file("own-crlf-q.txt");
    cr_assert_eq(
        COUNT(e, "2026-11-24T18:31:02Z - 0000:3b:00.0 GPU-crlf 0 | metric=temp_gpu value=50 "), 1);
    fl_engine_free(e);
    /* an -q excerpt without its GPU line: events without a GPU, still on the node */
    e = ingest_text("    ECC Errors\n        Volatile\n            SRAM Correctable : 0\n"
                    "            SRAM Uncorrectable : 1\n            DRAM Correctable : 0\n",
                    NULL);
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(COUNT(e, "ecc - - - - -1 | ecc=dbe agg=0 count=1"), 1);
    fl_engine_free(e);
    e = ingest_text("==============NVSMI LOG==============\nTimestamp : yesterday\n"
                    "Attached GPUs : 1\nGPU 0000:zz:00.0\n    Temperature\n"
                    "        GPU Current Temp : 40 C\nGPU 00000000:01:00.0\n"
                    "    Clocks Event Reasons\n        Warp Drive : Active\n"
                    "        Idle : Not Active\n",
                    "nvidia-smi");
    cr_assert(strstr(skip_at(e, 2, 0), "\"Timestamp\": not a date"));
    cr_assert(strstr(skip_at(e, 4, 0), "GPU block header: \"0000:zz:00.0\" is not a PCI address"));
    cr_assert(strstr(skip_at(e, 9, 0), "clocks-event reason \"Warp Drive\" is not in the catalog"));
    cr_assert_eq(COUNT(e, "temp_gpu"), 0); /* the bad GPU's fields are dropped with it */
    cr_assert_eq(COUNT(e, "throttle - - 0000:01:00.0 - -1 | reasons=0"), 1);
    fl_engine_free(e);
    const char bin[] = "==============NVSMI LOG==============\n\0\xff\xfe\n    \0\n\x01GPU \n";
    e = ingest_buf("t", bin, sizeof bin - 1, "nvidia-smi");
    fl_engine_free(e);
}

/* ---- the default table ---------------------------------------------------------------------- */

FL_TEST(nvsmi, default_table)
{
    struct fl_engine *e = ingest_file("gpud-nvidia-smi-table-550.90.07.txt");
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 32);
    const char *g0 = "2025-01-20T10:18:26Z - 0000:19:00.0 - 0 |";
    cr_assert_eq(COUNT(e, g0, "metric=temp_gpu value=27 "), 1);
    cr_assert_eq(COUNT(e, g0, "metric=power_w value=72 "), 1);
    cr_assert_eq(COUNT(e, g0, "metric=util value=0 "), 1);
    cr_assert_eq(COUNT(e, g0, "ecc=dbe agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, "0000:db:00.0 - 7 | metric=temp_gpu value=23 "), 1);
    fl_engine_free(e);
    /* older 470-style table, N/A ECC, a MIG table and a -l loop */
    e = ingest_text(
        "Tue Nov 24 18:31:02 2026       \n"
        "+-----------------------------------------------------------------------------+\n"
        "| NVIDIA-SMI 470.57.02    Driver Version: 470.57.02    CUDA Version: 11.4     |\n"
        "|-------------------------------+----------------------+----------------------+\n"
        "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |\n"
        "| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |\n"
        "|===============================+======================+======================|\n"
        "|   0  Tesla V100-SXM2...  On   | 00000000:00:1E.0 Off |                    2 |\n"
        "| N/A   34C    P0    43W / 300W |      0MiB / 16160MiB |     87%      Default |\n"
        "+-------------------------------+----------------------+----------------------+\n"
        "|   1  NVIDIA GeForce ...  Off  | 00000000:01:00.0  On |                  N/A |\n"
        "| 30%   55C    P2   ERR! / 350W |   1MiB /  24268MiB   |     ERR!     Default |\n"
        "+-------------------------------+----------------------+----------------------+\n"
        "\n"
        "+-----------------------------------------------------------------------------+\n"
        "| MIG devices:                                                                |\n"
        "+==================+======================+===========+=======================+\n"
        "|  0    1   0   0  |     19MiB / 40192MiB | 42      0 |  3   0    2    0    0 |\n"
        "+-----------------------------------------------------------------------------+\n"
        "Tue Nov 24 18:31:07 2026       \n"
        "+-----------------------------------------------------------------------------+\n"
        "| NVIDIA-SMI 470.57.02    Driver Version: 470.57.02    CUDA Version: 11.4     |\n"
        "|===============================+======================+======================|\n"
        "|   0  Tesla V100-SXM2...  On   | 00000000:00:1E.0 Off |                    3 |\n"
        "| N/A   91C    P0   301W / 300W |      0MiB / 16160MiB |    100%      Default |\n"
        "+-------------------------------+----------------------+----------------------+\n",
        NULL);
    cr_assert_str_eq(format_of(e), "nvidia-smi");
    cr_assert_eq(skips(e), 0);
    const char *v0 = "2026-11-24T18:31:02Z - 0000:00:1e.0 - 0 |";
    cr_assert_eq(COUNT(e, v0, "ecc=dbe agg=0 count=2"), 1);
    cr_assert_eq(COUNT(e, v0, "metric=temp_gpu value=34 "), 1);
    cr_assert_eq(COUNT(e, v0, "metric=power_w value=43 "), 1);
    cr_assert_eq(COUNT(e, v0, "metric=util value=87 "), 1);
    cr_assert_eq(COUNT(e, "0000:01:00.0 - 1 |"), 1); /* only its temperature */
    cr_assert_eq(COUNT(e, "2026-11-24T18:31:07Z - 0000:00:1e.0 - 0 | ecc=dbe agg=0 count=3"), 1);
    cr_assert_eq(COUNT(e, "2026-11-24T18:31:07Z - 0000:00:1e.0 - 0 | metric=power_w value=301 "),
                 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 9);
    fl_engine_free(e);
}

/* ---- nvidia-smi -q -x ----------------------------------------------------------------------- */

FL_TEST(nvsmi_xml, valid_v11_a10g_throttle_element_and_remapped_rows)
{
    struct fl_engine *e = ingest_file("telegraf-a10g-q-x.xml");
    cr_assert_str_eq(format_of(e), "nvidia-smi-xml");
    cr_assert_eq(skips(e), 0);
    const char *g =
        "2023-04-24T16:11:51Z - 0000:00:1e.0 GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94 0 |";
    cr_assert_eq(COUNT(e, "throttle", g, "reasons=1"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=sbe agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=remapped_uncorrectable agg=1 count=0"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=remap_pending agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, g, "metric=temp_gpu value=17 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=power_w value=25.58 "), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 14);
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < w->nevents; i++)
        if (w->events[i]->kind == FL_EV_THROTTLE) {
            cr_assert_eq(w->events[i]->src.line, 82);
            cr_assert(fl_str_starts_with(w->events[i]->raw, "        <clocks_throttle_reasons>\n"));
            cr_assert(fl_str_ends_with(w->events[i]->raw, "</clocks_throttle_reasons>"));
        }
    fl_engine_free(e);
}

FL_TEST(nvsmi_xml, valid_v12_a100_mig_remapped_rows_na)
{
    struct fl_engine *e = ingest_file("telegraf-a100-sxm4-v12-q-x.xml");
    cr_assert_eq(skips(e), 0);
    /* one <gpu> of four attached: no index; <remapped_rows>N/A</remapped_rows>: nothing;
     * MIG devices' own ecc_error_count is not the GPU's */
    const char *g =
        "2023-08-04T11:44:30Z - 0000:01:00.0 GPU-513536b6-7d19-9063-b049-1e69664bb298 -1 |";
    cr_assert_eq(COUNT(e, g), fl_engine_window(e)->nevents);
    cr_assert_eq(COUNT(e, "remap"), 0);
    cr_assert_eq(COUNT(e, g, "ecc=dbe agg=1 count=0"), 1);
    cr_assert_eq(COUNT(e, g, "metric=temp_memory value=44 "), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 10);
    fl_engine_free(e);
}

FL_TEST(nvsmi_xml, valid_v13_counters_average_power)
{
    struct fl_engine *e = ingest_file("telegraf-rtx-4000-sff-ada-v13-q-x.xml");
    cr_assert_eq(skips(e), 0);
    const char *g =
        "2026-08-06T01:03:40Z - 0000:06:00.0 GPU-37037c3f-65c8-ec4d-24a9-420204ad8026 0 |";
    cr_assert_eq(COUNT(e, g, "value=4.25183e+09 name=clocks_event_us.sw_power_cap"), 1);
    cr_assert_eq(COUNT(e, g, "name=clocks_event_us."), 5);
    cr_assert_eq(COUNT(e, g, "metric=power_w value=8.81 "), 1);
    cr_assert_eq(COUNT(e, "ecc=sbe"), 0); /* ECC disabled: N/A */
    fl_engine_free(e);
}

FL_TEST(nvsmi_xml, old_layout_retired_pages_loop_and_truncation)
{
    struct fl_engine *e = ingest_file("own-v10-old-ecc-loop-q-x.xml");
    cr_assert_str_eq(format_of(e), "nvidia-smi-xml");
    const char *g =
        "2026-03-02T07:05:09Z - 0000:86:00.0 GPU-e0e0e0e0-0000-4000-8000-000000000086 0 |";
    cr_assert_eq(COUNT(e, "throttle", g, "reasons=72"), 1); /* HW Slowdown + HW Thermal */
    cr_assert_eq(COUNT(e, g, "ecc=sbe agg=0 count=4 text=volatile single-bit ECC errors (Total)"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=dbe agg=1 count=3"), 1);
    cr_assert_eq(COUNT(e, g, "ecc=retired_page agg=1 count=2 text=pages retired for single-bit"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=retired_page agg=1 count=1 text=pages retired for double-bit"),
                 1);
    cr_assert_eq(COUNT(e, g, "ecc=retire_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, g, "metric=pcie_replay value=3 "), 1);
    cr_assert_eq(COUNT(e, g, "metric=power_w value=301.5 "), 1); /* <power_readings> */
    cr_assert_eq(
        COUNT(e,
              "0000:87:00.0 GPU-e0e0e0e0-0000-4000-8000-000000000087 1 | metric=util value=100 "),
        1);
    cr_assert(strstr(skip_at(e, 79, 0), "<gpu_temp>: not a number"));
    /* the second document of the loop: its own time, then cut off inside the second GPU */
    cr_assert_eq(COUNT(e, "2026-03-02T07:05:19Z - 0000:86:00.0", "metric=temp_gpu value=91 "), 1);
    cr_assert(strstr(skip_at(e, 96, 0), "XML error: Premature end of data"));
    cr_assert_eq(skips(e), 2);
    fl_engine_free(e);
}

FL_TEST(nvsmi_xml, bad_documents)
{
    static const struct {
        const char *doc;
        uint32_t line;
        const char *why;
    } cases[] = {
        {"<?xml version=\"1.0\"?>\n<nvidia_smi_log>\n<gpu id=\"PCI:zz\"><uuid>GPU-1</uuid></gpu>\n"
         "</nvidia_smi_log>\n",
         3, "<gpu id=\"PCI:zz\">: not a PCI address"},
        {"<?xml version=\"1.0\"?>\n<html><body/></html>\n", 2, "XML root is <html>"},
        {"<?xml "
         "version=\"1.0\"?>\n<nvidia_smi_log>\n<timestamp>soon</timestamp>\n</nvidia_smi_log>\n",
         3, "<timestamp>: not a date"},
        {"<?xml version=\"1.0\"?>\n<nvidia_smi_log>\n<gpu id=\"00000000:01:00.0\">\n"
         "<clocks_event_reasons><clocks_event_reason_warp_drive>Active"
         "</clocks_event_reason_warp_drive></clocks_event_reasons>\n</gpu></nvidia_smi_log>\n",
         4, "clocks-event reason <clocks_event_reason_warp_drive> is not in the catalog"},
        {"<?xml version=\"1.0\"?>\n<nvidia_smi_log>\n<gpu "
         "id=\"00000000:01:00.0\">\n</nvidia_smi_log>\n",
         4, "XML error:"},
        {"<?xml version=\"1.0\"?>\n", 2, "XML error: Start tag expected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fl_engine *e = ingest_text(cases[i].doc, "nvidia-smi-xml");
        const char *why = skip_at(e, cases[i].line, 0);
        cr_assert_not_null(why, "case %zu: no skip at line %u", i, cases[i].line);
        cr_assert(strstr(why, cases[i].why), "case %zu: '%s' lacks '%s'", i, why, cases[i].why);
        fl_engine_free(e);
    }
    /* entities are not expanded, the DTD is not fetched */
    struct fl_engine *e = ingest_text(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"file:///etc/passwd\" [\n"
        "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n]>\n"
        "<nvidia_smi_log><gpu id=\"00000000:01:00.0\"><uuid>&c;</uuid>"
        "<temperature><gpu_temp>40 C</gpu_temp></temperature></gpu></nvidia_smi_log>\n",
        "nvidia-smi-xml");
    /* libxml2 refuses the amplification ("entity reference loop"): a skip, or the sample */
    cr_assert(COUNT(e, "0000:01:00.0 - -1 | metric=temp_gpu value=40 ") == 1 || skips(e) == 1);
    cr_assert_leq(fl_engine_window(e)->nevents, 1);
    fl_engine_free(e);
}

/* ---- robustness ---------------------------------------------------------------------------- */

static const char *const text_files[] = {
    "gpud-a10-535.129.03-q.txt",
    "gpud-titanv-560.35.03-q.txt",
    "gpud-nvidia-smi-table-550.90.07.txt",
    "azurehpc-nvsmi-q-d-page-retirement-8gpu-535.86.10.txt",
    "own-a100-throttle-remap-loop-q.txt",
    "own-volta-old-ecc-counters-q.txt",
    "own-crlf-q.txt",
    "gpud-h100x8-535.183.01-q.txt",
    "gpud-h100x8-535.161.08-q.txt",
    "gpud-rtx4090x8-535.154.05-q.txt",
};
static const char *const xml_files[] = {
    "telegraf-a10g-q-x.xml",
    "telegraf-a100-sxm4-v12-q-x.xml",
    "own-v10-old-ecc-loop-q-x.xml",
    "telegraf-rtx-4000-sff-ada-v13-q-x.xml",
};

/* Each prefix of a file, each in its own exact-size heap copy (the engine's): ASan catches
 * an over-read at once. Prefixes are batched into engines of up to 32 MiB of inputs (one engine
 * per prefix costs more than the parsing). Files up to 12 KiB are cut at every length, larger
 * ones every 5th (up to 24 KiB) or 61st byte: each variant has a small sample cut everywhere. */
static void every_truncation(const char *name, const char *format)
{
    size_t len;
    char *b = data(name, &len);
    size_t step = len <= 12288 ? 1 : len <= 24576 ? 5 : 61;
    struct fl_engine *e = NULL;
    size_t batch = 0;
    for (size_t n = 0;; n += step) {
        if (n > len)
            n = len;
        if (!e) {
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            o.format = format;
            e = fl_engine_new(&o, NULL);
            cr_assert_not_null(e);
            batch = 0;
        }
        cr_assert_eq(fl_engine_add_buffer(e, name, b, n, NULL), 0);
        batch += n;
        if (batch > (32u << 20) || n == len) {
            cr_assert_eq(fl_engine_ingest(e, NULL), 0, "%s", name);
            fl_engine_free(e);
            e = NULL;
        }
        if (n == len)
            break;
    }
    free(b);
}

FL_TEST(nvsmi, every_truncation_length, .timeout = 600)
{
    for (size_t i = 0; i < sizeof text_files / sizeof text_files[0]; i++)
        every_truncation(text_files[i], "nvidia-smi");
}

FL_TEST(nvsmi_xml, every_truncation_length, .timeout = 600)
{
    for (size_t i = 0; i < sizeof xml_files / sizeof xml_files[0]; i++)
        every_truncation(xml_files[i], "nvidia-smi-xml");
}

static bool mine(const struct fl_parser *p)
{
    return p &&
           (strcmp(p->name, "prometheus-text") == 0 || strcmp(p->name, "prometheus-api") == 0 ||
            strcmp(p->name, "nvidia-smi") == 0 || strcmp(p->name, "nvidia-smi-xml") == 0);
}

static void not_mine_in(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* that format's tests are not in this tree (or the shared samples are absent) */
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strstr(de->d_name, ".md") ||
            strncmp(de->d_name, "dcgm", 4) == 0 || strstr(de->d_name, ".prom"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t len;
        char *b = slurp(path, &len);
        if (!b)
            continue;
        const struct fl_parser *p = fl_parser_sniff(b, len, fl_str_from_cstr(path));
        if (strstr(dir, "bug-report")) {
            /* a bug report's nvidia-smi section: read as -q only while no bug-report reader
             * claims it, so the claim must stay low */
            for (size_t k = 0; k < fl_parsers_count; k++)
                if (mine(fl_parsers[k]))
                    cr_assert_lt(fl_parsers[k]->sniff(b, len, fl_str_from_cstr(path)), 50, "%s: %s",
                                 path, fl_parsers[k]->name);
        } else {
            cr_assert(!mine(p), "%s sniffed as %s", path, p->name);
        }
        free(b);
    }
    closedir(d);
}

FL_TEST(nvsmi, sniffing)
{
    for (size_t i = 0; i < sizeof text_files / sizeof text_files[0]; i++) {
        size_t len;
        char *b = data(text_files[i], &len);
        const struct fl_parser *p = fl_parser_sniff(b, len, fl_str_from_cstr(text_files[i]));
        cr_assert(p && strcmp(p->name, "nvidia-smi") == 0, "%s: %s", text_files[i],
                  p ? p->name : "none");
        free(b);
    }
    for (size_t i = 0; i < sizeof xml_files / sizeof xml_files[0]; i++) {
        size_t len;
        char *b = data(xml_files[i], &len);
        const struct fl_parser *p = fl_parser_sniff(b, len, fl_str_from_cstr(xml_files[i]));
        cr_assert(p && strcmp(p->name, "nvidia-smi-xml") == 0, "%s", xml_files[i]);
        free(b);
    }
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/k8s");
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/pyspy");
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/kernel");
    not_mine_in(FL_SOURCE_DIR "/tests/fuzz/corpus/jsonl");
    not_mine_in("/work/shared/samples");
    not_mine_in("/work/shared/samples/real/kernel");
    not_mine_in("/work/shared/samples/real/k8s");
    not_mine_in("/work/shared/samples/real/pyspy");
    not_mine_in("/work/shared/samples/real/bug-report");
    not_mine_in("/work/shared/samples/real/flight-recorder");
    not_mine_in("/work/shared/samples/flight-recorder-json");
}

static void alloc_failure_loop(const char *name, const char *format)
{
    size_t len;
    char *b = data(name, &len);
    struct fl_engine *ref = ingest_buf(name, b, len, format);
    size_t want = fl_engine_window(ref)->nevents;
    fl_engine_free(ref);
    bool completed = false;
    for (uint64_t n = 1; n < 100000 && !completed; n++) {
        fl_alloc_fail_after(n, 1);
        struct fl_engine_opts o;
        fl_engine_opts_init(&o);
        o.format = format;
        struct fl_engine *e = fl_engine_new(&o, NULL);
        int rc = FL_ENOMEM;
        if (e && fl_engine_add_buffer(e, name, b, len, NULL) == 0)
            rc = fl_engine_run(e, NULL);
        fl_alloc_fail_after(0, 0);
        if (rc == 0) {
            cr_assert_eq(fl_engine_window(e)->nevents, want, "n=%llu", (unsigned long long)n);
            completed = true;
        } else {
            cr_assert_eq(rc, FL_ENOMEM, "n=%llu: rc %d", (unsigned long long)n, rc);
        }
        fl_engine_free(e);
    }
    cr_assert(completed);
    free(b);
}

FL_TEST(nvsmi, allocation_failure_loop)
{
    alloc_failure_loop("own-a100-throttle-remap-loop-q.txt", "nvidia-smi");
    alloc_failure_loop("gpud-nvidia-smi-table-550.90.07.txt", "nvidia-smi");
}

FL_TEST(nvsmi_xml, allocation_failure_loop)
{
    alloc_failure_loop("own-v10-old-ecc-loop-q-x.xml", "nvidia-smi-xml");
}
