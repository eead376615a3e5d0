#!/bin/bash
# Collector down -> the agent spools (exit 4) -> collector up -> the next
# run sends the spooled reports first, then its own (exit 0): each report
# stored once.  A refused token keeps the report (exit 5).
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok"
make_root "$work/root" web1
spool=$work/spool
push() {
	"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" --spool "$spool" "$@"
}

# nothing listens on $port yet
for i in 1 2 3; do
	push 2>> "$work/agent.err" && rc=0 || rc=$?
	expect "run $i while down" "$rc" 4
done
expect "spooled" "$(ls "$spool" | grep -c '\.json$')" 3
expect "no temp files" "$(ls -A "$spool" | grep -c '^\.tmp' || true)" 0
grep -q 'spooled in' "$work/agent.err" || fail "no spool message"
ls "$spool" | sed 's/^[0-9]*-//; s/\.json$//' > "$work/spooled-ids"

serve_start
push -v 2> "$work/agent2.err" || fail "run after restart: $?"
expect "spool emptied" "$(ls "$spool" | grep -c '\.json$' || true)" 0
expect "observations" "$(q 'SELECT count(*) FROM observations')" 4
expect "distinct ids" "$(q 'SELECT count(DISTINCT report_id) FROM observations')" 4
for id in $(cat "$work/spooled-ids"); do
	expect "spooled $id stored once" "$(q "SELECT count(*) FROM observations WHERE report_id = '$id'")" 1
done
# oldest first, the run's own report last
expect "order" "$(q 'SELECT report_id FROM observations ORDER BY id' | head -3 | tr '\n' ' ')" \
	"$(tr '\n' ' ' < "$work/spooled-ids")"
expect "delivered lines" "$(grep -c 'delivered (HTTP 201)' "$work/agent2.err")" 4

# a report spooled but also already stored (the 201 was lost): sent again, 200, gone
report web1 "$work/r.json"
expect "direct post" "$(post "$work/tok" "$work/r.json")" 201
mkdir -p "$spool"
cp "$work/r.json" "$spool/00000000000000000001-$(report_id "$work/r.json").json"
push || fail "resend run: $?"
expect "resent spool emptied" "$(ls "$spool" | grep -c '\.json$' || true)" 0
expect "resent stored once" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r.json")'")" 1

# a refused token: exit 5, the report kept for when the token is fixed
"$COLLECTOR" token revoke web1 > /dev/null
push 2> "$work/agent3.err" && rc=0 || rc=$?
expect "revoked token" "$rc" 5
expect "kept in spool" "$(ls "$spool" | grep -c '\.json$')" 1
token web1 "$work/tok"
push || fail "run with the new token: $?"
expect "spool emptied again" "$(ls "$spool" | grep -c '\.json$' || true)" 0

# an invalid spooled report is dropped with a warning, not retried forever
echo '{"not":"a report"}' > "$spool/00000000000000000002-bad.json"
push 2> "$work/agent4.err" || fail "run with a bad spooled report: $?"
grep -q 'HTTP 400' "$work/agent4.err" || fail "bad spooled report not reported"
expect "bad report dropped" "$(ls "$spool" | grep -c '\.json$' || true)" 0

# a spooled report of another host (403, e.g. the host was renamed) is
# dropped with a warning and does not block the reports behind it
report web2 "$work/other.json"
cp "$work/other.json" "$spool/00000000000000000003-$(report_id "$work/other.json").json"
push 2> "$work/agent5.err" || fail "run with another host's spooled report: $?"
grep -q 'HTTP 403' "$work/agent5.err" || fail "403 of a spooled report not reported"
expect "other host's report dropped" "$(ls "$spool" | grep -c '\.json$' || true)" 0
push || fail "the run after: $?"
expect "nothing stuck" "$(ls "$spool" | grep -c '\.json$' || true)" 0

# a 413 from something in between (not the collector's JSON) is not a
# verdict on the report: it stays spooled
python3 - "$work/proxy.port" > "$work/proxy.log" 2>&1 <<'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(413)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>413 Request Entity Too Large (proxy)</html>")
    def log_message(self, *a):
        pass
with socketserver.TCPServer(("127.0.0.1", 0), H) as srv:
    open(sys.argv[1], "w").write(str(srv.server_address[1]))
    srv.serve_forever()
PY
proxy_pid=$!
for _ in $(seq 50); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
"$AGENT" --root "$work/root" --push "http://127.0.0.1:$(cat "$work/proxy.port")" \
	--token-file "$work/tok" --spool "$spool" 2> "$work/agent6.err" && rc=0 || rc=$?
kill "$proxy_pid" 2> /dev/null || true
wait "$proxy_pid" 2> /dev/null || true
expect "proxy 413: spooled" "$rc" 4
expect "proxy 413: kept" "$(ls "$spool" | grep -c '\.json$')" 1
push || fail "through to the collector again: $?"
expect "proxy 413: delivered later" "$(ls "$spool" | grep -c '\.json$' || true)" 0

# the report the agent refuses to spool: no --spool, collector down
serve_stop
"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" 2> /dev/null && rc=0 || rc=$?
expect "down without a spool" "$rc" 1
expect "integrity" "$(q 'PRAGMA integrity_check')" ok
echo ok
