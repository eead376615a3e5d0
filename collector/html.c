/*
 * html.c - the static site's markup: escaping, tables, the page frame and
 * its one inline script, allowed by hash in the Content-Security-Policy so
 * that even a string that escaped escaping could not run.  Pure: no I/O.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/html.h"
#include "collector/output.h"
#include "common/base64.h"
#include "common/sha256.h"

/* Sorting (click a header) and filtering (type in the box above a table):
 * the only script, and the only thing the CSP lets run. */
static const char SCRIPT[] =
        "(function(){\n"
        "function key(c){var t=c.textContent,n=parseFloat(t);"
        "return isNaN(n)||!/^[-0-9.]/.test(t)?t.toLowerCase():n;}\n"
        "function sort(t,i,th){var b=t.tBodies[0],r=Array.prototype.slice.call(b.rows),"
        "up=th.getAttribute('data-dir')!=='up';th.setAttribute('data-dir',up?'up':'down');"
        "r.sort(function(x,y){var a=key(x.cells[i]),c=key(y.cells[i]);"
        "var d=typeof a===typeof c?(a<c?-1:a>c?1:0):(typeof a==='number'?-1:1);"
        "return up?d:-d;});r.forEach(function(x){b.appendChild(x);});}\n"
        "Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){"
        "Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){"
        "th.addEventListener('click',function(){sort(t,i,th);});});});\n"
        "Array.prototype.forEach.call(document.querySelectorAll('input.filter'),function(f){"
        "var t=document.getElementById(f.getAttribute('data-table'));"
        "f.addEventListener('input',function(){var q=f.value.toLowerCase();"
        "Array.prototype.forEach.call(t.tBodies[0].rows,function(r){"
        "r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});});});\n"
        "})();\n";

static const char STYLE[] =
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
        "h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .4em}"
        "table{border-collapse:collapse;margin:.3em 0}"
        "th,td{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left;"
        "vertical-align:top;max-width:40em;overflow-wrap:anywhere}"
        "th{background:#f3f3f3;cursor:pointer;user-select:none;white-space:nowrap}"
        "td.num{text-align:right}pre{margin:0;white-space:pre-wrap;font-size:12px}"
        ".v{font-weight:600;padding:0 .35em;border-radius:3px}"
        ".v-ready,.v-pass,.v-stored,.v-unchanged,.v-duplicate,.v-yes{color:#fff;background:#2e7d32}"
        ".v-not-ready,.v-fail,.v-rejected,.v-failed,.v-no{color:#fff;background:#c62828}"
        ".v-unknown,.v-warn,.v-other,.v-none{color:#222;background:#f9a825}"
        ".counts{display:flex;gap:1em;flex-wrap:wrap}"
        ".count{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;min-width:7em}"
        ".count b{display:block;font-size:2em}.muted{color:#777}"
        "input.filter{margin:.2em 0;padding:.2em .4em;width:20em}"
        "nav a{margin-right:1em}";

/* Classes for words from a fixed set only: a host's word never becomes
 * markup, even escaped. */
static const char *const words[] = {
        "ready",     "not-ready", "unknown", "pass", "warn", "fail", "stored", "unchanged",
        "duplicate", "rejected",  "failed",  "yes",  "no",   "none", NULL,
};

static char script_csp[64];

void
html_raw(struct html *h, const char *s)
{
	if (!h->failed && growbuf_append(&h->b, s, strlen(s)) == -1)
		h->failed = 1;
}

void
html_text(struct html *h, const char *s)
{
	const char *p, *rep;
	char *e;

	if (s == NULL) {
		html_raw(h, "-");
		return;
	}
	if ((e = output_escape(s)) == NULL) {
		h->failed = 1;
		return;
	}
	for (p = e; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			if (!h->failed && growbuf_append(&h->b, p, 1) == -1)
				h->failed = 1;
			continue;
		}
		html_raw(h, rep);
	}
	free(e);
}

void
html_printf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!h->failed && growbuf_vappendf(&h->b, fmt, ap) == -1)
		h->failed = 1;
	va_end(ap);
}

void
html_reset(struct html *h)
{
	h->b.len = 0;
	if (h->b.data != NULL)
		h->b.data[0] = '\0';
}

void
html_free(struct html *h)
{
	free(h->b.data);
	memset(h, 0, sizeof(*h));
}

const char *
html_word_class(const char *word)
{
	size_t i;

	for (i = 0; word != NULL && words[i] != NULL; i++)
		if (strcmp(word, words[i]) == 0)
			return words[i];
	return "other";
}

