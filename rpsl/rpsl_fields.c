/*
 * rpsl_fields.c - the attribute validators and normalisers of IRRd 4.5's
 * irrd/rpsl/fields.py, one per field class, with IRRd's messages. Regular
 * expressions of the original are written out as hand-made checks.
 *
 * Every parser gets the normalised value (comments removed, lines joined
 * with commas, stripped) and returns the parsed value or NULL, adding
 * errors and infos to the context's sink.
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <string.h>

const char *const reserved_prefixes[PFX_COUNT] = { "AS-", "RS-", "RTRS-", "FLTR-", "PRNG-" };

static const char *const reserved_words[] = {
	"ANY", "AS-ANY", "RS_ANY", "PEERAS", "AND", "OR", "NOT", "ATOMIC", "FROM", "TO", "AT", "ACTION",
	"ACCEPT", "ANNOUNCE", "EXCEPT", "REFINE", "NETWORKS", "INTO", "INBOUND", "OUTBOUND", NULL
};

static const char *const hasher_names[RPSL_HASHER_COUNT] = { "CRYPT-PW", "MD5-PW", "BCRYPT-PW" };

#define RPSL_MNTNER_AUTH_INTERNAL "IRRD-INTERNAL-AUTH"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
static char up(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c; }

static bool starts_with_ci(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i]; i++)
		if (i >= n || up(s[i]) != prefix[i])
			return false;
	return true;
}

static bool equals_ci(const char *s, size_t n, const char *word)
{
	size_t l = strlen(word);

	return l == n && starts_with_ci(s, n, word);
}

static bool is_reserved_word(const char *s, size_t n)
{
	for (size_t i = 0; reserved_words[i]; i++)
		if (equals_ci(s, n, reserved_words[i]))
			return true;
	return false;
}

/* re_generic_name: ^[A-Z][A-Z0-9_-]*[A-Z0-9]$ (case-insensitive) */
static bool generic_name_ok(const char *s, size_t n)
{
	if (n < 2 || !is_alpha(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static char *upper_dup(struct arena *a, const char *s, size_t n)
{
	return py_upper(a, arena_strndup(a, s, n));
}

/* ---------------------------------------------------------------- AS numbers */

enum asn_err { ASN_OK, ASN_PREFIX, ASN_NUMERIC, ASN_RANGE };

/* IRRd's parse_as_number(value) (no plain numbers, no asdot). */
static bool non_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* value.upper() when it is not plain ASCII (Python's mappings can turn
 * e.g. U+017F into 'S'); the original otherwise (ASCII case is handled by
 * the callers' case-insensitive checks). */
static const char *py_upper_n(struct arena *a, const char *s, size_t *n)
{
	const char *u;

	if (!non_ascii(s, *n))
		return s;
	u = py_upper(a, arena_strndup(a, s, *n));
	*n = strlen(u);
	return u;
}

static enum asn_err as_number(struct arena *a, const char *s, size_t n, uint32_t *out)
{
	struct pyint p;

	s = py_upper_n(a, s, &n);

	if (!starts_with_ci(s, n, "AS"))
		return ASN_PREFIX;
	if (!py_int(a, s + 2, n - 2, 10, &p))
		return ASN_NUMERIC;
	if (p.neg || p.big || p.v > 4294967295u)
		return ASN_RANGE;
	*out = (uint32_t)p.v;
	return ASN_OK;
}

static void as_number_error(const struct fctx *c, enum asn_err e, const char *s, size_t n)
{
	char *u;

	if (!c->s->collect) {
		sink_error(c->s, "-");
		return;
	}
	u = upper_dup(c->a, s, n);
	if (e == ASN_PREFIX)
		sink_error(c->s, "Invalid AS number %s: must start with \"AS\"", u);
	else if (e == ASN_NUMERIC)
		sink_error(c->s, "Invalid AS number %s: number part is not numeric", u);
	else
		sink_error(c->s, "Invalid AS number %s: valid range is 0-4294967295", u);
}

static const char *asn_text(struct arena *a, const char *s, size_t n, uint32_t asn)
{
	char buf[16];
	int l = snprintf(buf, sizeof(buf), "AS%u", asn);

	if ((size_t)l == n && memcmp(buf, s, n) == 0)
		return s;
	return arena_strndup(a, buf, (size_t)l);
}

/* "AS" and 1-10 digits without a leading zero, at most 4294967295: the
 * value is already in IRRd's form. */
static bool asn_canonical(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n < 3 || n > 12 || s[0] != 'A' || s[1] != 'S' || (s[2] == '0' && n > 3))
		return false;
	for (size_t i = 2; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 4294967295u)
		return false;
	*out = (uint32_t)v;
	return true;
}

static const char *parse_asn(const struct fctx *c, const char *s, size_t n, struct fres *r)
{
	uint32_t asn;
	enum asn_err e;

	if (asn_canonical(s, n, &asn)) {
		r->has_asn = true;
		r->asn_first = r->asn_last = asn;
		return s;
	}
	e = as_number(c->a, s, n, &asn);
	const char *out;
	char buf[16];

	if (e != ASN_OK) {
		as_number_error(c, e, s, n);
		return NULL;
	}
	out = asn_text(c->a, s, n, asn);
	snprintf(buf, sizeof(buf), "AS%u", asn);
	if (strlen(buf) != n || !starts_with_ci(s, n, buf))
		sink_info(c->s, "AS number %s was reformatted as %s", s, out);
	r->has_asn = true;
	r->asn_first = r->asn_last = asn;
	return out;
}

static const char *parse_as_block(const struct fctx *c, const char *s, size_t n, struct fres *r)
{
	const char *dash = memchr(s, '-', n), *p1 = s, *p2;
	size_t n1, n2;
	uint32_t a1, a2;
	enum asn_err e;
	char *out;

	if (dash == NULL) {
		sink_error(c->s, "Invalid AS range: %s: does not contain a hyphen", s);
		return NULL;
	}
	n1 = (size_t)(dash - s);
	p2 = dash + 1;
	n2 = n - n1 - 1;
	py_strip(&p1, &n1);
	py_strip(&p2, &n2);
	if ((e = as_number(c->a, p1, n1, &a1)) != ASN_OK) {
		as_number_error(c, e, p1, n1);
		return NULL;
	}
	if ((e = as_number(c->a, p2, n2, &a2)) != ASN_OK) {
		as_number_error(c, e, p2, n2);
		return NULL;
	}
	if (a1 > a2) {
		sink_error(c->s, "Invalid AS range: %s: first AS is higher then second AS", s);
		return NULL;
	}
	out = arena_printf(c->a, "AS%u - AS%u", a1, a2);
	if (strcmp(out, s) != 0)
		sink_info(c->s, "AS range %s was reformatted as %s", s, out);
	else
		out = (char *)s;
	r->has_asn = true;
	r->asn_first = a1;
	r->asn_last = a2;
	return out;
}

/* ---------------------------------------------------------------- set names */

static void prefix_display(char *buf, size_t size, const uint8_t *pfx, size_t np)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < np; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "/" : "", reserved_prefixes[pfx[i]]);
}

static bool starts_with_any(const char *s, size_t n, const uint8_t *pfx, size_t np)
{
	for (size_t i = 0; i < np; i++)
		if (starts_with_ci(s, n, reserved_prefixes[pfx[i]]))
			return true;
	return false;
}

/* IRRd's parse_set_name() */
static const char *parse_set_name(const struct fctx *c, const uint8_t *pfx, size_t np, const char *s, size_t n,
				  struct sink *sk)
{
	size_t ncomp = 1, i, start;
	bool any = false;
	char display[48];
	char *out, *o;

	for (i = 0; i < n; i++)
		if (s[i] == ':')
			ncomp++;
	if (c->strict && ncomp > 5) {
		sink_error(sk, "Set names can have a maximum of five components.");
		return NULL;
	}
	if (c->strict) {
		for (start = 0, i = 0; i <= n; i++) {
			if (i == n || s[i] == ':') {
				size_t ul = i - start;
				const char *uc = py_upper_n(c->a, s + start, &ul);

				if (starts_with_any(uc, ul, pfx, np))
					any = true;
				start = i + 1;
			}
		}
		if (!any) {
			if (sk->collect) {
				prefix_display(display, sizeof(display), pfx, np);
				sink_error(sk, "Invalid set name %s: at least one component must be an actual set name "
					   "(i.e. start with %s)", s, display);
			} else {
				sink_error(sk, "-");
			}
			return NULL;
		}
	}
	out = arena_alloc(c->a, n + 16 * ncomp + 1);
	o = out;
	for (start = 0, i = 0; i <= n; i++) {
		const char *comp;
		size_t cl;
		uint32_t asn;
		bool is_asn;

		if (i < n && s[i] != ':')
			continue;
		const char *ucomp;
		size_t ucl;

		comp = s + start;
		cl = i - start;
		start = i + 1;
		ucl = cl;
		ucomp = py_upper_n(c->a, comp, &ucl);
		if (c->strict && is_reserved_word(ucomp, ucl)) {
			sink_error(sk, "Invalid set name %s: component %.*s is a reserved word", s, (int)cl, comp);
			return NULL;
		}
		is_asn = as_number(c->a, comp, cl, &asn) == ASN_OK;
		if (!generic_name_ok(ucomp, ucl) && !is_asn) {
			sink_error(sk, "Invalid set %s: component %.*s is not a valid AS number nor a valid set name", s,
				   (int)cl, comp);
			return NULL;
		}
		if (c->strict && !is_asn && !starts_with_any(ucomp, ucl, pfx, np)) {
			if (sk->collect) {
				prefix_display(display, sizeof(display), pfx, np);
				sink_error(sk, "Invalid set %s: component %.*s is not a valid AS number, nor does it "
					   "start with %s", s, (int)cl, comp, display);
			} else {
				sink_error(sk, "-");
			}
			return NULL;
		}
		if (o != out)
			*o++ = ':';
		if (is_asn) {
			o += sprintf(o, "AS%u", asn);
		} else {
			memcpy(o, comp, cl);
			o += cl;
		}
	}
	*o = '\0';
	if ((size_t)(o - out) == n && memcmp(out, s, n) == 0)
		return s;
	sink_info(sk, "Set name %s was reformatted as %s", s, out);
	return out;
}

/* ---------------------------------------------------------------- names */

static const char *parse_generic(const struct fctx *c, const struct field_def *f, const char *s, size_t n,
				 struct sink *sk)
{
	if (!c->strict && (f->flags & FF_NS_ANY))
		return s;
	if (c->strict) {
		if (is_reserved_word(s, n)) {
			sink_error(sk, "Invalid name: %s: this is a reserved word", s);
			return NULL;
		}
		for (int p = 0; p < PFX_COUNT; p++) {
			if (starts_with_ci(s, n, reserved_prefixes[p]) && !(f->arg & (1u << p))) {
				sink_error(sk, "Invalid name: %s: %s is a reserved prefix", s, reserved_prefixes[p]);
				return NULL;
			}
		}
	}
	if (!generic_name_ok(s, n)) {
		sink_error(sk, "Invalid name: %s: contains invalid characters, does not start with a letter, "
			   "or does not end in a letter/digit", s);
		return NULL;
	}
	return s;
}

/* re_dnsname: labels of letters/digits/hyphens, not starting or ending in
 * a hyphen, joined by dots. */
static bool dns_name_ok(const char *s, size_t n)
{
	size_t start = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			size_t l = i - start;
			if (l == 0 || !is_alnum(s[start]) || !is_alnum(s[i - 1]))
				return false;
			for (size_t k = start; k < i; k++)
				if (!is_alnum(s[k]) && s[k] != '-')
					return false;
			start = i + 1;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- e-mail */

static bool email_local_char(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("$!#%&\"*+/=?^_`{|}~\\.-", c) != NULL);
}

/* re_email (case-insensitive) */
static bool email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *d;
	size_t i, dl;

	if (at == NULL || at == s)
		return false;
	for (i = 0; s + i < at; i++)
		if (!email_local_char(s[i]))
			return false;
	d = at + 1;
	dl = n - (size_t)(d - s);
	if (dl == 0)
		return false;
	/* ([A-Z0-9\\.-]+) */
	for (i = 0; i < dl; i++)
		if (!is_alnum(d[i]) && d[i] != '\\' && d[i] != '.' && d[i] != '-')
			break;
	if (i == dl)
		return true;
	if (d[0] != '[' || dl < 3 || d[dl - 1] != ']')
		return false;
	/* (\[\d+\.\d+\.\d+\.\d+\]) */
	{
		size_t k = 1;
		int parts = 0;
		bool ok = true;

		while (parts < 4 && ok) {
			size_t st = k, ql;
			while (k < dl - 1 && py_digit(d + k, dl - 1 - k, &ql) >= 0)
				k += ql;
			if (k == st)
				ok = false;
			parts++;
			if (parts < 4) {
				if (k < dl - 1 && d[k] == '.')
					k++;
				else
					ok = false;
			}
		}
		if (ok && k == dl - 1)
			return true;
	}
	/* (\[[A-f\d:]+\]): with IGNORECASE the class holds letters, digits,
	 * ':' and [ \ ] ^ _ ` */
	for (i = 1; i < dl - 1;) {
		char c = d[i];
		size_t ql;

		if (is_alnum(c) || strchr(":[\\]^_`", c)) {
			i++;
			continue;
		}
		if (py_digit(d + i, dl - 1 - i, &ql) < 0)
			return false;
		i += ql;
	}
	return true;
}

