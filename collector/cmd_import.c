/*
 * cmd_import.c - "iommu-collector import [FILE | DIR | -]...": read report
 * files (bounded), store each in its own transaction, print one line per
 * report.  A reader thread reads and decodes the next reports while this
 * one writes (two cores: decoding costs about what writing does).
 * I/O: files, stdin, stdout, the database.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/exitcode.h"
#include "common/log.h"
#include "proto/report_json.h"

#include "collector/collector.h"
#include "collector/db.h"
#include "collector/output.h"
#include "common/readall.h"
#include "collector/ingest.h"

#define QUEUE_LEN 8
/* Bytes of report text read ahead or being stored at once: a decoded
 * report costs a few times its text, so the reader waits rather than hold
 * several of the largest at once (small ones still go QUEUE_LEN ahead). */
#define QUEUE_BYTES REPORT_MAX_BYTES

struct import_stats {
	unsigned long ok;         /* stored, unchanged, duplicate */
	unsigned long rejected;   /* invalid or unreadable input */
	unsigned long unreadable; /* of those, files that could not be read */
	unsigned long failed;     /* database errors, out of memory */
};

/* One input, read and prepared by the reader thread. */
struct item {
	char *name;
	char *text;
	size_t len;
	int read_errno; /* nonzero: could not be read */
	struct ingest *in;
	size_t cost; /* its part of pipeline.inflight */
};

/* One input: a file named on the command line (a link there is followed:
 * the user named it), or one found in a directory named there (a link
 * there is never followed: whoever can write in the directory could point
 * it at any file the collector's user can read). */
struct input {
	char *path; /* "-" is stdin */
	int in_dir;
};

struct pipeline {
	struct input *names; /* inputs in order */
	size_t nnames;
	struct db *ro; /* reader's own connection, NULL for none */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item q[QUEUE_LEN];
	size_t head, count;
	size_t inflight; /* text bytes read ahead, queued or being stored */
};

static void
import_usage(void)
{
	fprintf(stderr, "usage: iommu-collector import [FILE | DIR | -]...\n");
}

/* Open a file of a directory: never through a symbolic link (O_NOFOLLOW:
 * one planted after the listing is refused too), a regular file only (a
 * FIFO would block: O_NONBLOCK until checked).  NULL with errno set. */
static FILE *
open_in_dir(const char *path)
{
	struct stat sb;
	FILE *fp;
	int fd, fl;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    (fp = fdopen(fd, "rb")) == NULL)
		goto fail;
	return fp;
fail:
	fl = errno;
	close(fd);
	errno = fl;
	return NULL;
}

/* Reader thread side: read, and the first half of ingesting it. */
static void
item_load(struct pipeline *pl, struct item *it, const struct input *inp)
{
	struct ingest_reader rd = {pl->ro, NULL};
	struct growbuf buf = {0};
	const char *name = inp->path;
	FILE *fp;

	memset(it, 0, sizeof(*it));
	it->name = inp->path;
	if (strcmp(name, "-") == 0 && !inp->in_dir)
		fp = stdin;
	else if ((fp = inp->in_dir ? open_in_dir(name) : fopen(name, "rb")) == NULL) {
		it->read_errno = errno;
		return;
	}
	errno = 0;
	if (readall_bounded(fp, REPORT_MAX_BYTES, &buf) == -1)
		it->read_errno = errno != 0 ? errno : EIO;
	it->text = buf.data;
	it->len = buf.len;
	if (fp != stdin)
		fclose(fp);
	if (it->read_errno != 0)
		return;
	if ((it->in = ingest_new(it->text, it->len, "import", NULL)) == NULL)
		return;
	ingest_prepare(it->in, &rd);
}

/* What an input will cost before it is read: its size, the most a report
 * may be when that is not known (stdin).  A file that grows after this is
 * counted at its real length once read. */
static size_t
input_cost(const struct input *inp)
{
	struct stat sb;
	int rc;

	if (strcmp(inp->path, "-") == 0 && !inp->in_dir)
		return QUEUE_BYTES;
	rc = inp->in_dir ? lstat(inp->path, &sb) : stat(inp->path, &sb);
	if (rc == -1 || !S_ISREG(sb.st_mode))
		return 0;
	return (unsigned long long)sb.st_size > QUEUE_BYTES ? QUEUE_BYTES : (size_t)sb.st_size;
}

