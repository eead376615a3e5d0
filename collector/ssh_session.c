/*
 * ssh_session.c - libssh behind one small interface (I/O): connect, strict
 * host key check, authentication, exec with bounded output, and jump hosts
 * (each hop a libssh session of its own; the next one rides a direct-tcpip
 * channel of it, pumped by a forwarding thread through a socketpair).
 * Every blocking libssh call gets the time left before the host's deadline
 * as its timeout, so one host can never hold a worker longer than its
 * deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "collector/jump.h"
#include "collector/jump_gate.h"
#include "collector/known_hosts.h"
#include "collector/ssh_session.h"

/* libssh 0.11 runs ProxyJump itself (its own host key callbacks, not ours)
 * instead of setting the ProxyCommand read in conn_jumps(): jump hosts
 * would escape the policy here.  Port conn_jumps() before building on it. */
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT(0, 11, 0)
#error "libssh >= 0.11: ProxyJump is handled by libssh itself; see conn_jumps()"
#endif

#define EXEC_STDERR_MAX ((size_t)1024 * 1024) /* stderr bytes a command may send in all */
#define FWD_BUF 65536                         /* bytes held per direction by a forwarder */

struct ssh_session_key {
	ssh_key key;
	char path[512];
};

/* A connection through a jump host: the hop below, the direct-tcpip
 * channel on it, and the thread that pumps that channel to and from our
 * end of a socketpair (the other end is this connection's socket). */
struct ssh_session_fwd {
	struct ssh_session_conn *via;
	ssh_channel ch;
	int fd;
	pthread_t thread;
	int started;
	atomic_int stop;
};

struct ssh_session_conn {
	ssh_session s;
	long long deadline_ms;
	char host[256]; /* after ssh_config: HostName */
	int port;
	char user[64];
	struct ssh_session_fwd *fwd; /* NULL: a direct TCP connection */
	int fd_pending;              /* the socket given to libssh before ssh_connect, or -1 */
	char gate[300];              /* a jump host's "host:port" at jump_gate */
	int gated;                   /* holds a slot there (until the channel through it opens) */
};

/* known_hosts is read and appended by several threads: accept-new writes
 * one host at a time: check and record under one lock. */
static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

static int conn_open(const struct ssh_session_opts *o, int depth, struct ssh_session_conn *via,
                     struct ssh_session_hostkey *scan, struct ssh_session_conn **out,
                     struct ssh_session_error *err);
static void conn_gate_leave(struct ssh_session_conn *c);

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

