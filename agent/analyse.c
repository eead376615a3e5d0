/*
 * analyse.c - from evidence to checks and verdicts (pure).  sysfs outranks
 * the kernel log; missing evidence gives "unknown", never "fail".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/analyse.h"
#include "agent/hostinfo.h"

#define CLASS_BASE(c) ((int)(((c) >> 16) & 0xff))
#define CLASS_SUB(c) ((int)(((c) >> 8) & 0xffff))

struct facts {
	const char *vendor;
	enum tristate enabled;
	const char *enabled_why;
	enum tristate ir;
	const char *ir_why;
	const char *ir_name; /* what vfio needs: "interrupt remapping", on arm64 "MSI isolation" */
};

static int check_add(struct report *r, const char *id, enum check_status status,
                     const char *evidence, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

static int
check_add(struct report *r, const char *id, enum check_status status, const char *evidence,
          const char *fmt, ...)
{
	struct report_check *v, *c;
	char summary[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	v = realloc(r->checks, (r->nchecks + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	r->checks = v;
	c = &v[r->nchecks];
	memset(c, 0, sizeof(*c));
	c->status = status;
	c->id = strdup(id);
	c->summary = strdup(summary);
	c->evidence = strdup(evidence != NULL ? evidence : "");
	r->nchecks++;
	return c->id && c->summary && c->evidence ? 0 : -1;
}

static int
set_str(char **field, const char *value)
{
	free(*field);
	*field = NULL;
	if (value == NULL)
		return 0;
	*field = strdup(value);
	return *field == NULL ? -1 : 0;
}

static const char *
device_role(long class_code)
{
	switch (class_code < 0 ? -1 : CLASS_BASE(class_code)) {
	case 0x01:
		return "storage controller";
	case 0x02:
		return "NIC";
	case 0x03:
		return "GPU";
	case 0x04:
		return "audio device";
	case 0x06:
		return CLASS_SUB(class_code) == 0x0601 ? "ISA bridge" : "bridge";
	case 0x0c:
		return CLASS_SUB(class_code) == 0x0c03   ? "USB controller"
		       : CLASS_SUB(class_code) == 0x0c05 ? "SMBus controller"
		                                         : "serial bus controller";
	default:
		return "device";
	}
}

/* "0000:01:00.0" and "0000:01:00.1" are the same slot. */
static int
same_slot(const char *a, const char *b)
{
	const char *dot_a = strrchr(a, '.'), *dot_b = strrchr(b, '.');

	return dot_a != NULL && dot_b != NULL && dot_a - a == dot_b - b &&
	       strncmp(a, b, (size_t)(dot_a - a)) == 0;
}

/* Any ACPI table of an IOMMU, in sysfs or in the log (the IVRS firmware
 * bug lines quote the table, so it exists). */
static int
iommu_table_seen(const struct evidence *ev)
{
	const struct sysfs_facts *s = &ev->sys;
	const struct klog_facts *k = &ev->klog;

	return s->acpi_dmar == TRI_TRUE || s->acpi_ivrs == TRI_TRUE || s->acpi_iort == TRI_TRUE ||
	       k->acpi_dmar || k->acpi_ivrs || k->acpi_iort || k->drhd_units > 0 ||
	       k->ivrs_bugs > 0;
}

/* A log from boot lists every ACPI table the firmware handed over
 * (acpica/tbprint.c, at 0.0 s).  When that list is there and names no
 * DMAR, IVRS or IORT, the firmware offers no IOMMU: a "fail" from the log
 * alone, where a log without its boot part could only say "not seen".
 * "complete" only means a boot-time line is there (a grep excerpt may hold
 * a 0.000000 line), so the log must also run on into userspace (not a
 * filtered excerpt) and list the tables every firmware has (RSDP, XSDT or
 * RSDT, FACP): then the list is whole. */
static int
log_lists_no_iommu_table(const struct report *r, const struct evidence *ev)
{
	const struct klog_facts *k = &ev->klog;

	return k->boot_start && k->reached_userspace && !k->grep_excerpt &&
	       r->kernel_log.complete == TRI_TRUE && k->acpi_tables >= 3 && !iommu_table_seen(ev);
}

/* "intel" or "amd" from /proc/cpuinfo's vendor: Hygon's Dhyana is a Zen
 * licensee and takes every AMD path (SVM, AMD-Vi), NULL otherwise. */
static const char *
cpu_family(const struct report *r)
{
	const char *v = r->host.cpu.vendor;

	if (v == NULL)
		return NULL;
	if (strcmp(v, "intel") == 0)
		return "intel";
	if (strcmp(v, "amd") == 0 || strcmp(v, "hygon") == 0)
		return "amd";
	return NULL;
}

static const char *
vendor_of(const struct report *r, const struct evidence *ev)
{
	const struct sysfs_facts *s = &ev->sys;
	const struct klog_facts *k = &ev->klog;

	if (strcmp(s->iommu_kind, "dmar") == 0)
		return "intel";
	if (strcmp(s->iommu_kind, "ivhd") == 0)
		return "amd";
	if (strcmp(s->iommu_kind, "smmu") == 0)
		return "arm";
	if (s->acpi_dmar == TRI_TRUE || k->acpi_dmar || k->intel_lines || k->vtd_initialised)
		return "intel";
	if (s->acpi_ivrs == TRI_TRUE || k->acpi_ivrs || k->amd_lines || k->amd_initialised)
		return "amd";
	if (s->acpi_iort == TRI_TRUE || k->acpi_iort || k->arm_smmu)
		return "arm";
	if (k->amdv2_unavailable || k->agp_enable_in_bios)
		return "amd"; /* only AMD's drivers print these when nothing else is */
	/* no table and no line: "none" only when the evidence could show one */
	if (s->acpi_dmar == TRI_FALSE && s->acpi_ivrs == TRI_FALSE && s->acpi_iort == TRI_FALSE)
		return "none";
	if (k->boot_start && r->kernel_log.complete == TRI_TRUE)
		return "none";
	return "unknown";
}

/* Would this log show VT-d's or AMD-Vi's initialisation line had it been
 * printed?  Yes when it runs on into userspace, or when it is a filtered
 * excerpt (only IOMMU lines, as `dmesg | grep` gives) that reaches the
 * interrupt-remapping outcome printed just before.  A contiguous excerpt
 * that stops earlier says nothing either way. */
static int
log_covers_iommu_init(const struct klog_facts *k)
{
	int filtered = k->grep_excerpt || !k->other_seen;

	return k->reached_userspace || (filtered && k->ir_enabled != TRI_UNKNOWN);
}

static void
decide_enabled(const struct report *r, const struct evidence *ev, struct facts *f)
{
	const struct sysfs_facts *s = &ev->sys;
	const struct klog_facts *k = &ev->klog;
	int intel = strcmp(f->vendor, "intel") == 0;

	f->enabled = TRI_UNKNOWN;
	f->enabled_why =
	        ev->klog_read
	                ? "no sysfs, and the kernel log neither shows the IOMMU initialising nor reaches the point where it would"
	                : "no sysfs and no kernel log";
	if (strcmp(s->hypervisor_type, "xen") == 0) {
		f->enabled_why =
		        "Xen dom0: the hypervisor owns the IOMMU and sysfs shows no groups";
		return;
	}
	/* vfio's no-IOMMU mode makes groups of its own for devices no IOMMU
	 * covers: groups with no unit under it are not an IOMMU */
	if (s->ngroups > 0 && s->iommu_units == 0 && s->noiommu == TRI_TRUE) {
		f->enabled = TRI_FALSE;
		f->enabled_why = "sysfs: no IOMMU unit; the groups are vfio's no-IOMMU ones "
		                 "(enable_unsafe_noiommu_mode)";
		return;
	}
	if (s->ngroups > 0 || s->iommu_units > 0) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "sysfs: IOMMU units and groups present";
		return;
	}
	if (s->groups_dir == TRI_TRUE && s->ngroups == 0 && s->iommu_units <= 0) {
		f->enabled = TRI_FALSE;
		f->enabled_why =
		        "sysfs: /sys/kernel/iommu_groups is empty and /sys/class/iommu has no unit";
		return;
	}
	if (k->vtd_initialised) {
		f->enabled = TRI_TRUE;
		f->enabled_why =
		        "log: \"DMAR: Intel(R) Virtualization Technology for Directed I/O\"";
		return;
	}
	if (k->vtd_setup) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "log: VT-d built its domains (\"IOMMU: Setting identity map for "
		                 "device\", \"[drm] DMAR active\")";
		return;
	}
	if (k->amd_initialised) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "log: AMD-Vi initialised an IOMMU";
		return;
	}
	/* a log that holds the boot's IOMMU set-up: vfio's own groups are
	 * all there is (an excerpt says nothing of the host's other devices) */
	if (k->noiommu_taint > 0 && k->group_adds <= k->vfio_group_adds &&
	    log_covers_iommu_init(k)) {
		f->enabled = TRI_FALSE;
		f->enabled_why = "log: vfio made no-IOMMU groups (\"Adding kernel taint for "
		                 "vfio-noiommu group\"): no IOMMU covers those devices";
		return;
	}
	if (k->group_adds - (k->noiommu_taint > 0 ? k->vfio_group_adds : 0) > 0) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "log: devices were added to IOMMU groups";
		return;
	}
	if (k->rmrr_ineligible || k->vfio_no_ir || k->group_not_viable) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "log: vfio tried to attach a device to an IOMMU domain";
		return;
	}
	if (r->kernel_log.fault_total > 0) {
		f->enabled = TRI_TRUE;
		f->enabled_why = "log: DMA remapping faults imply translation is on";
		return;
	}
	if (log_lists_no_iommu_table(r, ev)) {
		f->enabled = TRI_FALSE;
		f->enabled_why =
		        "log: the boot-time ACPI table list has no DMAR, IVRS or IORT table";
		return;
	}
	if (intel && (k->acpi_dmar || k->drhd_units > 0) && log_covers_iommu_init(k)) {
		/* the boot-time table parse is in the log, but VT-d never said
		 * it initialised: firmware has it, the kernel left it off */
		f->enabled = TRI_FALSE;
		f->enabled_why =
		        k->dmar_on_echo
		                ? "log: DMAR table parsed and \"DMAR: IOMMU enabled\" echoed, but VT-d never initialised"
		                : "log: DMAR table parsed, but no \"DMAR: Intel(R) Virtualization Technology for Directed I/O\" line";
		return;
	}
	if (k->agp_enable_in_bios) {
		f->enabled = TRI_FALSE;
		f->enabled_why = "log: \"AGP: Please enable the IOMMU option in the BIOS setup\"";
		return;
	}
	if (k->amdv2_unavailable && r->kernel_log.complete != TRI_FALSE) {
		f->enabled = TRI_FALSE;
		f->enabled_why =
		        "log: the AMD IOMMUv2 module found no IOMMU and no AMD-Vi initialisation line was logged";
		return;
	}
	if (strcmp(f->vendor, "none") == 0) {
		f->enabled = TRI_FALSE;
		f->enabled_why = "no DMAR, IVRS or IORT table: the firmware offers no IOMMU";
		return;
	}
	if (k->boot_start && r->kernel_log.complete == TRI_TRUE && !k->dmar_on_echo) {
		f->enabled = TRI_FALSE;
		f->enabled_why = "log: complete boot log without any IOMMU initialisation line";
	}
}

