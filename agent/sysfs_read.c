/*
 * sysfs_read.c - IOMMU groups, PCI devices, IOMMU units, ACPI tables, vfio
 * and interrupt chips read from sys/ and proc/ under a root (I/O, through
 * rootfs).  Each attribute is read once; each directory is listed once.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/sysfs.h"

#define SYSFS_PATH_MAX 256
#define SYSFS_REGIONS_MAX_BYTES (64 * 1024)
#define SYSFS_INTERRUPTS_MAX_BYTES (1024 * 1024)
#define SYSFS_IOMMU_UNITS_MAX 4096

struct reader {
	struct rootfs *fs;
	struct strlist *errors;
	struct sysfs_facts *facts;
	int nomem;
	size_t ndevices;           /* devices read, bounded by SYSFS_MAX_DEVICES */
	int bound;                 /* a bound was hit: some devices or groups not read */
	struct sysfs_extra *extra; /* one per device read */
	size_t nextra, extra_cap;
};

/* A PCI device of sys/bus/pci/devices, waiting to be placed in a group. */
struct slot {
	struct report_device dev;
	uint64_t key;
	int taken;
};

static void
add_error(struct reader *r, const char *path, int err)
{
	char buf[128];
	const char *msg;

	if (err == ENOENT)
		msg = "not present";
	else {
		msg = strerror_r(err, buf, sizeof(buf));
		if (msg != buf) {
			snprintf(buf, sizeof(buf), "%s", msg);
			msg = buf;
		}
		/* messages are lowercase: "permission denied" */
		if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
			buf[0] = (char)(buf[0] - 'A' + 'a');
	}
	if (strlist_addf(r->errors, "%s: %s", path, msg) == -1)
		r->nomem = 1;
}

static void
add_message(struct reader *r, const char *path, const char *msg)
{
	if (strlist_addf(r->errors, "%s: %s", path, msg) == -1)
		r->nomem = 1;
}

/* Read an attribute: 0 with *value (caller frees), 1 when absent, -1 when
 * it could not be read (reported). */
