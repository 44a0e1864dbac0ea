/* thermal_throttle: GPUs whose clocks a thermal or power-brake reason held down for longer
 * than min_duration, told apart as one hot GPU or a whole node.
 *
 * Reads clocks-event (throttle) reason masks from dcgm-exporter, the Prometheus API and
 * nvidia-smi, and the GPU and memory temperatures of the same GPUs. A reason triggers when
 * NVIDIA's table (include/faultline/catalog.h) calls it thermal or power: HwSlowdown,
 * SwThermalSlowdown, HwThermalSlowdown, HwPowerBrakeSlowdown. SwPowerCap is power too but
 * never triggers: it is software holding the GPU under the power limit an operator
 * configured, what a busy GPU does by design. GpuIdle, ApplicationsClocksSetting, SyncBoost
 * and DisplayClockSetting are benign; BoardLimit, Reliability and Unknown are neither.
 *
 * An episode is a run of wall-clock samples of one GPU whose mask holds a trigger reason, each
 * within max_gap of the one before; it counts when its first and last samples are at least
 * min_duration apart. When, at some moment, at least node_share of a node's GPUs (and at least
 * node_min_gpus) are in counting episodes, the node gets one verdict for that stretch instead of
 * one per GPU: a node-wide cause (facility cooling or power), not a GPU. Temperatures of the
 * GPU around the episode (max_gap either side) are the evidence, with the other GPUs' peak for
 * comparison. Records without a wall-clock time cannot measure a duration and are not read. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/gpu_ident.h"
#include "faultline/catalog.h"
#include "faultline/detector.h"
#include "faultline/err.h"

enum { P_MIN_DURATION, P_MAX_GAP, P_NODE_SHARE, P_NODE_MIN_GPUS, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_MIN_DURATION] = {"min_duration", FL_CFG_DURATION, "60s", "1s", "24h",
                        "how long (first to last sample) a thermal or power-brake reason must "
                        "stay active on a GPU to give a verdict"},
    [P_MAX_GAP] = {"max_gap", FL_CFG_DURATION, "2m", "1s", "1h",
                   "samples of one GPU farther apart than this are not consecutive: the gap "
                   "ends the episode"},
    [P_NODE_SHARE] = {"node_share", FL_CFG_FLOAT, "0.75", "0.01", "1",
                      "share of a node's GPUs (those with throttle samples) that must throttle "
                      "at the same moment for one node-level verdict"},
    [P_NODE_MIN_GPUS] = {"node_min_gpus", FL_CFG_INT, "2", "2", "100000",
                         "fewest GPUs throttling at once that make a node-level verdict"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "12", "3", "1000",
                        "most records listed as evidence per verdict (first and last kept)"},
};

static const struct fl_pattern patterns[] = {
    {"thermal_throttle.gpu",
     "One GPU held its clocks down by HwSlowdown, SwThermalSlowdown, HwThermalSlowdown or "
     "HwPowerBrakeSlowdown for at least min_duration while most of its node did not: a problem "
     "of that GPU (cooling path, fan, heatsink seating, board power), with its temperatures and "
     "the other GPUs' as evidence. SwPowerCap (the GPU holding the power limit it was given), "
     "GpuIdle, ApplicationsClocksSetting, SyncBoost and DisplayClockSetting never trigger."},
    {"thermal_throttle.node",
     "Most or all GPUs of a node throttled for a thermal or power-brake reason at the same "
     "time: a node-wide cause (facility cooling, chassis fans, power feed or the system "
     "asserting the power brake), one verdict instead of one per GPU."},
    {NULL, NULL},
};

/* Reasons that trigger: thermal or power in NVIDIA's table, except SwPowerCap. */
static uint64_t trigger_mask(void)
{
    size_t n;
    const struct fl_throttle_reason *r = fl_throttle_reasons(&n);
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        if ((r[i].thermal || r[i].power) && r[i].bit != FL_THROTTLE_SW_POWER_CAP)
            m |= r[i].bit;
    return m;
}

