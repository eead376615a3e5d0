#!/bin/bash
# Bodies decoded at once are bounded (--max-decoding): with the writer held
# up by another process's write lock and one decode allowed, the second and
# third pushes wait for the first one's decoded report to be committed
# instead of decoding beside it; all three are stored once the lock goes.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok"
for i in 1 2 3; do report web1 "$work/r$i.json"; done
serve_start --max-decoding 1 --queue 8
(echo 'BEGIN IMMEDIATE;'; sleep 3; echo 'COMMIT;') | sqlite3 "$db" &
bg_pids="$bg_pids $!"
sleep 0.5
pids=
for i in 1 2 3; do
	post "$work/tok" "$work/r$i.json" > "$work/c$i" &
	pids="$pids $!"
	bg_pids="$bg_pids $!"
	sleep 0.3
done
curl -s "$url/metrics" > "$work/m"
# shellcheck disable=SC2086
wait $pids
for i in 1 2 3; do expect "push $i" "$(cat "$work/c$i")" 201; done
grep -q 'iommu_collector_http_events_total{event="decode-waited"} 2$' "$work/m" ||
	fail "decode waits while the first was held: $(grep decode-waited "$work/m")"
expect "stored" "$(q 'SELECT count(*) FROM observations')" 3
serve_stop
echo ok
