/*
 * metrics.c - serve's counters and request-duration histogram, and the
 * Prometheus text format they are written in.  Pure but for the mutex
 * that the HTTP threads share.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/metrics.h"
#include "collector/output.h"

/* Labels are bounded: every route and result word the server has, the rest
 * counted as "other", so a scanner cannot grow the series. */
static const char *const routes[] = {"/v1/reports", "/healthz", "/metrics", "other"};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const char *const stored_words[] = {"stored", "unchanged", "duplicate"};
#define NSTORED (sizeof(stored_words) / sizeof(stored_words[0]))

static const char *const reject_words[] = {
        "invalid",       "wrong-host", "too-large",       "no-token",     "bad-token",
        "revoked-token", "bad-type",   "bad-length",      "bad-method",   "busy",
        "shutting-down", "db-error",   "request-timeout", "timeout",      "aborted",
        "out-of-memory", "no-memory",  "auth-throttled",  "rate-limited", "over-budget",
        "other",
};
#define NREJECT (sizeof(reject_words) / sizeof(reject_words[0]))

static const char *const event_words[] = {
        "evicted-slow",  "evicted-over-budget", "evicted-per-address",
        "decode-waited", "auth-failed",         "auth-throttled",
        "rate-limited",  "over-budget",         "other",
};
#define NEVENTS (sizeof(event_words) / sizeof(event_words[0]))

/* Seconds: a stored report takes milliseconds, a busy writer seconds. */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct metrics_counts {
	unsigned long long received;
	unsigned long long stored[NSTORED];
	unsigned long long rejected[NREJECT];
	unsigned long long events[NEVENTS];
	unsigned long long hist[NROUTES][NBUCKETS + 1]; /* the last: +Inf */
	double sum[NROUTES];
};

struct metrics {
	pthread_mutex_t lock;
	struct metrics_counts c;
};

struct metrics *
metrics_new(void)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static size_t
word_index(const char *const *words, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(words[i], w) == 0)
			return i;
	return n;
}

void
metrics_request(struct metrics *m, const char *path, const char *result, double seconds)
{
	size_t r, i, b;

	r = word_index(routes, NROUTES, path);
	if (r == NROUTES)
		r = NROUTES - 1;
	for (b = 0; b < NBUCKETS && seconds > buckets[b]; b++)
		;
	pthread_mutex_lock(&m->lock);
	m->c.hist[r][b]++;
	m->c.sum[r] += seconds;
	if (r == 0) {
		m->c.received++;
		if ((i = word_index(stored_words, NSTORED, result)) < NSTORED)
			m->c.stored[i]++;
		else if ((i = word_index(reject_words, NREJECT, result)) < NREJECT)
			m->c.rejected[i]++;
		else
			m->c.rejected[NREJECT - 1]++;
	}
	pthread_mutex_unlock(&m->lock);
}

void
metrics_event(struct metrics *m, const char *event)
{
	size_t i;

	i = word_index(event_words, NEVENTS, event);
	if (i == NEVENTS)
		i = NEVENTS - 1;
	pthread_mutex_lock(&m->lock);
	m->c.events[i]++;
	pthread_mutex_unlock(&m->lock);
}

int
metrics_label(struct growbuf *out, const char *s)
{
	char *e, *p;
	int rc = 0;

	if ((e = output_escape(s)) == NULL)
		return -1;
	for (p = e; *p != '\0' && rc == 0; p++) {
		if (*p == '\\' || *p == '"')
			rc = growbuf_append(out, "\\", 1);
		if (rc == 0)
			rc = growbuf_append(out, p, 1);
	}
	free(e);
	return rc;
}

/* The histogram, cumulative as the format wants. */
static int
format_histogram(const struct metrics_counts *m, struct growbuf *out)
{
	unsigned long long cum;
	size_t r, b;
	int rc;

	rc = growbuf_appendf(out,
	                     "# HELP iommu_collector_http_request_duration_seconds Time from a "
	                     "request's first byte to its answer.\n"
	                     "# TYPE iommu_collector_http_request_duration_seconds histogram\n");
	for (r = 0; r < NROUTES && rc == 0; r++) {
		cum = 0;
		for (b = 0; b <= NBUCKETS && rc == 0; b++) {
			cum += m->hist[r][b];
			if (b < NBUCKETS)
				rc = growbuf_appendf(
				        out,
				        "iommu_collector_http_request_duration_seconds_bucket"
				        "{path=\"%s\",le=\"%g\"} %llu\n",
				        routes[r], buckets[b], cum);
			else
				rc = growbuf_appendf(
				        out,
				        "iommu_collector_http_request_duration_seconds_bucket"
				        "{path=\"%s\",le=\"+Inf\"} %llu\n"
				        "iommu_collector_http_request_duration_seconds_sum"
				        "{path=\"%s\"} %.6f\n"
				        "iommu_collector_http_request_duration_seconds_count"
				        "{path=\"%s\"} %llu\n",
				        routes[r], cum, routes[r], m->sum[r], routes[r], cum);
		}
	}
	return rc;
}

static int
format_counters(const struct metrics_counts *m, struct growbuf *out)
{
	size_t i;
	int rc;

	rc = growbuf_appendf(
	        out,
	        "# HELP iommu_collector_reports_received_total Reports pushed to "
	        "/v1/reports, answered or not.\n"
	        "# TYPE iommu_collector_reports_received_total counter\n"
	        "iommu_collector_reports_received_total %llu\n"
	        "# HELP iommu_collector_reports_stored_total Pushed reports accepted, by "
	        "what became of them.\n"
	        "# TYPE iommu_collector_reports_stored_total counter\n",
	        m->received);
	for (i = 0; i < NSTORED && rc == 0; i++)
		rc = growbuf_appendf(out,
		                     "iommu_collector_reports_stored_total{status=\"%s\"} %llu\n",
		                     stored_words[i], m->stored[i]);
	if (rc == 0)
		rc = growbuf_appendf(out,
		                     "# HELP iommu_collector_reports_rejected_total Pushed reports "
		                     "refused or lost, by reason.\n"
		                     "# TYPE iommu_collector_reports_rejected_total counter\n");
	for (i = 0; i < NREJECT && rc == 0; i++)
		rc = growbuf_appendf(out,
		                     "iommu_collector_reports_rejected_total{reason=\"%s\"} %llu\n",
		                     reject_words[i], m->rejected[i]);
	if (rc == 0)
		rc = growbuf_appendf(out,
		                     "# HELP iommu_collector_http_events_total What serve did to "
		                     "protect itself: connections cut, decodes queued, auths "
		                     "throttled, reports rate-limited.\n"
		                     "# TYPE iommu_collector_http_events_total counter\n");
	for (i = 0; i < NEVENTS && rc == 0; i++)
		rc = growbuf_appendf(out, "iommu_collector_http_events_total{event=\"%s\"} %llu\n",
		                     event_words[i], m->events[i]);
	return rc;
}

int
metrics_format(struct metrics *m, struct growbuf *out)
{
	struct metrics_counts copy;

	/* copy under the lock, format outside it */
	pthread_mutex_lock(&m->lock);
	copy = m->c;
	pthread_mutex_unlock(&m->lock);
	if (format_counters(&copy, out) == -1 || format_histogram(&copy, out) == -1)
		return -1;
	return 0;
}
