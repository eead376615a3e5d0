/*
 * journal_read.h - this boot's kernel messages from the systemd journal (I/O,
 * libsystemd).  Matches klog_journal_fn of klog_source.h.
 */
#ifndef IOMMU_FLEET_JOURNAL_READ_H
#define IOMMU_FLEET_JOURNAL_READ_H

#include <stddef.h>

int journal_read_kernel(char **text, size_t *len, size_t max, char *err, size_t errsz);

#endif
