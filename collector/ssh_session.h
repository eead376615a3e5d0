/*
 * ssh_session.h - the collector's libssh adapter (I/O): connect within a
 * deadline, honour ~/.ssh/config, check the host key strictly against
 * known_hosts, authenticate (ssh-agent, then an identity file), run one
 * command and read its output with a byte cap.  Jump hosts (ProxyJump,
 * --jump) are opened here too, each hop under the same host key policy,
 * auth and deadline, the next hop reached through a direct-tcpip channel:
 * no process is ever started (libssh 0.10 would run "ssh -W").  The only
 * file that includes libssh headers.  One connection is used by one thread
 * at a time; different connections may be used by different threads at
 * once (a connection through a jump host has a forwarding thread of its
 * own, started and joined here).
 */
#ifndef IOMMU_FLEET_SSH_SESSION_H
#define IOMMU_FLEET_SSH_SESSION_H

#include <stddef.h>

enum ssh_session_status {
	SSH_SESSION_OK = 0,
	SSH_SESSION_UNREACHABLE, /* refused, no route, name not resolved */
	SSH_SESSION_TIMEOUT,     /* connect timeout or the host's deadline */
	SSH_SESSION_AUTH_FAILED,
	SSH_SESSION_HOSTKEY_UNKNOWN, /* not in known_hosts (and no --accept-new) */
	SSH_SESSION_HOSTKEY_CHANGED, /* changed, a key of another type, or @revoked */
	SSH_SESSION_TOO_LARGE,       /* output over the byte cap */
	SSH_SESSION_ERROR,           /* any other SSH or channel failure */
};

/* "ok", "unreachable", "timeout", "auth-failed", "hostkey-unknown",
 * "hostkey-changed", "too-large", "ssh-error": the attempts' status words. */
const char *ssh_session_status_word(enum ssh_session_status s);

/* What a host presented and what known_hosts says of it. */
enum ssh_session_keystate {
	SSH_SESSION_KEY_KNOWN = 0,
	SSH_SESSION_KEY_UNKNOWN,
	SSH_SESSION_KEY_CHANGED,
	SSH_SESSION_KEY_OTHER_TYPE,
	SSH_SESSION_KEY_REVOKED,
	SSH_SESSION_KEY_ADDED, /* was unknown, recorded by --accept-new */
};

struct ssh_session_hostkey {
	char name[300]; /* as known_hosts names it: "host" or "[host]:port" */
	char type[64];  /* "ssh-ed25519" */
	char fp[128];   /* "SHA256:..." */
	enum ssh_session_keystate state;
	char file[512]; /* the known_hosts entry that decided, "" for none */
	int line;       /* its line, 0 for none */
	char ftype[64]; /* that entry's key type */
	int hashed;     /* ADDED: written as a hashed entry */
};

/* "known", "unknown", "changed", "other-type", "revoked", "added". */
const char *ssh_session_keystate_word(enum ssh_session_keystate s);

struct ssh_session_key;

struct ssh_session_opts {
	const char *host;                       /* validated inventory name or ssh_config alias */
	const char *user;                       /* NULL: ssh_config, else the local user */
	int port;                               /* 0: ssh_config, else 22 */
	const char *config;                     /* ssh_config file; NULL: ~/.ssh/config */
	const char *known_hosts;                /* NULL: the user's (and the system's) */
	const struct ssh_session_key *identity; /* tried after the agent, or NULL */
	const char *jump;      /* ProxyJump: "[user@]host[:port],...", "none"; NULL: ssh_config's */
	int accept_new;        /* record unknown keys, as accept-new does */
	int connect_timeout;   /* seconds, for each hop */
	long long deadline_ms; /* CLOCK_MONOTONIC milliseconds: for everything */
	/* each key --accept-new records (a jump host's too), or NULL */
	void (*key_added)(void *arg, const struct ssh_session_hostkey *k);
	void *key_added_arg;
};

struct ssh_session_error {
	enum ssh_session_status status;
	char msg[1024];
};

/* Bytes of stdout as they come: 0 to go on, -1 to stop reading (the
 * command is then abandoned and ssh_session_exec returns SSH_SESSION_ERROR
 * with the sink's message). */
typedef int (*ssh_session_sink)(void *arg, const char *p, size_t n);

#define SSH_SESSION_ERR_TAIL 2048

struct ssh_session_exec_result {
	int exit_status;                         /* -1 when the host sent none */
	size_t out_bytes;                        /* stdout bytes read */
	size_t err_bytes;                        /* stderr bytes read */
	char err_tail[SSH_SESSION_ERR_TAIL + 1]; /* its last bytes, raw: escape before printing */
};

struct ssh_session_conn;

/* A private key loaded once and used by every connection (signing only
 * reads it): 0, or -1 with a message (an encrypted key is refused: use the
 * agent for those). */
int ssh_session_key_load(const char *path, struct ssh_session_key **out, char *err, size_t errlen);
void ssh_session_key_free(struct ssh_session_key *k); /* NULL is a no-op */

/* Call once before any thread uses SSH, and once at the end. */
int ssh_session_global_init(void);
void ssh_session_global_cleanup(void);

/* Connect (through the jump hosts, if any), check the host key, and
 * authenticate: 0 and *out, or -1 with err filled (*out NULL).  A failure
 * at a jump host is that host's: its status, and a message that names it. */
int ssh_session_open(const struct ssh_session_opts *o, struct ssh_session_conn **out,
                     struct ssh_session_error *err);

/* Connect (jump hosts are checked and authenticated as for open) and say
 * what the host presents against known_hosts, without authenticating to it
 * and without writing anything (accept_new is ignored): 0 with k filled,
 * or -1 with err. */
int ssh_session_scan(const struct ssh_session_opts *o, struct ssh_session_hostkey *k,
                     struct ssh_session_error *err);

/* Run command; send input (may be NULL) on its stdin then EOF; pass stdout
 * to sink, at most max_bytes, before the deadline.  0 when the command ran
 * to its end (any exit status, in r), or -1 with err filled. */
int ssh_session_exec(struct ssh_session_conn *c, const char *command, const char *input,
                     size_t inlen, size_t max_bytes, ssh_session_sink sink, void *arg,
                     struct ssh_session_exec_result *r, struct ssh_session_error *err);

void ssh_session_close(struct ssh_session_conn *c); /* NULL is a no-op */

/* CLOCK_MONOTONIC now, in milliseconds. */
long long ssh_session_now_ms(void);

#endif
