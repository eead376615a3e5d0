/*
 * inventory.h - the pull inventory: one host a line, `[user@]host[:port]`
 * then `key=value` settings.  Pure parsing and validation, no I/O.  Names are
 * checked strictly so that nothing from an inventory line can reach a shell,
 * an ssh_config token expansion or a ProxyCommand.
 */
#ifndef IOMMU_FLEET_INVENTORY_H
#define IOMMU_FLEET_INVENTORY_H

#include <stddef.h>

#include "collector/name_index.h"

#define INVENTORY_NAME_MAX 254 /* host names: 253 bytes and the NUL */
#define INVENTORY_USER_MAX 33
#define INVENTORY_TAGS_MAX 1024 /* the host's groups or tags= */
#define INVENTORY_COMMAND_MAX 1024
#define INVENTORY_LINE_MAX 4096
#define INVENTORY_HOSTS_MAX 20000

enum inventory_agent {
	INVENTORY_AGENT_AUTO = 0, /* run the agent, agentless when it is missing */
	INVENTORY_AGENT_NONE,     /* agent=none: agentless only */
};

struct inventory_host {
	char name[INVENTORY_NAME_MAX]; /* identity in the database: name= or host */
	char host[INVENTORY_NAME_MAX]; /* what to connect to (ssh_config alias) */
	char user[INVENTORY_USER_MAX]; /* "" : ssh_config or the current user */
	int port;                      /* 0 : ssh_config or 22 */
	char tags[INVENTORY_TAGS_MAX]; /* its groups or tags=, "a,b", "" */
	char *command;                 /* command=, NULL for the default */
	enum inventory_agent agent;
	int line; /* line number, 0 for a command-line host */
};

struct inventory {
	struct inventory_host *hosts;
	size_t n;
	size_t cap;
	struct name_index index; /* names, for inventory_append */
	const char *source;      /* the file being read, for messages; NULL: "line N" */
};

void inventory_init(struct inventory *inv);
void inventory_free(struct inventory *inv); /* NULL is a no-op */

/*
 * One line (without its newline).  Returns 1 and fills h (h->command is
 * malloc'd: inventory_host_clear() frees it), 0 for a blank or comment line,
 * -1 with a message in err.
 */
int inventory_parse_line(const char *line, struct inventory_host *h, char *err, size_t errlen);
void inventory_host_clear(struct inventory_host *h);

/* A whole inventory text: hosts appended to inv.  0, or -1 with
 * "line N: ..." in err (inv then holds the hosts before that line). */
int inventory_parse(const char *text, size_t len, struct inventory *inv, char *err, size_t errlen);

/* Parse spec as one line and append it (command-line hosts): 0 or -1. */
int inventory_add(struct inventory *inv, const char *spec, int line, char *err, size_t errlen);

/*
 * A host from its parts (the Ansible readers), each checked by the rule of
 * a hosts.txt line: name (the identity), host (to connect to; NULL: name),
 * user, port, groups ("a,b"), command and agent ("auto", "none"), each NULL
 * when not set.  0, or -1 with err naming the field; h->command is
 * malloc'd (inventory_host_clear).
 */
int inventory_host_make(struct inventory_host *h, const char *name, const char *host,
                        const char *user, const char *port, const char *groups, const char *command,
                        const char *agent, char *err, size_t errlen);

/* Append h (moved into inv): 0, or -1 for a host named twice (err names
 * where it was first: "first at hosts.txt:3", with inv->source set) or past
 * INVENTORY_HOSTS_MAX. */
int inventory_append(struct inventory *inv, struct inventory_host *h, char *err, size_t errlen);

/* 1 when s is a host name, an IPv4 address or an IPv6 address we accept. */
int inventory_valid_host(const char *s);
int inventory_valid_user(const char *s);

#endif
