/*
 * rtrd.c - the RTR server on the daemon's event loop (see rtrd.h).
 *
 * Listeners: every server.rtr.interface on server.rtr.port (plain TCP) and,
 * when server.rtr.tls is configured, on server.rtr.tls.port (TLS, RFC 8210
 * section 9). A lone IPv6 wildcard serves IPv4 too. The access list is
 * checked on accept, with the config in force at that moment.
 *
 * Each connection is a bufferevent (socket or OpenSSL) feeding one
 * rtr_session of the shared rtr_cache. The protocol lives in rpki/rtr_*.c;
 * here are the bounds around it:
 *  - read watermark 64 KiB: a router that floods queries while its output
 *    is backed up waits in the kernel, not in our memory;
 *  - write low watermark RTR_SESSION_HIGH_WATER: the write callback comes
 *    when the session would read again, and reads the queries that waited;
 *  - 4 MiB per write: libevent's default of 16 KiB per loop iteration
 *    makes a full set of several MB crawl;
 *  - a connection whose output makes no progress for WRITE_STALL_SECS is
 *    dropped (and the core drops one stalled for 3 x retry, 8210bis 9);
 *    answers are shared reference-counted blobs, so a slow router costs
 *    no copy of the set;
 *  - a TLS handshake must finish within HANDSHAKE_SECS.
 *
 * A connection is never freed inside its own callbacks, nor inside
 * rtr_cache_update(): conn_kill() moves it to the reap list and a separate
 * event frees it.
 */
#include "irrd/rtrd.h"
#include "irrd/irrd.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "rpki/rpki.h"
#include "rpki/rtr.h"
#include "rpsl/log.h"

#define READ_HIGH		(64 * 1024)
#define MAX_SINGLE_WRITE	(4 * 1024 * 1024)
#define WRITE_STALL_SECS	120
#define HANDSHAKE_SECS		30
#define CLOSE_FLUSH_SECS	10
#define LISTEN_BACKLOG		4096
#define DELTA_HISTORY		16	/* serials answerable with a delta (>= 10) */
#define NOTIFY_INTERVAL		60	/* RFC 8210 8.2 */

struct rlistener {
	struct irrd_rtrd *r;
	int fd;				/* bound; owned by l once listening */
	struct evconnlistener *l;
	bool tls;
	char *name;			/* "ADDR port PORT" */
};

struct rconn {
	TAILQ_ENTRY(rconn) entry;
	struct irrd_rtrd *r;
	struct bufferevent *bev;
	struct rtr_session *s;
	bool tls;
	bool handshaken;		/* TLS handshake done (always for TCP) */
	bool closing;			/* flush, then close */
	bool dead;			/* on the reap list */
	time_t started, close_at;	/* monotonic */
	char peer[64];
};
TAILQ_HEAD(rconn_list, rconn);

struct irrd_rtrd {
	struct irrd *d;
	struct rtr_cache *cache;	/* NULL when server.rtr is off */
	const struct roa_set *set;	/* last published, borrowed */
	/* the validator's ASPAs and router keys for one set (irrd_rtr_set_extra) */
	const struct roa_set *extra_for;
	struct rtr_set *extra;
	time_t published, changed;	/* wall clock, 0 = never */
	struct rlistener *lst;
	size_t nlst;
	bool listening, stopping;
	SSL_CTX *ssl_ctx;
	struct event *tick_ev, *reap_ev, *accept_retry;
	struct rconn_list conns, reap;
	size_t nconns, ntls;
	/* counters for /metrics */
	uint64_t accepted, denied, dropped_stall, dropped_tls, publishes;
};

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- connections ---- */

static void conn_kill(struct rconn *c)
{
	struct irrd_rtrd *r = c->r;

	if (c->dead)
		return;
	c->dead = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	TAILQ_REMOVE(&r->conns, c, entry);
	TAILQ_INSERT_TAIL(&r->reap, c, entry);
	event_active(r->reap_ev, EV_READ, 0);
}

static void conn_free(struct rconn *c)
{
	struct irrd_rtrd *r = c->r;

	rtr_session_free(c->s);
	bufferevent_free(c->bev);
	r->nconns--;
	if (c->tls)
		r->ntls--;
	free(c);
}

