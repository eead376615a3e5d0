/*
 * bench_floor.c - the floor under iommu-agent for tests/bench/bench_agent.py
 * (a benchmark tool, not a test): open, list, readlink and read exactly the
 * files the agent reads under a root, and scan the kernel log with memchr,
 * with no parsing, analysis or JSON.  I/O only.
 *
 * The file set is the agent's as `strace -f -e trace=openat,openat2` lists
 * it on a tree of tests/bench/gen_host.py (bench_agent.py repeats that
 * comparison every run and prints any difference): host files once, per
 * PCI device uevent, reset_method, boot_vga (display class only),
 * driver_override, sriov_totalvfs (sriov_numvfs when that exists), config
 * (4096 bytes) and the device and physfn links, per IOMMU group type,
 * reserved_regions and devices/.  Plain openat() on the root's descriptor:
 * the agent's openat2(RESOLVE_IN_ROOT) is part of what the floor measures.
 *
 * usage: bench_floor ROOT [--pci-ids FILE] [--kernel-log FILE]
 * prints what it read (files, bytes, log lines) so that nothing is skipped.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct floor {
	int root;
	unsigned long files, bytes, lines, links;
	char buf[CHUNK];
};

/* Files the agent reads once per host (hostinfo, sysfs_read, klog_source,
 * sysfs_preflight), present or not. */
static const char *const host_files[] = {
        "proc/sys/kernel/hostname",
        "etc/machine-id",
        "proc/sys/kernel/osrelease",
        "etc/os-release",
        "proc/cmdline",
        "proc/cpuinfo",
        "proc/interrupts",
        "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
        "sys/hypervisor/type",
        "var/log/iommu-fleet/kernel-log.kmsg",
        "var/log/iommu-fleet/kernel-log.journal",
        "var/log/iommu-fleet/kernel-log.file",
        "dev/kmsg",
        "proc/self/mountinfo",
        "proc/net/route",
        "sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
};

/* Read only when sys/class/dmi/id exists, as the agent does. */
static const char *const dmi_files[] = {
        "sys/class/dmi/id/sys_vendor",
        "sys/class/dmi/id/product_name",
        "sys/class/dmi/id/bios_version",
        "sys/class/dmi/id/bios_date",
};

/* Read fd to its end (at most max bytes), counting lines when asked.  A
 * sysfs attribute comes whole from one read, so a short one ends it, as
 * in the agent (rootfs_read). */
static void
drain(struct floor *f, int fd, size_t max, int lines, int sysfs)
{
	size_t total = 0;
	ssize_t n;
	char *p, *end;

	while (total < max && (n = read(fd, f->buf, sizeof(f->buf))) > 0) {
		total += (size_t)n;
		if (sysfs && (size_t)n < sizeof(f->buf))
			break;
		if (!lines)
			continue;
		for (p = f->buf, end = f->buf + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL;
		     p++)
			f->lines++;
	}
	f->bytes += total;
}

/* Open rel under the root and read it: the bytes read, -1 when absent. */
static ssize_t
read_rel(struct floor *f, const char *rel, size_t max, int lines)
{
	unsigned long before = f->bytes;
	int fd;

	fd = openat(f->root, rel, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	f->files++;
	drain(f, fd, max, lines, strncmp(rel, "sys/", 4) == 0);
	close(fd);
	return (ssize_t)(f->bytes - before);
}

static ssize_t
read_dev(struct floor *f, const char *dev, const char *name, size_t max)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/%s", dev, name);
	return read_rel(f, path, max, 0);
}

static void
link_rel(struct floor *f, const char *rel)
{
	char target[PATH_MAX];

	if (readlinkat(f->root, rel, target, sizeof(target)) > 0)
		f->links++;
}

/* List dir under the root, calling each(f, name) for every entry. */
static void
list_rel(struct floor *f, const char *rel, void (*each)(struct floor *, const char *))
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(f->root, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && each != NULL)
			each(f, de->d_name);
	closedir(d);
}

