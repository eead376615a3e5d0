/*
 * journal_read.c - the systemd journal adapter (I/O): this boot's kernel
 * messages (_TRANSPORT=kernel), one per line, as "[seconds] text" so the
 * kernel log parser sees dmesg format.  The only file that includes
 * sd-journal.h; libsystemd is loaded with dlopen() only when the journal is
 * read (dynload.h), since /dev/kmsg usually answers first.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "agent/dynload.h"
#include "common/growbuf.h"
#include "agent/journal_read.h"

/* The libsystemd functions used here, resolved by journal_load(). */
static struct {
	void *handle;
	int (*id128_get_boot)(sd_id128_t *);
	int (*journal_open)(sd_journal **, int);
	int (*journal_add_match)(sd_journal *, const void *, size_t);
	int (*journal_add_conjunction)(sd_journal *);
	int (*journal_set_data_threshold)(sd_journal *, size_t);
	int (*journal_seek_head)(sd_journal *);
	int (*journal_next)(sd_journal *);
	int (*journal_get_data)(sd_journal *, const char *, const void **, size_t *);
	int (*journal_get_monotonic_usec)(sd_journal *, uint64_t *, sd_id128_t *);
	void (*journal_close)(sd_journal *);
} sd;

static int
journal_load(char *err, size_t errsz)
{
	static const struct dynload_sym syms[] = {
#define SYM(f) {"sd_" #f, offsetof(__typeof__(sd), f)}
	        SYM(id128_get_boot),
	        SYM(journal_open),
	        SYM(journal_add_match),
	        SYM(journal_add_conjunction),
	        SYM(journal_set_data_threshold),
	        SYM(journal_seek_head),
	        SYM(journal_next),
	        SYM(journal_get_data),
	        SYM(journal_get_monotonic_usec),
	        SYM(journal_close),
#undef SYM
	};

	if (sd.handle != NULL)
		return 0;
	return dynload("libsystemd.so.0", syms, sizeof(syms) / sizeof(syms[0]), &sd, &sd.handle,
	               err, errsz);
}

int
journal_read_kernel(char **text, size_t *len, size_t max, char *err, size_t errsz)
{
	struct growbuf b = {0};
	sd_journal *j = NULL;
	sd_id128_t boot;
	char match[64], stamp[32];
	const void *data;
	size_t dlen;
	uint64_t usec;
	int r, stamplen;

	*text = NULL;
	*len = 0;
	if (journal_load(err, errsz) == -1)
		return -1;
	if ((r = sd.id128_get_boot(&boot)) < 0 ||
	    (r = sd.journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM)) < 0)
		goto fail;
	snprintf(match, sizeof(match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	if ((r = sd.journal_add_match(j, "_TRANSPORT=kernel", 0)) < 0 ||
	    (r = sd.journal_add_conjunction(j)) < 0 ||
	    (r = sd.journal_add_match(j, match, 0)) < 0 || (r = sd.journal_seek_head(j)) < 0)
		goto fail;
	(void)sd.journal_set_data_threshold(j, 8192);
	while ((r = sd.journal_next(j)) > 0) {
		if (sd.journal_get_data(j, "MESSAGE", &data, &dlen) < 0 || dlen < 8)
			continue;
		stamplen = 0;
		if (sd.journal_get_monotonic_usec(j, &usec, NULL) >= 0)
			stamplen = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
			                    (unsigned long long)(usec / 1000000),
			                    (unsigned long long)(usec % 1000000));
		if (b.len + (size_t)stamplen + (dlen - 8) + 1 > max)
			break; /* bounded, like every other source */
		/* skip "MESSAGE=" */
		if (growbuf_append(&b, stamp, (size_t)stamplen) == -1 ||
		    growbuf_append(&b, (const char *)data + 8, dlen - 8) == -1 ||
		    growbuf_append(&b, "\n", 1) == -1) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (r < 0)
		goto fail;
	sd.journal_close(j);
	if (b.data == NULL) {
		snprintf(err, errsz, "no kernel messages for this boot");
		return -1;
	}
	*text = b.data;
	*len = b.len;
	return 0;
fail:
	snprintf(err, errsz, "%s", strerror(-r));
	free(b.data);
	if (j != NULL)
		sd.journal_close(j);
	return -1;
}
