/*
 * val_aspa.c - Autonomous System Provider Authorizations
 * (draft-ietf-sidrops-aspa-profile). Two eContent profiles are in use:
 * -16 and later (version 1, providers a plain list of ASIDs) and -08 to
 * -14 (version 0, ProviderAS entries with an optional afiLimit), which
 * rpki-client 8.x and mkrepo --aspa-profile v0 produce. The explicit
 * version tells them apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_ASPA_PROVIDERS 10000

int val_aspa_econtent(const uint8_t *p, size_t len, const char *fn, struct val_aspa *a)
{
	struct der top, f[3], ver, e, pf[2];
	struct der_iter it;
	const char *what = NULL;
	uint32_t version = 0;
	long n;
	int rc;

	if (der_read_all(p, len, &top) < 0 || DER_SEQ(&top, DER_SEQUENCE, tmpl_aspa, f, &what) < 0) {
		val_warnx("%s: ASPA: failed to parse ASProviderAttestation%s%s", fn, what ? ": " : "",
			  what ? what : "");
		return -1;
	}
	if (f[ASPA_VERSION].present) {
		if (der_read_all(f[ASPA_VERSION].p, f[ASPA_VERSION].len, &ver) < 0 ||
		    der_uint32(&ver, &version) < 0) {
			val_warnx("%s: ASPA: malformed version", fn);
			return -1;
		}
		if (version == 0) {
			val_warnx("%s: ASPA: incorrect encoding for version 0 (DER: the default is left out)", fn);
			return -1;
		}
		if (version != 1) {
			val_warnx("%s: ASPA: version %u not supported", fn, version);
			return -1;
		}
	}
	a->profile = (int)version;
	if (der_uint32(&f[ASPA_CUSTOMER], &a->customer) < 0) {
		val_warnx("%s: ASPA: malformed CustomerASID", fn);
		return -1;
	}
	n = der_count(&f[ASPA_PROVIDERS]);
	if (n <= 0) {
		val_warnx("%s: ASPA: ProviderASSet needs at least one entry", fn);
		return -1;
	}
	if (n > MAX_ASPA_PROVIDERS) {
		val_warnx("%s: ASPA: too many providers (more than %d)", fn, MAX_ASPA_PROVIDERS);
		return -1;
	}
	a->providers = xcalloc((size_t)n, sizeof(*a->providers));
	a->afi = xcalloc((size_t)n, 1);
	der_iter_init(&it, &f[ASPA_PROVIDERS]);
	while ((rc = der_iter_next(&it, &e)) == 1) {
		uint32_t as;
		uint8_t afi = 0;
		if (version == 1) {
			if (e.tag != DER_INTEGER || der_uint32(&e, &as) < 0) {
				val_warnx("%s: ASPA: malformed ProviderAS (profile version 1 wants ASIDs)", fn);
				return -1;
			}
		} else {
			if (DER_SEQ(&e, DER_SEQUENCE, tmpl_provider_as, pf, &what) < 0 ||
			    der_uint32(&pf[PAS_ASID], &as) < 0) {
				val_warnx("%s: ASPA: malformed ProviderAS (profile version 0 wants ProviderAS "
					  "sequences)", fn);
				return -1;
			}
			if (pf[PAS_AFI].present) {
				if (pf[PAS_AFI].len != 2 || pf[PAS_AFI].p[0] != 0 ||
				    (pf[PAS_AFI].p[1] != 1 && pf[PAS_AFI].p[1] != 2)) {
					val_warnx("%s: ASPA: invalid afiLimit", fn);
					return -1;
				}
				afi = pf[PAS_AFI].p[1];
			}
		}
		if (as == a->customer) {
			val_warnx("%s: ASPA: CustomerASID can't also be Provider", fn);
			return -1;
		}
		if (a->nproviders > 0) {
			if (a->providers[a->nproviders - 1] > as) {
				val_warnx("%s: ASPA: invalid ProviderASSet order", fn);
				return -1;
			}
			if (a->providers[a->nproviders - 1] == as) {
				val_warnx("%s: ASPA: duplicate ProviderAS", fn);
				return -1;
			}
		}
		a->afi[a->nproviders] = afi;
		a->providers[a->nproviders++] = as;
	}
	if (rc < 0) {
		val_warnx("%s: ASPA: malformed providers", fn);
		return -1;
	}
	return 0;
}

struct val_aspa *val_aspa_parse(const uint8_t *der, size_t len, const char *fn)
{
	struct val_aspa *a = xcalloc(1, sizeof(*a));
	const struct val_res *res;

	if (val_cms_parse(der, len, fn, OID_CT_ASPA, sizeof(OID_CT_ASPA) - 1, &a->so) < 0)
		goto fail;
	if (val_signed_published(&a->so, fn) < 0)
		goto fail;
	if (val_aspa_econtent(a->so.econtent, a->so.econtent_len, fn, a) < 0)
		goto fail;
	res = &a->so.ee->res;
	if (res->ip_ext) {
		val_warnx("%s: ASPA: superfluous IP Resources extension present", fn);
		goto fail;
	}
	if (!res->as_ext || res->as_inherit) {
		val_warnx("%s: ASPA: EE certificate needs explicit AS resources (inherit elements not allowed)", fn);
		goto fail;
	}
	return a;
fail:
	val_aspa_free(a);
	return NULL;
}

void val_aspa_free(struct val_aspa *a)
{
	if (a == NULL)
		return;
	val_signed_clear(&a->so);
	free(a->providers);
	free(a->afi);
	free(a);
}

int val_aspa_check_ee(const struct val_aspa *a, const char *fn)
{
	struct val_rset ee;

	val_res_as_rset(&a->so.ee->res, &ee);
	if (!val_rset_covers_as(&ee, a->customer, a->customer)) {
		val_warnx("%s: ASPA: uncovered Customer ASID: %u", fn, a->customer);
		return -1;
	}
	return 0;
}
