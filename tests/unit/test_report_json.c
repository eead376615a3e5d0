/*
 * test_report_json.c - report_json_encode / report_json_decode: round trip,
 * every rejection path, hostile strings, unknown values, and the schema file
 * (read from the source tree) agreeing with the decoder on required keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto/report_json.h"

#define SCHEMA_PATH FIXTURES_DIR "/../../proto/report.schema.json"
#define FORMAT_PATH FIXTURES_DIR "/../../proto/FORMAT.md"

/* ------------------------------------------------------------ helpers */

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static void
fill_device(struct report_device *d, const char *addr, int vendor, int device, const char *name)
{
	report_device_init(d);
	snprintf(d->address, sizeof(d->address), "%s", addr);
	d->vendor_id = vendor;
	d->device_id = device;
	d->subsystem_vendor_id = 0x1028;
	d->subsystem_device_id = 0x0a2b;
	d->class_code = 0x030000;
	d->name = xstrdup(name);
	d->driver = xstrdup("vfio-pci");
	assert_int_equal(strlist_add(&d->reset_methods, "flr"), 0);
	assert_int_equal(strlist_add(&d->reset_methods, "bus"), 0);
	d->resettable = TRI_TRUE;
	d->boot_vga = TRI_FALSE;
	d->verdict = VERDICT_READY;
	d->isolated = TRI_TRUE;
	assert_int_equal(strlist_add(&d->reasons, "alone in its group"), 0);
}

/* A report with every field set, four groups (so paths like
 * iommu.groups[3].devices[0] exist), lines, faults, checks. */
static void
build_full(struct report *r)
{
	size_t i;

	report_init(r);
	snprintf(r->report_id, sizeof(r->report_id), "0b6f3c1e-7d2a-4f5e-9a11-2c3d4e5f6a7b");
	snprintf(r->collected_at, sizeof(r->collected_at), "2026-11-23T21:34:24Z");
	r->agent_version = xstrdup("0.1.0");
	r->host.hostname = xstrdup("repsys11");
	r->host.machine_id = xstrdup("4c4c4544004a3110804bb2c04f4e3532");
	r->host.kernel = xstrdup("6.1.0-27-amd64");
	r->host.os = xstrdup("Debian GNU/Linux 12 (bookworm)");
	r->host.dmi.sys_vendor = xstrdup("Dell Inc.");
	r->host.dmi.product_name = xstrdup("PowerEdge R740");
	r->host.dmi.bios_version = xstrdup("2.12.2");
	r->host.dmi.bios_date = xstrdup("07/09/2021");
	r->host.cpu.vendor = xstrdup("GenuineIntel");
	r->host.cpu.model = xstrdup("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
	r->host.cpu.virtualization = xstrdup("vmx");
	r->cmdline.raw = xstrdup("BOOT_IMAGE=/vmlinuz intel_iommu=on iommu=pt nox2apic ro");
	r->cmdline.params = calloc(3, sizeof(*r->cmdline.params));
	assert_non_null(r->cmdline.params);
	r->cmdline.nparams = 3;
	r->cmdline.params[0].key = xstrdup("intel_iommu");
	r->cmdline.params[0].value = xstrdup("on");
	r->cmdline.params[1].key = xstrdup("iommu");
	r->cmdline.params[1].value = xstrdup("pt");
	r->cmdline.params[2].key = xstrdup("nox2apic");
	assert_int_equal(strlist_add(&r->cmdline.warnings, "nox2apic: x2APIC disabled"), 0);
	r->iommu.vendor = xstrdup("intel");
	r->iommu.enabled = TRI_TRUE;
	r->iommu.default_domain = xstrdup("passthrough");
	r->iommu.interrupt_remapping.enabled = TRI_TRUE;
	r->iommu.interrupt_remapping.mode = xstrdup("xapic");
	r->iommu.interrupt_remapping.x2apic_optout = TRI_TRUE;
	r->iommu.units = 2;
	r->iommu.groups = calloc(4, sizeof(*r->iommu.groups));
	assert_non_null(r->iommu.groups);
	r->iommu.ngroups = 4;
	for (i = 0; i < 4; i++) {
		struct report_group *g = &r->iommu.groups[i];
		char addr[REPORT_ADDR_MAX];

		report_group_init(g);
		g->id = (int)i * 3;
		g->type = xstrdup(i == 0 ? "identity" : "DMA-FQ");
		g->devices = calloc(1, sizeof(*g->devices));
		assert_non_null(g->devices);
		g->ndevices = 1;
		snprintf(addr, sizeof(addr), "0000:%02zx:00.0", i + 1);
		fill_device(&g->devices[0], addr, 0x10de, 0x1eb8, "TU104GL [Tesla T4]");
		if (i == 1) {
			g->regions = calloc(2, sizeof(*g->regions));
			assert_non_null(g->regions);
			g->nregions = 2;
			g->regions[0].start = 0xfee00000;
			g->regions[0].end = 0xfeefffff;
			g->regions[0].type = xstrdup("msi");
			g->regions[1].start = 0;
			g->regions[1].end = UINT64_MAX;
			g->regions[1].type = xstrdup("direct");
		}
	}
	r->iommu.ungrouped = calloc(1, sizeof(*r->iommu.ungrouped));
	assert_non_null(r->iommu.ungrouped);
	r->iommu.nungrouped = 1;
	fill_device(&r->iommu.ungrouped[0], "10000:e1:1f.7", 0x8086, 0x201d,
	            "Volume Management Device NVMe RAID Controller");
	r->kernel_log.source = xstrdup("kmsg");
	r->kernel_log.complete = TRI_TRUE;
	r->kernel_log.lines = calloc(3, sizeof(*r->kernel_log.lines));
	assert_non_null(r->kernel_log.lines);
	r->kernel_log.nlines = 3;
	r->kernel_log.lines[0].time = 0.785796;
	r->kernel_log.lines[0].level = 6;
	r->kernel_log.lines[0].text = xstrdup("DMAR: Host address width 46");
	r->kernel_log.lines[1].time = 12345678.123456;
	r->kernel_log.lines[1].level = 3;
	r->kernel_log.lines[1].text =
	        xstrdup("DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0xbea10000");
	r->kernel_log.lines[2].time = -1;
	r->kernel_log.lines[2].level = -1;
	r->kernel_log.lines[2].text = xstrdup("DMAR-IR: Enabled IRQ remapping in xapic mode");
	r->kernel_log.faults = calloc(1, sizeof(*r->kernel_log.faults));
	assert_non_null(r->kernel_log.faults);
	r->kernel_log.nfaults = 1;
	snprintf(r->kernel_log.faults[0].address, REPORT_ADDR_MAX, "0000:01:00.0");
	r->kernel_log.faults[0].kind = xstrdup("dma-read");
	r->kernel_log.faults[0].reason = xstrdup("PTE Read access is not set");
	r->kernel_log.faults[0].count = 2;
	r->kernel_log.fault_total = 2;
	r->kernel_log.firmware_bugs = 1;
	r->checks = calloc(2, sizeof(*r->checks));
	assert_non_null(r->checks);
	r->nchecks = 2;
	r->checks[0].id = xstrdup("iommu-active");
	r->checks[0].status = CHECK_PASS;
	r->checks[0].summary = xstrdup("DMA remapping is on");
	r->checks[0].evidence =
	        xstrdup("DMAR: Intel(R) Virtualization Technology for Directed I/O");
	r->checks[1].id = xstrdup("dma-faults");
	r->checks[1].status = CHECK_WARN;
	r->checks[1].summary = xstrdup("2 DMA faults since boot");
	r->verdict = VERDICT_READY;
	r->reason = xstrdup("IOMMU on, devices isolated");
	assert_int_equal(
	        strlist_add(&r->errors, "/sys/firmware/acpi/tables/DMAR: permission denied"), 0);
}

/* The full report, compact, as a jansson tree the test can change. */
static json_t *
full_tree(void)
{
	struct report r;
	json_error_t jerr;
	json_t *root;
	char *text;

	build_full(&r);
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(root);
	free(text);
	report_free(&r);
	return root;
}

/*
 * The value at a decoder-style path ("iommu.groups[3].devices[0].address"),
 * with its parent and its key or index.  Borrowed references.
 */
static json_t *
lookup(json_t *root, const char *path, json_t **parent, char *key, size_t keysize, size_t *index)
{
	json_t *cur = root;
	const char *p = path;
	size_t n;

	*parent = NULL;
	while (*p != '\0') {
		if (*p == '.')
			p++;
		if (*p == '[') {
			*index = strtoul(p + 1, NULL, 10);
			*parent = cur;
			key[0] = '\0';
			cur = json_array_get(cur, *index);
			p = strchr(p, ']') + 1;
			continue;
		}
		n = strcspn(p, ".[");
		assert_true(n < keysize);
		memcpy(key, p, n);
		key[n] = '\0';
		*parent = cur;
		cur = json_object_get(cur, key);
		p += n;
	}
	return cur;
}

/* Replace (v != NULL, stolen) or delete (v == NULL) the value at path. */
static void
mutate(json_t *root, const char *path, json_t *v)
{
	char key[128];
	size_t index = 0;
	json_t *parent;

	lookup(root, path, &parent, key, sizeof(key), &index);
	assert_non_null(parent);
	if (key[0] != '\0') {
		if (v == NULL)
			assert_int_equal(json_object_del(parent, key), 0);
		else
			assert_int_equal(json_object_set_new(parent, key, v), 0);
	} else {
		if (v == NULL)
			assert_int_equal(json_array_remove(parent, index), 0);
		else
			assert_int_equal(json_array_set_new(parent, index, v), 0);
	}
}

/* Decode text; expect failure with exactly msg, and an empty report. */
static void
expect_reject_text(const char *text, size_t len, const char *msg)
{
	struct report out;
	struct report_error err;

	memset(&out, 0x5a, sizeof(out));
	if (report_json_decode(text, len, &out, &err) != -1)
		fail_msg("decoded, expected \"%s\"", msg);
	assert_string_equal(err.msg, msg);
	/* Left initialised-empty. */
	assert_null(out.host.hostname);
	assert_null(out.iommu.groups);
	assert_int_equal(out.iommu.ngroups, 0);
	assert_int_equal(out.iommu.units, -1);
	assert_int_equal(out.kernel_log.complete, TRI_UNKNOWN);
	report_free(&out);
}

/* Decode root (consumed); expect failure with exactly msg. */
static void
expect_reject(json_t *root, const char *msg)
{
	char *text;

	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	json_decref(root);
	expect_reject_text(text, strlen(text), msg);
	free(text);
}

/* Decode root (consumed); expect success. */
static void
expect_accept(json_t *root)
{
	struct report out;
	struct report_error err;
	char *text;

	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	json_decref(root);
	if (report_json_decode(text, strlen(text), &out, &err) != 0)
		fail_msg("rejected: %s", err.msg);
	report_free(&out);
	free(text);
}

/* The full report with path set to v (stolen), expected to fail with msg. */
static void
reject_with(const char *path, json_t *v, const char *msg)
{
	json_t *root = full_tree();

	mutate(root, path, v);
	expect_reject(root, msg);
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* -------------------------------------------------------------- tests */

static void
test_round_trip(void **state)
{
	struct report r, back;
	struct report_error err;
	char *text, *again, *pretty;

	(void)state;
	build_full(&r);
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	again = report_json_encode(&back, 0);
	assert_non_null(again);
	assert_string_equal(text, again);

	/* The decoded values themselves. */
	assert_string_equal(back.report_id, r.report_id);
	assert_string_equal(back.collected_at, "2026-11-23T21:34:24Z");
	assert_string_equal(back.agent_version, "0.1.0");
	assert_string_equal(back.host.hostname, "repsys11");
	assert_string_equal(back.host.dmi.bios_date, "07/09/2021");
	assert_string_equal(back.host.cpu.virtualization, "vmx");
	assert_int_equal(back.cmdline.nparams, 3);
	assert_string_equal(back.cmdline.params[1].key, "iommu");
	assert_string_equal(back.cmdline.params[1].value, "pt");
	assert_string_equal(back.cmdline.params[2].key, "nox2apic");
	assert_null(back.cmdline.params[2].value);
	assert_int_equal(back.iommu.enabled, TRI_TRUE);
	assert_int_equal(back.iommu.interrupt_remapping.x2apic_optout, TRI_TRUE);
	assert_int_equal(back.iommu.units, 2);
	assert_int_equal(back.iommu.ngroups, 4);
	assert_int_equal(back.iommu.groups[3].id, 9);
	assert_string_equal(back.iommu.groups[3].devices[0].address, "0000:04:00.0");
	assert_int_equal(back.iommu.groups[3].devices[0].vendor_id, 0x10de);
	assert_int_equal(back.iommu.groups[3].devices[0].class_code, 0x030000);
	assert_int_equal(back.iommu.groups[3].devices[0].boot_vga, TRI_FALSE);
	assert_int_equal(back.iommu.groups[3].devices[0].resettable, TRI_TRUE);
	assert_int_equal(back.iommu.groups[3].devices[0].verdict, VERDICT_READY);
	assert_int_equal(back.iommu.groups[1].nregions, 2);
	assert_true(back.iommu.groups[1].regions[0].start == 0xfee00000);
	assert_true(back.iommu.groups[1].regions[1].end == UINT64_MAX);
	assert_string_equal(back.iommu.ungrouped[0].address, "10000:e1:1f.7");
	assert_int_equal(back.kernel_log.nlines, 3);
	assert_true(back.kernel_log.lines[0].time == 0.785796);
	assert_true(back.kernel_log.lines[1].time == 12345678.123456);
	assert_true(back.kernel_log.lines[2].time == -1);
	assert_int_equal(back.kernel_log.lines[2].level, -1);
	assert_int_equal(back.kernel_log.faults[0].count, 2);
	assert_int_equal(back.kernel_log.firmware_bugs, 1);
	assert_int_equal(back.checks[1].status, CHECK_WARN);
	assert_null(back.checks[1].evidence);
	assert_int_equal(back.verdict, VERDICT_READY);
	assert_int_equal(back.errors.n, 1);

	/* The text itself: key order, hex forms, short times. */
	assert_non_null(strstr(text, "{\"format\":\"iommu-fleet.report\",\"version\":1,"
	                             "\"report_id\":\"0b6f3c1e-7d2a-4f5e-9a11-2c3d4e5f6a7b\","
	                             "\"collected_at\":\"2026-11-23T21:34:24Z\","
	                             "\"agent\":{\"version\":\"0.1.0\"},\"host\":{"));
	assert_non_null(strstr(text, "\"params\":{\"intel_iommu\":\"on\",\"iommu\":\"pt\","
	                             "\"nox2apic\":null}"));
	assert_non_null(strstr(text, "{\"start\":\"0x00000000fee00000\","
	                             "\"end\":\"0x00000000feefffff\",\"type\":\"msi\"}"));
	assert_non_null(strstr(text, "\"vendor_id\":\"10de\",\"device_id\":\"1eb8\","
	                             "\"subsystem_vendor_id\":\"1028\","
	                             "\"subsystem_device_id\":\"0a2b\",\"class\":\"030000\""));
	assert_non_null(strstr(text, "{\"time\":0.785796,\"level\":6,"));
	assert_non_null(strstr(text, "{\"time\":12345678.123456,\"level\":3,"));
	assert_non_null(strstr(text, "{\"time\":null,\"level\":null,"));
	assert_non_null(strstr(text, "\"checks\":[{\"id\":\"iommu-active\",\"status\":\"pass\","));
	assert_non_null(strstr(text, "],\"verdict\":\"ready\",\"reason\":"));

	/* Pretty: indent 2, and decodes to the same report. */
	pretty = report_json_encode(&r, REPORT_JSON_PRETTY);
	assert_non_null(pretty);
	assert_memory_equal(pretty, "{\n  \"format\": \"iommu-fleet.report\",\n  \"version\": 1,",
	                    49);
	report_free(&back);
	assert_int_equal(report_json_decode(pretty, strlen(pretty), &back, &err), 0);
	free(again);
	again = report_json_encode(&back, 0);
	assert_string_equal(text, again);

	free(pretty);
	free(again);
	free(text);
	report_free(&back);
	report_free(&r);
}

static void
test_repeated_param_last_wins(void **state)
{
	struct report r, back;
	struct report_error err;
	char *text;

	(void)state;
	build_full(&r);
	free(r.cmdline.params[1].key);
	r.cmdline.params[1].key = xstrdup("intel_iommu");
	free(r.cmdline.params[1].value);
	r.cmdline.params[1].value = xstrdup("off");
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"params\":{\"intel_iommu\":\"off\",\"nox2apic\":null}"));
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	assert_int_equal(back.cmdline.nparams, 2);
	assert_string_equal(back.cmdline.params[0].value, "off");
	free(text);
	report_free(&back);
	report_free(&r);
}

