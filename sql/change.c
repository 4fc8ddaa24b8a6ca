/*
 * change.c - single-object changes with their journal entries (change.h).
 *
 * Every change is ONE statement: the object write and the journal insert
 * are data-modifying CTEs of the same query, and the next local serial is
 * computed in SQL (IRRd's COALESCE(MAX(serial_nrtm), serial_newest_seen,
 * 0) + 1) under the journal's EXCLUSIVE lock. That keeps serials gap-free
 * and lets a batch run in libpq pipeline mode (sql_change_pipeline_begin),
 * where thousands of changes cost a handful of round trips: the mirror
 * applies NRTM batches that way.
 *
 * Outside a pipeline each call also takes the journal lock (a no-op once
 * held in the transaction) and refreshes database_status for the source.
 * Inside one, the lock is taken once at the start and the status of every
 * source touched is refreshed at the end.
 *
 * The pipeline's state is per thread (each thread uses its own connection).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/change.h"
#include "sql/sql_int.h"

/* Statements outstanding before a pipeline syncs and reads results: keeps
 * both sides' socket buffers far from full. */
#define PIPE_CHUNK 256

enum pkind { PK_PUT, PK_DEL, PK_JOURNAL, PK_OTHER };

struct pipe {
	struct sql_conn *c;
	enum pkind kinds[PIPE_CHUNK];
	int n;				/* statements sent since the last sync */
	char *err;			/* first failure */
	long not_found;			/* deletes of absent objects */
	char **sources;
	size_t nsources;
};

static __thread struct pipe *tls_pipe;

static struct pipe *pipe_of(struct sql_conn *c)
{
	return tls_pipe != NULL && tls_pipe->c == c ? tls_pipe : NULL;
}

static const char *origin_name(enum sql_change_origin o)
{
	switch (o) {
	case SQL_ORIGIN_MIRROR:
		return "mirror";
	case SQL_ORIGIN_AUTH_CHANGE:
		return "auth_change";
	case SQL_ORIGIN_RPKI_STATUS:
		return "rpki_status";
	case SQL_ORIGIN_BULK_UPDATE:
		return "synthetic_nrtm";
	default:
		return "unknown";
	}
}

/* The serial expression of the journal inserts below: $serial if given,
 * else the next local one (IRRd's record_operation). */
#define NEXT_SERIAL(S, SRC) \
	"COALESCE(" S "::bigint, (SELECT COALESCE(max(serial_nrtm), " \
	"(SELECT serial_newest_seen FROM database_status WHERE source = " SRC "), 0) + 1" \
	" FROM rpsl_database_journal WHERE source = " SRC "))"

static const char put_sql[] =
	"WITH up AS (\n"
	"  INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text, ip_version,\n"
	"      ip_first, ip_last, prefix, prefix_length, asn_first, asn_last, origin, lookup,\n"
	"      rpki_status)\n"
	"    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text[], $14::rpkistatus)\n"
	"  ON CONFLICT (rpsl_pk, source, object_class) DO UPDATE SET\n"
	"    object_text = EXCLUDED.object_text, ip_version = EXCLUDED.ip_version,\n"
	"    ip_first = EXCLUDED.ip_first, ip_last = EXCLUDED.ip_last, prefix = EXCLUDED.prefix,\n"
	"    prefix_length = EXCLUDED.prefix_length, asn_first = EXCLUDED.asn_first,\n"
	"    asn_last = EXCLUDED.asn_last, origin = EXCLUDED.origin, lookup = EXCLUDED.lookup,\n"
	"    rpki_status = EXCLUDED.rpki_status, updated = now()\n"
	"  RETURNING 1\n"
	")\n"
	"INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"    object_class, object_text)\n"
	"  SELECT $1, $2, $15::journalentryorigin, " NEXT_SERIAL("$16", "$2") ", 'ADD', $3, $4\n"
	"    FROM up WHERE $17::boolean\n"
	"  RETURNING serial_nrtm";

static const char del_sql[] =
	"WITH d AS (\n"
	"  DELETE FROM rpsl_objects WHERE rpsl_pk = $1 AND source = $2 AND object_class = $3\n"
	"  RETURNING object_text\n"
	"), j AS (\n"
	"  INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"      object_class, object_text)\n"
	"    SELECT $1, $2, $4::journalentryorigin, " NEXT_SERIAL("$5", "$2") ", 'DEL', $3, d.object_text\n"
	"      FROM d WHERE $6::boolean\n"
	"  RETURNING serial_nrtm\n"
	")\n"
	"SELECT (SELECT count(*) FROM d), (SELECT serial_nrtm FROM j)";

