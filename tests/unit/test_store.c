/*
 * test_store.c - unit tests of the collector's store, views, SHA-256 and
 * output escaping, on in-memory databases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "collector/db.h"
#include "collector/output.h"
#include "common/sha256.h"
#include "collector/ingest.h"
#include "collector/store.h"

static char *template_text;

/* The template with one substring replaced (NULL from: none). */
static char *
replace(const char *text, const char *from, const char *to)
{
	const char *p;
	char *out;
	size_t n;

	if (from == NULL || (p = strstr(text, from)) == NULL)
		return strdup(text);
	n = strlen(text) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	return out;
}

/* A report of host, with report id suffix idn (0-9999) and an hour, and
 * optionally one more replacement. */
static char *
make(const char *host, int idn, int hour, const char *from, const char *to)
{
	char id[64], at[64], hn[300], *a, *b, *c, *d;

	snprintf(id, sizeof(id), "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f%04d\"", idn);
	snprintf(at, sizeof(at), "\"2026-11-23T%02d:00:00Z\"", hour);
	snprintf(hn, sizeof(hn), "\"hostname\": \"%s\"", host);
	a = replace(template_text, "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b\"", id);
	b = replace(a, "\"2026-11-23T08:00:00Z\"", at);
	c = replace(b, "\"hostname\": \"r640-01\"", hn);
	d = replace(c, from, to != NULL ? to : "");
	free(a);
	free(b);
	free(c);
	return d;
}

static enum store_status
put(struct db *db, char *json, struct store_result *res)
{
	enum store_status s;

	s = ingest_text(db, json, strlen(json), "import", NULL, res);
	free(json);
	return s;
}

/* One value of a one-cell query, as text ("NULL" for NULL). */
static char *
q1(struct db *db, const char *sql)
{
	struct db_rows rows;
	char *v;

	assert_int_equal(db_query(db, sql, NULL, 0, &rows), 0);
	assert_int_equal(rows.nrows, 1);
	v = strdup(rows.cells[0].text != NULL ? rows.cells[0].text : "NULL");
	db_rows_free(&rows);
	return v;
}

