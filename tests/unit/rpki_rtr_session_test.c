/*
 * rpki_rtr_session_test.c - the per-router state machine: queries,
 * version negotiation and downgrade, every Error Report the cache sends and
 * whether it ends the session, partial reads, Error Reports from the
 * router, Serial Notify rate limit, stall detection, back-pressure; and the
 * router-side client's own error codes (6, 7, 8, 9, 0).
 */
#include <stdint.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"
#include "tests/unit/testlib.h"
#include "tests/unit/rpki_rtr_test.h"

static const uint16_t sids[RTR_NVERSIONS] = { 200, 201, 202 };

struct fx {
	struct rtr_cache *c;
	struct evbuffer *in, *out;
	struct rtr_session *s;
	struct pdus p;
};

static void
fx_open(struct fx *f, bool data)
{
	struct rtr_cache_config cfg = RTR_CACHE_CONFIG_DEFAULT;
	struct rtr_set *set;
	uint32_t prov[] = { 65001 };
	uint8_t ski[20] = { 7 }, spki[2] = { 0x30, 0 };

	memset(f, 0, sizeof(*f));
	f->c = rtr_cache_new(&cfg);
	rtr_cache_set_identity(f->c, sids, 50);
	if (data) {
		set = rtr_set_new();
		add_vrp(set, "192.0.2.0/24", 24, 64496);
		add_vrp(set, "2001:db8::/32", 32, 64496);
		rtr_set_add_aspa(set, 64496, prov, 1);
		rtr_set_add_router_key(set, ski, 64496, spki, 2);
		rtr_cache_update(f->c, set, 0);
	}
	f->in = evbuffer_new();
	f->out = evbuffer_new();
	f->s = rtr_session_new(f->c, f->out, "192.0.2.9:4000");
}

static void
fx_close(struct fx *f)
{
	rtr_session_free(f->s);
	rtr_cache_free(f->c);
	evbuffer_free(f->in);
	evbuffer_free(f->out);
	pdus_free(&f->p);
}

/* Feed bytes, return the status; the answer is parsed into f->p. */
static enum rtr_session_status
feed(struct fx *f, const void *buf, size_t len)
{
	enum rtr_session_status st;

	evbuffer_add(f->in, buf, len);
	st = rtr_session_input(f->s, f->in, 0);
	pdus_free(&f->p);
	pdus_read(&f->p, f->out);
	return st;
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

/* One Error Report with this code and version, and the session status. */
static void
expect_error(struct fx *f, enum rtr_session_status st, int want_st, int code, int version,
    const char *what)
{
	CHECK_MSG((int)st == want_st, "%s: status %d, want %d", what, (int)st, want_st);
	CHECK_MSG(f->p.n == 1 && f->p.bad == 0 && f->p.pdu[0].type == RTR_PDU_ERROR_REPORT,
	    "%s: %zu PDUs, first type %d", what, f->p.n, f->p.n ? f->p.pdu[0].type : -1);
	if (f->p.n == 1 && f->p.pdu[0].type == RTR_PDU_ERROR_REPORT) {
		CHECK_MSG(f->p.pdu[0].session_id == code, "%s: code %u, want %d", what,
		    f->p.pdu[0].session_id, code);
		CHECK_MSG(f->p.pdu[0].version == version, "%s: version %u, want %d", what,
		    f->p.pdu[0].version, version);
		CHECK_MSG(f->p.pdu[0].u.error.pdu_len >= 4 || code == RTR_ERR_NO_DATA_AVAILABLE,
		    "%s: erroneous PDU not encapsulated", what);
		CHECK_MSG(f->p.pdu[0].u.error.text_len > 0, "%s: no text", what);
	}
}

static void
test_reset_each_version(void)
{
	struct fx f;
	uint8_t q[12];
	unsigned v;

	for (v = 0; v <= 2; v++) {
		fx_open(&f, true);
		CHECK_INT(rtr_session_version(f.s), -1);
		CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, (uint8_t)v)) == RTR_SESSION_OK);
		CHECK_INT(rtr_session_version(f.s), v);
		CHECK(f.p.bad == 0 && f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE &&
		    f.p.pdu[0].session_id == sids[v] && f.p.pdu[0].version == v);
		CHECK(f.p.pdu[f.p.n - 1].type == RTR_PDU_END_OF_DATA &&
		    f.p.pdu[f.p.n - 1].length == (v == 0 ? 12 : 24) &&
		    f.p.pdu[f.p.n - 1].session_id == sids[v] && f.p.pdu[f.p.n - 1].u.eod.serial == 50);
		CHECK_INT(f.p.count[RTR_PDU_IPV4_PREFIX], 1);
		CHECK_INT(f.p.count[RTR_PDU_IPV6_PREFIX], 1);
		CHECK_INT(f.p.count[RTR_PDU_ROUTER_KEY], v >= 1);
		CHECK_INT(f.p.count[RTR_PDU_ASPA], v >= 2);
		CHECK_STR(rtr_session_name(f.s), "192.0.2.9:4000");
		fx_close(&f);
	}
}

