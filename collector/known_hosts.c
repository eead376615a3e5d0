/*
 * known_hosts.c - known_hosts lines and ssh_config's HashKnownHosts, the
 * way OpenSSH reads them (hostfile.c, match.c): patterns, hashed names,
 * markers.  Pure: no I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collector/known_hosts.h"
#include "common/base64.h"
#include "collector/known_hosts_hash.h"

int
known_hosts_name(const char *host, int port, char *out, size_t len)
{
	int n;

	if (port == 22 || port == 0)
		n = snprintf(out, len, "%s", host);
	else
		n = snprintf(out, len, "[%s]:%d", host, port);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Shell-style * and ? over name, ASCII case ignored (match.c's
 * match_pattern).  Iterative: on a mismatch only the last * takes one more
 * byte, so a pattern of many stars costs O(pattern x name), not the
 * exponential recursion it was (fuzz_known_hosts: "*a*a*a...b" ran for
 * minutes). */
static int
known_hosts_glob(const char *p, size_t plen, const char *s)
{
	size_t i = 0, star = (size_t)-1;
	const char *mark = NULL;

	while (*s != '\0') {
		if (i < plen && p[i] == '*') {
			star = i++;
			mark = s;
		} else if (i < plen && (p[i] == '?' || tolower((unsigned char)p[i]) ==
		                                               tolower((unsigned char)*s))) {
			i++;
			s++;
		} else if (mark != NULL) {
			i = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (i < plen && p[i] == '*')
		i++;
	return i == plen;
}

/* "|1|SALT|HASH" against name. */
static int
known_hosts_match_hashed(const char *p, size_t len, const char *name)
{
	unsigned char salt[64], hash[64], mac[KNOWN_HOSTS_SHA1_LEN];
	const char *bar;
	int slen, hlen;

	if (len < 3 || memcmp(p, "|1|", 3) != 0)
		return 0;
	p += 3, len -= 3;
	if ((bar = memchr(p, '|', len)) == NULL)
		return 0;
	slen = base64_decode(p, (size_t)(bar - p), salt, sizeof(salt));
	hlen = base64_decode(bar + 1, len - (size_t)(bar + 1 - p), hash, sizeof(hash));
	if (slen <= 0 || hlen != KNOWN_HOSTS_SHA1_LEN)
		return 0;
	known_hosts_hmac_sha1(salt, (size_t)slen, name, strlen(name), mac);
	return memcmp(mac, hash, sizeof(mac)) == 0;
}

int
known_hosts_match(const char *patterns, size_t len, const char *name)
{
	const char *p = patterns, *end = patterns + len, *comma;
	int found = 0;

	if (len > 0 && patterns[0] == '|')
		return known_hosts_match_hashed(patterns, len, name);
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (*p == '!') {
			/* a negated pattern that matches rules the host out */
			if (known_hosts_glob(p + 1, (size_t)(comma - p - 1), name))
				return 0;
		} else if (known_hosts_glob(p, (size_t)(comma - p), name)) {
			found = 1;
		}
		p = comma + 1;
	}
	return found;
}

/* The next whitespace-separated field of a line: its start and length. */
static const char *
known_hosts_field(const char **p, const char *end, size_t *len)
{
	const char *s;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*len = (size_t)(*p - s);
	return s;
}

static int
known_hosts_eq(const char *s, size_t len, const char *z)
{
	return strlen(z) == len && memcmp(s, z, len) == 0;
}

/* One line's finding for name and the key, KNOWN_HOSTS_NONE when it says
 * nothing about them. */
static enum known_hosts_state
known_hosts_line(const char *p, const char *end, const char *name, const char *type,
                 const char *b64, char *etype, size_t etypelen)
{
	const char *hosts, *t, *k, *f;
	size_t hlen, tlen, klen, flen;
	int marker = 0; /* 1 revoked, 2 cert-authority */

	f = known_hosts_field(&p, end, &flen);
	if (flen == 0 || f[0] == '#')
		return KNOWN_HOSTS_NONE;
	if (f[0] == '@') {
		if (known_hosts_eq(f, flen, "@revoked"))
			marker = 1;
		else if (known_hosts_eq(f, flen, "@cert-authority"))
			marker = 2;
		else
			return KNOWN_HOSTS_NONE; /* OpenSSH ignores unknown markers */
		f = known_hosts_field(&p, end, &flen);
	}
	hosts = f, hlen = flen;
	t = known_hosts_field(&p, end, &tlen);
	k = known_hosts_field(&p, end, &klen);
	if (hlen == 0 || tlen == 0 || klen == 0 || marker == 2 ||
	    !known_hosts_match(hosts, hlen, name))
		return KNOWN_HOSTS_NONE;
	snprintf(etype, etypelen, "%.*s", (int)tlen, t);
	if (marker == 1)
		return known_hosts_eq(t, tlen, type) && known_hosts_eq(k, klen, b64)
		               ? KNOWN_HOSTS_REVOKED
		               : KNOWN_HOSTS_NONE;
	if (!known_hosts_eq(t, tlen, type))
		return KNOWN_HOSTS_OTHER;
	return known_hosts_eq(k, klen, b64) ? KNOWN_HOSTS_KNOWN : KNOWN_HOSTS_CHANGED;
}

void
known_hosts_lookup(const char *text, size_t len, const char *name, const char *type,
                   const char *b64, struct known_hosts_result *r)
{
	const char *p = text, *end = text + len, *nl;
	enum known_hosts_state st;
	char etype[sizeof(r->type)];
	int lineno = 0;

	memset(r, 0, sizeof(*r));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		st = known_hosts_line(p, nl > p && nl[-1] == '\r' ? nl - 1 : nl, name, type, b64,
		                      etype, sizeof(etype));
		if (st > r->state) {
			r->state = st;
			r->line = lineno;
			snprintf(r->type, sizeof(r->type), "%s", etype);
		}
		p = nl + 1;
	}
}

