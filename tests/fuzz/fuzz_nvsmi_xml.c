/* libFuzzer target: the nvidia-smi -q -x XML reader (src/ingest/nvsmi_xml.c). */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "nvidia-smi-xml", "node7/nvidia-smi-q-x.xml");
}
