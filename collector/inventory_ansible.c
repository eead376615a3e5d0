/*
 * inventory_ansible.c - an Ansible inventory's groups, host patterns and
 * vars, flattened into pull's hosts (pure, no I/O).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_ansible.h"

struct ansible_group *
ansible_group(struct ansible_inv *a, const char *name, size_t len)
{
	struct ansible_group *g;
	size_t i;

	for (i = 0; i < a->ngroups; i++)
		if (strlen(a->groups[i].name) == len && memcmp(a->groups[i].name, name, len) == 0)
			return &a->groups[i];
	if (a->ngroups >= ANSIBLE_GROUPS_MAX)
		return NULL;
	g = reallocarray(a->groups, a->ngroups + 1, sizeof(*g));
	if (g == NULL)
		return NULL;
	a->groups = g;
	g = &a->groups[a->ngroups];
	memset(g, 0, sizeof(*g));
	if ((g->name = strndup(name, len)) == NULL)
		return NULL;
	a->ngroups++;
	return g;
}

struct ansible_hostref *
ansible_add_host(struct ansible_group *g, const char *pattern, int line)
{
	struct ansible_hostref *r;

	r = reallocarray(g->hosts, g->nhosts + 1, sizeof(*r));
	if (r == NULL)
		return NULL;
	g->hosts = r;
	r = &g->hosts[g->nhosts];
	memset(r, 0, sizeof(*r));
	if ((r->pattern = strdup(pattern)) == NULL)
		return NULL;
	r->line = line;
	g->nhosts++;
	return r;
}

int
ansible_add_child(struct ansible_inv *a, struct ansible_group *g, const char *name, size_t len)
{
	char **c, *copy;
	size_t gi = (size_t)(g - a->groups), i;

	/* the child may be new: make it first, g may move */
	if (ansible_group(a, name, len) == NULL)
		return -1;
	g = &a->groups[gi];
	for (i = 0; i < g->nchildren; i++)
		if (strlen(g->children[i]) == len && memcmp(g->children[i], name, len) == 0)
			return 0; /* named again */
	if ((copy = strndup(name, len)) == NULL)
		return -1;
	if ((c = reallocarray(g->children, g->nchildren + 1, sizeof(*c))) == NULL) {
		free(copy);
		return -1;
	}
	g->children = c;
	g->children[g->nchildren++] = copy;
	return 0;
}

int
ansible_set_var(struct ansible_vars *v, const char *key, const char *value)
{
	struct ansible_var *nv;
	char *copy;
	size_t i;

	if ((copy = strdup(value)) == NULL)
		return -1;
	for (i = 0; i < v->n; i++) {
		if (strcmp(v->v[i].key, key) == 0) {
			free(v->v[i].value);
			v->v[i].value = copy;
			return 0;
		}
	}
	if (v->n >= ANSIBLE_VARS_MAX || (nv = reallocarray(v->v, v->n + 1, sizeof(*nv))) == NULL) {
		free(copy);
		return -1;
	}
	v->v = nv;
	if ((nv[v->n].key = strdup(key)) == NULL) {
		free(copy);
		return -1;
	}
	nv[v->n++].value = copy;
	return 0;
}

static const char *
var_get(const struct ansible_vars *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i].key, key) == 0)
			return v->v[i].value;
	return NULL;
}

static void
vars_free(struct ansible_vars *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].key);
		free(v->v[i].value);
	}
	free(v->v);
}

