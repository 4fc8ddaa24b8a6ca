/* nrtm_journal_test.c - the journal cache and the -g answer (exact bytes,
 * IRRd's errors and warnings), following reloads, applying NRTM streams
 * (synchronised serials, RPKI-aware mode), exports; against a real
 * PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "nrtm/nrtm.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "sql/change.h"
#include "sql/sql.h"
#include "tests/unit/sql_testdb.h"
#include "tests/unit/testlib.h"

static struct sql_conn *c;
static struct cfg *cfg;
static struct nrtm_journal *jr;

static const char yaml_fmt[] =
	"irrd:\n"
	"  database_url: '%s'\n"
	"  access_lists: {local: ['127.0.0.0/8']}\n"
	"  rpki: {roa_source: null}\n"
	"  sources:\n"
	"    DEMO: {authoritative: true, keep_journal: true, nrtm_access_list: local}\n"
	"    LIMITED: {authoritative: true, keep_journal: true, nrtm_query_serial_range_limit: 1,\n"
	"              nrtm_response_header: \"Header line\\nsecond\"}\n"
	"    DUMMY: {authoritative: true, keep_journal: true, nrtm_dummified_object_classes: [person],\n"
	"            nrtm_dummified_attributes: {address: 'Dummy address for %%s', phone: '+31 20 000 0000'},\n"
	"            nrtm_dummified_remarks: 'Dummified'}\n"
	"    NOJ: {keep_journal: false}\n"
	"    MIR: {keep_journal: true, nrtm_host: 127.0.0.1, nrtm_port: 1, import_source: 'file:///x', import_serial_source: 'file:///y'}\n"
	"    MIRRPKI: {keep_journal: true, nrtm_host: 127.0.0.1, nrtm_port: 1, import_source: 'file:///x', import_serial_source: 'file:///y'}\n";

static struct cfg *load_cfg(const char *url, bool rpki)
{
	char *y = xasprintf(yaml_fmt, url), *errs = NULL;
	struct cfg *cf;

	if (rpki) {
		char *p = strstr(y, "roa_source: null");
		char *y2 = xasprintf("%.*sroa_source: 'file:///nonexistent', notify_invalid_enabled: false%s", (int)(p - y), y, p + 16);

		free(y);
		y = y2;
	}
	cf = cfg_parse(y, strlen(y), "test.yaml", &errs);
	CHECK_MSG(cf != NULL, "%s", errs ? errs : "");
	free(errs);
	free(y);
	return cf;
}

static void put(const char *text, const struct sql_change_opts *o)
{
	struct rpsl_object *obj = rpsl_parse(text, strlen(text), RPSL_NONSTRICT, NULL);
	size_t len;
	char *r = rpsl_render(obj, &len);

	CHECK_INT(sql_change_put(c, obj, r, RPKI_NOT_FOUND, o, NULL), 0);
	free(r);
	rpsl_object_free(obj);
}

static char *gen(const char *source, int version, int64_t first, int64_t last, bool to_last, int *rc)
{
	char *out = NULL, *err = NULL;
	size_t len = 0;

	*rc = nrtm_generate(jr, cfg, source, version, first, last, to_last, &out, &len, &err);
	if (*rc == 0) {
		CHECK(err == NULL);
		CHECK_INT(strlen(out), len);
		return out;
	}
	CHECK(out == NULL);
	return err;
}

static void follow(void)
{
	char *err = NULL;

	CHECK_MSG(nrtm_journal_follow(jr, c, &err) == 0, "%s", err ? err : "");
	free(err);
}

#define MNT_A "mntner:         MNT-A\nsource:         DEMO\n"
#define MNT_B "mntner:         MNT-B\nauth:           MD5-PW $1$abcdefgh$ijklmnopqrstuv\nsource:         DEMO\n"

static void expect(const char *source, int version, int64_t first, int64_t last, bool to_last,
		   int want_rc, const char *want)
{
	int rc;
	char *s = gen(source, version, first, last, to_last, &rc);

	CHECK_INT(rc, want_rc);
	CHECK_STR(s, want);
	free(s);
}

static void test_generate(void)
{
	struct sql_change_opts j = { true, -1, SQL_ORIGIN_AUTH_CHANGE };

	follow();
	expect("DEMO", 3, 1, 0, true, -1, "There are no journal entries for this source.");
	expect("NOJ", 3, 1, 0, true, -1, "No journal kept for this source, unable to serve NRTM queries");

	CHECK_INT(sql_begin(c), 0);
	put(MNT_A, &j);
	put(MNT_B, &j);
	CHECK_INT(sql_change_delete(c, "DEMO", "mntner", "MNT-A", &j, NULL), 0);
	CHECK_INT(sql_commit(c), 0);
	/* not yet followed: the cache knows nothing */
	expect("DEMO", 3, 1, 0, true, -1, "There are no journal entries for this source.");
	follow();
	expect("DEMO", 3, 1, 0, true, 0,
	       "%START Version: 3 DEMO 1-3\n\n"
	       "ADD 1\n\n" MNT_A "\n"
	       "ADD 2\n\nmntner:         MNT-B\nauth:           MD5-PW DummyValue  # Filtered for security\n"
	       "source:         DEMO\n\n"
	       "DEL 3\n\n" MNT_A "\n"
	       "%END DEMO");
	expect("DEMO", 1, 2, 2, false, 0,
	       "%START Version: 1 DEMO 2-2\n\n"
	       "ADD\n\nmntner:         MNT-B\nauth:           MD5-PW DummyValue  # Filtered for security\n"
	       "source:         DEMO\n\n%END DEMO");
	expect("DEMO", 3, 3, 3, false, 0, "%START Version: 3 DEMO 3-3\n\nDEL 3\n\n" MNT_A "\n%END DEMO");
	expect("DEMO", 3, 4, 0, true, 0, "% Warning: there are no newer updates available");
	expect("DEMO", 3, 5, 0, true, -1, "Serials 3 - 5 do not exist");
	expect("DEMO", 3, 0, 0, true, -1, "Serials 0 - 1 do not exist");
	expect("DEMO", 3, 2, 9, false, -1, "Serials 3 - 9 do not exist");
	expect("DEMO", 3, 3, 2, false, -1, "Start of the serial range (3) must be lower or equal to end of the serial range (2)");
	/* IRRd: an end of 0 is not checked against the start */
	expect("DEMO", 3, 2, 0, false, 0, "%START Version: 3 DEMO 2-0\n\n%END DEMO");

	/* range limit and header */
	CHECK_INT(sql_begin(c), 0);
	put("mntner:         MNT-L1\nsource:         LIMITED\n", &j);
	put("mntner:         MNT-L2\nsource:         LIMITED\n", &j);
	put("mntner:         MNT-L3\nsource:         LIMITED\n", &j);
	CHECK_INT(sql_commit(c), 0);
	follow();
	expect("LIMITED", 3, 1, 0, true, -1, "Serial range requested exceeds maximum range of 1");
	expect("LIMITED", 3, 2, 0, true, 0,
	       "%Header line\n%second\n%START Version: 3 LIMITED 2-3\n\n"
	       "ADD 2\n\nmntner:         MNT-L2\nsource:         LIMITED\n\n"
	       "ADD 3\n\nmntner:         MNT-L3\nsource:         LIMITED\n\n%END LIMITED");

	/* dummified persons */
	CHECK_INT(sql_begin(c), 0);
	put("person:         P One\naddress:        Street 1\nnic-hdl:        PO1-DUMMY\nsource:         DUMMY\n", &j);
	CHECK_INT(sql_commit(c), 0);
	follow();
	expect("DUMMY", 3, 1, 1, false, 0,
	       "%START Version: 3 DUMMY 1-1\n\nADD 1\n\n"
	       "person:         P One\naddress:        Dummy address for PO1-DUMMY\nnic-hdl:        PO1-DUMMY\n"
	       "source:         DUMMY\nremarks:        Dummified\n\n%END DUMMY");
	{
		size_t n, bytes;

		nrtm_journal_stats(jr, &n, &bytes);
		CHECK_INT(n, 7);
		CHECK(bytes > 0);
	}
}

