/*
 * klog_scan.c - stream kernel log lines through the IOMMU vocabulary (the
 * messages of drivers/iommu/ and drivers/vfio/, each era with a fixture in
 * tests/fixtures/) into struct klog_facts, kept lines and aggregated faults.  Pure: no I/O.  Work
 * and memory per line are bounded.
 *
 * Fault kinds: "dma-read", "dma-write", "dma-page-request", "dma" (Intel
 * record of another type), "intr-remap", and for AMD-Vi events the event name
 * lowercased with '_' turned into '-': "io-page-fault",
 * "illegal-dev-table-entry", "invalid-device-request", "iotlb-inv-timeout".
 * A fault whose device is not named has the address "unknown".
 * A "Linux version" line starts over (a file of several boots describes the
 * host by its last boot); a shell prompt running grep marks an excerpt, which
 * never counts as holding the boot start.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/klog.h"
#include "common/linecarry.h"
#include "common/utf8.h"
#include "proto/pci_addr.h"
#include "proto/report_json.h"

#define KLOG_MSG_MAX 1024 /* bytes of a message looked at and kept */
#define KLOG_KIND_MAX 32
#define KLOG_LINE_MAX 8192 /* bytes of a raw line kept across chunks */

struct klog_pending {
	int active;
	char address[REPORT_ADDR_MAX];
	char kind[KLOG_KIND_MAX];
};

struct klog_scan {
	size_t max_lines;
	struct report_logline *lines;
	size_t nlines, alines;
	struct report_fault *faults;
	size_t nfaults;
	unsigned long fault_total, firmware_bugs;
	struct klog_facts f;
	struct klog_pending intel; /* pre-4.16 record awaiting its reason line */
	int amd_split;             /* "Event logged [" ended the last line */
	int last_kept;             /* the last message was kept: append to it */
	int grep_seen;             /* a "... | grep" prompt: an excerpt */
	int slow_only;             /* no fast path (tests) */
	int failed;
	unsigned long lines_dropped;  /* related lines past max_lines */
	unsigned long faults_dropped; /* fault records of keys past the cap */
	/* klog_scan_feed(): the start of a line whose end is in a later chunk;
	 * a longer line is cut at KLOG_LINE_MAX (only its start is looked at) */
	char carry_buf[KLOG_LINE_MAX];
	struct linecarry carry;
};

struct klog_pattern {
	const char *needle;
	void (*fn)(struct klog_scan *, const char *msg, const char *hit);
	size_t counter; /* offsetof a klog_facts int, or NOCOUNT */
};

#define NOCOUNT ((size_t)-1)
#define FACT(m) offsetof(struct klog_facts, m)

void
klog_facts_init(struct klog_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->first_seq = -1;
	f->ir_enabled = TRI_UNKNOWN;
	f->x2apic_optout = TRI_UNKNOWN;
}

static void
klog_scan_clear(struct klog_scan *s)
{
	size_t i;

	for (i = 0; i < s->nlines; i++)
		free(s->lines[i].text);
	for (i = 0; i < s->nfaults; i++) {
		free(s->faults[i].kind);
		free(s->faults[i].reason);
	}
	free(s->lines);
	free(s->faults);
	s->lines = NULL;
	s->faults = NULL;
	s->nlines = s->alines = s->nfaults = 0;
	s->fault_total = s->firmware_bugs = 0;
	s->lines_dropped = s->faults_dropped = 0;
	s->intel.active = 0;
	s->amd_split = 0;
	s->last_kept = 0;
	klog_facts_init(&s->f);
}

struct klog_scan *
klog_scan_new(size_t max_lines)
{
	struct klog_scan *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->max_lines = max_lines > REPORT_MAX_LINES ? REPORT_MAX_LINES : max_lines;
	s->carry.buf = s->carry_buf;
	s->carry.cap = sizeof(s->carry_buf);
	klog_facts_init(&s->f);
	return s;
}

void
klog_scan_free(struct klog_scan *s)
{
	if (s == NULL)
		return;
	klog_scan_clear(s);
	free(s);
}

/* Parse a PCI address ("1f:00.0", "0000:1f:00.0", "10000:1f:00.0",
 * "0x1f:0x00.0") at p into "DDDD:BB:DD.F".  0, or -1 when p holds none. */
