/*
 * cmd_pull.c - "iommu-collector pull": the subcommand: its options, the
 * hosts (inventory file and arguments), and the run (pull_pool.c) with its
 * exit status.  I/O: the inventory file or stdin, the database, stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "common/growbuf.h"
#include "common/log.h"
#include "proto/hostname.h"
#include "proto/report_json.h"

#include "collector/collector.h"
#include "collector/inventory.h"
#include "collector/inventory_limit.h"
#include "collector/inventory_load.h"
#include "collector/output.h"
#include "collector/pull.h"
#include "collector/pull_pool.h"
#include "collector/ssh_session.h"

#define PULL_DEFAULT_JOBS 32
#define PULL_MAX_JOBS 1024
#define PULL_DEFAULT_CONNECT 10  /* seconds */
#define PULL_DEFAULT_TIMEOUT 120 /* seconds, for everything on one host */

/* pull_option(): go on, or the option's number is invalid. */
#define PULL_OPT_NEXT (-1)
#define PULL_OPT_BADNUM (-2)

enum {
	O_INVENTORY = 256,
	O_COMMAND,
	O_AGENTLESS,
	O_KNOWN,
	O_ACCEPT,
	O_IDENTITY,
	O_CONFIG,
	O_CONNECT,
	O_TIMEOUT,
	O_MAXBYTES,
	O_PROGRESS,
	O_NOPROGRESS,
	O_TMPDIR,
	O_LIMIT,
	O_INVFORMAT,
	O_JUMP,
	O_LISTHOSTS
};

static const struct option pull_longopts[] = {
        {"inventory", required_argument, NULL, O_INVENTORY},
        {"jobs", required_argument, NULL, 'j'},
        {"command", required_argument, NULL, O_COMMAND},
        {"agentless", no_argument, NULL, O_AGENTLESS},
        {"known-hosts", required_argument, NULL, O_KNOWN},
        {"accept-new", no_argument, NULL, O_ACCEPT},
        {"identity", required_argument, NULL, O_IDENTITY},
        {"ssh-config", required_argument, NULL, O_CONFIG},
        {"connect-timeout", required_argument, NULL, O_CONNECT},
        {"timeout", required_argument, NULL, O_TIMEOUT},
        {"max-bytes", required_argument, NULL, O_MAXBYTES},
        {"quiet", no_argument, NULL, 'q'},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"no-progress", no_argument, NULL, O_NOPROGRESS},
        {"tmpdir", required_argument, NULL, O_TMPDIR},
        {"limit", required_argument, NULL, O_LIMIT},
        {"inventory-format", required_argument, NULL, O_INVFORMAT},
        {"jump", required_argument, NULL, O_JUMP},
        {"list-hosts", no_argument, NULL, O_LISTHOSTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static void
pull_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: iommu-collector pull [HOST...] [--inventory FILE] [--limit PATTERN] [--jobs N]\n"
	        "           [--inventory-format auto|hosts|ini|yaml] [--jump [user@]host[:port],...]\n"
	        "           [--list-hosts]\n"
	        "           [--command CMD] [--agentless] [--known-hosts FILE] [--accept-new]\n"
	        "           [--identity FILE] [--ssh-config FILE] [--connect-timeout S]\n"
	        "           [--timeout S] [--max-bytes N] [--quiet] [--progress|--no-progress]\n"
	        "\n"
	        "Inventory: hosts.txt lines [user@]host[:port] [command=CMD] [tags=a,b]\n"
	        "  [agent=none] [name=NAME], or an Ansible INI or YAML inventory (groups,\n"
	        "  children, web[01:20], ansible_host/port/user).  With --inventory, HOST\n"
	        "  arguments select hosts or groups of it, as --limit does (\"gpu,!rack4\",\n"
	        "  \"web*:&prod\", \"~re\"); without, they are hosts.txt lines.  Defaults: --jobs %d,\n"
	        "  --connect-timeout %d, --timeout %d (per host, in all), --max-bytes %u,\n"
	        "  --command %s.  Host keys must be in known_hosts (--accept-new records\n"
	        "  unknown ones; changed keys are always refused).  Auth: ssh-agent, then\n"
	        "  --identity, then ssh_config's IdentityFile.\n"
	        "exit status: 0 every host ok, 1 failure (no host ok), 2 usage,\n"
	        "  3 some hosts failed\n",
	        PULL_DEFAULT_JOBS, PULL_DEFAULT_CONNECT, PULL_DEFAULT_TIMEOUT, REPORT_MAX_BYTES,
	        PULL_DEFAULT_COMMAND);
}

