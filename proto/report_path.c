/*
 * report_path.c - the paths that name a value of a report in messages.
 * Pure.
 */
#include <stdio.h>
#include <string.h>

#include "proto/report_path.h"

/* Keys come from the input: printable ASCII only, long keys cut. */
void
report_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	size_t o, i;

	if (parent[0] != '\0')
		o = (size_t)snprintf(buf, size, "%s.", parent);
	else
		o = 0;
	if (o >= size) {
		buf[size - 1] = '\0';
		return;
	}
	for (i = 0; key[i] != '\0' && i < 40 && o + 1 < size; i++)
		buf[o++] = (key[i] >= 0x20 && key[i] < 0x7f) ? key[i] : '?';
	if (key[i] != '\0' && o + 3 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

void
report_path_index(char *buf, size_t size, const char *parent, size_t i)
{
	int n;

	/* A cut path still names where to look. */
	n = snprintf(buf, size, "%s[%zu]", parent, i);
	if (n < 0)
		buf[0] = '\0';
}
