#!/bin/bash
# status_words.sh - every status word the collector can store in
# collection_attempts.status appears in the README exactly as stored, and
# the README names no status word the code never stores.  The words are
# read from the code that writes them: store_status_name() (the report
# outcomes), ssh_session_status_word() (SSH failures), pull_fail() (pull's
# own) and http_writer_attempt() (serve's refusals).
set -euo pipefail
: "${SOURCE_DIR:?}"
cd "$SOURCE_DIR"
fail() { echo "FAIL: $*" >&2; exit 1; }

fn_returns() { # FILE FUNCTION: the strings it returns
	sed -n "/^$2(/,/^}/p" "$1" | grep -oE 'return "[a-z-]+"' | cut -d'"' -f2
}
words=$({
	fn_returns collector/store.c store_status_name | grep -v '^not-known$'
	fn_returns collector/ssh_session.c ssh_session_status_word | grep -v '^ok$'
	grep -ohE 'pull_fail\([a-z_>-]+, "[a-z-]+"' collector/*.c | cut -d'"' -f2
	grep -ohE 'http_writer_attempt\([^,]+, [^,]+, "[a-z-]+"' collector/*.c | cut -d'"' -f2
} | sort -u)
[ "$(echo "$words" | wc -l)" -ge 15 ] || fail "too few words found: $words"
for w in $words; do
	grep -qF -- "\`$w\`" README.md || fail "status word \"$w\" is stored but not in README.md"
done
# the words the README gives as stored statuses, in the pull and attempts
# paragraphs, are all real
for w in failed host-key-changed db_error; do
	if grep -qE "status.*\`$w\`|\`$w\`.*status" README.md && ! echo "$words" | grep -qx -- "$w"; then
		fail "README.md names status \"$w\", which is never stored"
	fi
done
echo "status_words: $(echo "$words" | wc -l) words, all in README.md: $(echo $words)"
