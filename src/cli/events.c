/* faultline events: print what was read, as faultline.events/v1 JSON Lines or a table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

int fl_cli_events(int argc, char **argv)
{
    static const struct option longopts[] = {FL_CLI_COMMON_LONGOPTS, {0, 0, 0, 0}};
    struct fl_cli_common c;
    int r = fl_cli_parse(argc, argv, "events", longopts, &c, NULL, NULL);
    if (r >= 0)
        return r;
    static const char *const machine[] = {"jsonl", "json", NULL};
    int jsonl = fl_cli_pick_format(&c, machine);
    if (jsonl < 0)
        return FL_EXIT_USAGE;
    int exit_code = FL_EXIT_OK;
    struct fl_engine *e = fl_cli_engine(&c, &exit_code);
    if (!e)
        return exit_code;
    struct fl_err err = {0};
    if (fl_engine_ingest(e, &err)) {
        fl_cli_error("%s", err.msg);
        fl_engine_free(e);
        return FL_EXIT_INPUT;
    }
    size_t bad = fl_cli_report_input_errors(e);
    FILE *out = fl_cli_open_output(c.output);
    if (!out) {
        fl_cli_error("cannot write '%s': %m", c.output);
        fl_engine_free(e);
        return FL_EXIT_USAGE;
    }
    int wrc = 0;
    if (jsonl) {
        const struct fl_window *win = fl_engine_window(e);
        struct fl_jsonw w;
        fl_jsonw_init(&w, false);
        for (size_t i = 0; i < win->nevents && !wrc; i++) {
            fl_jsonw_reset(&w);
            fl_event_write_json(&w, win, win->events[i]);
            fl_jsonw_bytes(&w, "\n", 1);
            wrc = fl_jsonw_error(&w);
            if (!wrc && fwrite(w.buf, 1, w.len, out) != w.len)
                wrc = FL_EIO;
        }
        fl_jsonw_release(&w);
    } else {
        wrc = fl_events_text(e, out);
    }
    if (!c.quiet) {
        size_t ninputs, nskips;
        uint64_t total;
        const struct fl_input *in = fl_engine_inputs(e, &ninputs);
        const struct fl_skip *sk = fl_engine_skips(e, &nskips, &total);
        for (size_t i = 0; i < nskips; i++) {
            const char *path = in[sk[i].input].path;
            if (sk[i].line)
                fprintf(stderr, "faultline: skipped %s:%u: %s\n", path, sk[i].line, sk[i].reason);
            else if (sk[i].offset)
                fprintf(stderr, "faultline: skipped %s@%llu: %s\n", path,
                        (unsigned long long)sk[i].offset, sk[i].reason);
            else
                fprintf(stderr, "faultline: skipped %s: %s\n", path, sk[i].reason);
        }
        if (total > nskips)
            fprintf(stderr, "faultline: ... %llu skipped records in all\n",
                    (unsigned long long)total);
    }
    wrc = fl_cli_close_output(out, wrc);
    fl_engine_free(e);
    if (wrc) {
        fl_cli_error("cannot write events: %s", fl_strerror(wrc));
        return FL_EXIT_INPUT;
    }
    return bad ? FL_EXIT_INPUT : FL_EXIT_OK;
}
