/*
 * metrics_fleet.h - the fleet as Prometheus gauges (per host: ready,
 * verdict, DMA faults, firmware bugs, last report time, last attempt ok;
 * hosts per verdict), for serve's GET /metrics and for node_exporter's
 * textfile collector ("report prometheus").  I/O: the database through
 * db.h, and the textfile.
 */
#ifndef IOMMU_FLEET_METRICS_FLEET_H
#define IOMMU_FLEET_METRICS_FLEET_H

#include "common/growbuf.h"

struct db;

/* Append the gauges: 0, or -1 with db_error() set (or out of memory). */
int metrics_fleet_format(struct db *db, struct growbuf *out);

/* Write them to path atomically (a temporary file in the same directory,
 * then rename: the textfile collector never reads half a file), or to
 * stdout when path is NULL.  0, or -1 (said). */
int metrics_fleet_textfile(struct db *db, const char *path);

#endif
