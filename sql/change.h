/*
 * change.h - single-object changes with their journal entries, for every
 * writer that is not a bulk load: NRTM mirroring, e-mail submissions,
 * RPKI state changes (journal ADD/DEL when visibility changes).
 *
 * All functions run inside the caller's transaction (sql_begin/sql_commit),
 * so a batch of changes commits or rolls back as one. Each change:
 *   - writes rpsl_objects (insert/update/delete by (rpsl_pk, source, object_class)),
 *   - writes an object_change row for the daemon's indexes (the commit
 *     triggers NOTIFY irrd_change),
 *   - and, if journal is true, a rpsl_database_journal entry with the next
 *     gap-free serial_nrtm of the source (taking the source's journal lock),
 *     updating database_status serials.
 * Serial choice: serial_nrtm < 0 means "next local serial"; a mirror that
 * keeps the upstream serials passes them explicitly.
 *
 * Lock order: every call here takes LOCK TABLE rpsl_database_journal IN
 * EXCLUSIVE MODE before it writes rpsl_objects (whose trigger locks
 * object_change). Other writers that write both must take the journal
 * lock first too, or two of them can deadlock.
 */
#ifndef SQL_CHANGE_H
#define SQL_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "rpsl/rpsl.h"
#include "sql/sql.h"

enum sql_change_origin {
	SQL_ORIGIN_UNKNOWN, SQL_ORIGIN_MIRROR, SQL_ORIGIN_AUTH_CHANGE,
	SQL_ORIGIN_RPKI_STATUS, SQL_ORIGIN_BULK_UPDATE
};

struct sql_change_opts {
	bool journal;			/* write a journal entry (source keeps a journal and object visible) */
	int64_t serial_nrtm;		/* <0: next serial of the source */
	enum sql_change_origin origin;
};

/* Create or replace an object; text is the stored text (rpsl_render). The
 * serial used is returned in *serial_out (may be NULL), -1 if no journal.
 * An object stored as RPKI_INVALID is never journalled (it is not visible,
 * as in IRRd), whatever o->journal says; the same holds in batches. */
int sql_change_put(struct sql_conn *c, const struct rpsl_object *obj, const char *text,
		   enum rpki_state st, const struct sql_change_opts *o, int64_t *serial_out);
/* Delete an object by key; 0 if deleted, 1 if it was not there, -1 on error.
 * The journal DEL carries the last stored text. */
int sql_change_delete(struct sql_conn *c, const char *source, const char *object_class,
		      const char *pk, const struct sql_change_opts *o, int64_t *serial_out);
/* A journal entry alone, without touching rpsl_objects (RPKI visibility
 * changes: ADD when a route becomes visible again, DEL when it turns invalid). */
int sql_change_journal_only(struct sql_conn *c, const char *source, const char *object_class,
			    const char *pk, const char *text, bool add,
			    const struct sql_change_opts *o, int64_t *serial_out);

/*
 * Pipelines (additions for bulk writers such as the NRTM mirror): between
 * sql_change_pipeline_begin and _end, on one connection and one thread,
 * the three calls above only queue their statement (libpq pipeline mode)
 * and return 0; failures show up later, at the latest from _end, which
 * syncs, refreshes database_status of every source touched and leaves
 * pipeline mode. In a pipeline *serial_out is only known when the serial
 * was given explicitly (else -1), and sql_change_delete cannot say whether
 * the object was there: _end counts those deletes in *not_found (may be
 * NULL). Call both inside the caller's transaction; after a failure roll
 * back. _end must be called whenever _begin succeeded.
 */
int sql_change_pipeline_begin(struct sql_conn *c);
int sql_change_pipeline_end(struct sql_conn *c, long *not_found);

/*
 * A whole batch of changes to one source at once, set-based (COPY into a
 * temporary table, then a few statements), for NRTM batches of thousands
 * of operations: same results as calling sql_change_put/_delete for each
 * operation in order (journal entries in order, a DEL journalled only if
 * the object existed at that point, with the text it had; local serials
 * consecutive from the source's next one), but the objects' rows are
 * written once per key (its last state), so the object_change feed sees
 * one change per key. Runs inside the caller's transaction; database_status
 * is refreshed. Deletions of absent objects are counted in *not_found.
 */
struct sql_change_op {
	bool add;
	const struct rpsl_object *obj;	/* ADD: the parsed object (key, class, columns) */
	const char *text;		/* ADD: the text to store */
	enum rpki_state st;		/* ADD */
	const char *object_class, *pk;	/* DEL */
	bool journal;
	int64_t serial_nrtm;		/* <0: next local serial */
};
int sql_change_batch(struct sql_conn *c, const char *source, const struct sql_change_op *ops, size_t n,
		     enum sql_change_origin origin, long *not_found);

/*
 * database_status for mirrors (IRRd's record_serial_seen and
 * record_serial_newest_mirror): widen serial_oldest_seen/newest_seen by
 * serial_seen and set serial_newest_mirror, each unless < 0. Creates the
 * row if needed. Works inside a pipeline too.
 */
int sql_change_mirror_serial(struct sql_conn *c, const char *source, int64_t serial_seen,
			     int64_t serial_newest_mirror);
/* last_error and last_error_timestamp (mirror failures), outside pipelines. */
int sql_change_record_error(struct sql_conn *c, const char *source, const char *error);
/* After a full reload: force_reload false, synchronised_serials as given. */
int sql_change_clear_force_reload(struct sql_conn *c, const char *source, bool synchronised_serials);

/* Journal reads (NRTM). Strings valid during the callback only. */
struct sql_journal_entry {
	int64_t serial_global;
	const char *source;
	int64_t serial_nrtm;
	bool add;			/* ADD, else DEL */
	const char *object_class;
	const char *rpsl_pk;
	const char *object_text;
	size_t text_len;
	int64_t timestamp;		/* Unix seconds */
};
typedef int (*sql_journal_cb)(void *arg, const struct sql_journal_entry *e);
/* Entries of source (NULL: all) with first <= serial_nrtm <= last (each
 * bound ignored if < 0), and serial_global > after_global if that is >= 0;
 * in serial_nrtm order, or in serial_global order when after_global >= 0.
 * Streams (flat memory). cb returning -1 stops with -1. */
int sql_journal_foreach(struct sql_conn *c, const char *source, int64_t first, int64_t last,
			int64_t after_global, sql_journal_cb cb, void *arg);
/* min and max serial_nrtm of a source's journal, -1 if it has none. */
int sql_journal_range(struct sql_conn *c, const char *source, int64_t *oldest, int64_t *newest);

#endif