/* "HwThermalSlowdown, HwSlowdown" for the trigger bits of mask. */
static void reason_names(uint64_t mask, char *buf, size_t cap)
{
    size_t n, k = 0;
    const struct fl_throttle_reason *r = fl_throttle_reasons(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (mask & r[i].bit) {
            int w = snprintf(buf + k, cap - k, "%s%s", k ? ", " : "", r[i].name);
            if (w < 0 || (size_t)w >= cap - k)
                return;
            k += (size_t)w;
        }
}

/* What the reasons say about the cause: a thermal-only reason (SwThermalSlowdown,
 * HwThermalSlowdown), a power-only one (HwPowerBrakeSlowdown); neither when only HwSlowdown,
 * which NVML reports for both, is set. */
struct cause {
    bool thermal, power;
};
static struct cause cause_of(uint64_t mask)
{
    size_t n;
    const struct fl_throttle_reason *r = fl_throttle_reasons(&n);
    struct cause c = {false, false};
    for (size_t i = 0; i < n; i++)
        if (mask & r[i].bit) {
            c.thermal |= r[i].thermal && !r[i].power;
            c.power |= r[i].power && !r[i].thermal;
        }
    return c;
}

/* ---- items ------------------------------------------------------------------------------- */

enum { C_THROTTLE = 0, C_TEMP_GPU = 1, C_TEMP_MEM = 2 };

struct item {
    struct fl_gkey k;
    const struct fl_event *ev;
    uint8_t cls;
};

static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = fl_gkey_cmp(&x->k, &y->k);
    if (c)
        return c;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    return fl_event_cmp(x->ev, y->ev);
}

/* A run of active samples. */
struct episode {
    int64_t start, end;
    const struct fl_event *first, *last;
    size_t n;
    uint64_t mask;
    uint32_t gpu;   /* index into the GPU array */
    int32_t node_v; /* node stretch it belongs to, -1 none */
};

struct gpu {
    struct fl_gkey k;
    struct fl_gpu_ref ref;
    bool throttled_seen;        /* has wall-clock throttle samples */
    const struct item *temp[2]; /* GPU and memory temperature samples, ts order */
    size_t ntemp[2];
    size_t ep0, nep; /* its counting episodes */
};

/* Peak temperature sample of g (which: 0 GPU, 1 memory) within [from, to]; NULL when none. */
static const struct fl_event *peak_temp(const struct gpu *g, int which, int64_t from, int64_t to)
{
    const struct fl_event *best = NULL;
    for (size_t i = 0; i < g->ntemp[which]; i++) {
        const struct fl_event *ev = g->temp[which][i].ev;
        if (ev->ts < from)
            continue;
        if (ev->ts > to)
            break;
        if (!best || ev->u.sample.value > best->u.sample.value)
            best = ev;
    }
    return best;
}

/* p hotter than q, ties broken by event order so the choice never depends on intern ids. */
static bool hotter(const struct fl_event *p, const struct fl_event *q)
{
    if (!q)
        return true;
    if (p->u.sample.value != q->u.sample.value)
        return p->u.sample.value > q->u.sample.value;
    return fl_event_cmp(p, q) < 0;
}

static const char *dur(int64_t ns, char buf[FL_TIME_BUF])
{
    fl_duration_format(ns < 0 ? 0 : ns, buf);
    return buf;
}

static const char *clock_of(int64_t ns, char buf[FL_TIME_BUF])
{
    fl_time_format_rfc3339(ns, buf);
    return buf;
}

