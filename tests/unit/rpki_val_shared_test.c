/*
 * rpki_val_shared_test.c - the validator's parsers on every real object of
 * ../shared/testdata/rpki-real/ (RIPE NCC, APNIC, AFRINIC, ARIN, RGnet...
 * plus the negative samples of rpki-client, rpki-rs and FORT), checked
 * against what its README states, and a real chain: the RIPE NCC TA, its
 * CRL and manifest, a child CA and that CA's CRL and manifest, validated
 * at a time when they were current.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static char base[512];

static uint8_t *load(const char *rel, size_t *len)
{
	char path[1024];
	uint8_t *b;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	b = (uint8_t *)test_slurp(path, len);
	if (b == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	return b;
}

static int64_t when(const char *iso)
{
	struct der d;
	uint8_t buf[17];
	int64_t t = 0;
	/* "2020-07-01T00:00:00Z" -> GeneralizedTime */
	buf[0] = DER_GENTIME;
	buf[1] = 15;
	memcpy(buf + 2, iso, 4);
	memcpy(buf + 6, iso + 5, 2);
	memcpy(buf + 8, iso + 8, 2);
	memcpy(buf + 10, iso + 11, 2);
	memcpy(buf + 12, iso + 14, 2);
	memcpy(buf + 14, iso + 17, 2);
	buf[16] = 'Z';
	if (der_read_all(buf, sizeof(buf), &d) < 0 || der_time(&d, &t) < 0)
		return -1;
	return t;
}

/* ---- certificates ------------------------------------------------------------------ */

struct cer_case {
	const char *file;
	int ok;
	enum val_purpose purpose;
	const char *repo, *notify, *not_after;
};

static const struct cer_case cers[] = {
	{ "rpki-client-regress/cer/2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer", 1, VAL_CERT_CA,
	  "rsync://rpki.ripe.net/repository/aca/", "https://rrdp.ripe.net/notification.xml", "2020-07-01T00:00:00Z" },
	{ "rpki-client-regress/cer/Vr46VDCUfrRNL9yZAy4mxfEAspQ.cer", 1, VAL_CERT_ROUTER, NULL, NULL,
	  "2022-09-11T14:39:46Z" },
	{ "rpki-client-regress/cer/aaI5ikDRYL7nJH9kwrv4b80iIAI.cer", 1, VAL_CERT_CA,
	  "rsync://ca.rg.net/rpki/RGnet-OU/ovsCA/", "https://ca.rg.net/rrdp/notify.xml", "2020-06-16T12:56:52Z" },
	{ "rpki-client-regress/cer/arin-to-afrinic.cer", 1, VAL_CERT_CA, "rsync://rpki.afrinic.net/repository/arin/",
	  NULL, "2023-09-25T00:00:00Z" },
	{ "rpki-client-regress/ta/AfriNIC.cer", 1, VAL_CERT_CA,
	  "rsync://rpki.afrinic.net/repository/04E8B0D80F4D11E0B657D8931367AE7D/", NULL, "2027-09-12T11:04:19Z" },
	{ "rpki-client-regress/ta/apnic-rpki-root-iana-origin.cer", 1, VAL_CERT_CA,
	  "rsync://rpki.apnic.net/repository/838DB214166511E2B3BC286172FD1FF2/",
	  "https://rrdp.apnic.net/notification.xml", "2026-09-19T22:14:57Z" },
	{ "rpki-client-regress/ta/ripe-ncc-ta.cer", 1, VAL_CERT_CA, "rsync://rpki.ripe.net/repository/",
	  "https://rrdp.ripe.net/notification.xml", "2117-11-28T14:39:55Z" },
	{ "rpki-rs/repository/ca1.cer", 1, VAL_CERT_CA, "rsync://rpki.ripe.net/repository/aca/",
	  "https://rrdp.ripe.net/notification.xml", "2020-07-01T00:00:00Z" },
	{ "rpki-rs/repository/router.cer", 1, VAL_CERT_ROUTER, NULL, NULL, "2021-10-07T12:40:18Z" },
	{ "rpki-rs/repository/ta.cer", 1, VAL_CERT_CA, "rsync://rpki.ripe.net/repository/",
	  "https://rrdp.ripe.net/notification.xml", "2117-11-28T14:39:55Z" },
	/* rejected, as rpki-client 8.2 rejects them */
	{ "rpki-rs/ca/id_afrinic.cer", 0, 0, NULL, NULL, NULL },	/* RFC 8183 identity certificates */
	{ "rpki-rs/ca/id_ta.cer", 0, 0, NULL, NULL, NULL },
	{ "rpki-rs/compat/res_incorrect.cer", 0, 0, NULL, NULL, NULL },	/* malformed IPAddressRange */
	{ "rpki-rs/ca/router-csr.der", 0, 0, NULL, NULL, NULL },	/* a PKCS #10 request */
};

