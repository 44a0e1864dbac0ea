/* pod_evicted beyond the golden cases: input-order independence over every rotation of a
 * window, the window boundary under a config override, and out-of-memory at every point of a
 * run (a capped scratch arena), which must end in FL_ENOMEM, never a crash or a bad verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/arena.h"
#include "faultline/detector.h"
#include "faultline/engine.h"
#include "faultline/err.h"
#include "fl_test.h"

extern const struct fl_detector fl_detector_pod_evicted;

#define MEM_MSG                                                                                    \
    "The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi. "           \
    "Container trainer was using 70Gi, request is 64Gi, has larger consumption of memory. "

/* A wave of 3 on n1 (joined), one eviction on n2 whose MemoryPressure came 3m late, a
 * storage-limit eviction, a taint deletion after NotReady and a cancelled one. */
static const char *const lines[] = {
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"n1\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:10Z\",\"node\":\"n1\",\"pod_event\":{"
    "\"pod\":\"ml/a\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG "\",\"resource\":\"memory\","
    "\"threshold\":104857600,\"available\":94371840,\"container\":\"trainer\","
    "\"usage\":75161927680,\"request\":68719476736}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:40Z\",\"node\":\"n1\",\"pod_event\":{"
    "\"pod\":\"ml/b\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:01:40Z\",\"node\":\"n1\",\"pod_event\":{"
    "\"pod\":\"ml/c\",\"reason\":\"Evicted\",\"message\":\"\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"n2\",\"pod_event\":{"
    "\"pod\":\"ml/d\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n",
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T10:03:00Z\",\"node\":\"n2\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:05:00Z\",\"node\":\"n2\",\"pod_event\":{"
    "\"pod\":\"ml/e\",\"reason\":\"Evicted\",\"message\":\"Container x exceeded its local "
    "ephemeral storage limit \\\"1Gi\\\". \"}}\n",
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T09:55:00Z\",\"node\":\"n3\","
    "\"node_condition\":{\"type\":\"Ready\",\"status\":\"Unknown\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:05Z\",\"node\":\"n3\",\"pod_event\":{"
    "\"pod\":\"ml/f\",\"reason\":\"TaintManagerEviction\",\"message\":\"Marking for deletion Pod "
    "ml/f\"}}\n",
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:00:06Z\",\"node\":\"n3\",\"pod_event\":{"
    "\"pod\":\"ml/g\",\"reason\":\"TaintManagerEviction\",\"message\":\"Cancelling deletion of "
    "Pod ml/g\"}}\n",
};
#define NLINES (sizeof lines / sizeof lines[0])

static struct fl_engine *engine_of(const char *text, const char *key, const char *value)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.detectors = "pod_evicted";
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    if (key)
        cr_assert_eq(fl_engine_set_config(e, "pod_evicted", key, fl_str_from_cstr(value), NULL), 0);
    cr_assert_eq(fl_engine_add_buffer(e, "w.jsonl", text, strlen(text), NULL), 0);
    return e;
}

/* "uid pattern headline\n" per verdict, in output order. */
static char *summary(struct fl_engine *e)
{
    size_t n, cap = 1, len = 0;
    const struct fl_verdict *v = fl_engine_verdicts(e, &n);
    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i].pattern_id) + strlen(v[i].headline) + 24;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    s[0] = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%016llx %s %s\n", (unsigned long long)v[i].uid,
                                v[i].pattern_id, v[i].headline);
    return s;
}

static char *window_text(size_t rot, bool reversed)
{
    size_t cap = 1;
    for (size_t i = 0; i < NLINES; i++)
        cap += strlen(lines[i]);
    char *t = malloc(cap);
    cr_assert_not_null(t);
    t[0] = 0;
    for (size_t i = 0; i < NLINES; i++) {
        size_t k = (rot + i) % NLINES;
        strcat(t, lines[reversed ? NLINES - 1 - k : k]);
    }
    return t;
}

FL_TEST(pod_evicted, same_verdicts_in_every_input_order)
{
    char *want = NULL;
    for (size_t rot = 0; rot < NLINES; rot++)
        for (int rev = 0; rev < 2; rev++) {
            char *t = window_text(rot, rev);
            struct fl_engine *e = engine_of(t, NULL, NULL);
            cr_assert_eq(fl_engine_run(e, NULL), 0);
            char *got = summary(e);
            if (!want) {
                want = got;
                /* 3 pods on n1 + wave, n2 partial + storage limit, one taint deletion */
                size_t n;
                fl_engine_verdicts(e, &n);
                cr_assert_eq(n, 7, "%zu verdicts:\n%s", n, want);
                cr_assert(strstr(want, "pod_evicted.wave Eviction wave on n1: 3 pods"), "%s", want);
                cr_assert(strstr(want, "partial: MemoryPressure turned True only 3m after"), "%s",
                          want);
                cr_assert(strstr(want, "pod_evicted.storage_limit"), "%s", want);
                cr_assert(strstr(want, "pod_evicted.node_not_ready"), "%s", want);
                cr_assert_null(strstr(want, "ml/g"), "a cancelled deletion is no eviction");
            } else {
                cr_assert_str_eq(got, want, "rotation %zu reversed %d", rot, rev);
                free(got);
            }
            fl_engine_free(e);
            free(t);
        }
    free(want);
}

