/*
 * whois_int.h - internals of the whois layer, shared by its files:
 * util.c (buffers, hashing, pointer sets, IPy-compatible address parsing,
 * text helpers), index.c (the object store and its indexes), radix.c
 * (prefix trees), resolve.c (set expansion and prefix lists), search.c
 * (object queries and their rendering) and session.c (the query parser).
 *
 * Threads: queries run on several threads at once, each inside the
 * index's read lock (whois_session_query takes it); changes to the index
 * are made under its write lock (whois_index_write_lock). What readers
 * fill in lazily (the per-origin prefix lists) is published with atomics
 * and freed only under the write lock.
 */
#ifndef WHOIS_WHOIS_INT_H
#define WHOIS_WHOIS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rpsl/rpsl.h"
#include "whois/whois.h"

/* ---------------------------------------------------------------- util */

/* A growable byte buffer; p is NUL-terminated whenever len > 0 or cap > 0. */
struct wbuf {
	char *p;
	size_t len, cap;
};
void wbuf_reserve(struct wbuf *b, size_t extra);
void wbuf_add(struct wbuf *b, const void *data, size_t n);
void wbuf_addc(struct wbuf *b, char c);
void wbuf_adds(struct wbuf *b, const char *s);
void wbuf_printf(struct wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wbuf_reset(struct wbuf *b);
void wbuf_free(struct wbuf *b);

/* Bump allocator for per-query scratch; reset after each query. */
struct warena_chunk;
struct warena {
	struct warena_chunk *head;
	size_t used_total;
};
void *warena_alloc(struct warena *a, size_t n);
char *warena_strndup(struct warena *a, const char *s, size_t n);
void warena_reset(struct warena *a);
void warena_free(struct warena *a);

uint64_t whash(const void *p, size_t n, uint64_t seed);
static inline uint64_t whash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/*
 * A set of pointers with O(1) add and delete. Empty or one element: the
 * element itself is kept in v (cap 0), as most prefixes, origins and lookup
 * values have one object. Up to WPTRSET_SMALL entries it is a dense array;
 * beyond that an open-addressing table (linear probing, backward-shift
 * deletion, so no tombstones).
 */
#define WPTRSET_SMALL 8
struct wptrset {
	void **v;
	uint32_t n, cap;
};
void wptrset_add(struct wptrset *s, void *p);	/* p must not be present */
bool wptrset_del(struct wptrset *s, void *p);
void wptrset_free(struct wptrset *s);
static inline uint32_t wptrset_slots(const struct wptrset *s)
{
	return s->cap <= WPTRSET_SMALL ? s->n : s->cap;
}
static inline void *wptrset_at(const struct wptrset *s, uint32_t i)
{
	return s->cap == 0 ? (void *)s->v : s->v[i];
}
#define WPTRSET_FOREACH(s, i, p) \
	for (uint32_t i = 0; i < wptrset_slots(s); i++) \
		if (((p) = wptrset_at((s), i)) != NULL)

/* A set of strings (not copied) for per-query de-duplication. */
struct wstrset {
	const char **v;
	uint32_t *h;
	uint32_t n, cap;
};
/* true if added, false if it was present */
bool wstrset_add(struct wstrset *s, const char *str);
bool wstrset_has(const struct wstrset *s, const char *str);
void wstrset_free(struct wstrset *s);

/* Python's int(s, base) for base 10 or 16 on ASCII text: surrounding
 * whitespace, a sign, '_' between digits, "0x" for base 16. Values beyond
 * 128 bits set *overflow. false if Python would raise ValueError. */
bool w_py_int(const char *s, size_t len, int base, bool *neg, unsigned __int128 *val, bool *overflow);

/* IPy's IP(text): an address or network in any of IPy's notations.
 * false where IPy raises ValueError. */
struct wprefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t len;
	uint8_t a[16];		/* network order */
};
bool w_ipy_parse(const char *s, size_t len, struct wprefix *out);