/* arm64 has no interrupt remapping unit: vfio asks for isolated MSIs
 * instead, which a GICv3 ITS gives (its MSI domain is
 * IRQ_DOMAIN_FLAG_ISOLATED_MSI); GICv2m MSIs are not isolated. */
static void
decide_ir_arm(const struct evidence *ev, struct facts *f)
{
	if (ev->sys.its_msi == TRI_TRUE) {
		f->ir = TRI_TRUE;
		f->ir_why = "/proc/interrupts: ITS-MSI chips (GICv3 ITS)";
	} else if (ev->klog.gic_its > 0) {
		f->ir = TRI_TRUE;
		f->ir_why = "log: GICv3 ITS set up";
	} else if (ev->sys.its_msi == TRI_FALSE) {
		f->ir = TRI_FALSE;
		f->ir_why = "/proc/interrupts: no ITS-MSI chip (no GICv3 ITS)";
	} else {
		f->ir = TRI_UNKNOWN;
		f->ir_why = "no GICv3 ITS line in the log and no /proc/interrupts";
	}
}

static void
decide_ir(const struct report *r, const struct evidence *ev, struct facts *f)
{
	const struct klog_facts *k = &ev->klog;

	if (strcmp(f->vendor, "arm") == 0) {
		f->ir_name = "MSI isolation";
		decide_ir_arm(ev, f);
		return;
	}
	f->ir_name = "interrupt remapping";
	f->ir = TRI_UNKNOWN;
	f->ir_why = "no interrupt remapping line in the log and no /proc/interrupts";
	if (ev->sys.ir_chips != TRI_UNKNOWN) {
		f->ir = ev->sys.ir_chips;
		f->ir_why = ev->sys.ir_chips == TRI_TRUE
		                    ? "/proc/interrupts: IR-IO-APIC / IR-PCI-MSI chips"
		                    : "/proc/interrupts: no interrupt-remapping chip";
		return;
	}
	if (k->ir_enabled != TRI_UNKNOWN) {
		f->ir = k->ir_enabled;
		f->ir_why =
		        k->ir_enabled == TRI_TRUE
		                ? "log: interrupt remapping enabled (or an interrupt-remapping fault)"
		                : "log: the kernel disabled interrupt remapping";
		return;
	}
	/* on x86 the remapping units are described by DMAR / IVRS only */
	if (strcmp(f->vendor, "none") == 0 || log_lists_no_iommu_table(r, ev)) {
		f->ir = TRI_FALSE;
		f->ir_why = "no DMAR or IVRS table: no interrupt remapping either";
	}
}

