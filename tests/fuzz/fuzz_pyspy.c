/* libFuzzer target: the py-spy dump reader (text, host-prefixed, JSON; src/ingest/pyspy.c).
 * The name carries a rank, so the file-name rank rules run too. */
#include "fuzz_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fl_fuzz_through_engine(data, size, "py-spy", "node7/pyspy-rank3.txt");
}
