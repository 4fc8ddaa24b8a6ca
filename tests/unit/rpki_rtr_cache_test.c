/*
 * rpki_rtr_cache_test.c - the served set: normalisation, serials, deltas
 * (announce/withdraw, merged over several serials, Cache Reset beyond the
 * history, serial wrap), PDU ordering (8210bis 11.2), per-version payloads,
 * and the payload blobs shared between sessions. Ends with the figures for
 * 600,000 VRPs.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"
#include "tests/unit/testlib.h"
#include "tests/unit/rpki_rtr_test.h"

static const struct rtr_cache_config cfg_default = RTR_CACHE_CONFIG_DEFAULT;
static const uint16_t sids[RTR_NVERSIONS] = { 100, 101, 102 };

static struct rtr_cache *
new_cache(uint32_t serial)
{
	struct rtr_cache *c = rtr_cache_new(&cfg_default);

	rtr_cache_set_identity(c, sids, serial);
	return c;
}

/* Query the cache as a router would, through a session and a client. */
struct router {
	struct evbuffer *out;		/* session -> client */
	struct rtr_session *s;
	struct rtr_client *cl;
};

static void
router_open(struct router *r, struct rtr_cache *c, uint8_t version)
{
	r->out = evbuffer_new();
	r->s = rtr_session_new(c, r->out, "test");
	r->cl = rtr_client_new(version);
}

static void
router_close(struct router *r)
{
	rtr_session_free(r->s);
	rtr_client_free(r->cl);
	evbuffer_free(r->out);
}

/* Send what the client queued, feed the answer back; the last event. */
static enum rtr_client_event
router_roundtrip(struct router *r)
{
	enum rtr_client_event ev, last = RTR_CLIENT_NONE;

	rtr_session_input(r->s, rtr_client_output(r->cl), 0);
	while ((ev = rtr_client_input(r->cl, r->out)) != RTR_CLIENT_NONE) {
		last = ev;
		if (ev == RTR_CLIENT_ERROR)
			fprintf(stderr, "client error %u: %s\n", rtr_client_code(r->cl),
			    rtr_client_text(r->cl));
	}
	return last;
}

/* The raw answer to one query. */
static void
ask(struct rtr_cache *c, const uint8_t *q, size_t qlen, struct pdus *p)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	struct rtr_session *s = rtr_session_new(c, out, "raw");

	evbuffer_add(in, q, qlen);
	rtr_session_input(s, in, 0);
	pdus_read(p, out);
	rtr_session_free(s);
	evbuffer_free(in);
	evbuffer_free(out);
}

static void
ask_serial(struct rtr_cache *c, uint8_t ver, uint16_t sid, uint32_t serial, struct pdus *p)
{
	uint8_t q[12];

	ask(c, q, rtr_pdu_put_serial_query(q, ver, sid, serial), p);
}

static void
ask_reset(struct rtr_cache *c, uint8_t ver, struct pdus *p)
{
	uint8_t q[8];

	ask(c, q, rtr_pdu_put_reset_query(q, ver), p);
}

