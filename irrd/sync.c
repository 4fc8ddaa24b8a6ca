/*
 * sync.c - keeps the whois index current with PostgreSQL.
 *
 * Design: a follower thread owns its own synchronous database connection.
 * When woken (NOTIFY irrd_change seen by the loop, see irrd_sync_kick) or
 * every POLL_SECS regardless, it reads object_change after the last seq it
 * handled, together with the current text of each added object (one
 * query per FETCH_CHANGES changes), and turns each change into index
 * operations:
 *   ADD    -> parse the object -> PUT (nothing if it is gone again; its
 *             DEL follows)
 *   DEL    -> DEL
 *   RELOAD -> DROP the source, then PUT every object of it
 * All database reads and all parsing happen on this thread. Finished
 * operations travel in batches through a mutex-protected queue; a byte on
 * a pipe wakes the loop thread, which applies a batch to the index without
 * any I/O (each operation is a hash/tree update), so answers are never
 * held up by the database. A RELOAD of a large source is handed over in
 * chunks of CHUNK_OPS, which bounds memory; between chunks, queries see
 * the source partly loaded.
 *
 * Sequence gaps: object_change.seq comes from a sequence. The schema's
 * trigger serialises writers on object_change, so seqs become visible in
 * commit order and a gap is normally a rolled-back transaction; should a
 * lower seq ever commit after a higher one, it must still not be lost. The
 * follower therefore keeps `floor` (every seq <= floor is handled) plus the
 * set of handled seqs above it, re-reads from floor, and skips what it has
 * seen. A gap that stays open for GAP_WAIT_SECS is taken to be a rollback
 * and closed. Applying a change is idempotent (ADD carries the current
 * row), so reading one twice does no harm.
 *
 * The follower also reads database_status every STATUS_SECS and after
 * changes, and hands the snapshot over the same way (for !j, /v1/status/
 * and /metrics).
 *
 * Pruning: every PRUNE_SECS the follower records its floor as this
 * daemon's position in object_change_consumer and deletes the rows every
 * live consumer has handled that are older than PRUNE_KEEP_SECS
 * (sql_changes_prune; the rule is in sql/changes.c). Should rows this
 * daemon has not handled have been pruned (it was away from the database
 * longer than the consumer TTL), it reloads every source.
 */
#include "irrd/irrd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "rpsl/log.h"
#include "sql/sql.h"

#define POLL_SECS	5	/* look even without a NOTIFY */
#define POLL_SECS_NOLISTEN 1	/* when LISTEN is not available */
#define STATUS_SECS	30
#define STATUS_MIN_SECS	2	/* at most this often after changes */
#define GAP_WAIT_SECS	5
#define CHUNK_OPS	20000	/* a RELOAD reaches the loop in chunks of this */
#define FETCH_CHANGES	5000	/* changes read per query */
#define START_MARGIN	1000	/* re-read this many seqs before the start point */
#define RETRY_SECS	5
#define PRUNE_SECS	60	/* prune object_change this often (IRRD_CHANGE_PRUNE_SECS) */
#define PRUNE_KEEP_SECS	600	/* rows younger than this stay */

enum op_kind { OP_PUT, OP_DEL, OP_DROP };

struct sync_op {
	enum op_kind kind;
	struct rpsl_object *obj;	/* PUT */
	char *text;			/* PUT */
	size_t len;
	enum rpki_state st;
	char *source;			/* DEL, DROP */
	enum rpsl_class cls;		/* DEL */
	char *pk;			/* DEL */
};

struct sync_batch {
	struct sync_batch *next;
	struct sync_op *ops;
	size_t n, cap;
	int64_t seq;			/* changes up to here are in (0 = no change) */
	uint64_t nchanges;
	struct irrd_db_snapshot *snap;	/* or NULL */
};

struct change {
	int64_t seq;
	char op;			/* 'A', 'D', 'R' */
	char *source, *object_class, *pk;
	char *text;			/* ADD: the object now; NULL if gone */
	size_t len;
	enum rpki_state st;
};