/* The fix an operator needs when the IOMMU is off. */
static const char *
fix_for_disabled(const struct report *r, const struct evidence *ev, const char *vendor)
{
	const struct report_cmdline *c = &r->cmdline;
	const char *v;

	v = cmdline_get(c, "intel_iommu");
	/* "DMAR: IOMMU disabled" echoes intel_iommu=off when only the log says */
	if ((v != NULL && strncmp(v, "off", 3) == 0) || (v == NULL && ev->klog.dmar_off_echo))
		return "remove intel_iommu=off from the kernel command line";
	v = cmdline_get(c, "amd_iommu");
	if (v != NULL && strcmp(v, "off") == 0)
		return "remove amd_iommu=off from the kernel command line";
	v = cmdline_get(c, "iommu");
	if (v != NULL && strcmp(v, "off") == 0)
		return "remove iommu=off from the kernel command line";
	if (ev->cpu_hypervisor == 1 && strcmp(vendor, "none") == 0)
		return "a virtual machine without a virtual IOMMU: give the guest one (QEMU -device intel-iommu or virtio-iommu) for nested passthrough";
	if (ev->klog.noiommu_taint > 0 || ev->sys.noiommu == TRI_TRUE)
		return "vfio runs in no-IOMMU mode, with no DMA protection: give the host an IOMMU "
		       "(VT-d / AMD-Vi in the firmware setup; a virtual IOMMU for a guest), then "
		       "turn vfio.enable_unsafe_noiommu_mode off";
	if (strcmp(vendor, "intel") == 0) {
		if (ev->sys.acpi_dmar == TRI_TRUE || ev->klog.acpi_dmar || ev->klog.drhd_units > 0)
			return "add intel_iommu=on to the kernel command line";
		return "enable VT-d in the firmware setup";
	}
	if (strcmp(vendor, "amd") == 0) {
		/* the IOMMU is there (the table exists): the firmware's
		 * description of it is what is broken */
		if (ev->klog.ivrs_bugs > 0)
			return "the firmware's IVRS table is broken: update the firmware, or describe "
			       "the missing IOAPIC / HPET with ivrs_ioapic= / ivrs_hpet= on the "
			       "kernel command line";
		if (iommu_table_seen(ev))
			return "the IVRS table is there but AMD-Vi did not initialise: update the "
			       "firmware and read the AMD-Vi lines of the kernel log";
		return "enable the IOMMU (AMD-Vi) in the firmware setup, then check again";
	}
	if (strcmp(vendor, "none") == 0 || strcmp(vendor, "unknown") == 0) {
		v = cpu_family(r);
		if (v != NULL && strcmp(v, "intel") == 0)
			return "no IOMMU: enable VT-d in the firmware setup if the platform has it";
		if (v != NULL)
			return "no IOMMU: enable the IOMMU (AMD-Vi) in the firmware setup if the "
			       "platform has it";
	}
	if (strcmp(vendor, "none") == 0)
		return "no IOMMU: enable VT-d / AMD-Vi in the firmware setup if the platform has one";
	return "enable the IOMMU in the firmware setup";
}

/* VT-x / AMD-V switched off in the firmware: no KVM guest can run at all,
 * whatever the IOMMU says.  The fix naming the setting, from the log's
 * lines or a bare-metal cpuinfo; NULL when neither shows it. */
