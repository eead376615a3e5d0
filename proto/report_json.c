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
#include "proto/json_writer.h"
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

/* Written straight into a json_writer, as jansson wrote the same tree with
 * JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) (the agent built the tree
 * and dumped it: 38% of its instructions).  Any failure is the writer's. */
struct enc {
	struct json_writer w;
	int flags; /* REPORT_JSON_* */
};

static void
key(struct enc *e, const char *k)
{
	json_writer_key(&e->w, k, strlen(k));
}

/* A cleaned string (text_clean: valid UTF-8, no control characters, at
 * most REPORT_MAX_STRING bytes); printable ASCII needs no copy. */
static void
enc_strn(struct enc *e, const char *s, size_t len)
{
	size_t i, n;
	char *c;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			break;
	if (i == len && len <= REPORT_MAX_STRING) {
		json_writer_string(&e->w, s, len);
		return;
	}
	if ((c = text_clean(s, len, &n)) == NULL) {
		e->w.failed = 1;
		return;
	}
	json_writer_string(&e->w, c, n);
	free(c);
}

static void
enc_str(struct enc *e, const char *s)
{
	if (s == NULL)
		json_writer_null(&e->w);
	else
		enc_strn(e, s, strlen(s));
}

/* A fixed char array: empty (or unset) is unknown. */
static void
enc_fixed(struct enc *e, const char *buf, size_t size)
{
	size_t n = strnlen(buf, size);

	if (n == 0)
		json_writer_null(&e->w);
	else
		enc_strn(e, buf, n);
}

/* PCI addresses are lowercase, as sysfs prints them, so a decoder that
 * lowercases sees the same text. */
static void
enc_address(struct enc *e, const char *addr)
{
	char buf[REPORT_ADDR_MAX];
	size_t i, n = strnlen(addr, sizeof(buf));

	if (n == 0 || n >= sizeof(buf)) {
		if (n == 0)
			json_writer_null(&e->w);
		else
			enc_strn(e, addr, n);
		return;
	}
	for (i = 0; i < n; i++)
		buf[i] = (addr[i] >= 'A' && addr[i] <= 'F') ? addr[i] - 'A' + 'a' : addr[i];
	enc_strn(e, buf, n);
}

static void
enc_tri(struct enc *e, enum tristate t)
{
	if (t == TRI_TRUE || t == TRI_FALSE)
		json_writer_bool(&e->w, t == TRI_TRUE);
	else
		json_writer_null(&e->w);
}

/* "10de" / "030000": digits lowercase hex digits, null outside 0..max. */
static void
enc_hex(struct enc *e, long v, int digits, long max)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];
	int i;

	if (v < 0 || v > max || digits > (int)sizeof(buf)) {
		json_writer_null(&e->w);
		return;
	}
	/* "%0*lx" without the printf machinery (five per device); every
	 * caller's max fits in its digits */
	for (i = digits - 1; i >= 0; i--, v >>= 4)
		buf[i] = hex[v & 0xf];
	json_writer_string(&e->w, buf, (size_t)digits);
}

/* A member: its key, then its value. */
static void
str_member(struct enc *e, const char *k, const char *s)
{
	key(e, k);
	enc_str(e, s);
}

static void
tri_member(struct enc *e, const char *k, enum tristate t)
{
	key(e, k);
	enc_tri(e, t);
}

static void
hex_member(struct enc *e, const char *k, long v, int digits, long max)
{
	key(e, k);
	enc_hex(e, v, digits, max);
}

static void
enc_count(struct enc *e, unsigned long v)
{
	if (v > (unsigned long)LONG_MAX)
		v = (unsigned long)LONG_MAX;
	json_writer_int(&e->w, (long long)v);
}

static void
enc_int_or_null(struct enc *e, long long v)
{
	if (v < 0)
		json_writer_null(&e->w);
	else
		json_writer_int(&e->w, v);
}

static void
enc_strlist(struct enc *e, const struct strlist *l)
{
	size_t i;

	json_writer_array(&e->w);
	for (i = 0; i < l->n; i++)
		enc_str(e, l->v[i]);
	json_writer_end(&e->w);
}

static const char *
enc_verdict(enum verdict v)
{
	if (v != VERDICT_READY && v != VERDICT_NOT_READY)
		v = VERDICT_UNKNOWN;
	return verdict_name(v);
}

