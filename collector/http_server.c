/*
 * http_server.c - the libmicrohttpd adapter (the only file that includes
 * microhttpd.h): routes, per-request state, body accumulation with limits,
 * token check, hand-off to the writer, access log; and what keeps one
 * peer from starving the rest: the whole-request deadline (a watch
 * thread), the connection budget and per-address limits, the bound on
 * reports decoded at once, failed-auth delays, per-token rate and per-host
 * storage budget (429, seeded from the database).  I/O: sockets, stderr,
 * the database (tokens through token.h, the budget through store.h).
 */
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/log.h"
#include "proto/hostname.h"
#include "proto/report_json.h"

#include "collector/db.h"
#include "collector/http_parse.h"
#include "collector/http_server.h"
#include "collector/http_writer.h"
#include "collector/metrics.h"
#include "collector/metrics_fleet.h"
#include "collector/output.h"
#include "collector/ingest.h"
#include "collector/store.h"
#include "collector/token.h"

#define PATH_REPORTS "/v1/reports"
#define PATH_HEALTH "/healthz"
#define PATH_METRICS "/metrics"
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define BODY_FIRST_ALLOC (64u * 1024)
#define WATCH_PERIOD_MS 500              /* how often deadlines are checked */
#define ADDR_SLOTS 1024                  /* failed-auth and per-token tables */
#define AUTH_DELAY_MAX 300               /* seconds: the longest failed-auth delay */
#define EVICT_SLACK(max) ((max) / 8 + 8) /* MHD's limit above ours */

/* One open connection (MHD's socket context), from accept to close. */
struct conn {
	struct conn *prev, *next;
	int fd;
	struct timespec since; /* accept, or the end of the previous request */
	int phase;             /* CONN_READING, CONN_WORKING */
	int evicted;           /* shut down by us: only the close is left */
	char key[INET6_ADDRSTRLEN];
};
enum { CONN_READING = 0, CONN_WORKING };

/* Failed auths of one address, or reports of one token's host. */
struct slot {
	char key[TOKEN_HOST_MAX];
	unsigned count;  /* consecutive failures / unused */
	double until;    /* failures: no auth before this (monotonic s) */
	double tokens;   /* rate: reports that may still be sent */
	double refilled; /* rate: when tokens was last refilled */
	double window;   /* budget: when the current day began */
	double bytes;    /* budget: new content stored in it */
};

struct http_server {
	struct http_server_opts o;
	struct MHD_Daemon *d;
	struct http_writer *w;
	struct db *authdb;
	pthread_mutex_t authlock;
	pthread_mutex_t lock; /* inflight, draining */
	pthread_cond_t idle;  /* inflight reached 0 */
	unsigned inflight;
	int draining;
	pthread_mutex_t loglock;
	struct metrics *metrics; /* GET /metrics: our own counters */
	/* connections (connlock): deadlines and the budget */
	pthread_mutex_t connlock;
	pthread_cond_t stopcv;
	struct conn *conns;
	unsigned nconns;
	int stopping;
	pthread_t watch;
	int watching;
	/* decoding (lock): bodies decoded at once */
	pthread_cond_t decode_cv;
	unsigned decoding;
	/* failed auths per address and reports per token (slotlock) */
	pthread_mutex_t slotlock;
	struct slot fails[ADDR_SLOTS];
	struct slot rates[ADDR_SLOTS];
	struct slot budgets[ADDR_SLOTS];
};

enum route { ROUTE_NONE = 0, ROUTE_REPORTS, ROUTE_HEALTH, ROUTE_METRICS };

/* One request: lives from the first call of the handler to the completed
 * callback (MHD's per-request context). */
struct request {
	struct timespec start;
	enum route route;
	char method[16];
	char path[160];
	char peer[96];
	char host[TOKEN_HOST_MAX]; /* from the token, "" until known */
	char *body;
	size_t len, cap;
	unsigned long long clen; /* Content-Length, when have_clen */
	int have_clen;
	int too_big;
	unsigned status;             /* answered status, 0 none yet */
	char result[40];             /* "stored", "bad-token", ... for the log */
	char addr[INET6_ADDRSTRLEN]; /* the peer's address key (limits) */
	unsigned retry_after;        /* for a 429: seconds */
	struct conn *conn;           /* MHD's socket context */
};

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One access log line, written with a single fwrite so concurrent lines
 * never interleave.  Every field that came from the peer is escaped. */
