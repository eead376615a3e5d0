/*
 * test_report_key.c - unit tests of the content key: which texts share a
 * key, which are not trusted for the fast path, and the format checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/report_key.h"
#include "proto/stamp.h"

#define ID1 "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b"
#define ID2 "0e8f7a6b-1111-4222-8333-444455556666"

static void
key(const char *text, struct report_key *k)
{
	report_key_compute(text, strlen(text), k);
}

static void
test_same_but_id_and_time(void **state)
{
	struct report_key a, b, c;

	(void)state;
	key("{\"format\": \"x\", \"report_id\": \"" ID1 "\", \"collected_at\": "
	    "\"2026-11-23T08:00:00Z\", \"host\": {\"report_id\": 5}}",
	    &a);
	key("{\"format\": \"x\", \"report_id\": \"" ID2 "\", \"collected_at\": "
	    "\"2026-11-24T09:30:00.25Z\", \"host\": {\"report_id\": 5}}",
	    &b);
	key("{\"format\": \"x\", \"report_id\": \"" ID2 "\", \"collected_at\": "
	    "\"2026-11-24T09:30:00.25Z\", \"host\": {\"report_id\": 6}}",
	    &c);
	assert_int_equal(a.ok, 1);
	assert_int_equal(b.ok, 1);
	assert_string_equal(a.report_id, ID1);
	assert_string_equal(a.collected_at, "2026-11-23T08:00:00Z");
	assert_string_equal(b.collected_at, "2026-11-24T09:30:00.25Z");
	assert_string_equal(a.sha256, b.sha256);
	assert_string_not_equal(b.sha256, c.sha256);
	/* the order of the two keys does not matter to finding them */
	key("{\"collected_at\": \"2026-11-23T08:00:00+02:00\", \"report_id\": \"" ID1 "\"}", &c);
	assert_int_equal(c.ok, 1);
	assert_string_equal(c.collected_at, "2026-11-23T08:00:00+02:00");
}

static void
test_spacing(void **state)
{
	struct report_key a, b, c, d;

	(void)state;
	key("{\"report_id\":\"" ID1 "\",\"collected_at\":\"2026-11-23T08:00:00Z\","
	    "\"n\":[12,true],\"s\":\"a  b\"}",
	    &a);
	key(" {\n  \"report_id\": \"" ID2 "\",\n  \"collected_at\": \"2026-11-24T08:00:00Z\",\n"
	    "  \"n\": [\n    12,\n    true\n  ],\n  \"s\": \"a  b\"\n}\n",
	    &b);
	/* whitespace that splits a token, or inside a string, is not spacing */
	key("{\"report_id\":\"" ID1 "\",\"collected_at\":\"2026-11-23T08:00:00Z\","
	    "\"n\":[1 2,true],\"s\":\"a  b\"}",
	    &c);
	key("{\"report_id\":\"" ID1 "\",\"collected_at\":\"2026-11-23T08:00:00Z\","
	    "\"n\":[12,true],\"s\":\"a b\"}",
	    &d);
	assert_true(a.ok && b.ok && c.ok && d.ok);
	assert_string_equal(a.sha256, b.sha256);
	assert_string_not_equal(a.sha256, c.sha256);
	assert_string_not_equal(a.sha256, d.sha256);
}

static void
test_not_trusted(void **state)
{
	static const char *const texts[] = {
	        /* no collected_at, nested only, escaped key, escaped value */
	        "{\"report_id\": \"" ID1 "\"}",
	        "{\"a\": {\"report_id\": \"" ID1 "\", \"collected_at\": \"2026-11-23T08:00:00Z\"}}",
	        "{\"report\\u005fid\": \"" ID1 "\", \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        "{\"report_id\": \"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6\\u0062\", \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        /* a duplicate before the other key, a non-string value */
	        "{\"report_id\": \"" ID1 "\", \"report_id\": \"" ID2
	        "\", \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        "{\"report_id\": 7, \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        "{\"report_id\": [\"" ID1 "\"], \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        /* bad formats */
	        "{\"report_id\": \"not-a-uuid\", \"collected_at\": \"2026-11-23T08:00:00Z\"}",
	        "{\"report_id\": \"" ID1 "\", \"collected_at\": \"2026-13-23T08:00:00Z\"}",
	        "{\"report_id\": \"" ID1 "\", \"collected_at\": \"2026-11-23 08:00:00\"}",
	        /* not an object, unterminated */
	        "[\"report_id\", \"" ID1 "\"]",
	        "{\"report_id\": \"" ID1 "\", \"collected_at\": \"2026-11-23T08:00",
	        "",
	};
	struct report_key k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		key(texts[i], &k);
		if (k.ok)
			fail_msg("text %zu trusted: %s", i, texts[i]);
		assert_int_equal(strlen(k.sha256), 64);
	}
}

static void
test_formats(void **state)
{
	(void)state;
	assert_true(stamp_uuid_ok(ID1, 36));
	assert_true(stamp_uuid_ok("6F1C2B9E-8D4A-4E55-9A7B-1C2D3E4F5A6B", 36));
	assert_false(stamp_uuid_ok("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6", 35));
	assert_false(stamp_uuid_ok("6f1c2b9e+8d4a-4e55-9a7b-1c2d3e4f5a6b", 36));
	assert_false(stamp_uuid_ok("6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6g", 36));
	assert_true(stamp_time_ok("2026-11-23T08:00:00Z", 20));
	assert_true(stamp_time_ok("2026-11-23t23:59:60.123456z", 27));
	assert_true(stamp_time_ok("2026-11-23T08:00:00-05:30", 25));
	assert_false(stamp_time_ok("2026-11-23T24:00:00Z", 20));
	assert_false(stamp_time_ok("2026-11-23T08:00:00", 19));
	assert_false(stamp_time_ok("2026-11-23T08:00:00.Z", 21));
	assert_false(stamp_time_ok("2026-11-23T08:00:00+5:30", 24));
	assert_false(stamp_time_ok("2026-00-23T08:00:00Z", 20));
	assert_false(stamp_time_ok("2026-11-23T08:00:00.1234567890123Z", 34));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_same_but_id_and_time),
	        cmocka_unit_test(test_spacing),
	        cmocka_unit_test(test_not_trusted),
	        cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
