/*
 * report.c - lifecycle of struct report and its small helpers.  Pure: no I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/report.h"

void
report_device_init(struct report_device *d)
{
	memset(d, 0, sizeof(*d));
	d->vendor_id = d->device_id = -1;
	d->subsystem_vendor_id = d->subsystem_device_id = -1;
	d->class_code = -1;
	d->boot_vga = TRI_UNKNOWN;
	d->verdict = VERDICT_UNKNOWN;
	d->isolated = TRI_UNKNOWN;
	d->sriov_totalvfs = d->sriov_numvfs = -1;
	d->acs = d->resettable = TRI_UNKNOWN;
	d->preflight = VERDICT_UNKNOWN;
}

void
report_group_init(struct report_group *g)
{
	memset(g, 0, sizeof(*g));
	g->id = -1;
	g->vfio_dev = TRI_UNKNOWN;
}

void
report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->iommu.enabled = TRI_UNKNOWN;
	r->iommu.interrupt_remapping.enabled = TRI_UNKNOWN;
	r->iommu.interrupt_remapping.x2apic_optout = TRI_UNKNOWN;
	r->iommu.units = -1;
	r->kernel_log.complete = TRI_UNKNOWN;
	r->verdict = VERDICT_UNKNOWN;
}

int
strlist_add(struct strlist *l, const char *s)
{
	char **v;
	char *copy;

	copy = strdup(s);
	if (copy == NULL)
		return -1;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (v == NULL) {
		free(copy);
		return -1;
	}
	v[l->n++] = copy;
	l->v = v;
	return 0;
}

int
strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strlist_vaddf(l, fmt, ap);
	va_end(ap);
	return rc;
}

int
strlist_vaddf(struct strlist *l, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return strlist_add(l, buf);
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
device_free(struct report_device *d)
{
	free(d->name);
	free(d->driver);
	free(d->role);
	free(d->critical);
	free(d->driver_override);
	strlist_free(&d->reset_methods);
	strlist_free(&d->reasons);
	strlist_free(&d->blockers);
	strlist_free(&d->warnings);
}

void
report_device_release(struct report_device *d)
{
	if (d == NULL)
		return;
	device_free(d);
	report_device_init(d);
}

static void
devices_free(struct report_device *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		device_free(&v[i]);
	free(v);
}

static void
group_free(struct report_group *g)
{
	size_t i;

	free(g->type);
	devices_free(g->devices, g->ndevices);
	for (i = 0; i < g->nregions; i++)
		free(g->regions[i].type);
	free(g->regions);
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->agent_version);
	free(r->host.hostname);
	free(r->host.machine_id);
	free(r->host.kernel);
	free(r->host.os);
	free(r->host.dmi.sys_vendor);
	free(r->host.dmi.product_name);
	free(r->host.dmi.bios_version);
	free(r->host.dmi.bios_date);
	free(r->host.cpu.vendor);
	free(r->host.cpu.model);
	free(r->host.cpu.virtualization);
	free(r->cmdline.raw);
	for (i = 0; i < r->cmdline.nparams; i++) {
		free(r->cmdline.params[i].key);
		free(r->cmdline.params[i].value);
	}
	free(r->cmdline.params);
	strlist_free(&r->cmdline.warnings);
	free(r->iommu.vendor);
	free(r->iommu.default_domain);
	free(r->iommu.interrupt_remapping.mode);
	for (i = 0; i < r->iommu.ngroups; i++)
		group_free(&r->iommu.groups[i]);
	free(r->iommu.groups);
	devices_free(r->iommu.ungrouped, r->iommu.nungrouped);
	free(r->kernel_log.source);
	for (i = 0; i < r->kernel_log.nlines; i++)
		free(r->kernel_log.lines[i].text);
	free(r->kernel_log.lines);
	for (i = 0; i < r->kernel_log.nfaults; i++) {
		free(r->kernel_log.faults[i].kind);
		free(r->kernel_log.faults[i].reason);
	}
	free(r->kernel_log.faults);
	for (i = 0; i < r->nchecks; i++) {
		free(r->checks[i].id);
		free(r->checks[i].summary);
		free(r->checks[i].evidence);
	}
	free(r->checks);
	free(r->reason);
	strlist_free(&r->errors);
	report_init(r);
}

static const char *const verdict_names[] = {
        [VERDICT_UNKNOWN] = "unknown",
        [VERDICT_READY] = "ready",
        [VERDICT_NOT_READY] = "not-ready",
};

static const char *const check_status_names[] = {
        [CHECK_UNKNOWN] = "unknown",
        [CHECK_PASS] = "pass",
        [CHECK_WARN] = "warn",
        [CHECK_FAIL] = "fail",
};

const char *
verdict_name(enum verdict v)
{
	return verdict_names[v];
}

int
verdict_parse(const char *s, enum verdict *out)
{
	size_t i;

	for (i = 0; i < sizeof(verdict_names) / sizeof(verdict_names[0]); i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*out = (enum verdict)i;
			return 0;
		}
	}
	return -1;
}

const char *
check_status_name(enum check_status s)
{
	return check_status_names[s];
}

int
check_status_parse(const char *s, enum check_status *out)
{
	size_t i;

	for (i = 0; i < sizeof(check_status_names) / sizeof(check_status_names[0]); i++) {
		if (strcmp(s, check_status_names[i]) == 0) {
			*out = (enum check_status)i;
			return 0;
		}
	}
	return -1;
}
