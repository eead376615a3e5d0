/*
 * db.c - SQLite adapter: open with WAL and a busy timeout, forward-only
 * migrations by PRAGMA user_version, BEGIN IMMEDIATE transactions, cached
 * prepared statements, whole-result queries.  Does I/O (the database file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "collector/db.h"
#include "proto/hostname.h"

#define DB_BUSY_TIMEOUT_MS 60000 /* a long sqlite3 session must not fail a cron run */

struct db_stmt {
	struct db *db;
	const char *sql;
	sqlite3_stmt *stmt;
	struct db_stmt *next;
};

struct db {
	sqlite3 *h;
	struct db_stmt *stmts;
	char err[512];
	int full; /* the last error was SQLITE_FULL */
};

static void
db_seterr(struct db *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, sqlite3_errmsg(db->h));
	db->full = (sqlite3_extended_errcode(db->h) & 0xff) == SQLITE_FULL;
}

int
db_error_full(struct db *db)
{
	return db->full;
}

const char *
db_error(struct db *db)
{
	return db->err;
}

void
db_set_error(struct db *db, const char *msg)
{
	snprintf(db->err, sizeof(db->err), "%s", msg);
	db->full = 0;
}

int
db_schema_version(void)
{
	int i, v = 0;

	for (i = 0; db_migrations[i].sql != NULL; i++)
		v = db_migrations[i].version;
	return v;
}

