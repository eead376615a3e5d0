#!/bin/bash
# store_migrate.sh - an existing database upgrades in place, and a file that
# is not a fleet database is refused untouched.
#  1. A schema-5 database (made by the sqlite3 CLI from schema/001..005, rows
#     SYNTHETIC) where a report stamped in 2030 pinned its host's latest:
#     opened by the collector, latest is the report received last, for
#     every host, and the history ends where host_status is.
#  2. The same database had "R640-01.", "r640-01" and "R640-01" as three
#     hosts: they are one host "r640-01" with every history, a content two
#     of them had kept once; "web1" and "WEB1" merge keeping a change from a
#     pruned report; "x.." and "x." are two hosts ("x.." and "x"), not a
#     failed migration.
#  3. An SQLite file with an unrelated table: hosts, hosts prune, report
#     and import fail (exit 1) naming the file, and its bytes are unchanged;
#     an empty file is made a fleet database as before.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

cat "$SOURCE_DIR"/schema/00[1-5]-*.sql > "$work/schema5.sql"
echo "PRAGMA user_version = 5;" >> "$work/schema5.sql"
sqlite3 -batch -bail "$db" < "$work/schema5.sql"
# one content row: id, host, sha256, kernel
content() {
	echo "INSERT INTO contents (id, host_id, sha256, kernel, group_count, device_count,"
	echo " verdict, report_json) VALUES ($1, $2, '$3', '$4', 1, 1, 'ready', '{}');"
}
# one observation: id, host, content, collected_at, received_at
obs() {
	echo "INSERT INTO observations (id, host_id, content_id, report_id, collected_at,"
	echo " received_at, transport) VALUES ($1, $2, $3, 'r$1', '$4', '$5', 'import');"
}
{
	echo "PRAGMA foreign_keys = ON;" # as the collector has it: history rows cascade
	echo "INSERT INTO hosts (id, hostname, first_seen) VALUES"
	echo " (1, 'pinned', '2026-01-01T00:00:00Z'), (2, 'R640-01.', '2026-02-01T00:00:00Z'),"
	echo " (3, 'r640-01', '2026-03-01T00:00:00Z'), (4, 'steady', '2026-01-01T00:00:00Z'),"
	echo " (5, 'R640-01', '2026-03-02T00:00:00Z'), (6, 'x..', '2026-01-01T00:00:00Z'),"
	echo " (7, 'x.', '2026-01-01T00:00:00Z'), (8, 'web1', '2026-01-01T00:00:00Z'),"
	echo " (9, 'WEB1', '2026-01-01T00:00:00Z');"
	content 1 1 aa 6.1-old
	content 2 1 bb 6.1-new
	obs 1 1 1 2030-01-01T00:00:00Z 2026-01-01T00:00:00Z
	obs 2 1 2 2026-01-02T00:00:00Z 2026-01-02T00:00:00Z
	obs 3 1 2 2026-01-03T00:00:00Z 2026-01-03T00:00:00Z
	content 3 2 cc 5.10
	content 4 2 dd 6.0
	content 5 3 dd 6.0
	obs 4 2 3 2026-02-01T00:00:00Z 2026-02-01T00:00:00Z
	obs 5 2 4 2026-02-02T00:00:00Z 2026-02-02T00:00:00Z
	obs 6 3 5 2026-03-01T00:00:00Z 2026-03-01T00:00:00Z
	content 8 3 gg 6.3
	content 9 5 gg 6.3
	obs 9 3 8 2026-03-02T00:00:00Z 2026-03-02T00:00:00Z
	obs 10 5 9 2026-03-03T00:00:00Z 2026-03-03T00:00:00Z
	content 6 4 ee 6.1
	content 7 4 ff 6.2
	obs 7 4 6 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z
	obs 8 4 7 2026-01-02T00:00:00Z 2026-01-02T00:00:00Z
	# web1: 5.10 -> 6.1, the 5.10 report pruned since (its change kept by
	# 005's copied values); WEB1, the same machine, later on 6.2
	content 10 8 hh 5.10
	content 11 8 ii 6.1
	content 12 9 jj 6.2
	obs 11 8 10 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z
	obs 12 8 11 2026-01-02T00:00:00Z 2026-01-02T00:00:00Z
	obs 13 9 12 2026-01-03T00:00:00Z 2026-01-03T00:00:00Z
	echo "DELETE FROM observations WHERE id = 11;"
	echo "INSERT INTO collection_attempts (id, host_id, started_at, transport, status)"
	echo " VALUES (1, 2, '2026-02-02T00:00:00Z', 'import', 'stored'),"
	echo " (2, 3, '2026-03-01T00:00:00Z', 'import', 'stored');"
	echo "INSERT INTO host_group_members VALUES (2, 'gpu'), (3, 'gpu'), (3, 'rack1');"
	# what schema 5 kept: latest by claimed time
	echo "UPDATE hosts SET latest_observation_id = (SELECT id FROM observations o"
	echo " WHERE o.host_id = hosts.id ORDER BY collected_at DESC, id DESC LIMIT 1),"
	echo " last_attempt_id = (SELECT max(id) FROM collection_attempts a WHERE a.host_id = hosts.id);"
} | sqlite3 -batch -bail "$db"
expect "schema 5: the 2030 report pinned latest" \
	"$(q "$db" "SELECT kernel FROM host_status WHERE hostname = 'pinned'")" 6.1-old
