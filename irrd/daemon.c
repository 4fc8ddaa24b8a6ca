/*
 * daemon.c - the daemon's life cycle on its event loop: signals, config
 * reload, clean stop, the pid file, detaching and dropping privileges.
 *
 * SIGTERM/SIGINT: stop accepting, let every connection finish the answer
 * it is sending (at most STOP_GRACE_SECS), stop the change follower (which
 * closes its database connection; it holds no transaction open between
 * rounds), leave the loop.
 * SIGHUP: read the config file again; a bad one is logged and the old one
 * stays. A good one replaces `cfg` whole (listeners keep their addresses:
 * those need a restart, as in IRRd), then the ROA set is re-imported. The
 * log file (log.logfile_path) is reopened, so logrotate can move it.
 * SIGUSR1: the validator runs now.
 *
 * Config lifetime: a whois session may hold pointers into the cfg it
 * started under, so a replaced cfg is kept until the last connection that
 * started under it is gone (irrd_cfg_hold / irrd_cfg_release).
 */
#include "irrd/irrd.h"
#include "irrd/rtrd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "rpsl/log.h"

#define STOP_GRACE_SECS 10
#define STOP_CHECK_MSEC 50

struct retired_cfg {
	struct retired_cfg *next;
	struct cfg *cfg;
	unsigned gen;
	size_t holders;
};

/* Connections end on the whois threads: the generations are counted under
 * a mutex. */
static pthread_mutex_t cfg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct retired_cfg *retired;
static unsigned cfg_gen;
static size_t cfg_holders;	/* connections under the current cfg */

unsigned irrd_cfg_hold(struct irrd *d)
{
	unsigned gen;

	(void)d;
	pthread_mutex_lock(&cfg_mu);
	cfg_holders++;
	gen = cfg_gen;
	pthread_mutex_unlock(&cfg_mu);
	return gen;
}

void irrd_cfg_release(struct irrd *d, unsigned gen)
{
	struct retired_cfg **pp, *r, *done = NULL;

	(void)d;
	pthread_mutex_lock(&cfg_mu);
	if (gen == cfg_gen) {
		if (cfg_holders > 0)
			cfg_holders--;
		pthread_mutex_unlock(&cfg_mu);
		return;
	}
	for (pp = &retired; (r = *pp) != NULL; pp = &r->next) {
		if (r->gen != gen)
			continue;
		if (r->holders > 0)
			r->holders--;
		if (r->holders == 0) {
			*pp = r->next;
			done = r;
		}
		break;
	}
	pthread_mutex_unlock(&cfg_mu);
	if (done != NULL) {
		cfg_free(done->cfg);
		free(done);
	}
}

static void cfg_retire(struct cfg *old)
{
	struct retired_cfg *r;

	pthread_mutex_lock(&cfg_mu);
	if (cfg_holders == 0) {
		cfg_free(old);
	} else {
		r = xcalloc(1, sizeof(*r));
		r->cfg = old;
		r->gen = cfg_gen;
		r->holders = cfg_holders;
		r->next = retired;
		retired = r;
	}
	cfg_gen++;
	cfg_holders = 0;
	pthread_mutex_unlock(&cfg_mu);
}

void irrd_cfg_retired_free(void)
{
	struct retired_cfg *r;

	while ((r = retired) != NULL) {
		retired = r->next;
		cfg_free(r->cfg);
		free(r);
	}
}

static bool same_listener(const struct cfg_listener *a, const struct cfg_listener *b)
{
	if (a->port != b->port || a->ninterfaces != b->ninterfaces)
		return false;
	for (size_t i = 0; i < a->ninterfaces; i++)
		if (strcmp(a->interfaces[i], b->interfaces[i]) != 0)
			return false;
	return true;
}

void irrd_apply_log_level(const struct cfg *cfg)
{
	int lvl = cfg->log_level ? log_level_parse(cfg->log_level) : LOG_LVL_INFO;

	if (lvl >= 0)
		log_set_level((enum log_level)lvl);
}

