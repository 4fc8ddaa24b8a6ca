/*
 * rpsl_shared_test.c - the RPSL object model against the real data in
 * ../shared (SHARED_DIR): IRRd 4.5's own sample objects with the keys and
 * texts IRRd's test_rpsl_objects.py expects, its malformed samples with
 * IRRd's messages, its `-t` templates, and whole dumps (the DN42 registry,
 * RIPE's whois test databases and GRS slices, the synthetic data set)
 * parsed in non-strict mode, where every failure must be one IRRd also
 * reports. Runs under `make check-shared`.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "tests/unit/testlib.h"

static const char *shared_dir(void)
{
	const char *d = getenv("SHARED_DIR");
	return d ? d : "../shared";
}

static char *read_shared(const char *rel, size_t *len)
{
	char path[2048];
	char *buf;

	snprintf(path, sizeof(path), "%s/testdata/%s", shared_dir(), rel);
	buf = test_slurp(path, len);
	if (buf == NULL) {
		fprintf(stderr, "FAIL: cannot read %s\n", path);
		test_failed++;
	}
	return buf;
}

static char *replace_all(const char *text, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p, *q;
	char *out, *o;

	for (p = text; (q = strstr(p, from)) != NULL; p = q + fl)
		n++;
	out = xmalloc(strlen(text) + n * tl + 1);
	o = out;
	for (p = text; (q = strstr(p, from)) != NULL; p = q + fl) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
	}
	strcpy(o, p);
	return out;
}

static char *values_joined(const struct rpsl_object *obj, const char *attr)
{
	struct rpsl_values v = rpsl_get(obj, attr);
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < v.n; i++)
		len += strlen(v.v[i]) + 1;
	out = xmalloc(len);
	out[0] = '\0';
	for (size_t i = 0; i < v.n; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, v.v[i]);
	}
	return out;
}

#define CHECK_VALUES(obj, attr, want) do { \
	char *j_ = values_joined(obj, attr); \
	CHECK_STR(j_, want); \
	free(j_); \
} while (0)

/* ---------------------------------------------------------------- IRRd's samples */

struct sample {
	const char *cls;
	const char *pk;
	const char *from[3], *to[3];	/* replace-all pairs giving IRRd's render */
};

static const struct sample samples[] = {
	{ "as-block", "AS65536 - AS65538", { "as065538" }, { "AS65538" } },
	{ "as-set", "AS65537:AS-SETTEST", { "AS65538, AS65539" }, { "AS65538,AS65539" } },
	{ "aut-num", "AS65537", { "as065537" }, { "AS65537" } },
	{ "domain", "2.0.192.IN-ADDR.ARPA", { NULL }, { NULL } },
	{ "filter-set", "FLTR-SETTEST", { "\t" }, { "+" } },
	{ "inet-rtr", "RTR.EXAMPLE.COM", { NULL }, { NULL } },
	{ "inet6num", "2001:DB8::/48", { NULL }, { NULL } },
	{ "inetnum", "192.0.2.0 - 192.0.2.255", { "192.0.02.255" }, { "192.0.2.255" } },
	{ "irt", "TEST-IRT", { NULL }, { NULL } },
	{ "key-cert", "PGPKEY-80F238C6", { "                \n" }, { "+               \n" } },
	{ "mntner", "TEST-MNT", { NULL }, { NULL } },
	{ "organisation", "TEST-ORG", { NULL }, { NULL } },
	{ "peering-set", "PRNG-SETTEST", { NULL }, { NULL } },
	{ "person", "PERSON-TEST", { NULL }, { NULL } },
	{ "role", "ROLE-TEST", { NULL }, { NULL } },
	{ "route", "192.0.2.0/24AS65537", { "  192.0.02.0/24", "rpki-ov-state: valid  # should be discarded\n" },
	  { "  192.0.2.0/24", "" } },
	{ "route-set", "RS-TEST", { "2001:0dB8::/48" }, { "2001:db8::/48" } },
	{ "route6", "2001:DB8::/48AS65537", { NULL }, { NULL } },
	{ "rtr-set", "RTRS-SETTEST", { NULL }, { NULL } },
};

