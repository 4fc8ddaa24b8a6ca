/*
 * resolve.c - prefix lists of origins (!g, !6, !a) and set expansion (!i,
 * !i,1, !a), following IRRd 4.5's QueryResolver and preload store:
 *
 *   - An origin's prefixes are the distinct prefixes of its route(6)
 *     objects in the selected sources, RPKI-invalid ones left out. IRRd
 *     answers from a Python set (no order); we sort by address, then
 *     length, and keep the result per origin and family until one of its
 *     routes changes or another source selection asks.
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

#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

/* ---------------------------------------------------------------- prefix lists */

void wres_cache_clear(struct worigin *or)
{
	for (int f = 0; f < 2; f++) {
		free(or->cache[f].keys);
		free(or->cache[f].str);
		memset(&or->cache[f], 0, sizeof(or->cache[f]));
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

/* Sort 40-bit keys: LSD radix sort for big arrays, qsort for small ones. */
static void sort_v4(uint64_t *v, size_t n)
{
	if (n < 2048) {
		qsort(v, n, sizeof(*v), cmp_u64);
		return;
	}
	uint64_t *tmp = xmalloc(n * sizeof(*tmp));
	uint64_t *src = v, *dst = tmp;
	for (unsigned shift = 0; shift < 40; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((src[i] >> shift) & 0xff) + 1]++;
		if (count[1] == n && shift > 0)
			continue;	/* every key has 0 in this byte: nothing moves */
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
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

const struct wpfxlist *wres_origin_prefixes(struct worigin *or, int fam, const struct wsrcmask *mask)
{
	struct wpfxlist *c = &or->cache[fam];
	if (c->valid && mask_eq(&c->mask, mask))
		return c;
	free(c->keys);
	free(c->str);
	memset(c, 0, sizeof(*c));
	const struct wptrset *rs = &or->routes[fam];
	size_t n = 0;
	struct wobj *o;
	if (fam == 0) {
		uint64_t *k = xmalloc((rs->n ? rs->n : 1) * sizeof(*k));
		WPTRSET_FOREACH(rs, i, o)
			if (o->rpki != RPKI_INVALID && wsrcmask_has(mask, o->src))
				k[n++] = v4key(o->ip_first, o->plen);
		sort_v4(k, n);
		n = uniq_v4(k, n);
		c->keys = k;
	} else {
		struct wv6key *k = xmalloc((rs->n ? rs->n : 1) * sizeof(*k));
		WPTRSET_FOREACH(rs, i, o)
			if (o->rpki != RPKI_INVALID && wsrcmask_has(mask, o->src))
				v6key(o->ip_first, o->plen, &k[n++]);
		qsort(k, n, sizeof(*k), cmp_v6);
		n = uniq_v6(k, n);
		c->keys = k;
	}
	c->n = n;
	c->mask = *mask;
	c->valid = true;
	return c;
}

static size_t fmt_v4key(uint64_t k, char *buf)
{
	uint8_t a[16] = { 0 };
	uint32_t addr = (uint32_t)(k >> 8);
	a[0] = (uint8_t)(addr >> 24);
	a[1] = (uint8_t)(addr >> 16);
	a[2] = (uint8_t)(addr >> 8);
	a[3] = (uint8_t)addr;
	return wprefix_format(4, a, (uint8_t)(k & 0xff), buf);
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

/* Append the keys as "p1 p2 ..." (a space before each when out is not empty). */
static void render_keys(int fam, const void *keys, size_t n, struct wbuf *out)
{
	char buf[64];
	wbuf_reserve(out, n * (fam == 0 ? 19 : 44));
	for (size_t i = 0; i < n; i++) {
		size_t l = fam == 0 ? fmt_v4key(((const uint64_t *)keys)[i], buf)
				    : fmt_v6key(&((const struct wv6key *)keys)[i], buf);
		if (out->len)
			wbuf_addc(out, ' ');
		wbuf_add(out, buf, l);
	}
}

const char *wres_origin_prefix_str(struct worigin *or, int fam, const struct wsrcmask *mask, size_t *len)
{
	struct wpfxlist *c = (struct wpfxlist *)wres_origin_prefixes(or, fam, mask);
	if (c->str == NULL) {
		struct wbuf b = { 0 };
		render_keys(fam, c->keys, c->n, &b);
		if (b.p == NULL)
			b.p = xcalloc(1, 1);
		c->str = b.p;
		c->strlen = b.len;
	}
	*len = c->strlen;
	return c->str;
}

void wres_origins_prefixes(struct wquery *q, const uint32_t *asns, size_t n, int family, struct wbuf *out)
{
	for (int fam = 0; fam < 2; fam++) {
		if ((family == 4 && fam == 1) || (family == 6 && fam == 0))
			continue;
		size_t total = 0, cnt = 0;
		for (size_t i = 0; i < n; i++) {
			struct worigin *or = widx_origin(q->idx, asns[i]);
			if (or)
				total += wres_origin_prefixes(or, fam, &q->mask)->n;
		}
		if (total == 0)
			continue;
		size_t esz = fam == 0 ? sizeof(uint64_t) : sizeof(struct wv6key);
		char *all = xmalloc(total * esz);
		for (size_t i = 0; i < n; i++) {
			struct worigin *or = widx_origin(q->idx, asns[i]);
			if (or == NULL)
				continue;
			const struct wpfxlist *c = wres_origin_prefixes(or, fam, &q->mask);
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

/* A set by name: as-set in each source in order, then (unless only as-sets
 * are wanted) route-set. */
static const struct wobj *find_set(const struct wquery *q, const char *name, bool as_set_only)
{
	size_t len = strlen(name);
	char stackbuf[256];
	char *up = len < sizeof(stackbuf) ? stackbuf : xmalloc(len + 1);
	const struct wobj *found = NULL;

	memcpy(up, name, len + 1);
	w_upper(up, len);
	for (int pass = 0; pass < 2 && found == NULL; pass++) {
		enum rpsl_class cls = pass == 0 ? RPSL_AS_SET : RPSL_ROUTE_SET;
		if (pass == 1 && as_set_only)
			break;
		for (unsigned i = 0; i < q->nsrcs && found == NULL; i++)
			found = widx_get(q->idx, q->srcs[i], cls, up, len);
	}
	if (up != stackbuf)
		free(up);
	return found;
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

static bool has_byref(const struct wobj *set)
{
	uint8_t a;
	const char *v;
	WOBJ_KEYS_FOREACH(set, kp, a, v)
		if (a == WA_MBRS_BY_REF && v[0] != '\0')
			return true;
	return false;
}

/* The members of one set, by-ref ones included, into sv (de-duplicated by seen). */
static void set_members(const struct wquery *q, const struct wobj *set, struct wstrset *seen, struct strvec *sv)
{
	WOBJ_MEMBERS_FOREACH(set, mp)
		if (wstrset_add(seen, mp))
			strvec_add(sv, mp);
	if (!has_byref(set))
		return;
	const struct wpost *p = widx_post(q->idx, WA_MEMBER_OF, wobj_pk(set), set->pk_len);
	if (p == NULL)
		return;
	struct wobj *o;
	WPTRSET_FOREACH(&p->objs, i, o) {
		if (o->src != set->src)
			continue;
		if (set->cls == RPSL_AS_SET && o->cls != RPSL_AUT_NUM)
			continue;
		if (set->cls == RPSL_ROUTE_SET) {
			if ((o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6) || !(o->flags & WOBJ_HAS_PREFIX))
				continue;
			if (o->rpki == RPKI_INVALID)
				continue;
		}
		if (!byref_allowed(set, o))
			continue;
		const char *m;
		if (set->cls == RPSL_AS_SET) {
			m = wobj_pk(o);
		} else {
			char buf[64];
			size_t l = wprefix_format(o->family, o->ip_first, o->plen, buf);
			m = warena_strndup(q->arena, buf, l);
		}
		if (wstrset_add(seen, m))
			strvec_add(sv, m);
	}
}

static bool is_excluded(const struct wquery *q, const char *name)
{
	for (size_t i = 0; i < q->nexcluded; i++)
		if (strcmp(q->excluded[i], name) == 0)
			return true;
	return false;
}

static bool member_is_prefix(const char *m)
{
	const char *caret = strchr(m, '^');
	struct wprefix p;
	return w_ipy_parse(m, caret ? (size_t)(caret - m) : strlen(m), &p);
}

/* Add an origin's prefixes (both families) as strings to the result. */
static void add_origin_prefixes(struct wquery *q, uint32_t asn, struct wstrset *rs, struct strvec *rv)
{
	struct worigin *or = widx_origin(q->idx, asn);
	if (or == NULL)
		return;
	for (int fam = 0; fam < 2; fam++) {
		const struct wpfxlist *c = wres_origin_prefixes(or, fam, &q->mask);
		for (size_t i = 0; i < c->n; i++) {
			char buf[64];
			size_t l = fam == 0 ? fmt_v4key(((const uint64_t *)c->keys)[i], buf)
					    : fmt_v6key(&((const struct wv6key *)c->keys)[i], buf);
			if (wstrset_has(rs, buf))
				continue;
			const char *s = warena_strndup(q->arena, buf, l);
			wstrset_add(rs, s);
			strvec_add(rv, s);
		}
	}
}

/*
 * IRRd's _recursive_set_resolve: returns the leaf members (prefixes, AS
 * numbers, origin prefixes) reached from root. root_class is RPSL_AS_SET
 * for !a, RPSL_CLASS_UNKNOWN (decided by the root) for !i,1.
 */
static void resolve_recursive(struct wquery *q, const char *root, int root_class, struct wstrset *rs, struct strvec *rv)
{
	struct wstrset seen = { 0 };
	struct strvec level = { 0 }, next = { 0 };

	strvec_add(&level, root);
	while (level.n > 0) {
		for (size_t i = 0; i < level.n; i++)
			wstrset_add(&seen, level.v[i]);

		/* _find_set_members */
		struct wstrset subseen = { 0 };
		struct strvec sub = { 0 };
		for (size_t i = 0; i < level.n; i++) {
			const struct wobj *set = find_set(q, level.v[i], root_class == RPSL_AS_SET);
			if (set == NULL)
				continue;	/* a leaf: dropped unless depth-limited */
			if (root_class == RPSL_CLASS_UNKNOWN)
				root_class = set->cls;
			set_members(q, set, &subseen, &sub);
		}

		next.n = 0;
		for (size_t i = 0; i < sub.n; i++) {
			const char *m = sub.v[i];
			uint32_t asn;
			if (root_class == RPSL_ROUTE_SET && member_is_prefix(m)) {
				if (wstrset_add(rs, m))
					strvec_add(rv, m);
				continue;
			}
			if (w_parse_as_number(m, strlen(m), &asn, NULL)) {
				if (root_class == RPSL_ROUTE_SET) {
					add_origin_prefixes(q, asn, rs, rv);
				} else if (wstrset_add(rs, m)) {
					strvec_add(rv, m);
				}
				continue;
			}
			if (wstrset_has(rs, m) || wstrset_has(&seen, m) || is_excluded(q, m))
				continue;
			strvec_add(&next, m);
		}
		wstrset_free(&subseen);
		free(sub.v);

		struct strvec t = level;
		level = next;
		next = t;
	}
	free(level.v);
	free(next.v);
	wstrset_free(&seen);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

size_t wres_set_members(struct wquery *q, const char *name, bool recursive, const char ***out)
{
	struct wstrset rs = { 0 };
	struct strvec rv = { 0 };

	if (!recursive) {
		const struct wobj *set = find_set(q, name, false);
		if (set != NULL)
			set_members(q, set, &rs, &rv);
	} else {
		resolve_recursive(q, name, RPSL_CLASS_UNKNOWN, &rs, &rv);
	}
	/* The set itself is not its own member. */
	size_t w = 0;
	for (size_t i = 0; i < rv.n; i++)
		if (strcmp(rv.v[i], name) != 0)
			rv.v[w++] = rv.v[i];
	rv.n = w;
	if (rv.n > 1)
		qsort(rv.v, rv.n, sizeof(*rv.v), cmp_str);
	wstrset_free(&rs);

	const char **res = warena_alloc(q->arena, (rv.n ? rv.n : 1) * sizeof(*res));
	if (rv.n)
		memcpy(res, rv.v, rv.n * sizeof(*res));
	free(rv.v);
	*out = res;
	return w;
}

void wres_as_set_prefixes(struct wquery *q, const char *name, int family, struct wbuf *out)
{
	struct wstrset rs = { 0 };
	struct strvec rv = { 0 };

	resolve_recursive(q, name, RPSL_AS_SET, &rs, &rv);
	uint32_t *asns = xmalloc((rv.n ? rv.n : 1) * sizeof(*asns));
	size_t n = 0;
	for (size_t i = 0; i < rv.n; i++)
		if (w_parse_as_number(rv.v[i], strlen(rv.v[i]), &asns[n], NULL))
			n++;
	wres_origins_prefixes(q, asns, n, family, out);
	free(asns);
	free(rv.v);
	wstrset_free(&rs);
}