static void
test_unknown_is_null(void **state)
{
	struct report r, back;
	struct report_error err;
	struct report_device *d;
	json_t *root, *dev;
	json_error_t jerr;
	char *text, *again;

	(void)state;
	report_init(&r);
	snprintf(r.report_id, sizeof(r.report_id), "0b6f3c1e-7d2a-4f5e-9a11-2c3d4e5f6a7b");
	snprintf(r.collected_at, sizeof(r.collected_at), "2026-11-23T21:34:24Z");
	r.host.hostname = xstrdup("h");
	r.iommu.ungrouped = calloc(1, sizeof(*r.iommu.ungrouped));
	assert_non_null(r.iommu.ungrouped);
	r.iommu.nungrouped = 1;
	report_device_init(&r.iommu.ungrouped[0]);
	snprintf(r.iommu.ungrouped[0].address, REPORT_ADDR_MAX, "0000:00:02.0");
	r.cmdline.params = calloc(1, sizeof(*r.cmdline.params));
	assert_non_null(r.cmdline.params);
	r.cmdline.nparams = 1;
	r.cmdline.params[0].key = xstrdup("iommu.strict");

	text = report_json_encode(&r, 0);
	assert_non_null(text);
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	/* Every unknown is present as null. */
	assert_true(json_is_null(json_object_get(json_object_get(root, "agent"), "version")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "host"), "machine_id")));
	assert_true(json_is_null(json_object_get(
	        json_object_get(json_object_get(root, "host"), "dmi"), "bios_date")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "cmdline"), "raw")));
	assert_true(json_is_null(json_object_get(
	        json_object_get(json_object_get(root, "cmdline"), "params"), "iommu.strict")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "iommu"), "enabled")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "iommu"), "units")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "iommu"), "vendor")));
	assert_true(json_is_null(json_object_get(
	        json_object_get(json_object_get(root, "iommu"), "interrupt_remapping"),
	        "x2apic_optout")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "kernel_log"), "complete")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "kernel_log"),
	                                                    "fault_total")),
	                 0);
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "unknown");
	assert_true(json_is_null(json_object_get(root, "reason")));
	dev = json_array_get(json_object_get(json_object_get(root, "iommu"), "ungrouped_devices"),
	                     0);
	assert_true(json_is_null(json_object_get(dev, "vendor_id")));
	assert_true(json_is_null(json_object_get(dev, "subsystem_device_id")));
	assert_true(json_is_null(json_object_get(dev, "class")));
	assert_true(json_is_null(json_object_get(dev, "name")));
	assert_true(json_is_null(json_object_get(dev, "boot_vga")));
	assert_true(json_is_null(json_object_get(json_object_get(dev, "passthrough"), "isolated")));
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(dev, "passthrough"), "verdict")),
	        "unknown");
	assert_int_equal(json_array_size(json_object_get(dev, "reset_methods")), 0);
	/* no reset_method in the tree is not "no reset method" */
	assert_true(json_is_null(json_object_get(dev, "resettable")));
	json_decref(root);

	/* And null decodes back to unknown. */
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	assert_null(back.agent_version);
	assert_null(back.host.machine_id);
	assert_null(back.host.cpu.vendor);
	assert_null(back.cmdline.raw);
	assert_null(back.cmdline.params[0].value);
	assert_null(back.iommu.vendor);
	assert_int_equal(back.iommu.enabled, TRI_UNKNOWN);
	assert_int_equal(back.iommu.interrupt_remapping.enabled, TRI_UNKNOWN);
	assert_int_equal(back.iommu.units, -1);
	assert_int_equal(back.kernel_log.complete, TRI_UNKNOWN);
	assert_int_equal(back.verdict, VERDICT_UNKNOWN);
	d = &back.iommu.ungrouped[0];
	assert_int_equal(d->vendor_id, -1);
	assert_int_equal(d->device_id, -1);
	assert_int_equal(d->subsystem_vendor_id, -1);
	assert_int_equal(d->subsystem_device_id, -1);
	assert_int_equal(d->class_code, -1);
	assert_null(d->name);
	assert_null(d->driver);
	assert_int_equal(d->boot_vga, TRI_UNKNOWN);
	assert_int_equal(d->resettable, TRI_UNKNOWN);
	assert_int_equal(d->isolated, TRI_UNKNOWN);
	assert_int_equal(d->verdict, VERDICT_UNKNOWN);
	again = report_json_encode(&back, 0);
	assert_string_equal(text, again);
	free(again);
	free(text);
	report_free(&back);
	report_free(&r);

	/* Out-of-range values in the struct are unknown, not garbage. */
	build_full(&r);
	r.iommu.groups[0].devices[0].vendor_id = 0x10000;
	r.iommu.groups[0].devices[0].class_code = 0x1000000;
	r.iommu.groups[0].devices[0].boot_vga = (enum tristate)7;
	r.kernel_log.lines[0].level = 9;
	r.kernel_log.lines[1].time = 1.0 / 0.0;
	r.kernel_log.lines[2].time = -0.0;
	r.verdict = (enum verdict)42;
	r.checks[0].status = (enum check_status)42;
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"vendor_id\":null,\"device_id\":\"1eb8\""));
	assert_non_null(strstr(text, "\"class\":null"));
	assert_non_null(strstr(text, "\"boot_vga\":null"));
	assert_non_null(strstr(text, "{\"time\":0.785796,\"level\":null,"));
	assert_non_null(strstr(text, "{\"time\":null,\"level\":3,"));
	assert_non_null(strstr(text, "{\"time\":0.0,\"level\":null,"));
	assert_non_null(strstr(text, "\"status\":\"unknown\""));
	assert_non_null(strstr(text, "],\"verdict\":\"unknown\","));
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	free(text);
	report_free(&back);
	report_free(&r);
}

