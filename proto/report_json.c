/*
 * report_json.c - struct report <-> JSON with jansson: the encoder, and the
 * decoder that validates untrusted input against the limits.  Pure: no I/O.
 *
 * Ownership, in jansson's terms: every json_t a static function here returns
 * is a new reference owned by the caller; json_object_set_new() and
 * json_array_append_new() steal the value they are given, even when they fail
 * (and fail cleanly on a NULL value), so a half-built tree is released by one
 * json_decref() of its root.  json_object_get() / json_array_get() results are
 * borrowed from their parent and never decref'd.
 */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/pci_addr.h"
#include "proto/report_json.h"
#include "proto/report_lazy.h"
#include "proto/report_path.h"
#include "proto/stamp.h"
#include "proto/hostname.h"
#include "common/utf8.h"

#define PATH_MAX_LEN REPORT_PATH_MAX

/* ---------------------------------------------------------------- text */

/* C0 controls but tab, DEL, and C1 controls: a terminal may act on them. */
static int
is_control(uint32_t cp)
{
	return utf8_is_control(cp) && cp != '\t';
}

/*
 * A new NUL-terminated copy of s[0..len) that is valid UTF-8: a byte that
 * starts no well-formed sequence becomes U+FFFD, control characters are
 * dropped, and the copy ends at REPORT_MAX_STRING bytes on a character
 * boundary so an encoded report always decodes.  NULL on allocation failure.
 */
static char *
text_clean(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, n, cap;
	uint32_t cp;
	char *out;

	cap = len > REPORT_MAX_STRING / 3 ? REPORT_MAX_STRING : len * 3;
	out = malloc(cap + 1);
	if (out == NULL)
		return NULL;
	while (i < len) {
		n = utf8_seq(p + i, len - i, &cp);
		if (n == 0) {
			if (o + 3 > cap)
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		if (!is_control(cp)) {
			if (o + n > cap)
				break;
			memcpy(out + o, p + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

/* -------------------------------------------------------------- encode */

/* Set by any failed allocation while building; checked once at the end. */
struct enc {
	int failed;
	int flags; /* REPORT_JSON_* */
};

/* Steals v (a new reference, or NULL after a failed allocation). */
static void
put(struct enc *e, json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, v) == -1)
		e->failed = 1;
}

/* A key added later in version 1 (FORMAT.md, note 1): a decoder takes it
 * absent as unknown, so REPORT_JSON_OMIT_UNKNOWN leaves it out when null
 * and nothing is lost.  Steals v. */
static void
put_later(struct enc *e, json_t *obj, const char *key, json_t *v)
{
	if ((e->flags & REPORT_JSON_OMIT_UNKNOWN) && json_is_null(v)) {
		json_decref(v);
		return;
	}
	put(e, obj, key, v);
}

/* Steals v. */
static void
push(struct enc *e, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) == -1)
		e->failed = 1;
}

/* New reference: the cleaned string, or null for NULL. */
static json_t *
enc_strn(const char *s, size_t len)
{
	json_t *v;
	size_t n;
	char *c;

	c = text_clean(s, len, &n);
	if (c == NULL)
		return NULL;
	/* text_clean made it valid UTF-8 without NUL: no second check */
	v = json_stringn_nocheck(c, n);
	free(c);
	return v;
}

static json_t *
enc_str(const char *s)
{
	if (s == NULL)
		return json_null();
	return enc_strn(s, strlen(s));
}

/* A fixed char array: empty (or unset) is unknown. */
static json_t *
enc_fixed(const char *buf, size_t size)
{
	size_t n = strnlen(buf, size);

	if (n == 0)
		return json_null();
	return enc_strn(buf, n);
}

/* PCI addresses are lowercase, as sysfs prints them, so a decoder that
 * lowercases sees the same text. */
static json_t *
enc_address(const char *addr)
{
	char buf[REPORT_ADDR_MAX];
	size_t i, n = strnlen(addr, sizeof(buf));

	if (n == 0 || n >= sizeof(buf))
		return n == 0 ? json_null() : enc_strn(addr, n);
	for (i = 0; i < n; i++)
		buf[i] = (addr[i] >= 'A' && addr[i] <= 'F') ? addr[i] - 'A' + 'a' : addr[i];
	buf[n] = '\0';
	return enc_strn(buf, n);
}

static json_t *
enc_tri(enum tristate t)
{
	if (t == TRI_TRUE)
		return json_true();
	if (t == TRI_FALSE)
		return json_false();
	return json_null();
}

/* "10de" / "030000": digits lowercase hex digits, null outside 0..max. */
static json_t *
enc_hex(long v, int digits, long max)
{
	char buf[16];

	if (v < 0 || v > max)
		return json_null();
	snprintf(buf, sizeof(buf), "%0*lx", digits, (unsigned long)v);
	return json_string(buf);
}

static json_t *
enc_count(unsigned long v)
{
	if (v > (unsigned long)LONG_MAX)
		v = (unsigned long)LONG_MAX;
	return json_integer((json_int_t)v);
}

static json_t *
enc_strlist(struct enc *e, const struct strlist *l)
{
	json_t *a;
	size_t i;

	a = json_array();
	for (i = 0; a != NULL && i < l->n; i++)
		push(e, a, enc_str(l->v[i]));
	return a;
}

static const char *
enc_verdict(enum verdict v)
{
	if (v != VERDICT_READY && v != VERDICT_NOT_READY)
		v = VERDICT_UNKNOWN;
	return verdict_name(v);
}

static json_t *
enc_int_or_null(int v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* The whole-group preflight keys of a device (added in version 1). */
static void
enc_preflight(struct enc *e, json_t *o, const struct report_device *d)
{
	json_t *sriov, *pf;

	put_later(e, o, "role", enc_str(d->role));
	put_later(e, o, "critical", enc_str(d->critical));
	put_later(e, o, "driver_override", enc_str(d->driver_override));
	if (d->sriov_totalvfs >= 0) {
		sriov = json_object();
		put(e, sriov, "totalvfs", json_integer(d->sriov_totalvfs));
		put(e, sriov, "numvfs", enc_int_or_null(d->sriov_numvfs));
		put(e, o, "sriov", sriov);
	} else
		put_later(e, o, "sriov", json_null());
	put_later(e, o, "physfn", d->physfn[0] ? enc_address(d->physfn) : json_null());
	put_later(e, o, "acs", enc_tri(d->acs));
	pf = json_object();
	put(e, pf, "verdict", json_string(enc_verdict(d->preflight)));
	put(e, pf, "blockers", enc_strlist(e, &d->blockers));
	put(e, pf, "warnings", enc_strlist(e, &d->warnings));
	put(e, o, "preflight", pf);
}

static json_t *
enc_device(struct enc *e, const struct report_device *d)
{
	json_t *o, *pt;

	o = json_object();
	put(e, o, "address", enc_address(d->address));
	put(e, o, "vendor_id", enc_hex(d->vendor_id, 4, 0xffff));
	put(e, o, "device_id", enc_hex(d->device_id, 4, 0xffff));
	put(e, o, "subsystem_vendor_id", enc_hex(d->subsystem_vendor_id, 4, 0xffff));
	put(e, o, "subsystem_device_id", enc_hex(d->subsystem_device_id, 4, 0xffff));
	put(e, o, "class", enc_hex(d->class_code, 6, 0xffffff));
	put(e, o, "name", enc_str(d->name));
	put(e, o, "driver", enc_str(d->driver));
	put(e, o, "reset_methods", enc_strlist(e, &d->reset_methods));
	put(e, o, "boot_vga", enc_tri(d->boot_vga));
	pt = json_object();
	put(e, pt, "verdict", json_string(enc_verdict(d->verdict)));
	put(e, pt, "isolated", enc_tri(d->isolated));
	put(e, pt, "reasons", enc_strlist(e, &d->reasons));
	put(e, o, "passthrough", pt);
	enc_preflight(e, o, d);
	return o;
}

static json_t *
enc_devices(struct enc *e, const struct report_device *v, size_t n)
{
	json_t *a;
	size_t i;

	a = json_array();
	for (i = 0; a != NULL && i < n; i++)
		push(e, a, enc_device(e, &v[i]));
	return a;
}

static json_t *
enc_region(struct enc *e, const struct report_region *rg)
{
	char buf[32];
	json_t *o;

	o = json_object();
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)rg->start);
	put(e, o, "start", json_string(buf));
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)rg->end);
	put(e, o, "end", json_string(buf));
	put(e, o, "type", enc_str(rg->type));
	return o;
}

