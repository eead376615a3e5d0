/*
 * inventory_ini.h - an Ansible INI inventory into its groups, host patterns
 * and vars (inventory_ansible.h).  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_INVENTORY_INI_H
#define IOMMU_FLEET_INVENTORY_INI_H

#include <stddef.h>

#include "collector/inventory_ansible.h"

/* Parse text into a (which the caller frees with ansible_inv_free): 0, or -1
 * with "line N: why" in err. */
int inventory_ini_parse(const char *text, size_t len, struct ansible_inv *a, char *err,
                        size_t errlen);

#endif
