/* The Prometheus readers: text exposition (dcgm-exporter scrapes) and HTTP API query results.
 * Real samples and fixtures in the shapes found in the field, every bad-input path, the time
 * rules (sample stamp, `# scrape` comment, none), identity labels, DCGM blank values, every
 * truncation length, sniffing against other formats, the JSONL round trip of clock-less
 * events, no allocation per sample, and an allocation-failure loop. */
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

/* ---- text exposition: valid ---------------------------------------------------------- */

FL_TEST(prom_text, valid_dcgm_exporter_h100_with_ms_timestamps)
{
    struct fl_engine *e = ingest_file("dcgm-exporter.prom");
    cr_assert_str_eq(format_of(e), "prometheus-text");
    cr_assert_eq(fl_engine_window(e)->nevents, 32);
    cr_assert_eq(skips(e), 0);
    const char *gpu5 = "node-17 0000:ab:00.0 GPU-5a1c0005-7e7e-4f4f-9a9a-000000000005 5 |";
    cr_assert_eq(COUNT(e, "throttle 2025-11-24T18:40:00Z", gpu5, "reasons=72"), 1);
    cr_assert_eq(COUNT(e, gpu5, "metric=temp_gpu value=92 name=DCGM_FI_DEV_GPU_TEMP"), 1);
    cr_assert_eq(COUNT(e, gpu5, "ecc=dbe agg=0 count=2 text=DCGM_FI_DEV_ECC_DBE_VOL_TOTAL"), 1);
    cr_assert_eq(COUNT(e, gpu5, "ecc=remap_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, "0000:db:00.0", "reasons=1"), 1);
    cr_assert_eq(COUNT(e, "2025-11-24T18:40:00Z node-17"), 32);
    fl_engine_free(e);
}

FL_TEST(prom_text, valid_dcgm_exporter_2x_t4_no_timestamps_no_pci)
{
    struct fl_engine *e = ingest_file("datadog-dcgm-exporter-2x-tesla-t4-460.106.00.prom");
    cr_assert_str_eq(format_of(e), "prometheus-text");
    cr_assert_eq(fl_engine_window(e)->nevents, 16);
    cr_assert_eq(skips(e), 0);
    /* no sample stamp and no scrape comment: kept, on no clock; Hostname is a Docker
     * container id, not a node */
    const char *gpu = "- - - GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e 0 |";
    cr_assert_eq(COUNT(e, gpu), 16);
    cr_assert_eq(COUNT(e, gpu, "metric=temp_gpu value=25 "), 1);
    cr_assert_eq(COUNT(e, gpu, "metric=power_w value=8.969 "), 1);
    cr_assert_eq(COUNT(e, gpu, "metric=pcie_replay value=0 "), 1);
    cr_assert_eq(COUNT(e, gpu, "metric=xid_last value=0 "), 1);
    cr_assert_eq(COUNT(e, gpu, "metric=util value=0 name=DCGM_FI_DEV_GPU_UTIL"), 1);
    cr_assert_eq(COUNT(e, gpu, "metric=sm_clock_mhz value=300 "), 1);
    cr_assert_eq(COUNT(e, "metric=other"), 10);
    fl_engine_free(e);
}

FL_TEST(prom_text, valid_dcgm_exporter_3x_empty_help_lines)
{
    struct fl_engine *e =
        ingest_file("datadog-dcgm-exporter-3x-tesla-t4-470.182.03-empty-help.prom");
    cr_assert_str_eq(format_of(e), "prometheus-text");
    cr_assert_eq(fl_engine_window(e)->nevents, 4);
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(COUNT(e, "metric=other value=93 name=DCGM_FI_DEV_SLOWDOWN_TEMP"), 1);
    cr_assert_eq(COUNT(e, "metric=other value=70 name=DCGM_FI_DEV_POWER_MGMT_LIMIT"), 1);
    fl_engine_free(e);
}

FL_TEST(prom_text, readme_excerpt_blank_sentinel_spaces_after_commas_and_elisions)
{
    struct fl_engine *e = ingest_file("dcgm-exporter-readme-curl-metrics-excerpt.txt");
    cr_assert_str_eq(format_of(e), "prometheus-text");
    /* MEMORY_TEMP 9223372036854775794 is DCGM's "not supported": no event, no skip */
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    cr_assert_eq(
        COUNT(e, "GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52 0 | metric=sm_clock_mhz value=139"), 1);
    cr_assert_eq(COUNT(e, "temp_memory"), 0);
    /* `curl localhost:9400/metrics` reads as a foreign metric; the `...` lines are skipped */
    cr_assert_eq(skips(e), 2);
    cr_assert(strstr(skip_at(e, 8, 0), "not a sample line"));
    cr_assert(strstr(skip_at(e, 12, 0), "not a sample line"));
    fl_engine_free(e);
}

FL_TEST(prom_text, scrape_comments_time_each_scrape)
{
    struct fl_engine *e = ingest_file("scrapes-two-comments.prom");
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 18); /* 20 samples, 2 blank MEMORY_TEMP */
    const char *g0 = "gpu-node-07 0000:3b:00.0 GPU-0a1b2c3d-0000-4000-8000-000000000000 0 |";
    cr_assert_eq(COUNT(e, "throttle 2026-11-24T18:30:00Z", g0, "reasons=0"), 1);
    cr_assert_eq(COUNT(e, "throttle 2026-11-24T18:30:15.5Z", g0, "reasons=96"), 1);
    cr_assert_eq(COUNT(e, "ecc 2026-11-24T18:30:15.5Z", g0, "ecc=dbe agg=0 count=2"), 1);
    cr_assert_eq(COUNT(e, "2026-11-24T18:30:00Z"), 9);
    cr_assert_eq(COUNT(e, "2026-11-24T18:30:15.5Z"), 9);
    cr_assert_eq(COUNT(e, g0, "metric=power_w value=612.347 "), 1);
    fl_engine_free(e);
}

FL_TEST(prom_text, edge_cases_every_line_one_rule)
{
    struct fl_engine *e = ingest_file("edge-cases.prom");
    cr_assert_str_eq(format_of(e), "prometheus-text");
    /* line 5: own ms stamp wins over the scrape comment; node from kubernetes_node because
     * Hostname names the exporter pod; escaped quotes and backslashes in label values */
    cr_assert_eq(COUNT(e, "gpu_sample 2025-11-24T18:40:12.345Z gpu-node-12 0000:9a:00.0 "
                          "GPU-9f8e7d6c-0000-4000-8000-000000000003 3 | metric=xid_last value=79"),
                 1);
    /* `# scrape_time=1764009600` (Unix seconds); trailing comma in the label set; tab */
    cr_assert_eq(COUNT(e, "ecc 2025-11-24T18:40:00Z gpu-node-12 0000:9a:00.0",
                       "ecc=remap_pending agg=0 count=1"),
                 1);
    cr_assert_eq(COUNT(e, "ecc=remap_failure agg=0 count=0"), 1);
    cr_assert_eq(COUNT(e, "ecc=remapped_uncorrectable agg=1 count=8"), 1);
    /* NaN, +Inf and the FP64 blank (2^47 + 2): nothing measured */
    cr_assert_eq(COUNT(e, "power_w"), 0);
    cr_assert_eq(COUNT(e, "metric=nvlink_errors value=1200 "), 1);
    /* the old exporter's lower-case names and its `uuid` label */
    cr_assert_eq(COUNT(e, "gpu-node-12 - GPU-9f8e7d6c-0000-4000-8000-000000000003 3 | "
                          "metric=temp_gpu value=88 name=dcgm_gpu_temp"),
                 1);
    /* a Docker container id as Hostname: no node; after the bad scrape comment: no clock */
    cr_assert_eq(COUNT(e, "gpu_sample - - - - 3 | metric=util value=100"), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 7);
    static const struct {
        uint32_t line;
        const char *why;
    } bad[] = {
        {15, "label set: expected ',' or '}'"},
        {16, "label value not closed"},
        {17, "label \"pci_bus_id\" is not a PCI address"},
        {18, "label \"gpu\" is not a GPU index"},
        {19, "clock-event reasons value is not a non-negative integer bitmask"},
        {20, "ECC / row-remap counter is not a non-negative integer"},
        {21, "sample value is not a number"},
        {22, "sample timestamp is not integer milliseconds"},
        {23, "unexpected text after the timestamp"},
        {24, "scrape comment: time is neither RFC 3339 nor Unix seconds/milliseconds"},
        {26, "not a sample line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = skip_at(e, bad[i].line, 0);
        cr_assert_not_null(why, "line %u not skipped", bad[i].line);
        cr_assert(strstr(why, bad[i].why), "line %u: '%s' lacks '%s'", bad[i].line, why,
                  bad[i].why);
    }
    cr_assert_eq(skips(e), sizeof bad / sizeof bad[0]);
    fl_engine_free(e);
}

/* ---- text exposition: implementation-defined ------------------------------------------- */

FL_TEST(prom_text, scrape_comment_spellings)
{
    static const struct {
        const char *comment;
        const char *ts;
    } cases[] = {
        {"# scrape 2026-11-24T18:32:51Z", "2026-11-24T18:32:51Z"},
        {"# scrape: 2026-11-24T19:32:51+01:00 node-17", "2026-11-24T18:32:51Z"},
        {"#scrape=2026-11-24 18:32:51.25", "2026-11-24T18:32:51.25Z"},
        {"# scraped_at 1795545171", "2026-11-24T18:32:51Z"},
        {"# SCRAPE_TIME 1795545171500", "2026-11-24T18:32:51.5Z"},
        {"# timestamp: 1795545171.25", "2026-11-24T18:32:51.25Z"},
        {"# time 2026-11-24T18:32:51Z", "2026-11-24T18:32:51Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s\nDCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 50\n", cases[i].comment);
        struct fl_engine *e = ingest_text(text, "prometheus-text");
        cr_assert_eq(skips(e), 0, "case %zu", i);
        cr_assert_eq(COUNT(e, "gpu_sample", cases[i].ts), 1, "case %zu: %s", i, cases[i].comment);
        fl_engine_free(e);
    }
    /* an ordinary comment starting with "time" is only a comment */
    struct fl_engine *e = ingest_text("# time series follow\nDCGM_FI_DEV_GPU_TEMP 50\n", NULL);
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(COUNT(e, "gpu_sample - "), 1);
    fl_engine_free(e);
}

FL_TEST(prom_text, crlf_nul_truncated_last_line_huge_line_openmetrics)
{
    const char text[] = "# TYPE DCGM_FI_DEV_GPU_TEMP gauge\r\n"
                        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"n1\"} 50 1795545171000\r\n"
                        "\0\0garbage\r\n"
                        "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",Hostname=\"n1\"} 5";
    struct fl_engine *e = ingest_buf("t.prom", text, sizeof text - 1, NULL);
    cr_assert_str_eq(format_of(e), "prometheus-text");
    cr_assert_eq(COUNT(e, "2026-11-24T18:32:51Z n1 - - 0 | metric=temp_gpu value=50 "), 1);
    cr_assert_eq(COUNT(e, "- n1 - - 1 | metric=temp_gpu value=5 "), 1);
    cr_assert(strstr(skip_at(e, 3, 0), "not a sample line"));
    fl_engine_free(e);

    size_t big = 1u << 20;
    char *huge = malloc(big + 64);
    memcpy(huge, "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",x=\"", 32);
    memset(huge + 32, 'a', big);
    memcpy(huge + 32 + big, "\"} 7\n", 5);
    e = ingest_buf("t.prom", huge, big + 37, "prometheus-text");
    cr_assert_eq(COUNT(e, "metric=temp_gpu value=7 "), 1);
    fl_engine_free(e);
    free(huge);

    /* OpenMetrics: timestamps are seconds, `# EOF` ends it; exemplars are ignored */
    e = ingest_text("# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n"
                    "DCGM_FI_DEV_XID_ERRORS{gpu=\"2\"} 79 1795545171.5 # {trace_id=\"x\"} 1\n"
                    "# EOF\n",
                    NULL);
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(COUNT(e, "2026-11-24T18:32:51.5Z - - - 2 | metric=xid_last value=79"), 1);
    fl_engine_free(e);
}

FL_TEST(prom_text, quoted_metric_name_and_label_escapes)
{
    struct fl_engine *e =
        ingest_text("{\"DCGM_FI_DEV_GPU_TEMP\", gpu=\"1\", Hostname=\"node\\\\a\\\"b\\nc\"} 61\n"
                    "{gpu=\"1\"} 61\n",
                    "prometheus-text");
    cr_assert_eq(fl_engine_window(e)->nevents, 1);
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_str_eq(fl_window_str(w, w->events[0]->node), "node\\a\"b\nc");
    cr_assert(strstr(skip_at(e, 2, 0), "label set names no metric"));
    fl_engine_free(e);
}

FL_TEST(prom_text, node_precedence)
{
    static const struct {
        const char *labels;
        const char *node;
    } cases[] = {
        {"Hostname=\"gpu-node-1\"", "gpu-node-1"},
        {"Hostname=\"nvidia-dcgm-exporter-abcde\"", "-"},
        {"Hostname=\"dcgm-exporter-6ldbb\",node=\"gpu-node-2\"", "gpu-node-2"},
        {"Hostname=\"gpu-node-1\",kubernetes_node=\"gpu-node-3\"", "gpu-node-3"},
        {"hostname=\"424773df46e0\"", "-"},
        {"Hostname=\"424773df46e0x\"", "424773df46e0x"},
        {"nodename=\"n4\"", "n4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",%s} 1\n", cases[i].labels);
        struct fl_engine *e = ingest_text(text, "prometheus-text");
        char want[64];
        snprintf(want, sizeof want, "gpu_sample - %s ", cases[i].node);
        cr_assert_eq(COUNT(e, want), 1, "case %zu", i);
        fl_engine_free(e);
    }
}

FL_TEST(prom_text, device_label_gives_index_when_gpu_is_absent)
{
    struct fl_engine *e = ingest_text("DCGM_FI_DEV_GPU_UTIL{device=\"nvidia7\"} 1\n"
                                      "DCGM_FI_DEV_GPU_UTIL{device=\"nvswitch0\"} 1\n",
                                      "prometheus-text");
    cr_assert_eq(COUNT(e, "- - - 7 | metric=util"), 1);
    cr_assert_eq(COUNT(e, "- - - -1 | metric=util"), 1);
    fl_engine_free(e);
}

FL_TEST(prom_text, round_trip_through_events_jsonl_keeps_clockless_samples)
{
    struct fl_engine *e1 = ingest_file("datadog-dcgm-exporter-2x-tesla-t4-460.106.00.prom");
    const struct fl_window *w = fl_engine_window(e1);
    struct fl_jsonw jw;
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w->nevents; i++) {
        fl_event_write_json(&jw, w, w->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
    }
    char *once = strndup(jw.buf, jw.len);
    fl_jsonw_release(&jw);
    cr_assert(strstr(once, "\"ts\":null") != NULL);
    struct fl_engine *e2 = ingest_text(once, "faultline-jsonl");
    cr_assert_eq(skips(e2), 0);
    const struct fl_window *w2 = fl_engine_window(e2);
    cr_assert_eq(w2->nevents, w->nevents);
    fl_jsonw_init(&jw, false);
    for (size_t i = 0; i < w2->nevents; i++) {
        cr_assert_eq(w2->events[i]->clock, FL_CLOCK_NONE);
        fl_event_write_json(&jw, w2, w2->events[i]);
        fl_jsonw_bytes(&jw, "\n", 1);
    }
    char *twice = strndup(jw.buf, jw.len);
    fl_jsonw_release(&jw);
    cr_assert_str_eq(once, twice);
    free(once);
    free(twice);
    fl_engine_free(e1);
    fl_engine_free(e2);
}

/* ---- HTTP API results ------------------------------------------------------------------ */

/* Samples wait in a batch so their uids are hashed together (src/ingest/uid_batch.c): every
 * uid must still be fl_event_compute_uid of the sample's node, over more lines than a batch,
 * of many lengths, on several hosts and none, and in read order where nothing else orders. */
FL_TEST(prom_text, batched_uids_equal_fl_event_compute_uid)
{
    size_t cap = 300 * 400, n = 0;
    char *text = malloc(cap);
    cr_assert_not_null(text);
    for (int i = 0; i < 300; i++) {
        char pad[120];
        memset(pad, 'a' + i % 26, sizeof pad);
        pad[(i * 41) % 119] = '\0';
        char host[32] = "";
        if (i % 5)
            snprintf(host, sizeof host, ",Hostname=\"node-%d\"", i % 4);
        n += (size_t)snprintf(text + n, cap - n,
                              "DCGM_FI_DEV_GPU_TEMP{gpu=\"%d\",UUID=\"GPU-%s\"%s} %d %d\n", i % 8,
                              pad, host, 40 + i % 50, 1764000000 + i);
    }
    struct fl_engine *e = ingest_buf("batch.prom", text, n, "prometheus-text");
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->nevents, 300);
    cr_assert_eq(skips(e), 0);
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        const char *node = fl_window_str(w, ev->node);
        uint64_t want = fl_event_compute_uid(ev, fl_str_from_cstr(node ? node : ""));
        cr_assert_eq(ev->uid, want, "line %u: uid %016" PRIx64 ", want %016" PRIx64,
                     ev->src.line, ev->uid, want);
        cr_assert_eq(ev->src.line, i + 1, "one sample a second: read order is time order");
    }
    fl_engine_free(e);
    free(text);
}

