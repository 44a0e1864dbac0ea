/* libFuzzer target: kernel-log containers as a user reaches them (sniffing picks the parser:
 * dmesg / journalctl / syslog / kmsg text, journalctl -o json and export, gzip and
 * nvidia-bug-report.log), then the window, every detector and the JSON report. Binary
 * journals are left out: sd-journal is libsystemd's to fuzz, and each input would be
 * written to a temporary file. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 8 && memcmp(data, "LPKSHHRH", 8) == 0)
        return 0;
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    /* the first byte picks the boot-time option, so both clocks are exercised */
    if (size && (data[0] & 1))
        o.boot_ns = 1795545171000000000LL;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    if (fl_engine_add_buffer(e, "fuzz.log", (const char *)data, size, NULL) == 0 &&
        fl_engine_run(e, NULL) == 0) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        fl_jsonw_release(&w);
    }
    fl_engine_free(e);
    return 0;
}
