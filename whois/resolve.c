/*
 * resolve.c - prefix lists of origins (!g, !6, !a) and set expansion (!i,
 * !i,1, !a), following IRRd 4.5's QueryResolver and preload store:
 *
 *   - An origin's prefixes are the distinct prefixes of its route(6)
 *     objects in the selected sources, RPKI-invalid ones left out. IRRd
 *     answers from a Python set (no order); we sort by address, then
 *     length, and keep the result of the default source selection per
 *     origin and family until one of its routes changes (other selections
 *     make theirs per query).
 *   - A set's members are its members and mp-members plus, when it has
 *     mbrs-by-ref, the objects of the same source (aut-num for an as-set,
 *     non-invalid route/route6 for a route-set) whose member-of names it
 *     and whose mnt-by is listed in mbrs-by-ref (or mbrs-by-ref is ANY).
 *   - A name is looked up as an as-set in each selected source in order,
 *     then as a route-set; the first hit is used.
 *   - Recursive expansion is breadth first, each set expanded once (cycles
 *     end there), no depth limit (IRRd's whois has none), names in !e not
 *     expanded below the root. Members that are neither prefixes nor AS
 *     numbers and are no known set are dropped. Under an as-set root only
 *     as-sets are followed and AS numbers kept; under a route-set root
 *     prefixes (with range operators) are kept as written and AS numbers
 *     become their origin prefixes.
 */
#include "whois/whois_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

/* ---------------------------------------------------------------- prefix lists */

void wres_list_free(struct wpfxlist *c)
{
	if (c == NULL)
		return;
	free(atomic_load_explicit(&c->str, memory_order_relaxed));
	free(c->keys);
	free(c);
}

void wres_cache_clear(struct worigin *or)
{
	for (int f = 0; f < 2; f++) {
		wres_list_free(atomic_load_explicit(&or->cache[f], memory_order_relaxed));
		atomic_store_explicit(&or->cache[f], NULL, memory_order_relaxed);
	}
}

static uint64_t v4key(const uint8_t *a, uint8_t len)
{
	uint32_t addr = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) | ((uint32_t)a[2] << 8) | a[3];
	return ((uint64_t)addr << 8) | len;
}

static void v6key(const uint8_t *a, uint8_t len, struct wv6key *k)
{
	uint64_t hi = 0, lo = 0;
	for (int i = 0; i < 8; i++) {
		hi = (hi << 8) | a[i];
		lo = (lo << 8) | a[8 + i];
	}
	k->hi = hi;
	k->lo = lo;
	k->len = len;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static int cmp_v6(const void *x, const void *y)
{
	const struct wv6key *a = x, *b = y;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (int)a->len - (int)b->len;
}

/* Sort 40-bit keys: an LSD radix sort in three passes of 14 bits (the
 * fastest split measured for ~800k keys), the counts of all passes taken
 * in one read, for big arrays; qsort for small ones. */
#define SORT_V4_BITS 14
#define SORT_V4_PASSES 3
static void sort_v4(uint64_t *v, size_t n)
{
	enum { NB = 1u << SORT_V4_BITS };

	if (n < 4096) {
		qsort(v, n, sizeof(*v), cmp_u64);
		return;
	}
	uint64_t *tmp = xmalloc(n * sizeof(*tmp));
	uint32_t *count = xcalloc((size_t)SORT_V4_PASSES * NB, sizeof(*count));
	for (size_t i = 0; i < n; i++) {
		uint64_t k = v[i];
		for (unsigned p = 0; p < SORT_V4_PASSES; p++)
			count[p * NB + ((k >> (p * SORT_V4_BITS)) & (NB - 1))]++;
	}
	uint64_t *src = v, *dst = tmp;
	for (unsigned p = 0; p < SORT_V4_PASSES; p++) {
		uint32_t *c = count + p * NB;
		unsigned shift = p * SORT_V4_BITS;
		if (c[(src[0] >> shift) & (NB - 1)] == n)
			continue;	/* one digit everywhere: nothing moves */
		uint32_t sum = 0;
		for (unsigned b = 0; b < NB; b++) {
			uint32_t x = c[b];
			c[b] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & (NB - 1)]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(count);
	free(tmp);
}

static size_t uniq_v4(uint64_t *v, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || v[w - 1] != v[i])
			v[w++] = v[i];
	return w;
}

static size_t uniq_v6(struct wv6key *v, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || cmp_v6(&v[w - 1], &v[i]) != 0)
			v[w++] = v[i];
	return w;
}

