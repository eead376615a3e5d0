#!/bin/bash
# Import generated reports with the real collector, then check the public
# views with the real sqlite3 CLI, the reports, hosts forget, migrations.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

# three R640s alike, one with interrupt remapping off; an upgrade of r640-01
gen_report r640-01 1 8 > "$work/a1.json"
gen_report r640-02 2 8 > "$work/a2.json"
gen_report r640-03 3 8 > "$work/a3.json"
gen_report r640-04 4 8 '/"interrupt_remapping"/,/}/s/"enabled": true/"enabled": false/' > "$work/a4.json"
gen_report r640-01 5 9 > "$work/b1.json"
gen_report r640-01 6 10 's/"kernel": "6.1.0-13-amd64"/"kernel": "6.1.0-15-amd64"/; s/"driver": "nvidia"/"driver": "vfio-pci"/' > "$work/c1.json"

out=$(C import "$work/a1.json" "$work/a2.json" "$work/a3.json" "$work/a4.json")
expect "import rc" "$?" 0
expect "import lines" "$(echo "$out" | grep -c ': stored host ')" 4
out=$(C import "$work/a1.json")
expect "duplicate" "$out" "$work/a1.json: duplicate host r640-01 report 6f1c2b9e-8d4a-4e55-9a7b-000000000001"
out=$(C import - < "$work/b1.json")
expect "unchanged" "$out" "-: unchanged host r640-01 report 6f1c2b9e-8d4a-4e55-9a7b-000000000005"
mkdir "$work/dir"
cp "$work/c1.json" "$work/dir/"
echo 'not a report' > "$work/dir/zz.json"
echo 'ignored, not *.json' > "$work/dir/README"
set +e
out=$(C import "$work/dir")
rc=$?
set -e
expect "dir import rc (one rejected)" "$rc" 3
expect "dir line 1" "$(echo "$out" | sed -n 1p)" "$work/dir/c1.json: stored host r640-01 report 6f1c2b9e-8d4a-4e55-9a7b-000000000006"
expect "dir line 2" "$(echo "$out" | sed -n 2p | cut -d: -f2-3)" " rejected: not JSON"
expect "dir lines" "$(echo "$out" | wc -l)" 2

# the views, through sqlite3
expect "journal" "$(q "$db" 'PRAGMA journal_mode')" wal
expect "host_status columns" "$(q "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('host_status')")" \
	"hostname,collected_at,kernel,product_name,bios_version,cpu_vendor,iommu_vendor,iommu_enabled,interrupt_remapping,irq_mode,default_domain,dma_faults,firmware_bugs,group_count,device_count,verdict,reason,last_attempt_status,last_error,groups,received_at"
expect "host_status r640-01" "$(q "$db" "SELECT collected_at, kernel, product_name, bios_version, iommu_vendor, iommu_enabled, interrupt_remapping, irq_mode, group_count, device_count, verdict, last_attempt_status FROM host_status WHERE hostname = 'r640-01'")" \
	"2026-11-23T10:00:00Z|6.1.0-15-amd64|PowerEdge R640|2.19.1|intel|1|1|x2apic|23|28|ready|stored"
expect "host_status rows" "$(q "$db" 'SELECT count(*) FROM host_status')" 4
expect "device_status columns" "$(q "$db" "SELECT group_concat(name, ',') FROM pragma_table_info('device_status')")" \
	"hostname,address,vendor_id,device_id,class,name,driver,iommu_group,group_size,isolated,reset_methods,verdict,reasons,role,critical,driver_override,sriov_totalvfs,sriov_numvfs,physfn,acs,preflight,blockers,preflight_warnings"
expect "device_status gpu" "$(q "$db" "SELECT vendor_id, device_id, class, driver, iommu_group, group_size, isolated, reset_methods, verdict FROM device_status WHERE hostname = 'r640-01' AND address = '0000:3b:00.0'")" \
	"10de|1eb8|030200|vfio-pci|18|1|1|flr bus|ready"
expect "device_status rows" "$(q "$db" 'SELECT count(*) FROM device_status')" $((4 * 28))
expect "host_changes" "$(q "$db" "SELECT hostname, changed_at, field, old_value, new_value FROM host_changes ORDER BY field")" \
	"r640-01|2026-11-23T10:00:00Z|driver 0000:3b:00.0|nvidia|vfio-pci
r640-01|2026-11-23T10:00:00Z|kernel|6.1.0-13-amd64|6.1.0-15-amd64"
expect "cohort_outliers" "$(q "$db" "SELECT hostname, product_name, bios_version, field, value, cohort_value, cohort_agree, cohort_size FROM cohort_outliers")" \
	"r640-04|PowerEdge R640|2.19.1|interrupt_remapping|0|1|3|4"
