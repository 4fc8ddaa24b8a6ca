/*
 * whois_query_test.c - the whois query engine against a small index built
 * from tests/data/whois/test.db and test2.db (parsed with rpsl_parse):
 * exact answer bytes for every command and error, framing, keepalive and
 * close, set expansion with cycles and mbrs-by-ref, RPKI filtering, index
 * updates, and the thread that makes the prefix lists ahead of queries.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"
#include "tests/unit/testlib.h"
#include "whois/whois.h"
#include "whois/whois_int.h"

static struct whois_index *idx;
static struct cfg cfg;
static struct cfg_source cfg_sources[2];
static char *defaults[] = { "TEST", "TEST2" };
static struct whois_source_status status[2];
static struct whois_context ctx;
static struct cfg_access_list acl;
static struct ip_prefix acl_prefix;

/* Object texts by primary key and source, as loaded. */
#define MAXOBJ 64
static struct {
	char pk[64], src[16], *text;
} objs[MAXOBJ];
static int nobjs;

static const char *T(const char *src, const char *pk)
{
	for (int i = 0; i < nobjs; i++)
		if (strcmp(objs[i].pk, pk) == 0 && strcmp(objs[i].src, src) == 0)
			return objs[i].text;
	fprintf(stderr, "test data: no object %s in %s\n", pk, src);
	exit(2);
}

static enum rpki_state state_of(const char *src, const char *pk)
{
	if (strcmp(pk, "192.0.2.0/24AS65530") == 0 || strcmp(pk, "2001:DB8::/32AS65530") == 0)
		return RPKI_VALID;
	if (strcmp(pk, "192.0.2.0/25AS65530") == 0 && strcmp(src, "TEST") == 0)
		return RPKI_INVALID;
	return RPKI_NOT_FOUND;
}

static int load(const char *file)
{
	char path[512];
	size_t len;
	snprintf(path, sizeof(path), "%s/whois/%s", test_data_dir(), file);
	char *buf = test_slurp(path, &len);
	if (buf == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	struct rpsl_reader *r = rpsl_reader_mem(buf, len, path);
	const char *t;
	size_t tl;
	unsigned long line;
	int n = 0;
	while (rpsl_reader_next(r, &t, &tl, &line) == 1) {
		struct rpsl_object *o = rpsl_parse(t, tl, RPSL_NONSTRICT, NULL);
		CHECK_MSG(rpsl_object_valid(o), "%s:%lu: %s", path, line, o->msgs.nerrors ? o->msgs.errors[0] : "");
		whois_index_put(idx, o, t, tl, state_of(o->source, o->pk));
		if (nobjs < MAXOBJ) {
			snprintf(objs[nobjs].pk, sizeof(objs[nobjs].pk), "%s", o->pk);
			snprintf(objs[nobjs].src, sizeof(objs[nobjs].src), "%s", o->source);
			objs[nobjs].text = malloc(tl + 2);
			memcpy(objs[nobjs].text, t, tl);
			if (tl && t[tl - 1] != '\n')
				objs[nobjs].text[tl++] = '\n';
			objs[nobjs].text[tl] = '\0';
			nobjs++;
		}
		rpsl_object_free(o);
		n++;
	}
	rpsl_reader_close(r);
	free(buf);
	return n;
}

static void setup(void)
{
	idx = whois_index_new();
	int n1 = load("test.db"), n2 = load("test2.db");
	CHECK_INT(n1, 26);
	CHECK_INT(n2, 4);
	CHECK_INT(whois_index_count(idx), 30);

	cfg_sources[0].name = "TEST";
	cfg_sources[0].keep_journal = true;
	cfg_sources[0].authoritative = true;
	cfg_sources[0].nrtm_access_list = "nrtm";
	cfg_sources[1].name = "TEST2";
	cfg.sources = cfg_sources;
	cfg.nsources = 2;
	cfg.sources_default = defaults;
	cfg.nsources_default = 2;
	cfg.rpki_enabled = true;
	acl.name = "nrtm";
	acl_prefix.family = IP_AF4;
	acl_prefix.len = 8;
	acl_prefix.a[0] = 127;
	acl.prefixes = &acl_prefix;
	acl.nprefixes = 1;
	cfg.access_lists = &acl;
	cfg.naccess_lists = 1;

	status[0] = (struct whois_source_status){ .source = "TEST", .authoritative = true,
		.serial_oldest_journal = 5, .serial_newest_journal = 10, .serial_last_export = 10,
		.serial_newest_mirror = -1, .last_update = "2024-01-02T03:04:05+00:00",
		.rpsl_data_updated = "2024-01-02T03:04:05+00:00" };
	status[1] = (struct whois_source_status){ .source = "TEST2", .serial_oldest_journal = -1,
		.serial_newest_journal = -1, .serial_last_export = -1, .serial_newest_mirror = 20 };
	ctx.cfg = &cfg;
	ctx.idx = idx;
	ctx.status = status;
	ctx.nstatus = 2;
	ctx.version = "test-1";
}

/* ---------------------------------------------------------------- helpers */

static enum whois_result last_res;

static char *ask_n(struct whois_session *s, const char *line, size_t len)
{
	struct evbuffer *out = evbuffer_new();
	last_res = whois_session_query(s, line, len, out);
	size_t n = evbuffer_get_length(out);
	char *r = malloc(n + 1);
	evbuffer_remove(out, r, n);
	r[n] = '\0';
	evbuffer_free(out);
	return r;
}

static char *ask(struct whois_session *s, const char *line)
{
	return ask_n(s, line, strlen(line));
}

#define ASK(s, line, want) do { char *got_ = ask((s), (line)); CHECK_STR(got_, (want)); free(got_); } while (0)

/* "A<n>\n<data>\nC\n" */
static char *framed(const char *data)
{
	size_t n = strlen(data);
	char *r = malloc(n + 32);
	snprintf(r, n + 32, "A%zu\n%s\nC\n", n + 1, data);
	return r;
}

#define ASK_A(s, line, data) do { char *fr_ = framed(data); ASK((s), (line), fr_); free(fr_); } while (0)

/* Concatenate strings (NULL-terminated list) into a static buffer. */
static char catbuf[65536];
static const char *cat(const char *first, ...)
{
	va_list ap;
	catbuf[0] = '\0';
	va_start(ap, first);
	for (const char *p = first; p; p = va_arg(ap, const char *))
		strncat(catbuf, p, sizeof(catbuf) - strlen(catbuf) - 1);
	va_end(ap);
	return catbuf;
}

/* The text without its final newline (IRRd strips it before framing). */
static char nonlbuf[65536];
static const char *nonl(const char *t)
{
	snprintf(nonlbuf, sizeof(nonlbuf), "%s", t);
	size_t n = strlen(nonlbuf);
	if (n && nonlbuf[n - 1] == '\n')
		nonlbuf[n - 1] = '\0';
	return nonlbuf;
}

#define NF " # No ROAs found, or RPKI validation not enabled for source"
#define RV "rpki-ov-state:  valid\n"
#define RI "rpki-ov-state:  invalid\n"
#define RN "rpki-ov-state:  not_found" NF "\n"

static struct whois_session *keepalive(void)
{
	struct whois_session *s = whois_session_new(&ctx);
	ASK(s, "!!", "");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	return s;
}

/* ---------------------------------------------------------------- tests */

static void test_framing_and_session(void)
{
	struct whois_session *s = whois_session_new(&ctx);

	CHECK_INT(whois_session_timeout(s), 30);
	/* Empty lines are ignored, even without keepalive. */
	ASK(s, "", "");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	ASK(s, " \t\r", "");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	/* Without !! the connection closes after one answer. */
	ASK_A(s, "!v", "IRRd -- version test-1");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);

	s = whois_session_new(&ctx);
	ASK(s, "!q", "");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);

	s = whois_session_new(&ctx);
	ASK(s, "!!", "");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	ASK(s, "!v\r", "A23\nIRRd -- version test-1\nC\n");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	ASK(s, "!t", "F Missing parameter for t query\n");
	ASK(s, "!t0", "F Invalid value for timeout: 0\n");
	ASK(s, "!t1001", "F Invalid value for timeout: 1001\n");
	ASK(s, "!tabc", "F Invalid value for timeout: abc\n");
	ASK(s, "!t-5", "F Invalid value for timeout: -5\n");
	CHECK_INT(whois_session_timeout(s), 30);
	ASK(s, "!t1000", "C\n");
	CHECK_INT(whois_session_timeout(s), 1000);
	ASK(s, "!t1", "C\n");
	CHECK_INT(whois_session_timeout(s), 1);
	ASK(s, "!", "F Missing IRRD command\n");
	ASK(s, "!x", "F Unrecognised command: x\n");
	ASK(s, "!fno-scope", "F Unrecognised command: f\n");
	ASK(s, "!nmy-client", "C\n");
	CHECK_STR(whois_session_user_agent(s), "my-client");
	ASK(s, "!n", "F Missing parameter for n query\n");
	ASK(s, "!qx", "F Unrecognised command: q\n");
	ASK_A(s, "!fno-scope-filter", "Filtering out out-of-scope objects is disabled for !r and RIPE style "
				      "queries for the rest of this connection.");
	/* NUL bytes, invalid UTF-8 (as "\xNN" text), Unicode whitespace */
	ASK_A(s, "  !v  ", "IRRd -- version test-1");
	{
		char *got = ask_n(s, "!gAS1\0x", 7);
		CHECK_STR(got, "F Queries may not contain null bytes\n");
		free(got);
		got = ask_n(s, "-k\0", 3);
		CHECK_STR(got, "F Queries may not contain null bytes\n");
		free(got);
	}
	ASK(s, "!\xff\xfe", "F Unrecognised command: \\\n");
	ASK(s, "!\xc3\xa9x", "F Unrecognised command: \xc3\xa9\n");
	ASK(s, "!gAS\xff", "F Invalid AS number AS\\XFF: number part is not numeric\n");
	ASK(s, "\xe3\x80\x80!v\xc2\xa0", "A23\nIRRd -- version test-1\nC\n");
	ASK(s, "!q", "");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);

	/* RIPE -k keeps the connection open; without it, it closes. */
	s = whois_session_new(&ctx);
	ASK(s, "-k", "%  No entries found for the selected source(s).\n\n\n");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	ASK(s, "-x 203.0.113.0/25", "%  No entries found for the selected source(s).\n\n\n");
	CHECK(last_res == WHOIS_KEEP_OPEN);
	ASK(s, "!Q", "");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);

	s = whois_session_new(&ctx);
	ASK(s, "-z", "%% ERROR: Unrecognised flag/search: z\n\n\n");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);

	/* An error in single-command mode closes too. */
	s = whois_session_new(&ctx);
	ASK(s, "!gFOO", "F Invalid AS number FOO: must start with \"AS\"\n");
	CHECK(last_res == WHOIS_CLOSE);
	whois_session_free(s);
}

