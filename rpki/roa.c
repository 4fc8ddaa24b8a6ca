/*
 * roa.c - ROA JSON import and the ROA set: parse an export (rpki-client,
 * Routinator, IRRd's "roas" format) with SLURM filters and assertions
 * applied, sort and de-duplicate it into an immutable set, compare two sets,
 * write a set back as JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/roa_int.h"

/* ---- error lists ---------------------------------------------------------- */

void roa_errs_add(struct roa_errs *e, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	size_t n;

	e->count++;
	if (e->count > ROA_ERR_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	n = strlen(e->name) + strlen(msg) + 4;
	if (e->len + n + 1 > e->cap) {
		e->cap = (e->len + n + 1) * 2;
		e->buf = xrealloc(e->buf, e->cap);
	}
	e->len += (size_t)sprintf(e->buf + e->len, "%s%s: %s", e->len ? "\n" : "", e->name, msg);
	free(msg);
}

char *roa_errs_take(struct roa_errs *e)
{
	char *r;

	if (e->count == 0)
		return NULL;
	if (e->count > ROA_ERR_MAX)
		r = xasprintf("%s\n%s: ... and %u more errors", e->buf, e->name, e->count - ROA_ERR_MAX);
	else
		r = xstrdup(e->buf);
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
	e->count = 0;
	return r;
}

/* A JSON value quoted for an error message: printable ASCII only, capped. */
static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > 0 && o + 5 >= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* ---- ROA vectors and trust anchors ----------------------------------------- */

void roa_vec_init(struct roa_vec *rv)
{
	memset(rv, 0, sizeof(*rv));
}

void roa_vec_free(struct roa_vec *rv)
{
	for (size_t i = 0; i < rv->ntas; i++)
		free(rv->tas[i]);
	free(rv->tas);
	free(rv->tahash);
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t roa_vec_ta(struct roa_vec *rv, const char *ta, size_t len)
{
	size_t mask, i;

	if (rv->ntas * 2 >= rv->tahashcap) {
		size_t ncap = rv->tahashcap ? rv->tahashcap * 2 : 16;
		uint32_t *nh = xcalloc(ncap, sizeof(*nh));

		for (size_t k = 0; k < rv->ntas; k++) {
			i = fnv1a(rv->tas[k], strlen(rv->tas[k])) & (ncap - 1);
			while (nh[i])
				i = (i + 1) & (ncap - 1);
			nh[i] = (uint32_t)k + 1;
		}
		free(rv->tahash);
		rv->tahash = nh;
		rv->tahashcap = ncap;
	}
	mask = rv->tahashcap - 1;
	for (i = fnv1a(ta, len) & mask; rv->tahash[i]; i = (i + 1) & mask) {
		const char *t = rv->tas[rv->tahash[i] - 1];
		if (strncmp(t, ta, len) == 0 && t[len] == '\0')
			return rv->tahash[i] - 1;
	}
	if (rv->ntas == rv->tacap) {
		rv->tacap = rv->tacap ? rv->tacap * 2 : 8;
		rv->tas = xrealloc(rv->tas, rv->tacap * sizeof(*rv->tas));
	}
	rv->tas[rv->ntas] = xstrndup(ta, len);
	rv->tahash[i] = (uint32_t)rv->ntas + 1;
	return (uint32_t)rv->ntas++;
}

void roa_vec_push(struct roa_vec *rv, const struct roa *r)
{
	if (rv->n == rv->cap) {
		rv->cap = rv->cap ? rv->cap * 2 : 1024;
		rv->v = xrealloc(rv->v, rv->cap * sizeof(*rv->v));
	}
	rv->v[rv->n++] = *r;
}

/* ---- sets ---------------------------------------------------------------------- */

int roa_cmp(const struct roa *x, const struct roa *y)
{
	int c = roa_prefix_cmp(&x->prefix, &y->prefix);

	if (c)
		return c;
	if (x->maxlen != y->maxlen)
		return x->maxlen < y->maxlen ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return 0;
}

static int roa_cmp_ta(const void *a, const void *b)
{
	const struct roa *x = a, *y = b;
	int c = roa_cmp(x, y);

	if (c)
		return c;
	return x->ta < y->ta ? -1 : x->ta > y->ta;
}

struct roa_set *roa_set_build(struct roa_vec *rv)
{
	struct roa_set *set = xcalloc(1, sizeof(*set));
	size_t o = 0;

	if (rv->n > 1)
		qsort(rv->v, rv->n, sizeof(*rv->v), roa_cmp_ta);
	for (size_t i = 0; i < rv->n; i++) {
		if (o > 0 && roa_cmp(&rv->v[o - 1], &rv->v[i]) == 0)
			continue;	/* same VRP from another TA: the first TA seen wins */
		rv->v[o++] = rv->v[i];
	}
	set->roas = rv->v;
	set->n = o;
	for (set->nv4 = 0; set->nv4 < o && set->roas[set->nv4].prefix.family == IP_AF4; set->nv4++)
		;
	set->tas = rv->tas;
	set->ntas = rv->ntas;
	free(rv->tahash);
	memset(rv, 0, sizeof(*rv));
	pidx_build(&set->ix, set->roas, set->n, sizeof(*set->roas));
	return set;
}

struct roa_set *roa_set_new_empty(void)
{
	struct roa_vec rv;

	roa_vec_init(&rv);
	return roa_set_build(&rv);
}

void roa_set_free(struct roa_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->ntas; i++)
		free(set->tas[i]);
	free(set->tas);
	free(set->roas);
	pidx_free(&set->ix);
	slurm_free(set->slurm);
	free(set);
}

const struct roa *roa_set_roas(const struct roa_set *set, size_t *n)
{
	*n = set->n;
	return set->roas;
}

size_t roa_set_count(const struct roa_set *set)
{
	return set->n;
}

size_t roa_set_count_v4(const struct roa_set *set)
{
	return set->nv4;
}

size_t roa_set_count_filtered(const struct roa_set *set)
{
	return set->nfiltered;
}

const char *roa_set_ta(const struct roa_set *set, uint32_t ta)
{
	return ta < set->ntas ? set->tas[ta] : "";
}

size_t roa_set_ta_count(const struct roa_set *set)
{
	return set->ntas;
}

void roa_set_attach_slurm(struct roa_set *set, struct slurm *slurm)
{
	slurm_free(set->slurm);
	set->slurm = slurm;
}

const struct slurm *roa_set_slurm(const struct roa_set *set)
{
	return set->slurm;
}

/* ---- SLURM filters, indexed --------------------------------------------------- */

struct pfilter {
	struct ip_prefix prefix;
	uint32_t asn;
};

struct filters {
	uint32_t *asns;			/* asn-only filters, sorted */
	size_t nasns;
	struct pfilter *pfx;		/* prefix-only */
	size_t npfx;
	struct pidx pfx_ix;
	struct pfilter *both;		/* prefix and asn */
	size_t nboth;
	struct pidx both_ix;
};

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int pfiltercmp(const void *a, const void *b)
{
	const struct pfilter *x = a, *y = b;
	int c = roa_prefix_cmp(&x->prefix, &y->prefix);

	if (c)
		return c;
	return x->asn < y->asn ? -1 : x->asn > y->asn;
}

static void filters_build(struct filters *f, const struct slurm *s)
{
	memset(f, 0, sizeof(*f));
	if (s == NULL || s->nprefix_filters == 0)
		return;
	f->asns = xcalloc(s->nprefix_filters, sizeof(*f->asns));
	f->pfx = xcalloc(s->nprefix_filters, sizeof(*f->pfx));
	f->both = xcalloc(s->nprefix_filters, sizeof(*f->both));
	for (size_t i = 0; i < s->nprefix_filters; i++) {
		const struct slurm_prefix_filter *pf = &s->prefix_filters[i];

		if (pf->has_prefix && pf->has_asn) {
			f->both[f->nboth].prefix = pf->prefix;
			f->both[f->nboth++].asn = pf->asn;
		} else if (pf->has_prefix) {
			f->pfx[f->npfx++].prefix = pf->prefix;
		} else if (pf->has_asn) {
			f->asns[f->nasns++] = pf->asn;
		}
	}
	qsort(f->asns, f->nasns, sizeof(*f->asns), u32cmp);
	qsort(f->pfx, f->npfx, sizeof(*f->pfx), pfiltercmp);
	qsort(f->both, f->nboth, sizeof(*f->both), pfiltercmp);
	pidx_build(&f->pfx_ix, f->pfx, f->npfx, sizeof(*f->pfx));
	pidx_build(&f->both_ix, f->both, f->nboth, sizeof(*f->both));
}

static void filters_free(struct filters *f)
{
	free(f->asns);
	free(f->pfx);
	free(f->both);
	pidx_free(&f->pfx_ix);
	pidx_free(&f->both_ix);
}

/* Does a prefixFilter drop this VRP (RFC 8416 section 4.2.1)? */
static bool filtered(const struct filters *f, const struct roa *r)
{
	int32_t nd;

	if (f->nasns && bsearch(&r->asn, f->asns, f->nasns, sizeof(*f->asns), u32cmp))
		return true;
	if (f->npfx && pidx_lookup(&f->pfx_ix, &r->prefix) >= 0)
		return true;
	if (f->nboth) {
		for (nd = pidx_lookup(&f->both_ix, &r->prefix); nd >= 0; nd = f->both_ix.nodes[nd].parent) {
			const struct pidx_node *node = &f->both_ix.nodes[nd];
			for (uint32_t k = 0; k < node->n; k++)
				if (f->both[node->first + k].asn == r->asn)
					return true;
		}
	}
	return false;
}

/* ---- ROA JSON ------------------------------------------------------------------------ */

enum { F_ASN = 1, F_PREFIX = 2, F_MAXLEN = 4, F_TA = 8 };

/* A member whose value is not read (a duplicate, or of the wrong type):
 * "roas[IDX].MEMBER: WHY", and the value skipped; -1 on a syntax error. */
static int member_skip(struct jrd *j, struct roa_errs *e, size_t idx, unsigned f, const char *why)
{
	roa_errs_add(e, "roas[%zu].%s: %s", idx,
		     f == F_ASN ? "asn" : f == F_PREFIX ? "prefix" : f == F_MAXLEN ? "maxLength" : "ta", why);
	return jrd_skip(j);
}

/* One entry of "roas"; 0 if it was fine (then *out is filled), -1 on
 * error (reported). Syntax errors are left in j. */
static int parse_entry(struct jrd *j, size_t idx, struct roa_vec *rv, struct roa_errs *e,
		       struct roa *out)
{
	const char *k, *s;
	size_t kl, sl;
	unsigned seen = 0, bad = 0;
	uint64_t maxlen = 0;
	struct jrd_num num;
	char sh[80];
	const char *why;
	int r;

	memset(out, 0, sizeof(*out));
	if (jrd_object_begin(j) < 0)
		return -1;
	while ((r = jrd_object_next(j, &k, &kl)) == 1) {
		unsigned f = key_is(k, kl, "asn") ? F_ASN : key_is(k, kl, "prefix") ? F_PREFIX :
			     key_is(k, kl, "maxLength") ? F_MAXLEN : key_is(k, kl, "ta") ? F_TA : 0;
		enum jrd_type t;

		if (f == 0) {
			if (jrd_skip(j) < 0)
				return -1;
			continue;
		}
		if (seen & f) {
			bad |= f;
			if (member_skip(j, e, idx, f, "duplicate member") < 0)
				return -1;
			continue;
		}
		seen |= f;
		t = jrd_peek(j);
		switch (f) {
		case F_ASN:
			if (t == JRD_STRING) {
				if (jrd_string(j, &s, &sl) < 0)
					return -1;
				if (roa_asn_parse(s, sl, &out->asn) < 0) {
					roa_errs_add(e, "roas[%zu].asn: invalid AS number %s", idx,
						     show(s, sl, sh, sizeof(sh)));
					bad |= f;
				}
			} else if (t == JRD_NUMBER) {
				if (jrd_number(j, &num) < 0)
					return -1;
				if (!num.is_uint || num.u > UINT32_MAX) {
					roa_errs_add(e, "roas[%zu].asn: invalid AS number %.*s", idx,
						     (int)(num.len > 40 ? 40 : num.len), num.text);
					bad |= f;
				} else {
					out->asn = (uint32_t)num.u;
				}
			} else {
				bad |= f;
				if (member_skip(j, e, idx, f, "must be a string or a number") < 0)
					return -1;
			}
			break;
		case F_PREFIX:
			if (t != JRD_STRING) {
				bad |= f;
				if (member_skip(j, e, idx, f, "must be a string") < 0)
					return -1;
				break;
			}
			if (jrd_string(j, &s, &sl) < 0)
				return -1;
			if (roa_prefix_parse(s, sl, &out->prefix, &why) < 0) {
				roa_errs_add(e, "roas[%zu].prefix: invalid prefix %s: %s", idx,
					     show(s, sl, sh, sizeof(sh)), why);
				bad |= f;
			}
			break;
		case F_MAXLEN:
			if (t == JRD_NUMBER) {
				if (jrd_number(j, &num) < 0)
					return -1;
				if (!num.is_uint) {
					roa_errs_add(e, "roas[%zu].maxLength: must be an integer", idx);
					bad |= f;
				}
				maxlen = num.u;
			} else if (t == JRD_STRING) {
				/* IRRd takes int(value), so "24" is fine */
				uint32_t v = 0;
				if (jrd_string(j, &s, &sl) < 0)
					return -1;
				if (sl == 0 || s[0] < '0' || s[0] > '9' || roa_asn_parse(s, sl, &v) < 0) {
					roa_errs_add(e, "roas[%zu].maxLength: must be an integer, not %s", idx,
						     show(s, sl, sh, sizeof(sh)));
					bad |= f;
				}
				maxlen = v;
			} else {
				bad |= f;
				if (member_skip(j, e, idx, f, "must be an integer") < 0)
					return -1;
			}
			break;
		case F_TA:
			if (t != JRD_STRING) {
				bad |= f;
				if (member_skip(j, e, idx, f, "must be a string") < 0)
					return -1;
				break;
			}
			if (jrd_string(j, &s, &sl) < 0)
				return -1;
			for (size_t i = 0; i < sl; i++) {
				if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
					roa_errs_add(e, "roas[%zu].ta: contains a control character", idx);
					bad |= f;
					break;
				}
			}
			if (!(bad & F_TA))
				out->ta = roa_vec_ta(rv, s, sl);
			break;
		}
	}
	if (r < 0)
		return -1;
	if (!(seen & F_ASN))
		roa_errs_add(e, "roas[%zu].asn: missing", idx);
	if (!(seen & F_PREFIX))
		roa_errs_add(e, "roas[%zu].prefix: missing", idx);
	if (!(seen & F_MAXLEN))
		roa_errs_add(e, "roas[%zu].maxLength: missing", idx);
	if (!(seen & F_TA))
		roa_errs_add(e, "roas[%zu].ta: missing", idx);
	if (seen != (F_ASN | F_PREFIX | F_MAXLEN | F_TA) || bad)
		return -1;
	if (maxlen < out->prefix.len || maxlen > ip_maxlen(out->prefix.family)) {
		roa_errs_add(e, "roas[%zu].maxLength: must be between %u and %u", idx,
			     out->prefix.len, ip_maxlen(out->prefix.family));
		return -1;
	}
	out->maxlen = (uint8_t)maxlen;
	return 0;
}

