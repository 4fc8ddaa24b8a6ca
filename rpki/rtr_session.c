/*
 * rtr_session.c - one router's RTR session on the cache side, and a small
 * router-side client.
 *
 * The cache side is a byte pump: rtr_session_input() takes what the socket
 * delivered, answers every complete query into the output evbuffer and
 * leaves a partial PDU for later. The header is checked as soon as its 8
 * bytes are in (version, type, length cap), so a bogus length gets its
 * Error Report at once instead of waiting for bytes that never come.
 *
 * Version negotiation (RFC 8210 7, 8210bis 7): the first query fixes the
 * session's version if it is one we speak (0..2, we downgrade to any); a
 * higher one gets Error Report 4 in our highest version and the session
 * ends. Afterwards a PDU of another version gets Error Report 8 and ends
 * the session. Error Reports are never answered with Error Reports
 * (8210bis 5.8): a corrupt one, one with a fatal code or one of a wrong
 * version just ends the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"
#include "rpki/rtr_int.h"

struct rtr_session {
	struct rtr_cache *cache;
	struct evbuffer *out;
	char *name;
	int version;			/* -1 until the first query */
	bool established;		/* the router knows our session id */
	bool closing;
	bool notified;			/* a Serial Notify was ever sent */
	bool notify_pending;		/* held back by the rate limit */
	time_t last_notify;
	size_t stall_len;
	time_t stall_since;
	bool stall_init;
	void (*out_cb)(struct rtr_session *, void *);
	void *out_arg;
};

struct rtr_session *
rtr_session_new(struct rtr_cache *cache, struct evbuffer *out, const char *name)
{
	struct rtr_session *s = xcalloc(1, sizeof(*s));

	s->cache = cache;
	s->out = out;
	s->name = xstrdup(name != NULL ? name : "?");
	s->version = -1;
	rtr_cache_attach(cache, s);
	return s;
}

void
rtr_session_free(struct rtr_session *s)
{
	if (s == NULL)
		return;
	rtr_cache_detach(s->cache, s);
	free(s->name);
	free(s);
}

void
rtr_session_set_output_cb(struct rtr_session *s, void (*cb)(struct rtr_session *, void *), void *arg)
{
	s->out_cb = cb;
	s->out_arg = arg;
}

size_t
rtr_session_queued(const struct rtr_session *s)
{
	return evbuffer_get_length(s->out);
}

bool
rtr_session_wants_input(const struct rtr_session *s)
{
	return !s->closing && evbuffer_get_length(s->out) <= RTR_SESSION_HIGH_WATER;
}

int
rtr_session_version(const struct rtr_session *s)
{
	return s->version;
}

const char *
rtr_session_name(const struct rtr_session *s)
{
	return s->name;
}

/* Queue an Error Report; a fatal code ends the session. */
static void
send_error(struct rtr_session *s, uint8_t version, enum rtr_error_code code,
    const uint8_t *pdu, size_t pdu_len, const char *text)
{
	bool fatal = rtr_error_fatal(version, code) || code == RTR_ERR_UNSUPPORTED_VERSION;

	if (fatal)
		log_warnx("rtr session %s: %s; sending Error Report \"%s\" and closing",
		    s->name, text, rtr_error_name(code));
	else
		log_info("rtr session %s: %s; sending Error Report \"%s\"",
		    s->name, text, rtr_error_name(code));
	if (rtr_pdu_add_error_report(s->out, version, code, pdu, pdu_len, text) == -1)
		fatalx("rtr session %s: out of memory", s->name);
	rtr_cache_count(s->cache, RTR_CNT_ERROR_SENT);
	if (fatal)
		s->closing = true;
}

void
rtr_session_send_error(struct rtr_session *s, enum rtr_error_code code, const char *text)
{
	if (s->closing || s->version < 0)
		return;
	send_error(s, (uint8_t)s->version, code, NULL, 0, text);
	if (s->out_cb != NULL)
		s->out_cb(s, s->out_arg);
}

static void
close_silently(struct rtr_session *s, const char *why)
{
	log_warnx("rtr session %s: %s; closing", s->name, why);
	s->closing = true;
}

static void
add_bytes(struct rtr_session *s, const uint8_t *p, size_t n)
{
	if (evbuffer_add(s->out, p, n) == -1)
		fatalx("rtr session %s: out of memory", s->name);
}

