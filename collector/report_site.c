/*
 * report_site.c - a static site written into a temporary directory and
 * swapped into place with renameat2(RENAME_EXCHANGE) (or two renames where
 * the filesystem cannot exchange).  I/O: the filesystem.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#include "collector/report_site.h"

/* DIR may be replaced: missing, empty, or holding our marker. */
static int
site_replaceable(const char *dir)
{
	char marker[4200];
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int empty = 1;

	if (lstat(dir, &sb) == -1)
		return errno == ENOENT ? 1 : -1;
	if (!S_ISDIR(sb.st_mode)) {
		log_warnx("%s: not a directory", dir);
		return 0;
	}
	snprintf(marker, sizeof(marker), "%s/%s", dir, REPORT_SITE_MARKER);
	if (access(marker, F_OK) == 0)
		return 1;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty)
		log_warnx("%s: not empty and not a site written by iommu-collector (no %s):"
		          " refusing to replace it",
		          dir, REPORT_SITE_MARKER);
	return empty;
}

int
report_site_open(struct report_site *s, const char *dir)
{
	char path[4200];
	size_t n = strlen(dir);
	int rc;

	memset(s, 0, sizeof(*s));
	while (n > 1 && dir[n - 1] == '/')
		n--; /* "site/" renames as "site" */
	if (n + 16 >= sizeof(s->dir)) {
		log_warnx("%s: path too long", dir);
		return -1;
	}
	snprintf(s->dir, sizeof(s->dir), "%.*s", (int)n, dir);
	if ((rc = site_replaceable(s->dir)) != 1) {
		if (rc == -1)
			log_warn("%s", s->dir);
		return -1;
	}
	snprintf(s->tmp, sizeof(s->tmp), "%s.tmp.XXXXXX", s->dir);
	if (mkdtemp(s->tmp) == NULL) {
		log_warn("%s", s->tmp);
		s->tmp[0] = '\0';
		return -1;
	}
	snprintf(path, sizeof(path), "%s/hosts", s->tmp);
	/* readable by the web server, whoever it runs as */
	if (chmod(s->tmp, 0755) == -1 || mkdir(path, 0755) == -1 ||
	    report_site_put(s, REPORT_SITE_MARKER, "", 0) == -1) {
		log_warn("%s", path);
		report_site_abort(s);
		return -1;
	}
	return 0;
}

int
report_site_put(struct report_site *s, const char *path, const char *data, size_t len)
{
	char full[4400];
	ssize_t w;
	size_t off = 0;
	int fd;

	snprintf(full, sizeof(full), "%s/%s", s->tmp, path);
	if ((fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		log_warn("%s", full);
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s", full);
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1) {
		log_warn("%s", full);
		return -1;
	}
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		log_warn("%s", path);
	return 0;
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
report_site_commit(struct report_site *s)
{
	char old[4200];

	if (renameat2(AT_FDCWD, s->tmp, AT_FDCWD, s->dir, RENAME_EXCHANGE) == 0) {
		rm_tree(s->tmp); /* now the old site */
		s->tmp[0] = '\0';
		return 0;
	}
	if (errno == ENOENT && rename(s->tmp, s->dir) == 0) {
		s->tmp[0] = '\0';
		return 0;
	}
	if (errno == EINVAL || errno == ENOSYS) {
		/* no exchange here: a moment without DIR, never half of one */
		snprintf(old, sizeof(old), "%s.old.XXXXXX", s->dir);
		if (mkdtemp(old) != NULL && rename(s->dir, old) == 0 &&
		    rename(s->tmp, s->dir) == 0) {
			rm_tree(old);
			s->tmp[0] = '\0';
			return 0;
		}
	}
	log_warn("%s", s->dir);
	report_site_abort(s);
	return -1;
}

void
report_site_abort(struct report_site *s)
{
	if (s->tmp[0] != '\0')
		rm_tree(s->tmp);
	s->tmp[0] = '\0';
}