static void test_reload_followed(void)
{
	struct sql_change_opts j = { true, -1, SQL_ORIGIN_AUTH_CHANGE };

	/* the journal of DEMO is dropped and rewritten behind the cache's back */
	CHECK(sql_exec(c, "DELETE FROM rpsl_database_journal WHERE source = 'DEMO'", 0, NULL) >= 0);
	CHECK(sql_exec(c, "UPDATE database_status SET serial_oldest_journal = NULL, serial_newest_journal = NULL,"
		       " serial_newest_seen = 0 WHERE source = 'DEMO'", 0, NULL) >= 0);
	CHECK_INT(sql_begin(c), 0);
	put("mntner:         MNT-C\nsource:         DEMO\n", &j);
	CHECK_INT(sql_commit(c), 0);
	follow();
	expect("DEMO", 3, 1, 0, true, 0,
	       "%START Version: 3 DEMO 1-1\n\nADD 1\n\nmntner:         MNT-C\nsource:         DEMO\n\n%END DEMO");
	/* expired entries are trimmed */
	CHECK_INT(sql_begin(c), 0);
	put("mntner:         MNT-D\nsource:         DEMO\n", &j);
	CHECK_INT(sql_commit(c), 0);
	CHECK(sql_exec(c, "DELETE FROM rpsl_database_journal WHERE source = 'DEMO' AND serial_nrtm = 1", 0, NULL) >= 0);
	CHECK(sql_exec(c, "UPDATE database_status SET serial_oldest_journal = 2 WHERE source = 'DEMO'", 0, NULL) >= 0);
	follow();
	expect("DEMO", 3, 1, 0, true, -1, "Serials 1 - 2 do not exist");
	expect("DEMO", 3, 2, 0, true, 0,
	       "%START Version: 3 DEMO 2-2\n\nADD 2\n\nmntner:         MNT-D\nsource:         DEMO\n\n%END DEMO");
	/* a memory cap drops the oldest */
	nrtm_journal_set_limit(jr, 1);
	follow();
	nrtm_journal_set_limit(jr, (size_t)1 << 30);
}

