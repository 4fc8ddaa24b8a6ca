/*
 * rpki_rtr_pdu_test.c - the RTR PDU codec: every PDU type in every version,
 * byte-exact encodings, and each rejection with the error code the RFCs
 * name.
 */
#include <stdint.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"
#include "tests/unit/testlib.h"
#include "tests/unit/rpki_rtr_test.h"

static int
parse(const uint8_t *buf, size_t len, struct rtr_pdu *pdu, struct rtr_pdu_error *err)
{
	memset(err, 0, sizeof(*err));
	err->code = 255;
	return rtr_pdu_parse(buf, len, pdu, err);
}

/* Parse must fail with this code. */
static void
expect_reject(const uint8_t *buf, size_t len, int code, const char *what)
{
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	int r = parse(buf, len, &pdu, &err);

	CHECK_MSG(r == -1 && (int)err.code == code, "%s: r=%d code=%d (%s), want %d", what, r,
	    (int)err.code, err.text, code);
	CHECK_MSG(err.text[0] != '\0', "%s: no diagnostic text", what);
}

static void
test_exact_bytes(void)
{
	uint8_t b[64];
	struct rtr_vrp v = vrp("192.0.2.0/24", 24, 64496);
	static const uint8_t v4[] = { 1, 4, 0, 0, 0, 0, 0, 20, 1, 24, 24, 0,
		192, 0, 2, 0, 0, 0, 0xfb, 0xf0 };
	static const uint8_t eod1[] = { 1, 7, 0x12, 0x34, 0, 0, 0, 24, 0, 0, 0, 5,
		0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58, 0, 0, 0x1c, 0x20 };
	static const uint8_t eod0[] = { 0, 7, 0x12, 0x34, 0, 0, 0, 12, 0, 0, 0, 5 };
	static const uint8_t notify[] = { 2, 0, 0xab, 0xcd, 0, 0, 0, 12, 0xff, 0xff, 0xff, 0xfe };
	static const uint8_t reset[] = { 1, 2, 0, 0, 0, 0, 0, 8 };
	static const uint8_t cresp[] = { 0, 3, 0, 9, 0, 0, 0, 8 };
	static const uint8_t creset[] = { 2, 8, 0, 0, 0, 0, 0, 8 };
	static const uint8_t squery[] = { 1, 1, 0, 7, 0, 0, 0, 12, 0, 0, 1, 0 };
	uint32_t prov[] = { 64500, 65000 };
	struct rtr_aspa a = { 64496, 2, prov };
	static const uint8_t aspa[] = { 2, 11, 1, 0, 0, 0, 0, 20, 0, 0, 0xfb, 0xf0,
		0, 0, 0xfb, 0xf4, 0, 0, 0xfd, 0xe8 };
	static const uint8_t aspa_wd[] = { 2, 11, 0, 0, 0, 0, 0, 12, 0, 0, 0xfb, 0xf0 };

	CHECK_INT(rtr_pdu_put_prefix(b, 1, 1, &v), 20);
	CHECK(memcmp(b, v4, 20) == 0);
	CHECK_INT(rtr_pdu_put_end_of_data(b, 1, 0x1234, 5, 3600, 600, 7200), 24);
	CHECK(memcmp(b, eod1, 24) == 0);
	CHECK_INT(rtr_pdu_put_end_of_data(b, 0, 0x1234, 5, 3600, 600, 7200), 12);
	CHECK(memcmp(b, eod0, 12) == 0);
	CHECK_INT(rtr_pdu_put_serial_notify(b, 2, 0xabcd, 0xfffffffe), 12);
	CHECK(memcmp(b, notify, 12) == 0);
	CHECK_INT(rtr_pdu_put_reset_query(b, 1), 8);
	CHECK(memcmp(b, reset, 8) == 0);
	CHECK_INT(rtr_pdu_put_cache_response(b, 0, 9), 8);
	CHECK(memcmp(b, cresp, 8) == 0);
	CHECK_INT(rtr_pdu_put_cache_reset(b, 2), 8);
	CHECK(memcmp(b, creset, 8) == 0);
	CHECK_INT(rtr_pdu_put_serial_query(b, 1, 7, 256), 12);
	CHECK(memcmp(b, squery, 12) == 0);
	/* 8210bis-27 5.12: flags in the header, no AFI, no count. */
	CHECK_INT(rtr_pdu_put_aspa(b, 2, 1, &a), 20);
	CHECK(memcmp(b, aspa, 20) == 0);
	CHECK_INT(rtr_pdu_put_aspa(b, 2, 0, &a), 12);
	CHECK(memcmp(b, aspa_wd, 12) == 0);
	CHECK_INT(rtr_pdu_put_prefix(NULL, 1, 1, &v), 20);
}

