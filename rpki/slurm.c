/*
 * slurm.c - SLURM files (RFC 8416): local filters on and additions to the
 * validated ROA payload. IRRd applies prefixFilters and prefixAssertions and
 * ignores the BGPsec parts; we parse and check those too and keep them for
 * RTR, which serves router keys.
 *
 * Strictness: slurmVersion must be 1; a member of the wrong type or with a
 * malformed value is an error naming its path; members RFC 8416 requires
 * may be absent (IRRd reads them with defaults, and real files omit empty
 * lists); unknown members are ignored (IRRd ignores them; real files such as
 * DN42's carry "source" and "mnt-by" in assertions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/roa_int.h"

struct sctx {
	struct jrd j;
	struct roa_errs e;
	struct roa_errs w;
	struct slurm *s;
	size_t cap_pf, cap_bf, cap_pa, cap_ba;
};

/* "path.member", truncated to size (paths here are short). */
static void mkpath(char *out, size_t size, const char *path, const char *m, size_t mlen)
{
	size_t n = strlen(path);

	if (n > size - 2)
		n = size - 2;
	memcpy(out, path, n);
	out[n++] = '.';
	if (mlen > size - 1 - n)
		mlen = size - 1 - n;
	memcpy(out + n, m, mlen);
	out[n + mlen] = '\0';
}

static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	v = xrealloc(v, *cap * size);
	memset((char *)v + n * size, 0, (*cap - n) * size);
	return v;
}

/* Skip a value of the wrong type after reporting it. */
static void wrong_type(struct sctx *c, const char *path, const char *what)
{
	roa_errs_add(&c->e, "%s: must be %s", path, what);
	jrd_skip(&c->j);
}

static int get_asn(struct sctx *c, const char *path, uint32_t *out)
{
	struct jrd_num n;

	if (jrd_peek(&c->j) != JRD_NUMBER) {
		if (!jrd_failed(&c->j))
			wrong_type(c, path, "a number (an AS number)");
		return -1;
	}
	if (jrd_number(&c->j, &n) < 0)
		return -1;
	if (!n.is_uint || n.u > UINT32_MAX) {
		roa_errs_add(&c->e, "%s: invalid AS number %.*s (must be 0..4294967295)", path,
			     (int)(n.len > 40 ? 40 : n.len), n.text);
		return -1;
	}
	*out = (uint32_t)n.u;
	return 0;
}

static int get_prefix(struct sctx *c, const char *path, struct ip_prefix *out)
{
	const char *s, *why;
	size_t len;

	if (jrd_peek(&c->j) != JRD_STRING) {
		if (!jrd_failed(&c->j))
			wrong_type(c, path, "a string (a prefix)");
		return -1;
	}
	if (jrd_string(&c->j, &s, &len) < 0)
		return -1;
	if (roa_prefix_parse(s, len, out, &why) < 0) {
		char sh[64];
		size_t n = len < 40 ? len : 40;

		for (size_t i = 0; i < n; i++)
			sh[i] = ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) ? s[i] : '?';
		sh[n] = '\0';
		roa_errs_add(&c->e, "%s: invalid prefix \"%s%s\": %s", path, sh, len > n ? "..." : "", why);
		return -1;
	}
	return 0;
}

static int get_string(struct sctx *c, const char *path, char **out)
{
	const char *s;
	size_t len;

	if (jrd_peek(&c->j) != JRD_STRING) {
		if (!jrd_failed(&c->j))
			wrong_type(c, path, "a string");
		return -1;
	}
	if (jrd_string(&c->j, &s, &len) < 0)
		return -1;
	free(*out);
	*out = xstrndup(s, len);
	return 0;
}

/* Member bookkeeping for one object: duplicates are errors. */
static bool first_time(struct sctx *c, unsigned *seen, unsigned bit, const char *path)
{
	if (*seen & bit) {
		roa_errs_add(&c->e, "%s: duplicate member", path);
		jrd_skip(&c->j);
		return false;
	}
	*seen |= bit;
	return true;
}

enum { M_PREFIX = 1, M_ASN = 2, M_COMMENT = 4, M_MAXLEN = 8, M_SKI = 16, M_KEY = 32 };

static unsigned member_bit(const char *k, size_t kl)
{
	if (key_is(k, kl, "prefix"))
		return M_PREFIX;
	if (key_is(k, kl, "asn"))
		return M_ASN;
	if (key_is(k, kl, "comment"))
		return M_COMMENT;
	if (key_is(k, kl, "maxPrefixLength"))
		return M_MAXLEN;
	if (key_is(k, kl, "SKI"))
		return M_SKI;
	if (key_is(k, kl, "routerPublicKey"))
		return M_KEY;
	return 0;
}

