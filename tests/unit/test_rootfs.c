/*
 * test_rootfs.c - reads stay inside the root; the capture mirrors reads,
 * links and listings so the captured tree reads the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/rootfs.h"

static char tmpl[64];

static void
put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
link_(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpl, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpl, sizeof(tmpl), "/tmp/test-rootfs-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	mk("root");
	mk("root/etc");
	mk("root/sys");
	mk("root/sys/devices");
	mk("root/sys/devices/0000:01:00.0");
	mk("root/sys/drivers");
	mk("root/sys/drivers/vfio-pci");
	put("root/etc/hostname", "  box-1 \n");
	put("root/sys/devices/0000:01:00.0/vendor", "0x10de\n");
	link_("../../drivers/vfio-pci", "root/sys/devices/0000:01:00.0/driver");
	put("outside-secret", "secret\n");
	link_("/outside-secret", "root/etc/escape-abs");
	link_("../../outside-secret", "root/etc/escape-rel");
	link_("hostname", "root/etc/alias");
	link_("/etc/hostname", "root/etc/abs-inside");
	link_("../../../../../etc", "root/etc/up");
	mk("root/sys/empty");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static void
open_root(struct rootfs *fs, const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpl, sub);
	assert_int_equal(rootfs_open(fs, path), 0);
}

static void
test_read_attr_trims(void **state)
{
	struct rootfs fs;
	char *v;

	(void)state;
	open_root(&fs, "root");
	assert_int_equal(rootfs_read_attr(&fs, "etc/hostname", &v), 0);
	assert_string_equal(v, "box-1");
	free(v);
	assert_int_equal(rootfs_read_attr(&fs, "etc/missing", &v), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(v);
	rootfs_close(&fs);
}

/* A captured tree from an untrusted host cannot point the agent outside it. */
static void
test_symlinks_stay_inside_root(void **state)
{
	struct rootfs fs;
	char *buf;
	size_t len;

	(void)state;
	open_root(&fs, "root");
	assert_int_equal(rootfs_read(&fs, "etc/escape-abs", 100, &buf, &len, NULL), -1);
	assert_int_equal(rootfs_read(&fs, "etc/escape-rel", 100, &buf, &len, NULL), -1);
	assert_int_equal(rootfs_read(&fs, "../outside-secret", 100, &buf, &len, NULL), -1);
	rootfs_close(&fs);
}

/* Reads through a cached directory (rootfs.h: ROOTFS_DIR_CACHE) are the
 * reads of a whole-path resolution: a link as the last name is still
 * resolved inside the root, an escaping one still refused, and more
 * directories than slots, taken in turn, each read their own. */
static void
test_dir_cache_same_as_whole(void **state)
{
	static const char *const order[] = {
	        "etc/hostname",
	        "sys/devices/0000:01:00.0/vendor",
	        "etc/alias",
	        "etc/escape-abs",
	        "sys/devices/0000:01:00.0/vendor",
	        "etc/abs-inside",
	        "etc/up/hostname",
	        "etc/escape-rel",
	        "sys/empty/../../etc/hostname",
	};
	static const char *const want[] = {
	        "  box-1 \n", "0x10de\n",   "  box-1 \n", NULL,         "0x10de\n",
	        "  box-1 \n", "  box-1 \n", NULL,         "  box-1 \n",
	};
	struct rootfs fs;
	char *buf, name[64];
	size_t len, i, round;

	(void)state;
	open_root(&fs, "root");
	for (round = 0; round < 2; round++)
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			if (want[i] == NULL) {
				assert_int_equal(rootfs_read(&fs, order[i], 100, &buf, &len, NULL),
				                 -1);
				continue;
			}
			if (rootfs_read(&fs, order[i], 100, &buf, &len, NULL) != 0)
				fail_msg("%s: %s", order[i], strerror(errno));
			assert_string_equal(buf, want[i]);
			free(buf);
			/* a readlink between reads moves the cache too */
			assert_int_equal(rootfs_link_basename(&fs,
			                                      "sys/devices/0000:01:00.0/driver",
			                                      name, sizeof(name)),
			                 0);
			assert_string_equal(name, "vfio-pci");
		}
	assert_int_equal(rootfs_read(&fs, "etc/..", 100, &buf, &len, NULL), -1);
	/* a directory that cannot be opened takes no slot: its name must not
	 * find the directory it would have replaced */
	assert_int_equal(rootfs_read(&fs, "etc/hostname", 100, &buf, &len, NULL), 0);
	free(buf);
	assert_int_equal(rootfs_read(&fs, "sys/devices/0000:01:00.0/vendor", 100, &buf, &len, NULL),
	                 0);
	free(buf);
	for (round = 0; round < 2; round++) {
		assert_int_equal(rootfs_read(&fs, "nothere/hostname", 100, &buf, &len, NULL), -1);
		assert_int_equal(errno, ENOENT);
	}
	rootfs_close(&fs);
}

/* The cache trusts a directory's path until rootfs_forget(): a link
 * moved to another directory is read afresh after it (the sysfs readers
 * forget between devices). */
