/*
 * val_asn1.h - every DER template and object identifier the bundled RPKI
 * validator decodes, in one place, each next to the ASN.1 module it follows.
 *
 * A template is the list of the components of one SEQUENCE, in order, with
 * their tags: der_seq() (val_der.c) matches a value's children against it,
 * leaving out OPTIONAL components that are absent and rejecting any child
 * the template does not name, then hands back each component as a struct
 * der. What a component contains is checked by the caller (val_cert.c,
 * val_cms.c, ...). Tags are single identifier octets (class, constructed
 * bit, number < 31); every tag RPKI objects use fits.
 *
 * Object identifiers are their DER content octets as string literals, for
 * der_oid_is(d, OID_X) (which uses sizeof).
 */
#ifndef RPKI_VAL_ASN1_H
#define RPKI_VAL_ASN1_H

#include <stdint.h>

/* ---- tags ------------------------------------------------------------------ */

#define DER_BOOLEAN	0x01
#define DER_INTEGER	0x02
#define DER_BITSTRING	0x03
#define DER_OCTETSTRING	0x04
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_UTF8STRING	0x0c
#define DER_PRINTABLE	0x13
#define DER_TELETEX	0x14
#define DER_IA5STRING	0x16
#define DER_UTCTIME	0x17
#define DER_GENTIME	0x18
#define DER_SEQUENCE	0x30
#define DER_SET		0x31
#define DER_CTX(n)	(0x80 | (n))	/* [n] IMPLICIT, primitive */
#define DER_CTXC(n)	(0xa0 | (n))	/* [n] EXPLICIT, or IMPLICIT constructed */
/* Template pseudo-tags (never on the wire). */
#define DER_ANY		0x00		/* any single TLV */
#define DER_TIME	0xff		/* Time ::= CHOICE { UTCTime, GeneralizedTime } */

struct der_field {
	uint8_t tag;
	uint8_t optional;
	const char *name;		/* for rejection messages */
};

#define DER_TEMPLATE(name) static const struct der_field __attribute__((unused)) name[]
#define DER_NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- RFC 5280 / RFC 6487: certificates ---------------------------------------- */

/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } */
enum { CERT_TBS, CERT_SIGALG, CERT_SIG };
DER_TEMPLATE(tmpl_certificate) = {
	{ DER_SEQUENCE, 0, "tbsCertificate" },
	{ DER_SEQUENCE, 0, "signatureAlgorithm" },
	{ DER_BITSTRING, 0, "signatureValue" },
};

/*
 * TBSCertificate ::= SEQUENCE {
 *   version [0] EXPLICIT Version DEFAULT v1, serialNumber, signature,
 *   issuer, validity, subject, subjectPublicKeyInfo,
 *   issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
 *   extensions [3] EXPLICIT Extensions OPTIONAL }
 * RFC 6487 4: version 3, no unique IDs, extensions present (checked by caller).
 */
enum { TBS_VERSION, TBS_SERIAL, TBS_SIGALG, TBS_ISSUER, TBS_VALIDITY, TBS_SUBJECT, TBS_SPKI,
       TBS_ISSUER_UID, TBS_SUBJECT_UID, TBS_EXTENSIONS };
DER_TEMPLATE(tmpl_tbs_certificate) = {
	{ DER_CTXC(0), 1, "version" },
	{ DER_INTEGER, 0, "serialNumber" },
	{ DER_SEQUENCE, 0, "signature" },
	{ DER_SEQUENCE, 0, "issuer" },
	{ DER_SEQUENCE, 0, "validity" },
	{ DER_SEQUENCE, 0, "subject" },
	{ DER_SEQUENCE, 0, "subjectPublicKeyInfo" },
	{ DER_CTX(1), 1, "issuerUniqueID" },
	{ DER_CTX(2), 1, "subjectUniqueID" },
	{ DER_CTXC(3), 1, "extensions" },
};

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
enum { ALG_OID, ALG_PARAMS };
DER_TEMPLATE(tmpl_algorithm) = {
	{ DER_OID, 0, "algorithm" },
	{ DER_ANY, 1, "parameters" },
};

