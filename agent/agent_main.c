/*
 * agent_main.c - iommu-agent: gather this host's IOMMU evidence, analyse it
 * and print one JSON report (I/O).  No child processes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/report_json.h"
#include "exitcode.h"
#include "gather.h"
#include "log.h"
#ifdef HAVE_SYSTEMD
#include "journal_read.h"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-agent [--root DIR] [--kernel-log FILE|-] [--capture DIR]\n"
		"                   [--pci-ids FILE] [--pretty] [-v] [--help] [--version]\n"
		"\n"
		"Gathers the IOMMU evidence of this host (kernel log, sysfs IOMMU groups and\n"
		"PCI devices, firmware tables, boot parameters, CPU flags), analyses it and\n"
		"prints one JSON report (format iommu-fleet.report, version 1) on stdout.\n"
		"\n"
		"  --root DIR         read every path (sys/, proc/, dev/kmsg, var/log/, etc/)\n"
		"                     under DIR instead of /, e.g. a capture\n"
		"  --kernel-log FILE  take the kernel log from FILE (- for stdin): dmesg,\n"
		"                     dmesg -T, raw /dev/kmsg, journalctl -k or grep excerpts\n"
		"  --capture DIR      also write the evidence read into DIR (new or empty), a\n"
		"                     tree that --root DIR turns into the same report\n"
		"  --pci-ids FILE     device names from FILE instead of the root's pci.ids\n"
		"  --pretty           indent the JSON\n"
		"  -v, --verbose      say what was read and what could not be\n"
		"\n"
		"exit status: %d ok, %d failure, %d usage\n",
		EXIT_OK, EXIT_FAILURE_, EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "kernel-log", required_argument, NULL, 'k' },
		{ "capture", required_argument, NULL, 'c' },
		{ "pci-ids", required_argument, NULL, 'p' },
		{ "pretty", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *capture = NULL;
	struct gather_opts opts;
	struct report r;
	struct rootfs fs;
	char *json;
	size_t i;
	int ch, pretty = 0, verbose = 0, rc = EXIT_OK;

	memset(&opts, 0, sizeof(opts));
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			root = optarg;
			break;
		case 'k':
			opts.klog.file = optarg;
			break;
		case 'c':
			capture = optarg;
			break;
		case 'p':
			opts.pci_ids = optarg;
			break;
		case 'P':
			pretty = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("iommu-agent %s (report format %s version %d)\n", IOMMU_FLEET_VERSION,
			       REPORT_FORMAT, REPORT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	log_init("iommu-agent", verbose);
	opts.klog.live_root = strcmp(root, "/") == 0;
#ifdef HAVE_SYSTEMD
	opts.klog.journal = journal_read_kernel;
#endif

	if (rootfs_open(&fs, root) == -1) {
		log_warn("%s", root);
		return EXIT_FAILURE_;
	}
	if (capture != NULL && rootfs_capture_start(&fs, capture) == -1) {
		log_warn("capture directory \"%s\"", capture);
		rootfs_close(&fs);
		return EXIT_FAILURE_;
	}
	report_init(&r);
	if (gather_report(&fs, &opts, &r) == -1 || gather_stamp(&r) == -1) {
		log_warnx("out of memory");
		rc = EXIT_FAILURE_;
		goto out;
	}
	for (i = 0; i < r.errors.n; i++)
		log_info("could not read %s", r.errors.v[i]);
	if (capture != NULL && rootfs_capture_finish(&fs) == -1) {
		log_warn("capture \"%s\" is incomplete", capture);
		rc = EXIT_FAILURE_;
	}
	json = report_json_encode(&r, pretty ? REPORT_JSON_PRETTY : 0);
	if (json == NULL) {
		log_warnx("cannot encode the report");
		rc = EXIT_FAILURE_;
		goto out;
	}
	if (puts(json) == EOF || fflush(stdout) == EOF) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	}
	free(json);
out:
	report_free(&r);
	rootfs_close(&fs);
	return rc;
}