static void
test_hostile_strings(void **state)
{
	struct report r, back;
	struct report_error err;
	json_error_t jerr;
	json_t *root, *v;
	char *text, *again, *big;
	size_t i;

	(void)state;
	build_full(&r);
	free(r.kernel_log.lines[0].text);
	/* ESC sequence, invalid byte, tab kept, DEL, truncated sequence at end. */
	r.kernel_log.lines[0].text = xstrdup("a\x1b[31mb\xff"
	                                     "c\td\x7f"
	                                     "e\xc3");
	free(r.host.os);
	/* surrogate, overlong NUL, C1 NEL, 4-byte ok, above U+10FFFF */
	r.host.os = xstrdup("x\xed\xa0\x80y\xc0\x80z\xc2\x85w\xf0\x9f\x98\x80v\xf4\x90\x80\x80");
	free(r.host.hostname);
	r.host.hostname = xstrdup("evil\r\nhost\"\\");
	free(r.cmdline.params[0].key);
	r.cmdline.params[0].key = xstrdup("k\x01\xfe");
	free(r.errors.v[0]);
	r.errors.v[0] = xstrdup("\"},\"verdict\":\"ready\"");
	/* longer than the limit: cut at a character boundary */
	free(r.reason);
	big = malloc(5001);
	assert_non_null(big);
	for (i = 0; i < 5000; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[5000] = '\0';
	r.reason = big;
	free(r.checks[0].evidence);
	r.checks[0].evidence = repeat('\xff', 2000);

	text = report_json_encode(&r, 0);
	assert_non_null(text);
	/* Valid JSON (jansson checks UTF-8) with no raw control bytes. */
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(root);
	for (i = 0; text[i] != '\0'; i++)
		assert_true((unsigned char)text[i] >= 0x20);
	v = json_object_get(
	        json_array_get(json_object_get(json_object_get(root, "kernel_log"), "lines"), 0),
	        "text");
	assert_string_equal(json_string_value(v), "a[31mb\xef\xbf\xbd"
	                                          "c\tde\xef\xbf\xbd");
	v = json_object_get(json_object_get(root, "host"), "os");
	assert_string_equal(
	        json_string_value(v),
	        "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbdzw\xf0\x9f\x98\x80v"
	        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	v = json_object_get(json_object_get(root, "host"), "hostname");
	assert_string_equal(json_string_value(v), "evilhost\"\\");
	assert_non_null(json_object_get(json_object_get(json_object_get(root, "cmdline"), "params"),
	                                "k\xef\xbf\xbd"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(root, "errors"), 0)),
	                    "\"},\"verdict\":\"ready\"");
	assert_string_equal(json_string_value(json_object_get(root, "verdict")), "ready");
	v = json_object_get(root, "reason");
	assert_int_equal(json_string_length(v), 4096);
	v = json_object_get(json_array_get(json_object_get(root, "checks"), 0), "evidence");
	assert_int_equal(json_string_length(v), 1365 * 3);
	json_decref(root);

	/* What the encoder wrote, the decoder takes, and gives back the same. */
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	assert_string_equal(back.host.hostname, "evilhost\"\\");
	again = report_json_encode(&back, 0);
	assert_non_null(again);
	assert_string_equal(text, again);
	free(again);
	free(text);
	report_free(&back);
	report_free(&r);
}

/* Control characters that JSON escapes reach the decoder: they are dropped
 * from ordinary strings and refused in the hostname. */
static void
test_decode_cleans_controls(void **state)
{
	struct report back;
	struct report_error err;
	json_t *root;
	char *text;

	(void)state;
	root = full_tree();
	mutate(root, "host.os", json_string("De\x1b[2Jbian\x01\xc2\x9b"));
	text = json_dumps(root, JSON_COMPACT);
	assert_non_null(text);
	json_decref(root);
	assert_int_equal(report_json_decode(text, strlen(text), &back, &err), 0);
	assert_string_equal(back.host.os, "De[2Jbian");
	free(text);
	report_free(&back);

	reject_with("host.hostname",
	            json_string("a\x1b"
	                        "b"),
	            "host.hostname: control character");
	reject_with("host.hostname", json_string("a\xc2\x85"), "host.hostname: control character");
	reject_with("host.hostname", json_string("a\x7f"), "host.hostname: control character");
}

static void
test_reject_not_json(void **state)
{
	struct report r;
	struct report_error err;
	char *text, want[256];
	size_t len, i;

	(void)state;
	expect_reject_text("nope", 4, "not JSON: line 1 column 4: '[' or '{' expected near 'nope'");
	expect_reject_text("", 0,
	                   "not JSON: line 1 column 0: '[' or '{' expected near end of file");
	expect_reject_text("{\"a\":1} x", 9,
	                   "not JSON: line 1 column 9: end of file expected near 'x'");
	/* Not JSON_DECODE_ANY: a bare value is not a document. */
	expect_reject_text("1", 1, "not JSON: line 1 column 1: '[' or '{' expected near '1'");
	expect_reject_text("[]", 2, "report: not an object");
	/* Control bytes in jansson's quoted input are made printable. */
	expect_reject_text("{\"a\":\x01}", 7, "not JSON: line 1 column 6: invalid token near '?'");
	/* A NUL byte inside the text. */
	expect_reject_text("{\"a\":\"\0\"}", 9,
	                   "not JSON: line 1 column 6: control character 0x0 near '\"'");
	expect_reject_text(NULL, 0, "report: no input");

	/* Truncated anywhere: a syntax error, never a crash. */
	build_full(&r);
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	len = strlen(text);
	for (i = 1; i < len; i += len / 7) {
		report_free(&r);
		assert_int_equal(report_json_decode(text, i, &r, &err), -1);
		assert_memory_equal(err.msg, "not JSON: line 1 column ", 24);
	}
	report_free(&r);
	assert_int_equal(report_json_decode(text, len - 1, &r, &err), -1);
	snprintf(want, sizeof(want), "not JSON: line 1 column %zu: '}' expected near end of file",
	         len - 1);
	assert_string_equal(err.msg, want);
	free(text);
	report_free(&r);

	/* Duplicate keys, at the top and nested. */
	expect_reject_text("{\"format\":\"iommu-fleet.report\",\"format\":\"x\"}", 45,
	                   "not JSON: line 1 column 39: duplicate object key near '\"format\"'");
	{
		static const char dup[] = "{\"host\":{\"hostname\":\"a\",\"hostname\":\"b\"}}";

		expect_reject_text(
		        dup, sizeof(dup) - 1,
		        "not JSON: line 1 column 34: duplicate object key near '\"hostname\"'");
	}

	/* Invalid UTF-8: a stray byte, an overlong form, a surrogate. */
	expect_reject_text("{\"a\":\"\xff\"}", 9,
	                   "not JSON: line 1 column 6: unable to decode byte 0xff near '\"'");
	expect_reject_text("{\"a\":\"\xc0\x80\"}", 10,
	                   "not JSON: line 1 column 6: unable to decode byte 0xc0 near '\"'");
	expect_reject_text("{\"a\":\"\xed\xa0\x80\"}", 11,
	                   "not JSON: line 1 column 6: unable to decode byte 0xed near '\"'");
	expect_reject_text("{\"a\xfe\":1}", 9,
	                   "not JSON: line 1 column 3: unable to decode byte 0xfe near '\"a'");
	/* Escapes jansson refuses: NUL, a lone surrogate; and numbers too big. */
	expect_reject_text(
	        "{\"a\":\"\\u0000\"}", 14,
	        "not JSON: line 1 column 13: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'");
	expect_reject_text(
	        "{\"a\":\"\\ud800\"}", 14,
	        "not JSON: line 1 column 13: invalid Unicode '\\uD800' near '\"\\ud800\"'");
	expect_reject_text(
	        "{\"a\":12345678901234567890}", 26,
	        "not JSON: line 1 column 25: too big integer near '12345678901234567890'");
	expect_reject_text("{\"a\":1e999}", 11,
	                   "not JSON: line 1 column 10: real number overflow near '1e999'");
}

static void
test_reject_oversize(void **state)
{
	char *big;

	(void)state;
	big = repeat(' ', REPORT_MAX_BYTES + 1);
	big[0] = '{';
	big[REPORT_MAX_BYTES] = '}';
	expect_reject_text(big, REPORT_MAX_BYTES + 1,
	                   "report: too large (8388609 bytes, limit 8388608)");
	/* At the limit it is parsed (and then found wanting). */
	big[REPORT_MAX_BYTES - 1] = '}';
	expect_reject_text(big, REPORT_MAX_BYTES, "format: missing");
	free(big);
}

static void
test_reject_envelope(void **state)
{
	(void)state;
	reject_with("format", json_string("iommu-fleet.reports"),
	            "format: not \"iommu-fleet.report\"");
	reject_with("format", json_null(), "format: not \"iommu-fleet.report\"");
	reject_with("format", NULL, "format: missing");
	reject_with("version", json_integer(2),
	            "version: unsupported version 2 (this decoder reads 1)");
	reject_with("version", json_integer(0),
	            "version: unsupported version 0 (this decoder reads 1)");
	reject_with("version", json_real(1.0), "version: not an integer");
	reject_with("version", json_string("1"), "version: not an integer");
	reject_with("version", NULL, "version: missing");
	reject_with("report_id", json_string("0b6f3c1e-7d2a-4f5e-9a11-2c3d4e5f6a7"),
	            "report_id: not a UUID");
	reject_with("report_id", json_string("0b6f3c1e-7d2a-4f5e-9a11-2c3d4e5f6a7g"),
	            "report_id: not a UUID");
	reject_with("report_id", json_string("0b6f3c1e07d2a-4f5e-9a11-2c3d4e5f6a7b"),
	            "report_id: not a UUID");
	reject_with("report_id", json_integer(1), "report_id: not a UUID");
	reject_with("report_id", NULL, "report_id: missing");
	reject_with("collected_at", json_string("yesterday"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-13-23T21:34:24Z"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-11-23 21:34:24Z"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-11-23T21:34:24"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-11-23T21:34:24.Z"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-11-23T21:34:24+0100"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", json_string("2026-11-23T21:34:24.123456789+01:00"),
	            "collected_at: not an RFC 3339 time (of at most 31 bytes)");
	reject_with("collected_at", NULL, "collected_at: missing");
	reject_with("agent", json_string("0.1"), "agent: not an object");
	reject_with("agent.version", json_integer(1), "agent.version: not a string or null");
	reject_with("verdict", json_string("maybe"),
	            "verdict: not one of ready, not-ready, unknown");
	reject_with("verdict", json_null(), "verdict: not one of ready, not-ready, unknown");
	reject_with("reason", json_false(), "reason: not a string or null");
	reject_with("errors", json_null(), "errors: not an array");
	reject_with("errors[0]", json_integer(3), "errors[0]: not a string");

	/* Accepted forms of the envelope. */
	{
		json_t *root = full_tree();

		mutate(root, "collected_at", json_string("2026-11-23t21:34:24.123+05:30"));
		mutate(root, "report_id", json_string("0B6F3C1E-7D2A-4F5E-9A11-2C3D4E5F6A7B"));
		expect_accept(root);
	}
}

static void
test_reject_host_cmdline(void **state)
{
	char *s;

	(void)state;
	reject_with("host", json_array(), "host: not an object");
	reject_with("host.hostname", json_string(""), "host.hostname: empty");
	reject_with("host.hostname", json_null(), "host.hostname: not a string");
	s = repeat('h', 256);
	reject_with("host.hostname", json_string(s), "host.hostname: longer than 255 bytes");
	s[255] = '\0';
	{
		json_t *root = full_tree();

		mutate(root, "host.hostname", json_string(s));
		expect_accept(root);
	}
	free(s);
	reject_with("host.kernel", json_integer(6), "host.kernel: not a string or null");
	reject_with("host.dmi", json_null(), "host.dmi: not an object");
	reject_with("host.dmi.product_name", json_true(),
	            "host.dmi.product_name: not a string or null");
	reject_with("host.cpu.model", json_array(), "host.cpu.model: not a string or null");
	reject_with("cmdline", json_string("ro"), "cmdline: not an object");
	reject_with("cmdline.raw", json_integer(0), "cmdline.raw: not a string or null");
	reject_with("cmdline.params", json_array(), "cmdline.params: not an object");
	reject_with("cmdline.params.iommu", json_integer(1),
	            "cmdline.params.iommu: not a string or null");
	reject_with("cmdline.warnings", json_object(), "cmdline.warnings: not an array");
	reject_with("cmdline.warnings[0]", json_null(), "cmdline.warnings[0]: not a string");
}

static void
test_reject_iommu(void **state)
{
	(void)state;
	reject_with("iommu", json_null(), "iommu: not an object");
	reject_with("iommu.vendor", json_integer(1), "iommu.vendor: not a string or null");
	reject_with("iommu.enabled", json_string("yes"), "iommu.enabled: not a boolean or null");
	reject_with("iommu.enabled", json_integer(1), "iommu.enabled: not a boolean or null");
	reject_with("iommu.interrupt_remapping", json_true(),
	            "iommu.interrupt_remapping: not an object");
	reject_with("iommu.interrupt_remapping.x2apic_optout", json_string("false"),
	            "iommu.interrupt_remapping.x2apic_optout: not a boolean or null");
	reject_with("iommu.units", json_integer(-1), "iommu.units: out of range (0 to 2147483647)");
	reject_with("iommu.units", json_integer(2147483648LL),
	            "iommu.units: out of range (0 to 2147483647)");
	reject_with("iommu.units", json_string("2"), "iommu.units: not an integer or null");
	reject_with("iommu.units", json_real(2.0), "iommu.units: not an integer or null");
	reject_with("iommu.groups", json_object(), "iommu.groups: not an array");
	reject_with("iommu.groups[2]", json_integer(5), "iommu.groups[2]: not an object");
	reject_with("iommu.groups[2].id", json_integer(-3),
	            "iommu.groups[2].id: out of range (0 to 2147483647)");
	reject_with("iommu.groups[2].type", json_integer(3),
	            "iommu.groups[2].type: not a string or null");
	reject_with("iommu.groups[2].devices", json_null(),
	            "iommu.groups[2].devices: not an array");
	reject_with("iommu.groups[2].reserved_regions", json_object(),
	            "iommu.groups[2].reserved_regions: not an array");
	reject_with("iommu.groups[1].reserved_regions[1]", json_string("x"),
	            "iommu.groups[1].reserved_regions[1]: not an object");
	reject_with("iommu.groups[1].reserved_regions[0].start", json_integer(4276092928LL),
	            "iommu.groups[1].reserved_regions[0].start: not a string");
	reject_with("iommu.groups[1].reserved_regions[0].start", json_string("0x"),
	            "iommu.groups[1].reserved_regions[0].start: not a 64-bit hex address");
	reject_with("iommu.groups[1].reserved_regions[0].end", json_string("fee00000"),
	            "iommu.groups[1].reserved_regions[0].end: not a 64-bit hex address");
	reject_with("iommu.groups[1].reserved_regions[0].end", json_string("0x10000000000000000"),
	            "iommu.groups[1].reserved_regions[0].end: not a 64-bit hex address");
	reject_with("iommu.groups[1].reserved_regions[0].end", json_string("0xfee0000g"),
	            "iommu.groups[1].reserved_regions[0].end: not a 64-bit hex address");
	reject_with("iommu.ungrouped_devices", json_string(""),
	            "iommu.ungrouped_devices: not an array");
}

static void
test_reject_device(void **state)
{
	static const char *const bad[] = {
	        "0000:01:00",    "000:01:00.0",    "0000:01:20.0", "0000:01:00.8", "0000:1:00.0",
	        "0000:01:00.0 ", "000000:01:00.0", "0000-01-00.0", "01:00.0",      "",
	        "0000:0g:00.0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		reject_with("iommu.groups[3].devices[0].address", json_string(bad[i]),
		            "iommu.groups[3].devices[0].address: not a PCI address");
	reject_with("iommu.groups[3].devices[0].address", json_integer(1),
	            "iommu.groups[3].devices[0].address: not a string");
	reject_with("iommu.groups[3].devices[0]", json_array(),
	            "iommu.groups[3].devices[0]: not an object");
	reject_with("iommu.groups[0].devices[0].vendor_id", json_string("10DE0"),
	            "iommu.groups[0].devices[0].vendor_id: not 4 hex digits or null");
	reject_with("iommu.groups[0].devices[0].device_id", json_integer(0x1eb8),
	            "iommu.groups[0].devices[0].device_id: not 4 hex digits or null");
	reject_with("iommu.groups[0].devices[0].subsystem_vendor_id", json_string("xx28"),
	            "iommu.groups[0].devices[0].subsystem_vendor_id: not 4 hex digits or null");
	reject_with("iommu.groups[0].devices[0].class", json_string("0300"),
	            "iommu.groups[0].devices[0].class: not 6 hex digits or null");
	reject_with("iommu.groups[0].devices[0].name", json_integer(0),
	            "iommu.groups[0].devices[0].name: not a string or null");
	reject_with("iommu.groups[0].devices[0].reset_methods", json_string("flr"),
	            "iommu.groups[0].devices[0].reset_methods: not an array");
	reject_with("iommu.groups[0].devices[0].reset_methods[1]", json_null(),
	            "iommu.groups[0].devices[0].reset_methods[1]: not a string");
	reject_with("iommu.groups[0].devices[0].boot_vga", json_integer(0),
	            "iommu.groups[0].devices[0].boot_vga: not a boolean or null");
	reject_with("iommu.groups[0].devices[0].resettable", json_string("none"),
	            "iommu.groups[0].devices[0].resettable: not a boolean or null");
	reject_with("iommu.groups[0].devices[0].passthrough", json_null(),
	            "iommu.groups[0].devices[0].passthrough: not an object");
	reject_with(
	        "iommu.groups[0].devices[0].passthrough.verdict", json_string("READY"),
	        "iommu.groups[0].devices[0].passthrough.verdict: not one of ready, not-ready, unknown");
	reject_with("iommu.groups[0].devices[0].passthrough.isolated", json_string("true"),
	            "iommu.groups[0].devices[0].passthrough.isolated: not a boolean or null");
	reject_with("iommu.groups[0].devices[0].passthrough.reasons", json_null(),
	            "iommu.groups[0].devices[0].passthrough.reasons: not an array");
	reject_with("iommu.ungrouped_devices[0].address", json_string("10000:e1:1f"),
	            "iommu.ungrouped_devices[0].address: not a PCI address");

	/* Uppercase hex is read and stored lowercase. */
	{
		struct report out;
		struct report_error err;
		json_t *root = full_tree();
		char *text;

		mutate(root, "iommu.groups[0].devices[0].address", json_string("0000:0A:1F.7"));
		mutate(root, "iommu.groups[0].devices[0].vendor_id", json_string("10DE"));
		text = json_dumps(root, JSON_COMPACT);
		json_decref(root);
		assert_int_equal(report_json_decode(text, strlen(text), &out, &err), 0);
		assert_string_equal(out.iommu.groups[0].devices[0].address, "0000:0a:1f.7");
		assert_int_equal(out.iommu.groups[0].devices[0].vendor_id, 0x10de);
		free(text);
		report_free(&out);
	}
}

static void
test_reject_kernel_log_checks(void **state)
{
	(void)state;
	reject_with("kernel_log", json_array(), "kernel_log: not an object");
	reject_with("kernel_log.source", json_integer(1),
	            "kernel_log.source: not a string or null");
	reject_with("kernel_log.complete", json_string("no"),
	            "kernel_log.complete: not a boolean or null");
	reject_with("kernel_log.lines", json_null(), "kernel_log.lines: not an array");
	reject_with("kernel_log.lines[1]", json_string("DMAR: x"),
	            "kernel_log.lines[1]: not an object");
	reject_with("kernel_log.lines[1].time", json_string("0.5"),
	            "kernel_log.lines[1].time: not a number or null");
	reject_with("kernel_log.lines[1].time", json_real(-0.5),
	            "kernel_log.lines[1].time: negative");
	reject_with("kernel_log.lines[1].level", json_integer(8),
	            "kernel_log.lines[1].level: out of range (0 to 7)");
	reject_with("kernel_log.lines[1].level", json_integer(-1),
	            "kernel_log.lines[1].level: out of range (0 to 7)");
	reject_with("kernel_log.lines[1].text", json_integer(1),
	            "kernel_log.lines[1].text: not a string or null");
	reject_with("kernel_log.faults", json_object(), "kernel_log.faults: not an array");
	reject_with("kernel_log.faults[0].address", json_string("01:00.0"),
	            "kernel_log.faults[0].address: not a PCI address");
	reject_with("kernel_log.faults[0].kind", json_integer(1),
	            "kernel_log.faults[0].kind: not a string or null");
	reject_with("kernel_log.faults[0].count", json_integer(-2),
	            "kernel_log.faults[0].count: out of range (0 to 9223372036854775807)");
	reject_with("kernel_log.faults[0].count", json_null(),
	            "kernel_log.faults[0].count: not an integer");
	reject_with("kernel_log.fault_total", json_real(2.5),
	            "kernel_log.fault_total: not an integer");
	reject_with("kernel_log.firmware_bugs", json_string("1"),
	            "kernel_log.firmware_bugs: not an integer");
	reject_with("checks", json_object(), "checks: not an array");
	reject_with("checks[1]", json_null(), "checks[1]: not an object");
	reject_with("checks[1].id", json_null(), "checks[1].id: not a string");
	reject_with("checks[1].id", json_string(""), "checks[1].id: empty");
	reject_with("checks[1].status", json_string("ok"),
	            "checks[1].status: not one of pass, warn, fail, unknown");
	reject_with("checks[1].status", json_integer(1),
	            "checks[1].status: not one of pass, warn, fail, unknown");
	reject_with("checks[1].summary", json_integer(1),
	            "checks[1].summary: not a string or null");
	/* An integer time is a number too. */
	{
		json_t *root = full_tree();

		mutate(root, "kernel_log.lines[1].time", json_integer(5));
		expect_accept(root);
	}
}

/* Every required key, in every section, missing. */
static void
test_reject_missing(void **state)
{
	static const char *const paths[] = {
	        "agent.version",
	        "host.hostname",
	        "host.machine_id",
	        "host.kernel",
	        "host.os",
	        "host.dmi",
	        "host.dmi.sys_vendor",
	        "host.dmi.bios_date",
	        "host.cpu",
	        "host.cpu.vendor",
	        "host.cpu.virtualization",
	        "cmdline.raw",
	        "cmdline.params",
	        "cmdline.warnings",
	        "iommu.vendor",
	        "iommu.enabled",
	        "iommu.default_domain",
	        "iommu.interrupt_remapping",
	        "iommu.interrupt_remapping.enabled",
	        "iommu.interrupt_remapping.mode",
	        "iommu.interrupt_remapping.x2apic_optout",
	        "iommu.units",
	        "iommu.groups",
	        "iommu.ungrouped_devices",
	        "iommu.groups[3].id",
	        "iommu.groups[3].type",
	        "iommu.groups[3].devices",
	        "iommu.groups[3].reserved_regions",
	        "iommu.groups[1].reserved_regions[1].start",
	        "iommu.groups[1].reserved_regions[1].end",
	        "iommu.groups[1].reserved_regions[1].type",
	        "iommu.groups[3].devices[0].address",
	        "iommu.groups[3].devices[0].vendor_id",
	        "iommu.groups[3].devices[0].device_id",
	        "iommu.groups[3].devices[0].subsystem_vendor_id",
	        "iommu.groups[3].devices[0].subsystem_device_id",
	        "iommu.groups[3].devices[0].class",
	        "iommu.groups[3].devices[0].name",
	        "iommu.groups[3].devices[0].driver",
	        "iommu.groups[3].devices[0].reset_methods",
	        "iommu.groups[3].devices[0].boot_vga",
	        "iommu.groups[3].devices[0].passthrough",
	        "iommu.groups[3].devices[0].passthrough.verdict",
	        "iommu.groups[3].devices[0].passthrough.isolated",
	        "iommu.groups[3].devices[0].passthrough.reasons",
	        "iommu.ungrouped_devices[0].passthrough.isolated",
	        "kernel_log.source",
	        "kernel_log.complete",
	        "kernel_log.lines",
	        "kernel_log.lines[2].time",
	        "kernel_log.lines[2].level",
	        "kernel_log.lines[2].text",
	        "kernel_log.faults",
	        "kernel_log.faults[0].address",
	        "kernel_log.faults[0].kind",
	        "kernel_log.faults[0].reason",
	        "kernel_log.faults[0].count",
	        "kernel_log.fault_total",
	        "kernel_log.firmware_bugs",
	        "checks[1].id",
	        "checks[1].status",
	        "checks[1].summary",
	        "checks[1].evidence",
	        "agent",
	        "host",
	        "cmdline",
	        "iommu",
	        "kernel_log",
	        "checks",
	        "verdict",
	        "reason",
	        "errors",
	};
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(msg, sizeof(msg), "%s: missing", paths[i]);
		reject_with(paths[i], NULL, msg);
	}
}

/* A nested array n containers deep (json_array() chain). */
static json_t *
nest(int n)
{
	json_t *v = json_integer(1), *a;
	int i;

	for (i = 0; i < n; i++) {
		a = json_array();
		json_array_append_new(a, v);
		v = a;
	}
	return v;
}

static void
test_reject_limits(void **state)
{
	char path[128], *s, *text;
	json_t *root, *a;
	size_t i, n;

	(void)state;
	/* Depth: the root is 1, so 15 nested arrays under it are 16. */
	root = full_tree();
	json_object_set_new(root, "x_future", nest(REPORT_MAX_DEPTH - 1));
	expect_accept(root);
	root = full_tree();
	json_object_set_new(root, "x_future", nest(REPORT_MAX_DEPTH));
	n = (size_t)snprintf(path, sizeof(path), "x_future");
	for (i = 1; i < REPORT_MAX_DEPTH; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "[0]");
	snprintf(path + n, sizeof(path) - n, ": nested too deep (limit 16)");
	expect_reject(root, path);
	/* Deeper than jansson's own parser allows. */
	s = malloc(2 * 3000 + 1);
	assert_non_null(s);
	memset(s, '[', 3000);
	memset(s + 3000, ']', 3000);
	s[6000] = '\0';
	expect_reject_text(s, 6000, "report: nested too deep (limit 16)");
	free(s);

	/* Strings: 4096 bytes pass, 4097 do not; cmdline.raw too. */
	s = repeat('o', REPORT_MAX_STRING);
	root = full_tree();
	mutate(root, "host.os", json_string(s));
	mutate(root, "cmdline.raw", json_string(s));
	expect_accept(root);
	free(s);
	s = repeat('o', REPORT_MAX_STRING + 1);
	reject_with("host.os", json_string(s), "host.os: string too long (4097 bytes, limit 4096)");
	reject_with("cmdline.raw", json_string(s),
	            "cmdline.raw: string too long (4097 bytes, limit 4096)");
	reject_with(
	        "iommu.groups[3].devices[0].passthrough.reasons[0]", json_string(s),
	        "iommu.groups[3].devices[0].passthrough.reasons[0]: string too long (4097 bytes, limit 4096)");
	/* Unknown keys are bounded too, and so are key names. */
	root = full_tree();
	json_object_set_new(json_object_get(root, "host"), "x_future", json_string(s));
	expect_reject(root, "host.x_future: string too long (4097 bytes, limit 4096)");
	root = full_tree();
	json_object_set_new(json_object_get(root, "cmdline"), s, json_null());
	expect_reject(
	        root,
	        "cmdline.oooooooooooooooooooooooooooooooooooooooo...: key too long (4097 bytes, limit 4096)");
	free(s);

	/* Counts: 4096 items pass, 4097 do not. */
	root = full_tree();
	a = json_object_get(root, "errors");
	for (i = 1; i < REPORT_MAX_ITEMS; i++)
		json_array_append_new(a, json_string("e"));
	expect_accept(root);
	root = full_tree();
	a = json_object_get(root, "errors");
	for (i = 1; i < REPORT_MAX_ITEMS + 1; i++)
		json_array_append_new(a, json_string("e"));
	expect_reject(root, "errors: too many items (4097, limit 4096)");
	root = full_tree();
	a = json_array();
	for (i = 0; i < REPORT_MAX_ITEMS + 1; i++)
		json_array_append_new(a, json_null());
	json_object_set_new(json_object_get(root, "kernel_log"), "x_future", a);
	expect_reject(root, "kernel_log.x_future: too many items (4097, limit 4096)");
	root = full_tree();
	a = json_object_get(json_object_get(root, "cmdline"), "params");
	for (i = 0; i < REPORT_MAX_ITEMS; i++) {
		snprintf(path, sizeof(path), "p%zu", i);
		json_object_set_new(a, path, json_null());
	}
	expect_reject(root, "cmdline.params: too many members (4099, limit 4096)");

	/* kernel_log.lines has its own, larger limit. */
	root = full_tree();
	a = json_object_get(json_object_get(root, "kernel_log"), "lines");
	while (json_array_size(a) < REPORT_MAX_LINES)
		json_array_append(a, json_array_get(a, 0));
	text = json_dumps(root, JSON_COMPACT);
	json_array_append(a, json_array_get(a, 0));
	expect_reject(root, "kernel_log.lines: too many items (20001, limit 20000)");
	{
		struct report out;
		struct report_error err;

		assert_int_equal(report_json_decode(text, strlen(text), &out, &err), 0);
		assert_int_equal(out.kernel_log.nlines, REPORT_MAX_LINES);
		report_free(&out);
	}
	free(text);

	/* Devices: at most 16384 in all groups and ungrouped together (a
	 * group may hold more than the 4096 items of other arrays). */
	root = full_tree();
	a = json_object_get(
	        json_array_get(json_object_get(json_object_get(root, "iommu"), "groups"), 0),
	        "devices");
	for (i = 0; i < 8200; i++)
		json_array_append(a, json_array_get(a, 0));
	a = json_object_get(
	        json_array_get(json_object_get(json_object_get(root, "iommu"), "groups"), 2),
	        "devices");
	for (i = 0; i < 8200; i++)
		json_array_append(a, json_array_get(a, 0));
	expect_reject(root, "iommu.groups[2].devices: too many devices in all (limit 16384)");
}

/* Schema: valid JSON, draft 2020-12, and its required keys are exactly the
 * keys the decoder refuses to go without, section by section. */

static json_t *schema_root;

static json_t *
schema_resolve(json_t *node)
{
	const char *ref;

	ref = json_string_value(json_object_get(node, "$ref"));
	if (ref == NULL)
		return node;
	assert_memory_equal(ref, "#/$defs/", 8);
	node = json_object_get(json_object_get(schema_root, "$defs"), ref + 8);
	assert_non_null(node);
	return node;
}

static int
schema_required(json_t *req, const char *key)
{
	json_t *v;
	size_t i;

	json_array_foreach(req, i, v) if (strcmp(json_string_value(v), key) == 0) return 1;
	return 0;
}

/* node: schema for the instance at path (a value of the full report). */
static void
schema_check(json_t *node, json_t *instance, const char *path, size_t *nchecked)
{
	json_t *req, *props, *v, *sub;
	const char *key;
	char child[256], msg[300];
	size_t i;

	node = schema_resolve(node);
	if (json_is_array(instance)) {
		/* The full report's second group is the one with regions. */
		sub = json_object_get(node, "items");
		i = json_array_size(instance) > 1 ? 1 : 0;
		if (sub != NULL && json_array_size(instance) > 0) {
			snprintf(child, sizeof(child), "%s[%zu]", path, i);
			schema_check(sub, json_array_get(instance, i), child, nchecked);
		}
		return;
	}
	if (!json_is_object(instance))
		return;
	req = json_object_get(node, "required");
	props = json_object_get(node, "properties");
	if (req == NULL) {
		/* Only the free-form params map has no required keys. */
		assert_string_equal(path, "cmdline.params");
		return;
	}
	/* The encoder writes every property: the required keys, and the keys
	 * added later in version 1, which a decoder takes as unknown when an
	 * older agent did not write them. */
	assert_int_equal(json_object_size(props), json_object_size(instance));
	json_object_foreach(props, key, v)
	{
		if (schema_required(req, key))
			continue;
		if (path[0] == '\0')
			snprintf(child, sizeof(child), "%s", key);
		else
			snprintf(child, sizeof(child), "%s.%s", path, key);
		sub = full_tree();
		mutate(sub, child, NULL);
		expect_accept(sub);
		(*nchecked)++;
	}
	json_array_foreach(req, i, v)
	{
		key = json_string_value(v);
		assert_non_null(key);
		if (path[0] == '\0')
			snprintf(child, sizeof(child), "%s", key);
		else
			snprintf(child, sizeof(child), "%s.%s", path, key);
		if (json_object_get(instance, key) == NULL)
			fail_msg("schema requires %s, the encoder does not write it", child);
		assert_non_null(json_object_get(props, key));
		/* Without it the decoder refuses the report. */
		snprintf(msg, sizeof(msg), "%s: missing", child);
		reject_with(child, NULL, msg);
		(*nchecked)++;
		schema_check(json_object_get(props, key), json_object_get(instance, key), child,
		             nchecked);
	}
}

static void
test_schema_matches_decoder(void **state)
{
	json_error_t jerr;
	json_t *full;
	size_t n = 0;

	(void)state;
	schema_root = json_load_file(SCHEMA_PATH, JSON_REJECT_DUPLICATES, &jerr);
	if (schema_root == NULL)
		fail_msg("%s: line %d: %s", SCHEMA_PATH, jerr.line, jerr.text);
	assert_string_equal(json_string_value(json_object_get(schema_root, "$schema")),
	                    "https://json-schema.org/draft/2020-12/schema");
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_object_get(json_object_get(schema_root, "properties"), "format"),
	                "const")),
	        REPORT_FORMAT);
	assert_int_equal(
	        json_integer_value(json_object_get(
	                json_object_get(json_object_get(schema_root, "properties"), "version"),
	                "const")),
	        REPORT_VERSION);
	assert_int_equal(json_array_size(json_object_get(schema_root, "required")), 13);
	full = full_tree();
	schema_check(schema_root, full, "", &n);
	/* Every section was reached: 13 top-level keys and all below (92
	 * required keys, and 17 added in version 1 that may be absent: 8 of
	 * a device, in a group and among the ungrouped, and a group's one). */
	assert_int_equal(n, 109);
	json_decref(full);
	json_decref(schema_root);
}

