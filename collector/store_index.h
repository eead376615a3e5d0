/*
 * store_index.h - what the store derives from a valid report before it
 * writes it (pure, no I/O): every device with its group, sorted by address;
 * each group's members as one string; and the grouping fingerprint that
 * compares hosts whatever their group numbers.
 */
#ifndef IOMMU_FLEET_STORE_INDEX_H
#define IOMMU_FLEET_STORE_INDEX_H

#include <stddef.h>

#include "proto/report.h"

struct store_devref {
	const struct report_device *d;
	int group;   /* group id, -1 for none */
	size_t gidx; /* index into report.iommu.groups, or (size_t)-1 */
};

struct store_index {
	const struct report *r;    /* borrowed */
	struct store_devref *devs; /* sorted by address */
	size_t ndevs;
	char **members;    /* per group: its sorted addresses, space-separated */
	char grouping[32]; /* "N:" and 12 hex digits of a SHA-256 */
};

/* Build ix over r, which report_validate() accepted (no address twice).
 * 0, or -1 when out of memory (ix is then empty). */
int store_index_build(struct store_index *ix, const struct report *r);

/* Free what build allocated; an all-zero ix is a no-op. */
void store_index_free(struct store_index *ix);

#endif
