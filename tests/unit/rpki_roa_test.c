/*
 * rpki_roa_test.c - ROA JSON import (every member form, every malformed
 * field and its message), the set (order, de-duplication), JSON output,
 * diffs, pseudo-IRR objects and fetching over file:// and a real HTTP
 * server on loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/testlib.h"
#include "rpki/rpki.h"

static char *data_path(const char *name)
{
	static char buf[1024];
	snprintf(buf, sizeof(buf), "%s/rpki/%s", test_data_dir(), name);
	return buf;
}

static struct roa_set *load_file(const char *name, const struct slurm *slurm, char **err)
{
	size_t len;
	char *buf = test_slurp(data_path(name), &len);
	struct roa_set *set;

	if (buf == NULL) {
		fprintf(stderr, "cannot read %s\n", data_path(name));
		exit(1);
	}
	set = roa_parse(buf, len, name, slurm, err);
	free(buf);
	return set;
}

static const char *fmt_roa(const struct roa_set *set, const struct roa *r)
{
	static char buf[200];
	char pk[100];

	roa_pseudo_pk(r, pk, sizeof(pk));
	snprintf(buf, sizeof(buf), "%s %s", pk, roa_set_ta(set, r->ta));
	return buf;
}

static void test_parse_basic(void)
{
	char *err = NULL;
	struct roa_set *set = load_file("roas-basic.json", NULL, &err);
	const struct roa *r;
	size_t n;
	static const char *want[] = {
		"10.0.0.0/8AS0/ML32 ripe",
		"100.64.0.0/16AS64502/ML20 lacnic",
		"192.0.2.0/24AS64496/ML24 ripe",	/* the apnic duplicate is dropped */
		"192.0.2.128AS4200000000/ML32 ripe",	/* IPy writes a /32 without length */
		"198.51.100.0/24AS64497/ML26 apnic",
		"203.0.113.0/24AS64498/ML24 arin",
		"203.0.113.128/25AS64499/ML25 arin",
		"::ffff:198.51.100.0/120AS64504/ML128 ripe",
		"2001:db8::/32AS64500/ML48 ripe",
		"2001:db8:1::/48AS64501/ML48 ripe",
	};

	CHECK(set != NULL);
	CHECK(err == NULL);
	if (set == NULL) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return;
	}
	r = roa_set_roas(set, &n);
	CHECK_INT(n, sizeof(want) / sizeof(want[0]));
	CHECK_INT(roa_set_count(set), n);
	CHECK_INT(roa_set_count_v4(set), 7);
	CHECK_INT(roa_set_count_filtered(set), 0);
	for (size_t i = 0; i < n && i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR(fmt_roa(set, &r[i]), want[i]);
	CHECK(roa_set_slurm(set) == NULL);
	roa_set_free(set);
}

/* One malformed document -> exactly this error text. */
static void expect_err(const char *json, const char *want)
{
	char *err = NULL;
	struct roa_set *set = roa_parse(json, strlen(json), "roas.json", NULL, &err);

	CHECK_MSG(set == NULL, "accepted: %s", json);
	CHECK_STR(err, want);
	roa_set_free(set);
	free(err);
}

#define E1(fields) "{\"roas\":[{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}," fields "]}"

