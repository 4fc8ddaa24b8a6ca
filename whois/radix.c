/*
 * radix.c - path-compressed binary prefix trees (one per address family)
 * for route searches: exact, less specific and more specific lookups.
 *
 * Each node is a prefix; nodes that only join two branches ("glue") hold
 * no objects. A node whose last object goes away is removed, and a glue
 * node left with one child is spliced out, so the tree stays at most twice
 * the number of distinct prefixes.
 */
#include "whois/whois_int.h"

#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

struct rnode {
	struct rnode *child[2];
	struct rnode *parent;
	struct wptrset objs;
	uint8_t len;
	uint8_t a[16];
};

struct wradix {
	uint8_t family;
	struct rnode *root;
	size_t nnodes;
};

struct wradix *wradix_new(uint8_t family)
{
	struct wradix *r = xcalloc(1, sizeof(*r));
	r->family = family;
	return r;
}

static void rnode_free(struct rnode *n)
{
	if (n == NULL)
		return;
	rnode_free(n->child[0]);
	rnode_free(n->child[1]);
	wptrset_free(&n->objs);
	free(n);
}

void wradix_free(struct wradix *r)
{
	if (r == NULL)
		return;
	rnode_free(r->root);
	free(r);
}

size_t wradix_nodes(const struct wradix *r)
{
	return r->nnodes;
}

/* Do the first len bits of x and y agree? */
static bool bits_match(const uint8_t *x, const uint8_t *y, unsigned len)
{
	unsigned bytes = len >> 3, rem = len & 7;
	if (bytes && memcmp(x, y, bytes) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((x[bytes] ^ y[bytes]) & mask)
			return false;
	}
	return true;
}

static unsigned common_bits(const uint8_t *x, const uint8_t *y, unsigned max)
{
	unsigned i = 0;
	while (i < max && (i & 7) == 0 && i + 8 <= max && x[i >> 3] == y[i >> 3])
		i += 8;
	while (i < max && ip_bit(x, i) == ip_bit(y, i))
		i++;
	return i;
}

static struct rnode *rnode_new(struct wradix *r, const uint8_t *a, unsigned len)
{
	struct rnode *n = xcalloc(1, sizeof(*n));
	n->len = (uint8_t)len;
	for (unsigned i = 0; i < 16; i++) {
		if (len >= (i + 1) * 8)
			n->a[i] = a[i];
		else if (len > i * 8)
			n->a[i] = (uint8_t)(a[i] & (0xff << (8 - (len - i * 8))));
		else
			n->a[i] = 0;
	}
	r->nnodes++;
	return n;
}

static struct rnode **rnode_link(struct wradix *r, struct rnode *n)
{
	struct rnode *p = n->parent;
	if (p == NULL)
		return &r->root;
	return &p->child[p->child[1] == n];
}

static struct rnode *find_or_create(struct wradix *r, const uint8_t *a, unsigned len)
{
	struct rnode **link = &r->root, *parent = NULL, *cur = r->root;

	while (cur != NULL) {
		if (cur->len > len || !bits_match(cur->a, a, cur->len))
			break;
		if (cur->len == len)
			return cur;
		parent = cur;
		link = &cur->child[ip_bit(a, cur->len)];
		cur = *link;
	}
	struct rnode *n = rnode_new(r, a, len);
	if (cur == NULL) {
		n->parent = parent;
		*link = n;
		return n;
	}
	unsigned c = common_bits(cur->a, a, cur->len < len ? cur->len : len);
	if (c == len) {
		/* The new prefix covers cur. */
		n->child[ip_bit(cur->a, len)] = cur;
		cur->parent = n;
		n->parent = parent;
		*link = n;
		return n;
	}
	struct rnode *g = rnode_new(r, a, c);
	g->child[ip_bit(a, c)] = n;
	g->child[ip_bit(cur->a, c)] = cur;
	n->parent = g;
	cur->parent = g;
	g->parent = parent;
	*link = g;
	return n;
}

static struct rnode *find_exact(const struct wradix *r, const uint8_t *a, unsigned len)
{
	struct rnode *cur = r->root;
	while (cur != NULL && cur->len <= len && bits_match(cur->a, a, cur->len)) {
		if (cur->len == len)
			return cur;
		cur = cur->child[ip_bit(a, cur->len)];
	}
	return NULL;
}

void wradix_add(struct wradix *r, const uint8_t *a, uint8_t len, struct wobj *o)
{
	struct rnode *n = find_or_create(r, a, len);
	wptrset_add(&n->objs, o);
}

void wradix_del(struct wradix *r, const uint8_t *a, uint8_t len, struct wobj *o)
{
	struct rnode *n = find_exact(r, a, len);
	if (n == NULL || !wptrset_del(&n->objs, o))
		return;
	while (n != NULL && n->objs.n == 0) {
		if (n->child[0] && n->child[1])
			return;
		struct rnode *c = n->child[0] ? n->child[0] : n->child[1];
		struct rnode *p = n->parent;
		*rnode_link(r, n) = c;
		if (c)
			c->parent = p;
		free(n);
		r->nnodes--;
		if (c)
			return;
		n = p;
	}
}

void wradix_exact(const struct wradix *r, const uint8_t *a, uint8_t len, wradix_cb cb, void *arg)
{
	struct rnode *n = find_exact(r, a, len);
	if (n && n->objs.n)
		cb(&n->objs, n->len, arg);
}

void wradix_covering(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact,
		     wradix_cb cb, void *arg)
{
	struct rnode *cur = r->root;
	while (cur != NULL && cur->len <= len && bits_match(cur->a, a, cur->len)) {
		if (cur->objs.n && (cur->len < len || with_exact))
			if (!cb(&cur->objs, cur->len, arg))
				return;
		if (cur->len == len)
			return;
		cur = cur->child[ip_bit(a, cur->len)];
	}
}

void wradix_covering_rev(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact,
			 wradix_cb cb, void *arg)
{
	struct rnode *path[130];
	size_t np = 0;
	struct rnode *cur = r->root;
	while (cur != NULL && cur->len <= len && bits_match(cur->a, a, cur->len)) {
		if (cur->objs.n && (cur->len < len || with_exact))
			path[np++] = cur;
		if (cur->len == len)
			break;
		cur = cur->child[ip_bit(a, cur->len)];
	}
	while (np > 0) {
		np--;
		if (!cb(&path[np]->objs, path[np]->len, arg))
			return;
	}
}

static bool walk(struct rnode *n, unsigned skip_len, bool skip, wradix_cb cb, void *arg)
{
	if (n == NULL)
		return true;
	if (n->objs.n && !(skip && n->len == skip_len))
		if (!cb(&n->objs, n->len, arg))
			return false;
	return walk(n->child[0], skip_len, skip, cb, arg) && walk(n->child[1], skip_len, skip, cb, arg);
}

void wradix_more(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact, wradix_cb cb, void *arg)
{
	struct rnode *cur = r->root;
	while (cur != NULL) {
		if (cur->len >= len) {
			if (bits_match(cur->a, a, len))
				walk(cur, len, !with_exact, cb, arg);
			return;
		}
		if (!bits_match(cur->a, a, cur->len))
			return;
		cur = cur->child[ip_bit(a, cur->len)];
	}
}
