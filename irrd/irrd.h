/*
 * irrd.h - the daemon's internals: one event loop (libevent) that serves
 * whois and HTTP, keeps the in-memory whois index current from PostgreSQL,
 * and handles signals. Shared by the files of irrd/; the program main is
 * irrd/prog_irrd.c.
 *
 * Threads: the loop thread accepts whois connections and hands each to
 * one of the whois threads (whoisd.c), which answer its queries under the
 * index's read lock. Everything else that touches the index or `cfg` runs
 * on the loop thread, and changes them under the index's write lock
 * (irrd_index_write_begin). Other helper threads:
 *  - at start-up, parser threads (irrd_index_load) turn object texts into
 *    parsed objects that the loop thread then puts in the index;
 *  - the change follower (irrd_sync_*) owns its own database connection,
 *    reads object_change, fetches and parses new objects, and hands
 *    finished batches to the loop thread through a queue and a pipe.
 * No other thread reads `cfg` or the index.
 */
#ifndef IRRD_IRRD_H
#define IRRD_IRRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf/conf.h"
#include "rpsl/prefix.h"
#include "whois/whois.h"

struct event_base;
struct event;
struct evbuffer;
struct sockaddr;
struct sql_conn;
struct irrd_whoisd;
struct irrd_httpd;
struct irrd_sync;
struct irrd_dblisten;
struct irrd_nrtm;
struct roa_set;
struct irrd_validator;

#define IRRD_VERSION "irrd-c 0.1"

/* Counters for /metrics and the status page; loop thread only. */
struct irrd_stats {
	uint64_t whois_connections_total;	/* accepted and served */
	uint64_t whois_connections_denied;	/* access list */
	uint64_t whois_connections_refused;	/* max_connections */
	uint64_t whois_connections_dropped;	/* output stalled or line too long */
	uint64_t whois_connections_timeout;	/* idle */
	uint64_t whois_queries_total;
	uint64_t whois_bytes_out;
	uint64_t http_requests_total;
	uint64_t changes_applied;		/* ADD/DEL/RELOAD applied to the index */
	int64_t change_seq;			/* last object_change seq applied */
	time_t last_change_applied;
	double index_load_seconds;
};

/* One row of database_status as the daemon shows it (-1 = none). */
struct irrd_source_info {
	char *source;
	int64_t serial_oldest_journal, serial_newest_journal;
	int64_t serial_last_export, serial_newest_mirror;
	int64_t serial_oldest_seen, serial_newest_seen;
	char *last_error;
	bool synchronised_serials;
	/* times as IRRd's status page prints them ("2024-01-01 00:00:00+00:00")
	 * and in ISO 8601 for !J ("2024-01-01T00:00:00+00:00"); NULL if none */
	char *updated, *updated_iso;	/* last internal status change */
	char *rpsl_data_updated, *rpsl_data_updated_iso;	/* last change to RPSL data */
	char *last_error_timestamp;
	int64_t updated_epoch, rpsl_data_updated_epoch, last_error_epoch;	/* -1 if none */
};

/* Objects in the index per source and class (for /metrics and
 * /v1/status/), kept exact by the loop thread as it changes the index. */
struct irrd_source_count {
	char *source;
	uint64_t n[RPSL_CLASS_COUNT];
};

/* A snapshot of database_status, read by the change follower and handed
 * whole to the loop thread. */
struct irrd_db_snapshot {
	struct irrd_source_info *sources;
	size_t nsources;
	time_t taken;
};
void irrd_db_snapshot_free(struct irrd_db_snapshot *s);

struct irrd {
	struct event_base *base;
	char *config_path;		/* absolute */
	struct cfg *cfg;		/* the only config; replaced whole on SIGHUP */
	bool foreground;

	struct whois_index *idx;
	struct whois_context wctx;	/* points at cfg, idx and status */
	struct whois_warm *warm;	/* makes the prefix lists after start-up */
	struct whois_source_status *wstatus;
	size_t nwstatus;
	struct irrd_db_snapshot *db;	/* latest; NULL until the first read */
	struct irrd_source_count *counts;
	size_t ncounts;

	struct irrd_whoisd *whoisd;
	struct irrd_httpd *httpd;
	struct irrd_sync *sync;

	struct event *sig_term, *sig_int, *sig_hup, *sig_usr1;
	bool stopping;
	time_t stop_started;
	struct event *stop_timer;	/* bounds the drain on SIGTERM */
	struct irrd_dblisten *listen;	/* LISTEN irrd_change, or NULL */

	time_t started;
	struct irrd_stats stats;

	/* RPKI (hooks.c): the import timer and the engine's own state */
	struct event *roa_timer;
	void *rpki;
	struct irrd_validator *validator;	/* validator_glue.c, NULL when off */

	/* RTR server and the published ROA set (rtrd.c, rtrd.h) */
	struct irrd_rtrd *rtrd;

	/* NRTM (nrtm_glue.c): journal cache for -g, mirror and export timers */
	struct irrd_nrtm *nrtm;
};

