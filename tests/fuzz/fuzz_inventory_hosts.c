/*
 * fuzz_inventory_hosts.c - libFuzzer harness for the hosts.txt reader
 * (inventory_parse).  Pure: no I/O.  Whatever the bytes: no crash, leak or
 * overrun; what is read holds to fuzz_inventory_check; a failure says why,
 * on which line; the same text read twice reads the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory.h"
#include "tests/fuzz/fuzz_inventory_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory inv, again;
	char err[600], err2[600];
	int rc, rc2;
	size_t i;

	inventory_init(&inv);
	inventory_init(&again);
	err[0] = err2[0] = '\0';
	rc = inventory_parse((const char *)data, size, &inv, err, sizeof(err));
	fuzz_inventory_check(&inv); /* what was read before a bad line too */
	if (rc == -1) {
		fuzz_inventory_check_err(err, sizeof(err));
		if (strncmp(err, "line ", 5) != 0)
			abort();
	} else if (rc != 0)
		abort();
	rc2 = inventory_parse((const char *)data, size, &again, err2, sizeof(err2));
	if (rc2 != rc || again.n != inv.n || (rc == -1 && strcmp(err, err2) != 0))
		abort();
	for (i = 0; i < inv.n; i++)
		if (strcmp(inv.hosts[i].name, again.hosts[i].name) != 0 ||
		    inv.hosts[i].line != again.hosts[i].line)
			abort();
	inventory_free(&inv);
	inventory_free(&again);
	return 0;
}
