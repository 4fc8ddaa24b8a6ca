/*
 * roa_int.h - helpers shared by the ROA side of the rpki layer (roa.c,
 * slurm.c, ov.c, pseudo_irr.c, json.c, addr.c). Not for other layers.
 */
#ifndef RPKI_ROA_INT_H
#define RPKI_ROA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpki/rpki.h"

/* ---- addresses (addr.c) ------------------------------------------------ */

typedef unsigned __int128 u128;

/* Parse "addr/len" (no whitespace). Host bits must be zero. On error returns
 * -1 and *why says what is wrong (static text). IPv4 octets may have leading
 * zeros (as IPy, which IRRd uses). */
int roa_prefix_parse(const char *s, size_t len, struct ip_prefix *out, const char **why);
/* "192.0.2.0/24", "2001:db8::/32": RFC 5952, lower case, "::ffff:a.b.c.d"
 * for IPv4-mapped, as IPy's str(). With ipy, a /32 or /128 is written
 * without its length, as IPy does (and so IRRd's pseudo-IRR objects).
 * Returns the length; buf holds at least IP_PREFIX_STRLEN bytes. */
size_t roa_prefix_format(const struct ip_prefix *p, char *buf, bool ipy);
/* AS number as IRRd's parse_as_number(permit_plain=True): "AS64496",
 * "as64496" or "64496", 0..4294967295. */
int roa_asn_parse(const char *s, size_t len, uint32_t *out);

