/*
 * ssh_session.c - libssh behind one small interface (I/O): connect, strict
 * host key check, authentication, exec with bounded output.  Every blocking
 * libssh call gets the time left before the host's deadline as its timeout,
 * so one host can never hold a worker longer than its deadline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>

#include "collector/ssh_session.h"

#define EXEC_STDERR_MAX ((size_t)1024 * 1024) /* stderr bytes a command may send in all */

struct ssh_session_key {
	ssh_key key;
};

struct ssh_session_conn {
	ssh_session s;
	long long deadline_ms;
};

/* known_hosts is read and appended by several threads: accept-new writes
 * one host at a time: check and record under one lock. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

long long
ssh_session_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
ssh_session_status_word(enum ssh_session_status s)
{
	switch (s) {
	case SSH_SESSION_OK:
		return "ok";
	case SSH_SESSION_UNREACHABLE:
		return "unreachable";
	case SSH_SESSION_TIMEOUT:
		return "timeout";
	case SSH_SESSION_AUTH_FAILED:
		return "auth-failed";
	case SSH_SESSION_HOSTKEY_UNKNOWN:
		return "hostkey-unknown";
	case SSH_SESSION_HOSTKEY_CHANGED:
		return "hostkey-changed";
	case SSH_SESSION_TOO_LARGE:
		return "too-large";
	case SSH_SESSION_ERROR:
		break;
	}
	return "ssh-error";
}

int
ssh_session_global_init(void)
{
	return ssh_init() == SSH_OK ? 0 : -1;
}

void
ssh_session_global_cleanup(void)
{
	(void)ssh_finalize();
}

static int
set_error(struct ssh_session_error *err, enum ssh_session_status st, const char *fmt,
          const char *detail)
{
	err->status = st;
	snprintf(err->msg, sizeof(err->msg), fmt, detail != NULL ? detail : "");
	return -1;
}

/* Time left, in ms, capped by cap_ms (0: no cap); 0 when past. */
static long long
time_left(long long deadline_ms, long long cap_ms)
{
	long long left = deadline_ms - ssh_session_now_ms();

	if (left < 0)
		left = 0;
	if (cap_ms > 0 && left > cap_ms)
		left = cap_ms;
	return left;
}

/* The next blocking call may wait at most ms. */
static void
set_timeout(ssh_session s, long long ms)
{
	long sec, usec;

	if (ms < 1)
		ms = 1; /* 0 would mean libssh's default */
	sec = (long)(ms / 1000);
	usec = (long)(ms % 1000) * 1000;
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

static enum ssh_session_status
classify_connect_error(const char *msg)
{
	if (strstr(msg, "imeout") != NULL || strstr(msg, "timed out") != NULL)
		return SSH_SESSION_TIMEOUT;
	if (strstr(msg, "refused") != NULL || strstr(msg, "resolve") != NULL ||
	    strstr(msg, "unreachable") != NULL || strstr(msg, "No route") != NULL ||
	    strstr(msg, "not known") != NULL)
		return SSH_SESSION_UNREACHABLE;
	return SSH_SESSION_ERROR;
}

int
ssh_session_key_load(const char *path, struct ssh_session_key **out, char *err, size_t errlen)
{
	struct ssh_session_key *k;
	ssh_key key = NULL;

	*out = NULL;
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
		snprintf(err, errlen,
		         "%s: cannot load the private key (missing,"
		         " unreadable, or protected by a passphrase: use ssh-agent)",
		         path);
		return -1;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		ssh_key_free(key);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->key = key;
	*out = k;
	return 0;
}

void
ssh_session_key_free(struct ssh_session_key *k)
{
	if (k == NULL)
		return;
	ssh_key_free(k->key);
	free(k);
}

/* ssh-agent, then the loaded identity, then ssh_config's IdentityFile and
 * the default key files.  An SSH_AUTH_* code. */
static int
authenticate(ssh_session s, const struct ssh_session_opts *o)
{
	int rc = SSH_AUTH_DENIED;

	if (getenv("SSH_AUTH_SOCK") != NULL) {
		rc = ssh_userauth_agent(s, NULL);
		if (rc == SSH_AUTH_SUCCESS || !ssh_is_connected(s))
			return rc;
	}
	if (o->identity != NULL) {
		rc = ssh_userauth_publickey(s, NULL, o->identity->key);
		if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_ERROR)
			return rc;
	}
	return ssh_userauth_publickey_auto(s, NULL, NULL);
}