/* Validity ::= SEQUENCE { notBefore Time, notAfter Time } */
enum { VALIDITY_NOT_BEFORE, VALIDITY_NOT_AFTER };
DER_TEMPLATE(tmpl_validity) = {
	{ DER_TIME, 0, "notBefore" },
	{ DER_TIME, 0, "notAfter" },
};

/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING } */
enum { SPKI_ALG, SPKI_KEY };
DER_TEMPLATE(tmpl_spki) = {
	{ DER_SEQUENCE, 0, "algorithm" },
	{ DER_BITSTRING, 0, "subjectPublicKey" },
};

/* AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY } */
enum { ATV_TYPE, ATV_VALUE };
DER_TEMPLATE(tmpl_attribute_type_and_value) = {
	{ DER_OID, 0, "type" },
	{ DER_ANY, 0, "value" },
};

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
enum { EXT_ID, EXT_CRITICAL, EXT_VALUE };
DER_TEMPLATE(tmpl_extension) = {
	{ DER_OID, 0, "extnID" },
	{ DER_BOOLEAN, 1, "critical" },
	{ DER_OCTETSTRING, 0, "extnValue" },
};

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
enum { BC_CA, BC_PATHLEN };
DER_TEMPLATE(tmpl_basic_constraints) = {
	{ DER_BOOLEAN, 1, "cA" },
	{ DER_INTEGER, 1, "pathLenConstraint" },
};

/* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
 *   authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }
 * RFC 6487 4.8.3: only keyIdentifier. */
enum { AKI_KEYID, AKI_ISSUER, AKI_SERIAL };
DER_TEMPLATE(tmpl_aki) = {
	{ DER_CTX(0), 1, "keyIdentifier" },
	{ DER_CTXC(1), 1, "authorityCertIssuer" },
	{ DER_CTX(2), 1, "authorityCertSerialNumber" },
};

/* AccessDescription ::= SEQUENCE { accessMethod OID, accessLocation GeneralName } */
enum { AD_METHOD, AD_LOCATION };
DER_TEMPLATE(tmpl_access_description) = {
	{ DER_OID, 0, "accessMethod" },
	{ DER_ANY, 0, "accessLocation" },
};
#define GN_URI DER_CTX(6)	/* GeneralName uniformResourceIdentifier [6] IA5String */

/* DistributionPoint ::= SEQUENCE { distributionPoint [0] OPTIONAL,
 *   reasons [1] OPTIONAL, cRLIssuer [2] OPTIONAL }
 * DistributionPointName ::= CHOICE { fullName [0] GeneralNames, ... }
 * RFC 6487 4.8.6: one distribution point, fullName only. */
enum { DP_NAME, DP_REASONS, DP_ISSUER };
DER_TEMPLATE(tmpl_distribution_point) = {
	{ DER_CTXC(0), 1, "distributionPoint" },
	{ DER_CTX(1), 1, "reasons" },
	{ DER_CTXC(2), 1, "cRLIssuer" },
};

/* PolicyInformation ::= SEQUENCE { policyIdentifier OID, policyQualifiers SEQUENCE OPTIONAL } */
enum { PI_ID, PI_QUALIFIERS };
DER_TEMPLATE(tmpl_policy_information) = {
	{ DER_OID, 0, "policyIdentifier" },
	{ DER_SEQUENCE, 1, "policyQualifiers" },
};

/* ---- RFC 3779: IP address and AS identifier delegation ------------------- */

/* IPAddressFamily ::= SEQUENCE { addressFamily OCTET STRING (SIZE (2..3)),
 *   ipAddressChoice CHOICE { inherit NULL, addressesOrRanges SEQUENCE OF IPAddressOrRange } }
 * IPAddressOrRange ::= CHOICE { addressPrefix BIT STRING, addressRange IPAddressRange } */
enum { IPAF_AFI, IPAF_CHOICE };
DER_TEMPLATE(tmpl_ip_address_family) = {
	{ DER_OCTETSTRING, 0, "addressFamily" },
	{ DER_ANY, 0, "ipAddressChoice" },
};