struct buf {
    char s[1536];
    size_t n;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
    if (b->n >= sizeof b->s - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        b->n += (size_t)k < sizeof b->s - b->n ? (size_t)k : sizeof b->s - b->n - 1;
}

static const char *gpu_label(const struct fl_window *w, const struct fl_gpu_ref *g, char *buf,
                             size_t cap)
{
    if (g->pci && g->index >= 0)
        snprintf(buf, cap, "GPU %d (%s)", g->index, fl_window_str(w, g->pci));
    else if (g->pci)
        snprintf(buf, cap, "GPU %s", fl_window_str(w, g->pci));
    else if (g->uuid)
        snprintf(buf, cap, "GPU %s", fl_window_str(w, g->uuid));
    else if (g->index >= 0)
        snprintf(buf, cap, "GPU %d", g->index);
    else
        snprintf(buf, cap, "an unidentified GPU");
    return buf;
}

static const char *sample_desc(struct fl_verdict_sink *out, const struct fl_event *ev,
                               uint64_t trig, const char *note)
{
    char names[256];
    reason_names(ev->u.throttle.reasons & trig, names, sizeof names);
    return fl_verdict_printf(out, "clocks-event reasons 0x%llx (%s)%s",
                             (unsigned long long)ev->u.throttle.reasons, names, note);
}

static const char *temp_desc(struct fl_verdict_sink *out, const struct fl_event *ev,
                             const char *what)
{
    if (!ev)
        return NULL;
    return fl_verdict_printf(out, "%.*s = %.0f C: %s", FL_STR_FMT(ev->u.sample.name),
                             ev->u.sample.value, what);
}

struct evset {
    struct fl_evidence *v;
    size_t n, cap;
};

static void ev_add(struct evset *s, const struct fl_event *ev, const char *desc)
{
    if (!ev || !desc || s->n >= s->cap)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].ev == ev)
            return;
    s->v[s->n++] = (struct fl_evidence){ev, desc};
}

static int cmp_evidence(const void *a, const void *b)
{
    return fl_event_cmp(((const struct fl_evidence *)a)->ev, ((const struct fl_evidence *)b)->ev);
}

/* Highest peak GPU temperature of the node's GPUs other than self within [from, to]. */
static const struct fl_event *others_peak(const struct gpu *gpus, size_t g0, size_t g1, size_t self,
                                          int64_t from, int64_t to)
{
    const struct fl_event *best = NULL;
    for (size_t i = g0; i < g1; i++) {
        if (i == self)
            continue;
        const struct fl_event *p = peak_temp(&gpus[i], 0, from, to);
        if (p && hotter(p, best))
            best = p;
    }
    return best;
}

