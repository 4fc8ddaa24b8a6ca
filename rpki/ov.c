/*
 * ov.c - route origin validation (RFC 6811) against a ROA set, one route or
 * a batch, and re-validation of the routes a set change can affect.
 *
 * The index (struct pidx) is a nesting forest over the distinct prefixes of
 * the set, stored as an array sorted by (family, address, length), which is
 * the forest's pre-order. Each node points at the nearest prefix covering
 * it. Why one binary search finds every covering prefix: let P be the
 * greatest node <= route R in that order. A prefix C covering R starts at or
 * before R, so C <= P <= R; P's address lies inside C (between C's start and
 * R's), so C and P nest, and C can't be inside P (it would sort after P).
 * Hence C covers P: the prefixes covering R are exactly the covering part of
 * P's chain of ancestors, and once one covers R all above it do too.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/roa_int.h"

static inline bool node_covers(const struct pidx_node *nd, uint8_t family, u128 addr, unsigned len)
{
	return nd->family == family && nd->len <= len && ((nd->addr ^ addr) & roa_mask(nd->len)) == 0;
}

static void fam_build(struct pidx *ix, struct pidx_fam *f, size_t lo, size_t hi);

void pidx_build(struct pidx *ix, const void *items, size_t nitems, size_t stride)
{
	int32_t stack[130];
	int sp = 0;

	memset(ix, 0, sizeof(*ix));
	if (nitems == 0)
		return;
	if (nitems > INT32_MAX)
		fatalx("prefix index: too many entries");
	ix->nodes = xmalloc(nitems * sizeof(*ix->nodes));
	for (size_t i = 0; i < nitems; i++) {
		const struct ip_prefix *p = (const void *)((const char *)items + i * stride);
		struct pidx_node *nd;
		u128 addr = roa_addr_u128(p->a);

		if (ix->nnodes > 0) {
			nd = &ix->nodes[ix->nnodes - 1];
			if (nd->family == p->family && nd->len == p->len && nd->addr == addr) {
				nd->n++;
				continue;
			}
		}
		nd = &ix->nodes[ix->nnodes];
		nd->addr = addr;
		nd->family = p->family;
		nd->len = p->len;
		nd->first = (uint32_t)i;
		nd->n = 1;
		while (sp > 0 && !node_covers(&ix->nodes[stack[sp - 1]], p->family, addr, p->len))
			sp--;
		nd->parent = sp > 0 ? stack[sp - 1] : -1;
		if (sp < (int)(sizeof(stack) / sizeof(stack[0])))
			stack[sp++] = (int32_t)ix->nnodes;
		if (p->family == IP_AF4)
			ix->v4_end = ix->nnodes + 1;
		ix->nnodes++;
	}
	fam_build(ix, &ix->fam[0], 0, ix->v4_end);
	fam_build(ix, &ix->fam[1], ix->v4_end, ix->nnodes);
}

static unsigned clz128(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;

	if (hi)
		return (unsigned)__builtin_clzll(hi);
	if (lo)
		return 64 + (unsigned)__builtin_clzll(lo);
	return 128;
}

static inline uint32_t bucket_of(const struct pidx_fam *f, u128 addr)
{
	return (uint32_t)((addr << f->skip) >> (128 - f->bits));
}

static void fam_build(struct pidx *ix, struct pidx_fam *f, size_t lo, size_t hi)
{
	size_t n = hi - lo, nb, k;
	unsigned bits = 0;

	f->lo = lo;
	f->hi = hi;
	if (n < 64)
		return;		/* a plain binary search is as good */
	while (bits < 20 && ((size_t)1 << (bits + 1)) <= n)
		bits++;
	f->skip = clz128(ix->nodes[lo].addr ^ ix->nodes[hi - 1].addr);
	if (f->skip > 128 - bits)
		f->skip = 128 - bits;
	f->common = f->skip ? ix->nodes[lo].addr & roa_mask(f->skip) : 0;
	f->bits = bits;
	nb = (size_t)1 << bits;
	f->bucket = xmalloc((nb + 1) * sizeof(*f->bucket));
	k = lo;
	for (size_t b = 0; b <= nb; b++) {
		while (k < hi && bucket_of(f, ix->nodes[k].addr) < b)
			k++;
		f->bucket[b] = (uint32_t)k;
	}
}

void pidx_free(struct pidx *ix)
{
	free(ix->nodes);
	free(ix->fam[0].bucket);
	free(ix->fam[1].bucket);
	memset(ix, 0, sizeof(*ix));
}

