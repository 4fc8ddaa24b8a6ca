/*
 * index.c - the in-memory object store and its indexes.
 *
 * Every object lives in one allocation (struct wobj) in a hash table keyed
 * by (source, class, primary key). Around it:
 *   - origin -> route/route6 objects per family (worigin), with a cached,
 *     sorted prefix list per family for !g, !6, !a and route-set members;
 *   - one prefix tree per family over every object that is one prefix
 *     (route, route6, inetnum/inet6num that are a prefix), plus a list of
 *     the other address ranges, for !r, -x/-l/-L/-M and free text;
 *   - (lookup attribute, value) -> objects for -i, !o and mbrs-by-ref
 *     (member-of), keyed by IRRd's lookup attributes;
 *   - person, role and as-block objects, scanned by free-text search.
 * Set members live in the set object itself and are looked up by name
 * through the main table when a query resolves them.
 *
 * put / del / set_rpki are O(size of the object) and never rebuild more
 * than one origin's cached prefix list.
 */
#include "whois/whois_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rpsl/log.h"

/*
 * Doubles the chained hash table `tab` of `size` buckets (a power of two)
 * whose nodes of `type` chain through hnext; bucket(node, nsize) places a
 * node in the new table. Objects, postings and origins use it.
 */
#define TAB_DOUBLE(type, tab, size, bucket) do {			\
	size_t nsize_ = (size) * 2;					\
	type **nt_ = xcalloc(nsize_, sizeof(*nt_));			\
									\
	for (size_t i_ = 0; i_ < (size); i_++) {			\
		type *x_ = (tab)[i_], *next_;				\
									\
		for (; x_ != NULL; x_ = next_) {			\
			size_t b_ = bucket(x_, nsize_);			\
									\
			next_ = x_->hnext;				\
			x_->hnext = nt_[b_];				\
			nt_[b_] = x_;					\
		}							\
	}								\
	free(tab);							\
	(tab) = nt_;							\
	(size) = nsize_;						\
} while (0)
#define HASH_BUCKET(x, nsize) ((x)->hash & ((nsize) - 1))

const char *const wattr_names[WA_COUNT] = {
	"admin-c", "mbrs-by-ref", "member-of", "members", "mnt-by", "mp-members",
	"origin", "person", "role", "tech-c", "zone-c",
};

int wattr_lookup(const char *name, size_t len)
{
	for (int i = 0; i < WA_COUNT; i++)
		if (w_ieq(name, len, wattr_names[i]))
			return i;
	return -1;
}

struct whois_index *whois_index_new(void)
{
	struct whois_index *idx = xcalloc(1, sizeof(*idx));
	idx->tabsize = 1024;
	idx->tab = xcalloc(idx->tabsize, sizeof(*idx->tab));
	idx->posts.size = 1024;
	idx->posts.tab = xcalloc(idx->posts.size, sizeof(*idx->posts.tab));
	idx->memberof.size = 64;
	idx->memberof.tab = xcalloc(idx->memberof.size, sizeof(*idx->memberof.tab));
	idx->otabsize = 1024;
	idx->otab = xcalloc(idx->otabsize, sizeof(*idx->otab));
	idx->radix[0] = wradix_new(4);
	idx->radix[1] = wradix_new(6);
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	/* a steady stream of queries must not starve index changes */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	if (pthread_rwlock_init(&idx->lock, &attr) != 0)
		fatalx("whois index: cannot create its lock");
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&idx->retired_mu, NULL);
	pthread_mutex_init(&idx->answers_mu, NULL);
	idx->answers_min_nsec = 2000000;	/* 2 ms */
	return idx;
}

/* ---- answers of heavy queries ---- */

void whois_index_cache_answers(struct whois_index *idx, int64_t min_nsec)
{
	idx->answers_min_nsec = min_nsec;
}

