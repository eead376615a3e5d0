/*
 * agent_main.c - iommu-agent: gather this host's IOMMU evidence, analyse it
 * and print one JSON report (I/O).  No child processes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hostname.h"
#include "proto/report_json.h"
#include "proto/report_validate.h"
#include "common/conf.h"
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
	        "                   [--config FILE] [--help] [--version]\n"
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
	        "  --config FILE      settings from FILE (push_url, token_file, cacert,\n"
	        "                     spool, hostname: iommu-fleet.conf(5)); options win\n"
	        "\n"
	        "exit status: %d ok (pushed: delivered), %d failure, %d usage,\n"
	        "             %d partial (printed, but over the collector's %u-byte bound),\n"
	        "             %d spooled (not delivered, kept), %d rejected by the collector\n"
	        "             (or over its bound: not sent)\n",
	        EXIT_OK, EXIT_FAILURE_, EXIT_USAGE, EXIT_PARTIAL, REPORT_MAX_BYTES, EXIT_SPOOLED,
	        EXIT_REJECTED);
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

/* What the command line and the configuration file ask for. */
struct agent_args {
	const char *config; /* --config FILE */
	struct conf conf;   /* its settings, alive as long as a */
	const char *root;
	const char *capture;
	const char *hostname;
	struct gather_opts opts;
	struct push_opts push;
	int pretty;
	int verbose;
	int operands; /* arguments left after the options: none is right */
};

/* The settings of agent.conf (iommu-fleet.conf(5)), each where its option
 * puts it. */
static const char *const agent_conf_keys[] = {
        "push_url", "token_file", "cacert", "spool", "hostname", NULL,
};

/* Take what the command line left unset from --config FILE (the command
 * line wins): -1 to go on, or the exit status. */
