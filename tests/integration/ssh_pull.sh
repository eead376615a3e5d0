#!/bin/bash
# ssh_pull.sh - `iommu-collector pull` against real OpenSSH sshd processes on
# loopback, each "host" serving a different real fixture: agent and
# agentless, unknown / changed / other-type host keys, unreachable, wrong
# key, ssh-agent, ~/.ssh/config, a host that stalls after the banner, one
# that floods, invalid JSON, terminal escapes and another host's name.
# Env from ctest: COLLECTOR, AGENT, FIXTURES.
set -eu

: "${COLLECTOR:?}" "${AGENT:?}" "${FIXTURES:?}"
SSHD=/usr/sbin/sshd
T=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

# privilege separation directory, created by the sshd service normally
[ -d /run/sshd ] || mkdir -p /run/sshd || fail "sshd needs /run/sshd"

# shellcheck source=../lib/free_port.bash
. "$SOURCE_DIR/tests/lib/free_port.bash"
# shellcheck source=../lib/sshd.bash
. "$SOURCE_DIR/tests/lib/sshd.bash"

# sshd NAME HOSTKEY PORT [extra config...]
start_sshd() {
	local name=$1 key=$2 port=$3
	shift 3
	{
		echo "ListenAddress 127.0.0.1:$port"
		for a in 2 3 4 5 6 7 8; do echo "ListenAddress 127.0.0.$a:$port"; done
		sshd_conf_common "$key"
		echo "MaxStartups 100:30:200"
		for line in "$@"; do echo "$line"; done
	} >"$T/$name.conf"
	"$SSHD" -D -f "$T/$name.conf" -e 2>>"$T/$name.log" &
	PIDS="$PIDS $!"
	wait_port 127.0.0.1 "$port"
}

step "keys, roots and sshd"
ssh-keygen -q -t ed25519 -N '' -C hostA -f "$T/host_a"
ssh-keygen -q -t ed25519 -N '' -C hostB -f "$T/host_b"
ssh-keygen -q -t rsa -b 2048 -N '' -C hostR -f "$T/host_rsa"
ssh-keygen -q -t ed25519 -N '' -C user -f "$T/user"
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$T/wrong"
cp "$T/user.pub" "$T/authorized_keys"

# Each host's root: a capture of this machine with a real fixture's
# kernel log and its own host name.
make_root() { # name fixture hostname
	"$AGENT" --capture "$T/roots/$1" --root / \
	    --kernel-log "$FIXTURES/$2/kernel.log" >/dev/null
	printf '%s\n' "$3" >"$T/roots/$1/proc/sys/kernel/hostname"
}
mkdir -p "$T/roots"
make_root alpha klog-02-dell-r410-debian11 alpha
make_root beta klog-07-novacustom-nv41-adl beta
make_root delta klog-25-asus-sabertooth990fx-ivrs delta
make_root newhost klog-16-msi-x570-ryzen3000-grep newhost
make_root esc klog-02-dell-r410-debian11 "$(printf 'x\033[31mred\033]0;title\007')"
# the preflight blockers fixture, links and all, read agentless and by the agent
cp -a "$FIXTURES/preflight-01-synthetic-blockers/root" "$T/roots/pf"
printf 'pf\n' >"$T/roots/pf/proc/sys/kernel/hostname"

P1=$(free_port_on 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 127.0.0.8)
start_sshd main "$T/host_a" "$P1" \
    "Match LocalAddress 127.0.0.3" \
    "  ForceCommand IOMMU_FLEET_ROOT=$T/roots/beta exec sh -c \"\$SSH_ORIGINAL_COMMAND\"" \
    "Match LocalAddress 127.0.0.5" \
    "  ForceCommand IOMMU_FLEET_ROOT=$T/roots/delta exec sh -c \"\$SSH_ORIGINAL_COMMAND\"" \
    "Match LocalAddress 127.0.0.8" \
    "  ForceCommand IOMMU_FLEET_ROOT=$T/roots/pf exec sh -c \"\$SSH_ORIGINAL_COMMAND\""
P2=$(free_port)
start_sshd changed "$T/host_b" "$P2"
P3=$(free_port)
start_sshd rsa "$T/host_rsa" "$P3"
P4=$(free_port)
# stalls after the banner: accepts, says hello, never speaks again
python3 - "$P4" <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); c.sendall(b"SSH-2.0-OpenSSH_9.2 stall\r\n"); conns.append(c)
PY
PIDS="$PIDS $!"
wait_port 127.0.0.1 "$P4"
P5=$(free_port) # nothing listens there

