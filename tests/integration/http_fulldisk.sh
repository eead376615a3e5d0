#!/bin/bash
# Full disks on the push path (issue 13), each a small tmpfs:
#  1. the agent's spool full while the collector is down: the agent says
#     it cannot keep the report, naming the spool and the fix, exits 1, and
#     the reports spooled before are byte for byte what they were; once
#     there is room, one run delivers all of them.
#  2. the database full while serve receives pushes: the agent gets a 5xx
#     (the collector's database error) and keeps its report spooled, serve's log
#     says the disk is full, every acknowledged report is there and the
#     database passes integrity_check; once there is room, the spool is
#     delivered and every report is stored exactly once.
# Needs root for mount -t tmpfs: skipped (77) saying so when not permitted.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

mounts=
# serve first (it holds the database open), then the file systems, then
# the work directory; set -e must not end this half way
fd_cleanup() {
	local m
	if [ -n "$serve_pid" ]; then
		kill -9 "$serve_pid" 2> /dev/null || true
		wait "$serve_pid" 2> /dev/null || true
	fi
	serve_pid=
	for m in $mounts; do umount "$m" || echo "cannot unmount $m" >&2; done
	http_cleanup
}
trap fd_cleanup EXIT

# small_fs DIR SIZE: a tmpfs of SIZE on DIR, or skip the test
small_fs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2" tmpfs "$1" 2> /dev/null; then
		echo "SKIP: cannot mount a tmpfs here (needs root: mount -t tmpfs)"
		exit 77
	fi
	mounts="$mounts $1"
}

# fill DIR: take every free block of DIR's file system
fill() {
	dd if=/dev/zero of="$1/filler" bs=4k 2> /dev/null || true
	sync
}

uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
ids_in() { # the report ids in a spool directory
	ls "$1" | grep '\.json$' | grep -o "$uuid" | sort
}

# ---- 1. the spool on a full file system
small_fs "$work/spoolfs" 256k
spool=$work/spoolfs/spool
token web1 "$work/tok"
make_root "$work/root" web1
push() {
	"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" --spool "$spool" "$@"
}
# nothing listens on $port yet: three reports spooled
for i in 1 2 3; do
	push 2>> "$work/down.err" && rc=0 || rc=$?
	expect "down run $i" "$rc" 4
done
ids_in "$spool" > "$work/before.ids"
expect "spooled before the disk filled" "$(wc -l < "$work/before.ids")" 3
(cd "$spool" && sha256sum -- *.json) > "$work/before.sum"
fill "$work/spoolfs"
push 2> "$work/full.err" && rc=0 || rc=$?
expect "full spool: exit code (failure)" "$rc" 1
grep -q "spool $spool: cannot keep report $uuid: No space left on device (free space there, or give --spool a directory on a larger file system)" \
	"$work/full.err" || fail "full spool: no clear message: $(cat "$work/full.err")"
expect "full spool: earlier reports kept" "$(ids_in "$spool" | tr '\n' ' ')" \
	"$(tr '\n' ' ' < "$work/before.ids")"
(cd "$spool" && sha256sum -c --quiet "$work/before.sum") || fail "full spool: a spooled report changed"
expect "full spool: no temporary file left" "$(ls -A "$spool" | grep -c '^\.tmp' || true)" 0
# room again, collector up: one run sends the three, then its own
rm "$work/spoolfs/filler"
serve_start
push 2> "$work/room.err" || fail "run with room again: exit $?"
expect "room: spool emptied" "$(ids_in "$spool" | wc -l)" 0
for id in $(cat "$work/before.ids"); do
	expect "room: spooled $id stored once" \
		"$(q "SELECT count(*) FROM observations WHERE report_id = '$id'")" 1
done
expect "room: observations" "$(q 'SELECT count(*) FROM observations')" 4
serve_stop
echo "full spool: refused with a clear message, 3 spooled reports kept and delivered"

# ---- 2. the database on a full file system while serve receives pushes
small_fs "$work/dbfs" 4m
export IOMMU_FLEET_DB=$work/dbfs/fleet.db
db=$IOMMU_FLEET_DB
spool=$work/spool2
token web2 "$work/tok2"
make_root "$work/root2" web2
mkdir -p "$work/root2/proc"
log=$work/agent2.log
# push2 N: a report of new content (its own command line), spooling
push2() {
	echo "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on run=$1" > "$work/root2/proc/cmdline"
	"$AGENT" --root "$work/root2" --push "$url" --token-file "$work/tok2" --spool "$spool" \
		-v 2>> "$log"
}
serve_start
push2 0 || fail "first push: exit $?"
fill "$work/dbfs"
# each new content needs pages the full disk no longer has: within a few
# runs serve cannot commit, says so, and the agent keeps the report
full=
for i in $(seq 1 40); do
	push2 "$i" && rc=0 || rc=$?
	if [ "$rc" = 4 ]; then
		full=$i
		break
	fi
	expect "push $i before the disk filled up" "$rc" 0
done
[ -n "$full" ] || fail "40 reports of new content fitted a full disk"
# 507 Insufficient Storage naming the full disk: the agent's operator
# learns where the problem is, and the agent keeps the report (5xx)
grep -q "HTTP 507: {\"status\":507,\"error\":\"the collector's disk is full" "$log" ||
	fail "full database: the agent saw no 507 naming the disk: $(tail -3 "$log")"
grep -q 'database or disk is full' "$work/serve.log" ||
	fail "full database: serve's log does not say the disk is full"
expect "full database: the report spooled" "$(ids_in "$spool" | wc -l)" 1
expect "full database: integrity" "$(q 'PRAGMA integrity_check')" ok
grep 'delivered (HTTP 2' "$log" | grep -o "$uuid" | sort -u > "$work/acked"
q 'SELECT report_id FROM observations' | sort -u > "$work/present"
expect "full database: acknowledged but missing" \
	"$(comm -23 "$work/acked" "$work/present" | tr '\n' ' ')" ""
expect "full database: the spooled report not stored" \
	"$(comm -12 <(ids_in "$spool") "$work/present" | wc -l)" 0
# room again: the next run delivers the spooled report and its own
rm "$work/dbfs/filler"
push2 again || fail "run with room again: exit $?"
expect "room: spool emptied" "$(ids_in "$spool" | wc -l)" 0
grep -o "report $uuid" "$log" | sed 's/report //' | sort -u > "$work/made"
q 'SELECT report_id FROM observations' | sort > "$work/present"
expect "room: every report stored once" "$(tr '\n' ' ' < "$work/present")" \
	"$(tr '\n' ' ' < "$work/made")"
expect "room: integrity" "$(q 'PRAGMA integrity_check')" ok
serve_stop
echo "full database: $((full - 1)) pushes stored after the disk filled, then a 5xx; \
$(wc -l < "$work/acked") acknowledged, none lost"
echo ok
