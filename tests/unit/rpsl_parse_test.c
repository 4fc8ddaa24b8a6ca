/*
 * rpsl_parse_test.c - the RPSL object model against IRRd 4.5's behaviour:
 * every class from tests/data/rpsl/valid (class, primary key, source,
 * infos, rendered text, round trip), the malformed objects of
 * tests/data/rpsl/malformed with IRRd's error texts in both modes, the
 * field validators with the cases of IRRd's test_fields.py, templates and
 * the class metadata calls. Uses only tests/data (TEST_DATA_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "rpsl/rpsl_int.h"
#include "tests/unit/testlib.h"

static char *read_data(const char *rel, size_t *len)
{
	char path[1024];
	char *buf;

	snprintf(path, sizeof(path), "%s/rpsl/%s", test_data_dir(), rel);
	buf = test_slurp(path, len);
	if (buf == NULL)
		fprintf(stderr, "FAIL: cannot read %s\n", path);
	return buf;
}

static struct rpsl_object *parse_str(const char *text, enum rpsl_mode mode)
{
	return rpsl_parse(text, strlen(text), mode, NULL);
}

/* All messages of one kind joined with '|'. */
static char *joined(char **msgs, size_t n)
{
	size_t len = 1, i;
	char *out;

	for (i = 0; i < n; i++)
		len += strlen(msgs[i]) + 1;
	out = xmalloc(len);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, "|");
		strcat(out, msgs[i]);
	}
	return out;
}

#define CHECK_ERRORS(obj, want) do { \
	char *j_ = joined((obj)->msgs.errors, (obj)->msgs.nerrors); \
	CHECK_STR(j_, want); \
	free(j_); \
} while (0)

#define CHECK_INFOS(obj, want) do { \
	char *j_ = joined((obj)->msgs.infos, (obj)->msgs.ninfos); \
	CHECK_STR(j_, want); \
	free(j_); \
} while (0)

static char *values_joined(const struct rpsl_object *obj, const char *attr)
{
	struct rpsl_values v = rpsl_get(obj, attr);
	return joined((char **)v.v, v.n);
}

#define CHECK_VALUES(obj, attr, want) do { \
	char *j_ = values_joined(obj, attr); \
	CHECK_STR(j_, want); \
	free(j_); \
} while (0)

/* Apply "from" -> "to" replacements (first occurrence each) to text. */
static char *apply(const char *text, const char *const *repl)
{
	char *cur = xstrdup(text);

	for (size_t i = 0; repl && repl[i]; i += 2) {
		char *at = strstr(cur, repl[i]);
		char *next;

		if (at == NULL) {
			fprintf(stderr, "FAIL: replacement source [%s] not found\n", repl[i]);
			test_failed++;
			continue;
		}
		next = xasprintf("%.*s%s%s", (int)(at - cur), cur, repl[i + 1], at + strlen(repl[i]));
		free(cur);
		cur = next;
	}
	return cur;
}

/* ---------------------------------------------------------------- valid objects */

struct valid_case {
	const char *file;
	enum rpsl_class cls;
	const char *pk;
	const char *source;
	const char *infos;		/* joined with '|' */
	const char *repl[12];		/* from, to, ..., NULL: the rendered text */
};

static const struct valid_case valid_cases[] = {
	{ "as-block.txt", RPSL_AS_BLOCK, "AS64496 - AS64511", "EXAMPLE",
	  "AS range AS64496 - as064511 was reformatted as AS64496 - AS64511",
	  { "as064511", "AS64511", NULL } },
	{ "as-set.txt", RPSL_AS_SET, "AS64500:AS-CUSTOMERS", "EXAMPLE", "",
	  { "AS64501, AS64502", "AS64501,AS64502", "as064503", "AS64503", NULL } },
	{ "aut-num.txt", RPSL_AUT_NUM, "AS64500", "EXAMPLE", "AS number as064500 was reformatted as AS64500",
	  { "as064500", "AS64500", "\t        third", "\t               third", NULL } },
	{ "domain.txt", RPSL_DOMAIN, "113.0.203.IN-ADDR.ARPA", "EXAMPLE", "", { NULL } },
	{ "filter-set.txt", RPSL_FILTER_SET, "FLTR-MARTIANS", "EXAMPLE", "", { "\n\t\n", "\n+               \n", NULL } },
	{ "inet-rtr.txt", RPSL_INET_RTR, "ROUTER1.EXAMPLE.NET", "EXAMPLE", "", { NULL } },
	{ "inet6num.txt", RPSL_INET6NUM, "2001:DB8:1000::/36", "EXAMPLE",
	  "Address prefix 2001:DB8:1000::/36 was reformatted as 2001:db8:1000::/36",
	  { "2001:DB8:1000::/36", "2001:db8:1000::/36", NULL } },
	{ "inetnum.txt", RPSL_INETNUM, "198.51.100.0 - 198.51.100.255", "EXAMPLE",
	  "Address range 198.51.100.0 - 198.051.100.255 was reformatted as 198.51.100.0 - 198.51.100.255",
	  { "198.051.100.255", "198.51.100.255", NULL } },
	{ "irt.txt", RPSL_IRT, "IRT-EXAMPLE", "EXAMPLE", "", { NULL } },
	{ "key-cert.txt", RPSL_KEY_CERT, "PGPKEY-75B2DC4D", "EXAMPLE", "",
	  { "method:         X509\nowner:          Somebody Else\nfingerpr:       0000\n",
	    "method:         PGP\nowner:          Example Hostmaster <hostmaster@example.net>\n"
	    "owner:          Example Operator <noc@example.net>\n"
	    "fingerpr:       DBC7 03D4 4025 4771 B4F7  EF2E 0E17 589E 75B2 DC4D\n",
	    "\n+\n", "\n+               \n", NULL } },
	{ "mntner.txt", RPSL_MNTNER, "EXAMPLE-MNT", "EXAMPLE", "", { "EXAMPLE-MNT, OTHER-MNT", "EXAMPLE-MNT,OTHER-MNT", NULL } },
	{ "organisation.txt", RPSL_ORGANISATION, "ORG-EXAMPLE", "EXAMPLE", "", { NULL } },
	{ "peering-set.txt", RPSL_PEERING_SET, "PRNG-EXAMPLE", "EXAMPLE", "", { NULL } },
	{ "person.txt", RPSL_PERSON, "HM1-EXAMPLE", "EXAMPLE", "", { NULL } },
	{ "role.txt", RPSL_ROLE, "NOC1-EXAMPLE", "EXAMPLE", "", { NULL } },
	{ "route.txt", RPSL_ROUTE, "203.0.113.0/24AS64500", "EXAMPLE",
	  "Address prefix 203.0.113.00/24 was reformatted as 203.0.113.0/24|"
	  "Address prefix 203.0.113.064/26 was reformatted as 203.0.113.64/26",
	  { "route:          203.0.113.00/24", "route:          203.0.113.0/24", "as64500", "AS64500",
	    "203.0.113.128/25, 203.0.113.064/26", "203.0.113.128/25,203.0.113.64/26",
	    "rpki-ov-state:  valid  # dropped\n", "", NULL } },
	{ "route-set.txt", RPSL_ROUTE_SET, "AS64500:RS-EXAMPLE", "EXAMPLE",
	  "Route set member AS065501^32 was reformatted as AS65501^32|"
	  "Route set member 2001:0DB8::/32^- was reformatted as 2001:db8::/32^-",
	  { "198.51.100.0/24^+, 203.0.113.0/24^24-25", "198.51.100.0/24^+,203.0.113.0/24^24-25",
	    "AS64500:RS-OTHER, AS065501^32", "AS64500:RS-OTHER,AS65501^32", "2001:0DB8::/32^-", "2001:db8::/32^-",
	    NULL } },
	{ "route6.txt", RPSL_ROUTE6, "2001:DB8::/32AS64500", "EXAMPLE",
	  "Address prefix 2001:DB8::/32 was reformatted as 2001:db8::/32",
	  { "2001:DB8::/32", "2001:db8::/32", "rpki-ov-state:  not_found\n", "", NULL } },
	{ "rtr-set.txt", RPSL_RTR_SET, "RTRS-BORDER", "EXAMPLE", "",
	  { "router1.example.net, RTRS-CORE", "router1.example.net,RTRS-CORE", NULL } },
};

static void test_valid_objects(void)
{
	bool seen[RPSL_CLASS_COUNT] = { false };

	for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		const struct valid_case *vc = &valid_cases[i];
		char rel[256];
		size_t len, rlen, r2len;
		char *text, *want, *rendered, *rendered2;
		struct rpsl_object *obj, *again, *ns;

		snprintf(rel, sizeof(rel), "valid/%s", vc->file);
		text = read_data(rel, &len);
		CHECK(text != NULL);
		if (text == NULL)
			continue;
		test_current = vc->file;
		obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
		CHECK_INT(obj->cls, vc->cls);
		seen[vc->cls] = true;
		CHECK_ERRORS(obj, "");
		CHECK_INFOS(obj, vc->infos);
		CHECK_STR(obj->pk, vc->pk);
		CHECK_STR(obj->source, vc->source);
		want = apply(text, vc->repl);
		rendered = rpsl_render(obj, &rlen);
		CHECK_STR(rendered, want);
		CHECK_INT(rlen, strlen(rendered));

		/* round trip: parse -> render -> parse gives the same render */
		again = rpsl_parse(rendered, rlen, RPSL_STRICT, NULL);
		CHECK_ERRORS(again, "");
		CHECK_INFOS(again, "");
		CHECK_STR(again->pk, vc->pk);
		rendered2 = rpsl_render(again, &r2len);
		CHECK_STR(rendered2, rendered);

		/* non-strict mode accepts every valid object with the same key */
		ns = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);
		CHECK_ERRORS(ns, "");
		CHECK_STR(ns->pk, vc->pk);

		free(rendered2);
		free(rendered);
		free(want);
		free(text);
		rpsl_object_free(again);
		rpsl_object_free(ns);
		rpsl_object_free(obj);
	}
	test_current = "test_valid_objects";
	for (int c = 0; c < RPSL_CLASS_COUNT; c++)
		CHECK_MSG(seen[c], "class %s has no valid test object", rpsl_class_name((enum rpsl_class)c));
}

