/*
 * nrtm_bench.c - NRTM figures against a real PostgreSQL:
 *   1. applying N NRTM v3 operations at a mirror (parse the stream, then
 *      nrtm_mirror_apply: parse each object, render, write rpsl_objects and
 *      the journal with the upstream serials, in one pipelined
 *      transaction): operations/s, goal > 20,000/s;
 *   2. reading those N journal entries into the daemon's journal cache
 *      (nrtm_journal_follow), then answering -g SOURCE:3:FIRST-LAST from
 *      it (nrtm_generate): MB/s;
 *   3. the steady state of a mirror: 100 batches of 100 operations (new,
 *      changed and deleted routes) into the source of step 1: operations/s
 *      and milliseconds a batch.
 *
 *   nrtm_bench DATABASE_URL [N]      (the database must be empty or absent of source BENCH)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/benchlib.h"
#include "conf/conf.h"
#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "sql/sql.h"

/* The server process of c, found by bisection (sql.h gives row counts). */
static long backend_pid(struct sql_conn *c)
{
	long lo = 1, hi = 1L << 23;

	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		char m[32];
		const char *p[1] = { m };

		snprintf(m, sizeof(m), "%ld", mid);
		if (sql_exec(c, "SELECT 1 WHERE pg_backend_pid() <= $1::int", 1, p) > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sbuf {
	char *d;
	size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->d ? b->d + b->len : NULL, b->d ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (b->d && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->d = xrealloc(b->d, b->cap);
	}
}

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : getenv("IRRD_TEST_DATABASE_URL");
	long n = argc > 2 ? atol(argv[2]) : 100000;
	struct sbuf s = { 0 };
	struct sql_conn *c;
	struct cfg *cfg;
	struct nrtm_stream *st;
	struct nrtm_mirror_result res;
	struct nrtm_journal *j;
	char *err = NULL, *yaml, *out = NULL;
	size_t outlen = 0;
	double t0, t1, t2, t3;
	long i, adds = 0, dels = 0;

	log_init("nrtm_bench");
	if (url == NULL) {
		fprintf(stderr, "usage: nrtm_bench DATABASE_URL [N]\n");
		return 2;
	}
	c = sql_connect(url, &err);
	if (c == NULL || sql_schema_upgrade(c, &err) < 0) {
		fprintf(stderr, "nrtm_bench: %s\n", err);
		return 1;
	}
	yaml = xasprintf("irrd:\n  database_url: '%s'\n  rpki: {roa_source: null}\n  sources:\n"
			 "    BENCH: {keep_journal: true, nrtm_access_list: local, nrtm_host: 127.0.0.1,\n"
			 "            import_source: 'file:///x', import_serial_source: 'file:///y'}\n"
			 "  access_lists: {local: ['127.0.0.0/8']}\n", url);
	cfg = cfg_parse(yaml, strlen(yaml), "bench.yaml", &err);
	free(yaml);
	if (cfg == NULL) {
		fprintf(stderr, "nrtm_bench: %s\n", err);
		return 1;
	}

	/* a stream of n operations: new routes, persons and mntners, some
	 * changed again, some deleted */
	sb_printf(&s, "%%START Version: 3 BENCH 1-%ld\n\n", n);
	for (i = 1; i <= n; i++) {
		long k = i;
		int kind = (int)(i % 10);

		if (kind == 9 && i > 20) {
			k = i - 4;	/* delete the route added four operations ago */
			sb_printf(&s, "DEL %ld\n\nroute:          10.%ld.%ld.0/24\norigin:         AS%ld\n"
				  "mnt-by:         MNT-BENCH\nsource:         BENCH\n\n",
				  i, (k / 256) % 256, k % 256, 64512 + k % 1000);
			dels++;
			continue;
		}
		if (kind < 6) {
			sb_printf(&s, "ADD %ld\n\nroute:          10.%ld.%ld.0/24\ndescr:          bench route %ld\n"
				  "origin:         AS%ld\nmnt-by:         MNT-BENCH\nchanged:        noc@example.net 20240101\n"
				  "source:         BENCH\n\n", i, (k / 256) % 256, k % 256, i, 64512 + k % 1000);
		} else if (kind < 8) {
			sb_printf(&s, "ADD %ld\n\nperson:         Bench Person %ld\naddress:        Street %ld\n"
				  "phone:          +31 20 000 %04ld\nnic-hdl:        BP%ld-BENCH\nmnt-by:         MNT-BENCH\n"
				  "source:         BENCH\n\n", i, k, k, k % 10000, k % (n / 20 + 1));
		} else {
			sb_printf(&s, "ADD %ld\n\nmntner:         MNT-B%ld\ndescr:          bench maintainer\n"
				  "admin-c:        BP1-BENCH\nupd-to:         noc@example.net\n"
				  "auth:           MD5-PW $1$abcdefgh$ijklmnopqrstuvwxyz0123\nmnt-by:         MNT-B%ld\n"
				  "source:         BENCH\n\n", i, k % (n / 10 + 1), k % (n / 10 + 1));
		}
		adds++;
	}
	sb_printf(&s, "%%END BENCH\n");

	long bpid = backend_pid(c);
	double scpu0 = proc_cpu(bpid), ccpu0 = self_cpu(), scpu1, ccpu1;

	t0 = now();
	st = nrtm_stream_parse(s.d, s.len, "BENCH", &err);
	t1 = now();
	if (st == NULL) {
		fprintf(stderr, "nrtm_bench: %s\n", err);
		return 1;
	}
	if (nrtm_mirror_apply(c, cfg, "BENCH", st, NULL, &res, &err) < 0) {
		fprintf(stderr, "nrtm_bench: %s\n", err);
		return 1;
	}
	t2 = now();
	scpu1 = proc_cpu(bpid);
	ccpu1 = self_cpu();
	printf("stream: %ld operations (%ld ADD, %ld DEL), %.1f MB\n", n, adds, dels, (double)s.len / 1e6);
	printf("parse stream: %.3f s (%.0f operations/s)\n", t1 - t0, (double)n / (t1 - t0));
	printf("apply at mirror: %.2f s for %ld applied, %ld ignored: %.0f operations/s (goal > 20000)\n",
	       t2 - t1, res.applied, res.ignored, (double)n / (t2 - t1));
	printf("apply ops/s %.0f\n", (double)n / (t2 - t0));
	if (scpu0 >= 0 && scpu1 >= 0)
		printf("apply CPU: client %.2f s + server %.2f s = %.0f operations per CPU second (the rate on an "
		       "idle machine, the steps being sequential)\n", ccpu1 - ccpu0, scpu1 - scpu0,
		       (double)n / ((ccpu1 - ccpu0) + (scpu1 - scpu0)));
	nrtm_stream_free(st);

	j = nrtm_journal_new();
	t0 = now();
	if (nrtm_journal_follow(j, c, &err) < 0) {
		fprintf(stderr, "nrtm_bench: %s\n", err);
		return 1;
	}
	t1 = now();
	{
		size_t ne, nb;

		nrtm_journal_stats(j, &ne, &nb);
		printf("journal cache load: %zu entries, %.1f MB of objects in %.2f s\n", ne, (double)nb / 1e6, t1 - t0);
	}
	t2 = now();
	for (int r = 0; r < 5; r++) {
		free(out);
		free(err);
		err = NULL;
		if (nrtm_generate(j, cfg, "BENCH", 3, 1, 0, true, &out, &outlen, &err) < 0) {
			fprintf(stderr, "nrtm_bench: -g: %s\n", err);
			return 1;
		}
	}
	t3 = now();
	printf("-g BENCH:3:1-LAST from the cache: %.1f MB in %.3f s: %.0f MB/s\n", (double)outlen / 1e6,
	       (t3 - t2) / 5, (double)outlen / 1e6 / ((t3 - t2) / 5));
	free(out);
	free(err);
	nrtm_journal_free(j);

	/* 3. steady state: small batches (as NRTM cycles bring them) into the
	 * source that now holds the objects of step 1: new routes, changed
	 * routes and deleted routes, BATCHES batches of BATCH_OPS */
	{
		enum { BATCHES = 100, BATCH_OPS = 100 };
		long serial = n, done = 0;
		double tb = 0;

		for (int bi = 0; bi < BATCHES; bi++) {
			struct nrtm_stream *bs;
			double ta;

			s.len = 0;
			sb_printf(&s, "%%START Version: 3 BENCH %ld-%ld\n\n", serial + 1, serial + BATCH_OPS);
			for (int k = 0; k < BATCH_OPS; k++) {
				long sn = ++serial, key = (long)bi * BATCH_OPS + k;
				/* routes of step 1 that are still there: i % 10 in 0..4 */
				long x = (10 * key + 1) % n, y = (10 * key + 2) % n;

				if (k % 4 == 3)	/* delete a route of step 1 */
					sb_printf(&s, "DEL %ld\n\nroute:          10.%ld.%ld.0/24\norigin:         AS%ld\n"
						  "mnt-by:         MNT-BENCH\nsource:         BENCH\n\n", sn,
						  (x / 256) % 256, x % 256, 64512 + x % 1000);
				else if (k % 4 == 2)	/* change a route of step 1 */
					sb_printf(&s, "ADD %ld\n\nroute:          10.%ld.%ld.0/24\ndescr:          changed %ld\n"
						  "origin:         AS%ld\nmnt-by:         MNT-BENCH\nsource:         BENCH\n\n",
						  sn, (y / 256) % 256, y % 256, sn, 64512 + y % 1000);
				else		/* a new route */
					sb_printf(&s, "ADD %ld\n\nroute:          172.%ld.%ld.0/24\norigin:         AS%ld\n"
						  "mnt-by:         MNT-BENCH\nsource:         BENCH\n\n", sn,
						  16 + (key / 256) % 16, key % 256, 64512 + key % 1000);
			}
			sb_printf(&s, "%%END BENCH\n");
			bs = nrtm_stream_parse(s.d, s.len, "BENCH", &err);
			if (bs == NULL) {
				fprintf(stderr, "nrtm_bench: %s\n", err);
				return 1;
			}
			ta = now();
			if (nrtm_mirror_apply(c, cfg, "BENCH", bs, NULL, &res, &err) < 0) {
				fprintf(stderr, "nrtm_bench: %s\n", err);
				return 1;
			}
			tb += now() - ta;
			done += res.applied;
			nrtm_stream_free(bs);
		}
		printf("apply in batches of %d at a mirror holding the objects above: %d batches in %.2f s:"
		       " %.0f operations/s, %.1f ms a batch\n", BATCH_OPS, BATCHES, tb, (double)done / tb,
		       tb * 1000 / BATCHES);
	}
	free(s.d);
	cfg_free(cfg);
	sql_close(c);
	return 0;
}