static void
test_roundtrip_all_versions(void)
{
	uint8_t b[256], spki[40];
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	struct rtr_vrp v4 = vrp("10.0.0.0/8", 24, 4200000000u), v6 = vrp("2001:db8::/32", 48, 65551);
	struct rtr_router_key key;
	uint32_t prov[] = { 1, 2, 4294967295u };
	struct rtr_aspa a = { 65000, 3, prov };
	unsigned ver;
	size_t n;

	for (ver = 0; ver <= 2; ver++) {
		n = rtr_pdu_put_serial_notify(b, (uint8_t)ver, 77, 123456);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_SERIAL_NOTIFY &&
		    pdu.version == ver && pdu.session_id == 77 && pdu.u.serial == 123456);
		n = rtr_pdu_put_serial_query(b, (uint8_t)ver, 78, 0xffffffff);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_SERIAL_QUERY &&
		    pdu.session_id == 78 && pdu.u.serial == 0xffffffff);
		n = rtr_pdu_put_reset_query(b, (uint8_t)ver);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_RESET_QUERY && pdu.length == 8);
		n = rtr_pdu_put_cache_response(b, (uint8_t)ver, 65535);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_CACHE_RESPONSE &&
		    pdu.session_id == 65535);
		n = rtr_pdu_put_cache_reset(b, (uint8_t)ver);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_CACHE_RESET);
		n = rtr_pdu_put_prefix(b, (uint8_t)ver, 1, &v4);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_IPV4_PREFIX &&
		    pdu.u.prefix.flags == 1 && pdu.u.prefix.vrp.prefix.len == 8 &&
		    pdu.u.prefix.vrp.max_len == 24 && pdu.u.prefix.vrp.asn == 4200000000u &&
		    pdu.u.prefix.vrp.prefix.a[0] == 10 && pdu.u.prefix.vrp.prefix.family == IP_AF4);
		n = rtr_pdu_put_prefix(b, (uint8_t)ver, 0, &v6);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_IPV6_PREFIX && n == 32 &&
		    pdu.u.prefix.flags == 0 && pdu.u.prefix.vrp.prefix.len == 32 &&
		    pdu.u.prefix.vrp.max_len == 48 && pdu.u.prefix.vrp.asn == 65551 &&
		    memcmp(pdu.u.prefix.vrp.prefix.a, v6.prefix.a, 16) == 0);
		n = rtr_pdu_put_end_of_data(b, (uint8_t)ver, 5, 42, 3600, 600, 7200);
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_END_OF_DATA &&
		    pdu.u.eod.serial == 42 && pdu.session_id == 5);
		if (ver == 0)
			CHECK(n == 12 && pdu.u.eod.refresh == 0);
		else
			CHECK(n == 24 && pdu.u.eod.refresh == 3600 && pdu.u.eod.retry == 600 &&
			    pdu.u.eod.expire == 7200);
		n = rtr_pdu_put_error_report(b, (uint8_t)ver, RTR_ERR_NO_DATA_AVAILABLE,
		    (const uint8_t *)"\x01\x02\x00\x00\x00\x00\x00\x08", 8, "no data");
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_ERROR_REPORT &&
		    pdu.session_id == 2 && pdu.u.error.pdu_len == 8 && pdu.u.error.text_len == 7 &&
		    memcmp(pdu.u.error.text, "no data", 7) == 0 && pdu.u.error.pdu[1] == 2);
		n = rtr_pdu_put_error_report(b, (uint8_t)ver, RTR_ERR_INTERNAL_ERROR, NULL, 0, NULL);
		CHECK(n == 16 && parse(b, n, &pdu, &err) == 0 && pdu.u.error.pdu_len == 0 &&
		    pdu.u.error.text_len == 0);
	}

	memset(&key, 0, sizeof(key));
	memset(key.ski, 0xab, sizeof(key.ski));
	memset(spki, 0x30, sizeof(spki));
	key.asn = 64512;
	key.spki = spki;
	key.spki_len = sizeof(spki);
	for (ver = 1; ver <= 2; ver++) {
		n = rtr_pdu_put_router_key(b, (uint8_t)ver, 1, &key);
		CHECK(n == 32 + sizeof(spki));
		CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_ROUTER_KEY &&
		    pdu.u.key.flags == 1 && pdu.u.key.asn == 64512 && pdu.u.key.spki_len == sizeof(spki) &&
		    pdu.u.key.ski[19] == 0xab && pdu.u.key.spki[0] == 0x30);
	}
	n = rtr_pdu_put_router_key(b, 0, 1, &key);
	expect_reject(b, n, RTR_ERR_UNSUPPORTED_PDU_TYPE, "router key in v0");

	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	CHECK(parse(b, n, &pdu, &err) == 0 && pdu.type == RTR_PDU_ASPA && pdu.u.aspa.flags == 1 &&
	    pdu.u.aspa.customer_asn == 65000 && pdu.u.aspa.nproviders == 3 &&
	    rtr_pdu_aspa_provider(&pdu, 0) == 1 && rtr_pdu_aspa_provider(&pdu, 2) == 4294967295u);
	n = rtr_pdu_put_aspa(b, 2, 0, &a);
	CHECK(parse(b, n, &pdu, &err) == 0 && pdu.u.aspa.flags == 0 && pdu.u.aspa.nproviders == 0);
	n = rtr_pdu_put_aspa(b, 1, 1, &a);
	expect_reject(b, n, RTR_ERR_UNSUPPORTED_PDU_TYPE, "ASPA in v1");
	n = rtr_pdu_put_aspa(b, 0, 1, &a);
	expect_reject(b, n, RTR_ERR_UNSUPPORTED_PDU_TYPE, "ASPA in v0");
}