static const char *
fix_for_virt_off(const struct report *r, const struct evidence *ev)
{
	const struct klog_facts *k = &ev->klog;
	const char *fam = cpu_family(r);

	if (k->virt_off_vmx || (k->virt_off_kvm && fam != NULL && strcmp(fam, "intel") == 0))
		return "CPU virtualisation is off in the firmware: enable Intel Virtualization "
		       "Technology (VT-x) in the firmware setup";
	if (k->virt_off_svm || (k->virt_off_kvm && fam != NULL))
		return "CPU virtualisation is off in the firmware: enable SVM Mode (AMD-V) in the "
		       "firmware setup";
	if (k->virt_off_kvm)
		return "CPU virtualisation is off in the firmware: enable VT-x / AMD-V (SVM Mode) in "
		       "the firmware setup";
	/* bare metal (no "hypervisor" flag) without vmx / svm: nothing hides
	 * them; the firmware switched them off (feat_ctl.c and amd.c clear the
	 * flag then) or the CPU has none */
	if (fam != NULL && ev->cpu_hypervisor == 0 && r->host.cpu.virtualization == NULL)
		return strcmp(fam, "intel") == 0
		               ? "no vmx flag on bare metal: CPU virtualisation is off in the firmware (or "
		                 "the CPU has none): enable Intel Virtualization Technology (VT-x) in "
		                 "the firmware setup"
		               : "no svm flag on bare metal: CPU virtualisation is off in the firmware (or "
		                 "the CPU has none): enable SVM Mode (AMD-V) in the firmware setup";
	return NULL;
}

static const char *
fix_for_ir(const struct report *r, const struct evidence *ev, const struct facts *f)
{
	const char *v = cmdline_get(&r->cmdline, "intremap");

	if (strcmp(f->vendor, "arm") == 0)
		return "MSIs are not isolated (no GICv3 ITS: GICv2m or none): vfio refuses devices unless allow_unsafe_interrupts=1, which gives up interrupt isolation";
	if (v != NULL && strcmp(v, "off") == 0)
		return "interrupt remapping is off: remove intremap=off from the kernel command line";
	if (ev->klog.ivrs_bugs > 0)
		return "interrupt remapping disabled because of IVRS firmware bugs: update the BIOS (or describe the IOAPIC / HPET with ivrs_ioapic= / ivrs_hpet=)";
	if (r->kernel_log.firmware_bugs > 0)
		return "interrupt remapping disabled because of firmware bugs: update the BIOS";
	if (ev->sys.allow_unsafe_interrupts == TRI_TRUE)
		return "interrupt remapping is off: vfio only runs with allow_unsafe_interrupts (no interrupt isolation)";
	return "interrupt remapping is off: vfio refuses devices without it (firmware or chipset erratum)";
}

static enum check_status
status_of(enum tristate t, enum check_status when_false)
{
	return t == TRI_TRUE ? CHECK_PASS : t == TRI_FALSE ? when_false : CHECK_UNKNOWN;
}

/* The kernel already refused to assign a device: that outranks inference. */
static const char *
assignment_refusal(const struct klog_facts *k)
{
	if (k->rmrr_ineligible)
		return "the kernel refused a device assignment: firmware requires a 1:1 mapping (RMRR/IVMD); update the firmware or use another slot";
	if (k->vfio_no_ir)
		return "vfio refused a device: no interrupt remapping support";
	if (k->group_not_viable)
		return "vfio refused a group as not viable: a device of the group is bound to a host driver";
	return NULL;
}

/* A check decides one entry of r->checks from the facts: 0, or -1 on
 * allocation failure. */
struct host_check {
	const char *id;
	int (*fn)(struct report *r, const char *id, const struct evidence *ev,
	          const struct facts *f);
};

/* "yes", "no" or "?" for an evidence line. */
static const char *
tri_word(enum tristate t)
{
	return t == TRI_TRUE ? "yes" : t == TRI_FALSE ? "no" : "?";
}

/* cpu virtualisation: only tells the vendor; no flag is no proof */
static int
check_cpu_virtualization(struct report *r, const char *id, const struct evidence *ev,
                         const struct facts *f)
{
	const char *off = fix_for_virt_off(r, ev);

	(void)f;
	if (off != NULL)
		return check_add(r, id, CHECK_FAIL,
		                 ev->klog.virt_off_vmx || ev->klog.virt_off_svm ||
		                                 ev->klog.virt_off_kvm
		                         ? "log: \"VMX ... disabled by BIOS\" / \"SVM disabled (by "
		                           "BIOS)\" / \"kvm: disabled by bios\""
		                         : "/proc/cpuinfo flags: no vmx / svm, no hypervisor flag",
		                 "%s", off);
	if (r->host.cpu.virtualization != NULL)
		return check_add(r, id, CHECK_PASS, "/proc/cpuinfo flags",
		                 "CPU virtualisation %s present%s", r->host.cpu.virtualization,
		                 ev->cpu_hypervisor == 1 ? " (this is a virtual machine)" : "");
	if (r->host.cpu.vendor != NULL)
		return check_add(r, id, CHECK_WARN, "/proc/cpuinfo flags",
		                 "no vmx/svm flag: VT-x / AMD-V is off in the firmware or hidden%s",
		                 ev->cpu_hypervisor == 1 ? " (virtual machine)" : "");
	return check_add(r, id, CHECK_UNKNOWN, "", "/proc/cpuinfo not read");
}

