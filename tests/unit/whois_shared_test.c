/*
 * whois_shared_test.c - the whois engine on ../shared/testdata/synthetic-small
 * (make check-shared; SHARED_DIR, default ../shared): irr.db is loaded into
 * an index and the answers of !g, !6, !i, !i,1, !a4 and !a6 are compared
 * with answers.json, without RPKI, with the RPKI states of roas.json
 * (computed here as RFC 6811 origin validation and checked against the
 * sample of states in answers.json), and with the RPKI pseudo-source added.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"
#include "tests/unit/testlib.h"
#include "whois/whois.h"

struct route {
	char *pk;
	enum rpsl_class cls;
	struct ip_prefix prefix;
	uint32_t origin;
	enum rpki_state state;
};

struct vrp {
	struct ip_prefix prefix;
	unsigned maxlen;
	uint32_t asn;
	char ta[32];
};

static struct route *routes;
static size_t nroutes;
static struct vrp *vrps;
static size_t nvrps;
static struct whois_index *idx;
static struct cfg cfg;
static struct cfg_source sources[1];
static char *defaults_plain[] = { "SYNTH" };
static char *defaults_rpki[] = { "SYNTH", "RPKI" };
static struct whois_context ctx;
static const char *shared;

static char *ask(struct whois_session *s, const char *fmt, const char *arg)
{
	char line[512];
	snprintf(line, sizeof(line), fmt, arg);
	struct evbuffer *out = evbuffer_new();
	whois_session_query(s, line, strlen(line), out);
	size_t n = evbuffer_get_length(out);
	char *r = malloc(n + 1);
	evbuffer_remove(out, r, n);
	r[n] = '\0';
	evbuffer_free(out);
	return r;
}

/* The data of an A answer ("" for C or D; NULL for anything else). */
static char *answer_data(char *raw)
{
	if (strcmp(raw, "C\n") == 0 || strcmp(raw, "D\n") == 0) {
		raw[0] = '\0';
		return raw;
	}
	if (raw[0] != 'A')
		return NULL;
	char *nl = strchr(raw, '\n');
	if (nl == NULL)
		return NULL;
	size_t n = strtoul(raw + 1, NULL, 10);
	char *data = nl + 1;
	if (strlen(data) != n + 2 || strcmp(data + n - 1, "\nC\n") != 0)
		return NULL;
	data[n - 1] = '\0';
	memmove(raw, data, n);
	return raw;
}

/* " ".join of a JSON string list (or of the union of two, sorted with
 * cmp when merge is set). */