/* ---------------------------------------------------------------- changed */

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* The alternatives %m and %d end with: 0[1-9] (alt 0) | [1-9] (alt 1) */
static int match_1_9(const char *s, size_t n, int alt, int *val)
{
	switch (alt) {
	case 0:
		if (n >= 2 && s[0] == '0' && s[1] >= '1' && s[1] <= '9') {
			*val = s[1] - '0';
			return 2;
		}
		return -1;
	case 1:
		if (n >= 1 && s[0] >= '1' && s[0] <= '9') {
			*val = s[0] - '0';
			return 1;
		}
		return -1;
	}
	return -1;
}

/* Month alternatives of strptime's %m: 1[0-2] | 0[1-9] | [1-9] */
static int match_month(const char *s, size_t n, int alt, int *val)
{
	if (alt == 0) {
		if (n >= 2 && s[0] == '1' && s[1] >= '0' && s[1] <= '2') {
			*val = 10 + s[1] - '0';
			return 2;
		}
		return -1;
	}
	return match_1_9(s, n, alt - 1, val);
}

/* Day alternatives of %d: 3[01] | [12]\d | 0[1-9] | [1-9] | " "[1-9] */
static int match_day(const char *s, size_t n, int alt, int *val)
{
	switch (alt) {
	case 0:
		if (n >= 2 && s[0] == '3' && (s[1] == '0' || s[1] == '1')) {
			*val = 30 + s[1] - '0';
			return 2;
		}
		return -1;
	case 1: {
		size_t l;
		int d;
		if (n >= 2 && (s[0] == '1' || s[0] == '2') && (d = py_digit(s + 1, n - 1, &l)) >= 0) {
			*val = (s[0] - '0') * 10 + d;
			return 1 + (int)l;
		}
		return -1;
	}
	case 2:
	case 3:
		return match_1_9(s, n, alt - 2, val);
	case 4:
		if (n >= 2 && s[0] == ' ' && s[1] >= '1' && s[1] <= '9') {
			*val = s[1] - '0';
			return 2;
		}
		return -1;
	}
	return -1;
}

