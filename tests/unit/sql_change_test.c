/* sql_change_test.c - single-object changes and their journal (sql/change.h)
 * against a real PostgreSQL: gap-free local serials, explicit (mirror)
 * serials, rollbacks, pipelines, concurrent writers, database_status. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/change.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct sql_conn *c;
static char *url;

static const struct sql_change_opts J_LOCAL = { true, -1, SQL_ORIGIN_AUTH_CHANGE };
static const struct sql_change_opts NO_J = { false, -1, SQL_ORIGIN_MIRROR };

static struct rpsl_object *parse(const char *text)
{
	struct rpsl_object *o = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, NULL);

	CHECK_MSG(o->msgs.nerrors == 0, "%s", o->msgs.nerrors ? o->msgs.errors[0] : "");
	return o;
}

static int put_text(const char *text, const struct sql_change_opts *o, int64_t *serial)
{
	struct rpsl_object *obj = parse(text);
	size_t len;
	char *r = rpsl_render(obj, &len);
	int rc = sql_change_put(c, obj, r, RPKI_NOT_FOUND, o, serial);

	free(r);
	rpsl_object_free(obj);
	return rc;
}

/* The value (>= 0) of a one-value query, as the row count of
 * generate_series (sql.h reports row counts); -1 on error. */
static long long q1(const char *sql, const char *p1)
{
	const char *params[1] = { p1 };
	char *q = xasprintf("SELECT generate_series(1, (%s)::bigint)", sql);
	int n = sql_exec(c, q, p1 ? 1 : 0, p1 ? params : NULL);

	free(q);
	return n;
}

struct jrow {
	int64_t serial[64];
	bool add[64];
	char pk[64][64];
	char text[64][256];
	int n;
};

static int jcb(void *arg, const struct sql_journal_entry *e)
{
	struct jrow *j = arg;

	if (j->n < 64) {
		j->serial[j->n] = e->serial_nrtm;
		j->add[j->n] = e->add;
		snprintf(j->pk[j->n], sizeof(j->pk[0]), "%s", e->rpsl_pk);
		snprintf(j->text[j->n], sizeof(j->text[0]), "%s", e->object_text);
	}
	j->n++;
	return 0;
}

struct st {
	const char *want;
	int64_t oldest_j, newest_j, oldest_seen, newest_seen, mirror;
	bool force, synced, found;
	char err[128];
};

static int stcb(void *arg, const struct sql_source_status *s)
{
	struct st *k = arg;

	if (strcmp(s->source, k->want) != 0)
		return 0;
	k->found = true;
	k->oldest_j = s->serial_oldest_journal;
	k->newest_j = s->serial_newest_journal;
	k->oldest_seen = s->serial_oldest_seen;
	k->newest_seen = s->serial_newest_seen;
	k->mirror = s->serial_newest_mirror;
	k->force = s->force_reload;
	k->synced = s->synchronised_serials;
	snprintf(k->err, sizeof(k->err), "%s", s->last_error ? s->last_error : "");
	return 0;
}

static struct st status_of(const char *source)
{
	struct st k;

	memset(&k, 0, sizeof(k));
	k.want = source;
	CHECK_INT(sql_status_foreach(c, stcb, &k), 0);
	return k;
}

#define ROUTE1 "route: 192.0.2.0/24\norigin: AS65001\nmnt-by: MNT-A\nsource: TEST\n"
#define ROUTE1B "route: 192.0.2.0/24\norigin: AS65001\nmnt-by: MNT-B\ndescr: changed\nsource: TEST\n"
#define MNT "mntner: MNT-A\nauth: PGPKEY-12345678\nupd-to: a@example.net\nmnt-by: MNT-A\nsource: TEST\n"