static void test_certificates(void)
{
	for (size_t i = 0; i < sizeof(cers) / sizeof(cers[0]); i++) {
		const struct cer_case *k = &cers[i];
		size_t len;
		uint8_t *buf = load(k->file, &len);
		struct val_cert *c;

		test_current = k->file;
		CHECK(buf != NULL);
		if (buf == NULL)
			continue;
		c = val_cert_parse(buf, len, k->file);
		CHECK_MSG((c != NULL) == k->ok, "%s: parsed %d, want %d", k->file, c != NULL, k->ok);
		if (c != NULL && k->ok) {
			CHECK_INT(c->purpose, k->purpose);
			if (k->repo)
				CHECK_STR(c->repo, k->repo);
			if (k->notify)
				CHECK_STR(c->notify, k->notify);
			CHECK_INT(c->not_after, when(k->not_after));
			if (k->purpose == VAL_CERT_ROUTER)
				CHECK(c->res.nas >= 1 && !c->res.ip_ext && !c->key_rsa);
		}
		val_cert_free(c);
		free(buf);
	}
}

/* TA certificates against their TALs (the key, self-signature, profile). */
static void test_trust_anchors(void)
{
	static const struct {
		const char *tal, *cer, *at;
		int ok;
	} tas[] = {
		{ "rpki-client-regress/tal/afrinic.tal", "rpki-client-regress/ta/AfriNIC.cer", "2024-01-01T00:00:00Z", 1 },
		{ "rpki-client-regress/tal/apnic.tal", "rpki-client-regress/ta/apnic-rpki-root-iana-origin.cer",
		  "2024-01-01T00:00:00Z", 1 },
		{ "rpki-client-regress/tal/ripe.tal", "rpki-client-regress/ta/ripe-ncc-ta.cer", "2024-01-01T00:00:00Z", 1 },
		{ "rpki-rs/repository/ripe.tal", "rpki-rs/repository/ta.cer", "2019-04-06T12:00:00Z", 1 },
		/* the wrong TAL, an expired TA */
		{ "rpki-client-regress/tal/ripe.tal", "rpki-client-regress/ta/AfriNIC.cer", "2024-01-01T00:00:00Z", 0 },
		{ "rpki-client-regress/tal/apnic.tal", "rpki-client-regress/ta/apnic-rpki-root-iana-origin.cer",
		  "2026-09-20T00:00:00Z", 0 },
	};
	char path[1024];

	for (size_t i = 0; i < sizeof(tas) / sizeof(tas[0]); i++) {
		size_t len;
		uint8_t *buf;
		struct val_tal *t;
		struct val_cert *c;

		test_current = tas[i].cer;
		snprintf(path, sizeof(path), "%s/%s", base, tas[i].tal);
		t = val_tal_load(path);
		buf = load(tas[i].cer, &len);
		CHECK(t != NULL && buf != NULL);
		c = buf ? val_cert_parse(buf, len, tas[i].cer) : NULL;
		CHECK(c != NULL);
		if (t != NULL && c != NULL)
			CHECK_MSG((val_ta_check(c, t, when(tas[i].at), tas[i].cer) == 0) == tas[i].ok, "%s with %s at %s",
				  tas[i].cer, tas[i].tal, tas[i].at);
		val_cert_free(c);
		val_tal_free(t);
		free(buf);
	}
}

