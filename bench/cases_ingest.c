/* Ingest cases: a file on disk read by a fresh engine, as `faultline events FILE` reads it.
 *
 *   kernel_log_scan   a dmesg of 200 MiB (--scale 1 GiB), ~0.1% GPU lines; one unit = a line
 *   k8s_events_list   `kubectl get events -A -o json`, 100 MiB (--scale 500 MiB); unit = an event
 *   dcgm_scrape       dcgm-exporter scrapes, 50 MiB (--scale 200 MiB); unit = a sample line
 *
 * Each input is generated once (gen_ingest.c) and written to bench_tmpdir(); a timed run is
 * fl_engine_new + fl_engine_add_path + fl_engine_ingest + fl_engine_free: the engine maps the
 * file (>= 64 KiB, MAP_POPULATE, as the CLI does), sniffs it, parses it and builds the window.
 * The file was just written, so its pages are in the page cache: the figures are those of a
 * warm file, not of a disk. Every run checks that the input was mapped, claimed by the
 * expected parser, and read with no skip and exactly the events the generator wrote.
 *
 * Beside each case (full and --scale runs), the tool a user would reach for runs on the same
 * file (bench_time_tool): `grep -c NVRM` (its count written to a file: see case_kernel),
 * `jq length`, `wc -l`; the kernel case also notes `cat FILE` (stdout to /dev/null; GNU cat
 * 9.1 copies with read()/write() of 128 KiB, no splice or copy_file_range: checked with
 * strace) as the floor of reading the bytes once. bench/README.md has the table.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/engine.h"

#define SEED_KERNEL 0x646d657367000001ULL /* "dmesg" */
#define SEED_K8S 0x6b38736576000001ULL    /* "k8sev" */
#define SEED_DCGM 0x6463676d00000001ULL   /* "dcgm" */

struct ingest_input {
    const char *file;   /* name in the scratch directory */
    const char *format; /* the parser that must claim it */
    char path[PATH_MAX];
    size_t bytes;
    uint64_t units; /* lines, events or sample lines: what ns/unit divides by */
    size_t events;  /* the events the reader must produce */
};

static void input_path(struct ingest_input *in)
{
    if ((size_t)snprintf(in->path, sizeof in->path, "%s/%s", bench_tmpdir(), in->file) >=
        sizeof in->path)
        bench_die("scratch path too long for '%s'", in->file);
}

/* Dies, naming the first skip, when the engine did not read the input the way the generator
 * wrote it. */
static void check_engine(const char *name, struct fl_engine *e, const struct ingest_input *in)
{
    size_t nin, nkept;
    uint64_t skipped;
    const struct fl_input *inp = fl_engine_inputs(e, &nin);
    const struct fl_skip *sk = fl_engine_skips(e, &nkept, &skipped);
    size_t n = fl_engine_window(e)->nevents;
    if (nin != 1 || inp[0].error)
        bench_die("%s: '%s' unreadable: %s", name, in->path,
                  nin && inp[0].error_msg ? inp[0].error_msg : "?");
    if (strcmp(inp[0].format, in->format) != 0)
        bench_die("%s: '%s' read as %s, expected %s", name, in->path, inp[0].format, in->format);
    if (!inp[0].map_len)
        bench_die("%s: '%s' was read, not mapped", name, in->path);
    if (skipped || n != in->events)
        bench_die("%s: %zu events and %llu skipped (first: line %u, %s), generated %zu "
                  "(generator and reader disagree)",
                  name, n, (unsigned long long)skipped, nkept ? sk[0].line : 0,
                  nkept ? sk[0].reason : "-", in->events);
}

static void run_ingest(const struct bench_opts *o, struct bench_result *r,
                       const struct ingest_input *in)
{
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) { /* run -1 warms caches and the allocator */
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        struct fl_err err = {0};
        struct fl_engine *e = bench_new_engine();
        if (fl_engine_add_path(e, in->path, &err) || fl_engine_ingest(e, &err))
            bench_die("%s: cannot ingest '%s': %s", r->name, in->path, err.msg);
        check_engine(r->name, e, in); /* getters only: no allocation, no copy */
        fl_engine_free(e);
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / (double)in->units;
    }
    r->events = in->units;
    r->bytes_io = (double)in->bytes;
    bench_set_counts(r, first, in->units);
}

static void write_input(struct ingest_input *in, struct bench_buf *b)
{
    input_path(in);
    bench_write_file(in->path, b);
    in->bytes = b->len;
    bench_buf_release(b);
}

static double ms(double ns)
{
    return ns / 1e6;
}

