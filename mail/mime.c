/*
 * mime.c - the incoming message: RFC 5322 headers, MIME structure (RFC
 * 2045, 2046), transfer encodings and charsets, chosen the way IRRd's
 * EmailParser does (Python's email package): the body is the last
 * text/plain part of a multipart message, or the whole payload of a
 * single-part one; charsets default to us-ascii; undecodable bytes are
 * dropped in parts and written as \xNN in single-part messages.
 *
 * Unlike IRRd, a message that is too large, too deeply nested, has too many
 * parts, NUL bytes, a multipart without boundary, broken base64 in its
 * text, or an unknown charset is refused with a reason (the caller replies
 * with it) instead of being half-processed.
 *
 * The parser works on (buf, len) and never reads past it; entities are
 * pointer ranges into buf until the chosen text is decoded.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "rpsl/base64.h"
#include "rpsl/log.h"

struct ctype {
	char type[64];		/* "text/plain", lower case */
	char boundary[256];	/* "" if none */
	char charset[64];	/* lower case, "" if none */
	char cte[32];		/* content-transfer-encoding, lower case */
};

/* A leaf worth keeping while walking. */
struct leaf {
	const char *body, *end;	/* encoded content */
	struct ctype ct;
	bool toplevel;
	/* PGP/MIME: the signed entity and the signature part, if any */
	const char *sdata, *sdata_end;
	const char *sig, *sig_end;
	struct ctype sigct;
};

struct walk {
	const char *buf;
	size_t len;
	int parts;
	const char *refusal;
	bool have_text;
	struct leaf text;
	/* the innermost multipart/signed whose first part we are in */
	const char *sdata, *sdata_end, *sig, *sig_end;
	struct ctype sigct;
};

/* ---------------------------------------------------------------- lines */

/* The next line of [p, end): returns its end (before "\r\n" / "\n") and
 * sets *next to the start of the following line. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e;

	if (nl == NULL) {
		*next = end;
		e = end;
	} else {
		*next = nl + 1;
		e = nl;
	}
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A header field name as Python's feedparser accepts it: printable ASCII
 * except ':' and space, followed by ':'. Returns the name length or 0. */
static size_t header_name(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && *q != ':') {
		unsigned char ch = (unsigned char)*q;

		if (ch < 0x21 || ch > 0x7e)
			return 0;
		q++;
	}
	if (q == e || q == p)
		return 0;
	return (size_t)(q - p);
}

/*
 * Walk the header block at [p, end). For each field calls fn with the
 * lower-case name and the unfolded value (leading and trailing white space
 * removed, at most MAIL_MAX_HEADER_LINE bytes). Returns the start of the
 * body (after the blank line, or at the first line that is not a header).
 */
typedef void (*header_fn)(void *arg, const char *name, const char *value);

static const char *headers_walk(const char *p, const char *end, bool toplevel, header_fn fn, void *arg)
{
	char name[80];
	char *val = xmalloc(MAIL_MAX_HEADER_LINE + 1);
	size_t vlen = 0;
	bool have = false, first = true;

	while (p < end) {
		const char *next, *e = line_end(p, end, &next);
		size_t nl;

		if (e == p) {		/* blank line: the body follows */
			p = next;
			break;
		}
		if (toplevel && first && (size_t)(e - p) >= 5 && memcmp(p, "From ", 5) == 0) {
			/* an mbox "From " line */
			first = false;
			p = next;
			continue;
		}
		first = false;
		if (is_wsp(*p) && have) {
			/* folded: the line break goes, the white space stays */
			size_t n = (size_t)(e - p);

			if (vlen + n > MAIL_MAX_HEADER_LINE)
				n = MAIL_MAX_HEADER_LINE - vlen;
			memcpy(val + vlen, p, n);
			vlen += n;
			p = next;
			continue;
		}
		nl = header_name(p, e);
		if (nl == 0)
			break;		/* not a header: the body starts here */
		if (have) {
			val[vlen] = '\0';
			fn(arg, name, val);
		}
		{
			size_t n = nl < sizeof(name) - 1 ? nl : sizeof(name) - 1;
			const char *v = p + nl + 1;

			for (size_t i = 0; i < n; i++)
				name[i] = (char)tolower((unsigned char)p[i]);
			name[n] = '\0';
			vlen = (size_t)(e - v);
			if (vlen > MAIL_MAX_HEADER_LINE)
				vlen = MAIL_MAX_HEADER_LINE;
			memcpy(val, v, vlen);
			have = true;
		}
		p = next;
	}
	if (have) {
		val[vlen] = '\0';
		fn(arg, name, val);
	}
	free(val);
	return p;
}

