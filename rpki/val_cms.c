/*
 * val_cms.c - the RPKI signed object profile (RFC 6488): CMS SignedData
 * with one EE certificate, one SignerInfo identified by SKI, the required
 * signed attributes, SHA-256 and RSA.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

/* AlgorithmIdentifier of oid with absent or NULL parameters. */
static bool alg_is(const struct der *d, const char *oid, size_t oidlen)
{
	struct der a[2];
	const char *what = NULL;

	if (DER_SEQ(d, DER_SEQUENCE, tmpl_algorithm, a, &what) < 0 || !der_oid_eq(&a[ALG_OID], oid, oidlen))
		return false;
	return !a[ALG_PARAMS].present || der_null(&a[ALG_PARAMS]) == 0;
}
#define ALG_IS(d, oid) alg_is((d), (oid), sizeof(oid) - 1)

/* The single value of an attribute's SET. */
static int attr_value(const struct der *values, struct der *out)
{
	return der_read_all(values->p, values->len, out);
}

static int signed_attrs(const struct der *attrs, const struct der *ctype, const uint8_t md[32],
			struct val_signed *out, const char *fn)
{
	struct der_iter it;
	struct der a, f[2], v;
	const char *what = NULL;
	bool have_ct = false, have_md = false, have_st = false, have_bst = false;
	int rc;

	der_iter_init(&it, attrs);
	while ((rc = der_iter_next(&it, &a)) == 1) {
		if (DER_SEQ(&a, DER_SEQUENCE, tmpl_attribute, f, &what) < 0 ||
		    attr_value(&f[ATTR_VALUES], &v) < 0) {
			val_warnx("%s: RFC 6488 section 2.1.6.4: bad signed attribute (want one value)", fn);
			return -1;
		}
		if (DER_OID_IS(&f[ATTR_TYPE], OID_CONTENT_TYPE)) {
			if (have_ct) {
				val_warnx("%s: RFC 6488: duplicate signed attribute content-type", fn);
				return -1;
			}
			have_ct = true;
			if (v.tag != DER_OID || v.len != ctype->len || memcmp(v.p, ctype->p, v.len) != 0) {
				val_warnx("%s: RFC 6488: eContentType does not match Content-Type attribute", fn);
				return -1;
			}
		} else if (DER_OID_IS(&f[ATTR_TYPE], OID_MESSAGE_DIGEST)) {
			if (have_md) {
				val_warnx("%s: RFC 6488: duplicate signed attribute message-digest", fn);
				return -1;
			}
			have_md = true;
			if (v.tag != DER_OCTETSTRING || v.len != 32 || memcmp(v.p, md, 32) != 0) {
				val_warnx("%s: RFC 6488 section 2.1.6.4.2: message digest does not match eContent", fn);
				return -1;
			}
		} else if (DER_OID_IS(&f[ATTR_TYPE], OID_SIGNING_TIME)) {
			if (have_st || der_time(&v, &out->signing_time) < 0) {
				val_warnx("%s: RFC 6488: bad or duplicate signing-time attribute", fn);
				return -1;
			}
			have_st = true;
			out->has_signing_time = true;
		} else if (DER_OID_IS(&f[ATTR_TYPE], OID_BINARY_SIGNING_TIME)) {
			if (have_bst || v.tag != DER_INTEGER) {
				val_warnx("%s: RFC 6488: bad or duplicate binary-signing-time attribute", fn);
				return -1;
			}
			have_bst = true;
		} else {
			char buf[64];
			val_warnx("%s: RFC 6488 section 2.1.6.4: unexpected signed attribute %s", fn,
				  der_oid_text(&f[ATTR_TYPE], buf, sizeof(buf)));
			return -1;
		}
	}
	if (rc < 0 || !have_ct || !have_md) {
		val_warnx("%s: RFC 6488 section 2.1.6.4: CMS missing required signed attribute", fn);
		return -1;
	}
	return 0;
}

