/*
 * test_analyse.c - verdicts and checks from evidence (analyse.c is pure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/analyse.h"
#include "agent/hostinfo.h"

static void
evidence_unknown(struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	sysfs_facts_init(&ev->sys);
	klog_facts_init(&ev->klog);
	ev->cpu_hypervisor = -1;
}

static const struct report_check *
check(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nchecks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	fail_msg("no check %s", id);
	return NULL;
}

static struct report_device *
add_device(struct report_group *g, const char *addr, long class_code)
{
	struct report_device *d;

	g->devices = realloc(g->devices, (g->ndevices + 1) * sizeof(*d));
	assert_non_null(g->devices);
	d = &g->devices[g->ndevices++];
	report_device_init(d);
	strncpy(d->address, addr, sizeof(d->address) - 1);
	d->class_code = class_code;
	assert_int_equal(strlist_add(&d->reset_methods, "flr"), 0);
	d->resettable = TRI_TRUE;
	return d;
}

/* Find a device by address once every realloc is done. */
static struct report_device *
dev(struct report *r, const char *addr)
{
	size_t i, j;

	for (i = 0; i < r->iommu.ngroups; i++)
		for (j = 0; j < r->iommu.groups[i].ndevices; j++)
			if (strcmp(r->iommu.groups[i].devices[j].address, addr) == 0)
				return &r->iommu.groups[i].devices[j];
	fail_msg("no device %s", addr);
	return NULL;
}

static struct report_group *
add_group(struct report *r, int id)
{
	struct report_group *g;

	r->iommu.groups = realloc(r->iommu.groups, (r->iommu.ngroups + 1) * sizeof(*g));
	assert_non_null(r->iommu.groups);
	g = &r->iommu.groups[r->iommu.ngroups++];
	report_group_init(g);
	g->id = id;
	g->type = strdup("DMA");
	return g;
}

static void
log_source(struct report *r, const char *source)
{
	r->kernel_log.source = strdup(source);
}

/* An arm64 host (SMMUv3 through IORT) with groups, ready to analyse. */
static void
arm_host(struct report *r, struct evidence *ev)
{
	report_init(r);
	evidence_unknown(ev);
	ev->sys.present = ev->sys.groups_dir = TRI_TRUE;
	ev->sys.ngroups = 2;
	ev->sys.iommu_units = 1;
	strcpy(ev->sys.iommu_kind, "smmu");
	ev->klog.acpi_iort = 1;
	log_source(r, "file");
}

/* arm64: vfio needs isolated MSIs, which a GICv3 ITS gives, not interrupt
 * remapping; /proc/interrupts without ITS-MSI (GICv2m) means none. */
static void
test_arm_msi_isolation(void **state)
{
	static const enum tristate its[] = {TRI_TRUE, TRI_FALSE, TRI_UNKNOWN};
	struct evidence ev;
	struct report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(its) / sizeof(its[0]); i++) {
		arm_host(&r, &ev);
		ev.sys.ir_chips = TRI_FALSE; /* no IR-* chip: there never is on arm64 */
		ev.sys.its_msi = its[i];
		assert_int_equal(analyse(&r, &ev), 0);
		assert_string_equal(r.iommu.vendor, "arm");
		if (its[i] == TRI_TRUE) {
			assert_int_equal(check(&r, "interrupt-remapping")->status, CHECK_PASS);
			assert_string_equal(check(&r, "interrupt-remapping")->summary,
			                    "MSIs are isolated by the GICv3 ITS (arm64)");
			assert_int_not_equal(r.verdict, VERDICT_NOT_READY);
		} else if (its[i] == TRI_FALSE) {
			assert_int_equal(check(&r, "interrupt-remapping")->status, CHECK_FAIL);
			assert_int_equal(r.verdict, VERDICT_NOT_READY);
			assert_non_null(strstr(r.reason, "MSIs are not isolated (no GICv3 ITS"));
		} else {
			assert_int_equal(check(&r, "interrupt-remapping")->status, CHECK_UNKNOWN);
			assert_int_not_equal(r.verdict, VERDICT_READY);
		}
		report_free(&r);
	}
	/* the log alone: "ITS@0x...: allocated" lines */
	arm_host(&r, &ev);
	ev.klog.gic_its = 2;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(check(&r, "interrupt-remapping")->status, CHECK_PASS);
	assert_string_equal(check(&r, "interrupt-remapping")->evidence, "log: GICv3 ITS set up");
	report_free(&r);
}

