/*
 * sql_async_test.c - the daemon's asynchronous connection against a real
 * PostgreSQL: queries in order, errors, NOTIFY, reconnect after the server
 * kills the backend (idle and mid-query), free inside a callback, a server
 * that is not there. Needs IRRD_TEST_DATABASE_URL (fails without it).
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "sql/sql_async.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct event_base *base;
static struct sql_conn *sync_c;		/* a plain connection to poke the server */
static char *url;

struct state {
	int ups, downs;
	int notifies;
	char payload[128];
	char order[256];
	int results, errors;
	char last_value[64];
	char last_error[256];
	long backend_pid;
	struct sql_async *a;
	bool free_in_cb;
};

static void on_state(void *arg, bool up)
{
	struct state *s = arg;

	if (up)
		s->ups++;
	else
		s->downs++;
}

static void on_notify(void *arg, const char *channel, const char *payload)
{
	struct state *s = arg;

	if (strcmp(channel, SQL_CHANGE_CHANNEL) == 0) {
		s->notifies++;
		snprintf(s->payload, sizeof(s->payload), "%s", payload);
	}
}

static void on_result(void *arg, const struct sql_result *r)
{
	struct state *s = arg;
	size_t l = strlen(s->order);

	if (sql_result_ok(r)) {
		const char *v = sql_result_value(r, 0, 0);

		s->results++;
		snprintf(s->last_value, sizeof(s->last_value), "%s", v ? v : "(null)");
		snprintf(s->order + l, sizeof(s->order) - l, "%s,", v ? v : "(null)");
	} else {
		s->errors++;
		snprintf(s->last_error, sizeof(s->last_error), "%s", sql_result_error(r));
		snprintf(s->order + l, sizeof(s->order) - l, "E,");
	}
	if (s->free_in_cb) {
		sql_async_free(s->a);
		s->a = NULL;
	}
}

static void on_pid(void *arg, const struct sql_result *r)
{
	struct state *s = arg;

	CHECK(sql_result_ok(r));
	if (sql_result_ok(r))
		s->backend_pid = strtol(sql_result_value(r, 0, 0), NULL, 10);
}

/* Run the loop until *flag >= want or ms pass; true if reached. */
static bool run_until(const int *flag, int want, int ms)
{
	struct timeval tv = { 0, 20000 };

	for (int waited = 0; *flag < want && waited < ms; waited += 20) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return *flag >= want;
}

