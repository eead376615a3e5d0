/*
 * growbuf.h - a NUL-terminated byte buffer that grows by doubling.  Pure:
 * no I/O.  Callers bound what they append; this only grows.
 */
#ifndef IOMMU_FLEET_GROWBUF_H
#define IOMMU_FLEET_GROWBUF_H

#include <stdarg.h>
#include <stddef.h>

struct growbuf {
	char *data; /* NUL-terminated once anything was appended; caller frees */
	size_t len;
	size_t cap;
};

/* Append n bytes: 0, or -1 on allocation failure (b unchanged). */
int growbuf_append(struct growbuf *b, const char *p, size_t n);
/* Append the formatted text, at most 1023 bytes of it: 0, or -1 when it
 * would be longer or on allocation failure (b unchanged). */
int growbuf_appendf(struct growbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int growbuf_vappendf(struct growbuf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

#endif
