/*
 * pciids.h - device names from the pci.ids database (hwdata).  Pure lookup
 * over the file's text; pciids_subset() makes the reduced file a capture
 * stores, so `--root CAPTURE` names devices the same way.
 */
#ifndef IOMMU_FLEET_PCIIDS_H
#define IOMMU_FLEET_PCIIDS_H

#include <stddef.h>
#include "proto/report.h"

/* Set name on every device of iommu (groups and ungrouped) whose vendor and
 * device id are in text: "NVIDIA Corporation GM206 [GeForce GTX 960]".
 * One pass over text.  0 or -1 (allocation). */
int pciids_name_devices(const char *text, size_t len, struct report_iommu *iommu);

/* A new pci.ids text holding only the vendor and device lines that
 * pciids_name_devices() used for iommu (caller frees), or NULL. */
char *pciids_subset(const char *text, size_t len, const struct report_iommu *iommu, size_t *outlen);

#endif
