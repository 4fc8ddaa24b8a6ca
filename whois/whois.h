/*
 * whois.h - the whois query service: in-memory indexes of every object and
 * the query engine that answers IRRd `!` queries and RIPE-style queries from
 * them, framed byte for byte as IRRd 4.5 (see ../shared/CONTRACT.md "Whois").
 *
 * The daemon (irrd/) owns sockets and the event loop; it feeds each query
 * line to whois_session_query() and writes what it appends to `out`.
 * Nothing here blocks or talks to PostgreSQL. Threads: sessions may run
 * on several threads at once (each session on one thread at a time);
 * whois_session_query holds the index's read lock while it answers. Index
 * changes (whois_index_put, _del, _drop_source, _set_rpki) and changes to
 * what a whois_context points at must be made under
 * whois_index_write_lock once other threads query. pk arguments are the
 * normalised (upper-case) keys of struct rpsl_object.
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
/* Exclusive access against every query (writer-preferring: new queries
 * wait while a writer waits). Not recursive. */
void whois_index_write_lock(struct whois_index *idx);
void whois_index_write_unlock(struct whois_index *idx);
/* Answers of set queries (!i...,1, !a) that took at least min_nsec to
 * make are kept until the index changes (default 2 ms); -1: none are. */
void whois_index_cache_answers(struct whois_index *idx, int64_t min_nsec);
/* The write lock if no query holds the index now; false otherwise. */
bool whois_index_write_trylock(struct whois_index *idx);
/* Change the RPKI state of one object without re-adding it (ROA import);
 * 0 if it was there, -1 if not. */
int whois_index_set_rpki(struct whois_index *idx, const char *source, enum rpsl_class cls, const char *pk,
			 enum rpki_state st);

/* Per-source serial information for !j, -q sources and !J (kept by the daemon). */
struct whois_source_status {
	const char *source;
	bool authoritative;
	int64_t serial_oldest_journal, serial_newest_journal;	/* -1 if none */
	int64_t serial_last_export;				/* -1 if none */
	int64_t serial_newest_mirror;				/* -1 if none */
	const char *last_error;					/* NULL if none */
	/* For !J; NULL / false if unknown. ISO 8601 with offset, e.g.
	 * "2024-01-01T00:00:00+00:00" as IRRd prints them. */
	const char *rpsl_data_updated;
	const char *last_update;
	bool synchronised_serials;
};

/*
 * NRTM hook for -g (the nrtm/ module fills it in). The engine has already
 * checked the query syntax, that the source exists and that the client is
 * in its nrtm_access_list. Return 0 with *out (malloc'd, caller frees, the
 * answer text without the final "\n\n\n") or -1 with *error (malloc'd, the
 * IRRd error message, sent as "%% ERROR: <error>"). to_last: the query
 * asked for "FIRST-LAST" (serial_last is then 0). version is 1 or 3; source
 * is upper case. The answer is sent without masking password hashes (the
 * hook decides, as IRRd's NRTMGenerator does). Without a hook, or for a
 * source without keep_journal, -g answers IRRd's "No journal kept for this
 * source, unable to serve NRTM queries".
 */
typedef int (*whois_nrtm_fn)(void *arg, const char *source, int version, int64_t serial_first,
			     int64_t serial_last, bool to_last, char **out, size_t *outlen, char **error);

/* What the engine needs from its host; the daemon keeps it current. */
struct whois_context {
	const struct cfg *cfg;
	struct whois_index *idx;
	const struct whois_source_status *status;
	size_t nstatus;
	const char *version;		/* for !v / -V, e.g. "irrd-c 0.1" */
	whois_nrtm_fn nrtm;		/* NULL until the NRTM module exists */
	void *nrtm_arg;
};

/* ---- one client connection ---- */
enum whois_result { WHOIS_KEEP_OPEN, WHOIS_CLOSE };

/* A thread that makes the prefix lists of every origin for the default
 * sources (warm.c), so that the first !a / !g need not; start it once the
 * index is loaded, stop it before the index or the context is freed. */
struct whois_warm *whois_warm_start(const struct whois_context *ctx);
void whois_warm_stop(struct whois_warm *w);

struct whois_session *whois_session_new(const struct whois_context *ctx);
void whois_session_free(struct whois_session *s);
/* Answer one query line (terminator already removed, may contain any
 * bytes). Appends the framed answer to out. WHOIS_CLOSE: the daemon closes
 * after flushing (no keepalive, or !q). */
enum whois_result whois_session_query(struct whois_session *s, const char *line, size_t len,
				      struct evbuffer *out);
/* Idle timeout in seconds (default 30, changed by !t). */
int whois_session_timeout(const struct whois_session *s);
/* The client's address, for the nrtm_access_list checks of -g and
 * -q sources (without it, those answer as for a client not listed). */
void whois_session_set_peer(struct whois_session *s, const struct ip_addr *addr);
/* The user agent set with !n or -V, NULL if none (for logging). */
const char *whois_session_user_agent(const struct whois_session *s);

#endif