/* ---- listen.c: listening sockets ---- */
/* Bind addr:port (IPv6 without brackets), without listening yet: until
 * irrd_listen_start the port refuses connections, while a port in use is
 * found at once. A lone IPv6 wildcard serves IPv4 as well (v6only false).
 * Returns the fd or -1 with the reason logged as "ADDR port PORT: ...". */
int irrd_listen_socket(const char *addr, int port, bool v6only);
int irrd_listen_start(int fd);
/* Should the IPv6 wildcard in this list be v6-only (an IPv4 address is
 * also configured)? */
bool irrd_listen_v6only(char *const *addrs, size_t n);
/* The peer address of an accepted socket, IPv4-mapped IPv6 unmapped, as
 * struct ip_addr and as text "ADDR:PORT" for log lines. */
void irrd_sockaddr_peer(const struct sockaddr *sa, struct ip_addr *out, char *text, size_t textsz);

/* ---- whoisd.c: the whois TCP server ---- */
struct irrd_whoisd *irrd_whoisd_new(struct irrd *d);
/* Bind every configured interface (before the index load); -1 on failure. */
int irrd_whoisd_bind(struct irrd_whoisd *w);
/* Start accepting on the bound sockets. */
int irrd_whoisd_start(struct irrd_whoisd *w);
/* Stop accepting; open connections finish their current answers. */
void irrd_whoisd_stop_accepting(struct irrd_whoisd *w);
/* Close every connection that has nothing left to send; true once none remain. */
bool irrd_whoisd_drain(struct irrd_whoisd *w);
size_t irrd_whoisd_nconns(const struct irrd_whoisd *w);
/* Stop the whois threads (their connections are closed by _free). */
void irrd_whoisd_halt(struct irrd_whoisd *w);
/* Add what the whois threads counted to d->stats (loop thread; before
 * d->stats is shown). */
void irrd_whoisd_stats_sync(struct irrd_whoisd *w);
void irrd_whoisd_free(struct irrd_whoisd *w);
/* Strip the framing from a whois answer for HTTP: 200 with the bare
 * result, 204 for nothing, 400 (or 500) with the error message. The
 * answer is consumed; body receives the result. */
int irrd_whois_unframe(struct evbuffer *answer, struct evbuffer *body);

/* ---- httpd.c: evhttp on the same loop ---- */
struct irrd_httpd *irrd_httpd_new(struct irrd *d);
int irrd_httpd_bind(struct irrd_httpd *h);
int irrd_httpd_start(struct irrd_httpd *h);
/* Stop accepting HTTP connections (SIGTERM). */
void irrd_httpd_stop(struct irrd_httpd *h);
void irrd_httpd_free(struct irrd_httpd *h);
/* A time as the status page prints it ("2024-01-01 00:00:00+00:00"),
 * "None" when unset (t <= 0). */
void irrd_status_time(time_t t, char *buf, size_t size);
/* The metrics page: the "# HELP NAME HELP" and "# TYPE NAME TYPE" lines of
 * a metric, after a blank line when `gap` (the daemon's and RTR's metrics;
 * the RPKI ones stand without). */
void irrd_metric_head(struct evbuffer *o, bool gap, const char *name, const char *type, const char *help);

/* ---- index.c: the start-up load and the change follower ---- */
/* Fill d->idx from every stored object (parser threads + loop thread).
 * 0 or -1 (logged). */
int irrd_index_load(struct irrd *d, struct sql_conn *c);
/* Start following object_change from the seq read before the load. */
struct irrd_sync *irrd_sync_start(struct irrd *d, const char *database_url, int64_t from_seq);
/* Ask the follower to look now (on NOTIFY). */
void irrd_sync_kick(struct irrd_sync *s);
void irrd_sync_stop(struct irrd_sync *s);
/* Tell the follower whether NOTIFYs arrive (else it polls more often). */
void irrd_sync_set_listening(struct irrd_sync *s, bool on);

/* ---- dblisten.c: LISTEN irrd_change on the loop (sql_async) ---- */
/* Start listening; each NOTIFY kicks d->sync. Reconnects by itself. */
void irrd_db_listen_start(struct irrd *d);
void irrd_db_listen_stop(struct irrd *d);
/* Install a new snapshot (loop thread): rebuilds d->wstatus for !j. */
void irrd_db_snapshot_install(struct irrd *d, struct irrd_db_snapshot *s);
/* Index changes with counting (loop thread). */
void irrd_index_put(struct irrd *d, const struct rpsl_object *obj, const char *text, size_t len,
		    enum rpki_state st);
void irrd_index_del(struct irrd *d, const char *source, enum rpsl_class cls, const char *pk);
void irrd_index_drop_source(struct irrd *d, const char *source);
/* Hold the index's write lock (nests on the calling thread): around every
 * change to the index or to what d->wctx points at (cfg, status). */
void irrd_index_write_begin(struct irrd *d);
void irrd_index_write_end(struct irrd *d);
/* As irrd_index_write_begin without waiting: false (nothing held) while
 * queries hold the index. */
bool irrd_index_write_try(struct irrd *d);
uint64_t irrd_count_source(const struct irrd *d, const char *source, int cls);	/* cls -1: all */
void irrd_counts_free(struct irrd *d);

