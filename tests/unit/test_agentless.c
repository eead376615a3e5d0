/*
 * test_agentless.c - unit tests of the agentless stream parser (records,
 * hex decoding, pieces of any size, every limit and hostile path) and of
 * the tree it rebuilds in a temporary directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collector/agentless.h"

/* A sink that writes a transcript: "D path", "E path", "L path name",
 * "F path <bytes>". */
struct memsink {
	char log[65536];
	size_t len;
	int fail_on_dir; /* make dir() fail with EACCES */
};

static void
logf_(struct memsink *m, const char *fmt, const char *a, const char *b)
{
	int n = snprintf(m->log + m->len, sizeof(m->log) - m->len, fmt, a, b);

	assert_true(n >= 0 && (size_t)n < sizeof(m->log) - m->len);
	m->len += (size_t)n;
}

static int
m_dir(void *arg, const char *path)
{
	struct memsink *m = arg;

	if (m->fail_on_dir) {
		errno = EACCES;
		return -1;
	}
	logf_(m, "D %s%s\n", path, "");
	return 0;
}

static int
m_placeholder(void *arg, const char *path)
{
	logf_(arg, "E %s%s\n", path, "");
	return 0;
}

static int
m_link(void *arg, const char *path, const char *name)
{
	logf_(arg, "L %s %s\n", path, name);
	return 0;
}

static int
m_begin(void *arg, const char *path)
{
	logf_(arg, "F %s <%s", path, "");
	return 0;
}

static int
m_data(void *arg, const unsigned char *p, size_t n)
{
	struct memsink *m = arg;

	assert_true(m->len + n < sizeof(m->log));
	memcpy(m->log + m->len, p, n);
	m->len += n;
	m->log[m->len] = '\0';
	return 0;
}

static int
m_end(void *arg)
{
	logf_(arg, ">\n%s%s", "", "");
	return 0;
}

static struct agentless_parser *
new_parser(struct memsink *m)
{
	struct agentless_sink sink = {
	        m, m_dir, m_placeholder, m_link, m_begin, m_data, m_end,
	};
	struct agentless_parser *p;

	memset(m, 0, sizeof(*m));
	p = agentless_parser_new(&sink);
	assert_non_null(p);
	return p;
}

static const char good[] = "iommu-fleet-agentless 1\n"
                           "d sys/kernel/iommu_groups\n"
                           "f proc/cmdline\n"
                           " 69 6e 74 65 6c 5f 69 6f 6d 6d 75 3d 6f 6e 0a\n"
                           ".\n"
                           "a sys/bus/pci/devices/0000:01:00.0/vendor 0x10de\n"
                           "a sys/class/dmi/id/product_name PowerEdge R410\n"
                           "l sys/bus/pci/devices/0000:01:00.0/driver vfio-pci\n"
                           "e sys/kernel/iommu_groups/1/devices/0000:01:00.0\n"
                           "f sys/firmware/acpi/tables/DMAR\n"
                           ".\n"
                           "end\n";

static const char good_log[] = "D sys/kernel/iommu_groups\n"
                               "F proc/cmdline <intel_iommu=on\n>\n"
                               "F sys/bus/pci/devices/0000:01:00.0/vendor <0x10de\n>\n"
                               "F sys/class/dmi/id/product_name <PowerEdge R410\n>\n"
                               "L sys/bus/pci/devices/0000:01:00.0/driver vfio-pci\n"
                               "E sys/kernel/iommu_groups/1/devices/0000:01:00.0\n"
                               "F sys/firmware/acpi/tables/DMAR <>\n";

static void
test_records(void **state)
{
	struct agentless_parser *p;
	struct memsink m;

	(void)state;
	p = new_parser(&m);
	assert_int_equal(agentless_parser_feed(p, good, sizeof(good) - 1), 0);
	assert_int_equal(agentless_parser_finish(p), 0);
	assert_string_equal(m.log, good_log);
	assert_int_equal(agentless_parser_entries(p), 7);
	/* 15 decoded bytes, two values of 6 and 14 bytes with their newlines */
	assert_int_equal(agentless_parser_bytes(p), 15 + 7 + 15);
	agentless_parser_free(p);
	agentless_parser_free(NULL);
}

