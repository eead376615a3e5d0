/*
 * store.h - write one report to the database, whole or not at all, and
 * record collection attempts (I/O through db.h).  Only collector/ingest.c
 * stores reports: it decides what a text is (valid, whose, known) and calls
 * these inside the single writer; the transports never call them directly.
 */
#ifndef IOMMU_FLEET_STORE_H
#define IOMMU_FLEET_STORE_H

#include <stddef.h>

#include "proto/hostname.h"

/* What an attempt keeps of its error, NUL included: room for the message
 * around a command's stderr tail. */
#define STORE_ERROR_MAX 3072

struct db;
struct report;
struct report_key;
struct store_index;

/* What became of a report: the one vocabulary of the collector's report
 * outcomes, printed by import and pull, answered by serve and recorded in
 * collection_attempts.status (store_status_name). */
enum store_status {
	STORE_STORED = 0, /* new content, or a new observation of an older content */
	STORE_UNCHANGED,  /* same content as the host's latest report: observation only */
	STORE_DUPLICATE,  /* report_id already stored: nothing stored */
	STORE_REJECTED,   /* not a valid report: nothing stored (see error) */
	STORE_WRONG_HOST, /* a valid report of another host than expected: nothing stored */
	STORE_FAILED,     /* database error: nothing stored (see error) */
	STORE_NOT_KNOWN,  /* store_commit_known only: not a stored content, decode it */
};

struct store_result {
	enum store_status status;
	char hostname[HOSTNAME_MAX + 1]; /* host it was stored under, may be "" */
	char report_id[40];
	long long observation_id; /* stored / unchanged, else 0 */
	int new_content;          /* 1 when the report's content was stored for the first time */
	int disk_full;            /* failed: the database's disk is full */
	char error[512];          /* rejected / wrong-host / failed: why */
};

/* One report to write, all borrowed. */
struct store_item {
	const char *json; /* the text as received, stored verbatim */
	size_t len;
	const struct report_key *key; /* its content key (proto/report_key.h) */
	const char *identity;         /* host from the inventory or token, NULL: the report's */
	const struct report *r;       /* decoded and valid; NULL for store_commit_known */
	const struct store_index *ix; /* r indexed; NULL for store_commit_known */
	const char *transport;        /* "import", "ssh", "http" */
	const char *note;             /* for the attempt's error column, or NULL */
};

/* 1 when some stored content has this SHA-256 (so decoding is probably not
 * needed), 0 when none, -1 on a database error. */
int store_content_known(struct db *db, const char *sha256);

/* The fast path: the text is byte for byte a stored, so validated, content
 * of this host but for report_id and collected_at (which the key checked):
 * a new observation without decoding.  STORE_NOT_KNOWN when it is not. */
enum store_status store_commit_known(struct db *db, const struct store_item *it,
                                     struct store_result *res);

/* Store a decoded, valid report: host, observation, content (deduplicated
 * by key), its rows, the raw text, and the attempt, in one transaction.
 * Strings in res come from the report: escape them before printing. */
enum store_status store_commit(struct db *db, const struct store_item *it,
                               struct store_result *res);

/* Record an attempt that stored no report ("rejected", "timeout",
 * "hostkey-changed", ...).  started_at: RFC 3339 UTC, NULL for now.
 * 0, or -1 with db_error() set. */
int store_attempt(struct db *db, const char *hostname, const char *transport,
                  const char *started_at, const char *status, const char *error);

/* The host's groups from its inventory ("a,b", "" for none), replacing
 * what was known; the host is made when new.  0, or -1 with db_error(). */
int store_set_groups(struct db *db, const char *hostname, const char *groups);

/* Remove a host and all its history: 1 removed, 0 unknown host, -1 error. */
int store_forget_host(struct db *db, const char *hostname);

/* What the host (any spelling) has stored since (Unix time): the bytes of
 * the contents first received since, and when the first of them was (Unix
 * time, 0 when none), so serve's storage budget for the day survives a
 * restart.  0, or -1 with db_error() set. */
int store_host_new_bytes(struct db *db, const char *hostname, long long since, long long *bytes,
                         long long *first);

const char *store_status_name(enum store_status s);

/* RFC 3339 UTC "now", e.g. "2026-11-23T21:34:24Z". */
void store_now(char *buf, size_t len);

#endif
