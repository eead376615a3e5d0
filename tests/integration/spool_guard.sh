#!/bin/bash
# spool_guard.sh - issue 13: a report leaves the spool only on the
# collector's own acknowledgement (its JSON naming the report id), not on a
# 2xx alone; a held spool lock is waited for a bounded time, then the run
# ends with a message; the spool is 0700 and its files 0600 whatever the
# umask.  A tiny python3 HTTP server on loopback plays the captive portal,
# a proxy and the collector's answer; flock(1) holds the lock.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

make_root "$work/root" web1
echo "tok-not-checked-by-these-servers" > "$work/tok"
chmod 600 "$work/tok"
spool=$work/spool
nspooled() { ls "$spool" | grep -c '\.json$' || true; }

# fake MODE: answer every POST as MODE says; prints nothing, writes the port
fake_start() {
	rm -f "$work/fake.port"
	python3 - "$1" "$work/fake.port" > "$work/fake.log" 2>&1 <<'PY' &
import http.server, json, re, socketserver, sys
mode = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        rid = json.loads(body)["report_id"]
        if mode == "portal":
            out, ctype = b"OK", "text/html"
        elif mode == "other-id":
            out, ctype = json.dumps({"status": "stored", "report_id": "0" * 32,
                                     "host": "web1"}).encode(), "application/json"
        else:
            out, ctype = json.dumps({"status": "stored", "report_id": rid.upper(),
                                     "host": "web1"}).encode(), "application/json"
        self.send_response(200 if mode == "portal" else 201)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *a):
        pass
with socketserver.TCPServer(("127.0.0.1", 0), H) as srv:
    open(sys.argv[2] + ".tmp", "w").write(str(srv.server_address[1]))
    import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    srv.serve_forever()
PY
	fake_pid=$!
	bg_pids="$bg_pids $fake_pid"
	for _ in $(seq 100); do [ -s "$work/fake.port" ] && break; sleep 0.1; done
	[ -s "$work/fake.port" ] || fail "fake server did not start"
	fake_url=http://127.0.0.1:$(cat "$work/fake.port")
}
fake_stop() {
	kill "$fake_pid" 2> /dev/null || true
	wait "$fake_pid" 2> /dev/null || true
}
push() {
	(umask 022; "$AGENT" --root "$work/root" --push "$fake_url" --token-file "$work/tok" \
		--spool "$spool" "$@")
}

# 1. a captive portal's 200 "OK": kept, and the agent says why (exit 4)
fake_start portal
push 2> "$work/a1.err" && rc=0 || rc=$?
expect "portal: exit" "$rc" 4
expect "portal: kept" "$(nspooled)" 1
grep -q 'HTTP 200 from .* is not an iommu-fleet collector.s acknowledgement' "$work/a1.err" ||
	fail "portal: no message: $(cat "$work/a1.err")"
# the spooled one is not dropped by the next run either
push 2> "$work/a2.err" && rc=0 || rc=$?
expect "portal again: exit" "$rc" 4
expect "portal again: both kept" "$(nspooled)" 2
# 0700 / 0600 under umask 022
expect "spool dir mode" "$(stat -c %a "$spool")" 700
for f in "$spool"/*.json; do
	expect "spool file mode" "$(stat -c %a "$f")" 600
done
fake_stop

# 2. a JSON 2xx naming another report: not an acknowledgement of this one
fake_start other-id
push 2> "$work/b.err" && rc=0 || rc=$?
expect "other id: exit" "$rc" 4
expect "other id: kept" "$(nspooled)" 3
fake_stop

# 3. held lock: a bounded wait, a message, exit 1, spool untouched
# flock(1) on fd 9, then the subshell becomes the sleep that holds it
(exec 9< "$spool"; flock 9; exec sleep 60) &
lock_pid=$!
bg_pids="$bg_pids $lock_pid"
for _ in $(seq 100); do flock -n "$spool" true || break; sleep 0.1; done
fake_start ack
start=$(date +%s)
export IOMMU_AGENT_SPOOL_WAIT=2
push 2> "$work/c.err" && rc=0 || rc=$?
unset IOMMU_AGENT_SPOOL_WAIT
took=$(($(date +%s) - start))
expect "held lock: exit" "$rc" 1
[ "$took" -ge 2 ] && [ "$took" -lt 20 ] || fail "held lock: waited ${took}s"
grep -q 'another iommu-agent run has held it for 2 s' "$work/c.err" ||
	fail "held lock: no message: $(cat "$work/c.err")"
expect "held lock: spool untouched" "$(nspooled)" 3
kill "$lock_pid" 2> /dev/null || true
wait "$lock_pid" 2> /dev/null || true

# 4. the collector's acknowledgement (id in another case): all delivered
push -v 2> "$work/d.err" || fail "acknowledged: $?: $(cat "$work/d.err")"
expect "acknowledged: spool emptied" "$(nspooled)" 0
expect "acknowledged: delivered lines" "$(grep -c 'delivered (HTTP 201)' "$work/d.err")" 4
fake_stop
echo ok