/* A journal-only entry announces itself (the daemon's NRTM cache follows
 * NOTIFYs; no rpsl_objects trigger fires here). */
static const char journal_sql[] =
	"WITH j AS (\n"
	"  INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"      object_class, object_text)\n"
	"    VALUES ($1, $2, $3::journalentryorigin, " NEXT_SERIAL("$4", "$2") ",\n"
	"      $5::databaseoperation, $6, $7)\n"
	"  RETURNING serial_nrtm\n"
	")\n"
	"SELECT serial_nrtm, pg_notify('" SQL_CHANGE_CHANNEL "', '') FROM j";

/* database_status after changes to a source, as IRRd's
 * DatabaseStatusTracker.finalise_transaction. */
static const char status_sql[] =
	"INSERT INTO database_status AS st (source, rpsl_data_updated, serial_oldest_journal,\n"
	"    serial_newest_journal, serial_oldest_seen, serial_newest_seen)\n"
	"  SELECT $1, now(), min(serial_nrtm), max(serial_nrtm), min(serial_nrtm), max(serial_nrtm)\n"
	"    FROM rpsl_database_journal WHERE source = $1\n"
	"  ON CONFLICT (source) DO UPDATE SET rpsl_data_updated = now(), updated = now(),\n"
	"    serial_oldest_journal = EXCLUDED.serial_oldest_journal,\n"
	"    serial_newest_journal = EXCLUDED.serial_newest_journal,\n"
	"    serial_oldest_seen = LEAST(st.serial_oldest_seen, EXCLUDED.serial_oldest_seen),\n"
	"    serial_newest_seen = GREATEST(st.serial_newest_seen, EXCLUDED.serial_newest_seen)";

static const char lock_sql[] = "LOCK TABLE rpsl_database_journal IN EXCLUSIVE MODE";

/* ---- parameter text ---- */

struct tbuf {
	char *d;
	size_t len, cap;
};

static void tb_put(struct tbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->d = xrealloc(b->d, b->cap);
	}
	memcpy(b->d + b->len, s, n);
	b->len += n;
	b->d[b->len] = '\0';
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* The lookup column as a text[] literal: "attr=VALUE" for every value of a
 * lookup attribute that is not a primary key attribute (as load.c). */
static char *lookup_literal(const struct rpsl_object *obj)
{
	const char *const *attrs = rpsl_lookup_attrs(obj->cls);
	const char *const *pkattrs = rpsl_pk_attrs(obj->cls);
	struct tbuf b = { 0 };
	bool first = true;

	tb_put(&b, "{", 1);
	for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		struct rpsl_values v;

		if (in_list(pkattrs, attrs[i]))
			continue;
		v = rpsl_get(obj, attrs[i]);
		for (size_t j = 0; j < v.n; j++) {
			if (!first)
				tb_put(&b, ",", 1);
			first = false;
			tb_put(&b, "\"", 1);
			tb_put(&b, attrs[i], strlen(attrs[i]));
			tb_put(&b, "=", 1);
			for (const char *p = v.v[j]; *p; p++) {
				if (*p == '"' || *p == '\\')
					tb_put(&b, "\\", 1);
				tb_put(&b, p, 1);
			}
			tb_put(&b, "\"", 1);
		}
	}
	tb_put(&b, "}", 1);
	return b.d;
}

/* ---- pipeline ---- */

static void pipe_fail(struct pipe *p, const char *msg)
{
	if (p->err == NULL)
		p->err = xstrdup(msg);
}

static void pipe_touch(struct pipe *p, const char *source)
{
	for (size_t i = 0; i < p->nsources; i++)
		if (strcmp(p->sources[i], source) == 0)
			return;
	p->sources = xrealloc(p->sources, (p->nsources + 1) * sizeof(char *));
	p->sources[p->nsources++] = xstrdup(source);
}