static int emit_gpu(const struct fl_window *w, const union fl_cfg_value *cfg,
                    struct fl_verdict_sink *out, const struct gpu *gpus, size_t g0, size_t g1,
                    size_t gi, const struct episode *eps, uint64_t trig)
{
    const struct gpu *g = &gpus[gi];
    const struct episode *first = NULL, *last = NULL, *longest = NULL;
    size_t count = 0;
    uint64_t mask = 0;
    int64_t total = 0;
    for (size_t e = g->ep0; e < g->ep0 + g->nep; e++) {
        const struct episode *p = &eps[e];
        if (p->node_v >= 0)
            continue;
        first = first ? first : p;
        last = p;
        count++;
        mask |= p->mask;
        total += p->end - p->start;
        if (!longest || p->end - p->start > longest->end - longest->start)
            longest = p;
    }
    if (!count)
        return 0;
    int64_t gap = cfg[P_MAX_GAP].i;
    int64_t from = first->start - gap, to = last->end + gap;
    const struct fl_event *tg = peak_temp(g, 0, from, to), *tm = peak_temp(g, 1, from, to);
    const struct fl_event *other = others_peak(gpus, g0, g1, gi, from, to);
    const char *node = g->k.node ? fl_window_str(w, g->k.node) : "(unknown node)";
    char glabel[128], names[256], d1[FL_TIME_BUF], d2[FL_TIME_BUF];
    gpu_label(w, &g->ref, glabel, sizeof glabel);
    reason_names(mask & trig, names, sizeof names);
    struct cause c = cause_of(mask & trig);

    struct buf h = {.n = 0}, r = {.n = 0};
    put(&h, "%s on %s throttled (%s) for %s", glabel, node, names,
        dur(longest->end - longest->start, d1));
    put(&h, " (%zu samples from %s)", longest->n, clock_of(longest->start, d2));
    if (count > 1)
        put(&h, ", %zu episodes totalling %s", count, dur(total, d1));
    if (tg)
        put(&h, ", peak %.0f C", tg->u.sample.value);
    if (tm)
        put(&h, "%s memory %.0f C", tg ? "," : ", peak", tm->u.sample.value);
    if (!tg && !tm)
        put(&h, ", no temperature samples for this GPU");
    if (other)
        put(&h, "; the node's other GPUs peak %.0f C", other->u.sample.value);

    if (c.power && !c.thermal)
        put(&r,
            "The system asserted the power brake on %s of %s only: check that the board is "
            "seated and its power cables are secure, then the chassis power distribution to "
            "its slot.",
            glabel, node);
    else {
        put(&r,
            "Check the cooling of %s on %s: fan and airflow path to it, heatsink seating "
            "and thermal interface; check that the board is seated and its power "
            "connections are secure.",
            glabel, node);
        if (other && tg && other->u.sample.value < tg->u.sample.value)
            put(&r,
                " The node's other GPUs ran cooler (%.0f C against %.0f C), so facility "
                "cooling is not the cause.",
                other->u.sample.value, tg->u.sample.value);
        if (!c.thermal && !c.power)
            put(&r, " NVML cannot tell HwSlowdown's cause (temperature, power brake or "
                    "power-draw protection): if the GPU was not hot, check its power "
                    "connections first.");
    }

    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    struct evset es = {FL_ARENA_NEW_N(out->arena, struct fl_evidence, maxev), 0, maxev};
    if (!es.v)
        return FL_ENOMEM;
    ev_add(&es, longest->first,
           sample_desc(out, longest->first, trig, " (longest episode: first)"));
    ev_add(&es, longest->last,
           sample_desc(out, longest->last, trig,
                       fl_verdict_printf(out, " (longest episode: last of %zu, %s)", longest->n,
                                         dur(longest->end - longest->start, d1))));
    ev_add(&es, tg, temp_desc(out, tg, "this GPU's peak around the throttling"));
    ev_add(&es, tm, temp_desc(out, tm, "this GPU's memory peak around the throttling"));
    ev_add(&es, other, temp_desc(out, other, "hottest other GPU of the node over the same span"));
    if (first != longest)
        ev_add(&es, first->first, sample_desc(out, first->first, trig, " (first episode)"));
    if (last != longest)
        ev_add(&es, last->last, sample_desc(out, last->last, trig, " (last episode: end)"));
    qsort(es.v, es.n, sizeof *es.v, cmp_evidence);

    struct fl_verdict v = {0};
    v.pattern_id = "thermal_throttle.gpu";
    v.severity = FL_SEV_WARNING;
    v.ts = first->start;
    v.scope.node = g->k.node;
    v.scope.gpu = g->ref;
    v.headline = fl_verdict_printf(out, "%s", h.s);
    v.remediation = fl_verdict_printf(out, "%s", r.s);
    v.evidence = es.v;
    v.nevidence = es.n;
    return fl_verdict_emit(out, &v);
}

static int cmp_episode_first(const void *a, const void *b)
{
    return fl_event_cmp((*(const struct episode *const *)a)->first,
                        (*(const struct episode *const *)b)->first);
}

