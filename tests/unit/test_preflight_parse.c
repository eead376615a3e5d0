/*
 * test_preflight_parse.c - the pure parsers of the whole-group preflight:
 * the PCIe extended capability walk for ACS over config-space bytes
 * (pcicfg_parse.c), /proc/self/mountinfo, /proc/net/route and sysfs paths
 * (critical_parse.c), the vfio-pci.ids lint (hostinfo_parse.c), and the
 * chunked kernel log feed (klog_scan.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/hostinfo.h"
#include "agent/klog.h"
#include "agent/sysfs.h"

/* A 4096-byte config space of a PCIe port of type port_type, with the
 * standard capability list holding the PCIe capability at 0x40, and the
 * extended capabilities AER (0x100) -> ACS at acs_off (0 for none). */
static void
make_cfg(unsigned char *cfg, int port_type, size_t acs_off, unsigned cap, unsigned ctrl)
{
	memset(cfg, 0, 4096);
	cfg[0x06] = 0x10; /* status: capability list */
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x10; /* PCI Express, next 0 */
	cfg[0x42] = (unsigned char)(port_type << 4);
	/* AER: id 0x0001, version 1, next acs_off */
	cfg[0x100] = 0x01;
	cfg[0x102] = (unsigned char)(0x1 | ((acs_off & 0xf) << 4));
	cfg[0x103] = (unsigned char)(acs_off >> 4);
	if (acs_off != 0) {
		cfg[acs_off] = 0x0d; /* ACS, version 1, next 0 */
		cfg[acs_off + 2] = 0x01;
		cfg[acs_off + 4] = (unsigned char)cap;
		cfg[acs_off + 6] = (unsigned char)ctrl;
	}
}

/* Real config spaces, from `lspci -xxxx` dumps in pciutils' own test data
 * (github.com/pciutils/pciutils, tests/cap-aer-root: a Haswell-E root port;
 * tests/tree-asus-p6t6: an X58 I/O hub root port): every non-zero row, as
 * lspci printed it; the rows left out are zero. */
static const char *const haswell_e_root_port_2[] = {
        "00: 86 80 04 2f 07 00 10 00 02 00 04 06 10 00 81 00",
        "10: 00 00 00 00 00 00 00 00 00 03 03 00 f0 00 00 20",
        "20: 00 be 10 c0 f1 ff 01 00 00 00 00 00 00 00 00 00",
        "30: 00 00 00 00 40 00 00 00 00 00 00 00 0b 01 10 00",
        "40: 0d 60 00 00 86 80 00 00 00 00 00 00 00 00 00 00",
        "60: 05 90 02 01 00 00 00 00 00 00 00 00 00 00 00 00",
        "90: 10 e0 42 00 01 80 00 00 20 00 00 00 83 38 7a 03",
        "a0: 40 00 83 70 00 00 00 00 c0 07 48 01 00 00 01 00",
        "b0: 00 00 00 00 be 13 00 00 20 00 00 00 0e 00 00 00",
        "c0: 03 00 1e 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "e0: 01 00 03 c8 08 00 00 00 00 00 00 00 00 00 00 00",
        "100: 0b 00 01 11 02 00 c0 00 07 33 00 00 00 00 00 00",
        "110: 0d 00 81 14 1f 00 1f 00 00 00 00 00 00 00 00 00",
        "140: 00 00 00 00 00 00 00 00 01 00 01 1d 00 00 00 00",
        "150: 00 00 00 00 30 20 06 00 00 00 00 00 00 20 00 00",
        "180: 91 30 18 00 00 00 00 00 48 10 10 e4 00 00 00 00",
        "190: 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "1d0: 0b 00 01 25 03 00 a1 00 00 00 00 00 00 00 00 00",
        "200: 01 00 00 00 00 00 00 00 40 00 00 00 00 00 00 00",
        "210: 02 00 00 00 06 00 00 00 00 00 00 00 00 00 00 00",
        "250: 19 00 01 28 00 00 00 00 ff 00 00 00 77 27 77 27",
        "260: 77 27 77 27 77 27 77 27 77 27 77 27 77 27 77 27",
        "270: 77 27 77 27 77 27 77 27 77 27 77 27 00 00 00 00",
        "280: 0b 00 01 30 05 00 83 01 00 00 00 40 00 00 00 00",
        "290: 00 00 00 00 00 00 00 00 0b 00 01 30 07 00 40 02",
        "2a0: 00 00 00 00 01 00 08 00 00 00 00 00 00 00 00 0a",
        "2b0: 04 20 00 03 00 00 10 00 00 00 00 00 00 00 00 00",
        "300: 0b 00 01 00 08 00 80 03 00 00 00 00 0f 00 00 00",
        "480: 00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff",
        "490: 00 00 0f 0f 00 00 00 00 00 00 00 00 00 00 00 00",
        "4c0: 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        NULL,
};