void
html_host_file(const char *hostname, char out[HTML_FILE_MAX])
{
	char hex[SHA256_HEX_LEN];
	size_t n = strlen(hostname), i;
	int plain = n > 0 && n <= 80 && hostname[0] != '.' && hostname[0] != '-';

	for (i = 0; plain && i < n; i++)
		plain = (hostname[i] >= 'a' && hostname[i] <= 'z') ||
		        (hostname[i] >= '0' && hostname[i] <= '9') || hostname[i] == '-' ||
		        (hostname[i] == '.' && hostname[i + 1] != '.');
	if (plain) {
		snprintf(out, HTML_FILE_MAX, "%s.html", hostname);
		return;
	}
	sha256_hex(hostname, n, hex);
	snprintf(out, HTML_FILE_MAX, "_%.24s.html", hex);
}

const char *
html_script(void)
{
	unsigned char d[SHA256_LEN];
	struct sha256 c;

	if (script_csp[0] == '\0') {
		sha256_init(&c);
		sha256_update(&c, SCRIPT, strlen(SCRIPT));
		sha256_final(&c, d);
		memcpy(script_csp, "sha256-", 7);
		(void)base64_encode(d, sizeof(d), script_csp + 7, sizeof(script_csp) - 7);
	}
	return script_csp;
}

void
html_page_begin(struct html *h, const char *title, const char *root)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	/* no request leaves the page: no fonts, images, frames or fetches */
	html_printf(h,
	            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
	            " script-src '%s'; style-src 'unsafe-inline'; img-src data:;"
	            " base-uri 'none'; form-action 'none'\">\n",
	            html_script());
	html_raw(h, "<title>");
	html_text(h, title);
	html_raw(h, "</title>\n<style>");
	html_raw(h, STYLE);
	html_raw(h, "</style>\n</head>\n<body>\n<nav><a href=\"");
	html_raw(h, root);
	html_raw(h, "index.html\">fleet</a></nav>\n");
}

void
html_page_end(struct html *h)
{
	html_raw(h, "<script>");
	html_raw(h, SCRIPT);
	html_raw(h, "</script>\n</body>\n</html>\n");
}

static int
col_coloured(const char *name)
{
	return strcmp(name, "verdict") == 0 || strcmp(name, "status") == 0 ||
	       strcmp(name, "last_attempt_status") == 0 || strcmp(name, "last_attempt") == 0;
}

static void
html_cell(struct html *h, const struct db_rows *rows, size_t r, size_t c, int link,
          const char *root)
{
	const struct db_cell *cell = &rows->cells[r * rows->ncols + c];
	const char *text = output_table_text(rows, r, c);
	char file[HTML_FILE_MAX];

	html_raw(h,
	         cell->type == DB_INTEGER || cell->type == DB_REAL ? "<td class=\"num\">" : "<td>");
	if (link && cell->type != DB_NULL) {
		html_host_file(cell->text, file);
		html_printf(h, "<a href=\"%shosts/%s\">", root, file);
		html_text(h, text);
		html_raw(h, "</a>");
	} else if (col_coloured(rows->names[c]) && cell->type != DB_NULL) {
		html_printf(h, "<span class=\"v v-%s\">", html_word_class(text));
		html_text(h, text);
		html_raw(h, "</span>");
	} else if (cell->type == DB_TEXT && strchr(cell->text, '\n') != NULL) {
		html_raw(h, "<pre>");
		html_text(h, text);
		html_raw(h, "</pre>");
	} else
		html_text(h, text);
	html_raw(h, "</td>");
}

void
html_table(struct html *h, const struct db_rows *rows, const char *id, const char *link_col,
           const char *root)
{
	size_t r, c;

	if (rows->nrows == 0) {
		html_raw(h, "<p class=\"muted\">none</p>\n");
		return;
	}
	if (rows->nrows > 10)
		html_printf(h,
		            "<input class=\"filter\" data-table=\"%s\" placeholder=\"filter %zu "
		            "rows\" aria-label=\"filter\">\n",
		            id, rows->nrows);
	html_printf(h, "<table class=\"sortable\" id=\"%s\">\n<thead><tr>", id);
	for (c = 0; c < rows->ncols; c++) {
		html_raw(h, "<th>");
		html_text(h, rows->names[c]);
		html_raw(h, "</th>");
	}
	html_raw(h, "</tr></thead>\n<tbody>\n");
	for (r = 0; r < rows->nrows; r++) {
		html_raw(h, "<tr>");
		for (c = 0; c < rows->ncols; c++)
			html_cell(h, rows, r, c,
			          link_col != NULL && strcmp(rows->names[c], link_col) == 0, root);
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
}
