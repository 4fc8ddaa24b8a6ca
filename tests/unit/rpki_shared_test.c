/*
 * rpki_shared_test.c - `make check-shared`: the ROA side against the shared
 * data (SHARED_DIR, default ../shared).
 *
 * synthetic-small: every route(6) of irr.db validated against roas.json,
 * with and without slurm.json, must give exactly the ground truth of
 * answers.json (the per-route sample with its covering VRPs, and the
 * summary counts over all routes).
 * roa-real: every real ROA export and SLURM file is accepted or rejected as
 * its README says, with the VRP counts they hold; IRRd's own importer case
 * gives IRRd's VRPs and pseudo-IRR text.
 */
#include <jansson.h>

#include "tests/unit/testlib.h"
#include "rpki/rpki.h"
#include "rpki/roa_int.h"

static const char *shared_dir(void)
{
	const char *d = getenv("SHARED_DIR");
	return d ? d : "../shared";
}

static char *spath(const char *rel)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/testdata/%s", shared_dir(), rel);
	return buf[k];
}

static char *must_slurp(const char *path, size_t *len)
{
	char *b = test_slurp(path, len);

	if (b == NULL) {
		fprintf(stderr, "%s: cannot read (set SHARED_DIR)\n", path);
		exit(1);
	}
	return b;
}

static struct slurm *slurm_of(const char *rel, char **err)
{
	size_t len;
	char *b = must_slurp(spath(rel), &len);
	struct slurm *s = slurm_parse(b, len, rel, err);

	free(b);
	return s;
}

static struct roa_set *roas_of(const char *rel, const struct slurm *s, char **err)
{
	size_t len;
	char *b = must_slurp(spath(rel), &len);
	struct roa_set *set = roa_parse(b, len, rel, s, err);

	free(b);
	return set;
}

static const char *st(enum rpki_state s)
{
	return s == RPKI_VALID ? "valid" : s == RPKI_INVALID ? "invalid" : "not_found";
}

/* ---- irr.db routes ---- */

struct routes {
	struct roa_route *v;
	size_t n, cap;
	size_t bad;
};

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* route: / route6: and origin: of each object (objects split on blank lines). */
static void read_routes(const char *buf, size_t len, struct routes *r)
{
	const char *p = buf, *end = buf + len;
	struct ip_prefix pfx;
	uint32_t origin = 0;
	bool have_pfx = false, have_origin = false;

	memset(r, 0, sizeof(*r));
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);

		if (n == 0 || (n == 1 && p[0] == '\r')) {
			if (have_pfx && have_origin) {
				if (r->n == r->cap) {
					r->cap = r->cap ? r->cap * 2 : 1024;
					r->v = realloc(r->v, r->cap * sizeof(*r->v));
				}
				r->v[r->n].prefix = pfx;
				r->v[r->n++].origin = origin;
			} else if (have_pfx || have_origin) {
				r->bad++;
			}
			have_pfx = have_origin = false;
		} else if ((n > 6 && strncmp(p, "route:", 6) == 0) || (n > 7 && strncmp(p, "route6:", 7) == 0)) {
			const char *v = memchr(p, ':', n) + 1, *why;
			size_t vn = (size_t)(le - v);

			trim(&v, &vn);
			if (roa_prefix_parse(v, vn, &pfx, &why) == 0)
				have_pfx = true;
			else
				r->bad++;
		} else if (n > 7 && strncmp(p, "origin:", 7) == 0) {
			const char *v = p + 7;
			size_t vn = (size_t)(le - v);

			trim(&v, &vn);
			if (roa_asn_parse(v, vn, &origin) == 0)
				have_origin = true;
			else
				r->bad++;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (have_pfx && have_origin) {
		if (r->n == r->cap)
			r->v = realloc(r->v, ++r->cap * sizeof(*r->v));
		r->v[r->n].prefix = pfx;
		r->v[r->n++].origin = origin;
	}
}