static void test_malformed(void)
{
	expect_err("", "roas.json: invalid JSON: line 1 column 1: unexpected end of input");
	expect_err("[]", "roas.json: not a JSON object");
	expect_err("{\"roas\": [}", "roas.json: invalid JSON: line 1 column 11: expected a value");
	expect_err("{\n\"roas\": []\n} x", "roas.json: invalid JSON: line 3 column 3: unexpected data after the JSON value");
	expect_err("{\"roa\": []}", "roas.json: root key \"roas\" not found");
	expect_err("{\"roas\": {}}", "roas.json: roas: must be an array");
	expect_err("{\"roas\": [], \"roas\": []}", "roas.json: roas: duplicate member");
	expect_err("{\"roas\": [1]}", "roas.json: roas[0]: must be an object");
	expect_err(E1("{\"asn\":\"ASx\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: invalid AS number \"ASx\"");
	expect_err(E1("{\"asn\":\"4294967296\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: invalid AS number \"4294967296\"");
	expect_err(E1("{\"asn\":-1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: invalid AS number -1");
	expect_err(E1("{\"asn\":1.5,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: invalid AS number 1.5");
	expect_err(E1("{\"asn\":true,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: must be a string or a number");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.999/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: invalid prefix \"192.0.2.999/24\": invalid IPv4 address");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.1/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: invalid prefix \"192.0.2.1/24\": host bits set beyond the prefix length");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/33\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: invalid prefix \"192.0.2.0/33\": invalid prefix length");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: invalid prefix \"192.0.2.0\": not a prefix (address/length)");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"2001:db8::g/32\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: invalid prefix \"2001:db8::g/32\": invalid IPv6 address");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":[],\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: must be a string");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":22,\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be between 24 and 32");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":33,\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be between 24 and 32");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"2001:db8::/32\",\"maxLength\":129,\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be between 32 and 128");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24.5,\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be an integer");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":\"xx\",\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be an integer, not \"xx\"");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":null,\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: must be an integer");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":7}"),
		   "roas.json: roas[1].ta: must be a string");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\\nb\"}"),
		   "roas.json: roas[1].ta: contains a control character");
	expect_err(E1("{\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: missing");
	expect_err(E1("{\"asn\":\"AS1\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].prefix: missing");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"ta\":\"x\"}"),
		   "roas.json: roas[1].maxLength: missing");
	expect_err(E1("{\"asn\":\"AS1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24}"),
		   "roas.json: roas[1].ta: missing");
	expect_err(E1("{\"asn\":\"AS1\",\"asn\":\"AS2\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"x\"}"),
		   "roas.json: roas[1].asn: duplicate member");
	/* JSON syntax inside strings */
	expect_err("{\"roas\": [], \"x\": \"\\q\"}", "roas.json: invalid JSON: line 1 column 20: invalid escape in a string");
	expect_err("{\"roas\": [], \"x\": \"\xff\"}", "roas.json: invalid JSON: line 1 column 20: invalid UTF-8 in a string");
	expect_err("{\"roas\": [], \"x\": \"\\ud800\"}", "roas.json: invalid JSON: line 1 column 20: unpaired surrogate in \\u escape");
	expect_err("{\"roas\": [], \"x\": [1,]}", "roas.json: invalid JSON: line 1 column 22: expected a value");
	expect_err("{\"roas\": [], \"x\": 01}", "roas.json: invalid JSON: line 1 column 20: expected ',' or '}'");
	expect_err("{\"roas\": [], \"x\": {\"a\" 1}}", "roas.json: invalid JSON: line 1 column 24: expected ':'");
	expect_err("{\"roas\": [], \"x\": [1}", "roas.json: invalid JSON: line 1 column 21: expected ',' or ']'");
	expect_err("{\"roas\": [], \"x\": tru}", "roas.json: invalid JSON: line 1 column 19: expected a value");
}

static void test_error_file(void)
{
	char *err = NULL;
	struct roa_set *set = load_file("roas-bad-entries.json", NULL, &err);

	CHECK(set == NULL);
	CHECK_STR(err,
		  "roas-bad-entries.json: roas[1].asn: invalid AS number \"ASx\"\n"
		  "roas-bad-entries.json: roas[2].prefix: invalid prefix \"192.0.2.999/24\": invalid IPv4 address\n"
		  "roas-bad-entries.json: roas[3].maxLength: must be between 24 and 32\n"
		  "roas-bad-entries.json: roas[4].asn: missing");
	free(err);
}

