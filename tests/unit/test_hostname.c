/*
 * test_hostname.c - the one set of tests of proto/hostname.h: what a report
 * may call its host, what an operator may name one, when two names are the
 * same host, and what is an address.  Pure, no I/O.  Octal escapes where a
 * hex one would swallow the next character ("db\1771" is "db", DEL, "1").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/hostname.h"

#define NOT_A_NAME "not a host name (letters, digits, '-', '_', '.')"

/* hostname_invalid on a C string. */
static const char *
invalid(const char *s, enum hostname_kind kind)
{
	return hostname_invalid(s, strlen(s), kind);
}

/* hostname_invalid on n copies of c, with an optional tail. */
static const char *
invalid_run(char c, size_t n, const char *tail, enum hostname_kind kind)
{
	char buf[600];
	size_t t = strlen(tail);

	assert_true(n + t < sizeof(buf));
	memset(buf, c, n);
	memcpy(buf + n, tail, t);
	return hostname_invalid(buf, n + t, kind);
}

/* Four labels of 63, 63, 63 and last bytes: 3 * 64 + last bytes in all,
 * plus tail. */
static const char *
invalid_long_name(size_t last, const char *tail)
{
	char buf[600];
	size_t n = 0, i, t = strlen(tail);

	for (i = 0; i < 3; i++) {
		memset(buf + n, 'a' + (int)i, 63);
		n += 63;
		buf[n++] = '.';
	}
	memset(buf + n, 'd', last);
	n += last;
	memcpy(buf + n, tail, t);
	return hostname_invalid(buf, n + t, HOSTNAME_GIVEN);
}

/* ------------------------------------------------ HOSTNAME_REPORTED */

static void
test_reported_length(void **state)
{
	char buf[256];
	size_t i;

	(void)state;
	assert_string_equal(hostname_invalid("", 0, HOSTNAME_REPORTED), "empty");
	assert_string_equal(hostname_invalid(NULL, 0, HOSTNAME_REPORTED), "empty");
	/* len is what counts, not the NUL */
	assert_string_equal(hostname_invalid("db1", 0, HOSTNAME_REPORTED), "empty");
	assert_null(hostname_invalid("x", 1, HOSTNAME_REPORTED));
	assert_null(invalid_run('a', 255, "", HOSTNAME_REPORTED));
	assert_string_equal(invalid_run('a', 256, "", HOSTNAME_REPORTED), "longer than 255 bytes");
	/* 255 bytes of UTF-8: 85 three-byte characters (U+30FC) */
	for (i = 0; i < 85; i++)
		memcpy(buf + 3 * i, "\xe3\x83\xbc", 3);
	assert_null(hostname_invalid(buf, 255, HOSTNAME_REPORTED));
}

static void
test_reported_controls(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} cases[] = {
	        {"db1\t", 4}, /* tab is C0 too */
	        {"\tdb1", 4},       {"db\n1", 4},     {"db\r1", 4},
	        {"\x01", 1},        {"db\x1b[2J", 7}, /* ESC: a terminal acts on it */
	        {"db\0371", 4},     {"db\1771", 4},   /* DEL */
	        {"db\302\2001", 5},                   /* U+0080, C1 */
	        {"db\302\2331", 5},                   /* U+009B, CSI */
	        {"db\302\2371", 5},                   /* U+009F, last C1 */
	        {"db\0001", 4},                       /* NUL inside the length */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = hostname_invalid(cases[i].s, cases[i].len, HOSTNAME_REPORTED);

		if (why == NULL || strcmp(why, "control character") != 0)
			fail_msg("case %zu: %s", i, why != NULL ? why : "accepted");
		why = hostname_invalid(cases[i].s, cases[i].len, HOSTNAME_GIVEN);
		if (why == NULL || strcmp(why, "control character") != 0)
			fail_msg("case %zu (given): %s", i, why != NULL ? why : "accepted");
	}
}

