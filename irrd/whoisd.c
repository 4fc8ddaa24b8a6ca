/*
 * whoisd.c - the whois TCP server on the daemon's event loop.
 *
 * Every configured interface gets a listener. Each connection has a read
 * event (with the idle timeout), a write event (with the stall timeout),
 * an input and an output evbuffer and a whois_session. Query lines are
 * answered in order as they arrive; an answer is written at once, so one
 * that fits the socket buffer leaves in one writev (bgpq4 reads some
 * answers with a single read()).
 *
 * Bounds:
 *  - a query line may be WHOIS_LINE_MAX bytes; a longer one gets an error
 *    in the framing its first byte asks for, and the connection closes;
 *  - while more than OUT_HIGH bytes wait to be sent, no further query is
 *    read or answered (pipelined input stays in the kernel), so a client
 *    holds at most one answer plus OUT_HIGH in memory;
 *  - a connection whose pending output makes no progress for its timeout
 *    (whois_session_timeout, 30 s unless !t) is dropped;
 *  - at max_connections, a new client gets one line and is closed.
 *
 * Closing is graceful: after the last byte, SHUT_WR, then input is read
 * and discarded until the client closes or LINGER_SECS pass, so that
 * queries the client pipelined past the end do not make the kernel reset
 * the connection and destroy the answer in flight.
 *
 * A connection is never freed inside one of its own callbacks: conn_kill()
 * moves it to the reap list and a separate event frees it.
 *
 * Threads: the loop thread accepts, applies the access list and
 * max_connections, creates the session and hands the connection, round
 * robin, to one of N whois threads (IRRD_WHOIS_THREADS, default the number
 * of CPUs; 0 serves on the loop thread itself). Each whois thread runs an
 * event_base of its own and owns its connections from then on; queries
 * read the shared index under its read lock (whois_session_query), while
 * the loop thread changes it under the write lock. A whois thread's log
 * lines of one loop iteration are written together.
 *
 * Set queries (!i, !a) may take a few hundred milliseconds when their
 * answer is not cached: they go to a pool of query threads, so that the
 * other connections of the same whois thread are served meanwhile. The
 * connection is "busy" until the answer comes back: it reads no input,
 * answers nothing else (answers stay in order) and is not freed.
 */
#include "irrd/irrd.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "rpsl/log.h"

#define WHOIS_LINE_MAX	(64u * 1024)	/* longest query line accepted */
#define READ_CHUNK	(64 * 1024)
#define OUT_HIGH	(256u * 1024)	/* stop answering while this much is unsent */
#define OUT_LOW		(64u * 1024)	/* resume below this */
#define LINGER_SECS	2
#define LINGER_MAX	(256u * 1024)	/* input discarded while lingering */
#define LOG_QUERY_MAX	200
#define THREADS_MAX	64

/* IRRd 4.5's bytes, no newline. */
#define MSG_ACCESS_DENIED "%% Access denied"
#define MSG_TOO_MANY "%% Too many connections, try again later\n"

enum conn_state { CONN_ACTIVE, CONN_LINGER, CONN_DEAD };

struct wworker;
struct wconn;

/* A query for the query threads; the answer comes back in out. */
struct wjob {
	struct wjob *next;
	struct wconn *c;
	char *line;
	size_t len;
	struct evbuffer *out;
	enum whois_result r;
};

struct wpool {
	pthread_t th[THREADS_MAX];
	unsigned n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *head, *tail;
	bool quit;
};

struct wconn {
	TAILQ_ENTRY(wconn) entry;
	struct irrd_whoisd *w;
	struct wworker *k;	/* the thread that serves it */
	const char *refuse;	/* a one-line refusal to send, then close */
	int fd;
	enum conn_state state;
	struct event *rev, *wev;
	struct evbuffer *in, *out;
	struct whois_session *sess;
	int timeout;		/* idle seconds, from the session */
	bool eof;		/* client sent FIN: answer what came, then close */
	bool closing;		/* close once out is flushed */
	bool paused;		/* too much output pending: not reading */
	bool counted;		/* counts towards max_connections */
	bool busy;		/* a query thread answers for it: hands off */
	bool holds_cfg;		/* irrd_cfg_hold'ed under cfg_gen */
	unsigned cfg_gen;
	size_t discarded;	/* input read and dropped while lingering */
	char peer[INET6_ADDRSTRLEN + 8];
};
TAILQ_HEAD(wconn_list, wconn);