static void parse_roas(struct jrd *j, struct roa_vec *rv, struct roa_errs *e,
		       const struct filters *f, size_t *nfiltered)
{
	size_t idx = 0;
	int r;

	if (jrd_peek(j) != JRD_ARRAY) {
		if (!jrd_failed(j)) {
			roa_errs_add(e, "roas: must be an array");
			jrd_skip(j);
		}
		return;
	}
	jrd_array_begin(j);
	while ((r = jrd_array_next(j)) == 1) {
		struct roa roa;

		if (jrd_peek(j) != JRD_OBJECT) {
			if (jrd_failed(j))
				return;
			roa_errs_add(e, "roas[%zu]: must be an object", idx);
			if (jrd_skip(j) < 0)
				return;
		} else if (parse_entry(j, idx, rv, e, &roa) == 0) {
			if (f && filtered(f, &roa))
				(*nfiltered)++;
			else
				roa_vec_push(rv, &roa);
		} else if (jrd_failed(j)) {
			return;
		}
		idx++;
	}
}

static void add_assertions(struct roa_vec *rv, const struct slurm *slurm)
{
	uint32_t ta;

	if (slurm == NULL)
		return;
	ta = roa_vec_ta(rv, ROA_TA_SLURM, strlen(ROA_TA_SLURM));
	for (size_t i = 0; i < slurm->nprefix_assertions; i++) {
		const struct slurm_prefix_assertion *pa = &slurm->prefix_assertions[i];
		struct roa roa = { .prefix = pa->prefix, .maxlen = pa->maxlen, .asn = pa->asn, .ta = ta };

		roa_vec_push(rv, &roa);
	}
}