static void test_local_serials(void)
{
	int64_t s = 0;
	struct jrow j = { 0 };
	struct st k;

	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text(ROUTE1, &J_LOCAL, &s), 0);
	CHECK_INT(s, 1);
	CHECK_INT(put_text(MNT, &J_LOCAL, &s), 0);
	CHECK_INT(s, 2);
	CHECK_INT(put_text(ROUTE1B, &J_LOCAL, &s), 0);	/* replace */
	CHECK_INT(s, 3);
	CHECK_INT(sql_commit(c), 0);

	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1", "TEST"), 2);
	CHECK_INT(q1("SELECT origin FROM rpsl_objects WHERE rpsl_pk = $1", "192.0.2.0/24AS65001"), 65001);
	CHECK_INT(q1("SELECT prefix_length FROM rpsl_objects WHERE rpsl_pk = $1", "192.0.2.0/24AS65001"), 24);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE lookup @> ARRAY['mnt-by=MNT-B'] "
		     "AND prefix = $1::cidr", "192.0.2.0/24"), 1);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE ip_first = $1::inet AND ip_last = "
		     "'192.0.2.255'::inet", "192.0.2.0"), 1);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE object_text LIKE '%changed%' AND source = $1", "TEST"), 1);
	/* the change feed for the daemon saw them */
	CHECK_INT(q1("SELECT count(*) FROM object_change WHERE source = $1 AND op = 'ADD'", "TEST"), 3);

	/* delete: DEL with the last text; absent: 1, no journal */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_delete(c, "TEST", "route", "192.0.2.0/24AS65001", &J_LOCAL, &s), 0);
	CHECK_INT(s, 4);
	CHECK_INT(sql_change_delete(c, "TEST", "route", "192.0.2.0/24AS65001", &J_LOCAL, &s), 1);
	CHECK_INT(s, -1);
	CHECK_INT(sql_change_journal_only(c, "TEST", "route", "198.51.100.0/24AS65002",
					  "route: 198.51.100.0/24\n", false, &J_LOCAL, &s), 0);
	CHECK_INT(s, 5);
	CHECK_INT(sql_commit(c), 0);

	CHECK_INT(sql_journal_foreach(c, "TEST", -1, -1, -1, jcb, &j), 0);
	CHECK_INT(j.n, 5);
	for (int i = 0; i < j.n && i < 5; i++)
		CHECK_INT(j.serial[i], i + 1);
	CHECK(j.add[0] && j.add[1] && j.add[2] && !j.add[3] && !j.add[4]);
	CHECK(strstr(j.text[3], "changed") != NULL);	/* the text last stored */
	CHECK_STR(j.pk[3], "192.0.2.0/24AS65001");
	memset(&j, 0, sizeof(j));
	CHECK_INT(sql_journal_foreach(c, "TEST", 2, 3, -1, jcb, &j), 0);
	CHECK_INT(j.n, 2);
	CHECK_INT(j.serial[0], 2);

	k = status_of("TEST");
	CHECK(k.found);
	CHECK_INT(k.oldest_j, 1);
	CHECK_INT(k.newest_j, 5);
	CHECK_INT(k.oldest_seen, 1);
	CHECK_INT(k.newest_seen, 5);

	/* a rolled-back change leaves no gap */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text(ROUTE1, &J_LOCAL, &s), 0);
	CHECK_INT(s, 6);
	CHECK_INT(sql_rollback(c), 0);
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text(ROUTE1, &J_LOCAL, &s), 0);
	CHECK_INT(s, 6);
	CHECK_INT(sql_commit(c), 0);

	/* no journal: nothing journalled, object stored */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text("route: 203.0.113.0/24\norigin: AS65003\nsource: TEST\n", &NO_J, &s), 0);
	CHECK_INT(s, -1);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(q1("SELECT max(serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "TEST"), 6);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1", "TEST"), 3);

	{
		int64_t lo, hi;

		CHECK_INT(sql_journal_range(c, "TEST", &lo, &hi), 0);
		CHECK_INT(lo, 1);
		CHECK_INT(hi, 6);
		CHECK_INT(sql_journal_range(c, "NONE", &lo, &hi), 0);
		CHECK_INT(lo, -1);
		CHECK_INT(hi, -1);
	}
	/* an RPKI-invalid object is stored but not journalled */
	{
		struct rpsl_object *obj = parse("route: 198.18.0.0/15\norigin: AS65099\nsource: TEST\n");

		CHECK_INT(sql_begin(c), 0);
		CHECK_INT(sql_change_put(c, obj, "route: 198.18.0.0/15\n", RPKI_INVALID, &J_LOCAL, &s), 0);
		CHECK_INT(s, -1);
		CHECK_INT(sql_commit(c), 0);
		rpsl_object_free(obj);
		CHECK_INT(q1("SELECT max(serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "TEST"), 6);
		CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1 AND rpki_status = 'invalid'", "TEST"), 1);
		CHECK_INT(sql_begin(c), 0);
		CHECK_INT(sql_change_delete(c, "TEST", "route", "198.18.0.0/15AS65099", &NO_J, NULL), 0);
		CHECK_INT(sql_commit(c), 0);
	}
	/* outside a transaction the lock cannot be taken: an error, not a gap */
	CHECK_INT(put_text(ROUTE1, &J_LOCAL, &s), -1);
}

static void test_explicit_serials(void)
{
	struct sql_change_opts o = { true, 100, SQL_ORIGIN_MIRROR };
	int64_t s;
	struct st k;

	/* a mirror keeping the upstream's serials */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text("mntner: MNT-M\nauth: PGPKEY-12345678\nupd-to: a@example.net\nmnt-by: MNT-M\n"
			   "source: MIRR\n", &o, &s), 0);
	CHECK_INT(s, 100);
	o.serial_nrtm = 103;
	CHECK_INT(sql_change_delete(c, "MIRR", "mntner", "MNT-M", &o, &s), 0);
	CHECK_INT(s, 103);
	CHECK_INT(sql_change_mirror_serial(c, "MIRR", 104, 104), 0);
	CHECK_INT(sql_commit(c), 0);
	k = status_of("MIRR");
	CHECK_INT(k.oldest_j, 100);
	CHECK_INT(k.newest_j, 103);
	CHECK_INT(k.newest_seen, 104);
	CHECK_INT(k.oldest_seen, 100);
	CHECK_INT(k.mirror, 104);

	/* a duplicate serial is refused, and the transaction with it */
	CHECK_INT(sql_begin(c), 0);
	o.serial_nrtm = 100;
	CHECK_INT(put_text("mntner: MNT-M\nauth: PGPKEY-12345678\nupd-to: a@example.net\nmnt-by: MNT-M\n"
			   "source: MIRR\n", &o, &s), -1);
	CHECK_MSG(strstr(sql_error(c), "duplicate key") != NULL, "%s", sql_error(c));
	CHECK_INT(sql_rollback(c), 0);

	/* the next local serial continues after the newest seen */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text("mntner: MNT-M\nauth: PGPKEY-12345678\nupd-to: a@example.net\nmnt-by: MNT-M\n"
			   "source: MIRR\n", &J_LOCAL, &s), 0);
	CHECK_INT(s, 104);
	CHECK_INT(sql_commit(c), 0);

	/* errors and force_reload */
	CHECK_INT(sql_change_record_error(c, "MIRR", "MIRR: something broke"), 0);
	CHECK_INT(sql_status_set_force_reload(c, "MIRR"), 0);
	k = status_of("MIRR");
	CHECK_STR(k.err, "MIRR: something broke");
	CHECK(k.force);
	CHECK_INT(sql_change_clear_force_reload(c, "MIRR", true), 0);
	k = status_of("MIRR");
	CHECK(!k.force);
	CHECK(k.synced);
}