static int
check_firmware_table(struct report *r, const char *id, const struct evidence *ev,
                     const struct facts *f)
{
	const struct sysfs_facts *s = &ev->sys;
	char ev_buf[512];
	enum tristate table;

	table = TRI_UNKNOWN;
	if (iommu_table_seen(ev))
		table = TRI_TRUE;
	else if (strcmp(f->vendor, "none") == 0 ||
	         (log_lists_no_iommu_table(r, ev) && f->enabled != TRI_TRUE))
		table = TRI_FALSE;
	snprintf(ev_buf, sizeof(ev_buf),
	         "sysfs DMAR %s, IVRS %s, IORT %s; log DMAR %s, IVRS %s, IORT %s (%d ACPI table "
	         "lines%s)",
	         tri_word(s->acpi_dmar), tri_word(s->acpi_ivrs), tri_word(s->acpi_iort),
	         ev->klog.acpi_dmar || ev->klog.drhd_units ? "yes" : "no",
	         ev->klog.acpi_ivrs || ev->klog.ivrs_bugs ? "yes" : "no",
	         ev->klog.acpi_iort ? "yes" : "no", ev->klog.acpi_tables,
	         log_lists_no_iommu_table(r, ev) ? " from boot" : "");
	return check_add(r, id, status_of(table, CHECK_FAIL), ev_buf,
	                 table == TRI_TRUE
	                         ? "the firmware describes an IOMMU (ACPI DMAR / IVRS / IORT)"
	                 : table == TRI_FALSE
	                         ? "no ACPI DMAR, IVRS or IORT table: the firmware offers no IOMMU"
	                         : "firmware table not seen");
}

static int
check_iommu_active(struct report *r, const char *id, const struct evidence *ev,
                   const struct facts *f)
{
	(void)ev;
	return check_add(r, id, status_of(f->enabled, CHECK_FAIL), f->enabled_why,
	                 f->enabled == TRI_TRUE    ? "DMA remapping is on (%s)"
	                 : f->enabled == TRI_FALSE ? "DMA remapping is off (%s)"
	                                           : "IOMMU state unknown (%s)",
	                 f->vendor);
}

static int
check_interrupt_remapping(struct report *r, const char *id, const struct evidence *ev,
                          const struct facts *f)
{
	const char *mode = r->iommu.interrupt_remapping.mode;

	(void)ev;
	if (strcmp(f->vendor, "arm") == 0)
		return check_add(
		        r, id, status_of(f->ir, CHECK_FAIL), f->ir_why, "%s",
		        f->ir == TRI_TRUE ? "MSIs are isolated by the GICv3 ITS (arm64)"
		        : f->ir == TRI_FALSE
		                ? "MSIs are not isolated (no GICv3 ITS): vfio refuses devices"
		                : "MSI isolation unknown (arm64: needs a GICv3 ITS)");
	return check_add(r, id, status_of(f->ir, CHECK_FAIL), f->ir_why,
	                 f->ir == TRI_TRUE ? "interrupt remapping is on%s%s"
	                 : f->ir == TRI_FALSE
	                         ? "interrupt remapping is off: vfio refuses devices%s%s"
	                         : "interrupt remapping state unknown%s%s",
	                 mode ? ", mode " : "", mode ? mode : "");
}

static int
check_x2apic(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	(void)ev;
	(void)f;
	if (r->iommu.interrupt_remapping.x2apic_optout == TRI_TRUE)
		return check_add(
		        r, id, CHECK_WARN,
		        "DMAR-IR: x2apic is disabled because BIOS sets x2apic opt out bit",
		        "the BIOS opts out of x2APIC: interrupt remapping runs in xapic mode (fewer CPUs and vectors); intremap=no_x2apic_optout overrides");
	if (r->iommu.interrupt_remapping.mode != NULL)
		return check_add(r, id, CHECK_PASS, "log: DMAR-IR mode",
		                 "interrupt remapping in %s mode",
		                 r->iommu.interrupt_remapping.mode);
	return check_add(r, id, CHECK_UNKNOWN, "", "x2APIC mode not logged");
}

static int
check_default_domain(struct report *r, const char *id, const struct evidence *ev,
                     const struct facts *f)
{
	const char *dom = r->iommu.default_domain, *iommu = cmdline_get(&r->cmdline, "iommu");

	/* amd/init.c iommu_snp_enable() prints one line for both causes: the
	 * command line tells which one to undo */
	if (ev->klog.snp_no_iommu)
		return check_add(
		        r, id, CHECK_WARN,
		        "log: \"AMD-Vi: SNP: IOMMU disabled or configured in passthrough mode, SNP "
		        "cannot be supported\"",
		        "the kernel turned SEV-SNP off (it needs the IOMMU translating): SNP guests "
		        "cannot run; %s",
		        iommu != NULL && strcmp(iommu, "pt") == 0 ? "remove iommu=pt to run them"
		        : iommu != NULL && strcmp(iommu, "off") == 0
		                ? "remove iommu=off to run them"
		                : "the IOMMU must be on and translating (no iommu=pt, no iommu=off)");
	if (dom == NULL)
		return check_add(r, id, CHECK_UNKNOWN, "", "default domain type unknown");
	/* the kernel logs its default type with or without an IOMMU */
	if (f->enabled == TRI_FALSE)
		return check_add(r, id, CHECK_UNKNOWN, "\"iommu: Default domain type\"",
		                 "default domain %s, but no IOMMU is on: it applies to nothing yet",
		                 dom);
	return check_add(
	        r, id, strcmp(dom, "blocked") == 0 ? CHECK_WARN : CHECK_PASS,
	        "sysfs group type or \"iommu: Default domain type\"",
	        strcmp(dom, "passthrough") == 0
	                ? "default domain passthrough (iommu=pt): host devices bypass translation; vfio still isolates assigned devices"
	                : "default domain %s",
	        dom);
}

static int
check_cmdline(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	(void)f;
	if (r->cmdline.raw == NULL && ev->klog.amd_unknown_option)
		return check_add(
		        r, id, CHECK_WARN, "log: \"AMD-Vi: Unknown option\"",
		        "amd_iommu=on is not an option: the kernel ignored it (AMD-Vi is on by default)");
	if (r->cmdline.raw == NULL)
		return check_add(r, id, CHECK_UNKNOWN, "", "/proc/cmdline not read");
	if (r->cmdline.warnings.n > 0)
		return check_add(r, id, CHECK_WARN, r->cmdline.raw, "%s", r->cmdline.warnings.v[0]);
	return check_add(r, id, CHECK_PASS, r->cmdline.raw, "no misleading IOMMU parameter");
}

