/*
 * push.c - iommu-agent --push: the libcurl adapter (the only agent file that
 * includes curl.h), retries with backoff and jitter, and the order of a
 * run: spooled reports first, then this one, spooling what does not get
 * through.  I/O: network, the token file, the spool (spool.h), stderr.
 *
 * libcurl is loaded with dlopen() when a push starts, not linked: linked, it
 * maps some thirty libraries (TLS, HTTP/2, LDAP, Kerberos, ...) into every
 * run of the agent, which doubled its peak RSS and start-up work for the
 * common run that only prints a report.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "proto/report_json.h"
#include "agent/dynload.h"
#include "common/exitcode.h"
#include "common/log.h"
#include "agent/push.h"
#include "agent/spool.h"

#define TOKEN_FILE_MAX 4096
#define REPLY_MAX 1024
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 10000
#define RETRY_AFTER_CAP_S 30
#define CONNECT_TIMEOUT_S 10L
#define TOTAL_TIMEOUT_S 180L /* the collector may wait on a busy database */
/* The whole push, spooled reports, retries and waits included: a cron run
 * must end before the next one starts. */
#define PUSH_DEADLINE_S 300L

/* The libcurl functions push uses, resolved by curl_load(). */
static struct {
	void *handle;
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} lc;

/* Load libcurl and resolve lc: 0, or -1 after logging why. */
static int
curl_load(void)
{
	static const struct dynload_sym syms[] = {
#define SYM(f) {"curl_" #f, offsetof(__typeof__(lc), f)}
	        SYM(global_init),  SYM(global_cleanup), SYM(easy_init),    SYM(easy_setopt),
	        SYM(easy_perform), SYM(easy_getinfo),   SYM(easy_cleanup), SYM(easy_strerror),
	        SYM(slist_append), SYM(slist_free_all),
#undef SYM
	};
	char err[256];

	if (lc.handle != NULL)
		return 0;
	if (dynload("libcurl.so.4", syms, sizeof(syms) / sizeof(syms[0]), &lc, &lc.handle, err,
	            sizeof(err)) == -1) {
		log_warnx("%s (install libcurl4 to push)", err);
		return -1;
	}
	return 0;
}

enum outcome {
	OUT_DELIVERED,  /* 2xx with the collector's acknowledgement: stored, or was already */
	OUT_UNACKED,    /* 2xx without it: a captive portal or a proxy, not the collector */
	OUT_RETRY,      /* network error, 429, 5xx: try again later */
	OUT_BAD_REPORT, /* the collector said 400, 403, 413, 415: never taken, not kept */
	OUT_REFUSED,    /* 401, other 3xx/4xx: the token or the URL is wrong */
};

struct pusher {
	CURL *h;
	struct curl_slist *hdrs;
	char url[2048];
	char errbuf[CURL_ERROR_SIZE];
	unsigned tries;
	unsigned seed;
	struct timespec deadline; /* CLOCK_MONOTONIC: the end of the whole push */
	const char *id;           /* the report being sent, its acknowledgement names it */
	/* the last answer */
	long status;
	unsigned retry_after;
	char reply[REPLY_MAX];
	size_t replylen;
};

/* Is the last answer the collector's JSON error, {"status":NNN,"error":...}? */
static int
collector_said(const struct pusher *p)
{
	char want[64];

	snprintf(want, sizeof(want), "{\"status\":%ld,\"error\":", p->status);
	return strncmp(p->reply, want, strlen(want)) == 0;
}

/* Keep the first REPLY_MAX - 1 bytes of the answer for messages. */
static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct pusher *p = arg;
	size_t n = size * nmemb, room = sizeof(p->reply) - 1 - p->replylen;

	if (room > 0) {
		if (n < room)
			room = n;
		memcpy(p->reply + p->replylen, ptr, room);
		p->replylen += room;
		p->reply[p->replylen] = '\0';
	}
	return n;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct pusher *p = arg;
	size_t n = size * nitems, i;
	unsigned long v = 0;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && strncasecmp(buf, name, sizeof(name) - 1) == 0) {
		i = sizeof(name) - 1;
		while (i < n && buf[i] == ' ')
			i++;
		for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
			v = v * 10 + (unsigned long)(buf[i] - '0');
			if (v > RETRY_AFTER_CAP_S)
				v = RETRY_AFTER_CAP_S;
		}
		p->retry_after = (unsigned)v;
	}
	return n;
}