static void
access_log(struct http_server *s, const struct request *rq, const char *why)
{
	char ts[32], line[1024];
	char *method, *path, *host;
	int n;

	store_now(ts, sizeof(ts));
	/* everything a client sent is escaped: an operator tails this log */
	method = output_escape(rq->method);
	path = output_escape(rq->path);
	host = output_escape(rq->host[0] != '\0' ? rq->host : "-");
	n = snprintf(
	        line, sizeof(line),
	        "%s http peer=%s method=%s path=%s status=%u bytes=%zu host=%s ms=%.1f result=%s\n",
	        ts, rq->peer, method != NULL ? method : "?", path != NULL ? path : "?", rq->status,
	        rq->len, host != NULL ? host : "?", elapsed_ms(&rq->start),
	        why != NULL ? why : (rq->result[0] != '\0' ? rq->result : "-"));
	free(method);
	free(path);
	free(host);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	pthread_mutex_lock(&s->loglock);
	fwrite(line, 1, (size_t)n, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&s->loglock);
}

static void
set_result(struct request *rq, const char *result)
{
	snprintf(rq->result, sizeof(rq->result), "%s", result);
}

/* Queue an answer of this type, then destroy our reference to it. */
static enum MHD_Result
respond_typed(struct http_server *s, struct MHD_Connection *c, struct request *rq, unsigned status,
              const char *body, size_t len, const char *type, int close_conn)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char ra[16];

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE || status == MHD_HTTP_TOO_MANY_REQUESTS) {
		snprintf(ra, sizeof(ra), "%u",
		         rq->retry_after > 0 ? rq->retry_after : s->o.retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		                        "Bearer realm=\"iommu-fleet\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		                        rq->route == ROUTE_REPORTS ? "POST" : "GET");
	pthread_mutex_lock(&s->lock);
	if (s->draining)
		close_conn = 1;
	pthread_mutex_unlock(&s->lock);
	if (close_conn)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	rq->status = status;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Queue a JSON answer. */
static enum MHD_Result
respond(struct http_server *s, struct MHD_Connection *c, struct request *rq, unsigned status,
        const char *body, int close_conn)
{
	return respond_typed(s, c, rq, status, body, strlen(body), "application/json", close_conn);
}

static enum MHD_Result
respond_error(struct http_server *s, struct MHD_Connection *c, struct request *rq, unsigned status,
              const char *result, const char *msg, int close_conn)
{
	char esc[600], body[700];

	set_result(rq, result);
	snprintf(body, sizeof(body), "{\"status\":%u,\"error\":\"%s\"}\n", status,
	         http_parse_json_escape(msg, esc, sizeof(esc)));
	return respond(s, c, rq, status, body, close_conn);
}

/* Record a refused push for the token's host, without waiting. */
static void
record_refusal(struct http_server *s, struct request *rq, const char *error)
{
	if (rq->host[0] == '\0')
		return;
	if (http_writer_attempt(s->w, rq->host, "rejected", error) == -1)
		log_warnx("writer queue full: attempt of %s not recorded", rq->host);
}

static void
peer_name(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci;
	char h[64], p[8];
	socklen_t sl;

	snprintf(out, outlen, "?");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	sl = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                            : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, sl, h, sizeof(h), p, sizeof(p),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	if (ci->client_addr->sa_family == AF_INET6)
		snprintf(out, outlen, "[%s]:%s", h, p);
	else
		snprintf(out, outlen, "%s:%s", h, p);
}

static double
mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The address limits are counted by: an IPv4 address, or an IPv6 /64 (one
 * host gets a whole /64; its addresses cannot be told apart). */
static void
addr_key(const struct sockaddr *sa, char *out, size_t outlen)
{
	struct in6_addr a6;

	snprintf(out, outlen, "?");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		          (socklen_t)outlen);
		return;
	}
	if (sa->sa_family != AF_INET6)
		return;
	a6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!IN6_IS_ADDR_V4MAPPED(&a6))
		memset(&a6.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &a6, out, (socklen_t)outlen);
}

/* The slot of key in a table (called under slotlock), NULL when another
 * key has it; with take, a new key takes the slot over, so the tables stay
 * bounded whatever the peers send.  Only a failure or a report takes a
 * slot: an address that merely asks cannot clear another's record. */
static struct slot *
slot_find(struct slot *table, const char *key, int take, int *fresh)
{
	unsigned h = 2166136261u;
	const char *p;
	struct slot *sl;

	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	sl = &table[h % ADDR_SLOTS];
	*fresh = strcmp(sl->key, key) != 0;
	if (*fresh && !take)
		return NULL;
	if (*fresh) {
		memset(sl, 0, sizeof(*sl));
		snprintf(sl->key, sizeof(sl->key), "%s", key);
	}
	return sl;
}

/* An address still in its failed-auth delay: 1 with the seconds left. */
static int
auth_delayed(struct http_server *s, const char *addr, unsigned *left)
{
	struct slot *sl;
	double now = mono_now();
	int fresh, rc = 0;

	pthread_mutex_lock(&s->slotlock);
	sl = slot_find(s->fails, addr, 0, &fresh);
	if (sl != NULL && sl->until > now) {
		*left = (unsigned)(sl->until - now) + 1;
		rc = 1;
	}
	pthread_mutex_unlock(&s->slotlock);
	return rc;
}

