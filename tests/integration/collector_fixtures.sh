#!/bin/bash
# The real agent's reports of every fixture case (and of this machine),
# imported by the real collector; the views, read with the real sqlite3,
# agree with the reports and with the cases' expectations.
set -eu
: "${COLLECTOR:?}" "${AGENT:?}" "${FIXTURES:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
mkdir "$work/reports" "$work/empty-root"

ncases=0
for dir in "$FIXTURES"/*/; do
	case=$(basename "$dir")
	[ -f "$dir/expect" ] || continue
	root=$dir/root
	[ -d "$root" ] || root=$work/empty-root
	# one host per case: the case name stands in for the host name
	set -- --root "$root" --hostname "$case"
	[ -f "$dir/kernel.log" ] && set -- "$@" --kernel-log "$dir/kernel.log"
	"$AGENT" "$@" --pretty > "$work/reports/$case.json" || [ $? -eq 3 ] || fail "$case: agent failed"
	ncases=$((ncases + 1))
done
[ "$ncases" -gt 0 ] || fail "no fixture cases in $FIXTURES"

"$COLLECTOR" --db "$db" import "$work/reports" > "$work/import.out"
expect "stored" "$(grep -c ': stored host ' "$work/import.out")" "$ncases"
expect "host_status rows" "$(q "$db" 'SELECT count(*) FROM host_status')" "$ncases"

# views against the stored raw reports
expect "host_status vs report" "$(q "$db" "
	SELECT count(*) FROM host_status s
	JOIN hosts h ON h.hostname = s.hostname
	JOIN observations o ON o.id = h.latest_observation_id
	JOIN contents c ON c.id = o.content_id
	WHERE s.iommu_vendor IS NOT json_extract(c.report_json, '\$.iommu.vendor')
	   OR s.dma_faults IS NOT json_extract(c.report_json, '\$.kernel_log.fault_total')
	   OR s.firmware_bugs IS NOT json_extract(c.report_json, '\$.kernel_log.firmware_bugs')
	   OR s.verdict IS NOT json_extract(c.report_json, '\$.verdict')
	   OR s.group_count IS NOT json_array_length(c.report_json, '\$.iommu.groups')
	   OR s.iommu_enabled IS NOT json_extract(c.report_json, '\$.iommu.enabled')
	   OR s.interrupt_remapping IS NOT json_extract(c.report_json, '\$.iommu.interrupt_remapping.enabled')")" 0
expect "faults vs report" "$(q "$db" "
	SELECT count(*) FROM contents c
	WHERE (SELECT count(*) FROM faults f WHERE f.content_id = c.id)
	   IS NOT json_array_length(c.report_json, '\$.kernel_log.faults')
	   OR (SELECT count(*) FROM kernel_log_lines l WHERE l.content_id = c.id)
	   IS NOT json_array_length(c.report_json, '\$.kernel_log.lines')")" 0

# and against what each case's expect file says
for dir in "$FIXTURES"/*/; do
	case=$(basename "$dir")
	[ -f "$dir/expect" ] || continue
	want=$(sed -n 's/^kernel_log\.fault_total = \([0-9]*\) *$/\1/p' "$dir/expect")
	[ -n "$want" ] && expect "$case: dma_faults" \
		"$(q "$db" "SELECT dma_faults FROM host_status WHERE hostname = '$case'")" "$want"
	want=$(sed -n 's/^iommu\.vendor = "\([a-z]*\)" *$/\1/p' "$dir/expect")
	[ -n "$want" ] && expect "$case: iommu_vendor" \
		"$(q "$db" "SELECT iommu_vendor FROM host_status WHERE hostname = '$case'")" "$want"
	want=$(sed -n 's/^verdict = "\([a-z-]*\)" *$/\1/p' "$dir/expect")
	[ -n "$want" ] && expect "$case: verdict" \
		"$(q "$db" "SELECT verdict FROM host_status WHERE hostname = '$case'")" "$want"
done

# the README's first command: audit this machine, then report fleet
live=$work/live.db
"$AGENT" > "$work/live.json" || [ $? -eq 3 ] || fail "agent on this machine failed"
"$COLLECTOR" --db "$live" import "$work/live.json" > /dev/null
"$COLLECTOR" --db "$live" report fleet > "$work/fleet.txt"
expect "fleet of this machine" "$(wc -l < "$work/fleet.txt")" 2
expect "fleet host" "$(sed -n 2p "$work/fleet.txt" | awk '{print $1}')" \
	"$(q "$live" 'SELECT hostname FROM host_status')"
echo ok