static const char *const x58_root_port_1[] = {
        "00: 86 80 08 34 04 01 10 00 12 00 04 06 10 00 01 00",
        "10: 00 00 00 00 00 00 00 00 00 01 01 00 f0 00 00 00",
        "20: f0 ff 00 00 f1 ff 01 00 00 00 00 00 00 00 00 00",
        "30: 00 00 00 00 40 00 00 00 00 00 00 00 00 00 02 00",
        "40: 0d 60 00 00 43 10 6b 83 00 00 00 00 00 00 00 00",
        "60: 05 90 02 01 00 00 00 00 00 00 00 00 00 00 00 00",
        "90: 10 e0 42 01 21 80 00 00 00 01 00 00 42 3c 39 00",
        "a0: 00 00 01 10 80 0c 08 00 c0 03 08 00 10 00 01 00",
        "b0: 00 00 00 00 3e 00 00 00 09 00 00 00 00 00 00 00",
        "c0: 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "e0: 01 00 03 c8 08 00 00 00 00 00 00 00 00 00 00 00",
        "100: 01 00 01 15 00 00 00 00 00 00 00 00 30 20 06 00",
        "110: 00 00 00 00 00 20 00 00 00 00 00 00 00 00 00 00",
        "150: 0d 00 01 16 1f 00 00 00 03 69 00 00 00 00 00 00",
        "160: 0b 00 00 00 02 00 c0 00 00 00 00 00 00 00 00 00",
        "180: 11 30 18 00 00 00 00 00 00 10 00 20 00 00 00 00",
        "190: 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "1e0: 00 00 00 00 40 00 00 00 00 00 00 00 00 00 00 00",
        "210: 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "400: 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        NULL,
};

/* lspci's "OFF: b0 b1 ... b15" rows into a zeroed 4096-byte space. */
static void
load_dump(unsigned char *cfg, const char *const *rows)
{
	unsigned long off;
	char *end;
	int i;

	memset(cfg, 0, 4096);
	for (; *rows != NULL; rows++) {
		off = strtoul(*rows, &end, 16);
		assert_true(*end == ':' && off + 16 <= 4096);
		for (i = 0; i < 16; i++)
			cfg[off + (unsigned long)i] =
			        (unsigned char)strtoul(end + 1 + 3 * i, NULL, 16);
	}
}

/* Real root ports: the walk finds ACS through vendor-specific and AER
 * capabilities, enabled on one, present but off on the other (Linux turns
 * it on only when an IOMMU is in use: pci_enable_acs()). */
static void
test_pcicfg_real(void **state)
{
	static unsigned char cfg[4096];
	struct pcicfg_info info;

	(void)state;
	load_dump(cfg, haswell_e_root_port_2);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.port_type, 4);
	assert_int_equal(info.acs, TRI_TRUE);

	load_dump(cfg, x58_root_port_1);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.port_type, 4);
	assert_int_equal(info.acs, TRI_FALSE);
	/* as a user reads it: 64 bytes say nothing of ACS */
	assert_int_equal(pcicfg_parse(cfg, 64, &info), 0);
	assert_int_equal(info.acs, TRI_UNKNOWN);
}

static void
test_pcicfg_acs(void **state)
{
	static unsigned char cfg[4096];
	struct pcicfg_info info;

	(void)state;
	/* 1. a root port with ACS, every implemented bit enabled */
	make_cfg(cfg, 4, 0x148, 0x1f, 0x1f);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.port_type, 4);
	assert_int_equal(info.acs, TRI_TRUE);
	assert_string_equal(pcicfg_port_name(info.port_type), "root port");
	/* 2. ACS present, request redirect not enabled: not isolating */
	make_cfg(cfg, 6, 0x148, 0x1f, 0x1b);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.acs, TRI_FALSE);
	/* 3. only what the port implements is asked: no UF, none enabled */
	make_cfg(cfg, 6, 0x148, 0x0d, 0x0d);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.acs, TRI_TRUE);
	/* 4. no ACS capability in the list */
	make_cfg(cfg, 4, 0, 0, 0);
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.acs, TRI_FALSE);
	/* 5. unprivileged: 64 bytes, port type unknown, ACS unknown */
	assert_int_equal(pcicfg_parse(cfg, 64, &info), 0);
	assert_int_equal(info.acs, TRI_UNKNOWN);
	/* 6. 256 bytes (conventional PCI or cut): ACS unknown */
	assert_int_equal(pcicfg_parse(cfg, 256, &info), 0);
	assert_int_equal(info.port_type, 4);
	assert_int_equal(info.acs, TRI_UNKNOWN);
	/* 7. a loop in the extended list ends (AER points at itself) */
	make_cfg(cfg, 4, 0, 0, 0);
	cfg[0x102] = 0x01;
	cfg[0x103] = 0x10; /* next = 0x100 */
	assert_int_equal(pcicfg_parse(cfg, sizeof(cfg), &info), 0);
	assert_int_equal(info.acs, TRI_FALSE);
	/* 8. too short to be config space */
	assert_int_equal(pcicfg_parse(cfg, 10, &info), -1);
}