void
ansible_inv_free(struct ansible_inv *a)
{
	size_t i, j;

	for (i = 0; i < a->ngroups; i++) {
		struct ansible_group *g = &a->groups[i];

		for (j = 0; j < g->nhosts; j++) {
			free(g->hosts[j].pattern);
			vars_free(&g->hosts[j].vars);
		}
		for (j = 0; j < g->nchildren; j++)
			free(g->children[j]);
		free(g->hosts);
		free(g->children);
		vars_free(&g->vars);
		free(g->name);
	}
	free(a->groups);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------- ranges */

struct expand {
	size_t max, n;
	int (*cb)(void *, const char *);
	void *arg;
	char *err;
	size_t errlen;
};

/* One range "[a:b]" or "[a:b:step]" (text between the brackets): its
 * bounds, step, and the zero-padding width of numbers (0: letters). */
static int
range_parse(const char *s, size_t n, long *lo, long *hi, long *step, int *width)
{
	char buf[64], *f[3], *end;
	size_t nf = 0;
	char *p;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (p = buf, f[nf++] = p; *p != '\0'; p++) {
		if (*p == ':') {
			if (nf == 3)
				return -1;
			*p = '\0';
			f[nf++] = p + 1;
		}
	}
	if (nf < 2)
		return -1;
	*step = 1;
	if (nf == 3 && ((*step = strtol(f[2], &end, 10)) < 1 || *end != '\0' || f[2][0] == '\0'))
		return -1;
	if (*step > 999999999)
		return -1; /* no range is longer: v + step stays within a long */
	if (strlen(f[0]) == 1 && strlen(f[1]) == 1 && f[0][0] >= 'a' && f[0][0] <= 'z' &&
	    f[1][0] >= 'a' && f[1][0] <= 'z') {
		*lo = f[0][0];
		*hi = f[1][0];
		*width = 0;
		return *lo <= *hi ? 0 : -1;
	}
	if (f[0][0] < '0' || f[0][0] > '9' || f[1][0] < '0' || f[1][0] > '9')
		return -1;
	*lo = strtol(f[0], &end, 10);
	if (*end != '\0' || strlen(f[0]) > 9)
		return -1;
	*hi = strtol(f[1], &end, 10);
	if (*end != '\0' || strlen(f[1]) > 9 || *lo > *hi)
		return -1;
	*width = f[0][0] == '0' && strlen(f[0]) > 1 ? (int)strlen(f[0]) : 1;
	return 0;
}

/* Expand pattern[0..] after the prefix already built in name. */
static int
expand_at(struct expand *x, const char *pattern, char *name, size_t nlen, size_t cap)
{
	const char *open = strchr(pattern, '['), *close;
	long lo, hi, step, v;
	size_t plen;
	int width, w;

	if (open == NULL) {
		if (nlen + strlen(pattern) >= cap)
			goto toolong;
		strcpy(name + nlen, pattern);
		if (++x->n > x->max) {
			snprintf(x->err, x->errlen, "more than %zu hosts", x->max);
			return -1;
		}
		return x->cb(x->arg, name);
	}
	if ((close = strchr(open, ']')) == NULL ||
	    range_parse(open + 1, (size_t)(close - open - 1), &lo, &hi, &step, &width) == -1) {
		snprintf(x->err, x->errlen, "bad range in \"%.64s\" (web[01:20], db-[a:c])",
		         pattern);
		return -1;
	}
	plen = (size_t)(open - pattern);
	if (nlen + plen + 16 >= cap)
		goto toolong;
	memcpy(name + nlen, pattern, plen);
	for (v = lo; v <= hi; v += step) {
		if (width == 0)
			w = snprintf(name + nlen + plen, 16, "%c", (int)v);
		else
			w = snprintf(name + nlen + plen, 16, "%0*ld", width, v);
		if (expand_at(x, close + 1, name, nlen + plen + (size_t)w, cap) == -1)
			return -1;
	}
	return 0;
toolong:
	snprintf(x->err, x->errlen, "host name too long in \"%.64s\"", pattern);
	return -1;
}

int
ansible_expand(const char *pattern, size_t max, int (*cb)(void *, const char *), void *arg,
               char *err, size_t errlen)
{
	struct expand x = {max, 0, cb, arg, err, errlen};
	char name[INVENTORY_NAME_MAX + 16];

	err[0] = '\0';
	return expand_at(&x, pattern, name, 0, INVENTORY_NAME_MAX);
}

/* ------------------------------------------------------------ flatten */

/* One host of one group, as the patterns expand. */
struct member {
	char *name;
	size_t group;
	const struct ansible_hostref *ref;
	size_t seq; /* order of appearance */
};

struct flat {
	const struct ansible_inv *a;
	struct member *m;
	size_t n, cap;
	size_t group;
	const struct ansible_hostref *ref;
	unsigned char *anc; /* ngroups x ngroups: anc[g * ng + p], p is g or above it */
	int *depth;
};

static int
member_add(void *arg, const char *name)
{
	struct flat *f = arg;
	struct member *m;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		if ((m = reallocarray(f->m, f->cap, sizeof(*m))) == NULL)
			return -1;
		f->m = m;
	}
	if ((f->m[f->n].name = strdup(name)) == NULL)
		return -1;
	f->m[f->n].group = f->group;
	f->m[f->n].ref = f->ref;
	f->m[f->n].seq = f->n;
	f->n++;
	return 0;
}

