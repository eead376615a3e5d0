/*
 * test_sysfs_read.c - sysfs_read() and hostinfo_read() on small trees built
 * in a temporary directory, read through rootfs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/hostinfo.h"
#include "agent/sysfs.h"

static char tmp[64];

static void
mkpath(const char *rel)
{
	char path[640], *p;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	for (p = strchr(path + strlen(tmp) + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	(void)mkdir(path, 0755);
}

static void
put(const char *rel, const char *text)
{
	char path[640], dir[512], *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		mkpath(dir);
	}
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
ln(const char *target, const char *rel)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A PCI device under sys/devices, in group gid (-1: none). */
static void
pci(const char *addr, const char *vendor, const char *device, const char *class, int gid)
{
	char rel[256], target[256];

	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/vendor", addr);
	put(rel, vendor);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/device", addr);
	put(rel, device);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/class", addr);
	put(rel, class);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/subsystem_vendor", addr);
	put(rel, "0x1043\n");
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/subsystem_device", addr);
	put(rel, "0x8520\n");
	snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", addr);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", addr);
	ln(target, rel);
	if (gid < 0)
		return;
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", gid);
	snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/iommu_group", addr);
	ln(target, rel);
	snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", addr);
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s", gid, addr);
	ln(target, rel);
}

static void
group(int gid, const char *type, const char *regions)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices", gid);
	mkpath(rel);
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/type", gid);
	put(rel, type);
	snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/reserved_regions", gid);
	put(rel, regions);
}

