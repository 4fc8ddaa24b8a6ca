/*
 * search.c - object queries (!m, !o, !r, -i, -x/-l/-L/-M, free text) and
 * their rendering, as IRRd 4.5's RPSLDatabaseQuery and
 * WhoisQueryParser._flatten_query_output do:
 *
 *   - Every query is limited to the selected sources, to the -T classes if
 *     any and, while the RPKI filter is on, to objects that are not
 *     RPKI-invalid.
 *   - Results are ordered as IRRd's SQL orders them: (source priority for
 *     !m), first address (IPv4 before IPv6, objects without one last), first
 *     AS number (those without last), primary key.
 *   - Each object is followed by "rpki-ov-state:  <state>" when RPKI-aware
 *     mode is on, unless it is a pseudo-IRR object (source RPKI) or not a
 *     route(6); objects are separated by a blank line.
 */
#include "whois/whois_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

void wresult_free(struct wresult *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static void result_add(struct wresult *r, struct wobj *o)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = o;
}

bool wsearch_pass(const struct wquery *q, const struct wfilter *f, const struct wobj *o)
{
	if (!wsrcmask_has(&q->mask, o->src))
		return false;
	if (f->classes_set && !(f->classes & (1u << o->cls)))
		return false;
	if (f->rpki && o->rpki == RPKI_INVALID)
		return false;
	return true;
}

/* ---------------------------------------------------------------- ordering */

struct sortctx {
	uint16_t rank[WHOIS_MAX_SOURCES];
	bool by_source;
};

static int cmp_obj(const void *x, const void *y, void *arg)
{
	const struct wobj *a = *(const struct wobj *const *)x, *b = *(const struct wobj *const *)y;
	const struct sortctx *sc = arg;
	int c;

	if (sc->by_source && sc->rank[a->src] != sc->rank[b->src])
		return sc->rank[a->src] < sc->rank[b->src] ? -1 : 1;
	bool ai = a->flags & WOBJ_HAS_IP, bi = b->flags & WOBJ_HAS_IP;
	if (ai != bi)
		return ai ? -1 : 1;
	if (ai) {
		if (a->family != b->family)
			return a->family < b->family ? -1 : 1;
		if ((c = memcmp(a->ip_first, b->ip_first, 16)) != 0)
			return c;
	}
	bool aa = a->flags & WOBJ_HAS_ASN, ba = b->flags & WOBJ_HAS_ASN;
	if (aa != ba)
		return aa ? -1 : 1;
	if (aa && a->asn_first != b->asn_first)
		return a->asn_first < b->asn_first ? -1 : 1;
	if ((c = strcmp(wobj_pk(a), wobj_pk(b))) != 0)
		return c;
	if (sc->rank[a->src] != sc->rank[b->src])
		return sc->rank[a->src] < sc->rank[b->src] ? -1 : 1;
	return (int)a->cls - (int)b->cls;
}

void wsearch_sort(const struct wquery *q, struct wresult *r, bool by_source)
{
	struct sortctx *sc = xmalloc(sizeof(*sc));
	for (unsigned i = 0; i < WHOIS_MAX_SOURCES; i++)
		sc->rank[i] = WHOIS_MAX_SOURCES;
	for (unsigned i = 0; i < q->nsrcs; i++)
		sc->rank[q->srcs[i]] = (uint16_t)i;
	sc->by_source = by_source;
	if (r->n > 1)
		qsort_r(r->v, r->n, sizeof(*r->v), cmp_obj, sc);
	free(sc);
}

/* ---------------------------------------------------------------- routes */

struct routectx {
	const struct wquery *q;
	const struct wfilter *f;
	struct wresult *r;
	bool stop_after_hit;
	bool no_inetnum;	/* compatibility.inetnum_search_disabled */
};

static bool route_cb(const struct wptrset *objs, uint8_t len, void *arg)
{
	struct routectx *rc = arg;
	size_t before = rc->r->n;
	struct wobj *o;
	(void)len;
	WPTRSET_FOREACH(objs, i, o) {
		if (o->cls != RPSL_ROUTE && o->cls != RPSL_ROUTE6)
			continue;
		if (wsearch_pass(rc->q, rc->f, o))
			result_add(rc->r, o);
	}
	return !(rc->stop_after_hit && rc->r->n > before);
}

/* Objects of any class (free-text address search). */
static bool any_cb(const struct wptrset *objs, uint8_t len, void *arg)
{
	struct routectx *rc = arg;
	struct wobj *o;
	(void)len;
	WPTRSET_FOREACH(objs, i, o)
		if (!(rc->no_inetnum && o->cls == RPSL_INETNUM) && wsearch_pass(rc->q, rc->f, o))
			result_add(rc->r, o);
	return true;
}