static int
klog_parse_bdf(const char *p, char *out, size_t outsz)
{
	unsigned long v[4] = {0, 0, 0, 0};
	size_t nv = 0, d;
	int h;

	for (;;) {
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		for (d = 0; (h = pci_hexval((unsigned char)*p)) >= 0; d++, p++)
			if (d < 6)
				v[nv] = v[nv] * 16 + (unsigned long)h;
		if (d == 0 || d > 5)
			return -1;
		nv++;
		if (*p == '.' && (nv == 2 || nv == 3))
			break;
		if (*p != ':' || nv >= 3)
			return -1;
		p++;
	}
	p++;
	h = pci_hexval((unsigned char)*p);
	if (h < 0 || h > 7 || pci_hexval((unsigned char)p[1]) >= 0)
		return -1;
	if (nv == 2) {
		v[2] = v[1];
		v[1] = v[0];
		v[0] = 0;
	}
	if (v[0] > 0xfffff || v[1] > 0xff || v[2] > 0x1f)
		return -1;
	snprintf(out, outsz, "%04lx:%02lx:%02lx.%x", v[0], v[1], v[2], h);
	return 0;
}

/* Replace control bytes and invalid UTF-8 so kept text is printable and valid
 * JSON; matching only needs ASCII. */
static void
klog_sanitise(char *b, size_t n)
{
	size_t i = 0, len;
	unsigned char c;
	uint32_t cp;

	while (i < n) {
		c = (unsigned char)b[i];
		if (c < 0x80) {
			if (c == '\t')
				b[i] = ' ';
			else if (c < 0x20 || c == 0x7f)
				b[i] = '?';
			i++;
			continue;
		}
		if ((len = utf8_seq((const unsigned char *)b + i, n - i, &cp)) == 0)
			b[i++] = '?';
		else
			i += len;
	}
}

/* Count one fault record and aggregate it under (address, kind, reason). */
static void
klog_fault_add(struct klog_scan *s, const char *address, const char *kind, const char *reason,
               size_t reason_len)
{
	struct report_fault *nf, *f;
	size_t i;

	s->fault_total++;
	while (reason_len > 0 && reason[reason_len - 1] == ' ')
		reason_len--;
	/* a fault storm repeats one record: look before copying anything */
	for (i = 0; i < s->nfaults; i++) {
		f = &s->faults[i];
		if (strcmp(f->address, address) == 0 && strcmp(f->kind, kind) == 0 &&
		    (f->reason == NULL ? reason_len == 0
		                       : strlen(f->reason) == reason_len &&
		                                 memcmp(f->reason, reason, reason_len) == 0)) {
			f->count++;
			return;
		}
	}
	if (s->nfaults >= REPORT_MAX_ITEMS) {
		s->faults_dropped++; /* still in fault_total */
		return;
	}
	nf = realloc(s->faults, (s->nfaults + 1) * sizeof(*nf));
	if (nf == NULL) {
		s->failed = 1;
		return;
	}
	s->faults = nf;
	f = &s->faults[s->nfaults];
	memset(f, 0, sizeof(*f));
	snprintf(f->address, sizeof(f->address), "%s", address);
	f->count = 1;
	if ((f->kind = strdup(kind)) == NULL ||
	    (reason_len > 0 && (f->reason = strndup(reason, reason_len)) == NULL)) {
		free(f->kind);
		s->failed = 1;
		return;
	}
	s->nfaults++;
}

/* "...[fault reason 0x06] PTE Read access is not set": the text after ']'. */
static const char *
klog_reason(const char *p, size_t *len)
{
	const char *q;

	if ((q = strstr(p, "[fault reason ")) == NULL || (q = strchr(q, ']')) == NULL)
		return NULL;
	q++;
	while (*q == ' ')
		q++;
	*len = strlen(q);
	return q;
}

static void
klog_intel_flush(struct klog_scan *s, const char *reason, size_t len)
{
	if (!s->intel.active)
		return;
	s->intel.active = 0;
	klog_fault_add(s, s->intel.address, s->intel.kind, reason, len);
}