static const char *const edge =
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"a\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:01:00Z\",\"node\":\"a\",\"pod_event\":{"
    "\"pod\":\"ml/x\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n"
    "{\"kind\":\"node_condition\",\"ts\":\"2026-11-24T10:00:00Z\",\"node\":\"b\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2026-11-24T10:01:00.000000001Z\",\"node\":\"b\","
    "\"pod_event\":{\"pod\":\"ml/y\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n";

FL_TEST(pod_evicted, window_is_inclusive_to_the_nanosecond)
{
    struct fl_engine *e = engine_of(edge, "window", "1m");
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    /* (JSON Lines carry the numbers as fields; these lines have none) */
    cr_assert(strstr(s, "ml/x evicted from a: memory low (the message states no threshold); "
                        "MemoryPressure turned True 1m before"),
              "%s", s);
    cr_assert(strstr(s, "ml/y evicted from b: memory low (the message states no threshold); "
                        "partial: MemoryPressure True since 1m0.000000001s before, outside the 1m "
                        "window"),
              "%s", s);
    free(s);
    fl_engine_free(e);
}

FL_TEST(pod_evicted, out_of_memory_anywhere_is_a_clean_error)
{
    char *t = window_text(0, false);
    struct fl_engine *e = engine_of(t, NULL, NULL);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    const struct fl_window *w = fl_engine_window(e);
    const struct fl_detector *d = &fl_detector_pod_evicted;
    union fl_cfg_value cfg[8];
    cr_assert_leq(d->nparams, 8);
    for (size_t i = 0; i < d->nparams; i++)
        cr_assert_eq(fl_cfg_parse_value(&d->params[i], fl_str_from_cstr(d->params[i].def), &cfg[i]),
                     0);
    size_t full = 0, failures = 0;
    for (size_t cap = 256; cap < (1u << 20); cap += 256) {
        struct fl_arena a;
        fl_arena_init(&a, 256, cap);
        struct fl_verdict_sink sink;
        fl_verdict_sink_init(&sink, &a, w->intern);
        int rc = d->run(w, cfg, &sink);
        cr_assert(rc == 0 || rc == FL_ENOMEM, "cap %zu: rc %d", cap, rc);
        bool ok = rc == 0 && sink.error == 0;
        for (size_t i = 0; ok && i < sink.n; i++)
            cr_assert(sink.v[i].headline[0] && sink.v[i].remediation[0]);
        fl_verdict_sink_release(&sink);
        fl_arena_release(&a);
        if (ok) {
            full = cap;
            break;
        }
        failures++;
    }
    cr_assert_gt(full, 0, "never completed under 1 MiB");
    cr_assert_gt(failures, 0, "the cap never bit: the test proves nothing");
    fl_engine_free(e);
    free(t);
}

/* Times and quantities at the ends of int64 (JSON Lines may carry them): every difference
 * saturates (UBSan aborts the test on a signed overflow). */
static const char *const extremes =
    "{\"kind\":\"node_condition\",\"ts\":\"2262-01-01T00:00:00Z\",\"node\":\"a\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n"
    "{\"kind\":\"node_condition\",\"ts\":\"1678-01-01T00:00:00Z\",\"node\":\"b\","
    "\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"True\"}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"1678-01-01T00:00:00Z\",\"node\":\"a\",\"pod_event\":{"
    "\"pod\":\"ml/x\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG "\",\"resource\":\"memory\","
    "\"container\":\"c\",\"usage\":9223372036854775807,\"request\":-9223372036854775808}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2262-01-01T00:00:00Z\",\"node\":\"a\",\"pod_event\":{"
    "\"pod\":\"ml/y\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG "\",\"resource\":\"memory\","
    "\"container\":\"c\",\"usage\":-9223372036854775808,\"request\":9223372036854775807}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"2262-01-01T00:00:00Z\",\"node\":\"b\",\"pod_event\":{"
    "\"pod\":\"ml/z\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n"
    "{\"kind\":\"pod_event\",\"ts\":\"1678-01-01T00:00:00Z\",\"node\":\"b\",\"pod_event\":{"
    "\"pod\":\"ml/z\",\"reason\":\"Evicted\",\"message\":\"" MEM_MSG
    "\",\"resource\":\"memory\"}}\n";

FL_TEST(pod_evicted, extreme_times_and_quantities_saturate)
{
    struct fl_engine *e = engine_of(extremes, "window", "24h");
    cr_assert_eq(fl_engine_run(e, NULL), 0);
    char *s = summary(e);
    cr_assert(strstr(s, "ml/x evicted from a") && strstr(s, "partial: MemoryPressure turned True "
                                                            "only"),
              "%s", s);
    cr_assert(strstr(s, "ml/z evicted from b") && strstr(s, "outside the 24h window"), "%s", s);
    free(s);
    fl_engine_free(e);
}