/* Resources and parsed values of the valid objects. */
static void test_metadata(void)
{
	size_t len;
	char *text;
	struct rpsl_object *obj;
	char buf[IP_PREFIX_STRLEN];

	text = read_data("valid/route.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK(obj->has_prefix && obj->has_ip && obj->has_origin && obj->has_asn);
	CHECK_STR(ip_prefix_format(&obj->prefix, buf, sizeof(buf)), "203.0.113.0/24");
	CHECK_STR(ip_addr_format(&obj->ip_first, buf, sizeof(buf)), "203.0.113.0");
	CHECK_STR(ip_addr_format(&obj->ip_last, buf, sizeof(buf)), "203.0.113.255");
	CHECK_INT(obj->origin, 64500);
	CHECK_INT(obj->asn_first, 64500);
	CHECK_INT(obj->asn_last, 64500);
	CHECK_VALUES(obj, "route", "203.0.113.0/24");
	CHECK_VALUES(obj, "origin", "AS64500");
	CHECK_VALUES(obj, "holes", "203.0.113.128/25|203.0.113.64/26");
	CHECK_VALUES(obj, "member-of", "RS-EXAMPLE");
	CHECK_VALUES(obj, "descr", "the route key loses its extra zero,this copy does not: 203.0.113.00/24");
	CHECK_VALUES(obj, "source", "EXAMPLE");
	CHECK_VALUES(obj, "rpki-ov-state", "");
	CHECK_VALUES(obj, "remarks", "");
	CHECK_VALUES(obj, "no-such-attribute", "");
	CHECK_STR(rpsl_get_first(obj, "mnt-by"), "EXAMPLE-MNT");
	CHECK(rpsl_get_first(obj, "remarks") == NULL);
	CHECK_INT(obj->nattrs, 7);
	CHECK_STR(obj->attrs[0].name, "route");
	CHECK_STR(obj->attrs[1].value, "the route key loses its extra zero,\nthis copy does not: 203.0.113.00/24");
	CHECK_STR(obj->attrs[1].cont, "+");
	CHECK_STR(obj->attrs[6].value, "EXAMPLE # comment");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/route6.txt", &len);
	obj = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);
	CHECK_STR(ip_prefix_format(&obj->prefix, buf, sizeof(buf)), "2001:db8::/32");
	CHECK_STR(ip_addr_format(&obj->ip_last, buf, sizeof(buf)), "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	CHECK_VALUES(obj, "route6", "2001:db8::/32");	/* IRRd keeps the case of prefixes */
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/inetnum.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK(obj->has_ip && !obj->has_asn && !obj->has_origin);
	CHECK_STR(ip_addr_format(&obj->ip_first, buf, sizeof(buf)), "198.51.100.0");
	CHECK_STR(ip_addr_format(&obj->ip_last, buf, sizeof(buf)), "198.51.100.255");
	CHECK(obj->has_prefix);
	CHECK_STR(ip_prefix_format(&obj->prefix, buf, sizeof(buf)), "198.51.100.0/24");
	CHECK_VALUES(obj, "mnt-by", "EXAMPLE-MNT");
	CHECK_VALUES(obj, "geofeed", "");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/as-block.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK(obj->has_asn && !obj->has_ip);
	CHECK_INT(obj->asn_first, 64496);
	CHECK_INT(obj->asn_last, 64511);
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/aut-num.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK(obj->has_asn && !obj->has_origin);
	CHECK_INT(obj->asn_first, 64500);
	CHECK_INT(obj->asn_last, 64500);
	CHECK_VALUES(obj, "member-of", "AS-TRANSIT");
	CHECK_STR(obj->attrs[2].cont, "+\t");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/as-set.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK_VALUES(obj, "members", "AS64501|AS64502|AS64503|AS-PEERS");
	CHECK_VALUES(obj, "mbrs-by-ref", "ANY");
	CHECK_VALUES(obj, "admin-c", "HM1-EXAMPLE");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/route-set.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK_VALUES(obj, "members", "198.51.100.0/24^+|203.0.113.0/24^24-25|AS64500:RS-OTHER|AS65501^32");
	CHECK_VALUES(obj, "mp-members", "2001:db8::/32^-|192.0.2.0/24^26");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/mntner.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK_VALUES(obj, "auth", "MD5-pw $1$abcdefgh$0123456789abcdefghijkl|"
		     "BCRYPT-PW $2b$12$abcdefghijklmnopqrstuu0123456789abcdefghijklmnopqrstu|PGPKey-75B2DC4D");
	CHECK_VALUES(obj, "mnt-by", "EXAMPLE-MNT|OTHER-MNT");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/person.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK_VALUES(obj, "person", "Example Hostmaster");
	CHECK_VALUES(obj, "nic-hdl", "HM1-EXAMPLE");
	CHECK_VALUES(obj, "address", "Example Street 1|Amsterdam");
	rpsl_object_free(obj);
	free(text);

	text = read_data("valid/key-cert.txt", &len);
	obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
	CHECK_VALUES(obj, "owner", "Example Hostmaster <hostmaster@example.net>|Example Operator <noc@example.net>");
	CHECK_VALUES(obj, "fingerpr", "DBC7 03D4 4025 4771 B4F7  EF2E 0E17 589E 75B2 DC4D");
	CHECK_VALUES(obj, "method", "PGP");
	rpsl_object_free(obj);
	/* non-strict mode leaves a key-cert as it is (no key import) */
	obj = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);
	CHECK_VALUES(obj, "method", "X509");
	CHECK_VALUES(obj, "fingerpr", "0000");
	rpsl_object_free(obj);
	free(text);
}

/* ---------------------------------------------------------------- malformed objects */

struct bad_case {
	const char *file;
	const char *strict_errors;
	const char *nonstrict_errors;
};

static const struct bad_case bad_cases[] = {
	{ "unknown-class.txt", "unknown object class: routing", "unknown object class: routing" },
	{ "empty-line.txt", "Line 3: encountered empty line in the middle of object: []",
	  "Line 3: encountered empty line in the middle of object: []" },
	{ "neither-line.txt", "Line 3: line is neither continuation nor valid attribute [oops]",
	  "Line 3: line is neither continuation nor valid attribute [oops]" },
	{ "bad-attr-name.txt", "Line 3: encountered malformed attribute name: [mnt by]",
	  "Line 3: encountered malformed attribute name: [mnt by]" },
	{ "missing-mandatory.txt", "Mandatory attribute \"mnt-by\" on object route is missing", "" },
	{ "unknown-attr.txt", "Unrecognised attribute max-length on object route", "" },
	{ "duplicate-attr.txt", "Attribute \"origin\" on object route occurs multiple times, but is only allowed once", "" },
	{ "bad-pk.txt", "Invalid address prefix: 192.0.2.0/16: invalid prefix length (16)",
	  "Invalid address prefix: 192.0.2.0/16: invalid prefix length (16)" },
	{ "bad-source.txt",
	  "Invalid name: EXAMPLE$: contains invalid characters, does not start with a letter, or does not end in a letter/digit",
	  "Invalid name: EXAMPLE$: contains invalid characters, does not start with a letter, or does not end in a letter/digit" },
	{ "missing-source.txt", "Mandatory attribute \"source\" on object route is missing",
	  "Primary key attribute \"source\" on object route is missing" },
	{ "route6-ipv4.txt", "Invalid address prefix: 192.0.2.0/24", "Invalid address prefix: 192.0.2.0/24" },
	{ "route-ipv6.txt", "Invalid address prefix: 2001:db8::/32", "Invalid address prefix: 2001:db8::/32" },
	{ "mntner-dummy.txt", "Either all password auth hashes in a submitted mntner must be dummy objects, or none.", "" },
	{ "mntner-crypt.txt",
	  "Invalid auth attribute: CRYPT-PW aBcDeFgHiJkLm: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	  "IRRD-INTERNAL-AUTH for migrated objects", "" },
	{ "as-set-name.txt",
	  "Invalid set AS-CUSTOMERS:RS-FOO: component RS-FOO is not a valid AS number, nor does it start with AS-", "" },
	{ "key-cert-name.txt",
	  "Invalid object name PGPKEY-0000ABCD: does not match key fingerprint DBC7 03D4 4025 4771 B4F7  EF2E 0E17 "
	  "589E 75B2 DC4D, expected object name PGPKEY-75B2DC4D", "" },
	{ "key-cert-corrupt.txt", "Unable to read public PGP key: key corrupt or multiple keys provided", "" },
};

static void test_malformed_objects(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		char rel[256];
		size_t len;
		char *text;
		struct rpsl_object *obj;

		snprintf(rel, sizeof(rel), "malformed/%s", bc->file);
		text = read_data(rel, &len);
		CHECK(text != NULL);
		if (text == NULL)
			continue;
		test_current = bc->file;
		obj = rpsl_parse(text, len, RPSL_STRICT, NULL);
		CHECK(!rpsl_object_valid(obj));
		CHECK_ERRORS(obj, bc->strict_errors);
		rpsl_object_free(obj);
		obj = rpsl_parse(text, len, RPSL_NONSTRICT, NULL);
		CHECK_ERRORS(obj, bc->nonstrict_errors);
		rpsl_object_free(obj);
		free(text);
	}
	test_current = "test_malformed_objects";
}

