/*
 * test_jump.c - unit tests of the jump host lists: ProxyJump values, the
 * ProxyCommand libssh 0.10 makes of one, and what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "collector/jump.h"

static void
test_parse(void **state)
{
	struct jump_list l;
	char err[256], name[300];

	(void)state;
	assert_int_equal(jump_parse("bastion", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.hops[0].host, "bastion");
	assert_string_equal(l.hops[0].user, "");
	assert_int_equal(l.hops[0].port, 0);

	assert_int_equal(jump_parse("ops@10.0.0.1:2222,[fe80::1]:22,b2", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.hops[0].user, "ops");
	assert_string_equal(l.hops[0].host, "10.0.0.1");
	assert_int_equal(l.hops[0].port, 2222);
	assert_string_equal(l.hops[1].host, "fe80::1");
	assert_int_equal(l.hops[1].port, 22);
	assert_string_equal(l.hops[2].host, "b2");
	jump_hop_name(&l.hops[0], name, sizeof(name));
	assert_string_equal(name, "ops@10.0.0.1:2222");
	jump_hop_name(&l.hops[1], name, sizeof(name));
	assert_string_equal(name, "[fe80::1]:22");

	assert_int_equal(jump_parse("none", &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
}

static void
test_refused(void **state)
{
	static const char *const bad[] = {
	        "",      "b,",   ",b", "-oProxyCommand=x", "b;id", "$(id)@b", "b:0", "b:65536",
	        "b:22x", "[::1", "u@", "a,b,c,d,e",        "b c",  "ssh://b", "b%h",
	};
	struct jump_list l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jump_parse(bad[i], &l, err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_true(strncmp(err, "jump host", 9) == 0);
	}
}

static void
test_proxycommand(void **state)
{
	struct jump_list l;
	char err[256];

	(void)state;
	/* exactly what libssh 0.10.6 sets for "ProxyJump admin@bastion:2222,b2,[::1]:23" */
	assert_int_equal(
	        jump_from_proxycommand("ssh -l admin -p 2222 -J b2,[::1]:23 -W '[%h]:%p' bastion",
	                               &l, err, sizeof(err)),
	        1);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.hops[0].user, "admin");
	assert_string_equal(l.hops[0].host, "bastion");
	assert_int_equal(l.hops[0].port, 2222);
	assert_string_equal(l.hops[1].host, "b2");
	assert_string_equal(l.hops[2].host, "::1");
	assert_int_equal(l.hops[2].port, 23);

	assert_int_equal(jump_from_proxycommand("ssh -W '[%h]:%p' bast", &l, err, sizeof(err)), 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.hops[0].host, "bast");

	/* a ProxyCommand of the user's own: not a jump, never run */
	assert_int_equal(jump_from_proxycommand("nc %h %p", &l, err, sizeof(err)), 0);
	assert_int_equal(jump_from_proxycommand("ssh -W '[%h]:%p' bast; id", &l, err, sizeof(err)),
	                 0);
	assert_int_equal(jump_from_proxycommand("ssh -W %h:%p bast", &l, err, sizeof(err)), 0);
	assert_int_equal(jump_from_proxycommand("ssh -W '[%h]:%p' b;id", &l, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse),
	        cmocka_unit_test(test_refused),
	        cmocka_unit_test(test_proxycommand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
