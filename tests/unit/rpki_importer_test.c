/*
 * rpki_importer_test.c - the ROA import cycle (rpki/importer.h) and its SQL
 * (sql/rpki_store.h) against a real PostgreSQL: statuses written, journal
 * DEL/ADD on visibility changes with consecutive serials, object_change
 * rows, roa_object kept equal to the set (by difference and rewritten),
 * rpki_excluded sources, pseudo-IRR rows left alone, notifications
 * aggregated per contact, failed imports leaving everything as it was,
 * the partition rewrite for mass changes, and load-time validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "rpki/importer.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "sql/rpki_store.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct sql_conn *c;
static char tmpdir[256];

/* ---- helpers ---------------------------------------------------------------------- */

static char *write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "FAIL %s: cannot write\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* Rows a query returns (or affects). */
static int rows(const char *sql)
{
	return sql_exec(c, sql, 0, NULL);
}

/* Bulk-load a source (its own partition) or, with update, apply it as a
 * diff (new sources then live in the default partition). */
static int load(const char *source, const char *text, bool update, struct roa_set *validate_with)
{
	char *path = write_tmp("load.db", text);
	const char *files[1] = { path };
	struct sql_load_opts o;
	struct sql_load_stats st;
	char *err = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.source = source;
	o.serial = -1;
	o.files = files;
	o.nfiles = 1;
	o.jobs = 1;
	o.rpki_state = validate_with != NULL ? roa_load_state : NULL;
	o.rpki_arg = validate_with;
	rc = update ? sql_update_dump(c, &o, &st, &err) : sql_load_dump(c, &o, &st, &err);
	if (rc < 0)
		fprintf(stderr, "load %s: %s\n", source, err);
	free(err);
	free(path);
	return rc;
}

struct got {
	int n;
	enum rpki_state st;
	int64_t id;
};

static int got_cb(void *arg, const struct sql_object_row *row)
{
	struct got *g = arg;

	g->n++;
	g->st = row->rpki_status;
	g->id = row->id;
	return 0;
}

/* The stored status of a route, -1 if it is not there. */
static int status(const char *source, const char *cls, const char *pk)
{
	struct got g = { 0, RPKI_NOT_FOUND, 0 };

	if (sql_object_get(c, source, cls, pk, got_cb, &g) != 1)
		return -1;
	return (int)g.st;
}

static struct roa_set *set_of(const char *json)
{
	char *err = NULL;
	struct roa_set *s = roa_parse(json, strlen(json), "test.json", NULL, &err);

	if (s == NULL) {
		fprintf(stderr, "FAIL roa_parse: %s\n", err);
		exit(1);
	}
	return s;
}

static const struct roa_import_source sources[] = {
	{ "TEST", false, true, true },
	{ "EXCL", true, true, false },
	{ "MIRR", false, false, false },
	{ "UPD", false, true, false },
	{ "BIG", false, true, false },
};

static const char subject_tmpl[] = "route(6) objects in {sources_str} marked RPKI invalid";
static const char header_tmpl[] = "{object_count} objects in {sources_str} {{braces}} {unknown}\n";

static void opts_init(struct roa_import_opts *o, struct roa_set *set)
{
	memset(o, 0, sizeof(*o));
	o->set = set;
	o->sources = sources;
	o->nsources = sizeof(sources) / sizeof(sources[0]);
	o->notify_subject = subject_tmpl;
	o->notify_header = header_tmpl;
	o->threads = 2;
	o->rewrite_min = -1;
}

static int import(struct roa_set *set, struct roa_import_result *res)
{
	struct roa_import_opts o;
	int rc;

	opts_init(&o, set);
	rc = roa_import_run(c, &o, res);
	if (rc < 0)
		fprintf(stderr, "import: %s\n", res->error);
	return rc;
}

static const struct roa_notice *notice_to(const struct roa_import_result *res, const char *to)
{
	for (size_t i = 0; i < res->nnotices; i++)
		if (strcmp(res->notices[i].to, to) == 0)
			return &res->notices[i];
	return NULL;
}

/* ---- data --------------------------------------------------------------------------- */

