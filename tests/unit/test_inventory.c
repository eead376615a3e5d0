/*
 * test_inventory.c - unit tests of the pull inventory parser: accepted
 * forms, settings, and the names that must never get through.
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

#include "collector/inventory.h"
#include "collector/inventory_limit.h"
#include "collector/inventory_load.h"
#include "proto/hostname.h"

static void
test_forms(void **state)
{
	struct inventory_host h;
	char err[256];

	(void)state;
	assert_int_equal(inventory_parse_line("db1.example.org", &h, err, sizeof(err)), 1);
	assert_string_equal(h.host, "db1.example.org");
	assert_string_equal(h.name, "db1.example.org");
	assert_string_equal(h.user, "");
	assert_int_equal(h.port, 0);
	assert_null(h.command);
	inventory_host_clear(&h);

	assert_int_equal(inventory_parse_line("  ops_1@10.0.0.7:2222\t", &h, err, sizeof(err)), 1);
	assert_string_equal(h.user, "ops_1");
	assert_string_equal(h.host, "10.0.0.7");
	assert_int_equal(h.port, 2222);
	inventory_host_clear(&h);

	assert_int_equal(inventory_parse_line("root@[fe80::1]:22", &h, err, sizeof(err)), 1);
	assert_string_equal(h.host, "fe80::1");
	assert_int_equal(h.port, 22);
	assert_int_equal(hostname_is_address(h.name), 1);
	inventory_host_clear(&h);

	assert_int_equal(inventory_parse_line("[::1]", &h, err, sizeof(err)), 1);
	assert_string_equal(h.host, "::1");
	inventory_host_clear(&h);

	/* an ssh_config alias is a host name too */
	assert_int_equal(inventory_parse_line("web-3 # the front end", &h, err, sizeof(err)), 1);
	assert_string_equal(h.host, "web-3");
	inventory_host_clear(&h);
}

static void
test_settings(void **state)
{
	struct inventory_host h;
	char err[256];

	(void)state;
	assert_int_equal(inventory_parse_line("gpu7:2200 tags=gpu,rack-4 agent=none name=gpu7.lab",
	                                      &h, err, sizeof(err)),
	                 1);
	assert_string_equal(h.tags, "gpu,rack-4");
	assert_int_equal(h.agent, INVENTORY_AGENT_NONE);
	assert_string_equal(h.name, "gpu7.lab");
	assert_string_equal(h.host, "gpu7");
	assert_int_equal(h.port, 2200);
	inventory_host_clear(&h);

	assert_int_equal(
	        inventory_parse_line(
	                "h1 command=\"/opt/iommu/bin/iommu-agent --pci-ids \\\"/x y\\\"\" tags=a",
	                &h, err, sizeof(err)),
	        1);
	assert_string_equal(h.command, "/opt/iommu/bin/iommu-agent --pci-ids \"/x y\"");
	assert_string_equal(h.tags, "a");
	inventory_host_clear(&h);

	assert_int_equal(
	        inventory_parse_line("h1 command=/usr/local/bin/iommu-agent", &h, err, sizeof(err)),
	        1);
	assert_string_equal(h.command, "/usr/local/bin/iommu-agent");
	inventory_host_clear(&h);
	/* a bare value ends at a blank: the rest is not a setting */
	assert_int_equal(inventory_parse_line("h1 command=sudo iommu-agent", &h, err, sizeof(err)),
	                 -1);
}

static void
test_blank_and_comments(void **state)
{
	struct inventory_host h;
	char err[256];

	(void)state;
	assert_int_equal(inventory_parse_line("", &h, err, sizeof(err)), 0);
	assert_int_equal(inventory_parse_line("   \t ", &h, err, sizeof(err)), 0);
	assert_int_equal(inventory_parse_line("# a comment", &h, err, sizeof(err)), 0);
	assert_int_equal(inventory_parse_line("  # indented", &h, err, sizeof(err)), 0);
	/* a lone CR is only accepted at the end of a line of a CRLF file */
	assert_int_equal(inventory_parse_line("\r", &h, err, sizeof(err)), -1);
}

