/*
 * token.c - push token format, hash and constant-time compare.  Pure: no
 * I/O (the random bytes come from the caller).
 */
#include <stdio.h>
#include <string.h>

#include "collector/token.h"

void
token_format(const unsigned char rnd[TOKEN_RANDOM_BYTES], char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n;

	if (outlen < TOKEN_LEN + 1) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	n = sizeof(TOKEN_PREFIX) - 1;
	memcpy(out, TOKEN_PREFIX, n);
	for (i = 0; i < TOKEN_RANDOM_BYTES; i++) {
		out[n++] = hex[rnd[i] >> 4];
		out[n++] = hex[rnd[i] & 0x0f];
	}
	out[n] = '\0';
}

int
token_parse(const char *s, size_t len, char *id, size_t idlen, char *err, size_t errlen)
{
	size_t i, plen = sizeof(TOKEN_PREFIX) - 1;

	if (idlen < TOKEN_ID_LEN + 1) {
		snprintf(err, errlen, "id buffer too small");
		return -1;
	}
	if (len != TOKEN_LEN) {
		snprintf(err, errlen, "token: %zu bytes, expected %zu", len, (size_t)TOKEN_LEN);
		return -1;
	}
	if (memcmp(s, TOKEN_PREFIX, plen) != 0) {
		snprintf(err, errlen, "token: does not start with \"%s\"", TOKEN_PREFIX);
		return -1;
	}
	for (i = plen; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			snprintf(err, errlen, "token: not lowercase hex at byte %zu", i);
			return -1;
		}
	}
	memcpy(id, s + plen, TOKEN_ID_LEN);
	id[TOKEN_ID_LEN] = '\0';
	return 0;
}

void
token_hash(const char *s, size_t len, char out[SHA256_HEX_LEN])
{
	sha256_hex(s, len, out);
}

int
token_hash_equal(const char *a, const char *b)
{
	unsigned char diff = 0;
	size_t i;

	if (strlen(a) != SHA256_HEX_LEN - 1 || strlen(b) != SHA256_HEX_LEN - 1)
		return 0;
	/* no early exit: the time does not say how much of a guess was right */
	for (i = 0; i < SHA256_HEX_LEN - 1; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
