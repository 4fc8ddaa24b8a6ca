/*
 * rpsl_ipy.c - IRRd parses addresses with the IPy library; its leniencies
 * (IPv4 padding, "0x" hex, netmasks, first-last ranges) and its error texts
 * reach IRRd's users. This file reproduces IPy's IP() constructor and str()
 * for the inputs IRRd hands it, so that values and messages match.
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <string.h>

#define MAX4 ((u128)0xffffffffu)
#define MAX6 (~(u128)0)

static const char *contains(const char *s, size_t n, char c)
{
	return memchr(s, c, n);
}

/* Python: ValueError("invalid literal for int() with base 10: %r") */
static const char *err_int_literal(struct arena *a, const char *s, size_t n, int base)
{
	return arena_printf(a, "invalid literal for int() with base %d: %s", base, py_repr(a, s, n));
}

static bool parse_address(struct arena *a, const char *s, size_t n, int ipversion, u128 *ip, int *ver,
			  const char **err);

/* IPy's _parseAddressIPv6 */
static bool parse_v6(struct arena *a, const char *s, size_t n, u128 *out, const char **err)
{
	/* Only up to 9 items matter: more can never make 8 hextets. */
	size_t istart[9], ilen[9], lstart = 0, llen = 0;
	size_t nitems = 0, idx = 0, k;
	long fill = -1;
	/* hextets: >= 0 an item index, -1 a fill zero, -2 / -3 the halves
	 * of a trailing IPv4 part */
	long list[8];
	size_t total, pos = 0;
	bool have_v4 = false;
	u128 v4 = 0, value = 0;

	while (idx < n) {
		const char *text = s + idx;
		size_t tl = n - idx;
		const char *colon;

		if (tl >= 2 && text[0] == ':' && text[1] == ':') {
			if (fill >= 0) {
				*err = arena_printf(a, "%s: Invalid IPv6 address: more than one '::'", py_repr(a, s, n));
				return false;
			}
			fill = (long)nitems;
			idx += 2;
			continue;
		}
		colon = memchr(text, ':', tl);
		if (colon == text) {
			*err = arena_printf(a, "%s: Invalid IPv6 address", py_repr(a, s, n));
			return false;
		}
		lstart = idx;
		llen = colon != NULL ? (size_t)(colon - text) : tl;
		if (nitems < 9) {
			istart[nitems] = lstart;
			ilen[nitems] = llen;
		}
		nitems++;
		if (colon == NULL)
			break;
		if (llen + 1 < tl && text[llen + 1] == ':')
			idx += llen;
		else
			idx += llen + 1;
		if (idx == n) {
			*err = arena_printf(a, "%s: Invalid IPv6 address", py_repr(a, s, n));
			return false;
		}
	}

	if (nitems > 0 && contains(s + lstart, llen, '.')) {
		int ver4;

		if (fill >= 0 && !((size_t)fill <= nitems - 1)) {
			*err = arena_printf(a, "%s: Invalid IPv6 address: '::' after IPv4", py_repr(a, s, n));
			return false;
		}
		if (!parse_address(a, s + lstart, llen, 0, &v4, &ver4, err))
			return false;
		have_v4 = true;
		nitems--;
	}
	total = nitems + (have_v4 ? 2 : 0);
	if (fill >= 0) {
		if (8 - (long)total <= 0) {
			*err = arena_printf(a, "%s: Invalid IPv6 address: '::' is not needed", py_repr(a, s, n));
			return false;
		}
	} else if (total != 8) {
		*err = arena_printf(a, "%s: Invalid IPv6 address: should have 8 hextets", py_repr(a, s, n));
		return false;
	}
	/* here nitems <= 8 */
	for (k = 0; k <= total; k++) {
		if (fill >= 0 && (long)k == fill) {
			for (long d = 8 - (long)total; d > 0; d--)
				list[pos++] = -1;
		}
		if (k < total)
			list[pos++] = k < nitems ? (long)k : (k == nitems ? -2 : -3);
	}
	for (k = 0; k < 8; k++) {
		u128 h;

		if (list[k] == -1) {
			h = 0;
		} else if (list[k] < 0) {
			h = list[k] == -2 ? v4 >> 16 : v4 & 0xffff;
			if (h > 0xffff) {
				char buf[48];
				*err = arena_printf(a, "%s: Invalid IPv6 address: invalid hexlet %s", py_repr(a, s, n),
						    u128_str(buf, sizeof(buf), h, 10));
				return false;
			}
		} else {
			struct pyint pi;
			const char *is = s + istart[list[k]];
			size_t il = ilen[list[k]];

			if (!py_int(a, is, il, 16, &pi)) {
				*err = arena_printf(a, "%s: Invalid IPv6 address: invalid hexlet %s", py_repr(a, s, n),
						    py_repr(a, is, il));
				return false;
			}
			if (pi.neg || pi.big || pi.v > 0xffff) {
				const char *dec = pyint_str(a, &pi, 10);

				if (dec == NULL)
					*err = PY_INT_LIMIT_STR;
				else
					*err = arena_printf(a, "%s: Invalid IPv6 address: invalid hexlet %s", py_repr(a, s, n),
							    dec);
				return false;
			}
			h = pi.v;
		}
		value = (value << 16) | h;
	}
	*out = value;
	return true;
}

