/*
 * json_writer.c - JSON written straight into a buffer, as jansson's
 * json_dumps() writes it (dump.c: separators, indentation, string escapes;
 * strconv.c: reals).  Pure: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json_writer.h"

static void
out(struct json_writer *w, const char *p, size_t n)
{
	struct growbuf *b = &w->b;

	/* the common case here, not a call: room for the bytes and the NUL
	 * (a report of 160 devices is some 20,000 pieces) */
	if (b->len + n < b->cap) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	if (!w->failed && growbuf_append(b, p, n) == -1)
		w->failed = 1;
}

/* A new line and two spaces a level, in pretty mode only. */
static void
indent(struct json_writer *w, int depth)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)depth * 2;

	if (!w->pretty)
		return;
	out(w, "\n", 1);
	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		out(w, spaces, k);
		n -= k;
	}
}

/* What comes before a value or a key inside a container: "," after the
 * first, then the line break. */
static void
before(struct json_writer *w)
{
	if (w->depth == 0)
		return;
	if (w->items[w->depth - 1] > 0)
		out(w, ",", 1);
	indent(w, w->depth);
	w->items[w->depth - 1]++;
}

void
json_writer_init(struct json_writer *w, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->pretty = pretty;
}

char *
json_writer_finish(struct json_writer *w)
{
	if (w->failed || w->depth != 0 || w->b.data == NULL) {
		free(w->b.data);
		w->b.data = NULL;
		return NULL;
	}
	return w->b.data;
}

/* Is the next value a member's, after its key?  Objects remember it in
 * the low bit of opened[]: set by a key, cleared by the value. */
static int
take_key(struct json_writer *w)
{
	int keyed;

	if (w->depth == 0)
		return 0;
	keyed = (int)(w->opened[w->depth - 1] & 1);
	w->opened[w->depth - 1] &= ~(size_t)1;
	return keyed;
}

/* A member's value follows its key: the key wrote the separator. */
static void
value_begin(struct json_writer *w)
{
	if (!take_key(w))
		before(w);
}

static void
open_container(struct json_writer *w, char c)
{
	value_begin(w);
	out(w, &c, 1);
	if (w->depth >= JSON_WRITER_DEPTH) {
		w->failed = 1;
		return;
	}
	w->items[w->depth] = 0;
	/* bit 1: an object ('{'), bit 0: a key waits for its value */
	w->opened[w->depth] = c == '{' ? 2 : 0;
	w->depth++;
}

void
json_writer_object(struct json_writer *w)
{
	open_container(w, '{');
}

void
json_writer_array(struct json_writer *w)
{
	open_container(w, '[');
}

void
json_writer_end(struct json_writer *w)
{
	char c;

	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	c = (w->opened[w->depth - 1] & 2) ? '}' : ']';
	w->depth--;
	if (w->items[w->depth] > 0)
		indent(w, w->depth);
	out(w, &c, 1);
}

/* dump.c dump_string(), without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH:
 * only '"', '\\' and control characters are escaped; the input is valid
 * UTF-8, so every other byte is copied as it is. */
static void
string(struct json_writer *w, const char *s, size_t n)
{
	const char *run = s, *end = s + n;
	char seq[8];

	out(w, "\"", 1);
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		const char *esc;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		out(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			snprintf(seq, sizeof(seq), "\\u%04X", c);
			esc = seq;
			break;
		}
		out(w, esc, strlen(esc));
	}
	out(w, run, (size_t)(end - run));
	out(w, "\"", 1);
}

void
json_writer_key(struct json_writer *w, const char *s, size_t n)
{
	if (w->depth == 0 || !(w->opened[w->depth - 1] & 2)) {
		w->failed = 1;
		return;
	}
	before(w);
	string(w, s, n);
	out(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->opened[w->depth - 1] |= 1;
}

void
json_writer_string(struct json_writer *w, const char *s, size_t n)
{
	value_begin(w);
	string(w, s, n);
}

void
json_writer_null(struct json_writer *w)
{
	value_begin(w);
	out(w, "null", 4);
}

void
json_writer_bool(struct json_writer *w, int v)
{
	value_begin(w);
	out(w, v ? "true" : "false", v ? 4 : 5);
}

/* u's decimal digits written backwards ending at end, as "%llu" prints
 * them: where they start (20 bytes are room for any). */
static char *
digits_before(char *end, unsigned long long u)
{
	do
		*--end = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

void
json_writer_int(struct json_writer *w, long long v)
{
	char buf[24], *p;

	p = digits_before(buf + sizeof(buf),
	                  v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	value_begin(w);
	out(w, p, (size_t)(buf + sizeof(buf) - p));
}

/* "%.15g" of v without printf, for the common value of a report, a log
 * line's time: microseconds, 1e-4 <= v < 1e8 (one printf was 3,000
 * instructions, most of the encoder's time for the lines).  Such a value
 * is within 1.5 units in the last place of the decimal d / 1e6, which
 * has at most 14 significant digits; v then lies closer to that decimal
 * than half a unit of the 15th digit, so rounding to 15 digits gives it,
 * and %g drops the trailing zeros (and the point).  0 when v is not such
 * a value (the caller prints it). */
static size_t
real_micro(double v, char *buf)
{
	long long d, frac;
	double back;
	char digits[24], *p;
	size_t n, k;
	int i;

	if (!(v >= 1e-4 && v < 1e8))
		return 0;
	d = (long long)(v * 1e6 + 0.5);
	back = (double)d / 1e6;
	if ((back > v ? back - v : v - back) > 3.3e-16 * v)
		return 0;
	frac = d % 1000000;
	p = digits_before(digits + sizeof(digits), (unsigned long long)(d / 1000000));
	n = (size_t)(digits + sizeof(digits) - p);
	memcpy(buf, p, n);
	if (frac != 0) {
		buf[n++] = '.';
		for (i = 5, k = n; i >= 0; i--, frac /= 10)
			buf[k + (size_t)i] = (char)('0' + frac % 10);
		n += 6;
		while (buf[n - 1] == '0')
			n--;
	}
	buf[n] = '\0';
	return n;
}

/* strconv.c jsonp_dtostr() with precision 15: "%.15g", ".0" when neither
 * a dot nor an exponent shows (else it would read back as an integer),
 * and no '+' or leading zeros in the exponent. */
void
json_writer_real(struct json_writer *w, double v)
{
	char buf[64], *e, *digits, *p;
	int n = (int)real_micro(v, buf);

	if (n == 0)
		n = snprintf(buf, sizeof(buf) - 3, "%.15g", v);

	value_begin(w);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3) {
		w->failed = 1;
		return;
	}
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		e++;
		digits = e + 1;
		if (*e == '-')
			e++;
		while (*digits == '0')
			digits++;
		if (digits != e) {
			for (p = e; *digits != '\0';)
				*p++ = *digits++;
			*p = '\0';
			n = (int)strlen(buf);
		}
	}
	out(w, buf, (size_t)n);
}
