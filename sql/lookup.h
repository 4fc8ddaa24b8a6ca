/*
 * lookup.h - object queries for change submissions (lookup.c): inbound
 * references, and the candidates for a route's parent object. Rows come
 * back as struct sql_object_row (sql.h) through the callback; strings are
 * valid during the callback only, and cb returning -1 stops with -1.
 */
#ifndef SQL_LOOKUP_H
#define SQL_LOOKUP_H

#include <stddef.h>

#include "sql/sql.h"

/* Objects of source whose lookup column shares an element with
 * lookups[] ("attr=VALUE", e.g. "mnt-by=TEST-MNT"), ordered by class and
 * key. 0 or -1. */
int sql_objects_by_lookup(struct sql_conn *c, const char *source, const char *const *lookups,
			  size_t n, sql_object_cb cb, void *arg);

/* Objects of source and one of classes[] whose prefix column equals one of
 * prefixes[] (text form, e.g. every prefix covering a route). 0 or -1. */
int sql_objects_by_prefixes(struct sql_conn *c, const char *source, const char *const *classes,
			    size_t nclasses, const char *const *prefixes, size_t n, sql_object_cb cb,
			    void *arg);

/* Objects of source by key: the pairs (classes[i], pks[i]) for i < n, in
 * one query. 0 or -1. */
int sql_objects_by_keys(struct sql_conn *c, const char *source, const char *const *classes,
			const char *const *pks, size_t n, sql_object_cb cb, void *arg);

/* Objects of source and object_class that have an address range but no
 * prefix (inetnum ranges that are not one prefix). 0 or -1. */
int sql_objects_unaligned_ranges(struct sql_conn *c, const char *source, const char *object_class,
				 sql_object_cb cb, void *arg);

/* A PostgreSQL array literal {"a","b"} of the strings (for a text[]
 * parameter); caller frees. */
char *sql_text_array(const char *const *v, size_t n);

#endif