static void test_origin_prefixes(void)
{
	struct whois_session *s = keepalive();

	ASK(s, "!gAS65530", "A44\n192.0.2.0/24 198.51.100.0/24 203.0.113.0/24\nC\n");
	ASK(s, "!gas65530", "A44\n192.0.2.0/24 198.51.100.0/24 203.0.113.0/24\nC\n");
	ASK(s, "!GAS65530", "A44\n192.0.2.0/24 198.51.100.0/24 203.0.113.0/24\nC\n");
	ASK_A(s, "!gAS65532", "10.0.0.0/8 10.1.0.0/16");
	ASK_A(s, "!gAS 65532", "10.0.0.0/8 10.1.0.0/16");
	ASK_A(s, "!6AS65530", "2001:db8::/32");
	ASK_A(s, "!6AS65531", "2001:db8:1::/48");
	ASK(s, "!6AS65532", "D\n");
	ASK(s, "!gAS99", "D\n");
	ASK(s, "!g", "F Missing parameter for g query\n");
	ASK(s, "!6", "F Missing parameter for 6 query\n");
	ASK(s, "!gFOO", "F Invalid AS number FOO: must start with \"AS\"\n");
	ASK(s, "!gasx", "F Invalid AS number ASX: number part is not numeric\n");
	ASK(s, "!gAS1.5", "F Invalid AS number AS1.5: number part is not numeric\n");
	ASK(s, "!gAS4294967296", "F Invalid AS number AS4294967296: valid range is 0-4294967295\n");
	ASK(s, "!gAS-1", "F Invalid AS number AS-1: valid range is 0-4294967295\n");
	/* Sources: only TEST; the invalid 192.0.2.0/25 is never listed. */
	ASK(s, "!sTEST", "C\n");
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24");
	ASK(s, "!sTEST2", "C\n");
	ASK_A(s, "!gAS65530", "192.0.2.0/24 203.0.113.0/24");
	/* !fno-rpki-filter does not affect !g. */
	ASK(s, "!sTEST", "C\n");
	ASK_A(s, "!fno-rpki-filter", "Filtering out RPKI invalids is disabled for !r and RIPE style queries "
				     "for the rest of this connection.");
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24");
	whois_session_free(s);
}