static void
test_normalise(void)
{
	struct rtr_set *s = rtr_set_new();
	struct rtr_vrp v = vrp("192.0.2.77/24", 24, 1);	/* host bits set */
	uint32_t p1[] = { 30, 10, 20, 10 }, p2[] = { 0, 15 }, p3[] = { 0 };
	uint8_t ski[20] = { 1 }, spki[3] = { 1, 2, 3 };

	CHECK(rtr_set_add_vrp(s, &v) == 0);
	add_vrp(s, "192.0.2.0/24", 24, 1);		/* duplicate after clearing */
	add_vrp(s, "192.0.2.0/24", 25, 1);
	add_vrp(s, "2001:db8::/32", 32, 1);
	add_vrp(s, "10.0.0.0/8", 8, 1);
	v = vrp("10.0.0.0/8", 7, 1);
	CHECK(rtr_set_add_vrp(s, &v) == -1);		/* max length < length */
	v = vrp("10.0.0.0/8", 33, 1);
	CHECK(rtr_set_add_vrp(s, &v) == -1);
	v.prefix.family = 5;
	CHECK(rtr_set_add_vrp(s, &v) == -1);
	CHECK(rtr_set_add_aspa(s, 65000, p1, 4) == 0);
	CHECK(rtr_set_add_aspa(s, 65000, p2, 2) == 0);	/* union; AS0 dropped */
	CHECK(rtr_set_add_aspa(s, 65001, p3, 1) == 0);	/* AS0 alone stays */
	CHECK(rtr_set_add_aspa(s, 65002, p3, 0) == -1);
	CHECK(rtr_set_add_router_key(s, ski, 5, spki, 3) == 0);
	CHECK(rtr_set_add_router_key(s, ski, 5, spki, 3) == 0);
	CHECK(rtr_set_add_router_key(s, ski, 5, spki, 0) == -1);
	rtr_set_normalise(s);
	CHECK_INT(s->nvrps, 4);
	CHECK(s->vrps[0].prefix.a[0] == 10 && s->vrps[3].prefix.family == IP_AF6);
	CHECK(s->vrps[1].prefix.a[3] == 0 && s->vrps[1].max_len == 24 && s->vrps[2].max_len == 25);
	CHECK_INT(s->naspas, 2);
	CHECK(s->aspas[0].customer_asn == 65000 && s->aspas[0].nproviders == 4 &&
	    s->aspas[0].providers[0] == 10 && s->aspas[0].providers[1] == 15 &&
	    s->aspas[0].providers[3] == 30);
	CHECK(s->aspas[1].nproviders == 1 && s->aspas[1].providers[0] == 0);
	CHECK_INT(s->nkeys, 1);
	rtr_set_free(s);
	rtr_set_free(NULL);

	/* host bits inside a byte, IPv6 */
	s = rtr_set_new();
	add_vrp(s, "10.255.255.255/9", 9, 1);
	add_vrp(s, "2001:db8:ffff:ffff::1/33", 33, 1);
	add_vrp(s, "255.255.255.255/0", 0, 1);
	rtr_set_normalise(s);
	CHECK(s->nvrps == 3 && s->vrps[0].prefix.a[0] == 0 && s->vrps[0].prefix.a[3] == 0);
	CHECK(s->vrps[1].prefix.a[0] == 10 && s->vrps[1].prefix.a[1] == 128 &&
	    s->vrps[1].prefix.a[2] == 0 && s->vrps[1].prefix.a[3] == 0);
	CHECK(s->vrps[2].prefix.a[3] == 0xb8 && s->vrps[2].prefix.a[4] == 0x80 &&
	    s->vrps[2].prefix.a[5] == 0 && s->vrps[2].prefix.a[15] == 0);
	rtr_set_free(s);
}

static void
test_no_data_then_first_load(void)
{
	struct rtr_cache *c = new_cache(7);
	struct rtr_set *s = rtr_set_new();
	struct rtr_cache_stats st;
	struct pdus p;

	rtr_cache_stats(c, &st);
	CHECK(!st.have_data);
	ask_reset(c, 1, &p);
	CHECK(p.n == 1 && p.pdu[0].type == RTR_PDU_ERROR_REPORT &&
	    p.pdu[0].session_id == RTR_ERR_NO_DATA_AVAILABLE);
	pdus_free(&p);
	ask_serial(c, 1, 101, 7, &p);
	CHECK(p.n == 1 && p.pdu[0].type == RTR_PDU_ERROR_REPORT &&
	    p.pdu[0].session_id == RTR_ERR_NO_DATA_AVAILABLE);
	pdus_free(&p);

	add_vrp(s, "192.0.2.0/24", 24, 64496);
	CHECK_INT(rtr_cache_update(c, s, 1000), 1);
	rtr_cache_stats(c, &st);
	CHECK(st.have_data && st.serial == 7 && st.vrps_v4 == 1 && st.vrps_v6 == 0 &&
	    st.deltas == 0 && st.last_update == 1000 && st.session_id[1] == 101);
	ask_reset(c, 1, &p);
	CHECK(p.n == 3 && p.bad == 0 && p.pdu[0].type == RTR_PDU_CACHE_RESPONSE &&
	    p.pdu[0].session_id == 101 && p.pdu[1].type == RTR_PDU_IPV4_PREFIX &&
	    p.pdu[2].type == RTR_PDU_END_OF_DATA && p.pdu[2].u.eod.serial == 7 &&
	    p.pdu[2].u.eod.refresh == 3600 && p.pdu[2].u.eod.retry == 600 &&
	    p.pdu[2].u.eod.expire == 7200);
	pdus_free(&p);
	/* an empty set is data too */
	s = rtr_set_new();
	CHECK_INT(rtr_cache_update(c, s, 1001), 1);
	ask_reset(c, 2, &p);
	CHECK(p.n == 2 && p.pdu[1].type == RTR_PDU_END_OF_DATA && p.pdu[1].u.eod.serial == 8);
	pdus_free(&p);
	rtr_cache_free(c);
}

