/*
 * html.h - building the static site's pages in memory: our own markup
 * appended raw, every string from a host escaped (HTML entities over
 * output_escape, so controls and invalid UTF-8 show as \xNN text), tables
 * from query results, the page frame with its Content-Security-Policy.
 * Pure: no I/O.
 *
 * Nothing a host sent is ever placed in a script, a URL, a tag or an
 * attribute name: only in text and in quoted attribute values, escaped.
 */
#ifndef IOMMU_FLEET_HTML_H
#define IOMMU_FLEET_HTML_H

#include <stddef.h>

#include "collector/db.h"
#include "common/growbuf.h"

struct html {
	struct growbuf b;
	int failed; /* an allocation failed: checked once, at the end */
};

#define HTML_FILE_MAX 96 /* a host page's file name, with its NUL */

void html_raw(struct html *h, const char *s);  /* our own markup */
void html_text(struct html *h, const char *s); /* a host's string, escaped; NULL "-" */
void html_printf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void html_reset(struct html *h);
void html_free(struct html *h);

/* A word from a fixed set as a CSS class suffix: "ready", "not-ready",
 * "unknown", "pass", "warn", "fail", "stored", ... or "other". */
const char *html_word_class(const char *word);

/* The file of a host's page, relative to hosts/: its name when it is a
 * plain lowercase DNS name, else "_" and a hash of it (a name a path or a
 * URL could misread never becomes one). */
void html_host_file(const char *hostname, char out[HTML_FILE_MAX]);

/* Page frame: doctype, CSP (scripts: only ours, by hash; no requests),
 * style, title (escaped), h1; root is "" or "../" for links to the fleet
 * page. */
void html_page_begin(struct html *h, const char *title, const char *root);
void html_page_end(struct html *h); /* our sorting/filtering script */

/* A sortable table of rows, id its element id (ours).  The column named
 * link_col, when not NULL, links to hosts/<file> under root; verdict and
 * status columns are coloured; truth values show as yes / no / -. */
void html_table(struct html *h, const struct db_rows *rows, const char *id, const char *link_col,
                const char *root);

/* The sha256-... source of the CSP for our script (for the tests). */
const char *html_script(void);

#endif