struct irrd_sync {
	struct irrd *d;
	char *url;
	pthread_t th;
	bool started;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool kicked, stop;
	bool listening;			/* the loop receives NOTIFYs */
	struct sync_batch *ready, *ready_tail;

	int pipefd[2];
	struct event *pipe_ev;
	struct event *retry_ev;		/* the index was busy: apply a little later */
	struct timespec busy_since;	/* first failed try, tv_sec 0 if none */

	/* follower thread only */
	struct sql_conn *conn;
	int64_t floor, start_seq;
	int64_t *seen;			/* handled seqs above floor, sorted */
	size_t nseen, capseen;
	time_t gap_since;
	time_t last_status;
	bool status_due;
	struct sync_batch *cur;
	struct change *chg;
	size_t nchg, capchg;
	char *consumer;			/* this daemon in object_change_consumer */
	time_t last_prune;
	int prune_secs;
	int64_t reloaded_upto;		/* a reload-all covered changes up to here */
};

/* ---- snapshots ---- */

void irrd_db_snapshot_free(struct irrd_db_snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsources; i++) {
		free(s->sources[i].source);
		free(s->sources[i].last_error);
		free(s->sources[i].updated);
		free(s->sources[i].updated_iso);
		free(s->sources[i].rpsl_data_updated);
		free(s->sources[i].rpsl_data_updated_iso);
		free(s->sources[i].last_error_timestamp);
	}
	free(s->sources);
	free(s);
}

static char *epoch_text(int64_t t, bool iso)
{
	char buf[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0)
		return NULL;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), iso ? "%Y-%m-%dT%H:%M:%S+00:00" : "%Y-%m-%d %H:%M:%S+00:00", &tm);
	return xstrdup(buf);
}

static int status_row(void *arg, const struct sql_source_status *st)
{
	struct irrd_db_snapshot *s = arg;
	struct irrd_source_info *si;

	s->sources = xrealloc(s->sources, (s->nsources + 1) * sizeof(*s->sources));
	si = &s->sources[s->nsources++];
	memset(si, 0, sizeof(*si));
	si->source = xstrdup(st->source);
	si->serial_oldest_seen = st->serial_oldest_seen;
	si->serial_newest_seen = st->serial_newest_seen;
	si->serial_oldest_journal = st->serial_oldest_journal;
	si->serial_newest_journal = st->serial_newest_journal;
	si->serial_last_export = st->serial_last_export;
	si->serial_newest_mirror = st->serial_newest_mirror;
	si->last_error = st->last_error ? xstrdup(st->last_error) : NULL;
	si->synchronised_serials = st->synchronised_serials;
	si->last_error_epoch = st->last_error_timestamp;
	si->last_error_timestamp = epoch_text(st->last_error_timestamp, false);
	si->rpsl_data_updated_epoch = st->rpsl_data_updated;
	si->rpsl_data_updated = epoch_text(st->rpsl_data_updated, false);
	si->rpsl_data_updated_iso = epoch_text(st->rpsl_data_updated, true);
	si->updated_epoch = -1;	/* database_status.updated is not read yet */
	return 0;
}

static struct irrd_db_snapshot *snapshot_read(struct sql_conn *c)
{
	struct irrd_db_snapshot *s = xcalloc(1, sizeof(*s));

	if (sql_status_foreach(c, status_row, s) < 0) {
		log_warnx("database_status: %s", sql_error(c));
		irrd_db_snapshot_free(s);
		return NULL;
	}
	s->taken = time(NULL);
	return s;
}

