# http_lib.bash - helpers sourced by tests/integration/http_*.sh: a work
# directory removed on exit, a free loopback port, the real collector
# started in the background and waited for, reports made by the real agent.
# (Not a test itself: only *.sh files are registered.)

: "${COLLECTOR:?}" "${AGENT:?}" "${SOURCE_DIR:?}"

work=$(mktemp -d)
serve_pid=
bg_pids=
export IOMMU_FLEET_DB=$work/fleet.db
db=$work/fleet.db

http_cleanup() {
	local p
	for p in $bg_pids; do kill -9 "$p" 2>/dev/null || true; done
	[ -n "$serve_pid" ] && kill -9 "$serve_pid" 2>/dev/null
	rm -rf "$work"
}
trap http_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$work/serve.log" ]; then
		echo "--- serve.log (tail)" >&2
		tail -n 30 "$work/serve.log" >&2
	fi
	exit 1
}

# expect NAME GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
}

q() {
	sqlite3 -batch -bail "$db" "$1"
}

# shellcheck source=../lib/free_port.bash
. "$SOURCE_DIR/tests/lib/free_port.bash"

port=$(free_port)
scheme=http
url=http://127.0.0.1:$port

# serve_start [OPTIONS...]: start serve on $port, wait until /healthz answers.
serve_start() {
	local i curlopt=
	"$COLLECTOR" serve --listen "127.0.0.1:$port" "$@" 2>> "$work/serve.log" &
	serve_pid=$!
	[ "$scheme" = https ] && curlopt="--cacert $work/ca.pem"
	for i in $(seq 1 100); do
		if curl -s -o /dev/null $curlopt "$scheme://127.0.0.1:$port/healthz"; then
			return 0
		fi
		kill -0 "$serve_pid" 2>/dev/null || fail "serve exited at start"
		sleep 0.1
	done
	fail "serve did not answer /healthz"
}

# serve_stop: SIGTERM, and it must exit 0.
serve_stop() {
	local rc=0
	kill -TERM "$serve_pid"
	wait "$serve_pid" || rc=$?
	serve_pid=
	expect "serve exit status after SIGTERM" "$rc" 0
}

# make_root DIR HOST: the smallest tree the agent reports HOST from.
make_root() {
	mkdir -p "$1/proc/sys/kernel"
	echo "$2" > "$1/proc/sys/kernel/hostname"
}

# report HOST FILE: a real report of HOST, made by the agent.
report() {
	[ -d "$work/root-$1" ] || make_root "$work/root-$1" "$1"
	"$AGENT" --root "$work/root-$1" > "$2"
}

# token HOST FILE: a new token for HOST in FILE (mode 600).
token() {
	(umask 077; "$COLLECTOR" token add "$1" > "$2")
}

# post TOKENFILE FILE [CURL OPTIONS...]: POST FILE with curl, print the status.
post() {
	local tok=$1 file=$2
	shift 2
	curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $(cat "$tok")" \
		-H 'Content-Type: application/json' --data-binary "@$file" "$@" \
		"$url/v1/reports" || true
}

report_id() {
	sed -n 's/.*"report_id":"\([^"]*\)".*/\1/p' "$1"
}