static struct nrtm_stream *stream(const char *text, const char *source)
{
	char *err = NULL;
	struct nrtm_stream *s = nrtm_stream_parse(text, strlen(text), source, &err);

	CHECK_MSG(s != NULL, "%s", err ? err : "");
	free(err);
	return s;
}

struct st {
	const char *src;
	int64_t mirror, newest_j;
	char err[512];
};

static int st_cb(void *arg, const struct sql_source_status *s)
{
	struct st *k = arg;

	if (strcmp(s->source, k->src) == 0) {
		k->mirror = s->serial_newest_mirror;
		k->newest_j = s->serial_newest_journal;
		snprintf(k->err, sizeof(k->err), "%s", s->last_error ? s->last_error : "");
	}
	return 0;
}

static struct st status(const char *src)
{
	struct st k = { src, -9, -9, "" };

	sql_status_foreach(c, st_cb, &k);
	return k;
}

static long count(const char *sql)
{
	return sql_exec(c, sql, 0, NULL);
}

static void test_apply_synchronised(void)
{
	struct nrtm_mirror_result r;
	char *err = NULL;
	struct nrtm_stream *s = stream(
		"%START Version: 3 MIR 50-53\n\n"
		"ADD 50\n\nmntner: MNT-M1\nsource: MIR\n\n"
		"ADD 51\n\nroute: 192.0.2.0/24\norigin: AS65001\nsource: MIR\n\n"
		"ADD 52\n\nmntner: MNT-M1\nremarks: second version\nsource: MIR\n\n"
		"DEL 53\n\nroute: 192.0.2.0/24\norigin: AS65001\nsource: MIR\n\n"
		"%END MIR\n", "MIR");

	CHECK_INT(nrtm_mirror_apply(c, cfg, "MIR", s, NULL, &r, &err), 0);
	free(err);
	CHECK_INT(r.applied, 4);
	CHECK_INT(r.serial, 53);
	nrtm_stream_free(s);
	/* upstream serials kept, text rendered */
	CHECK_INT(count("SELECT 1 FROM rpsl_database_journal WHERE source = 'MIR' AND serial_nrtm IN (50, 51, 52, 53)"
			" AND origin = 'mirror'"), 4);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIR' AND object_text ="
			" E'mntner:         MNT-M1\\nremarks:        second version\\nsource:         MIR\\n'"), 1);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIR'"), 1);
	CHECK_INT(status("MIR").mirror, 53);
	CHECK_INT(status("MIR").newest_j, 53);

	/* a bad object is skipped and recorded, the rest applied */
	s = stream("%START Version: 3 MIR 54-56\n\n"
		   "ADD 54\n\nmntner: MNT-M2\nsource: OTHER\n\n"
		   "ADD 55\n\nroute: 192.0.2.0/33\norigin: AS65001\nsource: MIR\n\n"
		   "ADD 56\n\nmntner: MNT-M3\nsource: MIR\n\n"
		   "%END MIR\n", "MIR");
	CHECK_INT(nrtm_mirror_apply(c, cfg, "MIR", s, NULL, &r, &err), 0);
	free(err);
	CHECK_INT(r.applied, 1);
	CHECK_INT(r.ignored, 2);
	CHECK_INT(status("MIR").mirror, 56);
	CHECK(strstr(status("MIR").err, "Parsing errors") != NULL);
	nrtm_stream_free(s);

	/* a serial that already exists fails the whole batch: nothing stays */
	s = stream("%START Version: 3 MIR 57-58\n\n"
		   "ADD 57\n\nmntner: MNT-M4\nsource: MIR\n\n"
		   "ADD 58\n\nmntner: MNT-M5\nsource: MIR\n\n"
		   "%END MIR\n", "MIR");
	CHECK(sql_exec(c, "INSERT INTO rpsl_database_journal (rpsl_pk, source, serial_nrtm, operation, object_class,"
		       " object_text) VALUES ('X', 'MIR', 58, 'ADD', 'mntner', 'x')", 0, NULL) == 1);
	CHECK_INT(nrtm_mirror_apply(c, cfg, "MIR", s, NULL, &r, &err), -1);
	CHECK_MSG(err != NULL && strstr(err, "duplicate key") != NULL, "%s", err ? err : "");
	free(err);
	nrtm_stream_free(s);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIR' AND rpsl_pk = 'MNT-M4'"), 0);
	CHECK_INT(status("MIR").mirror, 56);
}

