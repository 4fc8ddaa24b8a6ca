/*
 * sql.h - the PostgreSQL store: schema, objects, journal, status, ROAs.
 * The only layer that includes libpq.
 *
 * Tables (IRRd's names, see ../shared/CONTRACT.md "Database"):
 *   rpsl_objects          one row per object (pk, source, class, text, parsed columns, rpki_status)
 *   rpsl_database_journal per-source journal with NRTM serials
 *   database_status       one row per source
 *   roa_object            the ROA set in force
 *   object_change         every committed change of rpsl_objects, any source, for the
 *                         daemon's in-memory indexes (seq; op ADD/DEL/RELOAD), announced
 *                         with NOTIFY irrd_change
 *   schema_version        the migration level
 *
 * struct sql_conn is a synchronous connection for the command-line tools
 * and for the daemon's start-up load; sql_async.h drives libpq on libevent.
 */
#ifndef SQL_SQL_H
#define SQL_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/rpsl.h"

struct sql_conn;

/* Connect; NULL with *err ("database_url: ...", caller frees) on failure. */
struct sql_conn *sql_connect(const char *url, char **err);
void sql_close(struct sql_conn *c);
/* Last error text of the connection (static until the next call). */
const char *sql_error(const struct sql_conn *c);

int sql_begin(struct sql_conn *c);
int sql_commit(struct sql_conn *c);
int sql_rollback(struct sql_conn *c);
/* BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY: one consistent snapshot,
 * e.g. for the daemon's start-up load together with sql_changes_last_seq(). */
int sql_begin_snapshot(struct sql_conn *c);
/* Run one statement with text parameters (NULL = SQL NULL); the number of
 * rows it affected or returned, or -1 (sql_error() says why). */
int sql_exec(struct sql_conn *c, const char *sql, int nparams, const char *const *params);

/* Schema: create or migrate to SQL_SCHEMA_VERSION; refuses a newer schema. */
#define SQL_SCHEMA_VERSION 2
int sql_schema_version(struct sql_conn *c);	/* 0 if none, -1 on error */
int sql_schema_upgrade(struct sql_conn *c, char **err);
/* -1 with *err unless the schema is exactly current (for programs other than
 * irrd_database_upgrade: "run irrd_database_upgrade"). */
int sql_schema_check(struct sql_conn *c, char **err);

/* One stored object as read back. Strings valid during the callback only. */
struct sql_object_row {
	int64_t id;
	const char *source;
	const char *object_class;
	const char *rpsl_pk;
	const char *object_text;
	size_t text_len;
	enum rpki_state rpki_status;
};
typedef int (*sql_object_cb)(void *arg, const struct sql_object_row *row);
/* Stream every object (of one source, or all if source is NULL) through cb,
 * without holding the result set in memory. cb returning -1 stops with -1. */
int sql_objects_foreach(struct sql_conn *c, const char *source, sql_object_cb cb, void *arg);
/* One object by key, NULL-class means any class: 1 found, 0 not, -1 error. */
int sql_object_get(struct sql_conn *c, const char *source, const char *object_class,
		   const char *pk, sql_object_cb cb, void *arg);

/* Changes since seq (exclusive), in order; for the daemon's indexes. */
struct sql_change {
	int64_t seq;
	const char *op;		/* "ADD", "DEL" or "RELOAD" (whole source replaced) */
	const char *source;
	const char *object_class;	/* NULL for RELOAD */
	const char *rpsl_pk;		/* NULL for RELOAD */
};
typedef int (*sql_change_cb)(void *arg, const struct sql_change *ch);
int sql_changes_since(struct sql_conn *c, int64_t seq, sql_change_cb cb, void *arg);
int64_t sql_changes_last_seq(struct sql_conn *c);	/* -1 on error */
/* (changes.c, for the daemon's change follower) At most limit changes
 * since seq (exclusive), in order, each ADD with the object as stored now
 * (object_text NULL when it is gone again), in one round trip. */
struct sql_change_object {
	struct sql_change ch;
	const char *object_text;	/* ADD only; NULL if no such object now */
	size_t text_len;
	enum rpki_state rpki_status;
};
typedef int (*sql_change_object_cb)(void *arg, const struct sql_change_object *co);
int sql_changes_objects_since(struct sql_conn *c, int64_t seq, long limit, sql_change_object_cb cb,
			      void *arg);
/* (changes.c) Pruning of object_change. consumer (a name unique to one
 * follower, e.g. host:pid:start) records that it has handled every change
 * <= seq; then the rows below the lowest seq of all consumers heard of in
 * the last SQL_CHANGE_CONSUMER_TTL seconds that are older than keep_secs
 * are deleted (*deleted of them). *horizon is the highest seq deleted
 * before this call: a consumer whose position is below it has missed
 * changes (it was away longer than the TTL) and must reload. Runs in its
 * own transaction; waits at most 2 s for a writer's lock (then -1). */
