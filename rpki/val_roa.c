/*
 * val_roa.c - Route Origin Authorizations (RFC 9582).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_ROA_ADDRESSES 100000

int val_roa_econtent(const uint8_t *p, size_t len, const char *fn, struct val_roa *r)
{
	struct der top, f[3], fam, ff[2], a, af[2];
	struct der_iter it, it2;
	const char *what = NULL;
	size_t cap = 0;
	int rc, rc2, last_afi = 0, nfam = 0;

	if (der_read_all(p, len, &top) < 0 || DER_SEQ(&top, DER_SEQUENCE, tmpl_roa, f, &what) < 0) {
		val_warnx("%s: RFC 9582 section 4: failed to parse RouteOriginAttestation%s%s", fn,
			  what ? ": " : "", what ? what : "");
		return -1;
	}
	if (f[ROA_VERSION].present) {
		val_warnx("%s: RFC 9582 section 4.1: version must be the default 0 (and not encoded)", fn);
		return -1;
	}
	if (der_uint32(&f[ROA_ASID], &r->asid) < 0) {
		val_warnx("%s: RFC 9582 section 4.2: asID: malformed or out of range", fn);
		return -1;
	}
	der_iter_init(&it, &f[ROA_BLOCKS]);
	while ((rc = der_iter_next(&it, &fam)) == 1) {
		uint8_t family;
		unsigned width;
		if (++nfam > 2 || DER_SEQ(&fam, DER_SEQUENCE, tmpl_roa_family, ff, &what) < 0) {
			val_warnx("%s: RFC 9582 section 4.3: ipAddrBlocks: malformed or more than 2 families", fn);
			return -1;
		}
		if (ff[ROAF_AFI].len != 2 || ff[ROAF_AFI].p[0] != 0 ||
		    (ff[ROAF_AFI].p[1] != 1 && ff[ROAF_AFI].p[1] != 2)) {
			val_warnx("%s: RFC 9582 section 4.3.1: addressFamily: invalid", fn);
			return -1;
		}
		if (ff[ROAF_AFI].p[1] <= last_afi) {
			val_warnx("%s: RFC 9582 section 4.3.1: address families duplicate or out of order", fn);
			return -1;
		}
		last_afi = ff[ROAF_AFI].p[1];
		family = last_afi == 1 ? IP_AF4 : IP_AF6;
		width = family == IP_AF4 ? 32 : 128;
		der_iter_init(&it2, &ff[ROAF_ADDRESSES]);
		size_t before = r->nips;
		while ((rc2 = der_iter_next(&it2, &a)) == 1) {
			const uint8_t *bits;
			size_t nbytes;
			unsigned unused, plen;
			uint32_t maxlen;
			struct val_roa_ip *ip;

			if (r->nips == MAX_ROA_ADDRESSES) {
				val_warnx("%s: too many ROAIPAddress entries: limit %d", fn, MAX_ROA_ADDRESSES);
				return -1;
			}
			if (DER_SEQ(&a, DER_SEQUENCE, tmpl_roa_address, af, &what) < 0 ||
			    der_bits(&af[ROAA_ADDRESS], &bits, &nbytes, &unused) < 0 || nbytes > width / 8) {
				val_warnx("%s: RFC 9582 section 4.3.2: address: invalid IP address", fn);
				return -1;
			}
			plen = (unsigned)(nbytes * 8 - unused);
			maxlen = plen;
			if (af[ROAA_MAXLEN].present) {
				if (der_uint32(&af[ROAA_MAXLEN], &maxlen) < 0 || maxlen > width) {
					val_warnx("%s: RFC 9582 section 4.3.3: maxLength too large", fn);
					return -1;
				}
				if (maxlen < plen) {
					val_warnx("%s: RFC 9582 section 4.3.3: prefixlen (%u) larger than maxLength (%u)",
						  fn, plen, maxlen);
					return -1;
				}
			}
			if (r->nips == cap) {
				cap = cap ? cap * 2 : 4;
				r->ips = xrealloc(r->ips, cap * sizeof(*r->ips));
			}
			ip = &r->ips[r->nips++];
			memset(ip, 0, sizeof(*ip));
			ip->prefix.family = family;
			ip->prefix.len = (uint8_t)plen;
			memcpy(ip->prefix.a, bits, nbytes);
			ip->maxlen = (uint8_t)maxlen;
		}
		if (rc2 < 0 || r->nips == before) {
			val_warnx("%s: RFC 9582 section 4.3.2: addresses: %s", fn, rc2 < 0 ? "malformed" : "empty");
			return -1;
		}
	}
	if (rc < 0 || nfam == 0) {
		val_warnx("%s: RFC 9582 section 4.3: ipAddrBlocks: %s", fn, rc < 0 ? "malformed" : "empty");
		return -1;
	}
	return 0;
}

struct val_roa *val_roa_parse(const uint8_t *der, size_t len, const char *fn)
{
	struct val_roa *r = xcalloc(1, sizeof(*r));
	const struct val_res *res;

	if (val_cms_parse(der, len, fn, OID_CT_ROA, sizeof(OID_CT_ROA) - 1, &r->so) < 0)
		goto fail;
	if (val_signed_published(&r->so, fn) < 0)
		goto fail;
	if (val_roa_econtent(r->so.econtent, r->so.econtent_len, fn, r) < 0)
		goto fail;
	res = &r->so.ee->res;
	if (res->as_ext) {
		val_warnx("%s: RFC 9582 section 5: superfluous AS Resources extension present", fn);
		goto fail;
	}
	if (!res->ip_ext) {
		val_warnx("%s: RFC 9582 section 5: EE certificate without IP resources", fn);
		goto fail;
	}
	if (val_res_inherits(res)) {
		val_warnx("%s: RFC 9582 section 5: inherit elements not allowed in EE cert", fn);
		goto fail;
	}
	return r;
fail:
	val_roa_free(r);
	return NULL;
}

void val_roa_free(struct val_roa *r)
{
	if (r == NULL)
		return;
	val_signed_clear(&r->so);
	free(r->ips);
	free(r);
}

int val_roa_check_ee(const struct val_roa *r, const char *fn)
{
	struct val_rset ee;
	uint8_t min[16], max[16];
	char buf[IP_PREFIX_STRLEN];

	val_res_as_rset(&r->so.ee->res, &ee);
	for (size_t i = 0; i < r->nips; i++) {
		val_prefix_range(&r->ips[i].prefix, min, max);
		if (!val_rset_covers_ip(&ee, r->ips[i].prefix.family, min, max)) {
			val_warnx("%s: RFC 9582 section 4.3.2: uncovered IP: %s (not in the EE certificate)", fn,
				  ip_prefix_format(&r->ips[i].prefix, buf, sizeof(buf)));
			return -1;
		}
	}
	return 0;
}