static void test_error_cap(void)
{
	char *doc = malloc(100000), *err = NULL, *p = doc;
	struct roa_set *set;

	p += sprintf(p, "{\"roas\":[");
	for (int i = 0; i < 30; i++)
		p += sprintf(p, "%s{\"asn\":\"AS1\",\"prefix\":\"10.0.0.0/8\",\"maxLength\":7,\"ta\":\"x\"}", i ? "," : "");
	sprintf(p, "]}");
	set = roa_parse(doc, strlen(doc), "big.json", NULL, &err);
	CHECK(set == NULL);
	CHECK(err != NULL && strstr(err, "big.json: roas[19].maxLength: must be between 8 and 32\n"
				       "big.json: ... and 10 more errors") != NULL);
	CHECK(err != NULL && strstr(err, "roas[20]") == NULL);
	free(err);
	free(doc);
}

static void test_asn_forms(void)
{
	const char *doc = "{\"roas\":["
		"{\"asn\":\"AS4294967295\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"t\"},"
		"{\"asn\":\"as1\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"t\"},"
		"{\"asn\":\"2\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"t\"},"
		"{\"asn\":3,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"t\"},"
		"{\"asn\":\"AS0\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"t\"}]}";
	char *err = NULL;
	struct roa_set *set = roa_parse(doc, strlen(doc), "t", NULL, &err);
	const struct roa *r;
	size_t n;

	CHECK(set != NULL);
	if (set == NULL)
		return;
	r = roa_set_roas(set, &n);
	CHECK_INT(n, 5);
	CHECK_INT(r[0].asn, 0);
	CHECK_INT(r[1].asn, 1);
	CHECK_INT(r[2].asn, 2);
	CHECK_INT(r[3].asn, 3);
	CHECK_INT(r[4].asn, 4294967295u);
	roa_set_free(set);
	/* and the empty set */
	set = roa_parse("{\"roas\":[]}", 11, "t", NULL, &err);
	CHECK(set != NULL && roa_set_count(set) == 0);
	roa_set_free(set);
}

static void test_json_roundtrip(void)
{
	char *err = NULL, *json, *json2;
	struct roa_set *set = load_file("roas-basic.json", NULL, &err), *set2;
	size_t len, len2, n, n2;
	const struct roa *a, *b;

	CHECK(set != NULL);
	if (set == NULL)
		return;
	json = roa_set_json(set, &len);
	{
		const char *head = "{\"roas\":[\n{\"asn\":\"AS0\",\"prefix\":\"10.0.0.0/8\",\"maxLength\":32,\"ta\":\"ripe\"},\n";
		CHECK(strncmp(json, head, strlen(head)) == 0);
	}
	CHECK(strstr(json, "\"prefix\":\"192.0.2.128/32\"") != NULL);
	set2 = roa_parse(json, len, "out.json", NULL, &err);
	CHECK(set2 != NULL);
	if (set2 != NULL) {
		a = roa_set_roas(set, &n);
		b = roa_set_roas(set2, &n2);
		CHECK_INT(n2, n);
		for (size_t i = 0; i < n && i < n2; i++) {
			CHECK(memcmp(&a[i].prefix, &b[i].prefix, sizeof(a[i].prefix)) == 0);
			CHECK(a[i].asn == b[i].asn && a[i].maxlen == b[i].maxlen);
			CHECK_STR(roa_set_ta(set2, b[i].ta), roa_set_ta(set, a[i].ta));
		}
		json2 = roa_set_json(set2, &len2);
		CHECK_STR(json2, json);
		free(json2);
	}
	free(json);
	roa_set_free(set2);
	roa_set_free(set);
	/* TA names with characters JSON escapes */
	set = roa_parse("{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\\\"b\\\\c\\u00e9\"}]}",
			strlen("{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\\\"b\\\\c\\u00e9\"}]}"),
			"t", NULL, &err);
	CHECK(set != NULL);
	if (set) {
		json = roa_set_json(set, &len);
		CHECK(strstr(json, "\"ta\":\"a\\\"b\\\\c\xc3\xa9\"}") != NULL);
		CHECK_STR(roa_set_ta(set, 0), "a\"b\\c\xc3\xa9");
		free(json);
		roa_set_free(set);
	}
}

