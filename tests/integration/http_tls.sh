#!/bin/bash
# HTTPS: serve with a self-signed certificate made here; the agent and curl
# verify it with --cacert, and refuse it (spooling the report) without.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

scheme=https
url=https://127.0.0.1:$port
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/ca.pem" \
	2> /dev/null || fail "openssl"
token web1 "$work/tok"
make_root "$work/root" web1
serve_start --tls-cert "$work/ca.pem" --tls-key "$work/key.pem"
grep -q 'listening on https://' "$work/serve.log" || fail "not https"

"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" --cacert "$work/ca.pem" \
	|| fail "agent over TLS: $?"
expect "stored over TLS" "$(q 'SELECT count(*) FROM observations')" 1

# without the CA the certificate is not trusted: not sent, spooled
"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" --spool "$work/spool" \
	2> "$work/agent.err" && rc=0 || rc=$?
expect "untrusted certificate" "$rc" 4
grep -qi 'certificate' "$work/agent.err" || fail "no certificate error: $(cat "$work/agent.err")"
expect "nothing more stored" "$(q 'SELECT count(*) FROM observations')" 1

# then with the CA: the spooled one and the new one
"$AGENT" --root "$work/root" --push "$url" --token-file "$work/tok" --spool "$work/spool" \
	--cacert "$work/ca.pem" || fail "agent with spool over TLS: $?"
expect "stored after" "$(q 'SELECT count(*) FROM observations')" 3

report web1 "$work/r.json"
expect "curl over TLS" "$(post "$work/tok" "$work/r.json" --cacert "$work/ca.pem")" 201
expect "plain HTTP to the TLS port" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)" 000
serve_stop

# certificate files that cannot serve: named, with why, and serve exits
: > "$work/empty.pem"
for bad in "$work/empty.pem:empty" "$work/nothere.pem:No such file or directory"; do
	rc=0
	"$COLLECTOR" serve --listen "127.0.0.1:$port" --tls-cert "${bad%%:*}" --tls-key "$work/key.pem" \
		2> "$work/bad.err" || rc=$?
	[ "$rc" -ne 0 ] || fail "serve started with ${bad%%:*}"
	grep -q "${bad%%:*}: ${bad#*:}" "$work/bad.err" || fail "${bad%%:*}: $(cat "$work/bad.err")"
done
echo ok
