#!/bin/bash
# packaging.sh - packaging/build-packages into a temporary directory, then
# what an installer would see: the two .deb and the .rpm, their file lists
# (binaries, units, manual pages, configuration), the agent's dependencies
# (no libcurl, no libsystemd: they are dlopen()ed), lintian, rpm -qlp,
# mandoc -T lint, systemd-analyze verify and the collector unit's exposure.
# Before the packages: `cmake --install` of the build under another prefix
# puts every file under it, in its GNUInstallDirs place; and
# iommu-fleet-views(7) documents exactly the views (and their columns) of
# the database the collector makes, and its example queries run.
# A check whose tool is missing is skipped with a message; the build itself
# needs dpkg-buildpackage, debhelper and rpmbuild (.ci/install-deps).
# Env from ctest: SOURCE_DIR (else this checkout), BUILD_DIR and COLLECTOR
# (else the first two checks are skipped).
set -eu

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
skip() { echo "SKIP: $* (not installed)"; }
have() { command -v "$1" >/dev/null 2>&1; }

step "cmake --install --prefix: everything under the prefix, by GNUInstallDirs"
if [ -n "${BUILD_DIR:-}" ] && [ -x "$BUILD_DIR/iommu-agent" ] && have cmake; then
	# DESTDIR too: a file installed to an absolute place outside the prefix
	# lands in $T/dest, not on this machine, and is caught below
	DESTDIR="$T/dest" cmake --install "$BUILD_DIR" --prefix /x >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log"; fail "cmake --install"; }
	(cd "$T/dest" && find . -type f | sed 's|^\./|/|' | LC_ALL=C sort) >"$T/installed"
	cat "$T/installed"
	for f in /x/bin/iommu-agent /x/bin/iommu-collector \
		/x/share/man/man5/iommu-fleet.conf.5 /x/share/man/man7/iommu-fleet-views.7 \
		/x/share/man/man8/iommu-agent.8 /x/share/man/man8/iommu-collector.8 \
		/x/lib/systemd/system/iommu-agent.service /x/lib/systemd/system/iommu-agent.timer \
		/x/lib/systemd/system/iommu-collector.service \
		/x/lib/systemd/system/iommu-collector-pull.service \
		/x/lib/systemd/system/iommu-collector-pull.timer \
		/x/lib/tmpfiles.d/iommu-agent.conf \
		/x/share/bash-completion/completions/iommu-agent \
		/x/share/bash-completion/completions/iommu-collector \
		/x/etc/iommu-fleet/agent.conf /x/etc/iommu-fleet/collector.conf; do
		grep -qx "$f" "$T/installed" || fail "cmake --install --prefix /x: no $f"
	done
	[ "$(wc -l <"$T/installed")" -eq 16 ] || fail "cmake --install: not the 16 files above"
	if grep -v '^/x/' "$T/installed"; then
		fail "cmake --install --prefix /x wrote outside the prefix (above)"
	fi
	[ -x "$T/dest/x/bin/iommu-collector" ] || fail "the installed collector is not executable"
	# the administrator's file is kept on a second install
	echo '# mine' >"$T/dest/x/etc/iommu-fleet/collector.conf"
	DESTDIR="$T/dest" cmake --install "$BUILD_DIR" --prefix /x >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log"; fail "cmake --install, again"; }
	[ "$(cat "$T/dest/x/etc/iommu-fleet/collector.conf")" = "# mine" ] ||
		fail "cmake --install replaced an existing collector.conf"
else
	skip "BUILD_DIR with the binaries, or cmake: cmake --install is not checked"
fi

step "iommu-fleet-views(7): every view and column of the schema, and the examples run"
views_page=$SOURCE_DIR/man/iommu-fleet-views.7
if [ -n "${COLLECTOR:-}" ] && [ -x "$COLLECTOR" ] && have sqlite3; then
	"$COLLECTOR" --db "$T/views.db" import "$SOURCE_DIR/tests/integration/data/report-template.json" \
		>/dev/null || fail "import into $T/views.db"
	sqlite3 -batch "$T/views.db" "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name" \
		>"$T/views.schema"
	sed -n 's/^\.Ss \([a-z_]*\)$/\1/p' "$views_page" | LC_ALL=C sort >"$T/views.page"
	diff -u "$T/views.schema" "$T/views.page" >"$T/views.diff" || {
		cat "$T/views.diff"
		fail "the views of the schema (-) and the .Ss of iommu-fleet-views.7 (+) differ"
	}
	while read -r view; do
		sqlite3 -batch "$T/views.db" "SELECT name FROM pragma_table_info('$view')" |
			LC_ALL=C sort >"$T/cols.schema"
		# the .It Va lines of the view's subsection: ".It Va a , b , c"
		awk -v v="$view" '$1 == ".Ss" { on = ($2 == v) } $1 == ".Sh" { on = 0 }
			on && $1 == ".It" && $2 == "Va" {
				for (i = 3; i <= NF; i++) if ($i != ",") print $i }' "$views_page" |
			LC_ALL=C sort >"$T/cols.page"
		diff -u "$T/cols.schema" "$T/cols.page" >"$T/cols.diff" || {
			cat "$T/cols.diff"
			fail "$view: its columns (-) and those iommu-fleet-views.7 describes (+) differ"
		}
	done <"$T/views.schema"
	echo "$(wc -l <"$T/views.schema") views, every column described"
	# the EXAMPLES: every literal block that is a query
	awk '/^\.Bd -literal/ { n++; buf = ""; on = 1; next }
	     /^\.Ed/ { if (on && buf ~ /^SELECT/) { f = sprintf("%s/example.%02d.sql", dir, n); printf "%s", buf > f; close(f) } on = 0; next }
	     on { buf = buf $0 "\n" }' dir="$T" "$views_page"
	count=0
	for q in "$T"/example.*.sql; do
		[ -f "$q" ] || continue
		sqlite3 -batch -bail "$T/views.db" <"$q" >/dev/null 2>"$T/example.err" || {
			cat "$q" "$T/example.err"
			fail "an example query of iommu-fleet-views.7 fails"
		}
		count=$((count + 1))
	done
	[ "$count" -ge 6 ] || fail "iommu-fleet-views.7: $count example queries, expected 6 or more"
	echo "$count example queries run"