/* The seed Dell host: DMAR parsed, IR enabled in xapic mode with the BIOS
 * opt-out, VT-d never initialised: firmware has it, the kernel left it off. */
static void
test_intel_table_without_vtd_needs_intel_iommu_on(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.acpi_dmar = 1;
	ev.klog.drhd_units = 2;
	ev.klog.intel_lines = 15;
	ev.klog.ir_enabled = TRI_TRUE;
	strcpy(ev.klog.ir_mode, "xapic");
	ev.klog.x2apic_optout = TRI_TRUE;
	log_source(&r, "file");
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "intel");
	assert_int_equal(r.iommu.enabled, TRI_FALSE);
	assert_int_equal(r.iommu.interrupt_remapping.enabled, TRI_TRUE);
	assert_string_equal(r.iommu.interrupt_remapping.mode, "xapic");
	assert_int_equal(r.iommu.interrupt_remapping.x2apic_optout, TRI_TRUE);
	assert_int_equal(r.iommu.units, 2);
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_string_equal(r.reason, "add intel_iommu=on to the kernel command line");
	assert_int_equal(check(&r, "iommu-active")->status, CHECK_FAIL);
	assert_int_equal(check(&r, "x2apic")->status, CHECK_WARN);
	assert_int_equal(check(&r, "firmware-table")->status, CHECK_PASS);
	report_free(&r);
}

static void
test_intel_iommu_off_on_cmdline_is_the_fix(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.acpi_dmar = 1;
	ev.klog.intel_lines = 3;
	ev.klog.reached_userspace = 1;
	assert_int_equal(cmdline_parse("ro quiet intel_iommu=off", &r.cmdline), 0);
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_string_equal(r.reason, "remove intel_iommu=off from the kernel command line");
	report_free(&r);
}

/* Only a log: its echoes of boot parameters still name the fix. */
static void
test_log_echoes_of_boot_parameters(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.acpi_dmar = 1;
	ev.klog.intel_lines = 4;
	ev.klog.reached_userspace = 1;
	ev.klog.dmar_off_echo = 1;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.reason, "remove intel_iommu=off from the kernel command line");
	report_free(&r);

	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.amd_unknown_option = 1;
	ev.klog.amd_initialised = 1;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(check(&r, "cmdline")->status, CHECK_WARN);
	assert_non_null(strstr(check(&r, "cmdline")->summary, "amd_iommu=on is not an option"));
	report_free(&r);
}

