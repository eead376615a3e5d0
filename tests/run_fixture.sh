#!/bin/sh
# Run the real agent on one fixture case, check its report, and import it
# with the real collector: every report the agent prints is one the
# collector stores (proto owns the one contract both apply).
# usage: run_fixture.sh AGENT FIXTURE_CHECK CASE_DIR COLLECTOR
set -eu
agent=$1 check=$2 case=$3 collector=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$case/root"
[ -d "$root" ] || { root="$work/empty-root"; mkdir "$root"; }
set -- --root "$root"
# a listing or a log names no host: the case name stands in
[ -f "$root/proc/sys/kernel/hostname" ] || [ -f "$root/etc/hostname" ] ||
	set -- "$@" --hostname "$(basename "$case")"
[ -f "$case/kernel.log" ] && set -- "$@" --kernel-log "$case/kernel.log"
"$agent" "$@" --pretty > "$work/report.json"
"$check" "$work/report.json" "$case/expect" || { cat "$work/report.json" >&2; exit 1; }
out=$("$collector" --db "$work/fleet.db" import "$work/report.json") || {
	echo "the collector refused the agent's report: $out" >&2
	exit 1
}
case "$out" in
*": stored host "*) ;;
*) echo "the collector did not store the agent's report: $out" >&2; exit 1 ;;
esac
