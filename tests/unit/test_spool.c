/*
 * test_spool.c - the agent's spool: entry names, the trim plan, and the
 * directory operations (add, list in order, read, trim oldest first,
 * remove) in a temporary directory.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/spool.h"

static void
test_names(void **state)
{
	char name[SPOOL_NAME_MAX];

	(void)state;
	assert_int_equal(
	        spool_name_make(42, "83042eaa-1a6f-4096-9521-74b35c87e54f", name, sizeof(name)), 0);
	assert_string_equal(name, "00000000000000000042-83042eaa-1a6f-4096-9521-74b35c87e54f.json");
	assert_int_equal(spool_name_ok(name), 1);
	assert_int_equal(spool_name_make(1, "../etc/passwd", name, sizeof(name)), -1);
	assert_int_equal(spool_name_make(1, "", name, sizeof(name)), -1);
	assert_int_equal(spool_name_make(1, "a/b", name, sizeof(name)), -1);
	assert_int_equal(
	        spool_name_make(1, "12345678901234567890123456789012345678901", name, sizeof(name)),
	        -1);
	assert_int_equal(spool_name_ok(".tmp-abcdef"), 0);
	assert_int_equal(spool_name_ok("00000000000000000042-x.json.tmp"), 0);
	assert_int_equal(spool_name_ok("0000000000000000004-x.json"), 0);
	assert_int_equal(spool_name_ok("00000000000000000042-.json"), 0);
	assert_int_equal(spool_name_ok("00000000000000000042-a b.json"), 0);
	assert_int_equal(spool_name_ok("00000000000000000042-ab.json"), 1);
}

static void
test_plan_trim(void **state)
{
	const unsigned long long sizes[] = {100, 200, 300, 400};

	(void)state;
	assert_int_equal(spool_plan_trim(sizes, 4, 10, 10000), 0);
	assert_int_equal(spool_plan_trim(sizes, 4, 3, 10000), 1);
	assert_int_equal(spool_plan_trim(sizes, 4, 1, 10000), 3);
	assert_int_equal(spool_plan_trim(sizes, 4, 10, 700), 2); /* 300 + 400 left */
	assert_int_equal(spool_plan_trim(sizes, 4, 10, 699), 3);
	assert_int_equal(spool_plan_trim(sizes, 4, 10, 0), 4);
	assert_int_equal(spool_plan_trim(sizes, 4, 0, 10000), 4);
	assert_int_equal(spool_plan_trim(NULL, 0, 0, 0), 0);
}

static char tmpdir[64];

static int
count_files(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strncmp(de->d_name, ".tmp", 4) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
test_directory(void **state)
{
	char path[128], dropped[512], *buf;
	struct spool sp;
	size_t len;
	FILE *fp;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_spool.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/spool", tmpdir);

	assert_int_equal(spool_open(&sp, path, SPOOL_LOCK_WAIT_S), 0); /* created */
	assert_int_equal(sp.n, 0);
	assert_int_equal(spool_add(&sp, "r1", "one\n", 4), 0);
	assert_int_equal(spool_add(&sp, "r2", "two!\n", 5), 0);
	assert_int_equal(spool_add(&sp, "r3", "three\n", 6), 0);
	assert_int_equal(spool_add(&sp, "bad/id", "x", 1), -1);
	assert_int_equal(sp.n, 3);
	spool_close(&sp);

	/* a stranger's file is neither listed nor removed */
	snprintf(path, sizeof(path), "%s/spool/notes.txt", tmpdir);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);
	snprintf(path, sizeof(path), "%s/spool", tmpdir);

	assert_int_equal(spool_open(&sp, path, SPOOL_LOCK_WAIT_S), 0);
	assert_int_equal(sp.n, 3);
	assert_non_null(strstr(sp.v[0].name, "-r1.json"));
	assert_non_null(strstr(sp.v[2].name, "-r3.json"));
	assert_int_equal(sp.v[1].size, 5);
	assert_int_equal(spool_read(&sp, 1, 100, &buf, &len), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "two!\n");
	free(buf);
	assert_int_equal(spool_read(&sp, 2, 3, &buf, &len), -1); /* over max */

	/* 11 bytes allowed: r1 (4) goes, r2 + r3 stay */
	assert_int_equal(spool_trim(&sp, 10, 11, dropped, sizeof(dropped)), 1);
	assert_non_null(strstr(dropped, "-r1.json\n"));
	assert_int_equal(sp.n, 2);
	assert_int_equal(spool_trim(&sp, 1, 1000, dropped, sizeof(dropped)), 1);
	assert_non_null(strstr(dropped, "-r2.json\n"));
	assert_int_equal(sp.n, 1);
	assert_int_equal(count_files(path), 2); /* r3 and notes.txt, no temp file */
	assert_int_equal(spool_remove(&sp, 0), 0);
	assert_int_equal(sp.n, 0);
	assert_int_equal(count_files(path), 1);
	spool_close(&sp);

	snprintf(path, sizeof(path), "%s/spool/notes.txt", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/spool", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

/* Issue 13: 0700 / 0600 whatever the umask, and a bounded wait for the lock. */
static void
test_modes_and_lock(void **state)
{
	char dir[128], path[256];
	struct spool sp, sp2;
	struct timespec t0, t1;
	struct stat st;
	mode_t old;
	long ms;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_spool.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/spool", dir);
	old = umask(0);
	/* an older spool, open to everyone: closed when opened */
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(spool_open(&sp, path, SPOOL_LOCK_WAIT_S), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(spool_add(&sp, "r1", "one\n", 4), 0);
	snprintf(path, sizeof(path), "%s/spool/%s", dir, sp.v[0].name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* held by another run: refused after the wait, not for ever */
	snprintf(path, sizeof(path), "%s/spool", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(spool_open(&sp2, path, 1), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 900 && ms < 10000);
	assert_int_equal(sp2.lockfd, -1);
	spool_close(&sp);
	/* released: had at once */
	assert_int_equal(spool_open(&sp2, path, 0), 0);
	assert_int_equal(sp2.n, 1);
	assert_int_equal(spool_remove(&sp2, 0), 0);
	spool_close(&sp2);
	umask(old);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names),
	        cmocka_unit_test(test_plan_trim),
	        cmocka_unit_test(test_directory),
	        cmocka_unit_test(test_modes_and_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
