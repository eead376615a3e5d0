/*
 * store.c - one report into the database in one transaction: host,
 * observation, deduplicated content and its rows, attempt.  I/O through
 * db.h only.  What to store is decided before, in collector/ingest.c;
 * decoding and validation are proto's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/report.h"
#include "proto/report_json.h"

#include "collector/db.h"
#include "collector/store.h"
#include "collector/store_index.h"
#include "common/growbuf.h"
#include "proto/hostname.h"
#include "proto/report_key.h"
#include "proto/stamp.h"

/* A growing string (growbuf) that stays marked failed after an allocation
 * failure, so a chain of appends is checked once at its end. */
struct sbuf {
	struct growbuf g;
	int failed;
};

static void
sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!b->failed && growbuf_append(&b->g, s, n) == -1)
		b->failed = 1;
}

static void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

static void
sbuf_reset(struct sbuf *b)
{
	b->g.len = 0;
	if (b->g.data != NULL)
		b->g.data[0] = '\0';
}

/* Join a strlist with sep; NULL for an empty list. */
static const char *
sbuf_join(struct sbuf *b, const struct strlist *l, const char *sep)
{
	size_t i;

	sbuf_reset(b);
	if (l->n == 0)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			sbuf_adds(b, sep);
		sbuf_adds(b, l->v[i]);
	}
	return b->failed ? NULL : b->g.data;
}

const char *
store_status_name(enum store_status s)
{
	switch (s) {
	case STORE_STORED:
		return "stored";
	case STORE_UNCHANGED:
		return "unchanged";
	case STORE_DUPLICATE:
		return "duplicate";
	case STORE_REJECTED:
		return "rejected";
	case STORE_WRONG_HOST:
		return "wrong-host";
	case STORE_NOT_KNOWN:
		return "not-known";
	case STORE_FAILED:
		break;
	}
	return "db-error";
}

/* The form of received_at: RFC 3339 UTC, "2026-11-23T21:34:24Z". */
static void
store_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

void
store_now(char *buf, size_t len)
{
	store_time(buf, len, time(NULL));
}

/*
 * What the database keys and orders on, whatever the report's spelling (the
 * report's own text, in contents.report_json, is kept as sent):
 *  - a report_id in lower case: a UUID is case-insensitive (RFC 4122), so
 *    one report sent twice in two spellings is one report;
 *  - a collected_at as UTC "YYYY-MM-DDThh:mm:ssZ" (offset applied, fraction
 *    dropped), so that times compare as strings in SQL and here: "+14:00"
 *    or a lower-case "t" / "z" would otherwise sort wrong against "Z".
 * A text they cannot read is kept as it is (validation refused it before).
 */
static void
store_norm_id(char *out, size_t outlen, const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (id[i] >= 'A' && id[i] <= 'Z') ? (char)(id[i] - 'A' + 'a') : id[i];
	out[i] = '\0';
}