/* The example in FORMAT.md is what the encoder writes, byte for byte. */
/* The JSON example of FORMAT.md, NUL-terminated, in a static buffer. */
static char *
format_example(void)
{
	static char buf[1 << 20];
	char *start, *end;
	size_t n;
	FILE *f;

	f = fopen(FORMAT_PATH, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	start = strstr(buf, "```json\n");
	assert_non_null(start);
	start += 8;
	end = strstr(start, "\n```");
	assert_non_null(end);
	*end = '\0';
	return start;
}

static void
test_format_example(void **state)
{
	struct report r;
	struct report_error err;
	char *start, *again;

	(void)state;
	start = format_example();
	if (report_json_decode(start, strlen(start), &r, &err) != 0)
		fail_msg("FORMAT.md example: %s", err.msg);
	assert_string_equal(r.host.hostname, "repsys11");
	assert_int_equal(r.iommu.ngroups, 2);
	again = report_json_encode(&r, REPORT_JSON_PRETTY);
	assert_non_null(again);
	assert_string_equal(again, start);
	free(again);
	report_free(&r);
}

/* REPORT_JSON_OMIT_UNKNOWN (the agent's text for a host over 8 MiB) loses
 * nothing: it decodes to the report whose full encoding is the FORMAT.md
 * example byte for byte, and it is shorter by the keys it left out. */
static void
test_omit_unknown(void **state)
{
	struct report r, back;
	struct report_error err;
	char *start, *compact, *full, *again;

	(void)state;
	start = format_example();
	assert_int_equal(report_json_decode(start, strlen(start), &r, &err), 0);
	full = report_json_encode(&r, 0);
	compact = report_json_encode(&r, REPORT_JSON_OMIT_UNKNOWN);
	assert_non_null(full);
	assert_non_null(compact);
	/* the example has unknown later keys (a device's "critical": null) */
	assert_non_null(strstr(full, "\"critical\":null"));
	assert_null(strstr(compact, "\"critical\""));
	assert_null(strstr(compact, "\"sriov\":null"));
	assert_non_null(strstr(compact, "\"role\":"));
	assert_true(strlen(compact) < strlen(full));
	if (report_json_decode(compact, strlen(compact), &back, &err) != 0)
		fail_msg("compact text refused: %s", err.msg);
	again = report_json_encode(&back, REPORT_JSON_PRETTY);
	assert_non_null(again);
	assert_string_equal(again, start);
	free(again);
	free(compact);
	free(full);
	report_free(&back);
	report_free(&r);
}

/* Text of n copies of item joined by commas, between open and close. */
static char *
joined(const char *open, const char *item, size_t n, const char *close)
{
	size_t lo = strlen(open), li = strlen(item), lc = strlen(close), i, off;
	char *s = malloc(lo + n * (li + 1) + lc + 1);

	assert_non_null(s);
	memcpy(s, open, lo);
	off = lo;
	for (i = 0; i < n; i++) {
		if (i > 0)
			s[off++] = ',';
		memcpy(s + off, item, li);
		off += li;
	}
	memcpy(s + off, close, lc + 1);
	return s;
}

/*
 * Structure counts, checked on the text before jansson builds a tree
 * (issue 13: 8 MiB of {} cost 640 MB decoded).  An element is counted at the
 * comma after it, or at the bracket closing its container.
 */
static void
test_reject_structure(void **state)
{
	char want[128], *s, *text, *t;
	json_t *root, *a;
	size_t i, n, len, off;

	(void)state;
	/* The amplification body itself: refused at the 32769th {}, at the
	 * comma after it ({"x":[ is 6 bytes, each {} and its comma 3). */
	n = (REPORT_MAX_BYTES - 8) / 3;
	s = joined("{\"x\":[", "{}", n, "]}");
	assert_true(strlen(s) <= REPORT_MAX_BYTES);
	snprintf(want, sizeof(want),
	         "report: more than 32768 items in one array or object (at byte %zu)",
	         (size_t)6 + 3 * REPORT_MAX_ELEMENTS + 2);
	expect_reject_text(s, strlen(s), want);
	free(s);

	/* 32768 items pass the count (the array's own limit says the rest),
	 * 32769 do not; an object's members the same. */
	root = full_tree();
	a = json_array();
	for (i = 0; i < REPORT_MAX_ELEMENTS; i++)
		json_array_append_new(a, json_null());
	json_object_set_new(root, "x_future", a);
	expect_reject(root, "x_future: too many items (32768, limit 4096)");
	root = full_tree();
	a = json_array();
	for (i = 0; i < REPORT_MAX_ELEMENTS + 1; i++)
		json_array_append_new(a, json_null());
	json_object_set_new(root, "x_future", a);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	assert_non_null(text);
	/* the last null is counted at the closing bracket */
	t = strstr(text, "null]");
	assert_non_null(t);
	snprintf(want, sizeof(want),
	         "report: more than 32768 items in one array or object (at byte %zu)",
	         (size_t)(t - text) + 4);
	expect_reject_text(text, strlen(text), want);
	free(text);
	s = malloc((size_t)REPORT_MAX_ELEMENTS * 12 + 16);
	assert_non_null(s);
	off = 0;
	s[off++] = '{';
	for (i = 0; i <= REPORT_MAX_ELEMENTS; i++)
		off += (size_t)sprintf(s + off, "%s\"k%zu\":0", i > 0 ? "," : "", i);
	s[off++] = '}';
	snprintf(want, sizeof(want),
	         "report: more than 32768 items in one array or object (at byte %zu)", off - 1);
	expect_reject_text(s, off, want);
	free(s);

	/* Values in all: arrays of 32768 zeros ("0," 2 bytes, each array
	 * 65537 bytes and counted itself at the comma after it) in {"x":[.
	 * 15 arrays hold 15 * 32769 values; the 524289th is the 32754th zero
	 * of the 16th array, counted at the comma after it. */
	s = joined("[", "0", REPORT_MAX_ELEMENTS, "]");
	assert_int_equal(strlen(s), 65537);
	text = joined("{\"x\":[", s, 17, "]}");
	free(s);
	n = REPORT_MAX_VALUES - 15 * ((size_t)REPORT_MAX_ELEMENTS + 1) + 1;
	assert_int_equal(n, 32754);
	snprintf(want, sizeof(want), "report: more than 524288 values in all (at byte %zu)",
	         (size_t)6 + 15 * 65538 + 1 + 2 * (n - 1) + 1);
	expect_reject_text(text, strlen(text), want);
	free(text);

	/* Objects and arrays in all: the 147457th opening bracket. */
	s = joined("[", "[]", 30000, "]");
	text = joined("{\"x\":[", s, 5, "]}");
	free(s);
	len = strlen(text);
	for (i = 0, n = 0; i < len; i++) {
		if ((text[i] == '[' || text[i] == '{') && ++n > REPORT_MAX_CONTAINERS)
			break;
	}
	assert_true(i < len);
	snprintf(want, sizeof(want),
	         "report: more than 147456 objects and arrays in all (at byte %zu)", i);
	expect_reject_text(text, len, want);
	free(text);

	/* Brackets, commas and escaped quotes inside strings are not
	 * structure: 40000 brackets in strings pass. */
	root = full_tree();
	s = joined("", "\"[{\\", 800, "");
	a = json_array();
	for (i = 0; i < 25; i++)
		json_array_append_new(a, json_string(s));
	json_object_set_new(root, "x_more", a);
	free(s);
	expect_accept(root);

	/* Deeper than 64 cannot be a report: refused before jansson. */
	s = joined("", "[", 65, "");
	for (t = s; *t != '\0'; t++)
		if (*t == ',')
			*t = '[';
	expect_reject_text(s, strlen(s), "report: nested too deep (limit 16)");
	free(s);
}

/* The collector's acknowledgement (issue 13): only its own JSON naming the
 * report lets a report leave the agent's spool. */
/* bad (freed here) is refused with what jansson says of the whole text:
 * the message a text that is not JSON must get, wherever in the long lists
 * the fault is. */
static void
expect_jansson_message(char *bad)
{
	json_error_t jerr;
	char want[300];

	assert_null(json_loadb(bad, strlen(bad), JSON_REJECT_DUPLICATES, &jerr));
	snprintf(want, sizeof(want), "not JSON: line %d column %d: %s", jerr.line, jerr.column,
	         jerr.text);
	expect_reject_text(bad, strlen(bad), want);
	free(bad);
}

/* text with the first "from" after "after" replaced by "to" (same length
 * or not): a new string. */
static char *
edit_after(const char *text, const char *after, const char *from, const char *to)
{
	const char *a = strstr(text, after), *f;
	size_t n;
	char *out;

	assert_non_null(a);
	f = strstr(a, from);
	if (f == NULL)
		fail_msg("no %s after %s in %.300s", from, after, a);
	n = strlen(text) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, text, (size_t)(f - text));
	strcpy(out + (f - text), to);
	strcat(out, f + strlen(from));
	return out;
}

