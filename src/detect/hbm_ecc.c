/* hbm_ecc: GPU memory (HBM) errors, one verdict per GPU.
 *
 * Reads NVIDIA Xids 48 (double-bit ECC), 63/64 (row remap recorded / failed), 92 (high
 * single-bit rate), 94/95 (contained / uncontained memory error) and 140 (unrecovered ECC),
 * the NVRM lines that name the same facts, and the ECC counters and row-remapper flags of
 * dcgm-exporter, the Prometheus API and nvidia-smi. Everything about one GPU becomes one
 * verdict whose pattern is its most serious finding; the rest is evidence.
 *
 * Identity: records are joined per (node, GPU). The GPU is its PCI address; a record without
 * one (a DCGM scrape without pci_bus_id) takes the address another record of the same node
 * pairs with its UUID or index, so an Xid 48 from dmesg and a DBE counter rise from DCGM land
 * in the same verdict.
 *
 * Counters: a counter that rises between two wall-clock samples of the same series (node,
 * GPU, counter, volatile/aggregate, source metric) is the signal. A first sample that is
 * already high is history (errors before the window): at most an info verdict. A drop is a
 * counter reset (GPU reset, driver reload): the next sample counts from the new value.
 * Flags (remap pending, remap failure, pages pending retirement) are states: the latest
 * reading counts, and a pending flag that a later reading clears was applied by a reset.
 *
 * A one-off record (an NVRM kernel line, count 1) is told from a counter reading by its raw
 * bytes: kernel lines carry "NVRM". An NVRM ECC record at the same time and GPU as a memory
 * Xid is that Xid's line read twice and is not counted again. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/gpu_ident.h"
#include "faultline/catalog.h"
#include "faultline/detector.h"
#include "faultline/err.h"

enum { P_SBE_THRESHOLD, P_SBE_WINDOW, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_SBE_THRESHOLD] = {"sbe_threshold", FL_CFG_INT, "100", "1", "1000000000",
                         "correctable (single-bit) ECC errors within sbe_window on one GPU that "
                         "give a warning; the default, 100 an hour (one every 36 s, sustained), "
                         "reports only a GPU that keeps producing them, since hardware corrects "
                         "each one and NVIDIA's catalog asks no action for the driver's own "
                         "high-rate report (Xid 92: IGNORE)"},
    [P_SBE_WINDOW] = {"sbe_window", FL_CFG_DURATION, "1h", "1m", "7d",
                      "the sliding window the correctable-error count is taken over (a rise "
                      "spread over a longer gap between samples counts pro rata)"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "16", "4", "1000",
                        "most records listed as evidence per verdict (first and last of each "
                        "kind kept)"},
};

static const struct fl_pattern patterns[] = {
    {"hbm_ecc.remap_failure",
     "The GPU's row remapper failed (Xid 64 or the remap-failure flag): its memory can no "
     "longer repair itself. NVIDIA's RMA criterion for row remapping is this flag once its field "
     "diagnostic validates it: drain the GPU, run the diagnostic, RMA."},
    {"hbm_ecc.uncontained",
     "An uncorrectable memory error escaped containment (Xid 95): every process on the GPU may "
     "have read bad data. Drain and reset the GPU (catalog RESET_GPU); recurrence after the "
     "reset is a support/RMA case."},
    {"hbm_ecc.uncorrectable",
     "An uncorrectable ECC error (Xid 48 or 140, or a double-bit counter that rose between two "
     "samples): reset the GPU (with a pending row remap: drain, then reset), as NVIDIA's "
     "catalog says. A warning when a later reading shows a reset already applied the remap."},
    {"hbm_ecc.contained",
     "A contained memory error (Xid 94): the driver stopped the application that touched the "
     "bad memory and offlined the page. Restart that application; the GPU keeps serving."},
    {"hbm_ecc.remap_pending",
     "A row remap is pending (Xid 63 or the pending flag): it takes effect at the next GPU "
     "reset. The GPU keeps serving; drain and reset it at the next maintenance window."},
    {"hbm_ecc.sbe_rate",
     "Correctable (single-bit) ECC errors at or above sbe_threshold within sbe_window, or the "
     "driver's own high-rate report (Xid 92): the memory is degrading; watch it. Counts below "
     "the threshold are normal and never reported."},
    {"hbm_ecc.history",
     "Uncorrectable-error counters were already non-zero at the first sample and did not rise: "
     "errors before the window, not an incident (info)."},
    {NULL, NULL},
};

/* Findings, most serious first: the first one present names the verdict. */
enum { F_FAILURE, F_UNCONTAINED, F_UNCORR, F_CONTAINED, F_PENDING, F_SBE, F_HISTORY, F__N };

static const char *const pattern_of[F__N] = {
    "hbm_ecc.remap_failure", "hbm_ecc.uncontained", "hbm_ecc.uncorrectable", "hbm_ecc.contained",
    "hbm_ecc.remap_pending", "hbm_ecc.sbe_rate",    "hbm_ecc.history",
};
static const enum fl_severity severity_of[F__N] = {
    FL_SEV_CRITICAL, FL_SEV_CRITICAL, FL_SEV_CRITICAL, FL_SEV_ERROR,
    FL_SEV_WARNING,  FL_SEV_WARNING,  FL_SEV_INFO,
};

