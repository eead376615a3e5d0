/*
 * conf.h - the configuration files of both binaries (iommu-fleet.conf(5)):
 * one "key = value" a line, '#' comment lines, no quoting.  conf_parse is
 * pure; conf_load reads the file (I/O).  Each binary names the keys it
 * knows and checks each value where it uses it, naming conf_where().
 */
#ifndef IOMMU_FLEET_CONF_H
#define IOMMU_FLEET_CONF_H

#include <stddef.h>

#define CONF_MAX_BYTES (64u * 1024) /* a configuration file, at most */

struct conf_entry {
	char *key;
	char *value;
	int line;
};

struct conf {
	char path[256]; /* as given, for messages */
	struct conf_entry *v;
	size_t n;
	char where[300]; /* conf_where()'s answer */
};

/*
 * Parse text (len bytes, read from path) into c, every key one of known
 * (NULL-terminated) and at most once.  0, or -1 with err "PATH:LINE: why"
 * (unknown key, no '=', empty key, a key twice, a NUL byte, out of memory).
 */
int conf_parse(const char *text, size_t len, const char *path, const char *const *known,
               struct conf *c, char *err, size_t errlen);

/* Read path (at most CONF_MAX_BYTES) and parse it: 0, -1 when it cannot be
 * read (err names path and errno), -2 when it does not parse (err as
 * above). */
int conf_load(const char *path, const char *const *known, struct conf *c, char *err, size_t errlen);

/* key's value, or NULL when the file does not set it. */
const char *conf_get(const struct conf *c, const char *key);

/* "PATH:LINE: key" of key, for a message about its value (in c->where). */
const char *conf_where(struct conf *c, const char *key);

void conf_free(struct conf *c); /* an all-zero c is a no-op */

#endif