static bool mask_eq(const struct wsrcmask *a, const struct wsrcmask *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The list of one origin and family for a selection, made in the arena
 * (uncached) or with malloc (to be cached). */
static struct wpfxlist *make_list(struct worigin *or, int fam, const struct wsrcmask *mask, struct warena *arena)
{
	const struct wptrset *rs = &or->routes[fam];
	size_t esz = fam == 0 ? sizeof(uint64_t) : sizeof(struct wv6key);
	size_t cap = (rs->n ? rs->n : 1) * esz;
	struct wpfxlist *c = arena ? warena_alloc(arena, sizeof(*c)) : xmalloc(sizeof(*c));
	size_t n = 0;
	struct wobj *o;

	memset(c, 0, sizeof(*c));
	c->cached = arena == NULL;
	atomic_init(&c->str, NULL);
	if (fam == 0) {
		uint64_t *k = arena ? warena_alloc(arena, cap) : xmalloc(cap);
		WPTRSET_FOREACH(rs, i, o)
			if (o->rpki != RPKI_INVALID && wsrcmask_has(mask, o->src))
				k[n++] = v4key(o->ip_first, o->plen);
		sort_v4(k, n);
		n = uniq_v4(k, n);
		c->keys = k;
	} else {
		struct wv6key *k = arena ? warena_alloc(arena, cap) : xmalloc(cap);
		WPTRSET_FOREACH(rs, i, o)
			if (o->rpki != RPKI_INVALID && wsrcmask_has(mask, o->src))
				v6key(o->ip_first, o->plen, &k[n++]);
		qsort(k, n, sizeof(*k), cmp_v6);
		n = uniq_v6(k, n);
		c->keys = k;
	}
	c->n = n;
	c->mask = *mask;
	return c;
}

static void retire(struct whois_index *idx, struct wpfxlist *c)
{
	pthread_mutex_lock(&idx->retired_mu);
	c->next = idx->retired;
	idx->retired = c;
	pthread_mutex_unlock(&idx->retired_mu);
}

/*
 * Queries of the default selection share one list per origin and family,
 * made by the first that asks and published with a compare-and-swap (a
 * thread that loses the race frees its copy). A list of another selection
 * (after a reload changed the default) is replaced; the old one may still
 * be read by other queries, so it waits on the retired list for the next
 * write lock. Other selections (!s) get a list of their own per query.
 */
const struct wpfxlist *wres_origin_prefixes(const struct wquery *q, struct worigin *or, int fam)
{
	struct wpfxlist *c = atomic_load_explicit(&or->cache[fam], memory_order_acquire);
	if (c != NULL && mask_eq(&c->mask, &q->mask))
		return c;
	if (!q->default_sources)
		return make_list(or, fam, &q->mask, q->arena);
	struct wpfxlist *nc = make_list(or, fam, &q->mask, NULL);
	for (;;) {
		if (atomic_compare_exchange_strong_explicit(&or->cache[fam], &c, nc, memory_order_acq_rel,
							    memory_order_acquire)) {
			if (c != NULL)
				retire(q->idx, c);
			return nc;
		}
		/* c is now what another thread published */
		if (c != NULL && mask_eq(&c->mask, &q->mask)) {
			wres_list_free(nc);
			return c;
		}
	}
}

/* "0".."255", each as up to three digits and, in byte 3, their count:
 * an address is four table copies instead of divisions. */
static char dec_tab[256][4];
static pthread_once_t dec_once = PTHREAD_ONCE_INIT;

static void dec_tab_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		dec_tab[v][3] = (char)wfmt_u8(v, dec_tab[v]);
}

/* Writes up to 3 bytes past the digits (scratch, overwritten next). */
static inline size_t put_dec8(unsigned v, char *p)
{
	memcpy(p, dec_tab[v], 4);
	return (size_t)dec_tab[v][3];
}