/* One loop serving connections: a whois thread, or the loop thread. */
struct wworker {
	struct irrd_whoisd *w;
	struct event_base *base;
	bool threaded;			/* a base of its own, served by th */
	bool running;			/* th was started and not joined */
	pthread_t th;
	int pipefd[2];			/* wakes the thread: handover, drain, quit */
	struct event *notify_ev;
	pthread_mutex_t mu;
	struct wconn_list inbox;	/* handed over, not yet taken (under mu) */
	struct wjob *done;		/* answered by the query threads (under mu) */
	bool quit;			/* under mu */
	bool stopped;			/* the thread's own copy */
	struct wconn_list conns, reap;	/* this thread's only */
	struct event *reap_ev;
	/* counted here, added to d->stats by irrd_whoisd_stats_sync */
	_Atomic uint64_t queries, bytes_out, dropped, timeouts;
	uint64_t folded[4];		/* loop thread: what was added already */
	char line[WHOIS_LINE_MAX + 2];	/* scratch for one query line */
	char rbuf[READ_CHUNK];
};

struct irrd_whoisd {
	struct irrd *d;
	struct evconnlistener **lst;
	size_t nlst;
	int *fds;			/* bound, not yet listening */
	char **addrs;
	size_t nfds;
	struct event *accept_retry;	/* after EMFILE */
	struct wworker **wk;
	unsigned nwk, next;
	struct wpool *pool;		/* NULL without whois threads */
	bool halted;
	atomic_bool draining;		/* SIGTERM: finish and close */
	atomic_size_t nactive;		/* counted connections */
	atomic_size_t nconns;		/* all, lingering included */
};

static void stat_add(_Atomic uint64_t *v, uint64_t n)
{
	atomic_fetch_add_explicit(v, n, memory_order_relaxed);
}

static void conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void conn_write_cb(evutil_socket_t fd, short what, void *arg);
static void conn_process(struct wconn *c);
static void conn_flush(struct wconn *c);

/* ---- lifetime ---- */

static void conn_kill(struct wconn *c)
{
	struct wworker *k = c->k;

	if (c->state == CONN_DEAD)
		return;
	event_del(c->rev);
	event_del(c->wev);
	if (c->counted) {
		atomic_fetch_sub(&c->w->nactive, 1);
		c->counted = false;
	}
	c->state = CONN_DEAD;
	TAILQ_REMOVE(&k->conns, c, entry);
	TAILQ_INSERT_TAIL(&k->reap, c, entry);
	event_active(k->reap_ev, EV_READ, 0);
}

static void conn_free(struct wconn *c)
{
	if (c->holds_cfg)
		irrd_cfg_release(c->w->d, c->cfg_gen);
	event_free(c->rev);
	event_free(c->wev);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	whois_session_free(c->sess);
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

static void reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wworker *k = arg;
	struct wconn *c;

	struct wconn *next;

	(void)fd;
	(void)what;
	for (c = TAILQ_FIRST(&k->reap); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->busy)
			continue;	/* freed when its answer is back */
		TAILQ_REMOVE(&k->reap, c, entry);
		atomic_fetch_sub(&k->w->nconns, 1);
		conn_free(c);
	}
}

/* After the last byte: half-close and wait briefly for the client's FIN. */
static void conn_linger(struct wconn *c)
{
	struct timeval tv = { LINGER_SECS, 0 };

	if (c->state != CONN_ACTIVE)
		return;
	if (c->counted) {
		atomic_fetch_sub(&c->w->nactive, 1);
		c->counted = false;
	}
	c->state = CONN_LINGER;
	event_del(c->wev);
	evbuffer_drain(c->in, evbuffer_get_length(c->in));
	if (shutdown(c->fd, SHUT_WR) == -1 || c->eof) {
		conn_kill(c);
		return;
	}
	event_add(c->rev, &tv);
}

static void conn_linger_read(struct wconn *c, short what)
{
	char buf[16384];
	ssize_t n;

	if (what & EV_TIMEOUT) {
		conn_kill(c);
		return;
	}
	n = read(c->fd, buf, sizeof(buf));
	if (n > 0) {
		c->discarded += (size_t)n;
		if (c->discarded > LINGER_MAX)
			conn_kill(c);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	conn_kill(c);
}

/* ---- output ---- */

/* Read while there is room; the idle timeout runs only while nothing is
 * waiting to be sent (as IRRd's, which covers the wait for a query). */
static void conn_arm_read(struct wconn *c)
{
	struct timeval tv = { c->timeout, 0 };

	if (c->state != CONN_ACTIVE)
		return;
	if (c->closing || c->paused || c->eof || c->busy)
		event_del(c->rev);
	else if (evbuffer_get_length(c->out) > 0)
		event_add(c->rev, NULL);
	else
		event_add(c->rev, &tv);
}

/* Write what the socket takes now; -1 if the connection died. */
static int conn_write_out(struct wconn *c)
{

	while (evbuffer_get_length(c->out) > 0) {
		int n = evbuffer_write_atmost(c->out, c->fd, -1);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			log_debug("%s: write: %s", c->peer, strerror(errno));
			conn_kill(c);
			return -1;
		}
		if (n == 0)
			break;
		stat_add(&c->k->bytes_out, (uint64_t)n);
	}
	return 0;
}

