#!/usr/bin/env python3
"""groups2tree.py - turn a posted IOMMU group listing into a sysfs tree.

Usage: groups2tree.py LISTING OUTDIR

LISTING is what people post from the usual shell loop over
/sys/kernel/iommu_groups, in either form:

    IOMMU group 1
      01:00.0 VGA compatible controller [0300]: NVIDIA ... [10de:1401] (rev a1)

    ### Group 1 ###
        01:00.0 VGA compatible controller: NVIDIA ... (rev a1)

Under OUTDIR/sys it writes what the kernel would show for those facts and
nothing more: sys/devices/pciDDDD:00/<addr>/{vendor,device,class,revision}
(only the values the listing gives), an iommu_group link, the group's
devices/<addr> links and a `type` file ("DMA"), and sys/bus/pci/devices links.
Other lines (shell prompts, blank lines) are ignored.
"""

import os
import re
import sys

# lspci's subclass names (pci.ids class section) -> class + subclass, for the
# listings that carry no [cccc] code.
CLASS_NAMES = {
    "Non-VGA unclassified device": 0x0000,
    "VGA compatible unclassified device": 0x0001,
    "SCSI storage controller": 0x0100,
    "IDE interface": 0x0101,
    "RAID bus controller": 0x0104,
    "SATA controller": 0x0106,
    "Serial Attached SCSI controller": 0x0107,
    "Non-Volatile memory controller": 0x0108,
    "Mass storage controller": 0x0180,
    "Ethernet controller": 0x0200,
    "Network controller": 0x0280,
    "VGA compatible controller": 0x0300,
    "3D controller": 0x0302,
    "Display controller": 0x0380,
    "Multimedia video controller": 0x0400,
    "Multimedia audio controller": 0x0401,
    "Audio device": 0x0403,
    "Multimedia controller": 0x0480,
    "RAM memory": 0x0500,
    "Memory controller": 0x0580,
    "Host bridge": 0x0600,
    "ISA bridge": 0x0601,
    "PCI bridge": 0x0604,
    "Bridge": 0x0680,
    "Serial controller": 0x0700,
    "Communication controller": 0x0780,
    "PIC": 0x0800,
    "IOMMU": 0x0806,
    "System peripheral": 0x0880,
    "SD Host controller": 0x0805,
    "Co-processor": 0x0b40,
    "FireWire (IEEE 1394)": 0x0c00,
    "USB controller": 0x0c03,
    "Fibre Channel": 0x0c04,
    "SMBus": 0x0c05,
    "InfiniBand": 0x0c06,
    "Serial bus controller": 0x0c80,
    "Encryption controller": 0x1080,
    "Signal processing controller": 0x1180,
    "Non-Essential Instrumentation": 0x1300,
    "Unassigned class": 0xff00,
}

GROUP_RE = re.compile(r"^\s*(?:IOMMU [Gg]roup|#+\s*Group)\s+(\d+)\b")
DEVICE_RE = re.compile(
    r"^\s*((?:[0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\.[0-7])\s+(.*)$")
CLASS_CODE_RE = re.compile(r"^(.*?) \[([0-9a-fA-F]{4})\]: (.*)$")
IDS_RE = re.compile(r"\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]")
REV_RE = re.compile(r"\(rev ([0-9a-fA-F]{2})\)\s*$")


def parse(text):
    """[(group, [device dict])] in listing order."""
    groups = []
    for lineno, line in enumerate(text.splitlines(), 1):
        m = GROUP_RE.match(line)
        if m:
            groups.append((int(m.group(1)), []))
            continue
        m = DEVICE_RE.match(line)
        if not m or not groups:
            continue
        addr, rest = m.group(1).lower(), m.group(2)
        if addr.count(":") == 1:
            addr = "0000:" + addr
        dev = {"address": addr}
        m = CLASS_CODE_RE.match(rest)
        if m:
            dev["class"] = int(m.group(2), 16)
            name = m.group(3)
        else:
            cname, _, name = rest.partition(": ")
            if cname in CLASS_NAMES:
                dev["class"] = CLASS_NAMES[cname]
            else:
                print("line %d: unknown class %r, no class file" % (lineno, cname),
                      file=sys.stderr)
        ids = IDS_RE.findall(name)
        if ids:
            dev["vendor"], dev["device"] = (int(x, 16) for x in ids[-1])
        m = REV_RE.search(name)
        if m:
            dev["revision"] = int(m.group(1), 16)
        groups[-1][1].append(dev)
    return groups


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def build(groups, out):
    sysdir = os.path.join(out, "sys")
    busdir = os.path.join(sysdir, "bus", "pci", "devices")
    os.makedirs(busdir, exist_ok=True)
    os.makedirs(os.path.join(sysdir, "kernel", "iommu_groups"), exist_ok=True)
    for gid, devices in groups:
        gdir = os.path.join(sysdir, "kernel", "iommu_groups", str(gid))
        os.makedirs(os.path.join(gdir, "devices"), exist_ok=True)
        write(os.path.join(gdir, "type"), "DMA\n")
        for dev in devices:
            addr = dev["address"]
            root = "pci%s:00" % addr.split(":")[0]
            ddir = os.path.join(sysdir, "devices", root, addr)
            os.makedirs(ddir, exist_ok=True)
            if "vendor" in dev:
                write(os.path.join(ddir, "vendor"), "0x%04x\n" % dev["vendor"])
                write(os.path.join(ddir, "device"), "0x%04x\n" % dev["device"])
            if "class" in dev:
                write(os.path.join(ddir, "class"), "0x%06x\n" % (dev["class"] << 8))
            if "revision" in dev:
                write(os.path.join(ddir, "revision"), "0x%02x\n" % dev["revision"])
            os.symlink("../../../kernel/iommu_groups/%d" % gid,
                       os.path.join(ddir, "iommu_group"))
            os.symlink("../../../../devices/%s/%s" % (root, addr),
                       os.path.join(gdir, "devices", addr))
            os.symlink("../../../devices/%s/%s" % (root, addr),
                       os.path.join(busdir, addr))


def main(argv):
    if len(argv) != 3:
        print("usage: groups2tree.py LISTING OUTDIR", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        groups = parse(f.read())
    if not groups:
        print("%s: no groups found" % argv[1], file=sys.stderr)
        return 1
    if os.path.exists(os.path.join(argv[2], "sys")):
        print("%s/sys: already exists" % argv[2], file=sys.stderr)
        return 1
    build(groups, argv[2])
    ndev = sum(len(d) for _, d in groups)
    print("%d groups, %d devices" % (len(groups), ndev))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
