/*
 * json_writer.h - JSON written straight into a growing buffer, byte for
 * byte as jansson's json_dumps() writes the same values with
 * JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) and JSON_COMPACT or
 * JSON_INDENT(2): the report encoder's output without building a tree
 * first (the tree and its dump were 38% of the agent's instructions).
 * Pure: no I/O.  Any failed allocation sets failed; the text is then
 * incomplete and the caller drops it.
 */
#ifndef IOMMU_FLEET_JSON_WRITER_H
#define IOMMU_FLEET_JSON_WRITER_H

#include <stddef.h>

#include "common/growbuf.h"

#define JSON_WRITER_DEPTH 32

struct json_writer {
	struct growbuf b;
	int pretty;                       /* indent by 2, ": " after keys */
	int depth;                        /* open objects and arrays */
	size_t items[JSON_WRITER_DEPTH];  /* values written in each */
	size_t opened[JSON_WRITER_DEPTH]; /* b.len just after each '{' / '[' */
	int failed;
};

void json_writer_init(struct json_writer *w, int pretty);
/* The text (NUL-terminated, the caller frees it), or NULL when anything
 * failed or a container is still open (then freed here). */
char *json_writer_finish(struct json_writer *w);

void json_writer_object(struct json_writer *w); /* '{' */
void json_writer_array(struct json_writer *w);  /* '[' */
void json_writer_end(struct json_writer *w);    /* the matching '}' / ']' */
/* The key of the next member: s is valid UTF-8 without NUL. */
void json_writer_key(struct json_writer *w, const char *s, size_t n);
/* Values.  A string is valid UTF-8 without NUL (callers clean it). */
void json_writer_string(struct json_writer *w, const char *s, size_t n);
void json_writer_null(struct json_writer *w);
void json_writer_bool(struct json_writer *w, int v);
void json_writer_int(struct json_writer *w, long long v);
void json_writer_real(struct json_writer *w, double v);

#endif
