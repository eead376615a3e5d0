#!/bin/bash
# pull_inventory.sh - pull reads Ansible inventories as they are: an INI and
# a YAML inventory with groups, children, host ranges, ansible_host /
# ansible_port / ansible_user and iommu_fleet_agent, pulled from a real
# sshd on loopback; --limit with groups, globs and exclusions; HOST
# arguments that select from the inventory; groups stored (host_groups,
# host_status.groups) and replaced by the next inventory; the identity hints
# (wrong-host says what to write, a bare address is warned about).
set -euo pipefail
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
T=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() { [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"; }
[ -d /run/sshd ] || mkdir -p /run/sshd
# shellcheck source=../lib/free_port.bash
. "$SOURCE_DIR/tests/lib/free_port.bash"
# shellcheck source=../lib/sshd.bash
. "$SOURCE_DIR/tests/lib/sshd.bash"

ssh-keygen -q -t ed25519 -N '' -C host -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -C user -f "$T/user"
cp "$T/user.pub" "$T/authorized_keys"
PORT=$(free_port_on 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4)
{
	for a in 1 2 3 4; do echo "ListenAddress 127.0.0.$a:$PORT"; done
	sshd_conf_common "$T/hostkey"
} >"$T/sshd.conf"
/usr/sbin/sshd -D -f "$T/sshd.conf" -e 2>>"$T/sshd.log" &
PIDS="$PIDS $!"
for a in 1 2 3 4; do wait_port "127.0.0.$a" "$PORT"; done
KEY=$(cut -d' ' -f1,2 "$T/hostkey.pub")
for a in 1 2 3 4; do echo "[127.0.0.$a]:$PORT $KEY"; done >"$T/known_hosts"
# another host's report, for the identity hint
sed 's/"hostname": "r640-01"/"hostname": "node17"/' \
	"$SOURCE_DIR/tests/integration/data/report-template.json" >"$T/node17.json"

# agentless (iommu_fleet_agent=none): the collector names each report after
# the inventory, whatever this machine calls itself
cat >"$T/fleet.ini" <<INI
# Ansible INI
[gpu]
gpu[1:2] ansible_host=127.0.0.2

[web]
web1 ansible_host=127.0.0.3

[prod:children]
gpu
web

[all:vars]
ansible_port=$PORT
ansible_user=root
iommu_fleet_agent=none
INI
cat >"$T/fleet.yml" <<YML
all:
  vars:
    ansible_port: $PORT
    ansible_user: root
    iommu_fleet_agent: none
  children:
    lab:
      hosts:
        gpu1:
          ansible_host: 127.0.0.2
        web1:
          ansible_host: 127.0.0.3
YML
DB=$T/fleet.db
P() {
	HOME=$T "$COLLECTOR" --db "$DB" pull --known-hosts "$T/known_hosts" \
		--identity "$T/user" --jobs 4 --no-progress "$@"
}
q() { sqlite3 -batch "$DB" "$1"; }
attempts() { q "SELECT hostname || ':' || count(*) FROM attempts GROUP BY hostname ORDER BY hostname" | tr '\n' ' '; }

P --inventory "$T/fleet.ini" >"$T/out" 2>"$T/err" || fail "ini pull: $(cat "$T/out" "$T/err")"
expect "ini: stored" "$(q "SELECT hostname || '=' || last_attempt_status FROM host_status ORDER BY hostname" | tr '\n' ' ')" \
	"gpu1=stored gpu2=stored web1=stored "
expect "ini: groups" "$(q "SELECT hostname || '=' || groups FROM host_status ORDER BY hostname" | tr '\n' ' ')" \
	"gpu1=gpu,prod gpu2=gpu,prod web1=prod,web "
expect "host_groups" "$(q "SELECT hostname FROM host_groups WHERE group_name = 'gpu' ORDER BY 1" | tr '\n' ' ')" \
	"gpu1 gpu2 "

# --limit: a group less a host; HOST arguments select from the inventory
P --inventory "$T/fleet.ini" --limit 'prod:!gpu2' >"$T/out" 2>&1 || fail "limit: $(cat "$T/out")"
expect "limit" "$(attempts)" "gpu1:2 gpu2:1 web1:2 "
P --inventory "$T/fleet.ini" 'web*' >"$T/out" 2>&1 || fail "host argument: $(cat "$T/out")"
expect "host argument" "$(attempts)" "gpu1:2 gpu2:1 web1:3 "
set +e
P --inventory "$T/fleet.ini" web9 >"$T/out" 2>&1
rc=$?
set -e
expect "unknown host argument: exit" "$rc" 2
grep -q 'fleet.ini: "web9" matches no host or group' "$T/out" || fail "web9: $(cat "$T/out")"

# the YAML inventory regroups: the groups follow the inventory
P --inventory "$T/fleet.yml" >"$T/out" 2>&1 || fail "yaml pull: $(cat "$T/out")"
expect "yaml: groups" "$(q "SELECT hostname || '=' || coalesce(groups, '-') FROM host_status ORDER BY hostname" | tr '\n' ' ')" \
	"gpu1=lab gpu2=gpu,prod web1=lab "

# a bad inventory names its file and line
printf '[gpu]\ngpu1 ansible_port=x\n' >"$T/bad.ini"
set +e
P --inventory "$T/bad.ini" >"$T/out" 2>&1
rc=$?
set -e
expect "bad inventory: exit" "$rc" 2
grep -q 'bad.ini:2: gpu1: invalid port: "x"' "$T/out" || fail "bad inventory: $(cat "$T/out")"

# identity: a report of another machine says what to write; an address
# with no name is warned about
printf '[odd]\nodd1 ansible_host=127.0.0.4 ansible_port=%s ansible_user=root iommu_fleet_command="cat %s"\n127.0.0.1 ansible_port=%s ansible_user=root iommu_fleet_agent=none\n' \
	"$PORT" "$T/node17.json" "$PORT" >"$T/odd.ini"
set +e
P --inventory "$T/odd.ini" >"$T/out" 2>"$T/err"
set -e
grep -q 'odd1: wrong-host: report claims to be host "node17", not "odd1" (if that is the machine 127.0.0.4 reaches, name it so: "127.0.0.4 name=HOST" in hosts.txt, or "HOST ansible_host=127.0.0.4" in an Ansible inventory)' "$T/out" ||
	fail "wrong-host hint: $(cat "$T/out")"
grep -q '127.0.0.1: pulled by address with no name, stored under the address' "$T/err" ||
	fail "address warning: $(cat "$T/err")"
echo "pull_inventory: ok"
