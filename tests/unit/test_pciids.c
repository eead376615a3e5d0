/*
 * test_pciids.c - device names from pci.ids text and the capture subset
 * (pciids.c, pure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/pciids.h"
#include "common/readall.h"

static char *scan_in_pieces(const char *text, size_t len, size_t size, struct report_iommu *iommu);

/* An excerpt in the file's own layout (tabs, two spaces after ids). */
static const char excerpt[] =
        "#\n"
        "#\tList of PCI ID's\n"
        "#\n"
        "# Vendors, devices and subsystems. Please keep sorted.\n"
        "\n"
        "1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
        "\t67df  Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]\n"
        "\t\t1002 0b37  Radeon RX 480\n"
        "\t\t1da2 e366  Nitro+ Radeon RX 570/580/590\n"
        "10de  NVIDIA Corporation\n"
        "\t0fba  GM206 High Definition Audio Controller\n"
        "\t1401  GM206 [GeForce GTX 960]\n"
        "\t\t1043 8520  GeForce GTX 960\n"
        "\t1402  GM206 [GeForce GTX 950]\n"
        "10ec  Realtek Semiconductor Co., Ltd.\n"
        "\t8168  RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller\r\n"
        "8086  Intel Corporation\n"
        "\t1901  6th-10th Gen Core Processor PCIe Controller (x16)\n"
        "\t\t8086 1901  subsystem line that must not name 8086:8086\n"
        "ffff  Illegal Vendor ID\n"
        "\n"
        "# List of known device classes, subclasses and programming interfaces\n"
        "C 03  Display controller\n"
        "\t00  VGA compatible controller\n"
        "\t\t00  VGA controller\n"
        "C 06  Bridge\n"
        "\t04  PCI bridge\n";

static void
device(struct report_device *d, const char *addr, int vendor, int dev)
{
	report_device_init(d);
	snprintf(d->address, sizeof(d->address), "%s", addr);
	d->vendor_id = vendor;
	d->device_id = dev;
}

/* Group 1: root port + GTX 960 + its audio; ungrouped: a NIC, an RX 580,
 * a device pci.ids does not know, one with unknown ids. */
static void
make_iommu(struct report_iommu *iommu, struct report_group *g, struct report_device *gd,
           struct report_device *ud)
{
	memset(iommu, 0, sizeof(*iommu));
	report_group_init(g);
	g->id = 1;
	device(&gd[0], "0000:00:01.0", 0x8086, 0x1901);
	device(&gd[1], "0000:01:00.0", 0x10de, 0x1401);
	device(&gd[2], "0000:01:00.1", 0x10de, 0x0fba);
	g->devices = gd;
	g->ndevices = 3;
	iommu->groups = g;
	iommu->ngroups = 1;
	device(&ud[0], "0000:18:00.0", 0x10ec, 0x8168);
	device(&ud[1], "0000:10:00.0", 0x1002, 0x67df);
	device(&ud[2], "0000:20:00.0", 0x10de, 0x2204); /* not in the excerpt */
	device(&ud[3], "0000:21:00.0", -1, -1);
	device(&ud[4], "0000:22:00.0", 0x8086, 0x8086); /* only a subsystem id */
	device(&ud[5], "0000:23:00.0", 0x1002, 0x67df); /* a second RX 580 */
	iommu->ungrouped = ud;
	iommu->nungrouped = 6;
}

static void
free_names(struct report_device *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].name);
		d[i].name = NULL;
	}
}

static void
test_name_devices(void **state)
{
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];

	(void)state;
	make_iommu(&iommu, &g, gd, ud);
	assert_int_equal(pciids_name_devices(excerpt, strlen(excerpt), &iommu), 0);
	assert_string_equal(gd[0].name, "Intel Corporation 6th-10th Gen Core "
	                                "Processor PCIe Controller (x16)");
	assert_string_equal(gd[1].name, "NVIDIA Corporation GM206 [GeForce GTX 960]");
	assert_string_equal(gd[2].name, "NVIDIA Corporation GM206 High Definition "
	                                "Audio Controller");
	/* a CRLF line loses its CR */
	assert_string_equal(ud[0].name,
	                    "Realtek Semiconductor Co., Ltd. "
	                    "RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller");
	assert_string_equal(ud[1].name, "Advanced Micro Devices, Inc. [AMD/ATI] "
	                                "Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]");
	assert_null(ud[2].name);
	assert_null(ud[3].name);
	assert_null(ud[4].name);
	assert_string_equal(ud[5].name, ud[1].name);
	free_names(gd, 3);
	free_names(ud, 6);
}