static void
assert_q(struct db *db, const char *sql, const char *want)
{
	char *v = q1(db, sql);

	if (strcmp(v, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, v, want);
	free(v);
}

/* Rows in every table, as one string: proves "nothing changed". */
static char *
census(struct db *db)
{
	return q1(
	        db,
	        "SELECT (SELECT count(*) FROM hosts) || '/' ||"
	        " (SELECT count(*) FROM contents) || '/' || (SELECT count(*) FROM observations)"
	        " || '/' || (SELECT count(*) FROM devices) || '/' || (SELECT count(*) FROM iommu_groups)"
	        " || '/' || (SELECT count(*) FROM kernel_log_lines) || '/' || (SELECT count(*) FROM checks)"
	        " || '/' || (SELECT count(*) FROM collection_attempts)");
}

static struct db *
open_mem(void)
{
	struct db *db;
	char err[600];

	if (db_open(":memory:", &db, err, sizeof(err)) == -1)
		fail_msg("db_open: %s", err);
	return db;
}

static void
test_sha256(void **state)
{
	char hex[SHA256_HEX_LEN];
	char *million;

	(void)state;
	sha256_hex("", 0, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, hex);
	assert_string_equal(hex,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void
test_schema(void **state)
{
	struct db *db = open_mem();
	char sql[64];

	(void)state;
	snprintf(sql, sizeof(sql), "PRAGMA user_version");
	{
		char *v = q1(db, sql), want[16];

		snprintf(want, sizeof(want), "%d", db_schema_version());
		assert_string_equal(v, want);
		free(v);
	}
	assert_true(db_schema_version() >= 1);
	assert_q(db,
	         "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master"
	         " WHERE type = 'view' AND name IN ('host_status', 'device_status',"
	         " 'host_changes', 'cohort_outliers', 'attempts') ORDER BY name)",
	         "attempts,cohort_outliers,device_status,host_changes,host_status");
	db_close(db);
}

static void
test_store_lifecycle(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_string_equal(res.hostname, "r640-01");
	assert_true(res.observation_id > 0);
	assert_q(
	        db,
	        "SELECT hostname || ' ' || verdict || ' ' || iommu_enabled || ' ' ||"
	        " interrupt_remapping || ' ' || irq_mode || ' ' || group_count || ' ' ||"
	        " device_count || ' ' || dma_faults || ' ' || last_attempt_status FROM host_status",
	        "r640-01 ready 1 1 x2apic 23 28 0 stored");
	/* the same report again: duplicate, nothing stored */
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_DUPLICATE);
	assert_q(db, "SELECT count(*) FROM observations", "1");
	assert_q(db, "SELECT count(*) FROM collection_attempts", "1");
	/* same content, new id and time: unchanged, one more observation, one content */
	assert_int_equal(put(db, make("r640-01", 2, 9, NULL, NULL), &res), STORE_UNCHANGED);
	assert_q(db, "SELECT count(*) || '/' || (SELECT count(*) FROM contents) FROM observations",
	         "2/1");
	assert_q(db, "SELECT collected_at FROM host_status", "2026-11-23T09:00:00Z");
	/* a kernel upgrade and a driver change: stored, and host_changes says so */
	{
		char *a = make("r640-01", 3, 10, "\"kernel\": \"6.1.0-13-amd64\"",
		               "\"kernel\": \"6.1.0-15-amd64\"");
		char *b = replace(a, "\"driver\": \"nvidia\"", "\"driver\": \"vfio-pci\"");

		free(a);
		assert_int_equal(put(db, b, &res), STORE_STORED);
	}
	assert_q(db,
	         "SELECT group_concat(field || '=' || old_value || '>' || new_value, ',')"
	         " FROM (SELECT * FROM host_changes ORDER BY field)",
	         "driver 0000:3b:00.0=nvidia>vfio-pci,kernel=6.1.0-13-amd64>6.1.0-15-amd64");
	assert_q(db, "SELECT changed_at FROM host_changes LIMIT 1", "2026-11-23T10:00:00Z");
	assert_q(db,
	         "SELECT driver || ' ' || vendor_id || ' ' || class || ' ' || iommu_group"
	         " || ' ' || group_size FROM device_status WHERE address = '0000:3b:00.0'",
	         "vfio-pci 10de 030200 18 1");
	assert_q(db, "SELECT group_size FROM device_status WHERE address = '0000:01:00.1'", "2");
	/* back to the first content: a stored observation reusing that content */
	assert_int_equal(put(db, make("r640-01", 4, 11, NULL, NULL), &res), STORE_STORED);
	assert_q(db, "SELECT count(*) FROM contents", "2");
	assert_q(db, "SELECT count(*) FROM host_changes WHERE field = 'kernel'", "2");
	/* a report claiming an older time, received last, is the latest: the
	 * collector's order, not the host's claim (schema/006) */
	assert_int_equal(put(db,
	                     make("r640-01", 5, 7, "\"kernel\": \"6.1.0-13-amd64\"",
	                          "\"kernel\": \"5.10.0-1-amd64\""),
	                     &res),
	                 STORE_STORED);
	assert_q(db, "SELECT kernel || ' ' || collected_at FROM host_status",
	         "5.10.0-1-amd64 2026-11-23T07:00:00Z");
	assert_q(db, "SELECT count(*) FROM attempts WHERE hostname = 'r640-01'", "5");
	/* forget: everything about the host goes */
	assert_int_equal(store_forget_host(db, "r640-01"), 1);
	assert_int_equal(store_forget_host(db, "r640-01"), 0);
	{
		char *c = census(db);

		assert_string_equal(c, "0/0/0/0/0/0/0/0");
		free(c);
	}
	db_close(db);
}

/* reset_methods: '' when the device has no reset method, NULL when the
 * report does not say (an older agent, a tree without reset_method). */
static void
test_reset_none_or_unknown(void **state)
{
	struct store_result res;
	struct db *db = open_mem();
	const char *sql = "SELECT quote(reset_methods) FROM device_status"
	                  " WHERE address = '0000:00:00.0'";

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_q(db, sql, "NULL");
	assert_int_equal(put(db,
	                     make("r640-01", 2, 9, "\"reset_methods\": [],",
	                          "\"reset_methods\": [], \"resettable\": false,"),
	                     &res),
	                 STORE_STORED);
	assert_q(db, sql, "''");
	db_close(db);
}

static void
test_rejects_change_nothing(void **state)
{
	static const char *const bad[] = {
	        "",
	        "{",
	        "not json",
	        "[]",
	        "{\"format\": \"iommu-fleet.report\"}",
	        "{\"format\": \"iommu-fleet.report\", \"version\": 2}",
	        "{\"a\": 1, \"a\": 2}",
	        "{\"x\": \"\xff\xfe\"}",
	};
	struct store_result res;
	struct db *db = open_mem();
	char *before, *after, *t, *deep;
	size_t i;

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	before = census(db);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ingest_text(db, bad[i], strlen(bad[i]), "import", NULL, &res),
		                 STORE_REJECTED);
		assert_true(res.error[0] != '\0');
	}
	/* truncated real report */
	t = make("r640-02", 2, 8, NULL, NULL);
	assert_int_equal(ingest_text(db, t, strlen(t) / 2, "import", NULL, &res), STORE_REJECTED);
	free(t);
	/* a device listed twice */
	t = make("r640-02", 3, 8, "\"address\": \"0000:01:00.1\"", "\"address\": \"0000:01:00.0\"");
	assert_int_equal(put(db, t, &res), STORE_REJECTED);
	assert_non_null(strstr(res.error, "listed twice"));
	/* a control character in the host name */
	t = make("r640\\u001b[2J", 4, 8, NULL, NULL);
	assert_int_equal(put(db, t, &res), STORE_REJECTED);
	/* deeply nested */
	deep = calloc(1, 20000);
	assert_non_null(deep);
	memset(deep, '[', 5000);
	memset(deep + 5000, ']', 5000);
	assert_int_equal(ingest_text(db, deep, strlen(deep), "import", NULL, &res), STORE_REJECTED);
	free(deep);
	after = census(db);
	assert_string_equal(before, after);
	free(before);
	free(after);
	db_close(db);
}