void wanswer_release(struct wanswer *a)
{
	if (a == NULL || atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	free(a->key);
	free(a->body);
	free(a);
}

/* Drop slot i (answers_mu held). */
static void answer_drop(struct whois_index *idx, size_t i)
{
	struct wanswer *a = idx->answers[i];
	idx->answers_bytes -= a->len;
	idx->answers[i] = NULL;
	wanswer_release(a);
}

struct wanswer *wanswer_get(struct whois_index *idx, const char *key, size_t keylen)
{
	uint64_t gen = atomic_load(&idx->generation);
	struct wanswer *hit = NULL;

	pthread_mutex_lock(&idx->answers_mu);
	for (size_t i = 0; i < WANSWER_SLOTS; i++) {
		struct wanswer *a = idx->answers[i];
		if (a == NULL || a->keylen != keylen || memcmp(a->key, key, keylen) != 0)
			continue;
		if (a->generation != gen) {
			answer_drop(idx, i);
			continue;
		}
		a->used = ++idx->answers_clock;
		atomic_fetch_add(&a->refs, 1);
		hit = a;
		break;
	}
	pthread_mutex_unlock(&idx->answers_mu);
	return hit;
}

void wanswer_put(struct whois_index *idx, uint64_t gen, const char *key, size_t keylen, bool found,
		 const char *body, size_t len)
{
	if (len > WANSWER_MAX_BYTES / 4 || gen != atomic_load(&idx->generation))
		return;
	struct wanswer *a = xcalloc(1, sizeof(*a));
	atomic_init(&a->refs, 1);
	a->generation = gen;
	a->found = found;
	a->key = xmalloc(keylen);
	memcpy(a->key, key, keylen);
	a->keylen = keylen;
	a->body = xmalloc(len + 1);
	memcpy(a->body, body, len);
	a->body[len] = '\0';
	a->len = len;

	pthread_mutex_lock(&idx->answers_mu);
	/* stale answers and another copy of this one go first */
	for (size_t i = 0; i < WANSWER_SLOTS; i++) {
		struct wanswer *o = idx->answers[i];
		if (o != NULL && (o->generation != gen || (o->keylen == keylen && memcmp(o->key, key, keylen) == 0)))
			answer_drop(idx, i);
	}
	for (;;) {
		size_t free_slot = WANSWER_SLOTS, lru = WANSWER_SLOTS;
		for (size_t i = 0; i < WANSWER_SLOTS; i++) {
			struct wanswer *o = idx->answers[i];
			if (o == NULL) {
				if (free_slot == WANSWER_SLOTS)
					free_slot = i;
			} else if (lru == WANSWER_SLOTS || o->used < idx->answers[lru]->used) {
				lru = i;
			}
		}
		if (free_slot < WANSWER_SLOTS && idx->answers_bytes + len <= WANSWER_MAX_BYTES) {
			a->used = ++idx->answers_clock;
			idx->answers[free_slot] = a;
			idx->answers_bytes += len;
			a = NULL;
			break;
		}
		if (lru == WANSWER_SLOTS)
			break;
		answer_drop(idx, lru);
	}
	pthread_mutex_unlock(&idx->answers_mu);
	wanswer_release(a);
}

static void free_retired(struct whois_index *idx)
{
	pthread_mutex_lock(&idx->retired_mu);
	struct wpfxlist *c = idx->retired;
	idx->retired = NULL;
	pthread_mutex_unlock(&idx->retired_mu);
	while (c) {
		struct wpfxlist *next = c->next;
		wres_list_free(c);
		c = next;
	}
}

void whois_index_write_lock(struct whois_index *idx)
{
	pthread_rwlock_wrlock(&idx->lock);
	/* no query runs: lists readers replaced can go */
	free_retired(idx);
	/* cached answers made before this may no longer be right */
	atomic_fetch_add(&idx->generation, 1);
}

bool whois_index_write_trylock(struct whois_index *idx)
{
	if (pthread_rwlock_trywrlock(&idx->lock) != 0)
		return false;
	free_retired(idx);
	atomic_fetch_add(&idx->generation, 1);
	return true;
}

void whois_index_write_unlock(struct whois_index *idx)
{
	pthread_rwlock_unlock(&idx->lock);
}

void whois_index_free(struct whois_index *idx)
{
	if (idx == NULL)
		return;
	for (size_t i = 0; i < idx->tabsize; i++) {
		struct wobj *o = idx->tab[i];
		while (o) {
			struct wobj *next = o->hnext;
			free(o);
			o = next;
		}
	}
	free(idx->tab);
	struct wposttab *pts[2] = { &idx->posts, &idx->memberof };
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < pts[t]->size; i++) {
			struct wpost *p = pts[t]->tab[i];
			while (p) {
				struct wpost *next = p->hnext;
				wptrset_free(&p->objs);
				free(p);
				p = next;
			}
		}
		free(pts[t]->tab);
	}
	free(idx->setdir);
	for (uint32_t i = 0; i < idx->nsetnames; i++) {
		free(idx->setnames[i]->more);
		free(idx->setnames[i]);
	}
	free(idx->setnames);
	free(idx->setname_tab);
	for (size_t i = 0; i < idx->otabsize; i++) {
		struct worigin *or = idx->otab[i];
		while (or) {
			struct worigin *next = or->hnext;
			wptrset_free(&or->routes[0]);
			wptrset_free(&or->routes[1]);
			wres_cache_clear(or);
			free(or);
			or = next;
		}
	}
	free(idx->otab);
	free_retired(idx);
	for (size_t i = 0; i < WANSWER_SLOTS; i++)
		if (idx->answers[i] != NULL)
			answer_drop(idx, i);
	pthread_mutex_destroy(&idx->answers_mu);
	pthread_rwlock_destroy(&idx->lock);
	pthread_mutex_destroy(&idx->retired_mu);
	wradix_free(idx->radix[0]);
	wradix_free(idx->radix[1]);
	wptrset_free(&idx->ranges);
	for (int c = 0; c < RPSL_CLASS_COUNT; c++)
		wptrset_free(&idx->byclass[c]);
	for (unsigned i = 0; i < idx->nsrc; i++)
		free(idx->srcnames[i]);
	free(idx);
}

