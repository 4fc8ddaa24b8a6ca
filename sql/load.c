/*
 * load.c - bulk loading of RPSL dumps (sql_load_dump, sql_update_dump in
 * sql.h).
 *
 * The pipeline, so that both cores work and memory stays flat:
 *
 *   reader thread --batches--> worker threads --rows--> calling thread
 *   (gunzip, split)            (parse, render,          (rejections in input
 *                               encode COPY rows)        order, PQputCopyData)
 *
 * Batches carry a sequence number; the calling thread consumes them in
 * order, so rejections are reported in input order and, of two objects with
 * the same key, the later one gets the later row id (which is how "last one
 * wins" is decided in SQL). At most MAX_INFLIGHT batches exist at a time.
 *
 * Rows go to the server in PostgreSQL's binary COPY format: no escaping of
 * object texts on our side, no text-to-inet parsing on the server's.
 *
 * A full load COPYs into a fresh table and lets irrd_load_finish() (see
 * schema.c) build its indexes in bulk and swap it in as the source's
 * partition. An update COPYs into a temporary table and computes the diff
 * in SQL.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "sql/sql_int.h"

#define BATCH_OBJECTS	2048
#define BATCH_BYTES	(1u << 20)
#define MAX_INFLIGHT_PER_JOB 4
#define MAX_JOBS	16

/* Columns of a COPY row, in this order. */
#define COPY_COLUMNS "rpsl_pk, source, object_class, object_text, ip_version, ip_first, ip_last," \
		     " prefix, prefix_length, asn_first, asn_last, origin, lookup, rpki_status"
#define COPY_NFIELDS 14

struct in_obj {
	size_t off, len;
	unsigned long line;
	int file;
};

struct reject {
	int file;
	unsigned long line;
	char *cls, *pk, *reason;
};

struct batch {
	struct batch *next;
	long seq;
	/* input */
	struct sql_buf in;
	struct in_obj *objs;
	size_t nobjs, capobjs;
	/* output */
	struct sql_buf out;
	struct reject *rej;
	size_t nrej, caprej;
	long nrows, nignored;
};

struct load {
	const struct sql_load_opts *o;
	char last_modified[64];		/* "last-modified:  2024-01-01T00:00:00Z\n" or "" */

	pthread_mutex_t mu;
	pthread_cond_t todo_cv, done_cv, space_cv;
	struct batch *todo_head, *todo_tail;	/* FIFO for workers */
	struct batch *done;			/* unordered, finished */
	struct batch *free_list;
	int inflight, max_inflight;
	long produced;			/* batches handed out by the reader */
	bool reader_done;
	bool abort;
	char *read_err;			/* reader failure */
};

/* ---- binary COPY fields ---- */

static void put16(struct sql_buf *b, uint16_t v)
{
	v = htons(v);
	sql_buf_put(b, &v, 2);
}

static void put32(struct sql_buf *b, uint32_t v)
{
	v = htonl(v);
	sql_buf_put(b, &v, 4);
}