static const char *err_too_large(struct arena *a, const struct pyint *p)
{
	return arena_printf(a, "IP Address can't be larger than ffffffffffffffffffffffffffffffff: %s",
			    pyint_str(a, p, 16));
}

/* IPy's parseAddress(ipstr, ipversion) */
static bool parse_address(struct arena *a, const char *s, size_t n, int ipversion, u128 *ip, int *ver,
			  const char **err)
{
	struct pyint hx, in;
	bool hex_ok = py_int(a, s, n, 16, &hx);
	bool int_ok = py_int(a, s, n, 10, &in);
	size_t nchars = 0;

	if (n >= 2 && s[0] == '0' && s[1] == 'x' && hex_ok) {
		if (hx.big) {
			*err = err_too_large(a, &hx);
			return false;
		}
		*ip = hx.v;
		*ver = hx.v <= MAX4 ? 4 : 6;
		return true;
	}
	if (contains(s, n, ':')) {
		*ver = 6;
		return parse_v6(a, s, n, ip, err);
	}
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			nchars++;
	if (nchars == 32 && hex_ok) {
		if (hx.neg) {
			*err = arena_printf(a, "IPs can't be negative: %s", pyint_str(a, &hx, 10));
			return false;
		}
		*ip = hx.v;
		*ver = 6;
		return true;
	}
	if (contains(s, n, '.') ||
	    (int_ok && (in.neg || (!in.big && in.v < 256)) && ipversion != 6)) {
		size_t start = 0, parts = 0, i;
		u128 v = 0;
		size_t ps[4], pl[4];

		for (i = 0; i <= n; i++) {
			if (i == n || s[i] == '.') {
				if (parts == 4) {
					*err = "IPv4 Address with more than 4 bytes";
					return false;
				}
				ps[parts] = start;
				pl[parts++] = i - start;
				start = i + 1;
			}
		}
		for (i = 0; i < parts; i++) {
			struct pyint b;
			if (!py_int(a, s + ps[i], pl[i], 10, &b)) {
				*err = b.toolong ? py_int_limit_msg(a, b.ndig_total) : err_int_literal(a, s + ps[i], pl[i], 10);
				return false;
			}
		}
		for (i = 0; i < 4; i++) {
			struct pyint b = { 0 };
			if (i < parts)
				py_int(a, s + ps[i], pl[i], 10, &b);
			if (b.neg || b.big || b.v > 255) {
				*err = arena_printf(a, "%s: single byte must be 0 <= byte < 256", py_repr(a, s, n));
				return false;
			}
			v = (v << 8) | b.v;
		}
		*ip = v;
		*ver = 4;
		return true;
	}
	if (int_ok) {
		if (in.neg) {
			/* cannot happen: negatives took the IPv4 branch above unless
			 * ipversion == 6; IPy then stores a negative address */
			*err = arena_printf(a, "IPs can't be negative: %s", pyint_str(a, &in, 10));
			return false;
		}
		if (in.big) {
			*err = err_too_large(a, &in);
			return false;
		}
		*ip = in.v;
		*ver = (in.v <= MAX4 && ipversion != 6) ? 4 : 6;
		return true;
	}
	*err = arena_printf(a, "IP Address format was invalid: %.*s", (int)n, s);
	return false;
}

