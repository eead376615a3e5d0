/*
 * report_site.h - write a static site atomically: every file goes into a
 * temporary directory beside DIR, which then replaces DIR in one rename
 * (an exchange when DIR exists), so a web server serving DIR never sees
 * half a site.  I/O: the filesystem.
 */
#ifndef IOMMU_FLEET_REPORT_SITE_H
#define IOMMU_FLEET_REPORT_SITE_H

#include <stddef.h>

#define REPORT_SITE_MARKER ".iommu-fleet-site" /* DIR is ours to replace */

struct report_site {
	char dir[4000]; /* DIR as given */
	char tmp[4096]; /* DIR.tmp.XXXXXX while writing, "" after commit or abort */
};

/* Check that DIR is missing, empty or a site of ours (never replace an
 * operator's directory), then make the temporary directory with hosts/ in
 * it.  0, or -1 (said). */
int report_site_open(struct report_site *s, const char *dir);

/* Write path (relative: "index.html", "hosts/x.html"): 0 or -1 (said). */
int report_site_put(struct report_site *s, const char *path, const char *data, size_t len);

/* Put the site in place and remove the old one: 0 or -1 (said; the
 * temporary directory is removed). */
int report_site_commit(struct report_site *s);

/* Remove the temporary directory.  Safe after commit. */
void report_site_abort(struct report_site *s);

#endif
