/*
 * addr.c - prefixes, AS numbers and base64 as the ROA and SLURM parsers need
 * them: fast (600,000 ROAs per import), bounded by len, never reading past it.
 */
#include <arpa/inet.h>
#include <string.h>

#include "rpki/roa_int.h"

static int parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int oct = 0; oct < 4; oct++) {
		unsigned v = 0, nd = 0;

		if (oct > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255)
			return -1;
		out[oct] = (uint8_t)v;
	}
	return i == len ? 0 : -1;
}

int roa_prefix_parse(const char *s, size_t len, struct ip_prefix *out, const char **why)
{
	const char *slash = memchr(s, '/', len);
	size_t alen, i;
	unsigned plen = 0, max;
	bool v6 = false;

	memset(out, 0, sizeof(*out));
	*why = "not a prefix (address/length)";
	if (slash == NULL)
		return -1;
	alen = (size_t)(slash - s);
	for (i = 0; i < alen; i++)
		if (s[i] == ':') {
			v6 = true;
			break;
		}
	if (v6) {
		char tmp[INET6_ADDRSTRLEN + 1];

		if (alen >= sizeof(tmp)) {
			*why = "invalid IPv6 address";
			return -1;
		}
		memcpy(tmp, s, alen);
		tmp[alen] = '\0';
		if (inet_pton(AF_INET6, tmp, out->a) != 1) {
			*why = "invalid IPv6 address";
			return -1;
		}
		out->family = IP_AF6;
	} else {
		if (parse_v4(s, alen, out->a) < 0) {
			*why = "invalid IPv4 address";
			return -1;
		}
		out->family = IP_AF4;
	}
	max = ip_maxlen(out->family);
	i = alen + 1;
	if (i >= len || len - i > 3) {
		*why = "invalid prefix length";
		return -1;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*why = "invalid prefix length";
			return -1;
		}
		plen = plen * 10 + (unsigned)(s[i] - '0');
	}
	if (plen > max) {
		*why = "invalid prefix length";
		return -1;
	}
	out->len = (uint8_t)plen;
	for (unsigned b = plen; b < max; b++) {
		if (ip_bit(out->a, b)) {
			*why = "host bits set beyond the prefix length";
			return -1;
		}
	}
	return 0;
}

static size_t put_dec(char *p, unsigned v)
{
	char t[12];
	size_t n = 0, k;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (k = 0; k < n; k++)
		p[k] = t[n - 1 - k];
	return n;
}

static size_t put_v4(char *p, const uint8_t *a)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += put_dec(p + n, a[i]);
	}
	return n;
}

static size_t put_hex16(char *p, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = 0;
	int started = 0;

	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = (v >> sh) & 0xf;
		if (d || started || sh == 0) {
			p[n++] = hx[d];
			started = 1;
		}
	}
	return n;
}

size_t roa_prefix_format(const struct ip_prefix *pfx, char *buf, bool ipy)
{
	size_t n = 0;

	if (pfx->family == IP_AF4) {
		n = put_v4(buf, pfx->a);
	} else {
		unsigned w[8];
		int best = -1, bestlen = 0;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(pfx->a, mapped, 12) == 0) {
			memcpy(buf, "::ffff:", 7);
			n = 7 + put_v4(buf + 7, pfx->a + 12);
			goto len;
		}
		for (int i = 0; i < 8; i++)
			w[i] = (unsigned)pfx->a[2 * i] << 8 | pfx->a[2 * i + 1];
		/* the first longest run of two or more zero words becomes "::" */
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && w[j] == 0)
				j++;
			if (j - i > bestlen) {
				bestlen = j - i;
				best = i;
			}
			i = j > i ? j : i + 1;
		}
		if (bestlen < 2)
			best = -1;
		for (int i = 0; i < 8; i++) {
			if (best >= 0 && i >= best && i < best + bestlen) {
				if (i == best)
					buf[n++] = ':';
				continue;
			}
			if (i > 0)
				buf[n++] = ':';
			n += put_hex16(buf + n, w[i]);
		}
		if (best >= 0 && best + bestlen == 8)
			buf[n++] = ':';
	}
len:
	if (ipy && pfx->len == ip_maxlen(pfx->family)) {
		buf[n] = '\0';
		return n;
	}
	buf[n++] = '/';
	n += put_dec(buf + n, pfx->len);
	buf[n] = '\0';
	return n;
}

int roa_asn_parse(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		i = 2;
	if (i == len || len - i > 10)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int roa_prefix_cmp(const struct ip_prefix *x, const struct ip_prefix *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, 16);
	if (c)
		return c;
	return (int)x->len - (int)y->len;
}

long roa_base64_decode(const char *s, size_t len, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0, i, pad = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i], v;

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad)
			return -1;	/* data after padding */
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		else
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* 6 leftover bits are not a byte; padding must complete a quantum */
	if (bits >= 6 || pad > 2 || (pad && (len % 4) != 0))
		return -1;
	return (long)n;
}
