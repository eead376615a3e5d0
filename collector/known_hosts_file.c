/*
 * known_hosts_file.c - read known_hosts and ssh_config files (bounded) for
 * known_hosts.c, and append the entries --accept-new records.  I/O: those
 * files, getrandom for the salt of hashed names.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/growbuf.h"
#include "common/readall.h"

#include "collector/known_hosts.h"

#define KNOWN_HOSTS_GLOBAL_CONFIG "/etc/ssh/ssh_config"

/* A whole file into b: 0, 1 when it does not exist, -1 with err. */
static int
known_hosts_file_read(const char *path, struct growbuf *b, char *err, size_t errlen)
{
	FILE *fp;
	int rc;

	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = readall_bounded(fp, KNOWN_HOSTS_FILE_MAX, b);
	fclose(fp);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, rc == 1 ? "over 16 MiB" : strerror(errno));
		return -1;
	}
	return 0;
}

int
known_hosts_file_check(const char *const *files, size_t nfiles, const char *name, const char *type,
                       const char *b64, struct known_hosts_found *f, char *err, size_t errlen)
{
	struct known_hosts_result r;
	struct growbuf b;
	size_t i;
	int rc;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < nfiles; i++) {
		if (files[i] == NULL || files[i][0] == '\0')
			continue;
		memset(&b, 0, sizeof(b));
		rc = known_hosts_file_read(files[i], &b, err, errlen);
		if (rc == -1) {
			free(b.data);
			return -1;
		}
		if (rc == 0 && b.data != NULL) {
			known_hosts_lookup(b.data, b.len, name, type, b64, &r);
			if (r.state > f->r.state) {
				f->r = r;
				snprintf(f->file, sizeof(f->file), "%s", files[i]);
			}
		}
		free(b.data);
	}
	return 0;
}

/* This user's home as the password database says (as OpenSSH and libssh
 * find ~, not from $HOME; workers call this at once: the reentrant
 * lookup): 0, or -1. */
static int
known_hosts_file_home(char *out, size_t len)
{
	struct passwd pwbuf, *pw = NULL;
	char buf[4096];

	if (getpwuid_r(getuid(), &pwbuf, buf, sizeof(buf), &pw) != 0 || pw == NULL ||
	    pw->pw_dir == NULL || pw->pw_dir[0] == '\0')
		return -1;
	return (size_t)snprintf(out, len, "%s", pw->pw_dir) < len ? 0 : -1;
}

int
known_hosts_file_default(char *out, size_t len, char *err, size_t errlen)
{
	char home[512];

	if (known_hosts_file_home(home, sizeof(home)) == -1) {
		snprintf(err, errlen,
		         "known_hosts: no home directory for uid %u in the password database:"
		         " name the file with --known-hosts",
		         (unsigned)getuid());
		return -1;
	}
	if ((size_t)snprintf(out, len, "%s/.ssh/known_hosts", home) >= len) {
		snprintf(err, errlen, "known_hosts: %s/.ssh/known_hosts: path too long", home);
		return -1;
	}
	return 0;
}

/* Open file for appending, making its directory when missing: an fd or -1. */
static int
known_hosts_file_open(const char *file)
{
	char dir[512], *slash;
	int fd;

	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd != -1 || errno != ENOENT)
		return fd;
	snprintf(dir, sizeof(dir), "%s", file);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return -1;
	*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

int
known_hosts_file_add(const char *file, int hash_config, const char *name, const char *type,
                     const char *b64, int *hashed, char *err, size_t errlen)
{
	unsigned char salt[KNOWN_HOSTS_SALT_LEN];
	struct growbuf b = {0};
	struct stat st;
	char line[16384];
	ssize_t w;
	int fd, n, rc;

	rc = known_hosts_file_read(file, &b, err, errlen);
	if (rc == -1)
		return -1;
	*hashed = hash_config == 1 ||
	          (rc == 0 && b.data != NULL && known_hosts_has_hashed(b.data, b.len));
	/* a file that does not end its last line would glue ours to it */
	n = rc == 0 && b.len > 0 && b.data[b.len - 1] != '\n';
	free(b.data);
	if (*hashed && getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt)) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	line[0] = '\n';
	if (known_hosts_format(name, type, b64, *hashed ? salt : NULL, line + n,
	                       sizeof(line) - (size_t)n) == -1) {
		snprintf(err, errlen, "%s: entry too long", file);
		return -1;
	}
	if ((fd = known_hosts_file_open(file)) == -1) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	/* /dev/null or a pipe would take the key and keep nothing: every run
	 * would accept whatever key is offered */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
		         "%s: not a regular file: a key written there is not kept (name a file"
		         " with --known-hosts)",
		         file);
		close(fd);
		return -1;
	}
	/* one write: O_APPEND keeps it whole beside other writers */
	w = write(fd, line, strlen(line));
	if (w != (ssize_t)strlen(line) || close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", file, w == -1 ? strerror(errno) : "short write");
		if (w != (ssize_t)strlen(line))
			close(fd);
		return -1;
	}
	return 0;
}

/* HashKnownHosts in one config file: 1, 0, or -1 not said (or unreadable). */
static int
known_hosts_file_hash_in(const char *path, const char *host)
{
	struct growbuf b = {0};
	char err[600];
	int rc = -1;

	if (known_hosts_file_read(path, &b, err, sizeof(err)) == 0 && b.data != NULL)
		rc = known_hosts_config_hash(b.data, b.len, host);
	free(b.data);
	return rc;
}

int
known_hosts_file_hash_config(const char *config, const char *host)
{
	char home[512], path[600];
	int rc;

	if (config != NULL)
		return known_hosts_file_hash_in(config, host) == 1;
	if (known_hosts_file_home(home, sizeof(home)) == 0) {
		snprintf(path, sizeof(path), "%s/.ssh/config", home);
		if ((rc = known_hosts_file_hash_in(path, host)) != -1)
			return rc;
	}
	return known_hosts_file_hash_in(KNOWN_HOSTS_GLOBAL_CONFIG, host) == 1;
}
