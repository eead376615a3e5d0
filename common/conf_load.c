/*
 * conf_load.c - read a configuration file, bounded, and parse it (I/O).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/growbuf.h"
#include "common/readall.h"

int
conf_load(const char *path, const char *const *known, struct conf *c, char *err, size_t errlen)
{
	struct growbuf b = {0};
	FILE *fp;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = readall_bounded(fp, CONF_MAX_BYTES, &b);
	if (rc == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (rc == 1)
		snprintf(err, errlen, "%s: larger than %u bytes", path, CONF_MAX_BYTES);
	fclose(fp);
	if (rc == 0)
		rc = conf_parse(b.data, b.len, path, known, c, err, errlen) == -1 ? -2 : 0;
	else
		rc = rc == 1 ? -2 : -1;
	free(b.data);
	return rc;
}
