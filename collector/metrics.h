/*
 * metrics.h - serve's own counters for GET /metrics: reports received,
 * stored (by status) and rejected (by reason), and request durations as a
 * histogram, in the Prometheus text format.  Pure but for a mutex: the
 * HTTP threads count, the /metrics request formats.
 */
#ifndef IOMMU_FLEET_METRICS_H
#define IOMMU_FLEET_METRICS_H

#include "common/growbuf.h"

struct metrics;

struct metrics *metrics_new(void);    /* NULL: out of memory */
void metrics_free(struct metrics *m); /* NULL is a no-op */

/* One finished request: path is the request's (unknown paths are counted
 * as "other"), result its access-log word ("stored", "invalid",
 * "bad-token", ...), seconds how long it took. */
void metrics_request(struct metrics *m, const char *path, const char *result, double seconds);

/* One protective event, by its word: "evicted-slow" (request past its
 * deadline), "evicted-over-budget", "evicted-per-address",
 * "decode-waited", "auth-failed", "auth-throttled", "rate-limited",
 * "over-budget";
 * unknown words are counted as "other". */
void metrics_event(struct metrics *m, const char *event);

/* Append the counters and the histogram: 0, or -1 (memory). */
int metrics_format(struct metrics *m, struct growbuf *out);

/* s as a label value: escaped for the text format (backslash, quote,
 * newline), control bytes and invalid UTF-8 as \xNN text.  0 or -1. */
int metrics_label(struct growbuf *out, const char *s);

#endif
