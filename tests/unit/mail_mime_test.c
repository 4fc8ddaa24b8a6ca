/*
 * mail_mime_test.c - the MIME parser of e-mail submissions (mail/mime.c):
 * headers, single-part and multipart bodies, the last text/plain part,
 * transfer encodings, charsets, PGP/MIME structure, and refusals of
 * hostile messages (size, depth, part count, NUL bytes, broken base64,
 * unknown charsets, multipart without boundary). Plus the sample
 * messages in tests/data/mail/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static struct mail_msg *parse(const char *s)
{
	return mail_parse(s, strlen(s));
}

static void test_headers(void)
{
	struct mail_msg *m = parse("From nobody Mon Jan  1 00:00:00 2024\n"
				   "Received: from x\n  by y\n"
				   "From: \"User, A\" <a.user@example.com>\n"
				   "Subject: a long\n\tfolded subject\n"
				   "Message-ID: <1@example.com>\n"
				   "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
				   "subject: second subject is ignored\n"
				   "\n"
				   "person: X\n");

	CHECK_STR(m->from, "\"User, A\" <a.user@example.com>");
	CHECK_STR(m->from_addr, "a.user@example.com");
	CHECK_STR(m->subject, "a long\tfolded subject");
	CHECK_STR(m->message_id, "<1@example.com>");
	CHECK_STR(m->date, "Mon, 1 Jan 2024 00:00:00 +0000");
	CHECK_STR(m->body, "person: X\n");
	CHECK(m->refusal == NULL);
	CHECK(m->signature == NULL && m->signed_data == NULL);
	mail_msg_free(m);

	/* CRLF line ends; no headers at all; no From */
	m = parse("Subject: x\r\n\r\nroute: 192.0.2.0/24\r\n");
	CHECK(m->from == NULL && m->from_addr == NULL);
	CHECK_STR(m->body, "route: 192.0.2.0/24\r\n");
	mail_msg_free(m);
	m = parse("");
	CHECK(m->from == NULL && m->body != NULL && m->body[0] == '\0');
	mail_msg_free(m);
	/* a line that is not a header starts the body (Python's parser) */
	m = parse("From: a@b.c\nperson: X\nnic-hdl: Y\n");
	CHECK_STR(m->from_addr, "a@b.c");
	CHECK_STR(m->body, "");
	mail_msg_free(m);
	m = parse("From: a@b.c\nnot a header line\nperson: X\n");
	CHECK_STR(m->body, "not a header line\nperson: X\n");
	mail_msg_free(m);
}

static void test_single_part(void)
{
	struct mail_msg *m;

	/* a single-part message is the body whatever its type (IRRd) */
	m = parse("From: a@b.c\nContent-Type: text/html\n\n<p>x</p>\n");
	CHECK_STR(m->body, "<p>x</p>\n");
	mail_msg_free(m);
	/* quoted-printable, latin-1 */
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=\"ISO-8859-1\"\n"
		  "Content-Transfer-Encoding: Quoted-Printable\n\nremarks: caf=E9 =3D=\nok\n=XZ\n");
	CHECK_STR(m->body, "remarks: caf\xc3\xa9 =ok\n=XZ\n");
	mail_msg_free(m);
	/* base64 UTF-8 */
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
		  "cmVtYXJrczogw7xiZXIK\n");
	CHECK_STR(m->body, "remarks: \xc3\xbc" "ber\n");
	mail_msg_free(m);
	/* no charset: us-ascii; undecodable bytes become \xNN in a single part */
	m = parse("From: a@b.c\n\nremarks: caf\xc3\xa9\n");
	CHECK_STR(m->body, "remarks: caf\\xc3\\xa9\n");
	mail_msg_free(m);
	/* invalid UTF-8 in a UTF-8 body */
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=utf-8\n\nx\xff" "y\xc3\xa9\n");
	CHECK_STR(m->body, "x\\xffy\xc3\xa9\n");
	mail_msg_free(m);
	/* charset names as Python spells them */
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=latin-1\n\n\xe9\n");
	CHECK_STR(m->body, "\xc3\xa9\n");
	mail_msg_free(m);
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=windows-1252\n\n\x80\n");
	CHECK_STR(m->body, "\xe2\x82\xac\n");
	mail_msg_free(m);
	/* a malformed Content-Type is text/plain */
	m = parse("From: a@b.c\nContent-Type: garbage\n\nbody\n");
	CHECK_STR(m->body, "body\n");
	mail_msg_free(m);
	/* base64 without padding is accepted */
	m = parse("From: a@b.c\nContent-Transfer-Encoding: base64\n\nYWJj\nZA\n");
	CHECK_STR(m->body, "abcd");
	mail_msg_free(m);
}