int irrd_reload_config(struct irrd *d)
{
	char *errs = NULL;
	struct cfg *ncfg = cfg_load(d->config_path, &errs);
	struct cfg *old = d->cfg;

	if (ncfg == NULL) {
		char *line, *save = NULL;
		for (line = strtok_r(errs, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
			log_errx("%s: %s", d->config_path, line);
		log_errx("%s: configuration not reloaded, the previous one stays in force", d->config_path);
		free(errs);
		return -1;
	}
	free(errs);
	if (!same_listener(&old->whois, &ncfg->whois))
		log_warnx("%s: server.whois interface/port changes take effect after a restart",
			  d->config_path);
	if (!same_listener(&old->http, &ncfg->http))
		log_warnx("%s: server.http interface/port changes take effect after a restart",
			  d->config_path);
	if (strcmp(old->database_url ? old->database_url : "", ncfg->database_url ? ncfg->database_url : "") != 0)
		log_warnx("%s: database_url changes take effect after a restart", d->config_path);

	/* the whois threads read cfg and the status in their queries */
	irrd_index_write_begin(d);
	d->cfg = ncfg;
	d->wctx.cfg = ncfg;
	irrd_apply_log_level(ncfg);
	/* authoritative flags for !j come from the config */
	for (size_t i = 0; i < d->nwstatus; i++) {
		const struct cfg_source *cs = cfg_source_find(ncfg, d->wstatus[i].source);
		d->wstatus[i].authoritative = cs != NULL && cs->authoritative;
	}
	irrd_index_write_end(d);
	cfg_retire(old);
	log_info("%s: configuration reloaded", d->config_path);
	if (irrd_check_unsupported(ncfg) == -1)
		log_warnx("%s: readonly_standby is not applied (it is read at start only)", d->config_path);
	/* sources_default may have changed: the prefix lists of the new
	 * default selection are made again */
	whois_warm_stop(d->warm);
	d->warm = whois_warm_start(&d->wctx);
	return 0;
}

/* ---- stopping ---- */

static void stop_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd *d = arg;
	struct timeval tv = { 0, STOP_CHECK_MSEC * 1000 };

	(void)fd;
	(void)what;
	if (irrd_whoisd_drain(d->whoisd) || time(NULL) - d->stop_started >= STOP_GRACE_SECS) {
		/* no whois thread answers from here on (teardown frees what
		 * queries read) */
		irrd_whoisd_halt(d->whoisd);
		event_base_loopexit(d->base, NULL);
		return;
	}
	event_add(d->stop_timer, &tv);
}

void irrd_stop(struct irrd *d)
{
	struct timeval tv = { 0, 0 };

	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_started = time(NULL);
	log_info("stopping: no new connections, finishing %zu open ones", irrd_whoisd_nconns(d->whoisd));
	irrd_whoisd_stop_accepting(d->whoisd);
	irrd_httpd_stop(d->httpd);
	irrd_rtrd_stop_accepting(d->rtrd);
	irrd_sync_stop(d->sync);
	d->sync = NULL;
	irrd_db_listen_stop(d);
	irrd_rpki_stop(d);
	d->stop_timer = evtimer_new(d->base, stop_check_cb, d);
	if (d->stop_timer == NULL)
		fatalx("out of memory");
	event_add(d->stop_timer, &tv);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct irrd *d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		irrd_stop(d);
		break;
	case SIGHUP:
		log_info("received SIGHUP, reloading %s", d->config_path);
		if (irrd_reload_config(d) == 0) {
			irrd_rtrd_reconfigure(d->rtrd);
			irrd_rpki_reimport(d);
		}
		/* reopen (or switch) the log file, for logrotate */
		if (d->cfg->log_logfile_path != NULL && log_open(d->cfg->log_logfile_path, 0) == -1)
			log_warn("%s", d->cfg->log_logfile_path);
		break;
	case SIGUSR1:
		log_info("received SIGUSR1");
		irrd_rpki_revalidate(d);
		break;
	default:
		break;
	}
}

void irrd_signals_setup(struct irrd *d)
{
	struct event **slots[] = { &d->sig_term, &d->sig_int, &d->sig_hup, &d->sig_usr1 };
	int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		*slots[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		if (*slots[i] == NULL || event_add(*slots[i], NULL) == -1)
			fatalx("cannot install the handler for signal %d", sigs[i]);
	}
}

void irrd_pipe_drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

void irrd_signals_free(struct irrd *d)
{
	struct event **slots[] = { &d->sig_term, &d->sig_int, &d->sig_hup, &d->sig_usr1 };

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (*slots[i] != NULL)
			event_free(*slots[i]);
		*slots[i] = NULL;
	}
}

/* ---- pid file ---- */

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0755) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

char *irrd_pidfile_path(const struct cfg *cfg, const char *config_path)
{
	char *dir, *slash, *path;

	if (cfg->piddir != NULL)
		return xasprintf("%s/irrd.pid", cfg->piddir);
	dir = xstrdup(config_path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	path = xasprintf("%s/var/run/irrd.pid", slash != NULL ? (dir[0] ? dir : "/") : ".");
	free(dir);
	return path;
}

int irrd_pidfile_open(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir_p(dir);
	}
	free(dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_err("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0)
			buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		log_errx("%s: locked: irrd is already running%s%s", path, buf[0] ? " as pid " : "", buf);
		close(fd);
		return -1;
	}
	return fd;
}

int irrd_pidfile_write(int fd, const char *path)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		log_err("%s", path);
		return -1;
	}
	return 0;
}

/* ---- IRRd settings this daemon does not act on ---- */

static void no_effect(const char *key, const char *why)
{
	log_warnx("%s: set, but has no effect here: %s", key, why);
}

