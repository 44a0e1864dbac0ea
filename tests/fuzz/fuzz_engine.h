/* fuzz_engine.h - the body most reader fuzz targets share: feed the input to one parser
 * through the engine as a user would reach it (ingest, window build, every detector), then
 * write the verdict envelope and every event back out, so each string an event holds is
 * read again. A name with a node directory and a rank in it exercises the path rules. */
#ifndef FL_FUZZ_ENGINE_H
#define FL_FUZZ_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

static inline int fl_fuzz_through_engine(const uint8_t *data, size_t size, const char *format,
                                         const char *name)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    if (!e)
        return 0;
    if (fl_engine_add_buffer(e, name, (const char *)data, size, NULL) == 0 &&
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

#endif
