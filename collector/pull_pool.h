/*
 * pull_pool.h - the worker pool of "iommu-collector pull": --jobs threads
 * each take the next host, pull it (pull_host.c), and store its report or
 * record why not, one host at a time.  I/O: SSH, the database, stdout.
 *
 * Concurrency: a fixed pool of worker threads, each with its own blocking
 * libssh session (one session is never shared between threads).  Threads
 * keep every libssh call simple and bounded by the host's deadline, and
 * the cost that matters (key exchange, crypto) is the same as in one poll
 * loop.  The database, the tally and the terminal are used under one lock
 * (the agent's analysis under its own); the network never is.
 */
#ifndef IOMMU_FLEET_PULL_POOL_H
#define IOMMU_FLEET_PULL_POOL_H

#include <pthread.h>
#include <stddef.h>

#include "collector/pull.h"
#include "collector/pull_progress.h"

struct db;
struct inventory;

struct pull_pool {
	const struct pull_opts *o;
	struct inventory *inv;
	struct db *db;        /* opened by the caller, closed by pull_pool_release */
	pthread_mutex_t lock; /* db, next, tally, progress, stdout */
	pthread_cond_t cond;  /* a host is done */
	size_t next;          /* the next host to take */
	struct pull_tally tally;
	struct pull_progress progress;
};

/* o and inv are borrowed for the pool's life; progress: draw the progress
 * line (the hosts that are ok are then not listed). */
void pull_pool_init(struct pull_pool *p, const struct pull_opts *o, struct inventory *inv,
                    int progress);

/* Pull every host, at most o->jobs at once: 0 when all are done (p->tally
 * says how), -1 when no worker could start. */
int pull_pool_run(struct pull_pool *p);

/* Closes p->db. */
void pull_pool_release(struct pull_pool *p);

#endif
