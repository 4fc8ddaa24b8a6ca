/*
 * sql_load_test.c - sql_load_dump / sql_update_dump through the API against
 * a real PostgreSQL: many batches on several parser threads keep input
 * order (rejections in line order, the later of two duplicates far apart
 * wins), counts, the RELOAD change, and an update diff over batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpsl/log.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct sql_conn *c;
static char path[] = "/tmp/sql_load_testXXXXXX";

struct rejects {
	long n;
	unsigned long last_line;
	long out_of_order;
	char first[256];
};

static void on_reject(void *arg, const char *file, unsigned long line, const char *cls,
		      const char *pk, const char *reason)
{
	struct rejects *r = arg;

	if (line <= r->last_line)
		r->out_of_order++;
	r->last_line = line;
	if (r->n++ == 0)
		snprintf(r->first, sizeof(r->first), "%s:%lu: %s %s: %s", strrchr(file, '/') + 1, line,
			 cls, pk ? pk : "-", reason);
}

/* n routes; every 1000th has source OTHER (rejected); route 7 appears
 * again at the end with another descr (duplicate, must win). */
static void write_dump(int n, const char *descr_tag)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	for (int i = 0; i < n; i++)
		fprintf(f, "route:          10.%d.%d.0/24\ndescr:          %s %d\norigin:         AS%d\n"
			"mnt-by:         MNT-%d\nsource:         %s\n\n", (i >> 8) & 255, i & 255, descr_tag, i,
			64496 + i % 7, i % 13, i % 1000 == 999 ? "OTHER" : "TEST");
	fprintf(f, "route:          10.0.7.0/24\ndescr:          duplicate wins\norigin:         AS%d\n"
		"source:         TEST\n", 64496 + 7 % 7);
	fclose(f);
}

/* rows a query returns */
static int scalar(const char *sql)
{
	return sql_exec(c, sql, 0, NULL);
}

static void test_load(int jobs)
{
	struct rejects rj = { 0 };
	struct sql_load_opts o = { 0 };
	struct sql_load_stats st;
	const char *files[1] = { path };
	char *err = NULL;

	write_dump(20000, "first");
	o.source = "TEST";
	o.serial = 5;
	o.files = files;
	o.nfiles = 1;
	o.jobs = jobs;
	o.reject = on_reject;
	o.arg = &rj;
	CHECK_INT(sql_load_dump(c, &o, &st, &err), 0);
	CHECK_MSG(err == NULL, "%s", err ? err : "");
	free(err);
	CHECK_INT(st.read, 20001);
	CHECK_INT(st.rejected, 20);
	CHECK_INT(st.duplicates, 1);
	CHECK_INT(st.loaded, 20001 - 20 - 1);
	CHECK_INT(rj.n, 20);
	CHECK_INT(rj.out_of_order, 0);
	{
		char want[256];

		/* route 999: six lines an object, so line 6 * 999 + 1, 10.3.231.0/24, AS64496 + 999 % 7 */
		snprintf(want, sizeof(want), "%s:5995: route 10.3.231.0/24AS64501: Invalid source OTHER "
			 "for object 10.3.231.0/24AS64501, expected TEST", strrchr(path, '/') + 1);
		CHECK_STR(rj.first, want);
	}
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE source = 'TEST'"), 20001 - 21);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE rpsl_pk = '10.0.7.0/24AS64496'"
			 " AND object_text LIKE '%duplicate wins%'"), 1);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE lookup @> ARRAY['mnt-by=MNT-3']"), 1538);
	CHECK_INT(scalar("SELECT 1 FROM object_change WHERE op = 'RELOAD' AND source = 'TEST'"), 1);
	CHECK_INT(scalar("SELECT 1 FROM database_status WHERE source = 'TEST' AND serial_newest_seen = 5"), 1);
}

static void test_update(void)
{
	struct rejects rj = { 0 };
	struct sql_load_opts o = { 0 };
	struct sql_load_stats st;
	const char *files[1] = { path };
	char *err = NULL;
	FILE *f;

	/* same objects, one descr changed, the last 100 routes gone, one new */
	write_dump(19900, "first");
	f = fopen(path, "a");
	fprintf(f, "\nroute:          10.1.1.0/24\ndescr:          changed\norigin:         AS%d\n"
		"mnt-by:         MNT-%d\nsource:         TEST\n\n", 64496 + 257 % 7, 257 % 13);
	fprintf(f, "route6:         2001:db8::/32\norigin:         AS1\nsource:         TEST\n");
	fclose(f);
	o.source = "TEST";
	o.serial = -1;
	o.keep_journal = true;
	o.files = files;
	o.nfiles = 1;
	o.jobs = 3;
	o.reject = on_reject;
	o.arg = &rj;
	CHECK_INT(sql_update_dump(c, &o, &st, &err), 0);
	CHECK_MSG(err == NULL, "%s", err ? err : "");
	free(err);
	CHECK_INT(st.added, 1);
	CHECK_INT(st.changed, 1);
	CHECK_INT(st.duplicates, 2);
	CHECK_INT(st.rejected, 19);
	/* routes 19900..19999 minus the rejected 19999 */
	CHECK_INT(st.deleted, 99);
	CHECK_INT(st.serial_first, 6);
	CHECK_INT(st.serial_last, 6 + 1 + 99 + 1 - 1);
	CHECK_INT(rj.out_of_order, 0);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST'"), 101);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_database_journal WHERE serial_nrtm = 6 AND operation = 'ADD'"
			 " AND object_class = 'route6'"), 1);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_database_journal WHERE serial_nrtm = 106 AND operation = 'ADD'"
			 " AND rpsl_pk = '10.1.1.0/24AS64501'"), 1);
	CHECK_INT(scalar("SELECT 1 FROM database_status WHERE source = 'TEST' AND serial_newest_journal = 106"
			 " AND serial_oldest_journal = 6"), 1);
}