/* DMAR header: signature, length, ..., byte 36 HAW - 1, byte 37 flags. */
static void
put_dmar(const char *rel, int haw, int flags)
{
	unsigned char b[48];
	char path[640];
	FILE *f;

	memset(b, 0, sizeof(b));
	memcpy(b, "DMAR", 4);
	b[4] = sizeof(b);
	b[36] = (unsigned char)(haw - 1);
	b[37] = (unsigned char)flags;
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, sizeof(b), f), sizeof(b));
	fclose(f);
	assert_int_equal(chmod(path, 0400), 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test-sysfs-read-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	assert_int_equal(chmod(tmp, 0755), 0);
	mkpath("sys/bus/pci/devices");
	mkpath("sys/bus/pci/drivers/vfio-pci");
	mkpath("sys/bus/pci/drivers/pcieport");
	mkpath("sys/kernel/iommu_groups");
	group(0, "DMA\n", "0x00000000fee00000 0x00000000feefffff msi\n");
	group(1, "DMA-FQ\n",
	      "0x00000000000e8000 0x00000000000e8fff direct\n"
	      "0x00000000fee00000 0x00000000feefffff msi\n");
	group(2, "identity\n", "");
	group(10, "DMA\n", "0x00000000fee00000 0x00000000feefffff msi\n");
	mkpath("sys/kernel/iommu_groups/not-a-group");
	pci("0000:00:00.0", "0x8086\n", "0x191f\n", "0x060000\n", 0);
	/* group 1 listed out of order on purpose: .1 before 01:00.0 before the port */
	pci("0000:01:00.1", "0x10de\n", "0x0fba\n", "0x040300\n", 1);
	pci("0000:01:00.0", "0x10de\n", "0x1401\n", "0x030000\n", 1);
	pci("0000:00:01.0", "0x8086\n", "0x1901\n", "0x060400\n", 1);
	pci("0000:00:02.0", "0x8086\n", "0x1912\n", "0x030000\n", 2);
	pci("0000:04:00.0", "0x8086\n", "0x08b1\n", "0x028000\n", 10);
	pci("0000:00:1f.0", "0x8086\n", "0xa145\n", "0x060100\n", -1);
	/* a real kernel's uevent: ids, class and driver in one file, which
	 * wins over the attribute files (here deliberately different) */
	pci("0000:05:00.0", "0xdead\n", "0xbeef\n", "0x000000\n", 10);
	put("sys/devices/pci0000:00/0000:05:00.0/uevent",
	    "DRIVER=nvme\nPCI_CLASS=10802\nPCI_ID=144D:A808\n"
	    "PCI_SUBSYS_ID=144D:A801\nPCI_SLOT_NAME=0000:05:00.0\n"
	    "MODALIAS=pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02\n");
	/* a uevent without PCI_ID: the attribute files are read */
	put("sys/devices/pci0000:00/0000:00:00.0/uevent", "DRIVER=skl_uncore\n");
	put("sys/devices/pci0000:00/0000:01:00.0/reset_method", "flr bus\n");
	put("sys/devices/pci0000:00/0000:01:00.0/boot_vga", "0\n");
	put("sys/devices/pci0000:00/0000:00:02.0/boot_vga", "1\n");
	put("sys/devices/pci0000:00/0000:00:02.0/reset", ""); /* a pre-5.15 kernel */
	put("sys/devices/pci0000:00/0000:04:00.0/vendor", "garbage\n");
	ln("../../../../bus/pci/drivers/vfio-pci", "sys/devices/pci0000:00/0000:01:00.0/driver");
	ln("../../../../bus/pci/drivers/pcieport", "sys/devices/pci0000:00/0000:00:01.0/driver");
	mkpath("sys/bus/pci/devices/not-an-address");
	mkpath("sys/class/iommu/dmar0");
	mkpath("sys/class/iommu/dmar1");
	mkpath("sys/firmware/acpi/tables");
	put_dmar("sys/firmware/acpi/tables/DMAR", 39, 0x3);
	mkpath("sys/module/vfio_pci");
	put("sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "N\n");
	put("sys/hypervisor/type", "xen\n");
	put("proc/interrupts", "           CPU0       CPU1       \n"
	                       "  0:         36          0   IO-APIC   2-edge      timer\n"
	                       "  8:          0          0  IR-IO-APIC    8-edge      rtc0\n");
	put("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro amd_iommu=on iommu=pt\n");
	put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
	                    "model name\t: AMD Ryzen 7 3700X 8-Core Processor\n"
	                    "flags\t\t: fpu svm\n\n");
	put("proc/sys/kernel/hostname", "box-1\n");
	put("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
	put("etc/hostname", "not-this-one\n");
	put("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
	put("usr/lib/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
	put("sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	put("sys/class/dmi/id/product_name", "PowerEdge R410\n");
	put("sys/class/dmi/id/bios_version", "1.14.0\n");
	/* bios_date missing: one error */
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void
iommu_release(struct report_iommu *iommu)
{
	struct report r;

	report_init(&r);
	r.iommu = *iommu;
	report_free(&r);
	memset(iommu, 0, sizeof(*iommu));
}

/* sysfs_read without the preflight extras (test_preflight checks those). */
static int
read_tree(struct rootfs *fs, struct report_iommu *iommu, struct sysfs_facts *f,
          struct strlist *errors)
{
	struct sysfs_extra *x;
	size_t nx;
	int rc;

	rc = sysfs_read(fs, iommu, f, &x, &nx, errors);
	free(x);
	return rc;
}

static int
has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static const struct report_device *
find(const struct report_group *g, const char *addr)
{
	size_t i;

	for (i = 0; i < g->ndevices; i++)
		if (strcmp(g->devices[i].address, addr) == 0)
			return &g->devices[i];
	return NULL;
}

static void
test_tree(void **state)
{
	struct report_iommu iommu;
	struct sysfs_facts f;
	struct strlist errors = {NULL, 0};
	struct rootfs fs;
	const struct report_device *d;
	const struct report_group *g;

	(void)state;
	memset(&iommu, 0, sizeof(iommu));
	assert_int_equal(rootfs_open(&fs, tmp), 0);
	assert_int_equal(read_tree(&fs, &iommu, &f, &errors), 0);
	rootfs_close(&fs);

	assert_int_equal(f.present, TRI_TRUE);
	assert_int_equal(f.groups_dir, TRI_TRUE);
	assert_int_equal(f.ngroups, 4);
	assert_int_equal(iommu.ngroups, 4);
	/* sorted by number: 10 after 2 */
	assert_int_equal(iommu.groups[0].id, 0);
	assert_int_equal(iommu.groups[1].id, 1);
	assert_int_equal(iommu.groups[2].id, 2);
	assert_int_equal(iommu.groups[3].id, 10);

	g = &iommu.groups[1];
	assert_string_equal(g->type, "DMA-FQ");
	assert_int_equal(g->ndevices, 3);
	/* sorted by address */
	assert_string_equal(g->devices[0].address, "0000:00:01.0");
	assert_string_equal(g->devices[1].address, "0000:01:00.0");
	assert_string_equal(g->devices[2].address, "0000:01:00.1");
	assert_int_equal(g->nregions, 2);
	assert_string_equal(g->regions[0].type, "direct");
	assert_true(g->regions[0].start == 0xe8000);
	d = find(g, "0000:01:00.0");
	assert_non_null(d);
	assert_int_equal(d->vendor_id, 0x10de);
	assert_int_equal(d->device_id, 0x1401);
	assert_int_equal(d->subsystem_vendor_id, 0x1043);
	assert_int_equal(d->subsystem_device_id, 0x8520);
	assert_int_equal(d->class_code, 0x030000);
	assert_string_equal(d->driver, "vfio-pci");
	assert_int_equal(d->reset_methods.n, 2);
	assert_string_equal(d->reset_methods.v[0], "flr");
	assert_string_equal(d->reset_methods.v[1], "bus");
	assert_int_equal(d->resettable, TRI_TRUE);
	assert_int_equal(d->boot_vga, TRI_FALSE);
	d = find(g, "0000:00:01.0");
	assert_string_equal(d->driver, "pcieport");
	assert_int_equal(d->reset_methods.n, 0);
	/* no reset file while others have one: the kernel found no method */
	assert_int_equal(d->resettable, TRI_FALSE);
	assert_int_equal(f.reset_attrs, TRI_TRUE);
	assert_int_equal(d->boot_vga, TRI_UNKNOWN); /* not VGA: not read */
	d = find(g, "0000:01:00.1");
	assert_null(d->driver);

	g = &iommu.groups[2];
	assert_string_equal(g->type, "identity");
	assert_int_equal(g->nregions, 0);
	d = &g->devices[0];
	assert_int_equal(d->boot_vga, TRI_TRUE);
	assert_int_equal(d->reset_methods.n, 1);
	assert_string_equal(d->reset_methods.v[0], "reset");
	assert_int_equal(d->resettable, TRI_TRUE);

	d = &iommu.groups[3].devices[0];
	assert_string_equal(d->address, "0000:04:00.0");
	assert_int_equal(d->vendor_id, -1);
	assert_int_equal(d->device_id, 0x08b1);
	d = &iommu.groups[3].devices[1];
	assert_string_equal(d->address, "0000:05:00.0");
	assert_int_equal(d->vendor_id, 0x144d);
	assert_int_equal(d->device_id, 0xa808);
	assert_int_equal(d->subsystem_vendor_id, 0x144d);
	assert_int_equal(d->subsystem_device_id, 0xa801);
	assert_int_equal(d->class_code, 0x010802);
	assert_string_equal(d->driver, "nvme");
	d = &iommu.groups[0].devices[0];
	assert_int_equal(d->vendor_id, 0x8086);
	assert_int_equal(d->device_id, 0x191f);
	assert_int_equal(d->class_code, 0x060000);
	assert_null(d->driver);

	assert_int_equal(iommu.nungrouped, 1);
	assert_string_equal(iommu.ungrouped[0].address, "0000:00:1f.0");
	assert_int_equal(iommu.ungrouped[0].class_code, 0x060100);

	assert_int_equal(f.iommu_units, 2);
	assert_string_equal(f.iommu_kind, "dmar");
	assert_int_equal(f.acpi_dmar, TRI_TRUE);
	assert_int_equal(f.acpi_ivrs, TRI_FALSE);
	assert_int_equal(f.acpi_iort, TRI_FALSE);
	/* root reads the 0400 table */
	if (geteuid() == 0) {
		assert_int_equal(f.dmar_flags, 3);
	}
	assert_int_equal(f.vfio_pci, TRI_TRUE);
	assert_int_equal(f.allow_unsafe_interrupts, TRI_FALSE);
	assert_int_equal(f.ir_chips, TRI_TRUE);
	assert_string_equal(f.hypervisor_type, "xen");

	assert_true(has(&errors, "sys/kernel/iommu_groups/not-a-group: not a group number"));
	assert_true(has(&errors, "sys/bus/pci/devices/not-an-address: not a PCI address"));
	assert_true(has(&errors, "sys/bus/pci/devices/0000:04:00.0/vendor: not a hex number"));
	assert_int_equal(errors.n, geteuid() == 0 ? 3 : 4);
	strlist_free(&errors);
	iommu_release(&iommu);
}

/* Run sysfs_read on the tree as the current user: 1 when the DMAR table
 * was unreadable and said so in errors, with everything else still read. */
static int
dmar_unreadable_ok(void)
{
	struct report_iommu iommu;
	struct sysfs_facts f;
	struct strlist errors = {NULL, 0};
	struct rootfs fs;
	int ok;

	memset(&iommu, 0, sizeof(iommu));
	if (rootfs_open(&fs, tmp) == -1)
		return 0;
	ok = read_tree(&fs, &iommu, &f, &errors) == 0 && f.acpi_dmar == TRI_TRUE &&
	     f.dmar_flags == -1 && iommu.ngroups == 4 && f.iommu_units == 2 &&
	     has(&errors, "sys/firmware/acpi/tables/DMAR: permission denied");
	strlist_free(&errors);
	iommu_release(&iommu);
	rootfs_close(&fs);
	return ok;
}

/* The DMAR table is 0400 root: a user gets EACCES, an error, not a failure. */
static void
test_dmar_eacces(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0) {
		assert_true(dmar_unreadable_ok());
		return;
	}
	/* as root, ask as nobody */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(2);
		_exit(dmar_unreadable_ok() ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_no_sys(void **state)
{
	struct report_iommu iommu;
	struct sysfs_facts f;
	struct strlist errors = {NULL, 0};
	struct rootfs fs;
	char dir[128];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/empty", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	memset(&iommu, 0, sizeof(iommu));
	assert_int_equal(rootfs_open(&fs, dir), 0);
	assert_int_equal(read_tree(&fs, &iommu, &f, &errors), 0);
	assert_int_equal(f.present, TRI_FALSE);
	assert_int_equal(f.groups_dir, TRI_UNKNOWN);
	assert_int_equal(f.ngroups, -1);
	assert_int_equal(f.iommu_units, -1);
	assert_int_equal(f.acpi_dmar, TRI_UNKNOWN);
	assert_int_equal(f.vfio_pci, TRI_UNKNOWN);
	assert_int_equal(f.ir_chips, TRI_UNKNOWN);
	assert_string_equal(f.hypervisor_type, "");
	assert_int_equal(iommu.ngroups, 0);
	assert_int_equal(iommu.nungrouped, 0);
	assert_int_equal(errors.n, 1);
	assert_string_equal(errors.v[0], "sys: not present");
	strlist_free(&errors);

	/* an empty iommu_groups is "no groups", not unknown */
	mkpath("empty/sys/kernel/iommu_groups");
	mkpath("empty/sys/class");
	assert_int_equal(read_tree(&fs, &iommu, &f, &errors), 0);
	rootfs_close(&fs);
	assert_int_equal(f.present, TRI_TRUE);
	assert_int_equal(f.groups_dir, TRI_TRUE);
	assert_int_equal(f.ngroups, 0);
	assert_int_equal(f.iommu_units, 0); /* sys/class without iommu */
	assert_int_equal(f.acpi_dmar, TRI_UNKNOWN);
	assert_int_equal(iommu.ngroups, 0);
	assert_int_equal(errors.n, 0);
	iommu_release(&iommu);

	/* a group with an empty devices/ (issue 13): no qsort(NULL, 0), which
	 * UBSan in the sanitizer build aborts on; the group is read, empty */
	mkpath("empty/sys/kernel/iommu_groups/7/devices");
	memset(&iommu, 0, sizeof(iommu));
	assert_int_equal(rootfs_open(&fs, dir), 0);
	assert_int_equal(read_tree(&fs, &iommu, &f, &errors), 0);
	rootfs_close(&fs);
	assert_int_equal(f.ngroups, 1);
	assert_int_equal(iommu.ngroups, 1);
	assert_int_equal(iommu.groups[0].id, 7);
	assert_int_equal(iommu.groups[0].ndevices, 0);
	iommu_release(&iommu);
	strlist_free(&errors);
}

static void
test_hostinfo(void **state)
{
	struct report r;
	struct rootfs fs;
	int hv;

	(void)state;
	report_init(&r);
	assert_int_equal(rootfs_open(&fs, tmp), 0);
	assert_int_equal(hostinfo_read(&fs, &r.host, &r.cmdline, &hv, &r.errors), 0);
	rootfs_close(&fs);
	assert_string_equal(r.host.hostname, "box-1");
	assert_string_equal(r.host.machine_id, "0123456789abcdef0123456789abcdef");
	assert_string_equal(r.host.kernel, "6.1.0-13-amd64");
	assert_string_equal(r.host.os, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(r.host.dmi.sys_vendor, "Dell Inc.");
	assert_string_equal(r.host.dmi.product_name, "PowerEdge R410");
	assert_string_equal(r.host.dmi.bios_version, "1.14.0");
	assert_null(r.host.dmi.bios_date);
	assert_string_equal(r.host.cpu.vendor, "amd");
	assert_string_equal(r.host.cpu.virtualization, "svm");
	assert_int_equal(hv, 0);
	assert_string_equal(r.cmdline.raw,
	                    "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro amd_iommu=on iommu=pt");
	assert_int_equal(r.cmdline.nparams, 2);
	assert_int_equal(r.cmdline.warnings.n, 1);
	assert_int_equal(r.errors.n, 1);
	assert_string_equal(r.errors.v[0], "sys/class/dmi/id/bios_date: not present");
	report_free(&r);

	/* an empty root: one error per missing tree, everything unknown */
	report_init(&r);
	mkpath("bare");
	{
		char dir[128];

		snprintf(dir, sizeof(dir), "%s/bare", tmp);
		assert_int_equal(rootfs_open(&fs, dir), 0);
	}
	assert_int_equal(hostinfo_read(&fs, &r.host, &r.cmdline, &hv, &r.errors), 0);
	rootfs_close(&fs);
	assert_null(r.host.hostname);
	assert_null(r.host.os);
	assert_null(r.cmdline.raw);
	assert_int_equal(hv, -1);
	assert_int_equal(r.errors.n, 2);
	assert_string_equal(r.errors.v[0], "proc: not present");
	assert_string_equal(r.errors.v[1], "etc: not present");
	report_free(&r);
}

/* The three states of reset_method (5.15 on: it exists only for a device
 * with a method, drivers/pci/pci-sysfs.c) and the older `reset`: listed
 * methods, an emptied list, neither file.  Neither file means no method
 * only in a tree that carries the files for some device; in one that
 * carries them for none (an older capture, a hand-made tree) it is
 * unknown. */
static void
test_reset_evidence(void **state)
{
	static const struct {
		const char *addr, *reset_method, *reset;
		enum tristate want;
		size_t nmethods;
	} tree[][4] = {
	        {
	                {"0000:01:00.0", "flr bus\n", NULL, TRI_TRUE, 2},
	                {"0000:02:00.0", "\n", NULL, TRI_FALSE, 0}, /* emptied by the user */
	                {"0000:03:00.0", NULL, NULL, TRI_FALSE, 0},
	                {"0000:04:00.0", NULL, "", TRI_TRUE, 1}, /* before 5.15 */
	        },
	        {
	                /* before 5.15: `reset` alone tells the tree carries them */
	                {"0000:01:00.0", NULL, "", TRI_TRUE, 1},
	                {"0000:02:00.0", NULL, NULL, TRI_FALSE, 0},
	                {"0000:03:00.0", NULL, NULL, TRI_FALSE, 0},
	                {"0000:04:00.0", NULL, "", TRI_TRUE, 1},
	        },
	        {
	                /* no reset file anywhere: the tree says nothing */
	                {"0000:01:00.0", NULL, NULL, TRI_UNKNOWN, 0},
	                {"0000:02:00.0", NULL, NULL, TRI_UNKNOWN, 0},
	                {"0000:03:00.0", NULL, NULL, TRI_UNKNOWN, 0},
	                {"0000:04:00.0", NULL, NULL, TRI_UNKNOWN, 0},
	        },
	};
	static const enum tristate attrs[] = {TRI_TRUE, TRI_TRUE, TRI_UNKNOWN};
	char saved[sizeof(tmp)], rel[256];
	struct report_iommu iommu;
	struct sysfs_facts f;
	struct strlist errors = {NULL, 0};
	struct rootfs fs;
	const struct report_device *d;
	size_t t, i;

	(void)state;
	memcpy(saved, tmp, sizeof(tmp));
	for (t = 0; t < sizeof(tree) / sizeof(tree[0]); t++) {
		snprintf(tmp, sizeof(tmp), "/tmp/test-sysfs-reset-XXXXXX");
		assert_non_null(mkdtemp(tmp));
		mkpath("sys/bus/pci/devices");
		group(7, "DMA\n", "");
		for (i = 0; i < 4; i++) {
			pci(tree[t][i].addr, "0x1b21\n", "0x0612\n", "0x010601\n", 7);
			snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/reset_method",
			         tree[t][i].addr);
			if (tree[t][i].reset_method != NULL)
				put(rel, tree[t][i].reset_method);
			snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/%s/reset",
			         tree[t][i].addr);
			if (tree[t][i].reset != NULL)
				put(rel, tree[t][i].reset);
		}
		memset(&iommu, 0, sizeof(iommu));
		assert_int_equal(rootfs_open(&fs, tmp), 0);
		assert_int_equal(read_tree(&fs, &iommu, &f, &errors), 0);
		rootfs_close(&fs);
		assert_int_equal(errors.n, 0);
		assert_int_equal(f.reset_attrs, attrs[t]);
		assert_int_equal(iommu.ngroups, 1);
		assert_int_equal(iommu.groups[0].ndevices, 4);
		for (i = 0; i < 4; i++) {
			d = find(&iommu.groups[0], tree[t][i].addr);
			assert_non_null(d);
			assert_int_equal(d->resettable, tree[t][i].want);
			assert_int_equal(d->reset_methods.n, tree[t][i].nmethods);
		}
		iommu_release(&iommu);
		assert_int_equal(teardown(NULL), 0);
	}
	memcpy(tmp, saved, sizeof(tmp));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tree),           cmocka_unit_test(test_dmar_eacces),
	        cmocka_unit_test(test_no_sys),         cmocka_unit_test(test_hostinfo),
	        cmocka_unit_test(test_reset_evidence),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
