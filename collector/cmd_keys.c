/*
 * cmd_keys.c - "iommu-collector keys": what each host presents (key type,
 * SHA256 fingerprint) against what known_hosts holds (known / unknown /
 * changed / other-type / revoked, with file:line), so that enrolment is
 * reviewed before --accept-new trusts it.  Never authenticates to the host,
 * never writes known_hosts; jump hosts are checked and used as by pull.
 * I/O: SSH (ssh_session.c), the inventory file, stdout, stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/log.h"

#include "collector/collector.h"
#include "collector/inventory.h"
#include "collector/inventory_load.h"
#include "collector/output.h"
#include "collector/ssh_session.h"

#define KEYS_JOBS 16
#define KEYS_CONNECT 10 /* seconds */

struct keys_opts {
	const char *inventory;
	const char *known_hosts;
	const char *ssh_config;
	const char *identity;
	const char *jump;
	struct ssh_session_key *identity_key;
	int connect_timeout;
};

/* One host's answer. */
struct keys_result {
	struct ssh_session_hostkey k;
	struct ssh_session_error err;
	int rc;
};

struct keys_run {
	const struct keys_opts *o;
	const struct inventory *inv;
	struct keys_result *res;
	pthread_mutex_t lock;
	size_t next;
};

enum { O_INVENTORY = 256, O_KNOWN, O_CONFIG, O_IDENTITY, O_JUMP, O_CONNECT };

static const struct option keys_longopts[] = {
        {"inventory", required_argument, NULL, O_INVENTORY},
        {"known-hosts", required_argument, NULL, O_KNOWN},
        {"ssh-config", required_argument, NULL, O_CONFIG},
        {"identity", required_argument, NULL, O_IDENTITY},
        {"jump", required_argument, NULL, O_JUMP},
        {"connect-timeout", required_argument, NULL, O_CONNECT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static void
keys_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: iommu-collector keys [HOST...] [--inventory FILE] [--known-hosts FILE]\n"
	        "           [--ssh-config FILE] [--identity FILE] [--jump [user@]host[:port]]\n"
	        "           [--connect-timeout S]\n"
	        "\n"
	        "Connects to each host without authenticating and prints, one line a host:\n"
	        "  NAME HOST KEYTYPE SHA256:FINGERPRINT STATE [FILE:LINE]\n"
	        "STATE: known, unknown, changed, other-type (known_hosts has another type),\n"
	        "revoked (@revoked), or the failure (unreachable: ...).  Nothing is written:\n"
	        "review, then record the unknown keys with pull --accept-new.\n"
	        "exit status: 0 every key known, 1 failure (no host reached), 2 usage,\n"
	        "  3 some keys not known or some hosts not reached\n");
}

/* One option into o: -1 to go on, or the exit code. */
static int
keys_option(int ch, const char *arg, struct keys_opts *o)
{
	char *end;
	long v;

	switch (ch) {
	case O_INVENTORY:
		o->inventory = arg;
		return -1;
	case O_KNOWN:
		o->known_hosts = arg;
		return -1;
	case O_CONFIG:
		o->ssh_config = arg;
		return -1;
	case O_IDENTITY:
		o->identity = arg;
		return -1;
	case O_JUMP:
		o->jump = arg;
		return -1;
	case O_CONNECT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 3600) {
			log_warnx("--connect-timeout \"%s\": not a number from 1 to 3600", arg);
			return EXIT_USAGE;
		}
		o->connect_timeout = (int)v;
		return -1;
	case 'h':
		keys_usage(stdout);
		return EXIT_OK;
	default:
		keys_usage(stderr);
		return EXIT_USAGE;
	}
}

/* The inventory file (in any format pull reads), then the HOST arguments:
 * 0, or -1 (a usage error). */