static void test_irrd_valid_samples(void)
{
	struct rpsl_options crypt_on = rpsl_options_default;

	/* IRRd's mntner test enables crypt-pw (legacy by default) */
	crypt_on.hashers[RPSL_HASHER_CRYPT_PW] = RPSL_HASHER_ENABLED;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		char rel[256];
		size_t len, rlen;
		char *text, *input, *want, *got, *again_txt;
		struct rpsl_object *obj, *again;

		snprintf(rel, sizeof(rel), "irr-real/irrd-samples/valid/sample-%s.txt", s->cls);
		text = read_shared(rel, &len);
		if (text == NULL)
			continue;
		test_current = s->cls;
		input = xstrdup(text);
		if (strcmp(s->cls, "key-cert") == 0) {
			/* mangle what the parser must regenerate, as IRRd's test does */
			char *t1 = replace_all(input, "8626 1D8D BEBD A4F5 4692  D64D A838 3BA7 80F2 38C6", "fingerprint");
			char *t2 = replace_all(t1, "sasha", "foo");
			free(input);
			input = replace_all(t2, "method:         PGP", "method: test");
			free(t1);
			free(t2);
		}
		want = xstrdup(text);
		for (int k = 0; k < 3 && s->from[k]; k++) {
			char *n = replace_all(want, s->from[k], s->to[k]);
			free(want);
			want = n;
		}
		obj = rpsl_parse_ex(input, strlen(input), RPSL_STRICT, NULL, &crypt_on);
		CHECK_STR(rpsl_class_name(obj->cls), s->cls);
		CHECK_INT(obj->msgs.nerrors, 0);
		for (size_t e = 0; e < obj->msgs.nerrors; e++)
			fprintf(stderr, "  error: %s\n", obj->msgs.errors[e]);
		CHECK_STR(obj->pk, s->pk);
		CHECK_STR(obj->source, "TEST");
		got = rpsl_render(obj, &rlen);
		CHECK_STR(got, want);

		again = rpsl_parse_ex(got, rlen, RPSL_STRICT, NULL, &crypt_on);
		CHECK_INT(again->msgs.nerrors, 0);
		CHECK_INT(again->msgs.ninfos, 0);
		again_txt = rpsl_render(again, NULL);
		CHECK_STR(again_txt, got);
		CHECK_STR(again->pk, s->pk);

		if (strcmp(s->cls, "as-set") == 0)
			CHECK_VALUES(obj, "members", "AS65538|AS65539|AS65537|AS-OTHERSET");
		if (strcmp(s->cls, "mntner") == 0)
			CHECK_VALUES(obj, "mnt-by", "TEST-MNT|OTHER1-MNT|OTHER2-MNT");
		if (strcmp(s->cls, "peering-set") == 0)
			CHECK_VALUES(obj, "tech-c", "PERSON-TEST|DUMY2-TEST");
		if (strcmp(s->cls, "organisation") == 0)
			CHECK_VALUES(obj, "org-name", "Test Corporation");
		if (strcmp(s->cls, "route-set") == 0)
			CHECK_VALUES(obj, "mp-members", "2001:db8::/48");
		if (strcmp(s->cls, "route6") == 0)
			CHECK_VALUES(obj, "mnt-by", "TEST-MNT");
		if (strcmp(s->cls, "inet-rtr") == 0)
			CHECK_VALUES(obj, "inet-rtr", "RTR.EXAMPLE.COM");
		if (strcmp(s->cls, "key-cert") == 0)
			CHECK_VALUES(obj, "fingerpr", "8626 1D8D BEBD A4F5 4692  D64D A838 3BA7 80F2 38C6");
		if (strcmp(s->cls, "inet6num") == 0) {
			char buf[IP_PREFIX_STRLEN];
			CHECK_STR(ip_addr_format(&obj->ip_first, buf, sizeof(buf)), "2001:db8::");
			CHECK_STR(ip_addr_format(&obj->ip_last, buf, sizeof(buf)), "2001:db8:0:ffff:ffff:ffff:ffff:ffff");
		}
		if (strcmp(s->cls, "route") == 0) {
			CHECK_INT(obj->asn_first, 65537);
			CHECK_INT(obj->prefix.len, 24);
		}

		/* and with IRRd's default hashers, strict mode rejects crypt-pw */
		if (strcmp(s->cls, "mntner") == 0) {
			struct rpsl_object *d = rpsl_parse(text, len, RPSL_STRICT, NULL);
			CHECK_INT(d->msgs.nerrors, 1);
			CHECK(d->msgs.nerrors == 1 &&
			      strcmp(d->msgs.errors[0], "Invalid auth attribute: CRYPT-Pw LEuuhsBJNFV0Q: supported options "
					 "are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and IRRD-INTERNAL-AUTH for migrated objects") == 0);
			rpsl_object_free(d);
		}

		free(again_txt);
		rpsl_object_free(again);
		free(got);
		rpsl_object_free(obj);
		free(want);
		free(input);
		free(text);
	}
	test_current = "test_irrd_valid_samples";
}

