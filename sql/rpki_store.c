/*
 * rpki_store.c - rpki_status writes, their journal entries, and roa_object
 * (rpki_store.h).
 *
 * Bulk data travels in PostgreSQL's binary COPY format both ways: a full
 * read of every route (1.2 million rows on an internet-sized IRR) and of
 * roa_object streams without holding a result set, and a status change of
 * hundreds of thousands of routes is one COPY into a temporary table plus
 * one UPDATE ... FROM, rather than a statement per row.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/rpki_store.h"
#include "sql/sql_int.h"

#define PG_AF_INET	2
#define PG_AF_INET6	3

/* ---- binary COPY OUT reading ---------------------------------------------------- */

struct copy_in {
	const char *p, *end;
	bool bad;
};

static uint16_t rd16(struct copy_in *r)
{
	uint16_t v;

	if (r->end - r->p < 2) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, 2);
	r->p += 2;
	return ntohs(v);
}

static uint32_t rd32(struct copy_in *r)
{
	uint32_t v;

	if (r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, 4);
	r->p += 4;
	return ntohl(v);
}

/* The next field: its bytes and length, or NULL for SQL NULL. */
static const char *rdfield(struct copy_in *r, size_t *len)
{
	uint32_t n = rd32(r);
	const char *f;

	*len = 0;
	if (r->bad || n == 0xffffffffu)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	f = r->p;
	r->p += n;
	*len = n;
	return f;
}

static int64_t field_int8(const char *f, size_t len, bool *ok)
{
	uint32_t hi, lo;

	if (f == NULL || len != 8) {
		*ok = false;
		return 0;
	}
	memcpy(&hi, f, 4);
	memcpy(&lo, f + 4, 4);
	return (int64_t)((uint64_t)ntohl(hi) << 32 | ntohl(lo));
}

static int field_int2(const char *f, size_t len, bool *ok)
{
	uint16_t v;

	if (f == NULL || len != 2) {
		*ok = false;
		return 0;
	}
	memcpy(&v, f, 2);
	return (int16_t)ntohs(v);
}

/* inet/cidr binary: family, bits, is_cidr, address length, address. */
static bool field_prefix(const char *f, size_t len, struct ip_prefix *out)
{
	const uint8_t *u = (const uint8_t *)f;

	memset(out, 0, sizeof(*out));
	if (f == NULL || len < 4 || (size_t)u[3] + 4 != len)
		return false;
	if (u[0] == PG_AF_INET && u[3] == 4 && u[1] <= 32)
		out->family = IP_AF4;
	else if (u[0] == PG_AF_INET6 && u[3] == 16 && u[1] <= 128)
		out->family = IP_AF6;
	else
		return false;
	out->len = u[1];
	memcpy(out->a, u + 4, u[3]);
	return true;
}

static enum rpki_state state_from(const char *f, size_t len)
{
	if (f != NULL && len == 5 && memcmp(f, "valid", 5) == 0)
		return RPKI_VALID;
	if (f != NULL && len == 7 && memcmp(f, "invalid", 7) == 0)
		return RPKI_INVALID;
	return RPKI_NOT_FOUND;
}

typedef int (*copy_row_fn)(void *arg, struct copy_in *row);

/*
 * Run a COPY ... TO STDOUT (FORMAT binary) and hand each row to fn, which
 * reads its fields from row. Returns the number of rows, or -1.
 */
