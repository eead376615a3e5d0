/*
 * inventory_ansible.c - an Ansible inventory's groups, host patterns and
 * vars, flattened into pull's hosts (pure, no I/O).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/inventory_ansible.h"

static const char *
group_name(const void *groups, size_t i)
{
	return ((const struct ansible_group *)groups)[i].name;
}

static const char *
child_name(const void *children, size_t i)
{
	return ((char *const *)children)[i];
}

size_t
ansible_group_find(const struct ansible_inv *a, const char *name)
{
	size_t i = name_index_find(&a->index, a->groups, group_name, name, strlen(name));

	return i != SIZE_MAX ? i : a->ngroups;
}

struct ansible_group *
ansible_group(struct ansible_inv *a, const char *name, size_t len)
{
	struct ansible_group *g;
	size_t i;

	if ((i = name_index_find(&a->index, a->groups, group_name, name, len)) != SIZE_MAX)
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
	if (name_index_sync(&a->index, a->groups, a->ngroups, group_name) == -1) {
		a->ngroups--;
		free(g->name);
		return NULL;
	}
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
	size_t gi = (size_t)(g - a->groups);

	/* the child may be new: make it first, g may move */
	if (ansible_group(a, name, len) == NULL)
		return -1;
	g = &a->groups[gi];
	if (name_index_find(&g->kids, g->children, child_name, name, len) != SIZE_MAX)
		return 0; /* named again */
	if ((copy = strndup(name, len)) == NULL)
		return -1;
	if ((c = reallocarray(g->children, g->nchildren + 1, sizeof(*c))) == NULL) {
		free(copy);
		return -1;
	}
	g->children = c;
	g->children[g->nchildren++] = copy;
	if (name_index_sync(&g->kids, g->children, g->nchildren, child_name) == -1) {
		free(g->children[--g->nchildren]);
		return -1;
	}
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
		name_index_free(&g->kids);
		vars_free(&g->vars);
		free(g->name);
	}
	free(a->groups);
	name_index_free(&a->index);
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
	uint64_t *anc; /* ngroups rows of words bits: bit p of row g, p is g or above it */
	size_t words;
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

/* ------------------------------------------------------------ ancestry */

/* The parents of every group (who names it under children), as indexes:
 * parent[pstart[g] .. pstart[g + 1]), and the walk's state. */
struct anc_walk {
	struct flat *f;
	size_t *pstart, *parent;
	unsigned char *state; /* 0 not seen, 1 on the path, 2 done */
	size_t *path, npath;
	size_t all; /* the group all, or ngroups */
};

/* Every child name resolved once, into the parent lists: 0 or -1. */
static int
anc_parents(struct anc_walk *w)
{
	const struct ansible_inv *a = w->f->a;
	size_t ng = a->ngroups, i, j, c, e = 0, *fill;

	for (i = 0; i < ng; i++)
		e += a->groups[i].nchildren;
	if ((w->parent = calloc(e + 1, sizeof(*w->parent))) == NULL ||
	    (fill = calloc(ng + 1, sizeof(*fill))) == NULL)
		return -1;
	for (i = 0; i < ng; i++)
		for (j = 0; j < a->groups[i].nchildren; j++)
			if ((c = ansible_group_find(a, a->groups[i].children[j])) < ng)
				w->pstart[c + 1]++;
	for (i = 0; i < ng; i++)
		w->pstart[i + 1] += w->pstart[i];
	for (i = 0; i < ng; i++)
		for (j = 0; j < a->groups[i].nchildren; j++)
			if ((c = ansible_group_find(a, a->groups[i].children[j])) < ng)
				w->parent[w->pstart[c] + fill[c]++] = i;
	free(fill);
	return 0;
}

/* The cycle that closes at group g on the path, parent before child:
 * "a > b > a" (a has b among its children, b has a). */
