/* pcie_aer: PCIe Advanced Error Reporting on a GPU, its NVSwitch, its NIC or a bridge.
 *
 * Uncorrected reports (non-fatal or fatal) of one device closer than episode_gap make one
 * verdict naming the device; a fatal one on a GPU followed within xid_window by XID 79 on
 * the same GPU says the AER explains the XID. Corrected reports matter only as a storm: more
 * than corrected_rate of them from one device within one rate_window (one verdict per
 * device); an isolated corrected error never alarms.
 *
 * The device is named from what the records hold, never guessed:
 *   - NVSwitch: NVIDIA (10de) device ids of NVSwitch in NVIDIA's open-gpu-kernel-modules
 *     (LR10: 1ae8, 1af0-1aff; LS10: 22a0-22af, endpoint, Laguna bridge and NTB functions),
 *     or the nvidia-nvswitch driver printing the report;
 *   - GPU: a GPU of the same node seen at that address in the bundle (XID, nvidia-smi, DCGM,
 *     an NVRM line giving its UUID), or the "nvidia" driver printing the report (it binds
 *     only NVIDIA display-class devices: VGA 0300 and 3D 0302);
 *   - NIC: vendor 15b3 (Mellanox, now NVIDIA: ConnectX, BlueField) not printed by pcieport;
 *   - bridge: a report printed by pcieport (a root or switch port);
 *   - otherwise "NVIDIA device" for 10de, "PCIe device" for anything else.
 * Boot-relative stamps (a plain `dmesg`, no wall clock and no boot time to resolve it) are
 * read too, on their node's boot clock: episodes, storms and the XID 79 join work within one
 * clock; such a verdict has no time and says how long after boot it happened. A device with
 * wall-clock reports too (a raw dmesg beside kern.log) is judged from those alone. Scratch memory
 * comes from the sink's arena: a warm run allocates nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/verdict_text.h"
#include "faultline/arena.h"
#include "faultline/catalog.h"
#include "faultline/detector.h"
#include "faultline/err.h"

enum { P_CORRECTED_RATE, P_RATE_WINDOW, P_EPISODE_GAP, P_XID_WINDOW, P_MAX_EVIDENCE };

static const struct fl_cfg_param params[] = {
    [P_CORRECTED_RATE] = {"corrected_rate", FL_CFG_INT, "100", "1", "1000000",
                          "corrected-error reports of one device within one rate_window above "
                          "which they are a storm"},
    [P_RATE_WINDOW] = {"rate_window", FL_CFG_DURATION, "1m", "1s", "24h",
                       "the span corrected_rate is counted over (100 per 1m is 100 a minute)"},
    [P_EPISODE_GAP] = {"episode_gap", FL_CFG_DURATION, "10m", "0s", "24h",
                       "uncorrected reports of one device closer than this are one verdict"},
    [P_XID_WINDOW] = {"xid_window", FL_CFG_DURATION, "5m", "1s", "1h",
                      "how long after a fatal AER on a GPU an XID 79 on that GPU is explained by "
                      "it"},
    [P_MAX_EVIDENCE] = {"max_evidence", FL_CFG_INT, "8", "2", "1000",
                        "most AER reports of one verdict listed as evidence (first and last kept)"},
};

static const struct fl_pattern patterns[] = {
    {"pcie_aer.fatal_xid79",
     "A fatal uncorrected PCIe error (AER) on a GPU, then XID 79 (GPU has fallen off the bus) on "
     "the same GPU within xid_window: the PCIe error is why the GPU fell off the bus. Drain the "
     "node; reseat and RMA only if it recurs."},
    {"pcie_aer.uncorrected_fatal",
     "A fatal uncorrected PCIe error (AER) on a GPU, NVSwitch, NIC or PCIe bridge: the link is "
     "down or unreliable and the device (for a bridge, everything below it) is lost until a "
     "reset. The node should be drained."},
    {"pcie_aer.uncorrected_nonfatal",
     "A non-fatal uncorrected PCIe error (AER): a transaction was lost but the link stayed up. "
     "Watch the device; repeats call for a reseat at the next maintenance window."},
    {"pcie_aer.corrected_storm",
     "Corrected PCIe errors from one device above corrected_rate per rate_window: no data was "
     "lost, but the link is marginal (signal integrity, seating, riser or cable). An isolated "
     "corrected error never yields a verdict."},
    {NULL, NULL},
};

enum dev_kind { DEV_GPU, DEV_NVSWITCH, DEV_NIC, DEV_BRIDGE, DEV_NVIDIA, DEV_OTHER };

struct device {
    enum dev_kind kind;
    uint32_t node;
    struct fl_gpu_ref gpu; /* pci = the device's address; index/uuid when it is a known GPU */
    uint16_t vendor, devid;
    struct fl_str driver; /* the driver that printed the report ("nvidia", "pcieport"...) */
    char addr[16];        /* "0000:3b:00.0" */
    char name[160];       /* "NVIDIA GPU 2 (0000:3b:00.0, 10de:2330)" */
};