/* One more failed auth from addr: past o.auth_failures in a row, each
 * doubles the delay before the next is checked (1 s, 2 s, ... 300 s). */
static void
auth_failed(struct http_server *s, const char *addr)
{
	struct slot *sl;
	unsigned over, delay;
	int fresh;

	pthread_mutex_lock(&s->slotlock);
	sl = slot_find(s->fails, addr, 1, &fresh);
	sl->count++;
	if (sl->count >= s->o.auth_failures) {
		over = sl->count - s->o.auth_failures;
		delay = over >= 9 ? AUTH_DELAY_MAX : 1u << over;
		if (delay > AUTH_DELAY_MAX)
			delay = AUTH_DELAY_MAX;
		sl->until = mono_now() + delay;
	}
	pthread_mutex_unlock(&s->slotlock);
	metrics_event(s->metrics, "auth-failed");
}

static void
auth_ok(struct http_server *s, const char *addr)
{
	struct slot *sl;
	int fresh;

	pthread_mutex_lock(&s->slotlock);
	sl = slot_find(s->fails, addr, 0, &fresh);
	if (sl != NULL) {
		sl->count = 0;
		sl->until = 0;
	}
	pthread_mutex_unlock(&s->slotlock);
}

/* Take one report from host's bucket (o.rate_per_min, o.rate_burst): 0, or
 * 1 with the seconds until the next one may be sent. */
static int
rate_take(struct http_server *s, const char *host, unsigned *left)
{
	struct slot *sl;
	double now = mono_now(), per_s;
	int fresh, rc = 0;

	if (s->o.rate_per_min == 0)
		return 0;
	per_s = (double)s->o.rate_per_min / 60.0;
	pthread_mutex_lock(&s->slotlock);
	sl = slot_find(s->rates, host, 1, &fresh);
	if (fresh) {
		sl->tokens = s->o.rate_burst;
		sl->refilled = now;
	}
	sl->tokens += (now - sl->refilled) * per_s;
	if (sl->tokens > s->o.rate_burst)
		sl->tokens = s->o.rate_burst;
	sl->refilled = now;
	if (sl->tokens >= 1.0)
		sl->tokens -= 1.0;
	else {
		*left = (unsigned)((1.0 - sl->tokens) / per_s) + 1;
		rc = 1;
	}
	pthread_mutex_unlock(&s->slotlock);
	return rc;
}

#define BUDGET_WINDOW 86400.0 /* seconds: the storage budget is per day */

/* What host has stored in the last day, from the database: the bytes of
 * its new contents, and when that day began (monotonic s; now if none). */
static void
budget_seed(struct http_server *s, const char *host, double *bytes, double *window)
{
	long long n, first, now = (long long)time(NULL);
	int rc;

	*bytes = 0;
	*window = mono_now();
	pthread_mutex_lock(&s->authlock);
	rc = store_host_new_bytes(s->authdb, host, now - (long long)BUDGET_WINDOW, &n, &first);
	if (rc == -1)
		log_warnx("storage budget of %s: %s (counted from 0 until the next restart)", host,
		          db_error(s->authdb));
	pthread_mutex_unlock(&s->authlock);
	if (rc == -1)
		return;
	*bytes = (double)n;
	if (first > 0 && first <= now)
		*window -= (double)(now - first);
}

/* host's budget slot, returned with slotlock held: seeded from the
 * database on first sight, or when another host had taken its slot, so a
 * restarted serve counts what was stored today (*seeded then 1).  The
 * query runs without slotlock; a slot seeded meanwhile is kept.  Keyed as
 * the store keys hosts: two tokens' spellings of a name share one budget. */
static struct slot *
budget_slot(struct http_server *s, const char *host, int *seeded)
{
	char key[HOSTNAME_MAX + 1];
	struct slot *sl;
	double bytes, window;
	int fresh;

	*seeded = 0;
	hostname_key(host, key, sizeof(key));
	pthread_mutex_lock(&s->slotlock);
	if ((sl = slot_find(s->budgets, key, 0, &fresh)) != NULL)
		return sl;
	pthread_mutex_unlock(&s->slotlock);
	budget_seed(s, key, &bytes, &window);
	pthread_mutex_lock(&s->slotlock);
	sl = slot_find(s->budgets, key, 1, &fresh);
	if (fresh) {
		sl->bytes = bytes;
		sl->window = window;
		*seeded = 1;
	}
	return sl;
}

/* Over its storage budget for the day (o.host_budget bytes of new content,
 * clen more about to come): 1 with the seconds until the day ends. */
