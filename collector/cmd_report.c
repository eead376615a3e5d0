/*
 * cmd_report.c - "iommu-collector report WHAT": fleet, host, devices,
 * changes, outliers and attempts, from the public views, as a table, CSV or
 * JSON, with filters; "report html" (a static site) and "report prometheus"
 * (node_exporter's textfile).  I/O: the database, stdout, the files named.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/exitcode.h"
#include "common/log.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/metrics_fleet.h"
#include "collector/output.h"
#include "collector/report_filter.h"
#include "proto/hostname.h"
#include "collector/report_html.h"

/* Every report's query takes the same parameters, NULL when not given:
 * ?1 host, ?2 verdict, ?3 since, ?4 group, ?5 class, ?6 failed. */
enum { P_HOST, P_VERDICT, P_SINCE, P_GROUP, P_CLASS, P_FAILED, NPARAMS };

/* Which filters a report takes. */
#define F_VERDICT (1u << P_VERDICT)
#define F_SINCE (1u << P_SINCE)
#define F_GROUP (1u << P_GROUP)
#define F_CLASS (1u << P_CLASS)
#define F_FAILED (1u << P_FAILED)

#define W_HOST " (?1 IS NULL OR hostname = ?1)"
#define W_GROUP                                                                                    \
	" (?4 IS NULL OR hostname IN (SELECT hostname FROM host_groups WHERE group_name = ?4))"

/* The table for people: the columns that fit a terminal.  CSV and JSON get
 * every column of host_status. */
#define FLEET_WHERE                                                                                \
	" WHERE (?2 IS NULL OR verdict = ?2) AND (?3 IS NULL OR collected_at >= ?3) AND" W_GROUP   \
	" AND (?6 IS NULL OR " REPORT_FILTER_FAILED_SQL(                                           \
	        "last_attempt_status") ")"                                                         \
	                               " ORDER BY hostname"
static const char SQL_FLEET_TABLE[] =
        "SELECT hostname, verdict, iommu_vendor AS iommu, iommu_enabled AS enabled,"
        " interrupt_remapping AS intremap, default_domain AS domain, dma_faults AS faults,"
        " group_count AS groups, device_count AS devices, kernel, collected_at,"
        " last_attempt_status AS last_attempt, reason FROM host_status" FLEET_WHERE;
static const char SQL_FLEET_ALL[] = "SELECT * FROM host_status" FLEET_WHERE;
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
static const char SQL_DEVICES[] =
        "SELECT * FROM device_status WHERE" W_HOST " AND (?2 IS NULL OR verdict = ?2) AND" W_GROUP
        " AND (?5 IS NULL OR " REPORT_FILTER_CLASS_SQL " = ?5)"
        " ORDER BY hostname, address";
static const char SQL_CHANGES[] =
        "SELECT * FROM host_changes WHERE" W_HOST
        " AND (?3 IS NULL OR changed_at >= ?3) AND" W_GROUP " ORDER BY hostname, changed_at, field";
static const char SQL_OUTLIERS[] = "SELECT * FROM cohort_outliers WHERE" W_GROUP
                                   " ORDER BY product_name, bios_version, field, cohort, hostname";
static const char SQL_ATTEMPTS[] =
        "SELECT * FROM attempts WHERE" W_HOST " AND (?3 IS NULL OR started_at >= ?3) AND" W_GROUP
        " AND (?6 IS NULL OR " REPORT_FILTER_FAILED_SQL("status") ")"
                                                                  " ORDER BY started_at, hostname";
static const char SQL_KNOWN_HOST[] = "SELECT 1 FROM hosts WHERE hostname = ?1";

struct report_opts {
	enum output_format fmt;
	const char *param[NPARAMS];
	char since[REPORT_FILTER_TIME_LEN];
	const char *out; /* html, prometheus: --out */
	unsigned given;  /* F_* */
};

struct report_kind {
	const char *name;
	const char *sql_table, *sql_all; /* NULL: host, html, prometheus */
	unsigned filters;                /* F_* it takes */
	int host_arg;                    /* 0 none, 1 optional HOST, 2 required NAME */
};