/* Intel "Request device [BDF]" record, every era (DMA and INTR-REMAP). */
static void
klog_on_request(struct klog_scan *s, const char *msg, const char *hit)
{
	const char *kind = "dma", *reason, *p;
	char addr[REPORT_ADDR_MAX];
	size_t pre = (size_t)(hit - msg), len = 0;

	klog_intel_flush(s, NULL, 0);
	if (memmem(msg, pre, "INTR-REMAP", 10) != NULL) {
		kind = "intr-remap";
		/* only remapping hardware in use faults on an interrupt
		 * request (dmar.c dmar_fault_do_one, INTR_REMAP type) */
		if (s->f.ir_enabled == TRI_UNKNOWN)
			s->f.ir_enabled = TRI_TRUE;
	} else if (memmem(msg, pre, "DMA Read", 8) != NULL)
		kind = "dma-read";
	else if (memmem(msg, pre, "DMA Write", 9) != NULL)
		kind = "dma-write";
	else if (memmem(msg, pre, "Page Request", 12) != NULL || memmem(msg, pre, "PRQ", 3) != NULL)
		kind = "dma-page-request";
	p = hit + strlen("Request device [");
	while (*p == '[' || *p == ' ')
		p++;
	if (klog_parse_bdf(p, addr, sizeof(addr)) == -1)
		snprintf(addr, sizeof(addr), "unknown");
	if ((reason = klog_reason(p, &len)) != NULL) {
		klog_fault_add(s, addr, kind, reason, len);
		return;
	}
	/* before 4.16 the reason came on the next line */
	s->intel.active = 1;
	snprintf(s->intel.address, sizeof(s->intel.address), "%s", addr);
	snprintf(s->intel.kind, sizeof(s->intel.kind), "%s", kind);
}

/* One AMD-Vi event "IO_PAGE_FAULT device=.. domain=.. flags=0x0070]". */
static void
klog_amd_event(struct klog_scan *s, const char *ev, const char *fallback)
{
	char kind[KLOG_KIND_MAX], addr[REPORT_ADDR_MAX];
	const char *p, *end;
	size_t i;

	for (i = 0; i < sizeof(kind) - 1 && ((ev[i] >= 'A' && ev[i] <= 'Z') ||
	                                     (ev[i] >= '0' && ev[i] <= '9') || ev[i] == '_');
	     i++)
		kind[i] = ev[i] == '_'                     ? '-'
		          : (ev[i] >= 'A' && ev[i] <= 'Z') ? (char)(ev[i] - 'A' + 'a')
		                                           : ev[i];
	if (i < 3)
		return;
	kind[i] = '\0';
	if ((end = strchr(ev, ']')) == NULL)
		end = ev + strlen(ev);
	if ((p = strstr(ev, "device=")) != NULL && p < end &&
	    klog_parse_bdf(p + 7, addr, sizeof(addr)) == 0)
		;
	else if (fallback != NULL)
		snprintf(addr, sizeof(addr), "%s", fallback);
	else
		snprintf(addr, sizeof(addr), "unknown");
	p = strstr(ev, "flags=");
	if (p != NULL && p < end) {
		for (i = 0; p + i < end && p[i] != ' '; i++)
			;
		klog_fault_add(s, addr, kind, p, i);
	} else
		klog_fault_add(s, addr, kind, NULL, 0);
}

/* "amdgpu 0000:04:00.0: AMD-Vi: Event logged [...]": the device prefix. */
static int
klog_prefix_bdf(const char *msg, const char *hit, char *addr, size_t sz)
{
	const char *p;

	for (p = msg; p < hit; p++)
		if ((p == msg || p[-1] == ' ') && klog_parse_bdf(p, addr, sz) == 0)
			return 0;
	return -1;
}

static void
klog_on_amd_event(struct klog_scan *s, const char *msg, const char *hit)
{
	char addr[REPORT_ADDR_MAX];
	const char *ev = hit + strlen("Event logged [");
	int have;

	have = klog_prefix_bdf(msg, hit, addr, sizeof(addr)) == 0;
	if (*ev == '\0') {
		/* pr_cont lost: the event follows on the next line */
		s->amd_split = 1;
		return;
	}
	klog_amd_event(s, ev, have ? addr : NULL);
}

/* Only firmware bugs of the IOMMU tables count, never ACPI _OSI, VPD ... */
static int
klog_iommu_firmware_bug(const char *msg)
{
	static const char *const words[] = {"DMAR", "IVRS", "AMD-Vi", "IOMMU",  "iommu",
	                                    "RMRR", "DRHD", "IVHD",   "IOAPIC["};
	size_t i;

	if (strstr(msg, "[Firmware Bug]") == NULL)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(msg, words[i]) != NULL)
			return 1;
	return 0;
}

static void
klog_on_amd_found(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	(void)hit;
	s->f.amd_found++;
	s->f.amd_initialised++;
}

