/*
 * inventory_limit.c - Ansible-style host patterns over an inventory (pure,
 * no I/O).
 */
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_limit.h"
#include "proto/hostname.h"

#define LIMIT_TERMS_MAX 256

struct term {
	char op; /* '+', '&', '!' */
	const char *text;
	int regex;
	regex_t re;
};

/* Does text (a glob, "all", or a compiled regex) match s? */
static int
match_one(const struct term *t, const char *s)
{
	if (t->regex)
		return regexec(&t->re, s, 0, NULL, 0) == 0;
	return strcmp(t->text, "all") == 0 || fnmatch(t->text, s, 0) == 0;
}

/* A host is matched by its name or by one of its groups. */
static int
match_host(const struct term *t, const struct inventory_host *h)
{
	char groups[INVENTORY_TAGS_MAX], *g, *save = NULL;

	if (match_one(t, h->name))
		return 1;
	/* Ansible's implicit group: the hosts of no group */
	if (h->tags[0] == '\0' && !t->regex && strcmp(t->text, "ungrouped") == 0)
		return 1;
	snprintf(groups, sizeof(groups), "%s", h->tags);
	for (g = strtok_r(groups, ",", &save); g != NULL; g = strtok_r(NULL, ",", &save))
		if (match_one(t, g))
			return 1;
	return 0;
}

/* Split pattern (a copy, cut in place) into terms. */
static int
terms_parse(char *pattern, struct term *t, size_t *nt, char *err, size_t errlen)
{
	const char *seps = hostname_is_address(pattern) ? "," : ",:";
	char *w, *save = NULL;

	*nt = 0;
	for (w = strtok_r(pattern, seps, &save); w != NULL; w = strtok_r(NULL, seps, &save)) {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			continue;
		if (*nt == LIMIT_TERMS_MAX) {
			snprintf(err, errlen, "more than %d patterns", LIMIT_TERMS_MAX);
			return -1;
		}
		t[*nt].op = *w == '&' || *w == '!' ? *w++ : '+';
		t[*nt].regex = *w == '~';
		t[*nt].text = t[*nt].regex ? w + 1 : w;
		if (t[*nt].text[0] == '\0') {
			snprintf(err, errlen, "an empty pattern after '%c'", t[*nt].op);
			return -1;
		}
		if (t[*nt].regex &&
		    regcomp(&t[*nt].re, t[*nt].text, REG_EXTENDED | REG_NOSUB) != 0) {
			snprintf(err, errlen, "\"%.64s\": not a regular expression", t[*nt].text);
			return -1;
		}
		(*nt)++;
	}
	if (*nt == 0) {
		snprintf(err, errlen, "an empty pattern");
		return -1;
	}
	return 0;
}

/* Which hosts the terms select, into keep[]: 0, or -1 naming a term that
 * matches nothing. */
static int
select_hosts(const struct inventory *inv, const struct term *t, size_t nt, unsigned char *keep,
             char *err, size_t errlen)
{
	size_t i, k, hits;
	int any_plus = 0;

	for (k = 0; k < nt; k++)
		any_plus |= t[k].op == '+';
	for (i = 0; i < inv->n; i++)
		keep[i] = !any_plus;
	for (k = 0; k < nt; k++) {
		for (i = 0, hits = 0; i < inv->n; i++) {
			int m = match_host(&t[k], &inv->hosts[i]);

			hits += (size_t)m;
			if (t[k].op == '+' && m)
				keep[i] = 1;
		}
		if (hits == 0 && t[k].op != '!') {
			snprintf(err, errlen, "\"%.64s\" matches no host or group", t[k].text);
			return -1;
		}
	}
	for (k = 0; k < nt; k++)
		for (i = 0; i < inv->n; i++)
			if ((t[k].op == '&' && !match_host(&t[k], &inv->hosts[i])) ||
			    (t[k].op == '!' && match_host(&t[k], &inv->hosts[i])))
				keep[i] = 0;
	return 0;
}

int
inventory_limit(struct inventory *inv, const char *pattern, char *err, size_t errlen)
{
	struct term t[LIMIT_TERMS_MAX];
	unsigned char *keep = NULL;
	char *copy;
	size_t nt = 0, i, o;
	int rc = -1;

	if ((copy = strdup(pattern)) == NULL || (keep = calloc(inv->n + 1, 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (terms_parse(copy, t, &nt, err, errlen) == -1 ||
	    select_hosts(inv, t, nt, keep, err, errlen) == -1)
		goto out;
	for (i = 0, o = 0; i < inv->n; i++) {
		if (keep[i])
			inv->hosts[o++] = inv->hosts[i];
		else
			inventory_host_clear(&inv->hosts[i]);
	}
	inv->n = o;
	if (o == 0) {
		snprintf(err, errlen, "\"%.64s\" leaves no host", pattern);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nt; i++)
		if (t[i].regex)
			regfree(&t[i].re);
	free(keep);
	free(copy);
	return rc;
}
