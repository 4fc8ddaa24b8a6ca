/* base64.c - see base64.h. */
#include "rpsl/base64.h"

#include <stdbool.h>
#include <stdint.h>

int base64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

ssize_t base64_decode(const char *s, size_t len, unsigned char *out, enum base64_mode mode)
{
	uint32_t acc = 0;
	size_t ndigits = 0, o = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			if (mode == BASE64_STOP_AT_PAD)
				break;
			if (++pad > 2)
				return -1;
			continue;
		}
		if (pad > 0 || (v = base64_digit(c)) < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		if (++ndigits % 4 == 0) {
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	/* The last, partial quantum: 2 digits carry 1 byte, 3 carry 2. */
	bool strict = mode == BASE64_STRICT, optional = mode == BASE64_PAD_OPTIONAL;
	switch (ndigits % 4) {
	case 0:
		if (pad > 0)
			return -1;
		break;
	case 1:
		if (mode != BASE64_STOP_AT_PAD)
			return -1;
		break;
	case 2:
		if ((strict && (pad != 2 || (acc & 0xf))) || (optional && pad != 0 && pad != 2))
			return -1;
		out[o++] = (unsigned char)(acc >> 4);
		break;
	default:
		if ((strict && (pad != 1 || (acc & 0x3))) || (optional && pad != 0 && pad != 1))
			return -1;
		out[o++] = (unsigned char)(acc >> 10);
		out[o++] = (unsigned char)(acc >> 2);
		break;
	}
	return (ssize_t)o;
}