/* "a.b.c.d/n" and RFC 5952 "x::y/n"; buf needs 50 bytes. Returns length. */
size_t wprefix_format(uint8_t family, const uint8_t *a, uint8_t len, char *buf);
/* Writes 0..999 in decimal (no NUL) at p; the number of digits. */
size_t wfmt_u8(unsigned v, char *p);
size_t waddr_format(uint8_t family, const uint8_t *a, char *buf);

/* parse_as_number(): "AS<int>" (case-insensitive) -> asn. On failure
 * appends IRRd's message to err (if not NULL). */
bool w_parse_as_number(const char *s, size_t len, uint32_t *asn, struct wbuf *err);
/* The same for queries (!g, !6, free text): with asdot (IRRd's
 * compatibility.asdot_queries) "ASx.y" is also x * 65536 + y. */
bool w_parse_as_query(const char *s, size_t len, bool asdot, uint32_t *asn, struct wbuf *err);

/* Python's str.strip() on UTF-8 text. */
void w_strip(const char **s, size_t *len);
bool w_isspace_at(const char *s, size_t len, size_t *clen);

/* Decode a query line as IRRd does (UTF-8, invalid bytes as "\xNN"). */
void w_sanitize_utf8(const char *in, size_t len, struct wbuf *out);

/* Replace password hashes as IRRd's remove_auth_hashes(); false (and out
 * untouched) when there is nothing to replace. */
bool w_mask_auth(const char *in, size_t len, struct wbuf *out);

void w_upper(char *s, size_t len);
bool w_ieq(const char *a, size_t alen, const char *b);	/* ASCII case-insensitive, b NUL-terminated */

/* ---------------------------------------------------------------- index */

#define WHOIS_MAX_SOURCES 256
struct wsrcmask {
	uint64_t w[WHOIS_MAX_SOURCES / 64];
};
static inline bool wsrcmask_has(const struct wsrcmask *m, unsigned id)
{
	return (m->w[id >> 6] >> (id & 63)) & 1;
}
static inline void wsrcmask_set(struct wsrcmask *m, unsigned id)
{
	m->w[id >> 6] |= 1ULL << (id & 63);
}

/* Lookup attributes (IRRd's lookup_field_names(), sorted). */
enum wattr {
	WA_ADMIN_C, WA_MBRS_BY_REF, WA_MEMBER_OF, WA_MEMBERS, WA_MNT_BY, WA_MP_MEMBERS,
	WA_ORIGIN, WA_PERSON, WA_ROLE, WA_TECH_C, WA_ZONE_C, WA_COUNT
};
extern const char *const wattr_names[WA_COUNT];
int wattr_lookup(const char *name, size_t len);	/* -1 if not a lookup attribute */

enum {
	WOBJ_HAS_IP = 1, WOBJ_HAS_PREFIX = 2, WOBJ_HAS_ASN = 4, WOBJ_HAS_ORIGIN = 8,
	WOBJ_HAS_BYREF = 16	/* a set with mbrs-by-ref */
};

/*
 * One object: a single allocation holding the header, the primary key, the
 * text and, packed, the values it is indexed under (keys: one byte
 * attribute id + 1, then the NUL-terminated upper-case value) and, for
 * sets, the members, classified once when the object is added (struct
 * wmember records, see wmember_next()).
 */
