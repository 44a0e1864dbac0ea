/* The parallel ingest (opts.jobs > 1, engine.c): the same engine state as one thread (intern
 * ids in the same order, events in the same order, skips, every output byte), and an
 * allocation that fails inside a parse worker is an error the caller gets, not a crash or a
 * leak. */
#include <criterion/criterion.h>

#include "fl_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/engine.h"
#include "faultline/jsonw.h"
#include "model/engine_internal.h"
#include "verdict/report.h"

/* Every event of the window and the verdict envelope, as bytes. */
static char *dump(struct fl_engine *e)
{
    struct fl_jsonw w;
    fl_jsonw_init(&w, false);
    fl_report_json(e, &w);
    const struct fl_window *win = fl_engine_window(e);
    for (size_t i = 0; i < win->nevents; i++) {
        fl_jsonw_bytes(&w, "\n", 1);
        fl_event_write_json(&w, win, win->events[i]);
    }
    cr_assert_eq(fl_jsonw_error(&w), 0);
    char *s = strndup(w.buf, w.len);
    fl_jsonw_release(&w);
    return s;
}

static struct fl_engine *run(unsigned jobs, const char *const *paths, size_t npaths)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.jobs = jobs;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    for (size_t i = 0; i < npaths; i++)
        fl_engine_add_path(e, paths[i], NULL);
    struct fl_err err = {0};
    cr_assert_eq(fl_engine_run(e, &err), 0, "%s", err.msg);
    return e;
}

/* A kernel log of n lines on node-like names that repeat: past the 4096 events a task copies,
 * so its blocks are adopted, and its strings are met in a different order than other inputs'. */
static char *kernel_log(unsigned n, unsigned seed)
{
    size_t cap = (size_t)n * 120 + 1;
    char *b = malloc(cap);
    cr_assert_not_null(b);
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(
            b + len, cap - len,
            "2026-11-24T10:%02u:%02u.%06uZ host%u kernel: NVRM: Xid (PCI:0000:%02x:00): %u, pid=%u\n",
            (i / 60) % 60, i % 60, i, (i * 7 + seed) % 5, 0x10 + (i + seed) % 8,
            i % 3 ? 79 : 48, i);
    return b;
}

FL_TEST(jobs, every_golden_input_reads_the_same_with_any_thread_count)
{
    const char *paths[] = {FL_SOURCE_DIR "/tests/golden", FL_SOURCE_DIR "/examples"};
    struct fl_engine *one = run(1, paths, 2);
    char *want = dump(one);
    for (unsigned jobs = 2; jobs <= 16; jobs *= 2) {
        struct fl_engine *e = run(jobs, paths, 2);
        /* the intern table: same strings under the same ids */
        cr_assert_eq(e->intern.count, one->intern.count);
        for (uint32_t id = 1; id <= one->intern.count; id++)
            cr_assert(fl_str_eq(fl_intern_str(&e->intern, id), fl_intern_str(&one->intern, id)),
                      "id %u", id);
        cr_assert_eq(e->nevents, one->nevents);
        cr_assert_eq(e->skipped_total, one->skipped_total);
        char *got = dump(e);
        cr_assert(strcmp(got, want) == 0, "--jobs %u differs from --jobs 1", jobs);
        free(got);
        fl_engine_free(e);
    }
    cr_assert_gt(one->nevents, 1000);
    free(want);
    fl_engine_free(one);
}

