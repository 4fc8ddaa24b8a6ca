/* sql_schema_test.c - migrations against a real PostgreSQL: create, idempotent
 * re-run, refusal of a newer schema, sql_schema_check's verdicts, the
 * in-place upgrade of a version 1 database to 2 (data kept) and the
 * change feed written by migration 2's statement triggers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "sql/sql_int.h"	/* sql_migrations, sql_script, sql_run: the upgrade test */
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
	{
		char v[16];

		snprintf(v, sizeof(v), "%d", SQL_SCHEMA_VERSION);
		CHECK_INT(sql_exec(c, "UPDATE schema_version SET version = $1::int", 1,
				   (const char *const[]){ v }), 1);
	}
	sql_close(c);
}

/* The rows of a query as "a|b" lines joined by ';' (caller frees). */
static char *rows_of(struct sql_conn *c, const char *sql)
{
	PGresult *res = sql_run(c, "test", PGRES_TUPLES_OK, sql, 0, NULL);
	char *out = xstrdup("");

	CHECK_MSG(res != NULL, "%s: %s", sql, sql_error(c));
	if (res == NULL)
		return out;
	for (int r = 0; r < PQntuples(res); r++) {
		for (int f = 0; f < PQnfields(res); f++) {
			const char *v = PQgetisnull(res, r, f) ? "NULL" : PQgetvalue(res, r, f);
			char *n = xasprintf("%s%s%s", out, f ? "|" : (r ? ";" : ""), v);
			free(out);
			out = n;
		}
	}
	PQclear(res);
	return out;
}

#define CHECK_ROWS(c, sql, want) do { \
	char *got_ = rows_of(c, sql); \
	CHECK_STR(got_, want); \
	free(got_); \
} while (0)

static int64_t max_seq(struct sql_conn *c)
{
	int64_t v = sql_changes_last_seq(c);

	CHECK(v >= 0);
	return v;
}

/* object_change rows after seq as "op|class|pk" in seq order. */
static char *changes_after(struct sql_conn *c, int64_t seq)
{
	char *q = xasprintf("SELECT op, object_class, rpsl_pk FROM object_change WHERE seq > %lld ORDER BY seq",
			    (long long)seq);
	char *r = rows_of(c, q);

	free(q);
	return r;
}

#define CHECK_CHANGES(c, seq, want) do { \
	char *got_ = changes_after(c, seq); \
	CHECK_STR(got_, want); \
	free(got_); \
} while (0)

static const char ins_sql[] =
	"INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text) VALUES ";

/*
 * A database made by migration 1 alone (what the previous release's
 * irrd_database_upgrade created), with data in it, upgraded in place.
 */
static void test_upgrade_1_to_2(void)
{
	struct sql_conn *c = conn();
	char *err = NULL, *q;

	if (c == NULL)
		return;
	CHECK_INT(sql_script(c, "reset", "DROP SCHEMA public CASCADE; CREATE SCHEMA public"), 0);
	CHECK_INT(sql_script(c, "migration 1", sql_migrations[0]), 0);
	CHECK_INT(sql_exec(c, "UPDATE schema_version SET version = 1", 0, NULL), 1);
	CHECK_INT(sql_schema_version(c), 1);
	/* version 1 behaviour: the row trigger */
	CHECK_ROWS(c, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'rpsl_objects'::regclass ORDER BY 1",
		   "rpsl_objects_change");
	q = xasprintf("%s ('AS1', 'OLD', 'aut-num', 'aut-num: AS1\n'), ('AS2', 'OLD', 'aut-num', 'aut-num: AS2\n')",
		      ins_sql);
	CHECK_INT(sql_exec(c, q, 0, NULL), 2);
	free(q);
	CHECK_INT(sql_exec(c, "INSERT INTO rpsl_database_journal (rpsl_pk, source, serial_nrtm, operation,"
			   " object_class, object_text) VALUES ('AS1', 'OLD', 7, 'ADD', 'aut-num', 'aut-num: AS1\n')",
			   0, NULL), 1);
	CHECK_INT(sql_exec(c, "INSERT INTO database_status (source, serial_newest_seen) VALUES ('OLD', 7)",
			   0, NULL), 1);
	CHECK_CHANGES(c, 0, "ADD|aut-num|AS1;ADD|aut-num|AS2");
	CHECK_INT(sql_schema_check(c, &err), -1);
	CHECK_STR(err, "database schema version 1 is older than this program's version 2: run irrd_database_upgrade");
	free(err);
	err = NULL;

	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	CHECK_MSG(err == NULL, "%s", err ? err : "");
	free(err);
	err = NULL;
	CHECK_INT(sql_schema_version(c), 2);
	CHECK_INT(sql_schema_check(c, &err), 0);
	free(err);
	/* the data is kept */
	CHECK_ROWS(c, "SELECT rpsl_pk, source FROM rpsl_objects ORDER BY rpsl_pk", "AS1|OLD;AS2|OLD");
	CHECK_ROWS(c, "SELECT rpsl_pk, serial_nrtm FROM rpsl_database_journal", "AS1|7");
	CHECK_ROWS(c, "SELECT source, serial_newest_seen FROM database_status", "OLD|7");
	CHECK_CHANGES(c, 0, "ADD|aut-num|AS1;ADD|aut-num|AS2");
	/* statement triggers replace the row trigger (on the partitions too) */
	CHECK_ROWS(c, "SELECT tgname, (tgtype & 1) FROM pg_trigger WHERE NOT tgisinternal"
		   " AND tgrelid IN (SELECT 'rpsl_objects'::regclass UNION SELECT inhrelid FROM pg_inherits"
		   " WHERE inhparent = 'rpsl_objects'::regclass) ORDER BY 1",
		   "rpsl_objects_change_del|0;rpsl_objects_change_ins|0;rpsl_objects_change_upd|0");
	CHECK_ROWS(c, "SELECT count(*) FROM pg_proc WHERE proname = 'irrd_object_changed'", "0");
	CHECK_ROWS(c, "SELECT indexname FROM pg_indexes WHERE tablename = 'object_change'", "object_change_pkey");
	CHECK_ROWS(c, "SELECT seq FROM object_change_horizon", "0");
	CHECK_ROWS(c, "SELECT count(*) FROM object_change_consumer", "0");
	/* the idempotent re-run */
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	free(err);
	CHECK_INT(sql_schema_version(c), 2);
	sql_close(c);
}

