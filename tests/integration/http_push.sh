#!/bin/bash
# HTTP push against the real collector with the real agent and curl: push,
# duplicate, tokens (wrong, missing, revoked), hostname mismatch, oversized,
# truncated, malformed, slow and stalled bodies, wrong content type, and the
# attempts view and access log that record them.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok1"
token web2 "$work/tok2"
token gone "$work/tokgone"
expect "token list" "$("$COLLECTOR" token list --format csv | cut -d, -f1,5 | sort | tr '\n' ' ')" \
	"gone,valid host,state web1,valid web2,valid "
# only the hash is stored
grep -q "$(cat "$work/tok1")" "$db" && fail "token stored in clear"
expect "token revoke" "$("$COLLECTOR" token revoke gone)" "revoked 1 token of gone"
serve_start --max-body 100000 --timeout 2

# push with the agent: delivered, exit 0, exactly the printed text stored
make_root "$work/root-web1" web1
"$AGENT" --root "$work/root-web1" --push "$url" --token-file "$work/tok1" || fail "agent push: $?"
expect "observations after push" "$(q 'SELECT count(*) FROM observations')" 1
expect "host" "$(q 'SELECT hostname FROM host_status')" web1
"$AGENT" --root "$work/root-web1" > "$work/printed.json"
# byte for byte, newline included, apart from the id and the time
python3 - "$db" "$work/printed.json" <<'PY' || fail "pushed text is not the printed text"
import re, sqlite3, sys
stored = sqlite3.connect(sys.argv[1]).execute("SELECT report_json FROM contents").fetchone()[0]
printed = open(sys.argv[2]).read()
strip = lambda t: re.sub(r'"report_id":"[^"]*","collected_at":"[^"]*"', "", t)
sys.exit(0 if strip(stored) == strip(printed) and stored.endswith("}\n") else 1)
PY

# curl: 201, then the same report again: 200, stored once
report web1 "$work/r1.json"
expect "push" "$(post "$work/tok1" "$work/r1.json")" 201
grep -q '"status":"stored"\|"status":"unchanged"' "$work/body" || fail "201 body: $(cat "$work/body")"
expect "duplicate" "$(post "$work/tok1" "$work/r1.json")" 200
grep -q '"status":"duplicate"' "$work/body" || fail "200 body: $(cat "$work/body")"
expect "observations of r1" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r1.json")'")" 1

# tokens
echo 'ift_0000000000000000000000000000000000000000000000000000000000000000' > "$work/tokwrong"
expect "wrong token" "$(post "$work/tokwrong" "$work/r1.json")" 401
expect "garbage token" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer x y' \
	-H 'Content-Type: application/json' --data-binary "@$work/r1.json" "$url/v1/reports")" 401
expect "missing token" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary "@$work/r1.json" "$url/v1/reports")" 401
expect "basic auth" "$(curl -s -o /dev/null -w '%{http_code}' -u web1:x \
	-H 'Content-Type: application/json' --data-binary "@$work/r1.json" "$url/v1/reports")" 401
report gone "$work/rgone.json"
expect "revoked token" "$(post "$work/tokgone" "$work/rgone.json")" 401
"$COLLECTOR" token revoke web2 > /dev/null
report web2 "$work/r2.json"
expect "token revoked while serving" "$(post "$work/tok2" "$work/r2.json")" 401
"$AGENT" --root "$work/root-web2" --push "$url" --token-file "$work/tok2" 2> "$work/agent.err" && rc=0 || rc=$?
expect "agent exit with a revoked token" "$rc" 5
grep -q 'HTTP 401' "$work/agent.err" || fail "agent did not report the 401: $(cat "$work/agent.err")"

# the host comes from the token: web1's token cannot push web3's report
report web3 "$work/r3.json"
expect "hostname mismatch" "$(post "$work/tok1" "$work/r3.json")" 403
expect "web3 unknown" "$(q "SELECT count(*) FROM hosts WHERE hostname = 'web3'")" 0

# content type
expect "wrong content type" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: text/plain' \
	--data-binary "@$work/r1.json" "$url/v1/reports")" 415

# bodies: oversized by Content-Length (refused before reading), malformed,
# truncated JSON
head -c 200000 /dev/zero | tr '\0' ' ' > "$work/big.json"
expect "oversized" "$(post "$work/tok1" "$work/big.json")" 413
echo '{"format":"iommu-fleet.report",' > "$work/bad.json"
expect "malformed" "$(post "$work/tok1" "$work/bad.json")" 400
grep -q '"error":' "$work/body" || fail "400 without a JSON error: $(cat "$work/body")"
report web1 "$work/r4.json"
head -c 1000 "$work/r4.json" > "$work/trunc.json"
expect "truncated JSON" "$(post "$work/tok1" "$work/trunc.json")" 400
echo '{"format":"iommu-fleet.report","version":99}' > "$work/v99.json"
expect "wrong version" "$(post "$work/tok1" "$work/v99.json")" 400