/* IPAddressRange ::= SEQUENCE { min BIT STRING, max BIT STRING } */
enum { IPR_MIN, IPR_MAX };
DER_TEMPLATE(tmpl_ip_address_range) = {
	{ DER_BITSTRING, 0, "min" },
	{ DER_BITSTRING, 0, "max" },
};

/* ASIdentifiers ::= SEQUENCE { asnum [0] EXPLICIT ASIdentifierChoice OPTIONAL,
 *   rdi [1] EXPLICIT ASIdentifierChoice OPTIONAL }
 * ASIdentifierChoice ::= CHOICE { inherit NULL, asIdsOrRanges SEQUENCE OF ASIdOrRange }
 * ASIdOrRange ::= CHOICE { id INTEGER, range ASRange }
 * RFC 6487 4.8.11: no rdi. */
enum { ASIDS_ASNUM, ASIDS_RDI };
DER_TEMPLATE(tmpl_as_identifiers) = {
	{ DER_CTXC(0), 1, "asnum" },
	{ DER_CTXC(1), 1, "rdi" },
};

/* ASRange ::= SEQUENCE { min ASId, max ASId } */
enum { ASR_MIN, ASR_MAX };
DER_TEMPLATE(tmpl_as_range) = {
	{ DER_INTEGER, 0, "min" },
	{ DER_INTEGER, 0, "max" },
};

/* ---- RFC 5280 / RFC 6487 5: CRLs ------------------------------------------------------ */

/* CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } */
DER_TEMPLATE(tmpl_certificate_list) = {
	{ DER_SEQUENCE, 0, "tbsCertList" },
	{ DER_SEQUENCE, 0, "signatureAlgorithm" },
	{ DER_BITSTRING, 0, "signatureValue" },
};

/* TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2 in RPKI), signature,
 *   issuer, thisUpdate Time, nextUpdate Time OPTIONAL (required in RPKI),
 *   revokedCertificates SEQUENCE OF SEQUENCE OPTIONAL,
 *   crlExtensions [0] EXPLICIT Extensions OPTIONAL (required in RPKI) } */
enum { TBSCRL_VERSION, TBSCRL_SIGALG, TBSCRL_ISSUER, TBSCRL_THIS, TBSCRL_NEXT, TBSCRL_REVOKED,
       TBSCRL_EXTENSIONS };
DER_TEMPLATE(tmpl_tbs_cert_list) = {
	{ DER_INTEGER, 1, "version" },
	{ DER_SEQUENCE, 0, "signature" },
	{ DER_SEQUENCE, 0, "issuer" },
	{ DER_TIME, 0, "thisUpdate" },
	{ DER_TIME, 1, "nextUpdate" },
	{ DER_SEQUENCE, 1, "revokedCertificates" },
	{ DER_CTXC(0), 1, "crlExtensions" },
};

/* revokedCertificates entry: SEQUENCE { userCertificate INTEGER,
 *   revocationDate Time, crlEntryExtensions Extensions OPTIONAL } */
enum { REV_SERIAL, REV_DATE, REV_EXTENSIONS };
DER_TEMPLATE(tmpl_revoked_certificate) = {
	{ DER_INTEGER, 0, "userCertificate" },
	{ DER_TIME, 0, "revocationDate" },
	{ DER_SEQUENCE, 1, "crlEntryExtensions" },
};

/* ---- RFC 5652 / RFC 6488: signed objects ----------------------------------------- */

/* ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } */
enum { CI_TYPE, CI_CONTENT };
DER_TEMPLATE(tmpl_content_info) = {
	{ DER_OID, 0, "contentType" },
	{ DER_CTXC(0), 0, "content" },
};

/* SignedData ::= SEQUENCE { version CMSVersion (3), digestAlgorithms SET,
 *   encapContentInfo, certificates [0] IMPLICIT OPTIONAL (one EE cert in RPKI),
 *   crls [1] IMPLICIT OPTIONAL (absent in RPKI), signerInfos SET (one) } */