struct malformed {
	const char *file;
	const char *strict;		/* the one error, or "" */
	const char *nonstrict;
};

static const struct malformed malformed[] = {
	{ "sample-invalid-multiple-attribute.txt",
	  "Attribute \"source\" on object route occurs multiple times, but is only allowed once", "" },
	{ "sample-legacy-irrd-artifact.txt", "unknown object class: *xxte", "unknown object class: *xxte" },
	{ "sample-line-neither-continuation-nor-attr.txt", "Line 4: line is neither continuation nor valid attribute [or]",
	  "Line 4: line is neither continuation nor valid attribute [or]" },
	{ "sample-malformed-attribute-name.txt", "Line 3: encountered malformed attribute name: [$$$-by]",
	  "Line 3: encountered malformed attribute name: [$$$-by]" },
	{ "sample-malformed-empty-line.txt", "Line 4: encountered empty line in the middle of object: []",
	  "Line 4: encountered empty line in the middle of object: []" },
	{ "sample-malformed-pk.txt", "Invalid address prefix: not-a-prefix", "Invalid address prefix: not-a-prefix" },
	{ "sample-malformed-source.txt",
	  "Invalid name: +TEST$$$: contains invalid characters, does not start with a letter, or does not end in a letter/digit",
	  "Invalid name: +TEST$$$: contains invalid characters, does not start with a letter, or does not end in a letter/digit" },
	{ "sample-missing-mandatory-attribute.txt", "Mandatory attribute \"mnt-by\" on object route is missing", "" },
	{ "sample-missing-source.txt", "Mandatory attribute \"source\" on object route is missing",
	  "Primary key attribute \"source\" on object route is missing" },
	{ "sample-unknown-attribute.txt", "Unrecognised attribute foo on object route", "" },
	{ "sample-unknown-class.txt", "unknown object class: foo-block", "unknown object class: foo-block" },
};

static void check_one_error(const struct rpsl_object *obj, const char *want)
{
	if (want[0] == '\0') {
		CHECK_INT(obj->msgs.nerrors, 0);
		return;
	}
	CHECK_INT(obj->msgs.nerrors, 1);
	if (obj->msgs.nerrors >= 1)
		CHECK_STR(obj->msgs.errors[0], want);
}