/* Sync and read every outstanding result. 0, or -1 once anything failed. */
static int pipe_drain(struct pipe *p)
{
	struct sql_conn *c = p->c;
	PGresult *res;
	int i = 0;

	if (p->n == 0)
		return p->err ? -1 : 0;
	if (PQpipelineSync(c->pg) != 1) {
		sql_set_error(c, "pipeline", NULL);
		pipe_fail(p, sql_error(c));
		p->n = 0;
		return -1;
	}
	for (;;) {
		res = PQgetResult(c->pg);
		if (res == NULL) {
			/* end of one statement's results */
			if (PQstatus(c->pg) != CONNECTION_OK) {
				sql_set_error(c, "pipeline", NULL);
				pipe_fail(p, sql_error(c));
				break;
			}
			i++;
			continue;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
			sql_set_error(c, "change", res);
			pipe_fail(p, sql_error(c));
		} else if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
			pipe_fail(p, "change: pipeline aborted");
		} else if (i < p->n && p->kinds[i] == PK_DEL && PQntuples(res) == 1 &&
			   strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
			p->not_found++;
		}
		PQclear(res);
		if (PQstatus(c->pg) != CONNECTION_OK) {
			sql_set_error(c, "pipeline", NULL);
			pipe_fail(p, sql_error(c));
			break;
		}
	}
	p->n = 0;
	return p->err ? -1 : 0;
}

static int pipe_send(struct pipe *p, enum pkind kind, const char *sql, int nparams,
		     const char *const *params)
{
	if (p->err != NULL)
		return -1;
	if (PQsendQueryParams(p->c->pg, sql, nparams, NULL, params, NULL, NULL, 0) != 1) {
		sql_set_error(p->c, "change", NULL);
		pipe_fail(p, sql_error(p->c));
		return -1;
	}
	p->kinds[p->n++] = kind;
	if (p->n == PIPE_CHUNK)
		return pipe_drain(p);
	return 0;
}

int sql_change_pipeline_begin(struct sql_conn *c)
{
	struct pipe *p;

	if (tls_pipe != NULL) {
		sql_set_errorf(c, "change: a pipeline is already open in this thread");
		return -1;
	}
	if (PQenterPipelineMode(c->pg) != 1) {
		sql_set_error(c, "pipeline", NULL);
		return -1;
	}
	p = xcalloc(1, sizeof(*p));
	p->c = c;
	tls_pipe = p;
	return pipe_send(p, PK_OTHER, lock_sql, 0, NULL);
}

int sql_change_pipeline_end(struct sql_conn *c, long *not_found)
{
	struct pipe *p = pipe_of(c);
	int rc;

	if (p == NULL) {
		sql_set_errorf(c, "change: no pipeline open on this connection");
		return -1;
	}
	for (size_t i = 0; i < p->nsources && p->err == NULL; i++) {
		const char *params[1] = { p->sources[i] };

		pipe_send(p, PK_OTHER, status_sql, 1, params);
	}
	pipe_drain(p);
	if (PQexitPipelineMode(c->pg) != 1 && p->err == NULL) {
		sql_set_error(c, "pipeline", NULL);
		pipe_fail(p, sql_error(c));
	}
	if (not_found != NULL)
		*not_found = p->not_found;
	rc = p->err ? -1 : 0;
	if (p->err != NULL)
		sql_set_errorf(c, "%s", p->err);
	for (size_t i = 0; i < p->nsources; i++)
		free(p->sources[i]);
	free(p->sources);
	free(p->err);
	free(p);
	tls_pipe = NULL;
	return rc;
}

/* ---- synchronous helpers ---- */

/*
 * Every change takes the journal lock first, journalled or not: all
 * writers of rpsl_objects are serialised anyway (the change trigger locks
 * object_change), and one lock order everywhere (journal, then
 * object_change) means two writers cannot deadlock.
 */
static int sync_prepare(struct sql_conn *c, bool journal)
{
	(void)journal;
	if (sql_do(c, "journal lock", lock_sql, 0, NULL) < 0)
		return -1;
	return 0;
}

static int sync_status(struct sql_conn *c, const char *source)
{
	const char *params[1] = { source };

	return sql_do(c, "database_status", status_sql, 1, params);
}

static int64_t serial_of(PGresult *res, int col)
{
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, col))
		return -1;
	return strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/* ---- the API ---- */

int sql_change_put(struct sql_conn *c, const struct rpsl_object *obj, const char *text,
		   enum rpki_state st, const struct sql_change_opts *o, int64_t *serial_out)
{
	char ipv[8], ipf[IP_PREFIX_STRLEN], ipl[IP_PREFIX_STRLEN], pfx[IP_PREFIX_STRLEN];
	char plen[8], af[16], al[16], orig[16], serial[32];
	const char *params[17];
	struct pipe *p = pipe_of(c);
	char *lookup;
	PGresult *res;
	int rc = -1;

