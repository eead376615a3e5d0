#!/bin/bash
# The report views and filters with the real collector and sqlite3:
# drift across BIOS versions and ties (cohort_outliers), history recorded
# at store time (a late report, the 005 migration's backfill against the
# old window view), the report filters, truth values, unknown hosts.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }
IR_OFF='/"interrupt_remapping"/,/}/s/"enabled": true/"enabled": false/'
board() { echo "s/PowerEdge R640/$1/; s/\"bios_version\": \"[^\"]*\"/\"bios_version\": \"$2\"/"; }

# 1. drift: x3 alone on a new BIOS with interrupt remapping off; y1 / y2
# the same board and BIOS, split 1/1
gen_report x1 11 8 "$(board 'Board X' 1.0)" > "$work/x1.json"
gen_report x2 12 8 "$(board 'Board X' 1.0)" > "$work/x2.json"
gen_report x3 13 8 "$(board 'Board X' 2.0); $IR_OFF" > "$work/x3.json"
gen_report y1 21 8 "$(board 'Board Y' 1.0)" > "$work/y1.json"
gen_report y2 22 8 "$(board 'Board Y' 1.0); $IR_OFF" > "$work/y2.json"
C import "$work"/[xy]?.json > /dev/null
outl() { q "$db" "SELECT hostname, field, value, cohort_value, cohort_agree, cohort_size, cohort, tie FROM cohort_outliers WHERE hostname LIKE '$1%' ORDER BY hostname, field"; }
expect "lone new-BIOS host with IR off" "$(outl x)" \
	"x3|bios_version|2.0|1.0|2|3|product|0
x3|interrupt_remapping|0|1|2|3|product|0"
expect "1/1 split is a tie" "$(outl y)" \
	"y1|interrupt_remapping|1|0|1|2|product+bios|1
y2|interrupt_remapping|0|1|1|2|product+bios|1"
expect "outliers table" "$(C report outliers | awk '$1 == "y1" {print $6, $7, $NF}')" "yes no yes"

# 2. history: r1 changes kernel at 10:00; a report claiming 09:00 with yet
# another kernel arrives after it: history follows receipt, as latest does
# (schema/006), changed_at stays each report's claim
gen_report r1 31 8 > "$work/r1a.json"
gen_report r1 32 10 's/"kernel": "6.1.0-13-amd64"/"kernel": "6.1.0-15-amd64"/' > "$work/r1b.json"
gen_report r1 33 9 's/"kernel": "6.1.0-13-amd64"/"kernel": "6.1.0-14-amd64"/' > "$work/r1c.json"
C import "$work/r1a.json" "$work/r1b.json" > /dev/null
expect "a change" "$(q "$db" "SELECT changed_at, old_value, new_value FROM host_changes WHERE hostname = 'r1'")" \
	"2026-11-23T10:00:00Z|6.1.0-13-amd64|6.1.0-15-amd64"
C import "$work/r1c.json" > /dev/null
expect "late report: both changes" "$(q "$db" "SELECT changed_at, old_value, new_value FROM host_changes WHERE hostname = 'r1' ORDER BY changed_at")" \
	"2026-11-23T09:00:00Z|6.1.0-15-amd64|6.1.0-14-amd64
2026-11-23T10:00:00Z|6.1.0-13-amd64|6.1.0-15-amd64"
expect "late report: the latest" "$(q "$db" "SELECT kernel FROM host_status WHERE hostname = 'r1'")" 6.1.0-14-amd64
gen_report r1 34 11 's/"kernel": "6.1.0-13-amd64"/"kernel": "6.1.0-14-amd64"/' > "$work/r1d.json"
C import "$work/r1d.json" > /dev/null
expect "unchanged adds no change" "$(q "$db" "SELECT count(*) FROM host_changes WHERE hostname = 'r1'")" 2
expect "plan: no window over observations" \
	"$(q "$db" "EXPLAIN QUERY PLAN SELECT * FROM host_changes WHERE changed_at >= '2026-11-20'" | grep -c 'observations' || true)" 0

