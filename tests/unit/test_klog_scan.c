/*
 * test_klog_scan.c - the kernel log scanner: every fault era, the facts,
 * continuation lines, caps, hostile bytes, and every real klog-* fixture
 * case under tests/fixtures (reads those files: test I/O only).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>

#include "agent/klog.h"
#include "common/readall.h"

struct result {
	struct report_kernel_log kl;
	struct klog_facts f;
};

static void
result_free(struct result *r)
{
	size_t i;

	for (i = 0; i < r->kl.nlines; i++)
		free(r->kl.lines[i].text);
	free(r->kl.lines);
	for (i = 0; i < r->kl.nfaults; i++) {
		free(r->kl.faults[i].kind);
		free(r->kl.faults[i].reason);
	}
	free(r->kl.faults);
	free(r);
}

/* text scanned, every line parsed when slow is set (no fast path). */
static struct result *
scan_with(const char *text, size_t len, size_t max_lines, int slow)
{
	struct klog_scan *s;
	struct result *r;

	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	s = klog_scan_new(max_lines);
	assert_non_null(s);
	if (slow)
		klog_scan_slow_only(s);
	assert_int_equal(klog_scan_text(s, text, len), 0);
	assert_int_equal(klog_scan_finish(s, &r->kl, &r->f), 0);
	klog_scan_free(s);
	return r;
}

static struct result *
scan_n(const char *text, size_t len, size_t max_lines)
{
	return scan_with(text, len, max_lines, 0);
}

static struct result *
scan(const char *text)
{
	return scan_n(text, strlen(text), 1000);
}

static struct result *
scan_file(const char *name)
{
	char path[512], *buf;
	struct result *r;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/kernel.log", FIXTURES_DIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	buf = malloc(4 << 20);
	assert_non_null(buf);
	n = fread(buf, 1, 4 << 20, fp);
	fclose(fp);
	r = scan_n(buf, n, 5000);
	free(buf);
	return r;
}

/* The fault with this address and kind, NULL when none. */
static const struct report_fault *
fault(const struct result *r, const char *addr, const char *kind)
{
	size_t i;

	for (i = 0; i < r->kl.nfaults; i++)
		if (strcmp(r->kl.faults[i].address, addr) == 0 &&
		    (kind == NULL || strcmp(r->kl.faults[i].kind, kind) == 0))
			return &r->kl.faults[i];
	return NULL;
}

static unsigned long
count(const struct result *r, const char *addr, const char *kind)
{
	const struct report_fault *f = fault(r, addr, kind);

	return f == NULL ? 0 : f->count;
}

static void
test_intel_eras(void **state)
{
	struct result *r;

	(void)state;
	/* <= 4.15: two lines, one record, decimal reason on the second */
	r = scan("[ 1.0] DMAR:[DMA Read] Request device [01:00.1] fault addr 2231b8000 \n"
	         "DMAR:[fault reason 12] non-zero reserved fields in PTE\n"
	         "[ 1.1] dmar: DRHD: handling fault status reg 2\n");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(r->kl.nfaults, 1);
	assert_int_equal(count(r, "0000:01:00.1", "dma-read"), 1);
	assert_string_equal(r->kl.faults[0].reason, "non-zero reserved fields in PTE");
	result_free(r);

	/* 4.16-5.4 */
	r = scan("[ 2.0] DMAR: [DMA Write] Request device [00:02.0] fault addr 6df084000 "
	         "[fault reason 05] PTE Write access is not set\n");
	assert_int_equal(count(r, "0000:00:02.0", "dma-write"), 1);
	assert_string_equal(r->kl.faults[0].reason, "PTE Write access is not set");
	result_free(r);

	/* 5.5-5.13, 5.14 (0x BDF, hex reason), 5.15+ NO_PASID and PASID */
	r = scan(
	        "DMAR: [DMA Write] Request device [00:12.0] PASID ffffffff fault addr 0 "
	        "[fault reason 05] PTE Write access is not set\n"
	        "DMAR: [DMA Read NO_PASID] Request device [0x0b:0x00.0] fault addr 0x1187a9000 "
	        "[fault reason 0x06] PTE Read access is not set\n"
	        "DMAR: [DMA Read NO_PASID] Request device [0b:00.0] fault addr 0x1187a9000 "
	        "[fault reason 0x06] PTE Read access is not set\n"
	        "DMAR: [DMA Write PASID 0x3] Request device [0000:6a:01.0] fault addr 0x7 "
	        "[fault reason 0x3a] SM: x\n"
	        "DMAR: [DMA Read] Request device [10000:01:00.0] fault addr 0 "
	        "[fault reason 06] PTE Read access is not set\n"
	        "DMAR: [Page Request] Request device [00:04.0] fault addr 0 [fault reason 0x01] r\n"
	        "dmar_fault: 893 callbacks suppressed\n");
	assert_int_equal(r->kl.fault_total, 6);
	assert_int_equal(count(r, "0000:00:12.0", "dma-write"), 1);
	assert_int_equal(count(r, "0000:0b:00.0", "dma-read"), 2);
	assert_int_equal(count(r, "0000:6a:01.0", "dma-write"), 1);
	assert_int_equal(count(r, "10000:01:00.0", "dma-read"), 1);
	assert_int_equal(count(r, "0000:00:04.0", "dma-page-request"), 1);
	result_free(r);

	/* a pending two-line record is closed by the next record or the end */
	r = scan("DMAR:[DMA Read] Request device [01:00.0] fault addr 1\n"
	         "DMAR:[DMA Write] Request device [01:00.0] fault addr 2\n");
	assert_int_equal(r->kl.fault_total, 2);
	assert_int_equal(count(r, "0000:01:00.0", "dma-read"), 1);
	assert_null(fault(r, "0000:01:00.0", "dma-write")->reason);
	result_free(r);

	/* an unparsable device still counts, under "unknown" */
	r = scan("DMAR: [DMA Read] Request device [  :  :  .  ] fault addr\n");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(count(r, "unknown", "dma-read"), 1);
	result_free(r);
}

