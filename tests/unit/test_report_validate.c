/*
 * test_report_validate.c - report_validate: a valid report passes (built
 * here and decoded from the integration template), and each semantic rule
 * refuses its one break with its exact message.  Pure, no I/O but reading
 * the template.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/report_json.h"
#include "proto/report_validate.h"

/* ------------------------------------------------------------ helpers */

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void
fill_device(struct report_device *d, const char *addr, enum verdict v)
{
	report_device_init(d);
	snprintf(d->address, sizeof(d->address), "%s", addr);
	d->vendor_id = 0x10de;
	d->device_id = 0x1eb8;
	d->class_code = 0x030200;
	d->driver = xstrdup("vfio-pci");
	d->verdict = v;
	d->isolated = v == VERDICT_READY ? TRI_TRUE : TRI_UNKNOWN;
	assert_int_equal(strlist_add(&d->reasons, "test device"), 0);
}

/*
 * A valid report: IOMMU on, host ready; groups 0 (00:00.0), 7 (01:00.0 and
 * 01:00.1, one region) and 12 (02:00.0); one ungrouped device (03:00.0, not
 * ready); two faults of 01:00.0 counted 3 in all.
 */
static void
build_valid(struct report *r)
{
	static const struct {
		int id;
		const char *addr[2];
		enum verdict v;
	} groups[] = {
	        {0, {"0000:00:00.0", NULL}, VERDICT_UNKNOWN},
	        {7, {"0000:01:00.0", "0000:01:00.1"}, VERDICT_READY},
	        {12, {"0000:02:00.0", NULL}, VERDICT_READY},
	};
	size_t i, j, n;

	report_init(r);
	snprintf(r->report_id, sizeof(r->report_id), "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b");
	snprintf(r->collected_at, sizeof(r->collected_at), "2026-11-23T08:00:00Z");
	r->agent_version = xstrdup("0.1.0");
	r->host.hostname = xstrdup("r640-01");
	r->iommu.vendor = xstrdup("intel");
	r->iommu.enabled = TRI_TRUE;
	r->iommu.units = 2;
	n = sizeof(groups) / sizeof(groups[0]);
	r->iommu.groups = calloc(n, sizeof(*r->iommu.groups));
	assert_non_null(r->iommu.groups);
	r->iommu.ngroups = n;
	for (i = 0; i < n; i++) {
		struct report_group *g = &r->iommu.groups[i];

		report_group_init(g);
		g->id = groups[i].id;
		g->type = xstrdup("DMA-FQ");
		g->devices = calloc(2, sizeof(*g->devices));
		assert_non_null(g->devices);
		for (j = 0; j < 2 && groups[i].addr[j] != NULL; j++)
			fill_device(&g->devices[g->ndevices++], groups[i].addr[j], groups[i].v);
	}
	r->iommu.groups[1].regions = calloc(2, sizeof(*r->iommu.groups[1].regions));
	assert_non_null(r->iommu.groups[1].regions);
	r->iommu.groups[1].nregions = 2;
	r->iommu.groups[1].regions[0].start = 0xfee00000;
	r->iommu.groups[1].regions[0].end = 0xfeefffff;
	r->iommu.groups[1].regions[0].type = xstrdup("msi");
	/* a one-byte region: end == start */
	r->iommu.groups[1].regions[1].start = 0x1000;
	r->iommu.groups[1].regions[1].end = 0x1000;
	r->iommu.groups[1].regions[1].type = xstrdup("reserved");
	r->iommu.ungrouped = calloc(1, sizeof(*r->iommu.ungrouped));
	assert_non_null(r->iommu.ungrouped);
	r->iommu.nungrouped = 1;
	fill_device(&r->iommu.ungrouped[0], "0000:03:00.0", VERDICT_NOT_READY);
	r->kernel_log.source = xstrdup("kmsg");
	r->kernel_log.complete = TRI_TRUE;
	r->kernel_log.faults = calloc(2, sizeof(*r->kernel_log.faults));
	assert_non_null(r->kernel_log.faults);
	r->kernel_log.nfaults = 2;
	for (i = 0; i < 2; i++) {
		snprintf(r->kernel_log.faults[i].address, REPORT_ADDR_MAX, "0000:01:00.0");
		r->kernel_log.faults[i].kind = xstrdup(i == 0 ? "dma-read" : "dma-write");
		r->kernel_log.faults[i].count = i + 1;
	}
	r->kernel_log.fault_total = 3;
	r->verdict = VERDICT_READY;
	r->reason = xstrdup("IOMMU on, devices isolated");
}

/* r keeps every rule. */
static void
assert_valid(const struct report *r)
{
	struct report_error err;

	memset(&err, 0, sizeof(err));
	if (report_validate(r, &err) != 0)
		fail_msg("refused: %s", err.msg);
}