void irrd_db_snapshot_install(struct irrd *d, struct irrd_db_snapshot *s)
{
	struct whois_source_status *ws;

	if (s == NULL)
		return;
	ws = xcalloc(s->nsources ? s->nsources : 1, sizeof(*ws));
	for (size_t i = 0; i < s->nsources; i++) {
		const struct irrd_source_info *si = &s->sources[i];
		const struct cfg_source *cs = cfg_source_find(d->cfg, si->source);
		ws[i].source = si->source;
		ws[i].authoritative = cs != NULL && cs->authoritative;
		ws[i].serial_oldest_journal = si->serial_oldest_journal;
		ws[i].serial_newest_journal = si->serial_newest_journal;
		ws[i].serial_last_export = si->serial_last_export;
		ws[i].serial_newest_mirror = si->serial_newest_mirror;
		ws[i].last_error = si->last_error;
		ws[i].rpsl_data_updated = si->rpsl_data_updated_iso;
		ws[i].last_update = si->updated_iso;
		ws[i].synchronised_serials = si->synchronised_serials;
	}
	/* queries on the whois threads read the status (!j, -q sources) */
	irrd_index_write_begin(d);
	free(d->wstatus);
	irrd_db_snapshot_free(d->db);
	d->db = s;
	d->wstatus = ws;
	d->nwstatus = s->nsources;
	d->wctx.status = d->wstatus;
	d->wctx.nstatus = d->nwstatus;
	irrd_index_write_end(d);
}

/* ---- batches (follower thread builds, loop thread applies) ---- */

static struct sync_op *batch_op(struct irrd_sync *s)
{
	struct sync_batch *b;

	if (s->cur == NULL)
		s->cur = xcalloc(1, sizeof(*s->cur));
	b = s->cur;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->ops = xrealloc(b->ops, b->cap * sizeof(*b->ops));
	}
	memset(&b->ops[b->n], 0, sizeof(b->ops[0]));
	return &b->ops[b->n++];
}

static void batch_free(struct sync_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		rpsl_object_free(b->ops[i].obj);
		free(b->ops[i].text);
		free(b->ops[i].source);
		free(b->ops[i].pk);
	}
	free(b->ops);
	irrd_db_snapshot_free(b->snap);
	free(b);
}

/* Hand the current batch to the loop thread. */
static void batch_send(struct irrd_sync *s)
{
	struct sync_batch *b = s->cur;
	char byte = 1;

	s->cur = NULL;
	if (b == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->ready_tail != NULL)
		s->ready_tail->next = b;
	else
		s->ready = b;
	s->ready_tail = b;
	pthread_mutex_unlock(&s->mu);
	while (write(s->pipefd[1], &byte, 1) == -1 && errno == EINTR)
		;
}

static void apply_ready(struct irrd_sync *s);

/* Loop thread: apply every batch that is ready. */
static void pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_sync *s = arg;

	(void)what;
	irrd_pipe_drain(fd);
	if (!evtimer_pending(s->retry_ev, NULL))
		apply_ready(s);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	apply_ready(arg);
}

/*
 * Queries on the whois threads hold the index's read lock; a writer that
 * waits for it holds up every new query (the lock prefers writers), for
 * as long as the longest query in progress (a big !a: a few hundred ms).
 * So the batches wait instead, trying again every millisecond, and take
 * the lock the blocking way only after WAIT_MAX_MS.
 */
#define RETRY_MS	1
#define WAIT_MAX_MS	250

