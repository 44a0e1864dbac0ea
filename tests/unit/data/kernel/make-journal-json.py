#!/usr/bin/env python3
"""Writes journal-kernel.json and journal-kernel.export: the same entries as journalctl -o json
and -o export print them (string values, byte-array MESSAGE for a non-UTF-8 message)."""
import json, struct

boot = "1a9ccb8d2a504a0c94c7cbda3f6e1b2e"
host = "gpu-node-12"
B = 1795537200000000  # realtime of the boot, microseconds (2026-11-24T16:20:00Z)


def entry(mono, msg, ident="kernel", transport="kernel", prio=4, src_mono=None, cursor_i=[0]):
    cursor_i[0] += 1
    e = {"__CURSOR": "s=6b3a3f50f06a4e2d8f1b3c35d6b1e9a1;i=%x;b=%s;m=%x;t=%x;x=%016x"
         % (cursor_i[0], boot, mono, B + mono, cursor_i[0] * 7919),
         "__REALTIME_TIMESTAMP": str(B + mono), "__MONOTONIC_TIMESTAMP": str(mono),
         "_BOOT_ID": boot, "_MACHINE_ID": "5f1c7c3e9d2a4b8e8f0a1b2c3d4e5f60", "_HOSTNAME": host,
         "PRIORITY": str(prio), "SYSLOG_FACILITY": "0" if ident == "kernel" else "3",
         "SYSLOG_IDENTIFIER": ident, "_TRANSPORT": transport, "MESSAGE": msg}
    if src_mono is not None:
        e["_SOURCE_MONOTONIC_TIMESTAMP"] = str(src_mono)
    return e


L = [
    # early boot: journald read it 9 s after the kernel printed it
    entry(13210411, "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024", prio=5, src_mono=4002881),
    entry(13210500, "systemd-journald started", ident="systemd-journald", transport="driver", prio=6),
    entry(700000000, "NVRM: GPU at PCI:0000:9a:00: GPU-7b2d4c1a-55e0-4f6e-a1c3-9d8e7f6a5b40", src_mono=699999000),
    entry(700000100, "NVRM: Xid (PCI:0000:9a:00): 13, pid=40121, name=python3, Graphics SM Warp Exception on (GPC 4, TPC 0, SM 1): Out Of Range Address", src_mono=699999050),
    # not UTF-8 (a latin-1 process name): journalctl prints an array of bytes
    entry(700000200, list("NVRM: Xid (PCI:0000:9a:00): 43, pid=40121, name=entra\xeenement, Ch 00000010".encode("latin-1")), src_mono=699999100),
    entry(705000000, "NVRM: The NVIDIA GPU 0000:ab:00.0\nNVRM: (PCI ID: 10de:2330) installed in this system has\nNVRM: fallen off the bus and is not responding to commands.", prio=3, src_mono=704999900),
    entry(705000500, "NVRM: Xid (PCI:0000:ab:00): 79, GPU has fallen off the bus.", ident="nv-hostengine", transport="journal", prio=3),
    entry(706000000, None, prio=4, src_mono=705999000),  # over the data threshold
]
with open("journal-kernel.json", "w") as f:
    f.write("\n".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in L) + "\n")
out = bytearray()
for e in L:
    for k, v in e.items():
        if v is None:
            continue
        data = bytes(v) if isinstance(v, list) else v.encode()
        if isinstance(v, list) or b"\n" in data:
            out += k.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
        else:
            out += k.encode() + b"=" + data + b"\n"
    out += b"\n"
with open("journal-kernel.export", "wb") as f:
    f.write(out)
