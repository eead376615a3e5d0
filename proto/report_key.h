/*
 * report_key.h - what identifies a report's content without decoding it:
 * a SHA-256 over the JSON text without the whitespace between tokens and
 * with the values of the top-level report_id and collected_at cut out, and
 * those two values.  Pure: no I/O.
 *
 * Two texts with the same key are the same JSON but for those two values
 * and spacing (pretty or compact), so a text whose key matches a report
 * that was already validated and stored needs no second decode (the
 * unchanged fast path).  The same facts written with keys in another order
 * or other string escapes get a new content row, which is never wrong.
 */
#ifndef IOMMU_FLEET_REPORT_KEY_H
#define IOMMU_FLEET_REPORT_KEY_H

#include <stddef.h>

#include "common/sha256.h"

struct report_key {
	char sha256[SHA256_HEX_LEN];
	/* The fields below are set only when ok: the text is an object with
	 * exactly one top-level report_id and collected_at, plain strings
	 * that are a valid UUID and RFC 3339 time. */
	int ok;
	char report_id[40];
	char collected_at[32];
};

/* Always fills k->sha256 (over the whole text when ok is 0). */
void report_key_compute(const char *text, size_t len, struct report_key *k);

#endif
