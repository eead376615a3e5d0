/*
 * growbuf.c - a NUL-terminated byte buffer that grows by doubling.  Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "common/growbuf.h"

int
growbuf_append(struct growbuf *b, const char *p, size_t n)
{
	char *grown;
	size_t want;

	if (b->len + n + 1 > b->cap) {
		want = b->cap ? b->cap : 65536;
		while (want < b->len + n + 1)
			want *= 2;
		if ((grown = realloc(b->data, want)) == NULL)
			return -1;
		b->data = grown;
		b->cap = want;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}