static json_t *
enc_group(struct enc *e, const struct report_group *g)
{
	json_t *o, *a;
	size_t i;

	o = json_object();
	put(e, o, "id", g->id < 0 ? json_null() : json_integer(g->id));
	put(e, o, "type", enc_str(g->type));
	put(e, o, "devices", enc_devices(e, g->devices, g->ndevices));
	a = json_array();
	for (i = 0; a != NULL && i < g->nregions; i++)
		push(e, a, enc_region(e, &g->regions[i]));
	put(e, o, "reserved_regions", a);
	put_later(e, o, "vfio_dev", enc_tri(g->vfio_dev));
	return o;
}

static json_t *
enc_host(struct enc *e, const struct report_host *h)
{
	json_t *o, *sub;

	o = json_object();
	put(e, o, "hostname", enc_str(h->hostname));
	put(e, o, "machine_id", enc_str(h->machine_id));
	put(e, o, "kernel", enc_str(h->kernel));
	put(e, o, "os", enc_str(h->os));
	sub = json_object();
	put(e, sub, "sys_vendor", enc_str(h->dmi.sys_vendor));
	put(e, sub, "product_name", enc_str(h->dmi.product_name));
	put(e, sub, "bios_version", enc_str(h->dmi.bios_version));
	put(e, sub, "bios_date", enc_str(h->dmi.bios_date));
	put(e, o, "dmi", sub);
	sub = json_object();
	put(e, sub, "vendor", enc_str(h->cpu.vendor));
	put(e, sub, "model", enc_str(h->cpu.model));
	put(e, sub, "virtualization", enc_str(h->cpu.virtualization));
	put(e, o, "cpu", sub);
	return o;
}

static json_t *
enc_cmdline(struct enc *e, const struct report_cmdline *c)
{
	json_t *o, *params;
	size_t i;
	char *key;

	o = json_object();
	put(e, o, "raw", enc_str(c->raw));
	params = json_object();
	for (i = 0; params != NULL && i < c->nparams; i++) {
		if (c->params[i].key == NULL)
			continue;
		key = text_clean(c->params[i].key, strlen(c->params[i].key), NULL);
		if (key == NULL) {
			e->failed = 1;
			break;
		}
		/* A repeated key replaces the earlier value: the last one wins,
		 * as it does for the kernel. */
		put(e, params, key, enc_str(c->params[i].value));
		free(key);
	}
	put(e, o, "params", params);
	put(e, o, "warnings", enc_strlist(e, &c->warnings));
	return o;
}

static json_t *
enc_iommu(struct enc *e, const struct report_iommu *m)
{
	json_t *o, *ir, *a;
	size_t i;

	o = json_object();
	put(e, o, "vendor", enc_str(m->vendor));
	put(e, o, "enabled", enc_tri(m->enabled));
	put(e, o, "default_domain", enc_str(m->default_domain));
	ir = json_object();
	put(e, ir, "enabled", enc_tri(m->interrupt_remapping.enabled));
	put(e, ir, "mode", enc_str(m->interrupt_remapping.mode));
	put(e, ir, "x2apic_optout", enc_tri(m->interrupt_remapping.x2apic_optout));
	put(e, o, "interrupt_remapping", ir);
	put(e, o, "units", m->units < 0 ? json_null() : json_integer(m->units));
	a = json_array();
	for (i = 0; a != NULL && i < m->ngroups; i++)
		push(e, a, enc_group(e, &m->groups[i]));
	put(e, o, "groups", a);
	put(e, o, "ungrouped_devices", enc_devices(e, m->ungrouped, m->nungrouped));
	return o;
}

static json_t *
enc_kernel_log(struct enc *e, const struct report_kernel_log *k)
{
	const struct report_logline *l;
	const struct report_fault *f;
	json_t *o, *a, *item;
	size_t i;

	o = json_object();
	put(e, o, "source", enc_str(k->source));
	put(e, o, "complete", enc_tri(k->complete));
	a = json_array();
	for (i = 0; a != NULL && i < k->nlines; i++) {
		l = &k->lines[i];
		item = json_object();
		/* json_real() refuses NaN and infinities; negative means none;
		 * -0.0 is written as 0.0. */
		put(e, item, "time",
		    isfinite(l->time) && l->time >= 0 ? json_real(l->time + 0.0) : json_null());
		put(e, item, "level",
		    l->level >= 0 && l->level <= 7 ? json_integer(l->level) : json_null());
		put(e, item, "text", enc_str(l->text));
		push(e, a, item);
	}
	put(e, o, "lines", a);
	a = json_array();
	for (i = 0; a != NULL && i < k->nfaults; i++) {
		f = &k->faults[i];
		item = json_object();
		put(e, item, "address", enc_address(f->address));
		put(e, item, "kind", enc_str(f->kind));
		put(e, item, "reason", enc_str(f->reason));
		put(e, item, "count", enc_count(f->count));
		push(e, a, item);
	}
	put(e, o, "faults", a);
	put(e, o, "fault_total", enc_count(k->fault_total));
	put(e, o, "firmware_bugs", enc_count(k->firmware_bugs));
	return o;
}

