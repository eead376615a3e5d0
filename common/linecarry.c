/*
 * linecarry.c - the line a stream's piece ends inside.  Pure.
 */
#include <string.h>

#include "common/linecarry.h"

int
linecarry_take(struct linecarry *c, const char *data, size_t len, size_t *used)
{
	const char *nl = memchr(data, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - data) : len, room = c->cap - c->n;

	c->active = 1;
	/* past cap, the rest of the line is dropped: only its start is read */
	memcpy(c->buf + c->n, data, n < room ? n : room);
	c->n += n < room ? n : room;
	*used = nl != NULL ? n + 1 : len;
	return nl != NULL;
}

void
linecarry_reset(struct linecarry *c)
{
	c->n = 0;
	c->active = 0;
}
