#!/usr/bin/env python3
"""Generate a SYNTHETIC large host for benchmarks (not a real capture).

usage: gen_host.py DIR [--devices 160] [--groups 60] [--log-lines 20000]
                  [--kern-log LINES [--boots 5]]

Writes DIR/root: a sysfs/procfs tree with the given PCI devices spread over
IOMMU groups (sys/kernel/iommu_groups, sys/bus/pci/devices with config space
so lspci -A linux-sysfs can read it too), proc/cmdline, proc/cpuinfo,
class/iommu units, and var/log/dmesg: a kernel log of the given length in
dmesg format, mostly ordinary boot noise with the VT-d lines and some DMA
faults among it.  With --kern-log, var/log/kern.log instead: a syslog
kern.log of LINES lines and several boots (gen_klog.py), the newest last,
whose facts differ from the older boots' (x2apic mode, one fault).
Past 8,000 devices the addresses go on in the next PCI domain.
"""
import argparse
import os
import random

from gen_klog import write_klog

CLASSES = [(0x030000, 0x10de, 0x2204), (0x040300, 0x10de, 0x1aef), (0x020000, 0x8086, 0x1572),
           (0x010802, 0x144d, 0xa808), (0x0c0330, 0x8086, 0xa36d), (0x010700, 0x1000, 0x0097)]


