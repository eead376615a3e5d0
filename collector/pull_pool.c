/*
 * pull_pool.c - the worker threads of "iommu-collector pull" and what each
 * host's outcome becomes: stored, or recorded, counted and printed.
 * I/O: SSH (through pull_host.c), the database, stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#include "collector/db.h"
#include "collector/ingest.h"
#include "collector/inventory.h"
#include "collector/output.h"
#include "collector/pull_host.h"
#include "collector/pull_pool.h"

#define PULL_TRANSPORT "ssh"

void
pull_pool_init(struct pull_pool *p, const struct pull_opts *o, struct inventory *inv, int progress)
{
	memset(p, 0, sizeof(*p));
	p->o = o;
	p->inv = inv;
	p->tally.total = inv->n;
	p->progress.on = progress;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
}

void
pull_pool_release(struct pull_pool *p)
{
	db_close(p->db);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
}

static void
pull_pool_count(struct pull_tally *t, const char *word)
{
	size_t i;

	for (i = 0; i < t->ncounts; i++)
		if (strcmp(t->counts[i].word, word) == 0) {
			t->counts[i].n++;
			return;
		}
	if (t->ncounts == sizeof(t->counts) / sizeof(t->counts[0]))
		i = t->ncounts - 1; /* the last slot takes the rest */
	else
		i = t->ncounts++;
	snprintf(t->counts[i].word, sizeof(t->counts[i].word), "%s", word);
	t->counts[i].n++;
}

/* wrong-host: what to write in the inventory so that the report is this
 * host's (the name the report gives is in the message). */
static void
pull_pool_wrong_host(const struct inventory_host *h, const struct store_result *res,
                     struct pull_outcome *out)
{
	snprintf(out->error, sizeof(out->error),
	         "%.200s (if that is the machine %.60s reaches, name it so: \"%.60s name=HOST\""
	         " in hosts.txt, or \"HOST ansible_host=%.60s\" in an Ansible inventory)",
	         res->error, h->host, h->host, h->host);
}

/* Store the report or record the failure: 1 when the host is ok. */
static int
pull_pool_commit(struct pull_pool *p, const struct inventory_host *h, struct pull_outcome *out)
{
	struct store_result res;
	size_t n;
	int ok = 0;

	/* the inventory is the source of a host's groups (a host named on the
	 * command line alone keeps the ones it had) */
	if ((h->line > 0 || h->tags[0] != '\0') && store_set_groups(p->db, h->name, h->tags) == -1)
		log_warnx("%s: recording its groups: %s", h->name, db_error(p->db));
	if (out->in == NULL) {
		n = strlen(out->error);
		if (out->hostkeys[0] != '\0' && n + strlen(out->hostkeys) + 3 < sizeof(out->error))
			snprintf(out->error + n, sizeof(out->error) - n, "; %s", out->hostkeys);
		if (ingest_record(p->db, h->name, PULL_TRANSPORT, out->started_at, out->status,
		                  out->error) == -1)
			log_warnx("%s: recording the attempt: %s", h->name, db_error(p->db));
		return 0;
	}
	switch (ingest_commit(p->db, out->in, &res)) {
	case STORE_STORED:
	case STORE_UNCHANGED:
	case STORE_DUPLICATE:
		ok = 1;
		break;
	case STORE_WRONG_HOST:
		pull_pool_wrong_host(h, &res, out);
		break;
	default:
		snprintf(out->error, sizeof(out->error), "%s", res.error);
		break;
	}
	snprintf(out->status, sizeof(out->status), "%s", store_status_name(res.status));
	return ok;
}

/* Store or record one outcome, count it and say so; under p->lock. */
static void
pull_pool_finish(struct pull_pool *p, const struct inventory_host *h, struct pull_outcome *out)
{
	char *ename, *eerr;
	int ok;

	ok = pull_pool_commit(p, h, out);
	p->tally.done++;
	if (ok)
		p->tally.ok++;
	else
		p->tally.failed++;
	pull_pool_count(&p->tally, ok ? "ok" : out->status);
	if (ok && (p->o->quiet || p->progress.on))
		return;
	pull_progress_clear(&p->progress);
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
pull_pool_prepare(struct pull_pool *p, const struct inventory_host *h, struct pull_outcome *out)
{
	struct ingest_reader rd = {p->db, &p->lock};

	if (out->json == NULL)
		return;
	out->in = ingest_new(out->json, out->len, PULL_TRANSPORT, h->name);
	if (out->in == NULL) {
		pull_fail(out, "collector-error", "out of memory");
		return;
	}
	/* the keys --accept-new added on the way are kept with the attempt */
	if (out->hostkeys[0] != '\0')
		ingest_set_note(out->in, out->hostkeys);
	ingest_prepare(out->in, &rd);
}

static void *
pull_pool_worker(void *arg)
{
	struct pull_pool *p = arg;
	struct pull_outcome out;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next < p->inv->n ? p->next++ : p->inv->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->inv->n)
			break;
		pull_host(p->o, &p->inv->hosts[i], &out);
		pull_pool_prepare(p, &p->inv->hosts[i], &out);
		pthread_mutex_lock(&p->lock);
		pull_pool_finish(p, &p->inv->hosts[i], &out);
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		ingest_free(out.in);
		free(out.json);
	}
	return NULL;
}

/* Until every host is done, redraw the progress line four times a second. */
static void
pull_pool_wait(struct pull_pool *p)
{
	struct timespec ts;

	pthread_mutex_lock(&p->lock);
	while (p->tally.done < p->tally.total) {
		pull_progress_show(&p->progress, &p->tally);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pull_progress_clear(&p->progress);
	pthread_mutex_unlock(&p->lock);
}

int
pull_pool_run(struct pull_pool *p)
{
	pthread_attr_t attr;
	pthread_t *threads;
	size_t i, nthreads;

	nthreads = (size_t)p->o->jobs < p->inv->n ? (size_t)p->o->jobs : p->inv->n;
	threads = calloc(nthreads, sizeof(*threads));
	if (threads == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	pull_progress_start(&p->progress);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&threads[i], &attr, pull_pool_worker, p) != 0) {
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
	pull_pool_wait(p);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return 0;
}