static void
test_intr_remap(void **state)
{
	struct result *r;

	(void)state;
	r = scan("DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x0 "
	         "[fault reason 0x25] Blocked a compatibility format interrupt request\n"
	         "INTR-REMAP: Request device [[f0:1f.0] fault index 22\n"
	         "INTR-REMAP:[fault reason 34] Present field in the IRTE entry is clear\n");
	assert_int_equal(r->kl.fault_total, 2);
	assert_int_equal(r->kl.nfaults, 2);
	assert_int_equal(count(r, "0000:f0:1f.0", "intr-remap"), 1);
	assert_string_equal(r->kl.faults[1].reason, "Present field in the IRTE entry is clear");
	result_free(r);
}

static void
test_amd_events(void **state)
{
	struct result *r;

	(void)state;
	r = scan("AMD-Vi: Event logged [IO_PAGE_FAULT device=01:00.0 domain=0x0012 "
	         "address=0x00000000bea106c0 flags=0x0010]\n"
	         "amdgpu 0000:04:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0000 "
	         "address=0x10b4c0000 flags=0x0070]\n"
	         "AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:04:00.0 domain=0x0000 "
	         "address=0x10b4c0000 flags=0x0070]\n"
	         "AMD-Vi: Event logged [ILLEGAL_DEV_TABLE_ENTRY device=00:14.0 pasid=0x00000 "
	         "address=0x0 flags=0x0000]\n"
	         "AMD-Vi: Event logged [IO_PAGE_FAULT device=0001:04:00.0 domain=0x0000 "
	         "address=0x1 flags=0x0070]\n"
	         "AMD-Vi: Event logged [COMMAND_HARDWARE_ERROR address=0x0 flags=0x0]\n"
	         "amd_iommu_report_page_fault: 96 callbacks suppressed\n");
	assert_int_equal(r->kl.fault_total, 6);
	assert_int_equal(count(r, "0000:01:00.0", "io-page-fault"), 1);
	assert_int_equal(count(r, "0000:04:00.0", "io-page-fault"), 2);
	assert_string_equal(fault(r, "0000:04:00.0", NULL)->reason, "flags=0x0070");
	assert_int_equal(count(r, "0000:00:14.0", "illegal-dev-table-entry"), 1);
	assert_int_equal(count(r, "0001:04:00.0", "io-page-fault"), 1);
	assert_int_equal(count(r, "unknown", "command-hardware-error"), 1);
	result_free(r);

	/* the event split over two lines (pr_cont lost) */
	r = scan("kernel: [ 13.1] AMD-Vi: Event logged [\n"
	         "kernel: [ 13.2] INVALID_DEVICE_REQUEST device=00:00.1 address=0x0 flags=0x0a00]\n"
	         "kernel: [ 13.3] AMD-Vi: Event logged [\n"
	         "kernel: [ 13.4] something else\n");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(count(r, "0000:00:00.1", "invalid-device-request"), 1);
	result_free(r);

	/* amd_iommu_dump lines carry device ids but are not faults */
	r = scan("[ 0.29] AMD-Vi:   DEV_SELECT                      devid: 00:02.0 flags: 00\n"
	         "[ 0.29] AMD-Vi:   DEV_SPECIAL(IOAPIC[0])         devid: 00:14.0\n");
	assert_int_equal(r->kl.fault_total, 0);
	assert_int_equal(r->f.amd_lines, 2);
	result_free(r);
}

static void
test_firmware_bugs(void **state)
{
	struct result *r;

	(void)state;
	r = scan("DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR "
	         "[0x00000000bf458000-0x00000000bf46ffff], contact BIOS vendor for fixes\n"
	         "[Firmware Bug]: AMD-Vi: IOAPIC[7] not in IVRS table\n"
	         "AMD-Vi: [Firmware Bug]: : IOAPIC[9] not in IVRS table\n"
	         "[Firmware Bug]: AMD-Vi: No southbridge IOAPIC found\n"
	         "ACPI: [Firmware Bug]: BIOS _OSI(Linux) query ignored\n"
	         "pci 0000:03:00.0: [Firmware Bug]: disabling VPD access\n"
	         "[Firmware Bug]: TSC_DEADLINE disabled due to Errata\n");
	assert_int_equal(r->kl.firmware_bugs, 4);
	assert_int_equal(r->kl.nlines, 4);
	result_free(r);
}

