/*
 * pull_host.c - one host over SSH: the connection, the agent's command, and
 * the fall back to the agentless run when the agent is missing.
 * I/O: SSH (ssh_session.c).
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

static int
pull_host_sink(void *arg, const char *p, size_t n)
{
	return growbuf_append(arg, p, n);
}

/* Connect and authenticate, within the host's deadline: 0, or -1 with the
 * failure in out. */
static int
pull_host_open(const struct pull_opts *o, const struct inventory_host *h,
               struct ssh_session_conn **conn, struct pull_outcome *out)
{
	struct ssh_session_opts so;
	struct ssh_session_error serr;

	memset(&so, 0, sizeof(so));
	so.host = h->host;
	so.user = h->user[0] != '\0' ? h->user : NULL;
	so.port = h->port;
	so.config = o->ssh_config;
	so.known_hosts = o->known_hosts;
	so.identity = o->identity_key;
	so.accept_new = o->accept_new;
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
		pull_fail(out, "command-failed", "exit %d, no output: %.300s", xr.exit_status,
		          xr.err_tail);
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