static void check_ski(struct sctx *c, const char *path, const char *text, uint8_t ski[20], bool *ok)
{
	size_t len = strlen(text);
	uint8_t *tmp = xmalloc(len + 4);
	long n = roa_base64_decode(text, len, tmp);

	*ok = n == 20;
	if (*ok)
		memcpy(ski, tmp, 20);
	else
		roa_errs_add(&c->w, "%s: not the base64 of a 20-byte key identifier; not used", path);
	free(tmp);
}

static void item_prefix_filter(struct sctx *c, const char *path)
{
	struct slurm *s = c->s;
	struct slurm_prefix_filter *f;
	unsigned seen = 0;
	const char *k;
	size_t kl;
	int r;
	char mp[160];

	s->prefix_filters = grow(s->prefix_filters, s->nprefix_filters, &c->cap_pf, sizeof(*f));
	f = &s->prefix_filters[s->nprefix_filters++];
	jrd_object_begin(&c->j);
	while ((r = jrd_object_next(&c->j, &k, &kl)) == 1) {
		unsigned bit = member_bit(k, kl);

		mkpath(mp, sizeof(mp), path, k, kl);
		if (bit != M_PREFIX && bit != M_ASN && bit != M_COMMENT) {
			jrd_skip(&c->j);
			continue;
		}
		if (!first_time(c, &seen, bit, mp))
			continue;
		if (bit == M_PREFIX)
			f->has_prefix = get_prefix(c, mp, &f->prefix) == 0;
		else if (bit == M_ASN)
			f->has_asn = get_asn(c, mp, &f->asn) == 0;
		else
			get_string(c, mp, &f->comment);
	}
	if (r == 0 && !(seen & (M_PREFIX | M_ASN)))
		roa_errs_add(&c->e, "%s: must have a prefix or an asn (RFC 8416 section 3.3.1)", path);
}

static void item_bgpsec_filter(struct sctx *c, const char *path)
{
	struct slurm *s = c->s;
	struct slurm_bgpsec_filter *f;
	unsigned seen = 0;
	const char *k;
	size_t kl;
	int r;
	char mp[160];

	s->bgpsec_filters = grow(s->bgpsec_filters, s->nbgpsec_filters, &c->cap_bf, sizeof(*f));
	f = &s->bgpsec_filters[s->nbgpsec_filters++];
	jrd_object_begin(&c->j);
	while ((r = jrd_object_next(&c->j, &k, &kl)) == 1) {
		unsigned bit = member_bit(k, kl);

		mkpath(mp, sizeof(mp), path, k, kl);
		if (bit != M_SKI && bit != M_ASN && bit != M_COMMENT) {
			jrd_skip(&c->j);
			continue;
		}
		if (!first_time(c, &seen, bit, mp))
			continue;
		if (bit == M_SKI) {
			if (get_string(c, mp, &f->ski_text) == 0) {
				f->has_ski = true;
				check_ski(c, mp, f->ski_text, f->ski, &f->ski_ok);
			}
		} else if (bit == M_ASN) {
			f->has_asn = get_asn(c, mp, &f->asn) == 0;
		} else {
			get_string(c, mp, &f->comment);
		}
	}
	if (r == 0 && !(seen & (M_SKI | M_ASN)))
		roa_errs_add(&c->e, "%s: must have an asn or a SKI (RFC 8416 section 3.3.2)", path);
}

static void item_prefix_assertion(struct sctx *c, const char *path)
{
	struct slurm *s = c->s;
	struct slurm_prefix_assertion *a;
	unsigned seen = 0, bad = 0;
	struct jrd_num n = { 0 };
	const char *k;
	size_t kl;
	int r;
	char mp[160];

	s->prefix_assertions = grow(s->prefix_assertions, s->nprefix_assertions, &c->cap_pa, sizeof(*a));
	a = &s->prefix_assertions[s->nprefix_assertions++];
	jrd_object_begin(&c->j);
	while ((r = jrd_object_next(&c->j, &k, &kl)) == 1) {
		unsigned bit = member_bit(k, kl);

		mkpath(mp, sizeof(mp), path, k, kl);
		if (bit != M_PREFIX && bit != M_ASN && bit != M_COMMENT && bit != M_MAXLEN) {
			jrd_skip(&c->j);
			continue;
		}
		if (!first_time(c, &seen, bit, mp))
			continue;
		if (bit == M_PREFIX) {
			if (get_prefix(c, mp, &a->prefix) < 0)
				bad |= bit;
		} else if (bit == M_ASN) {
			if (get_asn(c, mp, &a->asn) < 0)
				bad |= bit;
		} else if (bit == M_MAXLEN) {
			if (jrd_peek(&c->j) != JRD_NUMBER) {
				if (!jrd_failed(&c->j))
					wrong_type(c, mp, "an integer");
				bad |= bit;
			} else if (jrd_number(&c->j, &n) == 0 && !n.is_uint) {
				roa_errs_add(&c->e, "%s: must be an integer", mp);
				bad |= bit;
			}
		} else {
			get_string(c, mp, &a->comment);
		}
	}
	if (r != 0)
		return;
	if (!(seen & M_PREFIX))
		roa_errs_add(&c->e, "%s.prefix: missing", path);
	if (!(seen & M_ASN))
		roa_errs_add(&c->e, "%s.asn: missing", path);
	if ((seen & M_PREFIX) && !(bad & M_PREFIX)) {
		unsigned max = ip_maxlen(a->prefix.family);

		a->maxlen = a->prefix.len;
		if ((seen & M_MAXLEN) && !(bad & M_MAXLEN)) {
			if (n.u < a->prefix.len || n.u > max)
				roa_errs_add(&c->e, "%s.maxPrefixLength: must be between %u and %u", path,
					     a->prefix.len, max);
			else
				a->maxlen = (uint8_t)n.u;
			a->has_maxlen = true;
		}
	}
}

