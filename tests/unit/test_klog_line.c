/*
 * test_klog_line.c - klog_line_parse() on every supported line format, noise,
 * continuation lines and hostile input.  Pure; no I/O.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent/klog.h"

static struct klog_line
parse(const char *s)
{
	struct klog_line l;

	klog_line_parse(s, strlen(s), &l);
	return l;
}

static void
assert_text(const struct klog_line *l, const char *want)
{
	assert_int_equal(l->text_len, strlen(want));
	assert_memory_equal(l->text, want, l->text_len);
}

static void
test_dmesg(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("[    0.785796] DMAR: Host address width 46");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_true(l.time > 0.785795 && l.time < 0.785797);
	assert_int_equal(l.level, -1);
	assert_int_equal(l.seq, -1);
	assert_text(&l, "DMAR: Host address width 46");

	l = parse("[10672.868940] DMAR: x");
	assert_true(l.time > 10672.86 && l.time < 10672.87);

	/* indented as pasted into a forum post, with a CR line end */
	l = parse("    [    1.5] iommu: Default domain type: Translated \r");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_text(&l, "iommu: Default domain type: Translated");
}

/* CONFIG_PRINTK_CALLER's "[ T2930]" / "[    C0]" after the stamp, and a
 * serial console's getty prompt before it (tests/fixtures/
 * klog-martins3-vfio-noiommu-taint). */
static void
test_caller_and_prompt(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("[   33.984146][ T2930] vfio-pci 0000:00:07.0: Adding to iommu group 0");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_true(l.time > 33.984145 && l.time < 33.984147);
	assert_text(&l, "vfio-pci 0000:00:07.0: Adding to iommu group 0");

	l = parse("[    0.000000][    C0] Linux version 6.1.0");
	assert_true(l.time == 0.0);
	assert_text(&l, "Linux version 6.1.0");

	/* in a syslog line too, after the host and tag */
	l = parse("Nov 23 21:34:24 box kernel: [   33.98][ T1] DMAR: x");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_text(&l, "DMAR: x");

	l = parse("localhost login: [   33.982641][ T2930] vfio-pci 0000:00:07.0: x");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_true(l.time > 33.98264 && l.time < 33.98265);
	assert_text(&l, "vfio-pci 0000:00:07.0: x");

	/* not a caller id, not a prompt: left in the text */
	l = parse("[    1.000000] [ T] x");
	assert_text(&l, "[ T] x");
	l = parse("localhost login: root");
	assert_int_equal(l.format, KLOG_BARE);
	assert_text(&l, "localhost login: root");
}

static void
test_dmesg_level(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("<6>[ 0.78] pci 0000:00:02.0: Adding to iommu group 1");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_int_equal(l.level, 6);
	assert_true(l.time > 0.779 && l.time < 0.781);
	assert_text(&l, "pci 0000:00:02.0: Adding to iommu group 1");

	l = parse("<3>DMAR: DRHD: handling fault status reg 2");
	assert_int_equal(l.level, 3);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: DRHD: handling fault status reg 2");

	/* dmesg -x: decoded facility and level */
	l = parse("kern  :info  : [    0.5] DMAR: x");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_int_equal(l.level, 6);
	assert_text(&l, "DMAR: x");
	l = parse("kern  :err   : [Fri Apr  7 00:04:33 2023] DMAR: y");
	assert_int_equal(l.format, KLOG_DMESG_CTIME);
	assert_int_equal(l.level, 3);
	assert_text(&l, "DMAR: y");
}

static void
test_wallclock(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("[Mon Nov 23 21:34:24 2026] DMAR: IOMMU enabled");
	assert_int_equal(l.format, KLOG_DMESG_CTIME);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: IOMMU enabled");

	l = parse("2026-11-23T21:34:24,123456+00:00 DMAR: IOMMU enabled");
	assert_int_equal(l.format, KLOG_DMESG_CTIME);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: IOMMU enabled");

	/* a kernel message that looks like "host tag: " is not a journal line */
	l = parse("2026-11-23T21:34:24,123456+00:00 usb 3-2: new device");
	assert_int_equal(l.format, KLOG_DMESG_CTIME);
	assert_text(&l, "usb 3-2: new device");
}

