/*
 * bench_import_raw.c - the baseline for bench_import.sh: the raw
 * single-writer SQLite rate for the same rows the collector stored.  Reads
 * every row of each report from the collector's database (untimed, in
 * chunks), then inserts them into a fresh database with the same schema
 * and pragmas using prepared statements, one BEGIN IMMEDIATE transaction per
 * report (timed).  Prints "raw N reports S seconds R reports/s".
 * With FROM and TO only contents FROM..TO (row ids) are copied, into DEST
 * as it is, so the benchmark can interleave slices with the real import.
 * usage: bench_import_raw SOURCE.db DEST.db [FROM TO]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define CHUNK 500

/* Tables in insert order, and how to find one report's rows in each. */
static const struct {
	const char *table;
	const char *where; /* ?1 = contents.id */
} tables[] = {
        {"hosts", "id = (SELECT host_id FROM contents WHERE id = ?1)"},
        {"contents", "id = ?1"},
        {"iommu_groups", "content_id = ?1"},
        {"reserved_regions", "content_id = ?1"},
        {"devices", "content_id = ?1"},
        {"cmdline_params", "content_id = ?1"},
        {"kernel_log_lines", "content_id = ?1"},
        {"faults", "content_id = ?1"},
        {"checks", "content_id = ?1"},
        {"report_errors", "content_id = ?1"},
        {"observations", "content_id = ?1"},
        {"collection_attempts",
         "observation_id IN (SELECT id FROM observations WHERE content_id = ?1)"},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

struct row {
	int table;
	int ncols;
	sqlite3_value **v;
};

struct report_rows {
	struct row *rows;
	size_t n;
};

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bench_import_raw: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_import_raw: %s: %s\n", sql, msg);
		exit(1);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	sqlite3 *src, *dst;
	sqlite3_stmt *sel[NTABLES], *ins[NTABLES], *st, *ids;
	struct report_rows *chunk;
	long long *cids = NULL;
	size_t ncids = 0, i, j, k, t, c;
	double timed = 0, t0;
	char sql[512];
	int col;

	long long from = 0, to = -1;
	int fresh;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: bench_import_raw SOURCE.db DEST.db [FROM TO]\n");
		return 2;
	}
	if (argc == 5) {
		from = strtoll(argv[3], NULL, 10);
		to = strtoll(argv[4], NULL, 10);
	}
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(src, argv[1]);
	if (argc == 3)
		remove(argv[2]);
	if (sqlite3_open(argv[2], &dst) != SQLITE_OK)
		die(dst, argv[2]);
	/* the collector's pragmas */
	sqlite3_busy_timeout(dst, 60000);
	exec(dst, "PRAGMA journal_mode = WAL");
	exec(dst, "PRAGMA synchronous = NORMAL");
	exec(dst, "PRAGMA foreign_keys = ON");
	/* the same tables and indexes (views cost nothing on insert) */
	if (sqlite3_prepare_v2(dst, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
	            SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die(dst, "sqlite_master");
	fresh = sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	if (fresh && sqlite3_prepare_v2(src,
	                                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
	                                " AND type IN ('table', 'index') ORDER BY type DESC, rowid",
	                                -1, &st, NULL) != SQLITE_OK)
		die(src, "schema");
	while (fresh && sqlite3_step(st) == SQLITE_ROW)
		exec(dst, (const char *)sqlite3_column_text(st, 0));
	if (fresh)
		sqlite3_finalize(st);

	for (t = 0; t < NTABLES; t++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE %s", tables[t].table,
		         tables[t].where);
		if (sqlite3_prepare_v2(src, sql, -1, &sel[t], NULL) != SQLITE_OK)
			die(src, sql);
		c = (size_t)sqlite3_column_count(sel[t]);
		snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (", tables[t].table);
		for (i = 0; i < c; i++)
			strncat(sql, i ? ", ?" : "?", sizeof(sql) - strlen(sql) - 1);
		strncat(sql, ")", sizeof(sql) - strlen(sql) - 1);
		if (sqlite3_prepare_v3(dst, sql, -1, SQLITE_PREPARE_PERSISTENT, &ins[t], NULL) !=
		    SQLITE_OK)
			die(dst, sql);
	}
	/* hosts.latest_observation_id etc. point forward: no FK there, fine */
	if (sqlite3_prepare_v2(src,
	                       "SELECT id FROM contents WHERE id >= ?1 AND (?2 < 0 OR id <= ?2)"
	                       " ORDER BY id",
	                       -1, &ids, NULL) != SQLITE_OK)
		die(src, "ids");
	sqlite3_bind_int64(ids, 1, from);
	sqlite3_bind_int64(ids, 2, to);
	while (sqlite3_step(ids) == SQLITE_ROW) {
		cids = realloc(cids, (ncids + 1) * sizeof(*cids));
		if (cids == NULL)
			return 1;
		cids[ncids++] = sqlite3_column_int64(ids, 0);
	}
	sqlite3_finalize(ids);

	chunk = calloc(CHUNK, sizeof(*chunk));
	if (chunk == NULL)
		return 1;
	for (i = 0; i < ncids; i += CHUNK) {
		size_t n = ncids - i < CHUNK ? ncids - i : CHUNK;

		/* load, untimed */
		for (j = 0; j < n; j++) {
			struct report_rows *rr = &chunk[j];

			rr->n = 0;
			for (t = 0; t < NTABLES; t++) {
				sqlite3_bind_int64(sel[t], 1, cids[i + j]);
				while (sqlite3_step(sel[t]) == SQLITE_ROW) {
					struct row *r;

					rr->rows =
					        realloc(rr->rows, (rr->n + 1) * sizeof(*rr->rows));
					if (rr->rows == NULL)
						return 1;
					r = &rr->rows[rr->n++];
					r->table = (int)t;
					r->ncols = sqlite3_column_count(sel[t]);
					r->v = calloc((size_t)r->ncols, sizeof(*r->v));
					if (r->v == NULL)
						return 1;
					for (col = 0; col < r->ncols; col++)
						r->v[col] = sqlite3_value_dup(
						        sqlite3_column_value(sel[t], col));
				}
				sqlite3_reset(sel[t]);
			}
		}
		/* insert, timed: one transaction per report */
		t0 = now();
		for (j = 0; j < n; j++) {
			struct report_rows *rr = &chunk[j];

			exec(dst, "BEGIN IMMEDIATE");
			for (k = 0; k < rr->n; k++) {
				struct row *r = &rr->rows[k];

				st = ins[r->table];
				for (col = 0; col < r->ncols; col++)
					sqlite3_bind_value(st, col + 1, r->v[col]);
				if (sqlite3_step(st) != SQLITE_DONE)
					die(dst, tables[r->table].table);
				sqlite3_reset(st);
			}
			exec(dst, "COMMIT");
		}
		timed += now() - t0;
		for (j = 0; j < n; j++) {
			for (k = 0; k < chunk[j].n; k++) {
				for (col = 0; col < chunk[j].rows[k].ncols; col++)
					sqlite3_value_free(chunk[j].rows[k].v[col]);
				free(chunk[j].rows[k].v);
			}
		}
	}
	printf("raw %zu reports %.3f seconds %.0f reports/s\n", ncids, timed,
	       timed > 0 ? (double)ncids / timed : 0.0);
	for (t = 0; t < NTABLES; t++) {
		sqlite3_finalize(sel[t]);
		sqlite3_finalize(ins[t]);
	}
	for (j = 0; j < CHUNK; j++)
		free(chunk[j].rows);
	free(chunk);
	free(cids);
	sqlite3_close(src);
	sqlite3_close(dst);
	return 0;
}