static void put64(struct sql_buf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

static void field_null(struct sql_buf *b)
{
	put32(b, 0xffffffffu);
}

static void field_text(struct sql_buf *b, const char *s, size_t n)
{
	put32(b, (uint32_t)n);
	sql_buf_put(b, s, n);
}

static void field_i16(struct sql_buf *b, int v)
{
	put32(b, 2);
	put16(b, (uint16_t)v);
}

static void field_i64(struct sql_buf *b, int64_t v)
{
	put32(b, 8);
	put64(b, (uint64_t)v);
}

/* inet/cidr: family (PGSQL_AF_INET 2, PGSQL_AF_INET6 3), bits, is_cidr,
 * address length, address bytes */
static void field_inet(struct sql_buf *b, uint8_t family, unsigned bits, bool cidr, const uint8_t *a)
{
	uint8_t n = family == IP_AF4 ? 4 : 16;
	uint8_t hdr[4] = { family == IP_AF4 ? 2 : 3, (uint8_t)bits, cidr, n };

	put32(b, 4u + n);
	sql_buf_put(b, hdr, 4);
	sql_buf_put(b, a, n);
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* text[] of "attr=VALUE" for every value of a lookup attribute that is not
 * part of the primary key */
static void field_lookup(struct sql_buf *b, const struct rpsl_object *obj)
{
	const char *const *attrs = rpsl_lookup_attrs(obj->cls);
	const char *const *pkattrs = rpsl_pk_attrs(obj->cls);
	size_t lenpos, start, countpos;
	uint32_t count = 0;

	put32(b, 0);			/* field length, patched below */
	lenpos = b->len - 4;
	start = b->len;
	put32(b, 1);			/* ndim */
	put32(b, 0);			/* no NULLs */
	put32(b, 25);			/* element type: text */
	put32(b, 0);			/* dimension size, patched */
	countpos = b->len - 4;
	put32(b, 1);			/* lower bound */
	for (size_t i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		struct rpsl_values v;
		size_t an = strlen(attrs[i]);

		/* Primary key attributes are searched through their own
		 * columns (rpsl_pk, prefix, origin); leaving them out halves
		 * the GIN index and its build time. */
		if (in_list(pkattrs, attrs[i]))
			continue;
		v = rpsl_get(obj, attrs[i]);

		for (size_t j = 0; j < v.n; j++) {
			size_t vn = strlen(v.v[j]);

			put32(b, (uint32_t)(an + 1 + vn));
			sql_buf_put(b, attrs[i], an);
			sql_buf_put(b, "=", 1);
			sql_buf_put(b, v.v[j], vn);
			count++;
		}
	}
	if (count == 0) {
		/* the empty array has no dimensions */
		b->len = start;
		put32(b, 0);
		put32(b, 0);
		put32(b, 25);
	} else {
		uint32_t c = htonl(count);

		memcpy(b->d + countpos, &c, 4);
	}
	{
		uint32_t l = htonl((uint32_t)(b->len - start));

		memcpy(b->d + lenpos, &l, 4);
	}
}

/*
 * The text to store: the rendered object, and for authoritative sources
 * with every last-modified attribute replaced by one with the load's time
 * (IRRd's render_rpsl_text(last_modified=...)).
 */
static void field_object_text(struct load *L, struct sql_buf *b, const char *text, size_t len)
{
	size_t lenpos, start;
	const char *p = text, *end = text + len;
	bool skipping = false;

	if (L->last_modified[0] == '\0') {
		field_text(b, text, len);
		return;
	}
	put32(b, 0);
	lenpos = b->len - 4;
	start = b->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;

		if (p[0] == ' ' || p[0] == '\t' || p[0] == '+') {
			if (!skipping)
				sql_buf_put(b, p, (size_t)(next - p));
		} else {
			skipping = (size_t)(end - p) >= 14 && strncasecmp(p, "last-modified:", 14) == 0;
			if (!skipping)
				sql_buf_put(b, p, (size_t)(next - p));
		}
		p = next;
	}
	if (b->len > start && b->d[b->len - 1] != '\n')
		sql_buf_put(b, "\n", 1);
	sql_buf_put(b, L->last_modified, strlen(L->last_modified));
	{
		uint32_t l = htonl((uint32_t)(b->len - start));

		memcpy(b->d + lenpos, &l, 4);
	}
}

/* rpki_status: in RPKI-aware mode the state of a route/route6 under the
 * ROA set in force (opts->rpki_state), else not_found. An enum's binary
 * form is its label. */
static void field_rpki(struct load *L, struct sql_buf *b, const struct rpsl_object *obj)
{
	enum rpki_state st = RPKI_NOT_FOUND;
	const char *name;

	if (L->o->rpki_state != NULL && (obj->cls == RPSL_ROUTE || obj->cls == RPSL_ROUTE6) &&
	    obj->has_prefix && obj->has_origin)
		st = L->o->rpki_state(L->o->rpki_arg, &obj->prefix, obj->origin);
	name = rpki_state_name(st);
	field_text(b, name, strlen(name));
}

static void encode_row(struct load *L, struct sql_buf *b, const struct rpsl_object *obj,
		       const char *text, size_t len)
{
	const char *cls = rpsl_class_name(obj->cls);

	put16(b, COPY_NFIELDS);
	field_text(b, obj->pk, strlen(obj->pk));
	field_text(b, obj->source, strlen(obj->source));
	field_text(b, cls, strlen(cls));
	field_object_text(L, b, text, len);
	if (obj->has_ip) {
		unsigned bits = ip_maxlen(obj->ip_first.family);

		field_i16(b, obj->ip_first.family);
		field_inet(b, obj->ip_first.family, bits, false, obj->ip_first.a);
		field_inet(b, obj->ip_last.family, bits, false, obj->ip_last.a);
	} else if (obj->has_prefix) {
		field_i16(b, obj->prefix.family);
		field_null(b);
		field_null(b);
	} else {
		field_null(b);
		field_null(b);
		field_null(b);
	}
	if (obj->has_prefix) {
		field_inet(b, obj->prefix.family, obj->prefix.len, true, obj->prefix.a);
		field_i16(b, obj->prefix.len);
	} else {
		field_null(b);
		field_null(b);
	}
	if (obj->has_asn) {
		field_i64(b, obj->asn_first);
		field_i64(b, obj->asn_last);
	} else {
		field_null(b);
		field_null(b);
	}
	if (obj->has_origin)
		field_i64(b, obj->origin);
	else
		field_null(b);
	field_lookup(b, obj);
	field_rpki(L, b, obj);
}

/* ---- per-object work (worker threads) ---- */

/* The class name as written: the first attribute name of the text. */
static char *first_attr_name(const char *text, size_t len)
{
	size_t n = 0;

	while (n < len && text[n] != ':' && text[n] != '\n')
		n++;
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	return xstrndup(text, n);
}

static void batch_reject(struct batch *b, const struct in_obj *io, char *cls, const char *pk,
			 char *reason)
{
	struct reject *r;

	if (b->nrej == b->caprej) {
		b->caprej = b->caprej ? b->caprej * 2 : 16;
		b->rej = xrealloc(b->rej, b->caprej * sizeof(*b->rej));
	}
	r = &b->rej[b->nrej++];
	r->file = io->file;
	r->line = io->line;
	r->cls = cls;
	r->pk = (pk != NULL && *pk != '\0') ? xstrdup(pk) : NULL;
	r->reason = reason;
}

static char *join_errors(const struct rpsl_messages *m)
{
	struct sql_buf b = { 0 };
	char *s;

	for (size_t i = 0; i < m->nerrors; i++) {
		const char *e = m->errors[i];

		if (i > 0)
			sql_buf_put(&b, "; ", 2);
		for (; *e; e++) {
			char ch = (*e == '\n' || *e == '\r' || *e == '\t') ? ' ' : *e;

			sql_buf_put(&b, &ch, 1);
		}
	}
	sql_buf_put(&b, "", 1);
	s = xstrdup(b.d);
	sql_buf_free(&b);
	return s;
}

static void process_object(struct load *L, struct batch *b, const struct in_obj *io)
{
	const char *text = b->in.d + io->off;
	struct rpsl_object *obj;
	char *rendered;
	size_t rlen;

	obj = rpsl_parse_ex(text, io->len, RPSL_NONSTRICT, NULL, L->o->parse_opts);
	if (obj->cls == RPSL_CLASS_UNKNOWN || obj->cls >= RPSL_CLASS_COUNT) {
		char *cls = first_attr_name(text, io->len);

		if (strncmp(cls, "*xx", 3) == 0) {
			/* legacy IRRd artefacts, ignored as IRRd does */
			b->nignored++;
			free(cls);
		} else
			batch_reject(b, io, cls, NULL, xasprintf("Unknown object class: %s", cls));
		goto out;
	}
	if (obj->msgs.nerrors > 0) {
		batch_reject(b, io, xstrdup(rpsl_class_name(obj->cls)), obj->pk, join_errors(&obj->msgs));
		goto out;
	}
	if (obj->pk == NULL || obj->source == NULL || strcmp(obj->source, L->o->source) != 0) {
		batch_reject(b, io, xstrdup(rpsl_class_name(obj->cls)), obj->pk,
			     xasprintf("Invalid source %s for object %s, expected %s",
				       obj->source ? obj->source : "None", obj->pk ? obj->pk : "None",
				       L->o->source));
		goto out;
	}
	rendered = rpsl_render(obj, &rlen);
	encode_row(L, &b->out, obj, rendered, rlen);
	free(rendered);
	b->nrows++;
out:
	rpsl_object_free(obj);
}

/* ---- the pipeline ---- */

static struct batch *batch_get(struct load *L)
{
	struct batch *b;

	/* called with L->mu held */
	if ((b = L->free_list) != NULL) {
		L->free_list = b->next;
	} else
		b = xcalloc(1, sizeof(*b));
	b->next = NULL;
	b->in.len = b->out.len = 0;
	b->nobjs = b->nrej = 0;
	b->nrows = b->nignored = 0;
	return b;
}

static void batch_destroy(struct batch *b)
{
	sql_buf_free(&b->in);
	sql_buf_free(&b->out);
	free(b->objs);
	free(b->rej);
	free(b);
}

/* Hand a filled batch to the workers. false if the load was aborted. */
static bool batch_submit(struct load *L, struct batch *b)
{
	pthread_mutex_lock(&L->mu);
	b->seq = L->produced++;
	if (L->todo_tail)
		L->todo_tail->next = b;
	else
		L->todo_head = b;
	L->todo_tail = b;
	pthread_cond_signal(&L->todo_cv);
	pthread_mutex_unlock(&L->mu);
	return true;
}

/* Wait for room and take an empty batch; NULL if aborted. */
static struct batch *batch_reserve(struct load *L)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&L->mu);
	while (!L->abort && L->inflight >= L->max_inflight)
		pthread_cond_wait(&L->space_cv, &L->mu);
	if (!L->abort) {
		L->inflight++;
		b = batch_get(L);
	}
	pthread_mutex_unlock(&L->mu);
	return b;
}

