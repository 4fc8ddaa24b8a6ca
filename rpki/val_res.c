/*
 * val_res.c - RFC 3779 IP address and AS identifier resources: parsing the
 * certificate extensions into sorted range lists, inheritance, and the
 * "covered by the issuer" checks of RFC 6487 section 7.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_RANGES 100000	/* per family and per certificate */

/*
 * Expand an RFC 3779 IPAddress bit string into a full address of width
 * bytes (4 or 16), padding the missing bits with zeros (a minimum) or ones
 * (a maximum, RFC 3779 2.1.2).
 */
static int bits_addr(const struct der *d, size_t width, bool ones, uint8_t out[16], unsigned *plen)
{
	const uint8_t *b;
	size_t n;
	unsigned unused;

	if (der_bits(d, &b, &n, &unused) < 0 || n > width)
		return -1;
	memset(out, 0, 16);
	memcpy(out, b, n);
	if (ones) {
		if (unused)
			out[n - 1] |= (uint8_t)((1u << unused) - 1);
		for (size_t i = n; i < width; i++)
			out[i] = 0xff;
	}
	if (plen)
		*plen = (unsigned)(n * 8 - unused);
	return 0;
}

static int parse_ip_list(const struct der *list, size_t width, struct val_ipr **out, size_t *nout,
			 const char *fn)
{
	struct der_iter it;
	struct der e, rng[2];
	const char *what = NULL;
	struct val_ipr *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	der_iter_init(&it, list);
	while ((rc = der_iter_next(&it, &e)) == 1) {
		struct val_ipr r;
		if (n == MAX_RANGES) {
			val_warnx("%s: RFC 3779: too many IP address entries (limit %d)", fn, MAX_RANGES);
			goto fail;
		}
		if (e.tag == DER_BITSTRING) {
			if (bits_addr(&e, width, false, r.min, NULL) < 0 ||
			    bits_addr(&e, width, true, r.max, NULL) < 0) {
				val_warnx("%s: RFC 3779 section 2.2.3.8: IPAddress: invalid IP address", fn);
				goto fail;
			}
		} else if (e.tag == DER_SEQUENCE) {
			if (DER_SEQ(&e, DER_SEQUENCE, tmpl_ip_address_range, rng, &what) < 0 ||
			    bits_addr(&rng[IPR_MIN], width, false, r.min, NULL) < 0 ||
			    bits_addr(&rng[IPR_MAX], width, true, r.max, NULL) < 0) {
				val_warnx("%s: RFC 3779 section 2.2.3.9: IPAddressRange: invalid IP address", fn);
				goto fail;
			}
			if (memcmp(r.min, r.max, 16) > 0) {
				val_warnx("%s: RFC 3779 section 2.2.3.9: IPAddressRange: min above max", fn);
				goto fail;
			}
		} else {
			val_warnx("%s: RFC 3779 section 2.2.3.7: IPAddressOrRange: unknown type", fn);
			goto fail;
		}
		if (n > 0 && memcmp(r.min, v[n - 1].max, 16) <= 0) {
			val_warnx("%s: RFC 3779 section 2.2.3.6: IP addresses overlap or are out of order", fn);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = r;
	}
	if (rc < 0 || n == 0) {
		val_warnx("%s: RFC 3779 section 2.2.3.6: addressesOrRanges: %s", fn,
			  rc < 0 ? "malformed" : "empty");
		goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	free(v);
	return -1;
}

int val_res_parse_ip(const struct der *extvalue, struct val_res *r, const char *fn)
{
	struct der blocks, fam, f[2];
	struct der_iter it;
	const char *what = NULL;
	int rc, last_afi = 0;

	if (der_read_all(extvalue->p, extvalue->len, &blocks) < 0 || blocks.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 6487 section 4.8.10: sbgp-ipAddrBlock: failed extension parse", fn);
		return -1;
	}
	r->ip_ext = true;
	der_iter_init(&it, &blocks);
	while ((rc = der_iter_next(&it, &fam)) == 1) {
		int afi;
		if (DER_SEQ(&fam, DER_SEQUENCE, tmpl_ip_address_family, f, &what) < 0) {
			val_warnx("%s: RFC 3779 section 2.2.3.2: IPAddressFamily: %s", fn, what);
			return -1;
		}
		if (f[IPAF_AFI].len != 2 || f[IPAF_AFI].p[0] != 0 ||
		    (f[IPAF_AFI].p[1] != 1 && f[IPAF_AFI].p[1] != 2)) {
			val_warnx("%s: RFC 3779 section 2.2.3.3: invalid AFI (SAFI not allowed, RFC 6487 4.8.10)",
				  fn);
			return -1;
		}
		afi = f[IPAF_AFI].p[1];
		if (afi <= last_afi) {
			val_warnx("%s: RFC 3779 section 2.2.3.3: address families duplicate or out of order", fn);
			return -1;
		}
		last_afi = afi;
		if (f[IPAF_CHOICE].tag == DER_NULL) {
			if (der_null(&f[IPAF_CHOICE]) < 0) {
				val_warnx("%s: RFC 3779 section 2.2.3.5: inherit: bad NULL", fn);
				return -1;
			}
			if (afi == 1)
				r->v4_inherit = true;
			else
				r->v6_inherit = true;
		} else if (f[IPAF_CHOICE].tag == DER_SEQUENCE) {
			if (afi == 1) {
				if (parse_ip_list(&f[IPAF_CHOICE], 4, &r->v4, &r->nv4, fn) < 0)
					return -1;
			} else if (parse_ip_list(&f[IPAF_CHOICE], 16, &r->v6, &r->nv6, fn) < 0) {
				return -1;
			}
		} else {
			val_warnx("%s: RFC 3779: IPAddressChoice: unknown type", fn);
			return -1;
		}
	}
	if (rc < 0 || last_afi == 0) {
		val_warnx("%s: RFC 6487 section 4.8.10: sbgp-ipAddrBlock: %s", fn,
			  rc < 0 ? "malformed" : "no address family");
		return -1;
	}
	return 0;
}

int val_res_parse_as(const struct der *extvalue, struct val_res *r, const char *fn)
{
	struct der ids, f[2], choice, e, rng[2];
	struct der_iter it;
	const char *what = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (der_read_all(extvalue->p, extvalue->len, &ids) < 0 ||
	    DER_SEQ(&ids, DER_SEQUENCE, tmpl_as_identifiers, f, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4.8.11: autonomousSysNum: failed extension parse", fn);
		return -1;
	}
	if (f[ASIDS_RDI].present) {
		val_warnx("%s: RFC 6487 section 4.8.11: autonomousSysNum: should not have RDI values", fn);
		return -1;
	}
	if (!f[ASIDS_ASNUM].present) {
		val_warnx("%s: RFC 6487 section 4.8.11: autonomousSysNum: no AS number resource set", fn);
		return -1;
	}
	r->as_ext = true;
	if (der_read_all(f[ASIDS_ASNUM].p, f[ASIDS_ASNUM].len, &choice) < 0) {
		val_warnx("%s: RFC 3779 section 3.2.3.2: ASIdentifierChoice: malformed", fn);
		return -1;
	}
	if (choice.tag == DER_NULL) {
		if (der_null(&choice) < 0) {
			val_warnx("%s: RFC 3779 section 3.2.3.3: inherit: bad NULL", fn);
			return -1;
		}
		r->as_inherit = true;
		return 0;
	}
	if (choice.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 3779 section 3.2.3.2: ASIdentifierChoice: unknown type", fn);
		return -1;
	}
	der_iter_init(&it, &choice);
	while ((rc = der_iter_next(&it, &e)) == 1) {
		struct val_asr a;
		if (n == MAX_RANGES) {
			val_warnx("%s: too many AS number entries: limit %d", fn, MAX_RANGES);
			return -1;
		}
		if (e.tag == DER_INTEGER) {
			if (der_uint32(&e, &a.min) < 0) {
				val_warnx("%s: RFC 3779 section 3.2.3.8 (via RFC 1930): ASId out of range", fn);
				return -1;
			}
			a.max = a.min;
		} else if (e.tag == DER_SEQUENCE) {
			if (DER_SEQ(&e, DER_SEQUENCE, tmpl_as_range, rng, &what) < 0 ||
			    der_uint32(&rng[ASR_MIN], &a.min) < 0 || der_uint32(&rng[ASR_MAX], &a.max) < 0) {
				val_warnx("%s: RFC 3779 section 3.2.3.8: ASRange: malformed", fn);
				return -1;
			}
			if (a.min >= a.max) {
				val_warnx("%s: RFC 3779 section 3.2.3.8: ASRange: want min < max", fn);
				return -1;
			}
		} else {
			val_warnx("%s: RFC 3779 section 3.2.3.5: ASIdOrRange: unknown type", fn);
			return -1;
		}
		if (n > 0 && a.min <= r->as[n - 1].max) {
			val_warnx("%s: RFC 3779 section 3.2.3.4: AS numbers overlap or are out of order", fn);
			return -1;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			r->as = xrealloc(r->as, cap * sizeof(*r->as));
		}
		r->as[n++] = a;
		r->nas = n;
	}
	if (rc < 0 || n == 0) {
		val_warnx("%s: RFC 3779 section 3.2.3.4: asIdsOrRanges: %s", fn, rc < 0 ? "malformed" : "empty");
		return -1;
	}
	return 0;
}

void val_res_clear(struct val_res *r)
{
	free(r->v4);
	free(r->v6);
	free(r->as);
	memset(r, 0, sizeof(*r));
}

bool val_res_inherits(const struct val_res *r)
{
	return r->v4_inherit || r->v6_inherit || r->as_inherit;
}

void val_res_as_rset(const struct val_res *r, struct val_rset *out)
{
	out->v4 = r->v4;
	out->nv4 = r->nv4;
	out->v6 = r->v6;
	out->nv6 = r->nv6;
	out->as = r->as;
	out->nas = r->nas;
}

static bool ip_covered(const struct val_ipr *v, size_t n, const uint8_t min[16], const uint8_t max[16])
{
	size_t lo = 0, hi = n;

	/* the last range whose min <= min */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(v[mid].min, min, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	return memcmp(max, v[lo - 1].max, 16) <= 0;
}

bool val_rset_covers_ip(const struct val_rset *s, uint8_t family, const uint8_t min[16],
			const uint8_t max[16])
{
	if (family == IP_AF4)
		return ip_covered(s->v4, s->nv4, min, max);
	return ip_covered(s->v6, s->nv6, min, max);
}

bool val_rset_covers_as(const struct val_rset *s, uint32_t min, uint32_t max)
{
	size_t lo = 0, hi = s->nas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->as[mid].min <= min)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && max <= s->as[lo - 1].max;
}

static void range_text(uint8_t family, const struct val_ipr *r, char *buf, size_t size)
{
	struct ip_addr a = { .family = family }, b = { .family = family };
	char x[IP_PREFIX_STRLEN], y[IP_PREFIX_STRLEN];

	memcpy(a.a, r->min, 16);
	memcpy(b.a, r->max, 16);
	snprintf(buf, size, "%s--%s", ip_addr_format(&a, x, sizeof(x)), ip_addr_format(&b, y, sizeof(y)));
}

int val_res_check(const struct val_rset *parent, const struct val_res *r, struct val_rset *eff,
		  const char *fn)
{
	char buf[2 * IP_PREFIX_STRLEN + 4];

	memset(eff, 0, sizeof(*eff));
	if (r->v4_inherit) {
		eff->v4 = parent->v4;
		eff->nv4 = parent->nv4;
	} else {
		for (size_t i = 0; i < r->nv4; i++)
			if (!ip_covered(parent->v4, parent->nv4, r->v4[i].min, r->v4[i].max)) {
				range_text(IP_AF4, &r->v4[i], buf, sizeof(buf));
				val_warnx("%s: RFC 6487: uncovered IP: %s", fn, buf);
				return -1;
			}
		eff->v4 = r->v4;
		eff->nv4 = r->nv4;
	}
	if (r->v6_inherit) {
		eff->v6 = parent->v6;
		eff->nv6 = parent->nv6;
	} else {
		for (size_t i = 0; i < r->nv6; i++)
			if (!ip_covered(parent->v6, parent->nv6, r->v6[i].min, r->v6[i].max)) {
				range_text(IP_AF6, &r->v6[i], buf, sizeof(buf));
				val_warnx("%s: RFC 6487: uncovered IP: %s", fn, buf);
				return -1;
			}
		eff->v6 = r->v6;
		eff->nv6 = r->nv6;
	}
	if (r->as_inherit) {
		eff->as = parent->as;
		eff->nas = parent->nas;
	} else {
		for (size_t i = 0; i < r->nas; i++)
			if (!val_rset_covers_as(parent, r->as[i].min, r->as[i].max)) {
				if (r->as[i].min == r->as[i].max)
					val_warnx("%s: RFC 6487: uncovered AS: AS%u", fn, r->as[i].min);
				else
					val_warnx("%s: RFC 6487: uncovered AS: AS%u--AS%u", fn, r->as[i].min,
						  r->as[i].max);
				return -1;
			}
		eff->as = r->as;
		eff->nas = r->nas;
	}
	return 0;
}

void val_prefix_range(const struct ip_prefix *p, uint8_t min[16], uint8_t max[16])
{
	unsigned width = p->family == IP_AF4 ? 4 : 16;

	memset(min, 0, 16);
	memset(max, 0, 16);
	memcpy(min, p->a, width);
	memcpy(max, p->a, width);
	for (unsigned i = p->len; i < width * 8; i++)
		max[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
}
