/*
 * report_lazy.h - a report's JSON text as a tree without its long lists:
 * iommu.groups, each group's devices, iommu.ungrouped_devices and
 * kernel_log.lines hold placeholders, and the decoder builds each item from
 * the text when it comes to it, then releases it.  Pure (jansson).
 *
 * Why: a jansson tree costs some eight times its text.  Built whole, an
 * honest 8 MiB report of 16384 devices took 63 MB at once on top of the
 * text and the decoded report; this way one item is built at a time.
 *
 * The rest is built in pieces (one member of the top object, of iommu, of
 * kernel_log or of a group at a time), each bounded before jansson sees it:
 * REPORT_PIECE_CONTAINERS objects and arrays and REPORT_PIECE_VALUES values
 * (report_json.h), and what is kept besides the lists REPORT_KEPT_*.
 *
 * Text this cannot split (not JSON, a key twice where it splits, ...) sets
 * fallback: the caller parses it whole (report_lazy_whole), so that jansson
 * says what is wrong and where, exactly as before.
 *
 * Ownership: every json_t returned is a new reference; placeholders are
 * borrowed from the tree that holds them.
 */
#ifndef IOMMU_FLEET_REPORT_LAZY_H
#define IOMMU_FLEET_REPORT_LAZY_H

#include <jansson.h>
#include <stddef.h>

#include "proto/report_path.h"

struct report_lazy_span {
	size_t a, b;
};

struct report_lazy {
	const char *text; /* borrowed */
	size_t len;
	int checking; /* report_lazy_whole: finding the items that parse */
	struct report_lazy_span *blank;
	size_t nblank, capblank;
	size_t kept_containers, kept_values; /* built besides the lists */
	int fallback;                        /* set: parse the text whole */
	int refused;                         /* report_lazy_whole: an item passed a limit */
	char path[REPORT_PATH_MAX];          /* else, when NULL was returned: */
	char why[128];                       /* which limit, for "path: why" */
};

void report_lazy_init(struct report_lazy *lz, const char *text, size_t len);
void report_lazy_release(struct report_lazy *lz);

/* The top object, its long lists as placeholders: NULL when fallback is
 * set, or a limit was passed (path, why). */
json_t *report_lazy_root(struct report_lazy *lz);

/* The item a placeholder of a long list stands for, built; group: an item
 * of iommu.groups, whose devices stay placeholders.  path names it in
 * messages.  NULL as report_lazy_root(). */
json_t *report_lazy_item(struct report_lazy *lz, json_t *placeholder, int group, const char *path);

/* The whole text parsed by jansson for its message, when it cannot be
 * split: every item of a long list that parses alone (or that a limit
 * refuses), up to the first that is not JSON, is read as 0 and spaces
 * (line and column kept), so that what jansson builds before it stops is
 * not the whole report.  NULL with jerr set; NULL with refused set when
 * that parses but an item passed a limit (path, why); or, when it parses
 * (then the text may be a report after all), the tree of the text itself
 * as json_loadb() would make it. */
json_t *report_lazy_whole(struct report_lazy *lz, size_t flags, json_error_t *jerr);

#endif
