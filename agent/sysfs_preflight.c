/*
 * sysfs_preflight.c - the evidence of the whole-group preflight (I/O,
 * through rootfs): per device driver_override, SR-IOV counts and physfn,
 * config space (ACS, port type) and the bridge above it; per group
 * /dev/vfio/N; per host the vfio no-IOMMU mode and the devices the host
 * cannot lose (root disk controller, default-route NIC, only display).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/sysfs.h"

#define PF_PATH_MAX 512
#define PF_DEPTH 32 /* PCI addresses in one sysfs path: bridges above */

struct pfread {
	struct rootfs *fs;
	struct strlist *errors;
	int nomem;
};

/* The host's critical devices cannot be located: said in errors, -1. */
static int
pf_unknown(struct pfread *r, const char *path, const char *why)
{
	if (strlist_addf(r->errors,
	                 "%s: %s: the root disk's and the default route's devices are"
	                 " not known",
	                 path, why) == -1)
		r->nomem = 1;
	return -1;
}

static int
pf_attr_int(struct rootfs *fs, const char *base, const char *name, int *out)
{
	char path[PF_PATH_MAX], *v, *e;
	long n;

	rootfs_join(path, sizeof(path), base, name);
	if (rootfs_read_attr(fs, path, &v) == -1)
		return -1;
	n = strtol(v, &e, 10);
	if (*v != '\0' && *e == '\0' && n >= 0 && n <= 65535)
		*out = (int)n;
	free(v);
	return 0;
}

/* Config space: root reads all 4096 bytes, anyone else 64. */
static void
pf_config(struct rootfs *fs, const char *base, struct sysfs_extra *x, struct report_device *d,
          struct sysfs_facts *facts)
{
	char path[PF_PATH_MAX], buf[4097];
	struct pcicfg_info info;
	size_t len;

	rootfs_join(path, sizeof(path), base, "config");
	if (rootfs_read_buf(fs, path, buf, sizeof(buf), &len) == -1)
		return;
	if (pcicfg_parse((const unsigned char *)buf, len, &info) == 0) {
		x->port_type = info.port_type;
		d->acs = info.acs;
		if (len >= 4096)
			facts->privileged = TRI_TRUE;
		else if (len >= 64 && facts->privileged == TRI_UNKNOWN)
			facts->privileged = TRI_FALSE;
	}
}

int
sysfs_preflight_device(struct rootfs *fs, const char *base, struct report_device *d,
                       struct sysfs_extra *x, struct sysfs_facts *facts)
{
	char path[PF_PATH_MAX], link[PATH_MAX], *v;
	char addrs[PF_DEPTH][REPORT_ADDR_MAX];
	size_t n;

	memset(x, 0, sizeof(*x));
	x->port_type = -1;
	snprintf(x->address, sizeof(x->address), "%s", d->address);
	/* the link's text names the bridges above: .../0000:00:01.1/0000:01:00.0 */
	if (rootfs_readlink(fs, base, link, sizeof(link)) == 0) {
		n = critical_path_addrs(link, addrs, PF_DEPTH);
		if (n >= 2)
			snprintf(x->parent, sizeof(x->parent), "%s", addrs[n - 2]);
	}
	rootfs_join(path, sizeof(path), base, "driver_override");
	if (rootfs_read_attr(fs, path, &v) == 0) {
		if (v[0] != '\0' && strcmp(v, "(null)") != 0)
			d->driver_override = v;
		else
			free(v);
	}
	if (pf_attr_int(fs, base, "sriov_totalvfs", &d->sriov_totalvfs) == 0)
		(void)pf_attr_int(fs, base, "sriov_numvfs", &d->sriov_numvfs);
	rootfs_join(path, sizeof(path), base, "physfn");
	/* a link that names no PCI address is no physical function (and the
	 * report's decoder would refuse the whole report for it) */
	if (rootfs_link_basename(fs, path, d->physfn, sizeof(d->physfn)) == 0 &&
	    !pci_addr_valid(d->physfn, strlen(d->physfn)))
		d->physfn[0] = '\0';
	d->role = strdup(pci_class_is_bridge(d->class_code) ? "bridge" : "endpoint");
	if (d->role == NULL)
		return -1;
	pf_config(fs, base, x, d, facts);
	return 0;
}

