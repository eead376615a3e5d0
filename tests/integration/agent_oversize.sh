#!/bin/bash
# A report over the collector's 8 MiB bound (proto/report_json.h) on a
# SYNTHETIC 8,000-device host (tests/bench/gen_host.py) whose pci.ids
# (made up here) gives every device a 481-byte name, as an SR-IOV host of
# some 13,000 functions with real names would be:
#  1. just over: the agent leaves out the unknown keys of later version 1
#     (FORMAT.md note 1), every device stays, and the collector stores it;
#  2. still over (the boot logged an "Adding to iommu group" line per
#     device): printed whole with the size, the bound and the device count
#     in errors and on stderr, exit 3 (partial); the collector refuses it;
#  3. the same with --push: nothing is sent (no 413), nothing spooled, exit 5;
#  4. and with a report spooled by an earlier run: that one is delivered to
#     the real collector, this one still not sent, exit 5.
set -euo pipefail
scratch=/dev/shm
[ -d "$scratch" ] && [ -w "$scratch" ] || scratch=${TMPDIR:-/tmp}
work=$(mktemp -d "$scratch/iommu-oversize.XXXXXX")
listener=
serve=
cleanup() {
	[ -z "$listener" ] || kill "$listener" 2> /dev/null || true
	[ -z "$serve" ] || kill "$serve" 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "agent_oversize: $*" >&2; exit 1; }

python3 "$SOURCE_DIR/tests/bench/gen_host.py" "$work" --devices 8000 --groups 3000 \
	--kern-log 2000 --boots 2
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
ids = {"10de": ["2204", "1aef"], "8086": ["1572", "a36d", "a110"], "144d": ["a808"],
       "1000": ["0097"]}  # every (vendor, device) gen_host.py writes
with open(work + "/long.ids", "w") as f:
    for v, ds in ids.items():
        f.write("%s  %s\n" % (v, ("Vendor %s " % v).ljust(240, "v")))
        for d in ds:
            f.write("\t%s  %s\n" % (d, ("Device %s " % d).ljust(240, "d")))