/* Only there when the kernel refused an assignment. */
static int
check_assignment(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	const char *refusal = assignment_refusal(&ev->klog);

	(void)f;
	if (refusal == NULL)
		return 0;
	return check_add(r, id, CHECK_FAIL, "kernel log", "%s", refusal);
}

/* Only there when the override is in use. */
static int
check_acs_override(struct report *r, const char *id, const struct evidence *ev,
                   const struct facts *f)
{
	(void)f;
	if (!ev->klog.acs_override && cmdline_get(&r->cmdline, "pcie_acs_override") == NULL)
		return 0;
	return check_add(r, id, CHECK_WARN, "pcie_acs_override / \"PCIe ACS overrides enabled\"",
	                 "ACS override in use: IOMMU groups do not reflect real isolation");
}

/* The log shows vfio driving a device in no-IOMMU mode in this boot. */
static const char noiommu_in_use[] =
        "vfio drives a device in no-IOMMU mode, with no DMA protection (log: "
        "\"vfio-noiommu\"): give the host an IOMMU, then turn "
        "vfio.enable_unsafe_noiommu_mode off";

static int
check_vfio(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	const struct sysfs_facts *s = &ev->sys;

	if (ev->klog.noiommu_taint > 0)
		return check_add(r, id, CHECK_FAIL, "log: \"vfio-noiommu\" lines", "%s",
		                 noiommu_in_use);

	/* the parameter only matters where vfio would otherwise refuse: with
	 * interrupt remapping (MSI isolation) on, it changes nothing */
	if (s->vfio_pci == TRI_TRUE)
		return check_add(
		        r, id, s->allow_unsafe_interrupts == TRI_TRUE ? CHECK_WARN : CHECK_PASS,
		        "/sys/module/vfio_pci",
		        s->allow_unsafe_interrupts != TRI_TRUE ? "vfio-pci loaded"
		        : f->ir == TRI_TRUE
		                ? "vfio-pci loaded with allow_unsafe_interrupts=Y: unused while %s is on, "
		                  "but a host that loses it would assign devices without isolation"
		                : "vfio-pci loaded with allow_unsafe_interrupts=Y: devices are assigned "
		                  "without interrupt isolation",
		        f->ir_name);
	if (s->vfio_pci == TRI_FALSE)
		return check_add(
		        r, id, CHECK_WARN, "/sys/module/vfio_pci absent",
		        "vfio-pci not loaded (modprobe vfio-pci before assigning a device)");
	return check_add(r, id, CHECK_UNKNOWN, "", "vfio modules not seen");
}

/* Was any kernel log read?  The last three checks need one. */
static int
kernel_log_read(const struct report *r)
{
	return r->kernel_log.source != NULL && strcmp(r->kernel_log.source, "none") != 0;
}

static int
check_kernel_log(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	const struct report_kernel_log *kl = &r->kernel_log;

	(void)ev;
	(void)f;
	if (!kernel_log_read(r))
		return check_add(r, id, CHECK_UNKNOWN, "", "no kernel log could be read");
	return check_add(
	        r, id,
	        kl->complete == TRI_TRUE    ? CHECK_PASS
	        : kl->complete == TRI_FALSE ? CHECK_WARN
	                                    : CHECK_UNKNOWN,
	        kl->source,
	        kl->complete == TRI_TRUE ? "kernel log from %s is complete since boot"
	        : kl->complete == TRI_FALSE
	                ? "kernel log from %s lost its boot part (ring buffer wrapped): boot-time checks may say unknown"
	                : "kernel log from %s: cannot tell whether the boot part is present",
	        kl->source);
}

static int
check_firmware_bugs(struct report *r, const char *id, const struct evidence *ev,
                    const struct facts *f)
{
	const struct report_kernel_log *kl = &r->kernel_log;

	(void)ev;
	(void)f;
	if (!kernel_log_read(r))
		return check_add(r, id, CHECK_UNKNOWN, "", "no kernel log");
	return check_add(r, id, kl->firmware_bugs > 0 ? CHECK_WARN : CHECK_PASS,
	                 "\"[Firmware Bug]\" lines about DMAR / IVRS / AMD-Vi",
	                 "%lu IOMMU firmware bug line(s)", kl->firmware_bugs);
}

static int
check_dma_faults(struct report *r, const char *id, const struct evidence *ev, const struct facts *f)
{
	const struct report_kernel_log *kl = &r->kernel_log;
	char ev_buf[512];
	size_t i;

	(void)ev;
	(void)f;
	if (!kernel_log_read(r))
		return check_add(r, id, CHECK_UNKNOWN, "", "no kernel log");
	ev_buf[0] = '\0';
	for (i = 0; i < kl->nfaults && strlen(ev_buf) < sizeof(ev_buf) - 64; i++)
		snprintf(ev_buf + strlen(ev_buf), sizeof(ev_buf) - strlen(ev_buf), "%s%s %s x%lu",
		         i ? ", " : "", kl->faults[i].address, kl->faults[i].kind,
		         kl->faults[i].count);
	return check_add(
	        r, id, kl->fault_total > 0 ? CHECK_WARN : CHECK_PASS, ev_buf,
	        "%lu DMA remapping fault record(s) since boot (a lower bound: printk is rate limited)",
	        kl->fault_total);
}

/* Every PCI device read, or a bound hit: then the per-device conclusions
 * are about part of the host, and say so. */
