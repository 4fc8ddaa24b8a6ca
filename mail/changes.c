/*
 * changes.c - a message body into change requests, as IRRd's
 * parse_change_requests: carriage returns removed, paragraphs separated by
 * "\n\n" (a line of spaces does not separate), each paragraph stripped,
 * and the meta lines taken out: password:, override: and api-key: collect
 * for the whole message, delete: (the last one) marks its own object,
 * suspension: asks for a suspension. Meta names are matched at the start
 * of a line, case-sensitively, as IRRd does.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "rpsl/log.h"

/* Python's str.strip() white space in ASCII (the C0 separators included). */
static bool py_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static void strip(const char **s, size_t *n)
{
	while (*n > 0 && py_space((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && py_space((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static char *strip_dup(const char *s, size_t n)
{
	strip(&s, &n);
	return xstrndup(s, n);
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static bool starts(const char *s, size_t n, const char *prefix, size_t *plen)
{
	size_t l = strlen(prefix);

	if (n < l || memcmp(s, prefix, l) != 0)
		return false;
	*plen = l;
	return true;
}

static void paragraph(struct mail_changes *ch, const char *p, size_t n)
{
	struct mail_buf text = { 0 };
	char *delete_reason = NULL, *suspension = NULL;
	const char *e;

	strip(&p, &n);
	if (n == 0)
		return;
	e = p + n;
	/* splitline_unicodesafe: the stripped text split on "\n" */
	while (p <= e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		size_t ln = (size_t)(le - p), k;

		if (starts(p, ln, "password:", &k))
			push(&ch->passwords, &ch->npasswords, strip_dup(p + k, ln - k));
		else if (starts(p, ln, "override:", &k))
			push(&ch->overrides, &ch->noverrides, strip_dup(p + k, ln - k));
		else if (starts(p, ln, "api-key:", &k))
			push(&ch->api_keys, &ch->napi_keys, strip_dup(p + k, ln - k));
		else if (starts(p, ln, "delete:", &k)) {
			free(delete_reason);
			delete_reason = strip_dup(p + k, ln - k);
		} else if (starts(p, ln, "suspension:", &k)) {
			free(suspension);
			suspension = strip_dup(p + k, ln - k);
		} else {
			mail_buf_add(&text, p, ln);
			mail_buf_add(&text, "\n", 1);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (text.len == 0) {
		free(text.s);
		free(delete_reason);
		free(suspension);
		return;
	}
	ch->reqs = xrealloc(ch->reqs, (ch->nreqs + 1) * sizeof(*ch->reqs));
	ch->reqs[ch->nreqs].text = mail_buf_take(&text);
	ch->reqs[ch->nreqs].delete_reason = delete_reason;
	ch->reqs[ch->nreqs].is_delete = delete_reason != NULL && delete_reason[0] != '\0';
	/* an empty suspension: value is no suspension request */
	if (suspension != NULL && suspension[0] == '\0') {
		free(suspension);
		suspension = NULL;
	}
	ch->reqs[ch->nreqs].suspension = suspension;
	ch->nreqs++;
}

struct mail_changes *mail_changes_parse(const char *text, size_t len)
{
	struct mail_changes *ch = xcalloc(1, sizeof(*ch));
	char *t = xmalloc(len + 1);
	size_t n = 0;
	const char *p, *e;

	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			t[n++] = text[i];
	t[n] = '\0';
	p = t;
	e = t + n;
	while (p <= e) {
		const char *sep = NULL;

		for (const char *q = p; q + 1 < e; q++) {
			q = memchr(q, '\n', (size_t)(e - q - 1));
			if (q == NULL)
				break;
			if (q[1] == '\n') {
				sep = q;
				break;
			}
		}
		if (sep == NULL) {
			paragraph(ch, p, (size_t)(e - p));
			break;
		}
		paragraph(ch, p, (size_t)(sep - p));
		p = sep + 2;
	}
	free(t);
	return ch;
}

void mail_changes_free(struct mail_changes *ch)
{
	if (ch == NULL)
		return;
	for (size_t i = 0; i < ch->nreqs; i++) {
		free(ch->reqs[i].text);
		free(ch->reqs[i].delete_reason);
		free(ch->reqs[i].suspension);
	}
	free(ch->reqs);
	for (size_t i = 0; i < ch->npasswords; i++)
		free(ch->passwords[i]);
	free(ch->passwords);
	for (size_t i = 0; i < ch->noverrides; i++)
		free(ch->overrides[i]);
	free(ch->overrides);
	for (size_t i = 0; i < ch->napi_keys; i++)
		free(ch->api_keys[i]);
	free(ch->api_keys);
	free(ch);
}