static void
klog_on_amd_pt(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	(void)hit;
	s->f.amd_initialised++;
	if (s->f.default_domain[0] == '\0')
		snprintf(s->f.default_domain, sizeof(s->f.default_domain), "passthrough");
}

static void
klog_on_ir_on(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	s->f.ir_enabled = TRI_TRUE;
	if (strncmp(hit, "Enabled IRQ remapping in x2apic", 31) == 0) {
		snprintf(s->f.ir_mode, sizeof(s->f.ir_mode), "x2apic");
		if (s->f.x2apic_optout == TRI_UNKNOWN)
			s->f.x2apic_optout = TRI_FALSE;
	} else if (strncmp(hit, "Enabled IRQ remapping in xapic", 30) == 0)
		snprintf(s->f.ir_mode, sizeof(s->f.ir_mode), "xapic");
	else if (strstr(msg, "AMD-Vi") != NULL)
		s->f.amd_initialised++;
}

/* amd/init.c print_iommu_info(): "X2APIC enabled" follows "Interrupt
 * remapping enabled" only when IR runs in x2APIC mode (amd_iommu_xt_mode);
 * the X2APIC word of "Extended features (...)" is a capability, not this. */
static void
klog_on_amd_x2apic(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	(void)hit;
	s->f.amd_initialised++;
	if (s->f.ir_enabled == TRI_TRUE)
		snprintf(s->f.ir_mode, sizeof(s->f.ir_mode), "x2apic");
}

static void
klog_on_ir_off(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	(void)hit;
	s->f.ir_enabled = TRI_FALSE;
	s->f.ir_mode[0] = '\0';
}

static void
klog_on_optout(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)msg;
	(void)hit;
	s->f.x2apic_optout = TRI_TRUE;
}

static void
klog_on_domain(struct klog_scan *s, const char *msg, const char *hit)
{
	static const char *const types[] = {"translated", "passthrough", "blocked"};
	const char *p = hit + strlen("Default domain type: ");
	size_t i;

	(void)msg;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strncasecmp(p, types[i], strlen(types[i])) == 0)
			snprintf(s->f.default_domain, sizeof(s->f.default_domain), "%s", types[i]);
}

static void
klog_on_group_add(struct klog_scan *s, const char *msg, const char *hit)
{
	const char *p;

	if (strncmp(hit, "iommu: Adding device ", 21) == 0) {
		if ((p = strstr(hit, " to group ")) == NULL)
			return;
		p += strlen(" to group ");
	} else
		p = hit + strlen("Adding to iommu group ");
	if (*p < '0' || *p > '9')
		return;
	s->f.group_adds++;
	/* a device with an IOMMU joins its group when it is added, before any
	 * driver binds ("pci 0000:...: Adding to"); vfio-pci adds a device to
	 * a group only when it makes a no-IOMMU one (drivers/vfio/group.c
	 * vfio_noiommu_group_alloc) */
	if (strncmp(msg, "vfio-pci ", 9) == 0)
		s->f.vfio_group_adds++;
}

static void
klog_on_not_viable(struct klog_scan *s, const char *msg, const char *hit)
{
	(void)hit;
	if (strstr(msg, "group ") != NULL)
		s->f.group_not_viable++;
}

/* Every message is matched against every row; a row either counts into a
 * klog_facts field or calls its handler (or both). */
