/*
 * report_lazy.c - a report's JSON text as a tree whose long lists are
 * placeholders, their items built one at a time (see report_lazy.h).  Pure.
 *
 * The text is only split here, at the objects on the way to the long lists
 * (the top, iommu, kernel_log, each group): keys, colons, commas and
 * brackets.  Every value between them is parsed by jansson, which checks it
 * (UTF-8, escapes, numbers, duplicate keys inside it) as it would whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/report_json.h"
#include "proto/report_lazy.h"

enum kind { K_PIECE, K_ROOT, K_IOMMU, K_KLOG, K_GROUP };

/* The members split further: an object of kind split, or (K_PIECE) a long
 * list of items of kind item, placeholders until the decoder builds them. */
static const struct {
	enum kind in;
	const char *key;
	enum kind split;
	enum kind item;
} rules[] = {
        {K_ROOT, "iommu", K_IOMMU, K_PIECE},   {K_ROOT, "kernel_log", K_KLOG, K_PIECE},
        {K_IOMMU, "groups", K_PIECE, K_GROUP}, {K_IOMMU, "ungrouped_devices", K_PIECE, K_PIECE},
        {K_KLOG, "lines", K_PIECE, K_PIECE},   {K_GROUP, "devices", K_PIECE, K_PIECE},
};

void
report_lazy_init(struct report_lazy *lz, const char *text, size_t len)
{
	memset(lz, 0, sizeof(*lz));
	lz->text = text;
	lz->len = len;
}

void
report_lazy_release(struct report_lazy *lz)
{
	free(lz->blank);
	lz->blank = NULL;
	lz->nblank = lz->capblank = 0;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const struct report_lazy *lz, size_t i)
{
	while (i < lz->len && is_ws(lz->text[i]))
		i++;
	return i;
}

static char
at(const struct report_lazy *lz, size_t i)
{
	return i < lz->len ? lz->text[i] : '\0';
}

/* One past the end of the value at i, or 0 when the text ends first or a
 * bracket closes nothing.  Only strings and brackets are followed: what
 * else is wrong, jansson finds in the span. */
