/*
 * klog_line.c - recognise one kernel log line of any supported format and
 * strip its decoration (timestamps, level, syslog host and tag).  Pure: no I/O.
 * Every check looks at a bounded prefix of the line; lines may hold any bytes.
 */
#include <string.h>

#include "agent/klog.h"

#define KLOG_HEAD_MAX 256 /* how far a decoration may reach into a line */

static int
klog_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static int
klog_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
klog_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Parse "digits[.digits]" at p; *secs gets the value.  Returns the number of
 * bytes used, 0 when there is no number. */
static size_t
klog_parse_secs(const char *p, size_t n, double *secs)
{
	/* a multiplication: a division was the dearest step of a line (the
	 * last bit may differ; reports print 15 significant digits) */
	static const double inv[] = {1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9};
	unsigned long long ip = 0, fp = 0;
	size_t i = 0, nint = 0, nfrac = 0;

	/* integers, one scaling at the end: every line of a long log has a
	 * time, and a division per digit was most of the cost of a line */
	while (i < n && klog_isdigit((unsigned char)p[i]) && nint < 12) {
		ip = ip * 10 + (unsigned)(p[i] - '0');
		i++;
		nint++;
	}
	if (nint == 0)
		return 0;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && klog_isdigit((unsigned char)p[i]) && i < 32) {
			if (nfrac < 9) {
				fp = fp * 10 + (unsigned)(p[i] - '0');
				nfrac++;
			}
			i++;
		}
	}
	*secs = (double)ip + (double)fp * inv[nfrac];
	return i;
}

/* "[    0.785796]": returns bytes used (through ']'), 0 if not one. */
static size_t
klog_parse_mono(const char *p, size_t n, double *secs)
{
	size_t i = 1, k;

	if (n < 3 || p[0] != '[')
		return 0;
	while (i < n && i < 16 && p[i] == ' ')
		i++;
	k = klog_parse_secs(p + i, n - i, secs);
	if (k == 0)
		return 0;
	i += k;
	if (i >= n || p[i] != ']')
		return 0;
	return i + 1;
}

/* "[ T2930]" / "[    C0]" right after the stamp: the caller (thread or
 * CPU) a CONFIG_PRINTK_CALLER kernel prints (kernel/printk/printk.c
 * info_print_prefix); bytes used, 0 if not one. */
static size_t
klog_parse_caller(const char *p, size_t n)
{
	size_t i = 1, digits = 0;

	if (n < 4 || p[0] != '[')
		return 0;
	while (i < n && i < 12 && p[i] == ' ')
		i++;
	if (i >= n || (p[i] != 'T' && p[i] != 'C'))
		return 0;
	for (i++; i < n && klog_isdigit((unsigned char)p[i]) && digits < 10; i++)
		digits++;
	return digits > 0 && i < n && p[i] == ']' ? i + 1 : 0;
}

/* "[Mon Nov 23 21:34:24 2026]" (dmesg -T): bytes used, 0 if not one. */
static size_t
klog_parse_ctime(const char *p, size_t n)
{
	size_t i, colons = 0;

	if (n < 20 || p[0] != '[' || !klog_isalpha((unsigned char)p[1]) ||
	    !klog_isalpha((unsigned char)p[2]) || !klog_isalpha((unsigned char)p[3]) ||
	    p[4] != ' ' || !klog_isalpha((unsigned char)p[5]))
		return 0;
	for (i = 5; i < n && i < 40; i++) {
		if (p[i] == ']')
			return colons >= 2 ? i + 1 : 0;
		if (p[i] == ':')
			colons++;
		else if (p[i] != ' ' && !klog_isdigit((unsigned char)p[i]) &&
		         !klog_isalpha((unsigned char)p[i]))
			return 0;
	}
	return 0;
}

