/*
 * sysfs_parse.c - parsing of sysfs and procfs attribute text: hex numbers,
 * reserved regions, word lists, interrupt chips, PCI addresses.  Pure: no I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pci_addr.h"
#include "agent/sysfs.h"

#define SYSFS_MAX_REGIONS 256
#define SYSFS_MAX_WORDS 64

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

long
sysfs_parse_hex(const char *text, long max)
{
	const char *p = text;
	long v = 0;
	int digits = 0, d;

	if (text == NULL)
		return -1;
	while (is_blank((unsigned char)*p))
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; (d = pci_hexval((unsigned char)*p)) >= 0; p++) {
		if (v > max / 16 || v * 16 > max - d)
			return -1; /* above max, and no overflow on the way */
		v = v * 16 + d;
		digits++;
	}
	while (is_blank((unsigned char)*p))
		p++;
	if (digits == 0 || *p != '\0')
		return -1;
	return v;
}

/* "0x00000000fee00000" -> value; the end of the number in *end. */
static int
parse_u64(const char *s, uint64_t *out, const char **end)
{
	unsigned long long v;
	char *e;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isxdigit((unsigned char)s[2]))
		return -1;
	errno = 0;
	v = strtoull(s, &e, 16);
	if (errno != 0)
		return -1;
	*out = (uint64_t)v;
	*end = e;
	return 0;
}

static void
regions_free(struct report_region *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].type);
	free(v);
}

int
sysfs_parse_regions(const char *text, struct report_region **regions, size_t *n, char *err,
                    size_t errsz)
{
	struct report_region *v = NULL, *grown;
	const char *line = text, *p, *eol, *type;
	size_t count = 0, typelen, lineno = 0;
	uint64_t start, end;

	*regions = NULL;
	*n = 0;
	while (line != NULL && *line != '\0') {
		eol = strchr(line, '\n');
		lineno++;
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || *p == '\0')
			goto next; /* blank line */
		if (count >= SYSFS_MAX_REGIONS) {
			snprintf(err, errsz, "more than %d regions", SYSFS_MAX_REGIONS);
			goto fail;
		}
		if (parse_u64(p, &start, &p) == -1 || (*p != ' ' && *p != '\t'))
			goto malformed;
		while (*p == ' ' || *p == '\t')
			p++;
		if (parse_u64(p, &end, &p) == -1 || (*p != ' ' && *p != '\t'))
			goto malformed;
		while (*p == ' ' || *p == '\t')
			p++;
		type = p;
		while (*p != '\0' && *p != '\n' && !is_blank((unsigned char)*p))
			p++;
		typelen = (size_t)(p - type);
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (typelen == 0 || typelen > 32 || (*p != '\n' && *p != '\0') || end < start)
			goto malformed;
		grown = realloc(v, (count + 1) * sizeof(*v));
		if (grown == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		v = grown;
		v[count].start = start;
		v[count].end = end;
		v[count].type = strndup(type, typelen);
		if (v[count].type == NULL) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		count++;
	next:
		line = eol != NULL ? eol + 1 : NULL;
	}
	*regions = v;
	*n = count;
	return 0;
malformed:
	snprintf(err, errsz, "line %zu: malformed region", lineno);
fail:
	regions_free(v, count);
	return -1;
}

int
sysfs_parse_words(const char *text, struct strlist *out)
{
	const char *p = text, *w;
	char word[64];
	size_t len;

	while (*p != '\0') {
		while (is_blank((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && !is_blank((unsigned char)*p))
			p++;
		len = (size_t)(p - w);
		if (len >= sizeof(word) || out->n >= SYSFS_MAX_WORDS)
			goto fail;
		memcpy(word, w, len);
		word[len] = '\0';
		if (strlist_add(out, word) == -1)
			goto fail;
	}
	return 0;
fail:
	/* never half a list: a device must not look like it has fewer
	 * reset methods than the kernel listed */
	strlist_free(out);
	return -1;
}

/* 1 when one of the chip names is a column of /proc/interrupts (a blank
 * before it), else 0. */
static int
has_chip(const char *text, const char *const *chips, size_t n)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++)
		for (p = strstr(text, chips[i]); p != NULL; p = strstr(p + 1, chips[i]))
			if (p > text && is_blank((unsigned char)p[-1]))
				return 1;
	return 0;
}

int
sysfs_parse_interrupts_ir(const char *text)
{
	static const char *const chips[] = {"IR-IO-APIC", "IR-PCI-MSI", "IR-HPET"};

	return has_chip(text, chips, sizeof(chips) / sizeof(chips[0]));
}

int
sysfs_parse_interrupts_its(const char *text)
{
	/* irq-gic-v3-its-pci-msi.c and -platform-msi.c name their chips */
	static const char *const chips[] = {"ITS-MSI", "ITS-pMSI", "ITS-fMSI"};

	return has_chip(text, chips, sizeof(chips) / sizeof(chips[0]));
}