static int
configure(ssh_session s, const struct ssh_session_opts *o, struct ssh_session_error *err)
{
	int strict = 1, no = 0;

	if (ssh_options_set(s, SSH_OPTIONS_HOST, o->host) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0)
		return set_error(err, SSH_SESSION_ERROR, "options: %s", ssh_get_error(s));
	/* ssh_config first; what the inventory or command line says wins */
	if (ssh_options_parse_config(s, o->config) < 0)
		return set_error(err, SSH_SESSION_ERROR, "ssh config: %s", ssh_get_error(s));
	if (o->user != NULL && ssh_options_set(s, SSH_OPTIONS_USER, o->user) < 0)
		return set_error(err, SSH_SESSION_ERROR, "user: %s", ssh_get_error(s));
	if (o->port > 0 && ssh_options_set(s, SSH_OPTIONS_PORT, &o->port) < 0)
		return set_error(err, SSH_SESSION_ERROR, "port: %s", ssh_get_error(s));
	if (o->known_hosts != NULL &&
	    (ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, o->known_hosts) < 0 ||
	     ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0))
		return set_error(err, SSH_SESSION_ERROR, "known hosts: %s", ssh_get_error(s));
	/* a StrictHostKeyChecking from the user's config is overridden here,
	 * and check_host_key() never consults it anyway */
	ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
	return 0;
}

/* "ssh-ed25519 SHA256:..." of the server's key into buf. */
static void
describe_key(ssh_session s, char *buf, size_t len)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;

	snprintf(buf, len, "(no key)");
	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		return;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	snprintf(buf, len, "%s %s", ssh_key_type_to_char(ssh_key_type(key)), fp != NULL ? fp : "?");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
}

static int
check_host_key(ssh_session s, int accept_new, struct ssh_session_error *err)
{
	enum ssh_known_hosts_e state;
	char key[160], msg[320];
	int rc = -1;

	/* only --accept-new writes: plain checks need no lock */
	if (accept_new)
		pthread_mutex_lock(&known_hosts_lock);
	state = ssh_session_is_known_server(s);
	if (state != SSH_KNOWN_HOSTS_OK)
		describe_key(s, key, sizeof(key));
	switch (state) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
		snprintf(msg, sizeof(msg),
		         "host key changed: the host offered %s,"
		         " known_hosts has another key",
		         key);
		set_error(err, SSH_SESSION_HOSTKEY_CHANGED, "%s", msg);
		break;
	case SSH_KNOWN_HOSTS_OTHER:
		snprintf(msg, sizeof(msg),
		         "host key of another type: the host offered"
		         " %s, known_hosts has a key of another type",
		         key);
		set_error(err, SSH_SESSION_HOSTKEY_CHANGED, "%s", msg);
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND: /* no known_hosts file yet */
	case SSH_KNOWN_HOSTS_UNKNOWN:
		if (!accept_new) {
			snprintf(msg, sizeof(msg),
			         "host key not in known_hosts: %s"
			         " (add it, or pull once with --accept-new)",
			         key);
			set_error(err, SSH_SESSION_HOSTKEY_UNKNOWN, "%s", msg);
			break;
		}
		if (ssh_session_update_known_hosts(s) != SSH_OK) {
			set_error(err, SSH_SESSION_ERROR, "recording the host key: %s",
			          ssh_get_error(s));
			break;
		}
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_ERROR:
		set_error(err, SSH_SESSION_ERROR, "known_hosts: %s", ssh_get_error(s));
		break;
	}
	if (accept_new)
		pthread_mutex_unlock(&known_hosts_lock);
	return rc;
}

int
ssh_session_open(const struct ssh_session_opts *o, struct ssh_session_conn **out,
                 struct ssh_session_error *err)
{
	struct ssh_session_conn *c;
	ssh_session s;
	int rc;