static void test_tals(void)
{
	static const struct {
		const char *file;
		size_t nuris;
		const char *first, *name;
	} tals[] = {
		{ "rpki-client-regress/tal/afrinic.tal", 1, "rsync://rpki.afrinic.net/repository/AfriNIC.cer", "afrinic" },
		{ "rpki-client-regress/tal/apnic.tal", 1, "rsync://rpki.apnic.net/repository/apnic-rpki-root-iana-origin.cer",
		  "apnic" },
		{ "rpki-client-regress/tal/ripe.tal", 1, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer", "ripe" },
		{ "rpki-client-regress/tal/test.tal", 2, "rsync://rpki.example.org/rpki/hedgehog/root.cer", "test" },
		{ "rpki-rs/repository/ripe.tal", 1, "rsync://rpki.ripe.net/ta/ripe-ncc-ta.cer", "ripe" },
		{ "fort/tal/lacnic.tal", 3, "rsync://repository.lacnic.net/rpki/lacnic/rta-lacnic-rpki.cer", "lacnic" },
	};
	char path[1024];

	for (size_t i = 0; i < sizeof(tals) / sizeof(tals[0]); i++) {
		struct val_tal *t;
		test_current = tals[i].file;
		snprintf(path, sizeof(path), "%s/%s", base, tals[i].file);
		t = val_tal_load(path);
		CHECK(t != NULL);
		if (t == NULL)
			continue;
		CHECK_INT(t->nuris, tals[i].nuris);
		CHECK_STR(t->uris[0], tals[i].first);
		CHECK_STR(t->name, tals[i].name);
		val_tal_free(t);
	}
	/* test.tal's second URI, lacnic's bogus ones */
	snprintf(path, sizeof(path), "%s/rpki-client-regress/tal/test.tal", base);
	struct val_tal *t = val_tal_load(path);
	CHECK(t != NULL && t->nuris == 2 && strcmp(t->uris[1], "https://rpki.example.org/rpki/hedgehog/root.cer") == 0);
	val_tal_free(t);
	snprintf(path, sizeof(path), "%s/fort/tal/lacnic.tal", base);
	t = val_tal_load(path);
	CHECK(t != NULL && t->nuris == 3 && strcmp(t->uris[1], "https://potato") == 0 &&
	      strcmp(t->uris[2], "rsync://potato") == 0);
	val_tal_free(t);
}

/* ---- signed objects ------------------------------------------------------------------------ */

struct roa_case {
	const char *file;
	int ok;
	uint32_t asid;
	size_t nips;
	const char *first, *sia, *not_after;
};

static const struct roa_case roas[] = {
	{ "rpki-client-regress/roa/4DAr1VXnjh69GoQkxjmIQdkRVtQ.roa", 1, 203274, 1, "198.133.206.0/24",
	  "rsync://ca.rg.net/rpki/RGnet-OU/4DAr1VXnjh69GoQkxjmIQdkRVtQ.roa", "2020-07-01T00:00:00Z" },
	{ "rpki-client-regress/roa/Hf1ZR31W9DN5QSF6xJEO5qgH4ac.roa", 1, 3130, 4, "147.28.0.0/16",
	  "rsync://ca.rg.net/rpki/RGnet-OU/Hf1ZR31W9DN5QSF6xJEO5qgH4ac.roa", "2020-07-01T00:00:00Z" },
	{ "rpki-client-regress/roa/Zs_svFDVb-_DZnjgkN8DLKk_IRI.roa", 1, 4128, 1, "198.180.152.0/24",
	  "rsync://ca.rg.net/rpki/RGnet-OU/Zs_svFDVb-_DZnjgkN8DLKk_IRI.roa", "2020-07-01T00:00:00Z" },
	{ "rpki-client-regress/roa/xZEe_HUX98kANKreh2ZIpdaDnAI.roa", 1, 3927, 1, "198.180.150.0/24",
	  "rsync://ca.rg.net/rpki/RGnet-OU/xZEe_HUX98kANKreh2ZIpdaDnAI.roa", "2020-07-01T00:00:00Z" },
	{ "rpki-rs/repository/example-ripe.roa", 1, 209870, 1, "2a0c:b642:fc0::/43",
	  "rsync://rpki.ripe.net/repository/DEFAULT/55/4f4d97-cde1-4e08-9c06-981ba7d2b3df/1/"
	  "YYecYKU1I6R-hHpxDrOH7_zzyVw.roa", "2020-07-01T00:00:00Z" },
	{ "rpki-rs/repository/maxlen-overflow.roa", 0, 0, 0, NULL, NULL, NULL },
	{ "rpki-rs/repository/maxlen-underflow.roa", 0, 0, 0, NULL, NULL, NULL },
	{ "rpki-rs/repository/prefix-len-overflow.roa", 0, 0, 0, NULL, NULL, NULL },
};

static void test_roas(void)
{
	char b[IP_PREFIX_STRLEN];

	for (size_t i = 0; i < sizeof(roas) / sizeof(roas[0]); i++) {
		const struct roa_case *k = &roas[i];
		size_t len;
		uint8_t *buf = load(k->file, &len);
		struct val_roa *r;

		test_current = k->file;
		if (buf == NULL) {
			CHECK(buf != NULL);
			continue;
		}
		r = val_roa_parse(buf, len, k->file);
		CHECK_MSG((r != NULL) == k->ok, "%s: parsed %d, want %d", k->file, r != NULL, k->ok);
		if (r != NULL && k->ok) {
			CHECK_INT(r->asid, k->asid);
			CHECK_INT(r->nips, k->nips);
			CHECK_STR(ip_prefix_format(&r->ips[0].prefix, b, sizeof(b)), k->first);
			CHECK_STR(r->so.ee->signed_object, k->sia);
			CHECK_INT(r->so.ee->not_after, when(k->not_after));
			CHECK(val_roa_check_ee(r, k->file) == 0);
		}
		val_roa_free(r);
		free(buf);
	}
}

struct aspa_case {
	const char *file;
	int profile;
	uint32_t customer;
	const char *sia;
};

static const struct aspa_case aspas[] = {
	{ "rpki-client-regress/aspa/2338bd30cba1ff30fe3cf930824f39b45569d458de356729cb0121400ee3616a.asa", 0, 65004,
	  "rsync://rpki.example.net/rpki/TA/ca-case-multi-afi-true/"
	  "2338bd30cba1ff30fe3cf930824f39b45569d458de356729cb0121400ee3616a.asa" },
	{ "rpki-client-regress/aspa/5c67c85c9fbdf4daea0034480c2c3da10ef241738cb4f5a16e6cf60ec812713d.asa", 0, 65003,
	  "rsync://rpki.example.net/rpki/TA/ca-case-multi-true/"
	  "5c67c85c9fbdf4daea0034480c2c3da10ef241738cb4f5a16e6cf60ec812713d.asa" },
	{ "rpki-client-regress/aspa/63bbc4571294a06f5e7533166179bafcb0252e0484708e6d45924e1e479c8636.asa", 0, 65000,
	  "rsync://rpki.example.net/rpki/TA/ca-case-nil-true/"
	  "63bbc4571294a06f5e7533166179bafcb0252e0484708e6d45924e1e479c8636.asa" },
	{ "rpki-client-regress/aspa/c27f17d94c8a2f9e4c6d07e69f58c33c48c28c77ff602040e02bb19f6ffd3dfd.asa", 0, 65001,
	  "rsync://rpki.example.net/rpki/TA/ca-case-single-true/"
	  "c27f17d94c8a2f9e4c6d07e69f58c33c48c28c77ff602040e02bb19f6ffd3dfd.asa" },
	{ "rpki-rs/repository/aspa-bm.asa", 0, 65000,
	  "rsync://rpki.example.net/rpki/TA/CA/b16f2f3f03a0c4d154d64f9303ba0935921c4e3c768bdbf283a3b54fa715cbf4.asa" },
	/* profile -16 and later (rpki-client 8.2 cannot parse these; we do) */
	{ "rpki-client-regress/aspa/5m80fwYws_3FiFD7JiQjAqZ1RYQ.asa", 1, 15562, NULL },
	{ "rpki-client-regress/aspa/AS1000.asa", 1, 1000, NULL },
	{ "rpki-client-regress/aspa/AS945.asa", 1, 945, NULL },
};

static void test_aspas(void)
{
	for (size_t i = 0; i < sizeof(aspas) / sizeof(aspas[0]); i++) {
		const struct aspa_case *k = &aspas[i];
		size_t len;
		uint8_t *buf = load(k->file, &len);
		struct val_aspa *a;

		test_current = k->file;
		if (buf == NULL) {
			CHECK(buf != NULL);
			continue;
		}
		a = val_aspa_parse(buf, len, k->file);
		CHECK(a != NULL);
		if (a != NULL) {
			CHECK_INT(a->profile, k->profile);
			CHECK_INT(a->customer, k->customer);
			CHECK(a->nproviders >= 1);
			if (k->sia)
				CHECK_STR(a->so.ee->signed_object, k->sia);
			CHECK(val_aspa_check_ee(a, k->file) == 0);
		}
		val_aspa_free(a);
		free(buf);
	}
	/* bare eContent in both syntaxes */
	static const struct {
		const char *file;
		int profile;
	} ec[] = { { "rpki-rs/repository/aspa-content.der", 1 }, { "rpki-rs/repository/aspa-content-draft-13.der", 0 } };
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		uint8_t *buf = load(ec[i].file, &len);
		struct val_aspa a;
		test_current = ec[i].file;
		memset(&a, 0, sizeof(a));
		CHECK(buf != NULL && val_aspa_econtent(buf, len, ec[i].file, &a) == 0);
		CHECK_INT(a.profile, ec[i].profile);
		CHECK_INT(a.customer, 15562);
		free(a.providers);
		free(a.afi);
		free(buf);
	}
}

