/* libFuzzer target: the ranks map reader (src/ingest/ranks_map.c) and the post-ingest join
 * (src/model/ranks.c): the input is read as a ranks map beside a fixed py-spy dump of rank 3,
 * so every mapping the fuzzer invents is applied to real events and written back out. */
#include <string.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

static const char pyspy3[] = "Process 40119: /usr/bin/python3 -u train.py\n"
                             "Thread 40119 (active+gil): \"MainThread\"\n"
                             "    all_reduce (torch/distributed/distributed_c10d.py:2050)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    const char *map = (const char *)data;
    if (fl_engine_add_buffer(e, "bundle/ranks.csv", map, size, NULL) == 0 &&
        fl_engine_add_buffer(e, "bundle/pyspy-rank3.txt", pyspy3, sizeof pyspy3 - 1, NULL) == 0 &&
        fl_engine_run(e, NULL) == 0) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        const struct fl_window *win = fl_engine_window(e);
        for (size_t i = 0; i < win->nevents; i++)
            fl_event_write_json(&w, win, win->events[i]);
        fl_jsonw_release(&w);
    }
    fl_engine_free(e);
    return 0;
}
