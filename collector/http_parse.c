/*
 * http_parse.c - parse the few header values the push endpoint needs and
 * escape strings for JSON error bodies.  Pure: no I/O.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collector/http_parse.h"
#include "proto/hostname.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

int
http_parse_bearer(const char *hdr, const char **tok, size_t *len)
{
	const char *p, *end;

	if (hdr == NULL)
		return -1;
	p = hdr;
	while (is_space(*p))
		p++;
	if (strncasecmp(p, "Bearer", 6) != 0 || !is_space(p[6]))
		return -1;
	p += 6;
	while (is_space(*p))
		p++;
	end = p + strlen(p);
	while (end > p && is_space(end[-1]))
		end--;
	if (end == p)
		return -1;
	/* one token68 word: no spaces inside */
	for (*tok = p; p < end; p++) {
		if (is_space(*p) || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return -1;
	}
	*len = (size_t)(end - *tok);
	return 0;
}

int
http_parse_is_json(const char *ct)
{
	static const char want[] = "application/json";
	const char *p;

	if (ct == NULL)
		return 0;
	p = ct;
	while (is_space(*p))
		p++;
	if (strncasecmp(p, want, sizeof(want) - 1) != 0)
		return 0;
	p += sizeof(want) - 1;
	while (is_space(*p))
		p++;
	return *p == '\0' || *p == ';';
}

int
http_parse_content_length(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (~0ULL - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	return 0;
}

int
http_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, char *err,
                  size_t errlen)
{
	const char *colon, *hs, *he, *p;
	unsigned long v = 0;

	if (s[0] == '[') {
		hs = s + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':') {
			snprintf(err, errlen, "\"%s\": expected [ADDRESS]:PORT", s);
			return -1;
		}
		colon = he + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL) {
			snprintf(err, errlen, "\"%s\": expected ADDRESS:PORT", s);
			return -1;
		}
		hs = s;
		he = colon;
	}
	if (he == hs || (size_t)(he - hs) >= hostlen) {
		snprintf(err, errlen, "\"%s\": bad address", s);
		return -1;
	}
	if (colon[1] == '\0') {
		snprintf(err, errlen, "\"%s\": missing port", s);
		return -1;
	}
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (unsigned long)(*p - '0')) > 65535) {
			snprintf(err, errlen, "\"%s\": bad port", s);
			return -1;
		}
	}
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	/* a name would need the resolver, and could name several addresses */
	if (!hostname_is_address(host)) {
		snprintf(err, errlen,
		         "\"%s\": not a numeric IPv4 or IPv6 address (try 127.0.0.1:%lu,"
		         " 0.0.0.0:%lu or [::]:%lu)",
		         host, v, v, v);
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

char *
http_parse_json_escape(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned char c;

	if (outlen == 0)
		return out;
	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			if (n + 2 >= outlen)
				break;
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			if (n + 6 >= outlen)
				break;
			out[n++] = '\\';
			out[n++] = 'u';
			out[n++] = '0';
			out[n++] = '0';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		} else {
			if (n + 1 >= outlen)
				break;
			/* error texts may quote a peer's bytes: ASCII only, so the
			 * body is valid JSON whatever they were */
			out[n++] = c < 0x80 ? (char)c : '?';
		}
	}
	out[n] = '\0';
	return out;
}