static void
hdr(uint8_t *b, uint8_t ver, uint8_t type, uint16_t field, uint32_t len)
{
	b[0] = ver;
	b[1] = type;
	b[2] = (uint8_t)(field >> 8);
	b[3] = (uint8_t)field;
	b[4] = (uint8_t)(len >> 24);
	b[5] = (uint8_t)(len >> 16);
	b[6] = (uint8_t)(len >> 8);
	b[7] = (uint8_t)len;
}

static void
test_rejections(void)
{
	uint8_t b[128];
	struct rtr_vrp v;
	uint32_t prov[4];
	struct rtr_aspa a = { 65000, 0, prov };
	size_t n;

	memset(b, 0, sizeof(b));
	hdr(b, 3, RTR_PDU_RESET_QUERY, 0, 8);
	expect_reject(b, 8, RTR_ERR_UNSUPPORTED_VERSION, "version 3");
	hdr(b, 255, RTR_PDU_ERROR_REPORT, 0, 16);
	expect_reject(b, 16, RTR_ERR_UNSUPPORTED_VERSION, "version 255");
	hdr(b, 1, 5, 0, 8);
	expect_reject(b, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE, "type 5");
	hdr(b, 1, 99, 0, 8);
	expect_reject(b, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE, "type 99");
	hdr(b, 2, 255, 0, 8);
	expect_reject(b, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE, "type 255");
	hdr(b, 1, RTR_PDU_RESET_QUERY, 0, 12);
	expect_reject(b, 12, RTR_ERR_CORRUPT_DATA, "reset query of 12");
	hdr(b, 1, RTR_PDU_SERIAL_QUERY, 0, 8);
	expect_reject(b, 8, RTR_ERR_CORRUPT_DATA, "serial query of 8");
	hdr(b, 1, RTR_PDU_RESET_QUERY, 0, 4);
	expect_reject(b, 8, RTR_ERR_CORRUPT_DATA, "length 4");
	hdr(b, 1, RTR_PDU_RESET_QUERY, 0, 0x7ffffff0);
	expect_reject(b, 8, RTR_ERR_CORRUPT_DATA, "length 2 GiB");
	hdr(b, 1, RTR_PDU_RESET_QUERY, 0, 8);
	expect_reject(b, 7, RTR_ERR_CORRUPT_DATA, "7 bytes");
	expect_reject(b, 12, RTR_ERR_CORRUPT_DATA, "length field 8, 12 bytes given");
	hdr(b, 0, RTR_PDU_END_OF_DATA, 0, 24);
	expect_reject(b, 24, RTR_ERR_CORRUPT_DATA, "v0 end of data of 24");
	hdr(b, 1, RTR_PDU_END_OF_DATA, 0, 12);
	expect_reject(b, 12, RTR_ERR_CORRUPT_DATA, "v1 end of data of 12");
	hdr(b, 1, RTR_PDU_CACHE_RESPONSE, 0, 12);
	expect_reject(b, 12, RTR_ERR_CORRUPT_DATA, "cache response of 12");
	hdr(b, 1, RTR_PDU_IPV4_PREFIX, 0, 32);
	expect_reject(b, 32, RTR_ERR_CORRUPT_DATA, "IPv4 prefix of 32");
	hdr(b, 1, RTR_PDU_IPV6_PREFIX, 0, 20);
	expect_reject(b, 20, RTR_ERR_CORRUPT_DATA, "IPv6 prefix of 20");
	hdr(b, 1, RTR_PDU_ROUTER_KEY, 0, 32);
	expect_reject(b, 32, RTR_ERR_CORRUPT_DATA, "router key without SPKI");
	hdr(b, 2, RTR_PDU_ASPA, 0x0100, 14);
	expect_reject(b, 14, RTR_ERR_CORRUPT_DATA, "ASPA length 14");
	hdr(b, 2, RTR_PDU_ASPA, 0x0100, 8);
	expect_reject(b, 8, RTR_ERR_CORRUPT_DATA, "ASPA length 8");

	/* prefix contents */
	v = vrp("192.0.2.0/24", 24, 1);
	n = rtr_pdu_put_prefix(b, 1, 1, &v);
	b[9] = 33;
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "prefix length 33");
	b[9] = 25;
	b[10] = 24;
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "prefix length > max length");
	b[9] = 24;
	b[10] = 40;
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "max length 40");
	b[10] = 24;
	b[15] = 1;		/* 192.0.2.1/24 */
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "host bits");
	v = vrp("2001:db8::/32", 128, 1);
	n = rtr_pdu_put_prefix(b, 1, 1, &v);
	b[10] = 129;
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "IPv6 max length 129");
	b[10] = 128;
	b[27] = 1;
	expect_reject(b, n, RTR_ERR_CORRUPT_DATA, "IPv6 host bits");
	v = vrp("0.0.0.0/0", 32, 0);
	n = rtr_pdu_put_prefix(b, 1, 1, &v);
	CHECK(rtr_pdu_parse(b, n, &(struct rtr_pdu){ 0 }, NULL) == 0);

	/* Error Report inner lengths */
	hdr(b, 1, RTR_PDU_ERROR_REPORT, 0, 24);
	memset(b + 8, 0, 16);
	b[11] = 100;		/* encapsulated length past the end */
	expect_reject(b, 24, RTR_ERR_CORRUPT_DATA, "error report encap too long");
	b[11] = 4;
	b[19] = 9;		/* text length 9, 4 left */
	expect_reject(b, 24, RTR_ERR_CORRUPT_DATA, "error report text too long");
	b[19] = 3;
	expect_reject(b, 24, RTR_ERR_CORRUPT_DATA, "error report text too short");
	b[19] = 4;
	CHECK(rtr_pdu_parse(b, 24, &(struct rtr_pdu){ 0 }, NULL) == 0);

	/* ASPA provider lists: 8210bis 5.12, code 9 */
	prov[0] = 10; prov[1] = 5;
	a.nproviders = 2;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	expect_reject(b, n, RTR_ERR_ASPA_PROVIDER_LIST, "descending providers");
	prov[0] = 5; prov[1] = 5;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	expect_reject(b, n, RTR_ERR_ASPA_PROVIDER_LIST, "duplicate provider");
	prov[0] = 0; prov[1] = 5;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	expect_reject(b, n, RTR_ERR_ASPA_PROVIDER_LIST, "AS0 among providers");
	a.nproviders = 1;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	CHECK(rtr_pdu_parse(b, n, &(struct rtr_pdu){ 0 }, NULL) == 0);	/* AS0 alone is fine */
	a.nproviders = 0;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	expect_reject(b, n, RTR_ERR_ASPA_PROVIDER_LIST, "announcement without providers");
	prov[0] = 7;
	a.nproviders = 1;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	b[2] = 0;		/* a withdrawal carrying providers */
	expect_reject(b, n, RTR_ERR_ASPA_PROVIDER_LIST, "withdrawal with providers");
}