/* Cache Response, the payload, End of Data. */
static void
send_response(struct rtr_session *s, struct rtr_blob *payload)
{
	const struct rtr_cache_config *cfg = rtr_cache_config(s->cache);
	uint8_t v = (uint8_t)s->version, buf[24];
	uint16_t sid = rtr_cache_session_id(s->cache, v);
	size_t n;

	n = rtr_pdu_put_cache_response(buf, v, sid);
	add_bytes(s, buf, n);
	if (rtr_blob_add(s->out, payload) == -1)
		fatalx("rtr session %s: out of memory", s->name);
	n = rtr_pdu_put_end_of_data(buf, v, sid, rtr_cache_serial(s->cache),
	    cfg->refresh, cfg->retry, cfg->expire);
	add_bytes(s, buf, n);
	s->established = true;
}

static void
send_cache_reset(struct rtr_session *s)
{
	uint8_t buf[8];

	add_bytes(s, buf, rtr_pdu_put_cache_reset(buf, (uint8_t)s->version));
	rtr_cache_count(s->cache, RTR_CNT_CACHE_RESET);
}

static void
send_notify(struct rtr_session *s, time_t now)
{
	uint8_t buf[12], v = (uint8_t)s->version;

	add_bytes(s, buf, rtr_pdu_put_serial_notify(buf, v, rtr_cache_session_id(s->cache, v),
	    rtr_cache_serial(s->cache)));
	rtr_cache_count(s->cache, RTR_CNT_NOTIFY);
	s->notified = true;
	s->notify_pending = false;
	s->last_notify = now;
	if (s->out_cb != NULL)
		s->out_cb(s, s->out_arg);
}

void
rtr_session_notify(struct rtr_session *s, time_t now)
{
	unsigned interval = rtr_cache_config(s->cache)->notify_interval;

	/* 8210bis 7: not before the version is negotiated. */
	if (s->version < 0 || s->closing)
		return;
	if (s->notified && now - s->last_notify < (time_t)interval) {
		s->notify_pending = true;	/* RFC 8210 8.2: at most one a minute */
		return;
	}
	send_notify(s, now);
}

enum rtr_session_status
rtr_session_tick(struct rtr_session *s, time_t now)
{
	const struct rtr_cache_config *cfg = rtr_cache_config(s->cache);
	size_t queued = evbuffer_get_length(s->out);

	if (s->closing)
		return RTR_SESSION_CLOSE;
	if (s->notify_pending && now - s->last_notify >= (time_t)cfg->notify_interval)
		send_notify(s, now);
	/* 8210bis 9: a transport stall of three retry intervals ends the session. */
	if (!s->stall_init || queued == 0 || queued < s->stall_len) {
		s->stall_since = now;
		s->stall_init = true;
	}
	s->stall_len = queued;
	if (queued > 0 && now - s->stall_since > 3 * (time_t)cfg->retry) {
		log_warnx("rtr session %s: %zu bytes unread for %lld seconds; dropping",
		    s->name, queued, (long long)(now - s->stall_since));
		if (s->version >= 2)
			rtr_pdu_add_error_report(s->out, (uint8_t)s->version,
			    RTR_ERR_TRANSPORT_FAILURE, NULL, 0, "transport stalled");
		s->closing = true;
		return RTR_SESSION_DROP;
	}
	return RTR_SESSION_OK;
}

/* A router sent an Error Report: log it; it may end the session. */
static void
handle_error_report(struct rtr_session *s, const uint8_t *buf, size_t len)
{
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	char text[200];
	size_t n;

	rtr_cache_count(s->cache, RTR_CNT_ERROR_RECEIVED);
	if (rtr_pdu_parse(buf, len, &pdu, &err) == -1) {
		snprintf(text, sizeof(text), "corrupt Error Report from the router: %s", err.text);
		close_silently(s, text);
		return;
	}
	n = pdu.u.error.text_len < 120 ? pdu.u.error.text_len : 120;
	snprintf(text, sizeof(text), "router sent Error Report %u (%s): %.*s",
	    pdu.session_id, rtr_error_name(pdu.session_id), (int)n, (const char *)pdu.u.error.text);
	if (rtr_error_fatal(pdu.version, pdu.session_id))
		close_silently(s, text);
	else
		log_info("rtr session %s: %s", s->name, text);
}

