/*
 * hostname.c - host name syntax and identity (pure, no I/O).
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "common/utf8.h"
#include "proto/hostname.h"

#define HOSTNAME_GIVEN_MAX 253 /* a DNS name in text form */
#define LABEL_MAX 63

static int
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Blanks, separators and invisible format characters (Unicode Zs, Zl, Zp
 * and Cf): a name holding one looks like another name. */
static int
invisible(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
	        {0x00a0, 0x00a0},   {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},
	        {0x06dd, 0x06dd},   {0x070f, 0x070f},   {0x1680, 0x1680},   {0x180e, 0x180e},
	        {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},
	        {0x3000, 0x3000},   {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd},
	        {0x1d173, 0x1d17a}, {0xe0001, 0xe0001}, {0xe0020, 0xe007f},
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

/* Labels of letters, digits, '-', '_' and non-ASCII letters; no empty
 * label, no label starting or ending with '-'. */
static const char *
given_invalid(const unsigned char *p, size_t len)
{
	static const char why[] = "not a host name (letters, digits, '-', '_', '.')";
	size_t i, n, label = 0;
	uint32_t cp;

	if (len > 0 && p[len - 1] == '.')
		len--; /* the root's dot */
	if (len == 0 || len > HOSTNAME_GIVEN_MAX || p[0] == '_' || p[len - 1] == '.')
		return why;
	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] == '.') {
			if (label == 0 || p[i - 1] == '-')
				return why;
			label = 0;
			continue;
		}
		if (label == 0 && p[i] == '-')
			return why;
		if (p[i] >= 0x80) {
			n = utf8_seq(p + i, len - i, &cp);
			if (n == 0 || utf8_is_control(cp) || invisible(cp))
				return why;
		} else if (!ascii_alnum(p[i]) && p[i] != '-' && p[i] != '_')
			return why;
		if ((label += n) > LABEL_MAX)
			return why;
	}
	return p[len - 1] == '-' ? why : NULL;
}

const char *
hostname_invalid(const char *s, size_t len, enum hostname_kind kind)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n;
	uint32_t cp;

	if (s == NULL || len == 0)
		return "empty";
	if (len > HOSTNAME_MAX)
		return "longer than 255 bytes";
	for (i = 0; i < len; i += n) {
		if ((n = utf8_seq(p + i, len - i, &cp)) == 0)
			return "not UTF-8";
		if (utf8_is_control(cp))
			return "control character";
	}
	return kind == HOSTNAME_GIVEN ? given_invalid(p, len) : NULL;
}

/* Length of s without one trailing dot. */
static size_t
bare_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int
hostname_same(const char *reported, const char *known)
{
	size_t la, lb, fa, fb;

	if (reported == NULL || known == NULL)
		return 0;
	la = bare_len(reported);
	lb = bare_len(known);
	if (la == 0 || lb == 0 || reported[la - 1] == '.' || known[lb - 1] == '.')
		return 0; /* empty, or more than one trailing dot */
	if (la == lb && strncasecmp(reported, known, la) == 0)
		return 1;
	if (hostname_is_address(reported) || hostname_is_address(known))
		return 0; /* "10" is no short name of 10.0.0.1 */
	/* first labels; a side whose first label is all of it is a short name */
	fa = strcspn(reported, ".");
	fb = strcspn(known, ".");
	if (fa > la)
		fa = la;
	if (fb > lb)
		fb = lb;
	if (fa != la && fb != lb)
		return 0; /* two FQDNs */
	return fa == fb && fa > 0 && strncasecmp(reported, known, fa) == 0;
}

void
hostname_key(const char *s, char *out, size_t outlen)
{
	size_t i, n;

	if (outlen == 0)
		return;
	n = bare_len(s);
	/* "." stays "."; "a.." stays "a..": dropping one dot of two would
	 * make a key that is another name's spelling, and keying a key again
	 * must not change it (migration 007 renames rows one at a time) */
	if (n == 0 || (n > 0 && s[n - 1] == '.'))
		n = strlen(s);
	if (n > outlen - 1)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[n] = '\0';
}

int
hostname_is_address(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}