/* sysfs outranks the log: groups present means on, whatever the log says. */
static void
test_sysfs_groups_isolation_and_verdicts(void **state)
{
	struct report_group *g;
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
	ev.sys.ngroups = 3;
	ev.sys.iommu_units = 1;
	strcpy(ev.sys.iommu_kind, "ivhd");
	ev.sys.ir_chips = TRI_TRUE;
	ev.sys.vfio_pci = TRI_TRUE;
	ev.sys.allow_unsafe_interrupts = TRI_FALSE;
	ev.klog.vtd_initialised = 0; /* log says nothing: sysfs decides */

	g = add_group(&r, 1);
	add_device(g, "0000:00:01.0", 0x060400); /* root port: ignored */
	add_device(g, "0000:01:00.0", 0x030000);
	add_device(g, "0000:01:00.1", 0x040300);
	g = add_group(&r, 9);
	add_device(g, "0000:18:00.0", 0x020000);
	add_device(g, "0000:15:00.0", 0x0c0330);
	add_device(g, "0000:16:00.0", 0x060400);
	g = add_group(&r, 6);
	add_device(g, "0000:00:14.0", 0x0c0500);
	add_device(g, "0000:00:14.3", 0x060100); /* ISA bridge counts */

	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "amd");
	assert_int_equal(r.iommu.enabled, TRI_TRUE);
	assert_string_equal(r.iommu.default_domain, "translated");
	assert_int_equal(dev(&r, "0000:01:00.0")->isolated, TRI_TRUE);
	assert_int_equal(dev(&r, "0000:01:00.0")->verdict, VERDICT_READY);
	assert_int_equal(dev(&r, "0000:01:00.1")->isolated, TRI_TRUE);
	assert_int_equal(dev(&r, "0000:18:00.0")->isolated, TRI_FALSE);
	assert_int_equal(dev(&r, "0000:18:00.0")->verdict, VERDICT_NOT_READY);
	assert_non_null(strstr(dev(&r, "0000:18:00.0")->reasons.v[0],
	                       "shares group 9 with 0000:15:00.0 (USB controller)"));
	assert_int_equal(dev(&r, "0000:15:00.0")->isolated, TRI_FALSE);
	/* 00:14.0 and 00:14.3 are functions of one slot: isolated together */
	assert_int_equal(dev(&r, "0000:00:14.3")->isolated, TRI_TRUE);
	assert_int_equal(r.verdict, VERDICT_READY);
	assert_non_null(strstr(r.reason, "of 8 devices ready"));
	assert_int_equal(check(&r, "vfio")->status, CHECK_PASS);
	report_free(&r);
}

static void
test_gpu_sharing_a_group_makes_host_not_ready(void **state)
{
	struct report_group *g;
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
	ev.sys.ngroups = 1;
	ev.sys.ir_chips = TRI_TRUE;
	g = add_group(&r, 4);
	add_device(g, "0000:03:00.0", 0x030000);
	add_device(g, "0000:00:1f.0", 0x060100);
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_string_equal(r.reason,
	                    "GPU 0000:03:00.0: shares group 4 with 0000:00:1f.0 (ISA bridge)");
	report_free(&r);
}

/* The Dell R410: VT-d on, interrupt remapping off (chipset erratum). */
static void
test_ir_off_is_not_ready(void **state)
{
	struct report_device *d;
	struct report_group *g;
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.vtd_initialised = 1;
	ev.klog.intel_lines = 30;
	ev.klog.group_adds = 71;
	ev.klog.boot_start = 1;
	ev.klog.ir_enabled = TRI_FALSE;
	strcpy(ev.klog.default_domain, "translated");
	r.kernel_log.complete = TRI_TRUE;
	log_source(&r, "file");
	g = add_group(&r, 0);
	d = add_device(g, "0000:05:00.0", 0x020000);
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(r.iommu.enabled, TRI_TRUE);
	assert_int_equal(r.iommu.interrupt_remapping.enabled, TRI_FALSE);
	assert_string_equal(r.iommu.default_domain, "translated");
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_non_null(strstr(r.reason, "interrupt remapping is off"));
	assert_int_equal(d->verdict, VERDICT_NOT_READY);
	assert_int_equal(check(&r, "interrupt-remapping")->status, CHECK_FAIL);
	assert_int_equal(check(&r, "kernel-log")->status, CHECK_PASS);
	report_free(&r);
}

static void
test_rmrr_direct_region_blocks_device(void **state)
{
	struct report_device *d;
	struct report_group *g;
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
	ev.sys.ngroups = 1;
	ev.sys.ir_chips = TRI_TRUE;
	g = add_group(&r, 2);
	d = add_device(g, "0000:00:14.0", 0x0c0330);
	g->regions = calloc(1, sizeof(*g->regions));
	g->nregions = 1;
	g->regions[0].start = 0xbf458000;
	g->regions[0].end = 0xbf46ffff;
	g->regions[0].type = strdup("direct");
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(d->isolated, TRI_TRUE);
	assert_int_equal(d->verdict, VERDICT_NOT_READY);
	assert_non_null(strstr(d->reasons.v[0], "1:1 mapping"));
	report_free(&r);
}

