/*
 * rpki_import.c - RPKI-aware mode in the daemon: the ROA import cycle
 * (rpki/importer.h) on a worker thread, and what follows a good import on
 * the loop thread.
 *
 * An import is requested at start, by rpki.roa_import_timer and by SIGHUP
 * (hooks.c). One runs at a time; a request during a run makes one more run
 * afterwards. The worker thread owns its own database connection (kept
 * between runs) and never touches `cfg` beyond the one it was started with,
 * which the loop thread holds for it (irrd_cfg_hold) until the run is
 * over. It fetches, validates and writes (one transaction: statuses,
 * journal, object_change, roa_object), then sends the notifications for
 * newly invalid routes through the mail module, and wakes the loop thread
 * through a pipe. Route states reach the whois index through the change
 * follower (sync.c), like every other database change.
 *
 * On the loop thread a good import then
 *   - publishes the new set to RTR (irrd_rtr_publish) and the mirrors
 *     (irrd_nrtm_set_roas), and frees the previous one;
 *   - brings the pseudo-IRR objects of source RPKI in the whois index up
 *     to date: by difference with the previous set (removed VRPs deleted,
 *     added or re-anchored ones put), or, for the first set or when
 *     rpki.pseudo_irr_remarks changed, all of them again in slices of
 *     PSEUDO_SLICE objects per loop iteration, so that queries keep being
 *     answered while half a million objects go in.
 * A failed import (fetch, JSON, SLURM, database) changes nothing: the
 * previous set, statuses and pseudo-IRR objects stay, the reason is logged
 * and shown on /v1/status/. When there is no set in force yet (the first
 * import after a start failed), the set stored in roa_object becomes the
 * one in force, so a restart with the ROA source down still serves the
 * last good set.
 */
#include "irrd/irrd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "irrd/rtrd.h"
#include "mail/mail.h"
#include "rpki/importer.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "sql/rpki_store.h"
#include "sql/sql.h"

#define PSEUDO_SLICE	5000	/* pseudo-IRR objects put per loop iteration */
#define STOP_WAIT_MSEC	20000	/* how long SIGTERM waits for a running import */

struct rpki_job {
	struct irrd_rpki *r;
	const struct cfg *cfg;		/* held for the run */
	unsigned cfg_gen;
	struct roa_import_opts opts;
	const struct roa_set *old;	/* the set in force (read only here) */
	bool need_fallback;		/* no set in force: on failure use roa_object */
	time_t started;
	/* results, written by the worker */
	int rc;
	struct roa_import_result res;
	struct roa_set *fallback;
	char *fallback_err;
	struct roa_diff diff;
	bool have_diff;
	size_t mails_sent, mails_failed;
};

struct irrd_rpki {
	struct irrd *d;
	struct roa_set *set;		/* in force; loop thread */
	char *remarks;			/* pseudo-IRR remarks the index was built with */
	size_t npseudo;			/* pseudo-IRR objects in the index */

	/* the worker */
	pthread_mutex_t mu;
	struct sql_conn *conn;		/* the worker's; guarded by mu for cancelling */
	struct sql_cancel *cancel;
	volatile int stop;
	pthread_t th;
	bool running, joinable, again;
	struct roa_set *pending;	/* irrd_rpki_import_set during a run */
	struct rpki_job *job;
	int pipefd[2];
	struct event *pipe_ev;

	/* pseudo-IRR objects being put in slices */
	struct event *slice_ev;
	size_t slice_pos;
	bool slicing;

