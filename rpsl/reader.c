/*
 * reader.c - streaming splitter for RPSL dump files (rpsl_reader_* in
 * rpsl.h).
 *
 * Input is read in chunks through zlib, which reads gzip members and plain
 * files alike (gzip is detected by content, not by the file name). Objects
 * are runs of lines separated by empty lines. As IRRd's file import does,
 * a line holding only spaces or tabs is not empty: inside an object it is
 * a continuation line (IRRd renders it as '+'); before an object starts it
 * is skipped. As IRRd's file import does
 * (irrd/utils/text.py split_paragraphs_rpsl), lines starting with '%' or '#'
 * are dropped wherever they occur, between objects and inside them.
 * Lines end in LF; a CR before the LF is removed.
 *
 * Bytes that are not valid UTF-8 are replaced by the text "\xNN" per byte,
 * as Python's errors="backslashreplace" does when IRRd reads a dump, and
 * NUL bytes likewise (PostgreSQL text cannot hold them).
 *
 * Memory: one input chunk plus one object buffer that grows to the largest
 * object, capped at RPSL_MAX_OBJECT.
 */
#include "rpsl/rpsl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rpsl/log.h"

#define READ_CHUNK (256u * 1024)

struct rpsl_reader {
	char *name;
	gzFile gz;		/* NULL for an in-memory reader */

	/* Raw input: bytes [pos, end) of buf are unread. For a memory reader
	 * buf points at the caller's data and is not owned. */
	char *buf;
	size_t cap, pos, end;
	bool owned;
	bool eof;		/* no more input beyond [pos, end) */

	unsigned long lineno;	/* lines consumed so far */

	char *obj;		/* current object text */
	size_t objlen, objcap;

	char *err;
	bool failed;
};

static struct rpsl_reader *reader_new(const char *name)
{
	struct rpsl_reader *r = xcalloc(1, sizeof(*r));

	r->name = xstrdup(name);
	return r;
}

struct rpsl_reader *rpsl_reader_open(const char *path, char **errmsg)
{
	struct rpsl_reader *r;
	gzFile gz;

	*errmsg = NULL;
	errno = 0;
	gz = gzopen(path, "rb");
	if (gz == NULL) {
		*errmsg = xasprintf("%s: cannot open: %s", path,
				    errno ? strerror(errno) : "out of memory");
		return NULL;
	}
	gzbuffer(gz, 128u * 1024);
	r = reader_new(path);
	r->gz = gz;
	r->cap = READ_CHUNK;
	r->buf = xmalloc(r->cap);
	r->owned = true;
	return r;
}

struct rpsl_reader *rpsl_reader_mem(const char *buf, size_t len, const char *name)
{
	struct rpsl_reader *r = reader_new(name ? name : "(memory)");

	r->buf = (char *)buf;	/* read only; never written through */
	r->cap = r->end = len;
	r->eof = true;
	return r;
}

void rpsl_reader_close(struct rpsl_reader *r)
{
	if (r == NULL)
		return;
	if (r->gz != NULL)
		gzclose(r->gz);
	if (r->owned)
		free(r->buf);
	free(r->obj);
	free(r->err);
	free(r->name);
	free(r);
}

const char *rpsl_reader_error(const struct rpsl_reader *r)
{
	return r->err ? r->err : "no error";
}

static int reader_fail(struct rpsl_reader *r, char *msg)
{
	free(r->err);
	r->err = msg;
	r->failed = true;
	return -1;
}

/*
 * Read more input so that [pos, end) grows. 1 if bytes were added, 0 at end
 * of input, -1 on a read error (truncated or corrupt gzip, I/O error).
 */
