/*
 * pciids.h - device names from the pci.ids database (hwdata).  Pure lookup
 * over the file's text, fed in pieces as it is read (no copy of the whole
 * 1.4 MB file); the scan can also make the reduced file a capture stores,
 * so `--root CAPTURE` names devices the same way.
 */
#ifndef IOMMU_FLEET_PCIIDS_H
#define IOMMU_FLEET_PCIIDS_H

#include <stddef.h>
#include "proto/report.h"

struct pciids_scan;

/* A scan that names every device of iommu (groups and ungrouped) whose
 * vendor and device id the text has: "NVIDIA Corporation GM206 [GeForce
 * GTX 960]"; with keep_subset it also keeps the lines it used.  NULL on
 * allocation failure. */
struct pciids_scan *pciids_scan_new(struct report_iommu *iommu, int keep_subset);
/* The next piece of the text, cut anywhere: 0, or -1 (allocation). */
int pciids_scan_feed(struct pciids_scan *s, const char *data, size_t len);
/* 1 once the rest of the text cannot name a device (the class section
 * began, or no device has ids): the reader may stop. */
int pciids_scan_done(const struct pciids_scan *s);
/* The end of the text.  With subset set, *subset gets the reduced
 * pci.ids (caller frees; NULL without keep_subset).  0, or -1. */
int pciids_scan_finish(struct pciids_scan *s, char **subset, size_t *sublen);
void pciids_scan_free(struct pciids_scan *s);

/* The same over a whole text in one piece: 0 or -1. */
int pciids_name_devices(const char *text, size_t len, struct report_iommu *iommu);
/* Names iommu's devices from text and returns the reduced file (caller
 * frees), or NULL. */
char *pciids_subset(const char *text, size_t len, struct report_iommu *iommu, size_t *outlen);

#endif
