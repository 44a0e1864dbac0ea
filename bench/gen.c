/* Deterministic input generators for the bench (see bench.h). Integers only: every value,
 * including the "floating point" metric values, is printed from integers, so the bytes do
 * not depend on the C library's float formatting; and every PRNG draw is a statement of its
 * own: the order in which a compiler evaluates function arguments is unspecified, and two
 * draws in one argument list gave gcc and clang different streams. */
#include "bench.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/alloc.h"
#include "faultline/time.h"

/* ---- buffer ------------------------------------------------------------------------ */

static void grow(struct bench_buf *b, size_t need)
{
    if (b->len + need + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = fl_realloc(b->p, cap);
    if (!p) {
        fprintf(stderr, "fl_bench: out of memory generating input (%zu bytes)\n", cap);
        exit(1);
    }
    b->p = p;
    b->cap = cap;
}

void bench_buf_put(struct bench_buf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void bench_buf_putf(struct bench_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "fl_bench: bad format '%s'\n", fmt);
        exit(1);
    }
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bench_buf_release(struct bench_buf *b)
{
    fl_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- PRNG -------------------------------------------------------------------------- */

uint64_t bench_rng_next(struct bench_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t bench_rng_below(struct bench_rng *r, uint64_t n)
{
    return n ? bench_rng_next(r) % n : 0;
}

static bool chance(struct bench_rng *r, unsigned pct)
{
    return bench_rng_below(r, 100) < pct;
}

static unsigned pick(struct bench_rng *r, unsigned n)
{
    return (unsigned)bench_rng_below(r, n);
}

/* ---- shared line pieces ------------------------------------------------------------ */

static const unsigned char gpu_bus[8] = {0x18, 0x2a, 0x3b, 0x5d, 0x9a, 0xab, 0xba, 0xdb};

struct gen {
    struct bench_rng rng;
    int64_t ts;
};

/* "ts":"..." — mostly Z, one line in twenty with a +02:00 offset (same instant). */
static void put_ts(struct gen *g, struct bench_buf *b)
{
    char t[FL_TIME_BUF];
    if (chance(&g->rng, 5)) {
        size_t n = fl_time_format_rfc3339(g->ts + 2 * 3600 * FL_NS_PER_SEC, t);
        bench_buf_putf(b, "\"ts\":\"%.*s+02:00\"", (int)(n - 1), t);
    } else {
        fl_time_format_rfc3339(g->ts, t);
        bench_buf_putf(b, "\"ts\":\"%s\"", t);
    }
}

static void put_head(struct gen *g, struct bench_buf *b, const char *kind, int node)
{
    bench_buf_putf(b, "{\"schema\":\"faultline.events/v1\",\"kind\":\"%s\",", kind);
    put_ts(g, b);
    if (node >= 0)
        bench_buf_putf(b, ",\"node\":\"gpu-node-%02d\"", node);
}

static void put_pci(struct bench_rng *r, struct bench_buf *b, unsigned gpu)
{
    switch (pick(r, 3)) {
    case 0:
        bench_buf_putf(b, "\"pci\":\"0000:%02x:00.0\"", gpu_bus[gpu]);
        break;
    case 1:
        bench_buf_putf(b, "\"pci\":\"00000000:%02X:00.0\"", gpu_bus[gpu]);
        break;
    default:
        bench_buf_putf(b, "\"pci\":\"PCI:0000:%02x:00\"", gpu_bus[gpu]);
        break;
    }
}

static void put_gpu(struct gen *g, struct bench_buf *b, unsigned node, unsigned gpu, bool uuid)
{
    bench_buf_put(b, ",\"gpu\":{", 8);
    put_pci(&g->rng, b, gpu);
    if (uuid) {
        struct bench_rng u = {0x5eed0000u + node * 8u + gpu};
        uint64_t a = bench_rng_next(&u), c = bench_rng_next(&u);
        bench_buf_putf(b, ",\"uuid\":\"GPU-%08x-%04x-%04x-%04x-%012llx\"", (unsigned)(a >> 32),
                       (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xffffu, (unsigned)(c >> 48),
                       (unsigned long long)(c & 0xffffffffffffULL));
    }
    bench_buf_putf(b, ",\"index\":%u}", gpu);
}

/* ---- log --------------------------------------------------------------------------- */

/* One kernel/system log text into t (JSON-escaped already: some carry \" \t \u00e9). */
static void log_text(struct gen *g, char *t, size_t cap, unsigned *level)
{
    struct bench_rng *r = &g->rng;
    unsigned a = pick(r, 100000), c = pick(r, 8);
    *level = 6;
    switch (pick(r, 10)) {
    case 0:
        snprintf(t, cap, "NVRM: GPU at PCI:0000:%02x:00: GPU-%08x-77d1-4e0a-9b1c-%012u", gpu_bus[c],
                 a * 2654435761u, a);
        *level = 4;
        break;
    case 1:
        snprintf(t, cap,
                 "kubelet[%u]: I1124 18:%02u:%02u.%06u 2281 kubelet.go:2457] \\\"SyncLoop "
                 "(PLEG): event for pod\\\" pod=\\\"ml/train-%u-worker-%u\\\" "
                 "event={\\\"Type\\\":\\\"ContainerStarted\\\"}",
                 2281 + c, a % 60, (a / 7) % 60, a * 13 % 1000000, a % 40, c);
        break;
    case 2:
        snprintf(t, cap, "systemd[1]: Started session-%u.scope - Session %u of User root.", a, a);
        break;
    case 3:
        snprintf(t, cap,
                 "mlx5_core 0000:%02x:00.1: mlx5_fw_tracer_handle_traces:%u:(pid %u): FW "
                 "tracer event %u, link state changed",
                 gpu_bus[c] + 1, 740 + c, a, a % 977);
        *level = 5;
        break;
    case 4:
        snprintf(t, cap, "nvidia-persistenced: device 0000:%02x:00.0 - persistence mode enabled.",
                 gpu_bus[c]);
        break;
    case 5:
        snprintf(t, cap,
                 "containerd[%u]: time=\\\"2026-11-24T18:00:%02uZ\\\" level=info "
                 "msg=\\\"shim disconnected\\\" id=%08x%08x namespace=k8s.io",
                 900 + c, a % 60, a * 2246822519u, a * 3266489917u);
        break;
    case 6:
        snprintf(t, cap, "NVRM: nvAssertFailedNoLog: Assertion failed: 0 @ gpu_mgr.c:%u", a % 4000);
        *level = 3;
        break;
    case 7:
        snprintf(t, cap,
                 "python3[%u]: rank %u: step %u loss=%u.%04u lr=3e-4 r\\u00e9sum\\u00e9\\tok",
                 40000 + c, c, a, a % 9, a % 10000);
        break;
    case 8:
        snprintf(t, cap,
                 "kernel: pcieport 0000:%02x:01.0: AER: Corrected error message received "
                 "from 0000:%02x:00.0",
                 gpu_bus[c] - 1, gpu_bus[c]);
        *level = 4;
        break;
    default:
        snprintf(t, cap,
                 "CRON[%u]: (root) CMD (/usr/local/bin/gpu-healthcheck --quiet >/dev/null "
                 "2>&1)",
                 a);
        break;
    }
}

static void gen_log(struct gen *g, struct bench_buf *b, int node)
{
    char t[512];
    unsigned level;
    log_text(g, t, sizeof t, &level);
    put_head(g, b, "log", node);
    if (chance(&g->rng, 50))
        bench_buf_putf(b, ",\"raw\":\"%s\"", t);
    bench_buf_putf(b, ",\"log\":{\"text\":\"%s\",\"level\":%u}}\n", t, level);
}

/* ---- xid --------------------------------------------------------------------------- */

static const unsigned xid_codes[] = {79, 48, 63, 64, 94, 95, 13, 31, 43, 74, 119, 92, 300};

static void xid_text(unsigned code, unsigned a, char *t, size_t cap)
{
    switch (code) {
    case 79:
        snprintf(t, cap, "GPU has fallen off the bus.");
        break;
    case 48:
        snprintf(t, cap,
                 "An uncorrectable double bit error (DBE) has been detected on GPU in the "
                 "framebuffer at partition %u, subpartition 0.",
                 a % 8);
        break;
    case 63:
        snprintf(t, cap,
                 "Row Remapper: New row (0x%08x) was marked for remapping, reset gpu to "
                 "activate.",
                 a * 40503u);
        break;
    case 64:
        snprintf(t, cap, "Row Remapper: row remapping failed for row 0x%08x", a * 40503u);
        break;
    case 94:
        snprintf(t, cap, "Contained: SM (0x1). RST: No, D-RST: No");
        break;
    case 95:
        snprintf(t, cap, "Uncontained: FBHUB. RST: Yes, D-RST: No");
        break;
    case 13:
        snprintf(t, cap,
                 "Graphics SM Warp Exception on (GPC %u, TPC %u, SM 0): Out Of Range "
                 "Address",
                 a % 7, a % 9);
        break;
    case 31:
        snprintf(t, cap,
                 "Ch 0000%04x, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_%u "
                 "faulted @ 0x7f%08x_00000000. Fault is of type FAULT_PDE "
                 "ACCESS_TYPE_VIRT_READ",
                 a % 0x1000, a % 16, a * 2654435761u);
        break;
    case 74:
        snprintf(t, cap, "NVLink: fatal error detected on link %u(0x0, 0x0, 0x10000, 0x0)", a % 18);
        break;
    case 119:
        snprintf(t, cap,
                 "Timeout after 6s of waiting for RPC response from GPU%u GSP! Expected "
                 "function 76 (GSP_RM_CONTROL).",
                 a % 8);
        break;
    case 43:
    case 45:
        snprintf(t, cap, "Ch 000000%02x", a % 256);
        break;
    default:
        snprintf(t, cap, "Unrecognized error 0x%08x", a);
        break;
    }
}

static void put_xid(struct gen *g, struct bench_buf *b, int node_field, unsigned node, unsigned gpu,
                    unsigned code)
{
    char t[400];
    unsigned a = pick(&g->rng, 100000);
    xid_text(code, a, t, sizeof t);
    bool proc = chance(&g->rng, 70);
    const char *pname = chance(&g->rng, 50) ? "python3" : "pt_main_thread";
    unsigned pid = 40000 + a % 20000;
    put_head(g, b, "xid", node_field);
    put_gpu(g, b, node, gpu, chance(&g->rng, 30));
    if (proc)
        bench_buf_putf(b, ",\"raw\":\"NVRM: Xid (PCI:0000:%02x:00): %u, pid=%u, name=%s, %s\"",
                       gpu_bus[gpu], code, pid, pname, t);
    else
        bench_buf_putf(b,
                       ",\"raw\":\"NVRM: Xid (PCI:0000:%02x:00): %u, pid='<unknown>', "
                       "name=<unknown>, %s\"",
                       gpu_bus[gpu], code, t);
    bench_buf_putf(b, ",\"xid\":{\"code\":%u", code);
    if (proc)
        bench_buf_putf(b, ",\"pid\":%u,\"process\":\"%s\"", pid, pname);
    bench_buf_putf(b, ",\"text\":\"%s\"}}\n", t);
}

/* XIDs come in bursts (the same code on the same GPU again) and an XID 45 often follows. */
struct xid_state {
    unsigned node, gpu, code;
    bool have, follow45;
};

static void gen_xid(struct gen *g, struct xid_state *x, struct bench_buf *b, int node_field,
                    unsigned node, unsigned nnodes, unsigned repeat_pct, unsigned follow_pct,
                    unsigned *out_node)
{
    if (x->have && x->follow45) {
        x->follow45 = false;
        *out_node = x->node;
        put_xid(g, b, node_field >= 0 ? (int)x->node : -1, x->node, x->gpu, 45);
        return;
    }
    if (!x->have || !chance(&g->rng, repeat_pct)) {
        x->node = node % nnodes;
        x->gpu = pick(&g->rng, 8);
        x->code = xid_codes[pick(&g->rng, sizeof xid_codes / sizeof xid_codes[0])];
        x->have = true;
    }
    x->follow45 = chance(&g->rng, follow_pct);
    *out_node = x->node;
    put_xid(g, b, node_field >= 0 ? (int)x->node : -1, x->node, x->gpu, x->code);
}

/* ---- pod_event --------------------------------------------------------------------- */

struct pod_reason {
    const char *reason;
    const char *message; /* printf with the pod name, JSON-escaped */
    bool disrupts;
};

static const struct pod_reason pod_reasons[] = {
    {"Scheduled", "Successfully assigned %s to a GPU node", false},
    {"Pulled",
     "Container image \\\"nvcr.io/nvidia/pytorch:24.10-py3\\\" already present on "
     "machine",
     false},
    {"Started", "Started container trainer", false},
    {"Created", "Created container trainer", false},
    {"Killing", "Stopping container trainer", true},
    {"Evicted",
     "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
     "51200Ki.",
     true},
    {"BackOff", "Back-off restarting failed container trainer in pod %s", true},
    {"OOMKilling", "Memory cgroup out of memory: Killed process 4242 (python3)", true},
    {"Failed", "Error: failed to start container \\\"trainer\\\": exit status 1", true},
    {"Preempting", "Preempted in order to admit critical pod", true},
};

static void put_pod(struct gen *g, struct bench_buf *b, unsigned node, unsigned pod,
                    bool want_disruption)
{
    struct bench_rng *r = &g->rng;
    size_t nr = sizeof pod_reasons / sizeof pod_reasons[0];
    const struct pod_reason *pr = &pod_reasons[pick(r, 4)];
    if (want_disruption)
        pr = &pod_reasons[4 + pick(r, (unsigned)nr - 4)];
    char name[64], msg[256];
    snprintf(name, sizeof name, "ml/train-%u-worker-%u", node, pod);
    snprintf(msg, sizeof msg, pr->message, name);
    put_head(g, b, "pod_event", (int)node);
    bench_buf_putf(b,
                   ",\"pod_event\":{\"pod\":\"%s\",\"reason\":\"%s\",\"message\":\"%s\","
                   "\"container\":\"trainer\",\"count\":%u}}\n",
                   name, pr->reason, msg, 1 + pick(r, 5));
}

/* ---- gpu_sample, throttle, ecc, node_condition ------------------------------------- */

static void gen_sample(struct gen *g, struct bench_buf *b, int node_field, unsigned node)
{
    static const struct {
        const char *metric, *name;
        unsigned lo, span;
    } m[] = {
        {"temp_gpu", "DCGM_FI_DEV_GPU_TEMP", 35, 55},
        {"temp_memory", "DCGM_FI_DEV_MEMORY_TEMP", 40, 50},
        {"power_w", "DCGM_FI_DEV_POWER_USAGE", 90, 610},
        {"sm_clock_mhz", "DCGM_FI_DEV_SM_CLOCK", 1000, 980},
        {"util", "DCGM_FI_DEV_GPU_UTIL", 0, 101},
        {"pcie_replay", "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", 0, 4},
    };
    unsigned i = pick(&g->rng, sizeof m / sizeof m[0]);
    unsigned gpu = pick(&g->rng, 8);
    put_head(g, b, "gpu_sample", node_field);
    put_gpu(g, b, node, gpu, true);
    unsigned whole = m[i].lo + pick(&g->rng, m[i].span);
    unsigned frac = pick(&g->rng, 100);
    bench_buf_putf(b, ",\"gpu_sample\":{\"metric\":\"%s\",\"value\":%u.%02u,\"name\":\"%s\"}}\n",
                   m[i].metric, whole, frac, m[i].name);
}

static void gen_other(struct gen *g, struct bench_buf *b, int node_field, unsigned node)
{
    static const unsigned reasons[] = {0, 4, 32, 64, 96, 128, 256};
    static const char *const ecc_types[] = {"sbe", "dbe", "remap_pending"};
    switch (pick(&g->rng, 3)) {
    case 0:
        put_head(g, b, "throttle", node_field);
        put_gpu(g, b, node, pick(&g->rng, 8), false);
        bench_buf_putf(b, ",\"throttle\":{\"reasons\":%u}}\n",
                       reasons[pick(&g->rng, sizeof reasons / sizeof reasons[0])]);
        break;
    case 1: {
        put_head(g, b, "ecc", node_field);
        put_gpu(g, b, node, pick(&g->rng, 8), false);
        const char *type = ecc_types[pick(&g->rng, 3)];
        bool aggregate = chance(&g->rng, 50);
        unsigned count = 1 + pick(&g->rng, 20);
        bench_buf_putf(b, ",\"ecc\":{\"type\":\"%s\",\"aggregate\":%s,\"count\":%u}}\n", type,
                       aggregate ? "true" : "false", count);
        break;
    }
    default:
        put_head(g, b, "node_condition", node_field);
        if (chance(&g->rng, 50))
            bench_buf_putf(b, "%s",
                           ",\"node_condition\":{\"type\":\"MemoryPressure\",\"status\":\"False\","
                           "\"reason\":\"KubeletHasSufficientMemory\",\"message\":\"kubelet has "
                           "sufficient memory available\"}}\n");
        else
            bench_buf_putf(b,
                           ",\"node_condition\":{\"type\":\"Ready\",\"status\":\"%s\","
                           "\"reason\":\"KubeletReady\",\"message\":\"kubelet is posting "
                           "ready status\"}}\n",
                           chance(&g->rng, 90) ? "True" : "False");
        break;
    }
}

/* ---- the two streams --------------------------------------------------------------- */

static int64_t start_ns(void)
{
    return fl_days_from_civil(2026, 11, 24) * 86400 * FL_NS_PER_SEC + 18 * 3600 * FL_NS_PER_SEC;
}

static size_t total_len(const struct bench_buf *all, const struct bench_buf *nodes)
{
    if (all)
        return all->len;
    size_t n = 0;
    for (int i = 0; i <= BENCH_NODES; i++)
        n += nodes[i].len;
    return n;
}

size_t bench_gen_mixed(uint64_t seed, size_t bytes, struct bench_buf *all,
                       struct bench_buf nodes[BENCH_NODES + 1])
{
    struct gen g = {{seed}, start_ns()};
    struct xid_state x = {0};
    size_t n = 0;
    while (total_len(all, nodes) < bytes) {
        g.ts += 1 + (int64_t)bench_rng_below(&g.rng, 100 * FL_NS_PER_MS);
        unsigned node = pick(&g.rng, BENCH_NODES);
        int node_field = all ? (int)node : -1;
        unsigned k = pick(&g.rng, 100);
        if (k < 4) { /* pod events live in the cluster's event file and name their node */
            unsigned pod = pick(&g.rng, 4);
            bool disrupt = chance(&g.rng, 40);
            put_pod(&g, all ? all : &nodes[BENCH_NODES], node, pod, disrupt);
        } else if (k < 7) {
            unsigned xnode;
            struct bench_buf tmp = {0};
            gen_xid(&g, &x, &tmp, node_field, node, BENCH_NODES, 50, 15, &xnode);
            bench_buf_put(all ? all : &nodes[xnode], tmp.p, tmp.len);
            bench_buf_release(&tmp);
        } else if (k < 19) {
            gen_sample(&g, all ? all : &nodes[node], node_field, node);
        } else if (k < 22) {
            gen_other(&g, all ? all : &nodes[node], node_field, node);
        } else {
            gen_log(&g, all ? all : &nodes[node], node_field);
        }
        n++;
    }
    return n;
}

void bench_gen_xid_window(uint64_t seed, size_t nevents, struct bench_buf *out)
{
    struct gen g = {{seed}, start_ns()};
    struct xid_state x = {0};
    unsigned last_xid_node = 0;
    for (size_t i = 0; i < nevents; i++) {
        g.ts += 1 + (int64_t)bench_rng_below(&g.rng, 15 * FL_NS_PER_SEC);
        if (chance(&g.rng, 45)) {
            gen_xid(&g, &x, out, 0, pick(&g.rng, 8), 8, 40, 20, &last_xid_node);
        } else {
            /* most pod events land on the node of the latest XID, minutes after it */
            unsigned node = chance(&g.rng, 60) ? last_xid_node : pick(&g.rng, 8);
            unsigned pod = pick(&g.rng, 8);
            bool disrupt = chance(&g.rng, 50);
            put_pod(&g, out, node, pod, disrupt);
        }
    }
}

void bench_put(struct bench_buf *b, const char *s)
{
    bench_buf_put(b, s, strlen(s));
}

void bench_put_upad(struct bench_buf *b, uint64_t v, size_t width, char pad)
{
    char t[24];
    size_t n = 0;
    do {
        t[sizeof t - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < sizeof t)
        t[sizeof t - 1 - n++] = pad;
    bench_buf_put(b, t + sizeof t - n, n);
}

void bench_put_u(struct bench_buf *b, uint64_t v)
{
    bench_put_upad(b, v, 0, '0');
}