enum { SD_VERSION, SD_DIGESTALGS, SD_ENCAP, SD_CERTS, SD_CRLS, SD_SIGNERS };
DER_TEMPLATE(tmpl_signed_data) = {
	{ DER_INTEGER, 0, "version" },
	{ DER_SET, 0, "digestAlgorithms" },
	{ DER_SEQUENCE, 0, "encapContentInfo" },
	{ DER_CTXC(0), 1, "certificates" },
	{ DER_CTXC(1), 1, "crls" },
	{ DER_SET, 0, "signerInfos" },
};

/* EncapsulatedContentInfo ::= SEQUENCE { eContentType OID,
 *   eContent [0] EXPLICIT OCTET STRING OPTIONAL (present in RPKI) } */
enum { ECI_TYPE, ECI_CONTENT };
DER_TEMPLATE(tmpl_encap_content_info) = {
	{ DER_OID, 0, "eContentType" },
	{ DER_CTXC(0), 1, "eContent" },
};

/* SignerInfo ::= SEQUENCE { version (3), sid [0] SubjectKeyIdentifier,
 *   digestAlgorithm, signedAttrs [0] IMPLICIT SET OF Attribute,
 *   signatureAlgorithm, signature OCTET STRING,
 *   unsignedAttrs [1] IMPLICIT OPTIONAL (absent in RPKI) }
 * RFC 6488 2.1.6: sid is the subjectKeyIdentifier choice, signedAttrs present. */
enum { SI_VERSION, SI_SID, SI_DIGESTALG, SI_SIGNEDATTRS, SI_SIGALG, SI_SIGNATURE, SI_UNSIGNED };
DER_TEMPLATE(tmpl_signer_info) = {
	{ DER_INTEGER, 0, "version" },
	{ DER_CTX(0), 0, "sid" },
	{ DER_SEQUENCE, 0, "digestAlgorithm" },
	{ DER_CTXC(0), 0, "signedAttrs" },
	{ DER_SEQUENCE, 0, "signatureAlgorithm" },
	{ DER_OCTETSTRING, 0, "signature" },
	{ DER_CTXC(1), 1, "unsignedAttrs" },
};

/* Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY } */
enum { ATTR_TYPE, ATTR_VALUES };
DER_TEMPLATE(tmpl_attribute) = {
	{ DER_OID, 0, "attrType" },
	{ DER_SET, 0, "attrValues" },
};

/* ---- RFC 9286: manifests ------------------------------------------------------------ */

/* Manifest ::= SEQUENCE { version [0] INTEGER DEFAULT 0, manifestNumber INTEGER (0..MAX),
 *   thisUpdate GeneralizedTime, nextUpdate GeneralizedTime,
 *   fileHashAlg OBJECT IDENTIFIER, fileList SEQUENCE SIZE (0..MAX) OF FileAndHash } */
enum { MFT_VERSION, MFT_NUMBER, MFT_THIS, MFT_NEXT, MFT_HASHALG, MFT_FILES };
DER_TEMPLATE(tmpl_manifest) = {
	{ DER_CTXC(0), 1, "version" },
	{ DER_INTEGER, 0, "manifestNumber" },
	{ DER_GENTIME, 0, "thisUpdate" },
	{ DER_GENTIME, 0, "nextUpdate" },
	{ DER_OID, 0, "fileHashAlg" },
	{ DER_SEQUENCE, 0, "fileList" },
};

/* FileAndHash ::= SEQUENCE { file IA5String, hash BIT STRING } */
enum { FAH_FILE, FAH_HASH };
DER_TEMPLATE(tmpl_file_and_hash) = {
	{ DER_IA5STRING, 0, "file" },
	{ DER_BITSTRING, 0, "hash" },
};

/* ---- RFC 9582: ROAs --------------------------------------------------------------------- */

/* RouteOriginAttestation ::= SEQUENCE { version [0] INTEGER DEFAULT 0,
 *   asID ASID, ipAddrBlocks SEQUENCE (SIZE(1..2)) OF ROAIPAddressFamily } */
