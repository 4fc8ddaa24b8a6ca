/*
 * rtr.h - the RPKI-to-Router protocol, cache side (and a small router-side
 * client used by tests and tools).
 *
 * Versions: 0 (RFC 6810), 1 (RFC 8210), 2 (draft-ietf-sidrops-8210bis-27,
 * ASPA PDU with the flags in the header). Three parts:
 *
 *   rtr_pdu.c      the PDU codec: parse one PDU from (buf, len), encode each
 *                  PDU type. Pure functions.
 *   rtr_cache.c    the served set: session ids, serial, deltas for the last
 *                  `history` serials, and the payload PDUs of the full set and
 *                  of each delta, encoded once per serial and version into
 *                  reference-counted immutable blobs that every session
 *                  shares (evbuffer_add_reference; no per-client copy).
 *   rtr_session.c  one router connection: bytes in (an evbuffer holding what
 *                  the socket delivered) -> answers appended to the session's
 *                  output evbuffer. No sockets, no event loop: the daemon
 *                  owns both and calls in.
 *
 * Everything here is single-threaded (the blob reference counts are plain
 * integers): use it from the event loop's thread only.
 *
 * Daemon wiring, in short:
 *   cache = rtr_cache_new(&cfg);                  at start
 *   rtr_cache_update(cache, set, now);            on every ROA import (takes set)
 *   s = rtr_session_new(cache, bufferevent_get_output(bev), "192.0.2.1:4711");
 *   readcb:  st = rtr_session_input(s, bufferevent_get_input(bev), now);
 *   writecb: (output drained below RTR_SESSION_HIGH_WATER) call
 *            rtr_session_input again: a session reads no new query while its
 *            output holds more than RTR_SESSION_HIGH_WATER bytes.
 *   timer (1 s): st = rtr_session_tick(s, now) for every session.
 *   st == RTR_SESSION_CLOSE: flush the output (bounded in time), then close;
 *   st == RTR_SESSION_DROP: close now. Free with rtr_session_free() after
 *   the callback that returned it, never inside rtr_cache_update().
 * Set a read watermark on the bufferevent (e.g. 64 KiB) so that a session
 * that is not reading does not make its input grow, a write low watermark
 * of RTR_SESSION_HIGH_WATER so that the write callback comes when the
 * session would read again, and bufferevent_set_max_single_write(bev, 4 MiB):
 * libevent writes only 16 KiB per loop iteration by default, which makes
 * a 14 MB full set crawl.
 */
#ifndef RPKI_RTR_H
#define RPKI_RTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rpsl/prefix.h"

struct evbuffer;

#define RTR_VERSION_MIN		0
#define RTR_VERSION_MAX		2
#define RTR_NVERSIONS		3

enum rtr_pdu_type {
	RTR_PDU_SERIAL_NOTIFY = 0,
	RTR_PDU_SERIAL_QUERY = 1,
	RTR_PDU_RESET_QUERY = 2,
	RTR_PDU_CACHE_RESPONSE = 3,
	RTR_PDU_IPV4_PREFIX = 4,
	RTR_PDU_IPV6_PREFIX = 6,
	RTR_PDU_END_OF_DATA = 7,
	RTR_PDU_CACHE_RESET = 8,
	RTR_PDU_ROUTER_KEY = 9,		/* version 1 and later */
	RTR_PDU_ERROR_REPORT = 10,
	RTR_PDU_ASPA = 11,		/* version 2 */
};

