/*
 * whois_engine_bench.c - the whois query engine in-process, without
 * sockets: loads an RPSL dump into an index and measures
 *   - load rate and resident memory;
 *   - !g over every origin (queries/s, one thread, one keepalive session,
 *     answers written to an evbuffer and drained as the daemon would);
 *   - !i<set>,1 and !a4<set> latency (p50/p99) for the largest sets;
 *   - index updates (delete + re-add of route objects, per second).
 *
 *   whois_engine_bench DUMP [ANSWERS.json] [SECONDS]
 *
 * ANSWERS.json (gen_irr.py's answers.json) names the huge sets
 * (meta.huge_sets); without it the sets with the most direct members are
 * used. RPKI states: every 20th route is marked invalid so the filter path
 * is exercised. The answer cache of the daemon's index is off: every !i and
 * !a is made anew (the figures of the engine's work). Prints one "whois_engine: ..." line per figure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "conf/conf.h"
#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "whois/whois.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct set_cand {
	char name[128];
	size_t members;
};

static uint32_t *origins;
static size_t norigins, cap_origins;
static struct set_cand top[8];
static char **route_texts;
static size_t nroute_texts;

static void note_origin(uint32_t asn)
{
	if (norigins == cap_origins) {
		cap_origins = cap_origins ? cap_origins * 2 : 1024;
		origins = realloc(origins, cap_origins * sizeof(*origins));
	}
	origins[norigins++] = asn;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void note_set(const char *name, size_t members)
{
	for (int i = 0; i < 8; i++) {
		if (members > top[i].members) {
			memmove(&top[i + 1], &top[i], (size_t)(7 - i) * sizeof(top[0]));
			snprintf(top[i].name, sizeof(top[i].name), "%s", name);
			top[i].members = members;
			return;
		}
	}
}

static size_t query(struct whois_session *s, struct evbuffer *out, const char *q)
{
	whois_session_query(s, q, strlen(q), out);
	size_t n = evbuffer_get_length(out);
	evbuffer_drain(out, n);
	return n;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall-clock p50/p99, and the CPU time p50 (what the query costs when the
 * machine is shared with other work). */