static void
handle_query(struct rtr_session *s, const uint8_t *buf, size_t len)
{
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	struct rtr_blob *blob;
	uint16_t sid;
	char text[160];

	if (rtr_pdu_parse(buf, len, &pdu, &err) == -1) {	/* not reached: header checked */
		send_error(s, buf[0], err.code, buf, len, err.text);
		return;
	}
	if (s->version < 0) {
		s->version = pdu.version;
		log_debug("rtr session %s: protocol version %d", s->name, s->version);
	}
	if (!rtr_cache_have_data(s->cache)) {
		send_error(s, pdu.version, RTR_ERR_NO_DATA_AVAILABLE, buf, len,
		    "no data available yet");
		return;
	}
	if (pdu.type == RTR_PDU_RESET_QUERY) {
		rtr_cache_count(s->cache, RTR_CNT_RESET);
		send_response(s, rtr_cache_full(s->cache, pdu.version));
		return;
	}
	rtr_cache_count(s->cache, RTR_CNT_SERIAL);
	sid = rtr_cache_session_id(s->cache, pdu.version);
	if (pdu.session_id != sid) {
		if (s->established) {
			/* 8210bis 5.3: a mismatch within a session is fatal. */
			snprintf(text, sizeof(text),
			    "Serial Query with session id %u, this session has %u",
			    pdu.session_id, sid);
			send_error(s, pdu.version, RTR_ERR_CORRUPT_DATA, buf, len, text);
		} else
			send_cache_reset(s);
		return;
	}
	if (rtr_cache_delta(s->cache, pdu.version, pdu.u.serial, &blob)) {
		if (pdu.u.serial != rtr_cache_serial(s->cache))
			rtr_cache_count(s->cache, RTR_CNT_DELTA);
		send_response(s, blob);
	}
	else
		send_cache_reset(s);		/* too old, unknown or in the future */
}

/*
 * Check a header before the body is in. Returns 0 to go on (wait for and
 * handle the whole PDU), -1 when the session is over.
 */
static int
check_header(struct rtr_session *s, struct evbuffer *in, uint8_t ver, uint8_t type, uint32_t len)
{
	struct rtr_pdu_error err;
	size_t n = evbuffer_get_length(in);
	const uint8_t *p;
	char text[160];

	/* Encapsulate what we have of the PDU, at least its header (8210bis
	 * 5.8: never less than four octets), at most the report's room. */
	if (n > len && len >= RTR_HEADER_LEN)
		n = len;
	if (n > RTR_HEADER_LEN && n > len)
		n = RTR_HEADER_LEN;
	if (n > RTR_PDU_MAX_LEN)
		n = RTR_PDU_MAX_LEN;
	if (type == RTR_PDU_ERROR_REPORT) {
		if (s->version >= 0 && ver != s->version)
			snprintf(text, sizeof(text), "Error Report of version %u in a version %d session",
			    ver, s->version);
		else if (ver > RTR_VERSION_MAX)
			snprintf(text, sizeof(text), "Error Report of unknown version %u", ver);
		else if (len < 16 || len > RTR_PDU_MAX_LEN)
			snprintf(text, sizeof(text), "Error Report with length %u", len);
		else
			return 0;
		close_silently(s, text);
		return -1;
	}
	p = evbuffer_pullup(in, (ev_ssize_t)n);
	if (s->version < 0 && ver > RTR_VERSION_MAX) {
		snprintf(text, sizeof(text), "%s of protocol version %u, we speak 0 to %u",
		    rtr_pdu_type_name(type), ver, RTR_VERSION_MAX);
		send_error(s, RTR_VERSION_MAX, RTR_ERR_UNSUPPORTED_VERSION, p, n, text);
		return -1;
	}
	if (s->version >= 0 && ver != s->version) {
		snprintf(text, sizeof(text), "%s of protocol version %u in a version %d session",
		    rtr_pdu_type_name(type), ver, s->version);
		send_error(s, (uint8_t)s->version, RTR_ERR_UNEXPECTED_VERSION, p, n, text);
		return -1;
	}
	if (rtr_pdu_check_header(ver, type, len, &err) == -1 &&
	    err.code == RTR_ERR_UNSUPPORTED_PDU_TYPE) {
		send_error(s, ver, err.code, p, n, err.text);
		return -1;
	}
	if (type != RTR_PDU_SERIAL_QUERY && type != RTR_PDU_RESET_QUERY) {
		snprintf(text, sizeof(text), "%s is sent by caches, not by routers",
		    rtr_pdu_type_name(type));
		send_error(s, ver, RTR_ERR_INVALID_REQUEST, p, n, text);
		return -1;
	}
	if (rtr_pdu_check_header(ver, type, len, &err) == -1) {
		send_error(s, ver, err.code, p, n, err.text);
		return -1;
	}
	return 0;
}

