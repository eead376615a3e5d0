/*
 * hostinfo_parse.c - the kernel command line (IOMMU parameters and the
 * misleading ones), /proc/cpuinfo and os-release text.  Pure: no I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/hostinfo.h"

#define CMDLINE_MAX_PARAMS 256
#define CMDLINE_MAX_TOKEN 4096

/* The kernel compares parameter names with '-' and '_' as equals. */
static int
param_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
	return 1;
}

static int
key_is(const char *key, const char *name)
{
	return param_eq(key, name, strlen(name) + 1);
}

static int
key_has_prefix(const char *key, const char *prefix)
{
	return strlen(key) >= strlen(prefix) && param_eq(key, prefix, strlen(prefix));
}

/* 1 when the comma list value holds word. */
static int
list_has(const char *value, const char *word)
{
	size_t n = strlen(word);
	const char *p = value;

	while (p != NULL) {
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return 0;
}

/* A key that means vfio-pci.ids to a person: "vfio" then "pci" then "id",
 * any case, whatever between.  The kernel takes only vfio-pci.ids (or
 * vfio_pci.ids: parameq() treats '-' and '_' alike); every other spelling,
 * "vfio-pci-ids=" the most common, is silently ignored (kernel/params.c
 * parse_args hands an unknown parameter to init as an environment
 * variable), and the devices stay on their host drivers. */
static int
vfio_ids_lookalike(const char *key)
{
	const char *v = strcasestr(key, "vfio"), *p, *i;

	if (v == NULL || (p = strcasestr(v + 4, "pci")) == NULL ||
	    (i = strcasestr(p + 3, "id")) == NULL)
		return 0;
	return 1;
}

/* One vfio-pci.ids entry: "vvvv:dddd[:svvv[:sddd[:class[:mask]]]]", each
 * field hex (vfio_pci_fill_ids() sscanf's "%x:%x:%x:%x:%x:%x"). */
static int
vfio_id_ok(const char *s, size_t n)
{
	size_t i, fields = 1, digits = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ':') {
			if (digits == 0 || digits > 8)
				return 0;
			fields++;
			digits = 0;
		} else if (isxdigit((unsigned char)s[i]))
			digits++;
		else
			return 0;
	}
	return fields >= 2 && fields <= 6 && digits > 0 && digits <= 8;
}

/* Parameters that decide or describe IOMMU, interrupt remapping and vfio. */
static int
cmdline_interesting(const char *key, const char *value)
{
	static const char *const exact[] = {
	        "iommu",          "intremap",       "nointremap",  "pcie_acs_override",
	        "nox2apic",       "x2apic_phys",    "intel_iommu", "amd_iommu",
	        "amd_iommu_dump", "amd_iommu_intr", "iommu_dma",   "noiommu",
	};
	static const char *const prefix[] = {
	        "iommu.", "intel_iommu.", "amd_iommu.", "vfio_pci.", "vfio_iommu_type1.",
	        "vfio.",  "ivrs_",
	};
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (key_is(key, exact[i]))
			return 1;
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (key_has_prefix(key, prefix[i]))
			return 1;
	/* misspelt vfio-pci.ids: kept, so the lint below can name them */
	if (vfio_ids_lookalike(key))
		return 1;
	/* pci= is a comma list; only noats concerns the IOMMU */
	return key_is(key, "pci") && value != NULL && list_has(value, "noats");
}

/* The kernel's boolean parameter spellings (kstrtobool). */
static int
value_true(const char *v)
{
	return v != NULL && (v[0] == '1' || v[0] == 'y' || v[0] == 'Y' || strcmp(v, "on") == 0 ||
	                     strcmp(v, "true") == 0);
}