size_t whois_index_count(const struct whois_index *idx)
{
	return idx->count;
}

/* ---------------------------------------------------------------- sources */

int widx_source_id(const struct whois_index *idx, const char *name)
{
	for (unsigned i = 0; i < idx->nsrc; i++)
		if (strcasecmp(idx->srcnames[i], name) == 0)
			return (int)i;
	return -1;
}

static int source_id_add(struct whois_index *idx, const char *name)
{
	int id = widx_source_id(idx, name);
	if (id >= 0)
		return id;
	if (idx->nsrc >= WHOIS_MAX_SOURCES)
		return -1;
	idx->srcnames[idx->nsrc] = xstrdup(name);
	w_upper(idx->srcnames[idx->nsrc], strlen(name));
	return (int)idx->nsrc++;
}

/* ---------------------------------------------------------------- main table */

uint64_t widx_key_hash(const char *pk, size_t pklen)
{
	return whash(pk, pklen, 0);
}

static uint64_t obj_hash(unsigned src, enum rpsl_class cls, const char *pk, size_t pklen)
{
	return widx_hash_mix(widx_key_hash(pk, pklen), src, cls);
}

struct wobj *widx_get(const struct whois_index *idx, unsigned src, enum rpsl_class cls, const char *pk, size_t pklen)
{
	uint64_t h = obj_hash(src, cls, pk, pklen);
	for (struct wobj *o = idx->tab[h & (idx->tabsize - 1)]; o; o = o->hnext)
		if (o->hash == h && o->src == src && o->cls == cls && o->pk_len == pklen &&
		    memcmp(wobj_pk(o), pk, pklen) == 0)
			return o;
	return NULL;
}

/* ---------------------------------------------------------------- postings */

static uint64_t post_hash(enum wattr attr, const char *value, size_t len)
{
	return whash(value, len, 1000 + (uint64_t)attr);
}

static struct wposttab *post_table(const struct whois_index *idx, enum wattr attr)
{
	return (struct wposttab *)(attr == WA_MEMBER_OF ? &idx->memberof : &idx->posts);
}

const struct wpost *widx_post(const struct whois_index *idx, enum wattr attr, const char *value, size_t len)
{
	const struct wposttab *pt = post_table(idx, attr);
	uint64_t h = post_hash(attr, value, len);
	for (struct wpost *p = pt->tab[h & (pt->size - 1)]; p; p = p->hnext)
		if (p->hash == h && p->attr == attr && strncmp(p->value, value, len) == 0 && p->value[len] == '\0')
			return p;
	return NULL;
}

static void post_add(struct whois_index *idx, enum wattr attr, const char *value, struct wobj *o)
{
	struct wposttab *pt = post_table(idx, attr);
	size_t len = strlen(value);
	struct wpost *p = (struct wpost *)widx_post(idx, attr, value, len);
	if (p == NULL) {
		if (pt->count >= pt->size)
			TAB_DOUBLE(struct wpost, pt->tab, pt->size, HASH_BUCKET);
		p = xcalloc(1, sizeof(*p) + len + 1);
		p->hash = post_hash(attr, value, len);
		p->attr = (uint8_t)attr;
		memcpy(p->value, value, len + 1);
		size_t b = p->hash & (pt->size - 1);
		p->hnext = pt->tab[b];
		pt->tab[b] = p;
		pt->count++;
	}
	wptrset_add(&p->objs, o);
}