/* Trim white space at both ends, in place. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* ---------------------------------------------------------------- Content-Type */

static void lower_copy(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

/* Parse "type/sub; a=b; c="d"" into ct (type and charset lower case, the
 * boundary as written). A malformed type gives text/plain, as Python's
 * get_content_type(). */
static void content_type_parse(struct ctype *ct, const char *v)
{
	const char *p = v, *q;

	while (is_wsp(*p))
		p++;
	q = p;
	while (*q && *q != ';' && !is_wsp(*q))
		q++;
	{
		const char *slash = memchr(p, '/', (size_t)(q - p));
		const char *s2 = slash ? memchr(slash + 1, '/', (size_t)(q - slash - 1)) : NULL;

		if (slash == NULL || s2 != NULL || slash == p || slash + 1 == q)
			strcpy(ct->type, "text/plain");
		else
			lower_copy(ct->type, sizeof(ct->type), p, (size_t)(q - p));
	}
	p = strchr(q, ';');
	while (p != NULL && *p == ';') {
		char pname[64], pval[256];
		size_t pn = 0;
		const char *ns;

		p++;
		while (is_wsp(*p))
			p++;
		ns = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		q = p;
		while (q > ns && is_wsp(q[-1]))
			q--;
		lower_copy(pname, sizeof(pname), ns, (size_t)(q - ns));
		if (*p != '=')
			continue;
		p++;
		while (is_wsp(*p))
			p++;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (pn < sizeof(pval) - 1)
					pval[pn++] = *p;
				p++;
			}
			if (*p == '"')
				p++;
			while (*p && *p != ';')
				p++;
		} else {
			const char *vs = p;

			while (*p && *p != ';')
				p++;
			q = p;
			while (q > vs && is_wsp(q[-1]))
				q--;
			pn = (size_t)(q - vs);
			if (pn > sizeof(pval) - 1)
				pn = sizeof(pval) - 1;
			memcpy(pval, vs, pn);
		}
		pval[pn] = '\0';
		if (strcmp(pname, "boundary") == 0)
			snprintf(ct->boundary, sizeof(ct->boundary), "%s", pval);
		else if (strcmp(pname, "charset") == 0)
			lower_copy(ct->charset, sizeof(ct->charset), pval, strlen(pval));
	}
}

struct entity_headers {
	struct ctype ct;
	bool have_ct, have_cte;
	struct mail_msg *top;	/* non-NULL for the top-level message */
};

static void keep_first(char **slot, const char *value)
{
	if (*slot == NULL)
		*slot = xstrdup(trim((char *)value));
}

static void entity_header(void *arg, const char *name, const char *value)
{
	struct entity_headers *h = arg;
	char *v = xstrdup(value), *t = trim(v);

	if (strcmp(name, "content-type") == 0 && !h->have_ct) {
		content_type_parse(&h->ct, t);
		h->have_ct = true;
	} else if (strcmp(name, "content-transfer-encoding") == 0 && !h->have_cte) {
		lower_copy(h->ct.cte, sizeof(h->ct.cte), t, strlen(t));
		h->have_cte = true;
	} else if (h->top != NULL) {
		if (strcmp(name, "from") == 0)
			keep_first(&h->top->from, t);
		else if (strcmp(name, "message-id") == 0)
			keep_first(&h->top->message_id, t);
		else if (strcmp(name, "date") == 0)
			keep_first(&h->top->date, t);
		else if (strcmp(name, "subject") == 0)
			keep_first(&h->top->subject, t);
	}
	free(v);
}

