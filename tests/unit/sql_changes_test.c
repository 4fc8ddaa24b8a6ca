/*
 * sql_changes_test.c - pruning of the change feed (sql_changes_prune)
 * against a real PostgreSQL: a row goes only when every live consumer has
 * handled it and it is old enough; the newest handled row stays; a
 * consumer not heard of for the TTL no longer holds rows back, and one
 * that comes back behind the pruned horizon is told so; a clean stop
 * (sql_changes_consumer_drop) releases its rows. Also the feed reader
 * (sql_changes_objects_since) after a prune.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static char *url;
static struct sql_conn *c;

static long scalar(const char *sql)
{
	long v = -1;
	char *q = xasprintf("SELECT 1 FROM generate_series(1, (%s))", sql);

	v = sql_exec(c, q, 0, NULL);	/* row count = the value */
	CHECK_MSG(v >= 0, "%s: %s", sql, sql_error(c));
	free(q);
	return v;
}

/* n ADD changes (one statement), each aged by age_secs. */
static void changes(int n, const char *prefix, int age_secs)
{
	char *q = xasprintf("INSERT INTO rpsl_objects (rpsl_pk, source, object_class, object_text)"
			    " SELECT '%s' || g, 'TEST', 'aut-num', 'x' FROM generate_series(1, %d) g", prefix, n);

	CHECK_INT(sql_exec(c, q, 0, NULL), n);
	free(q);
	q = xasprintf("UPDATE object_change SET created = created - interval '%d seconds'"
		      " WHERE rpsl_pk LIKE '%s%%'", age_secs, prefix);
	CHECK_INT(sql_exec(c, q, 0, NULL), n);
	free(q);
}

static long min_seq(void)
{
	return scalar("SELECT COALESCE(min(seq), 0) FROM object_change");
}

static int count_cb(void *arg, const struct sql_change_object *co)
{
	long *n = arg;

	(void)co;
	(*n)++;
	return 0;
}

