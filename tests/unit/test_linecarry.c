/*
 * test_linecarry.c - common/linecarry.c: a line cut by a piece's end is
 * kept whole across pieces, a newline ends it where it falls (at a
 * piece's first or last byte too), and past the buffer only its start
 * is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/linecarry.h"

static void
test_across_pieces(void **state)
{
	char buf[16];
	struct linecarry c = {buf, sizeof(buf), 0, 0};
	size_t used;

	(void)state;
	assert_int_equal(linecarry_take(&c, "abc", 3, &used), 0);
	assert_int_equal(used, 3);
	assert_true(c.active);
	assert_int_equal(linecarry_take(&c, "de", 2, &used), 0);
	assert_int_equal(linecarry_take(&c, "f\nnext", 6, &used), 1);
	assert_int_equal(used, 2); /* "f" and the newline */
	assert_int_equal(c.n, 6);
	assert_memory_equal(c.buf, "abcdef", 6);
	linecarry_reset(&c);
	assert_false(c.active);
	assert_int_equal(c.n, 0);
	/* a piece that starts with the newline ends an open line empty-handed */
	assert_int_equal(linecarry_take(&c, "x", 1, &used), 0);
	assert_int_equal(linecarry_take(&c, "\nrest", 5, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(c.n, 1);
}

static void
test_longer_than_buffer(void **state)
{
	char buf[4];
	struct linecarry c = {buf, sizeof(buf), 0, 0};
	size_t used;

	(void)state;
	assert_int_equal(linecarry_take(&c, "abcdef", 6, &used), 0);
	assert_int_equal(used, 6);
	assert_int_equal(linecarry_take(&c, "ghi", 3, &used), 0);
	assert_int_equal(linecarry_take(&c, "jk\n", 3, &used), 1);
	assert_int_equal(used, 3);
	assert_int_equal(c.n, 4);
	assert_memory_equal(c.buf, "abcd", 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_across_pieces),
	        cmocka_unit_test(test_longer_than_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
