/*
 * lookup.c - object queries for change submissions (lookup.h): inbound
 * references through the lookup column's GIN index, and route parent
 * candidates through the prefix index. Lists go to the server as one text
 * array parameter; nothing is spliced into SQL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/lookup.h"
#include "sql/sql_int.h"

/* A PostgreSQL array literal {"a","b"} of the strings; caller frees. */
char *sql_text_array(const char *const *v, size_t n)
{
	size_t cap = 3, o = 0;
	char *s;

	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(v[i]) + 3;
	s = xmalloc(cap);
	s[o++] = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			s[o++] = ',';
		s[o++] = '"';
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				s[o++] = '\\';
			s[o++] = *p;
		}
		s[o++] = '"';
	}
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

static enum rpki_state state_from_text(const char *s)
{
	if (strcmp(s, "valid") == 0)
		return RPKI_VALID;
	if (strcmp(s, "invalid") == 0)
		return RPKI_INVALID;
	return RPKI_NOT_FOUND;
}

#define ROW_COLUMNS "id, source, object_class, rpsl_pk, object_text, rpki_status"

static int rows(struct sql_conn *c, const char *what, const char *sql, int nparams,
		const char *const *params, sql_object_cb cb, void *arg)
{
	PGresult *res = sql_run(c, what, PGRES_TUPLES_OK, sql, nparams, params);
	int rc = 0;

	if (res == NULL)
		return -1;
	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		struct sql_object_row row;

		row.id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		row.source = PQgetvalue(res, r, 1);
		row.object_class = PQgetvalue(res, r, 2);
		row.rpsl_pk = PQgetvalue(res, r, 3);
		row.object_text = PQgetvalue(res, r, 4);
		row.text_len = (size_t)PQgetlength(res, r, 4);
		row.rpki_status = state_from_text(PQgetvalue(res, r, 5));
		if (cb(arg, &row) < 0) {
			sql_set_errorf(c, "%s: stopped by the caller", what);
			rc = -1;
		}
	}
	PQclear(res);
	return rc;
}

int sql_objects_by_lookup(struct sql_conn *c, const char *source, const char *const *lookups,
			  size_t n, sql_object_cb cb, void *arg)
{
	char *arr;
	const char *params[2];
	int rc;

	if (n == 0)
		return 0;
	arr = sql_text_array(lookups, n);
	params[0] = source;
	params[1] = arr;
	rc = rows(c, "objects by lookup key",
		  "SELECT " ROW_COLUMNS " FROM rpsl_objects WHERE source = $1 AND lookup && $2::text[]"
		  " ORDER BY object_class, rpsl_pk", 2, params, cb, arg);
	free(arr);
	return rc;
}

int sql_objects_by_prefixes(struct sql_conn *c, const char *source, const char *const *classes,
			    size_t nclasses, const char *const *prefixes, size_t n, sql_object_cb cb,
			    void *arg)
{
	char *carr, *parr;
	const char *params[3];
	int rc;

	if (n == 0 || nclasses == 0)
		return 0;
	carr = sql_text_array(classes, nclasses);
	parr = sql_text_array(prefixes, n);
	params[0] = source;
	params[1] = carr;
	params[2] = parr;
	rc = rows(c, "objects by prefix",
		  "SELECT " ROW_COLUMNS " FROM rpsl_objects WHERE source = $1"
		  " AND object_class = ANY($2::text[]) AND prefix = ANY($3::cidr[])"
		  " ORDER BY ip_first, asn_first, rpsl_pk", 3, params, cb, arg);
	free(carr);
	free(parr);
	return rc;
}

int sql_objects_by_keys(struct sql_conn *c, const char *source, const char *const *classes,
			const char *const *pks, size_t n, sql_object_cb cb, void *arg)
{
	char *carr, *parr;
	const char *params[3];
	int rc;

	if (n == 0)
		return 0;
	carr = sql_text_array(classes, n);
	parr = sql_text_array(pks, n);
	params[0] = source;
	params[1] = carr;
	params[2] = parr;
	rc = rows(c, "objects by key",
		  "SELECT " ROW_COLUMNS " FROM rpsl_objects WHERE source = $1"
		  " AND (rpsl_pk, object_class) IN (SELECT k.pk, k.cls FROM unnest($3::text[], $2::text[]) AS k(pk, cls))",
		  3, params, cb, arg);
	free(carr);
	free(parr);
	return rc;
}

int sql_objects_unaligned_ranges(struct sql_conn *c, const char *source, const char *object_class,
				 sql_object_cb cb, void *arg)
{
	const char *params[2] = { source, object_class };

	return rows(c, "address ranges",
		    "SELECT " ROW_COLUMNS " FROM rpsl_objects WHERE source = $1 AND object_class = $2"
		    " AND prefix IS NULL AND ip_first IS NOT NULL ORDER BY ip_first, asn_first, rpsl_pk",
		    2, params, cb, arg);
}