else
	skip "COLLECTOR or sqlite3: iommu-fleet-views.7 is not checked against the schema"
fi

for tool in dpkg-buildpackage dh rpmbuild; do
	if ! have "$tool"; then
		skip "$tool: packages cannot be built here; run .ci/install-deps"
		exit 0
	fi
done

step "packaging/build-packages"
start=$(date +%s)
"$SOURCE_DIR/packaging/build-packages" "$T/out" || fail "build-packages failed"
echo "built in $(($(date +%s) - start)) s"
if [ -e "$SOURCE_DIR/debian" ] || compgen -G "$SOURCE_DIR/obj-*" >/dev/null; then
	fail "build-packages wrote into the source tree"
fi

one() { # pattern (in $T/out): the one file that matches
	local files
	files=$(compgen -G "$T/out/$1") || fail "no $1 in $T/out: $(ls "$T/out")"
	[ "$(echo "$files" | wc -l)" -eq 1 ] || fail "more than one $1: $files"
	echo "$files"
}
agent_deb=$(one 'iommu-agent_*.deb')
collector_deb=$(one 'iommu-collector_*.deb')
agent_rpm=$(one 'iommu-agent-*.rpm')
ls -l "$T/out"

step "dpkg-deb -c: binaries, units, manual pages, configuration, completion"
dpkg-deb -c "$agent_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/agent.list"
dpkg-deb -c "$collector_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/collector.list"
has() { # list path-regex
	grep -Eqx "$2" "$T/$1.list" || fail "$1 package lacks $2"
}
has agent /usr/bin/iommu-agent
has agent '(/usr)?/lib/systemd/system/iommu-agent\.service'
has agent '(/usr)?/lib/systemd/system/iommu-agent\.timer'
has agent /usr/lib/tmpfiles.d/iommu-agent.conf
has agent /usr/share/man/man8/iommu-agent\.8\.gz
has agent /usr/share/man/man5/iommu-fleet\.conf\.5\.gz
has agent /etc/iommu-fleet/agent\.conf
has agent /usr/share/bash-completion/completions/iommu-agent
has collector /usr/bin/iommu-collector
has collector '(/usr)?/lib/systemd/system/iommu-collector\.service'
has collector '(/usr)?/lib/systemd/system/iommu-collector-pull\.service'
has collector '(/usr)?/lib/systemd/system/iommu-collector-pull\.timer'
has collector /usr/share/man/man8/iommu-collector\.8\.gz
has collector /usr/share/man/man7/iommu-fleet-views\.7\.gz
has collector /etc/iommu-fleet/collector\.conf
has collector /usr/share/bash-completion/completions/iommu-collector
if grep -q iommu-collector "$T/agent.list" || grep -q iommu-agent "$T/collector.list"; then
	fail "a package holds the other's files"
fi

dpkg-deb -e "$agent_deb" "$T/agent.ctl"
dpkg-deb -e "$collector_deb" "$T/collector.ctl"
grep -qx /etc/iommu-fleet/agent.conf "$T/agent.ctl/conffiles" || fail "agent.conf is not a conffile"
grep -qx /etc/iommu-fleet/collector.conf "$T/collector.ctl/conffiles" ||
	fail "collector.conf is not a conffile"
grep -q 'adduser --system' "$T/collector.ctl/postinst" || fail "collector postinst makes no system user"

mkdir "$T/root"
dpkg-deb -x "$agent_deb" "$T/root"
dpkg-deb -x "$collector_deb" "$T/root"
grep -Eqx 'db = /var/lib/iommu-fleet/fleet\.db' "$T/root/etc/iommu-fleet/collector.conf" ||
	fail "collector.conf does not set db = /var/lib/iommu-fleet/fleet.db"
