/*
 * known_hosts_hash.h - what hashed known_hosts entries ("|1|SALT|HASH",
 * HashKnownHosts) are made of: HMAC-SHA1 of the host name keyed by a
 * 20-byte salt, both in base64 (common/base64.h).  SHA-1 is used here for matching names
 * only, as OpenSSH does, never for anything secret.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_KNOWN_HOSTS_HASH_H
#define IOMMU_FLEET_KNOWN_HOSTS_HASH_H

#include <stddef.h>

#define KNOWN_HOSTS_SHA1_LEN 20

void known_hosts_hmac_sha1(const unsigned char *key, size_t keylen, const void *msg, size_t msglen,
                           unsigned char out[KNOWN_HOSTS_SHA1_LEN]);

#endif