static bool roa_ok(const struct roa *r)
{
	unsigned max;

	if (r->prefix.family != IP_AF4 && r->prefix.family != IP_AF6)
		return false;
	max = ip_maxlen(r->prefix.family);
	if (r->prefix.len > max || r->maxlen < r->prefix.len || r->maxlen > max)
		return false;
	for (unsigned b = r->prefix.len; b < 128; b++)
		if (ip_bit(r->prefix.a, b))
			return false;
	return true;
}

struct roa_set *roa_set_new(const struct roa *roas, size_t n, const char *const *tas, size_t ntas,
			    const struct slurm *slurm)
{
	struct roa_vec rv;
	struct filters f;
	uint32_t *map;
	size_t nfiltered = 0;
	struct roa_set *set = NULL;

	roa_vec_init(&rv);
	filters_build(&f, slurm);
	map = xcalloc(ntas ? ntas : 1, sizeof(*map));
	for (size_t i = 0; i < ntas; i++)
		map[i] = roa_vec_ta(&rv, tas[i], strlen(tas[i]));
	for (size_t i = 0; i < n; i++) {
		struct roa r = roas[i];

		if (r.ta >= ntas || !roa_ok(&r))
			goto out;
		r.ta = map[r.ta];
		if (slurm && filtered(&f, &r))
			nfiltered++;
		else
			roa_vec_push(&rv, &r);
	}
	add_assertions(&rv, slurm);
	set = roa_set_build(&rv);
	set->nfiltered = nfiltered;
out:
	free(map);
	roa_vec_free(&rv);
	filters_free(&f);
	return set;
}

