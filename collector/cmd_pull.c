/*
 * cmd_pull.c - "iommu-collector pull": audit many hosts over SSH at once,
 * store every report and record every attempt.  I/O: SSH (ssh_session.c),
 * the database, a temporary tree per agentless host, stdout/stderr.
 *
 * Concurrency: a fixed pool of --jobs worker threads, each with its own
 * blocking libssh session (one session is never shared between threads).
 * Threads keep every libssh call simple and bounded by the host's
 * deadline, and the cost that matters (key exchange, crypto) is the same as
 * in one poll loop.  The database, the agent's analysis and the terminal
 * are used under one lock; the network never is.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "agent/gather.h"
#include "common/log.h"
#include "agent/rootfs.h"
#include "proto/report_json.h"

#include "collector/agentless.h"
#include "common/growbuf.h"
#include "collector/collector.h"
#include "common/readall.h"
#include "collector/db.h"
#include "collector/inventory.h"
#include "collector/output.h"
#include "collector/ssh_session.h"
#include "collector/ingest.h"

#define PULL_DEFAULT_COMMAND "iommu-agent"
#define PULL_DEFAULT_JOBS 32
#define PULL_MAX_JOBS 1024
#define PULL_DEFAULT_CONNECT 10  /* seconds */
#define PULL_DEFAULT_TIMEOUT 120 /* seconds, for everything on one host */
#define PULL_INVENTORY_MAX (16u * 1024 * 1024)
#define PULL_AGENTLESS_STREAM_MAX (256u * 1024 * 1024) /* the parser bounds it more */
#define PULL_TRANSPORT "ssh"


struct pull_opts {
	const char *inventory;
	const char *command;
	const char *known_hosts;
	const char *identity;
	struct ssh_session_key *identity_key;
	const char *ssh_config;
	const char *tmpdir;
	int jobs;
	int connect_timeout;
	int timeout;
	size_t max_bytes;
	int agentless;
	int accept_new;
	int quiet;
	int progress; /* -1: when stderr is a terminal */
};

/* What one host came to: a report to store, or a failure to record. */
struct pull_outcome {
	char started_at[32];
	char status[32];     /* failure status word, "" when json is set */
	char error[512];
	char *json;          /* report text to store, or NULL */
	size_t len;
	struct ingest *in;   /* json on its way in, or NULL */
	int agentless;       /* the report was made on the collector side */
};

struct pull {
	const struct pull_opts *o;
	struct inventory *inv;
	struct db *db;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next;
	size_t done;
	size_t ok;
	size_t failed;
	int progress;
	int line_dirty;      /* a progress line is on the terminal */
	long long t0;
	struct { char word[32]; size_t n; } counts[16];
	size_t ncounts;
};

/* The agent's own code (analysis, pci.ids) runs for one host at a time. */
static pthread_mutex_t analyse_lock = PTHREAD_MUTEX_INITIALIZER;

static void
pull_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: iommu-collector pull [HOST...] [--inventory FILE] [--jobs N]\n"
	    "           [--command CMD] [--agentless] [--known-hosts FILE] [--accept-new]\n"
	    "           [--identity FILE] [--ssh-config FILE] [--connect-timeout S]\n"
	    "           [--timeout S] [--max-bytes N] [--quiet] [--progress|--no-progress]\n"
	    "\n"
	    "HOST and inventory lines: [user@]host[:port] [command=CMD] [tags=a,b]\n"
	    "  [agent=none] [name=NAME]; # comments.  Defaults: --jobs %d,\n"
	    "  --connect-timeout %d, --timeout %d (per host, in all), --max-bytes %u,\n"
	    "  --command %s.  Host keys must be in known_hosts (--accept-new records\n"
	    "  unknown ones; changed keys are always refused).  Auth: ssh-agent, then\n"
	    "  --identity, then ssh_config's IdentityFile.\n"
	    "exit status: 0 every host ok, 1 failure (no host ok), 2 usage,\n"
	    "  3 some hosts failed\n",
	    PULL_DEFAULT_JOBS, PULL_DEFAULT_CONNECT, PULL_DEFAULT_TIMEOUT,
	    REPORT_MAX_BYTES, PULL_DEFAULT_COMMAND);
}

static int
parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Replace control bytes so a host's text is inert in the database and on a
 * terminal alike (output_escape is still used before printing). */
