/*
 * nrtm_glue.c - the daemon's side of NRTM (nrtm/nrtm.h):
 *  - the whois engine's -g hook, answered on the loop thread from the
 *    journal cache without SQL;
 *  - a follower thread that keeps the cache current (its own connection;
 *    it looks twice a second, two cheap index queries when idle);
 *  - per source timers: import_timer queues a mirror run, export_timer an
 *    export, both run by the mirror worker thread, never on the loop. The
 *    intervals are read from the config in force each time; a source that
 *    a reload adds gets its timers within RESCAN_SECS.
 */
#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "irrd/irrd.h"
#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "sql/sql.h"

#define FOLLOW_INTERVAL_MS 500
#define RESCAN_SECS 30

struct nrtm_timer {
	struct irrd_nrtm *g;
	char *source;
	bool export;
	struct event *ev;
};

struct irrd_nrtm {
	struct irrd *d;
	struct nrtm_journal *journal;
	char *database_url;
	pthread_t follower;
	bool follower_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct nrtm_mirrors *mirrors;
	struct nrtm_timer **timers;
	size_t ntimers;
	struct event *rescan;		/* sources added by a SIGHUP reload get timers */
};

static int nrtm_hook(void *arg, const char *source, int version, int64_t first, int64_t last, bool to_last,
		     char **out, size_t *outlen, char **error)
{
	struct irrd_nrtm *g = arg;

	return nrtm_generate(g->journal, g->d->cfg, source, version, first, last, to_last, out, outlen, error);
}

static void *follower_main(void *arg)
{
	struct irrd_nrtm *g = arg;
	struct sql_conn *c = NULL;
	bool warned = false;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		struct timespec ts;
		char *err = NULL;

		pthread_mutex_unlock(&g->mu);
		if (c == NULL && (c = sql_connect(g->database_url, &err)) == NULL) {
			if (!warned)
				log_warnx("nrtm: journal follower: %s", err);
			warned = true;
			free(err);
			err = NULL;
		}
		if (c != NULL && nrtm_journal_follow(g->journal, c, &err) < 0) {
			log_warnx("nrtm: journal follower: %s", err);
			free(err);
			sql_close(c);
			c = NULL;
		} else if (c != NULL)
			warned = false;
		pthread_mutex_lock(&g->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += FOLLOW_INTERVAL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!g->stop)
			pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	pthread_mutex_unlock(&g->mu);
	sql_close(c);
	return NULL;
}

static void timer_arm(struct nrtm_timer *t)
{
	const struct cfg_source *cs = cfg_source_find(t->g->d->cfg, t->source);
	struct timeval tv = { 0, 0 };

	if (cs == NULL)
		return;		/* gone with a reload */
	if (t->export) {
		if (cs->export_destination == NULL)
			return;
		tv.tv_sec = cs->export_timer > 0 ? cs->export_timer : 3600;
	} else {
		if (cs->import_source == NULL && cs->nrtm_host == NULL)
			return;
		tv.tv_sec = cs->import_timer > 0 ? cs->import_timer : 300;
	}
	event_add(t->ev, &tv);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct nrtm_timer *t = arg;
	struct irrd *d = t->g->d;

	(void)fd;
	(void)what;
	if (d->stopping)
		return;
	if (t->export)
		nrtm_mirrors_queue_export(t->g->mirrors, d->config_path, t->source);
	else
		nrtm_mirrors_queue(t->g->mirrors, d->config_path, t->source);
	timer_arm(t);
}

static bool has_timer(struct irrd_nrtm *g, const char *source, bool export)
{
	for (size_t i = 0; i < g->ntimers; i++)
		if (g->timers[i]->export == export && strcmp(g->timers[i]->source, source) == 0)
			return true;
	return false;
}

/* Timers for every source of the config in force that needs one and has
 * none yet; each new one runs at once. */
