/*
 * inventory_yaml.c - the libyaml adapter: an Ansible YAML inventory
 * (group: {hosts: {HOST: {VAR: VALUE}}, vars: {...}, children: {GROUP:
 * ...}}) into its groups, host patterns and vars.  Pure: no I/O.  libyaml
 * builds the document; the walk is bounded, since aliases can make a small
 * text a huge tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "collector/inventory_yaml.h"

#define YAML_DEPTH_MAX 64 /* children nested */

struct walk {
	yaml_document_t *doc;
	struct ansible_inv *a;
	size_t visits;
	size_t max_visits; /* without aliases a walk visits each node twice at most */
	char *err;
	size_t errlen;
};

static int
fail(struct walk *w, const yaml_node_t *n, const char *msg, const char *subject)
{
	int line = n != NULL ? (int)n->start_mark.line + 1 : 0;

	if (subject != NULL)
		snprintf(w->err, w->errlen, "line %d: %s: \"%.64s\"", line, msg, subject);
	else
		snprintf(w->err, w->errlen, "line %d: %s", line, msg);
	return -1;
}

static yaml_node_t *
node(struct walk *w, int id)
{
	w->visits++;
	return yaml_document_get_node(w->doc, id);
}

/* A scalar's text, or NULL for another kind of node. */
static const char *
scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* "", "~" and "null" written as a value: nothing. */
static int
is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	return n == NULL || (s != NULL && (s[0] == '\0' || strcmp(s, "~") == 0 ||
	                                   strcmp(s, "null") == 0 || strcmp(s, "Null") == 0));
}

/* VAR: VALUE pairs into v; values that are lists or maps do not matter
 * here and are left out. */
static int
vars(struct walk *w, const yaml_node_t *m, struct ansible_vars *v)
{
	yaml_node_pair_t *p;
	const char *k, *val;

	if (is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return fail(w, m, "vars: expected a mapping", NULL);
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		k = scalar(node(w, p->key));
		val = scalar(node(w, p->value));
		if (k == NULL)
			return fail(w, m, "vars: a key that is not text", NULL);
		if (val != NULL && ansible_set_var(v, k, val) == -1)
			return fail(w, m, "out of memory or too many vars", NULL);
	}
	return 0;
}

static int
hosts(struct walk *w, const yaml_node_t *m, struct ansible_group *g)
{
	struct ansible_hostref *r;
	yaml_node_pair_t *p;
	yaml_node_t *k;
	const char *name;

	if (is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return fail(w, m, "hosts: expected a mapping of host names", NULL);
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		k = node(w, p->key);
		if (w->visits > w->max_visits)
			return fail(w, k, "too large (aliases?)", NULL);
		if ((name = scalar(k)) == NULL || name[0] == '\0')
			return fail(w, k, "hosts: a host that is not a name", NULL);
		if ((r = ansible_add_host(g, name, (int)k->start_mark.line + 1)) == NULL)
			return fail(w, k, "out of memory", NULL);
		if (vars(w, node(w, p->value), &r->vars) == -1)
			return -1;
	}
	return 0;
}

static int group_body(struct walk *w, const char *name, const yaml_node_t *body, int depth);

static int
children(struct walk *w, size_t gi, const yaml_node_t *m, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	const char *name;

	if (is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return fail(w, m, "children: expected a mapping of group names", NULL);
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		k = node(w, p->key);
		if ((name = scalar(k)) == NULL || name[0] == '\0')
			return fail(w, k, "children: a group that is not a name", NULL);
		if (ansible_add_child(w->a, &w->a->groups[gi], name, strlen(name)) == -1)
			return fail(w, k, "out of memory or too many groups", NULL);
		if (group_body(w, name, node(w, p->value), depth + 1) == -1)
			return -1;
	}
	return 0;
}

/* One group: hosts, vars, children; nothing else is an Ansible key. */
static int
group_body(struct walk *w, const char *name, const yaml_node_t *body, int depth)
{
	struct ansible_group *g;
	yaml_node_pair_t *p;
	yaml_node_t *k;
	const char *key;
	size_t gi;

	if (depth > YAML_DEPTH_MAX || w->visits > w->max_visits)
		return fail(w, body, "too deep or too large (aliases?)", NULL);
	if ((g = ansible_group(w->a, name, strlen(name))) == NULL)
		return fail(w, body, "out of memory or too many groups", NULL);
	gi = (size_t)(g - w->a->groups);
	if (is_null(body))
		return 0;
	if (body->type != YAML_MAPPING_NODE)
		return fail(w, body, "a group: expected hosts, vars or children", name);
	for (p = body->data.mapping.pairs.start; p < body->data.mapping.pairs.top; p++) {
		k = node(w, p->key);
		key = scalar(k);
		if (key != NULL && strcmp(key, "hosts") == 0) {
			if (hosts(w, node(w, p->value), &w->a->groups[gi]) == -1)
				return -1;
		} else if (key != NULL && strcmp(key, "vars") == 0) {
			if (vars(w, node(w, p->value), &w->a->groups[gi].vars) == -1)
				return -1;
		} else if (key != NULL && strcmp(key, "children") == 0) {
			if (children(w, gi, node(w, p->value), depth) == -1)
				return -1;
		} else {
			/* a typo ("host:") would drop hosts without a word */
			return fail(w, k, "unknown key in a group (hosts, vars, children)",
			            key != NULL ? key : "?");
		}
	}
	return 0;
}

/* After the first document, the end of the text: 0, or -1 with err.
 * Ansible loads an inventory as a single document and refuses a file with
 * another one ("---" again, even empty), so reading only the first would
 * pull fewer hosts than Ansible sees none of. */
static int
one_document(yaml_parser_t *parser, char *err, size_t errlen)
{
	yaml_document_t next;
	int more;

	if (!yaml_parser_load(parser, &next)) {
		snprintf(err, errlen, "line %zu: %s", parser->problem_mark.line + 1,
		         parser->problem != NULL ? parser->problem : "not YAML");
		return -1;
	}
	more = yaml_document_get_root_node(&next) != NULL;
	if (more)
		snprintf(err, errlen,
		         "line %zu: a second YAML document (\"---\"): an inventory is one"
		         " document, as Ansible reads it; split the file or remove the marker",
		         next.start_mark.line + 1);
	yaml_document_delete(&next);
	return more ? -1 : 0;
}

int
inventory_yaml_parse(const char *text, size_t len, struct ansible_inv *a, char *err, size_t errlen)
{
	struct walk w = {NULL, a, 0, 0, err, errlen};
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *k;
	yaml_node_pair_t *p;
	const char *name;
	int rc = -1;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %zu: %s", parser.problem_mark.line + 1,
		         parser.problem != NULL ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	w.doc = &doc;
	w.max_visits = 2 * (size_t)(doc.nodes.top - doc.nodes.start) + 16;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		rc = 0; /* an empty file: no hosts */
		goto out;
	}
	if (one_document(&parser, err, errlen) == -1)
		goto out;
	if (root->type != YAML_MAPPING_NODE) {
		fail(&w, root, "expected a mapping of groups (all: ...)", NULL);
		goto out;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		k = node(&w, p->key);
		if ((name = scalar(k)) == NULL || name[0] == '\0') {
			fail(&w, k, "a group that is not a name", NULL);
			goto out;
		}
		if (group_body(&w, name, node(&w, p->value), 0) == -1)
			goto out;
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}