/* Write what can be written now; arm the write event for the rest. */
static void conn_flush(struct wconn *c)
{
	if (conn_write_out(c) == -1)
		return;
	if (evbuffer_get_length(c->out) > 0 || c->paused) {
		/* (paused with nothing left: the write event resumes reading) */
		/* the stall timer runs from the last progress, not from now */
		if (!event_pending(c->wev, EV_WRITE, NULL)) {
			struct timeval tv = { c->timeout, 0 };
			event_add(c->wev, &tv);
		}
		return;
	}
	event_del(c->wev);
	if (c->busy)
		return;		/* an answer is still to come */
	if (c->closing || (c->eof && evbuffer_get_length(c->in) == 0))
		conn_linger(c);
	else
		conn_arm_read(c);
}

static void conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wconn *c = arg;

	(void)fd;
	if (c->state != CONN_ACTIVE)
		return;
	if (what & EV_TIMEOUT) {
		log_info("%s: dropped, %zu bytes unsent for %d s", c->peer,
			 evbuffer_get_length(c->out), c->timeout);
		stat_add(&c->k->dropped, 1);
		conn_kill(c);
		return;
	}
	conn_flush(c);
	if (c->state == CONN_ACTIVE && c->paused && evbuffer_get_length(c->out) < OUT_LOW) {
		c->paused = false;
		conn_process(c);
	}
}

/* ---- input ---- */

static bool is_space(unsigned char ch)
{
	/* Python's str.strip() set in ASCII, as IRRd strips each query */
	return ch == ' ' || (ch >= '\t' && ch <= '\r') || (ch >= 0x1c && ch <= 0x1f);
}

/* A printable rendering of a query for the log. */
static void query_for_log(const char *q, size_t len, char *buf, size_t bufsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < bufsz; i++) {
		unsigned char ch = (unsigned char)q[i];
		if (o >= LOG_QUERY_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			buf[o++] = (char)ch;
		} else {
			snprintf(buf + o, bufsz - o, "\\x%02x", ch);
			o += 4;
		}
	}
	buf[o] = '\0';
}

/* Answer one query into out (a whois thread, or a query thread for a
 * busy connection: only the session, c->peer and the counters are used). */
static enum whois_result conn_answer(struct wconn *c, const char *q, size_t len, struct evbuffer *out)
{
	struct timespec t0, t1;
	size_t before = evbuffer_get_length(out);
	enum whois_result r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = whois_session_query(c->sess, q, len, out);
	stat_add(&c->k->queries, 1);
	if (log_get_level() <= LOG_LVL_INFO) {
		char qlog[LOG_QUERY_MAX + 8];
		clock_gettime(CLOCK_MONOTONIC, &t1);
		query_for_log(q, len, qlog, sizeof(qlog));
		log_info("%s: sent answer to query, elapsed %.9fs, %zu bytes: %s", c->peer,
			 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			 evbuffer_get_length(out) - before, qlog);
	}
	return r;
}

/* !a..., !i...: may take long when the answer is not cached. */
static bool query_heavy(const char *q, size_t len)
{
	return len >= 2 && q[0] == '!' && (q[1] == 'a' || q[1] == 'A' || q[1] == 'i' || q[1] == 'I');
}

static void conn_query(struct wconn *c, const char *q, size_t len)
{
	struct wpool *pool = c->w->pool;

	if (pool != NULL && query_heavy(q, len)) {
		struct wjob *j = xcalloc(1, sizeof(*j));
		j->c = c;
		j->line = xstrndup(q, len);
		j->len = len;
		if ((j->out = evbuffer_new()) == NULL)
			fatalx("out of memory (query)");
		c->busy = true;
		pthread_mutex_lock(&pool->mu);
		if (pool->tail != NULL)
			pool->tail->next = j;
		else
			pool->head = j;
		pool->tail = j;
		pthread_cond_signal(&pool->cv);
		pthread_mutex_unlock(&pool->mu);
		return;
	}
	if (conn_answer(c, q, len, c->out) == WHOIS_CLOSE)
		c->closing = true;
	c->timeout = whois_session_timeout(c->sess);
}

/* The line is over WHOIS_LINE_MAX: answer in the framing it asked for. */
static void conn_too_long(struct wconn *c)
{
	unsigned char first = '\0';
	size_t avail = evbuffer_get_length(c->in);
	unsigned char peek[64];
	size_t n = avail < sizeof(peek) ? avail : sizeof(peek);

	evbuffer_copyout(c->in, peek, n);
	for (size_t i = 0; i < n; i++)
		if (!is_space(peek[i])) {
			first = peek[i];
			break;
		}
	if (first == '!')
		evbuffer_add_printf(c->out, "F Query too long (more than %u bytes)\n", WHOIS_LINE_MAX);
	else
		evbuffer_add_printf(c->out, "%%%% ERROR: Query too long (more than %u bytes)\n\n\n",
				    WHOIS_LINE_MAX);
	log_info("%s: query line longer than %u bytes, closing", c->peer, WHOIS_LINE_MAX);
	stat_add(&c->k->dropped, 1);
	evbuffer_drain(c->in, avail);
	c->closing = true;
}

