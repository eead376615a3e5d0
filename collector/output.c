/*
 * output.c - tables (aligned, colour on a terminal), CSV (RFC 4180) and JSON
 * for query results.  I/O: writes to the caller's stream only.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/output.h"
#include "common/utf8.h"

#define ANSI_BOLD "\033[1m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RESET "\033[0m"

void
output_init(struct output *o, FILE *fp, enum output_format fmt, int multi)
{
	const char *nc;

	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->fmt = fmt;
	o->multi = multi;
	nc = getenv("NO_COLOR");
	o->colour = isatty(fileno(fp)) && (nc == NULL || *nc == '\0');
}

int
output_format_parse(const char *s, enum output_format *out)
{
	if (strcmp(s, "table") == 0)
		*out = OUTPUT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = OUTPUT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = OUTPUT_JSON;
	else
		return -1;
	return 0;
}

/* C0, DEL, C1, the invisible bidirectional marks and overrides that
 * reorder a line (ALM U+061C, LRM / RLM U+200E-F, LRE..RLO U+202A-E,
 * LRI..PDI U+2066-9) and the Unicode line and paragraph separators
 * (U+2028-9) that break one. */
static int
unsafe_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e ||
	       c == 0x200f || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

char *
output_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	uint32_t cp;
	size_t n, i, o = 0;
	char *out;

	/* worst case: every byte becomes \xNN (or \u{XXXXXX} for 3-4 bytes) */
	out = malloc(strlen(s) * 4 + 1);
	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		n = utf8_seq(p, (size_t)(end - p), &cp);
		if (n == 0) {
			o += (size_t)snprintf(out + o, 5, "\\x%02x", *p);
			p++;
			continue;
		}
		if (unsafe_cp(cp)) {
			if (cp == '\n')
				o += (size_t)snprintf(out + o, 3, "\\n");
			else if (cp == '\t')
				o += (size_t)snprintf(out + o, 3, "\\t");
			else if (cp == '\r')
				o += (size_t)snprintf(out + o, 3, "\\r");
			else
				for (i = 0; i < n; i++)
					o += (size_t)snprintf(out + o, 5, "\\x%02x", p[i]);
			p += n;
			continue;
		}
		if (*p == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			p++;
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	return out;
}

/* Columns a string takes: one per code point (wide characters are rare in
 * host data; good enough for alignment). */
static size_t
display_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static const char *
cell_colour(const char *name, const char *v)
{
	if (strcmp(name, "verdict") != 0 && strcmp(name, "status") != 0 &&
	    strcmp(name, "last_attempt_status") != 0 && strcmp(name, "last_attempt") != 0)
		return NULL;
	if (strcmp(v, "ready") == 0 || strcmp(v, "pass") == 0 || strcmp(v, "stored") == 0 ||
	    strcmp(v, "unchanged") == 0)
		return ANSI_GREEN;
	if (strcmp(v, "not-ready") == 0 || strcmp(v, "fail") == 0 || strcmp(v, "failed") == 0 ||
	    strcmp(v, "rejected") == 0)
		return ANSI_RED;
	return ANSI_YELLOW;
}

/* Truth values: columns that hold one, and the value columns of rows whose
 * "field" names one (host_changes, cohort_outliers, a transposed host). */
static const char *const bool_names[] = {
        "iommu_enabled", "interrupt_remapping",
        "x2apic_optout", "isolated",
        "boot_vga",      "kernel_log_complete",
        "enabled",       "intremap",
        "tie",           NULL,
};
static const char *const value_names[] = {"value", "old_value", "new_value", "cohort_value", NULL};