	if (serial_out != NULL)
		*serial_out = -1;
	if (obj->pk == NULL || obj->source == NULL || obj->cls < 0 || obj->cls >= RPSL_CLASS_COUNT) {
		sql_set_errorf(c, "change: object without class, key or source");
		return -1;
	}
	params[0] = obj->pk;
	params[1] = obj->source;
	params[2] = rpsl_class_name(obj->cls);
	params[3] = text;
	params[4] = params[5] = params[6] = params[7] = params[8] = NULL;
	params[9] = params[10] = params[11] = NULL;
	if (obj->has_ip) {
		snprintf(ipv, sizeof(ipv), "%d", obj->ip_first.family);
		params[4] = ipv;
		params[5] = ip_addr_format(&obj->ip_first, ipf, sizeof(ipf));
		params[6] = ip_addr_format(&obj->ip_last, ipl, sizeof(ipl));
	} else if (obj->has_prefix) {
		snprintf(ipv, sizeof(ipv), "%d", obj->prefix.family);
		params[4] = ipv;
	}
	if (obj->has_prefix) {
		params[7] = ip_prefix_format(&obj->prefix, pfx, sizeof(pfx));
		snprintf(plen, sizeof(plen), "%d", obj->prefix.len);
		params[8] = plen;
	}
	if (obj->has_asn) {
		snprintf(af, sizeof(af), "%" PRIu32, obj->asn_first);
		snprintf(al, sizeof(al), "%" PRIu32, obj->asn_last);
		params[9] = af;
		params[10] = al;
	}
	if (obj->has_origin) {
		snprintf(orig, sizeof(orig), "%" PRIu32, obj->origin);
		params[11] = orig;
	}
	lookup = lookup_literal(obj);
	params[12] = lookup;
	params[13] = rpki_state_name(st);
	params[14] = origin_name(o->origin);
	snprintf(serial, sizeof(serial), "%" PRId64, o->serial_nrtm);
	params[15] = o->serial_nrtm >= 0 ? serial : NULL;
	/* an RPKI-invalid object is not visible: stored, never journalled (IRRd) */
	params[16] = o->journal && st != RPKI_INVALID ? "true" : "false";

	if (p != NULL) {
		pipe_touch(p, obj->source);
		rc = pipe_send(p, PK_PUT, put_sql, 17, params);
		if (rc == 0 && serial_out != NULL && o->journal && st != RPKI_INVALID && o->serial_nrtm >= 0)
			*serial_out = o->serial_nrtm;
		goto out;
	}
	if (sync_prepare(c, o->journal) < 0)
		goto out;
	res = sql_run(c, "change", PGRES_TUPLES_OK, put_sql, 17, params);
	if (res == NULL)
		goto out;
	if (serial_out != NULL)
		*serial_out = serial_of(res, 0);
	PQclear(res);
	rc = sync_status(c, obj->source);
out:
	free(lookup);
	return rc;
}

int sql_change_delete(struct sql_conn *c, const char *source, const char *object_class,
		      const char *pk, const struct sql_change_opts *o, int64_t *serial_out)
{
	char serial[32];
	const char *params[6];
	struct pipe *p = pipe_of(c);
	PGresult *res;
	int found;

	if (serial_out != NULL)
		*serial_out = -1;
	params[0] = pk;
	params[1] = source;
	params[2] = object_class;
	params[3] = origin_name(o->origin);
	snprintf(serial, sizeof(serial), "%" PRId64, o->serial_nrtm);
	params[4] = o->serial_nrtm >= 0 ? serial : NULL;
	params[5] = o->journal ? "true" : "false";
	if (p != NULL) {
		pipe_touch(p, source);
		if (pipe_send(p, PK_DEL, del_sql, 6, params) < 0)
			return -1;
		if (serial_out != NULL && o->journal && o->serial_nrtm >= 0)
			*serial_out = o->serial_nrtm;
		return 0;
	}
	if (sync_prepare(c, o->journal) < 0)
		return -1;
	res = sql_run(c, "change", PGRES_TUPLES_OK, del_sql, 6, params);
	if (res == NULL)
		return -1;
	found = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	if (serial_out != NULL)
		*serial_out = serial_of(res, 1);
	PQclear(res);
	if (!found)
		return 1;
	return sync_status(c, source) < 0 ? -1 : 0;
}

