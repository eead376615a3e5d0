/*
 * report_path.h - the paths that name a value of a report in messages
 * ("kernel_log.lines[3].text").  Pure.
 */
#ifndef IOMMU_FLEET_REPORT_PATH_H
#define IOMMU_FLEET_REPORT_PATH_H

#include <stddef.h>

/* A path is at most REPORT_PATH_MAX - 1 bytes: report_error.msg keeps room
 * for the message after it. */
#define REPORT_PATH_MAX 160

/* parent.key into buf (or key alone at the top).  Keys come from the input:
 * only printable ASCII is kept, and long keys are cut. */
void report_path_key(char *buf, size_t size, const char *parent, const char *key);

/* parent[i] into buf; a cut path still names where to look. */
void report_path_index(char *buf, size_t size, const char *parent, size_t i);

#endif
