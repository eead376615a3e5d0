/*
 * store_prune.c - old observations, unused contents and old attempts out of
 * the database, a batch a transaction (I/O through db.h).
 */
#include <string.h>

#include "collector/db.h"
#include "collector/store_prune.h"

/* Each deletes one batch; ?1 is the time, ?2 the batch size. */
static const char SQL_PRUNE_OBS[] =
        "DELETE FROM observations WHERE id IN (SELECT o.id FROM observations o"
        " JOIN hosts h ON h.id = o.host_id"
        " WHERE o.received_at < ?1 AND o.id IS NOT h.latest_observation_id LIMIT ?2)";
static const char SQL_PRUNE_CONTENTS[] =
        "DELETE FROM contents WHERE id IN (SELECT c.id FROM contents c"
        " WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.content_id = c.id) LIMIT ?2)"
        " AND ?1 IS NOT NULL";
static const char SQL_PRUNE_ATTEMPTS[] =
        "DELETE FROM collection_attempts WHERE id IN (SELECT a.id FROM collection_attempts a"
        " JOIN hosts h ON h.id = a.host_id"
        " WHERE a.started_at < ?1 AND a.id IS NOT h.last_attempt_id LIMIT ?2)";

/* Run sql in batches until it deletes nothing: 0 with *total, or -1. */
static int
prune_batches(struct db *db, const char *sql, const char *before, long long *total)
{
	struct db_stmt *st;
	int n;

	do {
		if (db_begin(db) == -1)
			return -1;
		if ((st = db_prepare(db, sql)) == NULL)
			goto fail;
		db_bind_text(st, 1, before);
		db_bind_int(st, 2, STORE_PRUNE_BATCH);
		if (db_step(st) != DB_DONE)
			goto fail;
		n = db_changes(db);
		if (db_commit(db) == -1)
			goto fail;
		*total += n;
	} while (n > 0);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
store_prune(struct db *db, const char *before, struct store_prune_counts *n)
{
	memset(n, 0, sizeof(*n));
	if (prune_batches(db, SQL_PRUNE_OBS, before, &n->observations) == -1 ||
	    prune_batches(db, SQL_PRUNE_CONTENTS, before, &n->contents) == -1 ||
	    prune_batches(db, SQL_PRUNE_ATTEMPTS, before, &n->attempts) == -1)
		return -1;
	return 0;
}