static void
test_serial_queries(void)
{
	struct fx f;
	uint8_t q[12];
	struct rtr_set *set;

	fx_open(&f, true);
	/* current serial, not yet established: empty delta */
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 1, 201, 50)) == RTR_SESSION_OK);
	CHECK(f.p.n == 2 && f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE &&
	    f.p.pdu[1].type == RTR_PDU_END_OF_DATA && f.p.pdu[1].u.eod.serial == 50);
	/* a future serial, an unknown old one: Cache Reset, session goes on */
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 1, 201, 51)) == RTR_SESSION_OK);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_CACHE_RESET && f.p.pdu[0].version == 1);
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 1, 201, 3)) == RTR_SESSION_OK);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_CACHE_RESET);
	/* an old serial with a delta */
	set = rtr_set_new();
	add_vrp(set, "192.0.2.0/24", 24, 64496);
	rtr_cache_update(f.c, set, 0);
	pdus_free(&f.p);
	pdus_read(&f.p, f.out);		/* the Serial Notify */
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_SERIAL_NOTIFY && f.p.pdu[0].u.serial == 51 &&
	    f.p.pdu[0].session_id == 201 && f.p.pdu[0].version == 1);
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 1, 201, 50)) == RTR_SESSION_OK);
	CHECK(f.p.n == 4 && f.p.pdu[1].type == RTR_PDU_IPV6_PREFIX && f.p.pdu[1].u.prefix.flags == 0 &&
	    f.p.pdu[2].type == RTR_PDU_ROUTER_KEY && f.p.pdu[2].u.key.flags == 0 &&
	    f.p.pdu[3].u.eod.serial == 51);
	/* established: a wrong session id is Corrupt Data and ends the session */
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 1, 999, 50)) == RTR_SESSION_CLOSE);
	expect_error(&f, RTR_SESSION_CLOSE, RTR_SESSION_CLOSE, RTR_ERR_CORRUPT_DATA, 1,
	    "session id mismatch");
	/* after that nothing is answered */
	CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, 1)) == RTR_SESSION_CLOSE && f.p.n == 0);
	CHECK(evbuffer_get_length(f.in) == 0);
	{
		struct rtr_cache_stats st;

		rtr_cache_stats(f.c, &st);
		CHECK(st.serial_queries == 5 && st.reset_queries == 0 && st.cache_resets == 2 &&
		    st.deltas_sent == 1 && st.notifies_sent == 1 && st.errors_sent == 1 &&
		    st.errors_received == 0);
	}
	fx_close(&f);

	/* not established: a wrong session id is a Cache Reset */
	fx_open(&f, true);
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 2, 201, 50)) == RTR_SESSION_OK);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_CACHE_RESET && f.p.pdu[0].version == 2);
	/* v1's session id in a v2 session is wrong too (ids are per version) */
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 2, 202, 50)) == RTR_SESSION_OK);
	CHECK(f.p.n == 2 && f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE);
	fx_close(&f);
}

