/*
 * report_html.c - the site: the fleet page (counts, a chart, hosts, hosts
 * that did not answer, devices that need attention, changes of the last 7
 * days, outliers) and a page per host (report_html_host.c), all from the
 * public views.  I/O: the database (db.h), the site (report_site.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#include "collector/db.h"
#include "collector/html.h"
#include "collector/report_filter.h"
#include "collector/report_html.h"
#include "collector/report_site.h"
#include "collector/report_svg.h"
#include "collector/store.h"

#define VERDICT_SUMS                                                                               \
	" sum(verdict IS 'ready'), sum(verdict IS 'not-ready'), sum(verdict IS 'unknown'),"        \
	" sum(verdict IS NULL)"
static const char SQL_COUNTS[] = "SELECT count(*)," VERDICT_SUMS " FROM host_status";
static const char SQL_CHART[] = "SELECT coalesce(iommu_vendor, '(no report)')," VERDICT_SUMS
                                " FROM host_status GROUP BY 1 ORDER BY count(*) DESC, 1";
static const char SQL_HOSTS[] =
        "SELECT hostname, verdict, reason, kernel, product_name, bios_version,"
        " collected_at AS last_report, last_attempt_status AS last_attempt, groups"
        " FROM host_status ORDER BY hostname";
static const char SQL_SILENT[] = "SELECT hostname, last_attempt_status AS last_attempt, last_error,"
                                 " collected_at AS last_report FROM host_status"
                                 " WHERE last_attempt_status IS NULL OR " REPORT_FILTER_FAILED_SQL(
                                         "last_attempt_status") " ORDER BY hostname";
static const char SQL_ATTENTION[] =
        "SELECT hostname, address, " REPORT_FILTER_CLASS_SQL " AS class, name, driver,"
        " iommu_group, group_size, isolated, verdict, reasons FROM device_status"
        " WHERE (class LIKE '03%' OR class LIKE '02%' OR class LIKE '01%')"
        " AND (isolated IS NOT 1 OR verdict IS NOT 'ready') ORDER BY hostname, address";
/* bounded: a mass upgrade should not make a page no browser opens */
static const char SQL_CHANGES[] = "SELECT hostname, changed_at, field, old_value, new_value"
                                  " FROM host_changes WHERE changed_at >= ?1"
                                  " ORDER BY changed_at DESC, hostname, field LIMIT 5000";
static const char SQL_OUTLIERS[] = "SELECT * FROM cohort_outliers"
                                   " ORDER BY product_name, bios_version, field, cohort, hostname";
static const char SQL_HOSTNAMES[] = "SELECT hostname FROM hosts ORDER BY hostname";

static const char *const count_names[] = {"hosts", "ready", "not-ready", "unknown", "no-report"};

static void
counts(struct html *h, const struct db_rows *rows)
{
	size_t i;

	html_raw(h, "<div class=\"counts\">");
	for (i = 0; i < rows->ncols && i < 5; i++)
		html_printf(
		        h, "<div class=\"count\"><b id=\"count-%s\">%s</b>%s</div>", count_names[i],
		        rows->nrows > 0 && rows->cells[i].text != NULL ? rows->cells[i].text : "0",
		        count_names[i]);
	html_raw(h, "</div>\n");
}

static void
chart(struct html *h, const struct db_rows *rows)
{
	struct report_svg_bar *bars;
	size_t r, v;

	if ((bars = calloc(rows->nrows + 1, sizeof(*bars))) == NULL) {
		h->failed = 1;
		return;
	}
	for (r = 0; r < rows->nrows; r++) {
		bars[r].label = rows->cells[r * rows->ncols].text;
		for (v = 0; v < REPORT_SVG_VERDICTS; v++) {
			const char *t = rows->cells[r * rows->ncols + 1 + v].text;

			bars[r].n[v] = t != NULL ? (unsigned)strtoul(t, NULL, 10) : 0;
		}
	}
	report_svg_chart(h, bars, rows->nrows);
	free(bars);
}

