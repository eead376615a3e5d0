#!/bin/bash
# A saturated writer answers 503 with Retry-After: the database is held
# by another writer (the sqlite3 CLI), the queue holds one report, so of
# three pushes one waits in the writer, one in the queue and one is
# turned away; the two that waited are stored once the lock goes.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok"
for i in 1 2 3; do report web1 "$work/r$i.json"; done
serve_start --queue 1
# hold the write lock for 3 s
(echo 'BEGIN IMMEDIATE;'; sleep 3; echo 'COMMIT;') | sqlite3 "$db" &
bg_pids="$bg_pids $!"
sleep 0.5
post "$work/tok" "$work/r1.json" > "$work/c1" &
p1=$!
bg_pids="$bg_pids $!"
sleep 0.5
post "$work/tok" "$work/r2.json" > "$work/c2" &
p2=$!
bg_pids="$bg_pids $!"
sleep 0.5
code=$(curl -s -D "$work/h3" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$work/tok")" \
	-H 'Content-Type: application/json' --data-binary "@$work/r3.json" "$url/v1/reports")
expect "third push while saturated" "$code" 503
grep -qi '^Retry-After: [0-9]' "$work/h3" || fail "no Retry-After"
wait "$p1" "$p2"
expect "first" "$(cat "$work/c1")" 201
expect "second" "$(cat "$work/c2")" 201
expect "third again" "$(post "$work/tok" "$work/r3.json")" 201
expect "stored" "$(q 'SELECT count(*) FROM observations')" 3
serve_stop
grep -q 'status=503 .*result=busy' "$work/serve.log" || fail "access log 503"

# per-address connection limit: two idle connections are held, a third
# from the same address is closed unanswered, and served again once one goes
serve_start --max-per-ip 2
python3 - "$port" > "$work/perip.out" <<'PY' || fail "per-ip: $(cat "$work/perip.out")"
import socket, sys, time
port = int(sys.argv[1])
req = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
def ask(s):
    try:
        s.settimeout(5)
        s.sendall(req)
        d = s.recv(4096)
        return d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1") else "closed"
    except OSError:
        return "closed"
a = socket.create_connection(("127.0.0.1", port))
b = socket.create_connection(("127.0.0.1", port))
print(ask(a), ask(b))
c = socket.create_connection(("127.0.0.1", port))
print(ask(c))
a.close()
time.sleep(0.3)
d = socket.create_connection(("127.0.0.1", port))
print(ask(d))
PY
expect "per-ip limit" "$(tr '\n' ' ' < "$work/perip.out")" "200 200 closed 200 "
serve_stop

# SIGTERM while a report is being sent slowly: no new connections, the
# request in flight is finished and stored, then exit 0
report web1 "$work/r5.json"
serve_start
python3 - "$port" "$(cat "$work/tok")" "$work/r5.json" "$work/started" > "$work/slow.out" <<'PY' &
import socket, sys, time
port, tok, body = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read()
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(10)
# "Expect: 100-continue": the server's "100 Continue" proves it has taken the
# request, so the SIGTERM below lands on a request in flight, not on a
# connection still waiting in the listen backlog
s.sendall(("POST /v1/reports HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n"
           "Expect: 100-continue\r\n\r\n" % (tok, len(body))).encode())
got = b""
while b"\r\n\r\n" not in got:
    got += s.recv(4096)
if not got.startswith(b"HTTP/1.1 100"):
    print("no 100 Continue: %r" % got[:40])
    sys.exit(1)
open(sys.argv[4], "w").close()
step = max(1, len(body) // 20)
for i in range(0, len(body), step):
    s.sendall(body[i:i + step])
    time.sleep(0.1)
d = s.recv(4096)
print(d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1") else "closed")
PY
slow=$!
bg_pids="$bg_pids $slow"
for i in $(seq 1 100); do [ -e "$work/started" ] && break; sleep 0.05; done
[ -e "$work/started" ] || fail "slow sender did not start"
kill -TERM "$serve_pid"
sleep 0.3
expect "no new connections while draining" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true)" 000
wait "$slow"
rc=0
wait "$serve_pid" || rc=$?
serve_pid=
expect "exit after draining" "$rc" 0
expect "in-flight request answered" "$(cat "$work/slow.out")" 201
expect "in-flight report stored" "$(q "SELECT count(*) FROM observations WHERE report_id = '$(report_id "$work/r5.json")'")" 1
echo ok
