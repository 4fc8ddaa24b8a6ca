/*
 * rpki_val_rrdp_test.c - the RRDP client's documents (RFC 8182):
 * notification files, snapshots and deltas applied to a scratch
 * directory, and hostile XML (DTDs, entity bombs, path traversal, session
 * and serial mismatches, hash preconditions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

#define NS "http://www.ripe.net/rpki/rrdp"
#define SESSION "9df4b597-af9e-4dca-bdda-719cce2c4e28"
#define H64A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H64B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static char scratch[256];

static int notif(const char *xml, struct val_rrdp_notification *n)
{
	return val_rrdp_parse_notification((const uint8_t *)xml, strlen(xml), "notification.xml", n);
}

static void test_notification(void)
{
	struct val_rrdp_notification n;
	const char *good =
		"<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"3\">\n"
		"  <snapshot uri=\"https://rrdp.example/s/3/snapshot.xml\" hash=\"" H64A "\"/>\n"
		"  <delta serial=\"3\" uri=\"https://rrdp.example/s/3/delta.xml\" hash=\"" H64B "\"/>\n"
		"  <delta serial=\"2\" uri=\"https://rrdp.example/s/2/delta.xml\" hash=\"" H64A "\"/>\n"
		"</notification>\n";

	CHECK(notif(good, &n) == 0);
	CHECK_STR(n.session, SESSION);
	CHECK(n.serial == 3 && n.ndeltas == 2);
	if (n.ndeltas == 2) {
		CHECK(n.deltas[0].serial == 2 && n.deltas[1].serial == 3);
		CHECK_STR(n.deltas[1].uri, "https://rrdp.example/s/3/delta.xml");
		CHECK(n.deltas[1].hash[0] == 0xbb && n.snapshot_hash[31] == 0xaa);
	}
	CHECK_STR(n.snapshot_uri, "https://rrdp.example/s/3/snapshot.xml");
	val_rrdp_notification_clear(&n);

	CHECK(notif("<x:notification xmlns:x=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<x:snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></x:notification>", &n) == 0);
	val_rrdp_notification_clear(&n);

	/* rejected */
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "</notification>", &n) < 0);	/* no snapshot */
	CHECK(notif("<notification xmlns=\"http://example.com/x\" version=\"1\" session_id=\"" SESSION
		    "\" serial=\"1\"><snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>",
		    &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"2\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"01\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"x;y\" serial=\"1\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"abcd\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<snapshot uri=\"http://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"2\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/>"
		    "<delta serial=\"2\" uri=\"https://r.example/d.xml\" hash=\"" H64A "\"/>"
		    "<delta serial=\"2\" uri=\"https://r.example/d2.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"2\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/>"
		    "<delta serial=\"3\" uri=\"https://r.example/d.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"2\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\" extra=\"1\"/></notification>", &n) < 0);
	CHECK(notif("<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/>", &n) < 0);	/* truncated */
	/* entity expansion and external entities: no DTD at all */
	CHECK(notif("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
		    "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n"
		    "<notification xmlns=\"" NS "\" version=\"1\" session_id=\"&lol2;\" serial=\"1\">"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
	CHECK(notif("<?xml version=\"1.0\"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		    "<notification xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">&xxe;"
		    "<snapshot uri=\"https://r.example/s.xml\" hash=\"" H64A "\"/></notification>", &n) < 0);
}

static int apply(const char *xml, const char *dir, bool delta, const char *session, uint64_t serial)
{
	return val_rrdp_apply_buffer((const uint8_t *)xml, strlen(xml), delta ? "delta.xml" : "snapshot.xml", dir,
				     delta, session, serial);
}

static char *file_in(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	return test_slurp(path, len);
}

static bool exists(const char *rel)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", scratch, rel);
	return stat(path, &st) == 0;
}

static void test_snapshot(void)
{
	char *s;
	size_t len;
	const char *snap =
		"<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"7\">\n"
		"<publish uri=\"rsync://h.example/repo/a/x.roa\">aGVs\nbG8=</publish>\n"
		"<publish uri=\"rsync://h.example/repo/b.cer\">d29ybGQ=</publish>\n"
		"</snapshot>";

	CHECK(apply(snap, scratch, false, SESSION, 7) == 0);
	s = file_in("h.example/repo/a/x.roa", &len);
	CHECK(s != NULL && len == 5 && memcmp(s, "hello", 5) == 0);
	free(s);
	s = file_in("h.example/repo/b.cer", &len);
	CHECK(s != NULL && len == 5 && memcmp(s, "world", 5) == 0);
	free(s);
	/* the same again into the same directory: every file exists already */
	CHECK(apply(snap, scratch, false, SESSION, 7) < 0);
	/* parse only */
	CHECK(apply(snap, NULL, false, NULL, 0) == 0);
	CHECK(apply(snap, NULL, false, "00000000-0000-0000-0000-000000000000", 0) < 0);
	CHECK(apply(snap, NULL, false, SESSION, 8) < 0);
	CHECK(apply(snap, NULL, true, SESSION, 7) < 0);	/* not a delta */

	/* hostile publishes */
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"rsync://h.example/repo/../../etc/x\">aGVsbG8=</publish></snapshot>", scratch, false,
		    NULL, 0) < 0);
	CHECK(!exists("etc/x") && !exists("../etc/x"));
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"https://h.example/repo/x.roa\">aGVsbG8=</publish></snapshot>", NULL, false, NULL,
		    0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"rsync://h.example/\">aGVsbG8=</publish></snapshot>", NULL, false, NULL, 0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"rsync://h.example/r/x.roa\">not base64!</publish></snapshot>", NULL, false, NULL,
		    0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"rsync://h.example/r/x.roa\" hash=\"" H64A "\">aGVsbG8=</publish></snapshot>", NULL,
		    false, NULL, 0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<withdraw uri=\"rsync://h.example/r/x.roa\" hash=\"" H64A "\"/></snapshot>", NULL, false, NULL,
		    0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "text<publish uri=\"rsync://h.example/r/x.roa\">aGVsbG8=</publish></snapshot>", NULL, false, NULL,
		    0) < 0);
	CHECK(apply("<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\">"
		    "<publish uri=\"rsync://h.example/r/x.roa\"><publish/>aGVsbG8=</publish></snapshot>", NULL, false,
		    NULL, 0) < 0);
	CHECK(apply("<?xml version=\"1.0\"?><!DOCTYPE s SYSTEM \"http://evil.example/s.dtd\">"
		    "<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"1\"></snapshot>",
		    NULL, false, NULL, 0) < 0);
	/* an object over the size limit */
	size_t big = (9u << 20) / 3 * 4;
	char *doc = malloc(big + 400);
	int n = snprintf(doc, 400, "<snapshot xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION
			 "\" serial=\"1\"><publish uri=\"rsync://h.example/r/big.roa\">");
	memset(doc + n, 'A', big);
	strcpy(doc + n + big, "</publish></snapshot>");
	CHECK(apply(doc, NULL, false, NULL, 0) < 0);
	free(doc);
}