static void *reader_main(void *arg)
{
	struct load *L = arg;
	struct batch *b = NULL;
	char *err = NULL;

	for (size_t f = 0; f < L->o->nfiles && err == NULL; f++) {
		struct rpsl_reader *r = rpsl_reader_open(L->o->files[f], &err);
		const char *text;
		size_t len;
		unsigned long line;
		int rc;

		if (r == NULL)
			break;
		while ((rc = rpsl_reader_next(r, &text, &len, &line)) == 1) {
			struct in_obj *io;

			if (b == NULL && (b = batch_reserve(L)) == NULL)
				break;
			if (b->nobjs == b->capobjs) {
				b->capobjs = b->capobjs ? b->capobjs * 2 : BATCH_OBJECTS;
				b->objs = xrealloc(b->objs, b->capobjs * sizeof(*b->objs));
			}
			io = &b->objs[b->nobjs++];
			io->off = b->in.len;
			io->len = len;
			io->line = line;
			io->file = (int)f;
			sql_buf_put(&b->in, text, len);
			sql_buf_put(&b->in, "", 1);	/* NUL-terminated for the parser */
			if (b->nobjs >= BATCH_OBJECTS || b->in.len >= BATCH_BYTES) {
				batch_submit(L, b);
				b = NULL;
			}
		}
		if (rc < 0)
			err = xstrdup(rpsl_reader_error(r));
		rpsl_reader_close(r);
		if (rc > 0)
			break;		/* aborted */
	}
	if (b != NULL)
		batch_submit(L, b);
	pthread_mutex_lock(&L->mu);
	L->read_err = err;
	L->reader_done = true;
	pthread_cond_broadcast(&L->done_cv);
	pthread_mutex_unlock(&L->mu);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct load *L = arg;

	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&L->mu);
		while (!L->abort && L->todo_head == NULL && !(L->reader_done))
			pthread_cond_wait(&L->todo_cv, &L->mu);
		if (L->abort || L->todo_head == NULL) {
			pthread_mutex_unlock(&L->mu);
			return NULL;
		}
		b = L->todo_head;
		L->todo_head = b->next;
		if (L->todo_head == NULL)
			L->todo_tail = NULL;
		pthread_mutex_unlock(&L->mu);

		for (size_t i = 0; i < b->nobjs; i++)
			process_object(L, b, &b->objs[i]);

		pthread_mutex_lock(&L->mu);
		b->next = L->done;
		L->done = b;
		pthread_cond_signal(&L->done_cv);
		pthread_mutex_unlock(&L->mu);
	}
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rejected keys, kept for sql_update_dump (never delete what we could not read). */
struct kept_keys {
	char **cls, **pk;
	size_t n, cap;
};

