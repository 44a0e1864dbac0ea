#!/usr/bin/env python3
"""Writes nvidia-bug-report.log.gz: a bug report in the shape nvidia-bug-report.sh writes
(one gzip member per section, sections separated by a line of 44 underscores, the kernel
messages in "Scanning kernel log files ..." and "dmesg:"), for a DGX node whose GPU fell off
the bus at 18:32:51 UTC, 16.5 hours after boot. Deterministic: gzip mtime 0."""
import gzip, io, sys

SEP = "_" * 44
HOST = "dgx-a100-03"
UUID = "GPU-29c4b2e6-1d59-4e0a-9a2c-3f7a3c6de1a4"
sections = []
sections.append(f"""{SEP}

Start of NVIDIA bug report log file.  Please include this file, along
with a detailed description of your problem, when reporting a graphics
driver bug via the NVIDIA Linux forum (see forums.developer.nvidia.com)
or by sending email to 'linux-bugs@nvidia.com'.

nvidia-bug-report.sh Version: 34394802

Date: Tue Nov 24 18:52:10 UTC 2026
uname: Linux {HOST} 5.15.0-122-generic #132-Ubuntu SMP Thu Aug 29 13:45:52 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux
command line flags: 

""")
sections.append(f"""{SEP}

*** /proc/driver/nvidia/gpus/0000:07:00.0/information
*** ls: -r--r--r-- 1 root root 0 2026-11-24 18:52:11.120000000 +0000 /proc/driver/nvidia/gpus/0000:07:00.0/information
Model: 		 NVIDIA A100-SXM4-80GB
IRQ:   		 236
GPU UUID: 	 {UUID}
Video BIOS: 	 92.00.45.00.06
Bus Type: 	 PCIe
DMA Size: 	 47 bits
DMA Mask: 	 0x7fffffffffff
Bus Location: 	 0000:07:00.0
Device Minor: 	 0
GPU Excluded:	 No

""")
sections.append(f"""{SEP}

Scanning kernel log files for NVIDIA kernel messages:

  /var/log/kern.log:
Nov 19 03:12:09 {HOST} kernel: [712344.101010] NVRM: Xid (PCI:0000:47:00): 31, pid=88120, name=python3, Ch 00000008, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_14 faulted @ 0x7f2f_cca58000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ
Nov 20 09:00:07 {HOST} kernel: [    5.812001] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
Nov 21 13:14:15 {HOST} kernel: [101648.200100] NVRM: Xid (PCI:0000:47:00): 48, pid=71233, name=python3, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.
Nov 21 13:14:15 {HOST} kernel: [101648.200380] NVRM: Xid (PCI:0000:47:00): 63, pid=71233, name=python3, Row Remapper: New row (0x000000017fe8a1c0) marked for remapping, reset gpu to activate.
Nov 24 02:01:15 {HOST} kernel: [    5.801240] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
Nov 24 18:32:51 {HOST} kernel: [59501.114514] NVRM: GPU at PCI:0000:07:00: {UUID}
Nov 24 18:32:51 {HOST} kernel: [59501.114518] NVRM: GPU Board Serial Number: 1652921028811
Nov 24 18:32:51 {HOST} kernel: [59501.114520] NVRM: Xid (PCI:0000:07:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.
Nov 24 18:32:51 {HOST} kernel: [59501.114530] NVRM: GPU 0000:07:00.0: GPU has fallen off the bus.

  journalctl -b -0:
Nov 24 02:01:15 {HOST} kernel: NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
Nov 24 02:01:21 {HOST} nvidia-persistenced[1960]: Started (1960)
Nov 24 18:32:51 {HOST} kernel: NVRM: GPU at PCI:0000:07:00: {UUID}
Nov 24 18:32:51 {HOST} kernel: NVRM: GPU Board Serial Number: 1652921028811
Nov 24 18:32:51 {HOST} kernel: NVRM: Xid (PCI:0000:07:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.
Nov 24 18:32:51 {HOST} kernel: NVRM: GPU 0000:07:00.0: GPU has fallen off the bus.
Nov 24 18:32:52 {HOST} nvidia-persistenced[1960]: device 0000:07:00.0 - NVRM: Xid 79 from the driver, GPU lost

  journalctl -b -1:
Nov 20 09:00:07 {HOST} kernel: NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
Nov 21 13:14:15 {HOST} kernel: NVRM: Xid (PCI:0000:47:00): 48, pid=71233, name=python3, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.
Nov 21 13:14:15 {HOST} kernel: NVRM: Xid (PCI:0000:47:00): 63, pid=71233, name=python3, Row Remapper: New row (0x000000017fe8a1c0) marked for remapping, reset gpu to activate.

""")
sections.append(f"""{SEP}

dmesg:

[    0.000000] Linux version 5.15.0-122-generic (buildd@lcy02-amd64-034) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #132-Ubuntu SMP Thu Aug 29 13:45:52 UTC 2024 (Ubuntu 5.15.0-122.132-generic 5.15.163)
[    0.000000] Command line: BOOT_IMAGE=/vmlinuz-5.15.0-122-generic root=/dev/md0 ro pci=realloc=off
[    2.203311] pcieport 0000:00:01.1: AER: enabled with IRQ 30
[    5.700012] nvidia: loading out-of-tree module taints kernel.
[    5.801240] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
[    6.004411] nvidia-nvswitch0: open (major=508)
[59500.903321] pcieport 0000:00:01.1: AER: Uncorrected (Fatal) error received: 0000:07:00.0
[59500.903340] nvidia 0000:07:00.0: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Receiver ID)
[59500.903345] nvidia 0000:07:00.0: AER:   device [10de:20b2] error status/mask=00000020/00000000
[59500.903351] nvidia 0000:07:00.0: AER:    [ 5] SDES                   (First)
[59501.114514] NVRM: GPU at PCI:0000:07:00: {UUID}
[59501.114518] NVRM: GPU Board Serial Number: 1652921028811
[59501.114520] NVRM: Xid (PCI:0000:07:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.
[59501.114530] NVRM: GPU 0000:07:00.0: GPU has fallen off the bus.
[59503.002001] nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 20034, Fatal, Link 30 LTSSM Fault Up
[59503.002009] nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 20034, Severity 1 Engine instance 30 Sub-engine instance 00
[59503.002016] nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 20034, Data {{0x10000000, 0x10000000, 0x00000000, 0x10000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000}}
[60698.120001] perf: interrupt took too long (4931 > 4921), lowering kernel.perf_event_max_sample_rate to 40500
""")
sections.append(f"""{SEP}

/usr/bin/nvidia-smi --query


==============NVSMI LOG==============

Timestamp                                 : Tue Nov 24 18:52:19 2026
Driver Version                            : 550.90.07
CUDA Version                              : 12.4

Attached GPUs                             : 8
Unable to determine the device handle for GPU0000:07:00.0: Unknown Error

""")
sections.append(f"""{SEP}

End of NVIDIA bug report log file.
""")
out = io.BytesIO()
for s in sections:
    b = io.BytesIO()
    with gzip.GzipFile(fileobj=b, mode="wb", mtime=0, filename="") as g:
        g.write(s.encode())
    out.write(b.getvalue())
sys.stdout.buffer.write(out.getvalue())
