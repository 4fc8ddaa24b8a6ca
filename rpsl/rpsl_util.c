/*
 * rpsl_util.c - the per-object arena, message lists and the small pieces of
 * Python behaviour IRRd's texts depend on: str.strip() whitespace,
 * str.isprintable(), repr() and int().
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"

/* ---------------------------------------------------------------- arena */

#define ARENA_ALIGN 16
#define ARENA_MIN_CHUNK 4096

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(struct arena *a, void *buf, size_t len)
{
	uintptr_t p = (uintptr_t)buf, q = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);

	a->head = NULL;
	a->first = NULL;
	if (len < q - p) {
		a->cur = NULL;
		a->left = 0;
		return;
	}
	a->cur = (char *)q;
	a->left = len - (q - p);
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p;

	n = align_up(n ? n : 1);
	if (n > a->left) {
		size_t want = n + align_up(sizeof(struct arena_chunk));
		struct arena_chunk *c;

		if (want < ARENA_MIN_CHUNK)
			want = ARENA_MIN_CHUNK;
		c = xmalloc(want);
		c->next = a->head;
		c->size = want;
		a->head = c;
		a->cur = (char *)c + align_up(sizeof(struct arena_chunk));
		a->left = want - align_up(sizeof(struct arena_chunk));
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	/* Try the rest of the current chunk first; commit only what was used. */
	if (a->left > 1) {
		n = vsnprintf(a->cur, a->left, fmt, ap2);
		va_end(ap2);
		if (n >= 0 && (size_t)n < a->left) {
			p = a->cur;
			size_t used = align_up((size_t)n + 1);
			if (used > a->left)
				used = a->left;
			a->cur += used;
			a->left -= used;
			return p;
		}
	} else {
		n = vsnprintf(NULL, 0, fmt, ap2);
		va_end(ap2);
	}
	if (n < 0)
		fatalx("rpsl: message formatting failed");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head, *n;

	while (c != NULL) {
		n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	a->left = 0;
}

/* ---------------------------------------------------------------- messages */

void sink_init(struct sink *s, struct arena *a, bool collect)
{
	s->a = a;
	s->collect = collect;
	s->nerr = s->ninfo = 0;
	s->head = NULL;
	s->tail = &s->head;
}

static void sink_add(struct sink *s, bool error, const char *fmt, va_list ap)
{
	struct msg *m;

	if (error)
		s->nerr++;
	else
		s->ninfo++;
	if (!s->collect)
		return;
	m = arena_alloc(s->a, sizeof(*m));
	m->next = NULL;
	m->error = error;
	m->text = arena_vprintf(s->a, fmt, ap);
	*s->tail = m;
	s->tail = &m->next;
}

void sink_error(struct sink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sink_add(s, true, fmt, ap);
	va_end(ap);
}

void sink_info(struct sink *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sink_add(s, false, fmt, ap);
	va_end(ap);
}

void sink_merge(struct sink *dst, struct sink *src)
{
	dst->nerr += src->nerr;
	dst->ninfo += src->ninfo;
	if (!dst->collect || src->head == NULL)
		return;
	*dst->tail = src->head;
	dst->tail = src->tail;
	src->head = NULL;
	src->tail = &src->head;
}

/* ---------------------------------------------------------------- text */

/* Python's str.isspace(): \t \n \v \f \r, \x1c-\x1f, space, U+0085, U+00A0,
 * U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
static bool cp_is_space(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 9 && cp <= 13) || (cp >= 0x1c && cp <= 0x20);
	return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
	} else {
		*cp = 0x110000;
		return 1;
	}
	if (n < len) {
		*cp = 0x110000;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0x110000;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) || (len == 4 && (v < 0x10000 || v > 0x10ffff))) {
		*cp = 0x110000;
		return 1;
	}
	*cp = v;
	return len;
}

size_t py_space_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t l;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return cp_is_space(u[0]) ? 1 : 0;
	l = utf8_decode(u, n, &cp);
	return cp_is_space(cp) ? l : 0;
}

size_t py_space_before(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t l;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (u[n - 1] < 0x80)
		return cp_is_space(u[n - 1]) ? 1 : 0;
	/* Multi-byte whitespace is 2 or 3 bytes long. */
	for (l = 2; l <= 3 && l <= n; l++) {
		if (utf8_decode(u + n - l, l, &cp) == l)
			return cp_is_space(cp) ? l : 0;
	}
	return 0;
}

static inline bool ascii_space(unsigned char c)
{
	return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
}

