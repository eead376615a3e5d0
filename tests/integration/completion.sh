#!/bin/bash
# completion.sh - the bash completion of packaging/completion/: each file is
# sourced in a fresh bash, the function it registers with `complete -F` is
# called with COMP_WORDS / COMP_CWORD (and COMP_LINE / COMP_POINT) as bash
# sets them, and COMPREPLY must hold exactly the expected candidates:
# options and subcommands of both binaries, file and directory arguments,
# and the host names of the inventory (--inventory, or "inventory =" of the
# --config file) for `iommu-collector pull`, also when bash has split
# root@db1:2222 at '@' and ':'.  A host name is never expanded ($(...) in
# the inventory runs nothing).  Without bash-completion, then with it when
# it is installed (/usr/share/bash-completion/bash_completion, or
# $BASH_COMPLETION_SCRIPT).
# Env from ctest: SOURCE_DIR (else this checkout).
set -euo pipefail

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
COMPLETION=$SOURCE_DIR/packaging/completion
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# comp [-l LINE] WORD...: the candidates, sorted, one a line, when
# completing the last WORD of the command line WORD... (its first word names
# the completion file).  -l gives COMP_LINE when bash split words at
# COMP_WORDBREAKS characters; by default it is the words joined by blanks.
comp() {
	local line=""
	if [ "$1" = -l ]; then
		line=$2
		shift 2
	fi
	[ -n "$line" ] || line="$*"
	BC=${BC:-} LINE=$line bash --norc --noprofile -c '
		set -u
		[ -z "$BC" ] || . "$BC"
		. "$0/$1"
		spec=$(complete -p "$1") || { echo "no complete -p $1" >&2; exit 1; }
		[[ $spec =~ -F\ ([^ ]+) ]] || { echo "not complete -F: $spec" >&2; exit 1; }
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE=$LINE
		COMP_POINT=${#LINE}
		"${BASH_REMATCH[1]}" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		for w in "${COMPREPLY[@]}"; do printf "%s\n" "$w"; done' \
		"$COMPLETION" "$@" | LC_ALL=C sort
}

# want WORD...: WORDs as comp prints them
want() {
	[ $# -eq 0 ] || printf '%s\n' "$@" | LC_ALL=C sort
}

# check NAME GOT WANT
check() {
	[ "$2" = "$3" ] || fail "$1 (${BC:-without bash-completion}):
got:
$2
want:
$3"
	echo "ok: $1"
}

mkdir dir1
: > dfile
# The inventory: comments, a blank line, indentation, user@host:port,
# [v6]:port, name=, and a first word that a shell would expand.
cat > inv.txt << 'EOF'
# the fleet
root@127.0.0.2:2222 name=alpha tags=intel
db1.example.org

   web1 command="iommu-agent --root /x" # the lab box
[::1]:2201 name=v6 agent=none
$(touch${IFS}PWNED) tags=hostile
EOF
printf '# pull settings\ndb = %s/fleet.db\ninventory = %s/inv.txt\n' "$T" "$T" > with-inv.conf
printf 'db = %s/fleet.db\n#inventory = %s/inv.txt\n' "$T" "$T" > without-inv.conf
# shellcheck disable=SC2016 # the literal text of the inventory's last host
# the collector itself, for what it reads of Ansible inventories
if [ -n "${COLLECTOR:-}" ]; then
	mkdir -p "$T/bin"
	ln -s "$COLLECTOR" "$T/bin/iommu-collector"
fi
printf '[gpu]\ngpu[1:2]\n[web]\nweb1 ansible_host=10.0.0.1\n[prod:children]\ngpu\nweb\n' >fleet.ini
printf 'all:\n  children:\n    lab:\n      hosts:\n        gpu1:\n        web1:\n' >fleet.yml
pull_hosts=$(want 'root@127.0.0.2:2222' alpha db1.example.org web1 '[::1]:2201' v6 \
	'$(touch${IFS}PWNED)')
# shellcheck disable=SC2016
names=$(want alpha db1.example.org web1 v6 '$(touch${IFS}PWNED)')
agent_opts=$(want --config --root --kernel-log --capture --pci-ids --hostname --pretty \
	--verbose -v --push --token-file --cacert --spool --help -h --version)
pull_opts=$(want --inventory --limit --inventory-format --jump --list-hosts \
	--jobs -j --command --agentless --known-hosts --accept-new \
	--identity --ssh-config --connect-timeout --timeout --max-bytes --tmpdir --quiet -q \
	--progress --no-progress --help)

run_cases() {
	# iommu-agent: options, and what each option's value is
	check "agent: every option" "$(comp iommu-agent '')" "$agent_opts"
	check "agent: --p" "$(comp iommu-agent --pretty --p)" "$(want --pci-ids --pretty --push)"
	check "agent: --root takes a directory" "$(comp iommu-agent --root "$T/d")" "$(want "$T/dir1")"
	check "agent: --config takes a file" "$(comp iommu-agent --config "$T/d")" \
		"$(want "$T/dfile" "$T/dir1")"
	check "agent: --hostname is the user's" "$(comp iommu-agent --hostname '')" ""
	if [ -n "${BC:-}" ]; then
		check "agent: --config=FILE" "$(comp -l "iommu-agent --config=$T/df" \
			iommu-agent --config = "$T/df")" "$(want "$T/dfile")"
	else
		check "agent: --config=FILE" "$(comp iommu-agent --config = "$T/df")" "$(want "$T/dfile")"
	fi

	# iommu-collector: global options, subcommands and theirs
	check "collector: subcommands" "$(comp iommu-collector '')" \
		"$(want import report hosts pull serve token help)"
	check "collector: global options" "$(comp iommu-collector --)" \
		"$(want --config --db --verbose --help --version)"
	check "collector: subcommand after global options" \
		"$(comp iommu-collector --config x.conf --db y.db -v r)" "$(want report)"
	check "collector: report WHAT" "$(comp iommu-collector report '')" \
		"$(want fleet host devices changes outliers attempts)"
	check "collector: report --format" "$(comp iommu-collector report --format '')" \
		"$(want table csv json)"
	check "collector: hosts" "$(comp iommu-collector hosts '')" "$(want forget)"
	check "collector: token" "$(comp iommu-collector token '')" "$(want add list revoke)"
	check "collector: help CMD" "$(comp iommu-collector help '')" \
		"$(want import report hosts pull serve token)"
	check "collector: pull options" "$(comp iommu-collector pull -)" "$pull_opts"
	check "collector: serve --t" "$(comp iommu-collector serve --t)" \
		"$(want --timeout --tls-cert --tls-key)"
	check "collector: --db takes a file" "$(comp iommu-collector --db "$T/d")" \
		"$(want "$T/dfile" "$T/dir1")"
	check "collector: pull --tmpdir takes a directory" \
		"$(comp iommu-collector pull --tmpdir "$T/d")" "$(want "$T/dir1")"
	check "collector: pull --jobs is the user's" "$(comp iommu-collector pull --jobs '')" ""

	# pull HOST: the inventory's first words and name= values
	check "pull: hosts of --inventory" \
		"$(comp iommu-collector pull --inventory inv.txt '')" "$pull_hosts"
	check "pull: hosts of the --config file's inventory" \
		"$(comp iommu-collector --config with-inv.conf pull '')" "$pull_hosts"
	# an Ansible inventory: its hosts and groups, as the collector reads it
	if [ -n "${COLLECTOR:-}" ]; then
		check "pull: an Ansible INI inventory" \
			"$(PATH=$T/bin:$PATH comp iommu-collector pull --inventory fleet.ini '')" \
			"$(want gpu gpu1 gpu2 prod web web1)"
		check "pull: an Ansible YAML inventory" \
			"$(PATH=$T/bin:$PATH comp iommu-collector pull --inventory fleet.yml g)" \
			"$(want gpu1)"
	fi
	check "pull: --inventory over the --config file" \
		"$(comp iommu-collector --config without-inv.conf pull --inventory inv.txt d)" \
		"$(want db1.example.org)"
	check "pull: a prefix" "$(comp iommu-collector --config with-inv.conf pull --jobs 8 a)" \
		"$(want alpha)"
	check "pull: no inventory, no hosts" \
		"$(comp iommu-collector --config without-inv.conf pull '')" ""
	check "pull: an inventory that is not there" \
		"$(comp iommu-collector pull --inventory nosuch.txt '')" ""
	# as bash splits root@127.0.0.2: at ':' (and at '@', unless
	# bash-completion took '@' out of COMP_WORDBREAKS): readline keeps what
	# precedes the last ':' and replaces a split-off '@' word with "@..."
	check "pull: after ':'" "$(comp -l 'iommu-collector pull --inventory inv.txt root@127.0.0.2:' \
		iommu-collector pull --inventory inv.txt root @ 127.0.0.2 :)" "$(want 2222)"
	check "pull: [v6]:" "$(comp -l 'iommu-collector pull --inventory inv.txt [::1]:' \
		iommu-collector pull --inventory inv.txt '[' :: '1]' :)" "$(want 2201)"
	if [ -n "${BC:-}" ]; then
		check "pull: after '@'" "$(comp iommu-collector pull --inventory inv.txt root@)" \
			"$(want root@127.0.0.2:2222)"
	else
		check "pull: after '@'" "$(comp -l 'iommu-collector pull --inventory inv.txt root@' \
			iommu-collector pull --inventory inv.txt root @)" "$(want @127.0.0.2:2222)"
	fi
	if [ -n "${BC:-}" ]; then
		check "pull: --inventory=FILE" "$(comp -l 'iommu-collector pull --inventory=inv.txt a' \
			iommu-collector pull --inventory = inv.txt a)" "$(want alpha)"
		check "pull: --config=FILE" "$(comp -l 'iommu-collector --config=with-inv.conf pull w' \
			iommu-collector --config = with-inv.conf pull w)" "$(want web1)"
	else
		check "pull: --inventory = FILE" \
			"$(comp iommu-collector pull --inventory = inv.txt a)" "$(want alpha)"
		check "pull: --config = FILE" \
			"$(comp iommu-collector --config = with-inv.conf pull w)" "$(want web1)"
	fi

	# the names the fleet knows: name=, else the host without user@ and :port
	check "report host NAME" "$(comp iommu-collector --config with-inv.conf report host '')" "$names"
	check "hosts forget NAME" "$(comp iommu-collector --config with-inv.conf hosts forget w)" \
		"$(want web1)"
	check "token add NAME" "$(comp iommu-collector --config with-inv.conf token add d)" \
		"$(want db1.example.org)"
	check "token list takes none" "$(comp iommu-collector --config with-inv.conf token list '')" ""
	[ ! -e PWNED ] || fail "a host name of the inventory was expanded by the shell"
}

BC="" run_cases
BC=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}
if [ -r "$BC" ]; then
	run_cases
else
	echo "SKIP: the cases with bash-completion ($BC: not installed)"
fi
echo "completion: ok"
