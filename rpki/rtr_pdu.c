/*
 * rtr_pdu.c - RPKI-to-Router PDU codec: RFC 6810 (v0), RFC 8210 (v1),
 * draft-ietf-sidrops-8210bis-27 (v2).
 *
 * Parsing never trusts the length field beyond the bytes given, reads
 * fields with explicit big-endian loads (no casts of the buffer) and checks
 * in the order header, length cap, exact length for the type, contents.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpki/rtr.h"
#include "rpki/rtr_int.h"

/*
 * Wire layouts (offsets in bytes; every PDU starts with the 8-byte header
 * version(1) type(1) session-id/error-code/flags+zero(2) length(4)):
 *
 *   Serial Notify, Serial Query   8: serial(4)                      len 12
 *   Reset Query, Cache Response,
 *   Cache Reset                   -                                 len 8
 *   IPv4 Prefix    8: flags prefixlen maxlen zero  12: prefix(4)  16: asn  len 20
 *   IPv6 Prefix    8: flags prefixlen maxlen zero  12: prefix(16) 28: asn  len 32
 *   End of Data    8: serial  (v1+: 12: refresh 16: retry 20: expire) len 12 / 24
 *   Router Key     header byte 2 = flags; 8: SKI(20) 28: asn 32: SPKI  len >= 33
 *   Error Report   8: pdu_len  12: pdu  12+pdu_len: text_len  then text
 *   ASPA           header byte 2 = flags; 8: customer 12: providers(4 each)
 */