static int
add_param(struct report_cmdline *out, const char *key, const char *value)
{
	struct report_kv *v;
	char *k, *val = NULL;

	k = strdup(key);
	if (k == NULL)
		return -1;
	if (value != NULL && (val = strdup(value)) == NULL) {
		free(k);
		return -1;
	}
	v = realloc(out->params, (out->nparams + 1) * sizeof(*v));
	if (v == NULL) {
		free(k);
		free(val);
		return -1;
	}
	v[out->nparams].key = k;
	v[out->nparams].value = val;
	out->nparams++;
	out->params = v;
	return 0;
}

/* Next parameter of p into tok (quotes removed, as the kernel's next_arg
 * does for `"a=b c"` and `a="b c"`); the rest of the line is returned. */
static const char *
next_token(const char *p, char *tok, size_t toksz)
{
	size_t n = 0;
	int quoted = 0;

	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && isspace((unsigned char)*p))
			break;
		if (n + 1 < toksz)
			tok[n++] = (unsigned char)*p < 0x20 ? '?' : *p;
	}
	tok[n] = '\0';
	return p;
}

static int
warn(struct report_cmdline *out, const char *msg)
{
	size_t i;

	for (i = 0; i < out->warnings.n; i++)
		if (strcmp(out->warnings.v[i], msg) == 0)
			return 0;
	return strlist_add(&out->warnings, msg);
}

#define VFIO_IDS_BAD_SAID 4 /* bad vfio-pci.ids entries named one by one */

/* vfio-pci.ids spelt so that the kernel ignores it, or with an entry that
 * vfio-pci cannot read. */
static int
cmdline_lint_vfio_ids(struct report_cmdline *out)
{
	const char *key, *v, *p, *comma;
	char msg[320];
	size_t i, bad = 0;
	int rc = 0;

	for (i = 0; i < out->nparams; i++) {
		key = out->params[i].key;
		if (!vfio_ids_lookalike(key) || key_is(key, "vfio_pci.ids"))
			continue;
		snprintf(
		        msg, sizeof(msg),
		        "%.64s=: the kernel ignores this spelling (the parameter is "
		        "vfio-pci.ids=VENDOR:DEVICE[,...]); these devices stay on their host drivers",
		        key);
		rc |= warn(out, msg);
	}
	v = cmdline_get(out, "vfio_pci.ids");
	for (p = v; p != NULL && *p != '\0'; p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		if (vfio_id_ok(p, comma != NULL ? (size_t)(comma - p) : strlen(p)))
			continue;
		/* a few name the problem; every preflight copies them, so a
		 * long list of bad entries is one line more, not hundreds */
		if (++bad > VFIO_IDS_BAD_SAID)
			continue;
		snprintf(msg, sizeof(msg),
		         "vfio-pci.ids=%.64s: \"%.*s\" is not VENDOR:DEVICE in hex; vfio-pci "
		         "skips it",
		         v,
		         (int)(comma != NULL ? (size_t)(comma - p) : strlen(p)) > 32
		                 ? 32
		                 : (int)(comma != NULL ? (size_t)(comma - p) : strlen(p)),
		         p);
		rc |= warn(out, msg);
	}
	if (bad > VFIO_IDS_BAD_SAID) {
		snprintf(msg, sizeof(msg),
		         "vfio-pci.ids: %zu more entries that are not VENDOR:DEVICE",
		         bad - VFIO_IDS_BAD_SAID);
		rc |= warn(out, msg);
	}
	return rc;
}

