/*
 * inventory_ini.c - read an Ansible INI inventory into its groups, host
 * patterns and vars (pure, no I/O): [group], [group:children],
 * [group:vars], hosts before any section in "ungrouped", "host:port",
 * key=value with '' or "" quotes, '#' and ';' comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_ini.h"

enum section { SEC_HOSTS, SEC_CHILDREN, SEC_VARS };

struct ini {
	struct ansible_inv *a;
	struct ansible_group *g;
	enum section sec;
	int line;
	char *err;
	size_t errlen;
};

static int
fail(struct ini *p, const char *msg, const char *subject)
{
	if (subject != NULL)
		snprintf(p->err, p->errlen, "line %d: %s: \"%.64s\"", p->line, msg, subject);
	else
		snprintf(p->err, p->errlen, "line %d: %s", p->line, msg);
	return -1;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* "[name]", "[name:children]", "[name:vars]". */
static int
section(struct ini *p, const char *s, size_t n)
{
	const char *colon;
	size_t len, i;

	if (n < 3 || s[n - 1] != ']')
		return fail(p, "expected [group]", s);
	s++;
	n -= 2;
	colon = memchr(s, ':', n);
	len = colon != NULL ? (size_t)(colon - s) : n;
	for (i = 0; i < len; i++)
		if (!name_char(s[i]))
			return fail(p, "invalid group name", s);
	if (len == 0)
		return fail(p, "empty group name", NULL);
	p->sec = SEC_HOSTS;
	if (colon != NULL) {
		if (n - len - 1 == 8 && memcmp(colon + 1, "children", 8) == 0)
			p->sec = SEC_CHILDREN;
		else if (n - len - 1 == 4 && memcmp(colon + 1, "vars", 4) == 0)
			p->sec = SEC_VARS;
		else
			return fail(p, "unknown section kind (children, vars)", colon + 1);
	}
	if ((p->g = ansible_group(p->a, s, len)) == NULL)
		return fail(p, "out of memory or too many groups", NULL);
	return 0;
}

/*
 * The next word of *pp into out (quotes removed: '...' and "..." with \"),
 * or 0 at the end of the line or a comment.  -1 on an unterminated quote or
 * a word too long.
 */
static int
word(const char **pp, char *out, size_t max)
{
	const char *p = *pp;
	size_t n = 0;
	char q = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == ';')
		return 0;
	for (; *p != '\0'; p++) {
		if (q == 0 && (*p == ' ' || *p == '\t'))
			break;
		if (q == 0 && (*p == '"' || *p == '\'')) {
			q = *p;
			continue;
		}
		if (q != 0 && *p == q) {
			q = 0;
			continue;
		}
		if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n + 1 >= max)
			return -1;
		out[n++] = *p;
	}
	if (q != 0)
		return -1;
	out[n] = '\0';
	*pp = p;
	return 1;
}

/* key=value into v. */
static int
assignment(struct ini *p, const char *w, struct ansible_vars *v)
{
	const char *eq = strchr(w, '=');
	char key[128];
	size_t n;

	if (eq == NULL || eq == w || (n = (size_t)(eq - w)) >= sizeof(key))
		return fail(p, "expected key=value", w);
	memcpy(key, w, n);
	key[n] = '\0';
	if (ansible_set_var(v, key, eq + 1) == -1)
		return fail(p, "out of memory or too many vars", NULL);
	return 0;
}

