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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_same_as_jansson),
	        cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