/* ---------------------------------------------------------------- object-level behaviour */

#define ROUTE_TEXT "route:          192.0.2.0/24\norigin:         AS65537\nmnt-by:         TEST-MNT\n" \
		   "source:         TEST\n"

static void test_object_rules(void)
{
	struct rpsl_object *obj;
	char *txt;

	/* unknown class: IRRd matches the class name case-sensitively */
	obj = parse_str("ROUTE: 192.0.2.0/24\norigin: AS1\nsource: TEST", RPSL_NONSTRICT);
	CHECK_INT(obj->cls, RPSL_CLASS_UNKNOWN);
	CHECK_ERRORS(obj, "unknown object class: ROUTE");
	CHECK_STR(obj->pk, "");
	CHECK(obj->source == NULL);
	rpsl_object_free(obj);
	obj = parse_str("", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "unknown object class: ");
	rpsl_object_free(obj);
	obj = parse_str("no colon at all", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "unknown object class: no colon at all");
	rpsl_object_free(obj);

	/* attribute names are lower-cased; values stripped; text around ignored */
	obj = parse_str("\n\n  route:  192.0.2.0/24  \nORIGIN:AS65537\nMnt-By: TEST-MNT\nsource:TEST\n\n", RPSL_STRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "192.0.2.0/24AS65537");
	CHECK_STR(obj->attrs[1].name, "origin");
	CHECK_STR(obj->attrs[0].value, "192.0.2.0/24");
	txt = rpsl_render(obj, NULL);
	CHECK_STR(txt, ROUTE_TEXT);
	free(txt);
	rpsl_object_free(obj);

	/* non-strict: only primary key attributes (and source) must be present */
	obj = parse_str("route: 192.0.2.0/24", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "Primary key attribute \"origin\" on object route is missing|"
		     "Primary key attribute \"source\" on object route is missing");
	rpsl_object_free(obj);
	obj = rpsl_parse("route: 192.0.2.0/24\norigin: AS1", 31, RPSL_NONSTRICT, " test ");
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->source, "TEST");
	CHECK_VALUES(obj, "source", "TEST");
	CHECK_STR(obj->pk, "192.0.2.0/24AS1");
	rpsl_object_free(obj);
	/* an explicit source wins over the default */
	obj = rpsl_parse(ROUTE_TEXT, strlen(ROUTE_TEXT), RPSL_NONSTRICT, "OTHER");
	CHECK_STR(obj->source, "TEST");
	rpsl_object_free(obj);
	/* strict mode still requires source */
	obj = rpsl_parse("route: 192.0.2.0/24\norigin: AS1\nmnt-by: A-MNT", 45, RPSL_STRICT, "TEST");
	CHECK_ERRORS(obj, "Mandatory attribute \"source\" on object route is missing");
	rpsl_object_free(obj);

	/* non-strict: invalid non-key attributes are accepted silently, keys are not */
	obj = parse_str(ROUTE_TEXT "notify: not-an-email\nchanged: x@example.com 20191399\nfoo: bar\n", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	rpsl_object_free(obj);
	obj = parse_str(ROUTE_TEXT "notify: not-an-email\nchanged: x@example.com 20190230\nfoo: bar\n", RPSL_STRICT);
	CHECK_ERRORS(obj, "Unrecognised attribute foo on object route|Invalid e-mail address: not-an-email|"
		     "Invalid changed date: 20190230: day is out of range for month");
	rpsl_object_free(obj);
	obj = parse_str(ROUTE_TEXT "member-of: RS-FOO BAR\n", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "Invalid set RS-FOO BAR: component RS-FOO BAR is not a valid AS number nor a valid set name");
	rpsl_object_free(obj);

	/* unknown attributes: every one reported, repeated ones twice */
	obj = parse_str(ROUTE_TEXT "foo: 1\nfoo: 2\nlast-modified: 2020-01-01T00:00:00Z\nlast-modified: x\n", RPSL_STRICT);
	CHECK_ERRORS(obj, "Unrecognised attribute foo on object route|"
		     "Attribute \"foo\" on object route occurs multiple times, but is only allowed once");
	rpsl_object_free(obj);

	/* rpki-ov-state is dropped on route/route6 only */
	obj = parse_str(ROUTE_TEXT "rpki-ov-state: valid\n", RPSL_STRICT);
	CHECK_ERRORS(obj, "");
	CHECK_INT(obj->nattrs, 4);
	rpsl_object_free(obj);
	obj = parse_str("as-set: AS-FOO\nmnt-by: A-MNT\nsource: TEST\nrpki-ov-state: valid\n", RPSL_STRICT);
	CHECK_ERRORS(obj, "Unrecognised attribute rpki-ov-state on object as-set");
	rpsl_object_free(obj);

	/* IRRd #297: two objects without a blank line between them */
	obj = parse_str(ROUTE_TEXT "rpki-ov-state: valid\n \n" ROUTE_TEXT, RPSL_STRICT);
	CHECK_ERRORS(obj, "Attribute \"route\" on object route occurs multiple times, but is only allowed once|"
		     "Attribute \"origin\" on object route occurs multiple times, but is only allowed once|"
		     "Attribute \"source\" on object route occurs multiple times, but is only allowed once");
	rpsl_object_free(obj);

	/* continuation lines: ' ', '+' and tab; whitespace after them dropped;
	 * empty continuation lines render with '+' */
	obj = parse_str("route: 192.0.2.0/24\ndescr: a\n   b\n+  c\n\t\td\n+\n \t\n\t e\norigin: AS1\n", RPSL_NONSTRICT);
	CHECK_STR(obj->attrs[1].value, "a\nb\nc\nd\n\n\ne");
	CHECK_STR(obj->attrs[1].cont, " +\t+ \t");
	txt = rpsl_render(obj, NULL);
	CHECK_STR(txt, "route:          192.0.2.0/24\ndescr:          a\n                b\n+               c\n"
		       "\t               d\n+               \n+               \n\t               e\n"
		       "origin:         AS1\n");
	free(txt);
	CHECK_VALUES(obj, "descr", "a,b,c,d,e");
	rpsl_object_free(obj);

	/* a continued key: comments and separators inside are dropped */
	obj = parse_str("inetnum: 192.0.2.0 # first\n+ - # dash\n+192.0.2.255 # last\n+ # nothing\nnetname: N\n"
			"source: TEST", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "192.0.2.0 - 192.0.2.255");
	CHECK_INFOS(obj, "Address range 192.0.2.0-192.0.2.255 was reformatted as 192.0.2.0 - 192.0.2.255");
	rpsl_object_free(obj);

	/* CR line ends are removed; a line of only CR is an empty line */
	obj = parse_str("route: 192.0.2.0/24\r\norigin: AS1\r\nsource: TEST\r\n", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->source, "TEST");
	rpsl_object_free(obj);
	obj = parse_str("route: 192.0.2.0/24\r\n\r\norigin: AS1\r\nsource: TEST\r\n", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "Line 2: encountered empty line in the middle of object: []");
	rpsl_object_free(obj);

	/* empty values render without padding */
	obj = parse_str("route: 192.0.2.0/24\nremarks:\norigin: AS1\nsource: TEST", RPSL_NONSTRICT);
	txt = rpsl_render(obj, NULL);
	CHECK_STR(txt, "route:          192.0.2.0/24\nremarks:\norigin:         AS1\nsource:         TEST\n");
	free(txt);
	rpsl_object_free(obj);

	/* invalid UTF-8 and NUL bytes become \xNN, as the dump reader does */
	obj = rpsl_parse("route: 192.0.2.0/24\ndescr: a\xff" "b\x00" "c\norigin: AS1\nsource: TEST", 57, RPSL_NONSTRICT,
			 NULL);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->attrs[1].value, "a\\xffb\\x00c");
	rpsl_object_free(obj);

	/* non-printable characters are removed from text attributes */
	obj = parse_str("route: 192.0.2.0/24\ndescr: a\x07" "b\xe2\x80\x8b" "c\xc2\xa0" "d\norigin: AS1\nsource: TEST",
			RPSL_NONSTRICT);
	CHECK_STR(obj->attrs[1].value, "abcd");
	rpsl_object_free(obj);

	/* duplicate single-valued keys in non-strict mode: the last one counts */
	obj = parse_str("route: 192.0.2.0/24\norigin: AS1\norigin: AS2\nsource: TEST", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "192.0.2.0/24AS2");
	CHECK_INT(obj->origin, 2);
	rpsl_object_free(obj);

	/* non-strict set names need no AS-/RS- component */
	obj = parse_str("as-set: AS1:AS2\nsource: TEST", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "AS1:AS2");
	rpsl_object_free(obj);
	obj = parse_str("as-set: AS1:AS2\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	CHECK_ERRORS(obj, "Invalid set name AS1:AS2: at least one component must be an actual set name "
		     "(i.e. start with AS-)");
	rpsl_object_free(obj);

	/* nic-hdl: anything goes in non-strict mode (IRRd #60) */
	obj = parse_str("person: A B\nnic-hdl: FOO BAR\nsource: TEST", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "FOO BAR");
	rpsl_object_free(obj);

	/* the prefix length extremes (IRRd #1014) */
	obj = parse_str("route: 0.0.0.0/0\norigin: AS0\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "0.0.0.0/0AS0");
	CHECK_INT(obj->prefix.len, 0);
	CHECK_INT(obj->origin, 0);
	rpsl_object_free(obj);
	obj = parse_str("route: 0.0.0.0/32\norigin: AS0\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	CHECK_ERRORS(obj, "");
	CHECK_STR(obj->pk, "0.0.0.0/32AS0");
	rpsl_object_free(obj);

	/* mntner auth in strict mode with crypt-pw enabled */
	{
		struct rpsl_options o = rpsl_options_default;
		const char *m = "mntner: A-MNT\nadmin-c: X1-TEST\nupd-to: a@example.com\nauth: CRYPT-PW LEuuhsBJNFV0Q\n"
				"mnt-by: A-MNT\nsource: TEST";

		o.hashers[RPSL_HASHER_CRYPT_PW] = RPSL_HASHER_ENABLED;
		obj = rpsl_parse_ex(m, strlen(m), RPSL_STRICT, NULL, &o);
		CHECK_ERRORS(obj, "");
		rpsl_object_free(obj);
		o.hashers[RPSL_HASHER_CRYPT_PW] = RPSL_HASHER_DISABLED;
		obj = rpsl_parse_ex(m, strlen(m), RPSL_NONSTRICT, NULL, &o);
		CHECK_ERRORS(obj, "");	/* not a key: errors discarded */
		rpsl_object_free(obj);
		obj = rpsl_parse_ex(m, strlen(m), RPSL_STRICT, NULL, &o);
		CHECK_ERRORS(obj, "Invalid auth attribute: CRYPT-PW LEuuhsBJNFV0Q: supported options are MD5-PW, "
			     "BCRYPT-PW, PGPKEY-xxxxxxxx and IRRD-INTERNAL-AUTH for migrated objects");
		rpsl_object_free(obj);
	}
	/* all dummy hashes are fine */
	obj = parse_str("mntner: A-MNT\nadmin-c: X1-TEST\nupd-to: a@example.com\nauth: MD5-PW DummyValue\n"
			"auth: BCRYPT-PW DummyValue\nauth: PGPKEY-12345678\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	CHECK_ERRORS(obj, "");
	rpsl_object_free(obj);
}

/* ---------------------------------------------------------------- field validators */

/* Run one field parser directly, as IRRd's test_fields.py does. */
static void field_case(int line, enum rpsl_class cls, const char *attr, bool strict, const struct rpsl_options *opts,
		       const char *value, const char *want_value, const char *want_errors, const char *want_infos)
{
	static char buf[16384];
	struct arena a;
	struct sink s;
	struct fctx c;
	struct fres r;
	const struct class_def *cd = class_defs[cls];
	int fi = cd->index[attr_lookup(attr, strlen(attr))];
	bool ok;
	size_t ne = 0, ni = 0;
	char *errs[16], *infos[16];
	char *je, *ji;

	arena_init(&a, buf, sizeof(buf));
	sink_init(&s, &a, true);
	c.a = &a;
	c.s = &s;
	c.strict = strict;
	c.opts = opts ? opts : &rpsl_options_default;
	ok = field_parse(&c, &cd->fields[fi], value, strlen(value), &r);
	for (struct msg *m = s.head; m; m = m->next) {
		if (m->error && ne < 16)
			errs[ne++] = m->text;
		else if (!m->error && ni < 16)
			infos[ni++] = m->text;
	}
	je = joined(errs, ne);
	ji = joined(infos, ni);
	if (want_value == NULL)
		CHECK_MSG(!ok, "line %d: %s accepted as [%s]", line, value, ok ? r.value : "");
	else
		CHECK_MSG(ok && strcmp(r.value, want_value) == 0, "line %d: [%s] parsed as [%s], want [%s]", line, value,
			  ok ? r.value : "(None)", want_value);
	CHECK_MSG(strcmp(je, want_errors) == 0, "line %d: errors\n  got:  [%s]\n  want: [%s]", line, je, want_errors);
	CHECK_MSG(strcmp(ji, want_infos) == 0, "line %d: infos\n  got:  [%s]\n  want: [%s]", line, ji, want_infos);
	free(je);
	free(ji);
	arena_release(&a);
}

#define FIELD(cls, attr, value, want, errs, infos) field_case(__LINE__, cls, attr, true, NULL, value, want, errs, infos)
#define FIELD_NS(cls, attr, value, want, errs, infos) field_case(__LINE__, cls, attr, false, NULL, value, want, errs, infos)

static void test_field_text(void)
{
	FIELD(RPSL_ROUTE, "descr", "AS-FOO\xf0\x9f\x8e\x89\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88"
	      "\xe2\x80\x8f\xe2\x80\x8b\x07$ \t",
	      "AS-FOO\xf0\x9f\x8e\x89\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88$ \t", "", "");
	FIELD(RPSL_ROUTE, "descr", "plain text", "plain text", "", "");
}

static void test_field_prefixes(void)
{
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/24", "192.0.2.0/24", "", "");
	FIELD(RPSL_ROUTE, "route", "192.00.02.0/25", "192.0.2.0/25", "",
	      "Address prefix 192.00.02.0/25 was reformatted as 192.0.2.0/25");
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/32", "192.0.2.0/32", "", "");
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/024", "192.0.2.0/24", "",
	      "Address prefix 192.0.2.0/024 was reformatted as 192.0.2.0/24");
	FIELD(RPSL_ROUTE, "route", "192.0.2/24", NULL, "Invalid address prefix: 192.0.2/24", "");
	FIELD(RPSL_ROUTE, "route", "555.555.555.555/24", NULL,
	      "Invalid address prefix: 555.555.555.555/24: '555.555.555.555': single byte must be 0 <= byte < 256", "");
	FIELD(RPSL_ROUTE, "route", "foo", NULL, "Invalid address prefix: foo", "");
	FIELD(RPSL_ROUTE, "route", "2001::/32", NULL, "Invalid address prefix: 2001::/32", "");
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/16", NULL, "Invalid address prefix: 192.0.2.0/16: invalid prefix length (16)", "");
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/33", NULL, "Invalid address prefix: 192.0.2.0/33: invalid prefix length (33)", "");
	FIELD(RPSL_ROUTE, "route", "192.0.2.0/0099", NULL, "Invalid address prefix: 192.0.2.0/0099: invalid prefix length (99)", "");
	FIELD(RPSL_ROUTE, "holes", "192.0.2.0/24, 192.00.02.0/25, ", "192.0.2.0/24,192.0.2.0/25", "",
	      "Address prefix 192.00.02.0/25 was reformatted as 192.0.2.0/25");
	FIELD(RPSL_ROUTE, "holes", "192.0.2.0/24, 192.0.2/16", NULL, "Invalid address prefix: 192.0.2/16", "");

	FIELD(RPSL_ROUTE6, "route6", "12AB:0000:0000:CD30:0000:0000:0000:0000/60", "12ab:0:0:cd30::/60", "",
	      "Address prefix 12AB:0000:0000:CD30:0000:0000:0000:0000/60 was reformatted as 12ab:0:0:cd30::/60");
	FIELD(RPSL_ROUTE6, "route6", "12ab::cd30:0:0:0:0/60", "12ab:0:0:cd30::/60", "",
	      "Address prefix 12ab::cd30:0:0:0:0/60 was reformatted as 12ab:0:0:cd30::/60");
	FIELD(RPSL_ROUTE6, "route6", "12AB:0:0:CD30::/60", "12ab:0:0:cd30::/60", "",
	      "Address prefix 12AB:0:0:CD30::/60 was reformatted as 12ab:0:0:cd30::/60");
	FIELD(RPSL_ROUTE6, "route6", "12ab:0:0:cd30::/128", "12ab:0:0:cd30::/128", "", "");
	FIELD(RPSL_ROUTE6, "route6", "::/0", "::/0", "", "");
	FIELD(RPSL_ROUTE6, "route6", "foo", NULL, "Invalid address prefix: foo", "");
	FIELD(RPSL_ROUTE6, "route6", "foo/bar", NULL, "Invalid address prefix: foo/bar", "");
	FIELD(RPSL_ROUTE6, "route6", "2001525::/32", NULL,
	      "Invalid address prefix: 2001525::/32: '2001525::': Invalid IPv6 address: invalid hexlet 33559845", "");
	FIELD(RPSL_ROUTE6, "route6", "12AB:0:0:CD3/60", NULL,
	      "Invalid address prefix: 12AB:0:0:CD3/60: '12AB:0:0:CD3': Invalid IPv6 address: should have 8 hextets", "");
	FIELD(RPSL_ROUTE6, "route6", "12AB::CD30/60", NULL,
	      "Invalid address prefix: 12AB::CD30/60: invalid prefix length (60)", "");
	FIELD(RPSL_ROUTE6, "route6", "1::2::3/64", NULL,
	      "Invalid address prefix: 1::2::3/64: '1::2::3': Invalid IPv6 address: more than one '::'", "");
	FIELD(RPSL_ROUTE6, "route6", "1:2:3:4:5:6:7::8/128", NULL,
	      "Invalid address prefix: 1:2:3:4:5:6:7::8/128: '1:2:3:4:5:6:7::8': Invalid IPv6 address: '::' is not needed", "");
	FIELD(RPSL_ROUTE6, "route6", "2001:db8::/129", NULL,
	      "Invalid address prefix: 2001:db8::/129: invalid prefix length (129)", "");
	FIELD(RPSL_ROUTE6, "route6", "192.0.2.0/16", NULL, "Invalid address prefix: 192.0.2.0/16", "");
	FIELD(RPSL_ROUTE6, "holes", "12AB:0:0:CD30::/60, 2001:DB8::0/64", "12ab:0:0:cd30::/60,2001:db8::/64", "",
	      "Address prefix 12AB:0:0:CD30::/60 was reformatted as 12ab:0:0:cd30::/60|"
	      "Address prefix 2001:DB8::0/64 was reformatted as 2001:db8::/64");
}

static void test_field_ranges(void)
{
	FIELD(RPSL_INETNUM, "inetnum", "192.0.02.0", "192.0.2.0", "", "Address range 192.0.02.0 was reformatted as 192.0.2.0");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.0 - 192.0.2.126", "192.0.2.0 - 192.0.2.126", "", "");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.0 -192.0.02.126", "192.0.2.0 - 192.0.2.126", "",
	      "Address range 192.0.2.0 -192.0.02.126 was reformatted as 192.0.2.0 - 192.0.2.126");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.1.5555 - 192.0.2.0", NULL,
	      "Invalid address range: 192.0.1.5555 - 192.0.2.0: '192.0.1.5555 ': single byte must be 0 <= byte < 256", "");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.0 - 2001:db8::", NULL,
	      "Invalid address range: 192.0.2.0 - 2001:db8::: IP version mismatch", "");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.1 - 192.0.2.0", NULL,
	      "Invalid address range: 192.0.2.1 - 192.0.2.0: first IP is higher than second IP", "");
	FIELD(RPSL_INETNUM, "inetnum", "2001:db8::0 - 2001:db8::1", NULL,
	      "Invalid address range: 2001:db8::0 - 2001:db8::1: IP version mismatch", "");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.0 - foo", NULL,
	      "Invalid address range: 192.0.2.0 - foo: IP Address format was invalid:  foo", "");
	FIELD(RPSL_INETNUM, "inetnum", "192.0.2.0 - 192.0.2.x", NULL,
	      "Invalid address range: 192.0.2.0 - 192.0.2.x: invalid literal for int() with base 10: 'x'", "");
	FIELD(RPSL_INETNUM, "inetnum", "10 - 10.0.0.255", "10.0.0.0 - 10.0.0.255", "",
	      "Address range 10 - 10.0.0.255 was reformatted as 10.0.0.0 - 10.0.0.255");
}