static void
seterr(struct rtr_pdu_error *err, enum rtr_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(struct rtr_pdu_error *err, enum rtr_error_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

const char *
rtr_pdu_type_name(uint8_t type)
{
	switch (type) {
	case RTR_PDU_SERIAL_NOTIFY:	return "Serial Notify";
	case RTR_PDU_SERIAL_QUERY:	return "Serial Query";
	case RTR_PDU_RESET_QUERY:	return "Reset Query";
	case RTR_PDU_CACHE_RESPONSE:	return "Cache Response";
	case RTR_PDU_IPV4_PREFIX:	return "IPv4 Prefix";
	case RTR_PDU_IPV6_PREFIX:	return "IPv6 Prefix";
	case RTR_PDU_END_OF_DATA:	return "End of Data";
	case RTR_PDU_CACHE_RESET:	return "Cache Reset";
	case RTR_PDU_ROUTER_KEY:	return "Router Key";
	case RTR_PDU_ERROR_REPORT:	return "Error Report";
	case RTR_PDU_ASPA:		return "ASPA";
	default:			return "unknown";
	}
}

static const char *const error_names[] = {
	"Corrupt Data", "Internal Error", "No Data Available", "Invalid Request",
	"Unsupported Protocol Version", "Unsupported PDU Type",
	"Withdrawal of Unknown Record", "Duplicate Announcement Received",
	"Unexpected Protocol Version", "ASPA Provider List Error",
	"Transport Failure", "Ordering Error", "Cache Restart", "Cache Shutdown",
};

const char *
rtr_error_name(uint16_t code)
{
	if (code < sizeof(error_names) / sizeof(error_names[0]))
		return error_names[code];
	return "unknown";
}

bool
rtr_error_valid(uint8_t version, uint16_t code)
{
	if (version >= 2)
		return code <= RTR_ERR_CACHE_SHUTDOWN;
	return code <= RTR_ERR_UNEXPECTED_VERSION;
}

bool
rtr_error_fatal(uint8_t version, uint16_t code)
{
	if (!rtr_error_valid(version, code))
		return true;
	switch (code) {
	case RTR_ERR_NO_DATA_AVAILABLE:
		return false;
	case RTR_ERR_UNSUPPORTED_VERSION:
		/* 8210bis 12: no session was established; nothing to flush. */
		return version < 2;
	case RTR_ERR_CACHE_RESTART:
		return false;
	default:
		return true;
	}
}

bool
rtr_serial_lt(uint32_t a, uint32_t b)
{
	/* RFC 1982 3.2: a < b iff (a < b and b - a < 2^31) or
	 * (a > b and a - b > 2^31); a - b == 2^31 is undefined (false). */
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

int
rtr_timers_check(uint32_t refresh, uint32_t retry, uint32_t expire, char *why, size_t whylen)
{
	const char *w = NULL;

	if (refresh < 1 || refresh > 86400)
		w = "refresh must be 1..86400 seconds";
	else if (retry < 1 || retry > 7200)
		w = "retry must be 1..7200 seconds";
	else if (expire < 600 || expire > 172800)
		w = "expire must be 600..172800 seconds";
	else if (expire <= refresh || expire <= retry)
		w = "expire must be larger than refresh and retry";
	if (w == NULL)
		return 0;
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s (RFC 8210 section 6)", w);
	return -1;
}

void
rtr_pdu_header(const uint8_t *buf, uint8_t *version, uint8_t *type, uint16_t *field,
    uint32_t *length)
{
	*version = buf[0];
	*type = buf[1];
	*field = rtr_get16(buf + 2);
	*length = rtr_get32(buf + 4);
}

/* Is this PDU type defined in this protocol version? */
static bool
type_known(uint8_t version, uint8_t type)
{
	switch (type) {
	case RTR_PDU_SERIAL_NOTIFY:
	case RTR_PDU_SERIAL_QUERY:
	case RTR_PDU_RESET_QUERY:
	case RTR_PDU_CACHE_RESPONSE:
	case RTR_PDU_IPV4_PREFIX:
	case RTR_PDU_IPV6_PREFIX:
	case RTR_PDU_END_OF_DATA:
	case RTR_PDU_CACHE_RESET:
	case RTR_PDU_ERROR_REPORT:
		return true;
	case RTR_PDU_ROUTER_KEY:
		return version >= 1;
	case RTR_PDU_ASPA:
		return version >= 2;
	default:
		return false;
	}
}

int
rtr_pdu_check_header(uint8_t version, uint8_t type, uint32_t length, struct rtr_pdu_error *err)
{
	uint32_t want = 0, min = 0;

	if (version > RTR_VERSION_MAX) {
		seterr(err, RTR_ERR_UNSUPPORTED_VERSION,
		    "protocol version %u not supported (0 to %u)", version, RTR_VERSION_MAX);
		return -1;
	}
	if (!type_known(version, type)) {
		seterr(err, RTR_ERR_UNSUPPORTED_PDU_TYPE,
		    "PDU type %u not defined in protocol version %u", type, version);
		return -1;
	}
	if (length < RTR_HEADER_LEN || length > RTR_PDU_MAX_LEN) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: length %u outside %u..%u",
		    rtr_pdu_type_name(type), length, RTR_HEADER_LEN, RTR_PDU_MAX_LEN);
		return -1;
	}
	switch (type) {
	case RTR_PDU_SERIAL_NOTIFY:
	case RTR_PDU_SERIAL_QUERY:
		want = 12;
		break;
	case RTR_PDU_RESET_QUERY:
	case RTR_PDU_CACHE_RESPONSE:
	case RTR_PDU_CACHE_RESET:
		want = 8;
		break;
	case RTR_PDU_IPV4_PREFIX:
		want = 20;
		break;
	case RTR_PDU_IPV6_PREFIX:
		want = 32;
		break;
	case RTR_PDU_END_OF_DATA:
		want = version == 0 ? 12 : 24;
		break;
	case RTR_PDU_ROUTER_KEY:
		min = 8 + RTR_SKI_LEN + 4 + 1;
		break;
	case RTR_PDU_ERROR_REPORT:
		min = 16;
		break;
	case RTR_PDU_ASPA:
		min = 12;
		if (length % 4 != 0) {
			seterr(err, RTR_ERR_CORRUPT_DATA,
			    "ASPA: length %u not a multiple of 4", length);
			return -1;
		}
		break;
	}
	if (want != 0 && length != want) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: length %u, expected %u",
		    rtr_pdu_type_name(type), length, want);
		return -1;
	}
	if (min != 0 && length < min) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: length %u, at least %u expected",
		    rtr_pdu_type_name(type), length, min);
		return -1;
	}
	return 0;
}

