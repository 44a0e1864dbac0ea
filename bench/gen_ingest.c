/* Deterministic generators for the ingest cases (bench/cases_ingest.c, bench.h): a dmesg kernel
 * log, `kubectl get events -A -o json` output and concatenated dcgm-exporter scrapes. Same rules
 * as gen.c: a fixed-seed splitmix64, integers only (every "decimal" is printed from integers),
 * and every PRNG draw is a statement of its own (argument evaluation order is unspecified).
 *
 * Each generator also returns what the faultline reader must make of its output (events), so
 * the bench can stop when generator and reader disagree. The shapes are copied from real
 * captures (tests/unit/data/kernel, /work/shared/samples/real, tests/unit/test_kernel_lines.c)
 * and from what the tools print (kubectl's JSON printer: 4-space indent, keys sorted, no
 * managedFields since kubectl 1.21; dcgm-exporter's default-counters.csv and
 * dcp-metrics-included.csv).
 */
#include "bench.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "faultline/time.h"

/* ---- small writers ------------------------------------------------------------------- */

static void put_i(struct bench_buf *b, int64_t v)
{
    if (v < 0) {
        bench_put(b, "-");
        bench_put_u(b, (uint64_t)(-v));
    } else {
        bench_put_u(b, (uint64_t)v);
    }
}

/* digits hex digits of v (zero-padded; upper case when up). */
static void put_hex(struct bench_buf *b, uint64_t v, unsigned digits, bool up)
{
    const char *d = up ? "0123456789ABCDEF" : "0123456789abcdef";
    char t[16];
    for (unsigned i = 0; i < digits && i < 16; i++)
        t[digits - 1 - i] = d[(v >> (4 * i)) & 15];
    bench_buf_put(b, t, digits);
}

/* whole.frac with exactly fdigits fraction digits: "8.969000". */
static void put_fixed(struct bench_buf *b, uint64_t whole, uint64_t frac, size_t fdigits)
{
    bench_put_u(b, whole);
    bench_put(b, ".");
    bench_put_upad(b, frac, fdigits, '0');
}

static uint64_t rb(struct bench_rng *r, uint64_t n)
{
    return bench_rng_below(r, n);
}

/* 64 lower-case hex digits (a container id). */
static void put_hex64(struct bench_buf *b, struct bench_rng *r)
{
    for (int i = 0; i < 4; i++) {
        uint64_t v = bench_rng_next(r);
        put_hex(b, v, 16, false);
    }
}

/* 8-4-4-4-12 lower-case hex (sep '-') or 8_4_4_4_12 (systemd slice names). */
static void put_uuid(struct bench_buf *b, struct bench_rng *r, char sep)
{
    uint64_t a = bench_rng_next(r);
    uint64_t c = bench_rng_next(r);
    char s[2] = {sep, 0};
    put_hex(b, a >> 32, 8, false);
    bench_put(b, s);
    put_hex(b, (a >> 16) & 0xffff, 4, false);
    bench_put(b, s);
    put_hex(b, 0x4000 | (a & 0x0fff), 4, false);
    bench_put(b, s);
    put_hex(b, 0x8000 | ((c >> 48) & 0x3fff), 4, false);
    bench_put(b, s);
    put_hex(b, c & 0xffffffffffffULL, 12, false);
}

/* RFC 3339 seconds, "Z": 2026-11-24T18:41:09Z; with us: 2026-11-24T18:41:09.123456Z. */
static void put_time(struct bench_buf *b, int64_t sec, int64_t us)
{
    char t[FL_TIME_BUF];
    size_t n = fl_time_format_rfc3339(sec * FL_NS_PER_SEC, t);
    if (us < 0) {
        bench_buf_put(b, t, n);
        return;
    }
    bench_buf_put(b, t, n - 1);
    bench_put(b, ".");
    bench_put_upad(b, (uint64_t)us, 6, '0');
    bench_put(b, "Z");
}

/* Lower-case letters and digits, as Kubernetes' random suffixes ("x2k4p"). */
static void put_suffix(struct bench_buf *b, struct bench_rng *r, size_t n)
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    char t[16];
    for (size_t i = 0; i < n && i < sizeof t; i++)
        t[i] = alnum[rb(r, sizeof alnum - 1)];
    bench_buf_put(b, t, n < sizeof t ? n : sizeof t);
}

static const unsigned char gpu_bus[8] = {0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb};

static int64_t start_sec(void)
{
    return fl_days_from_civil(2026, 11, 24) * 86400 + 18 * 3600;
}

/* ==== dmesg kernel log ================================================================= */

struct kg {
    struct bench_buf *b;
    struct bench_rng r;
    uint64_t us; /* microseconds since boot */
    size_t lines, events;
    unsigned driver; /* index into drivers[] */
};

static const char *const drivers[] = {
    "550.90.07  Fri May 31 09:35:42 UTC 2024",
    "535.183.01  Sun May 12 19:39:15 UTC 2024",
    "550.144.03  Mon Dec 30 17:44:08 UTC 2024",
    "570.86.15  Thu Jan 23 22:51:26 UTC 2025",
};

/* "[ 8123.456789] " after advancing the clock by 1..step us. */
static void kline(struct kg *g, uint64_t step)
{
    g->us += 1 + rb(&g->r, step);
    bench_put(g->b, "[");
    bench_put_upad(g->b, g->us / 1000000, 5, ' ');
    bench_put(g->b, ".");
    bench_put_upad(g->b, g->us % 1000000, 6, '0');
    bench_put(g->b, "] ");
    g->lines++;
}

static void nl(struct bench_buf *b)
{
    bench_put(b, "\n");
}

/* "0000:bb:00.0" */
static void put_bdf(struct bench_buf *b, unsigned bus, unsigned dev, unsigned fn)
{
    bench_put(b, "0000:");
    put_hex(b, bus, 2, false);
    bench_put(b, ":");
    put_hex(b, dev, 2, false);
    bench_put(b, ".");
    bench_put_u(b, fn);
}

static void put_veth(struct kg *g)
{
    uint64_t v = rb(&g->r, 1u << 28);
    bench_put(g->b, "veth");
    put_hex(g->b, v | 0x10000000u, 8, false);
}

static void put_slice_pod(struct kg *g)
{
    bench_put(g->b, "kubepods-burstable-pod");
    put_uuid(g->b, &g->r, '_');
    bench_put(g->b, ".slice");
}

/* auditd's proctitle: the command line, NUL-separated, as upper-case hex. */
static void put_proctitle(struct bench_buf *b, const char *cmd)
{
    for (const char *p = cmd; *p; p++)
        put_hex(b, *p == ' ' ? 0 : (unsigned char)*p, 2, true);
}

