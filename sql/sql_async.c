/*
 * sql_async.c - asynchronous libpq on libevent (see sql_async.h).
 *
 * States: WAIT (disconnected, reconnect timer armed) -> CONNECTING
 * (PQconnectPoll steps) -> LISTEN (our LISTEN in flight) -> IDLE <-> BUSY
 * (one query in flight). One io event is re-armed for each step with the
 * flags that step waits for; the socket is looked up again each time
 * because libpq may change it while connecting.
 *
 * User callbacks run only at the end of a step, when the state is
 * consistent, and in_handler defers an sql_async_free() made inside one.
 */
#include "sql/sql_async.h"

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "sql/sql_int.h"

enum async_state { ST_WAIT, ST_CONNECTING, ST_LISTEN, ST_IDLE, ST_BUSY };

struct query {
	struct query *next;
	char *sql;
	int nparams;
	char **params;
	sql_async_result_cb cb;
	void *arg;
};

struct sql_result {
	PGresult *res;
	char *err;
};

struct sql_async {
	struct event_base *base;
	char *url;
	struct sql_async_callbacks cbs;
	PGconn *pg;
	enum async_state state;
	struct event *ev, *timer;
	struct query *head, *tail;
	size_t nqueries;
	PGresult *res;		/* the current query's result so far */
	char *res_err;		/* its first error */
	int first_ms, max_ms, backoff_ms;
	bool reported_up;	/* state(true) was delivered */
	int in_handler;
	bool dead;
};

/* ---- results ---- */

bool sql_result_ok(const struct sql_result *r) { return r->err == NULL; }
const char *sql_result_error(const struct sql_result *r) { return r->err; }

int sql_result_rows(const struct sql_result *r)
{
	return r->res ? PQntuples(r->res) : 0;
}

int sql_result_cols(const struct sql_result *r)
{
	return r->res ? PQnfields(r->res) : 0;
}