static void test_field_members(void)
{
	/* route-set members: IPv4 only */
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^24-25", "192.0.2.0/24^24-25", "", "");
	FIELD(RPSL_ROUTE_SET, "members", "AS065537:RS-TEST^32", "AS65537:RS-TEST^32", "",
	      "Route set member AS065537:RS-TEST^32 was reformatted as AS65537:RS-TEST^32");
	FIELD(RPSL_ROUTE_SET, "members", "AS065537^32", "AS65537^32", "",
	      "Route set member AS065537^32 was reformatted as AS65537^32");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/25^+", "192.0.2.0/25^+", "", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/25^32", "192.0.2.0/25^32", "", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.00.02.0/25^-", "192.0.2.0/25^-", "",
	      "Route set member 192.00.02.0/25^- was reformatted as 192.0.2.0/25^-");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.02.0/32", "192.0.2.0/32", "",
	      "Route set member 192.0.02.0/32 was reformatted as 192.0.2.0/32");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.1", "192.0.2.1/32", "",
	      "Route set member 192.0.2.1 was reformatted as 192.0.2.1/32");
	FIELD(RPSL_ROUTE_SET, "members", "AS65537:TEST", NULL,
	      "Value is neither a valid set name nor a valid prefix: AS65537:TEST: 'AS65537:TEST': Invalid IPv6 address: "
	      "should have 8 hextets", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^", NULL, "Missing range operator in value: 192.0.2.0/24^", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^x", NULL, "Invalid range operator x in value: 192.0.2.0/24^x", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^-32", NULL, "Invalid range operator -32 in value: 192.0.2.0/24^-32", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^32-", NULL, "Invalid range operator 32- in value: 192.0.2.0/24^32-", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^24+32", NULL,
	      "Invalid range operator 24+32 in value: 192.0.2.0/24^24+32", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^23", NULL,
	      "Invalid range operator: operator length (23) must be equal to or longer than prefix length (24) "
	      "192.0.2.0/24^23", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^23-32", NULL,
	      "Invalid range operator: operator start (23) must be equal to or longer than prefix length (24) "
	      "192.0.2.0/24^23-32", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24^32-30", NULL,
	      "Invalid range operator: operator end (30) must be equal to or longer than operator start (32) "
	      "192.0.2.0/24^32-30", "");
	FIELD(RPSL_ROUTE_SET, "members", "2001:db8::/32", NULL,
	      "Value is neither a valid set name nor a valid prefix: 2001:db8::/32: IPv4 Address can't be larger than "
	      "ffffffff: 20010db8000000000000000000000000", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24, RS-B, AS1", "192.0.2.0/24,RS-B,AS1", "", "");
	/* IPy leniencies: padded IPv4, netmasks, ranges */
	FIELD(RPSL_ROUTE_SET, "members", "10/8", "10.0.0.0/8", "", "Route set member 10/8 was reformatted as 10.0.0.0/8");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/255.255.255.0", "192.0.2.0/24", "",
	      "Route set member 192.0.2.0/255.255.255.0 was reformatted as 192.0.2.0/24");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/255.0.255.0", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.0/255.0.255.0: Netmask 0xff00ff00 can't be "
	      "expressed as an prefix.", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0-192.0.2.255", "192.0.2.0/24", "",
	      "Route set member 192.0.2.0-192.0.2.255 was reformatted as 192.0.2.0/24");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0-192.0.2.5", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.0-192.0.2.5: the range 192.0.2.0-192.0.2.5 "
	      "is not on a network boundary.", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.1-192.0.2.2", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.1-192.0.2.2: invalid prefix length (31)", "");
	/* IPy splits on '-' before '/' */
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/-1", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.0/-1: invalid literal for int() with base "
	      "10: '0/'", "");
	FIELD(RPSL_ROUTE_SET, "members", "0x0a000000/8", "10.0.0.0/8", "",
	      "Route set member 0x0a000000/8 was reformatted as 10.0.0.0/8");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/x", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.0/x: invalid literal for int() with base "
	      "10: 'x'", "");
	FIELD(RPSL_ROUTE_SET, "members", "192.0.2.0/24/1", NULL,
	      "Value is neither a valid set name nor a valid prefix: 192.0.2.0/24/1: only one '/' allowed in IP Address", "");

	/* mp-members: both families */
	FIELD(RPSL_ROUTE_SET, "mp-members", "192.0.2.0/24^24-25", "192.0.2.0/24^24-25", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "12ab:0:0:cd30::/128", "12ab:0:0:cd30::/128", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "12ab:0:0:cd30::/64^120-128", "12ab:0:0:cd30::/64^120-128", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "AS65537:RS-TEST", "AS65537:RS-TEST", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "12ab:00:0:cd30::/60^-", "12ab:0:0:cd30::/60^-", "",
	      "Route set member 12ab:00:0:cd30::/60^- was reformatted as 12ab:0:0:cd30::/60^-");
	FIELD(RPSL_ROUTE_SET, "mp-members", "12ab:0:0:cd30::/60", "12ab:0:0:cd30::/60", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120", "", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "192.0.2.0/32^24+32", NULL,
	      "Invalid range operator 24+32 in value: 192.0.2.0/32^24+32", "");
	FIELD(RPSL_ROUTE_SET, "mp-members", "12ab:0:0:cd30::/60^24+32", NULL,
	      "Invalid range operator 24+32 in value: 12ab:0:0:cd30::/60^24+32", "");

	/* as-set members refer to aut-num or as-set: errors of both */
	FIELD(RPSL_AS_SET, "members", "AS01234", "AS1234", "", "");
	FIELD(RPSL_AS_SET, "members", "AS-FOO", "AS-FOO", "", "");
	FIELD(RPSL_AS_SET, "members", "AS01234, AS04567", "AS1234,AS4567", "", "");
	FIELD(RPSL_AS_SET, "members", "RS-1234", NULL,
	      "Invalid AS number RS-1234: must start with \"AS\"|Invalid set name RS-1234: at least one component must be "
	      "an actual set name (i.e. start with AS-)", "");
	FIELD(RPSL_AS_SET, "members", "FOOBAR", NULL,
	      "Invalid AS number FOOBAR: must start with \"AS\"|Invalid set name FOOBAR: at least one component must be "
	      "an actual set name (i.e. start with AS-)", "");
	FIELD_NS(RPSL_AS_SET, "members", "AS1:AS2", "AS1:AS2", "", "");
	FIELD(RPSL_AS_SET, "mbrs-by-ref", "any", "ANY", "", "");
	FIELD(RPSL_AS_SET, "mbrs-by-ref", "A-MNT, any", NULL, "Invalid name: any: this is a reserved word", "");
	FIELD(RPSL_RTR_SET, "members", "rtr.example.com, RTRS-OTHER", "rtr.example.com,RTRS-OTHER", "", "");
}

