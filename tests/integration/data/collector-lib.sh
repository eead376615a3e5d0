# collector-lib.sh - helpers sourced by tests/integration/collector_*.sh.
# Reports are made from report-template.json (a realistic version-1 report
# of a Dell PowerEdge R640) by substitution.

DATA=${SOURCE_DIR:?}/tests/integration/data
TEMPLATE=$DATA/report-template.json

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect NAME GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
}

# gen_report HOST N HOUR [SED-EXPR]: report of HOST with id number N and
# collected_at 2026-11-23 HOUR:00 (HOUR may exceed 23: days are added).
gen_report() {
	local host=$1 n=$2 hour=$3 extra=${4:-}
	local id day hh
	id=$(printf '6f1c2b9e-8d4a-4e55-9a7b-%012x' "$n")
	day=$((23 + hour / 24))
	hh=$((hour % 24))
	sed -e "s/6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b/$id/" \
	    -e "s/2026-11-23T08:00:00Z/$(printf '2026-11-%02dT%02d:00:00Z' "$day" "$hh")/" \
	    -e "s/\"hostname\": \"r640-01\"/\"hostname\": \"$host\"/" \
	    ${extra:+-e "$extra"} "$TEMPLATE"
}

# q DB SQL: one query through the real sqlite3 CLI
q() {
	sqlite3 -batch -bail "$1" "$2"
}
