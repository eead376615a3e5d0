/*
 * spool.h - reports the agent could not deliver, kept in a directory until
 * the next run: written atomically (temporary file, fsync, rename), bounded
 * in count and bytes (the oldest go first), read back oldest first.
 * I/O: the spool directory only; never logs (the caller reports drops).
 *
 * Entry names sort by the time they were spooled:
 * "NNNNNNNNNNNNNNNNNNNN-REPORTID.json", 20 digits of nanoseconds since the
 * epoch.  Anything else in the directory is left alone and not counted.
 */
#ifndef IOMMU_FLEET_SPOOL_H
#define IOMMU_FLEET_SPOOL_H

#include <stddef.h>

#define SPOOL_MAX_COUNT 256
#define SPOOL_MAX_BYTES (64ull * 1024 * 1024)
#define SPOOL_NAME_MAX 80
#define SPOOL_ID_MAX 40

struct spool_entry {
	char name[SPOOL_NAME_MAX];
	unsigned long long size;
};

struct spool {
	char *dir;
	int lockfd;            /* the directory, flock()ed while open */
	struct spool_entry *v; /* sorted oldest first */
	size_t n;
};

/* Pure helpers. */
/* 1 when name is a spool entry name, 0 otherwise. */
int spool_name_ok(const char *name);
/* The entry name for a report spooled at ns with this id: 0, or -1 when
 * the id is not [0-9A-Za-z-]{1,40}. */
int spool_name_make(unsigned long long ns, const char *id, char *out, size_t outlen);
/* How many of the oldest n entries (sizes oldest first) to drop so that at
 * most max_count entries and max_bytes bytes remain. */
size_t spool_plan_trim(const unsigned long long *sizes, size_t n, size_t max_count,
                       unsigned long long max_bytes);

/* Open dir (created 0700 when missing; made 0700 when it is ours and open
 * to others: the reports name every device of the host), wait at most
 * wait_s seconds for its lock (one agent run at a time uses a spool) and
 * list its entries.  0, or -1 with errno set: EWOULDBLOCK when another run
 * held the lock all that time. */
#define SPOOL_LOCK_WAIT_S 30
int spool_open(struct spool *sp, const char *dir, unsigned wait_s);
void spool_close(struct spool *sp);

/* Read entry i whole (at most max bytes): 0 and a new buffer, or -1. */
int spool_read(struct spool *sp, size_t i, size_t max, char **buf, size_t *len);
/* Remove entry i from the directory and the list: 0 or -1. */
int spool_remove(struct spool *sp, size_t i);
/* Write a new newest entry atomically: 0, or -1 with errno set (nothing
 * half-written is left behind). */
int spool_add(struct spool *sp, const char *id, const char *data, size_t len);
/* Drop the oldest entries beyond the bounds; their names are appended to
 * dropped (a buffer of "name\n" lines, may be NULL).  Returns how many were
 * dropped, or -1. */
int spool_trim(struct spool *sp, size_t max_count, unsigned long long max_bytes, char *dropped,
               size_t droppedlen);

#endif