static int
name_in(const char *name, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* What a table shows for a cell: "-" for NULL, "yes" / "no" for a truth
 * value, so every table prints them alike (CSV and JSON keep 1 / 0 / null). */
static const char *
table_text(const struct db_rows *rows, size_t r, size_t c, size_t fieldcol)
{
	const struct db_cell *cell = &rows->cells[r * rows->ncols + c];
	int is_bool;

	if (cell->type == DB_NULL)
		return "-";
	is_bool = name_in(rows->names[c], bool_names);
	if (!is_bool && fieldcol < rows->ncols && name_in(rows->names[c], value_names)) {
		const struct db_cell *f = &rows->cells[r * rows->ncols + fieldcol];

		is_bool = f->type != DB_NULL && name_in(f->text, bool_names);
	}
	if (is_bool && strcmp(cell->text, "1") == 0)
		return "yes";
	if (is_bool && strcmp(cell->text, "0") == 0)
		return "no";
	return cell->text;
}

const char *
output_table_text(const struct db_rows *rows, size_t r, size_t c)
{
	size_t fieldcol;

	for (fieldcol = 0; fieldcol < rows->ncols; fieldcol++)
		if (strcmp(rows->names[fieldcol], "field") == 0)
			break;
	return table_text(rows, r, c, fieldcol);
}

static int
print_table(struct output *o, const struct db_rows *rows)
{
	char **esc;
	unsigned char *textcol = NULL;
	size_t *width, ncells, i, r, c, w, pad, fieldcol;
	const struct db_cell *cell;
	const char *col;
	int rc = -1;

	ncells = rows->nrows * rows->ncols;
	esc = calloc(ncells ? ncells : 1, sizeof(*esc));
	width = calloc(rows->ncols ? rows->ncols : 1, sizeof(*width));
	/* a column with any text in it is left-aligned, numbers right */
	textcol = calloc(rows->ncols ? rows->ncols : 1, 1);
	if (esc == NULL || width == NULL || textcol == NULL)
		goto out;
	for (c = 0; c < rows->ncols; c++)
		width[c] = display_width(rows->names[c]);
	for (i = 0; i < ncells; i++)
		if (rows->cells[i].type == DB_TEXT)
			textcol[i % rows->ncols] = 1;
	for (fieldcol = 0; fieldcol < rows->ncols; fieldcol++)
		if (strcmp(rows->names[fieldcol], "field") == 0)
			break;
	for (c = 0; c < rows->ncols; c++)
		if (name_in(rows->names[c], bool_names))
			textcol[c] = 1;
	for (i = 0; i < ncells; i++) {
		esc[i] =
		        output_escape(table_text(rows, i / rows->ncols, i % rows->ncols, fieldcol));
		if (esc[i] == NULL)
			goto out;
		w = display_width(esc[i]);
		if (w > width[i % rows->ncols])
			width[i % rows->ncols] = w;
	}
	if (o->colour)
		fputs(ANSI_BOLD, o->fp);
	for (c = 0; c < rows->ncols; c++) {
		fputs(rows->names[c], o->fp);
		if (c + 1 < rows->ncols)
			fprintf(o->fp, "%*s", (int)(width[c] - display_width(rows->names[c]) + 2),
			        "");
	}
	if (o->colour)
		fputs(ANSI_RESET, o->fp);
	fputc('\n', o->fp);
	for (r = 0; r < rows->nrows; r++) {
		for (c = 0; c < rows->ncols; c++) {
			i = r * rows->ncols + c;
			cell = &rows->cells[i];
			pad = width[c] - display_width(esc[i]);
			col = o->colour && cell->type != DB_NULL
			              ? cell_colour(rows->names[c], esc[i])
			              : NULL;
			/* numbers right-aligned, text left-aligned */
			if (!textcol[c])
				fprintf(o->fp, "%*s", (int)pad, "");
			fprintf(o->fp, "%s%s%s", col != NULL ? col : "", esc[i],
			        col != NULL ? ANSI_RESET : "");
			if (c + 1 < rows->ncols) {
				if (textcol[c])
					fprintf(o->fp, "%*s", (int)pad, "");
				fputs("  ", o->fp);
			}
		}
		fputc('\n', o->fp);
	}
	rc = 0;
out:
	if (esc != NULL)
		for (i = 0; i < ncells; i++)
			free(esc[i]);
	free(esc);
	free(width);
	free(textcol);
	return rc;
}

/* A spreadsheet runs a cell that starts with one of these as a formula
 * (OWASP "CSV injection"); tab and CR too, which some trim first. */
static int
csv_formula_start(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

char *
output_csv_cell(const char *s, int text)
{
	const char *p;
	char *e, *out;
	size_t n, o = 0;
	int quote, neutral;

	if ((e = output_escape(s)) == NULL)
		return NULL;
	neutral = text && csv_formula_start(s);
	quote = neutral || strpbrk(e, ",\"") != NULL;
	/* a quote more per '"', the neutralising quote, two delimiters */
	n = strlen(e) * 2 + 4;
	if ((out = malloc(n)) == NULL) {
		free(e);
		return NULL;
	}
	if (quote)
		out[o++] = '"';
	if (neutral)
		out[o++] = '\'';
	for (p = e; *p != '\0'; p++) {
		if (*p == '"')
			out[o++] = '"';
		out[o++] = *p;
	}
	if (quote)
		out[o++] = '"';
	out[o] = '\0';
	free(e);
	return out;
}

static int
csv_field(FILE *fp, const char *s, int text)
{
	char *e;

	if ((e = output_csv_cell(s, text)) == NULL)
		return -1;
	fputs(e, fp);
	free(e);
	return 0;
}

static int
print_csv(struct output *o, const struct db_rows *rows)
{
	size_t r, c;
	const struct db_cell *cell;

	for (c = 0; c < rows->ncols; c++) {
		if (c > 0)
			fputc(',', o->fp);
		if (csv_field(o->fp, rows->names[c], 1) == -1)
			return -1;
	}
	fputc('\n', o->fp);
	for (r = 0; r < rows->nrows; r++) {
		for (c = 0; c < rows->ncols; c++) {
			cell = &rows->cells[r * rows->ncols + c];
			if (c > 0)
				fputc(',', o->fp);
			if (cell->type != DB_NULL &&
			    csv_field(o->fp, cell->text, cell->type == DB_TEXT) == -1)
				return -1;
		}
		fputc('\n', o->fp);
	}
	return 0;
}

/* A JSON string: controls as \u00XX, invalid UTF-8 as U+FFFD. */
static void
json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	uint32_t cp;
	size_t n;

	fputc('"', fp);
	while (*p != '\0') {
		n = utf8_seq(p, (size_t)(end - p), &cp);
		if (n == 0) {
			fputs("\\ufffd", fp);
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", fp);
		else if (cp == '\t')
			fputs("\\t", fp);
		else if (unsafe_cp(cp))
			fprintf(fp, "\\u%04lx", (unsigned long)cp);
		else
			fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('"', fp);
}

static void
print_json(struct output *o, const struct db_rows *rows)
{
	const struct db_cell *cell;
	size_t r, c;

	fputc('[', o->fp);
	for (r = 0; r < rows->nrows; r++) {
		fputs(r > 0 ? ",\n {" : "\n {", o->fp);
		for (c = 0; c < rows->ncols; c++) {
			cell = &rows->cells[r * rows->ncols + c];
			if (c > 0)
				fputs(", ", o->fp);
			json_string(o->fp, rows->names[c]);
			fputs(": ", o->fp);
			if (cell->type == DB_NULL)
				fputs("null", o->fp);
			else if (cell->type == DB_INTEGER || cell->type == DB_REAL)
				fputs(cell->text, o->fp);
			else
				json_string(o->fp, cell->text);
		}
		fputc('}', o->fp);
	}
	fputs(rows->nrows > 0 ? "\n]" : "]", o->fp);
}

int
output_section(struct output *o, const char *title, const struct db_rows *rows)
{
	int rc = 0;

	switch (o->fmt) {
	case OUTPUT_TABLE:
		if (o->sections > 0)
			fputc('\n', o->fp);
		if (o->multi && title != NULL)
			fprintf(o->fp, "%s%s%s\n", o->colour ? ANSI_BOLD : "", title,
			        o->colour ? ANSI_RESET : "");
		rc = print_table(o, rows);
		break;
	case OUTPUT_CSV:
		if (o->sections > 0)
			fputc('\n', o->fp);
		if (o->multi && title != NULL)
			fprintf(o->fp, "# %s\n", title);
		rc = print_csv(o, rows);
		break;
	case OUTPUT_JSON:
		if (o->multi) {
			fputs(o->sections > 0 ? ",\n" : "{\n", o->fp);
			json_string(o->fp, title != NULL ? title : "rows");
			fputs(": ", o->fp);
		}
		print_json(o, rows);
		if (!o->multi)
			fputc('\n', o->fp);
		break;
	}
	o->sections++;
	if (rc == 0 && ferror(o->fp))
		rc = -1;
	return rc;
}

int
output_end(struct output *o)
{
	if (o->fmt == OUTPUT_JSON && o->multi)
		fputs(o->sections > 0 ? "\n}\n" : "{}\n", o->fp);
	if (fflush(o->fp) == EOF || ferror(o->fp))
		return -1;
	return 0;
}

int
output_transpose(const struct db_rows *in, struct db_rows *out)
{
	size_t c;

	memset(out, 0, sizeof(*out));
	out->ncols = 2;
	out->names = calloc(2, sizeof(*out->names));
	out->cells = calloc(in->ncols ? in->ncols * 2 : 1, sizeof(*out->cells));
	if (out->names == NULL || out->cells == NULL)
		goto fail;
	if ((out->names[0] = strdup("field")) == NULL || (out->names[1] = strdup("value")) == NULL)
		goto fail;
	if (in->nrows == 0)
		return 0;
	for (c = 0; c < in->ncols; c++) {
		out->nrows++;
		out->cells[2 * c].type = DB_TEXT;
		if ((out->cells[2 * c].text = strdup(in->names[c])) == NULL)
			goto fail;
		out->cells[2 * c + 1].type = in->cells[c].type;
		if (in->cells[c].text != NULL &&
		    (out->cells[2 * c + 1].text = strdup(in->cells[c].text)) == NULL)
			goto fail;
	}
	return 0;
fail:
	db_rows_free(out);
	return -1;
}