static void post_del(struct whois_index *idx, enum wattr attr, const char *value, struct wobj *o)
{
	struct wposttab *pt = post_table(idx, attr);
	size_t len = strlen(value);
	uint64_t h = post_hash(attr, value, len);
	struct wpost **pp = &pt->tab[h & (pt->size - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		struct wpost *p = *pp;
		if (p->hash != h || p->attr != attr || strcmp(p->value, value) != 0)
			continue;
		wptrset_del(&p->objs, o);
		if (p->objs.n == 0) {
			*pp = p->hnext;
			wptrset_free(&p->objs);
			free(p);
			pt->count--;
		}
		return;
	}
}

/* ---------------------------------------------------------------- set directory */

static void setdir_insert_raw(struct wsetent *v, size_t cap, uint64_t h, struct wobj *o)
{
	size_t i = h & (cap - 1);
	while (v[i].o)
		i = (i + 1) & (cap - 1);
	v[i].h = h;
	v[i].o = o;
}

static void setdir_add(struct whois_index *idx, struct wobj *o)
{
	if ((idx->setdir_n + 1) * 2 > idx->setdir_cap) {
		size_t ncap = idx->setdir_cap ? idx->setdir_cap * 2 : 1024;
		struct wsetent *nv = xcalloc(ncap, sizeof(*nv));
		for (size_t i = 0; i < idx->setdir_cap; i++)
			if (idx->setdir[i].o)
				setdir_insert_raw(nv, ncap, idx->setdir[i].h, idx->setdir[i].o);
		free(idx->setdir);
		idx->setdir = nv;
		idx->setdir_cap = ncap;
	}
	setdir_insert_raw(idx->setdir, idx->setdir_cap, o->hash, o);
	idx->setdir_n++;
}

static void setdir_del(struct whois_index *idx, struct wobj *o)
{
	if (idx->setdir_cap == 0)
		return;
	size_t mask = idx->setdir_cap - 1, i = o->hash & mask;
	while (idx->setdir[i].o != o) {
		if (idx->setdir[i].o == NULL)
			return;
		i = (i + 1) & mask;
	}
	/* Backward-shift deletion, as in wptrset_del(). */
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (idx->setdir[j].o == NULL)
			break;
		size_t home = idx->setdir[j].h & mask;
		bool in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
		if (!in_range) {
			idx->setdir[i] = idx->setdir[j];
			i = j;
		}
	}
	idx->setdir[i].o = NULL;
	idx->setdir[i].h = 0;
	idx->setdir_n--;
}

struct wobj *widx_set(const struct whois_index *idx, uint64_t h, unsigned src, enum rpsl_class cls, const char *name,
		      size_t len)
{
	if (idx->setdir_cap == 0)
		return NULL;
	size_t mask = idx->setdir_cap - 1;
	for (size_t i = h & mask; idx->setdir[i].o; i = (i + 1) & mask) {
		const struct wobj *o = idx->setdir[i].o;
		if (idx->setdir[i].h == h && o->src == src && o->cls == cls && o->pk_len == len &&
		    (memcmp(wobj_pk(o), name, len) == 0 || strncasecmp(wobj_pk(o), name, len) == 0))
			return idx->setdir[i].o;
	}
	return NULL;
}

/* ---------------------------------------------------------------- set names */

static uint32_t setname_slot(const struct whois_index *idx, uint64_t h, const char *up, size_t len, bool *found)
{
	size_t mask = idx->setname_tabcap - 1;
	size_t i = h & mask;
	for (; idx->setname_tab[i]; i = (i + 1) & mask) {
		const struct wsetname *e = idx->setnames[idx->setname_tab[i] - 1];
		if (e->h == h && e->len == len && memcmp(e->name, up, len) == 0) {
			*found = true;
			return (uint32_t)i;
		}
	}
	*found = false;
	return (uint32_t)i;
}

int64_t widx_setname_find(const struct whois_index *idx, const char *name, size_t len)
{
	if (idx->setname_tabcap == 0)
		return -1;
	char stackbuf[256];
	char *up = len < sizeof(stackbuf) ? stackbuf : xmalloc(len + 1);
	memcpy(up, name, len);
	up[len] = '\0';
	w_upper(up, len);
	bool found;
	uint32_t slot = setname_slot(idx, widx_key_hash(up, len), up, len, &found);
	if (up != stackbuf)
		free(up);
	return found ? (int64_t)idx->setname_tab[slot] - 1 : -1;
}