	*out = NULL;
	err->status = SSH_SESSION_OK;
	err->msg[0] = '\0';
	s = ssh_new();
	if (s == NULL)
		return set_error(err, SSH_SESSION_ERROR, "out of memory%s", NULL);
	if (configure(s, o, err) == -1)
		goto fail;
	set_timeout(s, time_left(o->deadline_ms, (long long)o->connect_timeout * 1000));
	if (time_left(o->deadline_ms, 0) == 0) {
		set_error(err, SSH_SESSION_TIMEOUT, "deadline passed before connecting%s", NULL);
		goto fail;
	}
	if (ssh_connect(s) != SSH_OK) {
		set_error(err, classify_connect_error(ssh_get_error(s)), "%s", ssh_get_error(s));
		goto fail;
	}
	if (check_host_key(s, o->accept_new, err) == -1)
		goto fail;
	set_timeout(s, time_left(o->deadline_ms, 0));
	rc = authenticate(s, o);
	if (rc == SSH_AUTH_ERROR) {
		set_error(err,
		          classify_connect_error(ssh_get_error(s)) == SSH_SESSION_TIMEOUT
		                  ? SSH_SESSION_TIMEOUT
		                  : SSH_SESSION_ERROR,
		          "authentication: %s", ssh_get_error(s));
		goto fail;
	}
	if (rc != SSH_AUTH_SUCCESS) {
		set_error(
		        err, SSH_SESSION_AUTH_FAILED, "%s",
		        rc == SSH_AUTH_PARTIAL
		                ? "authentication: more methods required than public key"
		                : "authentication: no key was accepted (ssh-agent, identity files)");
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		set_error(err, SSH_SESSION_ERROR, "out of memory%s", NULL);
		goto fail;
	}
	c->s = s;
	c->deadline_ms = o->deadline_ms;
	*out = c;
	return 0;
fail:
	ssh_disconnect(s);
	ssh_free(s);
	return -1;
}

static void
keep_tail(struct ssh_session_exec_result *r, const char *p, size_t n)
{
	size_t cap = sizeof(r->err_tail) - 1, have = strlen(r->err_tail);

	if (n >= cap) {
		memcpy(r->err_tail, p + n - cap, cap);
		r->err_tail[cap] = '\0';
		return;
	}
	if (have + n > cap) {
		memmove(r->err_tail, r->err_tail + (have + n - cap), cap - n);
		have = cap - n;
	}
	memcpy(r->err_tail + have, p, n);
	r->err_tail[have + n] = '\0';
}

/* Read stderr that is already there; at most err_cap bytes in all. */
static int
drain_stderr(ssh_channel ch, struct ssh_session_exec_result *r, size_t *err_bytes, size_t err_cap)
{
	char buf[4096];
	int n;

	while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf) - 1, 1)) > 0) {
		*err_bytes += (size_t)n;
		if (*err_bytes > err_cap)
			return -1;
		/* keep printable text: NULs would cut the tail short */
		for (int i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		keep_tail(r, buf, (size_t)n);
	}
	return n == SSH_ERROR ? -1 : 0;
}

/* Open a session channel on ch and start command there: 0 or -1. */
static int
exec_start(struct ssh_session_conn *c, ssh_channel ch, const char *command,
           struct ssh_session_error *err)
{
	if (ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, command) != SSH_OK)
		return set_error(err,
		                 time_left(c->deadline_ms, 0) == 0 ? SSH_SESSION_TIMEOUT
		                                                   : SSH_SESSION_ERROR,
		                 "exec: %s", ssh_get_error(c->s));
	return 0;
}

/* All of input on the command's stdin, then EOF: 0 or -1. */
static int
exec_send(struct ssh_session_conn *c, ssh_channel ch, const char *input, size_t inlen,
          struct ssh_session_error *err)
{
	int n;

	while (inlen > 0) {
		n = ssh_channel_write(ch, input, inlen > 32768 ? 32768 : (uint32_t)inlen);
		if (n <= 0)
			return set_error(err, SSH_SESSION_ERROR, "writing stdin: %s",
			                 ssh_get_error(c->s));
		input += n;
		inlen -= (size_t)n;
	}
	if (ssh_channel_send_eof(ch) != SSH_OK)
		return set_error(err, SSH_SESSION_ERROR, "stdin eof: %s", ssh_get_error(c->s));
	return 0;
}

