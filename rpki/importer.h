/*
 * importer.h - the ROA import cycle of RPKI-aware mode, as IRRd 4.5's
 * ROAImportRunner + BulkRouteROAValidator + notify_rpki_invalid_owners:
 *
 *   1. fetch and parse the ROA export and the SLURM file into a new set
 *      (roa_load); on any error stop here: nothing in the database changes;
 *   2. in one transaction: validate every route/route6 against the new set
 *      (sources with rpki_excluded are not_found, pseudo-IRR objects are not
 *      validated), write the statuses that changed, journal DEL for routes
 *      that became invalid and ADD for those visible again (sources with
 *      keep_journal), object_change rows for the daemon's indexes (the
 *      trigger), replace roa_object by the new set; commit;
 *   3. hand back the new set and, for sources that notify, one message per
 *      contact address listing its newly invalid routes. This layer does
 *      not send mail (mail/ is above it): the caller does.
 *
 * The caller owns the connection (no transaction open) and everything in
 * the result. Blocking: the daemon runs it on a worker thread.
 */
#ifndef RPKI_IMPORTER_H
#define RPKI_IMPORTER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "rpki/rpki.h"

struct sql_conn;

/* What the import needs to know about a source. Sources not listed are
 * validated, without journal entries or notifications. */
struct roa_import_source {
	const char *name;
	bool excluded;		/* rpki_excluded: always not_found */
	bool journal;		/* keep_journal: journal ADD/DEL on visibility changes */
	bool notify;		/* authoritative and rpki.notify_invalid_enabled */
};

struct roa_import_opts {
	const char *roa_url;		/* rpki.roa_source */
	const char *slurm_url;		/* rpki.slurm_source, NULL if none */
	long timeout;			/* per fetch, seconds; 0 = none */
	/* Import this set instead of fetching (the bundled validator's
	 * output, tests); taken over by roa_import_run, success or not. */
	struct roa_set *set;
	const struct roa_import_source *sources;
	size_t nsources;
	/* rpki.notify_invalid_subject / _header ({sources_str},
	 * {object_count}); no messages are made when subject is NULL. */
	const char *notify_subject, *notify_header;
	int threads;			/* validation threads, 0 = 2 */
	long rewrite_min;		/* see sql_rpki_write_opts; 0 = default */
	/* Set (by another thread) to give up between phases; a statement
	 * in flight is cut short with sql_cancel_send. NULL: never. */
	const volatile int *stop;
};

/* Fill o from cfg (pointers into cfg: it must outlive the run). The
 * fetch timeout is 6 x download_timeout: IRRd bounds each read of a
 * download by download_timeout, libcurl here bounds the whole transfer. */
void roa_import_opts_from_cfg(struct roa_import_opts *o, const struct cfg *cfg);
void roa_import_opts_free(struct roa_import_opts *o);

/* One notification: the text for the mail module (IRRd's subject and body;
 * email.recipient_override and the footer are the sender's business). */
struct roa_notice {
	char *to;
	char *subject;
	char *body;
	size_t nobjects;
};

struct roa_import_result {
	struct roa_set *set;		/* the new set, NULL on failure */
	char *error;			/* why it failed, NULL on success */
	size_t nroas;
	size_t nroutes;			/* route/route6 rows read */
	size_t nvalid, ninvalid, nnot_found;	/* states after the import */
	size_t now_valid, now_invalid, now_not_found;	/* rows whose status changed to */
	size_t skipped;			/* changed concurrently, left alone */
	size_t journal_add, journal_del;
	size_t rewritten;		/* sources whose partition was rewritten */
	size_t roa_added, roa_removed;	/* roa_object rows inserted / deleted */
	bool roa_rewritten;		/* roa_object replaced whole */
	struct roa_notice *notices;
	size_t nnotices;
	size_t nnotify_objects;		/* newly invalid routes of notifying sources */
	/* seconds */
	double t_fetch, t_read, t_validate, t_write, t_roa, t_notify, t_commit, t_total;
};

/* One import cycle on c (no transaction open). 0 on success, -1 with
 * res->error (the previous state is left exactly as it was). Free res
 * with roa_import_result_free in both cases. */
int roa_import_run(struct sql_conn *c, const struct roa_import_opts *o, struct roa_import_result *res);
void roa_import_result_free(struct roa_import_result *res);

/* The ROA set in force: roa_object read back (empty set if the table is
 * empty). For programs that validate single objects (irrd_load_database,
 * irrd_update_database, irrd_submit_email). NULL with *err on error. */
struct roa_set *roa_load_db(struct sql_conn *c, char **err);

/*
 * For bulk loads (irrd_load_database, irrd_update_database): the set to
 * validate SOURCE's route(6) objects with as they are stored. *out is NULL
 * (and 0 returned) when RPKI-aware mode is off, the source is
 * rpki_excluded or is the pseudo-IRR source; else the set in force
 * (roa_load_db). -1 with *err on a database error. Use roa_load_state as
 * sql_load_opts.rpki_state with the set as its argument.
 */
int roa_load_for_source(struct sql_conn *c, const struct cfg *cfg, const char *source,
			struct roa_set **out, char **err);
enum rpki_state roa_load_state(void *set, const struct ip_prefix *prefix, uint32_t origin);

/* IRRd's str.format of the notification templates: {sources_str} and
 * {object_count} replaced, {{ and }} unescaped, anything else kept.
 * Caller frees. */
char *roa_notice_format(const char *tmpl, const char *sources_str, size_t object_count);

#endif