/* empty arrays as one value: "[[],[],...]" */
static json_t *
empties(size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_array());
	return a;
}

/* A group is one item (FORMAT.md): beside its devices it holds at most
 * one value's worth of objects and arrays; and an item a limit refuses
 * does not stop the check of text that is not JSON (review findings: the
 * whole text was then built, 98 MB for an 8 MiB body). */
static void
test_lazy_group_bounds(void **state)
{
	struct report r;
	char *text, *big, *bad, *member;
	json_t *arr;
	size_t n;

	(void)state;
	build_full(&r);
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	report_free(&r);
	arr = empties(REPORT_PIECE_CONTAINERS + 4);
	member = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	assert_non_null(member);
	n = strlen(member) + 16;
	bad = malloc(n);
	assert_non_null(bad);
	snprintf(bad, n, "\"x\":%s,\"id\"", member);
	free(member);
	big = edit_after(text, "\"groups\":[{", "\"id\"", bad);
	free(bad);
	free(text);
	expect_reject_text(big, strlen(big),
	                   "iommu.groups[0]: more than 8192 objects and arrays or 32768 values in"
	                   " one group besides its devices");
	/* the same with text that is not JSON at its end: that is what is
	 * said, as the whole-tree decoder said it */
	n = strlen(big);
	bad = malloc(n + 3);
	assert_non_null(bad);
	memcpy(bad, big, n);
	memcpy(bad + n, " x", 3);
	free(big);
	expect_jansson_message(bad);
}