/* The address as a 128-bit integer (IPv4 in the top 32 bits). */
static inline u128 roa_addr_u128(const uint8_t a[16])
{
	uint64_t hi, lo;

	__builtin_memcpy(&hi, a, 8);
	__builtin_memcpy(&lo, a + 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	hi = __builtin_bswap64(hi);
	lo = __builtin_bswap64(lo);
#endif
	return (u128)hi << 64 | lo;
}

static inline u128 roa_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

/* Total order of prefixes: family (4 before 6), address, length. */
int roa_prefix_cmp(const struct ip_prefix *x, const struct ip_prefix *y);

/* ---- prefix index (ov.c) ------------------------------------------------ */

/*
 * A nesting forest over distinct prefixes: nodes sorted by (family, address,
 * length), each pointing at the nearest distinct prefix that covers it. The
 * prefixes covering a route are the covering part of the parent chain of the
 * greatest node <= the route (see ov.c). Items are any array sorted by
 * prefix whose elements start with a struct ip_prefix; node i covers items
 * [first, first + n).
 */
struct pidx_node {
	u128 addr;
	uint8_t family;
	uint8_t len;
	int32_t parent;		/* -1: no covering node */
	uint32_t first;
	uint32_t n;
};

/* Per family, a table that narrows the binary search: bucket[i] is the
 * first node whose address, after the `skip` leading bits all nodes of the
 * family share, starts with the `bits`-bit value i. */
struct pidx_fam {
	size_t lo, hi;		/* the family's nodes */
	unsigned skip, bits;
	u128 common;		/* the shared leading bits (rest zero) */
	uint32_t *bucket;	/* 2^bits + 1 entries; NULL if bits == 0 */
};

struct pidx {
	struct pidx_node *nodes;
	size_t nnodes;
	size_t v4_end;		/* nodes [0, v4_end) are IPv4, the rest IPv6 */
	struct pidx_fam fam[2];	/* IPv4, IPv6 */
};

void pidx_build(struct pidx *ix, const void *items, size_t nitems, size_t stride);
void pidx_free(struct pidx *ix);
/* Deepest node covering p, or -1. */
int32_t pidx_lookup(const struct pidx *ix, const struct ip_prefix *p);

/* ---- ROA sets (roa.c) ---------------------------------------------------- */

/* A growing list of ROAs plus the trust anchor names they refer to. */
struct roa_vec {
	struct roa *v;
	size_t n, cap;
	char **tas;
	size_t ntas, tacap;
	uint32_t *tahash;	/* open addressing: ta index + 1, 0 = empty */
	size_t tahashcap;
};

void roa_vec_init(struct roa_vec *rv);
void roa_vec_free(struct roa_vec *rv);
uint32_t roa_vec_ta(struct roa_vec *rv, const char *ta, size_t len);
void roa_vec_push(struct roa_vec *rv, const struct roa *r);

struct roa_set {
	struct roa *roas;	/* sorted by roa_cmp, unique by VRP */
	size_t n;
	size_t nv4;
	size_t nfiltered;	/* ROAs of the file dropped by SLURM prefixFilters */
	char **tas;
	size_t ntas;
	struct pidx ix;
	struct slurm *slurm;	/* owned; NULL if none attached */
};

/* Sort, de-duplicate (same prefix, maxLength and ASN: the lowest trust
 * anchor index wins) and index; takes over rv's arrays. */
struct roa_set *roa_set_build(struct roa_vec *rv);
int roa_cmp(const struct roa *x, const struct roa *y);

/* ---- errors --------------------------------------------------------------- */

/* A list of messages, capped, for "every malformed entry" reporting. */
#define ROA_ERR_MAX 20
struct roa_errs {
	char *buf;		/* newline separated */
	size_t len, cap;
	unsigned count;
	const char *name;
};
void roa_errs_add(struct roa_errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The joined message ("NAME: ...\nNAME: ...\n... and N more errors"),
 * caller frees; NULL if there were none. Resets e. */
char *roa_errs_take(struct roa_errs *e);

/* ---- JSON pull reader (json.c) --------------------------------------------- */

enum jrd_type {
	JRD_NONE = 0, JRD_OBJECT, JRD_ARRAY, JRD_STRING, JRD_NUMBER, JRD_TRUE, JRD_FALSE, JRD_NULL
};

#define JRD_MAX_DEPTH 256

struct jrd {
	const char *buf, *p, *end;
	char err[200];		/* "line L column C: what"; empty if fine */
	unsigned depth;
	uint8_t first[JRD_MAX_DEPTH];	/* no member read yet at this depth */
	uint8_t isobj[JRD_MAX_DEPTH];	/* the container at this depth is an object */
	char *tmp;		/* unescaped strings */
	size_t tmpcap;
};

struct jrd_num {
	bool is_uint;		/* integer syntax, not negative, fits in 64 bits */
	uint64_t u;
	const char *text;	/* the number as written */
	size_t len;
};

void jrd_init(struct jrd *j, const char *buf, size_t len);
void jrd_free(struct jrd *j);
/* Type of the next value, without consuming it; JRD_NONE (error set) if
 * there is none. */
enum jrd_type jrd_peek(struct jrd *j);
/* Consume '{' / '['. 0 or -1. */
int jrd_object_begin(struct jrd *j);
int jrd_array_begin(struct jrd *j);
/* 1: a member follows, its key in *key (valid until the next string is
 * read) and the ':' consumed; 0: '}' consumed; -1: error. */
int jrd_object_next(struct jrd *j, const char **key, size_t *klen);
/* 1: an element follows; 0: ']' consumed; -1: error. */
int jrd_array_next(struct jrd *j);
/* A string value (UTF-8 checked, escapes resolved; may contain NUL if the
 * input had \u0000). Valid until the next string is read. 0 or -1. */
int jrd_string(struct jrd *j, const char **s, size_t *len);
int jrd_number(struct jrd *j, struct jrd_num *n);
/* Skip one value of any type. 0 or -1. */
int jrd_skip(struct jrd *j);
/* Only whitespace may follow the top-level value. 0 or -1. */
int jrd_finish(struct jrd *j);
/* Record an error at the current position (first one wins). Returns -1. */
int jrd_fail(struct jrd *j, const char *what);
static inline bool jrd_failed(const struct jrd *j) { return j->err[0] != '\0'; }

static inline bool key_is(const char *key, size_t klen, const char *lit)
{
	size_t n = __builtin_strlen(lit);
	return klen == n && __builtin_memcmp(key, lit, n) == 0;
}

/* Base64 (RFC 4648, standard or URL alphabet, padding optional). Returns
 * the decoded length or -1; out holds at least len * 3 / 4 + 3 bytes. */
long roa_base64_decode(const char *s, size_t len, uint8_t *out);

#endif