struct mft_case {
	const char *file;
	int ok;
	size_t nfiles;
	const char *next, *sia;
};

static const struct mft_case mfts[] = {
	{ "rpki-client-regress/mft/Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft", 1, 3, "2019-06-19T00:00:56Z",
	  "rsync://rpki.ripe.net/repository/aca/Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft" },
	{ "rpki-client-regress/mft/RjQZ5pSL7riIcFGhdm4iFtIalko.mft", 1, 6, "2019-06-18T09:12:23Z",
	  "rsync://ca.rg.net/rpki/RGnet-OU/RjQZ5pSL7riIcFGhdm4iFtIalko.mft" },
	{ "rpki-client-regress/mft/ripe-ncc-ta.mft", 1, 2, "2019-08-15T12:24:36Z",
	  "rsync://rpki.ripe.net/repository/ripe-ncc-ta.mft" },
	{ "rpki-rs/repository/ca1.mft", 1, 3, "2019-04-07T09:35:49Z",
	  "rsync://rpki.ripe.net/repository/aca/Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.mft" },
	{ "rpki-rs/repository/ta.mft", 1, 2, "2019-05-26T13:14:44Z", "rsync://rpki.ripe.net/repository/ripe-ncc-ta.mft" },
	{ "rpki-rs/repository/signature-alg-mismatch.mft", 1, 4, "2020-08-15T15:00:00Z",
	  "rsync://rpki.arin.net/repository/arin-rpki-ta/5e4a23ea-e80a-403e-b08c-2171da2157d3/"
	  "5e4a23ea-e80a-403e-b08c-2171da2157d3.mft" },
	/* a file name changed inside: the message digest no longer matches */
	{ "rpki-rs/repository/ta.mft.bad-filename", 0, 0, NULL, NULL },
};

