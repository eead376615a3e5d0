/*
 * pull_agentless.c - a host without the agent: the script over SSH, the
 * stream parsed into a rebuilt tree, and the agent's analysis of that tree.
 * I/O: SSH (ssh_session.c), a temporary directory, pci.ids.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/gather.h"
#include "agent/rootfs.h"
#include "common/log.h"
#include "proto/report_json.h"

#include "collector/agentless.h"
#include "collector/inventory.h"
#include "collector/pull_agentless.h"
#include "collector/ssh_session.h"

#define PULL_AGENTLESS_STREAM_MAX (256u * 1024 * 1024) /* the parser bounds it more */

/* The agent's own code (analysis, pci.ids) runs for one host at a time. */
static pthread_mutex_t analyse_lock = PTHREAD_MUTEX_INITIALIZER;

static int
pull_agentless_feed(void *arg, const char *p, size_t n)
{
	return agentless_parser_feed(arg, p, n);
}

static const char *
pull_agentless_pci_ids(void)
{
	static const char *const paths[] = {
	        "/usr/share/misc/pci.ids",
	        "/usr/share/hwdata/pci.ids",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

/* Analyse a rebuilt tree with the agent's own code into out->json. */
static int
pull_agentless_analyse(const struct inventory_host *h, const char *dir, struct pull_outcome *out)
{
	struct gather_opts gopts;
	struct rootfs fs;
	struct report r;
	int rc = -1;

	memset(&gopts, 0, sizeof(gopts));
	gopts.pci_ids = pull_agentless_pci_ids();
	if (rootfs_open(&fs, dir) == -1) {
		pull_fail(out, "collector-error", "%s: %s", dir, strerror(errno));
		return -1;
	}
	report_init(&r);
	pthread_mutex_lock(&analyse_lock);
	if (gather_report(&fs, &gopts, &r) == -1 || gather_stamp(&r) == -1) {
		pthread_mutex_unlock(&analyse_lock);
		pull_fail(out, "collector-error", "analysis: out of memory");
		goto done;
	}
	pthread_mutex_unlock(&analyse_lock);
	/* the identity is the inventory's, whatever the host calls itself */
	free(r.host.hostname);
	r.host.hostname = strdup(h->name);
	out->json = r.host.hostname != NULL ? report_json_encode(&r, 0) : NULL;
	if (out->json == NULL) {
		pull_fail(out, "collector-error", "encoding the report: out of memory");
		goto done;
	}
	out->len = strlen(out->json);
	out->agentless = 1;
	rc = 0;
done:
	report_free(&r);
	rootfs_close(&fs);
	return rc;
}

/* Run the script on conn with its stream into parser: 0 or -1. */
static int
pull_agentless_stream(struct ssh_session_conn *conn, struct agentless_parser *parser,
                      struct pull_outcome *out)
{
	struct ssh_session_exec_result xr;
	struct ssh_session_error serr;
	int erc;

	erc = ssh_session_exec(conn, "sh -s", agentless_script, strlen(agentless_script),
	                       PULL_AGENTLESS_STREAM_MAX, pull_agentless_feed, parser, &xr, &serr);
	if (erc == -1 && agentless_parser_error(parser)[0] != '\0') {
		pull_fail(out, "bad-report", "agentless stream: %s",
		          agentless_parser_error(parser));
		return -1;
	}
	if (erc == -1) {
		pull_fail(out, ssh_session_status_word(serr.status), "agentless: %s", serr.msg);
		return -1;
	}
	if (agentless_parser_finish(parser) == -1) {
		if (xr.exit_status != 0)
			pull_fail(out, "command-failed", "agentless script: exit %d: %s",
			          xr.exit_status, xr.err_tail);
		else
			pull_fail(out, "bad-report", "agentless stream: %s",
			          agentless_parser_error(parser));
		return -1;
	}
	return 0;
}

int
pull_agentless(const struct pull_opts *o, const struct inventory_host *h,
               struct ssh_session_conn *conn, struct pull_outcome *out)
{
	struct agentless_parser *parser;
	struct agentless_sink sink;
	struct agentless_tree tree;
	int rc = -1;

	if (agentless_tree_create(&tree, o->tmpdir) == -1) {
		pull_fail(out, "collector-error", "temporary directory: %s", strerror(errno));
		return -1;
	}
	agentless_tree_sink(&tree, &sink);
	parser = agentless_parser_new(&sink);
	if (parser == NULL) {
		pull_fail(out, "collector-error", "out of memory");
		goto done;
	}
	if (pull_agentless_stream(conn, parser, out) == -1)
		goto done;
	rc = pull_agentless_analyse(h, tree.dir, out);
done:
	agentless_parser_free(parser);
	if (agentless_tree_remove(&tree) == -1)
		log_warn("removing %s", tree.dir);
	return rc;
}