/* Each must be refused: shell, ssh_config tokens, ProxyCommand, options. */
static void
test_hostile_names(void **state)
{
	static const char *const bad[] = {
	        "-oProxyCommand=sh",
	        "host;reboot",
	        "$(reboot)",
	        "`id`",
	        "a|b",
	        "h%h",
	        "host name",
	        "-host",
	        "host-",
	        "a..b",
	        ".a",
	        "a.",
	        "root@@host",
	        "-l@host",
	        "us er@host",
	        "ro\"ot@host",
	        "host:0",
	        "host:65536",
	        "host:22x",
	        "host:-1",
	        "host:",
	        "[::1",
	        "[not-v6]:22",
	        "[::1]x",
	        "h\x1b[31m",
	        "h\x01",
	        "h\xc3\xa9",
	        "host extra",
	        "host command=",
	        "host command=\"unterminated",
	        "host command=\"a\"b",
	        "host command=\"\x1b[2J\"",
	        "host tags=a;b",
	        "host tags=,a",
	        "host agent=maybe",
	        "host name=$(x)",
	        "host name=-x",
	        "host tags=a tags=b",
	        "host unknown=1",
	        "host =1",
	};
	struct inventory_host h;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (inventory_parse_line(bad[i], &h, err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(inventory_valid_user("root"), 1);
	assert_int_equal(inventory_valid_user("-oX"), 0);
	assert_int_equal(inventory_valid_host("a.b-c_d"), 1);
	assert_int_equal(inventory_valid_host("a/b"), 0);
	assert_int_equal(hostname_is_address("10.1.2.3"), 1);
	assert_int_equal(hostname_is_address("10.1.2.256"), 0);
	assert_int_equal(hostname_is_address("db1"), 0);
}

static void
test_long_names(void **state)
{
	struct inventory_host h;
	char line[600], err[256];

	(void)state;
	memset(line, 'a', 63);
	line[63] = '\0';
	assert_int_equal(inventory_parse_line(line, &h, err, sizeof(err)), 1);
	inventory_host_clear(&h);
	memset(line, 'a', 64); /* a DNS label is at most 63 bytes */
	line[64] = '\0';
	assert_int_equal(inventory_parse_line(line, &h, err, sizeof(err)), -1);
	memset(line, 'a', sizeof(line) - 1);
	for (size_t i = 50; i < sizeof(line) - 1; i += 50)
		line[i] = '.';
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(inventory_parse_line(line, &h, err, sizeof(err)), -1);
}

static void
test_whole_inventory(void **state)
{
	static const char text[] = "# fleet\n"
	                           "\n"
	                           "root@db1:2201 tags=db\n"
	                           "db2 agent=none\r\n"
	                           "  web1 command=\"iommu-agent --pretty\"  # trailing comment\n"
	                           "web2";
	struct inventory inv;
	char err[256];

	(void)state;
	inventory_init(&inv);
	assert_int_equal(inventory_parse(text, sizeof(text) - 1, &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.n, 4);
	assert_string_equal(inv.hosts[0].host, "db1");
	assert_int_equal(inv.hosts[0].line, 3);
	assert_int_equal(inv.hosts[1].agent, INVENTORY_AGENT_NONE);
	assert_string_equal(inv.hosts[1].host, "db2");
	assert_string_equal(inv.hosts[2].command, "iommu-agent --pretty");
	assert_int_equal(inv.hosts[2].line, 5);
	assert_string_equal(inv.hosts[3].host, "web2");
	assert_int_equal(inventory_add(&inv, "root@web3", 0, err, sizeof(err)), 0);
	assert_int_equal(inv.n, 5);
	/* the same identity twice is an error */
	assert_int_equal(inventory_add(&inv, "other@web3:22", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	inventory_free(&inv);
	inventory_free(NULL);

	inventory_init(&inv);
	assert_int_equal(inventory_parse("a\nb\nc;d\n", 8, &inv, err, sizeof(err)), -1);
	assert_string_equal(err, "line 3: invalid host name: \"c;d\"");
	assert_int_equal(inv.n, 2);
	inventory_free(&inv);

	inventory_init(&inv);
	assert_int_equal(inventory_parse("a\0b\n", 4, &inv, err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: NUL byte");
	inventory_free(&inv);
}

/* A host range in hosts.txt or a HOST argument: Ansible's web[01:03]. */
static void
test_ranges(void **state)
{
	const char text[] = "web[1:3] tags=web\nroot@[::1]:22\n";
	struct inventory inv;
	char err[256];

	(void)state;
	inventory_init(&inv);
	assert_int_equal(inventory_parse(text, strlen(text), &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.n, 4);
	assert_string_equal(inv.hosts[0].name, "web1");
	assert_string_equal(inv.hosts[2].name, "web3");
	assert_string_equal(inv.hosts[2].tags, "web");
	assert_int_equal(inv.hosts[2].line, 1);
	assert_string_equal(inv.hosts[3].host, "::1");
	assert_int_equal(inventory_add(&inv, "root@db-[a:b]:2201", 0, err, sizeof(err)), 0);
	assert_int_equal(inv.n, 6);
	assert_string_equal(inv.hosts[5].name, "db-b");
	assert_int_equal(inv.hosts[5].port, 2201);
	assert_string_equal(inv.hosts[5].user, "root");
	assert_int_equal(inventory_add(&inv, "web[1-3]", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad range"));
	/* the same host twice, through a range */
	assert_int_equal(inventory_add(&inv, "web[3:4]", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "host listed twice"));
	inventory_free(&inv);
}

#define BIG 100000

/* BIG lines, one host each ("hN.example.org" on line N), but line dup
 * names the host of line 2 again (dup 0: none). */
static char *
big_text(int dup, size_t *len)
{
	size_t cap = (size_t)BIG * 24, n = 0;
	char *t = malloc(cap);
	int i;

	assert_non_null(t);
	for (i = 1; i <= BIG; i++)
		n += (size_t)snprintf(t + n, cap - n, "h%d.example.org\n", i == dup ? 2 : i);
	*len = n;
	return t;
}

/* A name given twice is reported at both places however large the file
 * (names are found through a hash index, not a scan per host), and a file
 * past INVENTORY_HOSTS_MAX says where it went past. */
static void
test_big_inventory(void **state)
{
	char path[] = "/tmp/test_inventory.XXXXXX", err[600], want[700];
	struct inventory inv;
	size_t len;
	char *t;
	int fd;

	(void)state;
	t = big_text(19999, &len);
	inventory_init(&inv);
	assert_int_equal(inventory_parse(t, len, &inv, err, sizeof(err)), -1);
	assert_string_equal(err,
	                    "line 19999: host listed twice: \"h2.example.org\" (first at line 2)");
	assert_int_equal(inv.n, 19998);
	inventory_free(&inv);

	/* read from a file, both places are that file's */
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, t, len), (ssize_t)len);
	close(fd);
	inventory_init(&inv);
	assert_int_equal(inventory_load(path, INVENTORY_FORMAT_HOSTS, &inv, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	         "%s:19999: host listed twice: \"h2.example.org\" (first at %s:2)", path, path);
	assert_string_equal(err, want);
	assert_null(inv.source);
	inventory_free(&inv);
	unlink(path);
	free(t);

	/* no name twice: the bound, and the line past it */
	t = big_text(0, &len);
	inventory_init(&inv);
	assert_int_equal(inventory_parse(t, len, &inv, err, sizeof(err)), -1);
	assert_string_equal(err, "line 20001: too many hosts (at most 20000)");
	assert_int_equal(inv.n, INVENTORY_HOSTS_MAX);
	assert_string_equal(inv.hosts[INVENTORY_HOSTS_MAX - 1].name, "h20000.example.org");
	inventory_free(&inv);
	free(t);
}

/* Hosts taken out by a selection no longer count, the others still do. */
static void
test_twice_after_limit(void **state)
{
	const char text[] = "a\nb\nc\n";
	struct inventory inv;
	char err[300];

	(void)state;
	inventory_init(&inv);
	assert_int_equal(inventory_parse(text, strlen(text), &inv, err, sizeof(err)), 0);
	assert_int_equal(inventory_add(&inv, "b", 0, err, sizeof(err)), -1);
	assert_string_equal(err, "host listed twice: \"b\" (first at line 2)");
	assert_int_equal(inventory_limit(&inv, "b,c", err, sizeof(err)), 0);
	assert_int_equal(inv.n, 2);
	assert_int_equal(inventory_add(&inv, "a", 0, err, sizeof(err)), 0);
	assert_int_equal(inventory_add(&inv, "c", 0, err, sizeof(err)), -1);
	assert_string_equal(err, "host listed twice: \"c\" (first at line 3)");
	assert_int_equal(inventory_add(&inv, "a", 0, err, sizeof(err)), -1);
	assert_string_equal(err, "host listed twice: \"a\" (first on the command line)");
	assert_int_equal(inv.n, 3);
	inventory_free(&inv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_forms),
	        cmocka_unit_test(test_settings),
	        cmocka_unit_test(test_blank_and_comments),
	        cmocka_unit_test(test_hostile_names),
	        cmocka_unit_test(test_long_names),
	        cmocka_unit_test(test_whole_inventory),
	        cmocka_unit_test(test_ranges),
	        cmocka_unit_test(test_big_inventory),
	        cmocka_unit_test(test_twice_after_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