static void test_manifests(void)
{
	for (size_t i = 0; i < sizeof(mfts) / sizeof(mfts[0]); i++) {
		const struct mft_case *k = &mfts[i];
		size_t len;
		uint8_t *buf = load(k->file, &len);
		struct val_mft *m;

		test_current = k->file;
		if (buf == NULL) {
			CHECK(buf != NULL);
			continue;
		}
		m = val_mft_parse(buf, len, k->file);
		CHECK_MSG((m != NULL) == k->ok, "%s: parsed %d, want %d", k->file, m != NULL, k->ok);
		if (m != NULL && k->ok) {
			CHECK_INT(m->nfiles, k->nfiles);
			CHECK_INT(m->next_update, when(k->next));
			CHECK_STR(m->so.ee->signed_object, k->sia);
		}
		val_mft_free(m);
		free(buf);
	}
}

static void test_crls(void)
{
	static const struct {
		const char *file, *next;
		size_t nrevoked;
	} crls[] = {
		{ "rpki-rs/repository/ca1.crl", "2019-04-07T09:35:49Z", 163 },
		{ "rpki-rs/repository/ta.crl", "2019-05-26T13:14:44Z", 6 },
	};
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		uint8_t *buf = load(crls[i].file, &len);
		struct val_crl *crl;
		test_current = crls[i].file;
		crl = buf ? val_crl_parse(buf, len, crls[i].file) : NULL;
		CHECK(crl != NULL);
		if (crl != NULL) {
			CHECK_INT(crl->nrevoked, crls[i].nrevoked);
			CHECK_INT(crl->next_update, when(crls[i].next));
			for (size_t k = 0; k < crl->nrevoked; k++)
				CHECK(val_crl_revoked(crl, crl->revoked[k]));
		}
		val_crl_free(crl);
		free(buf);
	}
}

