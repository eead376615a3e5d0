/*
 * rootfs.c - reads of host evidence relative to a root directory, and the
 * optional capture of everything read (I/O).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "agent/rootfs.h"

struct rootfs_capture {
	int dirfd;
	struct strlist listed; /* "dir/name" entries to leave as placeholders */
	struct strlist linked; /* "path\ntarget" symlinks to recreate */
};

#define ROOTFS_MAX_LINKS 40

/* Without openat2 (kernels before 5.6, seccomp profiles that refuse it):
 * resolve rel one component at a time, never following a link the kernel
 * would follow outside the root.  A link's target is spliced into what is
 * left to resolve, absolute ones from the root; ".." stops at the root. */
static int
open_by_hand(int dirfd, const char *rel, int flags)
{
	char resolved[PATH_MAX] = "", todo[PATH_MAX], target[PATH_MAX], cand[PATH_MAX];
	char *comp, *rest, *slash;
	struct stat st;
	int links = 0;
	ssize_t n;

	if (strlen(rel) >= sizeof(todo)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(todo, rel, strlen(rel) + 1);
	rest = todo;
	while (rest != NULL && *rest != '\0') {
		comp = rest;
		if ((rest = strchr(rest, '/')) != NULL)
			*rest++ = '\0';
		if (comp[0] == '\0' || strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			slash = strrchr(resolved, '/');
			if (slash != NULL)
				*slash = '\0';
			else
				resolved[0] = '\0';
			continue;
		}
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", resolved, resolved[0] ? "/" : "",
		                     comp) >= sizeof(cand)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (fstatat(dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) == -1)
			return -1;
		if (!S_ISLNK(st.st_mode)) {
			memcpy(resolved, cand, strlen(cand) + 1);
			continue;
		}
		if (++links > ROOTFS_MAX_LINKS) {
			errno = ELOOP;
			return -1;
		}
		if ((n = readlinkat(dirfd, cand, target, sizeof(target) - 1)) == -1)
			return -1;
		target[n] = '\0';
		if (target[0] == '/')
			resolved[0] = '\0';
		/* what is left becomes target + "/" + rest */
		if ((size_t)snprintf(cand, sizeof(cand), "%s%s%s", target, rest ? "/" : "",
		                     rest ? rest : "") >= sizeof(cand)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(todo, cand, strlen(cand) + 1);
		rest = todo;
	}
	return openat(dirfd, resolved[0] ? resolved : ".", flags | O_NOFOLLOW | O_CLOEXEC);
}

static int openat2_missing;

static int
openat_in_root(int dirfd, const char *rel, int flags)
{
	struct open_how how;
	int fd;

	if (!openat2_missing) {
		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long long)flags | O_CLOEXEC;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd != -1 || (errno != ENOSYS && errno != EPERM))
			return fd;
		openat2_missing = 1;
	}
	return open_by_hand(dirfd, rel, flags);
}

/* The directory part of rel opened inside the root, from the cache when
 * it was one of the last used: a borrowed descriptor (the cache owns
 * it), *base the last component; -1 with errno, or -1 with errno 0 when
 * rel has no plain last component (resolve it whole instead). */
static int
dir_cached(struct rootfs *fs, const char *rel, const char **base)
{
	const char *slash = strrchr(rel, '/');
	struct rootfs_dir *d, *old = &fs->dirs[0];
	size_t n = slash != NULL ? (size_t)(slash - rel) : 0;
	char dir[sizeof(old->rel)];
	int i, fd;

	*base = slash != NULL ? slash + 1 : rel;
	/* "." or ".." would leave the directory: only a plain name is opened
	 * without resolution */
	if (slash == NULL || n == 0 || n >= sizeof(old->rel) || **base == '\0' ||
	    strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
		errno = 0;
		return -1;
	}
	for (i = 0; i < ROOTFS_DIR_CACHE; i++) {
		d = &fs->dirs[i];
		if (d->fd != -1 && strncmp(d->rel, rel, n) == 0 && d->rel[n] == '\0') {
			d->used = ++fs->clock;
			return d->fd;
		}
		if (d->used < old->used)
			old = d;
	}
	memcpy(dir, rel, n);
	dir[n] = '\0';
	/* the slot changes only once the new directory is open */
	if ((fd = openat_in_root(fs->dirfd, dir, O_PATH | O_DIRECTORY)) == -1)
		return -1;
	if (old->fd != -1)
		close(old->fd);
	memcpy(old->rel, dir, n + 1);
	old->fd = fd;
	old->used = ++fs->clock;
	return fd;
}

