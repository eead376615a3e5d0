/*
 * http_writer.c - one thread, one write connection, a bounded FIFO of jobs
 * (commit a prepared report / record an attempt, both through ingest.h).  Callers of
 * http_writer_store() block until their job is done, so a 201 is only sent
 * after the commit; the decoding was done on their own threads.
 * I/O: the database through ingest.h, pthreads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#include "collector/db.h"
#include "collector/http_writer.h"

enum job_kind { JOB_STORE, JOB_ATTEMPT };

struct job {
	enum job_kind kind;
	struct job *next;
	/* JOB_STORE: owned by the waiting caller */
	struct ingest *in;
	struct store_result *res;
	pthread_cond_t done_cv; /* only this job's waiter wakes */
	int done;
	/* JOB_ATTEMPT: owned by the queue, freed by the writer */
	char ahost[HOSTNAME_MAX + 1];
	char status[32];
	char error[512];
};

struct http_writer {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or stop */
	struct job *head, *tail;
	unsigned queued; /* in the list */
	unsigned qmax;
	int stopping;
	pthread_t thread;
	struct db *db;
};

static void
writer_run(struct http_writer *w, struct job *j)
{
	if (j->kind == JOB_STORE) {
		ingest_commit(w->db, j->in, j->res);
		return;
	}
	if (ingest_record(w->db, j->ahost, "http", NULL, j->status,
	                  j->error[0] != '\0' ? j->error : NULL) == -1)
		log_warnx("recording attempt of %s: %s", j->ahost, db_error(w->db));
}

static void *
writer_main(void *arg)
{
	struct http_writer *w = arg;
	struct job *j;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->head == NULL)
			break; /* stopping and drained */
		j = w->head;
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		pthread_mutex_unlock(&w->lock);

		writer_run(w, j);

		pthread_mutex_lock(&w->lock);
		if (j->kind == JOB_STORE) {
			j->done = 1;
			pthread_cond_signal(&j->done_cv);
		} else
			free(j);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct http_writer *
http_writer_start(struct db *db, unsigned qmax, char *err, size_t errlen)
{
	struct http_writer *w;
	int rc;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->db = db;
	w->qmax = qmax > 0 ? qmax : 1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	if ((rc = pthread_create(&w->thread, NULL, writer_main, w)) != 0) {
		snprintf(err, errlen, "writer thread: %s", strerror(rc));
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

/* Append j unless the queue is full or stopping; called locked. */
static int
writer_enqueue(struct http_writer *w, struct job *j)
{
	if (w->stopping || w->queued >= w->qmax)
		return -1;
	j->next = NULL;
	if (w->tail != NULL)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->queued++;
	pthread_cond_signal(&w->work);
	return 0;
}

int
http_writer_store(struct http_writer *w, struct ingest *in, struct store_result *res)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.kind = JOB_STORE;
	j.in = in;
	j.res = res;
	pthread_cond_init(&j.done_cv, NULL);
	pthread_mutex_lock(&w->lock);
	if (writer_enqueue(w, &j) == -1) {
		pthread_mutex_unlock(&w->lock);
		pthread_cond_destroy(&j.done_cv);
		return -1;
	}
	while (!j.done)
		pthread_cond_wait(&j.done_cv, &w->lock);
	pthread_mutex_unlock(&w->lock);
	pthread_cond_destroy(&j.done_cv);
	return 0;
}

int
http_writer_attempt(struct http_writer *w, const char *host, const char *status, const char *error)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->kind = JOB_ATTEMPT;
	snprintf(j->ahost, sizeof(j->ahost), "%s", host);
	snprintf(j->status, sizeof(j->status), "%s", status);
	snprintf(j->error, sizeof(j->error), "%s", error != NULL ? error : "");
	pthread_mutex_lock(&w->lock);
	if (writer_enqueue(w, j) == -1) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return -1;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

struct db *
http_writer_stop(struct http_writer *w)
{
	struct db *db;

	if (w == NULL)
		return NULL;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	db = w->db;
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return db;
}