/* The long lists are built one item at a time (report_lazy.c): the same
 * report, the same messages, and the pieces beside them bounded. */
static void
test_lazy_lists(void **state)
{
	struct report r, back, old;
	struct report_error err;
	char *text, *again, *bad;
	json_t *root;
	size_t i, len;

	(void)state;
	/* 2000 groups of two devices: decoded as built */
	build_full(&r);
	report_init(&old); /* the four groups it had, freed */
	old.iommu.groups = r.iommu.groups;
	old.iommu.ngroups = r.iommu.ngroups;
	report_free(&old);
	r.iommu.ngroups = 2000;
	r.iommu.groups = calloc(r.iommu.ngroups, sizeof(*r.iommu.groups));
	assert_non_null(r.iommu.groups);
	for (i = 0; i < r.iommu.ngroups; i++) {
		struct report_group *g = &r.iommu.groups[i];
		char addr[REPORT_ADDR_MAX];

		report_group_init(g);
		g->id = (int)i;
		g->devices = calloc(2, sizeof(*g->devices));
		assert_non_null(g->devices);
		g->ndevices = 2;
		snprintf(addr, sizeof(addr), "0001:%02x:%02x.0", (unsigned)(i / 32) & 0xff,
		         (unsigned)(i % 32));
		fill_device(&g->devices[0], addr, 0x15b3, 0x101e, "ConnectX VF");
		snprintf(addr, sizeof(addr), "0001:%02x:%02x.1", (unsigned)(i / 32) & 0xff,
		         (unsigned)(i % 32));
		fill_device(&g->devices[1], addr, 0x15b3, 0x101e, "ConnectX VF");
	}
	text = report_json_encode(&r, 0);
	assert_non_null(text);
	report_free(&r);
	if (report_json_decode(text, strlen(text), &back, &err) != 0)
		fail_msg("rejected: %s", err.msg);
	assert_int_equal(back.iommu.ngroups, 2000);
	again = report_json_encode(&back, 0);
	assert_non_null(again);
	assert_string_equal(again, text);
	report_free(&back);
	free(again);

	/* not JSON inside a group, a device, a key twice in a group: jansson's
	 * message for the whole text, line and column included */
	bad = edit_after(text, "\"0001:1f:1f.0\"", "\"vendor_id\":\"15b3\"", "\"vendor_id\":15b3");
	expect_jansson_message(bad);
	/* the same with characters of two, three and four bytes before it on
	 * its line: jansson counts columns in characters */
	again = edit_after(text, "\"0001:00:00.0\"", "ConnectX VF",
	                   "Connect\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
	bad = edit_after(again, "\"0001:1f:1f.0\"", "\"vendor_id\":\"15b3\"", "\"vendor_id\":15b3");
	expect_jansson_message(bad);
	/* and after the end of the report */
	len = strlen(again);
	bad = malloc(len + 3);
	assert_non_null(bad);
	memcpy(bad, again, len);
	memcpy(bad + len, " x", 3);
	expect_jansson_message(bad);
	free(again);
	bad = edit_after(text, "\"id\":1999", "\"type\":", "\"id\":1,\"type\":");
	expect_jansson_message(bad);
	bad = edit_after(text, "\"id\":1999", "}],\"ungrouped_devices\"",
	                 "},\"ungrouped_devices\"");
	expect_jansson_message(bad);
	free(text);

	/* limits inside a lazily built item name its path */
	root = full_tree();
	mutate(root, "iommu.groups[3].devices[0].name", json_string("x"));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	bad = edit_after(text, "\"0000:04:00.0\"", "\"name\":\"x\"",
	                 "\"name\":\"x\",\"name\":\"y\"");
	expect_jansson_message(bad);
	free(text);

	/* beside the lists: one value at most REPORT_PIECE_*, all of them
	 * REPORT_KEPT_* (before the per-array limit of 4096 says more) */
	root = full_tree();
	json_object_set_new(root, "x_future", empties(REPORT_PIECE_CONTAINERS));
	expect_reject(root, "x_future: more than 8192 objects and arrays or 32768 values in one "
	                    "value (besides groups, devices and log lines)");
	root = full_tree();
	json_object_set_new(root, "x0", empties(6000));
	json_object_set_new(root, "x1", empties(6000));
	json_object_set_new(root, "x2", empties(6000));
	expect_reject(root, "x2: more than 16384 objects and arrays or 65536 values in all besides "
	                    "groups, devices and log lines");
	/* an item of a list at the piece limit is refused the same */
	root = full_tree();
	mutate(root, "iommu.groups[2].devices[0].x_future", empties(REPORT_PIECE_CONTAINERS));
	expect_reject(root,
	              "iommu.groups[2].devices[0]: more than 8192 objects and arrays or 32768 "
	              "values in one value (besides groups, devices and log lines)");
	/* and below it, the walk's limits with the item's path */
	reject_with("kernel_log.lines[1].x_future", empties(4097),
	            "kernel_log.lines[1].x_future: too many items (4097, limit 4096)");
}

static void
test_ack(void **state)
{
	static const char id[] = "3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01";
	static const struct {
		const char *body;
		int want;
	} cases[] = {
	        {"{\"status\":\"stored\",\"report_id\":\"3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01\","
	         "\"host\":\"web1\"}\n",
	         1},
	        {"{\"status\":\"unchanged\",\"report_id\":\"3F2A9C1E-0B7D-4E55-9A10-2B6C8D4E7F01\","
	         "\"host\":\"web1\"}",
	         1},
	        {"OK", 0},
	        {"", 0},
	        {"<html>Welcome to the hotel wifi</html>", 0},
	        {"{}", 0},
	        {"{\"status\":\"stored\",\"report_id\":\"0000\",\"host\":\"web1\"}", 0},
	        {"{\"status\":\"stored\",\"report_id\":\"3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01\"}",
	         0},
	        {"{\"status\":201,\"report_id\":\"3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01\","
	         "\"host\":\"web1\"}",
	         0},
	        {"[\"3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01\"]", 0},
	        {"{\"status\":\"stored\",\"report_id\":\"3f2a9c1e-0b7d-4e55-9a10-2b6c8d4e7f01\","
	         "\"report_id\":\"x\",\"host\":\"web1\"}",
	         0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (report_json_ack(cases[i].body, strlen(cases[i].body), id) != cases[i].want)
			fail_msg("case %zu: \"%s\": want %d", i, cases[i].body, cases[i].want);
	}
	assert_int_equal(report_json_ack(NULL, 0, id), 0);
	assert_int_equal(report_json_ack(cases[0].body, strlen(cases[0].body), NULL), 0);
	/* only the first len bytes count */
	assert_int_equal(report_json_ack(cases[0].body, 20, id), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_round_trip),
	        cmocka_unit_test(test_omit_unknown),
	        cmocka_unit_test(test_repeated_param_last_wins),
	        cmocka_unit_test(test_unknown_is_null),
	        cmocka_unit_test(test_hostile_strings),
	        cmocka_unit_test(test_decode_cleans_controls),
	        cmocka_unit_test(test_reject_not_json),
	        cmocka_unit_test(test_reject_oversize),
	        cmocka_unit_test(test_reject_envelope),
	        cmocka_unit_test(test_reject_host_cmdline),
	        cmocka_unit_test(test_reject_iommu),
	        cmocka_unit_test(test_reject_device),
	        cmocka_unit_test(test_reject_kernel_log_checks),
	        cmocka_unit_test(test_reject_missing),
	        cmocka_unit_test(test_reject_limits),
	        cmocka_unit_test(test_reject_structure),
	        cmocka_unit_test(test_lazy_lists),
	        cmocka_unit_test(test_lazy_group_bounds),
	        cmocka_unit_test(test_ack),
	        cmocka_unit_test(test_schema_matches_decoder),
	        cmocka_unit_test(test_format_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