/* One ordinary kernel line (no GPU needle: NVRM, NVLink, NVLINK, Xid, AER, Bus Error). */
static void k_ordinary(struct kg *g)
{
    struct bench_buf *b = g->b;
    struct bench_rng *r = &g->r;
    unsigned k = (unsigned)rb(r, 100);
    kline(g, 400000);
    if (k < 12) { /* pod networking: veth pairs joining and leaving the bridge */
        unsigned port = 1 + (unsigned)rb(r, 60);
        unsigned v = (unsigned)rb(r, 8);
        static const char *const st[] = {"blocking", "disabled", "forwarding"};
        if (v < 3) {
            bench_put(b, "cni0: port ");
            bench_put_u(b, port);
            bench_put(b, "(");
            put_veth(g);
            bench_put(b, ") entered ");
            bench_put(b, st[v]);
            bench_put(b, " state");
        } else if (v == 3) {
            bench_put(b, "device ");
            put_veth(g);
            bench_put(b, " entered promiscuous mode");
        } else if (v == 4) {
            bench_put(b, "device ");
            put_veth(g);
            bench_put(b, " left promiscuous mode");
        } else if (v == 5) {
            uint64_t t = rb(r, 1u << 20);
            bench_put(b, "eth0: renamed from tmp");
            put_hex(b, t, 5, false);
        } else if (v == 6) {
            bench_put(b, "IPv6: ADDRCONF(NETDEV_CHANGE): ");
            put_veth(g);
            bench_put(b, ": link becomes ready");
        } else {
            uint64_t c = rb(r, 1ull << 44);
            bench_put(b, "IPv6: ADDRCONF(NETDEV_CHANGE): cali");
            put_hex(b, c, 11, false);
            bench_put(b, ": link becomes ready");
        }
    } else if (k < 22) { /* audit */
        uint64_t sec = 1795545171 + g->us / 1000000;
        uint64_t ms = rb(r, 1000);
        uint64_t serial = 1000 + rb(r, 900000);
        uint64_t pid = 2000 + rb(r, 4000000);
        unsigned v = (unsigned)rb(r, 5);
        if (v == 4) {
            bench_put(b, "kauditd_printk_skb: ");
            bench_put_u(b, 1 + rb(r, 40));
            bench_put(b, " callbacks suppressed");
        } else {
            bench_put(b, "audit: type=");
            bench_put(b, v == 0 ? "1400" : v == 1 ? "1325" : v == 2 ? "1300" : "1327");
            bench_put(b, " audit(");
            bench_put_u(b, sec);
            bench_put(b, ".");
            bench_put_upad(b, ms, 3, '0');
            bench_put(b, ":");
            bench_put_u(b, serial);
            bench_put(b, "): ");
            if (v == 0) {
                bench_put(b, "apparmor=\"DENIED\" operation=\"open\" class=\"file\" "
                       "profile=\"cri-containerd.apparmor.d\" name=\"/proc/");
                bench_put_u(b, pid);
                bench_put(b, "/mountinfo\" pid=");
                bench_put_u(b, pid);
                bench_put(b, " comm=\"python3\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 "
                       "ouid=0");
            } else if (v == 1) {
                static const char *const tables[] = {"filter:2", "nat:7", "mangle:3"};
                bench_put(b, "table=");
                bench_put(b, tables[rb(r, 3)]);
                bench_put(b, " family=2 entries=");
                bench_put_u(b, 4 + rb(r, 900));
                bench_put(b, " op=xt_replace pid=");
                bench_put_u(b, pid);
                bench_put(b, " subj=unconfined comm=\"iptables-restor\"");
            } else if (v == 2) {
                bench_put(b, "arch=c000003e syscall=54 success=yes exit=0 a0=4 a1=0 a2=40 a3=");
                put_hex(b, 0x55d0a1000000ull + rb(r, 1u << 24), 12, false);
                bench_put(b, " items=0 ppid=");
                bench_put_u(b, pid - 1);
                bench_put(b, " pid=");
                bench_put_u(b, pid);
                bench_put(b, " auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                       "fsgid=0 tty=(none) ses=4294967295 comm=\"iptables-restor\" "
                       "exe=\"/usr/sbin/xtables-nft-multi\" subj=unconfined key=(null)");
            } else {
                bench_put(b, "proctitle=");
                put_proctitle(b, "iptables-restore -w 5 -W 100000 --noflush --counters");
            }
        }
    } else if (k < 30) { /* systemd units of containers and pods */
        unsigned v = (unsigned)rb(r, 5);
        if (v == 0) {
            bench_put(b, "systemd[1]: run-containerd-runc-k8s.io-");
            put_hex64(b, r);
            bench_put(b, "-runc.");
            put_suffix(b, r, 6);
            bench_put(b, ".mount: Deactivated successfully.");
        } else if (v == 1) {
            bench_put(b, "systemd[1]: Started cri-containerd-");
            put_hex64(b, r);
            bench_put(b, ".scope - libcontainer container.");
        } else if (v == 2) {
            bench_put(b, "systemd[1]: cri-containerd-");
            put_hex64(b, r);
            bench_put(b, ".scope: Consumed ");
            bench_put_u(b, rb(r, 4000));
            bench_put(b, ".");
            bench_put_upad(b, rb(r, 1000), 3, '0');
            bench_put(b, "s CPU time.");
        } else if (v == 3) {
            bench_put(b, "systemd[1]: Created slice ");
            put_slice_pod(g);
            bench_put(b, " - libcontainer container kubepods-burstable.slice.");
        } else {
            bench_put(b, "systemd[1]: var-lib-kubelet-pods-");
            put_uuid(b, r, '-');
            bench_put(b, "-volumes-kubernetes.io\\x7eprojected-kube\\x2dapi\\x2daccess\\x2d");
            put_suffix(b, r, 5);
            bench_put(b, ".mount: Deactivated successfully.");
        }
    } else if (k < 36) { /* file systems */
        unsigned v = (unsigned)rb(r, 5);
        if (v == 0) {
            bench_put(b, "EXT4-fs (nvme");
            bench_put_u(b, rb(r, 4));
            bench_put(b, "n1p1): mounted filesystem ");
            put_uuid(b, r, '-');
            bench_put(b, " r/w with ordered data mode. Quota mode: none.");
        } else if (v == 1) {
            bench_put(b, "EXT4-fs (dm-");
            bench_put_u(b, rb(r, 12));
            bench_put(b, "): unmounting filesystem ");
            put_uuid(b, r, '-');
            bench_put(b, ".");
        } else if (v == 2) {
            bench_put(b, "overlayfs: upperdir is in-use as upperdir/workdir of another mount, accessing "
                   "files from both mounts will result in undefined behavior.");
        } else if (v == 3) {
            bench_put(b, "loop");
            bench_put_u(b, rb(r, 16));
            bench_put(b, ": detected capacity change from 0 to ");
            bench_put_u(b, 8 * (1000 + rb(r, 200000)));
        } else {
            bench_put(b, "EXT4-fs warning (device nvme0n1p1): ext4_dx_add_entry:2516: Directory "
                   "(ino: ");
            bench_put_u(b, 1000000 + rb(r, 9000000));
            bench_put(b, ") index full, reach max htree level :2");
        }
    } else if (k < 42) { /* memory cgroups of Kubernetes pods */
        unsigned v = (unsigned)rb(r, 5);
        uint64_t pid = 2000 + rb(r, 4000000);
        if (v == 0) {
            bench_put(b, "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                   "oom_score_adj=");
            put_i(b, rb(r, 2) ? 936 : -997);
        } else if (v == 1) {
            bench_put(b, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-");
            put_hex64(b, r);
            bench_put(b, ".scope,mems_allowed=0-1,oom_memcg=/kubepods.slice/kubepods-burstable.slice/");
            put_slice_pod(g);
            bench_put(b, ",task_memcg=/kubepods.slice/kubepods-burstable.slice/");
            put_slice_pod(g);
            bench_put(b, "/cri-containerd-");
            put_hex64(b, r);
            bench_put(b, ".scope,task=python3,pid=");
            bench_put_u(b, pid);
            bench_put(b, ",uid=0");
        } else if (v == 2) {
            bench_put(b, "Memory cgroup out of memory: Killed process ");
            bench_put_u(b, pid);
            bench_put(b, " (python3) total-vm:");
            bench_put_u(b, 40000000 + rb(r, 90000000));
            bench_put(b, "kB, anon-rss:");
            bench_put_u(b, 30000000 + rb(r, 30000000));
            bench_put(b, "kB, file-rss:");
            bench_put_u(b, rb(r, 900000));
            bench_put(b, "kB, shmem-rss:");
            bench_put_u(b, rb(r, 9000000));
            bench_put(b, "kB, UID:0 pgtables:");
            bench_put_u(b, 60000 + rb(r, 90000));
            bench_put(b, "kB oom_score_adj:936");
        } else if (v == 3) {
            uint64_t lim = 50331648;
            bench_put(b, "memory: usage ");
            bench_put_u(b, lim);
            bench_put(b, "kB, limit ");
            bench_put_u(b, lim);
            bench_put(b, "kB, failcnt ");
            bench_put_u(b, rb(r, 90000));
        } else {
            bench_put(b, "cgroup: fork rejected by pids controller in /kubepods.slice/"
                   "kubepods-burstable.slice/");
            put_slice_pod(g);
            bench_put(b, "/cri-containerd-");
            put_hex64(b, r);
            bench_put(b, ".scope");
        }
    } else if (k < 48) { /* NVMe and block devices */
        unsigned v = (unsigned)rb(r, 3);
        unsigned d = (unsigned)rb(r, 8);
        if (v == 0) {
            bench_put(b, "nvme nvme");
            bench_put_u(b, d);
            bench_put(b, ": I/O ");
            bench_put_u(b, rb(r, 1024));
            bench_put(b, " QID ");
            bench_put_u(b, 1 + rb(r, 128));
            bench_put(b, " timeout, completion polled");
        } else if (v == 1) {
            bench_put(b, "blk_update_request: I/O error, dev nvme");
            bench_put_u(b, d);
            bench_put(b, "n1, sector ");
            bench_put_u(b, rb(r, 7000000000ull));
            bench_put(b, " op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 0");
        } else {
            bench_put(b, "nvme nvme");
            bench_put_u(b, d);
            bench_put(b, ": 128/0/0 default/read/poll queues");
        }
    } else if (k < 56) { /* TCP, conntrack, IPVS */
        unsigned v = (unsigned)rb(r, 6);
        if (v == 0) {
            bench_put(b, "TCP: request_sock_TCP: Possible SYN flooding on port ");
            bench_put_u(b, rb(r, 2) ? 10250 : 8000 + rb(r, 100));
            bench_put(b, ". Sending cookies.  Check SNMP counters.");
        } else if (v == 1) {
            bench_put(b, "nf_conntrack: nf_conntrack: table full, dropping packet");
        } else if (v == 2) {
            bench_put(b, "IPVS: rr: TCP 10.96.");
            bench_put_u(b, rb(r, 256));
            bench_put(b, ".");
            bench_put_u(b, rb(r, 256));
            bench_put(b, ":");
            bench_put_u(b, rb(r, 2) ? 53 : 443);
            bench_put(b, " - no destination available");
        } else if (v == 3) {
            bench_put(b, "net_ratelimit: ");
            bench_put_u(b, 1 + rb(r, 400));
            bench_put(b, " callbacks suppressed");
        } else if (v == 4) {
            bench_put(b, "TCP: out of memory -- consider tuning tcp_mem");
        } else {
            uint64_t c = rb(r, 1ull << 44);
            bench_put(b, "IPv4: martian source 10.244.");
            bench_put_u(b, rb(r, 64));
            bench_put(b, ".");
            bench_put_u(b, rb(r, 256));
            bench_put(b, " from 10.244.");
            bench_put_u(b, rb(r, 64));
            bench_put(b, ".");
            bench_put_u(b, rb(r, 256));
            bench_put(b, ", on dev cali");
            put_hex(b, c, 11, false);
        }
    } else if (k < 60) { /* USB: the BMC's virtual keyboard and NIC */
        unsigned v = (unsigned)rb(r, 4);
        unsigned port = 1 + (unsigned)rb(r, 9);
        unsigned num = 2 + (unsigned)rb(r, 120);
        bench_put(b, "usb 1-");
        bench_put_u(b, port);
        if (v == 0) {
            bench_put(b, ": new high-speed USB device number ");
            bench_put_u(b, num);
            bench_put(b, " using xhci_hcd");
        } else if (v == 1) {
            bench_put(b, ": New USB device found, idVendor=046b, idProduct=ff10, bcdDevice= 1.00");
        } else if (v == 2) {
            bench_put(b, ": New USB device strings: Mfr=1, Product=2, SerialNumber=3");
        } else {
            bench_put(b, ": USB disconnect, device number ");
            bench_put_u(b, num);
        }
    } else if (k < 68) { /* NICs */
        unsigned v = (unsigned)rb(r, 4);
        unsigned fn = (unsigned)rb(r, 2);
        if (v == 0) {
            bench_put(b, "mlx5_core ");
            put_bdf(b, 0x9a + 0x10 * (unsigned)rb(r, 4), 0, fn);
            bench_put(b, ": mlx5_fw_tracer_handle_traces:756:(pid ");
            bench_put_u(b, 300 + rb(r, 4000));
            bench_put(b, "): FWTracer: Events were lost");
        } else if (v == 1) {
            bench_put(b, "mlx5_core ");
            put_bdf(b, 0x9a + 0x10 * (unsigned)rb(r, 4), 0, fn);
            bench_put(b, ": mlx5_cmd_out_err:803:(pid ");
            bench_put_u(b, 300 + rb(r, 4000));
            bench_put(b, "): QUERY_VPORT_COUNTER(0x770) op_mod(0x0) failed, status bad parameter(0x3), "
                   "syndrome (0x");
            put_hex(b, rb(r, 1u << 24), 6, false);
            bench_put(b, "), err(-22)");
        } else if (v == 2) {
            bench_put(b, "bond0: (slave eth");
            bench_put_u(b, fn);
            bench_put(b, "): link status definitely up, 100000 Mbps full duplex");
        } else {
            bench_put(b, "ice ");
            put_bdf(b, 0x51, 0, fn);
            bench_put(b, " eth");
            bench_put_u(b, fn);
            bench_put(b, ": NIC Link is up 100 Gbps Full Duplex, Requested FEC: RS-FEC, Negotiated "
                   "FEC: RS-FEC, Autoneg Advertised: On, Autoneg Negotiated: False, Flow "
                   "Control: None");
        }
    } else if (k < 74) { /* GPU-adjacent lines that are not GPU faults */
        unsigned v = (unsigned)rb(r, 4);
        if (v == 0) {
            bench_put(b, "nvidia-peermem nv_get_p2p_free_callback:127 ERROR detected invalid context, "
                   "skipping further processing");
        } else if (v == 1) {
            uint64_t base = 0x7f7c7ac00000ull + (rb(r, 1u << 20) << 21);
            bench_put(b, "pt_main_thread[");
            bench_put_u(b, 2000 + rb(r, 4000000));
            bench_put(b, "]: segfault at ");
            put_hex(b, 0x7f797fe00000ull + (rb(r, 1u << 20) << 12), 12, false);
            bench_put(b, " ip ");
            put_hex(b, base + 0x69996, 16, false);
            bench_put(b, " sp ");
            put_hex(b, 0x7f7c12fd7c30ull, 16, false);
            bench_put(b, " error 4 in libnccl.so.2[");
            put_hex(b, base, 12, false);
            bench_put(b, "+d3d3000] likely on CPU ");
            bench_put_u(b, rb(r, 192));
            bench_put(b, " (core 0, socket 1)");
        } else if (v == 2) {
            bench_put(b, "Code: Unable to access opcode bytes at 0x");
            put_hex(b, 0x7f7c7ac69996ull - 42, 12, false);
            bench_put(b, ".");
        } else {
            bench_put(b, "nvidia-nvswitch");
            bench_put_u(b, rb(r, 4));
            bench_put(b, ": open (major=510)");
        }
    } else if (k < 80) { /* interrupts, lockups */
        unsigned v = (unsigned)rb(r, 4);
        if (v == 0) {
            unsigned x = 2500 + (unsigned)rb(r, 5000);
            bench_put(b, "perf: interrupt took too long (");
            bench_put_u(b, x + 10);
            bench_put(b, " > ");
            bench_put_u(b, x);
            bench_put(b, "), lowering kernel.perf_event_max_sample_rate to ");
            bench_put_u(b, 25000 + 250 * rb(r, 100));
        } else if (v == 1) {
            bench_put(b, "hrtimer: interrupt took ");
            bench_put_u(b, 100000 + rb(r, 2000000));
            bench_put(b, " ns");
        } else if (v == 2) {
            bench_put(b, "watchdog: BUG: soft lockup - CPU#");
            bench_put_u(b, rb(r, 192));
            bench_put(b, " stuck for ");
            bench_put_u(b, 22 + rb(r, 60));
            bench_put(b, "s! [python3:");
            bench_put_u(b, 2000 + rb(r, 4000000));
            bench_put(b, "]");
        } else {
            bench_put(b, "INFO: task python3:");
            bench_put_u(b, 2000 + rb(r, 4000000));
            bench_put(b, " blocked for more than 122 seconds.");
        }
    } else if (k < 86) { /* NFS */
        unsigned v = (unsigned)rb(r, 3);
        bench_put(b,
            v == 2 ? "process 'local/bin/python3' started with executable stack" : "nfs: server ");
        if (v < 2) {
            bench_put(b, "10.");
            bench_put_u(b, rb(r, 256));
            bench_put(b, ".");
            bench_put_u(b, rb(r, 256));
            bench_put(b, ".");
            bench_put_u(b, 1 + rb(r, 254));
            bench_put(b, v ? " OK" : " not responding, still trying");
        }
    } else if (k < 92) { /* host memory errors */
        if (rb(r, 3)) {
            unsigned mc = (unsigned)rb(r, 4);
            bench_put(b, "EDAC MC");
            bench_put_u(b, mc);
            bench_put(b, ": 1 CE memory read error on CPU_SrcID#");
            bench_put_u(b, mc / 2);
            bench_put(b, "_MC#");
            bench_put_u(b, mc % 2);
            bench_put(b, "_Chan#1_DIMM#0 (channel:1 slot:0 page:0x");
            put_hex(b, rb(r, 1u << 24), 6, false);
            bench_put(b, " offset:0x0 grain:32 syndrome:0x0 - err_code:0x0000:0x009f socket:");
            bench_put_u(b, mc / 2);
            bench_put(b, " imc:");
            bench_put_u(b, mc % 2);
            bench_put(b, " rank:1 bg:0 ba:2 row:0x");
            put_hex(b, rb(r, 1u << 16), 4, false);
            bench_put(b, " col:0x3c8)");
        } else {
            bench_put(b, "mce: [Hardware Error]: Machine check events logged");
        }
    } else { /* container runtime housekeeping */
        unsigned v = (unsigned)rb(r, 5);
        if (v == 0) {
            bench_put(b, "docker0: port 1(");
            put_veth(g);
            bench_put(b, ") entered blocking state");
        } else if (v == 1) {
            bench_put(b, "Initializing XFRM netlink socket");
        } else if (v == 2) {
            bench_put(b, "IPVS: Creating netns size=2048 id=");
            bench_put_u(b, 1 + rb(r, 5000));
        } else if (v == 3) {
            bench_put(b, "systemd-journald[512]: /dev/kmsg buffer overrun, some messages lost.");
        } else {
            bench_put(b, "bridge: filtering via arp/ip/ip6tables is no longer available by default. "
                   "Update your scripts to load br_netfilter if you need this.");
        }
    }
    nl(b);
}

/* ---- GPU lines ---------------------------------------------------------------------- */

/* "NVRM: Xid (PCI:0000:bb:00): " */
static void k_xid_head(struct kg *g, unsigned bus, unsigned code)
{
    kline(g, 200);
    bench_put(g->b, "NVRM: Xid (PCI:0000:");
    put_hex(g->b, bus, 2, false);
    bench_put(g->b, ":00): ");
    bench_put_u(g->b, code);
    bench_put(g->b, ", ");
}

static void k_unknown_pid(struct kg *g)
{
    bench_put(g->b, "pid='<unknown>', name=<unknown>, ");
}

static void k_pid(struct kg *g, uint64_t pid, const char *name)
{
    bench_put(g->b, "pid=");
    bench_put_u(g->b, pid);
    bench_put(g->b, ", name=");
    bench_put(g->b, name);
    bench_put(g->b, ", ");
}

static void put_uuid_gpu(struct bench_buf *b, unsigned bus)
{
    struct bench_rng u = {0x6770750000ull + bus};
    bench_put(b, "GPU-");
    put_uuid(b, &u, '-');
}

/* An AER report shape. All events are counted by the caller. */
static void k_aer(struct kg *g, unsigned shape, unsigned bus)
{
    struct bench_buf *b = g->b;
    unsigned rp = bus - 2; /* the GPU's root port */
    switch (shape) {
    case 0: /* 5.x, no "AER:" on the device lines */
        kline(g, 200);
        bench_put(b, "pcieport ");
        put_bdf(b, rp, 1, 0);
        bench_put(b, ": AER: Corrected error received: ");
        put_bdf(b, bus, 0, 0);
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ":   device [10de:2330] error status/mask=00000001/0000e000");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ":    [ 0] RxErr                  (First)");
        nl(b);
        break;
    case 1: /* 6.x wording, "AER:" on every line, two bits */
        kline(g, 200);
        bench_put(b, "pcieport ");
        put_bdf(b, rp, 1, 0);
        bench_put(b, ": AER: Multiple Correctable error message received from ");
        put_bdf(b, bus, 0, 0);
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": AER: PCIe Bus Error: severity=Correctable, type=Data Link Layer, "
               "(Transmitter ID)");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": AER:   device [10de:2330] error status/mask=000000c0/0000e000");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": AER:    [ 6] BadTLP                ");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": AER:    [ 7] BadDLLP                (First)");
        nl(b);
        break;
    case 2: /* uncorrected non-fatal with a TLP header */
    case 3: /* fatal, then the driver cannot recover: + 1 log */
        kline(g, 200);
        bench_put(b, "pcieport ");
        put_bdf(b, rp, 1, 0);
        bench_put(b, shape == 2 ? ": AER: Uncorrected (Non-Fatal) error received: "
                          : ": AER: Uncorrected (Fatal) error received: ");
        put_bdf(b, bus, 0, 0);
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, shape == 2 ? ": PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
                            "Layer, (Requester ID)"
                          : ": PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction "
                            "Layer, (Requester ID)");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, shape == 2 ? ":   device [10de:2330] error status/mask=00004000/00400000"
                          : ":   device [10de:2330] error status/mask=00004020/00400000");
        nl(b);
        if (shape == 3) {
            kline(g, 30);
            bench_put(b, "nvidia ");
            put_bdf(b, bus, 0, 0);
            bench_put(b, ":    [ 5] SDES                  ");
            nl(b);
        }
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ":    [14] CmpltTO                (First)");
        nl(b);
        kline(g, 30);
        bench_put(b, "nvidia ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ":   TLP Header: 40000001 0000000f 9e001000 00000000");
        nl(b);
        if (shape == 3) {
            kline(g, 30);
            bench_put(b, "nvidia ");
            put_bdf(b, bus, 0, 0);
            bench_put(b, ": AER: can't recover (no error_detected callback)");
            nl(b);
        }
        break;
    case 4: /* a header whose source printed no details (a NIC that only it uses) */
        kline(g, 200);
        bench_put(b, "pcieport 0000:c0:03.1: AER: Correctable error message received from "
               "0000:c1:00.0 (no details found");
        nl(b);
        break;
    default: /* firmware first (GHES), on a root port only it uses */
        kline(g, 200);
        bench_put(b, "pcieport 0000:d0:01.0: AER: aer_status: 0x00100000, aer_mask: 0x00000000");
        nl(b);
        kline(g, 30);
        bench_put(b, "pcieport 0000:d0:01.0: AER:    [20] UnsupReq               (First)");
        nl(b);
        kline(g, 30);
        bench_put(b, "pcieport 0000:d0:01.0: AER: aer_layer=Transaction Layer, aer_agent=Requester ID");
        nl(b);
        kline(g, 30);
        bench_put(b, "pcieport 0000:d0:01.0: AER: aer_uncor_severity: 0x00062030");
        nl(b);
        break;
    }
}