/* ---- items: every record read, grouped by GPU, then by series ----------------------------- */

enum { C_XID = 0, C_ONEOFF = 1, C_READING = 2 };

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
    if (x->cls == C_XID) {
        if (x->ev->u.xid.code != y->ev->u.xid.code)
            return x->ev->u.xid.code < y->ev->u.xid.code ? -1 : 1;
    } else {
        const struct fl_ev_ecc *p = &x->ev->u.ecc, *q = &y->ev->u.ecc;
        if (p->ecc_kind != q->ecc_kind)
            return p->ecc_kind < q->ecc_kind ? -1 : 1;
        if (x->cls == C_READING) {
            if (p->aggregate != q->aggregate)
                return p->aggregate ? 1 : -1;
            if ((c = fl_str_cmp(p->text, q->text)) != 0)
                return c;
        }
    }
    return fl_event_cmp(x->ev, y->ev);
}

/* Same series (or same Xid code / one-off kind) as the item before. */
static bool same_run(const struct item *x, const struct item *y)
{
    if (fl_gkey_cmp(&x->k, &y->k) || x->cls != y->cls)
        return false;
    if (x->cls == C_XID)
        return x->ev->u.xid.code == y->ev->u.xid.code;
    const struct fl_ev_ecc *p = &x->ev->u.ecc, *q = &y->ev->u.ecc;
    if (p->ecc_kind != q->ecc_kind)
        return false;
    return x->cls == C_ONEOFF || (p->aggregate == q->aggregate && fl_str_eq(p->text, q->text));
}

static bool is_kernel_line(const struct fl_event *ev)
{
    return ev->raw.len && fl_memmem(ev->raw.ptr, ev->raw.ptr + ev->raw.len, "NVRM", 4) != NULL;
}

/* An NVRM ECC record that is the ECC reading of a memory Xid line (same node, GPU, time). */
static bool echoes_xid(const struct fl_window *w, const struct fl_event *ev)
{
    struct fl_evlist l = ev->gpu.pci ? fl_window_gpu(w, FL_EV_XID, ev->node, ev->gpu.pci)
                                     : fl_window_node(w, FL_EV_XID, ev->node);
    for (size_t i = fl_evlist_lower_bound(l, ev->ts); i < l.n && l.v[i]->ts == ev->ts; i++)
        if (l.v[i]->clock == ev->clock && l.v[i]->gpu.pci == ev->gpu.pci &&
            fl_xid_is_memory(l.v[i]->u.xid.code))
            return true;
    return false;
}

/* ---- per-GPU summary ---------------------------------------------------------------------- */

#define EV_CAP 128

struct evi {
    const struct fl_event *ev;
    const char *desc;
    uint8_t f; /* finding it supports (F__N: context only) */
};

struct xidrun {
    uint32_t code;
    size_t n;
};

struct gsum {
    bool f[F__N];
    int64_t ts[F__N]; /* earliest wall time of each finding's evidence */
    struct evi ev[EV_CAP];
    size_t nev;
    struct xidrun xids[8];
    size_t nxids;
    size_t n_oneoff[F__N];
    int64_t dbe_rise, unc_rows_rise; /* counter rises */
    const char *dbe_series;
    int64_t sbe_count; /* most correctable errors in one window (pro rata) */
    bool sbe_hit;      /* sbe_count reached the threshold */
    int64_t hist_dbe;  /* largest uncorrectable count already there at the first sample */
    bool fail_flag, pend_flag, retire_flag, retire_xid, pend_cleared;
    int64_t pend_last, clear_ts;
    bool pend_nonwall;
    const struct fl_event *clear_ev;
    struct fl_str proc;
    int64_t pid;
};

static void note_ts(struct gsum *g, int f, const struct fl_event *ev)
{
    if (ev->clock != FL_CLOCK_WALL)
        return;
    if (g->ts[f] == FL_TIME_NONE || ev->ts < g->ts[f])
        g->ts[f] = ev->ts;
}

static void add_ev(struct gsum *g, int f, const struct fl_event *ev, const char *desc)
{
    if (!desc || g->nev >= EV_CAP)
        return;
    for (size_t i = 0; i < g->nev; i++)
        if (g->ev[i].ev == ev)
            return;
    g->ev[g->nev++] = (struct evi){ev, desc, (uint8_t)f};
}

static const char *dur(int64_t ns, char buf[FL_TIME_BUF])
{
    fl_duration_format(ns < 0 ? 0 : ns, buf);
    return buf;
}

static int finding_of_xid(uint32_t code)
{
    switch (code) {
    case 48:
    case 140:
        return F_UNCORR;
    case 63:
        return F_PENDING;
    case 64:
        return F_FAILURE;
    case 92:
        return F_SBE;
    case 94:
        return F_CONTAINED;
    case 95:
        return F_UNCONTAINED;
    default:
        return -1;
    }
}

