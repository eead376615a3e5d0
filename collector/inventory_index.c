/*
 * inventory_index.c - open addressing over host names (FNV-1a, linear
 * probing, at most half full).  Pure: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "collector/inventory.h"
#include "collector/inventory_index.h"

static size_t
inventory_index_hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static void
inventory_index_put(struct inventory_index *x, const struct inventory_host *hosts, size_t i)
{
	size_t s = inventory_index_hash(hosts[i].name) & (x->cap - 1);

	while (x->slot[s] != 0)
		s = (s + 1) & (x->cap - 1);
	x->slot[s] = i + 1;
}

int
inventory_index_sync(struct inventory_index *x, const struct inventory_host *hosts, size_t n)
{
	size_t cap = x->cap, *slot;

	if (x->n > n) { /* hosts were taken out: start again */
		if (x->slot != NULL)
			memset(x->slot, 0, x->cap * sizeof(*x->slot));
		x->n = 0;
	}
	while (cap < 2 * n + 2)
		cap = cap != 0 ? cap * 2 : 64;
	if (cap != x->cap) {
		if ((slot = calloc(cap, sizeof(*slot))) == NULL)
			return -1;
		free(x->slot);
		x->slot = slot;
		x->cap = cap;
		x->n = 0;
	}
	for (; x->n < n; x->n++)
		inventory_index_put(x, hosts, x->n);
	return 0;
}

size_t
inventory_index_find(const struct inventory_index *x, const struct inventory_host *hosts,
                     const char *name)
{
	size_t s;

	if (x->cap == 0)
		return SIZE_MAX;
	for (s = inventory_index_hash(name) & (x->cap - 1); x->slot[s] != 0;
	     s = (s + 1) & (x->cap - 1))
		if (strcmp(hosts[x->slot[s] - 1].name, name) == 0)
			return x->slot[s] - 1;
	return SIZE_MAX;
}

void
inventory_index_free(struct inventory_index *x)
{
	free(x->slot);
	memset(x, 0, sizeof(*x));
}