/* The id of an upper-case name with key hash h, added if new. */
static uint32_t setname_intern(struct whois_index *idx, const char *up, size_t len, uint64_t h)
{
	bool found;
	if ((idx->nsetnames + 1) * 2 > idx->setname_tabcap) {
		size_t ncap = idx->setname_tabcap ? idx->setname_tabcap * 2 : 1024;
		uint32_t *nt = xcalloc(ncap, sizeof(*nt));
		for (uint32_t id = 0; id < idx->nsetnames; id++) {
			size_t j = idx->setnames[id]->h & (ncap - 1);
			while (nt[j])
				j = (j + 1) & (ncap - 1);
			nt[j] = id + 1;
		}
		free(idx->setname_tab);
		idx->setname_tab = nt;
		idx->setname_tabcap = ncap;
	}
	uint32_t slot = setname_slot(idx, h, up, len, &found);
	if (found)
		return idx->setname_tab[slot] - 1;
	if (idx->nsetnames == idx->capsetnames) {
		idx->capsetnames = idx->capsetnames ? idx->capsetnames * 2 : 1024;
		idx->setnames = xrealloc(idx->setnames, idx->capsetnames * sizeof(*idx->setnames));
	}
	struct wsetname *e = xcalloc(1, sizeof(*e) + len + 1);
	e->h = h;
	e->len = (uint32_t)len;
	memcpy(e->name, up, len);
	uint32_t id = idx->nsetnames++;
	idx->setnames[id] = e;
	idx->setname_tab[slot] = id + 1;
	return id;
}

static void setname_attach(struct whois_index *idx, struct wobj *o)
{
	size_t len = o->pk_len;
	char stackbuf[256];
	char *up = len < sizeof(stackbuf) ? stackbuf : xmalloc(len + 1);
	memcpy(up, wobj_pk(o), len + 1);
	w_upper(up, len);
	o->name_id = setname_intern(idx, up, len, widx_key_hash(up, len));
	if (up != stackbuf)
		free(up);
	struct wsetname *e = idx->setnames[o->name_id];
	if (e->first == NULL) {
		e->first = o;
		return;
	}
	if (e->nmore == e->capmore) {
		e->capmore = e->capmore ? e->capmore * 2 : 4;
		e->more = xrealloc(e->more, e->capmore * sizeof(*e->more));
	}
	e->more[e->nmore++] = o;
}

static void setname_detach(struct whois_index *idx, struct wobj *o)
{
	struct wsetname *e = idx->setnames[o->name_id];
	if (e->first == o) {
		e->first = e->nmore ? e->more[--e->nmore] : NULL;
		return;
	}
	for (uint32_t i = 0; i < e->nmore; i++) {
		if (e->more[i] == o) {
			e->more[i] = e->more[--e->nmore];
			return;
		}
	}
}

/* ---------------------------------------------------------------- origins */

static size_t origin_bucket(uint32_t asn, size_t size)
{
	return (size_t)(((uint64_t)asn * 0x9e3779b97f4a7c15ULL) >> 32) & (size - 1);
}
#define ORIGIN_BUCKET(x, nsize) origin_bucket((x)->asn, (nsize))

struct worigin *widx_origin(const struct whois_index *idx, uint32_t asn)
{
	for (struct worigin *or = idx->otab[origin_bucket(asn, idx->otabsize)]; or; or = or->hnext)
		if (or->asn == asn)
			return or;
	return NULL;
}

static struct worigin *origin_get(struct whois_index *idx, uint32_t asn)
{
	struct worigin *or = widx_origin(idx, asn);
	if (or)
		return or;
	if (idx->ocount >= idx->otabsize)
		TAB_DOUBLE(struct worigin, idx->otab, idx->otabsize, ORIGIN_BUCKET);
	or = xcalloc(1, sizeof(*or));
	or->asn = asn;
	size_t b = origin_bucket(asn, idx->otabsize);
	or->hnext = idx->otab[b];
	idx->otab[b] = or;
	idx->ocount++;
	return or;
}

static void origin_release(struct whois_index *idx, struct worigin *or)
{
	if (or->routes[0].n || or->routes[1].n)
		return;
	struct worigin **pp = &idx->otab[origin_bucket(or->asn, idx->otabsize)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == or) {
			*pp = or->hnext;
			wres_cache_clear(or);
			wptrset_free(&or->routes[0]);
			wptrset_free(&or->routes[1]);
			free(or);
			idx->ocount--;
			return;
		}
	}
}