/* datetime.strptime(date, "%Y%m%d"): NULL if fine, else the ValueError. */
static const char *check_date(struct arena *a, const char *s, size_t n)
{
	int y = 0, m = 0, d = 0, ml = -1, dl = -1;
	size_t yl = 0, end;

	/* %Y: four \d */
	for (int k = 0; k < 4; k++) {
		size_t l;
		int v = py_digit(s + yl, n - yl, &l);
		if (v < 0)
			goto nomatch;
		y = y * 10 + v;
		yl += l;
	}
	/* the regex engine takes the first alternative combination that matches */
	for (int am = 0; am < 3 && dl < 0; am++) {
		ml = match_month(s + yl, n - yl, am, &m);
		if (ml < 0)
			continue;
		for (int ad = 0; ad < 5; ad++) {
			dl = match_day(s + yl + ml, n - yl - (size_t)ml, ad, &d);
			if (dl >= 0)
				break;
		}
	}
	if (dl < 0)
		goto nomatch;
	end = yl + (size_t)ml + (size_t)dl;
	if (end != n)
		return arena_printf(a, "unconverted data remains: %.*s", (int)(n - end), s + end);
	if (y < 1)
		return arena_printf(a, "year %d is out of range", y);
	if (d > days_in_month(y, m))
		return "day is out of range for month";
	return NULL;
nomatch:
	return arena_printf(a, "time data %s does not match format '%%Y%%m%%d'", py_repr(a, s, n));
}

