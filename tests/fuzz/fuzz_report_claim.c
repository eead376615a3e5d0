/*
 * fuzz_report_claim.c - libFuzzer harness for report_claim_hostname.  Pure:
 * no I/O.  Whatever the bytes and the output size, abort() when one of
 * these breaks:
 * - nothing is written at or past out[outlen] (a canary after it);
 * - 1: out is a NUL-terminated name of 1 to outlen - 1 bytes, holding no
 *   quote, backslash or C0 control, and it is a run of the input's bytes;
 * - the answer depends on outlen only through the name's length: with room
 *   for the name (n < outlen) the same name, without it 0;
 * - 1 and the text decodes: the decoded host.hostname is the claimed one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/report_claim.h"
#include "proto/report_json.h"

#define CANARY 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* report_claim_hostname into a buffer of outlen bytes with a canary after
 * it: its answer, the name copied to name[] when 1. */
static int
claim(const char *text, size_t size, size_t outlen, char *name, size_t namesize)
{
	unsigned char *buf;
	size_t i, n;
	int rc;

	if ((buf = malloc(outlen + CANARY)) == NULL)
		abort();
	memset(buf, 0xa5, outlen + CANARY);
	rc = report_claim_hostname(text, size, (char *)buf, outlen);
	for (i = outlen; i < outlen + CANARY; i++)
		if (buf[i] != 0xa5)
			abort();
	if (rc != 0 && rc != 1)
		abort();
	if (rc == 1) {
		if (memchr(buf, '\0', outlen) == NULL)
			abort();
		n = strlen((char *)buf);
		if (n == 0 || n >= outlen || n >= namesize)
			abort();
		for (i = 0; i < n; i++)
			if (buf[i] == '"' || buf[i] == '\\' || buf[i] < 0x20)
				abort();
		if (memmem(text, size, buf, n) == NULL)
			abort();
		memcpy(name, buf, n + 1);
	}
	free(buf);
	return rc;
}

static void
check_decoder_agrees(const char *text, size_t size, const char *name)
{
	struct report r;
	struct report_error err;

	if (report_json_decode(text, size, &r, &err) == 0 &&
	    (r.host.hostname == NULL || strcmp(r.host.hostname, name) != 0))
		abort();
	report_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t outlens[] = {0, 1, 2, 3, 4, 8, 16, 64, 255, 256, 257, 4096};
	const char *text = (const char *)data;
	char *ref, *name;
	size_t i, n = 0;
	int rc;

	/* room for any name the text can hold: the reference answer */
	ref = malloc(size + 1);
	name = malloc(size + 1);
	if (ref == NULL || name == NULL)
		abort();
	rc = claim(text, size, size + 1, ref, size + 1);
	if (rc == 1)
		n = strlen(ref);
	for (i = 0; i < sizeof(outlens) / sizeof(outlens[0]); i++) {
		int want = rc == 1 && n < outlens[i];

		if (claim(text, size, outlens[i], name, size + 1) != want)
			abort();
		if (want && strcmp(name, ref) != 0)
			abort();
	}
	if (rc == 1) {
		/* exactly room, and one byte short */
		if (claim(text, size, n + 1, name, size + 1) != 1 || strcmp(name, ref) != 0 ||
		    claim(text, size, n, name, size + 1) != 0)
			abort();
		check_decoder_agrees(text, size, ref);
	}
	free(name);
	free(ref);
	return 0;
}