/* The numeric options and their ranges, for the value and the message. */
static const struct pull_range {
	int ch;
	long min, max;
} pull_ranges[] = {
        {'j', 1, PULL_MAX_JOBS},
        {O_CONNECT, 1, 3600},
        {O_TIMEOUT, 1, 86400},
        {O_MAXBYTES, 1024, REPORT_MAX_BYTES},
};

static const struct pull_range *
pull_range_of(int ch)
{
	size_t i;

	for (i = 0; i < sizeof(pull_ranges) / sizeof(pull_ranges[0]); i++)
		if (pull_ranges[i].ch == ch)
			return &pull_ranges[i];
	return NULL;
}

/* The value of numeric option ch in its range: 0, or -1. */
static int
pull_number(int ch, const char *s, long *out)
{
	const struct pull_range *r = pull_range_of(ch);
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (r == NULL || errno != 0 || end == s || *end != '\0' || v < r->min || v > r->max)
		return -1;
	*out = v;
	return 0;
}

/* "invalid number" in full: what was given, for what, and what is valid. */
static void
pull_badnum(int ch, const char *where, const char *arg)
{
	const struct pull_range *r = pull_range_of(ch);
	char *e = output_escape(arg);

	log_warnx("%s \"%s\": not a number from %ld to %ld", where, e != NULL ? e : "?",
	          r != NULL ? r->min : 0, r != NULL ? r->max : 0);
	free(e);
}

/* "--jobs" for 'j'. */
static const char *
pull_option_name(int ch)
{
	static char name[40];
	size_t i;

	for (i = 0; pull_longopts[i].name != NULL; i++)
		if (pull_longopts[i].val == ch)
			break;
	snprintf(name, sizeof(name), "--%s",
	         pull_longopts[i].name != NULL ? pull_longopts[i].name : "?");
	return name;
}

/* One option into o: PULL_OPT_NEXT, PULL_OPT_BADNUM, or the exit code. */
static int
pull_option(int ch, const char *arg, struct pull_opts *o)
{
	long v;

	switch (ch) {
	case O_INVENTORY:
		o->inventory = arg;
		break;
	case 'j':
		if (pull_number(ch, arg, &v) == -1)
			return PULL_OPT_BADNUM;
		o->jobs = (int)v;
		break;
	case O_COMMAND:
		if (*arg == '\0' || strlen(arg) >= INVENTORY_COMMAND_MAX) {
			log_warnx("--command: empty or too long");
			return EXIT_USAGE;
		}
		o->command = arg;
		break;
	case O_AGENTLESS:
		o->agentless = 1;
		break;
	case O_KNOWN:
		o->known_hosts = arg;
		break;
	case O_ACCEPT:
		o->accept_new = 1;
		break;
	case O_IDENTITY:
		o->identity = arg;
		break;
	case O_CONFIG:
		o->ssh_config = arg;
		break;
	case O_CONNECT:
		if (pull_number(ch, arg, &v) == -1)
			return PULL_OPT_BADNUM;
		o->connect_timeout = (int)v;
		break;
	case O_TIMEOUT:
		if (pull_number(ch, arg, &v) == -1)
			return PULL_OPT_BADNUM;
		o->timeout = (int)v;
		break;
	case O_MAXBYTES:
		if (pull_number(ch, arg, &v) == -1)
			return PULL_OPT_BADNUM;
		o->max_bytes = (size_t)v;
		break;
	case 'q':
		o->quiet = 1;
		break;
	case O_PROGRESS:
		o->progress = 1;
		break;
	case O_NOPROGRESS:
		o->progress = 0;
		break;
	case O_TMPDIR:
		o->tmpdir = arg;
		break;
	case O_LIMIT:
		o->limit = arg;
		break;
	case O_JUMP:
		o->jump = arg;
		break;
	case O_LISTHOSTS:
		o->list_hosts = 1;
		break;
	case O_INVFORMAT: {
		enum inventory_format f;

		if (inventory_format_parse(arg, &f) == -1) {
			log_warnx("--inventory-format \"%s\": auto, hosts, ini or yaml", arg);
			return EXIT_USAGE;
		}
		o->inventory_format = (int)f;
		break;
	}
	case 'h':
		pull_usage(stdout);
		return EXIT_OK;
	default:
		pull_usage(stderr);
		return EXIT_USAGE;
	}
	return PULL_OPT_NEXT;
}

