/* Flight Recorder cases: fr_pickle and fr_json (bench/README.md).
 *
 * A directory of per-rank dumps (bench/gen_fr.c: version 2.10 of a Megatron-style MoE job,
 * 2,000 entries per rank, the FR ring buffer's default size) written as PyTorch's C++ pickler
 * writes them (fr_pickle) or as _dump_nccl_trace_json writes them (fr_json), one file per rank
 * named comm_lib_trace_rank_<N>, read the way `faultline events DIR` reads it: fl_engine_new,
 * fl_engine_add_path(DIR), fl_engine_ingest (parse and window build), fl_engine_free. The
 * unit is one record (an entry); the dumps' own nccl_fr_dump events are not counted. After the
 * last timed run, the nccl_hang detector runs over its window (issue 7's figure: its CPU time
 * is in fr_pickle's note, outside the case's time and allocation counts).
 * 256 ranks normally (512,000 records); --scale: 4,096 ranks (8,192,000 records, the issue's
 * size; the JSON directory is then about 4.7 GB in $TMPDIR); --fr-ranks N: N ranks. Each
 * directory is written before its case and removed after it, unless --keep DIR names where to
 * leave it. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench.h"
#include "faultline/engine.h"
#include "faultline/event.h"

#define SEED_FR 0x66722d62656e6368ULL /* "fr-bench" */
#define FR_RANKS 256
#define FR_RANKS_SCALE 4096
#define FR_ENTRIES 2000

struct frdir {
    char path[PATH_MAX];
    int nranks;
    uint64_t records; /* entries over all ranks */
    uint64_t bytes;
    uint32_t memo_min, memo_max; /* pickle memo ids per dump */
};

static void make_dir(struct frdir *d, bool json, int nranks, const char *keep)
{
    snprintf(d->path, sizeof d->path, "%s/%s", keep ? keep : bench_tmpdir(),
             json ? "fr-json" : "fr-pickle");
    if (mkdir(d->path, 0755))
        bench_die("cannot create '%s': %s", d->path, strerror(errno));
    d->nranks = nranks;
    d->records = d->bytes = 0;
    d->memo_min = UINT32_MAX;
    d->memo_max = 0;
    struct bench_buf b = {0};
    char p[PATH_MAX + 64];
    for (int r = 0; r < nranks; r++) {
        b.len = 0;
        uint32_t ids = 0;
        d->records += bench_gen_fr_dump(SEED_FR, nranks, r, FR_ENTRIES, json, &b, &ids);
        if (!json) {
            d->memo_min = ids < d->memo_min ? ids : d->memo_min;
            d->memo_max = ids > d->memo_max ? ids : d->memo_max;
        }
        snprintf(p, sizeof p, "%s/comm_lib_trace_rank_%d", d->path, r);
        bench_write_file(p, &b);
        d->bytes += b.len;
    }
    bench_buf_release(&b);
    if (!json && d->memo_min <= 256)
        bench_die("fr_pickle: a dump uses %u memo ids: LONG_BINPUT/LONG_BINGET not exercised",
                  d->memo_min);
}

/* Every input read as a dump, nothing skipped, one record per entry and one ok dump per
 * rank: the generator and the reader agree. */
static void check(const char *name, struct fl_engine *e, const struct frdir *d)
{
    size_t nkept, ninputs;
    uint64_t skipped;
    fl_engine_skips(e, &nkept, &skipped);
    const struct fl_input *in = fl_engine_inputs(e, &ninputs);
    if (skipped || fl_engine_input_errors(e) || ninputs != (size_t)d->nranks)
        bench_die("%s: %zu inputs (%d written), %zu unreadable, %llu skipped", name, ninputs,
                  d->nranks, fl_engine_input_errors(e), (unsigned long long)skipped);
    for (size_t i = 0; i < ninputs; i++)
        if (strcmp(in[i].format, "nccl-flight-recorder") != 0)
            bench_die("%s: '%s' read as %s", name, in[i].path, in[i].format);
    const struct fl_window *w = fl_engine_window(e);
    uint64_t records = 0, dumps = 0;
    for (size_t i = 0; i < w->nevents; i++) {
        const struct fl_event *ev = w->events[i];
        if (ev->kind == FL_EV_NCCL_FR_RECORD)
            records++;
        else if (ev->kind == FL_EV_NCCL_FR_DUMP && ev->u.fr_dump.status == FL_FR_DUMP_OK &&
                 ev->u.fr_dump.nentries == FR_ENTRIES)
            dumps++;
    }
    if (records != d->records || dumps != (uint64_t)d->nranks || w->nevents != records + dumps)
        bench_die("%s: %llu records and %llu complete dumps in %zu events, generated %llu and %d",
                  name, (unsigned long long)records, (unsigned long long)dumps, w->nevents,
                  (unsigned long long)d->records, d->nranks);
}

/* Returns the median CPU ns per record over the timed runs; *hang_ns gets the CPU time of
 * the nccl_hang detector over the last run's window (issue 7: one detector over every record
 * of the job), taken out of that run's time and allocation counts; NULL hang_ns: not run. */
