/* sql_store_test.c - object reads, the change feed written by the trigger,
 * database_status, against a real PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct sql_conn *c;

static int insert(const char *source, const char *cls, const char *pk, const char *text)
{
	const char *p[4] = { source, cls, pk, text };

	return sql_exec(c, "INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text)"
			" VALUES ($1, $2, $3, $4)", 4, p);
}

struct counter {
	long n;
	size_t bytes;
	long stop_at;
	long bad;
	char last_pk[64];
	enum rpki_state last_state;
};

static int count_cb(void *arg, const struct sql_object_row *row)
{
	struct counter *k = arg;

	k->n++;
	k->bytes += row->text_len;
	snprintf(k->last_pk, sizeof(k->last_pk), "%s", row->rpsl_pk);
	k->last_state = row->rpki_status;
	if (row->id <= 0 || strlen(row->object_text) != row->text_len)
		k->bad++;
	if (k->stop_at > 0 && k->n == k->stop_at)
		return -1;
	return 0;
}

static void test_objects(void)
{
	struct counter k = { 0 };

	CHECK_INT(insert("TEST", "mntner", "MNT-A", "mntner:         MNT-A\nsource:         TEST\n"), 1);
	CHECK_INT(insert("TEST", "person", "MNT-A", "person:         A\nnic-hdl:        MNT-A\n"), 1);
	CHECK_INT(insert("OTHER", "mntner", "MNT-B", "mntner:         MNT-B\nsource:         OTHER\n"), 1);
	/* IRRd's unique key */
	CHECK_INT(insert("TEST", "mntner", "MNT-A", "dup"), -1);
	CHECK_MSG(strstr(sql_error(c), "duplicate key value violates unique constraint") != NULL, "%s", sql_error(c));

	CHECK_INT(sql_objects_foreach(c, NULL, count_cb, &k), 0);
	CHECK_INT(k.n, 3);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_objects_foreach(c, "TEST", count_cb, &k), 0);
	CHECK_INT(k.n, 2);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_objects_foreach(c, "NONE", count_cb, &k), 0);
	CHECK_INT(k.n, 0);

	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_object_get(c, "TEST", "mntner", "MNT-A", count_cb, &k), 1);
	CHECK_INT(k.n, 1);
	CHECK_STR(k.last_pk, "MNT-A");
	CHECK_INT(k.last_state, RPKI_NOT_FOUND);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_object_get(c, "TEST", NULL, "MNT-A", count_cb, &k), 1);
	CHECK_INT(k.n, 2);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_object_get(c, "TEST", "route", "MNT-A", count_cb, &k), 0);
	CHECK_INT(k.n, 0);
	/* parameters are data, never SQL */
	CHECK_INT(sql_object_get(c, "TEST' OR '1'='1", NULL, "MNT-A", count_cb, &k), 0);

	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET rpki_status = 'invalid' WHERE rpsl_pk = 'MNT-B'", 0, NULL), 1);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_object_get(c, "OTHER", "mntner", "MNT-B", count_cb, &k), 1);
	CHECK_INT(k.last_state, RPKI_INVALID);
}

static void test_streaming(void)
{
	struct counter k = { 0 };

	/* 20000 rows of 2 kB: streamed row by row */
	CHECK_INT(sql_exec(c, "INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text)"
			   " SELECT 'BULK', 'route', g::text || 'AS1', repeat('x', 2000)"
			   " FROM generate_series(1, 20000) g", 0, NULL), 20000);
	CHECK_INT(sql_objects_foreach(c, "BULK", count_cb, &k), 0);
	CHECK_INT(k.n, 20000);
	CHECK_INT(k.bytes, 20000 * 2000);
	CHECK_INT(k.bad, 0);

	/* the callback stops early: -1, and the connection is usable after */
	memset(&k, 0, sizeof(k));
	k.stop_at = 10;
	CHECK_INT(sql_objects_foreach(c, "BULK", count_cb, &k), -1);
	CHECK_INT(k.n, 10);
	CHECK_INT(sql_exec(c, "SELECT 1", 0, NULL), 1);
}

