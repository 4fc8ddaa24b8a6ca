/*
 * sql.c - the synchronous PostgreSQL wrapper (sql.h): connections,
 * transactions, object and change reads.
 *
 * Every statement goes through PQexecParams / PQsendQueryParams with
 * parameters; no SQL text is built from data. Large reads use single-row
 * mode so that memory stays flat whatever the table size.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql_int.h"

char *sql_oneline(const char *msg)
{
	char *s = xstrdup(msg ? msg : "");
	char *w = s;
	size_t n;

	/* "line one\n\tline two\n" -> "line one (line two)" isn't worth it:
	 * join with spaces, squeeze whitespace, drop trailing. */
	for (const char *r = s; *r; r++) {
		if (*r == '\n' || *r == '\t' || *r == '\r') {
			if (w > s && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *r;
	}
	*w = '\0';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

void sql_set_errorf(struct sql_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	free(c->err);
	c->err = msg;
}

void sql_set_error(struct sql_conn *c, const char *what, const PGresult *res)
{
	const char *m = NULL;
	char *one;

	if (res != NULL)
		m = PQresultErrorMessage(res);
	if (m == NULL || *m == '\0')
		m = PQerrorMessage(c->pg);
	if (m == NULL || *m == '\0')
		m = "unexpected result";
	one = sql_oneline(m);
	sql_set_errorf(c, "%s: %s", what, one);
	free(one);
}

/* Server NOTICEs (e.g. "... does not exist, skipping") go to the debug log. */
void sql_notice_log(void *arg, const char *msg)
{
	char *one;

	(void)arg;
	if (log_get_level() > LOG_LVL_DEBUG)
		return;
	one = sql_oneline(msg);
	log_debug("postgresql: %s", one);
	free(one);
}
#define notice_log sql_notice_log

struct sql_conn *sql_connect(const char *url, char **err)
{
	static const char *const keys[] = { "dbname", "client_encoding", "application_name", NULL };
	const char *vals[] = { url, "UTF8", log_progname(), NULL };
	struct sql_conn *c;
	PGconn *pg;

	*err = NULL;
	if (url == NULL || *url == '\0') {
		*err = xstrdup("database_url: not set");
		return NULL;
	}
	pg = PQconnectdbParams(keys, vals, 1);
	if (pg == NULL) {
		*err = xstrdup("database_url: out of memory");
		return NULL;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		char *one = sql_oneline(PQerrorMessage(pg));

		*err = xasprintf("database_url: cannot connect: %s", one);
		free(one);
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, notice_log, NULL);
	c = xcalloc(1, sizeof(*c));
	c->pg = pg;
	return c;
}

void sql_close(struct sql_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->pg);
	free(c->err);
	free(c);
}

const char *sql_error(const struct sql_conn *c)
{
	return c->err ? c->err : "no error";
}

PGresult *sql_run(struct sql_conn *c, const char *what, ExecStatusType want, const char *sql,
		  int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);

	if (res == NULL || PQresultStatus(res) != want) {
		sql_set_error(c, what, res);
		PQclear(res);
		return NULL;
	}
	return res;
}