static int cmp_aer(const void *a, const void *b)
{
    const struct fl_event *x = *(const struct fl_event *const *)a;
    const struct fl_event *y = *(const struct fl_event *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->gpu.pci != y->gpu.pci)
        return x->gpu.pci < y->gpu.pci ? -1 : 1;
    if (x->clock != y->clock)
        return x->clock < y->clock ? -1 : 1;
    return fl_event_cmp(x, y);
}

/* ---- the device ---------------------------------------------------------------------- */

static bool is_nvswitch_id(uint16_t d)
{
    return d == 0x1ae8 || (d >= 0x1af0 && d <= 0x1aff) || (d >= 0x22a0 && d <= 0x22af);
}

static const char *vendor_name(uint16_t v)
{
    switch (v) {
    case 0x10de:
        return "NVIDIA";
    case 0x15b3:
        return "Mellanox/NVIDIA";
    case 0x10b5:
        return "Broadcom/PLX";
    case 0x1000:
        return "Broadcom";
    case 0x14e4:
        return "Broadcom";
    case 0x11f8:
        return "Microchip";
    case 0x8086:
        return "Intel";
    case 0x1022:
        return "AMD";
    default:
        return NULL;
    }
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* The driver name the kernel printed before "<bdf>:" in raw ("nvidia 0000:3b:00.0: ..."),
 * empty when the line names none. */
static struct fl_str driver_in(struct fl_str raw, struct fl_str bdf)
{
    size_t off = 0;
    while (bdf.len && off < raw.len) {
        ptrdiff_t at = fl_str_find(fl_str_make(raw.ptr + off, raw.len - off), bdf);
        if (at < 0)
            break;
        size_t p = off + (size_t)at, end = p + bdf.len;
        off = p + 1;
        if (end >= raw.len || raw.ptr[end] != ':' || p < 2 || raw.ptr[p - 1] != ' ')
            continue;
        size_t q = p - 1;
        while (q > 0 && word_char(raw.ptr[q - 1]))
            q--;
        if (q < p - 1)
            return fl_str_make(raw.ptr + q, p - 1 - q);
    }
    return FL_STR_NULL;
}

/* A GPU of node at pci seen in the bundle: index and UUID filled from those records. */
static bool gpu_seen(const struct fl_window *w, uint32_t node, struct fl_gpu_ref *g)
{
    static const enum fl_event_kind kinds[] = {FL_EV_XID, FL_EV_GPU_SAMPLE, FL_EV_ECC,
                                               FL_EV_THROTTLE};
    bool seen = g->uuid != 0; /* an NVRM line mapped this address to a GPU UUID */
    if (!node || !g->pci)
        return seen;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct fl_evlist l = fl_window_gpu(w, kinds[k], node, g->pci);
        seen = seen || l.n > 0;
        for (size_t i = 0; i < l.n && (g->index < 0 || !g->uuid); i++) {
            if (g->index < 0 && l.v[i]->gpu.index >= 0)
                g->index = l.v[i]->gpu.index;
            if (!g->uuid && l.v[i]->gpu.uuid)
                g->uuid = l.v[i]->gpu.uuid;
        }
    }
    return seen;
}

/* What one report says about its device: ids, printing driver, GPU index/UUID. */
static void note(struct device *d, const struct fl_event *e, struct fl_str bdf)
{
    if (!d->vendor && e->u.aer.vendor_id) {
        d->vendor = e->u.aer.vendor_id;
        d->devid = e->u.aer.device_id;
    }
    if (!d->driver.len)
        d->driver = driver_in(e->raw, bdf);
    if (e->gpu.index >= 0 && d->gpu.index < 0)
        d->gpu.index = e->gpu.index;
    if (e->gpu.uuid && !d->gpu.uuid)
        d->gpu.uuid = e->gpu.uuid;
}

