/* fl_bench - the bench harness (bench/README.md, docs/performance.md).
 *
 *   fl_bench [--quick] [--runs N] [--size-mb N] [--out FILE]
 *
 * Every case runs on inputs generated here from a fixed seed (bench/gen.c) and reports, in a
 * fixed order: ns per event (median of the timed runs, with min and max), MB/s where bytes
 * are read or written, heap allocations and bytes per event counted through the project's
 * allocation hook (fl_alloc_stats_get before and after the measured region) and, for the
 * end-to-end case, the peak RSS of a process that did nothing else. A table goes to stdout,
 * the same figures as JSON to --out (bench/results.json from the Makefile).
 *
 * Allocation figures are deterministic (same input, same calls); times are not. bench/check.sh
 * gates on the former and only prints the latter.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "faultline/alloc.h"
#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "model/engine_internal.h"
#include "verdict/report.h"

#define SEED_MIXED 0x666c2d62656e6368ULL /* "fl-bench" */
#define SEED_WINDOW 0x78696477696e646fULL
#define WINDOW_EVENTS 1024
#define ARENA_CYCLE 4096 /* arena_alloc: allocations between resets */

/* ---- small helpers ----------------------------------------------------------------- */

static char tmpdir_path[PATH_MAX]; /* generated bundle, removed at exit */

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fl_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

uint64_t bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

struct bench_counts bench_counts_now(void)
{
    struct fl_alloc_stats s;
    fl_alloc_stats_get(&s);
    return (struct bench_counts){s.allocs, s.bytes};
}

struct bench_counts bench_counts_since(struct bench_counts a)
{
    struct bench_counts b = bench_counts_now();
    return (struct bench_counts){b.allocs - a.allocs, b.bytes - a.bytes};
}

/* Allocation counts must be the same in every run: they are the gated figures. */
void bench_same_counts(const char *name, int run, struct bench_counts *first, struct bench_counts c)
{
    if (run == 0) {
        *first = c;
        return;
    }
    if (c.allocs != first->allocs || c.bytes != first->bytes) {
        fprintf(stderr, "fl_bench: %s: run %d allocated %llu/%llu bytes, run 0 %llu/%llu\n", name,
                run, (unsigned long long)c.allocs, (unsigned long long)c.bytes,
                (unsigned long long)first->allocs, (unsigned long long)first->bytes);
        if (c.allocs > first->allocs)
            *first = c;
    }
}

