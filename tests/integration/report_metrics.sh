#!/bin/bash
# GET /metrics on the real serve (curl on a free loopback port) and
# "report prometheus": both pass promtool check metrics, the counters follow
# what was pushed, the fleet gauges are the same in both, and the textfile
# is replaced atomically.
set -euo pipefail # a collector that prints nothing must not pass promtool's check
: "${COLLECTOR:?}" "${AGENT:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/http_lib.bash"
command -v promtool > /dev/null || fail "promtool is not installed (Debian's prometheus package)"

token web1 "$work/web1.token"
token db1 "$work/db1.token"
report web1 "$work/web1.json"
serve_start
expect "push" "$(post "$work/web1.token" "$work/web1.json")" 201
expect "duplicate" "$(post "$work/web1.token" "$work/web1.json")" 200
echo '{"format": "iommu-fleet-report"}' > "$work/bad.json"
expect "invalid" "$(post "$work/web1.token" "$work/bad.json")" 400
expect "wrong host" "$(post "$work/db1.token" "$work/web1.json")" 403
echo 'bogus-token' > "$work/bogus.token"
expect "bad token" "$(post "$work/bogus.token" "$work/web1.json")" 401

code=$(curl -s -o "$work/metrics.txt" -D "$work/metrics.hdr" -w '%{http_code}' "$url/metrics")
expect "GET /metrics" "$code" 200
grep -qi '^content-type: text/plain; version=0.0.4' "$work/metrics.hdr" || fail "content type: $(cat "$work/metrics.hdr")"
promtool check metrics < "$work/metrics.txt" || fail "promtool rejects /metrics"
m() { awk -v k="$1" '$1 == k { print $2 }' "$work/metrics.txt"; }
expect "received" "$(m iommu_collector_reports_received_total)" 5
expect "stored" "$(m 'iommu_collector_reports_stored_total{status="stored"}')" 1
expect "duplicate" "$(m 'iommu_collector_reports_stored_total{status="duplicate"}')" 1
expect "rejected invalid" "$(m 'iommu_collector_reports_rejected_total{reason="invalid"}')" 1
expect "rejected wrong-host" "$(m 'iommu_collector_reports_rejected_total{reason="wrong-host"}')" 1
expect "rejected bad-token" "$(m 'iommu_collector_reports_rejected_total{reason="bad-token"}')" 1
expect "reports histogram count" \
	"$(m 'iommu_collector_http_request_duration_seconds_count{path="/v1/reports"}')" 5
expect "+Inf bucket = count" \
	"$(m 'iommu_collector_http_request_duration_seconds_bucket{path="/v1/reports",le="+Inf"}')" 5
expect "web1 ready gauge present" "$(grep -c '^iommu_fleet_host_ready{host="web1"}' "$work/metrics.txt")" 1
expect "web1 last attempt ok" "$(m 'iommu_fleet_host_last_attempt_ok{host="web1"}')" 0
expect "hosts by verdict" "$(grep -c '^iommu_fleet_hosts{verdict=' "$work/metrics.txt")" 4
# every host is in one of them: no verdict dropped
expect "hosts by verdict, summed" \
	"$(grep '^iommu_fleet_hosts{verdict=' "$work/metrics.txt" | awk '{ n += $2 } END { print n }')" \
	"$(q 'SELECT count(*) FROM host_status')"
expect "web1 report time" "$(m 'iommu_fleet_host_last_report_timestamp_seconds{host="web1"}')" \
	"$(q "SELECT CAST(strftime('%s', received_at) AS INTEGER) FROM host_status WHERE hostname = 'web1'")"
expect "POST /metrics" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/metrics")" 405
grep -q 'path=/metrics status=200' "$work/serve.log" || fail "no access-log line for /metrics"

# the textfile: the same fleet gauges, written whole
"$COLLECTOR" report prometheus --out "$work/iommu_fleet.prom"
promtool check metrics < "$work/iommu_fleet.prom" || fail "promtool rejects the textfile"
expect "textfile mode" "$(stat -c %a "$work/iommu_fleet.prom")" 644
grep -v '^iommu_collector_\|^# [A-Z]* iommu_collector_' "$work/metrics.txt" > "$work/fleet-part.txt"
diff "$work/fleet-part.txt" "$work/iommu_fleet.prom" >&2 || fail "/metrics and the textfile differ"
ino=$(stat -c %i "$work/iommu_fleet.prom")
"$COLLECTOR" report prometheus --out "$work/iommu_fleet.prom"
[ "$(stat -c %i "$work/iommu_fleet.prom")" != "$ino" ] || fail "the textfile was rewritten in place, not renamed"
expect "no temporary files" "$(find "$work" -maxdepth 1 -name '*.tmp.*' | wc -l)" 0
"$COLLECTOR" report prometheus | promtool check metrics || fail "promtool rejects stdout"
serve_stop
echo "report_metrics: ok ($(wc -c < "$work/metrics.txt") bytes of /metrics)"
