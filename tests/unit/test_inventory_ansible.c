/*
 * test_inventory_ansible.c - unit tests of the Ansible inventory readers
 * (INI, YAML with libyaml), their flattening (groups, children, ranges,
 * vars precedence), the format guess and the --limit patterns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/inventory_ansible.h"
#include "collector/inventory_ini.h"
#include "collector/inventory_limit.h"
#include "collector/inventory_load.h"
#include "collector/inventory_yaml.h"

static const char INI[] = "# an Ansible INI inventory\n"
                          "bastion.example.org ansible_port=2201\n"
                          "\n"
                          "[web]\n"
                          "web[01:03].example.org ansible_user=deploy\n"
                          "db-[a:c]  ansible_host=10.0.0.9 # three hosts, one address\n"
                          "\n"
                          "[gpu]\n"
                          "gpu1 ansible_host=127.0.0.2 ansible_port=2222 iommu_fleet_agent=none\n"
                          "gpu2:2223\n"
                          "\n"
                          "[gpu:vars]\n"
                          "ansible_user = root\n"
                          "iommu_fleet_command = \"/opt/iommu/bin/iommu-agent --pretty\"\n"
                          "\n"
                          "[prod:children]\n"
                          "web\n"
                          "gpu\n"
                          "\n"
                          "[all:vars]\n"
                          "ansible_user=ops\n";

static const char YAML[] = "all:\n"
                           "  vars:\n"
                           "    ansible_user: ops\n"
                           "  hosts:\n"
                           "    bastion.example.org:\n"
                           "      ansible_port: 2201\n"
                           "  children:\n"
                           "    prod:\n"
                           "      children:\n"
                           "        web:\n"
                           "          hosts:\n"
                           "            web[01:03].example.org:\n"
                           "              ansible_user: deploy\n"
                           "            db-[a:c]:\n"
                           "              ansible_host: 10.0.0.9\n"
                           "        gpu:\n"
                           "          vars:\n"
                           "            ansible_user: root\n"
                           "            iommu_fleet_command: /opt/iommu/bin/iommu-agent --pretty\n"
                           "          hosts:\n"
                           "            gpu1:\n"
                           "              ansible_host: 127.0.0.2\n"
                           "              ansible_port: 2222\n"
                           "              iommu_fleet_agent: none\n"
                           "            gpu2:\n"
                           "              ansible_port: 2223\n";

static const struct inventory_host *
find(const struct inventory *inv, const char *name)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		if (strcmp(inv->hosts[i].name, name) == 0)
			return &inv->hosts[i];
	fail_msg("no host %s", name);
	return NULL;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void
load(const char *text, enum inventory_format f, struct inventory *inv)
{
	struct ansible_inv a = {0};
	char err[300] = "";
	int rc;

	inventory_init(inv);
	rc = f == INVENTORY_FORMAT_INI
	             ? inventory_ini_parse(text, strlen(text), &a, err, sizeof(err))
	             : inventory_yaml_parse(text, strlen(text), &a, err, sizeof(err));
	if (rc == 0)
		rc = ansible_flatten(&a, inv, err, sizeof(err));
	ansible_inv_free(&a);
	if (rc != 0)
		fail_msg("%s", err);
}

/* The same fleet written both ways flattens to the same hosts. */
static void
check_fleet(const struct inventory *inv)
{
	const struct inventory_host *h;

	assert_int_equal(inv->n, 9);
	/* in the order they appear, ranges expanded with their padding */
	assert_string_equal(inv->hosts[0].name, "bastion.example.org");
	h = find(inv, "web02.example.org");
	assert_string_equal(h->host, "web02.example.org");
	assert_string_equal(h->user, "deploy"); /* host vars over all's */
	assert_string_equal(h->tags, "prod,web");
	h = find(inv, "db-b");
	assert_string_equal(h->host, "10.0.0.9"); /* the name stays the identity */
	assert_string_equal(h->user, "ops");
	h = find(inv, "gpu1");
	assert_string_equal(h->host, "127.0.0.2");
	assert_int_equal(h->port, 2222);
	assert_string_equal(h->user, "root"); /* gpu's vars over all's */
	assert_int_equal(h->agent, INVENTORY_AGENT_NONE);
	assert_string_equal(h->command, "/opt/iommu/bin/iommu-agent --pretty");
	assert_string_equal(h->tags, "gpu,prod");
	h = find(inv, "gpu2");
	assert_int_equal(h->port, 2223);
	assert_int_equal(h->agent, INVENTORY_AGENT_AUTO);
	h = find(inv, "bastion.example.org");
	assert_int_equal(h->port, 2201);
	assert_string_equal(h->tags, ""); /* all and ungrouped are not recorded */
}