int
known_hosts_has_hashed(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *f;
	size_t flen;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		f = known_hosts_field(&p, nl, &flen);
		if (flen > 0 && f[0] == '@')
			f = known_hosts_field(&p, nl, &flen);
		if (flen > 3 && memcmp(f, "|1|", 3) == 0)
			return 1;
		p = nl + 1;
	}
	return 0;
}

int
known_hosts_format(const char *name, const char *type, const char *b64, const unsigned char *salt,
                   char *out, size_t outlen)
{
	unsigned char mac[KNOWN_HOSTS_SHA1_LEN];
	char s64[64], h64[64];
	int n;

	if (salt == NULL) {
		n = snprintf(out, outlen, "%s %s %s\n", name, type, b64);
	} else {
		known_hosts_hmac_sha1(salt, KNOWN_HOSTS_SALT_LEN, name, strlen(name), mac);
		if (base64_encode(salt, KNOWN_HOSTS_SALT_LEN, s64, sizeof(s64)) == -1 ||
		    base64_encode(mac, sizeof(mac), h64, sizeof(h64)) == -1)
			return -1;
		n = snprintf(out, outlen, "|1|%s|%s %s %s\n", s64, h64, type, b64);
	}
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

/* The keyword and the rest of one ssh_config line ("Key value" or
 * "Key=value"): 0 for a line that has both, -1 otherwise. */
static int
known_hosts_config_line(const char *p, const char *end, const char **kw, size_t *kwlen,
                        const char **val, size_t *vlen)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	*kw = p;
	while (p < end && !isspace((unsigned char)*p) && *p != '=')
		p++;
	*kwlen = (size_t)(p - *kw);
	while (p < end && (isspace((unsigned char)*p) || *p == '='))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*val = p;
	*vlen = (size_t)(end - p);
	return *kwlen > 0 && **kw != '#' && *vlen > 0 ? 0 : -1;
}

/* A Host line's patterns (space-separated) against host. */
static int
known_hosts_config_host(const char *val, size_t vlen, const char *host)
{
	const char *p = val, *end = val + vlen, *w;
	size_t wlen;
	int found = 0;

	for (;;) {
		w = known_hosts_field(&p, end, &wlen);
		if (wlen == 0)
			return found;
		if (w[0] == '!' && known_hosts_glob(w + 1, wlen - 1, host))
			return 0;
		if (w[0] != '!' && known_hosts_glob(w, wlen, host))
			found = 1;
	}
}

int
known_hosts_config_hash(const char *text, size_t len, const char *host)
{
	const char *p = text, *end = text + len, *nl, *kw, *val;
	size_t kwlen, vlen;
	int active = 1;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (known_hosts_config_line(p, nl, &kw, &kwlen, &val, &vlen) == -1)
			continue;
		if (kwlen == 4 && strncasecmp(kw, "host", 4) == 0)
			active = known_hosts_config_host(val, vlen, host);
		else if (kwlen == 5 && strncasecmp(kw, "match", 5) == 0)
			active = vlen == 3 && strncasecmp(val, "all", 3) == 0;
		else if (active && kwlen == 14 && strncasecmp(kw, "hashknownhosts", 14) == 0)
			return vlen == 3 && strncasecmp(val, "yes", 3) == 0;
	}
	return -1;
}
