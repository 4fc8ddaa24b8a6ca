/*
 * smtp.c - outgoing mail: composing a text/plain message (as Python's
 * MIMEText does for IRRd: us-ascii 7bit when it can, UTF-8 otherwise,
 * here quoted-printable) and handing it to the SMTP server with libesmtp.
 */
#include <stddef.h>
#include <stdio.h>

#include <libesmtp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail.h"
#include "rpsl/log.h"

#define SMTP_TIMEOUT_MS 30000L

/* ---------------------------------------------------------------- composing */

static bool needs_qp(const char *body)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if (*p >= 0x80 || (*p < 0x20 && *p != '\t') || *p == 0x7f)
			return true;
		if (++col > 998)
			return true;
	}
	return false;
}

static bool ascii_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Quoted-printable (RFC 2045 section 6.7) with CRLF line ends. */
static void qp_encode(struct mail_buf *b, const char *body)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)body;
	size_t col = 0;

	for (; *p; p++) {
		char enc[4];
		size_t n;

		if (*p == '\n') {
			mail_buf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && p[1] != '\n' && p[1] != '\0')) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		if (col + n > 75) {
			mail_buf_add(b, "=\r\n", 3);
			col = 0;
		}
		mail_buf_add(b, enc, n);
		col += n;
	}
}

static void base64_encode(struct mail_buf *b, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char o[4] = { tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
			      i + 2 < n ? tab[v & 63] : '=' };

		mail_buf_add(b, o, 4);
	}
}

/* A header value: as is when it is short printable ASCII, otherwise RFC
 * 2047 encoded words of at most 45 bytes of UTF-8 each, folded. */
static void header_value(struct mail_buf *b, const char *v)
{
	size_t n = strlen(v);

	if (ascii_printable(v) && n < 900) {
		mail_buf_add(b, v, n);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t k = n - i < 45 ? n - i : 45;

		/* do not split a UTF-8 sequence */
		while (k < n - i && k > 1 && ((unsigned char)v[i + k] & 0xc0) == 0x80)
			k--;
		if (i > 0)
			mail_buf_add(b, "\r\n ", 3);
		mail_buf_puts(b, "=?utf-8?b?");
		base64_encode(b, (const unsigned char *)v + i, k);
		mail_buf_puts(b, "?=");
		i += k;
	}
}

