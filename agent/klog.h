/*
 * klog.h - the kernel log: one line at a time into IOMMU facts.  Pure: no I/O.
 *
 * klog_line_parse() recognises one line of any supported format (dmesg,
 * dmesg -T / --time-format iso, raw /dev/kmsg records and their continuation
 * lines, journalctl -k short / short-monotonic / short-iso, syslog kern.log,
 * bare text) and strips the decoration down to the kernel's message text.
 * klog_scan feeds such messages through the IOMMU vocabulary (the messages
 * of the kernel's drivers/iommu/ and drivers/vfio/, in klog_scan.c's pattern
 * table) and keeps bounded results.
 */
#ifndef IOMMU_FLEET_KLOG_H
#define IOMMU_FLEET_KLOG_H

#include <stddef.h>
#include "proto/report.h"

enum klog_format {
	KLOG_BARE = 0,    /* no recognised decoration */
	KLOG_DMESG,       /* "[    0.785796] text", "<6>[ 0.7] text" */
	KLOG_DMESG_CTIME, /* "[Mon Nov 23 21:34:24 2026] text", iso variant */
	KLOG_KMSG,        /* "6,339,785796,-;text" */
	KLOG_KMSG_CONT,   /* " SUBSYSTEM=pci" dictionary line of a kmsg record */
	KLOG_JOURNAL,     /* "Nov 23 21:34:24 host kernel: text" and variants */
	KLOG_NOISE,       /* shell prompt, password prompt, empty line */
	KLOG_USERSPACE,   /* a journal / syslog line of another program than
	                     the kernel: not evidence, whatever it says */
};

struct klog_line {
	enum klog_format format;
	double time;      /* seconds since boot; -1 when the line has none */
	int level;        /* 0-7, -1 when the line has none */
	long long seq;    /* kmsg sequence number, -1 otherwise */
	const char *text; /* borrowed: points into the input line */
	size_t text_len;
};

/* Parse one line (without its newline).  Never fails: an unrecognised line is
 * KLOG_BARE with the whole line as text. */
void klog_line_parse(const char *line, size_t len, struct klog_line *out);
/* 1 when klog_line_parse() would call the line neither noise nor (unless
 * seq_known) a kmsg record with a sequence number: what a scan's fast
 * path may pass over on its bytes alone.  Looks at the first word only. */
int klog_line_unremarkable(const char *line, size_t len, int seq_known);

/* 1 when msg (n bytes, any bytes) holds an anchor at the start of a word:
 * a word every IOMMU message the scan reads holds (klog_gate.c).  0 means
 * the message cannot concern the IOMMU. */
int klog_gate(const char *msg, size_t n);
/* A steady scan's pass over whole lines (text starts a line): the offset
 * of the first byte that needs its line read in full (an anchor, a shell
 * prompt's byte or "gr", and with digits a line that starts with a digit
 * or a blank), n when none does, -1 when this CPU has no vector path for
 * it (read line by line then). */
long klog_gate_scan(const char *text, size_t n, int digits);
/* The gate's code paths, each faster than the one before. */
enum { KLOG_GATE_AUTO, KLOG_GATE_GENERIC, KLOG_GATE_SSSE3, KLOG_GATE_AVX2 };
/* Run path from now on (KLOG_GATE_AUTO: the best this CPU has), so tests
 * can compare them: 0, or -1 when this CPU cannot. */
int klog_gate_use(int path);

/* What the analysis needs beyond struct report_kernel_log.  Counters are
 * numbers of lines seen; tristates stay TRI_UNKNOWN when the log said
 * nothing either way. */