static void test_field_asn(void)
{
	FIELD(RPSL_AUT_NUM, "aut-num", "AS065537", "AS65537", "", "AS number AS065537 was reformatted as AS65537");
	FIELD(RPSL_AUT_NUM, "aut-num", "as65537", "AS65537", "", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS4294967295", "AS4294967295", "", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "as1_000", "AS1000", "", "AS number as1_000 was reformatted as AS1000");
	FIELD(RPSL_AUT_NUM, "aut-num", "ASxxxx", NULL, "Invalid AS number ASXXXX: number part is not numeric", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS2345\xf0\x9f\x92\xa9", NULL,
	      "Invalid AS number AS2345\xf0\x9f\x92\xa9: number part is not numeric", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "\xf0\x9f\x92\xa9" "AS2345", NULL,
	      "Invalid AS number \xf0\x9f\x92\xa9" "AS2345: must start with \"AS\"", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS4294967296", NULL, "Invalid AS number AS4294967296: valid range is 0-4294967295", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS-1", NULL, "Invalid AS number AS-1: valid range is 0-4294967295", "");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS1.1", NULL, "Invalid AS number AS1.1: number part is not numeric", "");

	FIELD(RPSL_AS_BLOCK, "as-block", "AS001- AS200", "AS1 - AS200", "", "AS range AS001- AS200 was reformatted as AS1 - AS200");
	FIELD(RPSL_AS_BLOCK, "as-block", "AS200-AS0200", "AS200 - AS200", "",
	      "AS range AS200-AS0200 was reformatted as AS200 - AS200");
	FIELD(RPSL_AS_BLOCK, "as-block", "AS65537", NULL, "Invalid AS range: AS65537: does not contain a hyphen", "");
	FIELD(RPSL_AS_BLOCK, "as-block", "ASxxxx - ASyyyy", NULL, "Invalid AS number ASXXXX: number part is not numeric", "");
	FIELD(RPSL_AS_BLOCK, "as-block", "AS-FOO - AS-BAR", NULL, "Invalid AS number AS: number part is not numeric", "");
	FIELD(RPSL_AS_BLOCK, "as-block", "AS300 - AS200", NULL,
	      "Invalid AS range: AS300 - AS200: first AS is higher then second AS", "");
}

/* Python semantics beyond ASCII: int() takes any Unicode decimal digit,
 * \d matches them, upper() maps letters outside ASCII. */
static void test_field_unicode(void)
{
	struct rpsl_object *obj;

	FIELD(RPSL_AUT_NUM, "aut-num", "AS\xd9\xa6\xd9\xa5\xd9\xa5\xd9\xa3\xd9\xa7", "AS65537", "",
	      "AS number AS\xd9\xa6\xd9\xa5\xd9\xa5\xd9\xa3\xd9\xa7 was reformatted as AS65537");
	FIELD(RPSL_ROUTE, "route", "\xd9\xa1\xd9\xa9\xd9\xa2.0.2.0/24", "192.0.2.0/24", "",
	      "Address prefix \xd9\xa1\xd9\xa9\xd9\xa2.0.2.0/24 was reformatted as 192.0.2.0/24");
	FIELD(RPSL_AUT_NUM, "aut-num", "AS12\xc3\x9f", NULL, "Invalid AS number AS12SS: number part is not numeric", "");
	FIELD_NS(RPSL_AS_SET, "as-set", "AS1:\xc3\x9f" "1", "AS1:\xc3\x9f" "1", "", "");
	/* %Y is \\d\\d\\d\\d, but %m and %d spell out ASCII digits */
	FIELD(RPSL_ROUTE, "changed", "a@example.com \xd9\xa2\xd9\xa0\xd9\xa1\xd9\xa9" "0101",
	      "a@example.com \xd9\xa2\xd9\xa0\xd9\xa1\xd9\xa9" "0101", "", "");
	FIELD(RPSL_ROUTE, "changed", "a@example.com 2019\xd9\xa0\xd9\xa1" "01", NULL,
	      "Invalid changed date: 2019\xd9\xa0\xd9\xa1" "01: time data '2019\xd9\xa0\xd9\xa1" "01' does not match "
	      "format '%Y%m%d'", "");
	/* Python (3.11+) refuses int() of more than 4300 digits */
	{
		char *v = xmalloc(4400);
		char *want;
		memset(v, '1', 4301);
		strcpy(v + 4301, ".0.0.0/8");
		want = xasprintf("Invalid address prefix: %s: Exceeds the limit (4300 digits) for integer string "
				 "conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit", v);
		FIELD(RPSL_ROUTE, "route", v, NULL, want, "");
		free(want);
		memset(v, 'f', 3600);
		strcpy(v + 3600, "::/64");
		want = xasprintf("Invalid address prefix: %s: Exceeds the limit (4300 digits) for integer string "
				 "conversion; use sys.set_int_max_str_digits() to increase the limit", v);
		FIELD(RPSL_ROUTE6, "route6", v, NULL, want, "");
		free(want);
		free(v);
	}
	obj = parse_str("person: P\nnic-hdl: m\xc3\xbcller-\xc3\x9f\nsource: TEST", RPSL_NONSTRICT);
	CHECK_STR(obj->pk, "M\xc3\x9cLLER-SS");
	rpsl_object_free(obj);
	obj = parse_str("route: 192.0.2.0/24\nDESCR\xc3\x84: x\norigin: AS1\nsource: TEST", RPSL_NONSTRICT);
	CHECK_ERRORS(obj, "Line 2: encountered malformed attribute name: [descr\xc3\xa4]");
	rpsl_object_free(obj);
}

static void test_field_set_names(void)
{
	const char *long_set = "AS1:AS-B:AS-C:AS-D:AS-E:AS-F";

	FIELD(RPSL_AS_SET, "as-set", "AS-FOO", "AS-FOO", "", "");
	FIELD(RPSL_AS_SET, "as-set", "AS01:AS-FOO", "AS1:AS-FOO", "", "Set name AS01:AS-FOO was reformatted as AS1:AS-FOO");
	FIELD(RPSL_AS_SET, "as-set", "AS1:AS-FOO:AS3", "AS1:AS-FOO:AS3", "", "");
	FIELD(RPSL_AS_SET, "as-set", "AS01:AS-3", "AS1:AS-3", "", "Set name AS01:AS-3 was reformatted as AS1:AS-3");
	FIELD(RPSL_AS_SET, "as-set", "AS1", NULL,
	      "Invalid set name AS1: at least one component must be an actual set name (i.e. start with AS-)", "");
	FIELD(RPSL_AS_SET, "as-set", "AS1:AS3", NULL,
	      "Invalid set name AS1:AS3: at least one component must be an actual set name (i.e. start with AS-)", "");
	FIELD(RPSL_AS_SET, "as-set", "AS1:AS-FOO:RS-FORBIDDEN", NULL,
	      "Invalid set AS1:AS-FOO:RS-FORBIDDEN: component RS-FORBIDDEN is not a valid AS number, nor does it start "
	      "with AS-", "");
	FIELD(RPSL_AS_SET, "as-set", ":AS-FOO", NULL,
	      "Invalid set :AS-FOO: component  is not a valid AS number nor a valid set name", "");
	FIELD(RPSL_AS_SET, "as-set", "AS-FOO:", NULL,
	      "Invalid set AS-FOO:: component  is not a valid AS number nor a valid set name", "");
	FIELD(RPSL_AS_SET, "as-set", long_set, NULL, "Set names can have a maximum of five components.", "");
	FIELD(RPSL_AS_SET, "as-set", "AS1:AS-ANY", NULL, "Invalid set name AS1:AS-ANY: component AS-ANY is a reserved word", "");
	FIELD_NS(RPSL_AS_SET, "as-set", "AS-ANY", "AS-ANY", "", "");
	FIELD_NS(RPSL_AS_SET, "as-set", long_set, long_set, "", "");

	FIELD(RPSL_ROUTE_SET, "route-set", "RS-FOO", "RS-FOO", "", "");
	FIELD(RPSL_ROUTE_SET, "route-set", "AS1:RS-FOO", "AS1:RS-FOO", "", "");
	FIELD(RPSL_ROUTE_SET, "route-set", "AS1:RS-FOO:AS3", "AS1:RS-FOO:AS3", "", "");
	FIELD(RPSL_ROUTE_SET, "route-set", "AS1:RS-3", "AS1:RS-3", "", "");
	FIELD(RPSL_ROUTE_SET, "route-set", "AS1:AS-FOO", NULL,
	      "Invalid set name AS1:AS-FOO: at least one component must be an actual set name (i.e. start with RS-)", "");
	FIELD(RPSL_FILTER_SET, "filter-set", "fltr-foo", "fltr-foo", "", "");
	FIELD(RPSL_PEERING_SET, "peering-set", "PRNG-FOO", "PRNG-FOO", "", "");
	FIELD(RPSL_RTR_SET, "rtr-set", "RTRS-FOO", "RTRS-FOO", "", "");
}

static void test_field_misc(void)
{
	FIELD(RPSL_ROUTE, "notify", "foo.bar@example.asia", "foo.bar@example.asia", "", "");
	FIELD(RPSL_ROUTE, "notify", "foo.bar@[192.0.2.1]", "foo.bar@[192.0.2.1]", "", "");
	FIELD(RPSL_ROUTE, "notify", "foo.bar@[2001:db8::1]", "foo.bar@[2001:db8::1]", "", "");
	FIELD(RPSL_ROUTE, "notify", "foo.bar+baz@", NULL, "Invalid e-mail address: foo.bar+baz@", "");
	FIELD(RPSL_ROUTE, "notify", "a\xc2\xa7\xc2\xa7@example.com", NULL, "Invalid e-mail address: a\xc2\xa7\xc2\xa7@example.com", "");
	FIELD(RPSL_ROUTE, "notify", "a@[192.0.2.2.2]", NULL, "Invalid e-mail address: a@[192.0.2.2.2]", "");
	FIELD(RPSL_ROUTE, "notify", "@example.com", NULL, "Invalid e-mail address: @example.com", "");

	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.asia", "foo.bar@example.asia", "", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@[192.0.2.1] 20190701", "foo.bar@[192.0.2.1] 20190701", "", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@[2001:db8::1] 19980101", "foo.bar@[2001:db8::1] 19980101", "", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar+baz@", NULL, "Invalid e-mail address: foo.bar+baz@", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 20191301", NULL,
	      "Invalid changed date: 20191301: unconverted data remains: 1", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 20190230", NULL,
	      "Invalid changed date: 20190230: day is out of range for month", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 20200229", "foo.bar@example.com 20200229", "", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 2019", NULL,
	      "Invalid changed date: 2019: time data '2019' does not match format '%Y%m%d'", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 00000101", NULL,
	      "Invalid changed date: 00000101: year 0 is out of range", "");
	FIELD(RPSL_ROUTE, "changed", "foo.bar@example.com 2019711", "foo.bar@example.com 2019711", "", "");
	FIELD(RPSL_ROUTE, "changed", "a@example.com 20190101 extra", NULL,
	      "Invalid e-mail address: a@example.com 20190101 extra", "");

	FIELD(RPSL_INET_RTR, "inet-rtr", "foo.bar.baz", "foo.bar.baz", "", "");
	FIELD(RPSL_INET_RTR, "inet-rtr", "foo.bar+baz@", NULL, "Invalid DNS name: foo.bar+baz@", "");
	FIELD(RPSL_INET_RTR, "inet-rtr", "-foo.bar", NULL, "Invalid DNS name: -foo.bar", "");
	FIELD(RPSL_INET_RTR, "inet-rtr", "foo..bar", NULL, "Invalid DNS name: foo..bar", "");

	FIELD(RPSL_INETNUM, "geofeed", "http://example.com", "http://example.com", "", "");
	FIELD(RPSL_INETNUM, "geofeed", "HTTPS://example.com/x?y#z", "HTTPS://example.com/x?y#z", "", "");
	FIELD(RPSL_INETNUM, "geofeed", "ftp://test", NULL, "Invalid http/https URL: ftp://test", "");
	FIELD(RPSL_INETNUM, "geofeed", "test", NULL, "Invalid http/https URL: test", "");
	FIELD(RPSL_INETNUM, "geofeed", "https:///path", NULL, "Invalid http/https URL: https:///path", "");

	FIELD(RPSL_MNTNER, "mntner", "MAINT-FOO", "MAINT-FOO", "", "");
	FIELD(RPSL_MNTNER, "mntner", "FOO-MNT", "FOO-MNT", "", "");
	FIELD(RPSL_MNTNER, "mntner", "FOO-MN_T2", "FOO-MN_T2", "", "");
	FIELD(RPSL_MNTNER, "mntner", "any", NULL, "Invalid name: any: this is a reserved word", "");
	FIELD(RPSL_MNTNER, "mntner", "As-FOO", NULL, "Invalid name: As-FOO: AS- is a reserved prefix", "");
	FIELD(RPSL_MNTNER, "mntner", "FoO$BAR", NULL,
	      "Invalid name: FoO$BAR: contains invalid characters, does not start with a letter, or does not end in a "
	      "letter/digit", "");
	FIELD(RPSL_MNTNER, "mntner", "FOOBAR-", NULL,
	      "Invalid name: FOOBAR-: contains invalid characters, does not start with a letter, or does not end in a "
	      "letter/digit", "");
	FIELD_NS(RPSL_MNTNER, "mntner", "AS-FOO", "AS-FOO", "", "");
	FIELD_NS(RPSL_MNTNER, "mntner", "FOO BAR", NULL,
		 "Invalid name: FOO BAR: contains invalid characters, does not start with a letter, or does not end in a "
		 "letter/digit", "");
	FIELD(RPSL_AUT_NUM, "as-name", "As-FOO", "As-FOO", "", "");
	FIELD(RPSL_AUT_NUM, "as-name", "FLTr-FOO", NULL, "Invalid name: FLTr-FOO: FLTR- is a reserved prefix", "");
	FIELD_NS(RPSL_PERSON, "nic-hdl", "FOO BAR", "FOO BAR", "", "");
	FIELD(RPSL_PERSON, "nic-hdl", "FOO BAR", NULL,
	      "Invalid name: FOO BAR: contains invalid characters, does not start with a letter, or does not end in a "
	      "letter/digit", "");

	FIELD(RPSL_ROUTE, "admin-c", "SR123-NTT", "SR123-NTT", "", "");
	FIELD(RPSL_ROUTE, "admin-c", "RS-1234", NULL,
	      "Invalid name: RS-1234: RS- is a reserved prefix|Invalid name: RS-1234: RS- is a reserved prefix", "");
	FIELD(RPSL_ROUTE, "mnt-by", "A-MNT, B-MNT", "A-MNT,B-MNT", "", "");
	FIELD(RPSL_ROUTE, "mnt-by", "ANY", NULL, "Invalid name: ANY: this is a reserved word", "");
	FIELD(RPSL_ROUTE, "member-of", "RS-FOO", "RS-FOO", "", "");

	FIELD(RPSL_MNTNER, "auth", "MD5-pw hashhash", "MD5-pw hashhash", "", "");
	FIELD(RPSL_MNTNER, "auth", "bcrypt-pw hashhash", "bcrypt-pw hashhash", "", "");
	FIELD(RPSL_MNTNER, "auth", "PGPKEY-AABB0011", "PGPKEY-AABB0011", "", "");
	FIELD(RPSL_MNTNER, "auth", "IRRD-INTERNAL-AUTH", "IRRD-INTERNAL-AUTH", "", "");
	FIELD(RPSL_MNTNER, "auth", "PGPKEY-XX", NULL,
	      "Invalid auth attribute: PGPKEY-XX: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD(RPSL_MNTNER, "auth", "PGPKEY-AABB00112233", NULL,
	      "Invalid auth attribute: PGPKEY-AABB00112233: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD(RPSL_MNTNER, "auth", "ARGON-PW hashhash", NULL,
	      "Invalid auth attribute: ARGON-PW hashhash: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD(RPSL_MNTNER, "auth", "BCRYPT-PWhashhash", NULL,
	      "Invalid auth attribute: BCRYPT-PWhashhash: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD(RPSL_MNTNER, "auth", "MD5-PW a b", NULL,
	      "Invalid auth attribute: MD5-PW a b: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD(RPSL_MNTNER, "auth", "CRYPT-PW hashhash", NULL,
	      "Invalid auth attribute: CRYPT-PW hashhash: supported options are MD5-PW, BCRYPT-PW, PGPKEY-xxxxxxxx and "
	      "IRRD-INTERNAL-AUTH for migrated objects", "");
	FIELD_NS(RPSL_MNTNER, "auth", "CRYPT-PW hashhash", "CRYPT-PW hashhash", "", "");
	{
		struct rpsl_options o = rpsl_options_default;

		o.hashers[RPSL_HASHER_CRYPT_PW] = RPSL_HASHER_ENABLED;
		field_case(__LINE__, RPSL_MNTNER, "auth", true, &o, "CRYPT-PW hashhash", "CRYPT-PW hashhash", "", "");
		o.hashers[RPSL_HASHER_CRYPT_PW] = RPSL_HASHER_DISABLED;
		o.hashers[RPSL_HASHER_MD5_PW] = RPSL_HASHER_LEGACY;
		field_case(__LINE__, RPSL_MNTNER, "auth", false, &o, "CRYPT-PW hashhash", NULL,
			   "Invalid auth attribute: CRYPT-PW hashhash: supported options are MD5-PW, BCRYPT-PW, "
			   "PGPKEY-xxxxxxxx and IRRD-INTERNAL-AUTH for migrated objects", "");
		field_case(__LINE__, RPSL_MNTNER, "auth", true, &o, "MD5-PW x", NULL,
			   "Invalid auth attribute: MD5-PW x: supported options are BCRYPT-PW, PGPKEY-xxxxxxxx and "
			   "IRRD-INTERNAL-AUTH for migrated objects", "");
	}
}