const char *sql_result_value(const struct sql_result *r, int row, int col)
{
	if (r->res == NULL || row < 0 || col < 0 || row >= PQntuples(r->res) ||
	    col >= PQnfields(r->res) || PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

size_t sql_result_length(const struct sql_result *r, int row, int col)
{
	if (sql_result_value(r, row, col) == NULL)
		return 0;
	return (size_t)PQgetlength(r->res, row, col);
}

long sql_result_affected(const struct sql_result *r)
{
	const char *n;

	if (r->res == NULL)
		return -1;
	n = PQcmdTuples(r->res);
	return (n == NULL || *n == '\0') ? -1 : strtol(n, NULL, 10);
}

/* ---- queue ---- */

static void query_free(struct query *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q);
}

static struct query *queue_pop(struct sql_async *a)
{
	struct query *q = a->head;

	if (q != NULL) {
		a->head = q->next;
		if (a->head == NULL)
			a->tail = NULL;
		a->nqueries--;
	}
	return q;
}

/* ---- steps ---- */

static void on_io(evutil_socket_t fd, short what, void *arg);
static void on_timer(evutil_socket_t fd, short what, void *arg);
static void start_connect(struct sql_async *a);

static void wait_for(struct sql_async *a, short what)
{
	event_del(a->ev);
	event_assign(a->ev, a->base, PQsocket(a->pg), what, on_io, a);
	event_add(a->ev, NULL);
}

static void schedule_reconnect(struct sql_async *a)
{
	struct timeval tv;

	tv.tv_sec = a->backoff_ms / 1000;
	tv.tv_usec = (a->backoff_ms % 1000) * 1000;
	a->state = ST_WAIT;
	evtimer_add(a->timer, &tv);
	a->backoff_ms *= 2;
	if (a->backoff_ms > a->max_ms)
		a->backoff_ms = a->max_ms;
}

static void result_reset(struct sql_async *a)
{
	PQclear(a->res);
	a->res = NULL;
	free(a->res_err);
	a->res_err = NULL;
}

/* Deliver a result (or an error) to q's callback and free q. */
static void deliver(struct sql_async *a, struct query *q, PGresult *res, const char *err)
{
	struct sql_result r = { res, err ? xstrdup(err) : NULL };

	if (q->cb != NULL && !a->dead)
		q->cb(q->arg, &r);
	free(r.err);
	query_free(q);
}

/* The connection broke: fail what is pending, tell the owner, retry later. */
static void lost(struct sql_async *a, const char *what)
{
	char *msg = sql_oneline(a->pg ? PQerrorMessage(a->pg) : "");
	struct query *q;
	bool was_up = a->reported_up;

	log_warnx("database: %s: %s; reconnecting in %d ms", what, *msg ? msg : "connection closed",
		  a->backoff_ms);
	event_del(a->ev);
	PQfinish(a->pg);
	a->pg = NULL;
	result_reset(a);
	a->reported_up = false;
	schedule_reconnect(a);
	while (!a->dead && (q = queue_pop(a)) != NULL) {
		char *err = xasprintf("database connection lost: %s", *msg ? msg : "connection closed");

		deliver(a, q, NULL, err);
		free(err);
	}
	free(msg);
	if (was_up && !a->dead && a->cbs.state != NULL)
		a->cbs.state(a->cbs.arg, false);
}

static void drain_notifies(struct sql_async *a)
{
	PGnotify *n;

	while (!a->dead && a->pg != NULL && (n = PQnotifies(a->pg)) != NULL) {
		if (a->cbs.notify != NULL)
			a->cbs.notify(a->cbs.arg, n->relname, n->extra ? n->extra : "");
		PQfreemem(n);
	}
}

/* Send the head of the queue. */
static void send_next(struct sql_async *a)
{
	struct query *q = a->head;
	int f;

	if (!PQsendQueryParams(a->pg, q->sql, q->nparams, NULL, (const char *const *)q->params,
			       NULL, NULL, 0)) {
		lost(a, "cannot send query");
		return;
	}
	a->state = ST_BUSY;
	f = PQflush(a->pg);
	if (f < 0)
		lost(a, "cannot send query");
	else
		wait_for(a, f ? EV_READ | EV_WRITE : EV_READ);
}

static void connected(struct sql_async *a)
{
	int f;

	/* constant text; LISTEN takes no parameters */
	if (!PQsendQuery(a->pg, "LISTEN " SQL_CHANGE_CHANNEL)) {
		lost(a, "LISTEN failed");
		return;
	}
	a->state = ST_LISTEN;
	f = PQflush(a->pg);
	if (f < 0)
		lost(a, "LISTEN failed");
	else
		wait_for(a, f ? EV_READ | EV_WRITE : EV_READ);
}

/* LISTEN or a query is in flight: flush, read, collect results. */
static void step_busy(struct sql_async *a, short what)
{
	PGresult *res;

	if (what & EV_WRITE) {
		int f = PQflush(a->pg);

		if (f < 0) {
			lost(a, "write failed");
			return;
		}
		if (f == 1) {
			wait_for(a, EV_READ | EV_WRITE);
			return;
		}
	}
	if (what & EV_READ) {
		if (!PQconsumeInput(a->pg)) {
			lost(a, "connection lost");
			return;
		}
	}
	while (!PQisBusy(a->pg)) {
		res = PQgetResult(a->pg);
		if (res == NULL)
			goto complete;
		if (PQresultStatus(res) == PGRES_FATAL_ERROR || PQresultStatus(res) == PGRES_BAD_RESPONSE) {
			if (a->res_err == NULL)
				a->res_err = sql_oneline(PQresultErrorMessage(res));
			PQclear(res);
		} else if (PQresultStatus(res) == PGRES_COPY_IN || PQresultStatus(res) == PGRES_COPY_OUT) {
			/* not supported on this connection: end it */
			PQclear(res);
			lost(a, "COPY is not supported on the daemon's connection");
			return;
		} else {
			PQclear(a->res);
			a->res = res;
		}
	}
	if (PQstatus(a->pg) == CONNECTION_BAD) {
		lost(a, "connection lost");
		return;
	}
	wait_for(a, EV_READ);
	return;

complete:
	if (a->state == ST_LISTEN) {
		if (a->res_err != NULL) {
			log_warnx("database: LISTEN " SQL_CHANGE_CHANNEL ": %s", a->res_err);
			lost(a, "LISTEN failed");
			return;
		}
		result_reset(a);
		a->state = ST_IDLE;
		a->backoff_ms = a->first_ms;
		a->reported_up = true;
		wait_for(a, EV_READ);
		log_info("database: connected");
		if (a->cbs.state != NULL)
			a->cbs.state(a->cbs.arg, true);
		return;
	} else {
		struct query *q = queue_pop(a);
		PGresult *r = a->res;
		char *err = a->res_err;

		a->res = NULL;
		a->res_err = NULL;
		a->state = ST_IDLE;
		wait_for(a, EV_READ);
		deliver(a, q, r, err);
		PQclear(r);
		free(err);
	}
}

static void step(struct sql_async *a, short what)
{
	switch (a->state) {
	case ST_WAIT:
		break;
	case ST_CONNECTING:
		switch (PQconnectPoll(a->pg)) {
		case PGRES_POLLING_READING:
			wait_for(a, EV_READ);
			break;
		case PGRES_POLLING_WRITING:
			wait_for(a, EV_WRITE);
			break;
		case PGRES_POLLING_OK:
			connected(a);
			break;
		default: {
			char *msg = sql_oneline(PQerrorMessage(a->pg));

			log_warnx("database_url: cannot connect: %s; retrying in %d ms", msg, a->backoff_ms);
			free(msg);
			event_del(a->ev);
			PQfinish(a->pg);
			a->pg = NULL;
			schedule_reconnect(a);
			break;
		}
		}
		break;
	case ST_LISTEN:
	case ST_BUSY:
		step_busy(a, what);
		break;
	case ST_IDLE:
		if (!PQconsumeInput(a->pg) || PQstatus(a->pg) == CONNECTION_BAD) {
			lost(a, "connection lost");
			return;
		}
		wait_for(a, EV_READ);
		break;
	}
	drain_notifies(a);
}

static void destroy(struct sql_async *a)
{
	struct query *q;

	if (a->ev != NULL)
		event_free(a->ev);
	if (a->timer != NULL)
		event_free(a->timer);
	if (a->pg != NULL)
		PQfinish(a->pg);
	result_reset(a);
	while ((q = queue_pop(a)) != NULL)
		query_free(q);
	free(a->url);
	free(a);
}

/* Every event enters here; a free requested by a callback happens after. */
static void handler_end(struct sql_async *a)
{
	if (--a->in_handler == 0) {
		if (!a->dead && a->state == ST_IDLE && a->head != NULL)
			send_next(a);
		if (a->dead)
			destroy(a);
	}
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct sql_async *a = arg;

	(void)fd;
	a->in_handler++;
	step(a, what);
	handler_end(a);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct sql_async *a = arg;

	(void)fd;
	(void)what;
	a->in_handler++;
	if (a->state == ST_WAIT)
		start_connect(a);
	handler_end(a);
}

static void start_connect(struct sql_async *a)
{
	static const char *const keys[] = { "dbname", "client_encoding", "application_name", NULL };
	const char *vals[] = { a->url, "UTF8", log_progname(), NULL };

	a->pg = PQconnectStartParams(keys, vals, 1);
	if (a->pg == NULL)
		fatalx("database: out of memory");
	if (PQstatus(a->pg) == CONNECTION_BAD || PQsetnonblocking(a->pg, 1) != 0 || PQsocket(a->pg) < 0) {
		char *msg = sql_oneline(PQerrorMessage(a->pg));

		log_warnx("database_url: cannot connect: %s; retrying in %d ms", msg, a->backoff_ms);
		free(msg);
		PQfinish(a->pg);
		a->pg = NULL;
		schedule_reconnect(a);
		return;
	}
	PQsetNoticeProcessor(a->pg, sql_notice_log, NULL);
	a->state = ST_CONNECTING;
	wait_for(a, EV_WRITE);
}

struct sql_async *sql_async_new(struct event_base *base, const char *url,
				const struct sql_async_callbacks *cbs)
{
	struct sql_async *a = xcalloc(1, sizeof(*a));

	a->base = base;
	a->url = xstrdup(url ? url : "");
	if (cbs != NULL)
		a->cbs = *cbs;
	a->first_ms = a->backoff_ms = 1000;
	a->max_ms = 60000;
	a->ev = event_new(base, -1, 0, on_io, a);
	a->timer = evtimer_new(base, on_timer, a);
	if (a->ev == NULL || a->timer == NULL)
		fatalx("database: out of memory");
	a->state = ST_WAIT;
	start_connect(a);
	return a;
}

void sql_async_free(struct sql_async *a)
{
	if (a == NULL)
		return;
	if (a->in_handler > 0) {
		a->dead = true;
		return;
	}
	destroy(a);
}

bool sql_async_connected(const struct sql_async *a)
{
	return a->state == ST_IDLE || a->state == ST_BUSY;
}

size_t sql_async_pending(const struct sql_async *a)
{
	return a->nqueries;
}

void sql_async_set_backoff(struct sql_async *a, int first_ms, int max_ms)
{
	a->first_ms = a->backoff_ms = first_ms > 0 ? first_ms : 1;
	a->max_ms = max_ms >= a->first_ms ? max_ms : a->first_ms;
}

int sql_async_query(struct sql_async *a, const char *sql, int nparams,
		    const char *const *params, sql_async_result_cb cb, void *arg)
{
	struct query *q;

	if (a->dead || !sql_async_connected(a))
		return -1;
	q = xcalloc(1, sizeof(*q));
	q->sql = xstrdup(sql);
	q->nparams = nparams;
	if (nparams > 0) {
		q->params = xcalloc((size_t)nparams, sizeof(char *));
		for (int i = 0; i < nparams; i++)
			q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	}
	q->cb = cb;
	q->arg = arg;
	if (a->tail != NULL)
		a->tail->next = q;
	else
		a->head = q;
	a->tail = q;
	a->nqueries++;
	/* Never send from here (a failure would run callbacks inside this
	 * call): outside our handlers, wake the io event so that handler_end()
	 * sends it from the loop; inside one, handler_end() does anyway. */
	if (a->in_handler == 0 && a->state == ST_IDLE)
		event_active(a->ev, EV_WRITE, 0);
	return 0;
}
