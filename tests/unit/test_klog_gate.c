/*
 * test_klog_gate.c - klog_gate() (klog_gate.c, pure): each of its paths
 * (generic vectors, SSSE3, AVX2: those this CPU runs) gives the same
 * answer, that of a plain byte-by-byte search for the anchors (save a hit
 * through a control byte, see has_control), on every line of every
 * fixture log, on each anchor at every offset and case of a line, and on
 * random bytes.
 */
#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/klog.h"
#include "common/readall.h"

/* The anchors, written out again for the oracle (klog_gate.c has them in
 * its own form). */
static const char *const anchors[] = {
        "amd-vi",       "acs override", "acpi: ", "by bios", "dmar",   "drhd",   "directed i/o",
        "firmware bug", "iommu",        "ivrs",   "ivhd",    "iort",   "its",    "linux version",
        "remap",        "rmrr",         "smmu",   "vfio",    "viable", "x2apic",
};

/* Does an anchor start at byte i of msg (n bytes): a word start where
 * an anchor's letters match in either case and every other byte itself? */
static int
anchor_here(const char *msg, size_t n, size_t i)
{
	size_t k, j, len;

	if (i > 0 && (unsigned char)msg[i - 1] < 0x80 && isalnum((unsigned char)msg[i - 1]))
		return 0;
	for (k = 0; k < sizeof(anchors) / sizeof(anchors[0]); k++) {
		len = strlen(anchors[k]);
		for (j = 0; j < len && i + j < n; j++)
			if (tolower((unsigned char)msg[i + j]) != anchors[k][j])
				break;
		if (j == len)
			return 1;
	}
	return 0;
}

/* A plain search, a byte at a time. */
static int
oracle(const char *msg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (anchor_here(msg, n, i))
			return 1;
	return 0;
}

/* The gate compares bytes | 0x20, so a control byte can stand for an
 * anchor's blank, '-' or digit ("amd\rvi"): a line the slow path then
 * reads in full, never a miss.  Does the line hold such a byte? */
static int
has_control(const char *msg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)msg[i] < 0x20)
			return 1;
	return 0;
}

/* Every path this CPU runs against the oracle; the line is copied to its
 * own buffer of exactly n bytes so that a read past either end shows
 * under ASan. */
static void
check(const char *line, size_t n)
{
	static const char *const names[] = {"auto", "generic", "ssse3", "avx2"};
	char *copy = malloc(n ? n : 1);
	int want, got, path;

	assert_non_null(copy);
	memcpy(copy, line, n);
	want = oracle(copy, n);
	assert_int_equal(klog_gate_use(KLOG_GATE_GENERIC), 0);
	got = klog_gate(copy, n);
	/* never a miss; a hit the oracle has not only through a control byte */
	if (got != want && (want || !has_control(copy, n)))
		fail_msg("generic gate says %d, oracle %d: %.*s", got, want, (int)n, line);
	/* the faster paths answer as the generic one does, byte for byte */
	for (path = KLOG_GATE_SSSE3; path <= KLOG_GATE_AVX2; path++) {
		if (klog_gate_use(path) == -1)
			break; /* this CPU has no faster one */
		if (klog_gate(copy, n) != got)
			fail_msg("%s gate says %d, generic %d: %.*s", names[path], !got, got,
			         (int)n, line);
	}
	assert_int_equal(klog_gate_use(KLOG_GATE_AUTO), 0);
	free(copy);
}

/* fn on the text of every fixture's kernel.log (test I/O); how many. */
static size_t
for_each_fixture_log(void (*fn)(const char *text, size_t n))
{
	struct growbuf b;
	char path[512];
	struct dirent *e;
	size_t logs = 0;
	FILE *f;
	DIR *d;

	d = opendir(FIXTURES_DIR);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s/kernel.log", FIXTURES_DIR, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		memset(&b, 0, sizeof(b));
		assert_int_equal(readall_bounded(f, 16u << 20, &b), 0);
		fclose(f);
		fn(b.data, b.len);
		free(b.data);
		logs++;
	}
	closedir(d);
	return logs;
}

static size_t fixture_lines;

static void
check_lines(const char *text, size_t n)
{
	const char *p = text, *end = text + n, *nl;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		check(p, (size_t)(nl - p));
		fixture_lines++;
	}
}

static void
test_fixture_lines(void **state)
{
	(void)state;
	assert_true(for_each_fixture_log(check_lines) >= 30);
	assert_true(fixture_lines > 1000);
}

