/*
 * pull_host.c - one host over SSH: the connection (through its jump hosts,
 * if any), the agent's command, and the fall back to the agentless run
 * when the agent is missing.  I/O: SSH (ssh_session.c), stderr for the
 * host keys --accept-new records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/growbuf.h"

#include "collector/inventory.h"
#include "collector/pull_agentless.h"
#include "collector/pull_host.h"
#include "collector/ssh_session.h"
#include "collector/store.h"

/* A failed command's message with its stderr tail: 1 KiB, the last lines
 * that say why (within STORE_ERROR_MAX, what the attempt keeps). */
#define PULL_HOST_ERROR_KEPT 1024

static int
pull_host_sink(void *arg, const char *p, size_t n)
{
	return growbuf_append(arg, p, n);
}

struct pull_host_keys {
	const struct inventory_host *h;
	struct pull_outcome *out;
};

/* A key --accept-new recorded (the host's or a jump host's): said on
 * stderr at once, in one write, and kept for the attempt. */
static void
pull_host_key_added(void *arg, const struct ssh_session_hostkey *k)
{
	struct pull_host_keys *hk = arg;
	char *hs = hk->out->hostkeys;
	size_t have = strlen(hs), room = sizeof(hk->out->hostkeys);

	fprintf(stderr, "%s: added host key %s %s for %s to %s%s\n", hk->h->name, k->type, k->fp,
	        k->name, k->file, k->hashed ? " (hashed)" : "");
	snprintf(hs + have, room - have, "%sadded %s %s for %s", have > 0 ? "; " : "", k->type,
	         k->fp, k->name);
}

/* The end of a command's stderr for a message: whole lines only (a tail cut
 * short starts after its first newline, or its first space: never in the
 * middle of a word), control characters escaped (\n \t \xHH), at most
 * len - 1 bytes, the start dropped first. */
static void
pull_host_tail(const char *tail, size_t total, char *out, size_t len)
{
	const char *p = tail, *end = tail + strlen(tail), *nl;
	size_t o = 0, need;
	char esc[8];

	if (total > (size_t)(end - tail)) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = strpbrk(p, " \t");
		p = nl != NULL ? nl + 1 : end;
	}
	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* what it takes escaped; drop whole lines from the start until it fits */
	for (;;) {
		need = 0;
		for (const char *q = p; q < end; q++)
			need += (unsigned char)*q < 0x20 || *q == 0x7f
			                ? ((*q == '\n' || *q == '\t') ? 2 : 4)
			                : 1;
		if (need + 4 < len || p == end)
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl != NULL ? nl + 1 : end;
	}
	if (p != tail && o + 3 < len) {
		memcpy(out, "...", 3);
		o = 3;
	}
	for (; p < end; p++) {
		if (*p == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		if (o + strlen(esc) >= len)
			break;
		memcpy(out + o, esc, strlen(esc));
		o += strlen(esc);
	}
	out[o] = '\0';
}

/* Connect and authenticate, within the host's deadline: 0, or -1 with the
 * failure in out. */
static int
pull_host_open(const struct pull_opts *o, const struct inventory_host *h,
               struct ssh_session_conn **conn, struct pull_outcome *out)
{
	struct ssh_session_opts so;
	struct ssh_session_error serr;
	struct pull_host_keys hk = {h, out};

	memset(&so, 0, sizeof(so));
	so.host = h->host;
	so.user = h->user[0] != '\0' ? h->user : NULL;
	so.port = h->port;
	so.config = o->ssh_config;
	so.known_hosts = o->known_hosts;
	so.identity = o->identity_key;
	so.accept_new = o->accept_new;
	so.jump = o->jump;
	so.key_added = pull_host_key_added;
	so.key_added_arg = &hk;
	so.connect_timeout = o->connect_timeout;
	so.deadline_ms = ssh_session_now_ms() + (long long)o->timeout * 1000;
	if (ssh_session_open(&so, conn, &serr) == -1) {
		pull_fail(out, ssh_session_status_word(serr.status), "%s", serr.msg);
		return -1;
	}
	return 0;
}

/* No agent there (exit 127): read the evidence with sh instead, and say
 * both when that fails too. */
static void
pull_host_fallback(const struct pull_opts *o, const struct inventory_host *h,
                   struct ssh_session_conn *conn, struct pull_outcome *out)
{
	char why[sizeof(out->error)];

	if (pull_agentless(o, h, conn, out) == 0 || out->status[0] == '\0')
		return;
	snprintf(why, sizeof(why), "%s", out->error);
	pull_fail(out, "agent-missing", "agent not found (exit 127), agentless failed: %s: %.300s",
	          out->status, why);
}

/* Run the agent's command; its stdout is the report. */
static void
pull_host_agent(const struct pull_opts *o, const struct inventory_host *h,
                struct ssh_session_conn *conn, struct pull_outcome *out)
{
	struct ssh_session_error serr;
	struct ssh_session_exec_result xr;
	struct growbuf b = {0};
	const char *command;
	char tail[2200];
	int n;

	/* the inventory line's, then --command's, then the default */
	command = PULL_DEFAULT_COMMAND;
	if (h->command != NULL)
		command = h->command;
	else if (o->command != NULL)
		command = o->command;
	if (ssh_session_exec(conn, command, NULL, 0, o->max_bytes, pull_host_sink, &b, &xr,
	                     &serr) == -1) {
		pull_fail(out, ssh_session_status_word(serr.status), "%s", serr.msg);
		goto done;
	}
	if (xr.exit_status == 127 && xr.out_bytes == 0) {
		pull_host_fallback(o, h, conn, out);
		goto done;
	}
	if (xr.out_bytes == 0) {
		/* the message is kept to PULL_HOST_ERROR_KEPT bytes
		 * and the tail gets what the head leaves, so its
		 * last line, the one that matters, is never the one cut */
		n = snprintf(NULL, 0, "%.200s: exit %d, no output; stderr: ", command,
		             xr.exit_status);
		pull_host_tail(xr.err_tail, xr.err_bytes, tail,
		               PULL_HOST_ERROR_KEPT - (size_t)n < sizeof(tail)
		                       ? PULL_HOST_ERROR_KEPT - (size_t)n
		                       : sizeof(tail));
		pull_fail(out, "command-failed", "%.200s: exit %d, no output%s%s", command,
		          xr.exit_status, tail[0] != '\0' ? "; stderr: " : ", nothing on stderr",
		          tail);
		goto done;
	}
	out->json = b.data;
	out->len = b.len;
	b.data = NULL;
done:
	free(b.data);
}

void
pull_host(const struct pull_opts *o, const struct inventory_host *h, struct pull_outcome *out)
{
	struct ssh_session_conn *conn = NULL;

	memset(out, 0, sizeof(*out));
	store_now(out->started_at, sizeof(out->started_at));
	if (pull_host_open(o, h, &conn, out) == -1)
		return;
	if (o->agentless || h->agent == INVENTORY_AGENT_NONE)
		(void)pull_agentless(o, h, conn, out);
	else
		pull_host_agent(o, h, conn, out);
	ssh_session_close(conn);
}
