/*
 * rpsl_keycert.c - the structure of a key-cert's certif: lines, without
 * GnuPG. IRRd imports the key with gpg and regenerates method:, owner: and
 * fingerpr: from what gpg reports; here the ASCII armour (RFC 4880 section
 * 6) is decoded, its CRC-24 checked, the packets walked (section 4.2), the
 * v4 fingerprint computed (SHA-1, section 12.2) and the user IDs collected.
 * Signatures are not verified.
 */
#include "rpsl/base64.h"
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- SHA-1 (FIPS 180-4) */

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};

static uint32_t rol(uint32_t x, int k)
{
	return (x << k) | (x >> (32 - k));
}

static void sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
	for (i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void sha1_init(struct sha1 *s)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->n = 0;
}

static void sha1_update(struct sha1 *s, const unsigned char *p, size_t n)
{
	s->len += n;
	while (n > 0) {
		size_t k = 64 - s->n;
		if (k > n)
			k = n;
		memcpy(s->buf + s->n, p, k);
		s->n += k;
		p += k;
		n -= k;
		if (s->n == 64) {
			sha1_block(s, s->buf);
			s->n = 0;
		}
	}
}

static void sha1_final(struct sha1 *s, unsigned char out[20])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, lenb[8];

	sha1_update(s, &pad, 1);
	while (s->n != 56)
		sha1_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(s, lenb, 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

/* ---------------------------------------------------------------- armour */

static uint32_t crc24(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xb704ce;

	while (n--) {
		crc ^= (uint32_t)(*p++) << 16;
		for (int i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864cfb;
		}
	}
	return crc & 0xffffff;
}

/* Decode base64 text [s, s+n), ignoring whitespace; stops at '='. */
static bool trim_eq(const char *s, size_t n, const char *lit)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static bool header_line(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);

	if (colon == NULL || colon == s || colon + 1 >= s + n || colon[1] != ' ')
		return false;
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-'))
			return false;
	return true;
}

/* ---------------------------------------------------------------- packets */

struct uid {
	char *text;
	bool selfsig;		/* has a self-signature (gpg drops it otherwise) */
	bool primary;		/* its newest self-signature has the primary flag */
	uint32_t created;	/* creation time of its newest self-signature */
};

struct walk {
	struct arena *a;
	int nprimary;
	unsigned char fp[20];
	bool bad;
	bool in_subkeys;
	long cur_uid;		/* the user ID signatures now belong to, -1 none */
	struct uid *uids;
	size_t nuids, capuids;
};

