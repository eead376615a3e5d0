#!/bin/bash
# kill -9 in the middle of importing many reports, KILL_ROUNDS times (20 by
# default, so CI stays fast; the issue 13 run is
#   KILL_ROUNDS=100 ctest --test-dir build -R integration.collector_kill
# ): after each, PRAGMA integrity_check is ok and every report printed as
# stored is there.
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

rounds=${KILL_ROUNDS:-20}
case $rounds in '' | *[!0-9]*) fail "KILL_ROUNDS: not a number: $rounds" ;; esac
for round in $(seq 1 "$rounds"); do
	# new report ids each round (the fourth group of the UUID is the round),
	# so that every round stores something and can lose it
	tag=$(printf '%04x' "$round")
	sed -i "s/\"report_id\": \"6f1c2b9e-8d4a-4e55-[0-9a-f]\{4\}-/\"report_id\": \"6f1c2b9e-8d4a-4e55-$tag-/" \
		"$work"/in/*.json
	"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.$round" 2>&1 &
	pid=$!
	# somewhere between 30 ms and 500 ms into the run (a whole run takes
	# about half a second under the sanitizers)
	sleep "0.$(printf '%03d' $((30 + RANDOM % 470)))"
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
# finishing the last round's import leaves exactly one observation per report
"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.final"
expect "final: observations" \
	"$(q "$db" "SELECT count(*) FROM observations WHERE report_id LIKE '6f1c2b9e-8d4a-4e55-$tag-%'")" $n
expect "final: hosts" "$(q "$db" 'SELECT count(*) FROM host_status')" 40
expect "final: attempts match observations" "$(q "$db" 'SELECT count(*) FROM collection_attempts')" \
	"$(q "$db" 'SELECT count(*) FROM observations')"
expect "final: contents" "$(q "$db" 'SELECT count(*) FROM contents')" \
	"$(q "$db" 'SELECT count(DISTINCT host_id || kernel) FROM contents')"
expect "final: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
echo ok
