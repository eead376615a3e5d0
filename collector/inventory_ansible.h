/*
 * inventory_ansible.h - an Ansible inventory as its readers find it (groups
 * with host patterns, children and vars; inventory_ini.c and
 * inventory_yaml.c fill it), and its flattening into pull's inventory: one
 * host per name, with its groups and the vars that matter here.  Pure: no
 * I/O.
 *
 * The vars read: ansible_host, ansible_port, ansible_user (and their
 * ansible_ssh_* spellings), iommu_fleet_command (the agent command) and
 * iommu_fleet_agent (auto or none).  Group vars apply to the hosts of the
 * group and of its children, a child's over its parent's, host vars over
 * all; the groups all and ungrouped are implicit and not recorded.
 */
#ifndef IOMMU_FLEET_INVENTORY_ANSIBLE_H
#define IOMMU_FLEET_INVENTORY_ANSIBLE_H

#include <stddef.h>

#include "collector/inventory.h"
#include "collector/name_index.h"

#define ANSIBLE_GROUPS_MAX 4096
#define ANSIBLE_VARS_MAX 256 /* per group or host entry */

struct ansible_var {
	char *key;
	char *value;
};

struct ansible_vars {
	struct ansible_var *v;
	size_t n;
};

struct ansible_hostref {
	char *pattern; /* "web[01:20].example.org" */
	struct ansible_vars vars;
	int line;
};

struct ansible_group {
	char *name;
	struct ansible_hostref *hosts;
	size_t nhosts;
	char **children;
	size_t nchildren;
	struct name_index kids; /* children, so one named again costs O(1) */
	struct ansible_vars vars;
	int line;
};

struct ansible_inv {
	struct ansible_group *groups;
	size_t ngroups;
	struct name_index index; /* groups by name */
};

/* The group called name (len bytes), made when new: NULL when out of
 * memory or past ANSIBLE_GROUPS_MAX. */
struct ansible_group *ansible_group(struct ansible_inv *a, const char *name, size_t len);

/* The index of the group called name (made by ansible_group), or
 * a->ngroups. */
size_t ansible_group_find(const struct ansible_inv *a, const char *name);

/* Append a host pattern to g: its entry (vars to fill), NULL on OOM. */
struct ansible_hostref *ansible_add_host(struct ansible_group *g, const char *pattern, int line);

/* Name a child group of g (made in a when new): 0 or -1 (OOM). */
int ansible_add_child(struct ansible_inv *a, struct ansible_group *g, const char *name, size_t len);

/* Set key to value (a later setting of a key replaces it): 0 or -1. */
int ansible_set_var(struct ansible_vars *v, const char *key, const char *value);

/* Expand the ranges of a host pattern ("web[01:03]", "db-[a:c]",
 * "n[0:10:5]") and call cb for each name, at most max names: 0, -1 with
 * err (a malformed range, more than max), or cb's -1. */
int ansible_expand(const char *pattern, size_t max, int (*cb)(void *, const char *), void *arg,
                   char *err, size_t errlen);

/* Append a's hosts to inv, each with its groups and vars: 0, or -1 with
 * err ("web1: ansible_port \"x\": invalid port"). */
int ansible_flatten(const struct ansible_inv *a, struct inventory *inv, char *err, size_t errlen);

void ansible_inv_free(struct ansible_inv *a);

#endif
