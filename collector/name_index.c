/*
 * name_index.c - open addressing over names (FNV-1a, linear probing, at
 * most half full).  Pure: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "collector/name_index.h"

static size_t
name_index_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

static void
name_index_put(struct name_index *x, const void *items, name_index_key key, size_t i)
{
	const char *name = key(items, i);
	size_t s = name_index_hash(name, strlen(name)) & (x->cap - 1);

	while (x->slot[s] != 0)
		s = (s + 1) & (x->cap - 1);
	x->slot[s] = i + 1;
}

int
name_index_sync(struct name_index *x, const void *items, size_t n, name_index_key key)
{
	size_t cap = x->cap, *slot;

	if (x->n > n) { /* items were taken out: start again */
		if (x->slot != NULL)
			memset(x->slot, 0, x->cap * sizeof(*x->slot));
		x->n = 0;
	}
	while (cap < 2 * n + 2)
		cap = cap != 0 ? cap * 2 : 16;
	if (cap != x->cap) {
		if ((slot = calloc(cap, sizeof(*slot))) == NULL)
			return -1;
		free(x->slot);
		x->slot = slot;
		x->cap = cap;
		x->n = 0;
	}
	for (; x->n < n; x->n++)
		name_index_put(x, items, key, x->n);
	return 0;
}

size_t
name_index_find(const struct name_index *x, const void *items, name_index_key key, const char *name,
                size_t len)
{
	const char *k;
	size_t s;

	if (x->cap == 0)
		return SIZE_MAX;
	for (s = name_index_hash(name, len) & (x->cap - 1); x->slot[s] != 0;
	     s = (s + 1) & (x->cap - 1)) {
		k = key(items, x->slot[s] - 1);
		if (strncmp(k, name, len) == 0 && k[len] == '\0')
			return x->slot[s] - 1;
	}
	return SIZE_MAX;
}

void
name_index_free(struct name_index *x)
{
	free(x->slot);
	memset(x, 0, sizeof(*x));
}