	/* status for /v1/status/ and /metrics */
	time_t last_start, last_end, last_ok, last_fail;
	double last_seconds;
	char *last_error;
	unsigned long nok, nfailed;
	struct roa_import_result last;	/* counts of the last good import (no pointers) */
	size_t last_mails, last_mails_failed;
};

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *irrd_oneline(const char *s)
{
	char *o = xstrdup(s ? s : "");

	for (char *p = o; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ';';
	/* "a;b" reads better as "a; b" but the error texts are short: keep
	 * them as they are, one line */
	return o;
}

/* ---- the worker thread ---------------------------------------------------------- */

static void *worker_main(void *arg)
{
	struct rpki_job *job = arg;
	struct irrd_rpki *r = job->r;
	char byte = 1;

	if (r->conn == NULL) {
		char *err = NULL;
		struct sql_conn *c = sql_connect(job->cfg->database_url, &err);

		if (c == NULL) {
			job->rc = -1;
			job->res.error = err ? err : xstrdup("database_url: cannot connect");
			goto done;
		}
		pthread_mutex_lock(&r->mu);
		r->conn = c;
		r->cancel = sql_cancel_new(c);
		pthread_mutex_unlock(&r->mu);
	}
	job->rc = roa_import_run(r->conn, &job->opts, &job->res);
	if (job->rc == 0) {
		if (job->old != NULL) {
			roa_diff(job->old, job->res.set, &job->diff);
			job->have_diff = true;
		}
		/* notifications after the commit, as IRRd; the mail module
		 * applies recipient_override and spools what cannot go now */
		for (size_t i = 0; i < job->res.nnotices; i++) {
			const struct roa_notice *n = &job->res.notices[i];

			if (__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
				log_warnx("rpki: stopping: %zu notifications of newly invalid routes not sent",
					  job->res.nnotices - i);
				break;
			}
			if (mail_deliver(job->cfg, IRRD_VERSION, n->to, n->subject, n->body) < 0)
				job->mails_failed++;
			else
				job->mails_sent++;
		}
	} else if (job->need_fallback && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		job->fallback = roa_load_db(r->conn, &job->fallback_err);
	}
	if (job->rc < 0) {
		/* the connection may be broken: a fresh one next time */
		pthread_mutex_lock(&r->mu);
		sql_cancel_free(r->cancel);
		r->cancel = NULL;
		sql_close(r->conn);
		r->conn = NULL;
		pthread_mutex_unlock(&r->mu);
	}
done:
	while (write(r->pipefd[1], &byte, 1) == -1 && errno == EINTR)
		;
	return NULL;
}

static void start_next(struct irrd_rpki *r);

/* ---- pseudo-IRR objects (loop thread) ----------------------------------------------- */

static void pseudo_put(struct irrd_rpki *r, const struct roa *v)
{
	struct roa_pseudo *p = roa_pseudo_new(r->set, v, r->remarks);

	irrd_index_put(r->d, p->obj, p->text, p->len, RPKI_VALID);
	roa_pseudo_free(p);
}

static void pseudo_del(struct irrd_rpki *r, const struct roa *v)
{
	char pk[IP_PREFIX_STRLEN + 32];

	roa_pseudo_pk(v, pk, sizeof(pk));
	irrd_index_del(r->d, ROA_PSEUDO_SOURCE, v->prefix.family == IP_AF4 ? RPSL_ROUTE : RPSL_ROUTE6, pk);
}

static void slice_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_rpki *r = arg;
	size_t n, end;
	const struct roa *v = roa_set_roas(r->set, &n);
	struct timeval tv = { 0, 0 };

	(void)fd;
	(void)what;
	end = r->slice_pos + PSEUDO_SLICE < n ? r->slice_pos + PSEUDO_SLICE : n;
	for (; r->slice_pos < end; r->slice_pos++)
		pseudo_put(r, &v[r->slice_pos]);
	if (r->slice_pos < n) {
		event_add(r->slice_ev, &tv);
		return;
	}
	r->slicing = false;
	r->npseudo = n;
	log_info("rpki: %zu pseudo-IRR objects in the index", n);
	start_next(r);
}