static void
test_random_session_ids(void)
{
	struct rtr_cache *a = rtr_cache_new(&cfg_default), *b = rtr_cache_new(&cfg_default);
	struct rtr_cache_stats sa, sb;
	struct rtr_cache_config bad = cfg_default;

	rtr_cache_stats(a, &sa);
	rtr_cache_stats(b, &sb);
	/* 8210bis 5.1: different session ids per version */
	CHECK(sa.session_id[0] != sa.session_id[1] && sa.session_id[1] != sa.session_id[2] &&
	    sa.session_id[0] != sa.session_id[2]);
	/* random per start: two caches agree with probability 2^-16; try once more */
	if (sa.session_id[0] == sb.session_id[0]) {
		rtr_cache_free(b);
		b = rtr_cache_new(&cfg_default);
		rtr_cache_stats(b, &sb);
	}
	CHECK(sa.session_id[0] != sb.session_id[0]);
	rtr_cache_free(a);
	rtr_cache_free(b);
	bad.expire = 100;
	CHECK(rtr_cache_new(&bad) == NULL);
	bad = cfg_default;
	bad.history = 9;
	CHECK(rtr_cache_new(&bad) == NULL);
}

static void
test_delta_announce_withdraw(void)
{
	struct rtr_cache *c = new_cache(1);
	struct rtr_set *a = rtr_set_new(), *b = rtr_set_new(), *got;
	struct router r;
	struct pdus p;
	uint32_t prov[] = { 10, 20 }, prov2[] = { 10, 30 };
	uint8_t ski[20] = { 9 }, spki[4] = { 0x30, 2, 0, 0 };

	add_vrp(a, "192.0.2.0/24", 24, 64496);
	add_vrp(a, "198.51.100.0/24", 24, 64497);
	add_vrp(a, "2001:db8::/32", 48, 64498);
	rtr_set_add_aspa(a, 65000, prov, 2);
	rtr_set_add_aspa(a, 65001, prov, 2);
	rtr_set_add_router_key(a, ski, 64496, spki, 4);
	CHECK_INT(rtr_cache_update(c, a, 0), 1);

	router_open(&r, c, 2);
	rtr_client_reset_query(r.cl);
	CHECK_INT(router_roundtrip(&r), RTR_CLIENT_END_OF_DATA);
	CHECK_INT(rtr_client_count(r.cl), 6);

	add_vrp(b, "192.0.2.0/24", 24, 64496);		/* kept */
	add_vrp(b, "203.0.113.0/24", 24, 64499);		/* new */
	add_vrp(b, "2001:db8::/32", 48, 64498);
	add_vrp(b, "2001:db8:1::/48", 48, 64498);		/* new */
	rtr_set_add_aspa(b, 65000, prov2, 2);		/* changed providers */
	rtr_set_add_router_key(b, ski, 64496, spki, 4);
	/* 198.51.100.0/24 and ASPA 65001 withdrawn */
	CHECK_INT(rtr_cache_update(c, b, 10), 1);

	ask_serial(c, 2, 102, 1, &p);
	CHECK(p.bad == 0 && p.n == 7);
	CHECK(p.pdu[0].type == RTR_PDU_CACHE_RESPONSE && p.pdu[6].type == RTR_PDU_END_OF_DATA &&
	    p.pdu[6].u.eod.serial == 2);
	/* v4: announcement first, then the withdrawal; then v6; then ASPA
	 * announcement (replacement), then the ASPA withdrawal */
	CHECK(p.pdu[1].type == RTR_PDU_IPV4_PREFIX && p.pdu[1].u.prefix.flags == 1 &&
	    p.pdu[1].u.prefix.vrp.prefix.a[0] == 203);
	CHECK(p.pdu[2].type == RTR_PDU_IPV4_PREFIX && p.pdu[2].u.prefix.flags == 0 &&
	    p.pdu[2].u.prefix.vrp.prefix.a[0] == 198 && p.pdu[2].u.prefix.vrp.asn == 64497);
	CHECK(p.pdu[3].type == RTR_PDU_IPV6_PREFIX && p.pdu[3].u.prefix.flags == 1 &&
	    p.pdu[3].u.prefix.vrp.prefix.len == 48);
	CHECK(p.pdu[4].type == RTR_PDU_ASPA && p.pdu[4].u.aspa.flags == 1 &&
	    p.pdu[4].u.aspa.customer_asn == 65000 && p.pdu[4].u.aspa.nproviders == 2);
	CHECK(p.pdu[5].type == RTR_PDU_ASPA && p.pdu[5].u.aspa.flags == 0 &&
	    p.pdu[5].u.aspa.customer_asn == 65001 && p.pdu[5].length == 12);
	pdus_free(&p);
	/* v0 and v1 see only what they can carry */
	ask_serial(c, 0, 100, 1, &p);
	CHECK(p.bad == 0 && p.n == 5 && p.count[RTR_PDU_ASPA] == 0 && p.pdu[4].length == 12);
	pdus_free(&p);
	ask_serial(c, 1, 101, 1, &p);
	CHECK(p.bad == 0 && p.n == 5 && p.count[RTR_PDU_ASPA] == 0 && p.pdu[4].length == 24);
	pdus_free(&p);

	/* the client applies the delta and ends up with exactly set b */
	rtr_client_serial_query(r.cl);
	CHECK_INT(router_roundtrip(&r), RTR_CLIENT_END_OF_DATA);
	got = rtr_client_set(r.cl);
	CHECK_INT(got->nvrps, 4);
	CHECK(got->naspas == 1 && got->aspas[0].providers[1] == 30);
	CHECK_INT(got->nkeys, 1);
	{
		struct rtr_set *want = rtr_set_new();

		add_vrp(want, "192.0.2.0/24", 24, 64496);
		add_vrp(want, "203.0.113.0/24", 24, 64499);
		add_vrp(want, "2001:db8::/32", 48, 64498);
		add_vrp(want, "2001:db8:1::/48", 48, 64498);
		rtr_set_add_aspa(want, 65000, prov2, 2);
		rtr_set_add_router_key(want, ski, 64496, spki, 4);
		rtr_set_normalise(want);
		CHECK(sets_equal(got, want));
		rtr_set_free(want);
	}
	rtr_set_free(got);

	/* the same set again: no new serial, nothing to send */
	b = rtr_set_new();
	add_vrp(b, "2001:db8:1::/48", 48, 64498);
	add_vrp(b, "192.0.2.0/24", 24, 64496);
	add_vrp(b, "203.0.113.0/24", 24, 64499);
	add_vrp(b, "2001:db8::/32", 48, 64498);
	add_vrp(b, "192.0.2.0/24", 24, 64496);
	rtr_set_add_aspa(b, 65000, prov2 + 1, 1);
	rtr_set_add_aspa(b, 65000, prov2, 1);
	rtr_set_add_router_key(b, ski, 64496, spki, 4);
	CHECK_INT(rtr_cache_update(c, b, 20), 0);
	ask_serial(c, 2, 102, 2, &p);
	CHECK(p.n == 2 && p.pdu[0].type == RTR_PDU_CACHE_RESPONSE &&
	    p.pdu[1].type == RTR_PDU_END_OF_DATA && p.pdu[1].u.eod.serial == 2);
	pdus_free(&p);
	router_close(&r);
	rtr_cache_free(c);
}

