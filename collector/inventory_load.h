/*
 * inventory_load.h - read an inventory file (or stdin), bounded, in any of
 * the formats pull takes: the project's hosts.txt, or an Ansible INI or
 * YAML inventory.  I/O: the file.
 */
#ifndef IOMMU_FLEET_INVENTORY_LOAD_H
#define IOMMU_FLEET_INVENTORY_LOAD_H

#include <stddef.h>

#include "collector/inventory.h"

#define INVENTORY_FILE_MAX (16u * 1024 * 1024)

enum inventory_format {
	INVENTORY_FORMAT_AUTO = 0, /* by the name's ending, then the first line */
	INVENTORY_FORMAT_HOSTS,    /* hosts.txt: [user@]host[:port] key=value... */
	INVENTORY_FORMAT_INI,      /* Ansible INI */
	INVENTORY_FORMAT_YAML,     /* Ansible YAML */
};

/* "hosts", "ini", "yaml" (and "auto"): 0, or -1 for another word. */
int inventory_format_parse(const char *s, enum inventory_format *out);

/* The format of a text named path: pure. */
enum inventory_format inventory_format_guess(const char *path, const char *text, size_t len);

/* Read path ("-": stdin) into inv: 0, or -1 with "PATH: why" or
 * "PATH:LINE: why" in err. */
int inventory_load(const char *path, enum inventory_format format, struct inventory *inv, char *err,
                   size_t errlen);

#endif