static bool is_route(const struct wobj *o)
{
	return (o->cls == RPSL_ROUTE || o->cls == RPSL_ROUTE6) && (o->flags & WOBJ_HAS_ORIGIN) &&
	       (o->flags & WOBJ_HAS_PREFIX);
}

/* ---------------------------------------------------------------- link / unlink */

static void obj_link(struct whois_index *idx, struct wobj *o)
{
	if (idx->count >= idx->tabsize)
		TAB_DOUBLE(struct wobj, idx->tab, idx->tabsize, HASH_BUCKET);
	size_t b = o->hash & (idx->tabsize - 1);
	o->hnext = idx->tab[b];
	idx->tab[b] = o;
	idx->count++;

	if (o->cls == RPSL_AS_SET || o->cls == RPSL_ROUTE_SET) {
		setdir_add(idx, o);
		setname_attach(idx, o);
	}
	int fam = o->family == 6 ? 1 : 0;
	if (is_route(o)) {
		struct worigin *or = origin_get(idx, o->origin);
		wptrset_add(&or->routes[fam], o);
		wres_cache_clear(or);
	}
	if (o->flags & WOBJ_HAS_PREFIX)
		wradix_add(idx->radix[fam], o->ip_first, o->plen, o);
	else if (o->flags & WOBJ_HAS_IP)
		wptrset_add(&idx->ranges, o);
	if (o->cls == RPSL_PERSON || o->cls == RPSL_ROLE || o->cls == RPSL_AS_BLOCK)
		wptrset_add(&idx->byclass[o->cls], o);
	uint8_t attr;
	const char *val;
	WOBJ_KEYS_FOREACH(o, kp, attr, val)
		post_add(idx, (enum wattr)attr, val, o);
}

static void obj_unlink(struct whois_index *idx, struct wobj *o)
{
	struct wobj **pp = &idx->tab[o->hash & (idx->tabsize - 1)];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == o) {
			*pp = o->hnext;
			break;
		}
	}
	idx->count--;

	if (o->cls == RPSL_AS_SET || o->cls == RPSL_ROUTE_SET) {
		setdir_del(idx, o);
		setname_detach(idx, o);
	}
	int fam = o->family == 6 ? 1 : 0;
	if (is_route(o)) {
		struct worigin *or = widx_origin(idx, o->origin);
		if (or) {
			wptrset_del(&or->routes[fam], o);
			wres_cache_clear(or);
			origin_release(idx, or);
		}
	}
	if (o->flags & WOBJ_HAS_PREFIX)
		wradix_del(idx->radix[fam], o->ip_first, o->plen, o);
	else if (o->flags & WOBJ_HAS_IP)
		wptrset_del(&idx->ranges, o);
	if (o->cls == RPSL_PERSON || o->cls == RPSL_ROLE || o->cls == RPSL_AS_BLOCK)
		wptrset_del(&idx->byclass[o->cls], o);
	uint8_t attr;
	const char *val;
	WOBJ_KEYS_FOREACH(o, kp, attr, val)
		post_del(idx, (enum wattr)attr, val, o);
}

/* ---------------------------------------------------------------- put / del */

/* Collect the lookup keys of obj into b (attr+1, value, NUL), upper case
 * and without repeats. */
static void collect_keys(const struct rpsl_object *obj, struct wbuf *b)
{
	for (int a = 0; a < WA_COUNT; a++) {
		if (a == WA_ORIGIN)	/* answered from the origin index */
			continue;
		if (!rpsl_class_has_attr(obj->cls, wattr_names[a]))
			continue;
		struct rpsl_values vals = rpsl_get(obj, wattr_names[a]);
		for (size_t i = 0; i < vals.n; i++) {
			size_t vl = strlen(vals.v[i]);
			if (vl == 0)
				continue;
			wbuf_addc(b, (char)(a + 1));
			size_t at = b->len;
			wbuf_add(b, vals.v[i], vl);
			w_upper(b->p + at, vl);
			wbuf_addc(b, '\0');
		}
	}
	/* Remove repeats in place (a posting holds an object once): by
	 * comparison for the usual handful of keys, with a set for big sets. */
	size_t nkeys = 0;
	for (size_t i = 0; i < b->len; i++)
		nkeys += b->p[i] == '\0';
	struct wstrset seen = { 0 };
	size_t r = 0, w = 0;
	while (r < b->len) {
		size_t l = strlen(b->p + r) + 1;
		if (w != r)
			memmove(b->p + w, b->p + r, l);
		bool fresh = true;
		if (nkeys > 16) {
			fresh = wstrset_add(&seen, b->p + w);
		} else {
			for (size_t k = 0; k < w && fresh; k += strlen(b->p + k) + 1)
				fresh = strcmp(b->p + k, b->p + w) != 0;
		}
		if (fresh)
			w += l;
		r += l;
	}
	wstrset_free(&seen);
	b->len = w;
}

