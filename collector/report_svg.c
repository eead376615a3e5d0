/*
 * report_svg.c - inline SVG for the site: IOMMU groups as boxes packed in
 * columns (the shortest column takes the next box), and a stacked bar per
 * IOMMU vendor.  Pure: no I/O.
 */
#include <string.h>

#include "collector/html.h"
#include "collector/report_filter.h"
#include "collector/report_svg.h"

#define COLS 4
#define BOX_W 330
#define GAP 14
#define HEAD_H 26
#define ROW_H 19
#define LABEL_CPS 34 /* code points of a device's label before "..." */

static const struct {
	const char *cls;
	const char *colour;
} palette[] = {
        {"gpu", "#7b1fa2"}, {"nic", "#1565c0"},    {"storage", "#ef6c00"},
        {"usb", "#00838f"}, {"bridge", "#9e9e9e"}, {"other", "#546e7a"},
};

static const char *
class_colour(const char *cls)
{
	size_t i;

	for (i = 0; i < sizeof(palette) / sizeof(palette[0]); i++)
		if (strcmp(cls, palette[i].cls) == 0)
			return palette[i].colour;
	return "#546e7a";
}

static int
is_bridge(const struct report_svg_device *d)
{
	return strcmp(report_filter_class_of(d->class_code), "bridge") == 0;
}

int
report_svg_group_shared(const struct report_svg_group *g)
{
	size_t i;

	for (i = 0; i < g->ndevs; i++)
		if (!is_bridge(&g->devs[i]) && g->devs[i].isolated == 0)
			return 1;
	return 0;
}

static size_t
box_height(const struct report_svg_group *g)
{
	size_t i, bridges = 0;

	for (i = 0; i < g->ndevs; i++)
		bridges += is_bridge(&g->devs[i]);
	/* bridges apart, under a rule of their own */
	return HEAD_H + (g->ndevs - bridges) * ROW_H + (bridges > 0 ? 8 + bridges * ROW_H : 0) + 8;
}

/* A label cut at LABEL_CPS code points (never inside a UTF-8 sequence). */
static void
label_text(struct html *h, const char *s)
{
	char buf[LABEL_CPS * 4 + 4];
	size_t i, cps = 0;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 4; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++cps > LABEL_CPS)
			break;
		buf[i] = s[i];
	}
	if (s[i] != '\0') {
		while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0xc0)
			i--; /* a lead byte whose sequence was cut */
		memcpy(buf + i, "...", 4);
	} else
		buf[i] = '\0';
	html_text(h, buf);
}

static void
device_row(struct html *h, const struct report_svg_device *d, int x, int y)
{
	const char *cls = report_filter_class_of(d->class_code);

	html_printf(h, "<g class=\"dev dev-%s\"><title>", cls);
	html_text(h, d->address);
	html_raw(h, " ");
	html_text(h, d->name);
	html_printf(h,
	            " (%s)</title><rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
	            cls, x + 8, y + 4, class_colour(cls));
	html_printf(h, "<text x=\"%d\" y=\"%d\">", x + 24, y + 13);
	html_text(h, d->address + (strncmp(d->address, "0000:", 5) == 0 ? 5 : 0));
	html_raw(h, " ");
	label_text(h, d->name != NULL ? d->name : cls);
	html_raw(h, "</text></g>");
}

static void
group_box(struct html *h, const struct report_svg_group *g, int x, int y, size_t height)
{
	int shared = report_svg_group_shared(g), bridges_y;
	size_t i, row = 0;

	html_printf(h,
	            "<g class=\"group%s\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%zu\" "
	            "rx=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%d\"%s/>",
	            shared ? " shared" : "", x, y, BOX_W, height, shared ? "#fdecea" : "#fafafa",
	            shared ? "#c62828" : "#9e9e9e", shared ? 2 : 1,
	            g->id < 0 ? " stroke-dasharray=\"4 3\"" : "");
	html_printf(h, "<text x=\"%d\" y=\"%d\" font-weight=\"600\">", x + 8, y + 17);
	if (g->id < 0)
		html_raw(h, "in no IOMMU group");
	else {
		html_printf(h, "group %ld", g->id);
		if (g->type != NULL) {
			html_raw(h, " (");
			html_text(h, g->type);
			html_raw(h, ")");
		}
	}
	if (shared)
		html_raw(h, " - shared</text>");
	else
		html_raw(h, "</text>");
	for (i = 0; i < g->ndevs; i++)
		if (!is_bridge(&g->devs[i]))
			device_row(h, &g->devs[i], x, y + HEAD_H + (int)(row++ * ROW_H));
	bridges_y = y + HEAD_H + (int)(row * ROW_H) + 4;
	if (row < g->ndevs)
		html_printf(h,
		            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" "
		            "stroke-dasharray=\"3 3\"/>",
		            x + 6, bridges_y, x + BOX_W - 6, bridges_y);
	for (i = 0, row = 0; i < g->ndevs; i++)
		if (is_bridge(&g->devs[i]))
			device_row(h, &g->devs[i], x, bridges_y + 4 + (int)(row++ * ROW_H));
	html_raw(h, "</g>\n");
}