/* GSP RPC history table rows ("NVRM:" then a run of blanks): part of the message above them. */
static void k_rpc_table(struct kg *g)
{
    static const char *const rows[] = {
        "NVRM:     entry function                   data0              data1              "
        "ts_start           ts_end             duration actively_polling",
        "NVRM:      0    103  GSP_RM_ALLOC          0x0000000000002081 0x0000000000000004 "
        "0x00062ed1a6bd61fa 0x0000000000000000          y",
        "NVRM:     -1    103  GSP_RM_ALLOC          0x0000000000002080 0x0000000000000004 "
        "0x00062ed1a6b51c6f 0x00062ed1a6b51f2a    699us",
        "NVRM:     -2    103  GSP_RM_ALLOC          0x0000000000000080 0x0000000000000038 "
        "0x00062ed1a6b51a22 0x00062ed1a6b51c28    518us",
        "NVRM:     -3    76   GSP_RM_CONTROL        0x0000000020802a02 0x0000000000000008 "
        "0x00062ed1a6b480ff 0x00062ed1a6b48273    372us",
        "NVRM:     -4    76   GSP_RM_CONTROL        0x0000000020803039 0x0000000000000020 "
        "0x00062ed1a6b47f8a 0x00062ed1a6b480fc    370us",
        "NVRM:     -5    4115 NVLINK_INBAND_RECEIVE 0x0000000000000000 0x0000000000000000 "
        "0x00062e099d8f14e7 0x00062e099d8f14eb      4us",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        kline(g, 5);
        bench_put(g->b, rows[i]);
        nl(g->b);
    }
}

