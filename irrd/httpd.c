/*
 * httpd.c - the HTTP server (libevent evhttp) on the daemon's loop:
 *   GET /v1/whois/?q=QUERY  IRRd's whois over HTTP: the bare result, 200;
 *                           no result 204; a bad query 400 with the error
 *   GET /v1/status/         the status page (text, as IRRd's)
 *   GET /metrics            Prometheus text format
 *   GET /json               the served ROA set (irrd_rtr_json), 404 if none
 * As Starlette mounts do in IRRd, each path also answers without or with
 * a trailing slash. /v1/status/ and /metrics answer only clients in
 * server.http.status_access_list (nobody when it is not set, as IRRd).
 */
#include "irrd/irrd.h"
#include "irrd/rtrd.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "rpsl/log.h"

#define HTTP_TIMEOUT_SECS 60
#define HTTP_QUERY_MAX (64 * 1024)

struct irrd_httpd {
	struct irrd *d;
	struct evhttp *http;
	int *fds;			/* bound, not yet listening */
	size_t nfds;
	struct evhttp_bound_socket **bound;
	size_t nbound;
};

static void reply_text(struct evhttp_request *req, int code, const char *reason, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	evhttp_send_reply(req, code, reason, body);
}

static void reply_msg(struct evhttp_request *req, int code, const char *reason, const char *msg)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatalx("out of memory");
	evbuffer_add(b, msg, strlen(msg));
	reply_text(req, code, reason, b);
	evbuffer_free(b);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Decode application/x-www-form-urlencoded in place ('+' is a space);
 * returns the decoded length. */
