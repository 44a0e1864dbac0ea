#!/usr/bin/env python3
"""Write bench/windows/hbm_ecc.jsonl: the 1,024-event window fl_bench runs hbm_ecc over.

Two 8-GPU nodes scraped by dcgm-exporter every 30 s (15 scrapes of the volatile and aggregate
double-bit counters, the volatile single-bit counter and the row-remap-pending flag per GPU),
plus the kernel lines of one node: Xid 48, 63 and a burst of Xid 94 on one GPU, each memory Xid
with the ECC record the kernel reader derives from the same line. It exercises counter series,
the one-off/echo rule, the PCI join and a correctable-error rate; it yields three verdicts.
Deterministic: fixed seed, standard library only. Usage: gen_hbm_ecc.py > hbm_ecc.jsonl
"""
import datetime
import json
import random
import sys

rng = random.Random(20261124)
T0 = 1795545000  # 2026-11-24T18:30:00Z
BUSES = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"]


def ts(t, us=0):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + (".%06dZ" % us if us else "Z")


def gpu(node, i):
    return {"pci": "0000:%s:00.0" % BUSES[i], "index": i,
            "uuid": "GPU-%s%02d-7e7e-4f4f-9a9a-%012d" % ("a0" if node.endswith("a") else "b0", i, i)}


lines = []


def ecc(t, node, i, typ, agg, count, metric):
    raw = '%s{gpu="%d",pci_bus_id="00000000:%s:00.0",Hostname="%s"} %d %d' % (
        metric, i, BUSES[i].upper(), node, count, t * 1000)
    lines.append({"kind": "ecc", "ts": ts(t), "node": node, "gpu": gpu(node, i), "raw": raw,
                  "ecc": {"type": typ, "aggregate": agg, "count": count, "text": metric}})


sbe = {("bench-node-a", i): rng.randrange(0, 5) for i in range(8)}
sbe.update({("bench-node-b", i): rng.randrange(0, 5) for i in range(8)})
for k in range(15):
    t = T0 + 30 * k
    for node in ("bench-node-a", "bench-node-b"):
        for i in range(8):
            hit = node == "bench-node-a" and i == 5 and k >= 6
            ecc(t, node, i, "dbe", False, 1 if hit else 0, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL")
            ecc(t, node, i, "dbe", True, (3 if hit else 2) if i == 5 else 0,
                "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL")
            if node == "bench-node-b" and i == 2:
                sbe[(node, i)] += 12  # 24 a minute: a correctable storm
            else:
                sbe[(node, i)] += rng.randrange(0, 2)
            ecc(t, node, i, "sbe", False, sbe[(node, i)], "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL")
            ecc(t, node, i, "remap_pending", False, 1 if hit else 0, "DCGM_FI_DEV_ROW_REMAP_PENDING")


def kernel(t, us, code, text, pid="'<unknown>'", name="<unknown>", ecc_type=None):
    raw = "%s+00:00 NVRM: Xid (PCI:0000:ab:00): %d, pid=%s, name=%s, %s" % (
        ts(t, us)[:-1].replace(".", ","), code, pid, name, text)
    g = {"pci": "0000:ab:00.0"}
    lines.append({"kind": "xid", "ts": ts(t, us), "node": "bench-node-a", "gpu": g, "raw": raw,
                  "xid": {"code": code, "pid": int(pid) if pid.isdigit() else -1,
                          "process": "" if name == "<unknown>" else name, "text": text}})
    if ecc_type:
        lines.append({"kind": "ecc", "ts": ts(t, us), "node": "bench-node-a", "gpu": g,
                      "raw": raw, "ecc": {"type": ecc_type, "aggregate": False, "count": 1,
                                          "text": text}})


t = T0 + 165
kernel(t, 470068, 48, "An uncorrectable double bit error (DBE) has been detected on GPU in the "
       "framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.", ecc_type="dbe")
kernel(t, 498753, 63, "Row Remapper: New row (0x00000012bac1c3e0) marked for remapping, reset "
       "gpu to activate.", ecc_type="remap_pending")
kernel(t, 506595, 94, "Contained: SM (0x1). RST: No, D-RST: No", ecc_type="contained")
n = 1024 - len(lines)
for c in range(n):
    us = 521616 + 8779 * c
    kernel(t + us // 1000000, us % 1000000, 94, "Ch %08x" % (8 + c), pid="1248209",
           name="python3.10")

assert len(lines) == 1024, len(lines)
lines.sort(key=lambda e: (e["ts"], e["kind"], e["node"], e["gpu"]["pci"], e["raw"]))
for e in lines:
    sys.stdout.write(json.dumps(e, separators=(",", ":")) + "\n")