const char *
ssh_session_keystate_word(enum ssh_session_keystate s)
{
	switch (s) {
	case SSH_SESSION_KEY_KNOWN:
		return "known";
	case SSH_SESSION_KEY_UNKNOWN:
		return "unknown";
	case SSH_SESSION_KEY_CHANGED:
		return "changed";
	case SSH_SESSION_KEY_OTHER_TYPE:
		return "other-type";
	case SSH_SESSION_KEY_REVOKED:
		return "revoked";
	case SSH_SESSION_KEY_ADDED:
		break;
	}
	return "added";
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

static int __attribute__((format(printf, 3, 4)))
set_error(struct ssh_session_error *err, enum ssh_session_status st, const char *fmt, ...)
{
	va_list ap;

	err->status = st;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
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
	snprintf(k->path, sizeof(k->path), "%s", path);
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
 * the default key files; what was tried into tried.  An SSH_AUTH_* code. */
static int
authenticate(ssh_session s, const struct ssh_session_opts *o, char *tried, size_t len)
{
	int rc = SSH_AUTH_DENIED;

	tried[0] = '\0';
	if (getenv("SSH_AUTH_SOCK") != NULL) {
		snprintf(tried, len, "ssh-agent, ");
		rc = ssh_userauth_agent(s, NULL);
		if (rc == SSH_AUTH_SUCCESS || !ssh_is_connected(s))
			return rc;
	}
	if (o->identity != NULL) {
		snprintf(tried + strlen(tried), len - strlen(tried), "%s, ", o->identity->path);
		rc = ssh_userauth_publickey(s, NULL, o->identity->key);
		if (rc == SSH_AUTH_SUCCESS || rc == SSH_AUTH_ERROR)
			return rc;
	}
	snprintf(tried + strlen(tried), len - strlen(tried),
	         "ssh_config IdentityFile and ~/.ssh/id_*");
	return ssh_userauth_publickey_auto(s, NULL, NULL);
}

/*
 * Where host keys are checked and recorded: --known-hosts, else our
 * default, never ssh_config's UserKnownHostsFile (a /dev/null there made
 * --accept-new trust any key, every run).  Without --known-hosts the
 * system's /etc/ssh/ssh_known_hosts is read too, as OpenSSH reads it by
 * default, never a GlobalKnownHostsFile ssh_config names (a file there
 * would make keys known).  0, or -1.
 */
static int
configure_known_hosts(ssh_session s, const struct ssh_session_opts *o,
                      struct ssh_session_error *err)
{
	char file[600], why[700];

	if (o->known_hosts != NULL)
		snprintf(file, sizeof(file), "%s", o->known_hosts);
	else if (known_hosts_file_default(file, sizeof(file), why, sizeof(why)) == -1)
		return set_error(err, SSH_SESSION_ERROR, "%s", why);
	if (ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, file) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	                    o->known_hosts != NULL ? "/dev/null" : "/etc/ssh/ssh_known_hosts") < 0)
		return set_error(err, SSH_SESSION_ERROR, "known hosts: %s", ssh_get_error(s));
	return 0;
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
	if (configure_known_hosts(s, o, err) == -1)
		return -1;
	/* a StrictHostKeyChecking from the user's config is overridden here,
	 * and check_host_key() never consults it anyway */
	ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
	return 0;
}

/* Where c goes after ssh_config (HostName, Port, User), for messages and
 * for the direct-tcpip request of a jump host. */
static void
conn_target(struct ssh_session_conn *c)
{
	unsigned int port = 22;
	char *v = NULL;

	if (ssh_options_get(c->s, SSH_OPTIONS_HOST, &v) == SSH_OK)
		snprintf(c->host, sizeof(c->host), "%s", v);
	ssh_string_free_char(v);
	v = NULL;
	if (ssh_options_get(c->s, SSH_OPTIONS_USER, &v) == SSH_OK)
		snprintf(c->user, sizeof(c->user), "%s", v);
	ssh_string_free_char(v);
	(void)ssh_options_get_port(c->s, &port);
	c->port = (int)port;
}

/*
 * The jump hosts of c: --jump's (o->jump), else ssh_config's ProxyJump,
 * which libssh 0.10 turns into the ProxyCommand "ssh ... -W '[%h]:%p' HOP"
 * it would run: read it back into hops and clear it, so that libssh never
 * starts a process.  A ProxyCommand of the user's own is refused for the
 * same reason.  0 with l filled (l->n 0: connect directly), or -1.
 */
static int
conn_jumps(struct ssh_session_conn *c, const struct ssh_session_opts *o, struct jump_list *l,
           struct ssh_session_error *err)
{
	char *pc = NULL, why[300];
	int rc = 0;

	memset(l, 0, sizeof(*l));
	if (ssh_options_get(c->s, SSH_OPTIONS_PROXYCOMMAND, &pc) != SSH_OK)
		pc = NULL;
	if (o->jump != NULL) {
		if (jump_parse(o->jump, l, why, sizeof(why)) == -1)
			rc = set_error(err, SSH_SESSION_ERROR, "%s", why);
	} else if (pc != NULL) {
		switch (jump_from_proxycommand(pc, l, why, sizeof(why))) {
		case 1:
			break;
		case 0:
			rc = set_error(err, SSH_SESSION_ERROR,
			               "ssh config: ProxyCommand for %s is not run (no process is"
			               " started): name the jump host with ProxyJump or --jump",
			               o->host);
			break;
		default:
			rc = set_error(err, SSH_SESSION_ERROR, "ssh config: ProxyJump for %s: %s",
			               o->host, why);
			break;
		}
	}
	ssh_string_free_char(pc);
	if (ssh_options_set(c->s, SSH_OPTIONS_PROXYCOMMAND, "none") < 0)
		rc = set_error(err, SSH_SESSION_ERROR, "options: %s", ssh_get_error(c->s));
	return rc;
}

