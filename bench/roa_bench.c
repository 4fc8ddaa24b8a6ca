/*
 * roa_bench.c - the ROA side of one import cycle on a data set written by
 * ../shared/tools/gen_irr.py: parse roas.json (with and without
 * slurm.json), validate every route(6) of irr.db (1 and 2 threads), and a
 * re-import with 1% churn (parse, diff, re-validate only what the change
 * covers), plus rendering every pseudo-IRR object.
 *
 *	roa_bench DIR		(DIR/roas.json, DIR/slurm.json, DIR/irr.db)
 *
 * Prints one "name: value unit" line per figure and the budget ratios of
 * the targets (import + validation of 1.2 M routes < 30 s; a 1% churn
 * re-import < 5 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpki/rpki.h"
#include "rpki/roa_int.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "roa_bench: %s: cannot read\n", path);
		exit(1);
	}
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "roa_bench: %s: cannot read\n", path);
		exit(1);
	}
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* route:/route6: and origin: of each object; enough for generated dumps. */
static struct roa_route *read_routes(const char *buf, size_t len, size_t *nout)
{
	const char *p = buf, *end = buf + len;
	struct roa_route *v = NULL, cur;
	size_t n = 0, cap = 0;
	int have = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		size_t ln = (size_t)(le - p);

		if (ln == 0) {
			if (have == 3) {
				if (n == cap) {
					cap = cap ? cap * 2 : 65536;
					v = realloc(v, cap * sizeof(*v));
				}
				v[n++] = cur;
			}
			have = 0;
		} else if ((ln > 6 && memcmp(p, "route:", 6) == 0) || (ln > 7 && memcmp(p, "route6:", 7) == 0)) {
			const char *s = memchr(p, ':', ln) + 1, *why;
			while (s < le && *s == ' ')
				s++;
			if (roa_prefix_parse(s, (size_t)(le - s), &cur.prefix, &why) == 0)
				have |= 1;
		} else if (ln > 7 && memcmp(p, "origin:", 7) == 0) {
			const char *s = p + 7;
			while (s < le && *s == ' ')
				s++;
			if (roa_asn_parse(s, (size_t)(le - s), &cur.origin) == 0)
				have |= 2;
		}
		p = nl ? nl + 1 : end;
	}
	if (have == 3) {
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = cur;
	}
	*nout = n;
	return v;
}