/* "a.b.c.d/n" from a 40-bit key. */
static size_t fmt_v4key(uint64_t k, char *buf)
{
	uint32_t addr = (uint32_t)(k >> 8);
	char *p = buf;
	pthread_once(&dec_once, dec_tab_init);
	p += put_dec8(addr >> 24, p);
	*p++ = '.';
	p += put_dec8((addr >> 16) & 0xff, p);
	*p++ = '.';
	p += put_dec8((addr >> 8) & 0xff, p);
	*p++ = '.';
	p += put_dec8(addr & 0xff, p);
	*p++ = '/';
	p += put_dec8((unsigned)(k & 0xff), p);
	*p = '\0';
	return (size_t)(p - buf);
}

static size_t fmt_v6key(const struct wv6key *k, char *buf)
{
	uint8_t a[16];
	for (int i = 0; i < 8; i++) {
		a[i] = (uint8_t)(k->hi >> (56 - 8 * i));
		a[8 + i] = (uint8_t)(k->lo >> (56 - 8 * i));
	}
	return wprefix_format(6, a, k->len, buf);
}

/* Append the keys as "p1 p2 ..." (a space before each when out is not
 * empty), written straight into the buffer. */
static void render_keys(int fam, const void *keys, size_t n, struct wbuf *out)
{
	size_t room = n * (fam == 0 ? 20 : 45) + 4;	/* put_dec8() writes ahead */
	wbuf_reserve(out, room);
	char *p = out->p + out->len, *start = out->p;
	for (size_t i = 0; i < n; i++) {
		if (p != start)
			*p++ = ' ';
		p += fam == 0 ? fmt_v4key(((const uint64_t *)keys)[i], p)
			      : fmt_v6key(&((const struct wv6key *)keys)[i], p);
	}
	out->len = (size_t)(p - out->p);
	out->p[out->len] = '\0';
}

const char *wres_origin_prefix_str(const struct wquery *q, struct worigin *or, int fam, size_t *len)
{
	struct wpfxlist *c = (struct wpfxlist *)wres_origin_prefixes(q, or, fam);
	struct wpfxstr *str = atomic_load_explicit(&c->str, memory_order_acquire);
	if (str == NULL) {
		struct wbuf b = { 0 };
		render_keys(fam, c->keys, c->n, &b);
		str = c->cached ? xmalloc(sizeof(*str) + b.len + 1) : warena_alloc(q->arena, sizeof(*str) + b.len + 1);
		str->len = b.len;
		memcpy(str->s, b.p ? b.p : "", b.len + 1);
		wbuf_free(&b);
		struct wpfxstr *expected = NULL;
		if (!atomic_compare_exchange_strong_explicit(&c->str, &expected, str, memory_order_acq_rel,
							     memory_order_acquire)) {
			/* another thread rendered it first */
			if (c->cached)
				free(str);
			str = expected;
		}
	}
	*len = str->len;
	return str->s;
}

void wres_origins_prefixes(struct wquery *q, const uint32_t *asns, size_t n, int family, struct wbuf *out)
{
	struct worigin **ors = xmalloc((n ? n : 1) * sizeof(*ors));
	const struct wpfxlist **lists = xmalloc((n ? n : 1) * sizeof(*lists));
	size_t nor = 0;
	for (size_t i = 0; i < n; i++)
		if ((ors[nor] = widx_origin(q->idx, asns[i])) != NULL)
			nor++;
	for (int fam = 0; fam < 2; fam++) {
		if ((family == 4 && fam == 1) || (family == 6 && fam == 0))
			continue;
		size_t total = 0, cnt = 0;
		for (size_t i = 0; i < nor; i++) {
			lists[i] = wres_origin_prefixes(q, ors[i], fam);
			total += lists[i]->n;
		}
		if (total == 0)
			continue;
		size_t esz = fam == 0 ? sizeof(uint64_t) : sizeof(struct wv6key);
		char *all = xmalloc(total * esz);
		for (size_t i = 0; i < nor; i++) {
			const struct wpfxlist *c = lists[i];
			memcpy(all + cnt * esz, c->keys, c->n * esz);
			cnt += c->n;
		}
		if (fam == 0) {
			sort_v4((uint64_t *)all, cnt);
			cnt = uniq_v4((uint64_t *)all, cnt);
		} else {
			qsort(all, cnt, esz, cmp_v6);
			cnt = uniq_v6((struct wv6key *)all, cnt);
		}
		render_keys(fam, all, cnt, out);
		free(all);
	}
	free(lists);
	free(ors);
}

