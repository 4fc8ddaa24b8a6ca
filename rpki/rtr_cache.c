/*
 * rtr_cache.c - the set an RTR cache serves: session ids, serial number,
 * deltas, and the encoded payload PDUs shared by every session.
 *
 * The served set is kept normalised (sorted, no duplicates). A change
 * computes the delta old -> new by merging the two sorted sets, and folds
 * it into each kept delta "old serial -> current", so that a Serial Query
 * gets the minimal change set (8210bis 5.3) without keeping old sets.
 * Payload PDUs are encoded into reference-counted blobs once per serial
 * and version, on first use, in the order of 8210bis section 11.2:
 * by PDU type; announcements (IP prefixes: highest address, max length,
 * prefix length, ASN first) before withdrawals (lowest first).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include <event2/buffer.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"
#include "rpki/rtr_int.h"

/* ---------------------------------------------------------------------------
 * Blobs
 */
struct rtr_blob *
rtr_blob_new(size_t len)
{
	struct rtr_blob *b = xmalloc(sizeof(*b) + len);

	b->refs = 1;
	b->len = len;
	return b;
}

void
rtr_blob_unref(struct rtr_blob *b)
{
	if (b != NULL && --b->refs == 0)
		free(b);
}

static void
blob_cleanup(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	rtr_blob_unref(arg);
}

int
rtr_blob_add(struct evbuffer *out, struct rtr_blob *b)
{
	if (b == NULL || b->len == 0)
		return 0;
	b->refs++;
	if (evbuffer_add_reference(out, b->data, b->len, blob_cleanup, b) == -1) {
		b->refs--;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * Sets
 */
struct rtr_set *
rtr_set_new(void)
{
	return xcalloc(1, sizeof(struct rtr_set));
}

void
rtr_set_free(struct rtr_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->naspas; i++)
		free(set->aspas[i].providers);
	for (i = 0; i < set->nkeys; i++)
		free(set->keys[i].spki);
	free(set->vrps);
	free(set->aspas);
	free(set->keys);
	free(set);
}

#define GROW(arr, n, cap) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : 64; \
		(arr) = xrealloc((arr), (cap) * sizeof(*(arr))); \
	} \
} while (0)

