/*
 * prefix.h - IP addresses, prefixes, address ranges and AS numbers.
 *
 * Addresses are kept in network byte order in 16 bytes (IPv4 in the first
 * four), so that memcmp orders them. All parsers take (buf, len) and never
 * read past len; they return 0 on success and -1 on a malformed value.
 */
#ifndef RPSL_PREFIX_H
#define RPSL_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP_AF4 4
#define IP_AF6 6

struct ip_addr {
	uint8_t family;		/* IP_AF4 or IP_AF6 */
	uint8_t a[16];		/* network order; IPv4 uses a[0..3], rest zero */
};

struct ip_prefix {
	uint8_t family;
	uint8_t len;		/* 0..32 or 0..128 */
	uint8_t a[16];		/* host bits always zero */
};

/* Parse a dotted-quad or RFC 4291 text address. IRRd leniency: IPv4 octets
 * with leading zeros ("192.0.02.0") are accepted and normalised. */
int ip_addr_parse(const char *s, size_t len, struct ip_addr *out);
/* Parse "addr/len". With strict_host_bits, host bits set is an error
 * (IRRd: "... is not a valid prefix"); otherwise they are cleared. */
int ip_prefix_parse(const char *s, size_t len, struct ip_prefix *out, bool strict_host_bits);
/* Text forms; buf must hold IP_PREFIX_STRLEN bytes. IPv6 in RFC 5952 form. */
#define IP_PREFIX_STRLEN 50
char *ip_addr_format(const struct ip_addr *a, char *buf, size_t size);
char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t size);

/* First and last address covered by a prefix. */
void ip_prefix_first(const struct ip_prefix *p, struct ip_addr *out);
void ip_prefix_last(const struct ip_prefix *p, struct ip_addr *out);
/* Does outer cover inner (same family, outer->len <= inner->len)? */
bool ip_prefix_covers(const struct ip_prefix *outer, const struct ip_prefix *inner);
int ip_addr_cmp(const struct ip_addr *x, const struct ip_addr *y);
int ip_prefix_cmp(const struct ip_prefix *x, const struct ip_prefix *y);
/* Bit i (0 = most significant) of an address. */
static inline int ip_bit(const uint8_t *a, unsigned i) { return (a[i >> 3] >> (7 - (i & 7))) & 1; }
static inline unsigned ip_maxlen(uint8_t family) { return family == IP_AF4 ? 32 : 128; }

/* AS numbers: "AS65537", "as065537", "AS1.1" (asdot) and, with
 * allow_bare, "65537". Range 0..4294967295. */
int asn_parse(const char *s, size_t len, uint32_t *out, bool allow_bare);

#endif