/* ---------------------------------------------------------------- structure */

static void entity_walk(struct walk *w, const char *p, const char *end, int depth, bool toplevel,
			struct mail_msg *top);

/* Is [p, e) a delimiter line for boundary b? 1 delimiter, 2 close
 * delimiter, 0 no. Trailing white space is allowed, as Python does. */
static int delimiter(const char *p, const char *e, const char *b, size_t bl)
{
	int kind = 1;

	if ((size_t)(e - p) < bl + 2 || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, bl) != 0)
		return 0;
	p += bl + 2;
	if (e - p >= 2 && p[0] == '-' && p[1] == '-') {
		kind = 2;
		p += 2;
	}
	while (p < e && is_wsp(*p))
		p++;
	return p == e ? kind : 0;
}

static void multipart_walk(struct walk *w, const struct ctype *ct, const char *p, const char *end,
			   int depth)
{
	const char *b = ct->boundary;
	size_t bl = strlen(b);
	const char *part = NULL;	/* start of the current part */
	const char *starts[2] = { NULL, NULL }, *ends[2] = { NULL, NULL };
	int nchild = 0;
	bool is_signed = strcmp(ct->type, "multipart/signed") == 0;
	bool closed = false;
	/* children are walked after the split, so that a multipart/signed
	 * knows its signature part before its first part is walked */
	const char **cs = NULL, **ce = NULL;
	size_t ncs = 0;

	while (p < end && !closed) {
		const char *next, *e = line_end(p, end, &next);
		int k = delimiter(p, e, b, bl);

		if (k != 0) {
			if (part != NULL) {
				/* the line break before the delimiter belongs to it */
				const char *pe = p;

				if (pe > part && pe[-1] == '\n')
					pe--;
				if (pe > part && pe[-1] == '\r')
					pe--;
				cs = xrealloc(cs, (ncs + 1) * sizeof(*cs));
				ce = xrealloc(ce, (ncs + 1) * sizeof(*ce));
				cs[ncs] = part;
				ce[ncs] = pe;
				ncs++;
			}
			part = next;
			if (k == 2)
				closed = true;
		}
		p = next;
	}
	if (!closed && part != NULL && part < end) {
		/* no close delimiter: the last part runs to the end (Python) */
		cs = xrealloc(cs, (ncs + 1) * sizeof(*cs));
		ce = xrealloc(ce, (ncs + 1) * sizeof(*ce));
		cs[ncs] = part;
		ce[ncs] = end;
		ncs++;
	}
	for (size_t i = 0; i < ncs && i < 2; i++) {
		starts[i] = cs[i];
		ends[i] = ce[i];
	}
	nchild = (int)ncs;
	for (size_t i = 0; i < ncs && w->refusal == NULL; i++) {
		const char *osd = w->sdata, *osde = w->sdata_end, *osg = w->sig, *osge = w->sig_end;
		struct ctype osct = w->sigct;

		if (is_signed && nchild >= 2) {
			if (i == 0) {
				/* the signature part's type decides whether this is PGP/MIME */
				struct entity_headers h;
				const char *sigbody;

				memset(&h, 0, sizeof(h));
				strcpy(h.ct.type, "text/plain");
				sigbody = headers_walk(starts[1], ends[1], false, entity_header, &h);
				if (strcmp(h.ct.type, "application/pgp-signature") == 0) {
					w->sdata = starts[0];
					w->sdata_end = ends[0];
					w->sig = sigbody;
					w->sig_end = ends[1];
					w->sigct = h.ct;
				} else
					w->sdata = w->sdata_end = w->sig = w->sig_end = NULL;
			} else
				w->sdata = w->sdata_end = w->sig = w->sig_end = NULL;
		}
		entity_walk(w, cs[i], ce[i], depth + 1, false, NULL);
		w->sdata = osd;
		w->sdata_end = osde;
		w->sig = osg;
		w->sig_end = osge;
		w->sigct = osct;
	}
	free(cs);
	free(ce);
}