static void
test_header_check(void)
{
	struct rtr_pdu_error err;

	CHECK(rtr_pdu_check_header(0, RTR_PDU_RESET_QUERY, 8, &err) == 0);
	CHECK(rtr_pdu_check_header(2, RTR_PDU_ASPA, 12, &err) == 0);
	CHECK(rtr_pdu_check_header(2, RTR_PDU_ASPA, 65532, &err) == 0);
	CHECK(rtr_pdu_check_header(2, RTR_PDU_ERROR_REPORT, 65536, &err) == -1 &&
	    err.code == RTR_ERR_CORRUPT_DATA);
	CHECK(rtr_pdu_check_header(1, RTR_PDU_ROUTER_KEY, 33, &err) == 0);
	CHECK(rtr_pdu_check_header(0, RTR_PDU_ROUTER_KEY, 33, &err) == -1 &&
	    err.code == RTR_ERR_UNSUPPORTED_PDU_TYPE);
	CHECK(rtr_pdu_check_header(3, RTR_PDU_RESET_QUERY, 8, &err) == -1 &&
	    err.code == RTR_ERR_UNSUPPORTED_VERSION);
}

static void
test_error_report_truncation(void)
{
	static uint8_t big[70000];
	uint8_t *b = malloc(70000);
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	size_t n;
	struct evbuffer *e = evbuffer_new();

	memset(big, 0x55, sizeof(big));
	n = rtr_pdu_put_error_report(b, 1, RTR_ERR_CORRUPT_DATA, big, sizeof(big), "too big");
	CHECK_INT(n, RTR_PDU_MAX_LEN);
	CHECK(parse(b, n, &pdu, &err) == 0 && pdu.u.error.pdu_len == RTR_PDU_MAX_LEN - 16 - 7 &&
	    pdu.u.error.text_len == 7);
	CHECK(rtr_pdu_add_error_report(e, 2, RTR_ERR_INVALID_REQUEST, big, 20, "x") == 0);
	CHECK_INT(evbuffer_get_length(e), 16 + 20 + 1);
	evbuffer_free(e);
	free(b);
}