static int
cmp_member(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static size_t
group_index(const struct ansible_inv *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i].name, name) == 0)
			return i;
	return a->ngroups;
}

/* anc[c][p] for every group c and each group p it sits in, itself too;
 * depth: the longest chain of parents above a group. */
static int
ancestry(struct flat *f, char *err, size_t errlen)
{
	size_t ng = f->a->ngroups, i, j, k, round;
	int changed = 1;

	f->anc = calloc(ng * ng + 1, 1);
	f->depth = calloc(ng + 1, sizeof(*f->depth));
	if (f->anc == NULL || f->depth == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < ng; i++)
		f->anc[i * ng + i] = 1;
	/* a parent's ancestors are its children's, to a fixed point */
	for (round = 0; changed; round++) {
		if (round > ng) {
			snprintf(err, errlen, "groups are their own children");
			return -1;
		}
		changed = 0;
		for (i = 0; i < ng; i++) {
			for (j = 0; j < f->a->groups[i].nchildren; j++) {
				size_t c = group_index(f->a, f->a->groups[i].children[j]);

				if (c == i) {
					snprintf(err, errlen, "group \"%.64s\" is its own child",
					         f->a->groups[i].name);
					return -1;
				}
				for (k = 0; k < ng; k++) {
					if (f->anc[i * ng + k] && !f->anc[c * ng + k]) {
						f->anc[c * ng + k] = 1;
						changed = 1;
					}
				}
				/* every group is in all: being listed under it
				 * makes a group no deeper (Ansible's order) */
				if (strcmp(f->a->groups[i].name, "all") != 0 &&
				    f->depth[c] < f->depth[i] + 1) {
					f->depth[c] = f->depth[i] + 1;
					changed = 1;
				}
			}
		}
	}
	/* every group is in all, whether the inventory says so or not */
	if ((i = group_index(f->a, "all")) < ng) {
		for (k = 0; k < ng; k++)
			f->anc[k * ng + i] = 1;
		f->depth[i] = -1;
	}
	return 0;
}

/* Apply a group's vars, or a host's, to the values read. */
struct hostvals {
	const char *host, *port, *user, *command, *agent;
};

static void
take_vars(struct hostvals *hv, const struct ansible_vars *v)
{
	const char *s;

	if ((s = var_get(v, "ansible_ssh_host")) != NULL || (s = var_get(v, "ansible_host")))
		hv->host = s;
	if ((s = var_get(v, "ansible_ssh_port")) != NULL || (s = var_get(v, "ansible_port")))
		hv->port = s;
	if ((s = var_get(v, "ansible_ssh_user")) != NULL || (s = var_get(v, "ansible_user")))
		hv->user = s;
	if ((s = var_get(v, "iommu_fleet_command")) != NULL)
		hv->command = s;
	if ((s = var_get(v, "iommu_fleet_agent")) != NULL)
		hv->agent = s;
}

static int
cmp_group_order(const void *x, const void *y, void *arg)
{
	const struct flat *f = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;

	if (f->depth[a] != f->depth[b])
		return f->depth[a] - f->depth[b];
	return strcmp(f->a->groups[a].name, f->a->groups[b].name);
}

static int
cmp_group_name(const void *x, const void *y, void *arg)
{
	const struct flat *f = arg;

	return strcmp(f->a->groups[*(const size_t *)x].name, f->a->groups[*(const size_t *)y].name);
}

