/*
 * test_sysfs_parse.c - attribute text parsers of sysfs_parse.c (pure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/sysfs.h"
#include "proto/pci_addr.h"

static void
test_hex(void **state)
{
	(void)state;
	assert_int_equal(sysfs_parse_hex("0x10de\n", 0xffff), 0x10de);
	assert_int_equal(sysfs_parse_hex("0x030000\n", 0xffffff), 0x030000);
	assert_int_equal(sysfs_parse_hex("ffff", 0xffff), 0xffff);
	assert_int_equal(sysfs_parse_hex("  0X1aF4 ", 0xffff), 0x1af4);
	assert_int_equal(sysfs_parse_hex("0x10000", 0xffff), -1);
	assert_int_equal(sysfs_parse_hex("0xffffffffffffffffffff", 0xffffff), -1);
	assert_int_equal(sysfs_parse_hex("", 0xffff), -1);
	assert_int_equal(sysfs_parse_hex("0x", 0xffff), -1);
	assert_int_equal(sysfs_parse_hex("0x10de junk", 0xffff), -1);
	assert_int_equal(sysfs_parse_hex("-1", 0xffff), -1);
	assert_int_equal(sysfs_parse_hex("5", 0), -1);
	assert_int_equal(sysfs_parse_hex(NULL, 0xffff), -1);
}

static void
test_regions(void **state)
{
	/* a real Intel host: an RMRR unity map, the MSI window */
	const char *text = "0x00000000000e8000 0x00000000000e8fff direct\n"
	                   "0x000000007b800000 0x000000007fffffff direct-relaxable\n"
	                   "0x00000000fee00000 0x00000000feefffff msi\n";
	struct report_region *r;
	char err[128];
	size_t n, i;

	(void)state;
	assert_int_equal(sysfs_parse_regions(text, &r, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_true(r[0].start == 0xe8000 && r[0].end == 0xe8fff);
	assert_string_equal(r[0].type, "direct");
	assert_string_equal(r[1].type, "direct-relaxable");
	assert_true(r[2].start == 0xfee00000ULL && r[2].end == 0xfeefffffULL);
	assert_string_equal(r[2].type, "msi");
	for (i = 0; i < n; i++)
		free(r[i].type);
	free(r);

	assert_int_equal(sysfs_parse_regions("", &r, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(r);

	assert_int_equal(
	        sysfs_parse_regions("0x0 0x10 msi\n0x20 zz msi\n", &r, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: malformed region");
	assert_null(r);
	/* end before start */
	assert_int_equal(sysfs_parse_regions("0x20 0x10 msi\n", &r, &n, err, sizeof(err)), -1);
	/* no type */
	assert_int_equal(sysfs_parse_regions("0x0 0x10\n", &r, &n, err, sizeof(err)), -1);
}

static void
test_regions_bounded(void **state)
{
	struct report_region *r;
	char err[128], *text;
	const char *line = "0x0000000000000000 0x0000000000000fff reserved\n";
	size_t n, i, len = strlen(line);

	(void)state;
	text = malloc(len * 300 + 1);
	assert_non_null(text);
	for (i = 0; i < 300; i++)
		memcpy(text + i * len, line, len);
	text[len * 300] = '\0';
	assert_int_equal(sysfs_parse_regions(text, &r, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "more than 256 regions");
	free(text);
}

static void
test_words(void **state)
{
	struct strlist l = {NULL, 0};
	char big[600];

	(void)state;
	assert_int_equal(sysfs_parse_words("flr bus\n", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "flr");
	assert_string_equal(l.v[1], "bus");
	strlist_free(&l);
	assert_int_equal(sysfs_parse_words("  \n", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(sysfs_parse_words("device_specific acpi flr af_flr pm bus", &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[5], "bus");
	strlist_free(&l);
	/* a word too long after good ones: no half list (found by fuzz_evidence) */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "flr bus ", 8);
	assert_int_equal(sysfs_parse_words(big, &l), -1);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void
test_interrupts(void **state)
{
	const char *ir =
	        "           CPU0       CPU1       \n"
	        "  0:         36          0   IO-APIC   2-edge      timer\n"
	        "  8:          0          0  IR-IO-APIC    8-edge      rtc0\n"
	        "124:          0         27  IR-PCI-MSI-0000:00:14.0    0-edge      xhci_hcd\n";
	const char *msix = "           CPU0\n"
	                   " 40:          0  IR-PCI-MSIX-0000:01:00.0    0-edge      nvme0q0\n";
	const char *plain = "           CPU0       CPU1       \n"
	                    "  0:         36          0   IO-APIC   2-edge      timer\n"
	                    " 25:          0          0   PCI-MSI 458752-edge      PCIe PME\n"
	                    " 26:          0          0  DMAR-MSI    0-edge      dmar0\n";

	(void)state;
	assert_int_equal(sysfs_parse_interrupts_ir(ir), 1);
	assert_int_equal(sysfs_parse_interrupts_ir(msix), 1);
	assert_int_equal(sysfs_parse_interrupts_ir(plain), 0);
	assert_int_equal(sysfs_parse_interrupts_ir(""), 0);
	/* part of another word is not a chip */
	assert_int_equal(sysfs_parse_interrupts_ir(" 9: 0 XIR-IO-APIC 9-fasteoi acpi\n"), 0);
}

/* arm64: the GICv3 ITS names its MSI chips; GICv2m's are not isolated */
static void
test_interrupts_its(void **state)
{
	const char *its = "           CPU0       CPU1\n"
	                  " 11:      12345      23456     GICv3  30 Level     arch_timer\n"
	                  " 50:          0          0   ITS-MSI 524288 Edge      PCIe PME, aerdrv\n"
	                  " 51:        123          0   ITS-MSI 1572864 Edge      nvme0q0\n";
	const char *v2m = "           CPU0\n"
	                  " 49:          0   GICv2m-PCI-MSI 524288 Edge      PCIe PME\n";

	(void)state;
	assert_int_equal(sysfs_parse_interrupts_its(its), 1);
	assert_int_equal(sysfs_parse_interrupts_ir(its), 0);
	assert_int_equal(sysfs_parse_interrupts_its(v2m), 0);
	assert_int_equal(sysfs_parse_interrupts_its(" 8:  0  IR-IO-APIC  8-edge  rtc0\n"), 0);
}

static void
test_address(void **state)
{
	(void)state;
	assert_int_equal(pci_addr_valid("0000:01:00.0", 12), 1);
	assert_int_equal(pci_addr_valid("0000:00:1f.7", 12), 1);
	assert_int_equal(pci_addr_valid("10000:e1:00.0", 13), 1); /* VMD */
	assert_int_equal(pci_addr_valid("0000:00:20.0", 12), 0);  /* device > 1f */
	assert_int_equal(pci_addr_valid("0000:00:1f.8", 12), 0);
	assert_int_equal(pci_addr_valid("01:00.0", 7), 0);
	assert_int_equal(pci_addr_valid("0000:0g:00.0", 12), 0);
	assert_int_equal(pci_addr_valid("0000:01:00:0", 12), 0);
	assert_int_equal(pci_addr_valid("0000:01:00.0x", 13), 0);
	assert_int_equal(pci_addr_valid("ff8d0000.usb", 12), 0);
	assert_int_equal(pci_addr_valid("../../etc/p", 11), 0);
	assert_int_equal(pci_addr_valid("", 0), 0);
	assert_int_equal(pci_addr_valid(NULL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hex),
	        cmocka_unit_test(test_regions),
	        cmocka_unit_test(test_regions_bounded),
	        cmocka_unit_test(test_words),
	        cmocka_unit_test(test_interrupts),
	        cmocka_unit_test(test_interrupts_its),
	        cmocka_unit_test(test_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
