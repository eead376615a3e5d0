/*
 * inventory.c - parse and validate pull inventory lines (pure, no I/O).
 * Only a small character set is accepted in names: a host or user name
 * can never carry a shell metacharacter, a '%' token or a space.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hostname.h"
#include "collector/inventory.h"
#include "collector/inventory_ansible.h"

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An identity (name=, or the host when no name= is given): the fleet's one
 * host name rule, within the inventory's buffers, written without the root's
 * trailing dot (one spelling per host in the database). */
static int
valid_name(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len < INVENTORY_NAME_MAX && s[len - 1] != '.' &&
	       hostname_invalid(s, len, HOSTNAME_GIVEN) == NULL;
}

/* What to connect to: a name by the same rule, in ASCII (it reaches the
 * resolver and ssh_config), or an address. */
static int
valid_hostname(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;
	return valid_name(s);
}

int
inventory_valid_host(const char *s)
{
	return valid_hostname(s) || hostname_is_address(s);
}

int
inventory_valid_user(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len >= INVENTORY_USER_MAX)
		return 0;
	if (!is_alnum((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (i = 1; i < len; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int
valid_tags(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len >= INVENTORY_TAGS_MAX || s[0] == ',' || s[len - 1] == ',')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ',') {
			if (s[i + 1] == ',')
				return 0;
		} else if (!is_alnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' &&
		           s[i] != '.')
			return 0;
	}
	return 1;
}

static int
fail(char *err, size_t errlen, const char *msg, const char *subject)
{
	if (subject != NULL)
		snprintf(err, errlen, "%s: \"%.64s\"", msg, subject);
	else
		snprintf(err, errlen, "%s", msg);
	return -1;
}

static int parse_port(const char *port, int *out);

/* "[user@]host[:port]" or "[user@][v6]:port" in word (modified). */
static int
parse_target(char *word, struct inventory_host *h, char *err, size_t errlen)
{
	char *at, *host, *port = NULL, *end;

	at = strchr(word, '@');
	host = word;
	if (at != NULL) {
		*at = '\0';
		if (!inventory_valid_user(word))
			return fail(err, errlen, "invalid user name", word);
		snprintf(h->user, sizeof(h->user), "%.32s", word);
		host = at + 1;
	}
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (end == NULL)
			return fail(err, errlen, "unterminated '[' in host", host);
		*end = '\0';
		host++;
		if (!hostname_is_address(host))
			return fail(err, errlen, "invalid IPv6 address", host);
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return fail(err, errlen, "garbage after ']'", end + 1);
	} else {
		port = strchr(host, ':');
		if (port != NULL)
			*port++ = '\0';
		if (!valid_hostname(host))
			return fail(err, errlen, "invalid host name", host);
	}
	snprintf(h->host, sizeof(h->host), "%.253s", host);
	snprintf(h->name, sizeof(h->name), "%.253s", host);
	if (port != NULL && parse_port(port, &h->port) == -1)
		return fail(err, errlen, "invalid port", port);
	return 0;
}

/* Why a command (command=, iommu_fleet_command) is refused, or NULL: the
 * same rule for every inventory format, since it reaches the host's shell
 * as one line. */
static const char *
command_invalid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return "empty command";
	if (n >= INVENTORY_COMMAND_MAX)
		return "command too long";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return "control or non-ASCII byte in the command";
	return NULL;
}

/* A command= value: "quoted, with \" and \\" or a bare word.  Printable
 * ASCII only.  *pp is left after the value. */
static int
parse_command(const char **pp, struct inventory_host *h, char *err, size_t errlen)
{
	char buf[INVENTORY_COMMAND_MAX];
	const char *p = *pp, *why;
	size_t n = 0;
	int quoted = 0;

	if (*p == '"') {
		quoted = 1;
		p++;
	}
	for (;; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\0') {
			if (quoted)
				return fail(err, errlen, "unterminated quote in command=", NULL);
			break;
		}
		if (quoted && c == '"') {
			p++;
			if (*p != '\0' && *p != ' ' && *p != '\t')
				return fail(err, errlen, "garbage after quoted command=", NULL);
			break;
		}
		if (!quoted && (c == ' ' || c == '\t'))
			break;
		if (quoted && c == '\\' && (p[1] == '"' || p[1] == '\\'))
			c = (unsigned char)*++p;
		if (n + 1 >= sizeof(buf))
			return fail(err, errlen, "command too long", NULL);
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if ((why = command_invalid(buf)) != NULL)
		return fail(err, errlen, why, NULL);
	if (h->command != NULL)
		return fail(err, errlen, "command= given twice", NULL);
	h->command = strdup(buf);
	if (h->command == NULL)
		return fail(err, errlen, "out of memory", NULL);
	*pp = p;
	return 0;
}