static void
test_facts(void **state)
{
	struct result *r;

	(void)state;
	r = scan("[ 0.01] ACPI: DMAR 0x00000000BD3346F4 000130 (v01 DELL)\n"
	         "[ 0.02] DMAR: IOMMU enabled\n"
	         "[ 0.7] DMAR: dmar0: reg_base_addr d4800000 ver 1:0 cap d2 ecap f0\n"
	         "[ 0.7] DMAR: dmar1: reg_base_addr df900000 ver 1:0 cap d2 ecap f0\n"
	         "[ 0.8] DMAR-IR: Enabled IRQ remapping in x2apic mode\n"
	         "[ 0.9] iommu: Default domain type: Passthrough (set via kernel command line)\n"
	         "[ 1.0] pci 0000:00:00.0: Adding to iommu group 0\n"
	         "[ 1.0] iommu: Adding device 0000:00:1f.2 to group 20\n"
	         "[ 1.1] PCI-DMA: Intel(R) Virtualization Technology for Directed I/O\n"
	         "[ 2.0] vfio_iommu_type1_attach_group: No interrupt remapping support.  Use x\n"
	         "[ 2.1] vfio-pci 0000:04:00.1: DMAR: Device is ineligible for IOMMU domain attach "
	         "due to platform RMRR requirement.  Contact your platform vendor.\n"
	         "[ 2.2] Warning: PCIe ACS overrides enabled; This may allow non-IOMMU protected\n"
	         "[ 2.3] vfio 0000:c6:00.0: group 10 is not viable\n"
	         "[ 2.4] AMD-Vi: AMD IOMMUv2 functionality not available on this system\n"
	         "[ 2.5] AMD-Vi: AMD IOMMUv2 driver by Joerg Roedel <jroedel@suse.de>\n"
	         "[ 2.6] pci 0000:2d:00.0: Using iommu direct mapping\n");
	assert_int_equal(r->f.acpi_dmar, 1);
	assert_int_equal(r->f.dmar_on_echo, 1);
	assert_int_equal(r->f.drhd_units, 2);
	assert_int_equal(r->f.vtd_initialised, 1);
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "x2apic");
	assert_int_equal(r->f.x2apic_optout, TRI_FALSE);
	assert_string_equal(r->f.default_domain, "passthrough");
	assert_int_equal(r->f.group_adds, 2);
	assert_int_equal(r->f.vfio_no_ir, 1);
	assert_int_equal(r->f.rmrr_ineligible, 1);
	assert_int_equal(r->f.acs_override, 1);
	assert_int_equal(r->f.group_not_viable, 1);
	assert_int_equal(r->f.amdv2_unavailable, 1);
	assert_int_equal(r->f.amd_lines, 0);
	assert_int_equal(r->f.boot_start, 0);
	assert_int_equal(r->kl.fault_total, 0);
	result_free(r);

	r = scan("AMD-Vi: Unknown option - 'on'\n"
	         "AGP: Please enable the IOMMU option in the BIOS setup\n"
	         "ACPI: IVRS 0x00000000DAF0B000 0000D0 (v02 AMD)\n"
	         "pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40\n"
	         "AMD-Vi: Extended features (0x58f77ef22294ade): PPR X2APIC NX GT IA GA\n"
	         "AMD-Vi: Interrupt remapping enabled\n"
	         "AMD-Vi: Initialized for Passthrough Mode\n"
	         "arm-smmu-v3 arm-smmu-v3.0.auto: probing hardware configuration...\n"
	         "iommu: Default domain type: Translated \n");
	assert_int_equal(r->f.amd_unknown_option, 1);
	assert_int_equal(r->f.agp_enable_in_bios, 1);
	assert_int_equal(r->f.acpi_ivrs, 1);
	assert_int_equal(r->f.amd_found, 1);
	assert_true(r->f.amd_initialised >= 3);
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "");
	assert_int_equal(r->f.arm_smmu, 1);
	assert_string_equal(r->f.default_domain, "translated");
	assert_int_equal(r->f.intel_lines, 0);
	result_free(r);

	/* nothing said: unknowns stay unknown */
	r = scan("[ 1.0] usb 1-1: new device\n");
	assert_int_equal(r->f.ir_enabled, TRI_UNKNOWN);
	assert_int_equal(r->f.x2apic_optout, TRI_UNKNOWN);
	assert_int_equal(r->f.first_seq, -1);
	assert_int_equal(r->kl.nlines, 0);
	result_free(r);
}

static void
test_ir_off(void **state)
{
	static const char *const off[] = {
	        "DMAR-IR: Not enabling interrupt remapping\n",
	        "AMD-Vi: Disabling interrupt remapping due to BIOS Bug(s)\n",
	        "DMAR-IR: This system BIOS has enabled interrupt remapping\n",
	};
	struct result *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		r = scan(off[i]);
		assert_int_equal(r->f.ir_enabled, TRI_FALSE);
		result_free(r);
	}

	/* the erratum's continuation lines join the kept line */
	r = scan("[    0.117367] DMAR-IR: This system BIOS has enabled interrupt remapping\n"
	         "               on a chipset that contains an erratum making that\n"
	         "               feature unstable.  To maintain system stability\n"
	         "               interrupt remapping is being disabled.  Please\n"
	         "               contact your BIOS vendor for an update\n"
	         "[    0.117369] Switched APIC routing to physical flat.\n");
	assert_int_equal(r->f.ir_enabled, TRI_FALSE);
	assert_int_equal(r->kl.nlines, 1);
	assert_non_null(strstr(r->kl.lines[0].text, "on a chipset that contains"));
	assert_non_null(strstr(r->kl.lines[0].text, "contact your BIOS vendor"));
	assert_int_equal(r->f.intel_lines, 1);
	result_free(r);

	r = scan("DMAR-IR: x2apic is disabled because BIOS sets x2apic opt out bit.\n"
	         "DMAR-IR: Use 'intremap=no_x2apic_optout' to override the BIOS setting.\n"
	         "DMAR-IR: Enabled IRQ remapping in xapic mode\n");
	assert_int_equal(r->f.x2apic_optout, TRI_TRUE);
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "xapic");
	result_free(r);
}