static void
enc_name(struct enc *e, const char *s)
{
	json_writer_string(&e->w, s, strlen(s));
}

/* A key added later in version 1 (FORMAT.md, note 1) whose value is
 * unknown: a decoder takes it absent as unknown, so
 * REPORT_JSON_OMIT_UNKNOWN leaves it out and nothing is lost.  1 when the
 * member is written (its key then is). */
static int
later(struct enc *e, const char *k, int unknown)
{
	if (unknown && (e->flags & REPORT_JSON_OMIT_UNKNOWN))
		return 0;
	key(e, k);
	return 1;
}

/* The whole-group preflight keys of a device (added in version 1). */
static void
enc_preflight(struct enc *e, const struct report_device *d)
{
	if (later(e, "role", d->role == NULL))
		enc_str(e, d->role);
	if (later(e, "critical", d->critical == NULL))
		enc_str(e, d->critical);
	if (later(e, "driver_override", d->driver_override == NULL))
		enc_str(e, d->driver_override);
	if (d->sriov_totalvfs >= 0) {
		key(e, "sriov");
		json_writer_object(&e->w);
		key(e, "totalvfs");
		json_writer_int(&e->w, d->sriov_totalvfs);
		key(e, "numvfs");
		enc_int_or_null(e, d->sriov_numvfs);
		json_writer_end(&e->w);
	} else if (later(e, "sriov", 1)) {
		json_writer_null(&e->w);
	}
	if (later(e, "physfn", !d->physfn[0]))
		enc_address(e, d->physfn);
	if (later(e, "acs", d->acs != TRI_TRUE && d->acs != TRI_FALSE))
		enc_tri(e, d->acs);
	if (later(e, "resettable", d->resettable != TRI_TRUE && d->resettable != TRI_FALSE))
		enc_tri(e, d->resettable);
	key(e, "preflight");
	json_writer_object(&e->w);
	key(e, "verdict");
	enc_name(e, enc_verdict(d->preflight));
	key(e, "blockers");
	enc_strlist(e, &d->blockers);
	key(e, "warnings");
	enc_strlist(e, &d->warnings);
	json_writer_end(&e->w);
}

static void
enc_device(struct enc *e, const struct report_device *d)
{
	json_writer_object(&e->w);
	key(e, "address");
	enc_address(e, d->address);
	hex_member(e, "vendor_id", d->vendor_id, 4, 0xffff);
	hex_member(e, "device_id", d->device_id, 4, 0xffff);
	hex_member(e, "subsystem_vendor_id", d->subsystem_vendor_id, 4, 0xffff);
	hex_member(e, "subsystem_device_id", d->subsystem_device_id, 4, 0xffff);
	hex_member(e, "class", d->class_code, 6, 0xffffff);
	str_member(e, "name", d->name);
	str_member(e, "driver", d->driver);
	key(e, "reset_methods");
	enc_strlist(e, &d->reset_methods);
	tri_member(e, "boot_vga", d->boot_vga);
	key(e, "passthrough");
	json_writer_object(&e->w);
	key(e, "verdict");
	enc_name(e, enc_verdict(d->verdict));
	tri_member(e, "isolated", d->isolated);
	key(e, "reasons");
	enc_strlist(e, &d->reasons);
	json_writer_end(&e->w);
	enc_preflight(e, d);
	json_writer_end(&e->w);
}

static void
enc_devices(struct enc *e, const struct report_device *v, size_t n)
{
	size_t i;

	json_writer_array(&e->w);
	for (i = 0; i < n; i++)
		enc_device(e, &v[i]);
	json_writer_end(&e->w);
}

static void
enc_region(struct enc *e, const struct report_region *rg)
{
	char buf[32];
	int n;

	json_writer_object(&e->w);
	key(e, "start");
	n = snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)rg->start);
	json_writer_string(&e->w, buf, (size_t)n);
	key(e, "end");
	n = snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)rg->end);
	json_writer_string(&e->w, buf, (size_t)n);
	str_member(e, "type", rg->type);
	json_writer_end(&e->w);
}