static void emit_rejects(const struct sql_load_opts *o, struct batch *b, struct sql_load_stats *st,
			 struct kept_keys *kept)
{
	for (size_t i = 0; i < b->nrej; i++) {
		struct reject *r = &b->rej[i];

		if (o->reject != NULL)
			o->reject(o->arg, o->files[r->file], r->line, r->cls, r->pk, r->reason);
		if (kept != NULL && r->pk != NULL) {
			if (kept->n == kept->cap) {
				kept->cap = kept->cap ? kept->cap * 2 : 16;
				kept->cls = xrealloc(kept->cls, kept->cap * sizeof(char *));
				kept->pk = xrealloc(kept->pk, kept->cap * sizeof(char *));
			}
			kept->cls[kept->n] = r->cls;
			kept->pk[kept->n++] = r->pk;
			r->cls = r->pk = NULL;
		}
		free(r->cls);
		free(r->pk);
		free(r->reason);
	}
	st->rejected += (long)b->nrej;
	b->nrej = 0;
}

/*
 * Run the pipeline into an open COPY ... FROM STDIN (FORMAT binary) on c.
 * Ends the COPY. Returns the number of rows sent, or -1 with *err.
 */
static long pipeline_run(struct sql_conn *c, struct load *L, struct sql_load_stats *st,
			 struct kept_keys *kept, char **err)
{
	const struct sql_load_opts *o = L->o;
	pthread_t reader, workers[MAX_JOBS];
	int jobs = o->jobs, started = 0;
	long next = 0, rows = 0;
	struct sql_buf hdr = { 0 };
	bool failed = false;
	PGresult *res;

	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (int)n : 1;
	}
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	L->max_inflight = MAX_INFLIGHT_PER_JOB * jobs;

	sql_copy_header(&hdr);
	if (PQputCopyData(c->pg, hdr.d, (int)hdr.len) != 1) {
		sql_buf_free(&hdr);
		sql_set_error(c, "COPY", NULL);
		*err = xstrdup(sql_error(c));
		return -1;
	}
	hdr.len = 0;

	if (pthread_create(&reader, NULL, reader_main, L) != 0)
		fatalx("cannot start the reader thread");
	for (; started < jobs; started++)
		if (pthread_create(&workers[started], NULL, worker_main, L) != 0)
			fatalx("cannot start a parser thread");

	for (;;) {
		struct batch *b = NULL, **pp;

		pthread_mutex_lock(&L->mu);
		for (;;) {
			for (pp = &L->done; *pp != NULL; pp = &(*pp)->next)
				if ((*pp)->seq == next)
					break;
			if (*pp != NULL) {
				b = *pp;
				*pp = b->next;
				break;
			}
			if (L->reader_done && next == L->produced)
				break;
			pthread_cond_wait(&L->done_cv, &L->mu);
		}
		pthread_mutex_unlock(&L->mu);
		if (b == NULL)
			break;
		next++;

		emit_rejects(o, b, st, kept);
		st->read += (long)b->nobjs - b->nignored;
		st->ignored += b->nignored;
		rows += b->nrows;
		if (b->out.len > 0 && PQputCopyData(c->pg, b->out.d, (int)b->out.len) != 1) {
			sql_set_error(c, "COPY", NULL);
			failed = true;
		}

		pthread_mutex_lock(&L->mu);
		b->next = L->free_list;
		L->free_list = b;
		L->inflight--;
		if (failed)
			L->abort = true;
		pthread_cond_broadcast(&L->space_cv);
		if (failed)
			pthread_cond_broadcast(&L->todo_cv);
		pthread_mutex_unlock(&L->mu);
		if (failed)
			break;
	}

	pthread_mutex_lock(&L->mu);
	L->abort = true;		/* everything is consumed or we stop */
	pthread_cond_broadcast(&L->todo_cv);
	pthread_cond_broadcast(&L->space_cv);
	pthread_mutex_unlock(&L->mu);
	pthread_join(reader, NULL);
	for (int i = 0; i < started; i++)
		pthread_join(workers[i], NULL);

	if (failed) {
		*err = xstrdup(sql_error(c));
		PQputCopyEnd(c->pg, "load aborted");
		while ((res = PQgetResult(c->pg)) != NULL)
			PQclear(res);
		sql_buf_free(&hdr);
		return -1;
	}
	if (L->read_err != NULL) {
		*err = xstrdup(L->read_err);
		PQputCopyEnd(c->pg, "input file unreadable");
		while ((res = PQgetResult(c->pg)) != NULL)
			PQclear(res);
		sql_buf_free(&hdr);
		return -1;
	}
	sql_copy_trailer(&hdr);
	if (PQputCopyData(c->pg, hdr.d, (int)hdr.len) != 1 || PQputCopyEnd(c->pg, NULL) != 1) {
		sql_buf_free(&hdr);
		sql_set_error(c, "COPY", NULL);
		*err = xstrdup(sql_error(c));
		return -1;
	}
	sql_buf_free(&hdr);
	while ((res = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
			sql_set_error(c, "COPY", res);
			*err = xstrdup(sql_error(c));
			failed = true;
		}
		PQclear(res);
	}
	return failed ? -1 : rows;
}