static void
test_no_evidence_is_unknown_not_fail(void **state)
{
	struct evidence ev;
	struct report r;
	size_t i;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	log_source(&r, "none");
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "unknown");
	assert_int_equal(r.iommu.enabled, TRI_UNKNOWN);
	assert_int_equal(r.verdict, VERDICT_UNKNOWN);
	for (i = 0; i < r.nchecks; i++)
		assert_int_not_equal(r.checks[i].status, CHECK_FAIL);
	report_free(&r);
}

/* sysfs that shows no firmware table and no groups: no IOMMU at all. */
static void
test_no_firmware_table_is_vendor_none(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
	ev.sys.ngroups = 0;
	ev.sys.iommu_units = 0;
	ev.sys.acpi_dmar = ev.sys.acpi_ivrs = ev.sys.acpi_iort = TRI_FALSE;
	ev.sys.ir_chips = TRI_FALSE;
	log_source(&r, "kmsg");
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "none");
	assert_int_equal(r.iommu.enabled, TRI_FALSE);
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_int_equal(check(&r, "firmware-table")->status, CHECK_FAIL);
	assert_non_null(strstr(r.reason, "no IOMMU"));
	report_free(&r);
}

/* An Intel host's log carries the AMD IOMMUv2 module's line: still Intel. */
static void
test_amdv2_line_does_not_make_intel_host_amd(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.amdv2_unavailable = 1;
	ev.klog.vtd_initialised = 1;
	ev.klog.intel_lines = 5;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "intel");
	assert_int_equal(r.iommu.enabled, TRI_TRUE);
	report_free(&r);

	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.amdv2_unavailable = 1;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "amd");
	assert_int_not_equal(r.iommu.enabled, TRI_TRUE);
	assert_int_not_equal(r.verdict, VERDICT_READY);
	assert_non_null(strstr(r.reason, "firmware setup"));
	report_free(&r);
}

/* A full log from boot whose ACPI table list has no DMAR: the firmware
 * offers no VT-d, from the log alone, even though intel_iommu=on echoed. */
static void
test_complete_table_list_without_dmar_fails(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	r.host.cpu.vendor = strdup("intel");
	r.host.cpu.virtualization = strdup("vmx");
	ev.cpu_hypervisor = 0;
	ev.klog.boot_start = 1;
	ev.klog.reached_userspace = 1;
	ev.klog.acpi_tables = 14;
	ev.klog.dmar_on_echo = 1;
	ev.klog.intel_lines = 1;
	ev.klog_read = 1;
	log_source(&r, "file");
	r.kernel_log.complete = TRI_TRUE;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "intel");
	assert_int_equal(check(&r, "firmware-table")->status, CHECK_FAIL);
	assert_int_equal(r.iommu.enabled, TRI_FALSE);
	assert_int_equal(r.iommu.interrupt_remapping.enabled, TRI_FALSE);
	assert_string_equal(r.reason, "enable VT-d in the firmware setup");
	report_free(&r);

	/* the same list in a log that never reaches userspace may be a
	 * filtered excerpt with a 0.000000 line: "not seen", not "fail" */
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.boot_start = 1;
	ev.klog.acpi_tables = 14;
	ev.klog.dmar_on_echo = 1;
	ev.klog.intel_lines = 1;
	log_source(&r, "file");
	r.kernel_log.complete = TRI_TRUE;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(check(&r, "firmware-table")->status, CHECK_UNKNOWN);
	assert_int_not_equal(r.iommu.interrupt_remapping.enabled, TRI_FALSE);
	report_free(&r);
}

