/* Detector cases: every registered detector with a committed window file
 * bench/windows/<detector>.jsonl (faultline.events/v1, 1,024 events: the window the detector
 * is benched on, committed so that the figure is comparable across commits) becomes a case
 * "detector_<name>": its run() over that window into one reused sink and scratch arena,
 * steady state (bench/README.md). xid_correlation's window is generated in fl_bench.c
 * (case detector_xid_correlation) and has no file here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "faultline/alloc.h"
#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"

#ifndef FL_BENCH_WINDOWS
#error "FL_BENCH_WINDOWS (the bench/windows directory) must be defined by the build"
#endif

static bool read_window(const char *path, struct bench_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return false;
        bench_die("cannot read '%s': %s", path, strerror(errno));
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        bench_buf_put(out, buf, n);
    if (ferror(f))
        bench_die("cannot read '%s'", path);
    fclose(f);
    return true;
}

static void run_detector(const struct bench_opts *o, struct bench_result *r,
                         const struct fl_detector *d, const struct bench_buf *in)
{
    struct fl_engine *e = bench_ingest(d->name, in, 0);
    const struct fl_window *w = fl_engine_window(e);
    if (w->nevents == 0)
        bench_die("%s: the window file holds no event", d->name);
    union fl_cfg_value cfg[32];
    if (d->nparams > sizeof cfg / sizeof cfg[0])
        bench_die("%s: %zu params, the bench holds 32", d->name, d->nparams);
    for (size_t i = 0; i < d->nparams; i++)
        if (fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]))
            bench_die("%s: bad default '%s' for '%s'", d->name, d->params[i].def, d->params[i].key);
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
                bench_die("%s: run failed (%d, sink %d)", d->name, rc, sink.error);
            if (nverdicts && sink.n != nverdicts)
                bench_die("%s: %zu verdicts, then %zu", d->name, nverdicts, sink.n);
            nverdicts = sink.n;
        }
        uint64_t t1 = bench_now_ns();
        struct bench_counts c = bench_counts_since(c0);
        if (run < 0)
            continue;
        bench_same_counts(r->name, run, &first, c);
        r->ns[r->nruns++] = (double)(t1 - t0) / ((double)iters * (double)w->nevents);
    }
    if (!nverdicts)
        bench_die("%s: the window produced no verdict (a bench window must exercise the detector)",
                  d->name);
    r->events = w->nevents;
    bench_set_counts(r, first, (uint64_t)o->det_iters * w->nevents);
    snprintf(r->note, sizeof r->note, "%zu verdicts per run, %d runs per sample, window %s.jsonl",
             nverdicts, o->det_iters, d->name);
    fl_verdict_sink_release(&sink);
    fl_arena_release(&scratch);
    fl_engine_free(e);
}

void bench_cases_detectors(struct bench_results *rs, const struct bench_opts *o)
{
    static char names[64][80];
    for (size_t i = 0; i < fl_detectors_count && i < 64; i++) {
        const struct fl_detector *d = fl_detectors[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.jsonl", FL_BENCH_WINDOWS, d->name);
        struct bench_buf in = {0};
        if (!read_window(path, &in))
            continue;
        snprintf(names[i], sizeof names[i], "detector_%s", d->name);
        struct bench_result *r = bench_case(rs, o, names[i]);
        if (r)
            run_detector(o, r, d, &in);
        bench_buf_release(&in);
    }
}