int sql_change_journal_only(struct sql_conn *c, const char *source, const char *object_class,
			    const char *pk, const char *text, bool add,
			    const struct sql_change_opts *o, int64_t *serial_out)
{
	char serial[32];
	const char *params[7];
	struct pipe *p = pipe_of(c);
	PGresult *res;

	if (serial_out != NULL)
		*serial_out = -1;
	params[0] = pk;
	params[1] = source;
	params[2] = origin_name(o->origin);
	snprintf(serial, sizeof(serial), "%" PRId64, o->serial_nrtm);
	params[3] = o->serial_nrtm >= 0 ? serial : NULL;
	params[4] = add ? "ADD" : "DEL";
	params[5] = object_class;
	params[6] = text;
	if (p != NULL) {
		pipe_touch(p, source);
		if (pipe_send(p, PK_JOURNAL, journal_sql, 7, params) < 0)
			return -1;
		if (serial_out != NULL && o->serial_nrtm >= 0)
			*serial_out = o->serial_nrtm;
		return 0;
	}
	if (sync_prepare(c, true) < 0)
		return -1;
	res = sql_run(c, "change", PGRES_TUPLES_OK, journal_sql, 7, params);
	if (res == NULL)
		return -1;
	if (serial_out != NULL)
		*serial_out = serial_of(res, 0);
	PQclear(res);
	return sync_status(c, source);
}

/* ---- database_status for mirrors ---- */

int sql_change_mirror_serial(struct sql_conn *c, const char *source, int64_t serial_seen,
			     int64_t serial_newest_mirror)
{
	char seen[32], mirror[32];
	const char *params[3] = { source, NULL, NULL };
	struct pipe *p = pipe_of(c);
	static const char sql[] =
		"INSERT INTO database_status AS st (source, serial_oldest_seen, serial_newest_seen,\n"
		"    serial_newest_mirror)\n"
		"  VALUES ($1, $2::bigint, $2::bigint, $3::bigint)\n"
		"  ON CONFLICT (source) DO UPDATE SET updated = now(),\n"
		"    serial_oldest_seen = LEAST(st.serial_oldest_seen, EXCLUDED.serial_oldest_seen),\n"
		"    serial_newest_seen = GREATEST(st.serial_newest_seen, EXCLUDED.serial_newest_seen),\n"
		"    serial_newest_mirror = COALESCE(EXCLUDED.serial_newest_mirror, st.serial_newest_mirror)";

	snprintf(seen, sizeof(seen), "%" PRId64, serial_seen);
	snprintf(mirror, sizeof(mirror), "%" PRId64, serial_newest_mirror);
	params[1] = serial_seen >= 0 ? seen : NULL;
	params[2] = serial_newest_mirror >= 0 ? mirror : NULL;
	if (p != NULL)
		return pipe_send(p, PK_OTHER, sql, 3, params);
	return sql_do(c, "database_status", sql, 3, params);
}

int sql_change_record_error(struct sql_conn *c, const char *source, const char *error)
{
	const char *params[2] = { source, error };

	return sql_do(c, "database_status",
		      "INSERT INTO database_status AS st (source, last_error, last_error_timestamp)\n"
		      "  VALUES ($1, $2, now())\n"
		      "  ON CONFLICT (source) DO UPDATE SET last_error = $2, last_error_timestamp = now(),\n"
		      "    updated = now()", 2, params);
}

int sql_change_clear_force_reload(struct sql_conn *c, const char *source, bool synchronised_serials)
{
	const char *params[2] = { source, synchronised_serials ? "true" : "false" };

	return sql_do(c, "database_status",
		      "INSERT INTO database_status AS st (source, synchronised_serials) VALUES ($1, $2)\n"
		      "  ON CONFLICT (source) DO UPDATE SET force_reload = false,\n"
		      "    synchronised_serials = $2, updated = now()", 2, params);
}

/* ---- journal reads ---- */

