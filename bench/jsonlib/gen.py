#!/usr/bin/env python3
"""Deterministic generator of GPU-cluster Kubernetes event telemetry for the
JSON-library benchmark (bench/jsonlib).

Writes two files with the same events in the same order:

  events-list.json   what `kubectl get events -A -o json` prints: a v1 List,
                     keys sorted, 4-space indent, Go's HTML-safe escaping
                     (<, >, & as \\u003c \\u003e \\u0026; U+2028/2029 escaped),
                     other non-ASCII as raw UTF-8.
  events.jsonl       one compact object per line (faultline's JSON Lines).
  expected.txt       the checksum every reader must print (see common.h).

Python 3 standard library only; a fixed seed gives byte-identical output.
Usage: gen.py OUT_DIR [--size-mb 50] [--seed 20240514]
"""
import argparse
import datetime as dt
import json
import os
import random
import sys

NAMESPACES = ["training-llm", "training-vision", "inference-prod", "inference-canary",
              "kubeflow", "gpu-operator", "monitoring", "kube-system", "volcano-system",
              "research-rl", "default"]
CONTAINERS = ["trainer", "worker", "launcher", "triton", "vllm", "nvidia-device-plugin",
              "dcgm-exporter", "node-exporter", "nccl-test", "data-loader"]
IMAGES = ["nvcr.io/nvidia/pytorch:24.01-py3", "nvcr.io/nvidia/tritonserver:24.03-py3",
          "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.0-ubuntu22.04",
          "registry.internal:5000/llm/trainer:v1.18.2", "vllm/vllm-openai:v0.4.2"]