int irrd_check_unsupported(const struct cfg *cfg)
{
	if (cfg->redis_url != NULL)
		no_effect("redis_url", "no Redis is used");
	if (cfg->http_url != NULL)
		no_effect("server.http.url", "there is no web interface to link to");
	if (cfg->http_event_stream_access_list != NULL)
		no_effect("server.http.event_stream_access_list", "the event stream is not served");
	if (cfg->log_logging_config_path != NULL)
		no_effect("log.logging_config_path", "it is a Python logging configuration; log.level and "
			  "log.logfile_path apply");
	if (cfg->irrd_internal_migration_enabled)
		no_effect("auth.irrd_internal_migration_enabled", "there is no web interface");
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct cfg_source *s = &cfg->sources[i];
		char key[160];

		if (s->nrtm4_client_notification_file_url != NULL || s->nrtm4_server_private_key != NULL ||
		    s->nrtm4_server_local_path != NULL) {
			snprintf(key, sizeof(key), "sources.%s.nrtm4_*", s->name);
			no_effect(key, "NRTMv4 is not supported, the source is neither mirrored nor served over it");
		}
		if (s->export_destination_unfiltered != NULL || s->nrtm_access_list_unfiltered != NULL) {
			snprintf(key, sizeof(key), "sources.%s.*_unfiltered", s->name);
			no_effect(key, "exports and NRTM never include RPKI-invalid routes (deprecated in IRRd too)");
		}
		if (s->strict_import_keycert_objects) {
			snprintf(key, sizeof(key), "sources.%s.strict_import_keycert_objects", s->name);
			no_effect(key, "mirrored key-cert objects are not imported into the GnuPG keyring");
		}
	}
	if (cfg->readonly_standby) {
		log_errx("readonly_standby: read-only standby mode is not supported: the daemon writes to its "
			 "database (the change feed position, ROA imports); run the standby as a mirror of the "
			 "active instance instead");
		return -1;
	}
	return 0;
}

/* ---- privileges ---- */

int irrd_drop_privileges(const struct cfg *cfg)
{
	const struct passwd *pw;
	const struct group *gr;

	if (cfg->user == NULL || cfg->group == NULL)
		return 0;
	errno = 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		log_errx("user: %s: %s", cfg->user, errno ? strerror(errno) : "no such user");
		return -1;
	}
	uid_t uid = pw->pw_uid;
	errno = 0;
	if ((gr = getgrnam(cfg->group)) == NULL) {
		log_errx("group: %s: %s", cfg->group, errno ? strerror(errno) : "no such group");
		return -1;
	}
	gid_t gid = gr->gr_gid;
	if (geteuid() != 0) {
		/* nothing to drop; starting as another user is a mistake */
		if (geteuid() == uid && getegid() == gid)
			return 0;
		log_errx("user: %s / group: %s: cannot change to them, irrd was started as uid %ld, gid %ld "
			 "(start it as root to bind and then drop privileges, or as that user)",
			 cfg->user, cfg->group, (long)geteuid(), (long)getegid());
		return -1;
	}
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1) {
		log_err("user: %s / group: %s: cannot drop privileges", cfg->user, cfg->group);
		return -1;
	}
	if (uid != 0 && setuid(0) != -1) {
		log_errx("user: %s: root privileges could be regained after dropping them", cfg->user);
		return -1;
	}
	log_info("running as user %s (uid %ld), group %s (gid %ld)", cfg->user, (long)uid, cfg->group, (long)gid);
	return 0;
}

/* ---- detaching ---- */

int irrd_detach(int *ready_fd)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd) == -1)
		fatal("pipe");
	fflush(NULL);
	pid = fork();
	if (pid == -1)
		fatal("fork");
	if (pid > 0) {
		/* parent: wait until the daemon serves (or fails) */
		ssize_t n;
		close(pfd[1]);
		while ((n = read(pfd[0], &c, 1)) == -1 && errno == EINTR)
			;
		if (n == 1 && c == 'R')
			_exit(0);
		fprintf(stderr, "%s: start-up failed\n", log_progname());
		_exit(1);
	}
	close(pfd[0]);
	if (setsid() == -1)
		log_warn("setsid");
	umask(022);
	*ready_fd = pfd[1];
	return 0;
}

void irrd_detach_done(int ready_fd, const struct cfg *cfg)
{
	int null;

	if (ready_fd < 0)
		return;
	/* from now on the log goes to syslog or log.logfile_path */
	if (log_open(cfg->log_logfile_path, cfg->log_logfile_path == NULL) == -1)
		log_warn("%s", cfg->log_logfile_path);
	null = open("/dev/null", O_RDWR);
	if (null != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	log_info("serving, pid %ld", (long)getpid());
	while (write(ready_fd, "R", 1) == -1 && errno == EINTR)
		;
	close(ready_fd);
}
