/*
 * base64.h - standard base64 with padding (RFC 4648).  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_BASE64_H
#define IOMMU_FLEET_BASE64_H

#include <stddef.h>

/* in into out (NUL-terminated): its length, or -1 when outlen is too
 * small. */
int base64_encode(const unsigned char *in, size_t len, char *out, size_t outlen);

/* len characters of base64 into out: the byte count, or -1 when it is not
 * base64 or does not fit. */
int base64_decode(const char *in, size_t len, unsigned char *out, size_t outlen);

#endif
