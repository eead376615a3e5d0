/*
 * hostname.c - host name syntax and identity (pure, no I/O).
 */
#include <string.h>
#include <strings.h>

#include "common/utf8.h"
#include "proto/hostname.h"
#include "proto/pci_addr.h"

#define HOSTNAME_GIVEN_MAX 253 /* a DNS name in text form */
#define LABEL_MAX 63

static int
ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Labels of letters, digits, '-', '_' and non-ASCII letters; no empty
 * label, no label ending in '-'. */
static const char *
given_invalid(const unsigned char *p, size_t len)
{
	static const char why[] = "not a host name (letters, digits, '-', '_', '.')";
	size_t i, n, label = 0;
	uint32_t cp;

	if (len > 0 && p[len - 1] == '.')
		len--; /* the root's dot */
	if (len == 0 || len > HOSTNAME_GIVEN_MAX || p[0] == '-' || p[0] == '_' || p[0] == '.')
		return why;
	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] == '.') {
			if (label == 0 || p[i - 1] == '-')
				return why;
			label = 0;
			continue;
		}
		if (p[i] >= 0x80) {
			n = utf8_seq(p + i, len - i, &cp);
			if (n == 0 || utf8_is_control(cp) || cp == 0xa0)
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
	if (la == lb && strncasecmp(reported, known, la) == 0)
		return la > 0;
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

static int
valid_ipv6(const char *s)
{
	size_t i, len = strlen(s), colons = 0;

	if (len < 2 || len > 45)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == ':')
			colons++;
		else if (pci_hexval((unsigned char)s[i]) < 0 && s[i] != '.')
			return 0;
	}
	return colons >= 2 && colons <= 7;
}

static int
valid_ipv4(const char *s)
{
	int parts = 0, digits = 0, value = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			value = value * 10 + (*s - '0');
			if (++digits > 3 || value > 255)
				return 0;
		} else if (*s == '.' || *s == '\0') {
			if (digits == 0)
				return 0;
			parts++;
			digits = value = 0;
			if (*s == '\0')
				break;
		} else
			return 0;
	}
	return parts == 4;
}

int
hostname_is_address(const char *s)
{
	return valid_ipv4(s) || valid_ipv6(s);
}
