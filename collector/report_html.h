/*
 * report_html.h - "report html --out DIR": the fleet as a static,
 * self-contained site (index.html, hosts/<host>.html), written atomically
 * (report_site.h).  I/O: the database, the site's directory.
 */
#ifndef IOMMU_FLEET_REPORT_HTML_H
#define IOMMU_FLEET_REPORT_HTML_H

struct db;
struct html;

/* Write the whole site into dir: 0, or -1 (said). */
int report_html_write(struct db *db, const char *dir);

/* One host's page into h (report_html_host.c): 0, or -1 with db_error(). */
int report_html_host(struct db *db, struct html *h, const char *hostname);

#endif