static void
enc_group(struct enc *e, const struct report_group *g)
{
	size_t i;

	json_writer_object(&e->w);
	key(e, "id");
	enc_int_or_null(e, g->id);
	str_member(e, "type", g->type);
	key(e, "devices");
	enc_devices(e, g->devices, g->ndevices);
	key(e, "reserved_regions");
	json_writer_array(&e->w);
	for (i = 0; i < g->nregions; i++)
		enc_region(e, &g->regions[i]);
	json_writer_end(&e->w);
	if (later(e, "vfio_dev", g->vfio_dev != TRI_TRUE && g->vfio_dev != TRI_FALSE))
		enc_tri(e, g->vfio_dev);
	json_writer_end(&e->w);
}

static void
enc_host(struct enc *e, const struct report_host *h)
{
	json_writer_object(&e->w);
	str_member(e, "hostname", h->hostname);
	str_member(e, "machine_id", h->machine_id);
	str_member(e, "kernel", h->kernel);
	str_member(e, "os", h->os);
	key(e, "dmi");
	json_writer_object(&e->w);
	str_member(e, "sys_vendor", h->dmi.sys_vendor);
	str_member(e, "product_name", h->dmi.product_name);
	str_member(e, "bios_version", h->dmi.bios_version);
	str_member(e, "bios_date", h->dmi.bios_date);
	json_writer_end(&e->w);
	key(e, "cpu");
	json_writer_object(&e->w);
	str_member(e, "vendor", h->cpu.vendor);
	str_member(e, "model", h->cpu.model);
	str_member(e, "virtualization", h->cpu.virtualization);
	json_writer_end(&e->w);
	json_writer_end(&e->w);
}

/* Each key once, where it first appears, with the value of its last
 * occurrence: the last one wins, as it does for the kernel (and as a JSON
 * object set twice kept it).  Keys are cleaned once each, then compared. */
static void
enc_params(struct enc *e, const struct report_cmdline *c)
{
	char **keys;
	size_t i, j, last;

	json_writer_object(&e->w);
	if (c->nparams > 0 && (keys = calloc(c->nparams, sizeof(*keys))) == NULL)
		e->w.failed = 1;
	if (c->nparams == 0 || e->w.failed) {
		json_writer_end(&e->w);
		return;
	}
	for (i = 0; i < c->nparams; i++)
		if (c->params[i].key != NULL &&
		    (keys[i] = text_clean(c->params[i].key, strlen(c->params[i].key), NULL)) ==
		            NULL)
			e->w.failed = 1;
	for (i = 0; i < c->nparams && !e->w.failed; i++) {
		if (keys[i] == NULL)
			continue;
		for (j = 0; j < i && (keys[j] == NULL || strcmp(keys[j], keys[i]) != 0); j++)
			;
		if (j < i)
			continue; /* written where it first appeared */
		for (last = i, j = i + 1; j < c->nparams; j++)
			if (keys[j] != NULL && strcmp(keys[j], keys[i]) == 0)
				last = j;
		key(e, keys[i]);
		enc_str(e, c->params[last].value);
	}
	for (i = 0; i < c->nparams; i++)
		free(keys[i]);
	free(keys);
	json_writer_end(&e->w);
}

static void
enc_cmdline(struct enc *e, const struct report_cmdline *c)
{
	json_writer_object(&e->w);
	str_member(e, "raw", c->raw);
	key(e, "params");
	enc_params(e, c);
	key(e, "warnings");
	enc_strlist(e, &c->warnings);
	json_writer_end(&e->w);
}

static void
enc_iommu(struct enc *e, const struct report_iommu *m)
{
	size_t i;

	json_writer_object(&e->w);
	str_member(e, "vendor", m->vendor);
	tri_member(e, "enabled", m->enabled);
	str_member(e, "default_domain", m->default_domain);
	key(e, "interrupt_remapping");
	json_writer_object(&e->w);
	tri_member(e, "enabled", m->interrupt_remapping.enabled);
	str_member(e, "mode", m->interrupt_remapping.mode);
	tri_member(e, "x2apic_optout", m->interrupt_remapping.x2apic_optout);
	json_writer_end(&e->w);
	key(e, "units");
	enc_int_or_null(e, m->units);
	key(e, "groups");
	json_writer_array(&e->w);
	for (i = 0; i < m->ngroups; i++)
		enc_group(e, &m->groups[i]);
	json_writer_end(&e->w);
	key(e, "ungrouped_devices");
	enc_devices(e, m->ungrouped, m->nungrouped);
	json_writer_end(&e->w);
}

