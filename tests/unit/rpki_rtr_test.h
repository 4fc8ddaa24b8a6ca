/*
 * rpki_rtr_test.h - helpers shared by the rpki_rtr_*_test.c unit tests.
 */
#ifndef TESTS_RPKI_RTR_TEST_H
#define TESTS_RPKI_RTR_TEST_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "rpki/rtr.h"

/* "192.0.2.0/24" -> VRP; aborts on a typo in the test itself. */
static inline struct rtr_vrp
vrp(const char *pfx, unsigned maxlen, uint32_t asn)
{
	struct rtr_vrp v;
	char buf[64];
	char *slash;

	memset(&v, 0, sizeof(v));
	snprintf(buf, sizeof(buf), "%s", pfx);
	slash = strchr(buf, '/');
	if (slash == NULL)
		abort();
	*slash = '\0';
	v.prefix.len = (uint8_t)atoi(slash + 1);
	if (strchr(buf, ':') != NULL) {
		v.prefix.family = IP_AF6;
		if (inet_pton(AF_INET6, buf, v.prefix.a) != 1)
			abort();
	} else {
		v.prefix.family = IP_AF4;
		if (inet_pton(AF_INET, buf, v.prefix.a) != 1)
			abort();
	}
	v.max_len = (uint8_t)maxlen;
	v.asn = asn;
	return v;
}

static inline void
add_vrp(struct rtr_set *s, const char *pfx, unsigned maxlen, uint32_t asn)
{
	struct rtr_vrp v = vrp(pfx, maxlen, asn);

	if (rtr_set_add_vrp(s, &v) != 0)
		abort();
}

/* Deterministic pseudo-random generator (xorshift). */
static inline uint32_t
rnd(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*st = x;
	return (uint32_t)(x >> 16);
}

/* n random VRPs, a quarter of them IPv6. */
static inline struct rtr_set *
gen_set(size_t n, uint64_t seed)
{
	struct rtr_set *s = rtr_set_new();
	struct rtr_vrp v;
	size_t i;
	unsigned j;

	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof(v));
		if (rnd(&seed) % 4 == 0) {
			v.prefix.family = IP_AF6;
			v.prefix.a[0] = 0x20;
			v.prefix.a[1] = 0x01 + (uint8_t)(rnd(&seed) % 4);
			for (j = 2; j < 8; j++)
				v.prefix.a[j] = (uint8_t)rnd(&seed);
			v.prefix.len = (uint8_t)(32 + rnd(&seed) % 17);
			v.max_len = (uint8_t)(v.prefix.len + rnd(&seed) % 3);
		} else {
			v.prefix.family = IP_AF4;
			for (j = 0; j < 4; j++)
				v.prefix.a[j] = (uint8_t)rnd(&seed);
			v.prefix.a[0] = (uint8_t)(1 + v.prefix.a[0] % 223);
			v.prefix.len = (uint8_t)(16 + rnd(&seed) % 9);
			v.max_len = (uint8_t)(v.prefix.len + rnd(&seed) % 3);
		}
		v.asn = 64496 + rnd(&seed) % 50000;
		rtr_set_add_vrp(s, &v);
	}
	return s;
}

/* The PDUs in an evbuffer, parsed (the buffer is drained into pdus_buf). */
struct pdus {
	uint8_t *buf;
	size_t len;
	size_t n;
	struct rtr_pdu pdu[64];		/* the first 64 */
	size_t count[16];		/* per type */
	int bad;			/* parse failures */
};

static inline void
pdus_read(struct pdus *p, struct evbuffer *b)
{
	size_t off = 0;
	struct rtr_pdu pdu;
	struct rtr_pdu_error err;
	uint32_t len;

	memset(p, 0, sizeof(*p));
	p->len = evbuffer_get_length(b);
	p->buf = malloc(p->len + 1);
	evbuffer_remove(b, p->buf, p->len);
	while (off + 8 <= p->len) {
		len = ((uint32_t)p->buf[off + 4] << 24) | ((uint32_t)p->buf[off + 5] << 16) |
		    ((uint32_t)p->buf[off + 6] << 8) | p->buf[off + 7];
		if (len < 8 || off + len > p->len) {
			p->bad++;
			break;
		}
		if (rtr_pdu_parse(p->buf + off, len, &pdu, &err) == -1)
			p->bad++;
		if (p->n < 64)
			p->pdu[p->n] = pdu;
		if (pdu.type < 16)
			p->count[pdu.type]++;
		p->n++;
		off += len;
	}
	if (off != p->len)
		p->bad++;
}

static inline void
pdus_free(struct pdus *p)
{
	free(p->buf);
}

/* Are two normalised sets equal? */
static inline int
sets_equal(const struct rtr_set *a, const struct rtr_set *b)
{
	size_t i;

	if (a->nvrps != b->nvrps || a->naspas != b->naspas || a->nkeys != b->nkeys)
		return 0;
	for (i = 0; i < a->nvrps; i++)
		if (a->vrps[i].prefix.family != b->vrps[i].prefix.family ||
		    a->vrps[i].prefix.len != b->vrps[i].prefix.len ||
		    memcmp(a->vrps[i].prefix.a, b->vrps[i].prefix.a, 16) != 0 ||
		    a->vrps[i].max_len != b->vrps[i].max_len || a->vrps[i].asn != b->vrps[i].asn)
			return 0;
	for (i = 0; i < a->naspas; i++)
		if (a->aspas[i].customer_asn != b->aspas[i].customer_asn ||
		    a->aspas[i].nproviders != b->aspas[i].nproviders ||
		    memcmp(a->aspas[i].providers, b->aspas[i].providers,
		    a->aspas[i].nproviders * 4) != 0)
			return 0;
	for (i = 0; i < a->nkeys; i++)
		if (memcmp(a->keys[i].ski, b->keys[i].ski, 20) != 0 || a->keys[i].asn != b->keys[i].asn ||
		    a->keys[i].spki_len != b->keys[i].spki_len ||
		    memcmp(a->keys[i].spki, b->keys[i].spki, a->keys[i].spki_len) != 0)
			return 0;
	return 1;
}

#endif