static void check_summary(json_t *sum, const struct routes *rt, const enum rpki_state *states, const char *label)
{
	size_t c[2][3] = { { 0 } };
	static const char *names[3] = { "not_found", "valid", "invalid" };

	for (size_t i = 0; i < rt->n; i++)
		c[rt->v[i].prefix.family == IP_AF6][states[i]]++;
	for (int s = 0; s < 3; s++) {
		long long want = json_integer_value(json_object_get(sum, names[s]));
		long long want4 = json_integer_value(json_object_get(json_object_get(sum, "v4"), names[s]));
		long long want6 = json_integer_value(json_object_get(json_object_get(sum, "v6"), names[s]));

		CHECK_MSG((long long)(c[0][s] + c[1][s]) == want, "%s %s: %zu, want %lld", label, names[s], c[0][s] + c[1][s], want);
		CHECK_MSG((long long)c[0][s] == want4, "%s v4 %s: %zu, want %lld", label, names[s], c[0][s], want4);
		CHECK_MSG((long long)c[1][s] == want6, "%s v6 %s: %zu, want %lld", label, names[s], c[1][s], want6);
	}
	CHECK_INT(rt->n, json_integer_value(json_object_get(sum, "total")));
}

static void test_synthetic_small(void)
{
	char *err = NULL;
	size_t len;
	char *irr = must_slurp(spath("synthetic-small/irr.db"), &len);
	struct slurm *s = slurm_of("synthetic-small/slurm.json", &err);
	struct roa_set *plain = roas_of("synthetic-small/roas.json", NULL, &err);
	struct roa_set *withs = s ? roas_of("synthetic-small/roas.json", s, &err) : NULL;
	json_error_t je;
	json_t *ans = json_load_file(spath("synthetic-small/answers.json"), 0, &je), *rpki, *sample, *e;
	struct routes rt;
	enum rpki_state *st0, *st1;
	size_t i, nchecked = 0, ncov = 0;

	CHECK(s != NULL && plain != NULL && withs != NULL && ans != NULL);
	if (!(s && plain && withs && ans)) {
		fprintf(stderr, "%s %s\n", err ? err : "", ans ? "" : je.text);
		exit(1);
	}
	rpki = json_object_get(ans, "rpki");
	CHECK_INT(roa_set_count(plain), json_integer_value(json_object_get(json_object_get(json_object_get(rpki, "summary"), "vrps"), "without_slurm")));
	CHECK_INT(roa_set_count(withs), json_integer_value(json_object_get(json_object_get(json_object_get(rpki, "summary"), "vrps"), "with_slurm")));

	read_routes(irr, len, &rt);
	CHECK_INT(rt.bad, 0);
	st0 = malloc(rt.n * sizeof(*st0));
	st1 = malloc(rt.n * sizeof(*st1));
	roa_validate_batch(plain, rt.v, rt.n, st0, 1);
	roa_validate_batch(withs, rt.v, rt.n, st1, 2);
	check_summary(json_object_get(json_object_get(rpki, "summary"), "without_slurm"), &rt, st0, "without SLURM");
	check_summary(json_object_get(json_object_get(rpki, "summary"), "with_slurm"), &rt, st1, "with SLURM");
	{
		size_t changed = 0;
		for (i = 0; i < rt.n; i++)
			changed += st0[i] != st1[i];
		CHECK_INT(changed, json_integer_value(json_object_get(json_object_get(rpki, "summary"), "slurm_changed_routes")));
	}
	/* re-validation from the plain set to the SLURM one finds the same changes */
	{
		struct roa_diff d;
		size_t *chg, n;
		enum rpki_state *cur = malloc(rt.n * sizeof(*cur));
		bool same = true;

		memcpy(cur, st0, rt.n * sizeof(*cur));
		roa_diff(plain, withs, &d);
		n = roa_revalidate(withs, &d, rt.v, rt.n, cur, &chg);
		for (i = 0; i < rt.n; i++)
			same &= cur[i] == st1[i];
		CHECK(same);
		CHECK_INT(n, json_integer_value(json_object_get(json_object_get(rpki, "summary"), "slurm_changed_routes")));
		free(chg);
		free(cur);
		roa_diff_free(&d);
	}

	/* the sample, route by route */
	sample = json_object_get(rpki, "routes");
	CHECK(json_array_size(sample) >= 1000);
	json_array_foreach(sample, i, e) {
		const char *pfx = json_string_value(json_object_get(e, "prefix"));
		const char *org = json_string_value(json_object_get(e, "origin"));
		const char *w0 = json_string_value(json_object_get(e, "state"));
		const char *w1 = json_string_value(json_object_get(e, "state_slurm"));
		json_t *cov = json_object_get(e, "covering_vrps");
		struct ip_prefix p;
		uint32_t asn;
		const char *why;
		const struct roa *got[256];
		size_t ng;

		if (!pfx || !org || !w0 || !w1 || roa_prefix_parse(pfx, strlen(pfx), &p, &why) < 0 ||
		    roa_asn_parse(org, strlen(org), &asn) < 0) {
			CHECK_MSG(0, "answers.json: rpki.routes[%zu] unreadable", i);
			continue;
		}
		CHECK_MSG(strcmp(st(roa_validate(plain, &p, asn)), w0) == 0, "%s %s: %s, want %s", pfx, org,
			  st(roa_validate(plain, &p, asn)), w0);
		CHECK_MSG(strcmp(st(roa_validate(withs, &p, asn)), w1) == 0, "%s %s with SLURM: %s, want %s", pfx, org,
			  st(roa_validate(withs, &p, asn)), w1);
		/* the covering VRPs (without SLURM), as "prefix maxlen ASn"; the
		 * generator lists at most the 8 least specific ones */
		ng = roa_covering(plain, &p, got, 256);
		if (ng == json_array_size(cov) || (json_array_size(cov) == 8 && ng > 8)) {
			size_t k;
			json_t *c;
			bool all = true;

			json_array_foreach(cov, k, c) {
				char want[100], have[100];
				bool found = false;

				snprintf(want, sizeof(want), "%s %lld %s", json_string_value(json_array_get(c, 0)),
					 json_integer_value(json_array_get(c, 1)), json_string_value(json_array_get(c, 2)));
				for (size_t g = 0; g < ng && !found; g++) {
					char b[IP_PREFIX_STRLEN];
					roa_prefix_format(&got[g]->prefix, b, false);
					snprintf(have, sizeof(have), "%s %u AS%u", b, got[g]->maxlen, got[g]->asn);
					found = strcmp(want, have) == 0;
				}
				all &= found;
			}
			CHECK_MSG(all, "%s %s: covering VRPs differ", pfx, org);
			ncov++;
		} else {
			CHECK_MSG(0, "%s %s: %zu covering VRPs, want %zu", pfx, org, ng, json_array_size(cov));
		}
		nchecked++;
	}
	printf("synthetic-small: %zu routes, %zu sample routes checked (%zu covering lists)\n", rt.n, nchecked, ncov);
	json_decref(ans);
	free(st0);
	free(st1);
	free(rt.v);
	free(irr);
	roa_set_free(plain);
	roa_set_free(withs);
	slurm_free(s);
}

