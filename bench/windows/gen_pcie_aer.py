#!/usr/bin/env python3
"""Write bench/windows/pcie_aer.jsonl: the 1,024-event window fl_bench runs pcie_aer over.

The PCIe side of 16 GPU nodes over two hours, as the kernel-log reader assembles AER reports
(one pcie_aer event per report, with the line that opened it as raw): background corrected
errors on GPUs, NICs, NVSwitches and switch ports; corrected storms on a few links (one just
under the rate, the others over it); non-fatal and fatal uncorrected errors on GPUs, NICs,
NVSwitches and bridges, some fatal ones followed by XID 79 on the same GPU; and the
nvidia-smi / DCGM samples that map GPU addresses to index and UUID. Lines are shuffled.
Deterministic: fixed seed, python3 standard library only. Usage:
    python3 bench/windows/gen_pcie_aer.py > bench/windows/pcie_aer.jsonl
"""
import datetime
import json
import random
import sys

N = 1024
T0 = datetime.datetime(2026, 11, 24, 8, 0, 0, tzinfo=datetime.timezone.utc)
NODES = ["gpu-node-%02d" % i for i in range(1, 17)]
GPU_BUS = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"]
rng = random.Random(20261124)
out = []

# device address -> (vendor, device, driver, port)
DEVICES = {}
for i, bus in enumerate(GPU_BUS):
    DEVICES["0000:%s:00.0" % bus] = ("10de", "2330", "nvidia", "0000:%02x:01.0" % (int(bus, 16) - 2))
for i, bus in enumerate(["1b", "3c", "9c", "bc"]):
    DEVICES["0000:%s:00.0" % bus] = ("15b3", "1021", "mlx5_core", "0000:%02x:02.0" % (int(bus, 16) - 2))
for bus in ["05", "06", "07", "08"]:
    DEVICES["0000:%s:00.0" % bus] = ("10de", "22a3", "nvidia-nvswitch", "0000:03:00.0")
for bus in ["16", "38", "98", "b8"]:
    DEVICES["0000:%s:01.0" % bus] = ("1000", "c030", "pcieport", "0000:%s:01.0" % bus)

COR_BITS = [(0, "Physical Layer", "Receiver ID"), (6, "Data Link Layer", "Transmitter ID"),
            (7, "Data Link Layer", "Transmitter ID"), (12, "Data Link Layer", "Transmitter ID")]
UNC_BITS = [(5, "Transaction Layer", "Receiver ID"), (14, "Transaction Layer", "Requester ID"),
            (18, "Transaction Layer", "Receiver ID"), (20, "Transaction Layer", "Requester ID"),
            (4, "Data Link Layer", "Receiver ID")]


def ts(ns):
    t = T0 + datetime.timedelta(microseconds=ns // 1000)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def aer(ns, node, addr, severity):
    vendor, device, driver, port = DEVICES[addr]
    bit, layer, agent = rng.choice(COR_BITS if severity == "corrected" else UNC_BITS)
    word = {"corrected": "Correctable", "nonfatal": "Uncorrectable (Non-Fatal)",
            "fatal": "Uncorrectable (Fatal)"}[severity]
    raw = "%s %s: AER: PCIe Bus Error: severity=%s, type=%s, (%s)" % (driver, addr, word, layer,
                                                                     agent)
    out.append({"schema": "faultline.events/v1", "kind": "pcie_aer", "ts": ts(ns), "node": node,
                "gpu": {"pci": addr}, "raw": raw,
                "pcie_aer": {"severity": severity, "type": layer.split()[0].lower()
                             .replace("data", "data_link"),
                             "multiple": rng.random() < 0.1, "vendor_id": vendor,
                             "device_id": device, "status": "%08x" % (1 << bit),
                             "mask": "0000e000" if severity == "corrected" else "00000000",
                             "first_bit": bit, "agent": agent}})


def xid79(ns, node, addr):
    bus = addr[5:7]
    out.append({"schema": "faultline.events/v1", "kind": "xid", "ts": ts(ns), "node": node,
                "gpu": {"pci": addr},
                "raw": "NVRM: Xid (PCI:0000:%s:00): 79, pid='<unknown>', name=<unknown>, GPU has "
                       "fallen off the bus." % bus,
                "xid": {"code": 79, "text": "GPU has fallen off the bus."}})


def sample(ns, node, k, bus):
    out.append({"schema": "faultline.events/v1", "kind": "gpu_sample", "ts": ts(ns), "node": node,
                "gpu": {"pci": "0000:%s:00.0" % bus,
                        "uuid": "GPU-%08x-0000-4000-8000-%012x" % (NODES.index(node), k),
                        "index": k},
                "gpu_sample": {"metric": "pcie_replay", "value": rng.randrange(0, 50),
                               "name": "DCGM_FI_DEV_PCIE_REPLAY_COUNTER"}})


SEC = 1_000_000_000
HOURS2 = 2 * 3600 * SEC
gpus = ["0000:%s:00.0" % b for b in GPU_BUS]
others = [a for a in DEVICES if a not in gpus]

# DCGM samples: every GPU of 12 nodes, once (the rest of the nodes have no metrics)
for node in NODES[:12]:
    for k, bus in enumerate(GPU_BUS):
        sample(rng.randrange(0, HOURS2), node, k, bus)
# corrected storms: 105..160 reports within ~50 s on 5 links, one at 100 (under the rate)
for n_reports, node, addr in [(160, "gpu-node-02", "0000:ba:00.0"), (130, "gpu-node-05", "0000:3c:00.0"),
                              (120, "gpu-node-09", "0000:5d:00.0"), (105, "gpu-node-12", "0000:05:00.0"),
                              (100, "gpu-node-14", "0000:18:00.0"), (110, "gpu-node-16", "0000:98:01.0")]:
    start = rng.randrange(0, HOURS2 - 60 * SEC)
    for i in range(n_reports):
        aer(start + i * 50 * SEC // n_reports, node, addr, "corrected")
# fatal uncorrected, three followed by XID 79 on the GPU
for node, addr, then79 in [("gpu-node-01", "0000:2a:00.0", True), ("gpu-node-04", "0000:db:00.0", True),
                           ("gpu-node-07", "0000:9a:00.0", False), ("gpu-node-10", "0000:1b:00.0", False),
                           ("gpu-node-13", "0000:06:00.0", False), ("gpu-node-15", "0000:b8:01.0", False),
                           ("gpu-node-16", "0000:ab:00.0", True)]:
    t = rng.randrange(0, HOURS2 - 600 * SEC)
    aer(t, node, addr, "fatal")
    if then79:
        xid79(t + rng.randrange(50_000_000, 900_000_000), node, addr)
# non-fatal uncorrected, some repeating
for _ in range(24):
    node = rng.choice(NODES)
    addr = rng.choice(gpus + others)
    t = rng.randrange(0, HOURS2)
    for k in range(rng.choice([1, 1, 2, 3])):
        aer(t + k * rng.randrange(1, 300) * SEC, node, addr, "nonfatal")
# an XID 79 with no AER before it
xid79(rng.randrange(0, HOURS2), "gpu-node-03", "0000:18:00.0")
# background: isolated corrected errors anywhere
while len(out) < N:
    aer(rng.randrange(0, HOURS2), rng.choice(NODES), rng.choice(gpus + others), "corrected")

out = out[:N]
rng.shuffle(out)
for o in out:
    sys.stdout.write(json.dumps(o, separators=(",", ":")) + "\n")