static int
budget_over(struct http_server *s, const char *host, unsigned long long clen, unsigned *left)
{
	struct slot *sl;
	double now;
	int seeded, rc = 0;

	if (s->o.host_budget == 0)
		return 0;
	sl = budget_slot(s, host, &seeded);
	now = mono_now();
	if (now - sl->window >= BUDGET_WINDOW) {
		sl->window = now;
		sl->bytes = 0;
	}
	if (sl->bytes + (double)clen > (double)s->o.host_budget) {
		*left = (unsigned)(sl->window + BUDGET_WINDOW - now) + 1;
		rc = 1;
	}
	pthread_mutex_unlock(&s->slotlock);
	return rc;
}

/* A content the host never had, of len bytes, was stored for it (a slot
 * seeded now has counted it already). */
static void
budget_add(struct http_server *s, const char *host, size_t len)
{
	struct slot *sl;
	double now;
	int seeded;

	if (s->o.host_budget == 0)
		return;
	sl = budget_slot(s, host, &seeded);
	now = mono_now();
	if (now - sl->window >= BUDGET_WINDOW) {
		sl->window = now;
		sl->bytes = 0;
	}
	if (!seeded)
		sl->bytes += (double)len;
	pthread_mutex_unlock(&s->slotlock);
}

/* First call for a POST /v1/reports: everything that can be refused from
 * the headers is refused here, before a byte of the body is read. */
static enum MHD_Result
reports_headers(struct http_server *s, struct MHD_Connection *c, struct request *rq)
{
	const char *auth, *ct, *cl, *tok;
	enum token_verdict v;
	char msg[160];
	size_t toklen;

	pthread_mutex_lock(&s->lock);
	if (s->draining) {
		pthread_mutex_unlock(&s->lock);
		return respond_error(s, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting-down",
		                     "the collector is shutting down", 1);
	}
	pthread_mutex_unlock(&s->lock);

	/* an address that keeps failing is not even checked for a while */
	if (auth_delayed(s, rq->addr, &rq->retry_after)) {
		metrics_event(s->metrics, "auth-throttled");
		return respond_error(s, c, rq, MHD_HTTP_TOO_MANY_REQUESTS, "auth-throttled",
		                     "too many failed authentications, retry later", 1);
	}
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (http_parse_bearer(auth, &tok, &toklen) == -1) {
		auth_failed(s, rq->addr);
		return respond_error(s, c, rq, MHD_HTTP_UNAUTHORIZED, "no-token",
		                     "missing bearer token", 1);
	}
	pthread_mutex_lock(&s->authlock);
	v = token_db_check(s->authdb, tok, toklen, rq->host, sizeof(rq->host));
	if (v == TOKEN_ERROR)
		log_warnx("token check: %s", db_error(s->authdb));
	pthread_mutex_unlock(&s->authlock);
	switch (v) {
	case TOKEN_VALID:
		auth_ok(s, rq->addr);
		break;
	case TOKEN_REVOKED:
		auth_failed(s, rq->addr);
		record_refusal(s, rq, "token revoked");
		return respond_error(s, c, rq, MHD_HTTP_UNAUTHORIZED, "revoked-token",
		                     "token revoked", 1);
	case TOKEN_MALFORMED:
	case TOKEN_UNKNOWN:
		rq->host[0] = '\0';
		auth_failed(s, rq->addr);
		return respond_error(s, c, rq, MHD_HTTP_UNAUTHORIZED, "bad-token", "unknown token",
		                     1);
	case TOKEN_ERROR:
		rq->host[0] = '\0';
		return respond_error(s, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "db-error",
		                     "token check failed", 1);
	}

	if (rate_take(s, rq->host, &rq->retry_after)) {
		metrics_event(s->metrics, "rate-limited");
		return respond_error(s, c, rq, MHD_HTTP_TOO_MANY_REQUESTS, "rate-limited",
		                     "too many reports from this host, retry later", 1);
	}
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!http_parse_is_json(ct)) {
		record_refusal(s, rq, "content type is not application/json");
		return respond_error(s, c, rq, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "bad-type",
		                     "expected Content-Type: application/json", 1);
	}
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		if (http_parse_content_length(cl, &rq->clen) == -1)
			return respond_error(s, c, rq, MHD_HTTP_BAD_REQUEST, "bad-length",
			                     "bad Content-Length", 1);
		rq->have_clen = 1;
		if (rq->clen > s->o.max_body) {
			snprintf(msg, sizeof(msg), "body of %llu bytes is over the limit of %zu",
			         rq->clen, s->o.max_body);
			record_refusal(s, rq, msg);
			return respond_error(s, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, "too-large", msg,
			                     1);
		}
	}
	if (budget_over(s, rq->host, rq->have_clen ? rq->clen : 0, &rq->retry_after)) {
		metrics_event(s->metrics, "over-budget");
		return respond_error(s, c, rq, MHD_HTTP_TOO_MANY_REQUESTS, "over-budget",
		                     "this host's storage budget for the day is spent, retry later",
		                     1);
	}
	return MHD_YES; /* read the body (MHD sends 100 Continue if asked) */
}

