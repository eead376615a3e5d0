#!/bin/bash
# host_key.sh - one host whatever the spelling of its name: a report of
# "R640-01." imported, one of "r640-01" imported, and one pushed over HTTP
# with a token made for "R640-01" are all host "r640-01": `hosts` lists
# one row with three observations, `report host` finds it by any spelling
# and serve answers with the stored name.
set -eu
. "$SOURCE_DIR/tests/integration/http_lib.bash"

report 'R640-01.' "$work/a.json"
report r640-01 "$work/b.json"
grep -q '"hostname":"R640-01\."' "$work/a.json" || fail "agent: $(head -c 300 "$work/a.json")"
"$COLLECTOR" import "$work/a.json" "$work/b.json" > "$work/import.out"
expect "import: one host" "$(q "SELECT group_concat(hostname) FROM hosts")" r640-01

token R640-01 "$work/tok"
report r640-01 "$work/c.json"
serve_start
expect "push" "$(post "$work/tok" "$work/c.json")" 201
# unchanged: the same content as the host's latest, the imported b.json
grep -q '"status":"unchanged",.*"host":"r640-01"' "$work/body" || fail "push answer: $(cat "$work/body")"
serve_stop

"$COLLECTOR" hosts --format csv > "$work/hosts.csv"
expect "hosts: one row" "$(grep -c '^r640-01,' "$work/hosts.csv")" 1
expect "hosts: no other row" "$(wc -l < "$work/hosts.csv")" 2
grep -q '^r640-01,[^,]*,3,2,' "$work/hosts.csv" || fail "hosts: $(cat "$work/hosts.csv")"
"$COLLECTOR" report --format csv host 'R640-01.' > "$work/host.csv" ||
	fail "report host R640-01.: $(cat "$work/host.csv")"
grep -q '^r640-01,' "$work/host.csv" || fail "report host: $(cat "$work/host.csv")"
expect "the report keeps its spelling" \
	"$(q "SELECT group_concat(reported_hostname) FROM (SELECT reported_hostname FROM contents ORDER BY id)")" \
	"R640-01.,r640-01"
echo ok