static void test_apply_rpki(void)
{
	struct cfg *rcfg = load_cfg("postgresql://unused", true);
	struct roa r = { .maxlen = 24, .asn = 65001 };
	const char *tas[] = { "test" };
	struct roa_set *set;
	struct nrtm_mirror_result res;
	char *err = NULL;
	struct nrtm_stream *s;

	ip_prefix_parse("192.0.2.0/24", 12, &r.prefix, true);
	set = roa_set_new(&r, 1, tas, 1, NULL);
	CHECK(set != NULL);
	s = stream("%START Version: 3 MIRRPKI 500-502\n\n"
		   "ADD 500\n\nroute: 192.0.2.0/24\norigin: AS65001\nsource: MIRRPKI\n\n"
		   "ADD 501\n\nroute: 192.0.2.0/24\norigin: AS65002\nsource: MIRRPKI\n\n"
		   "ADD 502\n\nroute: 198.51.100.0/24\norigin: AS65002\nsource: MIRRPKI\n\n"
		   "%END MIRRPKI\n", "MIRRPKI");
	CHECK_INT(nrtm_mirror_apply(c, rcfg, "MIRRPKI", s, set, &res, &err), 0);
	free(err);
	nrtm_stream_free(s);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIRRPKI' AND rpki_status = 'valid'"), 1);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIRRPKI' AND rpki_status = 'invalid'"
			" AND origin = 65002 AND prefix = '192.0.2.0/24'"), 1);
	CHECK_INT(count("SELECT 1 FROM rpsl_objects WHERE source = 'MIRRPKI' AND rpki_status = 'not_found'"), 1);
	/* local serials, the invalid one not journalled */
	CHECK_INT(count("SELECT 1 FROM rpsl_database_journal WHERE source = 'MIRRPKI'"), 2);
	CHECK_INT(count("SELECT 1 FROM rpsl_database_journal WHERE source = 'MIRRPKI' AND serial_nrtm IN (1, 2)"), 2);
	CHECK_INT(status("MIRRPKI").mirror, 502);
	roa_set_free(set);
	cfg_free(rcfg);
}