static int
read_attr(struct reader *r, const char *path, char **value)
{
	if (rootfs_read_attr(r->fs, path, value) == 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 1;
	if (errno == ENOMEM)
		r->nomem = 1;
	else
		add_error(r, path, errno);
	return -1;
}

/* "0000:01:00.0" -> a number that sorts like the address. */
static uint64_t
address_key(const char *a)
{
	unsigned long dom, bus, dev, fn;
	char *e;

	dom = strtoul(a, &e, 16);
	bus = strtoul(e + 1, &e, 16);
	dev = strtoul(e + 1, &e, 16);
	fn = strtoul(e + 1, NULL, 16);
	return ((uint64_t)dom << 16) | (bus << 8) | (dev << 3) | fn;
}

static void
read_hex(struct reader *r, const char *base, const char *name, long max, long *out)
{
	char path[SYSFS_PATH_MAX], *v;

	rootfs_join(path, sizeof(path), base, name);
	if (read_attr(r, path, &v) != 0)
		return;
	*out = sysfs_parse_hex(v, max);
	if (*out == -1)
		add_message(r, path, "not a hex number");
	free(v);
}

static void
read_id(struct reader *r, const char *base, const char *name, int *out)
{
	long v = -1;

	read_hex(r, base, name, 0xffff, &v);
	*out = (int)v;
}

static void
read_driver(struct reader *r, const char *base, struct report_device *d)
{
	char path[SYSFS_PATH_MAX], name[NAME_MAX + 1];

	rootfs_join(path, sizeof(path), base, "driver");
	if (rootfs_link_basename(r->fs, path, name, sizeof(name)) == 0) {
		d->driver = strdup(name);
		if (d->driver == NULL)
			r->nomem = 1;
	} else if (errno != ENOENT && errno != ENOTDIR)
		add_error(r, path, errno);
}

/* How the kernel resets the device (drivers/pci/pci-sysfs.c).  It shows
 * reset_method (5.15 on) and, before it, `reset` only when it found a method
 * at device_add (pci_reset_supported, dev->reset_fn): a listed method, or
 * an existing `reset`, says some reset exists; an empty reset_method is a
 * list the user emptied ("All device reset methods disabled by user").
 * Neither file is either a device with no method or a tree that does not
 * carry them (an older capture, a hand-made one): 1 then, for
 * reset_resolve() to tell apart once every device is read; else 0. */
static int
read_reset(struct reader *r, const char *base, struct report_device *d)
{
	char path[SYSFS_PATH_MAX], *v;
	int rc;

	rootfs_join(path, sizeof(path), base, "reset_method");
	rc = read_attr(r, path, &v);
	if (rc == 0) {
		r->facts->reset_attrs = TRI_TRUE;
		if (sysfs_parse_words(v, &d->reset_methods) == -1)
			add_message(r, path, "malformed method list");
		else
			d->resettable = d->reset_methods.n > 0 ? TRI_TRUE : TRI_FALSE;
		free(v);
		return 0;
	}
	if (rc == -1)
		return 0;
	/* before 5.15 a `reset` file says that some reset method exists */
	rootfs_join(path, sizeof(path), base, "reset");
	rc = rootfs_exists(r->fs, path);
	if (rc == 1) {
		r->facts->reset_attrs = TRI_TRUE;
		d->resettable = TRI_TRUE;
		if (strlist_add(&d->reset_methods, "reset") == -1)
			r->nomem = 1;
	} else if (rc == -1)
		add_error(r, path, errno);
	return rc == 0;
}

/* A device whose directory has neither reset file: when some other device
 * has one, the tree carries them and the kernel found no method for this
 * one; when none has, the tree says nothing (resettable stays unknown). */
static void
reset_resolve(struct reader *r, struct report_device *v, size_t n)
{
	const struct sysfs_extra *x;
	size_t i;

	if (r->facts->reset_attrs != TRI_TRUE)
		return;
	for (i = 0; i < n; i++) {
		x = sysfs_extra_find(r->extra, r->nextra, v[i].address);
		if (x != NULL && x->reset_absent && v[i].resettable == TRI_UNKNOWN)
			v[i].resettable = TRI_FALSE;
	}
}

static void
read_boot_vga(struct reader *r, const char *base, struct report_device *d)
{
	char path[SYSFS_PATH_MAX], *v;

	/* the kernel shows boot_vga on VGA-class devices only */
	if (d->class_code != -1 && (d->class_code >> 8) != 0x0300)
		return;
	rootfs_join(path, sizeof(path), base, "boot_vga");
	if (read_attr(r, path, &v) != 0)
		return;
	if (strcmp(v, "1") == 0)
		d->boot_vga = TRI_TRUE;
	else if (strcmp(v, "0") == 0)
		d->boot_vga = TRI_FALSE;
	else
		add_message(r, path, "not 0 or 1");
	free(v);
}

/* "10DE:1401" -> two ids: 0 or -1. */
static int
uevent_ids(const char *v, int *a, int *b)
{
	char one[8];
	const char *colon = strchr(v, ':');
	long x, y;

	if (colon == NULL || colon - v > 6)
		return -1;
	memcpy(one, v, (size_t)(colon - v));
	one[colon - v] = '\0';
	x = sysfs_parse_hex(one, 0xffff);
	y = sysfs_parse_hex(colon + 1, 0xffff);
	if (x == -1 || y == -1)
		return -1;
	*a = (int)x;
	*b = (int)y;
	return 0;
}

/* The device's uevent holds ids, class and driver in one read (a sixth of
 * the opens of the attribute files).  0 when it gave them; 1 when the
 * attribute files must be read instead (no uevent: a generated tree). */
static int
read_uevent(struct reader *r, const char *base, struct report_device *d)
{
	char path[SYSFS_PATH_MAX], text[4097], *line, *next, *v;
	size_t len;
	int have_id = 0, have_class = 0, sv = -1, sd = -1;

	rootfs_join(path, sizeof(path), base, "uevent");
	if (rootfs_read_buf(r->fs, path, text, sizeof(text), &len) == -1)
		return 1;
	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		v = strchr(line, '=');
		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "PCI_ID") == 0)
			have_id = uevent_ids(v, &d->vendor_id, &d->device_id) == 0;
		else if (strcmp(line, "PCI_SUBSYS_ID") == 0)
			(void)uevent_ids(v, &sv, &sd);
		else if (strcmp(line, "PCI_CLASS") == 0)
			have_class = (d->class_code = sysfs_parse_hex(v, 0xffffff)) != -1;
		else if (strcmp(line, "DRIVER") == 0 && d->driver == NULL && v[0] != '\0' &&
		         strchr(v, '/') == NULL && (d->driver = strdup(v)) == NULL)
			r->nomem = 1;
	}
	if (!have_id || !have_class) {
		/* not a PCI uevent: forget what it said */
		free(d->driver);
		d->driver = NULL;
		d->vendor_id = d->device_id = -1;
		d->class_code = -1;
		return 1;
	}
	d->subsystem_vendor_id = sv;
	d->subsystem_device_id = sd;
	return 0;
}