static struct roa_set *parse_str(const char *doc)
{
	char *err = NULL;
	struct roa_set *set = roa_parse(doc, strlen(doc), "t", NULL, &err);

	if (set == NULL) {
		fprintf(stderr, "parse_str: %s\n", err);
		free(err);
		exit(1);
	}
	return set;
}

static void test_diff(void)
{
	struct roa_set *old = parse_str("{\"roas\":["
		"{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\"},"
		"{\"asn\":2,\"prefix\":\"198.51.100.0/24\",\"maxLength\":24,\"ta\":\"a\"},"
		"{\"asn\":3,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"b\"}]}");
	struct roa_set *new_set = parse_str("{\"roas\":["
		"{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\"},"
		"{\"asn\":2,\"prefix\":\"198.51.100.0/24\",\"maxLength\":25,\"ta\":\"a\"},"
		"{\"asn\":3,\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"c\"},"
		"{\"asn\":4,\"prefix\":\"203.0.113.0/24\",\"maxLength\":24,\"ta\":\"a\"}]}");
	struct roa_diff d;
	char pk[100];

	roa_diff(old, new_set, &d);
	CHECK_INT(d.nadded, 2);
	CHECK_INT(d.nremoved, 1);
	CHECK_INT(d.nretagged, 1);
	if (d.nadded == 2) {
		roa_pseudo_pk(&d.added[0], pk, sizeof(pk));
		CHECK_STR(pk, "198.51.100.0/24AS2/ML25");
		roa_pseudo_pk(&d.added[1], pk, sizeof(pk));
		CHECK_STR(pk, "203.0.113.0/24AS4/ML24");
	}
	if (d.nremoved == 1) {
		roa_pseudo_pk(&d.removed[0], pk, sizeof(pk));
		CHECK_STR(pk, "198.51.100.0/24AS2/ML24");
	}
	if (d.nretagged == 1)
		CHECK_STR(roa_set_ta(new_set, d.retagged[0].ta), "c");
	roa_diff_free(&d);

	roa_diff(NULL, new_set, &d);
	CHECK_INT(d.nadded, 4);
	CHECK_INT(d.nremoved + d.nretagged, 0);
	roa_diff_free(&d);
	roa_diff(new_set, new_set, &d);
	CHECK_INT(d.nadded + d.nremoved + d.nretagged, 0);
	roa_diff_free(&d);
	roa_diff_free(NULL);
	roa_set_free(old);
	roa_set_free(new_set);
}

/* ---- pseudo-IRR ---- */

