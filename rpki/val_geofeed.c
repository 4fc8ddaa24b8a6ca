/*
 * val_geofeed.c - RPKI-signed geofeed files (RFC 9632): an RFC 8805 CSV
 * whose last lines carry a detached CMS signature ("# RPKI Signature:",
 * base64 comment lines, "# End Signature:") over the text before them,
 * with CRLF line ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_GEOFEED (16u << 20)
#define MAX_GEOFEED_PREFIXES 1000000

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

struct val_geofeed *val_geofeed_parse(const char *buf, size_t len, const char *fn)
{
	struct val_geofeed *g = xcalloc(1, sizeof(*g));
	struct sbuf text = { 0 }, b64 = { 0 };
	const char *p = buf, *end = buf + len;
	int state = 0;		/* 0 data, 1 signature, 2 after it */
	size_t cap = 0, derlen;
	uint8_t *der = NULL;

	if (len > MAX_GEOFEED || memchr(buf, '\0', len) != NULL) {
		val_warnx("%s: RFC 9632: not a geofeed file (binary or over %u bytes)", fn, MAX_GEOFEED);
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n;
		if (le > p && le[-1] == '\r')
			le--;
		n = (size_t)(le - p);
		if (state == 0 && n >= 17 && strncmp(p, "# RPKI Signature:", 17) == 0) {
			state = 1;
		} else if (state == 0) {
			sbuf_add(&text, p, n);
			sbuf_add(&text, "\r\n", 2);
			if (n > 0 && p[0] != '#') {
				size_t k = 0;
				struct ip_prefix *pf;
				while (k < n && p[k] != ',')
					k++;
				while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
					k--;
				if (g->nprefixes == MAX_GEOFEED_PREFIXES) {
					val_warnx("%s: RFC 8805: more than %d prefixes", fn, MAX_GEOFEED_PREFIXES);
					goto fail;
				}
				if (g->nprefixes == cap) {
					cap = cap ? cap * 2 : 64;
					g->prefixes = xrealloc(g->prefixes, cap * sizeof(*g->prefixes));
				}
				pf = &g->prefixes[g->nprefixes];
				if (ip_prefix_parse(p, k, pf, true) < 0) {
					val_warnx("%s: RFC 8805 section 2.1.1: invalid prefix %.*s", fn, (int)(k > 60 ? 60 : k),
						  p);
					goto fail;
				}
				g->nprefixes++;
			}
		} else if (state == 1) {
			if (n >= 16 && strncmp(p, "# End Signature:", 16) == 0) {
				state = 2;
			} else if (n >= 2 && p[0] == '#' && p[1] == ' ') {
				sbuf_add(&b64, p + 2, n - 2);
			} else {
				val_warnx("%s: RFC 9632 section 5: malformed signature block", fn);
				goto fail;
			}
		} else if (n > 0) {
			val_warnx("%s: RFC 9632 section 5: text after the signature block", fn);
			goto fail;
		}
		p = nl ? nl + 1 : end;
	}
	if (state != 2 || b64.len == 0) {
		val_warnx("%s: RFC 9632 section 5: %s", fn, state == 0 ? "no RPKI signature" : "unterminated signature");
		goto fail;
	}
	if ((der = val_base64_decode(b64.p, b64.len, &derlen)) == NULL) {
		val_warnx("%s: RFC 9632 section 5: signature: bad base64", fn);
		goto fail;
	}
	g->signed_text = (uint8_t *)text.p;
	text.p = NULL;
	if (val_cms_parse_detached(der, derlen, fn, OID_CT_GEOFEED, sizeof(OID_CT_GEOFEED) - 1, g->signed_text,
				   text.len, &g->so) < 0)
		goto fail;
	if (!g->so.ee->res.ip_ext || val_res_inherits(&g->so.ee->res)) {
		val_warnx("%s: RFC 9632 section 5: EE certificate needs explicit IP resources", fn);
		goto fail;
	}
	free(der);
	free(b64.p);
	return g;
fail:
	free(der);
	free(text.p);
	free(b64.p);
	val_geofeed_free(g);
	return NULL;
}

void val_geofeed_free(struct val_geofeed *g)
{
	if (g == NULL)
		return;
	val_signed_clear(&g->so);
	free(g->prefixes);
	free(g->signed_text);
	free(g);
}

int val_geofeed_check_ee(const struct val_geofeed *g, const char *fn)
{
	struct val_rset ee;
	uint8_t min[16], max[16];
	char b[IP_PREFIX_STRLEN];

	val_res_as_rset(&g->so.ee->res, &ee);
	for (size_t i = 0; i < g->nprefixes; i++) {
		val_prefix_range(&g->prefixes[i], min, max);
		if (!val_rset_covers_ip(&ee, g->prefixes[i].family, min, max)) {
			val_warnx("%s: RFC 9632 section 5: uncovered IP: %s", fn,
				  ip_prefix_format(&g->prefixes[i], b, sizeof(b)));
			return -1;
		}
	}
	return 0;
}