static int
check_device_inventory(struct report *r, const char *id, const struct evidence *ev,
                       const struct facts *f)
{
	(void)f;
	if (ev->sys.bound_hit)
		return check_add(r, id, CHECK_UNKNOWN, "sys/bus/pci/devices",
		                 "more PCI devices or IOMMU groups than a report holds: the rest "
		                 "were not read (see errors)");
	if (ev->sys.present != TRI_TRUE)
		return check_add(r, id, CHECK_UNKNOWN, "", "sysfs not read");
	return check_add(r, id, CHECK_PASS, "sys/bus/pci/devices",
	                 "every PCI device read (%zu IOMMU groups)", r->iommu.ngroups);
}

/* The host's checks, in the order the report lists them. */
static const struct host_check host_checks[] = {
        {"cpu-virtualization", check_cpu_virtualization},
        {"firmware-table", check_firmware_table},
        {"iommu-active", check_iommu_active},
        {"interrupt-remapping", check_interrupt_remapping},
        {"x2apic", check_x2apic},
        {"default-domain", check_default_domain},
        {"cmdline", check_cmdline},
        {"assignment", check_assignment},
        {"acs-override", check_acs_override},
        {"vfio", check_vfio},
        {"kernel-log", check_kernel_log},
        {"firmware-bugs", check_firmware_bugs},
        {"dma-faults", check_dma_faults},
        {"device-inventory", check_device_inventory},
};

static int
host_checks_add(struct report *r, const struct evidence *ev, const struct facts *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(host_checks) / sizeof(host_checks[0]); i++)
		rc |= host_checks[i].fn(r, host_checks[i].id, ev, f);
	return rc;
}

/* Isolation and verdict of one grouped device. */
static int
device_verdict(const struct report_group *g, struct report_device *d, const struct facts *f)
{
	char foreign[384] = "";
	size_t i, nforeign = 0;
	int unknown_member = 0, rc = 0;

	for (i = 0; i < g->ndevices; i++) {
		const struct report_device *m = &g->devices[i];

		if (m == d || same_slot(m->address, d->address) ||
		    pci_class_is_bridge(m->class_code))
			continue;
		if (m->class_code < 0)
			unknown_member = 1;
		if (nforeign++ < 4)
			snprintf(foreign + strlen(foreign), sizeof(foreign) - strlen(foreign),
			         "%s%s (%s)", nforeign > 1 ? ", " : "", m->address,
			         device_role(m->class_code));
	}
	d->isolated = nforeign == 0                     ? TRI_TRUE
	              : unknown_member && nforeign == 1 ? TRI_UNKNOWN
	                                                : TRI_FALSE;
	if (nforeign > 4)
		snprintf(foreign + strlen(foreign), sizeof(foreign) - strlen(foreign),
		         " and %zu more", nforeign - 4);

	d->verdict = VERDICT_READY;
	if (pci_class_is_bridge(d->class_code)) {
		d->verdict = VERDICT_NOT_READY;
		rc |= strlist_add(&d->reasons, "a bridge is not assigned to guests");
		return rc;
	}
	if (d->isolated == TRI_FALSE) {
		d->verdict = VERDICT_NOT_READY;
		rc |= strlist_addf(&d->reasons, "shares group %d with %s", g->id, foreign);
	} else if (d->isolated == TRI_UNKNOWN) {
		d->verdict = VERDICT_UNKNOWN;
		rc |= strlist_addf(&d->reasons, "group %d holds %s of unknown class", g->id,
		                   foreign);
	}
	for (i = 0; i < g->nregions; i++) {
		if (g->regions[i].type != NULL && strcmp(g->regions[i].type, "direct") == 0) {
			d->verdict = VERDICT_NOT_READY;
			rc |= strlist_addf(
			        &d->reasons,
			        "firmware requires a 1:1 mapping (RMRR/IVMD 0x%llx-0x%llx): vfio rejects the device",
			        (unsigned long long)g->regions[i].start,
			        (unsigned long long)g->regions[i].end);
			break;
		}
	}
	if (f->ir == TRI_FALSE) {
		d->verdict = VERDICT_NOT_READY;
		rc |= strlist_addf(&d->reasons, "%s is off on this host", f->ir_name);
	} else if (f->ir == TRI_UNKNOWN && d->verdict == VERDICT_READY) {
		d->verdict = VERDICT_UNKNOWN;
		rc |= strlist_addf(&d->reasons, "%s state unknown", f->ir_name);
	}
	if (d->resettable == TRI_FALSE)
		rc |= strlist_add(
		        &d->reasons,
		        "no reset method reported: the device may not reset between guests");
	else if (d->resettable != TRI_TRUE)
		rc |= strlist_add(&d->reasons,
		                  "reset method unknown: the device may not reset between guests");
	if (d->driver != NULL && strcmp(d->driver, "vfio-pci") == 0)
		rc |= strlist_add(&d->reasons, "bound to vfio-pci");
	return rc;
}

/* The first device an operator would want to pass through that cannot be. */
static const struct report_device *
blocked_candidate(const struct report *r, const struct report_group **group)
{
	size_t i, j;

	for (i = 0; i < r->iommu.ngroups; i++) {
		for (j = 0; j < r->iommu.groups[i].ndevices; j++) {
			const struct report_device *d = &r->iommu.groups[i].devices[j];
			int candidate = (d->class_code >= 0 && CLASS_BASE(d->class_code) == 0x03 &&
			                 d->boot_vga != TRI_TRUE) ||
			                (d->driver != NULL && strcmp(d->driver, "vfio-pci") == 0);

			if (candidate && d->verdict == VERDICT_NOT_READY) {
				*group = &r->iommu.groups[i];
				return d;
			}
		}
	}
	return NULL;
}

