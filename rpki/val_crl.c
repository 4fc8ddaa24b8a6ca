/*
 * val_crl.c - certificate revocation lists (RFC 5280 5, RFC 6487 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_REVOKED 5000000

static int serial_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 20);
}

static int crl_extensions(struct val_crl *crl, const struct der *exts, const char *fn)
{
	struct der seq, ext, e[3], akis, a[3], num;
	struct der_iter it;
	const char *what = NULL;
	bool have_aki = false, have_num = false;
	uint8_t n[20];
	int rc;

	if (der_read_all(exts->p, exts->len, &seq) < 0 || seq.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 6487 section 5: malformed crlExtensions", fn);
		return -1;
	}
	der_iter_init(&it, &seq);
	while ((rc = der_iter_next(&it, &ext)) == 1) {
		bool crit = false;
		if (DER_SEQ(&ext, DER_SEQUENCE, tmpl_extension, e, &what) < 0 ||
		    (e[EXT_CRITICAL].present && der_bool(&e[EXT_CRITICAL], &crit) < 0)) {
			val_warnx("%s: RFC 5280 section 5.2: malformed CRL extension", fn);
			return -1;
		}
		if (DER_OID_IS(&e[EXT_ID], OID_AKI)) {
			if (have_aki || crit || der_read_all(e[EXT_VALUE].p, e[EXT_VALUE].len, &akis) < 0 ||
			    DER_SEQ(&akis, DER_SEQUENCE, tmpl_aki, a, &what) < 0 || !a[AKI_KEYID].present ||
			    a[AKI_KEYID].len != 20 || a[AKI_ISSUER].present || a[AKI_SERIAL].present) {
				val_warnx("%s: RFC 6487 section 5: CRL AKI: want one keyIdentifier of 20 bytes", fn);
				return -1;
			}
			memcpy(crl->aki, a[AKI_KEYID].p, 20);
			have_aki = true;
		} else if (DER_OID_IS(&e[EXT_ID], OID_CRL_NUMBER)) {
			if (have_num || crit || der_read_all(e[EXT_VALUE].p, e[EXT_VALUE].len, &num) < 0 ||
			    der_serial(&num, n, true) < 0) {
				val_warnx("%s: RFC 6487 section 5: CRL number: want one non-critical integer", fn);
				return -1;
			}
			have_num = true;
		} else if (crit) {
			char buf[64];
			val_warnx("%s: RFC 6487 section 5: unexpected critical CRL extension %s", fn,
				  der_oid_text(&e[EXT_ID], buf, sizeof(buf)));
			return -1;
		}
	}
	if (rc < 0 || !have_aki || !have_num) {
		val_warnx("%s: RFC 6487 section 5: CRL needs AKI and CRL number extensions", fn);
		return -1;
	}
	return 0;
}

struct val_crl *val_crl_parse(const uint8_t *der, size_t len, const char *fn)
{
	struct val_crl *crl = xcalloc(1, sizeof(*crl));
	struct der top, f[3], t[7], entry, r[3], alg[2];
	struct der_iter it;
	const char *what = NULL;
	uint32_t version;
	size_t cap = 0;
	int rc;

	crl->der = xmalloc(len ? len : 1);
	memcpy(crl->der, der, len);
	crl->der_len = len;
	if (der_read_all(crl->der, len, &top) < 0 ||
	    DER_SEQ(&top, DER_SEQUENCE, tmpl_certificate_list, f, &what) < 0 ||
	    DER_SEQ(&f[0], DER_SEQUENCE, tmpl_tbs_cert_list, t, &what) < 0) {
		val_warnx("%s: RFC 5280 section 5.1: not a DER CRL", fn);
		goto fail;
	}
	crl->tbs = f[0];
	crl->sigalg_outer = f[1];
	crl->sig = f[2];
	if (!t[TBSCRL_VERSION].present || der_uint32(&t[TBSCRL_VERSION], &version) < 0 || version != 1) {
		val_warnx("%s: RFC 6487 section 5: want a version 2 CRL", fn);
		goto fail;
	}
	crl->sigalg_tbs = t[TBSCRL_SIGALG];
	if (DER_SEQ(&crl->sigalg_tbs, DER_SEQUENCE, tmpl_algorithm, alg, &what) < 0 ||
	    !DER_OID_IS(&alg[ALG_OID], OID_SHA256_WITH_RSA) ||
	    (alg[ALG_PARAMS].present && der_null(&alg[ALG_PARAMS]) < 0) ||
	    DER_SEQ(&crl->sigalg_outer, DER_SEQUENCE, tmpl_algorithm, alg, &what) < 0 ||
	    !DER_OID_IS(&alg[ALG_OID], OID_SHA256_WITH_RSA) ||
	    (alg[ALG_PARAMS].present && der_null(&alg[ALG_PARAMS]) < 0)) {
		val_warnx("%s: RFC 7935 section 2: CRL signature algorithm: want sha256WithRSAEncryption", fn);
		goto fail;
	}
	crl->issuer = t[TBSCRL_ISSUER];
	if (der_time(&t[TBSCRL_THIS], &crl->this_update) < 0) {
		val_warnx("%s: RFC 5280 section 5.1.2.4: malformed thisUpdate", fn);
		goto fail;
	}
	if (!t[TBSCRL_NEXT].present || der_time(&t[TBSCRL_NEXT], &crl->next_update) < 0) {
		val_warnx("%s: RFC 6487 section 5: missing or malformed nextUpdate", fn);
		goto fail;
	}
	if (t[TBSCRL_REVOKED].present) {
		der_iter_init(&it, &t[TBSCRL_REVOKED]);
		while ((rc = der_iter_next(&it, &entry)) == 1) {
			int64_t when;
			if (crl->nrevoked == MAX_REVOKED) {
				val_warnx("%s: too many revoked certificates", fn);
				goto fail;
			}
			if (DER_SEQ(&entry, DER_SEQUENCE, tmpl_revoked_certificate, r, &what) < 0 ||
			    der_time(&r[REV_DATE], &when) < 0) {
				val_warnx("%s: RFC 5280 section 5.1.2.6: malformed revoked certificate entry", fn);
				goto fail;
			}
			if (crl->nrevoked == cap) {
				cap = cap ? cap * 2 : 16;
				crl->revoked = xrealloc(crl->revoked, cap * sizeof(*crl->revoked));
			}
			/* Serials as written (zero is tolerated as RFC 5280 5.2.3 implies) */
			if (der_serial(&r[REV_SERIAL], crl->revoked[crl->nrevoked], true) < 0) {
				val_warnx("%s: RFC 5280 section 5.1.2.6: bad revoked serial number", fn);
				goto fail;
			}
			crl->nrevoked++;
		}
		if (rc < 0) {
			val_warnx("%s: RFC 5280 section 5.1.2.6: malformed revokedCertificates", fn);
			goto fail;
		}
		if (crl->nrevoked > 1)
			qsort(crl->revoked, crl->nrevoked, sizeof(*crl->revoked), serial_cmp);
	}
	if (!t[TBSCRL_EXTENSIONS].present) {
		val_warnx("%s: RFC 6487 section 5: missing crlExtensions", fn);
		goto fail;
	}
	if (crl_extensions(crl, &t[TBSCRL_EXTENSIONS], fn) < 0)
		goto fail;
	return crl;
