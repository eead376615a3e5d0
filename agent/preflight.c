/*
 * preflight.c - would binding a device's whole IOMMU group to vfio-pci
 * succeed and be safe?  One blocker per reason, so an operator sees all
 * of them before a VM start finds the first.  Pure: no I/O.
 *
 * vfio takes a group whole (drivers/vfio/group.c: a group is viable only
 * when every member is bound to vfio or to no driver, bridges aside), so
 * every endpoint of the group goes with the device: a member the host
 * needs (its root disk's controller, its default-route NIC, its only
 * display) makes the passthrough destructive.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/analyse.h"
#include "agent/hostinfo.h"

/* GPUs without a reset that works between guests: the AMD devices the
 * vendor-reset project carries device-specific resets for because FLR and
 * bus reset leave them hung.  Exactly the IDs of its table
 * (github.com/gnif/vendor-reset src/device-db.h, commit ca6a2704): ranges
 * would take in IDs it does not list (0x6865, 0x66a5, 0x7311 ...) and miss
 * ones it does (0x1681 under Navi 10, 0x738c Instinct MI100 on the Vega 20
 * reset).  Polaris 10/11/12 are in the same table (BACO reset), left out
 * here: flagging every RX 470-590 is a policy change for the issue.  AMD
 * vendor 0x1002. */
static const struct {
	int id;
	const char *family;
} reset_bug[] = {
        {0x1681, "Navi 10"}, {0x6860, "Vega 10"},
        {0x6861, "Vega 10"}, {0x6862, "Vega 10"},
        {0x6863, "Vega 10"}, {0x6864, "Vega 10"},
        {0x6867, "Vega 10"}, {0x6868, "Vega 10"},
        {0x6869, "Vega 10"}, {0x686a, "Vega 10"},
        {0x686b, "Vega 10"}, {0x686c, "Vega 10"},
        {0x686d, "Vega 10"}, {0x686e, "Vega 10"},
        {0x686f, "Vega 10"}, {0x687f, "Vega 10"},
        {0x66a0, "Vega 20"}, {0x66a1, "Vega 20"},
        {0x66a2, "Vega 20"}, {0x66a3, "Vega 20"},
        {0x66a4, "Vega 20"}, {0x66a7, "Vega 20"},
        {0x66af, "Vega 20"}, {0x7310, "Navi 10"},
        {0x7312, "Navi 10"}, {0x7318, "Navi 10"},
        {0x7319, "Navi 10"}, {0x731a, "Navi 10"},
        {0x731b, "Navi 10"}, {0x731e, "Navi 10"},
        {0x731f, "Navi 10"}, {0x7340, "Navi 14"},
        {0x7341, "Navi 14"}, {0x7347, "Navi 14"},
        {0x734f, "Navi 14"}, {0x7360, "Navi 12"},
        {0x7362, "Navi 12"}, {0x738c, "Arcturus (Instinct MI100)"},
};

static const char *
reset_bug_family(const struct report_device *d)
{
	size_t i;

	if (d->vendor_id != 0x1002)
		return NULL;
	for (i = 0; i < sizeof(reset_bug) / sizeof(reset_bug[0]); i++)
		if (d->device_id == reset_bug[i].id)
			return reset_bug[i].family;
	return NULL;
}

static int
is_bridge(const struct report_device *d)
{
	return d->role != NULL ? strcmp(d->role, "bridge") == 0
	                       : pci_class_is_bridge(d->class_code);
}

struct pf {
	struct report *r;
	const struct evidence *ev;
	enum tristate ir;
	int failed;
};

