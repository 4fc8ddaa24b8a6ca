/*
 * index.c - the start-up load of the whois index.
 *
 * Parsing RPSL is most of the work, so it runs on parser threads while the
 * calling (loop) thread streams rows from PostgreSQL and puts parsed
 * objects in the index, which only it touches:
 *
 *   loop thread:  sql_objects_foreach -> copy rows into a batch -> todo queue
 *   parser threads:  todo -> rpsl_parse each row -> done queue
 *   loop thread:  done -> whois_index_put -> trash queue
 *   parser threads:  trash -> free (in the malloc arena that made them)
 *
 * The todo queue is bounded, so memory stays at a few batches whatever the
 * database size. Order does not matter: every stored object has its own
 * (source, class, pk).
 */
#include "irrd/irrd.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpsl/log.h"
#include "sql/sql.h"

#define BATCH_ROWS	1024
#define BATCH_BYTES	(2u << 20)
#define QUEUE_MAX	8	/* batches waiting for a parser */
#define PARSERS_DEFAULT	2

struct load_row {
	size_t text_off, text_len, source_off;
	enum rpki_state st;
	struct rpsl_object *obj;	/* filled by a parser */
};

struct load_batch {
	struct load_batch *next;
	struct load_row *rows;
	size_t n;
	char *buf;			/* texts and sources, each NUL-terminated */
	size_t used, cap;
};

struct batch_queue {
	struct load_batch *head, *tail;
	size_t n;
};

struct loader {
	struct irrd *d;
	pthread_mutex_t mu;
	pthread_cond_t todo_cv, done_cv, room_cv;
	struct batch_queue todo, done, trash;	/* trash: put, to be freed by a parser */
	bool finished;			/* no more batches will be queued */
	size_t outstanding;		/* queued to todo, not yet taken from done */
	struct load_batch *cur;
	uint64_t rows, put, skipped;
};

/* ---- counted index changes (loop thread) ---- */

/* Writes to the index and what d->wctx points at are made under the index's
 * write lock, as the whois threads query it. begin/end nest on the loop
 * thread, so that a batch holds the lock once and the single changes made
 * elsewhere (ROA imports) take it each. */
static __thread unsigned write_depth;

void irrd_index_write_begin(struct irrd *d)
{
	if (write_depth++ == 0 && d->idx != NULL)
		whois_index_write_lock(d->idx);
}

bool irrd_index_write_try(struct irrd *d)
{
	if (write_depth == 0 && d->idx != NULL && !whois_index_write_trylock(d->idx))
		return false;
	write_depth++;
	return true;
}

void irrd_index_write_end(struct irrd *d)
{
	if (--write_depth == 0 && d->idx != NULL)
		whois_index_write_unlock(d->idx);
}

static struct irrd_source_count *count_slot(struct irrd *d, const char *source)
{
	struct irrd_source_count *c;

	for (size_t i = 0; i < d->ncounts; i++)
		if (strcmp(d->counts[i].source, source) == 0)
			return &d->counts[i];
	d->counts = xrealloc(d->counts, (d->ncounts + 1) * sizeof(*d->counts));
	c = &d->counts[d->ncounts++];
	memset(c, 0, sizeof(*c));
	c->source = xstrdup(source);
	return c;
}

void irrd_index_put(struct irrd *d, const struct rpsl_object *obj, const char *text, size_t len,
		    enum rpki_state st)
{
	size_t before = whois_index_count(d->idx);

	irrd_index_write_begin(d);
	whois_index_put(d->idx, obj, text, len, st);
	irrd_index_write_end(d);
	if (whois_index_count(d->idx) > before && obj->source != NULL && obj->cls >= 0 &&
	    obj->cls < RPSL_CLASS_COUNT)
		count_slot(d, obj->source)->n[obj->cls]++;
}

void irrd_index_del(struct irrd *d, const char *source, enum rpsl_class cls, const char *pk)
{
	int rc;

	irrd_index_write_begin(d);
	rc = whois_index_del(d->idx, source, cls, pk);
	irrd_index_write_end(d);
	if (rc == 0 && cls >= 0 && cls < RPSL_CLASS_COUNT) {
		struct irrd_source_count *c = count_slot(d, source);
		if (c->n[cls] > 0)
			c->n[cls]--;
	}
}

