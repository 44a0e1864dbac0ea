/* libFuzzer target: the GPU line families. Every input line gets a dmesg stamp (so the
 * mutations land in the message, where Xid / SXid / AER / NVRM parsing happens) and the
 * result is read as plain dmesg through the engine. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char stamp[] = "[ 9012.551203] ";
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    size_t cap = size + lines * (sizeof stamp - 1) + 1;
    char *buf = malloc(cap);
    if (!buf)
        return 0;
    size_t n = 0;
    memcpy(buf + n, stamp, sizeof stamp - 1);
    n += sizeof stamp - 1;
    for (size_t i = 0; i < size; i++) {
        buf[n++] = (char)data[i];
        if (data[i] == '\n' && i + 1 < size) {
            memcpy(buf + n, stamp, sizeof stamp - 1);
            n += sizeof stamp - 1;
        }
    }
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "kernel-log";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (e) {
        if (fl_engine_add_buffer(e, "dmesg.txt", buf, n, NULL) == 0)
            (void)fl_engine_run(e, NULL);
        fl_engine_free(e);
    }
    free(buf);
    return 0;
}