static void
test_ini(void **state)
{
	struct inventory inv;

	(void)state;
	load(INI, INVENTORY_FORMAT_INI, &inv);
	check_fleet(&inv);
	inventory_free(&inv);
}

static void
test_yaml(void **state)
{
	struct inventory inv;

	(void)state;
	load(YAML, INVENTORY_FORMAT_YAML, &inv);
	check_fleet(&inv);
	inventory_free(&inv);
	/* one document between its markers is one document */
	load("---\nall:\n  hosts:\n    h1:\n...\n", INVENTORY_FORMAT_YAML, &inv);
	assert_int_equal(inv.n, 1);
	assert_string_equal(inv.hosts[0].name, "h1");
	inventory_free(&inv);
}

static void
expect_error(const char *text, enum inventory_format f, const char *want)
{
	struct ansible_inv a = {0};
	struct inventory inv;
	char err[300] = "";
	int rc;

	inventory_init(&inv);
	rc = f == INVENTORY_FORMAT_INI
	             ? inventory_ini_parse(text, strlen(text), &a, err, sizeof(err))
	             : inventory_yaml_parse(text, strlen(text), &a, err, sizeof(err));
	if (rc == 0)
		rc = ansible_flatten(&a, &inv, err, sizeof(err));
	ansible_inv_free(&a);
	inventory_free(&inv);
	assert_int_equal(rc, -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\", want \"%s\"", err, want);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("[web\nh1\n", INVENTORY_FORMAT_INI, "line 1: expected [group]");
	expect_error("[web:kids]\n", INVENTORY_FORMAT_INI, "unknown section kind");
	expect_error("[web]\nh1 ansible_port=x\n", INVENTORY_FORMAT_INI,
	             "line 2: h1: invalid port: \"x\"");
	expect_error("[web]\nh$(id)\n", INVENTORY_FORMAT_INI, "h$(id): invalid name");
	expect_error("[web]\nh[1:]\n", INVENTORY_FORMAT_INI, "bad range");
	expect_error("[web]\nh[3:1]\n", INVENTORY_FORMAT_INI, "bad range");
	expect_error("[a:children]\nb\n[b:children]\na\n", INVENTORY_FORMAT_INI,
	             "group \"a\" is its own descendant: a > b > a");
	expect_error("[a:children]\na\n", INVENTORY_FORMAT_INI,
	             "group \"a\" is its own descendant: a > a");
	/* Ansible refuses a loop through all too */
	expect_error("[web]\nh1\n[web:children]\nall\n[all:children]\nweb\n", INVENTORY_FORMAT_INI,
	             "group \"web\" is its own descendant: web > all > web");
	expect_error("[web]\nh1\n[gpu]\nh1 ansible_user=a;b\n", INVENTORY_FORMAT_INI,
	             "invalid user name");
	expect_error("[web]\nh[1:30000]\n", INVENTORY_FORMAT_INI, "more than 20000 hosts");
	/* the command reaches the host's shell as one line: the rule of a
	 * hosts.txt command= (found by fuzz_inventory_yaml and _ini) */
	expect_error("all:\n  hosts:\n    h1:\n      iommu_fleet_command: \"agent\\nreboot\"\n",
	             INVENTORY_FORMAT_YAML, "line 3: h1: control or non-ASCII byte in the command");
	expect_error("all:\n  vars:\n    iommu_fleet_command: \"\u0447agent\"\n  hosts:\n    h1:\n",
	             INVENTORY_FORMAT_YAML, "line 5: h1: control or non-ASCII byte in the command");
	expect_error("[g]\nh1\n[g:vars]\niommu_fleet_command = agent \xff\n", INVENTORY_FORMAT_INI,
	             "line 2: h1: control or non-ASCII byte in the command");
	expect_error("all:\n  host:\n    h1:\n", INVENTORY_FORMAT_YAML,
	             "line 2: unknown key in a group (hosts, vars, children): \"host\"");
	expect_error("all:\n  hosts: [h1, h2]\n", INVENTORY_FORMAT_YAML, "expected a mapping");
	expect_error("all: [\n", INVENTORY_FORMAT_YAML, "line 2");
	expect_error("- a\n- b\n", INVENTORY_FORMAT_YAML, "expected a mapping of groups");
	/* one document, as Ansible reads it: a second one is refused, even
	 * empty, even after an explicit end */
	expect_error("all:\n  hosts:\n    h1:\n---\nweb:\n  hosts:\n    h2:\n",
	             INVENTORY_FORMAT_YAML, "line 4: a second YAML document (\"---\")");
	expect_error("---\nall:\n  hosts:\n    h1:\n...\n---\n", INVENTORY_FORMAT_YAML,
	             "line 6: a second YAML document");
	expect_error("all:\n  hosts:\n    h1:\n---\nweb: [\n", INVENTORY_FORMAT_YAML, "line 6");
	/* a billion laughs: aliases make a tiny text a huge walk */
	expect_error("a: &a {children: {x1: null, x2: null, x3: null, x4: null}}\n"
	             "b: &b {children: {p: *a, q: *a, r: *a, s: *a, t: *a, u: *a, v: *a}}\n"
	             "c: &c {children: {p: *b, q: *b, r: *b, s: *b, t: *b, u: *b, v: *b}}\n"
	             "d: &d {children: {p: *c, q: *c, r: *c, s: *c, t: *c, u: *c, v: *c}}\n"
	             "e: &e {children: {p: *d, q: *d, r: *d, s: *d, t: *d, u: *d, v: *d}}\n"
	             "f: &f {children: {p: *e, q: *e, r: *e, s: *e, t: *e, u: *e, v: *e}}\n"
	             "g: &g {children: {p: *f, q: *f, r: *f, s: *f, t: *f, u: *f, v: *f}}\n"
	             "h: &h {children: {p: *g, q: *g, r: *g, s: *g, t: *g, u: *g, v: *g}}\n",
	             INVENTORY_FORMAT_YAML, "too deep or too large");
}