static void test_export(void)
{
	char dir[] = "/tmp/nrtm_export_XXXXXX";
	int64_t serial = -2;
	char *err = NULL, *path, *buf;
	gzFile gz;
	char data[4096];
	int n;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(nrtm_export_run(c, "MIRRPKI", cfg_source_find(cfg, "MIRRPKI"), dir, &serial, &err), 0);
	free(err);
	CHECK_INT(serial, 2);
	path = xasprintf("%s/mirrpki.db.gz", dir);
	gz = gzopen(path, "rb");
	CHECK(gz != NULL);
	n = gz ? gzread(gz, data, sizeof(data) - 1) : 0;
	data[n > 0 ? n : 0] = '\0';
	if (gz)
		gzclose(gz);
	CHECK(strstr(data, "AS65001") != NULL);
	CHECK(strstr(data, "198.51.100.0/24") != NULL);
	CHECK(strstr(data, "origin:         AS65002\nsource:         MIRRPKI\n\nroute:          192.0.2.0/24\norigin:         AS65002") == NULL);
	CHECK(n > 6 && strcmp(data + n - 6, "# EOF\n") == 0);
	unlink(path);
	free(path);
	path = xasprintf("%s/MIRRPKI.CURRENTSERIAL", dir);
	buf = test_slurp(path, NULL);
	CHECK_STR(buf, "2");
	free(buf);
	unlink(path);
	free(path);
	CHECK_INT(count("SELECT 1 FROM database_status WHERE source = 'MIRRPKI' AND serial_last_export = 2"), 1);
	/* a dummified source */
	CHECK_INT(nrtm_export_run(c, "DUMMY", cfg_source_find(cfg, "DUMMY"), dir, &serial, &err), 0);
	free(err);
	path = xasprintf("%s/dummy.db.gz", dir);
	gz = gzopen(path, "rb");
	n = gz ? gzread(gz, data, sizeof(data) - 1) : 0;
	data[n > 0 ? n : 0] = '\0';
	if (gz)
		gzclose(gz);
	CHECK_STR(data, "person:         P One\naddress:        Dummy address for PO1-DUMMY\nnic-hdl:        PO1-DUMMY\n"
		  "source:         DUMMY\nremarks:        Dummified\n\n# EOF\n");
	unlink(path);
	free(path);
	path = xasprintf("%s/DUMMY.CURRENTSERIAL", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}

int main(void)
{
	char *url, *err = NULL;

	log_init("nrtm_journal_test");
	url = test_db_create("nrtm_journal_test");
	c = sql_connect(url, &err);
	CHECK_MSG(c != NULL, "%s", err ? err : "");
	if (c == NULL)
		return test_summary("nrtm_journal_test");
	CHECK_INT(sql_schema_upgrade(c, &err), 0);
	cfg = load_cfg(url, false);
	jr = nrtm_journal_new();
	if (cfg != NULL) {
		TEST_RUN(test_generate);
		TEST_RUN(test_reload_followed);
		TEST_RUN(test_apply_synchronised);
		TEST_RUN(test_apply_rpki);
		TEST_RUN(test_export);
	}
	nrtm_journal_free(jr);
	cfg_free(cfg);
	sql_close(c);
	test_db_drop();
	free(url);
	return test_summary("nrtm_journal_test");
}
