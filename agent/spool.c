/*
 * spool.c - the agent's spool directory: entry names, the trim plan (pure),
 * atomic writes, listing, reading and removal (I/O in the spool directory
 * only, through a directory descriptor; no logging).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/spool.h"

#define NS_DIGITS 20
#define SUFFIX ".json"

static int
id_char_ok(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-';
}

int
spool_name_ok(const char *name)
{
	size_t i, n = strlen(name), sl = sizeof(SUFFIX) - 1;

	if (n < NS_DIGITS + 2 + sl || n >= SPOOL_NAME_MAX)
		return 0;
	for (i = 0; i < NS_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
	}
	if (name[NS_DIGITS] != '-' || strcmp(name + n - sl, SUFFIX) != 0)
		return 0;
	for (i = NS_DIGITS + 1; i < n - sl; i++) {
		if (!id_char_ok(name[i]))
			return 0;
	}
	return n - sl - NS_DIGITS - 1 <= SPOOL_ID_MAX;
}

int
spool_name_make(unsigned long long ns, const char *id, char *out, size_t outlen)
{
	size_t i, n = strlen(id);
	int w;

	if (n == 0 || n > SPOOL_ID_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!id_char_ok(id[i]))
			return -1;
	}
	w = snprintf(out, outlen, "%020llu-%s%s", ns, id, SUFFIX);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

size_t
spool_plan_trim(const unsigned long long *sizes, size_t n, size_t max_count,
                unsigned long long max_bytes)
{
	unsigned long long total = 0;
	size_t i, drop = 0;

	for (i = 0; i < n; i++)
		total += sizes[i];
	while (drop < n && (n - drop > max_count || total > max_bytes)) {
		total -= sizes[drop];
		drop++;
	}
	return drop;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct spool_entry *)a)->name, ((const struct spool_entry *)b)->name);
}

/* flock(fd, LOCK_EX), trying every 100 ms for wait_s seconds: 0, or -1
 * with errno EWOULDBLOCK when it stayed held (cron runs must not pile up
 * behind a run stuck on a slow collector). */
static int
lock_wait(int fd, unsigned wait_s)
{
	struct timespec tick = {0, 100 * 1000000L}, now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)wait_s;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)) {
			errno = EWOULDBLOCK;
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

int
spool_open(struct spool *sp, const char *dir, unsigned wait_s)
{
	struct spool_entry *v = NULL, *nv;
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d = NULL;
	int save;

	memset(sp, 0, sizeof(*sp));
	sp->lockfd = -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	if ((sp->lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (lock_wait(sp->lockfd, wait_s) == -1)
		goto fail;
	/* mkdir's 0700 is only what the umask leaves, and an older spool may
	 * be 0755: ours, it is closed to others */
	if (fstat(sp->lockfd, &st) == -1)
		goto fail;
	if ((st.st_mode & 077) != 0 && st.st_uid == geteuid() &&
	    fchmod(sp->lockfd, st.st_mode & 0700) == -1)
		goto fail;
	if ((d = opendir(dir)) == NULL)
		goto fail;
	while ((de = readdir(d)) != NULL) {
		if (!spool_name_ok(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		/* spool_name_ok() bounded it below SPOOL_NAME_MAX */
		memcpy(v[n].name, de->d_name, strlen(de->d_name) + 1);
		v[n].size = (unsigned long long)st.st_size;
		n++;
	}
	closedir(d);
	d = NULL;
	if ((sp->dir = strdup(dir)) == NULL)
		goto fail;
	if (n > 0)
		qsort(v, n, sizeof(*v), entry_cmp);
	sp->v = v;
	sp->n = n;
	return 0;
fail:
	save = errno;
	if (d != NULL)
		closedir(d);
	free(v);
	if (sp->lockfd != -1)
		close(sp->lockfd);
	sp->lockfd = -1;
	errno = save;
	return -1;
}

void
spool_close(struct spool *sp)
{
	free(sp->dir);
	free(sp->v);
	if (sp->lockfd != -1)
		close(sp->lockfd); /* releases the lock */
	memset(sp, 0, sizeof(*sp));
	sp->lockfd = -1;
}

static int
path_of(const struct spool *sp, const char *name, char *out, size_t outlen)
{
	int w = snprintf(out, outlen, "%s/%s", sp->dir, name);

	if (w < 0 || (size_t)w >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
spool_read(struct spool *sp, size_t i, size_t max, char **buf, size_t *len)
{
	char path[4096], *b;
	size_t n = 0;
	ssize_t got;
	int fd, save;

	*buf = NULL;
	if (i >= sp->n || path_of(sp, sp->v[i].name, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if ((b = malloc(max + 1)) == NULL)
		goto fail;
	for (;;) {
		got = read(fd, b + n, max + 1 - n);
		if (got == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	save = errno;
	free(b);
	close(fd);
	errno = save;
	return -1;
}

int
spool_remove(struct spool *sp, size_t i)
{
	char path[4096];

	if (i >= sp->n || path_of(sp, sp->v[i].name, path, sizeof(path)) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	memmove(&sp->v[i], &sp->v[i + 1], (sp->n - i - 1) * sizeof(*sp->v));
	sp->n--;
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
spool_add(struct spool *sp, const char *id, const char *data, size_t len)
{
	struct spool_entry *nv;
	struct timespec ts;
	char name[SPOOL_NAME_MAX], tmp[4096], path[4096];
	unsigned long long ns;
	int fd, dfd, save;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
	/* newest last: never sort before an entry already there */
	if (sp->n > 0 && strtoull(sp->v[sp->n - 1].name, NULL, 10) >= ns)
		ns = strtoull(sp->v[sp->n - 1].name, NULL, 10) + 1;
	if (spool_name_make(ns, id, name, sizeof(name)) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((nv = realloc(sp->v, (sp->n + 1) * sizeof(*sp->v))) == NULL)
		return -1;
	sp->v = nv;
	if (path_of(sp, name, path, sizeof(path)) == -1 ||
	    path_of(sp, ".tmp-XXXXXX", tmp, sizeof(tmp)) == -1)
		return -1;
	/* mkstemp creates 0600 whatever the umask: the report stays ours */
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	/* the rename itself must reach the disk before we say "spooled" */
	dfd = sp->lockfd;
	if (dfd != -1)
		fsync(dfd);
	snprintf(sp->v[sp->n].name, sizeof(sp->v[sp->n].name), "%s", name);
	sp->v[sp->n].size = len;
	sp->n++;
	return 0;
fail:
	save = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = save;
	return -1;
}

int
spool_trim(struct spool *sp, size_t max_count, unsigned long long max_bytes, char *dropped,
           size_t droppedlen)
{
	unsigned long long *sizes;
	size_t i, drop, used = 0;
	int w;

	if (dropped != NULL && droppedlen > 0)
		dropped[0] = '\0';
	if (sp->n == 0)
		return 0;
	if ((sizes = calloc(sp->n, sizeof(*sizes))) == NULL)
		return -1;
	for (i = 0; i < sp->n; i++)
		sizes[i] = sp->v[i].size;
	drop = spool_plan_trim(sizes, sp->n, max_count, max_bytes);
	free(sizes);
	for (i = 0; i < drop; i++) {
		if (dropped != NULL && used < droppedlen) {
			w = snprintf(dropped + used, droppedlen - used, "%s\n", sp->v[0].name);
			if (w > 0)
				used += (size_t)w < droppedlen - used ? (size_t)w
				                                      : droppedlen - used - 1;
		}
		if (spool_remove(sp, 0) == -1)
			return -1;
	}
	return (int)drop;
}
