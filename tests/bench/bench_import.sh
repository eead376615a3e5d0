#!/bin/bash
# bench_import.sh - import benchmark (not a test).  Imports 10,000 generated
# reports of realistic size (the 32 KB R640 template, one host each) and
# prints beside it the raw single-writer SQLite rate for the same rows
# (bench_import_raw: the rows the collector stored, inserted with prepared
# statements, one transaction per report, same schema and pragmas), the
# ratio, the re-import rates (unchanged content with new report ids, and
# duplicates), and host_status over 10,000 hosts x 30 observations.
# Import and baseline alternate in slices of 1,000 reports so that load
# from other processes falls on both alike.
# usage: BUILD_DIR=build-release tests/bench/bench_import.sh [COUNT]
# Build without sanitizers for meaningful numbers.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build}
collector=$build/collector/iommu-collector
gen=$build/collector/bench_import_gen
raw=$build/collector/bench_import_raw
template=$src/tests/integration/data/report-template.json
count=${1:-10000}
slice=$((count < 1000 ? count : 1000))
nslices=$((count / slice))
for b in "$collector" "$gen" "$raw"; do
	[ -x "$b" ] || { echo "bench_import: $b: not built" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/bench_import.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db

for k in $(seq 0 $((nslices - 1))); do
	mkdir "$work/first$k" "$work/again$k"
	"$gen" "$template" "$work/first$k" "$slice" $((k * slice)) 1 $((k * slice))
	"$gen" "$template" "$work/again$k" "$slice" $((count + k * slice)) 2 $((k * slice))
done
bytes=$(cat "$work"/first*/*.json | wc -c)

secs() { # command... -> elapsed seconds on stdout
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > /dev/null
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
add() { echo "$1 + $2" | bc -l; }
rate() { echo "scale=0; $1 / $2" | bc -l; }

t_first=0 t_raw=0 t_again=0 t_dup=0
for k in $(seq 0 $((nslices - 1))); do
	lo=$(sqlite3 "$db" 'SELECT coalesce(max(id), 0) + 1 FROM contents' 2>/dev/null || echo 1)
	t_first=$(add "$t_first" "$(secs "$collector" --db "$db" import "$work/first$k")")
	hi=$(sqlite3 "$db" 'SELECT max(id) FROM contents')
	t_raw=$(add "$t_raw" "$("$raw" "$db" "$work/raw.db" "$lo" "$hi" | awk '{print $4}')")
done
stored=$(sqlite3 "$db" 'SELECT count(*) FROM contents')
[ "$stored" -eq "$count" ] || { echo "bench_import: $stored of $count stored" >&2; exit 1; }
rawn=$(sqlite3 "$work/raw.db" 'SELECT count(*) FROM contents')
[ "$rawn" -eq "$count" ] || { echo "bench_import: baseline copied $rawn of $count" >&2; exit 1; }
for k in $(seq 0 $((nslices - 1))); do
	t_again=$(add "$t_again" "$(secs "$collector" --db "$db" import "$work/again$k")")
	t_dup=$(add "$t_dup" "$(secs "$collector" --db "$db" import "$work/first$k")")
done
unchanged=$(sqlite3 "$db" "SELECT count(*) FROM collection_attempts WHERE status = 'unchanged'")
[ "$unchanged" -eq "$count" ] || { echo "bench_import: $unchanged of $count unchanged" >&2; exit 1; }

# 28 more observations per host (same content) for 30 in all
sqlite3 "$db" "
WITH RECURSIVE k(n) AS (SELECT 3 UNION ALL SELECT n + 1 FROM k WHERE n < 30)
INSERT INTO observations (host_id, content_id, report_id, collected_at, received_at, transport)
SELECT o.host_id, o.content_id, printf('%s-%02d', o.report_id, k.n),
       printf('2026-02-%02dT08:00:00Z', k.n - 2), o.received_at, 'bench'
FROM observations o, k WHERE o.transport = 'import' AND o.collected_at LIKE '2026-01-02%';
UPDATE hosts SET latest_observation_id =
  (SELECT id FROM observations o WHERE o.host_id = hosts.id ORDER BY collected_at DESC, id DESC LIMIT 1);
ANALYZE;"
nobs=$(sqlite3 "$db" 'SELECT count(*) FROM observations')
best() { # SQL -> best of 3 "Run Time: real" in seconds
	printf '.timer on\n.once /dev/null\n%s;\n.once /dev/null\n%s;\n.once /dev/null\n%s;\n' "$1" "$1" "$1" |
		sqlite3 "$db" | awk '/Run Time/ { if (b == "" || $4 < b) b = $4 } END { print b }'
}
q_count=$(best 'SELECT count(*), sum(device_count) FROM host_status')
q_all=$(best 'SELECT * FROM host_status')
t_fleet=$(secs "$collector" --db "$db" report --format csv fleet)

printf 'reports:               %d (%d bytes each on average), %d slices of %d\n' \
	"$count" $((bytes / count)) "$nslices" "$slice"
printf 'import (new):          %6d reports/s  (%.2f s)\n' "$(rate "$count" "$t_first")" "$t_first"
printf 'raw sqlite, same rows: %6d reports/s  (%.2f s)\n' "$(rate "$count" "$t_raw")" "$t_raw"
printf 'ratio import / raw:    %.2f\n' "$(echo "$t_raw / $t_first" | bc -l)"
printf 'import (unchanged):    %6d reports/s  (%.2f s, %.1fx the first import)\n' \
	"$(rate "$count" "$t_again")" "$t_again" "$(echo "$t_first / $t_again" | bc -l)"
printf 'import (duplicate):    %6d reports/s  (%.2f s)\n' "$(rate "$count" "$t_dup")" "$t_dup"
printf 'host_status over %d hosts x %d observations: %.1f ms (count), %.1f ms (all rows), "report --format csv fleet" %.1f ms\n' \
	"$count" $((nobs / count)) "$(echo "$q_count * 1000" | bc -l)" "$(echo "$q_all * 1000" | bc -l)" \
	"$(echo "$t_fleet * 1000" | bc -l)"
printf 'database: %d MB\n' $(( $(stat -c %s "$db") / 1048576 ))
