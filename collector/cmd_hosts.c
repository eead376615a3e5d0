/*
 * cmd_hosts.c - "iommu-collector hosts": list the known hosts, or
 * "hosts forget NAME" to remove one with all its history.  I/O: the
 * database, stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/log.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/output.h"
#include "collector/store.h"

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
	            "       iommu-collector hosts forget NAME\n");
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

int
cmd_hosts(struct collector *c, int argc, char **argv)
{
	enum output_format fmt = OUTPUT_TABLE;
	int ch;

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
