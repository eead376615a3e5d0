/*
 * output.h - print query results as an aligned table, CSV or JSON (I/O on
 * the given stream).  Every string may come from a host: control bytes and
 * invalid UTF-8 are escaped in every format, never printed raw.
 */
#ifndef IOMMU_FLEET_OUTPUT_H
#define IOMMU_FLEET_OUTPUT_H

#include <stdio.h>

#include "collector/db.h"

enum output_format { OUTPUT_TABLE = 0, OUTPUT_CSV, OUTPUT_JSON };

struct output {
	FILE *fp;
	enum output_format fmt;
	int colour;   /* ANSI colour in tables (a terminal, and no NO_COLOR) */
	int sections; /* output_section() calls so far */
	int multi;    /* several named sections: JSON object, titled tables */
};

/* multi: the output holds several named sections (output_section titles). */
void output_init(struct output *o, FILE *fp, enum output_format fmt, int multi);
int output_format_parse(const char *s, enum output_format *out); /* 0 / -1 */

/* Print one result set; title names the section when multi. 0 or -1 (write error). */
int output_section(struct output *o, const char *title, const struct db_rows *rows);
int output_end(struct output *o);

/* A one-row result turned into (field, value) rows; 0 or -1 (memory). */
int output_transpose(const struct db_rows *in, struct db_rows *out);

/* What a table shows for cell (r, c) (a borrowed string): "-" for NULL,
 * "yes" / "no" for a truth value (a column that holds one, or the value
 * columns of a row whose "field" names one), else the text.  CSV and JSON
 * keep 1 / 0 / null. */
const char *output_table_text(const struct db_rows *rows, size_t r, size_t c);

/* s made safe for a terminal: C0/C1 controls, DEL, bidirectional marks and
 * overrides, the Unicode line separators and invalid UTF-8 become \n, \t,
 * \xNN.  Returns a new malloc'd string or NULL (memory). */
char *output_escape(const char *s);

/* One CSV cell (RFC 4180): s escaped as output_escape does, quoted when it
 * holds a comma or a quote.  text: s is a text value (not a number), so one
 * that starts with =, +, -, @, tab or CR, which a spreadsheet would run as a
 * formula, is neutralised with a leading single quote (and quoted) as OWASP
 * advises; JSON and tables keep it verbatim.  A new malloc'd string or NULL
 * (memory). */
char *output_csv_cell(const char *s, int text);

#endif