/* One section of the fleet page: a heading, then the query's rows. */
static int
section(struct db *db, struct html *h, const char *title, const char *id, const char *sql,
        const char *param)
{
	struct db_rows rows;

	if (db_query(db, sql, &param, 1, &rows) == -1)
		return -1;
	html_printf(h, "<h2 id=\"%s-h\">%s", id, title);
	if (strcmp(id, "counts") == 0) {
		html_raw(h, "</h2>\n");
		counts(h, &rows);
	} else if (strcmp(id, "chart") == 0) {
		html_raw(h, "</h2>\n");
		chart(h, &rows);
	} else {
		html_printf(h, " <span class=\"muted\" id=\"%s-n\">(%zu)</span></h2>\n", id,
		            rows.nrows);
		html_table(h, &rows, id, "hostname", "");
	}
	db_rows_free(&rows);
	return 0;
}

static int
fleet_page(struct db *db, struct html *h, const char *now)
{
	char since[REPORT_FILTER_TIME_LEN], err[128];

	if (report_filter_since("7d", time(NULL), since, err, sizeof(err)) == -1)
		return -1;
	html_page_begin(h, "iommu-fleet", "");
	html_raw(h, "<h1>IOMMU / PCI passthrough readiness</h1>\n<p class=\"muted\">generated ");
	html_text(h, now);
	html_raw(h, " by iommu-collector</p>\n");
	if (section(db, h, "Hosts by verdict", "counts", SQL_COUNTS, NULL) == -1 ||
	    section(db, h, "By IOMMU vendor", "chart", SQL_CHART, NULL) == -1 ||
	    section(db, h, "Hosts", "hosts", SQL_HOSTS, NULL) == -1 ||
	    section(db, h, "Hosts that did not answer", "silent", SQL_SILENT, NULL) == -1 ||
	    section(db, h,
	            "Devices that need attention (GPUs, NICs, storage not isolated or not "
	            "ready)",
	            "attention", SQL_ATTENTION, NULL) == -1 ||
	    section(db, h, "Changes in the last 7 days (the newest 5,000 at most)", "changes",
	            SQL_CHANGES, since) == -1 ||
	    section(db, h, "Outliers (hosts unlike the others of their model)", "outliers",
	            SQL_OUTLIERS, NULL) == -1)
		return -1;
	html_page_end(h);
	return 0;
}

static int
host_pages(struct db *db, struct report_site *site, struct html *h)
{
	char path[HTML_FILE_MAX + 8], file[HTML_FILE_MAX];
	struct db_rows names;
	size_t r;
	int rc = 0;

	if (db_query(db, SQL_HOSTNAMES, NULL, 0, &names) == -1) {
		log_warnx("html: %s", db_error(db));
		return -1;
	}
	for (r = 0; r < names.nrows && rc == 0; r++) {
		html_reset(h);
		if (report_html_host(db, h, names.cells[r].text) == -1) {
			log_warnx("html: %s", db_error(db));
			rc = -1;
		} else if (h->failed) {
			log_warnx("html: out of memory");
			rc = -1;
		} else {
			html_host_file(names.cells[r].text, file);
			snprintf(path, sizeof(path), "hosts/%s", file);
			rc = report_site_put(site, path, h->b.data, h->b.len);
		}
	}
	db_rows_free(&names);
	return rc;
}

int
report_html_write(struct db *db, const char *dir)
{
	struct report_site site;
	struct html h = {0};
	char now[32];
	int rc = -1;

	if (report_site_open(&site, dir) == -1)
		return -1;
	store_now(now, sizeof(now));
	if (fleet_page(db, &h, now) == -1) {
		log_warnx("html: %s", db_error(db));
		goto out;
	}
	if (h.failed) {
		log_warnx("html: out of memory");
		goto out;
	}
	if (report_site_put(&site, "index.html", h.b.data, h.b.len) == -1 ||
	    host_pages(db, &site, &h) == -1)
		goto out;
	rc = report_site_commit(&site);
out:
	if (rc == -1)
		report_site_abort(&site);
	html_free(&h);
	return rc;
}