struct roa_set *roa_parse(const char *buf, size_t len, const char *name,
			  const struct slurm *slurm, char **errmsg)
{
	struct roa_errs e = { .name = name ? name : "roas" };
	struct roa_set *set = NULL;
	struct filters f;
	struct roa_vec rv;
	struct jrd j;
	bool seen = false;
	size_t nfiltered = 0;
	const char *k;
	size_t kl;
	int r;

	*errmsg = NULL;
	jrd_init(&j, buf, len);
	roa_vec_init(&rv);
	filters_build(&f, slurm);
	if (jrd_peek(&j) != JRD_OBJECT) {
		if (!jrd_failed(&j))
			roa_errs_add(&e, "not a JSON object");
		goto out;
	}
	jrd_object_begin(&j);
	while ((r = jrd_object_next(&j, &k, &kl)) == 1) {
		if (key_is(k, kl, "roas")) {
			if (seen) {
				roa_errs_add(&e, "roas: duplicate member");
				goto out;
			}
			seen = true;
			parse_roas(&j, &rv, &e, slurm ? &f : NULL, &nfiltered);
		} else {
			jrd_skip(&j);
		}
		if (jrd_failed(&j))
			break;
	}
	if (jrd_finish(&j) < 0)
		goto out;
	if (!seen)
		roa_errs_add(&e, "root key \"roas\" not found");
	if (e.count)
		goto out;
	add_assertions(&rv, slurm);
	set = roa_set_build(&rv);
	set->nfiltered = nfiltered;
out:
	if (jrd_failed(&j)) {
		/* a syntax error replaces the per-entry ones found before it */
		free(roa_errs_take(&e));
		roa_errs_add(&e, "invalid JSON: %s", j.err);
	}
	if (set == NULL)
		*errmsg = roa_errs_take(&e);
	free(e.buf);
	jrd_free(&j);
	roa_vec_free(&rv);
	filters_free(&f);
	return set;
}