static void
test_boot_start(void **state)
{
	struct result *r;

	(void)state;
	r = scan("[    0.000000] Linux version 6.1.0 (x@y) #1 SMP\n");
	assert_int_equal(r->f.boot_start, 1);
	result_free(r);
	r = scan("[    0.000000] Command line: BOOT_IMAGE=/vmlinuz\n");
	assert_int_equal(r->f.boot_start, 1);
	result_free(r);
	r = scan("me@h:~$ dmesg | grep -i iommu\n[    0.000000] Command line: iommu=pt\n");
	assert_int_equal(r->f.boot_start, 0);
	result_free(r);
	r = scan("6,0,0,-;x\n6,1,5,-;DMAR: IOMMU enabled\n");
	assert_int_equal(r->f.boot_start, 1);
	assert_int_equal(r->f.first_seq, 0);
	result_free(r);
	r = scan("6,339,785796,-;DMAR: IOMMU enabled\n SUBSYSTEM=pci\n");
	assert_int_equal(r->f.boot_start, 0);
	assert_int_equal(r->f.first_seq, 339);
	assert_int_equal(r->kl.nlines, 1);
	assert_int_equal(r->kl.lines[0].level, 6);
	result_free(r);

	/* a second boot in the same file: only the last one counts */
	r = scan("Nov 1 00:00:00 h kernel: [    0.000000] Linux version 5.10.0\n"
	         "Nov 1 00:00:01 h kernel: [    1.0] DMAR: [DMA Read] Request device [00:02.0] "
	         "fault addr 0 [fault reason 06] PTE Read access is not set\n"
	         "Nov 1 00:00:02 h kernel: [    2.0] DMAR-IR: Enabled IRQ remapping in xapic mode\n"
	         "Nov 2 00:00:00 h kernel: [    0.000000] Linux version 5.10.0\n"
	         "Nov 2 00:00:01 h kernel: [    0.5] DMAR: Intel(R) Virtualization Technology "
	         "for Directed I/O\n");
	assert_int_equal(r->f.boot_start, 1);
	assert_int_equal(r->kl.fault_total, 0);
	assert_int_equal(r->f.ir_enabled, TRI_UNKNOWN);
	assert_int_equal(r->f.vtd_initialised, 1);
	assert_int_equal(r->kl.nlines, 1);
	result_free(r);
}

static void
test_caps(void **state)
{
	struct klog_scan *s;
	struct result *r;
	char line[160];
	size_t i;
	int n;

	(void)state;
	/* max_lines: the oldest lines are kept, counting goes on */
	s = klog_scan_new(3);
	assert_non_null(s);
	for (i = 0; i < 10; i++) {
		n = snprintf(line, sizeof(line),
		             "[ %zu.0] DMAR: [DMA Read] Request device "
		             "[00:02.0] fault addr 0 [fault reason 06] PTE Read access is not set",
		             i);
		assert_int_equal(klog_scan_line(s, line, (size_t)n), 0);
	}
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(klog_scan_finish(s, &r->kl, &r->f), 0);
	klog_scan_free(s);
	assert_int_equal(r->kl.nlines, 3);
	assert_true(r->kl.lines[0].time == 0.0);
	assert_true(r->kl.lines[2].time == 2.0);
	assert_int_equal(r->kl.fault_total, 10);
	assert_int_equal(count(r, "0000:00:02.0", "dma-read"), 10);
	result_free(r);

	/* distinct fault keys stop at REPORT_MAX_ITEMS, the total does not */
	s = klog_scan_new(0);
	assert_non_null(s);
	for (i = 0; i < 5000; i++) {
		n = snprintf(line, sizeof(line),
		             "DMAR: [DMA Read] Request device "
		             "[%04zx:%02zx:00.0] fault addr 0 [fault reason 06] x",
		             i / 256, i % 256);
		assert_int_equal(klog_scan_line(s, line, (size_t)n), 0);
	}
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(klog_scan_finish(s, &r->kl, &r->f), 0);
	klog_scan_free(s);
	assert_int_equal(r->kl.nlines, 0);
	assert_int_equal(r->kl.nfaults, 4096);
	assert_int_equal(r->kl.fault_total, 5000);
	result_free(r);

	klog_scan_free(NULL);
}

static int
valid_utf8_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p >= 0x80) {
			if (*p >= 0xc2 && *p <= 0xdf && (p[1] & 0xc0) == 0x80)
				p++;
			else
				return 0;
		}
	}
	return 1;
}

static void
test_hostile(void **state)
{
	static const char bad[] =
	        "[ 1.0] DMAR: [DMA Read] Request device [00:02.0] "
	        "fault addr 0 [fault reason 06] PTE\0Read \xff\xc3(\x1b[31m \xc3\xa9\n"
	        "[ 1.1] AMD-Vi: Event logged [IO_PAGE_FAULT device=zz:00.0 flags=0x1\xe2\x82]\n";
	struct result *r;
	size_t n = 200000;
	char *big;

	(void)state;
	r = scan_n(bad, sizeof(bad) - 1, 100);
	assert_int_equal(r->kl.fault_total, 2);
	assert_int_equal(r->kl.nlines, 2);
	assert_true(valid_utf8_printable(r->kl.lines[0].text));
	assert_true(valid_utf8_printable(r->kl.lines[1].text));
	assert_true(valid_utf8_printable(fault(r, "0000:00:02.0", NULL)->reason));
	assert_non_null(strstr(r->kl.lines[0].text, "\xc3\xa9"));
	assert_int_equal(count(r, "unknown", "io-page-fault"), 1);
	result_free(r);

	/* an overlong line: the fault at its start counts, kept text is bounded */
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, "DMAR: [DMA Read] Request device [00:02.0] fault addr 0 [fault reason 06] ",
	       74);
	r = scan_n(big, n, 10);
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(r->kl.nlines, 1);
	assert_true(strlen(r->kl.lines[0].text) < 2048);
	result_free(r);
	free(big);

	r = scan_n("", 0, 10);
	assert_int_equal(r->kl.nlines, 0);
	result_free(r);
}

