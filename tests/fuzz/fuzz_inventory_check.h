/*
 * fuzz_inventory_check.h - what every inventory reader's result must be,
 * whatever bytes it read (the inventory harnesses share it).  Pure.
 */
#ifndef IOMMU_FLEET_FUZZ_INVENTORY_CHECK_H
#define IOMMU_FLEET_FUZZ_INVENTORY_CHECK_H

#include "collector/inventory.h"

/* abort() unless: at most INVENTORY_HOSTS_MAX hosts, each name unique and
 * valid (a name or an address), host and user by the inventory's rules, a
 * port in 0..65535, tags of group-name characters, a command of 1 to
 * INVENTORY_COMMAND_MAX - 1 printable ASCII bytes (it reaches the host's
 * shell as one command line), the agent one of the enum's. */
void fuzz_inventory_check(const struct inventory *inv);

/* abort() unless a reader that failed said why. */
void fuzz_inventory_check_err(const char *err, size_t errlen);

#endif