/* Other signed objects: the CMS profile and the EE certificate. */
static void test_other_signed(void)
{
	static const struct {
		const char *file;
		const char *oid;
		size_t oidlen;
	} objs[] = {
		{ "rpki-client-regress/gbr/jkpjwLmZhnrotSqF7o9qqEzSOXs.gbr", OID_CT_GBR, sizeof(OID_CT_GBR) - 1 },
		{ "rpki-client-regress/rsc/c6938fc00af6496d9d4e6e2d876e4b4811887b60f4f1bc9cd0b3cdb7c57c6d5e.sig",
		  OID_CT_RSC, sizeof(OID_CT_RSC) - 1 },
		{ "rpki-client-regress/rsc/checklist-08.sig", OID_CT_RSC, sizeof(OID_CT_RSC) - 1 },
		{ "rpki-client-regress/rsc/rsc-deployment-test-3.sig", OID_CT_RSC, sizeof(OID_CT_RSC) - 1 },
		{ "rpki-client-regress/spl/9X0AhXWTJDl8lJhfOwvnac-42CA.spl", OID_CT_SPL, sizeof(OID_CT_SPL) - 1 },
		{ "rpki-client-regress/tak/05F53BCE4DAA11EDB9AC0C5B9E174E93.tak", OID_CT_TAK, sizeof(OID_CT_TAK) - 1 },
		{ "rpki-client-regress/tak/42AE70A64DA711EDB37796549E174E93.tak", OID_CT_TAK, sizeof(OID_CT_TAK) - 1 },
		{ "rpki-client-regress/tak/B7C2334E4DA911EDAF862D5A9E174E93.tak", OID_CT_TAK, sizeof(OID_CT_TAK) - 1 },
	};
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		size_t len;
		uint8_t *buf = load(objs[i].file, &len);
		struct val_signed so;
		test_current = objs[i].file;
		CHECK(buf != NULL && val_cms_parse(buf, len, objs[i].file, objs[i].oid, objs[i].oidlen, &so) == 0);
		if (buf != NULL && so.ee != NULL)
			val_signed_clear(&so);
		free(buf);
	}
	/* the gbr is not a ROA */
	size_t len;
	uint8_t *buf = load("rpki-client-regress/gbr/jkpjwLmZhnrotSqF7o9qqEzSOXs.gbr", &len);
	struct val_roa *r = buf ? val_roa_parse(buf, len, "gbr as roa") : NULL;
	CHECK(buf != NULL && r == NULL);
	val_roa_free(r);
	free(buf);
}

/* The RFC 9632 signed geofeed. */
static void test_geofeed(void)
{
	size_t len;
	uint8_t *b = load("rpki-client-regress/geofeed/geofeed.csv", &len);
	struct val_geofeed *g;
	char pb[IP_PREFIX_STRLEN];

	test_current = "geofeed";
	g = b ? val_geofeed_parse((const char *)b, len, "geofeed.csv") : NULL;
	CHECK(g != NULL);
	if (g != NULL) {
		CHECK(g->nprefixes >= 1);
		CHECK_STR(ip_prefix_format(&g->prefixes[g->nprefixes - 1], pb, sizeof(pb)), "2001:67c:208c::/48");
		CHECK(val_geofeed_check_ee(g, "geofeed.csv") == 0);
	}
	val_geofeed_free(g);
	/* one byte of the signed text changed: the digest fails */
	if (b != NULL) {
		b[0] ^= 1;
		g = val_geofeed_parse((const char *)b, len, "geofeed.csv");
		CHECK(g == NULL);
		val_geofeed_free(g);
	}
	free(b);
}