static void run_for(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static struct sql_async *start(struct state *s)
{
	struct sql_async_callbacks cbs = { on_state, on_notify, s };

	s->a = sql_async_new(base, url, &cbs);
	sql_async_set_backoff(s->a, 50, 400);
	return s->a;
}

static void test_queries(void)
{
	struct state s = { 0 };
	struct sql_async *a = start(&s);
	const char *p1[1] = { "41" };
	const char *p2[2] = { "x'; DROP TABLE y; --", NULL };

	CHECK(!sql_async_connected(a));
	/* not connected yet: refused without a callback */
	CHECK_INT(sql_async_query(a, "SELECT 1", 0, NULL, on_result, &s), -1);
	CHECK(run_until(&s.ups, 1, 5000));
	CHECK(sql_async_connected(a));

	/* in order, parameters are data, errors do not disturb the rest */
	CHECK_INT(sql_async_query(a, "SELECT $1::int + 1", 1, p1, on_result, &s), 0);
	CHECK_INT(sql_async_query(a, "SELECT 1/0", 0, NULL, on_result, &s), 0);
	CHECK_INT(sql_async_query(a, "SELECT $1::text || coalesce($2, '!')", 2, p2, on_result, &s), 0);
	CHECK_INT(sql_async_query(a, "SELECT NULL::text", 0, NULL, on_result, &s), 0);
	CHECK_INT(sql_async_pending(a), 4);
	CHECK_INT(s.results, 0);	/* never called inside sql_async_query */
	CHECK(run_until(&s.results, 3, 5000));
	CHECK_STR(s.order, "42,E,x'; DROP TABLE y; --!,(null),");
	CHECK_INT(s.errors, 1);
	CHECK(strstr(s.last_error, "division by zero") != NULL);
	CHECK_INT(sql_async_pending(a), 0);

	/* a large result */
	CHECK_INT(sql_async_query(a, "SELECT count(*) FROM (SELECT repeat('x', 1000) FROM generate_series(1, 50000)) t",
				  0, NULL, on_result, &s), 0);
	CHECK(run_until(&s.results, 4, 10000));
	CHECK_STR(s.last_value, "50000");

	sql_async_free(a);
	CHECK_INT(s.downs, 0);	/* freeing is not a lost connection */
}

static void test_notify(void)
{
	struct state s = { 0 };
	struct sql_async *a = start(&s);

	CHECK(run_until(&s.ups, 1, 5000));
	CHECK_INT(sql_exec(sync_c, "SELECT pg_notify('irrd_change', 'hello')", 0, NULL), 1);
	CHECK(run_until(&s.notifies, 1, 5000));
	CHECK_STR(s.payload, "hello");
	/* other channels are not ours */
	CHECK_INT(sql_exec(sync_c, "SELECT pg_notify('other', 'x')", 0, NULL), 1);
	/* several in one transaction, while a query is in flight */
	CHECK_INT(sql_async_query(a, "SELECT pg_sleep(0.2)", 0, NULL, on_result, &s), 0);
	run_for(50);
	CHECK_INT(sql_begin(sync_c), 0);
	CHECK_INT(sql_exec(sync_c, "SELECT pg_notify('irrd_change', 'a')", 0, NULL), 1);
	CHECK_INT(sql_exec(sync_c, "SELECT pg_notify('irrd_change', 'b')", 0, NULL), 1);
	CHECK_INT(sql_commit(sync_c), 0);
	CHECK(run_until(&s.notifies, 3, 5000));
	CHECK_STR(s.payload, "b");
	CHECK(run_until(&s.results, 1, 5000));
	run_for(100);
	CHECK_INT(s.notifies, 3);
	sql_async_free(a);
}

static void kill_backend(long pid)
{
	char buf[32];
	const char *p[1] = { buf };

	snprintf(buf, sizeof(buf), "%ld", pid);
	CHECK_INT(sql_exec(sync_c, "SELECT pg_terminate_backend($1::int)", 1, p), 1);
}

static void test_reconnect(void)
{
	struct state s = { 0 };
	struct sql_async *a = start(&s);
	long first_pid;

	CHECK(run_until(&s.ups, 1, 5000));
	CHECK_INT(sql_async_query(a, "SELECT pg_backend_pid()", 0, NULL, on_pid, &s), 0);
	CHECK(run_until((int *)&s.backend_pid, 1, 5000));
	first_pid = s.backend_pid;

	/* killed while idle: noticed, reported, reconnected, LISTENing again */
	kill_backend(first_pid);
	CHECK(run_until(&s.downs, 1, 5000));
	CHECK(!sql_async_connected(a));
	CHECK_INT(sql_async_query(a, "SELECT 1", 0, NULL, on_result, &s), -1);
	CHECK(run_until(&s.ups, 2, 5000));
	CHECK(sql_async_connected(a));
	CHECK_INT(sql_exec(sync_c, "SELECT pg_notify('irrd_change', 'again')", 0, NULL), 1);
	CHECK(run_until(&s.notifies, 1, 5000));
	CHECK_STR(s.payload, "again");

	/* killed mid-query: the query gets an error, the queued one too */
	s.backend_pid = 0;
	CHECK_INT(sql_async_query(a, "SELECT pg_backend_pid()", 0, NULL, on_pid, &s), 0);
	CHECK(run_until((int *)&s.backend_pid, 1, 5000));
	CHECK(s.backend_pid != first_pid);
	CHECK_INT(sql_async_query(a, "SELECT pg_sleep(10)", 0, NULL, on_result, &s), 0);
	CHECK_INT(sql_async_query(a, "SELECT 2", 0, NULL, on_result, &s), 0);
	run_for(100);
	kill_backend(s.backend_pid);
	CHECK(run_until(&s.errors, 2, 5000));
	CHECK_INT(s.results, 0);
	CHECK(strstr(s.last_error, "database connection lost") != NULL);
	CHECK_INT(s.downs, 2);
	CHECK(run_until(&s.ups, 3, 5000));
	CHECK_INT(sql_async_query(a, "SELECT 'back'", 0, NULL, on_result, &s), 0);
	CHECK(run_until(&s.results, 1, 5000));
	CHECK_STR(s.last_value, "back");
	sql_async_free(a);
}

static void test_free_in_callback(void)
{
	struct state s = { 0 };
	struct sql_async *a = start(&s);

	CHECK(run_until(&s.ups, 1, 5000));
	s.free_in_cb = true;
	CHECK_INT(sql_async_query(a, "SELECT 1", 0, NULL, on_result, &s), 0);
	CHECK_INT(sql_async_query(a, "SELECT 2", 0, NULL, on_result, &s), 0);
	CHECK(run_until(&s.results, 1, 5000));
	run_for(100);
	/* the second query never reports: the connection is gone */
	CHECK_INT(s.results, 1);
	CHECK(s.a == NULL);
	/* ASan checks that nothing touched freed memory */
}

static void test_no_server(void)
{
	struct state s = { 0 };
	struct sql_async_callbacks cbs = { on_state, on_notify, &s };
	struct sql_async *a = sql_async_new(base, "postgresql://irrd@127.0.0.1:1/none", &cbs);

	sql_async_set_backoff(a, 20, 40);
	run_for(300);		/* several attempts, each logged */
	CHECK_INT(s.ups, 0);
	CHECK_INT(s.downs, 0);
	CHECK(!sql_async_connected(a));
	CHECK_INT(sql_async_query(a, "SELECT 1", 0, NULL, on_result, &s), -1);
	sql_async_free(a);
	sql_async_free(NULL);
}

int main(void)
{
	char *err = NULL;

	log_init("sql_async_test");
	url = test_db_create("sql_async_test");
	sync_c = sql_connect(url, &err);
	if (sync_c == NULL) {
		fprintf(stderr, "FAIL: %s\n", err);
		printf("sql_async_test: 0 passed, 1 failed\n");
		return 1;
	}
	base = event_base_new();
	TEST_RUN(test_queries);
	TEST_RUN(test_notify);
	TEST_RUN(test_reconnect);
	TEST_RUN(test_free_in_callback);
	TEST_RUN(test_no_server);
	event_base_free(base);
	sql_close(sync_c);
	test_db_drop();
	free(url);
	return test_summary("sql_async_test");
}