# known_hosts: host key A for the main sshd on .1-.6 (not .7: unknown),
# and key A for the other two, whose real keys differ (changed, other type).
KA=$(cut -d' ' -f1,2 "$T/host_a.pub")
{
	for a in 1 2 3 4 5 6; do echo "[127.0.0.$a]:$P1 $KA"; done
	echo "[127.0.0.1]:$P2 $KA"
	echo "[127.0.0.1]:$P3 $KA"
} >"$T/known_hosts"

# the user's ssh config tries to weaken the host key check: it must not
mkdir -p "$T/home/.ssh"
cat >"$T/home/.ssh/config" <<CFG
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
Host fleet-alias
    HostName 127.0.0.2
    Port $P1
    User root
    IdentityFile $T/user
CFG
export HOME="$T/home"
unset SSH_AUTH_SOCK SSH_AGENT_PID

DB="$T/fleet.db"
# libssh finds ~ through the password database, not $HOME: name the file
pull() {
	"$COLLECTOR" --db "$DB" pull --known-hosts "$T/known_hosts" \
	    --ssh-config "$T/home/.ssh/config" "$@"
}
status_of() { # host -> last attempt status
	sqlite3 "$DB" "SELECT a.status FROM collection_attempts a JOIN hosts h
	    ON h.id = a.host_id WHERE h.hostname = '$1' ORDER BY a.id DESC LIMIT 1"
}

cat >"$T/inventory" <<INV
# the fleet
root@127.0.0.2:$P1 name=alpha tags=intel,r410 command="$AGENT --root $T/roots/alpha"
root@127.0.0.3:$P1 name=beta agent=none
root@127.0.0.4:$P1 command="$AGENT --root $T/roots/beta"
root@127.0.0.5:$P1 name=delta command=/nonexistent/iommu-agent
root@127.0.0.6:$P1 name=zeta command="$AGENT --root $T/roots/alpha"
root@127.0.0.6:$P1 name=esc-name command="$AGENT --root $T/roots/esc"
root@127.0.0.1:$P1 name=junk command="echo not a report"
root@127.0.0.1:$P1 name=escapes command="printf '\\\\033[2J\\\\033]0;pwned\\\\007{'"
root@127.0.0.1:$P1 name=flood command=yes
root@127.0.0.1:$P1 name=sleepy command="sleep 60"
root@127.0.0.7:$P1 name=newhost command="$AGENT --root $T/roots/newhost"
root@127.0.0.1:$P2 name=changed command="$AGENT --root $T/roots/alpha"
root@127.0.0.1:$P3 name=othertype command="$AGENT --root $T/roots/alpha"
root@127.0.0.1:$P4 name=stall
root@127.0.0.1:$P5 name=closed

INV

step "pull the whole inventory"
start=$(date +%s)
rc=0
pull --inventory "$T/inventory" --identity "$T/user" --jobs 8 \
    --connect-timeout 3 --timeout 6 --max-bytes 1048576 \
    >"$T/out" 2>"$T/err" || rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$T/out" "$T/err"
[ "$rc" -eq 3 ] || fail "exit $rc, expected 3 (some hosts failed)"
# every host is bounded by its deadline: 15 hosts at 8 at a time
[ "$elapsed" -le 20 ] || fail "took ${elapsed}s"
if LC_ALL=C grep -q $'\033' "$T/out" "$T/err"; then
	fail "an escape sequence reached the terminal"
fi

