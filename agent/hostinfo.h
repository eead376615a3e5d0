/*
 * hostinfo.h - host identity (hostname, machine-id, kernel, os, dmi), the
 * kernel command line and /proc/cpuinfo.  hostinfo_read() does the I/O
 * through a rootfs; the *_parse functions are pure.
 */
#ifndef IOMMU_FLEET_HOSTINFO_H
#define IOMMU_FLEET_HOSTINFO_H

#include "proto/report.h"
#include "agent/rootfs.h"

/* Fill host, cmdline and *hypervisor (1 when cpuinfo has the "hypervisor"
 * flag, 0 when not, -1 unknown).  Unreadable sources go to errors.  0, or -1
 * on allocation failure only. */
int hostinfo_read(struct rootfs *fs, struct report_host *host, struct report_cmdline *cmdline,
                  int *hypervisor, struct strlist *errors);

/* /proc/cmdline text -> raw copy, the IOMMU-related parameters and warnings
 * for misleading ones.  0 or -1 (allocation). */
int cmdline_parse(const char *text, struct report_cmdline *out);
/* Value of the last occurrence of key: NULL when absent, "" for a bare flag. */
const char *cmdline_get(const struct report_cmdline *c, const char *key);

/* /proc/cpuinfo text -> vendor ("GenuineIntel" -> "intel", "AuthenticAMD" ->
 * "amd", "HygonGenuine" -> "hygon", else the raw string), model name, "vmx" /
 * "svm" / NULL.  0 or -1. */
int cpuinfo_parse(const char *text, struct report_host *host, int *hypervisor);

/* os-release text -> PRETTY_NAME (else NAME VERSION_ID), a new string or NULL. */
char *osrelease_pretty_name(const char *text);

#endif