static void
test_no_data(void)
{
	struct fx f;
	uint8_t q[12];
	struct rtr_set *set;

	fx_open(&f, false);
	CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, 2)) == RTR_SESSION_OK);
	expect_error(&f, RTR_SESSION_OK, RTR_SESSION_OK, RTR_ERR_NO_DATA_AVAILABLE, 2, "no data reset");
	CHECK(f.p.pdu[0].u.error.pdu_len == 8);	/* the query, encapsulated */
	CHECK(feed(&f, q, rtr_pdu_put_serial_query(q, 2, 202, 1)) == RTR_SESSION_OK);
	expect_error(&f, RTR_SESSION_OK, RTR_SESSION_OK, RTR_ERR_NO_DATA_AVAILABLE, 2, "no data serial");
	/* the first load notifies the waiting router */
	set = rtr_set_new();
	add_vrp(set, "192.0.2.0/24", 24, 64496);
	rtr_cache_update(f.c, set, 100);
	pdus_free(&f.p);
	pdus_read(&f.p, f.out);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_SERIAL_NOTIFY && f.p.pdu[0].u.serial == 50);
	CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, 2)) == RTR_SESSION_OK);
	CHECK(f.p.n == 3 && f.p.pdu[2].type == RTR_PDU_END_OF_DATA);
	fx_close(&f);
}

static void
test_version_negotiation(void)
{
	struct fx f;
	uint8_t q[16];

	/* too high: Error 4 in our highest version, close */
	fx_open(&f, true);
	hdr(q, 7, RTR_PDU_RESET_QUERY, 0, 8);
	expect_error(&f, feed(&f, q, 8), RTR_SESSION_CLOSE, RTR_ERR_UNSUPPORTED_VERSION, 2, "version 7");
	fx_close(&f);
	fx_open(&f, false);		/* even without data */
	hdr(q, 3, RTR_PDU_SERIAL_QUERY, 0, 12);
	memset(q + 8, 0, 4);
	expect_error(&f, feed(&f, q, 12), RTR_SESSION_CLOSE, RTR_ERR_UNSUPPORTED_VERSION, 2, "version 3");
	fx_close(&f);
	/* downgrade: a v0 router gets v0 */
	fx_open(&f, true);
	CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, 0)) == RTR_SESSION_OK &&
	    f.p.pdu[0].version == 0 && rtr_session_version(f.s) == 0);
	/* then another version: Error 8 in the session's version, close */
	expect_error(&f, feed(&f, q, rtr_pdu_put_serial_query(q, 1, 201, 50)), RTR_SESSION_CLOSE,
	    RTR_ERR_UNEXPECTED_VERSION, 0, "v1 query in a v0 session");
	fx_close(&f);
	fx_open(&f, true);
	CHECK(feed(&f, q, rtr_pdu_put_reset_query(q, 2)) == RTR_SESSION_OK);
	expect_error(&f, feed(&f, q, rtr_pdu_put_reset_query(q, 1)), RTR_SESSION_CLOSE,
	    RTR_ERR_UNEXPECTED_VERSION, 2, "v1 reset in a v2 session");
	fx_close(&f);
	/* a "No Data Available" answer fixes the version too */
	fx_open(&f, false);
	feed(&f, q, rtr_pdu_put_reset_query(q, 1));
	expect_error(&f, feed(&f, q, rtr_pdu_put_reset_query(q, 2)), RTR_SESSION_CLOSE,
	    RTR_ERR_UNEXPECTED_VERSION, 1, "v2 after v1 without data");
	fx_close(&f);
}

/* Every PDU a router must not send, every bad length: the code the RFC
 * names, the erroneous PDU encapsulated, the session closed. */