/* A VRP added at serial 2 and removed at 3 never shows up in 1 -> 4. */
static void
test_delta_merge(void)
{
	struct rtr_cache *c = new_cache(1);
	struct rtr_set *s;
	uint32_t p1[] = { 5 }, p2[] = { 6 };
	struct pdus p;

	s = rtr_set_new();
	add_vrp(s, "10.0.0.0/8", 8, 1);
	add_vrp(s, "11.0.0.0/8", 8, 1);
	rtr_set_add_aspa(s, 100, p1, 1);
	rtr_cache_update(c, s, 0);				/* serial 1 */
	s = rtr_set_new();
	add_vrp(s, "10.0.0.0/8", 8, 1);
	add_vrp(s, "11.0.0.0/8", 8, 1);
	add_vrp(s, "12.0.0.0/8", 8, 1);
	rtr_set_add_aspa(s, 100, p2, 1);
	rtr_set_add_aspa(s, 200, p2, 1);
	rtr_cache_update(c, s, 0);				/* 2: +12, 100 changed, +200 */
	s = rtr_set_new();
	add_vrp(s, "10.0.0.0/8", 8, 1);
	rtr_set_add_aspa(s, 100, p1, 1);
	rtr_cache_update(c, s, 0);				/* 3: -11 -12, 100 back, -200 */
	s = rtr_set_new();
	add_vrp(s, "10.0.0.0/8", 8, 1);
	add_vrp(s, "11.0.0.0/8", 8, 1);
	rtr_set_add_aspa(s, 100, p1, 1);
	rtr_cache_update(c, s, 0);				/* 4: +11 */

	ask_serial(c, 2, 102, 1, &p);				/* 1 -> 4: nothing */
	CHECK(p.n == 2 && p.pdu[1].type == RTR_PDU_END_OF_DATA && p.pdu[1].u.eod.serial == 4);
	pdus_free(&p);
	ask_serial(c, 2, 102, 2, &p);				/* 2 -> 4: -12, ASPA 100 back, -200 */
	CHECK(p.n == 5 && p.bad == 0);
	CHECK(p.pdu[1].type == RTR_PDU_IPV4_PREFIX && p.pdu[1].u.prefix.flags == 0 &&
	    p.pdu[1].u.prefix.vrp.prefix.a[0] == 12);
	CHECK(p.pdu[2].type == RTR_PDU_ASPA && p.pdu[2].u.aspa.flags == 1 &&
	    p.pdu[2].u.aspa.customer_asn == 100 && rtr_pdu_aspa_provider(&p.pdu[2], 0) == 5);
	CHECK(p.pdu[3].type == RTR_PDU_ASPA && p.pdu[3].u.aspa.flags == 0 &&
	    p.pdu[3].u.aspa.customer_asn == 200);
	pdus_free(&p);
	ask_serial(c, 2, 102, 3, &p);				/* 3 -> 4: +11 */
	CHECK(p.n == 3 && p.pdu[1].u.prefix.flags == 1 && p.pdu[1].u.prefix.vrp.prefix.a[0] == 11);
	pdus_free(&p);
	rtr_cache_free(c);
}