static void test_prune(void)
{
	long deleted = -1, n;
	int64_t horizon = -1, last, first;

	CHECK_INT(scalar("SELECT count(*) FROM object_change"), 0);
	changes(10, "AS1", 3600);	/* an hour old */
	first = min_seq();
	last = sql_changes_last_seq(c);
	CHECK_INT(last - first, 9);

	/* the only consumer has handled up to first + 4: rows below it go */
	CHECK_INT(sql_changes_prune(c, "a", first + 4, 600, &deleted, &horizon), 0);
	CHECK_INT(deleted, 4);
	CHECK_INT(horizon, 0);
	CHECK_INT(min_seq(), first + 4);	/* the handled row itself stays */
	CHECK_INT(scalar("SELECT seq FROM object_change_horizon"), first + 3);

	/* a second consumer further behind holds rows back */
	CHECK_INT(sql_changes_prune(c, "b", first + 6, 600, &deleted, &horizon), 0);
	CHECK_INT(deleted, 0);	/* "a" is at first + 4 */
	CHECK_INT(horizon, first + 3);
	CHECK_INT(sql_changes_prune(c, "a", last, 600, &deleted, &horizon), 0);
	CHECK_INT(deleted, 2);	/* up to "b"'s position */
	CHECK_INT(min_seq(), first + 6);

	/* young rows stay, whatever the consumers have handled */
	changes(5, "AS2", 0);
	last = sql_changes_last_seq(c);
	CHECK_INT(sql_changes_prune(c, "b", last, 600, &deleted, &horizon), 0);
	n = deleted;
	CHECK_INT(sql_changes_prune(c, "a", last, 600, &deleted, &horizon), 0);
	CHECK_INT(n + deleted, 4);	/* the old ones: first + 6 .. first + 9 */
	CHECK_INT(scalar("SELECT count(*) FROM object_change"), 5);
	/* with keep 0 they go too, except the newest handled one, so that
	 * max(seq), a new daemon's starting point, never moves back */
	CHECK_INT(sql_changes_prune(c, "a", last, 0, &deleted, &horizon), 0);
	CHECK_INT(deleted, 4);
	CHECK_INT(sql_changes_last_seq(c), last);
	CHECK_INT(scalar("SELECT count(*) FROM object_change"), 1);

	/* the follower's read after a prune sees only what is left */
	n = 0;
	CHECK_INT(sql_changes_objects_since(c, 0, 100, count_cb, &n), 0);
	CHECK_INT(n, 1);

	/* a consumer gone silent for longer than the TTL stops holding rows
	 * back; when it comes back, the horizon says it missed changes */
	changes(3, "AS3", 3600);
	first = sql_changes_last_seq(c) - 2;
	CHECK_INT(sql_changes_prune(c, "b", first - 1, 0, &deleted, &horizon), 0);
	CHECK_INT(deleted, 0);
	{
		char ttl[32];

		snprintf(ttl, sizeof(ttl), "%d", SQL_CHANGE_CONSUMER_TTL + 60);
		CHECK_INT(sql_exec(c, "UPDATE object_change_consumer SET seen = now() - $1::int * interval '1 second'"
				   " WHERE consumer = 'b'", 1, (const char *const[]){ ttl }), 1);
	}
	CHECK_INT(sql_changes_prune(c, "a", first + 2, 0, &deleted, &horizon), 0);
	CHECK_INT(deleted, 3);	/* last of AS2 and two of AS3 */
	CHECK_INT(scalar("SELECT count(*) FROM object_change_consumer WHERE consumer = 'b'"), 0);
	CHECK_INT(sql_changes_prune(c, "b", first - 1, 0, &deleted, &horizon), 0);
	CHECK(horizon > first - 1);	/* "b" must reload */
	CHECK_INT(horizon, first + 1);

	/* a clean stop releases what a consumer held */
	changes(2, "AS4", 3600);
	last = sql_changes_last_seq(c);
	CHECK_INT(sql_changes_prune(c, "a", last, 0, &deleted, &horizon), 0);
	CHECK_INT(deleted, 0);	/* "b" is still at first - 1 */
	CHECK_INT(sql_changes_consumer_drop(c, "b"), 0);
	CHECK_INT(sql_changes_prune(c, "a", last, 0, &deleted, &horizon), 0);
	CHECK_INT(deleted, 2);	/* the last of AS3, the first of AS4 */
	CHECK_INT(scalar("SELECT count(*) FROM object_change"), 1);

	/* without any consumer nothing is pruned */
	CHECK_INT(sql_changes_consumer_drop(c, "a"), 0);
	CHECK_INT(scalar("SELECT count(*) FROM object_change_consumer"), 0);
}

/* A writer holding object_change's lock (a long mirror batch) makes the
 * prune give up after its lock timeout instead of waiting. */
static void test_prune_busy(void)
{
	char *err = NULL;
	struct sql_conn *w = sql_connect(url, &err);
	long deleted = -1;
	int64_t horizon = -1;

	CHECK(w != NULL);
	free(err);
	if (w == NULL)
		return;
	CHECK_INT(sql_begin(w), 0);
	CHECK_INT(sql_exec(w, "LOCK TABLE object_change IN EXCLUSIVE MODE", 0, NULL), 0);
	CHECK_INT(sql_changes_prune(c, "a", sql_changes_last_seq(c), 0, &deleted, &horizon), -1);
	CHECK(strstr(sql_error(c), "lock timeout") != NULL);
	CHECK_INT(sql_rollback(w), 0);
	sql_close(w);
	/* the connection is usable again */
	CHECK_INT(sql_changes_prune(c, "a", sql_changes_last_seq(c), 0, &deleted, &horizon), 0);
	CHECK_INT(sql_changes_consumer_drop(c, "a"), 0);
}

int main(void)
{
	char *err = NULL;

	log_init("sql_changes_test");
	url = test_db_create("sql_changes_test");
	c = sql_connect(url, &err);
	if (c == NULL || sql_schema_upgrade(c, &err) < 0) {
		fprintf(stderr, "FAIL sql_changes_test: %s\n", err);
		printf("sql_changes_test: 0 passed, 1 failed\n");
		return 1;
	}
	TEST_RUN(test_prune);
	TEST_RUN(test_prune_busy);
	sql_close(c);
	test_db_drop();
	free(url);
	return test_summary("sql_changes_test");
}