static void *
reader(void *arg)
{
	struct pipeline *pl = arg;
	struct item it;
	size_t i, cost;

	for (i = 0; i < pl->nnames; i++) {
		cost = input_cost(&pl->names[i]);
		pthread_mutex_lock(&pl->mu);
		while (pl->inflight > 0 && pl->inflight + cost > QUEUE_BYTES)
			pthread_cond_wait(&pl->cv, &pl->mu);
		pl->inflight += cost;
		pthread_mutex_unlock(&pl->mu);
		item_load(pl, &it, &pl->names[i]);
		it.cost = cost;
		pthread_mutex_lock(&pl->mu);
		if (it.len > cost) {
			pl->inflight += it.len - cost;
			it.cost = it.len;
		}
		while (pl->count == QUEUE_LEN)
			pthread_cond_wait(&pl->cv, &pl->mu);
		pl->q[(pl->head + pl->count) % QUEUE_LEN] = it;
		pl->count++;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
	}
	return NULL;
}

static void
print_line(const char *name, const struct store_result *res)
{
	char *ename, *ehost, *eerr;

	ename = output_escape(name);
	ehost = output_escape(res->hostname);
	eerr = output_escape(res->error);
	if (ename == NULL || ehost == NULL || eerr == NULL) {
		log_warnx("out of memory");
	} else if (res->status != STORE_STORED && res->status != STORE_UNCHANGED &&
	           res->status != STORE_DUPLICATE) {
		printf("%s: %s: %s\n", ename, store_status_name(res->status), eerr);
	} else {
		printf("%s: %s host %s report %s\n", ename, store_status_name(res->status), ehost,
		       res->report_id);
	}
	free(ename);
	free(ehost);
	free(eerr);
}

/* Writer side (this thread): one transaction, one line. */
static void
item_store(struct db *db, struct item *it, struct import_stats *st)
{
	struct store_result res;
	char *e;

	if (it->read_errno != 0) {
		e = output_escape(it->name);
		log_warnx("%s: %s", e != NULL ? e : "?", strerror(it->read_errno));
		free(e);
		st->rejected++;
		st->unreadable++;
		return;
	}
	if (it->in == NULL) {
		log_warnx("out of memory");
		st->failed++;
		return;
	}
	switch (ingest_commit(db, it->in, &res)) {
	case STORE_STORED:
	case STORE_UNCHANGED:
	case STORE_DUPLICATE:
		st->ok++;
		break;
	case STORE_REJECTED:
	case STORE_WRONG_HOST:
		st->rejected++;
		break;
	case STORE_FAILED:
	case STORE_NOT_KNOWN:
		st->failed++;
		break;
	}
	print_line(it->name, &res);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct input *)a)->path, ((const struct input *)b)->path);
}

static int
names_add(struct pipeline *pl, char *name, int in_dir)
{
	struct input *v;

	if ((v = reallocarray(pl->names, pl->nnames + 1, sizeof(*v))) == NULL) {
		free(name);
		return -1;
	}
	pl->names = v;
	pl->names[pl->nnames].path = name;
	pl->names[pl->nnames++].in_dir = in_dir;
	return 0;
}

/* Every regular *.json directly in dir, in name order (not recursive).  A
 * symbolic link is skipped with a warning, never followed (lstat here,
 * O_NOFOLLOW when it is opened). */
static int
names_add_dir(struct pipeline *pl, const char *dir, struct import_stats *st)
{
	struct dirent *de;
	struct stat sb;
	char *path, *e;
	size_t len, first = pl->nnames;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		log_warn("%s", dir);
		st->rejected++;
		st->unreadable++;
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) == -1) {
			rc = -1;
			break;
		}
		if (lstat(path, &sb) == -1) {
			free(path);
			continue;
		}
		if (S_ISLNK(sb.st_mode)) {
			e = output_escape(path);
			log_warnx("%s: a symbolic link, not followed", e != NULL ? e : "?");
			free(e);
		}
		if (!S_ISREG(sb.st_mode)) {
			free(path);
			continue;
		}
		if (names_add(pl, path, 1) == -1) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	/* qsort(NULL, 0, ...) is undefined: an empty directory has no names */
	if (pl->nnames - first > 1)
		qsort(pl->names + first, pl->nnames - first, sizeof(*pl->names), cmp_name);
	return rc;
}

