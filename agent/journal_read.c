/*
 * journal_read.c - the systemd journal adapter (I/O): this boot's kernel
 * messages (_TRANSPORT=kernel), one per line, as "[seconds] text" so the
 * kernel log parser sees dmesg format.  The only file that includes
 * sd-journal.h; linked into iommu-agent only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "journal_read.h"

int
journal_read_kernel(char **text, size_t *len, size_t max, char *err, size_t errsz)
{
	sd_journal *j = NULL;
	sd_id128_t boot;
	char match[64], *buf = NULL, *grown;
	size_t used = 0, cap = 0, need, mlen;
	const void *data;
	size_t dlen;
	uint64_t usec;
	char stamp[32];
	int r, stamplen;

	*text = NULL;
	*len = 0;
	r = sd_id128_get_boot(&boot);
	if (r < 0)
		goto fail;
	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (r < 0)
		goto fail;
	snprintf(match, sizeof(match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	if ((r = sd_journal_add_match(j, "_TRANSPORT=kernel", 0)) < 0 ||
	    (r = sd_journal_add_conjunction(j)) < 0 ||
	    (r = sd_journal_add_match(j, match, 0)) < 0)
		goto fail;
	(void)sd_journal_set_data_threshold(j, 8192);
	SD_JOURNAL_FOREACH(j) {
		if (sd_journal_get_data(j, "MESSAGE", &data, &dlen) < 0 || dlen < 8)
			continue;
		data = (const char *)data + 8; /* "MESSAGE=" */
		mlen = dlen - 8;
		stamplen = 0;
		if (sd_journal_get_monotonic_usec(j, &usec, NULL) >= 0)
			stamplen = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
					    (unsigned long long)(usec / 1000000),
					    (unsigned long long)(usec % 1000000));
		need = used + (size_t)stamplen + mlen + 2;
		if (need > max)
			break;
		if (need > cap) {
			cap = cap ? cap * 2 : 65536;
			while (cap < need)
				cap *= 2;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				r = -ENOMEM;
				goto fail;
			}
			buf = grown;
		}
		memcpy(buf + used, stamp, (size_t)stamplen);
		used += (size_t)stamplen;
		memcpy(buf + used, data, mlen);
		used += mlen;
		buf[used++] = '\n';
		buf[used] = '\0';
	}
	sd_journal_close(j);
	if (buf == NULL) {
		snprintf(err, errsz, "no kernel messages for this boot");
		return -1;
	}
	*text = buf;
	*len = used;
	return 0;
fail:
	snprintf(err, errsz, "%s", strerror(-r));
	free(buf);
	if (j != NULL)
		sd_journal_close(j);
	return -1;
}