/* Name the device of reports u[0, nu) and c[0, nc) (one of them non-empty). */
static void classify(const struct fl_window *w, const struct fl_event *const *u, size_t nu,
                     const struct fl_event *const *c, size_t nc, struct device *d)
{
    memset(d, 0, sizeof *d);
    const struct fl_event *e0 = nu ? u[0] : c[0];
    d->node = e0->node;
    d->gpu.pci = e0->gpu.pci;
    d->gpu.index = -1;
    struct fl_str bdf = fl_intern_str(w->intern, d->gpu.pci);
    for (size_t i = 0; i < nu; i++)
        note(d, u[i], bdf);
    for (size_t i = 0; i < nc; i++)
        note(d, c[i], bdf);
    bool seen = gpu_seen(w, d->node, &d->gpu);
    bool port = fl_str_eq_cstr(d->driver, "pcieport");
    if ((d->vendor == 0x10de && is_nvswitch_id(d->devid)) ||
        fl_str_eq_cstr(d->driver, "nvidia-nvswitch"))
        d->kind = DEV_NVSWITCH;
    else if (seen || fl_str_eq_cstr(d->driver, "nvidia"))
        d->kind = DEV_GPU;
    else if (d->vendor == 0x15b3 && !port)
        d->kind = DEV_NIC;
    else if (port)
        d->kind = DEV_BRIDGE;
    else if (d->vendor == 0x10de)
        d->kind = DEV_NVIDIA;
    else
        d->kind = DEV_OTHER;
    if (d->kind != DEV_GPU) {
        d->gpu.index = -1;
        d->gpu.uuid = 0;
    }

    /* the name: what it is, its address, its ids and the driver when that says more */
    snprintf(d->addr, sizeof d->addr, "%.*s", (int)(bdf.len < 15 ? bdf.len : 15),
             bdf.ptr ? bdf.ptr : "");
    const char *addr = d->addr;
    char ids[64] = "";
    const char *vn = vendor_name(d->vendor);
    if (d->vendor && (d->kind == DEV_BRIDGE || d->kind == DEV_OTHER) && vn)
        snprintf(ids, sizeof ids, ", %s %04x:%04x", vn, d->vendor, d->devid);
    else if (d->vendor)
        snprintf(ids, sizeof ids, ", %04x:%04x", d->vendor, d->devid);
    char drv[48] = "";
    if (d->driver.len && d->kind != DEV_GPU && d->kind != DEV_NVSWITCH)
        snprintf(drv, sizeof drv, ", %.*s", (int)(d->driver.len < 32 ? d->driver.len : 32),
                 d->driver.ptr);
    switch (d->kind) {
    case DEV_GPU:
        if (d->gpu.index >= 0)
            snprintf(d->name, sizeof d->name, "NVIDIA GPU %d (%s%s)", d->gpu.index, addr, ids);
        else
            snprintf(d->name, sizeof d->name, "NVIDIA GPU %s%s%s%s", addr, *ids ? " (" : "",
                     *ids ? ids + 2 : "", *ids ? ")" : "");
        break;
    case DEV_NVSWITCH:
        snprintf(d->name, sizeof d->name, "NVSwitch %s (%s)", addr,
                 *ids ? ids + 2 : "nvidia-nvswitch");
        break;
    case DEV_NIC:
        snprintf(d->name, sizeof d->name, "Mellanox/NVIDIA NIC %s (%s%s)", addr, ids + 2, drv);
        break;
    case DEV_BRIDGE:
        snprintf(d->name, sizeof d->name, "PCIe bridge/port %s (%s%s)", addr,
                 *ids ? ids + 2 : "pcieport", *ids ? drv : "");
        break;
    case DEV_NVIDIA:
        snprintf(d->name, sizeof d->name, "NVIDIA device %s (%s%s)", addr, ids + 2, drv);
        break;
    case DEV_OTHER:
        if (*ids || *drv)
            snprintf(d->name, sizeof d->name, "PCIe device %s (%s%s)", addr,
                     *ids ? ids + 2 : drv + 2, *ids ? drv : "");
        else
            snprintf(d->name, sizeof d->name, "PCIe device %s", addr);
        break;
    }
}

/* ---- status bits --------------------------------------------------------------------- */

/* The bits the kernel reports: status minus masked bits (all of status when that leaves
 * nothing, as a firmware-first report without a mask does). */