/* Error codes, RFC 8210 section 12 and 8210bis section 12 (9..13: v2 only). */
enum rtr_error_code {
	RTR_ERR_CORRUPT_DATA = 0,
	RTR_ERR_INTERNAL_ERROR = 1,
	RTR_ERR_NO_DATA_AVAILABLE = 2,
	RTR_ERR_INVALID_REQUEST = 3,
	RTR_ERR_UNSUPPORTED_VERSION = 4,
	RTR_ERR_UNSUPPORTED_PDU_TYPE = 5,
	RTR_ERR_UNKNOWN_WITHDRAWAL = 6,
	RTR_ERR_DUPLICATE_ANNOUNCEMENT = 7,
	RTR_ERR_UNEXPECTED_VERSION = 8,
	RTR_ERR_ASPA_PROVIDER_LIST = 9,
	RTR_ERR_TRANSPORT_FAILURE = 10,
	RTR_ERR_ORDERING = 11,
	RTR_ERR_CACHE_RESTART = 12,
	RTR_ERR_CACHE_SHUTDOWN = 13,
};

#define RTR_HEADER_LEN		8
#define RTR_PDU_MAX_LEN		65535	/* 8210bis 5.1; we hold v0/v1 to it too */
#define RTR_SKI_LEN		20
#define RTR_FLAG_ANNOUNCE	0x01
/* Largest SPKI / provider list that fits in one PDU. */
#define RTR_SPKI_MAX_LEN	(RTR_PDU_MAX_LEN - 32)
#define RTR_ASPA_MAX_PROVIDERS	((RTR_PDU_MAX_LEN - 12) / 4)

/* ---------------------------------------------------------------------------
 * Payload records: the input of the cache (filled by the ROA/ASPA/BGPsec
 * importers) and what the client keeps.
 */
struct rtr_vrp {
	struct ip_prefix prefix;	/* host bits zero */
	uint8_t max_len;		/* prefix.len .. 32/128 */
	uint32_t asn;
};

struct rtr_aspa {
	uint32_t customer_asn;
	uint32_t nproviders;
	uint32_t *providers;		/* ascending, unique; AS0 only alone */
};

struct rtr_router_key {
	uint8_t ski[RTR_SKI_LEN];
	uint32_t asn;
	uint32_t spki_len;
	uint8_t *spki;			/* DER SubjectPublicKeyInfo */
};

/* A set of payload records in any order, with duplicates allowed. The
 * cache normalises it (sorts, merges duplicates, forms the union of the
 * provider lists of one customer's ASPAs). */
struct rtr_set {
	struct rtr_vrp *vrps;
	size_t nvrps, vrps_cap;
	struct rtr_aspa *aspas;
	size_t naspas, aspas_cap;
	struct rtr_router_key *keys;
	size_t nkeys, keys_cap;
};

struct rtr_set *rtr_set_new(void);
/* Frees the set and everything it holds; accepts NULL. */
void rtr_set_free(struct rtr_set *set);
/* Add copies. Return 0, or -1 (and log nothing) for a record no PDU can
 * carry: bad family or lengths (max_len < len or > 32/128), a provider
 * list over RTR_ASPA_MAX_PROVIDERS or empty, an SPKI over RTR_SPKI_MAX_LEN
 * or empty. Host bits of a VRP prefix are cleared. */
int rtr_set_add_vrp(struct rtr_set *set, const struct rtr_vrp *vrp);
int rtr_set_add_aspa(struct rtr_set *set, uint32_t customer_asn,
    const uint32_t *providers, size_t nproviders);
int rtr_set_add_router_key(struct rtr_set *set, const uint8_t ski[RTR_SKI_LEN],
    uint32_t asn, const uint8_t *spki, size_t spki_len);
/* Sort (VRPs by family, address, max length, prefix length, ASN; keys by
 * SKI, SPKI length, SPKI, ASN; ASPAs by customer), drop duplicates, merge
 * the ASPAs of one customer. rtr_cache_update() does this itself. */
void rtr_set_normalise(struct rtr_set *set);

/* ---------------------------------------------------------------------------
 * PDU codec (rtr_pdu.c)
 */

