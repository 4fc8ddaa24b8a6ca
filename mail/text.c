/*
 * text.c - string building and the text rules of IRRd's reports
 * (remove_auth_hashes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"
#include "rpsl/log.h"

void mail_buf_add(struct mail_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void mail_buf_puts(struct mail_buf *b, const char *s)
{
	mail_buf_add(b, s, strlen(s));
}

void mail_buf_printf(struct mail_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("out of memory");
	mail_buf_add(b, s, (size_t)n);
	free(s);
}

char *mail_buf_take(struct mail_buf *b)
{
	char *s = b->s;

	if (s == NULL)
		s = xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* The hash scheme names, in the order of IRRd's alternation (it decides
 * which one matches at a position: BCRYPT-PW there, not CRYPT-PW). */
static const char *const hash_schemes[] = { "CRYPT-PW", "MD5-PW", "BCRYPT-PW" };

char *mail_remove_auth_hashes(const char *text)
{
	struct mail_buf b = { 0 };
	const char *p = text;

	if (text == NULL)
		return NULL;
	while (*p) {
		size_t matched = 0;

		for (size_t k = 0; k < 3 && matched == 0; k++) {
			size_t n = strlen(hash_schemes[k]);

			/* the regex needs at least one more character on the line */
			if (strncasecmp(p, hash_schemes[k], n) == 0 && p[n] != '\0' && p[n] != '\n')
				matched = n;
		}
		if (matched == 0) {
			mail_buf_add(&b, p, 1);
			p++;
			continue;
		}
		mail_buf_add(&b, p, matched);
		mail_buf_puts(&b, " DummyValue  # Filtered for security");
		p += matched;
		while (*p && *p != '\n')
			p++;
	}
	return mail_buf_take(&b);
}
