/* sql_schema_test.c - migrations against a real PostgreSQL: create, idempotent
 * re-run, refusal of a newer schema, sql_schema_check's verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static char *url;

static struct sql_conn *conn(void)
{
	char *err = NULL;
	struct sql_conn *c = sql_connect(url, &err);

	CHECK_MSG(c != NULL, "%s", err ? err : "");
	free(err);
	return c;
}

static void test_fresh(void)
{
	struct sql_conn *c = conn();
	char *err = NULL;

	if (c == NULL)
		return;
	CHECK_INT(sql_schema_version(c), 0);
	CHECK_INT(sql_schema_check(c, &err), -1);
	CHECK_STR(err, "database has no schema: run irrd_database_upgrade");
	free(err);

	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	CHECK(err == NULL);
	CHECK_INT(sql_schema_version(c), SQL_SCHEMA_VERSION);
	CHECK_INT(sql_schema_check(c, &err), 0);
	CHECK(err == NULL);

	/* IRRd's table names are there */
	CHECK_INT(sql_exec(c, "SELECT 1 FROM information_schema.tables WHERE table_name IN"
			   " ('rpsl_objects', 'rpsl_database_journal', 'database_status', 'roa_object',"
			   " 'object_change', 'schema_version')", 0, NULL), 6);
	sql_close(c);
}

static void test_idempotent(void)
{
	struct sql_conn *c = conn();
	char *err = NULL;

	if (c == NULL)
		return;
	/* data survives a second run */
	CHECK_INT(sql_exec(c, "INSERT INTO database_status (source) VALUES ('KEEP')", 0, NULL), 1);
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	CHECK(err == NULL);
	free(err);
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	CHECK_INT(sql_schema_version(c), SQL_SCHEMA_VERSION);
	CHECK_INT(sql_exec(c, "SELECT 1 FROM database_status WHERE source = 'KEEP'", 0, NULL), 1);
	CHECK_INT(sql_exec(c, "SELECT 1 FROM schema_version", 0, NULL), 1);
	sql_close(c);
}

static void test_newer(void)
{
	struct sql_conn *c = conn();
	char *err = NULL;
	char want[200];

	if (c == NULL)
		return;
	CHECK_INT(sql_exec(c, "UPDATE schema_version SET version = 99", 0, NULL), 1);
	CHECK_INT(sql_schema_upgrade(c, &err), -1);
	snprintf(want, sizeof(want), "database schema version 99 is newer than this program's version %d:"
		 " refusing to touch it (use a newer irrd_database_upgrade)", SQL_SCHEMA_VERSION);
	CHECK_STR(err, want);
	free(err);
	CHECK_INT(sql_schema_version(c), 99);	/* untouched */
	CHECK_INT(sql_schema_check(c, &err), -1);
	CHECK(err != NULL && strstr(err, "is newer than this program's") != NULL);
	free(err);
	CHECK_INT(sql_exec(c, "UPDATE schema_version SET version = $1::int", 1,
			   (const char *const[]){ "1" }), 1);
	sql_close(c);
}

static void test_connect_errors(void)
{
	char *err = NULL;
	struct sql_conn *c;

	c = sql_connect("postgresql://irrd@127.0.0.1:1/nowhere", &err);
	CHECK(c == NULL);
	CHECK_MSG(err != NULL && strncmp(err, "database_url: cannot connect: ", 30) == 0 &&
		  strchr(err, '\n') == NULL, "%s", err ? err : "(null)");
	free(err);
	c = sql_connect(NULL, &err);
	CHECK(c == NULL);
	CHECK_STR(err, "database_url: not set");
	free(err);
}

int main(void)
{
	log_init("sql_schema_test");
	url = test_db_create("sql_schema_test");
	TEST_RUN(test_fresh);
	TEST_RUN(test_idempotent);
	TEST_RUN(test_newer);
	TEST_RUN(test_connect_errors);
	test_db_drop();
	free(url);
	return test_summary("sql_schema_test");
}
