/*
 * rpki_val_der_test.c - the validator's building blocks on hand-made
 * inputs: the strict DER reader and its templates, BER re-encoding,
 * times, base64, URI and file name checks, RFC 3779 resources and the
 * coverage checks, ROA and ASPA eContent (both ASPA profiles), manifests'
 * eContent, TALs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/rpki.h"
#include "rpki/rtr.h"
#include "rpki/val_int.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define BLEN(...) sizeof((const uint8_t[]){ __VA_ARGS__ })
#define DER_OK(d, ...) der_read_all(B(__VA_ARGS__), BLEN(__VA_ARGS__), (d))

static void test_der_read(void)
{
	struct der d;
	uint8_t big[300];

	CHECK(DER_OK(&d, 0x02, 0x01, 0x05) == 0 && d.tag == DER_INTEGER && d.len == 1 && d.p[0] == 5);
	CHECK(DER_OK(&d, 0x02, 0x01) < 0);			/* truncated */
	CHECK(DER_OK(&d, 0x02, 0x01, 0x05, 0x00) < 0);		/* trailing byte */
	CHECK(DER_OK(&d, 0x30, 0x80, 0x00, 0x00) < 0);		/* indefinite length */
	CHECK(DER_OK(&d, 0x04, 0x81, 0x01, 0x00) < 0);		/* long form for a short length */
	CHECK(DER_OK(&d, 0x1f, 0x01, 0x00) < 0);		/* high tag number */
	CHECK(DER_OK(&d, 0x04, 0x82, 0xff, 0xff) < 0);		/* length beyond the buffer */
	CHECK(DER_OK(&d, 0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00) < 0);	/* absurd length */
	big[0] = 0x04;
	big[1] = 0x82;
	big[2] = 0x01;
	big[3] = 0x00;
	memset(big + 4, 0xaa, 256);
	CHECK(der_read_all(big, 260, &d) == 0 && d.len == 256);
	big[2] = 0x00;
	CHECK(der_read_all(big, 260, &d) < 0);			/* leading zero length octet */
	CHECK(der_read(B(0x30), 1, &d) < 0);
	CHECK(der_read(NULL, 0, &d) < 0);
}