static const char test_db[] =
	"mntner:         TEST-MNT\n"
	"admin-c:        R1-TEST\n"
	"tech-c:         P1-TEST\n"
	"upd-to:         upd@example.net\n"
	"mnt-nfy:        nfy@example.net\n"
	"auth:           MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"mntner:         OTHER-MNT\n"
	"admin-c:        P1-TEST\n"
	"upd-to:         upd@example.net\n"
	"mnt-nfy:        other@example.net\n"
	"auth:           MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.\n"
	"mnt-by:         OTHER-MNT\n"
	"source:         TEST\n"
	"\n"
	"person:         Person One\n"
	"address:        Street 1\n"
	"phone:          +31 20 000 0000\n"
	"e-mail:         p1@example.net\n"
	"nic-hdl:        P1-TEST\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"role:           Role One\n"
	"address:        Street 2\n"
	"e-mail:         r1@example.net\n"
	"nic-hdl:        R1-TEST\n"
	"admin-c:        P1-TEST\n"
	"tech-c:         P1-TEST\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"route:          192.0.2.0/24\n"
	"origin:         AS65001\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"route:          192.0.2.0/25\n"
	"origin:         AS65001\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"route:          198.51.100.0/24\n"
	"origin:         AS65002\n"
	"mnt-by:         TEST-MNT\n"
	"mnt-by:         OTHER-MNT\n"
	"source:         TEST\n"
	"\n"
	"route:          203.0.113.0/24\n"
	"origin:         AS65009\n"
	"mnt-by:         TEST-MNT\n"
	"source:         TEST\n"
	"\n"
	"route6:         2001:db8::/32\n"
	"origin:         AS65001\n"
	"mnt-by:         OTHER-MNT\n"
	"source:         TEST\n";

static const char excl_db[] =
	"route:          198.51.100.0/24\n"
	"origin:         AS65002\n"
	"mnt-by:         X-MNT\n"
	"source:         EXCL\n"
	"\n"
	"route:          192.0.2.0/24\n"
	"origin:         AS65001\n"
	"mnt-by:         X-MNT\n"
	"source:         EXCL\n";

static const char mirr_db[] =
	"route:          192.0.2.0/25\n"
	"origin:         AS65001\n"
	"mnt-by:         TEST-MNT\n"
	"source:         MIRR\n";

static const char upd_db[] =
	"route:          192.0.2.0/25\n"
	"origin:         AS65001\n"
	"mnt-by:         U-MNT\n"
	"source:         UPD\n"
	"\n"
	"route:          192.0.2.0/24\n"
	"origin:         AS65001\n"
	"mnt-by:         U-MNT\n"
	"source:         UPD\n";

static const char roas1[] =
	"{\"roas\":[{\"asn\":\"AS65001\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"ripe\"},"
	"{\"asn\":\"AS65003\",\"prefix\":\"198.51.100.0/24\",\"maxLength\":24,\"ta\":\"arin\"},"
	"{\"asn\":65001,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"ripe\"}]}";

/* 198.51.100.0/24 AS65003 gone, 192.0.2.0/24 re-anchored, 203.0.113.0/24 AS65010 new */
static const char roas2[] =
	"{\"roas\":[{\"asn\":\"AS65001\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"RIPE NCC\"},"
	"{\"asn\":\"AS65010\",\"prefix\":\"203.0.113.0/24\",\"maxLength\":24,\"ta\":\"apnic\"},"
	"{\"asn\":65001,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"ripe\"}]}";

/* roas1 plus 10.0.0.0/8 for AS65100, then plus 10.0.200.0/22 for AS65200 */
static const char roas1_big[] =
	"{\"roas\":[{\"asn\":\"AS65001\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"ripe\"},"
	"{\"asn\":\"AS65003\",\"prefix\":\"198.51.100.0/24\",\"maxLength\":24,\"ta\":\"arin\"},"
	"{\"asn\":65001,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"ripe\"},"
	"{\"asn\":65100,\"prefix\":\"10.0.0.0/8\",\"maxLength\":24,\"ta\":\"ripe\"}]}";
static const char roas1_big2[] =
	"{\"roas\":[{\"asn\":\"AS65001\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"ripe\"},"
	"{\"asn\":\"AS65003\",\"prefix\":\"198.51.100.0/24\",\"maxLength\":24,\"ta\":\"arin\"},"
	"{\"asn\":65001,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"ripe\"},"
	"{\"asn\":65100,\"prefix\":\"10.0.0.0/8\",\"maxLength\":24,\"ta\":\"ripe\"},"
	"{\"asn\":65200,\"prefix\":\"10.0.200.0/22\",\"maxLength\":24,\"ta\":\"ripe\"}]}";

/* ---- tests ----------------------------------------------------------------------------- */