int sql_journal_foreach(struct sql_conn *c, const char *source, int64_t first, int64_t last,
			int64_t after_global, sql_journal_cb cb, void *arg)
{
	char f[32], l[32], g[32];
	const char *params[4];
	PGresult *res;
	int rc = 0;
	static const char sql[] =
		"SELECT serial_global, source, serial_nrtm, operation::text, object_class, rpsl_pk,\n"
		"    object_text, extract(epoch FROM timestamp)::bigint\n"
		"  FROM rpsl_database_journal\n"
		"  WHERE ($1::text IS NULL OR source = $1) AND ($2::bigint IS NULL OR serial_nrtm >= $2)\n"
		"    AND ($3::bigint IS NULL OR serial_nrtm <= $3) AND ($4::bigint IS NULL OR serial_global > $4)\n"
		"  ORDER BY CASE WHEN $4::bigint IS NULL THEN serial_nrtm ELSE serial_global END";

	snprintf(f, sizeof(f), "%" PRId64, first);
	snprintf(l, sizeof(l), "%" PRId64, last);
	snprintf(g, sizeof(g), "%" PRId64, after_global);
	params[0] = source;
	params[1] = first >= 0 ? f : NULL;
	params[2] = last >= 0 ? l : NULL;
	params[3] = after_global >= 0 ? g : NULL;
	if (PQsendQueryParams(c->pg, sql, 4, NULL, params, NULL, NULL, 0) != 1 ||
	    PQsetSingleRowMode(c->pg) != 1) {
		sql_set_error(c, "journal", NULL);
		return -1;
	}
	while ((res = PQgetResult(c->pg)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE && rc == 0) {
			struct sql_journal_entry e;

			e.serial_global = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
			e.source = PQgetvalue(res, 0, 1);
			e.serial_nrtm = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
			e.add = strcmp(PQgetvalue(res, 0, 3), "ADD") == 0;
			e.object_class = PQgetvalue(res, 0, 4);
			e.rpsl_pk = PQgetvalue(res, 0, 5);
			e.object_text = PQgetvalue(res, 0, 6);
			e.text_len = (size_t)PQgetlength(res, 0, 6);
			e.timestamp = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
			if (cb(arg, &e) < 0)
				rc = -1;
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && rc == 0) {
			sql_set_error(c, "journal", res);
			rc = -1;
		}
		PQclear(res);
	}
	return rc;
}

int sql_journal_range(struct sql_conn *c, const char *source, int64_t *oldest, int64_t *newest)
{
	const char *params[1] = { source };
	PGresult *res;

	res = sql_run(c, "journal", PGRES_TUPLES_OK,
		      "SELECT min(serial_nrtm), max(serial_nrtm) FROM rpsl_database_journal"
		      " WHERE source = $1", 1, params);
	if (res == NULL)
		return -1;
	*oldest = serial_of(res, 0);
	*newest = serial_of(res, 1);
	PQclear(res);
	return 0;
}

/* ---- set-based batches ---- */

/* COPY text format: escape backslash, newline, carriage return, tab. */
static void copy_field(struct tbuf *b, const char *s)
{
	if (s == NULL) {
		tb_put(b, "\\N", 2);
		return;
	}
	/* runs without special characters in one copy (object texts are
	 * mostly such runs between newlines) */
	for (const char *p = s;;) {
		size_t n = strcspn(p, "\\\n\r\t");

		tb_put(b, p, n);
		p += n;
		switch (*p) {
		case '\0':
			return;
		case '\\':
			tb_put(b, "\\\\", 2);
			break;
		case '\n':
			tb_put(b, "\\n", 2);
			break;
		case '\r':
			tb_put(b, "\\r", 2);
			break;
		default:
			tb_put(b, "\\t", 2);
			break;
		}
		p++;
	}
}

static void copy_sep(struct tbuf *b, const char *s, bool last)
{
	copy_field(b, s);
	tb_put(b, last ? "\n" : "\t", 1);
}

/* The statements below sort the batch (by key for the window and DISTINCT
 * ON, by seq for the journal); with the default work_mem a batch of 100k
 * operations sorts on disk, several times. For the rest of the caller's
 * transaction only. */
static const char batch_work_mem_sql[] = "SELECT set_config('work_mem', '64MB', true)";

/* The batch table stays for the session (emptied at each commit): creating
 * and dropping it cost about 2 ms of a 10 ms batch of 100 operations. */