static int cmp_tok(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(json_t *list, json_t *extra, bool as_set)
{
	size_t n = json_array_size(list) + (extra ? json_array_size(extra) : 0), k = 0;
	const char **v = calloc(n ? n : 1, sizeof(*v));
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
		v[k++] = json_string_value(e);
	if (extra)
		json_array_foreach(extra, i, e)
			v[k++] = json_string_value(e);
	if (as_set)
		qsort(v, k, sizeof(*v), cmp_tok);
	size_t len = 1, w = 0;
	for (i = 0; i < k; i++)
		len += strlen(v[i]) + 1;
	char *r = malloc(len);
	r[0] = '\0';
	for (i = 0; i < k; i++) {
		if (as_set && i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (w++)
			strcat(r, " ");
		strcat(r, v[i]);
	}
	free(v);
	return r;
}

/* Sort the words of a space separated list (comparison as sets). */
static char *sorted_words(const char *s)
{
	json_t *a = json_array();
	char *copy = strdup(s), *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(t));
	free(copy);
	char *r = join(a, NULL, true);
	json_decref(a);
	return r;
}

static int failures_shown;

/* Compare the data of one ! query with the expected list. */
static void expect(struct whois_session *s, const char *fmt, const char *arg, json_t *want, json_t *extra, bool as_set)
{
	char *raw = ask(s, fmt, arg);
	char *got = answer_data(raw);
	char *w = join(want, extra, as_set);
	bool ok;
	if (got && as_set) {
		char *g2 = sorted_words(got);
		ok = strcmp(g2, w) == 0;
		free(g2);
	} else {
		ok = got && strcmp(got, w) == 0;
	}
	char q[256];
	snprintf(q, sizeof(q), fmt, arg);
	CHECK_MSG(ok, "%s: got [%.300s] want [%.300s]", q, got ? got : raw, w);
	if (!ok && ++failures_shown > 40) {
		fprintf(stderr, "too many failures\n");
		exit(1);
	}
	free(w);
	free(raw);
}

static bool covers(const struct ip_prefix *outer, const struct ip_prefix *inner)
{
	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	for (unsigned i = 0; i < outer->len; i++)
		if (ip_bit(outer->a, i) != ip_bit(inner->a, i))
			return false;
	return true;
}

/* RFC 6811 origin validation; AS0 VRPs never match. */
static enum rpki_state validate(const struct route *r)
{
	bool covered = false;
	for (size_t i = 0; i < nvrps; i++) {
		if (!covers(&vrps[i].prefix, &r->prefix))
			continue;
		covered = true;
		if (vrps[i].asn != 0 && vrps[i].asn == r->origin && r->prefix.len <= vrps[i].maxlen)
			return RPKI_VALID;
	}
	return covered ? RPKI_INVALID : RPKI_NOT_FOUND;
}

static bool load_irr(void)
{
	char path[1024], *err = NULL;
	snprintf(path, sizeof(path), "%s/testdata/synthetic-small/irr.db", shared);
	struct rpsl_reader *rd = rpsl_reader_open(path, &err);
	if (rd == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return false;
	}
	const char *t;
	size_t tl, n = 0, bad = 0;
	unsigned long line;
	while (rpsl_reader_next(rd, &t, &tl, &line) == 1) {
		struct rpsl_object *o = rpsl_parse(t, tl, RPSL_NONSTRICT, NULL);
		if (!rpsl_object_valid(o)) {
			if (bad++ < 5)
				fprintf(stderr, "%s:%lu: %s\n", path, line, o->msgs.errors[0]);
			rpsl_object_free(o);
			continue;
		}
		whois_index_put(idx, o, t, tl, RPKI_NOT_FOUND);
		if ((o->cls == RPSL_ROUTE || o->cls == RPSL_ROUTE6) && o->has_prefix && o->has_origin) {
			routes = realloc(routes, (nroutes + 1) * sizeof(*routes));
			routes[nroutes++] = (struct route){ strdup(o->pk), o->cls, o->prefix, o->origin, RPKI_NOT_FOUND };
		}
		rpsl_object_free(o);
		n++;
	}
	rpsl_reader_close(rd);
	CHECK_INT(bad, 0);
	CHECK_INT(n, 2764);
	CHECK_INT(nroutes, 2400);
	return true;
}

static bool load_roas(void)
{
	char path[1024];
	json_error_t jerr;
	snprintf(path, sizeof(path), "%s/testdata/synthetic-small/roas.json", shared);
	json_t *j = json_load_file(path, 0, &jerr);
	if (j == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		return false;
	}
	json_t *roas = json_object_get(j, "roas"), *e;
	size_t i;
	vrps = calloc(json_array_size(roas) + 1, sizeof(*vrps));
	json_array_foreach(roas, i, e) {
		const char *p = json_string_value(json_object_get(e, "prefix"));
		const char *a = json_string_value(json_object_get(e, "asn"));
		struct vrp *v = &vrps[nvrps];
		if (p == NULL || a == NULL || ip_prefix_parse(p, strlen(p), &v->prefix, false) < 0 ||
		    asn_parse(a, strlen(a), &v->asn, true) < 0) {
			fprintf(stderr, "%s: bad ROA %zu\n", path, i);
			continue;
		}
		v->maxlen = (unsigned)json_integer_value(json_object_get(e, "maxLength"));
		snprintf(v->ta, sizeof(v->ta), "%s", json_string_value(json_object_get(e, "ta")));
		nvrps++;
	}
	json_decref(j);
	CHECK_INT(nvrps, 1091);
	return true;
}

/* One pseudo-IRR route(6) per VRP, source RPKI, as IRRd serves them. */
static void add_pseudo_irr(void)
{
	for (size_t i = 0; i < nvrps; i++) {
		char pfx[64], text[512];
		ip_prefix_format(&vrps[i].prefix, pfx, sizeof(pfx));
		const char *cls = vrps[i].prefix.family == IP_AF4 ? "route" : "route6";
		snprintf(text, sizeof(text),
			 "%s:%*s%s\ndescr:          RPKI ROA for %s / AS%u\nmax-length:     %u\n"
			 "origin:         AS%u\nsource:         RPKI  # Trust Anchor: %s\n",
			 cls, (int)(16 - strlen(cls) - 1), "", pfx, pfx, vrps[i].asn, vrps[i].maxlen, vrps[i].asn,
			 vrps[i].ta);
		struct rpsl_object *o = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, NULL);
		CHECK_MSG(o->pk != NULL && o->source != NULL && strcmp(o->source, "RPKI") == 0, "pseudo %s", pfx);
		whois_index_put(idx, o, text, strlen(text), RPKI_VALID);
		rpsl_object_free(o);
	}
}