static const char *parse_changed(const struct fctx *c, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n), *email = s, *date = NULL;
	size_t el = n, dlen = 0;
	const char *err;

	/* email, date = value.split(" "): exactly one space */
	if (sp != NULL && memchr(sp + 1, ' ', n - (size_t)(sp - s) - 1) == NULL) {
		el = (size_t)(sp - s);
		date = sp + 1;
		dlen = n - el - 1;
	}
	if (!email_ok(email, el)) {
		sink_error(c->s, "Invalid e-mail address: %.*s", (int)el, email);
		return NULL;
	}
	if (date != NULL && dlen > 0 && (err = check_date(c->a, date, dlen)) != NULL) {
		sink_error(c->s, "Invalid changed date: %.*s: %s", (int)dlen, date, err);
		return NULL;
	}
	return s;
}

/* ---------------------------------------------------------------- URL */

static const char *parse_url(const struct fctx *c, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *rest = s;
	size_t rl = n, i;
	bool scheme_ok = false;

	/* urllib.parse.urlsplit: scheme if letters/digits/+-. before ':' and
	 * the first is a letter */
	if (colon != NULL && colon > s && is_alpha(s[0])) {
		size_t sl = (size_t)(colon - s);
		bool valid = true;

		for (i = 0; i < sl; i++)
			if (!is_alnum(s[i]) && s[i] != '+' && s[i] != '-' && s[i] != '.')
				valid = false;
		if (valid) {
			scheme_ok = (sl == 4 && starts_with_ci(s, sl, "HTTP")) || (sl == 5 && starts_with_ci(s, sl, "HTTPS"));
			rest = colon + 1;
			rl = n - sl - 1;
		}
	}
	if (scheme_ok && rl >= 2 && rest[0] == '/' && rest[1] == '/') {
		size_t end = 2;
		bool ob = false, cb = false;

		while (end < rl && rest[end] != '/' && rest[end] != '?' && rest[end] != '#')
			end++;
		for (i = 2; i < end; i++) {
			if (rest[i] == '[')
				ob = true;
			if (rest[i] == ']')
				cb = true;
		}
		/* urlsplit raises "Invalid IPv6 URL" for unbalanced brackets */
		if (end > 2 && ob == cb)
			return s;
	}
	sink_error(c->s, "Invalid http/https URL: %s", s);
	return NULL;
}

/* ---------------------------------------------------------------- auth */

static bool pgpkey_ok(const char *s, size_t n)
{
	if (n != 15 || !starts_with_ci(s, n, "PGPKEY-"))
		return false;
	for (size_t i = 7; i < 15; i++) {
		char u = up(s[i]);
		if (!is_digit(u) && !(u >= 'A' && u <= 'F'))
			return false;
	}
	return true;
}

static const char *parse_auth(const struct fctx *c, const char *s, size_t n)
{
	const struct rpsl_options *o = c->opts;
	size_t spaces = 0;
	bool begin = false;
	char list[64];
	size_t l = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ')
			spaces++;
	for (int h = 0; h < RPSL_HASHER_COUNT; h++) {
		bool on = o->hashers[h] == RPSL_HASHER_ENABLED ||
			  (!c->strict && o->hashers[h] == RPSL_HASHER_LEGACY);
		size_t hl = strlen(hasher_names[h]);

		if (!on)
			continue;
		if (starts_with_ci(s, n, hasher_names[h]) && n > hl && s[hl] == ' ')
			begin = true;
		l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", l ? ", " : "", hasher_names[h]);
	}
	if ((begin && spaces == 1 && memchr(s, ',', n) == NULL) || pgpkey_ok(s, n) ||
	    strcmp(s, RPSL_MNTNER_AUTH_INTERNAL) == 0)
		return s;
	sink_error(c->s, "Invalid auth attribute: %s: supported options are %s, PGPKEY-xxxxxxxx and %s for "
		   "migrated objects", s, list, RPSL_MNTNER_AUTH_INTERNAL);
	return NULL;
}

/* ---------------------------------------------------------------- text */

/* RPSLTextField: drop what Python does not consider printable, except
 * \n, \r, \t and U+200D. */
static const char *parse_text(const struct fctx *c, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	char *out, *o;

	for (i = 0; i < n; i++) {
		unsigned char ch = u[i];
		if (ch < 0x20 ? (ch != '\t' && ch != '\n' && ch != '\r') : ch >= 0x7f)
			break;
	}
	if (i == n)
		return s;
	/* slow path: check code points from here on */
	{
		size_t j = i;
		bool drop = false;
		while (j < n) {
			uint32_t cp;
			size_t l = utf8_decode(u + j, n - j, &cp);
			if (cp != '\t' && cp != '\n' && cp != '\r' && cp != 0x200d && cp != 0x110000 && !py_printable(cp)) {
				drop = true;
				break;
			}
			j += l;
		}
		if (!drop)
			return s;
	}
	out = arena_alloc(c->a, n + 1);
	memcpy(out, s, i);
	o = out + i;
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_decode(u + i, n - i, &cp);
		if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x200d || cp == 0x110000 || py_printable(cp)) {
			memcpy(o, s + i, l);
			o += l;
		}
		i += l;
	}
	*o = '\0';
	return out;
}