enum rtr_session_status
rtr_session_input(struct rtr_session *s, struct evbuffer *in, time_t now)
{
	uint8_t hdr[RTR_HEADER_LEN], ver, type;
	uint16_t field;
	uint32_t len;
	const uint8_t *p;

	(void)now;
	while (!s->closing && evbuffer_get_length(s->out) <= RTR_SESSION_HIGH_WATER) {
		if (evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
			break;
		rtr_pdu_header(hdr, &ver, &type, &field, &len);
		if (check_header(s, in, ver, type, len) == -1)
			break;
		if (evbuffer_get_length(in) < len)
			break;			/* partial PDU: wait */
		p = evbuffer_pullup(in, (ev_ssize_t)len);
		if (p == NULL)
			fatalx("rtr session %s: out of memory", s->name);
		if (type == RTR_PDU_ERROR_REPORT)
			handle_error_report(s, p, len);
		else
			handle_query(s, p, len);
		evbuffer_drain(in, len);
	}
	if (s->closing) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return RTR_SESSION_CLOSE;
	}
	return RTR_SESSION_OK;
}

/* ---------------------------------------------------------------------------
 * Router-side client
 *
 * Records live in one open-addressing hash table keyed by their PDU
 * identity: type, prefix, lengths, ASN for prefixes; type, SKI, ASN, SPKI
 * for router keys; type and customer for ASPAs (value: the providers).
 */
struct rec {
	uint32_t hash;
	uint32_t klen, vlen;
	uint8_t *data;			/* key, then value; NULL: empty slot */
};

struct rtr_client {
	uint8_t version;
	bool negotiated;
	bool dead;
	bool in_response;
	bool reset_sent;		/* the outstanding query is a Reset Query */
	bool synced;
	uint16_t sid;
	uint32_t serial, refresh, retry, expire;
	uint16_t code;
	char text[160];
	struct evbuffer *out;
	struct rec *slots;
	size_t cap, n;
};

static uint32_t
hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static long
tab_find(const struct rtr_client *c, const uint8_t *key, uint32_t klen, uint32_t h)
{
	size_t mask = c->cap - 1, i;

	if (c->cap == 0)
		return -1;
	for (i = h & mask; c->slots[i].data != NULL; i = (i + 1) & mask)
		if (c->slots[i].hash == h && c->slots[i].klen == klen &&
		    memcmp(c->slots[i].data, key, klen) == 0)
			return (long)i;
	return -1;
}

static void tab_put(struct rtr_client *c, struct rec r);

static void
tab_grow(struct rtr_client *c)
{
	struct rec *old = c->slots;
	size_t oldcap = c->cap, i;

	c->cap = oldcap ? oldcap * 2 : 1024;
	c->slots = xcalloc(c->cap, sizeof(*c->slots));
	c->n = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].data != NULL)
			tab_put(c, old[i]);
	free(old);
}

static void
tab_put(struct rtr_client *c, struct rec r)
{
	size_t mask, i;

	if ((c->n + 1) * 2 > c->cap)
		tab_grow(c);
	mask = c->cap - 1;
	for (i = r.hash & mask; c->slots[i].data != NULL; i = (i + 1) & mask)
		;
	c->slots[i] = r;
	c->n++;
}

static void
tab_remove(struct rtr_client *c, size_t i)
{
	size_t mask = c->cap - 1, j = i, k;

	free(c->slots[i].data);
	c->slots[i].data = NULL;
	c->n--;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (;;) {
		j = (j + 1) & mask;
		if (c->slots[j].data == NULL)
			return;
		k = c->slots[j].hash & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && k <= i && k > j)) {
			c->slots[i] = c->slots[j];
			c->slots[j].data = NULL;
			i = j;
		}
	}
}

static void
tab_clear(struct rtr_client *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		free(c->slots[i].data);
	free(c->slots);
	c->slots = NULL;
	c->cap = c->n = 0;
}

struct rtr_client *
rtr_client_new(uint8_t version)
{
	struct rtr_client *c = xcalloc(1, sizeof(*c));

	c->version = version;
	c->out = evbuffer_new();
	if (c->out == NULL)
		fatalx("rtr client: out of memory");
	return c;
}