static double run_case(const struct bench_opts *o, struct bench_result *r, const struct frdir *d,
                       uint64_t *hang_ns)
{
    struct bench_counts first = {0};
    uint64_t cpu[MAX_RUNS];
    struct fl_engine_opts eo;
    fl_engine_opts_init(&eo);
    eo.detectors = "nccl_hang"; /* fl_engine_run then runs that one; ingest is the same */
    for (int run = -1; run < o->runs; run++) { /* run -1 warms the page cache */
        struct fl_err err = {0};
        struct bench_counts c0 = bench_counts_now();
        uint64_t u0 = bench_cpu_ns();
        uint64_t t0 = bench_now_ns();
        struct fl_engine *e = fl_engine_new(&eo, &err);
        if (!e || fl_engine_add_path(e, d->path, &err) || fl_engine_ingest(e, &err))
            bench_die("%s: cannot read '%s': %s", r->name, d->path, err.msg);
        uint64_t t1 = bench_now_ns();
        check(r->name, e, d); /* untimed; allocates nothing */
        uint64_t hang = 0;
        struct bench_counts hc = {0, 0};
        if (hang_ns && run == o->runs - 1) {
            struct bench_counts h0 = bench_counts_now();
            uint64_t hu = bench_cpu_ns();
            if (fl_engine_run(e, &err))
                bench_die("%s: nccl_hang: %s", r->name, err.msg);
            hang = bench_cpu_ns() - hu;
            hc = bench_counts_since(h0);
            *hang_ns = hang;
        }
        uint64_t t2 = bench_now_ns();
        fl_engine_free(e);
        uint64_t t3 = bench_now_ns();
        uint64_t u1 = bench_cpu_ns(); /* includes the check: a few ms */
        struct bench_counts c = bench_counts_since(c0);
        c.allocs -= hc.allocs;
        c.bytes -= hc.bytes;
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        cpu[r->nruns] = u1 - u0 - hang;
        r->ns[r->nruns++] = (double)((t1 - t0) + (t3 - t2)) / (double)d->records;
    }
    r->events = d->records;
    r->bytes_io = (double)d->bytes;
    bench_set_counts(r, first, d->records);
    qsort(cpu, (size_t)r->nruns, sizeof cpu[0], bench_cmp_u64);
    int n = r->nruns;
    double med = n % 2 ? (double)cpu[n / 2] : ((double)cpu[n / 2 - 1] + (double)cpu[n / 2]) / 2;
    return med / (double)d->records;
}

/* fr_analyze and fr_analyze_jobs: the pickle directory analyzed end to end as `faultline
 * analyze --format json` does (parse, window, every detector, the report) by a fresh process,
 * with one thread and with the online cores: issue 8's "parsed and judged", peak RSS its own. */
static void analyze_cases(struct bench_results *rs, const struct bench_opts *o,
                          const struct frdir *d)
{
    size_t nev = (size_t)d->records + (size_t)d->nranks; /* the records and one dump each */
    uint64_t verdicts = 0;
    struct bench_result *r1 = bench_case(rs, o, "fr_analyze");
    double cpu1 = 0;
    if (r1) {
        cpu1 = bench_e2e_runs(o, r1, d->path, 0, nev, (size_t)d->bytes, &verdicts);
        snprintf(r1->note, sizeof r1->note,
                 "%d ranks x %d entries, fresh process, 1 thread: CPU %.2f s (%.0f ns/record), "
                 "%llu verdicts, peak RSS %.0f B/record",
                 d->nranks, FR_ENTRIES, cpu1 / 1e9, cpu1 / (double)d->records,
                 (unsigned long long)verdicts, (double)r1->rss_kb * 1024 / (double)d->records);
    }
    struct bench_result *r2 = bench_case(rs, o, "fr_analyze_jobs");
    if (r2) {
        unsigned jobs = bench_online_cores();
        double cpu2 = bench_e2e_runs(o, r2, d->path, jobs, nev, (size_t)d->bytes, &verdicts);
        int at = snprintf(r2->note, sizeof r2->note, "%u parse threads (online cores): CPU %.2f s",
                          jobs, cpu2 / 1e9);
        if (r1 && at > 0 && (size_t)at < sizeof r2->note)
            snprintf(r2->note + at, sizeof r2->note - (size_t)at,
                     "; wall %.2fx fr_analyze's 1 thread", bench_median(r1) / bench_median(r2));
    }
}

void bench_cases_fr(struct bench_results *rs, const struct bench_opts *o)
{
    static const char *const names[2] = {"fr_pickle", "fr_json"};
    int nranks = o->fr_ranks ? o->fr_ranks : o->scale ? FR_RANKS_SCALE : FR_RANKS;
    for (int json = 0; json < 2; json++) {
        /* the pickle directory also serves fr_analyze and fr_analyze_jobs */
        bool more = !json && (bench_wants(o, "fr_analyze") || bench_wants(o, "fr_analyze_jobs"));
        struct bench_result *r = bench_case(rs, o, names[json]);
        if (!r && !more)
            continue;
        struct frdir d;
        make_dir(&d, json, nranks, o->keep);
        if (r) {
            uint64_t hang = 0;
            double cpu = run_case(o, r, &d, json ? NULL : &hang);
            if (json)
                snprintf(r->note, sizeof r->note,
                         "%d ranks x %d entries, %.1f MiB (_dump_nccl_trace_json); CPU %.0f "
                         "ns/record",
                         nranks, FR_ENTRIES, (double)d.bytes / (double)MIB, cpu);
            else
                snprintf(r->note, sizeof r->note,
                         "%d ranks x %d entries, %.1f MiB (C++ pickler, %u-%u memo ids); CPU "
                         "%.0f ns/record; nccl_hang %.2f s CPU",
                         nranks, FR_ENTRIES, (double)d.bytes / (double)MIB, d.memo_min,
                         d.memo_max, cpu, (double)hang / 1e9);
        }
        if (more)
            analyze_cases(rs, o, &d);
        if (!o->keep)
            bench_rm_tree(d.path);
    }
}
