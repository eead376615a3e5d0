/*
 * dynload.c - dlopen an optional library and resolve a function table (I/O).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "agent/dynload.h"

int
dynload(const char *soname, const struct dynload_sym *syms, size_t nsyms, void *table,
        void **handle, char *err, size_t errsz)
{
	void *h, *f;
	size_t i;

	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errsz, "cannot load %s: %s", soname, dlerror());
		return -1;
	}
	for (i = 0; i < nsyms; i++) {
		if ((f = dlsym(h, syms[i].name)) == NULL) {
			snprintf(err, errsz, "%s lacks %s", soname, syms[i].name);
			dlclose(h);
			return -1;
		}
		memcpy((char *)table + syms[i].offset, &f, sizeof(f));
	}
	*handle = h;
	return 0;
}
