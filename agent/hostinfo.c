/*
 * hostinfo.c - host identity, kernel command line and CPU read from proc/,
 * etc/ and sys/class/dmi under a root (I/O, through rootfs).  Nothing comes
 * from the running machine itself: a captured root describes its own host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/hostinfo.h"

#define HOSTINFO_CMDLINE_MAX (64 * 1024)
#define HOSTINFO_CPUINFO_MAX (32 * 1024) /* the first processor block */
#define HOSTINFO_OSRELEASE_MAX (16 * 1024)

struct hreader {
	struct rootfs *fs;
	struct strlist *errors;
	int nomem;
	int proc; /* proc/ exists */
	int etc;
	int dmi;
};

static void
add_error(struct hreader *r, const char *path, int err)
{
	const char *msg;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		msg = "not present";
		break;
	case EACCES:
	case EPERM:
		msg = "permission denied";
		break;
	case ENOMEM:
		r->nomem = 1;
		return;
	default:
		msg = "cannot read";
		break;
	}
	if (strlist_addf(r->errors, "%s: %s", path, msg) == -1)
		r->nomem = 1;
}

/* An attribute into *field, or an error; 0 when read, -1 when not. */
static int
read_field(struct hreader *r, const char *path, char **field, int report)
{
	char *v;
	size_t i;

	if (rootfs_read_attr(r->fs, path, &v) == -1) {
		if (report)
			add_error(r, path, errno);
		return -1;
	}
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			v[i] = ' ';
	if (v[0] == '\0') {
		free(v); /* an empty value is unknown too */
		return -1;
	}
	free(*field);
	*field = v;
	return 0;
}

static int
dir_exists(struct hreader *r, const char *path)
{
	int rc = rootfs_exists(r->fs, path);

	if (rc == -1)
		add_error(r, path, errno);
	return rc == 1;
}

static void
read_identity(struct hreader *r, struct report_host *host)
{
	char *text;
	size_t len;
	int rc = -1;

	if (r->proc)
		rc = read_field(r, "proc/sys/kernel/hostname", &host->hostname, !r->etc);
	if (rc == -1 && r->etc)
		read_field(r, "etc/hostname", &host->hostname, 1);
	if (r->etc)
		read_field(r, "etc/machine-id", &host->machine_id, 1);
	if (r->proc)
		read_field(r, "proc/sys/kernel/osrelease", &host->kernel, 1);
	if (!r->etc)
		return;
	if (rootfs_read(r->fs, "etc/os-release", HOSTINFO_OSRELEASE_MAX, &text, &len, NULL) == -1 &&
	    rootfs_read(r->fs, "usr/lib/os-release", HOSTINFO_OSRELEASE_MAX, &text, &len, NULL) ==
	            -1) {
		add_error(r, "etc/os-release", errno);
		return;
	}
	free(host->os);
	host->os = osrelease_pretty_name(text);
	free(text);
}

static void
read_dmi(struct hreader *r, struct report_host *host)
{
	if (!r->dmi)
		return;
	read_field(r, "sys/class/dmi/id/sys_vendor", &host->dmi.sys_vendor, 1);
	read_field(r, "sys/class/dmi/id/product_name", &host->dmi.product_name, 1);
	read_field(r, "sys/class/dmi/id/bios_version", &host->dmi.bios_version, 1);
	read_field(r, "sys/class/dmi/id/bios_date", &host->dmi.bios_date, 1);
}

static void
read_cmdline(struct hreader *r, struct report_cmdline *cmdline)
{
	char *text;
	size_t len;

	if (rootfs_read(r->fs, "proc/cmdline", HOSTINFO_CMDLINE_MAX, &text, &len, NULL) == -1) {
		add_error(r, "proc/cmdline", errno);
		return;
	}
	if (len > 0 && cmdline_parse(text, cmdline) == -1)
		r->nomem = 1;
	free(text);
}

static void
read_cpu(struct hreader *r, struct report_host *host, int *hypervisor)
{
	char *text;
	size_t len;

	if (rootfs_read(r->fs, "proc/cpuinfo", HOSTINFO_CPUINFO_MAX, &text, &len, NULL) == -1) {
		add_error(r, "proc/cpuinfo", errno);
		return;
	}
	if (cpuinfo_parse(text, host, hypervisor) == -1)
		r->nomem = 1;
	free(text);
}

int
hostinfo_read(struct rootfs *fs, struct report_host *host, struct report_cmdline *cmdline,
              int *hypervisor, struct strlist *errors)
{
	struct hreader r;

	memset(&r, 0, sizeof(r));
	r.fs = fs;
	r.errors = errors;
	*hypervisor = -1;
	/* a missing tree is one error, not one per file */
	r.proc = dir_exists(&r, "proc");
	if (!r.proc && strlist_add(errors, "proc: not present") == -1)
		r.nomem = 1;
	r.etc = dir_exists(&r, "etc");
	if (!r.etc && strlist_add(errors, "etc: not present") == -1)
		r.nomem = 1;
	/* sys/ itself missing is reported by sysfs_read */
	r.dmi = dir_exists(&r, "sys/class/dmi/id");
	if (!r.dmi && rootfs_exists(fs, "sys/class") == 1 &&
	    strlist_add(errors, "sys/class/dmi/id: not present") == -1)
		r.nomem = 1;
	read_identity(&r, host);
	read_dmi(&r, host);
	if (r.proc) {
		read_cmdline(&r, cmdline);
		read_cpu(&r, host, hypervisor);
	}
	return r.nomem ? -1 : 0;
}