static void test_irrd_malformed_samples(void)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		char rel[256];
		size_t len;
		char *text;
		struct rpsl_object *obj;

		snprintf(rel, sizeof(rel), "irr-real/irrd-samples/malformed/%s", malformed[i].file);
		text = read_shared(rel, &len);
		if (text == NULL)
			continue;
		test_current = malformed[i].file;
		obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
		check_one_error(obj, malformed[i].strict);
		rpsl_object_free(obj);
		obj = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);
		check_one_error(obj, malformed[i].nonstrict);
		rpsl_object_free(obj);
		free(text);
	}
	test_current = "test_irrd_malformed_samples";
	/* a default source makes the missing source fine (non-strict) */
	{
		size_t len;
		char *text = read_shared("irr-real/irrd-samples/malformed/sample-missing-source.txt", &len);
		if (text != NULL) {
			struct rpsl_object *obj = rpsl_parse(text, len, RPSL_NONSTRICT, "TEST");
			CHECK_INT(obj->msgs.nerrors, 0);
			CHECK_STR(obj->source, "TEST");
			rpsl_object_free(obj);
			free(text);
		}
	}
}

static void test_irrd_templates(void)
{
	size_t len;
	char *t = read_shared("irr-real/irrd-samples/templates/template-person-object.txt", &len);

	if (t) {
		CHECK_STR(rpsl_template(RPSL_PERSON), t);
		free(t);
	}
	t = read_shared("irr-real/irrd-samples/templates/template-route-object.txt", &len);
	if (t) {
		CHECK_STR(rpsl_template(RPSL_ROUTE), t);
		free(t);
	}
}

/* ---------------------------------------------------------------- whole dumps */

/* Failures IRRd reports as well, for data outside its rules. */
static const char *const genuine_patterns[] = {
	/* mntner names must start with a letter (re_generic_name) */
	"^Invalid name: [0-9][A-Za-z0-9_-]*: contains invalid characters, does not start with a letter, or does not "
	"end in a letter/digit$",
	/* DN42 writes inet6num keys as ranges; IRRd's key is a prefix */
	"^Invalid address prefix: [0-9a-f:]+ - [0-9a-f:]+$",
	/* "prefix+" instead of "prefix^+" */
	"^Value is neither a valid set name nor a valid prefix: [0-9a-f.:]+/[0-9]+\\+: invalid literal for int\\(\\) "
	"with base 10: '[0-9]+\\+'$",
	"^Invalid address range: [0-9. -]+: first IP is higher than second IP$",
	/* LACNIC: IPv6 in inetnum, plain AS numbers */
	"^Invalid address range: [0-9a-f:/]+: IP version mismatch$",
	"^Invalid AS number [0-9]+: must start with \"AS\"$",
	/* legacy IRRd deletion artefacts */
	"^unknown object class: \\*xx[a-z]+$",
};

struct dump {
	const char *file;
	unsigned long objects, invalid;
};

static const struct dump dumps[] = {
	{ "irr-real/dn42/dn42-as-block.db", 9, 0 },
	{ "irr-real/dn42/dn42-as-set.db", 92, 0 },
	{ "irr-real/dn42/dn42-aut-num.db", 2981, 40 },
	{ "irr-real/dn42/dn42-inet6num.db", 2241, 2241 },
	{ "irr-real/dn42/dn42-inetnum.db", 2682, 31 },
	{ "irr-real/dn42/dn42-mntner.db", 2792, 42 },
	{ "irr-real/dn42/dn42-route-set.db", 2, 1 },
	{ "irr-real/dn42/dn42-route.db", 2311, 30 },
	{ "irr-real/dn42/dn42-route6.db", 2132, 29 },
	{ "irr-real/ripe-whois/TEST.db", 220, 0 },
	{ "irr-real/ripe-whois/TEST_ADDITIONAL_LOAD_DUMP.db", 3, 0 },
	{ "irr-real/ripe-whois/TEST_ADDITIONAL_LOAD_DUMP_WITH_ERROR.db", 3, 0 },
	{ "irr-real/ripe-whois/TEST_BOOTSTRAP_LOAD_DUMP.db", 3, 0 },
	{ "irr-real/ripe-whois/grs/afrinic.test", 5, 0 },
	{ "irr-real/ripe-whois/grs/apnic.test", 2, 0 },
	{ "irr-real/ripe-whois/grs/jpirr.test", 3, 1 },
	{ "irr-real/ripe-whois/grs/lacnic.test", 3, 2 },
	{ "irr-real/ripe-whois/grs/radb.test", 3, 1 },
	{ "irr-real/ripe-whois/grs/ripe.test", 2, 0 },
	{ "synthetic-small/irr.db", 2764, 0 },
};

