#!/bin/sh
# Run the real agent on one fixture case and check its report.
# usage: run_fixture.sh AGENT FIXTURE_CHECK CASE_DIR
set -eu
agent=$1 check=$2 case=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$case/root"
[ -d "$root" ] || { root="$work/empty-root"; mkdir "$root"; }
set -- --root "$root"
[ -f "$case/kernel.log" ] && set -- "$@" --kernel-log "$case/kernel.log"
"$agent" "$@" --pretty > "$work/report.json"
"$check" "$work/report.json" "$case/expect" || { cat "$work/report.json" >&2; exit 1; }