/* ---------------------------------------------------------------- sets */

struct strvec {
	const char **v;
	size_t n, cap;
};

static void strvec_add(struct strvec *sv, const char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 64;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

/* A set of 32-bit numbers (stored + 1, 0 marks a free slot). */
struct u32set {
	uint64_t *v;
	uint32_t n, cap;
};

static bool u32set_add(struct u32set *s, uint32_t x)
{
	if ((s->n + 1) * 2 > s->cap) {
		uint32_t ncap = s->cap ? s->cap * 2 : 256;
		uint64_t *nv = xcalloc(ncap, sizeof(*nv));
		for (uint32_t i = 0; i < s->cap; i++) {
			if (s->v[i] == 0)
				continue;
			uint32_t j = (uint32_t)(((s->v[i] - 1) * 0x9e3779b97f4a7c15ULL) >> 32) & (ncap - 1);
			while (nv[j])
				j = (j + 1) & (ncap - 1);
			nv[j] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->cap = ncap;
	}
	uint64_t key = (uint64_t)x + 1;
	uint32_t j = (uint32_t)(((uint64_t)x * 0x9e3779b97f4a7c15ULL) >> 32) & (s->cap - 1);
	while (s->v[j]) {
		if (s->v[j] == key)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = key;
	s->n++;
	return true;
}

static void u32set_free(struct u32set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Source id -> position in the query's source order (-1: not selected). */
static void source_ranks(const struct wquery *q, int16_t *rank)
{
	memset(rank, 0xff, WHOIS_MAX_SOURCES * sizeof(*rank));
	for (unsigned i = 0; i < q->nsrcs; i++)
		if (rank[q->srcs[i]] < 0)
			rank[q->srcs[i]] = (int16_t)i;
}

/* The set a name stands for: as-set in each selected source in order,
 * then (unless only as-sets are wanted) route-set; the first hit. */
static const struct wobj *pick_set(const struct wsetname *e, const int16_t *rank, bool as_set_only)
{
	const struct wobj *best = NULL;
	int bestkey = 2 * WHOIS_MAX_SOURCES;
	const struct wobj *o = e->first;
	for (uint32_t i = 0; o != NULL; o = i < e->nmore ? e->more[i++] : NULL) {
		int pass = o->cls == RPSL_AS_SET ? 0 : 1;
		if (pass == 1 && as_set_only)
			continue;
		int rk = rank[o->src];
		if (rk < 0)
			continue;
		int key = pass * WHOIS_MAX_SOURCES + rk;
		if (key < bestkey) {
			bestkey = key;
			best = o;
		}
	}
	return best;
}

static const struct wobj *find_set(const struct wquery *q, const int16_t *rank, const char *name, bool as_set_only)
{
	int64_t id = widx_setname_find(q->idx, name, strlen(name));
	return id < 0 ? NULL : pick_set(widx_setname_at(q->idx, (uint32_t)id), rank, as_set_only);
}

static bool key_has(const struct wobj *o, enum wattr attr, const char *value)
{
	uint8_t a;
	const char *v;
	WOBJ_KEYS_FOREACH(o, kp, a, v)
		if (a == attr && strcmp(v, value) == 0)
			return true;
	return false;
}

/* Is o's mnt-by listed in set's mbrs-by-ref (or is that ANY)? */
static bool byref_allowed(const struct wobj *set, const struct wobj *o)
{
	uint8_t a;
	const char *v;
	WOBJ_KEYS_FOREACH(set, kp, a, v) {
		if (a != WA_MBRS_BY_REF)
			continue;
		if (strcmp(v, "ANY") == 0 || key_has(o, WA_MNT_BY, v))
			return true;
	}
	return false;
}

typedef void (*member_fn)(void *arg, const struct wmember *m);

/* Each member of one set: its members and mp-members, then the objects
 * that join it by reference (as struct wmember, like the others). */
static void for_each_member(const struct wquery *q, const struct wobj *set, member_fn fn, void *arg)
{
	struct wmember m;
	WOBJ_MEMBERS_FOREACH(set, mp, m)
		fn(arg, &m);
	if (!(set->flags & WOBJ_HAS_BYREF))
		return;
	const struct wpost *p = widx_post(q->idx, WA_MEMBER_OF, wobj_pk(set), set->pk_len);
	if (p == NULL)
		return;
	struct wobj *o;
	WPTRSET_FOREACH(&p->objs, i, o) {
		if (o->src != set->src)
			continue;
		if (set->cls == RPSL_AS_SET) {
			if (o->cls != RPSL_AUT_NUM || !(o->flags & WOBJ_HAS_ASN))
				continue;
		} else {
			if ((o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6) || !(o->flags & WOBJ_HAS_PREFIX) ||
			    o->rpki == RPKI_INVALID)
				continue;
		}
		if (!byref_allowed(set, o))
			continue;
		if (set->cls == RPSL_AS_SET) {
			/* parsed_data["aut-num"]: the key */
			m.tag = 'A';
			m.asn = o->asn_first;
			m.hash = 0;
			m.str = wobj_pk(o);
			m.len = (uint16_t)o->pk_len;
			char canon[16];
			snprintf(canon, sizeof(canon), "AS%u", m.asn);
			if (strcmp(canon, m.str) != 0)
				m.tag = 'a';
		} else {
			char buf[64];
			size_t l = wprefix_format(o->family, o->ip_first, o->plen, buf);
			m.tag = 'P';
			m.asn = 0;
			m.hash = 0;
			m.str = warena_strndup(q->arena, buf, l);
			m.len = (uint16_t)l;
		}
		fn(arg, &m);
	}
}

static bool is_excluded(const struct wquery *q, const char *name)
{
	return q->excluded != NULL && wstrset_has(q->excluded, name);
}

/*
 * IRRd's _recursive_set_resolve: level by level, each set expanded once
 * (IRRd remembers names; we remember set-name ids, and a name always finds
 * the same object within a query, so the result is the same).
 */
struct resolve {
	struct wquery *q;
	int root_class;			/* RPSL_AS_SET, RPSL_ROUTE_SET */
	int16_t rank[WHOIS_MAX_SOURCES];	/* see source_ranks() */
	uint64_t *seen;			/* bit per set-name id: reached */
	uint32_t *asns;			/* as-set root: AS numbers found, repeats included */
	size_t nasns, capasns;
	struct u32set origins_done;	/* route-set root: origins added */
	struct wstrset str_seen;	/* other results, as text */
	struct strvec strs;
	uint32_t *pend;			/* set-name ids of this level to look up */
	size_t npend, cappend;
};

static void add_str(struct resolve *r, const char *s)
{
	if (wstrset_add(&r->str_seen, s))
		strvec_add(&r->strs, s);
}

static void add_origin_prefixes(struct resolve *r, uint32_t asn)
{
	if (!u32set_add(&r->origins_done, asn))
		return;
	struct worigin *or = widx_origin(r->q->idx, asn);
	if (or == NULL)
		return;
	for (int fam = 0; fam < 2; fam++) {
		const struct wpfxlist *c = wres_origin_prefixes(r->q, or, fam);
		for (size_t i = 0; i < c->n; i++) {
			char buf[64];
			size_t l = fam == 0 ? fmt_v4key(((const uint64_t *)c->keys)[i], buf)
					    : fmt_v6key(&((const struct wv6key *)c->keys)[i], buf);
			if (wstrset_has(&r->str_seen, buf))
				continue;
			add_str(r, warena_strndup(r->q->arena, buf, l));
		}
	}
}

/* First time this expansion reaches the name? A per-query bitmap: the
 * index is shared by concurrent queries, so nothing is marked in it. */
static bool visit(struct resolve *r, uint32_t id)
{
	uint64_t bit = 1ULL << (id & 63);
	if (r->seen[id >> 6] & bit)
		return false;
	r->seen[id >> 6] |= bit;
	return true;
}

static void queue_id(struct resolve *r, uint32_t id)
{
	if (!visit(r, id))
		return;
	if (r->npend == r->cappend) {
		r->cappend = r->cappend ? r->cappend * 2 : 256;
		r->pend = xrealloc(r->pend, r->cappend * sizeof(*r->pend));
	}
	r->pend[r->npend++] = id;
}

/* A member that is a set's name, given as text (not classified as one). */
static void queue_name(struct resolve *r, const char *name, size_t len)
{
	if (is_excluded(r->q, name))
		return;
	int64_t id = widx_setname_find(r->q->idx, name, len);
	if (id >= 0)
		queue_id(r, (uint32_t)id);
}

/*
 * Look up the names collected for a level and queue the sets found. The
 * lookups are independent, so they go in passes that prefetch the names'
 * entries, then their sets, then the sets' members: memory latency, not
 * work, is what a big expansion spends its time on.
 */
static void lookup_pending(struct resolve *r, struct strvec *next)
{
	const struct whois_index *idx = r->q->idx;
	size_t n = r->npend;

	r->npend = 0;
	for (size_t i = 0; i < n; i++)
		__builtin_prefetch(widx_setname_at(idx, r->pend[i]));
	for (size_t i = 0; i < n; i++) {
		const struct wobj *o = widx_setname_at(idx, r->pend[i])->first;
		if (o)
			__builtin_prefetch(o);
	}
	for (size_t i = 0; i < n; i++) {
		const struct wobj *set = pick_set(widx_setname_at(idx, r->pend[i]), r->rank,
						  r->root_class == RPSL_AS_SET);
		if (set) {
			strvec_add(next, (const char *)set);
			__builtin_prefetch(wobj_members(set));
		}
	}
}

static void resolve_member(void *arg, const struct wmember *m)
{
	struct resolve *r = arg;
	switch (m->tag) {
	case 'P':
		if (r->root_class == RPSL_ROUTE_SET)
			add_str(r, m->str);
		else
			queue_name(r, m->str, m->len);
		break;
	case 'A':
	case 'a':
		if (r->root_class == RPSL_ROUTE_SET) {
			add_origin_prefixes(r, m->asn);
		} else if (m->tag == 'a') {
			add_str(r, m->str);
		} else {
			/* repeats go at the end, when the list is sorted */
			if (r->nasns == r->capasns) {
				r->capasns = r->capasns ? r->capasns * 2 : 256;
				r->asns = xrealloc(r->asns, r->capasns * sizeof(*r->asns));
			}
			r->asns[r->nasns++] = m->asn;
		}
		break;
	default:
		if (!is_excluded(r->q, m->str))
			queue_id(r, m->id);
		break;
	}
}

static void resolve_recursive(struct resolve *r, const char *root, int root_class)
{
	r->root_class = root_class;
	source_ranks(r->q, r->rank);
	const struct wobj *set = find_set(r->q, r->rank, root, root_class == RPSL_AS_SET);
	if (set == NULL)
		return;
	r->root_class = set->cls;
	r->seen = xcalloc(((size_t)r->q->idx->nsetnames + 63) / 64, sizeof(*r->seen));
	visit(r, set->name_id);
	struct strvec level = { 0 }, next = { 0 };
	strvec_add(&level, (const char *)set);
	while (level.n > 0) {
		for (size_t i = 0; i < level.n; i++) {
			if (i + 8 < level.n) {
				/* the members of a set a little ahead: their
				 * first lines are a cache miss each */
				const char *ahead = wobj_members((const struct wobj *)level.v[i + 8]);
				__builtin_prefetch(ahead);
				__builtin_prefetch(ahead + 64);
			}
			for_each_member(r->q, (const struct wobj *)level.v[i], resolve_member, r);
		}
		next.n = 0;
		lookup_pending(r, &next);
		struct strvec t = level;
		level = next;
		next = t;
	}
	free(level.v);
	free(next.v);
}

static void resolve_free(struct resolve *r)
{
	free(r->seen);
	free(r->pend);
	u32set_free(&r->origins_done);
	free(r->asns);
	wstrset_free(&r->str_seen);
	free(r->strs.v);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sort key of "AS<n>" in string order: the digits as nibbles (digit + 1),
 * left-aligned in 40 bits, 0 after the last. */
static uint64_t declex_key(uint32_t v)
{
	unsigned d[10], n = 0;
	do {
		d[n++] = v % 10;
		v /= 10;
	} while (v);
	uint64_t k = 0;
	for (unsigned i = 0; i < 10; i++)
		k = (k << 4) | (i < n ? (uint64_t)d[n - 1 - i] + 1 : 0);
	return k;
}

static void join_sorted_strings(struct strvec *sv, const char *skip, struct wbuf *out)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	bool first = true;
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], skip) == 0)
			continue;	/* the set itself is not its own member */
		if (!first)
			wbuf_addc(out, ' ');
		wbuf_adds(out, sv->v[i]);
		first = false;
	}
}

