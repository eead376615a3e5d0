#!/bin/bash
# Limits per token and per address: a token past its --burst is answered
# 429 with Retry-After (another host's token is not); a host past its
# --host-budget of new content for the day likewise, counted from the
# database so a restart does not reset it; an address that keeps
# failing authentication is answered 429 for a doubling delay without its
# tokens being looked at, so a revoked token retried in a loop leaves a few
# attempt rows, not one per request, and the failures are counted in
# /metrics.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok1"
token web2 "$work/tok2"
token gone "$work/tokgone"
"$COLLECTOR" token revoke gone > /dev/null
for i in 1 2 3; do report web1 "$work/r$i.json"; done
report web2 "$work/w.json"
serve_start --rate 1 --burst 2 --auth-failures 3

expect "first of the burst" "$(post "$work/tok1" "$work/r1.json")" 201
expect "second of the burst" "$(post "$work/tok1" "$work/r2.json")" 201
code=$(curl -s -D "$work/h3" -o "$work/b3" -w '%{http_code}' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: application/json' \
	--data-binary "@$work/r3.json" "$url/v1/reports")
expect "past the burst" "$code" 429
grep -qi '^Retry-After: [1-9]' "$work/h3" || fail "429 without Retry-After: $(cat "$work/h3")"
grep -q 'too many reports' "$work/b3" || fail "429 body: $(cat "$work/b3")"
expect "another token is not limited" "$(post "$work/tok2" "$work/w.json")" 201
expect "stored" "$(q 'SELECT count(*) FROM observations')" 3

# a revoked token retried 30 times from one address
n401=0 n429=0
for i in $(seq 1 30); do
	case $(post "$work/tokgone" "$work/r1.json") in
	401) n401=$((n401 + 1)) ;;
	429) n429=$((n429 + 1)) ;;
	*) fail "revoked token: unexpected $(cat "$work/body")" ;;
	esac
done
[ "$n429" -gt 0 ] || fail "30 failed auths and never a 429"
[ "$n401" -lt 10 ] || fail "$n401 of 30 failed auths were checked"
curl -s "$url/metrics" > "$work/m"
grep -q "iommu_collector_http_events_total{event=\"auth-failed\"} $n401\$" "$work/m" ||
	fail "auth-failed count: $(grep auth-failed "$work/m")"
grep -q "iommu_collector_http_events_total{event=\"auth-throttled\"} $n429\$" "$work/m" ||
	fail "auth-throttled count: $(grep auth-throttled "$work/m")"
grep -q 'status=429 .*result=auth-throttled' "$work/serve.log" || fail "access log 429"
serve_stop
# after the writer has drained: one row per checked request only
expect "attempt rows = checked requests" "$(q "SELECT count(*) FROM attempts WHERE hostname = 'gone'")" "$n401"

# the storage budget of the day counts what is in the database: r1's
# content (stored above) and exactly two more reports' bytes, each report a
# new content (another kernel command line)
for i in 4 5 6 7; do
	make_root "$work/root-c$i" web1
	echo "quiet budget=$i" > "$work/root-c$i/proc/cmdline"
	"$AGENT" --root "$work/root-c$i" > "$work/r$i.json"
done
budget=$(($(stat -c %s "$work/r1.json") + $(stat -c %s "$work/r4.json") + $(stat -c %s "$work/r5.json")))
serve_start --host-budget "$budget"
expect "within the budget" "$(post "$work/tok1" "$work/r4.json")" 201
expect "up to the budget" "$(post "$work/tok1" "$work/r5.json")" 201
code=$(curl -s -D "$work/h6" -o "$work/b6" -w '%{http_code}' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: application/json' \
	--data-binary "@$work/r6.json" "$url/v1/reports")
expect "past the budget" "$code" 429
grep -qi '^Retry-After: [1-9]' "$work/h6" || fail "429 without Retry-After: $(cat "$work/h6")"
grep -q 'storage budget' "$work/b6" || fail "429 body: $(cat "$work/b6")"
expect "another host's budget is its own" "$(post "$work/tok2" "$work/w.json")" 200
serve_stop
expect "not stored past the budget" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r6.json")'")" 0

# a restart on the same database does not give the day's budget back
serve_start --host-budget "$budget"
code=$(curl -s -D "$work/h7" -o "$work/b7" -w '%{http_code}' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: application/json' \
	--data-binary "@$work/r7.json" "$url/v1/reports")
expect "past the budget after a restart" "$code" 429
retry=$(sed -n 's/^Retry-After: *\([0-9]*\).*/\1/ip' "$work/h7")
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 86401 ] ||
	fail "429 after a restart: Retry-After [$retry]: $(cat "$work/h7")"
grep -q 'storage budget' "$work/b7" || fail "429 body after a restart: $(cat "$work/b7")"
expect "another host after a restart" "$(post "$work/tok2" "$work/w.json")" 200
serve_stop
expect "not stored after a restart" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r7.json")'")" 0
echo ok
