/*
 * yaml.c - build a small document tree from libyaml's event stream.
 *
 * libyaml's own document loader forgets whether a scalar was quoted or
 * tagged, so the tree is built here from events. Scalars are resolved the
 * way PyYAML's safe loader (what IRRd uses) resolves them: null, booleans
 * (yes/no/on/off/true/false), integers, floats, else strings. On top of
 * what PyYAML does, duplicate keys in a mapping are an error. Anchors and
 * aliases are supported without copying (an alias shares its node); an
 * anchor becomes visible only once its node is complete, so the tree has
 * no cycles. Merge keys ("<<: *base") are applied when a mapping ends.
 */
#include "conf/conf_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "rpsl/log.h"

#define TAG_PREFIX	"tag:yaml.org,2002:"
#define ANCHOR_BUCKETS	256

struct frame {
	struct ynode *node;
	char *anchor;			/* registered when the node ends */
	struct ynode *pending_key;	/* map: key awaiting its value */
	size_t cap;			/* allocated items/pairs */
};

struct anchor {
	char *name;
	struct ynode *node;
	struct anchor *next;
};

struct builder {
	struct ydoc *doc;
	struct cfg_errs *e;
	struct frame stack[CFG_MAX_DEPTH];
	int depth;
	struct anchor *anchors[ANCHOR_BUCKETS];
	int ndocs;
	size_t merged;			/* pairs copied by merge keys so far */
};

/* Merge keys copy pairs; aliases of aliases could make that explode. */
#define MAX_MERGED_PAIRS	(1u << 20)

/* ---- scalar resolution (YAML 1.1 as PyYAML) ---- */

static bool is_null_text(const char *s, size_t len)
{
	return len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* 1 true, 0 false, -1 not a boolean. */
static int bool_text(const char *s)
{
	static const char *const t[] = { "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON" };
	static const char *const f[] = { "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF" };
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(s, t[i]) == 0)
			return 1;
		if (strcmp(s, f[i]) == 0)
			return 0;
	}
	return -1;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/*
 * YAML 1.1 integers as PyYAML: [-+]?0b[01_]+, [-+]?0[0-7_]+,
 * [-+]?(0|[1-9][0-9_]*), [-+]?0x[0-9a-fA-F_]+ (sexagesimal is not
 * supported and stays a string). Saturates on overflow. 0 or -1.
 */
static int int_text(const char *s, size_t len, long long *out)
{
	const char *p = s, *end = s + len;
	bool neg = false;
	int base = 10;
	unsigned long long v = 0, lim;
	bool any = false, over = false;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -1;
	if (end - p >= 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'x')) {
		base = p[1] == 'b' ? 2 : 16;
		p += 2;
	} else if (*p == '0' && end - p > 1) {
		base = 8;
		p++;
	} else if (*p == '0') {
		*out = 0;
		return 0;
	}
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	for (; p < end; p++) {
		int d;
		if (*p == '_')
			continue;
		d = digit_value(*p);
		if (d >= base)
			return -1;
		if (!any && base == 10 && d == 0)
			return -1;	/* leading zero handled above */
		any = true;
		if (v > (lim - (unsigned long long)d) / (unsigned long long)base)
			over = true;
		else
			v = v * (unsigned long long)base + (unsigned long long)d;
	}
	if (!any)
		return -1;
	if (over)
		v = lim;
	if (neg)
		*out = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

/* YAML 1.1 floats as PyYAML (without the sexagesimal form). */
static bool float_text(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	bool lead = false;

	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return true;
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0)
		return true;
	if (p < end && *p >= '0' && *p <= '9') {
		lead = true;
		while (p < end && ((*p >= '0' && *p <= '9') || *p == '_'))
			p++;
	} else if (p != s) {
		return false;	/* "-.5" is not a float in YAML 1.1 */
	}
	if (p == end || *p != '.')
		return false;
	p++;
	if (!lead) {
		if (p == end || *p < '0' || *p > '9')
			return false;
	}
	while (p < end && ((*p >= '0' && *p <= '9') || *p == '_'))
		p++;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p == end || (*p != '-' && *p != '+'))
			return false;
		p++;
		if (p == end)
			return false;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	return p == end;
}

static void resolve_implicit(struct ynode *n)
{
	int b;
	if (is_null_text(n->str, n->len)) {
		n->type = YS_NULL;
	} else if ((b = bool_text(n->str)) >= 0) {
		n->type = YS_BOOL;
		n->b = b;
	} else if (int_text(n->str, n->len, &n->i) == 0) {
		n->type = YS_INT;
	} else if (float_text(n->str, n->len)) {
		n->type = YS_FLOAT;
	} else {
		n->type = YS_STR;
	}
}

/* ---- building ---- */