void
rtr_client_free(struct rtr_client *c)
{
	if (c == NULL)
		return;
	tab_clear(c);
	evbuffer_free(c->out);
	free(c);
}

struct evbuffer *
rtr_client_output(struct rtr_client *c)
{
	return c->out;
}

void
rtr_client_reset_query(struct rtr_client *c)
{
	uint8_t buf[8];

	evbuffer_add(c->out, buf, rtr_pdu_put_reset_query(buf, c->version));
	c->reset_sent = true;
}

void
rtr_client_serial_query(struct rtr_client *c)
{
	uint8_t buf[12];

	evbuffer_add(c->out, buf, rtr_pdu_put_serial_query(buf, c->version, c->sid, c->serial));
	c->reset_sent = false;
}

uint16_t
rtr_client_code(const struct rtr_client *c)
{
	return c->code;
}

const char *
rtr_client_text(const struct rtr_client *c)
{
	return c->text;
}

int
rtr_client_version(const struct rtr_client *c)
{
	return c->version;
}

bool
rtr_client_synced(const struct rtr_client *c, uint16_t *session_id, uint32_t *serial)
{
	if (session_id != NULL)
		*session_id = c->sid;
	if (serial != NULL)
		*serial = c->serial;
	return c->synced;
}

void
rtr_client_timers(const struct rtr_client *c, uint32_t *refresh, uint32_t *retry, uint32_t *expire)
{
	*refresh = c->refresh;
	*retry = c->retry;
	*expire = c->expire;
}

size_t
rtr_client_count(const struct rtr_client *c)
{
	return c->n;
}

/* We found an error: report it to the cache (unless it was about an Error
 * Report) and remember it. */
static enum rtr_client_event
client_error(struct rtr_client *c, enum rtr_error_code code, const uint8_t *pdu, size_t len,
    const char *text)
{
	c->code = (uint16_t)code;
	snprintf(c->text, sizeof(c->text), "%s", text);
	if (len < RTR_HEADER_LEN || pdu[1] != RTR_PDU_ERROR_REPORT)
		rtr_pdu_add_error_report(c->out, c->version, code, pdu, len, text);
	if (rtr_error_fatal(c->version, code)) {
		c->dead = true;
		c->synced = false;
		tab_clear(c);		/* 8210bis 12: flush what came from this cache */
	}
	return RTR_CLIENT_ERROR;
}

static size_t
record_key(const struct rtr_pdu *pdu, uint8_t *key)
{
	size_t n = 0;

	key[n++] = pdu->type;
	switch (pdu->type) {
	case RTR_PDU_IPV4_PREFIX:
	case RTR_PDU_IPV6_PREFIX:
		memcpy(key + n, pdu->u.prefix.vrp.prefix.a, 16);
		n += 16;
		key[n++] = pdu->u.prefix.vrp.prefix.len;
		key[n++] = pdu->u.prefix.vrp.max_len;
		rtr_put32(key + n, pdu->u.prefix.vrp.asn);
		return n + 4;
	case RTR_PDU_ROUTER_KEY:
		memcpy(key + n, pdu->u.key.ski, RTR_SKI_LEN);
		n += RTR_SKI_LEN;
		rtr_put32(key + n, pdu->u.key.asn);
		return n + 4;		/* the SPKI follows, added by the caller */
	default:
		rtr_put32(key + n, pdu->u.aspa.customer_asn);
		return n + 4;
	}
}

