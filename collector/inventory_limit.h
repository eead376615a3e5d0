/*
 * inventory_limit.h - select hosts of an inventory with the patterns Ansible
 * users type for --limit (pure, no I/O): a comma- (or colon-) separated
 * list of terms, each a host or group name, a glob ("web*", "*.lab"), "all",
 * or "~REGEX"; "&TERM" keeps only what TERM matches too, "!TERM" takes out
 * what it matches.  A term matches a host by its inventory name or by any of
 * its groups.
 */
#ifndef IOMMU_FLEET_INVENTORY_LIMIT_H
#define IOMMU_FLEET_INVENTORY_LIMIT_H

#include <stddef.h>

#include "collector/inventory.h"

/* Keep the hosts of inv that pattern selects, in their order.  0, or -1
 * with err: a malformed term, or a term (not "!") that matches nothing, so
 * that a typo never pulls less than was meant. */
int inventory_limit(struct inventory *inv, const char *pattern, char *err, size_t errlen);

#endif