static void
test_reported_not_utf8(void **state)
{
	static const char *const cases[] = {
	        "db\3771", /* never in UTF-8 */
	        "db\2001", /* a lone continuation byte */
	        "db\xc3",  /* cut sequence at the end */
	        "db\xe3\x83",
	        "db\303a",              /* lead byte without its continuation */
	        "\xc0\xaf",             /* overlong '/' */
	        "\xe0\x80\xaf",         /* overlong, three bytes */
	        "\xed\xa0\x80",         /* surrogate U+D800 */
	        "\xf4\x90\x80\x80",     /* above U+10FFFF */
	        "\xf8\x88\x80\x80\x80", /* five-byte form */
	        "caf\xe9",              /* Latin-1, not UTF-8 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = invalid(cases[i], HOSTNAME_REPORTED);

		if (why == NULL || strcmp(why, "not UTF-8") != 0)
			fail_msg("case %zu: %s", i, why != NULL ? why : "accepted");
		why = invalid(cases[i], HOSTNAME_GIVEN);
		if (why == NULL || strcmp(why, "not UTF-8") != 0)
			fail_msg("case %zu (given): %s", i, why != NULL ? why : "accepted");
	}
}

static void
test_reported_accepts_data(void **state)
{
	static const char *const cases[] = {
	        "db1",
	        "my host", /* blanks are data */
	        " ",
	        "-starts-with-dash",
	        "a..b",
	        "$(reboot); `id` | x & y < z > w * ? \"q\" 'q' \\",
	        "w\303\251b1",                          /* wéb1 */
	        "\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90", /* サーバ */
	        "db\302\2401",                          /* U+00A0: not a control */
	        "\xc2\xa1",                             /* U+00A1, first after C1 */
	        "\xf0\x9f\x96\xa5",                     /* U+1F5A5, four bytes */
	        "\xf4\x8f\xbf\xbf",                     /* U+10FFFF */
	        "db1.example.org.",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = invalid(cases[i], HOSTNAME_REPORTED);

		if (why != NULL)
			fail_msg("case %zu \"%s\": %s", i, cases[i], why);
	}
}

/* --------------------------------------------------- HOSTNAME_GIVEN */

static void
test_given_accepts(void **state)
{
	static const char *const cases[] = {
	        "db1",
	        "DB1",
	        "1",
	        "a",
	        "123",
	        "r640-01",
	        "web_7",
	        "a-b-c",
	        "db1.example.org",
	        "db1.example.org.", /* one trailing dot: the root */
	        "a.",
	        "x.y.z.w",
	        "10.0.0.1",                                /* an address is also a valid name */
	        "w\303\251b1",                             /* wéb1 */
	        "W\303\211B1.example.org",                 /* WÉB1 */
	        "\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90.jp", /* サーバ.jp */
	        "m\xc3\xbcnchen-01",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = invalid(cases[i], HOSTNAME_GIVEN);

		if (why != NULL)
			fail_msg("case %zu \"%s\": %s", i, cases[i], why);
	}
}

static void
test_given_refuses(void **state)
{
	static const char *const cases[] = {
	        /* starts as an option, or not with a letter or digit */
	        "-db1",
	        "-",
	        "--help",
	        "_db1",
	        "_",
	        ".db1",
	        ".",
	        "..",
	        /* empty label, label ending in '-' */
	        "a..b",
	        "db1..example.org",
	        "db1-",
	        "db1-.example.org",
	        "db1.example-",
	        "db1.example-.",
	        /* blanks */
	        "my host",
	        " db1",
	        "db1 ",
	        " ",
	        "db1\302\240",
	        "\302\240db1",
	        /* quotes */
	        "db'1",
	        "db\"1",
	        "db`1",
	        /* shell metacharacters */
	        "db$1",
	        "$(id)",
	        "db(1",
	        "db)1",
	        "db;1",
	        "db|1",
	        "db&1",
	        "db<1",
	        "db>1",
	        "db*",
	        "db?",
	        "db1;reboot",
	        /* anything else ASCII that is no letter or digit */
	        "db/1",
	        "db\\1",
	        "db:1",
	        "db@1",
	        "db#1",
	        "db!1",
	        "db,1",
	        "db=1",
	        "db+1",
	        "db~1",
	        "db%1",
	        "db[1]",
	        "db{1}",
	        "db^1",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = invalid(cases[i], HOSTNAME_GIVEN);

		if (why == NULL || strcmp(why, NOT_A_NAME) != 0)
			fail_msg("case %zu \"%s\": %s", i, cases[i],
			         why != NULL ? why : "accepted");
	}
	/* the same names are data in a report (but for the empty ones) */
	assert_null(invalid("-db1", HOSTNAME_REPORTED));
	assert_null(invalid("$(id)", HOSTNAME_REPORTED));
	assert_null(invalid("my host", HOSTNAME_REPORTED));
	assert_string_equal(hostname_invalid("", 0, HOSTNAME_GIVEN), "empty");
	assert_string_equal(hostname_invalid(NULL, 0, HOSTNAME_GIVEN), "empty");
}

