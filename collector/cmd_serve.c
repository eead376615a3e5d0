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
	    "           [--drain-timeout SEC]\n"
	    "\n"
	    "Receives reports pushed by iommu-agent --push: POST /v1/reports with\n"
	    "\"Authorization: Bearer TOKEN\" (see iommu-collector token), GET /healthz.\n"
	    "\n"
	    "  --listen ADDR:PORT    numeric address and port (default %s; [::1]:PORT)\n"
	    "  --tls-cert FILE       PEM certificate (chain) for HTTPS, with --tls-key\n"
	    "  --tls-key FILE        PEM private key\n"
	    "  --max-body BYTES      largest report accepted (default and most %u)\n"
	    "  --timeout SEC         close a connection idle this long (default 30)\n"
	    "  --request-timeout SEC longest time one request may take (default 120)\n"
	    "  --max-connections N   connections at once (default 256)\n"
	    "  --max-per-ip N        connections at once from one address (default 32)\n"
	    "  --queue N             reports waiting for the database; more get 503 (default 64)\n"
	    "  --drain-timeout SEC   on SIGTERM, wait this long for requests in flight (default 30)\n"
	    "\n"
	    "Answers: 201 stored, 200 already stored, 400 invalid report, 401 missing,\n"
	    "unknown or revoked token, 403 report of another host, 413 too large, 415\n"
	    "not application/json, 503 busy (Retry-After).  One access log line per\n"
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

/* A PEM file, whole, bounded. */
static char *
read_pem(const char *path)
{
	FILE *fp;
	char *buf;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return NULL;
	}
	if ((buf = malloc(PEM_MAX + 1)) == NULL) {
		fclose(fp);
		log_warnx("out of memory");
		return NULL;
	}
	n = fread(buf, 1, PEM_MAX + 1, fp);
	if (ferror(fp) || n > PEM_MAX || n == 0) {
		log_warnx("%s: %s", path, ferror(fp) ? "read error" :
		    n == 0 ? "empty" : "too large");
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

int
cmd_serve(struct collector *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "request-timeout", required_argument, NULL, 'T' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-per-ip", required_argument, NULL, 'p' },
		{ "queue", required_argument, NULL, 'q' },
		{ "drain-timeout", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct http_server_opts o;
	struct db_rows rows;
	struct http_server *srv = NULL;
	struct http_writer *w = NULL;
	struct db *wdb = NULL, *adb = NULL;
	const char *listen = DEFAULT_LISTEN, *certf = NULL, *keyf = NULL;
	char *cert = NULL, *key = NULL, err[600];
	unsigned long v, queue = 64, drain = 30;
	unsigned left;
	sigset_t set;
	int ch, sig, rc = EXIT_FAILURE_;

	memset(&o, 0, sizeof(o));
	o.max_body = REPORT_MAX_BYTES;
	o.idle_timeout = 30;
	o.request_timeout = 120;
	o.max_connections = 256;
	o.per_ip_connections = 32;
	o.retry_after = 5;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 'c':
			certf = optarg;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'b':
			if (parse_uint("max-body", optarg, 1, REPORT_MAX_BYTES, &v) == -1)
				return EXIT_USAGE;
			o.max_body = v;
			break;
		case 't':
			if (parse_uint("timeout", optarg, 1, 3600, &v) == -1)
				return EXIT_USAGE;
			o.idle_timeout = (unsigned)v;
			break;
		case 'T':
			if (parse_uint("request-timeout", optarg, 1, 3600, &v) == -1)
				return EXIT_USAGE;
			o.request_timeout = (unsigned)v;
			break;
		case 'm':
			if (parse_uint("max-connections", optarg, 1, 10000, &v) == -1)
				return EXIT_USAGE;
			o.max_connections = (unsigned)v;
			break;
		case 'p':
			if (parse_uint("max-per-ip", optarg, 1, 10000, &v) == -1)
				return EXIT_USAGE;
			o.per_ip_connections = (unsigned)v;
			break;
		case 'q':
			if (parse_uint("queue", optarg, 1, 100000, &queue) == -1)
				return EXIT_USAGE;
			break;
		case 'd':
			if (parse_uint("drain-timeout", optarg, 0, 3600, &drain) == -1)
				return EXIT_USAGE;
			break;
		case 'h':
			serve_usage(stdout);
			return EXIT_OK;
		default:
			serve_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || (certf == NULL) != (keyf == NULL)) {
		if (certf != NULL || keyf != NULL)
			log_warnx("--tls-cert and --tls-key go together");
		serve_usage(stderr);
		return EXIT_USAGE;
	}
	if (http_parse_listen(listen, o.host, sizeof(o.host), &o.port, err,
	    sizeof(err)) == -1) {
		log_warnx("--listen: %s", err);
		return EXIT_USAGE;
	}
	if (certf != NULL) {
		if ((cert = read_pem(certf)) == NULL || (key = read_pem(keyf)) == NULL)
			goto out;
		o.tls_cert = cert;
		o.tls_key = key;
	}

	/* every thread started from here on inherits the mask: only the
	 * sigwait below sees these signals */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (collector_open(c, &wdb) == -1 || collector_open(c, &adb) == -1)
		goto out;
	if (db_query(adb, "SELECT count(*) FROM tokens WHERE revoked_at IS NULL", NULL, 0,
	    &rows) == 0) {
		if (rows.nrows == 1 && rows.cells[0].text != NULL &&
		    strcmp(rows.cells[0].text, "0") == 0)
			log_warnx("no valid token: every push will be refused "
			    "(iommu-collector token add HOST)");
		db_rows_free(&rows);
	}
	if ((w = http_writer_start(wdb, (unsigned)queue, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	wdb = NULL; /* the writer owns it now */
	if ((srv = http_server_start(&o, w, adb, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	fprintf(stderr, "iommu-collector: listening on %s://%s%s%s:%u (database %s)\n",
	    cert != NULL ? "https" : "http", strchr(o.host, ':') != NULL ? "[" : "",
	    o.host, strchr(o.host, ':') != NULL ? "]" : "", http_server_port(srv),
	    c->db_path);
	fflush(stderr);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			continue; /* nothing to reload: tokens are read per request */
		break;
	}
	fprintf(stderr, "iommu-collector: signal %d: no new connections, finishing "
	    "requests in flight\n", sig);
	http_server_quiesce(srv);
	left = http_server_drain(srv, (unsigned)drain * 1000);
	if (left > 0)
		log_warnx("%u request%s still running after %lus: closing them "
		    "(nothing they sent was acknowledged)", left, left == 1 ? "" : "s", drain);
	rc = EXIT_OK;
out:
	http_server_free(srv); /* joins the connection threads */
	if (w != NULL)
		wdb = http_writer_stop(w); /* after every queued job is done */
	db_close(wdb);
	db_close(adb);
	free(cert);
	free(key);
	if (rc == EXIT_OK)
		fprintf(stderr, "iommu-collector: stopped\n");
	return rc;
}