FL_TEST(prom_api, valid_query_range_matrix)
{
    struct fl_engine *e = ingest_file("prom-api-query-range.json");
    cr_assert_str_eq(format_of(e), "prometheus-api");
    cr_assert_eq(skips(e), 0);
    const char *g0 = "gpu-node-07 0000:3b:00.0 GPU-0a1b2c3d-0000-4000-8000-000000000000 0 |";
    cr_assert_eq(COUNT(e, "throttle", g0), 4);
    cr_assert_eq(COUNT(e, "throttle 2026-11-24T18:30:30Z", g0, "reasons=96"), 1);
    cr_assert_eq(COUNT(e, "gpu_sample", g0, "temp_gpu"), 3); /* the NaN point says nothing */
    cr_assert_eq(COUNT(e, "gpu_sample 2026-11-24T18:30:30Z", g0, "value=93 "), 1);
    cr_assert_eq(COUNT(e, "ecc 2026-11-24T18:30:15.25Z", g0, "ecc=dbe agg=0 count=2"), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 9); /* `up` is not a DCGM metric */
    const struct fl_window *w = fl_engine_window(e);
    cr_assert_eq(w->events[0]->src.line, 0);
    cr_assert_gt(w->events[0]->src.offset, 0);
    cr_assert(fl_str_starts_with(w->events[0]->raw, "{\"DCGM_FI_DRIVER_VERSION\""));
    fl_engine_free(e);
}