static int
collect(void *arg, const char *name)
{
	char *out = arg;

	strcat(out, name);
	strcat(out, " ");
	return 0;
}

/* 4000 groups named 100000 times more under one parent's children: still
 * 4000 children, each once (groups and children are found through a
 * name index: a scan per line made a 1.7 MB file take a minute). */
static void
test_children_named_again(void **state)
{
	struct ansible_inv a = {0};
	struct inventory inv;
	size_t cap = 1500000, len = 0, i, g;
	char *text, err[300] = "";

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "[big:children]\n");
	for (i = 0; i < 104000; i++)
		len += (size_t)snprintf(text + len, cap - len, "g%zu\n",
		                        i < 4000 ? i : i * 7919 % 4000);
	len += (size_t)snprintf(text + len, cap - len, "[g3999]\nh1\n[g17]\nh1\n");
	assert_int_equal(inventory_ini_parse(text, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ngroups, 4002); /* ungrouped, big, g0 to g3999 */
	g = ansible_group_find(&a, "big");
	assert_int_equal(g, 1);
	assert_int_equal(a.groups[g].nchildren, 4000);
	assert_string_equal(a.groups[g].children[3999], "g3999");
	assert_int_equal(ansible_group_find(&a, "g4000"), a.ngroups);
	inventory_init(&inv);
	assert_int_equal(ansible_flatten(&a, &inv, err, sizeof(err)), 0);
	assert_int_equal(inv.n, 1);
	assert_string_equal(inv.hosts[0].tags, "big,g17,g3999");
	inventory_free(&inv);
	ansible_inv_free(&a);
	free(text);
}

/* Groups, children and vars but no host: no hosts, in both readers (the
 * flattening sorted a NULL array, which UBSan refuses). */
static void
test_no_hosts(void **state)
{
	struct inventory inv;

	(void)state;
	load("[web]\n[prod:children]\nweb\n[web:vars]\nansible_port=2\n", INVENTORY_FORMAT_INI,
	     &inv);
	assert_int_equal(inv.n, 0);
	inventory_free(&inv);
	load("all:\n  children:\n    web:\n      vars:\n        ansible_port: 2\n",
	     INVENTORY_FORMAT_YAML, &inv);
	assert_int_equal(inv.n, 0);
	inventory_free(&inv);
}

/* Groups of one depth: the later name's vars win, whether or not the
 * inventory lists them under all. */
static void
test_vars_precedence(void **state)
{
	struct inventory inv;

	(void)state;
	load("[all:children]\na\n[a]\nh1\n[b]\nh1\n[a:vars]\nansible_port=1111\n"
	     "[b:vars]\nansible_port=2222\n",
	     INVENTORY_FORMAT_INI, &inv);
	assert_int_equal(inv.hosts[0].port, 2222);
	inventory_free(&inv);
}

#define CHAIN 2000

/* 2000 groups, each the child of the one before: every host is in every
 * group above its own, and the deepest group's vars win.  The whole chain
 * is walked (a host at the bottom is in more groups than its tags hold),
 * then the same chain closed into a loop is refused, naming it. */
