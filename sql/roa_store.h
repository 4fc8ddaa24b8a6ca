/*
 * roa_store.h - reading the ROA set in force from the roa_object table
 * (roa_store.c). Whoever imports ROAs writes that table; readers such as
 * the e-mail submission checks (mail/) build a struct roa_set from the rows
 * with roa_set_new() (rpki/ is above sql/, so rows come back as text).
 */
#ifndef SQL_ROA_STORE_H
#define SQL_ROA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rpsl/prefix.h"
#include "sql/sql.h"

/* One ROA row. Strings valid during the callback only. */
struct sql_roa_row {
	const char *prefix;		/* "192.0.2.0/24", "2001:db8::/32" */
	uint32_t asn;
	int max_length;
	const char *trust_anchor;	/* "" if NULL */
};
typedef int (*sql_roa_row_cb)(void *arg, const struct sql_roa_row *row);

/* Every row of roa_object; cb returning -1 stops with -1. */
int sql_roas_foreach(struct sql_conn *c, sql_roa_row_cb cb, void *arg);
/* The rows whose prefix covers (or equals) one of prefixes[]; each row
 * once. One scan of the table however many prefixes. 0 or -1 (sql_error()
 * says why). */
int sql_roas_covering(struct sql_conn *c, const struct ip_prefix *prefixes, size_t n,
		      sql_roa_row_cb cb, void *arg);

#endif
