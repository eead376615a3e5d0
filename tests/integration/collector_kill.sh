#!/bin/bash
# kill -9 in the middle of importing many reports, several times: the
# database stays intact and every report printed as stored is there.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
db=$work/fleet.db
n=240
mkdir "$work/in"
for i in $(seq 1 $n); do
	# 40 hosts; every third report of a host has a new kernel (new content)
	h=$(printf 'node-%02d' $((i % 40)))
	k=$((i / 40 % 3))
	gen_report "$h" "$i" "$((i / 40))" "s/\"kernel\": \"6.1.0-13-amd64\"/\"kernel\": \"6.1.0-1$k-amd64\"/" \
		> "$work/in/$(printf 'r%04d' "$i").json"
done

for round in 1 2 3 4 5; do
	"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.$round" 2>&1 &
	pid=$!
	# somewhere between 50 ms and 800 ms into the run
	sleep "0.$(printf '%03d' $((50 + RANDOM % 750)))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
	expect "round $round: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
	expect "round $round: foreign keys" "$(q "$db" 'PRAGMA foreign_key_check')" ""
	# every report printed as stored / unchanged is present
	grep -h -E ': (stored|unchanged) host ' "$work/out.$round" | sed 's/.* report //' | sort -u > "$work/printed"
	q "$db" 'SELECT report_id FROM observations' | sort -u > "$work/present"
	missing=$(comm -23 "$work/printed" "$work/present" | wc -l)
	expect "round $round: printed but missing" "$missing" 0
	echo "round $round: $(wc -l < "$work/printed") printed, $(wc -l < "$work/present") present"
done
# finishing the import leaves exactly one observation per report
"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.final"
expect "final: observations" "$(q "$db" 'SELECT count(*) FROM observations')" $n
expect "final: hosts" "$(q "$db" 'SELECT count(*) FROM host_status')" 40
expect "final: attempts match observations" "$(q "$db" 'SELECT count(*) FROM collection_attempts')" $n
expect "final: contents" "$(q "$db" 'SELECT count(*) FROM contents')" \
	"$(q "$db" 'SELECT count(DISTINCT host_id || kernel) FROM contents')"
expect "final: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
echo ok
