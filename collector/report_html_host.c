/*
 * report_html_host.c - one host's page: its state, its checks with the
 * evidence and what to do about a failed one, a picture of its IOMMU
 * groups, its devices, and its history (changes, attempts).  I/O: the
 * database (db.h).
 */
#include <stdlib.h>
#include <string.h>

#include "collector/db.h"
#include "collector/html.h"
#include "collector/output.h"
#include "collector/report_html.h"
#include "collector/report_svg.h"

static const char SQL_STATUS[] = "SELECT * FROM host_status WHERE hostname = ?1";
static const char SQL_CHECKS[] =
        "SELECT k.check_id, k.status, k.summary, k.evidence FROM hosts h"
        " JOIN observations o ON o.id = h.latest_observation_id"
        " JOIN checks k ON k.content_id = o.content_id WHERE h.hostname = ?1 ORDER BY k.seq";
static const char SQL_GROUPS[] =
        "SELECT d.address, d.group_id, (SELECT g.type FROM iommu_groups g"
        "  WHERE g.content_id = d.content_id AND g.group_id = d.group_id LIMIT 1),"
        " d.class, d.name, d.isolated FROM hosts h"
        " JOIN observations o ON o.id = h.latest_observation_id"
        " JOIN devices d ON d.content_id = o.content_id WHERE h.hostname = ?1"
        " ORDER BY d.group_id IS NULL, d.group_id, d.address";
static const char SQL_DEVICES[] =
        "SELECT address, vendor_id, device_id, class, name, driver, iommu_group, group_size,"
        " isolated, reset_methods, verdict, reasons FROM device_status"
        " WHERE hostname = ?1 ORDER BY address";
static const char SQL_CHANGES[] = "SELECT changed_at, field, old_value, new_value FROM host_changes"
                                  " WHERE hostname = ?1 ORDER BY changed_at DESC, field LIMIT 500";
static const char SQL_ATTEMPTS[] = "SELECT started_at, transport, status, error FROM attempts"
                                   " WHERE hostname = ?1 ORDER BY started_at DESC LIMIT 30";

/* What to do when a check does not pass, by check id: the operator's next
 * step, in the README's words. */
static const struct {
	const char *id;
	const char *fix;
} fixes[] = {
        {"cpu-virtualization", "Enable VT-x / AMD-V (SVM) in the firmware setup."},
        {"firmware-table", "Enable VT-d / AMD IOMMU in the firmware setup: without a DMAR or "
                           "IVRS table the kernel has no IOMMU to use."},
        {"iommu-active", "Boot with intel_iommu=on (Intel; amd_iommu is on by default), and "
                         "check that VT-d / AMD-Vi is enabled in the firmware setup."},
        {"interrupt-remapping", "Enable interrupt remapping / x2APIC in the firmware setup, "
                                "remove intremap=off; on a chipset with the erratum, vfio "
                                "needs a firmware update."},
        {"x2apic", "Enable x2APIC in the firmware setup (the BIOS opted out)."},
        {"default-domain", "Drop iommu=pt / iommu.passthrough=1 if devices must be isolated "
                           "from the host too."},
        {"cmdline", "Fix the IOMMU parameters on the kernel command line (see the evidence)."},
        {"boot-parameters", "Remove the misleading parameters named in the evidence."},
        {"acs-override", "Remove pcie_acs_override: it only pretends devices are isolated."},
        {"vfio", "Load vfio-pci (modprobe vfio-pci, or add it to the initramfs)."},
        {"kernel-log", "Read the log from the boot (journalctl -k -b) or reboot: evidence was "
                       "missing."},
        {"firmware-bugs", "Update the BIOS / firmware: the kernel reports firmware bugs."},
        {"dma-faults", "Find the faulting device in the evidence; update its driver or "
                       "firmware, or keep it away from guests."},
};

