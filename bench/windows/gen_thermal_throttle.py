#!/usr/bin/env python3
"""Write bench/windows/thermal_throttle.jsonl: the 1,024-event window fl_bench runs
thermal_throttle over.

Two 8-GPU nodes scraped by dcgm-exporter every 15 s for 8 minutes (32 scrapes of the
clocks-event reasons and the GPU temperature per GPU = 1,024 events). On bench-node-a GPU 3
sits in HW thermal slowdown for 3 minutes while its neighbours idle or hold their power cap;
on bench-node-b every GPU enters SW + HW thermal slowdown together for 4 minutes. It exercises
episodes, gaps, the node sweep and the temperature lookups; it yields two verdicts (one GPU,
one node). Deterministic: fixed seed, standard library only.
Usage: gen_thermal_throttle.py > thermal_throttle.jsonl
"""
import datetime
import json
import random
import sys

rng = random.Random(20261124)
T0 = 1795545000  # 2026-11-24T18:30:00Z
BUSES = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"]


def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpu(node, i):
    return {"pci": "0000:%s:00.0" % BUSES[i], "index": i,
            "uuid": "GPU-%s%02d-7e7e-4f4f-9a9a-%012d" % ("a0" if node.endswith("a") else "b0", i, i)}


def raw(metric, node, i, v, t):
    return '%s{gpu="%d",pci_bus_id="00000000:%s:00.0",Hostname="%s"} %s %d' % (
        metric, i, BUSES[i].upper(), node, v, t * 1000)


lines = []
for k in range(32):
    t = T0 + 15 * k
    for node in ("bench-node-a", "bench-node-b"):
        for i in range(8):
            if node == "bench-node-a":
                hot = i == 3 and 8 <= k <= 20
                mask = 0x48 if hot else rng.choice([0x0, 0x1, 0x4])
                temp = 90 + rng.randrange(0, 4) if hot else 55 + rng.randrange(0, 8)
            else:
                hot = 10 <= k <= 26
                mask = 0x68 if hot else rng.choice([0x0, 0x4])
                temp = 86 + rng.randrange(0, 8) if hot else 66 + rng.randrange(0, 6)
            lines.append({"kind": "throttle", "ts": ts(t), "node": node, "gpu": gpu(node, i),
                          "raw": raw("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", node, i, mask, t),
                          "throttle": {"reasons": mask}})
            lines.append({"kind": "gpu_sample", "ts": ts(t), "node": node, "gpu": gpu(node, i),
                          "raw": raw("DCGM_FI_DEV_GPU_TEMP", node, i, temp, t),
                          "gpu_sample": {"metric": "temp_gpu", "value": temp,
                                         "name": "DCGM_FI_DEV_GPU_TEMP"}})

assert len(lines) == 1024, len(lines)
for e in lines:
    sys.stdout.write(json.dumps(e, separators=(",", ":")) + "\n")