/* The same stream cut in every possible piece size gives the same records. */
static void
test_pieces(void **state)
{
	struct agentless_parser *p;
	struct memsink m;
	size_t step, i, n;

	(void)state;
	for (step = 1; step < 40; step++) {
		p = new_parser(&m);
		for (i = 0; i < sizeof(good) - 1; i += step) {
			n = sizeof(good) - 1 - i < step ? sizeof(good) - 1 - i : step;
			assert_int_equal(agentless_parser_feed(p, good + i, n), 0);
		}
		assert_int_equal(agentless_parser_finish(p), 0);
		assert_string_equal(m.log, good_log);
		agentless_parser_free(p);
	}
}

/* A stream that must fail, and the start of the message it must give. */
static void
expect_error(const char *stream, size_t len, const char *msg)
{
	struct agentless_parser *p;
	struct memsink m;
	int rc;

	p = new_parser(&m);
	rc = agentless_parser_feed(p, stream, len);
	if (rc == 0)
		rc = agentless_parser_finish(p);
	if (rc != -1)
		fail_msg("accepted: %s", stream);
	if (strstr(agentless_parser_error(p), msg) == NULL)
		fail_msg("error \"%s\", expected \"%s\"", agentless_parser_error(p), msg);
	/* after an error, nothing more is accepted */
	assert_int_equal(agentless_parser_feed(p, "end\n", 4), -1);
	agentless_parser_free(p);
}

#define H "iommu-fleet-agentless 1\n"
/* string literals only: the length includes any NUL inside */
#define EXPECT(s, msg) expect_error((s), sizeof(s) - 1, (msg))

static void
test_hostile(void **state)
{
	(void)state;
	EXPECT("", "no header");
	EXPECT("HTTP/1.1 200 OK\n", "bad header");
	EXPECT(H "d ../etc\nend\n", "invalid path");
	EXPECT(H "d /etc\nend\n", "invalid path");
	EXPECT(H "d sys/../../x\nend\n", "invalid path");
	EXPECT(H "d sys//x\nend\n", "invalid path");
	EXPECT(H "d sys/./x\nend\n", "invalid path");
	EXPECT(H "d home/x\nend\n", "invalid path");
	EXPECT(H "d var/lib/x\nend\n", "invalid path");
	EXPECT(H "d sys/x\x1b[2J\nend\n", "invalid path");
	EXPECT(H "d sys/a b\nend\n", "garbage");
	EXPECT(H "d sys/\nend\n", "invalid path");
	EXPECT(H "l sys/x ../../etc/passwd\nend\n", "invalid link");
	EXPECT(H "l sys/x ..\nend\n", "invalid link");
	EXPECT(H "l sys/x /etc/passwd\nend\n", "invalid link");
	EXPECT(H "l sys/a/b ../../x\nend\n", "invalid link");
	EXPECT(H "l sys/a/b ../x/../../y\nend\n", "invalid link");
	EXPECT(H "l sys/a/b ../x//y\nend\n", "invalid link");
	EXPECT(H "l sys/a/b ../x/\nend\n", "invalid link");
	EXPECT(H "l sys/x\nend\n", "invalid link");
	EXPECT(H "a sys/x\nend\n", "without a value");
	EXPECT(H "a sys/x v\x07\nend\n", "control byte");
	EXPECT(H "f sys/x\n 4g\n.\nend\n", "hex");
	EXPECT(H "f sys/x\n 414\n.\nend\n", "hex");
	EXPECT(H "f sys/x\n 4\n.\nend\n", "hex");
	EXPECT(H "f sys/x\n 41\n", "inside a file");
	EXPECT(H "d sys\n", "no end marker");
	EXPECT(H "d sys", "middle of a line");
	EXPECT(H "end\nd sys\n", "after the end");
	EXPECT(H "x sys\nend\n", "unknown record");
	EXPECT(H "d sys\0x\nend\n", "NUL");
}

