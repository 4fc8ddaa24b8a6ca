/* rpsl_reader_test.c - the streaming dump splitter: blank lines, comments,
 * line numbers, encodings, plain and gzip files, truncated gzip, size cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "tests/unit/testlib.h"

/* Read every object of r into one string "LINE:TEXT|LINE:TEXT|..." */
static char *collect(struct rpsl_reader *r, int *rc_out)
{
	size_t cap = 1024, len = 0;
	char *out = xmalloc(cap);
	const char *text;
	size_t tlen;
	unsigned long line;
	int rc;

	out[0] = '\0';
	while ((rc = rpsl_reader_next(r, &text, &tlen, &line)) == 1) {
		char head[32];
		int hl = snprintf(head, sizeof(head), "%lu:", line);

		while (len + (size_t)hl + tlen + 2 > cap) {
			cap *= 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, head, (size_t)hl);
		len += (size_t)hl;
		memcpy(out + len, text, tlen);
		len += tlen;
		out[len++] = '|';
		out[len] = '\0';
	}
	*rc_out = rc;
	return out;
}

static char *split_mem(const char *in)
{
	struct rpsl_reader *r = rpsl_reader_mem(in, strlen(in), "mem");
	int rc;
	char *s = collect(r, &rc);

	CHECK_INT(rc, 0);
	rpsl_reader_close(r);
	return s;
}

static void test_basic(void)
{
	char *s;

	s = split_mem("a: 1\nb: 2\n\nc: 3\n");
	CHECK_STR(s, "1:a: 1\nb: 2\n|4:c: 3\n|");
	free(s);

	/* leading blank lines, several separators, no final newline */
	s = split_mem("\n\n\na: 1\n\n\n\nb: 2");
	CHECK_STR(s, "4:a: 1\n|8:b: 2\n|");
	free(s);

	/* whitespace-only lines do not separate objects: inside one they are
	 * continuation lines (IRRd's split_paragraphs_rpsl); before one they
	 * are skipped */
	s = split_mem("a: 1\n  \t \nb: 2\n \n");
	CHECK_STR(s, "1:a: 1\n  \t \nb: 2\n \n|");
	free(s);
	s = split_mem(" \n\t\na: 1\n\nb: 2\n");
	CHECK_STR(s, "3:a: 1\n|5:b: 2\n|");
	free(s);

	/* CRLF line ends */
	s = split_mem("a: 1\r\n+ x\r\n\r\nb: 2\r\n");
	CHECK_STR(s, "1:a: 1\n+ x\n|4:b: 2\n|");
	free(s);

	/* empty and blank-only input */
	s = split_mem("");
	CHECK_STR(s, "");
	free(s);
	s = split_mem("\n \n\t\n");
	CHECK_STR(s, "");
	free(s);
}

static void test_comments(void)
{
	char *s;

	/* comment lines between objects and inside are dropped; a comment
	 * line does not end an object */
	s = split_mem("% header\n# more\n\na: 1\n# inside\nb: 2\n\n%END\n\nc: 3\n% trailer\n");
	CHECK_STR(s, "4:a: 1\nb: 2\n|10:c: 3\n|");
	free(s);

	/* a comment-only file has no objects */
	s = split_mem("%\n#\n% x\n");
	CHECK_STR(s, "");
	free(s);

	/* '#' later in a line is kept (the parser strips value comments) */
	s = split_mem("a: 1 # c\n");
	CHECK_STR(s, "1:a: 1 # c\n|");
	free(s);
}

static void test_encoding(void)
{
	char *s;
	static const char in[] = "a: caf\xc3\xa9 \xff\xfe x\nb: \xe2\x82 y\n";

	s = split_mem(in);
	CHECK_STR(s, "1:a: caf\xc3\xa9 \\xff\\xfe x\nb: \\xe2\\x82 y\n|");
	free(s);

	/* NUL in the middle of a line */
	{
		static const char nul[] = "a: x\0y\n";
		struct rpsl_reader *r = rpsl_reader_mem(nul, sizeof(nul) - 1, "nul");
		const char *text;
		size_t len;
		unsigned long line;

		CHECK_INT(rpsl_reader_next(r, &text, &len, &line), 1);
		CHECK_STR(text, "a: x\\x00y\n");
		CHECK_INT(len, 10);
		rpsl_reader_close(r);
	}
}

static void write_file(const char *path, const char *data, size_t len, int gzip)
{
	if (gzip) {
		gzFile gz = gzopen(path, "wb");
		CHECK(gz != NULL);
		if (gz == NULL)
			return;
		CHECK_INT(gzwrite(gz, data, (unsigned)len), (int)len);
		gzclose(gz);
	} else {
		FILE *f = fopen(path, "wb");
		CHECK(f != NULL);
		if (f == NULL)
			return;
		CHECK_INT(fwrite(data, 1, len, f), len);
		fclose(f);
	}
}

/* A dump of n objects, each three lines and a blank line. */
static char *make_dump(int n, size_t *len)
{
	size_t cap = (size_t)n * 100 + 1, off = 0;
	char *d = xmalloc(cap);

	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(d + off, cap - off,
					"route:          10.%d.%d.0/24\norigin:         AS%d\nsource:         TEST\n\n",
					(i >> 8) & 255, i & 255, 64496 + i);
	*len = off;
	return d;
}

