/*
 * http_writer.h - the single database writer behind the HTTP server: one
 * thread owns the write connection and takes jobs from a bounded queue, so
 * a burst of pushes waits in line or is told to come back (503), and never
 * holds more than the queue's worth of bodies.  I/O: the database, threads.
 */
#ifndef IOMMU_FLEET_HTTP_WRITER_H
#define IOMMU_FLEET_HTTP_WRITER_H

#include <stddef.h>

#include "collector/ingest.h"

struct db;
struct http_writer;

/* Start the writer thread on db (which it then owns until stop).  qmax:
 * jobs waiting at most.  NULL with err set on failure. */
struct http_writer *http_writer_start(struct db *db, unsigned qmax, char *err, size_t errlen);

/* Commit one prepared report (ingest_commit) and wait until it is
 * committed or refused: 0 with res filled, or -1 when the queue is full
 * (answer 503).  in stays the caller's. */
int http_writer_store(struct http_writer *w, struct ingest *in, struct store_result *res);

/* Record a failed attempt for host without waiting; dropped (-1) when the
 * queue is full. */
int http_writer_attempt(struct http_writer *w, const char *host, const char *status,
                        const char *error);

/* Finish every queued job, stop the thread, and return its db (the caller
 * closes it).  NULL w is a no-op returning NULL. */
struct db *http_writer_stop(struct http_writer *w);

#endif
