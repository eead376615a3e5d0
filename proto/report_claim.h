/*
 * report_claim.h - which host a pulled or pushed report claims to be, read from the JSON
 * text without building it (pure, no I/O).  Decoding a whole report costs
 * more than the SSH connection that brought it; the store decodes it once
 * anyway, so pull and serve only need this one string first.
 */
#ifndef IOMMU_FLEET_REPORT_CLAIM_H
#define IOMMU_FLEET_REPORT_CLAIM_H

#include <stddef.h>

/*
 * The string value of "hostname" in the top-level "host" object, copied to
 * out.  1: found (plain characters, no escapes); 0: cannot tell cheaply
 * (escapes in a key or in the name, absent, not a string, malformed, too
 * long): the caller decodes the whole report instead.  Never guesses.
 */
int report_claim_hostname(const char *json, size_t len, char *out, size_t outlen);

#endif