static int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(db->err, sizeof(db->err), "%s", msg != NULL ? msg : sqlite3_errmsg(db->h));
		db->full = (sqlite3_extended_errcode(db->h) & 0xff) == SQLITE_FULL;
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
db_user_version(struct db *db, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		db_seterr(db, "user_version");
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_seterr(db, "user_version");
		sqlite3_finalize(st);
		return -1;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Apply every migration newer than the file, all in one transaction, after
 * checking the version again under the write lock (another collector may
 * have migrated meanwhile). */
static int
db_migrate(struct db *db, const char *path)
{
	char sql[64];
	int i, have, want;

	want = db_schema_version();
	if (db_user_version(db, &have) == -1)
		return -1;
	if (have > want)
		goto newer;
	if (have == want)
		return 0;
	if (db_begin(db) == -1)
		return -1;
	if (db_user_version(db, &have) == -1)
		goto fail;
	if (have > want) {
		db_rollback(db);
		goto newer;
	}
	for (i = 0; db_migrations[i].sql != NULL; i++) {
		if (db_migrations[i].version <= have)
			continue;
		if (db_exec(db, db_migrations[i].sql) == -1) {
			char msg[sizeof(db->err)];

			snprintf(msg, sizeof(msg), "%s", db->err);
			snprintf(db->err, sizeof(db->err), "migration %s: %.400s",
			         db_migrations[i].name, msg);
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_migrations[i].version);
		if (db_exec(db, sql) == -1)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
newer:
	snprintf(db->err, sizeof(db->err),
	         "%s: database schema version %d is newer than this collector's (%d): "
	         "use a newer iommu-collector",
	         path, have, want);
	return -1;
}

/* fleet_host_key(name): proto's hostname_key, for the SQL that keys hosts
 * (store.c, the migration that merged spellings): one rule, not a second
 * one in SQL.  NULL for NULL. */
static void
db_fn_host_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char key[HOSTNAME_MAX + 1];
	const char *s;

	(void)argc;
	s = (const char *)sqlite3_value_text(argv[0]);
	if (s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	hostname_key(s, key, sizeof(key));
	sqlite3_result_text(ctx, key, -1, SQLITE_TRANSIENT);
}

/* A file that holds anything but no fleet schema is someone else's
 * database: refuse it before a byte is written (journal_mode = WAL alone
 * rewrites the header).  Empty (new) or fleet: 0; else -1 with err. */
static int
db_check_fleet(struct db *db, const char *path, char *err, size_t errlen)
{
	static const char sql[] = "SELECT (SELECT user_version FROM pragma_user_version),"
	                          " (SELECT count(*) FROM sqlite_master),"
	                          " (SELECT count(*) FROM sqlite_master WHERE type = 'table'"
	                          "  AND name IN ('hosts', 'observations', 'contents'))";
	sqlite3_stmt *st;
	int version, objects, fleet;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
		return -1;
	}
	version = sqlite3_column_int(st, 0);
	objects = sqlite3_column_int(st, 1);
	fleet = sqlite3_column_int(st, 2);
	sqlite3_finalize(st);
	if (objects == 0 || (version >= 1 && fleet == 3))
		return 0;
	snprintf(err, errlen,
	         "%s: not an iommu-fleet database (an SQLite file with other tables; left as"
	         " it is): name the fleet's database with --db PATH, or move this file away",
	         path);
	return -1;
}

/* Create the file 0600 before sqlite does, whatever the umask: sqlite
 * gives the -wal and -shm files the mode of the database, so all three are
 * private (the tokens table and every report are in them).  An existing
 * file keeps its mode.  0, or -1 with err set. */
static int
db_create_private(const char *path, char *err, size_t errlen)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || path[0] == '\0' || strncmp(path, "file:", 5) == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* O_CREAT's mode is masked by the umask: 0600 or less, never more;
	 * fchmod makes it exactly 0600 */
	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
db_set_durable(struct db *db)
{
	return db_exec(db, "PRAGMA synchronous = FULL");
}

int
db_open(const char *path, struct db **out, char *err, size_t errlen)
{
	struct db *db;
	int rc;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (db_create_private(path, err, errlen) == -1)
		goto fail;
	rc = sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
		         db->h != NULL ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	if (db_check_fleet(db, path, err, errlen) == -1)
		goto fail;
	if (sqlite3_create_function_v2(db->h, "fleet_host_key", 1,
	                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                               db_fn_host_key, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	/* WAL: readers never block the writer; NORMAL sync is durable
	 * against a killed process (only power loss can drop a commit);
	 * db_set_durable() for a connection whose commits are acknowledged. */
	if (db_exec(db, "PRAGMA journal_mode = WAL") == -1 ||
	    db_exec(db, "PRAGMA synchronous = NORMAL") == -1 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") == -1) {
		snprintf(err, errlen, "%s: %s", path, db->err);
		goto fail;
	}
	if (db_migrate(db, path) == -1) {
		snprintf(err, errlen, "%s", db->err);
		goto fail;
	}
	*out = db;
	return 0;
fail:
	db_close(db);
	return -1;
}

void
db_close(struct db *db)
{
	struct db_stmt *s, *next;

	if (db == NULL)
		return;
	for (s = db->stmts; s != NULL; s = next) {
		next = s->next;
		sqlite3_finalize(s->stmt);
		free(s);
	}
	sqlite3_close(db->h);
	free(db);
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	char saved[sizeof(db->err)];

	/* keep the error that made us roll back */
	memcpy(saved, db->err, sizeof(saved));
	if (sqlite3_get_autocommit(db->h) == 0)
		(void)db_exec(db, "ROLLBACK");
	memcpy(db->err, saved, sizeof(saved));
}

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	struct db_stmt *s;

	for (s = db->stmts; s != NULL; s = s->next) {
		if (s->sql == sql || strcmp(s->sql, sql) == 0) {
			sqlite3_reset(s->stmt);
			sqlite3_clear_bindings(s->stmt);
			return s;
		}
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(db->err, sizeof(db->err), "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, NULL) !=
	    SQLITE_OK) {
		db_seterr(db, "prepare");
		free(s);
		return NULL;
	}
	s->db = db;
	s->sql = sql;
	s->next = db->stmts;
	db->stmts = s;
	return s;
}

int
db_step(struct db_stmt *st)
{
	int rc;

	rc = sqlite3_step(st->stmt);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st->stmt);
		return DB_DONE;
	}
	db_seterr(st->db, "step");
	sqlite3_reset(st->stmt);
	return -1;
}

static int
db_bindrc(struct db_stmt *st, int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	db_seterr(st->db, "bind");
	return -1;
}

static int
db_bind_null(struct db_stmt *st, int idx)
{
	return db_bindrc(st, sqlite3_bind_null(st->stmt, idx));
}

int
db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return db_bind_null(st, idx);
	return db_bindrc(st, sqlite3_bind_text(st->stmt, idx, s, -1, SQLITE_STATIC));
}