/* Does p hold the digit pattern: 'd' a digit, anything else itself. */
static int
klog_match_shape(const char *p, size_t n, const char *shape)
{
	size_t i;

	for (i = 0; shape[i] != '\0'; i++) {
		if (i >= n)
			return 0;
		if (shape[i] == 'd') {
			if (!klog_isdigit((unsigned char)p[i]))
				return 0;
		} else if (p[i] != shape[i])
			return 0;
	}
	return 1;
}

/* "2026-11-23T21:34:24[.,frac][Z|+hh[:]mm]": bytes used, 0 if not one. */
static size_t
klog_parse_iso(const char *p, size_t n)
{
	size_t i = 19;

	if (!klog_match_shape(p, n, "dddd-dd-ddTdd:dd:dd"))
		return 0;
	if (i < n && (p[i] == '.' || p[i] == ',')) {
		i++;
		while (i < n && i < 32 && klog_isdigit((unsigned char)p[i]))
			i++;
	}
	if (i < n && p[i] == 'Z')
		i++;
	else if (i < n && (p[i] == '+' || p[i] == '-')) {
		i++;
		if (klog_match_shape(p + i, n - i, "dd:dd"))
			i += 5;
		else if (klog_match_shape(p + i, n - i, "dddd"))
			i += 4;
		else
			return 0;
	}
	return i;
}

/* "Nov 23 21:34:24[.frac]" (syslog, journalctl short): bytes used or 0. */
static size_t
klog_parse_syslog_date(const char *p, size_t n)
{
	size_t i = 4;

	if (n < 15 || !klog_isalpha((unsigned char)p[0]) || !klog_isalpha((unsigned char)p[1]) ||
	    !klog_isalpha((unsigned char)p[2]) || p[3] != ' ')
		return 0;
	if (p[i] == ' ')
		i++;
	while (i < n && i < 7 && klog_isdigit((unsigned char)p[i]))
		i++;
	if (i < n && p[i] == ' ')
		i++;
	if (!klog_match_shape(p + i, n - i, "dd:dd:dd"))
		return 0;
	i += 8;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && i < 32 && klog_isdigit((unsigned char)p[i]))
			i++;
	}
	return i;
}

static int
klog_ishostchar(int c)
{
	return klog_isalpha(c) || klog_isdigit(c) || c == '.' || c == '-' || c == '_';
}

/* "host tag[pid]: " at p (after a timestamp and its space).  With any_tag
 * zero only the tag "kernel" (or a tag with a [pid]) is accepted, so that a
 * kernel message such as "usb 3-2: new device" is not taken for one.
 * *is_kernel tells whether the tag is the kernel's: a line of any other
 * program (`logger -p kern.err` writes such lines into kern.log) is not a
 * kernel message, whatever it says.  Returns the bytes used through ": ",
 * 0 if not one. */
static size_t
klog_parse_host_tag(const char *p, size_t n, int any_tag, int *is_kernel)
{
	size_t i = 0, tag;
	int pid = 0;

	if (n > KLOG_HEAD_MAX)
		n = KLOG_HEAD_MAX;
	while (i < n && klog_ishostchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ' ')
		return 0;
	tag = ++i;
	while (i < n && (klog_ishostchar((unsigned char)p[i]) || p[i] == '/'))
		i++;
	if (i == tag)
		return 0;
	if (i < n && p[i] == '[') {
		i++;
		while (i < n && klog_isdigit((unsigned char)p[i]))
			i++;
		if (i >= n || p[i] != ']')
			return 0;
		i++;
		pid = 1;
	}
	if (i + 1 >= n || p[i] != ':' || p[i + 1] != ' ')
		return 0;
	*is_kernel = !pid && i - tag == 6 && memcmp(p + tag, "kernel", 6) == 0;
	if (!any_tag && !pid && !*is_kernel)
		return 0;
	return i + 2;
}

static void
klog_set_text(struct klog_line *out, const char *p, size_t n)
{
	while (n > 0 && klog_isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && klog_isspace((unsigned char)p[n - 1]))
		n--;
	out->text = p;
	out->text_len = n;
}

/* After a journal/syslog header the message may still carry the kernel's own
 * "[    0.785796] " stamp (rsyslog kern.log): take the time from it. */