/* What the statement triggers write, statement by statement, as the
 * daemon's follower (irrd/sync.c) reads it. */
static void test_change_triggers(void)
{
	struct sql_conn *c = conn();
	int64_t s;
	char *q;

	if (c == NULL)
		return;
	/* one statement, several rows: one ADD each */
	s = max_seq(c);
	q = xasprintf("%s ('AS10', 'T', 'aut-num', 'x'), ('AS11', 'T', 'aut-num', 'x'), ('AS12', 'T', 'aut-num', 'x')",
		      ins_sql);
	CHECK_INT(sql_exec(c, q, 0, NULL), 3);
	free(q);
	CHECK_CHANGES(c, s, "ADD|aut-num|AS10;ADD|aut-num|AS11;ADD|aut-num|AS12");

	/* an update that keeps the key: ADD only */
	s = max_seq(c);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET object_text = 'y' WHERE source = 'T' AND rpsl_pk <> 'AS12'",
			   0, NULL), 2);
	CHECK_CHANGES(c, s, "ADD|aut-num|AS10;ADD|aut-num|AS11");

	/* an update that changes a key: DEL of the old key first, then ADD */
	s = max_seq(c);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET rpsl_pk = 'AS13' WHERE source = 'T' AND rpsl_pk = 'AS12'",
			   0, NULL), 1);
	CHECK_CHANGES(c, s, "DEL|aut-num|AS12;ADD|aut-num|AS13");

	/* a row moved to another partition (source changed) */
	CHECK_INT(sql_script(c, "partition", "CREATE TABLE rpsl_objects_t2 PARTITION OF rpsl_objects"
			     " FOR VALUES IN ('T2')"), 0);
	s = max_seq(c);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET source = 'T2' WHERE source = 'T' AND rpsl_pk = 'AS13'",
			   0, NULL), 1);
	CHECK_ROWS(c, "SELECT op, source, rpsl_pk FROM object_change WHERE seq > (SELECT max(seq) - 2"
		   " FROM object_change) ORDER BY seq", "DEL|T|AS13;ADD|T2|AS13");

	/* statements that change nothing write nothing */
	s = max_seq(c);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET object_text = 'z' WHERE rpsl_pk = 'NONE'", 0, NULL), 0);
	CHECK_INT(sql_exec(c, "DELETE FROM rpsl_objects WHERE rpsl_pk = 'NONE'", 0, NULL), 0);
	q = xasprintf("%s ('AS10', 'T', 'aut-num', 'x') ON CONFLICT DO NOTHING", ins_sql);
	CHECK_INT(sql_exec(c, q, 0, NULL), 0);
	free(q);
	CHECK_CHANGES(c, s, "");

	/* an upsert: the new row and the updated one are both ADDs */
	s = max_seq(c);
	q = xasprintf("%s ('AS10', 'T', 'aut-num', 'new'), ('AS14', 'T', 'aut-num', 'new')"
		      " ON CONFLICT (rpsl_pk, source, object_class) DO UPDATE SET object_text = EXCLUDED.object_text",
		      ins_sql);
	CHECK_INT(sql_exec(c, q, 0, NULL), 2);
	free(q);
	CHECK_ROWS(c, "SELECT op, rpsl_pk FROM object_change WHERE seq > (SELECT max(seq) - 2 FROM object_change)"
		   " ORDER BY rpsl_pk", "ADD|AS10;ADD|AS14");

	/* rows in a source's own partition (as after a bulk load) */
	s = max_seq(c);
	q = xasprintf("%s ('AS20', 'T2', 'aut-num', 'x')", ins_sql);
	CHECK_INT(sql_exec(c, q, 0, NULL), 1);
	free(q);
	CHECK_INT(sql_exec(c, "DELETE FROM rpsl_objects WHERE source = 'T2'", 0, NULL), 2);
	CHECK_ROWS(c, "SELECT op, source, rpsl_pk FROM object_change WHERE seq > (SELECT max(seq) - 3"
		   " FROM object_change) ORDER BY seq, rpsl_pk", "ADD|T2|AS20;DEL|T2|AS13;DEL|T2|AS20");

	/* a rolled-back statement leaves nothing */
	s = max_seq(c);
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_exec(c, "DELETE FROM rpsl_objects WHERE source = 'T'", 0, NULL), 3);
	CHECK_INT(sql_rollback(c), 0);
	CHECK_CHANGES(c, s, "");
	/* created is set (pruning ages rows by it) */
	CHECK_ROWS(c, "SELECT count(*) FROM object_change WHERE created IS NULL OR created > clock_timestamp()", "0");
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
	TEST_RUN(test_upgrade_1_to_2);
	TEST_RUN(test_change_triggers);
	TEST_RUN(test_connect_errors);
	test_db_drop();
	free(url);
	return test_summary("sql_schema_test");
}
