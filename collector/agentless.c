/*
 * agentless.c - the parser of the agentless evidence stream (pure: bytes
 * in, records out to a sink, no I/O of its own).  Every line, path, file
 * and the total are bounded before anything reaches the sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/agentless.h"
#include "proto/pci_addr.h"

#define HEADER "iommu-fleet-agentless 1"

enum state { ST_HEADER = 0, ST_RECORDS, ST_FILE, ST_END, ST_ERROR };

struct agentless_parser {
	struct agentless_sink sink;
	enum state state;
	char line[AGENTLESS_LINE_MAX + 1];
	size_t len;
	size_t lineno;
	size_t entries;
	size_t total;      /* decoded file bytes and attribute values */
	size_t file_bytes; /* of the file being decoded */
	size_t file_max;
	char path[AGENTLESS_PATH_MAX]; /* the file being decoded */
	char error[256];
};

static const char *const top_dirs[] = {"proc", "sys", "etc", "dev", "var"};

static int
name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ':' || c == '@' || c == '+' || c == ',' || c == '=' ||
	       c == '-';
}

/* One component: non-empty, not "." or "..", only name characters. */
static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
agentless_valid_path(const char *path)
{
	const char *p = path, *slash;
	size_t i, n, depth = 0, len = strlen(path);
	int top_ok = 0;

	if (len == 0 || len >= AGENTLESS_PATH_MAX)
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (!valid_name(p, n) || ++depth > AGENTLESS_DEPTH_MAX)
			return 0;
		if (depth == 1) {
			for (i = 0; i < sizeof(top_dirs) / sizeof(top_dirs[0]); i++)
				if (strlen(top_dirs[i]) == n && memcmp(p, top_dirs[i], n) == 0)
					top_ok = 1;
			if (!top_ok)
				return 0;
			/* var/ only for var/log/... */
			if (n == 3 && memcmp(p, "var", 3) == 0 && slash != NULL &&
			    strncmp(slash + 1, "log", 3) != 0)
				return 0;
		}
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return 1;
}

int
agentless_valid_link(const char *path, const char *target)
{
	const char *p = target, *slash;
	size_t n, up = 0, depth = 0, len = strlen(target);

	if (len == 0 || len >= AGENTLESS_PATH_MAX)
		return 0;
	while (strncmp(p, "../", 3) == 0) {
		up++;
		p += 3;
	}
	/* the link's directory has depth(path) - 1 components; the target
	 * must keep at least the top one (sys/, dev/...) */
	for (slash = path; (slash = strchr(slash, '/')) != NULL; slash++)
		depth++;
	if (up >= depth)
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (!valid_name(p, n))
			return 0;
		if (slash == NULL)
			return 1;
		p = slash + 1;
	}
}

/* The kernel log may be large; everything else is small. */
static size_t
file_limit(const char *path)
{
	if (strncmp(path, "var/log/", 8) == 0 || strcmp(path, "dev/kmsg") == 0)
		return AGENTLESS_LOG_MAX;
	return AGENTLESS_FILE_MAX;
}

static int
perr(struct agentless_parser *p, const char *fmt, const char *subject)
{
	char msg[160];

	snprintf(msg, sizeof(msg), fmt, subject != NULL ? subject : "");
	snprintf(p->error, sizeof(p->error), "line %zu: %s", p->lineno, msg);
	p->state = ST_ERROR;
	return -1;
}

static int
sink_err(struct agentless_parser *p, const char *path)
{
	snprintf(p->error, sizeof(p->error), "%.200s: %s", path, strerror(errno));
	p->state = ST_ERROR;
	return -1;
}