static void check_answers(json_t *ans, int mode)
{
	/* mode 0: no RPKI; 1: RPKI states; 2: states and the RPKI source */
	static const char *const sfx[] = { "", "_rpki", "_rpki" };
	struct whois_session *s = whois_session_new(&ctx);
	json_t *e;
	size_t i;
	char key[64];
	char *r = ask(s, "!!", "");
	free(r);

	json_array_foreach(json_object_get(ans, "prefix_lists"), i, e) {
		const char *asn = json_string_value(json_object_get(e, "asn"));
		snprintf(key, sizeof(key), "v4%s", sfx[mode]);
		expect(s, "!g%s", asn, json_object_get(e, key), mode == 2 ? json_object_get(e, "roa_v4") : NULL, mode == 2);
		snprintf(key, sizeof(key), "v6%s", sfx[mode]);
		expect(s, "!6%s", asn, json_object_get(e, key), mode == 2 ? json_object_get(e, "roa_v6") : NULL, mode == 2);
	}
	json_array_foreach(json_object_get(ans, "as_sets"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		expect(s, "!i%s", name, json_object_get(e, "members_direct"), NULL, false);
		/* IRRd sorts !i answers as strings, answers.json numerically. */
		expect(s, "!i%s,1", name, json_object_get(e, "asns"), NULL, true);
		snprintf(key, sizeof(key), "prefixes_v4%s", sfx[mode]);
		if (json_object_get(e, key))
			expect(s, "!a4%s", name, json_object_get(e, key), mode == 2 ? json_object_get(e, "roa_v4") : NULL,
			       mode == 2);
		snprintf(key, sizeof(key), "prefixes_v6%s", sfx[mode]);
		if (json_object_get(e, key))
			expect(s, "!a6%s", name, json_object_get(e, key), mode == 2 ? json_object_get(e, "roa_v6") : NULL,
			       mode == 2);
	}
	json_array_foreach(json_object_get(ans, "route_sets"), i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		snprintf(key, sizeof(key), "members_direct%s", sfx[mode]);
		expect(s, "!i%s", name, json_object_get(e, key), NULL, false);
		snprintf(key, sizeof(key), "members_recursive%s", sfx[mode]);
		expect(s, "!i%s,1", name, json_object_get(e, key),
		       mode == 2 ? json_object_get(e, "roa_members_recursive") : NULL, mode == 2);
	}
	whois_session_free(s);
}

int main(void)
{
	char path[1024];
	json_error_t jerr;

	shared = getenv("SHARED_DIR");
	if (shared == NULL)
		shared = "../shared";
	snprintf(path, sizeof(path), "%s/testdata/synthetic-small/answers.json", shared);
	json_t *ans = json_load_file(path, 0, &jerr);
	CHECK_MSG(ans != NULL, "%s: %s", path, jerr.text);
	idx = whois_index_new();
	if (ans == NULL || !load_irr() || !load_roas())
		return test_summary("whois_shared");

	sources[0].name = "SYNTH";
	cfg.sources = sources;
	cfg.nsources = 1;
	cfg.sources_default = defaults_plain;
	cfg.nsources_default = 1;
	ctx.cfg = &cfg;
	ctx.idx = idx;
	ctx.version = "test";

	/* Without RPKI. */
	check_answers(ans, 0);

	/* With the RPKI states of roas.json. */
	size_t counts[3] = { 0, 0, 0 };
	for (size_t i = 0; i < nroutes; i++) {
		routes[i].state = validate(&routes[i]);
		counts[routes[i].state]++;
		CHECK(whois_index_set_rpki(idx, "SYNTH", routes[i].cls, routes[i].pk, routes[i].state) == 0);
	}
	json_t *summ = json_object_get(json_object_get(json_object_get(ans, "rpki"), "summary"), "without_slurm");
	CHECK_INT(counts[RPKI_VALID], json_integer_value(json_object_get(summ, "valid")));
	CHECK_INT(counts[RPKI_INVALID], json_integer_value(json_object_get(summ, "invalid")));
	CHECK_INT(counts[RPKI_NOT_FOUND], json_integer_value(json_object_get(summ, "not_found")));
	/* The sample of route states in answers.json agrees. */
	json_t *e;
	size_t i, matched = 0;
	json_array_foreach(json_object_get(json_object_get(ans, "rpki"), "routes"), i, e) {
		const char *p = json_string_value(json_object_get(e, "prefix"));
		const char *o = json_string_value(json_object_get(e, "origin"));
		const char *st = json_string_value(json_object_get(e, "state"));
		struct ip_prefix pfx;
		uint32_t asn;
		if (ip_prefix_parse(p, strlen(p), &pfx, false) < 0 || asn_parse(o, strlen(o), &asn, false) < 0)
			continue;
		for (size_t k = 0; k < nroutes; k++) {
			if (routes[k].origin != asn || ip_prefix_cmp(&routes[k].prefix, &pfx) != 0)
				continue;
			CHECK_MSG(strcmp(rpki_state_name(routes[k].state), st) == 0, "%s %s: %s, want %s", p, o,
				  rpki_state_name(routes[k].state), st);
			matched++;
		}
	}
	CHECK_INT(matched, 1000);
	cfg.rpki_enabled = true;
	check_answers(ans, 1);

	/* With the RPKI pseudo-source selected as well. */
	add_pseudo_irr();
	cfg.sources_default = defaults_rpki;
	cfg.nsources_default = 2;
	check_answers(ans, 2);

	whois_index_free(idx);
	for (size_t k = 0; k < nroutes; k++)
		free(routes[k].pk);
	free(routes);
	free(vrps);
	json_decref(ans);
	return test_summary("whois_shared");
}