struct klog_facts {
	int boot_start;           /* "Linux version", time 0.000000 or kmsg seq 0 */
	long long first_seq;      /* first kmsg sequence number seen, -1 none */
	int acpi_dmar;            /* "ACPI: DMAR" table line or DMAR table parse */
	int acpi_ivrs;            /* "ACPI: IVRS" */
	int acpi_iort;            /* "ACPI: IORT" (arm64) */
	int acpi_tables;          /* lines of the boot-time ACPI table list
	                             ("ACPI: XXXX 0x... (v01 ...)") */
	int ivrs_bugs;            /* "[Firmware Bug]" lines about IVRS / AMD-Vi:
	                             the IVRS table exists */
	int drhd_units;           /* "DMAR: dmarN: reg_base_addr" lines */
	int vtd_initialised;      /* "Intel(R) Virtualization Technology for Directed I/O" */
	int vtd_setup;            /* 3.x init_dmars() building domains: "IOMMU:
	                             Setting identity map for device", i915's
	                             "[drm] DMAR active" */
	int dmar_on_echo;         /* "DMAR: IOMMU enabled" (proves nothing) */
	int dmar_off_echo;        /* "DMAR: IOMMU disabled" */
	int intel_lines;          /* any DMAR / DMAR-IR line */
	int amd_lines;            /* any AMD-Vi line other than the IOMMUv2 module's */
	int amd_found;            /* "AMD-Vi: Found IOMMU" */
	int amd_initialised;      /* Found IOMMU, Extended features, IR enabled, ... */
	int amdv2_unavailable;    /* "AMD IOMMUv2 functionality not available" */
	int agp_enable_in_bios;   /* "AGP: Please enable the IOMMU option in the BIOS setup" */
	int amd_unknown_option;   /* "AMD-Vi: Unknown option - 'on'" */
	int arm_smmu;             /* "arm-smmu" probe lines */
	int gic_its;              /* GICv3 ITS set up (arm64: isolated MSIs) */
	int virt_off_vmx;         /* "VMX (outside TXT) disabled by BIOS",
	                             "VMX not enabled (by BIOS)" */
	int virt_off_svm;         /* "SVM disabled (by BIOS) in MSR_VM_CR" */
	int virt_off_kvm;         /* "kvm: disabled by bios" (either vendor) */
	int snp_no_iommu;         /* "SNP: IOMMU disabled or configured in
	                             passthrough mode, SNP cannot be supported" */
	enum tristate ir_enabled; /* DMAR-IR Enabled / AMD-Vi IR enabled; false on
	                             "Not enabling", "Disabling interrupt remapping",
	                             the chipset erratum message */
	char ir_mode[8];          /* "x2apic" / "xapic" / "" */
	enum tristate x2apic_optout;
	char default_domain[16];      /* "translated" / "passthrough" / "blocked" / "" */
	int group_adds;               /* "Adding to iommu group N" lines */
	int vfio_group_adds;          /* of those, added by vfio-pci itself: with
	                                 noiommu_taint, its no-IOMMU groups */
	int noiommu_taint;            /* vfio no-IOMMU mode in use: "Adding kernel
	                                 taint for vfio-noiommu group", "vfio-noiommu
	                                 device opened by user" */
	int vfio_no_ir;               /* vfio: "No interrupt remapping support" */
	int rmrr_ineligible;          /* RMRR / 1:1 mapping assignment refusals */
	int acs_override;             /* "PCIe ACS overrides enabled" */
	int group_not_viable;         /* "group N is not viable" */
	int other_seen;               /* a message unrelated to the IOMMU */
	int grep_excerpt;             /* a shell prompt running grep: a filtered log */
	int reached_userspace;        /* the log goes on past the kernel's boot
	                                 ("Run /sbin/init", systemd, time >= 5 s) */
	unsigned long lines_dropped;  /* related lines of the last boot past the
	                                 kept maximum (bound hit: say so) */
	unsigned long faults_dropped; /* fault records whose (device, kind,
	                                 reason) was past the distinct-key cap */
};

/* Facts of a log that said nothing: every marker unknown. */
void klog_facts_init(struct klog_facts *f);

struct klog_scan;

/* A scan keeps at most max_lines IOMMU-related lines (oldest kept first) and
 * at most REPORT_MAX_ITEMS distinct fault keys; counts go on past the caps. */
struct klog_scan *klog_scan_new(size_t max_lines);
void klog_scan_free(struct klog_scan *s); /* NULL is a no-op */
/* Feed one raw line (any format).  0, or -1 on allocation failure. */
int klog_scan_line(struct klog_scan *s, const char *line, size_t len);
/* Parse every line, without the steady-state fast path (klog_scan.c
 * klog_steady): tests check that the two read a log alike. */
void klog_scan_slow_only(struct klog_scan *s);
/* Feed a whole buffer, as one chunk of a stream that ends there (lines
 * bounded as klog_scan_feed bounds them).  0 or -1. */
int klog_scan_text(struct klog_scan *s, const char *text, size_t len);
/* Feed log text in chunks of any size (a stream): lines are split on '\n'
 * across calls, and a line longer than 8 KiB is cut there.  0 or -1. */
int klog_scan_feed(struct klog_scan *s, const char *data, size_t len);
/* Move the results out (a last line without newline is scanned first): out->lines, faults,
 * fault_total, firmware_bugs are filled (out->source and out->complete are the caller's); facts is
 * filled. The scan may then only be freed.  0 or -1. */
int klog_scan_finish(struct klog_scan *s, struct report_kernel_log *out, struct klog_facts *facts);

#endif