# raw sockets: an oversized chunked body (counted while reading), a body
# shorter than its Content-Length, a slow body byte by byte, a stalled one
python3 - "$port" "$(cat "$work/tok1")" "$work/r4.json" > "$work/raw.out" <<'PY' || fail "raw socket cases: $(cat "$work/raw.out")"
import socket, sys, time
port, tok, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = open(path, "rb").read()
head = ("POST /v1/reports HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
        "Content-Type: application/json\r\n" % tok).encode()

def conn():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    return s

def status(s):
    data = b""
    try:
        while b"\r\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except (ConnectionResetError, socket.timeout):
        pass
    return data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1") else "closed"

# chunked, 150000 bytes > --max-body 100000: the server closes
s = conn()
s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
try:
    for i in range(150):
        s.sendall(b"3e8\r\n" + b" " * 1000 + b"\r\n")
    s.sendall(b"0\r\n\r\n")
except (BrokenPipeError, ConnectionResetError):
    pass
print("chunked-oversized", status(s))
s.close()

# truncated: Content-Length says more than is sent, then the client goes
s = conn()
s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body[:500])
time.sleep(0.2)
s.close()
print("truncated sent")

# slow: one byte at a time, each well within the idle timeout
s = conn()
s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body))
step = max(1, len(body) // 400)
for i in range(0, len(body), step):
    for b in body[i:i + step]:
        s.send(bytes([b]))
    time.sleep(0.002)
print("slow", status(s))
s.close()

# stalled: headers and a little body, then nothing: closed after --timeout
s = conn()
s.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body[:100])
t0 = time.time()
print("stalled", status(s), "after-timeout" if time.time() - t0 >= 1.5 else "too-early")
s.close()
PY
expect "raw cases" "$(tr '\n' ' ' < "$work/raw.out")" \
	"chunked-oversized closed truncated sent slow 201 stalled closed after-timeout "
expect "slow report stored" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r4.json")'")" 1

# routes
expect "healthz" "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" 200
expect "unknown path" "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/x")" 404
expect "GET reports" "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/reports")" 405

# keep-alive: several reports on one connection
report web1 "$work/k1.json"; report web1 "$work/k2.json"
codes=$(curl -s -o /dev/null -w '%{http_code} %{num_connects}\n' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: application/json' \
	--data-binary "@$work/k1.json" "$url/v1/reports" --next \
	-s -o /dev/null -w '%{http_code} %{num_connects}\n' \
	-H "Authorization: Bearer $(cat "$work/tok1")" -H 'Content-Type: application/json' \
	--data-binary "@$work/k2.json" "$url/v1/reports" | tr '\n' ' ')
expect "keep-alive" "$codes" "201 1 201 0 "

# a client's bytes never reach the operator's terminal raw: an escape in
# the method or the path is written escaped in the access log
python3 - "$port" <<'PY'
import socket, sys
for req in (b"\x1b[31mGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /\x1b]0;PWNED\x07 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(req)
    try:
        s.recv(4096)
    except OSError:
        pass
    s.close()
PY
serve_stop

# every received report is an attempt with transport http
expect "attempts by status" "$(q "SELECT status || ':' || count(*) FROM attempts WHERE hostname = 'web1' AND transport = 'http' GROUP BY status ORDER BY status" | tr '\n' ' ')" \
	"duplicate:1 failed:2 rejected:6 stored:1 unchanged:4 wrong-host:1 "
q "SELECT error FROM attempts WHERE status = 'failed'" | grep -q 'truncated: 500 of' || fail "truncated attempt"
q "SELECT error FROM attempts WHERE status = 'failed'" | grep -q 'timed out: 100 of' || fail "stalled attempt"
q "SELECT error FROM attempts WHERE hostname = 'web1' AND status = 'wrong-host'" | grep -q 'claims to be host "web3", not "web1"' || fail "mismatch attempt"
expect "revoked attempts" "$(q "SELECT count(*) FROM attempts WHERE hostname IN ('gone', 'web2') AND error = 'token revoked'")" 3
expect "no http attempt without a host" "$(q "SELECT count(*) FROM attempts WHERE hostname = ''")" 0
expect "integrity" "$(q 'PRAGMA integrity_check')" ok

# the access log: one greppable line per request
grep -q 'method=POST path=/v1/reports status=201 bytes=[0-9]* host=web1 ms=' "$work/serve.log" || fail "access log 201"
expect "401 lines" "$(grep -c "status=401 " "$work/serve.log")" 7
grep -q 'status=413 .*result=too-large' "$work/serve.log" || fail "access log 413"
grep -q 'status=403 .*host=web1 .*result=wrong-host' "$work/serve.log" || fail "access log 403"
grep -q 'iommu-collector: stopped' "$work/serve.log" || fail "no clean stop"
if grep -q "$(printf '\033')" "$work/serve.log"; then fail "raw escape byte in the access log"; fi
grep -q 'method=\\x1b\[31mGET' "$work/serve.log" || fail "escaped method not logged"
echo ok
