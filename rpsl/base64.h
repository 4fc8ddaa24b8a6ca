/* base64.h - base64 decoding (RFC 4648 alphabet) for PGP armour, MIME
 * bodies and RPKI files, which differ only in how strict the end is. */
#ifndef RPSL_BASE64_H
#define RPSL_BASE64_H

#include <stddef.h>
#include <sys/types.h>

enum base64_mode {
	BASE64_STRICT,		/* padding to a whole quantum, unused bits zero */
	BASE64_PAD_OPTIONAL,	/* padding may be missing, if present it must fit */
	BASE64_STOP_AT_PAD,	/* the first '=' ends the data (PGP armour: CRC follows) */
};

/* The value of a base64 digit, -1 if `c` is not one. */
int base64_digit(unsigned char c);

/* Decodes s[0..len) into `out`, which has room for len / 4 * 3 + 2 bytes;
 * white space is skipped anywhere. The decoded length, or -1 if the text
 * is not base64 in `mode`. */
ssize_t base64_decode(const char *s, size_t len, unsigned char *out, enum base64_mode mode);

#endif
