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
		size_t plain = strcspn(t, "{}");

		put(o, t, plain);
		t += plain;
		if (*t == '\0')
			break;
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			put(o, t, 1);
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

static void u32_dec(char *buf, uint32_t v)
{
	char t[12];
	size_t n = 0, k = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[k++] = t[--n];
	buf[k] = '\0';
}

size_t roa_pseudo_render(const struct roa_set *set, const struct roa *r, const char *remarks,
			 char *buf, size_t size)
{
	struct obuf o = { buf, size, 0 };
	char pfx[IP_PREFIX_STRLEN], asn[16], num[16];
	const char *ta = roa_set_ta(set, r->ta);
	size_t talen = strlen(ta);

	roa_prefix_format(&r->prefix, pfx, true);
	u32_dec(asn, r->asn);
	puts_(&o, r->prefix.family == IP_AF4 ? "route:          " : "route6:         ");
	puts_(&o, pfx);
	puts_(&o, "\ndescr:          RPKI ROA for ");
	puts_(&o, pfx);
	puts_(&o, " / AS");
	puts_(&o, asn);
	puts_(&o, "\nremarks:        ");
	put_remarks(&o, remarks, asn, pfx);
	puts_(&o, "\nmax-length:     ");
	u32_dec(num, r->maxlen);
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

struct roa_pseudo *roa_pseudo_new(const struct roa_set *set, const struct roa *r, const char *remarks)
{
	struct roa_pseudo *p = xcalloc(1, sizeof(*p));

	p->len = roa_pseudo_render(set, r, remarks, NULL, 0);
	p->text = xmalloc(p->len + 1);
	roa_pseudo_render(set, r, remarks, p->text, p->len + 1);
	roa_pseudo_pk(r, p->pk, sizeof(p->pk));
	p->obj = rpsl_parse(p->text, p->len, RPSL_NONSTRICT, ROA_PSEUDO_SOURCE);
	/* IRRd builds these objects directly, never parsing them: a /32's
	 * "route: 192.0.2.1" would not parse. So the resources come from the
	 * VRP; the parser's messages (all about that) are dropped. */
	p->obj->cls = r->prefix.family == IP_AF4 ? RPSL_ROUTE : RPSL_ROUTE6;
	p->obj->pk = p->pk;
	p->obj->has_prefix = true;
	p->obj->prefix = r->prefix;
	p->obj->has_ip = true;
	memset(&p->obj->ip_first, 0, sizeof(p->obj->ip_first));
	p->obj->ip_first.family = r->prefix.family;
	memcpy(p->obj->ip_first.a, r->prefix.a, sizeof(r->prefix.a));
	p->obj->ip_last = p->obj->ip_first;
	for (unsigned b = r->prefix.len; b < ip_maxlen(r->prefix.family); b++)
		p->obj->ip_last.a[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	p->obj->has_asn = true;
	p->obj->asn_first = p->obj->asn_last = r->asn;
	p->obj->has_origin = true;
	p->obj->origin = r->asn;
	p->obj->msgs.nerrors = 0;
	p->obj->msgs.ninfos = 0;
	return p;
}

void roa_pseudo_free(struct roa_pseudo *p)
{
	if (p == NULL)
		return;
	rpsl_object_free(p->obj);
	free(p->text);
	free(p);
}