static uint32_t shown_bits(const struct fl_ev_pcie_aer *a)
{
    uint32_t s = a->status & ~a->mask;
    return s ? s : a->status;
}

/* "CmpltTO (First), UnsupReq" into buf (with full names, "Completion Timeout (First)..."
 * where the kernel once printed one); at most max names, then "+N more". */
static void bit_names(bool unc, uint32_t bits, uint32_t first, size_t max, bool full, char *buf,
                      size_t cap)
{
    size_t len = 0, shown = 0, total = 0;
    buf[0] = '\0';
    for (unsigned b = 0; b < FL_AER_BITS; b++) {
        if (!(bits & (1u << b)))
            continue;
        total++;
        if (shown == max || len >= cap)
            continue;
        const char *n = full ? fl_aer_bit_long_name(unc, b) : NULL;
        if (!n)
            n = fl_aer_bit_name(unc, b);
        if (!n)
            n = fl_aer_bit_long_name(unc, b);
        char num[16];
        if (!n) {
            snprintf(num, sizeof num, "bit %u", b);
            n = num;
        }
        int k = snprintf(buf + len, cap - len, "%s%s%s", shown ? ", " : "", n,
                         b == first ? " (First)" : "");
        len = k < 0 ? len : len + (size_t)k;
        shown++;
    }
    if (total > shown && len < cap)
        snprintf(buf + len, cap - len, ", +%zu more", total - shown);
}

static const char *sev_word(uint8_t s)
{
    switch (s) {
    case FL_AER_CORRECTED:
        return "Corrected";
    case FL_AER_NONFATAL:
        return "Uncorrected (Non-Fatal)";
    case FL_AER_FATAL:
        return "Uncorrected (Fatal)";
    default:
        return "Uncorrected";
    }
}

static const char *type_word(uint8_t t)
{
    switch (t) {
    case FL_AER_PHYSICAL:
        return " Physical Layer";
    case FL_AER_DATA_LINK:
        return " Data Link Layer";
    case FL_AER_TRANSACTION:
        return " Transaction Layer";
    default:
        return "";
    }
}

static const char *describe(struct fl_verdict_sink *out, const struct fl_event *e)
{
    const struct fl_ev_pcie_aer *a = &e->u.aer;
    bool unc = a->severity != FL_AER_CORRECTED;
    char bits[256], ids[32] = "", agent[64] = "";
    bit_names(unc, shown_bits(a), a->first_bit, 8, false, bits, sizeof bits);
    if (a->vendor_id)
        snprintf(ids, sizeof ids, " [%04x:%04x]", a->vendor_id, a->device_id);
    if (a->agent.len)
        snprintf(agent, sizeof agent, " (%.*s)", (int)(a->agent.len < 40 ? a->agent.len : 40),
                 a->agent.ptr);
    if (!a->status)
        return fl_verdict_printf(out, "%s%s error%s%s%s; the report gave no status bits",
                                 a->multiple ? "Multiple " : "", sev_word(a->severity),
                                 type_word(a->type), agent, ids);
    return fl_verdict_printf(out, "%s%s%s error%s%s, status %08x: %s",
                             a->multiple ? "Multiple " : "", sev_word(a->severity),
                             type_word(a->type), agent, ids, a->status, bits);
}

/* Keep at most maxev of n items: the first maxev-1 and the last. */
static bool keep(size_t i, size_t n, size_t maxev)
{
    return n <= maxev || i + 1 < maxev || i + 1 == n;
}

static size_t aer_evidence(struct fl_verdict_sink *out, const struct fl_event *const *e, size_t n,
                           size_t maxev, struct fl_evidence *ev)
{
    size_t ne = 0;
    for (size_t i = 0; i < n; i++)
        if (keep(i, n, maxev)) {
            ev[ne].ev = e[i];
            ev[ne].description = describe(out, e[i]);
            ne++;
        }
    return ne;
}

/* ---- verdicts ------------------------------------------------------------------------ */

static void set_scope(const struct device *d, struct fl_verdict *v)
{
    v->scope.node = d->node;
    if (d->kind == DEV_GPU)
        v->scope.gpu = d->gpu;
}

