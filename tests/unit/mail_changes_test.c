/*
 * mail_changes_test.c - the parts of e-mail submissions that need no
 * database: the change-request parser (IRRd's parse_change_requests),
 * remove_auth_hashes, the unified diff of notifications against Python's
 * difflib (tests/data/mail/diff_cases.txt, generated with Python 3.11),
 * password hashes with crypt_r, addresses, composing outgoing mail and the
 * spool when the SMTP server is unreachable.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/mail.h"
#include "rpsl/log.h"
#include "tests/unit/testlib.h"

static struct mail_changes *parse(const char *s)
{
	return mail_changes_parse(s, strlen(s));
}

static void test_changes_split(void)
{
	struct mail_changes *ch;

	ch = parse("route: 192.0.2.0/24\r\norigin: AS1\r\n\r\n\r\n\r\nperson: X\nnic-hdl: X-TEST\n");
	CHECK_INT(ch->nreqs, 2);
	CHECK_STR(ch->reqs[0].text, "route: 192.0.2.0/24\norigin: AS1\n");
	CHECK_STR(ch->reqs[1].text, "person: X\nnic-hdl: X-TEST\n");
	CHECK(!ch->reqs[0].is_delete);
	CHECK(ch->reqs[0].delete_reason == NULL);
	mail_changes_free(ch);

	/* a line of spaces does not separate objects (IRRd splits on "\n\n") */
	ch = parse("a: 1\n  \nb: 2\n");
	CHECK_INT(ch->nreqs, 1);
	CHECK_STR(ch->reqs[0].text, "a: 1\n  \nb: 2\n");
	mail_changes_free(ch);

	/* leading and trailing white space of a paragraph is stripped */
	ch = parse("\n\n   a: 1\nb: 2   \n\n\t\n");
	CHECK_INT(ch->nreqs, 1);
	CHECK_STR(ch->reqs[0].text, "a: 1\nb: 2\n");
	mail_changes_free(ch);
}

static void test_changes_empty(void)
{
	struct mail_changes *ch = parse("");

	CHECK_INT(ch->nreqs, 0);
	mail_changes_free(ch);
	ch = parse("\n\n\n \n\n");
	CHECK_INT(ch->nreqs, 0);
	mail_changes_free(ch);
}

static void test_changes_meta(void)
{
	struct mail_changes *ch = parse("password: one \nroute: 192.0.2.0/24\norigin: AS1\n"
					"override:  ov\ndelete: first reason\ndelete:  last reason \n\n"
					"password: two\n\n"
					"person: X\napi-key: k1\nPassword: not-meta\nsuspension: suspend\n\n"
					"mntner: M\ndelete:\n");

	CHECK_INT(ch->nreqs, 3);
	CHECK_INT(ch->npasswords, 2);
	CHECK_STR(ch->passwords[0], "one");
	CHECK_STR(ch->passwords[1], "two");
	CHECK_INT(ch->noverrides, 1);
	CHECK_STR(ch->overrides[0], "ov");
	CHECK_INT(ch->napi_keys, 1);
	CHECK_STR(ch->api_keys[0], "k1");
	CHECK_STR(ch->reqs[0].text, "route: 192.0.2.0/24\norigin: AS1\n");
	CHECK(ch->reqs[0].is_delete);
	CHECK_STR(ch->reqs[0].delete_reason, "last reason");
	/* meta names are case-sensitive, as IRRd's startswith() */
	CHECK_STR(ch->reqs[1].text, "person: X\nPassword: not-meta\n");
	CHECK_STR(ch->reqs[1].suspension, "suspend");
	/* an empty delete reason is no deletion (IRRd: `if delete_reason`) */
	CHECK_STR(ch->reqs[2].text, "mntner: M\n");
	CHECK(!ch->reqs[2].is_delete);
	CHECK_STR(ch->reqs[2].delete_reason, "");
	mail_changes_free(ch);

	/* a paragraph of meta lines only is no object */
	ch = parse("password: x\noverride: y\n\ndelete: z\n");
	CHECK_INT(ch->nreqs, 0);
	CHECK_INT(ch->npasswords, 1);
	mail_changes_free(ch);
}