# 3. the 005 migration on a database of schema 3: the old views back, the
# recorded history gone; the backfill must give what the old view gave (r2:
# a change, its reports received in the order they claim)
gen_report r2 41 7 > "$work/r2a.json"
gen_report r2 42 8 's/"kernel": "6.1.0-13-amd64"/"kernel": "6.1.0-14-amd64"/' > "$work/r2b.json"
C import "$work/r2a.json" "$work/r2b.json" > /dev/null
r1=$(C report --format csv changes r1)
[ "$(echo "$r1" | wc -l)" = 3 ] || fail "r1's history: $r1"
q "$db" "DROP TRIGGER observations_transitions; DROP VIEW host_changes; DROP VIEW cohort_outliers;
DROP TABLE host_change_rows; DROP TABLE content_transitions; DROP INDEX observations_received;
$(sed -n '/^CREATE VIEW content_transitions/,/^CREATE VIEW attempts/p' "$SOURCE_DIR/schema/001-initial.sql" | sed '$d')
DROP VIEW device_status;
$(for c in role critical driver_override sriov_totalvfs sriov_numvfs physfn acs preflight blockers preflight_warnings; do echo "ALTER TABLE devices DROP COLUMN $c;"; done)
$(sed -n '/^CREATE VIEW device_status/,/;$/p' "$SOURCE_DIR/schema/001-initial.sql")
PRAGMA user_version = 3;"
# (r1's reports arrived in another order than they claim: 006 rebuilds its
# history by receipt, the same as recorded above)
changes="SELECT hostname, changed_at, field, old_value, new_value FROM host_changes"
old=$(q "$db" "$changes WHERE hostname <> 'r1' ORDER BY 1, 2, 3")
[ -n "$old" ] || fail "the old view shows no change"
C report changes > /dev/null # opens, so migrates
expect "schema" "$(q "$db" 'PRAGMA user_version')" "$("$COLLECTOR" --version | sed 's/.*schema \([0-9]*\).*/\1/')"
expect "backfilled history = the old view's" "$(q "$db" "$changes WHERE hostname <> 'r1' ORDER BY 1, 2, 3")" "$old"
expect "r1's history by receipt" "$(C report --format csv changes r1)" "$r1"

# 4. filters
q "$db" "INSERT INTO host_group_members SELECT id, 'rack7' FROM hosts WHERE hostname IN ('x1', 'x3')"
expect "--group" "$(C report --format csv fleet --group rack7 | cut -d, -f1 | tail -n +2 | tr '\n' ' ')" "x1 x3 "
expect "--group outliers" "$(C report --format csv outliers --group rack7 | cut -d, -f1 | tail -n +2 | sort -u)" x3
expect "--since RFC 3339" "$(C report --format csv changes --since 2026-11-23T09:30:00Z | tail -n +2 | cut -d, -f2)" \
	"2026-11-23T10:00:00Z"
expect "--since offset" "$(C report --format csv changes --since 2026-11-23T10:30:00+01:00 | wc -l)" 2
expect "--since 9000d" "$(C report --format csv changes --since 9000d | wc -l)" 4
expect "--class gpu" "$(C report --format csv devices x1 --class gpu | tail -n +2 | cut -d, -f5 | tr '\n' ' ')" "030000 030200 "
expect "--class storage" "$(C report --format csv devices x1 --class storage | tail -n +2 | cut -d, -f5 | cut -c1-2 | sort -u)" 01
expect "--verdict" "$(C report --format csv devices x1 --verdict not-ready | tail -n +2 | cut -d, -f12 | sort -u)" not-ready
expect "--failed: none" "$(C report --format csv attempts --failed | wc -l)" 1
q "$db" "INSERT INTO collection_attempts (host_id, started_at, transport, status, error)
         SELECT id, '2026-11-24T00:00:00Z', 'ssh', 'timeout', 'no answer in 60 s' FROM hosts WHERE hostname = 'y1';
         UPDATE hosts SET last_attempt_id = last_insert_rowid() WHERE hostname = 'y1'"
expect "--failed attempts" "$(C report --format csv attempts --failed | tail -n +2 | cut -d, -f1,4)" "y1,timeout"
expect "--failed fleet" "$(C report --format csv fleet --failed | tail -n +2 | cut -d, -f1)" y1

# 5. truth values: yes / no / - in tables, 1 / 0 / empty in CSV
expect "table booleans" "$(C report fleet | awk '$1 == "x3" {print $4, $5}')" "yes no"
expect "csv booleans" "$(C report --format csv fleet | awk -F, '$1 == "x3" {print $8 "," $9}')" "1,0"
expect "changes table" "$(C report changes y1 | wc -l)" 1
expect "host table" "$(C report host x3 | awk '$1 == "interrupt_remapping" {print $2}')" no

# 6. errors: an unknown host names it (exit 1), a filter that does not apply is a usage error
for what in "host nosuch" "devices nosuch" "changes nosuch" "attempts nosuch"; do
	set +e
	# shellcheck disable=SC2086
	err=$(C report $what 2>&1 > /dev/null)
	rc=$?
	set -e
	expect "$what rc" "$rc" 1
	expect "$what message" "$err" 'iommu-collector: unknown host "nosuch"'
done
# a name longer than any host's is not cut down to one that exists
long=r640-01$(printf 'x%.0s' $(seq 1 260))
set +e
err=$(C report host "$long" 2>&1 > /dev/null)
rc=$?
set -e
expect "over-long host rc" "$rc" 2
expect "over-long host message" "$err" "iommu-collector: report host: a host name is at most 255 bytes"
set +e
C report outliers --since 7d > /dev/null 2>&1
expect "--since on outliers" "$?" 2
C report changes --since yesterday > /dev/null 2>&1
expect "bad --since" "$?" 2
C report devices --class toaster > /dev/null 2>&1
expect "bad --class" "$?" 2
C report html > /dev/null 2>&1
expect "html without --out" "$?" 2
set -e
echo "report_views: ok"