/* The host whose members are m[0..n): its groups and vars into inv. */
static int
flatten_host(struct flat *f, const struct member *m, size_t n, struct inventory *inv, char *err,
             size_t errlen)
{
	size_t ng = f->a->ngroups, i, g, k, *in, nin = 0, len = 0;
	struct hostvals hv = {0};
	struct inventory_host h;
	char groups[INVENTORY_TAGS_MAX], why[200];
	int rc = -1;

	if ((in = calloc(ng + 1, sizeof(*in))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (g = 0; g < ng; g++)
		for (i = 0; i < n; i++)
			if (f->anc[m[i].group * ng + g]) {
				in[nin++] = g;
				break;
			}
	/* vars: the shallowest groups first, so a child's win */
	qsort_r(in, nin, sizeof(*in), cmp_group_order, f);
	for (k = 0; k < nin; k++)
		take_vars(&hv, &f->a->groups[in[k]].vars);
	/* the groups recorded: by name */
	qsort_r(in, nin, sizeof(*in), cmp_group_name, f);
	groups[0] = '\0';
	for (k = 0; k < nin; k++) {
		const char *name = f->a->groups[in[k]].name;

		if (strcmp(name, "all") == 0 || strcmp(name, "ungrouped") == 0)
			continue;
		if (len + strlen(name) + 2 > sizeof(groups)) {
			snprintf(err, errlen, "%.64s: in too many groups", m[0].name);
			goto out;
		}
		len += (size_t)snprintf(groups + len, sizeof(groups) - len, "%s%s",
		                        len > 0 ? "," : "", name);
	}
	for (i = 0; i < n; i++)
		take_vars(&hv, &m[i].ref->vars);
	if (inventory_host_make(&h, m[0].name, hv.host, hv.user, hv.port, groups, hv.command,
	                        hv.agent, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "line %d: %.64s: %s", m[0].ref->line, m[0].name, why);
		goto out;
	}
	h.line = m[0].ref->line;
	if (inventory_append(inv, &h, why, sizeof(why)) == -1) {
		inventory_host_clear(&h);
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	rc = 0;
out:
	free(in);
	return rc;
}

/* The groups' names sorted, so flatten_host lists a host's groups in order. */
static int
cmp_first_seq(const void *x, const void *y)
{
	const struct member *const *a = x, *const *b = y;

	return ((*a)->seq > (*b)->seq) - ((*a)->seq < (*b)->seq);
}

int
ansible_flatten(const struct ansible_inv *a, struct inventory *inv, char *err, size_t errlen)
{
	struct flat f = {0};
	struct member **first = NULL;
	size_t i, j, nfirst = 0, start;
	int rc = -1;

	f.a = a;
	for (i = 0; i < a->ngroups; i++) {
		for (j = 0; j < a->groups[i].nhosts; j++) {
			f.group = i;
			f.ref = &a->groups[i].hosts[j];
			if (ansible_expand(f.ref->pattern, INVENTORY_HOSTS_MAX - f.n, member_add,
			                   &f, err, errlen) == -1) {
				if (err[0] == '\0')
					snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
	}
	if (ancestry(&f, err, errlen) == -1)
		goto out;
	qsort(f.m, f.n, sizeof(*f.m), cmp_member);
	if ((first = calloc(f.n + 1, sizeof(*first))) == NULL)
		goto oom;
	/* one run of members per host; hosts in the order they first appear */
	for (start = 0; start < f.n; start = i) {
		for (i = start; i < f.n && strcmp(f.m[i].name, f.m[start].name) == 0; i++)
			;
		first[nfirst++] = &f.m[start];
	}
	qsort(first, nfirst, sizeof(*first), cmp_first_seq);
	for (j = 0; j < nfirst; j++) {
		start = (size_t)(first[j] - f.m);
		for (i = start; i < f.n && strcmp(f.m[i].name, f.m[start].name) == 0; i++)
			;
		if (flatten_host(&f, &f.m[start], i - start, inv, err, errlen) == -1)
			goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	for (i = 0; i < f.n; i++)
		free(f.m[i].name);
	free(f.m);
	free(first);
	free(f.anc);
	free(f.depth);
	return rc;
}