static void
test_given_label_length(void **state)
{
	char buf[128];
	size_t i;

	(void)state;
	assert_null(invalid_run('a', 63, "", HOSTNAME_GIVEN));
	assert_null(invalid_run('a', 63, ".", HOSTNAME_GIVEN));
	assert_null(invalid_run('a', 63, ".example.org", HOSTNAME_GIVEN));
	assert_string_equal(invalid_run('a', 64, "", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_string_equal(invalid_run('a', 64, ".", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_string_equal(invalid_run('a', 64, ".example.org", HOSTNAME_GIVEN), NOT_A_NAME);
	/* a long label that is not the first */
	memcpy(buf, "db1.", 4);
	memset(buf + 4, 'b', 64);
	assert_string_equal(hostname_invalid(buf, 4 + 64, HOSTNAME_GIVEN), NOT_A_NAME);
	assert_null(hostname_invalid(buf, 4 + 63, HOSTNAME_GIVEN));
	/* labels count bytes, not characters: 32 x U+00E9 is 64 bytes, 31 of
	 * them and 'a' 63 */
	for (i = 0; i < 32; i++)
		memcpy(buf + 2 * i, "\xc3\xa9", 2);
	assert_string_equal(hostname_invalid(buf, 64, HOSTNAME_GIVEN), NOT_A_NAME);
	buf[62] = 'a';
	assert_null(hostname_invalid(buf, 63, HOSTNAME_GIVEN));
}

static void
test_given_name_length(void **state)
{
	(void)state;
	/* 3 * 64 + 61 = 253 bytes: the longest DNS name in text form */
	assert_null(invalid_long_name(61, ""));
	/* and its root's dot: 254 bytes */
	assert_null(invalid_long_name(61, "."));
	/* 254 bytes without the dot, 255 with it */
	assert_string_equal(invalid_long_name(62, ""), NOT_A_NAME);
	assert_string_equal(invalid_long_name(62, "."), NOT_A_NAME);
	/* past 255 bytes the length is the reason */
	assert_string_equal(invalid_long_name(63, ".x"), "longer than 255 bytes");
	assert_string_equal(invalid_run('a', 256, "", HOSTNAME_GIVEN), "longer than 255 bytes");
}

static void
test_given_unicode(void **state)
{
	(void)state;
	assert_null(invalid("w\303\251b1", HOSTNAME_GIVEN));
	/* U+00A0 is a blank, though not ASCII */
	assert_string_equal(invalid("w\303\251b\302\2401", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_string_equal(invalid("\xc2\xa0", HOSTNAME_GIVEN), NOT_A_NAME);
	/* C1 controls are controls before they are not letters */
	assert_string_equal(invalid("db\302\2051", HOSTNAME_GIVEN), "control character");
}

/* A second trailing dot leaves an empty last label: "one trailing dot
 * allowed" refuses it.  So does a label that starts with '-'. */
static void
test_given_two_trailing_dots(void **state)
{
	(void)state;
	assert_string_equal(invalid("a..", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_string_equal(invalid("db1.example.org..", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_string_equal(invalid("a.-b", HOSTNAME_GIVEN), NOT_A_NAME);
	assert_null(invalid("a.b-c.", HOSTNAME_GIVEN));
}

/* Unicode blanks, separators and invisible format characters make a name
 * look like another: refused (Zs, Zl, Zp, Cf). */
static void
test_given_invisible(void **state)
{
	static const char *const no[] = {
	        "web\xe3\x80\x80"
	        "1", /* U+3000 ideographic space */
	        "db\xe2\x80\xa8"
	        "1", /* U+2028 line separator */
	        "db\xe2\x80\xa9"
	        "1", /* U+2029 paragraph separator */
	        "db\xe2\x80\x8b"
	        "1", /* U+200B zero-width space */
	        "\xef\xbb\xbf"
	        "db1", /* U+FEFF byte-order mark */
	        "ab\xe2\x80\xae"
	        "cd", /* U+202E right-to-left override */
	        "db\xc2\xad"
	        "1", /* U+00AD soft hyphen */
	        "db\xe2\x81\xa0"
	        "1", /* U+2060 word joiner */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_string_equal(invalid(no[i], HOSTNAME_GIVEN), NOT_A_NAME);
	/* the same characters are data in a report */
	assert_null(invalid("web\xe3\x80\x80"
	                    "1",
	                    HOSTNAME_REPORTED));
}

/* ----------------------------------------------------- hostname_same */

static void
test_same_ignoring_case_and_dot(void **state)
{
	(void)state;
	assert_true(hostname_same("db1", "db1"));
	assert_true(hostname_same("DB1", "db1"));
	assert_true(hostname_same("db1", "Db1"));
	assert_true(hostname_same("db1.Example.ORG", "DB1.example.org"));
	/* one trailing dot on either side, or both */
	assert_true(hostname_same("db1.", "db1"));
	assert_true(hostname_same("db1", "db1."));
	assert_true(hostname_same("db1.", "DB1."));
	assert_true(hostname_same("db1.example.org.", "db1.example.org"));
	assert_true(hostname_same("db1.example.org", "db1.example.org."));
	/* only ASCII folds: É (C3 89) is not é (C3 A9) */
	assert_false(hostname_same("W\303\211B1", "w\303\251b1"));
	assert_true(hostname_same("W\303\251B1", "w\303\251b1"));
	assert_true(hostname_same("w\303\251b1", "w\303\251b1.example.org"));
	/* different names */
	assert_false(hostname_same("db1", "db2"));
	assert_false(hostname_same("db1", "db10"));
	assert_false(hostname_same("db10", "db1"));
	assert_false(hostname_same("db1", "db1-"));
	assert_false(hostname_same("db1", "db"));
}

static void
test_same_short_and_fqdn(void **state)
{
	(void)state;
	/* a bare short name is the first label of the other, both ways */
	assert_true(hostname_same("db1", "db1.example.org"));
	assert_true(hostname_same("db1.example.org", "db1"));
	assert_true(hostname_same("DB1", "db1.example.org."));
	assert_true(hostname_same("db1.example.org.", "DB1"));
	assert_true(hostname_same("db1.", "db1.example.org"));
	assert_true(hostname_same("db1.example.org", "db1."));
	/* the first label, not a prefix of it */
	assert_false(hostname_same("db", "db1.example.org"));
	assert_false(hostname_same("db1.example.org", "db"));
	assert_false(hostname_same("db1", "db10.example.org"));
	assert_false(hostname_same("db10.example.org", "db1"));
	assert_false(hostname_same("example", "db1.example.org"));
	assert_false(hostname_same("org", "db1.example.org"));
}

static void
test_same_two_fqdns_never(void **state)
{
	(void)state;
	assert_false(hostname_same("db1.example.org", "db1.example.com"));
	assert_false(hostname_same("db1.example.com", "db1.example.org"));
	assert_false(hostname_same("db1.a", "db1.b"));
	assert_false(hostname_same("db1.example.org", "db1.example"));
	assert_false(hostname_same("db1.example", "db1.example.org"));
	assert_false(hostname_same("db1.example.org", "db1.eu.example.org"));
	assert_false(hostname_same("db1.example.org", "db2.example.org"));
}

static void
test_same_empty_and_null(void **state)
{
	(void)state;
	assert_false(hostname_same("", ""));
	assert_false(hostname_same(".", "."));
	assert_false(hostname_same(".", ""));
	assert_false(hostname_same("", "."));
	assert_false(hostname_same("", "db1"));
	assert_false(hostname_same("db1", ""));
	assert_false(hostname_same(".", "db1"));
	assert_false(hostname_same("db1", "."));
	assert_false(hostname_same("", "db1.example.org"));
	assert_false(hostname_same("db1.example.org", ""));
	assert_false(hostname_same(".example.org", "example"));
	assert_false(hostname_same(NULL, "db1"));
	assert_false(hostname_same("db1", NULL));
	assert_false(hostname_same(NULL, NULL));
}

/* Two trailing dots are not the root's one; an address has no short name. */
static void
test_same_never_past_the_rule(void **state)
{
	(void)state;
	assert_false(hostname_same("db1..", "db1"));
	assert_false(hostname_same("db1", "db1.."));
	assert_false(hostname_same("10", "10.0.0.1"));
	assert_false(hostname_same("10.0.0.1", "10"));
	assert_true(hostname_same("10.0.0.1", "10.0.0.1"));
}

/* ------------------------------------------------ hostname_is_address */

/* The stored key: one host for every spelling hostname_same calls equal. */
static void
test_key(void **state)
{
	static const struct {
		const char *in, *key;
	} cases[] = {
	        {"R640-01.", "r640-01"},
	        {"r640-01", "r640-01"},
	        {"DB1.Example.ORG", "db1.example.org"},
	        {".", "."},
	        {"a..", "a.."}, /* never "a.": that is "a"'s spelling */
	        {"A.", "a"},
	        {"\xc3\x84x", "\xc3\x84x"},
	};
	char out[HOSTNAME_MAX + 1], small[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hostname_key(cases[i].in, out, sizeof(out));
		assert_string_equal(out, cases[i].key);
		/* the key of a key is itself */
		hostname_key(cases[i].key, out, sizeof(out));
		assert_string_equal(out, cases[i].key);
	}
	/* keys equal exactly when hostname_same's exact rule holds */
	hostname_key("R640-01.", out, sizeof(out));
	assert_true(hostname_same("r640-01", out));
	hostname_key("abcdef", small, sizeof(small));
	assert_string_equal(small, "abc");
}

static void
test_is_address(void **state)
{
	static const char *const yes[] = {
	        "192.168.1.10",
	        "10.0.0.1",
	        "0.0.0.0",
	        "255.255.255.255",
	        "127.0.0.1",
	        "::1",
	        "::",
	        "fe80::1",
	        "FE80::1",
	        "2001:db8::8a2e:370:7334",
	        "2001:0db8:0000:0000:0000:ff00:0042:8329",
	        "::ffff:192.0.2.1",
	};
	static const char *const no[] = {
	        "",
	        "db1",
	        "db1.example.org",
	        "localhost",
	        "cafe",
	        "beef.dead",
	        "256.1.1.1",
	        "1.2.3.999",
	        "1.2.3",
	        "1.2.3.4.5",
	        "1..2.3",
	        "1.2.3.4.",
	        ".1.2.3",
	        "1.2.3.-4",
	        "1.2.3.4a",
	        "0x7f.0.0.1",
	        " 1.2.3.4",
	        "1.2.3.4 ",
	        "1234.1.1.1",
	        "dead:beef",
	        ":",
	        "fe80::1%eth0",
	        "[::1]",
	        "::g",
	        "2001:db8::1 ",
	        "fe80::1/64",
	        "0:1:2:3:4:5:6:7:8",
	        "db1:22",
	        "a:b:c",
	        ":::::::",
	        "1.2.3.4.5::",
	        "...::",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!hostname_is_address(yes[i]))
			fail_msg("\"%s\": not an address", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (hostname_is_address(no[i]))
			fail_msg("\"%s\": an address", no[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reported_length),
	        cmocka_unit_test(test_reported_controls),
	        cmocka_unit_test(test_reported_not_utf8),
	        cmocka_unit_test(test_reported_accepts_data),
	        cmocka_unit_test(test_given_accepts),
	        cmocka_unit_test(test_given_refuses),
	        cmocka_unit_test(test_given_label_length),
	        cmocka_unit_test(test_given_name_length),
	        cmocka_unit_test(test_given_unicode),
	        cmocka_unit_test(test_given_two_trailing_dots),
	        cmocka_unit_test(test_same_ignoring_case_and_dot),
	        cmocka_unit_test(test_same_short_and_fqdn),
	        cmocka_unit_test(test_same_two_fqdns_never),
	        cmocka_unit_test(test_same_empty_and_null),
	        cmocka_unit_test(test_is_address),
	        cmocka_unit_test(test_key),
	        cmocka_unit_test(test_given_invisible),
	        cmocka_unit_test(test_same_never_past_the_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
