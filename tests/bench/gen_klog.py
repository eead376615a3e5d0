#!/usr/bin/env python3
"""gen_klog.py - write a SYNTHETIC multi-boot syslog kern.log (not a capture).

usage: gen_klog.py OUT LINES [--boots N]

Each boot opens with "Linux version" at time 0 and the boot-time IOMMU lines
of an Intel host; the rest is the runtime noise of a long-running server
(audit, netfilter, USB, EXT4, TCP) with an occasional DMAR fault.  Every boot
but the last initialises VT-d with interrupt remapping in xapic mode; the
last one logs x2apic mode and a fault of 0000:3b:00.0, so a reader that
analyses an older boot, or stops early, gives a different report.
"""
import argparse

BOOT = [
    "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)",
    "Command line: BOOT_IMAGE=/vmlinuz-6.1.0-27-amd64 root=/dev/mapper/vg0-root ro intel_iommu=on quiet",
    "ACPI: DMAR 0x000000006F6A3000 0001A8 (v01 DELL   PE_SC3   00000001 DELL 00000001)",
    "DMAR: Host address width 46",
    "DMAR: DRHD base: 0x000000d37fc000 flags: 0x0",
    "DMAR: dmar0: reg_base_addr d37fc000 ver 1:0 cap 8d2078c106f0466 ecap f020df",
    "DMAR-IR: IOAPIC id 12 under DRHD base  0xd37fc000 IOMMU 0",
    "DMAR-IR: Enabled IRQ remapping in %s mode",
    "iommu: Default domain type: Translated ",
    "DMAR: Intel(R) Virtualization Technology for Directed I/O",
    "pci 0000:3b:00.0: Adding to iommu group 31",
    "Run /init as init process",
]
NOISE = [
    "audit: type=1400 audit(1700000000.123:456): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd\" name=\"/proc/1/mounts\" pid=1234 comm=\"lxd\"",
    "[UFW BLOCK] IN=eno1 OUT= MAC=01:00:5e:00:00:01:00:11:22:33:44:55:08:00 SRC=10.0.0.1 DST=224.0.0.1 LEN=36 TOS=0x00 PREC=0xC0 TTL=1 ID=0 DF PROTO=2",
    "usb 1-1.4: new high-speed USB device number 7 using ehci-pci",
    "EXT4-fs (dm-0): mounted filesystem with ordered data mode. Quota mode: none.",
    "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.",
    "nf_conntrack: nf_conntrack: table full, dropping packet",
    "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
    "bond0: (slave eno2): link status definitely up, 10000 Mbps full duplex",
]
FAULT = "DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr 0x%x [fault reason 0x06] PTE Read access is not set"


def write_klog(out, lines, boots=5):
    """LINES lines of BOOTS boots into the file out, the newest boot last."""
    per_boot = max(len(BOOT) + 1, lines // boots)
    n = 0
    with open(out, "w") as f:
        for b in range(boots):
            last = b == boots - 1
            t = 0.0
            count = lines - n if last else per_boot
            for i in range(count):
                if i < len(BOOT):
                    msg = BOOT[i]
                    if "%s" in msg:
                        msg = msg % ("x2apic" if last else "xapic")
                    t = 0.0 if i == 0 else t + 0.05
                elif last and i == count - 1:
                    msg = FAULT % (0xbea10000 + i)
                else:
                    msg = NOISE[i % len(NOISE)]
                    t += 0.37
                s = int(t)
                f.write("Nov %2d %02d:%02d:%02d web1 kernel: [%5d.%06d] %s\n" % (
                    1 + b, (s // 3600) % 24, (s // 60) % 60, s % 60, s, int((t - s) * 1e6), msg))
                n += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("lines", type=int)
    ap.add_argument("--boots", type=int, default=5)
    a = ap.parse_args()
    write_klog(a.out, a.lines, a.boots)

if __name__ == "__main__":
    main()