static void test_setup(void)
{
	const char *pseudo[4] = { "RPKI", "route", "10.0.0.0/8AS1/ML8",
				  "route:          10.0.0.0/8\norigin:         AS1\nsource:         RPKI\n" };

	CHECK_INT(load("TEST", test_db, false, NULL), 0);
	CHECK_INT(load("EXCL", excl_db, false, NULL), 0);
	CHECK_INT(load("MIRR", mirr_db, false, NULL), 0);
	CHECK_INT(load("UPD", upd_db, true, NULL), 0);
	/* an excluded route that some earlier run had marked invalid */
	CHECK_INT(rows("UPDATE rpsl_objects SET rpki_status = 'invalid' WHERE source = 'EXCL'"
		       " AND rpsl_pk = '198.51.100.0/24AS65002'"), 1);
	/* a pseudo-IRR row (IRRd stores them): never validated */
	CHECK_INT(sql_exec(c, "INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text, prefix,"
			   " origin, rpki_status) VALUES ($1, $2, $3, $4, '10.0.0.0/8', 1, 'valid')", 4, pseudo), 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_objects WHERE object_class IN ('route', 'route6')"
		       " AND rpki_status = 'not_found'"), 9);
}

static void test_first_import(void)
{
	struct roa_import_result res;
	const struct roa_notice *n;

	rows("DELETE FROM object_change");
	CHECK_INT(import(set_of(roas1), &res), 0);
	CHECK(res.error == NULL);
	CHECK(res.set != NULL);
	CHECK_INT(res.nroas, 3);
	CHECK_INT(res.nroutes, 10);	/* not the pseudo-IRR row */
	CHECK_INT(res.nvalid, 3);	/* TEST 192.0.2.0/24 and 2001:db8::/32, UPD 192.0.2.0/24 */
	CHECK_INT(res.ninvalid, 4);	/* TEST /25 and 198.51.100.0/24, MIRR /25, UPD /25 */
	CHECK_INT(res.nnot_found, 3);	/* TEST 203.0.113.0/24, both EXCL */
	CHECK_INT(res.now_valid, 3);
	CHECK_INT(res.now_invalid, 4);
	CHECK_INT(res.now_not_found, 1);	/* the excluded route marked invalid before */
	CHECK_INT(res.skipped, 0);
	CHECK_INT(res.rewritten, 0);

	CHECK_INT(status("TEST", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
	CHECK_INT(status("TEST", "route", "192.0.2.0/25AS65001"), RPKI_INVALID);
	CHECK_INT(status("TEST", "route", "198.51.100.0/24AS65002"), RPKI_INVALID);
	CHECK_INT(status("TEST", "route", "203.0.113.0/24AS65009"), RPKI_NOT_FOUND);
	CHECK_INT(status("TEST", "route6", "2001:DB8::/32AS65001"), RPKI_VALID);
	/* rpki_excluded: always not_found, even the valid and the invalid one */
	CHECK_INT(status("EXCL", "route", "198.51.100.0/24AS65002"), RPKI_NOT_FOUND);
	CHECK_INT(status("EXCL", "route", "192.0.2.0/24AS65001"), RPKI_NOT_FOUND);
	CHECK_INT(status("MIRR", "route", "192.0.2.0/25AS65001"), RPKI_INVALID);
	/* UPD lives in the default partition: the UPDATE path */
	CHECK_INT(status("UPD", "route", "192.0.2.0/25AS65001"), RPKI_INVALID);
	CHECK_INT(status("UPD", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
	CHECK_INT(status("RPKI", "route", "10.0.0.0/8AS1/ML8"), RPKI_VALID);

	/* journal: DEL for routes that became invalid in journal sources
	 * (TEST 2, UPD 1; MIRR keeps none), consecutive serials from 1 */
	CHECK_INT(res.journal_del, 3);
	CHECK_INT(res.journal_add, 1);	/* EXCL, below */
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST' AND operation = 'DEL'"
		       " AND origin = 'rpki_status'"), 2);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST' AND serial_nrtm = 1"
		       " AND rpsl_pk = '192.0.2.0/25AS65001' AND object_text LIKE 'route:%192.0.2.0/25%'"), 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST' AND serial_nrtm = 2"
		       " AND rpsl_pk = '198.51.100.0/24AS65002'"), 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'MIRR'"), 0);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'UPD' AND operation = 'DEL'"), 1);
	CHECK_INT(rows("SELECT 1 FROM database_status WHERE source = 'TEST' AND serial_oldest_journal = 1"
		       " AND serial_newest_journal = 2 AND serial_newest_seen = 2"), 1);
	/* the excluded route went invalid -> not_found: visible again: ADD */
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'EXCL' AND operation = 'ADD'"
		       " AND rpsl_pk = '198.51.100.0/24AS65002'"), 1);

	/* object_change: one ADD per changed route, for the daemon */
	CHECK_INT(rows("SELECT 1 FROM object_change WHERE op = 'ADD'"), 8);
	CHECK_INT(rows("SELECT 1 FROM object_change WHERE op <> 'ADD'"), 0);
	CHECK_INT(rows("SELECT 1 FROM object_change WHERE op = 'ADD' AND source = 'TEST'"
		       " AND rpsl_pk = '198.51.100.0/24AS65002'"), 1);

	/* roa_object holds the set */
	CHECK_INT(rows("SELECT 1 FROM roa_object"), 3);
	CHECK_INT(rows("SELECT 1 FROM roa_object WHERE prefix = '192.0.2.0/24' AND asn = 65001 AND"
		       " max_length = 24 AND trust_anchor = 'ripe' AND ip_version = 4"), 1);
	CHECK_INT(rows("SELECT 1 FROM roa_object WHERE prefix = '2001:db8::/32' AND ip_version = 6"), 1);
	CHECK_INT(res.roa_added, 3);

	/* notifications: TEST only; per address the objects it is a contact
	 * for (maintainer mnt-nfy, tech-c and admin-c e-mail), each once */
	CHECK_INT(res.nnotify_objects, 2);
	CHECK_INT(res.nnotices, 4);
	n = notice_to(&res, "nfy@example.net");
	CHECK(n != NULL && n->nobjects == 2);
	n = notice_to(&res, "p1@example.net");
	CHECK(n != NULL && n->nobjects == 2);	/* 198.51.100.0/24 through both maintainers */
	n = notice_to(&res, "r1@example.net");
	CHECK(n != NULL && n->nobjects == 2);
	n = notice_to(&res, "other@example.net");
	CHECK(n != NULL && n->nobjects == 1);
	if (n != NULL) {
		CHECK_STR(n->subject, "route(6) objects in TEST marked RPKI invalid");
		CHECK(strncmp(n->body, "1 objects in TEST {braces} {unknown}\n\nThe following objects are affected:\n"
			      "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\nroute:          198.51.100.0/24\n",
			      strlen("1 objects in TEST {braces} {unknown}\n\nThe following objects are affected:\n"
				     "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
				     "route:          198.51.100.0/24\n")) == 0);
		CHECK(strstr(n->body, "192.0.2.0/25") == NULL);
		CHECK(strlen(n->body) > 52 &&
		      strcmp(n->body + strlen(n->body) - 53, "\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~") == 0);
	}
	n = notice_to(&res, "nfy@example.net");
	if (n != NULL) {
		const char *a = strstr(n->body, "192.0.2.0/25"), *b = strstr(n->body, "198.51.100.0/24");
		CHECK(a != NULL && b != NULL && a < b);
	}
	CHECK(notice_to(&res, "upd@example.net") == NULL);
	roa_import_result_free(&res);
}