int sql_do(struct sql_conn *c, const char *what, const char *sql, int nparams,
	   const char *const *params)
{
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		sql_set_error(c, what, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int sql_script(struct sql_conn *c, const char *what, const char *script)
{
	/* several statements: the simple protocol (constant text only) */
	PGresult *res = PQexec(c->pg, script);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		sql_set_error(c, what, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int sql_begin(struct sql_conn *c)
{
	return sql_do(c, "BEGIN", "BEGIN", 0, NULL);
}

int sql_begin_snapshot(struct sql_conn *c)
{
	return sql_do(c, "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
}

int sql_commit(struct sql_conn *c)
{
	return sql_do(c, "COMMIT", "COMMIT", 0, NULL);
}

int sql_rollback(struct sql_conn *c)
{
	/* keep the error that made us roll back */
	PGresult *res;

	if (PQstatus(c->pg) != CONNECTION_OK)
		return -1;
	res = PQexec(c->pg, "ROLLBACK");
	PQclear(res);
	return 0;
}

int sql_exec(struct sql_conn *c, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	long n;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		sql_set_error(c, "query", res);
		PQclear(res);
		return -1;
	}
	n = atol(PQcmdTuples(res));
	PQclear(res);
	return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

/*
 * Stream the rows of a query through rowcb in single-row mode. rowcb
 * returning -1 stops: the rest of the result is cancelled and drained.
 * Returns the number of rows seen, or -1.
 */
typedef int (*row_fn)(void *arg, const PGresult *res, int row);

static long sql_stream(struct sql_conn *c, const char *what, const char *sql, int nparams,
		       const char *const *params, row_fn rowcb, void *arg)
{
	PGresult *res;
	long rows = 0;
	int failed = 0, stopped = 0;

	if (!PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0)) {
		sql_set_error(c, what, NULL);
		return -1;
	}
	if (!PQsetSingleRowMode(c->pg))
		log_warnx("%s: single-row mode not available", what);
	while ((res = PQgetResult(c->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
			for (int i = 0; i < PQntuples(res) && !stopped; i++, rows++) {
				if (rowcb(arg, res, i) < 0) {
					PGcancel *cancel = PQgetCancel(c->pg);
					char ebuf[256];

					stopped = 1;
					if (cancel != NULL) {
						PQcancel(cancel, ebuf, sizeof(ebuf));
						PQfreeCancel(cancel);
					}
				}
			}
		} else if (!stopped && !failed) {
			sql_set_error(c, what, res);
			failed = 1;
		}
		PQclear(res);
	}
	if (stopped) {
		sql_set_errorf(c, "%s: stopped by the caller", what);
		return -1;
	}
	return failed ? -1 : rows;
}

static enum rpki_state rpki_from_text(const char *s)
{
	if (strcmp(s, "valid") == 0)
		return RPKI_VALID;
	if (strcmp(s, "invalid") == 0)
		return RPKI_INVALID;
	return RPKI_NOT_FOUND;
}

#define OBJECT_COLUMNS "id, source, object_class, rpsl_pk, object_text, rpki_status"

struct object_stream {
	sql_object_cb cb;
	void *arg;
};

static int object_row(void *arg, const PGresult *res, int r)
{
	struct object_stream *os = arg;
	struct sql_object_row row;

	row.id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	row.source = PQgetvalue(res, r, 1);
	row.object_class = PQgetvalue(res, r, 2);
	row.rpsl_pk = PQgetvalue(res, r, 3);
	row.object_text = PQgetvalue(res, r, 4);
	row.text_len = (size_t)PQgetlength(res, r, 4);
	row.rpki_status = rpki_from_text(PQgetvalue(res, r, 5));
	return os->cb(os->arg, &row);
}

int sql_objects_foreach(struct sql_conn *c, const char *source, sql_object_cb cb, void *arg)
{
	struct object_stream os = { cb, arg };
	const char *params[1] = { source };
	long n;

	if (source != NULL)
		n = sql_stream(c, "objects", "SELECT " OBJECT_COLUMNS " FROM rpsl_objects WHERE source = $1",
			       1, params, object_row, &os);
	else
		n = sql_stream(c, "objects", "SELECT " OBJECT_COLUMNS " FROM rpsl_objects",
			       0, NULL, object_row, &os);
	return n < 0 ? -1 : 0;
}

int sql_object_get(struct sql_conn *c, const char *source, const char *object_class,
		   const char *pk, sql_object_cb cb, void *arg)
{
	struct object_stream os = { cb, arg };
	const char *params[3] = { source, pk, object_class };
	long n;

	n = sql_stream(c, "object", "SELECT " OBJECT_COLUMNS " FROM rpsl_objects"
		       " WHERE source = $1 AND rpsl_pk = $2 AND ($3::text IS NULL OR object_class = $3)"
		       " ORDER BY object_class", 3, params, object_row, &os);
	if (n < 0)
		return -1;
	return n > 0 ? 1 : 0;
}

struct change_stream {
	sql_change_cb cb;
	void *arg;
};

static int change_row(void *arg, const PGresult *res, int r)
{
	struct change_stream *cs = arg;
	struct sql_change ch;

	ch.seq = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	ch.op = PQgetvalue(res, r, 1);
	ch.source = PQgetvalue(res, r, 2);
	ch.object_class = PQgetisnull(res, r, 3) ? NULL : PQgetvalue(res, r, 3);
	ch.rpsl_pk = PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4);
	return cs->cb(cs->arg, &ch);
}

int sql_changes_since(struct sql_conn *c, int64_t seq, sql_change_cb cb, void *arg)
{
	struct change_stream cs = { cb, arg };
	char buf[32];
	const char *params[1] = { buf };

	snprintf(buf, sizeof(buf), "%lld", (long long)seq);
	return sql_stream(c, "changes", "SELECT seq, op, source, object_class, rpsl_pk FROM object_change"
			  " WHERE seq > $1 ORDER BY seq", 1, params, change_row, &cs) < 0 ? -1 : 0;
}

int64_t sql_changes_last_seq(struct sql_conn *c)
{
	PGresult *res = sql_run(c, "changes", PGRES_TUPLES_OK,
				"SELECT COALESCE(max(seq), 0) FROM object_change", 0, NULL);
	int64_t v;

	if (res == NULL)
		return -1;
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

static int64_t opt_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? -1 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int sql_status_foreach(struct sql_conn *c, sql_status_cb cb, void *arg)
{
	PGresult *res = sql_run(c, "database_status", PGRES_TUPLES_OK,
				"SELECT source, serial_oldest_seen, serial_newest_seen, serial_oldest_journal,"
				" serial_newest_journal, serial_last_export, serial_newest_mirror,"
				" force_reload, synchronised_serials, last_error,"
				" extract(epoch FROM last_error_timestamp)::bigint,"
				" extract(epoch FROM rpsl_data_updated)::bigint"
				" FROM database_status ORDER BY source", 0, NULL);
	int rc = 0;

	if (res == NULL)
		return -1;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		struct sql_source_status st;

		st.source = PQgetvalue(res, i, 0);
		st.serial_oldest_seen = opt_int(res, i, 1);
		st.serial_newest_seen = opt_int(res, i, 2);
		st.serial_oldest_journal = opt_int(res, i, 3);
		st.serial_newest_journal = opt_int(res, i, 4);
		st.serial_last_export = opt_int(res, i, 5);
		st.serial_newest_mirror = opt_int(res, i, 6);
		st.force_reload = strcmp(PQgetvalue(res, i, 7), "t") == 0;
		st.synchronised_serials = strcmp(PQgetvalue(res, i, 8), "t") == 0;
		st.last_error = PQgetisnull(res, i, 9) ? NULL : PQgetvalue(res, i, 9);
		st.last_error_timestamp = opt_int(res, i, 10);
		st.rpsl_data_updated = opt_int(res, i, 11);
		rc = cb(arg, &st) < 0 ? -1 : 0;
	}
	PQclear(res);
	return rc;
}

int sql_status_set_force_reload(struct sql_conn *c, const char *source)
{
	const char *params[1] = { source };

	return sql_do(c, "database_status",
		      "INSERT INTO database_status (source, force_reload) VALUES ($1, true)"
		      " ON CONFLICT (source) DO UPDATE SET force_reload = true, updated = now()",
		      1, params);
}
