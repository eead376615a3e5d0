/*
 * pci_addr.h - PCI address text ("DDDD:BB:DD.F") and hex digits, shared by
 * the agent's parsers, the report codec and the collector.  Pure: no I/O.
 */
#ifndef IOMMU_FLEET_PCI_ADDR_H
#define IOMMU_FLEET_PCI_ADDR_H

#include <stddef.h>

/* Value of one hex digit (either case), or -1. */
int pci_hexval(int c);

/* Value of exactly n hex digits at s (n <= 8), or -1. */
long pci_hexn(const char *s, size_t n);

/* 1 when s[0..len) is "DDDD:BB:DD.F": a 4 or 5 hex digit domain (VMD uses
 * 10000 and up), bus, device <= 1f, function <= 7; else 0. */
int pci_addr_valid(const char *s, size_t len);

/* 1 when a class code (0xCCSSPP, -1 unknown) is a bridge no guest takes:
 * host 0600, PCI-to-PCI 0604, CardBus 0607 (an ISA/LPC bridge, 0601, is a
 * real device); else 0. */
int pci_class_is_bridge(long class_code);

#endif