/* The next device's preflight slot, or NULL (out of memory). */
static struct sysfs_extra *
extra_next(struct reader *r)
{
	struct sysfs_extra *grown;
	size_t cap;

	if (r->nextra == r->extra_cap) {
		cap = r->extra_cap ? r->extra_cap * 2 : 64;
		if ((grown = realloc(r->extra, cap * sizeof(*grown))) == NULL)
			return NULL;
		r->extra = grown;
		r->extra_cap = cap;
	}
	return &r->extra[r->nextra++];
}

/* One PCI device from the directory base (".../0000:01:00.0"), with its
 * preflight evidence while the directory is the cached one. */
static void
read_device(struct reader *r, const char *base, const char *addr, struct report_device *d)
{
	struct sysfs_extra *x;
	int absent;

	report_device_init(d);
	snprintf(d->address, sizeof(d->address), "%s", addr);
	if (read_uevent(r, base, d) != 0) {
		read_id(r, base, "vendor", &d->vendor_id);
		read_id(r, base, "device", &d->device_id);
		read_id(r, base, "subsystem_vendor", &d->subsystem_vendor_id);
		read_id(r, base, "subsystem_device", &d->subsystem_device_id);
		read_hex(r, base, "class", 0xffffff, &d->class_code);
		read_driver(r, base, d);
	}
	absent = read_reset(r, base, d);
	read_boot_vga(r, base, d);
	if ((x = extra_next(r)) == NULL ||
	    sysfs_preflight_device(r->fs, base, d, x, r->facts) == -1)
		r->nomem = 1;
	else
		x->reset_absent = absent;
}

static void
device_release(struct report_device *d)
{
	report_device_release(d);
}

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int
device_cmp(const void *a, const void *b)
{
	uint64_t x = address_key(((const struct report_device *)a)->address);
	uint64_t y = address_key(((const struct report_device *)b)->address);

	return x < y ? -1 : x > y;
}

static struct slot *
slot_find(struct slot *slots, size_t n, uint64_t key)
{
	struct slot probe;

	probe.key = key;
	return bsearch(&probe, slots, n, sizeof(*slots), slot_cmp);
}

