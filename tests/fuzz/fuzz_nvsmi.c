/* libFuzzer target: the nvidia-smi -q text reader (src/ingest/nvsmi.c). */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "nvidia-smi", "node7/nvidia-smi-q.txt");
}