/* History: the last 10 serials get deltas, older ones Cache Reset, and the
 * serial wraps from 2^32-1 to 0 (RFC 1982). */
static void
test_history_and_wrap(void)
{
	struct rtr_cache *c = new_cache(0xfffffffau);
	struct rtr_set *s;
	struct rtr_cache_stats st;
	struct router r;
	struct pdus p;
	char pfx[32];
	unsigned i;
	uint32_t serial;

	router_open(&r, c, 1);
	for (i = 0; i < 14; i++) {
		s = rtr_set_new();
		snprintf(pfx, sizeof(pfx), "10.%u.0.0/16", i);
		add_vrp(s, pfx, 16, 1);
		add_vrp(s, "192.0.2.0/24", 24, 2);
		CHECK_INT(rtr_cache_update(c, s, 0), 1);
		if (i == 2) {
			rtr_client_reset_query(r.cl);
			CHECK_INT(router_roundtrip(&r), RTR_CLIENT_END_OF_DATA);
		}
	}
	rtr_cache_stats(c, &st);
	CHECK_INT(st.serial, 7);		/* 0xfffffffa + 13, wrapped */
	CHECK_INT(st.deltas, 10);
	for (i = 0; i < 14; i++) {
		serial = 0xfffffffau + i;
		ask_serial(c, 1, 101, serial, &p);
		if (i < 3) {
			CHECK_MSG(p.n == 1 && p.pdu[0].type == RTR_PDU_CACHE_RESET,
			    "serial %u: expected Cache Reset", serial);
		} else {
			CHECK_MSG(p.n >= 2 && p.pdu[0].type == RTR_PDU_CACHE_RESPONSE &&
			    p.pdu[p.n - 1].u.eod.serial == 7, "serial %u: expected a delta", serial);
			/* 10.X/16 of serial's set withdrawn, the current one announced */
			if (i < 13)
				CHECK_MSG(p.n == 4 && p.count[RTR_PDU_IPV4_PREFIX] == 2,
				    "serial %u: %zu PDUs", serial, p.n);
			else
				CHECK(p.n == 2);
		}
		pdus_free(&p);
	}
	/* future and unknown serials */
	ask_serial(c, 1, 101, 8, &p);
	CHECK(p.n == 1 && p.pdu[0].type == RTR_PDU_CACHE_RESET);
	pdus_free(&p);
	ask_serial(c, 1, 101, 0x80000000u, &p);
	CHECK(p.n == 1 && p.pdu[0].type == RTR_PDU_CACHE_RESET);
	pdus_free(&p);
	/* the client synced at serial 0xfffffffc: too old, Cache Reset */
	rtr_client_serial_query(r.cl);
	CHECK_INT(router_roundtrip(&r), RTR_CLIENT_CACHE_RESET);
	rtr_client_reset_query(r.cl);
	CHECK_INT(router_roundtrip(&r), RTR_CLIENT_END_OF_DATA);
	CHECK_INT(rtr_client_count(r.cl), 2);
	router_close(&r);

	/* a larger history keeps more */
	{
		struct rtr_cache_config cfg = cfg_default;

		cfg.history = 12;
		CHECK(rtr_cache_configure(c, &cfg) == 0);
		cfg.history = 3;
		CHECK(rtr_cache_configure(c, &cfg) == -1);
	}
	rtr_cache_free(c);
}