/* The next blank-separated word of at most max-1 bytes into out. */
static int
next_word(const char **pp, char *out, size_t max)
{
	const char *p = *pp;
	size_t n = 0;

	while (*p != '\0' && *p != ' ' && *p != '\t') {
		if (n + 1 >= max)
			return -1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return 0;
}

static int
parse_setting(const char **pp, struct inventory_host *h, unsigned *seen, char *err, size_t errlen)
{
	char key[16], value[INVENTORY_NAME_MAX + INVENTORY_TAGS_MAX];
	const char *p = *pp, *eq;
	size_t klen;
	unsigned bit;

	eq = p;
	while (*eq != '\0' && *eq != '=' && *eq != ' ' && *eq != '\t')
		eq++;
	if (*eq != '=')
		return fail(err, errlen, "expected key=value", p);
	klen = (size_t)(eq - p);
	if (klen == 0 || klen >= sizeof(key))
		return fail(err, errlen, "unknown setting", p);
	memcpy(key, p, klen);
	key[klen] = '\0';
	p = eq + 1;
	if (strcmp(key, "command") == 0)
		bit = 1;
	else if (strcmp(key, "tags") == 0)
		bit = 2;
	else if (strcmp(key, "agent") == 0)
		bit = 4;
	else if (strcmp(key, "name") == 0)
		bit = 8;
	else
		return fail(err, errlen, "unknown setting", key);
	if (*seen & bit)
		return fail(err, errlen, "setting given twice", key);
	*seen |= bit;
	if (bit == 1) {
		if (parse_command(&p, h, err, errlen) == -1)
			return -1;
		*pp = p;
		return 0;
	}
	if (next_word(&p, value, sizeof(value)) == -1)
		return fail(err, errlen, "value too long for", key);
	if (bit == 2) {
		if (!valid_tags(value))
			return fail(err, errlen, "invalid tags", value);
		snprintf(h->tags, sizeof(h->tags), "%s", value);
	} else if (bit == 4) {
		if (strcmp(value, "none") == 0)
			h->agent = INVENTORY_AGENT_NONE;
		else if (strcmp(value, "auto") == 0)
			h->agent = INVENTORY_AGENT_AUTO;
		else
			return fail(err, errlen, "agent= must be auto or none", value);
	} else {
		if (!valid_name(value))
			return fail(err, errlen, "invalid name", value);
		snprintf(h->name, sizeof(h->name), "%.253s", value);
	}
	*pp = p;
	return 0;
}

/* port text to a number: 0, or -1. */
static int
parse_port(const char *port, int *out)
{
	char *end;
	long p;

	if (port[0] < '0' || port[0] > '9' || strlen(port) > 5)
		return -1;
	p = strtol(port, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*out = (int)p;
	return 0;
}

int
inventory_host_make(struct inventory_host *h, const char *name, const char *host, const char *user,
                    const char *port, const char *groups, const char *command, const char *agent,
                    char *err, size_t errlen)
{
	const char *why;

	memset(h, 0, sizeof(*h));
	if (host == NULL)
		host = name;
	if (!valid_name(name))
		return fail(err, errlen, "invalid name", name);
	if (!valid_hostname(host) && !hostname_is_address(host))
		return fail(err, errlen, "invalid host name", host);
	if (user != NULL && (!inventory_valid_user(user) || strlen(user) >= sizeof(h->user)))
		return fail(err, errlen, "invalid user name", user);
	if (port != NULL && parse_port(port, &h->port) == -1)
		return fail(err, errlen, "invalid port", port);
	if (groups != NULL && groups[0] != '\0' && !valid_tags(groups))
		return fail(err, errlen, "invalid group names", groups);
	if (agent != NULL && strcmp(agent, "none") != 0 && strcmp(agent, "auto") != 0)
		return fail(err, errlen, "iommu_fleet_agent must be auto or none", agent);
	if (command != NULL && (why = command_invalid(command)) != NULL)
		return fail(err, errlen, why, NULL);
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->host, sizeof(h->host), "%s", host);
	snprintf(h->user, sizeof(h->user), "%s", user != NULL ? user : "");
	snprintf(h->tags, sizeof(h->tags), "%s", groups != NULL ? groups : "");
	h->agent = agent != NULL && strcmp(agent, "none") == 0 ? INVENTORY_AGENT_NONE
	                                                       : INVENTORY_AGENT_AUTO;
	if (command != NULL && (h->command = strdup(command)) == NULL)
		return fail(err, errlen, "out of memory", NULL);
	return 0;
}

void
inventory_host_clear(struct inventory_host *h)
{
	free(h->command);
	memset(h, 0, sizeof(*h));
}

int
inventory_parse_line(const char *line, struct inventory_host *h, char *err, size_t errlen)
{
	char target[INVENTORY_NAME_MAX + INVENTORY_USER_MAX + 16];
	const char *p = line;
	unsigned seen = 0;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (strlen(line) >= INVENTORY_LINE_MAX)
		return fail(err, errlen, "line too long", NULL);
	for (i = 0; line[i] != '\0'; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(err, errlen, "control character in line", NULL);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	if (next_word(&p, target, sizeof(target)) == -1)
		return fail(err, errlen, "host too long", NULL);
	if (parse_target(target, h, err, errlen) == -1)
		return -1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (parse_setting(&p, h, &seen, err, errlen) == -1) {
			inventory_host_clear(h);
			return -1;
		}
	}
	return 1;
}

void
inventory_init(struct inventory *inv)
{
	memset(inv, 0, sizeof(*inv));
}

void
inventory_free(struct inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->n; i++)
		free(inv->hosts[i].command);
	free(inv->hosts);
	name_index_free(&inv->index);
	memset(inv, 0, sizeof(*inv));
}

