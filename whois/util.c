/*
 * util.c - small building blocks of the whois layer: byte buffers, a
 * per-query arena, hashing, pointer and string sets, and the text rules
 * that IRRd's answers depend on: Python's int() and str.strip(), IPy's
 * address notations, parse_as_number() and remove_auth_hashes().
 */
#include "whois/whois_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

/* ---------------------------------------------------------------- wbuf */

void wbuf_reserve(struct wbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	b->p = xrealloc(b->p, ncap);
	b->cap = ncap;
}

void wbuf_add(struct wbuf *b, const void *data, size_t n)
{
	wbuf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void wbuf_addc(struct wbuf *b, char c)
{
	wbuf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void wbuf_adds(struct wbuf *b, const char *s)
{
	wbuf_add(b, s, strlen(s));
}

void wbuf_printf(struct wbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	wbuf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void wbuf_reset(struct wbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
	/* Give back what one huge answer grew. */
	if (b->cap > (16u << 20)) {
		free(b->p);
		b->p = NULL;
		b->cap = 0;
	}
}

void wbuf_free(struct wbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---------------------------------------------------------------- arena */

struct warena_chunk {
	struct warena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

void *warena_alloc(struct warena *a, size_t n)
{
	struct warena_chunk *c = a->head;
	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size_t sz = n > 65536 ? n : 65536;
		c = xmalloc(sizeof(*c) + sz);
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	a->used_total += n;
	return p;
}

char *warena_strndup(struct warena *a, const char *s, size_t n)
{
	char *p = warena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void warena_reset(struct warena *a)
{
	/* Keep the newest chunk (if an ordinary one) for the next query. */
	struct warena_chunk *c = a->head, *keep = NULL;
	while (c) {
		struct warena_chunk *next = c->next;
		if (keep == NULL && c->size == 65536) {
			keep = c;
			keep->used = 0;
		} else {
			free(c);
		}
		c = next;
	}
	if (keep)
		keep->next = NULL;
	a->head = keep;
	a->used_total = 0;
}

void warena_free(struct warena *a)
{
	struct warena_chunk *c = a->head;
	while (c) {
		struct warena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
}

/* ---------------------------------------------------------------- hashing */

uint64_t whash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		uint64_t k;
		memcpy(&k, s, 8);
		h ^= k;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	while (n--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* ---------------------------------------------------------------- ptrset */

static void wptrset_hash_insert(void **v, uint32_t cap, void *p)
{
	uint32_t i = (uint32_t)whash_ptr(p) & (cap - 1);
	while (v[i] != NULL)
		i = (i + 1) & (cap - 1);
	v[i] = p;
}

static void wptrset_rehash(struct wptrset *s, uint32_t ncap)
{
	void **nv = xcalloc(ncap, sizeof(void *));
	uint32_t slots = wptrset_slots(s);
	for (uint32_t i = 0; i < slots; i++)
		if (s->v[i])
			wptrset_hash_insert(nv, ncap, s->v[i]);
	free(s->v);
	s->v = nv;
	s->cap = ncap;
}

void wptrset_add(struct wptrset *s, void *p)
{
	if (s->cap == 0) {
		if (s->n == 0) {
			s->v = (void **)p;
			s->n = 1;
			return;
		}
		void *first = (void *)s->v;
		s->v = xmalloc(2 * sizeof(void *));
		s->v[0] = first;
		s->v[1] = p;
		s->n = s->cap = 2;
		return;
	}
	if (s->cap <= WPTRSET_SMALL) {
		if (s->n < s->cap) {
			s->v[s->n++] = p;
			return;
		}
		if (s->cap < WPTRSET_SMALL) {
			uint32_t ncap = s->cap * 2;
			s->v = xrealloc(s->v, ncap * sizeof(void *));
			s->cap = ncap;
			s->v[s->n++] = p;
			return;
		}
		wptrset_rehash(s, WPTRSET_SMALL * 4);
	} else if ((s->n + 1) * 2 > s->cap) {
		wptrset_rehash(s, s->cap * 2);
	}
	wptrset_hash_insert(s->v, s->cap, p);
	s->n++;
}

bool wptrset_del(struct wptrset *s, void *p)
{
	if (s->cap == 0) {
		if (s->n == 1 && (void *)s->v == p) {
			s->v = NULL;
			s->n = 0;
			return true;
		}
		return false;
	}
	if (s->cap <= WPTRSET_SMALL) {
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->v[i] == p) {
				s->v[i] = s->v[--s->n];
				s->v[s->n] = NULL;
				if (s->n == 1) {
					void *only = s->v[0];
					free(s->v);
					s->v = (void **)only;
					s->cap = 0;
				}
				return true;
			}
		}
		return false;
	}
	uint32_t mask = s->cap - 1;
	uint32_t i = (uint32_t)whash_ptr(p) & mask;
	while (s->v[i] != p) {
		if (s->v[i] == NULL)
			return false;
		i = (i + 1) & mask;
	}
	/* Backward-shift deletion. */
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (s->v[j] == NULL)
			break;
		uint32_t home = (uint32_t)whash_ptr(s->v[j]) & mask;
		/* Move v[j] into the hole at i unless its home lies in (i, j]. */
		bool in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
		if (!in_range) {
			s->v[i] = s->v[j];
			i = j;
		}
	}
	s->v[i] = NULL;
	s->n--;
	if (s->n == 0) {
		free(s->v);
		s->v = NULL;
		s->cap = 0;
	} else if (s->n * 8 < s->cap && s->cap > WPTRSET_SMALL * 4) {
		wptrset_rehash(s, s->cap / 2);
	}
	return true;
}

void wptrset_free(struct wptrset *s)
{
	if (s->cap > 0)
		free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---------------------------------------------------------------- strset */

static void wstrset_grow(struct wstrset *s)
{
	uint32_t ncap = s->cap ? s->cap * 2 : 64;
	const char **nv = xcalloc(ncap, sizeof(*nv));
	uint32_t *nh = xmalloc(ncap * sizeof(*nh));
	for (uint32_t i = 0; i < s->cap; i++) {
		if (s->v[i] == NULL)
			continue;
		uint32_t j = s->h[i] & (ncap - 1);
		while (nv[j])
			j = (j + 1) & (ncap - 1);
		nv[j] = s->v[i];
		nh[j] = s->h[i];
	}
	free(s->v);
	free(s->h);
	s->v = nv;
	s->h = nh;
	s->cap = ncap;
}

bool wstrset_add(struct wstrset *s, const char *str)
{
	if ((s->n + 1) * 2 > s->cap)
		wstrset_grow(s);
	uint32_t h = (uint32_t)whash(str, strlen(str), 7);
	uint32_t j = h & (s->cap - 1);
	while (s->v[j]) {
		if (s->h[j] == h && strcmp(s->v[j], str) == 0)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = str;
	s->h[j] = h;
	s->n++;
	return true;
}

bool wstrset_has(const struct wstrset *s, const char *str)
{
	if (s->cap == 0)
		return false;
	uint32_t h = (uint32_t)whash(str, strlen(str), 7);
	uint32_t j = h & (s->cap - 1);
	while (s->v[j]) {
		if (s->h[j] == h && strcmp(s->v[j], str) == 0)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

void wstrset_free(struct wstrset *s)
{
	free(s->v);
	free(s->h);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- text */

void w_upper(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 32);
}

static inline char w_lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

bool w_ieq(const char *a, size_t alen, const char *b)
{
	size_t i;
	for (i = 0; i < alen; i++)
		if (b[i] == '\0' || w_lc(a[i]) != w_lc(b[i]))
			return false;
	return b[i] == '\0';
}

/* Python's str.isspace() for the character starting at s (UTF-8). */
bool w_isspace_at(const char *s, size_t len, size_t *clen)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len == 0)
		return false;
	if ((u[0] >= 0x09 && u[0] <= 0x0d) || (u[0] >= 0x1c && u[0] <= 0x20)) {
		*clen = 1;
		return true;
	}
	if (len >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0)) {
		*clen = 2;
		return true;
	}
	if (len >= 3) {
		if ((u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) ||
		    (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 ||
						       u[2] == 0xa9 || u[2] == 0xaf)) ||
		    (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||
		    (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)) {
			*clen = 3;
			return true;
		}
	}
	return false;
}

void w_strip(const char **sp, size_t *lenp)
{
	const char *s = *sp;
	size_t len = *lenp, cl;

	while (len > 0 && w_isspace_at(s, len, &cl)) {
		s += cl;
		len -= cl;
	}
	for (;;) {
		if (len >= 1 && w_isspace_at(s + len - 1, 1, &cl)) {
			len -= 1;
			continue;
		}
		if (len >= 2 && w_isspace_at(s + len - 2, 2, &cl) && cl == 2) {
			len -= 2;
			continue;
		}
		if (len >= 3 && w_isspace_at(s + len - 3, 3, &cl) && cl == 3) {
			len -= 3;
			continue;
		}
		break;
	}
	*sp = s;
	*lenp = len;
}

/* Length of the valid UTF-8 sequence at s, 0 if none starts there. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (len >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (len < 3 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0)
			return (s[1] >= 0xa0 && s[1] <= 0xbf) ? 3 : 0;
		if (c == 0xed)
			return (s[1] >= 0x80 && s[1] <= 0x9f) ? 3 : 0;
		return (s[1] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (len < 4 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0)
			return (s[1] >= 0x90 && s[1] <= 0xbf) ? 4 : 0;
		if (c == 0xf4)
			return (s[1] >= 0x80 && s[1] <= 0x8f) ? 4 : 0;
		return (s[1] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void w_sanitize_utf8(const char *in, size_t len, struct wbuf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	wbuf_reserve(out, len);
	while (i < len) {
		size_t run = i;
		/* Fast path over ASCII. */
		while (run < len && s[run] < 0x80)
			run++;
		if (run > i) {
			wbuf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		size_t n = utf8_seq(s + i, len - i);
		if (n) {
			wbuf_add(out, s + i, n);
			i += n;
		} else {
			char esc[5];
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			wbuf_add(out, esc, 4);
			i++;
		}
	}
}

/*
 * IRRd masks "(CRYPT-PW|MD5-PW|BCRYPT-PW)[^\n]+" case-insensitively,
 * keeping the matched scheme name. "BCRYPT-PW" gives the same text as its
 * "CRYPT-PW" tail does, so finding the leftmost "CRYPT-PW" or "MD5-PW" that
 * has at least one more character on its line is enough.
 */
static size_t auth_token_at(const char *s, size_t left)
{
	static const char *const toks[] = { "crypt-pw", "md5-pw" };
	for (size_t t = 0; t < 2; t++) {
		size_t tl = strlen(toks[t]);
		if (left < tl)
			continue;
		size_t k;
		for (k = 0; k < tl; k++)
			if (w_lc(s[k]) != toks[t][k])
				break;
		if (k == tl)
			return tl;
	}
	return 0;
}

bool w_mask_auth(const char *in, size_t len, struct wbuf *out)
{
	static const char repl[] = " DummyValue  # Filtered for security";
	bool any = false;
	size_t copied = 0, i = 0;

	while (i + 6 <= len) {
		const char *dash = memchr(in + i, '-', len - i);
		if (dash == NULL)
			break;
		size_t d = (size_t)(dash - in);
		size_t start = 0, tl = 0;
		/* "-PW" at d: the token starts 3 (MD5) or 5 (CRYPT) before. */
		if (d + 3 <= len && w_lc(in[d + 1]) == 'p' && w_lc(in[d + 2]) == 'w') {
			if (d >= 5 && (tl = auth_token_at(in + d - 5, len - (d - 5))) == 8)
				start = d - 5;
			else if (d >= 3 && (tl = auth_token_at(in + d - 3, len - (d - 3))) == 6)
				start = d - 3;
			else
				tl = 0;
		}
		if (tl == 0 || start < copied) {
			i = d + 1;
			continue;
		}
		size_t after = start + tl;
		if (after >= len || in[after] == '\n') {
			i = d + 1;
			continue;
		}
		const char *nl = memchr(in + after, '\n', len - after);
		size_t eol = nl ? (size_t)(nl - in) : len;
		if (!any) {
			any = true;
			wbuf_reserve(out, len + 64);
		}
		wbuf_add(out, in + copied, after - copied);
		wbuf_add(out, repl, sizeof(repl) - 1);
		copied = eol;
		i = eol;
	}
	if (!any)
		return false;
	wbuf_add(out, in + copied, len - copied);
	return true;
}

/* ---------------------------------------------------------------- numbers */

static bool py_isspace(char c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
}

static int digit_val(char c, int base)
{
	int v;
	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

bool w_py_int(const char *s, size_t len, int base, bool *neg, unsigned __int128 *val, bool *overflow)
{
	size_t i = 0, end = len;
	unsigned __int128 v = 0;
	bool ovf = false, ng = false, any = false, prev_us = false;

	while (i < end && py_isspace(s[i]))
		i++;
	while (end > i && py_isspace(s[end - 1]))
		end--;
	if (i < end && (s[i] == '+' || s[i] == '-')) {
		ng = s[i] == '-';
		i++;
	}
	if (base == 16 && end - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		i += 2;
		/* One '_' may follow the base prefix. */
		if (i < end && s[i] == '_') {
			i++;
			prev_us = true;
			if (i >= end)
				return false;
		}
	}
	for (; i < end; i++) {
		if (s[i] == '_') {
			if (!any || prev_us)
				return false;
			prev_us = true;
			continue;
		}
		int d = digit_val(s[i], base);
		if (d < 0)
			return false;
		/* Compile-time bound: beyond it v * base + d may not fit. */
		static const unsigned __int128 lim10 = (~(unsigned __int128)0 - 15) / 10;
		static const unsigned __int128 lim16 = (~(unsigned __int128)0 - 15) / 16;
		if (ovf || (v > (base == 16 ? lim16 : lim10) &&
			    v > (~(unsigned __int128)0 - (unsigned)d) / (unsigned)base))
			ovf = true;
		else
			v = v * (unsigned)base + (unsigned)d;
		any = true;
		prev_us = false;
	}
	if (!any || prev_us)
		return false;
	*neg = ng && v != 0;
	*val = v;
	*overflow = ovf;
	return true;
}

/* One half of an asdot number: 0 when it parses, 1 when not, 2 when above
 * 65535; *val is signed (Python's int() takes "-5"), *huge_neg set when
 * it is so negative that the sum can only be out of range. */
static int asdot_half(const char *s, size_t len, int64_t *val, bool *huge_neg)
{
	bool neg, ovf;
	unsigned __int128 v;

	if (!w_py_int(s, len, 10, &neg, &v, &ovf))
		return 1;
	if (!neg)
		return ovf || v > 65535 ? 2 : (*val = (int64_t)v, 0);
	if (ovf || v > ((unsigned __int128)1 << 40))
		*huge_neg = true;
	else
		*val = -(int64_t)v;
	return 0;
}

/* IRRd's asdot form "ASx.y" (compatibility.asdot_queries); the error
 * texts are IRRd's. */
static const char *parse_asdot(const char *s, size_t len, uint32_t *asn)
{
	const char *dot = memchr(s, '.', len);
	size_t hl = (size_t)(dot - s);
	int64_t high = 0, low = 0;
	bool huge_neg = false;

	if (memchr(dot + 1, '.', len - hl - 1))
		return "number is not valid asdot format";
	int hr = asdot_half(s, hl, &high, &huge_neg);
	if (hr == 1)
		return "high order value missing or invalid";
	int lr = asdot_half(dot + 1, len - hl - 1, &low, &huge_neg);
	if (lr == 1)
		return "low order value missing or invalid";
	if (hr == 2)
		return "high order value out of range";
	if (lr == 2)
		return "low order value out of range";
	int64_t v = high * 65536 + low;
	if (huge_neg || v < 0 || v > 4294967295)
		return "valid range is 0-4294967295";
	*asn = (uint32_t)v;
	return NULL;
}

bool w_parse_as_number(const char *s, size_t len, uint32_t *asn, struct wbuf *err)
{
	return w_parse_as_query(s, len, false, asn, err);
}

bool w_parse_as_query(const char *s, size_t len, bool asdot, uint32_t *asn, struct wbuf *err)
{
	const char *why;
	bool neg, ovf;
	unsigned __int128 v;

	if (len < 2 || w_lc(s[0]) != 'a' || w_lc(s[1]) != 's')
		why = "must start with \"AS\"";
	else if (asdot && memchr(s + 2, '.', len - 2) != NULL) {
		if ((why = parse_asdot(s + 2, len - 2, asn)) == NULL)
			return true;
	} else if (!w_py_int(s + 2, len - 2, 10, &neg, &v, &ovf))
		why = "number part is not numeric";
	else if (neg || ovf || v > 4294967295u)
		why = "valid range is 0-4294967295";
	else {
		*asn = (uint32_t)v;
		return true;
	}
	if (err != NULL) {
		char *up = xstrndup(s, len);
		w_upper(up, len);
		wbuf_printf(err, "Invalid AS number %s: %s", up, why);
		free(up);
	}
	return false;
}

/* ---------------------------------------------------------------- IPy */

typedef unsigned __int128 u128;
#define MAX_V4 ((u128)0xffffffffu)

static bool ipy_parse_address(const char *s, size_t len, u128 *val, int *ver);

static bool ipy_parse_v6(const char *s, size_t len, u128 *val)
{
	/* items: start/length of each hextet text */
	size_t istart[64], ilen[64];
	size_t nitems = 0, index = 0;
	long fill_pos = -1;

	while (index < len) {
		const char *text = s + index;
		size_t tl = len - index;
		if (tl >= 2 && text[0] == ':' && text[1] == ':') {
			if (fill_pos >= 0)
				return false;
			fill_pos = (long)nitems;
			index += 2;
			continue;
		}
		const char *colon = memchr(text, ':', tl);
		if (colon == text)
			return false;
		if (nitems >= 64)
			return false;
		if (colon) {
			size_t pos = (size_t)(colon - text);
			istart[nitems] = index;
			ilen[nitems++] = pos;
			if (pos + 1 < tl && text[pos + 1] == ':')
				index += pos;
			else
				index += pos + 1;
			if (index == len)
				return false;
		} else {
			istart[nitems] = index;
			ilen[nitems++] = tl;
			break;
		}
	}

	uint32_t words[8];
	size_t nwords = 0;
	u128 v4tail = 0;
	bool has_v4 = false;
	if (nitems > 0 && memchr(s + istart[nitems - 1], '.', ilen[nitems - 1])) {
		if (fill_pos >= 0 && !(fill_pos <= (long)nitems - 1))
			return false;
		int ver;
		if (!ipy_parse_address(s + istart[nitems - 1], ilen[nitems - 1], &v4tail, &ver))
			return false;
		has_v4 = true;
		nitems--;
	}
	size_t total = nitems + (has_v4 ? 2 : 0);
	if (fill_pos >= 0) {
		if (total >= 8)
			return false;
	} else if (total != 8) {
		return false;
	}
	size_t fill = fill_pos >= 0 ? 8 - total : 0;
	for (size_t k = 0; k < nitems; k++) {
		if (fill_pos >= 0 && (long)k == fill_pos)
			for (size_t z = 0; z < fill; z++)
				words[nwords++] = 0;
		bool neg, ovf;
		u128 hv;
		if (!w_py_int(s + istart[k], ilen[k], 16, &neg, &hv, &ovf) || neg || ovf || hv > 0xffff)
			return false;
		words[nwords++] = (uint32_t)hv;
	}
	if (fill_pos >= 0 && (size_t)fill_pos >= nitems)
		for (size_t z = 0; z < fill; z++)
			words[nwords++] = 0;
	if (has_v4) {
		/* "%04x" of a value above 16 bits would make a wider hextet,
		 * which int(x, 16) then rejects as > 0xffff. */
		if (v4tail > MAX_V4)
			return false;
		words[nwords++] = (uint32_t)(v4tail >> 16);
		words[nwords++] = (uint32_t)(v4tail & 0xffff);
	}
	if (nwords != 8)
		return false;
	u128 v = 0;
	for (size_t k = 0; k < 8; k++)
		v = (v << 16) | words[k];
	*val = v;
	return true;
}

static bool ipy_parse_address(const char *s, size_t len, u128 *val, int *ver)
{
	bool hneg = false, hovf = false, ineg = false, iovf = false;
	u128 hexval = 0, intval = 0;
	bool has_hex = w_py_int(s, len, 16, &hneg, &hexval, &hovf);
	bool has_int = w_py_int(s, len, 10, &ineg, &intval, &iovf);

	if (len >= 2 && s[0] == '0' && s[1] == 'x' && has_hex) {
		if (hneg || hovf)
			return false;
		*val = hexval;
		*ver = hexval <= MAX_V4 ? 4 : 6;
		return true;
	}
	if (memchr(s, ':', len)) {
		*ver = 6;
		return ipy_parse_v6(s, len, val);
	}
	if (len == 32 && has_hex) {
		if (hneg || hovf)
			return false;
		*val = hexval;
		*ver = 6;
		return true;
	}
	if (memchr(s, '.', len) || (has_int && (ineg || (!iovf && intval < 256)))) {
		u128 bytes[4] = { 0, 0, 0, 0 };
		size_t nb = 0, start = 0;
		for (size_t k = 0; k <= len; k++) {
			if (k < len && s[k] != '.')
				continue;
			if (nb >= 4)
				return false;
			bool neg, ovf;
			u128 b;
			if (!w_py_int(s + start, k - start, 10, &neg, &b, &ovf) || neg || ovf || b > 255)
				return false;
			bytes[nb++] = b;
			start = k + 1;
		}
		*val = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
		*ver = 4;
		return true;
	}
	if (has_int) {
		if (ineg || iovf)
			return false;
		*val = intval;
		*ver = intval <= MAX_V4 ? 4 : 6;
		return true;
	}
	return false;
}

static unsigned bit_length(u128 v)
{
	unsigned n = 0;
	while (v) {
		v >>= 1;
		n++;
	}
	return n;
}

static unsigned trailing_zeros(u128 v)
{
	unsigned n = 0;
	if (v == 0)
		return 0;
	while ((v & 1) == 0) {
		v >>= 1;
		n++;
	}
	return n;
}

static bool ipy_net_ok(u128 ip, long plen, unsigned bits)
{
	if (plen < 0 || plen > (long)bits)
		return false;
	if (plen == 0)
		return ip == 0;
	u128 mask = (plen == 128) ? ~(u128)0 : ((((u128)1 << plen) - 1) << (bits - (unsigned)plen));
	return (ip & mask) == ip;
}

bool w_ipy_parse(const char *s, size_t len, struct wprefix *out)
{
	const char *dash = memchr(s, '-', len);
	u128 ip;
	int ver;
	long plen = -1;
	unsigned netbits = 0;

	if (dash) {
		if (memchr(dash + 1, '-', len - (size_t)(dash - s) - 1))
			return false;
		size_t l1 = (size_t)(dash - s), l2 = len - l1 - 1;
		u128 last;
		int lver;
		if (!ipy_parse_address(s, l1, &ip, &ver) || ver != 4)
			return false;
		if (!ipy_parse_address(dash + 1, l2, &last, &lver) || lver != 4)
			return false;
		if (last < ip)
			return false;
		netbits = bit_length(last - ip);
		/* IP("first/(32-netbits)") must be valid and end at last. */
		if (!ipy_net_ok(ip, 32 - (long)netbits, 32))
			return false;
		u128 bcast = ip + (((u128)1 << netbits) - 1);
		if (bcast != last)
			return false;
		plen = 32 - (long)netbits;
		if (ip > MAX_V4)
			return false;
	} else {
		const char *slash = memchr(s, '/', len);
		size_t iplen = len;
		if (slash) {
			if (memchr(slash + 1, '/', len - (size_t)(slash - s) - 1))
				return false;
			iplen = (size_t)(slash - s);
			const char *pl = slash + 1;
			size_t pll = len - iplen - 1;
			if (memchr(pl, '.', pll)) {
				u128 nm;
				int nver;
				if (!ipy_parse_address(pl, pll, &nm, &nver) || nver != 4)
					return false;
				unsigned nl = trailing_zeros(nm), ml = bit_length(nm);
				u128 rest = nm >> nl;
				for (unsigned k = nl; k < ml; k++, rest >>= 1)
					if ((rest & 1) == 0)
						return false;
				plen = (long)ml - (long)nl;
			} else {
				bool neg, ovf;
				u128 v;
				if (!w_py_int(pl, pll, 10, &neg, &v, &ovf))
					return false;
				if (neg || ovf || v > 128)
					return false;
				plen = (long)v;
			}
		}
		if (!ipy_parse_address(s, iplen, &ip, &ver))
			return false;
	}
	unsigned bits = ver == 4 ? 32 : 128;
	if (plen == -1)
		plen = (long)(bits - netbits);
	if (!ipy_net_ok(ip, plen, bits))
		return false;

	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)ver;
	out->len = (uint8_t)plen;
	if (ver == 4) {
		uint32_t v4 = (uint32_t)ip;
		out->a[0] = (uint8_t)(v4 >> 24);
		out->a[1] = (uint8_t)(v4 >> 16);
		out->a[2] = (uint8_t)(v4 >> 8);
		out->a[3] = (uint8_t)v4;
	} else {
		for (int k = 15; k >= 0; k--) {
			out->a[k] = (uint8_t)(ip & 0xff);
			ip >>= 8;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- formatting */

size_t wfmt_u8(unsigned v, char *p)
{
	if (v >= 100) {
		p[0] = (char)('0' + v / 100);
		p[1] = (char)('0' + (v / 10) % 10);
		p[2] = (char)('0' + v % 10);
		return 3;
	}
	if (v >= 10) {
		p[0] = (char)('0' + v / 10);
		p[1] = (char)('0' + v % 10);
		return 2;
	}
	p[0] = (char)('0' + v);
	return 1;
}

size_t waddr_format(uint8_t family, const uint8_t *a, char *buf)
{
	char *p = buf;
	static const char hex[] = "0123456789abcdef";

	if (family == 4) {
		for (int k = 0; k < 4; k++) {
			if (k)
				*p++ = '.';
			p += wfmt_u8(a[k], p);
		}
		*p = '\0';
		return (size_t)(p - buf);
	}
	unsigned w[8];
	for (int k = 0; k < 8; k++)
		w[k] = ((unsigned)a[2 * k] << 8) | a[2 * k + 1];
	/* RFC 5952: the longest run (first on a tie) of two or more zero words. */
	int best = -1, bestlen = 0;
	for (int k = 0; k < 8;) {
		if (w[k] != 0) {
			k++;
			continue;
		}
		int j = k;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - k > bestlen) {
			best = k;
			bestlen = j - k;
		}
		k = j;
	}
	if (bestlen < 2)
		best = -1;
	for (int k = 0; k < 8; k++) {
		if (k == best) {
			*p++ = ':';
			*p++ = ':';
			k += bestlen - 1;
			continue;
		}
		if (k > 0 && !(best >= 0 && k == best + bestlen))
			*p++ = ':';
		unsigned v = w[k];
		bool started = false;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (v >> sh) & 0xf;
			if (d || started || sh == 0) {
				*p++ = hex[d];
				started = true;
			}
		}
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t wprefix_format(uint8_t family, const uint8_t *a, uint8_t len, char *buf)
{
	size_t n = waddr_format(family, a, buf);
	buf[n++] = '/';
	n += wfmt_u8(len, buf + n);
	buf[n] = '\0';
	return n;
}
