/*
 * fuzz_http_parse.c - libFuzzer harness for the push endpoint's header
 * parsers and its JSON string escaper (http_parse.c), which see every
 * byte a client sends.  Pure: no I/O.  abort() when one of these breaks:
 * - a bearer token lies inside the header and is not empty;
 * - a Content-Length is accepted only when it is all digits, and its value
 *   is the one those digits spell;
 * - a listen address yields a NUL-terminated host and a port 0..65535, or
 *   an error message;
 * - the escaper's output fits its buffer, is NUL-terminated, and holds no
 *   control byte, no byte over 0x7f and no quote without a backslash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_escape(const char *s, size_t outlen)
{
	char *out = malloc(outlen + 8);
	size_t i, n;

	if (out == NULL)
		abort();
	memset(out, 0x5a, outlen + 8);
	if (http_parse_json_escape(s, out, outlen) != out)
		abort();
	for (i = outlen; i < outlen + 8; i++)
		if (out[i] != 0x5a)
			abort();
	if (memchr(out, '\0', outlen) == NULL)
		abort();
	n = strlen(out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c < 0x20 || c > 0x7e)
			abort();
		if (c == '"' && (i == 0 || out[i - 1] != '\\'))
			abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, host[256], err[128];
	const char *tok;
	unsigned long long v, w;
	unsigned port;
	size_t i, len;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);

	if (http_parse_bearer(s, &tok, &len) == 0 &&
	    (len == 0 || tok < s || tok + len > s + strlen(s)))
		abort();
	(void)http_parse_is_json(s);
	if (http_parse_content_length(s, &v) == 0) {
		if (*s == '\0')
			abort();
		w = 0;
		for (i = 0; s[i] != '\0'; i++) {
			if (s[i] < '0' || s[i] > '9')
				abort();
			w = w * 10 + (unsigned long long)(s[i] - '0');
		}
		if (w != v)
			abort();
	}
	memset(host, 0x5a, sizeof(host));
	err[0] = '\0';
	if (http_parse_listen(s, host, sizeof(host), &port, err, sizeof(err)) == 0) {
		if (memchr(host, '\0', sizeof(host)) == NULL || port > 65535)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	check_escape(s, 1);
	check_escape(s, 7);
	check_escape(s, 256);
	free(s);
	return 0;
}
