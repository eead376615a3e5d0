/*
 * store.h - store one report in the database, whole or not at all, and
 * record collection attempts (I/O through db.h).  Used by every transport:
 * import, and later SSH pull and HTTP push.
 */
#ifndef IOMMU_FLEET_STORE_H
#define IOMMU_FLEET_STORE_H

#include <stddef.h>

struct db;

enum store_status {
	STORE_STORED = 0, /* new content, or a new observation of an older content */
	STORE_UNCHANGED,  /* same content as the host's latest report: observation only */
	STORE_DUPLICATE,  /* report_id already stored: nothing stored */
	STORE_REJECTED,   /* not a valid report: nothing stored (see error) */
	STORE_FAILED,     /* database error: nothing stored (see error) */
};

#define STORE_HOSTNAME_MAX 256

struct store_result {
	enum store_status status;
	char hostname[STORE_HOSTNAME_MAX]; /* host it was stored under, may be "" */
	char report_id[40];
	long long observation_id;         /* stored / unchanged, else 0 */
	char error[512];                  /* rejected / failed: why */
};

/*
 * Validate the JSON text of one report and store it in one transaction:
 * host, observation, content (deduplicated by a SHA-256 over the text
 * without the report_id and collected_at values, see report_key.h), groups,
 * devices, kernel log lines, faults, checks, raw JSON, and a collection
 * attempt.  A text that is a stored content of the host again (but for id
 * and time) is recognised by its key and not decoded a second time.
 * transport: "import", "ssh", "http".  expected_hostname: the host's
 * identity from the inventory or token (the report's own hostname is then
 * only recorded), NULL to take it from the report (import).  A rejected
 * report is recorded as an attempt only when expected_hostname is given.
 * Returns res->status.  Strings in res come from the report: escape them
 * before printing.
 */
enum store_status store_report_text(struct db *db, const char *json, size_t len,
    const char *transport, const char *expected_hostname,
    struct store_result *res);

/*
 * The same in two halves, so the decoding can run on another thread than
 * the database writes (cmd_import pipelines them):
 *  store_prepare: key the text (cheap, pure); json is borrowed until
 *    store_prepared_free().  NULL only when out of memory.
 *  store_decode: decode and validate (pure; the costly part).  0, or -1
 *    when rejected or out of memory; optional: store_commit decodes when
 *    it has to.
 *  store_content_known: 1 when some stored content has this key, so
 *    decoding is probably not needed (a read; -1 on error).
 *  store_commit: the transaction, as store_report_text.
 */
struct store_prepared;
struct store_prepared *store_prepare(const char *json, size_t len,
    const char *expected_hostname);
int store_decode(struct store_prepared *p);
int store_content_known(struct db *db, const struct store_prepared *p);
enum store_status store_commit(struct db *db, struct store_prepared *p,
    const char *transport, struct store_result *res);
void store_prepared_free(struct store_prepared *p); /* NULL is a no-op */
/* The host.hostname of a decoded report (borrowed, lives as long as p), or
 * NULL when p was not decoded or was rejected. */
const char *store_prepared_hostname(const struct store_prepared *p);
/* Why store_decode() rejected p, or NULL when it did not. */
const char *store_prepared_error(const struct store_prepared *p);

/* Record an attempt that brought no report ("failed", "timeout",
 * "host-key-changed", ...).  started_at: RFC 3339 UTC, NULL for now.
 * 0, or -1 with db_error() set. */
int store_attempt(struct db *db, const char *hostname, const char *transport,
    const char *started_at, const char *status, const char *error);

/* Remove a host and all its history: 1 removed, 0 unknown host, -1 error. */
int store_forget_host(struct db *db, const char *hostname);

const char *store_status_name(enum store_status s);

/* RFC 3339 UTC "now", e.g. "2026-11-23T21:34:24Z". */
void store_now(char *buf, size_t len);

#endif
