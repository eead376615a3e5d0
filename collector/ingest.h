/*
 * ingest.h - the one path of a report into the database, whatever brought
 * it: import (files), pull (SSH) and serve (HTTP) each keep their own
 * concurrency and call these two halves, so every decision is made once,
 * here: the size bound, whose report it is (proto/hostname.h), whether its
 * content is known, validity (proto, and a collected_at not ahead of the
 * collector's clock by more than INGEST_FUTURE_SKEW), the status word (store.h) and which
 * attempts are recorded.
 *
 *  ingest_prepare: on the transport's own thread, outside any write lock:
 *    bound, claim, key, "known?" (one read), decode and validate.
 *  ingest_commit: in the transport's single writer: store the report, or
 *    record why not.
 *
 * An attempt is recorded for every report of a known host (pull and serve:
 * the host is the inventory's or the token's): stored, unchanged,
 * duplicate, rejected, wrong-host.  An import names no host, so a rejected
 * or resent file is reported to the user and recorded nowhere.
 */
#ifndef IOMMU_FLEET_INGEST_H
#define IOMMU_FLEET_INGEST_H

#include <pthread.h>
#include <stddef.h>

#include "collector/store.h"

/* How far ahead of the collector's clock a report's collected_at may be:
 * clocks drift, but a report from the future would pin its host's latest. */
#define INGEST_FUTURE_SKEW 600 /* seconds */

struct db;
struct ingest;

/* A read connection to ask "is this content stored?", with the lock that
 * guards it when it is shared; db NULL: never ask, always decode. */
struct ingest_reader {
	struct db *db;
	pthread_mutex_t *lock;
};

/* A report text on its way: json is borrowed until ingest_free().
 * transport: "import", "ssh", "http".  identity: the host the transport
 * knows it by (inventory, token), NULL to take the report's own name.
 * NULL only when out of memory. */
struct ingest *ingest_new(const char *json, size_t len, const char *transport,
                          const char *identity);

/* The first half (see above); what it decides is kept for the commit. */
void ingest_prepare(struct ingest *in, const struct ingest_reader *rd);

/* The second half: res filled, its status returned. */
enum store_status ingest_commit(struct db *db, struct ingest *in, struct store_result *res);

/* A note the attempt of a stored report keeps (e.g. the host keys pull
 * accepted on the way); copied, bounded. */
void ingest_set_note(struct ingest *in, const char *note);

void ingest_free(struct ingest *in); /* NULL is a no-op */

/* Both halves on one connection (tests, one-off callers). */
enum store_status ingest_text(struct db *db, const char *json, size_t len, const char *transport,
                              const char *identity, struct store_result *res);

/* Record an attempt that brought no report (the transport's own failure:
 * "timeout", "hostkey-changed", "failed", ...).  started_at NULL for now.
 * 0, or -1 with db_error() set. */
int ingest_record(struct db *db, const char *host, const char *transport, const char *started_at,
                  const char *status, const char *error);

#endif
