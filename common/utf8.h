/*
 * utf8.h - the one UTF-8 decoder of the tree (pure, no I/O): the report
 * codec, the terminal escaper and the kernel log cleaner all call it.
 */
#ifndef IOMMU_FLEET_UTF8_H
#define IOMMU_FLEET_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the well-formed UTF-8 sequence at p (at most left bytes, left
 * > 0), with its code point in *cp; 0 when p does not start one.  Same rules
 * as jansson's: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t utf8_seq(const unsigned char *p, size_t left, uint32_t *cp);

/* C0 controls, DEL and C1 controls: a terminal may act on them. */
int utf8_is_control(uint32_t cp);

#endif
