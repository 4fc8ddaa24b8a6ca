/*
 * rtrd.h - the daemon's RTR server (RFC 6810, RFC 8210, 8210bis) on the
 * daemon's event loop: plain TCP listeners on server.rtr.interface/port,
 * RTR over TLS (RFC 8210 section 9) on server.rtr.tls.port, the access
 * list server.rtr.access_list, and the served set published by the ROA
 * import glue. The protocol itself is rpki/rtr.h; this file owns the
 * sockets, bufferevents and timers.
 *
 * Loop thread only, like everything that touches struct irrd.
 *
 * Life cycle (prog_irrd.c):
 *   d->rtrd = irrd_rtrd_new(d);          before binding; NULL-safe calls
 *   irrd_rtrd_bind(d->rtrd)              with the whois/HTTP binds; -1 fails
 *   irrd_rtrd_start(d->rtrd)             with the whois/HTTP start
 *   irrd_rtrd_stop_accepting(d->rtrd)    on SIGTERM (v2 sessions get
 *                                        "Cache Shutdown")
 *   irrd_rtrd_free(d->rtrd)              in teardown
 * Until the first irrd_rtr_publish() every query is answered with Error
 * Report "No Data Available".
 */
#ifndef IRRD_RTRD_H
#define IRRD_RTRD_H

#include <stdbool.h>
#include <stddef.h>

struct irrd;
struct irrd_rtrd;
struct roa_set;
struct rtr_set;
struct evbuffer;

/* Always an object: with server.rtr off (port 0) it serves no sockets
 * and only keeps the published set for GET /json. Every call below
 * accepts NULL and then does nothing. */
struct irrd_rtrd *irrd_rtrd_new(struct irrd *d);
/* Bind every configured address (TCP and TLS port) without listening yet,
 * load the TLS certificate, key and client CA. -1 (logged) on failure. */
int irrd_rtrd_bind(struct irrd_rtrd *r);
int irrd_rtrd_start(struct irrd_rtrd *r);
/* SIGHUP after a good reload: End of Data timers, access list (for new
 * connections), TLS files re-read. Addresses and ports need a restart. */
void irrd_rtrd_reconfigure(struct irrd_rtrd *r);
/* SIGTERM: stop accepting, close every session (v2: Cache Shutdown). */
void irrd_rtrd_stop_accepting(struct irrd_rtrd *r);
void irrd_rtrd_free(struct irrd_rtrd *r);

/*
 * The ROA import glue calls this (d->rtrd may be NULL: nothing happens) after each successful import (and the
 * validator path after each run), on the loop thread, with the set now in
 * force. The VRPs (and SLURM BGPsec assertions/filters, as router keys) are
 * copied into the RTR cache: if they differ from the served set, the
 * serial grows and every session gets a Serial Notify. The set is borrowed
 * and must stay valid until the next irrd_rtr_publish() call or
 * irrd_rtrd_free() (GET /json renders it on demand): publish the new set
 * before freeing the old one. Safe when RTR is not configured (only /json
 * is served then). Until the first publish routers get "No Data
 * Available" (CONTRACT.md); an empty set as the first one is ignored (an
 * empty roa_object read back after a failed first import on a fresh
 * database would otherwise tell routers "synced, no VRPs at all"), so
 * routers keep "No Data Available" until a non-empty set arrives. Later
 * sets, empty or not, are served.
 */
void irrd_rtr_publish(struct irrd *d, const struct roa_set *set);

/* The bundled validator's ASPAs and router keys (an rtr.h set holding
 * only those, taken over) that belong with `set`: when `set` itself is
 * published, they are served in the same update as its VRPs. Replaces the
 * previous extra (NULL: none). Call before handing `set` to the import. */
void irrd_rtr_set_extra(struct irrd *d, const struct roa_set *set, struct rtr_set *extra);

/* GET /json: the last published set in the ROA JSON format (malloc'd,
 * *len set); NULL if nothing was published yet. */
char *irrd_rtr_json(struct irrd *d, size_t *len);

/* Lines for /v1/status/ (metrics false) and /metrics (true): serial,
 * session ids, sessions, VRP counts, last update, counters. */
void irrd_rtrd_status(struct irrd *d, struct evbuffer *out, bool metrics);

/* ---- rtr_tls.c, for rtrd.c ---- */
struct cfg_listener;
struct ssl_ctx_st;
struct ssl_st;
/* A server context from lc's tls_cert, tls_key and tls_client_ca (then a
 * client certificate chaining to it is required); NULL (logged) if the
 * files do not load or TLS is not configured. */
struct ssl_ctx_st *irrd_rtr_tls_ctx(const struct cfg_listener *lc);
void irrd_rtr_tls_ctx_free(struct ssl_ctx_st *ctx);
/* "TLSv1.3, client /CN=router1" for log lines. */
void irrd_rtr_tls_peer(struct ssl_st *ssl, char *buf, size_t size);
/* Log OpenSSL's queued errors for subject (at info level) and clear them. */
void irrd_rtr_tls_drain_errors(const char *subject);

#endif