static void test_reimport_same(void)
{
	struct roa_import_result res;
	int changes = rows("SELECT 1 FROM object_change");

	CHECK_INT(import(set_of(roas1), &res), 0);
	CHECK_INT(res.now_valid + res.now_invalid + res.now_not_found, 0);
	CHECK_INT(res.journal_add + res.journal_del, 0);
	CHECK_INT(res.roa_added + res.roa_removed, 0);
	CHECK(!res.roa_rewritten);
	CHECK_INT(res.nnotices, 0);
	CHECK_INT(rows("SELECT 1 FROM object_change"), changes);
	CHECK_INT(rows("SELECT 1 FROM roa_object"), 3);
	roa_import_result_free(&res);
}

static void test_change(void)
{
	struct roa_import_result res;
	const struct roa_notice *n;

	CHECK_INT(import(set_of(roas2), &res), 0);
	/* 198.51.100.0/24 AS65002: invalid -> not_found (visible again: ADD);
	 * 203.0.113.0/24 AS65009: not_found -> invalid (DEL) */
	CHECK_INT(status("TEST", "route", "198.51.100.0/24AS65002"), RPKI_NOT_FOUND);
	CHECK_INT(status("TEST", "route", "203.0.113.0/24AS65009"), RPKI_INVALID);
	CHECK_INT(status("TEST", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
	CHECK_INT(res.now_not_found, 1);
	CHECK_INT(res.now_invalid, 1);
	CHECK_INT(res.journal_add, 1);
	CHECK_INT(res.journal_del, 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST' AND serial_nrtm = 3"
		       " AND operation = 'ADD' AND rpsl_pk = '198.51.100.0/24AS65002'"), 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST' AND serial_nrtm = 4"
		       " AND operation = 'DEL' AND rpsl_pk = '203.0.113.0/24AS65009'"), 1);
	CHECK_INT(rows("SELECT 1 FROM database_status WHERE source = 'TEST' AND serial_newest_journal = 4"), 1);
	/* roa_object by difference: one removed, one added, one re-anchored */
	CHECK(!res.roa_rewritten);
	CHECK_INT(res.roa_added, 2);
	CHECK_INT(res.roa_removed, 2);
	CHECK_INT(rows("SELECT 1 FROM roa_object"), 3);
	CHECK_INT(rows("SELECT 1 FROM roa_object WHERE prefix = '192.0.2.0/24' AND trust_anchor = 'RIPE NCC'"), 1);
	CHECK_INT(rows("SELECT 1 FROM roa_object WHERE prefix = '198.51.100.0/24'"), 0);
	/* a notification for the newly invalid route only; none for the one
	 * that returned to not_found */
	CHECK_INT(res.nnotify_objects, 1);
	CHECK_INT(res.nnotices, 3);
	n = notice_to(&res, "nfy@example.net");
	CHECK(n != NULL && n->nobjects == 1 && strstr(n->body, "203.0.113.0/24") != NULL &&
	      strstr(n->body, "198.51.100.0/24") == NULL);
	CHECK(notice_to(&res, "other@example.net") == NULL);
	roa_import_result_free(&res);

	/* invalid again: a new notification */
	CHECK_INT(import(set_of(roas1), &res), 0);
	CHECK_INT(status("TEST", "route", "198.51.100.0/24AS65002"), RPKI_INVALID);
	CHECK(notice_to(&res, "other@example.net") != NULL);
	CHECK_INT(res.journal_del, 1);
	CHECK_INT(res.journal_add, 1);	/* 203.0.113.0/24 is not_found again */
	roa_import_result_free(&res);
}

