/*
 * test_html.c - the site's markup and the metrics text on hostile input:
 * every host string escaped in text and attributes, host page names that no
 * path or URL can misread, the groups picture (shared groups, bridges
 * apart, labels cut on a character), the CSP hash of our one script, and
 * Prometheus label escaping and counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/html.h"
#include "collector/metrics.h"
#include "collector/report_svg.h"

static const char EVIL[] = "<script>alert(\"x\")</script>'&\x1b[31m\xe2\x80\xae\xff";

static void
test_text(void **state)
{
	struct html h = {0};

	(void)state;
	html_text(&h, EVIL);
	assert_false(h.failed);
	assert_string_equal(h.b.data, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;"
	                              "\\x1b[31m\\xe2\\x80\\xae\\xff");
	html_reset(&h);
	html_text(&h, NULL);
	assert_string_equal(h.b.data, "-");
	html_free(&h);
}

static void
test_host_file(void **state)
{
	char f[HTML_FILE_MAX];

	(void)state;
	html_host_file("web1.example.org", f);
	assert_string_equal(f, "web1.example.org.html");
	/* anything else: a hash, the same each time */
	html_host_file("../../etc/passwd", f);
	assert_int_equal(f[0], '_');
	assert_null(strchr(f, '/'));
	html_host_file("Web1", f);
	assert_int_equal(f[0], '_');
	html_host_file("a..b", f);
	assert_int_equal(f[0], '_');
	html_host_file(EVIL, f);
	assert_int_equal(strlen(f), 1 + 24 + 5);
	assert_string_equal(f + 25, ".html");
}

static void
test_word_class(void **state)
{
	(void)state;
	assert_string_equal(html_word_class("not-ready"), "not-ready");
	assert_string_equal(html_word_class("pass"), "pass");
	assert_string_equal(html_word_class("x\" onclick=\"y"), "other");
	assert_string_equal(html_word_class(NULL), "other");
}

static void
test_table(void **state)
{
	char *names[] = {"hostname", "isolated", "verdict"};
	struct db_cell cells[] = {
	        {DB_TEXT, (char *)EVIL}, {DB_INTEGER, "0"}, {DB_TEXT, "\" onmouseover=\"x"},
	        {DB_TEXT, "web1"},       {DB_NULL, NULL},   {DB_TEXT, "ready"},
	};
	struct db_rows rows = {3, 2, names, cells};
	struct html h = {0};

	(void)state;
	html_table(&h, &rows, "hosts", "hostname", "");
	assert_false(h.failed);
	assert_null(strstr(h.b.data, "<script>"));
	assert_null(strstr(h.b.data, "\" onmouseover"));
	assert_non_null(strstr(h.b.data, "<a href=\"hosts/web1.html\">web1</a>"));
	assert_non_null(strstr(h.b.data, "<span class=\"v v-ready\">ready</span>"));
	assert_non_null(strstr(h.b.data, "<span class=\"v v-other\">&quot; onmouseover"));
	assert_non_null(strstr(h.b.data, "<td class=\"num\">no</td>"));
	assert_non_null(strstr(h.b.data, "<td>-</td>"));
	html_free(&h);
}

static void
test_page(void **state)
{
	struct html h = {0};
	char csp[80];

	(void)state;
	html_page_begin(&h, EVIL, "../");
	html_page_end(&h);
	assert_false(h.failed);
	assert_int_equal(strncmp(html_script(), "sha256-", 7), 0);
	assert_int_equal(strlen(html_script()), 7 + 44);
	snprintf(csp, sizeof(csp), "script-src '%s'", html_script());
	assert_non_null(strstr(h.b.data, csp));
	assert_non_null(strstr(h.b.data, "default-src 'none'"));
	assert_non_null(strstr(h.b.data, "<title>&lt;script&gt;"));
	/* one script element: ours, at the end */
	assert_non_null(strstr(h.b.data, "<script>"));
	assert_null(strstr(strstr(h.b.data, "<script>") + 1, "<script"));
	html_free(&h);
}

static void
test_svg(void **state)
{
	struct report_svg_device devs[] = {
	        {"0000:01:00.0", "GPU", 0x030000, 0},
	        {"0000:01:00.1", "its audio", 0x040300, 0},
	        {"0000:00:01.0", "root port", 0x060400, 1},
	        {"0000:02:00.0",
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	         0x020000, 1},
	        {"0000:03:00.0", "</text><script>x</script>", 0x010802, 1},
	};
	struct report_svg_group g[] = {
	        {1, "DMA", devs, 3}, {2, "DMA", devs + 3, 1}, {-1, NULL, devs + 4, 1}};
	struct html h = {0};

	(void)state;
	assert_true(report_svg_group_shared(&g[0]));
	assert_false(report_svg_group_shared(&g[1]));
	report_svg_groups(&h, g, 3);
	assert_false(h.failed);
	assert_non_null(strstr(h.b.data, "group 1 (DMA) - shared"));
	assert_non_null(strstr(h.b.data, "in no IOMMU group"));
	assert_non_null(strstr(h.b.data, "&lt;/text&gt;&lt;script&gt;"));
	assert_null(strstr(h.b.data, "<script>"));
	/* the bridge under the rule, after the endpoints */
	assert_true(strstr(h.b.data, "root port") > strstr(h.b.data, "its audio"));
	assert_non_null(strstr(h.b.data, "stroke-dasharray=\"3 3\""));
	/* 34 code points, then "..." */
	assert_non_null(strstr(h.b.data, "\xc3\xa9\xc3\xa9..."));
	html_free(&h);
}

static void
test_metrics(void **state)
{
	struct growbuf b = {0};
	struct metrics *m;

	(void)state;
	assert_int_equal(metrics_label(&b, "a\"b\\c\nd"), 0);
	assert_string_equal(b.data, "a\\\"b\\\\\\\\c\\\\nd");
	b.len = 0;
	m = metrics_new();
	assert_non_null(m);
	metrics_request(m, "/v1/reports", "stored", 0.003);
	metrics_request(m, "/v1/reports", "invalid", 0.2);
	metrics_request(m, "/v1/reports", "something-new", 20);
	metrics_request(m, "/nope/../x", "not-found", 0.001);
	assert_int_equal(metrics_format(m, &b), 0);
	assert_non_null(strstr(b.data, "iommu_collector_reports_received_total 3\n"));
	assert_non_null(
	        strstr(b.data, "iommu_collector_reports_stored_total{status=\"stored\"} 1\n"));
	assert_non_null(strstr(b.data, "reports_rejected_total{reason=\"invalid\"} 1\n"));
	assert_non_null(strstr(b.data, "reports_rejected_total{reason=\"other\"} 1\n"));
	assert_non_null(strstr(b.data, "_bucket{path=\"/v1/reports\",le=\"0.005\"} 1\n"));
	assert_non_null(strstr(b.data, "_bucket{path=\"/v1/reports\",le=\"0.25\"} 2\n"));
	assert_non_null(strstr(b.data, "_bucket{path=\"/v1/reports\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(b.data, "_count{path=\"other\"} 1\n"));
	assert_null(strstr(b.data, "/nope"));
	metrics_free(m);
	metrics_free(NULL);
	free(b.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_text),       cmocka_unit_test(test_host_file),
	        cmocka_unit_test(test_word_class), cmocka_unit_test(test_table),
	        cmocka_unit_test(test_page),       cmocka_unit_test(test_svg),
	        cmocka_unit_test(test_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
