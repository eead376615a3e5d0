/*
 * readall.h - read a whole stream into memory, bounded (I/O): report files
 * and stdin for import, the inventory for pull.
 */
#ifndef IOMMU_FLEET_READALL_H
#define IOMMU_FLEET_READALL_H

#include <stdio.h>

#include "common/growbuf.h"

/* Append fp's bytes to b until its end or until b holds max + 1 bytes
 * (enough to tell "too large" without reading a huge file to its end);
 * b->data is then a NUL-terminated string, empty for an empty stream.
 * 0 at the end of fp; 1 when fp held more than max; -1 on a read or
 * allocation error, with errno set. */
int readall_bounded(FILE *fp, size_t max, struct growbuf *b);

#endif