/* ---- daemon.c ---- */
/* Replace the config from d->config_path; the old one stays on error. */
int irrd_reload_config(struct irrd *d);
void irrd_apply_log_level(const struct cfg *cfg);
/* A connection that may keep pointers into d->cfg holds it until it ends. */
unsigned irrd_cfg_hold(struct irrd *d);
void irrd_cfg_release(struct irrd *d, unsigned gen);
void irrd_cfg_retired_free(void);
void irrd_stop(struct irrd *d);
void irrd_signals_setup(struct irrd *d);
void irrd_signals_free(struct irrd *d);
/* Read a non-blocking wake-up pipe empty (its event callback). */
void irrd_pipe_drain(int fd);
/* irrd.piddir/irrd.pid, else DIR-OF-CONFIG/var/run/irrd.pid (caller frees). */
char *irrd_pidfile_path(const struct cfg *cfg, const char *config_path);
/* Create and lock; -1 (logged) if it cannot be or another irrd holds it. */
int irrd_pidfile_open(const char *path);
int irrd_pidfile_write(int fd, const char *path);
/* Warn of each IRRd setting that is set but has no effect here; -1
 * (logged) for readonly_standby, which the daemon cannot honour. */
int irrd_check_unsupported(const struct cfg *cfg);
/* With user and group configured: switch to them for good (as root), or
 * check that irrd already runs as them; -1 (logged) if neither. Called
 * once the ports are bound and the pid file is written. */
int irrd_drop_privileges(const struct cfg *cfg);
/* Fork into the background; the parent exits 0 once irrd_detach_done is
 * called in the child, 1 if the child dies before. */
int irrd_detach(int *ready_fd);
void irrd_detach_done(int ready_fd, const struct cfg *cfg);

/* ---- hooks.c: entry points for the RPKI engine ---- */
/* After the index load, before serving: first import, arms the
 * rpki.roa_import_timer (re-armed with the new value after SIGHUP). */
void irrd_rpki_start(struct irrd *d);
void irrd_rpki_stop(struct irrd *d);
/* SIGHUP and the roa_import_timer: import the ROA set again now. */
void irrd_rpki_reimport(struct irrd *d);
/* SIGUSR1: re-read TALs and run the validator now. */
void irrd_rpki_revalidate(struct irrd *d);
/* Extra lines for /v1/status/ and /metrics (ROA import, RTR). */
void irrd_rpki_status(struct irrd *d, struct evbuffer *out, bool metrics);
/* GET /json: the served ROA set (malloc'd, *len set), NULL if none. */
char *irrd_rpki_json(struct irrd *d, size_t *len);

/* ---- rpki_import.c: the ROA import cycle on a worker thread ---- */
/* Called by hooks.c. init sets up d->rpki; request starts an import now
 * (or after the running one); stop cancels a running import, waits for it
 * and frees everything (idempotent). */
void irrd_rpki_import_init(struct irrd *d);
void irrd_rpki_import_request(struct irrd *d);
/* Import a set made elsewhere (the bundled validator's output, taken
 * over) through the same cycle: route states, journal, roa_object,
 * pseudo-IRR objects, RTR. During a run the newest set waits its turn. */
void irrd_rpki_import_set(struct irrd *d, struct roa_set *set);
void irrd_rpki_import_stop(struct irrd *d);
void irrd_rpki_import_status(struct irrd *d, struct evbuffer *out, bool metrics);
/* An error text for the status page and the log: a copy of s (NULL: "")
 * with line breaks as ';' (caller frees). */
char *irrd_oneline(const char *s);
char *irrd_rpki_import_json(struct irrd *d, size_t *len);
/* The ROA set in force (loop thread; replaced after each good import),
 * NULL if none. */
const struct roa_set *irrd_rpki_roas(struct irrd *d);

/* ---- validator_glue.c: rpki.validator runs on a worker thread ---- */
/* Called by hooks.c. start (validator enabled) runs now and every
 * rpki.validator.interval seconds, each good run's set going to
 * irrd_rpki_import_set; run_now is SIGUSR1; stop waits for a run. */
void irrd_validator_start(struct irrd *d);
void irrd_validator_run_now(struct irrd *d);
void irrd_validator_stop(struct irrd *d);
/* The last run's lines for /v1/status/ (metrics false) and /metrics. */
void irrd_validator_status(struct irrd *d, struct evbuffer *out, bool metrics);

/* ---- nrtm_glue.c: NRTM service, mirroring, exports ---- */
/* After irrd_rpki_start: fills d->wctx.nrtm (the -g hook, answered from
 * an in-memory journal cache kept by a follower thread), starts the
 * mirror worker and arms the import_timer / export_timer of each source
 * (first runs at once). */
void irrd_nrtm_start(struct irrd *d);
/* Joins the threads (a mirror run in progress finishes first). */
void irrd_nrtm_stop(struct irrd *d);
/* RPKI-aware mode: the ROA set in force, for the mirror's route states.
 * Once this returns the previous set is no longer used by the mirror. */
void irrd_nrtm_set_roas(struct irrd *d, const struct roa_set *roas);

#endif