/* ---------------------------------------------------------------- metadata and templates */

static const char template_person[] =
	"person:    [mandatory]  [single]    [look-up key]\n"
	"address:   [mandatory]  [multiple]  []\n"
	"phone:     [mandatory]  [multiple]  []\n"
	"fax-no:    [optional]   [multiple]  []\n"
	"e-mail:    [mandatory]  [multiple]  []\n"
	"nic-hdl:   [mandatory]  [single]    [primary/look-up key]\n"
	"remarks:   [optional]   [multiple]  []\n"
	"notify:    [optional]   [multiple]  []\n"
	"mnt-by:    [mandatory]  [multiple]  [look-up key, strong references mntner]\n"
	"changed:   [optional]   [multiple]  []\n"
	"source:    [mandatory]  [single]    []\n";

static const char template_route[] =
	"route:          [mandatory]  [single]    [primary/look-up key]\n"
	"descr:          [optional]   [multiple]  []\n"
	"origin:         [mandatory]  [single]    [primary key]\n"
	"holes:          [optional]   [multiple]  []\n"
	"member-of:      [optional]   [multiple]  [look-up key, weak references route-set]\n"
	"inject:         [optional]   [multiple]  []\n"
	"aggr-bndry:     [optional]   [single]    []\n"
	"aggr-mtd:       [optional]   [single]    []\n"
	"export-comps:   [optional]   [single]    []\n"
	"components:     [optional]   [single]    []\n"
	"admin-c:        [optional]   [multiple]  [look-up key, strong references role/person]\n"
	"tech-c:         [optional]   [multiple]  [look-up key, strong references role/person]\n"
	"geoidx:         [optional]   [multiple]  []\n"
	"roa-uri:        [optional]   [single]    []\n"
	"remarks:        [optional]   [multiple]  []\n"
	"notify:         [optional]   [multiple]  []\n"
	"mnt-by:         [mandatory]  [multiple]  [look-up key, strong references mntner]\n"
	"changed:        [optional]   [multiple]  []\n"
	"source:         [mandatory]  [single]    []\n";

