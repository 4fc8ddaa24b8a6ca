/*
 * diff.c - the unified diff of an object's old and new text in
 * notifications. IRRd prints Python's difflib.unified_diff; to give the
 * same hunks this follows difflib's SequenceMatcher: the longest matching
 * block first (earliest in a, then in b, on ties), recursively on both
 * sides, lines of b that occur more than 1% of the time ignored as
 * anchors when b has 200 lines or more ("autojunk"), 3 lines of context.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"
#include "rpsl/log.h"

struct line {
	const char *s;
	size_t n;
};

struct lines {
	struct line *v;
	size_t n;
};

/* splitline_unicodesafe: strip "\n" at both ends, split on "\n", strip
 * "\r" from each line's ends. An empty text has no lines. */
static void split(const char *t, struct lines *out)
{
	size_t len = strlen(t);
	const char *p = t, *e = t + len;

	out->v = NULL;
	out->n = 0;
	while (p < e && *p == '\n')
		p++;
	while (e > p && e[-1] == '\n')
		e--;
	if (p == e && len == 0)
		return;
	if (p == e) {
		/* only newlines: "".split("\n") is [""] ... but IRRd's helper
		 * returns nothing for an empty input only */
	}
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		const char *ls = p;

		while (ls < le && *ls == '\r')
			ls++;
		while (le > ls && le[-1] == '\r')
			le--;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n].s = ls;
		out->v[out->n].n = (size_t)(le - ls);
		out->n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static bool line_eq(const struct line *x, const struct line *y)
{
	return x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
}

struct match {
	size_t i, j, k;
};

/* b's distinct lines, each with its positions (b2j). */
struct bclass {
	const struct line *l;
	size_t *pos;
	size_t n;
	bool popular;
};

struct matcher {
	const struct lines *a, *b;
	struct bclass *cls;		/* hash table of b's lines */
	size_t ncap;
	/* for each line of a: its class in b, or NULL (no equal line, or a
	 * popular one that anchors nothing) */
	struct bclass **acls;
	size_t *j2len, *newj2len;	/* indexed by j + 1 */
	size_t *touched, *ntouched_buf;
};

static uint64_t line_hash(const struct line *l)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < l->n; i++)
		h = (h ^ (unsigned char)l->s[i]) * 1099511628211ull;
	return h;
}

static struct bclass *class_find(struct matcher *m, const struct line *l, bool create)
{
	size_t i = line_hash(l) & (m->ncap - 1);

	while (m->cls[i].l != NULL) {
		if (line_eq(m->cls[i].l, l))
			return &m->cls[i];
		i = (i + 1) & (m->ncap - 1);
	}
	if (!create)
		return NULL;
	m->cls[i].l = l;
	return &m->cls[i];
}

static void matcher_init(struct matcher *m, const struct lines *a, const struct lines *b)
{
	size_t ntest = b->n / 100 + 1;
	bool autojunk = b->n >= 200;

	m->a = a;
	m->b = b;
	m->ncap = 16;
	while (m->ncap < 2 * b->n + 2)
		m->ncap *= 2;
	m->cls = xcalloc(m->ncap, sizeof(*m->cls));
	/* two passes: count, then fill in ascending order */
	for (size_t j = 0; j < b->n; j++)
		class_find(m, &b->v[j], true)->n++;
	for (size_t k = 0; k < m->ncap; k++) {
		struct bclass *c = &m->cls[k];

		if (c->l == NULL)
			continue;
		c->popular = autojunk && c->n > ntest;
		c->pos = xcalloc(c->n, sizeof(size_t));
		c->n = 0;
	}
	for (size_t j = 0; j < b->n; j++) {
		struct bclass *c = class_find(m, &b->v[j], false);

		c->pos[c->n++] = j;
	}
	m->acls = xcalloc(a->n + 1, sizeof(*m->acls));
	for (size_t i = 0; i < a->n; i++) {
		struct bclass *c = class_find(m, &a->v[i], false);

		m->acls[i] = c != NULL && !c->popular ? c : NULL;
	}
	m->j2len = xcalloc(b->n + 2, sizeof(size_t));
	m->newj2len = xcalloc(b->n + 2, sizeof(size_t));
	m->touched = xcalloc(b->n + 2, sizeof(size_t));
	m->ntouched_buf = xcalloc(b->n + 2, sizeof(size_t));
}

static void matcher_free(struct matcher *m)
{
	for (size_t k = 0; k < m->ncap; k++)
		free(m->cls[k].pos);
	free(m->cls);
	free(m->acls);
	free(m->j2len);
	free(m->newj2len);
	free(m->touched);
	free(m->ntouched_buf);
}

