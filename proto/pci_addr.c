/*
 * pci_addr.c - PCI address text and hex digits.  Pure: no I/O.
 */
#include "proto/pci_addr.h"

/* Each byte's hex value, -1 for a byte that is no hex digit: a lookup,
 * not three ranges, for the many ids of sysfs and pci.ids. */
static const signed char hexval[256] = {
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  -1, -1, -1, -1, -1, -1, -1, 10,
        11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

int
pci_hexval(int c)
{
	return c >= 0 && c < 256 ? hexval[c] : -1;
}

long
pci_hexn(const char *s, size_t n)
{
	long v = 0;
	size_t i;
	int h;

	for (i = 0; i < n; i++) {
		if ((h = hexval[(unsigned char)s[i]]) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

int
pci_addr_valid(const char *s, size_t len)
{
	size_t dl;
	long dev;

	if (s == NULL || (len != 12 && len != 13))
		return 0;
	dl = len - 8; /* the domain's digits */
	dev = pci_hexn(s + dl + 4, 2);
	return pci_hexn(s, dl) >= 0 && s[dl] == ':' && pci_hexn(s + dl + 1, 2) >= 0 &&
	       s[dl + 3] == ':' && dev >= 0 && dev <= 0x1f && s[dl + 6] == '.' &&
	       s[dl + 7] >= '0' && s[dl + 7] <= '7';
}

int
pci_class_is_bridge(long class_code)
{
	long sub = (class_code >> 8) & 0xffff;

	return class_code >= 0 && (sub == 0x0600 || sub == 0x0604 || sub == 0x0607);
}
