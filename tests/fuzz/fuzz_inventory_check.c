/*
 * fuzz_inventory_check.c - the invariants of a read inventory, for the
 * inventory harnesses (pure, no I/O).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/hostname.h"
#include "tests/fuzz/fuzz_inventory_check.h"

static void
check_field(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check_tags(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0)
		return;
	if (s[0] == ',' || s[len - 1] == ',' || strstr(s, ",,") != NULL)
		abort();
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,",
		           s[i]) == NULL)
			abort();
}

static void
check_host(const struct inventory_host *h)
{
	const unsigned char *c;

	check_field(h->name, sizeof(h->name));
	check_field(h->host, sizeof(h->host));
	check_field(h->user, sizeof(h->user));
	check_field(h->tags, sizeof(h->tags));
	if (hostname_invalid(h->name, strlen(h->name), HOSTNAME_GIVEN) != NULL &&
	    !hostname_is_address(h->name))
		abort();
	if (!inventory_valid_host(h->host))
		abort();
	if (h->user[0] != '\0' && !inventory_valid_user(h->user))
		abort();
	if (h->port < 0 || h->port > 65535)
		abort();
	check_tags(h->tags);
	if (h->agent != INVENTORY_AGENT_AUTO && h->agent != INVENTORY_AGENT_NONE)
		abort();
	if (h->command != NULL) {
		if (h->command[0] == '\0' || strlen(h->command) >= INVENTORY_COMMAND_MAX)
			abort();
		for (c = (const unsigned char *)h->command; *c != '\0'; c++)
			if (*c < 0x20 || *c > 0x7e)
				abort();
	}
}

static int
cmp_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void
fuzz_inventory_check(const struct inventory *inv)
{
	const char **names;
	size_t i;

	if (inv->n > INVENTORY_HOSTS_MAX || inv->n > inv->cap)
		abort();
	if ((names = calloc(inv->n + 1, sizeof(*names))) == NULL)
		abort();
	for (i = 0; i < inv->n; i++) {
		check_host(&inv->hosts[i]);
		names[i] = inv->hosts[i].name;
	}
	qsort(names, inv->n, sizeof(*names), cmp_name);
	for (i = 1; i < inv->n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			abort();
	free(names);
}

void
fuzz_inventory_check_err(const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL || err[0] == '\0')
		abort();
}
