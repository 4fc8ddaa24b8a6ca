/*
 * val_der.c - a strict DER reader for the validator (see val_int.h).
 *
 * Every read checks the remaining length first; nothing is ever read past
 * the end of the buffer. Only what DER allows is accepted: low-tag-number
 * identifiers, definite lengths in the shortest form, minimal INTEGERs,
 * BOOLEANs of 0x00/0xff, BIT STRINGs with zero padding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

int der_read(const uint8_t *buf, size_t len, struct der *out)
{
	size_t n, hdr;

	memset(out, 0, sizeof(*out));
	if (len < 2)
		return -1;
	if ((buf[0] & 0x1f) == 0x1f)		/* high tag number form */
		return -1;
	if (buf[1] < 0x80) {
		n = buf[1];
		hdr = 2;
	} else {
		size_t k = buf[1] & 0x7f;
		if (k == 0 || k > sizeof(size_t) || k > 4)	/* indefinite or absurd */
			return -1;
		if (len < 2 + k)
			return -1;
		if (buf[2] == 0)			/* not the shortest form */
			return -1;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = (n << 8) | buf[2 + i];
		if (n < 0x80)				/* should have been short form */
			return -1;
		hdr = 2 + k;
	}
	if (n > len - hdr)
		return -1;
	out->tag = buf[0];
	out->present = true;
	out->raw = buf;
	out->rawlen = hdr + n;
	out->p = buf + hdr;
	out->len = n;
	return 0;
}

int der_read_all(const uint8_t *buf, size_t len, struct der *out)
{
	if (der_read(buf, len, out) < 0)
		return -1;
	return out->rawlen == len ? 0 : -1;
}

void der_iter_init(struct der_iter *it, const struct der *d)
{
	it->p = d->p;
	it->left = d->len;
}

int der_iter_next(struct der_iter *it, struct der *out)
{
	if (it->left == 0)
		return 0;
	if (der_read(it->p, it->left, out) < 0)
		return -1;
	it->p += out->rawlen;
	it->left -= out->rawlen;
	return 1;
}

long der_count(const struct der *d)
{
	struct der_iter it;
	struct der c;
	long n = 0;
	int rc;

	der_iter_init(&it, d);
	while ((rc = der_iter_next(&it, &c)) == 1)
		n++;
	return rc < 0 ? -1 : n;
}

static bool tag_matches(uint8_t want, uint8_t tag)
{
	if (want == DER_ANY)
		return true;
	if (want == DER_TIME)
		return tag == DER_UTCTIME || tag == DER_GENTIME;
	return want == tag;
}

int der_seq(const struct der *d, uint8_t want_tag, const struct der_field *t, size_t n,
	    struct der *out, const char **what)
{
	struct der_iter it;
	struct der c;
	bool have = false;
	size_t i = 0;
	int rc;

	*what = NULL;
	if (!d->present || d->tag != want_tag) {
		*what = "wrong type";
		return -1;
	}
	memset(out, 0, n * sizeof(*out));
	der_iter_init(&it, d);
	for (;;) {
		if (!have) {
			rc = der_iter_next(&it, &c);
			if (rc < 0) {
				*what = "malformed component";
				return -1;
			}
			have = rc == 1;
		}
		if (i == n)
			break;
		if (have && tag_matches(t[i].tag, c.tag)) {
			out[i++] = c;
			have = false;
			continue;
		}
		if (!t[i].optional) {
			*what = t[i].name;
			return -1;
		}
		i++;
	}
	if (have) {
		*what = "unexpected trailing component";
		return -1;
	}
	return 0;
}

bool der_oid_eq(const struct der *d, const char *oid, size_t oidlen)
{
	return d->present && d->tag == DER_OID && d->len == oidlen && memcmp(d->p, oid, oidlen) == 0;
}

/* A minimally encoded INTEGER's content: no redundant leading octet. */
static int int_minimal(const struct der *d)
{
	if (!d->present || d->tag != DER_INTEGER || d->len == 0)
		return -1;
	if (d->len > 1) {
		if (d->p[0] == 0x00 && !(d->p[1] & 0x80))
			return -1;
		if (d->p[0] == 0xff && (d->p[1] & 0x80))
			return -1;
	}
	return 0;
}

int der_uint32(const struct der *d, uint32_t *out)
{
	const uint8_t *p;
	size_t n;
	uint64_t v = 0;

	if (int_minimal(d) < 0 || (d->p[0] & 0x80))
		return -1;
	p = d->p;
	n = d->len;
	if (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 4)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	*out = (uint32_t)v;
	return 0;
}

int der_serial(const struct der *d, uint8_t out[20], bool allow_zero)
{
	const uint8_t *p;
	size_t n;
	bool zero = true;

	if (int_minimal(d) < 0 || (d->p[0] & 0x80))
		return -1;
	p = d->p;
	n = d->len;
	if (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 20)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (p[i])
			zero = false;
	if (zero && !allow_zero)
		return -1;
	memset(out, 0, 20);
	memcpy(out + 20 - n, p, n);
	return 0;
}

int der_bool(const struct der *d, bool *out)
{
	if (!d->present || d->tag != DER_BOOLEAN || d->len != 1)
		return -1;
	if (d->p[0] != 0x00 && d->p[0] != 0xff)
		return -1;
	*out = d->p[0] == 0xff;
	return 0;
}

int der_null(const struct der *d)
{
	return d->present && d->tag == DER_NULL && d->len == 0 ? 0 : -1;
}

