/* libFuzzer target: the faultline.events/v1 JSON Lines reader (src/ingest/jsonl.c). */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "faultline-jsonl", "node7/fuzz.jsonl");
}