static int32_t lookup(const struct pidx *ix, uint8_t family, u128 addr, unsigned len)
{
	const struct pidx_fam *f = &ix->fam[family == IP_AF6];
	size_t lo = f->lo, hi = f->hi;
	int32_t nd;

	if (f->bucket != NULL) {
		if (f->skip && (addr & roa_mask(f->skip)) != f->common) {
			/* outside the span the family's nodes share: all nodes
			 * are above it, or all below */
			if (addr < f->common)
				return -1;
			lo = hi;
		} else {
			uint32_t b = bucket_of(f, addr);
			lo = f->bucket[b];
			hi = f->bucket[b + 1];
		}
	}
	/* the first node > (addr, len) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pidx_node *m = &ix->nodes[mid];

		if (m->addr < addr || (m->addr == addr && m->len <= len))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == f->lo)
		return -1;
	nd = (int32_t)lo - 1;
	while (nd >= 0 && !node_covers(&ix->nodes[nd], family, addr, len))
		nd = ix->nodes[nd].parent;
	return nd;
}

int32_t pidx_lookup(const struct pidx *ix, const struct ip_prefix *p)
{
	unsigned max;

	if (ix->nnodes == 0 || (p->family != IP_AF4 && p->family != IP_AF6))
		return -1;
	max = ip_maxlen(p->family);
	return lookup(ix, p->family, roa_addr_u128(p->a) & roa_mask(p->len),
		      p->len > max ? max : p->len);
}

enum rpki_state roa_validate(const struct roa_set *set, const struct ip_prefix *prefix, uint32_t origin)
{
	int32_t nd = pidx_lookup(&set->ix, prefix);

	if (nd < 0)
		return RPKI_NOT_FOUND;
	if (origin == 0)
		return RPKI_INVALID;	/* AS0 VRPs never validate (RFC 6483 section 4) */
	for (; nd >= 0; nd = set->ix.nodes[nd].parent) {
		const struct pidx_node *node = &set->ix.nodes[nd];
		const struct roa *r = &set->roas[node->first];

		for (uint32_t k = 0; k < node->n; k++)
			if (r[k].asn == origin && prefix->len <= r[k].maxlen)
				return RPKI_VALID;
	}
	return RPKI_INVALID;
}

size_t roa_covering(const struct roa_set *set, const struct ip_prefix *prefix,
		    const struct roa **out, size_t max)
{
	int32_t chain[130], nd = pidx_lookup(&set->ix, prefix);
	size_t depth = 0, n = 0;

	for (; nd >= 0 && depth < sizeof(chain) / sizeof(chain[0]); nd = set->ix.nodes[nd].parent)
		chain[depth++] = nd;
	while (depth > 0) {
		const struct pidx_node *node = &set->ix.nodes[chain[--depth]];

		for (uint32_t k = 0; k < node->n; k++, n++)
			if (n < max)
				out[n] = &set->roas[node->first + k];
	}
	return n;
}

struct batch {
	const struct roa_set *set;
	const struct roa_route *routes;
	enum rpki_state *out;
	size_t from, to;
};

static void *batch_run(void *arg)
{
	struct batch *b = arg;

	for (size_t i = b->from; i < b->to; i++)
		b->out[i] = roa_validate(b->set, &b->routes[i].prefix, b->routes[i].origin);
	return NULL;
}

void roa_validate_batch(const struct roa_set *set, const struct roa_route *routes, size_t n,
			enum rpki_state *out, int nthreads)
{
	struct batch b[16];
	pthread_t tid[16];
	int t, started = 0;

	if (nthreads > 16)
		nthreads = 16;
	if (nthreads <= 1 || n < 10000) {
		struct batch one = { set, routes, out, 0, n };
		batch_run(&one);
		return;
	}
	for (t = 0; t < nthreads; t++) {
		b[t] = (struct batch){ set, routes, out, n * (size_t)t / (size_t)nthreads,
				       n * (size_t)(t + 1) / (size_t)nthreads };
	}
	/* the calling thread takes the first slice */
	for (t = 1; t < nthreads; t++) {
		if (pthread_create(&tid[t], NULL, batch_run, &b[t]) != 0)
			break;
		started = t;
	}
	batch_run(&b[0]);
	for (t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (t = started + 1; t < nthreads; t++)
		batch_run(&b[t]);
}

static int roa_qcmp(const void *a, const void *b)
{
	return roa_cmp(a, b);
}

size_t roa_revalidate(const struct roa_set *new_set, const struct roa_diff *d,
		      const struct roa_route *routes, size_t n, enum rpki_state *states,
		      size_t **changed)
{
	size_t nd = d->nadded + d->nremoved, nchanged = 0, cap = 0;
	struct roa *delta;
	struct pidx ix;

	*changed = NULL;
	if (nd == 0)
		return 0;
	/* only the prefixes matter: an index over the changed VRPs tells
	 * whether a route is covered by any of them */
	delta = xmalloc(nd * sizeof(*delta));
	memcpy(delta, d->added, d->nadded * sizeof(*delta));
	memcpy(delta + d->nadded, d->removed, d->nremoved * sizeof(*delta));
	qsort(delta, nd, sizeof(*delta), roa_qcmp);
	pidx_build(&ix, delta, nd, sizeof(*delta));
	for (size_t i = 0; i < n; i++) {
		enum rpki_state s;

		if (pidx_lookup(&ix, &routes[i].prefix) < 0)
			continue;
		s = roa_validate(new_set, &routes[i].prefix, routes[i].origin);
		if (s == states[i])
			continue;
		states[i] = s;
		if (nchanged == cap) {
			cap = cap ? cap * 2 : 256;
			*changed = xrealloc(*changed, cap * sizeof(**changed));
		}
		(*changed)[nchanged++] = i;
	}
	pidx_free(&ix);
	free(delta);
	return nchanged;
}