/* ---- roa-real ---- */

static void expect_roas(const char *rel, const char *slurm_rel, size_t want_vrps)
{
	char *err = NULL;
	struct slurm *s = slurm_rel ? slurm_of(slurm_rel, &err) : NULL;
	struct roa_set *set = (s || !slurm_rel) ? roas_of(rel, s, &err) : NULL;

	CHECK_MSG(set != NULL, "%s: %s", rel, err ? err : "");
	if (set)
		CHECK_MSG(roa_set_count(set) == want_vrps, "%s: %zu VRPs, want %zu", rel, roa_set_count(set), want_vrps);
	free(err);
	roa_set_free(set);
	slurm_free(s);
}

static void expect_roas_err(const char *rel, const char *want)
{
	char *err = NULL;
	struct roa_set *set = roas_of(rel, NULL, &err);

	CHECK_MSG(set == NULL, "%s accepted", rel);
	CHECK_STR(err, want);
	free(err);
	roa_set_free(set);
}

static void expect_slurm(const char *rel, bool ok, size_t nassert, const char *want_err)
{
	char *err = NULL;
	struct slurm *s = slurm_of(rel, &err);

	if (ok) {
		CHECK_MSG(s != NULL, "%s: %s", rel, err ? err : "");
		if (s)
			CHECK_MSG(s->nprefix_assertions == nassert, "%s: %zu assertions, want %zu", rel, s->nprefix_assertions, nassert);
	} else {
		CHECK_MSG(s == NULL, "%s accepted", rel);
		CHECK_STR(err, want_err);
	}
	free(err);
	slurm_free(s);
}