static void
test_expected_hostname_and_attempts(void **state)
{
	struct store_result res;
	struct db *db = open_mem();
	char *t;

	(void)state;
	/* the inventory name wins over the report's own (the same host, by
	 * its FQDN) */
	t = make("gpu-07.lab.example", 1, 8, NULL, NULL);
	assert_int_equal(ingest_text(db, t, strlen(t), "ssh", "gpu-07", &res), STORE_STORED);
	free(t);
	assert_q(db, "SELECT hostname FROM host_status", "gpu-07");
	/* a rejected report from a known host is an attempt */
	assert_int_equal(ingest_text(db, "{", 1, "ssh", "gpu-07", &res), STORE_REJECTED);
	assert_q(db, "SELECT last_attempt_status FROM host_status", "rejected");
	assert_int_equal(store_attempt(db, "gpu-08", "ssh", "2026-11-23T08:00:00Z", "failed",
	                               "connect: connection refused"),
	                 0);
	assert_q(db,
	         "SELECT hostname || ' ' || transport || ' ' || status || ' ' || error"
	         " FROM attempts WHERE hostname = 'gpu-08'",
	         "gpu-08 ssh failed connect: connection refused");
	assert_q(db,
	         "SELECT coalesce(verdict, 'none') || ' ' || last_error FROM host_status"
	         " WHERE hostname = 'gpu-08'",
	         "none connect: connection refused");
	db_close(db);
}

/* "now" + ahead seconds as a quoted JSON time, for make()'s replacement. */
static void
json_time(char out[40], long long ahead)
{
	time_t t = time(NULL) + (time_t)ahead;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
}

/* A report from the future would stay its host's latest for as long as the
 * collector's clock is behind it: refused past INGEST_FUTURE_SKEW, by the
 * decoding path and by the known-content fast path alike. */
static void
test_future_refused(void **state)
{
	struct store_result res;
	struct db *db = open_mem();
	char at[40], now[40];

	(void)state;
	json_time(now, 0);
	json_time(at, INGEST_FUTURE_SKEW + 3600);
	assert_int_equal(put(db, make("r640-01", 1, 8, "\"2026-11-23T08:00:00Z\"", at), &res),
	                 STORE_REJECTED);
	assert_non_null(strstr(res.error, "ahead of the collector's clock"));
	assert_int_equal(put(db, make("r640-01", 2, 8, NULL, NULL), &res), STORE_STORED);
	/* the same content again, from the future: the fast path refuses too */
	assert_int_equal(put(db, make("r640-01", 3, 8, "\"2026-11-23T08:00:00Z\"", at), &res),
	                 STORE_REJECTED);
	/* now is fine */
	assert_int_equal(put(db, make("r640-01", 4, 8, "\"2026-11-23T08:00:00Z\"", now), &res),
	                 STORE_UNCHANGED);
	assert_q(db, "SELECT count(*) FROM observations", "2");
	db_close(db);
}