static void
test_mountinfo(void **state)
{
	unsigned maj = 0, min = 0;

	(void)state;
	assert_int_equal(
	        critical_parse_mountinfo(
	                "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	                "28 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg0-root rw\n"
	                "30 28 259:2 / /boot rw,relatime shared:13 - ext4 /dev/nvme0n1p2 rw\n",
	                &maj, &min),
	        0);
	assert_int_equal(maj, 254);
	assert_int_equal(min, 0);
	/* no "/" mount: unknown, never a guess */
	assert_int_equal(
	        critical_parse_mountinfo("30 28 259:2 / /boot rw - ext4 x rw\n", &maj, &min), -1);
	assert_int_equal(critical_parse_mountinfo("", &maj, &min), -1);
	/* found by fuzz_evidence: fields never run on into the next line,
	 * and major:minor is digits:digits, nothing looser */
	assert_int_equal(critical_parse_mountinfo("28 1\n254:0 / / rw\n", &maj, &min), -1);
	assert_int_equal(critical_parse_mountinfo("28 1 2: 2:0 / / rw\n", &maj, &min), -1);
	assert_int_equal(critical_parse_mountinfo("28 1 -1:0 / / rw\n", &maj, &min), -1);
	assert_int_equal(critical_parse_mountinfo("28 1 8:1 / /\n", &maj, &min), 0);
	assert_int_equal(maj, 8);
	assert_int_equal(min, 1);
}

static void
test_route(void **state)
{
	char iface[32];

	(void)state;
	assert_int_equal(
	        critical_parse_route(
	                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	                "eno2\t00000000\t0100000A\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
	                "bond0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	                "bond0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
	                iface, sizeof(iface)),
	        0);
	assert_string_equal(iface, "bond0"); /* the lowest metric */
	/* a default route that is down (flags 0) is no route */
	assert_int_equal(
	        critical_parse_route("Iface\tDestination\n"
	                             "eth0\t00000000\t0100000A\t0000\t0\t0\t0\t00000000\t0\n",
	                             iface, sizeof(iface)),
	        -1);
	/* a route's fields do not run on into the next line */
	assert_int_equal(critical_parse_route("eth0\t00000000\t0100000A\n0003\t0\t0\t0\t00000000\n",
	                                      iface, sizeof(iface)),
	                 -1);
}

static void
test_path_addrs(void **state)
{
	char a[8][REPORT_ADDR_MAX];

	(void)state;
	assert_int_equal(critical_path_addrs("../../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/"
	                                     "nvme/nvme0/nvme0n1/nvme0n1p1",
	                                     a, 8),
	                 2);
	assert_string_equal(a[0], "0000:00:1d.0");
	assert_string_equal(a[1], "0000:3d:00.0");
	assert_int_equal(critical_path_addrs("../../devices/virtual/net/br0", a, 8), 0);
	/* VMD: a 5-digit domain */
	assert_int_equal(critical_path_addrs("/devices/pci0000:00/0000:00:0e.0/pci10000:e0/"
	                                     "10000:e0:06.0/10000:e1:00.0",
	                                     a, 8),
	                 3);
	assert_string_equal(a[2], "10000:e1:00.0");
}

static int
has_warning(const struct report_cmdline *c, const char *part)
{
	size_t i;

	for (i = 0; i < c->warnings.n; i++)
		if (strstr(c->warnings.v[i], part) != NULL)
			return 1;
	return 0;
}