#define SQL_CHANGE_CONSUMER_TTL 86400
int sql_changes_prune(struct sql_conn *c, const char *consumer, int64_t seq, long keep_secs, long *deleted,
		      int64_t *horizon);
/* A consumer that stops: it no longer holds rows back. */
int sql_changes_consumer_drop(struct sql_conn *c, const char *consumer);
/* Every source that has a status row or objects (a consumer's reload). */
int sql_changes_sources(struct sql_conn *c, void (*cb)(void *arg, const char *source), void *arg);
#define SQL_CHANGE_CHANNEL "irrd_change"

/* database_status, one row per source. Serials are -1 when NULL;
 * timestamps are Unix seconds, -1 when NULL. Strings valid during cb. */
struct sql_source_status {
	const char *source;
	int64_t serial_oldest_seen, serial_newest_seen;
	int64_t serial_oldest_journal, serial_newest_journal;
	int64_t serial_last_export, serial_newest_mirror;
	bool force_reload, synchronised_serials;
	const char *last_error;		/* NULL if none */
	int64_t last_error_timestamp, rpsl_data_updated;
};
typedef int (*sql_status_cb)(void *arg, const struct sql_source_status *st);
int sql_status_foreach(struct sql_conn *c, sql_status_cb cb, void *arg);
/* irrd_mirror_force_reload: creates the row if needed. */
int sql_status_set_force_reload(struct sql_conn *c, const char *source);

/*
 * Bulk loading from dump files (load.c): irrd_load_database and
 * irrd_update_database. Both read the files through rpsl_reader, parse
 * every object non-strictly on `jobs` threads, stream the rows to the
 * server with binary COPY (memory stays flat), and do all their work in one
 * transaction that commits only if everything succeeded: a failed load
 * (unreadable file, truncated gzip, database gone) leaves the old data.
 *
 * sql_load_dump replaces every object of the source, drops its journal,
 * resets database_status (serials from opts->serial) and records one RELOAD
 * change. sql_update_dump applies the files as a diff against the stored
 * objects: new and changed objects are journalled as ADD, vanished ones as
 * DEL, with consecutive serials (only with keep_journal), as IRRd does.
 *
 * An object is rejected (reported through opts->reject, in input order, on
 * the calling thread, then skipped) if the parser finds errors, if its
 * class is unknown, or if its source is not opts->source. Objects of IRRd's
 * legacy "*xx" classes are ignored silently. Of several objects with one
 * key, the last one wins. In an update, a rejected object is never deleted.
 */
struct sql_load_opts {
	const char *source;		/* upper case */
	int64_t serial;			/* --serial, -1 if none */
	bool authoritative;		/* stored texts get a last-modified line, as IRRd */
	bool keep_journal;		/* sql_update_dump: write journal entries */
	bool synchronised_serials;	/* stored in database_status by sql_load_dump */
	const char *const *files;
	size_t nfiles;
	int jobs;			/* parser threads; 0 = one per CPU */
	const struct rpsl_options *parse_opts;	/* NULL: IRRd's defaults */
	void (*reject)(void *arg, const char *file, unsigned long line, const char *object_class,
		       const char *pk, const char *reason);
	void *arg;
	/* RPKI-aware mode: the RFC 6811 state of a route/route6 with this
	 * prefix and origin, stored as its rpki_status (called on the parser
	 * threads: must be thread-safe; roa_load_state in rpki/importer.h).
	 * NULL stores not_found. */
	enum rpki_state (*rpki_state)(void *arg, const struct ip_prefix *prefix, uint32_t origin);
	void *rpki_arg;
};
struct sql_load_stats {
	long read;		/* objects read (not counting ignored ones) */
	long loaded;		/* sql_load_dump: objects stored */
	long rejected;
	long ignored;		/* legacy "*xx" objects */
	long duplicates;	/* objects replaced by a later one with the same key */
	/* sql_update_dump */
	long added, changed, deleted, retained;
	int64_t serial_first, serial_last;	/* journal serials written, -1 if none */
	double seconds_copy, seconds_finish;	/* time spent streaming / indexing and swapping */
};
/* 0 on success (committed); -1 with *err (caller frees) after rolling back. */
int sql_load_dump(struct sql_conn *c, const struct sql_load_opts *opts,
		  struct sql_load_stats *stats, char **err);
int sql_update_dump(struct sql_conn *c, const struct sql_load_opts *opts,
		    struct sql_load_stats *stats, char **err);

#endif
