/*
 * hostname.h - the one rule for host names (pure, no I/O): what a report
 * may call its host, what an operator may name a host (a token, an
 * inventory's name=, the agent's --hostname), and when a report's name and
 * the name the fleet knows a host by are the same host.  Every transport
 * and the codec call these; tests/unit/test_hostname.c is their one set of
 * tests.
 */
#ifndef IOMMU_FLEET_HOSTNAME_H
#define IOMMU_FLEET_HOSTNAME_H

#include <stddef.h>

#define HOSTNAME_MAX 255 /* bytes, in a report */

enum hostname_kind {
	/* host.hostname of a report: 1 to 255 bytes of UTF-8 without control
	 * characters (C0, DEL, C1).  Blanks and any script are data: the
	 * agent reports what the kernel says, and it is stored as it is. */
	HOSTNAME_REPORTED,
	/* a name an operator types and the fleet is keyed on: a DNS-like
	 * name of 1 to 253 bytes, labels of ASCII letters, digits, '-', '_'
	 * or UTF-8 letters (an IDN in Unicode form), separated by single
	 * dots, one trailing dot allowed; it never starts with '-' (it is
	 * passed as an argument) and holds no blank, quote or shell
	 * metacharacter. */
	HOSTNAME_GIVEN,
};

/* NULL when s[0..len) is a valid name of that kind, else why not:
 * "empty", "longer than 255 bytes", "control character", "not UTF-8",
 * "not a host name (letters, digits, '-', '_', '.')". */
const char *hostname_invalid(const char *s, size_t len, enum hostname_kind kind);

/*
 * 1 when a report calling its host `reported` is about the host the fleet
 * knows as `known`: equal ignoring ASCII case and one trailing dot, or one
 * side is a bare short name (no dot) equal to the first label of the other
 * ("db1" and "db1.example.org").  Two different FQDNs never match.
 */
int hostname_same(const char *reported, const char *known);

/*
 * The key the fleet stores a host under (hosts.hostname): s with ASCII
 * letters in lower case and one trailing dot dropped (not from "a..",
 * which keeps both: the key of a key is itself), so the spellings
 * hostname_same() calls equal ("R640-01." and "r640-01") are one host.
 * Other bytes are kept (no Unicode folding: hostname_same does none).
 * Truncated to outlen - 1 bytes; outlen of HOSTNAME_MAX + 1 holds any.
 */
void hostname_key(const char *s, char *out, size_t outlen);

/* 1 when s is an IPv4 or IPv6 literal: a name no report's host name can be
 * compared to. */
int hostname_is_address(const char *s);

#endif