static const char *remedy(struct fl_verdict_sink *out, const char *node, const struct device *d,
                          bool fatal, const struct fl_event *xid79)
{
    const char *dn = d->name;
    if (fatal) {
        switch (d->kind) {
        case DEV_GPU: {
            char xid[200] = "";
            const struct fl_xid_info *x = fl_xid_lookup(79);
            if (xid79 && x)
                snprintf(xid, sizeof xid,
                         " NVIDIA's catalog action for the XID 79 that followed is %s: %s",
                         fl_xid_action_name(x->immediate), fl_xid_action_meaning(x->immediate));
            return fl_verdict_printf(
                out,
                "Drain %s: %s lost its PCIe link to a fatal error, so the work on it is lost. "
                "Collect nvidia-bug-report.sh, then reboot the node (or reset the GPU) to bring "
                "it back.%s If a fatal error recurs on this GPU after the reboot, reseat it and "
                "check its riser and cables; RMA it only if it recurs after the reseat.",
                node, dn, xid);
        }
        case DEV_NVSWITCH:
            return fl_verdict_printf(
                out,
                "Drain %s: %s lost its PCIe link to a fatal error; NVLink traffic through it is "
                "unreliable. Collect nvidia-bug-report.sh and the Fabric Manager log (SXid "
                "lines), then reboot the node. If it recurs after the reboot, escalate to the "
                "system vendor: the NVSwitch sits on the GPU baseboard.",
                node, dn);
        case DEV_NIC:
            return fl_verdict_printf(
                out,
                "Drain %s: %s hit a fatal PCIe error; RDMA traffic of the GPUs using it fails. "
                "Check the mlx5 health messages in the kernel log, then reboot the node. If it "
                "recurs, reseat the NIC and check its cable and firmware; replace it if it "
                "persists.",
                node, dn);
        case DEV_BRIDGE:
            return fl_verdict_printf(
                out,
                "Drain %s: %s hit a fatal PCIe error, so every device below it may have lost its "
                "link (list them with lspci -t). Reboot the node to recover; if it recurs, have "
                "the PCIe switch board and risers checked by the system vendor.",
                node, dn);
        default:
            return fl_verdict_printf(
                out,
                "Identify %s on %s (lspci -s %s -vv) and what uses it: a fatal PCIe error took "
                "its link down. Reboot the node to recover it; reseat or replace it if it "
                "recurs.",
                dn, node, d->addr);
        }
    }
    const char *watch = "", *then = "reseat it, checking its riser and cables";
    switch (d->kind) {
    case DEV_GPU:
        watch = " and XIDs (79, 119, 13/31 after a lost read)";
        break;
    case DEV_NVSWITCH:
        watch = " and SXid lines";
        then = "collect nvidia-bug-report.sh and the Fabric Manager log and escalate to the "
               "system vendor (the NVSwitch sits on the GPU baseboard)";
        break;
    case DEV_NIC:
        then = "reseat the NIC and check its cable and firmware";
        break;
    case DEV_BRIDGE:
        then = "have the PCIe switch board and risers checked (lspci -t lists what sits below "
               "it)";
        break;
    default:
        break;
    }
    return fl_verdict_printf(out,
                             "%s, %s: a PCIe transaction was lost but the link stayed up; no "
                             "drain is needed for this alone. Watch it for fatal errors%s; if "
                             "non-fatal errors repeat, drain at the next maintenance window and "
                             "%s.",
                             node, dn, watch, then);
}

