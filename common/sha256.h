/*
 * sha256.h - SHA-256 (FIPS 180-4), small and dependency-free, used for the
 * content hash of stored reports.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_SHA256_H
#define IOMMU_FLEET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN 65 /* 64 digits and a NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN]);
/* One-shot, lowercase hex. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN]);

#endif
