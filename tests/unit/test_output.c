/*
 * test_output.c - unit tests of collector/output.c on strings and an
 * in-memory database: the CSV cell (RFC 4180 quoting, formula
 * neutralisation) and the terminal escaping of bidi and line separators.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/db.h"
#include "collector/output.h"

static void
assert_cell(const char *in, int text, const char *want)
{
	char *got = output_csv_cell(in, text);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("csv cell [%s]: got [%s], want [%s]", in, got, want);
	free(got);
}

/* 1. Cells a spreadsheet would run as a formula start with a quote, inside
 * RFC 4180 quotes; the rest is as before. */
static void
test_csv_neutralise(void **state)
{
	(void)state;
	assert_cell("=HYPERLINK(\"http://x\")", 1, "\"'=HYPERLINK(\"\"http://x\"\")\"");
	assert_cell("+1+cmd|' /C calc'!A0", 1, "\"'+1+cmd|' /C calc'!A0\"");
	assert_cell("-2+3", 1, "\"'-2+3\"");
	assert_cell("@SUM(A1)", 1, "\"'@SUM(A1)\"");
	/* tab and CR are escaped for the terminal, and neutralised too */
	assert_cell("\t=1", 1, "\"'\\t=1\"");
	assert_cell("\r=1", 1, "\"'\\r=1\"");
	/* a formula character later on is harmless */
	assert_cell("a=b", 1, "a=b");
	assert_cell("web-01", 1, "web-01");
	assert_cell("", 1, "");
	/* numbers are not text: -1 stays a number */
	assert_cell("-1", 0, "-1");
	assert_cell("-1", 1, "\"'-1\"");
	/* RFC 4180 quoting unchanged */
	assert_cell("a,\"b", 1, "\"a,\"\"b\"");
	assert_cell("=a,\"b", 1, "\"'=a,\"\"b\"");
	/* controls escaped as in every format */
	assert_cell("\033x", 1, "\\x1bx");
}

/* 2. Bidi marks and line separators are escaped in tables (and JSON escapes
 * them as \uXXXX, which decodes back to the same text). */
static void
test_escape_bidi(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	        {"a\xe2\x80\x8f"
	         "b",
	         "a\\xe2\\x80\\x8fb"}, /* U+200F RLM */
	        {"a\xe2\x80\x8e"
	         "b",
	         "a\\xe2\\x80\\x8eb"}, /* U+200E LRM */
	        {"a\xe2\x80\xa8"
	         "b",
	         "a\\xe2\\x80\\xa8b"}, /* U+2028 LS */
	        {"a\xe2\x80\xa9"
	         "b",
	         "a\\xe2\\x80\\xa9b"}, /* U+2029 PS */
	        {"a\xd8\x9c"
	         "b",
	         "a\\xd8\\x9cb"}, /* U+061C ALM */
	        {"a\xe2\x81\xa6"
	         "b",
	         "a\\xe2\\x81\\xa6b"}, /* U+2066 LRI */
	        {"a\xe2\x80\xae"
	         "b",
	         "a\\xe2\\x80\\xaeb"},                            /* U+202E RLO */
	        {"\xc3\xa9\xe2\x80\x94", "\xc3\xa9\xe2\x80\x94"}, /* e-acute, em dash: kept */
	        {"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
	         "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"}, /* Hebrew */
	};
	size_t i;
	char *e;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = output_escape(cases[i].in);
		assert_non_null(e);
		assert_string_equal(e, cases[i].want);
		free(e);
	}
}

/* The same through the three formats: csv neutralised, json verbatim (an
 * escape that decodes to the same text), table escaped. */
static void
test_formats_hostile(void **state)
{
	struct db_rows rows;
	struct output o;
	struct db *db;
	char err[600], *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	if (db_open(":memory:", &db, err, sizeof(err)) == -1)
		fail_msg("db_open: %s", err);
	assert_int_equal(db_query(db,
	                          "SELECT '=1+1' AS h, -3 AS n, 'x' || char(0x2028) || 'y' AS s",
	                          NULL, 0, &rows),
	                 0);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	output_init(&o, fp, OUTPUT_CSV, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	output_init(&o, fp, OUTPUT_JSON, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	output_init(&o, fp, OUTPUT_TABLE, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	fclose(fp);
	assert_string_equal(buf, "h,n,s\n\"'=1+1\",-3,x\\xe2\\x80\\xa8y\n"
	                         "[\n {\"h\": \"=1+1\", \"n\": -3, \"s\": \"x\\u2028y\"}\n]\n"
	                         "h     n   s\n=1+1  -3  x\\xe2\\x80\\xa8y\n");
	free(buf);
	db_rows_free(&rows);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_csv_neutralise),
	        cmocka_unit_test(test_escape_bidi),
	        cmocka_unit_test(test_formats_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
