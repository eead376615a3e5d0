#!/bin/bash
# kill -9 of serve while four real agents push (each the report of a
# captured fixture root, spooling what does not get through), KILL_ROUNDS
# times (5 by default: about 3 s a round under the sanitizers keeps the
# suite fast; issue 13's run is
#   KILL_ROUNDS=200 ctest --test-dir build -R integration.http_kill
# ).  After every round: integrity_check is ok, every report an agent saw
# acknowledged (the collector's JSON naming its id, agent/push.c) is in the
# database, and every report made is stored or still spooled.  The last
# round stops serve with SIGTERM instead (exit 0); then one clean run per
# agent empties the spools and every report is stored exactly once.
# KILL_SEED makes the kill moments repeatable (printed when not given).
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

# shellcheck source=../lib/kill_rounds.bash
. "$SOURCE_DIR/tests/lib/kill_rounds.bash"
kill_rounds_init 5

# real evidence trees, each agent its own host name
cases="groups-01-asrock-z170-gtx960 groups-02-msi-b450m-rx580 groups-08-z97-forum
	preflight-01-synthetic-blockers"
agents=0
for c in $cases; do
	agents=$((agents + 1))
	token "h$agents" "$work/tok$agents"
	[ -d "$FIXTURES/$c/root" ] || fail "no fixture root $FIXTURES/$c/root"
	ln -s "$FIXTURES/$c/root" "$work/root$agents"
done

# agent_loop A: push again and again until $work/stop exists
agent_loop() {
	local a=$1
	while [ ! -e "$work/stop" ]; do
		"$AGENT" --root "$work/root$a" --hostname "h$a" --push "$url" \
			--token-file "$work/tok$a" --spool "$work/spool$a" -v \
			2>> "$work/agent$a.log" || true
	done
}

uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
# ids that got a 2xx, ids ever made, ids waiting in spools
delivered() {
	cat "$work"/agent*.log | grep 'delivered (HTTP 2' | grep -o "$uuid" | sort -u
}
generated() {
	cat "$work"/agent*.log | grep -o "report $uuid" | sed 's/report //' | sort -u
}
spooled() {
	ls "$work"/spool* 2> /dev/null | grep -o "$uuid" | sort -u
}

check_round() {
	local name=$1
	expect "$name: integrity" "$(q 'PRAGMA integrity_check')" ok
	expect "$name: foreign keys" "$(q 'PRAGMA foreign_key_check')" ""
	q 'SELECT report_id FROM observations' | sort -u > "$work/present"
	delivered > "$work/delivered"
	expect "$name: acknowledged but missing" \
		"$(comm -23 "$work/delivered" "$work/present" | tr '\n' ' ')" ""
	(cat "$work/present"; spooled) | sort -u > "$work/kept"
	generated > "$work/generated"
	expect "$name: neither stored nor spooled" \
		"$(comm -23 "$work/generated" "$work/kept" | tr '\n' ' ')" ""
	echo "$name: $(wc -l < "$work/generated") made, $(wc -l < "$work/delivered") acknowledged," \
		"$(wc -l < "$work/present") stored, $(spooled | wc -l) spooled"
}

run_round() {
	local name=$1 sig=$2 a pids= rc=0
	rm -f "$work/stop"
	serve_start
	for a in $(seq 1 $agents); do
		agent_loop "$a" &
		pids="$pids $!"
	done
	bg_pids=$pids
	# somewhere in the first 1.5 s of pushing: before the first request,
	# in the middle of a body, between a commit and its answer
	sleep "$((RANDOM % 2)).$(printf '%03d' $((RANDOM % 500 + RANDOM % 500)))"
	kill "-$sig" "$serve_pid"
	wait "$serve_pid" || rc=$?
	serve_pid=
	if [ "$sig" = TERM ]; then
		expect "$name: exit status after SIGTERM" "$rc" 0
	fi
	touch "$work/stop"
	for a in $pids; do wait "$a" || true; done
	bg_pids=
	check_round "$name"
}

for round in $(seq 1 "$rounds"); do
	run_round "round $round (kill -9)" KILL
done
run_round "round $((rounds + 1)) (SIGTERM)" TERM

# collector back: one more run per agent empties its spool
touch "$work/stop"
serve_start
for a in $(seq 1 $agents); do
	"$AGENT" --root "$work/root$a" --hostname "h$a" --push "$url" --token-file "$work/tok$a" \
		--spool "$work/spool$a" -v 2>> "$work/agent$a.log" || fail "final run of agent $a: $?"
done
serve_stop
check_round final
expect "final: spools empty" "$(spooled | wc -l)" 0
expect "final: every report once" "$(q 'SELECT count(*) FROM observations')" "$(generated | wc -l)"
[ "$(generated | wc -l)" -ge $((4 * rounds)) ] || fail "too few reports pushed: $(generated | wc -l)"
echo "summary: $rounds kill -9 rounds, $(delivered | wc -l) acknowledged, $(generated | wc -l)" \
	"made, 0 lost, $(($(date +%s) - started)) s"
echo ok