/* ---- a real chain ---------------------------------------------------------------------------- */

static void test_ripe_chain(void)
{
	char path[1024];
	size_t len;
	int64_t t = when("2019-04-06T12:00:00Z");
	struct val_tal *tal;
	struct val_cert *ta = NULL, *ca = NULL;
	struct val_crl *tacrl = NULL, *cacrl = NULL;
	struct val_mft *tamft = NULL, *camft = NULL;
	val_key *takey = NULL, *cakey = NULL;
	struct val_rset tares, cares, eff;
	uint8_t *b, h[32];

	test_current = "ripe chain";
	snprintf(path, sizeof(path), "%s/rpki-rs/repository/ripe.tal", base);
	tal = val_tal_load(path);
	b = load("rpki-rs/repository/ta.cer", &len);
	ta = b ? val_cert_parse(b, len, "ta.cer") : NULL;
	free(b);
	CHECK(tal != NULL && ta != NULL && val_ta_check(ta, tal, t, "ta.cer") == 0);
	if (ta == NULL || tal == NULL)
		goto out;
	takey = val_key_from_spki(ta->spki.raw, ta->spki.rawlen, "ta.cer");
	val_res_as_rset(&ta->res, &tares);
	struct val_issuer tai = { .cert = ta, .key = takey, .res = &tares };

	b = load("rpki-rs/repository/ta.mft", &len);
	tamft = b ? val_mft_parse(b, len, "ta.mft") : NULL;
	free(b);
	b = load("rpki-rs/repository/ta.crl", &len);
	tacrl = b ? val_crl_parse(b, len, "ta.crl") : NULL;
	CHECK(tamft != NULL && tacrl != NULL);
	if (tamft == NULL || tacrl == NULL) {
		free(b);
		goto out;
	}
	/* the CRL is the manifest's, by hash */
	val_sha256(b, len, h);
	free(b);
	CHECK(strcmp(tamft->files[tamft->crl].name, "ripe-ncc-ta.crl") == 0 &&
	      memcmp(h, tamft->files[tamft->crl].hash, 32) == 0);
	CHECK(val_crl_check(tacrl, &tai, t, "ta.crl") == 0);
	tai.crl_uri = "rsync://rpki.ripe.net/repository/ripe-ncc-ta.crl";
	CHECK(val_cert_check(tamft->so.ee, &tai, tacrl, t, &eff, "ta.mft") == 0);
	CHECK(t >= tamft->this_update && t <= tamft->next_update);
	/* after the CRL's nextUpdate: stale */
	CHECK(val_crl_check(tacrl, &tai, when("2019-06-01T00:00:00Z"), "ta.crl") < 0);

	/* the child CA, listed on the TA's manifest */
	b = load("rpki-rs/repository/ca1.cer", &len);
	ca = b ? val_cert_parse(b, len, "ca1.cer") : NULL;
	CHECK(ca != NULL);
	if (ca == NULL) {
		free(b);
		goto out;
	}
	val_sha256(b, len, h);
	free(b);
	CHECK(strcmp(tamft->files[0].name, "2a7dd1d787d793e4c8af56e197d4eed92af6ba13.cer") == 0 &&
	      memcmp(h, tamft->files[0].hash, 32) == 0);
	CHECK(val_cert_check(ca, &tai, tacrl, t, &cares, "ca1.cer") == 0);
	/* a wrong key for it */
	struct val_issuer wrong = tai;
	wrong.key = NULL;
	CHECK(val_cert_check(ca, &wrong, tacrl, t, &eff, "ca1.cer") < 0);
	cakey = val_key_from_spki(ca->spki.raw, ca->spki.rawlen, "ca1.cer");
	struct val_issuer cai = { .cert = ca, .key = cakey, .res = &cares,
				  .crl_uri = "rsync://rpki.ripe.net/repository/aca/Kn3R14fXk-TIr1bhl9Tu2Sr2uhM.crl" };
	b = load("rpki-rs/repository/ca1.mft", &len);
	camft = b ? val_mft_parse(b, len, "ca1.mft") : NULL;
	free(b);
	b = load("rpki-rs/repository/ca1.crl", &len);
	cacrl = b ? val_crl_parse(b, len, "ca1.crl") : NULL;
	CHECK(camft != NULL && cacrl != NULL);
	if (camft != NULL && cacrl != NULL) {
		val_sha256(b, len, h);
		CHECK(memcmp(h, camft->files[camft->crl].hash, 32) == 0);
		CHECK(val_crl_check(cacrl, &cai, t, "ca1.crl") == 0);
		CHECK(val_cert_check(camft->so.ee, &cai, cacrl, t, &eff, "ca1.mft") == 0);
		/* the child's CRL does not vouch for the TA's manifest */
		CHECK(val_crl_check(cacrl, &tai, t, "ca1.crl") < 0);
	}
	free(b);
out:
	val_key_free(takey);
	val_key_free(cakey);
	val_mft_free(tamft);
	val_mft_free(camft);
	val_crl_free(tacrl);
	val_crl_free(cacrl);
	val_cert_free(ta);
	val_cert_free(ca);
	val_tal_free(tal);
}