static void apply_ready(struct irrd_sync *s)
{
	struct irrd *d = s->d;
	struct sync_batch *b, *next;

	pthread_mutex_lock(&s->mu);
	b = s->ready;
	pthread_mutex_unlock(&s->mu);
	if (b == NULL)
		return;
	if (!irrd_index_write_try(d)) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (s->busy_since.tv_sec == 0)
			s->busy_since = now;
		if ((now.tv_sec - s->busy_since.tv_sec) * 1000 + (now.tv_nsec - s->busy_since.tv_nsec) / 1000000 <
		    WAIT_MAX_MS) {
			struct timeval tv = { 0, RETRY_MS * 1000 };
			evtimer_add(s->retry_ev, &tv);
			return;
		}
		irrd_index_write_begin(d);
	}
	s->busy_since.tv_sec = 0;
	pthread_mutex_lock(&s->mu);
	b = s->ready;
	s->ready = s->ready_tail = NULL;
	pthread_mutex_unlock(&s->mu);

	/* each batch is one transaction's worth: queries see all or none */
	struct sync_batch *first = b;
	bool reloaded = false;
	for (; b != NULL; b = b->next) {
		for (size_t i = 0; i < b->n; i++) {
			struct sync_op *op = &b->ops[i];
			switch (op->kind) {
			case OP_PUT:
				irrd_index_put(d, op->obj, op->text, op->len, op->st);
				break;
			case OP_DEL:
				irrd_index_del(d, op->source, op->cls, op->pk);
				break;
			case OP_DROP:
				irrd_index_drop_source(d, op->source);
				reloaded = true;
				break;
			}
		}
		if (b->nchanges > 0) {
			d->stats.changes_applied += b->nchanges;
			d->stats.last_change_applied = time(NULL);
		}
		if (b->seq > d->stats.change_seq)
			d->stats.change_seq = b->seq;
		if (b->snap != NULL) {
			irrd_db_snapshot_install(d, b->snap);
			b->snap = NULL;
		}
		if (b->n > 0)
			log_debug("index: applied %zu operations (seq %lld)", b->n, (long long)b->seq);
	}
	irrd_index_write_end(d);
	for (b = first; b != NULL; b = next) {
		next = b->next;
		batch_free(b);	/* outside the lock */
	}
	if (reloaded && d->warm != NULL) {
		/* a reloaded source took its origins' prefix lists with it */
		whois_warm_stop(d->warm);
		d->warm = whois_warm_start(&d->wctx);
	}
}

/* ---- reading changes (follower thread) ---- */

static int change_cb(void *arg, const struct sql_change_object *co)
{
	struct irrd_sync *s = arg;
	const struct sql_change *ch = &co->ch;
	struct change *c;

	if (s->nchg == s->capchg) {
		s->capchg = s->capchg ? s->capchg * 2 : 64;
		s->chg = xrealloc(s->chg, s->capchg * sizeof(*s->chg));
	}
	c = &s->chg[s->nchg++];
	c->seq = ch->seq;
	c->op = ch->op[0];
	c->source = xstrdup(ch->source);
	c->object_class = ch->object_class ? xstrdup(ch->object_class) : NULL;
	c->pk = ch->rpsl_pk ? xstrdup(ch->rpsl_pk) : NULL;
	c->text = co->object_text ? xstrndup(co->object_text, co->text_len) : NULL;
	c->len = co->text_len;
	c->st = co->rpki_status;
	return 0;
}

static void changes_clear(struct irrd_sync *s)
{
	for (size_t i = 0; i < s->nchg; i++) {
		free(s->chg[i].source);
		free(s->chg[i].object_class);
		free(s->chg[i].pk);
		free(s->chg[i].text);
	}
	s->nchg = 0;
}