static void
test_serial_arith(void)
{
	CHECK(rtr_serial_lt(1, 2));
	CHECK(!rtr_serial_lt(2, 1));
	CHECK(!rtr_serial_lt(5, 5));
	CHECK(rtr_serial_lt(0xffffffffu, 0));		/* wraps */
	CHECK(rtr_serial_lt(0xfffffff0u, 5));
	CHECK(!rtr_serial_lt(5, 0xfffffff0u));
	CHECK(rtr_serial_lt(0, 0x7fffffffu));
	CHECK(!rtr_serial_lt(0, 0x80000000u));		/* undefined: not less */
	CHECK(!rtr_serial_lt(0x80000000u, 0));
}

static void
test_timers_and_names(void)
{
	char why[128];

	CHECK(rtr_timers_check(3600, 600, 7200, why, sizeof(why)) == 0);
	CHECK(rtr_timers_check(1, 1, 600, why, sizeof(why)) == 0);
	CHECK(rtr_timers_check(86401, 600, 172800, why, sizeof(why)) == -1 && strstr(why, "refresh"));
	CHECK(rtr_timers_check(0, 600, 7200, why, sizeof(why)) == -1);
	CHECK(rtr_timers_check(3600, 7201, 7200, why, sizeof(why)) == -1 && strstr(why, "retry"));
	CHECK(rtr_timers_check(3600, 600, 599, why, sizeof(why)) == -1 && strstr(why, "expire"));
	CHECK(rtr_timers_check(7200, 600, 7200, why, sizeof(why)) == -1 && strstr(why, "larger"));

	CHECK_STR(rtr_error_name(0), "Corrupt Data");
	CHECK_STR(rtr_error_name(2), "No Data Available");
	CHECK_STR(rtr_error_name(8), "Unexpected Protocol Version");
	CHECK_STR(rtr_error_name(13), "Cache Shutdown");
	CHECK_STR(rtr_error_name(14), "unknown");
	CHECK_STR(rtr_pdu_type_name(RTR_PDU_ASPA), "ASPA");
	CHECK_STR(rtr_pdu_type_name(5), "unknown");
	/* section 12: which codes end the session */
	CHECK(!rtr_error_fatal(1, RTR_ERR_NO_DATA_AVAILABLE));
	CHECK(rtr_error_fatal(1, RTR_ERR_CORRUPT_DATA));
	CHECK(rtr_error_fatal(1, RTR_ERR_INTERNAL_ERROR));
	CHECK(rtr_error_fatal(1, RTR_ERR_INVALID_REQUEST));
	CHECK(rtr_error_fatal(1, RTR_ERR_UNSUPPORTED_VERSION));
	CHECK(!rtr_error_fatal(2, RTR_ERR_UNSUPPORTED_VERSION));	/* 8210bis-27 */
	CHECK(rtr_error_fatal(1, RTR_ERR_UNSUPPORTED_PDU_TYPE));
	CHECK(rtr_error_fatal(1, RTR_ERR_UNKNOWN_WITHDRAWAL));
	CHECK(rtr_error_fatal(1, RTR_ERR_DUPLICATE_ANNOUNCEMENT));
	CHECK(rtr_error_fatal(1, RTR_ERR_UNEXPECTED_VERSION));
	CHECK(rtr_error_fatal(2, RTR_ERR_ASPA_PROVIDER_LIST));
	CHECK(!rtr_error_fatal(2, RTR_ERR_CACHE_RESTART));
	CHECK(rtr_error_fatal(2, RTR_ERR_CACHE_SHUTDOWN));
	CHECK(rtr_error_fatal(1, RTR_ERR_CACHE_RESTART));	/* not a v1 code: invalid */
	CHECK(!rtr_error_valid(1, 9) && rtr_error_valid(2, 9) && !rtr_error_valid(2, 14));
}

