/*
 * prefix.c - IP addresses, prefixes and AS numbers (see prefix.h).
 *
 * These are the strict parsers the rest of the daemon uses for queries,
 * ROAs and configuration. The RPSL field validators in rpsl_fields.c add
 * IRRd's (IPy's) leniencies and error texts on top.
 */
#include "rpsl/prefix.h"

#include <stdio.h>
#include <string.h>

static int parse_v4(const char *s, size_t len, uint8_t a[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return -1;
			i++;
			digits++;
		}
		if (digits == 0)
			return -1;
		a[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == len ? 0 : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint16_t groups[8];
	int ngroups = 0, fill = -1;
	size_t i = 0;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		fill = 0;
		i = 2;
		if (i == len)
			goto done;
	} else if (len >= 1 && s[0] == ':') {
		return -1;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;
		int d;

		if (ngroups >= 8)
			return -1;
		while (i < len && (d = hexval(s[i])) >= 0 && i - start < 4) {
			v = (v << 4) | (unsigned)d;
			i++;
		}
		if (i == start)
			return -1;
		if (i < len && s[i] == '.') {
			/* embedded IPv4 in the last 32 bits */
			uint8_t v4[4];
			if (ngroups > 6 || parse_v4(s + start, len - start, v4) < 0)
				return -1;
			groups[ngroups++] = (uint16_t)(v4[0] << 8 | v4[1]);
			groups[ngroups++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = len;
			break;
		}
		groups[ngroups++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -1;
		i++;
		if (i < len && s[i] == ':') {
			if (fill >= 0)
				return -1;
			fill = ngroups;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return -1;
		}
	}
done:
	if (fill >= 0) {
		int missing = 8 - ngroups;
		if (missing < 1)
			return -1;
		memmove(groups + fill + missing, groups + fill, (size_t)(ngroups - fill) * sizeof(groups[0]));
		for (int k = 0; k < missing; k++)
			groups[fill + k] = 0;
	} else if (ngroups != 8) {
		return -1;
	}
	for (int k = 0; k < 8; k++) {
		out[2 * k] = (uint8_t)(groups[k] >> 8);
		out[2 * k + 1] = (uint8_t)groups[k];
	}
	return 0;
}

int ip_addr_parse(const char *s, size_t len, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0 || len > 45)
		return -1;
	if (memchr(s, ':', len) != NULL) {
		out->family = IP_AF6;
		return parse_v6(s, len, out->a);
	}
	out->family = IP_AF4;
	return parse_v4(s, len, out->a);
}

static bool host_bits_set(const uint8_t *a, unsigned plen, unsigned maxlen)
{
	for (unsigned i = plen; i < maxlen; i++)
		if (ip_bit(a, i))
			return true;
	return false;
}

static void clear_host_bits(uint8_t *a, unsigned plen, unsigned maxlen)
{
	for (unsigned i = plen; i < maxlen; i++)
		a[i >> 3] &= (uint8_t)~(0x80 >> (i & 7));
}

int ip_prefix_parse(const char *s, size_t len, struct ip_prefix *out, bool strict_host_bits)
{
	const char *slash = memchr(s, '/', len);
	struct ip_addr addr;
	size_t i, n;
	unsigned plen = 0;

	memset(out, 0, sizeof(*out));
	if (slash == NULL)
		return -1;
	if (ip_addr_parse(s, (size_t)(slash - s), &addr) < 0)
		return -1;
	n = len - (size_t)(slash - s) - 1;
	if (n == 0 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		char c = slash[1 + i];
		if (c < '0' || c > '9')
			return -1;
		plen = plen * 10 + (unsigned)(c - '0');
	}
	if (plen > ip_maxlen(addr.family))
		return -1;
	if (host_bits_set(addr.a, plen, ip_maxlen(addr.family))) {
		if (strict_host_bits)
			return -1;
		clear_host_bits(addr.a, plen, ip_maxlen(addr.family));
	}
	out->family = addr.family;
	out->len = (uint8_t)plen;
	memcpy(out->a, addr.a, sizeof(out->a));
	return 0;
}

char *ip_addr_format(const struct ip_addr *ad, char *buf, size_t size)
{
	const uint8_t *a = ad->a;
	uint16_t g[8];
	int best = -1, bestlen = 1, run = 0, k;
	char tmp[IP_PREFIX_STRLEN];
	size_t o = 0;

	if (ad->family == IP_AF4) {
		snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return buf;
	}
	for (k = 0; k < 8; k++)
		g[k] = (uint16_t)(a[2 * k] << 8 | a[2 * k + 1]);
	/* IPv4-mapped addresses in mixed notation (RFC 5952 section 5). */
	if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return buf;
	}
	/* The first longest run of two or more zero groups becomes "::". */
	for (k = 0; k < 8; k++) {
		if (g[k] == 0) {
			run++;
			if (run > bestlen) {
				bestlen = run;
				best = k - run + 1;
			}
		} else {
			run = 0;
		}
	}
	for (k = 0; k < 8; k++) {
		if (best >= 0 && k == best) {
			tmp[o++] = ':';
			tmp[o++] = ':';
			k += bestlen - 1;
			continue;
		}
		if (o > 0 && tmp[o - 1] != ':')
			tmp[o++] = ':';
		o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "%x", g[k]);
	}
	tmp[o] = '\0';
	snprintf(buf, size, "%s", tmp);
	return buf;
}

