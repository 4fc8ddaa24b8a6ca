/*
 * json.c - a pull reader for JSON (RFC 8259), strict, for the ROA and SLURM
 * files. Compared with building a jansson tree it allocates nothing per
 * value and parses a 600,000-ROA export several times faster; it also lets
 * the parsers name the exact entry and member that is wrong.
 *
 * Strings without escapes are returned as pointers into the input; escaped
 * ones are decoded into a scratch buffer. Strings must be valid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/roa_int.h"

void jrd_init(struct jrd *j, const char *buf, size_t len)
{
	
	j->buf = j->p = buf;
	j->end = buf + len;
	j->err[0] = '\0';
	j->depth = 0;
	j->tmp = NULL;
	j->tmpcap = 0;
}

void jrd_free(struct jrd *j)
{
	free(j->tmp);
	j->tmp = NULL;
	j->tmpcap = 0;
}

int jrd_fail(struct jrd *j, const char *what)
{
	unsigned long line = 1, col = 1;
	const char *q;

	if (j->err[0])
		return -1;
	for (q = j->buf; q < j->p && q < j->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(j->err, sizeof(j->err), "line %lu column %lu: %s", line, col, what);
	return -1;
}

static inline void skip_ws(struct jrd *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

enum jrd_type jrd_peek(struct jrd *j)
{
	if (jrd_failed(j))
		return JRD_NONE;
	skip_ws(j);
	if (j->p >= j->end) {
		jrd_fail(j, "unexpected end of input");
		return JRD_NONE;
	}
	switch (*j->p) {
	case '{': return JRD_OBJECT;
	case '[': return JRD_ARRAY;
	case '"': return JRD_STRING;
	case 't': return JRD_TRUE;
	case 'f': return JRD_FALSE;
	case 'n': return JRD_NULL;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return JRD_NUMBER;
	default:
		jrd_fail(j, "expected a value");
		return JRD_NONE;
	}
}

static int open_container(struct jrd *j, char c, const char *what)
{
	skip_ws(j);
	if (jrd_failed(j))
		return -1;
	if (j->p >= j->end || *j->p != c)
		return jrd_fail(j, what);
	if (j->depth + 1 >= JRD_MAX_DEPTH)
		return jrd_fail(j, "nesting too deep");
	j->p++;
	j->depth++;
	j->first[j->depth] = 1;
	j->isobj[j->depth] = c == '{';
	return 0;
}

int jrd_object_begin(struct jrd *j)
{
	return open_container(j, '{', "expected an object");
}

int jrd_array_begin(struct jrd *j)
{
	return open_container(j, '[', "expected an array");
}

int jrd_object_next(struct jrd *j, const char **key, size_t *klen)
{
	if (jrd_failed(j))
		return -1;
	skip_ws(j);
	if (j->p >= j->end)
		return jrd_fail(j, "unexpected end of input in an object");
	if (j->first[j->depth]) {
		if (*j->p == '}') {
			j->p++;
			j->depth--;
			return 0;
		}
	} else {
		if (*j->p == '}') {
			j->p++;
			j->depth--;
			return 0;
		}
		if (*j->p != ',')
			return jrd_fail(j, "expected ',' or '}'");
		j->p++;
		skip_ws(j);
	}
	if (j->p >= j->end || *j->p != '"')
		return jrd_fail(j, "expected a member name");
	if (jrd_string(j, key, klen) < 0)
		return -1;
	skip_ws(j);
	if (j->p >= j->end || *j->p != ':')
		return jrd_fail(j, "expected ':'");
	j->p++;
	j->first[j->depth] = 0;
	return 1;
}

int jrd_array_next(struct jrd *j)
{
	if (jrd_failed(j))
		return -1;
	skip_ws(j);
	if (j->p >= j->end)
		return jrd_fail(j, "unexpected end of input in an array");
	if (*j->p == ']') {
		j->p++;
		j->depth--;
		return 0;
	}
	if (!j->first[j->depth]) {
		if (*j->p != ',')
			return jrd_fail(j, "expected ',' or ']'");
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ']')
			return jrd_fail(j, "expected a value");
	}
	j->first[j->depth] = 0;
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_u4(struct jrd *j, const char *q, unsigned *out)
{
	unsigned v = 0;

	if (j->end - q < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)q[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* Length of the valid UTF-8 sequence at q (1..4), or 0. */
