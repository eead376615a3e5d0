#!/usr/bin/env python3
# gen_worst_report.py SHAPE OUT [ID]: one report for memory measurements of
# import and serve (not a test; tests/bench/maxrss.c measures).
#   honest: 16384 devices of real shape (an SR-IOV host's VFs, every key
#           the agent writes), in groups as small as lets them fit 8 MiB:
#           the most an honest report holds.
#   worst:  the most the decoder admits and builds at once: those devices
#           (their names dropped for room) and, beside the lists, as much
#           as proto/report_lazy.c keeps whole (REPORT_KEPT_* in unknown
#           members, each within REPORT_PIECE_*), the rest of the 8 MiB in
#           4096-byte strings; within the structure pre-scan's totals.
# ID (default 1) is the last group of the report_id, so that several
# reports of one run are distinct.
import json
import os
import sys

MAX_BYTES = 8 * 1024 * 1024
MAX_CONTAINERS = 147456
MAX_VALUES = 524288
MAX_ITEMS = 4096
MAX_STRING = 4096
PIECE_CONTAINERS = 8192
PIECE_VALUES = 32768
KEPT_CONTAINERS = 16384
KEPT_VALUES = 65536

src = os.path.dirname(os.path.abspath(__file__))
template = os.path.join(src, "..", "integration", "data", "report-template.json")


def dumps(r):
    return json.dumps(r, separators=(",", ":"))


def device(i):
    bus, slot, fn = 0x3b + i // 256, (i // 8) % 32, i % 8
    # every key the agent writes (proto/report_json.c enc_device)
    return {
        "address": "0000:%02x:%02x.%d" % (bus, slot, fn),
        "vendor_id": "15b3", "device_id": "101e",
        "subsystem_vendor_id": "15b3", "subsystem_device_id": "0061",
        "class": "020000", "name": "ConnectX Family mlx5Gen Virtual Function",
        "driver": "vfio-pci", "reset_methods": ["flr"], "boot_vga": None,
        "passthrough": {"verdict": "ready", "isolated": True, "reasons": []},
        "role": "endpoint", "critical": None, "driver_override": None,
        "sriov": None, "physfn": "0000:3a:00.0", "acs": None,
        "preflight": {"verdict": "ready", "blockers": [], "warnings": []},
    }


def honest(r, n=16384):
    # the fewest devices a group that lets 16384 of them fit 8 MiB: VFs
    # behind one switch without ACS share their group
    for per in (1, 2, 4, 8, 16, 32, 64):
        groups = []
        for g in range(n // per):
            groups.append({"id": 100 + g, "type": "DMA-FQ",
                           "devices": [device(g * per + k) for k in range(per)],
                           "reserved_regions": [{"start": "0x00000000fee00000",
                                                 "end": "0x00000000feefffff",
                                                 "type": "msi"}]})
        r["iommu"]["groups"] = groups
        r["iommu"]["ungrouped_devices"] = []
        if len(dumps(r)) <= MAX_BYTES:
            break
    return r


def count(text):
    """containers and values as the pre-scan counts them"""
    v = json.loads(text)
    c = n = 0
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            c += 1
            n += len(x)
            stack.extend(x.values())
        elif isinstance(x, list):
            c += 1
            n += len(x)
            stack.extend(x)
    return c, n


def worst(r):
    # the honest report's 16384 devices, names dropped to make room ...
    r = honest(r)
    for g in r["iommu"]["groups"]:
        for d in g["devices"]:
            d["name"] = None
    # ... and beside the lists as much as is kept whole: unknown members of
    # small objects, each within one piece's limits, all within what is kept
    # and within the structure pre-scan's totals
    c0, v0 = count(dumps(r))
    objs = min(KEPT_CONTAINERS - 512, MAX_CONTAINERS - c0 - 64)
    per = max(1, min((KEPT_VALUES - 2048) // objs - 1, (MAX_VALUES - v0 - 64) // objs - 1))
    members, made = [], 0
    while made < objs:
        k = min(MAX_ITEMS, PIECE_CONTAINERS - 1, (PIECE_VALUES - 64) // (per + 1), objs - made)
        members.append([{chr(ord("a") + j): 0 for j in range(per)} for _ in range(k)])
        made += k
    for i, m in enumerate(members):
        r["x%d" % i] = m
    # the rest of the bytes: long strings in place of some of those 0s (no
    # new value, no new container)
    room = MAX_BYTES - len(dumps(r)) - 16
    filler = "f" * (MAX_STRING - 16)
    for m in members:
        for o in m:
            if room < len(filler) + 4:
                break
            o["a"] = filler
            room -= len(filler) + 1
    return r


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("honest", "worst"):
        sys.exit("usage: gen_worst_report.py honest|worst OUT [ID]")
    r = json.load(open(template))
    ident = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r["report_id"] = "6f1c2b9e-8d4a-4e55-9a7b-%012x" % ident
    r["host"]["hostname"] = "worst-%d" % ident
    r = honest(r) if sys.argv[1] == "honest" else worst(r)
    text = dumps(r)
    if len(text) > MAX_BYTES:
        sys.exit("gen_worst_report: %d bytes, over the limit" % len(text))
    c, n = count(text)
    with open(sys.argv[2], "w") as f:
        f.write(text)
    print("%s: %d bytes, %d containers, %d values" % (sys.argv[2], len(text), c, n),
          file=sys.stderr)


main()