static void test_multipart(void)
{
	struct mail_msg *m;

	/* the last text/plain part wins; others and the preamble are ignored */
	m = parse("From: a@b.c\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"==b==\"\n\n"
		  "preamble\n--==b==\nContent-Type: text/plain\n\nfirst\n"
		  "--==b==\nContent-Type: text/html\n\n<p>html</p>\n"
		  "--==b==\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
		  "second \xe9\n\n--==b==--\nepilogue\n");
	CHECK_STR(m->body, "second \xc3\xa9\n");
	CHECK(m->refusal == NULL);
	mail_msg_free(m);
	/* in parts, undecodable bytes are dropped */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\xe9y\n--b--\n");
	CHECK_STR(m->body, "xy");
	mail_msg_free(m);
	/* nested multipart/alternative in multipart/mixed, CRLF */
	m = parse("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
		  "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\n"
		  "inner\r\n--i\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--i--\r\n"
		  "--o\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n--o--\r\n");
	CHECK_STR(m->body, "inner");
	mail_msg_free(m);
	/* a missing close delimiter: the last part runs to the end */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nunterminated\n");
	CHECK_STR(m->body, "unterminated\n");
	mail_msg_free(m);
	/* attached messages are walked too */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
		  "From: c@d.e\nSubject: inner\n\ninner text\n--b--\n");
	CHECK_STR(m->body, "inner text");
	CHECK_STR(m->subject == NULL ? "none" : m->subject, "none");
	mail_msg_free(m);
	/* no text/plain part at all */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n\nx\n--b--\n");
	CHECK(m->body == NULL && m->refusal == NULL);
	mail_msg_free(m);
	/* delimiters with trailing white space; a boundary inside a line is data */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b  \n\nx --b y\n--b--\t\n");
	CHECK_STR(m->body, "x --b y");
	mail_msg_free(m);
}

static void test_pgp_mime(void)
{
	const char *msg = "From: a@b.c\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n"
			  " protocol=\"application/pgp-signature\"; boundary=\"sig\"\r\n\r\n"
			  "This is an OpenPGP/MIME signed message\r\n--sig\r\n"
			  "Content-Type: text/plain; charset=us-ascii\r\n\r\nroute: 192.0.2.0/24\r\n\r\n--sig\r\n"
			  "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n"
			  "-----BEGIN PGP SIGNATURE-----\r\n\r\nAAAA\r\n-----END PGP SIGNATURE-----\r\n\r\n--sig--\r\n";
	struct mail_msg *m = parse(msg);

	CHECK_STR(m->body, "route: 192.0.2.0/24\r\n");
	CHECK_STR(m->signed_data, "Content-Type: text/plain; charset=us-ascii\r\n\r\nroute: 192.0.2.0/24\r\n");
	CHECK_STR(m->signature, "-----BEGIN PGP SIGNATURE-----\r\n\r\nAAAA\r\n-----END PGP SIGNATURE-----\r\n");
	mail_msg_free(m);

	/* a text/plain part outside the signed part is not covered */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=o\n\n--o\n"
		  "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\n\n"
		  "--s\nContent-Type: text/plain\n\nsigned\n--s\nContent-Type: application/pgp-signature\n\nSIG\n--s--\n"
		  "--o\nContent-Type: text/plain\n\nfooter\n--o--\n");
	CHECK_STR(m->body, "footer");
	CHECK(m->signature == NULL && m->signed_data == NULL);
	mail_msg_free(m);

	/* the signed part may itself be multipart */
	m = parse("From: a@b.c\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=s\n\n"
		  "--s\nContent-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: text/plain\n\nbody\n--i--\n"
		  "--s\nContent-Type: application/pgp-signature\n\nSIG\n--s--\n");
	CHECK_STR(m->body, "body");
	CHECK_STR(m->signed_data, "Content-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: text/plain\n\nbody\n--i--");
	CHECK_STR(m->signature, "SIG");
	mail_msg_free(m);

	/* multipart/signed whose second part is no PGP signature */
	m = parse("From: a@b.c\nContent-Type: multipart/signed; boundary=s\n\n"
		  "--s\nContent-Type: text/plain\n\nbody\n--s\nContent-Type: application/pkcs7-signature\n\nX\n--s--\n");
	CHECK_STR(m->body, "body");
	CHECK(m->signature == NULL);
	mail_msg_free(m);
}

