/*
 * cmd_hosts.c - "iommu-collector hosts": list the known hosts, "hosts
 * forget NAME" to remove one with all its history, or "hosts prune
 * --older-than DURATION" to drop old history.  I/O: the database, stdout.
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
#include "collector/output.h"
#include "collector/report_filter.h"
#include "collector/store.h"
#include "collector/store_prune.h"

static const char SQL_HOSTS[] =
        "SELECT h.hostname, h.first_seen,"
        " (SELECT count(*) FROM observations o WHERE o.host_id = h.id) AS observations,"
        " (SELECT count(*) FROM contents c WHERE c.host_id = h.id) AS distinct_reports,"
        " s.collected_at AS last_report, s.verdict, s.last_attempt_status AS last_attempt"
        " FROM hosts h JOIN host_status s ON s.hostname = h.hostname"
        " ORDER BY h.hostname";

static void
hosts_usage(FILE *fp)
{
	fprintf(fp, "usage: iommu-collector hosts [--format table|csv|json]\n"
	            "       iommu-collector hosts forget NAME\n"
	            "       iommu-collector hosts prune --older-than DURATION|TIME   (180d, 24h,"
	            " RFC 3339)\n");
}

static int
hosts_forget(struct collector *c, const char *name)
{
	struct db *db;
	char *e;
	int rc;

	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	rc = store_forget_host(db, name);
	e = output_escape(name);
	if (rc == -1)
		log_warnx("forget: %s", db_error(db));
	else if (rc == 0)
		log_warnx("unknown host \"%s\"", e != NULL ? e : "?");
	else
		printf("forgot host %s\n", e != NULL ? e : "?");
	free(e);
	db_close(db);
	return rc == 1 ? EXIT_OK : EXIT_FAILURE_;
}

/* Observations and attempts before the time, and contents nothing uses:
 * each host keeps its latest report and last attempt. */
static int
hosts_prune(struct collector *c, const char *older)
{
	struct store_prune_counts n;
	char before[REPORT_FILTER_TIME_LEN], err[200];
	struct db *db;
	int rc;

	if (report_filter_since(older, time(NULL), before, err, sizeof(err)) == -1) {
		log_warnx("prune --older-than: %s", err);
		return EXIT_USAGE;
	}
	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	rc = store_prune(db, before, &n);
	if (rc == -1)
		log_warnx("prune: %s (what was pruned before stays pruned)", db_error(db));
	else
		printf("pruned before %s: %lld observations, %lld report contents, %lld attempts\n",
		       before, n.observations, n.contents, n.attempts);
	db_close(db);
	return rc == 0 ? EXIT_OK : EXIT_FAILURE_;
}

int
cmd_hosts(struct collector *c, int argc, char **argv)
{
	enum output_format fmt = OUTPUT_TABLE;
	int ch;

	/* prune's option is its own: before the listing options see it */
	if (argc == 4 && strcmp(argv[1], "prune") == 0 && strcmp(argv[2], "--older-than") == 0)
		return hosts_prune(c, argv[3]);
	if (argc == 3 && strcmp(argv[1], "prune") == 0 &&
	    strncmp(argv[2], "--older-than=", 13) == 0)
		return hosts_prune(c, argv[2] + 13);
	if ((ch = collector_listing_opts(argc, argv, &fmt, hosts_usage)) != -1)
		return ch;
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		if (strcmp(argv[0], "forget") == 0 && argc == 2)
			return hosts_forget(c, argv[1]);
		hosts_usage(stderr);
		return EXIT_USAGE;
	}
	return collector_print_query(c, "hosts", SQL_HOSTS, fmt);
}
