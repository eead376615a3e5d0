/*
 * report_validate.h - the report contract's semantic rules, the ones a JSON
 * schema cannot say (pure, no I/O).  report_json_decode() checks syntax,
 * types and limits; this checks that a decoded report means one thing.  The
 * agent checks every report it prints with it, the collector every report it
 * stores, so the agent never prints a report the collector refuses.
 */
#ifndef IOMMU_FLEET_REPORT_VALIDATE_H
#define IOMMU_FLEET_REPORT_VALIDATE_H

#include "proto/report.h"
#include "proto/report_json.h"

/*
 * 0 when r keeps every rule, else -1 with err naming the field and the rule
 * ("iommu: device 0000:01:00.0 listed twice"); -1 with "out of memory" too.
 * The rules: a usable host.hostname (proto/hostname.h); report_id and
 * collected_at set; no PCI address in two places; no group id twice; no
 * reserved region that ends before it starts; no more faults listed than
 * counted; a host "ready" only with its IOMMU on; a device "ready" only in
 * an IOMMU group.
 */
int report_validate(const struct report *r, struct report_error *err);

#endif
