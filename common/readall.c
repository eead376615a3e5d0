/*
 * readall.c - read a whole stream into memory, bounded (I/O).
 */
#include <errno.h>

#include "common/readall.h"

int
readall_bounded(FILE *fp, size_t max, struct growbuf *b)
{
	char chunk[65536];
	size_t want, got;

	/* b->data is a string even for an empty stream */
	if (growbuf_append(b, "", 0) == -1) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		if (b->len > max)
			return 1;
		want = max + 1 - b->len < sizeof(chunk) ? max + 1 - b->len : sizeof(chunk);
		got = fread(chunk, 1, want, fp);
		if (got > 0 && growbuf_append(b, chunk, got) == -1) {
			errno = ENOMEM;
			return -1;
		}
		if (got < want)
			break;
	}
	if (ferror(fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return b->len > max ? 1 : 0;
}
