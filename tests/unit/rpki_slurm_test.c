/*
 * rpki_slurm_test.c - SLURM (RFC 8416): every section parsed, filters by
 * prefix, by ASN and by both applied to a ROA file, assertions added with
 * and without maxPrefixLength, BGPsec parts kept, and every malformed field
 * rejected with its path.
 */
#include "tests/unit/testlib.h"
#include "rpki/rpki.h"

static char *data_path(const char *name)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf), "%s/rpki/%s", test_data_dir(), name);
	return buf;
}

static char *slurp_data(const char *name, size_t *len)
{
	char *buf = test_slurp(data_path(name), len);

	if (buf == NULL) {
		fprintf(stderr, "cannot read %s\n", data_path(name));
		exit(1);
	}
	return buf;
}

static struct slurm *slurm_file(const char *name, char **err)
{
	size_t len;
	char *buf = slurp_data(name, &len);
	struct slurm *s = slurm_parse(buf, len, name, err);

	free(buf);
	return s;
}

static const char *pfx_str(const struct roa *r)
{
	static char buf[100];
	roa_pseudo_pk(r, buf, sizeof(buf));
	return buf;
}

static void test_full(void)
{
	char *err = NULL;
	struct slurm *s = slurm_file("slurm-full.json", &err);
	static const uint8_t ski[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

	CHECK(s != NULL);
	if (s == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	CHECK_INT(s->nprefix_filters, 4);
	CHECK(s->prefix_filters[0].has_prefix && !s->prefix_filters[0].has_asn);
	CHECK_INT(s->prefix_filters[0].prefix.len, 24);
	CHECK_STR(s->prefix_filters[0].comment, "every VRP at or below 203.0.113.0/24");
	CHECK(!s->prefix_filters[1].has_prefix && s->prefix_filters[1].has_asn);
	CHECK_INT(s->prefix_filters[1].asn, 64497);
	CHECK(s->prefix_filters[2].has_prefix && s->prefix_filters[2].has_asn);
	CHECK_INT(s->prefix_filters[2].prefix.family, IP_AF6);

	CHECK_INT(s->nbgpsec_filters, 3);
	CHECK(s->bgpsec_filters[0].has_asn && !s->bgpsec_filters[0].has_ski);
	CHECK(s->bgpsec_filters[1].has_ski && s->bgpsec_filters[1].ski_ok);
	CHECK(memcmp(s->bgpsec_filters[1].ski, ski, 20) == 0);
	CHECK(s->bgpsec_filters[2].has_ski && !s->bgpsec_filters[2].ski_ok);	/* "Zm9v" is 3 bytes */
	CHECK_STR(s->bgpsec_filters[2].ski_text, "Zm9v");

	CHECK_INT(s->nprefix_assertions, 3);
	CHECK(!s->prefix_assertions[0].has_maxlen);
	CHECK_INT(s->prefix_assertions[0].maxlen, 15);
	CHECK(s->prefix_assertions[1].has_maxlen);
	CHECK_INT(s->prefix_assertions[1].maxlen, 64);
	CHECK_INT(s->prefix_assertions[1].asn, 64511);
	CHECK(s->prefix_assertions[1].comment == NULL);

	CHECK_INT(s->nbgpsec_assertions, 2);
	CHECK(s->bgpsec_assertions[0].ok);
	CHECK(memcmp(s->bgpsec_assertions[0].ski, ski, 20) == 0);
	CHECK_INT(s->bgpsec_assertions[0].spki_len, 27);
	CHECK(!s->bgpsec_assertions[1].ok);	/* RFC 8416's placeholder text */
	CHECK_STR(s->bgpsec_assertions[1].ski_text, "<some base64 SKI>");
	CHECK_STR(s->warnings,
		  "slurm-full.json: validationOutputFilters.bgpsecFilters[2].SKI: not the base64 of a 20-byte key identifier; not used\n"
		  "slurm-full.json: locallyAddedAssertions.bgpsecAssertions[1].SKI: not the base64 of a 20-byte key identifier; not used\n"
		  "slurm-full.json: locallyAddedAssertions.bgpsecAssertions[1].routerPublicKey: not base64; not used");
	slurm_free(s);
	slurm_free(NULL);
}

/* roas-basic.json through slurm-full.json */
static void test_apply(void)
{
	char *err = NULL;
	struct slurm *s = slurm_file("slurm-full.json", &err);
	size_t len, n;
	char *buf = slurp_data("roas-basic.json", &len);
	struct roa_set *set = s ? roa_parse(buf, len, "roas-basic.json", s, &err) : NULL;
	const struct roa *r;
	static const char *want[] = {
		"10.0.0.0/8AS0/ML32 ripe",
		"100.64.0.0/16AS64502/ML20 lacnic",
		"192.0.2.0/24AS64496/ML24 ripe",		/* prefix+asn filter for AS64999 */
		"192.0.2.128AS4200000000/ML32 ripe",
		/* 198.51.100.0/24 AS64497: the asn filter */
		"198.18.0.0/15AS64510/ML15 SLURM file",		/* assertion without maxPrefixLength */
		/* 203.0.113.0/24 and /25: the prefix filter, at and below */
		"203.0.113.0/24AS64497/ML24 SLURM file",	/* filters don't touch assertions */
		"::ffff:198.51.100.0/120AS64504/ML128 ripe",
		"2001:db8::/32AS64500/ML48 ripe",		/* other ASN than the filter's */
		/* 2001:db8:1::/48 AS64501: prefix+asn filter */
		"2001:db8:ffff::/48AS64511/ML64 SLURM file",
	};

	CHECK(set != NULL);
	if (set == NULL) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	r = roa_set_roas(set, &n);
	CHECK_INT(n, sizeof(want) / sizeof(want[0]));
	CHECK_INT(roa_set_count_filtered(set), 4);
	for (size_t i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++) {
		char got[200];
		snprintf(got, sizeof(got), "%s %s", pfx_str(&r[i]), roa_set_ta(set, r[i].ta));
		CHECK_STR(got, want[i]);
	}
	/* the set does not own the SLURM unless attached */
	CHECK(roa_set_slurm(set) == NULL);
	roa_set_attach_slurm(set, s);
	s = NULL;
	CHECK(roa_set_slurm(set) != NULL && roa_set_slurm(set)->nbgpsec_assertions == 2);
out:
	roa_set_free(set);
	slurm_free(s);
	free(buf);
}

/* IRRd's own importer test case (irrd/rpki/tests/test_importer.py), as data. */
static void test_irrd_case(void)
{
	const char *roas = "{\"roas\": ["
		"{\"asn\": \"64496\", \"prefix\": \"192.0.2.0/24\", \"maxLength\": 26, \"ta\": \"APNIC RPKI Root\"},"
		"{\"asn\": \"AS64497\", \"prefix\": \"2001:db8::/32\", \"maxLength\": 40, \"ta\": \"RIPE NCC RPKI Root\"},"
		"{\"asn\": \"64498\", \"prefix\": \"192.0.2.0/24\", \"maxLength\": 32, \"ta\": \"APNIC RPKI Root\"},"
		"{\"asn\": \"AS64496\", \"prefix\": \"203.0.113.0/25\", \"maxLength\": 26, \"ta\": \"APNIC RPKI Root\"},"
		"{\"asn\": \"AS64497\", \"prefix\": \"203.0.113.0/26\", \"maxLength\": 26, \"ta\": \"APNIC RPKI Root\"},"
		"{\"asn\": \"AS64497\", \"prefix\": \"203.0.113.128/26\", \"maxLength\": 26, \"ta\": \"APNIC RPKI Root\"}]}";
	const char *slurm = "{\"slurmVersion\": 1, \"validationOutputFilters\": {\"prefixFilters\": ["
		"{\"prefix\": \"203.0.113.0/25\"}, {\"asn\": 64498},"
		"{\"prefix\": \"203.0.113.128/25\", \"asn\": 64497},"
		"{\"prefix\": \"192.0.2.0/24\", \"asn\": 64497},"
		"{\"prefix\": \"198.51.100.0/24\", \"asn\": 64496}]},"
		"\"locallyAddedAssertions\": {\"prefixAssertions\": ["
		"{\"asn\": 64496, \"prefix\": \"198.51.100.0/24\"},"
		"{\"asn\": 64497, \"prefix\": \"2001:DB8::/32\", \"maxPrefixLength\": 48}]}}";
	static const char *want[] = {
		"192.0.2.0/24AS64496/ML26 APNIC RPKI Root",
		"198.51.100.0/24AS64496/ML24 SLURM file",
		"2001:db8::/32AS64497/ML40 RIPE NCC RPKI Root",
		"2001:db8::/32AS64497/ML48 SLURM file",
	};
	char *err = NULL;
	struct slurm *s = slurm_parse(slurm, strlen(slurm), "slurm", &err);
	struct roa_set *set = s ? roa_parse(roas, strlen(roas), "roas", s, &err) : NULL;
	const struct roa *r;
	size_t n;

	CHECK(set != NULL);
	if (set != NULL) {
		r = roa_set_roas(set, &n);
		CHECK_INT(n, 4);
		for (size_t i = 0; i < n && i < 4; i++) {
			char got[200];
			snprintf(got, sizeof(got), "%s %s", pfx_str(&r[i]), roa_set_ta(set, r[i].ta));
			CHECK_STR(got, want[i]);
		}
	}
	roa_set_free(set);
	slurm_free(s);
	free(err);
}

static void expect_err(const char *json, const char *want)
{
	char *err = NULL;
	struct slurm *s = slurm_parse(json, strlen(json), "slurm.json", &err);

	CHECK_MSG(s == NULL, "accepted: %s", json);
	CHECK_STR(err, want);
	slurm_free(s);
	free(err);
}

static void expect_ok(const char *json)
{
	char *err = NULL;
	struct slurm *s = slurm_parse(json, strlen(json), "slurm.json", &err);

	CHECK_MSG(s != NULL, "rejected: %s: %s", json, err ? err : "");
	slurm_free(s);
	free(err);
}

#define V1 "{\"slurmVersion\":1,"
#define PF(x) V1 "\"validationOutputFilters\":{\"prefixFilters\":[" x "]}}"
#define BF(x) V1 "\"validationOutputFilters\":{\"bgpsecFilters\":[" x "]}}"
#define PA(x) V1 "\"locallyAddedAssertions\":{\"prefixAssertions\":[" x "]}}"
#define BA(x) V1 "\"locallyAddedAssertions\":{\"bgpsecAssertions\":[" x "]}}"
#define SKI20 "\"AQIDBAUGBwgJCgsMDQ4PEBESExQ=\""

static void test_malformed(void)
{
	/* the document */
	expect_err("", "slurm.json: invalid JSON: line 1 column 1: unexpected end of input");
	expect_err("[1]", "slurm.json: not a JSON object");
	expect_err("{\"slurmVersion\":1", "slurm.json: invalid JSON: line 1 column 18: unexpected end of input in an object");
	expect_err("{}", "slurm.json: slurmVersion: missing");
	expect_err("{\"slurmVersion\":2}", "slurm.json: slurmVersion: SLURM data has invalid version: 2");
	expect_err("{\"slurmVersion\":1.0}", "slurm.json: slurmVersion: SLURM data has invalid version: 1.0");
	expect_err("{\"slurmVersion\":\"1\"}", "slurm.json: slurmVersion: must be the number 1");
	expect_err("{\"slurmVersion\":1,\"slurmVersion\":1}", "slurm.json: slurmVersion: duplicate member");
	expect_err(V1 "\"validationOutputFilters\":[]}", "slurm.json: validationOutputFilters: must be an object");
	expect_err(V1 "\"locallyAddedAssertions\":7}", "slurm.json: locallyAddedAssertions: must be an object");
	expect_err(V1 "\"validationOutputFilters\":{\"prefixFilters\":{}}}",
		   "slurm.json: validationOutputFilters.prefixFilters: must be an array");
	expect_err(V1 "\"validationOutputFilters\":{\"prefixFilters\":[],\"prefixFilters\":[]}}",
		   "slurm.json: validationOutputFilters.prefixFilters: duplicate member");
	expect_err(V1 "\"locallyAddedAssertions\":{\"bgpsecAssertions\":null}}",
		   "slurm.json: locallyAddedAssertions.bgpsecAssertions: must be an array");
	/* prefixFilters */
	expect_err(PF("\"x\""), "slurm.json: validationOutputFilters.prefixFilters[0]: must be an object");
	expect_err(PF("{\"comment\":\"nothing\"}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0]: must have a prefix or an asn (RFC 8416 section 3.3.1)");
	expect_err(PF("{\"asn\":1},{\"asn\":\"AS1\"}"),
		   "slurm.json: validationOutputFilters.prefixFilters[1].asn: must be a number (an AS number)");
	expect_err(PF("{\"asn\":4294967296}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].asn: invalid AS number 4294967296 (must be 0..4294967295)");
	expect_err(PF("{\"asn\":-5}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].asn: invalid AS number -5 (must be 0..4294967295)");
	expect_err(PF("{\"prefix\":\"192.0.2.1/24\"}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].prefix: invalid prefix \"192.0.2.1/24\": host bits set beyond the prefix length");
	expect_err(PF("{\"prefix\":24}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].prefix: must be a string (a prefix)");
	expect_err(PF("{\"prefix\":\"192.0.2.0/24\",\"comment\":5}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].comment: must be a string");
	expect_err(PF("{\"asn\":1,\"asn\":2}"),
		   "slurm.json: validationOutputFilters.prefixFilters[0].asn: duplicate member");
	/* bgpsecFilters */
	expect_err(BF("{\"comment\":\"x\"}"),
		   "slurm.json: validationOutputFilters.bgpsecFilters[0]: must have an asn or a SKI (RFC 8416 section 3.3.2)");
	expect_err(BF("{\"SKI\":[]}"), "slurm.json: validationOutputFilters.bgpsecFilters[0].SKI: must be a string");
	/* prefixAssertions */
	expect_err(PA("{\"asn\":1}"), "slurm.json: locallyAddedAssertions.prefixAssertions[0].prefix: missing");
	expect_err(PA("{\"prefix\":\"192.0.2.0/24\"}"), "slurm.json: locallyAddedAssertions.prefixAssertions[0].asn: missing");
	expect_err(PA("{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":23}"),
		   "slurm.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be between 24 and 32");
	expect_err(PA("{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":\"25\"}"),
		   "slurm.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be an integer");
	expect_err(PA("{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":24.5}"),
		   "slurm.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be an integer");
	expect_err(PA("{\"asn\":1,\"prefix\":\"::/0\",\"maxPrefixLength\":129}"),
		   "slurm.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be between 0 and 128");
	/* bgpsecAssertions */
	expect_err(BA("{\"asn\":1,\"SKI\":" SKI20 "}"),
		   "slurm.json: locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey: missing");
	expect_err(BA("{\"asn\":1,\"routerPublicKey\":\"AAAA\"}"),
		   "slurm.json: locallyAddedAssertions.bgpsecAssertions[0].SKI: missing");
	expect_err(BA("{\"SKI\":" SKI20 ",\"routerPublicKey\":\"AAAA\"}"),
		   "slurm.json: locallyAddedAssertions.bgpsecAssertions[0].asn: missing");
	expect_err(BA("{\"asn\":1,\"SKI\":" SKI20 ",\"routerPublicKey\":1}"),
		   "slurm.json: locallyAddedAssertions.bgpsecAssertions[0].routerPublicKey: must be a string");
	/* several errors at once */
	expect_err(PA("{\"asn\":1},{\"asn\":\"x\",\"prefix\":\"10.0.0.0/8\"}"),
		   "slurm.json: locallyAddedAssertions.prefixAssertions[0].prefix: missing\n"
		   "slurm.json: locallyAddedAssertions.prefixAssertions[1].asn: must be a number (an AS number)");

	/* accepted */
	expect_ok("{\"slurmVersion\":1}");
	expect_ok(PF(""));
	expect_ok(PF("{\"prefix\":\"0.0.0.0/0\"},{\"asn\":0},{\"prefix\":\"::/0\",\"asn\":4294967295,\"x\":{\"y\":[1]}}"));
	expect_ok(PA("{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxPrefixLength\":32,\"mnt-by\":\"X\"}"));
	expect_ok(BA("{\"asn\":1,\"SKI\":" SKI20 ",\"routerPublicKey\":\"AAAA\",\"comment\":\"c\"}"));
	expect_ok("{\"slurmVersion\":1,\"unknown\":{\"a\":[{},[]]},\"validationOutputFilters\":{\"aspaFilters\":[1]}}");
}

static void test_files(void)
{
	char *err = NULL;
	struct slurm *s;

	s = slurm_file("slurm-minimal.json", &err);
	CHECK(s != NULL && s->nprefix_filters + s->nprefix_assertions + s->nbgpsec_filters + s->nbgpsec_assertions == 0);
	CHECK(s != NULL && s->warnings == NULL);
	slurm_free(s);
	s = slurm_file("slurm-bad-maxlen.json", &err);
	CHECK(s == NULL);
	CHECK_STR(err, "slurm-bad-maxlen.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be between 24 and 32\n"
		       "slurm-bad-maxlen.json: locallyAddedAssertions.prefixAssertions[1].maxPrefixLength: must be between 32 and 128");
	free(err);
	s = slurm_file("slurm-v2.json", &err);
	CHECK(s == NULL);
	CHECK_STR(err, "slurm-v2.json: slurmVersion: SLURM data has invalid version: 2");
	free(err);
}

int main(void)
{
	TEST_RUN(test_full);
	TEST_RUN(test_apply);
	TEST_RUN(test_irrd_case);
	TEST_RUN(test_malformed);
	TEST_RUN(test_files);
	return test_summary("rpki_slurm");
}