static void on_xids(struct fl_verdict_sink *out, struct gsum *g, const struct item *it, size_t n)
{
    uint32_t code = it[0].ev->u.xid.code;
    int f = finding_of_xid(code);
    if (f < 0)
        return;
    g->f[f] = true;
    if (g->nxids < sizeof g->xids / sizeof g->xids[0])
        g->xids[g->nxids++] = (struct xidrun){code, n};
    for (size_t i = 0; i < n; i++) {
        const struct fl_event *ev = it[i].ev;
        note_ts(g, f, ev);
        if (f == F_PENDING && ev->clock == FL_CLOCK_WALL && ev->ts > g->pend_last)
            g->pend_last = ev->ts;
        if (f == F_PENDING && ev->clock != FL_CLOCK_WALL)
            g->pend_nonwall = true;
        if (code == 63 && ev->u.xid.text.len &&
            fl_memmem(ev->u.xid.text.ptr, ev->u.xid.text.ptr + ev->u.xid.text.len, "etire", 5))
            g->retire_xid = true; /* pre-Ampere: "Dynamic Page Retirement: New page retired" */
        if (code == 94 && !g->proc.len && ev->u.xid.process.len) {
            g->proc = ev->u.xid.process;
            g->pid = ev->u.xid.pid;
        }
    }
    const struct fl_xid_info *info = fl_xid_lookup(code);
    for (size_t k = 0; k < (n > 1 ? 2u : 1u); k++) {
        const struct fl_event *ev = it[k ? n - 1 : 0].ev;
        add_ev(g, f, ev,
               fl_verdict_printf(out, "XID %u (%s)%s: %.*s", code,
                                 info ? info->description : "unknown",
                                 n < 2 ? ""
                                 : k   ? " (last)"
                                       : " (first)",
                                 FL_STR_FMT(ev->u.xid.text)));
    }
}

static void on_oneoffs(const struct fl_window *w, struct fl_verdict_sink *out, struct gsum *g,
                       const struct item *it, size_t n)
{
    int f;
    switch (it[0].ev->u.ecc.ecc_kind) {
    case FL_ECC_DBE:
        f = F_UNCORR;
        break;
    case FL_ECC_REMAP_PENDING:
        f = F_PENDING;
        break;
    case FL_ECC_REMAP_FAILURE:
        f = F_FAILURE;
        break;
    case FL_ECC_CONTAINED:
        f = F_CONTAINED;
        break;
    case FL_ECC_UNCONTAINED:
        f = F_UNCONTAINED;
        break;
    default:
        return; /* single-bit and page-retirement lines: the counters say more */
    }
    const struct fl_event *first = NULL, *last = NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct fl_event *ev = it[i].ev;
        if (echoes_xid(w, ev))
            continue;
        first = first ? first : ev;
        last = ev;
        m++;
        note_ts(g, f, ev);
        if (f == F_PENDING && ev->clock == FL_CLOCK_WALL && ev->ts > g->pend_last)
            g->pend_last = ev->ts;
        if (f == F_PENDING && ev->clock != FL_CLOCK_WALL)
            g->pend_nonwall = true;
    }
    if (!m)
        return;
    g->f[f] = true;
    g->n_oneoff[f] += m;
    add_ev(g, f, first,
           fl_verdict_printf(out, "NVRM%s: %.*s", m > 1 ? " (first)" : "",
                             FL_STR_FMT(first->u.ecc.text)));
    if (m > 1)
        add_ev(g, f, last,
               fl_verdict_printf(out, "NVRM (last of %zu): %.*s", m, FL_STR_FMT(last->u.ecc.text)));
}

/* Wall-clock readings of a series, ts order (the run is sorted by fl_event_cmp; readings
 * without a wall time sort elsewhere and are skipped here). */
static size_t wall_readings(const struct item *it, size_t n, const struct fl_event **v)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].ev->clock == FL_CLOCK_WALL)
            v[m++] = it[i].ev;
    return m;
}

static int64_t max_nonwall(const struct item *it, size_t n, const struct fl_event **at)
{
    int64_t best = -1;
    for (size_t i = 0; i < n; i++)
        if (it[i].ev->clock != FL_CLOCK_WALL && it[i].ev->u.ecc.count > best) {
            best = it[i].ev->u.ecc.count;
            *at = it[i].ev;
        }
    return best;
}