static void
enc_kernel_log(struct enc *e, const struct report_kernel_log *k)
{
	const struct report_logline *l;
	const struct report_fault *f;
	size_t i;

	json_writer_object(&e->w);
	str_member(e, "source", k->source);
	tri_member(e, "complete", k->complete);
	key(e, "lines");
	json_writer_array(&e->w);
	for (i = 0; i < k->nlines; i++) {
		l = &k->lines[i];
		json_writer_object(&e->w);
		/* NaN and infinities are no JSON; negative means none; -0.0
		 * is written as 0.0 */
		key(e, "time");
		if (isfinite(l->time) && l->time >= 0)
			json_writer_real(&e->w, l->time + 0.0);
		else
			json_writer_null(&e->w);
		key(e, "level");
		enc_int_or_null(e, l->level <= 7 ? l->level : -1);
		str_member(e, "text", l->text);
		json_writer_end(&e->w);
	}
	json_writer_end(&e->w);
	key(e, "faults");
	json_writer_array(&e->w);
	for (i = 0; i < k->nfaults; i++) {
		f = &k->faults[i];
		json_writer_object(&e->w);
		key(e, "address");
		enc_address(e, f->address);
		str_member(e, "kind", f->kind);
		str_member(e, "reason", f->reason);
		key(e, "count");
		enc_count(e, f->count);
		json_writer_end(&e->w);
	}
	json_writer_end(&e->w);
	key(e, "fault_total");
	enc_count(e, k->fault_total);
	key(e, "firmware_bugs");
	enc_count(e, k->firmware_bugs);
	json_writer_end(&e->w);
}

static void
enc_checks(struct enc *e, const struct report *r)
{
	const struct report_check *c;
	enum check_status st;
	size_t i;

	json_writer_array(&e->w);
	for (i = 0; i < r->nchecks; i++) {
		c = &r->checks[i];
		st = c->status;
		if (st != CHECK_PASS && st != CHECK_WARN && st != CHECK_FAIL)
			st = CHECK_UNKNOWN;
		json_writer_object(&e->w);
		str_member(e, "id", c->id);
		key(e, "status");
		enc_name(e, check_status_name(st));
		str_member(e, "summary", c->summary);
		str_member(e, "evidence", c->evidence);
		json_writer_end(&e->w);
	}
	json_writer_end(&e->w);
}

char *
report_json_encode(const struct report *r, int flags)
{
	struct enc e;

	if (r == NULL)
		return NULL;
	json_writer_init(&e.w, (flags & REPORT_JSON_PRETTY) != 0);
	e.flags = flags;
	json_writer_object(&e.w);
	key(&e, "format");
	enc_name(&e, REPORT_FORMAT);
	key(&e, "version");
	json_writer_int(&e.w, REPORT_VERSION);
	key(&e, "report_id");
	enc_fixed(&e, r->report_id, sizeof(r->report_id));
	key(&e, "collected_at");
	enc_fixed(&e, r->collected_at, sizeof(r->collected_at));
	key(&e, "agent");
	json_writer_object(&e.w);
	str_member(&e, "version", r->agent_version);
	json_writer_end(&e.w);
	key(&e, "host");
	enc_host(&e, &r->host);
	key(&e, "cmdline");
	enc_cmdline(&e, &r->cmdline);
	key(&e, "iommu");
	enc_iommu(&e, &r->iommu);
	key(&e, "kernel_log");
	enc_kernel_log(&e, &r->kernel_log);
	key(&e, "checks");
	enc_checks(&e, r);
	key(&e, "verdict");
	enc_name(&e, enc_verdict(r->verdict));
	str_member(&e, "reason", r->reason);
	key(&e, "errors");
	enc_strlist(&e, &r->errors);
	json_writer_end(&e.w);
	return json_writer_finish(&e.w);
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
	    (json_object_get(o, "acs") != NULL &&
	     get_tristate(d, o, path, "acs", &dev->acs) == -1) ||
	    (json_object_get(o, "resettable") != NULL &&
	     get_tristate(d, o, path, "resettable", &dev->resettable) == -1))
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
	if (root == NULL && lz.refused)
		return fail(&d, lz.path, "%s", lz.why);
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