static const char batch_table_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS irrd_change_batch (seq integer, is_add boolean,\n"
	"  rpsl_pk text COLLATE \"C\", object_class text COLLATE \"C\", object_text text, ip_version smallint,\n"
	"  ip_first inet, ip_last inet, prefix cidr, prefix_length smallint, asn_first bigint,\n"
	"  asn_last bigint, origin bigint, lookup text[], rpki_status rpkistatus, journal boolean,\n"
	"  serial bigint) ON COMMIT DELETE ROWS";

/* Each operation with what existed before it (the previous operation on
 * the same key in the batch, else the stored object); the journal entries
 * of those that get one, in order; and the number of deletions of absent
 * objects. One statement. */
static const char batch_journal_sql[] =
	"WITH e AS MATERIALIZED (\n"
	"  SELECT o.seq, o.is_add, o.rpsl_pk, o.object_class, o.object_text, o.journal, o.serial,\n"
	"      CASE WHEN o.prev_seq IS NOT NULL THEN o.prev_add ELSE r.object_text IS NOT NULL END AS existed,\n"
	"      CASE WHEN o.prev_seq IS NOT NULL THEN o.prev_text ELSE r.object_text END AS old_text\n"
	"    FROM (SELECT b.*, lag(b.is_add) OVER w AS prev_add, lag(b.object_text) OVER w AS prev_text,\n"
	"            lag(b.seq) OVER w AS prev_seq\n"
	"          FROM irrd_change_batch b WINDOW w AS (PARTITION BY b.rpsl_pk, b.object_class ORDER BY b.seq)) o\n"
	"    LEFT JOIN rpsl_objects r ON r.source = $1 AND r.rpsl_pk = o.rpsl_pk AND r.object_class = o.object_class\n"
	"), j AS (\n"
	"  INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"      object_class, object_text)\n"
	"    SELECT rpsl_pk, $1, $2::journalentryorigin,\n"
	"        COALESCE(serial, (SELECT COALESCE(max(serial_nrtm), (SELECT serial_newest_seen FROM database_status\n"
	"          WHERE source = $1), 0) FROM rpsl_database_journal WHERE source = $1)\n"
	"          + count(*) FILTER (WHERE serial IS NULL) OVER (ORDER BY seq)),\n"
	"        CASE WHEN is_add THEN 'ADD' ELSE 'DEL' END::databaseoperation, object_class,\n"
	"        CASE WHEN is_add THEN object_text ELSE old_text END\n"
	"      FROM e WHERE journal AND (is_add OR existed)\n"
	"      ORDER BY seq\n"
	"    RETURNING 1\n"
	")\n"
	"SELECT count(*) FILTER (WHERE NOT is_add AND NOT existed), (SELECT count(*) FROM j) FROM e";

/* The last operation per key decides the stored row. */
static const char batch_delete_sql[] =
	"DELETE FROM rpsl_objects r USING (SELECT DISTINCT ON (rpsl_pk, object_class) rpsl_pk, object_class, is_add\n"
	"    FROM irrd_change_batch ORDER BY rpsl_pk, object_class, seq DESC) l\n"
	"  WHERE NOT l.is_add AND r.source = $1 AND r.rpsl_pk = l.rpsl_pk AND r.object_class = l.object_class";

static const char batch_upsert_sql[] =
	"INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text, ip_version, ip_first, ip_last,\n"
	"    prefix, prefix_length, asn_first, asn_last, origin, lookup, rpki_status)\n"
	"  SELECT rpsl_pk, $1, object_class, object_text, ip_version, ip_first, ip_last, prefix, prefix_length,\n"
	"      asn_first, asn_last, origin, lookup, rpki_status\n"
	"    FROM (SELECT DISTINCT ON (rpsl_pk, object_class) * FROM irrd_change_batch\n"
	"          ORDER BY rpsl_pk, object_class, seq DESC) l\n"
	"    WHERE l.is_add\n"
	"  ON CONFLICT (rpsl_pk, source, object_class) DO UPDATE SET\n"
	"    object_text = EXCLUDED.object_text, ip_version = EXCLUDED.ip_version,\n"
	"    ip_first = EXCLUDED.ip_first, ip_last = EXCLUDED.ip_last, prefix = EXCLUDED.prefix,\n"
	"    prefix_length = EXCLUDED.prefix_length, asn_first = EXCLUDED.asn_first,\n"
	"    asn_last = EXCLUDED.asn_last, origin = EXCLUDED.origin, lookup = EXCLUDED.lookup,\n"
	"    rpki_status = EXCLUDED.rpki_status, updated = now()";