/* ---- the real fixture cases (tests/fixtures/klog-*) ---- */

static void
test_fixture_dell_r410(void **state)
{
	struct result *r;

	(void)state;
	r = scan_file("klog-02-dell-r410-debian11");
	assert_int_equal(r->f.boot_start, 1);
	assert_int_equal(r->kl.fault_total, 0);
	assert_int_equal(r->kl.firmware_bugs, 0);
	assert_int_equal(r->f.vtd_initialised, 1);
	assert_int_equal(r->f.dmar_on_echo, 0);
	assert_int_equal(r->f.ir_enabled, TRI_FALSE);
	assert_string_equal(r->f.default_domain, "translated");
	assert_int_equal(r->f.group_adds, 71);
	assert_int_equal(r->f.drhd_units, 1);
	assert_true(r->f.intel_lines > 0);
	assert_int_equal(r->f.amd_lines, 0);
	assert_int_equal(r->f.amdv2_unavailable, 1);
	result_free(r);
}

static void
test_fixture_intel_faults(void **state)
{
	struct result *r;

	(void)state;
	r = scan_file("klog-07-novacustom-nv41-adl");
	assert_int_equal(r->kl.fault_total, 2);
	assert_int_equal(count(r, "0000:00:02.0", "dma-read"), 2);
	assert_string_equal(r->kl.faults[0].reason, "Present bit in root entry is clear");
	result_free(r);

	r = scan_file("klog-09-skylake-gvtd-pasid");
	assert_int_equal(r->kl.fault_total, 3);
	assert_int_equal(count(r, "0000:00:02.0", "dma-write"), 1);
	assert_int_equal(count(r, "0000:00:02.0", "dma-read"), 2);
	result_free(r);

	r = scan_file("klog-lkml-2013-dmar-two-line-3.8");
	assert_int_equal(r->kl.fault_total, 1);
	assert_string_equal(r->kl.faults[0].reason, "non-zero reserved fields in PTE");
	result_free(r);

	r = scan_file("klog-opensuse-99909-rsyslog-two-line-3.11");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(count(r, "0000:01:00.0", "dma-read"), 1);
	assert_string_equal(r->kl.faults[0].reason, "Present bit in root entry is clear");
	result_free(r);

	r = scan_file("klog-sof-test-744-5.14-hex-bdf");
	assert_int_equal(r->kl.fault_total, 2);
	assert_int_equal(r->kl.nfaults, 2);
	assert_int_equal(count(r, "0000:00:02.0", "dma-read"), 1);
	result_free(r);

	r = scan_file("klog-onl-897-dma-write-4.16-era");
	assert_int_equal(r->kl.fault_total, 3);
	assert_int_equal(count(r, "0000:00:12.0", "dma-write"), 3);
	result_free(r);

	r = scan_file("klog-dsa-perf-micros-3-pasid-0x2");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(count(r, "0000:6a:01.0", "dma-read"), 1);
	result_free(r);

	r = scan_file("klog-hp-dl320g6-erratum-and-fault");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(count(r, "0000:00:1e.0", "dma-read"), 1);
	assert_int_equal(r->f.ir_enabled, TRI_FALSE);
	result_free(r);
}

static void
test_fixture_amd_faults(void **state)
{
	struct result *r;

	(void)state;
	r = scan_file("klog-13-pcengines-apu2-ath10k");
	assert_int_equal(r->kl.fault_total, 3);
	assert_int_equal(count(r, "0000:01:00.0", "io-page-fault"), 3);
	assert_string_equal(r->kl.faults[0].reason, "flags=0x0070");
	result_free(r);

	r = scan_file("klog-14-amd-amdgpu-old-device");
	assert_int_equal(r->kl.fault_total, 4);
	assert_int_equal(r->kl.nfaults, 1);
	assert_int_equal(count(r, "0000:20:00.0", "io-page-fault"), 4);
	result_free(r);

	r = scan_file("klog-pcengines-coreboot-285-amd-split-event");
	assert_int_equal(r->kl.fault_total, 8);
	assert_int_equal(count(r, "0000:00:00.1", "invalid-device-request"), 2);
	assert_int_equal(count(r, "0000:05:00.0", "io-page-fault"), 6);
	result_free(r);

	r = scan_file("klog-pop-os-853-nvme-amdvi-suppressed");
	assert_int_equal(r->kl.fault_total, 6);
	assert_int_equal(count(r, "0000:01:00.0", "io-page-fault"), 6);
	result_free(r);
}

static void
test_fixture_amd_hosts(void **state)
{
	struct result *r;

	(void)state;
	r = scan_file("klog-16-msi-x570-ryzen3000-grep");
	assert_int_equal(r->f.amd_found, 1);
	assert_true(r->f.amd_initialised >= 1);
	assert_int_equal(r->f.group_adds, 47);
	assert_string_equal(r->f.default_domain, "translated");
	assert_int_equal(r->f.ir_enabled, TRI_UNKNOWN);
	assert_int_equal(r->f.amd_lines, 2);
	assert_int_equal(r->f.intel_lines, 0);
	assert_int_equal(r->kl.fault_total, 0);
	result_free(r);

	r = scan_file("klog-25-asus-sabertooth990fx-ivrs");
	assert_int_equal(r->kl.fault_total, 0);
	assert_int_equal(r->kl.firmware_bugs, 3);
	assert_int_equal(r->f.ir_enabled, TRI_FALSE);
	assert_int_equal(r->f.amd_found, 0);
	assert_true(r->f.amd_lines > 0);
	result_free(r);

	r = scan_file("klog-seed-reports-alb-amd");
	assert_int_equal(r->f.amdv2_unavailable, 1);
	assert_int_equal(r->f.amd_lines, 0);
	assert_int_equal(r->f.amd_found, 0);
	assert_int_equal(r->f.amd_initialised, 0);
	assert_int_equal(r->f.intel_lines, 0);
	assert_int_equal(r->f.boot_start, 0);
	result_free(r);
}

