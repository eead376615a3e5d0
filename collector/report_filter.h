/*
 * report_filter.h - the report filters' values, checked and turned into
 * what the queries compare with: --since (a duration back from now, or an
 * RFC 3339 time) as a UTC time text, --class as a device class name, and
 * the class of a PCI class code.  Pure: no I/O, the clock is a parameter.
 */
#ifndef IOMMU_FLEET_REPORT_FILTER_H
#define IOMMU_FLEET_REPORT_FILTER_H

#include <stddef.h>
#include <time.h>

#define REPORT_FILTER_TIME_LEN 21 /* "2026-11-23T10:00:00Z" and its NUL */

/* --since ARG: "7d", "24h", "30m", "2w", "90s" back from now, or an RFC
 * 3339 time (offsets converted to UTC).  0 with out set to
 * "YYYY-MM-DDThh:mm:ssZ", or -1 with err set. */
int report_filter_since(const char *arg, time_t now, char out[REPORT_FILTER_TIME_LEN], char *err,
                        size_t errlen);

/* 1 when name is one of the device classes below, else 0. */
int report_filter_class_ok(const char *name);

/* The class of a PCI class code (0x030200): "gpu" (display), "nic"
 * (network), "storage" (mass storage), "usb" (USB controller), "bridge",
 * or "other".  --class takes all but "bridge" (counted as "other"). */
const char *report_filter_class_of(long class_code);

/* The same decision in SQL over device_status.class (hex text): an
 * expression naming the class, for "... = ?" (bridges are "other"). */
#define REPORT_FILTER_CLASS_SQL                                                                    \
	"(CASE WHEN class LIKE '03%' THEN 'gpu' WHEN class LIKE '02%' THEN 'nic'"                  \
	" WHEN class LIKE '01%' THEN 'storage' WHEN class LIKE '0c03%' THEN 'usb'"                 \
	" ELSE 'other' END)"

/* 1 when an attempt with this status word failed (no report arrived, or it
 * was refused): anything but stored, unchanged and duplicate. */
int report_filter_failed(const char *status);
/* The same over a status column. */
#define REPORT_FILTER_FAILED_SQL(col) "(" col " NOT IN ('stored', 'unchanged', 'duplicate'))"

#endif