static void entity_walk(struct walk *w, const char *p, const char *end, int depth, bool toplevel,
			struct mail_msg *top)
{
	struct entity_headers h;
	const char *body;

	if (w->refusal != NULL)
		return;
	if (depth > MAIL_MAX_DEPTH) {
		w->refusal = "its MIME structure is nested more than " "10" " levels deep";
		return;
	}
	if (++w->parts > MAIL_MAX_PARTS) {
		w->refusal = "it has more than " "100" " MIME parts";
		return;
	}
	memset(&h, 0, sizeof(h));
	strcpy(h.ct.type, "text/plain");
	h.top = top;
	body = headers_walk(p, end, toplevel, entity_header, &h);
	if (strncmp(h.ct.type, "multipart/", 10) == 0) {
		if (h.ct.boundary[0] == '\0') {
			w->refusal = "it has a multipart part without a boundary";
			return;
		}
		multipart_walk(w, &h.ct, body, end, depth);
		return;
	}
	if (strcmp(h.ct.type, "message/rfc822") == 0) {
		/* Python walks into attached messages too */
		entity_walk(w, body, end, depth + 1, false, NULL);
		return;
	}
	if (toplevel || strcmp(h.ct.type, "text/plain") == 0) {
		w->have_text = true;
		w->text.body = body;
		w->text.end = end;
		w->text.ct = h.ct;
		w->text.toplevel = toplevel;
		w->text.sdata = w->sdata;
		w->text.sdata_end = w->sdata_end;
		w->text.sig = w->sig;
		w->text.sig_end = w->sig_end;
		w->text.sigct = w->sigct;
	}
}

/* ---------------------------------------------------------------- transfer encodings */

