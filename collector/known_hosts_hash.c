/*
 * known_hosts_hash.c - SHA-1 (FIPS 180-4), HMAC (RFC 2104) and base64
 * (RFC 4648), just what hashed known_hosts names need.  Pure: no I/O.
 */
#include <stdint.h>
#include <string.h>

#include "collector/known_hosts_hash.h"

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

static uint32_t
rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void
sha1_block(struct sha1 *c, const unsigned char *p)
{
	uint32_t w[80], a, b, d, e, f, k, t, cc;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (b & cc) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ cc ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & cc) | (b & d) | (cc & d), k = 0x8f1bbcdc;
		else
			f = b ^ cc ^ d, k = 0xca62c1d6;
		t = rol(a, 5) + f + e + k + w[i];
		e = d, d = cc, cc = rol(b, 30), b = a, a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void
sha1_init(struct sha1 *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memset(c, 0, sizeof(*c));
	memcpy(c->h, iv, sizeof(iv));
}

static void
sha1_update(struct sha1 *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	c->len += len;
	while (len > 0) {
		n = 64 - c->nbuf < len ? 64 - c->nbuf : len;
		memcpy(c->buf + c->nbuf, p, n);
		c->nbuf += n, p += n, len -= n;
		if (c->nbuf == 64) {
			sha1_block(c, c->buf);
			c->nbuf = 0;
		}
	}
}

static void
sha1_final(struct sha1 *c, unsigned char out[KNOWN_HOSTS_SHA1_LEN])
{
	uint64_t bits = c->len * 8;
	unsigned char pad = 0x80, len[8];
	int i;

	sha1_update(c, &pad, 1);
	pad = 0;
	while (c->nbuf != 56)
		sha1_update(c, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(c, len, 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void
known_hosts_hmac_sha1(const unsigned char *key, size_t keylen, const void *msg, size_t msglen,
                      unsigned char out[KNOWN_HOSTS_SHA1_LEN])
{
	unsigned char k[64] = {0}, pad[64], inner[KNOWN_HOSTS_SHA1_LEN];
	struct sha1 c;
	int i;

	if (keylen > 64) {
		sha1_init(&c);
		sha1_update(&c, key, keylen);
		sha1_final(&c, k);
	} else {
		memcpy(k, key, keylen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, 64);
	sha1_update(&c, msg, msglen);
	sha1_final(&c, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_init(&c);
	sha1_update(&c, pad, 64);
	sha1_update(&c, inner, sizeof(inner));
	sha1_final(&c, out);
}