void irrd_index_drop_source(struct irrd *d, const char *source)
{
	irrd_index_write_begin(d);
	whois_index_drop_source(d->idx, source);
	irrd_index_write_end(d);
	memset(count_slot(d, source)->n, 0, sizeof(((struct irrd_source_count *)0)->n));
}

uint64_t irrd_count_source(const struct irrd *d, const char *source, int cls)
{
	uint64_t n = 0;

	for (size_t i = 0; i < d->ncounts; i++) {
		if (source != NULL && strcmp(d->counts[i].source, source) != 0)
			continue;
		for (int k = 0; k < RPSL_CLASS_COUNT; k++)
			if (cls < 0 || k == cls)
				n += d->counts[i].n[k];
	}
	return n;
}

void irrd_counts_free(struct irrd *d)
{
	for (size_t i = 0; i < d->ncounts; i++)
		free(d->counts[i].source);
	free(d->counts);
	d->counts = NULL;
	d->ncounts = 0;
}

/* ---- the load ---- */

static void q_push(struct batch_queue *q, struct load_batch *b)
{
	b->next = NULL;
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->n++;
}

static struct load_batch *q_pop(struct batch_queue *q)
{
	struct load_batch *b = q->head;

	if (b != NULL) {
		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
	}
	return b;
}

static struct load_batch *batch_new(void)
{
	struct load_batch *b = xcalloc(1, sizeof(*b));

	b->rows = xcalloc(BATCH_ROWS, sizeof(*b->rows));
	b->cap = BATCH_BYTES;
	b->buf = xmalloc(b->cap);
	return b;
}

static void batch_free(struct load_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		rpsl_object_free(b->rows[i].obj);
	free(b->rows);
	free(b->buf);
	free(b);
}

static size_t batch_add_str(struct load_batch *b, const char *s, size_t len)
{
	size_t off;

	if (b->used + len + 1 > b->cap) {
		while (b->used + len + 1 > b->cap)
			b->cap *= 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	off = b->used;
	memcpy(b->buf + off, s, len);
	b->buf[off + len] = '\0';
	b->used += len + 1;
	return off;
}

static void *parser_main(void *arg)
{
	struct loader *ld = arg;

	pthread_setname_np(pthread_self(), "irrd-parse");

	for (;;) {
		struct load_batch *b;

		pthread_mutex_lock(&ld->mu);
		while (ld->todo.head == NULL && ld->trash.head == NULL && !ld->finished)
			pthread_cond_wait(&ld->todo_cv, &ld->mu);
		if ((b = q_pop(&ld->trash)) != NULL) {
			/* objects go back to the malloc arena of the thread that
			 * made them, off the loop thread's critical path */
			pthread_mutex_unlock(&ld->mu);
			batch_free(b);
			continue;
		}
		b = q_pop(&ld->todo);
		if (b != NULL)
			pthread_cond_signal(&ld->room_cv);
		pthread_mutex_unlock(&ld->mu);
		if (b == NULL)
			return NULL;	/* finished and drained */

		for (size_t i = 0; i < b->n; i++) {
			struct load_row *r = &b->rows[i];
			r->obj = rpsl_parse(b->buf + r->text_off, r->text_len, RPSL_NONSTRICT,
					    b->buf + r->source_off);
		}

		pthread_mutex_lock(&ld->mu);
		q_push(&ld->done, b);
		pthread_cond_signal(&ld->done_cv);
		pthread_mutex_unlock(&ld->mu);
	}
}

/* Put a parsed batch in the index (loop thread). */
static void batch_put(struct loader *ld, struct load_batch *b)
{
	irrd_index_write_begin(ld->d);
	for (size_t i = 0; i < b->n; i++) {
		struct load_row *r = &b->rows[i];
		struct rpsl_object *o = r->obj;

		if (o->cls == RPSL_CLASS_UNKNOWN || o->pk == NULL || o->pk[0] == '\0') {
			if (ld->skipped++ < 10)
				log_warnx("%s: stored object cannot be indexed: %s", b->buf + r->source_off,
					  o->msgs.nerrors ? o->msgs.errors[0] : "no class or key");
			continue;
		}
		irrd_index_put(ld->d, o, b->buf + r->text_off, r->text_len, r->st);
		ld->put++;
	}
	irrd_index_write_end(ld->d);
	pthread_mutex_lock(&ld->mu);
	q_push(&ld->trash, b);
	pthread_cond_signal(&ld->todo_cv);
	pthread_mutex_unlock(&ld->mu);
}

/* Put whatever parsed batches are ready; with wait, block for at least one
 * while batches are outstanding. */
static void drain_done(struct loader *ld, bool wait)
{
	for (;;) {
		struct load_batch *b;

		pthread_mutex_lock(&ld->mu);
		while (wait && ld->done.head == NULL && ld->outstanding > 0)
			pthread_cond_wait(&ld->done_cv, &ld->mu);
		b = q_pop(&ld->done);
		if (b != NULL)
			ld->outstanding--;
		pthread_mutex_unlock(&ld->mu);
		if (b == NULL)
			return;
		batch_put(ld, b);
		wait = false;
	}
}

static void submit(struct loader *ld)
{
	struct load_batch *b = ld->cur;

	ld->cur = NULL;
	if (b == NULL || b->n == 0) {
		batch_free(b);
		return;
	}
	pthread_mutex_lock(&ld->mu);
	while (ld->todo.n >= QUEUE_MAX) {
		/* parsers are behind: put finished batches meanwhile */
		pthread_mutex_unlock(&ld->mu);
		drain_done(ld, false);
		pthread_mutex_lock(&ld->mu);
		if (ld->todo.n >= QUEUE_MAX) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 5 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&ld->room_cv, &ld->mu, &ts);
		}
	}
	q_push(&ld->todo, b);
	ld->outstanding++;
	pthread_cond_signal(&ld->todo_cv);
	pthread_mutex_unlock(&ld->mu);
	drain_done(ld, false);
}