static void latency(struct whois_session *s, struct evbuffer *out, const char *fmt, const char *name, int runs)
{
	char q[256];
	double *t = calloc((size_t)runs, sizeof(*t)), *c = calloc((size_t)runs, sizeof(*c));
	size_t bytes = 0;
	snprintf(q, sizeof(q), fmt, name);
	for (int i = 0; i < runs; i++) {
		double t0 = now(), c0 = cpu_now();
		bytes = query(s, out, q);
		t[i] = now() - t0;
		c[i] = cpu_now() - c0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	qsort(c, (size_t)runs, sizeof(*c), cmp_double);
	printf("whois_engine: %-40s p50 %8.2f ms  p99 %8.2f ms  cpu p50 %8.2f ms  (%d runs, %zu bytes)\n", q,
	       t[runs / 2] * 1e3, t[(runs * 99) / 100] * 1e3, c[runs / 2] * 1e3, runs, bytes);
	free(t);
	free(c);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: whois_engine_bench DUMP [ANSWERS.json] [SECONDS]\n");
		return 2;
	}
	log_init(argv[0]);
	double secs = argc > 3 ? atof(argv[3]) : 5.0;
	char *err = NULL;
	struct rpsl_reader *rd = rpsl_reader_open(argv[1], &err);
	if (rd == NULL) {
		fprintf(stderr, "whois_engine_bench: %s\n", err);
		return 1;
	}
	struct whois_index *idx = whois_index_new();
	whois_index_cache_answers(idx, -1);
	const char *t;
	size_t tl, n = 0, nroutes = 0;
	unsigned long line;
	long rss0 = rss_kb();
	double t0 = now(), tparse = 0;
	while (rpsl_reader_next(rd, &t, &tl, &line) == 1) {
		double p0 = now();
		struct rpsl_object *o = rpsl_parse(t, tl, RPSL_NONSTRICT, NULL);
		tparse += now() - p0;
		if (o->pk == NULL || o->source == NULL || o->cls == RPSL_CLASS_UNKNOWN) {
			rpsl_object_free(o);
			continue;
		}
		enum rpki_state st = RPKI_NOT_FOUND;
		if (o->cls == RPSL_ROUTE || o->cls == RPSL_ROUTE6) {
			if (++nroutes % 20 == 0)
				st = RPKI_INVALID;
			if (o->has_origin)
				note_origin(o->origin);
			if (nroute_texts < 20000) {
				route_texts = realloc(route_texts, (nroute_texts + 1) * sizeof(*route_texts));
				route_texts[nroute_texts++] = strndup(t, tl);
			}
		}
		if (o->cls == RPSL_AS_SET)
			note_set(o->pk, rpsl_get(o, "members").n);
		whois_index_put(idx, o, t, tl, st);
		rpsl_object_free(o);
		n++;
	}
	rpsl_reader_close(rd);
	double tload = now() - t0;
	long rss1 = rss_kb();
	printf("whois_engine: loaded %zu objects (%zu routes) in %.1f s (%.1f s parsing, %.0f puts/s without parsing)\n",
	       n, nroutes, tload, tparse, (double)n / (tload - tparse));
	printf("whois_engine: index resident memory %.0f MB (process %.0f MB)\n", (double)(rss1 - rss0) / 1024,
	       (double)rss1 / 1024);

	/* Huge sets from answers.json, if given. */
	size_t nsets = 0;
	char sets[8][128];
	if (argc > 2) {
		json_error_t jerr;
		json_t *ans = json_load_file(argv[2], 0, &jerr);
		json_t *huge = ans ? json_object_get(json_object_get(ans, "meta"), "huge_sets") : NULL;
		const char *k;
		json_t *v;
		json_object_foreach(huge, k, v) if (nsets < 4) snprintf(sets[nsets++], sizeof(sets[0]), "%.127s", k);
		json_decref(ans);
	}
	for (int i = 0; i < 8 && nsets < 6; i++) {
		bool dup = false;
		for (size_t k = 0; k < nsets; k++)
			dup |= strcmp(sets[k], top[i].name) == 0;
		if (top[i].members && !dup)
			memcpy(sets[nsets++], top[i].name, sizeof(top[i].name));
	}

	struct whois_context ctx = { .idx = idx, .version = "bench" };
	struct whois_session *s = whois_session_new(&ctx);
	struct evbuffer *out = evbuffer_new();
	query(s, out, "!!");

	/* !g over all origins, distinct */
	qsort(origins, norigins, sizeof(*origins), cmp_u32);
	size_t w = 0;
	for (size_t i = 0; i < norigins; i++)
		if (w == 0 || origins[w - 1] != origins[i])
			origins[w++] = origins[i];
	norigins = w;
	char q[64];
	if (norigins > 0) {
		size_t cnt = 0, bytes = 0;
		double start = now(), first_pass = 0;
		while (now() - start < secs) {
			for (size_t i = 0; i < norigins; i++) {
				snprintf(q, sizeof(q), "!gAS%u", origins[i]);
				bytes += query(s, out, q);
				cnt++;
			}
			if (first_pass == 0)
				first_pass = now() - start;
		}
		double el = now() - start;
		printf("whois_engine: !g %.0f queries/s over %zu origins (first pass, cold caches: %.0f queries/s), "
		       "%.0f MB/s out\n", (double)cnt / el, norigins, (double)norigins / first_pass,
		       (double)bytes / el / 1e6);
		cnt = 0;
		start = now();
		while (now() - start < secs / 2) {
			for (size_t i = 0; i < norigins; i++) {
				snprintf(q, sizeof(q), "!6AS%u", origins[i]);
				query(s, out, q);
				cnt++;
			}
		}
		printf("whois_engine: !6 %.0f queries/s\n", (double)cnt / (now() - start));
	}

	for (size_t i = 0; i < nsets; i++) {
		latency(s, out, "!i%s,1", sets[i], 21);
		latency(s, out, "!a4%s", sets[i], 11);
	}
	if (nsets > 0)
		latency(s, out, "!a%s", sets[0], 11);

	/* updates: delete and re-add routes */
	if (nroute_texts > 0) {
		size_t ops = 0;
		double start = now();
		while (now() - start < secs / 2) {
			for (size_t i = 0; i < nroute_texts; i++) {
				struct rpsl_object *o = rpsl_parse(route_texts[i], strlen(route_texts[i]), RPSL_NONSTRICT, NULL);
				whois_index_del(idx, o->source, o->cls, o->pk);
				whois_index_put(idx, o, route_texts[i], strlen(route_texts[i]), RPKI_NOT_FOUND);
				rpsl_object_free(o);
				ops += 2;
				/* Keep the !g cache honest: ask for one origin now and then. */
				if (i % 64 == 0 && norigins)
					query(s, out, "!gAS64500");
			}
		}
		printf("whois_engine: updates %.0f index operations/s (delete + add of parsed route objects, "
		       "parsing included)\n", (double)ops / (now() - start));
	}

	evbuffer_free(out);
	whois_session_free(s);
	double tf = now();
	whois_index_free(idx);
	printf("whois_engine: index freed in %.2f s\n", now() - tf);
	for (size_t i = 0; i < nroute_texts; i++)
		free(route_texts[i]);
	free(route_texts);
	free(origins);
	return 0;
}