/* One node-level stretch [t0, t1] during which at least `need` GPUs throttled together. */
static int emit_node(const struct fl_window *w, const union fl_cfg_value *cfg,
                     struct fl_verdict_sink *out, const struct gpu *gpus, size_t g0, size_t g1,
                     const struct episode *eps, size_t e0, size_t e1, int32_t id, int64_t t0,
                     int64_t t1, size_t peak, uint64_t trig)
{
    size_t ngpus = 0, nin = 0;
    for (size_t i = g0; i < g1; i++)
        ngpus += gpus[i].throttled_seen;
    uint64_t mask = 0;
    const struct fl_event *hot = NULL, *cool = NULL;
    int64_t gap = cfg[P_MAX_GAP].i;
    for (size_t e = e0; e < e1; e++) {
        if (eps[e].node_v != id)
            continue;
        nin++;
        mask |= eps[e].mask;
        const struct fl_event *p =
            peak_temp(&gpus[eps[e].gpu], 0, eps[e].start - gap, eps[e].end + gap);
        if (p && hotter(p, hot))
            hot = p;
        if (p && (!cool || hotter(cool, p)))
            cool = p;
    }
    const char *node = gpus[g0].k.node ? fl_window_str(w, gpus[g0].k.node) : "(unknown node)";
    char names[256], d1[FL_TIME_BUF], d2[FL_TIME_BUF];
    reason_names(mask & trig, names, sizeof names);
    struct cause c = cause_of(mask & trig);

    struct buf h = {.n = 0}, r = {.n = 0};
    put(&h,
        "Whole node %s throttling: %zu of %zu GPUs held down (%s) at the same time for %s "
        "from %s",
        node, peak, ngpus, names, dur(t1 - t0, d1), clock_of(t0, d2));
    if (nin > peak)
        put(&h, ", %zu GPUs in all", nin);
    if (hot && cool && cool->u.sample.value < hot->u.sample.value)
        put(&h, ", GPU peaks %.0f-%.0f C", cool->u.sample.value, hot->u.sample.value);
    else if (hot)
        put(&h, ", GPU peak %.0f C", hot->u.sample.value);
    else
        put(&h, ", no temperature samples");
    put(&h, ": a node-wide cause, not one GPU");

    if (c.power && !c.thermal)
        put(&r,
            "The system asserted the power brake on the GPUs of %s together: check the node's "
            "power supplies, its power feed (PDU, circuit) and BMC/chassis power-capping events; "
            "swapping GPUs will not help.",
            node);
    else if (c.thermal && !c.power)
        put(&r,
            "Check the cooling of %s as a whole, not its GPUs: inlet air temperature and airflow "
            "in the rack (facility cooling), the chassis fans and fan controller; swapping GPUs "
            "will not help.",
            node);
    else
        put(&r,
            "Check what the GPUs of %s share: facility cooling and inlet air, the chassis fans, "
            "then the power supplies and power feed (HwSlowdown can be heat or the power brake; "
            "NVML cannot say which); swapping GPUs will not help.",
            node);

    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    struct evset es = {FL_ARENA_NEW_N(out->arena, struct fl_evidence, maxev), 0, maxev};
    if (!es.v)
        return FL_ENOMEM;
    ev_add(&es, hot, temp_desc(out, hot, "hottest GPU of the node around the throttling"));
    if (cool && hot && cool->u.sample.value < hot->u.sample.value)
        ev_add(&es, cool,
               temp_desc(out, cool, "coolest GPU peak of the node around the throttling"));
    /* each GPU's first throttled sample of the stretch, earliest first, up to the cap */
    const struct episode **in = FL_ARENA_NEW_N(out->arena, const struct episode *, nin ? nin : 1);
    if (!in)
        return FL_ENOMEM;
    size_t k = 0;
    for (size_t e = e0; e < e1; e++)
        if (eps[e].node_v == id)
            in[k++] = &eps[e];
    qsort(in, k, sizeof *in, cmp_episode_first);
    for (size_t e = 0; e < k && es.n + 1 < es.cap; e++) {
        char gl[128];
        gpu_label(w, &gpus[in[e]->gpu].ref, gl, sizeof gl);
        ev_add(&es, in[e]->first,
               sample_desc(out, in[e]->first, trig,
                           fl_verdict_printf(out, " on %s, %zu samples over %s", gl, in[e]->n,
                                             dur(in[e]->end - in[e]->start, d1))));
    }
    qsort(es.v, es.n, sizeof *es.v, cmp_evidence);

    struct fl_verdict v = {0};
    v.pattern_id = "thermal_throttle.node";
    v.severity = FL_SEV_ERROR;
    v.ts = t0;
    v.scope.node = gpus[g0].k.node;
    v.headline = fl_verdict_printf(out, "%s", h.s);
    v.remediation = fl_verdict_printf(out, "%s", r.s);
    v.evidence = es.v;
    v.nevidence = es.n;
    return fl_verdict_emit(out, &v);
}