static void on_flag(struct fl_verdict_sink *out, struct gsum *g, const struct item *it, size_t n,
                    const struct fl_event **v)
{
    uint8_t kind = it[0].ev->u.ecc.ecc_kind;
    int f = kind == FL_ECC_REMAP_FAILURE ? F_FAILURE : F_PENDING;
    const char *what = kind == FL_ECC_REMAP_FAILURE    ? "row remapping failure"
                       : kind == FL_ECC_RETIRE_PENDING ? "pages pending retirement"
                                                       : "row remap pending";
    size_t m = wall_readings(it, n, v);
    if (m == 0) { /* snapshots without a time: the state they show is the state */
        const struct fl_event *at = NULL;
        if (max_nonwall(it, n, &at) <= 0)
            return;
        g->f[f] = true;
        if (kind == FL_ECC_REMAP_PENDING)
            g->pend_nonwall = true;
        g->fail_flag |= kind == FL_ECC_REMAP_FAILURE;
        g->pend_flag |= kind == FL_ECC_REMAP_PENDING;
        g->retire_flag |= kind == FL_ECC_RETIRE_PENDING;
        add_ev(g, f, at,
               fl_verdict_printf(out, "%.*s = %lld: %s (snapshot without a time)",
                                 FL_STR_FMT(at->u.ecc.text), (long long)at->u.ecc.count, what));
        return;
    }
    const struct fl_event *lastv = v[m - 1];
    if (lastv->u.ecc.count <= 0) {
        /* a remap-pending flag that reads 0 after every sign of the remap: a reset applied it;
         * the reading that shows it is the first 0 of the final run of zeros */
        if (kind != FL_ECC_REMAP_PENDING)
            return;
        size_t z = m - 1, set = m;
        while (z > 0 && v[z - 1]->u.ecc.count <= 0)
            z--;
        for (size_t i = 0; i < m; i++)
            if (v[i]->u.ecc.count > 0) {
                set = set == m ? i : set;
                if (v[i]->ts > g->pend_last)
                    g->pend_last = v[i]->ts;
            }
        if (set < m)
            add_ev(g, F_PENDING, v[set],
                   fl_verdict_printf(out, "%.*s = %lld: %s", FL_STR_FMT(v[set]->u.ecc.text),
                                     (long long)v[set]->u.ecc.count, what));
        if (v[z]->ts > g->clear_ts) {
            g->clear_ts = v[z]->ts;
            g->clear_ev = v[z];
        }
        return;
    }
    size_t s = m - 1; /* the run of set readings that lasts to the end */
    while (s > 0 && v[s - 1]->u.ecc.count > 0)
        s--;
    g->f[f] = true;
    g->fail_flag |= kind == FL_ECC_REMAP_FAILURE;
    g->pend_flag |= kind == FL_ECC_REMAP_PENDING;
    g->retire_flag |= kind == FL_ECC_RETIRE_PENDING;
    note_ts(g, f, v[s]);
    if (kind == FL_ECC_REMAP_PENDING && lastv->ts > g->pend_last)
        g->pend_last = lastv->ts;
    add_ev(g, f, v[s],
           fl_verdict_printf(out, "%.*s = %lld: %s%s", FL_STR_FMT(v[s]->u.ecc.text),
                             (long long)v[s]->u.ecc.count, what,
                             s > 0 ? " (was 0 at the reading before)" : ""));
    if (m - s > 1)
        add_ev(g, f, lastv,
               fl_verdict_printf(out, "%.*s still %lld at the last of %zu readings",
                                 FL_STR_FMT(lastv->u.ecc.text), (long long)lastv->u.ecc.count,
                                 m - s));
}

/* A counter: rises between consecutive wall readings, resets, first-sample history. For
 * single-bit counters also the most errors within one sbe_window. */
