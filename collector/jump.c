/*
 * jump.c - jump host lists: parse a ProxyJump value, or the ProxyCommand
 * libssh 0.10 builds from one, into validated hops.  Pure: no I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/jump.h"

/* "[user@]host[:port]" or "[user@][v6addr][:port]" into h: 0 or -1. */
static int
jump_parse_hop(const char *s, size_t len, struct jump_hop *h, char *err, size_t errlen)
{
	char buf[INVENTORY_NAME_MAX + INVENTORY_USER_MAX + 16], *host, *at, *colon, *end;
	long port;

	memset(h, 0, sizeof(*h));
	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "jump host: empty or too long");
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	host = buf;
	if ((at = strrchr(buf, '@')) != NULL) {
		*at = '\0';
		if (!inventory_valid_user(buf)) {
			snprintf(err, errlen, "jump host \"%.*s\": invalid user", (int)len, s);
			return -1;
		}
		snprintf(h->user, sizeof(h->user), "%.*s", (int)sizeof(h->user) - 1, buf);
		host = at + 1;
	}
	colon = NULL;
	if (*host == '[') {
		if ((end = strchr(host, ']')) == NULL || (end[1] != '\0' && end[1] != ':'))
			goto badhost;
		*end = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		host++;
	} else if ((colon = strchr(host, ':')) != NULL) {
		if (strchr(colon + 1, ':') != NULL)
			colon = NULL; /* a bare IPv6 address: no port */
		else
			*colon = '\0';
	}
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 || port > 65535) {
			snprintf(err, errlen, "jump host \"%.*s\": invalid port", (int)len, s);
			return -1;
		}
		h->port = (int)port;
	}
	if (!inventory_valid_host(host))
		goto badhost;
	if (strlen(host) >= sizeof(h->host))
		goto badhost;
	snprintf(h->host, sizeof(h->host), "%.*s", (int)sizeof(h->host) - 1, host);
	return 0;
badhost:
	snprintf(err, errlen, "jump host \"%.*s\": invalid host name", (int)len, s);
	return -1;
}

int
jump_parse(const char *spec, struct jump_list *l, char *err, size_t errlen)
{
	const char *p = spec, *comma;
	size_t len;

	memset(l, 0, sizeof(*l));
	if (strcmp(spec, "none") == 0)
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (l->n == JUMP_MAX_HOPS) {
			snprintf(err, errlen, "jump hosts: more than %d hops", JUMP_MAX_HOPS);
			return -1;
		}
		if (jump_parse_hop(p, len, &l->hops[l->n], err, errlen) == -1)
			return -1;
		l->n++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

/* The next space-separated word of *p into w (at most wlen - 1 bytes): 0,
 * or -1 at the end or for a word too long. */
static int
jump_word(const char **p, char *w, size_t wlen)
{
	size_t n;

	while (**p == ' ')
		(*p)++;
	n = strcspn(*p, " ");
	if (n == 0 || n >= wlen)
		return -1;
	memcpy(w, *p, n);
	w[n] = '\0';
	*p += n;
	return 0;
}

int
jump_from_proxycommand(const char *pc, struct jump_list *l, char *err, size_t errlen)
{
	char user[INVENTORY_USER_MAX] = "", port[8] = "", rest[600] = "", host[INVENTORY_NAME_MAX];
	char w[600], spec[1024];
	const char *p = pc;
	int n, v6;

	if (jump_word(&p, w, sizeof(w)) == -1 || strcmp(w, "ssh") != 0)
		return 0;
	for (;;) {
		if (jump_word(&p, w, sizeof(w)) == -1)
			return 0;
		if (strcmp(w, "-l") == 0 && jump_word(&p, user, sizeof(user)) == 0)
			continue;
		if (strcmp(w, "-p") == 0 && jump_word(&p, port, sizeof(port)) == 0)
			continue;
		if (strcmp(w, "-J") == 0 && jump_word(&p, rest, sizeof(rest)) == 0)
			continue;
		break;
	}
	if (strcmp(w, "-W") != 0 || jump_word(&p, w, sizeof(w)) == -1 ||
	    strcmp(w, "'[%h]:%p'") != 0 || jump_word(&p, host, sizeof(host)) == -1 ||
	    jump_word(&p, w, sizeof(w)) == 0)
		return 0;
	/* libssh took the first hop apart: put it back together */
	v6 = strchr(host, ':') != NULL;
	n = snprintf(spec, sizeof(spec), "%s%s%s%s%s%s%s%s%s", user, user[0] != '\0' ? "@" : "",
	             v6 ? "[" : "", host, v6 ? "]" : "", port[0] != '\0' ? ":" : "", port,
	             rest[0] != '\0' ? "," : "", rest);
	if (n < 0 || (size_t)n >= sizeof(spec)) {
		snprintf(err, errlen, "ProxyJump: too long");
		return -1;
	}
	return jump_parse(spec, l, err, errlen) == 0 ? 1 : -1;
}

void
jump_hop_name(const struct jump_hop *h, char *buf, size_t len)
{
	int v6 = strchr(h->host, ':') != NULL;

	if (h->port > 0)
		snprintf(buf, len, "%s%s%s%s%s:%d", h->user, h->user[0] != '\0' ? "@" : "",
		         v6 ? "[" : "", h->host, v6 ? "]" : "", h->port);
	else
		snprintf(buf, len, "%s%s%s", h->user, h->user[0] != '\0' ? "@" : "", h->host);
}
