/*
 * roa_store.c - reading roa_object (roa_store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/roa_store.h"
#include "sql/sql_int.h"

#include "sql/lookup.h"

static int roa_rows(struct sql_conn *c, PGresult *res, sql_roa_row_cb cb, void *arg)
{
	int rc = 0;

	for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
		struct sql_roa_row row;

		row.prefix = PQgetvalue(res, r, 0);
		row.asn = (uint32_t)strtoul(PQgetvalue(res, r, 1), NULL, 10);
		row.max_length = atoi(PQgetvalue(res, r, 2));
		row.trust_anchor = PQgetvalue(res, r, 3);	/* "" when NULL */
		if (cb(arg, &row) < 0) {
			sql_set_errorf(c, "roa_object: stopped by the caller");
			rc = -1;
		}
	}
	PQclear(res);
	return rc;
}

int sql_roas_foreach(struct sql_conn *c, sql_roa_row_cb cb, void *arg)
{
	PGresult *res = sql_run(c, "roa_object", PGRES_TUPLES_OK,
				"SELECT prefix, asn, max_length, trust_anchor FROM roa_object ORDER BY id",
				0, NULL);

	if (res == NULL)
		return -1;
	return roa_rows(c, res, cb, arg);
}

static int prefix_cmp(const void *x, const void *y)
{
	return ip_prefix_cmp(x, y);
}

int sql_roas_covering(struct sql_conn *c, const struct ip_prefix *prefixes, size_t n,
		      sql_roa_row_cb cb, void *arg)
{
	struct ip_prefix *all;
	size_t nall = 0, k = 0;
	char **text;
	PGresult *res;
	const char *params[1];
	char *arr;

	if (n == 0)
		return 0;
	/* every prefix that covers one of them, each once: the query is then
	 * an equality test (a hashed = ANY) in one scan of the table */
	for (size_t i = 0; i < n; i++)
		nall += (size_t)prefixes[i].len + 1;
	all = xcalloc(nall, sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		for (int l = prefixes[i].len; l >= 0; l--) {
			struct ip_prefix *q = &all[k++];
			unsigned bits = (unsigned)l;

			*q = prefixes[i];
			q->len = (uint8_t)l;
			for (unsigned b = bits; b < ip_maxlen(q->family); b++)
				q->a[b >> 3] &= (uint8_t)~(0x80u >> (b & 7));
		}
	}
	qsort(all, k, sizeof(*all), prefix_cmp);
	text = xcalloc(k, sizeof(*text));
	nall = 0;
	for (size_t i = 0; i < k; i++) {
		char buf[IP_PREFIX_STRLEN];

		if (i > 0 && ip_prefix_cmp(&all[i], &all[i - 1]) == 0)
			continue;
		text[nall++] = xstrdup(ip_prefix_format(&all[i], buf, sizeof(buf)));
	}
	arr = sql_text_array((const char *const *)text, nall);
	for (size_t i = 0; i < nall; i++)
		free(text[i]);
	free(text);
	free(all);
	params[0] = arr;
	res = sql_run(c, "roa_object", PGRES_TUPLES_OK,
		      "SELECT prefix, asn, max_length, trust_anchor FROM roa_object"
		      " WHERE prefix = ANY($1::cidr[]) ORDER BY id", 1, params);
	free(arr);
	if (res == NULL)
		return -1;
	return roa_rows(c, res, cb, arg);
}
