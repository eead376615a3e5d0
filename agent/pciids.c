/*
 * pciids.c - device names from pci.ids text, in one pass over the text as
 * it arrives in pieces, and the reduced pci.ids a capture keeps.  Pure: no
 * I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "common/growbuf.h"
#include "common/linecarry.h"
#include "agent/pciids.h"

#define PCIIDS_NAME_MAX 256  /* vendor or device name */
#define PCIIDS_LINE_MAX 1024 /* a longer line holds no name that fits */
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

struct pciids_scan {
	struct want *v;
	size_t n;
	int keep_subset;    /* build the capture's reduced file as well */
	struct growbuf out; /* subset text being built */
	int vendor_done;    /* the current vendor line is in out */
	int ended;          /* the class section began: no more vendors */
	long vendor;        /* the current vendor when some device wants it, else -1 */
	int skipping;       /* the piece ended inside a passed-over line */
	/* the current vendor's line and name, copied: the text it was in
	 * is gone when the next piece arrives */
	char vline[PCIIDS_LINE_MAX];
	size_t nvline, vname_at, vname_len;
	/* a line cut by the end of a piece: its start, up to PCIIDS_LINE_MAX */
	char carry_buf[PCIIDS_LINE_MAX];
	struct linecarry carry;
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

/* Does the line at p start with depth tabs (1 or 2), as far as the
 * bytes before end tell? */
static int
starts_tabs(const char *p, const char *end, int depth)
{
	return end - p >= depth && p[0] == '\t' && (depth < 2 || p[1] == '\t');
}

/* The next line at or after p (a line start) that does not start with
 * depth tabs: an unwanted vendor's devices and subsystems (1), a wanted
 * one's subsystems (2), passed over sixteen bytes at a time (GCC / clang
 * generic vectors), most of a 1.4 MB file.  A line whose start the bytes
 * do not show in full is returned too (the caller reads it whole); end
 * when there is none. */
typedef unsigned char pciids_v16 __attribute__((vector_size(16)));

static const char *
skip_lines(const char *p, const char *end, int depth)
{
	const pciids_v16 zero = {0};
	/* all ones when the second tab counts too */
	pciids_v16 b, c, d, hit, deep = zero + (unsigned char)(depth == 2 ? 0xff : 0);
	unsigned long long h[2];

	if (!starts_tabs(p, end, depth))
		return p;
	for (; end - p >= 18; p += 16) {
		memcpy(&b, p, 16);
		memcpy(&c, p + 1, 16);
		memcpy(&d, p + 2, 16);
		/* a newline whose next line lacks a tab of the depth */
		hit = (pciids_v16)((b == '\n') & ((c != '\t') | ((d != '\t') & deep)));
		memcpy(h, &hit, 16);
		if ((h[0] | h[1]) != 0)
			break; /* the bytes below find which */
	}
	for (; p < end; p++)
		if (*p == '\n' && !starts_tabs(p + 1, end, depth))
			return p + 1;
	return end;
}

static int match_name(const struct span *vname, const struct span *dname, struct want *w);
static int match_subset(struct pciids_scan *s, const struct span *device);

/* A vendor line: wanted when some device has its id. */
static void
vendor_line(struct pciids_scan *s, const struct span *line)
{
	long id = line->n >= 4 ? pci_hexn(line->p, 4) : -1;
	struct span name;
	size_t i;

	s->vendor = -1;
	s->vendor_done = 0;
	/* the id first: most of 2,500 vendors are no device's, and their
	 * names are not looked at */
	if (id == -1)
		return;
	i = lower_bound(s->v, s->n, (unsigned long)id << 16);
	if (i == s->n || s->v[i].key >> 16 != (unsigned long)id)
		return;
	s->vendor = parse_id(line->p, line->n, &name);
	if (s->vendor == -1)
		return;
	memcpy(s->vline, line->p, line->n);
	s->nvline = line->n;
	s->vname_at = (size_t)(name.p - line->p);
	s->vname_len = name.n;
}

/* One whole line (at most PCIIDS_LINE_MAX bytes): 0 or -1. */
static int
scan_line(struct pciids_scan *s, const struct span *line)
{
	struct span vname, dname;
	long device;
	unsigned long key;
	size_t i;
	int first = 1;

	if (line->n == 0 || line->p[0] == '#')
		return 0;
	if (line->p[0] == 'C' && line->n > 1 && line->p[1] == ' ') {
		s->ended = 1; /* the class section: no more vendors */
		return 0;
	}
	if (line->p[0] != '\t') {
		vendor_line(s, line);
		return 0;
	}
	if (s->vendor == -1 || line->n < 2 || line->p[1] == '\t')
		return 0; /* subsystem lines (two tabs) name no device */
	/* the id first: most of a wanted vendor's devices are no device's */
	if ((device = line->n >= 5 ? pci_hexn(line->p + 1, 4) : -1) == -1)
		return 0;
	key = (unsigned long)s->vendor << 16 | (unsigned long)device;
	i = lower_bound(s->v, s->n, key);
	if (i == s->n || s->v[i].key != key || parse_id(line->p + 1, line->n - 1, &dname) == -1)
		return 0;
	vname.p = s->vline + s->vname_at;
	vname.n = s->vname_len;
	for (; i < s->n && s->v[i].key == key; i++) {
		if (match_name(&vname, &dname, &s->v[i]) == -1)
			return -1;
		/* one line for several devices of the same kind */
		if (first && s->keep_subset && match_subset(s, line) == -1)
			return -1;
		first = 0;
	}
	return 0;
}

/* A line's bytes into line, cut to PCIIDS_LINE_MAX (a longer one names
 * nothing: no name is that long). */
static void
take_line(struct span *line, const char *p, size_t n)
{
	line->p = p;
	line->n = n < PCIIDS_LINE_MAX ? n : PCIIDS_LINE_MAX;
}

int
pciids_scan_feed(struct pciids_scan *s, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *eol;
	struct span line;
	size_t used;

	while (p < end && !s->ended) {
		if (s->skipping) {
			/* the rest of a passed-over line begun in an earlier piece */
			if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
				return 0;
			s->skipping = 0;
			p = eol + 1;
			continue;
		}
		if (s->carry.active) {
			/* the rest of a line begun in an earlier piece */
			if (!linecarry_take(&s->carry, p, (size_t)(end - p), &used))
				return 0;
			p += used;
			take_line(&line, s->carry.buf, s->carry.n);
			linecarry_reset(&s->carry);
			if (scan_line(s, &line) == -1)
				return -1;
			continue;
		}
		if (s->vendor == -1 ? starts_tabs(p, end, 1) : starts_tabs(p, end, 2)) {
			p = skip_lines(p, end, s->vendor == -1 ? 1 : 2);
			s->skipping = p == end && end[-1] != '\n';
			continue;
		}
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			(void)linecarry_take(&s->carry, p, (size_t)(end - p), &used);
			return 0;
		}
		take_line(&line, p, (size_t)(eol - p));
		if (scan_line(s, &line) == -1)
			return -1;
		p = eol + 1;
	}
	return 0;
}