/* A failed import leaves statuses, journal and roa_object as they were. */
static void test_failures(void)
{
	struct roa_import_opts o;
	struct roa_import_result res;
	int journal = rows("SELECT 1 FROM rpsl_database_journal");
	int changes = rows("SELECT 1 FROM object_change");
	char *bad = write_tmp("bad.json", "{\"roas\": [{\"asn\": \"AS1\", \"prefix\": \"192.0.2.0/24\"");
	char *good = write_tmp("good.json", roas2);
	char *badslurm = write_tmp("bad-slurm.json", "{\"slurmVersion\": 2}");
	char *url, *slurl;

	opts_init(&o, NULL);
	o.roa_url = "file:///nonexistent/roas.json";
	CHECK_INT(roa_import_run(c, &o, &res), -1);
	CHECK(res.error != NULL && strstr(res.error, "/nonexistent/roas.json") != NULL);
	CHECK(res.set == NULL);
	roa_import_result_free(&res);

	url = xasprintf("file://%s", bad);
	o.roa_url = url;
	CHECK_INT(roa_import_run(c, &o, &res), -1);
	CHECK(res.error != NULL && strstr(res.error, "bad.json") != NULL);
	roa_import_result_free(&res);
	free(url);

	url = xasprintf("file://%s", good);
	o.roa_url = url;
	o.slurm_url = "file:///nonexistent/slurm.json";
	CHECK_INT(roa_import_run(c, &o, &res), -1);
	CHECK(res.error != NULL && strstr(res.error, "slurm.json") != NULL);
	roa_import_result_free(&res);
	o.slurm_url = slurl = xasprintf("file://%s", badslurm);
	CHECK_INT(roa_import_run(c, &o, &res), -1);
	CHECK(res.error != NULL && strstr(res.error, "bad-slurm.json") != NULL);
	roa_import_result_free(&res);
	free(slurl);
	o.slurm_url = NULL;

	/* nothing moved */
	CHECK_INT(status("TEST", "route", "198.51.100.0/24AS65002"), RPKI_INVALID);
	CHECK_INT(status("TEST", "route", "203.0.113.0/24AS65009"), RPKI_NOT_FOUND);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal"), journal);
	CHECK_INT(rows("SELECT 1 FROM object_change"), changes);
	CHECK_INT(rows("SELECT 1 FROM roa_object WHERE prefix = '198.51.100.0/24' AND asn = 65003"), 1);

	/* and the same file through file:// works */
	CHECK_INT(roa_import_run(c, &o, &res), 0);
	CHECK_INT(status("TEST", "route", "203.0.113.0/24AS65009"), RPKI_INVALID);
	roa_import_result_free(&res);
	CHECK_INT(import(set_of(roas1), &res), 0);
	roa_import_result_free(&res);
	free(url);
	free(bad);
	free(good);
	free(badslurm);
}