static void unlink_input(const struct ingest_input *in)
{
    unlink(in->path); /* hundreds of MB the later cases do not need */
}

/* The side-by-side tools are timed in full and --scale runs only: the gate (--quick) has no
 * use for them, and jq alone would take most of its time. */
#define QUICK_NOTE "; tools not timed in --quick"

/* ---- kernel_log_scan ---------------------------------------------------------------- */

static void case_kernel(const struct bench_opts *o, struct bench_result *r)
{
    struct ingest_input in = {.file = "dmesg.txt", .format = "kernel-log"};
    struct bench_buf b = {0};
    size_t mib = o->scale ? 1024 : 200;
    in.units = bench_gen_kernel_log(SEED_KERNEL, mib * MIB, &b, &in.events);
    write_input(&in, &b);
    run_ingest(o, r, &in);

    snprintf(r->note, sizeof r->note, "%.1f MiB dmesg, %zu GPU events%s",
             (double)in.bytes / (double)MIB, in.events, o->quick ? QUICK_NOTE : "");
    if (o->quick) {
        unlink_input(&in);
        return;
    }
    /* GNU grep stops at the first match when its stdout is /dev/null, where bench_time_tool
     * sends it (strace, grep 3.8, 200 MiB: 9 read() calls, against 2,144 with stdout to a
     * file): the count goes to a file instead, through sh */
    char out[PATH_MAX + 16];
    snprintf(out, sizeof out, "%s/grep-count.txt", bench_tmpdir());
    char *grep[] = {"sh", "-c", "grep -c NVRM \"$1\" > \"$2\"", "sh", in.path, out, NULL};
    bench_time_tool(r, o, "grep -c NVRM", grep);
    unlink(out);
    struct bench_result floor = {0};
    char *cat[] = {"cat", in.path, NULL};
    if (bench_time_tool(&floor, o, "cat", cat))
        snprintf(r->note, sizeof r->note,
                 "%.1f MiB dmesg, %zu GPU events; `cat FILE` (read/write, the memory floor) "
                 "%.1f ms [%.1f-%.1f]",
                 (double)in.bytes / (double)MIB, in.events, ms(floor.vs_ns), ms(floor.vs_min),
                 ms(floor.vs_max));
    unlink_input(&in);
}

/* ---- k8s_events_list ---------------------------------------------------------------- */

static void case_k8s(const struct bench_opts *o, struct bench_result *r)
{
    struct ingest_input in = {.file = "events.json", .format = "kubernetes"};
    struct bench_buf b = {0};
    size_t mib = o->scale ? 500 : 100;
    in.units = bench_gen_k8s_events(SEED_K8S, mib * MIB, &b);
    in.events = in.units;
    write_input(&in, &b);
    run_ingest(o, r, &in);

    snprintf(r->note, sizeof r->note, "%.1f MiB List, 4-space indent%s",
             (double)in.bytes / (double)MIB, o->quick ? QUICK_NOTE : "");
    char *jq[] = {"jq", "length", in.path, NULL};
    if (!o->quick)
        bench_time_tool(r, o, "jq length", jq);
    unlink_input(&in);
}

/* ---- dcgm_scrape -------------------------------------------------------------------- */

static void case_dcgm(const struct bench_opts *o, struct bench_result *r)
{
    struct ingest_input in = {.file = "dcgm-metrics.prom", .format = "prometheus-text"};
    struct bench_buf b = {0};
    size_t mib = o->scale ? 200 : 50;
    in.units = bench_gen_dcgm_scrapes(SEED_DCGM, mib * MIB, &b, &in.events);
    write_input(&in, &b);
    run_ingest(o, r, &in);

    snprintf(r->note, sizeof r->note, "%.1f MiB, 32 nodes x 8 GPUs, a `# scrape` comment each%s",
             (double)in.bytes / (double)MIB, o->quick ? QUICK_NOTE : "");
    char *wc[] = {"wc", "-l", in.path, NULL};
    if (!o->quick)
        bench_time_tool(r, o, "wc -l", wc);
    unlink_input(&in);
}

void bench_cases_ingest(struct bench_results *rs, const struct bench_opts *o)
{
    struct bench_result *r;
    if ((r = bench_case(rs, o, "kernel_log_scan")) != NULL)
        case_kernel(o, r);
    if ((r = bench_case(rs, o, "k8s_events_list")) != NULL)
        case_k8s(o, r);
    if ((r = bench_case(rs, o, "dcgm_scrape")) != NULL)
        case_dcgm(o, r);
}
