#!/bin/bash
# ingest_agree.sh - the same hostile and borderline reports through all
# three transports (import, pull over a real loopback sshd, serve over HTTP
# with a token per host), and all three must reach the same decision: the
# same status word and the same recorded verdict (the `attempts` and
# `host_status` views, read with the sqlite3 CLI).
#
# The rule (what every transport must do):
#   - a report's host.hostname names the same host as the inventory/token
#     name when they are equal ignoring ASCII case and one trailing dot
#     ("WEB1", "web1." are web1; "WÉB1" is not "wéb1": ASCII case only);
#   - a short name and an FQDN whose first label matches are the same host
#     only when one side is a bare short name (no dot): "web1.example.org"
#     is web1 and "web1" is web1.example.org, but "web1.example.org" is not
#     "web1.example.net" (pull's rule today, serve's too from now on);
#   - a report's host name is 1..255 bytes of UTF-8 without control
#     characters (proto/hostname.h, HOSTNAME_REPORTED): otherwise the report
#     is `rejected` with a message naming host.hostname.  Blanks are data
#     (import stores "web 1" as it is), but no inventory or token name has
#     one, so "web 1" sent for web1 is wrong-host;
#   - a device listed twice (in two groups, or as a group member and
#     ungrouped, whatever the hex case of its address) or a group id listed
#     twice: `rejected` by every transport, before anything is stored;
#   - a report naming another host: pull records `wrong-host`, serve answers
#     403 (access log result=wrong-host) and records `wrong-host` in
#     attempts; nothing is stored, no host row is made for the claimed name;
#   - every report that reaches pull or serve is one row in `attempts`
#     under the host it was checked against, whose status is the word the
#     transport answered (a resend too: `duplicate`); `host_status` has that
#     host with that last_attempt_status, and the report's verdict when one
#     was accepted (NULL when none was).
#
# What differs by design, for import: a file has no expected identity, the
# host IS the report's own host.hostname.  So for import the identity cases
# (case, trailing dot, FQDN, another host) are simply `stored` under the
# report's name, and a report rejected before any host is known, or a file
# imported again (duplicate), leaves no attempt (collector/ingest.h).  Import is compared on what is comparable: a
# report rejected by pull and serve for what it contains (its host name, its
# devices, its groups) is rejected by import too, for the same reason; an
# accepted one gets the same words and the same verdict.
#
# Pull cannot name a host outside the inventory's ASCII name syntax
# (collector/inventory.c): a case whose identity the inventory refuses is
# shown as n/a for pull and not compared there.
#
# Each case runs on its own fresh database per transport, so the cases
# cannot see each other.  Loopback only; everything started is stopped.
# Env from ctest: COLLECTOR, SOURCE_DIR.
set -eu