static void item_bgpsec_assertion(struct sctx *c, const char *path)
{
	struct slurm *s = c->s;
	struct slurm_bgpsec_assertion *a;
	unsigned seen = 0;
	const char *k;
	size_t kl;
	int r;
	char mp[160];
	bool ski_ok = false;

	s->bgpsec_assertions = grow(s->bgpsec_assertions, s->nbgpsec_assertions, &c->cap_ba, sizeof(*a));
	a = &s->bgpsec_assertions[s->nbgpsec_assertions++];
	jrd_object_begin(&c->j);
	while ((r = jrd_object_next(&c->j, &k, &kl)) == 1) {
		unsigned bit = member_bit(k, kl);

		mkpath(mp, sizeof(mp), path, k, kl);
		if (bit != M_SKI && bit != M_ASN && bit != M_COMMENT && bit != M_KEY) {
			jrd_skip(&c->j);
			continue;
		}
		if (!first_time(c, &seen, bit, mp))
			continue;
		if (bit == M_SKI) {
			if (get_string(c, mp, &a->ski_text) == 0)
				check_ski(c, mp, a->ski_text, a->ski, &ski_ok);
		} else if (bit == M_KEY) {
			if (get_string(c, mp, &a->key_text) == 0) {
				size_t len = strlen(a->key_text);
				long dn;

				free(a->spki);
				a->spki = xmalloc(len + 4);
				dn = roa_base64_decode(a->key_text, len, a->spki);
				if (dn <= 0) {
					roa_errs_add(&c->w, "%s: not base64; not used", mp);
					free(a->spki);
					a->spki = NULL;
				} else {
					a->spki_len = (size_t)dn;
				}
			}
		} else if (bit == M_ASN) {
			get_asn(c, mp, &a->asn);
		} else {
			get_string(c, mp, &a->comment);
		}
	}
	if (r != 0)
		return;
	if (!(seen & M_ASN))
		roa_errs_add(&c->e, "%s.asn: missing", path);
	if (!(seen & M_SKI))
		roa_errs_add(&c->e, "%s.SKI: missing", path);
	if (!(seen & M_KEY))
		roa_errs_add(&c->e, "%s.routerPublicKey: missing", path);
	a->ok = ski_ok && a->spki != NULL;
}

enum { K_PREFIX_FILTER, K_BGPSEC_FILTER, K_PREFIX_ASSERTION, K_BGPSEC_ASSERTION };

static void parse_items(struct sctx *c, const char *path, int kind)
{
	size_t idx = 0;
	char ip[128];

	if (jrd_peek(&c->j) != JRD_ARRAY) {
		if (!jrd_failed(&c->j))
			wrong_type(c, path, "an array");
		return;
	}
	jrd_array_begin(&c->j);
	while (jrd_array_next(&c->j) == 1) {
		if (snprintf(ip, sizeof(ip), "%.100s[%zu]", path, idx++) < 0)
			ip[0] = '\0';
		if (jrd_peek(&c->j) != JRD_OBJECT) {
			if (jrd_failed(&c->j))
				return;
			wrong_type(c, ip, "an object");
			continue;
		}
		switch (kind) {
		case K_PREFIX_FILTER: item_prefix_filter(c, ip); break;
		case K_BGPSEC_FILTER: item_bgpsec_filter(c, ip); break;
		case K_PREFIX_ASSERTION: item_prefix_assertion(c, ip); break;
		default: item_bgpsec_assertion(c, ip); break;
		}
		if (jrd_failed(&c->j))
			return;
	}
}

