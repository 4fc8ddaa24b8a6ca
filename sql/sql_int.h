/*
 * sql_int.h - internals shared by the files of the sql/ layer. Nothing
 * outside sql/ includes this (or libpq).
 */
#ifndef SQL_SQL_INT_H
#define SQL_SQL_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/sql.h"

struct sql_conn {
	PGconn *pg;
	char *err;		/* last error, one line */
};

/* Record an error on the connection: "what: server message" (one line). */
void sql_set_error(struct sql_conn *c, const char *what, const PGresult *res);
void sql_set_errorf(struct sql_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* PQerrorMessage / PQresultErrorMessage folded into one line (caller frees). */
char *sql_oneline(const char *msg);

/* Run a statement with text parameters (NULL entries are SQL NULL). Returns
 * the result if its status is the expected one, else NULL with the error
 * recorded as "what: ...". The caller PQclear()s the result. */
PGresult *sql_run(struct sql_conn *c, const char *what, ExecStatusType want, const char *sql,
		  int nparams, const char *const *params);
/* The same for statements without rows: 0 or -1. */
int sql_do(struct sql_conn *c, const char *what, const char *sql, int nparams,
	   const char *const *params);

/* Several constant statements in one string (simple query protocol; never
 * with data in them). */
int sql_script(struct sql_conn *c, const char *what, const char *script);
/* libpq notice processor: server NOTICEs to the debug log. */
void sql_notice_log(void *arg, const char *msg);

/* Schema migrations (schema.c). */
extern const char *const sql_migrations[];	/* [v-1] migrates v-1 -> v */

/* Binary COPY encoding helpers (copy.c). Not thread-bound; each buffer
 * belongs to one thread. */
struct sql_buf {
	char *d;
	size_t len, cap;
};
void sql_buf_reserve(struct sql_buf *b, size_t more);
void sql_buf_free(struct sql_buf *b);
void sql_buf_put(struct sql_buf *b, const void *p, size_t n);
void sql_copy_header(struct sql_buf *b);
void sql_copy_trailer(struct sql_buf *b);

#endif
