/*
 * stream.c - the NRTM response parser (nrtm_stream_parse in nrtm.h).
 *
 * The response is split into paragraphs as IRRd's split_paragraphs_rpsl
 * does: lines lose their "\r\n", lines starting with '#' vanish, a
 * paragraph ends at an empty line. Then, as IRRd's NRTMStreamParser:
 * a START paragraph sets version, source and range; '%' paragraphs are
 * comments (the last one must be "%END SOURCE"); an "ADD"/"DEL" paragraph
 * takes the next paragraph as its object. Stricter than IRRd: a server
 * error, an operation line that is not exactly "ADD|DEL[ SERIAL]", an
 * operation without object, operations after %END and stray paragraphs
 * are errors too, so that nothing of a damaged response is applied.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nrtm/nrtm.h"
#include "rpsl/log.h"

struct para {
	char *p;		/* lines joined with "\n", ending in "\n", NUL-terminated */
	size_t len;
	unsigned long line;
	int nlines;
};

struct split {
	struct para *v;
	size_t n, cap;
};

/* Split buf (modified in place is not possible: we build into out, which
 * holds every kept line followed by '\n', paragraphs NUL-separated). */
static void split_paragraphs(const char *buf, size_t len, char *out, struct split *sp)
{
	size_t pos = 0, o = 0;
	unsigned long lineno = 0;
	struct para *cur = NULL;

	while (pos < len) {
		const char *l = buf + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;

		pos += ll + (nl ? 1 : 0);
		lineno++;
		/* strip("\r\n") */
		while (ll > 0 && (l[ll - 1] == '\r' || l[ll - 1] == '\n'))
			ll--;
		while (ll > 0 && (l[0] == '\r')) {
			l++;
			ll--;
		}
		if (ll > 0 && l[0] == '#')
			continue;
		if (ll == 0) {
			if (cur != NULL) {
				out[o++] = '\0';
				cur = NULL;
			}
			continue;
		}
		if (cur == NULL) {
			if (sp->n == sp->cap) {
				sp->cap = sp->cap ? sp->cap * 2 : 64;
				sp->v = xrealloc(sp->v, sp->cap * sizeof(*sp->v));
			}
			cur = &sp->v[sp->n++];
			cur->p = out + o;
			cur->len = 0;
			cur->line = lineno;
			cur->nlines = 0;
		}
		memcpy(out + o, l, ll);
		o += ll;
		out[o++] = '\n';
		cur->len += ll + 1;
		cur->nlines++;
	}
	if (cur != NULL)
		out[o++] = '\0';
}

/* A run of digits as a serial; false if empty, not digits or too long. */
static bool parse_serial(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool is_word(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch >= 0x80;
}

/*
 * IRRd's nrtm_start_line_re on a one-line paragraph:
 * "% *START *Version: *(\d+) +([\w-]+) +(\d+)-(\d+)( FILTERED)?"
 */
static bool match_start(const struct para *pa, char **version, char **source, int64_t *first,
			int64_t *last, bool *filtered)
{
	const char *p = pa->p, *end = pa->p + pa->len - 1;	/* without the final '\n' */
	const char *v, *s, *f, *l;

	if (pa->nlines != 1 || p >= end || *p++ != '%')
		return false;
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) < 5 || strncmp(p, "START", 5) != 0)
		return false;
	p += 5;
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) < 8 || strncmp(p, "Version:", 8) != 0)
		return false;
	p += 8;
	while (p < end && *p == ' ')
		p++;
	for (v = p; p < end && isdigit((unsigned char)*p); p++)
		;
	if (p == v || p >= end || *p != ' ')
		return false;
	while (p < end && *p == ' ')
		p++;
	for (s = p; p < end && is_word((unsigned char)*p); p++)
		;
	if (p == s || p >= end || *p != ' ')
		return false;
	*source = xstrndup(s, (size_t)(p - s));
	while (p < end && *p == ' ')
		p++;
	for (f = p; p < end && isdigit((unsigned char)*p); p++)
		;
	if (p == f || p >= end || *p != '-' || !parse_serial(f, (size_t)(p - f), first))
		goto no;
	p++;
	for (l = p; p < end && isdigit((unsigned char)*p); p++)
		;
	if (p == l || !parse_serial(l, (size_t)(p - l), last))
		goto no;
	*filtered = false;
	if (p < end) {
		if ((size_t)(end - p) != 9 || strncmp(p, " FILTERED", 9) != 0)
			goto no;
		*filtered = true;
	}
	*version = xstrndup(v, (size_t)(strspn(v, "0123456789")));
	return true;
no:
	free(*source);
	*source = NULL;
	return false;
}

/* A paragraph as one line for messages: without the final '\n'. */
static char *para_text(const struct para *pa)
{
	return xstrndup(pa->p, pa->len > 0 ? pa->len - 1 : 0);
}

static char *upper_trimmed(const struct para *pa)
{
	char *s = para_text(pa);
	size_t n = strlen(s), i = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
	for (char *q = s; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	return s;
}

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(s, prefix, k) == 0;
}

