/*
 * store_index.c - index a valid report's devices and groups for the store
 * (pure, no I/O).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/store_index.h"
#include "common/growbuf.h"
#include "common/sha256.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_devref(const void *a, const void *b)
{
	const struct store_devref *x = a, *y = b;

	return strcmp(x->d->address, y->d->address);
}

void
store_index_free(struct store_index *ix)
{
	size_t i;

	if (ix->members != NULL)
		for (i = 0; i < ix->r->iommu.ngroups; i++)
			free(ix->members[i]);
	free(ix->members);
	free(ix->devs);
	memset(ix, 0, sizeof(*ix));
}

static void
devs_collect(struct store_index *ix)
{
	const struct report_iommu *io = &ix->r->iommu;
	size_t i, j;

	for (i = 0; i < io->ngroups; i++) {
		for (j = 0; j < io->groups[i].ndevices; j++) {
			ix->devs[ix->ndevs].d = &io->groups[i].devices[j];
			ix->devs[ix->ndevs].group = io->groups[i].id;
			ix->devs[ix->ndevs++].gidx = i;
		}
	}
	for (i = 0; i < io->nungrouped; i++) {
		ix->devs[ix->ndevs].d = &io->ungrouped[i];
		ix->devs[ix->ndevs].group = -1;
		ix->devs[ix->ndevs++].gidx = (size_t)-1;
	}
	qsort(ix->devs, ix->ndevs, sizeof(*ix->devs), cmp_devref);
}

/* Group gidx's members, sorted because devs is: a new string or NULL.
 * Sized exactly, not grown: a growbuf starts at 64 KiB, and 16384 groups
 * held a gigabyte of address space and 64 MB of touched pages. */
static char *
members_of(const struct store_index *ix, size_t gidx)
{
	size_t j, len = 0, o = 0, n;
	char *s;

	for (j = 0; j < ix->ndevs; j++)
		if (ix->devs[j].gidx == gidx)
			len += strlen(ix->devs[j].d->address) + 1;
	if ((s = malloc(len ? len : 1)) == NULL)
		return NULL;
	for (j = 0; j < ix->ndevs; j++) {
		if (ix->devs[j].gidx != gidx)
			continue;
		if (o > 0)
			s[o++] = ' ';
		n = strlen(ix->devs[j].d->address);
		memcpy(s + o, ix->devs[j].d->address, n);
		o += n;
	}
	s[o] = '\0';
	return s;
}

/* Which devices share a group, whatever the group numbers. */
static int
grouping_of(struct store_index *ix)
{
	size_t i, n = ix->r->iommu.ngroups;
	struct growbuf all = {0};
	char **sorted, hex[SHA256_HEX_LEN];
	int rc = 0;

	if ((sorted = calloc(n ? n : 1, sizeof(*sorted))) == NULL)
		return -1;
	memcpy(sorted, ix->members, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < n && rc == 0; i++)
		if (growbuf_append(&all, sorted[i], strlen(sorted[i])) == -1 ||
		    growbuf_append(&all, "|", 1) == -1)
			rc = -1;
	if (rc == 0) {
		sha256_hex(all.data != NULL ? all.data : "", all.len, hex);
		snprintf(ix->grouping, sizeof(ix->grouping), "%zu:%.12s", n, hex);
	}
	free(all.data);
	free(sorted);
	return rc;
}

int
store_index_build(struct store_index *ix, const struct report *r)
{
	const struct report_iommu *io = &r->iommu;
	size_t i, n = io->nungrouped;

	memset(ix, 0, sizeof(*ix));
	ix->r = r;
	for (i = 0; i < io->ngroups; i++)
		n += io->groups[i].ndevices;
	ix->devs = calloc(n ? n : 1, sizeof(*ix->devs));
	ix->members = calloc(io->ngroups ? io->ngroups : 1, sizeof(*ix->members));
	if (ix->devs == NULL || ix->members == NULL)
		goto fail;
	devs_collect(ix);
	for (i = 0; i < io->ngroups; i++)
		if ((ix->members[i] = members_of(ix, i)) == NULL)
			goto fail;
	if (grouping_of(ix) == -1)
		goto fail;
	return 0;
fail:
	store_index_free(ix);
	return -1;
}