/* collector.conf's pull settings, each the value of its option. */
static const struct {
	const char *key;
	int ch;
} pull_conf_keys[] = {
        {"inventory", O_INVENTORY},     {"jobs", 'j'},
        {"known_hosts", O_KNOWN},       {"identity", O_IDENTITY},
        {"connect_timeout", O_CONNECT}, {"timeout", O_TIMEOUT},
};

/* The settings of --config FILE over the defaults: -1 to go on, or the
 * exit code. */
static int
pull_config(struct conf *conf, struct pull_opts *o)
{
	const char *v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(pull_conf_keys) / sizeof(pull_conf_keys[0]); i++) {
		if ((v = conf_get(conf, pull_conf_keys[i].key)) == NULL)
			continue;
		if (*v == '\0') {
			log_warnx("%s: empty", conf_where(conf, pull_conf_keys[i].key));
			return EXIT_USAGE;
		}
		rc = pull_option(pull_conf_keys[i].ch, v, o);
		if (rc == PULL_OPT_BADNUM) {
			pull_badnum(pull_conf_keys[i].ch, conf_where(conf, pull_conf_keys[i].key),
			            v);
			return EXIT_USAGE;
		}
		if (rc != PULL_OPT_NEXT)
			return rc;
	}
	return -1;
}

/* The defaults, then --config, then the options: -1 to go on (optind past
 * them), or the exit code to return. */
static int
pull_options(struct collector *c, int argc, char **argv, struct pull_opts *o)
{
	int ch, rc;

	memset(o, 0, sizeof(*o));
	o->jobs = PULL_DEFAULT_JOBS;
	o->connect_timeout = PULL_DEFAULT_CONNECT;
	o->timeout = PULL_DEFAULT_TIMEOUT;
	o->max_bytes = REPORT_MAX_BYTES;
	o->progress = -1;
	if ((rc = pull_config(&c->conf, o)) != -1)
		return rc;
	for (;;) {
		ch = getopt_long(argc, argv, "hj:q", pull_longopts, NULL);
		if (ch == -1)
			return -1;
		rc = pull_option(ch, optarg, o);
		if (rc == PULL_OPT_BADNUM) {
			pull_badnum(ch, pull_option_name(ch), optarg);
			return EXIT_USAGE;
		}
		if (rc != PULL_OPT_NEXT)
			return rc;
	}
}

/* The HOST arguments as one --limit pattern over the inventory. */
static char *
pull_args_pattern(int argc, char **argv)
{
	struct growbuf b = {0};
	int i;

	for (i = 0; i < argc; i++)
		if ((i > 0 && growbuf_append(&b, ",", 1) == -1) ||
		    growbuf_append(&b, argv[i], strlen(argv[i])) == -1) {
			free(b.data);
			return NULL;
		}
	return b.data;
}

/* Say once that hosts pulled by address are stored under it. */
static void
pull_warn_addresses(const struct inventory *inv)
{
	size_t i, n = 0;
	const char *first = NULL;

	for (i = 0; i < inv->n; i++)
		if (hostname_is_address(inv->hosts[i].name) && n++ == 0)
			first = inv->hosts[i].name;
	if (n == 1)
		log_warnx("%s: pulled by address with no name, stored under the address (give"
		          " name=HOST, or ansible_host=%s under the host's name)",
		          first, first);
	else if (n > 1)
		log_warnx(
		        "%s and %zu more: pulled by address with no name, stored under the"
		        " address (give name=HOST, or ansible_host=ADDRESS under the host's name)",
		        first, n - 1);
}

