/*
 * rootfs.h - every read of host evidence goes through here (I/O).
 * Paths are relative to a root directory ("/" on a live host, a captured tree
 * with --root); symlinks are resolved inside that root (openat2
 * RESOLVE_IN_ROOT), so a captured tree cannot make the agent read outside it.
 * With a capture directory set, everything read is also written there, so
 * that `iommu-agent --root CAPTURE` sees exactly the same evidence.
 */
#ifndef IOMMU_FLEET_ROOTFS_H
#define IOMMU_FLEET_ROOTFS_H

#include <stddef.h>
#include "proto/report.h"

struct rootfs_capture;

/* The last directories files were read from, resolved inside the root
 * once: a device's attributes are then one-component opens, not a walk of
 * sys/bus/pci/devices/ADDR and its link each (issue 9: most of the
 * agent's time over the floor was those walks). */
#define ROOTFS_DIR_CACHE 3 /* a device's directory, the one holding its link, one more */
struct rootfs_dir {
	int fd;             /* O_PATH|O_DIRECTORY, -1 when unused */
	unsigned long used; /* when last used, for replacing the oldest */
	char rel[256];      /* the directory, relative to the root */
};

struct rootfs {
	int dirfd;                  /* the root, O_PATH|O_DIRECTORY */
	struct rootfs_capture *cap; /* NULL unless capturing */
	struct rootfs_dir dirs[ROOTFS_DIR_CACHE];
	unsigned long clock;
};

/* 0, or -1 with errno set (the root cannot be opened). */
int rootfs_open(struct rootfs *fs, const char *root);
/* Start capturing into dir (created 0700 if missing; else it must be an
 * empty directory of ours, not a link): 0 or -1.  Nothing under it is
 * trusted: no link is followed while writing, files are fresh 0600 ones
 * and directories 0700, whatever the umask. */
int rootfs_capture_start(struct rootfs *fs, const char *dir);
/* Write the placeholders for listed names and close: 0 or -1. */
int rootfs_capture_finish(struct rootfs *fs);
void rootfs_close(struct rootfs *fs);
/* Close the cached directories: a later path is resolved afresh.  The
 * cache (three directories, the last used) trusts that a path keeps naming
 * one directory while it is cached; callers forget at the start of each
 * pass over the devices, so a pass never reads through an older pass's
 * handle, and within one a path's reads come in one burst. */
void rootfs_forget(struct rootfs *fs);

/* Read at most max bytes of rel into a new NUL-terminated buffer (*buf, caller
 * frees; *len excludes the NUL).  0, or -1 with errno (ENOENT, EACCES, ...).
 * *truncated (may be NULL) is set when the file held more than max bytes. */
int rootfs_read(struct rootfs *fs, const char *rel, size_t max, char **buf, size_t *len,
                int *truncated);
/* Like rootfs_read into the caller's buf (size bytes, NUL-terminated; at
 * most size - 1 read, the rest of a longer file left): for the small
 * files read by the thousand, without a heap buffer each. */
int rootfs_read_buf(struct rootfs *fs, const char *rel, char *buf, size_t size, size_t *len);
/* Like rootfs_read, then strip one trailing newline and surrounding blanks.
 * Reads at most 4 KiB: for sysfs and procfs attribute files. */
int rootfs_read_attr(struct rootfs *fs, const char *rel, char **value);
/* The basename of a symlink's target ("vfio-pci" for .../drivers/vfio-pci).
 * 0, or -1 with errno. */
int rootfs_link_basename(struct rootfs *fs, const char *rel, char *out, size_t outsz);
/* dir + "/" + name into out (sz bytes), cut to fit (callers size out for
 * the longest path they build).  Pure; no snprintf (a host of 8,000
 * devices builds some 70,000 such paths). */
void rootfs_join(char *out, size_t sz, const char *dir, const char *name);
/* rel's link target made a path from the root, ".." resolved (pure):
 * 0, or -1 when it leaves the root. */
int rootfs_link_path(const char *rel, const char *target, char *out, size_t outsz);
/* A symlink's target text as stored (not resolved): 0, or -1 with errno. */
int rootfs_readlink(struct rootfs *fs, const char *rel, char *out, size_t outsz);
/* Names in a directory, sorted, without "." and "..": 0, or -1 with errno.
 * At most max_entries are returned (the rest are dropped, errno unchanged). */
int rootfs_list(struct rootfs *fs, const char *rel, size_t max_entries, struct strlist *names);
/* 1 when rel exists (stat inside the root), 0 when it does not, -1 on other
 * errors.  Captured as an empty file or directory of the same kind. */
int rootfs_exists(struct rootfs *fs, const char *rel);
/* Open rel inside the root (links resolved there) for a reader that must
 * see the file itself, such as dev/kmsg: a descriptor, or -1 with errno.
 * Not captured: the caller captures what it read. */
int rootfs_openat(struct rootfs *fs, const char *rel, int flags);

/* Resolve paths component by component, as on kernels without openat2,
 * so tests can check that fallback keeps to the root too. */
void rootfs_force_manual_resolution(void);

/* Record text as the content of rel in the capture (for evidence that was not
 * read from a file, such as the journal): 0 or -1.  No-op when not capturing. */
int rootfs_capture_put(struct rootfs *fs, const char *rel, const char *text, size_t len);
/* The same for text that arrives in pieces (a streamed log): a descriptor
 * to write rel's content to (the caller closes it), or -1 when not
 * capturing or on error. */
int rootfs_capture_open(struct rootfs *fs, const char *rel);

#endif
