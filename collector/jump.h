/*
 * jump.h - jump hosts: the hop list of a ProxyJump ("[user@]host[:port]"
 * entries, comma-separated, first hop first), read from --jump or from what
 * libssh 0.10 made of ssh_config's ProxyJump, so that the collector opens
 * every hop itself and never runs "ssh -W".  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_JUMP_H
#define IOMMU_FLEET_JUMP_H

#include <stddef.h>

#include "collector/inventory.h"

#define JUMP_MAX_HOPS 4

struct jump_hop {
	char user[INVENTORY_USER_MAX]; /* "": ssh_config's, else the local user */
	char host[INVENTORY_NAME_MAX]; /* a validated name or address (ssh_config alias) */
	int port;                      /* 0: ssh_config's, else 22 */
};

struct jump_list {
	struct jump_hop hops[JUMP_MAX_HOPS];
	size_t n; /* 0: no jump host ("none") */
};

/* A ProxyJump value ("none", or hops as ssh -J takes them) into l: 0, or -1
 * with a message in err (a name that is not valid, too many hops). */
int jump_parse(const char *spec, struct jump_list *l, char *err, size_t errlen);

/*
 * The ProxyCommand libssh 0.10 sets for a ProxyJump of ssh_config:
 * "ssh[ -l USER][ -p PORT][ -J REST] -W '[%h]:%p' HOST" (HOST the first
 * hop, REST the others).  1 and l filled when pc is one, 0 when it is some
 * other ProxyCommand (never run), -1 with err when its hops are invalid.
 */
int jump_from_proxycommand(const char *pc, struct jump_list *l, char *err, size_t errlen);

/* "user@host:port" of a hop for messages, the parts it has. */
void jump_hop_name(const struct jump_hop *h, char *buf, size_t len);

#endif
