#!/bin/bash
# The agent on the machine running the tests: a valid report, as root and as
# an unprivileged user, whatever the machine has.  CI machines have no IOMMU:
# the report must say so plainly (never "ready"), not fail.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check="$BUILD_DIR/tests/fixture_check"

"$AGENT" > "$work/live.json"
cat > "$work/expect" <<'X'
format = "iommu-fleet.report"
version = 1
host.hostname exists
kernel_log.source exists
checks.length >= 8
X
if [ ! -d /sys/class/iommu ] || [ -z "$(ls -A /sys/class/iommu 2>/dev/null)" ]; then
	# no IOMMU unit on this machine
	cat >> "$work/expect" <<'X'
iommu.enabled != true
verdict != "ready"
checks[id=iommu-active].status != "pass"
X
fi
"$check" "$work/live.json" "$work/expect"

# Unprivileged: still a report; what could not be read is in errors.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$work"
	su -s /bin/sh nobody -c "'$AGENT'" > "$work/nobody.json"
	printf 'format = "iommu-fleet.report"\nerrors exists\nverdict exists\n' > "$work/expect2"
	"$check" "$work/nobody.json" "$work/expect2"
fi

# --version and --help exit 0; a bad option is a usage error (2).
"$AGENT" --version | grep -q '^iommu-agent '
"$AGENT" --help | grep -q -- '--capture'
set +e
"$AGENT" --no-such-option 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "bad option: exit $rc, want 2" >&2; exit 1; }
# --hostname names the host; a name with blanks is a usage error.
"$AGENT" --root "$work" --hostname box-7 > "$work/named.json"
printf 'host.hostname = "box-7"\nhost.kernel = null\n' > "$work/expect3"
"$check" "$work/named.json" "$work/expect3"
set +e
"$AGENT" --hostname "two words" > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "bad --hostname: exit $rc, want 2" >&2; exit 1; }
# A tree that does not name its host gives no report the collector would
# refuse: a usage error that says what to add.
set +e
"$AGENT" --root "$work" > /dev/null 2> "$work/noname.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "nameless root: exit $rc, want 2" >&2; exit 1; }
grep -q 'does not name the host.*--hostname NAME' "$work/noname.err" ||
	{ echo "nameless root: $(cat "$work/noname.err")" >&2; exit 1; }
# --config FILE: settings a line, the command line wins, and a bad line or
# value is a usage error naming the file and the line.
printf '# agent.conf\n\nhostname = conf-host\n' > "$work/agent.conf"
"$AGENT" --root "$work" --config "$work/agent.conf" > "$work/conf.json"
printf 'host.hostname = "conf-host"\n' > "$work/expect6"
"$check" "$work/conf.json" "$work/expect6"
"$AGENT" --root "$work" --config "$work/agent.conf" --hostname box-7 > "$work/conf2.json"
"$check" "$work/conf2.json" "$work/expect3"
conf_error() { # file-text want-stderr
	printf '%b' "$1" > "$work/bad.conf"
	set +e
	"$AGENT" --root "$work" --config "$work/bad.conf" > /dev/null 2> "$work/conf.err"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] && grep -qF -- "$2" "$work/conf.err" ||
		{ echo "config \"$1\": exit $rc, $(cat "$work/conf.err")" >&2; exit 1; }
}
conf_error 'hostname = a\npush-url = https://c\n' "bad.conf:2: unknown key \"push-url\""
conf_error 'push_url = c:8470\ntoken_file = /t\n' "bad.conf:1: push_url \"c:8470\": not an http:// or https:// URL"
conf_error '\nhostname = two words\n' "bad.conf:2: hostname \"two words\""
set +e
"$AGENT" --push 127.0.0.1:8470 --token-file /dev/null > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "--push without a scheme: exit $rc, want 2" >&2; exit 1; }
# A kernel log that cannot be read is named in errors and the report says
# the log is missing, not that the host is fine.
"$AGENT" --root "$work" --hostname box-7 --kernel-log "$work/no-such.log" > "$work/nolog.json"
printf 'kernel_log.source = "none"\nverdict != "ready"\nchecks[id=dma-faults].status = "unknown"\n' > "$work/expect4"
"$check" "$work/nolog.json" "$work/expect4"
grep -q 'no-such.log: No such file or directory' "$work/nolog.json"
# A log of any length is streamed, never cut: 33 MiB of one overlong line of
# NUL bytes (an old boot), then the last boot, which is the one analysed.
truncate -s 33M "$work/huge.log"
printf '\n[    0.000000] Linux version 6.1.0-27-amd64\n[    0.912345] DMAR-IR: Enabled IRQ remapping in x2apic mode\n' >> "$work/huge.log"
"$AGENT" --root "$work" --hostname box-7 --kernel-log "$work/huge.log" > "$work/huge.json"
printf 'kernel_log.source = "file"\nkernel_log.complete = true\niommu.interrupt_remapping.mode = "x2apic"\n' > "$work/expect4b"
"$check" "$work/huge.json" "$work/expect4b"
rm -f "$work/huge.log"
# A tree given with --root never reads this machine's kernel log: not
# through a link that points out of it, nor through a device node in it.
mkdir -p "$work/tree1" "$work/tree2/dev"
ln -s / "$work/tree1/dev"
"$AGENT" --root "$work/tree1" --hostname box-7 > "$work/tree1.json"
printf 'kernel_log.source = "none"\n' > "$work/expect5"
"$check" "$work/tree1.json" "$work/expect5"
if [ "$(id -u)" -eq 0 ] && mknod "$work/tree2/dev/kmsg" c 1 11 2> /dev/null; then
	"$AGENT" --root "$work/tree2" --hostname box-7 > "$work/tree2.json"
	"$check" "$work/tree2.json" "$work/expect5"
fi
echo "agent_live: ok"
