/*
 * changes.c - the change feed with the changed objects, for the daemon's
 * change follower (irrd/sync.c): one query joins object_change with the
 * current rows, so that a burst of changes (an update run, an RPKI status
 * change of many routes) costs one round trip per `limit` changes instead
 * of one per object.
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