static const char *
host_name(const void *hosts, size_t i)
{
	return ((const struct inventory_host *)hosts)[i].name;
}

/* A name given twice, and where it was first. */
static int
twice(const struct inventory *inv, const struct inventory_host *first, char *err, size_t errlen)
{
	if (first->line == 0)
		snprintf(err, errlen, "host listed twice: \"%.64s\" (first on the command line)",
		         first->name);
	else if (inv->source != NULL)
		snprintf(err, errlen, "host listed twice: \"%.64s\" (first at %.200s:%d)",
		         first->name, inv->source, first->line);
	else
		snprintf(err, errlen, "host listed twice: \"%.64s\" (first at line %d)",
		         first->name, first->line);
	return -1;
}

int
inventory_append(struct inventory *inv, struct inventory_host *h, char *err, size_t errlen)
{
	struct inventory_host *grown;
	size_t i, cap;

	if (name_index_sync(&inv->index, inv->hosts, inv->n, host_name) == -1)
		return fail(err, errlen, "out of memory", NULL);
	if ((i = name_index_find(&inv->index, inv->hosts, host_name, h->name, strlen(h->name))) !=
	    SIZE_MAX)
		return twice(inv, &inv->hosts[i], err, errlen);
	if (inv->n >= INVENTORY_HOSTS_MAX) {
		snprintf(err, errlen, "too many hosts (at most %d)", INVENTORY_HOSTS_MAX);
		return -1;
	}
	if (inv->n == inv->cap) {
		cap = inv->cap ? inv->cap * 2 : 64;
		grown = realloc(inv->hosts, cap * sizeof(*grown));
		if (grown == NULL)
			return fail(err, errlen, "out of memory", NULL);
		inv->hosts = grown;
		inv->cap = cap;
	}
	inv->hosts[inv->n++] = *h;
	return 0;
}

/* Parse one line and append its host: 1, 0 for a blank or comment line,
 * or -1. */
static int
add_one(struct inventory *inv, const char *spec, int line, char *err, size_t errlen)
{
	struct inventory_host h;
	int rc;

	if ((rc = inventory_parse_line(spec, &h, err, errlen)) != 1)
		return rc;
	h.line = line;
	if (inventory_append(inv, &h, err, errlen) == -1) {
		inventory_host_clear(&h);
		return -1;
	}
	return 1;
}

struct expansion {
	struct inventory *inv;
	const char *rest; /* the line after its host */
	int line;
	char *err;
	size_t errlen;
};

static int
add_expanded(void *arg, const char *target)
{
	struct expansion *x = arg;
	char spec[INVENTORY_LINE_MAX];

	if ((size_t)snprintf(spec, sizeof(spec), "%s%s", target, x->rest) >= sizeof(spec))
		return fail(x->err, x->errlen, "line too long", NULL);
	return add_one(x->inv, spec, x->line, x->err, x->errlen) == -1 ? -1 : 0;
}

/* One line, its host range ("web[01:20]", "db-[a:c]") expanded: 1, 0 for a
 * blank or comment line, or -1.  "[v6]:port" and "user@[v6]" are no
 * ranges. */
static int
add_line(struct inventory *inv, const char *line, int lineno, char *err, size_t errlen)
{
	char target[INVENTORY_NAME_MAX + INVENTORY_USER_MAX + 16];
	struct expansion x = {inv, NULL, lineno, err, errlen};
	const char *p = line, *bracket;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, " \t");
	bracket = memchr(p, '[', n);
	if (bracket == NULL || bracket == p || bracket[-1] == '@')
		return add_one(inv, line, lineno, err, errlen);
	if (n >= sizeof(target))
		return fail(err, errlen, "host too long", NULL);
	memcpy(target, p, n);
	target[n] = '\0';
	x.rest = p + n;
	err[0] = '\0';
	if (ansible_expand(target, INVENTORY_HOSTS_MAX, add_expanded, &x, err, errlen) == -1)
		return -1;
	return 1;
}

int
inventory_add(struct inventory *inv, const char *spec, int line, char *err, size_t errlen)
{
	int rc = add_line(inv, spec, line, err, errlen);

	return rc == 0 ? fail(err, errlen, "empty host", NULL) : rc == -1 ? -1 : 0;
}

int
inventory_parse(const char *text, size_t len, struct inventory *inv, char *err, size_t errlen)
{
	char line[INVENTORY_LINE_MAX], msg[256];
	size_t pos = 0, n;
	const char *nl;
	int lineno = 0;

	while (pos < len) {
		lineno++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %d: line too long", lineno);
			return -1;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			snprintf(err, errlen, "line %d: NUL byte", lineno);
			return -1;
		}
		memcpy(line, text + pos, n);
		pos += n + (nl != NULL);
		/* CRLF files */
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		if (add_line(inv, line, lineno, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "line %d: %s", lineno, msg);
			return -1;
		}
	}
	return 0;
}
