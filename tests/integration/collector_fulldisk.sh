#!/bin/bash
# A full disk under the database (issue 13): import into a 2 MiB tmpfs until
# it is full.  Every report then gets a clear "db-error: database or disk is
# full" line and the exit code says failure; the database stays intact;
# every report printed as stored is present; once there is room again the
# same import stores the rest, and nothing is lost or stored twice.
# Needs root (mount -t tmpfs, or a loop-mounted file): skipped (77), saying
# so, when neither works.
set -eu
: "${COLLECTOR:?}" "${SOURCE_DIR:?}"
. "$SOURCE_DIR/tests/integration/data/collector-lib.sh"
work=$(mktemp -d)
mnt=$work/mnt
mounted=
cleanup() {
	[ -n "$mounted" ] && umount "$mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$mnt"
if mount -t tmpfs -o size=2m tmpfs "$mnt" 2>/dev/null; then
	mounted=tmpfs
elif truncate -s 2m "$work/disk.img" && mkfs.ext2 -q -F "$work/disk.img" 2>/dev/null &&
	mount -o loop "$work/disk.img" "$mnt" 2>/dev/null; then
	mounted=loop
else
	echo "SKIP: cannot mount a small file system here (needs root: mount -t tmpfs or a loop device)"
	exit 77
fi
db=$mnt/fleet.db
n=60
mkdir "$work/in"
for i in $(seq 1 $n); do
	# every report a new content (its own kernel): about 50 KB each
	gen_report "$(printf 'node-%02d' $((i % 10)))" "$i" "$((i / 10))" \
		"s/\"kernel\": \"6.1.0-13-amd64\"/\"kernel\": \"6.1.0-$i-amd64\"/" \
		> "$work/in/$(printf 'r%03d' "$i").json"
done

set +e
"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.full" 2> "$work/err.full"
rc=$?
set -e
expect "full: exit code (failure)" "$rc" 1
full=$(grep -c ': db-error: database or disk is full$' "$work/out.full" || true)
[ "$full" -gt 0 ] || fail "full: no clear disk-full line: $(tail -3 "$work/out.full")"
# one line per report, each a word the README names
expect "full: one line per report" "$(wc -l < "$work/out.full")" $n
if grep -v -E ': (stored host .* report [0-9a-f-]+|db-error: database or disk is full)$' "$work/out.full"; then
	fail "full: unexpected line"
fi
expect "full: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
expect "full: foreign keys" "$(q "$db" 'PRAGMA foreign_key_check')" ""
grep -E ': stored host ' "$work/out.full" | sed 's/.* report //' | sort -u > "$work/printed"
q "$db" 'SELECT report_id FROM observations' | sort -u > "$work/present"
expect "full: printed but missing" "$(comm -23 "$work/printed" "$work/present" | wc -l)" 0
expect "full: present but not printed" "$(comm -13 "$work/printed" "$work/present" | wc -l)" 0
echo "full disk: $(wc -l < "$work/printed") stored, $full refused with a clear error"

# room again: the same import stores the rest, the stored ones are duplicates
if [ "$mounted" = tmpfs ]; then
	mount -o remount,size=64m "$mnt"
else
	umount "$mnt"
	mounted=
	truncate -s 64m "$work/disk.img"
	resize2fs -f "$work/disk.img" > /dev/null 2>&1 || fail "resize2fs"
	mount -o loop "$work/disk.img" "$mnt"
	mounted=loop
fi
"$COLLECTOR" --db "$db" import "$work/in" > "$work/out.room"
expect "room: duplicates" "$(grep -c ': duplicate host ' "$work/out.room" || true)" "$(wc -l < "$work/printed")"
expect "room: stored" "$(grep -c ': stored host ' "$work/out.room" || true)" "$full"
expect "room: observations" "$(q "$db" 'SELECT count(*) FROM observations')" $n
expect "room: contents" "$(q "$db" 'SELECT count(*) FROM contents')" $n
expect "room: integrity" "$(q "$db" 'PRAGMA integrity_check')" ok
echo ok
