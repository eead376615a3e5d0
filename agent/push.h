/*
 * push.h - deliver a report to the collector (POST URL/v1/reports with a
 * bearer token, libcurl, TLS verified), with retries, and the spool for
 * what cannot be delivered now.  I/O: network, the token file, the spool
 * directory, stderr.
 */
#ifndef IOMMU_FLEET_PUSH_H
#define IOMMU_FLEET_PUSH_H

#include <stddef.h>

struct push_opts {
	const char *url;        /* collector base URL, or the full .../v1/reports */
	const char *token_file; /* holds the bearer token */
	const char *cacert;     /* PEM CA bundle, NULL for the system's */
	const char *spool;      /* spool directory, NULL: no spooling */
	unsigned tries;         /* attempts per report on retryable errors, >= 1 */
};

/* Send the spooled reports (oldest first), then this one (json, len:
 * exactly the text printed without --push); spool it when it cannot be
 * delivered.  report_id names the spool entry.  Returns an exit code:
 * EXIT_OK delivered, EXIT_SPOOLED kept for later, EXIT_REJECTED refused
 * by the collector, EXIT_FAILURE_ not delivered and not spooled (also when
 * another run held the spool for SPOOL_LOCK_WAIT_S seconds, or
 * $IOMMU_AGENT_SPOOL_WAIT).  A report counts as delivered only on the
 * collector's acknowledgement naming it (report_json_ack), never on a 2xx
 * alone; the whole push ends within PUSH_DEADLINE_S (push.c).  json NULL:
 * this run has no report to send (it is over the collector's bound), the
 * spool is still sent; EXIT_OK then means the spool was (or is) empty. */
int push_report(const struct push_opts *o, const char *json, size_t len, const char *report_id);

#endif