static int digits(const uint8_t *p, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int der_time(const struct der *d, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const uint8_t *p;
	int year, mon, day, hh, mm, ss, ylen;

	if (!d->present)
		return -1;
	if (d->tag == DER_UTCTIME && d->len == 13)
		ylen = 2;
	else if (d->tag == DER_GENTIME && d->len == 15)
		ylen = 4;
	else
		return -1;
	p = d->p;
	if (p[d->len - 1] != 'Z')
		return -1;
	if (digits(p, ylen, &year) < 0 || digits(p + ylen, 2, &mon) < 0 ||
	    digits(p + ylen + 2, 2, &day) < 0 || digits(p + ylen + 4, 2, &hh) < 0 ||
	    digits(p + ylen + 6, 2, &mm) < 0 || digits(p + ylen + 8, 2, &ss) < 0)
		return -1;
	if (ylen == 2)
		year += year >= 50 ? 1900 : 2000;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hh > 23 || mm > 59 || ss > 59)
		return -1;
	if (mon == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return -1;
	*out = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

int der_bits(const struct der *d, const uint8_t **bits, size_t *nbytes, unsigned *unused)
{
	unsigned u;

	if (!d->present || d->tag != DER_BITSTRING || d->len < 1)
		return -1;
	u = d->p[0];
	if (u > 7)
		return -1;
	if (d->len == 1 && u != 0)
		return -1;
	if (u && (d->p[d->len - 1] & ((1u << u) - 1)))
		return -1;
	*bits = d->p + 1;
	*nbytes = d->len - 1;
	*unused = u;
	return 0;
}

char *der_oid_text(const struct der *d, char *buf, size_t size)
{
	size_t off = 0;
	uint64_t v = 0;
	bool first = true;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (!d->present || d->tag != DER_OID || d->len == 0) {
		snprintf(buf, size, "(not an OID)");
		return buf;
	}
	for (size_t i = 0; i < d->len; i++) {
		if (v > (UINT64_MAX >> 7)) {
			snprintf(buf, size, "(bad OID)");
			return buf;
		}
		v = (v << 7) | (d->p[i] & 0x7f);
		if (d->p[i] & 0x80)
			continue;
		int n;
		if (first) {
			unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
			n = snprintf(buf + off, size - off, "%u.%llu", a, (unsigned long long)(v - 40 * a));
			first = false;
		} else {
			n = snprintf(buf + off, size - off, ".%llu", (unsigned long long)v);
		}
		if (n < 0 || (size_t)n >= size - off)
			return buf;
		off += (size_t)n;
		v = 0;
	}
	return buf;
}

/* ---- BER to DER ------------------------------------------------------------------ */

struct dbuf {
	uint8_t *p;
	size_t len, cap;
};

static void dbuf_add(struct dbuf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void dbuf_header(struct dbuf *b, uint8_t tag, size_t n)
{
	uint8_t h[6];
	size_t k = 0;

	h[k++] = tag;
	if (n < 0x80) {
		h[k++] = (uint8_t)n;
	} else {
		size_t bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
		h[k++] = (uint8_t)(0x80 | bytes);
		for (size_t i = bytes; i > 0; i--)
			h[k++] = (uint8_t)(n >> (8 * (i - 1)));
	}
	dbuf_add(b, h, k);
}

/*
 * Convert one BER TLV at p (at most len bytes) into out; *used gets the
 * bytes consumed. strings: inside a constructed OCTET STRING, only append
 * the contents. 0 or -1.
 */
static int ber_one(const uint8_t *p, size_t len, struct dbuf *out, size_t *used, int depth, bool strings)
{
	size_t hdr, n = 0, off;
	bool indef = false;
	uint8_t tag;

	if (depth > 32 || len < 2 || (p[0] & 0x1f) == 0x1f)
		return -1;
	tag = p[0];
	if (p[1] == 0x80) {
		if (!(tag & 0x20))
			return -1;
		indef = true;
		hdr = 2;
	} else if (p[1] < 0x80) {
		n = p[1];
		hdr = 2;
	} else {
		size_t k = p[1] & 0x7f;
		if (k > 4 || len < 2 + k)
			return -1;
		for (size_t i = 0; i < k; i++)
			n = (n << 8) | p[2 + i];
		hdr = 2 + k;
	}
	if (!indef && n > len - hdr)
		return -1;
	if (strings && (tag & ~0x20) != DER_OCTETSTRING)
		return -1;
	if (!(tag & 0x20)) {
		if (!strings)
			dbuf_header(out, tag, n);
		dbuf_add(out, p + hdr, n);
		*used = hdr + n;
		return 0;
	}
	/* constructed: convert the children */
	{
		struct dbuf kids = { 0 };
		bool str = strings || tag == (DER_OCTETSTRING | 0x20);
		size_t end = indef ? len : hdr + n;
		off = hdr;
		for (;;) {
			size_t u;
			if (indef) {
				if (end - off < 2) {
					free(kids.p);
					return -1;
				}
				if (p[off] == 0 && p[off + 1] == 0) {
					off += 2;
					break;
				}
			} else if (off == end) {
				break;
			}
			if (ber_one(p + off, end - off, &kids, &u, depth + 1, str) < 0) {
				free(kids.p);
				return -1;
			}
			off += u;
		}
		if (strings) {
			dbuf_add(out, kids.p, kids.len);
		} else {
			dbuf_header(out, str ? DER_OCTETSTRING : tag, kids.len);
			dbuf_add(out, kids.p, kids.len);
		}
		free(kids.p);
		*used = off;
		return 0;
	}
}

uint8_t *der_from_ber(const uint8_t *p, size_t len, size_t *outlen)
{
	struct dbuf out = { 0 };
	size_t used;

	if (ber_one(p, len, &out, &used, 0, false) < 0 || used != len) {
		free(out.p);
		return NULL;
	}
	*outlen = out.len;
	return out.p;
}
