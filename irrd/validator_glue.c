/*
 * validator_glue.c - the bundled RPKI validator (rpki/validator.h) inside
 * the daemon, with rpki.validator.enabled.
 *
 * A run starts at irrd_rpki_start, every rpki.validator.interval seconds
 * after the previous one ended, and on SIGUSR1 (which also lists
 * tal_dir's *.tal files again; every run reads the TAL files themselves).
 * One run at a time: a request during a run makes one more run after it.
 * The run itself (fetching and all DER parsing) happens in a child
 * process, bin/irrd_rpki_validator --ipc (found beside this program), so
 * that a crash or hang while parsing hostile objects takes down only the
 * child: the run then fails, the previous set stays in force and the next
 * interval (or SIGUSR1) tries again. The child sends its output in
 * val_output_write()'s form over a pipe and its log lines over another;
 * a child that runs longer than rpki.validator.child_timeout seconds
 * (default 3600; the environment's IRRD_VALIDATOR_CHILD_TIMEOUT, if set,
 * overrides it) is killed. rpki.validator.max_repo_size and
 * max_repo_files reach the child as --max-repo-size and --max-repo-files. A worker thread starts and waits for the
 * child with copies of everything it needs (no `cfg`); it wakes the loop
 * thread through a pipe.
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
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
#define RESULT_MAX	((size_t)4 << 30)	/* of the child's output */

struct val_job {
	char **tals;
	size_t ntals;
	char *cache_dir;
	char *prog;			/* bin/irrd_rpki_validator */
	bool debug;
	int timeout;			/* seconds for the child */
	char max_size[24];		/* --max-repo-size, --max-repo-files */
	char max_files[24];
	bool child_failed;		/* crashed, killed or broken output */
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
	volatile pid_t child;		/* the running child, 0 if none */
	struct val_job *job;
	int pipefd[2];
	struct event *pipe_ev, *timer;

	/* the last run, for /v1/status/ and /metrics */
	unsigned long nok, nfailed, nchild_failed;
	time_t last_start, last_end, last_ok;
	double last_seconds;
	size_t last_vrps, last_aspas, last_brks, last_roas, last_tals;
	size_t last_roas_failed, last_repos_failed, last_pps_cached, last_pps_failed, last_mfts_regressed;
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
	free(job->prog);
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

/* One line of the child's standard error into our log: "<digit>text" from
 * the validator's log, anything else (the program's own errors) as a warning. */
static void relay_line(char *line)
{
	enum log_level lvl = LOG_LVL_WARNING;
	char *text = line;

	if (line[0] >= '0' && line[0] <= '2') {
		lvl = line[0] == '0' ? LOG_LVL_DEBUG : line[0] == '1' ? LOG_LVL_INFO : LOG_LVL_WARNING;
		text = line + 1;
	}
	if (lvl >= log_get_level())
		log_msg(lvl, "rpki: validator: %s", text);
}

static void relay(char *buf, size_t *n, bool flush)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *n - (size_t)(start - buf))) != NULL) {
		*nl = '\0';
		relay_line(start);
		start = nl + 1;
	}
	*n -= (size_t)(start - buf);
	memmove(buf, start, *n);
	if (flush && *n > 0) {
		buf[*n] = '\0';
		relay_line(buf);
		*n = 0;
	}
}

/*
 * Run bin/irrd_rpki_validator --ipc in a child process and read its output;
 * NULL with *err when the child fails in any way (its log lines are
 * relayed as they come).
 */
static struct val_output *run_child(struct irrd_validator *v, struct val_job *job, char **err)
{
	int rp[2] = { -1, -1 }, ep[2] = { -1, -1 }, status = 0;
	size_t nargs = 0, rlen = 0, rcap = 0, elen = 0;
	const char **argv = xcalloc(job->ntals * 2 + 12, sizeof(char *));
	uint8_t *res = NULL;
	char ebuf[4096];
	double deadline = mono() + job->timeout;
	bool killed = false, too_big = false;
	struct val_output *out = NULL;
	pid_t pid;