void wsearch_route(const struct wquery *q, const struct wfilter *f, const struct wprefix *p,
		   enum wroute_lookup how, struct wresult *r)
{
	struct routectx rc = { q, f, r, false, false };
	const struct wradix *rt = q->idx->radix[p->family == 6 ? 1 : 0];

	switch (how) {
	case WR_EXACT:
		wradix_exact(rt, p->a, p->len, route_cb, &rc);
		break;
	case WR_LESS_WITH_EXACT:
		wradix_covering(rt, p->a, p->len, true, route_cb, &rc);
		break;
	case WR_LESS_ONE:
		/* The smallest covering objects that pass the filters. */
		rc.stop_after_hit = true;
		wradix_covering_rev(rt, p->a, p->len, false, route_cb, &rc);
		break;
	case WR_MORE:
		wradix_more(rt, p->a, p->len, false, route_cb, &rc);
		break;
	}
	wsearch_sort(q, r, false);
}

/* ---------------------------------------------------------------- inverse */

void wsearch_inverse(const struct wquery *q, const struct wfilter *f, enum wattr attr,
		     const char *value, struct wresult *r)
{
	size_t len = strlen(value);
	char *up = xstrndup(value, len);
	struct wobj *o;

	w_upper(up, len);
	if (attr == WA_ORIGIN) {
		/* Only the exact text IRRd stores ("AS" and the number) matches. */
		uint32_t asn;
		char canon[16];
		if (w_parse_as_number(up, len, &asn, NULL)) {
			snprintf(canon, sizeof(canon), "AS%u", asn);
			struct worigin *or = strcmp(canon, up) == 0 ? widx_origin(q->idx, asn) : NULL;
			for (int fam = 0; or && fam < 2; fam++)
				WPTRSET_FOREACH(&or->routes[fam], i, o)
					if (wsearch_pass(q, f, o))
						result_add(r, o);
		}
	} else {
		const struct wpost *p = widx_post(q->idx, attr, up, len);
		if (p)
			WPTRSET_FOREACH(&p->objs, i, o)
				if (wsearch_pass(q, f, o))
					result_add(r, o);
	}
	free(up);
	wsearch_sort(q, r, false);
}

/* ---------------------------------------------------------------- key */

struct wobj *wsearch_key(const struct wquery *q, const struct wfilter *f, enum rpsl_class cls,
			 const char *pk, size_t pklen)
{
	for (unsigned i = 0; i < q->nsrcs; i++) {
		struct wobj *o = widx_get(q->idx, q->srcs[i], cls, pk, pklen);
		if (o && wsearch_pass(q, f, o))
			return o;
	}
	return NULL;
}

/* ---------------------------------------------------------------- free text */

/*
 * SQL LIKE on upper-cased text: '%' any run, '_' one character, '\' makes
 * the next character literal. The pattern is compiled once: runs of '%'
 * become one, and its fixed length (characters it must consume) lets most
 * names be rejected at once. Matching is the greedy two-pointer walk that
 * backs up to the last '%' only, O(pattern * text) at worst, with no
 * recursion whatever the pattern.
 */
struct like {
	char *p;		/* compiled: '%' = any run, '\1' = one character, else literal */
	size_t minlen;		/* characters a match needs */
};

static void like_compile(struct like *lk, const char *pat)
{
	size_t n = strlen(pat), w = 0;
	lk->p = xmalloc(n + 1);
	lk->minlen = 0;
	for (size_t i = 0; i < n; i++) {
		char c = pat[i];
		if (c == '%') {
			if (w == 0 || lk->p[w - 1] != '%')
				lk->p[w++] = '%';
			continue;
		}
		if (c == '_') {
			lk->p[w++] = '\1';
		} else {
			if (c == '\\' && i + 1 < n)
				c = pat[++i];
			lk->p[w++] = c == '\1' ? '?' : c;	/* a literal 0x01 cannot be in a name */
		}
		lk->minlen++;
	}
	lk->p[w] = '\0';
}

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

