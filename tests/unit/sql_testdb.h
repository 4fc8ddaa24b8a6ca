/*
 * sql_testdb.h - a fresh database per sql/ unit test, on the throwaway
 * cluster scripts/run_tests.sh starts (IRRD_TEST_DATABASE_URL). Without
 * that variable the test FAILS: these tests need a real PostgreSQL.
 */
#ifndef TESTS_SQL_TESTDB_H
#define TESTS_SQL_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpsl/log.h"
#include "sql/sql.h"

static char test_db_name[64];
static char *test_db_admin_url;

/* The base URL or exit with a failure count line. */
static inline const char *test_db_base_url(const char *suite)
{
	const char *u = getenv("IRRD_TEST_DATABASE_URL");

	if (u == NULL || *u == '\0') {
		fprintf(stderr, "FAIL %s: IRRD_TEST_DATABASE_URL is not set; this test needs a real "
			"PostgreSQL (run it through scripts/run_tests.sh)\n", suite);
		printf("%s: 0 passed, 1 failed\n", suite);
		exit(1);
	}
	return u;
}

/* "postgresql://u@h:p/db?x" with the database replaced by name. */
static inline char *test_db_url_for(const char *base, const char *name)
{
	const char *scheme = strstr(base, "://");
	const char *slash = strchr(scheme ? scheme + 3 : base, '/');
	const char *q;

	if (slash == NULL)
		return xasprintf("%s/%s", base, name);
	q = strchr(slash, '?');
	return xasprintf("%.*s/%s%s", (int)(slash - base), base, name, q ? q : "");
}

/* Create a new empty database and return its URL (caller frees). */
static inline char *test_db_create(const char *suite)
{
	const char *base = test_db_base_url(suite);
	struct sql_conn *c;
	char *err = NULL, *q, *url;

	snprintf(test_db_name, sizeof(test_db_name), "%s_%ld", suite, (long)getpid());
	test_db_admin_url = xstrdup(base);
	c = sql_connect(base, &err);
	if (c == NULL) {
		fprintf(stderr, "FAIL %s: %s\n", suite, err);
		printf("%s: 0 passed, 1 failed\n", suite);
		exit(1);
	}
	q = xasprintf("DROP DATABASE IF EXISTS %s", test_db_name);
	sql_exec(c, q, 0, NULL);
	free(q);
	q = xasprintf("CREATE DATABASE %s", test_db_name);
	if (sql_exec(c, q, 0, NULL) < 0) {
		fprintf(stderr, "FAIL %s: %s\n", suite, sql_error(c));
		printf("%s: 0 passed, 1 failed\n", suite);
		exit(1);
	}
	free(q);
	sql_close(c);
	url = test_db_url_for(base, test_db_name);
	return url;
}

static inline void test_db_drop(void)
{
	struct sql_conn *c;
	char *err = NULL, *q;

	if (test_db_admin_url == NULL)
		return;
	c = sql_connect(test_db_admin_url, &err);
	if (c != NULL) {
		q = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", test_db_name);
		sql_exec(c, q, 0, NULL);
		free(q);
		sql_close(c);
	}
	free(err);
	free(test_db_admin_url);
	test_db_admin_url = NULL;
}

#endif