static struct report_device *
pf_find(struct report_iommu *io, const char *addr)
{
	size_t i, j;

	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].ndevices; j++)
			if (strcmp(io->groups[i].devices[j].address, addr) == 0)
				return &io->groups[i].devices[j];
	for (i = 0; i < io->nungrouped; i++)
		if (strcmp(io->ungrouped[i].address, addr) == 0)
			return &io->ungrouped[i];
	return NULL;
}

/* Mark the device at the end of a sysfs path (the controller of a disk,
 * the NIC of an interface) as critical. */
static void
pf_mark(struct pfread *r, struct report_iommu *io, const char *link, const char *why)
{
	char addrs[PF_DEPTH][REPORT_ADDR_MAX];
	struct report_device *d;
	size_t n;

	n = critical_path_addrs(link, addrs, PF_DEPTH);
	if (n == 0 || (d = pf_find(io, addrs[n - 1])) == NULL || d->critical != NULL)
		return;
	if ((d->critical = strdup(why)) == NULL)
		r->nomem = 1;
}

/* The root filesystem: its major:minor, the block device's sysfs path,
 * and for device-mapper / md the devices below it (slaves/).  0, or -1
 * when it cannot be told (said in errors). */
static int
pf_root_disk(struct pfread *r, struct report_iommu *io)
{
	char *text, path[PF_PATH_MAX], link[PATH_MAX], real[PF_PATH_MAX];
	struct strlist slaves = {NULL, 0};
	unsigned maj, min;
	size_t len, i;

	if (rootfs_read(r->fs, "proc/self/mountinfo", 1u << 20, &text, &len, NULL) == -1)
		return pf_unknown(r, "proc/self/mountinfo", "not readable");
	if (critical_parse_mountinfo(text, &maj, &min) == -1) {
		free(text);
		return pf_unknown(r, "proc/self/mountinfo", "no mount of /");
	}
	free(text);
	snprintf(path, sizeof(path), "sys/dev/block/%u:%u", maj, min);
	if (rootfs_readlink(r->fs, path, link, sizeof(link)) == -1)
		return pf_unknown(r, path, "not readable");
	pf_mark(r, io, link, "root-disk");
	if (rootfs_link_path(path, link, real, sizeof(real)) == -1)
		return 0;
	snprintf(path, sizeof(path), "%.480s/slaves", real);
	if (rootfs_list(r->fs, path, 64, &slaves) == -1)
		return 0;
	for (i = 0; i < slaves.n; i++) {
		snprintf(path, sizeof(path), "sys/class/block/%.64s", slaves.v[i]);
		if (rootfs_readlink(r->fs, path, link, sizeof(link)) == 0)
			pf_mark(r, io, link, "root-disk");
	}
	strlist_free(&slaves);
	return 0;
}

/* The default route's interface, and below a bond, bridge or VLAN the
 * ports it sits on (lower_* links, brif/).  0, or -1 when the routes
 * cannot be read (said in errors). */
static int
pf_default_route(struct pfread *r, struct report_iommu *io)
{
	char *text, iface[32], path[PF_PATH_MAX], link[PATH_MAX], real[PF_PATH_MAX];
	struct strlist lower = {NULL, 0};
	size_t len, i;

	if (rootfs_read(r->fs, "proc/net/route", 1u << 20, &text, &len, NULL) == -1)
		return pf_unknown(r, "proc/net/route", "not readable");
	if (critical_parse_route(text, iface, sizeof(iface)) == -1) {
		free(text);
		return 0; /* no default route: no NIC carries it */
	}
	free(text);
	snprintf(path, sizeof(path), "sys/class/net/%s", iface);
	if (rootfs_readlink(r->fs, path, link, sizeof(link)) == -1)
		return 0; /* a virtual interface: no PCI device carries it */
	pf_mark(r, io, link, "default-route");
	if (rootfs_link_path(path, link, real, sizeof(real)) == -1 ||
	    rootfs_list(r->fs, real, 256, &lower) == -1)
		return 0;
	for (i = 0; i < lower.n; i++) {
		if (strncmp(lower.v[i], "lower_", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "sys/class/net/%.31s", lower.v[i] + 6);
		if (rootfs_readlink(r->fs, path, link, sizeof(link)) == 0)
			pf_mark(r, io, link, "default-route");
	}
	strlist_free(&lower);
	return 0;
}

/* The boot display is critical when it is the only display device. */
static void
pf_boot_display(struct pfread *r, struct report_iommu *io)
{
	struct report_device *boot = NULL, *d;
	size_t i, j, displays = 0;

	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].ndevices; j++) {
			d = &io->groups[i].devices[j];
			if (d->class_code >= 0 && (d->class_code >> 16) == 0x03)
				displays++;
			if (d->boot_vga == TRI_TRUE)
				boot = d;
		}
	if (boot != NULL && displays == 1 && boot->critical == NULL &&
	    (boot->critical = strdup("boot-display")) == NULL)
		r->nomem = 1;
}

