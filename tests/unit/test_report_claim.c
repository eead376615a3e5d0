/*
 * test_report_claim.c - unit tests of report_claim_hostname: the host a report
 * claims, found without decoding, and "cannot tell" whenever in doubt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/report_claim.h"

static int
claim(const char *json, char *out, size_t outlen)
{
	return report_claim_hostname(json, strlen(json), out, outlen);
}

static void
test_found(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(claim("{\"host\":{\"hostname\":\"db1\"}}", out, sizeof(out)), 1);
	assert_string_equal(out, "db1");
	/* other members first, nested look-alikes skipped, blanks anywhere */
	assert_int_equal(
	        claim(" {\n \"format\" : \"iommu-fleet-report\", \"version\": 1,"
	              " \"x\": {\"host\": {\"hostname\": \"decoy\"}}, \"list\": [1, \"]\", {\"a\": [ ]}],"
	              " \"s\": \"a \\\"host\\\": {\\\"hostname\\\": \\\"decoy2\\\"}\","
	              " \"host\" : { \"machine_id\": null, \"dmi\": {\"hostname\": \"decoy3\"},"
	              " \"hostname\" : \"web-7.example.org\" }, \"tail\": true }",
	              out, sizeof(out)),
	        1);
	assert_string_equal(out, "web-7.example.org");
}

static void
test_cannot_tell(void **state)
{
	static const char *const cases[] = {
	        "",
	        "not json",
	        "[]",
	        "{}",
	        "{\"host\": null}",
	        "{\"host\": {}}",
	        "{\"host\": {\"hostname\": null}}",
	        "{\"host\": {\"hostname\": 7}}",
	        "{\"host\": {\"hostname\": \"\"}}",
	        "{\"host\": {\"hostname\": \"a\\u0062\"}}", /* escape in the name */
	        "{\"h\\u006fst\": {\"hostname\": \"x\"}}",  /* escape in a key */
	        "{\"host\": {\"h\\u006fstname\": \"x\"}}",
	        "{\"host\": {\"hostname\": \"unterminated}}",
	        "{\"a\": [1, 2}, \"host\": {\"hostname\": \"x\"}}", /* bracket mismatch */
	        "{\"a\" 1, \"host\": {\"hostname\": \"x\"}}",
	        "{\"host\": {\"hostname\": \"tab\there\"}}",
	        "{\"host\": {\"hostname\": \"db1\x7f\"}}", /* DEL */
	        "{\"host\": {\"hostname\": \"\xc2\x9b"
	        "2J\"}}",                                 /* C1 CSI */
	        "{\"host\": {\"hostname\": \"db\xff\"}}", /* not UTF-8 */
	        "{\"host\": {\"hostname\": \"0123456789abcdef0123456789abcdef\"}}",
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (claim(cases[i], out, sizeof(out)) != 0)
			fail_msg("claimed \"%s\" in %s", out, cases[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_found),
	        cmocka_unit_test(test_cannot_tell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