/* One verdict for the uncorrected reports e[0, n) of device d. */
static int emit_uncorrected(const struct fl_window *w, const union fl_cfg_value *cfg,
                            struct fl_verdict_sink *out, const struct device *d,
                            const struct fl_event *const *e, size_t n, struct fl_evidence *ev)
{
    const struct fl_event *decisive = e[0];
    uint32_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        bits |= shown_bits(&e[i]->u.aer);
        if (e[i]->u.aer.severity == FL_AER_FATAL && decisive->u.aer.severity != FL_AER_FATAL)
            decisive = e[i];
    }
    bool fatal = decisive->u.aer.severity == FL_AER_FATAL;
    const struct fl_event *xid79 = NULL;
    if (fatal && d->kind == DEV_GPU && d->node) {
        struct fl_evlist xl = fl_window_gpu(w, FL_EV_XID, d->node, d->gpu.pci);
        for (size_t i = fl_evlist_lower_bound(xl, decisive->ts); i < xl.n && !xid79; i++) {
            const struct fl_event *x = xl.v[i];
            if (fl__elapsed(decisive->ts, x->ts) > cfg[P_XID_WINDOW].i)
                break;
            if (x->clock == decisive->clock && x->u.xid.code == 79)
                xid79 = x;
        }
    }
    const char *node = fl__node_name(w, d->node);
    char names[200], count[48] = "", then[160] = "";
    bit_names(true, bits, n == 1 ? decisive->u.aer.first_bit : FL_AER_BITS, 4, true, names,
              sizeof names);
    if (n > 1)
        snprintf(count, sizeof count, " (%zu reports)", n);
    if (xid79) {
        char delay[32];
        fl__fmt_delay(fl__elapsed(decisive->ts, xid79->ts), delay, sizeof delay);
        snprintf(then, sizeof then,
                 ", then XID 79 (GPU has fallen off the bus) %s later: the PCIe error explains "
                 "the XID",
                 delay);
    }
    struct fl_verdict v = {0};
    char at[96];
    v.ts = fl__verdict_when(decisive, at, sizeof at);
    set_scope(d, &v);
    v.pattern_id = xid79   ? "pcie_aer.fatal_xid79"
                   : fatal ? "pcie_aer.uncorrected_fatal"
                           : "pcie_aer.uncorrected_nonfatal";
    if (fatal)
        v.severity = d->kind == DEV_OTHER ? FL_SEV_ERROR : FL_SEV_CRITICAL;
    else
        v.severity = d->kind == DEV_OTHER ? FL_SEV_WARNING : FL_SEV_ERROR;
    v.headline = fl_verdict_printf(out, "%s PCIe error on %s %s%s%s: %s%s",
                                   fatal ? "Fatal" : "Non-fatal uncorrected", node, d->name, count,
                                   at, *names ? names : "no status bits reported", then);
    v.remediation = remedy(out, node, d, fatal, xid79);
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    size_t ne = aer_evidence(out, e, n, maxev, ev);
    if (xid79) {
        ev[ne].ev = xid79;
        ev[ne].description = fl_verdict_printf(
            out, "XID 79%s%.*s", xid79->u.xid.text.len ? ": " : "", FL_STR_FMT(xid79->u.xid.text));
        ne++;
    }
    v.evidence = ev;
    v.nevidence = ne;
    return fl_verdict_emit(out, &v);
}

/* A corrected storm of device d among its corrected reports c[0, n), if any. */
static int corrected_storm(const struct fl_window *w, const union fl_cfg_value *cfg,
                           struct fl_verdict_sink *out, const struct device *d,
                           const struct fl_event *const *c, size_t n, struct fl_evidence *ev)
{
    size_t rate = (size_t)cfg[P_CORRECTED_RATE].i;
    int64_t span = cfg[P_RATE_WINDOW].i;
    size_t first = n, last = 0, peak = 0;
    for (size_t i = 0, j = 0; i < n; i++) {
        if (j < i)
            j = i;
        while (j < n && fl__elapsed(c[i]->ts, c[j]->ts) < span)
            j++;
        if (j - i > rate) {
            if (first == n)
                first = i;
            last = j - 1;
            if (j - i > peak)
                peak = j - i;
        }
    }
    if (first == n)
        return 0;
    size_t m = last - first + 1;
    uint32_t bits = 0;
    for (size_t i = first; i <= last; i++)
        bits |= shown_bits(&c[i]->u.aer);
    char names[200], dur[32], per[32];
    bit_names(false, bits, FL_AER_BITS, 4, true, names, sizeof names);
    fl__fmt_delay(fl__elapsed(c[first]->ts, c[last]->ts), dur, sizeof dur);
    if (span % (60 * FL_NS_PER_SEC) == 0)
        snprintf(per, sizeof per, "%lldm", (long long)(span / (60 * FL_NS_PER_SEC)));
    else
        fl__fmt_delay(span, per, sizeof per);
    const char *node = fl__node_name(w, d->node);
    struct fl_verdict v = {0};
    v.pattern_id = "pcie_aer.corrected_storm";
    v.severity = FL_SEV_WARNING;
    char at[96];
    v.ts = fl__verdict_when(c[first], at, sizeof at);
    set_scope(d, &v);
    v.headline = fl_verdict_printf(
        out,
        "Corrected PCIe error storm on %s %s%s: %zu reports in %s (peak %zu within %s, "
        "threshold %zu): %s",
        node, d->name, at, m, dur, peak, per, rate, *names ? names : "no status bits reported");
    v.remediation = fl_verdict_printf(
        out,
        "%s, %s: the link retried and no data was lost, but a storm this dense means a marginal "
        "link. Compare its negotiated and maximum speed and width (lspci -vv: LnkSta vs LnkCap) "
        "and reseat the device, its riser or cable at the next maintenance window; no drain is "
        "needed unless uncorrected errors or XIDs follow.",
        node, d->name);
    v.evidence = ev;
    v.nevidence = aer_evidence(out, c + first, m, (size_t)cfg[P_MAX_EVIDENCE].i, ev);
    return fl_verdict_emit(out, &v);
}