static void test_set_members(void)
{
	struct whois_session *s = keepalive();

	ASK_A(s, "!iAS-TEST", "AS-SUB AS65530");
	ASK_A(s, "!ias-test", "AS-SUB AS65530");
	ASK_A(s, "!iAS-TEST,1", "AS65530 AS65531 AS65532");
	ASK_A(s, "!iAS-SUB", "AS-MISSING AS-TEST AS65531 AS65532");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	/* mbrs-by-ref: only aut-nums maintained by a listed mntner, or ANY */
	ASK_A(s, "!iAS-BYREF", "AS65530");
	ASK_A(s, "!iAS-BYREF,1", "AS65530");
	ASK_A(s, "!iAS-ANY", "AS65530 AS65531 AS65533");
	ASK(s, "!iAS-EMPTY", "D\n");
	ASK(s, "!iAS-EMPTY,1", "D\n");
	ASK(s, "!iAS-NOPE", "D\n");
	ASK(s, "!iAS-NOPE,1", "D\n");
	ASK(s, "!i,1", "D\n");
	ASK_A(s, "!iAS-SELF", "AS65534");
	ASK_A(s, "!iAS-SELF,1", "AS65534");
	ASK(s, "!i", "F Missing parameter for i query\n");
	/* route-sets: by-ref routes that are not RPKI invalid */
	ASK_A(s, "!iRS-TEST", "192.0.2.0/24 192.0.2.0/24^+ 2001:db8:1::/48 2001:db8::/32^48 AS65533 RS-SUB");
	ASK_A(s, "!iRS-TEST,1", "10.0.0.0/8 10.1.0.0/16 10.1.2.0/24 192.0.2.0/24 192.0.2.0/24^+ "
				"192.0.2.128/25 198.51.100.0/24 2001:db8:1::/48 2001:db8::/32 "
				"2001:db8::/32^48 203.0.113.0/24 203.0.113.0/24^25-26");
	ASK_A(s, "!iRS-SUB", "203.0.113.0/24^25-26 AS-SUB RS-TEST");
	/* !e: excluded sets are not expanded, except at the root */
	ASK(s, "!e-lc", "C\n");
	ASK(s, "!eAS-SUB,as-other", "C\n");
	ASK_A(s, "!e-lc", "AS-SUB,AS-OTHER");
	ASK_A(s, "!iAS-TEST,1", "AS65530");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	ASK_A(s, "!aAS-TEST", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24 2001:db8::/32");
	ASK(s, "!e", "C\n");
	ASK(s, "!e-lc", "C\n");
	ASK_A(s, "!iAS-TEST,1", "AS65530 AS65531 AS65532");
	/* The second source's AS-TEST only when TEST is not selected first. */
	ASK(s, "!sTEST2,TEST", "C\n");
	ASK_A(s, "!iAS-TEST,1", "AS65535");
	ASK_A(s, "!iAS-SUB,1", "AS65531 AS65532 AS65535");
	whois_session_free(s);
}

static void test_as_set_prefixes(void)
{
	struct whois_session *s = keepalive();

	ASK_A(s, "!aAS-TEST", "10.0.0.0/8 10.1.0.0/16 192.0.2.0/24 192.0.2.128/25 198.51.100.0/24 203.0.113.0/24 "
			      "2001:db8::/32 2001:db8:1::/48");
	ASK_A(s, "!a4AS-TEST", "10.0.0.0/8 10.1.0.0/16 192.0.2.0/24 192.0.2.128/25 198.51.100.0/24 203.0.113.0/24");
	ASK_A(s, "!a6as-test", "2001:db8::/32 2001:db8:1::/48");
	ASK_A(s, "!aAS-ANY", "10.1.2.0/24 192.0.2.0/24 192.0.2.128/25 198.51.100.0/24 203.0.113.0/24 "
			     "2001:db8::/32 2001:db8:1::/48");
	ASK(s, "!aAS-NOPE", "D\n");
	ASK(s, "!aAS-EMPTY", "D\n");
	ASK(s, "!aRS-TEST", "D\n");	/* as-sets only */
	ASK(s, "!a6AS-SELF", "D\n");
	ASK(s, "!a", "F Missing required set name for A query\n");
	ASK(s, "!a4", "F Missing required set name for A query\n");
	ASK(s, "!a6", "F Missing required set name for A query\n");
	whois_session_free(s);
}

static void test_exact_key(void)
{
	struct whois_session *s = keepalive();
	const char *r24 = T("TEST", "192.0.2.0/24AS65530");

	ASK_A(s, "!maut-num,AS65530", nonl(T("TEST", "AS65530")));
	{
		/* framed() strips nothing: the object text ends in "\n", which
		 * IRRd removes before framing. */
		char want[4096];
		snprintf(want, sizeof(want), "%s", T("TEST", "AS65530"));
		want[strlen(want) - 1] = '\0';
		ASK_A(s, "!maut-num,as65530", want);
		snprintf(want, sizeof(want), "%s" RV, r24);
		want[strlen(want) - 1] = '\0';
		ASK_A(s, "!mroute,192.0.2.0/24AS65530", want);
		ASK_A(s, "!mroute,192.0.2.0/24 AS65530", want);
		ASK_A(s, "!mroute,192.0.2.0/24-as65530", want);
		ASK_A(s, "!mROUTE,192.0.2.0/24AS65530", want);
		ASK(s, "!sTEST2,TEST", "C\n");
		snprintf(want, sizeof(want), "%s", T("TEST2", "AS65530"));
		want[strlen(want) - 1] = '\0';
		ASK_A(s, "!maut-num,AS65530", want);
		ASK(s, "!sTEST,TEST2", "C\n");
	}
	ASK(s, "!mroute,192.0.2.0/25AS65530", "D\n");	/* RPKI invalid */
	ASK(s, "!maut-num,AS1", "D\n");
	ASK(s, "!mbogus,AS65530", "D\n");
	ASK(s, "!mfoo", "F Invalid argument for object lookup: foo\n");
	ASK(s, "!m", "F Missing parameter for m query\n");
	/* Password hashes are masked, whatever the case of the scheme. */
	ASK_A(s, "!mmntner,OTHER-MNT",
	      "mntner:         OTHER-MNT\n"
	      "descr:          Another maintainer\n"
	      "admin-c:        PERSON-TEST\n"
	      "upd-to:         unread@example.net\n"
	      "auth:           md5-pw DummyValue  # Filtered for security\n"
	      "mnt-by:         OTHER-MNT\n"
	      "source:         TEST");
	ASK_A(s, "!mmntner,TEST-MNT",
	      "mntner:         TEST-MNT\n"
	      "descr:          Test maintainer\n"
	      "admin-c:        PERSON-TEST\n"
	      "upd-to:         unread@example.net\n"
	      "auth:           MD5-PW DummyValue  # Filtered for security\n"
	      "auth:           CRYPT-PW DummyValue  # Filtered for security\n"
	      "auth:           BCRYPT-PW DummyValue  # Filtered for security\n"
	      "mnt-by:         TEST-MNT\n"
	      "source:         TEST");
	/* After !fno-rpki-filter the invalid route is shown, with its state. */
	ASK(s, "!ffno-rpki-filter", "F Unrecognised command: f\n");
	ASK_A(s, "!FNO-RPKI-FILTER", "Filtering out RPKI invalids is disabled for !r and RIPE style queries "
				     "for the rest of this connection.");
	{
		char want[4096];
		snprintf(want, sizeof(want), "%s" RI, T("TEST", "192.0.2.0/25AS65530"));
		want[strlen(want) - 1] = '\0';
		ASK_A(s, "!mroute,192.0.2.0/25AS65530", want);
	}
	whois_session_free(s);
}

static void test_inverse(void)
{
	struct whois_session *s = keepalive();
	char want[8192];

	/* routes by address, then objects with an AS number, then the rest */
	snprintf(want, sizeof(want), "%s" RN "\n%s" RN "\n%s\n%s",
		 T("TEST", "192.0.2.128/25AS65531"), T("TEST", "198.51.100.0/24AS65530"), T("TEST", "AS65531"),
		 "mntner:         OTHER-MNT\n"
		 "descr:          Another maintainer\n"
		 "admin-c:        PERSON-TEST\n"
		 "upd-to:         unread@example.net\n"
		 "auth:           md5-pw DummyValue  # Filtered for security\n"
		 "mnt-by:         OTHER-MNT\n"
		 "source:         TEST\n");
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!oOTHER-MNT", want);
	ASK_A(s, "!oother-mnt", want);
	{
		char ripe[8300];
		snprintf(ripe, sizeof(ripe), "%s\n\n\n", want);
		ASK(s, "-i mnt-by OTHER-MNT", ripe);
		ASK(s, "-i MNT-BY other-mnt", ripe);
	}
	ASK(s, "!oNOBODY", "D\n");
	ASK(s, "!o", "F Missing parameter for o query\n");
	ASK(s, "-i mnt-by NOBODY", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "-i nic-hdl PERSON-TEST",
	    "%% ERROR: Inverse attribute search not supported for nic-hdl,only supported for attributes: "
	    "admin-c, mbrs-by-ref, member-of, members, mnt-by, mp-members, origin, person, role, tech-c, "
	    "zone-c\n\n\n");
	ASK(s, "-i mnt-by", "%% ERROR: Missing argument for flag/search: i\n\n\n");
	ASK(s, "-i", "%% ERROR: Missing argument for flag/search: i\n\n\n");
	/* origin: route and route6; member-of: the invalid route is filtered */
	snprintf(want, sizeof(want), "%s" RN "\n%s" RN "\n\n", T("TEST", "192.0.2.128/25AS65531"),
		 T("TEST", "2001:DB8:1::/48AS65531"));
	ASK(s, "-i origin AS65531", want);
	ASK(s, "-i origin AS065531", "%  No entries found for the selected source(s).\n\n\n");
	snprintf(want, sizeof(want), "%s" RV "\n%s" RN "\n%s" RN "\n\n", T("TEST", "192.0.2.0/24AS65530"),
		 T("TEST", "198.51.100.0/24AS65530"), T("TEST", "2001:DB8:1::/48AS65531"));
	ASK(s, "-i member-of RS-TEST", want);
	snprintf(want, sizeof(want), "%s\n%s\n\n", T("TEST", "AS65530"), T("TEST", "AS65531"));
	ASK(s, "-i member-of as-byref", want);
	/* members: the as-set and the route-set that list AS-SUB */
	snprintf(want, sizeof(want), "%s\n%s\n\n", T("TEST", "AS-TEST"), T("TEST", "RS-SUB"));
	ASK(s, "-i members AS-SUB", want);
	snprintf(want, sizeof(want), "%s\n\n", T("TEST", "RS-TEST"));
	ASK(s, "-i mp-members 2001:db8::/32^48", want);
	ASK(s, "-i mbrs-by-ref ANY", cat(T("TEST", "AS-ANY"), "\n\n", NULL));
	whois_session_free(s);
}

static void test_route_search(void)
{
	struct whois_session *s = keepalive();
	char want[8192];
	const char *r24 = T("TEST", "192.0.2.0/24AS65530"), *r24b = T("TEST2", "192.0.2.0/24AS65530");

	snprintf(want, sizeof(want), "%s" RV "\n%s" RV, r24, r24b);
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r192.0.2.0/24", want);
	ASK_A(s, "!r192.0.2.0/255.255.255.0", want);
	ASK_A(s, "!r192.0.2.0-192.0.2.255", want);
	ASK(s, "!r192.0.2.0/24,l", "D\n");
	ASK_A(s, "!r192.0.2.0/24,L", want);
	ASK_A(s, "!r192.0.2.0/25,l", want);
	ASK_A(s, "!r192.0.2.0/24,o", "AS65530");
	ASK_A(s, "!r198.51.100.0/24,o", "AS65530");
	ASK(s, "!r203.0.113.128/25,o", "D\n");
	/* one level less specific, all less specific, more specific */
	snprintf(want, sizeof(want), "%s" RN, T("TEST", "10.1.0.0/16AS65532"));
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r10.1.2.0/24,l", want);
	snprintf(want, sizeof(want), "%s" RN "\n%s" RN "\n%s" RN, T("TEST", "10.0.0.0/8AS65532"),
		 T("TEST", "10.1.0.0/16AS65532"), T("TEST", "10.1.2.0/24AS65533"));
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r10.1.2.0/24,L", want);
	snprintf(want, sizeof(want), "%s" RN "\n%s" RN, T("TEST", "10.1.0.0/16AS65532"), T("TEST", "10.1.2.0/24AS65533"));
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r10.0.0.0/8,M", want);
	ASK_A(s, "!r10.0.0.0/7,M", cat(T("TEST", "10.0.0.0/8AS65532"), RN "\n", T("TEST", "10.1.0.0/16AS65532"),
					RN "\n", T("TEST", "10.1.2.0/24AS65533"), "rpki-ov-state:  not_found" NF, NULL));
	ASK(s, "!r10.1.2.0/24,M", "D\n");
	ASK(s, "!r10.0.0.0/8,l", "D\n");
	/* The RPKI-invalid /25 is left out of the more specifics. */
	snprintf(want, sizeof(want), "%s" RN, T("TEST", "192.0.2.128/25AS65531"));
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r192.0.2.0/24,M", want);
	ASK(s, "!r192.0.2.0/25", "D\n");
	snprintf(want, sizeof(want), "%s" RV, T("TEST", "2001:DB8::/32AS65530"));
	want[strlen(want) - 1] = '\0';
	ASK_A(s, "!r2001:db8::/32", want);
	ASK_A(s, "!r2001:0DB8:0::/32", want);
	ASK_A(s, "!r2001:db8:1::/48,l", want);
	/* errors */
	ASK(s, "!r", "F Missing parameter for r query\n");
	ASK(s, "!rfoo", "F Invalid input for route search: foo\n");
	ASK(s, "!r192.0.2.1/24", "F Invalid input for route search: 192.0.2.1/24\n");
	ASK(s, "!r192.0.2.0/33", "F Invalid input for route search: 192.0.2.0/33\n");
	ASK(s, "!rfoo,x", "F Invalid input for route search: foo,x\n");
	ASK(s, "!r192.0.2.0/24,x", "F Invalid route search option: x\n");
	ASK(s, "!r192.0.2.0/24,", "F Invalid route search option: \n");
	ASK(s, "!r192.0.2.0/24,o,x", "F An internal error occurred while processing this query.\n");
	/* RIPE: -x -l -L -M, with !fno-rpki-filter showing the invalid /25 */
	snprintf(want, sizeof(want), "%s" RV "\n%s" RV "\n\n", r24, r24b);
	ASK(s, "-x 192.0.2.0/24", want);
	ASK(s, "-l 192.0.2.0/25", want);
	ASK(s, "-F -r -L 192.0.2.0/24 ignored words", want);
	ASK(s, "-x foo", "%% ERROR: Invalid input for route search: foo\n\n\n");
	ASK(s, "-M", "%% ERROR: Missing argument for flag/search: M\n\n\n");
	ASK(s, "-s TEST2 -x 192.0.2.0/24", cat(r24b, RV "\n\n", NULL));
	ASK(s, "-a -s TEST,TEST2 -M 192.0.2.0/24", cat(T("TEST", "192.0.2.128/25AS65531"), RN "\n\n", NULL));
	ASK_A(s, "!fno-rpki-filter", "Filtering out RPKI invalids is disabled for !r and RIPE style queries "
				     "for the rest of this connection.");
	ASK(s, "-M 192.0.2.0/24", cat(T("TEST", "192.0.2.0/25AS65530"), RI "\n", T("TEST", "192.0.2.128/25AS65531"),
				      RN "\n\n", NULL));
	/* -K: key fields, equal blocks once */
	ASK(s, "-K -x 192.0.2.0/24", "route: 192.0.2.0/24\norigin: AS65530\n\n\n\n");
	ASK(s, "-K -x 10.0.0.0/7", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "-K -M 10.0.0.0/8", "route: 10.1.0.0/16\norigin: AS65532\n\nroute: 10.1.2.0/24\norigin: AS65533\n\n\n\n");
	/* -K only for its own query */
	ASK(s, "-x 10.1.2.0/24", cat(T("TEST", "10.1.2.0/24AS65533"), RN "\n\n", NULL));
	/* -T restricts the next object query, and only that one */
	ASK(s, "-T aut-num -x 10.1.2.0/24", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "-T aut-num", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "!r10.1.2.0/24", "D\n");
	ASK(s, "-T route,route6 -x 10.1.2.0/24", cat(T("TEST", "10.1.2.0/24AS65533"), RN "\n\n", NULL));
	whois_session_free(s);
}

static void test_text_search(void)
{
	struct whois_session *s = keepalive();

	/* AS number: as-block, then aut-num per source */
	ASK(s, "AS65530", cat(T("TEST", "AS65500 - AS65599"), "\n", T("TEST", "AS65530"), "\n", T("TEST2", "AS65530"),
			      "\n\n", NULL));
	ASK(s, "-T aut-num as65530", cat(T("TEST", "AS65530"), "\n", T("TEST2", "AS65530"), "\n\n", NULL));
	ASK(s, "-T route AS65530", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "AS65600", "%  No entries found for the selected source(s).\n\n\n");
	/* address: less specifics of every class, ranges included */
	ASK(s, "192.0.2.15", cat(T("TEST", "192.0.2.0/24AS65530"), RV "\n", T("TEST2", "192.0.2.0/24AS65530"), RV "\n",
				 T("TEST", "192.0.2.0 - 192.0.2.255"), "\n", T("TEST", "192.0.2.10 - 192.0.2.20"), "\n\n",
				 NULL));
	ASK(s, "192.0.2.200", cat(T("TEST", "192.0.2.0/24AS65530"), RV "\n", T("TEST2", "192.0.2.0/24AS65530"), RV "\n",
				  T("TEST", "192.0.2.0 - 192.0.2.255"), "\n", T("TEST", "192.0.2.128/25AS65531"), RN "\n\n",
				  NULL));
	/* primary key of any class, person/role names */
	ASK(s, "person-test", cat(T("TEST", "PERSON-TEST"), "\n\n", NULL));
	ASK(s, "Person", cat(T("TEST", "PERSON-TEST"), "\n\n", NULL));
	ASK(s, "rol_", cat(T("TEST", "ROLE-TEST"), "\n\n", NULL));
	ASK(s, "RS-SUB", cat(T("TEST", "RS-SUB"), "\n\n", NULL));
	/* ILIKE '%value%': _ and % are wildcards, \ escapes */
	ASK(s, "t_st", cat(T("TEST", "PERSON-TEST"), "\n", T("TEST", "ROLE-TEST"), "\n\n", NULL));
	ASK(s, "T%ROLE", cat(T("TEST", "ROLE-TEST"), "\n\n", NULL));
	ASK(s, "t\\_st", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "te%%%%n", cat(T("TEST", "PERSON-TEST"), "\n\n", NULL));
	{
		/* a hostile pattern is answered at once */
		size_t n = 60000;
		char *q = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			q[i] = i % 2 ? '%' : '_';
		q[n] = '\0';
		ASK(s, q, "%  No entries found for the selected source(s).\n\n\n");
		for (size_t i = 0; i < n; i++)
			q[i] = i % 3 ? '%' : 'E';
		ASK(s, q, "%  No entries found for the selected source(s).\n\n\n");
		free(q);
	}
	ASK(s, "nothing-here", "%  No entries found for the selected source(s).\n\n\n");
	/* the last free-text word wins; an earlier one still uses up -T */
	ASK(s, "RS-SUB person-test", cat(T("TEST", "PERSON-TEST"), "\n\n", NULL));
	ASK(s, "-T aut-num AS65530 AS65531", cat(T("TEST", "AS65500 - AS65599"), "\n", T("TEST", "AS65531"), "\n\n", NULL));
	ASK(s, "-T aut-num AS65530 -T as-block AS65531", cat(T("TEST", "AS65500 - AS65599"), "\n\n", NULL));
	ASK(s, "AS65530 -q sources", "TEST:3:N:5-10\nTEST2:3:N:Unknown\n\n\n");
	ASK(s, "-q sources RS-SUB", cat(T("TEST", "RS-SUB"), "\n\n", NULL));
	ASK(s, "RS-SUB -x 10.0.0.0/8 RS-SUB", cat(T("TEST", "10.0.0.0/8AS65532"), RN "\n\n", NULL));
	ASK(s, "TEST-MNT",
	    "mntner:         TEST-MNT\n"
	    "descr:          Test maintainer\n"
	    "admin-c:        PERSON-TEST\n"
	    "upd-to:         unread@example.net\n"
	    "auth:           MD5-PW DummyValue  # Filtered for security\n"
	    "auth:           CRYPT-PW DummyValue  # Filtered for security\n"
	    "auth:           BCRYPT-PW DummyValue  # Filtered for security\n"
	    "mnt-by:         TEST-MNT\n"
	    "source:         TEST\n\n\n");
	ASK(s, "-K RS-SUB", "route-set: RS-SUB\nmembers: 203.0.113.0/24^25-26\nmembers: RS-TEST\nmembers: AS-SUB\n\n\n\n");
	/* -V with a ! query: the ! query is answered */
	ASK_A(s, "-V client-1.0 !gAS65532", "10.0.0.0/8 10.1.0.0/16");
	CHECK_STR(whois_session_user_agent(s), "client-1.0");
	ASK(s, "-V client-2.0 AS-EMPTY", cat(T("TEST", "AS-EMPTY"), "\n\n", NULL));
	CHECK_STR(whois_session_user_agent(s), "client-2.0");
	ASK(s, "-V", "%% ERROR: Missing argument for flag/search: V\n\n\n");
	whois_session_free(s);
}

static void test_templates_and_sources(void)
{
	struct whois_session *s = keepalive();
	const char *tpl = rpsl_template(RPSL_ROUTE);
	char want[8192];

	CHECK(tpl != NULL);
	snprintf(want, sizeof(want), "%s\n\n\n", tpl ? tpl : "");
	ASK(s, "-t route", want);
	ASK(s, "-t foo", "%% ERROR: Unknown object class: foo\n\n\n");
	ASK(s, "-t", "%% ERROR: Missing argument for flag/search: t\n\n\n");

	ASK_A(s, "!s-lc", "TEST,TEST2");
	ASK(s, "!sTEST2", "C\n");
	ASK_A(s, "!s-lc", "TEST2");
	ASK(s, "!sFOO", "F One or more selected sources are unavailable.\n");
	ASK(s, "!stest,FOO", "F One or more selected sources are unavailable.\n");
	ASK_A(s, "!s-lc", "TEST2");
	ASK(s, "!s-*", "C\n");
	ASK(s, "!stest,rpki", "C\n");
	ASK_A(s, "!s-lc", "TEST,RPKI");
	ASK(s, "-s FOO", "%% ERROR: One or more selected sources are unavailable.\n\n\n");
	ASK(s, "-a", "%  No entries found for the selected source(s).\n\n\n");
	ASK_A(s, "!s-lc", "TEST,TEST2");
	ASK(s, "-s test2", "%  No entries found for the selected source(s).\n\n\n");
	ASK_A(s, "!s-lc", "TEST2");
	ASK(s, "!s", "F Missing parameter for s query\n");

	/* !j, !J, -q sources */
	ASK_A(s, "!j-*", "TEST:Y:-:10\nTEST2:N:0-20");
	ASK_A(s, "!jtest2,foo,TEST", "TEST2:N:0-20\nTEST:Y:-:10\nFOO:X:Database unknown");
	ASK(s, "!jRPKI", "C\n");
	ASK(s, "!j", "F Missing parameter for j query\n");
	ASK_A(s, "!JTEST,nope",
	      "{\n"
	      "    \"TEST\": {\n"
	      "        \"source_type\": \"regular\",\n"
	      "        \"authoritative\": true,\n"
	      "        \"object_class_filter\": null,\n"
	      "        \"rpki_rov_filter\": true,\n"
	      "        \"scopefilter_enabled\": false,\n"
	      "        \"route_preference\": null,\n"
	      "        \"local_journal_kept\": true,\n"
	      "        \"serial_oldest_journal\": 5,\n"
	      "        \"serial_newest_journal\": 10,\n"
	      "        \"serial_last_export\": 10,\n"
	      "        \"serial_newest_mirror\": null,\n"
	      "        \"nrtm4_client_session_id\": null,\n"
	      "        \"nrtm4_client_version\": null,\n"
	      "        \"nrtm4_server_session_id\": null,\n"
	      "        \"nrtm4_server_version\": null,\n"
	      "        \"nrtm4_server_last_update_notification_file_update\": null,\n"
	      "        \"nrtm4_server_last_snapshot_version\": null,\n"
	      "        \"rpsl_data_updated\": \"2024-01-02T03:04:05+00:00\",\n"
	      "        \"last_update\": \"2024-01-02T03:04:05+00:00\",\n"
	      "        \"synchronised_serials\": false\n"
	      "    },\n"
	      "    \"NOPE\": {\n"
	      "        \"error\": \"Unknown source\"\n"
	      "    }\n"
	      "}");
	ASK(s, "-q sources", "TEST:3:N:5-10\nTEST2:3:N:Unknown\n\n\n");
	ASK(s, "-q foo", "%% ERROR: Unrecognised parameter: foo\n\n\n");
	whois_session_free(s);
}

static int nrtm_calls;

static int fake_nrtm(void *arg, const char *source, int version, int64_t first, int64_t last, bool to_last,
		     char **out, size_t *outlen, char **error)
{
	(void)arg;
	nrtm_calls++;
	if (first > 100) {
		*error = strdup("Serials 10 - 101 do not exist");
		return -1;
	}
	char buf[256];
	snprintf(buf, sizeof(buf), "%%START Version: %d %s %lld-%s\n\nADD 1\n\nauth: MD5-PW $1$secret\n\n%%END %s",
		 version, source, (long long)first, to_last ? "LAST" : "N", source);
	(void)last;
	*out = strdup(buf);
	*outlen = strlen(buf);
	return 0;
}

static void test_nrtm(void)
{
	struct whois_session *s = keepalive();
	struct ip_addr local = { .family = IP_AF4, .a = { 127, 0, 0, 1 } };
	struct ip_addr mapped = { .family = IP_AF6, .a = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2 } };
	struct ip_addr other = { .family = IP_AF4, .a = { 192, 0, 2, 1 } };

	ASK(s, "-g", "%% ERROR: Missing argument for flag/search: g\n\n\n");
	ASK(s, "-g TEST", "%% ERROR: Invalid parameter: must contain three elements\n\n\n");
	ASK(s, "-g TEST:3:1-2:4", "%% ERROR: Invalid parameter: must contain three elements\n\n\n");
	ASK(s, "-g TEST:3:a-2", "%% ERROR: Invalid serial range: a-2\n\n\n");
	ASK(s, "-g TEST:3:1", "%% ERROR: Invalid serial range: 1\n\n\n");
	ASK(s, "-g TEST:2:1-2", "%% ERROR: Invalid NRTM version: 2\n\n\n");
	ASK(s, "-g FOO:3:1-2", "%% ERROR: Unknown source: FOO\n\n\n");
	ASK(s, "-g TEST:3:1-LAST", "%% ERROR: Access denied\n\n\n");
	whois_session_set_peer(s, &other);
	ASK(s, "-g TEST:3:1-LAST", "%% ERROR: Access denied\n\n\n");
	ASK(s, "-q sources", "TEST:3:N:5-10\nTEST2:3:N:Unknown\n\n\n");
	whois_session_set_peer(s, &mapped);
	ASK(s, "-q sources", "TEST:3:X:5-10\nTEST2:3:N:Unknown\n\n\n");
	whois_session_set_peer(s, &local);
	ASK(s, "-g test:3:1-LAST", "%% ERROR: No journal kept for this source, unable to serve NRTM queries\n\n\n");
	ASK(s, "-g TEST2:3:1-LAST", "%% ERROR: Access denied\n\n\n");
	ctx.nrtm = fake_nrtm;
	ASK(s, "-g TEST:3:1-LAST", "%START Version: 3 TEST 1-LAST\n\nADD 1\n\nauth: MD5-PW $1$secret\n\n%END TEST\n\n\n");
	ASK(s, "-g TEST:1:5-7", "%START Version: 1 TEST 5-N\n\nADD 1\n\nauth: MD5-PW $1$secret\n\n%END TEST\n\n\n");
	ASK(s, "-g TEST:3:101-LAST", "%% ERROR: Serials 10 - 101 do not exist\n\n\n");
	CHECK_INT(nrtm_calls, 3);
	ctx.nrtm = NULL;
	whois_session_free(s);
}

