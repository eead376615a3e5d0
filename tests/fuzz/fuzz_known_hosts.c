/*
 * fuzz_known_hosts.c - libFuzzer harness for the known_hosts and ssh_config
 * readers (known_hosts.c): the files are the user's, but a pulled host's
 * key and name flow into them.  Pure: no I/O.  The input is
 * "NAME\nTYPE\nB64\n" and then a known_hosts text; abort() when one of
 * these breaks:
 * - a lookup's deciding line is within the text, and it names a type when
 *   it decides anything;
 * - "known" only when the text holds the key, "revoked" only when it holds
 *   "@revoked";
 * - an entry known_hosts_format writes, plain or hashed, for a name the
 *   collector can ask about ([host]:port of tame bytes) is found again:
 *   known with its key on line 1 after the text, changed with another key,
 *   matched by its own pattern;
 * - the ssh_config reader answers -1, 0 or 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/known_hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next '\n'-ended field of [*p, end) into out (NUL-terminated, at most
 * outlen - 1 bytes): 0, or -1 when there is none or it is too long. */
static int
field(const char **p, const char *end, char *out, size_t outlen)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n;

	if (nl == NULL || (n = (size_t)(nl - *p)) >= outlen)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = nl + 1;
	return 0;
}

/* Non-empty, of the bytes host names, key types (extra "") or base64
 * blobs (extra "+/=" and capitals) are made of. */
static int
tame(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '-' || (*s != '\0' && strchr(extra, *s) != NULL)))
			return 0;
	return 1;
}

static size_t
count_lines(const char *text, size_t len)
{
	size_t i, n = 1;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	return n;
}

static void
check_lookup(const char *text, size_t len, const char *name, const char *type, const char *b64)
{
	struct known_hosts_result r;

	memset(&r, 0x5a, sizeof(r));
	known_hosts_lookup(text, len, name, type, b64, &r);
	if (r.line < 0 || (size_t)r.line > count_lines(text, len))
		abort();
	if (r.state != KNOWN_HOSTS_NONE &&
	    (r.line == 0 || memchr(r.type, '\0', sizeof(r.type)) == NULL))
		abort();
	if (r.state == KNOWN_HOSTS_KNOWN &&
	    (*b64 == '\0' || memmem(text, len, b64, strlen(b64)) == NULL))
		abort();
	if (r.state == KNOWN_HOSTS_REVOKED && memmem(text, len, "@revoked", 8) == NULL)
		abort();
}

/* An entry we write is read back as we wrote it. */
static void
check_round_trip(const char *host, const char *type, const char *b64, const uint8_t *salt)
{
	struct known_hosts_result r;
	char name[300], line[2048], *sp;
	int n;

	if (!tame(host, "") || !tame(type, "@") || !tame(b64, "+/=ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
	    strlen(host) > 200 || known_hosts_name(host, 2222, name, sizeof(name)) == -1)
		return;
	n = known_hosts_format(name, type, b64, salt, line, sizeof(line));
	if (n <= 0)
		return;
	if ((size_t)n != strlen(line) || line[n - 1] != '\n')
		abort();
	known_hosts_lookup(line, (size_t)n, name, type, b64, &r);
	if (r.state != KNOWN_HOSTS_KNOWN || r.line != 1 || strcmp(r.type, type) != 0)
		abort();
	known_hosts_lookup(line, (size_t)n, name, type, "AAAAotherkey", &r);
	if (strcmp(b64, "AAAAotherkey") != 0 && r.state != KNOWN_HOSTS_CHANGED)
		abort();
	if ((sp = strchr(line, ' ')) == NULL || !known_hosts_match(line, (size_t)(sp - line), name))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char name[256], type[64], b64[512];
	int h;

	if (field(&p, end, name, sizeof(name)) == -1 || field(&p, end, type, sizeof(type)) == -1 ||
	    field(&p, end, b64, sizeof(b64)) == -1)
		return 0;
	check_lookup(p, (size_t)(end - p), name, type, b64);
	(void)known_hosts_has_hashed(p, (size_t)(end - p));
	(void)known_hosts_match(p, (size_t)(end - p), name);
	h = known_hosts_config_hash(p, (size_t)(end - p), name);
	if (h < -1 || h > 1)
		abort();
	check_round_trip(name, type, b64, NULL);
	if (size >= KNOWN_HOSTS_SALT_LEN)
		check_round_trip(name, type, b64, data + size - KNOWN_HOSTS_SALT_LEN);
	return 0;
}