static void
store_norm_time(char *out, size_t outlen, const char *at)
{
	long long t;
	time_t tt;
	struct tm tm;

	/* the year always in four digits: stored times compare as strings */
	if (stamp_time_epoch(at, strlen(at), &t) == -1 || (tt = (time_t)t) != t ||
	    gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		snprintf(out, outlen, "%s", at);
	else
		snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static long long
tri_value(enum tristate t)
{
	return t == TRI_UNKNOWN ? -1 : (t == TRI_TRUE);
}

static const char SQL_FIND_OBS[] = "SELECT 1 FROM observations WHERE report_id = ?1";
static const char SQL_FIND_HOST[] =
        "SELECT id, latest_observation_id FROM hosts WHERE hostname = ?1";
static const char SQL_INSERT_HOST[] = "INSERT INTO hosts (hostname, first_seen) VALUES (?1, ?2)";
static const char SQL_LATEST[] = "SELECT content_id, received_at FROM observations WHERE id = ?1";
static const char SQL_FIND_CONTENT[] = "SELECT id FROM contents WHERE sha256 = ?2 AND host_id = ?1";
/* A content already validated and stored for this host (?2, its key): for
 * an import the host is the one named in that very content. */
static const char SQL_KNOWN_CONTENT[] =
        "SELECT c.id, c.host_id, h.hostname, h.latest_observation_id"
        " FROM contents c JOIN hosts h ON h.id = c.host_id"
        " WHERE c.sha256 = ?1 AND h.hostname = coalesce(?2, fleet_host_key(c.reported_hostname))";
static const char SQL_ANY_CONTENT[] = "SELECT 1 FROM contents WHERE sha256 = ?1";
static const char SQL_INSERT_CONTENT[] =
        "INSERT INTO contents (host_id, sha256, agent_version, reported_hostname,"
        " machine_id, kernel, os, sys_vendor, product_name, bios_version, bios_date,"
        " cpu_vendor, cpu_model, cpu_virtualization, cmdline, iommu_vendor,"
        " iommu_enabled, default_domain, interrupt_remapping, irq_mode,"
        " x2apic_optout, iommu_units, kernel_log_source, kernel_log_complete,"
        " fault_total, firmware_bugs, group_count, device_count, grouping, verdict,"
        " reason, report_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
        " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
        " ?27, ?28, ?29, ?30, ?31, ?32)";
static const char SQL_INSERT_GROUP[] =
        "INSERT INTO iommu_groups (content_id, seq, group_id, type, device_count)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_INSERT_REGION[] =
        "INSERT INTO reserved_regions (content_id, group_seq, seq, start, \"end\", type)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INSERT_DEVICE[] =
        "INSERT INTO devices (content_id, address, group_id, group_size, group_members,"
        " vendor_id, device_id, subsystem_vendor_id, subsystem_device_id, class,"
        " name, driver, reset_methods, boot_vga, isolated, verdict, reasons,"
        " role, critical, driver_override, sriov_totalvfs, sriov_numvfs, physfn, acs,"
        " preflight, blockers, preflight_warnings)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
static const char SQL_INSERT_PARAM[] =
        "INSERT INTO cmdline_params (content_id, seq, key, value) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_INSERT_LINE[] =
        "INSERT INTO kernel_log_lines (content_id, seq, time, level, text)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_INSERT_FAULT[] =
        "INSERT INTO faults (content_id, seq, address, kind, reason, count)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INSERT_CHECK[] =
        "INSERT INTO checks (content_id, seq, check_id, status, summary, evidence)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INSERT_ERROR[] =
        "INSERT INTO report_errors (content_id, seq, text) VALUES (?1, ?2, ?3)";
static const char SQL_INSERT_OBS[] =
        "INSERT INTO observations (host_id, content_id, report_id, collected_at,"
        " received_at, transport) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_SET_LATEST[] = "UPDATE hosts SET latest_observation_id = ?2 WHERE id = ?1";
static const char SQL_INSERT_ATTEMPT[] =
        "INSERT INTO collection_attempts (host_id, started_at, finished_at,"
        " transport, status, error, observation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_SET_ATTEMPT[] = "UPDATE hosts SET last_attempt_id = ?2 WHERE id = ?1";
static const char SQL_CLEAR_GROUPS[] = "DELETE FROM host_group_members WHERE host_id = ?1";
static const char SQL_ADD_GROUP[] =
        "INSERT OR IGNORE INTO host_group_members (host_id, group_name) VALUES (?1, ?2)";
static const char SQL_DELETE_HOST[] = "DELETE FROM hosts WHERE hostname = ?1";
/* Contents whose first observation was received since ?2: one range on
 * observations_received, and a look at each one's earlier observations. */
static const char SQL_NEW_BYTES[] =
        "SELECT coalesce(sum(length(CAST(c.report_json AS BLOB))), 0), min(o.received_at)"
        " FROM hosts h JOIN observations o ON o.host_id = h.id AND o.received_at >= ?2"
        " JOIN contents c ON c.id = o.content_id"
        " WHERE h.hostname = ?1 AND NOT EXISTS (SELECT 1 FROM observations p"
        "  WHERE p.content_id = o.content_id AND (p.received_at, p.id) < (o.received_at, o.id))";

/* Step a statement that returns no row. */
static int
run(struct db_stmt *st)
{
	return db_step(st) == DB_DONE ? 0 : -1;
}

/* The preflight columns (?18-?27): NULL for what an older agent did not
 * say. */
static void
store_device_preflight(struct db_stmt *st, const struct report_device *d, struct sbuf *blockers,
                       struct sbuf *warnings)
{
	db_bind_text(st, 18, d->role);
	db_bind_text(st, 19, d->critical);
	db_bind_text(st, 20, d->driver_override);
	db_bind_int_or_null(st, 21, d->sriov_totalvfs);
	db_bind_int_or_null(st, 22, d->sriov_totalvfs >= 0 ? d->sriov_numvfs : -1);
	db_bind_text(st, 23, d->physfn[0] != '\0' ? d->physfn : NULL);
	db_bind_int_or_null(st, 24, tri_value(d->acs));
	db_bind_text(st, 25, d->role != NULL ? verdict_name(d->preflight) : NULL);
	db_bind_text(st, 26, d->role != NULL ? sbuf_join(blockers, &d->blockers, "; ") : NULL);
	db_bind_text(st, 27, d->role != NULL ? sbuf_join(warnings, &d->warnings, "; ") : NULL);
}

static int
store_device(struct db *db, long long cid, const struct store_index *ix,
             const struct store_devref *ref, struct sbuf *tmp)
{
	const struct report_device *d = ref->d;
	struct sbuf reasons = {0}, blockers = {0}, warnings = {0};
	struct db_stmt *st;
	int rc;

	if ((st = db_prepare(db, SQL_INSERT_DEVICE)) == NULL)
		return -1;
	db_bind_int(st, 1, cid);
	db_bind_text(st, 2, d->address);
	if (ref->gidx != (size_t)-1) {
		db_bind_int_or_null(st, 3, ref->group);
		db_bind_int(st, 4, (long long)ix->r->iommu.groups[ref->gidx].ndevices);
		db_bind_text(st, 5, ix->members[ref->gidx]);
	}
	db_bind_int_or_null(st, 6, d->vendor_id);
	db_bind_int_or_null(st, 7, d->device_id);
	db_bind_int_or_null(st, 8, d->subsystem_vendor_id);
	db_bind_int_or_null(st, 9, d->subsystem_device_id);
	db_bind_int_or_null(st, 10, d->class_code);
	db_bind_text(st, 11, d->name);
	db_bind_text(st, 12, d->driver);
	/* '': the kernel lists no method; NULL: none listed, or unknown */
	db_bind_text(st, 13,
	             d->resettable == TRI_FALSE ? "" : sbuf_join(tmp, &d->reset_methods, " "));
	db_bind_int_or_null(st, 14, tri_value(d->boot_vga));
	db_bind_int_or_null(st, 15, tri_value(d->isolated));
	db_bind_text(st, 16, verdict_name(d->verdict));
	db_bind_text(st, 17, sbuf_join(&reasons, &d->reasons, "; "));
	store_device_preflight(st, d, &blockers, &warnings);
	if (tmp->failed || reasons.failed || blockers.failed || warnings.failed)
		rc = -1;
	else
		rc = run(st);
	free(reasons.g.data);
	free(blockers.g.data);
	free(warnings.g.data);
	return rc;
}

/* The contents row: the report's summary columns and its text. */
static long long
store_content_row(struct db *db, long long host_id, const struct store_item *it)
{
	const struct report *r = it->r;
	const struct store_index *ix = it->ix;
	struct db_stmt *st;

	if ((st = db_prepare(db, SQL_INSERT_CONTENT)) == NULL)
		return -1;
	db_bind_int(st, 1, host_id);
	db_bind_text(st, 2, it->key->sha256);
	db_bind_text(st, 3, r->agent_version);
	db_bind_text(st, 4, r->host.hostname);
	db_bind_text(st, 5, r->host.machine_id);
	db_bind_text(st, 6, r->host.kernel);
	db_bind_text(st, 7, r->host.os);
	db_bind_text(st, 8, r->host.dmi.sys_vendor);
	db_bind_text(st, 9, r->host.dmi.product_name);
	db_bind_text(st, 10, r->host.dmi.bios_version);
	db_bind_text(st, 11, r->host.dmi.bios_date);
	db_bind_text(st, 12, r->host.cpu.vendor);
	db_bind_text(st, 13, r->host.cpu.model);
	db_bind_text(st, 14, r->host.cpu.virtualization);
	db_bind_text(st, 15, r->cmdline.raw);
	db_bind_text(st, 16, r->iommu.vendor);
	db_bind_int_or_null(st, 17, tri_value(r->iommu.enabled));
	db_bind_text(st, 18, r->iommu.default_domain);
	db_bind_int_or_null(st, 19, tri_value(r->iommu.interrupt_remapping.enabled));
	db_bind_text(st, 20, r->iommu.interrupt_remapping.mode);
	db_bind_int_or_null(st, 21, tri_value(r->iommu.interrupt_remapping.x2apic_optout));
	db_bind_int_or_null(st, 22, r->iommu.units);
	db_bind_text(st, 23, r->kernel_log.source);
	db_bind_int_or_null(st, 24, tri_value(r->kernel_log.complete));
	db_bind_int(st, 25, (long long)r->kernel_log.fault_total);
	db_bind_int(st, 26, (long long)r->kernel_log.firmware_bugs);
	db_bind_int(st, 27, (long long)r->iommu.ngroups);
	db_bind_int(st, 28, (long long)ix->ndevs);
	db_bind_text(st, 29, ix->grouping);
	db_bind_text(st, 30, verdict_name(r->verdict));
	db_bind_text(st, 31, r->reason);
	db_bind_textn(st, 32, it->json, it->len);
	if (run(st) == -1)
		return -1;
	return db_last_rowid(db);
}

/* The reserved regions of group gseq. */
static int
store_regions(struct db *db, long long cid, size_t gseq, const struct report_group *g)
{
	struct db_stmt *st;
	char a[32], b[32];
	size_t j;

	for (j = 0; j < g->nregions; j++) {
		if ((st = db_prepare(db, SQL_INSERT_REGION)) == NULL)
			return -1;
		snprintf(a, sizeof(a), "0x%016llx", (unsigned long long)g->regions[j].start);
		snprintf(b, sizeof(b), "0x%016llx", (unsigned long long)g->regions[j].end);
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)gseq);
		db_bind_int(st, 3, (long long)j);
		db_bind_text(st, 4, a);
		db_bind_text(st, 5, b);
		db_bind_text(st, 6, g->regions[j].type);
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

/* The IOMMU groups, each with its reserved regions. */
static int
store_groups(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->iommu.ngroups; i++) {
		const struct report_group *g = &r->iommu.groups[i];

		if ((st = db_prepare(db, SQL_INSERT_GROUP)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		db_bind_int_or_null(st, 3, g->id);
		db_bind_text(st, 4, g->type);
		db_bind_int(st, 5, (long long)g->ndevices);
		if (run(st) == -1 || store_regions(db, cid, i, g) == -1)
			return -1;
	}
	return 0;
}

static int
store_devices(struct db *db, long long cid, const struct store_index *ix, struct sbuf *tmp)
{
	size_t i;

	for (i = 0; i < ix->ndevs; i++) {
		if (store_device(db, cid, ix, &ix->devs[i], tmp) == -1)
			return -1;
	}
	return 0;
}

static int
store_params(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->cmdline.nparams; i++) {
		if ((st = db_prepare(db, SQL_INSERT_PARAM)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		db_bind_text(st, 3,
		             r->cmdline.params[i].key != NULL ? r->cmdline.params[i].key : "");
		db_bind_text(st, 4, r->cmdline.params[i].value);
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

static int
store_lines(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->kernel_log.nlines; i++) {
		const struct report_logline *l = &r->kernel_log.lines[i];

		if ((st = db_prepare(db, SQL_INSERT_LINE)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		if (l->time >= 0)
			db_bind_double(st, 3, l->time);
		db_bind_int_or_null(st, 4, l->level);
		db_bind_text(st, 5, l->text != NULL ? l->text : "");
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

static int
store_faults(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->kernel_log.nfaults; i++) {
		const struct report_fault *f = &r->kernel_log.faults[i];

		if ((st = db_prepare(db, SQL_INSERT_FAULT)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		db_bind_text(st, 3, f->address);
		db_bind_text(st, 4, f->kind);
		db_bind_text(st, 5, f->reason);
		db_bind_int(st, 6, (long long)f->count);
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

static int
store_checks(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->nchecks; i++) {
		const struct report_check *k = &r->checks[i];

		if ((st = db_prepare(db, SQL_INSERT_CHECK)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		db_bind_text(st, 3, k->id != NULL ? k->id : "");
		db_bind_text(st, 4, check_status_name(k->status));
		db_bind_text(st, 5, k->summary);
		db_bind_text(st, 6, k->evidence);
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

static int
store_errors(struct db *db, long long cid, const struct report *r)
{
	struct db_stmt *st;
	size_t i;

	for (i = 0; i < r->errors.n; i++) {
		if ((st = db_prepare(db, SQL_INSERT_ERROR)) == NULL)
			return -1;
		db_bind_int(st, 1, cid);
		db_bind_int(st, 2, (long long)i);
		db_bind_text(st, 3, r->errors.v[i]);
		if (run(st) == -1)
			return -1;
	}
	return 0;
}

/* A new content: its row, then its rows in every other table, in the
 * order of the schema.  The content's id, or -1. */
static long long
store_content(struct db *db, long long host_id, const struct store_item *it, struct sbuf *tmp)
{
	const struct report *r = it->r;
	long long cid;

	cid = store_content_row(db, host_id, it);
	if (cid == -1)
		return -1;
	if (store_groups(db, cid, r) == -1 || store_devices(db, cid, it->ix, tmp) == -1 ||
	    store_params(db, cid, r) == -1 || store_lines(db, cid, r) == -1 ||
	    store_faults(db, cid, r) == -1 || store_checks(db, cid, r) == -1 ||
	    store_errors(db, cid, r) == -1)
		return -1;
	return cid;
}

/* The host's row id, created when missing; *latest its latest observation
 * (0 none).  hostname: a key (store_host_key).  Inside a transaction. */
static long long
host_id_get(struct db *db, const char *hostname, long long *latest)
{
	struct db_stmt *st;
	char now[32];
	long long id;
	int rc;

	*latest = 0;
	if ((st = db_prepare(db, SQL_FIND_HOST)) == NULL)
		return -1;
	db_bind_text(st, 1, hostname);
	rc = db_step(st);
	if (rc == DB_ROW) {
		id = db_column_int(st, 0);
		*latest = db_column_int(st, 1);
		db_step(st);
		return id;
	}
	if (rc == -1)
		return -1;
	if ((st = db_prepare(db, SQL_INSERT_HOST)) == NULL)
		return -1;
	store_now(now, sizeof(now));
	db_bind_text(st, 1, hostname);
	db_bind_text(st, 2, now);
	if (run(st) == -1)
		return -1;
	return db_last_rowid(db);
}

/* A host name we can key on: the report contract's. */
static int
hostname_ok(const char *s)
{
	return s != NULL && hostname_invalid(s, strlen(s), HOSTNAME_REPORTED) == NULL;
}

/* Every spelling of a host is one row: hosts.hostname is its key, made
 * here for every way in (ingest's commits, attempts, groups, forget). */
static void
store_host_key(char key[HOSTNAME_MAX + 1], const char *hostname)
{
	hostname_key(hostname, key, HOSTNAME_MAX + 1);
}

static int
attempt_insert(struct db *db, long long host_id, const char *started_at, const char *transport,
               const char *status, const char *error, long long obs)
{
	struct db_stmt *st;
	char now[32];
	long long id;

	store_now(now, sizeof(now));
	if ((st = db_prepare(db, SQL_INSERT_ATTEMPT)) == NULL)
		return -1;
	db_bind_int(st, 1, host_id);
	db_bind_text(st, 2, started_at != NULL ? started_at : now);
	db_bind_text(st, 3, now);
	db_bind_text(st, 4, transport);
	db_bind_text(st, 5, status);
	db_bind_text(st, 6, error);
	db_bind_int_or_null(st, 7, obs > 0 ? obs : -1);
	if (run(st) == -1)
		return -1;
	id = db_last_rowid(db);
	if ((st = db_prepare(db, SQL_SET_ATTEMPT)) == NULL)
		return -1;
	db_bind_int(st, 1, host_id);
	db_bind_int(st, 2, id);
	return run(st);
}

/* A transaction begun, and the id of hostname's row (made when new): the
 * id, 0 when the row failed (the transaction open: roll it back), or -1
 * before any transaction (a name no host can have, or no database). */
static long long
host_begin(struct db *db, const char *hostname)
{
	char key[HOSTNAME_MAX + 1];
	long long host_id, latest;

	if (!hostname_ok(hostname)) {
		db_set_error(db, "not a usable host name");
		return -1;
	}
	if (db_begin(db) == -1)
		return -1;
	store_host_key(key, hostname);
	host_id = host_id_get(db, key, &latest);
	return host_id == -1 ? 0 : host_id;
}

int
store_attempt(struct db *db, const char *hostname, const char *transport, const char *started_at,
              const char *status, const char *error)
{
	char status_b[64], error_b[STORE_ERROR_MAX];
	long long host_id;

	/* a transport's error may quote what a host sent: bound it */
	snprintf(status_b, sizeof(status_b), "%s", status);
	if (error != NULL)
		snprintf(error_b, sizeof(error_b), "%s", error);
	if ((host_id = host_begin(db, hostname)) == -1)
		return -1;
	if (host_id == 0 || attempt_insert(db, host_id, started_at, transport, status_b,
	                                   error != NULL ? error_b : NULL, 0) == -1) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

int
store_set_groups(struct db *db, const char *hostname, const char *groups)
{
	char copy[1024], *g, *save = NULL;
	struct db_stmt *st;
	long long host_id;

	snprintf(copy, sizeof(copy), "%s", groups);
	if ((host_id = host_begin(db, hostname)) == -1)
		return -1;
	if (host_id == 0 || (st = db_prepare(db, SQL_CLEAR_GROUPS)) == NULL)
		goto fail;
	db_bind_int(st, 1, host_id);
	if (run(st) == -1)
		goto fail;
	for (g = strtok_r(copy, ",", &save); g != NULL; g = strtok_r(NULL, ",", &save)) {
		if ((st = db_prepare(db, SQL_ADD_GROUP)) == NULL)
			goto fail;
		db_bind_int(st, 1, host_id);
		db_bind_text(st, 2, g);
		if (run(st) == -1)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return -1;
}

int
store_forget_host(struct db *db, const char *hostname)
{
	char key[HOSTNAME_MAX + 1];
	struct db_stmt *st;
	int n;

	store_host_key(key, hostname);
	if (db_begin(db) == -1)
		return -1;
	if ((st = db_prepare(db, SQL_DELETE_HOST)) == NULL)
		goto fail;
	db_bind_text(st, 1, key);
	if (run(st) == -1)
		goto fail;
	n = db_changes(db);
	if (db_commit(db) == -1)
		goto fail;
	return n > 0;
fail:
	db_rollback(db);
	return -1;
}

static enum store_status
finish(struct store_result *res, enum store_status s)
{
	res->status = s;
	return s;
}

/* Inside the transaction: the observation, the host's latest pointer, the
 * attempt.  latest / latest_at: the host's current latest observation and
 * its received_at (from latest_content). */
static int
observe(struct db *db, long long host_id, long long cid, long long latest, const char *latest_at,
        const char *report_id, const char *collected_at, const struct store_item *it,
        enum store_status status, struct store_result *res)
{
	struct db_stmt *st;
	char now[32], id[40], at[STAMP_TIME_MAX + 1];
	long long obs;

	store_now(now, sizeof(now));
	store_norm_id(id, sizeof(id), report_id);
	store_norm_time(at, sizeof(at), collected_at);
	if ((st = db_prepare(db, SQL_INSERT_OBS)) == NULL)
		return -1;
	db_bind_int(st, 1, host_id);
	db_bind_int(st, 2, cid);
	db_bind_text(st, 3, id);
	db_bind_text(st, 4, at);
	db_bind_text(st, 5, now);
	db_bind_text(st, 6, it->transport);
	if (run(st) == -1)
		return -1;
	obs = db_last_rowid(db);
	/* latest is the greatest (received_at, id), the collector's order
	 * (schema/006): a time the host claims ahead pins nothing.  Only a
	 * clock that went back keeps an earlier receipt the latest. */
	if (latest == 0 || strcmp(now, latest_at) >= 0) {
		if ((st = db_prepare(db, SQL_SET_LATEST)) == NULL)
			return -1;
		db_bind_int(st, 1, host_id);
		db_bind_int(st, 2, obs);
		if (run(st) == -1)
			return -1;
	}
	if (attempt_insert(db, host_id, NULL, it->transport, store_status_name(status), it->note,
	                   obs) == -1)
		return -1;
	res->observation_id = obs;
	return 0;
}

/* The content of this host's latest observation, 0 when none; its
 * received_at into at ("" when none). */
static long long
latest_content(struct db *db, long long latest, char *at, size_t atsz)
{
	struct db_stmt *st;
	long long cid = 0;
	int rc;

	at[0] = '\0';
	if (latest <= 0)
		return 0;
	if ((st = db_prepare(db, SQL_LATEST)) == NULL)
		return -1;
	db_bind_int(st, 1, latest);
	if ((rc = db_step(st)) == -1)
		return -1;
	if (rc == DB_ROW) {
		cid = db_column_int(st, 0);
		snprintf(at, atsz, "%s",
		         db_column_text(st, 1) != NULL ? db_column_text(st, 1) : "");
		db_step(st);
	}
	return cid;
}

/* 1 if the report_id is stored already, 0 if not, -1 error. */
static int
seen_report(struct db *db, const char *report_id)
{
	struct db_stmt *st;
	char id[40];
	int rc;

	store_norm_id(id, sizeof(id), report_id);
	if ((st = db_prepare(db, SQL_FIND_OBS)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW)
		db_step(st);
	return rc == -1 ? -1 : rc == DB_ROW;
}

int
store_content_known(struct db *db, const char *sha256)
{
	struct db_stmt *st;
	int rc;

	if ((st = db_prepare(db, SQL_ANY_CONTENT)) == NULL)
		return -1;
	db_bind_text(st, 1, sha256);
	if ((rc = db_step(st)) == DB_ROW)
		db_step(st);
	return rc == -1 ? -1 : rc == DB_ROW;
}

static enum store_status
dberr(struct db *db, struct store_result *res)
{
	snprintf(res->error, sizeof(res->error), "%s", db_error(db));
	res->disk_full = db_error_full(db);
	db_rollback(db);
	return finish(res, STORE_FAILED);
}

enum store_status
store_commit_known(struct db *db, const struct store_item *it, struct store_result *res)
{
	struct db_stmt *st;
	long long cid, host_id, latest, lc;
	enum store_status status;
	char latest_at[32], key[HOSTNAME_MAX + 1];
	int rc;

	memset(res, 0, sizeof(*res));
	if (!it->key->ok)
		return finish(res, STORE_NOT_KNOWN);
	if (it->identity != NULL)
		store_host_key(key, it->identity);
	if (db_begin(db) == -1)
		return dberr(db, res);
	if ((st = db_prepare(db, SQL_KNOWN_CONTENT)) == NULL)
		return dberr(db, res);
	db_bind_text(st, 1, it->key->sha256);
	db_bind_text(st, 2, it->identity != NULL ? key : NULL);
	if ((rc = db_step(st)) == -1)
		return dberr(db, res);
	if (rc == DB_DONE) {
		db_rollback(db);
		return finish(res, STORE_NOT_KNOWN);
	}
	cid = db_column_int(st, 0);
	host_id = db_column_int(st, 1);
	snprintf(res->hostname, sizeof(res->hostname), "%s",
	         db_column_text(st, 2) != NULL ? db_column_text(st, 2) : "");
	latest = db_column_int(st, 3);
	db_step(st);
	store_norm_id(res->report_id, sizeof(res->report_id), it->key->report_id);
	if ((rc = seen_report(db, it->key->report_id)) == -1)
		return dberr(db, res);
	if (rc == 1) {
		db_rollback(db);
		return finish(res, STORE_DUPLICATE);
	}
	if ((lc = latest_content(db, latest, latest_at, sizeof(latest_at))) == -1)
		return dberr(db, res);
	status = lc == cid ? STORE_UNCHANGED : STORE_STORED;
	if (observe(db, host_id, cid, latest, latest_at, it->key->report_id, it->key->collected_at,
	            it, status, res) == -1 ||
	    db_commit(db) == -1)
		return dberr(db, res);
	return finish(res, status);
}

/* The content row of this text for the host, stored now when new (*fresh
 * set to 1). */
static long long
content_id(struct db *db, long long host_id, const struct store_item *it, int *fresh)
{
	struct sbuf tmp = {0};
	struct db_stmt *st;
	long long cid;
	int rc;

	if ((st = db_prepare(db, SQL_FIND_CONTENT)) == NULL)
		return -1;
	db_bind_int(st, 1, host_id);
	db_bind_text(st, 2, it->key->sha256);
	if ((rc = db_step(st)) == -1)
		return -1;
	if (rc == DB_ROW) {
		cid = db_column_int(st, 0);
		db_step(st);
		return cid;
	}
	cid = store_content(db, host_id, it, &tmp);
	free(tmp.g.data);
	*fresh = cid != -1;
	return cid;
}

enum store_status
store_commit(struct db *db, const struct store_item *it, struct store_result *res)
{
	const struct report *r = it->r;
	long long host_id, latest, lc, cid;
	char latest_at[32];
	int rc, fresh = 0;

	memset(res, 0, sizeof(*res));
	store_host_key(res->hostname, it->identity != NULL ? it->identity : r->host.hostname);
	store_norm_id(res->report_id, sizeof(res->report_id), r->report_id);
	if (db_begin(db) == -1)
		return dberr(db, res);
	if ((rc = seen_report(db, r->report_id)) == -1)
		return dberr(db, res);
	if (rc == 1) {
		db_rollback(db);
		return finish(res, STORE_DUPLICATE);
	}
	if ((host_id = host_id_get(db, res->hostname, &latest)) == -1 ||
	    (lc = latest_content(db, latest, latest_at, sizeof(latest_at))) == -1 ||
	    (cid = content_id(db, host_id, it, &fresh)) == -1)
		return dberr(db, res);
	if (observe(db, host_id, cid, latest, latest_at, r->report_id, r->collected_at, it,
	            cid == lc ? STORE_UNCHANGED : STORE_STORED, res) == -1 ||
	    db_commit(db) == -1)
		return dberr(db, res);
	res->new_content = fresh;
	return finish(res, cid == lc ? STORE_UNCHANGED : STORE_STORED);
}

int
store_host_new_bytes(struct db *db, const char *hostname, long long since, long long *bytes,
                     long long *first)
{
	char key[HOSTNAME_MAX + 1], at[32];
	const char *f;
	struct db_stmt *st;

	*bytes = 0;
	*first = 0;
	store_host_key(key, hostname);
	store_time(at, sizeof(at), (time_t)since);
	if ((st = db_prepare(db, SQL_NEW_BYTES)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, at);
	if (db_step(st) != DB_ROW)
		return -1;
	*bytes = db_column_int(st, 0);
	f = db_column_text(st, 1);
	if (f != NULL && stamp_time_epoch(f, strlen(f), first) == -1)
		*first = 0;
	db_step(st);
	return 0;
}