char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t size)
{
	struct ip_addr a;
	char tmp[IP_PREFIX_STRLEN];

	a.family = p->family;
	memcpy(a.a, p->a, sizeof(a.a));
	ip_addr_format(&a, tmp, sizeof(tmp));
	snprintf(buf, size, "%s/%u", tmp, p->len);
	return buf;
}

void ip_prefix_first(const struct ip_prefix *p, struct ip_addr *out)
{
	out->family = p->family;
	memcpy(out->a, p->a, sizeof(out->a));
}

void ip_prefix_last(const struct ip_prefix *p, struct ip_addr *out)
{
	unsigned maxlen = ip_maxlen(p->family);

	unsigned i = p->len;

	out->family = p->family;
	memcpy(out->a, p->a, sizeof(out->a));
	if (i < maxlen && (i & 7)) {
		out->a[i >> 3] |= (uint8_t)(0xff >> (i & 7));
		i = (i + 7) & ~7u;
	}
	for (; i < maxlen; i += 8)
		out->a[i >> 3] = 0xff;
}

bool ip_prefix_covers(const struct ip_prefix *outer, const struct ip_prefix *inner)
{
	unsigned full, rem;

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	full = outer->len / 8;
	rem = outer->len % 8;
	if (memcmp(outer->a, inner->a, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((outer->a[full] & mask) != (inner->a[full] & mask))
			return false;
	}
	return true;
}

int ip_addr_cmp(const struct ip_addr *x, const struct ip_addr *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, sizeof(x->a));
	return c < 0 ? -1 : c > 0;
}

int ip_prefix_cmp(const struct ip_prefix *x, const struct ip_prefix *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, sizeof(x->a));
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return 0;
}

static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int asn_parse(const char *s, size_t len, uint32_t *out, bool allow_bare)
{
	const char *dot;
	uint64_t hi, lo, v;

	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
		s += 2;
		len -= 2;
	} else if (!allow_bare) {
		return -1;
	}
	dot = memchr(s, '.', len);
	if (dot != NULL) {
		if (parse_uint(s, (size_t)(dot - s), 65535, &hi) < 0 ||
		    parse_uint(dot + 1, len - (size_t)(dot - s) - 1, 65535, &lo) < 0)
			return -1;
		*out = (uint32_t)(hi << 16 | lo);
		return 0;
	}
	if (parse_uint(s, len, 4294967295ULL, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}
