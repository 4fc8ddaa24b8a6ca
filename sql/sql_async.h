/*
 * sql_async.h - one PostgreSQL connection for the daemon, driven by libpq's
 * asynchronous API on the daemon's libevent loop (as PgBouncer's
 * lib/usual/pgsocket.c does): PQconnectStart/PQconnectPoll, then
 * PQsendQueryParams, PQflush, PQconsumeInput/PQisBusy/PQgetResult, with one
 * event re-armed for each step. Nothing here blocks.
 *
 * The connection LISTENs on SQL_CHANGE_CHANNEL ("irrd_change") and reports
 * each NOTIFY. When the server goes away it reconnects by itself with
 * exponential backoff (1 s doubling to 60 s) and LISTENs again; the state
 * callback tells the owner, who must then catch up (notifications sent
 * while we were away are lost: call sql_changes_since-style queries).
 *
 * Queries run one at a time in submission order. Every callback is called
 * from the event loop, never from inside sql_async_query(), and only after
 * the connection's own state is settled ("one step late"), so a callback
 * may submit queries or even sql_async_free() the connection: the free is
 * then deferred until the callback has returned.
 */
#ifndef SQL_SQL_ASYNC_H
#define SQL_SQL_ASYNC_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct sql_async;
struct sql_result;

/* One query's outcome, valid during the result callback only. */
bool sql_result_ok(const struct sql_result *r);
const char *sql_result_error(const struct sql_result *r);	/* NULL if ok */
int sql_result_rows(const struct sql_result *r);
int sql_result_cols(const struct sql_result *r);
/* NULL for SQL NULL (or out of range). */
const char *sql_result_value(const struct sql_result *r, int row, int col);
size_t sql_result_length(const struct sql_result *r, int row, int col);
/* Rows affected by INSERT/UPDATE/DELETE, -1 if not applicable. */
long sql_result_affected(const struct sql_result *r);

typedef void (*sql_async_result_cb)(void *arg, const struct sql_result *r);

struct sql_async_callbacks {
	/* Connected (LISTEN done) or lost; may be NULL. */
	void (*state)(void *arg, bool connected);
	/* A NOTIFY on SQL_CHANGE_CHANNEL; may be NULL. */
	void (*notify)(void *arg, const char *channel, const char *payload);
	void *arg;
};

/* Starts connecting at once; never fails except on out-of-memory (fatal).
 * url and the callbacks are copied. */
struct sql_async *sql_async_new(struct event_base *base, const char *url,
				const struct sql_async_callbacks *cbs);
/* Close and free. Queries still pending get no callback. Safe inside any
 * callback of this connection. NULL is fine. */
void sql_async_free(struct sql_async *a);

bool sql_async_connected(const struct sql_async *a);

/* Queue a query with text parameters (NULL = SQL NULL; copied). cb gets
 * the result, or an error when the connection is lost before the result
 * is complete. -1 (and no callback) when not connected. */
int sql_async_query(struct sql_async *a, const char *sql, int nparams,
		    const char *const *params, sql_async_result_cb cb, void *arg);
/* Queries queued or running. */
size_t sql_async_pending(const struct sql_async *a);

/* Backoff bounds in milliseconds (tests shorten them). */
void sql_async_set_backoff(struct sql_async *a, int first_ms, int max_ms);

#endif