static void pos_err(struct builder *b, yaml_mark_t m, const char *fmt, const char *arg)
{
	char *q = arg ? cfg_quote(arg, strlen(arg)) : NULL;
	char *msg = xasprintf(fmt, q ? q : "");
	cfg_err(b->e, "line %zu, column %zu: %s", m.line + 1, m.column + 1, msg);
	free(msg);
	free(q);
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, yaml_mark_t m)
{
	struct ydoc *d = b->doc;
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = (unsigned)m.line + 1;
	n->col = (unsigned)m.column + 1;
	if (d->nall == d->capall) {
		d->capall = d->capall ? d->capall * 2 : 64;
		d->all = xrealloc(d->all, d->capall * sizeof(*d->all));
	}
	d->all[d->nall++] = n;
	return n;
}

static unsigned anchor_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % ANCHOR_BUCKETS;
}

static void anchor_add(struct builder *b, const char *name, struct ynode *n)
{
	struct anchor *a = xmalloc(sizeof(*a));
	unsigned h = anchor_hash(name);
	a->name = xstrdup(name);
	a->node = n;
	a->next = b->anchors[h];	/* a redefinition shadows the old one */
	b->anchors[h] = a;
}

static struct ynode *anchor_find(struct builder *b, const char *name)
{
	for (struct anchor *a = b->anchors[anchor_hash(name)]; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a->node;
	return NULL;
}

static void anchors_free(struct builder *b)
{
	for (int i = 0; i < ANCHOR_BUCKETS; i++) {
		struct anchor *a = b->anchors[i], *next;
		for (; a; a = next) {
			next = a->next;
			free(a->name);
			free(a);
		}
		b->anchors[i] = NULL;
	}
}

static void attach(struct builder *b, struct ynode *n)
{
	struct frame *f;
	struct ynode *c;

	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	f = &b->stack[b->depth - 1];
	c = f->node;
	if (c->kind == YN_SEQ) {
		if (c->nitems == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->items = xrealloc(c->items, f->cap * sizeof(*c->items));
		}
		c->items[c->nitems++] = n;
	} else if (f->pending_key == NULL) {
		f->pending_key = n;
	} else {
		if (c->npairs == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			c->pairs = xrealloc(c->pairs, f->cap * sizeof(*c->pairs));
		}
		c->pairs[c->npairs].key = f->pending_key;
		c->pairs[c->npairs].value = n;
		c->npairs++;
		f->pending_key = NULL;
	}
}

/* Dotted path of the mapping on top of the stack, from its parents. */
static char *stack_path(struct builder *b)
{
	char *path = xstrdup("");
	for (int i = 0; i < b->depth - 1; i++) {
		struct frame *f = &b->stack[i];
		char *part, *np;
		if (f->node->kind == YN_SEQ) {
			part = xasprintf("[%zu]", f->node->nitems);
		} else if (f->pending_key && f->pending_key->kind == YN_SCALAR) {
			char *esc = cfg_escape(f->pending_key->str, f->pending_key->len);
			part = xasprintf("%s%s", *path ? "." : "", esc);
			free(esc);
		} else {
			part = xasprintf("%s?", *path ? "." : "");
		}
		np = xasprintf("%s%s", path, part);
		free(path);
		free(part);
		path = np;
	}
	return path;
}

static bool is_merge_key(const struct ynode *k)
{
	return k->kind == YN_SCALAR && k->plain && k->len == 2 && memcmp(k->str, "<<", 2) == 0;
}

struct cand {
	struct ypair pair;
	size_t pos;
	bool explicit_key;
	bool keep;
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = *(const struct cand *const *)x;
	const struct cand *c = *(const struct cand *const *)y;
	const struct ynode *ka = a->pair.key, *kc = c->pair.key;
	int sa = ka->kind == YN_SCALAR, sc = kc->kind == YN_SCALAR;

	if (sa != sc)
		return sa ? -1 : 1;
	if (sa) {
		int r;
		if (ka->len != kc->len)
			return ka->len < kc->len ? -1 : 1;
		r = memcmp(ka->str, kc->str, ka->len);
		if (r != 0)
			return r;
	}
	return a->pos < c->pos ? -1 : a->pos > c->pos;
}

static bool same_key(const struct ynode *a, const struct ynode *c)
{
	return a->kind == YN_SCALAR && c->kind == YN_SCALAR && a->len == c->len &&
	    memcmp(a->str, c->str, a->len) == 0;
}

static void cand_push(struct cand **v, size_t *n, size_t *cap, struct ypair p, bool expl)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].pair = p;
	(*v)[*n].pos = *n;
	(*v)[*n].explicit_key = expl;
	(*v)[*n].keep = false;
	(*n)++;
}

/*
 * Apply merge keys and reject duplicate keys in the mapping on top of
 * the stack. Explicit keys win over merged ones; among merged mappings the
 * first listed wins. Two equal explicit keys are an error.
 */