/* A piece of the body: counted against the limit as it arrives. */
static enum MHD_Result
reports_body(struct http_server *s, struct request *rq, const char *data, size_t n)
{
	size_t want;
	char *p;

	if (elapsed_ms(&rq->start) > (double)s->o.request_timeout * 1e3) {
		set_result(rq, "request-timeout");
		return MHD_NO;
	}
	if (n > s->o.max_body - rq->len) {
		rq->too_big = 1;
		rq->status = MHD_HTTP_CONTENT_TOO_LARGE;
		set_result(rq, "too-large");
		return MHD_NO; /* mid-body: no answer can be queued, close */
	}
	if (rq->len + n > rq->cap) {
		/* the announced length (already checked against the limit) in
		 * one go; without one, doubling up to the limit */
		if (rq->have_clen && rq->cap == 0 && rq->clen >= n)
			want = (size_t)rq->clen;
		else
			want = rq->cap == 0 ? BODY_FIRST_ALLOC : rq->cap;
		while (want < rq->len + n)
			want = want > s->o.max_body / 2 ? s->o.max_body : want * 2;
		if ((p = realloc(rq->body, want)) == NULL) {
			set_result(rq, "out-of-memory");
			return MHD_NO;
		}
		rq->body = p;
		rq->cap = want;
	}
	memcpy(rq->body + rq->len, data, n);
	rq->len += n;
	return MHD_YES;
}