static void
anc_cycle(const struct anc_walk *w, size_t g, char *err, size_t errlen)
{
	const struct ansible_inv *a = w->f->a;
	size_t i = w->npath, len;

	while (i > 0 && w->path[i - 1] != g)
		i--;
	i = i > 0 ? i - 1 : 0; /* g itself: the loop ends where it starts */
	len = (size_t)snprintf(err, errlen, "group \"%.64s\" is its own descendant: %.64s",
	                       a->groups[g].name, a->groups[g].name);
	/* the path runs child to parent: read it back from its end */
	for (size_t k = w->npath; k-- > i && len < errlen;)
		len += (size_t)snprintf(err + len, errlen - len, " > %.64s",
		                        a->groups[w->path[k]].name);
}

/* Group g's row and depth from its parents', each parent done first (a
 * memoised depth-first walk): 0, or -1 naming the cycle g is on. */
static int
anc_visit(struct anc_walk *w, size_t g, char *err, size_t errlen)
{
	struct flat *f = w->f;
	size_t k, p, x;

	if (w->state[g] == 2)
		return 0;
	if (w->state[g] == 1) {
		anc_cycle(w, g, err, errlen);
		return -1;
	}
	w->state[g] = 1;
	w->path[w->npath++] = g;
	f->anc[g * f->words + g / 64] |= (uint64_t)1 << (g % 64);
	for (k = w->pstart[g]; k < w->pstart[g + 1]; k++) {
		p = w->parent[k];
		if (anc_visit(w, p, err, errlen) == -1)
			return -1;
		for (x = 0; x < f->words; x++)
			f->anc[g * f->words + x] |= f->anc[p * f->words + x];
		/* every group is in all: being listed under it makes a group
		 * no deeper (Ansible's order) */
		if (p != w->all && f->depth[g] < f->depth[p] + 1)
			f->depth[g] = f->depth[p] + 1;
	}
	w->npath--;
	w->state[g] = 2;
	return 0;
}

/* The rows of anc for every group, and depth: the longest chain of
 * parents above a group.  Linear in the groups and their children (times
 * a row's words), where rounds to a fixed point were cubic. */
static int
ancestry(struct flat *f, char *err, size_t errlen)
{
	size_t ng = f->a->ngroups, i;
	struct anc_walk w = {f, NULL, NULL, NULL, NULL, 0, ng};
	int rc = -1;

	f->words = (ng + 63) / 64;
	f->anc = calloc(ng * f->words + 1, sizeof(*f->anc));
	f->depth = calloc(ng + 1, sizeof(*f->depth));
	w.pstart = calloc(ng + 2, sizeof(*w.pstart));
	w.state = calloc(ng + 1, 1);
	w.path = calloc(ng + 1, sizeof(*w.path));
	if (f->anc == NULL || f->depth == NULL || w.pstart == NULL || w.state == NULL ||
	    w.path == NULL || anc_parents(&w) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	w.all = ansible_group_find(f->a, "all");
	for (i = 0; i < ng; i++)
		if (anc_visit(&w, i, err, errlen) == -1)
			goto out;
	/* every group is in all, whether the inventory says so or not */
	if (w.all < ng) {
		for (i = 0; i < ng; i++)
			f->anc[i * f->words + w.all / 64] |= (uint64_t)1 << (w.all % 64);
		f->depth[w.all] = -1;
	}
	rc = 0;
out:
	free(w.pstart);
	free(w.parent);
	free(w.state);
	free(w.path);
	return rc;
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
	/* the groups at or above any of its members', in index order */
	for (k = 0; k < f->words; k++) {
		uint64_t bits = 0;

		for (i = 0; i < n; i++)
			bits |= f->anc[m[i].group * f->words + k];
		for (g = k * 64; bits != 0; bits >>= 1, g++)
			if (bits & 1)
				in[nin++] = g;
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

/* The first listing of each host by its place in the file (seq), so hosts
 * come out in the order the inventory lists them. */
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
	if (f.n > 0) /* f.m is NULL when no group has a host: not for qsort */
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