static void test_pseudo_irr(void)
{
	struct roa_set *set = parse_str("{\"roas\":["
		"{\"asn\":\"64496\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":26,\"ta\":\"APNIC RPKI Root\"},"
		"{\"asn\":\"AS64497\",\"prefix\":\"2001:DB8::/32\",\"maxLength\":40,\"ta\":\"RIPE NCC RPKI Root\"},"
		"{\"asn\":64498,\"prefix\":\"192.0.2.1/32\",\"maxLength\":32,\"ta\":\"ta with trailing blanks  \"},"
		"{\"asn\":64499,\"prefix\":\"2001:db8:0:1::/64\",\"maxLength\":128,\"ta\":\"\"}]}");
	char *remarks = roa_pseudo_remarks(NULL), *custom;
	const struct roa *r;
	size_t n, len;
	char buf[1024], small[10], pk[100];

	r = roa_set_roas(set, &n);
	CHECK_INT(n, 4);
	len = roa_pseudo_render(set, &r[0], remarks, buf, sizeof(buf));
	CHECK_STR(buf,
		  "route:          192.0.2.0/24\n"
		  "descr:          RPKI ROA for 192.0.2.0/24 / AS64496\n"
		  "remarks:        This AS64496 route object represents routing data retrieved\n"
		  "                from the RPKI. This route object is the result of an automated\n"
		  "                RPKI-to-IRR conversion process performed by IRRd.\n"
		  "max-length:     26\n"
		  "origin:         AS64496\n"
		  "source:         RPKI  # Trust Anchor: APNIC RPKI Root\n");
	CHECK_INT(len, strlen(buf));
	roa_pseudo_pk(&r[0], pk, sizeof(pk));
	CHECK_STR(pk, "192.0.2.0/24AS64496/ML26");

	/* snprintf semantics */
	CHECK_INT(roa_pseudo_render(set, &r[0], remarks, small, sizeof(small)), len);
	CHECK_STR(small, "route:   ");
	CHECK_INT(roa_pseudo_render(set, &r[0], remarks, NULL, 0), len);

	roa_pseudo_render(set, &r[1], "x", buf, sizeof(buf));
	CHECK_STR(buf,
		  "route:          192.0.2.1\n"
		  "descr:          RPKI ROA for 192.0.2.1 / AS64498\n"
		  "remarks:        x\n"
		  "max-length:     32\n"
		  "origin:         AS64498\n"
		  "source:         RPKI  # Trust Anchor: ta with trailing blanks\n");
	roa_pseudo_pk(&r[1], pk, sizeof(pk));
	CHECK_STR(pk, "192.0.2.1AS64498/ML32");
	roa_pseudo_render(set, &r[2], "x", buf, sizeof(buf));
	CHECK_STR(buf,
		  "route6:         2001:db8::/32\n"
		  "descr:          RPKI ROA for 2001:db8::/32 / AS64497\n"
		  "remarks:        x\n"
		  "max-length:     40\n"
		  "origin:         AS64497\n"
		  "source:         RPKI  # Trust Anchor: RIPE NCC RPKI Root\n");
	roa_pseudo_render(set, &r[3], "x", buf, sizeof(buf));
	CHECK_STR(buf,
		  "route6:         2001:db8:0:1::/64\n"
		  "descr:          RPKI ROA for 2001:db8:0:1::/64 / AS64499\n"
		  "remarks:        x\n"
		  "max-length:     128\n"
		  "origin:         AS64499\n"
		  "source:         RPKI  # Trust Anchor:\n");

	/* a configured text: indentation, strip, {asn} {prefix} {{ }} */
	custom = roa_pseudo_remarks("\n  Generated for {prefix} of AS{asn}.\nSee {{docs}} {other}\n\n");
	CHECK_STR(custom, "Generated for {prefix} of AS{asn}.\n                See {{docs}} {other}");
	roa_pseudo_render(set, &r[0], custom, buf, sizeof(buf));
	CHECK(strstr(buf, "remarks:        Generated for 192.0.2.0/24 of AS64496.\n"
			  "                See {docs} {other}\nmax-length:") != NULL);
	free(custom);

	/* as an rpsl_object for the whois index */
	{
		struct roa_pseudo *ps = roa_pseudo_new(set, &r[2], remarks);
		char want[1024];

		CHECK(ps->obj->cls == RPSL_ROUTE6);
		CHECK_STR(ps->obj->pk, "2001:db8::/32AS64497/ML40");
		CHECK_STR(ps->obj->source, "RPKI");
		CHECK(ps->obj->has_origin && ps->obj->origin == 64497);
		CHECK(ps->obj->has_prefix && ps->obj->prefix.len == 32 && ps->obj->prefix.family == IP_AF6);
		CHECK_INT(ps->obj->msgs.nerrors, 0);
		roa_pseudo_render(set, &r[2], remarks, want, sizeof(want));
		CHECK_STR(ps->text, want);
		CHECK_INT(ps->len, strlen(want));
		roa_pseudo_free(ps);
		roa_pseudo_free(NULL);
		ps = roa_pseudo_new(set, &r[1], remarks);
		CHECK(ps->obj->cls == RPSL_ROUTE);
		CHECK_STR(ps->obj->pk, "192.0.2.1AS64498/ML32");
		CHECK(ps->obj->has_prefix && ps->obj->prefix.len == 32);
		CHECK(ps->obj->has_ip && ps->obj->ip_first.a[3] == 1 && ps->obj->ip_last.a[3] == 1);
		CHECK_INT(ps->obj->msgs.nerrors, 0);
		roa_pseudo_free(ps);
		ps = roa_pseudo_new(set, &r[0], remarks);
		CHECK(ps->obj->has_ip && ps->obj->ip_first.a[3] == 0 && ps->obj->ip_last.a[3] == 255 &&
		      ps->obj->ip_last.a[2] == 2 && ps->obj->ip_last.a[4] == 0);
		CHECK(ps->obj->has_asn && ps->obj->asn_first == 64496 && ps->obj->asn_last == 64496);
		CHECK(strstr(ps->text, "\nmax-length:     26\n") != NULL);
		roa_pseudo_free(ps);
	}
	free(remarks);
	roa_set_free(set);
}