/* "host[:port] [key=value]..." in the current group. */
static int
host_line(struct ini *p, const char *line)
{
	char pat[INVENTORY_LINE_MAX], w[INVENTORY_LINE_MAX], *colon;
	struct ansible_hostref *r;
	int rc;

	if ((rc = word(&line, pat, sizeof(pat))) != 1)
		return rc == 0 ? 0 : fail(p, "unterminated quote or word too long", NULL);
	/* "host:port" sets the port; "[a:b]" ranges keep their colons */
	colon = strrchr(pat, ':');
	if (colon != NULL && strchr(colon, ']') != NULL)
		colon = NULL;
	if (colon != NULL)
		*colon++ = '\0';
	if ((r = ansible_add_host(p->g, pat, p->line)) == NULL)
		return fail(p, "out of memory", NULL);
	if (colon != NULL && ansible_set_var(&r->vars, "ansible_port", colon) == -1)
		return fail(p, "out of memory", NULL);
	while ((rc = word(&line, w, sizeof(w))) == 1)
		if (assignment(p, w, &r->vars) == -1)
			return -1;
	return rc == 0 ? 0 : fail(p, "unterminated quote or word too long", NULL);
}

/* "key = value" or "key=value" in a :vars section. */
static int
vars_line(struct ini *p, const char *line)
{
	char key[128], w[INVENTORY_LINE_MAX];
	const char *eq = strchr(line, '='), *v;
	size_t n;

	if (eq == NULL)
		return fail(p, "expected key=value", line);
	n = (size_t)(eq - line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(key))
		return fail(p, "expected key=value", line);
	memcpy(key, line, n);
	key[n] = '\0';
	/* the value runs to the end of the line, as Ansible reads it; one
	 * quoted word is unquoted */
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	w[0] = '\0'; /* "key =": empty */
	if (*v == '"' || *v == '\'') {
		if (word(&v, w, sizeof(w)) == -1)
			return fail(p, "unterminated quote or value too long", NULL);
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '\0')
			return fail(p, "text after a quoted value", v);
	} else if ((size_t)snprintf(w, sizeof(w), "%s", v) >= sizeof(w))
		return fail(p, "value too long", NULL);
	if (ansible_set_var(&p->g->vars, key, w) == -1)
		return fail(p, "out of memory or too many vars", NULL);
	return 0;
}

static int
child_line(struct ini *p, const char *line)
{
	char w[256];
	size_t i;
	int rc;

	if ((rc = word(&line, w, sizeof(w))) != 1)
		return rc == 0 ? 0 : fail(p, "group name too long", NULL);
	for (i = 0; w[i] != '\0'; i++)
		if (!name_char(w[i]))
			return fail(p, "invalid group name", w);
	/* p->g may move: the caller finds its group again by name */
	if (ansible_add_child(p->a, p->g, w, strlen(w)) == -1)
		return fail(p, "out of memory or too many groups", NULL);
	return 0;
}

int
inventory_ini_parse(const char *text, size_t len, struct ansible_inv *a, char *err, size_t errlen)
{
	struct ini p = {a, NULL, SEC_HOSTS, 0, err, errlen};
	char line[INVENTORY_LINE_MAX], *s, gname[256];
	const char *nl, *end = text + len;
	size_t n;
	int rc;

	if ((p.g = ansible_group(a, "ungrouped", 9)) == NULL)
		return fail(&p, "out of memory", NULL);
	for (; text < end; text = nl + 1) {
		p.line++;
		if ((nl = memchr(text, '\n', (size_t)(end - text))) == NULL)
			nl = end;
		if ((n = (size_t)(nl - text)) >= sizeof(line))
			return fail(&p, "line too long", NULL);
		if (memchr(text, '\0', n) != NULL)
			return fail(&p, "NUL byte", NULL);
		memcpy(line, text, n);
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		line[n] = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		/* groups may move as children are added: hold ours by name */
		snprintf(gname, sizeof(gname), "%s", p.g->name);
		if (*s == '[')
			rc = section(&p, s, strlen(s));
		else if (p.sec == SEC_CHILDREN)
			rc = child_line(&p, s);
		else if (p.sec == SEC_VARS)
			rc = vars_line(&p, s);
		else
			rc = host_line(&p, s);
		if (rc == -1)
			return -1;
		if (*s != '[' && (p.g = ansible_group(a, gname, strlen(gname))) == NULL)
			return fail(&p, "out of memory", NULL);
	}
	return 0;
}