/* Every device of sys/bus/pci/devices into *slots, sorted by address. */
static void
read_bus(struct reader *r, struct slot **slots, size_t *nslots)
{
	const char *dir = "sys/bus/pci/devices";
	char base[SYSFS_PATH_MAX];
	struct strlist names = {NULL, 0};
	struct slot *v;
	size_t i, n = 0;

	*slots = NULL;
	*nslots = 0;
	if (rootfs_list(r->fs, dir, SYSFS_MAX_DEVICES + 1, &names) == -1) {
		if (errno == ENOMEM)
			r->nomem = 1;
		else if (errno != ENOENT)
			add_error(r, dir, errno);
		return;
	}
	if (names.n > SYSFS_MAX_DEVICES) {
		r->bound = 1;
		add_message(r, dir,
		            "more PCI devices than a report holds (16384): the rest not read");
	}
	v = calloc(names.n > 0 ? names.n : 1, sizeof(*v));
	if (v == NULL) {
		r->nomem = 1;
		strlist_free(&names);
		return;
	}
	for (i = 0; i < names.n && i < SYSFS_MAX_DEVICES; i++) {
		rootfs_join(base, sizeof(base), dir, names.v[i]);
		if (!pci_addr_valid(names.v[i], strlen(names.v[i]))) {
			add_message(r, base, "not a PCI address");
			continue;
		}
		read_device(r, base, names.v[i], &v[n].dev);
		v[n].key = address_key(names.v[i]);
		n++;
	}
	strlist_free(&names);
	if (n > 1)
		qsort(v, n, sizeof(*v), slot_cmp);
	*slots = v;
	*nslots = n;
}

/* A group directory name: decimal, no sign, no leading zero. */
static int
group_number(const char *name)
{
	long v;
	char *e;

	if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1] != '\0'))
		return -1;
	errno = 0;
	v = strtol(name, &e, 10);
	if (errno != 0 || *e != '\0' || v > INT_MAX)
		return -1;
	return (int)v;
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static void
read_regions(struct reader *r, const char *gdir, struct report_group *g)
{
	char path[SYSFS_PATH_MAX], err[128], *text;
	size_t len;

	rootfs_join(path, sizeof(path), gdir, "reserved_regions");
	if (rootfs_read(r->fs, path, SYSFS_REGIONS_MAX_BYTES, &text, &len, NULL) == -1) {
		if (errno == ENOMEM)
			r->nomem = 1;
		else if (errno != ENOENT) /* before 4.7 */
			add_error(r, path, errno);
		return;
	}
	if (sysfs_parse_regions(text, &g->regions, &g->nregions, err, sizeof(err)) == -1)
		add_message(r, path, err);
	free(text);
}

