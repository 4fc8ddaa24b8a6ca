/*
 * changes.c - the change feed with the changed objects, for the daemon's
 * change follower (irrd/sync.c): one query joins object_change with the
 * current rows, so that a burst of changes (an update run, an RPKI status
 * change of many routes) costs one round trip per `limit` changes instead
 * of one per object.
 *
 * Pruning (sql_changes_prune): object_change would otherwise grow until a
 * source is reloaded. The rule: a row may go once every live consumer has
 * handled it and it is older than keep_secs. Each consumer (a daemon's
 * follower) records in object_change_consumer the seq up to which it has
 * handled everything, each time it prunes; a consumer not heard of for
 * SQL_CHANGE_CONSUMER_TTL is taken to be gone (a crash; a clean stop
 * removes its row) and no longer holds rows back. Rows strictly below the
 * lowest recorded seq go, so the newest handled row stays and max(seq)
 * (sql_changes_last_seq, a new daemon's starting point) never moves back.
 * A daemon started later loads the tables themselves and needs no older
 * rows. The highest seq deleted is kept in object_change_horizon: a
 * consumer that finds it above its own position was away too long, has
 * missed changes and must reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_int.h"

int sql_changes_objects_since(struct sql_conn *c, int64_t seq, long limit, sql_change_object_cb cb,
			      void *arg)
{
	char sbuf[32], lbuf[32];
	const char *params[2] = { sbuf, lbuf };
	PGresult *res;
	int rc = 0;

	snprintf(sbuf, sizeof(sbuf), "%lld", (long long)seq);
	snprintf(lbuf, sizeof(lbuf), "%ld", limit > 0 ? limit : 1);
	res = sql_run(c, "changes", PGRES_TUPLES_OK,
		      "SELECT ch.seq, ch.op, ch.source, ch.object_class, ch.rpsl_pk, o.object_text, o.rpki_status"
		      " FROM object_change ch LEFT JOIN rpsl_objects o ON ch.op = 'ADD'"
		      " AND o.rpsl_pk = ch.rpsl_pk AND o.source = ch.source AND o.object_class = ch.object_class"
		      " WHERE ch.seq > $1 ORDER BY ch.seq LIMIT $2::bigint", 2, params);
	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		struct sql_change_object co;
		const char *st;

		co.ch.seq = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		co.ch.op = PQgetvalue(res, r, 1);
		co.ch.source = PQgetvalue(res, r, 2);
		co.ch.object_class = PQgetisnull(res, r, 3) ? NULL : PQgetvalue(res, r, 3);
		co.ch.rpsl_pk = PQgetisnull(res, r, 4) ? NULL : PQgetvalue(res, r, 4);
		co.object_text = PQgetisnull(res, r, 5) ? NULL : PQgetvalue(res, r, 5);
		co.text_len = co.object_text ? (size_t)PQgetlength(res, r, 5) : 0;
		st = PQgetisnull(res, r, 6) ? "" : PQgetvalue(res, r, 6);
		co.rpki_status = strcmp(st, "valid") == 0 ? RPKI_VALID :
				 strcmp(st, "invalid") == 0 ? RPKI_INVALID : RPKI_NOT_FOUND;
		rc = cb(arg, &co) < 0 ? -1 : 0;
	}
	PQclear(res);
	return rc;
}

int sql_changes_prune(struct sql_conn *c, const char *consumer, int64_t seq, long keep_secs, long *deleted,
		      int64_t *horizon)
{
	char sbuf[32], kbuf[32], tbuf[32];
	const char *params[3] = { consumer, sbuf, kbuf };
	PGresult *res;

	*deleted = 0;
	*horizon = 0;
	snprintf(sbuf, sizeof(sbuf), "%lld", (long long)seq);
	snprintf(kbuf, sizeof(kbuf), "%ld", keep_secs > 0 ? keep_secs : 0);
	snprintf(tbuf, sizeof(tbuf), "%d", SQL_CHANGE_CONSUMER_TTL);
	if (sql_begin(c) < 0)
		return -1;
	/* a writer holds object_change's EXCLUSIVE lock to its commit: rather
	 * than wait behind a long batch, give up and try next time */
	if (sql_do(c, "changes prune", "SET LOCAL lock_timeout = '2s'", 0, NULL) < 0)
		goto fail;
	res = sql_run(c, "changes prune", PGRES_TUPLES_OK, "SELECT seq FROM object_change_horizon", 0, NULL);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) > 0)
		*horizon = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (sql_do(c, "changes prune",
		   "INSERT INTO object_change_consumer (consumer, seq, seen) VALUES ($1, $2::bigint, now())\n"
		   "  ON CONFLICT (consumer) DO UPDATE SET seq = EXCLUDED.seq, seen = now()", 2, params) < 0 ||
	    sql_do(c, "changes prune",
		   "DELETE FROM object_change_consumer WHERE seen < now() - $1::int * interval '1 second'", 1,
		   (const char *const[]){ tbuf }) < 0)
		goto fail;
	res = sql_run(c, "changes prune", PGRES_TUPLES_OK,
		      "WITH d AS (\n"
		      "  DELETE FROM object_change WHERE seq < (SELECT min(seq) FROM object_change_consumer)\n"
		      "    AND created < now() - $1::bigint * interval '1 second'\n"
		      "  RETURNING seq)\n"
		      "UPDATE object_change_horizon SET seq = GREATEST(seq, (SELECT max(seq) FROM d))\n"
		      "  RETURNING (SELECT count(*) FROM d)", 1, &params[2]);
	if (res == NULL)
		goto fail;
	if (PQntuples(res) > 0)
		*deleted = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return sql_commit(c);
fail:
	sql_rollback(c);
	return -1;
}

int sql_changes_consumer_drop(struct sql_conn *c, const char *consumer)
{
	const char *params[1] = { consumer };

	return sql_do(c, "changes prune", "DELETE FROM object_change_consumer WHERE consumer = $1", 1, params);
}

int sql_changes_sources(struct sql_conn *c, void (*cb)(void *arg, const char *source), void *arg)
{
	PGresult *res = sql_run(c, "sources", PGRES_TUPLES_OK,
				"SELECT source FROM database_status UNION SELECT DISTINCT source FROM rpsl_objects",
				0, NULL);

	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res); r++)
		cb(arg, PQgetvalue(res, r, 0));
	PQclear(res);
	return 0;
}