static void test_dumps(void)
{
	regex_t re[sizeof(genuine_patterns) / sizeof(genuine_patterns[0])];
	size_t npat = sizeof(genuine_patterns) / sizeof(genuine_patterns[0]);
	unsigned long total = 0, total_bad = 0;

	for (size_t i = 0; i < npat; i++)
		if (regcomp(&re[i], genuine_patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
			fatalx("bad pattern %s", genuine_patterns[i]);
	for (size_t d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		char path[2048];
		char *err = NULL;
		struct rpsl_reader *r;
		const char *text;
		size_t len;
		unsigned long line, n = 0, bad = 0, roundtrip_bad = 0, unexplained = 0;
		int rc;

		test_current = dumps[d].file;
		snprintf(path, sizeof(path), "%s/testdata/%s", shared_dir(), dumps[d].file);
		r = rpsl_reader_open(path, &err);
		CHECK_MSG(r != NULL, "%s", err ? err : path);
		if (r == NULL) {
			free(err);
			continue;
		}
		while ((rc = rpsl_reader_next(r, &text, &len, &line)) == 1) {
			struct rpsl_object *obj = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);

			n++;
			if (!rpsl_object_valid(obj)) {
				bad++;
				for (size_t e = 0; e < obj->msgs.nerrors; e++) {
					bool ok = false;
					for (size_t p = 0; p < npat && !ok; p++)
						ok = regexec(&re[p], obj->msgs.errors[e], 0, NULL, 0) == 0;
					if (!ok) {
						unexplained++;
						fprintf(stderr, "  %s:%lu: unexpected error: %s\n", dumps[d].file, line,
							obj->msgs.errors[e]);
					}
				}
			} else {
				/* valid objects survive parse -> render -> parse unchanged */
				size_t rl;
				char *t1 = rpsl_render(obj, &rl);
				struct rpsl_object *o2 = rpsl_parse(t1, rl, RPSL_NONSTRICT, NULL);
				char *t2 = rpsl_render(o2, NULL);

				if (!rpsl_object_valid(o2) || strcmp(t1, t2) != 0 || strcmp(obj->pk, o2->pk) != 0 ||
				    obj->pk[0] == '\0' || obj->source == NULL) {
					roundtrip_bad++;
					if (roundtrip_bad < 4)
						fprintf(stderr, "  %s:%lu: round trip differs for %s\n", dumps[d].file, line, obj->pk);
				}
				free(t1);
				free(t2);
				rpsl_object_free(o2);
			}
			rpsl_object_free(obj);
		}
		CHECK_INT(rc, 0);
		rpsl_reader_close(r);
		CHECK_INT(n, dumps[d].objects);
		CHECK_INT(bad, dumps[d].invalid);
		CHECK_INT(unexplained, 0);
		CHECK_INT(roundtrip_bad, 0);
		printf("%s: %lu objects, %lu rejected\n", dumps[d].file, n, bad);
		total += n;
		total_bad += bad;
	}
	test_current = "test_dumps";
	printf("dumps: %lu objects parsed in non-strict mode, %lu rejected (all for reasons IRRd rejects them)\n", total,
	       total_bad);
	for (size_t i = 0; i < npat; i++)
		regfree(&re[i]);
}

int main(void)
{
	log_init("rpsl_shared_test");
	TEST_RUN(test_irrd_valid_samples);
	TEST_RUN(test_irrd_malformed_samples);
	TEST_RUN(test_irrd_templates);
	TEST_RUN(test_dumps);
	return test_summary("rpsl_shared");
}
