/*
 * stamp.h - the formats of a report's stamp, its report_id (a UUID) and
 * collected_at (an RFC 3339 time), checked the same way by the codec and by
 * the text scanner that keys a report without decoding it.  Pure, no I/O.
 */
#ifndef IOMMU_FLEET_STAMP_H
#define IOMMU_FLEET_STAMP_H

#include <stddef.h>

#define STAMP_TIME_MAX 31 /* bytes of the longest collected_at accepted */

/* 1 when s[0..len) is 8-4-4-4-12 hex digits, else 0. */
int stamp_uuid_ok(const char *s, size_t len);

/* 1 when s[0..len) is YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm) of at
 * most STAMP_TIME_MAX bytes, else 0. */
int stamp_time_ok(const char *s, size_t len);

/* The instant of a time stamp_time_ok() accepts, as seconds since the
 * epoch (fractions dropped, offsets applied): 0, or -1 when it is not one. */
int stamp_time_epoch(const char *s, size_t len, long long *out);

#endif