static void
legend(struct html *h, int y)
{
	size_t i;

	for (i = 0; i < sizeof(palette) / sizeof(palette[0]); i++)
		html_printf(h,
		            "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		            "<text x=\"%zu\" y=\"%d\">%s</text>",
		            i * 90, y, palette[i].colour, i * 90 + 14, y + 9, palette[i].cls);
	html_printf(h,
	            "<rect x=\"540\" y=\"%d\" width=\"16\" height=\"10\" fill=\"#fdecea\" "
	            "stroke=\"#c62828\" stroke-width=\"2\"/><text x=\"562\" y=\"%d\">shared with "
	            "foreign devices</text>\n",
	            y, y + 9);
}

void
report_svg_groups(struct html *h, const struct report_svg_group *g, size_t n)
{
	size_t colh[COLS] = {0}, i, c, best, height, total = 0;

	for (i = 0; i < n; i++) {
		for (best = 0, c = 1; c < COLS; c++)
			if (colh[c] < colh[best])
				best = c;
		colh[best] += box_height(&g[i]) + GAP;
	}
	for (c = 0; c < COLS; c++)
		total = colh[c] > total ? colh[c] : total;
	html_printf(h,
	            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"groups\" width=\"%d\" "
	            "height=\"%zu\" font-size=\"12\" font-family=\"system-ui,sans-serif\" "
	            "role=\"img\" aria-label=\"IOMMU groups\">\n",
	            COLS * (BOX_W + GAP), total + 24);
	legend(h, 0);
	memset(colh, 0, sizeof(colh));
	for (i = 0; i < n; i++) {
		for (best = 0, c = 1; c < COLS; c++)
			if (colh[c] < colh[best])
				best = c;
		height = box_height(&g[i]);
		group_box(h, &g[i], (int)(best * (BOX_W + GAP)), (int)colh[best] + 24, height);
		colh[best] += height + GAP;
	}
	html_raw(h, "</svg>\n");
}

void
report_svg_chart(struct html *h, const struct report_svg_bar *bars, size_t n)
{
	static const char *const names[REPORT_SVG_VERDICTS] = {"ready", "not-ready", "unknown",
	                                                       "none"};
	static const char *const colours[REPORT_SVG_VERDICTS] = {"#2e7d32", "#c62828", "#f9a825",
	                                                         "#9e9e9e"};
	unsigned max = 1, sum, x;
	size_t i, v;

	for (i = 0; i < n; i++) {
		for (sum = 0, v = 0; v < REPORT_SVG_VERDICTS; v++)
			sum += bars[i].n[v];
		max = sum > max ? sum : max;
	}
	html_printf(h,
	            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"640\" "
	            "height=\"%zu\" font-size=\"12\" font-family=\"system-ui,sans-serif\" "
	            "role=\"img\" aria-label=\"hosts by IOMMU vendor and verdict\">\n",
	            n * 26 + 30);
	for (v = 0; v < REPORT_SVG_VERDICTS; v++)
		html_printf(h,
		            "<rect x=\"%zu\" y=\"0\" width=\"10\" height=\"10\" fill=\"%s\"/>"
		            "<text x=\"%zu\" y=\"9\">%s</text>",
		            120 + v * 90, colours[v], 134 + v * 90, names[v]);
	for (i = 0; i < n; i++) {
		html_printf(h, "<text x=\"0\" y=\"%zu\">", 38 + i * 26);
		label_text(h, bars[i].label);
		html_raw(h, "</text>");
		for (x = 120, v = 0; v < REPORT_SVG_VERDICTS; v++) {
			unsigned w = bars[i].n[v] * 440 / max;

			if (bars[i].n[v] == 0)
				continue;
			html_printf(
			        h,
			        "<rect x=\"%u\" y=\"%zu\" width=\"%u\" height=\"18\" fill=\"%s\">"
			        "<title>%u %s</title></rect>",
			        x, 24 + i * 26, w > 0 ? w : 1, colours[v], bars[i].n[v], names[v]);
			x += w > 0 ? w : 1;
		}
		html_printf(h, "<text x=\"%u\" y=\"%zu\" class=\"muted\">", x + 6, 38 + i * 26);
		for (sum = 0, v = 0; v < REPORT_SVG_VERDICTS; v++)
			sum += bars[i].n[v];
		html_printf(h, "%u</text>\n", sum);
	}
	html_raw(h, "</svg>\n");
}