static void test_remove_auth_hashes(void)
{
	char *s;

	s = mail_remove_auth_hashes("mntner: M\nauth: MD5-PW $1$abc$def\nauth: bcrypt-pw $2b$12$x\n"
				    "auth:           CRYPT-PW xy/gRonXQz8UE # comment\nauth: PGPKEY-12345678\n"
				    "remarks: MD5-PW\nremarks: md5-pw!\n");
	CHECK_STR(s, "mntner: M\nauth: MD5-PW DummyValue  # Filtered for security\n"
		     "auth: bcrypt-pw DummyValue  # Filtered for security\n"
		     "auth:           CRYPT-PW DummyValue  # Filtered for security\nauth: PGPKEY-12345678\n"
		     "remarks: MD5-PW\nremarks: md5-pw DummyValue  # Filtered for security\n");
	free(s);
	/* BCRYPT-PW is matched as a whole, not as B + CRYPT-PW */
	s = mail_remove_auth_hashes("xBCRYPT-PW y");
	CHECK_STR(s, "xBCRYPT-PW DummyValue  # Filtered for security");
	free(s);
	s = mail_remove_auth_hashes("");
	CHECK_STR(s, "");
	free(s);
	CHECK(mail_remove_auth_hashes(NULL) == NULL);
}

/* ---- diff against difflib ---- */

static char *section(char **p, const char *marker)
{
	char *start, *end;
	size_t ml = strlen(marker);

	if (strncmp(*p, marker, ml) != 0)
		return NULL;
	start = *p + ml;
	end = strstr(start, "=== ");
	while (end != NULL && end != start && end[-1] != '\n')
		end = strstr(end + 1, "=== ");
	if (end == NULL)
		return NULL;
	*p = end;
	return strndup(start, (size_t)(end - start));
}

static void test_diff(void)
{
	char path[4096], *buf, *p;
	int cases = 0;

	snprintf(path, sizeof(path), "%s/mail/diff_cases.txt", test_data_dir());
	buf = test_slurp(path, NULL);
	CHECK_MSG(buf != NULL, "%s", path);
	if (buf == NULL)
		return;
	p = strstr(buf, "=== a\n");
	while (p != NULL && strncmp(p, "=== a\n", 6) == 0) {
		char *a = section(&p, "=== a\n"), *b = a ? section(&p, "=== b\n") : NULL;
		char *want = b ? section(&p, "=== diff\n") : NULL, *got;
		size_t wl;

		CHECK(want != NULL);
		if (want == NULL) {
			free(a);
			free(b);
			break;
		}
		wl = strlen(want);
		if (wl > 0 && want[wl - 1] == '\n')
			want[wl - 1] = '\0';
		got = mail_unified_diff(a, b);
		CHECK_MSG(strcmp(got, want) == 0, "case %d:\n--- got\n%s\n--- want\n%s", cases, got, want);
		cases++;
		free(got);
		free(a);
		free(b);
		free(want);
		p = strstr(p, "=== end\n");
		if (p != NULL)
			p += 8;
	}
	CHECK_INT(cases, 49);
	free(buf);
}

/* ---- passwords ---- */

