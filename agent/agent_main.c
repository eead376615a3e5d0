/*
 * agent_main.c - iommu-agent: gather this host's IOMMU evidence, analyse it
 * and print one JSON report (I/O).  No child processes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/report_json.h"
#include "common/exitcode.h"
#include "agent/gather.h"
#include "common/log.h"
#include "agent/push.h"
#ifdef HAVE_SYSTEMD
#include "agent/journal_read.h"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: iommu-agent [--root DIR] [--kernel-log FILE|-] [--capture DIR]\n"
		"                   [--pci-ids FILE] [--hostname NAME] [--pretty] [-v]\n"
		"                   [--help] [--version]\n"
		"                   [--push URL --token-file FILE [--cacert FILE] [--spool DIR]]\n"
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
		"  --hostname NAME    name the host NAME in the report (a capture or log\n"
		"                     that does not say, or a name the fleet knows it by)\n"
		"  --pretty           indent the JSON\n"
		"  -v, --verbose      say what was read and what could not be\n"
		"  --push URL         send the report to the collector (URL/v1/reports,\n"
		"                     HTTPS verified) instead of printing it; spooled\n"
		"                     reports are sent first\n"
		"  --token-file FILE  the bearer token (iommu-collector token add HOST)\n"
		"  --cacert FILE      trust this PEM CA for the collector's certificate\n"
		"  --spool DIR        keep undelivered reports here for the next run\n"
		"                     (bounded; the oldest is dropped first)\n"
		"\n"
		"exit status: %d ok (pushed: delivered), %d failure, %d usage,\n"
		"             %d spooled (not delivered, kept), %d rejected by the collector\n",
		EXIT_OK, EXIT_FAILURE_, EXIT_USAGE, EXIT_SPOOLED, EXIT_REJECTED);
}

/* Push exactly the text that would have been printed (with its newline). */
static int
push_text(const struct push_opts *push, const char *json, const char *report_id, int rc)
{
	size_t n = strlen(json);
	char *text;
	int prc;

	if ((text = malloc(n + 2)) == NULL) {
		log_warnx("out of memory");
		return EXIT_FAILURE_;
	}
	memcpy(text, json, n);
	text[n] = '\n';
	text[n + 1] = '\0';
	prc = push_report(push, text, n + 1, report_id);
	free(text);
	return prc != EXIT_OK ? prc : rc;
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
		{ "hostname", required_argument, NULL, 'H' },
		{ "push", required_argument, NULL, 'u' },
		{ "token-file", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "spool", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *capture = NULL, *hostname = NULL;
	struct gather_opts opts;
	struct push_opts push;
	struct report r;
	struct rootfs fs;
	char *json;
	size_t i;
	int ch, pretty = 0, verbose = 0, rc = EXIT_OK;

	memset(&opts, 0, sizeof(opts));
	memset(&push, 0, sizeof(push));
	push.tries = 3;
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
		case 'H':
			hostname = optarg;
			break;
		case 'u':
			push.url = optarg;
			break;
		case 't':
			push.token_file = optarg;
			break;
		case 'C':
			push.cacert = optarg;
			break;
		case 's':
			push.spool = optarg;
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
	if (hostname != NULL && (hostname[0] == '\0' || strlen(hostname) > 255 ||
	    strpbrk(hostname, " \t\r\n\x1b") != NULL)) {
		log_init("iommu-agent", 0);
		log_warnx("--hostname: a host name of 1 to 255 characters, no blanks");
		return EXIT_USAGE;
	}
	if (optind != argc || (push.url == NULL && (push.token_file != NULL ||
	    push.cacert != NULL || push.spool != NULL)) ||
	    (push.url != NULL && push.token_file == NULL)) {
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
	if (hostname != NULL) {
		free(r.host.hostname);
		if ((r.host.hostname = strdup(hostname)) == NULL) {
			log_warnx("out of memory");
			rc = EXIT_FAILURE_;
			goto out;
		}
	}
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
	if (push.url != NULL) {
		rc = push_text(&push, json, r.report_id, rc);
	} else if (puts(json) == EOF || fflush(stdout) == EOF) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	}
	free(json);
out:
	report_free(&r);
	rootfs_close(&fs);
	return rc;
}
