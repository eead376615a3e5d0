#!/bin/bash
# Issue 13, with the real collector: host strings a spreadsheet would run are
# neutralised in CSV only; bidi marks and line separators are escaped in
# tables; import DIR follows no symbolic link and quotes nothing of a file
# that is not a report; an empty directory imports under the sanitizers; no
# status word is said twice.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

# 1. CSV injection: =, +, -, @ at the start of a host name, tab at the start
# of a product name
i=0
for hn in '=1+1' '+SUM(1)' '-2+3' '@SUM(A1)'; do
	i=$((i + 1))
	gen_report "$hn" "$i" 8 > "$work/f$i.json"
	C import "$work/f$i.json" > /dev/null
done
gen_report plain-05 5 8 's/"PowerEdge R640"/"\\t=HYPERLINK(1)"/' > "$work/f5.json"
C import "$work/f5.json" > /dev/null
C report --format csv fleet > "$work/fleet.csv"
# (stored under their keys, ASCII lower case: proto/hostname.h)
for hn in '=1+1' '+sum(1)' '-2+3' '@sum(a1)'; do
	grep -q -F -x -e "\"'$hn\"" <(cut -d, -f1 "$work/fleet.csv") || fail "csv: $hn not neutralised"
done
grep -q -F "\"'\\t=HYPERLINK(1)\"" "$work/fleet.csv" || fail "csv: tab-led product name not neutralised"
# no cell of any csv starts with a formula character
for what in fleet devices; do
	C report --format csv "$what" > "$work/$what.csv"
	if grep -q -E '(^|,)[-=+@]' "$work/$what.csv"; then
		fail "$what.csv: a cell starts with a formula character"
	fi
done
# json and the views keep them verbatim (keyed), the report's spelling too
C report --format json fleet > "$work/fleet.json"
expect "json verbatim" "$(q :memory: "SELECT group_concat(value ->> 'hostname', ' ') FROM json_each(readfile('$work/fleet.json')) WHERE value ->> 'hostname' <> 'plain-05'" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' '+sum(1)' '-2+3' '=1+1' '@sum(a1)' | sort | tr '\n' ' ')"
expect "view verbatim" "$(q "$db" "SELECT count(*) FROM host_status WHERE hostname IN ('=1+1', '+sum(1)', '-2+3', '@sum(a1)')")" 4
expect "report's spelling" "$(q "$db" "SELECT count(*) FROM contents WHERE reported_hostname IN ('=1+1', '+SUM(1)', '-2+3', '@SUM(A1)')")" 4
C report --format table fleet > "$work/fleet.table"
grep -q -F '=1+1 ' "$work/fleet.table" || fail "table: host name changed"

# 2. bidi marks and line separators: escaped in tables, valid in json
gen_report bidi-06 6 8 's/"PowerEdge R640"/"Power\\u200fEdge\\u2028R640\\u2029x\\u061cy\\u200ez"/' > "$work/bidi.json"
C import "$work/bidi.json" > /dev/null
for fmt in table csv json; do
	C report --format "$fmt" host bidi-06 > "$work/bidi.$fmt"
	if LC_ALL=C grep -q -P '\xe2\x80[\x8e\x8f\xa8\xa9]|\xd8\x9c' "$work/bidi.$fmt"; then
		fail "bidi.$fmt: raw bidi mark or line separator"
	fi
done
grep -q -F 'Power\xe2\x80\x8fEdge\xe2\x80\xa8R640\xe2\x80\xa9x\xd8\x9cy\xe2\x80\x8ez' "$work/bidi.table" ||
	fail "table: escaped product name not shown"
grep -q -F 'Power\u200fEdge\u2028R640\u2029x\u061cy\u200ez' "$work/bidi.json" ||
	fail "json: not the escapes that decode to the same text"
expect "stored verbatim" "$(q "$db" "SELECT hex(product_name) FROM host_status WHERE hostname = 'bidi-06'")" \
	"$(printf 'Power\342\200\217Edge\342\200\250R640\342\200\251x\330\234y\342\200\216z' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"

# 3. import DIR follows no link; a file that is not a report is not quoted
mkdir "$work/in" "$work/elsewhere"
printf 'root:SECRET-HASH:19000:0:99999:7:::\n' > "$work/elsewhere/shadow"
gen_report linked-07 7 8 > "$work/elsewhere/linked.json"
gen_report named-08 8 8 > "$work/elsewhere/named.json"
gen_report real-09 9 8 > "$work/in/real.json"
printf 'SECRET-TOKEN-abcdef\n' > "$work/in/notjson.json"
ln -s "$work/elsewhere/shadow" "$work/in/shadow.json"
ln -s "$work/elsewhere/linked.json" "$work/in/linked.json"
ln -s "$work/elsewhere" "$work/in/dir.json"
ln -s "$work/elsewhere/named.json" "$work/named-link.json"
set +e
C import "$work/in" "$work/named-link.json" > "$work/import.out" 2> "$work/import.err"
rc=$?
set -e
expect "import exit (one file rejected)" "$rc" 3
if grep -q SECRET "$work/import.out" "$work/import.err"; then
	fail "file content quoted: $(cat "$work/import.out" "$work/import.err")"
fi
expect "not JSON, no quote" "$(grep -F notjson.json "$work/import.out")" \
	"$work/in/notjson.json: rejected: not JSON: line 1 column 6: '[' or '{' expected"
for l in shadow linked dir; do
	grep -q -F "$work/in/$l.json: a symbolic link, not followed" "$work/import.err" ||
		fail "no warning for link $l: $(cat "$work/import.err")"
	if grep -q -F "$work/in/$l.json:" "$work/import.out"; then
		fail "link $l was read"
	fi
done
expect "linked report not imported" "$(q "$db" "SELECT count(*) FROM hosts WHERE hostname = 'linked-07'")" 0
expect "real report imported" "$(q "$db" "SELECT count(*) FROM hosts WHERE hostname = 'real-09'")" 1
# a link named on the command line is the user's choice: followed
expect "named link imported" "$(q "$db" "SELECT count(*) FROM hosts WHERE hostname = 'named-08'")" 1

# 4. an empty directory (qsort of nothing): fine under ASan + UBSan
mkdir "$work/empty"
set +e
C import "$work/empty" > "$work/empty.out" 2> "$work/empty.err"
rc=$?
set -e
expect "empty dir exit" "$rc" 0
if grep -q -i -E 'runtime error|sanitizer' "$work/empty.err"; then
	fail "empty dir: $(cat "$work/empty.err")"
fi
expect "empty dir says nothing on stdout" "$(cat "$work/empty.out")" ""

# 5. a status word is said once: "FILE: rejected: why", never "rejected:
# rejected:" (nor "duplicate: duplicate", "wrong-host: wrong-host")
printf '{' > "$work/in/trunc.json"
set +e
C import "$work/in" "$work/f1.json" "$work/nonexistent.json" > "$work/words.out" 2> "$work/words.err"
set -e
if grep -q -E '\b(rejected|duplicate|wrong-host|db-error|stored|unchanged): \1\b' "$work/words.out" "$work/words.err"; then
	fail "doubled status word: $(cat "$work/words.out" "$work/words.err")"
fi
grep -q -F "$work/f1.json: duplicate host =1+1 report" "$work/words.out" || fail "duplicate line: $(cat "$work/words.out")"
grep -q -F "$work/in/trunc.json: rejected: not JSON" "$work/words.out" || fail "rejected line"
echo ok
