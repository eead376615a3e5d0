#!/bin/bash
# serve's TLS offers TLS 1.2+ with forward-secret AEAD suites only: a client
# offering only TLS 1.0/1.1, or only AES128-SHA (RSA key exchange, CBC,
# SHA-1), or TLS 1.2 with ECDHE but CBC, cannot finish a handshake; a modern
# client (TLS 1.3, or TLS 1.2 ECDHE with AES-GCM) can, and pushes.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

command -v gnutls-cli > /dev/null || { echo "skip: no gnutls-cli"; exit 77; }
scheme=https
url=https://127.0.0.1:$port
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/ca.pem" \
	2> /dev/null || fail "openssl"
token web1 "$work/tok"
serve_start --tls-cert "$work/ca.pem" --tls-key "$work/key.pem"

# handshake PRIORITY: "ok" when a TLS session was established
handshake() {
	if timeout 20 gnutls-cli --x509cafile "$work/ca.pem" --priority "$1" -p "$port" \
		127.0.0.1 < /dev/null > "$work/cli.out" 2>&1; then
		echo ok
	else
		echo refused
	fi
}

expect "TLS 1.0 and 1.1 only" "$(handshake 'NORMAL:-VERS-ALL:+VERS-TLS1.0:+VERS-TLS1.1')" refused
expect "AES128-SHA only" \
	"$(handshake 'NORMAL:-VERS-TLS1.3:-KX-ALL:+RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1')" refused
expect "TLS 1.2 ECDHE with CBC" \
	"$(handshake 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC')" refused
expect "TLS 1.2 with RSA key exchange and GCM" \
	"$(handshake 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA')" refused
expect "TLS 1.2 ECDHE-RSA AES-GCM" \
	"$(handshake 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM')" ok
expect "TLS 1.3" "$(handshake 'NORMAL:-VERS-ALL:+VERS-TLS1.3')" ok

if openssl s_client -help 2>&1 | grep -q -- '-tls1_1'; then
	out=$(openssl s_client -connect "127.0.0.1:$port" -tls1_1 -cipher 'AES128-SHA@SECLEVEL=0' \
		< /dev/null 2>&1 || true)
	case $out in *"Cipher is AES128-SHA"*) fail "openssl: TLS 1.1 AES128-SHA accepted" ;; esac
fi

report web1 "$work/r.json"
expect "modern client pushes" "$(post "$work/tok" "$work/r.json" --cacert "$work/ca.pem")" 201
serve_stop
echo ok
