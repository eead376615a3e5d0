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

# pull's timeouts out of range, from the file: file:line, the key, the
# value and the range, exit 2; below, above, and not a number
printf 'db = conf.db\nconnect_timeout = 0\n' > ct.conf
expect "connect_timeout 0" "$(status "$COLLECTOR" --config ct.conf pull h1)" 2
grep -q 'ct.conf:2: connect_timeout "0": not a number from 1 to 3600' err ||
	fail "connect_timeout 0: $(cat err)"
printf '# pull\n\ndb = conf.db\nconnect_timeout = 3601\n' > ct.conf
expect "connect_timeout 3601" "$(status "$COLLECTOR" --config ct.conf pull h1)" 2
grep -q 'ct.conf:4: connect_timeout "3601": not a number from 1 to 3600' err ||
	fail "connect_timeout 3601: $(cat err)"
printf 'db = conf.db\ntimeout = 86401\n' > to.conf
expect "timeout 86401" "$(status "$COLLECTOR" --config to.conf pull h1)" 2
grep -q 'to.conf:2: timeout "86401": not a number from 1 to 86400' err ||
	fail "timeout 86401: $(cat err)"
printf 'db = conf.db\n\ntimeout = 2m\n' > to.conf
expect "timeout 2m" "$(status "$COLLECTOR" --config to.conf pull h1)" 2
grep -q 'to.conf:3: timeout "2m": not a number from 1 to 86400' err ||
	fail "timeout 2m: $(cat err)"
printf 'db = conf.db\nconnect_timeout =\n' > ct.conf
expect "connect_timeout empty" "$(status "$COLLECTOR" --config ct.conf pull h1)" 2
grep -q 'ct.conf:2: connect_timeout: empty' err || fail "connect_timeout empty: $(cat err)"
expect "--timeout 0" "$(status "$COLLECTOR" --db conf.db pull --timeout 0 h1)" 2
grep -q -- '--timeout "0": not a number from 1 to 86400' err || fail "--timeout 0: $(cat err)"
# the command line wins over a good value in the file, and is checked
printf 'db = conf.db\ntimeout = 60\n' > to.conf
expect "--connect-timeout over the file" \
	"$(status "$COLLECTOR" --config to.conf pull --connect-timeout 3601 h1)" 2
grep -q -- '--connect-timeout "3601": not a number from 1 to 3600' err ||
	fail "--connect-timeout 3601: $(cat err)"

# tls_cert without tls_key in the file: a usage error before anything
# listens, naming the file:line of the one that is there; an empty one too.
printf 'db = conf.db\ntls_cert = %s/cert.pem\n' "$work" > tls.conf
expect "tls_cert alone" "$(status "$COLLECTOR" --config tls.conf serve)" 2
grep -q -- 'tls.conf:2: tls_cert: without tls_key: --tls-cert and --tls-key go together' err ||
	fail "tls_cert alone: $(cat err)"
printf 'db = conf.db\ntls_key = %s/key.pem\n' "$work" > tls.conf
expect "tls_key alone" "$(status "$COLLECTOR" --config tls.conf serve)" 2
grep -q -- 'tls.conf:2: tls_key: without tls_cert: --tls-cert and --tls-key go together' err ||
	fail "tls_key alone: $(cat err)"
printf 'db = conf.db\ntls_key = %s/key.pem\ntls_cert =\n' "$work" > tls.conf
expect "tls_cert empty" "$(status "$COLLECTOR" --config tls.conf serve)" 2
grep -q -- 'tls.conf:3: tls_cert: empty' err || fail "tls_cert empty: $(cat err)"

# an empty db = is an error naming file:line, whatever the command, and
# creates nothing; $IOMMU_FLEET_DB and --db still win over it
mkdir emptydb
printf '# no value\ndb =\n' > emptydb/db.conf
expect "db empty" "$(cd emptydb && status "$COLLECTOR" --config db.conf import "$work/r1.json")" 2
grep -q 'db.conf:2: db: empty' err || fail "db empty: $(cat err)"
expect "db empty, report" "$(cd emptydb && status "$COLLECTOR" --config db.conf report fleet)" 2
grep -q 'db.conf:2: db: empty' err || fail "db empty, report: $(cat err)"
expect "db empty: nothing created" "$(ls -A emptydb)" db.conf
expect "--db over an empty db =" \
	"$(status "$COLLECTOR" --config emptydb/db.conf --db conf.db report fleet)" 0

# a config file that cannot be read: its path and why, exit 1
mkdir dir.conf
expect "config is a directory" "$(status "$COLLECTOR" --config dir.conf report fleet)" 1
grep -q 'dir.conf: Is a directory' err || fail "config is a directory: $(cat err)"
printf 'db = conf.db\n' > unreadable.conf
chmod 000 unreadable.conf
if [ "$(id -u)" -ne 0 ]; then
	expect "unreadable config" "$(status "$COLLECTOR" --config unreadable.conf report fleet)" 1
	grep -q 'unreadable.conf: Permission denied' err || fail "unreadable config: $(cat err)"
elif command -v setpriv > /dev/null; then
	# root reads any file: run it as nobody (the directory made passable)
	chmod 711 "$work"
	expect "unreadable config" "$(status setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$COLLECTOR" --config "$work/unreadable.conf" report fleet)" 1
	grep -q 'unreadable.conf: Permission denied' err || fail "unreadable config: $(cat err)"
else
	echo "SKIP: unreadable config (root, and no setpriv to drop it)"
fi

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
