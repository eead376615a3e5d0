/*
 * cmd_serve.c - "iommu-collector serve": options, the database connections
 * (one writer, one for token checks), signals, and the lifecycle: listen,
 * wait for SIGTERM / SIGINT, stop accepting, finish the requests in flight,
 * exit 0.  I/O: files (TLS key and certificate), signals, stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/log.h"
#include "common/readall.h"
#include "proto/report_json.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/http_parse.h"
#include "collector/http_server.h"
#include "collector/http_writer.h"

#define DEFAULT_LISTEN "127.0.0.1:8470"
#define PEM_MAX (1024 * 1024)

static void
serve_usage(FILE *fp)
{
	fprintf(fp,
	        "usage: iommu-collector serve [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	        "           [--max-body BYTES] [--timeout SEC] [--request-timeout SEC]\n"
	        "           [--max-connections N] [--max-per-ip N] [--queue N]\n"
	        "           [--drain-timeout SEC] [--max-decoding N] [--rate N] [--burst N]\n"
	        "           [--auth-failures N] [--host-budget BYTES]\n"
	        "\n"
	        "Receives reports pushed by iommu-agent --push: POST /v1/reports with\n"
	        "\"Authorization: Bearer TOKEN\" (see iommu-collector token), GET /healthz.\n"
	        "\n"
	        "  --listen ADDR:PORT    numeric address and port (default %s; [::1]:PORT)\n"
	        "  --tls-cert FILE       PEM certificate (chain) for HTTPS, with --tls-key\n"
	        "  --tls-key FILE        PEM private key\n"
	        "  --max-body BYTES      largest report accepted (default and most %u)\n"
	        "  --timeout SEC         close a connection idle this long (default 30)\n"
	        "  --request-timeout SEC longest time a request may take to arrive, counted\n"
	        "                        from its first byte, headers included (default 120)\n"
	        "  --max-connections N   connections at once (default 256); past it, the one\n"
	        "                        that has been sending its request longest is cut\n"
	        "  --max-per-ip N        connections at once from one address, an IPv6 /64\n"
	        "                        counting as one (default 32)\n"
	        "  --max-decoding N      reports decoded at once, the rest wait (default 4)\n"
	        "  --rate N              reports per token and minute, 0 no limit (default 60);\n"
	        "  --burst N             ... of which this many at once (default 60): 429\n"
	        "  --auth-failures N     failed authentications from one address before each\n"
	        "                        next one doubles a delay answered 429 (default 10)\n"
	        "  --host-budget BYTES   new report content one host may store a day, 0 no\n"
	        "                        limit (default 256 MiB): 429 past it\n"
	        "  --queue N             reports waiting for the database; more get 503 (default 64)\n"
	        "  --drain-timeout SEC   on SIGTERM, wait this long for requests in flight (default 30)\n"
	        "\n"
	        "Answers: 201 stored, 200 already stored, 400 invalid report, 401 missing,\n"
	        "unknown or revoked token, 403 report of another host, 413 too large, 415\n"
	        "not application/json, 429 too many (Retry-After), 503 busy (Retry-After).\n"
	        "A 201 is sent once the commit is on disk (fsynced).  One access log line per\n"
	        "request on stderr.  exit status: 0 stopped by a signal, 1 failure, 2 usage\n",
	        DEFAULT_LISTEN, REPORT_MAX_BYTES);
}

static int
parse_uint(const char *name, const char *s, unsigned long min, unsigned long max,
           unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	log_warnx("--%s: \"%s\": expected a number from %lu to %lu", name, s, min, max);
	return -1;
}

/* A PEM file, whole, bounded (the caller frees it). */
static char *
read_pem(const char *path)
{
	struct growbuf b = {0};
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return NULL;
	}
	rc = readall_bounded(fp, PEM_MAX, &b);
	fclose(fp);
	if (rc != 0 || b.len == 0) {
		log_warnx("%s: %s", path,
		          rc == -1  ? strerror(errno)
		          : rc == 1 ? "too large"
		                    : "empty");
		free(b.data);
		return NULL;
	}
	return b.data;
}

