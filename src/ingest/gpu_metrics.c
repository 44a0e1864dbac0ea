/* Helpers shared by the GPU-metrics readers (gpu_metrics.h). */
#include "ingest/gpu_metrics.h"

#include <math.h>
#include <string.h>

#include "faultline/catalog.h"
#include "faultline/time.h"

/* ---- DCGM metric table ----------------------------------------------------------------- */

#define T(n)                                                                                       \
    {                                                                                              \
        n, FL_EV_THROTTLE, 0, false                                                                \
    }
#define E(n, k, agg)                                                                               \
    {                                                                                              \
        n, FL_EV_ECC, FL_ECC_##k, agg                                                              \
    }
#define S(n, m)                                                                                    \
    {                                                                                              \
        n, FL_EV_GPU_SAMPLE, FL_METRIC_##m, false                                                  \
    }

/* dcgm-exporter names (DCGM_FI_*, etc/default-counters.csv and dcp-metrics-included.csv) and
 * the lower-case names of the older gpu-monitoring-tools exporter (dcgm_*). Only the *_TOTAL
 * ECC and NVLink fields: the per-location / per-lane fields would double-count them (they
 * become metric "other"). */
static const struct fl_gm_metric table[] = {
    T("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS"),
    T("DCGM_FI_DEV_CLOCKS_EVENT_REASONS"),
    T("dcgm_clock_throttle_reasons"),
    E("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", SBE, false),
    E("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", DBE, false),
    E("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", SBE, true),
    E("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", DBE, true),
    E("dcgm_ecc_sbe_volatile_total", SBE, false),
    E("dcgm_ecc_dbe_volatile_total", DBE, false),
    E("dcgm_ecc_sbe_aggregate_total", SBE, true),
    E("dcgm_ecc_dbe_aggregate_total", DBE, true),
    E("DCGM_FI_DEV_ROW_REMAP_PENDING", REMAP_PENDING, false),
    E("DCGM_FI_DEV_ROW_REMAP_FAILURE", REMAP_FAILURE, false),
    E("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", REMAPPED_CORRECTABLE, true),
    E("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", REMAPPED_UNCORRECTABLE, true),
    E("DCGM_FI_DEV_RETIRED_SBE", RETIRED_PAGE, true),
    E("DCGM_FI_DEV_RETIRED_DBE", RETIRED_PAGE, true),
    E("DCGM_FI_DEV_RETIRED_PENDING", RETIRE_PENDING, false),
    E("dcgm_retired_pages_sbe", RETIRED_PAGE, true),
    E("dcgm_retired_pages_dbe", RETIRED_PAGE, true),
    E("dcgm_retired_pages_pending", RETIRE_PENDING, false),
    S("DCGM_FI_DEV_GPU_TEMP", TEMP_GPU),
    S("DCGM_FI_DEV_MEMORY_TEMP", TEMP_MEMORY),
    S("DCGM_FI_DEV_POWER_USAGE", POWER_W),
    S("DCGM_FI_DEV_SM_CLOCK", SM_CLOCK_MHZ),
    S("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", PCIE_REPLAY),
    S("DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", NVLINK_ERRORS),
    S("DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL", NVLINK_ERRORS),
    S("DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", NVLINK_ERRORS),
    S("DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", NVLINK_ERRORS),
    S("DCGM_FI_DEV_XID_ERRORS", XID_LAST),
    S("DCGM_FI_DEV_GPU_UTIL", UTIL),
    S("dcgm_gpu_temp", TEMP_GPU),
    S("dcgm_memory_temp", TEMP_MEMORY),
    S("dcgm_power_usage", POWER_W),
    S("dcgm_sm_clock", SM_CLOCK_MHZ),
    S("dcgm_pcie_replay_counter", PCIE_REPLAY),
    S("dcgm_nvlink_flit_crc_error_count_total", NVLINK_ERRORS),
    S("dcgm_nvlink_data_crc_error_count_total", NVLINK_ERRORS),
    S("dcgm_nvlink_replay_error_count_total", NVLINK_ERRORS),
    S("dcgm_nvlink_recovery_error_count_total", NVLINK_ERRORS),
    S("dcgm_xid_errors", XID_LAST),
    S("dcgm_gpu_utilization", UTIL),
};
static const struct fl_gm_metric other = S("", OTHER);

#undef T
#undef E
#undef S