FL_TEST(jobs, large_and_small_buffers_merge_in_input_order)
{
    char *big1 = kernel_log(9000, 1), *big2 = kernel_log(5000, 3), *small = kernel_log(10, 2);
    struct fl_engine *e[2];
    char *out[2];
    for (int k = 0; k < 2; k++) {
        struct fl_engine_opts o;
        fl_engine_opts_init(&o);
        o.jobs = k ? 3 : 1;
        e[k] = fl_engine_new(&o, NULL);
        cr_assert_not_null(e[k]);
        fl_engine_add_buffer(e[k], "c-small.log", small, strlen(small), NULL);
        fl_engine_add_buffer(e[k], "a-big.log", big1, strlen(big1), NULL);
        fl_engine_add_buffer(e[k], "b-big.log", big2, strlen(big2), NULL);
        fl_engine_add_buffer(e[k], "d-empty.log", "", 0, NULL);
        fl_engine_add_buffer(e[k], "e-junk.bin", "\x01\x02\x03", 3, NULL);
        cr_assert_eq(fl_engine_run(e[k], NULL), 0);
        out[k] = dump(e[k]);
    }
    cr_assert_eq(e[1]->nevents, 14010);
    cr_assert_str_eq(out[0], out[1]);
    /* the chain holds the events in input order, each input's in parse order */
    uint32_t last_input = 0;
    uint32_t last_line = 0;
    for (struct fl_evblock *b = e[1]->blocks_head; b; b = b->next)
        for (size_t i = 0; i < b->n; i++) {
            const struct fl_event *ev = &b->ev[i];
            cr_assert_geq(ev->src.input, last_input);
            if (ev->src.input == last_input)
                cr_assert_gt(ev->src.line, last_line);
            last_input = ev->src.input;
            last_line = ev->src.line;
        }
    for (int k = 0; k < 2; k++) {
        free(out[k]);
        fl_engine_free(e[k]);
    }
    free(big1);
    free(big2);
    free(small);
}

/* Fail the nth allocation from the start of the run, once or for good, with four parse
 * threads: the run returns 0 (the failure hit something that may fail quietly) or FL_ENOMEM
 * with a message; never a crash; LeakSanitizer (sanitizer builds) checks nothing leaked. Some
 * of the failures land in a worker, inside a parser. */
FL_TEST(jobs, allocation_failure_in_a_worker_is_reported)
{
    char *big = kernel_log(5000, 1), *small = kernel_log(20, 2);
    const char *paths[] = {FL_SOURCE_DIR "/examples/incident",
                           FL_SOURCE_DIR "/tests/golden/ingest_nccl_fr/mixed-encodings-cut-dump"};
    unsigned in_parse = 0, failed_runs = 0;
    uint64_t n;
    for (n = 1; n < 100000; n += n < 150 ? 1 : n / 16) {
        for (int sticky = 0; sticky < 2; sticky++) {
            struct fl_engine_opts o;
            fl_engine_opts_init(&o);
            o.jobs = 4;
            struct fl_engine *e = fl_engine_new(&o, NULL);
            cr_assert_not_null(e);
            for (size_t i = 0; i < 2; i++)
                fl_engine_add_path(e, paths[i], NULL);
            fl_engine_add_buffer(e, "big.log", big, strlen(big), NULL);
            fl_engine_add_buffer(e, "small.log", small, strlen(small), NULL);
            struct fl_alloc_stats before, after;
            fl_alloc_stats_get(&before);
            fl_alloc_fail_after(n, sticky);
            struct fl_err err = {0};
            int rc = fl_engine_run(e, &err);
            fl_alloc_fail_after(0, 0);
            fl_alloc_stats_get(&after);
            if (rc) {
                cr_assert_eq(rc, FL_ENOMEM, "rc %d: %s", rc, err.msg);
                cr_assert(strstr(err.msg, "out of memory") != NULL, "%s", err.msg);
                failed_runs++;
                in_parse += strstr(err.msg, "while parsing") != NULL;
            }
            fl_engine_free(e);
            if (!sticky && after.failed == before.failed)
                goto done; /* n is past the run's last allocation */
        }
    }
done:
    cr_assert_lt(n, 100000);
    cr_assert_gt(failed_runs, 10);
    cr_assert_gt(in_parse, 0, "no failure landed in a parser");
    free(big);
    free(small);
}

FL_TEST(jobs, more_threads_than_inputs_and_no_inputs)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.jobs = 64;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    fl_engine_free(e);
    e = fl_engine_new(&o, NULL);
    char *small = kernel_log(3, 0);
    fl_engine_add_buffer(e, "a.log", small, strlen(small), NULL);
    fl_engine_add_buffer(e, "b.log", small, strlen(small), NULL);
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    cr_assert_eq(fl_engine_window(e)->nevents, 6);
    fl_engine_free(e);
    free(small);
}
