/*
 * growbuf.c - a NUL-terminated byte buffer that grows by doubling.  Pure.
 */
#include <stdarg.h>
#include <stdio.h>
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

int
growbuf_vappendf(struct growbuf *b, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return growbuf_append(b, line, (size_t)n);
}

int
growbuf_appendf(struct growbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = growbuf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}