static void
klog_inner_stamp(struct klog_line *out, const char *p, size_t n)
{
	double secs;
	size_t k;

	k = klog_parse_mono(p, n, &secs);
	if (k > 0) {
		out->time = secs;
		p += k;
		n -= k;
		k = klog_parse_caller(p, n);
		p += k;
		n -= k;
	}
	klog_set_text(out, p, n);
}

/* "6,339,785796,-;text" and "6,339,785796,-,caller=T1;text". */
static int
klog_parse_kmsg(const char *p, size_t n, struct klog_line *out)
{
	long long v[3] = {0, 0, 0};
	size_t i = 0, f, digits;

	for (f = 0; f < 3; f++) {
		for (digits = 0; i < n && klog_isdigit((unsigned char)p[i]) && digits < 18;
		     digits++, i++)
			v[f] = v[f] * 10 + (p[i] - '0');
		if (digits == 0 || i >= n || p[i] != ',')
			return 0;
		i++;
	}
	if (i >= n || (p[i] != '-' && p[i] != 'c' && p[i] != '+'))
		return 0;
	for (i++; i < n && i < KLOG_HEAD_MAX && p[i] != ';'; i++)
		if (p[i] != ',' && p[i] != '=' && p[i] != '_' &&
		    !klog_ishostchar((unsigned char)p[i]))
			return 0;
	if (i >= n || p[i] != ';')
		return 0;
	out->format = KLOG_KMSG;
	out->level = (int)(v[0] & 7);
	out->seq = v[1];
	out->time = (double)v[2] / 1e6;
	klog_set_text(out, p + i + 1, n - i - 1);
	return 1;
}