def write(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def put(path, data):
    """A file in an existing directory, in three system calls: a tree of
    8,000 devices is some 100,000 files."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.write(fd, data.encode() if isinstance(data, str) else data)
    os.close(fd)


def config_space(vendor, device, cls):
    b = bytearray(256)
    b[0:2] = vendor.to_bytes(2, "little")
    b[2:4] = device.to_bytes(2, "little")
    b[8] = 0x01
    b[9:12] = cls.to_bytes(3, "little")
    b[0x0e] = 0x01 if (cls >> 8) == 0x0604 else 0x00
    return bytes(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--devices", type=int, default=160)
    ap.add_argument("--groups", type=int, default=60)
    ap.add_argument("--log-lines", type=int, default=20000)
    ap.add_argument("--kern-log", type=int, default=0, metavar="LINES")
    ap.add_argument("--boots", type=int, default=5)
    a = ap.parse_args()
    rnd = random.Random(42)
    root = os.path.join(a.dir, "root")
    sysd = os.path.join(root, "sys")
    addrs = []
    for i in range(a.devices):
        dom, j = divmod(i, 8000)
        bus, dev, fn = 1 + j // 32, (j // 4) % 8, j % 4
        addrs.append("%04x:%02x:%02x.%d" % (dom, bus, dev, fn))
    os.makedirs(os.path.join(sysd, "kernel/iommu_groups"), exist_ok=True)
    os.makedirs(os.path.join(sysd, "bus/pci/devices"), exist_ok=True)
    for g in range(a.groups):
        gdir = os.path.join(sysd, "kernel/iommu_groups", str(g))
        os.makedirs(os.path.join(gdir, "devices"), exist_ok=True)
        write(os.path.join(gdir, "type"), "DMA-FQ\n")
        write(os.path.join(gdir, "reserved_regions"),
              "0x00000000fee00000 0x00000000feefffff msi\n")
    os.makedirs(os.path.join(sysd, "devices/pci0000:00"), exist_ok=True)
    os.makedirs(os.path.join(sysd, "bus/pci/drivers/vfio-pci"), exist_ok=True)
    for i, addr in enumerate(addrs):
        g = i * a.groups // a.devices
        cls, ven, dev = CLASSES[i % len(CLASSES)]
        if i % 8 == 7:
            cls, ven, dev = 0x060400, 0x8086, 0xa110
        real = os.path.join(sysd, "devices/pci0000:00", addr)
        os.mkdir(real)
        for name, val in (("vendor", ven), ("device", dev), ("subsystem_vendor", ven),
                          ("subsystem_device", 0x1234)):
            put(os.path.join(real, name), "0x%04x\n" % val)
        put(os.path.join(real, "class"), "0x%06x\n" % cls)
        put(os.path.join(real, "uevent"),
            "DRIVER=vfio-pci\nPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:1234\n"
            "PCI_SLOT_NAME=%s\nMODALIAS=pci:v0000%04Xd0000%04Xsv0000%04Xsd00001234\n"
            % (cls, ven, dev, ven, addr, ven, dev, ven))
        put(os.path.join(real, "reset_method"), "flr bus\n")
        put(os.path.join(real, "boot_vga"), "0\n")
        put(os.path.join(real, "config"), config_space(ven, dev, cls))
        put(os.path.join(real, "irq"), "16\n")
        os.symlink("../../../bus/pci/drivers/vfio-pci", os.path.join(real, "driver"))
        os.symlink("../../../kernel/iommu_groups/%d" % g, os.path.join(real, "iommu_group"))
        os.symlink("../../../devices/pci0000:00/" + addr,
                   os.path.join(sysd, "bus/pci/devices", addr))
        os.symlink("../../../../devices/pci0000:00/" + addr,
                   os.path.join(sysd, "kernel/iommu_groups/%d/devices" % g, addr))
    for u in range(2):
        write(os.path.join(sysd, "class/iommu/dmar%d/intel-iommu/ecap" % u), "f020fe\n")
    write(os.path.join(sysd, "firmware/acpi/tables/DMAR"), "DMAR" + "\0" * 44)
    write(os.path.join(sysd, "module/vfio_pci/refcnt"), "0\n")
    write(os.path.join(sysd, "module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"), "N\n")
    write(os.path.join(root, "proc/cmdline"), "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on iommu=pt\n")
    write(os.path.join(root, "proc/cpuinfo"),
          "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6338\n"
          "flags\t\t: fpu vme de pse msr pae vmx x2apic\n\n")
    write(os.path.join(root, "proc/interrupts"),
          "           CPU0\n  0:         10  IR-IO-APIC    2-edge      timer\n")
    write(os.path.join(root, "proc/sys/kernel/hostname"), "bench-host\n")
    write(os.path.join(root, "etc/os-release"), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    if a.kern_log > 0:
        os.makedirs(os.path.join(root, "var/log"), exist_ok=True)
        write_klog(os.path.join(root, "var/log/kern.log"), a.kern_log, a.boots)
        return
    # A long-running host's log: the boot with its IOMMU lines (one group
    # add per device), then mostly unrelated noise with some DMA faults.
    boot = ["Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)",
            "Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro intel_iommu=on iommu=pt",
            "ACPI: DMAR 0x000000007B7E7000 000108 (v01 INTEL  S2600WF  00000001 INTL 20091013)",
            "DMAR: Host address width 46", "DMAR: DRHD base: 0x000000d4800000 flags: 0x0",
            "DMAR: dmar0: reg_base_addr d4800000 ver 1:0 cap 8d2078c106f0466 ecap f020df",
            "DMAR: DRHD base: 0x000000fbffc000 flags: 0x1",
            "DMAR: dmar1: reg_base_addr fbffc000 ver 1:0 cap 8d2078c106f0466 ecap f020df",
            "DMAR-IR: Queued invalidation will be enabled to support x2apic and Intr-remapping.",
            "DMAR-IR: Enabled IRQ remapping in x2apic mode",
            "iommu: Default domain type: Passthrough (set via kernel command line)"]
    boot += ["pci %s: Adding to iommu group %d" % (addr, i * a.groups // a.devices)
             for i, addr in enumerate(addrs)]
    boot += ["DMAR: Intel(R) Virtualization Technology for Directed I/O",
             "Freeing unused kernel image (initmem) memory: 2920K",
             "Run /sbin/init as init process"]
    noise = ["usb 1-1: new high-speed USB device number %d using xhci_hcd",
             "EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
             "audit: type=1400 audit(%d.123:42): apparmor=\"STATUS\" operation=\"profile_load\"",
             "i40e 0000:01:00.2 eno1: NIC Link is Up, 10 Gbps Full Duplex, Flow Control: None",
             "systemd-journald[512]: Received client request to flush runtime journal.",
             "nvme nvme0: %d/0/0 default/read/poll queues",
             "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
             "TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending cookies."]
    faults = ["DMAR: DRHD: handling fault status reg 2",
              "DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x1187a9000 [fault reason 0x06] PTE Read access is not set"]
    t = 0.0
    out = []
    for i in range(a.log_lines):
        # as in a real dmesg, the first lines come before the clock runs
        t += rnd.random() * 0.01 if i >= 3 else 0.0
        if i < len(boot):
            text = boot[i]
        elif i % 200 == 0:
            text = faults[(i // 200) % 2]
        else:
            text = rnd.choice(noise)
        if "%d" in text:
            text = text % rnd.randint(0, 9)
        out.append("[%12.6f] %s\n" % (t, text))
    write(os.path.join(root, "var/log/dmesg"), "".join(out))


if __name__ == "__main__":
    main()
