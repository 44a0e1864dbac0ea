/* libFuzzer target: the Kubernetes reader (kubectl events/nodes/pods JSON: Lists, --watch
 * streams, single objects), through the engine as a user would reach it, next to a fixed pods
 * List so the post-ingest pod -> node join runs too; then every detector and the JSON report. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

static const char pods[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
    "\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u1\"},\"spec\":{\"nodeName\":"
    "\"n1\",\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":{\"nvidia.com/"
    "gpu\":\"8\"}}}]},"
    "\"status\":{\"phase\":\"Running\",\"startTime\":\"2026-11-24T18:00:00Z\"}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "kubernetes";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    if (fl_engine_add_buffer(e, "a.json", (const char *)data, size, NULL) == 0 &&
        fl_engine_add_buffer(e, "pods.json", pods, sizeof pods - 1, NULL) == 0 &&
        fl_engine_run(e, NULL) == 0) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        fl_jsonw_release(&w);
    }
    fl_engine_free(e);
    return 0;
}