static void
scrub(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
fail(struct pull_outcome *out, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct pull_outcome *out, const char *status, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->status, sizeof(out->status), "%s", status);
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
	scrub(out->error);
}

static int
growbuf_sink(void *arg, const char *p, size_t n)
{
	return growbuf_append(arg, p, n);
}

static int
parser_sink(void *arg, const char *p, size_t n)
{
	return agentless_parser_feed(arg, p, n);
}

static const char *
pci_ids_path(void)
{
	static const char *const paths[] = {
		"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

/* Analyse a rebuilt tree with the agent's own code into out->json. */
static int
analyse_tree(const struct inventory_host *h, const char *dir,
    struct pull_outcome *out)
{
	struct gather_opts gopts;
	struct rootfs fs;
	struct report r;
	int rc = -1;

	memset(&gopts, 0, sizeof(gopts));
	gopts.pci_ids = pci_ids_path();
	if (rootfs_open(&fs, dir) == -1) {
		fail(out, "collector-error", "%s: %s", dir, strerror(errno));
		return -1;
	}
	report_init(&r);
	pthread_mutex_lock(&analyse_lock);
	if (gather_report(&fs, &gopts, &r) == -1 || gather_stamp(&r) == -1) {
		pthread_mutex_unlock(&analyse_lock);
		fail(out, "collector-error", "analysis: out of memory");
		goto done;
	}
	pthread_mutex_unlock(&analyse_lock);
	/* the identity is the inventory's, whatever the host calls itself */
	free(r.host.hostname);
	r.host.hostname = strdup(h->name);
	out->json = r.host.hostname != NULL ? report_json_encode(&r, 0) : NULL;
	if (out->json == NULL) {
		fail(out, "collector-error", "encoding the report: out of memory");
		goto done;
	}
	out->len = strlen(out->json);
	out->agentless = 1;
	rc = 0;
done:
	report_free(&r);
	rootfs_close(&fs);
	return rc;
}

/* Run the agentless script on conn, rebuild and analyse: 0 or -1. */
static int
pull_agentless(const struct pull_opts *o, const struct inventory_host *h,
    struct ssh_session_conn *conn, struct pull_outcome *out)
{
	struct ssh_session_exec_result xr;
	struct ssh_session_error serr;
	struct agentless_parser *parser;
	struct agentless_sink sink;
	struct agentless_tree tree;
	int rc = -1, erc;

	if (agentless_tree_create(&tree, o->tmpdir) == -1) {
		fail(out, "collector-error", "temporary directory: %s", strerror(errno));
		return -1;
	}
	agentless_tree_sink(&tree, &sink);
	if ((parser = agentless_parser_new(&sink)) == NULL) {
		fail(out, "collector-error", "out of memory");
		goto done;
	}
	erc = ssh_session_exec(conn, "sh -s", agentless_script, strlen(agentless_script),
	    PULL_AGENTLESS_STREAM_MAX, parser_sink, parser, &xr, &serr);
	if (erc == -1 && agentless_parser_error(parser)[0] != '\0') {
		fail(out, "bad-report", "agentless stream: %s", agentless_parser_error(parser));
		goto done;
	}
	if (erc == -1) {
		fail(out, ssh_session_status_word(serr.status), "agentless: %s", serr.msg);
		goto done;
	}
	if (agentless_parser_finish(parser) == -1) {
		if (xr.exit_status != 0)
			fail(out, "command-failed", "agentless script: exit %d: %s",
			    xr.exit_status, xr.err_tail);
		else
			fail(out, "bad-report", "agentless stream: %s",
			    agentless_parser_error(parser));
		goto done;
	}
	rc = analyse_tree(h, tree.dir, out);
done:
	agentless_parser_free(parser);
	if (agentless_tree_remove(&tree) == -1)
		log_warn("removing %s", tree.dir);
	return rc;
}

/* Everything for one host but the database: out gets a report or a failure. */
static void
pull_host(const struct pull_opts *o, const struct inventory_host *h,
    struct pull_outcome *out)
{
	struct ssh_session_opts so;
	struct ssh_session_error serr;
	struct ssh_session_exec_result xr;
	struct ssh_session_conn *conn = NULL;
	struct growbuf b = { 0 };
	const char *command;
	int agentless;

	memset(out, 0, sizeof(*out));
	store_now(out->started_at, sizeof(out->started_at));
	memset(&so, 0, sizeof(so));
	so.host = h->host;
	so.user = h->user[0] != '\0' ? h->user : NULL;
	so.port = h->port;
	so.config = o->ssh_config;
	so.known_hosts = o->known_hosts;
	so.identity = o->identity_key;
	so.accept_new = o->accept_new;
	so.connect_timeout = o->connect_timeout;
	so.deadline_ms = ssh_session_now_ms() + (long long)o->timeout * 1000;
	if (ssh_session_open(&so, &conn, &serr) == -1) {
		fail(out, ssh_session_status_word(serr.status), "%s", serr.msg);
		return;
	}
	agentless = o->agentless || h->agent == INVENTORY_AGENT_NONE;
	if (agentless) {
		(void)pull_agentless(o, h, conn, out);
		goto done;
	}
	command = h->command != NULL ? h->command :
	    o->command != NULL ? o->command : PULL_DEFAULT_COMMAND;
	if (ssh_session_exec(conn, command, NULL, 0, o->max_bytes, growbuf_sink, &b,
	    &xr, &serr) == -1) {
		fail(out, ssh_session_status_word(serr.status), "%s", serr.msg);
		goto done;
	}
	if (xr.exit_status == 127 && xr.out_bytes == 0) {
		/* no agent there: read the evidence with sh instead */
		if (pull_agentless(o, h, conn, out) == -1 && out->status[0] != '\0') {
			char why[sizeof(out->error)];

			snprintf(why, sizeof(why), "%s", out->error);
			fail(out, "agent-missing", "agent not found (exit 127), agentless"
			    " failed: %s: %.300s", out->status, why);
		}
		goto done;
	}
	if (xr.out_bytes == 0) {
		fail(out, "command-failed", "exit %d, no output: %.300s", xr.exit_status,
		    xr.err_tail);
		goto done;
	}
	out->json = b.data;
	out->len = b.len;
	b.data = NULL;
done:
	free(b.data);
	ssh_session_close(conn);
}

static void
count_status(struct pull *p, const char *word)
{
	size_t i;

	for (i = 0; i < p->ncounts; i++)
		if (strcmp(p->counts[i].word, word) == 0) {
			p->counts[i].n++;
			return;
		}
	if (p->ncounts == sizeof(p->counts) / sizeof(p->counts[0]))
		i = p->ncounts - 1; /* the last slot takes the rest */
	else
		i = p->ncounts++;
	snprintf(p->counts[i].word, sizeof(p->counts[i].word), "%s", word);
	p->counts[i].n++;
}

static void
clear_progress(struct pull *p)
{
	if (p->line_dirty) {
		fputs("\r\033[K", stderr);
		p->line_dirty = 0;
	}
}

/* Store or record one outcome and say so; under p->lock. */
static void
finish_host(struct pull *p, const struct inventory_host *h, struct pull_outcome *out)
{
	struct store_result res;
	char *ename, *eerr;
	int ok = 0;

	if (out->in != NULL) {
		switch (ingest_commit(p->db, out->in, &res)) {
		case STORE_STORED:
		case STORE_UNCHANGED:
		case STORE_DUPLICATE:
			ok = 1;
			break;
		default:
			snprintf(out->error, sizeof(out->error), "%s", res.error);
			break;
		}
		snprintf(out->status, sizeof(out->status), "%s", store_status_name(res.status));
	} else if (ingest_record(p->db, h->name, PULL_TRANSPORT, out->started_at,
	    out->status, out->error) == -1) {
		log_warnx("%s: recording the attempt: %s", h->name, db_error(p->db));
	}
	p->done++;
	if (ok)
		p->ok++;
	else
		p->failed++;
	count_status(p, ok ? "ok" : out->status);
	if (ok && (p->o->quiet || p->progress))
		return;
	clear_progress(p);
	ename = output_escape(h->name);
	eerr = output_escape(out->error);
	if (ok)
		printf("%s: %s%s\n", ename ? ename : "?", out->status,
		    out->agentless ? " (agentless)" : "");
	else
		printf("%s: %s: %s\n", ename ? ename : "?", out->status, eerr ? eerr : "?");
	fflush(stdout);
	free(ename);
	free(eerr);
}

/* The first half of ingesting the report, here, so the workers decode side
 * by side and only the commit is serialised. */
static void
prepare_outside_lock(struct pull *p, const struct inventory_host *h,
    struct pull_outcome *out)
{
	struct ingest_reader rd = { p->db, &p->lock };

	if (out->json == NULL)
		return;
	if ((out->in = ingest_new(out->json, out->len, PULL_TRANSPORT, h->name)) == NULL) {
		fail(out, "collector-error", "out of memory");
		return;
	}
	ingest_prepare(out->in, &rd);
}

static void *
worker(void *arg)
{
	struct pull *p = arg;
	struct pull_outcome out;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next < p->inv->n ? p->next++ : p->inv->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->inv->n)
			break;
		pull_host(p->o, &p->inv->hosts[i], &out);
		prepare_outside_lock(p, &p->inv->hosts[i], &out);
		pthread_mutex_lock(&p->lock);
		finish_host(p, &p->inv->hosts[i], &out);
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		ingest_free(out.in);
		free(out.json);
	}
	return NULL;
}