/* The HTTP answer to each outcome of the one ingest path. */
static unsigned
status_code(enum store_status s)
{
	switch (s) {
	case STORE_STORED:
	case STORE_UNCHANGED:
		return MHD_HTTP_CREATED;
	case STORE_DUPLICATE:
		return MHD_HTTP_OK;
	case STORE_REJECTED:
		return MHD_HTTP_BAD_REQUEST;
	case STORE_WRONG_HOST:
		return MHD_HTTP_FORBIDDEN;
	case STORE_FAILED:
	case STORE_NOT_KNOWN:
		break;
	}
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* A decoded report is many times its body (jansson's nodes): at most
 * o.max_decoding of them exist at once, from the decode to the commit. */
static void
decode_enter(struct http_server *s)
{
	pthread_mutex_lock(&s->lock);
	if (s->decoding >= s->o.max_decoding)
		metrics_event(s->metrics, "decode-waited");
	while (s->decoding >= s->o.max_decoding)
		pthread_cond_wait(&s->decode_cv, &s->lock);
	s->decoding++;
	pthread_mutex_unlock(&s->lock);
}

static void
decode_leave(struct http_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->decoding--;
	pthread_cond_signal(&s->decode_cv);
	pthread_mutex_unlock(&s->lock);
}

/* The whole body is here: ingest it (the identity is the token's; the
 * decoding on this connection's thread, the commit in the single writer),
 * answer. */
static enum MHD_Result
reports_finish(struct http_server *s, struct MHD_Connection *c, struct request *rq)
{
	struct ingest_reader rd = {s->authdb, &s->authlock};
	struct store_result res;
	struct ingest *in;
	char body[1024], e1[HOSTNAME_MAX * 2], e2[64];
	unsigned status;
	int rc;

	decode_enter(s);
	if ((in = ingest_new(rq->body, rq->len, "http", rq->host)) == NULL) {
		decode_leave(s);
		return respond_error(s, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "no-memory",
		                     "out of memory", 0);
	}
	ingest_prepare(in, &rd);
	rc = http_writer_store(s->w, in, &res);
	ingest_free(in);
	decode_leave(s);
	if (rc == -1)
		return respond_error(s, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
		                     "the collector is busy, retry later", 0);
	status = status_code(res.status);
	switch (res.status) {
	case STORE_REJECTED:
		return respond_error(s, c, rq, status, "invalid", res.error, 0);
	case STORE_WRONG_HOST:
		return respond_error(s, c, rq, status, "wrong-host", res.error, 0);
	case STORE_FAILED:
	case STORE_NOT_KNOWN:
		log_warnx("storing a report of %s: %s", rq->host, res.error);
		/* 507: the client keeps the report and retries; say why */
		if (res.disk_full)
			return respond_error(
			        s, c, rq, MHD_HTTP_INSUFFICIENT_STORAGE, "db-error",
			        "the collector's disk is full: the report was not stored, "
			        "keep it and retry later",
			        0);
		return respond_error(s, c, rq, status, "db-error", "the report could not be stored",
		                     0);
	default:
		break;
	}
	/* only a content the host never had costs budget, as the database
	 * counts it after a restart (a return to an older one costs a row) */
	if (res.new_content)
		budget_add(s, rq->host, rq->len);
	set_result(rq, store_status_name(res.status));
	snprintf(body, sizeof(body), "{\"status\":\"%s\",\"report_id\":\"%s\",\"host\":\"%s\"}\n",
	         store_status_name(res.status),
	         http_parse_json_escape(res.report_id, e2, sizeof(e2)),
	         http_parse_json_escape(res.hostname, e1, sizeof(e1)));
	return respond(s, c, rq, status, body, 0);
}

/* GET /metrics: the fleet's gauges (read on the token connection, under its
 * lock) and our own counters. */
static enum MHD_Result
metrics_finish(struct http_server *s, struct MHD_Connection *c, struct request *rq)
{
	struct growbuf out = {0};
	enum MHD_Result ret;
	int rc;

	pthread_mutex_lock(&s->authlock);
	rc = metrics_fleet_format(s->authdb, &out);
	if (rc == -1)
		log_warnx("metrics: %s", db_error(s->authdb));
	pthread_mutex_unlock(&s->authlock);
	if (rc == 0 && metrics_format(s->metrics, &out) == -1)
		rc = -1;
	if (rc == -1) {
		free(out.data);
		return respond_error(s, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "db-error",
		                     "the metrics could not be read", 0);
	}
	set_result(rq, "ok");
	ret = respond_typed(s, c, rq, MHD_HTTP_OK, out.data, out.len, METRICS_TYPE, 0);
	free(out.data);
	return ret;
}

/* Called under no lock; conn may be NULL (no socket context). */
static void
conn_phase(struct http_server *s, struct conn *cn, int phase)
{
	if (cn == NULL)
		return;
	pthread_mutex_lock(&s->connlock);
	cn->phase = phase;
	if (phase == CONN_READING)
		clock_gettime(CLOCK_MONOTONIC, &cn->since);
	pthread_mutex_unlock(&s->connlock);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
	struct http_server *s = cls;
	struct request *rq = *req_cls;
	const union MHD_ConnectionInfo *ci;
	int draining;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		peer_name(c, rq->peer, sizeof(rq->peer));
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		rq->conn = ci != NULL ? ci->socket_context : NULL;
		if (rq->conn != NULL)
			snprintf(rq->addr, sizeof(rq->addr), "%s", rq->conn->key);
		*req_cls = rq;
		pthread_mutex_lock(&s->lock);
		s->inflight++;
		pthread_mutex_unlock(&s->lock);

		/* a response queued before the request is read makes MHD close
		 * the connection after it: only refusals are sent that early */
		if (strcmp(url, PATH_HEALTH) == 0) {
			rq->route = ROUTE_HEALTH;
			if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
			    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
				return respond_error(s, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				                     "bad-method", "use GET", 1);
			return MHD_YES;
		}
		if (strcmp(url, PATH_METRICS) == 0) {
			rq->route = ROUTE_METRICS;
			if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
			    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
				return respond_error(s, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				                     "bad-method", "use GET", 1);
			return MHD_YES;
		}
		if (strcmp(url, PATH_REPORTS) == 0) {
			rq->route = ROUTE_REPORTS;
			if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
				return respond_error(s, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				                     "bad-method", "use POST", 1);
			return reports_headers(s, c, rq);
		}
		return MHD_YES; /* 404 once the request is read */
	}
	if (rq->status != 0) {
		/* answered from the headers: drop whatever body follows */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (rq->route == ROUTE_REPORTS)
			return reports_body(s, rq, upload, n);
		/* a body nobody asked for: counted, not kept */
		if (n > s->o.max_body - rq->len)
			return MHD_NO;
		rq->len += n;
		return MHD_YES;
	}
	conn_phase(s, rq->conn, CONN_WORKING); /* read: no deadline for our part */
	switch (rq->route) {
	case ROUTE_REPORTS:
		return reports_finish(s, c, rq);
	case ROUTE_HEALTH:
		pthread_mutex_lock(&s->lock);
		draining = s->draining;
		pthread_mutex_unlock(&s->lock);
		if (draining)
			return respond_error(s, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
			                     "shutting-down", "the collector is shutting down", 1);
		set_result(rq, "ok");
		return respond(s, c, rq, MHD_HTTP_OK, "{\"status\":\"ok\"}\n", 0);
	case ROUTE_METRICS:
		return metrics_finish(s, c, rq);
	case ROUTE_NONE:
	default:
		return respond_error(s, c, rq, MHD_HTTP_NOT_FOUND, "not-found", "no such resource",
		                     0);
	}
}

static const char *
route_path(enum route r)
{
	switch (r) {
	case ROUTE_REPORTS:
		return PATH_REPORTS;
	case ROUTE_HEALTH:
		return PATH_HEALTH;
	case ROUTE_METRICS:
		return PATH_METRICS;
	case ROUTE_NONE:
		break;
	}
	return "other";
}

static void
completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct request *rq = *req_cls;
	char msg[160];

	(void)c;
	if (rq == NULL)
		return;
	metrics_request(s->metrics, route_path(rq->route),
	                rq->result[0] != '\0'                           ? rq->result
	                : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
	                                                                : "aborted",
	                elapsed_ms(&rq->start) / 1e3);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) {
		access_log(s, rq, NULL);
	} else if (rq->route == ROUTE_REPORTS && rq->too_big) {
		snprintf(msg, sizeof(msg), "body over the limit of %zu bytes", s->o.max_body);
		record_refusal(s, rq, msg);
		access_log(s, rq, "too-large");
	} else {
		/* the peer went away, timed out, or we closed: nothing stored */
		if (rq->route == ROUTE_REPORTS && rq->status == 0 && rq->host[0] != '\0') {
			const char *how = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ||
			                                  strcmp(rq->result, "request-timeout") == 0
			                          ? "timed out"
			                          : "truncated";

			if (rq->have_clen)
				snprintf(msg, sizeof(msg), "body %s: %zu of %llu bytes", how,
				         rq->len, rq->clen);
			else
				snprintf(msg, sizeof(msg), "body %s after %zu bytes", how, rq->len);
			if (http_writer_attempt(s->w, rq->host, "failed", msg) == -1)
				log_warnx("writer queue full: attempt of %s not recorded",
				          rq->host);
		}
		access_log(s, rq,
		           rq->result[0] != '\0'                           ? rq->result
		           : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
		                                                           : "aborted");
	}
	/* the next request on this connection has its own deadline */
	conn_phase(s, rq->conn, CONN_READING);
	free(rq->body);
	free(rq);
	*req_cls = NULL;
	pthread_mutex_lock(&s->lock);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

