#!/bin/bash
# bench_pull.sh - benchmark (not a test): pull from N loopback "hosts" (real
# sshd processes, 16 addresses each, 127.0.1.x) with iommu-collector at 32
# at a time, beside `xargs -P 32 ssh ... iommu-agent` with OpenSSH and
# `parallel-ssh -p 32` on the same hosts, with the same key exchange, host
# key, cipher and user key, in the same run, in the order A B C C B A (each
# client twice, the same server conditions on average); then the collector
# at 128 at a time.  Prints wall time, client CPU per host, the peak RSS of
# the whole client process tree (shared libraries counted once per
# process) and its peak PSS (summed /proc/PID/smaps_rollup Pss: shared
# pages split between the processes that map them), sampled.
# Usage: bench_pull.sh [HOSTS]   env: COLLECTOR, AGENT (a release build),
# FIXTURES (tests/fixtures); relative paths are taken from the current
# directory.  Needs, beyond .ci/install-deps: pssh (the Debian package
# that provides parallel-ssh).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
: "${COLLECTOR:=$HERE/../../build-rel/collector/iommu-collector}"
: "${AGENT:=$HERE/../../build-rel/iommu-agent}"
: "${FIXTURES:=$HERE/../fixtures}"
# the agent's path runs on the "remote" side, whose working directory is
# the user's home: a relative path there is a missing agent, and the pull
# would silently fall back to the agentless run
COLLECTOR=$(realpath -e "$COLLECTOR") || { echo "COLLECTOR: not found" >&2; exit 1; }
AGENT=$(realpath -e "$AGENT") || { echo "AGENT: not found" >&2; exit 1; }
FIXTURES=$(realpath -e "$FIXTURES") || { echo "FIXTURES: not found" >&2; exit 1; }
command -v parallel-ssh >/dev/null 2>&1 ||
    { echo "parallel-ssh is not installed (apt-get install pssh)" >&2; exit 1; }
N=${1:-208}
PER_SSHD=16 # sshd listens on at most 16 sockets
T=$(mktemp -d)
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
[ -d /run/sshd ] || mkdir -p /run/sshd

# shellcheck source=../lib/free_port.bash
. "$(dirname "$0")/../lib/free_port.bash"
# shellcheck source=../lib/sshd.bash
. "$(dirname "$0")/../lib/sshd.bash"

ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$T/user"
cp "$T/user.pub" "$T/authorized_keys"
# every host serves the same realistic evidence: this machine's capture
# with a whole real dmesg (a Dell R410 boot log)
"$AGENT" --capture "$T/root" --kernel-log \
    "$FIXTURES/klog-02-dell-r410-debian11/kernel.log" >/dev/null
echo bench >"$T/root/proc/sys/kernel/hostname"
REPORT_BYTES=$("$AGENT" --root "$T/root" | wc -c)

PORT=$(free_port)
addr() { echo "127.0.1.$(( $1 + 1 ))"; }
i=0
while [ "$i" -lt "$N" ]; do
	conf="$T/sshd.$i.conf"
	{
		j=$i
		while [ "$j" -lt $((i + PER_SSHD)) ] && [ "$j" -lt "$N" ]; do
			echo "ListenAddress $(addr "$j"):$PORT"
			j=$((j + 1))
		done
		sshd_conf_common "$T/hostkey"
		cat <<CONF
MaxStartups 1024
MaxSessions 10
CONF
	} >"$conf"
	/usr/sbin/sshd -D -f "$conf" -e 2>>"$T/sshd.log" &
	PIDS="$PIDS $!"
	i=$((i + PER_SSHD))
done
sleep 1

KEY=$(cut -d' ' -f1,2 "$T/hostkey.pub")
: >"$T/known_hosts"
: >"$T/hosts"
: >"$T/inventory"
for i in $(seq 0 $((N - 1))); do
	a=$(addr "$i")
	echo "[$a]:$PORT $KEY" >>"$T/known_hosts"
	echo "$a" >>"$T/hosts"
	echo "root@$a:$PORT" >>"$T/inventory"
done
# one client configuration for both: same key exchange, host key type,
# cipher, MAC and user key
cat >"$T/ssh_config" <<CONF
Host *
    User root
    Port $PORT
    IdentityFile $T/user
    IdentitiesOnly yes
    UserKnownHostsFile $T/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    KexAlgorithms curve25519-sha256
    HostKeyAlgorithms ssh-ed25519
    Ciphers aes128-gcm@openssh.com
    Compression no
    BatchMode yes
CONF
CMD="$AGENT --root $T/root"