static enum rtr_client_event
client_apply(struct rtr_client *c, const struct rtr_pdu *pdu, const uint8_t *buf, size_t len)
{
	uint8_t small[64], *key = small;
	const uint8_t *val = NULL;
	uint32_t klen, vlen = 0, h;
	bool announce;
	long i;
	struct rec r;
	char text[160];

	klen = (uint32_t)record_key(pdu, key);
	if (pdu->type == RTR_PDU_ROUTER_KEY) {
		key = xmalloc(klen + pdu->u.key.spki_len);
		memcpy(key, small, klen);
		memcpy(key + klen, pdu->u.key.spki, pdu->u.key.spki_len);
		klen += pdu->u.key.spki_len;
		announce = pdu->u.key.flags & RTR_FLAG_ANNOUNCE;
	} else if (pdu->type == RTR_PDU_ASPA) {
		announce = pdu->u.aspa.flags & RTR_FLAG_ANNOUNCE;
		val = pdu->u.aspa.providers;
		vlen = pdu->u.aspa.nproviders * 4;
	} else
		announce = pdu->u.prefix.flags & RTR_FLAG_ANNOUNCE;
	h = hash_bytes(key, klen);
	i = tab_find(c, key, klen, h);
	if (announce && i >= 0 && pdu->type == RTR_PDU_ASPA) {
		tab_remove(c, (size_t)i);	/* 8210bis 5.12: replaces */
		i = -1;
	}
	if (announce && i >= 0) {
		snprintf(text, sizeof(text), "%s announced twice", rtr_pdu_type_name(pdu->type));
		if (key != small)
			free(key);
		return client_error(c, RTR_ERR_DUPLICATE_ANNOUNCEMENT, buf, len, text);
	}
	if (!announce && i < 0) {
		snprintf(text, sizeof(text), "withdrawal of an unknown %s", rtr_pdu_type_name(pdu->type));
		if (key != small)
			free(key);
		return client_error(c, RTR_ERR_UNKNOWN_WITHDRAWAL, buf, len, text);
	}
	if (announce) {
		r.hash = h;
		r.klen = klen;
		r.vlen = vlen;
		r.data = xmalloc(klen + vlen);
		memcpy(r.data, key, klen);
		if (vlen > 0)
			memcpy(r.data + klen, val, vlen);
		tab_put(c, r);
	} else
		tab_remove(c, (size_t)i);
	if (key != small)
		free(key);
	return RTR_CLIENT_PDU;
}