static void test_updates(void)
{
	struct whois_session *s = keepalive();
	const char *txt = "route:          203.0.113.0/25\norigin:         AS65530\nmnt-by:         TEST-MNT\n"
			  "source:         TEST\n";
	struct rpsl_object *o = rpsl_parse(txt, strlen(txt), RPSL_NONSTRICT, NULL);

	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	whois_index_put(idx, o, txt, strlen(txt), RPKI_NOT_FOUND);
	CHECK_INT(whois_index_count(idx), 31);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24 203.0.113.0/25");
	ASK_A(s, "!r203.0.113.0/25", cat(txt, "rpki-ov-state:  not_found" NF, NULL));
	/* replacing keeps one object; an invalid state hides it from !g */
	whois_index_put(idx, o, txt, strlen(txt) - 1, RPKI_INVALID);
	CHECK_INT(whois_index_count(idx), 31);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	ASK(s, "!r203.0.113.0/25", "D\n");
	CHECK_INT(whois_index_set_rpki(idx, "TEST", RPSL_ROUTE, "203.0.113.0/25AS65530", RPKI_VALID), 0);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24 203.0.113.0/25");
	CHECK_INT(whois_index_set_rpki(idx, "TEST", RPSL_ROUTE, "203.0.113.0/26AS65530", RPKI_VALID), -1);
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_ROUTE, "203.0.113.0/25AS65530"), 0);
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_ROUTE, "203.0.113.0/25AS65530"), -1);
	CHECK_INT(whois_index_del(idx, "NOSUCH", RPSL_ROUTE, "203.0.113.0/25AS65530"), -1);
	CHECK_INT(whois_index_count(idx), 30);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	ASK(s, "!r203.0.113.0/25", "D\n");
	rpsl_object_free(o);

	/* a set member added by reference appears, and goes with its object */
	const char *an = "aut-num:        AS65539\nas-name:        NEW\nmember-of:      AS-BYREF\n"
			 "mnt-by:         TEST-MNT\nsource:         TEST\n";
	o = rpsl_parse(an, strlen(an), RPSL_NONSTRICT, NULL);
	whois_index_put(idx, o, an, strlen(an), RPKI_NOT_FOUND);
	ASK_A(s, "!iAS-BYREF", "AS65530 AS65539");
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_AUT_NUM, "AS65539"), 0);
	ASK_A(s, "!iAS-BYREF", "AS65530");
	rpsl_object_free(o);

	/* A big answer (handed to the evbuffer without a copy) is framed the
	 * same: 20,000 routes of one origin, then removed again. */
	for (int i = 0; i < 20000; i++) {
		char t[160];
		snprintf(t, sizeof(t), "route:          100.%d.%d.0/24\norigin:         AS65999\nsource:         TEST\n",
			 64 + i / 256, i % 256);
		struct rpsl_object *ro = rpsl_parse(t, strlen(t), RPSL_NONSTRICT, NULL);
		whois_index_put(idx, ro, t, strlen(t), RPKI_NOT_FOUND);
		rpsl_object_free(ro);
	}
	{
		char *got = ask(s, "!gAS65999");
		size_t glen = strlen(got);
		/* 100.64.0.0/24 ... 100.142.31.0/24: 20,000 prefixes */
		size_t data = 0;
		for (int i = 0; i < 20000; i++) {
			char b[32];
			data += (size_t)snprintf(b, sizeof(b), "100.%d.%d.0/24", 64 + i / 256, i % 256) + (i ? 1 : 0);
		}
		char head[64];
		snprintf(head, sizeof(head), "A%zu\n100.64.0.0/24 100.64.1.0/24 ", data + 1);
		CHECK(data > 256 * 1024);
		CHECK(strncmp(got, head, strlen(head)) == 0);
		CHECK_INT(glen, strlen(head) - strlen("100.64.0.0/24 100.64.1.0/24 ") + data + 3);
		CHECK(glen > 19 && strcmp(got + glen - 19, " 100.142.31.0/24\nC\n") == 0);
		free(got);
		got = ask(s, "-i origin AS65999");
		CHECK(strncmp(got, "route:          100.64.0.0/24\n", 30) == 0);
		CHECK(strlen(got) > 1000000 && strcmp(got + strlen(got) - 5, "e\n\n\n\n") != 0);
		free(got);
	}
	int deleted = 0;
	for (int i = 0; i < 20000; i++) {
		char pk[64];
		snprintf(pk, sizeof(pk), "100.%d.%d.0/24AS65999", 64 + i / 256, i % 256);
		deleted += whois_index_del(idx, "TEST", RPSL_ROUTE, pk) == 0;
	}
	CHECK_INT(deleted, 20000);
	ASK(s, "!gAS65999", "D\n");
	CHECK_INT(whois_index_count(idx), 30);

	/* dropping a source removes all its objects from every index */
	whois_index_drop_source(idx, "TEST2");
	CHECK_INT(whois_index_count(idx), 26);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24");
	ASK(s, "-s TEST2 AS65530", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "-a", "%  No entries found for the selected source(s).\n\n\n");
	CHECK_INT(load("test2.db"), 4);
	CHECK_INT(whois_index_count(idx), 30);
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	whois_session_free(s);
}

