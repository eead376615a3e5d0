/*
 * test_hostinfo_parse.c - kernel command line, cpuinfo and os-release
 * parsing of hostinfo_parse.c (pure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/hostinfo.h"

static void
cmdline_release(struct report_cmdline *c)
{
	size_t i;

	free(c->raw);
	for (i = 0; i < c->nparams; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
	}
	free(c->params);
	strlist_free(&c->warnings);
	memset(c, 0, sizeof(*c));
}

static void
host_release(struct report_host *h)
{
	free(h->cpu.vendor);
	free(h->cpu.model);
	free(h->cpu.virtualization);
	memset(h, 0, sizeof(*h));
}

/* 1 when some warning contains needle. */
static int
has_warning(const struct report_cmdline *c, const char *needle)
{
	size_t i;

	for (i = 0; i < c->warnings.n; i++)
		if (strstr(c->warnings.v[i], needle) != NULL)
			return 1;
	return 0;
}

static void
test_cmdline_intel(void **state)
{
	struct report_cmdline c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(
	        cmdline_parse("BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1c2e ro quiet "
	                      "intel_iommu=on,igfx_off iommu=pt vfio-pci.ids=10de:1401,10de:0fba "
	                      "splash\n",
	                      &c),
	        0);
	assert_string_equal(c.raw, "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 "
	                           "root=UUID=1c2e ro quiet intel_iommu=on,igfx_off iommu=pt "
	                           "vfio-pci.ids=10de:1401,10de:0fba splash");
	assert_int_equal(c.nparams, 3);
	assert_string_equal(c.params[0].key, "intel_iommu");
	assert_string_equal(c.params[0].value, "on,igfx_off");
	assert_string_equal(cmdline_get(&c, "iommu"), "pt");
	/* '-' and '_' are the same to the kernel */
	assert_string_equal(cmdline_get(&c, "vfio_pci.ids"), "10de:1401,10de:0fba");
	assert_null(cmdline_get(&c, "root"));
	assert_null(cmdline_get(&c, "amd_iommu"));
	/* iommu=pt is a valid passthrough setting, not a warning */
	assert_int_equal(c.warnings.n, 0);
	cmdline_release(&c);
}

static void
test_cmdline_misleading(void **state)
{
	struct report_cmdline c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(
	        cmdline_parse(
	                "root=/dev/sda1 amd_iommu=on iommu=pt pcie_acs_override=downstream,multifunction "
	                "vfio_iommu_type1.allow_unsafe_interrupts=1 intremap=off nox2apic",
	                &c),
	        0);
	assert_int_equal(c.nparams, 6);
	assert_string_equal(cmdline_get(&c, "pcie_acs_override"), "downstream,multifunction");
	assert_string_equal(cmdline_get(&c, "nox2apic"), "");
	assert_null(c.params[5].value); /* bare flag */
	assert_int_equal(c.warnings.n, 4);
	assert_true(has_warning(&c, "amd_iommu=on is not an option: AMD-Vi is on by "
	                            "default; the kernel ignores it"));
	assert_true(has_warning(&c, "isolation becomes a fiction"));
	assert_true(has_warning(&c, "vfio runs without interrupt isolation"));
	assert_true(has_warning(&c, "intremap=off: no interrupt remapping: vfio "
	                            "refuses devices"));
	cmdline_release(&c);

	memset(&c, 0, sizeof(c));
	assert_int_equal(cmdline_parse("intel_iommu=off amd_iommu=off iommu=off "
	                               "vfio_iommu_type1.allow_unsafe_interrupts=0",
	                               &c),
	                 0);
	assert_int_equal(c.warnings.n, 3);
	assert_true(has_warning(&c, "intel_iommu=off"));
	assert_true(has_warning(&c, "amd_iommu=off"));
	assert_true(has_warning(&c, "iommu=off"));
	cmdline_release(&c);

	/* the last occurrence wins, as in the kernel */
	memset(&c, 0, sizeof(c));
	assert_int_equal(cmdline_parse("intel_iommu=off intel_iommu=on", &c), 0);
	assert_string_equal(cmdline_get(&c, "intel_iommu"), "on");
	assert_int_equal(c.warnings.n, 0);
	cmdline_release(&c);
}

static void
test_cmdline_quotes(void **state)
{
	struct report_cmdline c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(
	        cmdline_parse("ro \"dyndbg=file drivers/iommu/* +p\" intel_iommu=on "
	                      "\"vfio-pci.ids=8086:1533 10de:1401\" iommu.passthrough=\"1\" "
	                      "pci=realloc,noats -- iommu=off",
	                      &c),
	        0);
	assert_int_equal(c.nparams, 4);
	assert_string_equal(cmdline_get(&c, "intel_iommu"), "on");
	assert_string_equal(cmdline_get(&c, "vfio-pci.ids"), "8086:1533 10de:1401");
	assert_string_equal(cmdline_get(&c, "iommu.passthrough"), "1");
	assert_string_equal(cmdline_get(&c, "pci"), "realloc,noats");
	/* after "--" the words belong to init */
	assert_null(cmdline_get(&c, "iommu"));
	/* vfio-pci splits its ids on ',' only: "8086:1533 10de:1401" is one
	 * entry, of which it reads the first id and drops the second */
	assert_int_equal(c.warnings.n, 1);
	assert_non_null(strstr(c.warnings.v[0], "is not VENDOR:DEVICE"));
	cmdline_release(&c);

	memset(&c, 0, sizeof(c));
	assert_int_equal(cmdline_parse("pci=realloc ivrs_ioapic[4]=00:14.0 "
	                               "ivrs_hpet[0]=00:14.0 amd_iommu_dump=1 "
	                               "iommu.strict=0 x2apic_phys",
	                               &c),
	                 0);
	assert_int_equal(c.nparams, 5);
	assert_null(cmdline_get(&c, "pci"));
	assert_string_equal(cmdline_get(&c, "ivrs_ioapic[4]"), "00:14.0");
	assert_string_equal(cmdline_get(&c, "x2apic_phys"), "");
	cmdline_release(&c);

	memset(&c, 0, sizeof(c));
	assert_int_equal(cmdline_parse("", &c), 0);
	assert_string_equal(c.raw, "");
	assert_int_equal(c.nparams, 0);
	cmdline_release(&c);
}