static void
test_forget_after_relink(void **state)
{
	char root[] = "/tmp/rootfs-forget.XXXXXX", p[256];
	struct rootfs fs;
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/A", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/B", root);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/A/v", root);
	assert_non_null(f = fopen(p, "w"));
	fputs("A\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/B/v", root);
	assert_non_null(f = fopen(p, "w"));
	fputs("B\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/link", root);
	assert_int_equal(symlink("A", p), 0);
	assert_int_equal(rootfs_open(&fs, root), 0);
	assert_int_equal(rootfs_read(&fs, "link/v", 100, &buf, &len, NULL), 0);
	assert_string_equal(buf, "A\n");
	free(buf);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("B", p), 0);
	rootfs_forget(&fs);
	assert_int_equal(rootfs_read(&fs, "link/v", 100, &buf, &len, NULL), 0);
	assert_string_equal(buf, "B\n");
	free(buf);
	rootfs_close(&fs);
	unlink(p);
	snprintf(p, sizeof(p), "%s/A/v", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/B/v", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/A", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/B", root);
	rmdir(p);
	rmdir(root);
}

static void
test_read_is_bounded(void **state)
{
	struct rootfs fs;
	char *buf;
	size_t len;
	int truncated;

	(void)state;
	open_root(&fs, "root");
	assert_int_equal(rootfs_read(&fs, "etc/hostname", 3, &buf, &len, &truncated), 0);
	assert_int_equal(len, 3);
	assert_int_equal(truncated, 1);
	assert_string_equal(buf, "  b");
	free(buf);
	rootfs_close(&fs);
}

static void
test_link_and_list(void **state)
{
	struct rootfs fs;
	struct strlist names;
	char name[64];

	(void)state;
	open_root(&fs, "root");
	assert_int_equal(
	        rootfs_link_basename(&fs, "sys/devices/0000:01:00.0/driver", name, sizeof(name)),
	        0);
	assert_string_equal(name, "vfio-pci");
	assert_int_equal(rootfs_list(&fs, "sys", 100, &names), 0);
	assert_int_equal(names.n, 3);
	assert_string_equal(names.v[0], "devices"); /* sorted */
	assert_string_equal(names.v[2], "empty");
	strlist_free(&names);
	assert_int_equal(rootfs_list(&fs, "sys", 1, &names), 0);
	assert_int_equal(names.n, 1);
	strlist_free(&names);
	assert_int_equal(rootfs_exists(&fs, "sys/empty"), 1);
	assert_int_equal(rootfs_exists(&fs, "sys/nothing"), 0);
	rootfs_close(&fs);
}

/* Everything read through a capturing rootfs reads the same from the capture. */
static void
test_capture_round_trip(void **state)
{
	struct rootfs fs, cap;
	struct strlist names;
	char capdir[512], name[64], *v;

	(void)state;
	snprintf(capdir, sizeof(capdir), "%s/capture", tmpl);
	open_root(&fs, "root");
	assert_int_equal(rootfs_capture_start(&fs, capdir), 0);
	assert_int_equal(rootfs_read_attr(&fs, "sys/devices/0000:01:00.0/vendor", &v), 0);
	free(v);
	assert_int_equal(
	        rootfs_link_basename(&fs, "sys/devices/0000:01:00.0/driver", name, sizeof(name)),
	        0);
	assert_int_equal(rootfs_list(&fs, "sys", 100, &names), 0);
	strlist_free(&names);
	assert_int_equal(rootfs_list(&fs, "sys/empty", 100, &names), 0);
	strlist_free(&names);
	assert_int_equal(rootfs_capture_put(&fs, "var/log/x", "abc", 3), 0);
	assert_int_equal(rootfs_capture_finish(&fs), 0);
	rootfs_close(&fs);

	open_root(&cap, "capture");
	assert_int_equal(rootfs_read_attr(&cap, "sys/devices/0000:01:00.0/vendor", &v), 0);
	assert_string_equal(v, "0x10de");
	free(v);
	assert_int_equal(
	        rootfs_link_basename(&cap, "sys/devices/0000:01:00.0/driver", name, sizeof(name)),
	        0);
	assert_string_equal(name, "vfio-pci");
	assert_int_equal(rootfs_list(&cap, "sys", 100, &names), 0);
	assert_int_equal(names.n, 3);
	strlist_free(&names);
	assert_int_equal(rootfs_exists(&cap, "sys/empty"), 1);
	assert_int_equal(rootfs_read_attr(&cap, "var/log/x", &v), 0);
	assert_string_equal(v, "abc");
	free(v);
	/* not read, so not captured */
	assert_int_equal(rootfs_exists(&cap, "etc/hostname"), 0);
	rootfs_close(&cap);

	/* a capture never overwrites a directory that holds something */
	open_root(&fs, "root");
	assert_int_equal(rootfs_capture_start(&fs, capdir), -1);
	assert_int_equal(errno, ENOTEMPTY);
	rootfs_close(&fs);
}

/* Issue 13: --capture runs as root into a directory a user may own; links
 * planted there are never written through, and what it writes is 0600 /
 * 0700 whatever the umask. */