/* Shut cn down (called under connlock): its thread sees the end of the
 * stream and closes it; the descriptor stays open until then, so it
 * cannot be another connection's yet. */
static void
conn_evict(struct http_server *s, struct conn *cn, const char *why)
{
	if (cn->evicted)
		return;
	cn->evicted = 1;
	shutdown(cn->fd, SHUT_RDWR);
	metrics_event(s->metrics, why);
}

/* Over the budget: the connection that has been reading a request the
 * longest makes room (a client that behaves sends its request at once;
 * one trickling bytes is always the oldest).  Called under connlock. */
static void
conn_make_room(struct http_server *s, struct conn *self)
{
	struct conn *cn, *old = NULL;
	unsigned same = 0;

	for (cn = s->conns; cn != NULL; cn = cn->next) {
		if (strcmp(cn->key, self->key) == 0 && !cn->evicted)
			same++;
		if (cn == self || cn->evicted || cn->phase != CONN_READING)
			continue;
		if (old == NULL || cn->since.tv_sec < old->since.tv_sec ||
		    (cn->since.tv_sec == old->since.tv_sec &&
		     cn->since.tv_nsec < old->since.tv_nsec))
			old = cn;
	}
	if (same > s->o.per_ip_connections) {
		conn_evict(s, self, "evicted-per-address");
		return;
	}
	if (s->nconns <= s->o.max_connections)
		return;
	conn_evict(s, old != NULL ? old : self, "evicted-over-budget");
}

static void
notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
            enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *cn;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((cn = calloc(1, sizeof(*cn))) == NULL)
			return; /* untracked: MHD's own limits still hold */
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		cn->fd = ci != NULL ? ci->connect_fd : -1;
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		addr_key(ci != NULL ? ci->client_addr : NULL, cn->key, sizeof(cn->key));
		clock_gettime(CLOCK_MONOTONIC, &cn->since);
		pthread_mutex_lock(&s->connlock);
		cn->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = cn;
		s->conns = cn;
		s->nconns++;
		if (cn->fd != -1)
			conn_make_room(s, cn);
		pthread_mutex_unlock(&s->connlock);
		*socket_context = cn;
		return;
	}
	if ((cn = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&s->connlock);
	if (cn->prev != NULL)
		cn->prev->next = cn->next;
	else
		s->conns = cn->next;
	if (cn->next != NULL)
		cn->next->prev = cn->prev;
	s->nconns--;
	pthread_mutex_unlock(&s->connlock);
	free(cn);
	*socket_context = NULL;
}