/* Warnings, judged on each parameter's last value as the kernel does. */
static int
cmdline_warn(struct report_cmdline *out)
{
	const char *v;
	int rc = 0;

	v = cmdline_get(out, "amd_iommu");
	if (v != NULL && list_has(v, "on"))
		rc |= warn(out, "amd_iommu=on is not an option: AMD-Vi is on by "
		                "default; the kernel ignores it");
	if (v != NULL && list_has(v, "off"))
		rc |= warn(out, "amd_iommu=off: AMD-Vi translation is disabled");
	v = cmdline_get(out, "intel_iommu");
	if (v != NULL && list_has(v, "off"))
		rc |= warn(out, "intel_iommu=off: VT-d translation is disabled");
	v = cmdline_get(out, "iommu");
	if (v != NULL && list_has(v, "off"))
		rc |= warn(out, "iommu=off: IOMMU translation is disabled");
	if (cmdline_get(out, "noiommu") != NULL)
		rc |= warn(out, "noiommu: IOMMU translation is disabled");
	if (cmdline_get(out, "pcie_acs_override") != NULL)
		rc |= warn(out, "pcie_acs_override: the ACS override patch makes "
		                "IOMMU groups claim an isolation the hardware does "
		                "not give; group isolation becomes a fiction");
	v = cmdline_get(out, "vfio_iommu_type1.allow_unsafe_interrupts");
	if (value_true(v))
		rc |= warn(out, "vfio_iommu_type1.allow_unsafe_interrupts=1: vfio "
		                "runs without interrupt isolation");
	v = cmdline_get(out, "vfio.enable_unsafe_noiommu_mode");
	if (value_true(v))
		rc |= warn(out, "vfio.enable_unsafe_noiommu_mode=1: vfio runs "
		                "without any IOMMU protection");
	v = cmdline_get(out, "intremap");
	if ((v != NULL && list_has(v, "off")) || cmdline_get(out, "nointremap") != NULL)
		rc |= warn(out, "intremap=off: no interrupt remapping: vfio "
		                "refuses devices");
	rc |= cmdline_lint_vfio_ids(out);
	return rc != 0 ? -1 : 0;
}

int
cmdline_parse(const char *text, struct report_cmdline *out)
{
	char tok[CMDLINE_MAX_TOKEN];
	const char *p;
	char *eq;
	size_t len;

	len = strlen(text);
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	out->raw = strndup(text, len);
	if (out->raw == NULL)
		return -1;
	p = out->raw;
	while (*p != '\0') {
		p = next_token(p, tok, sizeof(tok));
		if (tok[0] == '\0')
			continue;
		if (strcmp(tok, "--") == 0)
			break; /* the rest goes to init */
		eq = strchr(tok, '=');
		if (eq != NULL)
			*eq = '\0'; /* tok is the key, eq + 1 the value */
		if (!cmdline_interesting(tok, eq != NULL ? eq + 1 : NULL))
			continue;
		if (out->nparams >= CMDLINE_MAX_PARAMS)
			break;
		if (add_param(out, tok, eq != NULL ? eq + 1 : NULL) == -1)
			return -1;
	}
	return cmdline_warn(out);
}

const char *
cmdline_get(const struct report_cmdline *c, const char *key)
{
	size_t i;

	for (i = c->nparams; i > 0; i--)
		if (key_is(c->params[i - 1].key, key))
			return c->params[i - 1].value != NULL ? c->params[i - 1].value : "";
	return NULL;
}

/* A copy of s without control characters. */
static char *
clean_dup(const char *s, size_t n)
{
	char *d;
	size_t i;

	d = strndup(s, n);
	if (d == NULL)
		return NULL;
	for (i = 0; d[i] != '\0'; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			d[i] = ' ';
	return d;
}

static int
set_field(char **field, const char *s, size_t n)
{
	free(*field);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	*field = clean_dup(s, n);
	return *field == NULL ? -1 : 0;
}

/* 1 when the blank-separated list has word. */
static int
words_have(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word), i = 0, start;

	while (i < n) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		start = i;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
		if (i - start == wl && memcmp(s + start, word, wl) == 0)
			return 1;
	}
	return 0;
}

