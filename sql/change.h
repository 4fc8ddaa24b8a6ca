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
 * serial used is returned in *serial_out (may be NULL), -1 if no journal. */
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

#endif