struct mark {
    int64_t t;
    int d; /* +1 start, -1 end */
};

static int cmp_mark(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return y->d - x->d; /* starts before ends at the same moment */
}

/* Node stretches: maximal intervals with at least `need` counting episodes at once. Marks
 * episodes that overlap a stretch and emits one node verdict per stretch. */
static int node_pass(const struct fl_window *w, const union fl_cfg_value *cfg,
                     struct fl_verdict_sink *out, const struct gpu *gpus, size_t g0, size_t g1,
                     struct episode *eps, size_t e0, size_t e1, uint64_t trig)
{
    size_t ngpus = 0;
    for (size_t i = g0; i < g1; i++)
        ngpus += gpus[i].throttled_seen;
    size_t need = (size_t)ceil(cfg[P_NODE_SHARE].f * (double)ngpus - 1e-9);
    if (need < (size_t)cfg[P_NODE_MIN_GPUS].i)
        need = (size_t)cfg[P_NODE_MIN_GPUS].i;
    if (e1 - e0 < need)
        return 0;
    struct mark *m = FL_ARENA_NEW_N(out->arena, struct mark, 2 * (e1 - e0));
    if (!m)
        return FL_ENOMEM;
    size_t nm = 0;
    for (size_t e = e0; e < e1; e++) {
        m[nm++] = (struct mark){eps[e].start, +1};
        m[nm++] = (struct mark){eps[e].end, -1};
    }
    qsort(m, nm, sizeof *m, cmp_mark);
    size_t c = 0, peak = 0;
    int64_t t0 = 0;
    int32_t id = 0;
    int rc = 0;
    for (size_t i = 0; i < nm && rc == 0; i++) {
        if (m[i].d > 0) {
            c++;
            if (c == need)
                t0 = m[i].t;
            if (c > peak)
                peak = c;
            continue;
        }
        if (c == need) { /* the stretch [t0, m[i].t] ends */
            int64_t t1 = m[i].t;
            for (size_t e = e0; e < e1; e++)
                if (eps[e].node_v < 0 && eps[e].start <= t1 && eps[e].end >= t0)
                    eps[e].node_v = id;
            rc = emit_node(w, cfg, out, gpus, g0, g1, eps, e0, e1, id, t0, t1, peak, trig);
            id++;
            peak = 0;
        }
        c--;
    }
    return rc;
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist tl = fl_window_kind(w, FL_EV_THROTTLE),
                     sl = fl_window_kind(w, FL_EV_GPU_SAMPLE);
    if (!tl.n)
        return 0;
    /* every GPU record pairs identities, an ECC reading or an Xid line included */
    static const enum fl_event_kind idkinds[] = {FL_EV_THROTTLE, FL_EV_GPU_SAMPLE, FL_EV_ECC,
                                                 FL_EV_XID};
    struct fl_idmap map;
    if (fl_idmap_build(&map, out->arena, w, idkinds, 4))
        return FL_ENOMEM;
    struct item *it = FL_ARENA_NEW_N(out->arena, struct item, tl.n + sl.n);
    if (!it)
        return FL_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < tl.n; i++)
        if (tl.v[i]->clock == FL_CLOCK_WALL)
            it[n++] = (struct item){fl_gkey_of(&map, tl.v[i]), tl.v[i], C_THROTTLE};
    for (size_t i = 0; i < sl.n; i++) {
        const struct fl_event *ev = sl.v[i];
        uint8_t m = ev->u.sample.metric;
        if (ev->clock == FL_CLOCK_WALL && (m == FL_METRIC_TEMP_GPU || m == FL_METRIC_TEMP_MEMORY))
            it[n++] = (struct item){fl_gkey_of(&map, ev), ev,
                                    m == FL_METRIC_TEMP_GPU ? C_TEMP_GPU : C_TEMP_MEM};
    }
    qsort(it, n, sizeof *it, cmp_item);

    /* GPUs, their temperature runs and counting episodes */
    struct gpu *gpus = FL_ARENA_NEW_N(out->arena, struct gpu, n ? n : 1);
    struct episode *eps = FL_ARENA_NEW_N(out->arena, struct episode, n ? n : 1);
    if (!gpus || !eps)
        return FL_ENOMEM;
    uint64_t trig = trigger_mask();
    int64_t min_dur = cfg[P_MIN_DURATION].i, gap = cfg[P_MAX_GAP].i;
    size_t ng = 0, ne = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && fl_gkey_cmp(&it[j].k, &it[i].k) == 0)
            j++;
        struct gpu *g = &gpus[ng];
        memset(g, 0, sizeof *g);
        g->k = it[i].k;
        g->ref = (struct fl_gpu_ref){it[i].k.pci, it[i].k.uuid, it[i].k.index};
        g->ep0 = ne;
        struct episode *open = NULL;        /* the episode the last sample extended */
        const struct fl_event *prev = NULL; /* the GPU's previous throttle sample */
        for (size_t k = i; k < j; k++) {
            const struct fl_event *ev = it[k].ev;
            if (!g->ref.uuid && ev->gpu.uuid)
                g->ref.uuid = ev->gpu.uuid;
            if (g->ref.index < 0 && ev->gpu.index >= 0)
                g->ref.index = ev->gpu.index;
            if (it[k].cls != C_THROTTLE) {
                int which = it[k].cls == C_TEMP_GPU ? 0 : 1;
                if (!g->ntemp[which]++)
                    g->temp[which] = &it[k];
                continue;
            }
            g->throttled_seen = true;
            bool active = (ev->u.throttle.reasons & trig) != 0;
            if (open && (!active || ev->ts - prev->ts > gap)) {
                if (open->end - open->start < min_dur)
                    ne--; /* too short to count */
                open = NULL;
            }
            if (active && open) {
                open->last = ev;
                open->end = ev->ts;
                open->n++;
                open->mask |= ev->u.throttle.reasons;
            } else if (active) {
                eps[ne] = (struct episode){ev->ts,       ev->ts, ev, ev, 1, ev->u.throttle.reasons,
                                           (uint32_t)ng, -1};
                open = &eps[ne++];
            }
            prev = ev;
        }
        if (open && open->end - open->start < min_dur)
            ne--;
        g->nep = ne - g->ep0;
        ng++;
        i = j;
    }

    /* per node: node stretches first, then one verdict per GPU for what is left */
    int rc = 0;
    for (size_t a = 0; a < ng && rc == 0;) {
        size_t b = a + 1;
        while (b < ng && gpus[b].k.node == gpus[a].k.node)
            b++;
        size_t e0 = gpus[a].ep0, e1 = gpus[b - 1].ep0 + gpus[b - 1].nep;
        rc = node_pass(w, cfg, out, gpus, a, b, eps, e0, e1, trig);
        for (size_t g = a; g < b && rc == 0; g++)
            rc = emit_gpu(w, cfg, out, gpus, a, b, g, eps, trig);
        a = b;
    }
    return rc ? rc : out->error;
}

const struct fl_detector fl_detector_thermal_throttle = {
    .name = "thermal_throttle",
    .summary = "GPUs held down by thermal or power-brake clock reasons longer than a duration, "
               "one hot GPU told apart from a whole node",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_THROTTLE) | FL_EV_BIT(FL_EV_GPU_SAMPLE) | FL_EV_BIT(FL_EV_ECC) |
             FL_EV_BIT(FL_EV_XID),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
