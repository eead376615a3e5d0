/*
 * linecarry.h - the line a stream's piece ends inside, kept until the
 * piece that ends it (pure, no I/O): the kernel log scan and the pci.ids
 * scan, both fed in pieces cut anywhere, keep it so.
 */
#ifndef IOMMU_FLEET_LINECARRY_H
#define IOMMU_FLEET_LINECARRY_H

#include <stddef.h>

struct linecarry {
	char *buf; /* the owner's buffer: the line's start, at most cap bytes */
	size_t cap;
	size_t n;   /* bytes kept */
	int active; /* a line is open: its end is in a later piece */
};

/* Take data's bytes up to its first newline for the open line (opening
 * one when none is), keeping what fits in buf: 1 when the line ended in
 * data (*used bytes taken, the newline with them), 0 when data ended
 * first (all of it taken). */
int linecarry_take(struct linecarry *c, const char *data, size_t len, size_t *used);

/* Close the line once it was read: the next take opens a new one. */
void linecarry_reset(struct linecarry *c);

#endif