/* All verdicts of one device: its reports e[0, n), ts-ascending; c is scratch for n. */
static int run_device(const struct fl_window *w, const union fl_cfg_value *cfg,
                      struct fl_verdict_sink *out, const struct fl_event **e, size_t n,
                      const struct fl_event **c, struct fl_evidence *ev)
{
    size_t nc = 0, nu = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t s = e[i]->u.aer.severity;
        if (s == FL_AER_CORRECTED)
            c[nc++] = e[i];
        else if (s == FL_AER_NONFATAL || s == FL_AER_FATAL)
            e[nu++] = e[i]; /* compact in place: uncorrected first, order kept */
    }
    if (!nc && !nu)
        return 0;
    struct device d;
    classify(w, e, nu, c, nc, &d);
    int rc = corrected_storm(w, cfg, out, &d, c, nc, ev);
    for (size_t i = 0, j; i < nu && rc == 0; i = j) {
        for (j = i + 1; j < nu && fl__elapsed(e[j - 1]->ts, e[j]->ts) <= cfg[P_EPISODE_GAP].i; j++)
            ;
        rc = emit_uncorrected(w, cfg, out, &d, e + i, j - i, ev);
    }
    return rc;
}

/* A boot-relative report of a device that also has wall-clock reports: the same errors read
 * from a second log of the node (a raw dmesg beside kern.log), judged once, from the log that
 * has wall times. */
static bool device_on_wall_clock(const struct fl_window *w, const struct fl_event *a)
{
    struct fl_evlist l = fl_window_gpu(w, FL_EV_PCIE_AER, a->node, a->gpu.pci);
    for (size_t i = 0; i < l.n; i++)
        if (l.v[i]->clock == FL_CLOCK_WALL)
            return true;
    return false;
}

static int run(const struct fl_window *w, const union fl_cfg_value *cfg,
               struct fl_verdict_sink *out)
{
    struct fl_evlist al = fl_window_kind(w, FL_EV_PCIE_AER);
    if (!al.n)
        return 0;
    size_t maxev = (size_t)cfg[P_MAX_EVIDENCE].i;
    const struct fl_event **e = FL_ARENA_NEW_N(out->arena, const struct fl_event *, al.n);
    const struct fl_event **c = FL_ARENA_NEW_N(out->arena, const struct fl_event *, al.n);
    struct fl_evidence *ev = FL_ARENA_NEW_N(out->arena, struct fl_evidence, maxev + 2);
    if (!e || !c || !ev)
        return FL_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < al.n; i++)
        if (al.v[i]->gpu.pci &&
            (al.v[i]->clock == FL_CLOCK_WALL ||
             (al.v[i]->clock == FL_CLOCK_BOOT && !device_on_wall_clock(w, al.v[i]))))
            e[n++] = al.v[i];
    qsort(e, n, sizeof *e, cmp_aer);
    int rc = 0;
    for (size_t i = 0, j; i < n && rc == 0; i = j) {
        for (j = i + 1; j < n && e[j]->node == e[i]->node && e[j]->gpu.pci == e[i]->gpu.pci &&
                        e[j]->clock == e[i]->clock;
             j++)
            ;
        rc = run_device(w, cfg, out, e + i, j - i, c, ev);
    }
    return rc;
}

const struct fl_detector fl_detector_pcie_aer = {
    .name = "pcie_aer",
    .summary = "Uncorrected PCIe AER errors on a GPU, NVSwitch, NIC or bridge, named and mapped "
               "to the GPU; corrected-error storms",
    .patterns = patterns,
    .kinds = FL_EV_BIT(FL_EV_PCIE_AER) | FL_EV_BIT(FL_EV_XID) | FL_EV_BIT(FL_EV_GPU_SAMPLE) |
             FL_EV_BIT(FL_EV_ECC) | FL_EV_BIT(FL_EV_THROTTLE),
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
