#!/bin/bash
# ssh_jump.sh - pull through a jump host with real OpenSSH sshd processes on
# loopback: a bastion and targets on 127.0.0.x that the collector reaches
# only through the bastion's direct-tcpip channels (ProxyJump in ssh_config
# and --jump), the bastion's key unknown / changed / accepted-new (each
# failure recorded as the bastion's, naming it), a bastion that forbids
# forwarding, 20 targets behind one bastion with MaxStartups 10:30:100 (all
# stored), and never an `ssh` process (a PATH whose ssh leaves a marker,
# and strace of every execve).
# Env from ctest: COLLECTOR, AGENT, SOURCE_DIR.
set -eu

: "${COLLECTOR:?}" "${AGENT:?}" "${SOURCE_DIR:?}"
SSHD=/usr/sbin/sshd
T=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

[ -d /run/sshd ] || mkdir -p /run/sshd || fail "sshd needs /run/sshd"
# shellcheck source=../lib/free_port.bash
. "$SOURCE_DIR/tests/lib/free_port.bash"
# shellcheck source=../lib/sshd.bash
. "$SOURCE_DIR/tests/lib/sshd.bash"

# sshd NAME HOSTKEY "ADDR:PORT ..." [extra config...]: the first value of a
# setting wins in sshd_config, so the extras come first
start_sshd() {
	local name=$1 key=$2 addrs=$3 a
	shift 3
	{
		for line in "$@"; do echo "$line"; done
		for a in $addrs; do echo "ListenAddress $a"; done
		sshd_conf_common "$key"
	} >"$T/$name.conf"
	"$SSHD" -D -f "$T/$name.conf" -e 2>>"$T/$name.log" &
	PIDS="$PIDS $!"
	for a in $addrs; do wait_port "${a%:*}" "${a##*:}"; done
}

step "keys, a bastion, targets behind it"
for k in bastion bastion2 target user; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$T/$k"
done
cp "$T/user.pub" "$T/authorized_keys"
PB=$(free_port)   # the bastion: forwards, logs each direct-tcpip request
PN=$(free_port)   # a bastion that forbids forwarding
PS=$(free_port)   # the bastion of the 20, MaxStartups as sshd's default
# shellcheck disable=SC2046
PT=$(free_port_on $(for i in $(seq 11 30); do echo "127.0.0.$i"; done)) # the targets, on 127.0.0.11-.30
start_sshd bastion "$T/bastion" "127.0.0.1:$PB" "LogLevel DEBUG1"
start_sshd noforward "$T/bastion2" "127.0.0.1:$PN" "AllowTcpForwarding no"
start_sshd bastion20 "$T/bastion" "127.0.0.1:$PS" "MaxStartups 10:30:100" "LogLevel VERBOSE"
addrs=""
for i in $(seq 11 20); do addrs="$addrs 127.0.0.$i:$PT"; done
start_sshd targets1 "$T/target" "$addrs" "MaxStartups 100:30:200"
addrs=""
for i in $(seq 21 30); do addrs="$addrs 127.0.0.$i:$PT"; done
start_sshd targets2 "$T/target" "$addrs" "MaxStartups 100:30:200"

KB=$(cut -d' ' -f1,2 "$T/bastion.pub")
KB2=$(cut -d' ' -f1,2 "$T/bastion2.pub")
KT=$(cut -d' ' -f1,2 "$T/target.pub")
FPB=$(ssh-keygen -lf "$T/bastion.pub" | cut -d' ' -f2)
targets_known() {
	for i in $(seq 11 30); do echo "[127.0.0.$i]:$PT $KT"; done
}

# the user's config: ProxyJump, and an attempt to weaken the key check
mkdir -p "$T/home/.ssh"
cat >"$T/ssh_config" <<CFG
Host *
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
Host t11 t12 gone
    User root
    Port $PT
    ProxyJump root@127.0.0.1:$PB
Host t11
    HostName 127.0.0.11
Host t12
    HostName 127.0.0.12
Host gone
    HostName 127.0.0.31
Host nofwd
    HostName 127.0.0.13
    ProxyJump root@127.0.0.1:$PN
CFG
# the 20: one alias each, all behind the MaxStartups bastion
for i in $(seq 11 30); do
	printf 'Host j%s\n    HostName 127.0.0.%s\n    User root\n    Port %s\n    ProxyJump root@127.0.0.1:%s\n' \
	    "$i" "$i" "$PT" "$PS" >>"$T/ssh_config"
done
export HOME="$T/home"
unset SSH_AUTH_SOCK SSH_AGENT_PID
# any ssh the collector might start leaves a marker
mkdir -p "$T/bin"
printf '#!/bin/sh\ntouch %s/ssh-ran\nexit 255\n' "$T" >"$T/bin/ssh"
chmod +x "$T/bin/ssh"
export PATH="$T/bin:$PATH"