static int on_counter(const union fl_cfg_value *cfg, struct fl_verdict_sink *out, struct gsum *g,
                      const struct item *it, size_t n, const struct fl_event **v)
{
    uint8_t kind = it[0].ev->u.ecc.ecc_kind;
    bool sbe = kind == FL_ECC_SBE;
    int fr = sbe ? F_SBE : F_UNCORR;
    size_t m = wall_readings(it, n, v);
    char d1[FL_TIME_BUF];
    if (m == 0) {
        const struct fl_event *at = NULL;
        int64_t c = max_nonwall(it, n, &at);
        if (!sbe && c > 0) {
            g->f[F_HISTORY] = true;
            note_ts(g, F_HISTORY, at);
            if (c > g->hist_dbe)
                g->hist_dbe = c;
            add_ev(g, F_HISTORY, at,
                   fl_verdict_printf(out,
                                     "%.*s = %lld in a snapshot without a time: errors before "
                                     "it, not a rise seen here (history)",
                                     FL_STR_FMT(at->u.ecc.text), (long long)c));
        }
        return 0;
    }
    int64_t total = 0;
    const struct fl_event *rise_first = NULL, *rise_last = NULL, *reset_ev = NULL;
    int64_t first_from = 0, last_from = 0, reset_from = 0;
    int64_t first_gap = 0, last_gap = 0;
    int64_t *contrib = sbe ? FL_ARENA_NEW_N(out->arena, int64_t, m) : NULL;
    if (sbe && !contrib)
        return FL_ENOMEM;
    int64_t win = cfg[P_SBE_WINDOW].i;
    for (size_t i = 0; i < m; i++) {
        if (contrib)
            contrib[i] = 0;
        if (i == 0)
            continue;
        int64_t a = v[i - 1]->u.ecc.count, b = v[i]->u.ecc.count;
        if (b < a) {
            reset_ev = reset_ev ? reset_ev : v[i];
            reset_from = reset_ev == v[i] ? a : reset_from;
            continue;
        }
        if (b == a)
            continue;
        int64_t d = b - a, gap = v[i]->ts - v[i - 1]->ts;
        total += d;
        if (!rise_first) {
            rise_first = v[i];
            first_from = a;
            first_gap = gap;
        }
        rise_last = v[i];
        last_from = a;
        last_gap = gap;
        if (contrib)
            contrib[i] = gap > win ? (int64_t)((double)d * (double)win / (double)gap) : d;
    }
    if (v[0]->u.ecc.count > 0 && !sbe) {
        note_ts(g, F_HISTORY, v[0]);
        g->f[F_HISTORY] = true;
        if (v[0]->u.ecc.count > g->hist_dbe)
            g->hist_dbe = v[0]->u.ecc.count;
        add_ev(g, F_HISTORY, v[0],
               fl_verdict_printf(out,
                                 "%.*s already %lld at the first reading: errors before the "
                                 "window (history), not counted",
                                 FL_STR_FMT(v[0]->u.ecc.text), (long long)v[0]->u.ecc.count));
    }
    if (reset_ev)
        add_ev(g, F__N, reset_ev,
               fl_verdict_printf(out,
                                 "%.*s dropped %lld -> %lld: counter reset (GPU reset or driver "
                                 "reload), not a negative rise",
                                 FL_STR_FMT(reset_ev->u.ecc.text), (long long)reset_from,
                                 (long long)reset_ev->u.ecc.count));
    if (!sbe) {
        if (!total)
            return 0;
        g->f[F_UNCORR] = true;
        if (kind == FL_ECC_REMAPPED_UNCORRECTABLE)
            g->unc_rows_rise += total;
        else if (total > g->dbe_rise) {
            g->dbe_rise = total;
            g->dbe_series = fl_verdict_printf(out, "%.*s", FL_STR_FMT(rise_first->u.ecc.text));
        }
        note_ts(g, fr, rise_first);
        add_ev(g, fr, rise_first,
               fl_verdict_printf(out, "%.*s rose %lld -> %lld (+%lld) within %s",
                                 FL_STR_FMT(rise_first->u.ecc.text), (long long)first_from,
                                 (long long)rise_first->u.ecc.count,
                                 (long long)(rise_first->u.ecc.count - first_from),
                                 dur(first_gap, d1)));
        if (rise_last != rise_first)
            add_ev(g, fr, rise_last,
                   fl_verdict_printf(out, "%.*s rose %lld -> %lld (+%lld) within %s (last rise)",
                                     FL_STR_FMT(rise_last->u.ecc.text), (long long)last_from,
                                     (long long)rise_last->u.ecc.count,
                                     (long long)(rise_last->u.ecc.count - last_from),
                                     dur(last_gap, d1)));
        return 0;
    }
    /* most correctable errors inside any window (t - sbe_window, t] */
    int64_t sum = 0, best = 0;
    size_t l = 0, bl = 0, br = 0;
    for (size_t r = 0; r < m; r++) {
        sum += contrib[r];
        while (v[r]->ts - v[l]->ts >= win)
            sum -= contrib[l++];
        if (sum > best) {
            best = sum;
            bl = l;
            br = r;
        }
    }
    if (best > g->sbe_count)
        g->sbe_count = best;
    if (best < cfg[P_SBE_THRESHOLD].i)
        return 0;
    g->sbe_hit = true;
    g->f[F_SBE] = true;
    while (bl < br && contrib[bl] == 0)
        bl++;
    note_ts(g, F_SBE, v[bl]);
    add_ev(g, F_SBE, v[bl],
           fl_verdict_printf(out, "%.*s = %lld: first rise of the busiest %s",
                             FL_STR_FMT(v[bl]->u.ecc.text), (long long)v[bl]->u.ecc.count,
                             dur(win, d1)));
    add_ev(g, F_SBE, v[br],
           fl_verdict_printf(out, "%.*s = %lld: %lld correctable errors within %s (threshold %lld)",
                             FL_STR_FMT(v[br]->u.ecc.text), (long long)v[br]->u.ecc.count,
                             (long long)best, dur(win, d1), (long long)cfg[P_SBE_THRESHOLD].i));
    return 0;
}

static int on_readings(const union fl_cfg_value *cfg, struct fl_verdict_sink *out, struct gsum *g,
                       const struct item *it, size_t n)
{
    const struct fl_event **v = FL_ARENA_NEW_N(out->arena, const struct fl_event *, n);
    if (!v)
        return FL_ENOMEM;
    switch (it[0].ev->u.ecc.ecc_kind) {
    case FL_ECC_REMAP_PENDING:
    case FL_ECC_REMAP_FAILURE:
    case FL_ECC_RETIRE_PENDING:
        on_flag(out, g, it, n, v);
        return 0;
    case FL_ECC_SBE:
    case FL_ECC_DBE:
    case FL_ECC_REMAPPED_UNCORRECTABLE:
        return on_counter(cfg, out, g, it, n, v);
    default:
        return 0; /* retired pages, rows remapped for correctable errors: context only */
    }
}

/* ---- the verdict ---------------------------------------------------------------------------- */

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