/* Answer every complete line while output is below the bound. */
static void conn_process(struct wconn *c)
{
	struct wworker *w = c->k;

	while (c->state == CONN_ACTIVE && !c->closing && !c->busy) {
		size_t avail = evbuffer_get_length(c->in), linelen, eol = 0;
		struct evbuffer_ptr p;
		char *s;

		if (evbuffer_get_length(c->out) >= OUT_HIGH) {
			/* the socket may take it: then go on answering */
			if (conn_write_out(c) == -1)
				return;
			if (evbuffer_get_length(c->out) >= OUT_LOW) {
				c->paused = true;
				break;
			}
		}
		if (avail == 0)
			break;
		p = evbuffer_search_eol(c->in, NULL, &eol, EVBUFFER_EOL_LF);
		if (p.pos < 0) {
			if (avail > WHOIS_LINE_MAX) {
				conn_too_long(c);
				break;
			}
			if (!c->eof)
				break;
			linelen = avail;	/* last line, no newline: IRRd answers it */
		} else {
			linelen = (size_t)p.pos;
			if (linelen > WHOIS_LINE_MAX) {
				conn_too_long(c);
				break;
			}
		}
		evbuffer_remove(c->in, w->line, linelen);
		evbuffer_drain(c->in, eol);
		s = w->line;
		while (linelen > 0 && is_space((unsigned char)s[linelen - 1]))
			linelen--;
		while (linelen > 0 && is_space((unsigned char)*s)) {
			s++;
			linelen--;
		}
		if (linelen == 0)
			continue;	/* empty lines are ignored */
		s[linelen] = '\0';
		conn_query(c, s, linelen);
	}
	if (c->state != CONN_ACTIVE)
		return;
	conn_flush(c);
	conn_arm_read(c);
}

static void conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wconn *c = arg;
	int n;

	(void)fd;
	if (c->state == CONN_LINGER) {
		conn_linger_read(c, what);
		return;
	}
	if (c->state != CONN_ACTIVE)
		return;
	if (what & EV_TIMEOUT) {
		log_debug("%s: idle for %d s, closing", c->peer, c->timeout);
		stat_add(&c->k->timeouts, 1);
		conn_kill(c);
		return;
	}
	/* read(), not evbuffer_read(): that asks FIONREAD first, a system
	 * call per query */
	n = (int)read(c->fd, c->k->rbuf, sizeof(c->k->rbuf));
	if (n > 0 && evbuffer_add(c->in, c->k->rbuf, (size_t)n) == -1)
		fatalx("out of memory (connection input)");
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		log_debug("%s: read: %s", c->peer, strerror(errno));
		conn_kill(c);
		return;
	}
	if (n == 0)
		c->eof = true;
	conn_process(c);
}

/* ---- accepting (loop thread) and handover ---- */

static struct wconn *conn_new(struct irrd_whoisd *w, int fd, const char *peer)
{
	struct wworker *k = w->wk[w->next++ % w->nwk];
	struct wconn *c = xcalloc(1, sizeof(*c));

	c->w = w;
	c->k = k;
	c->fd = fd;
	c->state = CONN_ACTIVE;
	c->timeout = 30;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	/* events of the serving thread's base; added only by that thread */
	c->rev = event_new(k->base, fd, EV_READ | EV_PERSIST, conn_read_cb, c);
	c->wev = event_new(k->base, fd, EV_WRITE | EV_PERSIST, conn_write_cb, c);
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	if (c->rev == NULL || c->wev == NULL || c->in == NULL || c->out == NULL)
		fatalx("out of memory (connection)");
	atomic_fetch_add(&w->nconns, 1);
	return c;
}

/* Send a one-line refusal and close gracefully. */
static void conn_refuse(struct wconn *c, const char *msg)
{
	evbuffer_add(c->out, msg, strlen(msg));
	c->closing = true;
	conn_flush(c);
	if (c->state == CONN_ACTIVE)
		conn_arm_read(c);
}

/* The serving thread takes a connection over. */
static void conn_start(struct wconn *c)
{
	TAILQ_INSERT_TAIL(&c->k->conns, c, entry);
	if (c->refuse != NULL)
		conn_refuse(c, c->refuse);
	else
		conn_arm_read(c);
}

/* SIGTERM: finish the answer being sent, answer nothing more; the close
 * is graceful, so what is queued in the kernel arrives too. */
static void worker_drain(struct wworker *k)
{
	struct wconn *c, *next;

	for (c = TAILQ_FIRST(&k->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state != CONN_ACTIVE)
			continue;	/* lingering: closes by itself */
		c->closing = true;
		c->paused = false;
		if (c->busy)
			continue;	/* closes after the answer to come */
		if (evbuffer_get_length(c->out) == 0)
			conn_linger(c);
		else
			conn_arm_read(c);
	}
}

