/*
 * pull_agentless.h - one host without the agent: run the agentless script
 * (collector/agentless.h) over an open SSH connection, rebuild the tree it
 * streams back in a temporary directory, and analyse that tree with the
 * agent's own code.  I/O: SSH, a temporary directory, pci.ids.
 */
#ifndef IOMMU_FLEET_PULL_AGENTLESS_H
#define IOMMU_FLEET_PULL_AGENTLESS_H

#include "collector/pull.h"

struct inventory_host;
struct ssh_session_conn;

/* 0 with out->json (malloc'd) and out->agentless set, the report named
 * after the inventory's host; or -1 with the failure in out (pull_fail).
 * Many threads may call it at once: the analysis runs one at a time. */
int pull_agentless(const struct pull_opts *o, const struct inventory_host *h,
                   struct ssh_session_conn *conn, struct pull_outcome *out);

#endif