/* ---- loading ------------------------------------------------------------------------------ */

struct roa_set *roa_load(const char *roa_url, const char *slurm_url, long timeout, char **errmsg)
{
	struct slurm *slurm = NULL;
	struct roa_set *set = NULL;
	char *buf = NULL;
	size_t len;

	*errmsg = NULL;
	if (slurm_url != NULL) {
		if (roa_fetch(slurm_url, ROA_FETCH_MAX, timeout, &buf, &len, errmsg) < 0)
			return NULL;
		slurm = slurm_parse(buf, len, slurm_url, errmsg);
		free(buf);
		if (slurm == NULL)
			return NULL;
	}
	if (roa_fetch(roa_url, ROA_FETCH_MAX, timeout, &buf, &len, errmsg) < 0) {
		slurm_free(slurm);
		return NULL;
	}
	set = roa_parse(buf, len, roa_url, slurm, errmsg);
	free(buf);
	if (set == NULL) {
		slurm_free(slurm);
		return NULL;
	}
	roa_set_attach_slurm(set, slurm);
	return set;
}

/* ---- differences ------------------------------------------------------------------------------ */

static void push(struct roa **v, size_t *n, size_t *cap, const struct roa *r)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = *r;
}

void roa_diff(const struct roa_set *old, const struct roa_set *new_set, struct roa_diff *d)
{
	size_t i = 0, k = 0, nold = old ? old->n : 0;
	size_t ca = 0, cr = 0, ct = 0;

	memset(d, 0, sizeof(*d));
	while (i < nold || k < new_set->n) {
		int c;

		if (i == nold)
			c = 1;
		else if (k == new_set->n)
			c = -1;
		else
			c = roa_cmp(&old->roas[i], &new_set->roas[k]);
		if (c < 0) {
			push(&d->removed, &d->nremoved, &cr, &old->roas[i++]);
		} else if (c > 0) {
			push(&d->added, &d->nadded, &ca, &new_set->roas[k++]);
		} else {
			if (strcmp(old->tas[old->roas[i].ta], new_set->tas[new_set->roas[k].ta]) != 0)
				push(&d->retagged, &d->nretagged, &ct, &new_set->roas[k]);
			i++;
			k++;
		}
	}
}