static void worker_wake(struct wworker *k)
{
	char ch = 1;

	/* a full pipe wakes the thread as well */
	if (write(k->pipefd[1], &ch, 1) == -1 && errno != EAGAIN)
		log_warn("whois: waking a whois thread");
}

static void conn_handover(struct wconn *c)
{
	struct wworker *k = c->k;

	if (!k->threaded) {
		conn_start(c);
		return;
	}
	pthread_mutex_lock(&k->mu);
	TAILQ_INSERT_TAIL(&k->inbox, c, entry);
	pthread_mutex_unlock(&k->mu);
	worker_wake(k);
}

static void job_free(struct wjob *j)
{
	evbuffer_free(j->out);
	free(j->line);
	free(j);
}

/* Whois thread: an answer from the query threads. */
static void job_finish(struct wjob *j)
{
	struct wconn *c = j->c;

	c->busy = false;
	if (c->state == CONN_DEAD) {
		event_active(c->k->reap_ev, EV_READ, 0);
	} else {
		evbuffer_add_buffer(c->out, j->out);
		c->timeout = whois_session_timeout(c->sess);
		if (j->r == WHOIS_CLOSE)
			c->closing = true;
		if (c->state == CONN_ACTIVE)
			conn_process(c);	/* the next lines, the output */
	}
	job_free(j);
}