/* validationOutputFilters or locallyAddedAssertions */
static void parse_section(struct sctx *c, const char *path, const char *m1, int k1,
			  const char *m2, int k2)
{
	bool seen1 = false, seen2 = false;
	const char *k;
	size_t kl;
	char mp[160];

	if (jrd_peek(&c->j) != JRD_OBJECT) {
		if (!jrd_failed(&c->j))
			wrong_type(c, path, "an object");
		return;
	}
	jrd_object_begin(&c->j);
	while (jrd_object_next(&c->j, &k, &kl) == 1) {
		bool is1 = key_is(k, kl, m1), is2 = key_is(k, kl, m2);

		if (!is1 && !is2) {
			jrd_skip(&c->j);
			continue;
		}
		mkpath(mp, sizeof(mp), path, is1 ? m1 : m2, strlen(is1 ? m1 : m2));
		if ((is1 && seen1) || (is2 && seen2)) {
			roa_errs_add(&c->e, "%s: duplicate member", mp);
			jrd_skip(&c->j);
			continue;
		}
		if (is1)
			seen1 = true;
		else
			seen2 = true;
		parse_items(c, mp, is1 ? k1 : k2);
		if (jrd_failed(&c->j))
			return;
	}
}

void slurm_free(struct slurm *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nprefix_filters; i++)
		free(s->prefix_filters[i].comment);
	for (size_t i = 0; i < s->nbgpsec_filters; i++) {
		free(s->bgpsec_filters[i].ski_text);
		free(s->bgpsec_filters[i].comment);
	}
	for (size_t i = 0; i < s->nprefix_assertions; i++)
		free(s->prefix_assertions[i].comment);
	for (size_t i = 0; i < s->nbgpsec_assertions; i++) {
		free(s->bgpsec_assertions[i].ski_text);
		free(s->bgpsec_assertions[i].key_text);
		free(s->bgpsec_assertions[i].spki);
		free(s->bgpsec_assertions[i].comment);
	}
	free(s->prefix_filters);
	free(s->bgpsec_filters);
	free(s->prefix_assertions);
	free(s->bgpsec_assertions);
	free(s->warnings);
	free(s);
}

struct slurm *slurm_parse(const char *buf, size_t len, const char *name, char **errmsg)
{
	struct sctx c;
	unsigned seen = 0;
	const char *k;
	size_t kl;
	int r;

	memset(&c, 0, sizeof(c));
	c.e.name = c.w.name = name ? name : "slurm";
	c.s = xcalloc(1, sizeof(*c.s));
	*errmsg = NULL;
	jrd_init(&c.j, buf, len);
	if (jrd_peek(&c.j) != JRD_OBJECT) {
		if (!jrd_failed(&c.j))
			roa_errs_add(&c.e, "not a JSON object");
		goto out;
	}
	jrd_object_begin(&c.j);
	while ((r = jrd_object_next(&c.j, &k, &kl)) == 1) {
		unsigned bit = key_is(k, kl, "slurmVersion") ? 1 :
			       key_is(k, kl, "validationOutputFilters") ? 2 :
			       key_is(k, kl, "locallyAddedAssertions") ? 4 : 0;

		if (bit == 0) {
			jrd_skip(&c.j);
		} else if (seen & bit) {
			roa_errs_add(&c.e, "%.*s: duplicate member", (int)kl, k);
			jrd_skip(&c.j);
		} else if (bit == 1) {
			struct jrd_num n;

			seen |= bit;
			if (jrd_peek(&c.j) != JRD_NUMBER) {
				if (!jrd_failed(&c.j))
					wrong_type(&c, "slurmVersion", "the number 1");
			} else if (jrd_number(&c.j, &n) == 0 && (!n.is_uint || n.u != 1)) {
				roa_errs_add(&c.e, "slurmVersion: SLURM data has invalid version: %.*s",
					     (int)(n.len > 20 ? 20 : n.len), n.text);
			}
		} else if (bit == 2) {
			seen |= bit;
			parse_section(&c, "validationOutputFilters", "prefixFilters", K_PREFIX_FILTER,
				      "bgpsecFilters", K_BGPSEC_FILTER);
		} else {
			seen |= bit;
			parse_section(&c, "locallyAddedAssertions", "prefixAssertions", K_PREFIX_ASSERTION,
				      "bgpsecAssertions", K_BGPSEC_ASSERTION);
		}
		if (jrd_failed(&c.j))
			break;
	}
	if (jrd_finish(&c.j) < 0)
		goto out;
	if (!(seen & 1))
		roa_errs_add(&c.e, "slurmVersion: missing");
out:
	if (jrd_failed(&c.j)) {
		free(roa_errs_take(&c.e));
		roa_errs_add(&c.e, "invalid JSON: %s", c.j.err);
	}
	jrd_free(&c.j);
	if (c.e.count) {
		*errmsg = roa_errs_take(&c.e);
		free(roa_errs_take(&c.w));
		slurm_free(c.s);
		return NULL;
	}
	c.s->warnings = roa_errs_take(&c.w);
	return c.s;
}