static void put_text(const char *txt)
{
	struct rpsl_object *o = rpsl_parse(txt, strlen(txt), RPSL_NONSTRICT, NULL);
	CHECK(o != NULL && o->pk != NULL);
	whois_index_put(idx, o, txt, strlen(txt), RPKI_NOT_FOUND);
	rpsl_object_free(o);
}

/* Set members are kept as set-name ids: a set added after the sets that
 * name it is found, a deleted one is no longer followed, a name re-added
 * in another source or class is found under the source order. */
static void test_set_changes(void)
{
	struct whois_session *s = keepalive();

	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	put_text("as-set:         as-missing\nmembers:        AS65541, as-late\nsource:         TEST\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532 AS65541");
	/* a name first seen as a member, then created */
	put_text("as-set:         AS-LATE\nmembers:        AS65542, AS-SUB\nsource:         TEST\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532 AS65541 AS65542");
	ASK_A(s, "!iAS-LATE,1", "AS65530 AS65531 AS65532 AS65541 AS65542");
	/* replaced: the new members count */
	put_text("as-set:         AS-LATE\nmembers:        AS65543\nsource:         TEST\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532 AS65541 AS65543");
	/* deleted: no longer followed */
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_AS_SET, "AS-MISSING"), 0);
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	ASK_A(s, "!iAS-LATE,1", "AS65543");
	/* the same name in the second source, and as a route-set (not
	 * followed under an as-set, but answered at the root) */
	put_text("route-set:      AS-MISSING\nmembers:        192.0.2.0/26\nsource:         TEST\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	ASK_A(s, "!iAS-MISSING,1", "192.0.2.0/26");
	put_text("as-set:         AS-MISSING\nmembers:        AS65544\nsource:         TEST2\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532 AS65544");
	ASK_A(s, "!iAS-MISSING,1", "AS65544");
	ASK(s, "!sTEST", "C\n");
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	ASK_A(s, "!iAS-MISSING,1", "192.0.2.0/26");
	ASK(s, "!sTEST,TEST2", "C\n");
	CHECK_INT(whois_index_del(idx, "TEST2", RPSL_AS_SET, "AS-MISSING"), 0);
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_ROUTE_SET, "AS-MISSING"), 0);
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_AS_SET, "AS-LATE"), 0);
	ASK_A(s, "!iAS-SUB,1", "AS65530 AS65531 AS65532");
	ASK(s, "!iAS-MISSING,1", "D\n");
	ASK(s, "!iAS-LATE,1", "D\n");
	CHECK_INT(whois_index_count(idx), 30);
	whois_session_free(s);
}

