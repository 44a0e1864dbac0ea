import socket, struct, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def field(name, value):
    if isinstance(value, str):
        value = value.encode()
    if b"\n" in value or any(b < 0x20 and b not in (9,) for b in value):
        return name.encode() + b"\n" + struct.pack("<Q", len(value)) + value + b"\n"
    return name.encode() + b"=" + value + b"\n"
def send(msg, ident="kernel", prio=4, extra=()):
    d = field("MESSAGE", msg) + field("PRIORITY", str(prio)) + field("SYSLOG_IDENTIFIER", ident) + field("SYSLOG_FACILITY", "0" if ident == "kernel" else "3")
    for k, v in extra:
        d += field(k, v)
    s.sendto(d, path)
send("nvidia-nvlink: Nvlink Core is being initialized, major device number 511", prio=6)
send("NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024", prio=5)
time.sleep(1.1)
send("pcieport 0000:38:01.0: AER: Uncorrected (Non-Fatal) error received: 0000:3b:00.0", prio=3)
send("nvidia 0000:3b:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, (Requester ID)", prio=3)
send("nvidia 0000:3b:00.0:   device [10de:2330] error status/mask=00004000/00400000", prio=3)
send("nvidia 0000:3b:00.0:    [14] CmpltTO                (First)", prio=3)
time.sleep(1.1)
send("NVRM: GPU at PCI:0000:3b:00: GPU-5c1c2b9e-04d6-4a6f-9d6b-4f1f0e7d2a11", prio=4)
send("NVRM: GPU Board Serial Number: 1654922011907", prio=4)
send("NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.", prio=4)
send("NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.", prio=3)
send("nvidia-persistenced: device 0000:3b:00.0 - NVRM: Xid 79 reported, GPU lost", ident="nvidia-persistenced", prio=3)
time.sleep(1.1)
send("NVRM: The NVIDIA GPU 0000:5e:00.0\nNVRM: (PCI ID: 10de:2330) installed in this system has\nNVRM: fallen off the bus and is not responding to commands.", prio=3)
time.sleep(1.1)
send("nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Fatal, Link 48 LTSSM Fault Up", prio=3)
send("nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Severity 1 Engine instance 48 Sub-engine instance 00", prio=3)
send("nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20034, Data {0x10000000, 0x10000000, 0x00000000, 0x10000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000}", prio=3)
send(b"NVRM: Xid (PCI:0000:9a:00): 13, pid=40121, name=python3\xff, Graphics SM Warp Exception on (GPC 4, TPC 0, SM 1): Out Of Range Address", prio=4)
