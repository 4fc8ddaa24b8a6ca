/*
 * fuzz_rpki_rtr_pdu.c - libFuzzer target for the RTR PDU parser, the
 * cache-side session (what a hostile router sends) and the router-side
 * client (what a hostile cache sends).
 *
 * Oracle: everything the session writes back must parse with our own
 * parser (a malformed answer aborts), and the session never answers an
 * Error Report with an Error Report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rtr_cache *cache;

static void
setup(void)
{
	struct rtr_cache_config cfg = RTR_CACHE_CONFIG_DEFAULT;
	static const uint16_t sids[RTR_NVERSIONS] = { 1, 2, 3 };
	struct rtr_set *set;
	struct rtr_vrp v;
	uint32_t prov[] = { 64500, 64501 };
	uint8_t ski[RTR_SKI_LEN] = { 1, 2, 3 }, spki[8] = { 0x30, 6 };
	unsigned i;

	log_init("fuzz_rpki_rtr_pdu");
	log_set_level(LOG_LVL_CRITICAL);
	cache = rtr_cache_new(&cfg);
	rtr_cache_set_identity(cache, sids, 0);
	/* serials 0 .. 3, so that Serial Queries for 0..2 get deltas */
	for (i = 0; i < 4; i++) {
		set = rtr_set_new();
		memset(&v, 0, sizeof(v));
		v.prefix.family = IP_AF4;
		v.prefix.a[0] = 10;
		v.prefix.a[1] = (uint8_t)i;
		v.prefix.len = 16;
		v.max_len = 24;
		v.asn = 64496 + i;
		rtr_set_add_vrp(set, &v);
		memset(&v, 0, sizeof(v));
		v.prefix.family = IP_AF6;
		v.prefix.a[0] = 0x20;
		v.prefix.a[1] = 0x01;
		v.prefix.len = 32;
		v.max_len = 48;
		v.asn = 64496;
		rtr_set_add_vrp(set, &v);
		rtr_set_add_aspa(set, 64496 + i, prov, 2);
		rtr_set_add_router_key(set, ski, 64496, spki, sizeof(spki));
		rtr_cache_update(cache, set, 0);
	}
}

/* Every PDU in out must parse; no Error Report may answer one. */
static void
check_output(struct evbuffer *out)
{
	size_t len = evbuffer_get_length(out), off = 0;
	uint8_t *buf = malloc(len + 1);
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	uint32_t plen;

	evbuffer_remove(out, buf, len);
	while (off < len) {
		if (len - off < RTR_HEADER_LEN)
			abort();
		plen = ((uint32_t)buf[off + 4] << 24) | ((uint32_t)buf[off + 5] << 16) |
		    ((uint32_t)buf[off + 6] << 8) | buf[off + 7];
		if (plen > len - off || rtr_pdu_parse(buf + off, plen, &pdu, &err) == -1)
			abort();
		if (pdu.type == RTR_PDU_ERROR_REPORT && pdu.u.error.pdu_len >= 2 &&
		    pdu.u.error.pdu[1] == RTR_PDU_ERROR_REPORT)
			abort();
		off += plen;
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	struct evbuffer *in, *out;
	struct rtr_session *s;
	struct rtr_client *c;
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	size_t chunk, off;
	enum rtr_session_status st = RTR_SESSION_OK;

	if (cache == NULL)
		setup();
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';

	/* 1. the parser alone */
	rtr_pdu_parse(buf, size, &pdu, &err);

	/* 2. a cache session fed in chunks (the first byte picks the size) */
	in = evbuffer_new();
	out = evbuffer_new();
	s = rtr_session_new(cache, out, "fuzz");
	chunk = size > 0 ? (size_t)(buf[0] % 16) + 1 : 1;
	for (off = 0; off < size && st == RTR_SESSION_OK; off += chunk) {
		evbuffer_add(in, buf + off, size - off < chunk ? size - off : chunk);
		st = rtr_session_input(s, in, 0);
		if (evbuffer_get_length(out) > 4 * RTR_SESSION_HIGH_WATER)
			evbuffer_drain(out, evbuffer_get_length(out));	/* a reader */
		else
			check_output(out);
	}
	rtr_session_tick(s, 100000);
	check_output(out);
	rtr_session_free(s);

	/* 3. the router side, as if the input came from a cache */
	c = rtr_client_new(size > 1 ? buf[1] % 3 : 2);
	rtr_client_reset_query(c);
	evbuffer_drain(in, evbuffer_get_length(in));
	evbuffer_add(in, buf, size);
	while (rtr_client_input(c, in) != RTR_CLIENT_NONE)
		;
	rtr_set_free(rtr_client_set(c));
	rtr_client_free(c);

	evbuffer_free(in);
	evbuffer_free(out);
	free(buf);
	return 0;
}
