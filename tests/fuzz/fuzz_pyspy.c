/* libFuzzer target: the py-spy dump reader (text, host-prefixed, JSON), through the engine as a
 * user would reach it: ingest + window build + every detector + the report and the events
 * writer (so every string an event holds is read back). */
#include <stddef.h>
#include <stdint.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "py-spy";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    /* a name with a rank in it, so the file-name rank rules run too */
    if (fl_engine_add_buffer(e, "node7/pyspy-rank3.txt", (const char *)data, size, NULL) == 0 &&
        fl_engine_run(e, NULL) == 0) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        const struct fl_window *win = fl_engine_window(e);
        for (size_t i = 0; i < win->nevents; i++)
            fl_event_write_json(&w, win, &win->events[i]);
        fl_jsonw_release(&w);
    }
    fl_engine_free(e);
    return 0;
}
