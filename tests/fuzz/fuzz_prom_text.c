/* libFuzzer target: the Prometheus text exposition reader, as dcgm-exporter serves it
 * (src/ingest/prom_text.c). */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "prometheus-text", "node7/dcgm-metrics.prom");
}
