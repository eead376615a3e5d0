/*
 * agentless_tree.c - rebuild an agentless stream as a directory tree in a
 * private temporary directory, and remove it afterwards (I/O).  Every
 * component is opened with O_NOFOLLOW below the tree's own descriptor, so a
 * record can never write outside the tree, even through a link it made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/agentless.h"

/* Open (creating as needed) the directory holding path's last component:
 * an O_PATH descriptor, *base set to that component.  mkdir_last: create
 * the last component as a directory too and return it instead. */
static int
open_parent(struct agentless_tree *t, const char *path, const char **base, int mkdir_last)
{
	char comp[AGENTLESS_PATH_MAX];
	const char *p = path, *slash;
	size_t n;
	int dfd, next;

	dfd = dup(t->dirfd);
	if (dfd == -1)
		return -1;
	for (;;) {
		slash = strchr(p, '/');
		if (slash == NULL && !mkdir_last) {
			*base = p;
			return dfd;
		}
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (mkdirat(dfd, comp, 0700) == -1 && errno != EEXIST)
			goto fail;
		next = openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next == -1)
			goto fail;
		close(dfd);
		dfd = next;
		if (slash == NULL) {
			*base = NULL;
			return dfd;
		}
		p = slash + 1;
	}
fail:
	n = (size_t)errno;
	close(dfd);
	errno = (int)n;
	return -1;
}

static int
tree_dir(void *arg, const char *path)
{
	struct agentless_tree *t = arg;
	const char *base;
	int fd;

	fd = open_parent(t, path, &base, 1);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

static int
tree_file_begin(void *arg, const char *path)
{
	struct agentless_tree *t = arg;
	const char *base;
	int dfd, saved;

	if (t->fd != -1) {
		errno = EBUSY;
		return -1;
	}
	dfd = open_parent(t, path, &base, 0);
	if (dfd == -1)
		return -1;
	/* O_EXCL: a path sent twice is an error, not an overwrite */
	t->fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	saved = errno;
	close(dfd);
	errno = saved;
	return t->fd == -1 ? -1 : 0;
}

static int
tree_file_data(void *arg, const unsigned char *p, size_t n)
{
	struct agentless_tree *t = arg;
	ssize_t w;

	while (n > 0) {
		w = write(t->fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
tree_file_end(void *arg)
{
	struct agentless_tree *t = arg;
	int rc;

	rc = close(t->fd);
	t->fd = -1;
	return rc;
}

static int
tree_placeholder(void *arg, const char *path)
{
	if (tree_file_begin(arg, path) == -1)
		return -1;
	return tree_file_end(arg);
}

static int
tree_link(void *arg, const char *path, const char *name)
{
	struct agentless_tree *t = arg;
	const char *base;
	int dfd, rc, saved;

	/* the parser let through only relative text that stays in the
	 * tree; nothing here or in the agent's rootfs follows it outward */
	if (!agentless_valid_link(path, name)) {
		errno = EINVAL;
		return -1;
	}
	dfd = open_parent(t, path, &base, 0);
	if (dfd == -1)
		return -1;
	rc = symlinkat(name, dfd, base);
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

void
agentless_tree_sink(struct agentless_tree *t, struct agentless_sink *sink)
{
	sink->arg = t;
	sink->dir = tree_dir;
	sink->placeholder = tree_placeholder;
	sink->link = tree_link;
	sink->file_begin = tree_file_begin;
	sink->file_data = tree_file_data;
	sink->file_end = tree_file_end;
}

int
agentless_tree_create(struct agentless_tree *t, const char *tmpdir)
{
	const char *base = tmpdir;

	t->dirfd = -1;
	t->fd = -1;
	t->dir[0] = '\0';
	if (base == NULL)
		base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (snprintf(t->dir, sizeof(t->dir), "%s/iommu-fleet-pull.XXXXXX", base) >=
	    (int)sizeof(t->dir)) {
		t->dir[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdtemp(t->dir) == NULL) {
		t->dir[0] = '\0';
		return -1;
	}
	t->dirfd = open(t->dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (t->dirfd == -1) {
		(void)rmdir(t->dir);
		t->dir[0] = '\0';
		return -1;
	}
	return 0;
}

/* Remove everything below dfd (an O_RDONLY directory, closed here). */
static int
remove_below(int dfd, int depth)
{
	struct dirent *de;
	DIR *d;
	int rc = 0, sub;

	if (depth > AGENTLESS_DEPTH_MAX + 2) {
		close(dfd);
		errno = ELOOP;
		return -1;
	}
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = -1;
			continue;
		}
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub == -1 || remove_below(sub, depth + 1) == -1 ||
		    unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
agentless_tree_remove(struct agentless_tree *t)
{
	int fd, rc = 0;

	if (t->fd != -1) {
		close(t->fd);
		t->fd = -1;
	}
	if (t->dirfd != -1) {
		close(t->dirfd);
		t->dirfd = -1;
	}
	if (t->dir[0] == '\0')
		return 0;
	fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || remove_below(fd, 0) == -1 || rmdir(t->dir) == -1)
		rc = -1;
	t->dir[0] = '\0';
	return rc;
}
