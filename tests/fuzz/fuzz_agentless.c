/*
 * fuzz_agentless.c - libFuzzer harness for the agentless stream parser (the
 * bytes a pulled host prints).  Pure: the sink only counts.  abort() when
 * one of these breaks:
 * - every path handed to the sink is one agentless_valid_path accepts, and
 *   every link text one agentless_valid_link accepts for its path and that,
 *   resolved by hand, stays below the path's top directory;
 * - file bytes arrive only between file_begin and file_end, within the
 *   decoded total the parser reports and AGENTLESS_TOTAL_MAX;
 * - the answer does not depend on how the stream is cut into pieces: fed
 *   whole and fed in pieces of 1..64 bytes, the same records, bytes and
 *   outcome.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/agentless.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct tally {
	size_t dirs, placeholders, links, files, bytes;
	uint64_t hash; /* of every path and byte, in order */
	int in_file;
};

static void
mix(struct tally *t, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		t->hash = (t->hash ^ c[i]) * 1099511628211u;
}

static int
on_dir(void *arg, const char *path)
{
	struct tally *t = arg;

	if (!agentless_valid_path(path) || t->in_file)
		abort();
	t->dirs++;
	mix(t, path, strlen(path) + 1);
	return 0;
}

static int
on_placeholder(void *arg, const char *path)
{
	struct tally *t = arg;

	if (!agentless_valid_path(path) || t->in_file)
		abort();
	t->placeholders++;
	mix(t, path, strlen(path) + 1);
	return 0;
}

/* Resolve target against path's directory by hand, not with the parser's
 * own rule: 1 when the result stays below path's top directory. */
static int
stays_below_top(const char *path, const char *target)
{
	const char *p;
	size_t depth = 0, n;

	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		depth++; /* components of path's directory */
	for (p = target; *p != '\0'; p += n + (p[n] == '/')) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth <= 1)
				return 0;
			depth--;
		} else if (n == 0 || (n == 1 && p[0] == '.')) {
			return 0; /* "//", "/x", "./": never sent */
		} else {
			depth++;
		}
	}
	return *target != '\0' && target[0] != '/';
}

static int
on_link(void *arg, const char *path, const char *target)
{
	struct tally *t = arg;

	if (!agentless_valid_path(path) || !agentless_valid_link(path, target) ||
	    !stays_below_top(path, target) || t->in_file)
		abort();
	t->links++;
	mix(t, path, strlen(path) + 1);
	mix(t, target, strlen(target) + 1);
	return 0;
}

static int
on_file_begin(void *arg, const char *path)
{
	struct tally *t = arg;

	if (!agentless_valid_path(path) || t->in_file)
		abort();
	t->in_file = 1;
	t->files++;
	mix(t, path, strlen(path) + 1);
	return 0;
}

static int
on_file_data(void *arg, const unsigned char *p, size_t n)
{
	struct tally *t = arg;

	if (!t->in_file)
		abort();
	t->bytes += n;
	if (t->bytes > AGENTLESS_TOTAL_MAX)
		abort();
	mix(t, p, n);
	return 0;
}

static int
on_file_end(void *arg)
{
	struct tally *t = arg;

	if (!t->in_file)
		abort();
	t->in_file = 0;
	return 0;
}

/* Parse data cut into pieces of the given sizes (cycled; 0: whole). */
static int
parse(const uint8_t *data, size_t size, const uint8_t *cuts, size_t ncuts, struct tally *t)
{
	struct agentless_sink sink = {
	        t, on_dir, on_placeholder, on_link, on_file_begin, on_file_data, on_file_end};
	struct agentless_parser *p;
	size_t off = 0, k = 0, n;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if ((p = agentless_parser_new(&sink)) == NULL)
		abort();
	while (off < size && rc == 0) {
		n = ncuts == 0 ? size : (size_t)(cuts[k++ % ncuts] % 64) + 1;
		if (n > size - off)
			n = size - off;
		rc = agentless_parser_feed(p, (const char *)data + off, n);
		off += n;
	}
	if (rc == 0)
		rc = agentless_parser_finish(p);
	if (rc == -1 && agentless_parser_error(p)[0] == '\0')
		abort();
	if (agentless_parser_bytes(p) != t->bytes ||
	    agentless_parser_entries(p) > AGENTLESS_ENTRIES_MAX)
		abort();
	agentless_parser_free(p);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tally whole, pieces;
	int a, b;

	a = parse(data, size, NULL, 0, &whole);
	/* the input's own bytes choose the cuts: any split, reproducibly */
	b = parse(data, size, data, size < 16 ? size : 16, &pieces);
	if (a != b)
		abort();
	/* a failed stream may stop at a different record only if it failed
	 * at the same one: compare the complete ones in full */
	if (a == 0 && memcmp(&whole, &pieces, sizeof(whole)) != 0)
		abort();
	return 0;
}
