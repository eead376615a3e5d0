/*
 * collector.h - what the collector's subcommands share: the global options
 * and the dispatch signature (cmd_*.c, one file per subcommand).
 */
#ifndef IOMMU_FLEET_COLLECTOR_H
#define IOMMU_FLEET_COLLECTOR_H

#include <stdio.h>

#include "collector/output.h"
#include "common/conf.h"

struct db;

struct collector {
	const char *db_path; /* --db, $IOMMU_FLEET_DB, db = in --config, or the default */
	struct conf conf;    /* --config FILE: the subcommands' settings (may be empty) */
	int verbose;
};

/* Each returns an exit code (common/exitcode.h).  argv[0] is the
 * subcommand's name. */
int cmd_import(struct collector *c, int argc, char **argv);
int cmd_report(struct collector *c, int argc, char **argv);
int cmd_hosts(struct collector *c, int argc, char **argv);
int cmd_pull(struct collector *c, int argc, char **argv);
int cmd_keys(struct collector *c, int argc, char **argv);
int cmd_serve(struct collector *c, int argc, char **argv);
int cmd_token(struct collector *c, int argc, char **argv);

/* Open c->db_path (created and migrated on first use); logs and returns -1
 * on failure. */
int collector_open(struct collector *c, struct db **out);

/* The same for a command that only reads (report, hosts, token list): a
 * database that does not exist is an error naming its path, never created
 * empty. */
int collector_open_existing(struct collector *c, struct db **out);

/* The options of the listing subcommands (report, hosts, token): --format F
 * into *fmt and --help.  -1 to go on (optind past them), or the exit code
 * to return. */
int collector_listing_opts(int argc, char **argv, enum output_format *fmt,
                           void (*print_usage)(FILE *));

/* Run one parameterless query on c's database and print its rows as one
 * output section titled title: an exit code. */
int collector_print_query(struct collector *c, const char *title, const char *sql,
                          enum output_format fmt);

#endif