/* One GPU incident: its lines, and the events the kernel-log reader makes of them. */
static void k_gpu(struct kg *g)
{
    struct bench_buf *b = g->b;
    struct bench_rng *r = &g->r;
    unsigned gi = (unsigned)rb(r, 8), bus = gpu_bus[gi];
    uint64_t pid = 100000 + rb(r, 3900000);
    unsigned k = (unsigned)rb(r, 24);
    switch (k) {
    case 0: /* Xid 13 triple (SM warp, global, ESR) then the Xid 43 of the killed process */
    case 1: {
        unsigned gpc = (unsigned)rb(r, 12);
        static const char *const what[] = {"Out Of Range Address", "Illegal Instruction Parameter",
                                           "Misaligned Address"};
        unsigned w = (unsigned)rb(r, 3);
        unsigned tp = (unsigned)rb(r, 9);
        unsigned s = (unsigned)rb(r, 2);
        k_xid_head(g, bus, 13);
        k_unknown_pid(g);
        bench_put(b, "Graphics SM Warp Exception on (GPC ");
        bench_put_u(b, gpc);
        bench_put(b, ", TPC ");
        bench_put_u(b, tp);
        bench_put(b, ", SM ");
        bench_put_u(b, s);
        bench_put(b, "): ");
        bench_put(b, what[w]);
        nl(b);
        k_xid_head(g, bus, 13);
        k_unknown_pid(g);
        bench_put(b, "Graphics SM Global Exception on (GPC ");
        bench_put_u(b, gpc);
        bench_put(b, ", TPC ");
        bench_put_u(b, tp);
        bench_put(b, ", SM ");
        bench_put_u(b, s);
        bench_put(b, "): Multiple Warp Errors");
        nl(b);
        k_xid_head(g, bus, 13);
        k_unknown_pid(g);
        bench_put(b, "Graphics Exception: ESR 0x5");
        put_hex(b, 0x14730 + 0x800 * gpc, 5, false);
        bench_put(b, "=0x1");
        put_hex(b, rb(r, 1u << 24), 6, false);
        bench_put(b, "e 0x5");
        put_hex(b, 0x14734 + 0x800 * gpc, 5, false);
        bench_put(b, "=0x24 0x5");
        put_hex(b, 0x14728 + 0x800 * gpc, 5, false);
        bench_put(b, "=0xf81eb60 0x5");
        put_hex(b, 0x1472c + 0x800 * gpc, 5, false);
        bench_put(b, "=0x1174");
        nl(b);
        k_xid_head(g, bus, 43);
        k_pid(g, pid, "pt_main_thread");
        bench_put(b, "Ch 00000008");
        nl(b);
        g->events += 4;
        break;
    }
    case 2: /* Grace systems: no pid, no name, a PCI domain */
        kline(g, 200);
        bench_put(b, "NVRM: Xid (PCI:0009:01:00): 13, Graphics SM Warp Exception on (GPC 0, TPC 3, "
               "SM 0): Out Of Range Address");
        nl(b);
        g->events += 1;
        break;
    case 3: /* Xid 13 naming a channel and class */
        kline(g, 200);
        bench_put(b, "NVRM: Xid (PCI:0002:00:00): 13, pid=");
        bench_put_u(b, pid);
        bench_put(b, ", name=python3, Graphics Exception: ChID 000c, Class 0000cbc0, Offset 00000000, "
               "Data 00000000");
        nl(b);
        g->events += 1;
        break;
    case 4: /* MMU fault */
        k_xid_head(g, bus, 31);
        k_pid(g, pid, "pt_main_thread");
        bench_put(b, "Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_");
        bench_put_u(b, rb(r, 16));
        bench_put(b, " faulted @ 0x7f2f_");
        put_hex(b, rb(r, 1ull << 32), 8, false);
        bench_put(b, ". Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ");
        nl(b);
        g->events += 1;
        break;
    case 5: /* context switch timeout */
        k_xid_head(g, bus, 109);
        k_pid(g, pid, "pt_main_thread");
        bench_put(b, "Ch 00000008, errorString CTX SWITCH TIMEOUT, Info 0x58005");
        nl(b);
        g->events += 1;
        break;
    case 6: { /* GSP timeout: Xid 119, two more messages, the RPC history table (no events) */
        unsigned n = (unsigned)gi;
        k_xid_head(g, bus, 119);
        k_pid(g, pid, "nvidia-smi");
        bench_put(b, "Timeout after 6s of waiting for RPC response from GPU");
        bench_put_u(b, n);
        bench_put(b, " GSP! Expected function 103 (GSP_RM_ALLOC) (0x2081 0x4).");
        nl(b);
        kline(g, 5);
        bench_put(b, "NVRM: GPU");
        bench_put_u(b, n);
        bench_put(b, " GSP RPC buffer contains function 103 (GSP_RM_ALLOC) and data "
               "0x0000000000002081 0x0000000000000004.");
        nl(b);
        kline(g, 5);
        bench_put(b, "NVRM: GPU");
        bench_put_u(b, n);
        bench_put(b, " RPC history (CPU -> GSP):");
        nl(b);
        k_rpc_table(g);
        g->events += 3;
        break;
    }
    case 7:
    case 8: { /* DBE, row remap, contained; then the killed channels */
        unsigned part = (unsigned)rb(r, 8);
        uint64_t addr = 0x1000000000ull + rb(r, 1ull << 36);
        unsigned nch = 2 + (unsigned)rb(r, 7);
        k_xid_head(g, bus, 48);
        k_unknown_pid(g);
        bench_put(b, "An uncorrectable double bit error (DBE) has been detected on GPU in the "
               "framebuffer at physAddr 0x");
        put_hex(b, addr, 10, false);
        bench_put(b, " partition ");
        bench_put_u(b, part);
        bench_put(b, ", subpartition ");
        bench_put_u(b, part & 1);
        bench_put(b, ".");
        nl(b);
        k_xid_head(g, bus, 63);
        k_unknown_pid(g);
        bench_put(b, "Row Remapper: New row (0x");
        put_hex(b, addr, 16, false);
        bench_put(b, ") marked for remapping, reset gpu to activate.");
        nl(b);
        k_xid_head(g, bus, 94);
        k_unknown_pid(g);
        bench_put(b, "Contained: SM (0x1). RST: No, D-RST: No");
        nl(b);
        for (unsigned c = 0; c < nch; c++) {
            k_xid_head(g, bus, 94);
            k_pid(g, pid, "python3.10");
            bench_put(b, "Ch ");
            put_hex(b, 8 + c, 8, false);
            nl(b);
        }
        g->events += 6 + nch; /* 48, 63 and 94 also give an ecc event each */
        break;
    }
    case 9: /* row remapping failed (a function digit, a 'N/A' pid, no name) */
        kline(g, 200);
        bench_put(b, "NVRM: Xid (PCI:0000:");
        put_hex(b, bus, 2, false);
        bench_put(b, ":00.0): 64, pid='N/A', Row Remapper: Failed to remap row");
        nl(b);
        g->events += 2;
        break;
    case 10: /* high single-bit error rate */
        k_xid_head(g, bus, 92);
        k_unknown_pid(g);
        bench_put(b, "High single-bit ECC error rate");
        nl(b);
        g->events += 2;
        break;
    case 11: /* uncontained */
        k_xid_head(g, bus, 95);
        k_unknown_pid(g);
        bench_put(b, "Uncontained: FBHUB. RST: Yes, D-RST: No");
        nl(b);
        g->events += 2;
        break;
    case 12: /* old drivers: no "PCI:", no pid; R510 row remapper with a pid and no name */
        kline(g, 200);
        if (rb(r, 2)) {
            bench_put(b, "NVRM: Xid (0000:");
            put_hex(b, bus, 2, false);
            bench_put(b, ":00): 8, Channel 00000001");
            g->events += 1;
        } else {
            bench_put(b, "NVRM: Xid (PCI:0000:");
            put_hex(b, bus, 2, false);
            bench_put(b, ":00): 63, pid=");
            bench_put_u(b, pid);
            bench_put(b, ", Row Remapper: New row marked for remapping, reset gpu to activate.");
            g->events += 2;
        }
        nl(b);
        break;
    case 13: /* pre-Ampere page retirement, and a hex-words Xid */
        k_xid_head(g, bus, 63);
        bench_put(b, "Dynamic Page Retirement: New page retired, reboot to activate. (0x");
        put_hex(b, rb(r, 1ull << 32), 16, false);
        bench_put(b, ")");
        nl(b);
        k_xid_head(g, bus, 62);
        bench_put(b, "023f0f30 00000000 00000000 202c0ffe");
        nl(b);
        g->events += 3;
        break;
    case 14: { /* fallen off the bus, with its Xid 79: identity, serial, Xid, two more logs */
        uint64_t serial = 1650000000000ull + rb(r, 9999999999ull);
        kline(g, 200);
        bench_put(b, "NVRM: GPU at PCI:0000:");
        put_hex(b, bus, 2, false);
        bench_put(b, ":00: ");
        put_uuid_gpu(b, bus);
        nl(b);
        kline(g, 10);
        bench_put(b, "NVRM: GPU Board Serial Number: ");
        bench_put_u(b, serial);
        nl(b);
        k_xid_head(g, bus, 79);
        k_unknown_pid(g);
        bench_put(b, "GPU has fallen off the bus.");
        nl(b);
        kline(g, 10);
        bench_put(b, "NVRM: GPU ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": GPU has fallen off the bus.");
        nl(b);
        kline(g, 10);
        bench_put(b, "NVRM: GPU ");
        put_bdf(b, bus, 0, 0);
        bench_put(b, ": GPU serial number is ");
        bench_put_u(b, serial);
        bench_put(b, ".");
        nl(b);
        g->events += 5;
        break;
    }
    case 15: /* fallen off the bus in three records, no Xid: one event per record */
        kline(g, 200);
        bench_put(b, "NVRM: The NVIDIA GPU ");
        put_bdf(b, bus, 0, 0);
        nl(b);
        kline(g, 5);
        bench_put(b, "NVRM: (PCI ID: 10de:2330) installed in this system has");
        nl(b);
        kline(g, 5);
        bench_put(b, "NVRM: fallen off the bus and is not responding to commands.");
        nl(b);
        g->events += 3;
        break;
    case 16: { /* NVSwitch SXids from two switches, interleaved, each with its follow-ups */
        unsigned s1 = (unsigned)rb(r, 4);
        unsigned s2 = (s1 + 1 + (unsigned)rb(r, 3)) % 4;
        unsigned code = rb(r, 2) ? 20034 : 12028;
        unsigned l1 = (unsigned)rb(r, 64), l2 = 0;
        l2 = (unsigned)rb(r, 64);
        const unsigned sw[2] = {s1, s2}, link[2] = {l1, l2};
        for (int i = 0; i < 2; i++) {
            kline(g, 200);
            bench_put(b, "nvidia-nvswitch");
            bench_put_u(b, sw[i]);
            bench_put(b, ": SXid (PCI:0000:0");
            bench_put_u(b, 5 + sw[i]);
            bench_put(b, ":00.0): ");
            bench_put_u(b, code);
            bench_put(b, code == 20034 ? ", Fatal, Link " : ", Non-fatal, Link ");
            bench_put_u(b, link[i]);
            bench_put(b, code == 20034 ? " LTSSM Fault Up" : " egress non-posted PRIV error");
            nl(b);
        }
        for (int i = 0; i < 2; i++) {
            kline(g, 200);
            bench_put(b, "nvidia-nvswitch");
            bench_put_u(b, sw[i]);
            bench_put(b, ": SXid (PCI:0000:0");
            bench_put_u(b, 5 + sw[i]);
            bench_put(b, ":00.0): ");
            bench_put_u(b, code);
            bench_put(b, ", Severity 1 Engine instance ");
            bench_put_u(b, link[i]);
            bench_put(b, " Sub-engine instance 00");
            nl(b);
            kline(g, 200);
            bench_put(b, "nvidia-nvswitch");
            bench_put_u(b, sw[i]);
            bench_put(b, ": SXid (PCI:0000:0");
            bench_put_u(b, 5 + sw[i]);
            bench_put(b, ":00.0): ");
            bench_put_u(b, code);
            bench_put(b, ", Data {0x10000000, 0x10000000, 0x00000000, 0x10000000, 0x00000000, "
                   "0x00000000, 0x00000000, 0x00000000, 0x00000000}");
            nl(b);
        }
        g->events += 2;
        break;
    }
    case 17:
    case 18:
    case 19: { /* PCIe AER reports: one event each, + 1 log for "can't recover" */
        unsigned shape = (unsigned)rb(r, 6);
        k_aer(g, shape, bus);
        g->events += shape == 3 ? 2 : 1;
        break;
    }
    case 20: /* driver reload */
        kline(g, 200);
        bench_put(b, "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  ");
        bench_put(b, drivers[g->driver]);
        nl(b);
        kline(g, 2000);
        bench_put(b, "nvidia-modeset: Loading NVIDIA Kernel Mode Setting Driver for UNIX platforms  ");
        bench_put(b, drivers[g->driver]);
        nl(b);
        kline(g, 2000);
        bench_put(b, "nvidia-uvm: Loaded the UVM driver, major device number 505.");
        nl(b);
        g->driver = (g->driver + 1) % (unsigned)(sizeof drivers / sizeof drivers[0]);
        g->events += 1;
        break;
    case 21: /* NVLink fatal error */
        k_xid_head(g, bus, 74);
        k_pid(g, pid, "pt_main_thread");
        bench_put(b, "NVLink: fatal error detected on link ");
        bench_put_u(b, rb(r, 18));
        bench_put(b, "(0x0, 0x0, 0x10000, 0x0)");
        nl(b);
        g->events += 1;
        break;
    case 22: /* recovery action (R570+), and a preemptive cleanup Xid 45 */
        k_xid_head(g, bus, 154);
        bench_put(b, "GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)");
        nl(b);
        k_xid_head(g, bus, 45);
        k_pid(g, pid, "python3");
        bench_put(b, "Ch 00000001 caused by previous Xid 149");
        nl(b);
        g->events += 2;
        break;
    default: /* identity printed again (driver reload, nvidia-smi -r) */
        kline(g, 200);
        bench_put(b, "NVRM: GPU at PCI:0000:");
        put_hex(b, bus, 2, false);
        bench_put(b, ":00: ");
        put_uuid_gpu(b, bus);
        nl(b);
        kline(g, 10);
        bench_put(b, "NVRM: GPU Board Serial Number: ");
        bench_put_u(b, 1650000000000ull + bus);
        nl(b);
        g->events += 2;
        break;
    }
}

static void k_boot(struct kg *g)
{
    struct bench_buf *b = g->b;
    static const char *const boot[] = {
        "Linux version 5.15.0-112-generic (buildd@lcy02-amd64-051) (gcc (Ubuntu "
        "11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #122-Ubuntu SMP "
        "Thu May 23 07:48:21 UTC 2024 (Ubuntu 5.15.0-112.122-generic 5.15.152)",
        "Command line: BOOT_IMAGE=/boot/vmlinuz-5.15.0-112-generic "
        "root=UUID=3b6c1f0e-8a1d-4c2e-9f3a-2d4b5c6e7f80 ro console=tty1 console=ttyS0 "
        "iommu=pt pci=realloc=off",
        "DMI: Dell Inc. PowerEdge XE9680/0KK0RG, BIOS 2.3.5 09/10/2024",
        "pcieport 0000:16:01.0: AER: enabled with IRQ 122",
        "pcieport 0000:28:01.0: AER: enabled with IRQ 123",
        "pcieport 0000:38:01.0: AER: enabled with IRQ 124",
        "pcieport 0000:5b:01.0: AER: enabled with IRQ 125",
        "nvidia: loading out-of-tree module taints kernel.",
        "nvidia: module license 'NVIDIA' taints kernel.",
        "Disabling lock debugging due to kernel taint",
        "nvidia-nvlink: Nvlink Core is being initialized, major device number 507",
    };
    for (size_t i = 0; i < sizeof boot / sizeof boot[0]; i++) {
        kline(g, 500000);
        bench_put(b, boot[i]);
        nl(b);
    }
    for (unsigned i = 0; i < 8; i++) {
        kline(g, 2000);
        bench_put(b, "nvidia ");
        put_bdf(b, gpu_bus[i], 0, 0);
        bench_put(b, ": enabling device (0000 -> 0002)");
        nl(b);
    }
    kline(g, 20000);
    bench_put(b, "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  ");
    bench_put(b, drivers[0]);
    nl(b);
    g->driver = 1;
    g->events += 1;
}

size_t bench_gen_kernel_log(uint64_t seed, size_t bytes, struct bench_buf *out, size_t *events)
{
    struct kg g = {.b = out, .r = {seed}, .us = 0};
    k_boot(&g);
    while (out->len < bytes) {
        if (rb(&g.r, 3000) == 0)
            k_gpu(&g);
        else
            k_ordinary(&g);
    }
    *events = g.events;
    return g.lines;
}

/* ==== kubectl get events -A -o json ==================================================== */

struct kev_gen {
    struct bench_buf *b;
    struct bench_rng r;
    int64_t t; /* seconds */
    uint64_t rv;
};

static const char *const k8s_ns[] = {"team-llm", "team-vision", "ml-platform", "inference"};

/* Indented key: 12 spaces inside an item, 16 inside a nested object of an item. */
static void jkey(struct bench_buf *b, int depth, const char *key)
{
    bench_put(b, depth == 3 ? "            \"" : "                \"");
    bench_put(b, key);
    bench_put(b, "\": ");
}

static void jstr(struct bench_buf *b, int depth, const char *key, const char *val, bool more)
{
    jkey(b, depth, key);
    bench_put(b, "\"");
    bench_put(b, val);
    bench_put(b, more ? "\",\n" : "\"\n");
}

/* The pod an event is about: "<ns>/<name>" parts, its uid and node, all derived from one
 * draw so the same pod keeps its identity. */
struct kpod {
    const char *ns;
    char name[64];
    char uid[40];
    char node[16];
    unsigned node_idx;
    const char *container;
    const char *image;
    const char *owner_kind; /* "Job", "ReplicaSet", or NULL (an operator's pod) */
    char owner[64];
};

static void kpod_make(struct kev_gen *g, struct kpod *p)
{
    unsigned id = (unsigned)rb(&g->r, 2048);
    struct bench_rng pr = {0x706f640000ull + id};
    struct bench_buf t = {0};
    unsigned kind = id % 4;
    p->ns = k8s_ns[id % 4];
    if (kind == 0) {
        bench_put(&t, "pretrain-70b-worker-");
        bench_put_u(&t, id / 4 % 128);
        p->container = "trainer";
        p->image = "nvcr.io/nvidia/pytorch:24.10-py3";
    } else if (kind == 1) {
        bench_put(&t, "vit-h-finetune-");
        put_suffix(&t, &pr, 5);
        bench_put(&t, "-worker-");
        bench_put_u(&t, id / 4 % 16);
        p->container = "pytorch";
        p->image = "nvcr.io/nvidia/pytorch:24.08-py3";
    } else if (kind == 2) {
        bench_put(&t, "eval-harness-");
        bench_put_u(&t, 2200 + id / 4);
        bench_put(&t, "-");
        put_suffix(&t, &pr, 5);
        p->container = "eval";
        p->image = "ghcr.io/example-org/eval-harness:2026.11.3";
    } else {
        bench_put(&t, "vllm-llama3-70b-7c9d8f6b5-");
        put_suffix(&t, &pr, 5);
        p->container = "vllm";
        p->image = "vllm/vllm-openai:v0.6.3";
    }
    snprintf(p->name, sizeof p->name, "%s", t.p);
    p->owner_kind = kind == 2 ? "Job" : kind == 3 ? "ReplicaSet" : NULL;
    /* eval-harness-2201-x2k4p: Job eval-harness-2201; vllm-...-7c9d8f6b5-x2k4p: its ReplicaSet */
    snprintf(p->owner, sizeof p->owner, "%.*s", (int)(t.len > 6 ? t.len - 6 : t.len), t.p);
    t.len = 0;
    put_uuid(&t, &pr, '-');
    snprintf(p->uid, sizeof p->uid, "%s", t.p);
    p->node_idx = id * 7 % 64;
    snprintf(p->node, sizeof p->node, "gpu-node-%02u", p->node_idx);
    bench_buf_release(&t);
}

static void k8s_involved_pod(struct kev_gen *g, const struct kpod *p, bool field_path)
{
    struct bench_buf *b = g->b;
    bench_put(b, "            \"involvedObject\": {\n");
    jstr(b, 4, "apiVersion", "v1", true);
    if (field_path) {
        jkey(b, 4, "fieldPath");
        bench_put(b, "\"spec.containers{");
        bench_put(b, p->container);
        bench_put(b, "}\",\n");
    }
    jstr(b, 4, "kind", "Pod", true);
    jstr(b, 4, "name", p->name, true);
    jstr(b, 4, "namespace", p->ns, true);
    jkey(b, 4, "resourceVersion");
    bench_put(b, "\"");
    bench_put_u(b, g->rv - 1 - rb(&g->r, 5000));
    bench_put(b, "\",\n");
    jstr(b, 4, "uid", p->uid, false);
    bench_put(b, "            },\n");
}

static void k8s_metadata(struct kev_gen *g, const char *obj, const char *ns, int64_t t)
{
    struct bench_buf *b = g->b;
    uint64_t nano = (uint64_t)t * 1000000000ull + rb(&g->r, 1000000000);
    bench_put(b, "            \"metadata\": {\n");
    jkey(b, 4, "creationTimestamp");
    bench_put(b, "\"");
    put_time(b, t, -1);
    bench_put(b, "\",\n");
    jkey(b, 4, "name");
    bench_put(b, "\"");
    bench_put(b, obj);
    bench_put(b, ".");
    put_hex(b, nano, 16, false);
    bench_put(b, "\",\n");
    jstr(b, 4, "namespace", ns, true);
    jkey(b, 4, "resourceVersion");
    bench_put(b, "\"");
    bench_put_u(b, g->rv++);
    bench_put(b, "\",\n");
    jkey(b, 4, "uid");
    bench_put(b, "\"");
    put_uuid(b, &g->r, '-');
    bench_put(b, "\"\n");
    bench_put(b, "            },\n");
}

static void jtime(struct bench_buf *b, const char *key, int64_t t)
{
    jkey(b, 3, key);
    bench_put(b, "\"");
    put_time(b, t, -1);
    bench_put(b, "\",\n");
}

/* The kubelet's (legacy core/v1 recorder) event about a pod. msg is already JSON-escaped. */
static void k8s_kubelet_pod_event(struct kev_gen *g, const struct kpod *p, const char *reason,
                                  const char *msg, bool warning, bool field_path)
{
    struct bench_buf *b = g->b;
    unsigned count = 1;
    if (warning && rb(&g->r, 3) == 0)
        count = 2 + (unsigned)rb(&g->r, 40);
    int64_t first = g->t - (count > 1 ? (int64_t)rb(&g->r, 3600) : 0);
    bench_put(b, "        {\n");
    jstr(b, 3, "apiVersion", "v1", true);
    jkey(b, 3, "count");
    bench_put_u(b, count);
    bench_put(b, ",\n");
    bench_put(b, "            \"eventTime\": null,\n");
    jtime(b, "firstTimestamp", first);
    k8s_involved_pod(g, p, field_path);
    jstr(b, 3, "kind", "Event", true);
    jtime(b, "lastTimestamp", g->t);
    jstr(b, 3, "message", msg, true);
    k8s_metadata(g, p->name, p->ns, first);
    jstr(b, 3, "reason", reason, true);
    jstr(b, 3, "reportingComponent", "kubelet", true);
    jstr(b, 3, "reportingInstance", p->node, true);
    bench_put(b, "            \"source\": {\n");
    jstr(b, 4, "component", "kubelet", true);
    jstr(b, 4, "host", p->node, false);
    bench_put(b, "            },\n");
    jstr(b, 3, "type", warning ? "Warning" : "Normal", false);
    bench_put(b, "        }");
}

/* The scheduler's event (events.k8s.io/v1 seen through core/v1): eventTime, no count,
 * "source": {}, an action; sometimes a series. */
static void k8s_scheduler_event(struct kev_gen *g, const struct kpod *p, const char *reason,
                                const char *action, const char *msg, bool warning)
{
    struct bench_buf *b = g->b;
    uint64_t us = rb(&g->r, 1000000);
    bool series = warning && rb(&g->r, 3) == 0;
    bench_put(b, "        {\n");
    jstr(b, 3, "action", action, true);
    jstr(b, 3, "apiVersion", "v1", true);
    jkey(b, 3, "eventTime");
    bench_put(b, "\"");
    put_time(b, g->t - (series ? 600 : 0), (int64_t)us);
    bench_put(b, "\",\n");
    bench_put(b, "            \"firstTimestamp\": null,\n");
    k8s_involved_pod(g, p, false);
    jstr(b, 3, "kind", "Event", true);
    bench_put(b, "            \"lastTimestamp\": null,\n");
    jstr(b, 3, "message", msg, true);
    k8s_metadata(g, p->name, p->ns, g->t - (series ? 600 : 0));
    jstr(b, 3, "reason", reason, true);
    jstr(b, 3, "reportingComponent", "default-scheduler", true);
    jstr(b, 3, "reportingInstance", "default-scheduler-control-plane-1", true);
    if (series) {
        bench_put(b, "            \"series\": {\n");
        jkey(b, 4, "count");
        bench_put_u(b, 2 + rb(&g->r, 60));
        bench_put(b, ",\n");
        jkey(b, 4, "lastObservedTime");
        bench_put(b, "\"");
        put_time(b, g->t, (int64_t)us);
        bench_put(b, "\"\n");
        bench_put(b, "            },\n");
    }
    bench_put(b, "            \"source\": {},\n");
    jstr(b, 3, "type", warning ? "Warning" : "Normal", false);
    bench_put(b, "        }");
}

/* A controller's event about a pod (node-controller, taint-eviction-controller). */
static void k8s_controller_pod_event(struct kev_gen *g, const struct kpod *p, const char *reason,
                                     const char *component, const char *msg)
{
    struct bench_buf *b = g->b;
    bench_put(b, "        {\n");
    jstr(b, 3, "apiVersion", "v1", true);
    bench_put(b, "            \"count\": 1,\n");
    bench_put(b, "            \"eventTime\": null,\n");
    jtime(b, "firstTimestamp", g->t);
    k8s_involved_pod(g, p, false);
    jstr(b, 3, "kind", "Event", true);
    jtime(b, "lastTimestamp", g->t);
    jstr(b, 3, "message", msg, true);
    k8s_metadata(g, p->name, p->ns, g->t);
    jstr(b, 3, "reason", reason, true);
    jstr(b, 3, "reportingComponent", component, true);
    bench_put(b, "            \"reportingInstance\": \"\",\n");
    bench_put(b, "            \"source\": {\n");
    jstr(b, 4, "component", component, false);
    bench_put(b, "            },\n");
    jstr(b, 3, "type", "Normal", false);
    bench_put(b, "        }");
}

/* An event about a Node: the kubelet's status changes and OOMs, the node controller's
 * NotReady. */
static void k8s_node_event(struct kev_gen *g, const struct kpod *p, const char *reason,
                           const char *msg, bool kubelet, bool warning)
{
    const char *node = p->node;
    struct bench_buf *b = g->b;
    bench_put(b, "        {\n");
    jstr(b, 3, "apiVersion", "v1", true);
    bench_put(b, "            \"count\": 1,\n");
    bench_put(b, "            \"eventTime\": null,\n");
    jtime(b, "firstTimestamp", g->t);
    bench_put(b, "            \"involvedObject\": {\n");
    if (!kubelet)
        jstr(b, 4, "apiVersion", "v1", true);
    jstr(b, 4, "kind", "Node", true);
    jstr(b, 4, "name", node, true);
    if (kubelet) {
        jstr(b, 4, "uid", node, false);
    } else {
        jkey(b, 4, "uid");
        bench_put(b, "\"");
        struct bench_rng nr = {0x6e6f646500ull + p->node_idx};
        put_uuid(b, &nr, '-');
        bench_put(b, "\"\n");
    }
    bench_put(b, "            },\n");
    jstr(b, 3, "kind", "Event", true);
    jtime(b, "lastTimestamp", g->t);
    jstr(b, 3, "message", msg, true);
    k8s_metadata(g, node, "default", g->t);
    jstr(b, 3, "reason", reason, true);
    jstr(b, 3, "reportingComponent", kubelet ? "kubelet" : "node-controller", true);
    jstr(b, 3, "reportingInstance", kubelet ? node : "", true);
    bench_put(b, "            \"source\": {\n");
    if (kubelet) {
        jstr(b, 4, "component", "kubelet", true);
        jstr(b, 4, "host", node, false);
    } else {
        jstr(b, 4, "component", "node-controller", false);
    }
    bench_put(b, "            },\n");
    jstr(b, 3, "type", warning ? "Warning" : "Normal", false);
    bench_put(b, "        }");
}

/* A controller's event about its own object (Job, ReplicaSet): SuccessfulCreate. */
static void k8s_owner_event(struct kev_gen *g, const struct kpod *p)
{
    struct bench_buf *b = g->b;
    bool job = strcmp(p->owner_kind, "Job") == 0;
    const char *owner = p->owner;
    const char *ctl = job ? "job-controller" : "replicaset-controller";
    bench_put(b, "        {\n");
    jstr(b, 3, "apiVersion", "v1", true);
    bench_put(b, "            \"count\": 1,\n");
    bench_put(b, "            \"eventTime\": null,\n");
    jtime(b, "firstTimestamp", g->t);
    bench_put(b, "            \"involvedObject\": {\n");
    jstr(b, 4, "apiVersion", job ? "batch/v1" : "apps/v1", true);
    jstr(b, 4, "kind", job ? "Job" : "ReplicaSet", true);
    jstr(b, 4, "name", owner, true);
    jstr(b, 4, "namespace", p->ns, true);
    jkey(b, 4, "resourceVersion");
    bench_put(b, "\"");
    bench_put_u(b, g->rv - 1 - rb(&g->r, 5000));
    bench_put(b, "\",\n");
    jkey(b, 4, "uid");
    bench_put(b, "\"");
    put_uuid(b, &g->r, '-');
    bench_put(b, "\"\n");
    bench_put(b, "            },\n");
    jstr(b, 3, "kind", "Event", true);
    jtime(b, "lastTimestamp", g->t);
    jkey(b, 3, "message");
    bench_put(b, "\"Created pod: ");
    bench_put(b, p->name);
    bench_put(b, "\",\n");
    k8s_metadata(g, owner, p->ns, g->t);
    jstr(b, 3, "reason", "SuccessfulCreate", true);
    jstr(b, 3, "reportingComponent", ctl, true);
    bench_put(b, "            \"reportingInstance\": \"\",\n");
    bench_put(b, "            \"source\": {\n");
    jstr(b, 4, "component", ctl, false);
    bench_put(b, "            },\n");
    jstr(b, 3, "type", "Normal", false);
    bench_put(b, "        }");
}

/* The pod's IP, drawn once per event. */
static void k8s_ip(struct bench_buf *m, uint64_t ip)
{
    bench_put(m, "10.244.");
    bench_put_u(m, ip >> 8);
    bench_put(m, ".");
    bench_put_u(m, 2 + (ip & 0xff) % 250);
}

/* One event of a realistic mix. */
static void k8s_event(struct kev_gen *g, struct bench_buf *m)
{
    struct bench_rng *r = &g->r;
    struct kpod p;
    kpod_make(g, &p);
    m->len = 0;
    unsigned k = (unsigned)rb(r, 100);
    if (k < 6) {
        bench_put(m, "Pulling image \\\"");
        bench_put(m, p.image);
        bench_put(m, "\\\"");
        k8s_kubelet_pod_event(g, &p, "Pulling", m->p, false, true);
    } else if (k < 16) {
        if (rb(r, 2)) {
            bench_put(m, "Container image \\\"");
            bench_put(m, p.image);
            bench_put(m, "\\\" already present on machine");
        } else {
            unsigned s = 2 + (unsigned)rb(r, 200), ms = (unsigned)rb(r, 1000);
            bench_put(m, "Successfully pulled image \\\"");
            bench_put(m, p.image);
            bench_put(m, "\\\" in ");
            bench_put_u(m, s);
            bench_put(m, ".");
            bench_put_upad(m, ms, 3, '0');
            bench_put(m, "s (");
            bench_put_u(m, s);
            bench_put(m, ".");
            bench_put_upad(m, ms, 3, '0');
            bench_put(m, "s including waiting). Image size: ");
            bench_put_u(m, 9000000000ull + rb(r, 4000000000ull));
            bench_put(m, " bytes.");
        }
        k8s_kubelet_pod_event(g, &p, "Pulled", m->p, false, true);
    } else if (k < 26) {
        bench_put(m, "Created container ");
        bench_put(m, p.container);
        k8s_kubelet_pod_event(g, &p, "Created", m->p, false, true);
    } else if (k < 36) {
        bench_put(m, "Started container ");
        bench_put(m, p.container);
        k8s_kubelet_pod_event(g, &p, "Started", m->p, false, true);
    } else if (k < 44) {
        bench_put(m, "Stopping container ");
        bench_put(m, p.container);
        k8s_kubelet_pod_event(g, &p, "Killing", m->p, false, true);
    } else if (k < 53) {
        bench_put(m, "Back-off restarting failed container ");
        bench_put(m, p.container);
        bench_put(m, " in pod ");
        bench_put(m, p.name);
        bench_put(m, "_");
        bench_put(m, p.ns);
        bench_put(m, "(");
        bench_put(m, p.uid);
        bench_put(m, ")");
        k8s_kubelet_pod_event(g, &p, "BackOff", m->p, true, true);
    } else if (k < 61) {
        unsigned v = (unsigned)rb(r, 3);
        uint64_t ip = rb(r, 64 * 256);
        if (v == 0) {
            bench_put(m, "Readiness probe failed: Get \\\"http://");
            k8s_ip(m, ip);
            bench_put(m, ":8000/health\\\": dial tcp ");
            k8s_ip(m, ip);
            bench_put(m, ":8000: connect: connection refused");
        } else if (v == 1) {
            bench_put(m, "Liveness probe failed: HTTP probe failed with statuscode: 503");
        } else {
            bench_put(m, "Startup probe failed: Get \\\"http://");
            k8s_ip(m, ip);
            bench_put(m, ":8000/v1/models\\\": context deadline exceeded (Client.Timeout exceeded "
                   "while awaiting headers)");
        }
        k8s_kubelet_pod_event(g, &p, "Unhealthy", m->p, true, true);
    } else if (k < 69) {
        bench_put(m, "Successfully assigned ");
        bench_put(m, p.ns);
        bench_put(m, "/");
        bench_put(m, p.name);
        bench_put(m, " to ");
        bench_put(m, p.node);
        k8s_scheduler_event(g, &p, "Scheduled", "Binding", m->p, false);
    } else if (k < 77) {
        unsigned ins = 1 + (unsigned)rb(r, 30), taint = (unsigned)rb(r, 4);
        bench_put(m, "0/64 nodes are available: ");
        bench_put_u(m, ins);
        bench_put(m, " Insufficient nvidia.com/gpu, ");
        if (taint) {
            bench_put_u(m, taint);
            bench_put(m, " node(s) had untolerated taint {node.kubernetes.io/unreachable: }, ");
        }
        bench_put_u(m, 64 - ins - taint);
        bench_put(m, " node(s) didn't match Pod's node affinity/selector. preemption: 0/64 nodes are "
               "available: ");
        bench_put_u(m, ins + taint);
        bench_put(m, " No preemption victims found for incoming pod, ");
        bench_put_u(m, 64 - ins - taint);
        bench_put(m, " Preemption is not helpful for scheduling..");
        k8s_scheduler_event(g, &p, "FailedScheduling", "Scheduling", m->p, true);
    } else if (k < 81) {
        bool eph = rb(r, 4) == 0;
        if (eph) {
            bench_put(m, "The node was low on resource: ephemeral-storage. Threshold quantity: "
                   "10Gi, available: ");
            bench_put_u(m, 8000000 + rb(r, 2000000));
            bench_put(m, "Ki. Container ");
            bench_put(m, p.container);
            bench_put(m, " was using ");
            bench_put_u(m, 100000000 + rb(r, 300000000));
            bench_put(m, "Ki, request is 0, has larger consumption of ephemeral-storage. ");
        } else {
            bench_put(m, "The node was low on resource: memory. Threshold quantity: 100Mi, available: ");
            bench_put_u(m, 50000 + rb(r, 50000));
            bench_put(m, "Ki. Container ");
            bench_put(m, p.container);
            bench_put(m, " was using ");
            bench_put_u(m, 50331648 + rb(r, 20000000));
            bench_put(m, "Ki, request is 48Gi, has larger consumption of memory. ");
        }
        k8s_kubelet_pod_event(g, &p, "Evicted", m->p, true, false);
    } else if (k < 84) {
        k8s_controller_pod_event(g, &p, "NodeNotReady", "node-controller", "Node is not ready");
    } else if (k < 86) {
        bench_put(m, "Marking for deletion Pod ");
        bench_put(m, p.ns);
        bench_put(m, "/");
        bench_put(m, p.name);
        k8s_controller_pod_event(g, &p, "TaintManagerEviction", "taint-eviction-controller", m->p);
    } else if (k < 89) {
        bench_put(m, "MountVolume.SetUp failed for volume \\\"kube-api-access-");
        put_suffix(m, r, 5);
        bench_put(m, "\\\" : object \\\"");
        bench_put(m, p.ns);
        bench_put(m, "\\\"/\\\"kube-root-ca.crt\\\" not registered");
        k8s_kubelet_pod_event(g, &p, "FailedMount", m->p, true, false);
    } else if (k < 93 && p.owner_kind) {
        k8s_owner_event(g, &p);
    } else if (k < 93) {
        bench_put(m, "Started container ");
        bench_put(m, p.container);
        k8s_kubelet_pod_event(g, &p, "Started", m->p, false, true);
    } else {
        static const char *const st[][2] = {
            {"NodeHasSufficientMemory", "NodeHasSufficientMemory"},
            {"NodeHasNoDiskPressure", "NodeHasNoDiskPressure"},
            {"NodeHasSufficientPID", "NodeHasSufficientPID"},
            {"NodeReady", "NodeReady"},
            {"NodeNotReady", "NodeNotReady"},
            {"SystemOOM", NULL},
            {"Rebooted", NULL},
        };
        unsigned v = (unsigned)rb(r, 7);
        if (st[v][1]) {
            bench_put(m, "Node ");
            bench_put(m, p.node);
            bench_put(m, " status is now: ");
            bench_put(m, st[v][1]);
            k8s_node_event(g, &p, st[v][0], m->p, v != 4, v == 4);
        } else if (v == 5) {
            bench_put(m, "System OOM encountered, victim process: python3, pid: ");
            bench_put_u(m, 2000 + rb(r, 4000000));
            k8s_node_event(g, &p, "SystemOOM", m->p, true, true);
        } else {
            bench_put(m, "Node ");
            bench_put(m, p.node);
            bench_put(m, " has been rebooted, boot id: ");
            put_uuid(m, r, '-');
            k8s_node_event(g, &p, "Rebooted", m->p, true, true);
        }
    }
}

size_t bench_gen_k8s_events(uint64_t seed, size_t bytes, struct bench_buf *out)
{
    struct kev_gen g = {.b = out, .r = {seed}, .t = start_sec(), .rv = 81000000};
    struct bench_buf msg = {0};
    size_t n = 0;
    bench_put(out, "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    while (out->len < bytes) {
        if (n)
            bench_put(out, ",\n");
        g.t += (int64_t)rb(&g.r, 3);
        k8s_event(&g, &msg);
        n++;
    }
    bench_put(out, "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n"
             "        \"resourceVersion\": \"\"\n    }\n}\n");
    bench_buf_release(&msg);
    return n;
}

/* ==== dcgm-exporter scrapes ============================================================= */

struct dcgm_metric {
    const char *name, *type, *help;
    unsigned kind; /* how values are drawn: see dcgm_value() */
};

/* default-counters.csv, the DCP fields of dcp-metrics-included.csv, and the reliability
 * fields operators enable for GPU health (ECC totals, row remapping, clock events, NVLink
 * errors). */
static const struct dcgm_metric dcgm_metrics[] = {
    {"DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz).", 0},
    {"DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz).", 1},
    {"DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C).", 2},
    {"DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", 2},
    {"DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).", 3},
    {"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter",
     "Total energy consumption since boot (in mJ).", 4},
    {"DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries.", 5},
    {"DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).", 6},
    {"DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %).", 6},
    {"DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %).", 7},
    {"DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %).", 7},
    {"DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered.", 8},
    {"DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).", 9},
    {"DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).", 10},
    {"DCGM_FI_DEV_FB_RESERVED", "gauge", "Framebuffer memory reserved (in MiB).", 11},
    {"DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "counter",
     "Total number of NVLink bandwidth counters for all lanes.", 4},
    {"DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "vGPU License status", 7},
    {"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter",
     "Number of remapped rows for uncorrectable errors", 12},
    {"DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter",
     "Number of remapped rows for correctable errors", 12},
    {"DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed", 7},
    {"DCGM_FI_DEV_ROW_REMAP_PENDING", "gauge", "Row remapping is pending.", 13},
    {"DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", "gauge", "Throttling reasons bitmask.", 14},
    {"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "counter", "Total number of single-bit volatile ECC errors.",
     12},
    {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "counter", "Total number of double-bit volatile ECC errors.",
     13},
    {"DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", "counter",
     "Total number of single-bit persistent ECC errors.", 12},
    {"DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "counter",
     "Total number of double-bit persistent ECC errors.", 13},
    {"DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", "counter",
     "Total number of NVLink flow-control CRC errors.", 12},
    {"DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL", "counter",
     "Total number of NVLink data CRC errors.", 12},
    {"DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", "counter", "Total number of NVLink retries.",
     12},
    {"DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "counter",
     "Total number of NVLink recovery errors.", 13},
    {"DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active.", 15},
    {"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge",
     "Ratio of cycles the tensor (HMMA) pipe is active.", 15},
    {"DCGM_FI_PROF_DRAM_ACTIVE", "gauge",
     "Ratio of cycles the device memory interface is active sending or receiving data.", 15},
    {"DCGM_FI_PROF_PCIE_TX_BYTES", "gauge",
     "The rate of data transmitted over the PCIe bus - including both protocol headers and data "
     "payloads - in bytes per second.",
     16},
    {"DCGM_FI_PROF_PCIE_RX_BYTES", "gauge",
     "The rate of data received over the PCIe bus - including both protocol headers and data "
     "payloads - in bytes per second.",
     16},
};

static void dcgm_value(struct bench_buf *b, struct bench_rng *r, unsigned kind, uint64_t round,
                       unsigned gpu)
{
    switch (kind) {
    case 0:
        bench_put_u(b, 1755 + rb(r, 226));
        break;
    case 1:
        bench_put(b, "2619");
        break;
    case 2:
        bench_put_u(b, 32 + rb(r, 50));
        break;
    case 3:
        put_fixed(b, 70 + rb(r, 630), rb(r, 1000) * 1000, 6);
        break;
    case 4: /* cumulative counters */
        bench_put_u(b, 1234567890ull + round * 9000000 + gpu * 77777 + rb(r, 1000));
        break;
    case 5:
        bench_put_u(b, gpu == 5 ? round / 8 : 0);
        break;
    case 6:
        bench_put_u(b, rb(r, 101));
        break;
    case 7:
        bench_put(b, "0");
        break;
    case 8:
        bench_put_u(b, rb(r, 500) ? 0 : (rb(r, 2) ? 79 : 13));
        break;
    case 9:
        bench_put_u(b, 1000 + rb(r, 80000));
        break;
    case 10:
        bench_put_u(b, 500 + rb(r, 80000));
        break;
    case 11:
        bench_put(b, "510");
        break;
    case 12:
        bench_put_u(b, gpu == 3 ? 2 + round / 40 : 0);
        break;
    case 13:
        bench_put_u(b, gpu == 3 && round > 100 ? 1 : 0);
        break;
    case 14: {
        static const unsigned reasons[] = {0, 0, 0, 0, 1, 4, 32, 64, 96, 128};
        bench_put_u(b, reasons[rb(r, 10)]);
        break;
    }
    case 15:
        put_fixed(b, 0, rb(r, 1000000), 6);
        break;
    default:
        bench_put_u(b, rb(r, 30000000000ull));
        break;
    }
}

size_t bench_gen_dcgm_scrapes(uint64_t seed, size_t bytes, struct bench_buf *out, size_t *events)
{
    enum { NODES = 32 };
    struct bench_rng r = {seed};
    size_t samples = 0;
    int64_t t = start_sec();
    for (uint64_t round = 0; out->len < bytes; round++, t += 15) {
        for (unsigned node = 0; node < NODES && out->len < bytes; node++) {
            bench_put(out, "# scrape ");
            put_time(out, t + node / 8, -1);
            nl(out);
            for (size_t m = 0; m < sizeof dcgm_metrics / sizeof dcgm_metrics[0]; m++) {
                const struct dcgm_metric *d = &dcgm_metrics[m];
                bench_put(out, "# HELP ");
                bench_put(out, d->name);
                bench_put(out, " ");
                bench_put(out, d->help);
                bench_put(out, "\n# TYPE ");
                bench_put(out, d->name);
                bench_put(out, " ");
                bench_put(out, d->type);
                nl(out);
                for (unsigned gpu = 0; gpu < 8; gpu++) {
                    bench_put(out, d->name);
                    bench_put(out, "{gpu=\"");
                    bench_put_u(out, gpu);
                    bench_put(out, "\",UUID=\"");
                    put_uuid_gpu(out, node * 256 + gpu_bus[gpu]);
                    bench_put(out, "\",pci_bus_id=\"00000000:");
                    put_hex(out, gpu_bus[gpu], 2, true);
                    bench_put(out, ":00.0\",device=\"nvidia");
                    bench_put_u(out, gpu);
                    bench_put(out, "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"gpu-node-");
                    bench_put_upad(out, node, 2, '0');
                    bench_put(out, "\",DCGM_FI_DRIVER_VERSION=\"550.90.07\"");
                    if ((node + gpu) % 4 != 3) { /* a GPU allocated to a pod */
                        bench_put(out, ",container=\"trainer\",namespace=\"team-llm\","
                                 "pod=\"pretrain-70b-worker-");
                        bench_put_u(out, (node * 8 + gpu) / 8);
                        bench_put(out, "\"");
                    }
                    bench_put(out, "} ");
                    dcgm_value(out, &r, d->kind, round, gpu);
                    nl(out);
                    samples++;
                }
            }
        }
    }
    *events = samples;
    return samples;
}
