/*
 * klog_source.c - choose the kernel log source and stream it into a scan
 * (I/O).  Files are read in fixed chunks, so a kern.log of many boots and
 * gigabytes costs no more memory than a short one, and the scan keeps the
 * last boot to its end.  /dev/kmsg is read record by record without
 * blocking; a regular file in its place (a capture) is read as text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/klog_source.h"

#define CAPTURE_DIR "var/log/iommu-fleet/kernel-log."
#define CHUNK (64 * 1024)

/* Where the text goes: the scan, and the capture when one is made. */
struct sink {
	struct klog_scan *scan;
	int capfd; /* -1 when not capturing this source */
	int nomem;
};

static int
sink_put(struct sink *k, const char *p, size_t n)
{
	ssize_t w;

	if (klog_scan_feed(k->scan, p, n) == -1) {
		k->nomem = 1;
		return -1;
	}
	/* capture trouble must not lose the evidence itself */
	while (k->capfd != -1 && n > 0) {
		w = write(k->capfd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			close(k->capfd);
			k->capfd = -1;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
sink_open(struct sink *k, struct rootfs *fs, struct klog_scan *scan, const char *capture_rel)
{
	k->scan = scan;
	k->nomem = 0;
	k->capfd = capture_rel != NULL ? rootfs_capture_open(fs, capture_rel) : -1;
}

static void
sink_close(struct sink *k)
{
	if (k->capfd != -1)
		close(k->capfd);
	k->capfd = -1;
}

/* /dev/kmsg as a character device: one record per read(), EAGAIN at the end,
 * EPIPE when the ring buffer overwrote records we had not read yet. */
static int
stream_kmsg_device(int fd, struct sink *k, enum tristate *lost, int *bound)
{
	char rec[8192];
	size_t total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE) {
			*lost = TRI_FALSE;
			continue;
		}
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return (int)n;
		if ((total += (size_t)n) > KLOG_KMSG_MAX_BYTES) {
			*bound = 1;
			return 0;
		}
		if (rec[n - 1] != '\n')
			rec[n++] = '\n';
		if (sink_put(k, rec, (size_t)n) == -1)
			return -1;
	}
}

/* A regular file or a pipe, in chunks, to its end. */
static int
stream_fd(int fd, struct sink *k)
{
	char *chunk;
	ssize_t n;
	int rc = 0;

	if ((chunk = malloc(CHUNK)) == NULL) {
		k->nomem = 1;
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		if (sink_put(k, chunk, (size_t)n) == -1) {
			rc = -1;
			break;
		}
	}
	free(chunk);
	return rc;
}

static void
add_error(struct strlist *errors, const char *what, int err)
{
	(void)strlist_addf(errors, "%s: %s", what, strerror(err));
}

/* Stream rel under the root (a regular file: a device node or a FIFO there,
 * in a captured or agentless tree, could be read for ever) into the scan,
 * capturing it as capture_rel: 0 when read (wholly, or in part with an
 * error named), -1 when it could not be opened (errno set). */
static int
stream_rel(struct rootfs *fs, const char *rel, const char *capture_rel, struct klog_scan *scan,
           struct strlist *errors, int *nomem)
{
	struct stat st;
	struct sink k;
	int fd, rc, saved;

	fd = rootfs_openat(fs, rel, O_RDONLY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	sink_open(&k, fs, scan, capture_rel);
	rc = stream_fd(fd, &k);
	saved = errno;
	sink_close(&k);
	close(fd);
	*nomem = k.nomem;
	if (rc == -1 && !k.nomem)
		add_error(errors, rel, saved);
	return 0;
}

/* dev/kmsg under the root: the live character device (only when the root
 * is "/": a device node in a captured tree would read this machine's log),
 * or a captured file.  0 read, -1 not readable (errno). */
static int
try_kmsg(struct rootfs *fs, int live_root, struct klog_scan *scan, enum tristate *lost,
         struct strlist *errors, int *nomem)
{
	struct stat st;
	struct sink k;
	int fd, rc, bound = 0, saved;

	fd = rootfs_openat(fs, "dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !((S_ISCHR(st.st_mode) && live_root) || S_ISREG(st.st_mode))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	sink_open(&k, fs, scan, S_ISCHR(st.st_mode) ? CAPTURE_DIR "kmsg" : "dev/kmsg");
	if (S_ISCHR(st.st_mode))
		rc = stream_kmsg_device(fd, &k, lost, &bound);
	else
		rc = stream_fd(fd, &k);
	saved = errno;
	sink_close(&k);
	close(fd);
	*nomem = k.nomem;
	if (rc == -1 && !k.nomem)
		add_error(errors, "dev/kmsg", saved);
	if (bound) {
		*lost = TRI_FALSE;
		(void)strlist_addf(errors,
		                   "dev/kmsg: still growing after %u MiB, read stopped there",
		                   KLOG_KMSG_MAX_BYTES >> 20);
	}
	return 0;
}

/* The journal hands over this boot's text whole. */
static int
try_journal(struct rootfs *fs, const struct klog_source_opts *opts, struct klog_scan *scan,
            struct strlist *errors, int *nomem)
{
	char err[256], *text = NULL;
	struct sink k;
	size_t len = 0;

	if (opts->journal(&text, &len, KLOG_JOURNAL_MAX_BYTES, err, sizeof(err)) == -1) {
		(void)strlist_addf(errors, "journal: %s", err);
		return -1;
	}
	sink_open(&k, fs, scan, CAPTURE_DIR "journal");
	(void)sink_put(&k, text, len);
	sink_close(&k);
	*nomem = k.nomem;
	free(text);
	return 0;
}

/* --kernel-log FILE or "-". */
static int
try_file(struct rootfs *fs, const char *file, struct klog_scan *scan, struct strlist *errors,
         int *nomem)
{
	struct sink k;
	int fd, rc, saved;

	fd = strcmp(file, "-") == 0 ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		add_error(errors, file, errno);
		return -1;
	}
	sink_open(&k, fs, scan, CAPTURE_DIR "file");
	rc = stream_fd(fd, &k);
	saved = errno;
	sink_close(&k);
	if (fd != STDIN_FILENO)
		close(fd);
	*nomem = k.nomem;
	if (rc == -1 && !k.nomem)
		add_error(errors, file, saved);
	return 0;
}

static const char *const captured_sources[] = {"kmsg", "journal", "file"};

int
klog_source_scan(struct rootfs *fs, const struct klog_source_opts *opts, struct klog_scan *scan,
                 const char **source, enum tristate *complete_hint, struct strlist *errors)
{
	char rel[128];
	size_t i;
	int nomem = 0;

	*source = "none";
	*complete_hint = TRI_UNKNOWN;
	if (opts->file != NULL) {
		if (try_file(fs, opts->file, scan, errors, &nomem) == 0)
			*source = "file";
		return nomem ? -1 : 0;
	}
	/* A capture made by this agent names its source. */
	for (i = 0; i < sizeof(captured_sources) / sizeof(captured_sources[0]); i++) {
		snprintf(rel, sizeof(rel), CAPTURE_DIR "%s", captured_sources[i]);
		if (stream_rel(fs, rel, rel, scan, errors, &nomem) == 0) {
			*source = captured_sources[i];
			return nomem ? -1 : 0;
		}
	}
	if (try_kmsg(fs, opts->live_root, scan, complete_hint, errors, &nomem) == 0) {
		*source = "kmsg";
		return nomem ? -1 : 0;
	}
	if (errno != ENOENT)
		add_error(errors, "dev/kmsg", errno);
	*complete_hint = TRI_UNKNOWN;
	if (opts->live_root && opts->journal != NULL &&
	    try_journal(fs, opts, scan, errors, &nomem) == 0) {
		*source = "journal";
		return nomem ? -1 : 0;
	}
	if (stream_rel(fs, "var/log/dmesg", "var/log/dmesg", scan, errors, &nomem) == 0) {
		*source = "dmesg";
		return nomem ? -1 : 0;
	}
	if (errno != ENOENT)
		add_error(errors, "var/log/dmesg", errno);
	if (stream_rel(fs, "var/log/kern.log", "var/log/kern.log", scan, errors, &nomem) == 0) {
		*source = "kern.log";
		return nomem ? -1 : 0;
	}
	if (errno != ENOENT)
		add_error(errors, "var/log/kern.log", errno);
	return 0;
}