static void load_init(struct load *L, const struct sql_load_opts *o)
{
	memset(L, 0, sizeof(*L));
	L->o = o;
	pthread_mutex_init(&L->mu, NULL);
	pthread_cond_init(&L->todo_cv, NULL);
	pthread_cond_init(&L->done_cv, NULL);
	pthread_cond_init(&L->space_cv, NULL);
	if (o->authoritative) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(L->last_modified, sizeof(L->last_modified),
			 "last-modified:  %Y-%m-%dT%H:%M:%SZ\n", &tm);
	}
}

static void load_cleanup(struct load *L)
{
	struct batch *b;

	while ((b = L->free_list) != NULL) {
		L->free_list = b->next;
		batch_destroy(b);
	}
	while ((b = L->done) != NULL) {
		L->done = b->next;
		for (size_t i = 0; i < b->nrej; i++) {
			free(b->rej[i].cls);
			free(b->rej[i].pk);
			free(b->rej[i].reason);
		}
		batch_destroy(b);
	}
	while ((b = L->todo_head) != NULL) {
		L->todo_head = b->next;
		batch_destroy(b);
	}
	free(L->read_err);
	pthread_mutex_destroy(&L->mu);
	pthread_cond_destroy(&L->todo_cv);
	pthread_cond_destroy(&L->done_cv);
	pthread_cond_destroy(&L->space_cv);
}