/* 8210bis 11.2: by type; announcements before withdrawals; IP prefix
 * announcements by descending address, max length, length, ASN,
 * withdrawals ascending. */
static void
check_order(const struct pdus *p, const char *what)
{
	size_t off = 0, i = 0;
	int bad = 0;
	struct rtr_pdu prev, cur;
	struct rtr_pdu_error err;
	uint32_t len;

	memset(&prev, 0, sizeof(prev));
	while (off + 8 <= p->len) {
		len = ((uint32_t)p->buf[off + 6] << 8) | p->buf[off + 7];
		rtr_pdu_parse(p->buf + off, len, &cur, &err);
		off += len;
		if (cur.type != RTR_PDU_IPV4_PREFIX && cur.type != RTR_PDU_IPV6_PREFIX &&
		    cur.type != RTR_PDU_ASPA && cur.type != RTR_PDU_ROUTER_KEY)
			continue;
		if (i++ > 0) {
			if (cur.type < prev.type)
				bad++;
			else if (cur.type == prev.type && (cur.type == RTR_PDU_IPV4_PREFIX ||
			    cur.type == RTR_PDU_IPV6_PREFIX)) {
				const struct rtr_vrp *a = &prev.u.prefix.vrp, *b = &cur.u.prefix.vrp;
				int c = memcmp(a->prefix.a, b->prefix.a, 16);

				if (c == 0)
					c = a->max_len - b->max_len;
				if (c == 0)
					c = a->prefix.len - b->prefix.len;
				if (c == 0)
					c = a->asn < b->asn ? -1 : a->asn > b->asn;
				if (prev.u.prefix.flags < cur.u.prefix.flags)
					bad++;		/* withdrawal before announcement */
				else if (prev.u.prefix.flags == cur.u.prefix.flags &&
				    (cur.u.prefix.flags ? c <= 0 : c >= 0))
					bad++;
			} else if (cur.type == prev.type && cur.type == RTR_PDU_ASPA) {
				if (prev.u.aspa.flags < cur.u.aspa.flags)
					bad++;
				else if (prev.u.aspa.flags == cur.u.aspa.flags &&
				    prev.u.aspa.customer_asn >= cur.u.aspa.customer_asn)
					bad++;
			}
		}
		prev = cur;
	}
	CHECK_MSG(bad == 0, "%s: %d ordering violations", what, bad);
}

