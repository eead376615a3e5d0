/*
 * cmd_token.c - "iommu-collector token add HOST | list | revoke HOST": the
 * bearer tokens agents push with.  A new token is printed once; only its
 * hash is stored.  I/O: the database, stdout.
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
#include "collector/token.h"
#include "proto/hostname.h"

static const char SQL_LIST[] =
        "SELECT host, token_id, created_at, revoked_at,"
        " CASE WHEN revoked_at IS NULL THEN 'valid' ELSE 'revoked' END AS state"
        " FROM tokens ORDER BY host, created_at, id";

static void
token_usage(FILE *fp)
{
	fprintf(fp, "usage: iommu-collector token add HOST\n"
	            "       iommu-collector token list [--format table|csv|json]\n"
	            "       iommu-collector token revoke HOST\n");
}

static int
token_add(struct collector *c, const char *host)
{
	char tok[TOKEN_LEN + 1], err[600];
	struct db *db;
	const char *why;
	int rc = EXIT_FAILURE_;

	if ((why = hostname_invalid(host, strlen(host), HOSTNAME_GIVEN)) != NULL) {
		log_warnx("token add: \"%.255s\": %s", host, why);
		return EXIT_USAGE;
	}
	if (collector_open(c, &db) == -1)
		return EXIT_FAILURE_;
	if (token_db_add(db, host, tok, sizeof(tok), err, sizeof(err)) == -1)
		log_warnx("token add: %s", err);
	else if (printf("%s\n", tok) < 0 || fflush(stdout) == EOF)
		log_warn("stdout");
	else
		rc = EXIT_OK;
	memset(tok, 0, sizeof(tok));
	db_close(db);
	return rc;
}

static int
token_revoke(struct collector *c, const char *host)
{
	struct db *db;
	int n;

	if (collector_open_existing(c, &db) == -1)
		return EXIT_FAILURE_;
	n = token_db_revoke(db, host);
	if (n == -1)
		log_warnx("token revoke: %s", db_error(db));
	else if (n == 0)
		log_warnx("no valid token for host \"%s\"", host);
	else
		printf("revoked %d token%s of %s\n", n, n == 1 ? "" : "s", host);
	db_close(db);
	return n > 0 ? EXIT_OK : EXIT_FAILURE_;
}

static int
token_list(struct collector *c, enum output_format fmt)
{
	return collector_print_query(c, "tokens", SQL_LIST, fmt);
}

int
cmd_token(struct collector *c, int argc, char **argv)
{
	enum output_format fmt = OUTPUT_TABLE;
	int ch;

	if ((ch = collector_listing_opts(argc, argv, &fmt, token_usage)) != -1)
		return ch;
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "add") == 0)
		return token_add(c, argv[1]);
	if (argc == 2 && strcmp(argv[0], "revoke") == 0)
		return token_revoke(c, argv[1]);
	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return token_list(c, fmt);
	token_usage(stderr);
	return EXIT_USAGE;
}