static int
agent_args_config(struct agent_args *a)
{
	const struct {
		const char *key;
		const char **field;
	} map[] = {
	        {"push_url", &a->push.url},  {"token_file", &a->push.token_file},
	        {"cacert", &a->push.cacert}, {"spool", &a->push.spool},
	        {"hostname", &a->hostname},
	};
	char err[512];
	size_t i;
	int rc;

	if (a->config == NULL)
		return -1;
	log_init("iommu-agent", 0);
	if ((rc = conf_load(a->config, agent_conf_keys, &a->conf, err, sizeof(err))) != 0) {
		log_warnx("%s", err);
		return rc == -1 ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (*map[i].field == NULL)
			*map[i].field = conf_get(&a->conf, map[i].key);
		if (*map[i].field != NULL && (*map[i].field)[0] == '\0') {
			log_warnx("%s: empty", conf_where(&a->conf, map[i].key));
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Fill a from the options and --config: -1 to go on, or the exit status
 * when the run ends here (--help, --version, an unknown option, a bad
 * configuration file). */
static int
agent_args_parse(struct agent_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"root", required_argument, NULL, 'r'},
	        {"kernel-log", required_argument, NULL, 'k'},
	        {"capture", required_argument, NULL, 'c'},
	        {"pci-ids", required_argument, NULL, 'p'},
	        {"pretty", no_argument, NULL, 'P'},
	        {"verbose", no_argument, NULL, 'v'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {"hostname", required_argument, NULL, 'H'},
	        {"push", required_argument, NULL, 'u'},
	        {"token-file", required_argument, NULL, 't'},
	        {"cacert", required_argument, NULL, 'C'},
	        {"spool", required_argument, NULL, 's'},
	        {"config", required_argument, NULL, 'F'},
	        {NULL, 0, NULL, 0},
	};
	int ch;

	memset(a, 0, sizeof(*a));
	a->root = "/";
	a->push.tries = 3;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			a->root = optarg;
			break;
		case 'k':
			a->opts.klog.file = optarg;
			break;
		case 'c':
			a->capture = optarg;
			break;
		case 'p':
			a->opts.pci_ids = optarg;
			break;
		case 'P':
			a->pretty = 1;
			break;
		case 'H':
			a->hostname = optarg;
			break;
		case 'u':
			a->push.url = optarg;
			break;
		case 't':
			a->push.token_file = optarg;
			break;
		case 'C':
			a->push.cacert = optarg;
			break;
		case 's':
			a->push.spool = optarg;
			break;
		case 'F':
			a->config = optarg;
			break;
		case 'v':
			a->verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("iommu-agent %s (report format %s version %d)\n",
			       IOMMU_FLEET_VERSION, REPORT_FORMAT, REPORT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	a->operands = argc - optind;
	return agent_args_config(a);
}

/* Where a setting came from, for a message: "--push", or
 * "/etc/iommu-fleet/agent.conf:3: push_url". */
static const char *
agent_args_source(struct agent_args *a, const char *key, const char *option)
{
	const char *v = conf_get(&a->conf, key);

	if (v == NULL || (strcmp(key, "hostname") == 0 ? v != a->hostname : v != a->push.url))
		return option;
	return conf_where(&a->conf, key);
}

/* Do the options go together?  0, or -1 (said why). */
static int
agent_args_check(struct agent_args *a)
{
	const struct push_opts *push = &a->push;
	const char *why;

	log_init("iommu-agent", 0);
	if (a->hostname != NULL &&
	    (why = hostname_invalid(a->hostname, strlen(a->hostname), HOSTNAME_GIVEN)) != NULL) {
		log_warnx("%s \"%.255s\": %s", agent_args_source(a, "hostname", "--hostname"),
		          a->hostname, why);
		return -1;
	}
	if (push->url != NULL && strncmp(push->url, "http://", 7) != 0 &&
	    strncmp(push->url, "https://", 8) != 0) {
		log_warnx("%s \"%.255s\": not an http:// or https:// URL (try https://%.200s)",
		          agent_args_source(a, "push_url", "--push"), push->url, push->url);
		return -1;
	}
	if (a->operands != 0 ||
	    (push->url == NULL &&
	     (push->token_file != NULL || push->cacert != NULL || push->spool != NULL)) ||
	    (push->url != NULL && push->token_file == NULL)) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Gather the report from fs and name the host: 0, or -1 (logged) when the
 * host has no name (a usage error: --hostname is needed). */
static int
agent_gather(struct rootfs *fs, const struct agent_args *a, struct report *r)
{
	size_t i;

	if (gather_report(fs, &a->opts, r) == -1 || gather_stamp(r) == -1)
		fatalx("out of memory");
	for (i = 0; i < r->errors.n; i++)
		log_info("could not read %s", r->errors.v[i]);
	if (a->hostname != NULL) {
		free(r->host.hostname);
		if ((r->host.hostname = strdup(a->hostname)) == NULL)
			fatalx("out of memory");
	}
	/* a report without a name is one the collector refuses: say it here */
	if (r->host.hostname == NULL || r->host.hostname[0] == '\0') {
		log_warnx("%s: the evidence does not name the host (no proc/sys/kernel/hostname"
		          " or etc/hostname): name it with --hostname NAME",
		          a->root);
		return -1;
	}
	return 0;
}

static size_t
agent_device_count(const struct report *r)
{
	size_t i, n = r->iommu.nungrouped;

	for (i = 0; i < r->iommu.ngroups; i++)
		n += r->iommu.groups[i].ndevices;
	return n;
}

/* The report's text as it is printed or pushed (but its newline): a new
 * string, or NULL (said why).  Over the collector's REPORT_MAX_BYTES the
 * unknown keys of later version 1 are left out (nothing is lost); when it
 * is still over, every device stays and the report says in errors that
 * the collector will refuse it: *too_big set. */
static char *
agent_encode(const struct agent_args *a, struct report *r, int *too_big)
{
	int flags = a->pretty ? REPORT_JSON_PRETTY : 0;
	size_t full = 0;
	char *json;

	*too_big = 0;
	json = report_json_encode(r, flags);
	if (json != NULL && strlen(json) + 1 > REPORT_MAX_BYTES) {
		full = strlen(json) + 1;
		free(json);
		flags |= REPORT_JSON_OMIT_UNKNOWN;
		json = report_json_encode(r, flags);
		if (json != NULL)
			log_info("the report is %zu bytes, over the collector's %u: written without"
			         " its unknown keys (%zu bytes)",
			         full, REPORT_MAX_BYTES, strlen(json) + 1);
	}
	if (json != NULL && strlen(json) + 1 > REPORT_MAX_BYTES) {
		*too_big = 1;
		if (strlist_addf(&r->errors,
		                 "report: %zu bytes for %zu PCI devices, over the collector's bound"
		                 " of %u bytes: it refuses the whole report (every device is kept"
		                 " here)",
		                 strlen(json) + 1, agent_device_count(r), REPORT_MAX_BYTES) == -1)
			fatalx("out of memory");
		log_warnx("%s", r->errors.v[r->errors.n - 1]);
		free(json);
		json = report_json_encode(r, flags);
	}
	if (json == NULL)
		log_warnx("cannot encode the report");
	return json;
}

/* Print the report, or push it: rc, or the exit status of what failed. */
static int
agent_output(const struct agent_args *a, struct report *r, int rc)
{
	struct report_error err;
	int too_big;
	char *json;

	/* the collector refuses what breaks the contract: never print it */
	if (report_validate(r, &err) == -1) {
		log_warnx("internal error: the report breaks its own contract: %s", err.msg);
		return EXIT_FAILURE_;
	}
	if ((json = agent_encode(a, r, &too_big)) == NULL)
		return EXIT_FAILURE_;
	if (a->push.url != NULL && too_big) {
		/* a 413 for certain: neither sent nor spooled, but the reports
		 * spooled by earlier runs still go */
		log_warnx("%s: not sent: the collector refuses a report over %u bytes", a->push.url,
		          REPORT_MAX_BYTES);
		(void)push_report(&a->push, NULL, 0, r->report_id);
		rc = EXIT_REJECTED;
	} else if (a->push.url != NULL) {
		rc = push_text(&a->push, json, r->report_id, rc);
	} else if (puts(json) == EOF || fflush(stdout) == EOF) {
		log_warn("stdout");
		rc = EXIT_FAILURE_;
	} else if (too_big && rc == EXIT_OK) {
		rc = EXIT_PARTIAL;
	}
	free(json);
	return rc;
}

/* Read the root (capturing what was read), then print or push: the exit
 * status. */
static int
agent_run(const struct agent_args *a)
{
	struct report r;
	struct rootfs fs;
	int rc = EXIT_OK;

	if (rootfs_open(&fs, a->root) == -1) {
		log_warn("%s", a->root);
		return EXIT_FAILURE_;
	}
	if (a->capture != NULL && rootfs_capture_start(&fs, a->capture) == -1) {
		log_warn("capture directory \"%s\"", a->capture);
		rootfs_close(&fs);
		return EXIT_FAILURE_;
	}
	report_init(&r);
	if (agent_gather(&fs, a, &r) == -1) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (a->capture != NULL && rootfs_capture_finish(&fs) == -1) {
		log_warn("capture \"%s\" is incomplete", a->capture);
		rc = EXIT_FAILURE_;
	}
	rc = agent_output(a, &r, rc);
out:
	report_free(&r);
	rootfs_close(&fs);
	return rc;
}

int
main(int argc, char **argv)
{
	struct agent_args a;
	int rc;

	rc = agent_args_parse(&a, argc, argv);
	if (rc == -1 && agent_args_check(&a) == -1)
		rc = EXIT_USAGE;
	if (rc == -1) {
		log_init("iommu-agent", a.verbose);
		a.opts.klog.live_root = strcmp(a.root, "/") == 0;
#ifdef HAVE_SYSTEMD
		a.opts.klog.journal = journal_read_kernel;
#endif
		rc = agent_run(&a);
	}
	conf_free(&a.conf);
	return rc;
}