/* The inventory file, then the HOST arguments (hosts, or a selection of the
 * inventory), then --limit: 0, or -1 (a usage error, said). */
static int
pull_hosts(const struct pull_opts *o, int argc, char **argv, struct inventory *inv)
{
	char err[600], *e, *pattern;
	int i, rc;

	if (o->inventory != NULL) {
		if (inventory_load(o->inventory, (enum inventory_format)o->inventory_format, inv,
		                   err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			return -1;
		}
		if (argc > 0) {
			if ((pattern = pull_args_pattern(argc, argv)) == NULL) {
				log_warnx("out of memory");
				return -1;
			}
			rc = inventory_limit(inv, pattern, err, sizeof(err));
			free(pattern);
			if (rc == -1) {
				log_warnx("%s: %s", o->inventory, err);
				return -1;
			}
		}
	}
	for (i = 0; o->inventory == NULL && i < argc; i++) {
		if (inventory_add(inv, argv[i], 0, err, sizeof(err)) == -1) {
			e = output_escape(argv[i]);
			log_warnx("\"%s\": %s", e != NULL ? e : "?", err);
			free(e);
			return -1;
		}
	}
	if (inv->n == 0) {
		log_warnx("no hosts: give HOST arguments or --inventory FILE");
		pull_usage(stderr);
		return -1;
	}
	if (o->limit != NULL && inventory_limit(inv, o->limit, err, sizeof(err)) == -1) {
		log_warnx("--limit: %s", err);
		return -1;
	}
	pull_warn_addresses(inv);
	return 0;
}

/* --list-hosts: the hosts the selection gives, "NAME<TAB>GROUPS" a line,
 * without connecting to any (what to check before a run, and what the
 * shell completion offers). */
static int
pull_list_hosts(const struct inventory *inv)
{
	char *e, *g;
	size_t i;

	for (i = 0; i < inv->n; i++) {
		e = output_escape(inv->hosts[i].name);
		g = output_escape(inv->hosts[i].tags);
		printf("%s\t%s\n", e != NULL ? e : "?", g != NULL ? g : "");
		free(e);
		free(g);
	}
	if (fflush(stdout) == EOF) {
		log_warn("stdout");
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

/* Pull every host and print the summary: the exit code. */
static int
pull_run(struct collector *c, struct pull_opts *o, struct inventory *inv)
{
	struct pull_pool p;
	char err[300];
	int progress, rc = EXIT_FAILURE_;

	progress = o->quiet ? 0 : o->progress == -1 ? isatty(STDERR_FILENO) : o->progress;
	pull_pool_init(&p, o, inv, progress);
	/* a host closing its end must not kill the whole run */
	signal(SIGPIPE, SIG_IGN);
	if (collector_open(c, &p.db) == -1)
		goto done;
	if (ssh_session_global_init() == -1) {
		log_warnx("libssh initialisation failed");
		goto done;
	}
	if (o->identity != NULL &&
	    ssh_session_key_load(o->identity, &o->identity_key, err, sizeof(err)) == -1) {
		log_warnx("--identity %s", err);
		goto cleanup;
	}
	if (pull_pool_run(&p) == 0) {
		if (!o->quiet)
			pull_progress_summary(&p.progress, &p.tally);
		rc = p.tally.failed == 0 ? EXIT_OK : p.tally.ok == 0 ? EXIT_FAILURE_ : EXIT_PARTIAL;
	}
cleanup:
	ssh_session_key_free(o->identity_key);
	ssh_session_global_cleanup();
done:
	pull_pool_release(&p);
	return rc;
}

int
cmd_pull(struct collector *c, int argc, char **argv)
{
	struct pull_opts o;
	struct inventory inv;
	int rc;

	rc = pull_options(c, argc, argv, &o);
	if (rc != -1)
		return rc;
	inventory_init(&inv);
	if (pull_hosts(&o, argc - optind, argv + optind, &inv) == -1)
		rc = EXIT_USAGE;
	else if (o.list_hosts)
		rc = pull_list_hosts(&inv);
	else
		rc = pull_run(c, &o, &inv);
	inventory_free(&inv);
	return rc;
}
