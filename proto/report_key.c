/*
 * report_key.c - content key of a report's JSON text: find the top-level
 * report_id and collected_at values with a small structural scan (no
 * decoding: strings are skipped, not interpreted) and hash the rest.
 * Pure: no I/O.
 */
#include <string.h>

#include "proto/report_key.h"
#include "proto/stamp.h"

/* The hash input goes through a small buffer: one sha256_update per 4 KB. */
struct feed {
	struct sha256 c;
	unsigned char buf[4096];
	size_t n;
	int last; /* the last byte fed, -1 at the start */
};

static void
feed_flush(struct feed *f)
{
	sha256_update(&f->c, f->buf, f->n);
	f->n = 0;
}

static void
feed(struct feed *f, const char *p, size_t n)
{
	if (n == 0)
		return;
	f->last = (unsigned char)p[n - 1];
	if (n > sizeof(f->buf) - f->n) {
		feed_flush(f);
		if (n > sizeof(f->buf)) {
			sha256_update(&f->c, p, n);
			return;
		}
	}
	memcpy(f->buf + f->n, p, n);
	f->n += n;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whitespace next to one of these is never part of a token. */
static int
is_structural(int c)
{
	return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == '"';
}

static int
is_ours(const char *p, size_t n, int *which)
{
	if (n == 9 && memcmp(p, "report_id", 9) == 0)
		*which = 0;
	else if (n == 12 && memcmp(p, "collected_at", 12) == 0)
		*which = 1;
	else
		return 0;
	return 1;
}

/* The end of the string starting at text[i] == '"': index after the
 * closing quote, or 0 when unterminated.  *esc: it held a backslash. */
static size_t
skip_string(const char *text, size_t len, size_t i, int *esc)
{
	*esc = 0;
	for (i++; i < len; i++) {
		if (text[i] == '"')
			return i + 1;
		if (text[i] == '\\') {
			*esc = 1;
			i++;
		}
	}
	return 0;
}

/*
 * Feed the text to the hash without the whitespace between tokens and with
 * the two values replaced by NUL (which JSON text never holds), and copy
 * those values out.  Whitespace between two non-structural characters is
 * kept, so "1 2" never passes for "12".  0 when the layout is not the
 * plain one we trust (not an object, a key of ours escaped, repeated or
 * not a plain string, unterminated).
 */
static int
scan(const char *text, size_t len, struct feed *f, struct report_key *k)
{
	size_t i = 0, e, j, kstart = 0, klen = 0;
	int depth = 0, expect_key = 0, esc, which, seen[2] = {0, 0};

	while (i < len && is_space((unsigned char)text[i]))
		i++;
	if (i >= len || text[i] != '{')
		return 0;
	while (i < len) {
		int c = (unsigned char)text[i];

		if (c == '"') {
			if ((e = skip_string(text, len, i, &esc)) == 0)
				return 0;
			if (depth == 1 && expect_key) {
				if (esc)
					return 0; /* a key spelt with escapes: decode instead */
				kstart = i + 1;
				klen = e - i - 2;
				expect_key = 0;
			} else if (depth == 1 && klen > 0 && is_ours(text + kstart, klen, &which)) {
				if (seen[which] || esc || e - i - 2 >= sizeof(k->report_id))
					return 0;
				seen[which] = 1;
				if (which == 0)
					memcpy(k->report_id, text + i + 1, e - i - 2);
				else if (e - i - 2 < sizeof(k->collected_at))
					memcpy(k->collected_at, text + i + 1, e - i - 2);
				else
					return 0;
				feed(f, "\"\0\"", 3);
				klen = 0;
				i = e;
				continue;
			} else if (depth == 1)
				klen = 0;
			feed(f, text + i, e - i);
			i = e;
			continue;
		}
		if (is_space(c)) {
			for (j = i; j < len && is_space((unsigned char)text[j]); j++)
				;
			if (!(f->last == -1 || is_structural(f->last) ||
			      (j < len && is_structural((unsigned char)text[j]))))
				feed(f, text + i, j - i);
			i = j;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == 1 && klen > 0 && is_ours(text + kstart, klen, &which))
				return 0; /* our key with a non-string value */
			depth++;
			expect_key = depth == 1;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == ',' && depth == 1) {
			expect_key = 1;
			klen = 0;
		} else if (depth == 1 && c != ':' && klen > 0 &&
		           is_ours(text + kstart, klen, &which)) {
			return 0; /* our key with a non-string value */
		}
		feed(f, text + i, 1);
		i++;
	}
	return seen[0] && seen[1];
}

void
report_key_compute(const char *text, size_t len, struct report_key *k)
{
	unsigned char md[SHA256_LEN];
	struct feed *f, fbuf;
	int i;

	memset(k, 0, sizeof(*k));
	f = &fbuf;
	sha256_init(&f->c);
	f->n = 0;
	f->last = -1;
	if (scan(text, len, f, k) && stamp_uuid_ok(k->report_id, strlen(k->report_id)) &&
	    stamp_time_ok(k->collected_at, strlen(k->collected_at))) {
		k->ok = 1;
		feed_flush(f);
	} else {
		/* not trusted: the key of the text as it is, never equal to a
		 * trusted one (those hold NUL bytes) */
		memset(k->report_id, 0, sizeof(k->report_id));
		memset(k->collected_at, 0, sizeof(k->collected_at));
		sha256_init(&f->c);
		sha256_update(&f->c, text, len);
	}
	sha256_final(&f->c, md);
	for (i = 0; i < SHA256_LEN; i++) {
		k->sha256[2 * i] = "0123456789abcdef"[md[i] >> 4];
		k->sha256[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	k->sha256[64] = '\0';
}
