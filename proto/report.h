/*
 * report.h - the iommu-fleet report as C structs (version 1).
 * Pure data; no I/O. See proto/FORMAT.md for the JSON form.
 *
 * Ownership: a struct report owns every string and array reachable from it
 * (all malloc'd); report_free() releases them.  Unknown values: strings are
 * NULL, integers are -1, tristates are TRI_UNKNOWN.
 */
#ifndef IOMMU_FLEET_REPORT_H
#define IOMMU_FLEET_REPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_FORMAT "iommu-fleet.report"
#define REPORT_VERSION 1
#define REPORT_ADDR_MAX 20 /* "10000:00:1f.7" and room to spare */

enum tristate { TRI_UNKNOWN = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

enum verdict { VERDICT_UNKNOWN = 0, VERDICT_READY, VERDICT_NOT_READY };

enum check_status { CHECK_UNKNOWN = 0, CHECK_PASS, CHECK_WARN, CHECK_FAIL };

struct strlist {
	char **v;
	size_t n;
};

struct report_kv {
	char *key;
	char *value; /* NULL for a bare flag such as "iommu=pt"-less "nox2apic" */
};

struct report_device {
	char address[REPORT_ADDR_MAX]; /* "0000:01:00.0" */
	int vendor_id;                 /* 0x0000-0xffff, -1 unknown */
	int device_id;
	int subsystem_vendor_id;
	int subsystem_device_id;
	long class_code; /* 24-bit class, -1 unknown; JSON "class" */
	char *name;      /* from pci.ids, NULL when unknown */
	char *driver;    /* bound driver, NULL when none or unknown */
	struct strlist reset_methods;
	enum tristate boot_vga;
	enum verdict verdict;
	enum tristate isolated;
	struct strlist reasons;
	/* the whole-group preflight (FORMAT.md "device"): optional in JSON,
	 * absent keys decode as unknown */
	char *role;                   /* "endpoint", "bridge"; NULL unknown */
	char *critical;               /* "root-disk", "default-route", "boot-display"; NULL none */
	char *driver_override;        /* sysfs driver_override, NULL none or unknown */
	int sriov_totalvfs;           /* -1: not SR-IOV capable, or unknown */
	int sriov_numvfs;             /* -1 unknown */
	char physfn[REPORT_ADDR_MAX]; /* a VF's physical function, "" when none */
	enum tristate acs;            /* ACS capability present and enabled */
	enum tristate resettable;     /* the kernel can reset it (reset_methods says
	                                 how); false: it lists no method */
	enum verdict preflight;       /* binding the whole group to vfio-pci */
	struct strlist blockers;      /* why not, one per blocker */
	struct strlist warnings;      /* what holds but deserves a look */
};

struct report_region {
	uint64_t start;
	uint64_t end;
	char *type; /* "direct", "direct-relaxable", "reserved", "msi" */
};

struct report_group {
	int id;
	char *type; /* "DMA", "DMA-FQ", "identity", ... NULL unknown */
	struct report_device *devices;
	size_t ndevices;
	struct report_region *regions;
	size_t nregions;
	enum tristate vfio_dev; /* /dev/vfio/N exists; JSON "vfio_dev" */
};

struct report_logline {
	double time; /* seconds since boot, -1 when the line had none */
	int level;   /* printk level 0-7, -1 unknown */
	char *text;
};

struct report_fault {
	char address[REPORT_ADDR_MAX]; /* "DDDD:BB:DD.F" */
	char *kind;   /* "dma-read", "dma-write", "intr-remap", "io-page-fault", ... */
	char *reason; /* "PTE Read access is not set", may be NULL */
	unsigned long count;
};

struct report_check {
	char *id;
	enum check_status status;
	char *summary;
	char *evidence;
};

struct report_host {
	char *hostname;
	char *machine_id;
	char *kernel;
	char *os;
	struct {
		char *sys_vendor;
		char *product_name;
		char *bios_version;
		char *bios_date;
	} dmi;
	struct {
		char *vendor;
		char *model;
		char *virtualization; /* "vmx", "svm" or NULL */
	} cpu;
};

struct report_cmdline {
	char *raw;                /* NULL when /proc/cmdline could not be read */
	struct report_kv *params; /* IOMMU-related parameters only */
	size_t nparams;
	struct strlist warnings;
};

struct report_iommu {
	char *vendor; /* "intel", "amd", "arm", "none", "unknown" */
	enum tristate enabled;
	char *default_domain; /* "translated", "passthrough", "blocked", NULL */
	struct {
		enum tristate enabled;
		char *mode; /* "x2apic", "xapic", NULL */
		enum tristate x2apic_optout;
	} interrupt_remapping;
	int units; /* IOMMU hardware units, -1 unknown */
	struct report_group *groups;
	size_t ngroups;
	struct report_device *ungrouped; /* PCI devices in no group; JSON "ungrouped_devices" */
	size_t nungrouped;
};

struct report_kernel_log {
	char *source; /* "kmsg", "journal", "file", "dmesg-file", "kern.log", "none" */
	enum tristate complete;
	struct report_logline *lines;
	size_t nlines;
	struct report_fault *faults;
	size_t nfaults;
	unsigned long fault_total;
	unsigned long firmware_bugs;
};

struct report {
	char report_id[37];
	char collected_at[32]; /* RFC 3339 UTC, "2026-11-23T21:34:24Z" */
	char *agent_version;
	struct report_host host;
	struct report_cmdline cmdline;
	struct report_iommu iommu;
	struct report_kernel_log kernel_log;
	struct report_check *checks;
	size_t nchecks;
	enum verdict verdict;
	char *reason;
	struct strlist errors; /* "path: message", what could not be read */
};

/* Lifecycle.  report_init() zeroes and sets every unknown marker;
 * report_free(NULL) is a no-op and frees contents, not the struct itself. */
void report_init(struct report *r);
void report_free(struct report *r);
void report_device_init(struct report_device *d);
/* Free what d owns and re-initialise it; NULL is a no-op. */
void report_device_release(struct report_device *d);
void report_group_init(struct report_group *g);

/* strlist helpers: append a copy of s (0, or -1 on allocation failure). */
int strlist_add(struct strlist *l, const char *s);
int strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strlist_vaddf(struct strlist *l, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
void strlist_free(struct strlist *l);

/* Names used in JSON for the enums; *_parse returns -1 for an unknown word. */
const char *verdict_name(enum verdict v);
int verdict_parse(const char *s, enum verdict *out);
const char *check_status_name(enum check_status s);
int check_status_parse(const char *s, enum check_status *out);

#endif