/* Are all bits after the first len bits of a (alen bytes) zero? */
static bool
host_bits_zero(const uint8_t *a, unsigned alen, unsigned len)
{
	unsigned i;

	for (i = len; i < alen * 8; i++)
		if ((a[i >> 3] >> (7 - (i & 7))) & 1)
			return false;
	return true;
}

static int
parse_prefix(const uint8_t *buf, struct rtr_pdu *pdu, struct rtr_pdu_error *err)
{
	bool v4 = pdu->type == RTR_PDU_IPV4_PREFIX;
	unsigned alen = v4 ? 4 : 16, maxbits = v4 ? 32 : 128;
	struct rtr_vrp *v = &pdu->u.prefix.vrp;

	memset(v, 0, sizeof(*v));
	pdu->u.prefix.flags = buf[8];
	v->prefix.family = v4 ? IP_AF4 : IP_AF6;
	v->prefix.len = buf[9];
	v->max_len = buf[10];
	memcpy(v->prefix.a, buf + 12, alen);
	v->asn = rtr_get32(buf + 12 + alen);
	if (v->prefix.len > maxbits || v->max_len > maxbits || v->prefix.len > v->max_len) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: prefix length %u, max length %u",
		    rtr_pdu_type_name(pdu->type), v->prefix.len, v->max_len);
		return -1;
	}
	if (!host_bits_zero(v->prefix.a, alen, v->prefix.len)) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: host bits set after /%u (RFC 8210 5.6)",
		    rtr_pdu_type_name(pdu->type), v->prefix.len);
		return -1;
	}
	return 0;
}

static int
parse_aspa(const uint8_t *buf, size_t len, struct rtr_pdu *pdu, struct rtr_pdu_error *err)
{
	uint32_t i, n = (uint32_t)((len - 12) / 4), prev = 0, p;

	pdu->u.aspa.flags = buf[2];
	pdu->u.aspa.customer_asn = rtr_get32(buf + 8);
	pdu->u.aspa.nproviders = n;
	pdu->u.aspa.providers = buf + 12;
	if (!(buf[2] & RTR_FLAG_ANNOUNCE)) {
		if (n != 0) {
			seterr(err, RTR_ERR_ASPA_PROVIDER_LIST,
			    "ASPA AS%u: withdrawal with %u providers (8210bis 5.12: length must be 12)",
			    pdu->u.aspa.customer_asn, n);
			return -1;
		}
		return 0;
	}
	if (n == 0) {
		seterr(err, RTR_ERR_ASPA_PROVIDER_LIST,
		    "ASPA AS%u: announcement without providers (8210bis 5.12)",
		    pdu->u.aspa.customer_asn);
		return -1;
	}
	for (i = 0; i < n; i++) {
		p = rtr_get32(buf + 12 + 4 * i);
		if (i > 0 && p <= prev) {
			seterr(err, RTR_ERR_ASPA_PROVIDER_LIST,
			    "ASPA AS%u: providers not in increasing order (8210bis 5.12)",
			    pdu->u.aspa.customer_asn);
			return -1;
		}
		if (p == 0 && n > 1) {
			seterr(err, RTR_ERR_ASPA_PROVIDER_LIST,
			    "ASPA AS%u: AS0 among several providers (8210bis 5.12)",
			    pdu->u.aspa.customer_asn);
			return -1;
		}
		prev = p;
	}
	return 0;
}

