/*
 * metrics_fleet.c - the fleet's gauges from host_status in the Prometheus
 * text format, and the textfile written atomically.  I/O: the database
 * (db.h), the textfile.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#include "collector/db.h"
#include "collector/metrics.h"
#include "collector/metrics_fleet.h"

static const char SQL_FLEET[] =
        "SELECT hostname, coalesce(verdict, 'none'), dma_faults, firmware_bugs,"
        /* receipt, not the host's claim: a wrong clock must not hide a
         * silent host from the "no report for two days" alert */
        " CAST(strftime('%s', received_at) AS INTEGER),"
        " last_attempt_status IN ('stored', 'unchanged', 'duplicate')"
        " FROM host_status ORDER BY hostname";

/* The columns of SQL_FLEET. */
enum { C_HOST, C_VERDICT, C_FAULTS, C_BUGS, C_TIME, C_OK, NCOLS };

/* One gauge family: its name, help, and the column it shows (-1: the
 * verdict as a label, -2: 1 when it is "ready"). */
static const struct family {
	const char *name;
	const char *help;
	int col;
} families[] = {
        {"iommu_fleet_host_ready",
         "1 when the host's latest report says ready for PCI passthrough.", -2},
        {"iommu_fleet_host_verdict",
         "The host's verdict (ready, not-ready, unknown, none: no "
         "report yet), as a label; always 1.",
         -1},
        {"iommu_fleet_host_dma_faults",
         "DMA remapping faults since boot in the host's latest "
         "report (a lower bound).",
         C_FAULTS},
        {"iommu_fleet_host_firmware_bugs",
         "Firmware-bug kernel log lines in the host's latest "
         "report.",
         C_BUGS},
        {"iommu_fleet_host_last_report_timestamp_seconds",
         "When the collector received the host's latest report (Unix time).", C_TIME},
        {"iommu_fleet_host_last_attempt_ok",
         "1 when the host's latest collection attempt brought a report.", C_OK},
};

static const char *const verdicts[] = {"ready", "not-ready", "unknown", "none"};

static int
adds(struct growbuf *out, const char *s)
{
	return growbuf_append(out, s, strlen(s));
}

/* One sample: NAME{host="H"[,verdict="V"]} VALUE */
static int
sample(struct growbuf *out, const char *name, const char *host, const char *verdict,
       const char *value)
{
	if (adds(out, name) == -1 || adds(out, "{host=\"") == -1 ||
	    metrics_label(out, host) == -1 || adds(out, "\"") == -1)
		return -1;
	if (verdict != NULL && (adds(out, ",verdict=\"") == -1 ||
	                        metrics_label(out, verdict) == -1 || adds(out, "\"") == -1))
		return -1;
	return adds(out, "} ") == -1 || adds(out, value) == -1 || adds(out, "\n") == -1 ? -1 : 0;
}

static int
family(struct growbuf *out, const struct family *f, const struct db_rows *rows)
{
	const struct db_cell *row;
	char line[512];
	size_t r;

	snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s gauge\n", f->name, f->help, f->name);
	if (adds(out, line) == -1)
		return -1;
	for (r = 0; r < rows->nrows; r++) {
		row = &rows->cells[r * rows->ncols];
		if (f->col == -1 &&
		    sample(out, f->name, row[C_HOST].text, row[C_VERDICT].text, "1") == -1)
			return -1;
		if (f->col == -2 &&
		    sample(out, f->name, row[C_HOST].text, NULL,
		           strcmp(row[C_VERDICT].text, "ready") == 0 ? "1" : "0") == -1)
			return -1;
		/* no report, no value: absent rather than a made-up 0 */
		if (f->col >= 0 && row[f->col].type != DB_NULL &&
		    sample(out, f->name, row[C_HOST].text, NULL, row[f->col].text) == -1)
			return -1;
	}
	return 0;
}

static int
counts(struct growbuf *out, const struct db_rows *rows)
{
	char line[256];
	size_t v, r, n;

	if (adds(out, "# HELP iommu_fleet_hosts Hosts by verdict (none: no report yet).\n"
	              "# TYPE iommu_fleet_hosts gauge\n") == -1)
		return -1;
	for (v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
		for (n = 0, r = 0; r < rows->nrows; r++)
			n += strcmp(rows->cells[r * rows->ncols + C_VERDICT].text, verdicts[v]) ==
			     0;
		snprintf(line, sizeof(line), "iommu_fleet_hosts{verdict=\"%s\"} %zu\n", verdicts[v],
		         n);
		if (adds(out, line) == -1)
			return -1;
	}
	return 0;
}

int
metrics_fleet_format(struct db *db, struct growbuf *out)
{
	struct db_rows rows;
	size_t i;
	int rc = 0;

	if (db_query(db, SQL_FLEET, NULL, 0, &rows) == -1)
		return -1;
	if (rows.ncols != NCOLS) {
		db_rows_free(&rows);
		db_set_error(db, "host_status: unexpected columns");
		return -1;
	}
	for (i = 0; i < sizeof(families) / sizeof(families[0]) && rc == 0; i++)
		rc = family(out, &families[i], &rows);
	if (rc == 0)
		rc = counts(out, &rows);
	db_rows_free(&rows);
	if (rc == -1)
		db_set_error(db, "out of memory");
	return rc;
}

/* Write buf to path through a temporary file beside it and a rename. */
static int
write_atomic(const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		log_warnx("%s: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		log_warn("%s", tmp);
		return -1;
	}
	/* readable by node_exporter, whoever it runs as */
	if (fchmod(fd, 0644) == -1 || write(fd, buf, len) != (ssize_t)len || fsync(fd) == -1) {
		log_warn("%s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		log_warn("%s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
metrics_fleet_textfile(struct db *db, const char *path)
{
	struct growbuf out = {0};
	int rc;

	if (metrics_fleet_format(db, &out) == -1) {
		log_warnx("prometheus: %s", db_error(db));
		free(out.data);
		return -1;
	}
	if (path == NULL) {
		rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? 0
		                                                                            : -1;
		if (rc == -1)
			log_warn("stdout");
	} else
		rc = write_atomic(path, out.data, out.len);
	free(out.data);
	return rc;
}