/* IVRS firmware bugs: the table exists, the IOMMU is there; the fix is the
 * firmware or ivrs_ioapic=, never "enable the IOMMU in the setup". */
static void
test_ivrs_bugs_fix_is_firmware_update(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.amd_lines = 4;
	ev.klog.ivrs_bugs = 2;
	ev.klog.ir_enabled = TRI_FALSE;
	ev.klog.amdv2_unavailable = 1;
	log_source(&r, "file");
	r.kernel_log.firmware_bugs = 2;
	assert_int_equal(analyse(&r, &ev), 0);
	assert_string_equal(r.iommu.vendor, "amd");
	assert_int_equal(check(&r, "firmware-table")->status, CHECK_PASS);
	assert_int_equal(r.verdict, VERDICT_NOT_READY);
	assert_non_null(strstr(r.reason, "ivrs_ioapic="));
	assert_null(strstr(r.reason, "enable the IOMMU"));
	report_free(&r);
}

/* VT-x / AMD-V off in the firmware: never ready whatever the IOMMU says;
 * the fix names the setting of the CPU's vendor (Hygon: AMD's). */
static void
test_virt_off_in_firmware_is_never_ready(void **state)
{
	static const struct {
		const char *vendor;
		int vmx, svm, kvm;
		const char *setting;
	} cases[] = {
	        {"intel", 1, 0, 0, "(VT-x)"},    {"hygon", 0, 0, 1, "SVM Mode (AMD-V)"},
	        {"amd", 0, 1, 0, "SVM Mode"},    {"intel", 0, 0, 1, "(VT-x)"},
	        {NULL, 0, 0, 1, "VT-x / AMD-V"},
	};
	struct report_group *g;
	struct evidence ev;
	struct report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_init(&r);
		evidence_unknown(&ev);
		if (cases[i].vendor != NULL)
			r.host.cpu.vendor = strdup(cases[i].vendor);
		ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
		ev.sys.ngroups = 1;
		ev.sys.iommu_units = 1;
		ev.sys.ir_chips = TRI_TRUE;
		ev.sys.bound_hit = 0;
		g = add_group(&r, 1);
		add_device(g, "0000:01:00.0", 0x030000);
		ev.klog.virt_off_vmx = cases[i].vmx;
		ev.klog.virt_off_svm = cases[i].svm;
		ev.klog.virt_off_kvm = cases[i].kvm;
		log_source(&r, "file");
		assert_int_equal(analyse(&r, &ev), 0);
		assert_int_equal(r.iommu.enabled, TRI_TRUE);
		assert_int_equal(r.verdict, VERDICT_NOT_READY);
		assert_non_null(strstr(r.reason, cases[i].setting));
		assert_int_equal(check(&r, "cpu-virtualization")->status, CHECK_FAIL);
		report_free(&r);
	}
}

/* /proc/cpuinfo without vmx / svm: on bare metal the firmware switched it
 * off (never ready); in a guest it may only be hidden (a warning). */
static void
test_cpuinfo_without_virt_flag(void **state)
{
	struct evidence ev;
	struct report r;
	int hv;

	(void)state;
	for (hv = 0; hv <= 1; hv++) {
		report_init(&r);
		evidence_unknown(&ev);
		r.host.cpu.vendor = strdup("hygon");
		ev.cpu_hypervisor = hv;
		ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
		ev.sys.ngroups = 1;
		ev.sys.iommu_units = 1;
		ev.sys.ir_chips = TRI_TRUE;
		add_device(add_group(&r, 1), "0000:01:00.0", 0x020000);
		log_source(&r, "file");
		assert_int_equal(analyse(&r, &ev), 0);
		if (hv == 0) {
			assert_int_equal(check(&r, "cpu-virtualization")->status, CHECK_FAIL);
			assert_int_equal(r.verdict, VERDICT_NOT_READY);
			assert_non_null(strstr(r.reason, "SVM Mode (AMD-V)"));
		} else {
			assert_int_equal(check(&r, "cpu-virtualization")->status, CHECK_WARN);
			assert_int_not_equal(r.verdict, VERDICT_NOT_READY);
		}
		report_free(&r);
	}
}