static size_t utf8_len(const unsigned char *q, const unsigned char *end)
{
	unsigned c = q[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - q) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((q[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (q[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void tmp_reserve(struct jrd *j, size_t need)
{
	if (need <= j->tmpcap)
		return;
	j->tmpcap = need < 256 ? 256 : need * 2;
	j->tmp = xrealloc(j->tmp, j->tmpcap);
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int jrd_string(struct jrd *j, const char **s, size_t *len)
{
	const char *q, *start;
	size_t n;

	skip_ws(j);
	if (jrd_failed(j))
		return -1;
	if (j->p >= j->end || *j->p != '"')
		return jrd_fail(j, "expected a string");
	start = q = j->p + 1;
	/* fast path: plain ASCII up to the closing quote */
	while (q < j->end) {
		unsigned char c = (unsigned char)*q;
		if (c == '"') {
			*s = start;
			*len = (size_t)(q - start);
			j->p = q + 1;
			return 0;
		}
		if (c == '\\' || c < 0x20 || c >= 0x80)
			break;
		q++;
	}
	/* slow path: decode into tmp; the output is never longer than the input */
	tmp_reserve(j, (size_t)(j->end - start) + 1);
	n = (size_t)(q - start);
	memcpy(j->tmp, start, n);
	while (q < j->end) {
		unsigned char c = (unsigned char)*q;

		if (c == '"') {
			j->tmp[n] = '\0';
			*s = j->tmp;
			*len = n;
			j->p = q + 1;
			return 0;
		}
		if (c < 0x20) {
			j->p = q;
			return jrd_fail(j, "control character in a string");
		}
		if (c >= 0x80) {
			size_t k = utf8_len((const unsigned char *)q, (const unsigned char *)j->end);
			if (k == 0) {
				j->p = q;
				return jrd_fail(j, "invalid UTF-8 in a string");
			}
			memcpy(j->tmp + n, q, k);
			n += k;
			q += k;
			continue;
		}
		if (c != '\\') {
			j->tmp[n++] = (char)c;
			q++;
			continue;
		}
		if (q + 1 >= j->end)
			break;
		switch (q[1]) {
		case '"': j->tmp[n++] = '"'; q += 2; continue;
		case '\\': j->tmp[n++] = '\\'; q += 2; continue;
		case '/': j->tmp[n++] = '/'; q += 2; continue;
		case 'b': j->tmp[n++] = '\b'; q += 2; continue;
		case 'f': j->tmp[n++] = '\f'; q += 2; continue;
		case 'n': j->tmp[n++] = '\n'; q += 2; continue;
		case 'r': j->tmp[n++] = '\r'; q += 2; continue;
		case 't': j->tmp[n++] = '\t'; q += 2; continue;
		case 'u': {
			unsigned cp, lo;

			if (read_u4(j, q + 2, &cp) < 0) {
				j->p = q;
				return jrd_fail(j, "invalid \\u escape");
			}
			q += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				j->p = q - 6;
				return jrd_fail(j, "unpaired surrogate in \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - q < 6 || q[0] != '\\' || q[1] != 'u' ||
				    read_u4(j, q + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
					j->p = q - 6;
					return jrd_fail(j, "unpaired surrogate in \\u escape");
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				q += 6;
			}
			/* "\uXXXX" is 6 bytes, its UTF-8 at most 3 (4 for a pair of 12) */
			n += put_utf8(j->tmp + n, cp);
			continue;
		}
		default:
			j->p = q;
			return jrd_fail(j, "invalid escape in a string");
		}
	}
	j->p = j->end;
	return jrd_fail(j, "unterminated string");
}

int jrd_number(struct jrd *j, struct jrd_num *num)
{
	const char *q, *start;
	bool is_int = true, neg = false, overflow = false;
	uint64_t v = 0;

	skip_ws(j);
	if (jrd_failed(j))
		return -1;
	start = q = j->p;
	if (q < j->end && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= j->end || *q < '0' || *q > '9')
		return jrd_fail(j, "expected a number");
	if (*q == '0') {
		q++;
	} else {
		while (q < j->end && *q >= '0' && *q <= '9') {
			unsigned d = (unsigned)(*q - '0');
			if (v > (UINT64_MAX - d) / 10)
				overflow = true;
			else
				v = v * 10 + d;
			q++;
		}
	}
	if (q < j->end && *q == '.') {
		is_int = false;
		q++;
		if (q >= j->end || *q < '0' || *q > '9') {
			j->p = q;
			return jrd_fail(j, "invalid number");
		}
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		is_int = false;
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || *q < '0' || *q > '9') {
			j->p = q;
			return jrd_fail(j, "invalid number");
		}
		while (q < j->end && *q >= '0' && *q <= '9')
			q++;
	}
	num->is_uint = is_int && !neg && !overflow;
	num->u = num->is_uint ? v : 0;
	num->text = start;
	num->len = (size_t)(q - start);
	j->p = q;
	return 0;
}

static int literal(struct jrd *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return jrd_fail(j, "expected a value");
	j->p += n;
	return 0;
}

int jrd_skip(struct jrd *j)
{
	unsigned base = j->depth;
	struct jrd_num nm;
	const char *k;
	size_t kl;
	int r;

	for (;;) {
		/* one value; containers are entered, not skipped whole */
		switch (jrd_peek(j)) {
		case JRD_OBJECT:
			if (jrd_object_begin(j) < 0 || (r = jrd_object_next(j, &k, &kl)) < 0)
				return -1;
			if (r == 1)
				continue;
			break;
		case JRD_ARRAY:
			if (jrd_array_begin(j) < 0 || (r = jrd_array_next(j)) < 0)
				return -1;
			if (r == 1)
				continue;
			break;
		case JRD_STRING:
			if (jrd_string(j, &k, &kl) < 0)
				return -1;
			break;
		case JRD_NUMBER:
			if (jrd_number(j, &nm) < 0)
				return -1;
			break;
		case JRD_TRUE:
			if (literal(j, "true") < 0)
				return -1;
			break;
		case JRD_FALSE:
			if (literal(j, "false") < 0)
				return -1;
			break;
		case JRD_NULL:
			if (literal(j, "null") < 0)
				return -1;
			break;
		default:
			return -1;
		}
		/* a value is complete: step on in the containers we entered,
		 * leaving those that end here */
		for (;;) {
			if (j->depth == base)
				return 0;
			r = j->isobj[j->depth] ? jrd_object_next(j, &k, &kl) : jrd_array_next(j);
			if (r < 0)
				return -1;
			if (r == 1)
				break;
		}
	}
}

int jrd_finish(struct jrd *j)
{
	if (jrd_failed(j))
		return -1;
	skip_ws(j);
	if (j->p != j->end)
		return jrd_fail(j, "unexpected data after the JSON value");
	return 0;
}
