/* Helpers shared by the subcommands: engine set-up, errors, output, progress. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "faultline/ingest.h"
#include "faultline/time.h"

void fl_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("faultline: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool fl_cli_is_tty(FILE *f) { return isatty(fileno(f)) == 1; }

FILE *fl_cli_open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    return fopen(path, "wb");
}

void fl_cli_progress(void *arg, const struct fl_input *in)
{
    (void)arg;
    if (in->len < 50u * 1024 * 1024 || !fl_cli_is_tty(stderr))
        return;
    fprintf(stderr, "\rfaultline: reading %s (%.1f MB, %s)...\033[K", in->path,
            (double)in->len / 1e6, in->format);
    fflush(stderr);
}

struct fl_engine *fl_cli_engine(struct fl_cli_common *c, int *exit_code)
{
    struct fl_err err = {0};
    c->eo.on_input = fl_cli_progress;
    struct fl_engine *e = fl_engine_new(&c->eo, &err);
    if (!e) {
        fl_cli_error("%s%s", err.code == FL_ENOTFOUND ? "--detectors: " : "", err.msg);
        *exit_code = err.code == FL_ENOTFOUND ? FL_EXIT_USAGE : FL_EXIT_INPUT;
        return NULL;
    }
    if (c->config && fl_engine_load_config(e, c->config, &err)) {
        fl_cli_error("%s", err.msg);
        fl_engine_free(e);
        *exit_code = FL_EXIT_USAGE;
        return NULL;
    }
    for (int i = 0; i < c->npaths; i++) {
        int rc = fl_engine_add_path(e, c->paths[i], &err);
        if (rc == FL_ENOMEM) {
            fl_cli_error("%s", err.msg);
            fl_engine_free(e);
            *exit_code = FL_EXIT_INPUT;
            return NULL;
        }
        /* FL_EIO: recorded as an unreadable input, reported after the run */
    }
    return e;
}

size_t fl_cli_report_input_errors(const struct fl_engine *e)
{
    size_t n, bad = 0;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    for (size_t i = 0; i < n; i++) {
        if (!in[i].error)
            continue;
        fl_cli_error("%s", in[i].error_msg ? in[i].error_msg : in[i].path);
        bad++;
    }
    return bad;
}

unsigned fl_cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > FL_CLI_MAX_JOBS ? FL_CLI_MAX_JOBS : (unsigned)n;
}

static int parse_time_opt(const char *name, const char *arg, int64_t *out)
{
    size_t n = strlen(arg), used = 0;
    if (fl_time_parse_rfc3339(arg, arg + n, true, out, &used, NULL) || used != n) {
        fl_cli_error("%s: '%s' is not an RFC 3339 time with a zone "
                     "(e.g. 2026-11-24T18:30:00Z or 2026-11-24T10:30:00-08:00)",
                     name, arg);
        return -1;
    }
    return 0;
}

int fl_cli_common_opt(struct fl_cli_common *c, int opt, const char *arg)
{
    switch (opt) {
    case 'f':
        c->format = arg;
        return 0;
    case 'o':
        c->output = arg;
        return 0;
    case 'n':
        c->eo.node = arg;
        return 0;
    case 'c':
        c->config = arg;
        return 0;
    case 'q':
        c->quiet = true;
        return 0;
    case 'B':
        return parse_time_opt("--boot-time", arg, &c->eo.boot_ns) ? 1 : 0;
    case 'S':
        return parse_time_opt("--since", arg, &c->eo.since) ? 1 : 0;
    case 'U':
        return parse_time_opt("--until", arg, &c->eo.until) ? 1 : 0;
    case 'j': {
        char *end;
        errno = 0;
        unsigned long n = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-' || n < 1 || n > FL_CLI_MAX_JOBS) {
            fl_cli_error("--jobs: '%s' is not a thread count from 1 to %d", arg, FL_CLI_MAX_JOBS);
            return 1;
        }
        c->eo.jobs = (unsigned)n;
        return 0;
    }
    case 'I':
        c->eo.format = arg;
        if (!fl_parser_find(fl_str_from_cstr(arg))) {
            fl_cli_error("--input-format: no input format named '%s' (see faultline --help)", arg);
            return 1;
        }
        return 0;
    default:
        return -1;
    }
}

int fl_cli_parse(int argc, char **argv, const char *cmd, const struct option *longopts,
                 struct fl_cli_common *c, int (*extra)(int opt, const char *arg, void *arg2),
                 void *arg2)
{
    memset(c, 0, sizeof *c);
    fl_engine_opts_init(&c->eo);
    c->eo.jobs = fl_cli_default_jobs();
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, FL_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (opt == 'h') {
            fl_cli_usage(stdout);
            return FL_EXIT_OK;
        }
        int r = fl_cli_common_opt(c, opt, optarg);
        if (r < 0 && extra)
            r = extra(opt, optarg, arg2);
        if (r == 0)
            continue;
        if (r < 0)
            fprintf(stderr, "Try 'faultline %s --help'.\n", cmd);
        return FL_EXIT_USAGE;
    }
    c->paths = argv + optind;
    c->npaths = argc - optind;
    if (c->npaths == 0) {
        fl_cli_error("%s: no input given (a file, a directory, or - for stdin)", cmd);
        fprintf(stderr, "Try 'faultline %s --help'.\n", cmd);
        return FL_EXIT_USAGE;
    }
    return -1;
}

int fl_cli_close_output(FILE *out, int wrc)
{
    int bad = out != stdout ? fclose(out) != 0 : fflush(out) != 0;
    return wrc ? wrc : bad ? FL_EIO : 0;
}

int fl_cli_pick_format(const struct fl_cli_common *c, const char *const *names)
{
    if (!c->format)
        return c->output ? 1 : !fl_cli_is_tty(stdout);
    if (strcmp(c->format, "text") == 0)
        return 0;
    for (const char *const *n = names; *n; n++)
        if (strcmp(c->format, *n) == 0)
            return 1;
    fl_cli_error("--format: '%s' is not text or %s", c->format, names[0]);
    return -1;
}