static void
test_kmsg(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("6,339,785796,-;DMAR: Intel(R) Virtualization Technology");
	assert_int_equal(l.format, KLOG_KMSG);
	assert_int_equal(l.level, 6);
	assert_int_equal(l.seq, 339);
	assert_true(l.time > 0.785795 && l.time < 0.785797);
	assert_text(&l, "DMAR: Intel(R) Virtualization Technology");

	/* facility in the prefix: level is prefix & 7 */
	l = parse("14,0,0,-,caller=T1;Linux version 6.1.0");
	assert_int_equal(l.format, KLOG_KMSG);
	assert_int_equal(l.level, 6);
	assert_int_equal(l.seq, 0);
	assert_true(l.time == 0.0);
	assert_text(&l, "Linux version 6.1.0");

	l = parse("3,12,5,c;x");
	assert_int_equal(l.format, KLOG_KMSG);
	assert_int_equal(l.level, 3);

	l = parse(" SUBSYSTEM=pci");
	assert_int_equal(l.format, KLOG_KMSG_CONT);
	l = parse(" DEVICE=+pci:0000:00:02.0");
	assert_int_equal(l.format, KLOG_KMSG_CONT);

	/* malformed: no flags field, no ';' */
	l = parse("6,339,785796;text");
	assert_int_equal(l.format, KLOG_BARE);
	l = parse("6,339,785796,-text");
	assert_int_equal(l.format, KLOG_BARE);
}

static void
test_journal(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("Nov 23 21:34:24 host kernel: DMAR: IOMMU enabled");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: IOMMU enabled");

	l = parse("Nov  3 01:02:03 my-host.example kernel: [    0.785796] DMAR: x");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_true(l.time > 0.785795 && l.time < 0.785797);
	assert_text(&l, "DMAR: x");

	l = parse("Jan 09 10:03:12.035211 hp-129 kernel: vfio-pci 0000:04:00.1: y");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_text(&l, "vfio-pci 0000:04:00.1: y");

	/* a syslog line of another program: not a kernel message, even when
	 * it says what the kernel would (`logger -p kern.err` writes these) */
	l = parse("Nov 23 21:34:24 host qemu-system-x86_64[42]: vfio: group 10 is not viable");
	assert_int_equal(l.format, KLOG_USERSPACE);
	assert_text(&l, "vfio: group 10 is not viable");
	l = parse(
	        "Nov 23 21:34:24 host root: DMAR: [DMA Write] Request device [00:02.0] fault addr 0 [fault reason 05] PTE Write access is not set");
	assert_int_equal(l.format, KLOG_USERSPACE);
	l = parse("2026-11-23T21:34:24+0000 host sudo[7]: Linux version 9.9");
	assert_int_equal(l.format, KLOG_USERSPACE);

	/* short-monotonic */
	l = parse("[    0.785796] host kernel: DMAR: x");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_true(l.time > 0.785795 && l.time < 0.785797);
	assert_text(&l, "DMAR: x");
	l = parse("[    0.938401] kernel: DMAR: y");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_text(&l, "DMAR: y");
	/* but a kernel message "usb 3-2: ..." after a stamp stays dmesg */
	l = parse("[    1.231026] usb 3-2: new full-speed USB device");
	assert_int_equal(l.format, KLOG_DMESG);
	assert_text(&l, "usb 3-2: new full-speed USB device");

	/* short-iso and rsyslog RFC 3339 with the dmesg stamp inside */
	l = parse("2026-11-23T21:34:24+0000 host kernel: DMAR: z");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: z");
	l = parse("2026-11-23T21:34:24.123456+00:00 host kernel: [    0.785796] DMAR: w");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_true(l.time > 0.785795 && l.time < 0.785797);
	assert_text(&l, "DMAR: w");

	/* syslog with date and host cut off */
	l = parse("kernel: [   13.134460] AMD-Vi: Event logged [");
	assert_int_equal(l.format, KLOG_JOURNAL);
	assert_true(l.time > 13.13 && l.time < 13.14);
	assert_text(&l, "AMD-Vi: Event logged [");
}