static void
test_vfio_ids_lint(void **state)
{
	struct report c;

	(void)state;
	/* the kernel ignores vfio-pci-ids= and vfio_pci_ids=: named */
	report_init(&c);
	assert_int_equal(
	        cmdline_parse("ro quiet vfio-pci-ids=10de:1eb8 VFIO_PCI.IDS=1002:67df", &c.cmdline),
	        0);
	assert_true(has_warning(&c.cmdline, "vfio-pci-ids=: the kernel ignores this spelling"));
	assert_true(has_warning(&c.cmdline, "VFIO_PCI.IDS=: the kernel ignores"));
	report_free(&c);
	/* vfio_pci.ids and vfio-pci.ids are the same parameter: no warning */
	report_init(&c);
	assert_int_equal(cmdline_parse("vfio_pci.ids=10de:1eb8,10de:10f8", &c.cmdline), 0);
	assert_int_equal(c.cmdline.warnings.n, 0);
	report_free(&c);
	/* an entry vfio-pci cannot read */
	report_init(&c);
	assert_int_equal(cmdline_parse("vfio-pci.ids=10de:1eb8,10de-10f8", &c.cmdline), 0);
	assert_true(has_warning(&c.cmdline, "\"10de-10f8\" is not VENDOR:DEVICE"));
	report_free(&c);
	/* many bad entries: four named, the rest counted in one line (every
	 * device's preflight copies these warnings) */
	report_init(&c);
	assert_int_equal(cmdline_parse("vfio-pci.ids=a,b,c,d,e,f,g,10de:1eb8", &c.cmdline), 0);
	assert_int_equal(c.cmdline.warnings.n, 5);
	assert_true(has_warning(&c.cmdline, "\"d\" is not VENDOR:DEVICE"));
	assert_false(has_warning(&c.cmdline, "\"e\" is not VENDOR:DEVICE"));
	assert_true(
	        has_warning(&c.cmdline, "vfio-pci.ids: 3 more entries that are not VENDOR:DEVICE"));
	report_free(&c);
}

/* The same log fed whole and in chunks of every small size gives the same
 * facts: lines split across chunks are joined. */
static void
test_klog_feed_chunks(void **state)
{
	static const char log[] =
	        "[    0.000000] Linux version 6.1.0\n"
	        "[    0.100000] DMAR: Host address width 46\n"
	        "[    0.200000] DMAR-IR: Enabled IRQ remapping in x2apic mode\n"
	        "[    0.300000] DMAR: Intel(R) Virtualization Technology for Directed I/O\n"
	        "[   12.000000] DMAR: [DMA Read NO_PASID] Request device [3b:00.0] fault addr "
	        "0x1000 [fault reason 0x06] PTE Read access is not set";
	struct report_kernel_log out;
	struct klog_facts f;
	struct klog_scan *s;
	size_t chunk, i, n;

	(void)state;
	for (chunk = 1; chunk <= 64; chunk++) {
		s = klog_scan_new(100);
		assert_non_null(s);
		for (i = 0; i < sizeof(log) - 1; i += n) {
			n = sizeof(log) - 1 - i < chunk ? sizeof(log) - 1 - i : chunk;
			assert_int_equal(klog_scan_feed(s, log + i, n), 0);
		}
		memset(&out, 0, sizeof(out));
		assert_int_equal(klog_scan_finish(s, &out, &f), 0);
		assert_int_equal(f.boot_start, 1);
		assert_int_equal(f.vtd_initialised, 1);
		assert_string_equal(f.ir_mode, "x2apic");
		assert_int_equal(out.fault_total, 1); /* the last line had no newline */
		assert_int_equal(out.nlines, 4);
		klog_scan_free(s);
		out.source = NULL;
		{
			struct report r;

			report_init(&r);
			r.kernel_log = out;
			report_free(&r);
		}
	}
}

/* Past the kept maximum, lines are counted, not silently lost. */
static void
test_klog_lines_dropped(void **state)
{
	struct report r;
	struct klog_facts f;
	struct klog_scan *s;
	int i;

	(void)state;
	s = klog_scan_new(3);
	for (i = 0; i < 5; i++)
		assert_int_equal(klog_scan_line(s, "DMAR: dmar0: Using Queued invalidation", 38),
		                 0);
	report_init(&r);
	assert_int_equal(klog_scan_finish(s, &r.kernel_log, &f), 0);
	assert_int_equal(r.kernel_log.nlines, 3);
	assert_int_equal(f.lines_dropped, 2);
	klog_scan_free(s);
	report_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pcicfg_acs),       cmocka_unit_test(test_pcicfg_real),
	        cmocka_unit_test(test_mountinfo),        cmocka_unit_test(test_route),
	        cmocka_unit_test(test_path_addrs),       cmocka_unit_test(test_vfio_ids_lint),
	        cmocka_unit_test(test_klog_feed_chunks), cmocka_unit_test(test_klog_lines_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
