#!/bin/bash
# Bad input: truncated, huge, deeply nested, duplicate-key, invalid UTF-8,
# wrong format / version, missing fields are rejected and change nothing in
# the database; hostile strings are stored inert and never printed raw.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

gen_report good-01 1 8 > "$work/good.json"
C import "$work/good.json" > /dev/null

# reject NAME FILE REASON-GLOB: rejected with that reason, database unchanged
reject() {
	local name=$1 file=$2 want=$3 before after out rc
	before=$(sqlite3 "$db" .dump | sha256sum)
	set +e
	out=$(C import "$file" 2>&1)
	rc=$?
	set -e
	expect "$name: exit code" "$rc" 3
	case "$out" in
	"$file: rejected: "$want) ;;
	*) fail "$name: got [$out], want [rejected: $want]" ;;
	esac
	case "$out" in *[$'\001'-$'\010\013'-$'\037\177']*) fail "$name: control byte in output" ;; esac
	after=$(sqlite3 "$db" .dump | sha256sum)
	expect "$name: database unchanged" "$after" "$before"
}

head -c 20000 "$work/good.json" > "$work/truncated.json"
reject truncated "$work/truncated.json" "not JSON*"

{ printf '{"pad": "'; head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' a; printf '"}'; } > "$work/huge.json"
reject huge "$work/huge.json" "over the size limit*"

{ head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; } > "$work/deep.json"
reject deep "$work/deep.json" "*nested too deep*"
# deep but within jansson's limit: our depth limit still applies
gen_report deep-02 2 8 's/"errors": \[\]/"errors": [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]/' > "$work/deep2.json"
reject deep-in-report "$work/deep2.json" "*"

gen_report dup-03 3 8 's/"verdict": "ready",/"verdict": "ready", "verdict": "not-ready",/' > "$work/dupkey.json"
reject duplicate-key "$work/dupkey.json" "*duplicate*"

gen_report utf8-04 4 8 "s/PowerEdge R640/PowerEdge \xff\xfe R640/" > "$work/utf8.json"
reject invalid-utf8 "$work/utf8.json" "*"

gen_report fmt-05 5 8 's/"iommu-fleet.report"/"other.report"/' > "$work/format.json"
reject wrong-format "$work/format.json" "*format*"
gen_report ver-06 6 8 's/"version": 1,/"version": 2,/' > "$work/version.json"
reject wrong-version "$work/version.json" "*version*"
gen_report miss-07 7 8 '/"collected_at"/d' > "$work/missing.json"
reject missing-field "$work/missing.json" "*collected_at*"
gen_report 'ctl\\u001b[2J' 8 8 > "$work/ctlhost.json"
reject control-hostname "$work/ctlhost.json" "*hostname*"
printf '\0\0\0' > "$work/nul.json"
reject nul-bytes "$work/nul.json" "*"
: > "$work/empty.json"
reject empty "$work/empty.json" "*"

# hostile strings: stored as data, inert in SQL and on the terminal (the
# decoder drops control characters but tab; a tab and a bidi override
# survive into the database and must be escaped on output)
hn="x'); DROP TABLE hosts; --"
hk="x'); drop table hosts; --" # its key (proto/hostname.h hostname_key)
gen_report "$hn" 9 8 's/"PowerEdge R640"/"Power\\u001b]0;owned\\u0007\\u001b[2JEdge\\r\\nR640\\t\\u202egnp.exe"/; s/"tg3"/"<script>alert(1)<\/script>"/' > "$work/hostile.json"
out=$(C import "$work/hostile.json")
expect "hostile stored" "${out#*: }" "stored host $hk report 6f1c2b9e-8d4a-4e55-9a7b-000000000009"
expect "tables intact" "$(q "$db" "SELECT count(*) FROM hosts")" 2
expect "stored verbatim" "$(q "$db" "SELECT hex(product_name) FROM host_status WHERE hostname = '$(printf '%s' "$hk" | sed "s/'/''/g")'")" \
	"$(printf 'Power]0;owned[2JEdgeR640\t\342\200\256gnp.exe' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
for fmt in table csv json; do
	C report --format "$fmt" fleet > "$work/fleet.$fmt"
	C report --format "$fmt" devices > "$work/devices.$fmt"
	C report --format "$fmt" host "$hn" > "$work/host.$fmt"
	for f in "$work/fleet.$fmt" "$work/devices.$fmt" "$work/host.$fmt"; do
		if LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f\x7f]|\xe2\x80\xae' "$f"; then
			fail "$f: raw control character or bidi override in output"
		fi
	done
done
grep -q -F 'Power]0;owned[2JEdgeR640\t\xe2\x80\xaegnp.exe' "$work/host.table" || fail "escaped product name not shown"
expect "csv is still one line per host" "$(wc -l < "$work/fleet.csv")" 3
expect "json parses" "$(q :memory: "SELECT json_extract(readfile('$work/fleet.json'), '\$[1].product_name')")" \
	"$(printf 'Power]0;owned[2JEdgeR640\t\342\200\256gnp.exe')"
echo ok