static long copy_out(struct sql_conn *c, const char *what, const char *sql, int nparams,
		     const char *const *params, copy_row_fn fn, void *arg)
{
	static const char sig[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0' };
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	bool header = true, failed = false, ended = false;
	long rows = 0;
	char *buf = NULL;
	int n;

	if (res == NULL || PQresultStatus(res) != PGRES_COPY_OUT) {
		sql_set_error(c, what, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	while ((n = PQgetCopyData(c->pg, &buf, 0)) > 0) {
		struct copy_in r = { buf, buf + n, false };

		if (!failed && header) {
			uint32_t ext;

			if (n < 19 || memcmp(buf, sig, sizeof(sig)) != 0) {
				sql_set_errorf(c, "%s: not a binary COPY stream", what);
				failed = true;
			} else {
				r.p += 15;
				ext = rd32(&r);
				if ((size_t)(r.end - r.p) < ext) {
					sql_set_errorf(c, "%s: truncated COPY header", what);
					failed = true;
				}
				r.p += ext;
			}
			header = false;
		}
		if (!failed && !ended && r.p < r.end) {
			uint16_t nf;
			const char *save = r.p;

			nf = rd16(&r);
			if (nf == 0xffff) {
				ended = true;
			} else {
				r.p = save;
				if (fn(arg, &r) < 0) {
					sql_set_errorf(c, "%s: stopped by the caller", what);
					failed = true;
				} else if (r.bad) {
					sql_set_errorf(c, "%s: malformed COPY row", what);
					failed = true;
				}
				rows++;
			}
		}
		PQfreemem(buf);
		buf = NULL;
	}
	if (n == -2) {
		sql_set_error(c, what, NULL);
		failed = true;
	}
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
			sql_set_error(c, what, res);
			failed = true;
		}
		PQclear(res);
	}
	return failed ? -1 : rows;
}

/* ---- binary COPY IN writing ------------------------------------------------------ */

static void put16(struct sql_buf *b, uint16_t v)
{
	v = htons(v);
	sql_buf_put(b, &v, 2);
}

static void put32(struct sql_buf *b, uint32_t v)
{
	v = htonl(v);
	sql_buf_put(b, &v, 4);
}

static void put_int8(struct sql_buf *b, int64_t v)
{
	put32(b, 8);
	put32(b, (uint32_t)((uint64_t)v >> 32));
	put32(b, (uint32_t)v);
}

static void put_int2(struct sql_buf *b, int v)
{
	put32(b, 2);
	put16(b, (uint16_t)v);
}

static void put_text(struct sql_buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		put32(b, 0xffffffffu);
		return;
	}
	n = strlen(s);
	put32(b, (uint32_t)n);
	sql_buf_put(b, s, n);
}

static void put_cidr(struct sql_buf *b, const struct ip_prefix *p)
{
	uint8_t nb = p->family == IP_AF4 ? 4 : 16;
	uint8_t hdr[4] = { p->family == IP_AF4 ? PG_AF_INET : PG_AF_INET6, p->len, 1, nb };

	put32(b, 4u + nb);
	sql_buf_put(b, hdr, 4);
	sql_buf_put(b, p->a, nb);
}

#define COPY_FLUSH (1u << 20)

static int copy_in_start(struct sql_conn *c, const char *what, const char *sql, struct sql_buf *b)
{
	PGresult *res = PQexecParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0);

	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		sql_set_error(c, what, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	b->len = 0;
	sql_copy_header(b);
	return 0;
}

/* Send what is buffered once it is large (or always with force). */
static int copy_in_flush(struct sql_conn *c, const char *what, struct sql_buf *b, bool force)
{
	if (b->len == 0 || (!force && b->len < COPY_FLUSH))
		return 0;
	if (PQputCopyData(c->pg, b->d, (int)b->len) != 1) {
		sql_set_error(c, what, NULL);
		return -1;
	}
	b->len = 0;
	return 0;
}

static int copy_in_end(struct sql_conn *c, const char *what, struct sql_buf *b, bool ok)
{
	PGresult *res;
	int rc = ok ? 0 : -1;

	if (ok) {
		sql_copy_trailer(b);
		if (copy_in_flush(c, what, b, true) < 0)
			rc = -1;
	}
	if (PQputCopyEnd(c->pg, rc == 0 ? NULL : "aborted") != 1 && rc == 0) {
		sql_set_error(c, what, NULL);
		rc = -1;
	}
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			sql_set_error(c, what, res);
			rc = -1;
		}
		PQclear(res);
	}
	return rc;
}

/* A text[] literal for parameters: {"A","B"}; NULL-terminated list. */
static char *text_array(const char *const *v, size_t n)
{
	struct sql_buf b = { 0 };
	char *s;

	sql_buf_put(&b, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sql_buf_put(&b, ",", 1);
		sql_buf_put(&b, "\"", 1);
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				sql_buf_put(&b, "\\", 1);
			sql_buf_put(&b, p, 1);
		}
		sql_buf_put(&b, "\"", 1);
	}
	sql_buf_put(&b, "}", 2);	/* with the NUL */
	s = xstrdup(b.d);
	sql_buf_free(&b);
	return s;
}

