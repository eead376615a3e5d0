#!/bin/bash
# The database holds every token hash and report: with a permissive umask
# it, its -wal and its -shm are still created 0600 (by token add, the
# first command to create it, and by serve writing to it).
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

umask 022
(umask 022; "$COLLECTOR" token add web1 > "$work/tok")
expect "fleet.db mode after token add" "$(stat -c %a "$db")" 600
rm -f "$db" "$db-wal" "$db-shm"
serve_start
expect "fleet.db mode after serve" "$(stat -c %a "$db")" 600
(umask 022; "$COLLECTOR" token add web1 > "$work/tok")
report web1 "$work/r.json"
expect "push" "$(post "$work/tok" "$work/r.json")" 201
for f in "$db-wal" "$db-shm"; do
	[ -e "$f" ] || fail "no $f while serving"
	expect "$(basename "$f") mode" "$(stat -c %a "$f")" 600
done
serve_stop
echo ok