static int map_finish(struct builder *b)
{
	struct ynode *m = b->stack[b->depth - 1].node;
	struct cand *v = NULL, **idx;
	size_t n = 0, cap = 0, i, j;
	bool merges = false;

	for (i = 0; i < m->npairs; i++) {
		if (is_merge_key(m->pairs[i].key))
			merges = true;
		else
			cand_push(&v, &n, &cap, m->pairs[i], true);
	}
	for (i = 0; merges && i < m->npairs; i++) {
		const struct ynode *mv = m->pairs[i].value;
		if (!is_merge_key(m->pairs[i].key))
			continue;
		if (mv->kind == YN_MAP || mv->kind == YN_SEQ) {
			size_t add = 0;
			if (mv->kind == YN_MAP)
				add = mv->npairs;
			else
				for (j = 0; j < mv->nitems; j++)
					add += mv->items[j]->kind == YN_MAP ? mv->items[j]->npairs : 0;
			b->merged += add;
			if (b->merged > MAX_MERGED_PAIRS) {
				cfg_err(b->e, "line %u, column %u: merge keys copy more than %u pairs",
				    mv->line, mv->col, MAX_MERGED_PAIRS);
				free(v);
				return -1;
			}
		}
		if (mv->kind == YN_MAP) {
			for (j = 0; j < mv->npairs; j++)
				cand_push(&v, &n, &cap, mv->pairs[j], false);
			continue;
		}
		if (mv->kind == YN_SEQ) {
			bool ok = true;
			for (j = 0; j < mv->nitems; j++)
				if (mv->items[j]->kind != YN_MAP)
					ok = false;
			if (ok) {
				for (j = 0; j < mv->nitems; j++)
					for (size_t k = 0; k < mv->items[j]->npairs; k++)
						cand_push(&v, &n, &cap, mv->items[j]->pairs[k], false);
				continue;
			}
		}
		cfg_err(b->e, "line %u, column %u: a merge key (<<) needs a mapping or a list of mappings",
		    mv->line, mv->col);
	}
	if (n == 0) {
		free(v);
		m->npairs = 0;
		return 0;
	}

	idx = xmalloc(n * sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = &v[i];
	qsort(idx, n, sizeof(*idx), cand_cmp);
	for (i = 0; i < n; i = j) {
		idx[i]->keep = true;
		for (j = i + 1; j < n && same_key(idx[i]->pair.key, idx[j]->pair.key); j++)
			;
		/* Explicit keys sort before merged ones of the same name. */
		if (j - i >= 2 && idx[i]->explicit_key && idx[i + 1]->explicit_key) {
			char *path = stack_path(b);
			char *key = cfg_escape(idx[i]->pair.key->str, idx[i]->pair.key->len);
			cfg_err(b->e, "%s%s%s: duplicate key (lines %u and %u)", path, *path ? "." : "",
			    key, idx[i]->pair.key->line, idx[i + 1]->pair.key->line);
			free(path);
			free(key);
		}
	}
	free(idx);

	/* Rebuild in order: explicit pairs first (file order), then merged. */
	j = 0;
	if (n > m->npairs)
		m->pairs = xrealloc(m->pairs, n * sizeof(*m->pairs));
	for (i = 0; i < n; i++)
		if (v[i].keep)
			m->pairs[j++] = v[i].pair;
	m->npairs = j;
	free(v);
	return 0;
}

static int collection_tag_ok(struct builder *b, const yaml_char_t *tag, const char *want, yaml_mark_t m)
{
	const char *t = (const char *)tag;
	char full[64];
	if (t == NULL || strcmp(t, "!") == 0)
		return 0;
	snprintf(full, sizeof(full), "%s%s", TAG_PREFIX, want);
	if (strcmp(t, full) == 0)
		return 0;
	pos_err(b, m, "unsupported tag %s", t);
	return -1;
}

static int push(struct builder *b, enum ynode_kind kind, const yaml_event_t *ev)
{
	const yaml_char_t *anchor, *tag;
	struct frame *f;

	if (kind == YN_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (collection_tag_ok(b, tag, kind == YN_MAP ? "map" : "seq", ev->start_mark) < 0)
		return -1;
	if (b->depth == CFG_MAX_DEPTH) {
		cfg_err(b->e, "line %zu, column %zu: nested deeper than %d levels",
		    ev->start_mark.line + 1, ev->start_mark.column + 1, CFG_MAX_DEPTH);
		return -1;
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node_new(b, kind, ev->start_mark);
	if (anchor != NULL)
		f->anchor = xstrdup((const char *)anchor);
	return 0;
}

static int pop(struct builder *b)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct ynode *n = f->node;
	char *anchor = f->anchor;

	if (n->kind == YN_MAP && map_finish(b) < 0)
		return -1;	/* the frame (and its anchor) is freed by the caller */
	b->depth--;
	if (anchor != NULL) {
		anchor_add(b, anchor, n);
		free(anchor);
	}
	attach(b, n);
	return 0;
}

static int scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n = node_new(b, YN_SCALAR, ev->start_mark);
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length;

	n->str = xmalloc(len + 1);
	memcpy(n->str, ev->data.scalar.value, len);
	n->str[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	if (tag != NULL && strcmp(tag, "!") != 0) {
		if (strcmp(tag, TAG_PREFIX "str") == 0) {
			n->type = YS_STR;
		} else if (strcmp(tag, TAG_PREFIX "null") == 0) {
			n->type = YS_NULL;
		} else if (strcmp(tag, TAG_PREFIX "bool") == 0) {
			int v = bool_text(n->str);
			if (v < 0) {
				pos_err(b, ev->start_mark, "%s is not a boolean", n->str);
				return -1;
			}
			n->type = YS_BOOL;
			n->b = v;
		} else if (strcmp(tag, TAG_PREFIX "int") == 0) {
			if (int_text(n->str, n->len, &n->i) < 0) {
				pos_err(b, ev->start_mark, "%s is not an integer", n->str);
				return -1;
			}
			n->type = YS_INT;
		} else if (strcmp(tag, TAG_PREFIX "float") == 0) {
			n->type = YS_FLOAT;
		} else {
			pos_err(b, ev->start_mark, "unsupported tag %s", tag);
			return -1;
		}
	} else if (tag == NULL && n->plain) {
		resolve_implicit(n);
	} else {
		n->type = YS_STR;
	}
	if (ev->data.scalar.anchor != NULL)
		anchor_add(b, (const char *)ev->data.scalar.anchor, n);
	attach(b, n);
	return 0;
}

static void parser_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "syntax error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		fatalx("YAML parser: out of memory");
	case YAML_READER_ERROR:
		if (p->problem_value != -1)
			cfg_err(b->e, "byte %zu: %s (#%X)", p->problem_offset, problem,
			    (unsigned)p->problem_value);
		else
			cfg_err(b->e, "byte %zu: %s", p->problem_offset, problem);
		return;
	default:
		break;
	}
	if (p->context != NULL)
		cfg_err(b->e, "line %zu, column %zu: %s (%s, line %zu, column %zu)",
		    p->problem_mark.line + 1, p->problem_mark.column + 1, problem, p->context,
		    p->context_mark.line + 1, p->context_mark.column + 1);
	else
		cfg_err(b->e, "line %zu, column %zu: %s", p->problem_mark.line + 1,
		    p->problem_mark.column + 1, problem);
}

