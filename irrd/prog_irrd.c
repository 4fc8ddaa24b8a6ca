/*
 * prog_irrd.c - bin/irrd, the daemon: whois and HTTP on one libevent loop,
 * an in-memory whois index kept current from PostgreSQL.
 *
 * Start-up, in this order, so that every likely mistake is reported on the
 * terminal before the program detaches:
 *   1. read the config (errors: "irrd: FILE: KEY: problem", exit 1);
 *   2. lock the pid file; connect to PostgreSQL; check the schema version;
 *   3. bind the whois and HTTP ports (not listening yet: clients are
 *      refused, not left hanging, while the index loads);
 *   4. detach unless --foreground (the parent waits and exits 0 once the
 *      daemon serves, 1 if it failed);
 *   5. load the whois index from every stored object (parser threads);
 *   6. start the change follower and LISTEN irrd_change;
 *   7. listen, then run the loop until SIGTERM.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "irrd/cli.h"
#include "irrd/irrd.h"
#include "irrd/nofile.h"
#include "irrd/rtrd.h"
#include "rpsl/log.h"
#include "sql/sql.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: irrd --config FILE [--foreground]\n"
		   "  --config FILE   the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "  --foreground    do not detach; log to stderr\n"
		   "Signals: SIGTERM stops cleanly, SIGHUP reloads the configuration and\n"
		   "re-imports ROAs, SIGUSR1 runs the RPKI validator.\n");
}

/* Free everything main may have set up (any subset; also after a failed
 * start, so that the sanitizers see no leak). */
static void teardown(struct irrd *d)
{
	whois_warm_stop(d->warm);
	irrd_nrtm_stop(d);
	irrd_rpki_stop(d);
	irrd_db_listen_stop(d);
	irrd_sync_stop(d->sync);
	d->sync = NULL;
	irrd_whoisd_free(d->whoisd);
	irrd_httpd_free(d->httpd);
	irrd_rtrd_free(d->rtrd);
	irrd_signals_free(d);
	if (d->stop_timer != NULL)
		event_free(d->stop_timer);
	whois_index_free(d->idx);
	irrd_db_snapshot_free(d->db);
	free(d->wstatus);
	irrd_counts_free(d);
	if (d->base != NULL)
		event_base_free(d->base);
	cfg_free(d->cfg);
	irrd_cfg_retired_free();
	free(d->config_path);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	bool foreground = false;
	struct irrd d;
	struct sql_conn *conn = NULL;
	char *err = NULL, *pidpath = NULL, abspath[PATH_MAX];
	int pidfd = -1, ready_fd = -1, rc = 1;
	int64_t seq;

	log_init(argv[0]);
	for (int i = 1; i < argc; i++) {
		if (cli_value(argc, argv, &i, "--config", &config))
			continue;
		if (strcmp(argv[i], "--foreground") == 0) {
			foreground = true;
		} else if (cli_help(argv[i])) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("%s\n", IRRD_VERSION);
			return 0;
		} else
			return cli_unknown(argv[i], usage);
	}
	if (config == NULL)
		config = CFG_PATH_DEFAULT;

	memset(&d, 0, sizeof(d));
	d.foreground = foreground;
	d.cfg = cfg_load_or_exit(config);
	if (realpath(config, abspath) == NULL) {
		log_err("%s", config);
		goto out;
	}
	d.config_path = xstrdup(abspath);
	irrd_apply_log_level(d.cfg);
	if (foreground && d.cfg->log_logfile_path != NULL && log_open(d.cfg->log_logfile_path, 0) == -1) {
		log_err("%s", d.cfg->log_logfile_path);
		goto out;
	}
	if (irrd_check_unsupported(d.cfg) == -1)
		goto out;

	irrd_nofile_raise(d.cfg);	/* a descriptor per whois connection */

	pidpath = irrd_pidfile_path(d.cfg, d.config_path);
	if ((pidfd = irrd_pidfile_open(pidpath)) == -1)
		goto out;

	conn = sql_connect(d.cfg->database_url, &err);
	if (conn == NULL) {
		log_errx("%s", err ? err : "database_url: cannot connect");
		goto out;
	}
	if (sql_schema_check(conn, &err) < 0) {
		log_errx("%s", err ? err : "database schema: check failed");
		goto out;
	}
	/* one snapshot for the change seq and the load: changes after it are
	 * replayed afterwards */
	if (sql_begin_snapshot(conn) < 0 || (seq = sql_changes_last_seq(conn)) < 0) {
		log_errx("object_change: %s", sql_error(conn));
		goto out;
	}

	d.base = event_base_new();
	if (d.base == NULL)
		fatalx("cannot create the event loop");
	d.idx = whois_index_new();
	d.wctx.cfg = d.cfg;
	d.wctx.idx = d.idx;
	d.wctx.version = IRRD_VERSION;
	d.whoisd = irrd_whoisd_new(&d);
	d.httpd = irrd_httpd_new(&d);
	d.rtrd = irrd_rtrd_new(&d);
	if (irrd_whoisd_bind(d.whoisd) == -1 || irrd_httpd_bind(d.httpd) == -1 ||
	    irrd_rtrd_bind(d.rtrd) == -1) {
		log_errx("%s: cannot bind the configured ports", d.config_path);
		goto out;
	}

	if (!foreground) {
		irrd_detach(&ready_fd);
		if (event_reinit(d.base) == -1)
			fatalx("cannot reinitialise the event loop after fork");
	}
	if (irrd_pidfile_write(pidfd, pidpath) == -1 || irrd_drop_privileges(d.cfg) == -1)
		goto out;
	d.started = time(NULL);
	log_info("%s starting, pid %ld, pid file %s", IRRD_VERSION, (long)getpid(), pidpath);

	if (irrd_index_load(&d, conn) == -1) {
		log_errx("index: start-up load failed");
		goto out;
	}
	sql_commit(conn);
	sql_close(conn);
	conn = NULL;
	d.sync = irrd_sync_start(&d, d.cfg->database_url, seq);
	irrd_db_listen_start(&d);
	irrd_signals_setup(&d);
	irrd_rpki_start(&d);
	irrd_nrtm_start(&d);

	if (irrd_whoisd_start(d.whoisd) == -1 || irrd_httpd_start(d.httpd) == -1 ||
	    irrd_rtrd_start(d.rtrd) == -1) {
		log_errx("%s: cannot listen on the configured ports", d.config_path);
		goto out;
	}
	log_info("ready: %zu objects in the whois index, loaded in %.1f s", whois_index_count(d.idx),
		 d.stats.index_load_seconds);
	irrd_detach_done(ready_fd, d.cfg);
	ready_fd = -1;
	d.warm = whois_warm_start(&d.wctx);

	event_base_dispatch(d.base);
	irrd_stop(&d);	/* no-op after a signal; else the loop ran dry */
	log_info("stopped");
	rc = 0;
out:
	if (pidfd != -1) {
		/* ours: we hold its lock */
		unlink(pidpath);
		close(pidfd);
	}
	free(pidpath);
	free(err);
	if (conn != NULL)
		sql_close(conn);
	teardown(&d);
	return rc;
}