static void reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_rtrd *r = arg;
	struct rconn *c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&r->reap)) != NULL) {
		TAILQ_REMOVE(&r->reap, c, entry);
		conn_free(c);
	}
}

/* Act on what the session asked for. */
static void conn_status(struct rconn *c, enum rtr_session_status st)
{
	if (c->dead)
		return;
	if (st == RTR_SESSION_DROP) {
		log_info("rtr %s: closing at once", c->peer);
		conn_kill(c);
		return;
	}
	if (st == RTR_SESSION_CLOSE && !c->closing) {
		c->closing = true;
		c->close_at = mono_now() + CLOSE_FLUSH_SECS;
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			conn_kill(c);
	}
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct rconn *c = arg;

	if (c->closing) {
		evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	conn_status(c, rtr_session_input(c->s, bufferevent_get_input(bev), mono_now()));
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct rconn *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_kill(c);
		return;
	}
	/* below the high water again: answer the queries that waited */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0 && rtr_session_wants_input(c->s))
		conn_status(c, rtr_session_input(c->s, bufferevent_get_input(bev), mono_now()));
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct rconn *c = arg;
	struct irrd_rtrd *r = c->r;

	if (what & BEV_EVENT_CONNECTED) {
		/* TLS handshake complete */
		char info[320];

		c->handshaken = true;
		irrd_rtr_tls_peer(bufferevent_openssl_get_ssl(bev), info, sizeof(info));
		log_info("rtr %s: TLS established (%s)", c->peer, info);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		log_warnx("rtr %s: output stalled for %d s with %zu bytes queued; dropping", c->peer,
			  WRITE_STALL_SECS, evbuffer_get_length(bufferevent_get_output(bev)));
		r->dropped_stall++;
		conn_kill(c);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		if (c->tls) {
			unsigned long e;
			char buf[256];
			bool any = false;

			while ((e = bufferevent_get_openssl_error(bev)) != 0) {
				ERR_error_string_n(e, buf, sizeof(buf));
				log_info("rtr %s: TLS: %s", c->peer, buf);
				any = true;
			}
			irrd_rtr_tls_drain_errors(c->peer);
			if (!c->handshaken) {
				r->dropped_tls++;
				log_info("rtr %s: TLS handshake failed%s", c->peer,
					 any ? "" : " (connection closed)");
				conn_kill(c);
				return;
			}
		}
		if (EVUTIL_SOCKET_ERROR() != 0 && !c->tls)
			log_info("rtr %s: %s; closing", c->peer, strerror(EVUTIL_SOCKET_ERROR()));
		else
			log_info("rtr %s: connection error; closing", c->peer);
		conn_kill(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		log_info("rtr %s: closed by the router", c->peer);
		conn_kill(c);
	}
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct rlistener *rl = arg;
	struct irrd_rtrd *r = rl->r;
	struct irrd *d = r->d;
	const struct cfg *cfg = d->cfg;
	struct ip_addr addr;
	struct rconn *c;
	struct timeval wtv = { WRITE_STALL_SECS, 0 };
	char peer[64], name[80];
	int one = 1;

	(void)l;
	(void)salen;
	irrd_sockaddr_peer(sa, &addr, peer, sizeof(peer));
	if (r->stopping || r->cache == NULL) {
		close(fd);
		return;
	}
	if (cfg->rtr.access_list != NULL && !cfg_access_allowed(cfg, cfg->rtr.access_list, &addr)) {
		log_info("rtr %s: not in access list %s; closing", peer, cfg->rtr.access_list);
		r->denied++;
		close(fd);
		return;
	}
	if (rl->tls && r->ssl_ctx == NULL) {
		close(fd);
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_debug("rtr %s: TCP_NODELAY: %s", peer, strerror(errno));

	c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->tls = rl->tls;
	c->started = mono_now();
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (rl->tls) {
		SSL *ssl = SSL_new(r->ssl_ctx);

		if (ssl == NULL) {
			irrd_rtr_tls_drain_errors(peer);
			log_warnx("rtr %s: cannot create a TLS session; closing", peer);
			close(fd);
			free(c);
			return;
		}
		c->bev = bufferevent_openssl_socket_new(d->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
							 BEV_OPT_CLOSE_ON_FREE);
		if (c->bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->handshaken = true;
		c->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	if (c->bev == NULL) {
		log_warnx("rtr %s: cannot create a bufferevent; closing", peer);
		close(fd);
		free(c);
		return;
	}
	snprintf(name, sizeof(name), "%s%s", peer, rl->tls ? " (tls)" : "");
	c->s = rtr_session_new(r->cache, bufferevent_get_output(c->bev), name);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_set_max_single_write(c->bev, MAX_SINGLE_WRITE);
	bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH);
	bufferevent_setwatermark(c->bev, EV_WRITE, RTR_SESSION_HIGH_WATER, 0);
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&r->conns, c, entry);
	r->nconns++;
	if (c->tls)
		r->ntls++;
	r->accepted++;
	log_info("rtr %s: connected%s", peer, rl->tls ? " (TLS)" : "");
}

static void accept_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_rtrd *r = arg;

	(void)fd;
	(void)what;
	if (r->stopping)
		return;
	for (size_t i = 0; i < r->nlst; i++)
		if (r->lst[i].l != NULL)
			evconnlistener_enable(r->lst[i].l);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct rlistener *rl = arg;
	struct irrd_rtrd *r = rl->r;
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = { 1, 0 };

	(void)l;
	log_warnx("rtr: %s: accept: %s", rl->name, strerror(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		/* out of descriptors: pause a second rather than spin */
		for (size_t i = 0; i < r->nlst; i++)
			if (r->lst[i].l != NULL)
				evconnlistener_disable(r->lst[i].l);
		event_add(r->accept_retry, &tv);
	}
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct irrd_rtrd *r = arg;
	struct rconn *c, *next;
	time_t now = mono_now();

	(void)fd;
	(void)what;
	for (c = TAILQ_FIRST(&r->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->closing) {
			if (now >= c->close_at) {
				log_info("rtr %s: output not flushed within %d s; closing", c->peer,
					 CLOSE_FLUSH_SECS);
				conn_kill(c);
			}
			continue;
		}
		if (!c->handshaken) {
			if (now - c->started >= HANDSHAKE_SECS) {
				log_info("rtr %s: TLS handshake not done within %d s; closing", c->peer,
					 HANDSHAKE_SECS);
				r->dropped_tls++;
				conn_kill(c);
			}
			continue;
		}
		{
			enum rtr_session_status st = rtr_session_tick(c->s, now);

			if (st == RTR_SESSION_DROP)
				r->dropped_stall++;	/* output stalled, 8210bis 9 */
			conn_status(c, st);
		}
	}
}

/* ---- the server ---- */

static void cache_config_from(const struct cfg *cfg, struct rtr_cache_config *cc)
{
	struct rtr_cache_config def = RTR_CACHE_CONFIG_DEFAULT;

	*cc = def;
	cc->refresh = (uint32_t)cfg->rtr.refresh;
	cc->retry = (uint32_t)cfg->rtr.retry;
	cc->expire = (uint32_t)cfg->rtr.expire;
	cc->history = DELTA_HISTORY;
	cc->notify_interval = NOTIFY_INTERVAL;
}

struct irrd_rtrd *irrd_rtrd_new(struct irrd *d)
{
	struct irrd_rtrd *r = xcalloc(1, sizeof(*r));
	struct rtr_cache_config cc;

	r->d = d;
	TAILQ_INIT(&r->conns);
	TAILQ_INIT(&r->reap);
	if (d->cfg->rtr.port <= 0)
		return r;
	cache_config_from(d->cfg, &cc);
	r->cache = rtr_cache_new(&cc);
	if (r->cache == NULL)
		fatalx("server.rtr: refresh/retry/expire out of range (RFC 8210 section 6)");
	r->tick_ev = event_new(d->base, -1, EV_PERSIST, tick_cb, r);
	r->reap_ev = event_new(d->base, -1, 0, reap_cb, r);
	r->accept_retry = evtimer_new(d->base, accept_retry_cb, r);
	if (r->tick_ev == NULL || r->reap_ev == NULL || r->accept_retry == NULL)
		fatalx("out of memory (RTR server)");
	return r;
}

static int bind_port(struct irrd_rtrd *r, int port, bool tls)
{
	const struct cfg_listener *lc = &r->d->cfg->rtr;
	bool v6only = irrd_listen_v6only(lc->interfaces, lc->ninterfaces);

	for (size_t i = 0; i < lc->ninterfaces; i++) {
		int fd = irrd_listen_socket(lc->interfaces[i], port, v6only);
		struct rlistener *rl;

		if (fd == -1)
			return -1;
		r->lst = xrealloc(r->lst, (r->nlst + 1) * sizeof(*r->lst));
		rl = &r->lst[r->nlst++];
		memset(rl, 0, sizeof(*rl));
		rl->r = r;
		rl->fd = fd;
		rl->tls = tls;
		rl->name = xasprintf("%s port %d%s", lc->interfaces[i], port, tls ? " (TLS)" : "");
	}
	return 0;
}

int irrd_rtrd_bind(struct irrd_rtrd *r)
{
	const struct cfg_listener *lc;

	if (r == NULL || r->cache == NULL)
		return 0;
	lc = &r->d->cfg->rtr;
	if (lc->tls_cert != NULL) {
		r->ssl_ctx = irrd_rtr_tls_ctx(lc);
		if (r->ssl_ctx == NULL)
			return -1;
	}
	if (bind_port(r, lc->port, false) == -1)
		return -1;
	if (lc->tls_cert != NULL && lc->tls_port > 0 && bind_port(r, lc->tls_port, true) == -1)
		return -1;
	return 0;
}

int irrd_rtrd_start(struct irrd_rtrd *r)
{
	struct timeval one = { 1, 0 };

	if (r == NULL || r->cache == NULL || r->listening)
		return 0;
	for (size_t i = 0; i < r->nlst; i++) {
		struct rlistener *rl = &r->lst[i];

		if (listen(rl->fd, LISTEN_BACKLOG) == -1) {
			log_err("rtr: %s: listen", rl->name);
			return -1;
		}
		rl->l = evconnlistener_new(r->d->base, accept_cb, rl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
					   0, rl->fd);
		if (rl->l == NULL) {
			log_errx("rtr: %s: cannot listen", rl->name);
			return -1;
		}
		rl->fd = -1;
		evconnlistener_set_error_cb(rl->l, accept_error_cb);
		log_info("rtr: listening on %s", rl->name);
	}
	event_add(r->tick_ev, &one);
	r->listening = true;
	return 0;
}

static void listeners_close(struct irrd_rtrd *r)
{
	for (size_t i = 0; i < r->nlst; i++) {
		if (r->lst[i].l != NULL)
			evconnlistener_free(r->lst[i].l);
		else if (r->lst[i].fd != -1)
			close(r->lst[i].fd);
		free(r->lst[i].name);
	}
	free(r->lst);
	r->lst = NULL;
	r->nlst = 0;
	if (r->accept_retry != NULL)
		event_del(r->accept_retry);
}

/* Were the listeners bound for these settings? */
static bool listeners_match(const struct irrd_rtrd *r, const struct cfg_listener *lc)
{
	size_t k = 0;
	bool same = true;

	for (int pass = 0; pass < 2 && same; pass++) {
		int port = pass == 0 ? lc->port : lc->tls_port;

		if (pass == 1 && (lc->tls_cert == NULL || lc->tls_port <= 0))
			break;
		for (size_t i = 0; i < lc->ninterfaces && same; i++, k++) {
			char *name = xasprintf("%s port %d%s", lc->interfaces[i], port, pass ? " (TLS)" : "");

			same = k < r->nlst && strcmp(r->lst[k].name, name) == 0;
			free(name);
		}
	}
	return same && k == r->nlst;
}

void irrd_rtrd_reconfigure(struct irrd_rtrd *r)
{
	const struct cfg *cfg;
	struct rtr_cache_config cc;

	if (r == NULL)
		return;
	cfg = r->d->cfg;
	if (r->cache == NULL) {
		if (cfg->rtr.port > 0)
			log_warnx("server.rtr: the RTR server starts after a restart");
		return;
	}
	if (cfg->rtr.port <= 0) {
		log_warnx("server.rtr: removing the RTR server takes effect after a restart");
		return;
	}
	cache_config_from(cfg, &cc);
	if (rtr_cache_configure(r->cache, &cc) == -1)
		log_warnx("server.rtr: timers not changed");
	/* the listeners stay as bound at start-up */
	if (!listeners_match(r, &cfg->rtr))
		log_warnx("server.rtr: interface/port/TLS changes take effect after a restart");
	if (r->ssl_ctx != NULL && cfg->rtr.tls_cert != NULL) {
		SSL_CTX *n = irrd_rtr_tls_ctx(&cfg->rtr);

		if (n == NULL) {
			log_warnx("server.rtr.tls: keeping the previous certificate, key and client CA");
		} else {
			irrd_rtr_tls_ctx_free(r->ssl_ctx);
			r->ssl_ctx = n;
			log_info("server.rtr.tls: certificate, key and client CA reloaded");
		}
	}
}

/* Best effort: put what is queued (a Cache Shutdown) on the wire now. */
static void conn_flush_now(struct rconn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (c->tls || fd < 0 || c->dead)
		return;
	while (evbuffer_get_length(out) > 0)
		if (evbuffer_write(out, fd) <= 0)
			break;
}

void irrd_rtrd_stop_accepting(struct irrd_rtrd *r)
{
	struct rconn *c, *next;

	if (r == NULL || r->stopping)
		return;
	r->stopping = true;
	/* the import glue frees the set in force when it stops */
	r->set = NULL;
	listeners_close(r);
	if (r->cache == NULL)
		return;
	if (r->nconns > 0)
		log_info("rtr: closing %zu sessions", r->nconns);
	rtr_cache_shutdown(r->cache, false);
	for (c = TAILQ_FIRST(&r->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		conn_flush_now(c);
		conn_status(c, RTR_SESSION_CLOSE);
	}
}

void irrd_rtrd_free(struct irrd_rtrd *r)
{
	struct rconn *c;

	if (r == NULL)
		return;
	if (r->d->rtrd == r)
		r->d->rtrd = NULL;
	listeners_close(r);
	while ((c = TAILQ_FIRST(&r->conns)) != NULL) {
		conn_flush_now(c);
		TAILQ_REMOVE(&r->conns, c, entry);
		conn_free(c);
	}
	while ((c = TAILQ_FIRST(&r->reap)) != NULL) {
		TAILQ_REMOVE(&r->reap, c, entry);
		conn_free(c);
	}
	if (r->tick_ev != NULL)
		event_free(r->tick_ev);
	if (r->reap_ev != NULL)
		event_free(r->reap_ev);
	if (r->accept_retry != NULL)
		event_free(r->accept_retry);
	rtr_cache_free(r->cache);
	rtr_set_free(r->extra);
	if (r->ssl_ctx != NULL)
		irrd_rtr_tls_ctx_free(r->ssl_ctx);
	free(r);
}

/* ---- the served set ---- */

/* Within one address, RTR's order is max length, prefix length, ASN. */
static bool vrp_after(const struct rtr_vrp *a, const struct rtr_vrp *b)
{
	if (a->max_len != b->max_len)
		return a->max_len > b->max_len;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len > b->prefix.len;
	return a->asn > b->asn;
}

/*
 * A ROA set is sorted by family, address, prefix length, max length, ASN;
 * the RTR cache wants family, address, max length, prefix length, ASN.
 * Reorder each run of one address (a few VRPs at most) by insertion sort,
 * so that rtr_set_normalise() finds the set sorted and skips its qsort
 * (80 ms of the publish for 600,000 VRPs). Should the orders ever differ
 * otherwise, normalise sorts as before: this is only a shortcut.
 */
static void vrps_reorder(struct rtr_vrp *v, size_t n)
{
	size_t start = 0;

	while (start < n) {
		size_t end = start + 1;

		while (end < n && v[end].prefix.family == v[start].prefix.family &&
		       memcmp(v[end].prefix.a, v[start].prefix.a, sizeof(v[start].prefix.a)) == 0)
			end++;
		for (size_t i = start + 1; i < end; i++) {
			struct rtr_vrp x = v[i];
			size_t j = i;

			while (j > start && vrp_after(&v[j - 1], &x)) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		start = end;
	}
}

/* The RTR payload of a ROA set: its VRPs and the router keys of SLURM's
 * bgpsecAssertions (filters apply to validator output, which carries no
 * keys here; RFC 8416 section 4). */
static struct rtr_set *rtr_set_from(const struct roa_set *set, size_t *bad)
{
	struct rtr_set *rs = rtr_set_new();
	const struct roa *roas;
	const struct slurm *sl;
	size_t n;

	*bad = 0;
	roas = roa_set_roas(set, &n);
	if (n > 0) {
		rs->vrps = xcalloc(n, sizeof(*rs->vrps));
		rs->vrps_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		struct rtr_vrp v;

		memset(&v, 0, sizeof(v));
		v.prefix = roas[i].prefix;
		v.max_len = roas[i].maxlen;
		v.asn = roas[i].asn;
		if (rtr_set_add_vrp(rs, &v) == -1)
			(*bad)++;
	}
	vrps_reorder(rs->vrps, rs->nvrps);
	sl = roa_set_slurm(set);
	for (size_t i = 0; sl != NULL && i < sl->nbgpsec_assertions; i++) {
		const struct slurm_bgpsec_assertion *a = &sl->bgpsec_assertions[i];

		if (!a->ok || rtr_set_add_router_key(rs, a->ski, a->asn, a->spki, a->spki_len) == -1)
			(*bad)++;
	}
	return rs;
}

void irrd_rtr_publish(struct irrd *d, const struct roa_set *set)
{
	struct irrd_rtrd *r = d != NULL ? d->rtrd : NULL;
	struct rtr_cache_stats st;
	struct rtr_set *rs;
	struct timespec t0, t1;
	size_t bad;
	int changed;

	if (r == NULL || set == NULL)
		return;
	if (r->publishes == 0 && roa_set_count(set) == 0 &&
	    (roa_set_slurm(set) == NULL || roa_set_slurm(set)->nbgpsec_assertions == 0) &&
	    (r->extra == NULL || r->extra_for != set || r->extra->naspas + r->extra->nkeys == 0)) {
		/* An empty first set is what a failed first import reads back
		 * from an empty roa_object; to a router "synced, no VRPs" would
		 * look like a working cache. Keep "No Data Available". */
		log_info("rtr: the ROA set is empty; routers get \"No Data Available\" until a "
			 "non-empty set is imported");
		return;
	}
	r->set = set;
	r->published = time(NULL);
	r->publishes++;
	if (r->cache == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rs = rtr_set_from(set, &bad);
	if (r->extra != NULL && r->extra_for == set) {
		/* the validator's ASPAs and router keys, in the same update */
		for (size_t i = 0; i < r->extra->naspas; i++) {
			const struct rtr_aspa *a = &r->extra->aspas[i];

			if (rtr_set_add_aspa(rs, a->customer_asn, a->providers, a->nproviders) == -1)
				bad++;
		}
		for (size_t i = 0; i < r->extra->nkeys; i++) {
			const struct rtr_router_key *k = &r->extra->keys[i];

			if (rtr_set_add_router_key(rs, k->ski, k->asn, k->spki, k->spki_len) == -1)
				bad++;
		}
	}
	if (bad > 0)
		log_warnx("rtr: %zu records of the ROA set cannot be carried by RTR; left out", bad);
	changed = rtr_cache_update(r->cache, rs, mono_now());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rtr_cache_stats(r->cache, &st);
	if (changed)
		r->changed = r->published;
	log_info("rtr: %s: serial %u, %zu VRPs (IPv4 %zu, IPv6 %zu), %zu router keys, %zu sessions "
		 "notified, %.0f ms",
		 changed ? "new data" : "data unchanged", st.serial, st.vrps_v4 + st.vrps_v6, st.vrps_v4,
		 st.vrps_v6, st.router_keys, changed ? st.sessions : 0,
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

void irrd_rtr_set_extra(struct irrd *d, const struct roa_set *set, struct rtr_set *extra)
{
	struct irrd_rtrd *r = d != NULL ? d->rtrd : NULL;

	if (r == NULL) {
		rtr_set_free(extra);
		return;
	}
	rtr_set_free(r->extra);
	r->extra = extra;
	r->extra_for = extra != NULL ? set : NULL;
}

char *irrd_rtr_json(struct irrd *d, size_t *len)
{
	struct irrd_rtrd *r = d != NULL ? d->rtrd : NULL;

	*len = 0;
	if (r == NULL || r->set == NULL)
		return NULL;
	return roa_set_json(r->set, len);
}

/* ---- status ---- */

static void status_metrics(struct irrd_rtrd *r, struct evbuffer *o)
{
	struct rtr_cache_stats st;

	rtr_cache_stats(r->cache, &st);
	irrd_metric_head(o, true, "irrd_rtr_data_available", "gauge", "1 once a ROA set is served over RTR");
	evbuffer_add_printf(o, "irrd_rtr_data_available %d\n", st.have_data ? 1 : 0);
	irrd_metric_head(o, true, "irrd_rtr_serial", "gauge", "Serial number of the set served over RTR");
	evbuffer_add_printf(o, "irrd_rtr_serial %u\n", st.serial);
	irrd_metric_head(o, true, "irrd_rtr_sessions", "gauge", "RTR sessions open now");
	evbuffer_add_printf(o, "irrd_rtr_sessions{transport=\"tcp\"} %zu\n", r->nconns - r->ntls);
	evbuffer_add_printf(o, "irrd_rtr_sessions{transport=\"tls\"} %zu\n", r->ntls);
	irrd_metric_head(o, true, "irrd_rtr_vrps", "gauge", "VRPs served over RTR");
	evbuffer_add_printf(o, "irrd_rtr_vrps{family=\"ipv4\"} %zu\n", st.vrps_v4);
	evbuffer_add_printf(o, "irrd_rtr_vrps{family=\"ipv6\"} %zu\n", st.vrps_v6);
	irrd_metric_head(o, true, "irrd_rtr_router_keys", "gauge", "BGPsec router keys served over RTR");
	evbuffer_add_printf(o, "irrd_rtr_router_keys %zu\n", st.router_keys);
	irrd_metric_head(o, true, "irrd_rtr_deltas", "gauge", "Older serials answerable with a delta");
	evbuffer_add_printf(o, "irrd_rtr_deltas %zu\n", st.deltas);
	irrd_metric_head(o, true, "irrd_rtr_last_update_timestamp", "gauge",
			 "Time the served set last changed, in seconds since UNIX epoch");
	evbuffer_add_printf(o, "irrd_rtr_last_update_timestamp %lld\n", (long long)r->changed);
	irrd_metric_head(o, true, "irrd_rtr_last_publish_timestamp", "gauge",
			 "Time of the last ROA import handed to RTR, in seconds since UNIX epoch");
	evbuffer_add_printf(o, "irrd_rtr_last_publish_timestamp %lld\n", (long long)r->published);
	irrd_metric_head(o, true, "irrd_rtr_queries_total", "counter", "RTR queries answered");
	evbuffer_add_printf(o, "irrd_rtr_queries_total{type=\"reset\"} %llu\n",
			    (unsigned long long)st.reset_queries);
	evbuffer_add_printf(o, "irrd_rtr_queries_total{type=\"serial\"} %llu\n",
			    (unsigned long long)st.serial_queries);
	irrd_metric_head(o, true, "irrd_rtr_cache_resets_total", "counter", "Serial Queries answered with Cache Reset");
	evbuffer_add_printf(o, "irrd_rtr_cache_resets_total %llu\n", (unsigned long long)st.cache_resets);
	irrd_metric_head(o, true, "irrd_rtr_deltas_sent_total", "counter", "Serial Queries answered with a delta");
	evbuffer_add_printf(o, "irrd_rtr_deltas_sent_total %llu\n", (unsigned long long)st.deltas_sent);
	irrd_metric_head(o, true, "irrd_rtr_serial_notifies_total", "counter", "Serial Notify PDUs sent");
	evbuffer_add_printf(o, "irrd_rtr_serial_notifies_total %llu\n", (unsigned long long)st.notifies_sent);
	irrd_metric_head(o, true, "irrd_rtr_error_reports_total", "counter", "Error Report PDUs");
	evbuffer_add_printf(o, "irrd_rtr_error_reports_total{direction=\"sent\"} %llu\n",
			    (unsigned long long)st.errors_sent);
	evbuffer_add_printf(o, "irrd_rtr_error_reports_total{direction=\"received\"} %llu\n",
			    (unsigned long long)st.errors_received);
	irrd_metric_head(o, true, "irrd_rtr_connections_total", "counter", "RTR connections accepted");
	evbuffer_add_printf(o, "irrd_rtr_connections_total %llu\n", (unsigned long long)r->accepted);
	irrd_metric_head(o, true, "irrd_rtr_connections_rejected_total", "counter", "RTR connections turned away");
	evbuffer_add_printf(o, "irrd_rtr_connections_rejected_total{reason=\"access_list\"} %llu\n",
			    (unsigned long long)r->denied);
	irrd_metric_head(o, true, "irrd_rtr_connections_dropped_total", "counter", "RTR connections dropped by the server");
	evbuffer_add_printf(o, "irrd_rtr_connections_dropped_total{reason=\"stalled\"} %llu\n",
			    (unsigned long long)r->dropped_stall);
	evbuffer_add_printf(o, "irrd_rtr_connections_dropped_total{reason=\"tls\"} %llu\n",
			    (unsigned long long)r->dropped_tls);
}

void irrd_rtrd_status(struct irrd *d, struct evbuffer *out, bool metrics)
{
	struct irrd_rtrd *r = d != NULL ? d->rtrd : NULL;
	struct rtr_cache_stats st;
	char when[64], changed[64];

	if (metrics) {
		if (r != NULL && r->cache != NULL)
			status_metrics(r, out);
		return;
	}
	evbuffer_add_printf(out, "\nRTR server\n----------\n");
	if (r == NULL || r->cache == NULL) {
		evbuffer_add_printf(out, "    Not configured (server.rtr)\n");
		return;
	}
	evbuffer_add_printf(out, "    Listening on:");
	for (size_t i = 0; i < r->nlst; i++)
		evbuffer_add_printf(out, "%s %s", i ? "," : "", r->lst[i].name);
	evbuffer_add_printf(out, "%s\n", r->nlst == 0 ? " nothing (stopping)" : "");
	rtr_cache_stats(r->cache, &st);
	if (!st.have_data) {
		evbuffer_add_printf(out, "    Serial: None (no ROA set yet: queries get \"No Data Available\")\n");
	} else {
		evbuffer_add_printf(out, "    Serial: %u\n", st.serial);
		evbuffer_add_printf(out, "    Session ids: v0 %u, v1 %u, v2 %u\n", st.session_id[0],
				    st.session_id[1], st.session_id[2]);
		evbuffer_add_printf(out, "    VRPs: %zu (IPv4 %zu, IPv6 %zu); router keys: %zu\n",
				    st.vrps_v4 + st.vrps_v6, st.vrps_v4, st.vrps_v6, st.router_keys);
		evbuffer_add_printf(out, "    Older serials answerable with a delta: %zu\n", st.deltas);
	}
	irrd_status_time(r->changed, changed, sizeof(changed));
	irrd_status_time(r->published, when, sizeof(when));
	evbuffer_add_printf(out, "    Last update of the served set: %s\n", changed);
	evbuffer_add_printf(out, "    Last ROA set handed to RTR: %s\n", when);
	evbuffer_add_printf(out, "    Sessions open: %zu (TLS %zu)\n", r->nconns, r->ntls);
	evbuffer_add_printf(out, "    Timers: refresh %d, retry %d, expire %d\n", d->cfg->rtr.refresh,
			    d->cfg->rtr.retry, d->cfg->rtr.expire);
	evbuffer_add_printf(out, "    Queries: %llu reset, %llu serial; %llu Serial Notifies sent\n",
			    (unsigned long long)st.reset_queries, (unsigned long long)st.serial_queries,
			    (unsigned long long)st.notifies_sent);
}
