/*
 * rpki_ov_test.c - RFC 6811 origin validation: hand-made cases (valid,
 * invalid by origin or by length, not_found, AS0, nesting, families, the
 * default route), then random sets checked against a brute-force validator:
 * single, batch (1 and 2 threads), covering VRPs, and re-validation after
 * a change against a full re-validation.
 */
#include "tests/unit/testlib.h"
#include "rpki/rpki.h"
#include "rpki/roa_int.h"	/* roa_prefix_parse, roa_prefix_format */

static const char *st(enum rpki_state s)
{
	return s == RPKI_VALID ? "valid" : s == RPKI_INVALID ? "invalid" : s == RPKI_NOT_FOUND ? "not_found" : "?";
}

static struct ip_prefix P(const char *s)
{
	struct ip_prefix p;
	const char *why;

	if (roa_prefix_parse(s, strlen(s), &p, &why) < 0) {
		fprintf(stderr, "bad test prefix %s: %s\n", s, why);
		exit(1);
	}
	return p;
}

static struct roa_set *set_of(const char *roas)
{
	char doc[8192], *err = NULL;
	struct roa_set *set;

	snprintf(doc, sizeof(doc), "{\"roas\":[%s]}", roas);
	set = roa_parse(doc, strlen(doc), "t", NULL, &err);
	if (set == NULL) {
		fprintf(stderr, "set_of: %s\n", err);
		exit(1);
	}
	return set;
}

#define R(asn, pfx, ml) "{\"asn\":" #asn ",\"prefix\":\"" pfx "\",\"maxLength\":" #ml ",\"ta\":\"t\"}"

static void check(const struct roa_set *set, const char *pfx, uint32_t origin, const char *want)
{
	struct ip_prefix p = P(pfx);
	const char *got = st(roa_validate(set, &p, origin));

	CHECK_MSG(strcmp(got, want) == 0, "%s AS%u: got %s, want %s", pfx, origin, got, want);
}

static void test_cases(void)
{
	struct roa_set *set = set_of(
		R(64496, "192.0.2.0/24", 24) ","
		R(64497, "198.51.100.0/24", 26) ","
		R(64498, "198.51.100.0/24", 24) ","
		R(0, "203.0.113.0/24", 32) ","
		R(64499, "203.0.113.0/25", 25) ","
		R(64500, "10.0.0.0/8", 8) ","
		R(64501, "10.1.0.0/16", 24) ","
		R(64502, "2001:db8::/32", 48) ","
		R(64503, "2001:db8:1::/48", 64) ","
		R(64504, "172.16.0.0/12", 12));

	check(set, "192.0.2.0/24", 64496, "valid");
	check(set, "192.0.2.0/24", 64497, "invalid");		/* wrong origin */
	check(set, "192.0.2.0/25", 64496, "invalid");		/* too specific */
	check(set, "192.0.2.128/25", 64496, "invalid");
	check(set, "192.0.0.0/16", 64496, "not_found");		/* less specific than the VRP */
	check(set, "192.0.3.0/24", 64496, "not_found");
	check(set, "198.51.100.0/26", 64497, "valid");		/* maxLength 26 */
	check(set, "198.51.100.64/27", 64497, "invalid");
	check(set, "198.51.100.0/24", 64498, "valid");		/* MOAS */
	check(set, "198.51.100.0/25", 64498, "invalid");
	check(set, "203.0.113.0/24", 0, "invalid");		/* AS0 VRP never validates */
	check(set, "203.0.113.0/24", 64499, "invalid");		/* covered only by the AS0 VRP */
	check(set, "203.0.113.0/25", 64499, "valid");		/* AS0 does not spoil another VRP */
	check(set, "203.0.113.128/25", 64499, "invalid");
	check(set, "203.0.113.0/25", 0, "invalid");		/* an AS0 route is never valid */
	check(set, "10.0.0.0/8", 64500, "valid");
	check(set, "10.1.2.0/24", 64501, "valid");		/* nested: the inner VRP */
	check(set, "10.1.2.0/24", 64500, "invalid");		/* the outer one is too short */
	check(set, "10.1.2.0/25", 64501, "invalid");
	check(set, "10.2.0.0/16", 64501, "invalid");
	check(set, "10.255.255.255/32", 64500, "invalid");
	check(set, "11.0.0.0/8", 64500, "not_found");
	check(set, "9.255.255.255/32", 64500, "not_found");
	check(set, "172.16.0.0/12", 64504, "valid");
	check(set, "172.31.255.0/24", 64504, "invalid");
	check(set, "172.32.0.0/12", 64504, "not_found");
	check(set, "2001:db8::/32", 64502, "valid");
	check(set, "2001:db8:ffff::/48", 64502, "valid");
	check(set, "2001:db8:ffff::/49", 64502, "invalid");
	check(set, "2001:db8:1::/64", 64503, "valid");
	check(set, "2001:db8:1::/64", 64502, "invalid");
	check(set, "2001:db8:1::/48", 64502, "valid");
	check(set, "2001:db9::/32", 64502, "not_found");
	check(set, "2001::/16", 64502, "not_found");
	check(set, "::/0", 64502, "not_found");
	check(set, "0.0.0.0/0", 64500, "not_found");
	/* an IPv4 VRP does not cover IPv6 space and back */
	check(set, "::ffff:192.0.2.0/120", 64496, "not_found");
	check(set, "c000:200::/24", 64496, "not_found");
	{
		const struct roa *cov[8];
		struct ip_prefix p = P("10.1.2.0/24");
		size_t n = roa_covering(set, &p, cov, 8);

		CHECK_INT(n, 2);
		if (n == 2) {
			CHECK_INT(cov[0]->asn, 64500);	/* least specific first */
			CHECK_INT(cov[1]->asn, 64501);
		}
		CHECK_INT(roa_covering(set, &p, cov, 1), 2);
		p = P("11.0.0.0/8");
		CHECK_INT(roa_covering(set, &p, cov, 8), 0);
	}
	roa_set_free(set);

	/* the default route */
	set = set_of(R(64496, "0.0.0.0/0", 0) "," R(64497, "::/0", 128));
	check(set, "0.0.0.0/0", 64496, "valid");
	check(set, "192.0.2.0/24", 64496, "invalid");
	check(set, "2001:db8::/128", 64497, "valid");
	check(set, "2001:db8::/128", 64496, "invalid");
	roa_set_free(set);

	/* the empty set */
	set = roa_set_new_empty();
	check(set, "192.0.2.0/24", 64496, "not_found");
	check(set, "::/0", 0, "not_found");
	roa_set_free(set);
}