static void
test_bad_pdus(void)
{
	static const struct {
		const char *what;
		uint8_t ver, type;
		uint32_t len;
		size_t send;
		int code;
	} cases[] = {
		{ "type 99", 1, 99, 8, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE },
		{ "type 5", 1, 5, 8, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE },
		{ "type 255, absurd length", 2, 255, 0x7ffffff0, 8, RTR_ERR_UNSUPPORTED_PDU_TYPE },
		{ "router key in v0", 0, RTR_PDU_ROUTER_KEY, 40, 40, RTR_ERR_UNSUPPORTED_PDU_TYPE },
		{ "ASPA in v1", 1, RTR_PDU_ASPA, 16, 16, RTR_ERR_UNSUPPORTED_PDU_TYPE },
		{ "ASPA in v2", 2, RTR_PDU_ASPA, 16, 16, RTR_ERR_INVALID_REQUEST },
		{ "router key in v1", 1, RTR_PDU_ROUTER_KEY, 40, 40, RTR_ERR_INVALID_REQUEST },
		{ "IPv4 prefix", 1, RTR_PDU_IPV4_PREFIX, 20, 20, RTR_ERR_INVALID_REQUEST },
		{ "IPv6 prefix", 0, RTR_PDU_IPV6_PREFIX, 32, 32, RTR_ERR_INVALID_REQUEST },
		{ "cache response", 1, RTR_PDU_CACHE_RESPONSE, 8, 8, RTR_ERR_INVALID_REQUEST },
		{ "serial notify", 1, RTR_PDU_SERIAL_NOTIFY, 12, 12, RTR_ERR_INVALID_REQUEST },
		{ "end of data", 1, RTR_PDU_END_OF_DATA, 24, 24, RTR_ERR_INVALID_REQUEST },
		{ "cache reset", 2, RTR_PDU_CACHE_RESET, 8, 8, RTR_ERR_INVALID_REQUEST },
		{ "absurd length, header only", 1, RTR_PDU_RESET_QUERY, 0x7ffffff0, 8, RTR_ERR_CORRUPT_DATA },
		{ "length 65536", 2, RTR_PDU_SERIAL_QUERY, 65536, 8, RTR_ERR_CORRUPT_DATA },
		{ "length 4", 1, RTR_PDU_RESET_QUERY, 4, 8, RTR_ERR_CORRUPT_DATA },
		{ "length 0", 0, RTR_PDU_RESET_QUERY, 0, 8, RTR_ERR_CORRUPT_DATA },
		{ "reset query of 12", 1, RTR_PDU_RESET_QUERY, 12, 12, RTR_ERR_CORRUPT_DATA },
		{ "reset query of 12, 8 sent", 1, RTR_PDU_RESET_QUERY, 12, 8, RTR_ERR_CORRUPT_DATA },
		{ "serial query of 8", 2, RTR_PDU_SERIAL_QUERY, 8, 8, RTR_ERR_CORRUPT_DATA },
		{ "serial query of 16", 0, RTR_PDU_SERIAL_QUERY, 16, 16, RTR_ERR_CORRUPT_DATA },
	};
	struct fx f;
	uint8_t b[64];
	size_t i;
	int d;

	for (d = 0; d <= 1; d++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			fx_open(&f, d == 1);
			memset(b, 0, sizeof(b));
			hdr(b, cases[i].ver, cases[i].type, 0, cases[i].len);
			expect_error(&f, feed(&f, b, cases[i].send), RTR_SESSION_CLOSE, cases[i].code,
			    cases[i].ver, cases[i].what);
			CHECK_MSG(f.p.n == 0 || f.p.pdu[0].u.error.pdu_len ==
			    (cases[i].send < cases[i].len || cases[i].len < 8 ? cases[i].send : cases[i].len),
			    "%s: encapsulated %u bytes", cases[i].what,
			    f.p.n ? f.p.pdu[0].u.error.pdu_len : 0);
			fx_close(&f);
		}
	/* the same mid-session (version fixed): a query first, then the bad one */
	fx_open(&f, true);
	feed(&f, b, rtr_pdu_put_reset_query(b, 1));
	hdr(b, 1, RTR_PDU_IPV4_PREFIX, 0, 20);
	expect_error(&f, feed(&f, b, 20), RTR_SESSION_CLOSE, RTR_ERR_INVALID_REQUEST, 1,
	    "prefix mid-session");
	fx_close(&f);
	/* a non-zero reserved field is ignored (8210bis 5) */
	fx_open(&f, true);
	hdr(b, 1, RTR_PDU_RESET_QUERY, 0x1234, 8);
	CHECK(feed(&f, b, 8) == RTR_SESSION_OK && f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE);
	fx_close(&f);
}