/* rel opened for reading inside the root: its directory from the cache
 * and its name without following a link, or, when the name is a link (or
 * not a plain name), rel resolved whole as before. */
static int
open_in_root_cached(struct rootfs *fs, const char *rel, int flags)
{
	const char *base;
	int dfd, fd;

	dfd = dir_cached(fs, rel, &base);
	if (dfd == -1 && errno != 0)
		return -1;
	if (dfd != -1) {
		fd = openat(dfd, base, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd != -1 || errno != ELOOP)
			return fd;
	}
	return openat_in_root(fs->dirfd, rel, flags);
}

int
rootfs_openat(struct rootfs *fs, const char *rel, int flags)
{
	return openat_in_root(fs->dirfd, rel, flags);
}

void
rootfs_force_manual_resolution(void)
{
	openat2_missing = 1;
}

int
rootfs_open(struct rootfs *fs, const char *root)
{
	int i;

	fs->cap = NULL;
	fs->clock = 0;
	for (i = 0; i < ROOTFS_DIR_CACHE; i++) {
		fs->dirs[i].fd = -1;
		fs->dirs[i].used = 0;
	}
	fs->dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fs->dirfd == -1 ? -1 : 0;
}

void
rootfs_close(struct rootfs *fs)
{
	if (fs->cap != NULL) {
		close(fs->cap->dirfd);
		strlist_free(&fs->cap->listed);
		strlist_free(&fs->cap->linked);
		free(fs->cap);
		fs->cap = NULL;
	}
	rootfs_forget(fs);
	if (fs->dirfd != -1)
		close(fs->dirfd);
	fs->dirfd = -1;
}

void
rootfs_forget(struct rootfs *fs)
{
	int i;

	for (i = 0; i < ROOTFS_DIR_CACHE; i++) {
		if (fs->dirs[i].fd != -1)
			close(fs->dirs[i].fd);
		fs->dirs[i].fd = -1;
	}
}

/*
 * The capture is written as root into a directory a user may own: nothing
 * under it is trusted.  Every path is walked one component at a time with
 * O_NOFOLLOW (what openat2's RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS does,
 * on every kernel), "." and ".." refused, and every write is an O_EXCL
 * create of a fresh file, so a planted symlink or hard link is never
 * written through.  Files 0600, directories 0700, whatever the umask: the
 * kernel log that dmesg_restrict hides is in there.
 */
int
rootfs_capture_start(struct rootfs *fs, const char *dir)
{
	struct rootfs_capture *cap;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int fd, dfd, empty = 1;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	/* not through a link, and ours: a stranger's directory is not one
	 * we can keep the evidence in */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid()) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if ((dfd = dup(fd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		close(fd);
		errno = ENOTEMPTY;
		return -1;
	}
	if (fchmod(fd, 0700) == -1) {
		close(fd);
		return -1;
	}
	cap = calloc(1, sizeof(*cap));
	if (cap == NULL) {
		close(fd);
		return -1;
	}
	cap->dirfd = fd;
	fs->cap = cap;
	return 0;
}

/* The directory holding rel's last component, opened without following a
 * link (created 0700 where missing when create is set): a descriptor and
 * *base pointing into rel at the last component (empty when rel ends in
 * '/'), or -1 with errno (ELOOP or ENOTDIR for a link on the way). */
static int
capture_parent(struct rootfs_capture *cap, const char *rel, int create, const char **base)
{
	char comp[NAME_MAX + 1];
	const char *p = rel, *slash;
	size_t n;
	int fd, next;

	if ((fd = dup(cap->dirfd)) == -1)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		n = (size_t)(slash - p);
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (create && mkdirat(fd, comp, 0700) == 0)
			(void)fchmodat(fd, comp, 0700, AT_SYMLINK_NOFOLLOW);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next == -1)
			return -1;
		fd = next;
		p = slash + 1;
	}
	if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*base = p;
	return fd;
}

