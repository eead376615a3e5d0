/*
 * bench_import_gen.c - write COUNT reports for the import benchmark from
 * the test template: one host each ("bench-00001"...), a few models, BIOS
 * versions and kernels, so contents differ.  I/O: reads the template,
 * writes OUTDIR/rNNNNN.json.
 * usage: bench_import_gen TEMPLATE OUTDIR COUNT ID_BASE DAY [HOST_BASE]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
slurp(const char *path)
{
	FILE *fp;
	char *buf;
	long n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		fclose(fp);
		return NULL;
	}
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Write text to fp with every occurrence of each from[i] replaced by to[i]. */
static void
write_subst(FILE *fp, const char *text, const char *const *from, const char *const *to, size_t n)
{
	const char *p = text, *best, *hit;
	size_t i, bi = 0;

	for (;;) {
		best = NULL;
		for (i = 0; i < n; i++) {
			hit = strstr(p, from[i]);
			if (hit != NULL && (best == NULL || hit < best)) {
				best = hit;
				bi = i;
			}
		}
		if (best == NULL)
			break;
		fwrite(p, 1, (size_t)(best - p), fp);
		fputs(to[bi], fp);
		p = best + strlen(from[bi]);
	}
	fputs(p, fp);
}

static long
num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0) {
		fprintf(stderr, "bench_import_gen: bad number \"%s\"\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const char *const models[] = {"PowerEdge R640", "PowerEdge R650",
	                                     "ProLiant DL360 Gen10", "ThinkSystem SR630",
	                                     "SYS-1029U-TR4"};
	static const char *const bios[] = {"2.19.1", "2.17.1", "1.6.11"};
	static const char *const kernels[] = {"6.1.0-13-amd64", "6.1.0-15-amd64", "5.10.0-26-amd64",
	                                      "6.5.0-0.deb12.4-amd64"};
	const char *from[6] = {"r640-01",
	                       "6f1c2b9e-8d4a-4e55-9a7b-1c2d3e4f5a6b",
	                       "2026-11-23T08:00:00Z",
	                       "\"PowerEdge R640\"",
	                       "\"6.1.0-13-amd64\"",
	                       "\"2.19.1\""};
	char host[32], id[40], at[32], model[64], kernel[64], bv[32], path[4096];
	const char *to[6] = {host, id, at, model, kernel, bv};
	long count, base, day, hbase = 0, i, h;
	char *text;
	FILE *fp;

	if (argc != 6 && argc != 7) {
		fprintf(stderr,
		        "usage: bench_import_gen TEMPLATE OUTDIR COUNT ID_BASE DAY [HOST_BASE]\n");
		return 2;
	}
	if (argc == 7)
		hbase = num(argv[6]);
	count = num(argv[3]);
	base = num(argv[4]);
	day = num(argv[5]);
	if ((text = slurp(argv[1])) == NULL) {
		fprintf(stderr, "bench_import_gen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < count; i++) {
		h = hbase + i;
		snprintf(host, sizeof(host), "bench-%05ld", h);
		snprintf(id, sizeof(id), "6f1c2b9e-8d4a-4e55-9a7b-%012lx", base + i);
		snprintf(at, sizeof(at), "2025-%02ld-%02ldT08:%02ld:%02ldZ", 1 + day / 28 % 12,
		         1 + day % 28, h / 60 % 60, h % 60);
		snprintf(model, sizeof(model), "\"%s\"", models[h % 5]);
		snprintf(bv, sizeof(bv), "\"%s\"", bios[h / 5 % 3]);
		snprintf(kernel, sizeof(kernel), "\"%s\"", kernels[h / 15 % 4]);
		snprintf(path, sizeof(path), "%s/r%05ld.json", argv[2], h);
		if ((fp = fopen(path, "w")) == NULL) {
			fprintf(stderr, "bench_import_gen: %s: %s\n", path, strerror(errno));
			return 1;
		}
		write_subst(fp, text, from, to, 6);
		if (fclose(fp) != 0) {
			fprintf(stderr, "bench_import_gen: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	free(text);
	return 0;
}