/* CR and LF would end the header early: never in a value. */
static char *oneline(const char *s)
{
	char *t = xstrdup(s ? s : "");

	for (char *p = t; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return t;
}

char *mail_compose(const char *from, const char *const *to, size_t nto, const char *subject,
		   const char *body, size_t *len)
{
	static unsigned seq;
	struct mail_buf b = { 0 };
	char date[64], host[256];
	time_t now = time(NULL);
	struct tm tm;
	char *t;
	bool qp = needs_qp(body);

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';

	mail_buf_puts(&b, "Content-Type: text/plain; charset=\"");
	mail_buf_puts(&b, qp ? "utf-8" : "us-ascii");
	mail_buf_puts(&b, "\"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: ");
	mail_buf_puts(&b, qp ? "quoted-printable" : "7bit");
	mail_buf_puts(&b, "\r\nSubject: ");
	t = oneline(subject);
	header_value(&b, t);
	free(t);
	t = oneline(from);
	mail_buf_printf(&b, "\r\nFrom: %s\r\nTo: ", t);
	free(t);
	for (size_t i = 0; i < nto; i++) {
		t = oneline(to[i]);
		mail_buf_printf(&b, "%s%s", i ? ",\r\n " : "", t);
		free(t);
	}
	mail_buf_printf(&b, "\r\nDate: %s\r\nMessage-ID: <%lld.%ld.%u@%s>\r\n\r\n", date, (long long)now,
			(long)getpid(), ++seq, host);
	if (qp)
		qp_encode(&b, body);
	else {
		for (const char *p = body; *p; p++) {
			if (*p == '\n')
				mail_buf_add(&b, "\r\n", 2);
			else
				mail_buf_add(&b, p, 1);
		}
	}
	if (b.len < 2 || b.s[b.len - 2] != '\r' || b.s[b.len - 1] != '\n')
		mail_buf_add(&b, "\r\n", 2);
	*len = b.len;
	return mail_buf_take(&b);
}

/* ---------------------------------------------------------------- transfer */

struct feed {
	const char *data;
	size_t len, pos;
};

/* libesmtp's message callback: len NULL means rewind; NULL at the end. */
static const char *feed_cb(void **ctx, int *len, void *arg)
{
	struct feed *f = arg;
	size_t n;

	(void)ctx;
	if (len == NULL) {
		f->pos = 0;
		return NULL;
	}
	if (f->pos >= f->len) {
		*len = 0;
		return NULL;
	}
	n = f->len - f->pos;
	if (n > 65536)
		n = 65536;
	*len = (int)n;
	f->pos += n;
	return f->data + f->pos - n;
}

struct rcpt_check {
	char *err;
};

static void rcpt_status(smtp_recipient_t r, const char *mailbox, void *arg)
{
	struct rcpt_check *rc = arg;
	const smtp_status_t *st = smtp_recipient_status(r);

	if (rc->err == NULL && (st == NULL || st->code < 200 || st->code > 299))
		rc->err = xasprintf("recipient %s refused: %d %s", mailbox, st ? st->code : 0,
				    st && st->text ? st->text : "");
}

static char *status_text(const smtp_status_t *st)
{
	char *t = xstrdup(st && st->text ? st->text : "");
	size_t n = strlen(t);

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
		t[--n] = '\0';
	return t;
}

int mail_transfer(const char *server, const char *from, const char *const *to, size_t nto,
		  const char *data, size_t len, char **err)
{
	smtp_session_t s;
	smtp_message_t m;
	struct feed f = { data, len, 0 };
	struct rcpt_check rc = { NULL };
	const smtp_status_t *st;
	char *hostport;
	int ret = -1;

	*err = NULL;
	if (server == NULL || *server == '\0') {
		*err = xstrdup("email.smtp: not set");
		return -1;
	}
	if (nto == 0) {
		*err = xstrdup("no recipients");
		return -1;
	}
	/* libesmtp's default port is 587; IRRd's smtplib talks to 25 */
	hostport = strchr(server, ':') ? xstrdup(server) : xasprintf("%s:25", server);
	if ((s = smtp_create_session()) == NULL || (m = smtp_add_message(s)) == NULL) {
		*err = xstrdup("libesmtp: cannot create a session");
		if (s != NULL)
			smtp_destroy_session(s);
		free(hostport);
		return -1;
	}
	smtp_set_server(s, hostport);
	for (int w = Timeout_GREETING; w <= Timeout_DATA2; w++)
		smtp_set_timeout(s, w | Timeout_OVERRIDE_RFC2822_MINIMUM, SMTP_TIMEOUT_MS);
	smtp_set_reverse_path(m, from);
	for (size_t i = 0; i < nto; i++)
		smtp_add_recipient(m, to[i]);
	smtp_set_messagecb(m, feed_cb, &f);
	if (!smtp_start_session(s)) {
		char buf[256];

		*err = xasprintf("SMTP server %s: %s", hostport,
				 smtp_strerror(smtp_errno(), buf, sizeof(buf)) ? buf : "failed");
		goto out;
	}
	st = smtp_message_transfer_status(m);
	if (st == NULL || st->code == 0) {
		char buf[256];
		int e = smtp_errno();

		*err = xasprintf("SMTP server %s: no answer: %s", hostport,
				 e != 0 && smtp_strerror(e, buf, sizeof(buf)) ? buf : "timed out or connection lost");
		goto out;
	}
	if (st->code < 200 || st->code > 299) {
		char *t = status_text(st);

		*err = xasprintf("SMTP server %s: message not accepted: %d %s", hostport, st ? st->code : 0, t);
		free(t);
		goto out;
	}
	smtp_enumerate_recipients(m, rcpt_status, &rc);
	if (rc.err != NULL) {
		*err = xasprintf("SMTP server %s: %s", hostport, rc.err);
		free(rc.err);
		goto out;
	}
	ret = 0;
out:
	smtp_destroy_session(s);
	free(hostport);
	return ret;
}

int mail_send(const char *server, const char *from, const char *const *to, size_t nto,
	      const char *subject, const char *body, char **err)
{
	size_t len;
	char *data = mail_compose(from, to, nto, subject, body, &len);
	int rc = mail_transfer(server, from, to, nto, data, len, err);

	free(data);
	return rc;
}
