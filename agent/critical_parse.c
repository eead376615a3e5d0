/*
 * critical_parse.c - which devices the host cannot lose: the root
 * filesystem's block device from /proc/self/mountinfo, the default route's
 * interface from /proc/net/route, and the PCI addresses in a sysfs device
 * path.  Pure: no I/O.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/sysfs.h"

/* mountinfo (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue": field 3 is major:minor, field 5 the mount
 * point.  The last "/" mount wins (mounts stack). */
int
critical_parse_mountinfo(const char *text, unsigned *major, unsigned *minor)
{
	const char *line, *next;
	unsigned maj, min;
	char mnt[8];
	int found = 0;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			next++;
		if (sscanf(line, "%*u %*u %u:%u %*s %7s", &maj, &min, mnt) != 3)
			continue;
		if (strcmp(mnt, "/") == 0) {
			*major = maj;
			*minor = min;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

/* /proc/net/route: a header, then "Iface Destination Gateway Flags ...
 * Mask ..." in hex; the default route has destination and mask 0 and the
 * RTF_UP flag (1).  The one with the lowest metric wins. */
int
critical_parse_route(const char *text, char *iface, size_t ifsz)
{
	const char *line, *next;
	unsigned long dst, flags, metric, mask, best = (unsigned long)-1;
	char name[32];
	int found = 0;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			next++;
		if (sscanf(line, "%31s %lx %*x %lx %*d %*d %lu %lx", name, &dst, &flags, &metric,
		           &mask) != 5)
			continue;
		if (dst != 0 || mask != 0 || !(flags & 1) || metric >= best)
			continue;
		best = metric;
		snprintf(iface, ifsz, "%s", name);
		found = 1;
	}
	return found ? 0 : -1;
}

/* The PCI addresses in a resolved sysfs path, outermost first
 * ("../../devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0" gives
 * 0000:00:1d.0 and 0000:3d:00.0).  The last is the device itself; the
 * ones before it are the bridges above it.  Returns how many were put in
 * out (at most max). */
size_t
critical_path_addrs(const char *path, char (*out)[REPORT_ADDR_MAX], size_t max)
{
	const char *p = path, *slash;
	size_t n = 0, len;

	while (p != NULL && *p != '\0' && n < max) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len < REPORT_ADDR_MAX && pci_addr_valid(p, len)) {
			memcpy(out[n], p, len);
			out[n][len] = '\0';
			n++;
		}
		p = slash != NULL ? slash + 1 : NULL;
	}
	return n;
}