/* All pseudo-IRR objects again (first set, other remarks). */
static void pseudo_rebuild(struct irrd_rpki *r)
{
	struct timeval tv = { 0, 0 };

	irrd_index_drop_source(r->d, ROA_PSEUDO_SOURCE);
	r->npseudo = 0;
	r->slice_pos = 0;
	r->slicing = true;
	event_add(r->slice_ev, &tv);
}

static void pseudo_apply_diff(struct irrd_rpki *r, const struct roa_diff *df)
{
	for (size_t i = 0; i < df->nremoved; i++)
		pseudo_del(r, &df->removed[i]);
	for (size_t i = 0; i < df->nadded; i++)
		pseudo_put(r, &df->added[i]);
	for (size_t i = 0; i < df->nretagged; i++)
		pseudo_put(r, &df->retagged[i]);
	r->npseudo = roa_set_count(r->set);
}

/* ---- completion (loop thread) --------------------------------------------------------- */

static void install_set(struct irrd_rpki *r, struct roa_set *set, const struct roa_diff *df, char *remarks)
{
	struct roa_set *old = r->set;
	bool rebuild = old == NULL || df == NULL || r->slicing || r->remarks == NULL ||
		       strcmp(r->remarks, remarks) != 0;

	r->set = set;
	irrd_rtr_publish(r->d, set);
	irrd_nrtm_set_roas(r->d, set);
	free(r->remarks);
	r->remarks = remarks;
	if (!r->d->cfg->rpki_enabled) {
		/* RPKI-aware mode went off meanwhile: no pseudo-IRR objects */
		if (r->slicing)
			event_del(r->slice_ev);
		r->slicing = false;
		irrd_index_drop_source(r->d, ROA_PSEUDO_SOURCE);
		r->npseudo = 0;
	} else if (rebuild)
		pseudo_rebuild(r);
	else
		pseudo_apply_diff(r, df);
	/* nobody uses the previous set any more: RTR and the mirrors got
	 * the new one, the diff was computed on the worker */
	roa_set_free(old);
}

static void job_free(struct irrd_rpki *r, struct rpki_job *job)
{
	if (job == NULL)
		return;
	roa_import_result_free(&job->res);
	roa_import_opts_free(&job->opts);
	roa_set_free(job->fallback);
	free(job->fallback_err);
	if (job->have_diff)
		roa_diff_free(&job->diff);
	irrd_cfg_release(r->d, job->cfg_gen);
	free(job);
}

static void job_finish(struct irrd_rpki *r)
{
	struct rpki_job *job = r->job;
	struct roa_import_result *res = &job->res;
	char *remarks;

	r->job = NULL;
	r->running = false;
	if (r->joinable) {
		pthread_join(r->th, NULL);
		r->joinable = false;
	}
	r->last_end = time(NULL);
	r->last_seconds = res->t_total;
	if (job->rc == 0) {
		r->nok++;
		r->last_ok = r->last_end;
		free(r->last_error);
		r->last_error = NULL;
		r->last = *res;
		r->last.set = NULL;
		r->last.error = NULL;
		r->last.notices = NULL;
		r->last_mails = job->mails_sent;
		r->last_mails_failed = job->mails_failed;
		log_info("rpki: ROA import from %s%s%s: %zu ROAs; %zu routes: %zu valid, %zu invalid, "
			 "%zu not_found; %zu newly valid, %zu newly invalid, %zu newly not_found; journal "
			 "%zu ADD, %zu DEL; %zu e-mails sent to contacts of newly invalid authoritative objects"
			 "%s; %.1f s",
			 job->opts.roa_url ? job->opts.roa_url : "(set)", job->opts.slurm_url ? ", SLURM " : "",
			 job->opts.slurm_url ? job->opts.slurm_url : "", res->nroas, res->nroutes, res->nvalid,
			 res->ninvalid, res->nnot_found, res->now_valid, res->now_invalid, res->now_not_found,
			 res->journal_add, res->journal_del, job->mails_sent,
			 job->mails_failed ? " (some could not be sent now and stay spooled)" : "", res->t_total);
		remarks = roa_pseudo_remarks(job->cfg->pseudo_irr_remarks);
		install_set(r, res->set, job->have_diff ? &job->diff : NULL, remarks);
		res->set = NULL;
	} else {
		char *e = irrd_oneline(res->error ? res->error : "unknown error");

		r->nfailed++;
		r->last_fail = r->last_end;
		free(r->last_error);
		r->last_error = e;
		log_errx("rpki: ROA import failed, the previous ROA set stays in force: %s", e);
		if (job->fallback != NULL && r->set == NULL) {
			log_info("rpki: %zu ROAs from roa_object (the last imported set) are in force",
				 roa_set_count(job->fallback));
			remarks = roa_pseudo_remarks(job->cfg->pseudo_irr_remarks);
			install_set(r, job->fallback, NULL, remarks);
			job->fallback = NULL;
		} else if (job->fallback_err != NULL)
			log_warnx("rpki: %s", job->fallback_err);
	}
	job_free(r, job);
	start_next(r);
}

