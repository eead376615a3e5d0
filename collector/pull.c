/*
 * pull.c - the one helper the parts of "iommu-collector pull" share: a
 * host's failure into its outcome, made inert.  No I/O.
 */
#include <stdarg.h>
#include <stdio.h>

#include "collector/pull.h"

/* Replace control bytes so a host's text is inert in the database and on a
 * terminal alike (output_escape is still used before printing). */
static void
pull_scrub(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
pull_fail(struct pull_outcome *out, const char *status, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->status, sizeof(out->status), "%s", status);
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	pull_scrub(out->error);
}