/* All of n bytes onto the channel: 0 or -1. */
static int
fwd_write(ssh_channel ch, const char *p, size_t n)
{
	int w;

	while (n > 0) {
		w = ssh_channel_write(ch, p, (uint32_t)n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* From the channel to our end of the socketpair, whatever is there
 * (libssh may hold data it read while it wrote): 0, or -1 on a channel
 * error.  *pend bytes of buf wait for the socket to take them. */
static int
fwd_down(struct ssh_session_fwd *f, char *buf, size_t *off, size_t *pend, int *ch_eof)
{
	ssize_t w;
	int n;

	for (;;) {
		if (*pend == 0 && !*ch_eof) {
			n = ssh_channel_read_nonblocking(f->ch, buf, FWD_BUF, 0);
			if (n == SSH_ERROR)
				return -1;
			if (n == 0 && (ssh_channel_is_eof(f->ch) || ssh_channel_is_closed(f->ch))) {
				*ch_eof = 1;
				(void)shutdown(f->fd, SHUT_WR); /* the host's end reaches ours */
			}
			*off = 0;
			*pend = (size_t)n;
		}
		if (*pend == 0)
			return 0;
		w = write(f->fd, buf + *off, *pend);
		if (w < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		*off += (size_t)w;
		*pend -= (size_t)w;
	}
}

/* The forwarding thread: it alone uses the hop's session once started.
 * It ends when our end is closed (the connection above is done), on a
 * channel or socket error, or when told to stop. */
static void *
fwd_main(void *arg)
{
	struct ssh_session_fwd *f = arg;
	struct pollfd pfd[2];
	char *down, up[16384];
	size_t off = 0, pend = 0;
	ssize_t n;
	int ch_eof = 0;

	if ((down = malloc(FWD_BUF)) == NULL)
		goto done;
	while (!atomic_load(&f->stop)) {
		if (fwd_down(f, down, &off, &pend, &ch_eof) == -1)
			break;
		pfd[0].fd = f->fd;
		pfd[0].events = (short)(POLLIN | (pend > 0 ? POLLOUT : 0));
		pfd[1].fd = ssh_get_fd(f->via->s);
		pfd[1].events = pend > 0 || ch_eof ? 0 : POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			break;
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
			continue;
		n = read(f->fd, up, sizeof(up));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			/* the connection above is gone: so is the channel */
			(void)ssh_channel_send_eof(f->ch);
			break;
		}
		set_timeout(f->via->s, time_left(f->via->deadline_ms, 0));
		if (fwd_write(f->ch, up, (size_t)n) == -1)
			break;
	}
done:
	free(down);
	(void)shutdown(f->fd, SHUT_RDWR); /* whatever ended it, the end is seen above */
	return NULL;
}

/* Stop and join the forwarder, then free the channel and the hop below. */
static void
fwd_free(struct ssh_session_fwd *f)
{
	struct timespec ts;

	if (f == NULL)
		return;
	if (f->started) {
		atomic_store(&f->stop, 1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 2;
		if (pthread_timedjoin_np(f->thread, NULL, &ts) != 0) {
			/* stuck in a libssh write to a host that no longer reads:
			 * cut the hop's socket under it */
			(void)shutdown(ssh_get_fd(f->via->s), SHUT_RDWR);
			pthread_join(f->thread, NULL);
		}
	}
	if (f->ch != NULL) {
		set_timeout(f->via->s, 1000);
		ssh_channel_close(f->ch);
		ssh_channel_free(f->ch);
	}
	if (f->fd != -1)
		close(f->fd);
	ssh_session_close(f->via);
	free(f);
}

/* libssh says "Channel opening failure: channel 43 error (2) Connection
 * refused": the RFC 4254 reason code's name and status, and a hint. */
static enum ssh_session_status
classify_open_error(const char *msg, long long deadline_ms, const char **reason, const char **hint)
{
	*reason = "";
	*hint = "";
	if (strstr(msg, "error (1)") != NULL) {
		*reason = "administratively prohibited: ";
		*hint = " (does the jump host allow TCP forwarding to it?)";
		return SSH_SESSION_ERROR;
	}
	if (strstr(msg, "error (2)") != NULL) {
		*reason = "connect failed: ";
		return SSH_SESSION_UNREACHABLE;
	}
	if (strstr(msg, "error (4)") != NULL)
		*reason = "resource shortage: ";
	if (time_left(deadline_ms, 0) == 0)
		return SSH_SESSION_TIMEOUT;
	return classify_connect_error(msg);
}

/* Ask the hop via for a direct-tcpip channel to c's host and port, and
 * hand c's session a socket that the forwarder joins to it: 0, or -1 with
 * err (the hop's words; *viap is then freed).  Takes *viap. */
static int
fwd_start(struct ssh_session_conn *c, struct ssh_session_conn **viap, int connect_timeout,
          struct ssh_session_error *err)
{
	struct ssh_session_fwd *f;
	enum ssh_session_status st;
	const char *reason, *hint;
	int sv[2] = {-1, -1};

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		ssh_session_close(*viap);
		*viap = NULL;
		return set_error(err, SSH_SESSION_ERROR, "out of memory");
	}
	f->via = *viap;
	f->fd = -1;
	*viap = NULL;
	c->fwd = f;
	set_timeout(f->via->s, time_left(c->deadline_ms, (long long)connect_timeout * 1000));
	if ((f->ch = ssh_channel_new(f->via->s)) == NULL ||
	    ssh_channel_open_forward(f->ch, c->host, c->port, "127.0.0.1", 22) != SSH_OK) {
		conn_gate_leave(f->via);
		st = classify_open_error(ssh_get_error(f->via->s), c->deadline_ms, &reason, &hint);
		return set_error(err, st,
		                 "connect to host %s port %d through jump host %s:%d: %s%s%s",
		                 c->host, c->port, f->via->host, f->via->port, reason,
		                 ssh_get_error(f->via->s), hint);
	}
	/* authenticated and forwarding: its sshd no longer counts it in
	 * MaxStartups */
	conn_gate_leave(f->via);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return set_error(err, SSH_SESSION_ERROR, "socketpair: %s", strerror(errno));
	f->fd = sv[1];
	(void)fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
	c->fd_pending = sv[0];
	if (ssh_options_set(c->s, SSH_OPTIONS_FD, &sv[0]) < 0)
		return set_error(err, SSH_SESSION_ERROR, "options: %s", ssh_get_error(c->s));
	if (pthread_create(&f->thread, NULL, fwd_main, f) != 0)
		return set_error(err, SSH_SESSION_ERROR, "cannot start the forwarding thread");
	f->started = 1;
	return 0;
}

/* Open the hops of l one through the other (the first one under its own
 * ssh_config, ProxyJump included; the others as given), then the channel
 * from the last one to c: 0, or -1 with err naming the hop that failed. */
static int
conn_via(struct ssh_session_conn *c, const struct ssh_session_opts *o, const struct jump_list *l,
         int depth, struct ssh_session_error *err)
{
	struct ssh_session_opts ho;
	struct ssh_session_conn *via = NULL;
	char name[400], msg[sizeof(err->msg)];
	size_t i;

	if (depth >= JUMP_MAX_HOPS)
		return set_error(err, SSH_SESSION_ERROR, "jump hosts: more than %d in a chain",
		                 JUMP_MAX_HOPS);
	for (i = 0; i < l->n; i++) {
		ho = *o;
		ho.host = l->hops[i].host;
		ho.user = l->hops[i].user[0] != '\0' ? l->hops[i].user : NULL;
		ho.port = l->hops[i].port;
		ho.jump = i == 0 ? NULL : "none";
		/* conn_open takes via, and gives the next hop back in it */
		if (conn_open(&ho, depth + 1, via, NULL, &via, err) == -1) {
			jump_hop_name(&l->hops[i], name, sizeof(name));
			memcpy(msg, err->msg, sizeof(msg));
			if (strncmp(msg, "jump host ", 10) != 0)
				snprintf(err->msg, sizeof(err->msg), "jump host %s: %.*s", name,
				         (int)(sizeof(err->msg) - strlen(name) - 13), msg);
			return -1;
		}
	}
	return fwd_start(c, &via, o->connect_timeout, err);
}

/* The server's key into k: type, fingerprint, and its base64 blob into
 * b64 (ssh_string_free_char it).  0, or -1. */
static int
hostkey_describe(struct ssh_session_conn *c, struct ssh_session_hostkey *k, char **b64)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;
	int rc = -1;

	*b64 = NULL;
	(void)known_hosts_name(c->host, c->port, k->name, sizeof(k->name));
	if (ssh_get_server_publickey(c->s, &key) != SSH_OK)
		return -1;
	snprintf(k->type, sizeof(k->type), "%s", ssh_key_type_to_char(ssh_key_type(key)));
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	snprintf(k->fp, sizeof(k->fp), "%s", fp != NULL ? fp : "?");
	if (ssh_pki_export_pubkey_base64(key, b64) == SSH_OK)
		rc = 0;
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return rc;
}

/* What our own reading of the session's known_hosts files says (the
 * file:line libssh does not give, and @revoked, which it skips). */
static int
hostkey_lookup(struct ssh_session_conn *c, const char *b64, struct ssh_session_hostkey *k,
               struct known_hosts_found *f, char *user_file, size_t ulen,
               struct ssh_session_error *err)
{
	const char *files[2];
	char *u = NULL, *g = NULL, why[600];
	int rc;

	/* set from the options, ssh_config or libssh's defaults at connect */
	if (ssh_options_get(c->s, SSH_OPTIONS_KNOWNHOSTS, &u) != SSH_OK)
		u = NULL;
	if (ssh_options_get(c->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, &g) != SSH_OK)
		g = NULL;
	snprintf(user_file, ulen, "%s", u != NULL ? u : "");
	files[0] = u;
	files[1] = g != NULL ? g : "/etc/ssh/ssh_known_hosts";
	rc = known_hosts_file_check(files, 2, k->name, k->type, b64, f, why, sizeof(why));
	ssh_string_free_char(u);
	ssh_string_free_char(g);
	if (rc == -1)
		return set_error(err, SSH_SESSION_ERROR, "known_hosts: %s", why);
	snprintf(k->file, sizeof(k->file), "%s", f->file);
	k->line = f->r.line;
	snprintf(k->ftype, sizeof(k->ftype), "%s", f->r.type);
	return 0;
}

/* Record an unknown key (--accept-new), hashed as the file is or as
 * HashKnownHosts says: 0, or -1 with err. */
static int
hostkey_add(struct ssh_session_conn *c, const struct ssh_session_opts *o, const char *file,
            const char *b64, struct ssh_session_hostkey *k, struct ssh_session_error *err)
{
	char why[600];
	int hash;

	if (file[0] == '\0')
		return set_error(err, SSH_SESSION_ERROR, "--accept-new: no known_hosts file");
	hash = known_hosts_file_hash_config(o->config, o->host);
	if (known_hosts_file_add(file, hash, k->name, k->type, b64, &k->hashed, why, sizeof(why)) ==
	    -1)
		return set_error(err, SSH_SESSION_ERROR, "recording the host key: %s", why);
	k->state = SSH_SESSION_KEY_ADDED;
	snprintf(k->file, sizeof(k->file), "%s", file);
	k->line = 0;
	if (o->key_added != NULL)
		o->key_added(o->key_added_arg, k);
	(void)c;
	return 0;
}

/* libssh's verdict as a key state (our @revoked finding overrides it). */
static enum ssh_session_keystate
hostkey_state(enum ssh_known_hosts_e state, const struct known_hosts_found *f)
{
	if (f->r.state == KNOWN_HOSTS_REVOKED)
		return SSH_SESSION_KEY_REVOKED;
	switch (state) {
	case SSH_KNOWN_HOSTS_OK:
		return SSH_SESSION_KEY_KNOWN;
	case SSH_KNOWN_HOSTS_CHANGED:
		return SSH_SESSION_KEY_CHANGED;
	case SSH_KNOWN_HOSTS_OTHER:
		return SSH_SESSION_KEY_OTHER_TYPE;
	case SSH_KNOWN_HOSTS_NOT_FOUND: /* no known_hosts file yet */
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_ERROR:
		break;
	}
	return SSH_SESSION_KEY_UNKNOWN;
}

/* The refusal of a key that is not known, in OpenSSH's words. */
static int
hostkey_refuse(const struct ssh_session_hostkey *k, struct ssh_session_error *err)
{
	switch (k->state) {
	case SSH_SESSION_KEY_REVOKED:
		return set_error(err, SSH_SESSION_HOSTKEY_CHANGED,
		                 "host key for %s is revoked: %s %s is marked @revoked at %s:%d",
		                 k->name, k->type, k->fp, k->file, k->line);
	case SSH_SESSION_KEY_CHANGED:
	case SSH_SESSION_KEY_OTHER_TYPE:
		return set_error(
		        err, SSH_SESSION_HOSTKEY_CHANGED,
		        "host key for %s %s: the host offered %s %s, known_hosts has %s"
		        " %s key at %s:%d; if the change is expected, run: ssh-keygen"
		        " -R \"%s\" -f %s",
		        k->name,
		        k->state == SSH_SESSION_KEY_CHANGED ? "changed" : "is of another type",
		        k->type, k->fp, k->state == SSH_SESSION_KEY_CHANGED ? "another" : "a",
		        k->ftype[0] != '\0' ? k->ftype : "?", k->file[0] != '\0' ? k->file : "?",
		        k->line, k->name, k->file[0] != '\0' ? k->file : "known_hosts");
	case SSH_SESSION_KEY_UNKNOWN:
		return set_error(err, SSH_SESSION_HOSTKEY_UNKNOWN,
		                 "host key for %s not in known_hosts: %s %s (check it with"
		                 " \"iommu-collector keys\", then add it, or pull once with"
		                 " --accept-new)",
		                 k->name, k->type, k->fp);
	case SSH_SESSION_KEY_KNOWN:
	case SSH_SESSION_KEY_ADDED:
		break;
	}
	return 0;
}

/* Check the host key (scan: only say what it is, into scan): 0 to go on,
 * or -1 with err. */
static int
check_host_key(struct ssh_session_conn *c, const struct ssh_session_opts *o,
               struct ssh_session_hostkey *scan, struct ssh_session_error *err)
{
	struct ssh_session_hostkey kbuf, *k = scan != NULL ? scan : &kbuf;
	struct known_hosts_found f;
	enum ssh_known_hosts_e state;
	char *b64 = NULL, user_file[512];
	int accept_new = o->accept_new && scan == NULL, rc = -1;

	memset(k, 0, sizeof(*k));
	if (hostkey_describe(c, k, &b64) == -1)
		return set_error(err, SSH_SESSION_ERROR, "host key: %s", ssh_get_error(c->s));
	/* only --accept-new writes: plain checks need no lock */
	if (accept_new)
		pthread_mutex_lock(&known_hosts_lock);
	state = ssh_session_is_known_server(c->s);
	if (state == SSH_KNOWN_HOSTS_ERROR) {
		set_error(err, SSH_SESSION_ERROR, "known_hosts: %s", ssh_get_error(c->s));
		goto done;
	}
	if (hostkey_lookup(c, b64, k, &f, user_file, sizeof(user_file), err) == -1)
		goto done;
	k->state = hostkey_state(state, &f);
	if (scan != NULL || k->state == SSH_SESSION_KEY_KNOWN)
		rc = 0;
	else if (k->state == SSH_SESSION_KEY_UNKNOWN && accept_new)
		rc = hostkey_add(c, o, user_file, b64, k, err);
	else
		rc = hostkey_refuse(k, err);
done:
	if (accept_new)
		pthread_mutex_unlock(&known_hosts_lock);
	ssh_string_free_char(b64);
	return rc;
}

/* Authenticate, and say why not in OpenSSH's words: 0, or -1 with err. */
static int
conn_auth(struct ssh_session_conn *c, const struct ssh_session_opts *o,
          struct ssh_session_error *err)
{
	char tried[700];
	int rc;

	set_timeout(c->s, time_left(c->deadline_ms, 0));
	rc = authenticate(c->s, o, tried, sizeof(tried));
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	if (rc == SSH_AUTH_ERROR)
		return set_error(err,
		                 classify_connect_error(ssh_get_error(c->s)) ==
		                                         SSH_SESSION_TIMEOUT ||
		                                 time_left(c->deadline_ms, 0) == 0
		                         ? SSH_SESSION_TIMEOUT
		                         : SSH_SESSION_ERROR,
		                 "authentication as %s to %s port %d: %s", c->user, c->host,
		                 c->port, ssh_get_error(c->s));
	if (rc == SSH_AUTH_PARTIAL)
		return set_error(err, SSH_SESSION_AUTH_FAILED,
		                 "%s@%s port %d: more authentication methods required than"
		                 " public key",
		                 c->user, c->host, c->port);
	return set_error(err, SSH_SESSION_AUTH_FAILED,
	                 "%s@%s port %d: Permission denied (publickey): tried %s", c->user, c->host,
	                 c->port, tried);
}

/* TCP (or the forwarded socket), key exchange, host key, and auth unless
 * scanning: 0, or -1 with err. */
static int
conn_handshake(struct ssh_session_conn *c, const struct ssh_session_opts *o,
               struct ssh_session_hostkey *scan, struct ssh_session_error *err)
{
	set_timeout(c->s, time_left(c->deadline_ms, (long long)o->connect_timeout * 1000));
	if (time_left(c->deadline_ms, 0) == 0)
		return set_error(err, SSH_SESSION_TIMEOUT,
		                 "connect to host %s port %d: deadline passed before connecting",
		                 c->host, c->port);
	/* libssh owns a forwarded socket from here: ssh_free() closes it */
	c->fd_pending = -1;
	if (ssh_connect(c->s) != SSH_OK)
		return set_error(err, classify_connect_error(ssh_get_error(c->s)),
		                 "connect to host %s port %d: %s", c->host, c->port,
		                 ssh_get_error(c->s));
	if (check_host_key(c, o, scan, err) == -1)
		return -1;
	return scan != NULL ? 0 : conn_auth(c, o, err);
}

/* Give back c's slot at its jump host's gate, if it holds one. */
static void
conn_gate_leave(struct ssh_session_conn *c)
{
	if (c->gated)
		jump_gate_leave(c->gate);
	c->gated = 0;
}

/* A new session for o, configured, and its way there: through via (taken)
 * when given, else through the jump hosts of o or ssh_config, else
 * directly.  0 and *out, or -1 with err (*out then NULL). */
static int
conn_new(const struct ssh_session_opts *o, int depth, struct ssh_session_conn **viap,
         struct ssh_session_conn **out, struct ssh_session_error *err)
{
	struct ssh_session_conn *c;
	struct jump_list l;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL || (c->s = ssh_new()) == NULL) {
		free(c);
		return set_error(err, SSH_SESSION_ERROR, "out of memory");
	}
	c->deadline_ms = o->deadline_ms;
	c->fd_pending = -1;
	rc = configure(c->s, o, err);
	conn_target(c);
	if (rc == 0)
		rc = conn_jumps(c, o, &l, err);
	if (rc == 0 && *viap != NULL)
		rc = fwd_start(c, viap, o->connect_timeout, err);
	else if (rc == 0 && l.n > 0)
		rc = conn_via(c, o, &l, depth, err);
	if (rc == -1) {
		ssh_session_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* A connection a jump host's sshd dropped before its banner (MaxStartups:
 * others may be connecting too), worth another try. */
static int
conn_dropped(const struct ssh_session_error *err)
{
	return err->status == SSH_SESSION_ERROR &&
	       (strstr(err->msg, "Connection reset by peer") != NULL ||
	        strstr(err->msg, "Socket error: disconnected") != NULL);
}

/* One connection (see conn_new).  A jump host (depth > 0) waits for a slot
 * at its gate, held until the channel through it is open (fwd_start), and
 * is tried again when its sshd drops it unauthenticated.  0 and *out, or
 * -1 with err. */
static int
conn_open(const struct ssh_session_opts *o, int depth, struct ssh_session_conn *via,
          struct ssh_session_hostkey *scan, struct ssh_session_conn **out,
          struct ssh_session_error *err)
{
	struct ssh_session_conn *c;
	int rc, tries = 0;

	*out = NULL;
	do {
		if (tries > 0) /* 100 to 400 ms, spread so the retries do not meet */
			usleep((useconds_t)(100000 + (ssh_session_now_ms() * 7919 % 300) * 1000));
		rc = conn_new(o, depth, &via, &c, err);
		if (rc == 0 && depth > 0) {
			snprintf(c->gate, sizeof(c->gate), "%s:%d", c->host, c->port);
			if (jump_gate_enter(c->gate, c->deadline_ms) == -1)
				rc = set_error(
				        err, SSH_SESSION_TIMEOUT,
				        "deadline passed waiting for a connection slot at %s",
				        c->gate);
			else
				c->gated = 1;
		}
		if (rc == 0)
			rc = conn_handshake(c, o, scan, err);
		if (rc == 0)
			break;
		ssh_session_close(c);
		c = NULL;
	} while (depth > 0 && via == NULL && ++tries < 3 && conn_dropped(err) &&
	         time_left(o->deadline_ms, 0) > 500);
	ssh_session_close(via); /* when not taken */
	if (rc == -1)
		return -1;
	if (depth == 0)
		conn_gate_leave(c);
	*out = c;
	return 0;
}

int
ssh_session_open(const struct ssh_session_opts *o, struct ssh_session_conn **out,
                 struct ssh_session_error *err)
{
	err->status = SSH_SESSION_OK;
	err->msg[0] = '\0';
	return conn_open(o, 0, NULL, NULL, out, err);
}

int
ssh_session_scan(const struct ssh_session_opts *o, struct ssh_session_hostkey *k,
                 struct ssh_session_error *err)
{
	struct ssh_session_conn *c;

	err->status = SSH_SESSION_OK;
	err->msg[0] = '\0';
	memset(k, 0, sizeof(*k));
	if (conn_open(o, 0, NULL, k, &c, err) == -1)
		return -1;
	ssh_session_close(c);
	return 0;
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
		r->err_bytes = *err_bytes;
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
				return set_error(err, SSH_SESSION_TOO_LARGE, "stderr over 1 MiB");
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
	if (c->s != NULL) {
		set_timeout(c->s, 1000);
		ssh_disconnect(c->s);
		ssh_free(c->s);
	}
	if (c->fd_pending != -1)
		close(c->fd_pending);
	conn_gate_leave(c);
	/* after the session: its end of the socketpair is closed, so the
	 * forwarder below sees the end */
	fwd_free(c->fwd);
	free(c);
}