static size_t subpkt_len(const unsigned char *p, size_t n, size_t *hdr)
{
	if (n < 1)
		return (size_t)-1;
	if (p[0] < 192) {
		*hdr = 1;
		return p[0];
	}
	if (p[0] < 255) {
		if (n < 2)
			return (size_t)-1;
		*hdr = 2;
		return ((size_t)(p[0] - 192) << 8) + p[1] + 192;
	}
	if (n < 5)
		return (size_t)-1;
	*hdr = 5;
	return (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
}

/* Walk a signature's subpackets: creation time (2), issuer (16), primary
 * user ID (25), issuer fingerprint (33). */
static void sig_subpackets(const unsigned char *p, size_t n, uint32_t *created, bool *primary, bool *issuer_self,
			   bool *issuer_known, const unsigned char fp[20])
{
	size_t i = 0;

	while (i < n) {
		size_t hdr, len = subpkt_len(p + i, n - i, &hdr);
		const unsigned char *d;
		unsigned type;

		if (len == (size_t)-1 || len == 0 || len > n - i - hdr)
			return;
		d = p + i + hdr;
		type = d[0] & 0x7f;
		if (type == 2 && len >= 5)
			*created = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
		else if (type == 25 && len >= 2)
			*primary = d[1] != 0;
		else if (type == 16 && len >= 9) {
			*issuer_known = true;
			*issuer_self = memcmp(d + 1, fp + 12, 8) == 0;
		} else if (type == 33 && len >= 22) {
			*issuer_known = true;
			*issuer_self = memcmp(d + 2, fp, 20) == 0;
		}
		i += hdr + len;
	}
}

/* A signature after a user ID: if it is a self-signature (certification
 * types 0x10-0x13 by the primary key), the newest one decides. */
static void uid_signature(struct walk *w, const unsigned char *p, size_t n)
{
	struct uid *u;
	uint32_t created = 0;
	bool primary = false, self = false, known = false;

	if (w->cur_uid < 0 || w->in_subkeys || w->nprimary != 1)
		return;
	u = &w->uids[w->cur_uid];
	if (n >= 19 && p[0] == 3 && p[1] == 5) {
		if (p[2] < 0x10 || p[2] > 0x13)
			return;
		created = (uint32_t)p[3] << 24 | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 8 | p[6];
		self = memcmp(p + 7, w->fp + 12, 8) == 0;
	} else if (n >= 6 && p[0] == 4) {
		size_t hl = (size_t)p[4] << 8 | p[5], ul;

		if (p[1] < 0x10 || p[1] > 0x13 || 6 + hl + 2 > n)
			return;
		sig_subpackets(p + 6, hl, &created, &primary, &self, &known, w->fp);
		ul = (size_t)p[6 + hl] << 8 | p[7 + hl];
		if (8 + hl + ul <= n) {
			bool p2 = false;
			uint32_t c2 = 0;
			sig_subpackets(p + 8 + hl, ul, &c2, &p2, &self, &known, w->fp);
		}
	} else {
		return;
	}
	if (!self)
		return;
	if (!u->selfsig || created >= u->created) {
		u->selfsig = true;
		u->created = created;
		u->primary = primary;
	}
}

static void walk_packets(struct walk *w, const unsigned char *p, size_t n)
{
	size_t i = 0;
	bool after_primary = false;

	while (i < n) {
		unsigned char c = p[i++];
		unsigned tag;
		size_t len;

		if (!(c & 0x80)) {
			w->bad = true;
			return;
		}
		if (c & 0x40) {
			unsigned char o1;
			tag = c & 0x3f;
			if (i >= n)
				goto trunc;
			o1 = p[i++];
			if (o1 < 192) {
				len = o1;
			} else if (o1 < 224) {
				if (i >= n)
					goto trunc;
				len = ((size_t)(o1 - 192) << 8) + p[i++] + 192;
			} else if (o1 == 255) {
				if (i + 4 > n)
					goto trunc;
				len = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
				i += 4;
			} else {
				/* partial body lengths never occur in key material */
				w->bad = true;
				return;
			}
		} else {
			unsigned lt = c & 3;
			tag = (c >> 2) & 0x0f;
			if (lt == 0) {
				if (i >= n)
					goto trunc;
				len = p[i++];
			} else if (lt == 1) {
				if (i + 2 > n)
					goto trunc;
				len = (size_t)p[i] << 8 | p[i + 1];
				i += 2;
			} else if (lt == 2) {
				if (i + 4 > n)
					goto trunc;
				len = (size_t)p[i] << 24 | (size_t)p[i + 1] << 16 | (size_t)p[i + 2] << 8 | p[i + 3];
				i += 4;
			} else {
				len = n - i;
			}
		}
		if (len > n - i)
			goto trunc;
		if (tag == 6) {
			/* public key: v4 fingerprint = SHA-1(0x99, length, body) */
			struct sha1 s;
			unsigned char hdr[3];

			w->nprimary++;
			after_primary = true;
			if (len < 6 || p[i] != 4 || len > 0xffff) {
				w->bad = true;
				return;
			}
			hdr[0] = 0x99;
			hdr[1] = (unsigned char)(len >> 8);
			hdr[2] = (unsigned char)len;
			sha1_init(&s);
			sha1_update(&s, hdr, 3);
			sha1_update(&s, p + i, len);
			sha1_final(&s, w->fp);
		} else if (tag == 13 && after_primary && w->nprimary == 1 && !w->in_subkeys) {
			if (w->nuids == w->capuids) {
				size_t nc = w->capuids ? 2 * w->capuids : 8;
				struct uid *nu = arena_alloc(w->a, nc * sizeof(*nu));
				if (w->nuids)
					memcpy(nu, w->uids, w->nuids * sizeof(*nu));
				w->uids = nu;
				w->capuids = nc;
			}
			memset(&w->uids[w->nuids], 0, sizeof(w->uids[0]));
			w->uids[w->nuids].text = arena_strndup(w->a, (const char *)p + i, len);
			w->cur_uid = (long)w->nuids++;
		} else if (tag == 2) {
			uid_signature(w, p + i, len);
		} else if (tag == 14) {
			w->in_subkeys = true;
			w->cur_uid = -1;
		} else if (tag == 17) {
			/* a user attribute (photo): its signatures are not a uid's */
			w->cur_uid = -1;
		} else if (tag == 5 || tag == 7) {
			/* secret keys are not accepted in a key-cert */
			w->bad = true;
			return;
		}
		i += len;
	}
	return;
trunc:
	w->bad = true;
}

static int uid_cmp(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return memcmp(x, y, lx);
}

bool keycert_parse(struct arena *a, const char *text, size_t n, struct keycert_info *out, const char **err)
{
	const char *p = text, *e = text + n;
	struct walk w;
	int blocks = 0;

	memset(&w, 0, sizeof(w));
	w.a = a;
	w.cur_uid = -1;
	*err = NULL;
	memset(out, 0, sizeof(*out));
	while (p < e) {
		const char *le = memchr(p, '\n', (size_t)(e - p));
		const char *body, *crc_line = NULL;
		size_t ll;

		if (le == NULL)
			le = e;
		ll = (size_t)(le - p);
		if (!trim_eq(p, ll, "-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
			p = le + 1;
			continue;
		}
		/* armour headers, then base64 up to an optional "=XXXX" and END */
		p = le + 1;
		while (p < e) {
			le = memchr(p, '\n', (size_t)(e - p));
			if (le == NULL)
				le = e;
			if (!header_line(p, (size_t)(le - p)))
				break;
			p = le + 1;
		}
		body = p;
		for (;;) {
			if (p >= e)
				return false;	/* no END line */
			le = memchr(p, '\n', (size_t)(e - p));
			if (le == NULL)
				le = e;
			ll = (size_t)(le - p);
			if (trim_eq(p, ll, "-----END PGP PUBLIC KEY BLOCK-----"))
				break;
			if (ll > 0 && p[0] == '=')
				crc_line = p;
			p = le + 1;
		}
		{
			size_t blen = (size_t)((crc_line ? crc_line : p) - body);
			unsigned char *bin = arena_alloc(a, blen + 1);
			ssize_t decoded = base64_decode(body, blen, bin, BASE64_STOP_AT_PAD);

			if (decoded <= 0)
				return false;
			size_t bn = (size_t)decoded;
			if (crc_line != NULL) {
				unsigned char c[6];
				const char *cend = memchr(crc_line, '\n', (size_t)(e - crc_line));
				size_t cl = (size_t)((cend ? cend : e) - crc_line);

				while (cl > 1 && (crc_line[cl - 1] == ' ' || crc_line[cl - 1] == '\t' || crc_line[cl - 1] == '\r'))
					cl--;
				if (cl != 5 || base64_decode(crc_line + 1, 4, c, BASE64_STOP_AT_PAD) != 3)
					return false;
				if (((uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2]) != crc24(bin, bn))
					return false;
			}
			walk_packets(&w, bin, bn);
			if (w.bad)
				return false;
		}
		blocks++;
		p = le + 1;
	}
	if (blocks == 0 || w.nprimary != 1)
		return false;
	/* gpg drops user IDs without a self-signature and lists the primary
	 * one first: of those flagged primary, else of all, the one with the
	 * newest self-signature; on equal times the longer, then the
	 * bytewise greater user ID (GnuPG's cmp_user_ids). */
	{
		long best = -1;
		size_t k = 0;

		out->uids = arena_alloc(a, (w.nuids + 1) * sizeof(char *));
		for (size_t i = 0; i < w.nuids; i++) {
			const struct uid *u = &w.uids[i], *b;

			if (!u->selfsig)
				continue;
			if (best < 0) {
				best = (long)i;
				continue;
			}
			b = &w.uids[best];
			if (u->primary != b->primary) {
				if (u->primary)
					best = (long)i;
				continue;
			}
			if (u->created > b->created || (u->created == b->created && uid_cmp(u->text, b->text) > 0))
				best = (long)i;
		}
		if (best < 0)
			return false;
		out->uids[k++] = w.uids[best].text;
		for (size_t i = 0; i < w.nuids; i++)
			if (w.uids[i].selfsig && (long)i != best)
				out->uids[k++] = w.uids[i].text;
		out->nuids = k;
	}
	for (int i = 0; i < 20; i++)
		snprintf(out->fingerprint + 2 * i, 3, "%02X", w.fp[i]);
	return true;
}