int
rtr_pdu_parse(const uint8_t *buf, size_t len, struct rtr_pdu *pdu, struct rtr_pdu_error *err)
{
	uint32_t elen, tlen;

	memset(pdu, 0, sizeof(*pdu));
	if (len < RTR_HEADER_LEN) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "PDU of %zu bytes, shorter than the header", len);
		return -1;
	}
	rtr_pdu_header(buf, &pdu->version, &pdu->type, &pdu->session_id, &pdu->length);
	if (rtr_pdu_check_header(pdu->version, pdu->type, pdu->length, err) == -1)
		return -1;
	if (pdu->length != len) {
		seterr(err, RTR_ERR_CORRUPT_DATA, "%s: length field %u, PDU has %zu bytes",
		    rtr_pdu_type_name(pdu->type), pdu->length, len);
		return -1;
	}
	switch (pdu->type) {
	case RTR_PDU_SERIAL_NOTIFY:
	case RTR_PDU_SERIAL_QUERY:
		pdu->u.serial = rtr_get32(buf + 8);
		break;
	case RTR_PDU_END_OF_DATA:
		pdu->u.eod.serial = rtr_get32(buf + 8);
		if (pdu->version >= 1) {
			pdu->u.eod.refresh = rtr_get32(buf + 12);
			pdu->u.eod.retry = rtr_get32(buf + 16);
			pdu->u.eod.expire = rtr_get32(buf + 20);
		}
		break;
	case RTR_PDU_IPV4_PREFIX:
	case RTR_PDU_IPV6_PREFIX:
		return parse_prefix(buf, pdu, err);
	case RTR_PDU_ROUTER_KEY:
		pdu->u.key.flags = buf[2];
		memcpy(pdu->u.key.ski, buf + 8, RTR_SKI_LEN);
		pdu->u.key.asn = rtr_get32(buf + 28);
		pdu->u.key.spki = buf + 32;
		pdu->u.key.spki_len = (uint32_t)(len - 32);
		break;
	case RTR_PDU_ERROR_REPORT:
		elen = rtr_get32(buf + 8);
		if (elen > len - 16) {
			seterr(err, RTR_ERR_CORRUPT_DATA,
			    "Error Report: encapsulated PDU length %u past the PDU end", elen);
			return -1;
		}
		tlen = rtr_get32(buf + 12 + elen);
		if (tlen != len - 16 - elen) {
			seterr(err, RTR_ERR_CORRUPT_DATA,
			    "Error Report: text length %u, %zu bytes left", tlen, len - 16 - elen);
			return -1;
		}
		pdu->u.error.pdu = buf + 12;
		pdu->u.error.pdu_len = elen;
		pdu->u.error.text = buf + 16 + elen;
		pdu->u.error.text_len = tlen;
		break;
	case RTR_PDU_ASPA:
		return parse_aspa(buf, len, pdu, err);
	default:
		break;
	}
	return 0;
}

uint32_t
rtr_pdu_aspa_provider(const struct rtr_pdu *pdu, uint32_t i)
{
	return rtr_get32(pdu->u.aspa.providers + 4 * (size_t)i);
}

/* ---------------------------------------------------------------------------
 * Encoders
 */
static void
put_header(uint8_t *dst, uint8_t version, uint8_t type, uint16_t field, uint32_t length)
{
	dst[0] = version;
	dst[1] = type;
	rtr_put16(dst + 2, field);
	rtr_put32(dst + 4, length);
}

size_t
rtr_pdu_put_serial_notify(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial)
{
	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_SERIAL_NOTIFY, session_id, 12);
		rtr_put32(dst + 8, serial);
	}
	return 12;
}

size_t
rtr_pdu_put_serial_query(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial)
{
	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_SERIAL_QUERY, session_id, 12);
		rtr_put32(dst + 8, serial);
	}
	return 12;
}

size_t
rtr_pdu_put_reset_query(uint8_t *dst, uint8_t version)
{
	if (dst != NULL)
		put_header(dst, version, RTR_PDU_RESET_QUERY, 0, 8);
	return 8;
}

size_t
rtr_pdu_put_cache_response(uint8_t *dst, uint8_t version, uint16_t session_id)
{
	if (dst != NULL)
		put_header(dst, version, RTR_PDU_CACHE_RESPONSE, session_id, 8);
	return 8;
}

size_t
rtr_pdu_put_cache_reset(uint8_t *dst, uint8_t version)
{
	if (dst != NULL)
		put_header(dst, version, RTR_PDU_CACHE_RESET, 0, 8);
	return 8;
}