static void
test_class_section_is_not_devices(void **state)
{
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	/* "C 03" then "\t00": vendor 0xffff's last device must not become 03:00 */
	const char text[] = "ffff  Illegal Vendor ID\n"
	                    "C 03  Display controller\n"
	                    "\t0000  not a device\n";

	(void)state;
	make_iommu(&iommu, &g, gd, ud);
	ud[3].vendor_id = 0xffff;
	ud[3].device_id = 0x0000;
	assert_int_equal(pciids_name_devices(text, strlen(text), &iommu), 0);
	assert_null(ud[3].name);
	/* text without a final newline, and a truncated length */
	assert_int_equal(pciids_name_devices("10de  NVIDIA Corporation\n\t1401  GM206", 37, &iommu),
	                 0);
	assert_string_equal(gd[1].name, "NVIDIA Corporation GM206");
	free_names(gd, 3);
	assert_int_equal(pciids_name_devices("", 0, &iommu), 0);
}

static void
test_subset(void **state)
{
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	char *sub;
	size_t len;

	(void)state;
	make_iommu(&iommu, &g, gd, ud);
	sub = pciids_subset(excerpt, strlen(excerpt), &iommu, &len);
	assert_non_null(sub);
	assert_int_equal(len, strlen(sub));
	assert_string_equal(sub,
	                    "# pci.ids lines for this host's devices (iommu-agent)\n"
	                    "1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
	                    "\t67df  Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]\n"
	                    "10de  NVIDIA Corporation\n"
	                    "\t0fba  GM206 High Definition Audio Controller\n"
	                    "\t1401  GM206 [GeForce GTX 960]\n"
	                    "10ec  Realtek Semiconductor Co., Ltd.\n"
	                    "\t8168  RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller\r\n"
	                    "8086  Intel Corporation\n"
	                    "\t1901  6th-10th Gen Core Processor PCIe Controller (x16)\n");
	/* the subset names the devices exactly as the whole file does */
	assert_int_equal(pciids_name_devices(sub, len, &iommu), 0);
	assert_string_equal(gd[1].name, "NVIDIA Corporation GM206 [GeForce GTX 960]");
	assert_string_equal(ud[0].name,
	                    "Realtek Semiconductor Co., Ltd. "
	                    "RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller");
	assert_null(ud[2].name);
	free_names(gd, 3);
	free_names(ud, 6);
	free(sub);
}

/* The system's pci.ids (caller frees), or NULL when there is none. */
static char *
read_real(size_t *len)
{
	struct growbuf b = {NULL, 0, 0};
	FILE *f;

	f = fopen("/usr/share/misc/pci.ids", "r");
	if (f == NULL)
		return NULL;
	assert_int_equal(readall_bounded(f, 16u << 20, &b), 0);
	fclose(f);
	assert_true(b.len > 0);
	*len = b.len;
	return b.data;
}

static void
test_real_pciids(void **state)
{
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	size_t size = 0;
	char *text;

	(void)state;
	if ((text = read_real(&size)) == NULL)
		skip();
	make_iommu(&iommu, &g, gd, ud);
	assert_int_equal(pciids_name_devices(text, size, &iommu), 0);
	assert_string_equal(gd[1].name, "NVIDIA Corporation GM206 [GeForce GTX 960]");
	assert_null(ud[3].name);
	free_names(gd, 3);
	free_names(ud, 6);
	free(text);
}

/* As the agent reads it, in pieces cut anywhere: each piece size names
 * every device as the whole text does. */
