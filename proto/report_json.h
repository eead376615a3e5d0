/*
 * report_json.h - encode a struct report to JSON and decode + validate JSON
 * into one (jansson).  Pure: no I/O.  Decoding enforces the limits below and
 * rejects anything that is not a version-1 report, with a message saying why.
 */
#ifndef IOMMU_FLEET_REPORT_JSON_H
#define IOMMU_FLEET_REPORT_JSON_H

#include <stddef.h>
#include "proto/report.h"

/* Limits applied when decoding untrusted input. */
#define REPORT_MAX_BYTES (8u * 1024 * 1024)
#define REPORT_MAX_DEPTH 16
#define REPORT_MAX_STRING 4096 /* bytes in any one string */
/* Big SR-IOV hosts reach thousands of functions, each VF in its own group:
 * 16384 devices fit the 8 MiB text at about 500 bytes a device. */
#define REPORT_MAX_GROUPS 16384
#define REPORT_MAX_DEVICES 16384 /* per group and in all */
#define REPORT_MAX_LINES 20000   /* kernel_log.lines */
#define REPORT_MAX_ITEMS 4096    /* any other array */
/* Counted on the text before jansson builds a tree, so that the decoded size
 * is bounded and not only the bytes: an 8 MiB body of empty objects cost some
 * 80 times its size.  An honest report takes about 65 bytes of text per
 * object or array and 19 per value, so these admit any honest 8 MiB report
 * (16384 one-device groups: 131150 and 426285); the limits above still apply,
 * with the path of the offender. */
#define REPORT_MAX_ELEMENTS 32768    /* items of one array, members of one object */
#define REPORT_MAX_VALUES 524288     /* array items and object members in all */
#define REPORT_MAX_CONTAINERS 147456 /* objects and arrays in all, the top one too */
/* The decoder builds the long lists (groups, devices, kernel log lines) one
 * item at a time (report_lazy.h), and the rest in pieces: one member of the
 * top, of iommu, of kernel_log or of a group, or one item, is at most this
 * (a device's four lists of 4096, or 4096 faults or checks, fit) ... */
#define REPORT_PIECE_CONTAINERS 8192
#define REPORT_PIECE_VALUES 32768
/* ... and all that is kept besides the lists at most this (faults, checks,
 * cmdline.params and errors, each at its limit of 4096, fit). */
#define REPORT_KEPT_CONTAINERS 16384
#define REPORT_KEPT_VALUES 65536

struct report_error {
	char msg[256]; /* "kernel_log.lines[3].text: not a string" */
};

/* Encode: returns a new malloc'd NUL-terminated JSON text, or NULL.
 * flags: REPORT_JSON_PRETTY to indent; REPORT_JSON_OMIT_UNKNOWN to leave
 * out the null keys FORMAT.md marks as added later in version 1 (a
 * decoder reads them absent as unknown: the same report in some 14% fewer
 * bytes a device, for a host whose full text is over REPORT_MAX_BYTES). */
#define REPORT_JSON_PRETTY 1
#define REPORT_JSON_OMIT_UNKNOWN 2
char *report_json_encode(const struct report *r, int flags);

/* Decode and validate: 0 and *out filled (caller report_free()s it), or -1 with
 * err set and *out left initialised-empty.  Rejects: not JSON, duplicate keys,
 * invalid UTF-8, depth / size / count limits, wrong format or version,
 * missing or mistyped required fields. */
int report_json_decode(const char *text, size_t len, struct report *out, struct report_error *err);

/* Is body the collector's acknowledgement that it stored (or already had)
 * the report report_id: a JSON object {"status": string, "report_id": string,
 * "host": string} naming that id (ids compare case-blind)?  1 yes, 0 no.
 * A 2xx without it (a captive portal's or a proxy's page) is not one. */
int report_json_ack(const char *body, size_t len, const char *report_id);

#endif