static struct match longest(struct matcher *m, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	const struct lines *a = m->a, *b = m->b;
	size_t besti = alo, bestj = blo, bestk = 0;
	size_t nt = 0;		/* entries of j2len set in the previous row */

	for (size_t i = alo; i < ahi; i++) {
		size_t nn = 0;

		const struct bclass *c = m->acls[i];

		for (size_t x = 0; c != NULL && x < c->n; x++) {
			size_t j = c->pos[x], k;

			if (j < blo)
				continue;
			if (j >= bhi)
				break;
			k = m->j2len[j] + 1;	/* j2len[j] holds the length ending at j - 1 */
			m->newj2len[j + 1] = k;
			m->ntouched_buf[nn++] = j + 1;
			if (k > bestk) {
				besti = i - k + 1;
				bestj = j - k + 1;
				bestk = k;
			}
		}
		/* j2len = newj2len */
		for (size_t t = 0; t < nt; t++)
			m->j2len[m->touched[t]] = 0;
		for (size_t t = 0; t < nn; t++) {
			size_t idx = m->ntouched_buf[t];

			m->j2len[idx] = m->newj2len[idx];
			m->newj2len[idx] = 0;
			m->touched[t] = idx;
		}
		nt = nn;
	}
	for (size_t t = 0; t < nt; t++)
		m->j2len[m->touched[t]] = 0;
	while (besti > alo && bestj > blo && line_eq(&a->v[besti - 1], &b->v[bestj - 1])) {
		besti--;
		bestj--;
		bestk++;
	}
	while (besti + bestk < ahi && bestj + bestk < bhi && line_eq(&a->v[besti + bestk], &b->v[bestj + bestk]))
		bestk++;
	return (struct match){ besti, bestj, bestk };
}

static int match_cmp(const void *x, const void *y)
{
	const struct match *p = x, *q = y;

	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	if (p->j != q->j)
		return p->j < q->j ? -1 : 1;
	if (p->k != q->k)
		return p->k < q->k ? -1 : 1;
	return 0;
}

/* difflib's get_matching_blocks, the (la, lb, 0) sentinel included. */
static struct match *matching_blocks(struct matcher *m, size_t *nout)
{
	struct { size_t alo, ahi, blo, bhi; } *queue = NULL;
	size_t nq = 0, nb = 0, no = 0;
	struct match *blocks = NULL, *out;

	queue = xrealloc(queue, sizeof(*queue));
	queue[nq].alo = 0;
	queue[nq].ahi = m->a->n;
	queue[nq].blo = 0;
	queue[nq].bhi = m->b->n;
	nq++;
	while (nq > 0) {
		size_t alo, ahi, blo, bhi;
		struct match x;

		nq--;
		alo = queue[nq].alo;
		ahi = queue[nq].ahi;
		blo = queue[nq].blo;
		bhi = queue[nq].bhi;
		x = longest(m, alo, ahi, blo, bhi);
		if (x.k == 0)
			continue;
		blocks = xrealloc(blocks, (nb + 1) * sizeof(*blocks));
		blocks[nb++] = x;
		queue = xrealloc(queue, (nq + 2) * sizeof(*queue));
		if (alo < x.i && blo < x.j) {
			queue[nq].alo = alo;
			queue[nq].ahi = x.i;
			queue[nq].blo = blo;
			queue[nq].bhi = x.j;
			nq++;
		}
		if (x.i + x.k < ahi && x.j + x.k < bhi) {
			queue[nq].alo = x.i + x.k;
			queue[nq].ahi = ahi;
			queue[nq].blo = x.j + x.k;
			queue[nq].bhi = bhi;
			nq++;
		}
	}
	free(queue);
	if (nb > 1)
		qsort(blocks, nb, sizeof(*blocks), match_cmp);
	out = xcalloc(nb + 1, sizeof(*out));
	{
		size_t i1 = 0, j1 = 0, k1 = 0;

		for (size_t t = 0; t < nb; t++) {
			if (i1 + k1 == blocks[t].i && j1 + k1 == blocks[t].j) {
				k1 += blocks[t].k;
			} else {
				if (k1)
					out[no++] = (struct match){ i1, j1, k1 };
				i1 = blocks[t].i;
				j1 = blocks[t].j;
				k1 = blocks[t].k;
			}
		}
		if (k1)
			out[no++] = (struct match){ i1, j1, k1 };
	}
	out[no++] = (struct match){ m->a->n, m->b->n, 0 };
	free(blocks);
	*nout = no;
	return out;
}

enum { OP_EQUAL, OP_REPLACE, OP_DELETE, OP_INSERT };
struct opcode {
	int tag;
	size_t i1, i2, j1, j2;
};

static struct opcode *opcodes(const struct match *mb, size_t nmb, size_t *nout)
{
	struct opcode *ops = xcalloc(2 * nmb + 1, sizeof(*ops));
	size_t n = 0, i = 0, j = 0;