static void
test_real_pciids_pieces(void **state)
{
	static const size_t sizes[] = {3, 61, 4097, 65536};
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	char *text, *whole[9];
	const char *got;
	size_t size = 0, k, z;

	(void)state;
	if ((text = read_real(&size)) == NULL)
		skip();
	make_iommu(&iommu, &g, gd, ud);
	assert_int_equal(pciids_name_devices(text, size, &iommu), 0);
	for (k = 0; k < 9; k++)
		whole[k] = k < 3 ? gd[k].name : ud[k - 3].name;
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		make_iommu(&iommu, &g, gd, ud);
		free(scan_in_pieces(text, size, sizes[z], &iommu));
		for (k = 0; k < 9; k++) {
			got = k < 3 ? gd[k].name : ud[k - 3].name;
			if (whole[k] == NULL)
				assert_null(got);
			else
				assert_string_equal(got, whole[k]);
		}
		free_names(gd, 3);
		free_names(ud, 6);
	}
	assert_string_equal(whole[2], "NVIDIA Corporation GM206 High Definition Audio Controller");
	for (k = 0; k < 9; k++)
		free(whole[k]);
	free(text);
}

/* The names and subset of text fed in pieces of size bytes. */
static char *
scan_in_pieces(const char *text, size_t len, size_t size, struct report_iommu *iommu)
{
	struct pciids_scan *scan = pciids_scan_new(iommu, 1);
	char *sub;
	size_t off, n, sublen;

	assert_non_null(scan);
	for (off = 0; off < len; off += n) {
		n = len - off < size ? len - off : size;
		assert_int_equal(pciids_scan_feed(scan, text + off, n), 0);
	}
	assert_int_equal(pciids_scan_finish(scan, &sub, &sublen), 0);
	pciids_scan_free(scan);
	assert_non_null(sub);
	assert_int_equal(sublen, strlen(sub));
	return sub;
}

/* A file read in pieces names every device as the whole text does, and
 * keeps the same subset, wherever the pieces are cut: inside a vendor's
 * passed-over devices, inside a wanted line, at a newline. */
static void
test_pieces(void **state)
{
	static const size_t sizes[] = {1, 2, 3, 5, 7, 15, 16, 17, 31, 64, 100, 4096};
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	char *whole, *sub, *names[9];
	size_t len, i, k;

	(void)state;
	make_iommu(&iommu, &g, gd, ud);
	whole = pciids_subset(excerpt, strlen(excerpt), &iommu, &len);
	assert_non_null(whole);
	for (k = 0; k < 3; k++)
		names[k] = gd[k].name;
	for (k = 0; k < 6; k++)
		names[3 + k] = ud[k].name;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		make_iommu(&iommu, &g, gd, ud);
		sub = scan_in_pieces(excerpt, strlen(excerpt), sizes[i], &iommu);
		assert_string_equal(sub, whole);
		for (k = 0; k < 9; k++) {
			const char *got = k < 3 ? gd[k].name : ud[k - 3].name;

			if (names[k] == NULL)
				assert_null(got);
			else
				assert_string_equal(got, names[k]);
		}
		free_names(gd, 3);
		free_names(ud, 6);
		free(sub);
	}
	for (k = 0; k < 9; k++)
		free(names[k]);
	free(whole);
}

/* A line longer than any name is cut, not a reason to lose the next
 * vendor; a vendor line of that length names nothing. */
static void
test_overlong_line(void **state)
{
	struct report_iommu iommu;
	struct report_group g;
	struct report_device gd[3], ud[6];
	char text[8192];
	size_t n;

	(void)state;
	make_iommu(&iommu, &g, gd, ud);
	/* a vendor line of 5,000 bytes, a device line of 2,000 */
	n = (size_t)snprintf(text, sizeof(text), "1002  ");
	memset(text + n, 'x', 5000);
	n += 5000;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n\t67df  Ellesmere\n\t");
	memset(text + n, 'y', 2000);
	n += 2000;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	                      "\n10de  NVIDIA Corporation\n\t1401  GM206\n");
	free(scan_in_pieces(text, n, 7, &iommu));
	assert_null(ud[1].name);
	assert_string_equal(gd[1].name, "NVIDIA Corporation GM206");
	free_names(gd, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_name_devices),
	        cmocka_unit_test(test_class_section_is_not_devices),
	        cmocka_unit_test(test_subset),
	        cmocka_unit_test(test_real_pciids),
	        cmocka_unit_test(test_real_pciids_pieces),
	        cmocka_unit_test(test_pieces),
	        cmocka_unit_test(test_overlong_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