static void
test_nested_groups(void **state)
{
	const struct inventory_host *h;
	struct inventory inv;
	struct ansible_inv a = {0};
	char *text, *want, err[300] = "";
	size_t len = 0, cap = (size_t)CHAIN * 64, wlen = 0, i;
	int rc;

	(void)state;
	text = malloc(cap);
	want = malloc(cap);
	assert_non_null(text);
	assert_non_null(want);
	for (i = 0; i + 1 < CHAIN; i++)
		len += (size_t)snprintf(text + len, cap - len, "[g%zu:children]\ng%zu\n", i, i + 1);
	len += (size_t)snprintf(text + len, cap - len,
	                        "[g0]\ntop\n[g150]\nmid\n[g0:vars]\nansible_port=1000\n"
	                        "[g100:vars]\nansible_port=1100\n[g149:vars]\nansible_user=u149\n"
	                        "[g151:vars]\nansible_user=u151\n");
	load(text, INVENTORY_FORMAT_INI, &inv);
	assert_int_equal(inv.n, 2);
	h = find(&inv, "top");
	assert_string_equal(h->tags, "g0");
	assert_int_equal(h->port, 1000);
	h = find(&inv, "mid");
	assert_int_equal(h->port, 1100);      /* g100 is deeper than g0 */
	assert_string_equal(h->user, "u149"); /* g151 is below mid's group */
	/* g0 to g150, by name as strcmp orders them */
	{
		const char *names[151];
		char buf[151][8];

		for (i = 0; i <= 150; i++) {
			snprintf(buf[i], sizeof(buf[i]), "g%zu", i);
			names[i] = buf[i];
		}
		qsort(names, 151, sizeof(names[0]), cmp_str);
		for (i = 0; i <= 150; i++)
			wlen += (size_t)snprintf(want + wlen, cap - wlen, "%s%s", i ? "," : "",
			                         names[i]);
	}
	assert_string_equal(h->tags, want);
	inventory_free(&inv);

	/* a host at the bottom is in all 2000: more than its tags hold */
	snprintf(text + len, cap - len, "[g%d]\ndeep\n", CHAIN - 1);
	expect_error(text, INVENTORY_FORMAT_INI, "deep: in too many groups");

	/* the last group names the first as its child: a loop of 2000 */
	snprintf(text + len, cap - len, "[g%d:children]\ng0\n", CHAIN - 1);
	inventory_init(&inv);
	rc = inventory_ini_parse(text, strlen(text), &a, err, sizeof(err));
	if (rc == 0)
		rc = ansible_flatten(&a, &inv, err, sizeof(err));
	ansible_inv_free(&a);
	inventory_free(&inv);
	assert_int_equal(rc, -1);
	/* the message starts the loop where the walk found it, and is cut */
	if (strncmp(err, "group \"g0\" is its own descendant: g0 > g1 > g2 > ", 49) != 0)
		fail_msg("error \"%s\"", err);
	assert_true(strlen(err) == sizeof(err) - 1);
	free(text);
	free(want);
}

/* A :vars value runs to the end of its line; one quoted word is unquoted. */
static void
test_vars_values(void **state)
{
	struct inventory inv;

	(void)state;
	load("[g]\nh1\n[g:vars]\niommu_fleet_command = /opt/agent --pretty -v\n"
	     "ansible_user='ops'\n",
	     INVENTORY_FORMAT_INI, &inv);
	assert_string_equal(inv.hosts[0].command, "/opt/agent --pretty -v");
	assert_string_equal(inv.hosts[0].user, "ops");
	inventory_free(&inv);
	expect_error("[g]\nh1\n[g:vars]\nansible_user='ops' x\n", INVENTORY_FORMAT_INI,
	             "line 4: text after a quoted value");
}