/* r breaks a rule, and err says msg. */
static void
assert_refused(const struct report *r, const char *msg)
{
	struct report_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(report_validate(r, &err), -1);
	assert_string_equal(err.msg, msg);
}

/* ------------------------------------------------------------- tests */

static void
test_valid(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	assert_valid(&r);
	report_free(&r);
}

/* The least a report can hold: host, id and time; everything else unknown. */
static void
test_valid_minimal(void **state)
{
	struct report r;

	(void)state;
	report_init(&r);
	r.host.hostname = xstrdup("x");
	snprintf(r.report_id, sizeof(r.report_id), "00000000-0000-0000-0000-000000000000");
	snprintf(r.collected_at, sizeof(r.collected_at), "2026-11-23T08:00:00.5+01:00");
	assert_valid(&r);
	/* "not ready" and "unknown" need no IOMMU */
	r.verdict = VERDICT_NOT_READY;
	assert_valid(&r);
	r.iommu.enabled = TRI_FALSE;
	assert_valid(&r);
	report_free(&r);
}

static void
test_valid_template(void **state)
{
	struct report r;
	struct report_error err;
	char *text;
	long size;
	FILE *fp;

	(void)state;
	fp = fopen(TEMPLATE_JSON, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size > 0);
	rewind(fp);
	text = malloc((size_t)size);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	if (report_json_decode(text, (size_t)size, &r, &err) != 0)
		fail_msg("template: %s", err.msg);
	free(text);
	assert_valid(&r);
	report_free(&r);
}

static void
test_hostname(void **state)
{
	struct report r;
	char *long_name;

	(void)state;
	build_valid(&r);
	free(r.host.hostname);
	r.host.hostname = NULL;
	assert_refused(&r, "host.hostname: empty");
	r.host.hostname = xstrdup("");
	assert_refused(&r, "host.hostname: empty");
	free(r.host.hostname);
	r.host.hostname = xstrdup("r640\t01");
	assert_refused(&r, "host.hostname: control character");
	free(r.host.hostname);
	r.host.hostname = xstrdup("r640\xc2\x9b"
	                          "01");
	assert_refused(&r, "host.hostname: control character");
	free(r.host.hostname);
	r.host.hostname = xstrdup("r640\xff");
	assert_refused(&r, "host.hostname: not UTF-8");
	free(r.host.hostname);
	long_name = malloc(257);
	assert_non_null(long_name);
	memset(long_name, 'a', 256);
	long_name[256] = '\0';
	r.host.hostname = long_name;
	assert_refused(&r, "host.hostname: longer than 255 bytes");
	long_name[255] = '\0';
	assert_valid(&r);
	/* a report's name is data: blanks and any script pass */
	free(r.host.hostname);
	r.host.hostname = xstrdup("my host \xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90");
	assert_valid(&r);
	report_free(&r);
}

static void
test_stamp_missing(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	r.report_id[0] = '\0';
	assert_refused(&r, "report_id: missing");
	snprintf(r.report_id, sizeof(r.report_id), "not-a-uuid");
	assert_refused(&r, "report_id: missing");
	snprintf(r.report_id, sizeof(r.report_id), "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b");
	assert_valid(&r);
	r.collected_at[0] = '\0';
	assert_refused(&r, "collected_at: missing");
	snprintf(r.collected_at, sizeof(r.collected_at), "2026-11-23 08:00:00");
	assert_refused(&r, "collected_at: missing");
	report_free(&r);
}

static void
test_device_in_two_groups(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	/* group 12's device is also in group 7 */
	snprintf(r.iommu.groups[2].devices[0].address, REPORT_ADDR_MAX, "0000:01:00.1");
	assert_refused(&r, "iommu: device 0000:01:00.1 listed twice");
	report_free(&r);

	/* twice in one group */
	build_valid(&r);
	snprintf(r.iommu.groups[1].devices[1].address, REPORT_ADDR_MAX, "0000:01:00.0");
	assert_refused(&r, "iommu: device 0000:01:00.0 listed twice");
	report_free(&r);
}

static void
test_device_grouped_and_ungrouped(void **state)
{
	struct report_device *more;
	struct report r;

	(void)state;
	build_valid(&r);
	snprintf(r.iommu.ungrouped[0].address, REPORT_ADDR_MAX, "0000:02:00.0");
	assert_refused(&r, "iommu: device 0000:02:00.0 listed twice");
	report_free(&r);

	/* twice among the ungrouped */
	build_valid(&r);
	more = realloc(r.iommu.ungrouped, 2 * sizeof(*r.iommu.ungrouped));
	assert_non_null(more);
	r.iommu.ungrouped = more;
	fill_device(&r.iommu.ungrouped[r.iommu.nungrouped++], "0000:03:00.0", VERDICT_UNKNOWN);
	assert_refused(&r, "iommu: device 0000:03:00.0 listed twice");
	report_free(&r);
}

