/*
 * gather.h - gather all evidence under a root and analyse it into a report
 * (I/O through rootfs).  Shared by iommu-agent and by the collector, which
 * analyses agentless captures with the agent's own code.
 */
#ifndef IOMMU_FLEET_GATHER_H
#define IOMMU_FLEET_GATHER_H

#include "proto/report.h"
#include "agent/klog_source.h"
#include "agent/rootfs.h"

struct gather_opts {
	struct klog_source_opts klog;
	const char *pci_ids; /* a pci.ids path outside the root, or NULL */
};

/* Fill r (initialised by the caller) with everything but report_id and
 * collected_at.  Evidence that cannot be read goes to r->errors.  0, or -1
 * on allocation failure. */
int gather_report(struct rootfs *fs, const struct gather_opts *opts, struct report *r);

/* A random RFC 4122 version-4 UUID and the current time in RFC 3339 UTC. */
int gather_stamp(struct report *r);

#endif