static const char *
fix_for(const char *id, const char *status)
{
	size_t i;

	if (status == NULL || strcmp(status, "pass") == 0)
		return NULL;
	for (i = 0; id != NULL && i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (strcmp(id, fixes[i].id) == 0)
			return fixes[i].fix;
	return NULL;
}

static void
checks_table(struct html *h, const struct db_rows *rows)
{
	const struct db_cell *c;
	const char *fix;
	size_t r;

	html_raw(h, "<table class=\"sortable\" id=\"checks\">\n<thead><tr><th>check</th>"
	            "<th>status</th><th>summary</th><th>evidence</th><th>fix</th></tr></thead>\n"
	            "<tbody>\n");
	for (r = 0; r < rows->nrows; r++) {
		c = &rows->cells[r * rows->ncols];
		html_raw(h, "<tr><td>");
		html_text(h, c[0].text);
		html_printf(h, "</td><td><span class=\"v v-%s\">", html_word_class(c[1].text));
		html_text(h, c[1].text);
		html_raw(h, "</span></td><td>");
		html_text(h, c[2].text);
		html_raw(h, "</td><td><pre>");
		html_text(h, c[3].text);
		html_raw(h, "</pre></td><td>");
		fix = fix_for(c[0].text, c[1].text);
		html_raw(h, fix != NULL ? fix : "");
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
}

static long
num(const struct db_cell *c, long unknown)
{
	return c->type == DB_NULL ? unknown : strtol(c->text, NULL, 10);
}

/* The rows of SQL_GROUPS (sorted by group) as groups of devices. */
static int
groups_picture(struct html *h, const struct db_rows *rows)
{
	struct report_svg_device *devs;
	struct report_svg_group *groups;
	const struct db_cell *c;
	size_t r, n = 0;

	devs = calloc(rows->nrows + 1, sizeof(*devs));
	groups = calloc(rows->nrows + 1, sizeof(*groups));
	if (devs == NULL || groups == NULL) {
		free(devs);
		free(groups);
		return -1;
	}
	for (r = 0; r < rows->nrows; r++) {
		c = &rows->cells[r * rows->ncols];
		devs[r].address = c[0].text;
		devs[r].name = c[4].text;
		devs[r].class_code = num(&c[3], -1);
		devs[r].isolated = (int)num(&c[5], -1);
		if (n == 0 || groups[n - 1].id != num(&c[1], -1)) {
			groups[n].id = num(&c[1], -1);
			groups[n].type = c[2].text;
			groups[n].devs = &devs[r];
			n++;
		}
		groups[n - 1].ndevs++;
	}
	report_svg_groups(h, groups, n);
	free(devs);
	free(groups);
	return 0;
}

/* Query, heading, and what to draw: 't' a table, 'c' checks, 'g' groups. */
static int
part(struct db *db, struct html *h, const char *hostname, const char *title, const char *id,
     const char *sql, char kind)
{
	struct db_rows rows;
	int rc = 0;

	if (db_query(db, sql, &hostname, 1, &rows) == -1)
		return -1;
	html_printf(h, "<h2 id=\"%s-h\">%s</h2>\n", id, title);
	if (kind == 'c' && rows.nrows > 0)
		checks_table(h, &rows);
	else if (kind == 'g' && rows.nrows > 0)
		rc = groups_picture(h, &rows);
	else
		html_table(h, &rows, id, NULL, "../");
	db_rows_free(&rows);
	if (rc == -1)
		db_set_error(db, "out of memory");
	return rc;
}

/* The heading (name, verdict, reason) and the state, one field a row. */
static int
state(struct db *db, struct html *h, const char *hostname)
{
	struct db_rows rows, t;
	const char *verdict = NULL, *reason = NULL;
	size_t c;

	if (db_query(db, SQL_STATUS, &hostname, 1, &rows) == -1)
		return -1;
	for (c = 0; rows.nrows > 0 && c < rows.ncols; c++) {
		if (strcmp(rows.names[c], "verdict") == 0)
			verdict = rows.cells[c].text;
		else if (strcmp(rows.names[c], "reason") == 0)
			reason = rows.cells[c].text;
	}
	html_raw(h, "<h1 id=\"host\">");
	html_text(h, hostname);
	html_printf(h, " <span class=\"v v-%s\" id=\"verdict\">",
	            verdict != NULL ? html_word_class(verdict) : "none");
	html_text(h, verdict != NULL ? verdict : "no report");
	html_raw(h, "</span></h1>\n<p id=\"reason\">");
	html_text(h, reason);
	html_raw(h, "</p>\n");
	if (output_transpose(&rows, &t) == -1) {
		db_rows_free(&rows);
		db_set_error(db, "out of memory");
		return -1;
	}
	html_raw(h, "<h2 id=\"state-h\">State</h2>\n");
	html_table(h, &t, "state", NULL, "../");
	db_rows_free(&t);
	db_rows_free(&rows);
	return 0;
}

int
report_html_host(struct db *db, struct html *h, const char *hostname)
{
	html_page_begin(h, hostname, "../");
	if (state(db, h, hostname) == -1 ||
	    part(db, h, hostname, "Checks", "checks", SQL_CHECKS, 'c') == -1 ||
	    part(db, h, hostname, "IOMMU groups", "groups", SQL_GROUPS, 'g') == -1 ||
	    part(db, h, hostname, "Devices", "devices", SQL_DEVICES, 't') == -1 ||
	    part(db, h, hostname, "Changes (the newest 500 at most)", "changes", SQL_CHANGES,
	         't') == -1 ||
	    part(db, h, hostname, "Collection attempts (the newest 30)", "attempts", SQL_ATTEMPTS,
	         't') == -1)
		return -1;
	html_page_end(h);
	return 0;
}
