/*
 * fuzz_report_json.c - libFuzzer harness for report_json_decode and
 * report_json_encode.  No I/O beyond what libFuzzer does.
 *
 * Build: clang -fsanitize=fuzzer,address -I. proto/report.c proto/report_json.c \
 *        tests/fuzz/fuzz_report_json.c -ljansson
 *
 * Properties checked (abort() on violation, so the fuzzer reports it):
 * - decode never crashes, leaks or overruns, whatever the bytes;
 * - whatever decodes re-encodes, and that text decodes to a report that
 *   encodes to the same text (compact and pretty);
 * - the input used as every kind of string in a report still encodes to
 *   valid JSON that decodes (the encoder cleans hostile bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/report_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct report *r, int flags)
{
	struct report again;
	struct report_error err;
	char *t1, *t2;

	t1 = report_json_encode(r, flags);
	if (t1 == NULL)
		abort();
	if (report_json_decode(t1, strlen(t1), &again, &err) != 0)
		abort();
	t2 = report_json_encode(&again, flags);
	if (t2 == NULL || strcmp(t1, t2) != 0)
		abort();
	free(t1);
	free(t2);
	report_free(&again);
}

/* The input as a string in every encoder path that cleans text. */
static void
check_hostile(const uint8_t *data, size_t size)
{
	struct report r;
	json_error_t jerr;
	json_t *root;
	char *s, *text;

	s = malloc(size + 2);
	if (s == NULL)
		return;
	/* Never empty, so the hostname stays acceptable when it cleans to
	 * something; a NUL in the data ends the C string early. */
	s[0] = 'h';
	memcpy(s + 1, data, size);
	s[size + 1] = '\0';

	report_init(&r);
	memcpy(r.report_id, "00000000-0000-4000-8000-000000000000", 37);
	memcpy(r.collected_at, "2026-01-01T00:00:00Z", 21);
	r.host.hostname = strdup("fuzz");
	r.host.os = strdup(s);
	r.cmdline.raw = strdup(s);
	r.cmdline.params = calloc(1, sizeof(*r.cmdline.params));
	if (r.cmdline.params != NULL) {
		r.cmdline.nparams = 1;
		r.cmdline.params[0].key = strdup(s);
		r.cmdline.params[0].value = strdup(s);
	}
	strlist_add(&r.errors, s);
	r.reason = strdup(s);
	if (r.host.hostname == NULL || r.host.os == NULL || r.cmdline.raw == NULL ||
	    r.reason == NULL ||
	    (r.cmdline.params != NULL &&
	     (r.cmdline.params[0].key == NULL || r.cmdline.params[0].value == NULL)))
		goto out;

	text = report_json_encode(&r, 0);
	if (text == NULL)
		abort();
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		abort();
	json_decref(root);
	free(text);
	check_round_trip(&r, 0);
out:
	report_free(&r);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report r;
	struct report_error err;

	if (report_json_decode((const char *)data, size, &r, &err) == 0) {
		check_round_trip(&r, 0);
		check_round_trip(&r, REPORT_JSON_PRETTY);
	} else if (err.msg[0] == '\0')
		abort(); /* a failure always says why */
	report_free(&r);

	if (size <= 2 * REPORT_MAX_STRING)
		check_hostile(data, size);
	return 0;
}