/* compatibility.*: each read per query, so a SIGHUP that swaps the
 * configuration changes later answers (also cached ones). */
static void test_compat(void)
{
	struct whois_session *s = keepalive();
	const char *rs_direct = "192.0.2.0/24 192.0.2.0/24^+ 2001:db8:1::/48 2001:db8::/32^48 AS65533 RS-SUB";
	const char *rs_direct4 = "192.0.2.0/24 192.0.2.0/24^+ 2001:db8::/32^48 AS65533 RS-SUB";
	const char *rs_all = "10.0.0.0/8 10.1.0.0/16 10.1.2.0/24 192.0.2.0/24 192.0.2.0/24^+ "
			     "192.0.2.128/25 198.51.100.0/24 2001:db8:1::/48 2001:db8::/32 "
			     "2001:db8::/32^48 203.0.113.0/24 203.0.113.0/24^25-26";
	const char *rs_all4 = "10.0.0.0/8 10.1.0.0/16 10.1.2.0/24 192.0.2.0/24 192.0.2.0/24^+ "
			      "192.0.2.128/25 198.51.100.0/24 "
			      "2001:db8::/32^48 203.0.113.0/24 203.0.113.0/24^25-26";

	/* ipv4_only_route_set_members: plain IPv6 prefixes go, a prefix
	 * with a range operator, AS numbers and set names stay; every !i,1
	 * answer is cached here, and a cached one is not served under the
	 * other setting. */
	whois_index_cache_answers(idx, 0);
	ASK_A(s, "!iRS-TEST", rs_direct);
	ASK_A(s, "!iRS-TEST,1", rs_all);
	ASK_A(s, "!iRS-TEST,1", rs_all);
	cfg.compat_ipv4_only_route_set_members = true;
	ASK_A(s, "!iRS-TEST", rs_direct4);
	ASK_A(s, "!iRS-TEST,1", rs_all4);
	ASK_A(s, "!iRS-TEST,1", rs_all4);
	ASK_A(s, "!iRS-SUB", "203.0.113.0/24^25-26 AS-SUB RS-TEST");
	ASK_A(s, "!iAS-TEST,1", "AS65530 AS65531 AS65532");
	put_text("route-set:      RS-V6ONLY\nmp-members:     2001:db8:7::/48, 2001:DB8:8::/48\nsource:         TEST\n");
	ASK(s, "!iRS-V6ONLY", "D\n");
	ASK(s, "!iRS-V6ONLY,1", "D\n");
	cfg.compat_ipv4_only_route_set_members = false;
	ASK_A(s, "!iRS-V6ONLY", "2001:db8:7::/48 2001:db8:8::/48");
	ASK_A(s, "!iRS-V6ONLY,1", "2001:db8:7::/48 2001:db8:8::/48");
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_ROUTE_SET, "RS-V6ONLY"), 0);
	ASK_A(s, "!iRS-TEST", rs_direct);
	ASK_A(s, "!iRS-TEST,1", rs_all);
	whois_index_cache_answers(idx, 2000000);

	/* asdot_queries: !g, !6 and free text take "ASx.y"; errors as IRRd's */
	char *as65530_text = strdup(cat(T("TEST", "AS65500 - AS65599"), "\n", T("TEST", "AS65530"), "\n",
				       T("TEST2", "AS65530"), "\n\n", NULL));
	ASK(s, "!gAS0.65530", "F Invalid AS number AS0.65530: number part is not numeric\n");
	ASK(s, "!6AS0.65531", "F Invalid AS number AS0.65531: number part is not numeric\n");
	ASK(s, "AS0.65530", "%  No entries found for the selected source(s).\n\n\n");
	cfg.compat_asdot_queries = true;
	ASK_A(s, "!gAS0.65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	ASK_A(s, "!gas0.65532", "10.0.0.0/8 10.1.0.0/16");
	ASK_A(s, "!6AS0.65531", "2001:db8:1::/48");
	ASK_A(s, "!6AS1.-5", "2001:db8:1::/48");	/* int("-5"): 65536 - 5 */
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	ASK(s, "!gAS1.5", "D\n");
	ASK(s, "AS0.65530", as65530_text);
	ASK(s, "!gAS1.x", "F Invalid AS number AS1.X: low order value missing or invalid\n");
	ASK(s, "!gAS1.", "F Invalid AS number AS1.: low order value missing or invalid\n");
	ASK(s, "!gAS.5", "F Invalid AS number AS.5: high order value missing or invalid\n");
	ASK(s, "!gASx.x", "F Invalid AS number ASX.X: high order value missing or invalid\n");
	ASK(s, "!gAS65536.1", "F Invalid AS number AS65536.1: high order value out of range\n");
	ASK(s, "!gAS65536.65536", "F Invalid AS number AS65536.65536: high order value out of range\n");
	ASK(s, "!gAS1.65536", "F Invalid AS number AS1.65536: low order value out of range\n");
	ASK(s, "!6AS1.2.3", "F Invalid AS number AS1.2.3: number is not valid asdot format\n");
	ASK(s, "!gAS0.-1", "F Invalid AS number AS0.-1: valid range is 0-4294967295\n");
	ASK(s, "!gAS-99999999999999999999999.5",
	    "F Invalid AS number AS-99999999999999999999999.5: valid range is 0-4294967295\n");
	ASK(s, "!gX1.5", "F Invalid AS number X1.5: must start with \"AS\"\n");
	cfg.compat_asdot_queries = false;
	ASK(s, "!gAS1.5", "F Invalid AS number AS1.5: number part is not numeric\n");
	free(as65530_text);

	/* inetnum_search_disabled: IRRd's address search then uses its
	 * prefix column, which no inetnum has; inet6num keys are prefixes. */
	put_text("inet6num:       3fff:5::/48\nnetname:        V6-NET\nsource:         TEST\n");
	const char *v6_copy = "inet6num:       3fff:5::/48\nnetname:        V6-NET\nsource:         TEST\n\n\n";
	char *with_ranges = strdup(cat(T("TEST", "192.0.2.0/24AS65530"), RV "\n", T("TEST2", "192.0.2.0/24AS65530"),
				      RV "\n", T("TEST", "192.0.2.0 - 192.0.2.255"), "\n",
				      T("TEST", "192.0.2.10 - 192.0.2.20"), "\n\n", NULL));
	ASK(s, "192.0.2.15", with_ranges);
	free(with_ranges);
	ASK(s, "3fff:5::1", v6_copy);
	cfg.compat_inetnum_search_disabled = true;
	ASK(s, "192.0.2.15", cat(T("TEST", "192.0.2.0/24AS65530"), RV "\n", T("TEST2", "192.0.2.0/24AS65530"),
				 RV "\n\n", NULL));
	ASK(s, "-T inetnum 192.0.2.15", "%  No entries found for the selected source(s).\n\n\n");
	ASK(s, "3fff:5::1", v6_copy);
	ASK_A(s, "!r192.0.2.0/24,o", "AS65530");
	cfg.compat_inetnum_search_disabled = false;
	ASK(s, "-T inetnum 192.0.2.15", cat(T("TEST", "192.0.2.0 - 192.0.2.255"), "\n",
					     T("TEST", "192.0.2.10 - 192.0.2.20"), "\n\n", NULL));
	CHECK_INT(whois_index_del(idx, "TEST", RPSL_INET6NUM, "3FFF:5::/48"), 0);
	ASK(s, "3fff:5::1", "%  No entries found for the selected source(s).\n\n\n");
	CHECK_INT(whois_index_count(idx), 30);
	whois_session_free(s);
}