static void
test_fixture_intel_hosts(void **state)
{
	struct result *r;

	(void)state;
	r = scan_file("klog-seed-repsys11-dell-intel");
	assert_int_equal(r->f.acpi_dmar, 2);
	assert_int_equal(r->f.drhd_units, 2);
	assert_int_equal(r->f.vtd_initialised, 0);
	assert_int_equal(r->f.dmar_on_echo, 0);
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "xapic");
	assert_int_equal(r->f.x2apic_optout, TRI_TRUE);
	assert_int_equal(r->f.boot_start, 0);
	assert_int_equal(r->kl.fault_total, 0);
	assert_int_equal(r->kl.firmware_bugs, 0);
	result_free(r);

	r = scan_file("klog-20-dell-pe840-no-iommu");
	assert_int_equal(r->f.boot_start, 1);
	assert_int_equal(r->f.intel_lines + r->f.amd_lines + r->f.acpi_dmar + r->f.acpi_ivrs +
	                         r->f.vtd_initialised + r->f.amd_found,
	                 0);
	assert_int_equal(r->kl.firmware_bugs, 0);
	/* a complete table list without DMAR / IVRS; only the two
	 * "kvm: disabled by bios" lines are kept */
	assert_true(r->f.acpi_tables > 10);
	assert_int_equal(r->f.virt_off_kvm, 2);
	assert_int_equal(r->kl.nlines, 2);
	result_free(r);

	r = scan_file("klog-mrchromebox-458-dmar-ir-firmware-bug");
	assert_int_equal(r->kl.firmware_bugs, 1);
	assert_int_equal(r->f.ir_enabled, TRI_FALSE);
	assert_int_equal(r->f.drhd_units, 2);
	result_free(r);

	r = scan_file("klog-kata-10622-passthrough-cmdline");
	assert_int_equal(r->f.boot_start, 0); /* a grep excerpt */
	assert_int_equal(r->f.dmar_on_echo, 1);
	assert_int_equal(r->f.vtd_initialised, 0);
	assert_string_equal(r->f.default_domain, "passthrough");
	assert_int_equal(r->f.group_adds, 5);
	result_free(r);

	r = scan_file("klog-xilinx-dma-115-x2apic-mode");
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "x2apic");
	assert_int_equal(r->f.x2apic_optout, TRI_FALSE);
	assert_int_equal(r->f.boot_start, 0);
	result_free(r);

	r = scan_file("klog-harvester-7340-rmrr-journal");
	assert_int_equal(r->f.rmrr_ineligible, 1);
	assert_int_equal(r->kl.fault_total, 0);
	result_free(r);

	r = scan_file("klog-gatekeeper-718-1to1-mapping");
	assert_int_equal(r->f.rmrr_ineligible, 1);
	result_free(r);

	r = scan_file("klog-lake-10-dmesg-decode-ctime");
	assert_int_equal(r->f.drhd_units, 7);
	assert_int_equal(r->kl.nlines, 13);
	assert_int_equal(r->kl.lines[0].level, 6);
	assert_true(r->kl.lines[0].time == -1);
	result_free(r);
}

/* kern.log holds lines of other programs too (`logger -p kern.err`): they
 * neither add faults nor wipe the real ones with a fake "Linux version". */
/* The log grammar beyond the IOMMU drivers' own lines (issue 9, part 3):
 * each line class with what it proves. */