static void
test_partial_and_pipelined(void)
{
	struct fx f;
	uint8_t q[32];
	size_t n, i;

	fx_open(&f, true);
	n = rtr_pdu_put_serial_query(q, 1, 201, 50);
	for (i = 0; i + 1 < n; i++) {
		CHECK(feed(&f, q + i, 1) == RTR_SESSION_OK);
		CHECK_MSG(f.p.n == 0, "answered after %zu of %zu bytes", i + 1, n);
	}
	CHECK(feed(&f, q + n - 1, 1) == RTR_SESSION_OK && f.p.n == 2 &&
	    f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE);
	/* two queries in one read, and half a third */
	n = rtr_pdu_put_reset_query(q, 1);
	n += rtr_pdu_put_serial_query(q + n, 1, 201, 50);
	n += rtr_pdu_put_reset_query(q + n, 1);
	CHECK(feed(&f, q, n - 3) == RTR_SESSION_OK);
	CHECK(f.p.bad == 0 && f.p.count[RTR_PDU_CACHE_RESPONSE] == 2 &&
	    f.p.count[RTR_PDU_END_OF_DATA] == 2);
	CHECK_INT(evbuffer_get_length(f.in), 5);
	CHECK(feed(&f, q + n - 3, 3) == RTR_SESSION_OK && f.p.count[RTR_PDU_END_OF_DATA] == 1);
	fx_close(&f);
}