static void
test_ordering(void)
{
	struct rtr_cache *c = new_cache(1);
	struct rtr_set *a = gen_set(3000, 42), *b = gen_set(3000, 43);
	struct pdus p;
	size_t i;
	uint32_t prov[] = { 1, 2 };

	for (i = 0; i < 50; i++)
		rtr_set_add_aspa(a, 1000 + (uint32_t)(i * 7919 % 1000), prov, 2);
	add_vrp(a, "10.0.0.0/8", 24, 5);
	add_vrp(a, "10.0.0.0/8", 16, 5);
	add_vrp(a, "10.0.0.0/16", 16, 5);
	add_vrp(a, "10.0.0.0/8", 8, 0);
	rtr_cache_update(c, a, 0);
	/* keep a third of the old set in the new one */
	for (i = 0; i < 1000 && i * 3 < a->nvrps; i++)
		rtr_set_add_vrp(b, &a->vrps[i * 3]);	/* a is the served set now */
	for (i = 0; i < 30; i++)
		rtr_set_add_aspa(b, 1000 + (uint32_t)(i * 13), prov + 1, 1);
	rtr_cache_update(c, b, 0);
	ask_reset(c, 2, &p);
	CHECK(p.bad == 0);
	check_order(&p, "full set v2");
	pdus_free(&p);
	ask_serial(c, 2, 102, 1, &p);
	CHECK(p.bad == 0 && p.n > 100);
	check_order(&p, "delta v2");
	pdus_free(&p);
	ask_serial(c, 0, 100, 1, &p);
	check_order(&p, "delta v0");
	pdus_free(&p);
	rtr_cache_free(c);
}

/* Two sessions get the very same payload bytes (one buffer, referenced),
 * and a queued payload survives the cache moving on. */
static void
test_shared_payload(void)
{
	struct rtr_cache *c = new_cache(1);
	struct evbuffer *o1 = evbuffer_new(), *o2 = evbuffer_new(), *o3 = evbuffer_new();
	struct evbuffer *in = evbuffer_new();
	struct rtr_session *s1 = rtr_session_new(c, o1, "one"), *s2 = rtr_session_new(c, o2, "two");
	struct rtr_session *s3 = rtr_session_new(c, o3, "three");
	struct evbuffer_iovec v1[4], v2[4], v3[4];
	uint8_t q[12];
	int n1, n2, n3;
	struct pdus p;
	struct rtr_cache_stats st;

	rtr_cache_update(c, gen_set(5000, 7), 0);
	evbuffer_add(in, q, rtr_pdu_put_reset_query(q, 1));
	rtr_session_input(s1, in, 0);
	evbuffer_add(in, q, rtr_pdu_put_reset_query(q, 1));
	rtr_session_input(s2, in, 0);
	evbuffer_add(in, q, rtr_pdu_put_reset_query(q, 2));
	rtr_session_input(s3, in, 0);
	n1 = evbuffer_peek(o1, -1, NULL, v1, 4);
	n2 = evbuffer_peek(o2, -1, NULL, v2, 4);
	n3 = evbuffer_peek(o3, -1, NULL, v3, 4);
	/* Cache Response, payload, End of Data */
	CHECK_INT(n1, 3);
	CHECK_INT(n2, 3);
	CHECK(n1 == 3 && n2 == 3 && v1[1].iov_base == v2[1].iov_base && v1[1].iov_len == v2[1].iov_len);
	CHECK(v1[1].iov_len > 5000 * 20 - 1);
	/* another version: another blob */
	CHECK(n3 == 3 && v3[1].iov_base != v1[1].iov_base);
	rtr_cache_stats(c, &st);
	CHECK_INT(st.sessions, 3);

	/* the set changes, the cache drops its reference; the queued bytes stay */
	rtr_cache_update(c, gen_set(10, 8), 0);
	pdus_read(&p, o1);
	CHECK(p.bad == 0 && p.n > 5000 && p.pdu[0].type == RTR_PDU_CACHE_RESPONSE);
	pdus_free(&p);
	rtr_session_free(s1);
	rtr_session_free(s2);
	rtr_session_free(s3);
	rtr_cache_free(c);
	/* freed cache: o2 still holds its reference to the blob */
	pdus_read(&p, o2);
	CHECK(p.bad == 0 && p.n > 5000);
	pdus_free(&p);
	evbuffer_free(o1);
	evbuffer_free(o2);
	evbuffer_free(o3);
	evbuffer_free(in);
}