struct changes {
	int n;
	char log[4096];
	int64_t last;
};

static int change_cb(void *arg, const struct sql_change *ch)
{
	struct changes *k = arg;
	size_t l = strlen(k->log);

	snprintf(k->log + l, sizeof(k->log) - l, "%s %s %s %s|", ch->op, ch->source,
		 ch->object_class ? ch->object_class : "-", ch->rpsl_pk ? ch->rpsl_pk : "-");
	CHECK(ch->seq > k->last);
	k->last = ch->seq;
	k->n++;
	return 0;
}

static void test_changes(void)
{
	struct changes k = { 0 };
	int64_t seq0 = sql_changes_last_seq(c);

	CHECK(seq0 > 0);
	CHECK_INT(insert("CHG", "route", "192.0.2.0/24AS1", "route: 192.0.2.0/24"), 1);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET object_text = 'x' WHERE source = 'CHG'", 0, NULL), 1);
	CHECK_INT(sql_exec(c, "UPDATE rpsl_objects SET rpsl_pk = '192.0.2.0/24AS2' WHERE source = 'CHG'", 0, NULL), 1);
	CHECK_INT(sql_exec(c, "DELETE FROM rpsl_objects WHERE source = 'CHG'", 0, NULL), 1);
	/* a rolled-back change leaves no trace */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(insert("CHG", "route", "198.51.100.0/24AS1", "x"), 1);
	CHECK_INT(sql_rollback(c), 0);

	k.last = seq0;
	CHECK_INT(sql_changes_since(c, seq0, change_cb, &k), 0);
	CHECK_STR(k.log, "ADD CHG route 192.0.2.0/24AS1|ADD CHG route 192.0.2.0/24AS1|"
		  "DEL CHG route 192.0.2.0/24AS1|ADD CHG route 192.0.2.0/24AS2|DEL CHG route 192.0.2.0/24AS2|");
	CHECK_INT(sql_changes_last_seq(c), k.last);

	memset(&k, 0, sizeof(k));
	k.last = sql_changes_last_seq(c);
	CHECK_INT(sql_changes_since(c, k.last, change_cb, &k), 0);
	CHECK_INT(k.n, 0);
}

struct statuses {
	int n;
	bool force;
	int64_t newest;
};

static int status_cb(void *arg, const struct sql_source_status *st)
{
	struct statuses *k = arg;

	if (strcmp(st->source, "MIRROR") == 0) {
		k->n++;
		k->force = st->force_reload;
		k->newest = st->serial_newest_seen;
		CHECK(st->last_error == NULL);
	}
	return 0;
}

static void test_status(void)
{
	struct statuses k = { 0 };

	CHECK_INT(sql_status_set_force_reload(c, "MIRROR"), 0);
	CHECK_INT(sql_status_foreach(c, status_cb, &k), 0);
	CHECK_INT(k.n, 1);
	CHECK(k.force);
	CHECK_INT(k.newest, -1);
	CHECK_INT(sql_exec(c, "UPDATE database_status SET force_reload = false, serial_newest_seen = 42"
			   " WHERE source = 'MIRROR'", 0, NULL), 1);
	memset(&k, 0, sizeof(k));
	CHECK_INT(sql_status_set_force_reload(c, "MIRROR"), 0);
	CHECK_INT(sql_status_foreach(c, status_cb, &k), 0);
	CHECK_INT(k.n, 1);
	CHECK(k.force);
	CHECK_INT(k.newest, 42);
}

int main(void)
{
	char *url, *err = NULL;

	log_init("sql_store_test");
	url = test_db_create("sql_store_test");
	c = sql_connect(url, &err);
	CHECK_MSG(c != NULL, "%s", err ? err : "");
	if (c == NULL)
		return test_summary("sql_store_test");
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	TEST_RUN(test_objects);
	TEST_RUN(test_streaming);
	TEST_RUN(test_changes);
	TEST_RUN(test_status);
	sql_close(c);
	test_db_drop();
	free(url);
	return test_summary("sql_store_test");
}
