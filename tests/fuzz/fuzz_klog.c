/*
 * fuzz_klog.c - libFuzzer harness for the kernel log parser and scanner.
 * Pure: no I/O.  Whatever the bytes: no crash, no overrun, bounded results,
 * and every kept line and fault is valid UTF-8 free of control characters
 * (so the JSON encoder never has to refuse them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/klog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		abort();
	for (; *p != '\0'; p++)
		if (*p < 0x20 && *p != '\t')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_kernel_log out;
	struct klog_facts facts;
	struct klog_line line;
	struct klog_scan *s;
	size_t i;

	klog_line_parse((const char *)data, size, &line);
	if (line.text_len > size)
		abort();
	s = klog_scan_new(64);
	if (s == NULL)
		return 0;
	memset(&out, 0, sizeof(out));
	if (klog_scan_text(s, (const char *)data, size) == 0 &&
	    klog_scan_finish(s, &out, &facts) == 0) {
		if (out.nlines > 64)
			abort();
		for (i = 0; i < out.nlines; i++) {
			check_text(out.lines[i].text);
			free(out.lines[i].text);
		}
		for (i = 0; i < out.nfaults; i++) {
			check_text(out.faults[i].kind);
			free(out.faults[i].kind);
			free(out.faults[i].reason);
		}
		free(out.lines);
		free(out.faults);
	}
	klog_scan_free(s);
	return 0;
}