static json_t *
enc_checks(struct enc *e, const struct report *r)
{
	const struct report_check *c;
	enum check_status st;
	json_t *a, *o;
	size_t i;

	a = json_array();
	for (i = 0; a != NULL && i < r->nchecks; i++) {
		c = &r->checks[i];
		st = c->status;
		if (st != CHECK_PASS && st != CHECK_WARN && st != CHECK_FAIL)
			st = CHECK_UNKNOWN;
		o = json_object();
		put(e, o, "id", enc_str(c->id));
		put(e, o, "status", json_string(check_status_name(st)));
		put(e, o, "summary", enc_str(c->summary));
		put(e, o, "evidence", enc_str(c->evidence));
		push(e, a, o);
	}
	return a;
}

char *
report_json_encode(const struct report *r, int flags)
{
	struct enc e = {0, flags};
	json_t *root, *agent;
	size_t dflags;
	char *text;

	if (r == NULL)
		return NULL;
	/* root: owned here until the final json_decref. */
	root = json_object();
	if (root == NULL)
		return NULL;
	put(&e, root, "format", json_string(REPORT_FORMAT));
	put(&e, root, "version", json_integer(REPORT_VERSION));
	put(&e, root, "report_id", enc_fixed(r->report_id, sizeof(r->report_id)));
	put(&e, root, "collected_at", enc_fixed(r->collected_at, sizeof(r->collected_at)));
	agent = json_object();
	put(&e, agent, "version", enc_str(r->agent_version));
	put(&e, root, "agent", agent);
	put(&e, root, "host", enc_host(&e, &r->host));
	put(&e, root, "cmdline", enc_cmdline(&e, &r->cmdline));
	put(&e, root, "iommu", enc_iommu(&e, &r->iommu));
	put(&e, root, "kernel_log", enc_kernel_log(&e, &r->kernel_log));
	put(&e, root, "checks", enc_checks(&e, r));
	put(&e, root, "verdict", json_string(enc_verdict(r->verdict)));
	put(&e, root, "reason", enc_str(r->reason));
	put(&e, root, "errors", enc_strlist(&e, &r->errors));
	if (e.failed) {
		json_decref(root);
		return NULL;
	}
	/* 15 significant digits: times print as written ("0.785796") and
	 * survive a decode and re-encode unchanged (DBL_DIG). */
	dflags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
	dflags |= (flags & REPORT_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;
	text = json_dumps(root, dflags);
	json_decref(root);
	return text;
}

/* -------------------------------------------------------------- decode */

struct dec {
	struct report_error *err;
	json_t *lines;          /* kernel_log.lines, borrowed: its own count limit */
	json_t *groups;         /* iommu.groups, borrowed */
	size_t ndevices;        /* in all groups and ungrouped_devices together */
	struct report_lazy *lz; /* the long lists are placeholders; NULL: a whole tree */
};

static int fail(struct dec *d, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int
fail(struct dec *d, const char *path, const char *fmt, ...)
{
	size_t size = sizeof(d->err->msg), n;
	va_list ap;

	/* The path is at most PATH_MAX_LEN - 1 bytes: the message has room. */
	n = strnlen(path, PATH_MAX_LEN - 1);
	memcpy(d->err->msg, path, n);
	memcpy(d->err->msg + n, ": ", 3);
	va_start(ap, fmt);
	vsnprintf(d->err->msg + n + 2, size - n - 2, fmt, ap);
	va_end(ap);
	return -1;
}

/* A group's devices or iommu.ungrouped_devices: the device limit (their
 * total is checked again when decoded). */
static int
is_device_list(const char *path)
{
	size_t n = strlen(path);

	if (strncmp(path, "iommu.", 6) != 0)
		return 0;
	return (n > 8 && strcmp(path + n - 8, ".devices") == 0) ||
	       strcmp(path, "iommu.ungrouped_devices") == 0;
}

/*
 * Limits that hold for every value, known or not: nesting depth, string and
 * key lengths, member and item counts.  depth counts containers, the root
 * being 1.  v is borrowed.
 */
static int
walk(struct dec *d, json_t *v, int depth, const char *path)
{
	char child[PATH_MAX_LEN];
	const char *key;
	size_t i, n, limit;
	json_t *m;

	switch (json_typeof(v)) {
	case JSON_STRING:
		n = json_string_length(v);
		if (n > REPORT_MAX_STRING)
			return fail(d, path, "string too long (%zu bytes, limit %u)", n,
			            REPORT_MAX_STRING);
		return 0;
	case JSON_OBJECT:
		if (depth > REPORT_MAX_DEPTH)
			return fail(d, path, "nested too deep (limit %d)", REPORT_MAX_DEPTH);
		n = json_object_size(v);
		if (n > REPORT_MAX_ITEMS)
			return fail(d, path, "too many members (%zu, limit %u)", n,
			            REPORT_MAX_ITEMS);
		json_object_foreach(v, key, m)
		{
			report_path_key(child, sizeof(child), path, key);
			if (strlen(key) > REPORT_MAX_STRING)
				return fail(d, child, "key too long (%zu bytes, limit %u)",
				            strlen(key), REPORT_MAX_STRING);
			if (walk(d, m, depth + 1, child) == -1)
				return -1;
		}
		return 0;
	case JSON_ARRAY:
		if (depth > REPORT_MAX_DEPTH)
			return fail(d, path, "nested too deep (limit %d)", REPORT_MAX_DEPTH);
		n = json_array_size(v);
		if (v == d->lines)
			limit = REPORT_MAX_LINES;
		else if (v == d->groups)
			limit = REPORT_MAX_GROUPS;
		else if (is_device_list(path))
			limit = REPORT_MAX_DEVICES;
		else
			limit = REPORT_MAX_ITEMS;
		if (n > limit)
			return fail(d, path, "too many items (%zu, limit %zu)", n, limit);
		json_array_foreach(v, i, m)
		{
			report_path_index(child, sizeof(child), path, i);
			if (walk(d, m, depth + 1, child) == -1)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * Item i of a long list (groups, devices, lines) at depth, for the decoder:
 * borrowed from a, or, when the lists are placeholders, built from the text
 * and walked, *owned then to be released.  NULL after fail().
 */
static json_t *
list_item(struct dec *d, json_t *a, size_t i, int group, int depth, const char *path,
          json_t **owned)
{
	json_t *v;

	*owned = NULL;
	if (d->lz == NULL)
		return json_array_get(a, i);
	v = report_lazy_item(d->lz, json_array_get(a, i), group, path);
	if (v == NULL) {
		if (d->lz->fallback)
			fail(d, path, "not JSON"); /* replaced by the whole parse's message */
		else
			fail(d, d->lz->path, "%s", d->lz->why);
		return NULL;
	}
	if (walk(d, v, depth, path) == -1) {
		json_decref(v);
		return NULL;
	}
	*owned = v;
	return v;
}

/* Typed access to obj.key.  The json_t results are borrowed from obj. */

#define NULLOK 1 /* null is accepted and means unknown */

static int
get_value(struct dec *d, json_t *obj, const char *path, const char *key, json_t **out, char *child,
          size_t size)
{
	report_path_key(child, size, path, key);
	*out = json_object_get(obj, key);
	if (*out == NULL)
		return fail(d, child, "missing");
	return 0;
}

static int
get_object(struct dec *d, json_t *obj, const char *path, const char *key, json_t **out)
{
	char child[PATH_MAX_LEN];

	if (get_value(d, obj, path, key, out, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_object(*out))
		return fail(d, child, "not an object");
	return 0;
}

static int
get_array(struct dec *d, json_t *obj, const char *path, const char *key, json_t **out)
{
	char child[PATH_MAX_LEN];

	if (get_value(d, obj, path, key, out, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_array(*out))
		return fail(d, child, "not an array");
	return 0;
}

/* A string (or null with NULLOK) as a new cleaned malloc'd copy in *out. */
static int
get_string(struct dec *d, json_t *obj, const char *path, const char *key, int flags, char **out)
{
	char child[PATH_MAX_LEN];
	json_t *v;

	*out = NULL;
	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (json_is_null(v) && (flags & NULLOK))
		return 0;
	if (!json_is_string(v))
		return fail(d, child, (flags & NULLOK) ? "not a string or null" : "not a string");
	*out = text_clean(json_string_value(v), json_string_length(v), NULL);
	if (*out == NULL)
		return fail(d, child, "out of memory");
	return 0;
}

static int
get_tristate(struct dec *d, json_t *obj, const char *path, const char *key, enum tristate *out)
{
	char child[PATH_MAX_LEN];
	json_t *v;

	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (json_is_true(v))
		*out = TRI_TRUE;
	else if (json_is_false(v))
		*out = TRI_FALSE;
	else if (json_is_null(v))
		*out = TRI_UNKNOWN;
	else
		return fail(d, child, "not a boolean or null");
	return 0;
}

/* An integer in [0, max] (or null with NULLOK: *out = -1). */
static int
get_int(struct dec *d, json_t *obj, const char *path, const char *key, int flags, json_int_t max,
        json_int_t *out)
{
	char child[PATH_MAX_LEN];
	json_t *v;

	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (json_is_null(v) && (flags & NULLOK)) {
		*out = -1;
		return 0;
	}
	if (!json_is_integer(v))
		return fail(d, child,
		            (flags & NULLOK) ? "not an integer or null" : "not an integer");
	*out = json_integer_value(v);
	if (*out < 0 || *out > max)
		return fail(d, child, "out of range (0 to %lld)", (long long)max);
	return 0;
}

/* "10de": exactly digits hex digits, or null (-1). */
static int
get_hexid(struct dec *d, json_t *obj, const char *path, const char *key, size_t digits, long *out)
{
	char child[PATH_MAX_LEN];
	json_t *v;

	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (json_is_null(v)) {
		*out = -1;
		return 0;
	}
	*out = -1;
	if (json_is_string(v) && json_string_length(v) == digits)
		*out = pci_hexn(json_string_value(v), digits);
	if (*out < 0)
		return fail(d, child, "not %zu hex digits or null", digits);
	return 0;
}

/* "0x" and 1 to 16 hex digits. */
static int
get_addr64(struct dec *d, json_t *obj, const char *path, const char *key, uint64_t *out)
{
	char child[PATH_MAX_LEN];
	const char *s;
	size_t i, n;
	json_t *v;

	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v))
		return fail(d, child, "not a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < 3 || n > 18 || s[0] != '0' || s[1] != 'x')
		return fail(d, child, "not a 64-bit hex address");
	*out = 0;
	for (i = 2; i < n; i++) {
		if (pci_hexval((unsigned char)s[i]) < 0)
			return fail(d, child, "not a 64-bit hex address");
		*out = (*out << 4) | (uint64_t)pci_hexval((unsigned char)s[i]);
	}
	return 0;
}

/* A PCI address, stored lowercase into buf[REPORT_ADDR_MAX]. */
static int
get_address(struct dec *d, json_t *obj, const char *path, const char *key, char *buf,
            int allow_unknown)
{
	char child[PATH_MAX_LEN];
	const char *s;
	size_t i, n;
	json_t *v;

	if (get_value(d, obj, path, key, &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v))
		return fail(d, child, "not a string");
	s = json_string_value(v);
	n = json_string_length(v);
	/* a fault record may not name its device: the scanner says "unknown" */
	if (!pci_addr_valid(s, n) && !(allow_unknown && strcmp(s, "unknown") == 0))
		return fail(d, child, "not a PCI address");
	for (i = 0; i < n; i++)
		buf[i] = (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 'a' : s[i];
	buf[n] = '\0';
	return 0;
}

static int
get_strlist(struct dec *d, json_t *obj, const char *path, const char *key, struct strlist *out)
{
	char child[PATH_MAX_LEN], item[PATH_MAX_LEN];
	json_t *a, *v;
	size_t i;
	char *s;
	char **vec;

	if (get_array(d, obj, path, key, &a) == -1)
		return -1;
	report_path_key(child, sizeof(child), path, key);
	if (json_array_size(a) == 0)
		return 0;
	vec = calloc(json_array_size(a), sizeof(*vec));
	if (vec == NULL)
		return fail(d, child, "out of memory");
	out->v = vec;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)) {
			report_path_index(item, sizeof(item), child, i);
			return fail(d, item, "not a string");
		}
		s = text_clean(json_string_value(v), json_string_length(v), NULL);
		if (s == NULL)
			return fail(d, child, "out of memory");
		out->v[out->n++] = s;
	}
	return 0;
}

/* calloc that treats n == 0 as "no array" rather than a failure. */
static void *
alloc_items(size_t n, size_t size, int *failed)
{
	void *p;

	*failed = 0;
	if (n == 0)
		return NULL;
	p = calloc(n, size);
	if (p == NULL)
		*failed = 1;
	return p;
}

/* A key added later in version 1: absent means unknown (*out NULL). */
static int
get_optional(json_t *obj, const char *key, json_t **out)
{
	*out = json_object_get(obj, key);
	return *out != NULL && !json_is_null(*out);
}

static int
dec_sriov(struct dec *d, json_t *o, const char *path, struct report_device *dev)
{
	char child[PATH_MAX_LEN];
	json_int_t n;
	json_t *v;

	if (!get_optional(o, "sriov", &v))
		return 0;
	report_path_key(child, sizeof(child), path, "sriov");
	if (!json_is_object(v))
		return fail(d, child, "not an object or null");
	if (get_int(d, v, child, "totalvfs", 0, 65535, &n) == -1)
		return -1;
	dev->sriov_totalvfs = (int)n;
	if (get_int(d, v, child, "numvfs", NULLOK, 65535, &n) == -1)
		return -1;
	dev->sriov_numvfs = (int)n;
	return 0;
}

/* The preflight keys (FORMAT.md): each optional, for older agents. */
static int
dec_preflight(struct dec *d, json_t *o, const char *path, struct report_device *dev)
{
	char child[PATH_MAX_LEN], pfpath[PATH_MAX_LEN];
	json_t *v, *pf;

	if ((get_optional(o, "role", &v) &&
	     get_string(d, o, path, "role", NULLOK, &dev->role) == -1) ||
	    (get_optional(o, "critical", &v) &&
	     get_string(d, o, path, "critical", NULLOK, &dev->critical) == -1) ||
	    (get_optional(o, "driver_override", &v) &&
	     get_string(d, o, path, "driver_override", NULLOK, &dev->driver_override) == -1) ||
	    dec_sriov(d, o, path, dev) == -1 ||
	    (get_optional(o, "physfn", &v) &&
	     get_address(d, o, path, "physfn", dev->physfn, 0) == -1) ||
	    (json_object_get(o, "acs") != NULL && get_tristate(d, o, path, "acs", &dev->acs) == -1))
		return -1;
	if (!get_optional(o, "preflight", &pf))
		return 0;
	report_path_key(pfpath, sizeof(pfpath), path, "preflight");
	if (!json_is_object(pf))
		return fail(d, pfpath, "not an object or null");
	if (get_value(d, pf, pfpath, "verdict", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v) || verdict_parse(json_string_value(v), &dev->preflight) == -1)
		return fail(d, child, "not one of ready, not-ready, unknown");
	if (get_strlist(d, pf, pfpath, "blockers", &dev->blockers) == -1 ||
	    get_strlist(d, pf, pfpath, "warnings", &dev->warnings) == -1)
		return -1;
	return 0;
}

static int
dec_device(struct dec *d, json_t *o, const char *path, struct report_device *dev)
{
	char ptpath[PATH_MAX_LEN], child[PATH_MAX_LEN];
	json_t *pt, *v;
	long id;

	if (!json_is_object(o))
		return fail(d, path, "not an object");
	if (get_address(d, o, path, "address", dev->address, 0) == -1)
		return -1;
	if (get_hexid(d, o, path, "vendor_id", 4, &id) == -1)
		return -1;
	dev->vendor_id = (int)id;
	if (get_hexid(d, o, path, "device_id", 4, &id) == -1)
		return -1;
	dev->device_id = (int)id;
	if (get_hexid(d, o, path, "subsystem_vendor_id", 4, &id) == -1)
		return -1;
	dev->subsystem_vendor_id = (int)id;
	if (get_hexid(d, o, path, "subsystem_device_id", 4, &id) == -1)
		return -1;
	dev->subsystem_device_id = (int)id;
	if (get_hexid(d, o, path, "class", 6, &dev->class_code) == -1)
		return -1;
	if (get_string(d, o, path, "name", NULLOK, &dev->name) == -1 ||
	    get_string(d, o, path, "driver", NULLOK, &dev->driver) == -1 ||
	    get_strlist(d, o, path, "reset_methods", &dev->reset_methods) == -1 ||
	    get_tristate(d, o, path, "boot_vga", &dev->boot_vga) == -1 ||
	    get_object(d, o, path, "passthrough", &pt) == -1)
		return -1;
	report_path_key(ptpath, sizeof(ptpath), path, "passthrough");
	if (get_value(d, pt, ptpath, "verdict", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v) || verdict_parse(json_string_value(v), &dev->verdict) == -1)
		return fail(d, child, "not one of ready, not-ready, unknown");
	if (get_tristate(d, pt, ptpath, "isolated", &dev->isolated) == -1 ||
	    get_strlist(d, pt, ptpath, "reasons", &dev->reasons) == -1)
		return -1;
	return dec_preflight(d, o, path, dev);
}

/* The devices of obj.key, a list at depth - 1. */
static int
dec_devices(struct dec *d, json_t *obj, const char *path, const char *key, int depth,
            struct report_device **out, size_t *nout)
{
	char child[PATH_MAX_LEN], item[PATH_MAX_LEN];
	json_t *a, *v, *owned;
	size_t i, n;
	int failed, rc;

	if (get_array(d, obj, path, key, &a) == -1)
		return -1;
	report_path_key(child, sizeof(child), path, key);
	n = json_array_size(a);
	d->ndevices += n;
	if (d->ndevices > REPORT_MAX_DEVICES)
		return fail(d, child, "too many devices in all (limit %u)", REPORT_MAX_DEVICES);
	*out = alloc_items(n, sizeof(**out), &failed);
	if (failed)
		return fail(d, child, "out of memory");
	for (i = 0; i < n; i++)
		report_device_init(&(*out)[i]);
	*nout = n;
	for (i = 0; i < n; i++) {
		report_path_index(item, sizeof(item), child, i);
		if ((v = list_item(d, a, i, 0, depth, item, &owned)) == NULL)
			return -1;
		rc = dec_device(d, v, item, &(*out)[i]);
		json_decref(owned);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
dec_group(struct dec *d, json_t *o, const char *path, struct report_group *g)
{
	char child[PATH_MAX_LEN], item[PATH_MAX_LEN];
	json_t *a, *v;
	json_int_t id;
	size_t i, n;
	int failed;

	if (!json_is_object(o))
		return fail(d, path, "not an object");
	if (get_int(d, o, path, "id", NULLOK, INT32_MAX, &id) == -1)
		return -1;
	g->id = (int)id;
	if (get_string(d, o, path, "type", NULLOK, &g->type) == -1 ||
	    dec_devices(d, o, path, "devices", 6, &g->devices, &g->ndevices) == -1 ||
	    get_array(d, o, path, "reserved_regions", &a) == -1)
		return -1;
	report_path_key(child, sizeof(child), path, "reserved_regions");
	n = json_array_size(a);
	g->regions = alloc_items(n, sizeof(*g->regions), &failed);
	if (failed)
		return fail(d, child, "out of memory");
	g->nregions = n;
	json_array_foreach(a, i, v)
	{
		report_path_index(item, sizeof(item), child, i);
		if (!json_is_object(v))
			return fail(d, item, "not an object");
		if (get_addr64(d, v, item, "start", &g->regions[i].start) == -1 ||
		    get_addr64(d, v, item, "end", &g->regions[i].end) == -1 ||
		    get_string(d, v, item, "type", NULLOK, &g->regions[i].type) == -1)
			return -1;
	}
	/* added in version 1: absent is unknown */
	if (json_object_get(o, "vfio_dev") != NULL &&
	    get_tristate(d, o, path, "vfio_dev", &g->vfio_dev) == -1)
		return -1;
	return 0;
}

static int
dec_host(struct dec *d, json_t *root, struct report_host *h)
{
	char child[PATH_MAX_LEN];
	json_t *o, *sub, *v;
	const char *s, *why;

	if (get_object(d, root, "", "host", &o) == -1)
		return -1;
	/* The hostname is shown and compared: refuse rather than clean it. */
	if (get_value(d, o, "host", "hostname", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v))
		return fail(d, child, "not a string");
	s = json_string_value(v);
	if ((why = hostname_invalid(s, json_string_length(v), HOSTNAME_REPORTED)) != NULL)
		return fail(d, child, "%s", why);
	h->hostname = strdup(s);
	if (h->hostname == NULL)
		return fail(d, child, "out of memory");
	if (get_string(d, o, "host", "machine_id", NULLOK, &h->machine_id) == -1 ||
	    get_string(d, o, "host", "kernel", NULLOK, &h->kernel) == -1 ||
	    get_string(d, o, "host", "os", NULLOK, &h->os) == -1 ||
	    get_object(d, o, "host", "dmi", &sub) == -1 ||
	    get_string(d, sub, "host.dmi", "sys_vendor", NULLOK, &h->dmi.sys_vendor) == -1 ||
	    get_string(d, sub, "host.dmi", "product_name", NULLOK, &h->dmi.product_name) == -1 ||
	    get_string(d, sub, "host.dmi", "bios_version", NULLOK, &h->dmi.bios_version) == -1 ||
	    get_string(d, sub, "host.dmi", "bios_date", NULLOK, &h->dmi.bios_date) == -1 ||
	    get_object(d, o, "host", "cpu", &sub) == -1 ||
	    get_string(d, sub, "host.cpu", "vendor", NULLOK, &h->cpu.vendor) == -1 ||
	    get_string(d, sub, "host.cpu", "model", NULLOK, &h->cpu.model) == -1 ||
	    get_string(d, sub, "host.cpu", "virtualization", NULLOK, &h->cpu.virtualization) == -1)
		return -1;
	return 0;
}

static int
dec_cmdline(struct dec *d, json_t *root, struct report_cmdline *c)
{
	char child[PATH_MAX_LEN];
	const char *key;
	json_t *o, *params, *v;
	struct report_kv *kv;
	size_t n;
	int failed;

	if (get_object(d, root, "", "cmdline", &o) == -1 ||
	    get_string(d, o, "cmdline", "raw", NULLOK, &c->raw) == -1 ||
	    get_object(d, o, "cmdline", "params", &params) == -1)
		return -1;
	n = json_object_size(params);
	c->params = alloc_items(n, sizeof(*c->params), &failed);
	if (failed)
		return fail(d, "cmdline.params", "out of memory");
	json_object_foreach(params, key, v)
	{
		report_path_key(child, sizeof(child), "cmdline.params", key);
		if (!json_is_string(v) && !json_is_null(v))
			return fail(d, child, "not a string or null");
		kv = &c->params[c->nparams++];
		kv->key = text_clean(key, strlen(key), NULL);
		if (kv->key == NULL)
			return fail(d, child, "out of memory");
		if (json_is_string(v)) {
			kv->value = text_clean(json_string_value(v), json_string_length(v), NULL);
			if (kv->value == NULL)
				return fail(d, child, "out of memory");
		}
	}
	return get_strlist(d, o, "cmdline", "warnings", &c->warnings);
}

static int
dec_iommu(struct dec *d, json_t *root, struct report_iommu *m)
{
	char child[PATH_MAX_LEN], item[PATH_MAX_LEN];
	json_t *o, *ir, *a, *v, *owned;
	json_int_t units;
	size_t i, n;
	int failed, rc;

	if (get_object(d, root, "", "iommu", &o) == -1 ||
	    get_string(d, o, "iommu", "vendor", NULLOK, &m->vendor) == -1 ||
	    get_tristate(d, o, "iommu", "enabled", &m->enabled) == -1 ||
	    get_string(d, o, "iommu", "default_domain", NULLOK, &m->default_domain) == -1 ||
	    get_object(d, o, "iommu", "interrupt_remapping", &ir) == -1 ||
	    get_tristate(d, ir, "iommu.interrupt_remapping", "enabled",
	                 &m->interrupt_remapping.enabled) == -1 ||
	    get_string(d, ir, "iommu.interrupt_remapping", "mode", NULLOK,
	               &m->interrupt_remapping.mode) == -1 ||
	    get_tristate(d, ir, "iommu.interrupt_remapping", "x2apic_optout",
	                 &m->interrupt_remapping.x2apic_optout) == -1 ||
	    get_int(d, o, "iommu", "units", NULLOK, INT32_MAX, &units) == -1 ||
	    get_array(d, o, "iommu", "groups", &a) == -1)
		return -1;
	m->units = (int)units;
	snprintf(child, sizeof(child), "iommu.groups");
	n = json_array_size(a);
	m->groups = alloc_items(n, sizeof(*m->groups), &failed);
	if (failed)
		return fail(d, child, "out of memory");
	for (i = 0; i < n; i++)
		report_group_init(&m->groups[i]);
	m->ngroups = n;
	for (i = 0; i < n; i++) {
		report_path_index(item, sizeof(item), child, i);
		if ((v = list_item(d, a, i, 1, 4, item, &owned)) == NULL)
			return -1;
		rc = dec_group(d, v, item, &m->groups[i]);
		json_decref(owned);
		if (rc == -1)
			return -1;
	}
	return dec_devices(d, o, "iommu", "ungrouped_devices", 4, &m->ungrouped, &m->nungrouped);
}

static int
dec_logline(struct dec *d, json_t *v, const char *item, struct report_logline *l)
{
	char tpath[PATH_MAX_LEN];
	json_int_t num;
	json_t *t;

	if (!json_is_object(v))
		return fail(d, item, "not an object");
	if (get_value(d, v, item, "time", &t, tpath, sizeof(tpath)) == -1)
		return -1;
	if (json_is_number(t)) {
		l->time = json_number_value(t) + 0.0; /* no -0.0 */
		if (l->time < 0)
			return fail(d, tpath, "negative");
	} else if (!json_is_null(t))
		return fail(d, tpath, "not a number or null");
	if (get_int(d, v, item, "level", NULLOK, 7, &num) == -1 ||
	    get_string(d, v, item, "text", NULLOK, &l->text) == -1)
		return -1;
	l->level = (int)num;
	return 0;
}

static int
dec_kernel_log(struct dec *d, json_t *root, struct report_kernel_log *k)
{
	char child[PATH_MAX_LEN], item[PATH_MAX_LEN];
	struct report_logline *l;
	struct report_fault *f;
	json_t *o, *a, *v, *owned = NULL;
	json_int_t num;
	size_t i, n;
	int failed;

	if (get_object(d, root, "", "kernel_log", &o) == -1 ||
	    get_string(d, o, "kernel_log", "source", NULLOK, &k->source) == -1 ||
	    get_tristate(d, o, "kernel_log", "complete", &k->complete) == -1 ||
	    get_array(d, o, "kernel_log", "lines", &a) == -1)
		return -1;
	snprintf(child, sizeof(child), "kernel_log.lines");
	n = json_array_size(a);
	k->lines = alloc_items(n, sizeof(*k->lines), &failed);
	if (failed)
		return fail(d, child, "out of memory");
	for (i = 0; i < n; i++) {
		l = &k->lines[k->nlines++];
		l->time = -1;
		l->level = -1;
		report_path_index(item, sizeof(item), child, i);
		if ((v = list_item(d, a, i, 0, 4, item, &owned)) == NULL ||
		    dec_logline(d, v, item, l) == -1) {
			json_decref(owned);
			return -1;
		}
		json_decref(owned);
	}
	if (get_array(d, o, "kernel_log", "faults", &a) == -1)
		return -1;
	snprintf(child, sizeof(child), "kernel_log.faults");
	n = json_array_size(a);
	k->faults = alloc_items(n, sizeof(*k->faults), &failed);
	if (failed)
		return fail(d, child, "out of memory");
	json_array_foreach(a, i, v)
	{
		f = &k->faults[k->nfaults++];
		report_path_index(item, sizeof(item), child, i);
		if (!json_is_object(v))
			return fail(d, item, "not an object");
		if (get_address(d, v, item, "address", f->address, 1) == -1 ||
		    get_string(d, v, item, "kind", NULLOK, &f->kind) == -1 ||
		    get_string(d, v, item, "reason", NULLOK, &f->reason) == -1 ||
		    get_int(d, v, item, "count", 0, LONG_MAX, &num) == -1)
			return -1;
		f->count = (unsigned long)num;
	}
	if (get_int(d, o, "kernel_log", "fault_total", 0, LONG_MAX, &num) == -1)
		return -1;
	k->fault_total = (unsigned long)num;
	if (get_int(d, o, "kernel_log", "firmware_bugs", 0, LONG_MAX, &num) == -1)
		return -1;
	k->firmware_bugs = (unsigned long)num;
	return 0;
}

static int
dec_checks(struct dec *d, json_t *root, struct report *r)
{
	char item[PATH_MAX_LEN], child[PATH_MAX_LEN];
	struct report_check *c;
	json_t *a, *v, *st;
	size_t i, n;
	int failed;

	if (get_array(d, root, "", "checks", &a) == -1)
		return -1;
	n = json_array_size(a);
	r->checks = alloc_items(n, sizeof(*r->checks), &failed);
	if (failed)
		return fail(d, "checks", "out of memory");
	json_array_foreach(a, i, v)
	{
		c = &r->checks[r->nchecks++];
		report_path_index(item, sizeof(item), "checks", i);
		if (!json_is_object(v))
			return fail(d, item, "not an object");
		if (get_string(d, v, item, "id", 0, &c->id) == -1)
			return -1;
		if (c->id[0] == '\0') {
			report_path_key(child, sizeof(child), item, "id");
			return fail(d, child, "empty");
		}
		if (get_value(d, v, item, "status", &st, child, sizeof(child)) == -1)
			return -1;
		if (!json_is_string(st) ||
		    check_status_parse(json_string_value(st), &c->status) == -1)
			return fail(d, child, "not one of pass, warn, fail, unknown");
		if (get_string(d, v, item, "summary", NULLOK, &c->summary) == -1 ||
		    get_string(d, v, item, "evidence", NULLOK, &c->evidence) == -1)
			return -1;
	}
	return 0;
}

/* format, version, report_id, collected_at, agent: the envelope. */
static int
dec_envelope(struct dec *d, json_t *root, struct report *r)
{
	char child[PATH_MAX_LEN];
	json_t *v, *agent;
	const char *s;
	size_t n;

	if (get_value(d, root, "", "format", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v) || strcmp(json_string_value(v), REPORT_FORMAT) != 0 ||
	    json_string_length(v) != strlen(REPORT_FORMAT))
		return fail(d, child, "not \"%s\"", REPORT_FORMAT);
	if (get_value(d, root, "", "version", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_integer(v))
		return fail(d, child, "not an integer");
	if (json_integer_value(v) != REPORT_VERSION)
		return fail(d, child, "unsupported version %lld (this decoder reads %d)",
		            (long long)json_integer_value(v), REPORT_VERSION);
	if (get_value(d, root, "", "report_id", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v) || !stamp_uuid_ok(json_string_value(v), json_string_length(v)))
		return fail(d, child, "not a UUID");
	memcpy(r->report_id, json_string_value(v), 37);
	if (get_value(d, root, "", "collected_at", &v, child, sizeof(child)) == -1)
		return -1;
	s = json_is_string(v) ? json_string_value(v) : "";
	n = json_is_string(v) ? json_string_length(v) : 0;
	if (!stamp_time_ok(s, n) || n >= sizeof(r->collected_at))
		return fail(d, child, "not an RFC 3339 time (of at most %zu bytes)",
		            sizeof(r->collected_at) - 1);
	memcpy(r->collected_at, s, n + 1);
	if (get_object(d, root, "", "agent", &agent) == -1 ||
	    get_string(d, agent, "agent", "version", NULLOK, &r->agent_version) == -1)
		return -1;
	return 0;
}

static int
dec_report(struct dec *d, json_t *root, struct report *r)
{
	char child[PATH_MAX_LEN];
	json_t *v;

	if (!json_is_object(root))
		return fail(d, "report", "not an object");
	/* json_object_get(NULL, ...) is NULL: no need to check the parents. */
	d->lines = json_object_get(json_object_get(root, "kernel_log"), "lines");
	d->groups = json_object_get(json_object_get(root, "iommu"), "groups");
	/* The envelope first: a report of another version may differ in
	 * anything, so say that rather than what else is wrong. */
	if (dec_envelope(d, root, r) == -1 || walk(d, root, 1, "") == -1 ||
	    dec_host(d, root, &r->host) == -1 || dec_cmdline(d, root, &r->cmdline) == -1 ||
	    dec_iommu(d, root, &r->iommu) == -1 || dec_kernel_log(d, root, &r->kernel_log) == -1 ||
	    dec_checks(d, root, r) == -1)
		return -1;
	if (get_value(d, root, "", "verdict", &v, child, sizeof(child)) == -1)
		return -1;
	if (!json_is_string(v) || verdict_parse(json_string_value(v), &r->verdict) == -1)
		return fail(d, child, "not one of ready, not-ready, unknown");
	if (get_string(d, root, "", "reason", NULLOK, &r->reason) == -1 ||
	    get_strlist(d, root, "", "errors", &r->errors) == -1)
		return -1;
	return 0;
}

/*
 * The structure counts of a JSON text, before anything is built: items per
 * array and members per object (REPORT_MAX_ELEMENTS), all of them together
 * (REPORT_MAX_VALUES), objects and arrays (REPORT_MAX_CONTAINERS), and depth
 * (deeper than PRESCAN_DEPTH cannot be a report).  Only counts: malformed
 * text is left to jansson, which says where.  An element is counted at the
 * comma after it, or at the bracket closing a container that holds one.
 */
#define PRESCAN_DEPTH 64

struct prescan_level {
	size_t n;     /* elements counted so far */
	int nonempty; /* something other than white space since the opening */
};

static int
prescan_count(struct dec *d, struct prescan_level *l, size_t *values, size_t off)
{
	if (++l->n > REPORT_MAX_ELEMENTS)
		return fail(d, "report", "more than %u items in one array or object (at byte %zu)",
		            REPORT_MAX_ELEMENTS, off);
	if (++*values > REPORT_MAX_VALUES)
		return fail(d, "report", "more than %u values in all (at byte %zu)",
		            REPORT_MAX_VALUES, off);
	return 0;
}

static int
prescan(struct dec *d, const char *text, size_t len)
{
	struct prescan_level lv[PRESCAN_DEPTH];
	size_t i, depth = 0, values = 0, containers = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ']' || c == '}') {
			if (depth == 0)
				return 0; /* not JSON: jansson says so */
			depth--;
			if (lv[depth].nonempty && prescan_count(d, &lv[depth], &values, i) == -1)
				return -1;
			continue;
		}
		if (c == ',') {
			if (depth > 0 && prescan_count(d, &lv[depth - 1], &values, i) == -1)
				return -1;
			continue;
		}
		if (depth > 0)
			lv[depth - 1].nonempty = 1;
		if (c == '"') {
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\')
					i++;
			}
		} else if (c == '[' || c == '{') {
			if (depth == PRESCAN_DEPTH)
				return fail(d, "report", "nested too deep (limit %d)",
				            REPORT_MAX_DEPTH);
			if (++containers > REPORT_MAX_CONTAINERS)
				return fail(d, "report",
				            "more than %u objects and arrays in all (at byte %zu)",
				            REPORT_MAX_CONTAINERS, i);
			lv[depth].n = 0;
			lv[depth].nonempty = 0;
			depth++;
		}
	}
	return 0;
}

/*
 * Decode with the long lists built one item at a time: 0, -1 (d->err set),
 * or 1 when the text must be parsed whole (it is not JSON, or not where
 * report_lazy.c splits it: jansson's message says where).
 */
static int
decode_lazy(struct dec *d, struct report_lazy *lz, struct report *out)
{
	json_t *root;
	int rc;

	if ((root = report_lazy_root(lz)) == NULL) {
		if (lz->fallback)
			return 1;
		return fail(d, lz->path, "%s", lz->why);
	}
	d->lz = lz;
	rc = dec_report(d, root, out);
	d->lz = NULL;
	json_decref(root);
	if (rc == 0)
		return 0;
	report_free(out);
	report_init(out);
	return lz->fallback ? 1 : -1;
}

int
report_json_decode(const char *text, size_t len, struct report *out, struct report_error *err)
{
	struct report_error scratch;
	struct report_lazy lz;
	struct dec d = {0};
	json_error_t jerr;
	json_t *root;
	size_t i;
	int rc;

	d.err = err != NULL ? err : &scratch;
	d.err->msg[0] = '\0';
	report_init(out);
	if (text == NULL)
		return fail(&d, "report", "no input");
	if (len > REPORT_MAX_BYTES)
		return fail(&d, "report", "too large (%zu bytes, limit %u)", len, REPORT_MAX_BYTES);
	if (prescan(&d, text, len) == -1)
		return -1;
	report_lazy_init(&lz, text, len);
	if ((rc = decode_lazy(&d, &lz, out)) != 1)
		return rc;
	/* the whole text, as the decoder always did: jansson's own message
	 * for text that is not JSON */
	memset(&d, 0, sizeof(d));
	d.err = err != NULL ? err : &scratch;
	d.err->msg[0] = '\0';
	/* Not JSON_DECODE_ANY: the top must be an object or array.  jansson
	 * checks UTF-8 and refuses NUL bytes and duplicate keys. */
	root = report_lazy_whole(&lz, JSON_REJECT_DUPLICATES, &jerr);
	report_lazy_release(&lz);
	if (root == NULL) {
		if (json_error_code(&jerr) == json_error_stack_overflow)
			return fail(&d, "report", "nested too deep (limit %d)", REPORT_MAX_DEPTH);
		/* jansson quotes the offending input: keep it printable. */
		for (i = 0; jerr.text[i] != '\0'; i++) {
			if ((unsigned char)jerr.text[i] < 0x20 ||
			    (unsigned char)jerr.text[i] >= 0x7f)
				jerr.text[i] = '?';
		}
		snprintf(d.err->msg, sizeof(d.err->msg), "not JSON: line %d column %d: %s",
		         jerr.line, jerr.column, jerr.text);
		return -1;
	}
	/* root: owned here, released below; everything under it is borrowed. */
	rc = dec_report(&d, root, out);
	json_decref(root);
	if (rc == -1)
		report_free(out);
	return rc;
}

int
report_json_ack(const char *body, size_t len, const char *report_id)
{
	json_error_t jerr;
	json_t *root, *id, *status, *host;
	int ok;

	if (body == NULL || report_id == NULL || len > REPORT_MAX_STRING)
		return 0;
	/* root: new, released below; its members borrowed */
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return 0;
	id = json_object_get(root, "report_id");
	status = json_object_get(root, "status");
	host = json_object_get(root, "host");
	ok = json_is_object(root) && json_is_string(status) && json_is_string(host) &&
	     json_is_string(id) && strcasecmp(json_string_value(id), report_id) == 0;
	json_decref(root);
	return ok;
}
