#!/bin/bash
# hosts_prune.sh - "hosts prune --older-than": old observations and attempts
# go, and contents no observation uses; every host keeps its latest report
# and its last attempt; the views still answer; a bad duration is a usage
# error.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

# r640-01: three distinct reports, the first two received long ago, and one
# that claims 2020 (a clock reset) but was received today; r640-02: one
# report, long ago (it stays: it is the host's latest).  Age is the time
# the collector received a report, as history and latest go by it.
gen_report r640-01 1 8 's/2026-11-23T08:00:00Z/2025-01-10T08:00:00Z/' > "$work/a1.json"
gen_report r640-01 2 8 's/2026-11-23T08:00:00Z/2025-02-10T08:00:00Z/; s/"6.1.0-13-amd64"/"6.1.0-14-amd64"/' > "$work/a2.json"
gen_report r640-01 3 8 's/"6.1.0-13-amd64"/"6.1.0-15-amd64"/' > "$work/a3.json"
gen_report r640-02 4 8 's/2026-11-23T08:00:00Z/2025-01-10T08:00:00Z/' > "$work/b1.json"
gen_report r640-01 5 8 's/2026-11-23T08:00:00Z/2020-01-10T08:00:00Z/; s/"6.1.0-13-amd64"/"6.1.0-12-amd64"/' > "$work/a0.json"
C import "$work/a1.json" "$work/a2.json" "$work/a0.json" "$work/a3.json" "$work/b1.json" > /dev/null
# received when they claim, but the 2020 one: received now
q "$db" "UPDATE observations SET received_at = collected_at WHERE collected_at LIKE '2025-%'"
expect "before" "$(q "$db" "SELECT (SELECT count(*) FROM observations) || ' ' || (SELECT count(*) FROM contents)")" "5 5"
changes_before=$(q "$db" "SELECT count(*) FROM host_changes WHERE hostname = 'r640-01'")

set +e
C hosts prune --older-than 10x > /dev/null 2> "$work/err"
rc=$?
set -e
expect "bad duration: exit" "$rc" 2
grep -q 'prune --older-than: ' "$work/err" || fail "bad duration: $(cat "$work/err")"

# the attempts are dated now: make two of them old
q "$db" "UPDATE collection_attempts SET started_at = '2025-01-10T08:00:00Z' WHERE id IN (1, 2)"
out=$(C hosts prune --older-than 180d)
case "$out" in
"pruned before "*": 2 observations, 2 report contents, 2 attempts") ;;
*) fail "prune: $out" ;;
esac
expect "after" "$(q "$db" "SELECT (SELECT count(*) FROM observations) || ' ' || (SELECT count(*) FROM contents)")" "3 3"
expect "received today, kept whatever it claims" \
	"$(q "$db" "SELECT c.kernel FROM observations o JOIN contents c ON c.id = o.content_id WHERE o.collected_at LIKE '2020-%'")" \
	6.1.0-12-amd64
expect "latest kept" "$(q "$db" "SELECT hostname || ' ' || kernel FROM host_status ORDER BY 1" | tr '\n' ' ')" \
	"r640-01 6.1.0-15-amd64 r640-02 6.1.0-13-amd64 "
expect "integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
# the history of what is gone goes with it; the views still answer
q "$db" "SELECT count(*) FROM host_changes" > /dev/null
[ "$(q "$db" "SELECT count(*) FROM host_changes WHERE hostname = 'r640-01'")" -le "$changes_before" ] ||
	fail "history grew"
# again: nothing left to prune
expect "idempotent" "$(C hosts prune --older-than 180d | sed 's/.*: //')" "0 observations, 0 report contents, 0 attempts"
echo "hosts_prune: ok"