int
db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t len)
{
	return db_bindrc(st,
	                 sqlite3_bind_text64(st->stmt, idx, s, len, SQLITE_STATIC, SQLITE_UTF8));
}

int
db_bind_int(struct db_stmt *st, int idx, long long v)
{
	return db_bindrc(st, sqlite3_bind_int64(st->stmt, idx, v));
}

int
db_bind_int_or_null(struct db_stmt *st, int idx, long long v)
{
	if (v < 0)
		return db_bind_null(st, idx);
	return db_bind_int(st, idx, v);
}

int
db_bind_double(struct db_stmt *st, int idx, double v)
{
	return db_bindrc(st, sqlite3_bind_double(st->stmt, idx, v));
}

long long
db_column_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(st->stmt, col);
}

const char *
db_column_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->stmt, col);
}

int
db_column_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

long long
db_last_rowid(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

void
db_rows_free(struct db_rows *rows)
{
	size_t i;

	if (rows == NULL)
		return;
	for (i = 0; i < rows->ncols; i++)
		free(rows->names[i]);
	for (i = 0; i < rows->ncols * rows->nrows; i++)
		free(rows->cells[i].text);
	free(rows->names);
	free(rows->cells);
	memset(rows, 0, sizeof(*rows));
}

static int
db_rows_add(struct db_rows *rows, sqlite3_stmt *st)
{
	struct db_cell *cells;
	const char *t;
	size_t i, base;

	cells = reallocarray(rows->cells, (rows->nrows + 1) * rows->ncols, sizeof(*cells));
	if (cells == NULL)
		return -1;
	rows->cells = cells;
	base = rows->nrows * rows->ncols;
	for (i = 0; i < rows->ncols; i++)
		cells[base + i].text = NULL;
	rows->nrows++;
	for (i = 0; i < rows->ncols; i++) {
		switch (sqlite3_column_type(st, (int)i)) {
		case SQLITE_NULL:
			cells[base + i].type = DB_NULL;
			continue;
		case SQLITE_INTEGER:
			cells[base + i].type = DB_INTEGER;
			break;
		case SQLITE_FLOAT:
			cells[base + i].type = DB_REAL;
			break;
		default:
			cells[base + i].type = DB_TEXT;
			break;
		}
		t = (const char *)sqlite3_column_text(st, (int)i);
		cells[base + i].text = strdup(t != NULL ? t : "");
		if (cells[base + i].text == NULL)
			return -1;
	}
	return 0;
}

int
db_query(struct db *db, const char *sql, const char *const *params, size_t nparams,
         struct db_rows *out)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		db_seterr(db, "prepare");
		return -1;
	}
	/* parameters the statement does not use are ignored */
	for (i = 0; i < nparams && (int)i < sqlite3_bind_parameter_count(st); i++) {
		if (sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_TRANSIENT) !=
		    SQLITE_OK) {
			db_seterr(db, "bind");
			goto fail;
		}
	}
	out->ncols = (size_t)sqlite3_column_count(st);
	out->names = calloc(out->ncols ? out->ncols : 1, sizeof(*out->names));
	if (out->names == NULL)
		goto oom;
	for (i = 0; i < out->ncols; i++) {
		out->names[i] = strdup(sqlite3_column_name(st, (int)i));
		if (out->names[i] == NULL)
			goto oom;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (db_rows_add(out, st) == -1)
			goto oom;
	}
	if (rc != SQLITE_DONE) {
		db_seterr(db, "query");
		goto fail;
	}
	sqlite3_finalize(st);
	return 0;
oom:
	snprintf(db->err, sizeof(db->err), "out of memory");
fail:
	sqlite3_finalize(st);
	db_rows_free(out);
	return -1;
}