static const struct klog_pattern klog_patterns[] = {
        {"ACPI: DMAR ", NULL, FACT(acpi_dmar)},
        {"DMAR: Host address width", NULL, FACT(acpi_dmar)},
        {"ACPI: IVRS ", NULL, FACT(acpi_ivrs)},
        {"ACPI: IORT ", NULL, FACT(acpi_iort)},
        {": reg_base_addr ", NULL, FACT(drhd_units)},
        {"Intel(R) Virtualization Technology for Directed I/O", NULL, FACT(vtd_initialised)},
        /* 3.x intel-iommu.c init_dmars(): domains being built, i.e.
         * translation being set up (iommu_prepare_identity_map(),
         * iommu_prepare_isa()); i915_gem_stolen.c: VT-d translates for
         * the GPU.  A `dmesg | grep -i iommu` of 3.x shows these, never
         * the "PCI-DMA: Intel(R) Virtualization ..." line. */
        {"Setting identity map for device", NULL, FACT(vtd_setup)},
        {"Prepare 0-16MiB unity mapping for LPC", NULL, FACT(vtd_setup)},
        {"DMAR active, disabling use of stolen memory", NULL, FACT(vtd_setup)},
        {"DMAR: IOMMU enabled", NULL, FACT(dmar_on_echo)},
        {"Intel-IOMMU: enabled", NULL, FACT(dmar_on_echo)},
        {"DMAR: IOMMU disabled", NULL, FACT(dmar_off_echo)},
        {"Intel-IOMMU: disabled", NULL, FACT(dmar_off_echo)},
        {"AMD-Vi: Found IOMMU", klog_on_amd_found, NOCOUNT},
        {"AMD-Vi: Extended features", NULL, FACT(amd_initialised)},
        {"AMD-Vi: Lazy IO/TLB flushing enabled", NULL, FACT(amd_initialised)},
        {"AMD-Vi: IOMMU performance counters supported", NULL, FACT(amd_initialised)},
        {"perf/amd_iommu: Detected AMD IOMMU", NULL, FACT(amd_initialised)},
        {"AMD-Vi: X2APIC enabled", klog_on_amd_x2apic, NOCOUNT},
        {"AMD-Vi: Virtual APIC enabled", NULL, FACT(amd_initialised)},
        {"AMD-Vi: Initialized for Passthrough Mode", klog_on_amd_pt, NOCOUNT},
        {"AMD IOMMUv2 functionality not available", NULL, FACT(amdv2_unavailable)},
        {"Please enable the IOMMU option in the BIOS setup", NULL, FACT(agp_enable_in_bios)},
        {"AMD-Vi: Unknown option", NULL, FACT(amd_unknown_option)},
        {"arm-smmu", NULL, FACT(arm_smmu)},
        /* irq-gic-v3-its.c its_probe_one() / its_setup_baser(): an ITS
         * the kernel uses; its MSI domain is the isolated kind vfio asks
         * for on arm64 (IRQ_DOMAIN_FLAG_ISOLATED_MSI) */
        {"ITS [mem ", NULL, FACT(gic_its)},
        {"ITS@0x", NULL, FACT(gic_its)},
        /* CPU virtualisation switched off in the firmware: feat_ctl.c
         * (x86/cpu:, 5.6+, also clears vmx from cpuinfo), kvm/vmx/vmx.c,
         * cpu/amd.c + hygon.c and kvm/svm/svm.c, and kvm/x86.c before 6.4 */
        {"VMX (outside TXT) disabled by BIOS", NULL, FACT(virt_off_vmx)},
        {"VMX (inside TXT) disabled by BIOS", NULL, FACT(virt_off_vmx)},
        {"VMX not enabled (by BIOS)", NULL, FACT(virt_off_vmx)},
        {"SVM disabled (by BIOS)", NULL, FACT(virt_off_svm)},
        {"kvm: disabled by bios", NULL, FACT(virt_off_kvm)},
        /* amd/init.c iommu_snp_enable(): iommu=pt (or no IOMMU) and the
         * kernel turns SEV-SNP off ("is disabled" in early versions) */
        {"configured in passthrough mode, SNP cannot be supported", NULL, FACT(snp_no_iommu)},
        {"Enabled IRQ remapping in ", klog_on_ir_on, NOCOUNT},
        {"AMD-Vi: Interrupt remapping enabled", klog_on_ir_on, NOCOUNT},
        {"Not enabling interrupt remapping", klog_on_ir_off, NOCOUNT},
        {"Disabling interrupt remapping", klog_on_ir_off, NOCOUNT},
        {"This system BIOS has enabled interrupt remapping", klog_on_ir_off, NOCOUNT},
        {"interrupt remapping is being disabled", klog_on_ir_off, NOCOUNT},
        {"x2apic is disabled because BIOS sets x2apic opt out bit", klog_on_optout, NOCOUNT},
        {"Default domain type: ", klog_on_domain, NOCOUNT},
        {"Adding to iommu group ", klog_on_group_add, NOCOUNT},
        {"iommu: Adding device ", klog_on_group_add, NOCOUNT},
        {"No interrupt remapping support", NULL, FACT(vfio_no_ir)},
        /* drivers/vfio/group.c vfio_group_find_or_alloc() and
         * vfio_main.c: a device no IOMMU covers, driven with no DMA
         * protection (vfio.enable_unsafe_noiommu_mode) */
        {"Adding kernel taint for vfio-noiommu group", NULL, FACT(noiommu_taint)},
        {"vfio-noiommu device opened by user", NULL, FACT(noiommu_taint)},
        {"due to platform RMRR requirement", NULL, FACT(rmrr_ineligible)},
        {"have a 1:1 IOMMU mapping", NULL, FACT(rmrr_ineligible)},
        {"PCIe ACS overrides enabled", NULL, FACT(acs_override)},
        {" is not viable", klog_on_not_viable, NOCOUNT},
        {"Request device [", klog_on_request, NOCOUNT},
        {"Event logged [", klog_on_amd_event, NOCOUNT},
};