void bench_set_counts(struct bench_result *r, struct bench_counts c, uint64_t events)
{
    r->allocs = (double)c.allocs / (double)events;
    r->bytes = (double)c.bytes / (double)events;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(const struct bench_result *r)
{
    double v[MAX_RUNS];
    memcpy(v, r->ns, (size_t)r->nruns * sizeof v[0]);
    qsort(v, (size_t)r->nruns, sizeof v[0], cmp_double);
    int n = r->nruns;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double ns_min(const struct bench_result *r)
{
    double m = r->ns[0];
    for (int i = 1; i < r->nruns; i++)
        m = r->ns[i] < m ? r->ns[i] : m;
    return m;
}

static double ns_max(const struct bench_result *r)
{
    double m = r->ns[0];
    for (int i = 1; i < r->nruns; i++)
        m = r->ns[i] > m ? r->ns[i] : m;
    return m;
}

/* MB/s (10^6 bytes) at the median time. */
static double mb_per_s(const struct bench_result *r)
{
    if (r->bytes_io <= 0)
        return -1;
    return r->bytes_io / (bench_median(r) * (double)r->events) * 1e9 / 1e6;
}

struct fl_engine *bench_new_engine(void)
{
    struct fl_err err = {0};
    struct fl_engine *e = fl_engine_new(NULL, &err);
    if (!e)
        bench_die("cannot create an engine: %s", err.msg);
    return e;
}

/* A fresh engine holding buf as one input, ingested (parsed and window built). */
struct fl_engine *bench_ingest(const char *name, const struct bench_buf *b, size_t want_events)
{
    struct fl_err err = {0};
    struct fl_engine *e = bench_new_engine();
    if (fl_engine_add_buffer(e, name, b->p, b->len, &err) || fl_engine_ingest(e, &err))
        bench_die("cannot ingest %s: %s", name, err.msg);
    size_t nkept;
    uint64_t skipped;
    fl_engine_skips(e, &nkept, &skipped);
    size_t n = fl_engine_window(e)->nevents;
    if (skipped || (want_events && n != want_events))
        bench_die("%s: %zu events and %llu skipped, generated %zu (generator and reader disagree)",
                  name, n, (unsigned long long)skipped, want_events);
    return e;
}

/* ---- case jsonl_parse: new + add_buffer + ingest + free, the whole cycle ------------ */

static void case_jsonl_parse(const struct bench_opts *o, struct bench_result *r,
                             const struct bench_buf *in, size_t nev)
{
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) { /* run -1 warms caches and the allocator */
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        struct fl_engine *e = bench_ingest("bench.jsonl", in, nev);
        fl_engine_free(e);
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / (double)nev;
    }
    r->events = nev;
    r->bytes_io = (double)in->len;
    bench_set_counts(r, first, nev);
}

/* ---- case window_build: the window step alone, on a parsed engine ------------------ */

static void case_window_build(const struct bench_opts *o, struct bench_result *r,
                              const struct bench_buf *in, size_t nev)
{
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) {
        struct fl_engine *e =
            bench_ingest("bench.jsonl", in, nev); /* untimed: parse + first build */
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        int rc = fl__window_build(e); /* rebuilds from the same parsed event blocks */
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (rc || fl_engine_window(e)->nevents != nev)
            bench_die("window_build: rc %d, %zu events", rc, fl_engine_window(e)->nevents);
        fl_engine_free(e);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / (double)nev;
    }
    r->events = nev;
    bench_set_counts(r, first, nev);
}

/* ---- case detector_xid_correlation: run() over a fixed window, sink and arena reused - */

static void case_detector(const struct bench_opts *o, struct bench_result *r)
{
    struct bench_buf in = {0};
    bench_gen_xid_window(SEED_WINDOW, WINDOW_EVENTS, &in);
    struct fl_engine *e = bench_ingest("xid-window.jsonl", &in, WINDOW_EVENTS);
    const struct fl_window *w = fl_engine_window(e);

    const struct fl_detector *d = fl_detector_find(FL_STR_LIT("xid_correlation"));
    if (!d)
        bench_die("detector 'xid_correlation' not registered");
    union fl_cfg_value cfg[32];
    if (d->nparams > sizeof cfg / sizeof cfg[0])
        bench_die("xid_correlation: %zu params, the bench holds 32", d->nparams);
    for (size_t i = 0; i < d->nparams; i++)
        if (fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]))
            bench_die("xid_correlation: bad default '%s' for '%s'", d->params[i].def,
                      d->params[i].key);

    struct fl_arena scratch;
    fl_arena_init(&scratch, MIB, 0);
    struct fl_verdict_sink sink;
    fl_verdict_sink_init(&sink, &scratch, w->intern);
    size_t nverdicts = 0;
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) {
        int iters = run < 0 ? 3 : o->det_iters; /* warm-up: sink array and arena chunk grow */
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        for (int it = 0; it < iters; it++) {
            sink.n = 0;
            fl_arena_reset(&scratch);
            int rc = d->run(w, cfg, &sink);
            if (rc || sink.error)
                bench_die("xid_correlation: run failed (%d, sink %d)", rc, sink.error);
            if (nverdicts && sink.n != nverdicts)
                bench_die("xid_correlation: %zu verdicts, then %zu", nverdicts, sink.n);
            nverdicts = sink.n;
        }
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / ((double)iters * WINDOW_EVENTS);
    }
    if (!nverdicts)
        bench_die("xid_correlation: the window produced no verdict (generator broken)");
    r->events = WINDOW_EVENTS;
    bench_set_counts(r, first, (uint64_t)o->det_iters * WINDOW_EVENTS);
    snprintf(r->note, sizeof r->note, "%zu verdicts per run, %d runs per sample", nverdicts,
             o->det_iters);
    fl_verdict_sink_release(&sink);
    fl_arena_release(&scratch);
    fl_engine_free(e);
    bench_buf_release(&in);
}