static void
test_limits(void **state)
{
	struct agentless_parser *p;
	struct memsink m;
	char *big, path[AGENTLESS_PATH_MAX + 64], line[64];
	size_t i, n;

	(void)state;
	/* a line longer than the limit, even with no newline in sight */
	n = sizeof(H) - 1 + AGENTLESS_LINE_MAX + 1;
	big = malloc(n);
	assert_non_null(big);
	memcpy(big, H, sizeof(H) - 1);
	memset(big + sizeof(H) - 1, 'a', n - (sizeof(H) - 1));
	expect_error(big, n, "line too long");
	free(big);

	/* a path over the limit, and one too deep */
	snprintf(path, sizeof(path), H "d sys/");
	for (i = strlen(path); i < sizeof(path) - 6; i++)
		path[i] = 'a';
	path[i] = '\0';
	strcat(path, "\n");
	expect_error(path, strlen(path), "invalid path");
	snprintf(path, sizeof(path), H "d sys");
	for (i = 0; i < AGENTLESS_DEPTH_MAX; i++)
		strcat(path, "/a");
	strcat(path, "\n");
	expect_error(path, strlen(path), "invalid path");

	/* a file over its limit: 4 MiB + 16 bytes of zeros */
	p = new_parser(&m);
	m.len = 0;
	assert_int_equal(agentless_parser_feed(p, H "f sys/x\n", sizeof(H) + 8 - 1), 0);
	snprintf(line, sizeof(line), " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n");
	for (i = 0; i < AGENTLESS_FILE_MAX / 16; i++) {
		assert_int_equal(agentless_parser_feed(p, line, strlen(line)), 0);
		m.len = 0; /* the transcript only needs to hold one line */
	}
	assert_int_equal(agentless_parser_feed(p, line, strlen(line)), -1);
	assert_non_null(strstr(agentless_parser_error(p), "sys/x: file over its size limit"));
	agentless_parser_free(p);

	/* the kernel log may be bigger */
	p = new_parser(&m);
	assert_int_equal(agentless_parser_feed(p, H "f var/log/iommu-fleet/kernel-log.kmsg\n",
	                                       sizeof(H) + 38 - 1),
	                 0);
	for (i = 0; i < AGENTLESS_FILE_MAX / 16 + 1; i++) {
		assert_int_equal(agentless_parser_feed(p, line, strlen(line)), 0);
		m.len = 0;
	}
	assert_int_equal(agentless_parser_feed(p, ".\nend\n", 6), 0);
	assert_int_equal(agentless_parser_finish(p), 0);
	assert_int_equal(agentless_parser_bytes(p), AGENTLESS_FILE_MAX + 16);
	agentless_parser_free(p);

	/* too many records */
	p = new_parser(&m);
	assert_int_equal(agentless_parser_feed(p, H, sizeof(H) - 1), 0);
	for (i = 0; i < AGENTLESS_ENTRIES_MAX; i++) {
		assert_int_equal(agentless_parser_feed(p, "e sys/x\n", 8), 0);
		m.len = 0;
	}
	assert_int_equal(agentless_parser_feed(p, "e sys/x\n", 8), -1);
	assert_non_null(strstr(agentless_parser_error(p), "too many records"));
	agentless_parser_free(p);
}

static void
test_sink_error(void **state)
{
	struct agentless_parser *p;
	struct memsink m;

	(void)state;
	p = new_parser(&m);
	m.fail_on_dir = 1;
	assert_int_equal(agentless_parser_feed(p, H "d sys\nend\n", sizeof(H) + 10 - 1), -1);
	assert_string_equal(agentless_parser_error(p), "sys: Permission denied");
	agentless_parser_free(p);
}

static void
test_valid_path(void **state)
{
	(void)state;
	assert_int_equal(agentless_valid_path("sys/bus/pci/devices/0000:00:1f.6/class"), 1);
	assert_int_equal(agentless_valid_path("var/log/dmesg"), 1);
	assert_int_equal(agentless_valid_path("dev/kmsg"), 1);
	assert_int_equal(agentless_valid_path("proc"), 1);
	assert_int_equal(agentless_valid_path("var"), 1);
	assert_int_equal(agentless_valid_path("var/spool/x"), 0);
	assert_int_equal(agentless_valid_path("usr/share/misc/pci.ids"), 0);
	assert_int_equal(agentless_valid_path(""), 0);
	assert_int_equal(agentless_valid_path("sys/.."), 0);
	assert_int_equal(agentless_valid_path("sys/x/"), 0);
	assert_int_equal(agentless_valid_path("sys\\x"), 0);
}