/* ---- RRDP samples ------------------------------------------------------------------------------ */

static void test_rrdp(void)
{
	static const struct {
		const char *file;
		int kind;	/* 0 notification, 1 snapshot, 2 delta */
		int ok;
	} docs[] = {
		{ "rpki-client-regress/rrdp/notification.xml", 0, 1 },
		{ "rpki-client-regress/rrdp/snapshot.xml", 1, 1 },
		{ "rpki-client-regress/rrdp/delta.xml", 2, 1 },
		{ "rpki-client-regress/rrdp/notification_xmlns.xml", 0, 0 },	/* another namespace */
		{ "rpki-client-regress/rrdp/billion_lol.xml", 0, 0 },
		{ "rpki-client-regress/rrdp/xxe.xml", 0, 0 },
		{ "rpki-rs/rrdp/lolz-notification.xml", 0, 0 },
		{ "rpki-rs/rrdp/ripe-notification.xml", 0, 1 },
		{ "rpki-rs/rrdp/ripe-notification-unsorted.xml", 0, 1 },
		{ "rpki-rs/rrdp/ripe-notification-with-gaps.xml", 0, 1 },
		{ "rpki-rs/rrdp/ripe-snapshot.xml", 1, 1 },
		{ "rpki-rs/rrdp/ripe-delta.xml", 2, 1 },
		{ "fort/xml/notification.xml", 0, 1 },
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t len;
		uint8_t *b = load(docs[i].file, &len);
		int rc;
		test_current = docs[i].file;
		if (b == NULL) {
			CHECK(b != NULL);
			continue;
		}
		if (docs[i].kind == 0) {
			struct val_rrdp_notification n;
			rc = val_rrdp_parse_notification(b, len, docs[i].file, &n);
			if (rc == 0) {
				for (size_t k = 1; k < n.ndeltas; k++)
					CHECK(n.deltas[k - 1].serial < n.deltas[k].serial);
				val_rrdp_notification_clear(&n);
			}
		} else {
			rc = val_rrdp_apply_buffer(b, len, docs[i].file, NULL, docs[i].kind == 2, NULL, 0);
		}
		CHECK_MSG((rc == 0) == docs[i].ok, "%s: %d", docs[i].file, rc);
		free(b);
	}
}

int main(void)
{
	const char *shared = getenv("SHARED_DIR");

	log_init("rpki_val_shared_test");
	log_set_level(LOG_LVL_ERROR);
	if (shared == NULL) {
		fprintf(stderr, "rpki_val_shared_test: SHARED_DIR is not set (run it through make check-shared)\n");
		printf("rpki_val_shared_test: 0 passed, 1 failed\n");
		return 1;
	}
	snprintf(base, sizeof(base), "%s/testdata/rpki-real", shared);
	TEST_RUN(test_certificates);
	TEST_RUN(test_trust_anchors);
	TEST_RUN(test_tals);
	TEST_RUN(test_roas);
	TEST_RUN(test_aspas);
	TEST_RUN(test_manifests);
	TEST_RUN(test_crls);
	TEST_RUN(test_other_signed);
	TEST_RUN(test_geofeed);
	TEST_RUN(test_ripe_chain);
	TEST_RUN(test_rrdp);
	return test_summary("rpki_val_shared_test");
}