expect_status() { # host status [error substring]
	local got
	got=$(status_of "$1")
	[ "$got" = "$2" ] || fail "$1: status \"$got\", expected \"$2\""
	if [ $# -gt 2 ]; then
		sqlite3 "$DB" "SELECT error FROM attempts WHERE hostname = '$1'" |
		    grep -qF -- "$3" || fail "$1: error lacks \"$3\""
	fi
	grep -q "^$1: " "$T/out" || fail "$1: no line in the output"
}
expect_status alpha stored
expect_status beta stored
expect_status 127.0.0.4 stored
expect_status delta stored
expect_status zeta wrong-host 'claims to be host "alpha"'
expect_status esc-name wrong-host 'claims to be host "x'
expect_status junk rejected "not JSON"
expect_status escapes rejected "not JSON"
expect_status flood too-large "over the cap of 1048576 bytes"
expect_status sleepy timeout "deadline"
expect_status newhost hostkey-unknown "not in known_hosts: ssh-ed25519 SHA256:"
expect_status changed hostkey-changed "host key for [127.0.0.1]:$P2 changed"
expect_status changed hostkey-changed "at $T/known_hosts:7; if the change is expected, run: ssh-keygen -R \"[127.0.0.1]:$P2\" -f $T/known_hosts"
expect_status othertype hostkey-changed "another type"
expect_status stall timeout
expect_status closed unreachable "refused"
grep -q "^beta: stored (agentless)$" "$T/out" || fail "beta not agentless"
grep -q "^delta: stored (agentless)$" "$T/out" || fail "delta: no agentless fallback"
grep -q "^pull: 15 hosts in .*: 4 ok, 11 failed" "$T/err" || fail "summary on stderr"

step "each host's own fixture, stored under the inventory's name"
q() { sqlite3 "$DB" "$1"; }
[ "$(q "SELECT iommu_vendor, dma_faults, firmware_bugs FROM host_status WHERE hostname = 'alpha'")" = "intel|0|0" ] ||
    fail "alpha: $(q "SELECT * FROM host_status WHERE hostname = 'alpha'")"
[ "$(q "SELECT iommu_vendor, dma_faults FROM host_status WHERE hostname = 'beta'")" = "intel|2" ] ||
    fail "beta: $(q "SELECT * FROM host_status WHERE hostname = 'beta'")"
[ "$(q "SELECT iommu_vendor, firmware_bugs, verdict FROM host_status WHERE hostname = 'delta'")" = "amd|3|not-ready" ] ||
    fail "delta: $(q "SELECT * FROM host_status WHERE hostname = 'delta'")"
[ "$(q "SELECT count(*) FROM hosts WHERE hostname IN ('zeta', 'junk', 'flood')")" = 3 ] ||
    fail "failed hosts not recorded"
[ "$(q "SELECT count(*) FROM host_status WHERE iommu_vendor IS NOT NULL")" = 4 ] ||
    fail "a failed host has a report"

step "agentless and agent agree on the same evidence"
python3 - "$DB" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = dict(db.execute("SELECT h.hostname, c.report_json FROM contents c"
                       " JOIN hosts h ON h.id = c.host_id"))
a, b = json.loads(rows["127.0.0.4"]), json.loads(rows["beta"])
for r in (a, b):
    for k in ("report_id", "collected_at"):
        r.pop(k)
    r["host"].pop("hostname")
assert b["kernel_log"]["fault_total"] == 2, b["kernel_log"]
assert a == b, [(k, a[k], b.get(k)) for k in a if a[k] != b.get(k)]
PY

step "agentless streams the preflight's evidence: the same report as the agent's on the blockers"
{ cat "$T/known_hosts"; echo "[127.0.0.8]:$P1 $KA"; } >"$T/known_hosts.pf"
"$COLLECTOR" --db "$DB" pull --known-hosts "$T/known_hosts.pf" --identity "$T/user" \
    --connect-timeout 3 --timeout 10 \
    "root@127.0.0.8:$P1 name=pf agent=none" \
    "root@127.0.0.1:$P1 command=\"$AGENT --root $T/roots/pf\"" >"$T/out" 2>&1 ||
    fail "pull of the blockers fixture: $(cat "$T/out")"
grep -q "^pf: stored (agentless)$" "$T/out" || fail "pf not agentless: $(cat "$T/out")"
python3 - "$DB" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def latest(name):
    return json.loads(db.execute("SELECT c.report_json FROM hosts h"
                                 " JOIN observations o ON o.id = h.latest_observation_id"
                                 " JOIN contents c ON c.id = o.content_id"
                                 " WHERE h.hostname = ?", (name,)).fetchone()[0])
a, b = latest("127.0.0.1"), latest("pf")
for r in (a, b):
    for k in ("report_id", "collected_at"):
        r.pop(k)
devs = {d["address"]: d for g in b["iommu"]["groups"] for d in g["devices"]}
# every blocker of the fixture is seen agentless too, not only "unknown"
assert devs["0000:01:00.0"]["critical"] == "root-disk", devs["0000:01:00.0"]
assert devs["0000:03:00.0"]["critical"] == "default-route", devs["0000:03:00.0"]
assert devs["0000:03:00.2"]["physfn"] == "0000:03:00.0", devs["0000:03:00.2"]
assert devs["0000:03:00.0"]["sriov"] is not None, devs["0000:03:00.0"]
assert any("has no ACS" in x for x in devs["0000:02:00.0"]["preflight"]["blockers"]), devs["0000:02:00.0"]
assert not any("root disk" in e for e in b["errors"]), b["errors"]
# names come from pci.ids: the agent reads the tree's (none in the
# fixture), agentless analysis the collector's own
for r in (a, b):
    for g in r["iommu"]["groups"]:
        for d in g["devices"]:
            d.pop("name")
assert a == b, [(k, a[k], b.get(k)) for k in a if a[k] != b.get(k)]
PY

step "--accept-new records an unknown key, never a changed one"
rc=0
pull --accept-new --identity "$T/user" --connect-timeout 3 --timeout 10 \
    "root@127.0.0.7:$P1 name=newhost command=\"$AGENT --root $T/roots/newhost\"" \
    "root@127.0.0.1:$P2 name=changed command=\"$AGENT --root $T/roots/alpha\"" \
    "root@127.0.0.1:$P3 name=othertype command=\"$AGENT --root $T/roots/alpha\"" \
    >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 3 ] || fail "accept-new: exit $rc"
