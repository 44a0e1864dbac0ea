/* libFuzzer target: the Prometheus HTTP API result reader (src/ingest/prom_api.c). */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "prometheus-api", "node7/query_range.json");
}