static size_t form_decode(char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < len && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			s[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

/* The value of parameter name in a query string (first occurrence), decoded
 * into a new buffer; NULL if absent. */
static char *query_param(const char *qs, const char *name, size_t *lenp)
{
	size_t nlen = strlen(name);
	const char *p = qs;

	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t plen = amp ? (size_t)(amp - p) : strlen(p);
		if (plen >= nlen + 1 && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			char *v = xstrndup(p + nlen + 1, plen - nlen - 1);
			*lenp = form_decode(v, plen - nlen - 1);
			v[*lenp] = '\0';
			return v;
		}
		if (plen == nlen && memcmp(p, name, nlen) == 0) {
			*lenp = 0;
			return xstrdup("");
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static bool path_is(const char *path, const char *mount)
{
	size_t n = strlen(mount);
	return strncmp(path, mount, n) == 0 && (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0'));
}

static bool peer_addr(struct evhttp_request *req, struct ip_addr *addr)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct sockaddr *sa = conn ? evhttp_connection_get_addr(conn) : NULL;

	if (sa == NULL)
		return false;
	irrd_sockaddr_peer(sa, addr, NULL, 0);
	return true;
}

static bool status_allowed(struct irrd_httpd *h, struct evhttp_request *req)
{
	const struct cfg *cfg = h->d->cfg;
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct sockaddr *sa = conn ? evhttp_connection_get_addr(conn) : NULL;
	struct ip_addr addr;
	char peer[64];

	if (sa == NULL)
		return false;
	irrd_sockaddr_peer(sa, &addr, peer, sizeof(peer));
	/* as IRRd: no server.http.status_access_list means nobody */
	if (cfg->http.access_list == NULL) {
		log_info("%s: rejecting HTTP request, server.http.status_access_list not set", peer);
		return false;
	}
	if (cfg_access_allowed(cfg, cfg->http.access_list, &addr))
		return true;
	log_info("%s: rejecting HTTP request, not in access list %s", peer, cfg->http.access_list);
	return false;
}

static void handle_whois(struct irrd_httpd *h, struct evhttp_request *req, const char *qs)
{
	struct irrd *d = h->d;
	struct whois_session *s;
	struct evbuffer *answer, *body;
	struct timespec t0, t1;
	struct ip_addr addr;
	size_t qlen = 0;
	char *q = qs ? query_param(qs, "q", &qlen) : NULL;
	int code;

	if (q == NULL) {
		reply_msg(req, 400, "Bad Request", "Missing required query parameter \"q\"");
		return;
	}
	if (qlen > HTTP_QUERY_MAX) {
		free(q);
		reply_msg(req, 400, "Bad Request", "Query too long");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	answer = evbuffer_new();
	body = evbuffer_new();
	if (answer == NULL || body == NULL)
		fatalx("out of memory");
	s = whois_session_new(&d->wctx);
	if (peer_addr(req, &addr))
		whois_session_set_peer(s, &addr);
	(void)whois_session_query(s, q, qlen, answer);
	whois_session_free(s);
	d->stats.whois_queries_total++;
	code = irrd_whois_unframe(answer, body);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("HTTP: sent answer to HTTP query, elapsed %.9fs, %zu bytes: %.200s",
		 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		 evbuffer_get_length(body), q);
	switch (code) {
	case 200:
		reply_text(req, 200, "OK", body);
		break;
	case 204:
		evhttp_send_reply(req, 204, "No Content", NULL);
		break;
	case 500:
		reply_text(req, 500, "Internal Server Error", body);
		break;
	default:
		reply_text(req, 400, "Bad Request", body);
		break;
	}
	evbuffer_free(answer);
	evbuffer_free(body);
	free(q);
}

/* ---- /v1/status/ ---- */

static void count_for(const struct irrd *d, const char *source, uint64_t *total, uint64_t *routes,
		      uint64_t *autnums)
{
	*total = irrd_count_source(d, source, -1);
	*routes = irrd_count_source(d, source, RPSL_ROUTE);
	*autnums = irrd_count_source(d, source, RPSL_AUT_NUM);
}

static void serial_text(char *buf, size_t sz, int64_t v)
{
	if (v < 0)
		snprintf(buf, sz, "None");
	else
		snprintf(buf, sz, "%lld", (long long)v);
}

static void status_page(struct irrd *d, struct evbuffer *o)
{
	const struct cfg *cfg = d->cfg;
	const struct irrd_db_snapshot *db = d->db;
	uint64_t total, routes, autnums;

	evbuffer_add_printf(o, "IRRD version %s\n", IRRD_VERSION);
	evbuffer_add_printf(o, "Listening on ");
	for (size_t i = 0; i < cfg->whois.ninterfaces; i++)
		evbuffer_add_printf(o, "%s%s", i ? ", " : "", cfg->whois.interfaces[i]);
	evbuffer_add_printf(o, " port %d\n", cfg->whois.port);
	{
		char since[64];
		irrd_status_time(d->started, since, sizeof(since));
		evbuffer_add_printf(o, "Up since %s (%lld seconds); %zu whois connections open\n", since,
				    (long long)(time(NULL) - d->started),
				    d->whoisd ? irrd_whoisd_nconns(d->whoisd) : 0);
	}
	evbuffer_add_printf(o, "Objects in the whois index: %zu; last change applied: seq %lld\n\n",
			    d->idx ? whois_index_count(d->idx) : 0, (long long)d->stats.change_seq);

	evbuffer_add_printf(o, "%-20s  %10s  %10s  %11s  %10s  %11s\n", "source", "total obj", "rt obj",
			    "aut-num obj", "serial", "last export");
	for (size_t i = 0; db != NULL && i < db->nsources; i++) {
		const struct irrd_source_info *s = &db->sources[i];
		char serial[24], exp[24];
		count_for(d, s->source, &total, &routes, &autnums);
		serial_text(serial, sizeof(serial), s->serial_newest_seen);
		if (s->serial_last_export < 0)
			exp[0] = '\0';
		else
			serial_text(exp, sizeof(exp), s->serial_last_export);
		evbuffer_add_printf(o, "%-20s  %10llu  %10llu  %11llu  %10s  %11s\n", s->source,
				    (unsigned long long)total, (unsigned long long)routes,
				    (unsigned long long)autnums, serial, exp);
	}
	count_for(d, NULL, &total, &routes, &autnums);
	evbuffer_add_printf(o, "%-20s  %10llu  %10llu  %11llu  %10s  %11s\n", "TOTAL", (unsigned long long)total,
			    (unsigned long long)routes, (unsigned long long)autnums, "", "");

	for (size_t i = 0; db != NULL && i < db->nsources; i++) {
		const struct irrd_source_info *s = &db->sources[i];
		const struct cfg_source *cs = cfg_source_find(cfg, s->source);
		char a[24], b[24], c[24], e[24], f[24], g[24];

		serial_text(a, sizeof(a), s->serial_oldest_seen);
		serial_text(b, sizeof(b), s->serial_newest_seen);
		serial_text(c, sizeof(c), s->serial_oldest_journal);
		serial_text(e, sizeof(e), s->serial_newest_journal);
		serial_text(f, sizeof(f), s->serial_last_export);
		serial_text(g, sizeof(g), s->serial_newest_mirror);
		evbuffer_add_printf(o, "\n\nStatus for %s\n-------------------\nLocal information:\n", s->source);
		evbuffer_add_printf(o, "    Authoritative: %s\n", cs && cs->authoritative ? "Yes" : "No");
		evbuffer_add_printf(o, "    Oldest serial seen: %s\n    Newest serial seen: %s\n", a, b);
		evbuffer_add_printf(o, "    Oldest local journal serial number: %s\n", c);
		evbuffer_add_printf(o, "    Newest local journal serial number: %s\n", e);
		evbuffer_add_printf(o, "    Last export at serial number: %s\n", f);
		evbuffer_add_printf(o, "    Newest serial number mirrored: %s\n", g);
		evbuffer_add_printf(o, "    Last change to RPSL data: %s\n",
				    s->rpsl_data_updated ? s->rpsl_data_updated : "None");
		evbuffer_add_printf(o, "    Last internal status update: %s\n", s->updated ? s->updated : "None");
		evbuffer_add_printf(o, "    Local journal kept: %s\n", cs && cs->keep_journal ? "Yes" : "No");
		evbuffer_add_printf(o, "    Last import error occurred at: %s\n",
				    s->last_error_timestamp ? s->last_error_timestamp : "None");
		if (s->last_error != NULL)
			evbuffer_add_printf(o, "    Last import error: %s\n", s->last_error);
		evbuffer_add_printf(o, "    RPKI validation enabled: %s\n",
				    cfg->rpki_enabled && !(cs && cs->rpki_excluded) ? "Yes" : "No");
		evbuffer_add_printf(o, "\nRemote information:\n");
		if (cs != NULL && cs->nrtm_host != NULL)
			evbuffer_add_printf(o, "    NRTM host: %s port %d\n", cs->nrtm_host, cs->nrtm_port);
		else
			evbuffer_add_printf(o, "    No NRTM configured.\n");
	}
	evbuffer_add_printf(o, "\n");
	irrd_rpki_status(d, o, false);
	irrd_rtrd_status(d, o, false);
}

/* ---- /metrics ---- */

void irrd_metric_head(struct evbuffer *o, bool gap, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(o, "%s# HELP %s %s\n# TYPE %s %s\n", gap ? "\n" : "", name, help, name, type);
}

static void metric_serials(struct evbuffer *o, const struct irrd_db_snapshot *db, const char *name,
			   const char *help, size_t off)
{
	irrd_metric_head(o, true, name, "gauge", help);
	for (size_t i = 0; db != NULL && i < db->nsources; i++) {
		int64_t v = *(const int64_t *)((const char *)&db->sources[i] + off);
		if (v > 0)
			evbuffer_add_printf(o, "%s{source=\"%s\"} %lld\n", name, db->sources[i].source, (long long)v);
	}
}

static void metric_times(struct evbuffer *o, const struct irrd_db_snapshot *db, const char *base,
			 const char *what, size_t off)
{
	char name[96], help[160];
	time_t now = time(NULL);

	snprintf(name, sizeof(name), "%s_seconds", base);
	snprintf(help, sizeof(help), "Seconds since the last %s", what);
	irrd_metric_head(o, true, name, "gauge", help);
	for (size_t i = 0; db != NULL && i < db->nsources; i++) {
		int64_t v = *(const int64_t *)((const char *)&db->sources[i] + off);
		if (v >= 0)
			evbuffer_add_printf(o, "%s{source=\"%s\"} %lld\n", name, db->sources[i].source,
					    (long long)(now - v));
	}
	snprintf(name, sizeof(name), "%s_timestamp", base);
	snprintf(help, sizeof(help), "Timestamp of the last %s in seconds since UNIX epoch", what);
	irrd_metric_head(o, true, name, "gauge", help);
	for (size_t i = 0; db != NULL && i < db->nsources; i++) {
		int64_t v = *(const int64_t *)((const char *)&db->sources[i] + off);
		if (v >= 0)
			evbuffer_add_printf(o, "%s{source=\"%s\"} %lld\n", name, db->sources[i].source, (long long)v);
	}
}

static void metrics_page(struct irrd *d, struct evbuffer *o)
{
	irrd_whoisd_stats_sync(d->whoisd);
	const struct irrd_db_snapshot *db = d->db;
	const struct irrd_stats *st = &d->stats;

	irrd_metric_head(o, false, "irrd_info", "gauge", "Info from IRRd, value is always 1");
	evbuffer_add_printf(o, "irrd_info{version=\"%s\"} 1\n", IRRD_VERSION);
	irrd_metric_head(o, true, "irrd_uptime_seconds", "gauge", "Uptime of IRRd in seconds");
	evbuffer_add_printf(o, "irrd_uptime_seconds %lld\n", (long long)(time(NULL) - d->started));
	irrd_metric_head(o, true, "irrd_startup_timestamp", "gauge", "Startup time of IRRd in seconds since UNIX epoch");
	evbuffer_add_printf(o, "irrd_startup_timestamp %lld\n", (long long)d->started);

	irrd_metric_head(o, true, "irrd_object_class_total", "gauge", "Number of objects per class per source");
	for (size_t i = 0; i < d->ncounts; i++)
		for (int k = 0; k < RPSL_CLASS_COUNT; k++)
			if (d->counts[i].n[k] > 0)
				evbuffer_add_printf(o, "irrd_object_class_total{source=\"%s\", object_class=\"%s\"} %llu\n",
						    d->counts[i].source, rpsl_class_name((enum rpsl_class)k),
						    (unsigned long long)d->counts[i].n[k]);

	metric_times(o, db, "irrd_last_rpsl_data_update", "update to RPSL data",
		     offsetof(struct irrd_source_info, rpsl_data_updated_epoch));
	metric_times(o, db, "irrd_last_update", "internal status change",
		     offsetof(struct irrd_source_info, updated_epoch));
	metric_times(o, db, "irrd_last_error", "mirroring error",
		     offsetof(struct irrd_source_info, last_error_epoch));
	metric_serials(o, db, "irrd_mirrored_serial", "Newest serial NRTMv3 number mirrored from upstream",
		       offsetof(struct irrd_source_info, serial_newest_mirror));
	metric_serials(o, db, "irrd_last_export_serial", "Last serial number for full export",
		       offsetof(struct irrd_source_info, serial_last_export));
	metric_serials(o, db, "irrd_oldest_journal_serial", "Oldest serial in the journal",
		       offsetof(struct irrd_source_info, serial_oldest_journal));
	metric_serials(o, db, "irrd_newest_journal_serial", "Newest serial in the journal",
		       offsetof(struct irrd_source_info, serial_newest_journal));

	/* the daemon's own */
	irrd_metric_head(o, true, "irrd_whois_connections_open", "gauge", "Whois connections open now");
	evbuffer_add_printf(o, "irrd_whois_connections_open %zu\n", d->whoisd ? irrd_whoisd_nconns(d->whoisd) : 0);
	irrd_metric_head(o, true, "irrd_whois_connections_total", "counter", "Whois connections accepted and served");
	evbuffer_add_printf(o, "irrd_whois_connections_total %llu\n", (unsigned long long)st->whois_connections_total);
	irrd_metric_head(o, true, "irrd_whois_connections_rejected_total", "counter", "Whois connections turned away");
	evbuffer_add_printf(o, "irrd_whois_connections_rejected_total{reason=\"access_list\"} %llu\n",
			    (unsigned long long)st->whois_connections_denied);
	evbuffer_add_printf(o, "irrd_whois_connections_rejected_total{reason=\"max_connections\"} %llu\n",
			    (unsigned long long)st->whois_connections_refused);
	irrd_metric_head(o, true, "irrd_whois_connections_closed_total", "counter", "Whois connections closed by the server");
	evbuffer_add_printf(o, "irrd_whois_connections_closed_total{reason=\"idle_timeout\"} %llu\n",
			    (unsigned long long)st->whois_connections_timeout);
	evbuffer_add_printf(o, "irrd_whois_connections_closed_total{reason=\"dropped\"} %llu\n",
			    (unsigned long long)st->whois_connections_dropped);
	irrd_metric_head(o, true, "irrd_whois_queries_total", "counter", "Whois queries answered, TCP and HTTP");
	evbuffer_add_printf(o, "irrd_whois_queries_total %llu\n", (unsigned long long)st->whois_queries_total);
	irrd_metric_head(o, true, "irrd_whois_sent_bytes_total", "counter", "Bytes sent to whois clients");
	evbuffer_add_printf(o, "irrd_whois_sent_bytes_total %llu\n", (unsigned long long)st->whois_bytes_out);
	irrd_metric_head(o, true, "irrd_http_requests_total", "counter", "HTTP requests");
	evbuffer_add_printf(o, "irrd_http_requests_total %llu\n", (unsigned long long)st->http_requests_total);
	irrd_metric_head(o, true, "irrd_index_objects", "gauge", "Objects in the in-memory whois index");
	evbuffer_add_printf(o, "irrd_index_objects %zu\n", d->idx ? whois_index_count(d->idx) : 0);
	irrd_metric_head(o, true, "irrd_index_load_seconds", "gauge", "Time taken by the start-up index load");
	evbuffer_add_printf(o, "irrd_index_load_seconds %.3f\n", st->index_load_seconds);
	irrd_metric_head(o, true, "irrd_index_changes_total", "counter", "Database changes applied to the index");
	evbuffer_add_printf(o, "irrd_index_changes_total %llu\n", (unsigned long long)st->changes_applied);
	irrd_metric_head(o, true, "irrd_index_change_seq", "gauge", "Last object_change sequence applied to the index");
	evbuffer_add_printf(o, "irrd_index_change_seq %lld\n", (long long)st->change_seq);
	irrd_rpki_status(d, o, true);
	irrd_rtrd_status(d, o, true);
}

/* ---- dispatch ---- */

static void free_cb(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	struct irrd_httpd *h = arg;
	struct irrd *d = h->d;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evbuffer *o;

	d->stats.http_requests_total++;
	if (path == NULL || *path == '\0')
		path = "/";
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		reply_msg(req, 405, "Method Not Allowed", "Method Not Allowed");
		return;
	}
	if (path_is(path, "/v1/whois")) {
		handle_whois(h, req, qs);
		return;
	}
	if (path_is(path, "/json")) {
		size_t len;
		/* the served set (irrd/rtrd.h): 404 until a non-empty first set,
		 * so that an IRR importing from us never takes an empty set read
		 * back after a failed first import for the real one */
		char *json = irrd_rtr_json(d, &len);
		if (json == NULL) {
			reply_msg(req, 404, "Not Found", "No ROA set loaded");
			return;
		}
		o = evbuffer_new();
		if (o == NULL)
			fatalx("out of memory");
		evbuffer_add_reference(o, json, len, free_cb, NULL);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
		evhttp_send_reply(req, 200, "OK", o);
		evbuffer_free(o);
		return;
	}
	if (path_is(path, "/v1/status") || path_is(path, "/metrics")) {
		bool metrics = path_is(path, "/metrics");
		if (!status_allowed(h, req)) {
			reply_msg(req, 403, "Forbidden", "Access denied");
			return;
		}
		o = evbuffer_new();
		if (o == NULL)
			fatalx("out of memory");
		if (metrics)
			metrics_page(d, o);
		else
			status_page(d, o);
		reply_text(req, 200, "OK", o);
		evbuffer_free(o);
		return;
	}
	reply_msg(req, 404, "Not Found", "Not Found");
}

struct irrd_httpd *irrd_httpd_new(struct irrd *d)
{
	struct irrd_httpd *h = xcalloc(1, sizeof(*h));

	h->d = d;
	h->http = evhttp_new(d->base);
	if (h->http == NULL)
		fatalx("out of memory (HTTP server)");
	evhttp_set_timeout(h->http, HTTP_TIMEOUT_SECS);
	evhttp_set_max_headers_size(h->http, 16 * 1024);
	evhttp_set_max_body_size(h->http, 64 * 1024);
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(h->http, request_cb, h);
	return h;
}

int irrd_httpd_bind(struct irrd_httpd *h)
{
	const struct cfg_listener *lc = &h->d->cfg->http;
	bool v6only = irrd_listen_v6only(lc->interfaces, lc->ninterfaces);

	if (lc->port <= 0 || lc->ninterfaces == 0)
		return 0;
	h->fds = xcalloc(lc->ninterfaces, sizeof(*h->fds));
	for (size_t i = 0; i < lc->ninterfaces; i++) {
		int fd = irrd_listen_socket(lc->interfaces[i], lc->port, v6only);
		if (fd == -1)
			return -1;
		h->fds[h->nfds++] = fd;
	}
	return 0;
}

int irrd_httpd_start(struct irrd_httpd *h)
{
	const struct cfg_listener *lc = &h->d->cfg->http;

	for (size_t i = 0; i < h->nfds; i++) {
		struct evhttp_bound_socket *bs;

		if (irrd_listen_start(h->fds[i]) == -1)
			return -1;
		bs = evhttp_accept_socket_with_handle(h->http, h->fds[i]);
		if (bs == NULL) {
			log_errx("HTTP: %s port %d: cannot serve", lc->interfaces[i], lc->port);
			return -1;
		}
		h->fds[i] = -1;
		h->bound = xrealloc(h->bound, (h->nbound + 1) * sizeof(*h->bound));
		h->bound[h->nbound++] = bs;
		log_info("HTTP: listening on %s port %d", lc->interfaces[i], lc->port);
	}
	return 0;
}

void irrd_httpd_stop(struct irrd_httpd *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nbound; i++)
		evhttp_del_accept_socket(h->http, h->bound[i]);
	h->nbound = 0;
	for (size_t i = 0; i < h->nfds; i++)
		if (h->fds[i] != -1) {
			close(h->fds[i]);
			h->fds[i] = -1;
		}
}

void irrd_httpd_free(struct irrd_httpd *h)
{
	if (h == NULL)
		return;
	irrd_httpd_stop(h);
	evhttp_free(h->http);
	free(h->fds);
	free(h->bound);
	free(h);
}

void irrd_status_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, size, "None");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S+00:00", &tm);
}