static void direct_member(void *arg, const struct wmember *m)
{
	add_str(arg, m->str);
}

/* compatibility.ipv4_only_route_set_members: IRRd drops the members that
 * IPy reads as a prefix but not as an IPv4 one ("2001:db8::/32" goes,
 * "2001:db8::/32^48", AS numbers and set names stay). */
static void drop_ipv6_prefixes(const struct wquery *q, struct strvec *sv)
{
	if (q->ctx->cfg == NULL || !q->ctx->cfg->compat_ipv4_only_route_set_members)
		return;
	size_t w = 0;
	for (size_t i = 0; i < sv->n; i++) {
		struct wprefix p;
		const char *m = sv->v[i];
		if (!w_ipy_parse(m, strlen(m), &p) || p.family == 4)
			sv->v[w++] = m;
	}
	sv->n = w;
}

void wres_set_members(struct wquery *q, const char *name, bool recursive, struct wbuf *out)
{
	struct resolve r = { .q = q };

	if (!recursive) {
		source_ranks(q, r.rank);
		const struct wobj *set = find_set(q, r.rank, name, false);
		if (set != NULL)
			for_each_member(q, set, direct_member, &r);
		drop_ipv6_prefixes(q, &r.strs);
		join_sorted_strings(&r.strs, name, out);
		resolve_free(&r);
		return;
	}
	resolve_recursive(&r, name, RPSL_CLASS_UNKNOWN);
	if (r.strs.n == 0 && r.nasns > 0) {
		/* AS numbers only: sort them as IRRd sorts their text. */
		uint64_t *keys = xmalloc(r.nasns * sizeof(*keys));
		for (size_t i = 0; i < r.nasns; i++)
			keys[i] = declex_key(r.asns[i]);
		sort_v4(keys, r.nasns);
		size_t nk = uniq_v4(keys, r.nasns);
		wbuf_reserve(out, nk * 12);
		for (size_t i = 0; i < nk; i++) {
			char buf[16];
			size_t n = 0;
			if (i)
				buf[n++] = ' ';
			buf[n++] = 'A';
			buf[n++] = 'S';
			for (int sh = 36; sh >= 0; sh -= 4) {
				unsigned d = (unsigned)(keys[i] >> sh) & 0xf;
				if (d == 0)
					break;
				buf[n++] = (char)('0' + d - 1);
			}
			wbuf_add(out, buf, n);
		}
		free(keys);
	} else {
		for (size_t i = 0; i < r.nasns; i++) {
			char buf[16];
			int l = snprintf(buf, sizeof(buf), "AS%u", r.asns[i]);
			add_str(&r, warena_strndup(q->arena, buf, (size_t)l));
		}
		drop_ipv6_prefixes(q, &r.strs);
		join_sorted_strings(&r.strs, name, out);
	}
	resolve_free(&r);
}

void wres_as_set_prefixes(struct wquery *q, const char *name, int family, struct wbuf *out)
{
	struct resolve r = { .q = q };

	/* Only canonical AS numbers: IRRd looks origins up by their text. */
	resolve_recursive(&r, name, RPSL_AS_SET);
	uint64_t *v = xmalloc((r.nasns ? r.nasns : 1) * sizeof(*v));
	for (size_t i = 0; i < r.nasns; i++)
		v[i] = r.asns[i];
	sort_v4(v, r.nasns);
	size_t n = uniq_v4(v, r.nasns);
	for (size_t i = 0; i < n; i++)
		r.asns[i] = (uint32_t)v[i];
	free(v);
	wres_origins_prefixes(q, r.asns, n, family, out);
	resolve_free(&r);
}