static void
test_platform_lines(void **state)
{
	struct result *r;

	(void)state;
	/* the boot-time ACPI table list (acpica/tbprint.c), both eras; the
	 * other "ACPI: " lines are not table lines */
	r = scan("[    0.000000] ACPI: RSDP 0x00000000000F0490 000024 (v02 ALASKA)\n"
	         "[    0.000000] ACPI: FACS 0x000000008A2A9080 000040\n"
	         "[    0.000000] ACPI: DSDT 7FEF0000, 5A1B (r1 A M I  OEMDSDT      1000)\n"
	         "[    0.000000] ACPI: IORT 0x00000000F9A60000 000554 (v00 HISI   HIP08)\n"
	         "[    0.181707] ACPI: PM-Timer IO Port: 0x1808\n"
	         "[    0.181762] ACPI: HPET id: 0x8086a201 base: 0xfed00000\n"
	         "[    0.181713] ACPI: LAPIC_NMI (acpi_id[0x01] high edge lint[0x1])\n"
	         "[    0.325611] ACPI: Core revision 20220331\n");
	assert_int_equal(r->f.acpi_tables, 4);
	assert_int_equal(r->f.acpi_iort, 1);
	assert_int_equal(r->f.acpi_dmar + r->f.acpi_ivrs, 0);
	result_free(r);

	/* arm64: the GICv3 ITS lines (irq-gic-v3-its.c) pass the gate on
	 * their "its" anchor; the English word does not count */
	r = scan(
	        "[    0.000000] ITS [mem 0x2f020000-0x2f03ffff]\n"
	        "[    0.000000] ITS@0x000000002f020000: allocated 8192 Devices @80070000 (indirect, esz 8, psz 64K, shr 1)\n"
	        "[    1.000000] its own clock was set\n");
	assert_int_equal(r->f.gic_its, 2);
	result_free(r);

	/* CPU virtualisation switched off in the firmware, every source */
	r = scan("[    0.341434] x86/cpu: VMX (outside TXT) disabled by BIOS\n"
	         "[    0.341436] x86/cpu: SGX disabled by BIOS.\n"
	         "[   12.1] kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 3\n"
	         "[    0.1] SVM disabled (by BIOS) in MSR_VM_CR\n"
	         "[   20.340478] kvm: disabled by bios\n");
	assert_int_equal(r->f.virt_off_vmx, 2);
	assert_int_equal(r->f.virt_off_svm, 1);
	assert_int_equal(r->f.virt_off_kvm, 1);
	assert_int_equal(r->kl.nlines, 4); /* the SGX line is not kept */
	result_free(r);

	/* 3.x VT-d building its domains; the echo proves nothing */
	r = scan("[    0.000000] Intel-IOMMU: enabled\n"
	         "[    0.536241] IOMMU: Setting identity map for device 0000:00:02.0 [0xbf000000 - "
	         "0xcf1fffff]\n"
	         "[    0.537543] IOMMU: Prepare 0-16MiB unity mapping for LPC\n"
	         "[    2.182790] [drm] DMAR active, disabling use of stolen memory\n");
	assert_int_equal(r->f.dmar_on_echo, 1);
	assert_int_equal(r->f.vtd_setup, 3);
	assert_int_equal(r->f.vtd_initialised, 0);
	result_free(r);

	/* AMD: X2APIC as a capability decides nothing; after "Interrupt
	 * remapping enabled" it is the mode */
	r = scan("AMD-Vi: Extended features (0x206d73ef22254ade): PPR X2APIC NX GT IA GA PC\n"
	         "AMD-Vi: Interrupt remapping enabled\n");
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	assert_string_equal(r->f.ir_mode, "");
	result_free(r);
	r = scan("AMD-Vi: Interrupt remapping enabled\n"
	         "AMD-Vi: Virtual APIC enabled\n"
	         "AMD-Vi: X2APIC enabled\n");
	assert_string_equal(r->f.ir_mode, "x2apic");
	result_free(r);

	/* an interrupt-remapping fault proves remapping is on; a DMA one
	 * does not */
	r = scan("DMAR: [DMA Read NO_PASID] Request device [0b:00.0] fault addr 0x1187a9000 "
	         "[fault reason 0x06] PTE Read access is not set\n");
	assert_int_equal(r->f.ir_enabled, TRI_UNKNOWN);
	result_free(r);
	r = scan("DMAR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x0 [fault reason 0x25] "
	         "Blocked a compatibility format interrupt request\n");
	assert_int_equal(r->f.ir_enabled, TRI_TRUE);
	result_free(r);

	/* IVRS firmware bugs name the table; DMAR ones do not count */
	r = scan("AMD-Vi: [Firmware Bug]: : IOAPIC[9] not in IVRS table\n"
	         "DMAR: [Firmware Bug]: No firmware reserved region can cover this RMRR\n");
	assert_int_equal(r->kl.firmware_bugs, 2);
	assert_int_equal(r->f.ivrs_bugs, 1);
	result_free(r);

	/* SEV-SNP turned off by iommu=pt (amd/init.c iommu_snp_enable) */
	r = scan("[    1.2] AMD-Vi: SNP: IOMMU disabled or configured in passthrough mode, SNP "
	         "cannot be supported.\n");
	assert_int_equal(r->f.snp_no_iommu, 1);
	result_free(r);
}

static void
test_userspace_lines_are_not_evidence(void **state)
{
	struct result *r;

	(void)state;
	r = scan(
	        "Nov 23 21:34:20 h kernel: [    1.5] DMAR: [DMA Read NO_PASID] Request device [0b:00.0] fault addr 0x1000 [fault reason 0x06] PTE Read access is not set\n"
	        "Nov 23 21:34:21 h root: DMAR: [DMA Write] Request device [00:02.0] fault addr 0 [fault reason 05] PTE Write access is not set\n"
	        "Nov 23 21:34:22 h mallory[99]: Linux version 9.9.9 (fake)\n"
	        "Nov 23 21:34:23 h kernel: [    9.1] Linux version 9.9.9 (late, not a boot)\n");
	assert_int_equal(r->kl.fault_total, 1);
	assert_int_equal(r->kl.nfaults, 1);
	assert_string_equal(r->kl.faults[0].address, "0000:0b:00.0");
	assert_int_equal(r->f.boot_start, 0);
	result_free(r);
}

/* Time alone does not show the log reached userspace: a big server takes
 * many seconds to get to VT-d's initialisation. */
static void
test_reaching_userspace_needs_a_marker(void **state)
{
	struct result *r;

	(void)state;
	r = scan("[    0.000000] Linux version 6.1.0\n"
	         "[    0.785796] DMAR: Host address width 46\n"
	         "[    6.103456] devtmpfs: initialized\n");
	assert_int_equal(r->f.reached_userspace, 0);
	result_free(r);
	r = scan("[    0.000000] Linux version 6.1.0\n"
	         "[    9.000000] Run /init as init process\n");
	assert_int_equal(r->f.reached_userspace, 1);
	result_free(r);
}