/* ---------------------------------------------------------------- prefixes */

static void set_prefix_meta(struct fres *r, const struct ipy *ip)
{
	struct ip_addr first;

	ipy_to_addr(ip, ip->ip, &first);
	r->has_ip = r->has_prefix = true;
	r->prefix.family = first.family;
	r->prefix.len = (uint8_t)ip->prefixlen;
	memcpy(r->prefix.a, first.a, sizeof(first.a));
	r->ip_first = first;
	ip_prefix_last(&r->prefix, &r->ip_last);
}

/* No number in a valid prefix has a leading zero and all is ASCII: the
 * text is canonical. */
static bool v4_canonical(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
		if (i + 1 < n && s[i] == '0' && (i == 0 || !is_digit(s[i - 1])) && is_digit(s[i + 1]))
			return false;
	}
	return true;
}

/* A run of \d (Unicode decimal digits) at s[*i]: its value (saturating at
 * 100000) and its significant digits in ASCII (up to 15). */
static size_t digit_run(const char *s, size_t n, size_t *i, unsigned *value, char *ascii, size_t asize)
{
	size_t count = 0, l, o = 0;
	unsigned v = 0;
	int d;

	while (*i < n && (d = py_digit(s + *i, n - *i, &l)) >= 0) {
		if (v < 100000)
			v = v * 10 + (unsigned)d;
		if (ascii && (o > 0 || d != 0) && o + 1 < asize)
			ascii[o++] = (char)('0' + d);
		*i += l;
		count++;
	}
	if (ascii) {
		if (o == 0 && count > 0)
			ascii[o++] = '0';
		ascii[o] = '\0';
	}
	*value = v;
	return count;
}

/* RPSLIPv4PrefixField: ^\d+\.\d+\.\d+\.\d+/\d+$, then IPy. Written out
 * for speed: this runs for every route object. */
static const char *parse_v4_prefix(const struct fctx *c, const char *s, size_t n, struct fres *r)
{
	size_t i = 0, pstart, plen_n;
	unsigned bytes[4], plen;
	char plen_digits[16];
	struct ipy ip;
	char buf[64];
	int part, l;
	size_t ndig[5];

	for (part = 0; part < 4; part++) {
		if ((ndig[part] = digit_run(s, n, &i, &bytes[part], NULL, 0)) == 0 || i >= n ||
		    s[i] != (part < 3 ? '.' : '/'))
			goto bad;
		i++;
	}
	pstart = i;
	if ((ndig[4] = digit_run(s, n, &i, &plen, plen_digits, sizeof(plen_digits))) == 0 || i != n)
		goto bad;
	/* IPy: int() of each byte (Python refuses more than 4300 digits), the
	 * byte range, then int() of the length */
	for (part = 0; part < 4; part++) {
		if (ndig[part] > 4300) {
			sink_error(c->s, "Invalid address prefix: %s: %s", s, py_int_limit_msg(c->a, ndig[part]));
			return NULL;
		}
	}
	for (part = 0; part < 4; part++) {
		if (bytes[part] > 255) {
			sink_error(c->s, "Invalid address prefix: %s: '%.*s': single byte must be 0 <= byte < 256", s,
				   (int)(pstart - 1), s);
			return NULL;
		}
	}
	if (ndig[4] > 4300) {
		sink_error(c->s, "Invalid address prefix: %s: %s", s, py_int_limit_msg(c->a, ndig[4]));
		return NULL;
	}
	plen_n = strlen(plen_digits);
	ip.ip = (u128)bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3];
	ip.version = 4;
	if (plen_n > 3 || plen > 32 ||
	    (plen == 0 ? ip.ip != 0 : (plen < 32 && (ip.ip & ((1u << (32 - plen)) - 1)) != 0))) {
		if (plen_n >= sizeof(plen_digits) - 1) {
			/* too long to have kept: print them all */
			char *all = arena_alloc(c->a, n + 1);
			size_t o = 0, k = pstart, dl;
			int d;
			while (k < n && (d = py_digit(s + k, n - k, &dl)) >= 0) {
				if (o > 0 || d != 0)
					all[o++] = (char)('0' + d);
				k += dl;
			}
			all[o] = '\0';
			sink_error(c->s, "Invalid address prefix: %s: invalid prefix length (%s)", s, all);
		} else {
			sink_error(c->s, "Invalid address prefix: %s: invalid prefix length (%s)", s, plen_digits);
		}
		return NULL;
	}
	ip.prefixlen = (int)plen;
	set_prefix_meta(r, &ip);
	if (v4_canonical(s, n))
		return s;
	l = snprintf(buf, sizeof(buf), "%u.%u.%u.%u/%u", bytes[0], bytes[1], bytes[2], bytes[3], plen);
	if ((size_t)l == n && memcmp(buf, s, n) == 0)
		return s;
	sink_info(c->s, "Address prefix %s was reformatted as %s", s, buf);
	return arena_strndup(c->a, buf, (size_t)l);
bad:
	sink_error(c->s, "Invalid address prefix: %s", s);
	return NULL;
}

