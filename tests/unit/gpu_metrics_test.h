/* gpu_metrics_test.h - helpers shared by test_prom.c and test_nvsmi.c: read a fixture from
 * tests/unit/data/gpu-metrics/, ingest it (or a string) with a forced format, look at skips,
 * and count events by a description of their fields. Include after the Criterion headers. */
#ifndef FL_GPU_METRICS_TEST_H
#define FL_GPU_METRICS_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/engine.h"

#define DATA FL_SOURCE_DIR "/tests/unit/data/gpu-metrics/"

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static inline char *data(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, DATA "%s", name);
    char *b = slurp(path, len);
    cr_assert_not_null(b, "cannot read %s", path);
    return b;
}

static inline struct fl_engine *ingest_buf(const char *name, const char *buf, size_t len,
                                    const char *format)
{
    struct fl_engine_opts o;
    fl_engine_opts_init(&o);
    o.format = format;
    struct fl_engine *e = fl_engine_new(&o, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(fl_engine_add_buffer(e, name, buf, len, NULL), 0);
    cr_assert_eq(fl_engine_ingest(e, NULL), 0);
    return e;
}

static inline struct fl_engine *ingest_file(const char *name)
{
    size_t len;
    char *b = data(name, &len);
    struct fl_engine *e = ingest_buf(name, b, len, NULL);
    free(b);
    return e;
}

static inline struct fl_engine *ingest_text(const char *text, const char *format)
{
    return ingest_buf("t", text, strlen(text), format);
}

static inline const char *format_of(struct fl_engine *e)
{
    size_t n;
    const struct fl_input *in = fl_engine_inputs(e, &n);
    cr_assert_eq(n, 1);
    return in[0].format;
}

static inline uint64_t skips(struct fl_engine *e)
{
    size_t n;
    uint64_t total;
    fl_engine_skips(e, &n, &total);
    return total;
}

/* The skip reason recorded at line (or offset when line is 0), or NULL. */
static inline const char *skip_at(struct fl_engine *e, uint32_t line, uint64_t offset)
{
    size_t n;
    uint64_t total;
    const struct fl_skip *s = fl_engine_skips(e, &n, &total);
    for (size_t i = 0; i < n; i++)
        if (s[i].line == line && (line || s[i].offset == offset))
            return s[i].reason;
    return NULL;
}

/* One event as a line: "KIND TS NODE PCI UUID INDEX | payload". */
static inline void describe(const struct fl_window *w, const struct fl_event *ev, char *out,
                            size_t cap)
{
    char ts[FL_TIME_BUF] = "-";
    if (ev->clock == FL_CLOCK_WALL)
        fl_time_format_rfc3339(ev->ts, ts);
    int n = snprintf(out, cap, "%s %s %s %s %s %d | ", fl_event_kind_name(ev->kind), ts,
                     ev->node ? fl_window_str(w, ev->node) : "-",
                     ev->gpu.pci ? fl_window_str(w, ev->gpu.pci) : "-",
                     ev->gpu.uuid ? fl_window_str(w, ev->gpu.uuid) : "-", ev->gpu.index);
    size_t k = n > 0 ? (size_t)n : 0;
    switch (ev->kind) {
    case FL_EV_THROTTLE:
        snprintf(out + k, cap - k, "reasons=%" PRIu64, ev->u.throttle.reasons);
        break;
    case FL_EV_ECC:
        snprintf(out + k, cap - k, "ecc=%s agg=%d count=%" PRId64 " text=%.*s",
                 fl_ecc_kind_name(ev->u.ecc.ecc_kind), ev->u.ecc.aggregate, ev->u.ecc.count,
                 FL_STR_FMT(ev->u.ecc.text));
        break;
    case FL_EV_GPU_SAMPLE:
        snprintf(out + k, cap - k, "metric=%s value=%g name=%.*s",
                 fl_gpu_metric_name(ev->u.sample.metric), ev->u.sample.value,
                 FL_STR_FMT(ev->u.sample.name));
        break;
    default:
        snprintf(out + k, cap - k, "?");
    }
}

/* How many events' descriptions contain every part (NULL-terminated list). */
static inline size_t count_(struct fl_engine *e, const char *const *parts)
{
    const struct fl_window *w = fl_engine_window(e);
    size_t c = 0;
    for (size_t i = 0; i < w->nevents; i++) {
        char line[1024];
        describe(w, w->events[i], line, sizeof line);
        bool all = true;
        for (const char *const *p = parts; *p && all; p++)
            all = strstr(line, *p) != NULL;
        c += all;
    }
    return c;
}
#define COUNT(e, ...) count_((e), (const char *const[]){__VA_ARGS__, NULL})

/* For debugging a failing case: print every event's description. */
__attribute__((unused)) static void dump(struct fl_engine *e)
{
    const struct fl_window *w = fl_engine_window(e);
    for (size_t i = 0; i < w->nevents; i++) {
        char line[1024];
        describe(w, w->events[i], line, sizeof line);
        fprintf(stderr, "  %s\n", line);
    }
}


#endif