static int
keys_hosts(const struct keys_opts *o, int argc, char **argv, struct inventory *inv)
{
	char err[600], *e;
	int i;

	if (o->inventory != NULL &&
	    inventory_load(o->inventory, INVENTORY_FORMAT_AUTO, inv, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (inventory_add(inv, argv[i], 0, err, sizeof(err)) == -1) {
			e = output_escape(argv[i]);
			log_warnx("\"%s\": %s", e != NULL ? e : "?", err);
			free(e);
			return -1;
		}
	}
	if (inv->n == 0) {
		log_warnx("no hosts: give HOST arguments or --inventory FILE");
		keys_usage(stderr);
		return -1;
	}
	return 0;
}

static void *
keys_worker(void *arg)
{
	struct keys_run *r = arg;
	struct ssh_session_opts so;
	const struct inventory_host *h;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		i = r->next < r->inv->n ? r->next++ : r->inv->n;
		pthread_mutex_unlock(&r->lock);
		if (i == r->inv->n)
			return NULL;
		h = &r->inv->hosts[i];
		memset(&so, 0, sizeof(so));
		so.host = h->host;
		so.user = h->user[0] != '\0' ? h->user : NULL;
		so.port = h->port;
		so.config = r->o->ssh_config;
		so.known_hosts = r->o->known_hosts;
		so.identity = r->o->identity_key;
		so.jump = r->o->jump;
		so.connect_timeout = r->o->connect_timeout;
		/* one connect timeout per hop, and the key exchange */
		so.deadline_ms = ssh_session_now_ms() + (long long)r->o->connect_timeout * 3000;
		r->res[i].rc = ssh_session_scan(&so, &r->res[i].k, &r->res[i].err);
	}
}

/* One line for host i: 1 when its key is known, else 0. */
static int
keys_print(const struct inventory_host *h, const struct keys_result *res)
{
	const struct ssh_session_hostkey *k = &res->k;
	char *e;

	if (res->rc == -1) {
		e = output_escape(res->err.msg);
		printf("%s - - - %s: %s\n", h->name, ssh_session_status_word(res->err.status),
		       e != NULL ? e : "?");
		free(e);
		return 0;
	}
	e = output_escape(k->file);
	if (k->line > 0)
		printf("%s %s %s %s %s %s:%d%s%s\n", h->name, k->name, k->type, k->fp,
		       ssh_session_keystate_word(k->state), e != NULL ? e : "?", k->line,
		       k->state == SSH_SESSION_KEY_KNOWN ? "" : " has ",
		       k->state == SSH_SESSION_KEY_KNOWN ? "" : k->ftype);
	else
		printf("%s %s %s %s %s\n", h->name, k->name, k->type, k->fp,
		       ssh_session_keystate_word(k->state));
	free(e);
	return k->state == SSH_SESSION_KEY_KNOWN;
}

/* Scan every host, KEYS_JOBS at a time, and print in inventory order: the
 * exit code. */
static int
keys_run(const struct keys_opts *o, const struct inventory *inv)
{
	struct keys_run r = {o, inv, NULL, PTHREAD_MUTEX_INITIALIZER, 0};
	pthread_t th[KEYS_JOBS];
	size_t i, n, known = 0, reached = 0;

	if ((r.res = calloc(inv->n, sizeof(*r.res))) == NULL) {
		log_warnx("out of memory");
		return EXIT_FAILURE_;
	}
	n = inv->n < KEYS_JOBS ? inv->n : KEYS_JOBS;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, keys_worker, &r) != 0)
			break;
	n = i;
	if (n == 0)
		keys_worker(&r);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < inv->n; i++) {
		known += (size_t)keys_print(&inv->hosts[i], &r.res[i]);
		reached += r.res[i].rc == 0;
	}
	fflush(stdout);
	fprintf(stderr, "keys: %zu hosts: %zu known, %zu not known, %zu not reached\n", inv->n,
	        known, reached - known, inv->n - reached);
	free(r.res);
	return known == inv->n ? EXIT_OK : reached == 0 ? EXIT_FAILURE_ : EXIT_PARTIAL;
}

int
cmd_keys(struct collector *c, int argc, char **argv)
{
	struct keys_opts o = {0};
	struct inventory inv;
	char err[300];
	int ch, rc;

	(void)c;
	o.connect_timeout = KEYS_CONNECT;
	while ((ch = getopt_long(argc, argv, "h", keys_longopts, NULL)) != -1)
		if ((rc = keys_option(ch, optarg, &o)) != -1)
			return rc;
	inventory_init(&inv);
	if (keys_hosts(&o, argc - optind, argv + optind, &inv) == -1) {
		inventory_free(&inv);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	rc = EXIT_FAILURE_;
	if (ssh_session_global_init() == -1) {
		log_warnx("libssh initialisation failed");
	} else if (o.identity != NULL &&
	           ssh_session_key_load(o.identity, &o.identity_key, err, sizeof(err)) == -1) {
		log_warnx("--identity %s", err);
	} else {
		rc = keys_run(&o, &inv);
	}
	ssh_session_key_free(o.identity_key);
	ssh_session_global_cleanup();
	inventory_free(&inv);
	return rc;
}
