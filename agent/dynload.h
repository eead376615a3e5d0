/*
 * dynload.h - load an optional shared library and resolve a table of its
 * functions (I/O: dlopen).  The agent loads libcurl only to push and
 * libsystemd only to read the journal: linked, they map dozens of libraries
 * into every run that needs neither.
 */
#ifndef IOMMU_FLEET_DYNLOAD_H
#define IOMMU_FLEET_DYNLOAD_H

#include <stddef.h>

struct dynload_sym {
	const char *name; /* "curl_easy_init" */
	size_t offset;    /* offsetof the function pointer in the caller's table */
};

/* dlopen soname and store each symbol's address at table + offset: 0, or
 * -1 with a message in err.  *handle is set on success and kept open. */
int dynload(const char *soname, const struct dynload_sym *syms, size_t nsyms, void *table,
            void **handle, char *err, size_t errsz);

#endif