/* RPSLIPv6PrefixField: ^[A-F\d:]+/\d+$ (case-insensitive), then IPy. */
static const char *parse_v6_prefix(const struct fctx *c, const char *s, size_t n, struct fres *r)
{
	const char *slash = memchr(s, '/', n), *err;
	size_t i;
	struct ipy ip;
	char buf[80];
	int l;

	if (slash == NULL || slash == s || (size_t)(slash - s) == n - 1)
		goto bad;
	for (i = 0; s + i < slash;) {
		char u = up(s[i]);
		size_t dl;

		if ((u >= 'A' && u <= 'F') || u == ':') {
			i++;
			continue;
		}
		if (py_digit(s + i, (size_t)(slash - s) - i, &dl) < 0)
			goto bad;
		i += dl;
	}
	for (i++; i < n;) {
		size_t dl;
		if (py_digit(s + i, n - i, &dl) < 0)
			goto bad;
		i += dl;
	}
	if (!ipy_parse(c->a, s, n, 6, &ip, &err)) {
		sink_error(c->s, "Invalid address prefix: %s: %s", s, err);
		return NULL;
	}
	ipy_str(&ip, buf, sizeof(buf));
	l = (int)strlen(buf);
	if (ip.prefixlen == 128)
		l += snprintf(buf + l, sizeof(buf) - (size_t)l, "/128");
	set_prefix_meta(r, &ip);
	if ((size_t)l == n && memcmp(buf, s, n) == 0)
		return s;
	sink_info(c->s, "Address prefix %s was reformatted as %s", s, buf);
	return arena_strndup(c->a, buf, (size_t)l);
bad:
	sink_error(c->s, "Invalid address prefix: %s", s);
	return NULL;
}

/* RPSLIPv4AddressRangeField */
static const char *parse_v4_range(const struct fctx *c, const char *s, size_t n, struct fres *r)
{
	char *v = arena_alloc(c->a, n + 1), *dash;
	size_t vl = 0, l1, l2;
	struct ipy ip1, ip2;
	const char *err, *p2;
	char b1[64], b2[64], *out;

	for (size_t i = 0; i < n; i++)
		if (s[i] != ',')
			v[vl++] = s[i];
	v[vl] = '\0';
	dash = memchr(v, '-', vl);
	if (dash != NULL) {
		l1 = (size_t)(dash - v);
		p2 = dash + 1;
		l2 = vl - l1 - 1;
	} else {
		l1 = l2 = vl;
		p2 = v;
	}
	if (!ipy_parse(c->a, v, l1, 0, &ip1, &err) || !ipy_parse(c->a, p2, l2, 0, &ip2, &err)) {
		sink_error(c->s, "Invalid address range: %s: %s", v, err);
		return NULL;
	}
	if (ip1.version != 4 || ip2.version != 4) {
		sink_error(c->s, "Invalid address range: %s: IP version mismatch", v);
		return NULL;
	}
	if (ip1.ip > ip2.ip) {
		sink_error(c->s, "Invalid address range: %s: first IP is higher than second IP", v);
		return NULL;
	}
	ipy_str(&ip1, b1, sizeof(b1));
	if (dash != NULL)
		out = arena_printf(c->a, "%s - %s", b1, ipy_str(&ip2, b2, sizeof(b2)));
	else
		out = arena_strndup(c->a, b1, strlen(b1));
	if (strcmp(out, v) != 0)
		sink_info(c->s, "Address range %s was reformatted as %s", v, out);
	else if (strcmp(out, s) == 0)
		out = (char *)s;
	r->has_ip = true;
	ipy_to_addr(&ip1, ip1.ip, &r->ip_first);
	ipy_to_addr(&ip2, ip2.ip, &r->ip_last);
	/* a range that is exactly one prefix also gives the prefix */
	{
		u128 size = ip2.ip - ip1.ip + 1;
		if (size != 0 && (size & (size - 1)) == 0 && (ip1.ip & (size - 1)) == 0) {
			int len = 32;
			while (size > 1) {
				size >>= 1;
				len--;
			}
			r->has_prefix = true;
			r->prefix.family = IP_AF4;
			r->prefix.len = (uint8_t)len;
			memcpy(r->prefix.a, r->ip_first.a, sizeof(r->prefix.a));
		}
	}
	return out;
}

/* Count the \d characters of [s, s+n); -1 if any other character. */
static long digit_chars(const char *s, size_t n)
{
	size_t i = 0, l;
	long count = 0;

	while (i < n) {
		if (py_digit(s + i, n - i, &l) < 0)
			return -1;
		i += l;
		count++;
	}
	return count;
}

/* ^(\d{1,3})-(\d{1,3})$ | ^-$ | ^\+$ | ^(\d{1,3})$ */
static bool range_op(const char *op, size_t n, const char **start, size_t *sl, const char **end, size_t *el,
		     const char **single, size_t *snl)
{
	const char *dash;
	long k;

	*start = *end = *single = NULL;
	if (n == 1 && (op[0] == '-' || op[0] == '+'))
		return true;
	dash = memchr(op, '-', n);
	if (dash == NULL) {
		k = digit_chars(op, n);
		if (k < 1 || k > 3)
			return false;
		*single = op;
		*snl = n;
		return true;
	}
	*sl = (size_t)(dash - op);
	*el = n - *sl - 1;
	k = digit_chars(op, *sl);
	if (k < 1 || k > 3)
		return false;
	k = digit_chars(dash + 1, *el);
	if (k < 1 || k > 3)
		return false;
	*start = op;
	*end = dash + 1;
	return true;
}