/* A year before 1000 is stored with four digits (it sorts before 2026);
 * received last it is the latest, and the next report replaces it: a
 * claimed time pins nothing. */
static void
test_old_year_pins_nothing(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(
	        put(db,
	            make("r640-01", 2, 9, "\"2026-11-23T09:00:00Z\"", "\"0999-01-01T00:00:00Z\""),
	            &res),
	        STORE_UNCHANGED);
	assert_q(db, "SELECT collected_at FROM host_status", "0999-01-01T00:00:00Z");
	assert_q(db, "SELECT min(collected_at) FROM observations", "0999-01-01T00:00:00Z");
	assert_int_equal(put(db, make("r640-01", 3, 10, NULL, NULL), &res), STORE_UNCHANGED);
	assert_q(db, "SELECT collected_at FROM host_status", "2026-11-23T10:00:00Z");
	db_close(db);
}

/* Issue 13: latest is the report received last.  One claiming an hour
 * before the stored one, received after it, is the latest; host_status
 * still shows the time it claims, and the history ends where host_status
 * is. */
static void
test_latest_by_receipt(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 9, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(put(db,
	                     make("r640-01", 2, 8, "\"kernel\": \"6.1.0-13-amd64\"",
	                          "\"kernel\": \"6.1.0-15-amd64\""),
	                     &res),
	                 STORE_STORED);
	assert_q(db,
	         "SELECT kernel || ' ' || collected_at || ' ' || (received_at IS NOT NULL)"
	         " FROM host_status",
	         "6.1.0-15-amd64 2026-11-23T08:00:00Z 1");
	assert_q(db, "SELECT count(*) FROM device_status d JOIN host_status s USING (hostname)",
	         "28");
	assert_q(db,
	         "SELECT old_value || '>' || new_value || ' ' || changed_at FROM host_changes"
	         " WHERE field = 'kernel'",
	         "6.1.0-13-amd64>6.1.0-15-amd64 2026-11-23T08:00:00Z");
	/* the same content as the latest: unchanged, whatever it claims */
	assert_int_equal(put(db,
	                     make("r640-01", 3, 7, "\"kernel\": \"6.1.0-13-amd64\"",
	                          "\"kernel\": \"6.1.0-15-amd64\""),
	                     &res),
	                 STORE_UNCHANGED);
	db_close(db);
}

/* A content is new once per host: what serve's storage budget charges, as
 * the database counts it after a restart (going back to an older content
 * is stored, not new). */
