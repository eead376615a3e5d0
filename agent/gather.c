/*
 * gather.c - read every evidence source through a rootfs, then analyse (I/O).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/report_json.h"
#include "agent/analyse.h"
#include "agent/gather.h"
#include "agent/hostinfo.h"
#include "agent/klog.h"
#include "agent/pciids.h"
#include "agent/sysfs.h"

#define PCIIDS_MAX_BYTES (8u * 1024 * 1024)

static const char *const pciids_paths[] = {
        "usr/share/misc/pci.ids",
        "usr/share/hwdata/pci.ids",
};

/* A pci.ids file through the scan, a piece at a time: 0, or -1 with
 * errno (EFBIG past the bound; ENOMEM). */
static int
feed_pciids(int fd, struct pciids_scan *scan)
{
	char piece[64 * 1024];
	size_t total = 0;
	ssize_t n;

	while (!pciids_scan_done(scan)) {
		n = read(fd, piece, sizeof(piece));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if ((total += (size_t)n) > PCIIDS_MAX_BYTES) {
			errno = EFBIG;
			return -1;
		}
		if (pciids_scan_feed(scan, piece, (size_t)n) == -1) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

/* fd when it is a regular file (a FIFO or a device could be read for
 * ever), else closed and -1, said in errors. */
static int
regular_or_close(int fd, const char *name, struct report *r)
{
	struct stat st;

	if (fd == -1 || (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)))
		return fd;
	(void)strlist_addf(&r->errors, "%s: not a regular file", name);
	close(fd);
	return -1;
}

/* The pci.ids to read: --pci-ids, else the first of pciids_paths under
 * the root; *used names it for the capture.  A descriptor, or -1. */
static int
open_pciids(struct rootfs *fs, const struct gather_opts *opts, struct report *r, const char **used)
{
	size_t i;
	int fd = -1;

	if (opts->pci_ids != NULL) {
		/* O_NONBLOCK: a FIFO's open would wait for a writer before
		 * regular_or_close could turn it away */
		fd = open(opts->pci_ids, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd == -1)
			(void)strlist_addf(&r->errors, "%s: %s", opts->pci_ids, strerror(errno));
		fd = regular_or_close(fd, opts->pci_ids, r);
		*used = pciids_paths[0];
	}
	for (i = 0; fd == -1 && i < sizeof(pciids_paths) / sizeof(pciids_paths[0]); i++) {
		fd = regular_or_close(rootfs_openat(fs, pciids_paths[i], O_RDONLY | O_NONBLOCK),
		                      pciids_paths[i], r);
		*used = pciids_paths[i];
	}
	return fd;
}

/* Names from pci.ids: a lookup database, not evidence, so a capture keeps
 * only the lines it used, under the path they came from. */
static int
name_devices(struct rootfs *fs, const struct gather_opts *opts, struct report *r)
{
	struct pciids_scan *scan;
	const char *used = NULL;
	char *subset = NULL;
	size_t sublen = 0;
	int fd, rc;

	if (r->iommu.ngroups == 0 && r->iommu.nungrouped == 0)
		return 0;
	if ((fd = open_pciids(fs, opts, r, &used)) == -1)
		return 0; /* names are a nicety, never required */
	if ((scan = pciids_scan_new(&r->iommu, fs->cap != NULL)) == NULL) {
		close(fd);
		return -1;
	}
	rc = feed_pciids(fd, scan);
	if (rc == -1 && errno == ENOMEM) {
		close(fd);
		pciids_scan_free(scan);
		return -1;
	}
	/* names from what was read, and the error said */
	if (rc == -1 && errno == EFBIG)
		(void)strlist_addf(&r->errors, "%s: over %u MiB: device names from its start only",
		                   opts->pci_ids != NULL ? opts->pci_ids : used,
		                   PCIIDS_MAX_BYTES >> 20);
	else if (rc == -1)
		(void)strlist_addf(&r->errors, "%s: %s: device names from its start only",
		                   opts->pci_ids != NULL ? opts->pci_ids : used, strerror(errno));
	close(fd);
	rc = pciids_scan_finish(scan, &subset, &sublen);
	pciids_scan_free(scan);
	if (rc == 0 && subset != NULL)
		(void)rootfs_capture_put(fs, used, subset, sublen);
	free(subset);
	return rc;
}

/* Bounds the scan hit: named in errors, never a quietly shorter list. */
static void
klog_bounds(struct report *r, const struct klog_facts *k)
{
	if (k->lines_dropped > 0)
		(void)strlist_addf(
		        &r->errors,
		        "kernel_log.lines: %lu more IOMMU-related lines of the last boot "
		        "than the %u kept",
		        k->lines_dropped, REPORT_MAX_LINES);
	if (k->faults_dropped > 0)
		(void)strlist_addf(
		        &r->errors,
		        "kernel_log.faults: %lu fault records of devices past the %u listed "
		        "(counted in fault_total)",
		        k->faults_dropped, REPORT_MAX_ITEMS);
}

static int
read_kernel_log(struct rootfs *fs, const struct gather_opts *opts, struct report *r,
                struct evidence *ev)
{
	struct klog_scan *scan;
	enum tristate hint;
	const char *source;
	int rc;

	if ((scan = klog_scan_new(REPORT_MAX_LINES)) == NULL)
		return -1;
	rc = klog_source_scan(fs, &opts->klog, scan, &source, &hint, &r->errors);
	if (rc == 0 && (r->kernel_log.source = strdup(source)) == NULL)
		rc = -1;
	if (rc == 0 && strcmp(source, "none") == 0) {
		klog_scan_free(scan);
		klog_facts_init(&ev->klog);
		return 0;
	}
	if (rc == 0)
		rc = klog_scan_finish(scan, &r->kernel_log, &ev->klog);
	klog_scan_free(scan);
	if (rc == -1)
		return -1;
	ev->klog_read = 1;
	klog_bounds(r, &ev->klog);
	/* complete: the boot start is there; false when the ring buffer
	 * visibly lost records; otherwise it cannot be told */
	if (ev->klog.boot_start)
		r->kernel_log.complete = TRI_TRUE;
	else if (hint == TRI_FALSE || ev->klog.first_seq > 0)
		r->kernel_log.complete = TRI_FALSE;
	else
		r->kernel_log.complete = TRI_UNKNOWN;
	return 0;
}

int
gather_report(struct rootfs *fs, const struct gather_opts *opts, struct report *r)
{
	struct sysfs_extra *extra = NULL;
	struct evidence ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	r->agent_version = strdup(IOMMU_FLEET_VERSION);
	if (r->agent_version == NULL)
		return -1;
	if (hostinfo_read(fs, &r->host, &r->cmdline, &ev.cpu_hypervisor, &r->errors) == -1)
		return -1;
	rc = sysfs_read(fs, &r->iommu, &ev.sys, &extra, &ev.nextra, &r->errors);
	if (rc == 0)
		rc = name_devices(fs, opts, r);
	if (rc == 0)
		rc = read_kernel_log(fs, opts, r, &ev);
	if (rc == 0)
		rc = sysfs_preflight_read(fs, &r->iommu, &ev.sys, extra, ev.nextra, &r->errors);
	ev.extra = extra;
	if (rc == 0)
		rc = analyse(r, &ev);
	free(extra);
	return rc;
}

int
gather_stamp(struct report *r)
{
	unsigned char u[16];
	struct timespec ts;
	struct tm tm;

	if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u))
		return -1;
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	snprintf(r->report_id, sizeof(r->report_id),
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
	         u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
	         u[15]);
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 || gmtime_r(&ts.tv_sec, &tm) == NULL)
		return -1;
	strftime(r->collected_at, sizeof(r->collected_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}
