/*
 * rtr_int.h - what rtr_pdu.c, rtr_cache.c and rtr_session.c share and
 * nothing else uses.
 */
#ifndef RPKI_RTR_INT_H
#define RPKI_RTR_INT_H

#include <stdint.h>
#include <string.h>

#include "rpki/rtr.h"

/* Big-endian field access without casting unaligned buffers. */
static inline void rtr_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void rtr_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint16_t rtr_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t rtr_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/*
 * An immutable, reference-counted byte string: the encoded payload PDUs of
 * one full set or delta for one version. The cache holds one reference;
 * every evbuffer it is added to holds another until that part is drained.
 */
struct rtr_blob {
	unsigned refs;
	size_t len;
	uint8_t data[];
};

struct rtr_blob *rtr_blob_new(size_t len);	/* refs = 1 */
void rtr_blob_unref(struct rtr_blob *b);	/* accepts NULL */
/* Append b to out without copying (takes a reference). 0 or -1. */
int rtr_blob_add(struct evbuffer *out, struct rtr_blob *b);

/* Canonical orders (8210bis 11.2 withdrawal order): VRPs by family, address,
 * max length, prefix length, ASN; keys by SKI, SPKI length, SPKI, ASN. */
int rtr_vrp_cmp(const struct rtr_vrp *a, const struct rtr_vrp *b);
int rtr_key_cmp(const struct rtr_router_key *a, const struct rtr_router_key *b);

/* What a session needs from the cache. */
bool rtr_cache_have_data(const struct rtr_cache *c);
uint16_t rtr_cache_session_id(const struct rtr_cache *c, uint8_t version);
uint32_t rtr_cache_serial(const struct rtr_cache *c);
const struct rtr_cache_config *rtr_cache_config(const struct rtr_cache *c);
/* The payload PDUs of the full set for version (encoded on first use and
 * kept; may be NULL for an empty set). Borrowed. */
struct rtr_blob *rtr_cache_full(struct rtr_cache *c, uint8_t version);
/* Delta from `serial` to the current serial: 1 and *blob (borrowed; NULL
 * when empty) if the cache has it, 0 if not (Cache Reset). */
int rtr_cache_delta(struct rtr_cache *c, uint8_t version, uint32_t serial,
    struct rtr_blob **blob);
enum rtr_counter {
	RTR_CNT_RESET, RTR_CNT_SERIAL, RTR_CNT_CACHE_RESET, RTR_CNT_DELTA,
	RTR_CNT_NOTIFY, RTR_CNT_ERROR_SENT, RTR_CNT_ERROR_RECEIVED, RTR_CNT_MAX
};
void rtr_cache_count(struct rtr_cache *c, enum rtr_counter which);
void rtr_cache_attach(struct rtr_cache *c, struct rtr_session *s);
void rtr_cache_detach(struct rtr_cache *c, struct rtr_session *s);

/* Called by the cache for each attached session. */
void rtr_session_notify(struct rtr_session *s, time_t now);
void rtr_session_send_error(struct rtr_session *s, enum rtr_error_code code, const char *text);

#endif