static void
test_new_content(void **state)
{
	static const char k13[] = "\"kernel\": \"6.1.0-13-amd64\"",
	                  k15[] = "\"kernel\": \"6.1.0-15-amd64\"";
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(res.new_content, 1);
	assert_int_equal(put(db, make("r640-01", 2, 9, k13, k15), &res), STORE_STORED);
	assert_int_equal(res.new_content, 1);
	assert_int_equal(put(db, make("r640-01", 3, 10, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(res.new_content, 0);
	assert_int_equal(put(db, make("r640-01", 4, 11, NULL, NULL), &res), STORE_UNCHANGED);
	assert_int_equal(res.new_content, 0);
	db_close(db);
}

/* Issue 13: a report stamped ahead, within the allowed skew, is the latest
 * only until the next one arrives. */
static void
test_future_within_skew_pins_nothing(void **state)
{
	struct store_result res;
	struct db *db = open_mem();
	char ahead[40], now[40];

	(void)state;
	json_time(now, 0);
	json_time(ahead, INGEST_FUTURE_SKEW / 2);
	assert_int_equal(put(db, make("r640-01", 1, 8, "\"2026-11-23T08:00:00Z\"", ahead), &res),
	                 STORE_STORED);
	assert_int_equal(put(db,
	                     make("r640-01", 2, 8, "\"kernel\": \"6.1.0-13-amd64\"",
	                          "\"kernel\": \"6.1.0-15-amd64\""),
	                     &res),
	                 STORE_STORED);
	{
		char *b = make("r640-01", 3, 8, "\"kernel\": \"6.1.0-13-amd64\"",
		               "\"kernel\": \"6.1.0-15-amd64\"");
		char *c = replace(b, "\"2026-11-23T08:00:00Z\"", now);

		free(b);
		assert_int_equal(put(db, c, &res), STORE_UNCHANGED);
	}
	assert_q(db, "SELECT kernel FROM host_status", "6.1.0-15-amd64");
	assert_q(db,
	         "SELECT o.report_id FROM hosts h JOIN observations o"
	         " ON o.id = h.latest_observation_id",
	         "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0003");
	db_close(db);
}

/* Review: one host whatever the spelling of its name.  Reports naming
 * "R640-01." and "r640-01" are one host, keyed "r640-01"; the report's
 * spelling stays in contents; forget takes any spelling. */
static void
test_host_key(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("R640-01.", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_string_equal(res.hostname, "r640-01");
	assert_int_equal(put(db, make("r640-01", 2, 9, NULL, NULL), &res), STORE_STORED);
	/* the first spelling again: its content, known for the one host */
	assert_int_equal(put(db, make("R640-01.", 3, 10, NULL, NULL), &res), STORE_STORED);
	assert_string_equal(res.hostname, "r640-01");
	assert_q(db, "SELECT group_concat(hostname) FROM hosts", "r640-01");
	assert_q(db, "SELECT count(*) FROM observations", "3");
	assert_q(db,
	         "SELECT group_concat(reported_hostname, ',') FROM"
	         " (SELECT reported_hostname FROM contents ORDER BY id)",
	         "R640-01.,r640-01");
	/* a token's identity in another spelling: the same host */
	{
		char *j = make("r640-01", 4, 11, NULL, NULL);

		assert_int_equal(ingest_text(db, j, strlen(j), "http", "R640-01", &res),
		                 STORE_STORED);
		free(j);
	}
	assert_string_equal(res.hostname, "r640-01");
	assert_q(db, "SELECT count(*) || ' ' || max(hostname) FROM hosts", "1 r640-01");
	assert_q(db, "SELECT count(*) FROM attempts WHERE hostname = 'r640-01'", "4");
	assert_int_equal(store_forget_host(db, "R640-01."), 1);
	assert_q(db, "SELECT count(*) FROM hosts", "0");
	db_close(db);
}

/* The unchanged fast path trusts only what it checked. */
static void
test_fast_path(void **state)
{
	struct store_result res;
	struct db *db = open_mem();
	char *t, *u;

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 8, NULL, NULL), &res), STORE_STORED);
	/* same bytes but a bad id or time: decoded, and rejected */
	assert_int_equal(put(db,
	                     make("r640-01", 2, 9, "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0002\"",
	                          "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f000z\""),
	                     &res),
	                 STORE_REJECTED);
	assert_int_equal(
	        put(db,
	            make("r640-01", 3, 9, "\"2026-11-23T09:00:00Z\"", "\"2026-11-23T09:00:00\""),
	            &res),
	        STORE_REJECTED);
	/* the same facts compact instead of pretty: unchanged */
	t = make("r640-01", 4, 10, NULL, NULL);
	u = replace(t, "{\n  \"format\": ", "{\"format\":");
	free(t);
	assert_int_equal(put(db, u, &res), STORE_UNCHANGED);
	/* the same facts with other string escapes: a new content, still valid */
	t = make("r640-01", 8, 10, NULL, NULL);
	u = replace(t, "\"PowerEdge R640\"", "\"PowerEdge R\\u0036\\u0034\\u0030\"");
	free(t);
	assert_int_equal(put(db, u, &res), STORE_STORED);
	assert_q(db, "SELECT count(*) || ' ' || count(DISTINCT product_name) FROM contents", "2 1");
	/* a known content under another name in the inventory (the same
	 * machine by its FQDN) is not that host's: stored for the new host */
	t = make("r640-01", 5, 11, NULL, NULL);
	assert_int_equal(ingest_text(db, t, strlen(t), "ssh", "r640-01.lab", &res), STORE_STORED);
	free(t);
	assert_q(db, "SELECT count(*) FROM contents", "3");
	t = make("r640-01", 6, 12, NULL, NULL);
	assert_int_equal(ingest_text(db, t, strlen(t), "ssh", "r640-01.lab", &res),
	                 STORE_UNCHANGED);
	assert_string_equal(res.hostname, "r640-01.lab");
	free(t);
	/* and the import of it goes to the host it names */
	assert_int_equal(put(db, make("r640-01", 7, 13, NULL, NULL), &res), STORE_STORED);
	assert_string_equal(res.hostname, "r640-01");
	assert_q(db, "SELECT count(*) FROM observations", "6");
	db_close(db);
}

/* Issue 13: a report_id is a UUID, case-insensitive: the same id in upper
 * and in lower case is one report (duplicate), stored in lower case. */
static void
test_report_id_case(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db,
	                     make("r640-01", 1, 8, "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0001\"",
	                          "\"6F1C2B9E-8D4A-4E55-9A7B-1C2D3E4F0001\""),
	                     &res),
	                 STORE_STORED);
	assert_string_equal(res.report_id, "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0001");
	/* the same id in lower case, other content: decoded path */
	assert_int_equal(put(db,
	                     make("r640-01", 1, 9, "\"kernel\": \"6.1.0-13-amd64\"",
	                          "\"kernel\": \"6.1.0-15-amd64\""),
	                     &res),
	                 STORE_DUPLICATE);
	/* the same content (known-content fast path), id in mixed case */
	assert_int_equal(put(db,
	                     make("r640-01", 1, 9, "\"6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0001\"",
	                          "\"6f1c2b9e-8D4A-4e55-9a7b-1c2d3e4f0001\""),
	                     &res),
	                 STORE_DUPLICATE);
	assert_q(db, "SELECT count(*) || ' ' || report_id FROM observations",
	         "1 6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0001");
	/* the report's own text is kept as sent */
	assert_q(db, "SELECT instr(report_json, '6F1C2B9E') > 0 FROM contents", "1");
	db_close(db);
}