/* "iommu: Default domain type" is reported even when VT-d is off, but the
 * check does not pass on it (the kernel prints it with no IOMMU at all); a
 * passthrough default that turned SEV-SNP off is a warning naming what to
 * undo from the command line. */
static void
test_default_domain_facts(void **state)
{
	struct evidence ev;
	struct report r;

	(void)state;
	report_init(&r);
	evidence_unknown(&ev);
	ev.klog.acpi_dmar = 1;
	ev.klog.drhd_units = 1;
	ev.klog.intel_lines = 6;
	ev.klog.ir_enabled = TRI_TRUE;
	ev.klog.reached_userspace = 1;
	strcpy(ev.klog.default_domain, "translated");
	log_source(&r, "file");
	assert_int_equal(analyse(&r, &ev), 0);
	assert_int_equal(r.iommu.enabled, TRI_FALSE);
	assert_string_equal(r.iommu.default_domain, "translated");
	assert_int_equal(check(&r, "default-domain")->status, CHECK_UNKNOWN);
	assert_non_null(strstr(check(&r, "default-domain")->summary, "no IOMMU is on"));
	report_free(&r);

	static const char *const cmdlines[] = {"ro iommu=pt", "ro iommu=off", "ro"};
	static const char *const fixes[] = {"remove iommu=pt", "remove iommu=off",
	                                    "no iommu=pt, no iommu=off"};
	size_t i;

	for (i = 0; i < 3; i++) {
		report_init(&r);
		evidence_unknown(&ev);
		ev.klog.amd_initialised = 3;
		ev.klog.amd_lines = 5;
		ev.klog.snp_no_iommu = 1;
		strcpy(ev.klog.default_domain, "passthrough");
		assert_int_equal(cmdline_parse(cmdlines[i], &r.cmdline), 0);
		log_source(&r, "file");
		assert_int_equal(analyse(&r, &ev), 0);
		assert_int_equal(check(&r, "default-domain")->status, CHECK_WARN);
		assert_non_null(strstr(check(&r, "default-domain")->summary, "SEV-SNP"));
		assert_non_null(strstr(check(&r, "default-domain")->summary, fixes[i]));
		report_free(&r);
	}
}

/* The AMD reset-bug list is vendor-reset's device table (src/device-db.h)
 * ID for ID, not family ranges. */
static void
test_reset_bug_ids_are_vendor_resets(void **state)
{
	static const struct {
		int device;
		const char *family; /* NULL: not in the table */
	} cases[] = {
	        {0x687f, "Vega 10"}, {0x6865, NULL},    {0x66af, "Vega 20"}, {0x66a5, NULL},
	        {0x731f, "Navi 10"}, {0x7311, NULL},    {0x1681, "Navi 10"}, {0x734f, "Navi 14"},
	        {0x7361, NULL},      {0x738c, "MI100"}, {0x67df, NULL},
	};
	struct report_device *d;
	struct report_group *g;
	struct evidence ev;
	struct report r;
	size_t i, j;
	int found;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_init(&r);
		evidence_unknown(&ev);
		g = add_group(&r, 1);
		d = add_device(g, "0000:0b:00.0", 0x030000);
		d->vendor_id = 0x1002;
		d->device_id = cases[i].device;
		log_source(&r, "file");
		assert_int_equal(analyse(&r, &ev), 0);
		d = dev(&r, "0000:0b:00.0");
		found = 0;
		for (j = 0; j < d->blockers.n; j++)
			found |= strstr(d->blockers.v[j], "no reliable reset") != NULL;
		assert_int_equal(found, cases[i].family != NULL);
		if (cases[i].family != NULL) {
			for (j = 0, found = 0; j < d->blockers.n; j++)
				found |= strstr(d->blockers.v[j], cases[i].family) != NULL;
			assert_true(found);
		}
		report_free(&r);
	}
}