const struct fl_gm_metric *fl__gm_lookup(struct fl_str name)
{
    if (name.len < 5)
        return NULL;
    bool dcgm = fl_str_starts_with(name, "DCGM_FI_") || fl_str_starts_with(name, "DCGM_EXP_") ||
                fl_str_starts_with(name, "dcgm_");
    if (!dcgm)
        return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (fl_str_eq_cstr(name, table[i].name))
            return &table[i];
    return &other;
}

/* ---- values ---------------------------------------------------------------------------- */

#define DCGM_INT64_BLANK 0x7ffffffffffffff0ULL
#define DCGM_FP64_BLANK 140737488355328.0 /* 2^47 */

enum fl_gm_value fl__gm_parse_value(struct fl_str text, double *out, uint64_t *u, bool *is_int)
{
    *is_int = false;
    if (text.len && text.ptr[0] != '-' && text.ptr[0] != '+' && fl_str_to_u64(text, u)) {
        *is_int = true;
        if (*u >= DCGM_INT64_BLANK)
            return FL_GM_BLANK;
        *out = (double)*u;
        return FL_GM_VALUE;
    }
    double d;
    if (!fl_str_to_double(text, &d))
        return FL_GM_BAD;
    if (isnan(d) || isinf(d))
        return FL_GM_BLANK;
    if (d >= DCGM_FP64_BLANK && d < DCGM_FP64_BLANK + 16.0)
        return FL_GM_BLANK;
    if (d >= 9223372036854775792.0) /* an INT64 blank printed as a float */
        return FL_GM_BLANK;
    *out = d;
    if (d >= 0 && d < 9007199254740992.0 && d == floor(d)) {
        *u = (uint64_t)d;
        *is_int = true;
    }
    return FL_GM_VALUE;
}

enum fl_gm_value fl__gm_fill(struct fl_event *ev, const struct fl_gm_metric *m,
                             struct fl_str metric_name, struct fl_str value, const char **why)
{
    double d = 0;
    uint64_t u = 0;
    bool is_int;
    enum fl_gm_value r = fl__gm_parse_value(value, &d, &u, &is_int);
    if (r == FL_GM_BAD) {
        *why = "sample value is not a number";
        return r;
    }
    if (r == FL_GM_BLANK)
        return r;
    switch (m->kind) {
    case FL_EV_THROTTLE:
        if (!is_int) {
            *why = "clock-event reasons value is not a non-negative integer bitmask";
            return FL_GM_BAD;
        }
        ev->u.throttle.reasons = u;
        return FL_GM_VALUE;
    case FL_EV_ECC:
        if (!is_int || u > (uint64_t)INT64_MAX) {
            *why = "ECC / row-remap counter is not a non-negative integer";
            return FL_GM_BAD;
        }
        ev->u.ecc.ecc_kind = m->sub;
        ev->u.ecc.aggregate = m->aggregate;
        ev->u.ecc.count = (int64_t)u;
        ev->u.ecc.text = metric_name;
        return FL_GM_VALUE;
    default:
        ev->u.sample.metric = m->sub;
        ev->u.sample.value = d;
        ev->u.sample.name = metric_name;
        return FL_GM_VALUE;
    }
}

/* ---- labels ---------------------------------------------------------------------------- */

#define IS(lit) (n.len == sizeof lit - 1 && memcmp(n.ptr, lit, sizeof lit - 1) == 0)

int fl__gm_label_id(struct fl_str n)
{
    switch (n.len) {
    case 3:
        return IS("gpu") ? FL_GML_GPU : -1;
    case 4:
        if (IS("UUID") || IS("uuid"))
            return FL_GML_UUID;
        return IS("node") ? FL_GML_NODE : -1;
    case 6:
        return IS("device") ? FL_GML_DEVICE : -1;
    case 8:
        if (IS("Hostname") || IS("hostname"))
            return FL_GML_HOSTNAME;
        if (IS("nodename"))
            return FL_GML_NODE;
        return IS("gpu_uuid") ? FL_GML_UUID : -1;
    case 10:
        return IS("pci_bus_id") ? FL_GML_PCI : -1;
    case 15:
        return IS("kubernetes_node") ? FL_GML_NODE : -1;
    default:
        return -1;
    }
}

