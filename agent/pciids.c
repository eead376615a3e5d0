/*
 * pciids.c - device names from pci.ids text, in one pass over the text, and
 * the reduced pci.ids a capture keeps.  Pure: no I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "common/growbuf.h"
#include "agent/pciids.h"

#define PCIIDS_NAME_MAX 256 /* vendor or device name */
#define SUBSET_HEADER "# pci.ids lines for this host's devices (iommu-agent)"

/* A device waiting for its name, keyed by vendor << 16 | device. */
struct want {
	unsigned long key;
	struct report_device *dev;
};

/* One line of the text: start and length without the newline. */
struct span {
	const char *p;
	size_t n;
};

struct scan {
	struct want *v;
	size_t n;
	/* called for each want a device line matches */
	int (*match)(struct scan *, const struct span *vendor, const struct span *vname,
	             const struct span *device, const struct span *dname, struct want *w,
	             int first);
	struct growbuf out; /* subset text being built */
	int vendor_done;    /* the current vendor line is in out */
};

static int
want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static int
add_wants(struct want **v, size_t *n, struct report_device *d, size_t nd)
{
	struct want *grown;
	size_t i;

	for (i = 0; i < nd; i++) {
		if (d[i].vendor_id < 0 || d[i].device_id < 0)
			continue;
		grown = realloc(*v, (*n + 1) * sizeof(**v));
		if (grown == NULL)
			return -1;
		*v = grown;
		(*v)[*n].key = (unsigned long)d[i].vendor_id << 16 | (unsigned long)d[i].device_id;
		(*v)[*n].dev = &d[i];
		(*n)++;
	}
	return 0;
}

static int
collect(const struct report_iommu *iommu, struct want **v, size_t *n)
{
	size_t i;

	*v = NULL;
	*n = 0;
	for (i = 0; i < iommu->ngroups; i++)
		if (add_wants(v, n, iommu->groups[i].devices, iommu->groups[i].ndevices) == -1)
			goto fail;
	if (add_wants(v, n, iommu->ungrouped, iommu->nungrouped) == -1)
		goto fail;
	if (*n > 0)
		qsort(*v, *n, sizeof(**v), want_cmp);
	return 0;
fail:
	free(*v);
	*v = NULL;
	*n = 0;
	return -1;
}

/* "10de  NVIDIA Corporation": the 4-digit id and the name after it. */
static long
parse_id(const char *p, size_t n, struct span *name)
{
	long v;
	size_t i;

	if (n < 6 || (v = pci_hexn(p, 4)) < 0)
		return -1;
	if (p[4] != ' ' && p[4] != '\t')
		return -1;
	for (i = 4; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	name->p = p + i;
	name->n = n - i;
	while (name->n > 0 && isspace((unsigned char)name->p[name->n - 1]))
		name->n--;
	if (name->n == 0 || name->n > PCIIDS_NAME_MAX)
		return -1;
	return v;
}

/* First want with key, or n. */
static size_t
lower_bound(const struct want *v, size_t n, unsigned long key)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
scan_text(struct scan *s, const char *text, size_t len)
{
	const char *end = text + len, *p = text, *eol;
	struct span line, vline = {NULL, 0}, vname = {NULL, 0}, dname;
	long vendor = -1, device;
	unsigned long n;
	size_t i;
	int first;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		line.p = p;
		line.n = (size_t)(eol - p);
		if (line.n == 0 || p[0] == '#')
			continue;
		if (p[0] == 'C' && line.n > 1 && p[1] == ' ')
			break; /* the class section: no more vendors */
		if (p[0] != '\t') {
			vendor = parse_id(p, line.n, &vname);
			vline = line;
			s->vendor_done = 0;
			/* skip the vendor's device lines cheaply when unwanted */
			if (vendor != -1) {
				i = lower_bound(s->v, s->n, (unsigned long)vendor << 16);
				if (i == s->n || s->v[i].key >> 16 != (unsigned long)vendor)
					vendor = -1;
			}
			continue;
		}
		if (vendor == -1 || line.n < 2 || p[1] == '\t')
			continue; /* subsystem lines (two tabs) name no device */
		device = parse_id(p + 1, line.n - 1, &dname);
		if (device == -1)
			continue;
		n = (unsigned long)vendor << 16 | (unsigned long)device;
		first = 1;
		for (i = lower_bound(s->v, s->n, n); i < s->n && s->v[i].key == n; i++) {
			if (s->match(s, &vline, &vname, &line, &dname, &s->v[i], first) == -1)
				return -1;
			first = 0;
		}
	}
	return 0;
}

static int
match_name(struct scan *s, const struct span *vendor, const struct span *vname,
           const struct span *device, const struct span *dname, struct want *w, int first)
{
	char *name;
	size_t i;

	(void)s;
	(void)vendor;
	(void)device;
	(void)first;
	if (asprintf(&name, "%.*s %.*s", (int)vname->n, vname->p, (int)dname->n, dname->p) == -1)
		return -1;
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			name[i] = ' ';
	free(w->dev->name);
	w->dev->name = name;
	return 0;
}

int
pciids_name_devices(const char *text, size_t len, struct report_iommu *iommu)
{
	struct scan s;
	int rc;

	memset(&s, 0, sizeof(s));
	if (collect(iommu, &s.v, &s.n) == -1)
		return -1;
	s.match = match_name;
	rc = s.n > 0 ? scan_text(&s, text, len) : 0;
	free(s.v);
	return rc;
}

static int
out_append(struct scan *s, const struct span *line)
{
	return growbuf_append(&s->out, line->p, line->n) == -1 ||
	                       growbuf_append(&s->out, "\n", 1) == -1
	               ? -1
	               : 0;
}

static int
match_subset(struct scan *s, const struct span *vendor, const struct span *vname,
             const struct span *device, const struct span *dname, struct want *w, int first)
{
	(void)vname;
	(void)dname;
	(void)w;
	if (!first)
		return 0; /* one line for several devices of the same kind */
	if (!s->vendor_done) {
		if (out_append(s, vendor) == -1)
			return -1;
		s->vendor_done = 1;
	}
	return out_append(s, device);
}

char *
pciids_subset(const char *text, size_t len, const struct report_iommu *iommu, size_t *outlen)
{
	static const struct span header = {SUBSET_HEADER, sizeof(SUBSET_HEADER) - 1};
	struct scan s;

	*outlen = 0;
	memset(&s, 0, sizeof(s));
	if (collect(iommu, &s.v, &s.n) == -1)
		return NULL;
	s.match = match_subset;
	if (out_append(&s, &header) == -1 || (s.n > 0 && scan_text(&s, text, len) == -1)) {
		free(s.v);
		free(s.out.data);
		return NULL;
	}
	free(s.v);
	*outlen = s.out.len;
	return s.out.data;
}
