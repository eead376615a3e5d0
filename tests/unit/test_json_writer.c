/*
 * test_json_writer.c - proto/json_writer.c writes what jansson's
 * json_dumps() writes for the same values, byte for byte, compact and
 * indented: nesting and empty containers, every string escape, UTF-8,
 * integers and the real-number rules (".0", exponents without '+' or
 * leading zeros).  jansson is the oracle here only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto/json_writer.h"

static const char *const strings[] = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "tab\there\nnewline\rcr\bbs\fff",
        "\x01\x1f ctl",
        "\xc3\xa9t\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80 \x7f",
};

static const double reals[] = {0.0,    0.785796, 1.0,     100.0,    1e20,   1e-5,
                               123.25, 1e15,     1.5e300, 2.5e-300, 4096.5, 0.1};

/* The same document both ways: jansson's tree, and the writer. */
static json_t *
build_tree(void)
{
	json_t *root = json_object(), *a = json_array(), *o = json_object(), *n = json_array();
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		json_array_append_new(a, json_string(strings[i]));
	json_object_set_new(root, "strings", a);
	a = json_array();
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_array_append_new(a, json_real(reals[i]));
	json_object_set_new(root, "reals", a);
	json_object_set_new(o, "min", json_integer(-9223372036854775807LL - 1));
	json_object_set_new(o, "max", json_integer(9223372036854775807LL));
	json_object_set_new(o, "zero", json_integer(0));
	json_object_set_new(root, "ints", o);
	json_object_set_new(root, "empty_object", json_object());
	json_object_set_new(root, "empty_array", json_array());
	json_array_append_new(n, json_array());
	json_array_append_new(n, json_object());
	json_array_append_new(n, json_null());
	json_array_append_new(n, json_true());
	json_array_append_new(n, json_false());
	json_object_set_new(root, "nested", n);
	json_object_set_new(root, "k\"ey\\\t\xc3\xa9", json_string("v"));
	return root;
}

static char *
build_writer(int pretty)
{
	struct json_writer w;
	size_t i;

	json_writer_init(&w, pretty);
	json_writer_object(&w);
	json_writer_key(&w, "strings", 7);
	json_writer_array(&w);
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		json_writer_string(&w, strings[i], strlen(strings[i]));
	json_writer_end(&w);
	json_writer_key(&w, "reals", 5);
	json_writer_array(&w);
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		json_writer_real(&w, reals[i]);
	json_writer_end(&w);
	json_writer_key(&w, "ints", 4);
	json_writer_object(&w);
	json_writer_key(&w, "min", 3);
	json_writer_int(&w, -9223372036854775807LL - 1);
	json_writer_key(&w, "max", 3);
	json_writer_int(&w, 9223372036854775807LL);
	json_writer_key(&w, "zero", 4);
	json_writer_int(&w, 0);
	json_writer_end(&w);
	json_writer_key(&w, "empty_object", 12);
	json_writer_object(&w);
	json_writer_end(&w);
	json_writer_key(&w, "empty_array", 11);
	json_writer_array(&w);
	json_writer_end(&w);
	json_writer_key(&w, "nested", 6);
	json_writer_array(&w);
	json_writer_array(&w);
	json_writer_end(&w);
	json_writer_object(&w);
	json_writer_end(&w);
	json_writer_null(&w);
	json_writer_bool(&w, 1);
	json_writer_bool(&w, 0);
	json_writer_end(&w);
	json_writer_key(&w, "k\"ey\\\t\xc3\xa9", strlen("k\"ey\\\t\xc3\xa9"));
	json_writer_string(&w, "v", 1);
	json_writer_end(&w);
	return json_writer_finish(&w);
}

static void
test_same_as_jansson(void **state)
{
	static const size_t flags[] = {JSON_COMPACT, JSON_INDENT(2)};
	json_t *tree = build_tree();
	char *want, *got;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		want = json_dumps(tree, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) | flags[i]);
		got = build_writer(i == 1);
		assert_non_null(want);
		assert_non_null(got);
		assert_string_equal(got, want);
		free(want);
		free(got);
	}
	json_decref(tree);
}

/* Unbalanced use is refused, not half written. */
static void
test_misuse(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	json_writer_object(&w);
	assert_null(json_writer_finish(&w)); /* still open */
	json_writer_init(&w, 0);
	json_writer_array(&w);
	json_writer_key(&w, "k", 1); /* a key in an array */
	json_writer_end(&w);
	assert_null(json_writer_finish(&w));
	json_writer_init(&w, 0);
	json_writer_end(&w); /* nothing open */
	assert_null(json_writer_finish(&w));
}

/* One real both ways. */
static void
check_real(double v)
{
	struct json_writer w;
	json_t *a = json_array();
	char *want, *got;

	json_array_append_new(a, json_real(v));
	want = json_dumps(a, JSON_REAL_PRECISION(15) | JSON_COMPACT);
	json_writer_init(&w, 0);
	json_writer_array(&w);
	json_writer_real(&w, v);
	json_writer_end(&w);
	got = json_writer_finish(&w);
	assert_non_null(want);
	assert_non_null(got);
	if (strcmp(want, got) != 0)
		fail_msg("%.17g: jansson %s, writer %s", v, want, got);
	free(want);
	free(got);
	json_decref(a);
}

/* The positive double one unit in the last place up (+1) or down (-1). */
static double
neighbour(double v, int dir)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	bits += dir > 0 ? 1 : (uint64_t)-1;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

/* Log times: the writer's own path for microseconds (1e-4 to 1e8) and
 * printf's for the rest give jansson's text: values the way the log
 * parser builds them (seconds + microseconds * 1e-6), their neighbours
 * one unit in the last place away, nine-digit fractions, and the edges. */
static void
test_log_times(void **state)
{
	static const double edges[] = {1e-4,     9.9999e-5,   1e8,       99999999.999999,
	                               0.000123, 0.3,         0.1 + 0.2, 5.0,
	                               123456.5, 1e-4 + 1e-6, 7.000001,  12345678.123456};
	unsigned seed = 7;
	unsigned long long ip, fp;
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check_real(edges[i]);
	for (i = 0; i < 50000; i++) {
		ip = (unsigned long long)rand_r(&seed) % (i % 3 == 0 ? 100 : 100000000);
		fp = (unsigned long long)rand_r(&seed) % 1000000;
		v = (double)ip + (double)fp * 1e-6;
		check_real(v);
		check_real(neighbour(v, 1));
		if (v > 0)
			check_real(neighbour(v, -1));
		/* a nine-digit fraction, which printf must print */
		check_real((double)ip +
		           (double)(fp * 1000 + (unsigned)rand_r(&seed) % 1000) * 1e-9);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_same_as_jansson),
	        cmocka_unit_test(test_misuse),
	        cmocka_unit_test(test_log_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