FL_TEST(prom_api, valid_query_vector_pretty_printed)
{
    struct fl_engine *e = ingest_file("prom-api-query-vector-pretty.json");
    cr_assert_str_eq(format_of(e), "prometheus-api");
    cr_assert_eq(skips(e), 0);
    const char *g3 = "2026-11-24T18:32:51.551Z gpu-node-12 0000:9a:00.0 "
                     "GPU-9f8e7d6c-0000-4000-8000-000000000003 3 |";
    cr_assert_eq(COUNT(e, "ecc", g3, "ecc=remap_pending agg=0 count=1"), 1);
    cr_assert_eq(COUNT(e, "gpu_sample", g3, "metric=xid_last value=63"), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 2);
    fl_engine_free(e);
}

FL_TEST(prom_api, error_result_only_scalar_truncated_and_concatenated)
{
    struct fl_engine *e = ingest_file("prom-api-error-and-result-only.json");
    cr_assert_str_eq(format_of(e), "prometheus-api");
    cr_assert_eq(COUNT(e, "gpu_sample 2026-11-24T18:30:00Z gpu-node-07 0000:5d:00.0 - 1 | "
                          "metric=power_w value=98.114 "),
                 1);
    cr_assert_eq(COUNT(e, "gpu-node-07 - - 1 | metric=temp_gpu value=40 "), 1);
    cr_assert_eq(COUNT(e, "gpu-node-07 - - 2 | metric=temp_gpu value=55 "), 1);
    cr_assert_eq(fl_engine_window(e)->nevents, 3);
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    static const char *const why[] = {
        "Prometheus API error (bad_data): invalid parameter \"query\": 1:10: parse error",
        "series point is not a [time, \"value\"] pair",
        "series has no \"__name__\" label",
        "resultType \"scalar\" holds no series",
        "JSON ends early at byte 673: a new document starts on the next line",
    };
    cr_assert_eq(total, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(s[i].line, 0);
        cr_assert(strstr(s[i].reason, why[i]), "skip %zu: '%s'", i, s[i].reason);
    }
    fl_engine_free(e);
}