static void
test_bare_and_noise(void **state)
{
	struct klog_line l;

	(void)state;
	l = parse("DMAR: Intel(R) Virtualization Technology for Directed I/O");
	assert_int_equal(l.format, KLOG_BARE);
	assert_int_equal(l.time, -1);
	assert_text(&l, "DMAR: Intel(R) Virtualization Technology for Directed I/O");

	/* continuation line of a multi-line printk: bare, trimmed */
	l = parse("               on a chipset that contains an erratum making that");
	assert_int_equal(l.format, KLOG_BARE);
	assert_text(&l, "on a chipset that contains an erratum making that");

	assert_int_equal(parse("").format, KLOG_NOISE);
	assert_int_equal(parse("   \t ").format, KLOG_NOISE);
	assert_int_equal(parse("[sudo] password for brent: ").format, KLOG_NOISE);
	assert_int_equal(parse("yy@ryzen:~$ dmesg | grep -i -e DMAR -e IOMMU").format, KLOG_NOISE);
	assert_int_equal(parse("root@pve:~# dmesg | grep -i iommu").format, KLOG_NOISE);
	assert_int_equal(parse("[user@host ~]$ sudo dmesg").format, KLOG_NOISE);
	assert_int_equal(parse("$ dmesg | grep AMD-Vi").format, KLOG_NOISE);
	assert_int_equal(parse("```").format, KLOG_NOISE);
	/* an e-mail address in a message is not a prompt */
	assert_int_equal(parse("Linux version 5.10 (debian-kernel@lists.debian.org) #1").format,
	                 KLOG_BARE);
	/* brackets that are not a stamp */
	assert_int_equal(parse("[ 12.34 DMAR").format, KLOG_BARE);
	assert_int_equal(parse("[drm] amdgpu: irq initialized.").format, KLOG_BARE);
	assert_int_equal(parse("<6>").format, KLOG_DMESG);
}

static void
test_hostile(void **state)
{
	static const char nul[] = "[    1.000000] DMAR\0: x\xff\xfe";
	struct klog_line l;
	size_t n = 1 << 20;
	char *big;

	(void)state;
	klog_line_parse(nul, sizeof(nul) - 1, &l);
	assert_int_equal(l.format, KLOG_DMESG);
	assert_int_equal(l.text_len, 10);
	assert_ptr_equal(l.text, nul + 15);

	klog_line_parse(NULL, 0, &l);
	assert_int_equal(l.format, KLOG_NOISE);

	/* overlong lines of every shape: bounded, no overrun (ASan) */
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);
	klog_line_parse(big, n, &l);
	assert_int_equal(l.format, KLOG_BARE);
	assert_int_equal(l.text_len, n);
	memset(big, ' ', n);
	big[0] = '[';
	klog_line_parse(big, n, &l);
	assert_int_equal(l.format, KLOG_BARE);
	memset(big, '9', n);
	klog_line_parse(big, n, &l);
	assert_int_equal(l.format, KLOG_BARE);
	memcpy(big, "6,1,2,-", 7);
	memset(big + 7, 'a', n - 7);
	klog_line_parse(big, n, &l);
	assert_int_equal(l.format, KLOG_BARE);
	memcpy(big, "Nov 23 21:34:24 ", 16);
	klog_line_parse(big, n, &l);
	assert_int_equal(l.format, KLOG_BARE);
	free(big);

	/* truncated decorations */
	assert_int_equal(parse("[").format, KLOG_BARE);
	assert_int_equal(parse("<").format, KLOG_BARE);
	assert_int_equal(parse("2026-11-23T21:3").format, KLOG_BARE);
	assert_int_equal(parse("Nov 23 21:34:24").format, KLOG_BARE);
	assert_int_equal(parse("1,2,3,-").format, KLOG_BARE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dmesg),     cmocka_unit_test(test_dmesg_level),
	        cmocka_unit_test(test_wallclock), cmocka_unit_test(test_kmsg),
	        cmocka_unit_test(test_journal),   cmocka_unit_test(test_bare_and_noise),
	        cmocka_unit_test(test_hostile),   cmocka_unit_test(test_caller_and_prompt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
