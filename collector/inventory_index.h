/*
 * inventory_index.h - a hash index of an inventory's host names, so that
 * appending n hosts and refusing a name given twice costs O(n), not O(n^2).
 * Pure: no I/O.
 */
#ifndef IOMMU_FLEET_INVENTORY_INDEX_H
#define IOMMU_FLEET_INVENTORY_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct inventory_host;

struct inventory_index {
	size_t *slot; /* a host's index + 1, 0 for a free slot */
	size_t cap;   /* a power of two, or 0 */
	size_t n;     /* hosts[0..n) are in it */
};

/* Make x cover hosts[0..n): the hosts past x->n are added; x is rebuilt
 * when hosts were taken out since (inventory_limit keeps the rest in
 * order, so fewer hosts means the indexes moved).  0, or -1 when out of
 * memory. */
int inventory_index_sync(struct inventory_index *x, const struct inventory_host *hosts, size_t n);

/* The index of the host named name in hosts (as synced), or SIZE_MAX. */
size_t inventory_index_find(const struct inventory_index *x, const struct inventory_host *hosts,
                            const char *name);

void inventory_index_free(struct inventory_index *x); /* all-zero x is a no-op */

#endif
