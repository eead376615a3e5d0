#!/bin/bash
# report html: a site made from the real fixtures and a hostile report is
# opened in headless Chromium.  The DOM's counts match SELECT counts, the
# hostile strings are text (no script ran, nothing was fetched, the console
# is silent), screenshots are taken, and the site is replaced atomically
# (never an operator's directory).  SCREENSHOT_DIR=DIR keeps the pictures.
set -eu
: "${COLLECTOR:?}" "${AGENT:?}" "${SOURCE_DIR:?}" "${FIXTURES:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
command -v chromium > /dev/null || fail "chromium is not installed (.ci/install-deps)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/fleet.db
C() { "$COLLECTOR" --db "$db" "$@"; }

# the fixtures, each as run_fixture.sh runs it, and the hostile report
for case in "$FIXTURES"/*/; do
	case=${case%/}
	root=$case/root
	[ -d "$root" ] || { root=$work/empty-root; mkdir -p "$root"; }
	set -- --root "$root"
	[ -f "$root/proc/sys/kernel/hostname" ] || [ -f "$root/etc/hostname" ] ||
		set -- "$@" --hostname "$(basename "$case")"
	[ -f "$case/kernel.log" ] && set -- "$@" --kernel-log "$case/kernel.log"
	"$AGENT" "$@" > "$work/r.json"
	C import "$work/r.json" > /dev/null
done
python3 "$DATA/hostile_report.py" "$TEMPLATE" "$work/hostile.json"
C import "$work/hostile.json" > /dev/null
# three R640s alike and one with interrupt remapping off: an outlier
for n in 1 2 3; do gen_report "r640-0$n" "$n" 8 > "$work/a$n.json"; done
gen_report r640-04 4 8 '/"interrupt_remapping"/,/}/s/"enabled": true/"enabled": false/' > "$work/a4.json"
C import "$work"/a[1-4].json > /dev/null
nhosts=$(q "$db" 'SELECT count(*) FROM host_status')
nnot=$(q "$db" "SELECT count(*) FROM host_status WHERE verdict = 'not-ready'")
[ "$nhosts" -gt 20 ] || fail "only $nhosts hosts imported"
[ "$nnot" -gt 0 ] || fail "no not-ready host among the fixtures"

mkdir -p "$work/site/hosts"
echo stale > "$work/site/hosts/stale.html"
touch "$work/site/.iommu-fleet-site" # a site of ours: replaced whole
C report html --out "$work/site"
[ ! -e "$work/site/hosts/stale.html" ] || fail "the old site's files survived"
expect "host pages" "$(find "$work/site/hosts" -name '*.html' | wc -l)" "$nhosts"
expect "leftovers" "$(find "$work" -maxdepth 1 -name 'site.*' | wc -l)" 0

browser() {
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run \
		--user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --log-level=0 "$@"
}

# the console detector works: a page with an error and a refused fetch
printf '%s' "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><img src=\"http://127.0.0.1:9/x.png\">" > "$work/control.html"
browser --dump-dom "file://$work/control.html" > /dev/null 2> "$work/control.err"
grep -q ':CONSOLE' "$work/control.err" || fail "the console detector saw nothing on the control page"

# dom FILE NAME: dump FILE's DOM into $work/NAME.dom, check the console and
# the network log
dom() {
	browser --log-net-log="$work/$2.net" --dump-dom "file://$1" > "$work/$2.dom" 2> "$work/$2.err"
	if grep ':CONSOLE' "$work/$2.err" >&2; then fail "$2: console messages"; fi
	if grep -E '127\.0\.0\.1|pwned' "$work/$2.net" >&2; then fail "$2: a request from host data"; fi
	case $(grep -o '<html[^>]*>' "$work/$2.dom" | head -n 1) in
	'<html lang="en">') ;;
	*) fail "$2: the html element was changed (a script ran)" ;;
	esac
	if grep -qi '<title>PWNED</title>' "$work/$2.dom"; then fail "$2: a hostile script ran"; fi
}
# count NAME ID: the DOM's element ID text, or the rows of table ID
count() {
	python3 - "$work/$1.dom" "$2" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s, want):
        super().__init__(); s.want = want; s.stack = []; s.text = ""; s.rows = 0; s.intable = 0; s.intext = 0
    def handle_starttag(s, tag, a):
        a = dict(a)
        if a.get("id") == s.want:
            if tag == "table": s.intable = 1
            else: s.intext = 1
        if s.intable and tag == "tr": s.rows += 1
    def handle_endtag(s, tag):
        if tag == "table": s.intable = 0
        s.intext = 0 if tag in ("b", "span") else s.intext
    def handle_data(s, d):
        if s.intext: s.text += d
p = P(sys.argv[2]); p.feed(open(sys.argv[1]).read())
print(p.rows - 1 if p.rows else (p.text.strip() or "absent"))
PY
}

dom "$work/site/index.html" fleet
expect "fleet title" "$(grep -o '<title>[^<]*</title>' "$work/fleet.dom" | head -n 1)" "<title>iommu-fleet</title>"
expect "DOM host count" "$(count fleet count-hosts)" "$nhosts"
expect "DOM not-ready count" "$(count fleet count-not-ready)" "$nnot"
expect "DOM hosts rows" "$(count fleet hosts)" "$nhosts"
expect "DOM outliers rows" "$(count fleet outliers)" "$(q "$db" 'SELECT count(*) FROM cohort_outliers')"
# (the host name is stored under its key, ASCII lower case)
grep -qF 'evil&lt;script&gt;document.title="pwned"' "$work/fleet.dom" ||
	fail "the hostile host name is not shown as text"
grep -qF '&lt;img src=http://127.0.0.1:9/pwned.png' "$work/fleet.dom" ||
	fail "the hostile product name is not shown as text"

# the hostile host's page, reached by the fleet page's link
page=$(grep -o 'href="hosts/_[0-9a-f]*\.html">evil' "$work/site/index.html" | head -n 1 | sed 's/href="//; s/">evil//')
[ -n "$page" ] || fail "no link to the hostile host's page"
dom "$work/site/$page" host
grep -qF '<title>evil&lt;script&gt;document.title="pwned"' "$work/host.dom" ||
	fail "the host page's title is not the escaped name"
grep -qF '&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;' "$work/host.dom" ||
	fail "the hostile device name is not text in the groups picture"
[ "$(count host devices)" -gt 0 ] || fail "no devices on the host page"
grep -q '<svg[^>]*class="groups"' "$work/host.dom" || fail "no IOMMU groups picture"

# nothing the page could fetch: no src, no absolute or external link
if grep -rEn '(src|href)="(https?:|//|/|file:)' "$work/site" >&2; then
	fail "a link or source outside the site"
fi

# the screenshots
browser --window-size=1400,1800 --screenshot="$work/fleet.png" "file://$work/site/index.html" 2> /dev/null
browser --window-size=1400,2400 --screenshot="$work/host.png" "file://$work/site/$page" 2> /dev/null
for p in fleet host; do
	expect "$p.png is a PNG" "$(head -c 4 "$work/$p.png" | od -An -c | tr -d ' ')" "211PNG"
done
if [ -n "${SCREENSHOT_DIR:-}" ]; then cp "$work/fleet.png" "$work/host.png" "$SCREENSHOT_DIR/"; fi

# never an operator's directory
mkdir "$work/www"
echo keep > "$work/www/index.html"
set +e
err=$(C report html --out "$work/www" 2>&1)
rc=$?
set -e
expect "foreign dir rc" "$rc" 1
case $err in *"not a site written by iommu-collector"*) ;; *) fail "foreign dir: $err" ;; esac
expect "foreign dir kept" "$(cat "$work/www/index.html")" keep
echo "report_html: ok ($nhosts hosts, $nnot not ready)"
