#!/usr/bin/env python3
"""Write bench/windows/pod_evicted.jsonl: the 1,024-event window fl_bench runs pod_evicted over.

A GPU cluster's Kubernetes side over one hour: 48 nodes, each with its four conditions (as
`kubectl get nodes -o json` gives them) and node events; pods scheduled, killed and restarted;
memory, ephemeral-storage, inodes and pids evictions, some joined to a pressure condition, some
not (no data, too late), a storage-limit eviction, admission rejections, two eviction waves, a
node gone NotReady with taint-manager deletions, and "Cancelling deletion" noise.
Deterministic: fixed seed, python3 standard library only. Usage:
    python3 bench/windows/gen_pod_evicted.py > bench/windows/pod_evicted.jsonl
"""
import datetime
import json
import random
import sys

N = 1024
T0 = datetime.datetime(2026, 11, 24, 18, 0, 0, tzinfo=datetime.timezone.utc)
GI, MI, KI = 1 << 30, 1 << 20, 1 << 10
rng = random.Random(20261124)
out = []


def ts(sec):
    return (T0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")


def add(kind, sec, node, payload):
    out.append({"schema": "faultline.events/v1", "kind": kind, "ts": ts(sec), "node": node,
                kind: payload})


def cond(sec, node, typ, status):
    reason = {("MemoryPressure", "True"): "KubeletHasInsufficientMemory",
              ("MemoryPressure", "False"): "KubeletHasSufficientMemory",
              ("DiskPressure", "True"): "KubeletHasDiskPressure",
              ("DiskPressure", "False"): "KubeletHasNoDiskPressure",
              ("PIDPressure", "True"): "KubeletHasInsufficientPID",
              ("PIDPressure", "False"): "KubeletHasSufficientPID",
              ("Ready", "True"): "KubeletReady",
              ("Ready", "Unknown"): "NodeStatusUnknown"}[(typ, status)]
    add("node_condition", sec, node, {"type": typ, "status": status, "reason": reason,
                                      "message": "kubelet condition " + reason})


def evict(sec, node, pod, resource, use=None, req=None, container="trainer", msg=None):
    p = {"pod": pod, "reason": "Evicted", "count": 1}
    if resource:
        thr, avail = {"memory": (100 * MI, 90 * MI), "ephemeral-storage": (18 * GI, 17 * GI),
                      "inodes": (6553600, 6291456), "pids": (4194, 3870)}[resource]
        p.update({"resource": resource, "threshold": thr, "available": avail})
        text = "The node was low on resource: %s. Threshold quantity: %d, available: %d. " % (
            resource, thr, avail)
        if use is not None:
            p.update({"container": container, "usage": use, "request": req})
            text += "Container %s was using %d, request is %d, has larger consumption of %s. " % (
                container, use, req, resource)
        p["message"] = text
    else:
        p["message"] = msg if msg is not None else ""
        if msg and "ephemeral storage limit" in msg:  # as the Kubernetes reader fills it
            p.update({"resource": "ephemeral-storage", "threshold": GI, "container": "shipper"})
    add("pod_event", sec, node, p)


def pod_ev(sec, node, pod, reason, message):
    add("pod_event", sec, node, {"pod": pod, "reason": reason, "message": message, "count": 1})


nodes = ["gpu-node-%02d" % i for i in range(1, 49)]
# the nodes' conditions as a snapshot: quiet since November 1st (before the window: ts is the
# lastTransitionTime), 4 per node
for n in nodes:
    for t in ("MemoryPressure", "DiskPressure", "PIDPressure"):
        cond(-23 * 86400, n, t, "False")
    cond(-23 * 86400, n, "Ready", "True")

# incidents
cond(600, "gpu-node-03", "MemoryPressure", "True")            # wave of 5
for i, d in enumerate((10, 25, 70, 140, 200)):
    evict(600 + d, "gpu-node-03", "ml/sft-%d" % i, "memory", (60 + 5 * i) * GI, 64 * GI)
cond(1500, "gpu-node-07", "DiskPressure", "True")             # nodefs + rejection + inodes
evict(1512, "gpu-node-07", "ml/ckpt-writer-1", "ephemeral-storage", 210 * GI, 0, "writer")
evict(1560, "gpu-node-07", "ml/ckpt-writer-2", None, msg="Pod The node had condition: [DiskPressure]. ")
evict(1600, "gpu-node-07", "ml/tokenize-3", "inodes")
cond(2000, "gpu-node-11", "PIDPressure", "True")
evict(2012, "gpu-node-11", "ml/loader-2", "pids")
evict(2100, "gpu-node-12", "ml/eval-0", "memory", 9 * GI, 4 * GI, "eval")   # no pressure data
cond(2300, "gpu-node-13", "MemoryPressure", "True")                          # True too late
evict(2100, "gpu-node-13", "ml/eval-1", "memory", 10 * GI, 4 * GI, "eval")
evict(2400, "gpu-node-14", "batch/ingest-2", None,
      msg="Container shipper exceeded its local ephemeral storage limit \"1Gi\". ")
evict(2500, "gpu-node-15", "ml/data-prep-0", None)                          # empty message
cond(2890, "gpu-node-21", "Ready", "Unknown")                               # node lost
for i in range(4):
    add("pod_event", 3190 + i, "gpu-node-21", {"pod": "ml/moe-%d" % i, "reason": "TaintManagerEviction",
        "message": "Marking for deletion Pod ml/moe-%d" % i, "count": 1})
add("pod_event", 3300, "gpu-node-22", {"pod": "ml/moe-9", "reason": "TaintManagerEviction",
    "message": "Cancelling deletion of Pod ml/moe-9", "count": 1})
cond(3000, "gpu-node-30", "MemoryPressure", "True")                         # second wave
for i in range(3):
    evict(3005 + 30 * i, "gpu-node-30", "ml/rl-%d" % i, "memory", (20 + i) * GI, 16 * GI, "actor")
    evict(3005 + 30 * i, "gpu-node-30", "ml/rl-%d" % i, "memory", (20 + i) * GI, 16 * GI, "actor")

# background: scheduling, kills, restarts, OOM kills over the hour on every node
reasons = [("Scheduled", "Successfully assigned %s to %s"), ("Killing", "Stopping container trainer"),
           ("BackOff", "Back-off restarting failed container trainer"),
           ("OOMKilled", ""), ("Started", "Started container trainer"),
           ("Pulled", "Container image \"nvcr.io/nvidia/pytorch:24.10-py3\" already present on machine")]
while len(out) < N:
    n = rng.choice(nodes)
    pod = "ml/job-%d-worker-%d" % (rng.randrange(40), rng.randrange(16))
    r, m = rng.choice(reasons)
    if "%s" in m:
        m = m % (pod, n)
    pod_ev(rng.randrange(3600), n, pod, r, m)

out = out[:N]
rng.shuffle(out)  # input order must not matter
sys.stdout.write("".join(json.dumps(o, separators=(",", ":")) + "\n" for o in out))
