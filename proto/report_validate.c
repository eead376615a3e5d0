/*
 * report_validate.c - semantic rules of a decoded report (pure, no I/O).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hostname.h"
#include "proto/report_validate.h"
#include "proto/stamp.h"

static int fail(struct report_error *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int
fail(struct report_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
cmp_addr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Every PCI address once, grouped or not. */
static int
devices_unique(const struct report_iommu *io, struct report_error *err)
{
	const char **v;
	size_t i, j, n = io->nungrouped;
	int rc = 0;

	for (i = 0; i < io->ngroups; i++)
		n += io->groups[i].ndevices;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return fail(err, "out of memory");
	n = 0;
	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].ndevices; j++)
			v[n++] = io->groups[i].devices[j].address;
	for (i = 0; i < io->nungrouped; i++)
		v[n++] = io->ungrouped[i].address;
	qsort(v, n, sizeof(*v), cmp_addr);
	for (i = 1; i < n && rc == 0; i++)
		if (strcmp(v[i], v[i - 1]) == 0)
			rc = fail(err, "iommu: device %.20s listed twice", v[i]);
	free(v);
	return rc;
}

/* Every known group id once (-1, unknown, may repeat). */
static int
groups_unique(const struct report_iommu *io, struct report_error *err)
{
	size_t i;
	int *ids, rc = 0;

	if ((ids = calloc(io->ngroups ? io->ngroups : 1, sizeof(*ids))) == NULL)
		return fail(err, "out of memory");
	for (i = 0; i < io->ngroups; i++)
		ids[i] = io->groups[i].id;
	qsort(ids, io->ngroups, sizeof(*ids), cmp_int);
	for (i = 1; i < io->ngroups && rc == 0; i++)
		if (ids[i] >= 0 && ids[i] == ids[i - 1])
			rc = fail(err, "iommu.groups: group %d listed twice", ids[i]);
	free(ids);
	return rc;
}

static int
regions_ordered(const struct report_iommu *io, struct report_error *err)
{
	size_t i, j;

	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].nregions; j++)
			if (io->groups[i].regions[j].start > io->groups[i].regions[j].end)
				return fail(
				        err,
				        "iommu.groups[%zu].reserved_regions[%zu]: ends before it starts",
				        i, j);
	return 0;
}

static int
faults_counted(const struct report_kernel_log *k, struct report_error *err)
{
	unsigned long listed = 0;
	size_t i;

	for (i = 0; i < k->nfaults; i++) {
		if (k->faults[i].count > k->fault_total - listed)
			return fail(err,
			            "kernel_log.fault_total: %lu, fewer than the faults "
			            "listed",
			            k->fault_total);
		listed += k->faults[i].count;
	}
	return 0;
}

static int
verdicts_consistent(const struct report *r, struct report_error *err)
{
	size_t i;

	if (r->verdict == VERDICT_READY && r->iommu.enabled != TRI_TRUE)
		return fail(err, "verdict: ready, but iommu.enabled is not true");
	for (i = 0; i < r->iommu.nungrouped; i++)
		if (r->iommu.ungrouped[i].verdict == VERDICT_READY)
			return fail(err,
			            "iommu.ungrouped_devices[%zu].verdict: ready outside "
			            "any IOMMU group",
			            i);
	return 0;
}

/* The whole-group preflight: VF counts within their bound, and "ready"
 * only where vfio could take the group safely: in a group, with interrupt
 * remapping on, and no member whose loss would take the host down. */
static int
preflight_device(const struct report *r, const struct report_group *g,
                 const struct report_device *d, struct report_error *err)
{
	size_t i;

	if (d->sriov_totalvfs >= 0 && d->sriov_numvfs > d->sriov_totalvfs)
		return fail(err, "iommu: device %.20s: sriov.numvfs %d above totalvfs %d",
		            d->address, d->sriov_numvfs, d->sriov_totalvfs);
	if (d->physfn[0] != '\0' && strcmp(d->physfn, d->address) == 0)
		return fail(err, "iommu: device %.20s: its own physfn", d->address);
	if (d->resettable == TRI_FALSE && d->reset_methods.n > 0)
		return fail(err,
		            "iommu: device %.20s: resettable false, but reset_methods lists %zu",
		            d->address, d->reset_methods.n);
	if (d->resettable == TRI_TRUE && d->reset_methods.n == 0)
		return fail(err, "iommu: device %.20s: resettable true, but reset_methods is empty",
		            d->address);
	if (d->preflight != VERDICT_READY)
		return 0;
	if (d->resettable == TRI_FALSE)
		return fail(err, "iommu: device %.20s: preflight ready, but it has no reset method",
		            d->address);
	if (g == NULL)
		return fail(err, "iommu: device %.20s: preflight ready outside any IOMMU group",
		            d->address);
	if (r->iommu.interrupt_remapping.enabled != TRI_TRUE)
		return fail(
		        err,
		        "iommu: device %.20s: preflight ready, but interrupt remapping is not on",
		        d->address);
	for (i = 0; i < g->ndevices; i++)
		if (g->devices[i].critical != NULL)
			return fail(
			        err,
			        "iommu: device %.20s: preflight ready, but group member %.20s is "
			        "critical (%.32s)",
			        d->address, g->devices[i].address, g->devices[i].critical);
	return 0;
}

static int
preflight_consistent(const struct report *r, struct report_error *err)
{
	const struct report_iommu *io = &r->iommu;
	size_t i, j;

	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].ndevices; j++)
			if (preflight_device(r, &io->groups[i], &io->groups[i].devices[j], err) ==
			    -1)
				return -1;
	for (i = 0; i < io->nungrouped; i++)
		if (preflight_device(r, NULL, &io->ungrouped[i], err) == -1)
			return -1;
	return 0;
}

int
report_validate(const struct report *r, struct report_error *err)
{
	const char *why;

	why = hostname_invalid(r->host.hostname,
	                       r->host.hostname != NULL ? strlen(r->host.hostname) : 0,
	                       HOSTNAME_REPORTED);
	if (why != NULL)
		return fail(err, "host.hostname: %s", why);
	if (!stamp_uuid_ok(r->report_id, strlen(r->report_id)))
		return fail(err, "report_id: missing");
	if (!stamp_time_ok(r->collected_at, strlen(r->collected_at)))
		return fail(err, "collected_at: missing");
	if (devices_unique(&r->iommu, err) == -1 || groups_unique(&r->iommu, err) == -1 ||
	    regions_ordered(&r->iommu, err) == -1 || faults_counted(&r->kernel_log, err) == -1 ||
	    verdicts_consistent(r, err) == -1 || preflight_consistent(r, err) == -1)
		return -1;
	return 0;
}