static int
klog_keep(struct klog_scan *s, const struct klog_line *l, const char *msg)
{
	struct report_logline *nl;
	size_t na;

	if (s->nlines >= s->max_lines) {
		s->lines_dropped++;
		return 0;
	}
	if (s->nlines == s->alines) {
		na = s->alines ? s->alines * 2 : 64;
		if (na > s->max_lines)
			na = s->max_lines;
		nl = realloc(s->lines, na * sizeof(*nl));
		if (nl == NULL)
			return -1;
		s->lines = nl;
		s->alines = na;
	}
	nl = &s->lines[s->nlines];
	nl->time = l->time;
	nl->level = l->level;
	if ((nl->text = strdup(msg)) == NULL)
		return -1;
	s->nlines++;
	return 1;
}

/* Append an untimestamped continuation line to the last kept line. */
static int
klog_append(struct klog_scan *s, const char *msg)
{
	struct report_logline *l = &s->lines[s->nlines - 1];
	size_t a = strlen(l->text), b = strlen(msg);
	char *t;

	if (a + 1 + b >= 2 * KLOG_MSG_MAX)
		return 0;
	if ((t = realloc(l->text, a + b + 2)) == NULL)
		return -1;
	t[a] = ' ';
	memcpy(t + a + 1, msg, b + 1);
	l->text = t;
	return 0;
}

static int
klog_related(const char *msg)
{
	static const char *const words[] = {"iommu",     "dmar", "amd-vi", "ivrs",
	                                    "remapping", "vfio", "smmu",   "intr-remap"};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(msg, words[i]) != NULL)
			return 1;
	return 0;
}

/* Do the n bytes at t start with prefix (case sensitive)? */
static int
klog_has_prefix(const char *t, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(t, prefix, k) == 0;
}

/* After "ACPI: ", a line of the table list the kernel prints at boot
 * (drivers/acpi/acpica/tbprint.c acpi_tb_print_table_header): a
 * four-character signature, then the address, "DMAR 0x00000000BF77E0C0
 * 000120 (v01 ..." (2.6.x: "DMAR 7FEF0000, 5A1B (r1 ...").  Dynamic SSDT
 * loads later in boot have the same shape and count too: harmless. */
static int
klog_acpi_table(const char *t, size_t n)
{
	size_t i;

	if (n < 6 || t[4] != ' ')
		return 0;
	for (i = 0; i < 4; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' ||
		      t[i] == '$' || t[i] == '!'))
			return 0;
	return (t[5] >= '0' && t[5] <= '9') || (t[5] >= 'A' && t[5] <= 'F') || t[5] == '(';
}

/* Match one sanitised message; cont is set for a continuation line, gated
 * when klog_gate() found an anchor in it. */