static void timers_scan(struct irrd_nrtm *g)
{
	struct irrd *d = g->d;
	const struct cfg *cfg = d->cfg;

	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct cfg_source *cs = &cfg->sources[i];

		for (int k = 0; k < 2; k++) {
			struct nrtm_timer *t;

			if (k == 0 && cs->import_source == NULL && cs->nrtm_host == NULL)
				continue;
			if (k == 1 && cs->export_destination == NULL)
				continue;
			if (has_timer(g, cs->name, k == 1))
				continue;
			t = xcalloc(1, sizeof(*t));
			t->g = g;
			t->source = xstrdup(cs->name);
			t->export = k == 1;
			t->ev = evtimer_new(d->base, timer_cb, t);
			if (t->ev == NULL)
				fatalx("out of memory");
			g->timers = xrealloc(g->timers, (g->ntimers + 1) * sizeof(*g->timers));
			g->timers[g->ntimers++] = t;
			/* first run now, as IRRd's scheduler does */
			if (t->export)
				nrtm_mirrors_queue_export(g->mirrors, d->config_path, t->source);
			else
				nrtm_mirrors_queue(g->mirrors, d->config_path, t->source);
			timer_arm(t);
		}
	}
}

static void rescan_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_nrtm *g = arg;
	struct timeval tv = { RESCAN_SECS, 0 };

	(void)fd;
	(void)what;
	if (g->d->stopping)
		return;
	timers_scan(g);
	/* timers of sources that a reload removed stay idle (timer_arm skips them) */
	for (size_t i = 0; i < g->ntimers; i++)
		if (!evtimer_pending(g->timers[i]->ev, NULL))
			timer_arm(g->timers[i]);
	event_add(g->rescan, &tv);
}

void irrd_nrtm_start(struct irrd *d)
{
	struct irrd_nrtm *g = xcalloc(1, sizeof(*g));
	const struct cfg *cfg = d->cfg;
	struct timeval tv = { RESCAN_SECS, 0 };

	g->d = d;
	g->journal = nrtm_journal_new();
	g->database_url = xstrdup(cfg->database_url ? cfg->database_url : "");
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	/* a first complete read before serving, so that -g is right at once */
	{
		char *err = NULL;
		struct sql_conn *c = sql_connect(g->database_url, &err);

		if (c == NULL || nrtm_journal_follow(g->journal, c, &err) < 0)
			log_warnx("nrtm: journal: %s", err ? err : "");
		free(err);
		sql_close(c);
	}
	if (pthread_create(&g->follower, NULL, follower_main, g) != 0)
		fatalx("cannot start the journal follower thread");
	g->follower_started = true;
	d->wctx.nrtm = nrtm_hook;
	d->wctx.nrtm_arg = g;

	g->mirrors = nrtm_mirrors_new(cfg->database_url);
	d->nrtm = g;
	timers_scan(g);
	g->rescan = evtimer_new(d->base, rescan_cb, g);
	if (g->rescan == NULL)
		fatalx("out of memory");
	event_add(g->rescan, &tv);
	log_info("nrtm: serving -g from the journal cache; %zu mirror/export timers", g->ntimers);
}

void irrd_nrtm_stop(struct irrd *d)
{
	struct irrd_nrtm *g = d->nrtm;

	if (g == NULL)
		return;
	d->wctx.nrtm = NULL;
	d->wctx.nrtm_arg = NULL;
	for (size_t i = 0; i < g->ntimers; i++) {
		event_free(g->timers[i]->ev);
		free(g->timers[i]->source);
		free(g->timers[i]);
	}
	free(g->timers);
	if (g->rescan != NULL)
		event_free(g->rescan);
	nrtm_mirrors_free(g->mirrors);
	if (g->follower_started) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->follower, NULL);
	}
	nrtm_journal_free(g->journal);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g->database_url);
	free(g);
	d->nrtm = NULL;
}

void irrd_nrtm_set_roas(struct irrd *d, const struct roa_set *roas)
{
	if (d->nrtm != NULL)
		nrtm_mirrors_set_roas(d->nrtm->mirrors, roas);
}
