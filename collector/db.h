/*
 * db.h - the collector's SQLite adapter: open, pragmas, migrations,
 * transactions, prepared statements and whole-result queries (I/O).
 * The only interface to sqlite3; no other file includes sqlite3.h.
 *
 * Errors: functions return 0 (or a row flag) on success and -1 on error;
 * db_error() then holds sqlite's own message.  Strings returned by
 * db_column_text() are borrowed until the next step or reset.
 */
#ifndef IOMMU_FLEET_DB_H
#define IOMMU_FLEET_DB_H

#include <stddef.h>

struct db;
struct db_stmt;

struct db_migration {
	int version;      /* PRAGMA user_version after it is applied */
	const char *name; /* "001-initial" */
	const char *sql;
};

/* Generated from schema/NNN-*.sql; ends with a {0, NULL, NULL} entry. */
extern const struct db_migration db_migrations[];

/* Open (creating when missing) and migrate to the newest schema.  path
 * ":memory:" gives a private in-memory database.  On failure returns -1 and
 * writes a message to err; a database newer than this binary is refused,
 * and so, unmodified, is an SQLite file that is neither empty nor a fleet
 * database.  SQL on the connection may call fleet_host_key(name) (proto's
 * hostname_key). */
int db_open(const char *path, struct db **out, char *err, size_t errlen);
void db_close(struct db *db); /* NULL is a no-op */

/* Make every later commit on this connection durable against power loss
 * (synchronous=FULL: the WAL is fsynced at each commit), for a connection
 * whose commits are acknowledged to someone (serve's writer: its 201).
 * Other connections keep NORMAL: durable against a killed process only.
 * 0, or -1 with db_error() set. */
int db_set_durable(struct db *db);

int db_schema_version(void); /* newest version compiled in */
const char *db_error(struct db *db);
/* 1 when that error was a full disk (SQLITE_FULL): the caller can say so. */
int db_error_full(struct db *db);
void db_set_error(struct db *db, const char *msg); /* for callers' own checks */

/* BEGIN IMMEDIATE (waits up to the busy timeout for other writers). */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Prepared statements, cached per db by sql text: sql must outlive db (a
 * string literal).  The statement comes back reset with no bindings.  Never
 * finalised by the caller. */
struct db_stmt *db_prepare(struct db *db, const char *sql);
#define DB_ROW 1
#define DB_DONE 0
int db_step(struct db_stmt *st); /* DB_ROW, DB_DONE or -1 */
/* Bindings: idx from 1.  Text is copied by sqlite only when needed: it must
 * stay valid until the statement is stepped to DB_DONE or reset. */
int db_bind_text(struct db_stmt *st, int idx, const char *s); /* NULL binds NULL */
int db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t len);
int db_bind_int(struct db_stmt *st, int idx, long long v);
int db_bind_int_or_null(struct db_stmt *st, int idx, long long v); /* v < 0: NULL */
int db_bind_double(struct db_stmt *st, int idx, double v);
long long db_column_int(struct db_stmt *st, int col);
const char *db_column_text(struct db_stmt *st, int col); /* NULL for NULL */
int db_column_is_null(struct db_stmt *st, int col);
long long db_last_rowid(struct db *db);
int db_changes(struct db *db);

/* A whole result set as strings, for reports. */
enum db_type { DB_NULL = 0, DB_INTEGER, DB_REAL, DB_TEXT };
struct db_cell {
	enum db_type type;
	char *text; /* NULL for DB_NULL, else the value as text */
};
struct db_rows {
	size_t ncols;
	size_t nrows;
	char **names;          /* ncols column names */
	struct db_cell *cells; /* nrows * ncols, row-major */
};
/* Run one statement with text parameters (NULL entries bind NULL) and
 * collect every row.  0, or -1 with db_error() set; rows freed by caller. */
int db_query(struct db *db, const char *sql, const char *const *params, size_t nparams,
             struct db_rows *out);
void db_rows_free(struct db_rows *rows);

#endif