/* mkdir -p of rel's parent directories inside the capture. */
static int
capture_mkparents(struct rootfs_capture *cap, const char *rel)
{
	const char *base;
	int fd = capture_parent(cap, rel, 1, &base);

	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

/* A fresh file rel (0600) for writing: what was there goes first, never
 * written through (a link, or a second read of the same evidence). */
static int
capture_create(struct rootfs_capture *cap, const char *rel)
{
	const char *base;
	int pfd, fd;

	if ((pfd = capture_parent(cap, rel, 1, &base)) == -1)
		return -1;
	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST && unlinkat(pfd, base, 0) == 0)
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(pfd);
	if (fd != -1 && fchmod(fd, 0600) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
rootfs_capture_put(struct rootfs *fs, const char *rel, const char *text, size_t len)
{
	int fd;
	ssize_t n;

	if (fs->cap == NULL)
		return 0;
	if ((fd = capture_create(fs->cap, rel)) == -1)
		return -1;
	while (len > 0) {
		n = write(fd, text, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return close(fd);
}

int
rootfs_capture_open(struct rootfs *fs, const char *rel)
{
	if (fs->cap == NULL)
		return -1;
	return capture_create(fs->cap, rel);
}

/* What is left of fd, into data (size bytes, used of them filled): 0 at
 * its end or when data is full (*full set), -1 with errno.  A sysfs
 * attribute comes whole from one read: a short one is its end, which
 * saves a second read per file on a big host. */
static int
read_fd(int fd, char *data, size_t size, size_t *used, int sysfs, int *full)
{
	ssize_t n;

	*full = 0;
	for (;;) {
		if (*used >= size) {
			*full = 1;
			return 0;
		}
		n = read(fd, data + *used, size - *used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0; /* a character device such as dev/kmsg: its end for now */
		if (n == -1)
			return -1; /* sysfs attributes that exist but cannot be read, e.g. EIO */
		if (n == 0)
			return 0;
		*used += (size_t)n;
		if (sysfs && *used < size)
			return 0;
	}
}

int
rootfs_read(struct rootfs *fs, const char *rel, size_t max, char **buf, size_t *len, int *truncated)
{
	char *data, *grown;
	size_t size = 4096, used = 0;
	int fd, saved, full;

	*buf = NULL;
	*len = 0;
	if (truncated != NULL)
		*truncated = 0;
	fd = open_in_root_cached(fs, rel, O_RDONLY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (size > max + 1)
		size = max + 1;
	data = malloc(size);
	if (data == NULL)
		goto fail;
	for (;;) {
		/* one byte kept for the NUL */
		if (read_fd(fd, data, size - 1, &used, strncmp(rel, "sys/", 4) == 0, &full) == -1)
			goto fail;
		if (!full)
			break;
		if (size > max) {
			if (truncated != NULL)
				*truncated = 1;
			break;
		}
		size = size * 2 > max + 1 ? max + 1 : size * 2;
		grown = realloc(data, size);
		if (grown == NULL)
			goto fail;
		data = grown;
	}
	data[used] = '\0'; /* used <= max: size is at most max + 1 */
	close(fd);
	*buf = data;
	*len = used;
	/* capture trouble must not lose the evidence itself */
	(void)rootfs_capture_put(fs, rel, data, used);
	return 0;
fail:
	saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return -1;
}

int
rootfs_read_buf(struct rootfs *fs, const char *rel, char *buf, size_t size, size_t *len)
{
	int fd, saved, full, rc;

	*len = 0;
	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	buf[0] = '\0';
	if ((fd = open_in_root_cached(fs, rel, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	rc = read_fd(fd, buf, size - 1, len, strncmp(rel, "sys/", 4) == 0, &full);
	saved = errno;
	close(fd);
	if (rc == -1) {
		*len = 0;
		errno = saved;
		return -1;
	}
	buf[*len] = '\0';
	(void)rootfs_capture_put(fs, rel, buf, *len);
	return 0;
}

int
rootfs_read_attr(struct rootfs *fs, const char *rel, char **value)
{
	char buf[4097];
	size_t len, start = 0;

	*value = NULL;
	if (rootfs_read_buf(fs, rel, buf, sizeof(buf), &len) == -1)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	while (start < len && (buf[start] == ' ' || buf[start] == '\t'))
		start++;
	/* a value is kept (a group's type, a driver_override): its own size,
	 * not the 4 KiB it was read into */
	if ((*value = malloc(len - start + 1)) == NULL)
		return -1;
	memcpy(*value, buf + start, len - start + 1);
	return 0;
}

/* Split rel into its parent directory (opened inside the root) and basename. */
static int
open_parent(struct rootfs *fs, const char *rel, const char **base)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	size_t n;

	if (slash == NULL) {
		*base = rel;
		return openat_in_root(fs->dirfd, ".", O_PATH | O_DIRECTORY);
	}
	n = (size_t)(slash - rel);
	if (n >= sizeof(parent)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, rel, n);
	parent[n] = '\0';
	*base = slash + 1;
	return openat_in_root(fs->dirfd, parent, O_PATH | O_DIRECTORY);
}

int
rootfs_readlink(struct rootfs *fs, const char *rel, char *out, size_t outsz)
{
	char target[PATH_MAX];
	ssize_t n;
	int dfd, saved;
	const char *base;

	/* readlinkat never follows base itself: the cached directory serves */
	dfd = dir_cached(fs, rel, &base);
	if (dfd == -1 && errno != 0)
		return -1;
	if (dfd != -1) {
		n = readlinkat(dfd, base, target, sizeof(target) - 1);
		saved = errno;
	} else {
		if ((dfd = open_parent(fs, rel, &base)) == -1)
			return -1;
		n = readlinkat(dfd, base, target, sizeof(target) - 1);
		saved = errno;
		close(dfd);
	}
	if (n == -1) {
		errno = saved;
		return -1;
	}
	target[n] = '\0';
	if ((size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, target, (size_t)n + 1);
	if (fs->cap != NULL) {
		char entry[PATH_MAX * 2];

		snprintf(entry, sizeof(entry), "%s\n%s", rel, target);
		(void)strlist_add(&fs->cap->linked, entry);
	}
	return 0;
}

int
rootfs_link_basename(struct rootfs *fs, const char *rel, char *out, size_t outsz)
{
	char target[PATH_MAX];
	const char *name;
	size_t len;

	if (rootfs_readlink(fs, rel, target, sizeof(target)) == -1)
		return -1;
	name = strrchr(target, '/');
	name = name != NULL ? name + 1 : target;
	len = strlen(name);
	if (len == 0 || len >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, name, len + 1);
	return 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
rootfs_list(struct rootfs *fs, const char *rel, size_t max_entries, struct strlist *names)
{
	struct dirent *de;
	DIR *d;
	int fd;
	size_t i;

	names->v = NULL;
	names->n = 0;
	fd = openat_in_root(fs->dirfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd == -1)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (names->n >= max_entries)
			break;
		if (strlist_add(names, de->d_name) == -1) {
			closedir(d);
			strlist_free(names);
			errno = ENOMEM;
			return -1;
		}
	}
	closedir(d);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(names->v[0]), names_cmp);
	if (fs->cap != NULL) {
		if (names->n == 0) {
			/* an empty directory is evidence too ("no groups") */
			char probe[PATH_MAX];

			snprintf(probe, sizeof(probe), "%s/", rel);
			(void)capture_mkparents(fs->cap, probe);
		}
		for (i = 0; i < names->n; i++)
			(void)strlist_addf(&fs->cap->listed, "%s/%s", rel, names->v[i]);
	}
	return 0;
}

int
rootfs_exists(struct rootfs *fs, const char *rel)
{
	struct stat st;
	int fd;

	fd = openat_in_root(fs->dirfd, rel, O_PATH);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	if (fs->cap != NULL) {
		if (S_ISDIR(st.st_mode)) {
			char probe[PATH_MAX];

			snprintf(probe, sizeof(probe), "%s/", rel);
			(void)capture_mkparents(fs->cap, probe);
		} else {
			(void)strlist_addf(&fs->cap->listed, "%s", rel);
		}
	}
	return 1;
}

void
rootfs_join(char *out, size_t sz, const char *dir, const char *name)
{
	size_t d = strlen(dir), n = strlen(name);

	if (sz == 0)
		return;
	if (d >= sz)
		d = sz - 1;
	memcpy(out, dir, d);
	if (d + 1 < sz)
		out[d++] = '/';
	if (n > sz - 1 - d)
		n = sz - 1 - d;
	memcpy(out + d, name, n);
	out[d + n] = '\0';
}

/* rel's link target as a path from the root, ".." resolved: 0, or -1
 * when it leaves the root or does not fit. */
int
rootfs_link_path(const char *rel, const char *target, char *out, size_t outsz)
{
	char buf[PATH_MAX], *seg, *save = NULL;
	const char *slash = strrchr(rel, '/');
	size_t n = 0, k;

	if (target[0] == '/')
		snprintf(buf, sizeof(buf), "%s", target + 1);
	else
		snprintf(buf, sizeof(buf), "%.*s/%s", slash != NULL ? (int)(slash - rel) : 0, rel,
		         target);
	out[0] = '\0';
	for (seg = strtok_r(buf, "/", &save); seg != NULL; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (n == 0)
				return -1;
			while (n > 0 && out[n - 1] != '/')
				n--;
			n = n > 0 ? n - 1 : 0;
			out[n] = '\0';
			continue;
		}
		k = strlen(seg);
		if (n + k + 2 > outsz)
			return -1;
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, seg, k + 1);
		n += k;
	}
	return n > 0 ? 0 : -1;
}

static size_t
linked_depth(const char *entry)
{
	const char *target = strchr(entry, '\n');
	char path[PATH_MAX], real[PATH_MAX];
	size_t n = target != NULL ? (size_t)(target - entry) : 0;

	if (target == NULL || n >= sizeof(path))
		return 0;
	memcpy(path, entry, n);
	path[n] = '\0';
	return rootfs_link_path(path, target + 1, real, sizeof(real)) == 0 ? strlen(real) : 0;
}

static int
linked_cmp(const void *a, const void *b)
{
	size_t x = linked_depth(*(char *const *)a), y = linked_depth(*(char *const *)b);

	return x < y ? -1 : x > y;
}

/* Open directory rel of the capture, no link followed: a descriptor or -1. */
static int
capture_opendir(struct rootfs_capture *cap, const char *rel)
{
	const char *base;
	int pfd, fd;

	if ((pfd = capture_parent(cap, rel, 0, &base)) == -1)
		return -1;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	return fd;
}

/* fstatat of rel in the capture, not following links: 0 or -1. */
static int
capture_stat(struct rootfs_capture *cap, const char *rel, struct stat *st)
{
	const char *base;
	int pfd, rc;

	if ((pfd = capture_parent(cap, rel, 0, &base)) == -1)
		return -1;
	rc = fstatat(pfd, base, st, AT_SYMLINK_NOFOLLOW);
	close(pfd);
	return rc;
}

/* Move what src holds into dst (both directories of the capture); a name
 * in both was read twice, the same evidence: the copy in src goes. */
static int
capture_merge_dir(struct rootfs_capture *cap, const char *src, const char *dst, int depth)
{
	char s[PATH_MAX], d[PATH_MAX];
	struct dirent *e;
	struct stat st, st2;
	const char *base;
	DIR *dir;
	int fd, sfd = -1, dfd = -1, pfd, rc = 0;

	if (depth > 16 || (fd = capture_opendir(cap, src)) == -1)
		return -1;
	if ((sfd = dup(fd)) == -1 || (dfd = capture_opendir(cap, dst)) == -1 ||
	    (dir = fdopendir(fd)) == NULL) {
		if (sfd != -1)
			close(sfd);
		if (dfd != -1)
			close(dfd);
		close(fd);
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(s, sizeof(s), "%s/%s", src, e->d_name);
		snprintf(d, sizeof(d), "%s/%s", dst, e->d_name);
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			rc |= renameat(sfd, e->d_name, dfd, e->d_name);
		else if (S_ISDIR(st.st_mode) &&
		         fstatat(sfd, e->d_name, &st2, AT_SYMLINK_NOFOLLOW) == 0 &&
		         S_ISDIR(st2.st_mode))
			rc |= capture_merge_dir(cap, s, d, depth + 1);
		else
			(void)unlinkat(sfd, e->d_name, 0);
	}
	closedir(dir);
	close(sfd);
	close(dfd);
	if ((pfd = capture_parent(cap, src, 0, &base)) != -1) {
		(void)unlinkat(pfd, base, AT_REMOVEDIR);
		close(pfd);
	}
	return rc;
}

/* Evidence read through a link to a directory (sys/bus/pci/devices/X)
 * landed in a real directory at the link's place: move it to where the
 * link points, so that the capture keeps the kernel's hierarchy (which
 * bridge is above which device) and the link can be made. */
static int
capture_move_dir(struct rootfs_capture *cap, const char *path, const char *target)
{
	char real[PATH_MAX];
	const char *sbase, *dbase;
	struct stat st;
	int spfd, dpfd, rc;

	if (capture_stat(cap, path, &st) == -1 || !S_ISDIR(st.st_mode))
		return 0;
	if (rootfs_link_path(path, target, real, sizeof(real)) == -1)
		return -1;
	if ((spfd = capture_parent(cap, path, 0, &sbase)) == -1)
		return -1;
	if ((dpfd = capture_parent(cap, real, 1, &dbase)) == -1) {
		close(spfd);
		return -1;
	}
	rc = renameat(spfd, sbase, dpfd, dbase);
	close(spfd);
	close(dpfd);
	if (rc == 0)
		return 0;
	if (errno != EEXIST && errno != ENOTEMPTY)
		return -1;
	/* read through two links to one place: merge */
	return capture_merge_dir(cap, path, real, 0);
}

int
rootfs_capture_finish(struct rootfs *fs)
{
	struct rootfs_capture *cap = fs->cap;
	const char *base;
	struct stat st;
	size_t i;
	int fd, pfd, rc = 0;

	if (cap == NULL)
		return 0;
	/* links whose targets are shallower first: a bridge's directory is in
	 * place before the devices below it move into it */
	if (cap->linked.n > 1)
		qsort(cap->linked.v, cap->linked.n, sizeof(*cap->linked.v), linked_cmp);
	for (i = 0; i < cap->linked.n; i++) {
		char *path = cap->linked.v[i];
		char *target = strchr(path, '\n');

		*target++ = '\0';
		if (capture_mkparents(cap, path) == -1 ||
		    capture_move_dir(cap, path, target) == -1 ||
		    (pfd = capture_parent(cap, path, 0, &base)) == -1) {
			rc = -1;
			continue;
		}
		if (symlinkat(target, pfd, base) == -1 && errno != EEXIST)
			rc = -1;
		close(pfd);
	}
	/* Names that were listed but never read leave an empty placeholder, so
	 * the listing reads the same from the capture. */
	for (i = 0; i < cap->listed.n; i++) {
		const char *path = cap->listed.v[i];

		if ((pfd = capture_parent(cap, path, 1, &base)) == -1) {
			rc = -1;
			continue;
		}
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			            0600);
			if (fd == -1)
				rc = -1;
			else
				close(fd);
		}
		close(pfd);
	}
	return rc;
}