/* Two scans of one log read it alike: facts, kept lines, faults. */
static void
assert_same(const struct result *a, const struct result *b, const char *what)
{
	size_t i;

	if (memcmp(&a->f, &b->f, sizeof(a->f)) != 0)
		fail_msg("%s: the facts differ", what);
	if (a->kl.nlines != b->kl.nlines || a->kl.nfaults != b->kl.nfaults ||
	    a->kl.fault_total != b->kl.fault_total || a->kl.firmware_bugs != b->kl.firmware_bugs)
		fail_msg("%s: lines %zu/%zu, faults %zu/%zu", what, a->kl.nlines, b->kl.nlines,
		         a->kl.nfaults, b->kl.nfaults);
	for (i = 0; i < a->kl.nlines; i++)
		if (a->kl.lines[i].time != b->kl.lines[i].time ||
		    a->kl.lines[i].level != b->kl.lines[i].level ||
		    strcmp(a->kl.lines[i].text, b->kl.lines[i].text) != 0)
			fail_msg("%s: line %zu: %s / %s", what, i, a->kl.lines[i].text,
			         b->kl.lines[i].text);
	for (i = 0; i < a->kl.nfaults; i++)
		if (strcmp(a->kl.faults[i].address, b->kl.faults[i].address) != 0 ||
		    strcmp(a->kl.faults[i].kind, b->kl.faults[i].kind) != 0 ||
		    a->kl.faults[i].count != b->kl.faults[i].count)
			fail_msg("%s: fault %zu differs", what, i);
}

static void
check_fast_path(const char *text, size_t len, const char *what)
{
	struct result *fast = scan_n(text, len, 5000), *slow = scan_with(text, len, 5000, 1);

	assert_same(fast, slow, what);
	result_free(fast);
	result_free(slow);
}

/* The steady-state fast path (klog_steady) reads every log as parsing
 * each line does: each fixture log behind a boot that reaches userspace
 * (so that the fast path is on when its lines come), and the lines it
 * must not pass over: prompts (one with a digit-led user name, which
 * looks like a stamp), kmsg records, userspace syslog lines,
 * continuations, a second boot, CR line ends, a line past the message
 * bound. */
static void
test_fast_path_changes_nothing(void **state)
{
	static const char boot[] =
	        "[    0.000000] Linux version 6.1.0 (x@y) #1 SMP\n"
	        "[    0.100000] ACPI: DMAR 0x00000000BF77E0C0 000120 (v01 INTEL)\n"
	        "[    1.000000] usb 1-1: new high-speed USB device\n"
	        "[    2.000000] Run /sbin/init as init process\n";
	static const char *const tails[] = {
	        "[0admin@host ~]$ dmesg | grep AMD\n",
	        "user@box:~$ dmesg | egrep -i 'dm'\n",
	        "6,1201,5000000,-;pci 0000:00:02.0: x\n 6,1202,5000001,-;usb 1-1: y\n",
	        "Nov 23 21:34:24 box sshd[12]: Accepted key\n  continued text\n",
	        "[    3.000000] DMAR: DRHD: handling fault status reg 2\n  continued\n"
	        "[    3.1] usb 2-1: x\n",
	        "[    0.000000] Linux version 6.2.0\n[    0.1] usb 1-1: x\r\n",
	        "[    4.000000] DMAR: [DMA Read] Request device [01:00.0] fault addr 1000 \n"
	        "DMAR:[fault reason 06] PTE Read access is not set\n",
	        "[    5.000000] AMD-Vi: Event logged [\nIO_PAGE_FAULT device=01:00.0 domain=0x0 "
	        "address=0x1 flags=0x0]\n",
	};
	char path[512], *log;
	struct growbuf b;
	struct dirent *e;
	size_t n, i, cases = 0;
	FILE *f;
	DIR *d;

	(void)state;
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		n = strlen(boot) + strlen(tails[i]);
		log = malloc(n + 1);
		assert_non_null(log);
		snprintf(log, n + 1, "%s%s", boot, tails[i]);
		check_fast_path(log, n, tails[i]);
		free(log);
	}
	/* a message longer than the bound the fast path takes */
	log = malloc(strlen(boot) + 3000);
	assert_non_null(log);
	n = (size_t)snprintf(log, strlen(boot) + 3000, "%s[    6.0] ", boot);
	memset(log + n, 'x', 2000);
	memcpy(log + n + 2000, " iommu\n", 7);
	check_fast_path(log, n + 2007, "long line");
	free(log);
	d = opendir(FIXTURES_DIR);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s/kernel.log", FIXTURES_DIR, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		/* the boot, then the fixture's log */
		memset(&b, 0, sizeof(b));
		assert_int_equal(growbuf_append(&b, boot, strlen(boot)), 0);
		assert_int_equal(readall_bounded(f, 16u << 20, &b), 0);
		fclose(f);
		check_fast_path(b.data + strlen(boot), b.len - strlen(boot), e->d_name);
		check_fast_path(b.data, b.len, e->d_name);
		free(b.data);
		cases++;
	}
	closedir(d);
	assert_true(cases >= 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_intel_eras),
	        cmocka_unit_test(test_intr_remap),
	        cmocka_unit_test(test_amd_events),
	        cmocka_unit_test(test_firmware_bugs),
	        cmocka_unit_test(test_facts),
	        cmocka_unit_test(test_ir_off),
	        cmocka_unit_test(test_boot_start),
	        cmocka_unit_test(test_caps),
	        cmocka_unit_test(test_hostile),
	        cmocka_unit_test(test_fixture_dell_r410),
	        cmocka_unit_test(test_fixture_intel_faults),
	        cmocka_unit_test(test_fixture_amd_faults),
	        cmocka_unit_test(test_fixture_amd_hosts),
	        cmocka_unit_test(test_fixture_intel_hosts),
	        cmocka_unit_test(test_platform_lines),
	        cmocka_unit_test(test_userspace_lines_are_not_evidence),
	        cmocka_unit_test(test_reaching_userspace_needs_a_marker),
	        cmocka_unit_test(test_fast_path_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