/* Each anchor, upper and lower case, at every offset of lines of 1 to 60
 * bytes, after a letter (no word start), a digit, a blank or a '-'; and
 * cut short by the end of the line. */
static void
test_every_offset(void **state)
{
	static const char before[] = "x7 -";
	char line[96];
	size_t k, len, at, n, b, j;

	(void)state;
	for (k = 0; k < sizeof(anchors) / sizeof(anchors[0]); k++)
		for (n = 1; n <= 80; n++)
			for (at = 0; at < n; at++)
				for (b = 0; b < sizeof(before) - 1; b++) {
					memset(line, 'q', sizeof(line));
					len = strlen(anchors[k]);
					for (j = 0; j < len && at + j < n; j++)
						line[at + j] = (char)(b % 2 ? toupper(anchors[k][j])
						                            : anchors[k][j]);
					if (at > 0)
						line[at - 1] = before[b];
					check(line, n);
				}
}

static void
test_random_bytes(void **state)
{
	static const char letters[] = "aAbBdDfFiIlLrRsSvVxXmMcCyYoOtTeE2 -_:/[";
	unsigned seed = 12345;
	char line[200];
	size_t i, n, round;

	(void)state;
	for (round = 0; round < 200000; round++) {
		n = (size_t)(rand_r(&seed) % 120);
		for (i = 0; i < n; i++)
			line[i] = round % 2 ? letters[rand_r(&seed) % (sizeof(letters) - 1)]
			                    : (char)(rand_r(&seed) & 0xff);
		check(line, n);
	}
}

/* The first stop of klog_gate_scan, found a byte at a time. */
static size_t
scan_oracle(const char *t, size_t n, int digits)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c == '$' || c == '#' || c == '`' || c == '~' ||
		    (c == 'g' && i + 1 < n && t[i + 1] == 'r'))
			return i;
		if (digits && (i == 0 || t[i - 1] == '\n') && ((c >= '0' && c <= '9') || c <= ' '))
			return i;
		if (anchor_here(t, n, i))
			return i;
	}
	return n;
}

static void
check_scan(const char *text, size_t n, int digits)
{
	char *copy = malloc(n ? n : 1);
	size_t want;
	long got;

	assert_non_null(copy);
	memcpy(copy, text, n);
	got = klog_gate_scan(copy, n, digits);
	if (got < 0) {
		/* no vector path only where the CPU has no AVX2 */
		assert_int_equal(klog_gate_use(KLOG_GATE_AVX2), -1);
		free(copy);
		return;
	}
	want = scan_oracle(copy, n, digits);
	/* never past a stop; earlier only through a control byte */
	if ((size_t)got > want || ((size_t)got < want && !has_control(copy, want)))
		fail_msg("scan stops at %ld, oracle at %zu (of %zu)", got, want, n);
	free(copy);
}

static void
check_scan_both(const char *text, size_t n)
{
	check_scan(text, n, 0);
	check_scan(text, n, 1);
}

/* klog_gate_scan (where this CPU has its vector path) over whole texts:
 * every fixture log and random mixtures of anchors, prompts, digits and
 * blanks at line starts, both with and without digits. */
static void
test_scan(void **state)
{
	static const char *const pieces[] = {
	        "usb 1-1: new device\n",
	        "[ 1.0] Received request\n",
	        "DMAR: x\n",
	        "AMD-Vi: y\n",
	        "a $ b\n",
	        "grep\n",
	        "group\n",
	        "7 lines\n",
	        " lead\n",
	        "\n",
	        "re remap\n",
	        "id if ry\n",
	        "Linux version 6\n",
	        "x2apic\n",
	        "by bios\n",
	        "\r\n",
	        "~~~\n",
	};
	unsigned seed = 99;
	char text[4096];
	size_t n, k, round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		for (n = 0; n < sizeof(text) - 64;) {
			k = (size_t)(rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0])));
			memcpy(text + n, pieces[k], strlen(pieces[k]));
			n += strlen(pieces[k]);
			if (rand_r(&seed) % 8 == 0)
				break;
		}
		check_scan(text, n, (int)(round % 2));
	}
	for_each_fixture_log(check_scan_both);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fixture_lines),
	        cmocka_unit_test(test_every_offset),
	        cmocka_unit_test(test_random_bytes),
	        cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