int main(int argc, char **argv)
{
	char path[4096], *roas, *slurmbuf, *irr, *err = NULL, *json, *remarks, text[2048];
	size_t lroas, lslurm, lirr, nroutes, nv, nchanged, counts[3] = { 0 };
	struct roa_route *routes;
	struct roa_set *set, *setsl, *churned;
	struct slurm *slurm;
	enum rpki_state *st;
	const struct roa *v;
	struct roa_diff d;
	size_t *changed;
	double t0, t_parse, t_parse_sl, t_val1, t_val2, t_churn_parse, t_diff, t_reval, t_render;

	if (argc != 2) {
		fprintf(stderr, "usage: roa_bench DIR (written by gen_irr.py)\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/roas.json", argv[1]);
	roas = slurp(path, &lroas);
	snprintf(path, sizeof(path), "%s/slurm.json", argv[1]);
	slurmbuf = slurp(path, &lslurm);
	snprintf(path, sizeof(path), "%s/irr.db", argv[1]);
	irr = slurp(path, &lirr);
	routes = read_routes(irr, lirr, &nroutes);
	free(irr);

	t0 = now();
	set = roa_parse(roas, lroas, "roas.json", NULL, &err);
	t_parse = now() - t0;
	if (set == NULL) {
		fprintf(stderr, "roa_bench: %s\n", err);
		return 1;
	}
	t0 = now();
	slurm = slurm_parse(slurmbuf, lslurm, "slurm.json", &err);
	setsl = slurm ? roa_parse(roas, lroas, "roas.json", slurm, &err) : NULL;
	t_parse_sl = now() - t0;
	if (setsl == NULL) {
		fprintf(stderr, "roa_bench: %s\n", err);
		return 1;
	}

	st = malloc(nroutes * sizeof(*st));
	t0 = now();
	roa_validate_batch(set, routes, nroutes, st, 1);
	t_val1 = now() - t0;
	t0 = now();
	roa_validate_batch(set, routes, nroutes, st, 2);
	t_val2 = now() - t0;
	for (size_t i = 0; i < nroutes; i++)
		counts[st[i]]++;

	/* 1% churn: drop every 200th VRP, change the maxLength of every 200th
	 * (offset 100), as a new export */
	v = roa_set_roas(set, &nv);
	{
		struct roa *nvrp = malloc(nv * sizeof(*nvrp));
		size_t k = 0, ntas = roa_set_ta_count(set);
		const char **tas = malloc((ntas + 1) * sizeof(*tas));
		struct roa_set *tmp;
		size_t jl;

		for (size_t t = 0; t < ntas; t++)
			tas[t] = roa_set_ta(set, (uint32_t)t);
		for (size_t i = 0; i < nv; i++) {
			if (i % 200 == 0)
				continue;
			nvrp[k] = v[i];
			if (i % 200 == 100 && nvrp[k].maxlen < ip_maxlen(nvrp[k].prefix.family))
				nvrp[k].maxlen++;
			k++;
		}
		tmp = roa_set_new(nvrp, k, tas, ntas, NULL);
		if (tmp == NULL) {
			fprintf(stderr, "roa_bench: roa_set_new failed\n");
			return 1;
		}
		json = roa_set_json(tmp, &jl);
		roa_set_free(tmp);
		free(nvrp);
		free(tas);
		t0 = now();
		churned = roa_parse(json, jl, "churned.json", NULL, &err);
		t_churn_parse = now() - t0;
		free(json);
		if (churned == NULL) {
			fprintf(stderr, "roa_bench: %s\n", err);
			return 1;
		}
	}
	t0 = now();
	roa_diff(set, churned, &d);
	t_diff = now() - t0;
	t0 = now();
	nchanged = roa_revalidate(churned, &d, routes, nroutes, st, &changed);
	t_reval = now() - t0;

	remarks = roa_pseudo_remarks(NULL);
	t0 = now();
	for (size_t i = 0; i < nv; i++)
		roa_pseudo_render(set, &v[i], remarks, text, sizeof(text));
	t_render = now() - t0;

	printf("data: %s: %zu VRPs (%zu with SLURM), %zu routes (%zu valid, %zu invalid, %zu not_found), %.1f MB of ROA JSON\n",
	       argv[1], roa_set_count(set), roa_set_count(setsl), nroutes, counts[RPKI_VALID], counts[RPKI_INVALID],
	       counts[RPKI_NOT_FOUND], (double)lroas / 1e6);
	printf("roa_parse: %.3f s (%.0f VRPs/s)\n", t_parse, (double)nv / t_parse);
	printf("roa_parse with slurm: %.3f s\n", t_parse_sl);
	printf("validate 1 thread: %.3f s (%.2f M routes/s)\n", t_val1, (double)nroutes / t_val1 / 1e6);
	printf("validate 2 threads: %.3f s (%.2f M routes/s)\n", t_val2, (double)nroutes / t_val2 / 1e6);
	printf("churn re-import: parse %.3f s, diff %.3f s (%zu added, %zu removed), revalidate %.3f s (%zu routes changed)\n",
	       t_churn_parse, t_diff, d.nadded, d.nremoved, t_reval, nchanged);
	printf("pseudo-IRR render: %.3f s for %zu objects\n", t_render, nv);
	printf("cycle (parse + validate, 1 thread): %.3f s; budget 30 s; ratio %.3f\n", t_parse + t_val1,
	       (t_parse + t_val1) / 30.0);
	printf("churn cycle (parse + diff + revalidate): %.3f s; budget 5 s; ratio %.3f\n",
	       t_churn_parse + t_diff + t_reval, (t_churn_parse + t_diff + t_reval) / 5.0);

	free(changed);
	roa_diff_free(&d);
	free(remarks);
	free(st);
	free(routes);
	free(roas);
	free(slurmbuf);
	roa_set_free(set);
	roa_set_free(setsl);
	roa_set_free(churned);
	slurm_free(slurm);
	return 0;
}