static void pf_block(struct pf *p, struct report_device *d, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void pf_warn(struct pf *p, struct report_device *d, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
pf_block(struct pf *p, struct report_device *d, const char *fmt, ...)
{
	va_list ap;

	d->preflight = VERDICT_NOT_READY;
	va_start(ap, fmt);
	if (strlist_vaddf(&d->blockers, fmt, ap) == -1)
		p->failed = 1;
	va_end(ap);
}

static void
pf_warn(struct pf *p, struct report_device *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (strlist_vaddf(&d->warnings, fmt, ap) == -1)
		p->failed = 1;
	va_end(ap);
}

/* d's group is a vfio no-IOMMU one: its node is dev/vfio/noiommu-N, or
 * the mode is on and the host shows no IOMMU unit (vfio makes a no-IOMMU
 * group only for a device the IOMMU did not take: drivers/vfio/group.c). */
static int
pf_noiommu(const struct pf *p, const struct report_device *d)
{
	const struct sysfs_facts *s = &p->ev->sys;
	const struct sysfs_extra *x = sysfs_extra_find(p->ev->extra, p->ev->nextra, d->address);

	return (x != NULL && x->noiommu_group) || (s->noiommu == TRI_TRUE && s->iommu_units <= 0);
}

/* Interrupt isolation, which vfio_iommu_type1 checks at attach. */
static void
pf_interrupts(struct pf *p, struct report_device *d)
{
	const struct sysfs_facts *s = &p->ev->sys;

	/* type1 refuses a device without remapping unless told not to
	 * (vfio_iommu_type1.c: allow_unsafe_interrupts) */
	if (p->ir == TRI_FALSE && s->allow_unsafe_interrupts == TRI_TRUE)
		pf_block(p, d,
		         "interrupt remapping is off and vfio_iommu_type1 "
		         "allow_unsafe_interrupts=Y: vfio takes the device without interrupt "
		         "isolation, which is unsafe");
	else if (p->ir == TRI_FALSE)
		pf_block(p, d, "interrupt remapping is off: vfio refuses the device");
	/* with remapping on the group's MSIs are isolated and the parameter
	 * changes nothing; with it unknown it may let the device through */
	else if (s->allow_unsafe_interrupts == TRI_TRUE && p->ir == TRI_TRUE)
		pf_warn(p, d,
		        "vfio_iommu_type1 allow_unsafe_interrupts=Y: no effect while interrupt "
		        "remapping is on, but vfio would take devices without isolation were it "
		        "off");
	else if (s->allow_unsafe_interrupts == TRI_TRUE)
		pf_block(p, d,
		         "vfio_iommu_type1 allow_unsafe_interrupts=Y: assignment without interrupt "
		         "isolation is unsafe");
}

/* The host-wide conditions that make any assignment unsafe. */
static void
pf_host(struct pf *p, struct report_device *d)
{
	/* no-IOMMU groups bypass vfio_iommu_type1 and its interrupt check:
	 * no DMA protection is the one reason, not remapping */
	if (pf_noiommu(p, d)) {
		pf_block(p, d,
		         "vfio no-IOMMU mode is on (enable_unsafe_noiommu_mode, "
		         "/dev/vfio/noiommu-*): no DMA protection at all");
	} else {
		if (p->ev->sys.noiommu == TRI_TRUE)
			pf_warn(p, d,
			        "vfio no-IOMMU mode is on (enable_unsafe_noiommu_mode): a device"
			        " in no IOMMU group would be taken without DMA protection; this"
			        " one's group is the IOMMU's");
		pf_interrupts(p, d);
	}
	if (cmdline_get(&p->r->cmdline, "pcie_acs_override") != NULL || p->ev->klog.acs_override)
		pf_warn(p, d, "pcie_acs_override: the groups do not reflect real isolation");
}

/* The bridge above d without ACS, when d's group holds other endpoints. */
static void
pf_acs(struct pf *p, const struct report_group *g, struct report_device *d)
{
	const struct sysfs_extra *x, *up;
	const struct report_device *m;
	size_t i, hops, endpoints = 0;

	for (i = 0; i < g->ndevices; i++)
		endpoints += !is_bridge(&g->devices[i]);
	if (endpoints <= 1)
		return;
	x = sysfs_extra_find(p->ev->extra, p->ev->nextra, d->address);
	for (hops = 0; x != NULL && x->parent[0] != '\0' && hops < 32; hops++) {
		up = sysfs_extra_find(p->ev->extra, p->ev->nextra, x->parent);
		if (up == NULL)
			return;
		m = NULL;
		for (i = 0; i < g->ndevices; i++)
			if (strcmp(g->devices[i].address, up->address) == 0)
				m = &g->devices[i];
		if (m == NULL || m->acs == TRI_UNKNOWN) {
			if (m != NULL && p->ev->sys.privileged != TRI_TRUE)
				pf_warn(p, d,
				        "ACS of the bridges above unknown (extended config "
				        "space needs root)");
			return;
		}
		if (m->acs == TRI_FALSE) {
			pf_block(p, d, "%s %s has no ACS: everything below it shares group %d",
			         pcicfg_port_name(up->port_type), up->address, g->id);
			return;
		}
		x = up;
	}
}

/* The members that go with d: the critical ones block, each named. */
static void
pf_members(struct pf *p, const struct report_group *g, struct report_device *d)
{
	const struct report_device *m;
	size_t i;

	for (i = 0; i < g->ndevices; i++) {
		m = &g->devices[i];
		if (m->critical != NULL)
			pf_block(p, d,
			         "group %d holds %s %s (%s): passing it through takes it "
			         "from the host",
			         g->id, m == d ? "the device itself," : "member", m->address,
			         m->critical);
		if (m != d && d->physfn[0] != '\0' &&
		    (strcmp(m->address, d->physfn) == 0 || strcmp(m->physfn, d->physfn) == 0))
			pf_block(p, d, "VF shares group %d with %s %s: it cannot be assigned alone",
			         g->id,
			         strcmp(m->address, d->physfn) == 0 ? "its PF" : "sibling VF",
			         m->address);
	}
}

static void
pf_device(struct pf *p, const struct report_group *g, struct report_device *d)
{
	const char *family;
	size_t i;

	d->preflight = VERDICT_READY;
	if (is_bridge(d)) {
		pf_block(p, d, "a bridge is not assigned to guests");
		return;
	}
	pf_host(p, d);
	pf_members(p, g, d);
	for (i = 0; i < g->nregions; i++)
		if (g->regions[i].type != NULL && strcmp(g->regions[i].type, "direct") == 0) {
			pf_block(p, d,
			         "firmware requires a 1:1 mapping (RMRR/IVMD) in group %d: "
			         "vfio refuses the group",
			         g->id);
			break;
		}
	if ((family = reset_bug_family(d)) != NULL)
		pf_block(p, d,
		         "AMD %s GPU: no reliable reset between guests (needs the "
		         "vendor-reset module)",
		         family);
	else if (d->resettable == TRI_FALSE)
		pf_block(p, d, "no reset method: the device cannot be reset between guests");
	else if (d->resettable != TRI_TRUE)
		pf_warn(p, d,
		        "reset method unknown (neither reset_method nor reset read): the device"
		        " may not reset between guests");
	pf_acs(p, g, d);
	if (strlen(d->address) > 12)
		pf_warn(p, d,
		        "PCI domain above ffff (Intel VMD): many schedulers and tools cannot "
		        "address it");
	if (p->r->cmdline.warnings.n > 0)
		for (i = 0; i < p->r->cmdline.warnings.n; i++)
			if (strstr(p->r->cmdline.warnings.v[i], "vfio-pci.ids") != NULL)
				pf_warn(p, d, "%s", p->r->cmdline.warnings.v[i]);
	if (d->preflight == VERDICT_READY && p->ev->sys.critical_known != TRI_TRUE) {
		d->preflight = VERDICT_UNKNOWN;
		pf_warn(p, d,
		        "the root disk and the default route could not be located: a"
		        " member of the group may carry them");
	}
	if (d->preflight == VERDICT_READY && d->resettable != TRI_TRUE)
		d->preflight = VERDICT_UNKNOWN;
	if (d->preflight == VERDICT_READY && p->ir != TRI_TRUE) {
		d->preflight = VERDICT_UNKNOWN;
		pf_warn(p, d, "interrupt remapping state unknown");
	}
}

int
preflight(struct report *r, const struct evidence *ev, enum tristate ir)
{
	struct pf p = {r, ev, ir, 0};
	struct report_iommu *io = &r->iommu;
	size_t i, j;

	for (i = 0; i < io->ngroups; i++)
		for (j = 0; j < io->groups[i].ndevices; j++)
			pf_device(&p, &io->groups[i], &io->groups[i].devices[j]);
	for (i = 0; i < io->nungrouped; i++) {
		io->ungrouped[i].preflight = VERDICT_NOT_READY;
		if (strlist_add(&io->ungrouped[i].blockers, "in no IOMMU group") == -1)
			p.failed = 1;
	}
	return p.failed ? -1 : 0;
}
