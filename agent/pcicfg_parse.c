/*
 * pcicfg_parse.c - a PCI device's configuration space bytes (sysfs
 * `config`) into what the preflight needs: the PCIe port type and whether
 * ACS is there and enabled.  Pure: no I/O.
 *
 * Layout (PCI Express Base Specification; include/uapi/linux/pci_regs.h):
 * the capability list starts at the byte at 0x34 (when status bit 4 is
 * set), each entry {id, next}; the PCI Express capability (id 0x10) holds
 * the port type in bits 7:4 of its register at +2.  Extended capabilities
 * start at 0x100, each a 32-bit header {id:16, version:4, next:12}; ACS is
 * id 0x000d, its capability register at +4 and control register at +6.
 */
#include <string.h>

#include "agent/sysfs.h"

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_EXP 0x10
#define PCI_EXT_CAP_ID_ACS 0x000d
#define PCI_CFG_SPACE_SIZE 256
#define PCI_CFG_SPACE_EXP_SIZE 4096
/* the ACS bits the kernel asks of a path (drivers/pci/pci.c REQ_ACS_FLAGS):
 * source validation, P2P request and completion redirect, upstream
 * forwarding */
#define PCI_ACS_SV 0x01
#define PCI_ACS_RR 0x04
#define PCI_ACS_CR 0x08
#define PCI_ACS_UF 0x10
#define REQ_ACS_FLAGS (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

static unsigned
rd16(const unsigned char *b, size_t off)
{
	return (unsigned)b[off] | ((unsigned)b[off + 1] << 8);
}

static unsigned long
rd32(const unsigned char *b, size_t off)
{
	return (unsigned long)rd16(b, off) | ((unsigned long)rd16(b, off + 2) << 16);
}

/* The PCIe port type from the standard capability list, -1 when none. */
static int
pcicfg_port_type(const unsigned char *cfg, size_t len)
{
	size_t off, hops;

	if (len < 64 || !(rd16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return -1;
	off = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	/* at most 48 entries fit: a loop in the list ends here too */
	for (hops = 0; off >= 0x40 && off + 4 <= len && hops < 48; hops++) {
		if (cfg[off] == PCI_CAP_ID_EXP)
			return (int)((rd16(cfg, off + 2) >> 4) & 0xf);
		off = cfg[off + 1] & 0xfc;
	}
	return -1;
}

int
pcicfg_parse(const unsigned char *cfg, size_t len, struct pcicfg_info *out)
{
	unsigned long hdr;
	unsigned cap, ctrl, want;
	size_t off, hops;

	out->port_type = -1;
	out->acs = TRI_UNKNOWN;
	if (cfg == NULL || len < 64)
		return -1;
	out->port_type = pcicfg_port_type(cfg, len);
	/* only root reads past 64 bytes, and only PCIe has 4096: short of
	 * that the extended capabilities cannot be seen */
	if (len < PCI_CFG_SPACE_EXP_SIZE)
		return 0;
	out->acs = TRI_FALSE;
	off = PCI_CFG_SPACE_SIZE;
	for (hops = 0; off >= PCI_CFG_SPACE_SIZE && off + 8 <= len && hops < 960; hops++) {
		hdr = rd32(cfg, off);
		/* an all-ones or all-zeros header: no (more) capabilities */
		if (hdr == 0 || hdr == 0xffffffffUL)
			break;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_ACS) {
			cap = rd16(cfg, off + 4);
			ctrl = rd16(cfg, off + 6);
			/* only what the port implements is asked of it, as
			 * pci_acs_flags_enabled() does */
			want = REQ_ACS_FLAGS & cap;
			out->acs = (ctrl & want) == want ? TRI_TRUE : TRI_FALSE;
			return 0;
		}
		off = (hdr >> 20) & 0xffc;
	}
	return 0;
}

const char *
pcicfg_port_name(int port_type)
{
	switch (port_type) {
	case 4:
		return "root port";
	case 5:
		return "switch upstream port";
	case 6:
		return "switch downstream port";
	case 7:
		return "PCIe-to-PCI bridge";
	default:
		return "bridge";
	}
}