/* Classify a member once, as IRRd's resolver would each time (see
 * struct wmember). */
static void add_member(struct whois_index *idx, struct wbuf *b, const char *m)
{
	size_t len = strlen(m);
	if (len > UINT16_MAX)
		len = UINT16_MAX;	/* longer than any RPSL line */
	const char *caret = memchr(m, '^', len);
	uint32_t asn;
	struct wprefix p;

	if (w_parse_as_number(m, len, &asn, NULL)) {
		char canon[16];
		int cl = snprintf(canon, sizeof(canon), "AS%u", asn);
		uint16_t l16 = (uint16_t)len;
		wbuf_addc(b, (size_t)cl == len && memcmp(canon, m, len) == 0 ? 'A' : 'a');
		wbuf_add(b, &l16, 2);
		wbuf_add(b, &asn, 4);
	} else if (w_ipy_parse(m, caret ? (size_t)(caret - m) : len, &p)) {
		uint16_t l16 = (uint16_t)len;
		wbuf_addc(b, 'P');
		wbuf_add(b, &l16, 2);
	} else {
		char stackbuf[256];
		char *up = len < sizeof(stackbuf) ? stackbuf : xmalloc(len + 1);
		memcpy(up, m, len + 1);
		w_upper(up, len);
		uint64_t h = widx_key_hash(up, len);
		uint32_t id = setname_intern(idx, up, len, h);
		if (up != stackbuf)
			free(up);
		uint16_t l16 = (uint16_t)len;
		wbuf_addc(b, 'N');
		wbuf_add(b, &l16, 2);
		wbuf_add(b, &h, 8);
		wbuf_add(b, &id, 4);
	}
	wbuf_add(b, m, len);
	wbuf_addc(b, '\0');
}

static void collect_members(struct whois_index *idx, const struct rpsl_object *obj, struct wbuf *b, uint32_t *n)
{
	static const char *const attrs[] = { "members", "mp-members" };
	*n = 0;
	if (obj->cls != RPSL_AS_SET && obj->cls != RPSL_ROUTE_SET)
		return;
	for (size_t a = 0; a < 2; a++) {
		struct rpsl_values vals = rpsl_get(obj, attrs[a]);
		for (size_t i = 0; i < vals.n; i++) {
			add_member(idx, b, vals.v[i]);
			(*n)++;
		}
	}
}