/* A decoded PDU. Pointers point into the buffer that was parsed. */
struct rtr_pdu {
	uint8_t version;
	uint8_t type;
	uint16_t session_id;	/* or error code; the raw header field */
	uint32_t length;
	union {
		uint32_t serial;	/* Serial Notify, Serial Query */
		struct {
			uint32_t serial, refresh, retry, expire; /* timers 0 in v0 */
		} eod;
		struct {
			uint8_t flags;
			struct rtr_vrp vrp;
		} prefix;
		struct {
			uint8_t flags;
			uint8_t ski[RTR_SKI_LEN];
			uint32_t asn;
			const uint8_t *spki;
			uint32_t spki_len;
		} key;
		struct {
			uint8_t flags;
			uint32_t customer_asn;
			uint32_t nproviders;
			const uint8_t *providers;	/* big-endian, use rtr_pdu_aspa_provider() */
		} aspa;
		struct {
			const uint8_t *pdu;
			uint32_t pdu_len;
			const uint8_t *text;
			uint32_t text_len;
		} error;
	} u;
};

/* Why a PDU was rejected: the error code to report and a diagnostic. */
struct rtr_pdu_error {
	enum rtr_error_code code;
	char text[128];
};

/* Read the 8-byte header; len must be >= RTR_HEADER_LEN. */
void rtr_pdu_header(const uint8_t *buf, uint8_t *version, uint8_t *type,
    uint16_t *field, uint32_t *length);
/* Check a header alone (version known, type known for that version, length
 * allowed for the type). 0, or -1 with err filled. */
int rtr_pdu_check_header(uint8_t version, uint8_t type, uint32_t length,
    struct rtr_pdu_error *err);
/* Parse exactly one PDU: buf holds len bytes, len must equal the header's
 * length. Checks everything the RFCs let a receiver check without state:
 * version, type, exact lengths, prefix/max lengths and host bits, ASPA
 * provider lists (ascending, unique, no AS0 among several; withdrawals
 * without providers), Error Report inner lengths. 0, or -1 with err. */
int rtr_pdu_parse(const uint8_t *buf, size_t len, struct rtr_pdu *pdu,
    struct rtr_pdu_error *err);
uint32_t rtr_pdu_aspa_provider(const struct rtr_pdu *pdu, uint32_t i);

/* Encoders: each writes one PDU to dst (which must hold the returned
 * number of bytes; pass dst NULL to learn the size) and returns its length. */
size_t rtr_pdu_put_serial_notify(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial);
size_t rtr_pdu_put_serial_query(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial);
size_t rtr_pdu_put_reset_query(uint8_t *dst, uint8_t version);
size_t rtr_pdu_put_cache_response(uint8_t *dst, uint8_t version, uint16_t session_id);
size_t rtr_pdu_put_prefix(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_vrp *vrp);
size_t rtr_pdu_put_end_of_data(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial,
    uint32_t refresh, uint32_t retry, uint32_t expire);
size_t rtr_pdu_put_cache_reset(uint8_t *dst, uint8_t version);
size_t rtr_pdu_put_router_key(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_router_key *key);
size_t rtr_pdu_put_aspa(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_aspa *aspa);
/* Error Report with the erroneous PDU (truncated so that the whole report
 * stays within RTR_PDU_MAX_LEN) and a text (may be NULL). */
size_t rtr_pdu_put_error_report(uint8_t *dst, uint8_t version, enum rtr_error_code code,
    const uint8_t *pdu, size_t pdu_len, const char *text);
/* The same, appended to an evbuffer. 0 or -1. */
int rtr_pdu_add_error_report(struct evbuffer *out, uint8_t version, enum rtr_error_code code,
    const uint8_t *pdu, size_t pdu_len, const char *text);

/* Names: "Reset Query", "Corrupt Data"; "unknown" for others. */
const char *rtr_pdu_type_name(uint8_t type);
const char *rtr_error_name(uint16_t code);
/* Is code defined for version (v0/v1: 0..8, v2: 0..13)? */
bool rtr_error_valid(uint8_t version, uint16_t code);
/* Does code end the session (RFC 8210 / 8210bis section 12)? Unknown
 * codes are fatal. */