static int
klog_message(struct klog_scan *s, const struct klog_line *l, const char *msg, int cont, int gated)
{
	const struct klog_pattern *pt;
	const char *hit;
	size_t i, len;
	int matched = 0, r;

	if (s->amd_split) {
		s->amd_split = 0;
		if (msg[0] >= 'A' && msg[0] <= 'Z' && strchr(msg, '=') != NULL) {
			klog_amd_event(s, msg, NULL);
			matched = 1;
		}
	}
	if (s->intel.active) {
		if (strstr(msg, "Request device") == NULL &&
		    (hit = klog_reason(msg, &len)) != NULL) {
			klog_intel_flush(s, hit, len);
			matched = 1;
		} else
			klog_intel_flush(s, NULL, 0);
	}
	if (!matched && !gated) {
		if (!cont) {
			s->f.other_seen = 1;
			s->last_kept = 0;
		}
		return 0;
	}
	for (i = 0; i < sizeof(klog_patterns) / sizeof(klog_patterns[0]); i++) {
		pt = &klog_patterns[i];
		if ((hit = strstr(msg, pt->needle)) == NULL)
			continue;
		matched = 1;
		if (pt->counter != NOCOUNT)
			(*(int *)((char *)&s->f + pt->counter))++;
		if (pt->fn != NULL)
			pt->fn(s, msg, hit);
	}
	if (cont)
		return 0;
	if (klog_iommu_firmware_bug(msg)) {
		s->firmware_bugs++;
		/* amd/init.c check_ioapic_information() and the IVHD parser
		 * complain about the IVRS table: it exists */
		if (strstr(msg, "AMD-Vi") != NULL || strstr(msg, "IVRS") != NULL)
			s->f.ivrs_bugs++;
		matched = 1;
	}
	if (strstr(msg, "DMAR") != NULL || strstr(msg, "dmar:") != NULL ||
	    strstr(msg, "INTR-REMAP") != NULL || strstr(msg, "Intel-IOMMU") != NULL) {
		if (strstr(msg, "ACPI: ") != msg)
			s->f.intel_lines++;
		matched = 1;
	}
	if (strstr(msg, "AMD-Vi") != NULL && strstr(msg, "AMD IOMMUv2") == NULL)
		s->f.amd_lines++;
	s->last_kept = 0;
	if (!matched && !klog_related(msg)) {
		s->f.other_seen = 1;
		return 0;
	}
	if ((r = klog_keep(s, l, msg)) == -1)
		return -1;
	s->last_kept = r;
	return 0;
}

/* Can the line be passed over without parsing it?  Once a boot's start,
 * its userspace and an unrelated message were seen, with nothing pending
 * (no kept message to continue, no split fault record), a line changes
 * the scan only when it is noise, a kmsg record that gives the first
 * sequence number, or holds an anchor (klog_gate: the boot and ACPI table
 * markers are anchors too).  The text of a line comes after a non-word
 * byte of the line or at its start, so an anchor in the text is one in
 * the whole line: most of a long log stops here, before the parse that
 * was half of its cost. */
static int
klog_steady_state(const struct klog_scan *s)
{
	return !s->slow_only && s->f.boot_start && s->f.reached_userspace && s->f.other_seen &&
	       !s->last_kept && !s->intel.active && !s->amd_split;
}

static int
klog_steady(const struct klog_scan *s, const char *line, size_t len)
{
	return klog_steady_state(s) && len <= KLOG_MSG_MAX &&
	       klog_line_unremarkable(line, len, s->f.first_seq >= 0) && !klog_gate(line, len);
}

/* In the steady state, the whole lines of [p, lines_end) up to the first
 * that klog_steady could not pass over, passed over at once:
 * klog_gate_scan stops at what klog_steady's checks look for (an anchor,
 * a prompt's bytes or "grep", a line led by a digit or a blank while the
 * first kmsg sequence number is unknown), in one vector pass instead of a
 * search for each newline and a gate for each line.  Where that line
 * starts; p, and *vector cleared, when the CPU has no vector path for it. */
static const char *
klog_pass_over(const struct klog_scan *s, const char *p, const char *lines_end, int *vector)
{
	const char *stop, *nl;
	long at;

	at = klog_gate_scan(p, (size_t)(lines_end - p), s->f.first_seq < 0);
	if (at < 0) {
		*vector = 0;
		return p;
	}
	stop = p + at;
	if (stop >= lines_end)
		return lines_end;
	/* back to the start of the stop's line */
	nl = stop > p ? memrchr(p, '\n', (size_t)(stop - p)) : NULL;
	return nl != NULL ? nl + 1 : p;
}

void
klog_scan_slow_only(struct klog_scan *s)
{
	s->slow_only = 1;
}

