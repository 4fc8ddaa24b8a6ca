/*
 * validator_glue.c - the bundled RPKI validator (rpki/validator.h) inside
 * the daemon, with rpki.validator.enabled.
 *
 * A run starts at irrd_rpki_start, every rpki.validator.interval seconds
 * after the previous one ended, and on SIGUSR1 (which also lists
 * tal_dir's *.tal files again; every run reads the TAL files themselves).
 * One run at a time: a request during a run makes one more run after it.
 * val_run() blocks, so it runs on a worker thread that gets copies of
 * everything it needs (no `cfg`); it wakes the loop thread through a pipe.
 *
 * On the loop thread a good run's ROA set (SLURM applied when
 * rpki.slurm_source is set) goes to irrd_rpki_import_set(): route states,
 * journal, roa_object, pseudo-IRR objects and the RTR set all follow from
 * that one cycle, as for an imported ROA export; the run's ASPAs and router
 * keys ride along (irrd_rtr_set_extra) and reach RTR in the same update as
 * the VRPs. Until the first good run
 * there is no set in force, so RTR answers "No Data Available". A failed
 * run (no TAL, cache unusable, SLURM unreadable, or no VRP while every
 * trust anchor or every repository failed) keeps the previous set and logs why; /v1/status/ and
 * /metrics show the last run.
 */
#include "irrd/irrd.h"

#include <dirent.h>
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
#include "rpki/rpki.h"
#include "rpki/rtr.h"
#include "rpki/validator.h"
#include "rpsl/log.h"

#define STOP_WAIT_MSEC	10000	/* how long SIGTERM waits for a running validation */
#define SLURM_MAX	(64u << 20)

struct val_job {
	char **tals;
	size_t ntals;
	char *cache_dir;
	char *slurm_source;		/* NULL: none */
	/* results, written by the worker */
	struct roa_set *set;		/* NULL on failure */
	struct rtr_set *extra;		/* ASPAs and router keys for RTR */
	char *error;
	struct val_stats stats;
	size_t nvrps, naspas, nbrks, nroas;
	double seconds;
};

struct irrd_validator {
	struct irrd *d;
	pthread_t th;
	bool running, joinable, again;
	volatile int done;
	struct val_job *job;
	int pipefd[2];
	struct event *pipe_ev, *timer;

	/* the last run, for /v1/status/ and /metrics */
	unsigned long nok, nfailed;
	time_t last_start, last_end, last_ok;
	double last_seconds;
	size_t last_vrps, last_aspas, last_brks, last_roas, last_tals;
	size_t last_roas_failed, last_repos_failed;
	char *last_error;		/* NULL if the last run was good */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.tal files of dir, sorted; -1 with *err if dir cannot be read. */
static int list_tals(const char *dir, char ***out, size_t *n, char **err)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t nv = 0;