void py_strip(const char **s, size_t *n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t len = *n, k;

	for (;;) {
		if (len == 0)
			break;
		if (p[0] < 0x80) {
			if (!ascii_space(p[0]))
				break;
			p++;
			len--;
			continue;
		}
		if ((k = py_space_at((const char *)p, len)) == 0)
			break;
		p += k;
		len -= k;
	}
	for (;;) {
		if (len == 0)
			break;
		if (p[len - 1] < 0x80) {
			if (!ascii_space(p[len - 1]))
				break;
			len--;
			continue;
		}
		if ((k = py_space_before((const char *)p, len)) == 0)
			break;
		len -= k;
	}
	*s = (const char *)p;
	*n = len;
}

/*
 * Python's str.isprintable() is false for the Unicode categories Cc, Cf, Cs,
 * Co, Cn, Zl, Zp and Zs (except the ASCII space). This covers the control,
 * format, separator, surrogate and private-use ranges and the
 * noncharacters; unassigned code points elsewhere count as printable here.
 */
bool py_printable(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0))
		return false;
	if (cp < 0xad)
		return true;
	if (cp == 0xad || (cp >= 0x600 && cp <= 0x605) || cp == 0x61c || cp == 0x6dd || cp == 0x70f ||
	    cp == 0x890 || cp == 0x891 || cp == 0x8e2 || cp == 0x180e || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
	    (cp >= 0x205f && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206f) || cp == 0x3000 ||
	    (cp >= 0xd800 && cp <= 0xf8ff) || (cp >= 0xfdd0 && cp <= 0xfdef) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp & 0xfffe) == 0xfffe || cp == 0x110bd || cp == 0x110cd ||
	    (cp >= 0x13430 && cp <= 0x1343f) || (cp >= 0x1bca0 && cp <= 0x1bca3) ||
	    (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f) ||
	    cp >= 0xf0000)
		return false;
	return true;
}

