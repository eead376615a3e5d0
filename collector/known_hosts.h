/*
 * known_hosts.h - known_hosts text as OpenSSH writes it, read and written
 * by the collector itself where libssh 0.10 does not go: the file:line of
 * the entry that decides, "@revoked" keys (libssh skips every marked line,
 * so a revoked key would look merely unknown and --accept-new would trust
 * it), hashed names ("|1|SALT|HASH") for the entries --accept-new adds, and
 * ssh_config's HashKnownHosts, which libssh does not read.  libssh's own
 * check stays the authority on known / unknown / changed; this adds to it.
 *
 * known_hosts.c is pure (strings in, results out); known_hosts_file.c reads
 * and appends the files.
 */
#ifndef IOMMU_FLEET_KNOWN_HOSTS_H
#define IOMMU_FLEET_KNOWN_HOSTS_H

#include <stddef.h>

#define KNOWN_HOSTS_SALT_LEN 20
#define KNOWN_HOSTS_FILE_MAX (16u * 1024 * 1024)

enum known_hosts_state {
	KNOWN_HOSTS_NONE = 0, /* no entry for the host */
	KNOWN_HOSTS_OTHER,    /* entries, of other key types only */
	KNOWN_HOSTS_CHANGED,  /* an entry of the same type with another key */
	KNOWN_HOSTS_KNOWN,    /* the key itself */
	KNOWN_HOSTS_REVOKED,  /* the key is "@revoked" for this host */
};

struct known_hosts_result {
	enum known_hosts_state state;
	int line;      /* the deciding entry's line, 0 for none */
	char type[64]; /* its key type */
};

/* "host", or "[host]:port" when port is not 22: the name entries are
 * written and looked up under.  0, or -1 when it does not fit. */
int known_hosts_name(const char *host, int port, char *out, size_t len);

/* 1 when the comma-separated host patterns of an entry (plain with * ? and
 * ! negation, or one hashed "|1|SALT|HASH") match name, else 0. */
int known_hosts_match(const char *patterns, size_t len, const char *name);

/* name's entries in one known_hosts text against the key the host
 * presented (type "ssh-ed25519", b64 its base64 blob).  The strongest
 * finding wins: revoked, then known, changed, other; the first line of
 * that kind.  "@cert-authority" lines never make a key known. */
void known_hosts_lookup(const char *text, size_t len, const char *name, const char *type,
                        const char *b64, struct known_hosts_result *r);

/* 1 when the text holds a hashed entry ("|1|"), else 0. */
int known_hosts_has_hashed(const char *text, size_t len);

/* One entry line with its newline: hashed under salt
 * (KNOWN_HOSTS_SALT_LEN bytes) or, salt NULL, plain.  Its length, or -1
 * when it does not fit. */
int known_hosts_format(const char *name, const char *type, const char *b64,
                       const unsigned char *salt, char *out, size_t outlen);

/* ssh_config text: what HashKnownHosts says for host (an alias as given),
 * the first value in a Host section that matches (or before any Host):
 * 1 yes, 0 no, -1 not said.  Match sections other than "Match all" and
 * Include are not followed. */
int known_hosts_config_hash(const char *text, size_t len, const char *host);

/* known_hosts_file.c: the files (I/O). */

struct known_hosts_found {
	struct known_hosts_result r;
	char file[512]; /* where r.line is, "" for none */
};

/* The strongest finding for name and the key over files (the user's
 * known_hosts, then the global one; NULL, "" and missing files skipped):
 * 0, or -1 with err when a file cannot be read. */
int known_hosts_file_check(const char *const *files, size_t nfiles, const char *name,
                           const char *type, const char *b64, struct known_hosts_found *f,
                           char *err, size_t errlen);

/* The collector's own known_hosts when --known-hosts names none:
 * ~/.ssh/known_hosts, ~ from the password database as OpenSSH finds it.
 * Keys are checked and recorded there whatever ssh_config's
 * UserKnownHostsFile says.  0, or -1 with err. */
int known_hosts_file_default(char *out, size_t len, char *err, size_t errlen);

/* Append name's entry to file (created 0600, its directory 0700, when
 * missing; refused when not a regular file, as /dev/null is): hashed when the file already holds
 * hashed entries or hash_config is 1; *hashed says which.  0, or -1 with err.  The caller
 * serialises writers. */
int known_hosts_file_add(const char *file, int hash_config, const char *name, const char *type,
                         const char *b64, int *hashed, char *err, size_t errlen);

/* What HashKnownHosts says for host: in config, or with config NULL in
 * ~/.ssh/config then /etc/ssh/ssh_config (as libssh reads them): 1 yes,
 * 0 otherwise. */
int known_hosts_file_hash_config(const char *config, const char *host);

#endif
