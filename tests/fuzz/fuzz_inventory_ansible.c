/*
 * fuzz_inventory_ansible.c - libFuzzer harness for an Ansible inventory
 * reader and the flattening after it, built twice: FUZZ_YAML 0 for the
 * INI reader (fuzz_inventory_ini), 1 for the YAML one over libyaml
 * (fuzz_inventory_yaml).  Pure: no I/O.  Whatever the bytes: no crash,
 * leak, overrun or unbounded walk; the hosts flattened hold to
 * fuzz_inventory_check; a failure says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_ansible.h"
#include "collector/inventory_ini.h"
#include "collector/inventory_yaml.h"
#include "tests/fuzz/fuzz_inventory_check.h"

#ifndef FUZZ_YAML
#error "build with -DFUZZ_YAML=0 (INI) or -DFUZZ_YAML=1 (YAML)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ansible_inv a = {0};
	struct inventory inv;
	char err[600];
	size_t i;
	int rc;

	err[0] = '\0';
	inventory_init(&inv);
	if (FUZZ_YAML)
		rc = inventory_yaml_parse((const char *)data, size, &a, err, sizeof(err));
	else
		rc = inventory_ini_parse((const char *)data, size, &a, err, sizeof(err));
	if (rc == 0) {
		if (a.ngroups > ANSIBLE_GROUPS_MAX)
			abort();
		for (i = 0; i < a.ngroups; i++)
			if (a.groups[i].vars.n > ANSIBLE_VARS_MAX)
				abort();
		rc = ansible_flatten(&a, &inv, err, sizeof(err));
		fuzz_inventory_check(&inv);
	}
	if (rc == -1)
		fuzz_inventory_check_err(err, sizeof(err));
	else if (rc != 0)
		abort();
	ansible_inv_free(&a);
	inventory_free(&inv);
	return 0;
}