struct wobj {
	struct wobj *hnext;
	uint64_t hash;
	uint16_t src;
	uint8_t cls;
	uint8_t rpki;
	uint8_t flags;
	uint8_t family;		/* of ip_first/ip_last/prefix */
	uint8_t plen;		/* prefix length if WOBJ_HAS_PREFIX */
	uint32_t asn_first, asn_last, origin;
	uint32_t name_id;	/* as-set, route-set: its wsetname (widx_setname_at) */
	uint8_t ip_first[16], ip_last[16];
	uint32_t pk_len, text_len, keys_len, members_len, nmembers;
	char data[];		/* pk \0 text \0 keys members */
};
static inline const char *wobj_pk(const struct wobj *o) { return o->data; }
static inline const char *wobj_text(const struct wobj *o) { return o->data + o->pk_len + 1; }
static inline const char *wobj_keys(const struct wobj *o) { return o->data + o->pk_len + 1 + o->text_len + 1; }
static inline const char *wobj_members(const struct wobj *o) { return wobj_keys(o) + o->keys_len; }
#define WOBJ_KEYS_FOREACH(o, p, attr, val) \
	for (const char *p = wobj_keys(o), *p##_end = p + (o)->keys_len; \
	     p < p##_end && ((attr) = (uint8_t)(p[0] - 1), (val) = p + 1, 1); p += strlen(p) + 1)

/*
 * A set member as IRRd's resolver sees it: an AS number ('A': "AS" and the
 * number as IRRd writes it; 'a': other text parse_as_number() accepts), a
 * prefix IPy accepts before any '^' ('P'), or the name of a set ('N', with
 * the hash of its upper-case form for widx_set() and the id of that name
 * in the index's set-name table). Packed as: tag byte, 2-byte text length,
 * 4-byte AS number ('A', 'a') or 8-byte hash and 4-byte name id ('N'),
 * the text, NUL.
 */
struct wmember {
	char tag;
	uint16_t len;
	uint32_t asn;
	uint32_t id;
	uint64_t hash;
	const char *str;
};
static inline const char *wmember_next(const char *p, struct wmember *m)
{
	m->tag = p[0];
	memcpy(&m->len, p + 1, 2);
	p += 3;
	m->asn = 0;
	m->hash = 0;
	if (m->tag == 'A' || m->tag == 'a') {
		memcpy(&m->asn, p, 4);
		p += 4;
	} else if (m->tag == 'N') {
		memcpy(&m->hash, p, 8);
		memcpy(&m->id, p + 8, 4);
		p += 12;
	}
	m->str = p;
	return p + m->len + 1;
}
#define WOBJ_MEMBERS_FOREACH(o, p, m) \
	for (const char *p = wobj_members(o), *p##_end = p + (o)->members_len; \
	     p < p##_end && (p = wmember_next(p, &(m)), 1);)

/* Inverse index entry: (attribute, value) -> objects. */
struct wpost {
	struct wpost *hnext;
	uint64_t hash;
	uint8_t attr;
	struct wptrset objs;
	char value[];
};

/* Sorted, de-duplicated prefix list of one origin and family, for one
 * selection of sources (RPKI-invalid routes left out). Cached in the
 * origin (malloc'd, immutable once published, but for str, which is set
 * once) or, for other selections, made for one query in its arena. */
struct wv6key {
	uint64_t hi, lo;
	uint8_t len;
};
struct wpfxstr {
	size_t len;
	char s[];		/* "p1 p2 ..." */
};
struct wpfxlist {
	struct wpfxlist *next;	/* on the index's retired list */
	bool cached;		/* in an origin (else in a query's arena) */
	struct wsrcmask mask;
	size_t n;
	void *keys;		/* uint64_t (addr << 8 | len) for IPv4, struct wv6key for IPv6 */
	_Atomic(struct wpfxstr *) str;	/* rendered, NULL until asked for */
};

struct worigin {
	struct worigin *hnext;
	uint32_t asn;
	struct wptrset routes[2];	/* [0] IPv4 route, [1] IPv6 route6 */
	_Atomic(struct wpfxlist *) cache[2];
};

struct wradix;

/*
 * A cached answer body (before framing) of a set query that took long to
 * make (!i...,1, !a): keyed by the query and its resolved sources, valid
 * while the index generation is unchanged. Reference counted: the table
 * holds one reference, each reader one while it copies.
 */
#define WANSWER_SLOTS 32
#define WANSWER_MAX_BYTES (256u << 20)
struct wanswer {
	_Atomic unsigned refs;
	uint64_t generation, used;
	bool found;
	char *key;
	size_t keylen;
	char *body;
	size_t len;
};
/* The cached answer for key, with a reference (wanswer_release), or NULL. */
struct wanswer *wanswer_get(struct whois_index *idx, const char *key, size_t keylen);
void wanswer_release(struct wanswer *a);
/* Cache a body made at generation gen (read before making it). */
void wanswer_put(struct whois_index *idx, uint64_t gen, const char *key, size_t keylen, bool found,
		 const char *body, size_t len);

struct whois_index {
	char *srcnames[WHOIS_MAX_SOURCES];
	unsigned nsrc;

	struct wobj **tab;
	size_t tabsize, count;

	/* lookup attribute postings; member-of ones in a table of their own,
	 * small enough to stay in cache while sets are expanded */
	struct wposttab {
		struct wpost **tab;
		size_t size, count;
	} posts, memberof;

	/* as-sets and route-sets by (source, class, name): the set expansion's
	 * lookups, in a compact open-addressing table */
	struct wsetent {
		uint64_t h;		/* widx_hash_mix() of the key */
		struct wobj *o;
	} *setdir;
	size_t setdir_cap, setdir_n;

	/* set names by id, and their ids by name (id + 1, open addressing) */
	struct wsetname **setnames;
	uint32_t nsetnames, capsetnames;
	uint32_t *setname_tab;
	size_t setname_tabcap;

	struct worigin **otab;
	size_t otabsize, ocount;

	struct wradix *radix[2];	/* IPv4, IPv6 */
	struct wptrset ranges;		/* objects with an address range that is no prefix */
	struct wptrset byclass[RPSL_CLASS_COUNT];	/* person, role, as-block only */

	/* readers (queries) and the writer (index changes, context updates) */
	pthread_rwlock_t lock;
	/* cached prefix lists replaced by readers, freed under the write lock */
	pthread_mutex_t retired_mu;
	struct wpfxlist *retired;

	/* answers of heavy set queries, valid for one index generation */
	_Atomic uint64_t generation;	/* + 1 on every write lock */
	pthread_mutex_t answers_mu;
	struct wanswer *answers[WANSWER_SLOTS];
	size_t answers_bytes;
	uint64_t answers_clock;
	int64_t answers_min_nsec;	/* cache answers that took this long */
};

static inline const struct wsetname *widx_setname_at(const struct whois_index *idx, uint32_t id)
{
	return idx->setnames[id];
}
int widx_source_id(const struct whois_index *idx, const char *name);	/* -1 if unknown */
struct wobj *widx_get(const struct whois_index *idx, unsigned src, enum rpsl_class cls, const char *pk, size_t pklen);
/* The hash of an upper-case key, whatever its source and class. */
uint64_t widx_key_hash(const char *pk, size_t pklen);
/* The main table's hash: a key hash mixed with source and class. */
static inline uint64_t widx_hash_mix(uint64_t keyhash, unsigned src, enum rpsl_class cls)
{
	uint64_t h = keyhash ^ (((uint64_t)src * 64 + (uint64_t)cls + 1) * 0x9e3779b97f4a7c15ULL);
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}
/* An as-set or route-set from the set directory; h is widx_hash_mix() of
 * the upper-case name's key hash, source and class. */
struct wobj *widx_set(const struct whois_index *idx, uint64_t h, unsigned src, enum rpsl_class cls, const char *name,
		      size_t len);
const struct wpost *widx_post(const struct whois_index *idx, enum wattr attr, const char *value, size_t len);
struct worigin *widx_origin(const struct whois_index *idx, uint32_t asn);

/*
 * Set names: every upper-case name that an as-set or route-set is called
 * or that a set lists as a member has a small id, stable for the index's
 * life (names are never dropped), and its entry lists the sets of that
 * name in any source and class (none while no such set exists). Members
 * hold the id, so set expansion follows ids instead of hashing names, and
 * a set added or deleted later is seen through its name's entry, with no
 * member to re-resolve and no dangling reference. Written under the write
 * lock only.
 */
struct wsetname {
	uint64_t h;		/* widx_key_hash() of name */
	struct wobj *first;	/* a set of this name, or NULL */
	struct wobj **more;	/* the others, nmore of them */
	uint32_t nmore, capmore;
	uint32_t len;
	char name[];		/* upper case */
};
static inline const struct wsetname *widx_setname_at(const struct whois_index *idx, uint32_t id);
/* The id of a name (any case), or -1 when no set has or names it. */
int64_t widx_setname_find(const struct whois_index *idx, const char *name, size_t len);

/* ---------------------------------------------------------------- radix */

struct wradix *wradix_new(uint8_t family);
void wradix_free(struct wradix *r);
void wradix_add(struct wradix *r, const uint8_t *a, uint8_t len, struct wobj *o);
void wradix_del(struct wradix *r, const uint8_t *a, uint8_t len, struct wobj *o);
/* Callback per node holding objects; return false to stop. */
typedef bool (*wradix_cb)(const struct wptrset *objs, uint8_t len, void *arg);
/* Nodes equal to the prefix. */
void wradix_exact(const struct wradix *r, const uint8_t *a, uint8_t len, wradix_cb cb, void *arg);
/* Nodes covering the prefix (shortest first), exact one included if with_exact. */
void wradix_covering(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact, wradix_cb cb, void *arg);
/* Same, deepest first. */
void wradix_covering_rev(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact, wradix_cb cb, void *arg);
/* Nodes inside the prefix, the exact one included if with_exact. */
void wradix_more(const struct wradix *r, const uint8_t *a, uint8_t len, bool with_exact, wradix_cb cb, void *arg);
size_t wradix_nodes(const struct wradix *r);

/* ---------------------------------------------------------------- prefix lists */

struct wquery;
/* The prefix list of an origin for the query's selection (cached for the
 * default selection, else in the query's arena). */
const struct wpfxlist *wres_origin_prefixes(const struct wquery *q, struct worigin *or, int fam);
const char *wres_origin_prefix_str(const struct wquery *q, struct worigin *or, int fam, size_t *len);
/* Writer only (under the write lock). */
void wres_cache_clear(struct worigin *or);
void wres_list_free(struct wpfxlist *c);

/* Session state the resolver and searches need. */
struct wquery {
	const struct whois_context *ctx;
	struct whois_index *idx;
	unsigned srcs[WHOIS_MAX_SOURCES];	/* resolved source ids, in priority order */
	unsigned nsrcs;
	struct wsrcmask mask;
	const struct wstrset *excluded;		/* !e, upper case; NULL if none */
	struct warena *arena;
	bool default_sources;			/* no !s / -s: prefix lists may be cached */
};

/* The query view of a session's current source selection (session.c). */
void wsession_prepare(struct whois_session *s, struct wquery *q);

/* !i / !i,1: the members, sorted as text, space separated, into out. */
void wres_set_members(struct wquery *q, const char *name, bool recursive, struct wbuf *out);
/* !a: prefixes of all origins of an as-set, both or one family (4/6). */
void wres_as_set_prefixes(struct wquery *q, const char *name, int family, struct wbuf *out);
/* Prefixes of a list of origins into out, space separated, sorted. */
void wres_origins_prefixes(struct wquery *q, const uint32_t *asns, size_t n, int family, struct wbuf *out);

/* ---------------------------------------------------------------- searches */

struct wfilter {
	bool rpki;		/* leave RPKI-invalid objects out */
	bool classes_set;	/* -T given */
	uint32_t classes;	/* bit per enum rpsl_class */
};

struct wresult {
	struct wobj **v;
	size_t n, cap;
};
void wresult_free(struct wresult *r);

bool wsearch_pass(const struct wquery *q, const struct wfilter *f, const struct wobj *o);
void wsearch_sort(const struct wquery *q, struct wresult *r, bool by_source);

enum wroute_lookup { WR_EXACT, WR_LESS_ONE, WR_LESS_WITH_EXACT, WR_MORE };
void wsearch_route(const struct wquery *q, const struct wfilter *f, const struct wprefix *p,
		   enum wroute_lookup how, struct wresult *r);
void wsearch_inverse(const struct wquery *q, const struct wfilter *f, enum wattr attr,
		     const char *value, struct wresult *r);
void wsearch_text(const struct wquery *q, const struct wfilter *f, const char *value, size_t len,
		  struct wresult *r);
struct wobj *wsearch_key(const struct wquery *q, const struct wfilter *f, enum rpsl_class cls,
			 const char *pk, size_t pklen);

/* Render objects as IRRd's _flatten_query_output / _filter_key_fields. */
void wrender_objects(const struct wquery *q, const struct wresult *r, bool key_fields_only, struct wbuf *out);

#endif
