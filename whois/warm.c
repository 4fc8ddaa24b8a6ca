/*
 * warm.c - builds the per-origin prefix lists of the default selection in
 * the background once the index is loaded.
 *
 * Those lists are otherwise made by the first query that needs them, and
 * the first !a of a large as-set needs tens of thousands at once: most of
 * its time went there. The thread holds the read lock for a slice of the
 * origin table at a time, so index changes wait at most one slice; lists
 * are published the way queries publish them (resolve.c), so queries that
 * run meanwhile are unaffected.
 */
#include "whois/whois_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "rpsl/log.h"

enum { WARM_SLICE = 4096 };	/* origin table buckets per read lock */

struct whois_warm {
	pthread_t thread;
	const struct whois_context *ctx;
	atomic_bool stop;
	bool running;
};

/* One slice of the origin table from bucket *next; false at its end. */
static bool warm_slice(struct whois_warm *w, struct whois_session *s, size_t *next)
{
	struct whois_index *idx = w->ctx->idx;
	struct wquery q;
	bool more;

	pthread_rwlock_rdlock(&idx->lock);
	wsession_prepare(s, &q);
	size_t end = *next + WARM_SLICE;
	more = end < idx->otabsize;	/* the table may have grown since the last slice */
	if (!more)
		end = idx->otabsize;
	for (size_t i = *next; i < end; i++)
		for (struct worigin *or = idx->otab[i]; or != NULL; or = or->hnext)
			for (int fam = 0; fam < 2; fam++)
				if (or->routes[fam].n > 0)
					wres_origin_prefixes(&q, or, fam);
	warena_reset(q.arena);
	pthread_rwlock_unlock(&idx->lock);
	*next = end;
	return more;
}

static void *warm_main(void *arg)
{
	struct whois_warm *w = arg;
	struct whois_index *idx = w->ctx->idx;
	struct whois_session *s;
	struct timespec t0, t1;
	size_t next = 0;

	/* the session reads ctx->cfg, which a config reload replaces under
	 * the write lock */
	pthread_rwlock_rdlock(&idx->lock);
	s = whois_session_new(w->ctx);
	pthread_rwlock_unlock(&idx->lock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&w->stop) && warm_slice(w, s, &next))
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!atomic_load(&w->stop))
		log_info("whois index: prefix lists of every origin made in %.2f s",
			 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	whois_session_free(s);
	return NULL;
}

struct whois_warm *whois_warm_start(const struct whois_context *ctx)
{
	struct whois_warm *w = xcalloc(1, sizeof(*w));

	w->ctx = ctx;
	atomic_init(&w->stop, false);
	if (ctx->idx != NULL && pthread_create(&w->thread, NULL, warm_main, w) == 0)
		w->running = true;
	else
		log_warnx("whois index: cannot start the thread that makes prefix lists; queries make them");
	return w;
}

void whois_warm_stop(struct whois_warm *w)
{
	if (w == NULL)
		return;
	if (w->running) {
		atomic_store(&w->stop, true);
		pthread_join(w->thread, NULL);
	}
	free(w);
}
