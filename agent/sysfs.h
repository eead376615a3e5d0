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

#define SYSFS_MAX_GROUPS 4096
#define SYSFS_MAX_DEVICES 4096

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
	char hypervisor_type[16];              /* sys/hypervisor/type ("xen"), "" */
};

/* Facts when nothing was read: every one unknown. */
void sysfs_facts_init(struct sysfs_facts *f);

/* Read groups (with their devices and reserved regions) into iommu->groups,
 * PCI devices in no group into iommu->ungrouped, and the facts.  What could
 * not be read is added to errors as "path: reason".  0, or -1 on allocation
 * failure only. */
int sysfs_read(struct rootfs *fs, struct report_iommu *iommu, struct sysfs_facts *facts,
               struct strlist *errors);

/* Pure helpers (sysfs_parse.c). */
/* "0x10de\n" -> 0x10de; -1 when not a hex number within max. */
long sysfs_parse_hex(const char *text, long max);
/* One reserved_regions file into regions: 0, or -1 with a message. */
int sysfs_parse_regions(const char *text, struct report_region **regions, size_t *n, char *err,
                        size_t errsz);
/* "flr bus\n" -> {"flr","bus"}: 0 or -1. */
int sysfs_parse_words(const char *text, struct strlist *out);
/* 1 when /proc/interrupts text shows an interrupt-remapping chip, else 0. */
int sysfs_parse_interrupts_ir(const char *text);

#endif