static void test_rpki_off(void)
{
	/* Without RPKI-aware mode: no rpki-ov-state lines, no RPKI source,
	 * and (as IRRd's queries) no filtering of the objects shown. */
	struct cfg c2 = cfg;
	struct whois_context x2 = ctx;
	c2.rpki_enabled = false;
	x2.cfg = &c2;
	struct whois_session *s = whois_session_new(&x2);
	ASK(s, "!!", "");
	ASK_A(s, "!r192.0.2.0/25", nonl(T("TEST", "192.0.2.0/25AS65530")));
	ASK(s, "!sRPKI", "F One or more selected sources are unavailable.\n");
	ASK_A(s, "!gAS65530", "192.0.2.0/24 198.51.100.0/24 203.0.113.0/24");
	whois_session_free(s);

	/* Without a configuration every indexed source is valid and default. */
	struct whois_context x3 = { .idx = idx, .version = "x" };
	s = whois_session_new(&x3);
	ASK(s, "!!", "");
	ASK_A(s, "!s-lc", "TEST,TEST2");
	ASK_A(s, "!gAS65532", "10.0.0.0/8 10.1.0.0/16");
	whois_session_free(s);
}

static void test_ipy_and_asn_edge_cases(void)
{
	struct whois_session *s = keepalive();
	char want[4096];
	snprintf(want, sizeof(want), "%s" RN, T("TEST", "10.0.0.0/8AS65532"));
	want[strlen(want) - 1] = '\0';
	/* IPy notations */
	ASK_A(s, "!r10/8", want);
	ASK_A(s, "!r10.0.0.0/255.0.0.0", want);
	ASK_A(s, "!r10.0.0.0-10.255.255.255", want);
	ASK_A(s, "!r0x0a000000/8", want);
	ASK_A(s, "!r167772160/8", want);
	ASK(s, "!r10.0.0.0-10.0.0.5", "F Invalid input for route search: 10.0.0.0-10.0.0.5\n");
	ASK(s, "!r10.0.0.0/8/8", "F Invalid input for route search: 10.0.0.0/8/8\n");
	ASK(s, "!r1.2.3.4.5", "F Invalid input for route search: 1.2.3.4.5\n");
	ASK(s, "!r2001:db8:::/32", "F Invalid input for route search: 2001:db8:::/32\n");
	ASK(s, "!r::ffff:10.0.0.0/104,M", "D\n");
	ASK_A(s, "!gAS+65532", "10.0.0.0/8 10.1.0.0/16");
	ASK_A(s, "!gAS6_5532", "10.0.0.0/8 10.1.0.0/16");
	ASK(s, "!gAS6__5532", "F Invalid AS number AS6__5532: number part is not numeric\n");
	whois_session_free(s);
}