static void test_roa_real(void)
{
	char *err = NULL;

	expect_roas("roa-real/stayrtr/test.rpki.json", NULL, 19);
	expect_roas("roa-real/stayrtr/smalltest.rpki.json", NULL, 2);
	expect_roas("roa-real/routinator/output-111.json", NULL, 1);	/* the same VRP twice */
	/* DN42's export has three broken entries (IRRd refuses the file too) */
	expect_roas_err("roa-real/dn42/export_dn42.json",
			"roa-real/dn42/export_dn42.json: roas[123].prefix: must be a string\n"
			"roa-real/dn42/export_dn42.json: roas[1560].asn: invalid AS number \"AS\"\n"
			"roa-real/dn42/export_dn42.json: roas[3311].asn: invalid AS number \"AS\"");
	expect_roas("roa-real/irrd/importer-roas.json", NULL, 6);
	expect_roas("roa-real/irrd/importer-roas.json", "roa-real/irrd/importer-slurm.json", 4);
	/* "source" instead of "ta": IRRd refuses it too (missing key 'ta') */
	expect_roas_err("roa-real/routinator/output-111.jsonext",
			"roa-real/routinator/output-111.jsonext: roas[0].ta: missing\n"
			"roa-real/routinator/output-111.jsonext: roas[1].ta: missing");
	expect_roas_err("roa-real/routinator/validate-beacons.json",
			"roa-real/routinator/validate-beacons.json: root key \"roas\" not found");

	expect_slurm("roa-real/stayrtr/test.slurm.json", true, 1, NULL);
	expect_slurm("roa-real/stayrtr/slurm-v1-rfc8416.json", true, 2, NULL);
	expect_slurm("roa-real/routinator/slurm-full-rfc8416.json", true, 2, NULL);
	expect_slurm("roa-real/routinator/slurm-empty.json", true, 0, NULL);
	expect_slurm("roa-real/routinator/output-111.slurm", true, 2, NULL);
	expect_slurm("roa-real/irrd/importer-slurm.json", true, 2, NULL);
	expect_slurm("roa-real/dn42/export_rfc8416_dn42.json", false, 0,
		     "roa-real/dn42/export_rfc8416_dn42.json: locallyAddedAssertions.prefixAssertions[123].prefix: must be a string (a prefix)\n"
		     "roa-real/dn42/export_rfc8416_dn42.json: locallyAddedAssertions.prefixAssertions[1560].asn: must be a number (an AS number)\n"
		     "roa-real/dn42/export_rfc8416_dn42.json: locallyAddedAssertions.prefixAssertions[3311].asn: must be a number (an AS number)");
	expect_slurm("roa-real/stayrtr/slurm-v2.json", false, 0,
		     "roa-real/stayrtr/slurm-v2.json: slurmVersion: SLURM data has invalid version: 2");
	expect_slurm("roa-real/routinator/output-111.slurm2", false, 0,
		     "roa-real/routinator/output-111.slurm2: slurmVersion: SLURM data has invalid version: 2");
	expect_slurm("roa-real/routinator/slurm-bad-maxlen.json", false, 0,
		     "roa-real/routinator/slurm-bad-maxlen.json: locallyAddedAssertions.prefixAssertions[0].maxPrefixLength: must be between 24 and 32");

	/* DN42: without its three broken entries, the export and the SLURM
	 * file hold the same 3,311 distinct VRPs */
	{
		size_t la, lb;
		char *ta = must_slurp(spath("roa-real/dn42/export_dn42.json"), &la);
		char *tb = must_slurp(spath("roa-real/dn42/export_rfc8416_dn42.json"), &lb);
		struct slurm *s;
		struct roa_set *a, *b = NULL;
		struct roa_diff d;
		int fixed = 0;

		/* "prefix": null -> "::/0"; "asn": "AS" / "" -> AS0 (same lengths) */
		for (char *q = ta; (q = strstr(q, "\"prefix\": null")) != NULL; fixed++)
			memcpy(q - 1, "\"prefix\":\"::/0\"", 15);	/* over the indent */
		for (char *q = ta; (q = strstr(q, "\"asn\": \"AS\",")) != NULL; fixed++)
			memcpy(q, "\"asn\":\"AS0\",", 12);
		for (char *q = tb; (q = strstr(q, "\"prefix\": null")) != NULL; fixed++)
			memcpy(q - 1, "\"prefix\":\"::/0\"", 15);	/* over the indent */
		for (char *q = tb; (q = strstr(q, "\"asn\": \"\",")) != NULL; fixed++)
			memcpy(q, "\"asn\": 0 ,", 10);
		CHECK_INT(fixed, 6);
		a = roa_parse(ta, la, "dn42 export", NULL, &err);
		CHECK_MSG(a != NULL, "%s", err ? err : "");
		free(err);
		err = NULL;
		s = slurm_parse(tb, lb, "dn42 slurm", &err);
		CHECK_MSG(s != NULL, "%s", err ? err : "");
		free(err);
		err = NULL;
		if (s)
			b = roa_parse("{\"roas\":[]}", 11, "empty", s, &err);
		CHECK(a != NULL && b != NULL);
		if (a && b) {
			CHECK_INT(roa_set_count(a), 3311);	/* 3,312, one repeated */
			roa_diff(a, b, &d);
			CHECK_INT(d.nadded + d.nremoved, 0);
			CHECK_INT(d.nretagged, roa_set_count(a));	/* "DN42" etc. vs "SLURM file" */
			roa_diff_free(&d);
		}
		roa_set_free(a);
		roa_set_free(b);
		slurm_free(s);
		free(ta);
		free(tb);
	}

	/* IRRd's importer case: its VRPs and its pseudo-IRR text */
	{
		json_error_t je;
		json_t *exp = json_load_file(spath("roa-real/irrd/importer-expected.json"), 0, &je), *v, *e;
		struct slurm *s = slurm_of("roa-real/irrd/importer-slurm.json", &err);
		struct roa_set *set = s ? roas_of("roa-real/irrd/importer-roas.json", s, &err) : NULL;
		size_t i, n;
		const struct roa *r;

		CHECK(exp != NULL && set != NULL);
		if (exp && set) {
			char *remarks = roa_pseudo_remarks(NULL), text[2048];

			v = json_object_get(exp, "vrps");
			r = roa_set_roas(set, &n);
			CHECK_INT(n, json_array_size(v));
			json_array_foreach(v, i, e) {
				bool found = false;
				for (size_t k = 0; k < n && !found; k++) {
					char b[IP_PREFIX_STRLEN];
					roa_prefix_format(&r[k].prefix, b, false);
					found = strcmp(b, json_string_value(json_object_get(e, "prefix"))) == 0 &&
						r[k].asn == json_integer_value(json_object_get(e, "asn")) &&
						r[k].maxlen == json_integer_value(json_object_get(e, "maxLength")) &&
						strcmp(roa_set_ta(set, r[k].ta), json_string_value(json_object_get(e, "ta"))) == 0;
				}
				CHECK_MSG(found, "importer-expected.json: vrps[%zu] missing", i);
			}
			/* the first VRP of IRRd's list: 192.0.2.0/24 AS64496 */
			for (size_t k = 0; k < n; k++) {
				if (r[k].asn == 64496 && r[k].maxlen == 26) {
					roa_pseudo_render(set, &r[k], remarks, text, sizeof(text));
					CHECK_STR(text, json_string_value(json_object_get(exp, "pseudo_irr_object_for_first_vrp")));
				}
			}
			free(remarks);
		}
		json_decref(exp);
		roa_set_free(set);
		slurm_free(s);
	}
}

int main(void)
{
	TEST_RUN(test_synthetic_small);
	TEST_RUN(test_roa_real);
	return test_summary("rpki_shared");
}