static void test_der_values(void)
{
	struct der d;
	uint32_t u;
	uint8_t serial[20];
	bool b;
	int64_t t;
	const uint8_t *bits;
	size_t n;
	unsigned unused;
	char buf[64];

	CHECK(DER_OK(&d, 0x02, 0x01, 0x00) == 0 && der_uint32(&d, &u) == 0 && u == 0);
	CHECK(DER_OK(&d, 0x02, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff) == 0 && der_uint32(&d, &u) == 0 &&
	      u == 0xffffffffu);
	CHECK(DER_OK(&d, 0x02, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00) == 0 && der_uint32(&d, &u) < 0);
	CHECK(DER_OK(&d, 0x02, 0x01, 0x80) == 0 && der_uint32(&d, &u) < 0);	/* negative */
	CHECK(DER_OK(&d, 0x02, 0x02, 0x00, 0x01) == 0 && der_uint32(&d, &u) < 0);	/* not minimal */
	CHECK(DER_OK(&d, 0x02, 0x00) == 0 && der_uint32(&d, &u) < 0);
	CHECK(DER_OK(&d, 0x02, 0x02, 0x00, 0x80) == 0 && der_serial(&d, serial, false) == 0 && serial[19] == 0x80);
	CHECK(DER_OK(&d, 0x02, 0x01, 0x00) == 0 && der_serial(&d, serial, false) < 0);
	CHECK(DER_OK(&d, 0x02, 0x01, 0x00) == 0 && der_serial(&d, serial, true) == 0);
	CHECK(DER_OK(&d, 0x01, 0x01, 0xff) == 0 && der_bool(&d, &b) == 0 && b);
	CHECK(DER_OK(&d, 0x01, 0x01, 0x01) == 0 && der_bool(&d, &b) < 0);
	CHECK(DER_OK(&d, 0x05, 0x00) == 0 && der_null(&d) == 0);
	/* 2019-05-15 12:24:36Z */
	CHECK(DER_OK(&d, 0x18, 0x0f, '2', '0', '1', '9', '0', '5', '1', '5', '1', '2', '2', '4', '3', '6', 'Z') == 0 &&
	      der_time(&d, &t) == 0 && t == 1557923076);
	CHECK(DER_OK(&d, 0x17, 0x0d, '1', '9', '0', '5', '1', '5', '1', '2', '2', '4', '3', '6', 'Z') == 0 &&
	      der_time(&d, &t) == 0 && t == 1557923076);
	CHECK(DER_OK(&d, 0x17, 0x0d, '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') == 0 &&
	      der_time(&d, &t) == 0 && t == -631152000);	/* 1950 */
	CHECK(DER_OK(&d, 0x17, 0x0d, '2', '3', '0', '2', '2', '9', '0', '0', '0', '0', '0', '0', 'Z') == 0 &&
	      der_time(&d, &t) < 0);	/* no 29 February 2023 */
	CHECK(DER_OK(&d, 0x17, 0x0d, '2', '4', '0', '2', '2', '9', '0', '0', '0', '0', '0', '0', 'Z') == 0 &&
	      der_time(&d, &t) == 0);
	CHECK(DER_OK(&d, 0x17, 0x0d, '2', '4', '1', '3', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') == 0 &&
	      der_time(&d, &t) < 0);
	CHECK(DER_OK(&d, 0x17, 0x0d, '2', '4', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', '+') == 0 &&
	      der_time(&d, &t) < 0);
	CHECK(DER_OK(&d, 0x03, 0x02, 0x01, 0xfe) == 0 && der_bits(&d, &bits, &n, &unused) == 0 && n == 1 &&
	      unused == 1);
	CHECK(DER_OK(&d, 0x03, 0x02, 0x01, 0xff) == 0 && der_bits(&d, &bits, &n, &unused) < 0);	/* padding set */
	CHECK(DER_OK(&d, 0x03, 0x01, 0x01) == 0 && der_bits(&d, &bits, &n, &unused) < 0);
	CHECK(DER_OK(&d, 0x03, 0x02, 0x08, 0x00) == 0 && der_bits(&d, &bits, &n, &unused) < 0);
	static const uint8_t oid[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	CHECK(der_read_all(oid, sizeof(oid), &d) == 0 && DER_OID_IS(&d, OID_SHA256));
	CHECK_STR(der_oid_text(&d, buf, sizeof(buf)), "2.16.840.1.101.3.4.2.1");
	CHECK(!DER_OID_IS(&d, OID_RSA_ENCRYPTION));
}

static void test_der_seq(void)
{
	struct der d, out[3];
	const char *what;
	static const struct der_field t[] = {
		{ DER_CTXC(0), 1, "version" },
		{ DER_INTEGER, 0, "a" },
		{ DER_OCTETSTRING, 1, "b" },
	};

	CHECK(DER_OK(&d, 0x30, 0x03, 0x02, 0x01, 0x07) == 0 && der_seq(&d, DER_SEQUENCE, t, 3, out, &what) == 0 &&
	      !out[0].present && out[1].present && !out[2].present);
	CHECK(DER_OK(&d, 0x30, 0x08, 0xa0, 0x03, 0x02, 0x01, 0x01, 0x02, 0x01, 0x07) == 0 &&
	      der_seq(&d, DER_SEQUENCE, t, 3, out, &what) == 0 && out[0].present && out[1].present);
	CHECK(DER_OK(&d, 0x30, 0x05, 0x02, 0x01, 0x07, 0x04, 0x00) == 0 &&
	      der_seq(&d, DER_SEQUENCE, t, 3, out, &what) == 0 && out[2].present);
	CHECK(DER_OK(&d, 0x30, 0x02, 0x04, 0x00) == 0 && der_seq(&d, DER_SEQUENCE, t, 3, out, &what) < 0 &&
	      strcmp(what, "a") == 0);
	CHECK(DER_OK(&d, 0x30, 0x06, 0x02, 0x01, 0x07, 0x02, 0x01, 0x07) == 0 &&
	      der_seq(&d, DER_SEQUENCE, t, 3, out, &what) < 0);	/* unexpected component */
	CHECK(DER_OK(&d, 0x31, 0x03, 0x02, 0x01, 0x07) == 0 && der_seq(&d, DER_SEQUENCE, t, 3, out, &what) < 0);
	CHECK(DER_OK(&d, 0x30, 0x03, 0x02, 0x05, 0x07) == 0 && der_seq(&d, DER_SEQUENCE, t, 3, out, &what) < 0);
	CHECK(DER_OK(&d, 0x30, 0x04, 0x02, 0x01, 0x01, 0x05) == 0 && der_count(&d) < 0);
}

static void test_ber(void)
{
	/* SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } } */
	static const uint8_t ber[] = { 0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00,
				       0x00, 0x00 };
	static const uint8_t want[] = { 0x30, 0x05, 0x04, 0x03, 'a', 'b', 'c' };
	size_t n;
	uint8_t *d = der_from_ber(ber, sizeof(ber), &n);

	CHECK(d != NULL && n == sizeof(want) && memcmp(d, want, n) == 0);
	free(d);
	CHECK(der_from_ber(ber, sizeof(ber) - 1, &n) == NULL);	/* missing end of contents */
	CHECK(der_from_ber(B(0x30, 0x80, 0x02, 0x01), 4, &n) == NULL);
	/* nested too deep */
	uint8_t deep[160];
	for (size_t i = 0; i < 40; i++) {
		deep[2 * i] = 0x30;
		deep[2 * i + 1] = 0x80;
		deep[80 + 2 * i] = deep[80 + 2 * i + 1] = 0;
	}
	CHECK(der_from_ber(deep, sizeof(deep), &n) == NULL);
	d = der_from_ber(deep + 64, sizeof(deep) - 64 - 64, &n);	/* 8 levels: fine */
	CHECK(d != NULL && n == 16);
	free(d);
	/* long-form length re-encoded short */
	d = der_from_ber(B(0x04, 0x81, 0x01, 0x41), 4, &n);
	CHECK(d != NULL && n == 3 && d[1] == 1 && d[2] == 0x41);
	free(d);
}

static void test_util(void)
{
	size_t n;
	uint8_t *b = val_base64_decode("aGVs\nbG8=", 9, &n);
	char *s;

	CHECK(b != NULL && n == 5 && memcmp(b, "hello", 5) == 0);
	free(b);
	CHECK(val_base64_decode("aGVsbG8", 7, &n) == NULL);
	CHECK(val_base64_decode("aGVs=G8=", 8, &n) == NULL);
	CHECK(val_base64_decode("a===", 4, &n) == NULL);
	CHECK(val_base64_decode("aGVsbG9=", 8, &n) == NULL);	/* non-zero padding bits */
	s = val_base64_encode((const uint8_t *)"hello", 5);
	CHECK_STR(s, "aGVsbG8=");
	free(s);

	CHECK_STR(val_uri_check("rsync://h.example/mod/a/b.cer", VAL_URI_RSYNC), "h.example/mod/a/b.cer");
	CHECK(val_uri_check("rsync://h.example/mod/a/b.cer", VAL_URI_HTTPS) == NULL);
	CHECK(val_uri_check("https://[::1]:8443/n.xml", VAL_URI_HTTPS) != NULL);
	CHECK(val_uri_check("rsync://h/mod/../etc/passwd", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://h/mod/./x", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://h/mod//x", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://../x", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://.h/x", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync:///x", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://h/a b", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://h/a\\b", VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("https://h/x?y=1", VAL_URI_HTTPS) == NULL);
	CHECK(val_uri_check("http://h/x", VAL_URI_HTTPS | VAL_URI_RSYNC) == NULL);
	CHECK(val_uri_check("rsync://h/dir/", VAL_URI_RSYNC) != NULL);
	CHECK(val_uri_under("rsync://h/m/d/x.roa", "rsync://h/m/d/"));
	CHECK(!val_uri_under("rsync://h/m/dx/x.roa", "rsync://h/m/d/"));
	CHECK(!val_uri_under("rsync://h/m/d/", "rsync://h/m/d/"));
	CHECK_STR(val_uri_file("rsync://h/m/d/x.roa"), "x.roa");

	CHECK(val_filename_ok("r0.roa", 6));
	CHECK(val_filename_ok("A-b_9.cer", 9));
	CHECK(!val_filename_ok("r0.roa.roa", 10));
	CHECK(!val_filename_ok("../a.roa", 8));
	CHECK(!val_filename_ok(".roa", 4));
	CHECK(!val_filename_ok("r0.ro", 5));
	CHECK(!val_filename_ok("r 0.roa", 7));
	CHECK(!val_filename_ok("r0.roa", 5));
}

/* RFC 3779 IPAddrBlocks: 10.0.0.0/8, 192.0.2.0-192.0.3.255 (range); IPv6 inherit */
static const uint8_t ip_ext[] = {
	0x30, 0x20,
	0x30, 0x16, 0x04, 0x02, 0x00, 0x01, 0x30, 0x10,
	0x03, 0x02, 0x00, 0x0a,
	0x30, 0x0a, 0x03, 0x03, 0x00, 0xc0, 0x00, 0x03, 0x03, 0x01, 0xc0, 0x00 | 0x02,
	0x30, 0x06, 0x04, 0x02, 0x00, 0x02, 0x05, 0x00,
};

static void test_resources(void)
{
	struct val_res parent, child;
	struct val_rset pset, eff;
	struct der ext;
	uint8_t min[16], max[16];
	struct ip_prefix p;

	memset(&parent, 0, sizeof(parent));
	memset(&child, 0, sizeof(child));
	ext.tag = DER_OCTETSTRING;
	ext.present = true;
	ext.p = ip_ext;
	ext.len = sizeof(ip_ext);
	/* 10.0.0.0/8 and the range 192.0.0.0 (min: c0 00) to 192.3.255.255 (max: c0 02 with one
	 * unused bit, padded with ones) */
	CHECK(val_res_parse_ip(&ext, &parent, "parent") == 0);
	CHECK(parent.nv4 == 2 && parent.v6_inherit && !parent.v4_inherit);
	CHECK(parent.v4[0].min[0] == 10 && parent.v4[0].max[0] == 10 && parent.v4[0].max[1] == 0xff &&
	      parent.v4[0].max[3] == 0xff && parent.v4[0].max[4] == 0);
	/* AS: 64496-64511 and 65000 */
	static const uint8_t as_ext[] = { 0x30, 0x15, 0xa0, 0x13, 0x30, 0x11, 0x30, 0x0a, 0x02, 0x03, 0x00, 0xfb,
					  0xf0, 0x02, 0x03, 0x00, 0xfb, 0xff, 0x02, 0x03, 0x00, 0xfd, 0xe8 };
	ext.p = as_ext;
	ext.len = sizeof(as_ext);
	CHECK(val_res_parse_as(&ext, &parent, "parent") == 0);
	CHECK(parent.nas == 2 && parent.as[0].min == 64496 && parent.as[0].max == 64511 && parent.as[1].min == 65000);
	parent.v6_inherit = false;	/* as a TA would: nothing for IPv6 */
	val_res_as_rset(&parent, &pset);

	CHECK(ip_prefix_parse("10.1.0.0/16", 11, &p, true) == 0);
	val_prefix_range(&p, min, max);
	CHECK(val_rset_covers_ip(&pset, IP_AF4, min, max));
	CHECK(ip_prefix_parse("11.0.0.0/8", 10, &p, true) == 0);
	val_prefix_range(&p, min, max);
	CHECK(!val_rset_covers_ip(&pset, IP_AF4, min, max));
	CHECK(ip_prefix_parse("2001:db8::/32", 13, &p, true) == 0);
	val_prefix_range(&p, min, max);
	CHECK(!val_rset_covers_ip(&pset, IP_AF6, min, max));
	CHECK(val_rset_covers_as(&pset, 64500, 64511));
	CHECK(!val_rset_covers_as(&pset, 64500, 64512));
	CHECK(val_rset_covers_as(&pset, 65000, 65000));
	CHECK(!val_rset_covers_as(&pset, 1, 1));

	/* a child inheriting AS numbers and holding 10.2.0.0/16 */
	child.ip_ext = child.as_ext = true;
	child.as_inherit = true;
	child.v4 = xcalloc(1, sizeof(*child.v4));
	child.nv4 = 1;
	CHECK(ip_prefix_parse("10.2.0.0/16", 11, &p, true) == 0);
	val_prefix_range(&p, child.v4[0].min, child.v4[0].max);
	CHECK(val_res_check(&pset, &child, &eff, "child") == 0);
	CHECK(eff.nas == 2 && eff.nv4 == 1 && eff.nv6 == 0);
	/* and one outside */
	CHECK(ip_prefix_parse("12.0.0.0/16", 11, &p, true) == 0);
	val_prefix_range(&p, child.v4[0].min, child.v4[0].max);
	CHECK(val_res_check(&pset, &child, &eff, "child") < 0);
	val_res_clear(&child);
	val_res_clear(&parent);

	/* malformed: overlapping, out of order, SAFI, bad inherit */
	static const uint8_t overlap[] = { 0x30, 0x10, 0x30, 0x0e, 0x04, 0x02, 0x00, 0x01, 0x30, 0x08,
					   0x03, 0x02, 0x00, 0x0a, 0x03, 0x02, 0x00, 0x0a };
	ext.p = overlap;
	ext.len = sizeof(overlap);
	CHECK(val_res_parse_ip(&ext, &child, "overlap") < 0);
	val_res_clear(&child);
	static const uint8_t safi[] = { 0x30, 0x09, 0x30, 0x07, 0x04, 0x03, 0x00, 0x01, 0x01, 0x05, 0x00 };
	ext.p = safi;
	ext.len = sizeof(safi);
	CHECK(val_res_parse_ip(&ext, &child, "safi") < 0);
	val_res_clear(&child);
	static const uint8_t families[] = { 0x30, 0x10, 0x30, 0x06, 0x04, 0x02, 0x00, 0x02, 0x05, 0x00,
					    0x30, 0x06, 0x04, 0x02, 0x00, 0x01, 0x05, 0x00 };
	ext.p = families;
	ext.len = sizeof(families);
	CHECK(val_res_parse_ip(&ext, &child, "order") < 0);
	val_res_clear(&child);
	static const uint8_t toolong[] = { 0x30, 0x0d, 0x30, 0x0b, 0x04, 0x02, 0x00, 0x01, 0x30, 0x05,
					   0x03, 0x03, 0x00, 0x0a, 0x0a };
	ext.p = toolong;
	ext.len = sizeof(toolong);
	CHECK(val_res_parse_ip(&ext, &child, "ok") == 0);	/* 10.10/16 */
	val_res_clear(&child);
	static const uint8_t rdi[] = { 0x30, 0x0a, 0xa0, 0x02, 0x05, 0x00, 0xa1, 0x04, 0x30, 0x02, 0x02, 0x00 };
	ext.p = rdi;
	ext.len = sizeof(rdi);
	CHECK(val_res_parse_as(&ext, &child, "rdi") < 0);
	val_res_clear(&child);
	static const uint8_t asorder[] = { 0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x04 };
	ext.p = asorder;
	ext.len = sizeof(asorder);
	CHECK(val_res_parse_as(&ext, &child, "asorder") < 0);
	val_res_clear(&child);
}

static void test_roa_econtent(void)
{
	struct val_roa r;
	char buf[IP_PREFIX_STRLEN];
	/* asID 64496; IPv4 192.0.2.0/24 maxLength 25; IPv6 2001:db8::/32 */
	uint8_t fixed[] = {
		0x30, 0x2b, 0x02, 0x03, 0x00, 0xfb, 0xf0, 0x30, 0x24,
		0x30, 0x11, 0x04, 0x02, 0x00, 0x01, 0x30, 0x0b, 0x30, 0x09, 0x03, 0x04, 0x00, 0xc0, 0x00, 0x02,
		0x02, 0x01, 0x19,
		0x30, 0x0f, 0x04, 0x02, 0x00, 0x02, 0x30, 0x09, 0x30, 0x07, 0x03, 0x05, 0x00, 0x20, 0x01, 0x0d, 0xb8,
	};

	memset(&r, 0, sizeof(r));
	CHECK(val_roa_econtent(fixed, sizeof(fixed), "roa", &r) == 0);
	CHECK(r.asid == 64496 && r.nips == 2);
	if (r.nips == 2) {
		CHECK_STR(ip_prefix_format(&r.ips[0].prefix, buf, sizeof(buf)), "192.0.2.0/24");
		CHECK(r.ips[0].maxlen == 25);
		CHECK_STR(ip_prefix_format(&r.ips[1].prefix, buf, sizeof(buf)), "2001:db8::/32");
		CHECK(r.ips[1].maxlen == 32);
	}
	free(r.ips);
	/* maxLength below the prefix length */
	memset(&r, 0, sizeof(r));
	fixed[27] = 0x10;
	CHECK(val_roa_econtent(fixed, sizeof(fixed), "roa", &r) < 0);
	free(r.ips);
	/* maxLength 33 */
	memset(&r, 0, sizeof(r));
	fixed[27] = 0x21;
	CHECK(val_roa_econtent(fixed, sizeof(fixed), "roa", &r) < 0);
	free(r.ips);
	/* explicit version 0 is not DER */
	memset(&r, 0, sizeof(r));
	static const uint8_t v0[] = { 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01, 0x30, 0x00 };
	CHECK(val_roa_econtent(v0, sizeof(v0), "v0", &r) < 0);
	free(r.ips);
	/* no address families */
	memset(&r, 0, sizeof(r));
	static const uint8_t empty[] = { 0x30, 0x05, 0x02, 0x01, 0x01, 0x30, 0x00 };
	CHECK(val_roa_econtent(empty, sizeof(empty), "empty", &r) < 0);
	free(r.ips);
	/* truncated */
	for (size_t n = 0; n < sizeof(fixed); n++) {
		memset(&r, 0, sizeof(r));
		CHECK(val_roa_econtent(fixed, n, "cut", &r) < 0);
		free(r.ips);
	}
}

static void test_aspa_econtent(void)
{
	struct val_aspa a;
	/* profile -16+: version [0] 1, customer 65000, providers 64496, 64497 */
	static const uint8_t v1[] = { 0x30, 0x16, 0xa0, 0x03, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0xfd, 0xe8,
				      0x30, 0x0a, 0x02, 0x03, 0x00, 0xfb, 0xf0, 0x02, 0x03, 0x00, 0xfb, 0xf1 };
	/* profile -08..-14: customer 65000, providers {64496}, {64497, afiLimit IPv6} */
	static const uint8_t v0[] = { 0x30, 0x19, 0x02, 0x03, 0x00, 0xfd, 0xe8, 0x30, 0x12, 0x30, 0x05, 0x02, 0x03,
				      0x00, 0xfb, 0xf0, 0x30, 0x09, 0x02, 0x03, 0x00, 0xfb, 0xf1, 0x04, 0x02, 0x00, 0x02 };
	uint8_t bad[sizeof(v1)];

	memset(&a, 0, sizeof(a));
	CHECK(val_aspa_econtent(v1, sizeof(v1), "v1", &a) == 0);
	CHECK(a.profile == 1 && a.customer == 65000 && a.nproviders == 2 && a.providers[0] == 64496 &&
	      a.providers[1] == 64497);
	free(a.providers);
	free(a.afi);
	memset(&a, 0, sizeof(a));
	CHECK(val_aspa_econtent(v0, sizeof(v0), "v0", &a) == 0);
	CHECK(a.profile == 0 && a.customer == 65000 && a.nproviders == 2 && a.afi[0] == 0 && a.afi[1] == 2);
	free(a.providers);
	free(a.afi);
	/* providers out of order */
	memcpy(bad, v1, sizeof(v1));
	bad[18] = 0xf2;
	memset(&a, 0, sizeof(a));
	CHECK(val_aspa_econtent(bad, sizeof(bad), "order", &a) < 0);
	free(a.providers);
	free(a.afi);
	/* the customer among its providers */
	memcpy(bad, v1, sizeof(v1));
	bad[17] = 0xfd;
	bad[18] = 0xe8;
	memset(&a, 0, sizeof(a));
	CHECK(val_aspa_econtent(bad, sizeof(bad), "self", &a) < 0);
	free(a.providers);
	free(a.afi);
	/* version 2 */
	memcpy(bad, v1, sizeof(v1));
	bad[6] = 2;
	memset(&a, 0, sizeof(a));
	CHECK(val_aspa_econtent(bad, sizeof(bad), "v2", &a) < 0);
	free(a.providers);
	free(a.afi);
}

static void test_mft_econtent(void)
{
	struct val_mft m;
	uint8_t buf[256];
	size_t n = 0;

	/* number 1, this/next update, sha256, files: a.crl and b.roa */
	static const uint8_t head[] = { 0x02, 0x01, 0x01 };
	static const char this_t[] = "20240101000000Z", next_t[] = "20240102000000Z";
	uint8_t body[200];
	size_t b = 0;
	memcpy(body + b, head, sizeof(head));
	b += sizeof(head);
	body[b++] = 0x18;
	body[b++] = 15;
	memcpy(body + b, this_t, 15);
	b += 15;
	body[b++] = 0x18;
	body[b++] = 15;
	memcpy(body + b, next_t, 15);
	b += 15;
	static const uint8_t alg[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	memcpy(body + b, alg, sizeof(alg));
	b += sizeof(alg);
	body[b++] = 0x30;
	body[b++] = 2 * (2 + 2 + 5 + 2 + 33);
	for (int i = 0; i < 2; i++) {
		body[b++] = 0x30;
		body[b++] = 2 + 5 + 2 + 33;
		body[b++] = 0x16;
		body[b++] = 5;
		memcpy(body + b, i == 0 ? "a.crl" : "b.roa", 5);
		b += 5;
		body[b++] = 0x03;
		body[b++] = 33;
		body[b++] = 0;
		memset(body + b, i + 1, 32);
		b += 32;
	}
	buf[n++] = 0x30;
	buf[n++] = 0x81;
	buf[n++] = (uint8_t)b;
	memcpy(buf + n, body, b);
	n += b;
	memset(&m, 0, sizeof(m));
	CHECK(val_mft_econtent(buf, n, "mft", &m) == 0);
	CHECK(m.nfiles == 2 && m.crl == 0 && m.next_update - m.this_update == 86400);
	CHECK(m.nfiles == 2 && strcmp(m.files[1].name, "b.roa") == 0 && m.files[1].hash[0] == 2);
	for (size_t i = 0; i < m.nfiles; i++)
		free(m.files[i].name);
	free(m.files);
	/* the same file twice */
	memcpy(buf + n - 35 - 5, "a.crl", 5);
	memset(&m, 0, sizeof(m));
	CHECK(val_mft_econtent(buf, n, "dup", &m) < 0);
	for (size_t i = 0; i < m.nfiles; i++)
		free(m.files[i].name);
	free(m.files);
	/* a path in a file name */
	memcpy(buf + n - 35 - 5, "../ro", 5);
	memset(&m, 0, sizeof(m));
	CHECK(val_mft_econtent(buf, n, "path", &m) < 0);
	for (size_t i = 0; i < m.nfiles; i++)
		free(m.files[i].name);
	free(m.files);
}

static const char tal_key[] =
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAmW7dIJIoNIskEO26Wh04\n"
	"42kDj8R9cfUw1FlR4QAkGjtMUkgWZBndPx7CTvZH4uXGcBFQQB60Vzh+1DZLNlH/\n"
	"FDoHI70X5s+bFIwmajqiPlUQ8Al2Pu3TygiB8d/tJ3qcEsFXjVlu1LGsKMu+6ULq\n"
	"9bD44LAXXMAOYwK+l7U6Pf4jzpMnL1yozOptXs0R0h80g33c37QCOrxwpxgL6CMH\n"
	"ifGdESV7ZD3yq/bQtOsoQIpwPN9Vj11riY1tlZtq4xElHMHC0AK7Ncse8KG/Rl7x\n"
	"HZKs7H8KBvoV/rb72aeD0kKudR8aOP1AmQIINRnmTRdz331Tk+EpNi1rlJUk1qaK\n"
	"8wIDAQAB\n";

static void test_tal(void)
{
	char buf[2048];
	struct val_tal *t;

	snprintf(buf, sizeof(buf), "# comment\n# more\nhttps://h.example/ta.cer\nrsync://h.example/m/ta.cer\n\n%s",
		 tal_key);
	t = val_tal_parse(buf, strlen(buf), "/etc/tals/example.tal");
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_STR(t->name, "example");
		CHECK(t->nuris == 2);
		CHECK_STR(t->uris[0], "https://h.example/ta.cer");
		CHECK(t->spki_len == 294);
	}
	val_tal_free(t);
	/* CRLF line ends */
	snprintf(buf, sizeof(buf), "rsync://h.example/m/ta.cer\r\n\r\n%s", tal_key);
	t = val_tal_parse(buf, strlen(buf), "crlf.tal");
	CHECK(t != NULL && t->nuris == 1 && strcmp(t->name, "crlf") == 0);
	val_tal_free(t);
	/* no empty line */
	snprintf(buf, sizeof(buf), "rsync://h.example/m/ta.cer\n%s", tal_key);
	CHECK(val_tal_parse(buf, strlen(buf), "noempty.tal") == NULL);
	/* no URI */
	snprintf(buf, sizeof(buf), "\n%s", tal_key);
	CHECK(val_tal_parse(buf, strlen(buf), "nouri.tal") == NULL);
	/* other scheme */
	snprintf(buf, sizeof(buf), "http://h.example/ta.cer\n\n%s", tal_key);
	CHECK(val_tal_parse(buf, strlen(buf), "http.tal") == NULL);
	/* traversal in the URI */
	snprintf(buf, sizeof(buf), "rsync://h.example/m/../ta.cer\n\n%s", tal_key);
	CHECK(val_tal_parse(buf, strlen(buf), "dots.tal") == NULL);
	/* broken key */
	snprintf(buf, sizeof(buf), "rsync://h.example/m/ta.cer\n\nMIIBIjANBgkq\n");
	CHECK(val_tal_parse(buf, strlen(buf), "key.tal") == NULL);
	snprintf(buf, sizeof(buf), "rsync://h.example/m/ta.cer\n\n%s!", tal_key);
	CHECK(val_tal_parse(buf, strlen(buf), "b64.tal") == NULL);
	/* a NUL byte */
	snprintf(buf, sizeof(buf), "rsync://h.example/m/ta.cer\n\n%s", tal_key);
	buf[5] = '\0';
	CHECK(val_tal_parse(buf, strlen(buf + 6) + 6, "nul.tal") == NULL);
}

/* The library's results as the daemon takes them: ROA set, RTR payload, JSON, CSV. */
static void test_output(void)
{
	struct val_output *out = xcalloc(1, sizeof(*out));
	struct roa_set *set;
	struct rtr_set *rs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	out->ntas = 2;
	out->tas = xcalloc(2, sizeof(char *));
	out->tas[0] = xstrdup("ripe");
	out->tas[1] = xstrdup("arin \"x\"");
	out->nvrps = 2;
	out->vrps = xcalloc(2, sizeof(*out->vrps));
	CHECK(ip_prefix_parse("192.0.2.0/24", 12, &out->vrps[0].prefix, true) == 0);
	out->vrps[0].maxlen = 24;
	out->vrps[0].asn = 64496;
	out->vrps[0].expires = 1700000000;
	CHECK(ip_prefix_parse("2001:db8::/32", 13, &out->vrps[1].prefix, true) == 0);
	out->vrps[1].maxlen = 48;
	out->vrps[1].asn = 64497;
	out->vrps[1].ta = 1;
	out->nvaps = 1;
	out->vaps = xcalloc(1, sizeof(*out->vaps));
	out->vaps[0].customer = 65000;
	out->vaps[0].nproviders = 2;
	out->vaps[0].providers = xcalloc(2, sizeof(uint32_t));
	out->vaps[0].providers[0] = 64496;
	out->vaps[0].providers[1] = 64497;
	out->nbrks = 1;
	out->brks = xcalloc(1, sizeof(*out->brks));
	out->brks[0].asn = 64500;
	out->brks[0].ski[0] = 0xab;
	out->brks[0].spki_len = 3;
	out->brks[0].spki = xmalloc(3);
	memcpy(out->brks[0].spki, "abc", 3);

	set = val_output_roa_set(out, NULL);
	CHECK(set != NULL && roa_set_count(set) == 2);
	if (set != NULL) {
		CHECK_STR(roa_set_ta(set, 1), "arin \"x\"");
		struct ip_prefix p;
		CHECK(ip_prefix_parse("192.0.2.0/24", 12, &p, true) == 0);
		CHECK(roa_validate(set, &p, 64496) == RPKI_VALID);
		CHECK(roa_validate(set, &p, 64497) == RPKI_INVALID);
	}
	roa_set_free(set);
	rs = rtr_set_new();
	CHECK(val_output_rtr(out, rs) == 0 && rs->nvrps == 2 && rs->naspas == 1 && rs->nkeys == 1);
	rtr_set_free(rs);

	f = open_memstream(&buf, &len);
	CHECK(val_output_csv(out, f) == 0);
	fclose(f);
	CHECK_STR(buf, "ASN,IP Prefix,Max Length,Trust Anchor\nAS64496,192.0.2.0/24,24,ripe\n"
		  "AS64497,2001:db8::/32,48,arin \"x\"\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	CHECK(val_output_json(out, f) == 0);
	fclose(f);
	CHECK(strstr(buf, "{ \"asn\": 64496, \"prefix\": \"192.0.2.0/24\", \"maxLength\": 24, \"ta\": \"ripe\", "
			  "\"expires\": 1700000000 }") != NULL);
	CHECK(strstr(buf, "\"ta\": \"arin \\\"x\\\"\"") != NULL);	/* escaped */
	CHECK(strstr(buf, "{ \"customer_asid\": 65000, \"expires\": 0, \"providers\": [64496, 64497] }") != NULL);
	CHECK(strstr(buf, "{ \"asn\": 64500, \"ski\": \"AB00000000000000000000000000000000000000\", "
			  "\"pubkey\": \"YWJj\"") != NULL);
	CHECK(strstr(buf, "\"metadata\": {") != NULL && strstr(buf, "\"bgpsec_keys\": [") != NULL);
	free(buf);
	val_output_free(out);
}

int main(void)
{
	log_init("rpki_val_der_test");
	log_set_level(LOG_LVL_ERROR);	/* rejections are expected here */
	TEST_RUN(test_der_read);
	TEST_RUN(test_der_values);
	TEST_RUN(test_der_seq);
	TEST_RUN(test_ber);
	TEST_RUN(test_util);
	TEST_RUN(test_resources);
	TEST_RUN(test_roa_econtent);
	TEST_RUN(test_aspa_econtent);
	TEST_RUN(test_mft_econtent);
	TEST_RUN(test_tal);
	TEST_RUN(test_output);
	return test_summary("rpki_val_der_test");
}