/* Origins with routes of a family whose default-selection list is made. */
static int lists_made(int *with_routes)
{
	int made = 0;
	*with_routes = 0;
	for (size_t i = 0; i < idx->otabsize; i++)
		for (struct worigin *or = idx->otab[i]; or != NULL; or = or->hnext)
			for (int fam = 0; fam < 2; fam++) {
				if (or->routes[fam].n == 0)
					continue;
				(*with_routes)++;
				made += atomic_load(&or->cache[fam]) != NULL;
			}
	return made;
}

/* Runs first, on the index as loaded: the warm thread makes every list,
 * answers stay the same, and it stops cleanly at any moment, also while
 * index changes take the write lock. */
static void test_warm(void)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int with_routes, made = lists_made(&with_routes);

	CHECK(with_routes >= 4);
	CHECK_INT(made, 0);
	struct whois_warm *w = whois_warm_start(&ctx);
	for (int i = 0; i < 500 && (made = lists_made(&with_routes)) < with_routes; i++) {
		nanosleep(&nap, NULL);
	}
	whois_warm_stop(w);
	CHECK_INT(made, with_routes);

	struct whois_session *s = keepalive();
	ASK(s, "!gAS65530", "A44\n192.0.2.0/24 198.51.100.0/24 203.0.113.0/24\nC\n");
	ASK_A(s, "!6AS65531", "2001:db8:1::/48");
	whois_session_free(s);

	whois_warm_stop(whois_warm_start(&ctx));
	whois_warm_stop(NULL);
	w = whois_warm_start(&ctx);
	for (int i = 0; i < 20; i++) {
		whois_index_write_lock(idx);
		put_text("route: 10.99.0.0/16\norigin: AS65530\nmnt-by: MNT-TEST\nsource: TEST\n");
		whois_index_write_unlock(idx);
		whois_index_write_lock(idx);
		CHECK_INT(whois_index_del(idx, "TEST", RPSL_ROUTE, "10.99.0.0/16AS65530"), 0);
		whois_index_write_unlock(idx);
	}
	whois_warm_stop(w);
	s = keepalive();
	ASK(s, "!gAS65530", "A44\n192.0.2.0/24 198.51.100.0/24 203.0.113.0/24\nC\n");
	whois_session_free(s);
}

int main(void)
{
	setup();
	TEST_RUN(test_warm);
	TEST_RUN(test_framing_and_session);
	TEST_RUN(test_origin_prefixes);
	TEST_RUN(test_set_members);
	TEST_RUN(test_as_set_prefixes);
	TEST_RUN(test_exact_key);
	TEST_RUN(test_inverse);
	TEST_RUN(test_route_search);
	TEST_RUN(test_text_search);
	TEST_RUN(test_templates_and_sources);
	TEST_RUN(test_nrtm);
	TEST_RUN(test_ipy_and_asn_edge_cases);
	TEST_RUN(test_rpki_off);
	TEST_RUN(test_updates);
	TEST_RUN(test_set_changes);
	TEST_RUN(test_compat);
	whois_index_free(idx);
	for (int i = 0; i < nobjs; i++)
		free(objs[i].text);
	return test_summary("whois_query");
}