static void
device(struct floor *f, const char *dev)
{
	char path[PATH_MAX], uevent[4096];
	const char *cls;
	ssize_t n;
	int fd;

	/* uevent read here, not by read_dev: its class says whether the agent
	 * reads boot_vga (display devices only) */
	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/uevent", dev);
	fd = openat(f->root, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	n = fd == -1 ? -1 : read(fd, uevent, sizeof(uevent) - 1);
	if (fd != -1) {
		f->files++;
		close(fd);
	}
	uevent[n > 0 ? n : 0] = '\0';
	f->bytes += n > 0 ? (unsigned long)n : 0;
	(void)read_dev(f, dev, "reset_method", 4096);
	cls = strstr(uevent, "PCI_CLASS=");
	if (cls != NULL && strtol(cls + 10, NULL, 16) >> 8 == 0x0300)
		(void)read_dev(f, dev, "boot_vga", 4096);
	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", dev);
	link_rel(f, path);
	(void)read_dev(f, dev, "driver_override", 4096);
	if (read_dev(f, dev, "sriov_totalvfs", 4096) != -1)
		(void)read_dev(f, dev, "sriov_numvfs", 4096);
	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/physfn", dev);
	link_rel(f, path);
	(void)read_dev(f, dev, "config", 4096);
}

static void
group(struct floor *f, const char *g)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/type", g);
	(void)read_rel(f, path, 4096, 0);
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/reserved_regions", g);
	(void)read_rel(f, path, 64 * 1024, 0);
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/devices", g);
	list_rel(f, path, NULL);
}

/* A file outside the root (--pci-ids, --kernel-log): read, lines counted. */
static void
read_outside(struct floor *f, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1) {
		perror(path);
		exit(1);
	}
	f->files++;
	drain(f, fd, (size_t)-1, 1, 0);
	close(fd);
}

int
main(int argc, char **argv)
{
	static struct floor f;
	const char *pciids = NULL, *klog = NULL;
	size_t i;
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_floor ROOT [--pci-ids FILE] [--kernel-log FILE]\n");
		return 2;
	}
	for (a = 2; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--pci-ids") == 0)
			pciids = argv[a + 1];
		else if (strcmp(argv[a], "--kernel-log") == 0)
			klog = argv[a + 1];
	}
	if ((f.root = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < sizeof(host_files) / sizeof(host_files[0]); i++)
		(void)read_rel(&f, host_files[i], 1u << 20, 0);
	if (faccessat(f.root, "sys/class/dmi/id", F_OK, 0) == 0)
		for (i = 0; i < sizeof(dmi_files) / sizeof(dmi_files[0]); i++)
			(void)read_rel(&f, dmi_files[i], 4096, 0);
	(void)read_rel(&f, "sys/firmware/acpi/tables/DMAR", 64, 0);
	list_rel(&f, "sys/class/iommu", NULL);
	list_rel(&f, "dev/vfio", NULL);
	list_rel(&f, "sys/bus/pci/devices", device);
	list_rel(&f, "sys/kernel/iommu_groups", group);
	if (pciids != NULL)
		read_outside(&f, pciids);
	else if (read_rel(&f, "usr/share/misc/pci.ids", (size_t)-1, 1) == -1)
		(void)read_rel(&f, "usr/share/hwdata/pci.ids", (size_t)-1, 1);
	/* the agent's order: a given file, else dmesg, else kern.log */
	if (klog != NULL)
		read_outside(&f, klog);
	else if (read_rel(&f, "var/log/dmesg", (size_t)-1, 1) == -1)
		(void)read_rel(&f, "var/log/kern.log", (size_t)-1, 1);
	printf("%lu files, %lu links, %lu bytes, %lu lines\n", f.files, f.links, f.bytes, f.lines);
	close(f.root);
	return 0;
}