static void test_refusals(void)
{
	struct mail_msg *m;
	char *big, *deep;
	size_t n;

	/* larger than the limit: refused, but the headers are read */
	n = MAIL_MAX_SIZE + 100;
	big = malloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "From: a@b.c\nSubject: big\n\n", 27);
	big[n] = '\0';
	m = mail_parse(big, n);
	CHECK_STR(m->refusal, "it is larger than 10485760 bytes");
	CHECK_STR(m->from_addr, "a@b.c");
	CHECK_STR(m->subject, "big");
	CHECK(m->body == NULL);
	mail_msg_free(m);
	free(big);

	m = mail_parse("From: a@b.c\n\nx\0y\n", 16);
	CHECK_STR(m->refusal, "it contains NUL bytes");
	CHECK_STR(m->from_addr, "a@b.c");
	mail_msg_free(m);

	/* nesting */
	{
		size_t cap = 1 << 16, o = 0;

		deep = malloc(cap);
		o += (size_t)snprintf(deep + o, cap - o, "From: a@b.c\n");
		for (int i = 0; i < 11; i++)
			o += (size_t)snprintf(deep + o, cap - o,
					      "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
		o += (size_t)snprintf(deep + o, cap - o, "Content-Type: text/plain\n\nx\n");
		m = mail_parse(deep, o);
		CHECK_STR(m->refusal, "its MIME structure is nested more than 10 levels deep");
		CHECK(m->body == NULL);
		mail_msg_free(m);
		/* ten levels are fine */
		o = 0;
		o += (size_t)snprintf(deep + o, cap - o, "From: a@b.c\n");
		for (int i = 0; i < 10; i++)
			o += (size_t)snprintf(deep + o, cap - o,
					      "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
		o += (size_t)snprintf(deep + o, cap - o, "Content-Type: text/plain\n\nx\n");
		m = mail_parse(deep, o);
		CHECK(m->refusal == NULL);
		CHECK_STR(m->body, "x\n");
		mail_msg_free(m);
		free(deep);
	}
	/* too many parts */
	{
		size_t cap = 1 << 20, o = 0;
		char *p = malloc(cap);

		o += (size_t)snprintf(p + o, cap - o, "From: a@b.c\nContent-Type: multipart/mixed; boundary=z\n\n");
		for (int i = 0; i < 200; i++)
			o += (size_t)snprintf(p + o, cap - o, "--z\nContent-Type: text/plain\n\npart %d\n", i);
		o += (size_t)snprintf(p + o, cap - o, "--z--\n");
		m = mail_parse(p, o);
		CHECK_STR(m->refusal, "it has more than 100 MIME parts");
		mail_msg_free(m);
		free(p);
	}
	m = parse("From: a@b.c\nContent-Transfer-Encoding: base64\n\nnot*base64!\n");
	CHECK_STR(m->refusal, "its text part is not valid base64");
	mail_msg_free(m);
	m = parse("From: a@b.c\nContent-Transfer-Encoding: base64\n\nYWJj=ZGVm\n");
	CHECK_STR(m->refusal, "its text part is not valid base64");
	mail_msg_free(m);
	m = parse("From: a@b.c\nContent-Transfer-Encoding: base64\n\nYWJjZ\n");
	CHECK_STR(m->refusal, "its text part is not valid base64");
	mail_msg_free(m);
	m = parse("From: a@b.c\nContent-Type: text/plain; charset=x-klingon\n\nx\n");
	CHECK_STR(m->refusal, "its charset \"x-klingon\" is unknown");
	mail_msg_free(m);
	m = parse("From: a@b.c\nContent-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n");
	CHECK_STR(m->refusal, "it has a multipart part without a boundary");
	mail_msg_free(m);
	/* a NUL decoded from base64 */
	m = parse("From: a@b.c\nContent-Transfer-Encoding: base64\n\nYQBi\n");
	CHECK_STR(m->refusal, "its text contains NUL characters");
	CHECK(m->body == NULL);
	mail_msg_free(m);
	/* broken base64 in a part that is not the body does not matter */
	m = parse("From: a@b.c\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n"
		  "Content-Type: application/octet-stream\n\n!!!\n--b\nContent-Type: text/plain\n\nok\n--b--\n");
	CHECK(m->refusal == NULL);
	CHECK_STR(m->body, "ok");
	mail_msg_free(m);
}

static void test_long_header(void)
{
	size_t n = 100000;
	char *buf = malloc(n + 64);
	struct mail_msg *m;
	size_t o = (size_t)snprintf(buf, 64, "From: a@b.c\nSubject: ");

	memset(buf + o, 's', n);
	o += n;
	memcpy(buf + o, "\n\nbody\n", 8);
	m = mail_parse(buf, o + 7);
	CHECK(m->subject != NULL && strlen(m->subject) <= MAIL_MAX_HEADER_LINE && strlen(m->subject) >= MAIL_MAX_HEADER_LINE - 1);
	CHECK_STR(m->body, "body\n");
	mail_msg_free(m);
	free(buf);
}

static void test_samples(void)
{
	static const struct { const char *file, *from, *body_start; bool signed_; } s[] = {
		{ "plain.eml", "submitter@example.com", "route:          192.0.2.0/24\n", false },
		{ "multipart_qp_latin1.eml", "submitter@example.com", "person:", false },
		{ "pgp_mime_structure.eml", "submitter@example.com", "route: 198.51.100.0/24", true },
		{ "inline_pgp_structure.eml", "submitter@example.com", "-----BEGIN PGP SIGNED MESSAGE-----", false },
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		char path[4096], *buf;
		size_t len;
		struct mail_msg *m;

		snprintf(path, sizeof(path), "%s/mail/%s", test_data_dir(), s[i].file);
		buf = test_slurp(path, &len);
		CHECK_MSG(buf != NULL, "%s", path);
		if (buf == NULL)
			continue;
		m = mail_parse(buf, len);
		CHECK_STR(m->from_addr, s[i].from);
		CHECK_MSG(m->body != NULL && strncmp(m->body, s[i].body_start, strlen(s[i].body_start)) == 0,
			  "%s: body %s", s[i].file, m->body ? m->body : "(null)");
		CHECK_MSG((m->signature != NULL) == s[i].signed_, "%s", s[i].file);
		CHECK(m->refusal == NULL);
		mail_msg_free(m);
		free(buf);
	}
}

int main(void)
{
	log_init("mail_mime_test");
	TEST_RUN(test_headers);
	TEST_RUN(test_single_part);
	TEST_RUN(test_multipart);
	TEST_RUN(test_pgp_mime);
	TEST_RUN(test_refusals);
	TEST_RUN(test_long_header);
	TEST_RUN(test_samples);
	return test_summary("mail_mime_test");
}