static void
pf_vfio(struct pfread *r, struct report_iommu *io, struct sysfs_facts *facts, struct sysfs_extra *x,
        size_t nx)
{
	struct strlist names = {NULL, 0};
	const struct sysfs_extra *f;
	char path[64], *v;
	size_t i, j;

	if (rootfs_read_attr(r->fs, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode", &v) ==
	    0) {
		facts->noiommu = (v[0] == 'Y' || v[0] == '1') ? TRI_TRUE : TRI_FALSE;
		free(v);
	}
	if (rootfs_list(r->fs, "dev/vfio", 65536, &names) == -1) {
		/* no dev/vfio at all: no group is bound, when dev/ was seen */
		if (errno == ENOENT && rootfs_exists(r->fs, "dev") == 1)
			for (i = 0; i < io->ngroups; i++)
				io->groups[i].vfio_dev = TRI_FALSE;
		return;
	}
	for (i = 0; i < names.n; i++)
		if (strncmp(names.v[i], "noiommu-", 8) == 0)
			facts->noiommu = TRI_TRUE;
	for (i = 0; i < io->ngroups; i++) {
		snprintf(path, sizeof(path), "dev/vfio/%d", io->groups[i].id);
		io->groups[i].vfio_dev = rootfs_exists(r->fs, path) == 1 ? TRI_TRUE : TRI_FALSE;
		/* a no-IOMMU group's node is dev/vfio/noiommu-N (drivers/vfio/group.c) */
		if (io->groups[i].vfio_dev == TRI_FALSE && facts->noiommu == TRI_TRUE) {
			snprintf(path, sizeof(path), "dev/vfio/noiommu-%d", io->groups[i].id);
			if (rootfs_exists(r->fs, path) != 1)
				continue;
			io->groups[i].vfio_dev = TRI_TRUE;
			/* its devices have no DMA protection, whatever the host has */
			for (j = 0; j < io->groups[i].ndevices; j++) {
				f = sysfs_extra_find(x, nx, io->groups[i].devices[j].address);
				if (f != NULL)
					x[f - x].noiommu_group = 1;
			}
		}
	}
	strlist_free(&names);
}

static int
extra_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sysfs_extra *)a)->address,
	              ((const struct sysfs_extra *)b)->address);
}

void
sysfs_extra_sort(struct sysfs_extra *x, size_t n)
{
	/* sorted for sysfs_extra_find's binary search */
	if (n > 1)
		qsort(x, n, sizeof(*x), extra_cmp);
}

int
sysfs_preflight_read(struct rootfs *fs, struct report_iommu *io, struct sysfs_facts *facts,
                     struct sysfs_extra *x, size_t nx, struct strlist *errors)
{
	struct pfread r = {fs, errors, 0};
	int unknown;

	rootfs_forget(fs); /* the directory cache serves one pass */
	/* both, even when the first cannot tell */
	unknown = pf_root_disk(&r, io) == -1;
	unknown |= pf_default_route(&r, io) == -1;
	facts->critical_known = unknown ? TRI_FALSE : TRI_TRUE;
	pf_boot_display(&r, io);
	pf_vfio(&r, io, facts, x, nx);
	return r.nomem ? -1 : 0;
}

/* A binary search: the preflight looks up each device and the bridge
 * above it, which a linear search made quadratic (8,000 devices: 64
 * million compares, a quarter of the agent's time). */
const struct sysfs_extra *
sysfs_extra_find(const struct sysfs_extra *x, size_t n, const char *address)
{
	struct sysfs_extra probe;

	if (n == 0 || strlen(address) >= sizeof(probe.address))
		return NULL;
	memcpy(probe.address, address, strlen(address) + 1);
	return bsearch(&probe, x, n, sizeof(*x), extra_cmp);
}