static void pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_rpki *r = arg;

	(void)what;
	irrd_pipe_drain(fd);
	if (r->job != NULL)
		job_finish(r);
}

/* ---- the daemon's entry points (loop thread) ---------------------------------------------- */

void irrd_rpki_import_init(struct irrd *d)
{
	struct irrd_rpki *r;

	if (d->rpki != NULL)
		return;
	r = xcalloc(1, sizeof(*r));
	r->d = d;
	pthread_mutex_init(&r->mu, NULL);
	if (pipe2(r->pipefd, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("rpki: pipe");
	r->pipe_ev = event_new(d->base, r->pipefd[0], EV_READ | EV_PERSIST, pipe_cb, r);
	r->slice_ev = evtimer_new(d->base, slice_cb, r);
	if (r->pipe_ev == NULL || r->slice_ev == NULL || event_add(r->pipe_ev, NULL) == -1)
		fatalx("rpki: cannot set up the import events");
	d->rpki = r;
}

/* Start a run: of set (taken over) if given, else of rpki.roa_source. */
static void start_job(struct irrd *d, struct roa_set *set)
{
	struct irrd_rpki *r = d->rpki;
	struct rpki_job *job = xcalloc(1, sizeof(*job));

	job->r = r;
	job->cfg = d->cfg;
	job->cfg_gen = irrd_cfg_hold(d);
	roa_import_opts_from_cfg(&job->opts, d->cfg);
	job->opts.stop = &r->stop;
	job->opts.set = set;
	job->old = r->set;
	job->need_fallback = r->set == NULL;
	job->started = time(NULL);
	r->job = job;
	r->running = true;
	r->last_start = job->started;
	if (set != NULL)
		log_info("rpki: importing a set of %zu ROAs", roa_set_count(set));
	else
		log_info("rpki: running ROA import from %s%s%s", d->cfg->roa_source,
			 d->cfg->slurm_source ? ", SLURM " : "", d->cfg->slurm_source ? d->cfg->slurm_source : "");
	if (pthread_create(&r->th, NULL, worker_main, job) != 0) {
		log_errx("rpki: cannot start the ROA import thread");
		r->job = NULL;
		r->running = false;
		job_free(r, job);
		return;
	}
	r->joinable = true;
}

/* After a run or the pseudo-IRR slices: the run asked for meanwhile. */
static void start_next(struct irrd_rpki *r)
{
	struct roa_set *set = r->pending;

	if (!r->again || r->running || r->slicing || __atomic_load_n(&r->stop, __ATOMIC_RELAXED))
		return;
	r->again = false;
	r->pending = NULL;
	if (set != NULL)
		start_job(r->d, set);
	else
		irrd_rpki_import_request(r->d);
}

void irrd_rpki_import_request(struct irrd *d)
{
	struct irrd_rpki *r = d->rpki;

	if (r == NULL || __atomic_load_n(&r->stop, __ATOMIC_RELAXED))
		return;
	if (!d->cfg->rpki_enabled) {
		if (r->npseudo > 0 || r->slicing) {
			if (r->slicing)
				event_del(r->slice_ev);
			r->slicing = false;
			irrd_index_drop_source(d, ROA_PSEUDO_SOURCE);
			r->npseudo = 0;
			log_info("rpki: RPKI-aware mode is off: pseudo-IRR objects removed");
		}
		return;
	}
	if (d->cfg->roa_source == NULL) {
		/* rpki.validator.enabled: the validator's runs bring the set
		 * (irrd_rpki_import_set) */
		log_debug("rpki: no rpki.roa_source, nothing to import");
		return;
	}
	if (r->running || r->slicing) {
		log_info("rpki: ROA import requested while one is %s; another one follows",
			 r->running ? "running" : "being applied");
		r->again = true;
		return;
	}
	start_job(d, NULL);
}

void irrd_rpki_import_set(struct irrd *d, struct roa_set *set)
{
	struct irrd_rpki *r = d->rpki;

	if (r == NULL || __atomic_load_n(&r->stop, __ATOMIC_RELAXED) || !d->cfg->rpki_enabled) {
		roa_set_free(set);
		return;
	}
	if (r->running || r->slicing) {
		/* the newest set wins */
		roa_set_free(r->pending);
		r->pending = set;
		r->again = true;
		return;
	}
	start_job(d, set);
}

void irrd_rpki_import_stop(struct irrd *d)
{
	struct irrd_rpki *r = d->rpki;
	double t0 = now_sec();

	if (r == NULL)
		return;
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	if (r->running) {
		/* cut the statement in flight short; the import rolls back */
		log_info("rpki: stopping the running ROA import");
		while (r->running && (now_sec() - t0) * 1000 < STOP_WAIT_MSEC) {
			char byte;

			pthread_mutex_lock(&r->mu);
			sql_cancel_send(r->cancel);
			pthread_mutex_unlock(&r->mu);
			usleep(100 * 1000);
			if (read(r->pipefd[0], &byte, 1) == 1)
				job_finish(r);
		}
		if (r->running) {
			/* stuck in a download: leave it, the process is ending */
			log_warnx("rpki: the ROA import thread does not stop; leaving it");
			pthread_detach(r->th);
			r->joinable = false;
			d->rpki = NULL;
			return;
		}
	}
	if (r->slicing)
		event_del(r->slice_ev);
	r->slicing = false;
	event_free(r->slice_ev);
	event_free(r->pipe_ev);
	close(r->pipefd[0]);
	close(r->pipefd[1]);
	irrd_nrtm_set_roas(d, NULL);
	roa_set_free(r->pending);
	roa_set_free(r->set);
	free(r->remarks);
	free(r->last_error);
	sql_cancel_free(r->cancel);
	sql_close(r->conn);
	pthread_mutex_destroy(&r->mu);
	free(r);
	d->rpki = NULL;
}

const struct roa_set *irrd_rpki_roas(struct irrd *d)
{
	struct irrd_rpki *r = d->rpki;

	return r != NULL ? r->set : NULL;
}

char *irrd_rpki_import_json(struct irrd *d, size_t *len)
{
	const struct roa_set *set = irrd_rpki_roas(d);

	*len = 0;
	return set != NULL ? roa_set_json(set, len) : NULL;
}

void irrd_rpki_import_status(struct irrd *d, struct evbuffer *o, bool metrics)
{
	struct irrd_rpki *r = d->rpki;
	const struct cfg *cfg = d->cfg;
	char start[40], ok[40], fail[40];
	size_t nroas = r != NULL && r->set != NULL ? roa_set_count(r->set) : 0;

	if (metrics) {
		irrd_metric_head(o, false, "irrd_rpki_roas", "gauge", "ROAs (VRPs) in force");
		evbuffer_add_printf(o, "irrd_rpki_roas %zu\n", nroas);
		if (r == NULL)
			return;
		irrd_metric_head(o, false, "irrd_rpki_pseudo_irr_objects", "gauge", "pseudo-IRR objects in the index");
		evbuffer_add_printf(o, "irrd_rpki_pseudo_irr_objects %zu\n", r->npseudo);
		irrd_metric_head(o, false, "irrd_rpki_imports_total", "counter", "ROA imports by outcome");
		evbuffer_add_printf(o, "irrd_rpki_imports_total{result=\"success\"} %lu\n"
				    "irrd_rpki_imports_total{result=\"failure\"} %lu\n", r->nok, r->nfailed);
		irrd_metric_head(o, false, "irrd_rpki_last_import_timestamp", "gauge",
				 "end of the last good ROA import");
		evbuffer_add_printf(o, "irrd_rpki_last_import_timestamp %lld\n", (long long)r->last_ok);
		irrd_metric_head(o, false, "irrd_rpki_last_import_seconds", "gauge", "duration of the last ROA import");
		evbuffer_add_printf(o, "irrd_rpki_last_import_seconds %.3f\n", r->last_seconds);
		irrd_metric_head(o, false, "irrd_rpki_routes", "gauge",
				 "route(6) objects by RPKI state after the last import");
		evbuffer_add_printf(o, "irrd_rpki_routes{state=\"valid\"} %zu\n"
				    "irrd_rpki_routes{state=\"invalid\"} %zu\n"
				    "irrd_rpki_routes{state=\"not_found\"} %zu\n",
				    r->last.nvalid, r->last.ninvalid, r->last.nnot_found);
		return;
	}
	evbuffer_add_printf(o, "\nRPKI\n----\n    RPKI-aware mode: %s\n", cfg->rpki_enabled ? "enabled" : "disabled");
	if (cfg->roa_source != NULL)
		evbuffer_add_printf(o, "    ROA source: %s\n", cfg->roa_source);
	else if (cfg->rpki_enabled)
		evbuffer_add_printf(o, "    ROA source: the bundled validator (rpki.validator)\n");
	if (cfg->slurm_source != NULL)
		evbuffer_add_printf(o, "    SLURM source: %s\n", cfg->slurm_source);
	if (r == NULL)
		return;
	irrd_status_time(r->last_start, start, sizeof(start));
	irrd_status_time(r->last_ok, ok, sizeof(ok));
	irrd_status_time(r->last_fail, fail, sizeof(fail));
	evbuffer_add_printf(o, "    ROAs in force: %zu; pseudo-IRR objects: %zu%s\n", nroas, r->npseudo,
			    r->slicing ? " (being added)" : "");
	evbuffer_add_printf(o, "    ROA import: %s; imports: %lu succeeded, %lu failed; last started %s\n",
			    r->running ? "running" : "idle", r->nok, r->nfailed, start);
	if (r->last_ok > 0)
		evbuffer_add_printf(o, "    Last ROA import: %s, %.1f s, %zu ROAs; routes %zu valid, %zu invalid, "
				    "%zu not_found; changed: %zu to valid, %zu to invalid, %zu to not_found; "
				    "journal %zu ADD, %zu DEL; %zu notification e-mails\n",
				    ok, r->last_seconds, r->last.nroas, r->last.nvalid, r->last.ninvalid,
				    r->last.nnot_found, r->last.now_valid, r->last.now_invalid, r->last.now_not_found,
				    r->last.journal_add, r->last.journal_del, r->last_mails);
	else
		evbuffer_add_printf(o, "    Last ROA import: None\n");
	if (r->last_error != NULL)
		evbuffer_add_printf(o, "    Last ROA import error: %s: %s\n", fail, r->last_error);
	else
		evbuffer_add_printf(o, "    Last ROA import error: None\n");
}