/* --help, and at least one input: -1 to go on (optind past the options),
 * or the exit code to return. */
static int
import_options(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int ch;

	/* --help is the only option: whatever getopt finds ends here */
	ch = getopt_long(argc, argv, "h", longopts, NULL);
	switch (ch) {
	case -1:
		break;
	case 'h':
		import_usage();
		return EXIT_OK;
	default:
		import_usage();
		return EXIT_USAGE;
	}
	if (argc - optind == 0) {
		import_usage();
		return EXIT_USAGE;
	}
	return -1;
}

/* The inputs in order, each directory's reports in name order: 0, or -1
 * when out of memory. */
static int
import_names(struct pipeline *pl, int argc, char **argv, struct import_stats *st)
{
	struct stat sb;
	char *name;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (names_add_dir(pl, argv[i], st) == -1)
				return -1;
			continue;
		}
		name = strdup(argv[i]);
		if (name == NULL || names_add(pl, name, 0) == -1)
			return -1;
	}
	return 0;
}

/* The reader thread, and this one storing what it hands over until every
 * input is done: 0, or -1 when the thread could not start. */
static int
import_pipeline(struct pipeline *pl, struct db *db, struct import_stats *st)
{
	struct item it;
	pthread_t tid;
	size_t done;
	int rc = 0;

	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	errno = pthread_create(&tid, NULL, reader, pl);
	if (errno != 0) {
		log_warn("pthread_create");
		rc = -1;
	} else {
		for (done = 0; done < pl->nnames; done++) {
			pthread_mutex_lock(&pl->mu);
			while (pl->count == 0)
				pthread_cond_wait(&pl->cv, &pl->mu);
			it = pl->q[pl->head];
			pl->head = (pl->head + 1) % QUEUE_LEN;
			pl->count--;
			pthread_cond_broadcast(&pl->cv);
			pthread_mutex_unlock(&pl->mu);
			item_store(db, &it, st);
			ingest_free(it.in);
			free(it.text);
			pthread_mutex_lock(&pl->mu);
			pl->inflight -= it.cost;
			pthread_cond_broadcast(&pl->cv);
			pthread_mutex_unlock(&pl->mu);
		}
		pthread_join(tid, NULL);
	}
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	return rc;
}

/* Import every input into db (closed here), then say how it went: the
 * exit code. */
static int
import_run(struct collector *c, struct pipeline *pl, struct db *db, struct import_stats *st)
{
	int rc = EXIT_OK;

	/* the reader's own connection, to skip decoding known contents */
	if (strcmp(c->db_path, ":memory:") != 0 && collector_open(c, &pl->ro) == -1)
		pl->ro = NULL;
	/* one line per committed report, out at once: a reader (or a killed
	 * run) never sees a line for a report that is not stored */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (import_pipeline(pl, db, st) == -1)
		rc = EXIT_FAILURE_;
	db_close(pl->ro);
	db_close(db);
	if (fflush(stdout) == EOF) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	}
	log_info("%lu imported, %lu rejected, %lu failed", st->ok, st->rejected, st->failed);
	/* invalid or unreadable input: partial; nothing readable at all, or
	 * the database failing: failure */
	if (rc == EXIT_OK && (st->failed > 0 || (st->ok == 0 && st->unreadable > 0 &&
	                                         st->unreadable == st->rejected)))
		rc = EXIT_FAILURE_;
	if (rc == EXIT_OK && st->rejected > 0)
		rc = EXIT_PARTIAL;
	return rc;
}

int
cmd_import(struct collector *c, int argc, char **argv)
{
	struct import_stats st = {0, 0, 0, 0};
	struct pipeline pl;
	struct db *db;
	size_t i;
	int rc;

	rc = import_options(argc, argv);
	if (rc != -1)
		return rc;
	memset(&pl, 0, sizeof(pl));
	if (import_names(&pl, argc - optind, argv + optind, &st) == -1) {
		log_warnx("out of memory");
		rc = EXIT_FAILURE_;
	} else if (collector_open(c, &db) == -1) {
		rc = EXIT_FAILURE_;
	} else {
		rc = import_run(c, &pl, db, &st);
	}
	for (i = 0; i < pl.nnames; i++)
		free(pl.names[i].path);
	free(pl.names);
	return rc;
}
