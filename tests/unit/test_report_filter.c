/*
 * test_report_filter.c - the report filters' values: --since durations and
 * RFC 3339 times (offsets to UTC, leap days, bad input), device classes,
 * failed attempt words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "collector/report_filter.h"

/* 2026-11-23T10:00:00Z */
#define NOW ((time_t)1795428000)

static const char *
since(const char *arg)
{
	static char out[REPORT_FILTER_TIME_LEN];
	char err[160];

	if (report_filter_since(arg, NOW, out, err, sizeof(err)) == -1)
		return NULL;
	return out;
}

static void
test_durations(void **state)
{
	(void)state;
	assert_string_equal(since("0s"), "2026-11-23T10:00:00Z");
	assert_string_equal(since("90s"), "2026-11-23T09:58:30Z");
	assert_string_equal(since("30m"), "2026-11-23T09:30:00Z");
	assert_string_equal(since("24h"), "2026-11-22T10:00:00Z");
	assert_string_equal(since("7d"), "2026-11-16T10:00:00Z");
	assert_string_equal(since("2w"), "2026-11-09T10:00:00Z");
	assert_string_equal(since("1000d"), "2024-02-27T10:00:00Z"); /* over a leap day */
}

static void
test_times(void **state)
{
	(void)state;
	assert_string_equal(since("2026-11-23T10:00:00Z"), "2026-11-23T10:00:00Z");
	assert_string_equal(since("2026-11-23T10:30:00+01:00"), "2026-11-23T09:30:00Z");
	assert_string_equal(since("2026-11-23T23:30:00-01:00"), "2026-11-24T00:30:00Z");
	assert_string_equal(since("2024-03-01T00:30:00+01:00"), "2024-02-29T23:30:00Z");
	assert_string_equal(since("2026-01-01T00:00:00.75Z"), "2026-01-01T00:00:00Z");
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
	        "",
	        "7",
	        "d",
	        "7x",
	        "7dd",
	        "-7d",
	        " 7d",
	        "7d ",
	        "yesterday",
	        "2026-11-23",
	        "2026-11-23 10:00:00Z",
	        "2026-13-01T00:00:00Z",
	        "99999999999999999999d",
	        "40000d",
	};
	char out[REPORT_FILTER_TIME_LEN], err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (report_filter_since(bad[i], NOW, out, err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\" as %s", bad[i], out);
		assert_true(strstr(err, "not a duration") != NULL);
	}
}

static void
test_classes(void **state)
{
	(void)state;
	assert_string_equal(report_filter_class_of(0x030000), "gpu");
	assert_string_equal(report_filter_class_of(0x030200), "gpu");
	assert_string_equal(report_filter_class_of(0x020000), "nic");
	assert_string_equal(report_filter_class_of(0x010802), "storage");
	assert_string_equal(report_filter_class_of(0x0c0330), "usb");
	assert_string_equal(report_filter_class_of(0x0c0500), "other"); /* SMBus */
	assert_string_equal(report_filter_class_of(0x060400), "bridge");
	assert_string_equal(report_filter_class_of(-1), "other");
	assert_true(report_filter_class_ok("gpu"));
	assert_true(report_filter_class_ok("other"));
	assert_false(report_filter_class_ok("bridge"));
	assert_false(report_filter_class_ok("GPU"));
	assert_false(report_filter_class_ok(""));
}

static void
test_failed(void **state)
{
	(void)state;
	assert_false(report_filter_failed("stored"));
	assert_false(report_filter_failed("unchanged"));
	assert_false(report_filter_failed("duplicate"));
	assert_true(report_filter_failed("rejected"));
	assert_true(report_filter_failed("timeout"));
	assert_true(report_filter_failed("hostkey-changed"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_durations), cmocka_unit_test(test_times),
	        cmocka_unit_test(test_bad),       cmocka_unit_test(test_classes),
	        cmocka_unit_test(test_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
