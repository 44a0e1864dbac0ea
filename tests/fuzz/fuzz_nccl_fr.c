/* libFuzzer target: the Flight Recorder reader (pickle and JSON) through the engine as a user
 * would reach it (ingest + window + every detector + the report), then the events it made
 * written as faultline.events/v1 and read back by the JSON Lines reader. The input's name
 * carries a rank so that records are attributed. */
#include <stddef.h>
#include <stdint.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = "nccl-flight-recorder";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    if (fl_engine_add_buffer(e, "nccl_trace_rank_3", (const char *)data, size, NULL) == 0 &&
        fl_engine_run(e, NULL) == 0) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        fl_jsonw_reset(&w);
        const struct fl_window *win = fl_engine_window(e);
        for (size_t i = 0; i < win->nevents; i++) {
            fl_event_write_json(&w, win, win->events[i]);
            fl_jsonw_bytes(&w, "\n", 1);
        }
        if (!fl_jsonw_error(&w)) {
            struct fl_engine_opts o2;
            fl_engine_opts_init(&o2);
            o2.format = "faultline-jsonl";
            struct fl_engine *e2 = fl_engine_new(&o2, NULL);
            if (e2 && fl_engine_add_buffer(e2, "events.jsonl", w.buf, w.len, NULL) == 0)
                (void)fl_engine_ingest(e2, NULL);
            fl_engine_free(e2);
        }
        fl_jsonw_release(&w);
    }
    fl_engine_free(e);
    return 0;
}