void whois_index_put(struct whois_index *idx, const struct rpsl_object *obj,
		     const char *text, size_t len, enum rpki_state st)
{
	atomic_fetch_add(&idx->generation, 1);	/* cached answers are out of date */
	if (obj == NULL || obj->pk == NULL || obj->source == NULL || obj->cls <= RPSL_CLASS_UNKNOWN ||
	    obj->cls >= RPSL_CLASS_COUNT) {
		log_warnx("whois index: object %s without class, key or source not indexed",
			  obj && obj->pk ? obj->pk : "(unnamed)");
		return;
	}
	int src = source_id_add(idx, obj->source);
	if (src < 0) {
		log_warnx("whois index: %s: more than %d sources, object %s not indexed", obj->source,
			  WHOIS_MAX_SOURCES, obj->pk);
		return;
	}
	size_t pklen = strlen(obj->pk);
	struct wobj *old = widx_get(idx, (unsigned)src, obj->cls, obj->pk, pklen);
	if (old) {
		obj_unlink(idx, old);
		free(old);
	}

	struct wbuf keys = { 0 }, members = { 0 };
	uint32_t nmembers;
	collect_keys(obj, &keys);
	collect_members(idx, obj, &members, &nmembers);

	bool add_nl = len == 0 || text[len - 1] != '\n';
	size_t tlen = len + (add_nl ? 1 : 0);
	struct wobj *o = xmalloc(sizeof(*o) + pklen + 1 + tlen + 1 + keys.len + members.len);
	memset(o, 0, sizeof(*o));
	o->src = (uint16_t)src;
	o->cls = (uint8_t)obj->cls;
	o->rpki = (uint8_t)st;
	o->pk_len = (uint32_t)pklen;
	o->text_len = (uint32_t)tlen;
	o->keys_len = (uint32_t)keys.len;
	o->members_len = (uint32_t)members.len;
	o->nmembers = nmembers;
	o->hash = obj_hash((unsigned)src, obj->cls, obj->pk, pklen);
	char *d = o->data;
	memcpy(d, obj->pk, pklen + 1);
	d += pklen + 1;
	memcpy(d, text, len);
	if (add_nl)
		d[len] = '\n';
	d[tlen] = '\0';
	d += tlen + 1;
	if (keys.len)
		memcpy(d, keys.p, keys.len);
	d += keys.len;
	if (members.len)
		memcpy(d, members.p, members.len);
	wbuf_free(&keys);
	wbuf_free(&members);

	if (obj->has_ip) {
		o->flags |= WOBJ_HAS_IP;
		o->family = obj->ip_first.family == IP_AF6 ? 6 : 4;
		memcpy(o->ip_first, obj->ip_first.a, 16);
		memcpy(o->ip_last, obj->ip_last.a, 16);
	}
	if (obj->has_prefix) {
		o->flags |= WOBJ_HAS_PREFIX | WOBJ_HAS_IP;
		o->family = obj->prefix.family == IP_AF6 ? 6 : 4;
		o->plen = obj->prefix.len;
		memcpy(o->ip_first, obj->prefix.a, 16);
		if (!obj->has_ip) {
			/* Last address: the host bits set. */
			unsigned bits = o->family == 6 ? 128 : 32;
			memcpy(o->ip_last, obj->prefix.a, 16);
			for (unsigned i = o->plen; i < bits; i++)
				o->ip_last[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
		}
	}
	if (obj->has_origin) {
		o->flags |= WOBJ_HAS_ORIGIN;
		o->origin = obj->origin;
	}
	uint8_t attr;
	const char *val;
	WOBJ_KEYS_FOREACH(o, kp, attr, val)
		if (attr == WA_MBRS_BY_REF && val[0] && (obj->cls == RPSL_AS_SET || obj->cls == RPSL_ROUTE_SET))
			o->flags |= WOBJ_HAS_BYREF;
	if (obj->has_asn) {
		o->flags |= WOBJ_HAS_ASN;
		o->asn_first = obj->asn_first;
		o->asn_last = obj->asn_last;
	} else if (obj->has_origin) {
		/* IRRd keeps a route's origin in asn_first/asn_last. */
		o->flags |= WOBJ_HAS_ASN;
		o->asn_first = o->asn_last = obj->origin;
	}
	obj_link(idx, o);
}

int whois_index_del(struct whois_index *idx, const char *source, enum rpsl_class cls, const char *pk)
{
	atomic_fetch_add(&idx->generation, 1);	/* cached answers are out of date */
	int src = widx_source_id(idx, source);
	if (src < 0)
		return -1;
	struct wobj *o = widx_get(idx, (unsigned)src, cls, pk, strlen(pk));
	if (o == NULL)
		return -1;
	obj_unlink(idx, o);
	free(o);
	return 0;
}

int whois_index_set_rpki(struct whois_index *idx, const char *source, enum rpsl_class cls, const char *pk,
			 enum rpki_state st)
{
	atomic_fetch_add(&idx->generation, 1);	/* cached answers are out of date */
	int src = widx_source_id(idx, source);
	if (src < 0)
		return -1;
	struct wobj *o = widx_get(idx, (unsigned)src, cls, pk, strlen(pk));
	if (o == NULL)
		return -1;
	if (o->rpki != (uint8_t)st) {
		o->rpki = (uint8_t)st;
		if (is_route(o)) {
			struct worigin *or = widx_origin(idx, o->origin);
			if (or)
				wres_cache_clear(or);
		}
	}
	return 0;
}

void whois_index_drop_source(struct whois_index *idx, const char *source)
{
	atomic_fetch_add(&idx->generation, 1);	/* cached answers are out of date */
	int src = widx_source_id(idx, source);
	if (src < 0)
		return;
	for (size_t i = 0; i < idx->tabsize; i++) {
		struct wobj *o = idx->tab[i];
		while (o) {
			struct wobj *next = o->hnext;
			if (o->src == (unsigned)src) {
				obj_unlink(idx, o);
				free(o);
			}
			o = next;
		}
	}
}