/* The whole-request deadline: a request still being read o.request_timeout
 * after its first byte (headers, body, or a body nobody wanted) is cut,
 * however steadily its bytes trickle in. */
static void *
watch_main(void *arg)
{
	struct http_server *s = arg;
	struct timespec until, now;
	struct conn *cn;
	double age;

	pthread_mutex_lock(&s->connlock);
	while (!s->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCH_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->stopcv, &s->connlock, &until);
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (cn = s->conns; cn != NULL; cn = cn->next) {
			if (cn->evicted || cn->phase != CONN_READING || cn->fd == -1)
				continue;
			age = (double)(now.tv_sec - cn->since.tv_sec) +
			      (double)(now.tv_nsec - cn->since.tv_nsec) / 1e9;
			if (age > (double)s->o.request_timeout)
				conn_evict(s, cn, "evicted-slow");
		}
	}
	pthread_mutex_unlock(&s->connlock);
	return NULL;
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_info("httpd: %s", msg);
}

struct http_server *
http_server_start(const struct http_server_opts *o, struct http_writer *w, struct db *authdb,
                  char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct http_server *s;
	unsigned int flags, limit;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o->host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)o->port);
	} else if (inet_pton(AF_INET6, o->host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)o->port);
	} else {
		snprintf(err, errlen, "\"%s\": not a numeric IPv4 or IPv6 address", o->host);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->o = *o;
	s->w = w;
	if ((s->metrics = metrics_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	s->authdb = authdb;
	pthread_mutex_init(&s->authlock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->loglock, NULL);
	pthread_cond_init(&s->idle, NULL);
	pthread_mutex_init(&s->connlock, NULL);
	pthread_cond_init(&s->stopcv, NULL);
	pthread_cond_init(&s->decode_cv, NULL);
	pthread_mutex_init(&s->slotlock, NULL);
	if (s->o.max_decoding == 0)
		s->o.max_decoding = 1;
	if (s->o.rate_burst == 0)
		s->o.rate_burst = 1;
	if (s->o.tls_priorities == NULL)
		s->o.tls_priorities = HTTP_SERVER_TLS;
	if (pthread_create(&s->watch, NULL, watch_main, s) != 0) {
		snprintf(err, errlen, "cannot start the deadline thread");
		http_server_free(s);
		return NULL;
	}
	s->watching = 1;

	/* a thread per connection: a request may wait for the writer without
	 * holding up anyone else; the connection limits bound the threads */
	flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	        MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* MHD refuses at its limit: ours is lower, and at ours the oldest
	 * unfinished request makes room (conn_make_room) */
	limit = o->max_connections + EVICT_SLACK(o->max_connections);
	/* TLS is three options more; MHD_OPTION_END ends the list early
	 * without them */
	struct MHD_OptionItem tls[] = {
	        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert},
	        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key},
	        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)s->o.tls_priorities},
	        {MHD_OPTION_END, 0, NULL},
	};

	if (o->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	else
		tls[0].option = MHD_OPTION_END;
	s->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, handle, s,
	                        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                        MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->idle_timeout,
	                        MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_NOTIFY_CONNECTION,
	                        notify_conn, s, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	                        (unsigned int)o->per_ip_connections, MHD_OPTION_EXTERNAL_LOGGER,
	                        mhd_logger, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errlen,
		         "cannot listen on %s port %u%s (address in use, or a bad "
		         "certificate or key)",
		         o->host, o->port, o->tls_cert != NULL ? " with TLS" : "");
		http_server_free(s);
		return NULL;
	}
	return s;
}

unsigned
http_server_port(struct http_server *s)
{
	const union MHD_DaemonInfo *di;

	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	return di != NULL ? di->port : 0;
}

void
http_server_quiesce(struct http_server *s)
{
	MHD_socket fd;

	pthread_mutex_lock(&s->lock);
	s->draining = 1;
	pthread_mutex_unlock(&s->lock);
	fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

unsigned
http_server_drain(struct http_server *s, unsigned timeout_ms)
{
	struct timespec until;
	unsigned n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (s->inflight > 0) {
		if (pthread_cond_timedwait(&s->idle, &s->lock, &until) == ETIMEDOUT)
			break;
	}
	n = s->inflight;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void
http_server_free(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	if (s->watching) {
		pthread_mutex_lock(&s->connlock);
		s->stopping = 1;
		pthread_cond_signal(&s->stopcv);
		pthread_mutex_unlock(&s->connlock);
		pthread_join(s->watch, NULL);
	}
	pthread_mutex_destroy(&s->slotlock);
	pthread_cond_destroy(&s->decode_cv);
	pthread_cond_destroy(&s->stopcv);
	pthread_mutex_destroy(&s->connlock);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->loglock);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->authlock);
	metrics_free(s->metrics);
	free(s);
}