/* detached != NULL: the content is not in the object (RFC 9632 signed geofeeds). */
static int cms_parse(const uint8_t *der, size_t len, const char *fn, const char *oid, size_t oidlen,
		     const uint8_t *detached, size_t detached_len, struct val_signed *out)
{
	struct der top, ci[2], sd, s[6], eci[2], octets, certs, cert, si, sif[7], alg;
	const char *what = NULL;
	uint32_t version;
	uint8_t md[32];
	val_key *key = NULL;
	SHA256_CTX ctx;
	uint8_t one = DER_SET;

	memset(out, 0, sizeof(*out));
	if (der_read_all(der, len, &top) < 0) {
		/* RFC 6488 2.1 wants DER, but BER objects were published and
		 * rpki-client (via OpenSSL's CMS) accepts them: re-encode. */
		size_t dlen;
		if ((out->der = der_from_ber(der, len, &dlen)) != NULL) {
			der = out->der;
			len = dlen;
		}
	}
	if (der_read_all(der, len, &top) < 0 ||
	    DER_SEQ(&top, DER_SEQUENCE, tmpl_content_info, ci, &what) < 0 ||
	    !DER_OID_IS(&ci[CI_TYPE], OID_SIGNED_DATA) ||
	    der_read_all(ci[CI_CONTENT].p, ci[CI_CONTENT].len, &sd) < 0 ||
	    DER_SEQ(&sd, DER_SEQUENCE, tmpl_signed_data, s, &what) < 0) {
		val_warnx("%s: RFC 6488: failed CMS parse (not a DER SignedData)", fn);
		goto fail;
	}
	if (der_uint32(&s[SD_VERSION], &version) < 0 || version != 3) {
		val_warnx("%s: RFC 6488 section 2.1.1: SignedData version must be 3", fn);
		goto fail;
	}
	if (der_read_all(s[SD_DIGESTALGS].p, s[SD_DIGESTALGS].len, &alg) < 0 || !ALG_IS(&alg, OID_SHA256)) {
		val_warnx("%s: RFC 6488 section 2.1.2: digestAlgorithms: want SHA-256 only", fn);
		goto fail;
	}
	if (DER_SEQ(&s[SD_ENCAP], DER_SEQUENCE, tmpl_encap_content_info, eci, &what) < 0 ||
	    eci[ECI_CONTENT].present == (detached != NULL)) {
		val_warnx("%s: RFC 6488 section 2.1.3: malformed encapContentInfo (eContent %s)", fn,
			  detached ? "present in a detached signature" : "missing");
		goto fail;
	}
	if (!der_oid_eq(&eci[ECI_TYPE], oid, oidlen)) {
		char buf[64];
		val_warnx("%s: RFC 6488 section 2.1.3.1: eContentType: unexpected %s", fn,
			  der_oid_text(&eci[ECI_TYPE], buf, sizeof(buf)));
		goto fail;
	}
	if (detached != NULL) {
		out->econtent = detached;
		out->econtent_len = detached_len;
	} else {
		if (der_read_all(eci[ECI_CONTENT].p, eci[ECI_CONTENT].len, &octets) < 0 ||
		    octets.tag != DER_OCTETSTRING) {
			val_warnx("%s: RFC 6488 section 2.1.3.2: eContent: want a DER OCTET STRING", fn);
			goto fail;
		}
		out->econtent = octets.p;
		out->econtent_len = octets.len;
	}
	if (!s[SD_CERTS].present || (certs = s[SD_CERTS], der_count(&certs) != 1) ||
	    der_read_all(certs.p, certs.len, &cert) < 0 || cert.tag != DER_SEQUENCE) {
		val_warnx("%s: RFC 6488 section 2.1.4: certificates: want exactly one certificate", fn);
		goto fail;
	}
	if (s[SD_CRLS].present) {
		val_warnx("%s: RFC 6488 section 2.1.5: CMS has CRLs", fn);
		goto fail;
	}
	if (der_count(&s[SD_SIGNERS]) != 1 || der_read_all(s[SD_SIGNERS].p, s[SD_SIGNERS].len, &si) < 0) {
		val_warnx("%s: RFC 6488 section 2.1.6: want exactly one signerInfo", fn);
		goto fail;
	}
	if (DER_SEQ(&si, DER_SEQUENCE, tmpl_signer_info, sif, &what) < 0) {
		val_warnx("%s: RFC 6488 section 2.1.6: SignerInfo: %s", fn, what);
		goto fail;
	}
	if (der_uint32(&sif[SI_VERSION], &version) < 0 || version != 3) {
		val_warnx("%s: RFC 6488 section 2.1.6.1: SignerInfo version must be 3", fn);
		goto fail;
	}
	if (!ALG_IS(&sif[SI_DIGESTALG], OID_SHA256)) {
		val_warnx("%s: RFC 6488 section 2.1.6.3: digestAlgorithm: want SHA-256", fn);
		goto fail;
	}
	if (!ALG_IS(&sif[SI_SIGALG], OID_RSA_ENCRYPTION) && !ALG_IS(&sif[SI_SIGALG], OID_SHA256_WITH_RSA)) {
		val_warnx("%s: RFC 7935 section 2: wrong signature algorithm, want rsaEncryption", fn);
		goto fail;
	}
	if (sif[SI_UNSIGNED].present) {
		val_warnx("%s: RFC 6488 section 2.1.6.7: CMS has unsignedAttrs", fn);
		goto fail;
	}
	val_sha256(out->econtent, out->econtent_len, md);
	if (signed_attrs(&sif[SI_SIGNEDATTRS], &eci[ECI_TYPE], md, out, fn) < 0)
		goto fail;

	if ((out->ee = val_cert_parse(cert.raw, cert.rawlen, fn)) == NULL)
		goto fail;
	if (out->ee->purpose != VAL_CERT_EE) {
		val_warnx("%s: RFC 6487 section 4.8.1: signed object's certificate is not an EE certificate", fn);
		goto fail;
	}
	if (sif[SI_SID].len != 20 || memcmp(sif[SI_SID].p, out->ee->ski, 20) != 0) {
		val_warnx("%s: RFC 6488 section 2.1.6.2: wrong cert referenced by SignerInfo", fn);
		goto fail;
	}
	if ((key = val_key_from_spki(out->ee->spki.raw, out->ee->spki.rawlen, fn)) == NULL)
		goto fail;
	/* RFC 5652 5.4: the signature covers signedAttrs DER-encoded as a SET. */
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, &one, 1);
	SHA256_Update(&ctx, sif[SI_SIGNEDATTRS].raw + 1, sif[SI_SIGNEDATTRS].rawlen - 1);
	SHA256_Final(md, &ctx);
	if (sif[SI_SIGNATURE].len == 0 ||
	    RSA_verify(NID_sha256, md, 32, sif[SI_SIGNATURE].p, (unsigned)sif[SI_SIGNATURE].len, key) != 1) {
		ERR_clear_error();
		val_warnx("%s: RFC 6488 section 3 (2.1.6.6): CMS signature verification failed", fn);
		goto fail;
	}
	val_key_free(key);
	return 0;