/* One COPY row of an operation. */
static void batch_row(struct tbuf *b, size_t seq, const struct sql_change_op *op)
{
	char num[32], ipv[8], ipf[IP_PREFIX_STRLEN], ipl[IP_PREFIX_STRLEN], pfx[IP_PREFIX_STRLEN];
	char plen[8], af[16], al[16], orig[16];
	const struct rpsl_object *obj = op->obj;

	snprintf(num, sizeof(num), "%zu", seq);
	copy_sep(b, num, false);
	copy_sep(b, op->add ? "t" : "f", false);
	if (!op->add) {
		copy_sep(b, op->pk, false);
		copy_sep(b, op->object_class, false);
		for (int i = 0; i < 11; i++)	/* object_text .. rpki_status */
			copy_sep(b, NULL, false);
	} else {
		const char *v[10] = { NULL };
		char *lookup;

		copy_sep(b, obj->pk, false);
		copy_sep(b, rpsl_class_name(obj->cls), false);
		copy_sep(b, op->text, false);
		if (obj->has_ip) {
			snprintf(ipv, sizeof(ipv), "%d", obj->ip_first.family);
			v[0] = ipv;
			v[1] = ip_addr_format(&obj->ip_first, ipf, sizeof(ipf));
			v[2] = ip_addr_format(&obj->ip_last, ipl, sizeof(ipl));
		} else if (obj->has_prefix) {
			snprintf(ipv, sizeof(ipv), "%d", obj->prefix.family);
			v[0] = ipv;
		}
		if (obj->has_prefix) {
			v[3] = ip_prefix_format(&obj->prefix, pfx, sizeof(pfx));
			snprintf(plen, sizeof(plen), "%d", obj->prefix.len);
			v[4] = plen;
		}
		if (obj->has_asn) {
			snprintf(af, sizeof(af), "%" PRIu32, obj->asn_first);
			snprintf(al, sizeof(al), "%" PRIu32, obj->asn_last);
			v[5] = af;
			v[6] = al;
		}
		if (obj->has_origin) {
			snprintf(orig, sizeof(orig), "%" PRIu32, obj->origin);
			v[7] = orig;
		}
		for (int i = 0; i < 8; i++)
			copy_sep(b, v[i], false);
		lookup = lookup_literal(obj);
		copy_sep(b, lookup, false);
		free(lookup);
		copy_sep(b, rpki_state_name(op->st), false);
	}
	copy_sep(b, op->journal && !(op->add && op->st == RPKI_INVALID) ? "t" : "f", false);
	snprintf(num, sizeof(num), "%" PRId64, op->serial_nrtm);
	copy_sep(b, op->serial_nrtm >= 0 ? num : NULL, true);
}

int sql_change_batch(struct sql_conn *c, const char *source, const struct sql_change_op *ops, size_t n,
		     enum sql_change_origin origin, long *not_found)
{
	const char *params[2] = { source, origin_name(origin) };
	struct tbuf b = { 0 };
	PGresult *res;

	if (not_found)
		*not_found = 0;
	if (pipe_of(c) != NULL) {
		sql_set_errorf(c, "change: sql_change_batch inside a pipeline");
		return -1;
	}
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].add && (ops[i].obj == NULL || ops[i].obj->pk == NULL || ops[i].obj->cls < 0 ||
				   ops[i].obj->cls >= RPSL_CLASS_COUNT || ops[i].text == NULL)) {
			sql_set_errorf(c, "change: batch operation %zu: ADD without a valid object", i);
			return -1;
		}
		if (!ops[i].add && (ops[i].pk == NULL || ops[i].object_class == NULL)) {
			sql_set_errorf(c, "change: batch operation %zu: DEL without class or key", i);
			return -1;
		}
	}
	if (sql_do(c, "journal lock", lock_sql, 0, NULL) < 0 ||	/* lock order: see sync_prepare */
	    sql_do(c, "change batch", batch_work_mem_sql, 0, NULL) < 0 ||
	    sql_do(c, "change batch", batch_table_sql, 0, NULL) < 0 ||
	    sql_do(c, "change batch", "TRUNCATE irrd_change_batch", 0, NULL) < 0)
		return -1;
	res = PQexec(c->pg, "COPY irrd_change_batch FROM STDIN");
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		sql_set_error(c, "change batch: COPY", res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	for (size_t i = 0; i < n; i++) {
		batch_row(&b, i, &ops[i]);
		if (b.len >= (1u << 20) || i + 1 == n) {
			if (PQputCopyData(c->pg, b.d, (int)b.len) != 1) {
				sql_set_error(c, "change batch: COPY", NULL);
				free(b.d);
				PQputCopyEnd(c->pg, "failed");
				while ((res = PQgetResult(c->pg)) != NULL)
					PQclear(res);
				return -1;
			}
			b.len = 0;
		}
	}
	free(b.d);
	if (PQputCopyEnd(c->pg, NULL) != 1) {
		sql_set_error(c, "change batch: COPY", NULL);
		return -1;
	}
	{
		bool failed = false;

		while ((res = PQgetResult(c->pg)) != NULL) {
			if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
				sql_set_error(c, "change batch: COPY", res);
				failed = true;
			}
			PQclear(res);
		}
		if (failed)
			return -1;
	}
	/* without any journal entry wanted the statement still counts the
	 * deletions of absent objects (journal is false in every row) */
	res = sql_run(c, "change batch: journal", PGRES_TUPLES_OK, batch_journal_sql, 2, params);
	if (res == NULL)
		return -1;
	if (not_found != NULL)
		*not_found = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (sql_do(c, "change batch: delete", batch_delete_sql, 1, params) < 0 ||
	    sql_do(c, "change batch: upsert", batch_upsert_sql, 1, params) < 0)
		return -1;
	return sync_status(c, source);
}