/* Every file in tests/data/rtr/bad_*.bin must be rejected, every good_*.bin
 * accepted (the fuzz corpus seeds double as regression files). */
static void
test_data_files(void)
{
	static const struct { const char *name; int code; } files[] = {
		{ "bad_absurd_length.bin", RTR_ERR_CORRUPT_DATA },
		{ "bad_aspa_unsorted.bin", RTR_ERR_ASPA_PROVIDER_LIST },
		{ "bad_error_report_inner.bin", RTR_ERR_CORRUPT_DATA },
		{ "bad_version.bin", RTR_ERR_UNSUPPORTED_VERSION },
		{ "good_reset_query_v1.bin", -1 },
		{ "good_serial_query_v2.bin", -1 },
		{ "good_aspa_v2.bin", -1 },
	};
	char path[512];
	size_t i, len;
	char *buf;
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/rtr/%s", test_data_dir(), files[i].name);
		buf = test_slurp(path, &len);
		CHECK_MSG(buf != NULL, "cannot read %s", path);
		if (buf == NULL)
			continue;
		if (files[i].code < 0)
			CHECK_MSG(parse((uint8_t *)buf, len, &pdu, &err) == 0, "%s: %s", path, err.text);
		else
			expect_reject((uint8_t *)buf, len, files[i].code, path);
		free(buf);
	}
}

int
main(void)
{
	log_init("rpki_rtr_pdu_test");
	TEST_RUN(test_exact_bytes);
	TEST_RUN(test_roundtrip_all_versions);
	TEST_RUN(test_rejections);
	TEST_RUN(test_header_check);
	TEST_RUN(test_error_report_truncation);
	TEST_RUN(test_serial_arith);
	TEST_RUN(test_timers_and_names);
	TEST_RUN(test_data_files);
	return test_summary("rpki_rtr_pdu_test");
}