# the last boot (it starts at the last "Linux version") with one group line
# a device, as a real boot of this host logs them
log = open(work + "/root/var/log/kern.log").read()
k = log.index("\n", log.rindex("Linux version")) + 1
add = "".join("Nov  2 00:00:01 web1 kernel: [    1.%06d] pci 0000:%02x:%02x.%d: "
              "Adding to iommu group %d\n" % (i, 1 + i // 32, (i // 4) % 8, i % 4,
                                              i * 3000 // 8000) for i in range(8000))
open(work + "/big.log", "w").write(log[:k] + add + log[k:])
PY
MAX=8388608
devices() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(len(g["devices"]) for g in r["iommu"]["groups"]))' "$1"; }

# 1. over in full, within the bound without the unknown keys
"$AGENT" -v --root "$work/root" --pci-ids "$work/long.ids" > "$work/r1.json" 2> "$work/e1" ||
	fail "run 1 exit $?"
size=$(wc -c < "$work/r1.json")
[ "$size" -le "$MAX" ] || fail "run 1: $size bytes, over $MAX"
grep -q "over the collector's $MAX: written without its unknown keys" "$work/e1" ||
	fail "run 1: the full text was not over the bound (the test no longer tests it)"
[ "$(devices "$work/r1.json")" = 8000 ] || fail "run 1: devices lost"
! grep -q '"critical"' "$work/r1.json" || fail "run 1: unknown keys kept"
grep -q '"role":"endpoint"' "$work/r1.json" || fail "run 1: a known later key left out"
! grep -q '"report:' "$work/r1.json" || fail "run 1: a size error in a report that fits"
out=$("$COLLECTOR" --db "$work/fleet.db" import "$work/r1.json" 2>&1) ||
	fail "run 1: the collector refused the compact report: $out"

# 2. still over: every device printed, the error says why, exit 3
set +e
"$AGENT" --root "$work/root" --pci-ids "$work/long.ids" --kernel-log "$work/big.log" \
	> "$work/r2.json" 2> "$work/e2"
rc=$?
set -e
[ "$rc" = 3 ] || fail "run 2: exit $rc, want 3 (partial)"
[ "$(wc -c < "$work/r2.json")" -gt "$MAX" ] || fail "run 2: not over the bound"
[ "$(devices "$work/r2.json")" = 8000 ] || fail "run 2: devices lost"
python3 - "$work/r2.json" "$MAX" <<'PY' || fail "run 2: no error naming the size"
import json, re, sys
r = json.load(open(sys.argv[1]))
m = [e for e in r["errors"] if re.fullmatch(
    r"report: \d+ bytes for 8000 PCI devices, over the collector's bound of %s bytes: .*"
    % sys.argv[2], e)]
sys.exit(0 if len(m) == 1 and int(m[0].split()[1]) > int(sys.argv[2]) else 1)
PY
grep -q "bytes for 8000 PCI devices, over the collector's bound of $MAX bytes" "$work/e2" ||
	fail "run 2: nothing on stderr"
! "$COLLECTOR" --db "$work/fleet.db" import "$work/r2.json" > /dev/null 2>&1 ||
	fail "run 2: the collector stored a report over its bound"

# 3. --push: no connection at all, nothing spooled, exit 5
python3 - "$work/port" "$work/connected" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept()
open(sys.argv[2], "w").write("connected\n")
PY
listener=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
echo secret > "$work/token"
set +e
"$AGENT" --root "$work/root" --pci-ids "$work/long.ids" --kernel-log "$work/big.log" \
	--push "http://127.0.0.1:$(cat "$work/port")" --token-file "$work/token" \
	--spool "$work/spool" > /dev/null 2> "$work/e3"
rc=$?
set -e
[ "$rc" = 5 ] || fail "run 3: exit $rc, want 5"
grep -q "not sent: the collector refuses a report over $MAX bytes" "$work/e3" ||
	fail "run 3: no message: $(cat "$work/e3")"
[ ! -e "$work/connected" ] || fail "run 3: the agent connected to the collector"
[ -z "$(ls -A "$work/spool" 2> /dev/null)" ] || fail "run 3: an unsendable report was spooled"

# 4. a spooled report of an earlier run (the collector was down) goes; this
#    run's is not sent
. "$SOURCE_DIR/tests/lib/free_port.bash"
port=$(free_port)
mkdir -p "$work/small/proc/sys/kernel"
echo bench-host > "$work/small/proc/sys/kernel/hostname"
(umask 077; "$COLLECTOR" --db "$work/fleet4.db" token add bench-host > "$work/token4")
set +e
"$AGENT" --root "$work/small" --push "http://127.0.0.1:$port" --token-file "$work/token4" \
	--spool "$work/spool4" > /dev/null 2>&1
rc=$?
set -e
[ "$rc" = 4 ] || fail "run 4: the small report was not spooled (exit $rc)"
"$COLLECTOR" --db "$work/fleet4.db" serve --listen "127.0.0.1:$port" 2> "$work/serve.log" &
serve=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
	sleep 0.1
done
set +e
"$AGENT" -v --root "$work/root" --pci-ids "$work/long.ids" --kernel-log "$work/big.log" \
	--push "http://127.0.0.1:$port" --token-file "$work/token4" --spool "$work/spool4" \
	> /dev/null 2> "$work/e4"
rc=$?
set -e
[ "$rc" = 5 ] || fail "run 4: exit $rc, want 5: $(cat "$work/e4")"
grep -q "not sent: the collector refuses a report over $MAX bytes" "$work/e4" ||
	fail "run 4: no message"
grep -q "delivered (HTTP 201)" "$work/e4" || fail "run 4: the spooled report not delivered: $(cat "$work/e4")"
[ -z "$(ls -A "$work/spool4")" ] || fail "run 4: the spool was not emptied"