# measure LABEL JOBS CMD...: wall time, CPU of the whole process tree
# (RUSAGE_CHILDREN), and the peaks of the tree's summed RSS and summed PSS,
# sampled every 10 ms.
measure() {
	python3 - "$@" <<'PY'
import os, resource, subprocess, sys, time
label, jobs, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
def pss(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
def tree_mem(root):
    kids, rss = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read().rsplit(")", 1)[1].split()
            kids.setdefault(int(st[1]), []).append(int(d))
            rss[int(d)] = int(st[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    total, tpss, todo = 0, 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        tpss += pss(p)
        todo.extend(kids.get(p, []))
    return total, tpss
t0 = time.monotonic()
with open(os.environ["OUT"], "wb") as out:
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    peak = peak_pss = 0
    while p.poll() is None:
        rss, pss_now = tree_mem(p.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss_now)
        time.sleep(0.01)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
n = int(os.environ["N"])
cpu = r.ru_utime + r.ru_stime
print("%-34s %5d %5s %8.2f %8.2f %12.2f %10.1f %10.1f" % (label, n, jobs, wall, cpu,
      cpu * 1000 / n, peak / 1048576, peak_pss / 1048576), flush=True)
with open(os.environ["RES"], "a") as f:
    f.write("%s %f %f %f %d %f\n" % (label.split()[0], wall, cpu, peak, p.returncode, peak_pss))
PY
}
export N
export RES="$T/results"

echo "$N hosts (sshd on 127.0.1.1-$(addr $((N - 1))):$PORT), report $REPORT_BYTES bytes," \
    "curve25519-sha256 / ssh-ed25519 / aes128-gcm, $(nproc) CPUs"
printf '%-34s %5s %5s %8s %8s %12s %10s %10s\n' client hosts jobs wall_s cpu_s \
    cpu_ms/host peak_rss_MB peak_pss_MB

# warm up the sshd side (page cache, first exec) so no client pays for it
OUT=/dev/null measure "(warm-up, not counted)" 32 "$COLLECTOR" --db "$T/warm.db" pull \
    --inventory "$T/inventory" --ssh-config "$T/ssh_config" --known-hosts \
    "$T/known_hosts" --identity "$T/user" --command "$CMD" --jobs 32 --quiet \
    >/dev/null
: >"$RES"

collector() { # label-suffix jobs db [extra args]
	local jobs=$2 db=$3 label="iommu-collector pull$1"
	shift 3
	OUT="$T/collector.out" measure "$label" "$jobs" "$COLLECTOR" --db "$db" \
	    pull --inventory "$T/inventory" --ssh-config "$T/ssh_config" \
	    --known-hosts "$T/known_hosts" --identity "$T/user" --command "$CMD" \
	    --jobs "$jobs" --no-progress "$@"
	# the agent must have run there: an agentless fallback is another benchmark
	if grep -q "(agentless)" "$T/collector.out"; then
		echo "the collector fell back to the agentless run: is $AGENT there?" >&2
		grep -m3 "(agentless)" "$T/collector.out" >&2
		exit 1
	fi
}
# OpenSSH: one ssh process per host, all reports to one file (each write
# is whole: they do not overlap), nothing else started per host
openssh() {
	OUT="$T/xargs.out" measure "xargs -P 32 ssh (OpenSSH)" 32 sh -c \
	    "exec xargs -P 32 -I{} ssh -F $T/ssh_config {} '$CMD' <$T/hosts"
	ok_o=$(grep -o '"report_id"' "$T/xargs.out" | wc -l)
	[ "$ok_o" -eq "$N" ] || { echo "OpenSSH: $ok_o/$N reports"; exit 1; }
}

pssh() {
	rm -rf "$T/pssh"
	OUT="$T/pssh.out" measure "parallel-ssh -p 32" 32 parallel-ssh -p 32 -t 0 \
	    -h "$T/hosts" -x "-F $T/ssh_config" -o "$T/pssh" "$CMD"
	ok_p=$(cat "$T"/pssh/* | grep -o '"report_id"' | wc -l)
	[ "$ok_p" -eq "$N" ] || { echo "parallel-ssh: $ok_p/$N reports"; exit 1; }
}

# the agent runs on the hosts as given (an absolute path): checked once
# with OpenSSH, so that no client measures an agentless run
first=$(head -1 "$T/hosts")
ssh -F "$T/ssh_config" "$first" "$CMD" | head -c 1 | grep -q '{' ||
    { echo "$CMD does not print a report on $first" >&2; exit 1; }

# A B C C B A: every client sees the same server conditions on average
collector "" 32 "$T/fleet.db"
openssh
pssh
pssh
openssh
collector "" 32 "$T/fleet.db"

collector "" 128 "$T/fleet128.db"
# where the collector's CPU goes: the same SSH work with no report to
# validate and store
CMD_SAVED=$CMD
CMD=true
collector " (--command true, no report)" 32 "$T/true.db" || true
CMD=$CMD_SAVED

# every client really got every report
ok_c=$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM attempts WHERE status IN ('stored','unchanged')")
ok_c128=$(sqlite3 "$T/fleet128.db" "SELECT count(*) FROM attempts WHERE status IN ('stored','unchanged')")
echo "reports: collector $ok_c/$((2 * N)) (two runs), OpenSSH $N/$N (each run), collector at 128 $ok_c128/$N"
python3 - "$RES" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])][:6]
mean = lambda name, i: (lambda rs: sum(float(r[i]) for r in rs) / len(rs))(
    [r for r in rows if r[0] == name])
c, o, p = "iommu-collector", "xargs", "parallel-ssh"
print("means of two runs each (above 1: the collector uses less):")
for label, i in (("CPU per host", 2), ("wall time", 1), ("peak RSS", 3), ("peak PSS", 5)):
    print("  %-12s  xargs ssh / collector %6.2fx   parallel-ssh / collector %6.2fx"
          % (label, mean(o, i) / mean(c, i), mean(p, i) / mean(c, i)))
PY
[ "$ok_c" -eq $((2 * N)) ] && [ "$ok_c128" -eq "$N" ] ||
    { echo "some pulls failed: $(tail -5 "$T/collector.out")"; exit 1; }
