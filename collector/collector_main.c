/*
 * collector_main.c - iommu-collector: global options and a table that
 * dispatches to one file per subcommand (git style).  I/O: stdout/stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/exitcode.h"
#include "common/log.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/output.h"

/* ./fleet.db from a checkout; packages build with the system's place
 * (-DIOMMU_FLEET_DEFAULT_DB=/var/lib/iommu-fleet/fleet.db) */
#ifndef IOMMU_FLEET_DEFAULT_DB
#define IOMMU_FLEET_DEFAULT_DB "fleet.db"
#endif

/* The settings of collector.conf (iommu-fleet.conf(5)); serve and pull
 * check the values of theirs. */
static const char *const collector_conf_keys[] = {
        "db",          "listen",   "tls_cert",        "tls_key", "inventory", "jobs",
        "known_hosts", "identity", "connect_timeout", "timeout", NULL,
};

static const struct subcommand {
	const char *name;
	int (*fn)(struct collector *, int, char **);
	const char *summary;
} subcommands[] = {
        {"import", cmd_import, "import [FILE | DIR | -]...  validate and store reports"},
        {"report", cmd_report,
         "report [--format table|csv|json] fleet | host NAME | devices [HOST]\n"
         "         | changes [HOST] | outliers | attempts [HOST]"},
        {"hosts", cmd_hosts, "hosts [--format F] | hosts forget NAME"},
        {"pull", cmd_pull,
         "pull [HOST...] [--inventory FILE] [--jobs N] ...  audit hosts over SSH"},
        {"keys", cmd_keys, "keys [HOST...] [--inventory FILE] ...  host keys against known_hosts"},
        {"serve", cmd_serve,
         "serve [--listen ADDR:PORT] [--tls-cert F --tls-key F] ...  receive pushed reports"},
        {"token", cmd_token, "token add HOST | token list | token revoke HOST  push tokens"},
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: iommu-collector [--db PATH] [--config FILE] [-v] COMMAND [ARGS]\n"
	            "\ncommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(fp, "  %s\n", subcommands[i].summary);
	fprintf(fp,
	        "\noptions:\n"
	        "  --db PATH       database (default $IOMMU_FLEET_DB, else db = in the\n"
	        "                  configuration, else %s)\n"
	        "  --config FILE   settings of every command (iommu-fleet.conf(5))\n"
	        "  -v              more diagnostics\n"
	        "  --version   print the version and schema version\n"
	        "\nexit status: 0 ok, 1 failure, 2 usage, 3 partial (some reports\n"
	        "rejected or some hosts failed)\n",
	        IOMMU_FLEET_DEFAULT_DB);
}

int
collector_open(struct collector *c, struct db **out)
{
	char err[600];

	if (db_open(c->db_path, out, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

int
collector_open_existing(struct collector *c, struct db **out)
{
	struct stat sb;

	if (strcmp(c->db_path, ":memory:") != 0 && stat(c->db_path, &sb) == -1) {
		if (errno == ENOENT)
			log_warnx("%s: no such database (import, pull, serve or token add"
			          " make one; or name another with --db PATH)",
			          c->db_path);
		else
			log_warn("%s", c->db_path);
		return -1;
	}
	return collector_open(c, out);
}

int
collector_print_query(struct collector *c, const char *title, const char *sql,
                      enum output_format fmt)
{
	struct db_rows rows;
	struct output o;
	struct db *db;
	int rc;

	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	if (db_query(db, sql, NULL, 0, &rows) == -1) {
		log_warnx("%s: %s", title, db_error(db));
		db_close(db);
		return EXIT_FAILURE_;
	}
	output_init(&o, stdout, fmt, 0);
	rc = output_section(&o, title, &rows) == -1 || output_end(&o) == -1 ? EXIT_FAILURE_
	                                                                    : EXIT_OK;
	if (rc != EXIT_OK)
		log_warn("stdout");
	db_rows_free(&rows);
	db_close(db);
	return rc;
}

int
collector_listing_opts(int argc, char **argv, enum output_format *fmt, void (*print_usage)(FILE *))
{
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (output_format_parse(optarg, fmt) == -1) {
				log_warnx("unknown format \"%s\" (table, csv, json)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			print_usage(stdout);
			return EXIT_OK;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	return -1;
}

static int collector_run(struct collector *c, int argc, char **argv);

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"db", required_argument, NULL, 'd'}, {"config", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},     {"verbose", no_argument, NULL, 'v'},
	        {"version", no_argument, NULL, 'V'},  {NULL, 0, NULL, 0},
	};
	struct collector c;
	const char *env, *db_opt = NULL, *config = NULL;
	char err[512];
	int ch, rc;

	memset(&c, 0, sizeof(c));
	/* "+": stop at the subcommand, whose options are its own */
	while ((ch = getopt_long(argc, argv, "+hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db_opt = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'v':
			c.verbose++;
			break;
		case 'V':
			printf("iommu-collector %s (schema %d)\n", IOMMU_FLEET_VERSION,
			       db_schema_version());
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	log_init("iommu-collector", c.verbose);
	if (config != NULL &&
	    (rc = conf_load(config, collector_conf_keys, &c.conf, err, sizeof(err))) != 0) {
		log_warnx("%s", err);
		return rc == -1 ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	/* --db, then the environment, then the file, then the default */
	env = getenv("IOMMU_FLEET_DB");
	c.db_path = db_opt != NULL                    ? db_opt
	            : env != NULL && *env != '\0'     ? env
	            : conf_get(&c.conf, "db") != NULL ? conf_get(&c.conf, "db")
	                                              : IOMMU_FLEET_DEFAULT_DB;
	if (c.db_path[0] == '\0') {
		log_warnx("%s: empty", conf_where(&c.conf, "db"));
		conf_free(&c.conf);
		return EXIT_USAGE;
	}
	rc = collector_run(&c, argc - optind, argv + optind);
	conf_free(&c.conf);
	return rc;
}

/* Dispatch to the subcommand argv[0]: its exit status. */
static int
collector_run(struct collector *c, int argc, char **argv)
{
	static char help_opt[] = "--help";
	char *help_argv[3];
	size_t i;

	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* "help pull" is "pull --help" */
	if (strcmp(argv[0], "help") == 0 && argc == 2) {
		help_argv[0] = argv[1];
		help_argv[1] = help_opt;
		help_argv[2] = NULL;
		argv = help_argv;
	} else if (strcmp(argv[0], "help") == 0) {
		usage(argc == 1 ? stdout : stderr);
		return argc == 1 ? EXIT_OK : EXIT_USAGE;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[0], subcommands[i].name) == 0) {
			optind = 0; /* glibc: full reinitialisation for the subcommand */
			return subcommands[i].fn(c, argc, argv);
		}
	}
	log_warnx("unknown command \"%s\"", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
