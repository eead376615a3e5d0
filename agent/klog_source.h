/*
 * klog_source.h - find and read the kernel log (I/O): a file given by the
 * user, else under the root dev/kmsg, the systemd journal (live root only),
 * var/log/dmesg, var/log/kern.log.  What was read is captured under
 * var/log/iommu-fleet/kernel-log.<source> when it did not come from a plain
 * file inside the root, so `--root CAPTURE` reads the same text.
 */
#ifndef IOMMU_FLEET_KLOG_SOURCE_H
#define IOMMU_FLEET_KLOG_SOURCE_H

#include <stddef.h>
#include "proto/report.h"
#include "agent/rootfs.h"

#include "agent/klog.h"

/* The journal is asked for this boot only and returns it whole: at most
 * this much text (a bound hit is named in errors). */
#define KLOG_JOURNAL_MAX_BYTES (32u * 1024 * 1024)
/* /dev/kmsg is read to its end; records keep coming on a busy host, so the
 * read stops after this much (the ring buffer itself is far smaller). */
#define KLOG_KMSG_MAX_BYTES (64u * 1024 * 1024)

/* Reads this boot's kernel messages from the journal as text, one message a
 * line: 0, or -1 with a message in err.  Provided by the binary (libsystemd). */
typedef int (*klog_journal_fn)(char **text, size_t *len, size_t max, char *err, size_t errsz);

struct klog_source_opts {
	const char *file;        /* --kernel-log: a path, "-" for stdin, or NULL */
	int live_root;           /* the root is "/": the journal may be asked */
	klog_journal_fn journal; /* NULL when built without libsystemd */
};

/* Stream the first readable source into scan (a file of any length is read
 * in chunks and never held whole: the scan keeps the last boot).  *source
 * names it ("kmsg", "journal", "file", "dmesg", "kern.log", or "none" when
 * no source could be read) and *complete_hint is TRI_FALSE when the source
 * itself tells that records were lost, else TRI_UNKNOWN.  Sources that fail
 * are added to errors and the next is tried; a source that fails part way
 * is named in errors with what was read kept.  0, or -1 on allocation
 * failure only. */
int klog_source_scan(struct rootfs *fs, const struct klog_source_opts *opts, struct klog_scan *scan,
                     const char **source, enum tristate *complete_hint, struct strlist *errors);

#endif