/* A source whose journal carries upstream serials gets no local entries. */
static void test_synchronised(void)
{
	struct roa_import_result res;
	int upd = rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'UPD'");
	int test = rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST'");
	static const char roas_25[] =
		"{\"roas\":[{\"asn\":\"AS65001\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":25,\"ta\":\"ripe\"},"
		"{\"asn\":\"AS65003\",\"prefix\":\"198.51.100.0/24\",\"maxLength\":24,\"ta\":\"arin\"},"
		"{\"asn\":65001,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"ripe\"}]}";

	CHECK_INT(rows("UPDATE database_status SET synchronised_serials = true WHERE source = 'UPD'"), 1);
	CHECK_INT(import(set_of(roas_25), &res), 0);
	CHECK_INT(status("UPD", "route", "192.0.2.0/25AS65001"), RPKI_VALID);
	CHECK_INT(status("TEST", "route", "192.0.2.0/25AS65001"), RPKI_VALID);
	CHECK_INT(res.journal_add, 1);	/* TEST only */
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'UPD'"), upd);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'TEST'"), test + 1);
	roa_import_result_free(&res);
	CHECK_INT(import(set_of(roas1), &res), 0);
	CHECK_INT(res.journal_del, 1);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'UPD'"), upd);
	roa_import_result_free(&res);
	CHECK_INT(rows("UPDATE database_status SET synchronised_serials = false WHERE source = 'UPD'"), 1);
}

/* A change whose row moved on meanwhile is skipped, not forced. */
static void test_skip_concurrent(void)
{
	struct sql_rpki_change ch[2];
	struct sql_rpki_write_opts wo;
	struct sql_rpki_write_stats ws;
	const char *none[1] = { NULL };
	struct got g = { 0, RPKI_NOT_FOUND, 0 };

	memset(&wo, 0, sizeof(wo));
	wo.journal_sources = none;
	wo.notify_sources = none;
	CHECK_INT(sql_object_get(c, "TEST", "route", "192.0.2.0/24AS65001", got_cb, &g), 1);
	CHECK(g.id > 0);
	ch[0].id = g.id;	/* it is valid, not not_found any more */
	ch[0].source = "TEST";
	ch[0].old_status = RPKI_NOT_FOUND;
	ch[0].new_status = RPKI_INVALID;
	ch[1].id = -1;		/* gone */
	ch[1].source = "TEST";
	ch[1].old_status = RPKI_VALID;
	ch[1].new_status = RPKI_INVALID;
	CHECK_INT(sql_begin(c), 0);
	CHECK_INT(sql_rpki_status_write(c, ch, 2, &wo, &ws), 0);
	CHECK_INT(ws.updated, 0);
	CHECK_INT(ws.skipped, 2);
	CHECK_INT(sql_commit(c), 0);
	CHECK_INT(status("TEST", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
}

/* Many changes in a source with a partition of its own: the partition is
 * rewritten, with the same result as the UPDATE path. */
static void test_rewrite(void)
{
	struct roa_import_opts o;
	struct roa_import_result res;
	struct sql_buf_like { char *d; size_t len, cap; } b = { NULL, 0, 0 };
	int before;

	/* 300 routes: 10.0.N.0/24 from AS65100 (N < 100 valid, the rest
	 * invalid from the wrong origin) */
	for (int i = 0; i < 300; i++) {
		char obj[200];
		int n = snprintf(obj, sizeof(obj), "route:          10.%d.%d.0/24\norigin:         AS%d\n"
				 "mnt-by:         B-MNT\nsource:         BIG\n\n", i / 256, i % 256,
				 i < 100 ? 65100 : 65200);
		if (b.len + (size_t)n + 1 > b.cap) {
			b.cap = b.cap ? b.cap * 2 : 16384;
			b.d = xrealloc(b.d, b.cap);
		}
		memcpy(b.d + b.len, obj, (size_t)n + 1);
		b.len += (size_t)n;
	}
	CHECK_INT(load("BIG", b.d, false, NULL), 0);
	free(b.d);
	CHECK_INT(rows("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
		       " WHERE i.inhparent = 'rpsl_objects'::regclass"
		       " AND pg_get_expr(c.relpartbound, c.oid) = 'FOR VALUES IN (''BIG'')'"), 1);
	before = rows("SELECT 1 FROM object_change");
	opts_init(&o, set_of(roas1_big));
	o.rewrite_min = 50;
	CHECK_INT(roa_import_run(c, &o, &res), 0);
	CHECK_INT(res.rewritten, 1);
	CHECK_INT(res.now_valid, 100);
	CHECK_INT(res.now_invalid, 200);
	CHECK_INT(res.now_not_found, 0);
	CHECK_INT(res.journal_del, 200);
	roa_import_result_free(&res);
	CHECK_INT(status("BIG", "route", "10.0.5.0/24AS65100"), RPKI_VALID);
	CHECK_INT(status("BIG", "route", "10.1.0.0/24AS65200"), RPKI_INVALID);
	CHECK_INT(status("TEST", "route", "198.51.100.0/24AS65002"), RPKI_INVALID);
	/* the daemon hears of exactly the changed routes */
	CHECK_INT(rows("SELECT 1 FROM object_change") - before, 300);
	CHECK_INT(rows("SELECT 1 FROM (SELECT * FROM object_change ORDER BY seq DESC LIMIT 300) x"
		       " WHERE op = 'ADD' AND source = 'BIG'"), 300);
	/* a swapped partition with the parent's indexes built on it */
	CHECK_INT(rows("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
		       " WHERE i.inhparent = 'rpsl_objects'::regclass"
		       " AND pg_get_expr(c.relpartbound, c.oid) = 'FOR VALUES IN (''BIG'')'"), 1);
	CHECK_INT(rows("SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
		       " JOIN pg_index x ON x.indrelid = c.oid"
		       " WHERE i.inhparent = 'rpsl_objects'::regclass"
		       " AND pg_get_expr(c.relpartbound, c.oid) = 'FOR VALUES IN (''BIG'')'"), 4);
	CHECK_INT(rows("SELECT 1 FROM rpsl_objects WHERE source = 'BIG'"), 300);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'BIG' AND operation = 'DEL'"
		       " AND serial_nrtm BETWEEN 1 AND 200"), 200);
	/* a duplicate key is still refused: the unique constraint is there */
	CHECK_INT(rows("INSERT INTO rpsl_objects (source, object_class, rpsl_pk, object_text)"
		       " VALUES ('BIG', 'route', '10.0.5.0/24AS65100', 'x')"), -1);

	/* a few changes in the same source: the UPDATE path */
	opts_init(&o, set_of(roas1_big2));
	o.rewrite_min = 50;
	CHECK_INT(roa_import_run(c, &o, &res), 0);
	CHECK_INT(res.rewritten, 0);
	CHECK_INT(res.now_valid, 4);
	CHECK_INT(res.journal_add, 4);
	roa_import_result_free(&res);
	CHECK_INT(status("BIG", "route", "10.0.201.0/24AS65200"), RPKI_VALID);
	CHECK_INT(rows("SELECT 1 FROM rpsl_database_journal WHERE source = 'BIG' AND operation = 'ADD'"
		       " AND serial_nrtm BETWEEN 201 AND 204"), 4);
}

