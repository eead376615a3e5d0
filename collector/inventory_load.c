/*
 * inventory_load.c - read an inventory file and hand it to the parser of
 * its format (I/O: the file; the parsers are pure).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_ansible.h"
#include "collector/inventory_ini.h"
#include "collector/inventory_load.h"
#include "collector/inventory_yaml.h"
#include "common/growbuf.h"
#include "common/readall.h"

int
inventory_format_parse(const char *s, enum inventory_format *out)
{
	static const char *const names[] = {"auto", "hosts", "ini", "yaml"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum inventory_format)i;
			return 0;
		}
	}
	return -1;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

enum inventory_format
inventory_format_guess(const char *path, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *e;

	if (ends_with(path, ".yml") || ends_with(path, ".yaml"))
		return INVENTORY_FORMAT_YAML;
	if (ends_with(path, ".ini"))
		return INVENTORY_FORMAT_INI;
	/* the first line that says something */
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		e = nl;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (p == e || *p == '#' || *p == ';')
			continue;
		/* "[web]", "[web:vars]": a section; "[::1]:22" is a hosts.txt host */
		if (*p == '[' && e[-1] == ']' && memchr(p, ' ', (size_t)(e - p)) == NULL &&
		    (memchr(p, ':', (size_t)(e - p)) == NULL || p[1] != ':'))
			return INVENTORY_FORMAT_INI;
		if ((e - p == 3 && memcmp(p, "---", 3) == 0) || e[-1] == ':')
			return INVENTORY_FORMAT_YAML;
		break;
	}
	return INVENTORY_FORMAT_HOSTS;
}

static int
parse_ansible(const char *text, size_t len, enum inventory_format f, struct inventory *inv,
              char *err, size_t errlen)
{
	struct ansible_inv a = {0};
	int rc;

	if (f == INVENTORY_FORMAT_INI)
		rc = inventory_ini_parse(text, len, &a, err, errlen);
	else
		rc = inventory_yaml_parse(text, len, &a, err, errlen);
	if (rc == 0)
		rc = ansible_flatten(&a, inv, err, errlen);
	ansible_inv_free(&a);
	return rc;
}

int
inventory_load(const char *path, enum inventory_format format, struct inventory *inv, char *err,
               size_t errlen)
{
	struct growbuf b = {0};
	char why[512];
	FILE *fp;
	int rc;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = readall_bounded(fp, INVENTORY_FILE_MAX, &b);
	if (rc == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (rc == 1)
		snprintf(err, errlen, "%s: over %u MiB", path, INVENTORY_FILE_MAX >> 20);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0) {
		free(b.data);
		return -1;
	}
	if (format == INVENTORY_FORMAT_AUTO)
		format = inventory_format_guess(path, b.data, b.len);
	inv->source = path;
	if (format == INVENTORY_FORMAT_HOSTS)
		rc = inventory_parse(b.data, b.len, inv, why, sizeof(why));
	else
		rc = parse_ansible(b.data, b.len, format, inv, why, sizeof(why));
	inv->source = NULL;
	if (rc == -1) {
		/* "line N: why" becomes "PATH:N: why", as compilers and ssh say */
		if (strncmp(why, "line ", 5) == 0)
			snprintf(err, errlen, "%s:%s", path, why + 5);
		else
			snprintf(err, errlen, "%s: %s", path, why);
	}
	free(b.data);
	return rc;
}