static const struct option serve_longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"max-body", required_argument, NULL, 'b'},
        {"timeout", required_argument, NULL, 't'},
        {"request-timeout", required_argument, NULL, 'T'},
        {"max-connections", required_argument, NULL, 'm'},
        {"max-per-ip", required_argument, NULL, 'p'},
        {"queue", required_argument, NULL, 'q'},
        {"drain-timeout", required_argument, NULL, 'd'},
        {"max-decoding", required_argument, NULL, 'D'},
        {"rate", required_argument, NULL, 'r'},
        {"burst", required_argument, NULL, 'B'},
        {"auth-failures", required_argument, NULL, 'a'},
        {"host-budget", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* One run of the server, from its options to its end. */
struct serve {
	struct http_server_opts o;
	const char *listen;
	const char *certf, *keyf; /* TLS files, both or neither */
	char *cert, *key;         /* their PEM texts */
	unsigned long queue;      /* reports waiting for the writer */
	unsigned long drain;      /* seconds for requests in flight at the end */
	struct db *wdb;           /* the writer's, until the writer owns it */
	struct db *adb;           /* token checks */
	struct http_writer *w;
	struct http_server *srv;
};

/* One option into sv: -1 to go on, or the exit code to return. */
static int
serve_option(struct serve *sv, int ch, const char *arg)
{
	struct http_server_opts *o = &sv->o;
	unsigned long v;

	switch (ch) {
	case 'l':
		sv->listen = arg;
		break;
	case 'c':
		sv->certf = arg;
		break;
	case 'k':
		sv->keyf = arg;
		break;
	case 'b':
		if (parse_uint("max-body", arg, 1, REPORT_MAX_BYTES, &v) == -1)
			return EXIT_USAGE;
		o->max_body = v;
		break;
	case 't':
		if (parse_uint("timeout", arg, 1, 3600, &v) == -1)
			return EXIT_USAGE;
		o->idle_timeout = (unsigned)v;
		break;
	case 'T':
		if (parse_uint("request-timeout", arg, 1, 3600, &v) == -1)
			return EXIT_USAGE;
		o->request_timeout = (unsigned)v;
		break;
	case 'm':
		if (parse_uint("max-connections", arg, 1, 10000, &v) == -1)
			return EXIT_USAGE;
		o->max_connections = (unsigned)v;
		break;
	case 'p':
		if (parse_uint("max-per-ip", arg, 1, 10000, &v) == -1)
			return EXIT_USAGE;
		o->per_ip_connections = (unsigned)v;
		break;
	case 'q':
		if (parse_uint("queue", arg, 1, 100000, &sv->queue) == -1)
			return EXIT_USAGE;
		break;
	case 'd':
		if (parse_uint("drain-timeout", arg, 0, 3600, &sv->drain) == -1)
			return EXIT_USAGE;
		break;
	case 'D':
		if (parse_uint("max-decoding", arg, 1, 1000, &v) == -1)
			return EXIT_USAGE;
		o->max_decoding = (unsigned)v;
		break;
	case 'r':
		if (parse_uint("rate", arg, 0, 1000000, &v) == -1)
			return EXIT_USAGE;
		o->rate_per_min = (unsigned)v;
		break;
	case 'B':
		if (parse_uint("burst", arg, 1, 1000000, &v) == -1)
			return EXIT_USAGE;
		o->rate_burst = (unsigned)v;
		break;
	case 'a':
		if (parse_uint("auth-failures", arg, 1, 1000000, &v) == -1)
			return EXIT_USAGE;
		o->auth_failures = (unsigned)v;
		break;
	case 'H':
		if (parse_uint("host-budget", arg, 0, ULONG_MAX, &v) == -1)
			return EXIT_USAGE;
		o->host_budget = v;
		break;
	case 'h':
		serve_usage(stdout);
		return EXIT_OK;
	default:
		serve_usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* The defaults, --config, the options, then the checks across them: -1 to
 * go on, or the exit code to return. */
static int
serve_options(struct serve *sv, struct conf *conf, int argc, char **argv)
{
	const char *where = "--listen";
	char err[600];
	int ch, rc;

	memset(sv, 0, sizeof(*sv));
	sv->o.max_body = REPORT_MAX_BYTES;
	sv->o.idle_timeout = 30;
	sv->o.request_timeout = 120;
	sv->o.max_connections = 256;
	sv->o.per_ip_connections = 32;
	sv->o.retry_after = 5;
	sv->o.max_decoding = 4;
	sv->o.rate_per_min = 60;
	sv->o.rate_burst = 60;
	sv->o.auth_failures = 10;
	sv->o.host_budget = 256ull * 1024 * 1024;
	sv->listen = conf_get(conf, "listen") != NULL ? conf_get(conf, "listen") : DEFAULT_LISTEN;
	sv->certf = conf_get(conf, "tls_cert");
	sv->keyf = conf_get(conf, "tls_key");
	sv->queue = 64;
	sv->drain = 30;
	for (;;) {
		ch = getopt_long(argc, argv, "h", serve_longopts, NULL);
		if (ch == -1)
			break;
		rc = serve_option(sv, ch, optarg);
		if (rc != -1)
			return rc;
	}
	if (optind != argc) {
		serve_usage(stderr);
		return EXIT_USAGE;
	}
	if ((sv->certf == NULL) != (sv->keyf == NULL)) {
		/* name where the one that is there came from */
		if (sv->certf != NULL && sv->certf == conf_get(conf, "tls_cert"))
			log_warnx("%s: without tls_key: --tls-cert and --tls-key go together",
			          conf_where(conf, "tls_cert"));
		else if (sv->keyf != NULL && sv->keyf == conf_get(conf, "tls_key"))
			log_warnx("%s: without tls_cert: --tls-cert and --tls-key go together",
			          conf_where(conf, "tls_key"));
		else
			log_warnx("--tls-cert and --tls-key go together");
		return EXIT_USAGE;
	}
	/* both set, or neither: an empty one is named where it was set */
	if (sv->certf != NULL && (sv->certf[0] == '\0' || sv->keyf[0] == '\0')) {
		if (sv->certf[0] == '\0')
			log_warnx("%s: empty", sv->certf == conf_get(conf, "tls_cert")
			                               ? conf_where(conf, "tls_cert")
			                               : "--tls-cert");
		else
			log_warnx("%s: empty", sv->keyf == conf_get(conf, "tls_key")
			                               ? conf_where(conf, "tls_key")
			                               : "--tls-key");
		return EXIT_USAGE;
	}
	if (sv->listen == conf_get(conf, "listen"))
		where = conf_where(conf, "listen");
	if (http_parse_listen(sv->listen, sv->o.host, sizeof(sv->o.host), &sv->o.port, err,
	                      sizeof(err)) == -1) {
		log_warnx("%s: %s", where, err);
		return EXIT_USAGE;
	}
	return -1;
}

/* The certificate and the key, when given: 0 or -1. */
static int
serve_tls(struct serve *sv)
{
	if (sv->certf == NULL)
		return 0;
	sv->cert = read_pem(sv->certf);
	if (sv->cert == NULL)
		return -1;
	sv->key = read_pem(sv->keyf);
	if (sv->key == NULL)
		return -1;
	sv->o.tls_cert = sv->cert;
	sv->o.tls_key = sv->key;
	return 0;
}

/* Every thread started from here on inherits the mask: only the sigwait in
 * serve_wait() sees these signals. */
static void
serve_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A server nobody can push to is worth a warning, not a refusal. */
static void
serve_check_tokens(struct db *adb)
{
	struct db_rows rows;

	if (db_query(adb, "SELECT count(*) FROM tokens WHERE revoked_at IS NULL", NULL, 0, &rows) !=
	    0)
		return;
	if (rows.nrows == 1 && rows.cells[0].text != NULL && strcmp(rows.cells[0].text, "0") == 0)
		log_warnx("no valid token: every push will be refused "
		          "(iommu-collector token add HOST)");
	db_rows_free(&rows);
}

/* The databases, the writer, then the listener: 0 or -1. */
static int
serve_start(struct collector *c, struct serve *sv)
{
	char err[600];
	int v6;

	if (collector_open(c, &sv->wdb) == -1 || collector_open(c, &sv->adb) == -1)
		return -1;
	serve_check_tokens(sv->adb);
	/* a 201 promises the report survives a power cut, not only a crash */
	if (db_set_durable(sv->wdb) == -1) {
		log_warnx("%s: %s", c->db_path, db_error(sv->wdb));
		return -1;
	}
	sv->w = http_writer_start(sv->wdb, (unsigned)sv->queue, err, sizeof(err));
	if (sv->w == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	sv->wdb = NULL; /* the writer owns it now */
	sv->srv = http_server_start(&sv->o, sv->w, sv->adb, err, sizeof(err));
	if (sv->srv == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	v6 = strchr(sv->o.host, ':') != NULL;
	fprintf(stderr, "iommu-collector: listening on %s://%s%s%s:%u (database %s)\n",
	        sv->cert != NULL ? "https" : "http", v6 ? "[" : "", sv->o.host, v6 ? "]" : "",
	        http_server_port(sv->srv), c->db_path);
	fflush(stderr);
	return 0;
}

/* Until SIGTERM or SIGINT: the signal. */
static int
serve_wait(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			continue; /* nothing to reload: tokens are read per request */
		return sig;
	}
}

/* No new connections; the requests in flight get sv->drain seconds. */
static void
serve_stop(struct serve *sv, int sig)
{
	unsigned left;

	fprintf(stderr,
	        "iommu-collector: signal %d: no new connections, finishing "
	        "requests in flight\n",
	        sig);
	http_server_quiesce(sv->srv);
	left = http_server_drain(sv->srv, (unsigned)sv->drain * 1000);
	if (left > 0)
		log_warnx("%u request%s still running after %lus: closing them "
		          "(nothing they sent was acknowledged)",
		          left, left == 1 ? "" : "s", sv->drain);
}

static void
serve_free(struct serve *sv)
{
	http_server_free(sv->srv); /* joins the connection threads */
	if (sv->w != NULL)
		sv->wdb = http_writer_stop(sv->w); /* after every queued job is done */
	db_close(sv->wdb);
	db_close(sv->adb);
	free(sv->cert);
	free(sv->key);
}

int
cmd_serve(struct collector *c, int argc, char **argv)
{
	struct serve sv;
	sigset_t set;
	int rc;

	rc = serve_options(&sv, &c->conf, argc, argv);
	if (rc != -1)
		return rc;
	rc = EXIT_FAILURE_;
	if (serve_tls(&sv) == 0) {
		serve_block_signals(&set);
		if (serve_start(c, &sv) == 0) {
			serve_stop(&sv, serve_wait(&set));
			rc = EXIT_OK;
		}
	}
	serve_free(&sv);
	if (rc == EXIT_OK)
		fprintf(stderr, "iommu-collector: stopped\n");
	return rc;
}
