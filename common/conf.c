/*
 * conf.c - parse a "key = value" configuration text (pure, no I/O).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"

static int fail(char *err, size_t errlen, const struct conf *c, int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static int
fail(char *err, size_t errlen, const struct conf *c, int line, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", c->path, line, why);
	return -1;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* s[0..*n) without blanks at either end. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && is_blank(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_blank(s[*n - 1]))
		(*n)--;
	return s;
}

static int
known_key(const char *const *known, const char *k, size_t n)
{
	for (; *known != NULL; known++)
		if (strlen(*known) == n && memcmp(*known, k, n) == 0)
			return 1;
	return 0;
}

/* One non-comment line: 0, or -1 with err. */
static int
parse_line(struct conf *c, const char *s, size_t n, int line, const char *const *known, char *err,
           size_t errlen)
{
	const char *eq, *k, *v;
	size_t kn, vn, i;
	struct conf_entry *e;

	if ((eq = memchr(s, '=', n)) == NULL)
		return fail(err, errlen, c, line, "expected \"key = value\"");
	kn = (size_t)(eq - s);
	k = trim(s, &kn);
	vn = n - (size_t)(eq - s) - 1;
	v = trim(eq + 1, &vn);
	if (kn == 0)
		return fail(err, errlen, c, line, "no key before '='");
	if (!known_key(known, k, kn))
		return fail(err, errlen, c, line, "unknown key \"%.*s\"", (int)(kn > 64 ? 64 : kn),
		            k);
	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i].key) == kn && memcmp(c->v[i].key, k, kn) == 0)
			return fail(err, errlen, c, line, "%.*s set again (first on line %d)",
			            (int)kn, k, c->v[i].line);
	if ((e = reallocarray(c->v, c->n + 1, sizeof(*e))) == NULL)
		return fail(err, errlen, c, line, "out of memory");
	c->v = e;
	e = &c->v[c->n];
	e->key = strndup(k, kn);
	e->value = strndup(v, vn);
	e->line = line;
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return fail(err, errlen, c, line, "out of memory");
	}
	c->n++;
	return 0;
}

int
conf_parse(const char *text, size_t len, const char *path, const char *const *known, struct conf *c,
           char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *nl, *s;
	size_t n;
	int line = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (memchr(text, '\0', len) != NULL)
		return fail(err, errlen, c, 1, "a NUL byte: not a text file");
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		s = trim(p, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (parse_line(c, s, n, line, known, err, errlen) == -1) {
			conf_free(c);
			return -1;
		}
	}
	return 0;
}

const char *
conf_get(const struct conf *c, const char *key)
{
	size_t i;

	for (i = 0; c != NULL && i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return c->v[i].value;
	return NULL;
}

const char *
conf_where(struct conf *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			break;
	snprintf(c->where, sizeof(c->where), "%s:%d: %s", c->path, i < c->n ? c->v[i].line : 0,
	         key);
	return c->where;
}

void
conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}