static size_t
value_end(const struct report_lazy *lz, size_t i)
{
	const char *t = lz->text;
	size_t depth = 0;

	if (i >= lz->len)
		return 0;
	if (t[i] != '"' && t[i] != '[' && t[i] != '{') {
		while (i < lz->len && !is_ws(t[i]) && t[i] != ',' && t[i] != ']' && t[i] != '}' &&
		       t[i] != ':')
			i++;
		return i;
	}
	for (; i < lz->len; i++) {
		if (t[i] == '"') {
			for (i++; i < lz->len && t[i] != '"'; i++) {
				if (t[i] == '\\')
					i++;
			}
			if (i >= lz->len)
				return 0;
			if (depth == 0)
				return i + 1;
		} else if (t[i] == '[' || t[i] == '{') {
			depth++;
		} else if (t[i] == ']' || t[i] == '}') {
			if (depth == 0)
				return 0;
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* Objects and arrays in [a, b), and values: every comma and container
 * counted, so an item or member is never missed (an empty container
 * counts one too many). */
static void
span_count(const struct report_lazy *lz, size_t a, size_t b, size_t *containers, size_t *values)
{
	const char *t = lz->text;
	size_t i, c = 0, v = 0;

	for (i = a; i < b; i++) {
		if (t[i] == '"') {
			for (i++; i < b && t[i] != '"'; i++) {
				if (t[i] == '\\')
					i++;
			}
		} else if (t[i] == '[' || t[i] == '{') {
			c++;
			v++;
		} else if (t[i] == ',') {
			v++;
		}
	}
	*containers = c;
	*values = v;
}

static json_t *
refuse(struct report_lazy *lz, const char *path, const char *why)
{
	if (lz->refused)
		return NULL; /* checking: the first refusal is the one said */
	snprintf(lz->path, sizeof(lz->path), "%s", path[0] != '\0' ? path : "report");
	snprintf(lz->why, sizeof(lz->why), "%s", why);
	return NULL;
}

static json_t *
cannot_split(struct report_lazy *lz)
{
	lz->fallback = 1;
	return NULL;
}

/* The value in [a, b), parsed whole once its size is known to be within
 * the limits; kept: it stays in the tree beside the lists. */
static json_t *
piece(struct report_lazy *lz, size_t a, size_t b, const char *path, int kept)
{
	char why[128];
	json_error_t jerr;
	size_t c, v;
	json_t *val;

	span_count(lz, a, b, &c, &v);
	if (c > REPORT_PIECE_CONTAINERS || v > REPORT_PIECE_VALUES) {
		snprintf(why, sizeof(why),
		         "more than %u objects and arrays or %u values in one value"
		         " (besides groups, devices and log lines)",
		         REPORT_PIECE_CONTAINERS, REPORT_PIECE_VALUES);
		return refuse(lz, path, why);
	}
	if (kept) {
		lz->kept_containers += c;
		lz->kept_values += v;
		if (lz->kept_containers > REPORT_KEPT_CONTAINERS ||
		    lz->kept_values > REPORT_KEPT_VALUES) {
			snprintf(why, sizeof(why),
			         "more than %u objects and arrays or %u values in all"
			         " besides groups, devices and log lines",
			         REPORT_KEPT_CONTAINERS, REPORT_KEPT_VALUES);
			return refuse(lz, path, why);
		}
	}
	if ((val = json_loadb(lz->text + a, b - a, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	                      &jerr)) == NULL)
		return cannot_split(lz);
	return val;
}

static json_t *split_object(struct report_lazy *lz, size_t *pos, enum kind k, const char *path);

static int
blank_add(struct report_lazy *lz, size_t a, size_t b)
{
	struct report_lazy_span *v;
	size_t cap;

	if (lz->nblank == lz->capblank) {
		cap = lz->capblank ? lz->capblank * 2 : 256;
		if ((v = realloc(lz->blank, cap * sizeof(*v))) == NULL)
			return -1;
		lz->blank = v;
		lz->capblank = cap;
	}
	lz->blank[lz->nblank].a = a;
	lz->blank[lz->nblank++].b = b;
	return 0;
}

/* Checking: does the item [i, end) of a list of kind item parse alone?
 * 0 yes (its span is noted, a group's replacing its devices'), -1 no. */
static int
check_item(struct report_lazy *lz, size_t i, size_t end, enum kind item)
{
	size_t mark = lz->nblank, p = i;
	int was = lz->fallback;
	json_t *v;

	lz->fallback = 0;
	if (item == K_GROUP && lz->text[i] == '{')
		v = split_object(lz, &p, K_GROUP, "");
	else
		v = piece(lz, i, end, "", 0);
	if (v == NULL && lz->fallback)
		return -1; /* not JSON: its message is jansson's, from the text */
	lz->fallback = was;
	/* an item a limit refused is blanked too, and the check goes on:
	 * stopping there left the rest of the text to be built whole */
	if (v == NULL)
		lz->refused = 1;
	json_decref(v);
	lz->nblank = mark;
	return blank_add(lz, i, end);
}

/* The long list at *pos: one placeholder (the item's offset) per item;
 * when checking, each item parsed and released in turn. */
static json_t *
list(struct report_lazy *lz, size_t *pos, enum kind item)
{
	size_t i = skip_ws(lz, *pos + 1), end;
	json_t *a;

	if ((a = json_array()) == NULL)
		return cannot_split(lz);
	if (at(lz, i) == ']') {
		*pos = i + 1;
		return a;
	}
	for (;;) {
		if ((end = value_end(lz, i)) == 0 ||
		    json_array_append_new(a, json_integer((json_int_t)i)) == -1)
			break;
		if (lz->checking && check_item(lz, i, end, item) == -1) {
			json_decref(a);
			return NULL;
		}
		i = skip_ws(lz, end);
		if (at(lz, i) == ']') {
			*pos = i + 1;
			return a;
		}
		if (at(lz, i) != ',')
			break;
		i = skip_ws(lz, i + 1);
	}
	json_decref(a);
	return cannot_split(lz);
}

/* The value of member key of an object of kind k, at *pos (moved past it). */
static json_t *
member(struct report_lazy *lz, size_t *pos, enum kind k, const char *key, const char *path)
{
	size_t r, end;
	char open = at(lz, *pos);

	for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		if (rules[r].in != k || strcmp(rules[r].key, key) != 0)
			continue;
		if (rules[r].split == K_PIECE && open == '[')
			return list(lz, pos, rules[r].item);
		if (rules[r].split != K_PIECE && open == '{')
			return split_object(lz, pos, rules[r].split, path);
	}
	if ((end = value_end(lz, *pos)) == 0)
		return cannot_split(lz);
	r = *pos;
	*pos = end;
	/* a group is released once decoded: only the top's members stay */
	return piece(lz, r, end, path, k != K_GROUP);
}

/* The object at *pos, of kind k, its members built one at a time. */
static json_t *
split_object(struct report_lazy *lz, size_t *pos, enum kind k, const char *path)
{
	char child[REPORT_PATH_MAX], why[128];
	json_error_t jerr;
	json_t *obj, *key = NULL, *val;
	size_t i = skip_ws(lz, *pos + 1), end, c, v, gc = 1, gv = 0;
	const char *ks;

	if ((obj = json_object()) == NULL)
		return cannot_split(lz);
	if (at(lz, i) == '}') {
		*pos = i + 1;
		return obj;
	}
	for (;;) {
		if (at(lz, i) != '"' || (end = value_end(lz, i)) == 0)
			goto split_fail;
		key = json_loadb(lz->text + i, end - i, JSON_DECODE_ANY, &jerr);
		if (!json_is_string(key))
			goto split_fail;
		ks = json_string_value(key);
		/* a key twice: the whole parse says where */
		if (json_object_get(obj, ks) != NULL)
			goto split_fail;
		i = skip_ws(lz, end);
		if (at(lz, i) != ':')
			goto split_fail;
		i = skip_ws(lz, i + 1);
		report_path_key(child, sizeof(child), path, ks);
		/* a group is one item (FORMAT.md): its members but the devices,
		 * each bounded alone, count against the limits of one value */
		if (k == K_GROUP && strcmp(ks, "devices") != 0 && (end = value_end(lz, i)) != 0) {
			span_count(lz, i, end, &c, &v);
			gc += c;
			gv += v + 1;
			if (gc > REPORT_PIECE_CONTAINERS || gv > REPORT_PIECE_VALUES) {
				snprintf(why, sizeof(why),
				         "more than %u objects and arrays or %u values in one group"
				         " besides its devices",
				         REPORT_PIECE_CONTAINERS, REPORT_PIECE_VALUES);
				refuse(lz, path, why);
				goto fail;
			}
		}
		if ((val = member(lz, &i, k, ks, child)) == NULL)
			goto fail;
		if (json_object_set_new(obj, ks, val) == -1)
			goto split_fail;
		json_decref(key);
		key = NULL;
		i = skip_ws(lz, i);
		if (at(lz, i) == '}') {
			*pos = i + 1;
			return obj;
		}
		if (at(lz, i) != ',')
			goto split_fail;
		i = skip_ws(lz, i + 1);
	}
split_fail:
	lz->fallback = 1;
fail:
	json_decref(key);
	json_decref(obj);
	return NULL;
}

json_t *
report_lazy_root(struct report_lazy *lz)
{
	size_t i = skip_ws(lz, 0);
	json_t *root;

	if (at(lz, i) != '{')
		return cannot_split(lz);
	if ((root = split_object(lz, &i, K_ROOT, "")) == NULL)
		return NULL;
	if (skip_ws(lz, i) != lz->len) {
		json_decref(root);
		return cannot_split(lz);
	}
	return root;
}

json_t *
report_lazy_item(struct report_lazy *lz, json_t *placeholder, int group, const char *path)
{
	size_t i, end;

	if (!json_is_integer(placeholder) || json_integer_value(placeholder) < 0 ||
	    (size_t)json_integer_value(placeholder) >= lz->len)
		return cannot_split(lz);
	i = (size_t)json_integer_value(placeholder);
	if (group && lz->text[i] == '{')
		return split_object(lz, &i, K_GROUP, path);
	if ((end = value_end(lz, i)) == 0)
		return cannot_split(lz);
	return piece(lz, i, end, path, 0);
}

/* json_load_callback's reader: the text, the noted spans blanked. */
struct blanked {
	const struct report_lazy *lz;
	size_t pos, next; /* next: the first span not yet passed */
};

static size_t
blanked_read(void *buf, size_t size, void *arg)
{
	struct blanked *bl = arg;
	const struct report_lazy *lz = bl->lz;
	unsigned char c, *out = buf;
	size_t n = 0;

	while (n < size && bl->pos < lz->len) {
		while (bl->next < lz->nblank && lz->blank[bl->next].b <= bl->pos)
			bl->next++;
		c = (unsigned char)lz->text[bl->pos++];
		if (bl->next < lz->nblank && bl->pos - 1 >= lz->blank[bl->next].a) {
			/* an item that parses: 0, then a space a character (a
			 * UTF-8 continuation byte is none) and the newlines, so
			 * jansson counts the same lines and columns after it */
			if (bl->pos - 1 == lz->blank[bl->next].a)
				c = '0';
			else if (c >= 0x80 && c < 0xc0)
				continue;
			else if (c != '\n')
				c = ' ';
		}
		out[n++] = c;
	}
	return n;
}

json_t *
report_lazy_whole(struct report_lazy *lz, size_t flags, json_error_t *jerr)
{
	struct blanked bl = {lz, 0, 0};
	json_t *root;

	lz->checking = 1;
	lz->nblank = 0;
	lz->refused = 0;
	lz->kept_containers = lz->kept_values = 0;
	root = report_lazy_root(lz);
	json_decref(root);
	lz->checking = 0;
	if (lz->nblank > 0) {
		if ((root = json_load_callback(blanked_read, &bl, flags, jerr)) == NULL) {
			lz->refused = 0; /* not JSON: that is said first, as before */
			return NULL;
		}
		json_decref(root); /* that was not the text: parse the text */
	}
	/* JSON around the items, one of them past a limit: that is the answer,
	 * without building the text whole (it may be built to be large) */
	if (lz->refused)
		return NULL;
	return json_loadb(lz->text, lz->len, flags, jerr);
}