static const struct report_kind kinds[] = {
        {"fleet", SQL_FLEET_TABLE, SQL_FLEET_ALL, F_VERDICT | F_SINCE | F_GROUP | F_FAILED, 0},
        {"host", NULL, NULL, 0, 2},
        {"devices", SQL_DEVICES, SQL_DEVICES, F_VERDICT | F_GROUP | F_CLASS, 1},
        {"changes", SQL_CHANGES, SQL_CHANGES, F_SINCE | F_GROUP, 1},
        {"outliers", SQL_OUTLIERS, SQL_OUTLIERS, F_GROUP, 0},
        {"attempts", SQL_ATTEMPTS, SQL_ATTEMPTS, F_SINCE | F_GROUP | F_FAILED, 1},
        {"html", NULL, NULL, 0, 0},
        {"prometheus", NULL, NULL, 0, 0},
};

static const char *const option_names[NPARAMS] = {
        NULL, "--verdict", "--since", "--group", "--class", "--failed",
};

static void
report_usage(FILE *fp)
{
	fprintf(fp, "usage: iommu-collector report [--format table|csv|json] [FILTERS] WHAT\n"
	            "       iommu-collector report html --out DIR\n"
	            "       iommu-collector report prometheus [--out FILE]\n"
	            "  WHAT: fleet | host NAME | devices [HOST] | changes [HOST] |\n"
	            "        outliers | attempts [HOST]\n"
	            "  FILTERS: --verdict ready|not-ready|unknown (fleet, devices)\n"
	            "           --since 7d|24h|RFC3339 (fleet, changes, attempts)\n"
	            "           --failed (fleet: last attempt failed; attempts)\n"
	            "           --class gpu|nic|storage|usb|other (devices)\n"
	            "           --group NAME (inventory group or tag; every report)\n");
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
section(struct db *db, struct output *o, const char *title, const char *sql,
        const char *const *params, size_t nparams, int transpose)
{
	struct db_rows rows;

	if (db_query(db, sql, params, nparams, &rows) == -1) {
		log_warnx("%s: %s", title, db_error(db));
		return -1;
	}
	return print_rows(o, title, &rows, transpose);
}

/* 1 when the database knows the host, 0 when not (said), -1 error (said). */
static int
host_known(struct db *db, const char *name)
{
	struct db_rows rows;
	char *e;
	int known;

	if (db_query(db, SQL_KNOWN_HOST, &name, 1, &rows) == -1) {
		log_warnx("host: %s", db_error(db));
		return -1;
	}
	known = rows.nrows > 0;
	db_rows_free(&rows);
	if (!known) {
		e = output_escape(name);
		log_warnx("unknown host \"%s\"", e != NULL ? e : "?");
		free(e);
	}
	return known;
}

/* name: a host report_run found known. */
static int
report_host(struct db *db, struct output *o, const char *name)
{
	if (section(db, o, "host", SQL_HOST, &name, 1, o->fmt == OUTPUT_TABLE) == -1 ||
	    section(db, o, "checks", SQL_HOST_CHECKS, &name, 1, 0) == -1 ||
	    section(db, o, "devices", SQL_HOST_DEVICES, &name, 1, 0) == -1 ||
	    section(db, o, "attempts", SQL_HOST_ATTEMPTS, &name, 1, 0) == -1)
		return EXIT_FAILURE_;
	return EXIT_OK;
}

/* One option's value into ro: EXIT_OK or EXIT_USAGE (said). */
static int
report_opt(struct report_opts *ro, int ch, const char *arg)
{
	char err[160];

	switch (ch) {
	case 'f':
		if (output_format_parse(arg, &ro->fmt) == -1) {
			log_warnx("unknown format \"%s\" (table, csv, json)", arg);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	case 'V':
		if (strcmp(arg, "ready") != 0 && strcmp(arg, "not-ready") != 0 &&
		    strcmp(arg, "unknown") != 0) {
			log_warnx("--verdict \"%s\": not ready, not-ready or unknown", arg);
			return EXIT_USAGE;
		}
		ro->param[P_VERDICT] = arg;
		break;
	case 's':
		if (report_filter_since(arg, time(NULL), ro->since, err, sizeof(err)) == -1) {
			log_warnx("--since \"%s\": %s", arg, err);
			return EXIT_USAGE;
		}
		ro->param[P_SINCE] = ro->since;
		break;
	case 'c':
		if (!report_filter_class_ok(arg)) {
			log_warnx("--class \"%s\": not gpu, nic, storage, usb or other", arg);
			return EXIT_USAGE;
		}
		ro->param[P_CLASS] = arg;
		break;
	case 'g':
		ro->param[P_GROUP] = arg;
		break;
	case 'F':
		ro->param[P_FAILED] = "1";
		break;
	case 'o':
		ro->out = arg;
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
	ro->given |= 1u << (ch == 'V'   ? P_VERDICT
	                    : ch == 's' ? P_SINCE
	                    : ch == 'c' ? P_CLASS
	                    : ch == 'g' ? P_GROUP
	                                : P_FAILED);
	return EXIT_OK;
}

/* The options (anywhere on the line): -1 to go on, or an exit code. */
static int
report_opts_parse(int argc, char **argv, struct report_opts *ro)
{
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"verdict", required_argument, NULL, 'V'},
	        {"since", required_argument, NULL, 's'},
	        {"class", required_argument, NULL, 'c'},
	        {"group", required_argument, NULL, 'g'},
	        {"failed", no_argument, NULL, 'F'},
	        {"out", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int ch;

	memset(ro, 0, sizeof(*ro));
	while ((ch = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			report_usage(stdout);
			return EXIT_OK;
		}
		if (ch == '?' || ch == ':' || report_opt(ro, ch, optarg) != EXIT_OK) {
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* The report's arguments and options agree: EXIT_OK or EXIT_USAGE (said). */
static int
report_check(const struct report_kind *k, const struct report_opts *ro, int nargs)
{
	size_t i;

	for (i = 0; i < NPARAMS; i++) {
		if ((ro->given & (1u << i)) && !(k->filters & (1u << i))) {
			log_warnx("%s does not apply to \"report %s\"", option_names[i], k->name);
			return EXIT_USAGE;
		}
	}
	if (ro->out != NULL && strcmp(k->name, "html") != 0 && strcmp(k->name, "prometheus") != 0) {
		log_warnx("--out applies to \"report html\" and \"report prometheus\" only");
		return EXIT_USAGE;
	}
	if (strcmp(k->name, "html") == 0 && ro->out == NULL) {
		log_warnx("report html: --out DIR is required");
		return EXIT_USAGE;
	}
	if (nargs > (k->host_arg != 0) || (k->host_arg == 2 && nargs == 0)) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
report_run(struct db *db, const struct report_kind *k, struct report_opts *ro)
{
	struct output o;
	int rc;

	if (strcmp(k->name, "html") == 0)
		return report_html_write(db, ro->out) == 0 ? EXIT_OK : EXIT_FAILURE_;
	if (strcmp(k->name, "prometheus") == 0)
		return metrics_fleet_textfile(db, ro->out) == 0 ? EXIT_OK : EXIT_FAILURE_;
	if (ro->param[P_HOST] != NULL && (rc = host_known(db, ro->param[P_HOST])) != 1)
		return EXIT_FAILURE_;
	output_init(&o, stdout, ro->fmt, k->sql_table == NULL);
	if (k->sql_table == NULL)
		rc = report_host(db, &o, ro->param[P_HOST]);
	else
		rc = section(db, &o, k->name, ro->fmt == OUTPUT_TABLE ? k->sql_table : k->sql_all,
		             ro->param, NPARAMS, 0) == -1
		             ? EXIT_FAILURE_
		             : EXIT_OK;
	if (output_end(&o) == -1 && rc == EXIT_OK) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	}
	return rc;
}

int
cmd_report(struct collector *c, int argc, char **argv)
{
	const struct report_kind *k = NULL;
	struct report_opts ro;
	char hostkey[HOSTNAME_MAX + 1];
	struct db *db;
	size_t i;
	int rc;

	if ((rc = report_opts_parse(argc, argv, &ro)) != -1)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(argv[0], kinds[i].name) == 0)
			k = &kinds[i];
	if (k == NULL) {
		log_warnx("unknown report \"%s\"", argv[0]);
		report_usage(stderr);
		return EXIT_USAGE;
	}
	if ((rc = report_check(k, &ro, argc - 1)) != EXIT_OK)
		return rc;
	/* hosts are stored under their key: any spelling of the name finds one;
	 * a longer name than any host's would be cut to another host's key */
	if (argc > 1 && strlen(argv[1]) > HOSTNAME_MAX) {
		log_warnx("report %s: a host name is at most %d bytes", k->name, HOSTNAME_MAX);
		return EXIT_USAGE;
	}
	if (argc > 1)
		hostname_key(argv[1], hostkey, sizeof(hostkey));
	ro.param[P_HOST] = argc > 1 ? hostkey : NULL;
	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	rc = report_run(db, k, &ro);
	db_close(db);
	return rc;
}
