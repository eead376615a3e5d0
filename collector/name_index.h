/*
 * name_index.h - a hash index of the names of an array's items (hosts of
 * an inventory, groups of an Ansible inventory, a group's children), so
 * that adding n items and finding a name given twice costs O(n), not
 * O(n^2).  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_NAME_INDEX_H
#define IOMMU_FLEET_NAME_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* The name of item i of items. */
typedef const char *(*name_index_key)(const void *items, size_t i);

struct name_index {
	size_t *slot; /* an item's index + 1, 0 for a free slot */
	size_t cap;   /* a power of two, or 0 */
	size_t n;     /* items[0..n) are in it */
};

/* Make x cover items[0..n): the items past x->n are added; x is rebuilt
 * when items were taken out since (inventory_limit keeps the rest in
 * order, so fewer items means the indexes moved).  0, or -1 when out of
 * memory. */
int name_index_sync(struct name_index *x, const void *items, size_t n, name_index_key key);

/* The index of the item named name (len bytes) as synced, or SIZE_MAX. */
size_t name_index_find(const struct name_index *x, const void *items, name_index_key key,
                       const char *name, size_t len);

void name_index_free(struct name_index *x); /* all-zero x is a no-op */

#endif