static void test_pipeline(void)
{
	long notfound = -1;
	int64_t s;
	struct st k;
	char text[256];
	int n = 1000;

	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_pipeline_begin(c), 0);
	CHECK_INT(sql_change_pipeline_begin(c), -1);	/* one at a time */
	for (int i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "route: 10.%d.%d.0/24\norigin: AS%d\nsource: PIPE\n",
			 i / 256, i % 256, 64500 + i);
		CHECK_INT(put_text(text, &J_LOCAL, &s), 0);
		CHECK_INT(s, -1);
	}
	for (int i = 0; i < n; i += 2) {
		char pk[64];

		snprintf(pk, sizeof(pk), "10.%d.%d.0/24AS%d", i / 256, i % 256, 64500 + i);
		CHECK_INT(sql_change_delete(c, "PIPE", "route", pk, &J_LOCAL, NULL), 0);
	}
	CHECK_INT(sql_change_delete(c, "PIPE", "route", "10.255.0.0/24AS1", &J_LOCAL, NULL), 0);
	CHECK_INT(sql_change_pipeline_end(c, &notfound), 0);
	CHECK_INT(notfound, 1);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1", "PIPE"), n / 2);
	CHECK_INT(q1("SELECT count(DISTINCT serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "PIPE"),
		  n + n / 2);
	CHECK_INT(q1("SELECT max(serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "PIPE"), n + n / 2);
	k = status_of("PIPE");
	CHECK_INT(k.oldest_j, 1);
	CHECK_INT(k.newest_j, n + n / 2);

	/* a failing statement fails the pipeline; nothing stays */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_pipeline_begin(c), 0);
	{
		struct sql_change_opts o = { true, 5, SQL_ORIGIN_MIRROR };	/* serial 5 exists */

		put_text("route: 10.200.0.0/24\norigin: AS1\nsource: PIPE\n", &J_LOCAL, NULL);
		put_text("route: 10.201.0.0/24\norigin: AS1\nsource: PIPE\n", &o, NULL);
		put_text("route: 10.202.0.0/24\norigin: AS1\nsource: PIPE\n", &J_LOCAL, NULL);
	}
	CHECK_INT(sql_change_pipeline_end(c, NULL), -1);
	CHECK_MSG(strstr(sql_error(c), "duplicate key") != NULL, "%s", sql_error(c));
	CHECK_INT(sql_rollback(c), 0);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1", "PIPE"), n / 2);
	/* the connection is usable again */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text("route: 10.200.0.0/24\norigin: AS1\nsource: PIPE\n", &J_LOCAL, &s), 0);
	CHECK_INT(s, n + n / 2 + 1);
	CHECK_INT(sql_commit(c), 0);
}