static size_t list_len(const char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* ---- routes ------------------------------------------------------------------------- */

struct route_read {
	sql_route_cb cb;
	void *arg;
	char *src;		/* the last source seen, NUL-terminated */
	size_t srccap;
};

static int route_row(void *arg, struct copy_in *r)
{
	struct route_read *rr = arg;
	struct sql_route rt;
	const char *f;
	size_t len;
	bool ok = true;

	memset(&rt, 0, sizeof(rt));
	if (rd16(r) != 6)
		return (r->bad = true), 0;
	f = rdfield(r, &len);
	rt.id = field_int8(f, len, &ok);
	f = rdfield(r, &len);
	if (f == NULL)
		return (r->bad = true), 0;
	if (len + 1 > rr->srccap) {
		rr->srccap = len + 64;
		rr->src = xrealloc(rr->src, rr->srccap);
	}
	memcpy(rr->src, f, len);
	rr->src[len] = '\0';
	rt.source = rr->src;
	f = rdfield(r, &len);
	rt.cls = (f != NULL && len == 6 && memcmp(f, "route6", 6) == 0) ? RPSL_ROUTE6 : RPSL_ROUTE;
	f = rdfield(r, &len);
	rt.has_prefix = field_prefix(f, len, &rt.prefix);
	f = rdfield(r, &len);
	if (f != NULL) {
		bool ook = true;
		int64_t o = field_int8(f, len, &ook);

		rt.has_origin = ook && o >= 0 && o <= 0xffffffffLL;
		rt.origin = rt.has_origin ? (uint32_t)o : 0;
	}
	f = rdfield(r, &len);
	rt.rpki_status = state_from(f, len);
	if (!ok || r->bad)
		return (r->bad = true), 0;
	return rr->cb(rr->arg, &rt);
}

int sql_routes_foreach(struct sql_conn *c, sql_route_cb cb, void *arg)
{
	struct route_read rr = { cb, arg, NULL, 0 };
	long n;

	n = copy_out(c, "routes",
		     "COPY (SELECT id, source, object_class, prefix, origin, rpki_status FROM rpsl_objects"
		     " WHERE object_class IN ('route', 'route6')) TO STDOUT (FORMAT binary)",
		     0, NULL, route_row, &rr);
	free(rr.src);
	return n < 0 ? -1 : 0;
}

/* ---- status writes ---------------------------------------------------------------------- */

static const char rpki_tmp_sql[] =
	"CREATE TEMP TABLE irrd_rpki_change (id bigint, source text COLLATE \"C\","
	" old rpkistatus, new rpkistatus) ON COMMIT DROP;\n"
	"CREATE TEMP TABLE irrd_rpki_applied (source text COLLATE \"C\", object_class text COLLATE \"C\","
	" rpsl_pk text COLLATE \"C\", old rpkistatus, new rpkistatus, object_text text) ON COMMIT DROP";

/*
 * Apply the changes whose row still has the old status; remember what was
 * written, with the text where a journal entry ($1: journal sources) or a
 * notification ($2: notify sources) needs it.
 */
static const char rpki_update_sql[] =
	"WITH u AS (\n"
	"  UPDATE rpsl_objects o SET rpki_status = t.new\n"
	"    FROM irrd_rpki_change t\n"
	"    WHERE o.id = t.id AND o.source = t.source AND o.rpki_status = t.old\n"
	"      AND o.object_class IN ('route', 'route6') AND t.source <> ALL ($3::text[])\n"
	"    RETURNING o.source, o.object_class, o.rpsl_pk, t.old, t.new,\n"
	"      CASE WHEN (o.source = ANY ($1::text[]) AND (t.old = 'invalid') <> (t.new = 'invalid'))\n"
	"             OR (o.source = ANY ($2::text[]) AND t.new = 'invalid')\n"
	"        THEN o.object_text END AS object_text)\n"
	"INSERT INTO irrd_rpki_applied SELECT * FROM u";

/*
 * A change of a large part of a source is cheaper as a rewrite of its
 * partition than as an UPDATE: PostgreSQL writes a new version of every
 * updated row with an entry in every index (the GIN index of lookup keys
 * among them) plus the object_change trigger's row, about 50-100 us a row,
 * where copying the partition and building its indexes in bulk costs about
 * 15 us a row of the partition. Sources that have a partition of their
 * own (every bulk-loaded source) and more than REWRITE_MIN changes making
 * up at least 1/REWRITE_SHARE of its rows are rewritten.
 */
#define REWRITE_MIN	20000
#define REWRITE_SHARE	5

static const char rpki_plan_sql[] =
	"WITH parts AS (\n"
	"  SELECT c.oid::regclass::text AS part, c.reltuples, pg_get_expr(c.relpartbound, c.oid) AS bound\n"
	"    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid\n"
	"    WHERE i.inhparent = 'rpsl_objects'::regclass)\n"
	"SELECT t.source, t.n, p.part, COALESCE(p.reltuples, -1)::bigint\n"
	"  FROM (SELECT source, count(*) AS n FROM irrd_rpki_change GROUP BY source) t\n"
	"    LEFT JOIN parts p ON p.bound = format('FOR VALUES IN (%L)', t.source)\n"
	"  ORDER BY t.source";

/* The rows a rewrite of source $3 changes (its partition is locked). */
static const char rpki_rewrite_applied_sql[] =
	"INSERT INTO irrd_rpki_applied\n"
	"  SELECT o.source, o.object_class, o.rpsl_pk, t.old, t.new,\n"
	"      CASE WHEN (o.source = ANY ($1::text[]) AND (t.old = 'invalid') <> (t.new = 'invalid'))\n"
	"             OR (o.source = ANY ($2::text[]) AND t.new = 'invalid')\n"
	"        THEN o.object_text END\n"
	"    FROM rpsl_objects o JOIN irrd_rpki_change t\n"
	"      ON o.id = t.id AND o.source = t.source AND o.rpki_status = t.old\n"
	"    WHERE o.source = $3 AND t.source = $3 AND o.object_class IN ('route', 'route6')";

/* The column lists of a copy of rpsl_objects with rpki_status replaced,
 * from the catalog, so that a column added later is carried along. */
static const char rpki_rewrite_cols_sql[] =
	"SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum),\n"
	"    string_agg(CASE WHEN attname = 'rpki_status' THEN 'COALESCE(t.new, o.rpki_status)'\n"
	"      ELSE 'o.' || quote_ident(attname) END, ', ' ORDER BY attnum)\n"
	"  FROM pg_attribute WHERE attrelid = 'rpsl_objects'::regclass AND attnum > 0 AND NOT attisdropped";

static bool load_table_name(const char *t)
{
	if (strncmp(t, "rpsl_objects_load_", 18) != 0 || t[18] == '\0')
		return false;
	for (const char *p = t + 18; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * Rewrite the partition part of source with the new statuses: copy it
 * into a new table (irrd_load_begin, as a bulk load), swap the new one in
 * (ATTACH builds the parent's indexes on it in bulk) and record the
 * changed rows in object_change, as the trigger would have.
 */
static int rpki_rewrite(struct sql_conn *c, const char *source, const char *part, const char *const *p2)
{
	const char *params[3] = { p2[0], p2[1], source };
	char *q = NULL, *t = NULL, *cols = NULL, *exprs = NULL, *lit = NULL;
	PGresult *res;
	int rc = -1;

	q = xasprintf("LOCK TABLE %s IN SHARE MODE", part);
	if (sql_do(c, "rpki rewrite", q, 0, NULL) < 0)
		goto out;
	if (sql_do(c, "rpki rewrite", rpki_rewrite_applied_sql, 3, params) < 0)
		goto out;
	res = sql_run(c, "rpki rewrite", PGRES_TUPLES_OK, "SELECT irrd_load_begin($1), quote_literal($1)", 1,
		      &params[2]);
	if (res == NULL)
		goto out;
	t = xstrdup(PQgetvalue(res, 0, 0));
	lit = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!load_table_name(t)) {
		sql_set_errorf(c, "rpki rewrite: unexpected table name %s", t);
		goto out;
	}
	res = sql_run(c, "rpki rewrite", PGRES_TUPLES_OK, rpki_rewrite_cols_sql, 0, NULL);
	if (res == NULL)
		goto out;
	cols = xstrdup(PQgetvalue(res, 0, 0));
	exprs = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	free(q);
	q = xasprintf("INSERT INTO %s (%s) SELECT %s FROM %s o LEFT JOIN irrd_rpki_change t"
		      " ON t.id = o.id AND t.source = o.source AND t.old = o.rpki_status", t, cols, exprs, part);
	if (sql_do(c, "rpki rewrite", q, 0, NULL) < 0)
		goto out;
	free(q);
	/* GIN builds get slower with more memory (see irrd_load_finish) */
	q = xasprintf("SET LOCAL maintenance_work_mem = '64MB'; DROP TABLE %s;"
		      " ALTER TABLE rpsl_objects ATTACH PARTITION %s FOR VALUES IN (%s); ANALYZE %s", part, t, lit, t);
	if (sql_script(c, "rpki rewrite", q) < 0)
		goto out;
	if (sql_do(c, "rpki rewrite", "LOCK TABLE object_change IN EXCLUSIVE MODE", 0, NULL) < 0 ||
	    sql_do(c, "rpki rewrite", "INSERT INTO object_change (op, source, object_class, rpsl_pk)"
		   " SELECT 'ADD', source, object_class, rpsl_pk FROM irrd_rpki_applied WHERE source = $1"
		   " ORDER BY rpsl_pk, object_class", 1, &params[2]) < 0 ||
	    sql_do(c, "rpki rewrite", "SELECT pg_notify('" SQL_CHANGE_CHANNEL "', '')", 0, NULL) < 0)
		goto out;
	rc = 0;
out:
	free(q);
	free(t);
	free(cols);
	free(exprs);
	free(lit);
	return rc;
}

/* Journal entries with the next serials of each source, as every journal
 * writer computes them (the table lock is held): ADDs first, then DELs. */
static const char rpki_journal_sql[] =
	"WITH base AS MATERIALIZED (\n"
	"  SELECT s.source, COALESCE((SELECT max(serial_nrtm) FROM rpsl_database_journal j\n"
	"        WHERE j.source = s.source),\n"
	"      (SELECT serial_newest_seen FROM database_status d WHERE d.source = s.source), 0) AS serial\n"
	"    FROM unnest($1::text[]) AS s(source))\n"
	"INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"    object_class, object_text)\n"
	"  SELECT a.rpsl_pk, a.source, 'rpki_status',\n"
	"      base.serial + row_number() OVER (PARTITION BY a.source\n"
	"        ORDER BY a.new = 'invalid', a.rpsl_pk, a.object_class),\n"
	"      CASE WHEN a.new = 'invalid' THEN 'DEL' ELSE 'ADD' END::databaseoperation,\n"
	"      a.object_class, a.object_text\n"
	"    FROM irrd_rpki_applied a JOIN base ON base.source = a.source\n"
	"    WHERE (a.old = 'invalid') <> (a.new = 'invalid')";

static const char rpki_journal_count_sql[] =
	"SELECT count(*) FILTER (WHERE new <> 'invalid'), count(*) FILTER (WHERE new = 'invalid')\n"
	"  FROM irrd_rpki_applied WHERE source = ANY ($1::text[]) AND (old = 'invalid') <> (new = 'invalid')";

/* database_status of the sources that got entries, as after any journal write. */
static const char rpki_status_sql[] =
	"INSERT INTO database_status (source)\n"
	"  SELECT DISTINCT source FROM irrd_rpki_applied\n"
	"    WHERE source = ANY ($1::text[]) AND (old = 'invalid') <> (new = 'invalid')\n"
	"  ON CONFLICT (source) DO NOTHING;\n";
static const char rpki_status_serials_sql[] =
	"UPDATE database_status st SET\n"
	"    serial_oldest_journal = j.lo, serial_newest_journal = j.hi,\n"
	"    serial_oldest_seen = LEAST(st.serial_oldest_seen, j.lo),\n"
	"    serial_newest_seen = GREATEST(st.serial_newest_seen, j.hi), updated = now()\n"
	"  FROM (SELECT s.source,\n"
	"          (SELECT min(serial_nrtm) FROM rpsl_database_journal x WHERE x.source = s.source) AS lo,\n"
	"          (SELECT max(serial_nrtm) FROM rpsl_database_journal x WHERE x.source = s.source) AS hi\n"
	"        FROM (SELECT DISTINCT source FROM irrd_rpki_applied\n"
	"          WHERE source = ANY ($1::text[]) AND (old = 'invalid') <> (new = 'invalid')) s) j\n"
	"  WHERE st.source = j.source";

static int rpki_copy_changes(struct sql_conn *c, const struct sql_rpki_change *ch, size_t n)
{
	struct sql_buf b = { 0 };
	int rc = 0;

	if (copy_in_start(c, "rpki status", "COPY irrd_rpki_change (id, source, old, new) FROM STDIN"
			  " (FORMAT binary)", &b) < 0) {
		sql_buf_free(&b);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		put16(&b, 4);
		put_int8(&b, ch[i].id);
		put_text(&b, ch[i].source);
		put_text(&b, rpki_state_name(ch[i].old_status));
		put_text(&b, rpki_state_name(ch[i].new_status));
		rc = copy_in_flush(c, "rpki status", &b, false);
	}
	rc = copy_in_end(c, "rpki status", &b, rc == 0);
	sql_buf_free(&b);
	return rc;
}

int sql_rpki_status_write(struct sql_conn *c, const struct sql_rpki_change *ch, size_t n,
			  const struct sql_rpki_write_opts *o, struct sql_rpki_write_stats *st)
{
	char *jsrc = text_array(o->journal_sources, list_len(o->journal_sources));
	char *nsrc = text_array(o->notify_sources, list_len(o->notify_sources));
	const char *params[3] = { jsrc, nsrc, NULL };
	char **rw = NULL, **rwpart = NULL, *rwsrc = NULL;
	size_t nrw = 0;
	long rmin = o->rewrite_min > 0 ? o->rewrite_min : REWRITE_MIN;
	PGresult *res;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (sql_script(c, "rpki status", rpki_tmp_sql) < 0 || rpki_copy_changes(c, ch, n) < 0)
		goto out;
	if (sql_do(c, "rpki status", "ANALYZE irrd_rpki_change", 0, NULL) < 0)
		goto out;
	/* which sources are rewritten */
	res = sql_run(c, "rpki status", PGRES_TUPLES_OK, rpki_plan_sql, 0, NULL);
	if (res == NULL)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		long nch = strtol(PQgetvalue(res, r, 1), NULL, 10);
		long rows = strtol(PQgetvalue(res, r, 3), NULL, 10);

		if (PQgetisnull(res, r, 2) || o->rewrite_min < 0 || nch < rmin ||
		    (long long)nch * REWRITE_SHARE < rows)
			continue;
		rw = xrealloc(rw, (nrw + 2) * sizeof(*rw));
		rwpart = xrealloc(rwpart, (nrw + 1) * sizeof(*rwpart));
		rw[nrw] = xstrdup(PQgetvalue(res, r, 0));
		rwpart[nrw] = xstrdup(PQgetvalue(res, r, 2));
		rw[++nrw] = NULL;
	}
	PQclear(res);
	rwsrc = text_array((const char *const *)rw, nrw);
	params[2] = rwsrc;
	for (size_t i = 0; i < nrw; i++)
		if (rpki_rewrite(c, rw[i], rwpart[i], params) < 0)
			goto out;
	st->rewritten = (long)nrw;
	res = sql_run(c, "rpki status", PGRES_COMMAND_OK, rpki_update_sql, 3, params);
	if (res == NULL)
		goto out;
	PQclear(res);
	if (sql_do(c, "rpki status", "ANALYZE irrd_rpki_applied", 0, NULL) < 0)
		goto out;
	res = sql_run(c, "rpki status", PGRES_TUPLES_OK, "SELECT count(*) FROM irrd_rpki_applied", 0, NULL);
	if (res == NULL)
		goto out;
	st->updated = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	st->skipped = (long)n - st->updated;
	PQclear(res);

	if (list_len(o->journal_sources) > 0) {
		/* a mirror whose journal carries the upstream serials
		 * (synchronised_serials) gets no local entries: they would
		 * collide with the next upstream serial. (IRRd synchronises
		 * serials only where RPKI-aware mode does not apply.) */
		res = sql_run(c, "rpki journal", PGRES_TUPLES_OK,
			      "SELECT COALESCE(array_agg(s), '{}') FROM unnest($1::text[]) AS s WHERE NOT EXISTS"
			      " (SELECT 1 FROM database_status d WHERE d.source = s AND d.synchronised_serials)",
			      1, params);
		if (res == NULL)
			goto out;
		free(jsrc);
		jsrc = xstrdup(PQgetvalue(res, 0, 0));
		params[0] = jsrc;
		PQclear(res);
		res = sql_run(c, "rpki journal", PGRES_TUPLES_OK, rpki_journal_count_sql, 1, params);
		if (res == NULL)
			goto out;
		st->journal_add = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		st->journal_del = strtol(PQgetvalue(res, 0, 1), NULL, 10);
		PQclear(res);
	}
	if (st->journal_add + st->journal_del > 0) {
		/* gap-free serials: one journal writer at a time, as IRRd */
		if (sql_do(c, "rpki journal", "LOCK TABLE rpsl_database_journal IN EXCLUSIVE MODE", 0, NULL) < 0 ||
		    sql_do(c, "rpki journal", rpki_journal_sql, 1, params) < 0 ||
		    sql_do(c, "rpki journal", rpki_status_sql, 1, params) < 0 ||
		    sql_do(c, "rpki journal", rpki_status_serials_sql, 1, params) < 0)
			goto out;
	}

	if (o->invalid_cb != NULL && list_len(o->notify_sources) > 0) {
		res = sql_run(c, "rpki invalid", PGRES_TUPLES_OK,
			      "SELECT source, object_class, rpsl_pk, object_text FROM irrd_rpki_applied"
			      " WHERE new = 'invalid' AND source = ANY ($1::text[]) AND object_text IS NOT NULL"
			      " ORDER BY source, rpsl_pk, object_class", 1, (const char *const *)&params[1]);
		if (res == NULL)
			goto out;
		for (int r = 0; r < PQntuples(res); r++) {
			struct sql_rpki_changed ck = {
				PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
				PQgetvalue(res, r, 3), (size_t)PQgetlength(res, r, 3)
			};
			if (o->invalid_cb(o->arg, &ck) < 0) {
				sql_set_errorf(c, "rpki invalid: stopped");
				PQclear(res);
				goto out;
			}
		}
		PQclear(res);
	}
	/* the temporary tables go at commit; drop them now so that a
	 * second write in the same transaction works too */
	if (sql_script(c, "rpki status", "DROP TABLE irrd_rpki_change; DROP TABLE irrd_rpki_applied") < 0)
		goto out;
	rc = 0;
out:
	for (size_t i = 0; i < nrw; i++) {
		free(rw[i]);
		free(rwpart[i]);
	}
	free(rw);
	free(rwpart);
	free(rwsrc);
	free(jsrc);
	free(nsrc);
	return rc;
}

/* ---- roa_object --------------------------------------------------------------------------- */

struct roa_read {
	sql_roa_cb cb;
	void *arg;
	char *ta;
	size_t tacap;
};

static int roa_row(void *arg, struct copy_in *r)
{
	struct roa_read *rr = arg;
	struct sql_roa ro;
	const char *f;
	size_t len;
	bool ok = true;
	int64_t asn;
	int ml;

	memset(&ro, 0, sizeof(ro));
	if (rd16(r) != 4)
		return (r->bad = true), 0;
	f = rdfield(r, &len);
	if (!field_prefix(f, len, &ro.prefix))
		return (r->bad = true), 0;
	f = rdfield(r, &len);
	asn = field_int8(f, len, &ok);
	f = rdfield(r, &len);
	ml = field_int2(f, len, &ok);
	if (!ok || asn < 0 || asn > 0xffffffffLL || ml < ro.prefix.len ||
	    ml > (int)ip_maxlen(ro.prefix.family))
		return (r->bad = true), 0;
	ro.asn = (uint32_t)asn;
	ro.maxlen = (uint8_t)ml;
	f = rdfield(r, &len);
	if (f != NULL) {
		if (len + 1 > rr->tacap) {
			rr->tacap = len + 64;
			rr->ta = xrealloc(rr->ta, rr->tacap);
		}
		memcpy(rr->ta, f, len);
		rr->ta[len] = '\0';
		ro.ta = rr->ta;
	}
	if (r->bad)
		return 0;
	return rr->cb(rr->arg, &ro);
}

int sql_roa_load(struct sql_conn *c, sql_roa_cb cb, void *arg)
{
	struct roa_read rr = { cb, arg, NULL, 0 };
	long n;

	n = copy_out(c, "roa_object",
		     "COPY (SELECT prefix, asn, max_length, trust_anchor FROM roa_object)"
		     " TO STDOUT (FORMAT binary)", 0, NULL, roa_row, &rr);
	free(rr.ta);
	return n < 0 ? -1 : 0;
}

int sql_roa_lock(struct sql_conn *c)
{
	/* irrd_load_begin's lock first: a partition rewrite (above) swaps
	 * partitions as a bulk load does, and taking the lock before any
	 * table lock is what keeps the two from deadlocking */
	/* then the journal lock, before touching any row: every other writer
	 * (sql/change.c: mirrors, e-mail) takes it before writing objects, so
	 * one lock order for all of them means no deadlock */
	return sql_do(c, "roa_object", "SELECT pg_advisory_xact_lock(hashtext('irrd_load'))", 0, NULL) < 0 ||
	       sql_do(c, "roa_object", "LOCK TABLE rpsl_database_journal IN EXCLUSIVE MODE", 0, NULL) < 0 ||
	       sql_do(c, "roa_object", "LOCK TABLE roa_object IN EXCLUSIVE MODE", 0, NULL) < 0 ? -1 : 0;
}

long sql_roa_count(struct sql_conn *c)
{
	PGresult *res = sql_run(c, "roa_object", PGRES_TUPLES_OK, "SELECT count(*) FROM roa_object", 0, NULL);
	long n;

	if (res == NULL)
		return -1;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static int roa_copy(struct sql_conn *c, const char *sql, const struct sql_roa *v, size_t n,
		    bool with_version)
{
	struct sql_buf b = { 0 };
	int rc = 0;

	if (copy_in_start(c, "roa_object", sql, &b) < 0) {
		sql_buf_free(&b);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		put16(&b, with_version ? 5 : 4);
		put_cidr(&b, &v[i].prefix);
		put_int8(&b, v[i].asn);
		put_int2(&b, v[i].maxlen);
		put_text(&b, v[i].ta);
		if (with_version)
			put_int2(&b, v[i].prefix.family);
		rc = copy_in_flush(c, "roa_object", &b, false);
	}
	rc = copy_in_end(c, "roa_object", &b, rc == 0);
	sql_buf_free(&b);
	return rc;
}

int sql_roa_write(struct sql_conn *c, bool all, const struct sql_roa *del, size_t ndel,
		  const struct sql_roa *add, size_t nadd)
{
	if (all) {
		if (sql_do(c, "roa_object", "DELETE FROM roa_object", 0, NULL) < 0)
			return -1;
	} else if (ndel > 0) {
		if (sql_do(c, "roa_object", "CREATE TEMP TABLE irrd_roa_del (prefix cidr, asn bigint,"
			   " max_length smallint, trust_anchor text) ON COMMIT DROP", 0, NULL) < 0 ||
		    roa_copy(c, "COPY irrd_roa_del (prefix, asn, max_length, trust_anchor) FROM STDIN"
			     " (FORMAT binary)", del, ndel, false) < 0 ||
		    sql_do(c, "roa_object", "DELETE FROM roa_object r USING irrd_roa_del d"
			   " WHERE r.prefix = d.prefix AND r.asn = d.asn AND r.max_length = d.max_length"
			   " AND r.trust_anchor IS NOT DISTINCT FROM d.trust_anchor", 0, NULL) < 0 ||
		    sql_do(c, "roa_object", "DROP TABLE irrd_roa_del", 0, NULL) < 0)
			return -1;
	}
	if (nadd > 0 &&
	    roa_copy(c, "COPY roa_object (prefix, asn, max_length, trust_anchor, ip_version) FROM STDIN"
		     " (FORMAT binary)", add, nadd, true) < 0)
		return -1;
	return 0;
}

/* ---- objects by key ----------------------------------------------------------------------------- */

int sql_objects_by_pks(struct sql_conn *c, const char *source, const char *const *classes,
		       size_t nclasses, const char *const *pks, size_t npks, sql_object_cb cb,
		       void *arg)
{
	char *cls, *keys;
	const char *params[3];
	PGresult *res;
	int rc = 0;

	if (npks == 0 || nclasses == 0)
		return 0;
	cls = text_array(classes, nclasses);
	keys = text_array(pks, npks);
	params[0] = source;
	params[1] = cls;
	params[2] = keys;
	res = sql_run(c, "objects", PGRES_TUPLES_OK,
		      "SELECT id, source, object_class, rpsl_pk, object_text, rpki_status FROM rpsl_objects"
		      " WHERE source = $1 AND object_class = ANY ($2::text[]) AND rpsl_pk = ANY ($3::text[])"
		      " ORDER BY rpsl_pk, object_class", 3, params);
	free(cls);
	free(keys);
	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		struct sql_object_row row = {
			strtoll(PQgetvalue(res, r, 0), NULL, 10), PQgetvalue(res, r, 1),
			PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 4),
			(size_t)PQgetlength(res, r, 4),
			state_from(PQgetvalue(res, r, 5), (size_t)PQgetlength(res, r, 5))
		};
		rc = cb(arg, &row) < 0 ? -1 : 0;
	}
	PQclear(res);
	return rc;
}

/* ---- cancelling ---------------------------------------------------------------------------------- */

struct sql_cancel {
	PGcancel *pc;
};

struct sql_cancel *sql_cancel_new(struct sql_conn *c)
{
	struct sql_cancel *k = xcalloc(1, sizeof(*k));

	k->pc = PQgetCancel(c->pg);
	return k;
}

int sql_cancel_send(struct sql_cancel *k)
{
	char buf[256];

	if (k == NULL || k->pc == NULL)
		return -1;
	return PQcancel(k->pc, buf, sizeof(buf)) ? 0 : -1;
}

void sql_cancel_free(struct sql_cancel *k)
{
	if (k == NULL)
		return;
	if (k->pc != NULL)
		PQfreeCancel(k->pc);
	free(k);
}
