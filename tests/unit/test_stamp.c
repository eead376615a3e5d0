/*
 * test_stamp.c - stamp_uuid_ok and stamp_time_ok on their edges: the
 * formats of report_id and collected_at that the codec and the content key
 * both trust.  Pure, no I/O.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/stamp.h"

static int
uuid(const char *s)
{
	return stamp_uuid_ok(s, strlen(s));
}

static int
when(const char *s)
{
	return stamp_time_ok(s, strlen(s));
}

/* Each string of v is accepted (want 1) or refused (want 0). */
static void
check_times(const char *const *v, size_t n, int want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (when(v[i]) != want)
			fail_msg("\"%s\" (%zu bytes): %s", v[i], strlen(v[i]),
			         want ? "refused" : "accepted");
}

static void
test_uuid(void **state)
{
	static const char *const yes[] = {
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b", "6F1C2B9E-8D4A-4E55-9A7B-1C2D3E4F5A6B",
	        "6f1C2b9E-8d4A-4e55-9A7b-1c2D3e4F5a6B", "00000000-0000-0000-0000-000000000000",
	        "ffffffff-ffff-ffff-ffff-ffffffffffff",
	};
	static const char *const no[] = {
	        "",
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6",   /* 35 */
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b0", /* 37 */
	        "6f1c2b9e8d4a4e559a7b1c2d3e4f5a6b",      /* no hyphens */
	        "6f1c2b9e-8d4a-4e559a7b-1c2d3e4f5a6b-",  /* hyphen moved */
	        "6f1c2b9-e8d4a-4e55-9a7b-1c2d3e4f5a6b",
	        "6f1c2b9e+8d4a-4e55-9a7b-1c2d3e4f5a6b",
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6g",
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6 ",
	        " 6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6",
	        "{6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a}",
	        "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a\xc3\xa9",
	        "------------------------------------",
	        "x6f1c2b9-8d4a-4e55-9a7b-1c2d3e4f5a6b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!uuid(yes[i]))
			fail_msg("\"%s\" refused", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (uuid(no[i]))
			fail_msg("\"%s\" accepted", no[i]);
	/* the length given is what is checked: a prefix, a NUL inside */
	assert_false(stamp_uuid_ok("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6bXX", 35));
	assert_true(stamp_uuid_ok("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6bXX", 36));
	assert_false(stamp_uuid_ok("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a\0b", 36));
}

static void
test_time_basic(void **state)
{
	static const char *const yes[] = {
	        "2026-11-23T08:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
	        "2026-01-31T00:00:00Z", "2026-11-23t08:00:00z", /* RFC 3339 5.6: t and z may be
	                                                           lower case */
	        "2026-11-23t08:00:00Z", "2026-11-23T08:00:00z",
	};
	static const char *const no[] = {
	        "",
	        "2026-11-23",
	        "2026-11-23T08:00:00",  /* no offset */
	        "2026-11-23T08:00Z",    /* no seconds */
	        "2026-11-23 08:00:00Z", /* a blank for T */
	        "2026-11-23_08:00:00Z",
	        "2026-11-23x08:00:00Z",
	        "26-11-23T08:00:00Z",
	        "20261-11-23T08:00:00Z",
	        "2026-1-23T08:00:00Z",
	        "2026/11/23T08:00:00Z",
	        "2026-11-23T08.00.00Z",
	        "2026-11-23T8:00:00Z",
	        "2026-11-23T08:00:00ZZ",
	        "2026-11-23T08:00:00Z ",
	        " 2026-11-23T08:00:00Z",
	        "2026-11-23T08:00:00UTC",
	        "2026-11-23T08:00:00GMT",
	        "+2026-11-23T08:00:00Z",
	        "-026-11-23T08:00:00Z",
	        "2026-11-23T08:00:00\xc3\xa9",
	};

	(void)state;
	check_times(yes, sizeof(yes) / sizeof(yes[0]), 1);
	check_times(no, sizeof(no) / sizeof(no[0]), 0);
}

static void
test_time_fields(void **state)
{
	static const char *const yes[] = {
	        "2026-01-01T00:00:00Z",      "2026-12-01T00:00:00Z",
	        "2026-11-23T23:59:59Z",      "2026-12-31T23:59:60Z", /* a leap second */
	        "2026-06-30T23:59:60+00:00", "2024-02-29T00:00:00Z", /* a leap year */
	        "2000-02-29T00:00:00Z",      "2026-04-30T00:00:00Z",
	};
	static const char *const no[] = {
	        "2026-13-23T08:00:00Z", /* month 13 */
	        "2026-00-23T08:00:00Z",
	        "2026-99-23T08:00:00Z",
	        "2026-11-32T08:00:00Z", /* day 32 */
	        "2026-02-31T08:00:00Z", /* RFC 3339 5.7: a day of that month */
	        "2026-02-29T08:00:00Z", /* not a leap year */
	        "1900-02-29T08:00:00Z",
	        "2026-11-31T08:00:00Z",
	        "2026-11-00T08:00:00Z",
	        "2026-11-23T24:00:00Z",
	        "2026-11-23T08:60:00Z",
	        "2026-11-23T08:00:61Z", /* 60 is a leap second; 61 is nothing */
	        "2026-11-23T08:00:99Z",
	        "2026-1a-23T08:00:00Z",
	        "2026-11-2bT08:00:00Z",
	        "2o26-11-23T08:00:00Z",
	        "2026-11-23T0 :00:00Z",
	};

	(void)state;
	check_times(yes, sizeof(yes) / sizeof(yes[0]), 1);
	check_times(no, sizeof(no) / sizeof(no[0]), 0);
}

static void
test_time_fraction(void **state)
{
	static const char *const yes[] = {
	        "2026-11-23T08:00:00.5Z",      "2026-11-23T08:00:00.0Z",
	        "2026-11-23T08:00:00.123456Z", "2026-11-23T08:00:00.123456789Z",
	        "2026-11-23T23:59:60.999Z",    "2026-11-23T08:00:00.25+05:30",
	        "2026-11-23T08:00:00.25z",
	};
	static const char *const no[] = {
	        "2026-11-23T08:00:00.Z", /* a dot without digits */
	        "2026-11-23T08:00:00.",    "2026-11-23T08:00:00.+01:00",
	        "2026-11-23T08:00:00,5Z", /* ISO 8601's comma is not RFC 3339 */
	        "2026-11-23T08:00:00.5",   "2026-11-23T08:00:00.5.5Z",
	        "2026-11-23T08:00:00.5aZ", "2026-11-23T08:00:00..5Z",
	        "2026-11-23T08:00.5:00Z",
	};

	(void)state;
	check_times(yes, sizeof(yes) / sizeof(yes[0]), 1);
	check_times(no, sizeof(no) / sizeof(no[0]), 0);
}

static void
test_time_offset(void **state)
{
	static const char *const yes[] = {
	        "2026-11-23T08:00:00+00:00",
	        "2026-11-23T08:00:00-00:00", /* RFC 3339 4.3: unknown local offset */
	        "2026-11-23T08:00:00+01:00",
	        "2026-11-23T08:00:00-05:30",
	        "2026-11-23T08:00:00+23:59",
	        "2026-11-23T08:00:00-23:59",
	        "2026-11-23t08:00:00+14:00",
	};
	static const char *const no[] = {
	        "2026-11-23T08:00:00+24:00",  "2026-11-23T08:00:00+01:60",
	        "2026-11-23T08:00:00+0100",   "2026-11-23T08:00:00+01",
	        "2026-11-23T08:00:00+1:00",   "2026-11-23T08:00:00+01:0",
	        "2026-11-23T08:00:00+01:000", "2026-11-23T08:00:00+01-00",
	        "2026-11-23T08:00:00 01:00",  "2026-11-23T08:00:00*01:00",
	        "2026-11-23T08:00:00+01:00Z", "2026-11-23T08:00:00Z+01:00",
	        "2026-11-23T08:00:00+ab:00",  "2026-11-23T08:00:00+01:cd",
	        "2026-11-23T08:00:00+",
	};

	(void)state;
	check_times(yes, sizeof(yes) / sizeof(yes[0]), 1);
	check_times(no, sizeof(no) / sizeof(no[0]), 0);
}

static void
test_time_length(void **state)
{
	(void)state;
	assert_int_equal(STAMP_TIME_MAX, 31);
	/* 31 bytes, the longest: 10 fraction digits and Z, or 5 and an offset */
	assert_int_equal(strlen("2026-11-23T08:00:00.1234567890Z"), 31);
	assert_true(when("2026-11-23T08:00:00.1234567890Z"));
	assert_int_equal(strlen("2026-11-23T08:00:00.12345+01:00"), 31);
	assert_true(when("2026-11-23T08:00:00.12345+01:00"));
	/* 32 bytes: one digit more */
	assert_int_equal(strlen("2026-11-23T08:00:00.12345678901Z"), 32);
	assert_false(when("2026-11-23T08:00:00.12345678901Z"));
	assert_int_equal(strlen("2026-11-23T08:00:00.123456+01:00"), 32);
	assert_false(when("2026-11-23T08:00:00.123456+01:00"));
	/* 20 bytes is the shortest; the length given is what is checked */
	assert_false(stamp_time_ok("2026-11-23T08:00:00Z", 19));
	assert_true(stamp_time_ok("2026-11-23T08:00:00Zjunk", 20));
	assert_false(stamp_time_ok("2026-11-23T08:00:00.5Z", 21));
	assert_false(stamp_time_ok("2026-11-23T08:00:00+01:00", 24));
	assert_false(stamp_time_ok("2026-11-23T08:00:00\0", 20));
	assert_false(stamp_time_ok("2026-11-23T08:00:00.\0Z", 22));
}

static void
test_time_epoch(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(stamp_time_epoch("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(stamp_time_epoch("2026-11-23T08:00:00Z", 20, &t), 0);
	assert_int_equal(t, 1795420800LL);
	/* the same instant in another zone, and with a fraction */
	assert_int_equal(stamp_time_epoch("2026-11-23T09:30:00.75+01:30", 28, &t), 0);
	assert_int_equal(t, 1795420800LL);
	assert_int_equal(stamp_time_epoch("2026-11-23T06:00:00-02:00", 25, &t), 0);
	assert_int_equal(t, 1795420800LL);
	assert_int_equal(stamp_time_epoch("2024-02-29T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 1709164800LL);
	assert_int_equal(stamp_time_epoch("2026-02-30T00:00:00Z", 20, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uuid),        cmocka_unit_test(test_time_basic),
	        cmocka_unit_test(test_time_fields), cmocka_unit_test(test_time_fraction),
	        cmocka_unit_test(test_time_offset), cmocka_unit_test(test_time_epoch),
	        cmocka_unit_test(test_time_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
