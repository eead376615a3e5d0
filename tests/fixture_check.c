/*
 * fixture_check.c - check a report against a fixture's `expect` file.
 * usage: fixture_check REPORT.json EXPECT
 * Each line: PATH OP JSON (OP: = != >= <=), or PATH exists / PATH absent.
 * PATH is dotted; `name[key=value]` selects the array element whose member
 * key equals value (compared as a string or number); `.length` counts an
 * array.  Prints every failed line; exits 1 when any failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static json_t *
select_element(json_t *array, const char *key, const char *want)
{
	size_t i;
	json_t *el, *v;
	char buf[64];

	json_array_foreach(array, i, el)
	{
		v = json_object_get(el, key);
		if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
			return el;
		if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
			if (strcmp(buf, want) == 0)
				return el;
		}
	}
	return NULL;
}

/* Resolve path; *count_out set for ".length". Returns a borrowed value, a
 * new integer for length (caller decrefs *owned), or NULL. */
static json_t *
resolve(json_t *root, const char *path, json_t **owned)
{
	char seg[512], key[128], val[256];
	json_t *cur = root;
	const char *p = path;
	size_t n;

	*owned = NULL;
	while (cur != NULL && *p != '\0') {
		n = strcspn(p, ".[");
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		p += n;
		if (strcmp(seg, "length") == 0 && json_is_array(cur) && (*p == '\0')) {
			*owned = json_integer((json_int_t)json_array_size(cur));
			return *owned;
		}
		if (n > 0)
			cur = json_object_get(cur, seg);
		if (cur != NULL && *p == '[') {
			const char *close = strchr(p, ']');
			const char *eq = strchr(p, '=');

			if (close == NULL || eq == NULL || eq > close ||
			    (size_t)(eq - p - 1) >= sizeof(key) ||
			    (size_t)(close - eq - 1) >= sizeof(val))
				return NULL;
			memcpy(key, p + 1, (size_t)(eq - p - 1));
			key[eq - p - 1] = '\0';
			memcpy(val, eq + 1, (size_t)(close - eq - 1));
			val[close - eq - 1] = '\0';
			if (!json_is_array(cur))
				return NULL;
			cur = select_element(cur, key, val);
			p = close + 1;
		}
		if (*p == '.')
			p++;
	}
	return cur;
}

static int
check_line(json_t *report, char *line, int lineno)
{
	char path[1024], op[8];
	json_t *got, *want, *owned;
	json_error_t jerr;
	int n = 0, ok;
	const char *rest;
	char *text;

	if (sscanf(line, "%1023s %7s %n", path, op, &n) < 2) {
		fprintf(stderr, "expect:%d: cannot parse: %s\n", lineno, line);
		return 0;
	}
	rest = line + n;
	got = resolve(report, path, &owned);
	if (strcmp(op, "exists") == 0 || strcmp(op, "absent") == 0) {
		ok = (got != NULL) == (strcmp(op, "exists") == 0);
		if (!ok)
			fprintf(stderr, "expect:%d: %s should be %s\n", lineno, path, op);
		json_decref(owned);
		return ok;
	}
	want = json_loads(rest, JSON_DECODE_ANY, &jerr);
	if (want == NULL) {
		fprintf(stderr, "expect:%d: bad JSON value: %s\n", lineno, rest);
		json_decref(owned);
		return 0;
	}
	if (got == NULL) {
		ok = 0;
	} else if (strcmp(op, "=") == 0) {
		ok = json_equal(got, want);
	} else if (strcmp(op, "!=") == 0) {
		ok = !json_equal(got, want);
	} else if (json_is_number(got) && json_is_number(want)) {
		double g = json_number_value(got), w = json_number_value(want);

		ok = strcmp(op, ">=") == 0 ? g >= w : strcmp(op, "<=") == 0 ? g <= w : 0;
	} else {
		ok = 0;
	}
	if (!ok) {
		text = got != NULL ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
		fprintf(stderr, "expect:%d: %s %s %s, but got %s\n", lineno, path, op, rest,
		        text != NULL ? text : "(absent)");
		free(text);
	}
	json_decref(want);
	json_decref(owned);
	return ok;
}

int
main(int argc, char **argv)
{
	json_error_t jerr;
	json_t *report;
	char line[2048];
	FILE *f;
	int lineno = 0, failed = 0, checked = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: fixture_check REPORT.json EXPECT\n");
		return 2;
	}
	report = json_load_file(argv[1], 0, &jerr);
	if (report == NULL) {
		fprintf(stderr, "%s:%d:%d: %s\n", argv[1], jerr.line, jerr.column, jerr.text);
		return 1;
	}
	f = fopen(argv[2], "r");
	if (f == NULL) {
		perror(argv[2]);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		checked++;
		if (!check_line(report, p, lineno))
			failed++;
	}
	fclose(f);
	json_decref(report);
	printf("%d of %d expectations met\n", checked - failed, checked);
	return failed || checked == 0 ? 1 : 0;
}
