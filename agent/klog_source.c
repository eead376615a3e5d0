/*
 * klog_source.c - choose the kernel log source and read it whole, bounded
 * (I/O).  /dev/kmsg is read record by record without blocking; a regular
 * file in its place (a capture) is read as text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/growbuf.h"
#include "agent/klog_source.h"

#define CAPTURE_DIR "var/log/iommu-fleet/kernel-log."

/* /dev/kmsg as a character device: one record per read(), EAGAIN at the end,
 * EPIPE when the ring buffer overwrote records we had not read yet. */
static int
read_kmsg_device(int fd, struct growbuf *b, enum tristate *lost)
{
	char rec[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE) {
			*lost = TRI_FALSE;
			continue;
		}
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		if (b->len + (size_t)n > KLOG_SOURCE_MAX_BYTES) {
			*lost = TRI_FALSE;
			return 0;
		}
		if (growbuf_append(b, rec, (size_t)n) == -1)
			return -1;
		if (rec[n - 1] != '\n' && growbuf_append(b, "\n", 1) == -1)
			return -1;
	}
}

static int
read_fd_whole(int fd, struct growbuf *b)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		if (b->len + (size_t)n > KLOG_SOURCE_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		if (growbuf_append(b, chunk, (size_t)n) == -1)
			return -1;
	}
}

/* dev/kmsg under the root: the live character device (only when the root
 * is "/": a device node in a captured tree would read this machine's log),
 * or a captured file. */
static int
try_kmsg(struct rootfs *fs, int live_root, struct growbuf *b, enum tristate *lost,
         int *captured_file)
{
	struct stat st;
	int fd, rc;

	*captured_file = 0;
	fd = rootfs_openat(fs, "dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (S_ISCHR(st.st_mode) && live_root) {
		rc = read_kmsg_device(fd, b, lost);
	} else if (S_ISREG(st.st_mode)) {
		*captured_file = 1;
		rc = read_fd_whole(fd, b);
	} else {
		errno = EINVAL;
		rc = -1;
	}
	close(fd);
	return rc;
}

static void
add_error(struct strlist *errors, const char *what, int err)
{
	(void)strlist_addf(errors, "%s: %s", what, strerror(err));
}

static int
finish(struct rootfs *fs, struct growbuf *b, const char *name, int capture_as_source, char **text,
       size_t *len, const char **source)
{
	char rel[128];

	if (b->data == NULL && growbuf_append(b, "", 0) == -1)
		return -1;
	*text = b->data;
	*len = b->len;
	*source = name;
	if (capture_as_source) {
		snprintf(rel, sizeof(rel), CAPTURE_DIR "%s", name);
		(void)rootfs_capture_put(fs, rel, b->data, b->len);
	}
	return 0;
}

static const char *const captured_sources[] = {"kmsg", "journal", "file"};

int
klog_source_read(struct rootfs *fs, const struct klog_source_opts *opts, char **text, size_t *len,
                 const char **source, enum tristate *complete_hint, struct strlist *errors)
{
	struct growbuf b = {0};
	char err[256], rel[128], *jtext = NULL;
	size_t i, jlen = 0, flen = 0;
	int fd, captured_file;

	*text = NULL;
	*len = 0;
	*source = "none";
	*complete_hint = TRI_UNKNOWN;

	if (opts->file != NULL) {
		if (strcmp(opts->file, "-") == 0)
			fd = STDIN_FILENO;
		else
			fd = open(opts->file, O_RDONLY | O_CLOEXEC);
		if (fd == -1 || read_fd_whole(fd, &b) == -1) {
			add_error(errors, opts->file, errno);
			if (fd > STDIN_FILENO)
				close(fd);
			free(b.data);
			return 0;
		}
		if (fd != STDIN_FILENO)
			close(fd);
		return finish(fs, &b, "file", 1, text, len, source);
	}

	/* A capture made by this agent names its source. */
	for (i = 0; i < sizeof(captured_sources) / sizeof(captured_sources[0]); i++) {
		snprintf(rel, sizeof(rel), CAPTURE_DIR "%s", captured_sources[i]);
		if (rootfs_read(fs, rel, KLOG_SOURCE_MAX_BYTES, &b.data, &flen, NULL) == 0) {
			b.len = flen;
			b.cap = flen + 1;
			return finish(fs, &b, captured_sources[i], 0, text, len, source);
		}
	}

	if (try_kmsg(fs, opts->live_root, &b, complete_hint, &captured_file) == 0)
		return finish(fs, &b, "kmsg", !captured_file, text, len, source);
	if (errno != ENOENT)
		add_error(errors, "dev/kmsg", errno);
	free(b.data);
	memset(&b, 0, sizeof(b));
	*complete_hint = TRI_UNKNOWN;

	if (opts->live_root && opts->journal != NULL) {
		if (opts->journal(&jtext, &jlen, KLOG_SOURCE_MAX_BYTES, err, sizeof(err)) == 0) {
			b.data = jtext;
			b.len = jlen;
			b.cap = jlen + 1;
			return finish(fs, &b, "journal", 1, text, len, source);
		}
		(void)strlist_addf(errors, "journal: %s", err);
	}

	if (rootfs_read(fs, "var/log/dmesg", KLOG_SOURCE_MAX_BYTES, &b.data, &flen, NULL) == 0) {
		b.len = flen;
		return finish(fs, &b, "dmesg", 0, text, len, source);
	}
	if (errno != ENOENT)
		add_error(errors, "var/log/dmesg", errno);
	if (rootfs_read(fs, "var/log/kern.log", KLOG_SOURCE_MAX_BYTES, &b.data, &flen, NULL) == 0) {
		b.len = flen;
		return finish(fs, &b, "kern.log", 0, text, len, source);
	}
	if (errno != ENOENT)
		add_error(errors, "var/log/kern.log", errno);
	return 0;
}