static void test_classes(void)
{
	static const char *names[RPSL_CLASS_COUNT] = {
		"as-block", "as-set", "aut-num", "domain", "filter-set", "inet-rtr", "inet6num", "inetnum", "irt",
		"key-cert", "mntner", "organisation", "peering-set", "person", "role", "route", "route-set", "route6",
		"rtr-set",
	};
	enum rpsl_class refs[2];
	bool strong = false;
	const char *const *l;

	for (int c = 0; c < RPSL_CLASS_COUNT; c++) {
		const char *t = rpsl_template((enum rpsl_class)c);
		CHECK_STR(rpsl_class_name((enum rpsl_class)c), names[c]);
		CHECK_INT(rpsl_class_lookup(names[c], strlen(names[c])), c);
		CHECK(t != NULL && strncmp(t, names[c], strlen(names[c])) == 0);
		CHECK(rpsl_class_has_attr((enum rpsl_class)c, "source"));
		CHECK(rpsl_pk_attrs((enum rpsl_class)c)[0] != NULL);
	}
	CHECK_INT(rpsl_class_lookup("ROUTE6", 6), RPSL_ROUTE6);
	CHECK_INT(rpsl_class_lookup("route7", 6), RPSL_CLASS_UNKNOWN);
	CHECK_INT(rpsl_class_lookup("descr", 5), RPSL_CLASS_UNKNOWN);
	CHECK_INT(rpsl_class_lookup("", 0), RPSL_CLASS_UNKNOWN);
	CHECK(rpsl_class_name(RPSL_CLASS_UNKNOWN) == NULL);
	CHECK(rpsl_class_name(RPSL_CLASS_COUNT) == NULL);
	CHECK_STR(rpki_state_name(RPKI_VALID), "valid");
	CHECK_STR(rpki_state_name(RPKI_INVALID), "invalid");
	CHECK_STR(rpki_state_name(RPKI_NOT_FOUND), "not_found");

	CHECK_STR(rpsl_template(RPSL_PERSON), template_person);
	CHECK_STR(rpsl_template(RPSL_ROUTE), template_route);
	CHECK(rpsl_template(RPSL_CLASS_UNKNOWN) == NULL);

	CHECK(rpsl_attr_is_lookup(RPSL_ROUTE, "route"));
	CHECK(rpsl_attr_is_lookup(RPSL_ROUTE, "mnt-by"));
	CHECK(!rpsl_attr_is_lookup(RPSL_ROUTE, "origin"));
	CHECK(!rpsl_attr_is_lookup(RPSL_ROUTE, "descr"));
	CHECK(!rpsl_attr_is_lookup(RPSL_ROUTE, "nonsense"));
	CHECK(rpsl_class_has_attr(RPSL_ROUTE, "holes"));
	CHECK(!rpsl_class_has_attr(RPSL_ROUTE6, "members"));
	CHECK(!rpsl_class_has_attr(RPSL_ROUTE, "rpki-ov-state"));
	l = rpsl_lookup_attrs(RPSL_ROUTE);
	CHECK(l && l[0] && strcmp(l[0], "route") == 0 && strcmp(l[1], "member-of") == 0 &&
	      strcmp(l[2], "admin-c") == 0 && strcmp(l[3], "tech-c") == 0 && strcmp(l[4], "mnt-by") == 0 && !l[5]);
	l = rpsl_pk_attrs(RPSL_ROUTE6);
	CHECK(l && strcmp(l[0], "route6") == 0 && strcmp(l[1], "origin") == 0 && !l[2]);
	l = rpsl_pk_attrs(RPSL_PERSON);
	CHECK(l && strcmp(l[0], "nic-hdl") == 0 && !l[1]);

	CHECK_INT(rpsl_attr_referring(RPSL_ROUTE, "admin-c", refs, &strong), 2);
	CHECK(refs[0] == RPSL_ROLE && refs[1] == RPSL_PERSON && strong);
	CHECK_INT(rpsl_attr_referring(RPSL_AS_SET, "members", refs, &strong), 2);
	CHECK(refs[0] == RPSL_AUT_NUM && refs[1] == RPSL_AS_SET && !strong);
	CHECK_INT(rpsl_attr_referring(RPSL_ROUTE, "mnt-by", refs, &strong), 1);
	CHECK(refs[0] == RPSL_MNTNER && strong);
	CHECK_INT(rpsl_attr_referring(RPSL_ROUTE, "descr", refs, &strong), 0);
}