/* " SUBSYSTEM=pci", " DEVICE=+pci:0000:00:02.0": one space, KEY=. */
static int
klog_is_kmsg_cont(const char *p, size_t n)
{
	size_t i = 1;

	if (n < 3 || p[0] != ' ')
		return 0;
	while (i < n && i < 64 &&
	       ((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '_' || klog_isdigit((unsigned char)p[i])))
		i++;
	return i > 1 && i < n && p[i] == '=';
}

/* Shell prompts ("user@host:~$ dmesg", "[u@h ~]# ...", "$ dmesg"), the sudo
 * password prompt and code fences pasted among the lines. */
static int
klog_is_noise(const char *p, size_t n)
{
	size_t i, lim = n < 128 ? n : 128;
	int at = 0;

	if (n == 0)
		return 1;
	if (n >= 20 && memcmp(p, "[sudo] password for ", 20) == 0)
		return 1;
	if (n >= 2 && (p[0] == '$' || p[0] == '#') && p[1] == ' ')
		return 1;
	if (n >= 3 && (memcmp(p, "```", 3) == 0 || memcmp(p, "~~~", 3) == 0))
		return 1;
	for (i = (p[0] == '[') ? 1 : 0; i < lim; i++) {
		if (p[i] == '@' && i > 0)
			at = 1;
		else if ((p[i] == '$' || p[i] == '#') && at && (i + 1 == n || p[i + 1] == ' '))
			return 1;
		else if (p[i] == ' ' && !(at && i + 1 < n && p[i + 1] == '~'))
			return 0;
	}
	return 0;
}

/* "kern  :info  : " (dmesg -x): bytes used and *level, 0 if not one. */
static size_t
klog_parse_decode(const char *p, size_t n, int *level)
{
	static const char *const names[] = {"emerg", "alert",  "crit", "err",
	                                    "warn",  "notice", "info", "debug"};
	size_t i = 0, lv, w;

	while (i < n && i < 10 &&
	       ((p[i] >= 'a' && p[i] <= 'z') || klog_isdigit((unsigned char)p[i])))
		i++;
	if (i == 0)
		return 0;
	while (i < n && i < 16 && p[i] == ' ')
		i++;
	if (i >= n || p[i] != ':')
		return 0;
	lv = ++i;
	while (i < n && i < 24 && p[i] >= 'a' && p[i] <= 'z')
		i++;
	w = i - lv;
	while (i < n && i < 32 && p[i] == ' ')
		i++;
	if (i + 1 >= n || p[i] != ':' || p[i + 1] != ' ')
		return 0;
	for (*level = 0; *level < 8; (*level)++)
		if (strlen(names[*level]) == w && memcmp(p + lv, names[*level], w) == 0)
			return i + 2;
	return 0;
}

/* "kern  :info  : " decoded facility and level (dmesg -x).  *p and *n move
 * past it; out->text is the rest, trimmed. */
static void
klog_take_decode(struct klog_line *out, const char **p, size_t *n)
{
	size_t k;

	k = klog_parse_decode(*p, *n, &out->level);
	if (k == 0) {
		out->level = -1;
		return;
	}
	out->format = KLOG_DMESG;
	*p += k;
	*n -= k;
	klog_set_text(out, *p, *n);
}

/* "<6>" printk level prefix, then usually a dmesg stamp.  *p and *n move
 * past it; out->text is the rest, trimmed. */
static void
klog_take_printk_level(struct klog_line *out, const char **p, size_t *n)
{
	const char *s = *p;
	size_t k;
	int lv = 0;

	if (*n < 3 || s[0] != '<' || !klog_isdigit((unsigned char)s[1]))
		return;
	for (k = 1; k < *n && k < 5 && klog_isdigit((unsigned char)s[k]); k++)
		lv = lv * 10 + (s[k] - '0');
	if (k >= *n || s[k] != '>')
		return;
	out->level = lv & 7;
	out->format = KLOG_DMESG;
	*p += k + 1;
	*n -= k + 1;
	klog_set_text(out, *p, *n);
}

/* "[    0.785796] text" (dmesg), maybe with "host tag: " or "kernel: "
 * after the stamp (journalctl -o short-monotonic). */
static int
klog_take_mono(const char *p, size_t n, struct klog_line *out)
{
	double secs;
	size_t k;
	int is_kernel = 0;

	k = klog_parse_mono(p, n, &secs);
	if (k == 0)
		return 0;
	out->format = KLOG_DMESG;
	out->time = secs;
	p += k;
	n -= k;
	k = klog_parse_caller(p, n);
	p += k;
	n -= k;
	if (n > 0 && p[0] == ' ') {
		k = klog_parse_host_tag(p + 1, n - 1, 0, &is_kernel);
		if (k == 0 && n >= 9 && memcmp(p + 1, "kernel: ", 8) == 0) {
			k = 8;
			is_kernel = 1;
		}
		if (k > 0) {
			out->format = is_kernel ? KLOG_JOURNAL : KLOG_USERSPACE;
			p += 1 + k;
			n -= 1 + k;
		}
	}
	klog_set_text(out, p, n);
	return 1;
}

/* "[Mon Nov 23 21:34:24 2026] text" (dmesg -T). */
static int
klog_take_ctime(const char *p, size_t n, struct klog_line *out)
{
	size_t k;

	k = klog_parse_ctime(p, n);
	if (k == 0)
		return 0;
	out->format = KLOG_DMESG_CTIME;
	klog_set_text(out, p + k, n - k);
	return 1;
}

/* An ISO 8601 stamp and a space, then "host tag: " or the text itself. */
static int
klog_take_iso(const char *p, size_t n, struct klog_line *out)
{
	size_t k, t;
	int is_kernel = 0;

	k = klog_parse_iso(p, n);
	if (k == 0 || k >= n || p[k] != ' ')
		return 0;
	t = klog_parse_host_tag(p + k + 1, n - k - 1, 0, &is_kernel);
	if (t > 0) {
		out->format = is_kernel ? KLOG_JOURNAL : KLOG_USERSPACE;
		klog_inner_stamp(out, p + k + 1 + t, n - k - 1 - t);
	} else {
		out->format = KLOG_DMESG_CTIME;
		klog_set_text(out, p + k, n - k);
	}
	return 1;
}

/* "Nov 23 21:34:24 host tag[pid]: text" (syslog, journalctl short); without
 * the host and tag the line is not one. */
static int
klog_take_syslog(const char *p, size_t n, struct klog_line *out)
{
	size_t k, t;
	int is_kernel = 0;

	k = klog_parse_syslog_date(p, n);
	if (k == 0 || k >= n || p[k] != ' ')
		return 0;
	t = klog_parse_host_tag(p + k + 1, n - k - 1, 1, &is_kernel);
	if (t == 0)
		return 0;
	out->format = is_kernel ? KLOG_JOURNAL : KLOG_USERSPACE;
	klog_inner_stamp(out, p + k + 1 + t, n - k - 1 - t);
	return 1;
}

/* "kernel: [   13.134460] text": a syslog line with date and host cut */
static int
klog_take_kernel_tag(const char *p, size_t n, struct klog_line *out)
{
	if (n < 8 || memcmp(p, "kernel: ", 8) != 0)
		return 0;
	out->format = KLOG_JOURNAL;
	klog_inner_stamp(out, p + 8, n - 8);
	return 1;
}

/* "localhost login: " before a stamp: a serial console's getty prompt
 * that the kernel's next message was printed after (agetty prints
 * "HOST login: " and waits).  Bytes to pass over, 0 if not one. */
static size_t
klog_login_prompt(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && i < 64 && klog_ishostchar((unsigned char)p[i]))
		i++;
	if (i == 0 || n - i < 9 || memcmp(p + i, " login: [", 9) != 0)
		return 0;
	return i + 8;
}

