/*
 * analyse.h - from evidence to checks and verdicts.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_ANALYSE_H
#define IOMMU_FLEET_ANALYSE_H

#include "proto/report.h"
#include "agent/klog.h"
#include "agent/sysfs.h"

struct evidence {
	struct sysfs_facts sys;
	struct klog_facts klog;
	int klog_read;                   /* a kernel log source was read (maybe empty) */
	int cpu_hypervisor;              /* 1 guest, 0 bare metal, -1 unknown */
	const struct sysfs_extra *extra; /* per device, for the preflight */
	size_t nextra;
};

/* Fill r->iommu's summary fields, every device's verdict, r->checks,
 * r->verdict and r->reason from the evidence and what r already holds
 * (host, cmdline, groups, kernel_log).  0, or -1 on allocation failure. */
int analyse(struct report *r, const struct evidence *ev);

/* The whole-group preflight of every device (preflight.c, pure): fills
 * preflight, blockers and warnings.  ir is the host's interrupt remapping
 * state as analyse() decided it.  0, or -1 on allocation failure. */
int preflight(struct report *r, const struct evidence *ev, enum tristate ir);

#endif
