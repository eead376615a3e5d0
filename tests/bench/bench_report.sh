#!/bin/bash
# bench_report.sh - report benchmark (not a test).  10,000 generated hosts
# (the R640 template), two contents each (a kernel upgrade), observed N
# times (10, 20, 30) with the content switching every 5th observation, in a
# database of schema 3 made by BEFORE (a collector without 004) and the same
# database migrated by AFTER: host_changes (all, and the last 7 days) with
# the window view and with the recorded rows, the migration's backfill,
# host_status, device_status, cohort_outliers, "report html" (time, size)
# and "report prometheus", and the database's size per host per observation.
# BASE_DB=FILE skips the imports (a base.db of an earlier run).
# usage: BEFORE=old/iommu-collector AFTER=build-rel/collector/iommu-collector \
#        GEN=build-rel/collector/bench_import_gen tests/bench/bench_report.sh [HOSTS]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
: "${BEFORE:?}" "${AFTER:?}" "${GEN:?}"
count=${1:-10000}
template=$src/tests/integration/data/report-template.json
work=$(mktemp -d "${TMPDIR:-/tmp}/bench_report.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -n "${BASE_DB:-}" ]; then # the two imports of an earlier run, kept
	cp "$BASE_DB" "$work/base.db"
else
	mkdir "$work/a" "$work/b"
	"$GEN" "$template" "$work/a" "$count" 0 1 0
	"$GEN" "$template" "$work/b" "$count" "$count" 2 0
	sed -i 's/"kernel": "6.1.0-[0-9]*-amd64"/"kernel": "6.1.0-99-amd64"/' "$work"/b/*.json
	"$BEFORE" --db "$work/base.db" import "$work/a" > /dev/null
	"$BEFORE" --db "$work/base.db" import "$work/b" > /dev/null
fi

best() { # DB SQL -> best of 3, in ms
	printf '.timer on\n.once /dev/null\n%s;\n.once /dev/null\n%s;\n.once /dev/null\n%s;\n' "$2" "$2" "$2" |
		sqlite3 "$1" | awk '/Run Time/ { if (b == "" || $4 < b) b = $4 } END { printf "%.1f", b * 1000 }'
}
secs() { local t0 t1; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
recent="SELECT count(*) FROM host_changes WHERE changed_at >= '2026-03-20'"

for n in 10 20 30; do
	db=$work/n$n.db
	cp "$work/base.db" "$db"
	# observations 3..n of each host, the content switching every 5th,
	# one every day from 2026-02-01
	sqlite3 "$db" "
	CREATE TEMP TABLE two AS SELECT host_id, min(id) AS c1, max(id) AS c2 FROM contents GROUP BY host_id;
	WITH RECURSIVE k(n) AS (SELECT 3 UNION ALL SELECT n + 1 FROM k WHERE n < $n)
	INSERT INTO observations (host_id, content_id, report_id, collected_at, received_at, transport)
	SELECT h.host_id, CASE (k.n / 5) % 2 WHEN 0 THEN h.c1 ELSE h.c2 END,
	       printf('bench-%d-%d', h.host_id, k.n), strftime('%Y-%m-%dT08:00:00Z', '2026-02-01', '+' || k.n || ' days'),
	       '2026-02-01T00:00:00Z', 'bench'
	FROM two h, k;
	UPDATE hosts SET latest_observation_id =
	  (SELECT id FROM observations o WHERE o.host_id = hosts.id ORDER BY collected_at DESC, id DESC LIMIT 1);
	ANALYZE;"
	b_all=$(best "$db" "SELECT count(*) FROM host_changes")
	b_recent=$(best "$db" "$recent")
	b_rows=$(sqlite3 "$db" "SELECT count(*) FROM host_changes")
	t_mig=$(secs "$AFTER" --db "$db" hosts)
	a_all=$(best "$db" "SELECT count(*) FROM host_changes")
	a_recent=$(best "$db" "$recent")
	a_rows=$(sqlite3 "$db" "SELECT count(*) FROM host_changes")
	[ "$a_rows" = "$b_rows" ] || echo "bench_report: $n: $b_rows rows before, $a_rows after" >&2
	printf '%d hosts x %d observations: host_changes (%d rows) all %s ms -> %s ms; last 7 days %s ms -> %s ms; migration backfill %.2f s\n' \
		"$count" "$n" "$a_rows" "$b_all" "$a_all" "$b_recent" "$a_recent" "$t_mig"
done
db=$work/n30.db
printf 'host_status %s ms, device_status %s ms, cohort_outliers %s ms (count(*), 30 observations)\n' \
	"$(best "$db" 'SELECT count(*), sum(device_count) FROM host_status')" \
	"$(best "$db" 'SELECT count(*) FROM device_status')" \
	"$(best "$db" 'SELECT count(*) FROM cohort_outliers')"
t_html=$(secs "$AFTER" --db "$db" report html --out "$work/site")
printf 'report html: %.1f s, %d files, %d MB (index.html %d KB)\n' "$t_html" \
	"$(find "$work/site" -type f | wc -l)" "$(du -sm "$work/site" | cut -f1)" \
	$(($(stat -c %s "$work/site/index.html") / 1024))
t_prom=$(secs "$AFTER" --db "$db" report prometheus --out "$work/fleet.prom")
printf 'report prometheus: %.2f s, %d KB\n' "$t_prom" $(($(stat -c %s "$work/fleet.prom") / 1024))
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
nobs=$(sqlite3 "$db" 'SELECT count(*) FROM observations')
size=$(stat -c %s "$db")
printf 'database: %d MB, %d bytes per host per observation (%d observations)\n' \
	$((size / 1048576)) $((size / nobs)) "$nobs"