bool rtr_error_fatal(uint8_t version, uint16_t code);

/* Serial number arithmetic, RFC 1982 with SERIAL_BITS = 32: is a < b? */
bool rtr_serial_lt(uint32_t a, uint32_t b);

/* End of Data timers, RFC 8210 section 6: refresh 1..86400, retry
 * 1..7200, expire 600..172800 and larger than both. 0, or -1 with why. */
int rtr_timers_check(uint32_t refresh, uint32_t retry, uint32_t expire,
    char *why, size_t whylen);

/* ---------------------------------------------------------------------------
 * The cache (rtr_cache.c)
 */
struct rtr_cache_config {
	uint32_t refresh, retry, expire;	/* End of Data timers (v1+) */
	unsigned history;		/* old serials kept for deltas; >= 10 */
	unsigned notify_interval;	/* min seconds between Serial Notifies
					 * to one session; RFC 8210 8.2: 60 */
};
#define RTR_CACHE_CONFIG_DEFAULT { 3600, 600, 7200, 10, 60 }

struct rtr_cache;
struct rtr_session;

/* A cache with random, per-version distinct session ids and no data: until
 * the first rtr_cache_update() every query gets "No Data Available". NULL
 * (with a log line) if cfg's timers are out of range. */
struct rtr_cache *rtr_cache_new(const struct rtr_cache_config *cfg);
/* For tests: fixed session ids (one per version) and first serial. */
void rtr_cache_set_identity(struct rtr_cache *cache, const uint16_t session_ids[RTR_NVERSIONS],
    uint32_t serial);
/* Frees the cache; sessions must have been freed first. Blobs still queued
 * in evbuffers stay valid until drained. Accepts NULL. */
void rtr_cache_free(struct rtr_cache *cache);
/* New timers / notify interval / history on config reload. 0 or -1. */
int rtr_cache_configure(struct rtr_cache *cache, const struct rtr_cache_config *cfg);

/* Serve `set` (ownership passes to the cache; it is normalised in place).
 * If it differs from the served set, the serial grows by one (mod 2^32),
 * the delta is kept and every session that has negotiated a version gets a
 * Serial Notify (now, or from rtr_session_tick() once the rate limit lets
 * it). Returns 1 if the serial changed, 0 if the set was the same (the
 * first load always counts as a change). */
int rtr_cache_update(struct rtr_cache *cache, struct rtr_set *set, time_t now);
/* Before stopping: v2 sessions get Error Report "Cache Restart" (restart)
 * or "Cache Shutdown"; others nothing (8210bis 8.5, 8.6). */
void rtr_cache_shutdown(struct rtr_cache *cache, bool restart);

struct rtr_cache_stats {
	bool have_data;
	uint32_t serial;
	uint16_t session_id[RTR_NVERSIONS];
	size_t vrps_v4, vrps_v6, aspas, router_keys;
	size_t deltas;			/* old serials answerable with a delta */
	size_t sessions;
	time_t last_update;		/* `now` of the last change */
	/* Counters since start (for /metrics). */
	uint64_t reset_queries, serial_queries, cache_resets, deltas_sent;
	uint64_t notifies_sent, errors_sent, errors_received;
};
void rtr_cache_stats(const struct rtr_cache *cache, struct rtr_cache_stats *st);

/* ---------------------------------------------------------------------------
 * A router session (rtr_session.c)
 */
enum rtr_session_status {
	RTR_SESSION_OK = 0,
	RTR_SESSION_CLOSE,	/* flush the output, then close */
	RTR_SESSION_DROP,	/* close now, without waiting for the output */
};

/* A session stops reading queries while its output holds more than this. */
#define RTR_SESSION_HIGH_WATER	(256 * 1024)

/* A session that writes to `out` (borrowed: it must outlive the session;
 * usually the bufferevent's output). `name` (copied) prefixes its log
 * lines, e.g. the peer address. Registers with the cache for notifies. */
