#!/bin/bash
# agent_hostile_tree.sh - a tree the agent reads (a capture, or what an
# agentless host streamed) cannot stall it or spoil the report: a FIFO or a
# device node where the kernel log or pci.ids is looked for is not read
# (/dev/zero's would never end; a FIFO's open alone waits for a writer), and a
# physfn link that names no PCI address is no physical function (the
# decoder would refuse the whole report for it).  The collector stores the
# report.  Tree: the SYNTHETIC preflight-01 fixture, altered.
set -euo pipefail
: "${AGENT:?}" "${COLLECTOR:?}" "${FIXTURES:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -a "$FIXTURES/preflight-01-synthetic-blockers/root" "$work/root"
vf=$work/root/sys/devices/pci0000:00/0000:00:03.0/0000:03:00.2
rm "$vf/physfn"
ln -s ../not-an-address "$vf/physfn"
mkdir -p "$work/root/var/log"
mkfifo "$work/root/var/log/kern.log"
# and, where mknod is allowed (root), /dev/zero's node as var/log/dmesg
mknod "$work/root/var/log/dmesg" c 1 5 2>/dev/null || echo "(no mknod here: the FIFO only)"
mkdir -p "$work/root/usr/share/misc"
mkfifo "$work/root/usr/share/misc/pci.ids" "$work/pci-ids-fifo"

rc=0
timeout 60 "$AGENT" --root "$work/root" > "$work/r.json" 2> "$work/err" || rc=$?
[ "$rc" -ne 124 ] || fail "the agent read the FIFO for 60 s"
python3 - "$work/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
devs = {d["address"]: d for g in r["iommu"]["groups"] for d in g["devices"]}
assert devs["0000:03:00.2"]["physfn"] is None, devs["0000:03:00.2"]
assert r["kernel_log"]["source"] in (None, "none"), r["kernel_log"]
assert "usr/share/misc/pci.ids: not a regular file" in r["errors"], r["errors"]
PY
# and one named by --pci-ids
rc=0
timeout 60 "$AGENT" --root "$work/root" --pci-ids "$work/pci-ids-fifo" > "$work/r2.json" \
	2> "$work/err" || rc=$?
[ "$rc" -ne 124 ] || fail "the agent waited on the --pci-ids FIFO for 60 s"
grep -q "pci-ids-fifo: not a regular file" "$work/r2.json" || fail "no error for the FIFO"
# a pci.ids past the 8 MiB bound: names from its start, and the bound said
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("1002  Advanced Micro Devices, Inc. [AMD/ATI]\n\t687f  Vega 10 XL/XT\n")
    f.write("# filler\n" * (9 << 17))' "$work/big.ids"
"$AGENT" --root "$work/root" --pci-ids "$work/big.ids" > "$work/r3.json" 2> "$work/err" || true
grep -q "big.ids: over 8 MiB: device names from its start only" "$work/r3.json" ||
	fail "no error for the pci.ids past the bound"
grep -q '"name":"Advanced Micro Devices, Inc. \[AMD/ATI\] Vega 10 XL/XT"' "$work/r3.json" ||
	fail "no name from the start of the pci.ids past the bound"
out=$("$COLLECTOR" --db "$work/fleet.db" import "$work/r.json") || fail "import: $out"
case "$out" in *": stored host "*) ;; *) fail "not stored: $out" ;; esac
echo ok