static int small_int(const char *s, size_t n)
{
	int v = 0;
	size_t i = 0, l;

	while (i < n) {
		v = v * 10 + py_digit(s + i, n - i, &l);
		i += l;
	}
	return v;
}

/* RPSLRouteSetMemberField */
static const char *parse_rs_member(const struct fctx *c, const struct field_def *f, const char *s, size_t n)
{
	static const uint8_t pfx[] = { PFX_RS, PFX_AS };
	const char *caret = memchr(s, '^', n), *op = NULL, *res, *err;
	size_t an = n, opn = 0;
	char *addr;
	struct sink tmp;
	uint32_t asn;
	struct ipy ip;
	char buf[80];
	char *out;

	if (caret != NULL) {
		an = (size_t)(caret - s);
		op = caret + 1;
		opn = n - an - 1;
		if (opn == 0) {
			sink_error(c->s, "Missing range operator in value: %s", s);
			return NULL;
		}
	}
	addr = caret ? arena_strndup(c->a, s, an) : (char *)s;
	sink_init(&tmp, c->a, false);
	res = parse_set_name(c, pfx, 2, addr, an, &tmp);
	if (res == NULL && as_number(c->a, addr, an, &asn) == ASN_OK)
		res = arena_printf(c->a, "AS%u", asn);
	if (res != NULL) {
		out = op ? arena_printf(c->a, "%s^%.*s", res, (int)opn, op) : (char *)res;
		if (strcmp(out, s) != 0)
			sink_info(c->s, "Route set member %s was reformatted as %s", s, out);
		else
			out = (char *)s;
		return out;
	}
	if (!ipy_parse(c->a, addr, an, f->arg, &ip, &err)) {
		sink_error(c->s, "Value is neither a valid set name nor a valid prefix: %s: %s", addr, err);
		return NULL;
	}
	if (op != NULL) {
		const char *st, *en, *single;
		size_t stl = 0, enl = 0, sgl = 0;

		if (!range_op(op, opn, &st, &stl, &en, &enl, &single, &sgl)) {
			sink_error(c->s, "Invalid range operator %.*s in value: %s", (int)opn, op, s);
			return NULL;
		}
		if (single != NULL && small_int(single, sgl) < ip.prefixlen) {
			sink_error(c->s, "Invalid range operator: operator length (%.*s) must be equal to or longer than "
				   "prefix length (%d) %s", (int)sgl, single, ip.prefixlen, s);
			return NULL;
		}
		if (st != NULL && small_int(st, stl) < ip.prefixlen) {
			sink_error(c->s, "Invalid range operator: operator start (%.*s) must be equal to or longer than "
				   "prefix length (%d) %s", (int)stl, st, ip.prefixlen, s);
			return NULL;
		}
		if (en != NULL && small_int(en, enl) < small_int(st, stl)) {
			sink_error(c->s, "Invalid range operator: operator end (%.*s) must be equal to or longer than "
				   "operator start (%.*s) %s", (int)enl, en, (int)stl, st, s);
			return NULL;
		}
	}
	ipy_str(&ip, buf, sizeof(buf));
	if (ip.version == 4 && ip.prefixlen == 32)
		strcat(buf, "/32");
	if (ip.version == 6 && ip.prefixlen == 128)
		strcat(buf, "/128");
	out = op ? arena_printf(c->a, "%s^%.*s", buf, (int)opn, op) : arena_strndup(c->a, buf, strlen(buf));
	if (strcmp(out, s) != 0)
		sink_info(c->s, "Route set member %s was reformatted as %s", s, out);
	else
		out = (char *)s;
	return out;
}

/* ---------------------------------------------------------------- dispatch */

static const char *parse_single(const struct fctx *c, const struct field_def *f, const char *s, size_t n,
				struct fres *r);

/* RPSLReferenceField: the value must parse as the primary key of one of
 * the referred classes; errors of every attempt are reported only if all
 * fail. */
static const char *parse_ref(const struct fctx *c, const struct field_def *f, const char *s, size_t n,
			     struct fres *r)
{
	struct sink tmp;
	struct fctx sub = *c;

	sink_init(&tmp, c->a, c->s->collect);
	sub.s = &tmp;
	for (int i = 0; i < f->nrefs; i++) {
		const struct class_def *cd = class_defs[f->refs[i]];
		const struct field_def *pkf = &cd->fields[cd->pklookup_field];
		const char *v = parse_single(&sub, pkf, s, n, r);

		if (v != NULL)
			return v;
	}
	sink_merge(c->s, &tmp);
	return NULL;
}

static const char *parse_single(const struct fctx *c, const struct field_def *f, const char *s, size_t n,
				struct fres *r)
{
	switch (f->kind) {
	case FK_TEXT:
		return parse_text(c, s, n);
	case FK_IPV4_PREFIX:
	case FK_IPV4_PREFIXES:
		return parse_v4_prefix(c, s, n, r);
	case FK_IPV6_PREFIX:
	case FK_IPV6_PREFIXES:
		return parse_v6_prefix(c, s, n, r);
	case FK_IPV4_RANGE:
		return parse_v4_range(c, s, n, r);
	case FK_RS_MEMBERS:
		return parse_rs_member(c, f, s, n);
	case FK_ASN:
		return parse_asn(c, s, n, r);
	case FK_AS_BLOCK:
		return parse_as_block(c, s, n, r);
	case FK_SET_NAME: {
		uint8_t p = f->arg;
		return parse_set_name(c, &p, 1, s, n, c->s);
	}
	case FK_EMAIL:
		if (email_ok(s, n))
			return s;
		sink_error(c->s, "Invalid e-mail address: %s", s);
		return NULL;
	case FK_CHANGED:
		return parse_changed(c, s, n);
	case FK_DNS:
		if (dns_name_ok(s, n))
			return s;
		sink_error(c->s, "Invalid DNS name: %s", s);
		return NULL;
	case FK_URL:
		return parse_url(c, s, n);
	case FK_GENERIC:
		return parse_generic(c, f, s, n, c->s);
	case FK_REF:
	case FK_REF_LIST:
		return parse_ref(c, f, s, n, r);
	case FK_AUTH:
		return parse_auth(c, s, n);
	}
	return NULL;
}

