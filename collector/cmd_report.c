/*
 * cmd_report.c - "iommu-collector report WHAT": fleet, host, devices,
 * changes, outliers and attempts, from the public views, as a table, CSV or
 * JSON.  I/O: the database, stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/log.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/output.h"

/* The table for people: the columns that fit a terminal.  CSV and JSON get
 * every column of host_status. */
static const char SQL_FLEET_TABLE[] =
        "SELECT hostname, verdict, iommu_vendor AS iommu,"
        " CASE iommu_enabled WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END AS enabled,"
        " CASE interrupt_remapping WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END AS intremap,"
        " default_domain AS domain, dma_faults AS faults, group_count AS groups,"
        " device_count AS devices, kernel, collected_at,"
        " last_attempt_status AS last_attempt, reason"
        " FROM host_status ORDER BY hostname";
static const char SQL_FLEET_ALL[] = "SELECT * FROM host_status ORDER BY hostname";
static const char SQL_HOST[] = "SELECT * FROM host_status WHERE hostname = ?1";
static const char SQL_HOST_CHECKS[] = "SELECT k.check_id AS id, k.status, k.summary FROM hosts h"
                                      " JOIN observations o ON o.id = h.latest_observation_id"
                                      " JOIN checks k ON k.content_id = o.content_id"
                                      " WHERE h.hostname = ?1 ORDER BY k.seq";
static const char SQL_HOST_DEVICES[] =
        "SELECT address, vendor_id, device_id, class, name, driver, iommu_group,"
        " group_size, isolated, verdict, reasons FROM device_status"
        " WHERE hostname = ?1 ORDER BY address";
static const char SQL_HOST_ATTEMPTS[] =
        "SELECT started_at, transport, status, error FROM"
        " (SELECT a.id, a.started_at, a.transport, a.status, a.error"
        "  FROM collection_attempts a JOIN hosts h ON h.id = a.host_id"
        "  WHERE h.hostname = ?1 ORDER BY a.id DESC LIMIT 10) ORDER BY id";
static const char SQL_DEVICES[] = "SELECT * FROM device_status WHERE ?1 IS NULL OR hostname = ?1"
                                  " ORDER BY hostname, address";
static const char SQL_CHANGES[] = "SELECT * FROM host_changes WHERE ?1 IS NULL OR hostname = ?1"
                                  " ORDER BY hostname, changed_at, field";
static const char SQL_OUTLIERS[] = "SELECT * FROM cohort_outliers"
                                   " ORDER BY product_name, bios_version, field, hostname";
static const char SQL_ATTEMPTS[] = "SELECT * FROM attempts WHERE ?1 IS NULL OR hostname = ?1"
                                   " ORDER BY started_at, hostname";

static void
report_usage(FILE *fp)
{
	fprintf(fp, "usage: iommu-collector report [--format table|csv|json] WHAT\n"
	            "  WHAT: fleet | host NAME | devices [HOST] | changes [HOST] |\n"
	            "        outliers | attempts [HOST]\n");
}

static int
print_rows(struct output *o, const char *title, struct db_rows *rows, int transpose)
{
	struct db_rows t;
	int rc;

	if (transpose) {
		rc = output_transpose(rows, &t);
		db_rows_free(rows);
		if (rc == -1) {
			log_warnx("out of memory");
			return -1;
		}
		*rows = t;
	}
	rc = output_section(o, title, rows);
	db_rows_free(rows);
	if (rc == -1)
		log_warn("stdout");
	return rc;
}

static int
section(struct db *db, struct output *o, const char *title, const char *sql, const char *param,
        int transpose)
{
	struct db_rows rows;

	if (db_query(db, sql, &param, 1, &rows) == -1) {
		log_warnx("%s: %s", title, db_error(db));
		return -1;
	}
	return print_rows(o, title, &rows, transpose);
}

static int
report_host(struct db *db, struct output *o, const char *name)
{
	struct db_rows rows;

	if (db_query(db, SQL_HOST, &name, 1, &rows) == -1) {
		log_warnx("host: %s", db_error(db));
		return EXIT_FAILURE_;
	}
	if (rows.nrows == 0) {
		db_rows_free(&rows);
		log_warnx("unknown host");
		return EXIT_FAILURE_;
	}
	if (print_rows(o, "host", &rows, o->fmt == OUTPUT_TABLE) == -1 ||
	    section(db, o, "checks", SQL_HOST_CHECKS, name, 0) == -1 ||
	    section(db, o, "devices", SQL_HOST_DEVICES, name, 0) == -1 ||
	    section(db, o, "attempts", SQL_HOST_ATTEMPTS, name, 0) == -1)
		return EXIT_FAILURE_;
	return EXIT_OK;
}

int
cmd_report(struct collector *c, int argc, char **argv)
{
	enum output_format fmt = OUTPUT_TABLE;
	int ch;
	struct output o;
	struct db *db;
	const char *what, *arg, *sql;
	int rc, maxargs;

	if ((ch = collector_listing_opts(argc, argv, &fmt, report_usage)) != -1)
		return ch;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	what = argv[0];
	arg = argc > 1 ? argv[1] : NULL;
	maxargs = 1;
	if (strcmp(what, "fleet") == 0)
		sql = fmt == OUTPUT_TABLE ? SQL_FLEET_TABLE : SQL_FLEET_ALL;
	else if (strcmp(what, "host") == 0) {
		sql = NULL;
		maxargs = 2;
		if (arg == NULL) {
			report_usage(stderr);
			return EXIT_USAGE;
		}
	} else if (strcmp(what, "devices") == 0) {
		sql = SQL_DEVICES;
		maxargs = 2;
	} else if (strcmp(what, "changes") == 0) {
		sql = SQL_CHANGES;
		maxargs = 2;
	} else if (strcmp(what, "outliers") == 0)
		sql = SQL_OUTLIERS;
	else if (strcmp(what, "attempts") == 0) {
		sql = SQL_ATTEMPTS;
		maxargs = 2;
	} else {
		log_warnx("unknown report \"%s\"", what);
		report_usage(stderr);
		return EXIT_USAGE;
	}
	if (argc > maxargs) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	output_init(&o, stdout, fmt, sql == NULL);
	if (sql == NULL)
		rc = report_host(db, &o, arg);
	else
		rc = section(db, &o, what, sql, arg, 0) == -1 ? EXIT_FAILURE_ : EXIT_OK;
	if (output_end(&o) == -1 && rc == EXIT_OK) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	}
	db_close(db);
	return rc;
}