/* The reset evidence: reset_method lists methods (ready), lists none (the
 * "no reset method" blocker), or was not in the tree at all (unknown: a
 * warning and an unknown verdict, never a blocker). */
static void
test_reset_unknown_is_not_no_reset(void **state)
{
	static const enum tristate resettable[] = {TRI_TRUE, TRI_FALSE, TRI_UNKNOWN};
	static const enum verdict want[] = {VERDICT_READY, VERDICT_NOT_READY, VERDICT_UNKNOWN};
	struct report_device *d;
	struct report_group *g;
	struct evidence ev;
	struct report r;
	size_t i, j;
	int blocked, warned;

	(void)state;
	for (i = 0; i < 3; i++) {
		report_init(&r);
		evidence_unknown(&ev);
		ev.sys.present = ev.sys.groups_dir = TRI_TRUE;
		ev.sys.ngroups = 1;
		ev.sys.iommu_units = 1;
		strcpy(ev.sys.iommu_kind, "dmar");
		ev.sys.ir_chips = TRI_TRUE;
		ev.sys.vfio_pci = TRI_TRUE;
		ev.sys.allow_unsafe_interrupts = TRI_FALSE;
		ev.sys.critical_known = TRI_TRUE;
		g = add_group(&r, 43);
		d = add_device(g, "0000:0c:00.0", 0x010601);
		d->role = strdup("endpoint");
		if (resettable[i] != TRI_TRUE)
			strlist_free(&d->reset_methods);
		d->resettable = resettable[i];
		assert_int_equal(analyse(&r, &ev), 0);
		d = dev(&r, "0000:0c:00.0");
		assert_int_equal(d->preflight, want[i]);
		for (j = 0, blocked = 0; j < d->blockers.n; j++)
			blocked |= strstr(d->blockers.v[j], "no reset method") != NULL;
		for (j = 0, warned = 0; j < d->warnings.n; j++)
			warned |= strstr(d->warnings.v[j], "reset method unknown") != NULL;
		assert_int_equal(blocked, resettable[i] == TRI_FALSE);
		assert_int_equal(warned, resettable[i] == TRI_UNKNOWN);
		assert_int_equal(d->blockers.n, resettable[i] == TRI_FALSE);
		report_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_arm_msi_isolation),
	        cmocka_unit_test(test_intel_table_without_vtd_needs_intel_iommu_on),
	        cmocka_unit_test(test_intel_iommu_off_on_cmdline_is_the_fix),
	        cmocka_unit_test(test_log_echoes_of_boot_parameters),
	        cmocka_unit_test(test_sysfs_groups_isolation_and_verdicts),
	        cmocka_unit_test(test_gpu_sharing_a_group_makes_host_not_ready),
	        cmocka_unit_test(test_ir_off_is_not_ready),
	        cmocka_unit_test(test_rmrr_direct_region_blocks_device),
	        cmocka_unit_test(test_no_evidence_is_unknown_not_fail),
	        cmocka_unit_test(test_no_firmware_table_is_vendor_none),
	        cmocka_unit_test(test_amdv2_line_does_not_make_intel_host_amd),
	        cmocka_unit_test(test_complete_table_list_without_dmar_fails),
	        cmocka_unit_test(test_ivrs_bugs_fix_is_firmware_update),
	        cmocka_unit_test(test_virt_off_in_firmware_is_never_ready),
	        cmocka_unit_test(test_cpuinfo_without_virt_flag),
	        cmocka_unit_test(test_default_domain_facts),
	        cmocka_unit_test(test_reset_bug_ids_are_vendor_resets),
	        cmocka_unit_test(test_reset_unknown_is_not_no_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