static void test_batch(void)
{
	const char *texts[] = {
		"mntner: MNT-X1\nsource: BAT\n",
		"mntner: MNT-X1\nremarks: v2\nsource: BAT\n",
		"route: 10.9.0.0/16\norigin: AS65009\nmnt-by: MNT-X1\nsource: BAT\n",
		"mntner: MNT-X3\nsource: BAT\n",
	};
	struct rpsl_object *o[4];
	char *r[4];
	struct sql_change_op ops[8];
	struct jrow j = { 0 };
	long nf = -1;
	size_t len;
	int n = 0;

	for (int i = 0; i < 4; i++) {
		o[i] = parse(texts[i]);
		r[i] = rpsl_render(o[i], &len);
	}
	/* MNT-OLD exists before the batch */
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(put_text("mntner: MNT-OLD\nsource: BAT\n", &J_LOCAL, NULL), 0);
	CHECK_INT(sql_commit(c), 0);

	memset(ops, 0, sizeof(ops));
	ops[n++] = (struct sql_change_op){ .add = true, .obj = o[0], .text = r[0], .journal = true, .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = true, .obj = o[2], .text = r[2], .st = RPKI_VALID, .journal = true,
					   .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = true, .obj = o[1], .text = r[1], .journal = true, .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = false, .object_class = "mntner", .pk = "MNT-NONE", .journal = true,
					   .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = false, .object_class = "mntner", .pk = "MNT-OLD", .journal = true,
					   .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = true, .obj = o[3], .text = r[3], .journal = true, .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = false, .object_class = "mntner", .pk = "MNT-X3", .journal = true,
					   .serial_nrtm = -1 };
	ops[n++] = (struct sql_change_op){ .add = true, .obj = o[3], .text = r[3], .journal = false, .serial_nrtm = -1 };
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_batch(c, "BAT", ops, (size_t)n, SQL_ORIGIN_MIRROR, &nf), 0);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(nf, 1);
	CHECK_INT(sql_journal_foreach(c, "BAT", -1, -1, -1, jcb, &j), 0);
	/* 1 MNT-OLD (before), then ADD X1, ADD route, ADD X1 v2, DEL OLD, ADD X3, DEL X3 */
	CHECK_INT(j.n, 7);
	for (int i = 0; i < j.n && i < 7; i++)
		CHECK_INT(j.serial[i], i + 1);
	CHECK_STR(j.pk[4], "MNT-OLD");
	CHECK(!j.add[4] && strstr(j.text[4], "MNT-OLD") != NULL);	/* the stored text */
	CHECK(!j.add[6] && strcmp(j.text[6], r[3]) == 0);		/* the text added in the batch */
	CHECK(strstr(j.text[3], "v2") != NULL);
	/* final rows: X1 v2, the route (valid), X3 (re-added without journal); OLD gone */
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1", "BAT"), 3);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1 AND rpsl_pk = 'MNT-X1'"
		     " AND object_text LIKE '%v2%'", "BAT"), 1);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1 AND rpki_status = 'valid'"
		     " AND origin = 65009 AND prefix = '10.9.0.0/16' AND lookup @> ARRAY['mnt-by=MNT-X1']", "BAT"), 1);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_objects WHERE source = $1 AND rpsl_pk = 'MNT-OLD'", "BAT"), 0);
	{
		struct st k = status_of("BAT");

		CHECK_INT(k.newest_j, 7);
		CHECK_INT(k.oldest_j, 1);
	}
	/* explicit serials; a duplicate fails the batch */
	memset(ops, 0, sizeof(ops));
	ops[0] = (struct sql_change_op){ .add = true, .obj = o[0], .text = r[0], .journal = true, .serial_nrtm = 20 };
	ops[1] = (struct sql_change_op){ .add = true, .obj = o[3], .text = r[3], .journal = true, .serial_nrtm = 25 };
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_batch(c, "BAT", ops, 2, SQL_ORIGIN_MIRROR, NULL), 0);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(q1("SELECT count(*) FROM rpsl_database_journal WHERE source = $1 AND serial_nrtm IN (20, 25)", "BAT"), 2);
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_batch(c, "BAT", ops, 2, SQL_ORIGIN_MIRROR, NULL), -1);
	CHECK_MSG(strstr(sql_error(c), "duplicate key") != NULL, "%s", sql_error(c));
	CHECK_INT(sql_rollback(c), 0);
	/* two batches in one transaction */
	ops[0].serial_nrtm = ops[1].serial_nrtm = -1;
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_batch(c, "BAT", ops, 1, SQL_ORIGIN_MIRROR, NULL), 0);
	CHECK_INT(sql_change_batch(c, "BAT", ops + 1, 1, SQL_ORIGIN_MIRROR, NULL), 0);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(q1("SELECT max(serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "BAT"), 27);
	for (int i = 0; i < 4; i++) {
		free(r[i]);
		rpsl_object_free(o[i]);
	}
}

/* The COPY text encoding of the batch: backslashes, tabs, carriage returns
 * and newlines anywhere in a stored text (first, last, in runs) come back
 * byte for byte. */
static void test_batch_escapes(void)
{
	static const char *const texts[] = {
		"mntner: MNT-ESC1\nremarks: a\\b\tc\r\nsource: ESC\n",
		"\\mntner: MNT-ESC2\n\t\t\\\\\r\rsource: ESC\\",
		"mntner: MNT-ESC3\nsource: ESC\t",
	};
	struct sql_change_op ops[3];
	struct rpsl_object *o[3];

	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 3; i++) {
		char key[64];

		snprintf(key, sizeof(key), "mntner: MNT-ESC%d\nsource: ESC\n", i + 1);
		o[i] = parse(key);
		ops[i] = (struct sql_change_op){ .add = true, .obj = o[i], .text = texts[i], .journal = true,
						 .serial_nrtm = -1 };
	}
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_change_batch(c, "ESC", ops, 3, SQL_ORIGIN_MIRROR, NULL), 0);
	CHECK_INT(sql_commit(c), 0);
	for (int i = 0; i < 3; i++) {
		char pk[32];
		const char *p[2] = { pk, texts[i] };

		snprintf(pk, sizeof(pk), "MNT-ESC%d", i + 1);
		CHECK_INT(sql_exec(c, "SELECT 1 FROM rpsl_objects WHERE source = 'ESC' AND rpsl_pk = $1"
				   " AND object_text = $2", 2, p), 1);
		CHECK_INT(sql_exec(c, "SELECT 1 FROM rpsl_database_journal WHERE source = 'ESC' AND rpsl_pk = $1"
				   " AND object_text = $2", 2, p), 1);
		rpsl_object_free(o[i]);
	}
}

