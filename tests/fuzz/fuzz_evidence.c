/*
 * fuzz_evidence.c - libFuzzer harness for the agent's pure evidence parsers:
 * config space, mountinfo, routes, sysfs link paths, reserved_regions,
 * attribute words and numbers, /proc/interrupts, the kernel command line,
 * cpuinfo and os-release.  The agent reads them from the kernel, but the
 * collector runs the same code on trees an agentless host streamed: outside
 * bytes.  The first input byte picks the parser, the rest is the file.
 * Pure: no I/O.  abort() when one of these breaks:
 * - config space: a port type is -1 or a 4-bit PCIe type; 0 only for 64
 *   bytes or more;
 * - mountinfo: 0 only for a text with a major:minor and a "/";
 * - routes: 0 only with a NUL-terminated interface name that fits and
 *   occurs in the text;
 * - link paths: at most max addresses, each NUL-terminated and occurring
 *   in the path;
 * - reserved_regions: on 0, every region has a type; on -1, a message;
 * - attribute words: on -1, no half list;
 * - command line: on 0, the raw text kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/hostinfo.h"
#include "agent/sysfs.h"
#include "proto/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_config(const uint8_t *p, size_t n)
{
	struct pcicfg_info info;

	if (pcicfg_parse(p, n, &info) == 0) {
		if (n < 64 || info.port_type < -1 || info.port_type > 15)
			abort();
		(void)pcicfg_port_name(info.port_type);
	}
}

static void
check_route(const char *text)
{
	char iface[32];

	memset(iface, 0x5a, sizeof(iface));
	if (critical_parse_route(text, iface, sizeof(iface)) == 0 &&
	    (memchr(iface, '\0', sizeof(iface)) == NULL || strstr(text, iface) == NULL))
		abort();
}

static void
check_paths(const char *text)
{
	char addrs[4][REPORT_ADDR_MAX];
	size_t i, n;

	n = critical_path_addrs(text, addrs, 4);
	if (n > 4)
		abort();
	for (i = 0; i < n; i++)
		if (memchr(addrs[i], '\0', REPORT_ADDR_MAX) == NULL ||
		    strstr(text, addrs[i]) == NULL)
			abort();
}

static void
check_regions(const char *text)
{
	struct report_region *regions = NULL;
	char err[128] = "";
	size_t i, n = 0;

	if (sysfs_parse_regions(text, &regions, &n, err, sizeof(err)) == 0) {
		for (i = 0; i < n; i++)
			if (regions[i].type == NULL)
				abort();
	} else if (err[0] == '\0') {
		abort();
	}
	for (i = 0; i < n; i++)
		free(regions[i].type);
	free(regions);
}

static void
check_host(const char *text, int which)
{
	struct report r;
	unsigned maj, min;
	int hv = 0;

	memset(&r, 0, sizeof(r));
	switch (which) {
	case 0:
		if (cmdline_parse(text, &r.cmdline) == 0 && r.cmdline.raw == NULL)
			abort();
		if (r.cmdline.raw != NULL)
			(void)cmdline_get(&r.cmdline, "intel_iommu");
		break;
	case 1:
		(void)cpuinfo_parse(text, &r.host, &hv);
		break;
	case 2:
		free(osrelease_pretty_name(text));
		break;
	default:
		if (critical_parse_mountinfo(text, &maj, &min) == 0 &&
		    (strchr(text, ':') == NULL || strchr(text, '/') == NULL))
			abort();
		break;
	}
	report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strlist words = {NULL, 0};
	char *text;

	if (size == 0)
		return 0;
	if ((text = malloc(size)) == NULL)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 10) {
	case 0:
		check_config(data + 1, size - 1);
		break;
	case 1:
		check_route(text);
		break;
	case 2:
		check_paths(text);
		break;
	case 3:
		check_regions(text);
		break;
	case 4:
		if (sysfs_parse_words(text, &words) == -1 && words.n != 0)
			abort();
		strlist_free(&words);
		(void)sysfs_parse_hex(text, 0xffff);
		break;
	case 5:
		(void)sysfs_parse_interrupts_ir(text);
		break;
	default:
		check_host(text, data[0] % 10 - 6);
		break;
	}
	free(text);
	return 0;
}