int
klog_scan_line(struct klog_scan *s, const char *line, size_t len)
{
	struct klog_line l;
	char msg[KLOG_MSG_MAX];
	const char *t;
	size_t n;
	int cont, gated;

	if (s == NULL || line == NULL)
		return -1;
	if (klog_steady(s, line, len))
		return 0;
	klog_line_parse(line, len, &l);
	if (l.format == KLOG_NOISE && memmem(line, len, "grep", 4) != NULL)
		s->grep_seen = 1;
	if (l.format == KLOG_NOISE || l.format == KLOG_KMSG_CONT || l.format == KLOG_USERSPACE)
		return 0;
	t = l.text;
	n = l.text_len < sizeof(msg) - 1 ? l.text_len : sizeof(msg) - 1;

	/* a new boot in the same file: only the last one describes the host
	 * (the kernel prints it at time 0, or the format carries no time) */
	if (l.time <= 0.0 && klog_has_prefix(t, n, "Linux version ")) {
		klog_scan_clear(s);
		s->f.boot_start = 1;
	}
	if (l.time == 0.0 || l.seq == 0)
		s->f.boot_start = 1;
	if (l.seq >= 0 && s->f.first_seq < 0)
		s->f.first_seq = l.seq;
	/* VT-d and AMD-Vi initialise before init runs: a log that reaches
	 * userspace would show them.  Not a time: big servers take many
	 * seconds to get there. */
	if (!s->f.reached_userspace &&
	    (klog_has_prefix(t, n, "Run /") || klog_has_prefix(t, n, "Freeing unused kernel") ||
	     klog_has_prefix(t, n, "systemd[1]: ")))
		s->f.reached_userspace = 1;

	if (klog_has_prefix(t, n, "ACPI: ") && klog_acpi_table(t + 6, n - 6))
		s->f.acpi_tables++;

	cont = l.format == KLOG_BARE && len > 0 && (line[0] == ' ' || line[0] == '\t') &&
	       s->last_kept && s->nlines > 0;
	/* most lines of a long log stop here, before copying, cleaning and
	 * matching */
	gated = klog_gate(t, n);
	if (!gated && !cont && !s->intel.active && !s->amd_split) {
		s->f.other_seen = 1;
		s->last_kept = 0;
		return 0;
	}
	memcpy(msg, t, n);
	msg[n] = '\0';
	klog_sanitise(msg, n);
	if (cont && klog_append(s, msg) == -1)
		s->failed = 1;
	else if (klog_message(s, &l, msg, cont, gated) == -1)
		s->failed = 1;
	return s->failed ? -1 : 0;
}

int
klog_scan_feed(struct klog_scan *s, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl, *lines_end;
	size_t used;
	int vector = 1;

	if (s == NULL || (data == NULL && len > 0))
		return -1;
	if (s->carry.active) {
		if (!linecarry_take(&s->carry, p, len, &used))
			return 0;
		p += used;
		if (klog_scan_line(s, s->carry.buf, s->carry.n) == -1)
			return -1;
		linecarry_reset(&s->carry);
	}
	/* whole lines straight from the chunk (ending at lines_end, found
	 * once), the tail into carry */
	nl = p < end ? memrchr(p, '\n', (size_t)(end - p)) : NULL;
	lines_end = nl != NULL ? nl + 1 : p;
	while (p < end) {
		if (vector && p < lines_end && klog_steady_state(s))
			p = klog_pass_over(s, p, lines_end, &vector);
		if (p >= end)
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			(void)linecarry_take(&s->carry, p, (size_t)(end - p), &used);
			break;
		}
		if (klog_scan_line(s, p, (size_t)(nl - p)) == -1)
			return -1;
		p = nl + 1;
	}
	return 0;
}

/* A last line without its newline: 0, or -1. */
static int
klog_flush_carry(struct klog_scan *s)
{
	int rc = 0;

	if (s->carry.active && klog_scan_line(s, s->carry.buf, s->carry.n) == -1)
		rc = -1;
	linecarry_reset(&s->carry);
	return rc;
}

/* A whole text in one piece, through the same path as a stream (line
 * bound and all), so tests and the fuzzer exercise what production runs. */
int
klog_scan_text(struct klog_scan *s, const char *text, size_t len)
{
	if (klog_scan_feed(s, text, len) == -1)
		return -1;
	return klog_flush_carry(s);
}

int
klog_scan_finish(struct klog_scan *s, struct report_kernel_log *out, struct klog_facts *facts)
{
	if (s == NULL)
		return -1;
	if (klog_flush_carry(s) == -1)
		s->failed = 1;
	klog_intel_flush(s, NULL, 0);
	out->lines = s->lines;
	out->nlines = s->nlines;
	out->faults = s->faults;
	out->nfaults = s->nfaults;
	out->fault_total = s->fault_total;
	out->firmware_bugs = s->firmware_bugs;
	*facts = s->f;
	/* a grep excerpt may hold a 0.000000 line, yet not the boot itself */
	if (s->grep_seen)
		facts->boot_start = 0;
	facts->grep_excerpt = s->grep_seen;
	facts->lines_dropped = s->lines_dropped;
	facts->faults_dropped = s->faults_dropped;
	s->lines = NULL;
	s->faults = NULL;
	s->nlines = s->alines = s->nfaults = 0;
	return s->failed ? -1 : 0;
}