static void test_files(void)
{
	char path[] = "/tmp/rpsl_reader_testXXXXXX";
	int fd = mkstemp(path);
	size_t len;
	char *dump = make_dump(20000, &len);
	char *err = NULL;
	struct rpsl_reader *r;
	const char *text;
	size_t tlen;
	unsigned long line;
	int n, rc;

	CHECK(fd >= 0);
	close(fd);

	for (int gz = 0; gz <= 1; gz++) {
		write_file(path, dump, len, gz);
		r = rpsl_reader_open(path, &err);
		CHECK(r != NULL);
		if (r == NULL)
			continue;
		n = 0;
		while ((rc = rpsl_reader_next(r, &text, &tlen, &line)) == 1) {
			if (n == 19999) {
				CHECK_INT(line, 19999 * 4 + 1);
				CHECK(strncmp(text, "route:          10.78.31.0/24\n", 30) == 0);
				CHECK(text[tlen - 1] == '\n');
			}
			n++;
		}
		CHECK_INT(rc, 0);
		CHECK_INT(n, 20000);
		rpsl_reader_close(r);
	}

	/* truncated gzip: the objects before the cut, then an error naming
	 * the file and where */
	{
		FILE *f;
		long size;

		write_file(path, dump, len, 1);
		f = fopen(path, "rb");
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fclose(f);
		CHECK(truncate(path, size / 2) == 0);
		r = rpsl_reader_open(path, &err);
		CHECK(r != NULL);
		if (r != NULL) {
			n = 0;
			while ((rc = rpsl_reader_next(r, &text, &tlen, &line)) == 1)
				n++;
			CHECK_INT(rc, -1);
			CHECK(n > 100 && n < 20000);
			CHECK_MSG(strstr(rpsl_reader_error(r), "truncated gzip input after line") != NULL,
				  "%s", rpsl_reader_error(r));
			CHECK(strncmp(rpsl_reader_error(r), path, strlen(path)) == 0);
			/* stays failed */
			CHECK_INT(rpsl_reader_next(r, &text, &tlen, &line), -1);
			rpsl_reader_close(r);
		}
	}

	/* corrupt gzip body */
	{
		FILE *f;

		write_file(path, dump, len, 1);
		f = fopen(path, "r+b");
		fseek(f, 2000, SEEK_SET);
		fputs("garbage garbage garbage garbage", f);
		fclose(f);
		r = rpsl_reader_open(path, &err);
		CHECK(r != NULL);
		if (r != NULL) {
			while ((rc = rpsl_reader_next(r, &text, &tlen, &line)) == 1)
				;
			CHECK_INT(rc, -1);
			CHECK_MSG(strstr(rpsl_reader_error(r), "gzip") != NULL, "%s", rpsl_reader_error(r));
			rpsl_reader_close(r);
		}
	}

	/* an object over the cap is an error with its first line */
	{
		size_t big = RPSL_MAX_OBJECT + 1000, off = 0;
		char *b = xmalloc(big + 100);

		off += (size_t)sprintf(b, "a: 1\n\nas-set: AS-BIG\n");
		while (off < big) {
			memcpy(b + off, "members: AS1\n", 13);
			off += 13;
		}
		write_file(path, b, off, 0);
		free(b);
		r = rpsl_reader_open(path, &err);
		CHECK(r != NULL);
		if (r != NULL) {
			CHECK_INT(rpsl_reader_next(r, &text, &tlen, &line), 1);
			CHECK_INT(rpsl_reader_next(r, &text, &tlen, &line), -1);
			CHECK_MSG(strstr(rpsl_reader_error(r), ": line 3: object larger than") != NULL,
				  "%s", rpsl_reader_error(r));
			rpsl_reader_close(r);
		}
	}

	/* a very long single line inside the cap is fine */
	{
		size_t big = 1000000;
		char *b = xmalloc(big + 10);

		memcpy(b, "descr: ", 7);
		memset(b + 7, 'x', big - 8);
		b[big - 1] = '\n';
		write_file(path, b, big, 1);
		free(b);
		r = rpsl_reader_open(path, &err);
		CHECK(r != NULL);
		if (r != NULL) {
			CHECK_INT(rpsl_reader_next(r, &text, &tlen, &line), 1);
			CHECK_INT(tlen, big);
			CHECK_INT(rpsl_reader_next(r, &text, &tlen, &line), 0);
			rpsl_reader_close(r);
		}
	}

	unlink(path);
	free(dump);

	r = rpsl_reader_open("/nonexistent/dir/file.db", &err);
	CHECK(r == NULL);
	CHECK_MSG(err != NULL && strstr(err, "/nonexistent/dir/file.db: cannot open: No such file") != NULL,
		  "%s", err ? err : "(null)");
	free(err);
}

int main(void)
{
	log_init("rpsl_reader_test");
	TEST_RUN(test_basic);
	TEST_RUN(test_comments);
	TEST_RUN(test_encoding);
	TEST_RUN(test_files);
	return test_summary("rpsl_reader_test");
}