int
pciids_scan_done(const struct pciids_scan *s)
{
	return s->ended;
}

struct pciids_scan *
pciids_scan_new(struct report_iommu *iommu, int keep_subset)
{
	static const char header[] = SUBSET_HEADER "\n";
	struct pciids_scan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->vendor = -1;
	s->keep_subset = keep_subset;
	s->carry.buf = s->carry_buf;
	s->carry.cap = sizeof(s->carry_buf);
	if (collect(iommu, &s->v, &s->n) == -1 ||
	    (keep_subset && growbuf_append(&s->out, header, sizeof(header) - 1) == -1)) {
		pciids_scan_free(s);
		return NULL;
	}
	if (s->n == 0)
		s->ended = 1; /* no device has ids: nothing to look up */
	return s;
}

int
pciids_scan_finish(struct pciids_scan *s, char **subset, size_t *sublen)
{
	struct span line;

	if (subset != NULL) {
		*subset = NULL;
		*sublen = 0;
	}
	if (s->carry.active && !s->ended) {
		take_line(&line, s->carry.buf, s->carry.n);
		linecarry_reset(&s->carry);
		if (scan_line(s, &line) == -1)
			return -1;
	}
	if (subset != NULL && s->keep_subset) {
		*subset = s->out.data;
		*sublen = s->out.len;
		s->out.data = NULL;
	}
	return 0;
}

void
pciids_scan_free(struct pciids_scan *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s->out.data);
	free(s);
}

static int
match_name(const struct span *vname, const struct span *dname, struct want *w)
{
	char *name;
	size_t i;

	if (asprintf(&name, "%.*s %.*s", (int)vname->n, vname->p, (int)dname->n, dname->p) == -1)
		return -1;
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			name[i] = ' ';
	free(w->dev->name);
	w->dev->name = name;
	return 0;
}

static int
out_append(struct pciids_scan *s, const char *p, size_t n)
{
	return growbuf_append(&s->out, p, n) == -1 || growbuf_append(&s->out, "\n", 1) == -1 ? -1
	                                                                                     : 0;
}

/* The subset keeps a device's line, under its vendor's line once. */
static int
match_subset(struct pciids_scan *s, const struct span *device)
{
	if (!s->vendor_done) {
		if (out_append(s, s->vline, s->nvline) == -1)
			return -1;
		s->vendor_done = 1;
	}
	return out_append(s, device->p, device->n);
}

/* The whole text in one piece, through the same path as a stream. */
static int
scan_whole(const char *text, size_t len, struct report_iommu *iommu, char **subset, size_t *sublen)
{
	struct pciids_scan *s = pciids_scan_new(iommu, subset != NULL);
	int rc;

	if (s == NULL)
		return -1;
	rc = pciids_scan_feed(s, text, len);
	if (rc == 0)
		rc = pciids_scan_finish(s, subset, sublen);
	pciids_scan_free(s);
	return rc;
}

int
pciids_name_devices(const char *text, size_t len, struct report_iommu *iommu)
{
	return scan_whole(text, len, iommu, NULL, NULL);
}

char *
pciids_subset(const char *text, size_t len, struct report_iommu *iommu, size_t *outlen)
{
	char *sub;

	*outlen = 0;
	return scan_whole(text, len, iommu, &sub, outlen) == 0 ? sub : NULL;
}