enum { ROA_VERSION, ROA_ASID, ROA_BLOCKS };
DER_TEMPLATE(tmpl_roa) = {
	{ DER_CTXC(0), 1, "version" },
	{ DER_INTEGER, 0, "asID" },
	{ DER_SEQUENCE, 0, "ipAddrBlocks" },
};

/* ROAIPAddressFamily ::= SEQUENCE { addressFamily OCTET STRING (SIZE(2)),
 *   addresses SEQUENCE (SIZE(1..MAX)) OF ROAIPAddress } */
enum { ROAF_AFI, ROAF_ADDRESSES };
DER_TEMPLATE(tmpl_roa_family) = {
	{ DER_OCTETSTRING, 0, "addressFamily" },
	{ DER_SEQUENCE, 0, "addresses" },
};

/* ROAIPAddress ::= SEQUENCE { address IPAddress (BIT STRING), maxLength INTEGER OPTIONAL } */
enum { ROAA_ADDRESS, ROAA_MAXLEN };
DER_TEMPLATE(tmpl_roa_address) = {
	{ DER_BITSTRING, 0, "address" },
	{ DER_INTEGER, 1, "maxLength" },
};

/* ---- ASPA: draft-ietf-sidrops-aspa-profile ------------------------------------------ */

/* Profile -16 and later ("v1"):
 * ASProviderAttestation ::= SEQUENCE { version [0] INTEGER (1) (explicitly encoded),
 *   customerASID ASID, providers SEQUENCE (SIZE(1..MAX)) OF ASID } */
enum { ASPA_VERSION, ASPA_CUSTOMER, ASPA_PROVIDERS };
DER_TEMPLATE(tmpl_aspa) = {
	{ DER_CTXC(0), 1, "version" },
	{ DER_INTEGER, 0, "customerASID" },
	{ DER_SEQUENCE, 0, "providers" },
};
/* Profile -08 to -14 ("v0", what rpki-client 8.x and mkrepo --aspa-profile v0 use):
 * ASProviderAttestation ::= SEQUENCE { version [0] INTEGER DEFAULT 0,
 *   customerASID ASID, providers SEQUENCE (SIZE(1..MAX)) OF ProviderAS }
 * ProviderAS ::= SEQUENCE { providerASID ASID, afiLimit OCTET STRING (SIZE(2)) OPTIONAL }
 * The same outer template; the provider entries tell the profiles apart. */
enum { PAS_ASID, PAS_AFI };
DER_TEMPLATE(tmpl_provider_as) = {
	{ DER_INTEGER, 0, "providerASID" },
	{ DER_OCTETSTRING, 1, "afiLimit" },
};

/* ---- object identifiers (DER content octets) -------------------------------------- */

#define OID_RSA_ENCRYPTION	"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"		/* 1.2.840.113549.1.1.1 */
#define OID_SHA256_WITH_RSA	"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"		/* 1.2.840.113549.1.1.11 */
#define OID_SHA256		"\x60\x86\x48\x01\x65\x03\x04\x02\x01"		/* 2.16.840.1.101.3.4.2.1 */
#define OID_EC_PUBLIC_KEY	"\x2a\x86\x48\xce\x3d\x02\x01"			/* 1.2.840.10045.2.1 */
#define OID_PRIME256V1		"\x2a\x86\x48\xce\x3d\x03\x01\x07"		/* 1.2.840.10045.3.1.7 */

#define OID_SIGNED_DATA		"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"		/* 1.2.840.113549.1.7.2 */
#define OID_CONTENT_TYPE	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03"		/* 1.2.840.113549.1.9.3 */
#define OID_MESSAGE_DIGEST	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04"		/* 1.2.840.113549.1.9.4 */
#define OID_SIGNING_TIME	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05"		/* 1.2.840.113549.1.9.5 */
#define OID_BINARY_SIGNING_TIME	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x2e"	/* 1.2.840.113549.1.9.16.2.46 */

