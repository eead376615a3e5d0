#!/bin/bash
# bench_memory.sh - peak RSS of the collector with the largest reports
# (issue 13; not a test): `import` of one report of each shape of
# gen_worst_report.py (honest, worst), then `serve` (defaults, so at most
# --max-decoding 4 decoded at once) receiving 8 worst reports at once.
# Prints "what KiB" lines (tests/bench/maxrss.c); the targets are import
# under 64 MB a report, serve under 200 MB.
# usage: BUILD_DIR=build-rel tests/bench/bench_memory.sh
# Build without sanitizers (CMAKE_BUILD_TYPE=Release) for meaningful numbers.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build-rel}
collector=$build/collector/iommu-collector
[ -x "$collector" ] || { echo "bench_memory: $collector: not built" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench_memory.XXXXXX")
serve_pid=
trap '[ -n "$serve_pid" ] && kill -9 "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
cc -O2 -o "$work/maxrss" "$src/tests/bench/maxrss.c"
. "$src/tests/lib/free_port.bash"

# kib NAME CMD...: run CMD under maxrss, print NAME and its peak RSS
kib() {
	local name=$1
	shift
	"$work/maxrss" "$@" > "$work/out" 2> "$work/rss" || {
		echo "bench_memory: $name failed: $(cat "$work/out")" >&2
		exit 1
	}
	echo "$name $(tail -1 "$work/rss" | cut -d' ' -f2)"
}

for shape in honest worst; do
	python3 "$src/tests/bench/gen_worst_report.py" "$shape" "$work/$shape.json" 1 2> /dev/null
	kib "import-$shape" "$collector" --db "$work/$shape.db" import "$work/$shape.json"
	grep -q ': stored host' "$work/out" || { echo "not stored: $(cat "$work/out")" >&2; exit 1; }
done

# serve: 8 worst reports of 8 hosts posted at once
export IOMMU_FLEET_DB=$work/serve.db
for i in $(seq 1 8); do
	python3 "$src/tests/bench/gen_worst_report.py" worst "$work/w$i.json" "$i" 2> /dev/null
	(umask 077; "$collector" token add "worst-$i" > "$work/tok$i")
done
port=$(free_port)
"$work/maxrss" "$collector" serve --listen "127.0.0.1:$port" 2> "$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
	sleep 0.1
done
for i in $(seq 1 8); do
	curl -s -o "$work/body$i" -w '%{http_code}\n' -H "Authorization: Bearer $(cat "$work/tok$i")" \
		-H 'Content-Type: application/json' --data-binary "@$work/w$i.json" \
		"http://127.0.0.1:$port/v1/reports" > "$work/code$i" &
done
wait $(jobs -p | grep -v "^$serve_pid$") 2> /dev/null || true
for i in $(seq 1 8); do
	[ "$(cat "$work/code$i")" = 201 ] || { echo "post $i: $(cat "$work/code$i")" >&2; exit 1; }
done
kill -TERM "$(pgrep -P "$serve_pid")"
wait "$serve_pid"
serve_pid=
echo "serve-8-worst $(tail -1 "$work/serve.err" | cut -d' ' -f2)"
