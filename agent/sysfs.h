/*
 * sysfs.h - IOMMU groups, PCI devices, firmware tables, vfio and interrupt
 * chips, read through a rootfs (I/O in sysfs_read.c, pure parsing of
 * attribute text in sysfs_parse.c).
 *
 * Missing evidence is not negative evidence: a root with no sys/ at all leaves
 * everything TRI_UNKNOWN / -1, while an existing but empty
 * sys/kernel/iommu_groups means "no groups" (groups_dir TRI_TRUE, ngroups 0).
 */
#ifndef IOMMU_FLEET_SYSFS_H
#define IOMMU_FLEET_SYSFS_H

#include <stddef.h>
#include <stdint.h>
#include "proto/report.h"
#include "agent/rootfs.h"
#include "proto/report_json.h"

/* As many as a report holds (proto/report_json.h): past that, a bound is
 * hit and said so in errors, with the checks that need all devices
 * unknown. */
#define SYSFS_MAX_GROUPS REPORT_MAX_GROUPS
#define SYSFS_MAX_DEVICES REPORT_MAX_DEVICES

struct sysfs_facts {
	enum tristate present;    /* sys/ exists */
	enum tristate groups_dir; /* sys/kernel/iommu_groups exists */
	int ngroups;              /* -1 unknown */
	int iommu_units;          /* entries of sys/class/iommu, -1 unknown */
	char iommu_kind[8];       /* "dmar", "ivhd", "smmu", "" */
	enum tristate acpi_dmar;  /* sys/firmware/acpi/tables/DMAR exists */
	enum tristate acpi_ivrs;
	enum tristate acpi_iort;
	int dmar_flags;                        /* DMAR byte 37, -1 when unreadable */
	enum tristate vfio_pci;                /* sys/module/vfio_pci */
	enum tristate allow_unsafe_interrupts; /* vfio_iommu_type1 parameter */
	enum tristate ir_chips;                /* proc/interrupts has IR-IO-APIC / IR-PCI-MSI */
	enum tristate its_msi;                 /* proc/interrupts has ITS-MSI (arm64) */
	char hypervisor_type[16];              /* sys/hypervisor/type ("xen"), "" */
	int bound_hit;                         /* more devices or groups than read */
	enum tristate noiommu;                 /* vfio no-IOMMU mode: the module
	                                          parameter, or dev/vfio/noiommu-N */
	enum tristate privileged;              /* extended config space readable */
	enum tristate critical_known;          /* the root disk and the default route
	                                          were located (or there is none) */
	enum tristate reset_attrs;             /* some device shows reset_method or
	                                          reset: the tree carries them */
};

/* What pcicfg_parse() reads from a device's config space. */
struct pcicfg_info {
	int port_type;     /* PCIe port type (4 root port, 6 downstream), -1 */
	enum tristate acs; /* ACS present and enabled; unknown when the
	                      extended config space could not be read */
};

/* Facts when nothing was read: every one unknown. */
void sysfs_facts_init(struct sysfs_facts *f);

/* One PCI device's preflight evidence that the report does not carry,
 * found by address (sysfs_extra_find). */
struct sysfs_extra {
	char address[REPORT_ADDR_MAX];
	char parent[REPORT_ADDR_MAX]; /* the bridge right above it, "" none */
	int port_type;                /* PCIe port type, -1 unknown */
	int noiommu_group;            /* its group's node is dev/vfio/noiommu-N */
	int reset_absent;             /* neither reset_method nor reset in its
	                                 directory */
};

/* Read groups (with their devices and reserved regions) into iommu->groups,
 * PCI devices in no group into iommu->ungrouped, and the facts; with each
 * device, while its directory is open, its preflight evidence
 * (sysfs_preflight_device) into *extra (caller frees; one per device read,
 * sorted by address for sysfs_extra_find).  What could not be read is
 * added to errors as "path: reason".  0, or -1 on allocation failure only. */
int sysfs_read(struct rootfs *fs, struct report_iommu *iommu, struct sysfs_facts *facts,
               struct sysfs_extra **extra, size_t *nextra, struct strlist *errors);

/* The preflight fields of device d (driver_override, sriov, physfn, role,
 * acs) and *x, read from its directory dir (sys/bus/pci/devices/ADDR);
 * facts->privileged from its config space.  0, or -1 on allocation
 * failure. */
int sysfs_preflight_device(struct rootfs *fs, const char *dir, struct report_device *d,
                           struct sysfs_extra *x, struct sysfs_facts *facts);

/* The host's part of the preflight: the devices it cannot lose (critical),
 * each group's vfio_dev, facts->noiommu and the no-IOMMU groups' devices
 * in extra (sorted).  0, or -1 on allocation failure. */
int sysfs_preflight_read(struct rootfs *fs, struct report_iommu *iommu, struct sysfs_facts *facts,
                         struct sysfs_extra *extra, size_t nextra, struct strlist *errors);
void sysfs_extra_sort(struct sysfs_extra *x, size_t n);
const struct sysfs_extra *sysfs_extra_find(const struct sysfs_extra *x, size_t n,
                                           const char *address);

/* Pure helpers (pcicfg_parse.c): config space bytes (64, 256 or 4096 of
 * them) into *out: 0, or -1 when too short to be one. */
int pcicfg_parse(const unsigned char *cfg, size_t len, struct pcicfg_info *out);
const char *pcicfg_port_name(int port_type);

/* Pure helpers (critical_parse.c): 0, or -1 when the text does not say. */
int critical_parse_mountinfo(const char *text, unsigned *major, unsigned *minor);
int critical_parse_route(const char *text, char *iface, size_t ifsz);
size_t critical_path_addrs(const char *path, char (*out)[REPORT_ADDR_MAX], size_t max);

/* Pure helpers (sysfs_parse.c). */
/* "0x10de\n" -> 0x10de; -1 when not a hex number within max. */
long sysfs_parse_hex(const char *text, long max);
/* One reserved_regions file into regions: 0, or -1 with a message. */
int sysfs_parse_regions(const char *text, struct report_region **regions, size_t *n, char *err,
                        size_t errsz);
/* "flr bus\n" -> {"flr","bus"}: 0, or -1 with out emptied. */
int sysfs_parse_words(const char *text, struct strlist *out);
/* 1 when /proc/interrupts text shows an interrupt-remapping chip, else 0. */
int sysfs_parse_interrupts_ir(const char *text);
/* 1 when it shows GICv3 ITS MSI chips (arm64: isolated MSIs), else 0. */
int sysfs_parse_interrupts_its(const char *text);

#endif
