#!/bin/bash
# Issue 9's scale proof on a SYNTHETIC host (tests/bench/gen_host.py): 8,000
# PCI devices in 3,000 IOMMU groups and a kern.log of four boots, the newest
# last with facts the older ones lack (x2apic mode, one DMA fault).  Every
# device is in the report, the facts are the last boot's, and no bound was
# hit.  The benchmark (tests/bench/bench_agent.py) runs the 2,000,000-line
# log; this test keeps to a few seconds under ASan.
set -euo pipefail
# tmpfs when there is one: sysfs lives in memory too, and 100,000 files on
# a busy ext4 take minutes to write and to remove
scratch=/dev/shm
[ -d "$scratch" ] && [ -w "$scratch" ] || scratch=${TMPDIR:-/tmp}
work=$(mktemp -d "$scratch/iommu-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 "$SOURCE_DIR/tests/bench/gen_host.py" "$work" --devices 8000 --groups 3000 \
	--kern-log 40000 --boots 4
"$AGENT" --root "$work/root" > "$work/report.json"
python3 - "$work/report.json" <<'PY'
import json, sys

r = json.load(open(sys.argv[1]))
fail = []
# every generated address (gen_host.py: 32 functions a bus from bus 1)
want = {"0000:%02x:%02x.%d" % (1 + i // 32, (i // 4) % 8, i % 4) for i in range(8000)}
got = [d["address"] for g in r["iommu"]["groups"] for d in g["devices"]]
got += [d["address"] for d in r["iommu"].get("ungrouped") or []]
if len(got) != 8000 or set(got) != want:
    fail.append("devices: %d in the report, %d missing, %d unexpected"
                % (len(got), len(want - set(got)), len(set(got) - want)))
if len(r["iommu"]["groups"]) != 3000:
    fail.append("groups: %d, want 3000" % len(r["iommu"]["groups"]))
kl = r["kernel_log"]
# the older boots say xapic and have no fault: only the last says these
if r["iommu"]["interrupt_remapping"]["mode"] != "x2apic":
    fail.append("interrupt remapping mode %r: not the last boot's"
                % r["iommu"]["interrupt_remapping"]["mode"])
if kl["fault_total"] != 1 or [f["address"] for f in kl["faults"]] != ["0000:3b:00.0"]:
    fail.append("faults %r (total %d): not the last boot's" % (kl["faults"], kl["fault_total"]))
if kl["source"] != "kern.log" or kl["complete"] is not True:
    fail.append("kernel_log source %r complete %r" % (kl["source"], kl["complete"]))
# the boot's own lines, once: an older boot's would repeat them
if sum("Enabled IRQ remapping" in l["text"] for l in kl["lines"]) != 1:
    fail.append("kernel_log.lines hold more than one boot")
bound = [e for e in r["errors"] if any(w in e for w in
         ("more PCI devices", "more IOMMU groups", "the rest not read", "too many",
          "than the", "past the", "bound", "ignored"))]
if bound:
    fail.append("bound errors: %r" % bound[:3])
if r["checks"] and [c for c in r["checks"] if c["id"] == "device-inventory"][0]["status"] != "pass":
    fail.append("device-inventory check not pass")
for f in fail:
    print("agent_scale: " + f, file=sys.stderr)
sys.exit(1 if fail else 0)
PY