static const char cpu_intel[] =
        "processor\t: 0\n"
        "vendor_id\t: GenuineIntel\n"
        "cpu family\t: 6\n"
        "model\t\t: 94\n"
        "model name\t: Intel(R) Core(TM) i7-6700K CPU @ 4.00GHz\n"
        "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov "
        "pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx "
        "pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl "
        "xtopology nonstop_tsc cpuid aperfmperf pni pclmulqdq dtes64 monitor ds_cpl "
        "vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic\n"
        "vmx flags\t: vnmi preemption_timer invvpid ept_x_only ept_ad\n"
        "\n"
        "processor\t: 1\n"
        "vendor_id\t: AuthenticAMD\n"
        "model name\t: not the first block\n"
        "flags\t\t: fpu svm hypervisor\n";

static const char cpu_amd[] =
        "processor\t: 0\n"
        "vendor_id\t: AuthenticAMD\n"
        "cpu family\t: 23\n"
        "model\t\t: 113\n"
        "model name\t: AMD Ryzen 7 3700X 8-Core Processor\n"
        "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov "
        "pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb "
        "rdtscp lm constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid "
        "aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 movbe "
        "popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy\n"
        "\n";

/* a KVM guest: the hypervisor flag, no vmx passed through */
static const char cpu_guest[] =
        "processor\t: 0\n"
        "vendor_id\t: GenuineIntel\n"
        "model name\t: Intel Xeon Processor (Cascadelake)\n"
        "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov "
        "pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm "
        "constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq "
        "ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt hypervisor lahf_lm\n";

static void
test_cpuinfo(void **state)
{
	struct report_host h;
	int hv;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(cpuinfo_parse(cpu_intel, &h, &hv), 0);
	assert_string_equal(h.cpu.vendor, "intel");
	assert_string_equal(h.cpu.model, "Intel(R) Core(TM) i7-6700K CPU @ 4.00GHz");
	assert_string_equal(h.cpu.virtualization, "vmx");
	assert_int_equal(hv, 0);
	host_release(&h);

	assert_int_equal(cpuinfo_parse(cpu_amd, &h, &hv), 0);
	assert_string_equal(h.cpu.vendor, "amd");
	assert_string_equal(h.cpu.model, "AMD Ryzen 7 3700X 8-Core Processor");
	assert_string_equal(h.cpu.virtualization, "svm");
	assert_int_equal(hv, 0);
	host_release(&h);

	assert_int_equal(cpuinfo_parse(cpu_guest, &h, &hv), 0);
	assert_string_equal(h.cpu.vendor, "intel");
	assert_null(h.cpu.virtualization);
	assert_int_equal(hv, 1);
	host_release(&h);

	/* an ARM board: no vendor_id, no flags line: unknowns stay unknown */
	assert_int_equal(cpuinfo_parse("processor\t: 0\nBogoMIPS\t: 48.00\n"
	                               "Features\t: fp asimd evtstrm crc32 cpuid\n"
	                               "CPU implementer\t: 0x41\n",
	                               &h, &hv),
	                 0);
	assert_null(h.cpu.vendor);
	assert_null(h.cpu.virtualization);
	assert_int_equal(hv, -1);
	host_release(&h);

	/* Hygon Dhyana: its own word, analysed on the AMD paths */
	assert_int_equal(cpuinfo_parse("vendor_id\t: HygonGenuine\n"
	                               "model name\t: Hygon C86 7285 32-core Processor\n"
	                               "flags\t\t: fpu svm\n",
	                               &h, &hv),
	                 0);
	assert_string_equal(h.cpu.vendor, "hygon");
	assert_string_equal(h.cpu.virtualization, "svm");
	host_release(&h);

	assert_int_equal(cpuinfo_parse("vendor_id\t: CentaurHauls\n", &h, &hv), 0);
	assert_string_equal(h.cpu.vendor, "CentaurHauls");
	host_release(&h);
}

static void
test_osrelease(void **state)
{
	char *s;

	(void)state;
	s = osrelease_pretty_name("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	                          "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n");
	assert_string_equal(s, "Debian GNU/Linux 12 (bookworm)");
	free(s);
	s = osrelease_pretty_name("NAME=Fedora\nVERSION_ID=39\n");
	assert_string_equal(s, "Fedora 39");
	free(s);
	s = osrelease_pretty_name("NAME='Arch Linux'\n");
	assert_string_equal(s, "Arch Linux");
	free(s);
	s = osrelease_pretty_name("ID=alpine\nPRETTY_NAME=\"Say \\\"hi\\\"\"\n");
	assert_string_equal(s, "Say \"hi\"");
	free(s);
	assert_null(osrelease_pretty_name("ID=unknown\n"));
	assert_null(osrelease_pretty_name(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cmdline_intel),  cmocka_unit_test(test_cmdline_misleading),
	        cmocka_unit_test(test_cmdline_quotes), cmocka_unit_test(test_cpuinfo),
	        cmocka_unit_test(test_osrelease),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