static int reader_fill(struct rpsl_reader *r)
{
	int n, zerr;
	const char *zmsg;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->end == r->cap) {
		/* One line longer than the buffer: grow, up to the object cap. */
		if (r->cap >= RPSL_MAX_OBJECT + 2)
			return reader_fail(r, xasprintf("%s: line %lu: line longer than %u bytes",
							r->name, r->lineno + 1, RPSL_MAX_OBJECT));
		r->cap *= 2;
		if (r->cap > RPSL_MAX_OBJECT + 2)
			r->cap = RPSL_MAX_OBJECT + 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end));
	zmsg = gzerror(r->gz, &zerr);
	if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
		if (zerr == Z_ERRNO)
			return reader_fail(r, xasprintf("%s: read error after line %lu: %s",
							r->name, r->lineno, strerror(errno)));
		return reader_fail(r, xasprintf("%s: corrupt gzip data after line %lu "
						"(compressed offset %lld): %s", r->name, r->lineno,
						(long long)gzoffset(r->gz), zmsg));
	}
	if (n == 0) {
		r->eof = true;
		if (zerr == Z_BUF_ERROR)
			return reader_fail(r, xasprintf("%s: truncated gzip input after line %lu "
							"(compressed offset %lld): %s", r->name,
							r->lineno, (long long)gzoffset(r->gz), zmsg));
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

static void obj_reserve(struct rpsl_reader *r, size_t more)
{
	size_t want = r->objlen + more + 1;

	if (want <= r->objcap)
		return;
	if (r->objcap == 0)
		r->objcap = 4096;
	while (r->objcap < want)
		r->objcap *= 2;
	r->obj = xrealloc(r->obj, r->objcap);
}

/* Length of the valid UTF-8 sequence (not NUL) at s, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)		/* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0)		/* surrogates */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)		/* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)		/* > U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

/* Append one line (without its terminator) and a '\n' to the object,
 * replacing invalid bytes. -1 if the object grows beyond the cap. */
static int obj_append_line(struct rpsl_reader *r, const char *line, size_t len,
			   unsigned long first)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i, clean;

	/* Fast path: plain ASCII without NUL. */
	for (clean = 0; clean < len; clean++)
		if (s[clean] == 0 || s[clean] >= 0x80)
			break;
	if (r->objlen + len + 1 > RPSL_MAX_OBJECT)
		goto toolong;
	obj_reserve(r, len + 1);
	memcpy(r->obj + r->objlen, line, clean);
	r->objlen += clean;
	for (i = clean; i < len;) {
		size_t n = utf8_seq(s + i, len - i);

		if (n > 0) {
			obj_reserve(r, n);
			memcpy(r->obj + r->objlen, s + i, n);
			r->objlen += n;
			i += n;
		} else {
			obj_reserve(r, 4 + (len - i));
			snprintf(r->obj + r->objlen, 5, "\\x%02x", s[i]);
			r->objlen += 4;
			i++;
		}
		if (r->objlen + 1 > RPSL_MAX_OBJECT)
			goto toolong;
	}
	obj_reserve(r, 1);
	r->obj[r->objlen++] = '\n';
	return 0;
toolong:
	return reader_fail(r, xasprintf("%s: line %lu: object larger than %u bytes",
					r->name, first, RPSL_MAX_OBJECT));
}

static bool line_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
			return false;
	return true;
}

int rpsl_reader_next(struct rpsl_reader *r, const char **text, size_t *len, unsigned long *line)
{
	unsigned long first = 0;

	if (r->failed)
		return -1;
	r->objlen = 0;
	for (;;) {
		char *start = r->buf + r->pos, *nl;
		size_t avail = r->end - r->pos, linelen, adv;
		int rc;

		nl = avail ? memchr(start, '\n', avail) : NULL;
		if (nl == NULL) {
			rc = reader_fill(r);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
			if (avail == 0)
				break;		/* end of input */
			linelen = adv = avail;	/* last line without LF */
		} else {
			linelen = (size_t)(nl - start);
			adv = linelen + 1;
		}
		r->pos += adv;
		r->lineno++;
		if (linelen > 0 && start[linelen - 1] == '\r')
			linelen--;
		if (linelen > 0 && (start[0] == '%' || start[0] == '#'))
			continue;
		if (linelen == 0) {
			if (r->objlen > 0)
				break;
			continue;
		}
		if (r->objlen == 0 && line_blank(start, linelen))
			continue;
		if (r->objlen == 0)
			first = r->lineno;
		if (obj_append_line(r, start, linelen, first) < 0)
			return -1;
	}
	if (r->objlen == 0)
		return 0;
	r->obj[r->objlen] = '\0';
	*text = r->obj;
	*len = r->objlen;
	*line = first;
	return 1;
}