fail:
	val_key_free(key);
	val_signed_clear(out);
	return -1;
}

int val_cms_parse(const uint8_t *der, size_t len, const char *fn, const char *oid, size_t oidlen,
		  struct val_signed *out)
{
	return cms_parse(der, len, fn, oid, oidlen, NULL, 0, out);
}

int val_cms_parse_detached(const uint8_t *der, size_t len, const char *fn, const char *oid, size_t oidlen,
			   const uint8_t *content, size_t content_len, struct val_signed *out)
{
	static const uint8_t empty[1];
	return cms_parse(der, len, fn, oid, oidlen, content ? content : empty, content_len, out);
}

int val_signed_published(const struct val_signed *s, const char *fn)
{
	if (s->ee->signed_object == NULL) {
		val_warnx("%s: RFC 6487 section 4.8.8.2: SIA: missing signedObject", fn);
		return -1;
	}
	return 0;
}

void val_signed_clear(struct val_signed *s)
{
	val_cert_free(s->ee);
	free(s->der);
	memset(s, 0, sizeof(*s));
}

const char *val_cms_content_type(const uint8_t *der, size_t len, char *buf, size_t size)
{
	struct der top, ci[2], sd, s[6], eci[2];
	const char *what, *rv = NULL;
	uint8_t *copy = NULL;
	size_t dlen;

	if (der_read_all(der, len, &top) < 0 && (copy = der_from_ber(der, len, &dlen)) != NULL) {
		der = copy;
		len = dlen;
	}
	if (der_read_all(der, len, &top) < 0 ||
	    DER_SEQ(&top, DER_SEQUENCE, tmpl_content_info, ci, &what) < 0 ||
	    !DER_OID_IS(&ci[CI_TYPE], OID_SIGNED_DATA) ||
	    der_read_all(ci[CI_CONTENT].p, ci[CI_CONTENT].len, &sd) < 0 ||
	    DER_SEQ(&sd, DER_SEQUENCE, tmpl_signed_data, s, &what) < 0 ||
	    DER_SEQ(&s[SD_ENCAP], DER_SEQUENCE, tmpl_encap_content_info, eci, &what) < 0)
		goto out;
	rv = der_oid_text(&eci[ECI_TYPE], buf, size);
out:
	free(copy);
	return rv;
}