static void *pool_main(void *arg)
{
	struct wpool *pool = arg;

	pthread_setname_np(pthread_self(), "irrd-query");
	pthread_mutex_lock(&pool->mu);
	for (;;) {
		struct wjob *j;
		while (pool->head == NULL && !pool->quit)
			pthread_cond_wait(&pool->cv, &pool->mu);
		if (pool->quit)
			break;
		j = pool->head;
		pool->head = j->next;
		if (pool->head == NULL)
			pool->tail = NULL;
		j->next = NULL;
		pthread_mutex_unlock(&pool->mu);

		struct wworker *k = j->c->k;
		j->r = conn_answer(j->c, j->line, j->len, j->out);
		pthread_mutex_lock(&k->mu);
		j->next = k->done;
		k->done = j;
		pthread_mutex_unlock(&k->mu);
		worker_wake(k);
		pthread_mutex_lock(&pool->mu);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

/* Whois thread: new connections, drain, quit. */
static void worker_notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wworker *k = arg;
	struct wconn_list in;
	struct wconn *c;
	bool quit;

	(void)what;
	irrd_pipe_drain(fd);
	TAILQ_INIT(&in);
	pthread_mutex_lock(&k->mu);
	while ((c = TAILQ_FIRST(&k->inbox)) != NULL) {
		TAILQ_REMOVE(&k->inbox, c, entry);
		TAILQ_INSERT_TAIL(&in, c, entry);
	}
	quit = k->quit;
	struct wjob *done = k->done;
	k->done = NULL;
	pthread_mutex_unlock(&k->mu);
	while ((c = TAILQ_FIRST(&in)) != NULL) {
		TAILQ_REMOVE(&in, c, entry);
		conn_start(c);
	}
	while (done != NULL) {
		struct wjob *j = done;
		done = j->next;
		job_finish(j);
	}
	if (atomic_load(&k->w->draining))
		worker_drain(k);
	if (quit) {
		k->stopped = true;
		event_base_loopbreak(k->base);
	}
}

static void *worker_main(void *arg)
{
	struct wworker *k = arg;

	pthread_setname_np(pthread_self(), "irrd-whois");
	while (!k->stopped) {
		log_batch_begin();
		if (event_base_loop(k->base, EVLOOP_ONCE) == -1) {
			log_batch_flush();
			log_errx("whois: a whois thread's event loop failed");
			break;
		}
		log_batch_flush();
	}
	return NULL;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	struct irrd_whoisd *w = arg;
	struct irrd *d = w->d;
	const struct cfg *cfg = d->cfg;
	struct ip_addr addr;
	char peer[INET6_ADDRSTRLEN + 8];
	struct wconn *c;
	int on = 1;
	size_t max;

	(void)l;
	(void)salen;
	if (d->stopping || w->halted) {
		close(fd);
		return;
	}
	irrd_sockaddr_peer(sa, &addr, peer, sizeof(peer));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c = conn_new(w, fd, peer);

	if (!cfg_access_allowed(cfg, cfg->whois.access_list, &addr)) {
		log_info("%s: rejecting connection, not in access list %s", peer,
			 cfg->whois.access_list ? cfg->whois.access_list : "(none)");
		d->stats.whois_connections_denied++;
		c->refuse = MSG_ACCESS_DENIED;
		conn_handover(c);
		return;
	}
	max = cfg->whois.max_connections > 0 ? (size_t)cfg->whois.max_connections : 50;
	if (atomic_load(&w->nactive) >= max) {
		log_warnx("%s: rejecting connection, %zu connections open (max_connections %zu)",
			  peer, atomic_load(&w->nactive), max);
		d->stats.whois_connections_refused++;
		c->refuse = MSG_TOO_MANY;
		conn_handover(c);
		return;
	}
	c->counted = true;
	atomic_fetch_add(&w->nactive, 1);
	d->stats.whois_connections_total++;
	c->cfg_gen = irrd_cfg_hold(d);
	c->holds_cfg = true;
	c->sess = whois_session_new(&d->wctx);
	whois_session_set_peer(c->sess, &addr);
	c->timeout = whois_session_timeout(c->sess);
	log_debug("%s: connection accepted", peer);
	conn_handover(c);
}

static void accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_whoisd *w = arg;

	(void)fd;
	(void)what;
	if (w->d->stopping)
		return;
	for (size_t i = 0; i < w->nlst; i++)
		evconnlistener_enable(w->lst[i]);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct irrd_whoisd *w = arg;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = { 1, 0 };

	(void)l;
	log_warnx("whois: accept: %s", evutil_socket_error_to_string(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		/* out of descriptors: pause a second rather than spin */
		for (size_t i = 0; i < w->nlst; i++)
			evconnlistener_disable(w->lst[i]);
		event_add(w->accept_retry, &tv);
	}
}

/* ---- the server ---- */

/* IRRD_WHOIS_THREADS (tests), else server.whois.threads, else one per
 * CPU; 0: on the loop thread. */
static unsigned thread_count(const struct cfg *cfg)
{
	const char *env = getenv("IRRD_WHOIS_THREADS");
	long n;

	if (env != NULL && *env != '\0') {
		char *end;
		n = strtol(env, &end, 10);
		if (*end == '\0' && n >= 0 && n <= THREADS_MAX)
			return (unsigned)n;
		log_warnx("IRRD_WHOIS_THREADS: %s: not a number from 0 to %d, using the default", env,
			  THREADS_MAX);
	}
	if (cfg->whois.threads >= 0)
		return (unsigned)cfg->whois.threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > THREADS_MAX ? THREADS_MAX : (unsigned)n;
}

static struct wworker *worker_new(struct irrd_whoisd *w, bool threaded)
{
	struct wworker *k = xcalloc(1, sizeof(*k));

	k->w = w;
	k->threaded = threaded;
	k->pipefd[0] = k->pipefd[1] = -1;
	TAILQ_INIT(&k->inbox);
	TAILQ_INIT(&k->conns);
	TAILQ_INIT(&k->reap);
	pthread_mutex_init(&k->mu, NULL);
	if (!threaded) {
		k->base = w->d->base;
	} else {
		/* one thread per base: no locking inside libevent */
		struct event_config *ec = event_config_new();
		if (ec == NULL)
			fatalx("out of memory (whois thread)");
		event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
		k->base = event_base_new_with_config(ec);
		event_config_free(ec);
		if (k->base == NULL)
			fatalx("whois: cannot create an event loop for a whois thread");
		if (pipe2(k->pipefd, O_NONBLOCK | O_CLOEXEC) == -1)
			fatal("whois: pipe");
		k->notify_ev = event_new(k->base, k->pipefd[0], EV_READ | EV_PERSIST, worker_notify_cb, k);
		if (k->notify_ev == NULL || event_add(k->notify_ev, NULL) == -1)
			fatalx("out of memory (whois thread)");
	}
	k->reap_ev = event_new(k->base, -1, 0, reap_cb, k);
	if (k->reap_ev == NULL)
		fatalx("out of memory (whois thread)");
	return k;
}

static void worker_free(struct wworker *k)
{
	struct wconn *c;

	/* the thread has ended (or there is none): what is left is freed here */
	while (k->done != NULL) {
		struct wjob *j = k->done;
		k->done = j->next;
		j->c->busy = false;
		job_free(j);
	}
	while ((c = TAILQ_FIRST(&k->inbox)) != NULL) {
		TAILQ_REMOVE(&k->inbox, c, entry);
		TAILQ_INSERT_TAIL(&k->conns, c, entry);
	}
	while ((c = TAILQ_FIRST(&k->conns)) != NULL) {
		if (c->state == CONN_DEAD) {
			TAILQ_REMOVE(&k->conns, c, entry);
			TAILQ_INSERT_TAIL(&k->reap, c, entry);
		} else {
			conn_kill(c);
		}
	}
	reap_cb(-1, 0, k);
	event_free(k->reap_ev);
	if (k->threaded) {
		event_free(k->notify_ev);
		event_base_free(k->base);
		close(k->pipefd[0]);
		close(k->pipefd[1]);
	}
	pthread_mutex_destroy(&k->mu);
	free(k);
}

struct irrd_whoisd *irrd_whoisd_new(struct irrd *d)
{
	struct irrd_whoisd *w = xcalloc(1, sizeof(*w));
	unsigned n = thread_count(d->cfg);

	w->d = d;
	w->accept_retry = evtimer_new(d->base, accept_retry_cb, w);
	if (w->accept_retry == NULL)
		fatalx("out of memory (whois server)");
	w->nwk = n ? n : 1;
	w->wk = xcalloc(w->nwk, sizeof(*w->wk));
	for (unsigned i = 0; i < w->nwk; i++)
		w->wk[i] = worker_new(w, n > 0);
	return w;
}

int irrd_whoisd_bind(struct irrd_whoisd *w)
{
	const struct cfg_listener *lc = &w->d->cfg->whois;
	bool v6only = irrd_listen_v6only(lc->interfaces, lc->ninterfaces);

	if (lc->port <= 0 || lc->ninterfaces == 0)
		return 0;
	w->fds = xcalloc(lc->ninterfaces, sizeof(*w->fds));
	w->addrs = xcalloc(lc->ninterfaces, sizeof(*w->addrs));
	for (size_t i = 0; i < lc->ninterfaces; i++) {
		int fd = irrd_listen_socket(lc->interfaces[i], lc->port, v6only);
		if (fd == -1)
			return -1;
		w->fds[w->nfds] = fd;
		w->addrs[w->nfds++] = xasprintf("%s port %d", lc->interfaces[i], lc->port);
	}
	return 0;
}

int irrd_whoisd_start(struct irrd_whoisd *w)
{
	for (unsigned i = 0; i < w->nwk; i++) {
		struct wworker *k = w->wk[i];
		if (!k->threaded)
			continue;
		if (pthread_create(&k->th, NULL, worker_main, k) != 0) {
			log_errx("whois: cannot start whois thread %u", i + 1);
			return -1;
		}
		k->running = true;
	}
	if (w->nwk > 0 && w->wk[0]->threaded) {
		struct wpool *pool = xcalloc(1, sizeof(*pool));
		pthread_mutex_init(&pool->mu, NULL);
		pthread_cond_init(&pool->cv, NULL);
		w->pool = pool;
		for (unsigned i = 0; i < w->nwk; i++) {
			if (pthread_create(&pool->th[pool->n], NULL, pool_main, pool) != 0) {
				log_errx("whois: cannot start query thread %u", i + 1);
				return -1;
			}
			pool->n++;
		}
		log_info("whois: %u whois threads, %u query threads", w->nwk, pool->n);
	}
	for (size_t i = 0; i < w->nfds; i++) {
		struct evconnlistener *l;
		int fd = w->fds[i];

		if (irrd_listen_start(fd) == -1)
			return -1;
		l = evconnlistener_new(w->d->base, accept_cb, w, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
		if (l == NULL) {
			log_errx("whois: %s: cannot listen", w->addrs[i]);
			return -1;
		}
		w->fds[i] = -1;	/* the listener owns it */
		evconnlistener_set_error_cb(l, accept_error_cb);
		w->lst = xrealloc(w->lst, (w->nlst + 1) * sizeof(*w->lst));
		w->lst[w->nlst++] = l;
		log_info("whois: listening on %s", w->addrs[i]);
	}
	return 0;
}

void irrd_whoisd_stop_accepting(struct irrd_whoisd *w)
{
	for (size_t i = 0; i < w->nlst; i++)
		evconnlistener_free(w->lst[i]);
	free(w->lst);
	w->lst = NULL;
	w->nlst = 0;
	event_del(w->accept_retry);
	for (size_t i = 0; i < w->nfds; i++) {
		if (w->fds[i] != -1)
			close(w->fds[i]);
		free(w->addrs[i]);
	}
	free(w->fds);
	free(w->addrs);
	w->fds = NULL;
	w->addrs = NULL;
	w->nfds = 0;
}

bool irrd_whoisd_drain(struct irrd_whoisd *w)
{
	atomic_store(&w->draining, true);
	for (unsigned i = 0; i < w->nwk; i++) {
		struct wworker *k = w->wk[i];
		if (k->threaded)
			worker_wake(k);
		else
			worker_drain(k);
	}
	return atomic_load(&w->nconns) == 0;
}

size_t irrd_whoisd_nconns(const struct irrd_whoisd *w)
{
	return atomic_load(&w->nactive);
}

void irrd_whoisd_halt(struct irrd_whoisd *w)
{
	if (w == NULL || w->halted)
		return;
	w->halted = true;
	if (w->pool != NULL) {
		/* the query threads first: they finish the query they are on */
		struct wpool *pool = w->pool;
		pthread_mutex_lock(&pool->mu);
		pool->quit = true;
		pthread_cond_broadcast(&pool->cv);
		pthread_mutex_unlock(&pool->mu);
		for (unsigned i = 0; i < pool->n; i++)
			pthread_join(pool->th[i], NULL);
		pool->n = 0;
	}
	for (unsigned i = 0; i < w->nwk; i++) {
		struct wworker *k = w->wk[i];
		if (!k->running)
			continue;
		pthread_mutex_lock(&k->mu);
		k->quit = true;
		pthread_mutex_unlock(&k->mu);
		worker_wake(k);
		pthread_join(k->th, NULL);
		k->running = false;
	}
}

void irrd_whoisd_stats_sync(struct irrd_whoisd *w)
{
	struct irrd_stats *st;

	if (w == NULL)
		return;
	st = &w->d->stats;
	for (unsigned i = 0; i < w->nwk; i++) {
		struct wworker *k = w->wk[i];
		_Atomic uint64_t *src[4] = { &k->queries, &k->bytes_out, &k->dropped, &k->timeouts };
		uint64_t *dst[4] = { &st->whois_queries_total, &st->whois_bytes_out,
				     &st->whois_connections_dropped, &st->whois_connections_timeout };
		for (int j = 0; j < 4; j++) {
			uint64_t v = atomic_load_explicit(src[j], memory_order_relaxed);
			*dst[j] += v - k->folded[j];
			k->folded[j] = v;
		}
	}
}

void irrd_whoisd_free(struct irrd_whoisd *w)
{
	if (w == NULL)
		return;
	irrd_whoisd_stop_accepting(w);
	irrd_whoisd_halt(w);
	irrd_whoisd_stats_sync(w);
	if (w->pool != NULL) {
		/* queries never answered: their connections close now */
		struct wjob *j;
		while ((j = w->pool->head) != NULL) {
			w->pool->head = j->next;
			j->c->busy = false;
			job_free(j);
		}
		pthread_mutex_destroy(&w->pool->mu);
		pthread_cond_destroy(&w->pool->cv);
		free(w->pool);
		w->pool = NULL;
	}
	for (unsigned i = 0; i < w->nwk; i++)
		worker_free(w->wk[i]);
	free(w->wk);
	event_free(w->accept_retry);
	free(w);
}

/* ---- HTTP helper ---- */

#define INTERNAL_ERROR "An internal error occurred while processing this query."
#define RIPE_NOT_FOUND "%  No entries found for the selected source(s).\n\n\n"

int irrd_whois_unframe(struct evbuffer *answer, struct evbuffer *body)
{
	size_t len = evbuffer_get_length(answer);
	char *a;

	if (len == 0)
		return 204;
	a = (char *)evbuffer_pullup(answer, (ev_ssize_t)len);
	if (a[0] == 'A') {
		/* A<n>\n<data>\nC\n, n = data + 1 */
		char *nl = memchr(a, '\n', len);
		if (nl != NULL) {
			size_t hdr = (size_t)(nl - a) + 1;
			size_t n = strtoul(a + 1, NULL, 10);
			if (n >= 1 && hdr + n + 2 <= len) {
				evbuffer_drain(answer, hdr);
				evbuffer_remove_buffer(answer, body, n - 1);
				evbuffer_drain(answer, evbuffer_get_length(answer));
				return evbuffer_get_length(body) ? 200 : 204;
			}
		}
	} else if (len == 2 && (memcmp(a, "C\n", 2) == 0 || memcmp(a, "D\n", 2) == 0)) {
		evbuffer_drain(answer, len);
		return 204;
	} else if (len >= 2 && a[0] == 'F' && a[1] == ' ') {
		size_t mlen = len - 2;
		int code;
		while (mlen > 0 && a[2 + mlen - 1] == '\n')
			mlen--;
		code = (mlen == strlen(INTERNAL_ERROR) && memcmp(a + 2, INTERNAL_ERROR, mlen) == 0) ? 500 : 400;
		evbuffer_add(body, a + 2, mlen);
		evbuffer_drain(answer, len);
		return code;
	} else if (len == strlen(RIPE_NOT_FOUND) && memcmp(a, RIPE_NOT_FOUND, len) == 0) {
		evbuffer_drain(answer, len);
		return 204;
	} else if (len >= 10 && memcmp(a, "%% ERROR: ", 10) == 0) {
		size_t mlen = len - 10;
		int code;
		while (mlen > 0 && a[10 + mlen - 1] == '\n')
			mlen--;
		code = (mlen == strlen(INTERNAL_ERROR) && memcmp(a + 10, INTERNAL_ERROR, mlen) == 0) ? 500 : 400;
		evbuffer_add(body, a + 10, mlen);
		evbuffer_drain(answer, len);
		return code;
	}
	/* RIPE style success: the result followed by "\n\n\n" */
	if (len >= 3 && memcmp(a + len - 3, "\n\n\n", 3) == 0)
		len -= 3;
	evbuffer_remove_buffer(answer, body, len);
	evbuffer_drain(answer, evbuffer_get_length(answer));
	return evbuffer_get_length(body) ? 200 : 204;
}