/* ---- fetching ---- */

struct httpd {
	int fd;
	int port;
	pthread_t tid;
};

/* A tiny HTTP/1.0 server: GET /ok -> 200 with a ROA file, /missing -> 404,
 * /big -> 200 with 2 MB, /slow -> sleeps 3 s, /redirect -> 302 to /ok. */
static void *httpd_run(void *arg)
{
	struct httpd *h = arg;
	static const char body[] = "{\"roas\":[{\"asn\":\"AS64496\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"http\"}]}";

	for (;;) {
		char req[2048], hdr[512];
		ssize_t got;
		int c = accept(h->fd, NULL, NULL);

		if (c < 0)
			return NULL;
		got = read(c, req, sizeof(req) - 1);
		if (got <= 0) {
			close(c);
			continue;
		}
		req[got] = '\0';
		if (strncmp(req, "GET /quit", 9) == 0) {
			close(c);
			return NULL;
		}
		if (strncmp(req, "GET /ok ", 8) == 0) {
			int n = snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n", strlen(body));
			if (write(c, hdr, (size_t)n) < 0 || write(c, body, strlen(body)) < 0)
				perror("write");
		} else if (strncmp(req, "GET /redirect ", 14) == 0) {
			int n = snprintf(hdr, sizeof(hdr), "HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:%d/ok\r\nContent-Length: 0\r\n\r\n", h->port);
			if (write(c, hdr, (size_t)n) < 0)
				perror("write");
		} else if (strncmp(req, "GET /big ", 9) == 0) {
			static char chunk[65536];
			const char *hd = "HTTP/1.0 200 OK\r\n\r\n";
			memset(chunk, 'x', sizeof(chunk));
			if (write(c, hd, strlen(hd)) < 0)
				perror("write");
			for (int i = 0; i < 32; i++)
				if (write(c, chunk, sizeof(chunk)) < 0)
					break;
		} else if (strncmp(req, "GET /slow ", 10) == 0) {
			sleep(3);
		} else {
			const char *nf = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
			if (write(c, nf, strlen(nf)) < 0)
				perror("write");
		}
		close(c);
	}
}

