#!/bin/bash
# collector_config.sh - the collector's settings: --config FILE (db and the
# serve / pull settings, iommu-fleet.conf(5)) under $IOMMU_FLEET_DB and the
# command line; errors that name file:line and exit 2; read-only commands
# that never create a database; "help CMD".
set -euo pipefail
. "${SOURCE_DIR:?}/tests/integration/data/collector-lib.sh"
: "${COLLECTOR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset IOMMU_FLEET_DB

# status CMD...: the exit status, stderr in $work/err
status() {
	set +e
	"$@" > "$work/out" 2> "$work/err"
	local rc=$?
	set -e
	echo "$rc"
}

gen_report cfg-01 1 8 > r1.json
printf '# the fleet\n\ndb = %s/conf.db\n' "$work" > fleet.conf
"$COLLECTOR" --config fleet.conf import r1.json > /dev/null
expect "db from the file" "$(q conf.db 'SELECT hostname FROM host_status')" cfg-01
gen_report cfg-02 2 8 > r2.json
IOMMU_FLEET_DB=$work/env.db "$COLLECTOR" --config fleet.conf import r2.json > /dev/null
expect "the environment over the file" "$(q env.db 'SELECT hostname FROM host_status')" cfg-02
gen_report cfg-03 3 8 > r3.json
IOMMU_FLEET_DB=$work/env.db "$COLLECTOR" --config fleet.conf --db opt.db import r3.json > /dev/null
expect "--db over both" "$(q opt.db 'SELECT hostname FROM host_status')" cfg-03

# bad files: the file and the line, exit 2; an unreadable file: exit 1
printf 'db = x.db\nlisten_addr = 0.0.0.0:1\n' > bad.conf
expect "unknown key" "$(status "$COLLECTOR" --config bad.conf report fleet)" 2
grep -q 'bad.conf:2: unknown key "listen_addr"' err || fail "unknown key: $(cat err)"
expect "missing file" "$(status "$COLLECTOR" --config nosuch.conf report fleet)" 1
grep -q 'nosuch.conf: No such file or directory' err || fail "missing file: $(cat err)"
printf 'db = conf.db\njobs = 0\n' > jobs.conf
expect "bad jobs" "$(status "$COLLECTOR" --config jobs.conf pull h1)" 2
grep -q 'jobs.conf:2: jobs "0": not a number from 1 to 1024' err || fail "bad jobs: $(cat err)"
expect "bad --jobs" "$(status "$COLLECTOR" --db conf.db pull --jobs 0 h1)" 2
grep -q -- '--jobs "0": not a number from 1 to 1024' err || fail "bad --jobs: $(cat err)"
printf 'db = conf.db\n\nlisten = localhost:8470\n' > listen.conf
expect "bad listen" "$(status "$COLLECTOR" --config listen.conf serve)" 2
grep -q 'listen.conf:3: listen: "localhost": not a numeric' err || fail "bad listen: $(cat err)"
expect "bad --listen" "$(status "$COLLECTOR" --db conf.db serve --listen localhost:8471)" 2

# a read-only command names the database it looked for and creates none
mkdir empty
expect "report, no database" "$(cd empty && status "$COLLECTOR" report fleet)" 1
grep -q 'fleet.db: no such database' err || fail "report, no database: $(cat err)"
expect "hosts, no database" "$(cd empty && status "$COLLECTOR" hosts)" 1
expect "token list, no database" "$(cd empty && status "$COLLECTOR" token list)" 1
expect "nothing created" "$(ls -A empty)" ""

# help CMD is CMD --help
"$COLLECTOR" help pull > help.out
grep -q '^usage: iommu-collector pull' help.out || fail "help pull: $(head -1 help.out)"
echo "collector_config: ok"