static void
test_ranges(void **state)
{
	char out[512], err[200];

	(void)state;
	out[0] = '\0';
	assert_int_equal(ansible_expand("web[08:11].lab", 100, collect, out, err, sizeof(err)), 0);
	assert_string_equal(out, "web08.lab web09.lab web10.lab web11.lab ");
	out[0] = '\0';
	assert_int_equal(ansible_expand("n[0:10:5]-[a:b]", 100, collect, out, err, sizeof(err)), 0);
	assert_string_equal(out, "n0-a n0-b n5-a n5-b n10-a n10-b ");
	out[0] = '\0';
	assert_int_equal(ansible_expand("plain", 100, collect, out, err, sizeof(err)), 0);
	assert_string_equal(out, "plain ");
	assert_int_equal(ansible_expand("h[1:5]", 4, collect, out, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 4 hosts");
	assert_int_equal(ansible_expand("h[a:5]", 100, collect, out, err, sizeof(err)), -1);
	assert_int_equal(ansible_expand("h[1:2:0]", 100, collect, out, err, sizeof(err)), -1);
	/* a step no range needs, which would overflow */
	assert_int_equal(
	        ansible_expand("h[1:5:9223372036854775807]", 100, collect, out, err, sizeof(err)),
	        -1);
}

static void
test_guess(void **state)
{
	(void)state;
	assert_int_equal(inventory_format_guess("x.yml", "", 0), INVENTORY_FORMAT_YAML);
	assert_int_equal(inventory_format_guess("x.yaml", "", 0), INVENTORY_FORMAT_YAML);
	assert_int_equal(inventory_format_guess("x.ini", "", 0), INVENTORY_FORMAT_INI);
	assert_int_equal(inventory_format_guess("hosts", "# c\n\n[web]\nh1\n", 13),
	                 INVENTORY_FORMAT_INI);
	assert_int_equal(inventory_format_guess("hosts", "---\nall:\n", 9), INVENTORY_FORMAT_YAML);
	assert_int_equal(inventory_format_guess("hosts", "all:\n  hosts:\n", 14),
	                 INVENTORY_FORMAT_YAML);
	assert_int_equal(inventory_format_guess("hosts", "; c\nroot@db1:2201 tags=db\n", 25),
	                 INVENTORY_FORMAT_HOSTS);
	assert_int_equal(inventory_format_guess("hosts", "db1\n", 4), INVENTORY_FORMAT_HOSTS);
	assert_int_equal(inventory_format_guess("hosts", "[::1]:2222 name=lo\nh2\n", 23),
	                 INVENTORY_FORMAT_HOSTS);
}

/* The names --limit leaves, space-separated. */
static const char *
limited(const char *pattern, char *err, size_t errlen)
{
	static char out[512];
	struct inventory inv;
	size_t i;

	load(INI, INVENTORY_FORMAT_INI, &inv);
	out[0] = '\0';
	if (inventory_limit(&inv, pattern, err, errlen) == -1) {
		inventory_free(&inv);
		return NULL;
	}
	for (i = 0; i < inv.n; i++) {
		strcat(out, inv.hosts[i].name);
		strcat(out, i + 1 < inv.n ? " " : "");
	}
	inventory_free(&inv);
	return out;
}

static void
test_limit(void **state)
{
	char err[200];

	(void)state;
	assert_string_equal(limited("gpu", err, sizeof(err)), "gpu1 gpu2");
	assert_string_equal(limited("gpu1,db-a", err, sizeof(err)), "db-a gpu1");
	/* a glob matches host names and group names alike */
	assert_string_equal(limited("web*", err, sizeof(err)),
	                    "web01.example.org web02.example.org web03.example.org db-a db-b db-c");
	assert_string_equal(limited("*.example.org:!bastion*", err, sizeof(err)),
	                    "web01.example.org web02.example.org web03.example.org");
	assert_string_equal(limited("prod:!web", err, sizeof(err)), "gpu1 gpu2");
	assert_string_equal(limited("prod,!gpu2,!db-*", err, sizeof(err)),
	                    "web01.example.org web02.example.org web03.example.org gpu1");
	assert_string_equal(limited("prod:&gpu", err, sizeof(err)), "gpu1 gpu2");
	assert_string_equal(limited("!prod", err, sizeof(err)), "bastion.example.org");
	assert_string_equal(limited("ungrouped", err, sizeof(err)), "bastion.example.org");
	assert_string_equal(limited("all:!prod", err, sizeof(err)), "bastion.example.org");
	assert_string_equal(limited("~^web0[13]", err, sizeof(err)),
	                    "web01.example.org web03.example.org");
	assert_null(limited("gpu,web9", err, sizeof(err)));
	assert_string_equal(err, "\"web9\" matches no host or group");
	assert_null(limited("gpu:!gpu*", err, sizeof(err)));
	assert_string_equal(err, "\"gpu:!gpu*\" leaves no host");
	assert_null(limited("~(", err, sizeof(err)));
	assert_string_equal(err, "\"(\": not a regular expression");
	assert_null(limited(",", err, sizeof(err)));
	assert_string_equal(err, "an empty pattern");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ini),
	        cmocka_unit_test(test_yaml),
	        cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_ranges),
	        cmocka_unit_test(test_vars_values),
	        cmocka_unit_test(test_vars_precedence),
	        cmocka_unit_test(test_guess),
	        cmocka_unit_test(test_limit),
	        cmocka_unit_test(test_nested_groups),
	        cmocka_unit_test(test_no_hosts),
	        cmocka_unit_test(test_children_named_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