/* Issue 13: times are stored as UTC instants, so they sort as strings in
 * history, filters and prune.  10:00+14:00 is 20:00 UTC the day before; a
 * lower-case t / z is the same instant as T / Z.  host_status shows the
 * claim of the report received last. */
static void
test_collected_at_utc(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("r640-01", 1, 0, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(put(db,
	                     make("r640-01", 2, 0, "\"2026-11-23T00:00:00Z\"",
	                          "\"2026-11-23T10:00:00+14:00\""),
	                     &res),
	                 STORE_UNCHANGED);
	assert_q(db,
	         "SELECT o.report_id FROM hosts h JOIN observations o"
	         " ON o.id = h.latest_observation_id",
	         "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f0002");
	assert_q(db, "SELECT collected_at FROM host_status", "2026-11-22T20:00:00Z");
	assert_q(db, "SELECT collected_at FROM observations WHERE id = 2", "2026-11-22T20:00:00Z");
	/* lower case, an offset west of UTC, a fraction: normalised */
	assert_int_equal(put(db,
	                     make("r640-01", 3, 0, "\"2026-11-23T00:00:00Z\"",
	                          "\"2026-11-22t23:30:00.5-01:00\""),
	                     &res),
	                 STORE_UNCHANGED);
	assert_q(db, "SELECT collected_at FROM host_status", "2026-11-23T00:30:00Z");
	assert_int_equal(
	        put(db,
	            make("r640-01", 4, 0, "\"2026-11-23T00:00:00Z\"", "\"2026-11-23t00:10:00z\""),
	            &res),
	        STORE_UNCHANGED);
	assert_q(db, "SELECT collected_at FROM host_status", "2026-11-23T00:10:00Z");
	assert_q(db,
	         "SELECT count(*) FROM observations WHERE collected_at GLOB"
	         " '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'",
	         "4");
	db_close(db);
}

/* Issue 13: a decode error never quotes the input (a file that is not a
 * report may be a secret); the line and column stay. */
static void
test_error_quotes_nothing(void **state)
{
	static const char shadow[] = "root:$y$j9T$secret:19000:0:99999:7:::\n";
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(ingest_text(db, shadow, strlen(shadow), "import", NULL, &res),
	                 STORE_REJECTED);
	assert_string_equal(res.error, "not JSON: line 1 column 4: '[' or '{' expected");
	assert_int_equal(ingest_text(db, "{\"a\": secret}", 14, "import", NULL, &res),
	                 STORE_REJECTED);
	assert_null(strstr(res.error, "secret"));
	assert_non_null(strstr(res.error, "not JSON: line 1 column"));
	/* the status word is not in the reason: "rejected: rejected: ..." */
	assert_null(strstr(res.error, "rejected"));
	db_close(db);
}

static void
test_cohort_outliers(void **state)
{
	struct store_result res;
	struct db *db = open_mem();

	(void)state;
	assert_int_equal(put(db, make("a1", 1, 8, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(put(db, make("a2", 2, 8, NULL, NULL), &res), STORE_STORED);
	assert_int_equal(put(db, make("a3", 3, 8, NULL, NULL), &res), STORE_STORED);
	/* a4: same model and BIOS, interrupt remapping off (a BIOS setting) */
	assert_int_equal(put(db,
	                     make("a4", 4, 8, "\"enabled\": true,\n      \"mode\": \"x2apic\"",
	                          "\"enabled\": false,\n      \"mode\": \"x2apic\""),
	                     &res),
	                 STORE_STORED);
	assert_q(db,
	         "SELECT group_concat(hostname || ':' || field || ':' || value || ':' ||"
	         " cohort_value || ':' || cohort_agree || '/' || cohort_size) FROM cohort_outliers",
	         "a4:interrupt_remapping:0:1:3/4");
	db_close(db);
}

static void
test_output_escape(void **state)
{
	char *e;

	(void)state;
	e = output_escape("ok\033[31mred\n\t\x7f\xc2\x9b\xff\\ \xe2\x80\xae end \xc3\xa9");
	assert_non_null(e);
	assert_string_equal(
	        e, "ok\\x1b[31mred\\n\\t\\x7f\\xc2\\x9b\\xff\\\\ \\xe2\\x80\\xae end \xc3\xa9");
	free(e);
}

static void
test_output_formats(void **state)
{
	struct db *db = open_mem();
	struct db_rows rows;
	struct output o;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	assert_int_equal(db_query(db,
	                          "SELECT 'a,\"b' AS x, 12 AS n, NULL AS z, char(27) || 'x' AS c",
	                          NULL, 0, &rows),
	                 0);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	output_init(&o, fp, OUTPUT_CSV, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	output_init(&o, fp, OUTPUT_JSON, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	output_init(&o, fp, OUTPUT_TABLE, 0);
	assert_int_equal(output_section(&o, "t", &rows), 0);
	fclose(fp);
	assert_string_equal(
	        buf, "x,n,z,c\n\"a,\"\"b\",12,,\\x1bx\n"
	             "[\n {\"x\": \"a,\\\"b\", \"n\": 12, \"z\": null, \"c\": \"\\u001bx\"}\n]\n"
	             "x     n   z  c\na,\"b  12  -  \\x1bx\n");
	free(buf);
	db_rows_free(&rows);
	db_close(db);
}

static int
setup(void **state)
{
	FILE *fp;
	long n;

	(void)state;
	fp = fopen(TEMPLATE_JSON, "rb");
	if (fp == NULL)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	template_text = calloc(1, (size_t)n + 1);
	if (template_text == NULL || fread(template_text, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(template_text);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sha256),
	        cmocka_unit_test(test_schema),
	        cmocka_unit_test(test_store_lifecycle),
	        cmocka_unit_test(test_reset_none_or_unknown),
	        cmocka_unit_test(test_rejects_change_nothing),
	        cmocka_unit_test(test_expected_hostname_and_attempts),
	        cmocka_unit_test(test_fast_path),
	        cmocka_unit_test(test_future_refused),
	        cmocka_unit_test(test_old_year_pins_nothing),
	        cmocka_unit_test(test_latest_by_receipt),
	        cmocka_unit_test(test_new_content),
	        cmocka_unit_test(test_future_within_skew_pins_nothing),
	        cmocka_unit_test(test_host_key),
	        cmocka_unit_test(test_report_id_case),
	        cmocka_unit_test(test_collected_at_utc),
	        cmocka_unit_test(test_error_quotes_nothing),
	        cmocka_unit_test(test_cohort_outliers),
	        cmocka_unit_test(test_output_escape),
	        cmocka_unit_test(test_output_formats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