void nrtm_stream_free(struct nrtm_stream *s)
{
	if (s == NULL)
		return;
	free(s->source);
	free(s->ops);
	free(s->warning);
	free(s->buf);
	free(s);
}

struct nrtm_stream *nrtm_stream_parse(const char *buf, size_t len, const char *source, char **err)
{
	struct nrtm_stream *s = xcalloc(1, sizeof(*s));
	struct split sp = { 0 };
	size_t capops = 0, i;
	int64_t cur = -1;
	char *last_comment = NULL, *version = NULL;
	bool ended = false, started = false;

	*err = NULL;
	{
		const char *nul = memchr(buf, '\0', len);

		if (nul != NULL) {
			unsigned long line = 1;

			for (const char *p = buf; p < nul; p++)
				line += *p == '\n';
			*err = xasprintf("NRTM stream error for %s: NUL byte at line %lu", source, line);
			nrtm_stream_free(s);
			return NULL;
		}
	}
	s->buf = xmalloc(len + 2);
	split_paragraphs(buf, len, s->buf, &sp);

	if (sp.n == 0) {
		*err = xasprintf("NRTM stream error for %s: empty response", source);
		goto fail;
	}
	for (i = 0; i < sp.n; i++) {
		struct para *pa = &sp.v[i];
		char *src = NULL, *ver = NULL;
		int64_t first, last;
		bool filtered;

		if (match_start(pa, &ver, &src, &first, &last, &filtered)) {
			char *line = para_text(pa);

			if (started) {
				*err = xasprintf("Encountered second START line in NRTM stream, first was %s "
						 "%" PRId64 "-%" PRId64 ", new line is: %s",
						 source, s->first, s->last, line);
				free(line);
				free(ver);
				free(src);
				goto fail;
			}
			for (char *q = src; *q; q++)
				*q = (char)toupper((unsigned char)*q);
			started = true;
			s->source = src;
			s->first = first;
			s->last = last;
			s->filtered = filtered;
			version = ver;
			if (strcmp(source, src) != 0) {
				*err = xasprintf("Invalid NRTM source in START line: expected %s but found %s "
						 "in line: %s", source, src, line);
				free(line);
				goto fail;
			}
			if (strcmp(ver, "1") != 0 && strcmp(ver, "3") != 0) {
				*err = xasprintf("Invalid NRTM version %s in START line: %s", ver, line);
				free(line);
				goto fail;
			}
			s->version = ver[0] - '0';
			if (last < first) {
				*err = xasprintf("NRTM stream error for %s: serial range %" PRId64 "-%" PRId64
						 " goes backwards in START line: %s", source, first, last, line);
				free(line);
				goto fail;
			}
			free(line);
			continue;
		}
		if (pa->p[0] == '%') {
			/* server errors: RIPE "%ERROR:401: ...", IRRd "%% ERROR: ..." */
			const char *t = pa->p + 1;

			while (*t == '%' || *t == ' ')
				t++;
			if (!started && starts_ci(t, strlen(t), "START")) {
				char *line = para_text(pa);

				*err = xasprintf("NRTM stream error for %s: malformed START line: %s", source, line);
				free(line);
				goto fail;
			}
			if (starts_ci(t, strlen(t), "ERROR")) {
				char *line = para_text(pa);

				*err = xasprintf("NRTM server error for %s: %s", source, line);
				free(line);
				goto fail;
			}
			if (!started && (starts_ci(pa->p, pa->len, "% Warning") ||
					 starts_ci(pa->p, pa->len, "%Warning"))) {
				free(s->warning);
				s->warning = para_text(pa);
			}
			free(last_comment);
			last_comment = upper_trimmed(pa);
			if (started) {
				char *want = xasprintf("%%END %s", source);

				if (strcmp(last_comment, want) == 0)
					ended = true;
				free(want);
			}
			continue;
		}
		if ((pa->len >= 4 && (strncmp(pa->p, "ADD", 3) == 0 || strncmp(pa->p, "DEL", 3) == 0)) &&
		    (pa->p[3] == '\n' || pa->p[3] == ' ')) {
			struct nrtm_op *op;
			int64_t ls = -1;
			char *line = para_text(pa);

			if (!started) {
				*err = xasprintf("Encountered operation before valid NRTM START line, "
						 "paragraph encountered: %s", line);
				free(line);
				goto fail;
			}
			if (ended) {
				*err = xasprintf("NRTM stream error for %s: operation after %%END %s: %s",
						 source, source, line);
				free(line);
				goto fail;
			}
			if (pa->nlines != 1 ||
			    (pa->p[3] == ' ' && !parse_serial(pa->p + 4, pa->len - 5, &ls))) {
				*err = xasprintf("NRTM stream error for %s: malformed operation line %lu: %s",
						 source, pa->line, line);
				free(line);
				goto fail;
			}
			cur = cur < 0 ? s->first : cur + 1;
			if (ls >= 0) {
				if (ls < cur) {
					*err = xasprintf("Invalid NRTM serial for %s: ADD/DEL has serial %" PRId64
							 ", expected at least %" PRId64, source, ls, cur);
					free(line);
					goto fail;
				}
				cur = ls;
			} else if (s->version == 3) {
				*err = xasprintf("NRTM stream error for %s: operation without serial in "
						 "version 3 at line %lu: %s", source, pa->line, line);
				free(line);
				goto fail;
			}
			free(line);
			if (i + 1 >= sp.n || sp.v[i + 1].p[0] == '%') {
				*err = xasprintf("NRTM stream error for %s: operation %s %" PRId64
						 " at line %lu has no object (truncated response?)",
						 source, pa->p[0] == 'A' ? "ADD" : "DEL", cur, pa->line);
				goto fail;
			}
			if (s->nops == capops) {
				capops = capops ? capops * 2 : 64;
				s->ops = xrealloc(s->ops, capops * sizeof(*s->ops));
			}
			op = &s->ops[s->nops++];
			op->add = pa->p[0] == 'A';
			op->serial = cur;
			i++;
			op->text = sp.v[i].p;
			op->len = sp.v[i].len;
			op->line = sp.v[i].line;
			continue;
		}
		{
			char *line = para_text(pa);
			char *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			*err = xasprintf("NRTM stream error for %s: unexpected paragraph at line %lu: %s",
					 source, pa->line, line);
			free(line);
			goto fail;
		}
	}
	if (!started && s->warning == NULL) {
		*err = xasprintf("NRTM stream error for %s: no %%START line and no warning in the response",
				 source);
		goto fail;
	}
	if (started && !ended) {
		*err = xasprintf("NRTM stream error for %s: last comment paragraph expected to be "
				 "\"%%END %s\", but is actually \"%s\" - could be caused by TCP disconnection "
				 "during NRTM query or mirror server returning an error or an otherwise "
				 "incomplete or invalid response", source, source, last_comment ? last_comment : "");
		goto fail;
	}
	if (started && s->version != 3 && cur > s->last) {
		*err = xasprintf("NRTM stream error for %s: expected operations up to and including serial "
				 "%" PRId64 ", last operation was %" PRId64, source, s->last, cur);
		goto fail;
	}
	free(sp.v);
	free(last_comment);
	free(version);
	return s;
fail:
	free(sp.v);
	free(last_comment);
	free(version);
	nrtm_stream_free(s);
	return NULL;
}