static void
show_progress(struct pull *p)
{
	double secs = (double)(ssh_session_now_ms() - p->t0) / 1000.0;

	fprintf(stderr, "\r\033[Kpull: %zu/%zu done, %zu failed, %.1f hosts/s",
	    p->done, p->inv->n, p->failed, secs > 0 ? (double)p->done / secs : 0.0);
	p->line_dirty = 1;
}

static void
summary(struct pull *p)
{
	double secs = (double)(ssh_session_now_ms() - p->t0) / 1000.0;
	size_t i;
	int first = 1;

	if (p->o->quiet)
		return;
	printf("pull: %zu hosts in %.1f s: %zu ok, %zu failed", p->inv->n, secs,
	    p->ok, p->failed);
	for (i = 0; i < p->ncounts; i++) {
		if (strcmp(p->counts[i].word, "ok") == 0)
			continue;
		printf("%s%s %zu", first ? " (" : ", ", p->counts[i].word, p->counts[i].n);
		first = 0;
	}
	printf("%s\n", first ? "" : ")");
}

static int
run(struct pull *p)
{
	pthread_attr_t attr;
	pthread_t *threads;
	struct timespec ts;
	size_t i, nthreads;
	int rc = 0;

	nthreads = (size_t)p->o->jobs < p->inv->n ? (size_t)p->o->jobs : p->inv->n;
	threads = calloc(nthreads, sizeof(*threads));
	if (threads == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	p->t0 = ssh_session_now_ms();
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], &attr, worker, p) != 0) {
			log_warnx("cannot start worker %zu", i);
			break;
		}
	}
	nthreads = i;
	pthread_attr_destroy(&attr);
	if (nthreads == 0) {
		free(threads);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	while (p->done < p->inv->n) {
		if (p->progress)
			show_progress(p);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	clear_progress(p);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return rc;
}

static int
read_inventory(const char *path, struct inventory *inv)
{
	struct growbuf b = { 0 };
	char err[300];
	FILE *fp;
	int rc;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (fp == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rc = readall_bounded(fp, PULL_INVENTORY_MAX, &b);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0) {
		if (rc == 1)
			log_warnx("%s: over 16 MiB", path);
		else
			log_warn("%s", path);
		free(b.data);
		return -1;
	}
	rc = inventory_parse(b.data != NULL ? b.data : "", b.len, inv, err, sizeof(err));
	free(b.data);
	if (rc == -1)
		log_warnx("%s: %s", path, err);
	return rc;
}

int
cmd_pull(struct collector *c, int argc, char **argv)
{
	enum { O_INVENTORY = 256, O_COMMAND, O_AGENTLESS, O_KNOWN, O_ACCEPT,
		O_IDENTITY, O_CONFIG, O_CONNECT, O_TIMEOUT, O_MAXBYTES, O_PROGRESS,
		O_NOPROGRESS, O_TMPDIR };
	static const struct option longopts[] = {
		{ "inventory", required_argument, NULL, O_INVENTORY },
		{ "jobs", required_argument, NULL, 'j' },
		{ "command", required_argument, NULL, O_COMMAND },
		{ "agentless", no_argument, NULL, O_AGENTLESS },
		{ "known-hosts", required_argument, NULL, O_KNOWN },
		{ "accept-new", no_argument, NULL, O_ACCEPT },
		{ "identity", required_argument, NULL, O_IDENTITY },
		{ "ssh-config", required_argument, NULL, O_CONFIG },
		{ "connect-timeout", required_argument, NULL, O_CONNECT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-bytes", required_argument, NULL, O_MAXBYTES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "tmpdir", required_argument, NULL, O_TMPDIR },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pull_opts o;
	struct inventory inv;
	struct pull p;
	char err[300];
	long v;
	int ch, i, rc = EXIT_FAILURE_;

	memset(&o, 0, sizeof(o));
	o.jobs = PULL_DEFAULT_JOBS;
	o.connect_timeout = PULL_DEFAULT_CONNECT;
	o.timeout = PULL_DEFAULT_TIMEOUT;
	o.max_bytes = REPORT_MAX_BYTES;
	o.progress = -1;
	inventory_init(&inv);
	while ((ch = getopt_long(argc, argv, "hj:q", longopts, NULL)) != -1) {
		switch (ch) {
		case O_INVENTORY:
			o.inventory = optarg;
			break;
		case 'j':
			if (parse_number(optarg, 1, PULL_MAX_JOBS, &v) == -1)
				goto badnum;
			o.jobs = (int)v;
			break;
		case O_COMMAND:
			if (*optarg == '\0' || strlen(optarg) >= INVENTORY_COMMAND_MAX) {
				log_warnx("--command: empty or too long");
				return EXIT_USAGE;
			}
			o.command = optarg;
			break;
		case O_AGENTLESS:
			o.agentless = 1;
			break;
		case O_KNOWN:
			o.known_hosts = optarg;
			break;
		case O_ACCEPT:
			o.accept_new = 1;
			break;
		case O_IDENTITY:
			o.identity = optarg;
			break;
		case O_CONFIG:
			o.ssh_config = optarg;
			break;
		case O_CONNECT:
			if (parse_number(optarg, 1, 3600, &v) == -1)
				goto badnum;
			o.connect_timeout = (int)v;
			break;
		case O_TIMEOUT:
			if (parse_number(optarg, 1, 86400, &v) == -1)
				goto badnum;
			o.timeout = (int)v;
			break;
		case O_MAXBYTES:
			if (parse_number(optarg, 1024, REPORT_MAX_BYTES, &v) == -1)
				goto badnum;
			o.max_bytes = (size_t)v;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case O_PROGRESS:
			o.progress = 1;
			break;
		case O_NOPROGRESS:
			o.progress = 0;
			break;
		case O_TMPDIR:
			o.tmpdir = optarg;
			break;
		case 'h':
			pull_usage(stdout);
			return EXIT_OK;
		default:
			pull_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (o.inventory != NULL && read_inventory(o.inventory, &inv) == -1) {
		inventory_free(&inv);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		if (inventory_add(&inv, argv[i], 0, err, sizeof(err)) == -1) {
			char *e = output_escape(argv[i]);

			log_warnx("\"%s\": %s", e != NULL ? e : "?", err);
			free(e);
			inventory_free(&inv);
			return EXIT_USAGE;
		}
	}
	if (inv.n == 0) {
		log_warnx("no hosts: give HOST arguments or --inventory FILE");
		pull_usage(stderr);
		return EXIT_USAGE;
	}
	memset(&p, 0, sizeof(p));
	p.o = &o;
	p.inv = &inv;
	p.progress = o.quiet ? 0 : o.progress == -1 ? isatty(STDERR_FILENO) : o.progress;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	/* a host closing its end must not kill the whole run */
	signal(SIGPIPE, SIG_IGN);
	if (collector_open(c, &p.db) == -1)
		goto done;
	if (ssh_session_global_init() == -1) {
		log_warnx("libssh initialisation failed");
		goto done;
	}
	if (o.identity != NULL &&
	    ssh_session_key_load(o.identity, &o.identity_key, err, sizeof(err)) == -1) {
		log_warnx("--identity %s", err);
		goto cleanup;
	}
	if (run(&p) == 0) {
		summary(&p);
		rc = p.failed == 0 ? EXIT_OK : p.ok == 0 ? EXIT_FAILURE_ : EXIT_PARTIAL;
	}
cleanup:
	ssh_session_key_free(o.identity_key);
	ssh_session_global_cleanup();
done:
	db_close(p.db);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.cond);
	inventory_free(&inv);
	return rc;
badnum:
	log_warnx("%s: invalid number \"%s\"", argv[optind - 1], optarg);
	inventory_free(&inv);
	return EXIT_USAGE;
}
