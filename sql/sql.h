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

/* Schema: create or migrate to SQL_SCHEMA_VERSION; refuses a newer schema. */
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
#define SQL_CHANGE_CHANNEL "irrd_change"

#endif
