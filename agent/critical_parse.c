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

#define LINE_MAX_BYTES 4096 /* a longer line is no mount or route we use */

/* The next line of text into buf (without its newline): 1, or 0 at the end
 * or for a line too long (skipped).  sscanf on the whole text would let a
 * record's fields run on into the next line. */
static int
next_line(const char **text, char *buf, size_t size)
{
	const char *p = *text, *nl;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		*text = nl != NULL ? nl + 1 : p + n;
		if (n < size) {
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 1;
		}
		p = *text;
	}
	return 0;
}

/* "MAJOR:MINOR", digits only, each within unsigned. */
static int
parse_devno(const char *s, unsigned *maj, unsigned *min)
{
	unsigned long a, b;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || a > 0xfffffffful || b > 0xfffffffful)
		return -1;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return 0;
}

/* mountinfo (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue": field 3 is major:minor, field 5 the mount
 * point.  The last "/" mount wins (mounts stack). */
int
critical_parse_mountinfo(const char *text, unsigned *major, unsigned *minor)
{
	char line[LINE_MAX_BYTES], *field[5], *save = NULL, *tok;
	unsigned maj, min;
	int found = 0, n;

	while (next_line(&text, line, sizeof(line))) {
		/* the kernel separates fields by one space and escapes any
		 * blank inside a path (\040) */
		n = 0;
		for (tok = strtok_r(line, " ", &save); tok != NULL && n < 5;
		     tok = strtok_r(NULL, " ", &save))
			field[n++] = tok;
		if (n < 5 || parse_devno(field[2], &maj, &min) == -1)
			continue;
		if (strcmp(field[4], "/") == 0) {
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
	unsigned long dst, flags, metric, mask, best = (unsigned long)-1;
	char line[LINE_MAX_BYTES], name[32];
	int found = 0;

	while (next_line(&text, line, sizeof(line))) {
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