#undef IS

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A Hostname that is not a node: a dcgm-exporter pod name (exporters before 2023 reported the
 * pod's hostname in Kubernetes) or a Docker container id (the exporter run in plain Docker). */
static bool hostname_is_not_a_node(struct fl_str h)
{
    if (fl_str_find(h, FL_STR_LIT("dcgm-exporter")) >= 0)
        return true;
    if (h.len != 12)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (!is_lower_hex(h.ptr[i]))
            return false;
    return true;
}

static bool label_value(struct fl_parse_ctx *ctx, const struct fl_gm_labels *l, int id,
                        fl_gm_unescape_fn unescape, struct fl_str *out, bool *oom)
{
    *out = fl_str_trim(l->v[id]);
    if (!l->esc[id] || !unescape)
        return true;
    return unescape(l->v[id], ctx->arena, out, oom);
}

static bool parse_index(struct fl_str s, int32_t *out)
{
    uint64_t v;
    if (!fl_str_to_u64(s, &v) || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* Cached resolution of label id's raw value; true with *out on a hit. The search starts after
 * the last hit: a scrape walks its GPUs in the same order for every metric. */
static bool cache_get(struct fl_gm_cache *c, int id, struct fl_str raw, uint32_t *out)
{
    if (!c)
        return false;
    for (unsigned k = 0; k < FL_GM_CACHE_WAYS; k++) {
        unsigned i = (c->hit[id] + k) % FL_GM_CACHE_WAYS;
        const struct fl_str e = c->e[id][i].raw;
        if (e.len == raw.len && e.ptr && e.ptr[raw.len - 1] == raw.ptr[raw.len - 1] &&
            memcmp(e.ptr, raw.ptr, raw.len) == 0) {
            *out = c->e[id][i].id;
            c->hit[id] = i + 1;
            return true;
        }
    }
    return false;
}

static void cache_put(struct fl_gm_cache *c, int id, struct fl_str raw, uint32_t v)
{
    if (!c)
        return;
    unsigned i = c->next[id]++ % FL_GM_CACHE_WAYS;
    c->e[id][i].raw = raw;
    c->e[id][i].id = v;
}

enum { NODE_NONE = 0 };

/* The node a label set names: 0 when it names none (or only a Hostname that is not a node). */
static int node_of(struct fl_parse_ctx *ctx, const struct fl_gm_labels *l,
                   fl_gm_unescape_fn unescape, struct fl_gm_cache *cache, uint32_t *node, bool *oom)
{
    int id = l->v[FL_GML_NODE].len ? FL_GML_NODE : l->v[FL_GML_HOSTNAME].len ? FL_GML_HOSTNAME : -1;
    *node = NODE_NONE;
    if (id < 0)
        return 0;
    struct fl_str raw = l->v[id];
    if (!l->esc[id] && cache_get(cache, id, raw, node))
        return 0;
    struct fl_str s;
    if (!label_value(ctx, l, id, unescape, &s, oom))
        return FL_EPARSE;
    if (s.len && (id == FL_GML_NODE || !hostname_is_not_a_node(s))) {
        *node = fl_ingest_intern(ctx, s);
        if (*node == FL_INTERN_FAIL)
            return FL_ENOMEM;
    }
    if (!l->esc[id])
        cache_put(cache, id, raw, *node);
    return 0;
}

int fl__gm_identity(struct fl_parse_ctx *ctx, const struct fl_gm_labels *l,
                    fl_gm_unescape_fn unescape, struct fl_gm_cache *cache, struct fl_event *ev,
                    const char **why)
{
    struct fl_str s;
    bool oom = false;
    int rc = node_of(ctx, l, unescape, cache, &ev->node, &oom);
    if (rc == FL_EPARSE)
        goto bad_escape;
    if (rc)
        return rc;
    /* GPU: index from gpu="N", else device="nvidiaN" */
    if (l->v[FL_GML_GPU].len) {
        if (!label_value(ctx, l, FL_GML_GPU, unescape, &s, &oom))
            goto bad_escape;
        if (!parse_index(s, &ev->gpu.index)) {
            *why = "label \"gpu\" is not a GPU index";
            return FL_EPARSE;
        }
    } else if (l->v[FL_GML_DEVICE].len) {
        if (!label_value(ctx, l, FL_GML_DEVICE, unescape, &s, &oom))
            goto bad_escape;
        if (fl_str_starts_with(s, "nvidia"))
            (void)parse_index(fl_str_sub(s, 6, s.len), &ev->gpu.index);
    }
    struct fl_str raw = l->v[FL_GML_UUID];
    if (raw.len && (l->esc[FL_GML_UUID] || !cache_get(cache, FL_GML_UUID, raw, &ev->gpu.uuid))) {
        if (!label_value(ctx, l, FL_GML_UUID, unescape, &s, &oom))
            goto bad_escape;
        if (s.len) {
            ev->gpu.uuid = fl_ingest_intern(ctx, s);
            if (ev->gpu.uuid == FL_INTERN_FAIL)
                return FL_ENOMEM;
        }
        if (!l->esc[FL_GML_UUID])
            cache_put(cache, FL_GML_UUID, raw, ev->gpu.uuid);
    }
    raw = l->v[FL_GML_PCI];
    if (raw.len && (l->esc[FL_GML_PCI] || !cache_get(cache, FL_GML_PCI, raw, &ev->gpu.pci))) {
        if (!label_value(ctx, l, FL_GML_PCI, unescape, &s, &oom))
            goto bad_escape;
        char norm[13];
        if (!fl_pci_normalize(s, norm)) {
            *why = "label \"pci_bus_id\" is not a PCI address";
            return FL_EPARSE;
        }
        ev->gpu.pci = fl_ingest_intern(ctx, fl_str_make(norm, 12));
        if (ev->gpu.pci == FL_INTERN_FAIL)
            return FL_ENOMEM;
        if (!l->esc[FL_GML_PCI])
            cache_put(cache, FL_GML_PCI, raw, ev->gpu.pci);
    }
    return 0;
bad_escape:
    if (oom)
        return FL_ENOMEM;
    *why = "label value has a bad escape";
    return FL_EPARSE;
}

/* ---- nvidia-smi ------------------------------------------------------------------------ */

static bool scan_word(struct fl_scan *sc, struct fl_str *w)
{
    fl_scan_skip_ws(sc);
    const char *b = sc->p;
    while (sc->p < sc->end && *sc->p != ' ' && *sc->p != '\t')
        sc->p++;
    *w = fl_str_make(b, (size_t)(sc->p - b));
    return w->len > 0;
}

static bool two_digits(struct fl_scan *sc, unsigned *v)
{
    if (fl_scan_left(sc) < 2 || sc->p[0] < '0' || sc->p[0] > '9' || sc->p[1] < '0' ||
        sc->p[1] > '9')
        return false;
    *v = (unsigned)(sc->p[0] - '0') * 10 + (unsigned)(sc->p[1] - '0');
    sc->p += 2;
    return true;
}

bool fl__gm_parse_asctime(struct fl_str s, int64_t *ns)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (!s.ptr)
        return false;
    s = fl_str_trim(s);
    struct fl_scan sc = fl_scan_make(s.ptr, s.ptr + s.len);
    struct fl_str wday, mon;
    if (!scan_word(&sc, &wday) || wday.len != 3 || !scan_word(&sc, &mon) || mon.len != 3)
        return false;
    unsigned m = 0;
    for (unsigned i = 0; i < 12; i++)
        if (fl_str_eq_nocase(mon, fl_str_make(months + 3 * i, 3)))
            m = i + 1;
    if (!m)
        return false;
    fl_scan_skip_ws(&sc);
    uint64_t day, year;
    unsigned hh, mm, ss;
    if (!fl_scan_u64(&sc, &day) || day < 1 || day > 31)
        return false;
    fl_scan_skip_ws(&sc);
    if (!two_digits(&sc, &hh) || !fl_scan_char(&sc, ':') || !two_digits(&sc, &mm) ||
        !fl_scan_char(&sc, ':') || !two_digits(&sc, &ss) || hh > 23 || mm > 59 || ss > 60)
        return false;
    fl_scan_skip_ws(&sc);
    if (!fl_scan_u64(&sc, &year) || year < 1970 || year > 2261) /* int64 ns ends in 2262 */
        return false;
    fl_scan_skip_ws(&sc);
    if (!fl_scan_eof(&sc) || day > fl_days_in_month((int64_t)year, m))
        return false;
    if (ss == 60)
        ss = 59;
    int64_t days = fl_days_from_civil((int64_t)year, m, (unsigned)day);
    *ns = ((days * 24 + hh) * 60 + mm) * 60 * FL_NS_PER_SEC + (int64_t)ss * FL_NS_PER_SEC;
    return true;
}

struct fl_str fl__gm_squash(struct fl_str s, char *buf, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len && n < cap; i++) {
        char c = s.ptr[i];
        if (c >= 'A' && c <= 'Z')
            buf[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            buf[n++] = c;
    }
    return fl_str_make(buf, n);
}

uint64_t fl__gm_throttle_bit(struct fl_str label)
{
    char buf[64];
    struct fl_str q = fl__gm_squash(label, buf, sizeof buf);
    /* nvidia-smi's own spellings that are not NVML's names */
    if (fl_str_eq_cstr(q, "idle"))
        return FL_THROTTLE_GPU_IDLE;
    if (fl_str_eq_cstr(q, "displayclockssetting"))
        return FL_THROTTLE_DISPLAY_CLOCK_SETTING;
    if (fl_str_eq_cstr(q, "userdefinedclocks"))
        return FL_THROTTLE_APPLICATIONS_CLOCKS_SETTING;
    const struct fl_throttle_reason *r = fl_throttle_from_name(q);
    return r ? r->bit : 0;
}

bool fl__gm_leading_number(struct fl_str s, double *out)
{
    s = fl_str_trim(s);
    char buf[64];
    size_t n = 0;
    size_t i = 0;
    if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+'))
        buf[n++] = s.ptr[i++];
    bool digit = false;
    for (; i < s.len && n < sizeof buf; i++) {
        char c = s.ptr[i];
        if (c >= '0' && c <= '9') {
            buf[n++] = c;
            digit = true;
        } else if (c == '.') {
            buf[n++] = c;
        } else if (c == ',' && digit) {
            continue; /* thousands separator ("4,007,672,629 us") */
        } else {
            break;
        }
    }
    if (!digit || n == sizeof buf)
        return false;
    /* what follows the number is a unit: nothing, or a space */
    if (i < s.len && s.ptr[i] != ' ' && s.ptr[i] != '\t')
        return false;
    return fl_str_to_double(fl_str_make(buf, n), out);
}

int fl__gm_yes_no(struct fl_str s)
{
    s = fl_str_trim(s);
    if (fl_str_eq_nocase(s, FL_STR_LIT("yes")))
        return 1;
    if (fl_str_eq_nocase(s, FL_STR_LIT("no")))
        return 0;
    return -1;
}

uint64_t fl__gm_uid(struct fl_parse_ctx *ctx, const struct fl_event *ev, const char *disc)
{
    uint32_t node = ev->node ? ev->node : ctx->default_node;
    uint64_t h = fl_event_compute_uid(ev, fl_ingest_str(ctx, node));
    struct fl_str pci = fl_ingest_str(ctx, ev->gpu.pci);
    struct fl_str uuid = fl_ingest_str(ctx, ev->gpu.uuid);
    unsigned char idx[4];
    uint32_t x = (uint32_t)ev->gpu.index;
    for (int i = 0; i < 4; i++)
        idx[i] = (unsigned char)(x >> (8 * i));
    h = fl_hash64(pci.ptr, pci.len, h);
    h = fl_hash64("/", 1, h);
    h = fl_hash64(uuid.ptr, uuid.len, h);
    h = fl_hash64(idx, sizeof idx, h);
    h = fl_hash64(disc, strlen(disc), h);
    return h ? h : 1;
}

void fl__gm_stamp(struct fl_event *ev, int64_t ts)
{
    if (ts == FL_TIME_NONE) {
        ev->ts = FL_TIME_NONE;
        ev->clock = FL_CLOCK_NONE;
    } else {
        ev->ts = ts;
        ev->clock = FL_CLOCK_WALL;
    }
}

int fl__gm_emit(struct fl_parse_ctx *ctx, struct fl_event *ev, int64_t ts, const char *disc)
{
    fl__gm_stamp(ev, ts);
    if (disc)
        ev->uid = fl__gm_uid(ctx, ev, disc);
    return fl_ingest_emit(ctx, ev);
}

uint64_t fl__gm_series_seed(struct fl_parse_ctx *ctx, const struct fl_event *tmpl)
{
    uint32_t node = tmpl->node ? tmpl->node : ctx->default_node;
    struct fl_str name = fl_ingest_str(ctx, node);
    uint64_t h = fl_hash64(name.ptr, name.len, FL_HASH_SEED ^ 0x736572696573ULL /* "series" */);
    return fl_hash64(tmpl->raw.ptr, tmpl->raw.len, h);
}

uint64_t fl__gm_point_uid(const struct fl_event *ev, uint64_t seed)
{
    unsigned char head[1 + 8 + 1];
    head[0] = ev->kind;
    uint64_t ts = (uint64_t)ev->ts;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (unsigned char)(ts >> (8 * i));
    head[9] = ev->clock;
    uint64_t h = fl_hash64(head, sizeof head, seed);
    return h ? h : 1;
}

/* ---- one nvidia-smi GPU ------------------------------------------------------------------ */

void fl__gm_gpu_reset(struct fl_gm_gpu *g)
{
    memset(g, 0, sizeof *g);
    g->index = -1;
}

void fl__gm_val_set(struct fl_gm_val *v, double x, struct fl_gm_span at)
{
    if (v->set)
        return; /* the first reading wins (a field printed twice is the same field) */
    v->v = x;
    v->at = at;
    v->set = true;
}

int fl__gm_ctr_index(struct fl_str name)
{
    char b[48];
    struct fl_str q = fl__gm_squash(name, b, sizeof b);
    /* text spelling, then the XML suffix (clocks_event_reasons_counters_*) */
    static const char *const names[FL_GM_NCTR][2] = {
        {"swpowercapping", "swpowercap"},         {"syncboost", "syncboost"},
        {"swthermalslowdown", "swthermslowdown"}, {"hwthermalslowdown", "hwthermslowdown"},
        {"hwpowerbraking", "hwpowerbrake"},
    };
    for (int i = 0; i < FL_GM_NCTR; i++)
        if (fl_str_eq_cstr(q, names[i][0]) || fl_str_eq_cstr(q, names[i][1]))
            return i;
    return -1;
}

static const char *const ctr_names[FL_GM_NCTR] = {
    "clocks_event_us.sw_power_cap",        "clocks_event_us.sync_boost",
    "clocks_event_us.sw_thermal_slowdown", "clocks_event_us.hw_thermal_slowdown",
    "clocks_event_us.hw_power_brake",
};

struct flush {
    struct fl_parse_ctx *ctx;
    const struct fl_gm_gpu *g;
    int64_t ts;
    uint32_t pci, uuid;
};

static int gemit(struct flush *f, struct fl_event *ev, const struct fl_gm_span *at,
                 const char *disc)
{
    ev->gpu.pci = f->pci;
    ev->gpu.uuid = f->uuid;
    ev->gpu.index = f->g->index;
    ev->raw = at->b ? fl_str_make(at->b, (size_t)(at->e - at->b)) : FL_STR_NULL;
    ev->src.line = at->line;
    return fl__gm_emit(f->ctx, ev, f->ts, disc);
}

static int gsample(struct flush *f, const struct fl_gm_val *v, uint8_t metric, const char *name)
{
    if (!v->set)
        return 0;
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_GPU_SAMPLE);
    ev.u.sample.metric = metric;
    ev.u.sample.value = v->v;
    ev.u.sample.name = fl_str_from_cstr(name);
    return gemit(f, &ev, &v->at, name);
}

static int gecc(struct flush *f, uint8_t kind, bool aggregate, int64_t count, const char *text,
                const struct fl_gm_span *at, const char *disc)
{
    struct fl_event ev;
    fl_event_init(&ev, FL_EV_ECC);
    ev.u.ecc.ecc_kind = kind;
    ev.u.ecc.aggregate = aggregate;
    ev.u.ecc.count = count < 0 ? 0 : count;
    ev.u.ecc.text = fl_str_from_cstr(text);
    return gemit(f, &ev, at, disc);
}

static int gecc_val(struct flush *f, const struct fl_gm_val *v, uint8_t kind, bool aggregate,
                    const char *text, const char *disc)
{
    if (!v->set)
        return 0;
    return gecc(f, kind, aggregate, (int64_t)v->v, text, &v->at, disc);
}

static int flush_events(struct flush *f)
{
    const struct fl_gm_gpu *g = f->g;
    int rc;
    if (g->thr_seen) {
        struct fl_event ev;
        fl_event_init(&ev, FL_EV_THROTTLE);
        ev.u.throttle.reasons = g->mask;
        if ((rc = gemit(f, &ev, &g->thr, "throttle")))
            return rc;
    }
    static const char *const ecc_text[2][2][2] = {
        {{"volatile correctable ECC errors (SRAM + DRAM)",
          "aggregate correctable ECC errors (SRAM + DRAM)"},
         {"volatile uncorrectable ECC errors (SRAM + DRAM)",
          "aggregate uncorrectable ECC errors (SRAM + DRAM)"}},
        {{"volatile single-bit ECC errors (Total)", "aggregate single-bit ECC errors (Total)"},
         {"volatile double-bit ECC errors (Total)", "aggregate double-bit ECC errors (Total)"}},
    };
    static const char *const ecc_disc[2][2] = {{"ecc.sbe.volatile", "ecc.sbe.aggregate"},
                                               {"ecc.dbe.volatile", "ecc.dbe.aggregate"}};
    for (int agg = 0; agg < 2; agg++)
        for (int k = 0; k < 2; k++) {
            const struct fl_gm_cnt *c = &g->ecc[k][agg];
            if (!c->seen && !c->total_seen)
                continue;
            int64_t v = c->total_seen ? c->total : c->sum;
            if ((rc = gecc(f, k ? FL_ECC_DBE : FL_ECC_SBE, agg, v, ecc_text[g->old_ecc][k][agg],
                           &g->ecc_sp, ecc_disc[k][agg])))
                return rc;
        }
    if ((rc = gecc_val(f, &g->ret_sbe, FL_ECC_RETIRED_PAGE, true,
                       "pages retired for single-bit ECC errors", "retired.sbe")) ||
        (rc = gecc_val(f, &g->ret_dbe, FL_ECC_RETIRED_PAGE, true,
                       "pages retired for double-bit ECC errors", "retired.dbe")) ||
        (rc = gecc_val(f, &g->ret_pending, FL_ECC_RETIRE_PENDING, false, "pages pending retirement",
                       "retired.pending")) ||
        (rc = gecc_val(f, &g->rr_corr, FL_ECC_REMAPPED_CORRECTABLE, true,
                       "rows remapped for correctable errors", "remap.corr")) ||
        (rc = gecc_val(f, &g->rr_unc, FL_ECC_REMAPPED_UNCORRECTABLE, true,
                       "rows remapped for uncorrectable errors", "remap.unc")) ||
        (rc = gecc_val(f, &g->rr_pending, FL_ECC_REMAP_PENDING, false, "row remapping pending",
                       "remap.pending")) ||
        (rc = gecc_val(f, &g->rr_failure, FL_ECC_REMAP_FAILURE, false,
                       "row remapping failure occurred", "remap.failure")))
        return rc;
    if ((rc = gsample(f, &g->temp, FL_METRIC_TEMP_GPU, "temperature.gpu")) ||
        (rc = gsample(f, &g->mtemp, FL_METRIC_TEMP_MEMORY, "temperature.memory")) ||
        (rc = gsample(f, g->power.set ? &g->power : &g->power_avg, FL_METRIC_POWER_W,
                      "power.draw")) ||
        (rc = gsample(f, &g->replay, FL_METRIC_PCIE_REPLAY, "pcie.replay_counter")) ||
        (rc = gsample(f, &g->smclk, FL_METRIC_SM_CLOCK_MHZ, "clocks.sm")) ||
        (rc = gsample(f, &g->util, FL_METRIC_UTIL, "utilization.gpu")))
        return rc;
    for (int i = 0; i < FL_GM_NCTR; i++)
        if ((rc = gsample(f, &g->ctr[i], FL_METRIC_OTHER, ctr_names[i])))
            return rc;
    return 0;
}

int fl__gm_gpu_flush(struct fl_parse_ctx *ctx, struct fl_gm_gpu *g, int64_t ts)
{
    int rc = 0;
    if (g->active && !g->bad) {
        struct flush f = {.ctx = ctx, .g = g, .ts = ts};
        if (g->has_pci)
            f.pci = fl_ingest_intern(ctx, fl_str_make(g->pci, 12));
        if (g->uuid.len)
            f.uuid = fl_ingest_intern(ctx, g->uuid);
        rc = f.pci == FL_INTERN_FAIL || f.uuid == FL_INTERN_FAIL ? FL_ENOMEM : flush_events(&f);
    }
    fl__gm_gpu_reset(g);
    return rc;
}
