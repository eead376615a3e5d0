/*
 * report_claim.c - find host.hostname in a report's JSON text with a small
 * tokenizer that skips everything else (pure).  Anything unusual answers
 * "cannot tell", so the full decoder has the last word.
 */
#include <string.h>

#include "proto/hostname.h"
#include "proto/report_claim.h"

struct scan {
	const char *p;
	const char *end;
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string at s->p: *start / *n its raw contents, *esc set when it holds a
 * backslash.  0, or -1 when unterminated or not a string. */
static int
string(struct scan *s, const char **start, size_t *n, int *esc)
{
	const char *q;

	*esc = 0;
	if (s->p >= s->end || *s->p != '"')
		return -1;
	for (q = s->p + 1; q < s->end; q++) {
		if (*q == '\\') {
			*esc = 1;
			q++;
			continue;
		}
		if (*q == '"') {
			*start = s->p + 1;
			*n = (size_t)(q - (s->p + 1));
			s->p = q + 1;
			return 0;
		}
	}
	return -1;
}

#define CLAIM_DEPTH_MAX 64

/* Skip one value of any kind: 0 or -1. */
static int
skip_value(struct scan *s)
{
	char open[CLAIM_DEPTH_MAX];
	const char *str;
	size_t n, depth = 0;
	int esc;

	ws(s);
	do {
		if (s->p >= s->end)
			return -1;
		switch (*s->p) {
		case '"':
			if (string(s, &str, &n, &esc) == -1)
				return -1;
			break;
		case '{':
		case '[':
			if (depth == CLAIM_DEPTH_MAX)
				return -1;
			open[depth++] = *s->p == '{' ? '}' : ']';
			s->p++;
			break;
		case '}':
		case ']':
			if (depth == 0 || open[depth - 1] != *s->p)
				return -1;
			depth--;
			s->p++;
			break;
		default:
			/* a number or literal, or inside a container ',' ':' blanks */
			if (depth > 0) {
				s->p++;
				break;
			}
			while (s->p < s->end && strchr(",}] \t\r\n", *s->p) == NULL)
				s->p++;
			break;
		}
	} while (depth > 0);
	return 0;
}

/* At '{': call for each member until the key matches want, leaving s->p at
 * its value.  1 found, 0 absent or undecidable, -1 malformed. */
static int
find_member(struct scan *s, const char *want)
{
	const char *key;
	size_t n;
	int esc;

	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return 0;
	s->p++;
	for (;;) {
		ws(s);
		if (s->p < s->end && *s->p == '}')
			return 0;
		if (string(s, &key, &n, &esc) == -1)
			return -1;
		if (esc)
			return 0; /* "h\u006fst" is "host": leave it to the decoder */
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		ws(s);
		if (n == strlen(want) && memcmp(key, want, n) == 0)
			return 1;
		if (skip_value(s) == -1)
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		return 0;
	}
}

int
report_claim_hostname(const char *json, size_t len, char *out, size_t outlen)
{
	struct scan s = {json, json + len};
	const char *name;
	size_t n;
	int esc;

	if (find_member(&s, "host") != 1 || find_member(&s, "hostname") != 1)
		return 0;
	if (string(&s, &name, &n, &esc) == -1 || esc || n == 0 || n >= outlen)
		return 0;
	/* a name the decoder would refuse: let it say so */
	if (hostname_invalid(name, n, HOSTNAME_REPORTED) != NULL)
		return 0;
	memcpy(out, name, n);
	out[n] = '\0';
	return 1;
}