	*out = NULL;
	*n = 0;
	if (dp == NULL) {
		*err = xasprintf("rpki.validator.tal_dir: %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".tal") != 0 || de->d_name[0] == '.')
			continue;
		v = xrealloc(v, (nv + 1) * sizeof(*v));
		v[nv++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(dp);
	if (nv > 0)
		qsort(v, nv, sizeof(*v), str_cmp);
	*out = v;
	*n = nv;
	return 0;
}

static void job_free(struct val_job *job)
{
	if (job == NULL)
		return;
	for (size_t i = 0; i < job->ntals; i++)
		free(job->tals[i]);
	free(job->tals);
	free(job->cache_dir);
	free(job->slurm_source);
	roa_set_free(job->set);
	rtr_set_free(job->extra);
	free(job->error);
	free(job);
}

static bool key_filtered(const struct slurm *sl, const struct val_brk *k)
{
	for (size_t i = 0; sl != NULL && i < sl->nbgpsec_filters; i++) {
		const struct slurm_bgpsec_filter *f = &sl->bgpsec_filters[i];

		if ((f->has_asn || f->has_ski) && (!f->has_asn || f->asn == k->asn) &&
		    (!f->has_ski || (f->ski_ok && memcmp(f->ski, k->ski, sizeof(k->ski)) == 0)))
			return true;
	}
	return false;
}

/* The run's ASPAs and router keys (SLURM bgpsecFilters applied, RFC 8416
 * section 3.3.2) as an RTR set; records no PDU can carry are left out. */
static struct rtr_set *extra_from(const struct val_output *out, const struct slurm *sl)
{
	struct rtr_set *rs = rtr_set_new();
	size_t bad = 0;

	for (size_t i = 0; i < out->nvaps; i++)
		if (rtr_set_add_aspa(rs, out->vaps[i].customer, out->vaps[i].providers, out->vaps[i].nproviders) == -1)
			bad++;
	for (size_t i = 0; i < out->nbrks; i++) {
		const struct val_brk *k = &out->brks[i];

		if (!key_filtered(sl, k) && rtr_set_add_router_key(rs, k->ski, k->asn, k->spki, k->spki_len) == -1)
			bad++;
	}
	if (bad > 0)
		log_warnx("rpki: %zu ASPAs or router keys of the validation run cannot be carried by RTR", bad);
	return rs;
}

/* SLURM from a URL or a file path (as rpki.slurm_source allows). */
static struct slurm *slurm_get(const char *src, char **err)
{
	char *buf = NULL, *e = NULL;
	size_t len = 0;
	struct slurm *s;

	if (roa_fetch(src, SLURM_MAX, 60, &buf, &len, &e) == -1) {
		*err = xasprintf("rpki.slurm_source: %s", e ? e : src);
		free(e);
		return NULL;
	}
	s = slurm_parse(buf, len, src, &e);
	free(buf);
	if (s == NULL) {
		*err = e ? e : xasprintf("%s: not a valid SLURM file", src);
		return NULL;
	}
	return s;
}

static void *worker_main(void *arg)
{
	struct irrd_validator *v = arg;
	struct val_job *job = v->job;
	struct val_opts o;
	struct val_output *out;
	struct slurm *slurm = NULL;
	double t0 = mono();
	char byte = 1;

	memset(&o, 0, sizeof(o));
	o.tals = (const char *const *)job->tals;
	o.ntals = job->ntals;
	o.cache_dir = job->cache_dir;
	if (job->slurm_source != NULL && (slurm = slurm_get(job->slurm_source, &job->error)) == NULL)
		goto out;
	out = val_run(&o, &job->error);
	if (out == NULL) {
		if (job->error == NULL)
			job->error = xstrdup("validation run failed");
		goto out;
	}
	job->stats = out->stats;
	job->nvrps = out->nvrps;
	job->naspas = out->nvaps;
	job->nbrks = out->nbrks;
	job->set = val_output_roa_set(out, slurm);
	if (job->set == NULL)
		job->error = xstrdup("the validator's VRPs could not be made into a ROA set");
	else {
		job->nroas = roa_set_count(job->set);
		job->extra = extra_from(out, slurm);
	}
	val_output_free(out);
out:
	slurm_free(slurm);
	job->seconds = mono() - t0;
	__atomic_store_n(&v->done, 1, __ATOMIC_RELEASE);
	if (write(v->pipefd[1], &byte, 1) == -1) {
		/* the loop polls done on stop; nothing else to do */
	}
	return NULL;
}

static void timer_arm(struct irrd_validator *v)
{
	int iv = v->d->cfg->validator.interval > 0 ? v->d->cfg->validator.interval : 600;
	struct timeval tv = { iv, 0 };

	evtimer_add(v->timer, &tv);
}

static void start_run(struct irrd_validator *v)
{
	const struct cfg *cfg = v->d->cfg;
	struct val_job *job;
	char *err = NULL;

	if (v->running) {
		v->again = true;
		log_info("rpki: validation requested while one is running; another one follows");
		return;
	}
	if (!cfg->validator.enabled)
		return;
	job = xcalloc(1, sizeof(*job));
	v->last_start = time(NULL);
	if (cfg->validator.tal_dir == NULL)
		err = xstrdup("rpki.validator.tal_dir: not set");
	else if (list_tals(cfg->validator.tal_dir, &job->tals, &job->ntals, &err) == 0 && job->ntals == 0)
		err = xasprintf("rpki.validator.tal_dir: %s: no *.tal file", cfg->validator.tal_dir);
	if (err != NULL) {
		v->nfailed++;
		v->last_end = time(NULL);
		free(v->last_error);
		v->last_error = err;
		log_errx("rpki: validation not started, the previous ROA set stays in force: %s", err);
		job_free(job);
		timer_arm(v);
		return;
	}
	job->cache_dir = xstrdup(cfg->validator.cache_dir ? cfg->validator.cache_dir : "/var/cache/irrd/rpki");
	job->slurm_source = cfg->slurm_source ? xstrdup(cfg->slurm_source) : NULL;
	log_info("rpki: validation run: %zu TAL(s) from %s, cache %s", job->ntals, cfg->validator.tal_dir,
		 job->cache_dir);
	v->job = job;
	v->done = 0;
	v->running = true;
	if (pthread_create(&v->th, NULL, worker_main, v) != 0) {
		log_errx("rpki: cannot start the validator thread");
		v->job = NULL;
		v->running = false;
		job_free(job);
		timer_arm(v);
		return;
	}
	v->joinable = true;
}

static void run_finish(struct irrd_validator *v)
{
	struct val_job *job = v->job;

	if (v->joinable) {
		pthread_join(v->th, NULL);
		v->joinable = false;
	}
	v->job = NULL;
	v->running = false;
	v->last_end = time(NULL);
	v->last_seconds = job->seconds;
	if (job->set != NULL && job->nvrps == 0 &&
	    (job->stats.invalid_tals >= job->stats.tals ||
	     (job->stats.repos > 0 && job->stats.repos_failed >= job->stats.repos))) {
		/* no trust anchor or no repository could be read: this run did
		 * not complete, and an empty set would drop every VRP (or, as
		 * the first one, make every route not_found); keep what is in
		 * force, and until a good run RTR keeps "No Data Available" */
		job->error = xasprintf("no VRP: %zu of %zu TALs unusable, %zu of %zu repositories failed",
				       job->stats.invalid_tals, job->stats.tals, job->stats.repos_failed,
				       job->stats.repos);
		roa_set_free(job->set);
		job->set = NULL;
	}
	if (job->set != NULL) {
		v->nok++;
		v->last_ok = v->last_end;
		free(v->last_error);
		v->last_error = NULL;
		v->last_vrps = job->nvrps;
		v->last_aspas = job->naspas;
		v->last_brks = job->nbrks;
		v->last_roas = job->nroas;
		v->last_tals = job->stats.tals;
		v->last_roas_failed = job->stats.roas_failed;
		v->last_repos_failed = job->stats.repos_failed;
		log_info("rpki: validation done in %.1f s: %zu TALs, %zu ROAs (%zu rejected), %zu VRPs "
			 "(%zu after SLURM), %zu ASPAs, %zu router keys; %zu of %zu repositories failed",
			 job->seconds, job->stats.tals, job->stats.roas, job->stats.roas_failed, job->nvrps,
			 job->nroas, job->naspas, job->nbrks, job->stats.repos_failed, job->stats.repos);
		/* RTR serves the ASPAs and keys with this set's VRPs when the
		 * import puts it in force */
		irrd_rtr_set_extra(v->d, job->set, job->extra);
		job->extra = NULL;
		irrd_rpki_import_set(v->d, job->set);
		job->set = NULL;
	} else {
		v->nfailed++;
		free(v->last_error);
		v->last_error = xstrdup(job->error ? job->error : "unknown error");
		for (char *p = v->last_error; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ';';
		log_errx("rpki: validation failed, the previous ROA set stays in force: %s", v->last_error);
	}
	job_free(job);
	if (v->again) {
		v->again = false;
		start_run(v);
	} else
		timer_arm(v);
}

static void pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_validator *v = arg;
	char buf[16];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (v->running && __atomic_load_n(&v->done, __ATOMIC_ACQUIRE))
		run_finish(v);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_run(arg);
}

void irrd_validator_start(struct irrd *d)
{
	struct irrd_validator *v;

	if (d->validator != NULL || !d->cfg->validator.enabled)
		return;
	v = xcalloc(1, sizeof(*v));
	v->d = d;
	if (pipe2(v->pipefd, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("rpki: validator pipe");
	v->pipe_ev = event_new(d->base, v->pipefd[0], EV_READ | EV_PERSIST, pipe_cb, v);
	v->timer = evtimer_new(d->base, timer_cb, v);
	if (v->pipe_ev == NULL || v->timer == NULL || event_add(v->pipe_ev, NULL) == -1)
		fatalx("rpki: cannot set up the validator events");
	d->validator = v;
	start_run(v);
}

void irrd_validator_run_now(struct irrd *d)
{
	struct irrd_validator *v = d->validator;

	if (v == NULL) {
		/* enabled by a SIGHUP reload after the start */
		irrd_validator_start(d);
		return;
	}
	log_info("rpki: SIGUSR1: re-reading the TALs and validating now");
	if (!v->running)
		evtimer_del(v->timer);
	start_run(v);
}

void irrd_validator_stop(struct irrd *d)
{
	struct irrd_validator *v = d->validator;
	double t0 = mono();

	if (v == NULL)
		return;
	if (v->running) {
		log_info("rpki: waiting for the running validation");
		while (!__atomic_load_n(&v->done, __ATOMIC_ACQUIRE) && (mono() - t0) * 1000 < STOP_WAIT_MSEC)
			usleep(50 * 1000);
		if (!__atomic_load_n(&v->done, __ATOMIC_ACQUIRE)) {
			/* stuck in a fetch: leave it, the process is ending */
			log_warnx("rpki: the validator thread does not stop; leaving it");
			pthread_detach(v->th);
			d->validator = NULL;
			return;
		}
		pthread_join(v->th, NULL);
		job_free(v->job);
	}
	event_free(v->pipe_ev);
	event_free(v->timer);
	close(v->pipefd[0]);
	close(v->pipefd[1]);
	free(v->last_error);
	free(v);
	d->validator = NULL;
}

static void ttext(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, size, "None");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S+00:00", &tm);
}

void irrd_validator_status(struct irrd *d, struct evbuffer *o, bool metrics)
{
	struct irrd_validator *v = d->validator;
	char start[40], end[40], ok[40];

	if (v == NULL)
		return;
	if (metrics) {
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_runs_total validation runs by outcome\n"
				    "# TYPE irrd_rpki_validator_runs_total counter\n"
				    "irrd_rpki_validator_runs_total{result=\"success\"} %lu\n"
				    "irrd_rpki_validator_runs_total{result=\"failure\"} %lu\n", v->nok, v->nfailed);
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_last_run_timestamp end of the last validation run\n"
				    "# TYPE irrd_rpki_validator_last_run_timestamp gauge\n"
				    "irrd_rpki_validator_last_run_timestamp %lld\n", (long long)v->last_end);
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_last_success_timestamp end of the last good "
				    "validation run\n# TYPE irrd_rpki_validator_last_success_timestamp gauge\n"
				    "irrd_rpki_validator_last_success_timestamp %lld\n", (long long)v->last_ok);
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_last_run_seconds duration of the last validation run\n"
				    "# TYPE irrd_rpki_validator_last_run_seconds gauge\n"
				    "irrd_rpki_validator_last_run_seconds %.3f\n", v->last_seconds);
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_last_run_ok 1 if the last validation run succeeded\n"
				    "# TYPE irrd_rpki_validator_last_run_ok gauge\n"
				    "irrd_rpki_validator_last_run_ok %d\n", v->last_end > 0 && v->last_error == NULL);
		evbuffer_add_printf(o, "# HELP irrd_rpki_validator_objects output of the last good validation run\n"
				    "# TYPE irrd_rpki_validator_objects gauge\n"
				    "irrd_rpki_validator_objects{type=\"vrp\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"vrp_after_slurm\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"aspa\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"router_key\"} %zu\n",
				    v->last_vrps, v->last_roas, v->last_aspas, v->last_brks);
		return;
	}
	ttext(v->last_start, start, sizeof(start));
	ttext(v->last_end, end, sizeof(end));
	ttext(v->last_ok, ok, sizeof(ok));
	evbuffer_add_printf(o, "    Validator: %s; runs: %lu succeeded, %lu failed; last started %s, last ended %s\n",
			    v->running ? "running" : "idle", v->nok, v->nfailed, start, end);
	if (v->last_ok > 0)
		evbuffer_add_printf(o, "    Last good validation: %s, %.1f s, %zu TALs, %zu VRPs (%zu after SLURM), "
				    "%zu ASPAs, %zu router keys, %zu ROAs rejected, %zu repositories failed\n",
				    ok, v->last_seconds, v->last_tals, v->last_vrps, v->last_roas, v->last_aspas,
				    v->last_brks, v->last_roas_failed, v->last_repos_failed);
	else
		evbuffer_add_printf(o, "    Last good validation: None\n");
	evbuffer_add_printf(o, "    Last validation error: %s\n", v->last_error ? v->last_error : "None");
}