void roa_diff_free(struct roa_diff *d)
{
	if (d == NULL)
		return;
	free(d->added);
	free(d->removed);
	free(d->retagged);
	memset(d, 0, sizeof(*d));
}

/* ---- JSON output ---------------------------------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_reserve(struct sbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_json_str(struct sbuf *b, const char *s)
{
	sb_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_put(b, esc, 6);
		} else {
			sb_put(b, (const char *)&c, 1);
		}
	}
	sb_put(b, "\"", 1);
}

char *roa_set_json(const struct roa_set *set, size_t *len)
{
	struct sbuf b = { 0 };
	char line[128], pfx[IP_PREFIX_STRLEN];

	sb_reserve(&b, set->n * 80 + 64);
	sb_put(&b, "{\"roas\":[", 9);
	for (size_t i = 0; i < set->n; i++) {
		const struct roa *r = &set->roas[i];
		int n;

		roa_prefix_format(&r->prefix, pfx, false);
		n = snprintf(line, sizeof(line), "%s\n{\"asn\":\"AS%u\",\"prefix\":\"%s\",\"maxLength\":%u,\"ta\":",
			     i ? "," : "", r->asn, pfx, r->maxlen);
		sb_put(&b, line, (size_t)n);
		sb_json_str(&b, set->tas[r->ta]);
		sb_put(&b, "}", 1);
	}
	sb_put(&b, "\n]}\n", 4);
	if (len)
		*len = b.len;
	return b.p;
}