"$T/root/usr/bin/iommu-agent" --version || fail "the packaged agent does not run"
"$T/root/usr/bin/iommu-collector" --version || fail "the packaged collector does not run"

step "the agent depends on what it links only"
depends=$(dpkg-deb -f "$agent_deb" Depends)
recommends=$(dpkg-deb -f "$agent_deb" Recommends)
echo "Depends: $depends"
echo "Recommends: $recommends"
case $depends in *curl* | *systemd*) fail "iommu-agent Depends on libcurl or libsystemd" ;; esac
case $depends in *libjansson*) ;; *) fail "iommu-agent does not Depend on libjansson" ;; esac
case $recommends in *libcurl4*libsystemd0* | *libsystemd0*libcurl4*) ;;
*) fail "iommu-agent does not Recommend libcurl4 and libsystemd0" ;; esac
if have readelf; then
	readelf -d "$T/root/usr/bin/iommu-agent" | grep NEEDED
	readelf -d "$T/root/usr/bin/iommu-agent" | grep NEEDED | grep -Eq 'curl|systemd' &&
		fail "iommu-agent links libcurl or libsystemd"
else
	skip "readelf: the agent's NEEDED entries are not checked"
fi

step "lintian"
if have lintian; then
	lintian --fail-on error,warning --info "$agent_deb" "$collector_deb" ||
		fail "lintian reports errors or warnings"
else
	skip "lintian"
fi

step "rpm -qlp"
if have rpm; then
	rpm -qlp "$agent_rpm" >"$T/rpm.list"
	cat "$T/rpm.list"
	for f in /usr/bin/iommu-agent /usr/lib/systemd/system/iommu-agent.service \
		/usr/lib/systemd/system/iommu-agent.timer /etc/iommu-fleet/agent.conf \
		/var/spool/iommu-agent; do
		grep -qx "$f" "$T/rpm.list" || fail "the rpm lacks $f"
	done
	grep -Eqx '/usr/share/man/man8/iommu-agent\.8(\.gz)?' "$T/rpm.list" ||
		fail "the rpm lacks the manual page"
	rpm -qcp "$agent_rpm" | grep -qx /etc/iommu-fleet/agent.conf ||
		fail "agent.conf is not %config in the rpm"
	rpm -qp --requires "$agent_rpm" | grep -Eq 'curl|systemd' &&
		fail "the rpm Requires libcurl or libsystemd"
else
	skip "rpm"
fi

step "mandoc -T lint"
if have mandoc; then
	# run beside the pages so their references to each other resolve; what
	# the lookup says about other packages' manuals (missing, or missing
	# from a stale mandoc.db) depends on this machine: not counted
	rc=0
	(cd "$SOURCE_DIR/man" && mandoc -T lint ./*.[0-9]) >"$T/mandoc.out" 2>&1 || rc=$?
	awk '/outdated mandoc\.db lacks/ { next }
	     /referenced manual not found: Xr / && !/Xr iommu-/ { next }
	     { print }' "$T/mandoc.out" >"$T/mandoc.msgs"
	if [ "$rc" -ne 0 ] || [ -s "$T/mandoc.msgs" ]; then
		cat "$T/mandoc.msgs"
		fail "mandoc -T lint (exit $rc)"
	fi
	for page in "$T"/root/usr/share/man/man*/*.gz; do
		mandoc -T utf8 "$page" >/dev/null || fail "the packaged $page does not render"
	done
else
	skip "mandoc"
fi

step "bash -n on the completion files"
for f in "$SOURCE_DIR"/packaging/completion/*; do
	bash -n "$f" || fail "$f"
done

step "systemd-analyze verify"
if have systemd-analyze; then
	# the units as packaged, with ExecStart= pointing at the extracted
	# binaries and man: links at the extracted manual pages
	mkdir "$T/units"
	for u in "$T"/root/lib/systemd/system/* "$T"/root/usr/lib/systemd/system/*; do
		[ -f "$u" ] || continue
		sed "s|/usr/bin/|$T/root/usr/bin/|g" "$u" >"$T/units/${u##*/}"
	done
	[ "$(find "$T/units" -type f | wc -l)" -eq 5 ] || fail "expected 5 units: $(ls "$T/units")"
	# verify exits 0 on an unknown or misspelt directive, only saying so:
	# any message fails
	rc=0
	MANPATH="$T/root/usr/share/man" systemd-analyze verify "$T"/units/* \
		>"$T/verify.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$T/verify.out" ]; then
		cat "$T/verify.out"
		fail "systemd-analyze verify (exit $rc)"
	fi

	if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
		for u in "$T"/units/*.service; do
			systemd-analyze security --offline=true --no-pager "$u" |
				grep 'Overall exposure level' || fail "systemd-analyze security $u"
		done
		systemd-analyze security --offline=true --threshold=30 --no-pager \
			"$T/units/iommu-collector.service" >/dev/null ||
			fail "iommu-collector.service exposure is 3.0 or more"
	else
		skip "systemd-analyze security --offline (systemd < 250)"
	fi
else
	skip "systemd-analyze"
fi
echo ok
