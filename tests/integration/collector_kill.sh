#!/bin/bash
# kill -9 in the middle of importing a directory of 240 reports,
# KILL_ROUNDS times (10 by default: about 1.5 s a round under the
# sanitizers keeps the suite fast; the issue 13 run is
#   KILL_ROUNDS=100 ctest --test-dir build -R integration.collector_kill
# ): after each, PRAGMA integrity_check is ok and every report printed as
# stored is there; then the same import again stores exactly the rest
# (what the killed run stored comes back as duplicates).  KILL_SEED makes
# the kill moments repeatable (printed when not given).
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

# the schema first: a run killed before it migrated leaves a database with
# no tables, which holds nothing and is no loss, but cannot be queried
mkdir "$work/none"
"$COLLECTOR" --db "$db" import "$work/none" > /dev/null

# shellcheck source=../lib/kill_rounds.bash
. "$SOURCE_DIR/tests/lib/kill_rounds.bash"
kill_rounds_init 10
killed=0 acked=0 run_ms=500
for round in $(seq 1 "$rounds"); do
	# new report ids each round (the fourth group of the UUID is the round),
	# so that every round stores something and can lose it
	tag=$(printf '%04x' "$round")
	sed -i "s/\"report_id\": \"6f1c2b9e-8d4a-4e55-[0-9a-f]\{4\}-/\"report_id\": \"6f1c2b9e-8d4a-4e55-$tag-/" \
		"$work"/in/*.json
	"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.$round" 2>&1 &
	pid=$!
	# anywhere in a run: the last rerun says how long a whole one takes
	# (about half a second under the sanitizers, less in a release build)
	ms=$((RANDOM % run_ms))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
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
	printed=$(wc -l < "$work/printed")
	[ "$printed" -lt $n ] && killed=$((killed + 1))
	acked=$((acked + printed))
	# the rerun: what the killed run committed (printed or not) is a
	# duplicate, the rest is stored now, and then all n are there once
	ours="SELECT count(*) FROM observations WHERE report_id LIKE '6f1c2b9e-8d4a-4e55-$tag-%'"
	before=$(q "$db" "$ours")
	t0=$(date +%s%N)
	"$COLLECTOR" --db "$db" import "$work/in" > "$work/again.$round" ||
		fail "round $round: rerun: exit $?"
	run_ms=$((($(date +%s%N) - t0) / 1000000 + 1))
	expect "round $round: rerun duplicates" \
		"$(grep -c ': duplicate host ' "$work/again.$round" || true)" "$before"
	expect "round $round: rerun stores the rest" \
		"$(grep -c -E ': (stored|unchanged) host ' "$work/again.$round" || true)" $((n - before))
	expect "round $round: observations after the rerun" "$(q "$db" "$ours")" $n
	echo "round $round: $printed printed, $before committed when killed"
done
echo "summary: $rounds kill -9 rounds ($killed killed mid-run), $acked reports printed as stored," \
	"0 lost, $(($(date +%s) - started)) s"
expect "final: hosts" "$(q "$db" 'SELECT count(*) FROM host_status')" 40
expect "final: attempts match observations" "$(q "$db" 'SELECT count(*) FROM collection_attempts')" \
	"$(q "$db" 'SELECT count(*) FROM observations')"
expect "final: contents" "$(q "$db" 'SELECT count(*) FROM contents')" \
	"$(q "$db" 'SELECT count(DISTINCT host_id || kernel) FROM contents')"
expect "final: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
echo ok