DB="$T/fleet.db"
pull() {
	"$COLLECTOR" --db "$DB" pull --known-hosts "$T/known_hosts" \
	    --ssh-config "$T/ssh_config" --identity "$T/user" --connect-timeout 5 --timeout 20 "$@"
}
last_attempt() { # host column
	sqlite3 "$DB" "SELECT a.$2 FROM collection_attempts a JOIN hosts h ON h.id = a.host_id
	    WHERE h.hostname = '$1' ORDER BY a.id DESC LIMIT 1"
}
status_of() { last_attempt "$1" status; }
error_of() { last_attempt "$1" error; }
expect() { # host status [error substring]
	local got
	got=$(status_of "$1")
	[ "$got" = "$2" ] || fail "$1: status \"$got\", expected \"$2\" ($(error_of "$1"))"
	[ $# -lt 3 ] || error_of "$1" | grep -qF -- "$3" || fail "$1: error lacks \"$3\": $(error_of "$1")"
}
forwarded() { grep -c "server_request_direct_tcpip" "$T/bastion.log" || true; }
hosts2="t11 command=\"$AGENT --hostname t11\"
t12 command=\"$AGENT --hostname t12\""

step "the bastion's key unknown: refused, as the bastion's failure"
targets_known >"$T/known_hosts"
rc=0
echo "$hosts2" | pull --inventory - >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "unknown bastion: exit $rc"
expect t11 hostkey-unknown "jump host root@127.0.0.1:$PB: host key for [127.0.0.1]:$PB not in known_hosts: ssh-ed25519 $FPB"
expect t12 hostkey-unknown "jump host root@127.0.0.1:$PB"
[ "$(forwarded)" -eq 0 ] || fail "a channel was opened through an unchecked bastion"

step "the bastion's key changed: refused, with the line to fix it"
{ echo "[127.0.0.1]:$PB $KB2"; targets_known; } >"$T/known_hosts"
rc=0
echo "$hosts2" | pull --inventory - >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "changed bastion: exit $rc"
expect t11 hostkey-changed "jump host root@127.0.0.1:$PB: host key for [127.0.0.1]:$PB changed"
expect t11 hostkey-changed "at $T/known_hosts:1; if the change is expected, run: ssh-keygen -R \"[127.0.0.1]:$PB\" -f $T/known_hosts"
grep -q "^\[127.0.0.1\]:$PB $KB2\$" "$T/known_hosts" || fail "known_hosts was changed"

step "--accept-new records the bastion's key, says so, and the pull goes through it"
targets_known >"$T/known_hosts"
rc=0
echo "$hosts2" | pull --inventory - --accept-new >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err"
[ "$rc" -eq 0 ] || fail "accept-new: exit $rc"
expect t11 stored
expect t12 stored
grep -q "^t1[12]: added host key ssh-ed25519 $FPB for \[127.0.0.1\]:$PB to $T/known_hosts\$" "$T/err" ||
    fail "the added key was not shown"
[ "$(grep -c "^\[127.0.0.1\]:$PB $KB\$" "$T/known_hosts")" -eq 1 ] ||
    fail "bastion key recorded $(grep -c "127.0.0.1\]:$PB" "$T/known_hosts") times"
[ "$(forwarded)" -eq 2 ] || fail "$(forwarded) direct-tcpip requests at the bastion, expected 2"
grep -q "server_request_direct_tcpip: originator .*, target 127.0.0.11 port $PT" "$T/bastion.log" ||
    fail "the bastion did not forward to 127.0.0.11"

step "a bastion that forbids forwarding: the pull fails, nothing goes around it"
{ echo "[127.0.0.1]:$PN $KB2"; targets_known; } >"$T/known_hosts"
rc=0
pull "nofwd command=\"$AGENT --hostname nofwd\"" >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "no forwarding: exit $rc"
expect nofwd ssh-error "connect to host 127.0.0.13 port 22 through jump host 127.0.0.1:$PN"
expect nofwd ssh-error "administratively prohibited: "
expect nofwd ssh-error "(does the jump host allow TCP forwarding to it?)"

step "a target the bastion cannot reach: unreachable, naming both"
{ echo "[127.0.0.1]:$PB $KB"; targets_known; } >"$T/known_hosts"
rc=0
pull gone >"$T/out" 2>&1 || rc=$?
cat "$T/out"
[ "$rc" -eq 1 ] || fail "unreachable target: exit $rc"
expect gone unreachable "connect to host 127.0.0.31 port $PT through jump host 127.0.0.1:$PB"

step "20 targets through one bastion with MaxStartups 10:30:100, no ssh process"
: >"$T/inventory"
for i in $(seq 11 30); do
	echo "j$i command=\"$AGENT --hostname j$i\"" >>"$T/inventory"
done
{ echo "[127.0.0.1]:$PS $KB"; targets_known; } >"$T/known_hosts"
rc=0
# (LeakSanitizer cannot run under ptrace)
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=execve -o "$T/strace" \
    "$COLLECTOR" --db "$DB" pull --known-hosts "$T/known_hosts" --ssh-config "$T/ssh_config" \
    --identity "$T/user" --jobs 32 --connect-timeout 10 \
    --timeout 60 --inventory "$T/inventory" >"$T/out" 2>&1 || rc=$?
tail -3 "$T/out"
[ "$rc" -eq 0 ] || fail "20 through one bastion: exit $rc: $(grep -v ': stored$' "$T/out")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM attempts WHERE hostname LIKE 'j__' AND status = 'stored'")" -eq 20 ] ||
    fail "not all 20 stored"
[ "$(grep -c execve "$T/strace")" -eq 1 ] || fail "processes started: $(grep execve "$T/strace")"
[ ! -e "$T/ssh-ran" ] || fail "an ssh process was started"
# the bound held: sshd never had to drop an unauthenticated connection
if grep -q "past MaxStartups" "$T/bastion20.log"; then
	fail "the bastion dropped connections: $(grep -c "past MaxStartups" "$T/bastion20.log")"
fi
[ "$(grep -c "Accepted publickey" "$T/bastion20.log")" -eq 20 ] || fail "not 20 logins at the bastion"

echo "ok"
