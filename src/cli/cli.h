/* cli.h - subcommands of the faultline binary. Each returns the process exit code. */
#ifndef FAULTLINE_CLI_H
#define FAULTLINE_CLI_H

#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>

#include "faultline/engine.h"

enum fl_exit {
    FL_EXIT_OK = 0,
    FL_EXIT_FAIL_ON = 1, /* --fail-on tripped */
    FL_EXIT_USAGE = 2,
    FL_EXIT_INPUT = 3, /* an input could not be read */
};

/* Options shared by analyze and events. */
struct fl_cli_common {
    struct fl_engine_opts eo;
    const char *format; /* output format as given, NULL = auto */
    const char *output; /* --output FILE, NULL = stdout */
    const char *config;
    bool quiet;
    char **paths;
    int npaths;
};

int fl_cli_analyze(int argc, char **argv);
int fl_cli_events(int argc, char **argv);
int fl_cli_detectors(int argc, char **argv);
void fl_cli_usage(FILE *f);

/* Shared helpers (common.c). */
void fl_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Build the engine, load config, add every path; prints errors. Returns NULL with *exit_code
 * set when the run cannot go on. */
struct fl_engine *fl_cli_engine(struct fl_cli_common *c, int *exit_code);
/* Print each unreadable input on stderr; returns how many. */
size_t fl_cli_report_input_errors(const struct fl_engine *e);
/* Handle an option shared by analyze and events: 0 handled, 1 handled but invalid (message
 * printed), -1 not a common option. */
int fl_cli_common_opt(struct fl_cli_common *c, int opt, const char *arg);
/* --jobs: parse threads, default the online core count (at most FL_CLI_MAX_JOBS). */
#define FL_CLI_MAX_JOBS 256
unsigned fl_cli_default_jobs(void);
#define FL_CLI_COMMON_LONGOPTS                                                                     \
    {"format", required_argument, 0, 'f'}, {"output", required_argument, 0, 'o'},                  \
        {"node", required_argument, 0, 'n'}, {"config", required_argument, 0, 'c'},                \
        {"quiet", no_argument, 0, 'q'}, {"boot-time", required_argument, 0, 'B'},                  \
        {"since", required_argument, 0, 'S'}, {"until", required_argument, 0, 'U'},                \
        {"input-format", required_argument, 0, 'I'}, {"jobs", required_argument, 0, 'j'},      \
        {"help", no_argument, 0, 'h'}
#define FL_CLI_COMMON_SHORTOPTS "f:o:n:c:j:qh"

/* Parse argv for a subcommand: the common options, plus `extra` (may be NULL) for the
 * subcommand's own (it returns 0 handled, 1 invalid with a message printed, -1 unknown).
 * Fills c->paths. Returns -1 to go on, or the exit code to return (help printed, usage error,
 * no PATH given). */
int fl_cli_parse(int argc, char **argv, const char *cmd, const struct option *longopts,
                 struct fl_cli_common *c, int (*extra)(int opt, const char *arg, void *arg2),
                 void *arg2);
/* The machine-readable output (true) or the text one (false), from --format: absent means
 * machine-readable with --output or when stdout is not a terminal. names is the NULL-ended
 * list of accepted machine-readable names; "text" is always accepted. Returns -1 (message
 * printed) for an unknown name. */
int fl_cli_pick_format(const struct fl_cli_common *c, const char *const *names);

/* Close --output (or flush stdout); returns wrc, or FL_EIO when that fails and wrc was 0. */
int fl_cli_close_output(FILE *out, int wrc);

/* Open --output (or stdout). */
FILE *fl_cli_open_output(const char *path);
bool fl_cli_is_tty(FILE *f);
/* Progress line on stderr for inputs over 50 MB when stderr is a terminal. */
void fl_cli_progress(void *arg, const struct fl_input *in);

#endif