static void
test_router_error_reports(void)
{
	struct fx f;
	uint8_t b[64];
	size_t n;

	/* fatal code: closed, never answered */
	fx_open(&f, true);
	n = rtr_pdu_put_error_report(b, 1, RTR_ERR_CORRUPT_DATA, b, 0, "bad");
	CHECK(feed(&f, b, n) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	/* non-fatal No Data: ignored, the session goes on */
	fx_open(&f, true);
	n = rtr_pdu_put_error_report(b, 1, RTR_ERR_NO_DATA_AVAILABLE, NULL, 0, "hm");
	CHECK(feed(&f, b, n) == RTR_SESSION_OK && f.p.n == 0);
	CHECK(feed(&f, b, rtr_pdu_put_reset_query(b, 1)) == RTR_SESSION_OK &&
	    f.p.pdu[0].type == RTR_PDU_CACHE_RESPONSE);
	fx_close(&f);
	/* corrupt inner lengths: closed, never answered */
	fx_open(&f, true);
	hdr(b, 1, RTR_PDU_ERROR_REPORT, 0, 24);
	memset(b + 8, 0, 16);
	b[10] = 3;		/* encapsulated length 768 */
	CHECK(feed(&f, b, 24) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	/* too short to be an Error Report, or an unknown version: closed, silent */
	fx_open(&f, true);
	hdr(b, 1, RTR_PDU_ERROR_REPORT, 0, 12);
	CHECK(feed(&f, b, 12) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	fx_open(&f, true);
	n = rtr_pdu_put_error_report(b, 9, RTR_ERR_NO_DATA_AVAILABLE, NULL, 0, NULL);
	CHECK(feed(&f, b, n) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	/* another version than the session's: closed, silent */
	fx_open(&f, true);
	feed(&f, b, rtr_pdu_put_reset_query(b, 2));
	n = rtr_pdu_put_error_report(b, 1, RTR_ERR_NO_DATA_AVAILABLE, NULL, 0, NULL);
	CHECK(feed(&f, b, n) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	/* an unknown error code is fatal (8210bis 12) */
	fx_open(&f, true);
	n = rtr_pdu_put_error_report(b, 1, RTR_ERR_CACHE_RESTART, NULL, 0, NULL);
	CHECK(feed(&f, b, n) == RTR_SESSION_CLOSE && f.p.n == 0);
	fx_close(&f);
	fx_open(&f, true);
	n = rtr_pdu_put_error_report(b, 2, RTR_ERR_CACHE_RESTART, NULL, 0, NULL);
	CHECK(feed(&f, b, n) == RTR_SESSION_OK && f.p.n == 0);
	fx_close(&f);
}

static void
test_notify_rate_limit(void)
{
	struct fx f;
	uint8_t q[12];
	struct rtr_set *set;
	struct rtr_session *idle;
	struct evbuffer *idle_out = evbuffer_new();
	int i;

	fx_open(&f, true);
	idle = rtr_session_new(f.c, idle_out, "idle");	/* never queried: no notify */
	feed(&f, q, rtr_pdu_put_reset_query(q, 1));
	for (i = 0; i < 3; i++) {
		set = rtr_set_new();
		add_vrp(set, "10.0.0.0/8", 8, (uint32_t)i);
		rtr_cache_update(f.c, set, 1000 + i * 10);
	}
	pdus_free(&f.p);
	pdus_read(&f.p, f.out);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_SERIAL_NOTIFY && f.p.pdu[0].u.serial == 51);
	CHECK(rtr_session_tick(f.s, 1030) == RTR_SESSION_OK && evbuffer_get_length(f.out) == 0);
	CHECK(rtr_session_tick(f.s, 1060) == RTR_SESSION_OK);
	pdus_free(&f.p);
	pdus_read(&f.p, f.out);
	CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_SERIAL_NOTIFY && f.p.pdu[0].u.serial == 53);
	CHECK(rtr_session_tick(f.s, 2000) == RTR_SESSION_OK && evbuffer_get_length(f.out) == 0);
	CHECK(rtr_session_tick(idle, 2000) == RTR_SESSION_OK);
	CHECK_INT(evbuffer_get_length(idle_out), 0);
	rtr_session_free(idle);
	evbuffer_free(idle_out);
	fx_close(&f);
}

static int out_calls;

static void
out_cb(struct rtr_session *s, void *arg)
{
	(void)s;
	(void)arg;
	out_calls++;
}

static void
test_stall_backpressure_shutdown(void)
{
	struct fx f;
	uint8_t q[12];
	struct rtr_cache_stats st;

	/* a big answer nobody reads: no further query is read, then a drop */
	fx_open(&f, false);
	rtr_cache_update(f.c, gen_set(20000, 3), 0);
	evbuffer_add(f.in, q, rtr_pdu_put_reset_query(q, 2));
	evbuffer_add(f.in, q, rtr_pdu_put_reset_query(q, 2));
	CHECK(rtr_session_input(f.s, f.in, 0) == RTR_SESSION_OK);
	CHECK(rtr_session_queued(f.s) > RTR_SESSION_HIGH_WATER);
	CHECK(!rtr_session_wants_input(f.s));
	CHECK_INT(evbuffer_get_length(f.in), 8);		/* the second query waits */
	CHECK(rtr_session_tick(f.s, 10) == RTR_SESSION_OK);
	evbuffer_drain(f.out, 1000);				/* some progress */
	CHECK(rtr_session_tick(f.s, 1000) == RTR_SESSION_OK);
	CHECK(rtr_session_tick(f.s, 2700) == RTR_SESSION_OK);
	CHECK(rtr_session_tick(f.s, 2801) == RTR_SESSION_DROP);	/* > 3 x 600 s */
	fx_close(&f);

	/* draining lets the next query through */
	fx_open(&f, false);
	rtr_cache_update(f.c, gen_set(20000, 3), 0);
	evbuffer_add(f.in, q, rtr_pdu_put_reset_query(q, 1));
	evbuffer_add(f.in, q, rtr_pdu_put_reset_query(q, 1));
	rtr_session_input(f.s, f.in, 0);
	evbuffer_drain(f.out, evbuffer_get_length(f.out));
	CHECK(rtr_session_wants_input(f.s));
	CHECK(rtr_session_input(f.s, f.in, 0) == RTR_SESSION_OK && evbuffer_get_length(f.in) == 0);
	CHECK(rtr_session_queued(f.s) > 20000 * 20);
	fx_close(&f);

	/* Cache Restart goes to v2 sessions only; Cache Shutdown ends them */
	fx_open(&f, true);
	{
		struct evbuffer *o1 = evbuffer_new();
		struct rtr_session *v1 = rtr_session_new(f.c, o1, "v1");
		struct evbuffer *i1 = evbuffer_new();

		rtr_session_set_output_cb(f.s, out_cb, NULL);
		evbuffer_add(i1, q, rtr_pdu_put_reset_query(q, 1));
		rtr_session_input(v1, i1, 0);
		evbuffer_drain(o1, evbuffer_get_length(o1));
		feed(&f, q, rtr_pdu_put_reset_query(q, 2));
		rtr_cache_shutdown(f.c, true);
		pdus_free(&f.p);
		pdus_read(&f.p, f.out);
		CHECK(f.p.n == 1 && f.p.pdu[0].type == RTR_PDU_ERROR_REPORT &&
		    f.p.pdu[0].session_id == RTR_ERR_CACHE_RESTART);
		CHECK_INT(evbuffer_get_length(o1), 0);
		CHECK(rtr_session_tick(f.s, 0) == RTR_SESSION_OK);	/* non-fatal */
		rtr_cache_shutdown(f.c, false);
		pdus_free(&f.p);
		pdus_read(&f.p, f.out);
		CHECK(f.p.n == 1 && f.p.pdu[0].session_id == RTR_ERR_CACHE_SHUTDOWN);
		CHECK(rtr_session_tick(f.s, 0) == RTR_SESSION_CLOSE);
		CHECK_INT(out_calls, 2);
		rtr_cache_stats(f.c, &st);
		CHECK_INT(st.sessions, 2);
		rtr_session_free(v1);
		evbuffer_free(o1);
		evbuffer_free(i1);
	}
	fx_close(&f);
}

/* ---- the router side ---- */

static enum rtr_client_event
client_feed(struct rtr_client *c, const uint8_t *b, size_t n)
{
	struct evbuffer *in = evbuffer_new();
	enum rtr_client_event ev, last = RTR_CLIENT_NONE;

	evbuffer_add(in, b, n);
	while ((ev = rtr_client_input(c, in)) != RTR_CLIENT_NONE)
		last = ev;
	evbuffer_free(in);
	return last;
}

/* The Error Report the client queued for the cache. */
static int
client_sent_code(struct rtr_client *c)
{
	struct pdus p;
	int code = -1;

	pdus_read(&p, rtr_client_output(c));
	if (p.n >= 1 && p.pdu[p.n - 1].type == RTR_PDU_ERROR_REPORT)
		code = p.pdu[p.n - 1].session_id;
	pdus_free(&p);
	return code;
}

static void
test_client_errors(void)
{
	struct rtr_client *c;
	uint8_t b[256];
	size_t n;
	struct rtr_vrp v = vrp("192.0.2.0/24", 24, 1);
	uint32_t prov[] = { 5, 3 };
	struct rtr_aspa a = { 9, 1, prov };
	uint16_t sid;
	uint32_t serial, r1, r2, r3;

	/* a normal response */
	c = rtr_client_new(2);
	rtr_client_reset_query(c);
	n = rtr_pdu_put_cache_response(b, 2, 77);
	n += rtr_pdu_put_prefix(b + n, 2, 1, &v);
	n += rtr_pdu_put_aspa(b + n, 2, 1, &a);
	n += rtr_pdu_put_end_of_data(b + n, 2, 77, 5, 3600, 600, 7200);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_END_OF_DATA);
	CHECK(rtr_client_synced(c, &sid, &serial) && sid == 77 && serial == 5);
	rtr_client_timers(c, &r1, &r2, &r3);
	CHECK(r1 == 3600 && r2 == 600 && r3 == 7200);
	CHECK_INT(rtr_client_count(c), 2);
	client_sent_code(c);			/* drop the query */
	/* duplicate announcement: 7 */
	rtr_client_serial_query(c);
	n = rtr_pdu_put_cache_response(b, 2, 77);
	n += rtr_pdu_put_prefix(b + n, 2, 1, &v);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(rtr_client_code(c), RTR_ERR_DUPLICATE_ANNOUNCEMENT);
	CHECK_INT(client_sent_code(c), RTR_ERR_DUPLICATE_ANNOUNCEMENT);
	CHECK_INT(rtr_client_count(c), 0);	/* fatal: flushed */
	rtr_client_free(c);

	/* withdrawal of an unknown record: 6 */
	c = rtr_client_new(1);
	rtr_client_reset_query(c);
	n = rtr_pdu_put_cache_response(b, 1, 77);
	n += rtr_pdu_put_prefix(b + n, 1, 0, &v);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(client_sent_code(c), RTR_ERR_UNKNOWN_WITHDRAWAL);
	rtr_client_free(c);

	/* ASPA provider list: 9; ASPA replacement is not a duplicate */
	c = rtr_client_new(2);
	rtr_client_reset_query(c);
	n = rtr_pdu_put_cache_response(b, 2, 1);
	prov[0] = 3;
	prov[1] = 5;
	a.nproviders = 2;
	n += rtr_pdu_put_aspa(b + n, 2, 1, &a);
	n += rtr_pdu_put_aspa(b + n, 2, 1, &a);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_PDU);
	CHECK_INT(rtr_client_count(c), 1);
	prov[0] = 5;
	prov[1] = 3;
	n = rtr_pdu_put_aspa(b, 2, 1, &a);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(client_sent_code(c), RTR_ERR_ASPA_PROVIDER_LIST);
	rtr_client_free(c);

	/* payload outside a response, End of Data of another session: 0 */
	c = rtr_client_new(1);
	n = rtr_pdu_put_prefix(b, 1, 1, &v);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(client_sent_code(c), RTR_ERR_CORRUPT_DATA);
	rtr_client_free(c);
	c = rtr_client_new(1);
	rtr_client_reset_query(c);
	n = rtr_pdu_put_cache_response(b, 1, 1);
	n += rtr_pdu_put_end_of_data(b + n, 1, 2, 5, 3600, 600, 7200);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(rtr_client_code(c), RTR_ERR_CORRUPT_DATA);
	rtr_client_free(c);

	/* version: an answer of v0 to a v1 query is a downgrade; a v1 PDU
	 * afterwards is Unexpected Protocol Version (8) */
	c = rtr_client_new(1);
	rtr_client_reset_query(c);
	n = rtr_pdu_put_cache_response(b, 0, 1);
	n += rtr_pdu_put_end_of_data(b + n, 0, 1, 5, 0, 0, 0);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_END_OF_DATA);
	CHECK_INT(rtr_client_version(c), 0);
	client_sent_code(c);
	n = rtr_pdu_put_serial_notify(b, 1, 1, 6);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	CHECK_INT(client_sent_code(c), RTR_ERR_UNEXPECTED_VERSION);
	rtr_client_free(c);
	/* Error Report 4 offering a lower version: the client adopts it */
	c = rtr_client_new(2);
	n = rtr_pdu_put_serial_notify(b, 1, 1, 6);	/* ignored while negotiating */
	n += rtr_pdu_put_error_report(b + n, 1, RTR_ERR_UNSUPPORTED_VERSION, NULL, 0, "v1 only");
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR_REPORT);
	CHECK_INT(rtr_client_code(c), RTR_ERR_UNSUPPORTED_VERSION);
	CHECK_STR(rtr_client_text(c), "v1 only");
	CHECK_INT(rtr_client_version(c), 1);
	rtr_client_free(c);
	/* a query sent by the cache; an absurd length */
	c = rtr_client_new(1);
	n = rtr_pdu_put_reset_query(b, 1);
	CHECK_INT(client_feed(c, b, n), RTR_CLIENT_ERROR);
	rtr_client_free(c);
	c = rtr_client_new(1);
	hdr(b, 1, RTR_PDU_CACHE_RESPONSE, 0, 1u << 30);
	CHECK_INT(client_feed(c, b, 8), RTR_CLIENT_ERROR);
	CHECK_INT(client_sent_code(c), RTR_ERR_CORRUPT_DATA);
	rtr_client_free(c);
}

int
main(void)
{
	log_init("rpki_rtr_session_test");
	log_set_level(LOG_LVL_CRITICAL);
	TEST_RUN(test_reset_each_version);
	TEST_RUN(test_serial_queries);
	TEST_RUN(test_no_data);
	TEST_RUN(test_version_negotiation);
	TEST_RUN(test_bad_pdus);
	TEST_RUN(test_partial_and_pipelined);
	TEST_RUN(test_router_error_reports);
	TEST_RUN(test_notify_rate_limit);
	TEST_RUN(test_stall_backpressure_shutdown);
	TEST_RUN(test_client_errors);
	return test_summary("rpki_rtr_session_test");
}
