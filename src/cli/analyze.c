/* faultline analyze: read a bundle, run every detector, write verdicts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "faultline/jsonw.h"
#include "verdict/report.h"

static int worst_at_or_above(const struct fl_engine *e, int threshold)
{
    size_t n;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    for (size_t i = 0; i < n; i++)
        if ((int)v[i].severity <= threshold)
            return 1;
    return 0;
}

struct analyze_opts {
    int fail_on;
    const char *detectors;
};

static int analyze_opt(int opt, const char *arg, void *arg2)
{
    struct analyze_opts *ao = arg2;
    if (opt == 'D') {
        ao->detectors = arg;
        return 0;
    }
    if (opt != 'F')
        return -1;
    ao->fail_on = fl_severity_from_name(fl_str_from_cstr(arg));
    if (ao->fail_on < 0) {
        fl_cli_error("--fail-on: '%s' is not a severity (critical, error, warning, info)", arg);
        return 1;
    }
    return 0;
}

int fl_cli_analyze(int argc, char **argv)
{
    static const struct option longopts[] = {
        FL_CLI_COMMON_LONGOPTS,
        {"fail-on", required_argument, 0, 'F'},
        {"detectors", required_argument, 0, 'D'},
        {0, 0, 0, 0},
    };
    struct fl_cli_common c;
    struct analyze_opts ao = {.fail_on = -1};
    int r = fl_cli_parse(argc, argv, "analyze", longopts, &c, analyze_opt, &ao);
    if (r >= 0)
        return r;
    int fail_on = ao.fail_on;
    c.eo.detectors = ao.detectors;
    static const char *const machine[] = {"json", NULL};
    int json = fl_cli_pick_format(&c, machine);
    if (json < 0)
        return FL_EXIT_USAGE;

    int exit_code = FL_EXIT_OK;
    struct fl_engine *e = fl_cli_engine(&c, &exit_code);
    if (!e)
        return exit_code;
    struct fl_err err = {0};
    if (fl_engine_run(e, &err)) {
        fl_cli_error("%s", err.msg);
        fl_engine_free(e);
        return FL_EXIT_INPUT;
    }
    if (fl_cli_is_tty(stderr))
        fputs("\r\033[K", stderr); /* clear a progress line, if any */
    size_t bad = fl_cli_report_input_errors(e);

    FILE *out = fl_cli_open_output(c.output);
    if (!out) {
        fl_cli_error("cannot write '%s': %m", c.output);
        fl_engine_free(e);
        return FL_EXIT_USAGE;
    }
    int wrc = 0;
    if (json) {
        struct fl_jsonw w;
        fl_jsonw_init(&w, true);
        fl_report_json(e, &w);
        wrc = fl_jsonw_error(&w);
        if (!wrc && fwrite(w.buf, 1, w.len, out) != w.len)
            wrc = FL_EIO;
        fl_jsonw_release(&w);
    } else {
        struct fl_text_opts to = {
            .color = out == stdout && fl_cli_is_tty(out) && !getenv("NO_COLOR"), .quiet = c.quiet};
        wrc = fl_report_text(e, out, &to);
    }
    wrc = fl_cli_close_output(out, wrc);
    if (wrc) {
        fl_cli_error("cannot write the report to '%s': %s", c.output ? c.output : "stdout",
                     fl_strerror(wrc));
        fl_engine_free(e);
        return FL_EXIT_INPUT;
    }
    if (bad)
        exit_code = FL_EXIT_INPUT;
    else if (fail_on >= 0 && worst_at_or_above(e, fail_on))
        exit_code = FL_EXIT_FAIL_ON;
    fl_engine_free(e);
    return exit_code;
}
