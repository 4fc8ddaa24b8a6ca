/*
 * pseudo_irr.c - the pseudo-IRR route(6) object IRRd creates for each ROA
 * (irrd/rpki/importer.py, RPSLObjectFromROA): same text, same primary key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpki/roa_int.h"

#define VALUE_COLUMN 16

static bool py_ascii_space(unsigned char c)
{
	/* the ASCII part of Python's str.isspace() */
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

char *roa_pseudo_remarks(const char *setting)
{
	const char *s = setting ? setting : ROA_PSEUDO_REMARKS_DEFAULT;
	size_t n = 0, start, end, len = strlen(s);
	char *out, *r;

	/* replace("\n", "\n" + 16 spaces), then strip() */
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n' ? 1 + VALUE_COLUMN : 1;
	out = xmalloc(n + 1);
	n = 0;
	for (size_t i = 0; i < len; i++) {
		out[n++] = s[i];
		if (s[i] == '\n') {
			memset(out + n, ' ', VALUE_COLUMN);
			n += VALUE_COLUMN;
		}
	}
	out[n] = '\0';
	for (start = 0; start < n && py_ascii_space((unsigned char)out[start]); start++)
		;
	for (end = n; end > start && py_ascii_space((unsigned char)out[end - 1]); end--)
		;
	r = xstrndup(out + start, end - start);
	free(out);
	return r;
}

/* An output buffer with snprintf semantics: counts everything, stores what fits. */
struct obuf {
	char *buf;
	size_t size, len;
};

static void put(struct obuf *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct obuf *o, const char *s)
{
	put(o, s, strlen(s));
}

static void finish(struct obuf *o)
{
	if (o->size > 0)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

size_t roa_pseudo_pk(const struct roa *r, char *buf, size_t size)
{
	char pfx[IP_PREFIX_STRLEN];
	int n;

	roa_prefix_format(&r->prefix, pfx, true);
	n = snprintf(buf, size, "%sAS%u/ML%u", pfx, r->asn, r->maxlen);
	return n < 0 ? 0 : (size_t)n;
}

/* remarks.format(asn=..., prefix=...): {asn}, {prefix}, {{ and }}. Other
 * fields (which make IRRd's import fail) are left as they are. */
static void put_remarks(struct obuf *o, const char *t, const char *asn, const char *pfx)
{
	while (*t) {
		if (t[0] == '{' && t[1] == '{') {
			put(o, "{", 1);
			t += 2;
		} else if (t[0] == '}' && t[1] == '}') {
			put(o, "}", 1);
			t += 2;
		} else if (strncmp(t, "{asn}", 5) == 0) {
			puts_(o, asn);
			t += 5;
		} else if (strncmp(t, "{prefix}", 8) == 0) {
			puts_(o, pfx);
			t += 8;
		} else {
			put(o, t, 1);
			t++;
		}
	}
}

size_t roa_pseudo_render(const struct roa_set *set, const struct roa *r, const char *remarks,
			 char *buf, size_t size)
{
	struct obuf o = { buf, size, 0 };
	char pfx[IP_PREFIX_STRLEN], asn[16], num[16];
	const char *ta = roa_set_ta(set, r->ta);
	size_t talen = strlen(ta);

	roa_prefix_format(&r->prefix, pfx, true);
	snprintf(asn, sizeof(asn), "%u", r->asn);
	puts_(&o, r->prefix.family == IP_AF4 ? "route:          " : "route6:         ");
	puts_(&o, pfx);
	puts_(&o, "\ndescr:          RPKI ROA for ");
	puts_(&o, pfx);
	puts_(&o, " / AS");
	puts_(&o, asn);
	puts_(&o, "\nremarks:        ");
	put_remarks(&o, remarks, asn, pfx);
	puts_(&o, "\nmax-length:     ");
	snprintf(num, sizeof(num), "%u", r->maxlen);
	puts_(&o, num);
	puts_(&o, "\norigin:         AS");
	puts_(&o, asn);
	puts_(&o, "\nsource:         " ROA_PSEUDO_SOURCE "  # Trust Anchor:");
	/* IRRd strips the whole text, so trailing white space of the TA (and
	 * the blank before an empty one) goes */
	while (talen > 0 && py_ascii_space((unsigned char)ta[talen - 1]))
		talen--;
	if (talen > 0) {
		put(&o, " ", 1);
		put(&o, ta, talen);
	}
	put(&o, "\n", 1);
	finish(&o);
	return o.len;
}