/* eContentTypes, 1.2.840.113549.1.9.16.1.N */
#define OID_CT_ROA		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x18"	/* .24 RFC 9582 */
#define OID_CT_MFT		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x1a"	/* .26 RFC 9286 */
#define OID_CT_GBR		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x23"	/* .35 RFC 6493 */
#define OID_CT_ASPA		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x31"	/* .49 */
#define OID_CT_GEOFEED		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x2f"	/* .47 RFC 9632 */
#define OID_CT_RSC		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x30"	/* .48 RFC 9323 */
#define OID_CT_TAK		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x32"	/* .50 RFC 9691 */
#define OID_CT_SPL		"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x33"	/* .51 signed prefix list */

/* certificate extensions */
#define OID_SKI			"\x55\x1d\x0e"	/* 2.5.29.14 */
#define OID_KEY_USAGE		"\x55\x1d\x0f"	/* 2.5.29.15 */
#define OID_BASIC_CONSTRAINTS	"\x55\x1d\x13"	/* 2.5.29.19 */
#define OID_CRL_NUMBER		"\x55\x1d\x14"	/* 2.5.29.20 */
#define OID_CRLDP		"\x55\x1d\x1f"	/* 2.5.29.31 */
#define OID_CERT_POLICIES	"\x55\x1d\x20"	/* 2.5.29.32 */
#define OID_AKI			"\x55\x1d\x23"	/* 2.5.29.35 */
#define OID_EXT_KEY_USAGE	"\x55\x1d\x25"	/* 2.5.29.37 */
#define OID_AIA			"\x2b\x06\x01\x05\x05\x07\x01\x01"	/* 1.3.6.1.5.5.7.1.1 */
#define OID_IP_ADDR_BLOCKS	"\x2b\x06\x01\x05\x05\x07\x01\x07"	/* 1.3.6.1.5.5.7.1.7 */
#define OID_AS_IDENTIFIERS	"\x2b\x06\x01\x05\x05\x07\x01\x08"	/* 1.3.6.1.5.5.7.1.8 */
#define OID_SIA			"\x2b\x06\x01\x05\x05\x07\x01\x0b"	/* 1.3.6.1.5.5.7.1.11 */
#define OID_IP_ADDR_BLOCKS_V2	"\x2b\x06\x01\x05\x05\x07\x01\x1c"	/* 1.3.6.1.5.5.7.1.28 RFC 8360 */
#define OID_AS_IDENTIFIERS_V2	"\x2b\x06\x01\x05\x05\x07\x01\x1d"	/* 1.3.6.1.5.5.7.1.29 RFC 8360 */
/* access methods */
#define OID_AD_CA_ISSUERS	"\x2b\x06\x01\x05\x05\x07\x30\x02"	/* 1.3.6.1.5.5.7.48.2 */
#define OID_AD_CA_REPOSITORY	"\x2b\x06\x01\x05\x05\x07\x30\x05"	/* 1.3.6.1.5.5.7.48.5 */
#define OID_AD_RPKI_MANIFEST	"\x2b\x06\x01\x05\x05\x07\x30\x0a"	/* 1.3.6.1.5.5.7.48.10 */
#define OID_AD_SIGNED_OBJECT	"\x2b\x06\x01\x05\x05\x07\x30\x0b"	/* 1.3.6.1.5.5.7.48.11 */
#define OID_AD_RPKI_NOTIFY	"\x2b\x06\x01\x05\x05\x07\x30\x0d"	/* 1.3.6.1.5.5.7.48.13 */
/* policies and purposes */
#define OID_CP_IPADDR_ASNUMBER	"\x2b\x06\x01\x05\x05\x07\x0e\x02"	/* 1.3.6.1.5.5.7.14.2 RFC 6484 */
#define OID_CP_IPADDR_ASNUMBER_V2 "\x2b\x06\x01\x05\x05\x07\x0e\x03"	/* 1.3.6.1.5.5.7.14.3 RFC 8360 */
#define OID_QT_CPS		"\x2b\x06\x01\x05\x05\x07\x02\x01"	/* 1.3.6.1.5.5.7.2.1 */
#define OID_KP_BGPSEC_ROUTER	"\x2b\x06\x01\x05\x05\x07\x03\x1e"	/* 1.3.6.1.5.5.7.3.30 RFC 8209 */

#endif