static int row_cb(void *arg, const struct sql_object_row *row)
{
	struct loader *ld = arg;
	struct load_batch *b;
	struct load_row *r;

	if (ld->cur == NULL)
		ld->cur = batch_new();
	b = ld->cur;
	r = &b->rows[b->n++];
	r->text_off = batch_add_str(b, row->object_text, row->text_len);
	r->text_len = row->text_len;
	r->source_off = batch_add_str(b, row->source, strlen(row->source));
	r->st = row->rpki_status;
	r->obj = NULL;
	ld->rows++;
	if (b->n == BATCH_ROWS || b->used >= BATCH_BYTES)
		submit(ld);
	return 0;
}

static int parser_count(void)
{
	const char *env = getenv("IRRD_PARSE_THREADS");
	long n;

	if (env != NULL && (n = strtol(env, NULL, 10)) >= 1 && n <= 64)
		return (int)n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < PARSERS_DEFAULT)
		n = PARSERS_DEFAULT;
	if (n > 8)
		n = 8;
	return (int)n;
}

int irrd_index_load(struct irrd *d, struct sql_conn *c)
{
	struct loader ld;
	struct load_batch *b;
	pthread_t th[64];
	int nth = parser_count(), started = 0, rc;
	struct timespec t0, t1;

	memset(&ld, 0, sizeof(ld));
	ld.d = d;
	pthread_mutex_init(&ld.mu, NULL);
	pthread_cond_init(&ld.todo_cv, NULL);
	pthread_cond_init(&ld.done_cv, NULL);
	pthread_cond_init(&ld.room_cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (int i = 0; i < nth; i++) {
		if (pthread_create(&th[i], NULL, parser_main, &ld) != 0) {
			log_warnx("index: cannot start parser thread %d", i + 1);
			break;
		}
		started++;
	}
	if (started == 0)
		fatalx("index: no parser thread could be started");

	rc = sql_objects_foreach(c, NULL, row_cb, &ld);
	submit(&ld);
	pthread_mutex_lock(&ld.mu);
	ld.finished = true;
	pthread_cond_broadcast(&ld.todo_cv);
	pthread_mutex_unlock(&ld.mu);
	drain_done(&ld, true);
	while (ld.outstanding > 0)
		drain_done(&ld, true);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	drain_done(&ld, false);
	while ((b = q_pop(&ld.trash)) != NULL)
		batch_free(b);

	pthread_mutex_destroy(&ld.mu);
	pthread_cond_destroy(&ld.todo_cv);
	pthread_cond_destroy(&ld.done_cv);
	pthread_cond_destroy(&ld.room_cv);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->stats.index_load_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc < 0) {
		log_errx("index: reading objects: %s", sql_error(c));
		return -1;
	}
	log_info("index: %llu objects loaded in %.1f s (%d parser threads), %llu not indexable",
		 (unsigned long long)ld.put, d->stats.index_load_seconds, started,
		 (unsigned long long)ld.skipped);
	return 0;
}