#define WRITERS 4
#define PER_WRITER 50

static void *writer(void *arg)
{
	long id = (long)arg;
	char *err = NULL;
	struct sql_conn *w = sql_connect(url, &err);
	long fails = 0;

	if (w == NULL) {
		free(err);
		return (void *)1;
	}
	for (int i = 0; i < PER_WRITER; i++) {
		char text[256];
		struct rpsl_object *o;
		int64_t s;
		int rc;

		snprintf(text, sizeof(text), "route: 172.16.%ld.%d/32\norigin: AS%d\nsource: CONC\n", id, i, i + 1);
		o = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, NULL);
		if (sql_begin(w) < 0)
			fails++;
		rc = sql_change_put(w, o, text, RPKI_NOT_FOUND, &J_LOCAL, &s);
		if (rc < 0 || sql_commit(w) < 0)
			fails++;
		rpsl_object_free(o);
	}
	sql_close(w);
	return (void *)fails;
}

static void test_concurrent(void)
{
	pthread_t t[WRITERS];
	long fails = 0;

	for (long i = 0; i < WRITERS; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < WRITERS; i++) {
		void *r;

		pthread_join(t[i], &r);
		fails += (long)r;
	}
	CHECK_INT(fails, 0);
	CHECK_INT(q1("SELECT count(DISTINCT serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "CONC"),
		  WRITERS * PER_WRITER);
	CHECK_INT(q1("SELECT max(serial_nrtm) FROM rpsl_database_journal WHERE source = $1", "CONC"),
		  WRITERS * PER_WRITER);
	/* serial_global follows serial_nrtm (the lock orders them) */
	CHECK_INT(q1("SELECT count(*) FROM (SELECT serial_nrtm, row_number() OVER (ORDER BY serial_global) AS r"
		     " FROM rpsl_database_journal WHERE source = $1) x WHERE serial_nrtm <> r", "CONC"), 0);
}

int main(void)
{
	char *err = NULL;

	log_init("sql_change_test");
	url = test_db_create("sql_change_test");
	c = sql_connect(url, &err);
	CHECK_MSG(c != NULL, "%s", err ? err : "");
	if (c == NULL)
		return test_summary("sql_change_test");
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	TEST_RUN(test_local_serials);
	TEST_RUN(test_explicit_serials);
	TEST_RUN(test_pipeline);
	TEST_RUN(test_concurrent);
	TEST_RUN(test_batch);
	TEST_RUN(test_batch_escapes);
	sql_close(c);
	test_db_drop();
	free(url);
	return test_summary("sql_change_test");
}