static int set_reasonf(struct report *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int
set_reasonf(struct report *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return set_str(&r->reason, buf);
}

/* r->iommu's summary fields from the facts and the evidence. */
static int
iommu_summary(struct report_iommu *io, const struct evidence *ev, const struct facts *f)
{
	int rc = 0;

	rc |= set_str(&io->vendor, f->vendor);
	io->enabled = f->enabled;
	io->interrupt_remapping.enabled = f->ir;
	if (ev->klog.ir_mode[0] != '\0' && f->ir != TRI_FALSE)
		rc |= set_str(&io->interrupt_remapping.mode, ev->klog.ir_mode);
	io->interrupt_remapping.x2apic_optout = ev->klog.x2apic_optout;
	if (io->interrupt_remapping.x2apic_optout == TRI_UNKNOWN && ev->sys.dmar_flags >= 0)
		io->interrupt_remapping.x2apic_optout =
		        (ev->sys.dmar_flags & 2) ? TRI_TRUE : TRI_FALSE;
	if (ev->sys.iommu_units >= 0 && ev->sys.present == TRI_TRUE)
		io->units = ev->sys.iommu_units;
	else if (ev->klog.drhd_units > 0)
		io->units = ev->klog.drhd_units;
	else if (ev->klog.amd_found > 0)
		io->units = ev->klog.amd_found;
	return rc;
}

/* default domain: the groups' type files outrank the boot message */
static int
decide_default_domain(struct report_iommu *io, const struct evidence *ev, const struct facts *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < io->ngroups && io->default_domain == NULL; i++) {
		const char *t = io->groups[i].type;

		if (t == NULL)
			continue;
		if (strncmp(t, "DMA", 3) == 0)
			rc |= set_str(&io->default_domain, "translated");
		else if (strcmp(t, "identity") == 0)
			rc |= set_str(&io->default_domain, "passthrough");
		else if (strcmp(t, "blocked") == 0)
			rc |= set_str(&io->default_domain, "blocked");
	}
	/* the boot message is a fact whatever else the log shows */
	(void)f;
	if (io->default_domain == NULL && ev->klog.default_domain[0] != '\0')
		rc |= set_str(&io->default_domain, ev->klog.default_domain);
	return rc;
}

/* Every device's verdict; *ndev and *nready count the grouped ones. */
static int
device_verdicts(struct report_iommu *io, const struct facts *f, size_t *ndev, size_t *nready)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < io->ngroups; i++) {
		for (j = 0; j < io->groups[i].ndevices; j++) {
			rc |= device_verdict(&io->groups[i], &io->groups[i].devices[j], f);
			(*ndev)++;
			*nready += io->groups[i].devices[j].verdict == VERDICT_READY;
		}
	}
	for (i = 0; i < io->nungrouped; i++) {
		io->ungrouped[i].verdict = VERDICT_NOT_READY;
		io->ungrouped[i].isolated = TRI_FALSE;
		rc |= strlist_add(&io->ungrouped[i].reasons,
		                  f->enabled == TRI_TRUE ? "in no IOMMU group"
		                                         : "in no IOMMU group: the IOMMU is off");
	}
	return rc;
}

/* r->verdict and r->reason: the first of these that holds decides. */
static int
host_verdict(struct report *r, const struct evidence *ev, const struct facts *f, size_t ndev,
             size_t nready)
{
	const struct report_group *bg = NULL;
	const struct report_device *blocked = blocked_candidate(r, &bg);
	const char *refusal = assignment_refusal(&ev->klog);
	const char *virt_off = fix_for_virt_off(r, ev);

	if (virt_off != NULL) {
		r->verdict = VERDICT_NOT_READY;
		return set_str(&r->reason, virt_off);
	}
	if (f->enabled == TRI_FALSE) {
		r->verdict = VERDICT_NOT_READY;
		return set_str(&r->reason, fix_for_disabled(r, ev, f->vendor));
	}
	if (f->ir == TRI_FALSE) {
		r->verdict = VERDICT_NOT_READY;
		return set_str(&r->reason, fix_for_ir(r, ev, f));
	}
	if (refusal != NULL) {
		r->verdict = VERDICT_NOT_READY;
		return set_str(&r->reason, refusal);
	}
	if (ev->klog.noiommu_taint > 0) {
		r->verdict = VERDICT_NOT_READY;
		return set_str(&r->reason, noiommu_in_use);
	}
	if (f->enabled == TRI_UNKNOWN) {
		r->verdict = VERDICT_UNKNOWN;
		return set_reasonf(r, "IOMMU state unknown: %s", f->enabled_why);
	}
	if (blocked != NULL) {
		r->verdict = VERDICT_NOT_READY;
		return set_reasonf(r, "%s %s: %s", device_role(blocked->class_code),
		                   blocked->address,
		                   blocked->reasons.n ? blocked->reasons.v[0] : "not ready");
	}
	if (f->ir == TRI_UNKNOWN) {
		r->verdict = VERDICT_UNKNOWN;
		return set_reasonf(r, "IOMMU on, but %s state unknown (vfio needs it)", f->ir_name);
	}
	if (ev->sys.bound_hit) {
		r->verdict = VERDICT_UNKNOWN;
		return set_str(&r->reason,
		               "more PCI devices than a report holds: not all were read");
	}
	r->verdict = VERDICT_READY;
	if (ndev > 0)
		return set_reasonf(r, "IOMMU on, %s on; %zu of %zu devices ready", f->ir_name,
		                   nready, ndev);
	return set_reasonf(r, "IOMMU on, %s on", f->ir_name);
}

int
analyse(struct report *r, const struct evidence *ev)
{
	struct facts f;
	size_t ndev = 0, nready = 0;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	f.vendor = vendor_of(r, ev);
	decide_enabled(r, ev, &f);
	decide_ir(r, ev, &f);

	rc |= iommu_summary(&r->iommu, ev, &f);
	rc |= decide_default_domain(&r->iommu, ev, &f);
	rc |= device_verdicts(&r->iommu, &f, &ndev, &nready);
	rc |= preflight(r, ev, f.ir);
	rc |= host_checks_add(r, ev, &f);
	rc |= host_verdict(r, ev, &f, ndev, nready);
	return rc ? -1 : 0;
}
