#!/bin/bash
# kill -9 of serve while several agents push, repeated: every report that
# got a 2xx is in the database, the database passes integrity_check, and
# the agents' spools hold the rest; at the end every report is stored
# exactly once.  The last round stops serve with SIGTERM instead: exit 0.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

agents=4
for a in $(seq 1 $agents); do
	token "h$a" "$work/tok$a"
	make_root "$work/root$a" "h$a"
done

# agent_loop A: push again and again until $work/stop exists
agent_loop() {
	local a=$1
	while [ ! -e "$work/stop" ]; do
		"$AGENT" --root "$work/root$a" --push "$url" --token-file "$work/tok$a" \
			--spool "$work/spool$a" -v 2>> "$work/agent$a.log" || true
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
	# somewhere between 300 ms and 1.5 s of pushing
	sleep "$((RANDOM % 2)).$(printf '%03d' $((300 + RANDOM % 700)))"
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

for round in 1 2 3 4; do
	run_round "round $round (kill -9)" KILL
done
run_round "round 5 (SIGTERM)" TERM

# collector back: one more run per agent empties its spool
touch "$work/stop"
serve_start
for a in $(seq 1 $agents); do
	"$AGENT" --root "$work/root$a" --push "$url" --token-file "$work/tok$a" \
		--spool "$work/spool$a" -v 2>> "$work/agent$a.log" || fail "final run of agent $a: $?"
done
serve_stop
check_round final
expect "final: spools empty" "$(spooled | wc -l)" 0
expect "final: every report once" "$(q 'SELECT count(*) FROM observations')" "$(generated | wc -l)"
[ "$(generated | wc -l)" -ge 20 ] || fail "too few reports pushed: $(generated | wc -l)"
echo ok
