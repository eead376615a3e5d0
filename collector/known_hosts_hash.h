/*
 * known_hosts_hash.h - what hashed known_hosts entries ("|1|SALT|HASH",
 * HashKnownHosts) are made of: HMAC-SHA1 of the host name keyed by a
 * 20-byte salt, both in base64.  SHA-1 is used here for matching names
 * only, as OpenSSH does, never for anything secret.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_KNOWN_HOSTS_HASH_H
#define IOMMU_FLEET_KNOWN_HOSTS_HASH_H

#include <stddef.h>

#define KNOWN_HOSTS_SHA1_LEN 20

void known_hosts_hmac_sha1(const unsigned char *key, size_t keylen, const void *msg, size_t msglen,
                           unsigned char out[KNOWN_HOSTS_SHA1_LEN]);

/* Standard base64 with padding into out (NUL-terminated): its length, or
 * -1 when outlen is too small. */
int known_hosts_b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen);

/* Standard base64 of len characters into out: the byte count, or -1 when
 * it is not base64 or does not fit. */
int known_hosts_b64_decode(const char *in, size_t len, unsigned char *out, size_t outlen);

#endif