static void test_passwords(void)
{
	CHECK(mail_password_check("MD5-PW", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret"));
	CHECK(mail_password_check("md5-pw", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret"));
	CHECK(!mail_password_check("MD5-PW", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "Secret"));
	CHECK(!mail_password_check("MD5-PW", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", ""));
	CHECK(mail_password_check("CRYPT-PW", "xy/gRonXQz8UE", "secret"));
	CHECK(!mail_password_check("CRYPT-PW", "xy/gRonXQz8UE", "secreT"));
	/* DES crypt looks at 8 characters, as passlib's des_crypt */
	CHECK(mail_password_check("CRYPT-PW", "xy8418O0zG7NY", "secretse"));
	CHECK(mail_password_check("CRYPT-PW", "xy8418O0zG7NY", "secretsecret"));
	CHECK(mail_password_check("BCRYPT-PW", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"));
	CHECK(mail_password_check("BCRYPT-PW", "$2a$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"));
	CHECK(mail_password_check("BCRYPT-PW", "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"));
	CHECK(!mail_password_check("BCRYPT-PW", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secreu"));
	/* a hash of another scheme, malformed or dummy hashes never match */
	CHECK(!mail_password_check("BCRYPT-PW", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret"));
	CHECK(!mail_password_check("MD5-PW", "xy/gRonXQz8UE", "secret"));
	CHECK(!mail_password_check("CRYPT-PW", "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret"));
	CHECK(!mail_password_check("MD5-PW", "DummyValue", "DummyValue"));
	CHECK(!mail_password_check("BCRYPT-PW", "$2b$04$short", "secret"));
	CHECK(!mail_password_check("CRYPT-PW", "", ""));
	CHECK(!mail_password_check("SHA-PW", "xy/gRonXQz8UE", "secret"));

	CHECK(mail_override_check("$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret"));
	CHECK(mail_override_check("$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret"));
	CHECK(!mail_override_check("$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "wrong"));
	/* IRRd accepts bcrypt or MD5-crypt override hashes only */
	CHECK(!mail_override_check("xy/gRonXQz8UE", "secret"));
	CHECK(!mail_override_check(NULL, "secret"));
	{
		char *h = mail_bcrypt_hash("new password");

		CHECK(h != NULL && strncmp(h, "$2b$12$", 7) == 0 && strlen(h) == 60);
		CHECK(h != NULL && mail_password_check("BCRYPT-PW", h, "new password"));
		CHECK(h != NULL && !mail_password_check("BCRYPT-PW", h, "new passwore"));
		free(h);
	}
}

static void test_addresses(void)
{
	struct { const char *in, *want; } t[] = {
		{ "user@example.com", "user@example.com" },
		{ "User Name <user@example.com>", "user@example.com" },
		{ "\"Doe, John\" <john.doe+irr@example.com>", "john.doe+irr@example.com" },
		{ "user@example.com (User)", "user@example.com" },
		{ "<a@b.c>", "a@b.c" },
		{ "a@b.c, other@example.com", "a@b.c" },
		{ "nobody", NULL },
		{ "<>", NULL },
		{ "@example.com", NULL },
		{ "user@", NULL },
		{ "a@b@c", NULL },
		{ "User <us er@example.com>", NULL },
		{ "User <user@example.com\r\nBcc: x@y.z>", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = mail_addr_extract(t[i].in);

		if (t[i].want == NULL)
			CHECK_MSG(got == NULL, "%s -> %s", t[i].in, got);
		else
			CHECK_STR(got, t[i].want);
		free(got);
	}
	CHECK(mail_addr_extract(NULL) == NULL);
}

static void test_compose(void)
{
	const char *to[] = { "a@example.com", "b@example.com" };
	size_t len;
	char *m;

	m = mail_compose("irrd@example.net", to, 2, "SUCCESS: x", "line 1\nline 2\n", &len);
	CHECK(strlen(m) == len);
	CHECK(strstr(m, "Content-Type: text/plain; charset=\"us-ascii\"\r\n") != NULL);
	CHECK(strstr(m, "Content-Transfer-Encoding: 7bit\r\n") != NULL);
	CHECK(strstr(m, "\r\nSubject: SUCCESS: x\r\n") != NULL);
	CHECK(strstr(m, "\r\nFrom: irrd@example.net\r\n") != NULL);
	CHECK(strstr(m, "\r\nTo: a@example.com,\r\n b@example.com\r\n") != NULL);
	CHECK(strstr(m, "\r\nMessage-ID: <") != NULL);
	CHECK(strstr(m, "\r\n\r\nline 1\r\nline 2\r\n") != NULL);
	CHECK(strstr(m, "\n\n") == NULL);	/* CRLF everywhere */
	free(m);

	/* non-ASCII: quoted-printable UTF-8, an encoded subject, no bare LF */
	m = mail_compose("irrd@example.net", to, 1, "FAILED: caf\xc3\xa9\r\nBcc: evil@example.com",
			 "remarks: caf\xc3\xa9 = ok \nend", &len);
	CHECK(strstr(m, "charset=\"utf-8\"") != NULL);
	CHECK(strstr(m, "Content-Transfer-Encoding: quoted-printable\r\n") != NULL);
	CHECK(strstr(m, "\r\nSubject: =?utf-8?b?") != NULL);
	CHECK(strstr(m, "\r\nBcc:") == NULL);
	CHECK(strstr(m, "remarks: caf=C3=A9 =3D ok=20\r\nend\r\n") != NULL);
	free(m);

	/* a line longer than 998 characters is folded softly */
	{
		char *body = malloc(3001);

		memset(body, 'x', 3000);
		body[3000] = '\0';
		m = mail_compose("irrd@example.net", to, 1, "s", body, &len);
		CHECK(strstr(m, "quoted-printable") != NULL);
		CHECK(strstr(m, "=\r\n") != NULL);
		{
			size_t col = 0, max = 0;

			for (const char *p = m; *p; p++) {
				if (*p == '\n')
					col = 0;
				else if (++col > max)
					max = col;
			}
			CHECK(max <= 998);
		}
		free(m);
		free(body);
	}
}

static int count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);

		if (de->d_name[0] != '.' && l >= sl && strcmp(de->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void test_spool_unreachable(void)
{
	char tmpl[] = "/tmp/mail_changes_test.XXXXXX";
	char *base = mkdtemp(tmpl), *dir, *err = NULL, *id = NULL;
	const char *to = "someone@example.com";
	int left = -1;

	CHECK(base != NULL);
	if (base == NULL)
		return;
	dir = xasprintf("%s/spool", base);
	CHECK_INT(mail_queue(dir, "irrd@example.net", &to, 1, "subject one", "body\n", &id, &err), 0);
	CHECK(id != NULL && strstr(id, ".msg") != NULL);
	free(id);
	CHECK_INT(mail_queue(dir, "irrd@example.net", &to, 1, "subject two", "body\n", NULL, &err), 0);
	CHECK_INT(count_files(dir, ".msg"), 2);
	/* port 1 on loopback: nobody listens */
	CHECK_INT(mail_spool_flush(dir, "127.0.0.1:1", &left, &err), 0);
	CHECK_INT(left, 2);
	CHECK_MSG(err != NULL && strstr(err, "127.0.0.1:1") != NULL, "%s", err ? err : "(null)");
	free(err);
	err = NULL;
	CHECK_INT(count_files(dir, ".msg"), 2);
	CHECK_INT(count_files(dir, ".sending"), 0);

	/* envelope addresses with line breaks are refused */
	{
		const char *bad = "a@b.c\r\nRCPT TO:<x@y.z>";

		CHECK_INT(mail_queue(dir, "irrd@example.net", &bad, 1, "s", "b", NULL, &err), -1);
		free(err);
		err = NULL;
	}
	/* a broken spool file is moved aside, not retried forever */
	{
		char *p = xasprintf("%s/000000000000.000000.0000000001.000001.msg", dir);
		FILE *f = fopen(p, "w");

		if (f != NULL) {
			fputs("not a spool file\n", f);
			fclose(f);
		}
		CHECK_INT(mail_spool_flush(dir, "127.0.0.1:1", &left, &err), 0);
		CHECK_INT(count_files(dir, ".broken"), 1);
		CHECK_INT(left, 2);
		free(err);
		err = NULL;
		free(p);
	}
	{
		char *cmd = xasprintf("rm -rf '%s'", base);

		CHECK_INT(system(cmd), 0);
		free(cmd);
	}
	/* a directory that does not exist holds nothing to send */
	CHECK_INT(mail_spool_flush(dir, "127.0.0.1:1", &left, &err), 0);
	CHECK_INT(left, 0);
	free(dir);
}

static void test_spool_dir(void)
{
	struct cfg c;
	char *d;

	memset(&c, 0, sizeof(c));
	d = mail_spool_dir(&c);
	CHECK_STR(d, "/var/tmp/irrd-mail-spool");
	free(d);
	c.piddir = (char *)"/run/irrd";
	d = mail_spool_dir(&c);
	CHECK_STR(d, "/run/irrd/mail-spool");
	free(d);
}

int main(void)
{
	log_init("mail_changes_test");
	log_set_level(LOG_LVL_CRITICAL);
	TEST_RUN(test_changes_split);
	TEST_RUN(test_changes_empty);
	TEST_RUN(test_changes_meta);
	TEST_RUN(test_remove_auth_hashes);
	TEST_RUN(test_diff);
	TEST_RUN(test_passwords);
	TEST_RUN(test_addresses);
	TEST_RUN(test_compose);
	TEST_RUN(test_spool_unreachable);
	TEST_RUN(test_spool_dir);
	return test_summary("mail_changes_test");
}