static bool is_list_kind(uint8_t k)
{
	return k == FK_IPV4_PREFIXES || k == FK_IPV6_PREFIXES || k == FK_RS_MEMBERS || k == FK_REF_LIST;
}

/* RPSLFieldListMixin: split on commas, parse every item, join with ','. */
static bool parse_list(const struct fctx *c, const struct field_def *f, const char *s, size_t n, struct fres *r)
{
	size_t count = 0, i, start, k = 0, total = 0;
	const char **items;
	bool ok = true;
	struct fres scratch;
	char *joined, *o;

	if ((f->flags & FF_ALLOW_ANY) && equals_ci(s, n, "ANY")) {
		r->value = "ANY";
		r->list = arena_alloc(c->a, sizeof(char *));
		r->list[0] = "ANY";
		r->nlist = 1;
		return true;
	}
	if (memchr(s, ',', n) == NULL) {
		const char *p = s;
		size_t pl = n;
		const char *v;

		py_strip(&p, &pl);
		if (pl == 0) {
			r->value = "";
			r->list = NULL;
			r->nlist = 0;
			return true;
		}
		if (pl != n)
			p = arena_strndup(c->a, p, pl);
		memset(&scratch, 0, sizeof(scratch));
		v = parse_single(c, f, p, pl, &scratch);
		if (v == NULL)
			return false;
		r->list = arena_alloc(c->a, sizeof(char *));
		r->list[0] = v;
		r->nlist = 1;
		r->value = v;
		return true;
	}
	for (i = 0; i < n; i++)
		if (s[i] == ',')
			count++;
	items = arena_alloc(c->a, (count + 1) * sizeof(char *));
	for (start = 0, i = 0; i <= n; i++) {
		const char *p;
		size_t pl;
		const char *v;

		if (i < n && s[i] != ',')
			continue;
		p = s + start;
		pl = i - start;
		start = i + 1;
		py_strip(&p, &pl);
		if (pl == 0)
			continue;
		p = arena_strndup(c->a, p, pl);
		memset(&scratch, 0, sizeof(scratch));
		v = parse_single(c, f, p, pl, &scratch);
		if (v == NULL) {
			ok = false;
			continue;
		}
		items[k++] = v;
		total += strlen(v) + 1;
	}
	if (!ok)
		return false;
	joined = arena_alloc(c->a, total + 1);
	o = joined;
	for (i = 0; i < k; i++) {
		size_t l = strlen(items[i]);
		if (i)
			*o++ = ',';
		memcpy(o, items[i], l);
		o += l;
	}
	*o = '\0';
	r->value = strcmp(joined, s) == 0 ? s : joined;
	r->list = items;
	r->nlist = k;
	return true;
}

bool field_parse(const struct fctx *c, const struct field_def *f, const char *value, size_t n, struct fres *r)
{
	memset(r, 0, sizeof(*r));
	if (is_list_kind(f->kind))
		return parse_list(c, f, value, n, r);
	r->value = parse_single(c, f, value, n, r);
	return r->value != NULL;
}

bool field_keep_case(const struct field_def *f)
{
	switch (f->kind) {
	case FK_SET_NAME:
	case FK_DNS:
	case FK_URL:
	case FK_GENERIC:
	case FK_REF:
	case FK_REF_LIST:
		return false;
	default:
		return true;
	}
}

/* ---------------------------------------------------------------- set creation */

const char *rpsl_set_create_check(const struct rpsl_object *obj, bool prefix_required, const char **asn_segment)
{
	struct arena *a = rpsl_object_arena(obj);
	const char *colon, *pk = obj->pk;
	size_t n;
	uint32_t asn;
	enum asn_err e;
	char *seg, *u;

	if (asn_segment)
		*asn_segment = NULL;
	switch (obj->cls) {
	case RPSL_AS_SET:
	case RPSL_FILTER_SET:
	case RPSL_PEERING_SET:
	case RPSL_ROUTE_SET:
	case RPSL_RTR_SET:
		break;
	default:
		return NULL;
	}
	colon = strchr(pk, ':');
	n = colon ? (size_t)(colon - pk) : strlen(pk);
	seg = arena_strndup(a, pk, n);
	e = as_number(a, seg, n, &asn);
	if (e == ASN_OK) {
		if (asn_segment)
			*asn_segment = seg;
		return NULL;
	}
	if (!prefix_required)
		return NULL;
	/* IRRd clears pk_asn_segment before formatting, hence "None" */
	u = py_upper(a, seg);
	return arena_printf(a, "%s names must be hierarchical and the first component must be an AS number, e.g. "
			    "\"AS65537:None\": Invalid AS number %s: %s", rpsl_class_name(obj->cls), u,
			    e == ASN_PREFIX ? "must start with \"AS\"" :
			    e == ASN_NUMERIC ? "number part is not numeric" : "valid range is 0-4294967295");
}