/* ---- case analyze_e2e: a bundle directory analyzed by a fresh process -------------- */

void bench_write_file(const char *path, const struct bench_buf *b)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        bench_die("cannot create '%s': %s", path, strerror(errno));
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = write(fd, b->p + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            bench_die("cannot write '%s': %s", path, strerror(errno));
        off += (size_t)n;
    }
    if (close(fd))
        bench_die("cannot write '%s': %s", path, strerror(errno));
}

static void node_file(char *buf, size_t cap, int i)
{
    if (i == BENCH_NODES)
        snprintf(buf, cap, "%s/bundle/k8s-events.jsonl", bench_tmpdir());
    else
        snprintf(buf, cap, "%s/bundle/gpu-node-%02d/kernel.jsonl", bench_tmpdir(), i);
}

static void node_dir(char *buf, size_t cap, int i)
{
    snprintf(buf, cap, "%s/bundle/gpu-node-%02d", bench_tmpdir(), i);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void bench_rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t bench_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void remove_tmpdir(void)
{
    if (tmpdir_path[0])
        nftw(tmpdir_path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmpdir_path[0] = '\0';
}

const char *bench_tmpdir(void)
{
    if (tmpdir_path[0])
        return tmpdir_path;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir_path, sizeof tmpdir_path, "%s/fl-bench-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir_path))
        bench_die("cannot create a temporary directory: %s", strerror(errno));
    atexit(remove_tmpdir);
    return tmpdir_path;
}

/* Writes the bundle; returns its path (static) and the event count. */
static const char *make_bundle(size_t size, size_t *nev, size_t *nbytes)
{
    static char bundle[PATH_MAX + 16];
    snprintf(bundle, sizeof bundle, "%s/bundle", bench_tmpdir());
    if (mkdir(bundle, 0755))
        bench_die("cannot create '%s': %s", bundle, strerror(errno));
    struct bench_buf nodes[BENCH_NODES + 1] = {{0}};
    *nev = bench_gen_mixed(SEED_MIXED ^ 0xe2e, size, NULL, nodes);
    *nbytes = 0;
    char p[PATH_MAX + 64];
    for (int i = 0; i <= BENCH_NODES; i++) {
        if (i < BENCH_NODES) {
            node_dir(p, sizeof p, i);
            if (mkdir(p, 0755))
                bench_die("cannot create '%s': %s", p, strerror(errno));
        }
        node_file(p, sizeof p, i);
        bench_write_file(p, &nodes[i]);
        *nbytes += nodes[i].len;
        bench_buf_release(&nodes[i]);
    }
    return bundle;
}

/* Parse threads of analyze_e2e_jobs: what `faultline analyze` uses by default. */
unsigned bench_online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (unsigned)n;
}

/* The child: exec'd afresh so its peak RSS is its own, not the parent's inputs; jobs is
 * fl_engine_opts.jobs (0: the calling thread only). Prints "ns events allocs bytes maxrss_kb
 * verdicts cpu_ns". */
static int e2e_child(const char *bundle, unsigned jobs)
{
    struct bench_counts c0 = bench_counts_now();
    uint64_t t0 = bench_now_ns();
    struct fl_err err = {0};
    struct fl_engine_opts eo;
    fl_engine_opts_init(&eo);
    eo.jobs = jobs;
    struct fl_engine *e = fl_engine_new(&eo, &err);
    if (!e)
        bench_die("cannot create an engine: %s", err.msg);
    if (fl_engine_add_path(e, bundle, &err) || fl_engine_run(e, &err))
        bench_die("analyze '%s': %s", bundle, err.msg);
    if (fl_engine_input_errors(e))
        bench_die("analyze '%s': unreadable inputs", bundle);
    struct fl_jsonw w;
    fl_jsonw_init(&w, true);
    fl_report_json(e, &w); /* what `faultline analyze --format json` prints */
    if (fl_jsonw_error(&w))
        bench_die("analyze '%s': report failed", bundle);
    size_t nev = fl_engine_window(e)->nevents, nverdicts;
    fl_engine_verdicts(e, &nverdicts);
    fl_jsonw_release(&w);
    fl_engine_free(e);
    uint64_t t1 = bench_now_ns();
    struct bench_counts c = bench_counts_since(c0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
                   (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
    printf("%llu %zu %llu %llu %ld %zu %llu\n", (unsigned long long)(t1 - t0), nev,
           (unsigned long long)c.allocs, (unsigned long long)c.bytes, ru.ru_maxrss, nverdicts,
           (unsigned long long)cpu);
    return fflush(stdout) ? 1 : 0;
}

static bool next_u64(const char **p, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(*p, &end, 10);
    if (end == *p || errno)
        return false;
    *p = end;
    *out = v;
    return true;
}

static void run_child(const char *self, const char *bundle, unsigned jobs, uint64_t v[7])
{
    char jobs_arg[16];
    snprintf(jobs_arg, sizeof jobs_arg, "%u", jobs);
    int fds[2];
    if (pipe(fds))
        bench_die("pipe: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(self, self, "--e2e-child", bundle, jobs_arg, (char *)NULL);
        fprintf(stderr, "fl_bench: cannot run '%s': %s\n", self, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char line[256];
    size_t n = 0;
    for (;;) {
        ssize_t k = read(fds[0], line + n, sizeof line - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
        if (n == sizeof line - 1)
            break;
    }
    line[n] = '\0';
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            bench_die("waitpid: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        bench_die("analyze_e2e child failed (status %d)", st);
    const char *p = line;
    for (int i = 0; i < 7; i++)
        if (!next_u64(&p, &v[i]))
            bench_die("analyze_e2e child wrote '%s'", line);
}

const char *bench_self;

double bench_e2e_runs(const struct bench_opts *o, struct bench_result *r, const char *bundle,
                      unsigned jobs, size_t nev, size_t nbytes, uint64_t *verdicts)
{
    const char *self = bench_self;
    uint64_t rss_max = 0;
    double cpu[MAX_RUNS];
    struct bench_counts first = {0};
    for (int run = 0; run < o->runs; run++) { /* each run is a fresh process: no warm-up */
        uint64_t v[7];
        run_child(self, bundle, jobs, v);
        if (v[1] != nev)
            bench_die("%s: %llu events in the window, generated %zu", r->name,
                      (unsigned long long)v[1], nev);
        bench_same_counts(r->name, run, &first, (struct bench_counts){v[2], v[3]});
        r->ns[r->nruns++] = (double)v[0] / (double)nev;
        rss_max = v[4] > rss_max ? v[4] : rss_max;
        *verdicts = v[5];
        cpu[run] = (double)v[6];
    }
    r->events = nev;
    r->bytes_io = (double)nbytes;
    r->rss_kb = (long)rss_max;
    bench_set_counts(r, first, nev);
    for (int i = 1; i < o->runs; i++) /* insertion sort: a few runs */
        for (int j = i; j > 0 && cpu[j - 1] > cpu[j]; j--) {
            double t = cpu[j];
            cpu[j] = cpu[j - 1];
            cpu[j - 1] = t;
        }
    return cpu[o->runs / 2];
}

/* analyze_e2e (r1, one thread: opts.jobs 0, the library default) and analyze_e2e_jobs (r2, as
 * many parse threads as online cores, the CLI's default) on the same bundle. */
static void case_e2e(const struct bench_opts *o, struct bench_result *r1, struct bench_result *r2)
{
    size_t nev, nbytes;
    const char *bundle = make_bundle(o->size, &nev, &nbytes);
    uint64_t verdicts = 0;
    double cpu1 = 0;
    if (r1) {
        cpu1 = bench_e2e_runs(o, r1, bundle, 0, nev, nbytes, &verdicts);
        snprintf(r1->note, sizeof r1->note, "%d input files, %llu verdicts; 1 thread, CPU %.0f ms",
                 BENCH_NODES + 1, (unsigned long long)verdicts, cpu1 / 1e6);
    }
    if (r2) {
        unsigned jobs = bench_online_cores();
        double cpu2 = bench_e2e_runs(o, r2, bundle, jobs, nev, nbytes, &verdicts);
        int at = snprintf(r2->note, sizeof r2->note, "%u parse threads (online cores), CPU %.0f ms",
                          jobs, cpu2 / 1e6);
        if (r1 && at > 0 && (size_t)at < sizeof r2->note)
            snprintf(r2->note + at, sizeof r2->note - (size_t)at,
                     "; wall %.2fx analyze_e2e's 1 thread", bench_median(r1) / bench_median(r2));
    }
    nftw(bundle, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* 21 MB the later cases do not need */
}

/* ---- micro: arena_alloc, jsonw_write ------------------------------------------------ */

static void case_arena(const struct bench_opts *o, struct bench_result *r)
{
    size_t sizes[64];
    struct bench_rng rng = {SEED_MIXED};
    for (size_t i = 0; i < 64; i++)
        sizes[i] = 8 + (size_t)bench_rng_below(&rng, 249); /* 8..256 bytes */
    struct fl_arena a;
    fl_arena_init(&a, MIB, 0); /* the window arena's largest chunk */
    uint64_t ops = (uint64_t)o->arena_cycles * ARENA_CYCLE;
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) {
        int cycles = run < 0 ? 1 : o->arena_cycles;
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        for (int c = 0; c < cycles; c++) {
            for (size_t i = 0; i < ARENA_CYCLE; i++) {
                char *p = fl_arena_alloc(&a, sizes[i & 63], 8);
                if (!p)
                    bench_die("arena_alloc: allocation failed");
                p[0] = (char)i;
            }
            fl_arena_reset(&a);
        }
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / (double)ops;
    }
    fl_arena_release(&a);
    r->events = ARENA_CYCLE; /* the unit of work; a sample repeats it arena_cycles times */
    bench_set_counts(r, first, ops);
    snprintf(r->note, sizeof r->note, "8-256 B, reset every %d", ARENA_CYCLE);
}

static void case_jsonw(const struct bench_opts *o, struct bench_result *r)
{
    struct bench_buf in = {0};
    size_t nin = bench_gen_mixed(SEED_MIXED ^ 0x15, 256 * 1024, &in, NULL);
    struct fl_engine *e = bench_ingest("jsonw.jsonl", &in, nin);
    const struct fl_window *win = fl_engine_window(e);
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    uint64_t ops = (uint64_t)o->jsonw_passes * win->nevents;
    size_t out_bytes = 0;
    struct bench_counts first = {0};
    for (int run = -1; run < o->runs; run++) {
        int passes = run < 0 ? 1 : o->jsonw_passes;
        struct bench_counts c0 = bench_counts_now();
        uint64_t t0 = bench_now_ns();
        for (int p = 0; p < passes; p++) {
            fl_jsonw_reset(&w);
            for (size_t i = 0; i < win->nevents; i++) {
                fl_event_write_json(&w, win, win->events[i]);
                fl_jsonw_bytes(&w, "\n", 1);
            }
        }
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (fl_jsonw_error(&w))
            bench_die("jsonw_write: writer failed");
        out_bytes = w.len;
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / (double)ops;
    }
    r->events = win->nevents; /* the unit of work; a sample repeats it jsonw_passes times */
    r->bytes_io = (double)out_bytes;
    bench_set_counts(r, first, ops);
    snprintf(r->note, sizeof r->note, "%zu events x %d passes, writer reused", win->nevents,
             o->jsonw_passes);
    fl_jsonw_release(&w);
    fl_engine_free(e);
    bench_buf_release(&in);
}

/* ---- registry of results, external tools ------------------------------------------- */

bool bench_wants(const struct bench_opts *o, const char *name)
{
    return !o->only || strstr(name, o->only);
}

struct bench_result *bench_case(struct bench_results *rs, const struct bench_opts *o,
                                const char *name)
{
    if (!bench_wants(o, name))
        return NULL;
    if (rs->n == sizeof rs->r / sizeof rs->r[0])
        bench_die("more than %zu cases", sizeof rs->r / sizeof rs->r[0]);
    struct bench_result *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    r->name = name;
    r->rss_kb = -1;
    r->allocs = -1;
    r->bytes = -1;
    return r;
}

static int64_t run_quiet(char *const argv[])
{
    uint64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            bench_die("waitpid: %s", strerror(errno));
    uint64_t t1 = bench_now_ns();
    if (!WIFEXITED(st) || WEXITSTATUS(st) == 127)
        return -1;
    return (int64_t)(t1 - t0);
}

bool bench_time_tool(struct bench_result *r, const struct bench_opts *o, const char *label,
                     char *const argv[])
{
    double v[MAX_RUNS];
    if (run_quiet(argv) < 0) /* warm-up, and the check that the tool exists */
        return false;
    for (int i = 0; i < o->runs; i++) {
        int64_t ns = run_quiet(argv);
        if (ns < 0)
            return false;
        v[i] = (double)ns;
    }
    qsort(v, (size_t)o->runs, sizeof v[0], cmp_double);
    int n = o->runs;
    r->vs_ns = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    r->vs_min = v[0];
    r->vs_max = v[n - 1];
    r->vs_tool = label;
    return true;
}

/* ---- output ------------------------------------------------------------------------ */

static const char *num(char *buf, size_t cap, double v)
{
    if (v < 0)
        snprintf(buf, cap, "null");
    else
        snprintf(buf, cap, "%.6g", v);
    return buf;
}

static double run_ns(const struct bench_result *r)
{
    return bench_median(r) * (double)r->events;
}

static int write_json(const char *path, const struct bench_opts *o, const struct bench_results *rs)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\n  \"schema\": \"faultline.bench/v1\",\n  \"mode\": \"%s\",\n  \"runs\": %d,\n"
            "  \"cases\": [\n",
            o->scale   ? "scale"
            : o->quick ? "quick"
                       : "full",
            o->runs);
    for (size_t i = 0; i < rs->n; i++) {
        const struct bench_result *r = &rs->r[i];
        char a[32], b[32], c[32], m[32], al[32], by[32], rss[32], vs[256] = "";
        if (r->vs_tool) {
            char t1[32], t2[32], t3[32], t4[32];
            snprintf(vs, sizeof vs,
                     ", \"vs_tool\": \"%s\", \"vs_ns\": %s, \"vs_min\": %s, \"vs_max\": %s, "
                     "\"vs_ratio\": %s",
                     r->vs_tool, num(t1, 32, r->vs_ns), num(t2, 32, r->vs_min),
                     num(t3, 32, r->vs_max), num(t4, 32, run_ns(r) / r->vs_ns));
        }
        fprintf(f,
                "    {\"case\": \"%s\", \"events\": %llu, \"ns_per_event\": %s, \"ns_min\": %s, "
                "\"ns_max\": %s, \"mb_per_s\": %s, \"allocs_per_event\": %s, "
                "\"bytes_per_event\": %s, \"peak_rss_kb\": %s%s}%s\n",
                r->name, (unsigned long long)r->events, num(a, 32, bench_median(r)),
                num(b, 32, ns_min(r)), num(c, 32, ns_max(r)), num(m, 32, mb_per_s(r)),
                num(al, 32, r->allocs), num(by, 32, r->bytes), num(rss, 32, (double)r->rss_kb), vs,
                i + 1 < rs->n ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    if (fclose(f) || rename(tmp, path)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void print_table(const struct bench_opts *o, const struct bench_results *rs)
{
    printf("\nfaultline bench (%s: %d timed runs per case, %.1f MiB generated stream)\n\n",
           o->scale   ? "scale"
           : o->quick ? "quick"
                      : "full",
           o->runs, (double)o->size / (double)MIB);
    printf("%-25s %9s %10s %10s %10s %8s %12s %10s %9s\n", "case", "events", "ns/event", "min",
           "max", "MB/s", "allocs/event", "B/event", "RSS KB");
    for (size_t i = 0; i < rs->n; i++) {
        const struct bench_result *r = &rs->r[i];
        char m[32] = "-", rss[32] = "-", al[32] = "-", by[32] = "-";
        if (mb_per_s(r) >= 0)
            snprintf(m, sizeof m, "%.1f", mb_per_s(r));
        if (r->rss_kb >= 0)
            snprintf(rss, sizeof rss, "%ld", r->rss_kb);
        if (r->allocs >= 0)
            snprintf(al, sizeof al, "%.6f", r->allocs);
        if (r->bytes >= 0)
            snprintf(by, sizeof by, "%.1f", r->bytes);
        printf("%-25s %9llu %10.1f %10.1f %10.1f %8s %12s %10s %9s\n", r->name,
               (unsigned long long)r->events, bench_median(r), ns_min(r), ns_max(r), m, al, by,
               rss);
    }
    printf("\n");
    for (size_t i = 0; i < rs->n; i++) {
        const struct bench_result *r = &rs->r[i];
        if (r->note[0])
            printf("  %s: %s\n", r->name, r->note);
        if (r->vs_tool)
            printf("  %s: %.1f ms [%.1f-%.1f] for the whole input; `%s` on the same input "
                   "%.1f ms [%.1f-%.1f]: ratio %.2f\n",
                   r->name, run_ns(r) / 1e6, ns_min(r) * (double)r->events / 1e6,
                   ns_max(r) * (double)r->events / 1e6, r->vs_tool, r->vs_ns / 1e6, r->vs_min / 1e6,
                   r->vs_max / 1e6, run_ns(r) / r->vs_ns);
    }
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs(
        "usage: fl_bench [--quick] [--scale] [--runs N] [--size-mb N] [--case TEXT] [--out FILE]\n"
        "                [--fr-ranks N] [--keep DIR]\n"
        "  --quick      3 timed runs per case and fewer repetitions in the micro cases\n"
        "               (same generated inputs, so allocation figures match a full run)\n"
        "  --runs N     timed runs per case (1-64; default 7, quick 3)\n"
        "  --size-mb N  size of the generated JSONL stream (default 20); allocation\n"
        "               figures per event depend on it, so the gate needs the default\n"
        "  --scale      the issue-sized inputs (1 GB kernel log, 500 MB events list, 8 M\n"
        "               Flight Recorder records...): minutes, never part of the gate\n"
        "  --case TEXT  run only the cases whose name contains TEXT\n"
        "  --out FILE   write the results as JSON (bench/results.json)\n"
        "  --fr-ranks N ranks of the Flight Recorder cases, 2,000 entries each (default 256,\n"
        "               --scale 4,096): a size between the two, for profiling\n"
        "  --keep DIR   write the Flight Recorder dumps under DIR and leave them there\n"
        "               (DIR/fr-pickle, DIR/fr-json), to run `faultline` on them after\n",
        f);
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const char *self_path(const char *argv0)
{
    static char p[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
    if (n <= 0)
        return argv0;
    p[n] = '\0';
    return p;
}

int main(int argc, char **argv)
{
#ifdef M_MMAP_THRESHOLD
    /* Pin glibc's mmap threshold at its default. Left dynamic, it rises to the largest block
     * freed (the 20 MiB input copy) after the first run, and later runs are served from
     * heap memory that is already faulted in: 2x faster than any `faultline analyze`, which
     * is a fresh process touching fresh pages. Pinned, every run pays what the CLI pays. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
#ifdef M_TRIM_THRESHOLD
    mallopt(M_TRIM_THRESHOLD, 1 << 30); /* as src/cli/main.c sets it (the e2e children too) */
#endif
    if (argc == 4 && strcmp(argv[1], "--e2e-child") == 0)
        return e2e_child(argv[2], (unsigned)strtoul(argv[3], NULL, 10));

    struct bench_opts o = {.runs = 0, .size = 20 * MIB};
    long v;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            o.quick = true;
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc &&
                   parse_int(argv[i + 1], 1, MAX_RUNS, &v)) {
            o.runs = (int)v;
            i++;
        } else if (strcmp(argv[i], "--size-mb") == 0 && i + 1 < argc &&
                   parse_int(argv[i + 1], 1, 4096, &v)) {
            o.size = (size_t)v * MIB;
            i++;
        } else if (strcmp(argv[i], "--scale") == 0) {
            o.scale = true;
        } else if (strcmp(argv[i], "--fr-ranks") == 0 && i + 1 < argc &&
                   parse_int(argv[i + 1], 1, 65536, &v)) {
            o.fr_ranks = (int)v;
            i++;
        } else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
            o.keep = argv[++i];
        } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            o.only = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            o.out = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "fl_bench: bad argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!o.runs)
        o.runs = o.quick ? 3 : 7;
    o.det_iters = o.quick ? 50 : 200;
    o.arena_cycles = o.quick ? 64 : 256;
    o.jsonw_passes = o.quick ? 16 : 64;
#ifndef NDEBUG
    fprintf(stderr, "fl_bench: warning: not a Release build (NDEBUG unset): the arena poisons "
                    "on reset and times mean little; use `make bench`\n");
#endif
    const char *self = self_path(argv[0]);
    bench_self = self;

    struct bench_results *rs = calloc(1, sizeof *rs);
    if (!rs)
        bench_die("out of memory");
    struct bench_result *r;
    if ((r = bench_case(rs, &o, "jsonl_parse")) != NULL ||
        (o.only && strstr("window_build", o.only))) {
        struct bench_buf stream = {0};
        size_t nev = bench_gen_mixed(SEED_MIXED, o.size, &stream, NULL);
        if (r) {
            case_jsonl_parse(&o, r, &stream, nev);
            snprintf(r->note, sizeof r->note, "%.1f MiB, one input; includes window build",
                     (double)stream.len / (double)MIB);
        }
        if ((r = bench_case(rs, &o, "window_build")) != NULL) {
            case_window_build(&o, r, &stream, nev);
            snprintf(r->note, sizeof r->note, "sort + indexes only (fl__window_build)");
        }
        bench_buf_release(&stream);
    }
    if ((r = bench_case(rs, &o, "detector_xid_correlation")) != NULL)
        case_detector(&o, r);
    struct bench_result *r_e2e = bench_case(rs, &o, "analyze_e2e");
    if ((r = bench_case(rs, &o, "analyze_e2e_jobs")) != NULL || r_e2e)
        case_e2e(&o, r_e2e, r);
    if ((r = bench_case(rs, &o, "arena_alloc")) != NULL)
        case_arena(&o, r);
    if ((r = bench_case(rs, &o, "jsonw_write")) != NULL)
        case_jsonw(&o, r);
    /* case groups in their own files (bench.h) */
    bench_cases_fr(rs, &o);
    bench_cases_ingest(rs, &o);
    bench_cases_more(rs, &o);
    bench_cases_detectors(rs, &o);

    print_table(&o, rs);
    if (o.out) {
        if (write_json(o.out, &o, rs))
            bench_die("cannot write '%s': %s", o.out, strerror(errno));
        printf("\nwrote %s\n", o.out);
    }
    free(rs);
    return 0;
}