/* The answer, printable: it came from the network. */
static const char *
reply_text(struct pusher *p)
{
	size_t i;

	for (i = 0; i < p->replylen; i++) {
		if ((unsigned char)p->reply[i] < 0x20 || (unsigned char)p->reply[i] > 0x7e)
			p->reply[i] = ' ';
	}
	while (p->replylen > 0 && p->reply[p->replylen - 1] == ' ')
		p->reply[--p->replylen] = '\0';
	return p->replylen > 0 ? p->reply : "(no message)";
}

/* The token: one line, printable, no spaces.  0, or -1 (logged). */
static int
token_read(const char *path, char *tok, size_t toklen)
{
	struct stat st;
	ssize_t n;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("token file %s", path);
		return -1;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("token file %s can be read by other users (chmod 600)", path);
	n = read(fd, tok, toklen);
	close(fd);
	if (n < 0) {
		log_warn("token file %s", path);
		return -1;
	}
	if ((size_t)n >= toklen) {
		log_warnx("token file %s: longer than %zu bytes", path, toklen - 1);
		return -1;
	}
	while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' ' ||
	                 tok[n - 1] == '\t'))
		n--;
	tok[n] = '\0';
	if (n == 0) {
		log_warnx("token file %s: empty", path);
		return -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] >= 0x7f) {
			log_warnx("token file %s: not one printable word", path);
			return -1;
		}
	}
	return 0;
}

/* Seconds left before the push's deadline, 0 when it has passed. */
static long
pusher_left(const struct pusher *p)
{
	struct timespec now;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long)(p->deadline.tv_sec - now.tv_sec);
	if (p->deadline.tv_nsec < now.tv_nsec)
		left--;
	return left > 0 ? left : 0;
}