static void
test_capture_no_follow(void **state)
{
	struct rootfs fs;
	struct stat st;
	char capdir[256], path[512], victim[256], *v;
	mode_t old;

	(void)state;
	mk("victim");
	put("victim/secret", "keep");
	snprintf(victim, sizeof(victim), "%s/victim", tmpl);
	snprintf(capdir, sizeof(capdir), "%s/cap-planted", tmpl);
	old = umask(0);
	assert_int_equal(mkdir(capdir, 0777), 0);
	open_root(&fs, "root");
	assert_int_equal(rootfs_capture_start(&fs, capdir), 0);
	assert_int_equal(stat(capdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	/* planted after the start: a link on the way, a link at the end, a
	 * hard link to a file outside */
	snprintf(path, sizeof(path), "%s/var", capdir);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(path, sizeof(path), "%s/proc", capdir);
	assert_int_equal(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", capdir);
	snprintf(victim, sizeof(victim), "%s/victim/secret", tmpl);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(path, sizeof(path), "%s/hard", capdir);
	assert_int_equal(link(victim, path), 0);

	assert_int_equal(rootfs_capture_put(&fs, "var/log/x", "abc", 3), -1);
	assert_true(errno == ENOTDIR || errno == ELOOP);
	assert_int_equal(rootfs_capture_open(&fs, "var/y"), -1);
	assert_int_equal(rootfs_capture_put(&fs, "var", "abc", 3), 0); /* the link goes */
	assert_int_equal(rootfs_capture_put(&fs, "proc/cmdline", "evil", 4), 0);
	assert_int_equal(rootfs_capture_put(&fs, "hard", "evil", 4), 0);
	assert_int_equal(rootfs_capture_put(&fs, "../escape", "evil", 4), -1);
	assert_int_equal(rootfs_read_attr(&fs, "sys/devices/0000:01:00.0/vendor", &v), 0);
	free(v);
	assert_int_equal(rootfs_capture_finish(&fs), 0);
	rootfs_close(&fs);
	umask(old);

	/* nothing outside was written */
	snprintf(path, sizeof(path), "%s/victim/log", tmpl);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/victim/y", tmpl);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/escape", tmpl);
	assert_int_equal(lstat(path, &st), -1);
	open_root(&fs, "victim");
	assert_int_equal(rootfs_read_attr(&fs, "secret", &v), 0);
	assert_string_equal(v, "keep");
	free(v);
	rootfs_close(&fs);
	/* fresh files in the capture, 0600 in 0700 directories */
	snprintf(path, sizeof(path), "%s/proc/cmdline", capdir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/sys/devices/0000:01:00.0/vendor", capdir);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/sys/devices", capdir);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);

	/* the capture directory itself a link: refused */
	snprintf(path, sizeof(path), "%s/cap-link", tmpl);
	mk("cap-empty");
	snprintf(capdir, sizeof(capdir), "%s/cap-empty", tmpl);
	assert_int_equal(symlink(capdir, path), 0);
	open_root(&fs, "root");
	assert_int_equal(rootfs_capture_start(&fs, path), -1);
	rootfs_close(&fs);
}

/* The same containment without openat2 (old kernels, seccomp). */
static void
test_manual_resolution_stays_inside_root(void **state)
{
	struct rootfs fs;
	char *v;
	size_t len;

	(void)state;
	rootfs_force_manual_resolution();
	open_root(&fs, "root");
	assert_int_equal(rootfs_read(&fs, "etc/escape-abs", 100, &v, &len, NULL), -1);
	assert_int_equal(rootfs_read(&fs, "etc/escape-rel", 100, &v, &len, NULL), -1);
	assert_int_equal(rootfs_read(&fs, "../outside-secret", 100, &v, &len, NULL), -1);
	/* links inside the root resolve as the kernel would resolve them there */
	assert_int_equal(rootfs_read_attr(&fs, "etc/alias", &v), 0);
	assert_string_equal(v, "box-1");
	free(v);
	assert_int_equal(rootfs_read_attr(&fs, "etc/abs-inside", &v), 0);
	assert_string_equal(v, "box-1");
	free(v);
	/* ".." through a link stops at the root: etc/up is the root's etc */
	assert_int_equal(rootfs_read_attr(&fs, "etc/up/hostname", &v), 0);
	assert_string_equal(v, "box-1");
	free(v);
	assert_int_equal(rootfs_exists(&fs, "sys/empty"), 1);
	rootfs_close(&fs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_read_attr_trims),
	        cmocka_unit_test(test_symlinks_stay_inside_root),
	        cmocka_unit_test(test_dir_cache_same_as_whole),
	        cmocka_unit_test(test_forget_after_relink),
	        cmocka_unit_test(test_read_is_bounded),
	        cmocka_unit_test(test_link_and_list),
	        cmocka_unit_test(test_capture_round_trip),
	        cmocka_unit_test(test_capture_no_follow),
	        cmocka_unit_test(
	                test_manual_resolution_stays_inside_root), /* last: sets a global */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
