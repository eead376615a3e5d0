/*
 * test_conf.c - unit tests of the configuration file parser (conf_parse) and
 * its reader (conf_load): every error names the file and the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/conf.h"

static const char *const keys[] = {"push_url", "spool", "hostname", NULL};

static int
parse(const char *text, struct conf *c, char *err, size_t errlen)
{
	return conf_parse(text, strlen(text), "agent.conf", keys, c, err, errlen);
}

static void
test_values(void **state)
{
	struct conf c;
	char err[256];

	(void)state;
	assert_int_equal(
	        parse("# comment\n\n  push_url =  https://c:8470/  \n"
	              "\tspool=/var/spool/x # not a comment\r\n   # indented comment\nhostname=web1",
	              &c, err, sizeof(err)),
	        0);
	assert_int_equal(c.n, 3);
	assert_string_equal(conf_get(&c, "push_url"), "https://c:8470/");
	assert_string_equal(conf_get(&c, "spool"), "/var/spool/x # not a comment");
	assert_string_equal(conf_get(&c, "hostname"), "web1");
	assert_null(conf_get(&c, "cacert"));
	assert_string_equal(conf_where(&c, "spool"), "agent.conf:4: spool");
	assert_string_equal(conf_where(&c, "hostname"), "agent.conf:6: hostname");
	conf_free(&c);
	/* an empty value is kept empty: the user of the key refuses it */
	assert_int_equal(parse("spool =\n", &c, err, sizeof(err)), 0);
	assert_string_equal(conf_get(&c, "spool"), "");
	conf_free(&c);
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	conf_free(&c);
}

static void
expect_error(const char *text, size_t len, const char *want)
{
	struct conf c;
	char err[256];

	assert_int_equal(conf_parse(text, len, "agent.conf", keys, &c, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(c.n, 0);
	assert_null(c.v);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("# ok\npushurl = x\n", 17, "agent.conf:2: unknown key \"pushurl\"");
	expect_error("spool /var/spool\n", 17, "agent.conf:1: expected \"key = value\"");
	expect_error("\n\n = x\n", 7, "agent.conf:3: no key before '='");
	expect_error("spool = a\nspool = b\n", 20,
	             "agent.conf:2: spool set again (first on line 1)");
	expect_error("spool = a\0b\n", 12, "agent.conf:1: a NUL byte: not a text file");
	/* keys are whole words, case and all */
	expect_error("Spool = a\n", 10, "agent.conf:1: unknown key \"Spool\"");
	expect_error("spool.x = a\n", 12, "agent.conf:1: unknown key \"spool.x\"");
}

static void
test_load(void **state)
{
	char path[] = "/tmp/test_conf.XXXXXX", err[512], *big;
	struct conf c;
	FILE *fp;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("hostname = box-7\n", fp);
	fclose(fp);
	assert_int_equal(conf_load(path, keys, &c, err, sizeof(err)), 0);
	assert_string_equal(conf_get(&c, "hostname"), "box-7");
	conf_free(&c);
	/* over the bound: refused, not read in part */
	big = malloc(CONF_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, '#', CONF_MAX_BYTES + 1);
	big[CONF_MAX_BYTES + 1] = '\0';
	assert_non_null(fp = fopen(path, "w"));
	fputs(big, fp);
	fclose(fp);
	free(big);
	assert_int_equal(conf_load(path, keys, &c, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "larger than 65536 bytes"));
	unlink(path);
	assert_int_equal(conf_load(path, keys, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_values),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