static unsigned bit_length(u128 v)
{
	unsigned n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

static unsigned trailing_zeros(u128 v)
{
	unsigned n = 0;

	if (v == 0)
		return 0;
	while (!(v & 1)) {
		n++;
		v >>= 1;
	}
	return n;
}

static bool netaddr_ok(u128 ip, long prefixlen, int version)
{
	unsigned bits = version == 4 ? 32 : 128;
	u128 mask;

	if (prefixlen < 0 || prefixlen > (long)bits)
		return false;
	if (prefixlen == 0)
		return ip == 0;
	mask = (prefixlen == 128) ? MAX6 : ((((u128)1 << prefixlen) - 1) << (bits - (unsigned)prefixlen));
	return (ip & mask) == ip;
}

/* str(IP) / strCompressed(): the address, then "/len" unless full length. */
static void fmt_addr(u128 ip, int version, char *buf, size_t size)
{
	if (version == 4) {
		snprintf(buf, size, "%u.%u.%u.%u", (unsigned)(ip >> 24) & 0xff, (unsigned)(ip >> 16) & 0xff,
			 (unsigned)(ip >> 8) & 0xff, (unsigned)ip & 0xff);
	} else {
		struct ip_addr ad;
		ad.family = IP_AF6;
		for (int i = 0; i < 16; i++)
			ad.a[i] = (uint8_t)(ip >> (8 * (15 - i)));
		ip_addr_format(&ad, buf, size);
	}
}

char *ipy_str(const struct ipy *ip, char *buf, size_t size)
{
	char tmp[64];

	fmt_addr(ip->ip, ip->version, tmp, sizeof(tmp));
	if ((ip->version == 4 && ip->prefixlen == 32) || (ip->version == 6 && ip->prefixlen == 128))
		snprintf(buf, size, "%s", tmp);
	else
		snprintf(buf, size, "%s/%d", tmp, ip->prefixlen);
	return buf;
}

void ipy_to_addr(const struct ipy *ip, u128 v, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)(ip->version == 4 ? IP_AF4 : IP_AF6);
	if (ip->version == 4) {
		for (int i = 0; i < 4; i++)
			out->a[i] = (uint8_t)(v >> (8 * (3 - i)));
	} else {
		for (int i = 0; i < 16; i++)
			out->a[i] = (uint8_t)(v >> (8 * (15 - i)));
	}
}

/* The "IP('...') has invalid prefix length (N)" error, after IRRd's
 * clean_ip_value_error(), or the error repr() itself raises. */
static const char *err_prefixlen(struct arena *a, u128 ip, int version, const char *plen_text, long plen)
{
	char addr[64];
	const char *repr;
	bool clean = true;

	if (version == 4 && ip > MAX4) {
		char hex[48];
		return arena_printf(a, "IPv4 Address can't be larger than ffffffff: %s", u128_str(hex, sizeof(hex), ip, 16));
	}
	fmt_addr(ip, version, addr, sizeof(addr));
	if ((version == 4 && plen == 32) || (version == 6 && plen == 128))
		repr = addr;
	else
		repr = arena_printf(a, "%s/%s", addr, plen_text);
	for (const char *p = repr; *p; p++) {
		char c = *p;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
		      c == '.' || c == '/'))
			clean = false;
	}
	if (clean)
		return arena_printf(a, "invalid prefix length (%s)", plen_text);
	return arena_printf(a, "IP('%s') has invalid prefix length (%s)", repr, plen_text);
}

