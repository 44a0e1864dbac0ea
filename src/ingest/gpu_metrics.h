/* gpu_metrics.h - what the four GPU-metrics readers share (prom_text.c, prom_api.c, nvsmi.c,
 * nvsmi_xml.c): the DCGM metric table, DCGM "blank" sentinels, label normalization (node and
 * GPU identity), nvidia-smi's clock-event reason names and its asctime-style timestamp, and the
 * uid of an event whose raw bytes alone do not say which GPU it is about.
 *
 * Contract: nothing here allocates on the heap. Views returned point into the caller's input or
 * into static storage; decoded label values go to ctx->arena; names are interned through ctx.
 * docs/formats/gpu-metrics.md describes the behaviour these functions implement.
 * Internal to src/ingest (not installed).
 */
#ifndef FAULTLINE_INGEST_GPU_METRICS_H
#define FAULTLINE_INGEST_GPU_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/event.h"
#include "faultline/ingest.h"
#include "faultline/str.h"

/* ---- DCGM metric table ----------------------------------------------------------------- */

/* What one metric name becomes: kind is FL_EV_THROTTLE, FL_EV_ECC (sub = enum fl_ecc_kind)
 * or FL_EV_GPU_SAMPLE (sub = enum fl_gpu_metric). */
struct fl_gm_metric {
    const char *name;
    uint8_t kind;
    uint8_t sub;
    bool aggregate; /* ecc only: lifetime counter */
};

/* Entry for a DCGM metric name (dcgm-exporter's DCGM_FI_* names and the old lower-case
 * dcgm_* names); every other DCGM_FI_* / DCGM_EXP_* / dcgm_* name maps to a gpu_sample of
 * metric "other". NULL for a metric that is not DCGM's (node_exporter, go_*, ...). */
const struct fl_gm_metric *fl__gm_lookup(struct fl_str name);

/* A sample value as DCGM wrote it: FL_GM_VALUE when *out holds a number, FL_GM_BLANK for
 * DCGM's "no data" sentinels (INT64 >= 0x7ffffffffffffff0, FP64 in [2^47, 2^47 + 16)) and for
 * NaN / +-Inf, FL_GM_BAD when the text is not a number. */
enum fl_gm_value { FL_GM_VALUE = 0, FL_GM_BLANK = 1, FL_GM_BAD = 2 };
enum fl_gm_value fl__gm_parse_value(struct fl_str text, double *out, uint64_t *u, bool *is_int);

/* Fill the payload of ev (already fl_event_init'ed with m->kind) from a value; metric_name
 * is kept as the gpu_sample name / ecc text. Returns FL_GM_VALUE, FL_GM_BLANK (emit nothing)
 * or FL_GM_BAD with *why set to a static reason. */
enum fl_gm_value fl__gm_fill(struct fl_event *ev, const struct fl_gm_metric *m,
                             struct fl_str metric_name, struct fl_str value, const char **why);

/* ---- labels ---------------------------------------------------------------------------- */

/* The labels a GPU metric's identity comes from, as raw views (still escaped when
 * *_esc is set: Prometheus text escapes \\ \" \n, JSON its own). */
enum fl_gm_label {
    FL_GML_GPU = 0,  /* gpu="0" (DCGM / NVML index) */
    FL_GML_UUID,     /* UUID / uuid */
    FL_GML_PCI,      /* pci_bus_id */
    FL_GML_DEVICE,   /* device="nvidia0" */
    FL_GML_HOSTNAME, /* Hostname / hostname */
    FL_GML_NODE,     /* kubernetes_node / node / nodename (set by Prometheus relabeling) */
    FL_GML__COUNT
};
struct fl_gm_labels {
    struct fl_str v[FL_GML__COUNT];
    bool esc[FL_GML__COUNT];
};
/* Which identity label a label name is, or -1. */
int fl__gm_label_id(struct fl_str name);

/* Label value decoder: the reader's unescape (Prometheus text or JSON) into the arena.
 * Returns false on OOM (with *oom set) or a bad escape. */
typedef bool (*fl_gm_unescape_fn)(struct fl_str raw, struct fl_arena *a, struct fl_str *out,
                                  bool *oom);

/* Recent label values and what they resolved to (an interned node, UUID or PCI id), so that a
 * scrape, which repeats the same few values on every line, does not hash and intern them again
 * per sample. Keys are views into the input. Zero-initialize; owns nothing. */
#define FL_GM_CACHE_WAYS 16
struct fl_gm_cache {
    struct {
        struct fl_str raw;
        uint32_t id;
    } e[FL_GML__COUNT][FL_GM_CACHE_WAYS];
    unsigned next[FL_GML__COUNT]; /* slot the next insertion takes */
    unsigned hit[FL_GML__COUNT];  /* slot after the last hit: where the next search starts */
};

/* Set ev->node and ev->gpu from the labels. The node is kubernetes_node / node / nodename,
 * else Hostname unless it names a dcgm-exporter pod or a Docker container id (12 hex
 * digits), else left 0 (the input's default node). cache may be NULL. Returns 0, FL_ENOMEM, or
 * FL_EPARSE with *why set (a pci_bus_id that is not a PCI address, a gpu label that is not an
 * index). */