: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
SSHD=/usr/sbin/sshd
T=$(mktemp -d)
SSHD_PID=
SERVE_PID=
cleanup() {
	[ -n "$SERVE_PID" ] && kill -9 "$SERVE_PID" 2>/dev/null
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing"
command -v curl >/dev/null || fail "curl missing"
[ -x "$SSHD" ] || fail "no $SSHD"
[ -d /run/sshd ] || mkdir -p /run/sshd || fail "sshd needs /run/sshd"

# shellcheck source=../lib/free_port.bash
. "$SOURCE_DIR/tests/lib/free_port.bash"
# shellcheck source=../lib/sshd.bash
. "$SOURCE_DIR/tests/lib/sshd.bash"

# ---------------------------------------------------------------- the cases
# One line per case for the shell (id TAB identity TAB files), and the
# whole description as JSON for the checker.
mkdir -p "$T/cases" "$T/res"
python3 - "$SOURCE_DIR/tests/integration/data/report-template.json" "$T/cases" <<'PY'
import copy, json, os, sys

template = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
serial = [0]

def report(hostname, mutate=None, hour=8):
    r = copy.deepcopy(template)
    serial[0] += 1
    r["report_id"] = "6f1c2b9e-8d4a-4e55-9a7b-%012x" % serial[0]
    r["collected_at"] = "2026-11-23T%02d:00:00Z" % hour
    r["host"]["hostname"] = hostname
    if mutate:
        mutate(r)
    return r

def group(r, gid):
    return next(g for g in r["iommu"]["groups"] if g["id"] == gid)

def dup_device_two_groups(r):
    # the GPU of group 18 also claimed by group 19
    group(r, 19)["devices"].append(copy.deepcopy(group(r, 18)["devices"][0]))

def dup_device_ungrouped_upper(r):
    # the same GPU again, ungrouped, its address in upper-case hex
    d = copy.deepcopy(group(r, 18)["devices"][0])
    d["address"] = d["address"].upper()
    r["iommu"]["ungrouped_devices"].append(d)

def dup_group(r):
    group(r, 19)["id"] = 18

long_base = "web1." + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "."
long255 = long_base + "d" * (255 - len(long_base))
long256 = long_base + "d" * (256 - len(long_base))
assert len(long255.encode()) == 255 and len(long256.encode()) == 256

# id, identity (inventory name= / token), reports sent in order, the words
# the rule expects for each send (pull and serve), keyword every rejection
# message must carry, what it is about
cases = []
def case(cid, identity, reports, expect, keyword=None, what="", text_edit=None):
    files = []
    for i, r in enumerate(reports):
        path = os.path.join(out, "%s.%d.json" % (cid, i))
        text = json.dumps(r, ensure_ascii=False, indent=2) + "\n"
        if text_edit:
            text = text_edit(text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        files.append(path)
    cases.append(dict(id=cid, identity=identity, files=files, expect=expect,
                      keyword=keyword, what=what,
                      hostnames=[r["host"]["hostname"] for r in reports]))

case("exact", "web1", [report("web1")], ["stored"], what="baseline")
case("upper", "web1", [report("WEB1")], ["stored"], what="ASCII case")
case("trailing-dot", "web1", [report("web1.")], ["stored"], what="one trailing dot")
case("fqdn-upper-dot", "web1.example.org", [report("WEB1.Example.ORG.")], ["stored"],
     what="case and trailing dot on an FQDN")
case("fqdn-report", "web1", [report("web1.example.org")], ["stored"],
     what="FQDN report, short identity")
case("short-report", "web1.example.org", [report("web1")], ["stored"],
     what="short report, FQDN identity")
case("fqdn-fqdn", "web1.example.org", [report("web1.example.net")], ["wrong-host"],
     what="two FQDNs, same first label")
case("unicode-self", "w\u00e9b1", [report("w\u00e9b1")], ["stored"],
     what="Unicode name, its own token")
case("unicode-other", "web1", [report("w\u00e9b1")], ["wrong-host"],
     what="Unicode look-alike of web1")
case("ctl-esc", "web1", [report("web1\x1b[0m")], ["rejected"], "host.hostname",
     what="escape character in the name")
case("ctl-tab", "web1", [report("web1\t")], ["rejected"], "host.hostname",
     what="tab in the name")
case("space", "web1", [report("web 1")], ["wrong-host"],
     what="space in the name: data, not web1")
case("empty", "web1", [report("")], ["rejected"], "host.hostname",
     what="empty name")
case("long-255", "web1", [report(long255)], ["stored"],
     what="255-byte FQDN of web1")
case("long-256", "web1", [report(long256)], ["rejected"], "host.hostname",
     what="256-byte name")
case("dup-device", "web1", [report("web1", dup_device_two_groups)], ["rejected"],
     "0000:3b:00.0", what="one device in two groups")
case("dup-device-hex", "web1", [report("web1", dup_device_ungrouped_upper)], ["rejected"],
     "0000:3b:00.0", what="a group member again ungrouped, upper-case hex")
# "web1" spelt with a JSON escape: pull and serve cannot read the name with
# their cheap scan and decode the whole report instead, a second path to the
# same decision
def escape_name(text):
    plain = '"hostname": "web1"'
    assert text.count(plain) == 1
    return text.replace(plain, '"hostname": "web\\u0031"')
case("escaped-name", "web1", [report("web1")], ["stored"],
     what="name with a JSON escape", text_edit=escape_name)
case("dup-device-escaped", "web1", [report("web1", dup_device_two_groups)], ["rejected"],
     "0000:3b:00.0", what="device twice, name with a JSON escape", text_edit=escape_name)
case("dup-group", "web1", [report("web1", dup_group)], ["rejected"],
     "iommu.groups", what="group id 18 twice")
r = report("web1")
case("resend", "web1", [r, r], ["stored", "duplicate"], what="same report_id twice")
case("unchanged", "web1", [report("web1"), report("web1", hour=9)], ["stored", "unchanged"],
     what="same content, new report_id")
case("wrong-host", "web1", [report("db9")], ["wrong-host"], what="another host entirely")

with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
    json.dump(dict(cases=cases, verdict=template["verdict"]), f, ensure_ascii=False)
with open(os.path.join(out, "list"), "w", encoding="utf-8") as f:
    for c in cases:
        f.write("%s\t%s\t%s\n" % (c["id"], c["identity"], " ".join(c["files"])))
PY

# -------------------------------------------------------------------- sshd
ssh-keygen -q -t ed25519 -N '' -C host -f "$T/hostkey"
ssh-keygen -q -t ed25519 -N '' -C user -f "$T/user"
cp "$T/user.pub" "$T/authorized_keys"
SSH_PORT=$(free_port)
{
	echo "ListenAddress 127.0.0.1:$SSH_PORT"
	sshd_conf_common "$T/hostkey"
} >"$T/sshd.conf"
"$SSHD" -D -f "$T/sshd.conf" -e 2>>"$T/sshd.log" &
SSHD_PID=$!
wait_port 127.0.0.1 "$SSH_PORT"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$T/hostkey.pub")" >"$T/known_hosts"
: >"$T/ssh_config"
mkdir -p "$T/home"
export HOME="$T/home"
unset SSH_AUTH_SOCK SSH_AGENT_PID
SSH_USER=$(id -un)

# ------------------------------------------------------------- transports
dump_views() { # DB DIR: the two public views as JSON, for the checker
	sqlite3 -batch -json "$1" "SELECT hostname, verdict, last_attempt_status, last_error
	    FROM host_status ORDER BY hostname" >"$2/host_status.json" 2>"$2/sqlite.err" || true
	sqlite3 -batch -json "$1" "SELECT hostname, transport, status, error
	    FROM attempts ORDER BY started_at" >"$2/attempts.json" 2>>"$2/sqlite.err" || true
}

run_import() { # DIR FILES...
	local dir=$1 i=0 f rc
	shift
	for f in "$@"; do
		rc=0
		"$COLLECTOR" --db "$dir/fleet.db" import "$f" >"$dir/out.$i" 2>"$dir/err.$i" || rc=$?
		echo "$rc" >"$dir/rc.$i"
		i=$((i + 1))
	done
	dump_views "$dir/fleet.db" "$dir"
}

run_pull() { # DIR IDENTITY FILES...
	local dir=$1 name=$2 i=0 f rc
	shift 2
	for f in "$@"; do
		rc=0
		"$COLLECTOR" --db "$dir/fleet.db" pull --known-hosts "$T/known_hosts" \
		    --ssh-config "$T/ssh_config" --identity "$T/user" \
		    --connect-timeout 3 --timeout 10 --jobs 1 \
		    "$SSH_USER@127.0.0.1:$SSH_PORT name=$name command=\"cat $f\"" \
		    >"$dir/out.$i" 2>"$dir/err.$i" || rc=$?
		echo "$rc" >"$dir/rc.$i"
		i=$((i + 1))
	done
	[ -f "$dir/fleet.db" ] && dump_views "$dir/fleet.db" "$dir"
	return 0
}

run_serve() { # DIR IDENTITY FILES...
	local dir=$1 name=$2 i=0 f port up=0 rc
	shift 2
	(umask 077; "$COLLECTOR" --db "$dir/fleet.db" token add "$name" >"$dir/token" 2>"$dir/token.err") ||
	    fail "token add $name: $(cat "$dir/token.err")"
	port=$(free_port)
	"$COLLECTOR" --db "$dir/fleet.db" serve --listen "127.0.0.1:$port" 2>>"$dir/serve.log" &
	SERVE_PID=$!
	for _ in $(seq 100); do
		if curl -s --noproxy '*' --max-time 2 -o /dev/null "http://127.0.0.1:$port/healthz"; then
			up=1
			break
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ "$up" = 1 ] || fail "serve did not start: $(tail -n 5 "$dir/serve.log")"
	for f in "$@"; do
		curl -s --noproxy '*' --max-time 10 -o "$dir/body.$i" -w '%{http_code}' \
		    -H "Authorization: Bearer $(cat "$dir/token")" \
		    -H 'Content-Type: application/json' --data-binary "@$f" \
		    "http://127.0.0.1:$port/v1/reports" >"$dir/code.$i" || true
		i=$((i + 1))
	done
	rc=0
	kill -TERM "$SERVE_PID"
	wait "$SERVE_PID" || rc=$?
	SERVE_PID=
	[ "$rc" = 0 ] || echo "serve exited $rc after SIGTERM" >>"$dir/serve.log"
	dump_views "$dir/fleet.db" "$dir"
}

start=$(date +%s)
while IFS=$'\t' read -r id identity files; do
	for tr in import pull serve; do mkdir -p "$T/res/$id/$tr"; done
	# shellcheck disable=SC2086 # the file list is ours: no blanks
	run_import "$T/res/$id/import" $files
	# shellcheck disable=SC2086
	run_pull "$T/res/$id/pull" "$identity" $files
	# shellcheck disable=SC2086
	run_serve "$T/res/$id/serve" "$identity" $files
done <"$T/cases/list"
echo "ran $(grep -c '' "$T/cases/list") cases through import, pull and serve in $(( $(date +%s) - start ))s"

# A message says its status word once: "rejected: rejected: ..." was seen
# when a transport prefixed a word the error already carried.  Checked in
# everything printed and in every stored attempt's error.
doubled=$(grep -rIhoE '(^|[ :])([a-z][a-z-]{3,}): \2:' "$T/res" | head -n 3 || true)
for db in "$T"/res/*/*/fleet.db; do
	[ -f "$db" ] || continue
	doubled+=$(sqlite3 "$db" "SELECT status || ': ' || error FROM collection_attempts
	                          WHERE error LIKE status || ':%' LIMIT 3")
done
[ -z "$doubled" ] || fail "a status word said twice: $doubled"

# ----------------------------------------------------------------- checker
python3 - "$T/cases/manifest.json" "$T/res" <<'PY'
import json, os, re, sys

manifest = json.load(open(sys.argv[1], encoding="utf-8"))
res = sys.argv[2]
VERDICT = manifest["verdict"]
OK_WORDS = ("stored", "unchanged", "duplicate")

def show(s):
    """Printable, one line: control characters escaped, Unicode kept."""
    if s is None:
        return "NULL"
    return "".join(c if c.isprintable() else "\\x%02x" % ord(c) for c in s)

def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return default

def rows(path):
    text = read(path).strip()
    return json.loads(text) if text else []

def sends(c):
    return range(len(c["files"]))

def parse_line(line):
    """'NAME: word ...' or 'NAME: word: message' -> (word, message)"""
    rest = line.split(": ", 1)[1] if ": " in line else line
    m = re.match(r"([a-z-]+)(?::\s*(.*)|\s+(.*)|$)", rest)
    if not m:
        return "?" + rest[:30], rest
    return m.group(1), m.group(2) or ""

def import_result(c, d):
    words, msgs = [], []
    for i in sends(c):
        lines = [l for l in read(f"{d}/out.{i}").splitlines() if l.strip()]
        if not lines:
            words.append("no-output(rc=%s)" % read(f"{d}/rc.{i}").strip())
            msgs.append(read(f"{d}/err.{i}").strip())
            continue
        w, m = parse_line(lines[-1])
        words.append(w)
        msgs.append(m)
    return words, msgs

def pull_result(c, d):
    words, msgs = [], []
    for i in sends(c):
        rc = read(f"{d}/rc.{i}").strip()
        lines = [l for l in read(f"{d}/out.{i}").splitlines()
                 if l.strip() and not l.startswith("pull: ")]
        if not lines and rc == "2":
            return None, [read(f"{d}/err.{i}").strip()]  # the inventory refuses the name
        if not lines:
            words.append("no-output(rc=%s)" % rc)
            msgs.append(read(f"{d}/err.{i}").strip())
            continue
        w, m = parse_line(lines[0])
        words.append(w)
        msgs.append(m)
    return words, msgs

def serve_result(c, d):
    words, msgs = [], []
    log = read(f"{d}/serve.log")
    for i in sends(c):
        code = read(f"{d}/code.{i}").strip()
        try:
            body = json.loads(read(f"{d}/body.{i}") or "{}")
        except ValueError:
            body = {}
        if code in ("200", "201"):
            w = body.get("status", "?")
        elif code == "400":
            w = "rejected"
        elif code == "403":
            w = "wrong-host"
        else:
            w = "http-" + (code or "none")
        words.append(w)
        msgs.append(body.get("error", "") if isinstance(body.get("error"), str) else "")
    return words, msgs, log

def cell(words, hs):
    if words is None:
        return "n/a"
    v = hs[0]["verdict"] if len(hs) == 1 else ("-" if not hs else "%d hosts" % len(hs))
    return "+".join(words) + "/" + (v if v is not None else "-")

def attempt_words(att):
    return sorted(a["status"] for a in att)

table, recorded, problems, details = [], [], [], []
for c in manifest["cases"]:
    cid, ident, expect = c["id"], c["identity"], c["expect"]
    iexpect = ["stored" if w == "wrong-host" else w for w in expect]  # by design
    last = expect[-1]
    want_verdict = VERDICT if last in OK_WORDS else None
    out = {}
    errs = []  # (transport, what)

    # ---- import
    d = f"{res}/{cid}/import"
    words, msgs = import_result(c, d)
    hs, att = rows(f"{d}/host_status.json"), rows(f"{d}/attempts.json")
    out["import"] = (words, hs, att, msgs)
    if words != iexpect:
        errs.append(("import", "answered %s, want %s" % ("+".join(words), "+".join(iexpect))))
    iwant_verdict = VERDICT if iexpect[-1] in OK_WORDS else None
    if iexpect[-1] == "rejected":
        if c["keyword"] and c["keyword"] not in msgs[-1]:
            errs.append(("import", "rejection does not name %s: %r" % (c["keyword"], show(msgs[-1]))))
        if hs:
            errs.append(("import", "a rejected report made host rows: %s"
                         % ", ".join(show(h["hostname"]) for h in hs)))
    else:
        # a resent file is no attempt: the last one is the last stored
        ilast = [w for w in iexpect if w in ("stored", "unchanged")][-1]
        if len(hs) != 1:
            errs.append(("import", "%d host rows, want 1" % len(hs)))
        elif hs[0]["verdict"] != iwant_verdict or hs[0]["last_attempt_status"] != ilast:
            errs.append(("import", "host_status %s: verdict %s, last_attempt %s; want %s, %s"
                         % (show(hs[0]["hostname"]), show(hs[0]["verdict"]),
                            show(hs[0]["last_attempt_status"]), show(iwant_verdict), ilast)))
        iatt = sorted(w for w in iexpect if w in ("stored", "unchanged"))
        if attempt_words(att) != iatt:
            errs.append(("import", "attempts [%s], want one per stored report [%s]"
                         % (",".join(attempt_words(att)), ",".join(iatt))))

    # ---- pull and serve: the identity is the inventory's / the token's
    for tr in ("pull", "serve"):
        d = f"{res}/{cid}/{tr}"
        if tr == "pull":
            words, msgs = pull_result(c, d)
            log = ""
        else:
            words, msgs, log = serve_result(c, d)
        hs, att = rows(f"{d}/host_status.json"), rows(f"{d}/attempts.json")
        out[tr] = (words, hs, att, msgs)
        if words is None:
            details.append("%s: pull n/a: the inventory refuses the name %s (%s)"
                           % (cid, show(ident), show(msgs[0][-60:])))
            continue
        if words != expect:
            errs.append((tr, "answered %s, want %s" % ("+".join(words), "+".join(expect))))
        if len(hs) != 1 or hs[0]["hostname"] != ident:
            errs.append((tr, "host rows [%s], want exactly [%s]"
                         % (", ".join(show(h["hostname"]) for h in hs), show(ident))))
        else:
            h = hs[0]
            if h["verdict"] != want_verdict or h["last_attempt_status"] != last:
                errs.append((tr, "host_status: verdict %s, last_attempt %s; want %s, %s"
                             % (show(h["verdict"]), show(h["last_attempt_status"]),
                                show(want_verdict), last)))
        if attempt_words(att) != sorted(expect):
            errs.append((tr, "attempts [%s], want one per report [%s]"
                         % (",".join(attempt_words(att)), ",".join(sorted(expect)))))
        if any(a["hostname"] != ident for a in att):
            errs.append((tr, "attempts under another name: %s"
                         % ", ".join(sorted({show(a["hostname"]) for a in att}))))
        if last == "rejected" and c["keyword"]:
            if c["keyword"] not in msgs[-1]:
                errs.append((tr, "answer does not name %s: %r" % (c["keyword"], show(msgs[-1]))))
            errors = [a["error"] or "" for a in att if a["status"] == "rejected"]
            if errors and not all(c["keyword"] in e for e in errors):
                errs.append((tr, "attempt error does not name %s: %r"
                             % (c["keyword"], show(errors[-1]))))
        if tr == "serve" and last == "wrong-host":
            if "result=wrong-host" not in log:
                errs.append((tr, "no access log line with result=wrong-host"))

    # ---- do the three agree with each other?  Each answer as (words,
    # verdict, attempts); import's read the way pull and serve would have
    # to answer, where it differs by design: another host's report that it
    # stored under its own name counts as that host's wrong-host, and a
    # rejection with no host known as one rejected attempt.
    norm = {}
    for tr in ("import", "pull", "serve"):
        words, hs, att, msgs = out[tr]
        if words is None:
            continue
        v = hs[0]["verdict"] if len(hs) == 1 else None
        a = attempt_words(att)
        if tr == "import":
            if last == "wrong-host" and words == iexpect:
                words, v, a = expect, None, sorted(expect)
            elif words and words[-1] == "rejected" and not hs:
                a = sorted(a + ["rejected"])
            a = sorted(a + [w for w in words if w == "duplicate"])
        norm[tr] = ("+".join(words), v, ",".join(a))
    agree = len(set(norm.values())) == 1
    mark = "ok" if not errs else ("DISAGREE" if not agree else "WRONG")
    if errs:
        problems.append((cid, mark, errs))
    shown = lambda hn: '""' if hn == "" else show(
        hn if len(hn) <= 24 else hn[:20] + "...(%d)" % len(hn.encode()))
    table.append((cid, "%s -> %s" % (shown(c["hostnames"][0]), show(ident)),
                  "+".join(expect), cell(*out["import"][:2]), cell(*out["pull"][:2]),
                  cell(*out["serve"][:2]), mark))
    recorded.append((cid,) + tuple(
        "n/a" if out[tr][0] is None else
        (",".join(attempt_words(out[tr][2])) or "-") + " | " +
        ("; ".join("%s %s" % (shown(h["hostname"]), h["last_attempt_status"]) for h in out[tr][1]) or "-")
        for tr in ("import", "pull", "serve")))
    for tr in ("import", "pull", "serve"):
        words, hs, att, msgs = out[tr]
        if words is not None:
            for w, m in zip(words, msgs):
                if m and w not in OK_WORDS:
                    details.append("%s: %s %s: %s" % (cid, tr, w, show(m)[:160]))

def print_table(head, body):
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print(fmt % head)
    print(fmt % tuple("-" * w for w in widths))
    for r in body:
        print(fmt % r)

print()
print("Answers (word[+word of a resend]/stored verdict; import has no identity: "
      "another host's report is stored under its own name by design)")
print_table(("case", "report host -> identity", "expected", "import", "pull", "serve", ""), table)
print()
print("Recorded (attempts statuses | host_status hostname last_attempt_status)")
print_table(("case", "import", "pull", "serve"), recorded)
print()
print("Messages")
for d in details:
    print("  " + d)
print()
if problems:
    print("%d of %d cases do not follow the rule (DISAGREE: the transports differ; "
          "WRONG: they agree, on the wrong answer):" % (len(problems), len(table)))
    for cid, mark, errs in problems:
        print("  %s [%s]" % (cid, mark))
        for tr, what in errs:
            print("    %-6s %s" % (tr, what))
    sys.exit(1)
print("all %d cases: the three transports agree, and follow the rule" % len(table))
PY
echo ok