static int httpd_start(struct httpd *h)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (h->fd < 0 || bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(h->fd, 8) < 0 ||
	    getsockname(h->fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	h->port = ntohs(sa.sin_port);
	return pthread_create(&h->tid, NULL, httpd_run, h);
}

static void test_fetch(void)
{
	char url[1200], cwd[900], *buf, *err;
	size_t len;
	struct httpd h;
	struct roa_set *set;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		exit(1);
	if (test_data_dir()[0] == '/')
		snprintf(url, sizeof(url), "file://%s", data_path("roas-basic.json"));
	else
		snprintf(url, sizeof(url), "file://%s/%s", cwd, data_path("roas-basic.json"));
	CHECK_INT(roa_fetch(url, 1 << 20, 10, &buf, &len, &err), 0);
	CHECK(buf != NULL && len > 100 && buf[len] == '\0' && strncmp(buf, "{\n  \"metadata\"", 14) == 0);
	free(buf);
	/* the size cap */
	CHECK_INT(roa_fetch(url, 100, 10, &buf, &len, &err), -1);
	CHECK(buf == NULL);
	CHECK(err != NULL && strstr(err, ": larger than the limit of 100 bytes") != NULL && strncmp(err, url, strlen(url)) == 0);
	free(err);
	/* load through roa_load with a SLURM file */
	{
		char surl[1200];
		snprintf(surl, sizeof(surl), "%.*sslurm-full.json", (int)(strlen(url) - strlen("roas-basic.json")), url);
		set = roa_load(url, surl, 10, &err);
		CHECK(set != NULL && roa_set_slurm(set) != NULL && roa_set_count_filtered(set) > 0);
		roa_set_free(set);
		snprintf(surl, sizeof(surl), "%.*sslurm-v2.json", (int)(strlen(url) - strlen("roas-basic.json")), url);
		set = roa_load(url, surl, 10, &err);
		CHECK(set == NULL);
		CHECK(err != NULL && strstr(err, "slurm-v2.json: slurmVersion: SLURM data has invalid version: 2") != NULL);
		free(err);
	}
	CHECK_INT(roa_fetch("file:///nonexistent/roas.json", 1 << 20, 10, &buf, &len, &err), -1);
	CHECK(err != NULL && strncmp(err, "file:///nonexistent/roas.json: ", 31) == 0);
	free(err);
	set = roa_load("file:///nonexistent/roas.json", NULL, 10, &err);
	CHECK(set == NULL && err != NULL);
	free(err);
	CHECK_INT(roa_fetch("ftp://example.net/roas.json", 1 << 20, 10, &buf, &len, &err), -1);
	CHECK_STR(err, "ftp://example.net/roas.json: unsupported URL (file://, http:// or https:// expected)");
	free(err);
	CHECK_INT(roa_fetch("/etc/hostname", 1 << 20, 10, &buf, &len, &err), -1);
	free(err);

	if (httpd_start(&h) != 0) {
		CHECK_MSG(0, "cannot start the HTTP server");
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", h.port);
	set = roa_load(url, NULL, 10, &err);
	CHECK(set != NULL && roa_set_count(set) == 1);
	if (set)
		CHECK_STR(roa_set_ta(set, 0), "http");
	roa_set_free(set);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/redirect", h.port);
	CHECK_INT(roa_fetch(url, 1 << 20, 10, &buf, &len, &err), 0);
	CHECK(len > 10 && strncmp(buf, "{\"roas\"", 7) == 0);
	free(buf);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/missing", h.port);
	CHECK_INT(roa_fetch(url, 1 << 20, 10, &buf, &len, &err), -1);
	{
		char want[1300];
		snprintf(want, sizeof(want), "%s: HTTP status 404", url);
		CHECK_STR(err, want);
	}
	free(err);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", h.port);
	CHECK_INT(roa_fetch(url, 1 << 20, 10, &buf, &len, &err), -1);
	CHECK(err != NULL && strstr(err, "larger than the limit of 1048576 bytes") != NULL);
	free(err);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/slow", h.port);
	CHECK_INT(roa_fetch(url, 1 << 20, 1, &buf, &len, &err), -1);
	CHECK(err != NULL && strstr(err, "timed out") != NULL);
	if (err)
		fprintf(stderr, "(timeout message: %s)\n", err);
	free(err);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/quit", h.port);
	if (roa_fetch(url, 1 << 20, 10, &buf, &len, &err) < 0)
		free(err);
	else
		free(buf);
	pthread_join(h.tid, NULL);
	close(h.fd);
}

int main(void)
{
	TEST_RUN(test_parse_basic);
	TEST_RUN(test_malformed);
	TEST_RUN(test_error_file);
	TEST_RUN(test_error_cap);
	TEST_RUN(test_asn_forms);
	TEST_RUN(test_json_roundtrip);
	TEST_RUN(test_diff);
	TEST_RUN(test_pseudo_irr);
	TEST_RUN(test_fetch);
	return test_summary("rpki_roa");
}