enum rtr_client_event
rtr_client_input(struct rtr_client *c, struct evbuffer *in)
{
	uint8_t hdr[RTR_HEADER_LEN], ver, type;
	uint16_t field;
	uint32_t len;
	const uint8_t *p;
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	enum rtr_client_event ev = RTR_CLIENT_PDU;
	char text[160];

	if (c->dead) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return RTR_CLIENT_NONE;
	}
	if (evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return RTR_CLIENT_NONE;
	rtr_pdu_header(hdr, &ver, &type, &field, &len);
	if (len < RTR_HEADER_LEN || len > RTR_PDU_MAX_LEN) {
		snprintf(text, sizeof(text), "%s with length %u", rtr_pdu_type_name(type), len);
		ev = client_error(c, RTR_ERR_CORRUPT_DATA, hdr, sizeof(hdr), text);
		evbuffer_drain(in, evbuffer_get_length(in));
		return ev;
	}
	if (evbuffer_get_length(in) < len)
		return RTR_CLIENT_NONE;
	p = evbuffer_pullup(in, (ev_ssize_t)len);
	if (!c->negotiated) {
		/* RFC 8210 7: ignore Serial Notify while negotiating; accept a
		 * lower version offered by a Cache Response, Cache Reset or
		 * Error Report "Unsupported Protocol Version". */
		if (type == RTR_PDU_SERIAL_NOTIFY) {
			evbuffer_drain(in, len);
			return RTR_CLIENT_PDU;
		}
		if (ver < c->version && (type == RTR_PDU_CACHE_RESPONSE || type == RTR_PDU_CACHE_RESET ||
		    (type == RTR_PDU_ERROR_REPORT && field == RTR_ERR_UNSUPPORTED_VERSION)))
			c->version = ver;
		if (type == RTR_PDU_CACHE_RESPONSE || type == RTR_PDU_CACHE_RESET)
			c->negotiated = ver == c->version;
	}
	if (ver != c->version) {
		if (type == RTR_PDU_ERROR_REPORT) {
			ev = RTR_CLIENT_ERROR_REPORT;
			c->code = field;
			snprintf(c->text, sizeof(c->text), "Error Report of version %u", ver);
		} else {
			snprintf(text, sizeof(text), "%s of version %u, session has %u",
			    rtr_pdu_type_name(type), ver, c->version);
			ev = client_error(c, c->negotiated ? RTR_ERR_UNEXPECTED_VERSION :
			    RTR_ERR_UNSUPPORTED_VERSION, p, len, text);
		}
		evbuffer_drain(in, len);
		return ev;
	}
	if (rtr_pdu_parse(p, len, &pdu, &err) == -1) {
		if (type == RTR_PDU_ERROR_REPORT) {
			c->dead = true;
			c->synced = false;
			tab_clear(c);
			c->code = RTR_ERR_CORRUPT_DATA;
			snprintf(c->text, sizeof(c->text), "corrupt Error Report: %s", err.text);
			ev = RTR_CLIENT_ERROR_REPORT;
		} else
			ev = client_error(c, err.code, p, len, err.text);
		evbuffer_drain(in, len);
		return ev;
	}
	switch (type) {
	case RTR_PDU_SERIAL_NOTIFY:
		ev = RTR_CLIENT_NOTIFY;
		break;
	case RTR_PDU_CACHE_RESPONSE:
		if (c->in_response)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, "Cache Response inside a response");
		else if (c->synced && !c->reset_sent && pdu.session_id != c->sid)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, "session id changed");
		else {
			if (c->reset_sent)
				tab_clear(c);
			c->sid = pdu.session_id;
			c->in_response = true;
		}
		break;
	case RTR_PDU_IPV4_PREFIX:
	case RTR_PDU_IPV6_PREFIX:
	case RTR_PDU_ROUTER_KEY:
	case RTR_PDU_ASPA:
		if (!c->in_response)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, "payload outside a response");
		else
			ev = client_apply(c, &pdu, p, len);
		break;
	case RTR_PDU_END_OF_DATA:
		if (!c->in_response)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, "End of Data without Cache Response");
		else if (pdu.session_id != c->sid)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len,
			    "End of Data session id differs from the Cache Response's");
		else {
			c->in_response = false;
			c->synced = true;
			c->serial = pdu.u.eod.serial;
			c->refresh = pdu.u.eod.refresh;
			c->retry = pdu.u.eod.retry;
			c->expire = pdu.u.eod.expire;
			ev = RTR_CLIENT_END_OF_DATA;
		}
		break;
	case RTR_PDU_CACHE_RESET:
		if (c->in_response)
			ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, "Cache Reset inside a response");
		else
			ev = RTR_CLIENT_CACHE_RESET;
		break;
	case RTR_PDU_ERROR_REPORT:
		c->code = pdu.session_id;
		snprintf(c->text, sizeof(c->text), "%.*s",
		    (int)(pdu.u.error.text_len < 150 ? pdu.u.error.text_len : 150),
		    (const char *)pdu.u.error.text);
		if (rtr_error_fatal(c->version, c->code)) {
			c->dead = true;
			c->synced = false;
			tab_clear(c);
		}
		c->in_response = false;
		ev = RTR_CLIENT_ERROR_REPORT;
		break;
	default:	/* queries: only a router sends them */
		snprintf(text, sizeof(text), "%s sent by a cache", rtr_pdu_type_name(type));
		ev = client_error(c, RTR_ERR_CORRUPT_DATA, p, len, text);
		break;
	}
	evbuffer_drain(in, len);
	return ev;
}

struct rtr_set *
rtr_client_set(const struct rtr_client *c)
{
	struct rtr_set *set = rtr_set_new();
	struct rtr_vrp v;
	uint32_t *prov = xmalloc(RTR_ASPA_MAX_PROVIDERS * sizeof(uint32_t));
	size_t i, j;

	for (i = 0; i < c->cap; i++) {
		const struct rec *r = &c->slots[i];
		const uint8_t *k = r->data;

		if (k == NULL)
			continue;
		switch (k[0]) {
		case RTR_PDU_IPV4_PREFIX:
		case RTR_PDU_IPV6_PREFIX:
			memset(&v, 0, sizeof(v));
			v.prefix.family = k[0] == RTR_PDU_IPV4_PREFIX ? IP_AF4 : IP_AF6;
			memcpy(v.prefix.a, k + 1, 16);
			v.prefix.len = k[17];
			v.max_len = k[18];
			v.asn = rtr_get32(k + 19);
			rtr_set_add_vrp(set, &v);
			break;
		case RTR_PDU_ROUTER_KEY:
			rtr_set_add_router_key(set, k + 1, rtr_get32(k + 21), k + 25, r->klen - 25);
			break;
		case RTR_PDU_ASPA:
			for (j = 0; j < r->vlen / 4; j++)
				prov[j] = rtr_get32(r->data + r->klen + 4 * j);
			rtr_set_add_aspa(set, rtr_get32(k + 1), prov, r->vlen / 4);
			break;
		}
	}
	free(prov);
	rtr_set_normalise(set);
	return set;
}