static int
pusher_init(struct pusher *p, const struct push_opts *o, const char *token)
{
	char auth[TOKEN_FILE_MAX + 32];
	unsigned seed;
	size_t n;
	int w;

	n = strlen(o->url);
	while (n > 0 && o->url[n - 1] == '/')
		n--;
	if (n >= 11 && strncmp(o->url + n - 11, "/v1/reports", 11) == 0)
		w = snprintf(p->url, sizeof(p->url), "%.*s", (int)n, o->url);
	else
		w = snprintf(p->url, sizeof(p->url), "%.*s/v1/reports", (int)n, o->url);
	if (w < 0 || (size_t)w >= sizeof(p->url)) {
		log_warnx("--push: URL too long");
		return -1;
	}
	if (strncmp(p->url, "https://", 8) != 0 && strncmp(p->url, "http://", 7) != 0) {
		log_warnx("--push: \"%s\": expected an http:// or https:// URL", o->url);
		return -1;
	}
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	p->seed = seed;
	p->tries = o->tries > 0 ? o->tries : 1;
	clock_gettime(CLOCK_MONOTONIC, &p->deadline);
	p->deadline.tv_sec += PUSH_DEADLINE_S;
	if ((p->h = lc.easy_init()) == NULL) {
		log_warnx("curl: cannot initialise");
		return -1;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	if ((p->hdrs = lc.slist_append(NULL, "Content-Type: application/json")) == NULL ||
	    (p->hdrs = lc.slist_append(p->hdrs, auth)) == NULL ||
	    (p->hdrs = lc.slist_append(p->hdrs, "Accept: application/json")) == NULL) {
		memset(auth, 0, sizeof(auth));
		log_warnx("out of memory");
		return -1;
	}
	memset(auth, 0, sizeof(auth));
	lc.easy_setopt(p->h, CURLOPT_URL, p->url);
	lc.easy_setopt(p->h, CURLOPT_PROTOCOLS_STR, "http,https");
	lc.easy_setopt(p->h, CURLOPT_FOLLOWLOCATION, 0L);
	lc.easy_setopt(p->h, CURLOPT_HTTPHEADER, p->hdrs);
	lc.easy_setopt(p->h, CURLOPT_POST, 1L);
	lc.easy_setopt(p->h, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(p->h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	lc.easy_setopt(p->h, CURLOPT_TIMEOUT, TOTAL_TIMEOUT_S);
	lc.easy_setopt(p->h, CURLOPT_ERRORBUFFER, p->errbuf);
	lc.easy_setopt(p->h, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(p->h, CURLOPT_WRITEDATA, p);
	lc.easy_setopt(p->h, CURLOPT_HEADERFUNCTION, on_header);
	lc.easy_setopt(p->h, CURLOPT_HEADERDATA, p);
	lc.easy_setopt(p->h, CURLOPT_USERAGENT, "iommu-agent/" IOMMU_FLEET_VERSION);
	/* verified TLS always: a custom CA, never "insecure" */
	lc.easy_setopt(p->h, CURLOPT_SSL_VERIFYPEER, 1L);
	lc.easy_setopt(p->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert != NULL)
		lc.easy_setopt(p->h, CURLOPT_CAINFO, o->cacert);
	return 0;
}

static void
pusher_free(struct pusher *p)
{
	lc.slist_free_all(p->hdrs); /* holds the token */
	if (p->h != NULL)
		lc.easy_cleanup(p->h);
	p->hdrs = NULL;
	p->h = NULL;
}

static enum outcome
pusher_once(struct pusher *p, const char *body, size_t len)
{
	CURLcode rc;
	long left = pusher_left(p);

	p->status = 0;
	p->retry_after = 0;
	p->replylen = 0;
	p->reply[0] = '\0';
	p->errbuf[0] = '\0';
	if (left == 0) {
		snprintf(p->errbuf, sizeof(p->errbuf), "out of time (a push takes at most %ld s)",
		         PUSH_DEADLINE_S);
		return OUT_RETRY;
	}
	lc.easy_setopt(p->h, CURLOPT_TIMEOUT, left < TOTAL_TIMEOUT_S ? left : TOTAL_TIMEOUT_S);
	lc.easy_setopt(p->h, CURLOPT_POSTFIELDS, body);
	lc.easy_setopt(p->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = lc.easy_perform(p->h);
	if (rc != CURLE_OK) {
		if (p->errbuf[0] == '\0')
			snprintf(p->errbuf, sizeof(p->errbuf), "%s", lc.easy_strerror(rc));
		return OUT_RETRY;
	}
	lc.easy_getinfo(p->h, CURLINFO_RESPONSE_CODE, &p->status);
	/* A status code alone acknowledges nothing: a captive portal answers
	 * 200 to anything.  Only the collector's own answer naming the report
	 * lets it leave the spool. */
	if (p->status >= 200 && p->status < 300)
		return report_json_ack(p->reply, p->replylen, p->id) ? OUT_DELIVERED : OUT_UNACKED;
	if (p->status == 429 || p->status >= 500)
		return OUT_RETRY;
	/* Only the collector's own verdict condemns a report: a proxy's 413
	 * or 400 in between says nothing about it, so that is tried again. */
	if (p->status == 400 || p->status == 403 || p->status == 413 || p->status == 415)
		return collector_said(p) ? OUT_BAD_REPORT : OUT_RETRY;
	return OUT_REFUSED;
}

/* Exponential backoff with full jitter in [d/2, 3d/2), at least what the
 * collector asked for in Retry-After. */
static void
pusher_wait(struct pusher *p, unsigned attempt)
{
	unsigned long d = BACKOFF_BASE_MS;
	struct timespec ts;
	unsigned i;

	for (i = 1; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	d = d / 2 + (unsigned long)rand_r(&p->seed) % (d + 1);
	if (p->retry_after > 0 && d < p->retry_after * 1000ul)
		d = p->retry_after * 1000ul;
	if (d > (unsigned long)pusher_left(p) * 1000ul)
		d = (unsigned long)pusher_left(p) * 1000ul;
	ts.tv_sec = (time_t)(d / 1000);
	ts.tv_nsec = (long)(d % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
pusher_say(struct pusher *p, const char *what, const char *verb)
{
	if (p->status >= 200 && p->status < 300)
		log_warnx("%s: HTTP %ld from %s is not an iommu-fleet collector's "
		          "acknowledgement (a captive portal or a proxy?): kept: %s",
		          what, p->status, p->url, reply_text(p));
	else if (p->status == 0)
		log_warnx("%s: %s %s: %s", what, verb, p->url, p->errbuf);
	else
		log_warnx("%s: %s %s: HTTP %ld: %s", what, verb, p->url, p->status, reply_text(p));
}

static enum outcome
pusher_send(struct pusher *p, const char *body, size_t len, const char *what)
{
	enum outcome out;
	unsigned attempt;

	for (attempt = 1;; attempt++) {
		out = pusher_once(p, body, len);
		if (out != OUT_RETRY || attempt >= p->tries || pusher_left(p) == 0)
			break;
		log_info("%s: attempt %u: %s", what, attempt,
		         p->status == 0 ? p->errbuf : "collector busy or failing");
		pusher_wait(p, attempt);
	}
	if (out == OUT_DELIVERED)
		log_info("%s: delivered (HTTP %ld)", what, p->status);
	return out;
}

/* What to do when the spool cannot be written, for the message. */
static const char *
spool_fix(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		return "free space there, or give --spool a directory on a larger file system";
	case EACCES:
	case EPERM:
	case EROFS:
		return "make it writable by this user, or give --spool another directory";
	default:
		return "check the directory, or give --spool another one";
	}
}

/* Keep the report for the next run: EXIT_SPOOLED, or EXIT_FAILURE_ when
 * there is no spool or it cannot be written. */
static int
spool_keep(struct spool *sp, int have_spool, const char *json, size_t len, const char *report_id)
{
	char dropped[2048], *line, *next;
	int n;

	if (!have_spool) {
		/* sp->dir is NULL without --spool; set when it failed to open */
		log_warnx("report %s not delivered and not spooled (%s)", report_id,
		          sp->dir == NULL ? "no --spool"
		                          : "the spool could not be opened: see above");
		return EXIT_FAILURE_;
	}
	if (spool_add(sp, report_id, json, len) == -1) {
		/* the reports spooled before stay whole: spool_add writes a
		 * temporary file and renames it only once it is on disk */
		log_warnx("spool %s: cannot keep report %s: %s (%s)", sp->dir, report_id,
		          strerror(errno), spool_fix(errno));
		return EXIT_FAILURE_;
	}
	n = spool_trim(sp, SPOOL_MAX_COUNT, SPOOL_MAX_BYTES, dropped, sizeof(dropped));
	if (n == -1)
		log_warn("spool %s: trimming", sp->dir);
	for (line = dropped; n > 0 && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			break;
		*next++ = '\0';
		log_warnx("spool %s full: dropped the oldest report %s", sp->dir, line);
	}
	log_warnx("report %s spooled in %s (%zu waiting)", report_id, sp->dir, sp->n);
	return EXIT_SPOOLED;
}

/* How long to wait for the spool's lock: SPOOL_LOCK_WAIT_S, or
 * $IOMMU_AGENT_SPOOL_WAIT seconds (0 to 3600; for tests). */
static unsigned
spool_wait(void)
{
	const char *e = getenv("IOMMU_AGENT_SPOOL_WAIT");
	unsigned long v;
	char *end;

	if (e == NULL || *e == '\0')
		return SPOOL_LOCK_WAIT_S;
	errno = 0;
	v = strtoul(e, &end, 10);
	if (errno != 0 || *end != '\0' || v > 3600)
		return SPOOL_LOCK_WAIT_S;
	return (unsigned)v;
}

/* Open the spool when there is one: 1 open, 0 none (or it failed, logged),
 * -1 another run holds it (logged): the run ends there. */
static int
push_spool_open(struct spool *sp, const char *dir)
{
	memset(sp, 0, sizeof(*sp));
	sp->lockfd = -1;
	if (dir == NULL)
		return 0;
	if (spool_open(sp, dir, spool_wait()) == -1) {
		if (errno == EWOULDBLOCK) {
			log_warnx("spool %s: another iommu-agent run has held it for %u s: "
			          "giving up (nothing sent, nothing spooled)",
			          dir, spool_wait());
			return -1;
		}
		log_warn("spool %s", dir);
		sp->dir = (char *)dir; /* only for spool_keep's message: never freed here */
		return 0;
	}
	return 1;
}

/* Read the token into tok and make libcurl ready: 0, or -1 (logged). */
static int
push_prepare(const struct push_opts *o, char *tok, size_t toklen)
{
	if (o->token_file == NULL) {
		log_warnx("--push needs --token-file");
		return -1;
	}
	if (token_read(o->token_file, tok, toklen) == -1)
		return -1;
	if (curl_load() == -1 || lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("curl: cannot initialise");
		return -1;
	}
	return 0;
}

/* Send the oldest spooled report, and remove it once the collector took or
 * condemned it.  1: go on with the next; 0: leave the spool and send this
 * run's report; -1: stop and keep this run's report too, *out saying why. */
static int
push_oldest(struct pusher *p, struct spool *sp, enum outcome *out)
{
	char what[SPOOL_NAME_MAX + 32], id[SPOOL_NAME_MAX], *buf;
	size_t blen;

	snprintf(what, sizeof(what), "spooled %s", sp->v[0].name);
	/* the entry's id: NNNNNNNNNNNNNNNNNNNN-ID.json (spool_name_ok) */
	snprintf(id, sizeof(id), "%.*s", (int)(strlen(sp->v[0].name) - 26), sp->v[0].name + 21);
	p->id = id;
	if (spool_read(sp, 0, REPORT_MAX_BYTES, &buf, &blen) == -1) {
		if (errno != EFBIG) {
			/* maybe passing (EMFILE, ENOMEM, EIO): keep it */
			log_warn("spool %s: reading %s", sp->dir, sp->v[0].name);
			*out = OUT_RETRY;
			return -1;
		}
		log_warnx("spool %s: %s is larger than any report, dropped", sp->dir,
		          sp->v[0].name);
		return spool_remove(sp, 0) == -1 ? 0 : 1;
	}
	*out = pusher_send(p, buf, blen, what);
	free(buf);
	if (*out != OUT_DELIVERED && *out != OUT_BAD_REPORT) {
		pusher_say(p, what, *out == OUT_RETRY ? "cannot deliver to" : "refused by");
		return -1;
	}
	if (*out == OUT_BAD_REPORT)
		pusher_say(p, what, "refused by");
	if (spool_remove(sp, 0) == -1) {
		log_warn("spool %s: removing %s", sp->dir, sp->v[0].name);
		return 0;
	}
	return 1;
}

/* Send this run's report and spool it unless the collector took or
 * condemned it: the exit code. */
static int
push_current(struct pusher *p, struct spool *sp, int have_spool, const char *json, size_t len,
             const char *report_id)
{
	char what[SPOOL_NAME_MAX + 32];

	snprintf(what, sizeof(what), "report %s", report_id);
	p->id = report_id;
	switch (pusher_send(p, json, len, what)) {
	case OUT_DELIVERED:
		return EXIT_OK;
	case OUT_BAD_REPORT:
		pusher_say(p, what, "refused by");
		return EXIT_REJECTED;
	case OUT_REFUSED:
		/* the token or URL is wrong, not the report: keep it */
		pusher_say(p, what, "refused by");
		spool_keep(sp, have_spool, json, len, report_id);
		return EXIT_REJECTED;
	case OUT_UNACKED:
	case OUT_RETRY:
	default:
		pusher_say(p, what, "cannot deliver to");
		return spool_keep(sp, have_spool, json, len, report_id);
	}
}

/* spool_keep, when this run has a report (push_report's json not NULL). */
static int
keep_current(struct spool *sp, int have_spool, const char *json, size_t len, const char *report_id)
{
	return json != NULL ? spool_keep(sp, have_spool, json, len, report_id) : EXIT_FAILURE_;
}

int
push_report(const struct push_opts *o, const char *json, size_t len, const char *report_id)
{
	struct pusher p;
	struct spool sp;
	enum outcome out;
	char tok[TOKEN_FILE_MAX];
	int have_spool, next, rc;

	memset(&p, 0, sizeof(p));
	have_spool = push_spool_open(&sp, o->spool);
	if (have_spool == -1)
		return EXIT_FAILURE_;
	if (json == NULL && (!have_spool || sp.n == 0)) {
		rc = EXIT_OK; /* no report and an empty spool: nothing to send */
		goto out;
	}
	if (push_prepare(o, tok, sizeof(tok)) == -1) {
		rc = keep_current(&sp, have_spool, json, len, report_id);
		goto out;
	}
	rc = pusher_init(&p, o, tok);
	memset(tok, 0, sizeof(tok));
	if (rc == -1) {
		rc = keep_current(&sp, have_spool, json, len, report_id);
		goto out_curl;
	}

	/* older reports first, so the collector sees them in order */
	while (have_spool && sp.n > 0) {
		next = push_oldest(&p, &sp, &out);
		if (next == 0)
			break;
		if (next == -1) {
			rc = keep_current(&sp, have_spool, json, len, report_id);
			if (out == OUT_REFUSED)
				rc = EXIT_REJECTED;
			goto out_curl;
		}
	}
	rc = json != NULL ? push_current(&p, &sp, have_spool, json, len, report_id) : EXIT_OK;
out_curl:
	pusher_free(&p);
	lc.global_cleanup();
out:
	if (have_spool)
		spool_close(&sp);
	return rc;
}
