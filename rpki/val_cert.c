/*
 * val_cert.c - resource certificates (RFC 6487), BGPsec router
 * certificates (RFC 8209), RSA public keys and signatures (RFC 7935).
 *
 * val_cert_parse() checks the certificate profile alone; val_cert_check()
 * checks it against its issuer: key identifiers, names, signature, validity,
 * revocation and resources.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

/* Extensions we know, for the duplicate check. */
enum { X_BC, X_SKI, X_AKI, X_KU, X_EKU, X_CRLDP, X_AIA, X_SIA, X_CP, X_IP, X_AS, X_N };

/* sha256WithRSAEncryption with NULL or absent parameters (RFC 7935 2). */
static int sigalg_ok(const struct der *alg)
{
	struct der a[2];
	const char *what = NULL;

	if (DER_SEQ(alg, DER_SEQUENCE, tmpl_algorithm, a, &what) < 0)
		return -1;
	if (!DER_OID_IS(&a[ALG_OID], OID_SHA256_WITH_RSA))
		return -1;
	if (a[ALG_PARAMS].present && der_null(&a[ALG_PARAMS]) < 0)
		return -1;
	return 0;
}

/* Name ::= SEQUENCE OF SET OF AttributeTypeAndValue, values strings. */
static int name_ok(const struct der *name)
{
	struct der_iter it, it2;
	struct der rdn, atv, f[2];
	const char *what = NULL;
	int rc, rc2;

	if (name->tag != DER_SEQUENCE)
		return -1;
	der_iter_init(&it, name);
	while ((rc = der_iter_next(&it, &rdn)) == 1) {
		if (rdn.tag != DER_SET || rdn.len == 0)
			return -1;
		der_iter_init(&it2, &rdn);
		while ((rc2 = der_iter_next(&it2, &atv)) == 1) {
			if (DER_SEQ(&atv, DER_SEQUENCE, tmpl_attribute_type_and_value, f, &what) < 0)
				return -1;
			switch (f[ATV_VALUE].tag) {
			case DER_PRINTABLE: case DER_UTF8STRING: case DER_IA5STRING: case DER_TELETEX:
				break;
			default:
				return -1;
			}
		}
		if (rc2 < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* A GeneralName URI as a new string, checked. */
static char *gn_uri(const struct der *gn, int schemes)
{
	char *s;

	if (gn->tag != GN_URI || gn->len == 0 || gn->len > 1024)
		return NULL;
	for (size_t i = 0; i < gn->len; i++)
		if (gn->p[i] < 0x21 || gn->p[i] > 0x7e)
			return NULL;
	s = xstrndup((const char *)gn->p, gn->len);
	if (val_uri_check(s, schemes) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static bool is_rsync(const struct der *gn)
{
	return gn->tag == GN_URI && gn->len > 8 && strncasecmp((const char *)gn->p, "rsync://", 8) == 0;
}

static bool is_https(const struct der *gn)
{
	return gn->tag == GN_URI && gn->len > 8 && strncasecmp((const char *)gn->p, "https://", 8) == 0;
}

static int ext_sia(struct val_cert *c, const struct der *v, const char *fn)
{
	struct der seq, ad, f[2];
	struct der_iter it;
	const char *what = NULL;
	int rc;

	if (der_read_all(v->p, v->len, &seq) < 0 || seq.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 6487 section 4.8.8: SIA: failed extension parse", fn);
		return -1;
	}
	der_iter_init(&it, &seq);
	while ((rc = der_iter_next(&it, &ad)) == 1) {
		char **slot = NULL;
		int scheme = VAL_URI_RSYNC;
		if (DER_SEQ(&ad, DER_SEQUENCE, tmpl_access_description, f, &what) < 0) {
			val_warnx("%s: RFC 6487 section 4.8.8: SIA: %s", fn, what);
			return -1;
		}
		if (DER_OID_IS(&f[AD_METHOD], OID_AD_CA_REPOSITORY)) {
			if (is_rsync(&f[AD_LOCATION]))
				slot = &c->repo;
		} else if (DER_OID_IS(&f[AD_METHOD], OID_AD_RPKI_MANIFEST)) {
			if (is_rsync(&f[AD_LOCATION]))
				slot = &c->mft;
		} else if (DER_OID_IS(&f[AD_METHOD], OID_AD_RPKI_NOTIFY)) {
			if (is_https(&f[AD_LOCATION])) {
				slot = &c->notify;
				scheme = VAL_URI_HTTPS;
			}
		} else if (DER_OID_IS(&f[AD_METHOD], OID_AD_SIGNED_OBJECT)) {
			if (is_rsync(&f[AD_LOCATION]))
				slot = &c->signed_object;
		}
		if (slot == NULL)
			continue;	/* other methods and schemes are ignored */
		if (*slot != NULL) {
			val_warnx("%s: RFC 6487 section 4.8.8: SIA: multiple locations of one kind", fn);
			return -1;
		}
		if ((*slot = gn_uri(&f[AD_LOCATION], scheme)) == NULL) {
			val_warnx("%s: RFC 6487 section 4.8.8: SIA: bad location", fn);
			return -1;
		}
	}
	if (rc < 0) {
		val_warnx("%s: RFC 6487 section 4.8.8: SIA: malformed", fn);
		return -1;
	}
	return 0;
}

static int ext_aia(struct val_cert *c, const struct der *v, const char *fn)
{
	struct der seq, ad, f[2];
	const char *what = NULL;

	if (der_read_all(v->p, v->len, &seq) < 0 || seq.tag != DER_SEQUENCE || der_count(&seq) != 1 ||
	    der_read_all(seq.p, seq.len, &ad) < 0 ||
	    DER_SEQ(&ad, DER_SEQUENCE, tmpl_access_description, f, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4.8.7: AIA: want 1 element", fn);
		return -1;
	}
	if (!DER_OID_IS(&f[AD_METHOD], OID_AD_CA_ISSUERS)) {
		val_warnx("%s: RFC 6487 section 4.8.7: AIA: expected caIssuers", fn);
		return -1;
	}
	if ((c->aia = gn_uri(&f[AD_LOCATION], VAL_URI_RSYNC)) == NULL) {
		val_warnx("%s: RFC 6487 section 4.8.7: AIA: bad location", fn);
		return -1;
	}
	return 0;
}

static int ext_crldp(struct val_cert *c, const struct der *v, const char *fn)
{
	struct der seq, dp, f[3], full, gn;
	struct der_iter it;
	const char *what = NULL;
	int rc;

	if (der_read_all(v->p, v->len, &seq) < 0 || seq.tag != DER_SEQUENCE || der_count(&seq) != 1 ||
	    der_read_all(seq.p, seq.len, &dp) < 0 ||
	    DER_SEQ(&dp, DER_SEQUENCE, tmpl_distribution_point, f, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4.8.6: CRL: want 1 distribution point", fn);
		return -1;
	}
	if (f[DP_REASONS].present || f[DP_ISSUER].present || !f[DP_NAME].present) {
		val_warnx("%s: RFC 6487 section 4.8.6: CRL: only distributionPoint fullName allowed", fn);
		return -1;
	}
	if (der_read_all(f[DP_NAME].p, f[DP_NAME].len, &full) < 0 || full.tag != DER_CTXC(0)) {
		val_warnx("%s: RFC 6487 section 4.8.6: CRL: no distribution point name", fn);
		return -1;
	}
	der_iter_init(&it, &full);
	while ((rc = der_iter_next(&it, &gn)) == 1) {
		if (!is_rsync(&gn))
			continue;
		if (c->crldp != NULL) {
			val_warnx("%s: RFC 6487 section 4.8.6: CRL: multiple rsync URIs", fn);
			return -1;
		}
		if ((c->crldp = gn_uri(&gn, VAL_URI_RSYNC)) == NULL) {
			val_warnx("%s: RFC 6487 section 4.8.6: CRL: bad URI", fn);
			return -1;
		}
	}
	if (rc < 0 || c->crldp == NULL) {
		val_warnx("%s: RFC 6487 section 4.8.6: no rsync URI in CRL distributionPoint", fn);
		return -1;
	}
	return 0;
}

static int ext_cp(const struct der *v, const char *fn)
{
	struct der seq, pi, f[2], q, qf[2];
	struct der_iter it;
	const char *what = NULL;
	int rc;

	if (der_read_all(v->p, v->len, &seq) < 0 || seq.tag != DER_SEQUENCE || der_count(&seq) != 1 ||
	    der_read_all(seq.p, seq.len, &pi) < 0 ||
	    DER_SEQ(&pi, DER_SEQUENCE, tmpl_policy_information, f, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4.8.9: certificatePolicies: want 1 policy", fn);
		return -1;
	}
	if (!DER_OID_IS(&f[PI_ID], OID_CP_IPADDR_ASNUMBER)) {
		char buf[64];
		val_warnx("%s: RFC 7318 section 2: certificatePolicies: unexpected OID: %s", fn,
			  der_oid_text(&f[PI_ID], buf, sizeof(buf)));
		return -1;
	}
	if (!f[PI_QUALIFIERS].present)
		return 0;
	der_iter_init(&it, &f[PI_QUALIFIERS]);
	while ((rc = der_iter_next(&it, &q)) == 1) {
		if (DER_SEQ(&q, DER_SEQUENCE, tmpl_attribute_type_and_value, qf, &what) < 0 ||
		    !DER_OID_IS(&qf[ATV_TYPE], OID_QT_CPS)) {
			val_warnx("%s: RFC 7318 section 2: certificatePolicies: want CPS qualifier", fn);
			return -1;
		}
	}
	return rc < 0 ? -1 : 0;
}

static int ext_key_usage(const struct der *v, uint8_t *bits, const char *fn)
{
	struct der ku;
	const uint8_t *b;
	size_t n;
	unsigned unused;

	if (der_read_all(v->p, v->len, &ku) < 0 || der_bits(&ku, &b, &n, &unused) < 0 || n > 2 ||
	    (n == 2 && b[1] != 0)) {
		val_warnx("%s: RFC 6487 section 4.8.4: key usage: malformed", fn);
		return -1;
	}
	*bits = n ? b[0] : 0;
	return 0;
}

static int spki_parse(struct val_cert *c, const char *fn)
{
	struct der f[2], alg[2];
	const uint8_t *key;
	size_t keylen;
	unsigned unused;
	const char *what = NULL;

	if (DER_SEQ(&c->spki, DER_SEQUENCE, tmpl_spki, f, &what) < 0 ||
	    DER_SEQ(&f[SPKI_ALG], DER_SEQUENCE, tmpl_algorithm, alg, &what) < 0 ||
	    der_bits(&f[SPKI_KEY], &key, &keylen, &unused) < 0 || unused != 0 || keylen == 0) {
		val_warnx("%s: RFC 6487 section 4.7: subjectPublicKeyInfo: malformed", fn);
		return -1;
	}
	if (DER_OID_IS(&alg[ALG_OID], OID_RSA_ENCRYPTION)) {
		if (!alg[ALG_PARAMS].present || der_null(&alg[ALG_PARAMS]) < 0) {
			val_warnx("%s: RFC 7935 section 3: rsaEncryption parameters must be NULL", fn);
			return -1;
		}
		c->key_rsa = true;
	} else if (DER_OID_IS(&alg[ALG_OID], OID_EC_PUBLIC_KEY)) {
		if (!DER_OID_IS(&alg[ALG_PARAMS], OID_PRIME256V1) || keylen != 65 || key[0] != 0x04) {
			val_warnx("%s: RFC 8208 section 3.1: want an uncompressed P-256 key", fn);
			return -1;
		}
		c->key_rsa = false;
	} else {
		char buf[64];
		val_warnx("%s: RFC 7935 section 3: unsupported key algorithm %s", fn,
			  der_oid_text(&alg[ALG_OID], buf, sizeof(buf)));
		return -1;
	}
	/* RFC 6487 4.8.2: the SKI is the SHA-1 hash of the subjectPublicKey value. */
	SHA1(key, keylen, c->ski);
	return 0;
}

/* The EC key is a point on P-256 (RFC 8208 3.1). */
static int ec_key_ok(const struct val_cert *c)
{
	const uint8_t *p = c->spki.raw;
	EVP_PKEY *pk;
	int ok = -1;

	pk = d2i_PUBKEY(NULL, &p, (long)c->spki.rawlen);
	if (pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		const EC_KEY *k = EVP_PKEY_get0_EC_KEY(pk);
		if (k != NULL && EC_KEY_check_key(k) == 1)
			ok = 0;
	}
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return ok;
}

struct val_cert *val_cert_parse(const uint8_t *der, size_t len, const char *fn)
{
	struct val_cert *c = xcalloc(1, sizeof(*c));
	struct der top, f[3], t[10], ver, v, exts, ext, e[3], x, val[2];
	struct der_iter it;
	const char *what = NULL;
	bool seen[X_N] = { 0 }, ca = false, bc = false, router = false;
	uint8_t ku = 0;
	uint32_t version;
	int rc;

	c->der = xmalloc(len ? len : 1);
	memcpy(c->der, der, len);
	c->der_len = len;
	if (der_read_all(c->der, len, &top) < 0 ||
	    DER_SEQ(&top, DER_SEQUENCE, tmpl_certificate, f, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4: not a DER certificate", fn);
		goto fail;
	}
	c->tbs = f[CERT_TBS];
	c->sigalg_outer = f[CERT_SIGALG];
	c->sig = f[CERT_SIG];
	if (DER_SEQ(&c->tbs, DER_SEQUENCE, tmpl_tbs_certificate, t, &what) < 0) {
		val_warnx("%s: RFC 6487 section 4: tbsCertificate: %s", fn, what);
		goto fail;
	}
	if (!t[TBS_VERSION].present || der_read_all(t[TBS_VERSION].p, t[TBS_VERSION].len, &ver) < 0 ||
	    der_uint32(&ver, &version) < 0 || version != 2) {
		val_warnx("%s: RFC 6487 section 4.1: want version 3 certificate", fn);
		goto fail;
	}
	if (der_serial(&t[TBS_SERIAL], c->serial, false) < 0) {
		val_warnx("%s: RFC 6487 section 4.2: serial number: want positive integer of at most 20 octets", fn);
		goto fail;
	}
	c->sigalg_tbs = t[TBS_SIGALG];
	/* Both the same algorithm; NULL and absent parameters are taken as
	 * equal (rpki-client 8.2 does not compare them at all). */
	if (sigalg_ok(&c->sigalg_tbs) < 0 || sigalg_ok(&c->sigalg_outer) < 0) {
		val_warnx("%s: RFC 7935 section 2: signature algorithm: want sha256WithRSAEncryption", fn);
		goto fail;
	}
	c->issuer = t[TBS_ISSUER];
	c->subject = t[TBS_SUBJECT];
	if (name_ok(&c->issuer) < 0 || name_ok(&c->subject) < 0) {
		val_warnx("%s: RFC 6487 section 4.4: malformed issuer or subject name", fn);
		goto fail;
	}
	if (DER_SEQ(&t[TBS_VALIDITY], DER_SEQUENCE, tmpl_validity, val, &what) < 0 ||
	    der_time(&val[VALIDITY_NOT_BEFORE], &c->not_before) < 0 ||
	    der_time(&val[VALIDITY_NOT_AFTER], &c->not_after) < 0) {
		val_warnx("%s: RFC 6487 section 4.6: malformed validity", fn);
		goto fail;
	}
	c->spki = t[TBS_SPKI];
	if (spki_parse(c, fn) < 0)
		goto fail;
	if (t[TBS_ISSUER_UID].present || t[TBS_SUBJECT_UID].present) {
		val_warnx("%s: RFC 6487 section 4: unique identifiers not allowed", fn);
		goto fail;
	}
	if (!t[TBS_EXTENSIONS].present || der_read_all(t[TBS_EXTENSIONS].p, t[TBS_EXTENSIONS].len, &exts) < 0 ||
	    exts.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 6487 section 4.8: missing or malformed extensions", fn);
		goto fail;
	}

	der_iter_init(&it, &exts);
	while ((rc = der_iter_next(&it, &ext)) == 1) {
		bool crit = false;
		int kind;
		if (DER_SEQ(&ext, DER_SEQUENCE, tmpl_extension, e, &what) < 0 ||
		    (e[EXT_CRITICAL].present && der_bool(&e[EXT_CRITICAL], &crit) < 0)) {
			val_warnx("%s: RFC 5280 section 4.1: malformed extension", fn);
			goto fail;
		}
		v = e[EXT_VALUE];
		if (DER_OID_IS(&e[EXT_ID], OID_BASIC_CONSTRAINTS))
			kind = X_BC;
		else if (DER_OID_IS(&e[EXT_ID], OID_SKI))
			kind = X_SKI;
		else if (DER_OID_IS(&e[EXT_ID], OID_AKI))
			kind = X_AKI;
		else if (DER_OID_IS(&e[EXT_ID], OID_KEY_USAGE))
			kind = X_KU;
		else if (DER_OID_IS(&e[EXT_ID], OID_EXT_KEY_USAGE))
			kind = X_EKU;
		else if (DER_OID_IS(&e[EXT_ID], OID_CRLDP))
			kind = X_CRLDP;
		else if (DER_OID_IS(&e[EXT_ID], OID_AIA))
			kind = X_AIA;
		else if (DER_OID_IS(&e[EXT_ID], OID_SIA))
			kind = X_SIA;
		else if (DER_OID_IS(&e[EXT_ID], OID_CERT_POLICIES))
			kind = X_CP;
		else if (DER_OID_IS(&e[EXT_ID], OID_IP_ADDR_BLOCKS))
			kind = X_IP;
		else if (DER_OID_IS(&e[EXT_ID], OID_AS_IDENTIFIERS))
			kind = X_AS;
		else {
			char buf[64];
			if (crit) {
				val_warnx("%s: RFC 6487 section 4.8: unknown critical extension %s", fn,
					  der_oid_text(&e[EXT_ID], buf, sizeof(buf)));
				goto fail;
			}
			val_debug("%s: ignoring extension %s", fn, der_oid_text(&e[EXT_ID], buf, sizeof(buf)));
			continue;
		}
		if (seen[kind]) {
			val_warnx("%s: RFC 5280 section 4.2: duplicate extension", fn);
			goto fail;
		}
		seen[kind] = true;
		switch (kind) {
		case X_BC: {
			struct der bcs, b[2];
			if (!crit) {
				val_warnx("%s: RFC 6487 section 4.8.1: basicConstraints must be critical", fn);
				goto fail;
			}
			if (der_read_all(v.p, v.len, &bcs) < 0 ||
			    DER_SEQ(&bcs, DER_SEQUENCE, tmpl_basic_constraints, b, &what) < 0 ||
			    (b[BC_CA].present && der_bool(&b[BC_CA], &ca) < 0)) {
				val_warnx("%s: RFC 6487 section 4.8.1: malformed basicConstraints", fn);
				goto fail;
			}
			if (b[BC_PATHLEN].present) {
				val_warnx("%s: RFC 6487 section 4.8.1: Path Length Constraint must be absent", fn);
				goto fail;
			}
			bc = true;
			break;
		}
		case X_SKI:
			if (der_read_all(v.p, v.len, &x) < 0 || x.tag != DER_OCTETSTRING || x.len != 20) {
				val_warnx("%s: RFC 6487 section 4.8.2: SKI: want 20 bytes SHA1 hash", fn);
				goto fail;
			}
			if (memcmp(x.p, c->ski, 20) != 0) {
				val_warnx("%s: RFC 6487 section 4.8.2: SKI does not match the public key", fn);
				goto fail;
			}
			break;
		case X_AKI: {
			struct der akis, a[3];
			if (crit) {
				val_warnx("%s: RFC 6487 section 4.8.3: AKI: extension not non-critical", fn);
				goto fail;
			}
			if (der_read_all(v.p, v.len, &akis) < 0 ||
			    DER_SEQ(&akis, DER_SEQUENCE, tmpl_aki, a, &what) < 0 ||
			    a[AKI_ISSUER].present || a[AKI_SERIAL].present || !a[AKI_KEYID].present ||
			    a[AKI_KEYID].len != 20) {
				val_warnx("%s: RFC 6487 section 4.8.3: AKI: want keyIdentifier of 20 bytes only", fn);
				goto fail;
			}
			memcpy(c->aki, a[AKI_KEYID].p, 20);
			c->has_aki = true;
			break;
		}
		case X_KU:
			if (!crit) {
				val_warnx("%s: RFC 6487 section 4.8.4: key usage must be critical", fn);
				goto fail;
			}
			if (ext_key_usage(&v, &ku, fn) < 0)
				goto fail;
			break;
		case X_EKU: {
			struct der seq, oid;
			if (crit || der_read_all(v.p, v.len, &seq) < 0 || seq.tag != DER_SEQUENCE ||
			    der_count(&seq) != 1 || der_read_all(seq.p, seq.len, &oid) < 0 ||
			    !DER_OID_IS(&oid, OID_KP_BGPSEC_ROUTER)) {
				val_warnx("%s: RFC 6487 section 4.8.5: EKU not allowed (RFC 8209: only a "
					  "non-critical id-kp-bgpsec-router)", fn);
				goto fail;
			}
			router = true;
			break;
		}
		case X_CRLDP:
			if (crit || ext_crldp(c, &v, fn) < 0)
				goto fail;
			break;
		case X_AIA:
			if (crit || ext_aia(c, &v, fn) < 0)
				goto fail;
			break;
		case X_SIA:
			if (crit || ext_sia(c, &v, fn) < 0)
				goto fail;
			break;
		case X_CP:
			if (!crit) {
				val_warnx("%s: RFC 6487 section 4.8.9: certificatePolicies must be critical", fn);
				goto fail;
			}
			if (ext_cp(&v, fn) < 0)
				goto fail;
			break;
		case X_IP:
			if (!crit) {
				val_warnx("%s: RFC 6487 section 4.8.10: sbgp-ipAddrBlock must be critical", fn);
				goto fail;
			}
			if (val_res_parse_ip(&v, &c->res, fn) < 0)
				goto fail;
			break;
		case X_AS:
			if (!crit) {
				val_warnx("%s: RFC 6487 section 4.8.11: autonomousSysNum must be critical", fn);
				goto fail;
			}
			if (val_res_parse_as(&v, &c->res, fn) < 0)
				goto fail;
			break;
		}
	}
	if (rc < 0) {
		val_warnx("%s: RFC 6487 section 4.8: malformed extensions", fn);
		goto fail;
	}

	if (!seen[X_SKI]) {
		val_warnx("%s: RFC 6487 section 4.8.2: missing SKI", fn);
		goto fail;
	}
	if (!seen[X_KU]) {
		val_warnx("%s: RFC 6487 section 4.8.4: missing key usage", fn);
		goto fail;
	}
	if (!seen[X_CP]) {
		val_warnx("%s: RFC 6487 section 4.8.9: missing certificatePolicies", fn);
		goto fail;
	}
	if (!c->res.ip_ext && !c->res.as_ext) {
		val_warnx("%s: RFC 6487 section 4.8.10: missing IP or AS resources", fn);
		goto fail;
	}
	if (bc && !ca) {
		val_warnx("%s: RFC 6487 section 4.8.1: Basic Constraints ext in non-CA cert", fn);
		goto fail;
	}
	if (ca) {
		c->purpose = VAL_CERT_CA;
		if (ku != 0x06) {	/* keyCertSign | cRLSign */
			val_warnx("%s: RFC 6487 section 4.8.4: key usage violation: want keyCertSign and cRLSign", fn);
			goto fail;
		}
		if (router) {
			val_warnx("%s: RFC 6487 section 4.8.5: EKU not allowed in a CA certificate", fn);
			goto fail;
		}
		if (c->repo == NULL || c->mft == NULL) {
			val_warnx("%s: RFC 6487 section 4.8.8: SIA: missing caRepository or rpkiManifest", fn);
			goto fail;
		}
		if (!val_uri_under(c->mft, c->repo[strlen(c->repo) - 1] == '/' ? c->repo : "")) {
			val_warnx("%s: RFC 6487 section 4.8.8: SIA: rpkiManifest not in caRepository", fn);
			goto fail;
		}
		if (c->signed_object != NULL) {
			val_warnx("%s: RFC 6487 section 4.8.8.1: SIA: signedObject in a CA certificate", fn);
			goto fail;
		}
		if (!c->key_rsa) {
			val_warnx("%s: RFC 7935 section 3: CA certificate without an RSA key", fn);
			goto fail;
		}
	} else if (router) {
		c->purpose = VAL_CERT_ROUTER;
		if (ku != 0x80) {
			val_warnx("%s: RFC 6487 section 4.8.4: KU must be digitalSignature", fn);
			goto fail;
		}
		if (seen[X_SIA]) {
			val_warnx("%s: RFC 8209 section 3.1.3.3: unexpected SIA extension in BGPsec cert", fn);
			goto fail;
		}
		if (c->res.ip_ext) {
			val_warnx("%s: RFC 8209 section 3.1.3.4: unexpected IP resources in BGPsec cert", fn);
			goto fail;
		}
		if (!c->res.as_ext || c->res.as_inherit) {
			val_warnx("%s: RFC 8209 section 3.1.3.5: BGPsec cert needs explicit AS resources", fn);
			goto fail;
		}
		if (c->key_rsa || ec_key_ok(c) < 0) {
			val_warnx("%s: RFC 8208 section 3.1: BGPsec router key is not a valid P-256 key", fn);
			goto fail;
		}
	} else {
		c->purpose = VAL_CERT_EE;
		if (ku != 0x80) {
			val_warnx("%s: RFC 6487 section 4.8.4: KU must be digitalSignature", fn);
			goto fail;
		}
		/* rpkiNotify in an EE exists in the wild (errata 7239) and is ignored. */
		if (c->repo != NULL || c->mft != NULL) {
			val_warnx("%s: RFC 6487 section 4.8.8.2: SIA: unexpected CA access methods", fn);
			goto fail;
		}
		if (!c->key_rsa) {
			val_warnx("%s: RFC 7935 section 3: EE certificate without an RSA key", fn);
			goto fail;
		}
	}
	return c;
fail:
	val_cert_free(c);
	return NULL;
}

void val_cert_free(struct val_cert *c)
{
	if (c == NULL)
		return;
	free(c->der);
	free(c->crldp);
	free(c->aia);
	free(c->repo);
	free(c->mft);
	free(c->notify);
	free(c->signed_object);
	val_res_clear(&c->res);
	free(c);
}

val_key *val_key_from_spki(const uint8_t *spki, size_t len, const char *fn)
{
	const uint8_t *p = spki;
	RSA *rsa = d2i_RSA_PUBKEY(NULL, &p, (long)len);
	const BIGNUM *n, *e;
	int bits;

	if (rsa == NULL || p != spki + len) {
		RSA_free(rsa);
		val_log_crypto(fn, "RFC 7935 section 3: not an RSA public key");
		return NULL;
	}
	RSA_get0_key(rsa, &n, &e, NULL);
	bits = BN_num_bits(n);
	if (bits < 2048 || bits > 4096 || !BN_is_word(e, 65537)) {
		val_warnx("%s: RFC 7935 section 3: want an RSA key of 2048 bits with exponent 65537 (have %d bits)",
			  fn, bits);
		RSA_free(rsa);
		return NULL;
	}
	return rsa;
}

void val_key_free(val_key *k)
{
	RSA_free(k);
}

int val_verify(val_key *k, const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen)
{
	uint8_t md[32];

	if (k == NULL || siglen == 0 || siglen > 1024)
		return -1;
	SHA256(data, len, md);
	if (RSA_verify(NID_sha256, md, sizeof(md), sig, (unsigned)siglen, k) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

char *val_ski_text(const uint8_t ski[20], char *buf, size_t size)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t i = 0; i < 20 && o + 3 < size; i++) {
		if (i)
			buf[o++] = ':';
		buf[o++] = hx[ski[i] >> 4];
		buf[o++] = hx[ski[i] & 15];
	}
	if (size)
		buf[o < size ? o : size - 1] = '\0';
	return buf;
}

int val_cert_check(const struct val_cert *c, const struct val_issuer *iss, const struct val_crl *crl,
		   int64_t now, struct val_rset *eff, const char *fn)
{
	const uint8_t *sig;
	size_t siglen;
	unsigned unused;
	char a[64], b[64];

	if (!c->has_aki || memcmp(c->aki, iss->cert->ski, 20) != 0) {
		val_warnx("%s: RFC 6487 section 4.8.3: AKI %s does not match the issuer's SKI %s", fn,
			  c->has_aki ? val_ski_text(c->aki, a, sizeof(a)) : "(none)",
			  val_ski_text(iss->cert->ski, b, sizeof(b)));
		return -1;
	}
	if (c->issuer.rawlen != iss->cert->subject.rawlen ||
	    memcmp(c->issuer.raw, iss->cert->subject.raw, c->issuer.rawlen) != 0) {
		val_warnx("%s: RFC 5280 section 6.1.3: issuer name does not match the issuer's subject", fn);
		return -1;
	}
	if (der_bits(&c->sig, &sig, &siglen, &unused) < 0 || unused ||
	    val_verify(iss->key, c->tbs.raw, c->tbs.rawlen, sig, siglen) < 0) {
		val_warnx("%s: RFC 6487 section 4.3: bad certificate signature", fn);
		return -1;
	}
	if (now < c->not_before) {
		val_warnx("%s: certificate not yet valid (notBefore %s)", fn,
			  val_time_text(c->not_before, a, sizeof(a)));
		return -1;
	}
	if (now > c->not_after) {
		val_warnx("%s: certificate has expired (notAfter %s)", fn, val_time_text(c->not_after, a, sizeof(a)));
		return -1;
	}
	if (c->crldp == NULL) {
		val_warnx("%s: RFC 6487 section 4.8.6: CRL: extension missing", fn);
		return -1;
	}
	if (c->aia == NULL) {
		val_warnx("%s: RFC 6487 section 4.8.7: AIA: extension missing", fn);
		return -1;
	}
	if (iss->crl_uri != NULL && strcmp(c->crldp, iss->crl_uri) != 0) {
		val_warnx("%s: RFC 6487 section 4.8.6: CRL: %s is not the issuer's CRL %s", fn, c->crldp,
			  iss->crl_uri);
		return -1;
	}
	if (crl == NULL) {
		val_warnx("%s: no CRL of the issuer available", fn);
		return -1;
	}
	if (val_crl_revoked(crl, c->serial)) {
		val_warnx("%s: certificate revoked", fn);
		return -1;
	}
	return val_res_check(iss->res, &c->res, eff, fn);
}
