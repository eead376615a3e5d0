/*
 * pull_host.h - one host over SSH: connect, run the agent (or the agentless
 * run when the inventory says agent=none, --agentless is given, or the
 * agent is missing: exit 127 and no output), and bring back its report
 * text or why not.  I/O: SSH, through ssh_session.c.
 */
#ifndef IOMMU_FLEET_PULL_HOST_H
#define IOMMU_FLEET_PULL_HOST_H

#include "collector/pull.h"

struct inventory_host;

/* Everything for one host but the database: out is overwritten with a
 * report (out->json, malloc'd) or a failure (out->status, out->error).
 * Many threads may call it at once, each for its own host. */
void pull_host(const struct pull_opts *o, const struct inventory_host *h, struct pull_outcome *out);

#endif