int
cpuinfo_parse(const char *text, struct report_host *host, int *hypervisor)
{
	const char *line = text, *eol, *colon, *val;
	size_t keylen, vallen;
	int seen = 0;

	*hypervisor = -1;
	while (*line != '\0') {
		eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line);
		if (eol == line) {
			if (seen)
				break; /* the first processor block is enough */
			line = *eol != '\0' ? eol + 1 : eol;
			continue;
		}
		seen = 1;
		colon = memchr(line, ':', (size_t)(eol - line));
		if (colon != NULL) {
			keylen = (size_t)(colon - line);
			while (keylen > 0 && isspace((unsigned char)line[keylen - 1]))
				keylen--;
			val = colon + 1;
			while (val < eol && (*val == ' ' || *val == '\t'))
				val++;
			vallen = (size_t)(eol - val);
			if (keylen == 9 && memcmp(line, "vendor_id", 9) == 0) {
				if (vallen == 12 && memcmp(val, "GenuineIntel", 12) == 0)
					val = "intel", vallen = 5;
				else if (vallen == 12 && memcmp(val, "AuthenticAMD", 12) == 0)
					val = "amd", vallen = 3;
				/* Hygon Dhyana (Zen licence): SVM and AMD-Vi, the
				 * kernel's AMD paths (arch/x86/kernel/cpu/hygon.c) */
				else if (vallen == 12 && memcmp(val, "HygonGenuine", 12) == 0)
					val = "hygon", vallen = 5;
				if (set_field(&host->cpu.vendor, val, vallen) == -1)
					return -1;
			} else if (keylen == 10 && memcmp(line, "model name", 10) == 0) {
				if (set_field(&host->cpu.model, val, vallen) == -1)
					return -1;
			} else if (keylen == 5 && memcmp(line, "flags", 5) == 0) {
				const char *virt = NULL;

				if (words_have(val, vallen, "vmx"))
					virt = "vmx";
				else if (words_have(val, vallen, "svm"))
					virt = "svm";
				free(host->cpu.virtualization);
				host->cpu.virtualization = NULL;
				if (virt != NULL &&
				    (host->cpu.virtualization = strdup(virt)) == NULL)
					return -1;
				*hypervisor = words_have(val, vallen, "hypervisor");
			}
		}
		line = *eol != '\0' ? eol + 1 : eol;
	}
	return 0;
}

/* The value of an os-release line: quotes and backslash escapes removed. */
static char *
osrelease_value(const char *v, size_t n)
{
	char *out;
	size_t i, o = 0;
	char q = 0;

	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	if (n > 0 && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		n--;
		if (n > 0 && v[n - 1] == q)
			n--;
	}
	for (i = 0; i < n; i++) {
		if (q == '"' && v[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = (unsigned char)v[i] < 0x20 ? ' ' : v[i];
	}
	out[o] = '\0';
	return out;
}

char *
osrelease_pretty_name(const char *text)
{
	char *pretty = NULL, *name = NULL, *version = NULL, **slot, *joined;
	const char *line = text, *eol, *eq;
	size_t n;

	while (*line != '\0') {
		eol = strchr(line, '\n');
		if (eol == NULL)
			eol = line + strlen(line);
		n = (size_t)(eol - line);
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		eq = memchr(line, '=', n);
		slot = NULL;
		if (eq != NULL && eq - line == 11 && memcmp(line, "PRETTY_NAME", 11) == 0)
			slot = &pretty;
		else if (eq != NULL && eq - line == 4 && memcmp(line, "NAME", 4) == 0)
			slot = &name;
		else if (eq != NULL && eq - line == 10 && memcmp(line, "VERSION_ID", 10) == 0)
			slot = &version;
		if (slot != NULL) {
			free(*slot);
			*slot = osrelease_value(eq + 1, n - (size_t)(eq + 1 - line));
		}
		line = *eol != '\0' ? eol + 1 : eol;
	}
	if (pretty != NULL && pretty[0] != '\0') {
		free(name);
		free(version);
		return pretty;
	}
	free(pretty);
	joined = NULL;
	if (name != NULL && name[0] != '\0') {
		if (version != NULL && version[0] != '\0') {
			if (asprintf(&joined, "%s %s", name, version) == -1)
				joined = NULL;
		} else {
			joined = name;
			name = NULL;
		}
	}
	free(name);
	free(version);
	return joined;
}
