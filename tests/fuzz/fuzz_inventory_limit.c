/*
 * fuzz_inventory_limit.c - libFuzzer harness for the --limit patterns
 * (inventory_limit).  Pure: no I/O.  The input's first line is the
 * pattern, the rest a hosts.txt inventory (tags= are its groups).
 * Whatever the bytes: no crash, leak or overrun; success keeps at least
 * one host, only hosts that were there, in their order; a failure says
 * why; either way the inventory stays valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory.h"
#include "collector/inventory_limit.h"
#include "tests/fuzz/fuzz_inventory_check.h"

#define PATTERN_MAX 4096 /* a command line's worth */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl;
	struct inventory inv;
	char pattern[PATTERN_MAX], err[600], **before;
	size_t plen, i, j, n;

	nl = memchr(text, '\n', size);
	plen = nl != NULL ? (size_t)(nl - text) : size;
	if (plen >= sizeof(pattern))
		return 0;
	memcpy(pattern, text, plen);
	pattern[plen] = '\0';
	inventory_init(&inv);
	if (nl == NULL || inventory_parse(nl + 1, size - plen - 1, &inv, err, sizeof(err)) == -1 ||
	    inv.n == 0) {
		inventory_free(&inv);
		return 0;
	}
	n = inv.n;
	if ((before = calloc(n, sizeof(*before))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		if ((before[i] = strdup(inv.hosts[i].name)) == NULL)
			abort();
	err[0] = '\0';
	if (inventory_limit(&inv, pattern, err, sizeof(err)) == 0) {
		if (inv.n == 0 || inv.n > n)
			abort();
		/* a subsequence of what was there */
		for (i = 0, j = 0; i < inv.n; i++, j++) {
			while (j < n && strcmp(before[j], inv.hosts[i].name) != 0)
				j++;
			if (j == n)
				abort();
		}
	} else {
		fuzz_inventory_check_err(err, sizeof(err));
	}
	fuzz_inventory_check(&inv);
	for (i = 0; i < n; i++)
		free(before[i]);
	free(before);
	inventory_free(&inv);
	return 0;
}
