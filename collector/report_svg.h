/*
 * report_svg.h - the site's pictures as inline SVG: a host's IOMMU groups
 * (each group a box, its devices labelled and coloured by class, bridges
 * apart, a group an endpoint shares with foreign devices marked) and the
 * fleet's hosts by IOMMU vendor and verdict.  Pure: no I/O; every string is
 * a host's and is escaped (html.h).
 */
#ifndef IOMMU_FLEET_REPORT_SVG_H
#define IOMMU_FLEET_REPORT_SVG_H

#include <stddef.h>

struct html;

struct report_svg_device {
	const char *address; /* "0000:3b:00.0" */
	const char *name;    /* from pci.ids, NULL unknown */
	long class_code;     /* 0x030200, -1 unknown */
	int isolated;        /* 1, 0, -1 unknown */
};

struct report_svg_group {
	long id; /* -1: the devices in no group */
	const char *type;
	struct report_svg_device *devs;
	size_t ndevs;
};

/* 1 when an endpoint of g (not a bridge) is not isolated: it shares its
 * group with devices that are not its own functions or bridges. */
int report_svg_group_shared(const struct report_svg_group *g);

void report_svg_groups(struct html *h, const struct report_svg_group *g, size_t n);

/* Verdict columns of the chart, in order. */
#define REPORT_SVG_VERDICTS 4 /* ready, not-ready, unknown, none */
struct report_svg_bar {
	const char *label; /* IOMMU vendor, or "(no report)" */
	unsigned n[REPORT_SVG_VERDICTS];
};
void report_svg_chart(struct html *h, const struct report_svg_bar *bars, size_t n);

#endif