	for (size_t t = 0; t < nmb; t++) {
		int tag = -1;

		if (i < mb[t].i && j < mb[t].j)
			tag = OP_REPLACE;
		else if (i < mb[t].i)
			tag = OP_DELETE;
		else if (j < mb[t].j)
			tag = OP_INSERT;
		if (tag >= 0)
			ops[n++] = (struct opcode){ tag, i, mb[t].i, j, mb[t].j };
		i = mb[t].i + mb[t].k;
		j = mb[t].j + mb[t].k;
		if (mb[t].k)
			ops[n++] = (struct opcode){ OP_EQUAL, mb[t].i, i, mb[t].j, j };
	}
	*nout = n;
	return ops;
}

static void range_fmt(struct mail_buf *b, size_t start, size_t stop)
{
	size_t beginning = start + 1, length = stop - start;

	if (length == 1) {
		mail_buf_printf(b, "%zu", beginning);
		return;
	}
	if (length == 0)
		beginning--;
	mail_buf_printf(b, "%zu,%zu", beginning, length);
}

static void emit(struct mail_buf *out, bool *first, char prefix, const struct line *l)
{
	if (!*first)
		mail_buf_add(out, "\n", 1);
	*first = false;
	mail_buf_add(out, &prefix, 1);
	mail_buf_add(out, l->s, l->n);
}

static void emit_group(struct mail_buf *out, bool *first, const struct lines *a, const struct lines *b,
		       const struct opcode *g, size_t ng)
{
	if (!*first)
		mail_buf_add(out, "\n", 1);
	*first = false;
	mail_buf_puts(out, "@@ -");
	range_fmt(out, g[0].i1, g[ng - 1].i2);
	mail_buf_puts(out, " +");
	range_fmt(out, g[0].j1, g[ng - 1].j2);
	mail_buf_puts(out, " @@");
	for (size_t t = 0; t < ng; t++) {
		if (g[t].tag == OP_EQUAL) {
			for (size_t i = g[t].i1; i < g[t].i2; i++)
				emit(out, first, ' ', &a->v[i]);
			continue;
		}
		if (g[t].tag == OP_REPLACE || g[t].tag == OP_DELETE)
			for (size_t i = g[t].i1; i < g[t].i2; i++)
				emit(out, first, '-', &a->v[i]);
		if (g[t].tag == OP_REPLACE || g[t].tag == OP_INSERT)
			for (size_t j = g[t].j1; j < g[t].j2; j++)
				emit(out, first, '+', &b->v[j]);
	}
}

char *mail_unified_diff(const char *at, const char *bt)
{
	struct lines a, b;
	struct matcher m;
	struct match *mb;
	struct opcode *codes, *group;
	size_t nmb, nc, ng = 0;
	const size_t n = 3, nn = 6;
	struct mail_buf out = { 0 };
	bool first = true;

	split(at, &a);
	split(bt, &b);
	matcher_init(&m, &a, &b);
	mb = matching_blocks(&m, &nmb);
	codes = opcodes(mb, nmb, &nc);
	if (nc == 0) {
		free(codes);
		codes = xcalloc(1, sizeof(*codes));
		codes[0] = (struct opcode){ OP_EQUAL, 0, 1, 0, 1 };
		nc = 1;
	}
	if (codes[0].tag == OP_EQUAL) {
		struct opcode *c = &codes[0];

		c->i1 = c->i2 >= n && c->i2 - n > c->i1 ? c->i2 - n : c->i1;
		c->j1 = c->j2 >= n && c->j2 - n > c->j1 ? c->j2 - n : c->j1;
	}
	if (codes[nc - 1].tag == OP_EQUAL) {
		struct opcode *c = &codes[nc - 1];

		c->i2 = c->i1 + n < c->i2 ? c->i1 + n : c->i2;
		c->j2 = c->j1 + n < c->j2 ? c->j1 + n : c->j2;
	}
	group = xcalloc(2 * nc + 2, sizeof(*group));
	for (size_t t = 0; t < nc; t++) {
		struct opcode c = codes[t];

		if (c.tag == OP_EQUAL && c.i2 - c.i1 > nn) {
			group[ng++] = (struct opcode){ OP_EQUAL, c.i1, c.i1 + n < c.i2 ? c.i1 + n : c.i2, c.j1,
						       c.j1 + n < c.j2 ? c.j1 + n : c.j2 };
			emit_group(&out, &first, &a, &b, group, ng);
			ng = 0;
			c.i1 = c.i2 - n > c.i1 ? c.i2 - n : c.i1;
			c.j1 = c.j2 >= n && c.j2 - n > c.j1 ? c.j2 - n : c.j1;
		}
		group[ng++] = c;
	}
	if (ng > 0 && !(ng == 1 && group[0].tag == OP_EQUAL))
		emit_group(&out, &first, &a, &b, group, ng);
	free(group);
	free(codes);
	free(mb);
	matcher_free(&m);
	free(a.v);
	free(b.v);
	return mail_buf_take(&out);
}