/* roa_object read back is the set that was imported. */
static void test_load_db(void)
{
	struct roa_set *want = set_of(roas1_big2), *got;
	char *err = NULL, *wj, *gj;
	size_t wl, gl;

	got = roa_load_db(c, &err);
	CHECK(got != NULL);
	if (got == NULL) {
		fprintf(stderr, "roa_load_db: %s\n", err);
		free(err);
		roa_set_free(want);
		return;
	}
	wj = roa_set_json(want, &wl);
	gj = roa_set_json(got, &gl);
	CHECK(wl == gl && memcmp(wj, gj, wl) == 0);
	CHECK_INT(roa_set_count(got), 5);
	CHECK_INT(roa_validate(got, &(struct ip_prefix){ IP_AF4, 24, { 192, 0, 2 } }, 65001), RPKI_VALID);
	free(wj);
	free(gj);
	roa_set_free(want);
	roa_set_free(got);
}

/* irrd_load_database in RPKI-aware mode: routes stored with their state. */
static void test_load_time(void)
{
	struct cfg *cfg;
	struct roa_set *set = NULL;
	char *err = NULL;
	static const char yaml[] =
		"irrd:\n"
		"  database_url: 'postgresql://localhost/x'\n"
		"  rpki: {roa_source: 'file:///x.json', notify_invalid_enabled: false}\n"
		"  sources:\n"
		"    LOADED: {authoritative: true, keep_journal: true}\n"
		"    EXCL: {rpki_excluded: true}\n";
	static const char dump[] =
		"route:          192.0.2.0/25\norigin:         AS65001\nsource:         LOADED\n\n"
		"route:          192.0.2.0/24\norigin:         AS65001\nsource:         LOADED\n\n"
		"route6:         2001:db8:1::/48\norigin:         AS65001\nsource:         LOADED\n\n"
		"route:          203.0.113.0/24\norigin:         AS65009\nsource:         LOADED\n";

	cfg = cfg_parse(yaml, strlen(yaml), "test.yaml", &err);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	CHECK_INT(roa_load_for_source(c, cfg, "EXCL", &set, &err), 0);
	CHECK(set == NULL);
	CHECK_INT(roa_load_for_source(c, cfg, "RPKI", &set, &err), 0);
	CHECK(set == NULL);
	CHECK_INT(roa_load_for_source(c, cfg, "LOADED", &set, &err), 0);
	CHECK(set != NULL);
	CHECK_INT(load("LOADED", dump, false, set), 0);
	CHECK_INT(status("LOADED", "route", "192.0.2.0/25AS65001"), RPKI_INVALID);
	CHECK_INT(status("LOADED", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
	CHECK_INT(status("LOADED", "route6", "2001:DB8:1::/48AS65001"), RPKI_VALID);
	CHECK_INT(status("LOADED", "route", "203.0.113.0/24AS65009"), RPKI_NOT_FOUND);
	/* an update stores new and changed routes with their state */
	CHECK_INT(load("LOADED", "route:          198.51.100.0/24\norigin:         AS65002\nsource:         LOADED\n\n"
		       "route:          192.0.2.0/24\norigin:         AS65001\nsource:         LOADED\n", true, set), 0);
	CHECK_INT(status("LOADED", "route", "198.51.100.0/24AS65002"), RPKI_INVALID);
	CHECK_INT(status("LOADED", "route", "192.0.2.0/24AS65001"), RPKI_VALID);
	CHECK_INT(status("LOADED", "route", "192.0.2.0/25AS65001"), -1);
	/* without a set: not_found */
	CHECK_INT(load("LOADED", dump, false, NULL), 0);
	CHECK_INT(status("LOADED", "route", "192.0.2.0/25AS65001"), RPKI_NOT_FOUND);
	roa_set_free(set);
	cfg_free(cfg);
}

static void test_opts_from_cfg(void)
{
	struct roa_import_opts o;
	struct cfg *cfg;
	char *err = NULL;
	static const char yaml[] =
		"irrd:\n"
		"  database_url: 'postgresql://localhost/x'\n"
		"  download_timeout: 7\n"
		"  rpki: {roa_source: 'https://example.net/roas.json', slurm_source: 'file:///s.json',\n"
		"         notify_invalid_enabled: true}\n"
		"  sources:\n"
		"    AUTH: {authoritative: true, keep_journal: true}\n"
		"    EXCL: {rpki_excluded: true}\n";

	cfg = cfg_parse(yaml, strlen(yaml), "test.yaml", &err);
	CHECK(cfg != NULL);
	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	roa_import_opts_from_cfg(&o, cfg);
	CHECK_STR(o.roa_url, "https://example.net/roas.json");
	CHECK_STR(o.slurm_url, "file:///s.json");
	CHECK_INT(o.timeout, 42);
	CHECK_INT(o.nsources, 2);
	CHECK(o.nsources == 2 && o.sources[0].notify && o.sources[0].journal && !o.sources[0].excluded);
	CHECK(o.nsources == 2 && !o.sources[1].notify && o.sources[1].excluded);
	/* IRRd's default templates */
	CHECK_STR(o.notify_subject, "route(6) objects in {sources_str} marked RPKI invalid");
	CHECK(o.notify_header != NULL && strncmp(o.notify_header, "This is to notify that {object_count} route(6)", 46) == 0);
	roa_import_opts_free(&o);
	cfg_free(cfg);
}

static void test_format(void)
{
	char *s;

	s = roa_notice_format("{sources_str}: {object_count} {{x}} {other} {", "A, B", 12);
	CHECK_STR(s, "A, B: 12 {x} {other} {");
	free(s);
	s = roa_notice_format("", "A", 1);
	CHECK_STR(s, "");
	free(s);
}

int main(void)
{
	char *url, *err = NULL;
	const char *base = getenv("IRRD_TEST_TMPDIR");

	log_init("rpki_importer_test");
	log_set_level(LOG_LVL_WARNING);
	snprintf(tmpdir, sizeof(tmpdir), "%s/rpki_importer_test.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror(tmpdir);
		return 1;
	}
	url = test_db_create("rpki_importer_test");
	c = sql_connect(url, &err);
	if (c == NULL) {
		fprintf(stderr, "FAIL connect: %s\n", err);
		return 1;
	}
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	TEST_RUN(test_setup);
	TEST_RUN(test_first_import);
	TEST_RUN(test_reimport_same);
	TEST_RUN(test_change);
	TEST_RUN(test_failures);
	TEST_RUN(test_synchronised);
	TEST_RUN(test_skip_concurrent);
	TEST_RUN(test_rewrite);
	TEST_RUN(test_load_db);
	TEST_RUN(test_load_time);
	TEST_RUN(test_opts_from_cfg);
	TEST_RUN(test_format);
	sql_close(c);
	test_db_drop();
	free(url);
	free(err);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "%s: could not remove\n", tmpdir);
		free(cmd);
	}
	return test_summary("rpki_importer_test");
}