FL_TEST(prom_api, bad_documents)
{
    static const struct {
        const char *doc;
        const char *why;
    } cases[] = {
        {"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\"}}", "no \"result\""},
        {"{\"status\":\"success\"}", "no \"data\""},
        {"{\"status\":\"success\",\"data\":[]}", "\"data\" is not an object"},
        {"{\"resultType\":\"matrix\",\"result\":{}}", "\"result\" is not an array"},
        {"{\"resultType\":\"matrix\",\"result\":[1]}", "result item is not an object"},
        {"{\"resultType\":\"matrix\",\"result\":[{\"values\":[]}]}", "has no \"metric\""},
        {"{\"resultType\":\"matrix\",\"result\":[{\"metric\":[],\"values\":[]}]}",
         "not an object of labels"},
        {"{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\","
         "\"gpu\":7},\"values\":[]}]}",
         "label value is not a string"},
        {"{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\"},"
         "\"values\":{}}]}",
         "\"values\" is not an array"},
        {"{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\"},"
         "\"value\":[\"x\",\"1\"]}]}",
         "time is not Unix seconds"},
        {"{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\"},"
         "\"value\":[1,\"hot\"]}]}",
         "sample value is not a number"},
        {"{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\","
         "\"pci_bus_id\":\"zz\"},\"value\":[1,\"1\"]}]}",
         "\"pci_bus_id\" is not a PCI address"},
        {"{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_"
         "TEMP\"},"
         "\"value\":[1,1]}]}",
         "not a [time, \"value\"] pair"},
        {"{\"resultType\":\"vector\" \"result\":[]}", "invalid JSON at byte 23: expected ','"},
        {"{\"resultType\":\"vector\",\"result\":[", "JSON ends early at byte 33"},
        {"\"just a string\"", "not a Prometheus API response"},
        {"{\"status\":\"error\"}", "Prometheus API error (): no message"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fl_engine *e = ingest_text(cases[i].doc, "prometheus-api");
        size_t n;
        uint64_t total;
        const struct fl_skip *s = fl_engine_skips(e, &n, &total);
        cr_assert_eq(total, 1, "case %zu: %llu skips", i, (unsigned long long)total);
        cr_assert(strstr(s[0].reason, cases[i].why), "case %zu: '%s' lacks '%s'", i, s[0].reason,
                  cases[i].why);
        cr_assert_eq(fl_engine_window(e)->nevents, 0, "case %zu", i);
        fl_engine_free(e);
    }
}

FL_TEST(prom_api, exponent_times_histograms_and_escaped_labels)
{
    struct fl_engine *e = ingest_text(
        "{\"resultType\":\"matrix\",\"result\":["
        "{\"metric\":{\"__name__\":\"DCGM_FI_DEV_GPU_TEMP\",\"Hostname\":\"n\\u00e9\\\"1\"},"
        "\"values\":[[1.795545171e9,\"50\"]]},"
        "{\"metric\":{\"__name__\":\"x\"},\"histograms\":[[1,{\"count\":\"1\"}]]}]}",
        NULL);
    cr_assert_str_eq(format_of(e), "prometheus-api");
    cr_assert_eq(skips(e), 0);
    cr_assert_eq(COUNT(e, "gpu_sample 2026-11-24T18:32:51Z n\xc3\xa9\"1 - - -1 | metric=temp_gpu"),
                 1);
    fl_engine_free(e);
}

/* ---- robustness -------------------------------------------------------------------------- */

static const char *const prom_files[] = {
    "dcgm-exporter.prom",
    "datadog-dcgm-exporter-2x-tesla-t4-460.106.00.prom",
    "datadog-dcgm-exporter-3x-tesla-t4-470.182.03-empty-help.prom",
    "dcgm-exporter-readme-curl-metrics-excerpt.txt",
    "edge-cases.prom",
    "scrapes-two-comments.prom",
};
static const char *const api_files[] = {
    "prom-api-query-range.json",
    "prom-api-query-vector-pretty.json",
    "prom-api-error-and-result-only.json",
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

FL_TEST(prom_text, every_truncation_length)
{
    for (size_t i = 0; i < sizeof prom_files / sizeof prom_files[0]; i++)
        every_truncation(prom_files[i], "prometheus-text");
}

FL_TEST(prom_api, every_truncation_length)
{
    for (size_t i = 0; i < sizeof api_files / sizeof api_files[0]; i++)
        every_truncation(api_files[i], "prometheus-api");
}

static bool mine(const struct fl_parser *p)
{
    return p &&
           (strcmp(p->name, "prometheus-text") == 0 || strcmp(p->name, "prometheus-api") == 0 ||
            strcmp(p->name, "nvidia-smi") == 0 || strcmp(p->name, "nvidia-smi-xml") == 0);
}

/* Files of other formats must not be taken by the GPU-metrics readers. */
static void not_mine_in(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* that format's tests are not in this tree (or the shared samples are absent) */
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strstr(de->d_name, ".md") ||
            strncmp(de->d_name, "dcgm", 4) == 0 || strstr(de->d_name, ".prom"))
            continue; /* this family's own samples, next to the others' */
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

FL_TEST(prom, sniffing)
{
    for (size_t i = 0; i < sizeof prom_files / sizeof prom_files[0]; i++) {
        size_t len;
        char *b = data(prom_files[i], &len);
        const struct fl_parser *p = fl_parser_sniff(b, len, fl_str_from_cstr(prom_files[i]));
        cr_assert(p && strcmp(p->name, "prometheus-text") == 0, "%s", prom_files[i]);
        free(b);
    }
    for (size_t i = 0; i < sizeof api_files / sizeof api_files[0]; i++) {
        size_t len;
        char *b = data(api_files[i], &len);
        const struct fl_parser *p = fl_parser_sniff(b, len, fl_str_from_cstr(api_files[i]));
        cr_assert(p && strcmp(p->name, "prometheus-api") == 0, "%s", api_files[i]);
        free(b);
    }
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/k8s");
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/pyspy");
    not_mine_in(FL_SOURCE_DIR "/tests/unit/data/kernel");
    not_mine_in(FL_SOURCE_DIR "/tests/fuzz/corpus/jsonl");
    not_mine_in(FL_SOURCE_DIR "/tests/fuzz/corpus/json");
    not_mine_in("/work/shared/samples");
    not_mine_in("/work/shared/samples/real/kernel");
    not_mine_in("/work/shared/samples/real/k8s");
    not_mine_in("/work/shared/samples/real/pyspy");
    not_mine_in("/work/shared/samples/real/bug-report");
    not_mine_in("/work/shared/samples/real/flight-recorder");
    const char *plain[] = {
        "hello world\n", "Nov 24 18:32:51 host kernel: NVRM: Xid 79\n",
        "{\"kind\":\"xid\",\"ts\":\"2026-11-24T18:32:51Z\",\"xid\":{\"code\":1}}\n",
        "[ 9012.551203] NVRM: Xid (PCI:0000:3b:00): 79\n"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        cr_assert(!mine(fl_parser_sniff(plain[i], strlen(plain[i]), FL_STR_NULL)), "%s", plain[i]);
}

/* Steady state allocates nothing per sample: ten times the samples, about the same number of
 * allocations (arena chunks and the window's arrays grow, nothing per record). */
static uint64_t allocs_for(const char *format, size_t samples)
{
    size_t cap = samples * 96 + 256, len = 0;
    char *t = malloc(cap);
    if (strcmp(format, "prometheus-text") == 0) {
        for (size_t i = 0; i < samples; i++)
            len += (size_t)snprintf(t + len, cap - len,
                                    "DCGM_FI_DEV_GPU_TEMP{gpu=\"%zu\",Hostname=\"n\"} %zu %zu\n",
                                    i % 8, i % 90, 1795545171000 + i);
    } else {
        len += (size_t)snprintf(t, cap,
                                "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{"
                                "\"__name__\":\"DCGM_FI_DEV_GPU_TEMP\",\"gpu\":\"0\"},"
                                "\"values\":[");
        for (size_t i = 0; i < samples; i++)
            len += (size_t)snprintf(t + len, cap - len, "%s[%zu,\"%zu\"]", i ? "," : "",
                                    1795545171 + i, i % 90);
        len += (size_t)snprintf(t + len, cap - len, "]}]}");
    }
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_eq(fl_engine_add_buffer(e, "t", t, len, NULL), 0);
    struct fl_alloc_stats a, b;
    fl_alloc_stats_get(&a);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    fl_alloc_stats_get(&b);
    cr_assert_eq(fl_engine_window(e)->nevents, samples);
    fl_engine_free(e);
    free(t);
    return b.allocs - a.allocs;
}

FL_TEST(prom, no_allocation_per_sample)
{
    static const char *const formats[] = {"prometheus-text", "prometheus-api"};
    for (int f = 0; f < 2; f++) {
        uint64_t small = allocs_for(formats[f], 2000);
        uint64_t large = allocs_for(formats[f], 20000);
        cr_assert_lt(large - small, 40, "%s: %llu allocations for 2000 samples, %llu for 20000",
                     formats[f], (unsigned long long)small, (unsigned long long)large);
    }
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

FL_TEST(prom_text, allocation_failure_loop)
{
    alloc_failure_loop("edge-cases.prom", "prometheus-text");
}

FL_TEST(prom_api, allocation_failure_loop)
{
    alloc_failure_loop("prom-api-error-and-result-only.json", "prometheus-api");
    alloc_failure_loop("prom-api-query-range.json", "prometheus-api");
}
