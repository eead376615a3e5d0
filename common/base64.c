/*
 * base64.c - standard base64 with padding, both ways (RFC 4648): the hashed
 * known_hosts entries and the page's script hash.  Pure: no I/O.
 */
#include <stdint.h>
#include <string.h>

#include "common/base64.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;
	uint32_t v;

	if (outlen < (len + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

int
base64_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	const char *p;
	uint32_t v = 0;
	size_t i, o = 0;
	int bits = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (in[i] == '=') {
			if (i < len - 2 || (i == len - 2 && in[i + 1] != '='))
				return -1;
			break;
		}
		if (in[i] == '\0' || (p = strchr(b64, in[i])) == NULL)
			return -1;
		v = v << 6 | (uint32_t)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outlen)
				return -1;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	return (int)o;
}