/* Base64 as mail clients write it: white space anywhere, padding optional. */
static int base64_body(const char *p, const char *end, char **out, size_t *outlen)
{
	char *o = xmalloc((size_t)(end - p) / 4 * 3 + 3);
	ssize_t n = base64_decode(p, (size_t)(end - p), (unsigned char *)o, BASE64_PAD_OPTIONAL);

	if (n < 0) {
		free(o);
		return -1;
	}
	o[n] = '\0';
	*out = o;
	*outlen = (size_t)n;
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lenient quoted-printable, as Python: "=\n" joins lines, "=XY" is a
 * byte, any other "=" stays. */
static void qp_decode(const char *p, const char *end, char **out, size_t *outlen)
{
	char *o = xmalloc((size_t)(end - p) + 1);
	size_t n = 0;

	while (p < end) {
		if (*p == '=') {
			if (end - p >= 3 && hexval((unsigned char)p[1]) >= 0 && hexval((unsigned char)p[2]) >= 0) {
				o[n++] = (char)(hexval((unsigned char)p[1]) * 16 + hexval((unsigned char)p[2]));
				p += 3;
				continue;
			}
			/* soft line break, trailing white space allowed */
			{
				const char *q = p + 1;

				while (q < end && is_wsp(*q))
					q++;
				if (q < end && *q == '\r')
					q++;
				if (q < end && *q == '\n') {
					p = q + 1;
					continue;
				}
				if (q == end) {
					p = q;
					continue;
				}
			}
		}
		o[n++] = *p++;
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
}

/* Decode per Content-Transfer-Encoding; -1 for broken base64. */
static int transfer_decode(const struct ctype *ct, const char *p, const char *end, char **out,
			   size_t *outlen)
{
	if (strcmp(ct->cte, "base64") == 0)
		return base64_body(p, end, out, outlen);
	if (strcmp(ct->cte, "quoted-printable") == 0) {
		qp_decode(p, end, out, outlen);
		return 0;
	}
	*outlen = (size_t)(end - p);
	*out = xmalloc(*outlen + 1);
	memcpy(*out, p, *outlen);
	(*out)[*outlen] = '\0';
	return 0;
}

/* ---------------------------------------------------------------- charsets */

static void bad_byte(struct mail_buf *b, unsigned char c, bool backslash)
{
	if (backslash)
		mail_buf_printf(b, "\\x%02x", c);
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t need;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

static bool charset_is(const char *cs, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(cs, names[i]) == 0)
			return true;
	return false;
}

/*
 * Convert n bytes in charset cs to UTF-8. Undecodable bytes are dropped
 * (backslash false) or written as \xNN (true), as Python's "ignore" and
 * "backslashreplace". -1 if the charset is unknown.
 */
static int to_utf8(const char *cs, const char *in, size_t n, bool backslash, struct mail_buf *out)
{
	static const char *const ascii[] = { "us-ascii", "ascii", "646", "ansi_x3.4-1968", "us", NULL };
	static const char *const utf8[] = { "utf-8", "utf8", "utf_8", "u8", "utf", NULL };
	const unsigned char *p = (const unsigned char *)in;
	iconv_t cd;
	char name[80];

	if (cs[0] == '\0' || charset_is(cs, ascii)) {
		for (size_t i = 0; i < n; i++) {
			if (p[i] < 0x80)
				mail_buf_add(out, (const char *)p + i, 1);
			else
				bad_byte(out, p[i], backslash);
		}
		return 0;
	}
	if (charset_is(cs, utf8)) {
		for (size_t i = 0; i < n;) {
			size_t k = utf8_seq(p + i, n - i);

			if (k == 0) {
				bad_byte(out, p[i], backslash);
				i++;
			} else {
				mail_buf_add(out, (const char *)p + i, k);
				i += k;
			}
		}
		return 0;
	}
	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1) {
		/* "latin-1", "iso_8859_1": glibc knows LATIN1, ISO88591 */
		size_t o = 0;

		for (const char *q = cs; *q && o < sizeof(name) - 1; q++)
			if (*q != '-' && *q != '_')
				name[o++] = (char)toupper((unsigned char)*q);
		name[o] = '\0';
		cd = iconv_open("UTF-8", name);
		if (cd == (iconv_t)-1)
			return -1;
	}
	{
		char *ip = (char *)in;
		size_t il = n;
		char obuf[4096];

		while (il > 0) {
			char *op = obuf;
			size_t ol = sizeof(obuf);
			size_t r = iconv(cd, &ip, &il, &op, &ol);

			mail_buf_add(out, obuf, (size_t)(op - obuf));
			if (r == (size_t)-1) {
				if (errno == E2BIG)
					continue;
				/* EILSEQ or EINVAL (truncated at the end): skip a byte */
				bad_byte(out, (unsigned char)*ip, backslash);
				ip++;
				il--;
				iconv(cd, NULL, NULL, NULL, NULL);
			}
		}
		{
			char *op = obuf;
			size_t ol = sizeof(obuf);

			iconv(cd, NULL, NULL, &op, &ol);
			mail_buf_add(out, obuf, (size_t)(op - obuf));
		}
	}
	iconv_close(cd);
	return 0;
}

/* ---------------------------------------------------------------- addresses */

static bool addr_char(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.@-", c) != NULL;
}

char *mail_addr_extract(const char *value)
{
	const char *s = NULL, *e = NULL;
	const char *lt, *gt;
	size_t n, at = 0;

	if (value == NULL)
		return NULL;
	lt = strrchr(value, '<');
	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		s = lt + 1;
		e = gt;
		while (s < e && is_wsp(*s))
			s++;
		while (e > s && is_wsp(e[-1]))
			e--;
	} else {
		const char *p = value;

		while (*p) {
			const char *q;

			while (*p && (is_wsp(*p) || *p == ',' || *p == ';'))
				p++;
			q = p;
			while (*q && !is_wsp(*q) && *q != ',' && *q != ';')
				q++;
			if (memchr(p, '@', (size_t)(q - p)) != NULL) {
				s = p;
				e = q;
				break;
			}
			p = q;
		}
	}
	if (s == NULL || e <= s)
		return NULL;
	n = (size_t)(e - s);
	if (n < 3 || n > 254)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!addr_char((unsigned char)s[i]))
			return NULL;
		if (s[i] == '@') {
			if (at != 0)
				return NULL;
			at = i;
		}
	}
	if (at == 0 || at == n - 1)
		return NULL;
	return xstrndup(s, n);
}