/* The decorations after any level prefix, tried in order: each takes the
 * line (1) or leaves out as it was (0).  A line none takes keeps its text. */
static int (*const klog_formats[])(const char *, size_t, struct klog_line *) = {
        klog_take_mono, klog_take_ctime, klog_take_iso, klog_take_syslog, klog_take_kernel_tag,
};

int
klog_line_unremarkable(const char *line, size_t len, int seq_known)
{
	struct klog_line l;
	size_t i = 1, digits = 0;

	/* a dmesg stamp's start, "[    5.": no prompt ("[0admin@box ~]$" is
	 * one), no kmsg record; the time itself is not needed */
	if (len > 3 && line[0] == '[') {
		while (i < len && i < 16 && line[i] == ' ')
			i++;
		for (; i < len && digits < 12 && klog_isdigit((unsigned char)line[i]); i++)
			digits++;
		if (digits > 0 && i < len && line[i] == '.')
			return 1;
	}
	klog_set_text(&l, line, len);
	if (l.text_len == 0 || klog_is_noise(l.text, l.text_len))
		return 0;
	return seq_known || !klog_isdigit((unsigned char)l.text[0]);
}

void
klog_line_parse(const char *line, size_t len, struct klog_line *out)
{
	const char *p = line;
	size_t n = len, i;

	out->format = KLOG_BARE;
	out->time = -1;
	out->level = -1;
	out->seq = -1;
	out->text = line;
	out->text_len = len;
	if (line == NULL) {
		out->format = KLOG_NOISE;
		out->text = "";
		out->text_len = 0;
		return;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (klog_is_kmsg_cont(p, n)) {
		out->format = KLOG_KMSG_CONT;
		klog_set_text(out, p, n);
		return;
	}
	klog_set_text(out, p, n);
	p = out->text;
	n = out->text_len;
	if (klog_is_noise(p, n)) {
		out->format = KLOG_NOISE;
		return;
	}
	if (klog_isdigit((unsigned char)p[0]) && klog_parse_kmsg(p, n, out))
		return;
	i = klog_login_prompt(p, n);
	p += i;
	n -= i;
	klog_take_decode(out, &p, &n);
	klog_take_printk_level(out, &p, &n);
	for (i = 0; i < sizeof(klog_formats) / sizeof(klog_formats[0]); i++) {
		if (klog_formats[i](p, n, out))
			return;
	}
}