XIDS = [
    (13, "Graphics Engine Exception"),
    (31, "MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f3a_c0000000"),
    (43, "Reset Channel Verif Error"),
    (48, "An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 2, subpartition 0."),
    (63, "Row Remapping: New row (0x00000000002c1f80) was marked for remapping"),
    (74, "NVLink: fatal error detected on link 5 (0x0, 0x0, 0x10000, 0x0, 0x0, 0x0, 0x0)"),
    (79, "GPU has fallen off the bus."),
    (94, "Contained: SM (0x1). RST: No, D-RST: No"),
    (95, "Uncontained: FBHUB. RST: Yes, D-RST: No"),
]
UNICODE_MSGS = [
    "Checkpoint gespeichert \u2192 s3://ckpt/llama-70b/step-{step} (1.2 TiB) \u2713",
    "\u68c0\u67e5\u70b9\u5df2\u4fdd\u5b58: step {step}, \u8017\u65f6 {secs}s",
    "\U0001f525 GPU {gpu} thermal slowdown \u2014 {temp}\u00b0C \u2265 slowdown threshold",
    "Job r\u00e9sum\u00e9 apr\u00e8s pr\u00e9emption \u2026 step {step}\u2028(line separator from a log)",
    "\u041e\u0431\u0443\u0447\u0435\u043d\u0438\u0435 \u043f\u0440\u0438\u043e\u0441\u0442\u0430\u043d\u043e\u0432\u043b\u0435\u043d\u043e: NCCL timeout <rank {rank}> & retry {retry}/3",
]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.rv = 48_000_000
        self.t0 = dt.datetime(2024, 5, 14, 0, 0, 0, tzinfo=dt.timezone.utc)
        self.nodes = ["dgx-h100-%03d" % i for i in range(1, 129)] + \
                     ["gpu-a100-%03d" % i for i in range(1, 129)]
        self.pods = []
        for _ in range(3000):
            ns = self.r.choice(NAMESPACES)
            base = self.r.choice(["llama-70b-pretrain", "sdxl-finetune", "resnet-ddp", "triton",
                                  "vllm-mixtral", "nvidia-device-plugin-daemonset",
                                  "dcgm-exporter", "prometheus-node-exporter", "ppo-agent",
                                  "nccl-allreduce-test"])
            name = "%s-%s-%s" % (base, self.hex(8, lower=True)[:5],
                                 "".join(self.r.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5)))
            if self.r.random() < 0.3:
                name = "%s-worker-%d" % (base, self.r.randrange(512))
            self.pods.append((ns, name, self.uid(), self.r.choice(CONTAINERS),
                              self.r.choice(self.nodes), "10.%d.%d.%d" % (
                                  self.r.randrange(64), self.r.randrange(256), self.r.randrange(1, 255))))

    def hex(self, n, lower=True):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uid(self):
        h = self.hex(32)
        return "%s-%s-4%s-%s-%s" % (h[0:8], h[8:12], h[13:16], h[16:20], h[20:32])

    def ts(self, secs):
        return (self.t0 + dt.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def next_rv(self):
        self.rv += self.r.randrange(1, 40)
        return str(self.rv)

    def pod_event(self, i, secs):
        ns, pod, puid, ctr, node, ip = self.r.choice(self.pods)
        r = self.r.random()
        field_path = "spec.containers{%s}" % ctr
        if r < 0.14:
            typ, reason, comp = "Warning", "Evicted", "kubelet"
            kind = self.r.random()
            if kind < 0.6:
                msg = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: %dKi. "
                       "Container %s was using %dKi, request is %dGi, has larger consumption of memory. "
                       % (self.r.randrange(20000, 102400), ctr, self.r.randrange(30_000_000, 900_000_000),
                          self.r.choice([32, 64, 128, 256])))
            elif kind < 0.85:
                msg = ("The node was low on resource: ephemeral-storage. Threshold quantity: 10%%, available: %.1f%%. "
                       "Container %s was using %dGi, request is 0, has larger consumption of ephemeral-storage. "
                       % (self.r.uniform(1, 9.9), ctr, self.r.randrange(100, 3000)))
            else:
                msg = "The node had condition: [DiskPressure]. "
            field_path = None
        elif r < 0.24:
            typ, reason, comp = "Normal", "Killing", "kubelet"
            msg = "Stopping container %s" % ctr
        elif r < 0.36:
            typ, reason, comp = "Warning", "BackOff", "kubelet"
            msg = "Back-off restarting failed container %s in pod %s_%s(%s)" % (ctr, pod, ns, puid)
        elif r < 0.43:
            typ, reason, comp = "Warning", "Failed", "kubelet"
            if self.r.random() < 0.5:
                img = self.r.choice(IMAGES)
                msg = ('Failed to pull image "%s": rpc error: code = Unknown desc = failed to pull and unpack image '
                       '"%s": failed to copy: httpReadSeeker: failed open: unexpected status code '
                       'https://nvcr.io/v2/nvidia/pytorch/manifests/sha256:%s: 429 Too Many Requests - '
                       'Server message: toomanyrequests: <html><body>rate limit</body></html>'
                       % (img, img, self.hex(64)))
            else:
                msg = ("Error: failed to create containerd task: failed to create shim task: OCI runtime create "
                       "failed: runc create failed: unable to start container process: error during container "
                       "init: error running hook #0: error running hook: exit status 1, stdout: , stderr: "
                       "Auto-detected mode as 'legacy'\nnvidia-container-cli: initialization error: nvml error: "
                       "driver not loaded: unknown\n\tcaused by: \"/dev/nvidia%d\": no such device" % self.r.randrange(8))
        elif r < 0.52:
            typ, reason, comp = "Warning", "Unhealthy", "kubelet"
            if self.r.random() < 0.5:
                msg = ('Liveness probe failed: Get "http://%s:8080/healthz": context deadline exceeded '
                       '(Client.Timeout exceeded while awaiting headers)' % ip)
            else:
                msg = "Readiness probe failed: HTTP probe failed with statuscode: %d" % self.r.choice([500, 503, 504])
        elif r < 0.62:
            typ, reason, comp = "Warning", "FailedScheduling", "default-scheduler"
            n = len(self.nodes)
            a = self.r.randrange(1, 40)
            b = self.r.randrange(0, 10)
            msg = ("0/%d nodes are available: %d Insufficient nvidia.com/gpu, %d node(s) had untolerated taint "
                   "{nvidia.com/gpu.xid: 79}, %d node(s) didn't match Pod's node affinity/selector. preemption: "
                   "0/%d nodes are available: %d No preemption victims found for incoming pod, %d Preemption is "
                   "not helpful for scheduling.." % (n, a, b, n - a - b, n, a, n - a))
            field_path = None
        elif r < 0.70:
            typ, reason, comp = "Normal", "Pulled", "kubelet"
            msg = ('Successfully pulled image "%s" in %dm%d.%03ds (%dm%d.%03ds including waiting). Image size: %d bytes.'
                   % ((self.r.choice(IMAGES),) + (self.r.randrange(5), self.r.randrange(60), self.r.randrange(1000)) * 2
                      + (self.r.randrange(2_000_000_000, 22_000_000_000),)))
        elif r < 0.77:
            typ, reason, comp = "Normal", self.r.choice(["Created", "Started"]), "kubelet"
            msg = "%s container %s" % (reason, ctr)
        elif r < 0.82:
            typ, reason, comp = "Warning", "FailedMount", "kubelet"
            msg = ('MountVolume.SetUp failed for volume "kube-api-access-%s" : object "%s"/"kube-root-ca.crt" '
                   'not registered' % (self.hex(5), ns))
            field_path = None
        elif r < 0.86:
            typ, reason, comp = "Normal", "CheckpointSaved", "checkpoint-operator"
            msg = self.r.choice(UNICODE_MSGS).format(step=self.r.randrange(100000), secs=self.r.randrange(900),
                                                       gpu=self.r.randrange(8), temp=self.r.randrange(85, 98),
                                                       rank=self.r.randrange(1024), retry=self.r.randrange(1, 4))
            field_path = None
        else:
            typ, reason, comp = "Warning", "NodeNotReady", "node-controller"
            msg = "Node is not ready"
            field_path = None
        inv = {"apiVersion": "v1", "kind": "Pod", "name": pod, "namespace": ns,
               "resourceVersion": str(self.rv - self.r.randrange(1, 100000)), "uid": puid}
        if field_path:
            inv["fieldPath"] = field_path
        host = node if comp == "kubelet" else None
        return ns, pod, inv, typ, reason, comp, host, msg

    def node_event(self, i, secs):
        node = self.r.choice(self.nodes)
        r = self.r.random()
        if r < 0.45:
            xid, text = self.r.choice(XIDS)
            bus = self.r.choice(["0000:18:00", "0000:2a:00", "0000:3b:00", "0000:5d:00",
                                 "0000:9a:00", "0000:ab:00", "0000:ba:00", "0000:db:00"])
            typ, reason, comp = "Warning", "GPUXidError", "gpu-health-monitor"
            msg = ("NVRM: Xid (PCI:%s): %d, pid=%d, name=python3, %s\nNVRM: GPU at PCI:%s: GPU-%s\n"
                   "NVRM: GPU Board Serial Number: 16523%07d" % (bus, xid, self.r.randrange(1000, 4000000), text,
                                                                  bus, self.uid(), self.r.randrange(10_000_000)))
        elif r < 0.65:
            typ, reason, comp = "Warning", "OOMKilling", "kernel-monitor"
            msg = ("Memory cgroup out of memory: Killed process %d (python3) total-vm:%dkB, anon-rss:%dkB, "
                   "file-rss:%dkB, shmem-rss:%dkB, UID:1000 pgtables:%dkB oom_score_adj:%d"
                   % (self.r.randrange(1000, 4000000), self.r.randrange(10**8, 10**9), self.r.randrange(10**7, 10**9),
                      self.r.randrange(10**5), self.r.randrange(10**6), self.r.randrange(10**6),
                      self.r.choice([-997, 999, 1000])))
        elif r < 0.85:
            typ, reason, comp = "Normal", "NodeNotReady", "node-controller"
            msg = "Node %s status is now: NodeNotReady" % node
        else:
            typ, reason, comp = "Normal", "NodeHasDiskPressure", "kubelet"
            msg = "Node %s status is now: NodeHasDiskPressure" % node
        inv = {"kind": "Node", "name": node, "uid": node}
        return "default", node, inv, typ, reason, comp, (node if comp != "node-controller" else None), msg

    def event(self, i):
        secs = i * 2 + self.r.randrange(0, 2)
        if self.r.random() < 0.18:
            ns, objname, inv, typ, reason, comp, host, msg = self.node_event(i, secs)
        else:
            ns, objname, inv, typ, reason, comp, host, msg = self.pod_event(i, secs)
        first = secs - self.r.choice([0, 0, 0, 30, 600, 3600, 86400])
        name = "%s.%x" % (objname, 0x17cf0000_00000000 + secs * 1_000_000_000 + self.r.randrange(10**9))
        count = 1 if first == secs else self.r.randrange(2, 5000)
        ev = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"creationTimestamp": self.ts(first), "name": name, "namespace": ns,
                         "resourceVersion": self.next_rv(), "uid": self.uid()},
            "involvedObject": inv,
            "reason": reason,
            "message": msg,
            "type": typ,
            "eventTime": None,
            "reportingComponent": comp if self.r.random() < 0.7 else "",
            "reportingInstance": (host or "") if self.r.random() < 0.7 else "",
        }
        if reason == "FailedScheduling" and self.r.random() < 0.4:
            # events.k8s.io-style event seen through core/v1: no count, null timestamps.
            ev["eventTime"] = self.ts(secs)[:-1] + ".%06dZ" % self.r.randrange(10**6)
            ev["firstTimestamp"] = None
            ev["lastTimestamp"] = None
            ev["action"] = "Scheduling"
            ev["reportingComponent"] = "default-scheduler"
            ev["reportingInstance"] = "default-scheduler-cp-%d" % self.r.randrange(1, 4)
            ev["series"] = {"count": self.r.randrange(2, 300), "lastObservedTime": ev["eventTime"]}
            ev["source"] = {}
        else:
            ev["firstTimestamp"] = self.ts(first)
            ev["lastTimestamp"] = self.ts(secs)
            ev["count"] = count
            ev["source"] = {"component": comp}
            if host:
                ev["source"]["host"] = host
        return ev