struct rtr_session *rtr_session_new(struct rtr_cache *cache, struct evbuffer *out,
    const char *name);
/* Unregisters and frees; accepts NULL. Never call it from inside
 * rtr_cache_update() or an output callback. */
void rtr_session_free(struct rtr_session *s);
/* Optional: called when the cache appended something to the output on
 * its own (a Serial Notify, Cache Restart), so a daemon that does not use
 * a bufferevent can schedule a write. */
void rtr_session_set_output_cb(struct rtr_session *s,
    void (*cb)(struct rtr_session *, void *), void *arg);

/* Consume every complete PDU from `in` (draining it) and append the
 * answers. A partial PDU stays in `in` until more arrives. After a fatal
 * error the Error Report is queued and CLOSE is returned; later input is
 * discarded. */
enum rtr_session_status rtr_session_input(struct rtr_session *s, struct evbuffer *in, time_t now);
/* Timers: sends a rate-limited Serial Notify that is due, and detects a
 * stalled peer (output not shrinking for 3 x retry interval, 8210bis 9):
 * DROP. Call about once a second. */
enum rtr_session_status rtr_session_tick(struct rtr_session *s, time_t now);
/* Bytes queued in the output (the daemon may drop a session above its own
 * limit). Shared payload blobs count in full although they are not copied. */
size_t rtr_session_queued(const struct rtr_session *s);
/* Would rtr_session_input read now (output below RTR_SESSION_HIGH_WATER)? */
bool rtr_session_wants_input(const struct rtr_session *s);
/* Negotiated version, or -1 before the first query. */
int rtr_session_version(const struct rtr_session *s);
const char *rtr_session_name(const struct rtr_session *s);

/* ---------------------------------------------------------------------------
 * A router-side client (rtr_session.c): applies what a cache sends to a
 * local copy and reports what RFC 8210 / 8210bis make a router report.
 * Used by the tests and by test tools; the daemon does not need it.
 */
struct rtr_client;

enum rtr_client_event {
	RTR_CLIENT_NONE = 0,	/* need more bytes */
	RTR_CLIENT_PDU,		/* one PDU applied, nothing else to do */
	RTR_CLIENT_END_OF_DATA,	/* a response is complete; serial updated */
	RTR_CLIENT_NOTIFY,	/* Serial Notify: query when convenient */
	RTR_CLIENT_CACHE_RESET,	/* send a Reset Query */
	RTR_CLIENT_ERROR_REPORT,/* the cache reported an error (ev_code) */
	RTR_CLIENT_ERROR,	/* we found an error: ev_code, ev_text; the
				 * Error Report to send is in the client's
				 * output (rtr_client_output); the session is
				 * over if rtr_error_fatal(). */
};

struct rtr_client *rtr_client_new(uint8_t version);
void rtr_client_free(struct rtr_client *c);
/* Queue a Reset Query / a Serial Query for the last End of Data's serial. */
void rtr_client_reset_query(struct rtr_client *c);
void rtr_client_serial_query(struct rtr_client *c);
/* Bytes to send to the cache (queries, error reports). */
struct evbuffer *rtr_client_output(struct rtr_client *c);
/* Process the next PDU from `in`; returns what happened. */
enum rtr_client_event rtr_client_input(struct rtr_client *c, struct evbuffer *in);
uint16_t rtr_client_code(const struct rtr_client *c);
const char *rtr_client_text(const struct rtr_client *c);
int rtr_client_version(const struct rtr_client *c);
bool rtr_client_synced(const struct rtr_client *c, uint16_t *session_id, uint32_t *serial);
void rtr_client_timers(const struct rtr_client *c, uint32_t *refresh, uint32_t *retry, uint32_t *expire);
/* The client's current data as a normalised set (caller frees). */
struct rtr_set *rtr_client_set(const struct rtr_client *c);
size_t rtr_client_count(const struct rtr_client *c);

#endif