expect "schema 5: three spellings, three hosts" "$(q "$db" "SELECT count(*) FROM hosts")" 9
steady_changes=$(q "$db" "SELECT group_concat(field || '=' || old_value || '>' || new_value) FROM host_changes WHERE hostname = 'steady'")

C hosts --format csv > "$work/hosts.csv"
expect "migrated" "$(q "$db" "PRAGMA user_version")" "$("$COLLECTOR" --version | sed -n 's/.*schema \([0-9]*\).*/\1/p')"

# 1. latest by receipt, history ending where host_status is
expect "latest by receipt" \
	"$(q "$db" "SELECT kernel || ' ' || collected_at || ' ' || received_at FROM host_status WHERE hostname = 'pinned'")" \
	"6.1-new 2026-01-03T00:00:00Z 2026-01-03T00:00:00Z"
expect "history by receipt" \
	"$(q "$db" "SELECT group_concat(old_value || '>' || new_value) FROM host_changes WHERE hostname = 'pinned' AND field = 'kernel'")" \
	"6.1-old>6.1-new"
expect "a host whose orders agree keeps its history" \
	"$(q "$db" "SELECT group_concat(field || '=' || old_value || '>' || new_value) FROM host_changes WHERE hostname = 'steady'")" \
	"$steady_changes"
[ -n "$steady_changes" ] || fail "steady had no history to keep"
grep -q '^pinned,.*,2026-01-03T00:00:00Z,' "$work/hosts.csv" || fail "hosts: $(cat "$work/hosts.csv")"

# 2. one host per key, both histories, shared content once
expect "hosts after merge" "$(q "$db" "SELECT group_concat(hostname) FROM (SELECT hostname FROM hosts ORDER BY hostname)")" \
	"pinned,r640-01,steady,web1,x,x.."
expect "a history from a pruned report survives the merge" \
	"$(q "$db" "SELECT group_concat(old_value || '>' || new_value) FROM (SELECT * FROM host_changes WHERE hostname = 'web1' AND field = 'kernel' ORDER BY received_at)")" \
	"5.10>6.1,6.1>6.2"
expect "merged host keeps every observation" \
	"$(q "$db" "SELECT count(*) FROM observations o JOIN hosts h ON h.id = o.host_id WHERE h.hostname = 'r640-01'")" 5
expect "a content two had, once" \
	"$(q "$db" "SELECT group_concat(sha256) FROM (SELECT sha256 FROM contents c JOIN hosts h ON h.id = c.host_id WHERE h.hostname = 'r640-01' ORDER BY sha256)")" \
	"cc,dd,gg"
expect "merged host: first seen, latest, attempts, groups" \
	"$(q "$db" "SELECT h.first_seen || ' ' || s.kernel || ' ' || s.received_at || ' ' || s.groups || ' ' || (SELECT count(*) FROM attempts a WHERE a.hostname = h.hostname) FROM hosts h JOIN host_status s USING (hostname) WHERE h.hostname = 'r640-01'")" \
	"2026-02-01T00:00:00Z 6.3 2026-03-03T00:00:00Z gpu,rack1 2"
expect "merged history" \
	"$(q "$db" "SELECT group_concat(old_value || '>' || new_value) FROM (SELECT * FROM host_changes WHERE hostname = 'r640-01' AND field = 'kernel' ORDER BY received_at)")" \
	"5.10>6.0,6.0>6.3"
[ "$(q "$db" "PRAGMA foreign_key_check")" = "" ] || fail "foreign keys: $(q "$db" "PRAGMA foreign_key_check")"
# a new report of either spelling lands on the one host
gen_report 'R640-01.' 1 8 > "$work/r.json"
C import "$work/r.json" > /dev/null
expect "import after merge" "$(q "$db" "SELECT count(*) FROM hosts WHERE hostname LIKE 'r640%'")" 1

# 3. someone else's SQLite file
other=$work/other.db
sqlite3 -batch -bail "$other" "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'x');"
before=$(sha256sum < "$other")
for cmd in "hosts" "hosts prune --older-than 1d" "report fleet" "import $work/r.json"; do
	set +e
	# shellcheck disable=SC2086
	"$COLLECTOR" --db "$other" $cmd > /dev/null 2> "$work/err"
	rc=$?
	set -e
	expect "$cmd on another database: exit" "$rc" 1
	grep -q "$other: not an iommu-fleet database" "$work/err" || fail "$cmd: $(cat "$work/err")"
	grep -q -- "--db PATH" "$work/err" || fail "$cmd: no fix named: $(cat "$work/err")"
	expect "$cmd: the file is unchanged" "$(sha256sum < "$other")" "$before"
	[ ! -e "$other-wal" ] || fail "$cmd: left $other-wal"
done
expect "its table" "$(q "$other" "SELECT name FROM accounts")" x

# an empty file is made a fleet database, as a missing one is
: > "$work/empty.db"
"$COLLECTOR" --db "$work/empty.db" hosts > /dev/null
expect "empty file migrated" "$(q "$work/empty.db" "SELECT count(*) FROM sqlite_master WHERE name = 'hosts'")" 1
echo ok
