/* faultline: entry point and subcommand dispatch. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "faultline/ingest.h"

void fl_cli_usage(FILE *f)
{
    fputs(
        "faultline - name the broken part of a GPU training cluster, with proof\n"
        "\n"
        "Usage:\n"
        "  faultline analyze [options] PATH...   read telemetry, print verdicts\n"
        "  faultline events  [options] PATH...   print the normalized events that were read\n"
        "  faultline detectors [--format text|markdown]\n"
        "                                        list detectors, patterns and settings\n"
        "  faultline --version | --help\n"
        "\n"
        "PATH is a file, a directory (read recursively, hidden files skipped) or - for stdin.\n"
        "Each file's format is recognised from its content; a file inside a bundle\n"
        "subdirectory (BUNDLE/NODE/file) is attributed to node NODE unless it names its own.\n"
        "\n"
        "Options (analyze and events):\n"
        "  -f, --format FMT      analyze: text or json; events: jsonl or text\n"
        "                        (default: text on a terminal, json/jsonl otherwise)\n"
        "  -o, --output FILE     write there instead of stdout (implies json/jsonl)\n"
        "  -n, --node NAME       node for inputs that do not name one\n"
        "      --boot-time T     boot time (RFC 3339) for boot-relative kernel stamps\n"
        "      --since T         ignore events before T (RFC 3339)\n"
        "      --until T         ignore events at or after T (RFC 3339)\n"
        "  -c, --config FILE     detector thresholds, YAML (see docs/configuration.md)\n"
        "      --input-format F  skip format detection and read every input as F\n"
        "  -j, --jobs N          read inputs with N threads, one file at a time each\n"
        "                        (default: the online cores; 1 = no threads). The output\n"
        "                        is byte-identical whatever N\n"
        "      --detectors LIST  analyze: run only these detectors (comma-separated names,\n"
        "                        see faultline detectors)\n"
        "  -q, --quiet           analyze: verdicts only; events: no skipped-record notes\n"
        "      --fail-on SEV     analyze: exit 1 when a verdict is at least SEV\n"
        "                        (critical, error, warning, info)\n"
        "  -h, --help            this text\n"
        "\n"
        "Output:\n"
        "  json is the faultline.verdicts/v1 envelope (docs/verdicts.md): every verdict with\n"
        "  pattern_id, severity, scope, headline, remediation and evidence pointing at the\n"
        "  input records (path:line) behind it, plus each input's record and skip counts.\n"
        "  Output is byte-identical for the same inputs, whatever their order. Colour only on\n"
        "  a terminal, never when NO_COLOR is set.\n"
        "\n"
        "Exit status:\n"
        "  0  analysis done     1  --fail-on tripped\n"
        "  2  usage error       3  an input could not be read (the others were still read)\n"
        "\n"
        "Examples:\n"
        "  faultline analyze /incident/bundle/\n"
        "  faultline analyze --format json -o verdicts.json node7-dmesg.txt events.json\n"
        "  faultline analyze --fail-on critical --quiet bundle/ || page-oncall\n"
        "  kubectl get events -A -o json | faultline analyze -\n"
        "  faultline events --format text bundle/ | less\n"
        "  faultline analyze -c thresholds.yaml --since 2026-11-24T18:00:00Z bundle/\n"
        "\n"
        "Input formats (recognised by content; docs/input-formats.md):\n",
        f);
    for (size_t i = 0; i < fl_parsers_count; i++)
        fprintf(f, "  %-20s %s\n", fl_parsers[i]->name, fl_parsers[i]->summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fl_cli_usage(stderr);
        return FL_EXIT_USAGE;
    }
#ifdef M_TRIM_THRESHOLD
    /* Never give the top of the heap back to the kernel. glibc trims it whenever 128 KiB lie
     * free there, and a bundle of thousands of dumps frees each file's parse state at the top:
     * a brk() each, whose TLB shootdown and the page faults to grow the heap again were half the
     * run time of 4,096 Flight Recorder dumps (docs/performance.md). A run's memory is returned
     * when it exits. */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fl_cli_usage(stdout);
        return FL_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("faultline %s\n", FL_VERSION);
        return FL_EXIT_OK;
    }
    if (strcmp(cmd, "analyze") == 0)
        return fl_cli_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "events") == 0)
        return fl_cli_events(argc - 1, argv + 1);
    if (strcmp(cmd, "detectors") == 0)
        return fl_cli_detectors(argc - 1, argv + 1);
    fl_cli_error("unknown command '%s'", cmd);
    fputs("Try 'faultline --help'.\n", stderr);
    return FL_EXIT_USAGE;
}