int ydoc_parse(const char *buf, size_t len, struct ydoc *doc, struct cfg_errs *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct builder *b;
	int rc = 0;
	bool done = false;

	memset(doc, 0, sizeof(*doc));
	if (len > CFG_MAX_FILE_SIZE) {
		cfg_err(e, "file is larger than %u bytes", CFG_MAX_FILE_SIZE);
		return -1;
	}
	b = xcalloc(1, sizeof(*b));
	b->doc = doc;
	b->e = e;
	if (!yaml_parser_initialize(&parser))
		fatalx("YAML parser: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(b, &parser);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++b->ndocs > 1) {
				cfg_err(e, "line %zu, column %zu: expected a single document, found another",
				    ev.start_mark.line + 1, ev.start_mark.column + 1);
				rc = -1;
			}
			break;
		case YAML_SCALAR_EVENT:
			rc = scalar(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = push(b, YN_SEQ, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = push(b, YN_MAP, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = pop(b);
			break;
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			struct ynode *n = anchor_find(b, name);
			if (n == NULL) {
				pos_err(b, ev.start_mark, "undefined alias %s", name);
				rc = -1;
			} else {
				attach(b, n);
			}
			break;
		}
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
	}
	/* On an early stop, frames still hold their anchors. */
	for (int i = 0; i < b->depth; i++)
		free(b->stack[i].anchor);
	anchors_free(b);
	yaml_parser_delete(&parser);
	free(b);
	return rc;
}

void ydoc_free(struct ydoc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->nall; i++) {
		struct ynode *n = doc->all[i];
		free(n->str);
		free(n->items);
		free(n->pairs);
		free(n);
	}
	free(doc->all);
	memset(doc, 0, sizeof(*doc));
}

const struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	size_t len = strlen(key);
	if (map == NULL || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ynode *k = map->pairs[i].key;
		if (k->kind == YN_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

const char *yscalar_str(const struct ynode *n)
{
	if (n == NULL || n->kind != YN_SCALAR || n->type != YS_STR || strlen(n->str) != n->len)
		return NULL;
	return n->str;
}
