/*
 * copy.c - growable byte buffers and the framing of PostgreSQL's binary
 * COPY format (header, trailer). Row fields are written by load.c.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql_int.h"

void sql_buf_reserve(struct sql_buf *b, size_t more)
{
	size_t want = b->len + more;

	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 4096;
	while (b->cap < want)
		b->cap *= 2;
	b->d = xrealloc(b->d, b->cap);
}

void sql_buf_free(struct sql_buf *b)
{
	free(b->d);
	b->d = NULL;
	b->len = b->cap = 0;
}

void sql_buf_put(struct sql_buf *b, const void *p, size_t n)
{
	sql_buf_reserve(b, n);
	memcpy(b->d + b->len, p, n);
	b->len += n;
}

/* "PGCOPY\n\377\r\n\0", flags, header extension length */
void sql_copy_header(struct sql_buf *b)
{
	static const char sig[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0' };
	uint32_t zero = 0;

	sql_buf_put(b, sig, sizeof(sig));
	sql_buf_put(b, &zero, 4);
	sql_buf_put(b, &zero, 4);
}

void sql_copy_trailer(struct sql_buf *b)
{
	uint16_t v = htons(0xffff);

	sql_buf_put(b, &v, 2);
}