/* ---- text helpers ---- */

/* Could text contain a hasher keyword? They all end in "-PW". */
static bool maybe_hash(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p + 3 <= end && (p = memchr(p, '-', (size_t)(end - p) - 2)) != NULL) {
		if ((p[1] == 'P' || p[1] == 'p') && (p[2] == 'W' || p[2] == 'w'))
			return true;
		p++;
	}
	return false;
}

bool nrtm_has_auth_hashes(const char *text, size_t len)
{
	return maybe_hash(text, len);
}

char *nrtm_remove_auth_hashes(const char *text, size_t len, size_t *outlen)
{
	if (!maybe_hash(text, len)) {
		char *out = xmalloc(len + 1);

		memcpy(out, text, len);
		out[len] = '\0';
		if (outlen)
			*outlen = len;
		return out;
	}
	{
	static const char *const hashers[] = { "CRYPT-PW", "MD5-PW", "BCRYPT-PW" };
	static const char repl[] = " DummyValue  # Filtered for security";
	char *out = xmalloc(len + 1), *o = out;
	size_t cap = len + 1, pos = 0;

	while (pos < len) {
		size_t k = 0, hl = 0;
		char first = (char)(text[pos] | 0x20);

		/* the leftmost match; at one position the first alternative wins
		 * (most positions cannot start one: skip the compares there) */
		for (k = first == 'c' || first == 'm' || first == 'b' ? 0 : 3; k < 3; k++) {
			hl = strlen(hashers[k]);
			if (len - pos > hl && strncasecmp(text + pos, hashers[k], hl) == 0 &&
			    text[pos + hl] != '\n')
				break;
		}
		if (k == 3) {
			if ((size_t)(o - out) + 1 >= cap) {
				size_t off = (size_t)(o - out);

				cap *= 2;
				out = xrealloc(out, cap);
				o = out + off;
			}
			*o++ = text[pos++];
			continue;
		}
		{
			size_t need = hl + sizeof(repl), off = (size_t)(o - out);

			if (off + need + 1 >= cap) {
				cap = (off + need + 1) * 2 + (len - pos);
				out = xrealloc(out, cap);
				o = out + off;
			}
			memcpy(o, text + pos, hl);
			o += hl;
			memcpy(o, repl, sizeof(repl) - 1);
			o += sizeof(repl) - 1;
			pos += hl;
			while (pos < len && text[pos] != '\n')
				pos++;
		}
	}
	*o = '\0';
	if (outlen)
		*outlen = (size_t)(o - out);
	return out;
	}
}