static void stats_init(struct sql_load_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->serial_first = st->serial_last = -1;
}

/* COPY into table t (a name we generated, not user data). freeze: t was
 * created in this transaction, so rows can be written frozen (no hint-bit
 * rewrites and no anti-wraparound vacuum of a million rows later). */
static int copy_start(struct sql_conn *c, const char *t, bool freeze)
{
	char *q = xasprintf("COPY %s (" COPY_COLUMNS ") FROM STDIN (FORMAT binary%s)", t,
			    freeze ? ", FREEZE" : "");
	PGresult *res = PQexecParams(c->pg, q, 0, NULL, NULL, NULL, NULL, 0);
	int rc = 0;

	free(q);
	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		sql_set_error(c, "COPY", res);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static bool valid_table_name(const char *t)
{
	if (strncmp(t, "rpsl_objects_load_", 18) != 0 || t[18] == '\0')
		return false;
	for (const char *p = t + 18; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int sql_load_dump(struct sql_conn *c, const struct sql_load_opts *o, struct sql_load_stats *st,
		  char **err)
{
	struct load L;
	PGresult *res;
	char *table = NULL, serial[32];
	const char *params[4];
	long rows;
	double t0, t1;

	*err = NULL;
	stats_init(st);
	if (sql_begin(c) < 0)
		goto dberr;
	/* the index builds at the end sort a million rows */
	if (sql_do(c, "load", "SET LOCAL maintenance_work_mem = '256MB'", 0, NULL) < 0)
		goto dberr;
	params[0] = o->source;
	res = sql_run(c, "load", PGRES_TUPLES_OK, "SELECT irrd_load_begin($1)", 1, params);
	if (res == NULL)
		goto dberr;
	table = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!valid_table_name(table)) {
		*err = xasprintf("load: unexpected table name %s", table);
		goto fail;
	}
	if (copy_start(c, table, true) < 0)
		goto dberr;

	t0 = now_sec();
	load_init(&L, o);
	rows = pipeline_run(c, &L, st, NULL, err);
	load_cleanup(&L);
	t1 = now_sec();
	st->seconds_copy = t1 - t0;
	if (rows < 0)
		goto fail;

	snprintf(serial, sizeof(serial), "%lld", (long long)o->serial);
	params[1] = table;
	params[2] = o->serial >= 0 ? serial : NULL;
	params[3] = o->synchronised_serials ? "true" : "false";
	res = sql_run(c, "load", PGRES_TUPLES_OK, "SELECT irrd_load_finish($1, $2, $3, $4)", 4, params);
	if (res == NULL)
		goto dberr;
	st->duplicates = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	st->loaded = rows - st->duplicates;
	if (sql_commit(c) < 0)
		goto dberr;
	st->seconds_finish = now_sec() - t1;
	free(table);
	return 0;

dberr:
	*err = xstrdup(sql_error(c));
fail:
	sql_rollback(c);
	free(table);
	return -1;
}

/* ---- update: the dump as a diff ---- */

static const char update_stage_sql[] =
	"CREATE TEMP TABLE irrd_update_stage (LIKE rpsl_objects INCLUDING DEFAULTS) ON COMMIT DROP";

/* Keep the last of several objects with one key (highest id = latest in input). */
static const char update_dedup_sql[] =
	"DELETE FROM irrd_update_stage a USING (SELECT rpsl_pk, object_class, max(id) AS keep\n"
	"    FROM irrd_update_stage GROUP BY rpsl_pk, object_class HAVING count(*) > 1) d\n"
	"  WHERE a.rpsl_pk = d.rpsl_pk AND a.object_class = d.object_class AND a.id <> d.keep";

/*
 * The diff, in IRRd's order: kind 1 new objects (ADD), 2 vanished objects
 * (DEL), 3 changed objects (ADD). Texts are compared without last-modified
 * lines. Objects we had to reject are never treated as vanished.
 */
static const char update_diff_sql[] =
	"CREATE TEMP TABLE irrd_update_diff ON COMMIT DROP AS\n"
	"SELECT 1 AS kind, s.id AS stage_id, s.rpsl_pk, s.object_class, s.object_text\n"
	"  FROM irrd_update_stage s\n"
	"  WHERE NOT EXISTS (SELECT 1 FROM rpsl_objects o WHERE o.source = $1\n"
	"    AND o.rpsl_pk = s.rpsl_pk AND o.object_class = s.object_class)\n"
	"UNION ALL\n"
	"SELECT 2, NULL, o.rpsl_pk, o.object_class, o.object_text\n"
	"  FROM rpsl_objects o\n"
	"  WHERE o.source = $1\n"
	"    AND NOT EXISTS (SELECT 1 FROM irrd_update_stage s\n"
	"      WHERE s.rpsl_pk = o.rpsl_pk AND s.object_class = o.object_class)\n"
	"    AND NOT EXISTS (SELECT 1 FROM irrd_update_kept k\n"
	"      WHERE k.rpsl_pk = o.rpsl_pk AND k.object_class = o.object_class)\n"
	"UNION ALL\n"
	"SELECT 3, s.id, s.rpsl_pk, s.object_class, s.object_text\n"
	"  FROM irrd_update_stage s JOIN rpsl_objects o ON o.source = $1\n"
	"    AND o.rpsl_pk = s.rpsl_pk AND o.object_class = s.object_class\n"
	"  WHERE s.object_text <> o.object_text\n"
	"    AND regexp_replace(s.object_text, '^last-modified:[^\\n]*\\n', '', 'gn')\n"
	"     <> regexp_replace(o.object_text, '^last-modified:[^\\n]*\\n', '', 'gn')";

static const char update_journal_sql[] =
	"INSERT INTO rpsl_database_journal (rpsl_pk, source, origin, serial_nrtm, operation,\n"
	"    object_class, object_text)\n"
	"  SELECT rpsl_pk, $1, 'synthetic_nrtm',\n"
	"      $2::bigint + row_number() OVER (ORDER BY kind, stage_id, rpsl_pk, object_class),\n"
	"      CASE kind WHEN 2 THEN 'DEL' ELSE 'ADD' END::databaseoperation, object_class, object_text\n"
	"    FROM irrd_update_diff";

static const char update_delete_sql[] =
	"DELETE FROM rpsl_objects o USING irrd_update_diff d\n"
	"  WHERE d.kind = 2 AND o.source = $1 AND o.rpsl_pk = d.rpsl_pk AND o.object_class = d.object_class";

static const char update_insert_sql[] =
	"INSERT INTO rpsl_objects (id, " COPY_COLUMNS ")\n"
	"  SELECT s.id, s.rpsl_pk, s.source, s.object_class, s.object_text, s.ip_version, s.ip_first,\n"
	"      s.ip_last, s.prefix, s.prefix_length, s.asn_first, s.asn_last, s.origin, s.lookup,\n"
	"      s.rpki_status\n"
	"    FROM irrd_update_stage s JOIN irrd_update_diff d ON d.stage_id = s.id AND d.kind = 1";

static const char update_change_sql[] =
	"UPDATE rpsl_objects o SET object_text = s.object_text, ip_version = s.ip_version,\n"
	"    ip_first = s.ip_first, ip_last = s.ip_last, prefix = s.prefix,\n"
	"    prefix_length = s.prefix_length, asn_first = s.asn_first, asn_last = s.asn_last,\n"
	"    origin = s.origin, lookup = s.lookup, rpki_status = s.rpki_status, updated = now()\n"
	"  FROM irrd_update_stage s JOIN irrd_update_diff d ON d.stage_id = s.id AND d.kind = 3\n"
	"  WHERE o.source = $1 AND o.rpsl_pk = s.rpsl_pk AND o.object_class = s.object_class";

/* database_status after journalling serials $2..$3 (NULL if none), as IRRd's
 * DatabaseStatusTracker.finalise_transaction */
static const char update_status_sql[] =
	"INSERT INTO database_status AS st (source, rpsl_data_updated) VALUES ($1, now())\n"
	"  ON CONFLICT (source) DO UPDATE SET rpsl_data_updated = now(), updated = now()";
static const char update_status_serials_sql[] =
	"UPDATE database_status SET\n"
	"    serial_oldest_journal = j.lo, serial_newest_journal = j.hi,\n"
	"    serial_oldest_seen = LEAST(serial_oldest_seen, j.lo, $2::bigint),\n"
	"    serial_newest_seen = GREATEST(serial_newest_seen, j.hi, $3::bigint)\n"
	"  FROM (SELECT min(serial_nrtm) AS lo, max(serial_nrtm) AS hi\n"
	"        FROM rpsl_database_journal WHERE source = $1) j\n"
	"  WHERE source = $1";

static long count_of(struct sql_conn *c, const char *sql, int kind, long *out)
{
	char k[8];
	const char *params[1] = { k };
	PGresult *res;

	snprintf(k, sizeof(k), "%d", kind);
	res = sql_run(c, "update", PGRES_TUPLES_OK, sql, 1, params);
	if (res == NULL)
		return -1;
	*out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int sql_update_dump(struct sql_conn *c, const struct sql_load_opts *o, struct sql_load_stats *st,
		    char **err)
{
	struct load L;
	struct kept_keys kept = { 0 };
	PGresult *res;
	const char *params[3];
	char base[32], first[32], last[32];
	long rows, staged;
	int64_t serial_base = 0;
	double t0, t1;
	int ret = -1;

	*err = NULL;
	stats_init(st);
	params[0] = o->source;
	if (sql_begin(c) < 0 || sql_do(c, "update", update_stage_sql, 0, NULL) < 0 ||
	    sql_do(c, "update", "CREATE TEMP TABLE irrd_update_kept (rpsl_pk text, object_class text)"
		   " ON COMMIT DROP", 0, NULL) < 0 ||
	    copy_start(c, "irrd_update_stage", false) < 0)
		goto dberr;

	t0 = now_sec();
	load_init(&L, o);
	rows = pipeline_run(c, &L, st, &kept, err);
	load_cleanup(&L);
	t1 = now_sec();
	st->seconds_copy = t1 - t0;
	if (rows < 0)
		goto fail;

	for (size_t i = 0; i < kept.n; i++) {
		const char *kp[2] = { kept.pk[i], kept.cls[i] };

		if (sql_do(c, "update", "INSERT INTO irrd_update_kept VALUES ($1, $2)", 2, kp) < 0)
			goto dberr;
	}
	if (sql_do(c, "update", "ANALYZE irrd_update_stage", 0, NULL) < 0)
		goto dberr;
	res = sql_run(c, "update", PGRES_COMMAND_OK, update_dedup_sql, 0, NULL);
	if (res == NULL)
		goto dberr;
	st->duplicates = strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	staged = rows - st->duplicates;

	if (sql_do(c, "update", update_diff_sql, 1, params) < 0)
		goto dberr;
	if (count_of(c, "SELECT count(*) FROM irrd_update_diff WHERE kind = $1::int", 1, &st->added) < 0 ||
	    count_of(c, "SELECT count(*) FROM irrd_update_diff WHERE kind = $1::int", 2, &st->deleted) < 0 ||
	    count_of(c, "SELECT count(*) FROM irrd_update_diff WHERE kind = $1::int", 3, &st->changed) < 0)
		goto dberr;
	st->retained = staged - st->added;

	if (o->keep_journal && st->added + st->deleted + st->changed > 0) {
		/* gapless serials: one journal writer at a time, as IRRd */
		if (sql_do(c, "update", "LOCK TABLE rpsl_database_journal IN EXCLUSIVE MODE", 0, NULL) < 0)
			goto dberr;
		res = sql_run(c, "update", PGRES_TUPLES_OK,
			      "SELECT COALESCE((SELECT max(serial_nrtm) FROM rpsl_database_journal"
			      " WHERE source = $1), (SELECT serial_newest_seen FROM database_status"
			      " WHERE source = $1), 0)", 1, params);
		if (res == NULL)
			goto dberr;
		serial_base = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		snprintf(base, sizeof(base), "%lld", (long long)serial_base);
		params[1] = base;
		if (sql_do(c, "update", update_journal_sql, 2, params) < 0)
			goto dberr;
		st->serial_first = serial_base + 1;
		st->serial_last = serial_base + st->added + st->deleted + st->changed;
	}
	if (sql_do(c, "update", update_delete_sql, 1, params) < 0 ||
	    sql_do(c, "update", update_insert_sql, 0, NULL) < 0 ||
	    sql_do(c, "update", update_change_sql, 1, params) < 0)
		goto dberr;
	if (st->added + st->deleted + st->changed > 0 &&
	    sql_do(c, "update", update_status_sql, 1, params) < 0)
		goto dberr;
	if (st->serial_first >= 0) {
		snprintf(first, sizeof(first), "%lld", (long long)st->serial_first);
		snprintf(last, sizeof(last), "%lld", (long long)st->serial_last);
		params[1] = first;
		params[2] = last;
		if (sql_do(c, "update", update_status_serials_sql, 3, params) < 0)
			goto dberr;
	}
	if (sql_commit(c) < 0)
		goto dberr;
	st->loaded = staged;
	st->seconds_finish = now_sec() - t1;
	ret = 0;
	goto out;

dberr:
	*err = xstrdup(sql_error(c));
fail:
	sql_rollback(c);
out:
	for (size_t i = 0; i < kept.n; i++) {
		free(kept.cls[i]);
		free(kept.pk[i]);
	}
	free(kept.cls);
	free(kept.pk);
	return ret;
}
