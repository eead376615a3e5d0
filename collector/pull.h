/*
 * pull.h - what the parts of "iommu-collector pull" share: its options,
 * what one host came to, the tally of all hosts, and pull_fail() (pull.c)
 * to say why a host failed.  No I/O.
 *
 * The parts: cmd_pull.c (the subcommand), pull_pool.c (workers and each
 * host's outcome), pull_host.c (one host over SSH), pull_agentless.c (a host
 * without the agent), pull_progress.c (the progress and summary lines).
 */
#ifndef IOMMU_FLEET_PULL_H
#define IOMMU_FLEET_PULL_H

#include <stddef.h>

#include "collector/store.h"

#define PULL_DEFAULT_COMMAND "iommu-agent"

struct ingest;
struct ssh_session_key;

struct pull_opts {
	const char *inventory;
	int inventory_format; /* enum inventory_format */
	const char *limit;    /* --limit PATTERN, NULL for all */
	int list_hosts;       /* --list-hosts: print the selection, pull nothing */
	const char *command;
	const char *known_hosts;
	const char *identity;
	struct ssh_session_key *identity_key;
	const char *ssh_config;
	const char *jump; /* --jump "[user@]host[:port],..." or "none"; NULL: ssh_config's */
	const char *tmpdir;
	int jobs;
	int connect_timeout;
	int timeout;
	size_t max_bytes;
	int agentless;
	int accept_new;
	int quiet;
	int progress; /* -1: when stderr is a terminal */
};

/* What one host came to: a report to store, or a failure to record. */
struct pull_outcome {
	char started_at[32];
	char status[32];             /* failure status word, "" when json is set */
	char error[STORE_ERROR_MAX]; /* what the attempt keeps */
	char hostkeys[512]; /* keys --accept-new added: "added TYPE SHA256:... for NAME; ..." */
	char *json;         /* report text to store, or NULL */
	size_t len;
	struct ingest *in; /* json on its way in, or NULL */
	int agentless;     /* the report was made on the collector side */
};

/* How many hosts came to what: the progress and summary lines' numbers. */
struct pull_tally {
	size_t total;
	size_t done;
	size_t ok;
	size_t failed;
	struct {
		char word[32];
		size_t n;
	} counts[16]; /* by status word, "ok" included; the last slot takes the rest */
	size_t ncounts;
};

/* A failure into out: its status word and message, the message with its
 * control bytes replaced so a host's text is inert in the database and on
 * a terminal alike. */
void pull_fail(struct pull_outcome *out, const char *status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

#endif