/* A link's text may climb, but never above its top directory. */
static void
test_valid_link(void **state)
{
	(void)state;
	assert_int_equal(
	        agentless_valid_link("sys/bus/pci/devices/0000:01:00.0",
	                             "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"),
	        1);
	assert_int_equal(
	        agentless_valid_link("sys/dev/block/254:0", "../../devices/virtual/block/dm-0"), 1);
	assert_int_equal(agentless_valid_link("sys/x/driver", "vfio-pci"), 1);
	assert_int_equal(agentless_valid_link("sys/dev/block/254:0", "../../../etc/shadow"), 0);
	assert_int_equal(agentless_valid_link("sys/x", "../y"), 0);
	assert_int_equal(agentless_valid_link("sys/x/y", "./y"), 0);
	assert_int_equal(agentless_valid_link("sys/x/y", "a/../../../z"), 0);
	assert_int_equal(agentless_valid_link("sys/x/y", "a b"), 0);
	assert_int_equal(agentless_valid_link("sys/x/y", ""), 0);
}

static char *
read_file(int dfd, const char *rel)
{
	static char buf[256];
	ssize_t n;
	int fd;

	fd = openat(dfd, rel, O_RDONLY | O_NOFOLLOW);
	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* The real tree: files, directories, placeholders, a one-component link;
 * a path sent twice fails; remove leaves nothing. */
static void
test_tree(void **state)
{
	struct agentless_parser *p;
	struct agentless_sink sink;
	struct agentless_tree t;
	struct stat st;
	char link[64], dir[sizeof(t.dir)];
	ssize_t n;
	int dfd;

	(void)state;
	assert_int_equal(agentless_tree_create(&t, NULL), 0);
	snprintf(dir, sizeof(dir), "%s", t.dir);
	agentless_tree_sink(&t, &sink);
	p = agentless_parser_new(&sink);
	assert_non_null(p);
	assert_int_equal(agentless_parser_feed(p, good, sizeof(good) - 1), 0);
	assert_int_equal(agentless_parser_finish(p), 0);
	agentless_parser_free(p);

	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd != -1);
	assert_string_equal(read_file(dfd, "proc/cmdline"), "intel_iommu=on\n");
	assert_string_equal(read_file(dfd, "sys/class/dmi/id/product_name"), "PowerEdge R410\n");
	assert_string_equal(read_file(dfd, "sys/firmware/acpi/tables/DMAR"), "");
	assert_string_equal(read_file(dfd, "sys/kernel/iommu_groups/1/devices/0000:01:00.0"), "");
	assert_int_equal(fstatat(dfd, "sys/kernel/iommu_groups", &st, 0), 0);
	assert_true(S_ISDIR(st.st_mode));
	n = readlinkat(dfd, "sys/bus/pci/devices/0000:01:00.0/driver", link, sizeof(link) - 1);
	assert_int_equal(n, 8);
	link[n] = '\0';
	assert_string_equal(link, "vfio-pci");
	close(dfd);

	/* the same file twice is refused, not overwritten */
	p = agentless_parser_new(&sink);
	assert_non_null(p);
	assert_int_equal(
	        agentless_parser_feed(p, H "a proc/cmdline x\n", strlen(H "a proc/cmdline x\n")),
	        -1);
	assert_non_null(strstr(agentless_parser_error(p), "proc/cmdline: File exists"));
	agentless_parser_free(p);

	/* a record through a link it made stays inside the tree */
	p = agentless_parser_new(&sink);
	assert_non_null(p);
	assert_int_equal(
	        agentless_parser_feed(p, H "a sys/bus/pci/devices/0000:01:00.0/driver/x y\n",
	                              strlen(H "a sys/bus/pci/devices/0000:01:00.0/driver/x y\n")),
	        -1);
	agentless_parser_free(p);

	assert_int_equal(agentless_tree_remove(&t), 0);
	assert_int_equal(stat(dir, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_script(void **state)
{
	(void)state;
	/* the script is compiled in whole and is read-only */
	assert_non_null(strstr(agentless_script, "echo \"iommu-fleet-agentless 1\""));
	assert_non_null(strstr(agentless_script, "echo end"));
	assert_null(strstr(agentless_script, "rm "));
	assert_null(strstr(agentless_script, ">/dev/kmsg"));
	assert_true(agentless_script[strlen(agentless_script) - 1] == '\n');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_records),    cmocka_unit_test(test_pieces),
	        cmocka_unit_test(test_hostile),    cmocka_unit_test(test_limits),
	        cmocka_unit_test(test_sink_error), cmocka_unit_test(test_valid_path),
	        cmocka_unit_test(test_valid_link), cmocka_unit_test(test_tree),
	        cmocka_unit_test(test_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