/* ---------------------------------------------------------------- the message */

static void refuse(struct mail_msg *m, const char *why)
{
	if (m->refusal == NULL)
		m->refusal = why;
}

struct mail_msg *mail_parse(const char *buf, size_t len)
{
	struct mail_msg *m = xcalloc(1, sizeof(*m));
	struct walk w;
	char *dec = NULL;
	size_t declen = 0;

	if (len > MAIL_MAX_SIZE) {
		m->refusal_buf = xasprintf("it is larger than %u bytes", MAIL_MAX_SIZE);
		m->refusal = m->refusal_buf;
		/* still read the headers, to know whom to tell */
		len = MAIL_MAX_SIZE;
	}
	memset(&w, 0, sizeof(w));
	w.buf = buf;
	w.len = len;
	if (m->refusal != NULL || memchr(buf, '\0', len) != NULL) {
		struct entity_headers h;

		memset(&h, 0, sizeof(h));
		h.top = m;
		(void)headers_walk(buf, buf + len, true, entity_header, &h);
		refuse(m, "it contains NUL bytes");
		goto out;
	}
	entity_walk(&w, buf, buf + len, 0, true, m);
	if (w.refusal != NULL) {
		refuse(m, w.refusal);
		goto out;
	}
	if (!w.have_text)
		goto out;
	if (transfer_decode(&w.text.ct, w.text.body, w.text.end, &dec, &declen) < 0) {
		refuse(m, "its text part is not valid base64");
		goto out;
	}
	{
		struct mail_buf b = { 0 };

		if (to_utf8(w.text.ct.charset, dec, declen, w.text.toplevel, &b) < 0) {
			m->refusal_buf = xasprintf("its charset \"%s\" is unknown", w.text.ct.charset);
			m->refusal = m->refusal_buf;
			free(b.s);
			goto out;
		}
		m->body_len = b.len;
		m->body = mail_buf_take(&b);
		if (memchr(m->body, '\0', m->body_len) != NULL) {
			refuse(m, "its text contains NUL characters");
			free(m->body);
			m->body = NULL;
			m->body_len = 0;
			goto out;
		}
	}
	if (w.text.sdata != NULL) {
		char *sig = NULL;
		size_t siglen = 0;

		if (transfer_decode(&w.text.sigct, w.text.sig, w.text.sig_end, &sig, &siglen) == 0) {
			m->signature = sig;
			m->signature_len = siglen;
			m->signed_len = (size_t)(w.text.sdata_end - w.text.sdata);
			m->signed_data = xstrndup(w.text.sdata, m->signed_len);
		}
	}
out:
	free(dec);
	m->from_addr = mail_addr_extract(m->from);
	return m;
}

void mail_msg_free(struct mail_msg *m)
{
	if (m == NULL)
		return;
	free(m->from);
	free(m->from_addr);
	free(m->message_id);
	free(m->date);
	free(m->subject);
	free(m->refusal_buf);
	free(m->body);
	free(m->signed_data);
	free(m->signature);
	free(m);
}