expect_status newhost stored
expect_status changed hostkey-changed
expect_status othertype hostkey-changed
grep -q "^\[127.0.0.7\]:$P1 ssh-ed25519 " "$T/known_hosts" || fail "key not recorded"
grep -c "" "$T/known_hosts" | grep -qx 9 || fail "known_hosts: $(cat "$T/known_hosts")"

step "the recorded key is then enough without --accept-new"
pull --identity "$T/user" --quiet \
    "root@127.0.0.7:$P1 name=newhost command=\"$AGENT --root $T/roots/newhost\"" >"$T/out" 2>&1 ||
    fail "recorded key: $(cat "$T/out")"
[ ! -s "$T/out" ] || fail "--quiet printed: $(cat "$T/out")"
[ "$(status_of newhost)" = unchanged ] || fail "newhost: $(status_of newhost)"

step "a key the host does not accept"
rc=0
pull --identity "$T/wrong" "root@127.0.0.2:$P1 name=alpha" >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "wrong key: exit $rc, expected 1"
[ "$(status_of alpha)" = auth-failed ] || fail "wrong key: $(status_of alpha)"
grep -qF "alpha: auth-failed: root@127.0.0.2 port $P1: Permission denied (publickey): tried $T/wrong, " "$T/out" ||
    fail "auth-failed: no user, port or key in the message"

step "--quiet prints failures only"
rc=0
pull --identity "$T/user" --quiet --connect-timeout 3 \
    "root@127.0.0.2:$P1 name=alpha command=\"$AGENT --root $T/roots/alpha\"" \
    "root@127.0.0.1:$P5 name=closed" >"$T/out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "quiet: exit $rc"
[ "$(cat "$T/out")" = "closed: unreachable: connect to host 127.0.0.1 port $P5: Connection refused" ] ||
    fail "quiet printed: $(cat "$T/out")"

step "command-failed shows the end of stderr, whole lines, control characters escaped"
# 3.9 KiB of stderr, the real error last, with an escape sequence in it:
# the end is kept (within what an attempt's error holds), from a line start
cat >"$T/fails.sh" <<'SH'
seq 1 1000 >&2
printf 'bad\033[31m option --x\n' >&2
exit 2
SH
rc=0
pull --identity "$T/user" "root@127.0.0.2:$P1 name=alpha command=\"sh $T/fails.sh\"" \
    >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "command-failed: exit $rc"
[ "$(status_of alpha)" = command-failed ] || fail "command-failed: $(status_of alpha)"
err=$(sqlite3 "$DB" "SELECT a.error FROM collection_attempts a JOIN hosts h ON h.id = a.host_id
    WHERE h.hostname = 'alpha' ORDER BY a.id DESC LIMIT 1")
case "$err" in
"sh $T/fails.sh: exit 2, no output; stderr: ..."*'\n999\n1000\nbad\x1b[31m option --x') ;;
*) fail "command-failed: $err" ;;
esac
tail=${err#*stderr: ...}
case "$tail" in [0-9]*) ;; *) fail "the tail does not start at a line: $tail" ;; esac
[ "${#err}" -le 1023 ] && [ "${#tail}" -ge 800 ] || fail "the message is ${#err} bytes, its tail ${#tail}"

step "ssh-agent, and ~/.ssh/config (HostName, Port, User, IdentityFile)"
eval "$(ssh-agent -s -a "$T/agent.sock")" >/dev/null
PIDS="$PIDS $SSH_AGENT_PID"
ssh-add -q "$T/user" 2>/dev/null
pull "root@127.0.0.2:$P1 name=alpha command=\"$AGENT --root $T/roots/alpha\"" >"$T/out" 2>&1 ||
    fail "agent auth: $(cat "$T/out")"
expect_status alpha unchanged
kill "$SSH_AGENT_PID"
unset SSH_AUTH_SOCK SSH_AGENT_PID
pull "fleet-alias name=alpha command=\"$AGENT --root $T/roots/alpha\"" >"$T/out" 2>&1 ||
    fail "ssh config: $(cat "$T/out")"
expect_status alpha unchanged

step "hostile inventory lines are refused before anything runs"
for bad in "-oProxyCommand=touch${IFS}$T/pwned" 'h;touch /tmp/x' '$(id)@host' "host name=a;b"; do
	rc=0
	pull "$bad" >"$T/out" 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "accepted \"$bad\" (exit $rc)"
done
[ ! -e "$T/pwned" ] || fail "a ProxyCommand ran"

echo "ok"