expect "attempts" "$(q "$db" "SELECT transport, status, count(*) FROM attempts WHERE hostname = 'r640-01' GROUP BY 1, 2 ORDER BY 2")" \
	"import|stored|2
import|unchanged|1"
expect "observations" "$(q "$db" "SELECT count(*) FROM observations")" 6
expect "contents" "$(q "$db" "SELECT count(*) FROM contents")" 5
expect "raw kept" "$(q "$db" "SELECT json_extract(report_json, '\$.host.dmi.product_name') FROM contents LIMIT 1")" "PowerEdge R640"

# reports
out=$(C report fleet)
expect "fleet header" "$(echo "$out" | sed -n 1p | tr -s ' ')" "hostname verdict iommu enabled intremap domain faults groups devices kernel collected_at last_attempt reason"
expect "fleet r640-04" "$(echo "$out" | grep '^r640-04' | awk '{print $2, $4, $5}')" "ready yes no"
case "$out" in *$'\033'*) fail "colour escape in a non-terminal table" ;; esac
expect "fleet csv rows" "$(C report --format csv fleet | wc -l)" 5
C report fleet --format json > "$work/fleet.json"
expect "fleet json" "$(q :memory: "SELECT json_array_length(readfile('$work/fleet.json'))")" 4
C report --format json host r640-01 > "$work/host.json"
expect "host json" "$(q :memory: "SELECT json_extract(readfile('$work/host.json'), '\$.host[0].kernel') || ' ' || json_array_length(readfile('$work/host.json'), '\$.devices')")" "6.1.0-15-amd64 28"
expect "changes csv" "$(C report --format csv changes r640-01 | sed -n 1p)" "hostname,changed_at,field,old_value,new_value,received_at"
expect "outliers" "$(C report --format csv outliers | tail -n 1 | cut -d, -f1,4)" "r640-04,interrupt_remapping"
expect "devices" "$(C report devices r640-02 | wc -l)" 29
set +e
C report host no-such-host > /dev/null 2>&1
expect "unknown host rc" "$?" 1
C report nonsense > /dev/null 2>&1
expect "usage rc" "$?" 2
C > /dev/null 2>&1
expect "no command rc" "$?" 2
set -e

# hosts, forget
expect "hosts" "$(C hosts --format csv | cut -d, -f1,3,4 | tr '\n' ' ')" "hostname,observations,distinct_reports r640-01,3,2 r640-02,1,1 r640-03,1,1 r640-04,1,1 "
expect "forget" "$(C hosts forget r640-01)" "forgot host r640-01"
expect "forgotten" "$(q "$db" "SELECT (SELECT count(*) FROM hosts WHERE hostname = 'r640-01') || (SELECT count(*) FROM observations) || (SELECT count(*) FROM attempts WHERE hostname = 'r640-01')")" "030"
set +e
C hosts forget r640-01 > /dev/null 2>&1
expect "forget unknown rc" "$?" 1
set -e

# $IOMMU_FLEET_DB is the default database
IOMMU_FLEET_DB=$work/env.db "$COLLECTOR" import "$work/a1.json" > /dev/null
expect "env db" "$(q "$work/env.db" 'SELECT hostname FROM host_status')" r640-01

# a long sqlite3 read transaction does not stop an import (WAL)
gen_report r640-09 9 8 > "$work/r9.json"
{ echo 'BEGIN; SELECT count(*) FROM hosts;'; sleep 3; echo 'COMMIT;'; } | sqlite3 "$db" > /dev/null &
reader=$!
sleep 0.5
out=$(C import "$work/r9.json")
expect "import during a read" "${out##*: }" "stored host r640-09 report 6f1c2b9e-8d4a-4e55-9a7b-000000000009"
# a writer holding the lock for a while: the import waits, then succeeds
gen_report r640-10 10 8 > "$work/r10.json"
{ echo 'BEGIN IMMEDIATE; UPDATE hosts SET first_seen = first_seen;'; sleep 2; echo 'COMMIT;'; } | sqlite3 "$db" > /dev/null &
writer=$!
sleep 0.5
out=$(C import "$work/r10.json")
expect "import after a writer" "${out##*: }" "stored host r640-10 report 6f1c2b9e-8d4a-4e55-9a7b-00000000000a"
wait "$reader" "$writer"

# a database from a newer collector is refused, and left alone
q "$db" 'PRAGMA user_version = 999'
set +e
err=$(C report fleet 2>&1 >/dev/null)
rc=$?
set -e
expect "newer db rc" "$rc" 1
case "$err" in *"schema version 999 is newer than this collector"*) ;; *) fail "newer db message: $err" ;; esac
expect "newer db untouched" "$(q "$db" 'PRAGMA user_version')" 999
echo ok
