/*
 * whois.h - the whois query service: in-memory indexes of every object and
 * the query engine that answers IRRd `!` queries and RIPE-style queries from
 * them, framed byte for byte as IRRd 4.5 (see ../shared/CONTRACT.md "Whois").
 *
 * The daemon (irrd/) owns sockets and the event loop; it feeds each query
 * line to whois_session_query() and writes what it appends to `out`.
 * Nothing here blocks or talks to PostgreSQL.
 */
#ifndef WHOIS_WHOIS_H
#define WHOIS_WHOIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"

struct evbuffer;
struct whois_index;
struct whois_session;

/* ---- the in-memory database ---- */
struct whois_index *whois_index_new(void);
void whois_index_free(struct whois_index *idx);
/* Add an object or replace the one with the same (source, class, pk). The
 * index copies what it needs; text is the stored object text. */
void whois_index_put(struct whois_index *idx, const struct rpsl_object *obj,
		     const char *text, size_t len, enum rpki_state st);
/* Remove one object; 0 if it was there, -1 if not. */
int whois_index_del(struct whois_index *idx, const char *source, enum rpsl_class cls, const char *pk);
/* Remove every object of a source (before a RELOAD). */
void whois_index_drop_source(struct whois_index *idx, const char *source);
size_t whois_index_count(const struct whois_index *idx);

/* Per-source serial information for !j, -q sources and !J (kept by the daemon). */
struct whois_source_status {
	const char *source;
	bool authoritative;
	int64_t serial_oldest_journal, serial_newest_journal;	/* -1 if none */
	int64_t serial_last_export;				/* -1 if none */
	int64_t serial_newest_mirror;				/* -1 if none */
	const char *last_error;					/* NULL if none */
};

/* What the engine needs from its host; the daemon keeps it current. */
struct whois_context {
	const struct cfg *cfg;
	struct whois_index *idx;
	const struct whois_source_status *status;
	size_t nstatus;
	const char *version;		/* for !v / -V, e.g. "irrd-c 0.1" */
};

/* ---- one client connection ---- */
enum whois_result { WHOIS_KEEP_OPEN, WHOIS_CLOSE };
struct whois_session *whois_session_new(const struct whois_context *ctx);
void whois_session_free(struct whois_session *s);
/* Answer one query line (terminator already removed, may contain any
 * bytes). Appends the framed answer to out. WHOIS_CLOSE: the daemon closes
 * after flushing (no keepalive, or !q). */
enum whois_result whois_session_query(struct whois_session *s, const char *line, size_t len,
				      struct evbuffer *out);
/* Idle timeout in seconds (default 30, changed by !t). */
int whois_session_timeout(const struct whois_session *s);

#endif