static void test_render_last_modified(void)
{
	struct rpsl_object *obj = parse_str("rtr-set: RTRS-A\nlast-modified: old-value\nmnt-by: A-MNT\n"
					    "last-modified: older\nsource: TEST", RPSL_STRICT);
	char *t;

	CHECK_ERRORS(obj, "");
	t = rpsl_render_ex(obj, "2020-01-01T00:00:00Z", NULL);
	CHECK_STR(t, "rtr-set:        RTRS-A\nmnt-by:         A-MNT\nsource:         TEST\n"
		  "last-modified:  2020-01-01T00:00:00Z\n");
	free(t);
	t = rpsl_render_ex(obj, NULL, NULL);
	CHECK_STR(t, "rtr-set:        RTRS-A\nlast-modified:  old-value\nmnt-by:         A-MNT\n"
		  "last-modified:  older\nsource:         TEST\n");
	free(t);
	rpsl_object_free(obj);
}

static void test_set_create_check(void)
{
	struct rpsl_object *obj = parse_str("as-set: AS-SETTEST\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	const char *seg = "x";

	CHECK_STR(rpsl_set_create_check(obj, true, &seg),
		  "as-set names must be hierarchical and the first component must be an AS number, e.g. "
		  "\"AS65537:None\": Invalid AS number AS-SETTEST: number part is not numeric");
	CHECK(seg == NULL);
	CHECK(rpsl_set_create_check(obj, false, &seg) == NULL);
	rpsl_object_free(obj);
	obj = parse_str("route-set: as065000:RS-FOO\nmnt-by: A-MNT\nsource: TEST", RPSL_STRICT);
	CHECK(rpsl_set_create_check(obj, true, &seg) == NULL);
	CHECK_STR(seg, "AS65000");
	rpsl_object_free(obj);
	obj = parse_str(ROUTE_TEXT, RPSL_STRICT);
	CHECK(rpsl_set_create_check(obj, true, &seg) == NULL);
	CHECK(seg == NULL);
	rpsl_object_free(obj);
}

int main(void)
{
	log_init("rpsl_parse_test");
	TEST_RUN(test_valid_objects);
	TEST_RUN(test_metadata);
	TEST_RUN(test_malformed_objects);
	TEST_RUN(test_object_rules);
	TEST_RUN(test_field_text);
	TEST_RUN(test_field_prefixes);
	TEST_RUN(test_field_ranges);
	TEST_RUN(test_field_members);
	TEST_RUN(test_field_asn);
	TEST_RUN(test_field_unicode);
	TEST_RUN(test_field_set_names);
	TEST_RUN(test_field_misc);
	TEST_RUN(test_classes);
	TEST_RUN(test_render_last_modified);
	TEST_RUN(test_set_create_check);
	return test_summary("rpsl_parse");
}