/* ---- random sets against brute force ---- */

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Prefixes packed into little space so that they nest a lot; VRPs are a
 * little more specific than routes so that some routes are not covered. */
static struct ip_prefix rand_prefix(unsigned minlen4, unsigned minlen6)
{
	struct ip_prefix p;

	memset(&p, 0, sizeof(p));
	if (rnd() % 4) {
		uint32_t a = 0x0a000000u | (uint32_t)(rnd() & 0x030f0f0fu);
		p.family = IP_AF4;
		p.len = (uint8_t)(minlen4 + rnd() % (33 - minlen4));
		a &= p.len ? ~0u << (32 - p.len) : 0;
		p.a[0] = (uint8_t)(a >> 24);
		p.a[1] = (uint8_t)(a >> 16);
		p.a[2] = (uint8_t)(a >> 8);
		p.a[3] = (uint8_t)a;
	} else {
		p.family = IP_AF6;
		p.a[0] = 0x20;
		p.a[1] = 0x01;
		p.a[2] = 0x0d;
		p.a[3] = 0xb8;
		p.a[4] = (uint8_t)(rnd() & 0xf1);
		p.a[5] = (uint8_t)(rnd() & 0x81);
		p.a[6] = (uint8_t)(rnd() & 0x03);
		p.len = (uint8_t)(minlen6 + rnd() % 30);
		for (unsigned b = p.len; b < 128; b++)
			p.a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	return p;
}

static bool covers(const struct ip_prefix *o, const struct ip_prefix *i)
{
	if (o->family != i->family || o->len > i->len)
		return false;
	for (unsigned b = 0; b < o->len; b++)
		if (ip_bit(o->a, b) != ip_bit(i->a, b))
			return false;
	return true;
}

static enum rpki_state brute(const struct roa *roas, size_t n, const struct roa_route *rt, size_t *ncover)
{
	bool covered = false, valid = false;

	*ncover = 0;
	for (size_t i = 0; i < n; i++) {
		if (!covers(&roas[i].prefix, &rt->prefix))
			continue;
		covered = true;
		(*ncover)++;
		if (roas[i].asn != 0 && roas[i].asn == rt->origin && rt->prefix.len <= roas[i].maxlen)
			valid = true;
	}
	return valid ? RPKI_VALID : covered ? RPKI_INVALID : RPKI_NOT_FOUND;
}

static struct roa_set *rand_set(size_t n, struct roa **out, size_t *nout)
{
	static const char *tas[] = { "a", "b" };
	struct roa *roas = malloc(n * sizeof(*roas));
	struct roa_set *set;
	const struct roa *r;