int
rtr_set_add_vrp(struct rtr_set *set, const struct rtr_vrp *vrp)
{
	struct rtr_vrp v;
	unsigned maxbits, i;

	if (vrp->prefix.family != IP_AF4 && vrp->prefix.family != IP_AF6)
		return -1;
	maxbits = ip_maxlen(vrp->prefix.family);
	if (vrp->prefix.len > maxbits || vrp->max_len > maxbits || vrp->max_len < vrp->prefix.len)
		return -1;
	memset(&v, 0, sizeof(v));
	v.prefix.family = vrp->prefix.family;
	v.prefix.len = vrp->prefix.len;
	memcpy(v.prefix.a, vrp->prefix.a, maxbits / 8);
	i = v.prefix.len / 8u;				/* clear host bits */
	if (v.prefix.len % 8u != 0) {
		v.prefix.a[i] &= (uint8_t)(0xffu << (8u - v.prefix.len % 8u));
		i++;
	}
	memset(v.prefix.a + i, 0, 16 - i);
	v.max_len = vrp->max_len;
	v.asn = vrp->asn;
	GROW(set->vrps, set->nvrps, set->vrps_cap);
	set->vrps[set->nvrps++] = v;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

/* Sort and unique a provider list; AS0 goes when there are others. */
static uint32_t
providers_normalise(uint32_t *p, uint32_t n)
{
	uint32_t i, k = 0;

	qsort(p, n, sizeof(*p), cmp_u32);
	for (i = 0; i < n; i++)
		if (k == 0 || p[i] != p[k - 1])
			p[k++] = p[i];
	if (k > 1 && p[0] == 0) {
		memmove(p, p + 1, (k - 1) * sizeof(*p));
		k--;
	}
	return k;
}

int
rtr_set_add_aspa(struct rtr_set *set, uint32_t customer_asn, const uint32_t *providers,
    size_t nproviders)
{
	struct rtr_aspa a;

	if (nproviders == 0 || nproviders > RTR_ASPA_MAX_PROVIDERS)
		return -1;
	a.customer_asn = customer_asn;
	a.providers = xmalloc(nproviders * sizeof(uint32_t));
	memcpy(a.providers, providers, nproviders * sizeof(uint32_t));
	a.nproviders = providers_normalise(a.providers, (uint32_t)nproviders);
	GROW(set->aspas, set->naspas, set->aspas_cap);
	set->aspas[set->naspas++] = a;
	return 0;
}

int
rtr_set_add_router_key(struct rtr_set *set, const uint8_t ski[RTR_SKI_LEN], uint32_t asn,
    const uint8_t *spki, size_t spki_len)
{
	struct rtr_router_key k;

	if (spki_len == 0 || spki_len > RTR_SPKI_MAX_LEN)
		return -1;
	memcpy(k.ski, ski, RTR_SKI_LEN);
	k.asn = asn;
	k.spki_len = (uint32_t)spki_len;
	k.spki = xmalloc(spki_len);
	memcpy(k.spki, spki, spki_len);
	GROW(set->keys, set->nkeys, set->keys_cap);
	set->keys[set->nkeys++] = k;
	return 0;
}

int
rtr_vrp_cmp(const struct rtr_vrp *a, const struct rtr_vrp *b)
{
	int r;

	if (a->prefix.family != b->prefix.family)
		return a->prefix.family < b->prefix.family ? -1 : 1;
	if ((r = memcmp(a->prefix.a, b->prefix.a, 16)) != 0)
		return r;
	if (a->max_len != b->max_len)
		return a->max_len < b->max_len ? -1 : 1;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len < b->prefix.len ? -1 : 1;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

int
rtr_key_cmp(const struct rtr_router_key *a, const struct rtr_router_key *b)
{
	int r;

	if ((r = memcmp(a->ski, b->ski, RTR_SKI_LEN)) != 0)
		return r;
	if (a->spki_len != b->spki_len)
		return a->spki_len < b->spki_len ? -1 : 1;
	if ((r = memcmp(a->spki, b->spki, a->spki_len)) != 0)
		return r;
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

static int
qcmp_vrp(const void *a, const void *b)
{
	return rtr_vrp_cmp(a, b);
}

static int
qcmp_key(const void *a, const void *b)
{
	return rtr_key_cmp(a, b);
}

static int
qcmp_aspa(const void *a, const void *b)
{
	const struct rtr_aspa *x = a, *y = b;

	return x->customer_asn < y->customer_asn ? -1 : x->customer_asn > y->customer_asn;
}

/*
 * qsort with the full comparator sorts 600k VRPs in about 0.2 s, which an
 * import every few minutes affords; an already sorted set costs one pass.
 */
void
rtr_set_normalise(struct rtr_set *set)
{
	size_t i, k;

	if (set->nvrps > 1) {
		for (i = 1; i < set->nvrps; i++)	/* importers often give sorted sets */
			if (rtr_vrp_cmp(&set->vrps[i - 1], &set->vrps[i]) > 0)
				break;
		if (i < set->nvrps)
			qsort(set->vrps, set->nvrps, sizeof(*set->vrps), qcmp_vrp);
		for (i = 1, k = 1; i < set->nvrps; i++)
			if (rtr_vrp_cmp(&set->vrps[i], &set->vrps[k - 1]) != 0)
				set->vrps[k++] = set->vrps[i];
		set->nvrps = k;
	}
	if (set->nkeys > 1) {
		qsort(set->keys, set->nkeys, sizeof(*set->keys), qcmp_key);
		for (i = 1, k = 1; i < set->nkeys; i++) {
			if (rtr_key_cmp(&set->keys[i], &set->keys[k - 1]) != 0)
				set->keys[k++] = set->keys[i];
			else
				free(set->keys[i].spki);
		}
		set->nkeys = k;
	}
	if (set->naspas > 1) {
		qsort(set->aspas, set->naspas, sizeof(*set->aspas), qcmp_aspa);
		for (i = 1, k = 1; i < set->naspas; i++) {
			struct rtr_aspa *prev = &set->aspas[k - 1], *cur = &set->aspas[i];
			uint32_t n;

			if (cur->customer_asn != prev->customer_asn) {
				set->aspas[k++] = *cur;
				continue;
			}
			/* 8210bis 5.12: one PDU per customer, the union of its ASPAs. */
			n = prev->nproviders + cur->nproviders;
			prev->providers = xrealloc(prev->providers, n * sizeof(uint32_t));
			memcpy(prev->providers + prev->nproviders, cur->providers,
			    cur->nproviders * sizeof(uint32_t));
			prev->nproviders = providers_normalise(prev->providers, n);
			if (prev->nproviders > RTR_ASPA_MAX_PROVIDERS)
				prev->nproviders = RTR_ASPA_MAX_PROVIDERS;
			free(cur->providers);
		}
		set->naspas = k;
	}
}

/* ---------------------------------------------------------------------------
 * Deltas
 */
struct vrp_change {
	struct rtr_vrp v;
	bool announce;
};

struct key_change {
	struct rtr_router_key k;	/* spki owned */
	bool announce;
};

struct aspa_change {
	uint32_t customer_asn;
	uint32_t nold, nnew;		/* 0: absent before / after */
	uint32_t *old, *new;		/* owned */
};

struct delta {
	struct vrp_change *vrps;
	size_t nvrps, vrps_cap;
	struct key_change *keys;
	size_t nkeys, keys_cap;
	struct aspa_change *aspas;
	size_t naspas, aspas_cap;
};

static void
delta_free(struct delta *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nkeys; i++)
		free(d->keys[i].k.spki);
	for (i = 0; i < d->naspas; i++) {
		free(d->aspas[i].old);
		free(d->aspas[i].new);
	}
	free(d->vrps);
	free(d->keys);
	free(d->aspas);
	free(d);
}

static bool
delta_empty(const struct delta *d)
{
	return d->nvrps == 0 && d->nkeys == 0 && d->naspas == 0;
}

static uint32_t *
dup_u32(const uint32_t *p, uint32_t n)
{
	uint32_t *q;

	if (n == 0)
		return NULL;
	q = xmalloc(n * sizeof(*q));
	memcpy(q, p, n * sizeof(*q));
	return q;
}

static void
add_vrp_change(struct delta *d, const struct rtr_vrp *v, bool announce)
{
	GROW(d->vrps, d->nvrps, d->vrps_cap);
	d->vrps[d->nvrps].v = *v;
	d->vrps[d->nvrps].announce = announce;
	d->nvrps++;
}

static void
add_key_change(struct delta *d, const struct rtr_router_key *k, bool announce, bool copy)
{
	struct key_change *c;

	GROW(d->keys, d->nkeys, d->keys_cap);
	c = &d->keys[d->nkeys++];
	c->k = *k;
	if (copy) {
		c->k.spki = xmalloc(k->spki_len);
		memcpy(c->k.spki, k->spki, k->spki_len);
	}
	c->announce = announce;
}

static void
add_aspa_change(struct delta *d, uint32_t customer, const uint32_t *old, uint32_t nold,
    const uint32_t *new, uint32_t nnew)
{
	struct aspa_change *c;

	GROW(d->aspas, d->naspas, d->aspas_cap);
	c = &d->aspas[d->naspas++];
	c->customer_asn = customer;
	c->nold = nold;
	c->old = dup_u32(old, nold);
	c->nnew = nnew;
	c->new = dup_u32(new, nnew);
}

static bool
same_list(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* The change from set a to set b (both normalised; either may be NULL). */
static struct delta *
delta_diff(const struct rtr_set *a, const struct rtr_set *b)
{
	static const struct rtr_set empty;
	struct delta *d = xcalloc(1, sizeof(*d));
	size_t i = 0, j = 0;
	int r;

	if (a == NULL)
		a = &empty;
	if (b == NULL)
		b = &empty;
	while (i < a->nvrps || j < b->nvrps) {
		if (i == a->nvrps)
			r = 1;
		else if (j == b->nvrps)
			r = -1;
		else
			r = rtr_vrp_cmp(&a->vrps[i], &b->vrps[j]);
		if (r < 0)
			add_vrp_change(d, &a->vrps[i++], false);
		else if (r > 0)
			add_vrp_change(d, &b->vrps[j++], true);
		else
			i++, j++;
	}
	for (i = 0, j = 0; i < a->nkeys || j < b->nkeys; ) {
		if (i == a->nkeys)
			r = 1;
		else if (j == b->nkeys)
			r = -1;
		else
			r = rtr_key_cmp(&a->keys[i], &b->keys[j]);
		if (r < 0)
			add_key_change(d, &a->keys[i++], false, true);
		else if (r > 0)
			add_key_change(d, &b->keys[j++], true, true);
		else
			i++, j++;
	}
	for (i = 0, j = 0; i < a->naspas || j < b->naspas; ) {
		const struct rtr_aspa *x = i < a->naspas ? &a->aspas[i] : NULL;
		const struct rtr_aspa *y = j < b->naspas ? &b->aspas[j] : NULL;

		if (y == NULL || (x != NULL && x->customer_asn < y->customer_asn)) {
			add_aspa_change(d, x->customer_asn, x->providers, x->nproviders, NULL, 0);
			i++;
		} else if (x == NULL || y->customer_asn < x->customer_asn) {
			add_aspa_change(d, y->customer_asn, NULL, 0, y->providers, y->nproviders);
			j++;
		} else {
			if (!same_list(x->providers, x->nproviders, y->providers, y->nproviders))
				add_aspa_change(d, x->customer_asn, x->providers, x->nproviders,
				    y->providers, y->nproviders);
			i++, j++;
		}
	}
	return d;
}

/* a then b, as one delta (a's base to b's result). Frees a. */
static struct delta *
delta_compose(struct delta *a, const struct delta *b)
{
	struct delta *d = xcalloc(1, sizeof(*d));
	size_t i = 0, j = 0;
	int r;

	while (i < a->nvrps || j < b->nvrps) {
		if (i == a->nvrps)
			r = 1;
		else if (j == b->nvrps)
			r = -1;
		else
			r = rtr_vrp_cmp(&a->vrps[i].v, &b->vrps[j].v);
		if (r < 0) {
			add_vrp_change(d, &a->vrps[i].v, a->vrps[i].announce);
			i++;
		} else if (r > 0) {
			add_vrp_change(d, &b->vrps[j].v, b->vrps[j].announce);
			j++;
		} else {
			/* announced then withdrawn, or withdrawn then announced: no change */
			if (a->vrps[i].announce == b->vrps[j].announce)
				add_vrp_change(d, &b->vrps[j].v, b->vrps[j].announce);
			i++, j++;
		}
	}
	for (i = 0, j = 0; i < a->nkeys || j < b->nkeys; ) {
		if (i == a->nkeys)
			r = 1;
		else if (j == b->nkeys)
			r = -1;
		else
			r = rtr_key_cmp(&a->keys[i].k, &b->keys[j].k);
		if (r < 0) {
			add_key_change(d, &a->keys[i].k, a->keys[i].announce, true);
			i++;
		} else if (r > 0) {
			add_key_change(d, &b->keys[j].k, b->keys[j].announce, true);
			j++;
		} else {
			if (a->keys[i].announce == b->keys[j].announce)
				add_key_change(d, &b->keys[j].k, b->keys[j].announce, true);
			i++, j++;
		}
	}
	for (i = 0, j = 0; i < a->naspas || j < b->naspas; ) {
		const struct aspa_change *x = i < a->naspas ? &a->aspas[i] : NULL;
		const struct aspa_change *y = j < b->naspas ? &b->aspas[j] : NULL;

		if (y == NULL || (x != NULL && x->customer_asn < y->customer_asn)) {
			add_aspa_change(d, x->customer_asn, x->old, x->nold, x->new, x->nnew);
			i++;
		} else if (x == NULL || y->customer_asn < x->customer_asn) {
			add_aspa_change(d, y->customer_asn, y->old, y->nold, y->new, y->nnew);
			j++;
		} else {
			if (!same_list(x->old, x->nold, y->new, y->nnew))
				add_aspa_change(d, x->customer_asn, x->old, x->nold, y->new, y->nnew);
			i++, j++;
		}
	}
	delta_free(a);
	return d;
}

/* ---------------------------------------------------------------------------
 * Encoding payload PDUs
 */

/*
 * Index of the first IPv6 entry in a family-sorted array of n elements of
 * `size` bytes, each with its struct rtr_vrp at offset `off` (a set's VRPs,
 * or a delta's VRP changes).
 */
static size_t
first_v6(const void *base, size_t n, size_t size, size_t off)
{
	const char *p = (const char *)base + off;
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (((const struct rtr_vrp *)(const void *)(p + mid * size))->prefix.family == IP_AF4)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct rtr_blob *
encode_full(const struct rtr_set *set, uint8_t version)
{
	size_t size = 0, n6, i;
	struct rtr_blob *b;
	uint8_t *p;

	if (set == NULL)
		return NULL;
	n6 = first_v6(set->vrps, set->nvrps, sizeof(*set->vrps), 0);
	size = n6 * 20 + (set->nvrps - n6) * 32;
	if (version >= 1)
		for (i = 0; i < set->nkeys; i++)
			size += rtr_pdu_put_router_key(NULL, version, 1, &set->keys[i]);
	if (version >= 2)
		for (i = 0; i < set->naspas; i++)
			size += rtr_pdu_put_aspa(NULL, version, 1, &set->aspas[i]);
	if (size == 0)
		return NULL;
	b = rtr_blob_new(size);
	p = b->data;
	/* 8210bis 11.2.1: announcements, highest address (then max length,
	 * prefix length, ASN) first: the canonical order backwards. */
	for (i = n6; i > 0; i--)
		p += rtr_pdu_put_prefix(p, version, RTR_FLAG_ANNOUNCE, &set->vrps[i - 1]);
	for (i = set->nvrps; i > n6; i--)
		p += rtr_pdu_put_prefix(p, version, RTR_FLAG_ANNOUNCE, &set->vrps[i - 1]);
	if (version >= 1)
		for (i = 0; i < set->nkeys; i++)
			p += rtr_pdu_put_router_key(p, version, RTR_FLAG_ANNOUNCE, &set->keys[i]);
	if (version >= 2)
		for (i = 0; i < set->naspas; i++)
			p += rtr_pdu_put_aspa(p, version, RTR_FLAG_ANNOUNCE, &set->aspas[i]);
	return b;
}

static size_t
encode_delta_vrps(uint8_t *p, const struct delta *d, size_t lo, size_t hi, uint8_t version)
{
	size_t i, n = 0;

	for (i = hi; i > lo; i--)
		if (d->vrps[i - 1].announce)
			n += rtr_pdu_put_prefix(p ? p + n : NULL, version, RTR_FLAG_ANNOUNCE,
			    &d->vrps[i - 1].v);
	for (i = lo; i < hi; i++)
		if (!d->vrps[i].announce)
			n += rtr_pdu_put_prefix(p ? p + n : NULL, version, 0, &d->vrps[i].v);
	return n;
}

static size_t
encode_delta_rest(uint8_t *p, const struct delta *d, uint8_t version)
{
	size_t i, n = 0;
	int pass;

	if (version >= 1)
		for (pass = 1; pass >= 0; pass--)
			for (i = 0; i < d->nkeys; i++)
				if (d->keys[i].announce == (pass == 1))
					n += rtr_pdu_put_router_key(p ? p + n : NULL, version,
					    pass ? RTR_FLAG_ANNOUNCE : 0, &d->keys[i].k);
	if (version >= 2)
		for (pass = 1; pass >= 0; pass--)
			for (i = 0; i < d->naspas; i++) {
				const struct aspa_change *c = &d->aspas[i];
				struct rtr_aspa a = { c->customer_asn, c->nnew, c->new };

				if ((c->nnew > 0) == (pass == 1))
					n += rtr_pdu_put_aspa(p ? p + n : NULL, version,
					    pass ? RTR_FLAG_ANNOUNCE : 0, &a);
			}
	return n;
}

static struct rtr_blob *
encode_delta(const struct delta *d, uint8_t version)
{
	size_t n6, size;
	struct rtr_blob *b;
	uint8_t *p;

	n6 = first_v6(d->vrps, d->nvrps, sizeof(*d->vrps), offsetof(struct vrp_change, v));
	size = encode_delta_vrps(NULL, d, 0, n6, version) +
	    encode_delta_vrps(NULL, d, n6, d->nvrps, version) + encode_delta_rest(NULL, d, version);
	if (size == 0)
		return NULL;
	b = rtr_blob_new(size);
	p = b->data;
	p += encode_delta_vrps(p, d, 0, n6, version);
	p += encode_delta_vrps(p, d, n6, d->nvrps, version);
	encode_delta_rest(p, d, version);
	return b;
}

/* ---------------------------------------------------------------------------
 * The cache
 */
struct hist {
	uint32_t serial;		/* the router's serial */
	struct delta *delta;		/* serial -> current */
	struct rtr_blob *blob[RTR_NVERSIONS];
	bool encoded[RTR_NVERSIONS];
};

struct rtr_cache {
	struct rtr_cache_config cfg;
	uint16_t sid[RTR_NVERSIONS];
	uint32_t serial;
	bool have_data;
	time_t last_update;
	struct rtr_set *cur;
	struct rtr_blob *full[RTR_NVERSIONS];
	bool full_encoded[RTR_NVERSIONS];
	struct hist *hist;		/* oldest first */
	size_t nhist;
	struct rtr_session **sessions;
	size_t nsessions, sessions_cap;
	uint64_t counters[RTR_CNT_MAX];
};

static int
config_check(const struct rtr_cache_config *cfg)
{
	char why[128];

	if (rtr_timers_check(cfg->refresh, cfg->retry, cfg->expire, why, sizeof(why)) == -1) {
		log_warnx("rtr: %s", why);
		return -1;
	}
	if (cfg->history < 10) {
		log_warnx("rtr: history of %u serials, at least 10 needed", cfg->history);
		return -1;
	}
	return 0;
}

static uint16_t
random16(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint16_t)(time(NULL) ^ getpid());
	return v;
}

struct rtr_cache *
rtr_cache_new(const struct rtr_cache_config *cfg)
{
	struct rtr_cache *c;
	unsigned v;

	if (config_check(cfg) == -1)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	/* A random session id per start and, 8210bis 5.1, per version. */
	c->sid[0] = random16();
	for (v = 1; v < RTR_NVERSIONS; v++)
		c->sid[v] = (uint16_t)(c->sid[0] + v * 0x5555u);
	c->serial = 0;
	return c;
}

void
rtr_cache_set_identity(struct rtr_cache *c, const uint16_t session_ids[RTR_NVERSIONS], uint32_t serial)
{
	memcpy(c->sid, session_ids, sizeof(c->sid));
	c->serial = serial;
}

static void
hist_clear(struct hist *h)
{
	unsigned v;

	delta_free(h->delta);
	for (v = 0; v < RTR_NVERSIONS; v++)
		rtr_blob_unref(h->blob[v]);
	memset(h, 0, sizeof(*h));
}

static void
hist_prune(struct rtr_cache *c)
{
	size_t drop, i;

	if (c->nhist <= c->cfg.history)
		return;
	drop = c->nhist - c->cfg.history;
	for (i = 0; i < drop; i++)
		hist_clear(&c->hist[i]);
	memmove(c->hist, c->hist + drop, c->cfg.history * sizeof(*c->hist));
	c->nhist = c->cfg.history;
}

void
rtr_cache_free(struct rtr_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->nsessions > 0)
		log_warnx("rtr: cache freed with %zu sessions attached", c->nsessions);
	for (i = 0; i < c->nhist; i++)
		hist_clear(&c->hist[i]);
	for (i = 0; i < RTR_NVERSIONS; i++)
		rtr_blob_unref(c->full[i]);
	rtr_set_free(c->cur);
	free(c->hist);
	free(c->sessions);
	free(c);
}

int
rtr_cache_configure(struct rtr_cache *c, const struct rtr_cache_config *cfg)
{
	if (config_check(cfg) == -1)
		return -1;
	c->cfg = *cfg;
	hist_prune(c);
	return 0;
}

int
rtr_cache_update(struct rtr_cache *c, struct rtr_set *set, time_t now)
{
	struct delta *d;
	size_t i;
	unsigned v;

	rtr_set_normalise(set);
	if (!c->have_data) {
		c->have_data = true;
	} else {
		d = delta_diff(c->cur, set);
		if (delta_empty(d)) {
			delta_free(d);
			rtr_set_free(set);
			return 0;
		}
		/* Every kept delta now leads to the new serial. */
		for (i = 0; i < c->nhist; i++) {
			struct hist *h = &c->hist[i];

			h->delta = delta_compose(h->delta, d);
			for (v = 0; v < RTR_NVERSIONS; v++) {
				rtr_blob_unref(h->blob[v]);
				h->blob[v] = NULL;
				h->encoded[v] = false;
			}
		}
		c->hist = xrealloc(c->hist, (c->nhist + 1) * sizeof(*c->hist));
		memset(&c->hist[c->nhist], 0, sizeof(*c->hist));
		c->hist[c->nhist].serial = c->serial;
		c->hist[c->nhist].delta = d;
		c->nhist++;
		hist_prune(c);
		c->serial++;		/* wraps mod 2^32, RFC 1982 */
	}
	rtr_set_free(c->cur);
	c->cur = set;
	for (v = 0; v < RTR_NVERSIONS; v++) {
		bool warm = c->full_encoded[v];

		rtr_blob_unref(c->full[v]);
		c->full[v] = NULL;
		c->full_encoded[v] = false;
		/* A version some router used gets its new payload now, so
		 * that no Reset Query waits for the encoding. */
		if (warm)
			rtr_cache_full(c, (uint8_t)v);
	}
	c->last_update = now;
	for (i = 0; i < c->nsessions; i++)
		rtr_session_notify(c->sessions[i], now);
	return 1;
}

void
rtr_cache_shutdown(struct rtr_cache *c, bool restart)
{
	size_t i;

	for (i = 0; i < c->nsessions; i++)
		if (rtr_session_version(c->sessions[i]) >= 2)
			rtr_session_send_error(c->sessions[i],
			    restart ? RTR_ERR_CACHE_RESTART : RTR_ERR_CACHE_SHUTDOWN,
			    restart ? "cache restarting" : "cache shutting down");
}

void
rtr_cache_stats(const struct rtr_cache *c, struct rtr_cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->have_data = c->have_data;
	st->serial = c->serial;
	memcpy(st->session_id, c->sid, sizeof(st->session_id));
	if (c->cur != NULL) {
		st->vrps_v4 = first_v6(c->cur->vrps, c->cur->nvrps, sizeof(*c->cur->vrps), 0);
		st->vrps_v6 = c->cur->nvrps - st->vrps_v4;
		st->aspas = c->cur->naspas;
		st->router_keys = c->cur->nkeys;
	}
	st->deltas = c->nhist;
	st->sessions = c->nsessions;
	st->last_update = c->last_update;
	st->reset_queries = c->counters[RTR_CNT_RESET];
	st->serial_queries = c->counters[RTR_CNT_SERIAL];
	st->cache_resets = c->counters[RTR_CNT_CACHE_RESET];
	st->deltas_sent = c->counters[RTR_CNT_DELTA];
	st->notifies_sent = c->counters[RTR_CNT_NOTIFY];
	st->errors_sent = c->counters[RTR_CNT_ERROR_SENT];
	st->errors_received = c->counters[RTR_CNT_ERROR_RECEIVED];
}

void
rtr_cache_count(struct rtr_cache *c, enum rtr_counter which)
{
	c->counters[which]++;
}

bool
rtr_cache_have_data(const struct rtr_cache *c)
{
	return c->have_data;
}

uint16_t
rtr_cache_session_id(const struct rtr_cache *c, uint8_t version)
{
	return c->sid[version < RTR_NVERSIONS ? version : RTR_VERSION_MAX];
}

uint32_t
rtr_cache_serial(const struct rtr_cache *c)
{
	return c->serial;
}

const struct rtr_cache_config *
rtr_cache_config(const struct rtr_cache *c)
{
	return &c->cfg;
}

struct rtr_blob *
rtr_cache_full(struct rtr_cache *c, uint8_t version)
{
	if (!c->full_encoded[version]) {
		c->full[version] = encode_full(c->cur, version);
		c->full_encoded[version] = true;
	}
	return c->full[version];
}

int
rtr_cache_delta(struct rtr_cache *c, uint8_t version, uint32_t serial, struct rtr_blob **blob)
{
	size_t i;

	*blob = NULL;
	if (serial == c->serial)
		return 1;
	for (i = 0; i < c->nhist; i++) {
		struct hist *h = &c->hist[i];

		if (h->serial != serial)
			continue;
		if (!h->encoded[version]) {
			h->blob[version] = encode_delta(h->delta, version);
			h->encoded[version] = true;
		}
		*blob = h->blob[version];
		return 1;
	}
	return 0;
}

void
rtr_cache_attach(struct rtr_cache *c, struct rtr_session *s)
{
	GROW(c->sessions, c->nsessions, c->sessions_cap);
	c->sessions[c->nsessions++] = s;
}

void
rtr_cache_detach(struct rtr_cache *c, struct rtr_session *s)
{
	size_t i;

	for (i = 0; i < c->nsessions; i++)
		if (c->sessions[i] == s) {
			c->sessions[i] = c->sessions[--c->nsessions];
			return;
		}
}
