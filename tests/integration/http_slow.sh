#!/bin/bash
# Slow clients cannot lock serve: a request trickling its headers (or a
# body nobody wanted) a byte at a time is cut at --request-timeout counted
# from its first byte; and with 256 connections from 8 other addresses each
# trickling headers (the whole budget: 32 per address), a client that
# behaves still gets its 201.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

token web1 "$work/tok"
report web1 "$work/r1.json"
serve_start --request-timeout 2 --timeout 30

# trickle PORT MODE: one byte every 0.2 s for at most 15 s; "closed" when
# the server ended the connection first, "open" when the trickle outlived it
cat > "$work/trickle.py" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
if mode == "headers":
    data = b"POST /v1/reports HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"a" * 1000
else:  # a 404 body, announced and sent slowly
    s.sendall(b"POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
    data = b"b" * 1000
s.settimeout(0.2)
for i in range(75):
    try:
        s.send(data[i:i + 1])
        if s.recv(4096) == b"":
            print("closed"); sys.exit(0)
    except socket.timeout:
        continue
    except OSError:
        print("closed"); sys.exit(0)
print("open")
PY
expect "headers trickled past the deadline" "$(python3 "$work/trickle.py" "$port" headers)" closed
expect "404 body trickled past the deadline" "$(python3 "$work/trickle.py" "$port" body)" closed
curl -s "$url/metrics" > "$work/m1"
grep -q 'iommu_collector_http_events_total{event="evicted-slow"} [1-9]' "$work/m1" ||
	fail "no evicted-slow count: $(grep events_total "$work/m1")"
serve_stop

# the connection budget: defaults (256 at once, 32 per address)
serve_start
python3 - "$port" "$work/ready" "$work/done" > "$work/flood.out" <<'PY' &
import os, socket, sys, time
port, ready, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = []
for a in range(2, 10):  # 127.0.0.2 .. 127.0.0.9, 32 each
    for i in range(32):
        s = socket.socket()
        s.bind(("127.0.0.%d" % a, 0))
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"POST /v1/reports HTTP/1.1\r\nHo")
        except OSError:
            pass
        socks.append(s)
open(ready, "w").close()
# keep every connection trickling (never idle) for at most 60 s
for t in range(300):
    if os.path.exists(done):
        break
    for s in socks:
        try:
            s.send(b"s")
        except OSError:
            pass
    time.sleep(0.2)
print(len(socks))
PY
flood=$!
bg_pids="$bg_pids $flood"
for i in $(seq 1 300); do [ -e "$work/ready" ] && break; sleep 0.1; done
[ -e "$work/ready" ] || fail "the slow connections were not opened"
code=$(post "$work/tok" "$work/r1.json" -m 20)
touch "$work/done"
wait "$flood" || true
expect "a client that behaves, beside 256 slow connections" "$code" 201
expect "slow connections opened" "$(cat "$work/flood.out")" 256
curl -s "$url/metrics" > "$work/m2"
grep -q 'iommu_collector_http_events_total{event="evicted-over-budget"} [1-9]' "$work/m2" ||
	fail "no evicted-over-budget count: $(grep events_total "$work/m2")"
serve_stop
echo ok