static bool like_match(const struct like *lk, const char *s)
{
	const char *p = lk->p, *star_p = NULL, *star_s = NULL;
	size_t chars = 0;
	for (const char *t = s; *t; t += utf8_len((unsigned char)*t))
		chars++;
	if (chars < lk->minlen)
		return false;
	while (*s) {
		if (*p == '%') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '\1') {
			p++;
			s += utf8_len((unsigned char)*s);
			continue;
		}
		if (*p != '\0' && *p == *s) {
			p++;
			s++;
			continue;
		}
		if (star_p == NULL)
			return false;
		p = star_p;
		star_s += utf8_len((unsigned char)*star_s);
		s = star_s;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

static bool key_like(const struct wobj *o, enum wattr attr, const struct like *lk)
{
	uint8_t a;
	const char *v;
	WOBJ_KEYS_FOREACH(o, kp, a, v)
		if (a == attr)
			return like_match(lk, v);
	return false;
}

void wsearch_text(const struct wquery *q, const struct wfilter *f, const char *value, size_t len,
		  struct wresult *r)
{
	uint32_t asn;
	struct wprefix p;
	struct wobj *o;

	const struct cfg *cfg = q->ctx->cfg;
	if (w_parse_as_query(value, len, cfg != NULL && cfg->compat_asdot_queries, &asn, NULL)) {
		struct wfilter f2 = *f;
		uint32_t cls = (1u << RPSL_AS_BLOCK) | (1u << RPSL_AS_SET) | (1u << RPSL_AUT_NUM);
		f2.classes = f->classes_set ? (f->classes & cls) : cls;
		f2.classes_set = true;
		char pk[16];
		int pkl = snprintf(pk, sizeof(pk), "AS%u", asn);
		for (unsigned i = 0; i < q->nsrcs; i++) {
			o = widx_get(q->idx, q->srcs[i], RPSL_AUT_NUM, pk, (size_t)pkl);
			if (o && (o->flags & WOBJ_HAS_ASN) && wsearch_pass(q, &f2, o))
				result_add(r, o);
		}
		WPTRSET_FOREACH(&q->idx->byclass[RPSL_AS_BLOCK], i, o)
			if ((o->flags & WOBJ_HAS_ASN) && o->asn_first <= asn && o->asn_last >= asn &&
			    wsearch_pass(q, &f2, o))
				result_add(r, o);
	} else if (w_ipy_parse(value, len, &p)) {
		struct wprefix last = p;
		unsigned bits = p.family == 6 ? 128 : 32;
		for (unsigned i = p.len; i < bits; i++)
			last.a[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
		/* compatibility.inetnum_search_disabled: IRRd then searches its
		 * prefix column only, which no inetnum fills (an inetnum is a
		 * range there even when it is a prefix); inet6num keys are
		 * prefixes and stay. */
		bool no_inetnum = cfg != NULL && cfg->compat_inetnum_search_disabled;
		WPTRSET_FOREACH(&q->idx->ranges, i, o) {
			if (no_inetnum)
				break;
			if (o->family != p.family || memcmp(o->ip_first, p.a, 16) > 0 ||
			    memcmp(o->ip_last, last.a, 16) < 0)
				continue;
			if (wsearch_pass(q, f, o))
				result_add(r, o);
		}
		struct routectx rc = { q, f, r, false, no_inetnum };
		wradix_covering(q->idx->radix[p.family == 6 ? 1 : 0], p.a, p.len, true, any_cb, &rc);
	} else {
		char *up = xstrndup(value, len);
		w_upper(up, len);
		struct wptrset seen = { 0 };
		for (int c = 0; c < RPSL_CLASS_COUNT; c++) {
			for (unsigned i = 0; i < q->nsrcs; i++) {
				o = widx_get(q->idx, q->srcs[i], (enum rpsl_class)c, up, len);
				if (o && wsearch_pass(q, f, o)) {
					result_add(r, o);
					wptrset_add(&seen, o);
				}
			}
		}
		/* person / role whose name is ILIKE '%value%' */
		char *pattern = xmalloc(len + 3);
		pattern[0] = '%';
		memcpy(pattern + 1, up, len);
		pattern[len + 1] = '%';
		pattern[len + 2] = '\0';
		struct like lk;
		like_compile(&lk, pattern);
		static const enum rpsl_class pc[2] = { RPSL_PERSON, RPSL_ROLE };
		static const enum wattr pa[2] = { WA_PERSON, WA_ROLE };
		for (int k = 0; k < 2; k++) {
			WPTRSET_FOREACH(&q->idx->byclass[pc[k]], i, o) {
				if (!wsearch_pass(q, f, o) || !key_like(o, pa[k], &lk))
					continue;
				bool dup = false;
				struct wobj *x;
				WPTRSET_FOREACH(&seen, j, x)
					if (x == o)
						dup = true;
				if (!dup)
					result_add(r, o);
			}
		}
		free(lk.p);
		free(pattern);
		wptrset_free(&seen);
		free(up);
	}
	wsearch_sort(q, r, false);
}

/* ---------------------------------------------------------------- rendering */

static const char *const pk_fields[RPSL_CLASS_COUNT][2] = {
	[RPSL_AS_BLOCK] = { "as-block" },	[RPSL_AS_SET] = { "as-set" },
	[RPSL_AUT_NUM] = { "aut-num" },		[RPSL_DOMAIN] = { "domain" },
	[RPSL_FILTER_SET] = { "filter-set" },	[RPSL_INET_RTR] = { "inet-rtr" },
	[RPSL_INET6NUM] = { "inet6num" },	[RPSL_INETNUM] = { "inetnum" },
	[RPSL_IRT] = { "irt" },			[RPSL_KEY_CERT] = { "key-cert" },
	[RPSL_MNTNER] = { "mntner" },		[RPSL_ORGANISATION] = { "organisation" },
	[RPSL_PEERING_SET] = { "peering-set" },	[RPSL_PERSON] = { "nic-hdl" },
	[RPSL_ROLE] = { "nic-hdl" },		[RPSL_ROUTE] = { "route", "origin" },
	[RPSL_ROUTE_SET] = { "route-set" },	[RPSL_ROUTE6] = { "route6", "origin" },
	[RPSL_RTR_SET] = { "rtr-set" },
};

static void render_key_fields(const struct wquery *q, const struct wresult *r, struct wbuf *out)
{
	struct wbuf blocks = { 0 };
	size_t *offs = xmalloc((r->n ? r->n : 1) * sizeof(*offs));
	struct wstrset seen = { 0 };
	size_t nb = 0;

	/* Build each block NUL-terminated in one buffer, then keep the first
	 * of equal blocks (IRRd's OrderedSet). */
	for (size_t i = 0; i < r->n; i++) {
		const struct wobj *o = r->v[i];
		struct rpsl_object *obj = rpsl_parse(wobj_text(o), o->text_len, RPSL_NONSTRICT,
						     q->idx->srcnames[o->src]);
		offs[nb++] = blocks.len;
		const char *fields[4] = { pk_fields[o->cls][0], pk_fields[o->cls][1], "members", "mp-members" };
		for (int k = 0; k < 4; k++) {
			if (fields[k] == NULL)
				continue;
			struct rpsl_values vals = rpsl_get(obj, fields[k]);
			for (size_t j = 0; j < vals.n; j++)
				wbuf_printf(&blocks, "%s: %s\n", fields[k], vals.v[j]);
		}
		wbuf_addc(&blocks, '\0');
		rpsl_object_free(obj);
	}
	bool first = true;
	for (size_t i = 0; i < nb; i++) {
		const char *b = blocks.p + offs[i];
		if (!wstrset_add(&seen, b))
			continue;
		if (!first)
			wbuf_addc(out, '\n');
		wbuf_adds(out, b);
		first = false;
	}
	wstrset_free(&seen);
	free(offs);
	wbuf_free(&blocks);
}

void wrender_objects(const struct wquery *q, const struct wresult *r, bool key_fields_only, struct wbuf *out)
{
	if (key_fields_only) {
		render_key_fields(q, r, out);
		return;
	}
	bool aware = q->ctx->cfg != NULL && q->ctx->cfg->rpki_enabled;
	size_t start = out->len;
	for (size_t i = 0; i < r->n; i++) {
		const struct wobj *o = r->v[i];
		wbuf_add(out, wobj_text(o), o->text_len);
		if (aware && (o->cls == RPSL_ROUTE || o->cls == RPSL_ROUTE6) &&
		    strcmp(q->idx->srcnames[o->src], "RPKI") != 0) {
			if (o->rpki == RPKI_VALID)
				wbuf_adds(out, "rpki-ov-state:  valid\n");
			else if (o->rpki == RPKI_INVALID)
				wbuf_adds(out, "rpki-ov-state:  invalid\n");
			else
				wbuf_adds(out, "rpki-ov-state:  not_found # No ROAs found, or RPKI validation "
					       "not enabled for source\n");
		}
		wbuf_addc(out, '\n');
	}
	/* IRRd strips "\n" and "\r" at both ends of the whole text. */
	size_t s = start;
	while (s < out->len && (out->p[s] == '\n' || out->p[s] == '\r'))
		s++;
	size_t e = out->len;
	while (e > s && (out->p[e - 1] == '\n' || out->p[e - 1] == '\r'))
		e--;
	if (s > start)
		memmove(out->p + start, out->p + s, e - s);
	out->len = start + (e - s);
	if (out->p)
		out->p[out->len] = '\0';
}