/* n bytes of stdout to the sink, as long as max_bytes allows: 0 or -1. */
static int
exec_take(struct ssh_session_exec_result *r, const char *buf, size_t n, size_t max_bytes,
          ssh_session_sink sink, void *arg, struct ssh_session_error *err)
{
	char num[32];

	if (r->out_bytes + n > max_bytes) {
		snprintf(num, sizeof(num), "%zu", max_bytes);
		return set_error(err, SSH_SESSION_TOO_LARGE, "output over the cap of %s bytes",
		                 num);
	}
	r->out_bytes += n;
	if (sink(arg, buf, n) == -1)
		return set_error(err, SSH_SESSION_ERROR, "%s", "output refused");
	return 0;
}

/* stdout to the sink and the end of stderr into r, until the command's EOF
 * or the deadline: 0 or -1. */
static int
exec_read(struct ssh_session_conn *c, ssh_channel ch, size_t max_bytes, ssh_session_sink sink,
          void *arg, struct ssh_session_exec_result *r, size_t *err_bytes,
          struct ssh_session_error *err)
{
	char buf[65536], num[32];
	long long left;
	int n;

	for (;;) {
		left = time_left(c->deadline_ms, 0);
		if (left == 0) {
			snprintf(num, sizeof(num), "%zu", r->out_bytes);
			return set_error(err, SSH_SESSION_TIMEOUT, "deadline passed after %s bytes",
			                 num);
		}
		n = ssh_channel_read_timeout(ch, buf, sizeof(buf), 0, left > 500 ? 500 : (int)left);
		if (n == SSH_ERROR)
			return set_error(err, SSH_SESSION_ERROR, "read: %s", ssh_get_error(c->s));
		if (drain_stderr(ch, r, err_bytes, EXEC_STDERR_MAX) == -1) {
			if (*err_bytes > EXEC_STDERR_MAX)
				return set_error(err, SSH_SESSION_TOO_LARGE, "stderr over 1 MiB%s",
				                 NULL);
			return set_error(err, SSH_SESSION_ERROR, "read: %s", ssh_get_error(c->s));
		}
		if (n > 0) {
			if (exec_take(r, buf, (size_t)n, max_bytes, sink, arg, err) == -1)
				return -1;
			continue;
		}
		/* is_eof: the host sent EOF and nothing is left in the buffers;
		 * a channel closed without EOF makes the next read fail */
		if (ssh_channel_is_eof(ch))
			return 0;
	}
}

int
ssh_session_exec(struct ssh_session_conn *c, const char *command, const char *input, size_t inlen,
                 size_t max_bytes, ssh_session_sink sink, void *arg,
                 struct ssh_session_exec_result *r, struct ssh_session_error *err)
{
	ssh_channel ch;
	size_t err_bytes = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	err->status = SSH_SESSION_OK;
	err->msg[0] = '\0';
	set_timeout(c->s, time_left(c->deadline_ms, 0));
	ch = ssh_channel_new(c->s);
	if (ch == NULL)
		return set_error(err, SSH_SESSION_ERROR, "channel: %s", ssh_get_error(c->s));
	if (exec_start(c, ch, command, err) == -1 || exec_send(c, ch, input, inlen, err) == -1 ||
	    exec_read(c, ch, max_bytes, sink, arg, r, &err_bytes, err) == -1)
		goto done;
	(void)drain_stderr(ch, r, &err_bytes, EXEC_STDERR_MAX);
	set_timeout(c->s, time_left(c->deadline_ms, 5000));
	r->exit_status = ssh_channel_get_exit_status(ch);
	rc = 0;
done:
	/* a command still running is abandoned: closing the channel is enough,
	 * and closing the session ends it for good */
	if (rc == -1)
		set_timeout(c->s, 1);
	ssh_channel_close(ch);
	ssh_channel_free(ch);
	return rc;
}

void
ssh_session_close(struct ssh_session_conn *c)
{
	if (c == NULL)
		return;
	set_timeout(c->s, 1000);
	ssh_disconnect(c->s);
	ssh_free(c->s);
	free(c);
}