static void
test_group_id_twice(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	r.iommu.groups[2].id = 7;
	assert_refused(&r, "iommu.groups: group 7 listed twice");
	/* the first and the last, with another between */
	r.iommu.groups[2].id = 0;
	assert_refused(&r, "iommu.groups: group 0 listed twice");
	/* -1 (unknown) may repeat */
	r.iommu.groups[0].id = -1;
	r.iommu.groups[2].id = -1;
	assert_valid(&r);
	r.iommu.groups[1].id = -1;
	assert_valid(&r);
	report_free(&r);
}

static void
test_region_ends_before_start(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	r.iommu.groups[1].regions[1].end = 0xfff;
	assert_refused(&r, "iommu.groups[1].reserved_regions[1]: ends before it starts");
	r.iommu.groups[1].regions[1].end = 0x1000;
	r.iommu.groups[1].regions[0].start = UINT64_MAX;
	assert_refused(&r, "iommu.groups[1].reserved_regions[0]: ends before it starts");
	/* the whole space is one region */
	r.iommu.groups[1].regions[0].start = 0;
	r.iommu.groups[1].regions[0].end = UINT64_MAX;
	assert_valid(&r);
	report_free(&r);
}

static void
test_faults_over_total(void **state)
{
	struct report r;
	char msg[128];

	(void)state;
	build_valid(&r);
	r.kernel_log.fault_total = 2;
	assert_refused(&r, "kernel_log.fault_total: 2, fewer than the faults listed");
	r.kernel_log.fault_total = 0;
	assert_refused(&r, "kernel_log.fault_total: 0, fewer than the faults listed");
	/* more counted than listed: lines may have been dropped */
	r.kernel_log.fault_total = 1000;
	assert_valid(&r);
	/* a sum that wraps around is still more than the total */
	r.kernel_log.faults[0].count = ULONG_MAX;
	r.kernel_log.faults[1].count = 1;
	r.kernel_log.fault_total = ULONG_MAX;
	snprintf(msg, sizeof(msg), "kernel_log.fault_total: %lu, fewer than the faults listed",
	         ULONG_MAX);
	assert_refused(&r, msg);
	r.kernel_log.faults[1].count = 0;
	assert_valid(&r);
	report_free(&r);
}

static void
test_ready_without_iommu(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	r.iommu.enabled = TRI_FALSE;
	assert_refused(&r, "verdict: ready, but iommu.enabled is not true");
	r.iommu.enabled = TRI_UNKNOWN;
	assert_refused(&r, "verdict: ready, but iommu.enabled is not true");
	r.verdict = VERDICT_NOT_READY;
	assert_valid(&r);
	r.verdict = VERDICT_UNKNOWN;
	assert_valid(&r);
	report_free(&r);
}

static void
test_ungrouped_ready(void **state)
{
	struct report r;

	(void)state;
	build_valid(&r);
	r.iommu.ungrouped[0].verdict = VERDICT_READY;
	assert_refused(&r, "iommu.ungrouped_devices[0].verdict: ready outside any IOMMU group");
	r.iommu.ungrouped[0].verdict = VERDICT_UNKNOWN;
	assert_valid(&r);
	report_free(&r);
}

/* resettable agrees with reset_methods, and no reset is never ready. */
static void
test_resettable(void **state)
{
	struct report_device *d;
	struct report r;

	(void)state;
	build_valid(&r);
	r.iommu.interrupt_remapping.enabled = TRI_TRUE;
	d = &r.iommu.groups[2].devices[0];
	d->resettable = TRI_TRUE;
	assert_refused(&r,
	               "iommu: device 0000:02:00.0: resettable true, but reset_methods is empty");
	assert_int_equal(strlist_add(&d->reset_methods, "flr"), 0);
	assert_valid(&r);
	d->resettable = TRI_FALSE;
	assert_refused(&r,
	               "iommu: device 0000:02:00.0: resettable false, but reset_methods lists 1");
	strlist_free(&d->reset_methods);
	assert_valid(&r);
	d->preflight = VERDICT_READY;
	assert_refused(&r,
	               "iommu: device 0000:02:00.0: preflight ready, but it has no reset method");
	/* unknown is not none: a capture without the files */
	d->resettable = TRI_UNKNOWN;
	assert_valid(&r);
	report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_valid),
	        cmocka_unit_test(test_valid_minimal),
	        cmocka_unit_test(test_valid_template),
	        cmocka_unit_test(test_hostname),
	        cmocka_unit_test(test_stamp_missing),
	        cmocka_unit_test(test_device_in_two_groups),
	        cmocka_unit_test(test_device_grouped_and_ungrouped),
	        cmocka_unit_test(test_group_id_twice),
	        cmocka_unit_test(test_region_ends_before_start),
	        cmocka_unit_test(test_faults_over_total),
	        cmocka_unit_test(test_ready_without_iommu),
	        cmocka_unit_test(test_ungrouped_ready),
	        cmocka_unit_test(test_resettable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