/* One `od -An -v -tx1` line: blanks and two-digit hex bytes. */
static int
file_line(struct agentless_parser *p, const char *s, size_t n)
{
	unsigned char out[AGENTLESS_LINE_MAX / 2];
	size_t i = 0, k = 0;
	int hi, lo;

	if (n == 1 && s[0] == '.') {
		p->state = ST_RECORDS;
		if (p->sink.file_end(p->sink.arg) == -1)
			return sink_err(p, p->path);
		return 0;
	}
	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if (i + 1 >= n || (hi = pci_hexval((unsigned char)s[i])) < 0 ||
		    (lo = pci_hexval((unsigned char)s[i + 1])) < 0 ||
		    (i + 2 < n && s[i + 2] != ' ' && s[i + 2] != '\t'))
			return perr(p, "not a hex byte line%s", NULL);
		out[k++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	if (p->file_bytes + k > p->file_max)
		return perr(p, "%.100s: file over its size limit", p->path);
	if (p->total + k > AGENTLESS_TOTAL_MAX)
		return perr(p, "stream over the total size limit%s", NULL);
	p->file_bytes += k;
	p->total += k;
	if (k > 0 && p->sink.file_data(p->sink.arg, out, k) == -1)
		return sink_err(p, p->path);
	return 0;
}

/* "PATH" or "PATH REST" from s: path copied to out, *rest after the blank
 * (NULL when none). */
static int
split_path(struct agentless_parser *p, char *s, char *out, char **rest)
{
	char *sp = strchr(s, ' ');

	*rest = NULL;
	if (sp != NULL) {
		*sp = '\0';
		*rest = sp + 1;
	}
	if (!agentless_valid_path(s))
		return perr(p, "invalid path \"%.100s\"", s);
	snprintf(out, AGENTLESS_PATH_MAX, "%s", s);
	return 0;
}

static int
record_line(struct agentless_parser *p, char *s, size_t n)
{
	char path[AGENTLESS_PATH_MAX], *rest;
	unsigned char *v;
	size_t i, vlen;
	int rc;

	if (n == 3 && memcmp(s, "end", 3) == 0) {
		p->state = ST_END;
		return 0;
	}
	if (n < 3 || s[1] != ' ')
		return perr(p, "unknown record%s", NULL);
	if (++p->entries > AGENTLESS_ENTRIES_MAX)
		return perr(p, "too many records%s", NULL);
	switch (s[0]) {
	case 'd':
	case 'e':
	case 'f':
		if (split_path(p, s + 2, path, &rest) == -1)
			return -1;
		if (rest != NULL)
			return perr(p, "garbage after path%s", NULL);
		if (s[0] == 'd')
			rc = p->sink.dir(p->sink.arg, path);
		else if (s[0] == 'e')
			rc = p->sink.placeholder(p->sink.arg, path);
		else {
			rc = p->sink.file_begin(p->sink.arg, path);
			memcpy(p->path, path, sizeof(p->path));
			p->file_bytes = 0;
			p->file_max = file_limit(path);
			p->state = ST_FILE;
		}
		return rc == -1 ? sink_err(p, path) : 0;
	case 'l':
		if (split_path(p, s + 2, path, &rest) == -1)
			return -1;
		if (rest == NULL || !agentless_valid_link(path, rest))
			return perr(p, "invalid link target for \"%.100s\"", path);
		if (p->sink.link(p->sink.arg, path, rest) == -1)
			return sink_err(p, path);
		return 0;
	case 'a':
		if (split_path(p, s + 2, path, &rest) == -1)
			return -1;
		if (rest == NULL)
			return perr(p, "attribute without a value%s", NULL);
		vlen = strlen(rest);
		for (i = 0; i < vlen; i++) {
			unsigned char c = (unsigned char)rest[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return perr(p, "control byte in attribute \"%.100s\"", path);
		}
		if (p->total + vlen + 1 > AGENTLESS_TOTAL_MAX)
			return perr(p, "stream over the total size limit%s", NULL);
		p->total += vlen + 1;
		/* the value and its newline, written as one file */
		rest[vlen] = '\n';
		v = (unsigned char *)rest;
		if (p->sink.file_begin(p->sink.arg, path) == -1 ||
		    p->sink.file_data(p->sink.arg, v, vlen + 1) == -1 ||
		    p->sink.file_end(p->sink.arg) == -1)
			return sink_err(p, path);
		return 0;
	default:
		return perr(p, "unknown record%s", NULL);
	}
}

static int
one_line(struct agentless_parser *p, char *s, size_t n)
{
	p->lineno++;
	s[n] = '\0';
	if (memchr(s, '\0', n) != NULL)
		return perr(p, "NUL byte%s", NULL);
	switch (p->state) {
	case ST_HEADER:
		if (n != strlen(HEADER) || memcmp(s, HEADER, n) != 0)
			return perr(p, "not an agentless stream (bad header)%s", NULL);
		p->state = ST_RECORDS;
		return 0;
	case ST_RECORDS:
		return record_line(p, s, n);
	case ST_FILE:
		return file_line(p, s, n);
	case ST_END:
		return perr(p, "data after the end%s", NULL);
	case ST_ERROR:
		break;
	}
	return -1;
}

struct agentless_parser *
agentless_parser_new(const struct agentless_sink *sink)
{
	struct agentless_parser *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->sink = *sink;
	return p;
}

void
agentless_parser_free(struct agentless_parser *p)
{
	free(p);
}

int
agentless_parser_feed(struct agentless_parser *p, const char *buf, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		if (p->state == ST_ERROR)
			return -1;
		nl = memchr(buf, '\n', n);
		take = nl != NULL ? (size_t)(nl - buf) : n;
		if (p->len + take > AGENTLESS_LINE_MAX) {
			p->lineno++;
			return perr(p, "line too long%s", NULL);
		}
		memcpy(p->line + p->len, buf, take);
		p->len += take;
		if (nl == NULL)
			return 0;
		buf += take + 1;
		n -= take + 1;
		if (one_line(p, p->line, p->len) == -1)
			return -1;
		p->len = 0;
	}
	return p->state == ST_ERROR ? -1 : 0;
}

int
agentless_parser_finish(struct agentless_parser *p)
{
	if (p->state == ST_ERROR)
		return -1;
	if (p->len > 0) {
		p->lineno++;
		return perr(p, "stream cut in the middle of a line%s", NULL);
	}
	if (p->state != ST_END) {
		snprintf(p->error, sizeof(p->error), "stream ended early (%s)",
		         p->state == ST_HEADER ? "no header"
		         : p->state == ST_FILE ? "inside a file"
		                               : "no end marker");
		p->state = ST_ERROR;
		return -1;
	}
	return 0;
}

const char *
agentless_parser_error(const struct agentless_parser *p)
{
	return p->error;
}

size_t
agentless_parser_entries(const struct agentless_parser *p)
{
	return p->entries;
}

size_t
agentless_parser_bytes(const struct agentless_parser *p)
{
	return p->total;
}
