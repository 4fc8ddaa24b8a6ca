/*
 * rpki_store.h - what RPKI-aware mode keeps in PostgreSQL: the rpki_status
 * of route/route6 objects (with the journal entries a visibility change
 * makes) and the roa_object table, the ROA set in force.
 *
 * Users: rpki/importer.c (the ROA import cycle) and, through
 * roa_load_db() in rpki/importer.h, every program that needs the ROA set
 * in force (irrd_load_database, irrd_update_database, irrd_submit_email).
 *
 * Functions that write run inside the caller's transaction
 * (sql_begin/sql_commit), so one import commits or rolls back as a whole.
 * Strings handed to callbacks are valid during the callback only.
 */
#ifndef SQL_RPKI_STORE_H
#define SQL_RPKI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/prefix.h"
#include "rpsl/rpsl.h"
#include "sql/sql.h"

/* ---- routes ------------------------------------------------------------------- */

/* One route or route6 row, as the validator needs it. */
struct sql_route {
	int64_t id;			/* rpsl_objects.id (unique together with source) */
	const char *source;
	enum rpsl_class cls;		/* RPSL_ROUTE or RPSL_ROUTE6 */
	bool has_prefix, has_origin;	/* false if the column is NULL */
	struct ip_prefix prefix;
	uint32_t origin;
	enum rpki_state rpki_status;
};
typedef int (*sql_route_cb)(void *arg, const struct sql_route *r);
/* Stream every route and route6 of every source through cb (binary COPY:
 * memory stays flat). cb returning -1 stops with -1. */
int sql_routes_foreach(struct sql_conn *c, sql_route_cb cb, void *arg);

/* One status change. */
struct sql_rpki_change {
	int64_t id;
	const char *source;
	enum rpki_state old_status, new_status;
};

/* A changed route handed back by sql_rpki_status_write(). */
struct sql_rpki_changed {
	const char *source, *object_class, *rpsl_pk;
	const char *object_text;
	size_t text_len;
};
typedef int (*sql_rpki_changed_cb)(void *arg, const struct sql_rpki_changed *r);

struct sql_rpki_write_opts {
	/* Sources with keep_journal (NULL-terminated; NULL = none): a route
	 * that became invalid gets a journal DEL, one that was invalid and no
	 * longer is a journal ADD (origin rpki_status, the next serials of
	 * the source), as IRRd does so that mirrors follow its visibility.
	 * Sources whose database_status says synchronised_serials (their
	 * journal carries the upstream's serials) get no entries. */
	const char *const *journal_sources;
	/* Sources whose newly invalid routes come back through invalid_cb,
	 * ordered by source and key, text included (NULL-terminated). */
	const char *const *notify_sources;
	sql_rpki_changed_cb invalid_cb;
	void *arg;
	/* A source's partition is rewritten when it has at least this many
	 * changes (and they are 1/5 of its rows): 0 = the default (20000),
	 * -1 = never (tests and measurements). */
	long rewrite_min;
};

struct sql_rpki_write_stats {
	long updated;		/* rows written */
	long skipped;		/* rows whose status was no longer old_status (changed meanwhile) */
	long journal_add, journal_del;
	long rewritten;		/* sources whose partition was rewritten (below) */
};

/*
 * Write the changes (COPY into a temporary table, one UPDATE). A change is
 * applied only if the row still has old_status. The object_change trigger
 * records each written row for the daemon's indexes. A source with a
 * partition of its own (bulk-loaded) where a large share of the rows
 * changes (the first import) has its partition rewritten instead, as a
 * bulk load does (irrd_load_begin, the same lock), with the object_change
 * rows written for exactly the changed routes. Journal entries and
 * database_status serials as described above; the journal table is locked
 * (EXCLUSIVE, as every journal writer does) only when entries are written.
 * 0 or -1 (sql_error() says why).
 */
int sql_rpki_status_write(struct sql_conn *c, const struct sql_rpki_change *ch, size_t n,
			  const struct sql_rpki_write_opts *o, struct sql_rpki_write_stats *st);

/* ---- roa_object ----------------------------------------------------------------- */

/* One VRP as stored; ta may be NULL (no trust anchor). */
struct sql_roa {
	struct ip_prefix prefix;
	uint8_t maxlen;
	uint32_t asn;
	const char *ta;
};
typedef int (*sql_roa_cb)(void *arg, const struct sql_roa *r);

/* Stream roa_object (binary COPY). A row that cannot be read (a length out
 * of range) fails the whole read with -1. */
int sql_roa_load(struct sql_conn *c, sql_roa_cb cb, void *arg);
/* Serialise ROA importers (LOCK roa_object IN EXCLUSIVE MODE; readers are
 * not blocked) and bulk loads (their advisory lock) until the transaction
 * ends. Call it first in the transaction. */
int sql_roa_lock(struct sql_conn *c);
/* Apply a difference: delete every row equal to one of del[] (prefix, asn,
 * max_length and trust anchor), then insert add[]. With all, every row is
 * deleted first (del is ignored). */
int sql_roa_write(struct sql_conn *c, bool all, const struct sql_roa *del, size_t ndel,
		  const struct sql_roa *add, size_t nadd);
/* Number of rows in roa_object, -1 on error. */
long sql_roa_count(struct sql_conn *c);

/* ---- objects by key ------------------------------------------------------------------ */

/* Every object of source whose class is one of classes[] and whose rpsl_pk
 * is one of pks[] (exact, upper case), through cb; -1 on error. */
int sql_objects_by_pks(struct sql_conn *c, const char *source, const char *const *classes,
		       size_t nclasses, const char *const *pks, size_t npks, sql_object_cb cb,
		       void *arg);

/* ---- cancelling ---------------------------------------------------------------------------- */

/* A handle that cancels the statement running on c, from any thread (the
 * daemon stopping during an import). Make it while c is idle. */
struct sql_cancel;
struct sql_cancel *sql_cancel_new(struct sql_conn *c);
/* Ask the server to cancel what runs now (nothing if idle); 0 or -1. */
int sql_cancel_send(struct sql_cancel *k);
void sql_cancel_free(struct sql_cancel *k);

#endif