static bool seen_has(const struct irrd_sync *s, int64_t seq)
{
	size_t lo = 0, hi = s->nseen;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->seen[mid] == seq)
			return true;
		if (s->seen[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void seen_add(struct irrd_sync *s, int64_t seq)
{
	size_t i;

	if (s->nseen == s->capseen) {
		s->capseen = s->capseen ? s->capseen * 2 : 256;
		s->seen = xrealloc(s->seen, s->capseen * sizeof(*s->seen));
	}
	/* seqs arrive mostly in order: insert from the end */
	for (i = s->nseen; i > 0 && s->seen[i - 1] > seq; i--)
		s->seen[i] = s->seen[i - 1];
	s->seen[i] = seq;
	s->nseen++;
}

/* Move floor over handled seqs; close gaps that stayed open too long. */
static void floor_advance(struct irrd_sync *s)
{
	size_t k = 0;
	time_t now = time(NULL);

	for (;;) {
		while (k < s->nseen && s->seen[k] <= s->floor + 1) {
			if (s->seen[k] == s->floor + 1)
				s->floor++;
			k++;
		}
		if (k == s->nseen) {
			s->gap_since = 0;
			break;
		}
		if (s->gap_since == 0)
			s->gap_since = now;
		if (now - s->gap_since < GAP_WAIT_SECS)
			break;
		log_debug("index: object_change seq %lld-%lld never appeared, skipping",
			  (long long)s->floor + 1, (long long)s->seen[k] - 1);
		s->floor = s->seen[k] - 1;
		s->gap_since = now;
	}
	if (k > 0) {	/* s->seen may still be NULL: memmove needs a valid pointer */
		memmove(s->seen, s->seen + k, (s->nseen - k) * sizeof(*s->seen));
		s->nseen -= k;
	}
}

/* Parse a stored object into a PUT; text is taken over if own is set. */
static void put_text(struct irrd_sync *s, const char *source, const char *pk, char *text, size_t len,
		     bool own, enum rpki_state st)
{
	struct rpsl_object *o = rpsl_parse(text, len, RPSL_NONSTRICT, source);
	struct sync_op *op;

	if (o->cls == RPSL_CLASS_UNKNOWN || o->pk == NULL || o->pk[0] == '\0') {
		log_warnx("%s: %s: stored object cannot be indexed", source, pk);
		rpsl_object_free(o);
		if (own)
			free(text);
		return;
	}
	op = batch_op(s);
	op->kind = OP_PUT;
	op->obj = o;
	op->text = own ? text : xstrndup(text, len);
	op->len = len;
	op->st = st;
}

static void put_row(struct irrd_sync *s, const struct sql_object_row *row)
{
	put_text(s, row->source, row->rpsl_pk, (char *)row->object_text, row->text_len, false,
		 row->rpki_status);
}

static int reload_cb(void *arg, const struct sql_object_row *row)
{
	struct irrd_sync *s = arg;

	if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
		return -1;	/* shutting down: abandon the reload */
	put_row(s, row);
	if (s->cur->n >= CHUNK_OPS)
		batch_send(s);
	return 0;
}

static int apply_change(struct irrd_sync *s, struct change *c)
{
	struct sync_op *op;

	switch (c->op) {
	case 'A':
		/* gone again: its DEL follows */
		if (c->pk != NULL && c->text != NULL) {
			put_text(s, c->source, c->pk, c->text, c->len, true, c->st);
			c->text = NULL;
		}
		return 0;
	case 'D':
		if (c->pk == NULL || c->object_class == NULL)
			return 0;
		op = batch_op(s);
		op->kind = OP_DEL;
		op->source = xstrdup(c->source);
		op->cls = rpsl_class_lookup(c->object_class, strlen(c->object_class));
		op->pk = xstrdup(c->pk);
		return 0;
	case 'R':
		if (c->seq <= s->start_seq) {
			/* before the start-up load read everything */
			return 0;
		}
		log_info("index: reloading source %s", c->source);
		op = batch_op(s);
		op->kind = OP_DROP;
		op->source = xstrdup(c->source);
		if (sql_objects_foreach(s->conn, c->source, reload_cb, s) < 0)
			return -1;
		return 0;
	default:
		log_warnx("index: object_change seq %lld: unknown operation", (long long)c->seq);
		return 0;
	}
}

/* One round: read and apply new changes, FETCH_CHANGES at a time; each
 * chunk goes to the loop thread as soon as it is ready. -1 on a database
 * error (what was applied stays applied; the rest is read again). */
static int follow_once(struct irrd_sync *s)
{
	int64_t cursor = s->floor;

	for (;;) {
		uint64_t applied = 0;
		int64_t maxseq = 0;
		size_t got;
		int rc = 0;

		changes_clear(s);
		if (sql_changes_objects_since(s->conn, cursor, FETCH_CHANGES, change_cb, s) < 0)
			return -1;
		got = s->nchg;
		for (size_t i = 0; i < s->nchg; i++) {
			struct change *c = &s->chg[i];
			cursor = c->seq;
			if (seen_has(s, c->seq))
				continue;
			if (apply_change(s, c) < 0) {
				rc = -1;
				break;
			}
			seen_add(s, c->seq);
			applied++;
			maxseq = c->seq;
		}
		changes_clear(s);
		if (applied > 0) {
			if (s->cur == NULL)
				s->cur = xcalloc(1, sizeof(*s->cur));
			s->cur->nchanges = applied;
			s->cur->seq = maxseq;
			s->status_due = true;
			batch_send(s);
		}
		floor_advance(s);
		if (rc < 0)
			return -1;
		if (got < FETCH_CHANGES || __atomic_load_n(&s->stop, __ATOMIC_RELAXED))
			return 0;
	}
}

struct strv {
	char **v;
	size_t n;
};

static void sources_cb(void *arg, const char *source)
{
	struct strv *l = arg;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(source);
}

/* Changes this daemon never saw were pruned: reload every source. */
static int reload_all(struct irrd_sync *s)
{
	struct strv l = { NULL, 0 };
	int rc = 0;

	if (sql_changes_sources(s->conn, sources_cb, &l) < 0)
		rc = -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		struct sync_op *op = batch_op(s);

		log_info("index: reloading source %s", l.v[i]);
		op->kind = OP_DROP;
		op->source = xstrdup(l.v[i]);
		if (sql_objects_foreach(s->conn, l.v[i], reload_cb, s) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}

/* Record this daemon's position and prune object_change; -1 on a failed
 * reload (a failed prune is only logged: it is tried again later). */
static int prune(struct irrd_sync *s)
{
	long deleted = 0;
	int64_t horizon = 0, upto = s->floor;
	int64_t now_seq;

	if (sql_changes_prune(s->conn, s->consumer, s->floor, PRUNE_KEEP_SECS, &deleted, &horizon) < 0) {
		/* a writer's long transaction holds the table: normal, not worth a warning */
		if (strstr(sql_error(s->conn), "lock timeout") != NULL)
			log_debug("index: pruning object_change: %s (will retry)", sql_error(s->conn));
		else
			log_warnx("index: pruning object_change: %s (will retry)", sql_error(s->conn));
		return 0;
	}
	if (deleted > 0)
		log_debug("index: pruned %ld object_change rows", deleted);
	if (s->start_seq > upto)
		upto = s->start_seq;	/* the start-up load covered those */
	if (s->reloaded_upto > upto)
		upto = s->reloaded_upto;
	if (horizon <= upto)
		return 0;
	log_warnx("index: object_change rows up to seq %lld were pruned, this daemon had handled up to %lld"
		  " (away from the database too long): reloading every source", (long long)horizon,
		  (long long)upto);
	if ((now_seq = sql_changes_last_seq(s->conn)) < 0 || reload_all(s) < 0)
		return -1;
	s->reloaded_upto = now_seq > horizon ? now_seq : horizon;
	return 0;
}

static void follower_connect(struct irrd_sync *s)
{
	char *err = NULL;

	s->conn = sql_connect(s->url, &err);
	if (s->conn == NULL) {
		log_warnx("index: change follower: %s", err ? err : "cannot connect");
		free(err);
	}
}

static void *follower_main(void *arg)
{
	struct irrd_sync *s = arg;

	pthread_setname_np(pthread_self(), "irrd-follow");

	for (;;) {
		struct timespec ts;
		bool stop;
		time_t now;
		int wait;

		pthread_mutex_lock(&s->mu);
		wait = s->listening ? POLL_SECS : POLL_SECS_NOLISTEN;
		if (s->conn == NULL)
			wait = RETRY_SECS;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait;
		while (!s->kicked && !s->stop) {
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
				break;
		}
		s->kicked = false;
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;

		if (s->conn == NULL) {
			follower_connect(s);
			if (s->conn == NULL)
				continue;
		}
		if (follow_once(s) < 0) {
			log_warnx("index: reading changes: %s (will retry)", sql_error(s->conn));
			/* drop what was built: it is read again from floor */
			if (s->cur != NULL) {
				batch_free(s->cur);
				s->cur = NULL;
			}
			sql_close(s->conn);
			s->conn = NULL;
			continue;
		}
		now = time(NULL);
		if (now - s->last_prune >= s->prune_secs) {
			s->last_prune = now;
			if (prune(s) < 0) {
				log_warnx("index: reloading: %s (will retry)", sql_error(s->conn));
				if (s->cur != NULL) {
					batch_free(s->cur);
					s->cur = NULL;
				}
				s->last_prune = 0;
				sql_close(s->conn);
				s->conn = NULL;
				continue;
			}
		}
		if (now - s->last_status >= STATUS_SECS ||
		    (s->status_due && now - s->last_status >= STATUS_MIN_SECS)) {
			struct irrd_db_snapshot *snap = snapshot_read(s->conn);
			if (snap != NULL) {
				if (s->cur == NULL)
					s->cur = xcalloc(1, sizeof(*s->cur));
				s->cur->snap = snap;
				s->status_due = false;
			}
			s->last_status = now;
		}
		batch_send(s);
	}
	if (s->cur != NULL) {
		batch_free(s->cur);
		s->cur = NULL;
	}
	return NULL;
}

/* ---- control (loop thread) ---- */

struct irrd_sync *irrd_sync_start(struct irrd *d, const char *database_url, int64_t from_seq)
{
	struct irrd_sync *s = xcalloc(1, sizeof(*s));
	const char *ps = getenv("IRRD_CHANGE_PRUNE_SECS");
	char host[256];

	s->d = d;
	s->url = xstrdup(database_url);
	if (gethostname(host, sizeof(host)) != 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	s->consumer = xasprintf("irrd %s:%ld:%lld", host, (long)getpid(), (long long)time(NULL));
	s->prune_secs = ps != NULL && atoi(ps) > 0 ? atoi(ps) : PRUNE_SECS;
	s->start_seq = from_seq;
	s->floor = from_seq > START_MARGIN ? from_seq - START_MARGIN : 0;
	/* a status snapshot right away */
	s->last_status = 0;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pipe2(s->pipefd, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("index: pipe");
	s->pipe_ev = event_new(d->base, s->pipefd[0], EV_READ | EV_PERSIST, pipe_cb, s);
	if (s->pipe_ev == NULL || event_add(s->pipe_ev, NULL) == -1)
		fatalx("index: cannot watch the change pipe");
	s->retry_ev = evtimer_new(d->base, retry_cb, s);
	if (s->retry_ev == NULL)
		fatalx("out of memory");
	follower_connect(s);
	if (pthread_create(&s->th, NULL, follower_main, s) != 0)
		fatalx("index: cannot start the change follower thread");
	s->started = true;
	irrd_sync_kick(s);
	return s;
}

void irrd_sync_kick(struct irrd_sync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->kicked = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void irrd_sync_set_listening(struct irrd_sync *s, bool on)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->listening = on;
	pthread_mutex_unlock(&s->mu);
}

void irrd_sync_stop(struct irrd_sync *s)
{
	struct sync_batch *b, *next;

	if (s == NULL)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->th, NULL);
	}
	for (b = s->ready; b != NULL; b = next) {
		next = b->next;
		batch_free(b);
	}
	changes_clear(s);
	free(s->chg);
	free(s->seen);
	if (s->conn != NULL) {
		/* a clean stop no longer holds object_change rows back */
		if (sql_changes_consumer_drop(s->conn, s->consumer) < 0)
			log_warnx("index: %s", sql_error(s->conn));
		sql_close(s->conn);
	}
	free(s->consumer);
	event_free(s->pipe_ev);
	event_free(s->retry_ev);
	close(s->pipefd[0]);
	close(s->pipefd[1]);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->url);
	free(s);
}