char *py_repr(struct arena *a, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
	char quote = (sq && !dq) ? '"' : '\'';
	char *out = arena_alloc(a, n * 10 + 3), *o = out;
	size_t i = 0, l;
	uint32_t cp;

	*o++ = quote;
	while (i < n) {
		l = utf8_decode(u + i, n - i, &cp);
		if (cp == '\\' || cp == (uint32_t)quote) {
			*o++ = '\\';
			*o++ = (char)cp;
		} else if (cp == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (cp == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (cp == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else if (cp == 0x110000) {
			o += sprintf(o, "\\x%02x", u[i]);
		} else if (!py_printable(cp)) {
			if (cp < 0x100)
				o += sprintf(o, "\\x%02x", cp);
			else if (cp < 0x10000)
				o += sprintf(o, "\\u%04x", cp);
			else
				o += sprintf(o, "\\U%08x", cp);
		} else {
			memcpy(o, s + i, l);
			o += l;
		}
		i += l;
	}
	*o++ = quote;
	*o = '\0';
	return out;
}

/* First code points (digit zero) of the Unicode decimal digit blocks
 * (category Nd), each ten code points long. */
static const uint32_t nd_zeros[] = {
	0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50,
	0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40,
	0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066,
	0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950,
	0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
	0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

int py_digit(const char *s, size_t n, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t lo = 0, hi = sizeof(nd_zeros) / sizeof(nd_zeros[0]);

	if (n == 0)
		return -1;
	if (u[0] < 0x80) {
		*len = 1;
		return (u[0] >= '0' && u[0] <= '9') ? u[0] - '0' : -1;
	}
	*len = utf8_decode(u, n, &cp);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < nd_zeros[mid])
			hi = mid;
		else if (cp >= nd_zeros[mid] + 10)
			lo = mid + 1;
		else
			return (int)(cp - nd_zeros[mid]);
	}
	return -1;
}

static int digit_val(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool py_int(struct arena *a, const char *s, size_t n, int base, struct pyint *out)
{
	size_t i, nd = 0, first = 0, l;
	bool need_digit = true, any = false;
	u128 v = 0, lim = ~(u128)0 / (unsigned)base;
	char *digits = NULL;

	memset(out, 0, sizeof(out[0]));
	out->base = base;
	py_strip(&s, &n);
	if (n == 0)
		return false;
	i = 0;
	if (s[0] == '+' || s[0] == '-') {
		out->neg = s[0] == '-';
		i++;
	}
	if (base == 16 && i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		i += 2;
		if (i < n && s[i] == '_')
			i++;
	}
	first = i;
	for (; i < n; i += l) {
		int d;

		l = 1;
		if (s[i] == '_') {
			if (need_digit)
				return false;
			need_digit = true;
			continue;
		}
		/* Python's int() takes any Unicode decimal digit */
		d = py_digit(s + i, n - i, &l);
		if (d < 0 && (unsigned char)s[i] < 0x80)
			d = digit_val((unsigned char)s[i]);
		if (d < 0 || d >= base)
			return false;
		need_digit = false;
		any = true;
		out->ndig_total++;
		if (!out->big) {
			if (v > lim || v * (unsigned)base > ~(u128)0 - (unsigned)d)
				out->big = true;
			else
				v = v * (unsigned)base + (unsigned)d;
		}
	}
	if (!any || need_digit)
		return false;
	if (base == 10 && out->ndig_total > 4300) {
		out->toolong = true;
		return false;
	}
	out->v = v;
	if (out->big) {
		digits = arena_alloc(a, n - first + 1);
		for (i = first; i < n; i += l) {
			int d;

			l = 1;
			if (s[i] == '_')
				continue;
			d = py_digit(s + i, n - i, &l);
			if (d < 0)
				d = digit_val((unsigned char)s[i]);
			if (nd == 0 && d == 0)
				continue;
			digits[nd++] = "0123456789abcdef"[d];
		}
		digits[nd] = '\0';
		out->digits = digits;
		out->ndigits = nd;
	}
	if (v == 0 && !out->big)
		out->neg = false;
	return true;
}

char *py_int_limit_msg(struct arena *a, size_t ndigits)
{
	return arena_printf(a, "Exceeds the limit (4300 digits) for integer string conversion: value has %zu digits; "
			    "use sys.set_int_max_str_digits() to increase the limit", ndigits);
}

char *u128_str(char *buf, size_t size, u128 v, int base)
{
	char tmp[48];
	size_t i = sizeof(tmp);

	tmp[--i] = '\0';
	do {
		tmp[--i] = "0123456789abcdef"[(unsigned)(v % (unsigned)base)];
		v /= (unsigned)base;
	} while (v != 0);
	snprintf(buf, size, "%s", tmp + i);
	return buf;
}

/* Convert a digit string between bases 10 and 16 (schoolbook, quadratic;
 * only for error messages about absurdly long numbers). */
static char *convert_digits(struct arena *a, const char *digits, size_t n, int from, int to)
{
	unsigned char *num = arena_alloc(a, n + 1);
	char *out = arena_alloc(a, n * 2 + 2);
	size_t len = n, o = 0, i, start = 0;

	for (i = 0; i < n; i++)
		num[i] = (unsigned char)digit_val((unsigned char)digits[i]);
	while (start < len) {
		unsigned rem = 0;

		for (i = start; i < len; i++) {
			unsigned cur = rem * (unsigned)from + num[i];

			num[i] = (unsigned char)(cur / (unsigned)to);
			rem = cur % (unsigned)to;
		}
		out[o++] = "0123456789abcdef"[rem];
		while (start < len && num[start] == 0)
			start++;
	}
	if (o == 0)
		out[o++] = '0';
	for (i = 0; i < o / 2; i++) {
		char t = out[i];
		out[i] = out[o - 1 - i];
		out[o - 1 - i] = t;
	}
	out[o] = '\0';
	return out;
}

char *pyint_str(struct arena *a, const struct pyint *p, int base)
{
	char buf[48];
	const char *body;

	if (!p->big)
		body = u128_str(buf, sizeof(buf), p->v, base);
	else if (p->base == base)
		body = p->digits;
	else if (base == 10 && p->ndigits > 3600)
		return NULL;	/* more than 4300 decimal digits */
	else
		body = convert_digits(a, p->digits, p->ndigits, p->base, base);
	if (base == 10 && strlen(body) > 4300)
		return NULL;
	if (base == 16 && p->big && p->base == 16) {
		/* lower-case as Python's %x */
		char *l = arena_printf(a, "%s%s", p->neg ? "-" : "", body);
		str_lower_inplace(l, strlen(l));
		return l;
	}
	return arena_printf(a, "%s%s", p->neg ? "-" : "", body);
}

bool has_lower(const char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return true;
	return false;
}

char *str_upper(struct arena *a, const char *s)
{
	return py_upper(a, s);
}

void str_lower_inplace(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

char *str_replace_all(struct arena *a, const char *s, const char *old, const char *new_)
{
	size_t ol = strlen(old), nl = strlen(new_), count = 0, sl;
	const char *p, *q;
	char *out, *o;

	if (ol == 0)
		return (char *)s;
	for (p = s; (q = strstr(p, old)) != NULL; p = q + ol)
		count++;
	if (count == 0)
		return (char *)s;
	sl = strlen(s);
	out = arena_alloc(a, sl - count * ol + count * nl + 1);
	o = out;
	for (p = s; (q = strstr(p, old)) != NULL; p = q + ol) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, new_, nl);
		o += nl;
	}
	strcpy(o, p);
	return out;
}