int fl__gm_identity(struct fl_parse_ctx *ctx, const struct fl_gm_labels *l,
                    fl_gm_unescape_fn unescape, struct fl_gm_cache *cache, struct fl_event *ev,
                    const char **why);

/* ---- nvidia-smi ------------------------------------------------------------------------ */

/* "Wed Sep 25 10:40:24 2024" / "Fri Aug  4 11:44:30 2023" (C asctime, what nvidia-smi prints
 * as local time without a zone), read as UTC. false when s is not one. */
bool fl__gm_parse_asctime(struct fl_str s, int64_t *ns);

/* Clock-event reason bit for an nvidia-smi label: text "SW Power Cap", "Idle", "HW Slowdown",
 * or an XML element suffix "sw_power_cap", "gpu_idle", "display_clocks_setting". Looks the
 * name up in the catalog (fl_throttle_from_name). 0 when unknown. */
uint64_t fl__gm_throttle_bit(struct fl_str label);

/* Lower-case ASCII letters and digits of s, nothing else, into buf (cap bytes): "SW Power
 * Cap" -> "swpowercap", "sram_uncorrectable_secded" -> "sramuncorrectablesecded". */
struct fl_str fl__gm_squash(struct fl_str s, char *buf, size_t cap);

/* Leading number of "36 C", "43.89 W", "1,234 us", "0 %": false for "N/A" and friends. */
bool fl__gm_leading_number(struct fl_str s, double *out);
/* "Yes"/"No" (any case): 1 / 0; -1 otherwise ("N/A"). */
int fl__gm_yes_no(struct fl_str s);

/* One GPU's readings gathered from an nvidia-smi block (-q text or XML), turned into events
 * by fl__gm_gpu_flush. Spans are views into the input (raw bytes of the events). */
struct fl_gm_span {
    const char *b, *e;
    uint32_t line;
};
struct fl_gm_val {
    double v;
    struct fl_gm_span at;
    bool set;
};
/* ECC counters of one (type, volatile/aggregate): the sum of the per-memory counters (SRAM,
 * DRAM) or the Total of the old Single Bit / Double Bit layout. */
struct fl_gm_cnt {
    int64_t sum, total;
    bool seen, total_seen;
};
enum {
    FL_GM_CTR_SW_POWER,
    FL_GM_CTR_SYNC_BOOST,
    FL_GM_CTR_SW_THERMAL,
    FL_GM_CTR_HW_THERMAL,
    FL_GM_CTR_HW_POWER_BRAKE,
    FL_GM_NCTR
};
struct fl_gm_gpu {
    bool active, bad;
    char pci[13];
    bool has_pci;
    struct fl_str uuid; /* view; interned when emitted */
    int32_t index;
    bool old_ecc;
    uint64_t mask;
    bool thr_seen;
    struct fl_gm_span thr, ecc_sp;
    struct fl_gm_cnt ecc[2][2]; /* [0 sbe, 1 dbe][0 volatile, 1 aggregate] */
    struct fl_gm_val ret_sbe, ret_dbe, ret_pending;
    struct fl_gm_val rr_corr, rr_unc, rr_pending, rr_failure;
    struct fl_gm_val temp, mtemp, power, power_avg, replay, smclk, util;
    struct fl_gm_val ctr[FL_GM_NCTR]; /* clocks-event reason durations, microseconds */
};
/* Reset to empty (index -1). */
void fl__gm_gpu_reset(struct fl_gm_gpu *g);
/* Keep the first reading of a field. */
void fl__gm_val_set(struct fl_gm_val *v, double x, struct fl_gm_span at);
/* Emit the GPU's events at ts (FL_TIME_NONE: clock NONE) when it is active and not bad, then
 * reset it. 0 or FL_ENOMEM. */
int fl__gm_gpu_flush(struct fl_parse_ctx *ctx, struct fl_gm_gpu *g, int64_t ts);
/* Counter slot of a clocks-event duration name: text "SW Power Capping", XML suffix
 * "sw_therm_slowdown"...; -1 when unknown. */
int fl__gm_ctr_index(struct fl_str name);

/* Uid for an event whose raw bytes do not identify its GPU (an nvidia-smi line such as
 * "GPU Current Temp : 36 C" repeats for every GPU): the usual uid mixed with the GPU's PCI
 * address / UUID / index and a discriminator naming the field. */
uint64_t fl__gm_uid(struct fl_parse_ctx *ctx, const struct fl_event *ev, const char *disc);

/* Give ev its time: clock WALL at ts, or clock NONE when ts == FL_TIME_NONE. */
void fl__gm_stamp(struct fl_event *ev, int64_t ts);
/* Emit ev with a time: clock WALL at ts, or clock NONE when ts == FL_TIME_NONE; with disc,
 * the uid is fl__gm_uid(ctx, ev, disc), else the usual one. 0 or FL_ENOMEM. */
int fl__gm_emit(struct fl_parse_ctx *ctx, struct fl_event *ev, int64_t ts, const char *disc);

/* Uid of one point of an API series: kind, ts and clock hashed with a seed that already holds
 * the node name and the series' bytes (fl__gm_series_seed), so a series of 11,000 points
 * hashes its labels once, not per point. */
uint64_t fl__gm_series_seed(struct fl_parse_ctx *ctx, const struct fl_event *tmpl);
uint64_t fl__gm_point_uid(const struct fl_event *ev, uint64_t seed);

#endif
