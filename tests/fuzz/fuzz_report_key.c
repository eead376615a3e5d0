/*
 * fuzz_report_key.c - libFuzzer harness for report_key_compute.  Pure: no
 * I/O.  Whatever the bytes, abort() when one of these breaks:
 * - the key is 64 lowercase hex digits, the same for the same text;
 * - ok: report_id passes stamp_uuid_ok and collected_at stamp_time_ok, both
 *   NUL-terminated in their fields; not ok: both fields all zero;
 * - ok: the text re-spaced (blanks before it, after every '{' '[' ',' ':'
 *   and before every '}' ']' outside strings) has the same key and is ok;
 * - ok and the text decodes: the decoded report_id and collected_at are the
 *   key's (the scan and the decoder agree on which values they are).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/report_json.h"
#include "proto/report_key.h"
#include "proto/stamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_shape(const struct report_key *k)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((k->sha256[i] >= '0' && k->sha256[i] <= '9') ||
		      (k->sha256[i] >= 'a' && k->sha256[i] <= 'f')))
			abort();
	if (k->sha256[64] != '\0')
		abort();
	if (k->ok) {
		if (memchr(k->report_id, '\0', sizeof(k->report_id)) == NULL ||
		    memchr(k->collected_at, '\0', sizeof(k->collected_at)) == NULL)
			abort();
		if (!stamp_uuid_ok(k->report_id, strlen(k->report_id)) ||
		    !stamp_time_ok(k->collected_at, strlen(k->collected_at)))
			abort();
	} else {
		for (i = 0; i < sizeof(k->report_id); i++)
			if (k->report_id[i] != '\0')
				abort();
		for (i = 0; i < sizeof(k->collected_at); i++)
			if (k->collected_at[i] != '\0')
				abort();
	}
}

/* The text with blanks only where JSON allows them between tokens, next to
 * a structural character outside a string; strings are skipped the way
 * JSON ends them (a backslash escapes the next byte).  A new malloc'd
 * buffer, or NULL. */
static char *
respace(const char *t, size_t n, size_t *outn)
{
	static const char pad[] = " \n\t\r ";
	char *o;
	size_t i, m = 0;
	int in_str = 0;

	if ((o = malloc(3 * n + 2)) == NULL)
		return NULL;
	memcpy(o + m, pad, 2);
	m += 2;
	for (i = 0; i < n; i++) {
		char c = t[i];

		if (in_str) {
			o[m++] = c;
			if (c == '\\' && i + 1 < n)
				o[m++] = t[++i];
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '}' || c == ']')
			o[m++] = pad[i % 4];
		o[m++] = c;
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[' || c == ',' || c == ':')
			o[m++] = pad[(i + 1) % 4];
	}
	*outn = m;
	return o;
}

static void
check_respaced(const char *text, size_t size, const struct report_key *k)
{
	struct report_key k2;
	size_t n;
	char *t;

	if ((t = respace(text, size, &n)) == NULL)
		return;
	report_key_compute(t, n, &k2);
	if (!k2.ok || strcmp(k->sha256, k2.sha256) != 0 ||
	    strcmp(k->report_id, k2.report_id) != 0 ||
	    strcmp(k->collected_at, k2.collected_at) != 0)
		abort();
	free(t);
}

static void
check_decoder_agrees(const char *text, size_t size, const struct report_key *k)
{
	struct report r;
	struct report_error err;

	if (report_json_decode(text, size, &r, &err) == 0 &&
	    (strcmp(r.report_id, k->report_id) != 0 ||
	     strcmp(r.collected_at, k->collected_at) != 0))
		abort();
	report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct report_key k, again;

	report_key_compute(text, size, &k);
	check_shape(&k);
	report_key_compute(text, size, &again);
	if (again.ok != k.ok || strcmp(again.sha256, k.sha256) != 0 ||
	    memcmp(again.report_id, k.report_id, sizeof(k.report_id)) != 0 ||
	    memcmp(again.collected_at, k.collected_at, sizeof(k.collected_at)) != 0)
		abort();
	if (k.ok) {
		check_respaced(text, size, &k);
		check_decoder_agrees(text, size, &k);
	}
	return 0;
}