static double
secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* 600,000 VRPs: load, encode, one full sync through a session and a
 * 1,000-VRP delta. Loose bounds (sanitizer builds are slow); the figures
 * are printed. */
static void
test_scale(void)
{
	struct rtr_cache *c = new_cache(1);
	struct rtr_set *s = gen_set(600000, 1), *s2;
	struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
	struct rtr_session *sess = rtr_session_new(c, out, "big");
	struct timespec t0, t1, t2, t3, t4, t5;
	struct rtr_cache_stats st;
	uint8_t q[12];
	size_t bytes, n, i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rtr_cache_update(c, s, 0);			/* sort, dedupe */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	evbuffer_add(in, q, rtr_pdu_put_reset_query(q, 1));
	rtr_session_input(sess, in, 0);			/* encodes, then references */
	clock_gettime(CLOCK_MONOTONIC, &t2);
	bytes = evbuffer_get_length(out);
	evbuffer_drain(out, bytes);
	evbuffer_add(in, q, rtr_pdu_put_reset_query(q, 1));
	rtr_session_input(sess, in, 0);			/* already encoded */
	clock_gettime(CLOCK_MONOTONIC, &t3);
	evbuffer_drain(out, evbuffer_get_length(out));
	rtr_cache_stats(c, &st);
	n = st.vrps_v4 + st.vrps_v6;
	CHECK(n > 590000);
	CHECK_INT(bytes, 8 + st.vrps_v4 * 20 + st.vrps_v6 * 32 + 24);

	/* the next set: the same with 1,000 origins changed */
	s2 = gen_set(600000, 1);
	for (i = 0; i < 1000; i++)
		s2->vrps[i].asn = 1;
	clock_gettime(CLOCK_MONOTONIC, &t4);
	rtr_cache_update(c, s2, 0);
	evbuffer_add(in, q, rtr_pdu_put_serial_query(q, 1, 101, 1));
	rtr_session_input(sess, in, 0);
	clock_gettime(CLOCK_MONOTONIC, &t5);
	printf("rtr scale: %zu VRPs, %zu bytes of PDUs; load (sort) %.3f s; first Reset Query "
	    "(encode) %.3f s; next Reset Query %.6f s; update with 1000 changes + Serial Query "
	    "%.3f s (%zu bytes)\n", n, bytes, secs(&t0, &t1), secs(&t1, &t2), secs(&t2, &t3),
	    secs(&t4, &t5), evbuffer_get_length(out));
	CHECK(secs(&t1, &t2) < 2.0);
	CHECK(secs(&t2, &t3) < 0.1);
	CHECK(evbuffer_get_length(out) >= 8 + 24 + 1000 * 20 * 2);
	rtr_session_free(sess);
	rtr_cache_free(c);
	evbuffer_free(out);
	evbuffer_free(in);
}

int
main(int argc, char **argv)
{
	log_init("rpki_rtr_cache_test");
	log_set_level(LOG_LVL_ERROR);
	TEST_RUN(test_normalise);
	TEST_RUN(test_no_data_then_first_load);
	TEST_RUN(test_random_session_ids);
	TEST_RUN(test_delta_announce_withdraw);
	TEST_RUN(test_delta_merge);
	TEST_RUN(test_history_and_wrap);
	TEST_RUN(test_ordering);
	TEST_RUN(test_shared_payload);
	if (argc < 2 || strcmp(argv[1], "--quick") != 0)
		TEST_RUN(test_scale);
	return test_summary("rpki_rtr_cache_test");
}