bool ipy_parse(struct arena *a, const char *s, size_t n, int ipversion, struct ipy *out, const char **err)
{
	const char *dash = memchr(s, '-', n), *ip_s = s;
	size_t ip_n = n;
	long prefixlen = -1;
	const char *plen_text = NULL;
	unsigned netbits = 0;
	u128 ip;
	int parsed_ver;

	if (dash != NULL) {
		const char *last_s = dash + 1;
		size_t last_n = n - (size_t)(dash - s) - 1;
		u128 first, last, size;
		int fv, lv;

		if (memchr(last_s, '-', last_n) != NULL) {
			*err = "only one '-' allowed in IP Address";
			return false;
		}
		ip_n = (size_t)(dash - s);
		if (!parse_address(a, ip_s, ip_n, 0, &first, &fv, err))
			return false;
		if (fv != 4) {
			*err = "first-last notation only allowed for IPv4";
			return false;
		}
		if (!parse_address(a, last_s, last_n, 0, &last, &lv, err))
			return false;
		if (lv != 4) {
			*err = "last address should be IPv4, too";
			return false;
		}
		if (last < first) {
			*err = "last address should be larger than first";
			return false;
		}
		size = last - first;
		netbits = bit_length(size);
		/* IP('%s/%s' % (ip, 32 - netbits)).broadcast() must be last */
		if (!netaddr_ok(first, 32 - (long)netbits, 4)) {
			char pl[16];
			snprintf(pl, sizeof(pl), "%u", 32 - netbits);
			*err = err_prefixlen(a, first, 4, pl, 32 - (long)netbits);
			return false;
		}
		if (first + (((u128)1 << netbits) - 1) != last) {
			*err = arena_printf(a, "the range %.*s is not on a network boundary.", (int)n, s);
			return false;
		}
	} else {
		const char *slash = memchr(s, '/', n);

		if (slash != NULL) {
			const char *pl_s = slash + 1;
			size_t pl_n = n - (size_t)(slash - s) - 1;

			if (memchr(pl_s, '/', pl_n) != NULL) {
				*err = "only one '/' allowed in IP Address";
				return false;
			}
			ip_n = (size_t)(slash - s);
			if (memchr(pl_s, '.', pl_n) != NULL) {
				u128 mask;
				int mv;
				unsigned netlen, masklen;

				if (!parse_address(a, pl_s, pl_n, 0, &mask, &mv, err))
					return false;
				if (mv != 4) {
					*err = "netmask must be IPv4";
					return false;
				}
				netlen = trailing_zeros(mask);
				masklen = bit_length(mask);
				{
					u128 num = mask;
					unsigned bits = masklen;
					while ((num & 1) == 0 && bits != 0) {
						num >>= 1;
						bits--;
					}
					while (bits > 0) {
						if ((num & 1) == 0) {
							char hex[48];
							*err = arena_printf(a, "Netmask 0x%s can't be expressed as an prefix.",
									    u128_str(hex, sizeof(hex), mask, 16));
							return false;
						}
						num >>= 1;
						bits--;
					}
				}
				prefixlen = (long)masklen - (long)netlen;
				plen_text = arena_printf(a, "%ld", prefixlen);
			} else {
				plen_text = arena_strndup(a, pl_s, pl_n);	/* int() later */
				prefixlen = -2;
			}
		}
	}
	if (!parse_address(a, ip_s, ip_n, ipversion, &ip, &parsed_ver, err))
		return false;
	if (ipversion == 0)
		ipversion = parsed_ver;
	if (prefixlen == -1) {
		prefixlen = (ipversion == 4 ? 32 : 128) - (long)netbits;
		plen_text = arena_printf(a, "%ld", prefixlen);
	} else if (prefixlen == -2) {
		struct pyint p;

		if (!py_int(a, plen_text, strlen(plen_text), 10, &p)) {
			*err = p.toolong ? py_int_limit_msg(a, p.ndig_total)
					 : err_int_literal(a, plen_text, strlen(plen_text), 10);
			return false;
		}
		plen_text = pyint_str(a, &p, 10);
		if (p.big || p.v > 100000)
			prefixlen = p.neg ? -100000 : 100000;
		else
			prefixlen = p.neg ? -(long)p.v : (long)p.v;
	}
	if (!netaddr_ok(ip, prefixlen, ipversion)) {
		*err = err_prefixlen(a, ip, ipversion, plen_text, prefixlen);
		return false;
	}
	out->ip = ip;
	out->version = ipversion;
	out->prefixlen = (int)prefixlen;
	return true;
}
