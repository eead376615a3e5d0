/*
 * inventory_yaml.h - an Ansible YAML inventory into its groups, host
 * patterns and vars (inventory_ansible.h), read with libyaml: the only file
 * that includes yaml.h.  Pure: no I/O (the text is in memory).
 */
#ifndef IOMMU_FLEET_INVENTORY_YAML_H
#define IOMMU_FLEET_INVENTORY_YAML_H

#include <stddef.h>

#include "collector/inventory_ansible.h"

/* Parse text into a (which the caller frees with ansible_inv_free): 0, or -1
 * with "line N: why" in err. */
int inventory_yaml_parse(const char *text, size_t len, struct ansible_inv *a, char *err,
                         size_t errlen);

#endif