fail:
	val_crl_free(crl);
	return NULL;
}

void val_crl_free(struct val_crl *crl)
{
	if (crl == NULL)
		return;
	free(crl->der);
	free(crl->revoked);
	free(crl);
}

int val_crl_check(const struct val_crl *crl, const struct val_issuer *iss, int64_t now, const char *fn)
{
	const uint8_t *sig;
	size_t siglen;
	unsigned unused;
	char t[32];

	if (memcmp(crl->aki, iss->cert->ski, 20) != 0) {
		val_warnx("%s: RFC 6487 section 5: CRL AKI does not match the issuer's SKI", fn);
		return -1;
	}
	if (crl->issuer.rawlen != iss->cert->subject.rawlen ||
	    memcmp(crl->issuer.raw, iss->cert->subject.raw, crl->issuer.rawlen) != 0) {
		val_warnx("%s: RFC 5280 section 6.3.3: CRL issuer name does not match the issuer's subject", fn);
		return -1;
	}
	if (der_bits(&crl->sig, &sig, &siglen, &unused) < 0 || unused ||
	    val_verify(iss->key, crl->tbs.raw, crl->tbs.rawlen, sig, siglen) < 0) {
		val_warnx("%s: RFC 6487 section 5: bad CRL signature", fn);
		return -1;
	}
	if (now < crl->this_update) {
		val_warnx("%s: CRL not yet valid (thisUpdate %s)", fn, val_time_text(crl->this_update, t, sizeof(t)));
		return -1;
	}
	if (now > crl->next_update) {
		val_warnx("%s: RFC 9286 section 6.4: CRL is stale (nextUpdate %s)", fn,
			  val_time_text(crl->next_update, t, sizeof(t)));
		return -1;
	}
	return 0;
}

bool val_crl_revoked(const struct val_crl *crl, const uint8_t serial[20])
{
	size_t lo = 0, hi = crl->nrevoked;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(crl->revoked[mid], serial, 20);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