	argv[nargs++] = job->prog;
	argv[nargs++] = "--ipc";
	argv[nargs++] = "3";
	argv[nargs++] = "-d";
	argv[nargs++] = job->cache_dir;
	argv[nargs++] = "--max-repo-size";
	argv[nargs++] = job->max_size;
	argv[nargs++] = "--max-repo-files";
	argv[nargs++] = job->max_files;
	for (size_t i = 0; i < job->ntals; i++) {
		argv[nargs++] = "-t";
		argv[nargs++] = job->tals[i];
	}
	if (job->debug)
		argv[nargs++] = "-v";
	argv[nargs] = NULL;
	if (pipe2(rp, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		*err = xasprintf("validator child: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) == -1) {
		*err = xasprintf("validator child: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* only async-signal-safe calls until exec */
		sigset_t none;
		int dn = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 1);
		}
		dup2(ep[1], 2);
		if (rp[1] == 3)
			fcntl(3, F_SETFD, 0);
		else
			dup2(rp[1], 3);
		/* none of the daemon's sockets (listeners, PostgreSQL) */
		if (close_range(4, ~0U, 0) == -1)
			for (int fd = 4; fd < 65536; fd++)
				close(fd);
		execv(job->prog, (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	__atomic_store_n(&v->child, pid, __ATOMIC_RELEASE);
	close(rp[1]);
	close(ep[1]);
	rp[1] = ep[1] = -1;
	while (rp[0] != -1 || ep[0] != -1) {
		struct pollfd pf[2];
		int np = 0, wait_ms = (int)((deadline - mono()) * 1000);

		if (wait_ms <= 0) {
			killed = true;
			break;
		}
		if (rp[0] != -1)
			pf[np++] = (struct pollfd){ .fd = rp[0], .events = POLLIN };
		if (ep[0] != -1)
			pf[np++] = (struct pollfd){ .fd = ep[0], .events = POLLIN };
		if (poll(pf, (nfds_t)np, wait_ms > 1000 ? 1000 : wait_ms) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < np; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t k;
			if (pf[i].fd == rp[0]) {
				if (rcap - rlen < 65536) {
					rcap = rcap ? rcap * 2 : 1 << 20;
					res = xrealloc(res, rcap);
				}
				k = read(rp[0], res + rlen, rcap - rlen);
				if (k > 0) {
					rlen += (size_t)k;
					if (rlen > RESULT_MAX) {
						too_big = true;
						break;
					}
				} else if (k == 0 || errno != EINTR) {
					close(rp[0]);
					rp[0] = -1;
				}
			} else {
				k = read(ep[0], ebuf + elen, sizeof(ebuf) - 1 - elen);
				if (k > 0) {
					elen += (size_t)k;
					relay(ebuf, &elen, elen == sizeof(ebuf) - 1);
				} else if (k == 0 || errno != EINTR) {
					close(ep[0]);
					ep[0] = -1;
				}
			}
		}
		if (too_big)
			break;
	}
	relay(ebuf, &elen, true);
	if (killed || too_big) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	__atomic_store_n(&v->child, 0, __ATOMIC_RELEASE);
	job->child_failed = true;
	if (killed)
		*err = xasprintf("the validator process did not finish within %d s and was killed", job->timeout);
	else if (too_big)
		*err = xasprintf("the validator process sent more than %zu bytes and was killed", RESULT_MAX);
	else if (WIFSIGNALED(status))
		*err = xasprintf("the validator process was killed by signal %d (%s)", WTERMSIG(status),
				 strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && rlen == 0)
		*err = xasprintf("%s: cannot be run", job->prog);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && rlen == 0)
		*err = xasprintf("the validator process exited with status %d", WEXITSTATUS(status));
	else if ((out = val_output_read(res, rlen, err)) != NULL)
		job->child_failed = false;
out:
	for (int i = 0; i < 2; i++) {
		if (rp[i] != -1)
			close(rp[i]);
		if (ep[i] != -1)
			close(ep[i]);
	}
	free(res);
	free(argv);
	return out;
}

static void *worker_main(void *arg)
{
	struct irrd_validator *v = arg;
	struct val_job *job = v->job;
	struct val_output *out;
	struct slurm *slurm = NULL;
	double t0 = mono();
	char byte = 1;

	if (job->slurm_source != NULL && (slurm = slurm_get(job->slurm_source, &job->error)) == NULL)
		goto out;
	out = run_child(v, job, &job->error);
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

/* bin/irrd_rpki_validator: beside this program. */
static char *validator_prog(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return xstrdup("/usr/local/bin/irrd_rpki_validator");
	self[n] = '\0';
	slash = strrchr(self, '/');
	return xasprintf("%.*s/irrd_rpki_validator", slash ? (int)(slash - self) : 1, slash ? self : ".");
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
	job->prog = validator_prog();
	job->debug = log_get_level() <= LOG_LVL_DEBUG;
	{
		const char *e = getenv("IRRD_VALIDATOR_CHILD_TIMEOUT");
		job->timeout = e != NULL && atoi(e) > 0 ? atoi(e) : cfg->validator.child_timeout;
	}
	snprintf(job->max_size, sizeof(job->max_size), "%lld", cfg->validator.max_repo_size);
	snprintf(job->max_files, sizeof(job->max_files), "%lld", cfg->validator.max_repo_files);
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
		v->last_pps_cached = job->stats.pubpoints_fallback;
		v->last_pps_failed = job->stats.pubpoints_failed;
		v->last_mfts_regressed = job->stats.mfts_regressed;
		if (job->stats.pubpoints_fallback > 0)
			log_warnx("rpki: %zu publication point(s) validated from their last valid copy",
				  job->stats.pubpoints_fallback);
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
		if (job->child_failed)
			v->nchild_failed++;
		free(v->last_error);
		v->last_error = irrd_oneline(job->error ? job->error : "unknown error");
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

	(void)what;
	irrd_pipe_drain(fd);
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
		pid_t child = __atomic_load_n(&v->child, __ATOMIC_ACQUIRE);
		if (child > 0) {
			log_info("rpki: stopping the running validation (process %ld)", (long)child);
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
		}
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

void irrd_validator_status(struct irrd *d, struct evbuffer *o, bool metrics)
{
	struct irrd_validator *v = d->validator;
	char start[40], end[40], ok[40];

	if (v == NULL)
		return;
	if (metrics) {
		irrd_metric_head(o, false, "irrd_rpki_validator_runs_total", "counter", "validation runs by outcome");
		evbuffer_add_printf(o, "irrd_rpki_validator_runs_total{result=\"success\"} %lu\n"
				    "irrd_rpki_validator_runs_total{result=\"failure\"} %lu\n", v->nok, v->nfailed);
		irrd_metric_head(o, false, "irrd_rpki_validator_child_failures_total", "counter",
				 "validation child processes that crashed, hung or sent no usable output");
		evbuffer_add_printf(o, "irrd_rpki_validator_child_failures_total %lu\n", v->nchild_failed);
		irrd_metric_head(o, false, "irrd_rpki_validator_pubpoints", "gauge",
				 "publication points of the last good validation run");
		evbuffer_add_printf(o, "irrd_rpki_validator_pubpoints{state=\"rejected\"} %zu\n"
				    "irrd_rpki_validator_pubpoints{state=\"last_valid_copy\"} %zu\n",
				    v->last_pps_failed, v->last_pps_cached);
		irrd_metric_head(o, false, "irrd_rpki_validator_manifests_regressed", "gauge",
				 "fetched manifests of the last good run rejected for a lower number or thisUpdate "
				 "than the last valid copy");
		evbuffer_add_printf(o, "irrd_rpki_validator_manifests_regressed %zu\n", v->last_mfts_regressed);
		irrd_metric_head(o, false, "irrd_rpki_validator_last_run_timestamp", "gauge",
				 "end of the last validation run");
		evbuffer_add_printf(o, "irrd_rpki_validator_last_run_timestamp %lld\n", (long long)v->last_end);
		irrd_metric_head(o, false, "irrd_rpki_validator_last_success_timestamp", "gauge",
				 "end of the last good validation run");
		evbuffer_add_printf(o, "irrd_rpki_validator_last_success_timestamp %lld\n", (long long)v->last_ok);
		irrd_metric_head(o, false, "irrd_rpki_validator_last_run_seconds", "gauge",
				 "duration of the last validation run");
		evbuffer_add_printf(o, "irrd_rpki_validator_last_run_seconds %.3f\n", v->last_seconds);
		irrd_metric_head(o, false, "irrd_rpki_validator_last_run_ok", "gauge",
				 "1 if the last validation run succeeded");
		evbuffer_add_printf(o, "irrd_rpki_validator_last_run_ok %d\n", v->last_end > 0 && v->last_error == NULL);
		irrd_metric_head(o, false, "irrd_rpki_validator_objects", "gauge",
				 "output of the last good validation run");
		evbuffer_add_printf(o, "irrd_rpki_validator_objects{type=\"vrp\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"vrp_after_slurm\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"aspa\"} %zu\n"
				    "irrd_rpki_validator_objects{type=\"router_key\"} %zu\n",
				    v->last_vrps, v->last_roas, v->last_aspas, v->last_brks);
		return;
	}
	irrd_status_time(v->last_start, start, sizeof(start));
	irrd_status_time(v->last_end, end, sizeof(end));
	irrd_status_time(v->last_ok, ok, sizeof(ok));
	evbuffer_add_printf(o, "    Validator: %s; runs: %lu succeeded, %lu failed (%lu child process failures); "
			    "last started %s, last ended %s\n",
			    v->running ? "running" : "idle", v->nok, v->nfailed, v->nchild_failed, start, end);
	if (v->last_ok > 0)
		evbuffer_add_printf(o, "    Last good validation: %s, %.1f s, %zu TALs, %zu VRPs (%zu after SLURM), "
				    "%zu ASPAs, %zu router keys, %zu ROAs rejected, %zu repositories failed, "
				    "%zu publication points from their last valid copy\n",
				    ok, v->last_seconds, v->last_tals, v->last_vrps, v->last_roas, v->last_aspas,
				    v->last_brks, v->last_roas_failed, v->last_repos_failed, v->last_pps_cached);
	else
		evbuffer_add_printf(o, "    Last good validation: None\n");
	evbuffer_add_printf(o, "    Last validation error: %s\n", v->last_error ? v->last_error : "None");
}