def go_escape(s):
    """Go encoding/json's HTML-safe escaping on top of Python's output."""
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
             .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


FNV_OFF = 0xcbf29ce484222325
FNV_PRIME = 0x100000001b3
M64 = (1 << 64) - 1


def fnv1a(b):
    h = FNV_OFF
    for x in b:
        h = ((h ^ x) * FNV_PRIME) & M64
    return h


class Checksum:
    """Reference for bench_jsonlib's checksum (bench/jsonlib/common.h)."""

    def __init__(self):
        self.events, self.sum, self.hash = 0, 0, FNV_OFF

    def add(self, ev):
        inv = ev.get("involvedObject") or {}
        for v in (ev.get("reason"), inv.get("namespace"), inv.get("name"), ev.get("lastTimestamp"),
                  ev.get("message")):
            b = v.encode("utf-8") if isinstance(v, str) else b""
            self.sum += len(b)
            self.hash = ((self.hash ^ fnv1a(b)) * FNV_PRIME) & M64
        count = ev.get("count") or 0
        self.sum += count
        self.hash = ((self.hash ^ (count & M64)) * FNV_PRIME) & M64
        self.events += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--size-mb", type=float, default=50.0, help="target size of the List file (MB, 10^6 bytes)")
    ap.add_argument("--seed", type=int, default=20240514)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    g = Gen(a.seed)
    target = int(a.size_mb * 1_000_000)
    lst_path = os.path.join(a.out_dir, "events-list.json")
    jl_path = os.path.join(a.out_dir, "events.jsonl")
    n = 0
    size = 0
    ck = Checksum()
    with open(lst_path, "w", encoding="utf-8", newline="\n") as lf, \
         open(jl_path, "w", encoding="utf-8", newline="\n") as jf:
        head = '{\n    "apiVersion": "v1",\n    "items": [\n'
        lf.write(head)
        size += len(head)
        while size < target:
            ev = g.event(n)
            ck.add(ev)
            pretty = json.dumps(ev, indent=4, sort_keys=True, ensure_ascii=False)
            pretty = go_escape("\n".join("        " + ln for ln in pretty.split("\n")))
            if n:
                lf.write(",\n")
                size += 2
            lf.write(pretty)
            size += len(pretty.encode("utf-8"))
            jf.write(go_escape(json.dumps(ev, separators=(",", ":"), sort_keys=True, ensure_ascii=False)))
            jf.write("\n")
            n += 1
        lf.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    print("%s: %d events, %d bytes" % (lst_path, n, os.path.getsize(lst_path)))
    print("%s: %d events, %d bytes" % (jl_path, n, os.path.getsize(jl_path)))
    exp = "events=%d sum=%d hash=%016x" % (ck.events, ck.sum, ck.hash)
    with open(os.path.join(a.out_dir, "expected.txt"), "w") as f:
        f.write(exp + "\n")
    print("expected checksum: " + exp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