static void test_failure(void)
{
	struct sql_load_opts o = { 0 };
	struct sql_load_stats st;
	const char *files[2] = { path, "/nonexistent/file.db" };
	char *err = NULL;

	o.source = "TEST";
	o.serial = -1;
	o.files = files;
	o.nfiles = 2;
	CHECK_INT(sql_load_dump(c, &o, &st, &err), -1);
	CHECK_MSG(err != NULL && strstr(err, "/nonexistent/file.db: cannot open") != NULL, "%s", err ? err : "");
	free(err);
	/* still the updated state */
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE source = 'TEST'"), 19881 + 1);
	CHECK_INT(sql_exec(c, "SELECT 1", 0, NULL), 1);
}

/* A source whose objects so far live in the default partition (written one
 * by one, e.g. by mail updates) and whose name needs quoting care. */
static void test_default_partition(void)
{
	struct sql_load_opts o = { 0 };
	struct sql_load_stats st;
	const char *files[1] = { path };
	char *err = NULL;
	FILE *f;

	CHECK_INT(sql_exec(c, "INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text)"
			   " VALUES ('MY-SRC', 'route', '192.0.2.0/24AS1', 'old'),"
			   " ('MY-SRC', 'route', '192.0.2.0/24AS2', 'old')", 0, NULL), 2);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects_default WHERE source = 'MY-SRC'"), 2);
	f = fopen(path, "w");
	fprintf(f, "route: 192.0.2.0/24\norigin: AS1\nsource: MY-SRC\n\n"
		"route: 198.51.100.0/24\norigin: AS1\nsource: MY-SRC\n");
	fclose(f);
	o.source = "MY-SRC";
	o.serial = -1;
	o.files = files;
	o.nfiles = 1;
	CHECK_INT(sql_load_dump(c, &o, &st, &err), 0);
	CHECK_MSG(err == NULL, "%s", err ? err : "");
	free(err);
	CHECK_INT(st.loaded, 2);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects_default WHERE source = 'MY-SRC'"), 0);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE source = 'MY-SRC' AND object_text <> 'old'"), 2);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE source = 'MY-SRC'"), 2);
	/* the feed: one RELOAD, no leftover ADD/DEL of that source */
	CHECK_INT(scalar("SELECT 1 FROM object_change WHERE source = 'MY-SRC'"), 1);
	/* afterwards single writes go to its own partition, triggers included */
	CHECK_INT(sql_exec(c, "INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text)"
			   " VALUES ('MY-SRC', 'route', '203.0.113.0/24AS1', 'new')", 0, NULL), 1);
	CHECK_INT(scalar("SELECT 1 FROM object_change WHERE source = 'MY-SRC' AND op = 'ADD'"), 1);
	/* and a second load swaps the partition again */
	CHECK_INT(sql_load_dump(c, &o, &st, &err), 0);
	free(err);
	CHECK_INT(scalar("SELECT 1 FROM rpsl_objects WHERE source = 'MY-SRC'"), 2);
	CHECK_INT(scalar("SELECT 1 FROM pg_inherits WHERE inhparent = 'rpsl_objects'::regclass"), 3);
}

int main(void)
{
	char *url, *err = NULL;
	int fd;

	log_init("sql_load_test");
	url = test_db_create("sql_load_test");
	c = sql_connect(url, &err);
	CHECK_MSG(c != NULL, "%s", err ? err : "");
	if (c == NULL)
		return test_summary("sql_load_test");
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	test_current = "test_load(1)";
	test_load(1);
	test_current = "test_load(4)";
	test_load(4);
	TEST_RUN(test_update);
	TEST_RUN(test_failure);
	TEST_RUN(test_default_partition);
	unlink(path);
	sql_close(c);
	test_db_drop();
	free(url);
	return test_summary("sql_load_test");
}