	for (size_t i = 0; i < n; i++) {
		unsigned max;

		roas[i].prefix = rand_prefix(12, 32);
		max = ip_maxlen(roas[i].prefix.family);
		roas[i].maxlen = (uint8_t)(roas[i].prefix.len + rnd() % (max - roas[i].prefix.len + 1) % 6);
		roas[i].asn = (uint32_t)(rnd() % 5);
		roas[i].ta = (uint32_t)(rnd() % 2);
	}
	set = roa_set_new(roas, n, tas, 2, NULL);
	free(roas);
	if (set == NULL) {
		fprintf(stderr, "roa_set_new refused random VRPs\n");
		exit(1);
	}
	r = roa_set_roas(set, nout);
	*out = malloc((*nout + 1) * sizeof(**out));
	memcpy(*out, r, *nout * sizeof(**out));
	return set;
}

static void test_random(void)
{
	const size_t nroutes = 20000;
	struct roa_route *routes = malloc(nroutes * sizeof(*routes));
	enum rpki_state *b1 = malloc(nroutes * sizeof(*b1)), *b2 = malloc(nroutes * sizeof(*b2));
	enum rpki_state *states = malloc(nroutes * sizeof(*states));
	int mism = 0, mism_b = 0, mism_cov = 0;
	size_t counts[3] = { 0 };

	for (size_t i = 0; i < nroutes; i++) {
		routes[i].prefix = rand_prefix(8, 28);
		routes[i].origin = (uint32_t)(rnd() % 5);
		if (rnd() % 8 == 0) {
			/* outside the space the VRPs share, above or below */
			unsigned max = ip_maxlen(routes[i].prefix.family);
			uint64_t x = rnd();

			memcpy(routes[i].prefix.a, &x, 8);
			x = rnd();
			memcpy(routes[i].prefix.a + 8, &x, 8);
			if (routes[i].prefix.family == IP_AF4)
				memset(routes[i].prefix.a + 4, 0, 12);
			routes[i].prefix.len = (uint8_t)(rnd() % (max + 1));
			for (unsigned b = routes[i].prefix.len; b < 128; b++)
				routes[i].prefix.a[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		}
	}
	for (int round = 0; round < 5; round++) {
		struct roa *roas, *roas2;
		size_t n, n2;
		struct roa_set *set = rand_set(300 + 400 * (size_t)round, &roas, &n);
		struct roa_set *set2 = rand_set(300 + 400 * (size_t)round, &roas2, &n2);
		struct roa_diff d;
		size_t *changed, nchanged, nreal = 0, k = 0;
		bool same = true;

		roa_validate_batch(set, routes, nroutes, b1, 1);
		roa_validate_batch(set, routes, nroutes, b2, 2);
		for (size_t i = 0; i < nroutes; i++) {
			size_t ncov;
			const struct roa *cov[64];
			enum rpki_state want = brute(roas, n, &routes[i], &ncov);
			enum rpki_state got = roa_validate(set, &routes[i].prefix, routes[i].origin);

			if (got != want && mism++ < 5) {
				char buf[IP_PREFIX_STRLEN];
				roa_prefix_format(&routes[i].prefix, buf, false);
				fprintf(stderr, "mismatch %s AS%u: got %s want %s\n", buf, routes[i].origin, st(got), st(want));
			}
			if (b1[i] != want || b2[i] != want)
				mism_b++;
			if (roa_covering(set, &routes[i].prefix, cov, 64) != ncov)
				mism_cov++;
			counts[want]++;
		}
		/* from set to set2: only covered routes are looked at, and the
		 * outcome equals validating everything against set2 */
		memcpy(states, b1, nroutes * sizeof(*states));
		roa_diff(set, set2, &d);
		nchanged = roa_revalidate(set2, &d, routes, nroutes, states, &changed);
		for (size_t i = 0; i < nroutes; i++) {
			size_t ncov;
			enum rpki_state want = brute(roas2, n2, &routes[i], &ncov);

			if (states[i] != want)
				same = false;
			if (want != b1[i]) {
				if (k >= nchanged || changed[k] != i)
					same = false;
				else
					k++;
				nreal++;
			}
		}
		CHECK(same);
		CHECK_INT(nchanged, nreal);
		free(changed);
		roa_diff_free(&d);
		/* no change: nothing to do */
		roa_diff(set2, set2, &d);
		CHECK_INT(roa_revalidate(set2, &d, routes, nroutes, states, &changed), 0);
		CHECK(changed == NULL);
		roa_diff_free(&d);
		roa_set_free(set);
		roa_set_free(set2);
		free(roas);
		free(roas2);
	}
	CHECK_INT(mism, 0);
	CHECK_INT(mism_b, 0);
	CHECK_INT(mism_cov, 0);
	/* the random data exercise every state */
	CHECK(counts[RPKI_VALID] > 1000 && counts[RPKI_INVALID] > 1000 && counts[RPKI_NOT_FOUND] > 1000);
	printf("random: %zu valid, %zu invalid, %zu not_found\n", counts[RPKI_VALID], counts[RPKI_INVALID],
	       counts[RPKI_NOT_FOUND]);
	free(routes);
	free(b1);
	free(b2);
	free(states);
}

static void test_set_new(void)
{
	static const char *tas[] = { "one", "two" };
	struct roa r[2];
	struct roa_set *set;
	char *err = NULL;
	const char *sl = "{\"slurmVersion\":1,\"validationOutputFilters\":{\"prefixFilters\":[{\"asn\":2}]},"
			 "\"locallyAddedAssertions\":{\"prefixAssertions\":[{\"asn\":3,\"prefix\":\"10.0.0.0/8\"}]}}";
	struct slurm *s = slurm_parse(sl, strlen(sl), "s", &err);
	size_t n;
	const struct roa *got;

	memset(r, 0, sizeof(r));
	r[0].prefix = P("192.0.2.0/24");
	r[0].maxlen = 24;
	r[0].asn = 1;
	r[0].ta = 1;
	r[1].prefix = P("198.51.100.0/24");
	r[1].maxlen = 24;
	r[1].asn = 2;
	set = roa_set_new(r, 2, tas, 2, s);
	CHECK(set != NULL);
	if (set) {
		got = roa_set_roas(set, &n);
		CHECK_INT(n, 2);
		CHECK_INT(roa_set_count_filtered(set), 1);
		CHECK_STR(roa_set_ta(set, got[0].ta), "SLURM file");
		CHECK_STR(roa_set_ta(set, got[1].ta), "two");
	}
	roa_set_free(set);
	r[0].ta = 2;
	CHECK(roa_set_new(r, 2, tas, 2, NULL) == NULL);
	r[0].ta = 0;
	r[0].maxlen = 23;
	CHECK(roa_set_new(r, 2, tas, 2, NULL) == NULL);
	r[0].maxlen = 24;
	r[0].prefix.a[3] = 1;
	CHECK(roa_set_new(r, 2, tas, 2, NULL) == NULL);
	slurm_free(s);
}

static void test_format(void)
{
	static const char *cases[][2] = {
		{ "0.0.0.0/0", "0.0.0.0/0" },
		{ "255.255.255.255/32", "255.255.255.255/32" },
		{ "010.001.000.000/16", "10.1.0.0/16" },
		{ "::/0", "::/0" },
		{ "::1/128", "::1/128" },
		{ "2001:DB8::/32", "2001:db8::/32" },
		{ "2001:db8:0:1::/64", "2001:db8:0:1::/64" },
		{ "2001:0:0:1::/64", "2001:0:0:1::/64" },
		{ "2001:db8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80" },
		{ "2001:db8::1:0:0:1/128", "2001:db8::1:0:0:1/128" },
		{ "1:0:1:0:1:0:1:0/128", "1:0:1:0:1:0:1:0/128" },
		{ "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120" },
		{ "::192.0.2.0/120", "::c000:200/120" },
		{ "fe80::/10", "fe80::/10" },
	};
	static const char *bad[] = {
		"", "/", "1.2.3.4", "1.2.3/24", "1.2.3.4.5/32", "1.2.3.256/32", "1.2.3.4/", "1.2.3.4/x",
		"1.2.3.4/-1", "1.2.3.4/0032", "1.2.3.4 /32", " 1.2.3.4/32", "1.2.3.4/32 ", "1..3.4/32",
		"::/129", ":::/0", "1:2:3:4:5:6:7:8:9/128", "g::/16", "2001:db8::1/32", "0.0.0.1/31",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[IP_PREFIX_STRLEN];
		struct ip_prefix p = P(cases[i][0]);

		roa_prefix_format(&p, buf, false);
		CHECK_STR(buf, cases[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ip_prefix p;
		const char *why;

		CHECK_MSG(roa_prefix_parse(bad[i], strlen(bad[i]), &p, &why) < 0, "accepted \"%s\"", bad[i]);
	}
}

int main(void)
{
	TEST_RUN(test_cases);
	TEST_RUN(test_random);
	TEST_RUN(test_set_new);
	TEST_RUN(test_format);
	return test_summary("rpki_ov");
}