static size_t xid_count(const struct gsum *g, uint32_t code)
{
    for (size_t i = 0; i < g->nxids; i++)
        if (g->xids[i].code == code)
            return g->xids[i].n;
    return 0;
}

/* The pending finding is a row remap (not a pre-Ampere page retirement). */
static bool remap_pending_seen(const struct gsum *g)
{
    return g->pend_flag || (xid_count(g, 63) && !g->retire_xid) || g->n_oneoff[F_PENDING];
}

static void put_xid(struct buf *b, const struct gsum *g, uint32_t code, bool *sep)
{
    size_t n = xid_count(g, code);
    if (!n)
        return;
    put(b, "%sXID %u", *sep ? ", " : "", code);
    if (n > 1)
        put(b, " x%zu", n);
    *sep = true;
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

/* What one finding says: a noun ("contained") and its detail ("XID 94 x9, process ..."). */
static void finding_text(const struct gsum *g, int f, const union fl_cfg_value *cfg,
                         const char **noun, struct buf *d)
{
    bool sep = false;
    switch (f) {
    case F_FAILURE:
        *noun = "row-remap failure";
        if (g->fail_flag) {
            put(d, "failure flag set");
            sep = true;
        }
        put_xid(d, g, 64, &sep);
        if (g->n_oneoff[F_FAILURE])
            put(d, "%sNVRM x%zu", sep ? ", " : "", g->n_oneoff[F_FAILURE]);
        return;
    case F_UNCONTAINED:
        *noun = "uncontained error";
        put_xid(d, g, 95, &sep);
        if (g->n_oneoff[F_UNCONTAINED])
            put(d, "%sNVRM x%zu", sep ? ", " : "", g->n_oneoff[F_UNCONTAINED]);
        return;
    case F_UNCORR:
        *noun = "uncorrectable ECC";
        put_xid(d, g, 48, &sep);
        put_xid(d, g, 140, &sep);
        if (g->n_oneoff[F_UNCORR]) {
            put(d, "%sNVRM x%zu", sep ? ", " : "", g->n_oneoff[F_UNCORR]);
            sep = true;
        }
        if (g->dbe_rise) {
            put(d, "%s%s +%lld", sep ? ", " : "", g->dbe_series, (long long)g->dbe_rise);
            sep = true;
        }
        if (g->unc_rows_rise)
            put(d, "%s+%lld rows remapped for uncorrectable errors", sep ? ", " : "",
                (long long)g->unc_rows_rise);
        return;
    case F_CONTAINED:
        *noun = "contained";
        put_xid(d, g, 94, &sep);
        if (g->n_oneoff[F_CONTAINED] && !sep) {
            put(d, "NVRM x%zu", g->n_oneoff[F_CONTAINED]);
            sep = true;
        }
        if (g->proc.len)
            put(d, "%sprocess %.*s pid %lld stopped", sep ? ", " : "", FL_STR_FMT(g->proc),
                (long long)g->pid);
        return;
    case F_PENDING:
        *noun = remap_pending_seen(g) ? "row remap pending" : "pages pending retirement";
        put_xid(d, g, 63, &sep);
        if (g->pend_flag || g->retire_flag)
            put(d, "%sflag set", sep ? ", " : "");
        return;
    case F_SBE:
        *noun = "high correctable-error rate";
        if (g->sbe_hit) {
            char w[FL_TIME_BUF];
            put(d, "%lld correctable errors within %s, threshold %lld", (long long)g->sbe_count,
                dur(cfg[P_SBE_WINDOW].i, w), (long long)cfg[P_SBE_THRESHOLD].i);
            sep = true;
        }
        if (xid_count(g, 92))
            put(d, "%sXID 92: the driver reports a high single-bit rate", sep ? ", " : "");
        return;
    default:
        *noun = "uncorrectable-error history";
        put(d, "count %lld already at the first reading", (long long)g->hist_dbe);
        return;
    }
}

/* "<What> on <node> <GPU>: <detail of the top finding>; <other finding> (<detail>); ..." */
static void headline(struct buf *b, const struct gsum *g, int top, const char *node,
                     const char *gpu, const union fl_cfg_value *cfg)
{
    static const char *const what[F__N] = {
        "Row remapping failed",      "Uncontained memory error", "Uncorrectable ECC error",
        "Contained memory error",    "Row remap pending",        "High correctable ECC error rate",
        "Uncorrectable ECC history",
    };
    const char *noun = NULL;
    struct buf d = {.n = 0};
    d.s[0] = '\0';
    finding_text(g, top, cfg, &noun, &d);
    const char *lead = what[top];
    if (top == F_PENDING && !remap_pending_seen(g))
        lead = "Page retirement pending";
    put(b, "%s on %s %s%s%s", lead, node, gpu, d.n ? ": " : "", d.s);
    for (int f = top + 1; f < F__N; f++) {
        if (!g->f[f])
            continue;
        d.n = 0;
        d.s[0] = '\0';
        finding_text(g, f, cfg, &noun, &d);
        put(b, "; %s%s%s%s", noun, d.n ? " (" : "", d.s, d.n ? ")" : "");
    }
    if (g->pend_cleared && !g->f[F_PENDING])
        put(b, "; row remap applied by a later reset");
}

static void remediation(struct buf *b, const struct gsum *g, int top, const char *node,
                        const char *gpu)
{
    char proc[96] = "the application that was stopped";
    if (g->proc.len)
        snprintf(proc, sizeof proc, "%.*s (pid %lld)", FL_STR_FMT(g->proc), (long long)g->pid);
    switch (top) {
    case F_FAILURE:
        put(b,
            "Drain %s and take %s out of service: reset it before any new work (catalog "
            "RESET_GPU for XID 64) and run NVIDIA's field diagnostic; a row-remapping failure "
            "it validates meets NVIDIA's RMA criterion, so open an RMA with its result "
            "(catalog CONTACT_SUPPORT).",
            node, gpu);
        return;
    case F_UNCONTAINED:
        put(b,
            "Drain %s and reset %s before it runs new work (catalog RESET_GPU for XID 95): an "
            "uncontained error may have corrupted every process on it. If uncontained errors "
            "recur after the reset, contact NVIDIA support (RMA).",
            node, gpu);
        return;
    case F_UNCORR:
        if (g->f[F_CONTAINED])
            put(b, "Restart %s (catalog RESTART_APP for XID 94). ", proc);
        if (g->pend_cleared && !g->f[F_PENDING]) {
            put(b,
                "A GPU reset already ran after the error (a later reading shows the pending row "
                "remap "
                "applied): "
                "%s on %s can serve again; if uncorrectable errors recur, contact NVIDIA support "
                "(catalog CONTACT_SUPPORT).",
                gpu, node);
            return;
        }
        if (g->f[F_PENDING])
            put(b,
                "Drain %s and reset %s (nvidia-smi -r) to apply the pending row remap (catalog "
                "WORKFLOW_XID_48: with XID 63/64, drain and reset).",
                node, gpu);
        else
            put(b, "Reset %s on %s before it runs new work (catalog %s).", gpu, node,
                xid_count(g, 140) && !xid_count(g, 48)
                    ? "RESET_GPU for XID 140; if it recurs, CONTACT_SUPPORT"
                    : "WORKFLOW_XID_48: alone, reset the GPU");
        return;
    case F_CONTAINED:
        put(b,
            "Restart %s (catalog RESTART_APP for XID 94); %s on %s keeps serving other work: the "
            "driver offlined the bad page.",
            proc, gpu, node);
        if (g->f[F_PENDING])
            put(b, " Drain and reset it at the next maintenance window to apply the pending "
                   "row remap.");
        return;
    case F_PENDING:
        if (!remap_pending_seen(g))
            put(b,
                "%s on %s keeps serving; reset it (or reload the driver) at the next maintenance "
                "window so the pending pages are retired.",
                gpu, node);
        else
            put(b,
                "%s on %s keeps serving (NVIDIA: a pending remap does not affect new work); at the "
                "next maintenance window drain it and reset it (nvidia-smi -r) to apply the "
                "remap.",
                gpu, node);
        return;
    case F_SBE:
        put(b,
            "No immediate action: correctable errors are fixed in hardware (catalog IGNORE for "
            "XID 92). Watch %s on %s: check nvidia-smi -q -d ECC,ROW_REMAPPER for uncorrectable "
            "errors and remaps; if the rate persists, open a support case (catalog "
            "CONTACT_SUPPORT).",
            gpu, node);
        return;
    default:
        put(b,
            "No action for history alone: these errors happened before the window. Check "
            "nvidia-smi -q -d ROW_REMAPPER on %s for a pending or failed remap.",
            node);
        return;
    }
}

static int cmp_evi(const void *a, const void *b)
{
    return fl_event_cmp(((const struct evi *)a)->ev, ((const struct evi *)b)->ev);
}

static int emit(const struct fl_window *w, const union fl_cfg_value *cfg,
                struct fl_verdict_sink *out, struct gsum *g, const struct fl_gpu_ref *gpu,
                uint32_t node_id)
{
    if (g->clear_ev && g->f[F_PENDING] && !g->pend_nonwall && g->clear_ts > g->pend_last) {
        g->f[F_PENDING] = g->retire_flag; /* pages pending retirement are another matter */
        g->pend_flag = false;
        g->pend_cleared = true;
        add_ev(g, F__N, g->clear_ev,
               fl_verdict_printf(out, "%.*s = 0 again: a GPU reset applied the remap",
                                 FL_STR_FMT(g->clear_ev->u.ecc.text)));
    }
    int top = 0;
    while (top < F__N && !g->f[top])
        top++;
    if (top == F__N)
        return 0;
    const char *node = node_id ? fl_window_str(w, node_id) : "(unknown node)";
    char glabel[128];
    gpu_label(w, gpu, glabel, sizeof glabel);

    struct buf h = {.n = 0}, r = {.n = 0};
    headline(&h, g, top, node, glabel, cfg);
    remediation(&r, g, top, node, glabel);

    /* evidence: the findings in order of seriousness, context last, up to max_evidence */
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    struct fl_evidence *ev = FL_ARENA_NEW_N(out->arena, struct fl_evidence, g->nev ? g->nev : 1);
    struct evi *sel = FL_ARENA_NEW_N(out->arena, struct evi, g->nev ? g->nev : 1);
    if (!ev || !sel)
        return FL_ENOMEM;
    size_t ns = 0;
    for (int f = 0; f <= F__N; f++)
        for (size_t i = 0; i < g->nev && ns < maxev; i++)
            if (g->ev[i].f == f && (f == F__N || g->f[f] || (f == F_PENDING && g->pend_cleared)))
                sel[ns++] = g->ev[i];
    qsort(sel, ns, sizeof *sel, cmp_evi);
    for (size_t i = 0; i < ns; i++)
        ev[i] = (struct fl_evidence){sel[i].ev, sel[i].desc};

    struct fl_verdict v = {0};
    v.pattern_id = pattern_of[top];
    v.severity = severity_of[top];
    if (g->pend_cleared && !g->f[F_PENDING] && (top == F_UNCORR || top == F_CONTAINED))
        v.severity = FL_SEV_WARNING; /* the reset NVIDIA asks for already ran */
    v.ts = g->ts[top];
    if (v.ts == FL_TIME_NONE)
        for (int f = 0; f < F__N && v.ts == FL_TIME_NONE; f++)
            v.ts = g->ts[f];
    v.scope.node = node_id;
    v.scope.gpu = *gpu;
    v.headline = fl_verdict_printf(out, "%s", h.s);
    v.remediation = fl_verdict_printf(out, "%s", r.s);
    v.evidence = ev;
    v.nevidence = ns;
    return fl_verdict_emit(out, &v);
}

static void gsum_init(struct gsum *g)
{
    memset(g, 0, sizeof *g);
    for (int f = 0; f < F__N; f++)
        g->ts[f] = FL_TIME_NONE;
    g->pend_last = INT64_MIN;
    g->clear_ts = INT64_MIN;
    g->pid = -1;
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist xl = fl_window_kind(w, FL_EV_XID), el = fl_window_kind(w, FL_EV_ECC);
    if (!xl.n && !el.n)
        return 0;
    /* every GPU record pairs identities: a temperature sample names PCI and UUID too */
    static const enum fl_event_kind idkinds[] = {FL_EV_ECC, FL_EV_XID, FL_EV_GPU_SAMPLE,
                                                 FL_EV_THROTTLE};
    struct fl_idmap map;
    if (fl_idmap_build(&map, out->arena, w, idkinds, 4))
        return FL_ENOMEM;
    struct item *it = FL_ARENA_NEW_N(out->arena, struct item, xl.n + el.n);
    if (!it)
        return FL_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < xl.n; i++)
        if (finding_of_xid(xl.v[i]->u.xid.code) >= 0)
            it[n++] = (struct item){fl_gkey_of(&map, xl.v[i]), xl.v[i], C_XID};
    for (size_t i = 0; i < el.n; i++)
        it[n++] = (struct item){fl_gkey_of(&map, el.v[i]), el.v[i],
                                is_kernel_line(el.v[i]) ? C_ONEOFF : C_READING};
    qsort(it, n, sizeof *it, cmp_item);

    struct gsum *g = FL_ARENA_NEW(out->arena, struct gsum);
    if (!g)
        return FL_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && fl_gkey_cmp(&it[j].k, &it[i].k) == 0)
            j++;
        gsum_init(g);
        struct fl_gpu_ref gpu = {it[i].k.pci, it[i].k.uuid, it[i].k.index};
        for (size_t k = i; k < j; k++) { /* fill UUID and index from the GPU's records */
            if (!gpu.uuid && it[k].ev->gpu.uuid)
                gpu.uuid = it[k].ev->gpu.uuid;
            if (gpu.index < 0 && it[k].ev->gpu.index >= 0)
                gpu.index = it[k].ev->gpu.index;
        }
        for (size_t a = i; a < j && rc == 0;) {
            size_t b = a + 1;
            while (b < j && same_run(&it[a], &it[b]))
                b++;
            if (it[a].cls == C_XID)
                on_xids(out, g, &it[a], b - a);
            else if (it[a].cls == C_ONEOFF)
                on_oneoffs(w, out, g, &it[a], b - a);
            else
                rc = on_readings(cfg, out, g, &it[a], b - a);
            a = b;
        }
        if (rc == 0)
            rc = emit(w, cfg, out, g, &gpu, it[i].k.node);
        i = j;
    }
    return rc ? rc : out->error;
}

const struct fl_detector fl_detector_hbm_ecc = {
    .name = "hbm_ecc",
    .summary = "GPU memory errors per GPU: uncorrectable ECC, row remapping, contained and "
               "uncontained errors, correctable-error rate, with the catalog's action",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_ECC) | FL_EV_BIT(FL_EV_XID) | FL_EV_BIT(FL_EV_GPU_SAMPLE) |
             FL_EV_BIT(FL_EV_THROTTLE),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