size_t
rtr_pdu_put_prefix(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_vrp *vrp)
{
	bool v4 = vrp->prefix.family == IP_AF4;
	size_t alen = v4 ? 4 : 16, len = v4 ? 20 : 32;

	if (dst != NULL) {
		put_header(dst, version, v4 ? RTR_PDU_IPV4_PREFIX : RTR_PDU_IPV6_PREFIX, 0,
		    (uint32_t)len);
		dst[8] = flags;
		dst[9] = vrp->prefix.len;
		dst[10] = vrp->max_len;
		dst[11] = 0;
		memcpy(dst + 12, vrp->prefix.a, alen);
		rtr_put32(dst + 12 + alen, vrp->asn);
	}
	return len;
}

size_t
rtr_pdu_put_end_of_data(uint8_t *dst, uint8_t version, uint16_t session_id, uint32_t serial,
    uint32_t refresh, uint32_t retry, uint32_t expire)
{
	size_t len = version == 0 ? 12 : 24;

	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_END_OF_DATA, session_id, (uint32_t)len);
		rtr_put32(dst + 8, serial);
		if (version > 0) {
			rtr_put32(dst + 12, refresh);
			rtr_put32(dst + 16, retry);
			rtr_put32(dst + 20, expire);
		}
	}
	return len;
}

size_t
rtr_pdu_put_router_key(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_router_key *key)
{
	size_t len = 32 + (size_t)key->spki_len;

	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_ROUTER_KEY, 0, (uint32_t)len);
		dst[2] = flags;
		memcpy(dst + 8, key->ski, RTR_SKI_LEN);
		rtr_put32(dst + 28, key->asn);
		memcpy(dst + 32, key->spki, key->spki_len);
	}
	return len;
}

size_t
rtr_pdu_put_aspa(uint8_t *dst, uint8_t version, uint8_t flags, const struct rtr_aspa *aspa)
{
	uint32_t n = (flags & RTR_FLAG_ANNOUNCE) ? aspa->nproviders : 0, i;
	size_t len = 12 + 4 * (size_t)n;

	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_ASPA, 0, (uint32_t)len);
		dst[2] = flags;
		rtr_put32(dst + 8, aspa->customer_asn);
		for (i = 0; i < n; i++)
			rtr_put32(dst + 12 + 4 * (size_t)i, aspa->providers[i]);
	}
	return len;
}

#define ERROR_TEXT_MAX	1024

size_t
rtr_pdu_put_error_report(uint8_t *dst, uint8_t version, enum rtr_error_code code,
    const uint8_t *pdu, size_t pdu_len, const char *text)
{
	size_t tlen = text != NULL ? strnlen(text, ERROR_TEXT_MAX) : 0;
	size_t elen = pdu != NULL ? pdu_len : 0, len;

	/* 8210bis 5.8: truncate the erroneous PDU if the report would not fit. */
	if (elen > RTR_PDU_MAX_LEN - 16 - tlen)
		elen = RTR_PDU_MAX_LEN - 16 - tlen;
	len = 16 + elen + tlen;
	if (dst != NULL) {
		put_header(dst, version, RTR_PDU_ERROR_REPORT, (uint16_t)code, (uint32_t)len);
		rtr_put32(dst + 8, (uint32_t)elen);
		if (elen > 0)
			memcpy(dst + 12, pdu, elen);
		rtr_put32(dst + 12 + elen, (uint32_t)tlen);
		if (tlen > 0)
			memcpy(dst + 16 + elen, text, tlen);
	}
	return len;
}

int
rtr_pdu_add_error_report(struct evbuffer *out, uint8_t version, enum rtr_error_code code,
    const uint8_t *pdu, size_t pdu_len, const char *text)
{
	size_t len = rtr_pdu_put_error_report(NULL, version, code, pdu, pdu_len, text);
	struct evbuffer_iovec v;

	if (evbuffer_reserve_space(out, (ev_ssize_t)len, &v, 1) < 1)
		return -1;
	rtr_pdu_put_error_report(v.iov_base, version, code, pdu, pdu_len, text);
	v.iov_len = len;
	return evbuffer_commit_space(out, &v, 1);
}