/* Append a device to a group (the device is moved, not copied). */
static int
group_add(struct report_group *g, struct report_device *d)
{
	struct report_device *v;

	v = realloc(g->devices, (g->ndevices + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	v[g->ndevices++] = *d;
	g->devices = v;
	return 0;
}

/* The members of one group, taken from slots or read through the group. */
static void
read_members(struct reader *r, const char *gdir, struct report_group *g, struct slot *slots,
             size_t nslots, int *incomplete)
{
	char dir[SYSFS_PATH_MAX], base[SYSFS_PATH_MAX];
	struct strlist names = {NULL, 0};
	struct report_device d;
	struct slot *s;
	size_t i;

	rootfs_join(dir, sizeof(dir), gdir, "devices");
	if (rootfs_list(r->fs, dir, SYSFS_MAX_DEVICES + 1, &names) == -1) {
		if (errno == ENOMEM)
			r->nomem = 1;
		else
			add_error(r, dir, errno);
		*incomplete = 1;
		return;
	}
	for (i = 0; i < names.n && !r->nomem; i++) {
		rootfs_join(base, sizeof(base), dir, names.v[i]);
		if (!pci_addr_valid(names.v[i], strlen(names.v[i]))) {
			add_message(r, base, "not a PCI address");
			continue;
		}
		s = slot_find(slots, nslots, address_key(names.v[i]));
		if (s != NULL && s->taken) {
			add_message(r, base, "in more than one group, ignored");
			continue;
		}
		if (s != NULL) {
			d = s->dev;
			s->taken = 1;
		} else {
			/* not on the bus list: read it through the group */
			if (r->ndevices >= SYSFS_MAX_DEVICES) {
				r->bound = 1;
				add_message(r, base, "too many devices, ignored");
				continue;
			}
			read_device(r, base, names.v[i], &d);
			r->ndevices++;
		}
		if (group_add(g, &d) == -1) {
			device_release(&d);
			r->nomem = 1;
			break;
		}
	}
	strlist_free(&names);
	/* an empty devices/ leaves g->devices NULL: qsort(NULL, 0) is undefined */
	if (g->ndevices > 1)
		qsort(g->devices, g->ndevices, sizeof(*g->devices), device_cmp);
}

/* Groups with their members; *incomplete when some membership is unknown. */
static void
read_groups(struct reader *r, struct report_iommu *iommu, struct sysfs_facts *facts,
            struct slot *slots, size_t nslots, int *incomplete)
{
	const char *dir = "sys/kernel/iommu_groups";
	char gdir[SYSFS_PATH_MAX], path[SYSFS_PATH_MAX], *type;
	struct strlist names = {NULL, 0};
	struct report_group *g;
	int *ids;
	size_t i, n = 0, use;

	if (rootfs_list(r->fs, dir, SYSFS_MAX_GROUPS + 1, &names) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			facts->groups_dir = TRI_FALSE;
		else if (errno == ENOMEM)
			r->nomem = 1;
		else
			add_error(r, dir, errno);
		*incomplete = facts->groups_dir != TRI_FALSE;
		return;
	}
	facts->groups_dir = TRI_TRUE;
	use = names.n;
	if (use > SYSFS_MAX_GROUPS) {
		r->bound = 1;
		add_message(r, dir,
		            "more IOMMU groups than a report holds (16384): the rest not read");
		use = SYSFS_MAX_GROUPS;
		*incomplete = 1;
	}
	ids = calloc(use > 0 ? use : 1, sizeof(*ids));
	iommu->groups = calloc(use > 0 ? use : 1, sizeof(*iommu->groups));
	if (ids == NULL || iommu->groups == NULL) {
		free(ids);
		r->nomem = 1;
		strlist_free(&names);
		return;
	}
	for (i = 0; i < use; i++) {
		ids[n] = group_number(names.v[i]);
		if (ids[n] == -1) {
			rootfs_join(gdir, sizeof(gdir), dir, names.v[i]);
			add_message(r, gdir, "not a group number");
		} else
			n++;
	}
	if (n > 1)
		qsort(ids, n, sizeof(*ids), int_cmp);
	for (i = 0; i < n && !r->nomem; i++) {
		g = &iommu->groups[iommu->ngroups++];
		report_group_init(g);
		g->id = ids[i];
		snprintf(gdir, sizeof(gdir), "%s/%d", dir, ids[i]);
		rootfs_join(path, sizeof(path), gdir, "type");
		if (read_attr(r, path, &type) == 0)
			g->type = type;
		read_regions(r, gdir, g);
		read_members(r, gdir, g, slots, nslots, incomplete);
	}
	facts->ngroups = (int)iommu->ngroups;
	free(ids);
	strlist_free(&names);
}

static struct report_group *
group_find(struct report_iommu *iommu, int id)
{
	size_t i;

	for (i = 0; i < iommu->ngroups; i++)
		if (iommu->groups[i].id == id)
			return &iommu->groups[i];
	return NULL;
}

/* Devices no listed group claimed.  When the listing was incomplete, their
 * iommu_group link says whether they really have no group. */
static void
place_ungrouped(struct reader *r, struct report_iommu *iommu, struct slot *slots, size_t nslots,
                int incomplete)
{
	char path[SYSFS_PATH_MAX], name[32];
	struct report_group *g;
	struct report_device *v;
	size_t i, n = 0;
	int id;

	for (i = 0; i < nslots; i++)
		n += !slots[i].taken;
	if (n == 0)
		return;
	v = calloc(n, sizeof(*v));
	if (v == NULL) {
		r->nomem = 1;
		return;
	}
	iommu->ungrouped = v;
	for (i = 0; i < nslots; i++) {
		if (slots[i].taken)
			continue;
		slots[i].taken = 1;
		if (incomplete) {
			snprintf(path, sizeof(path), "sys/bus/pci/devices/%.*s/iommu_group",
			         REPORT_ADDR_MAX, slots[i].dev.address);
			if (rootfs_link_basename(r->fs, path, name, sizeof(name)) == 0 &&
			    (id = group_number(name)) != -1) {
				g = group_find(iommu, id);
				if (g != NULL && group_add(g, &slots[i].dev) == 0) {
					qsort(g->devices, g->ndevices, sizeof(*g->devices),
					      device_cmp);
					continue;
				}
				add_message(r, path, "its group was not read");
				device_release(&slots[i].dev);
				continue;
			}
		}
		iommu->ungrouped[iommu->nungrouped++] = slots[i].dev;
	}
}

static void
read_iommu_units(struct reader *r, struct sysfs_facts *facts)
{
	struct strlist names = {NULL, 0};
	const char *first;

	if (rootfs_list(r->fs, "sys/class/iommu", SYSFS_IOMMU_UNITS_MAX, &names) == -1) {
		if (errno == ENOMEM)
			r->nomem = 1;
		else if (errno != ENOENT)
			add_error(r, "sys/class/iommu", errno);
		else if (rootfs_exists(r->fs, "sys/class") == 1)
			facts->iommu_units = 0; /* the kernel has no IOMMU class */
		return;
	}
	facts->iommu_units = (int)names.n;
	if (names.n > 0) {
		first = names.v[0];
		if (strncmp(first, "dmar", 4) == 0)
			snprintf(facts->iommu_kind, sizeof(facts->iommu_kind), "dmar");
		else if (strncmp(first, "ivhd", 4) == 0)
			snprintf(facts->iommu_kind, sizeof(facts->iommu_kind), "ivhd");
		else if (strstr(first, "smmu") != NULL)
			snprintf(facts->iommu_kind, sizeof(facts->iommu_kind), "smmu");
	}
	strlist_free(&names);
}

static enum tristate
exists(struct reader *r, const char *path)
{
	switch (rootfs_exists(r->fs, path)) {
	case 1:
		return TRI_TRUE;
	case 0:
		return TRI_FALSE;
	default:
		add_error(r, path, errno);
		return TRI_UNKNOWN;
	}
}

static void
read_acpi(struct reader *r, struct sysfs_facts *facts)
{
	const char *dmar = "sys/firmware/acpi/tables/DMAR";
	const unsigned char *b;
	size_t len;
	char *buf;

	/* no tables directory (device tree, partial capture): unknown */
	if (exists(r, "sys/firmware/acpi/tables") != TRI_TRUE)
		return;
	facts->acpi_dmar = exists(r, dmar);
	facts->acpi_ivrs = exists(r, "sys/firmware/acpi/tables/IVRS");
	facts->acpi_iort = exists(r, "sys/firmware/acpi/tables/IORT");
	if (facts->acpi_dmar != TRI_TRUE)
		return;
	/* 0400 root-only: EACCES is the normal case for a user */
	if (rootfs_read(r->fs, dmar, 64, &buf, &len, NULL) == -1) {
		add_error(r, dmar, errno);
		return;
	}
	b = (const unsigned char *)buf;
	if (len >= 38 && memcmp(buf, "DMAR", 4) == 0) {
		facts->dmar_flags = b[37];
	} else if (len > 0) /* an empty file is a capture's placeholder */
		add_message(r, dmar, "not a DMAR table");
	free(buf);
}

static void
read_vfio(struct reader *r, struct sysfs_facts *facts)
{
	const char *unsafe = "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";
	char *v;

	if (exists(r, "sys/module") != TRI_TRUE)
		return;
	facts->vfio_pci = exists(r, "sys/module/vfio_pci");
	if (read_attr(r, unsafe, &v) != 0)
		return;
	if (strcmp(v, "Y") == 0 || strcmp(v, "1") == 0)
		facts->allow_unsafe_interrupts = TRI_TRUE;
	else if (strcmp(v, "N") == 0 || strcmp(v, "0") == 0)
		facts->allow_unsafe_interrupts = TRI_FALSE;
	else
		add_message(r, unsafe, "not Y or N");
	free(v);
}

static void
read_hypervisor(struct reader *r, struct sysfs_facts *facts)
{
	char *v;
	size_t i;

	if (read_attr(r, "sys/hypervisor/type", &v) != 0)
		return;
	for (i = 0; v[i] != '\0' && i + 1 < sizeof(facts->hypervisor_type); i++)
		facts->hypervisor_type[i] = v[i] >= 'a' && v[i] <= 'z' ? v[i] : '?';
	facts->hypervisor_type[i] = '\0';
	free(v);
}

static void
read_interrupts(struct reader *r, struct sysfs_facts *facts)
{
	char *text;
	size_t len;

	if (rootfs_read(r->fs, "proc/interrupts", SYSFS_INTERRUPTS_MAX_BYTES, &text, &len, NULL) ==
	    -1) {
		if (errno == ENOMEM)
			r->nomem = 1;
		else if (errno != ENOENT)
			add_error(r, "proc/interrupts", errno);
		return;
	}
	/* an empty file is a capture's placeholder, not "no chips" */
	if (len > 0) {
		facts->ir_chips = sysfs_parse_interrupts_ir(text) ? TRI_TRUE : TRI_FALSE;
		facts->its_msi = sysfs_parse_interrupts_its(text) ? TRI_TRUE : TRI_FALSE;
	}
	free(text);
}

void
sysfs_facts_init(struct sysfs_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->present = f->groups_dir = TRI_UNKNOWN;
	f->ngroups = f->iommu_units = -1;
	f->acpi_dmar = f->acpi_ivrs = f->acpi_iort = TRI_UNKNOWN;
	f->dmar_flags = -1;
	f->vfio_pci = f->allow_unsafe_interrupts = f->ir_chips = f->its_msi = TRI_UNKNOWN;
	f->noiommu = f->privileged = f->critical_known = f->reset_attrs = TRI_UNKNOWN;
}

int
sysfs_read(struct rootfs *fs, struct report_iommu *iommu, struct sysfs_facts *facts,
           struct sysfs_extra **extra, size_t *nextra, struct strlist *errors)
{
	struct reader r = {fs, errors, facts, 0, 0, 0, NULL, 0, 0};
	struct slot *slots = NULL;
	size_t nslots = 0, i;
	int incomplete = 0;

	*extra = NULL;
	*nextra = 0;
	/* the directory cache serves one pass: a directory cached before
	 * (another run's reads, a device since replaced) is opened afresh */
	rootfs_forget(fs);
	sysfs_facts_init(facts);
	read_interrupts(&r, facts);
	switch (rootfs_exists(fs, "sys")) {
	case 1:
		facts->present = TRI_TRUE;
		break;
	case 0:
		/* one line, not one per missing file */
		facts->present = TRI_FALSE;
		add_message(&r, "sys", "not present");
		return r.nomem ? -1 : 0;
	default:
		add_error(&r, "sys", errno);
		return r.nomem ? -1 : 0;
	}
	read_bus(&r, &slots, &nslots);
	r.ndevices = nslots;
	read_groups(&r, iommu, facts, slots, nslots, &incomplete);
	place_ungrouped(&r, iommu, slots, nslots, incomplete);
	for (i = 0; i < nslots; i++)
		if (!slots[i].taken)
			device_release(&slots[i].dev);
	free(slots);
	read_iommu_units(&r, facts);
	read_acpi(&r, facts);
	read_vfio(&r, facts);
	read_hypervisor(&r, facts);
	facts->bound_hit = r.bound;
	sysfs_extra_sort(r.extra, r.nextra);
	for (i = 0; i < iommu->ngroups; i++)
		reset_resolve(&r, iommu->groups[i].devices, iommu->groups[i].ndevices);
	reset_resolve(&r, iommu->ungrouped, iommu->nungrouped);
	*extra = r.extra;
	*nextra = r.nextra;
	return r.nomem ? -1 : 0;
}