/* hex SHA-256 of a string */
static void sha_hex(const char *s, char out[65])
{
	uint8_t h[32];
	val_sha256(s, strlen(s), h);
	val_hex(h, 32, out);
}

static void test_delta(void)
{
	char hx[65], hw[65], xml[2048], *s;
	size_t len;

	sha_hex("hello", hx);
	sha_hex("world", hw);
	/* replace x.roa (hash of "hello"), withdraw b.cer, add c.crl */
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"8\">"
		 "<publish uri=\"rsync://h.example/repo/a/x.roa\" hash=\"%s\">bmV3</publish>"
		 "<withdraw uri=\"rsync://h.example/repo/b.cer\" hash=\"%s\"/>"
		 "<publish uri=\"rsync://h.example/repo/c.crl\">Y3Js</publish>"
		 "</delta>", hx, hw);
	CHECK(apply(xml, scratch, true, SESSION, 8) == 0);
	s = file_in("h.example/repo/a/x.roa", &len);
	CHECK(s != NULL && len == 3 && memcmp(s, "new", 3) == 0);
	free(s);
	CHECK(!exists("h.example/repo/b.cer"));
	s = file_in("h.example/repo/c.crl", &len);
	CHECK(s != NULL && len == 3 && memcmp(s, "crl", 3) == 0);
	free(s);
	CHECK(!exists(".tmp/0"));

	/* preconditions: nothing of a failing delta is applied */
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"9\">"
		 "<publish uri=\"rsync://h.example/repo/d.roa\">ZA==</publish>"
		 "<publish uri=\"rsync://h.example/repo/c.crl\">eHh4</publish>"	/* exists: needs a hash */
		 "</delta>");
	CHECK(apply(xml, scratch, true, SESSION, 9) < 0);
	CHECK(!exists("h.example/repo/d.roa"));
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"9\">"
		 "<publish uri=\"rsync://h.example/repo/d.roa\">ZA==</publish>"
		 "<withdraw uri=\"rsync://h.example/repo/a/x.roa\" hash=\"%s\"/>"	/* the old hash */
		 "</delta>", hx);
	CHECK(apply(xml, scratch, true, SESSION, 9) < 0);
	CHECK(!exists("h.example/repo/d.roa") && exists("h.example/repo/a/x.roa"));
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"9\">"
		 "<withdraw uri=\"rsync://h.example/repo/gone.roa\" hash=\"%s\"/></delta>", hx);
	CHECK(apply(xml, scratch, true, SESSION, 9) < 0);
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"9\">"
		 "<withdraw uri=\"rsync://h.example/repo/c.crl\"/></delta>");
	CHECK(apply(xml, scratch, true, SESSION, 9) < 0);	/* withdraw needs a hash */
	/* publish then replace within one delta */
	sha_hex("one", hx);
	snprintf(xml, sizeof(xml),
		 "<delta xmlns=\"" NS "\" version=\"1\" session_id=\"" SESSION "\" serial=\"9\">"
		 "<publish uri=\"rsync://h.example/repo/e.roa\">b25l</publish>"
		 "<publish uri=\"rsync://h.example/repo/e.roa\" hash=\"%s\">dHdv</publish></delta>", hx);
	CHECK(apply(xml, scratch, true, SESSION, 9) == 0);
	s = file_in("h.example/repo/e.roa", &len);
	CHECK(s != NULL && len == 3 && memcmp(s, "two", 3) == 0);
	free(s);
}

int main(void)
{
	const char *tmp = getenv("IRRD_TEST_TMPDIR");

	log_init("rpki_val_rrdp_test");
	log_set_level(LOG_LVL_ERROR);
	snprintf(scratch, sizeof(scratch), "%s/rrdpXXXXXX", tmp ? tmp : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp"));
	if (mkdtemp(scratch) == NULL) {
		perror(scratch);
		return 1;
	}
	TEST_RUN(test_notification);
	TEST_RUN(test_snapshot);
	TEST_RUN(test_delta);
	val_rmtree(scratch);
	return test_summary("rpki_val_rrdp_test");
}
