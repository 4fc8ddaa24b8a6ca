/*
 * nrtm.h - NRTM v3 (and v1): serving the journal (-g), parsing NRTM
 * responses, mirroring other IRRs, and exporting sources, as IRRd 4.5
 * (see ../shared/CONTRACT.md "NRTM v3").
 *
 * Four parts:
 *  - the stream parser (stream.c): a whole NRTM response in, operations or
 *    one error out; nothing of a bad response is used;
 *  - the journal cache (journal.c) and the -g answer (generate.c): the
 *    daemon keeps every journal entry in memory, fed by a follower thread
 *    that reads rpsl_database_journal after each change notification, so
 *    that an answer is built on the loop thread without waiting on SQL;
 *  - the mirror client (mirror.c): full imports and NRTM updates of the
 *    sources with import_source / nrtm_host, on a worker thread;
 *  - exports (export.c): DIR/<source>.db.gz and DIR/<SOURCE>.CURRENTSERIAL.
 *
 * Threads: nrtm_generate and the nrtm_journal_* readers take the cache's
 * read lock; nrtm_journal_follow (the follower thread) takes the write lock
 * only to apply what it has already read. The mirror and exports run on
 * their own threads with their own database connections.
 */
#ifndef NRTM_NRTM_H
#define NRTM_NRTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

struct sql_conn;
struct roa_set;

/* ---- the stream parser -------------------------------------------------- */

struct nrtm_op {
	bool add;			/* ADD, else DEL */
	int64_t serial;			/* from the line (v3) or counted (v1) */
	const char *text;		/* the object paragraph, NUL-terminated */
	size_t len;
	unsigned long line;		/* first line of the object in the response */
};

struct nrtm_stream {
	int version;			/* 1 or 3; 0 if the response had no %START */
	char *source;			/* from the START line, upper case */
	int64_t first, last;		/* the START line's range */
	bool filtered;			/* "FILTERED" after the range */
	struct nrtm_op *ops;
	size_t nops;
	char *warning;			/* "% Warning: ..." of an answer without updates */
	char *buf;			/* owned copy the ops point into */
};

/*
 * Parse a complete NRTM response for `source` (upper case), as IRRd's
 * NRTMStreamParser with stricter checks: comments (%, #) are allowed
 * around the operations; the START line must name `source` with version 1
 * or 3 and appear once, before any operation; v3 serials must increase
 * (gaps allowed); v1 may not have more operations than its range; an
 * operation needs its object; a stream that started must end with
 * "%END SOURCE" as its last comment; a server error (%ERROR, %% ERROR)
 * is an error. An answer without START and operations (e.g. "% Warning:
 * there are no newer updates available") is a valid empty stream.
 * NULL with *err (caller frees; IRRd's texts where IRRd has one) on any
 * problem.
 */
struct nrtm_stream *nrtm_stream_parse(const char *buf, size_t len, const char *source, char **err);
void nrtm_stream_free(struct nrtm_stream *s);

/* ---- text helpers ------------------------------------------------------- */

/* IRRd's remove_auth_hashes: "MD5-PW $1$..." -> "MD5-PW DummyValue  #
 * Filtered for security" (also CRYPT-PW, BCRYPT-PW). Caller frees. */
char *nrtm_remove_auth_hashes(const char *text, size_t len, size_t *outlen);
/* IRRd's dummify_object_text with the source's nrtm_dummified_* settings
 * (cs NULL: unchanged copy). Caller frees. */
char *nrtm_dummify(const struct cfg_source *cs, const char *text, size_t len, const char *object_class,
		   const char *pk, size_t *outlen);
/* false when text certainly has nothing nrtm_remove_auth_hashes changes. */
bool nrtm_has_auth_hashes(const char *text, size_t len);

/* ---- the journal cache and -g ------------------------------------------- */

struct nrtm_journal;

struct nrtm_journal *nrtm_journal_new(void);
void nrtm_journal_free(struct nrtm_journal *j);
/*
 * Bring the cache up to date from the database (the follower thread, or a
 * test): reads database_status and every journal entry newer than the
 * last one seen, in one snapshot, and drops what the database dropped
 * (expired entries, a reloaded source). 0, or -1 with *err.
 */
int nrtm_journal_follow(struct nrtm_journal *j, struct sql_conn *c, char **err);
/* Entries held, and their bytes (for /metrics). */
void nrtm_journal_stats(struct nrtm_journal *j, size_t *entries, size_t *bytes);
/* Cap on the object bytes kept (default 2 GiB); above it the oldest
 * entries of the largest source are dropped and -g for them answers as
 * for serials that do not exist. */
void nrtm_journal_set_limit(struct nrtm_journal *j, size_t bytes);

/*
 * The answer to -g SOURCE:VERSION:FIRST-LAST|LAST from the cache, as
 * IRRd's NRTMGenerator (whois_nrtm_fn's contract: 0 with *out, or -1 with
 * *error = IRRd's message). Auth hashes are removed, objects dummified as
 * the source's nrtm_dummified_* settings say, nrtm_response_header and the
 * range and days limits applied.
 */
int nrtm_generate(struct nrtm_journal *j, const struct cfg *cfg, const char *source, int version,
		  int64_t first, int64_t last, bool to_last, char **out, size_t *outlen, char **error);

/* ---- the mirror client -------------------------------------------------- */

/*
 * One mirror run for one source (IRRd's RPSLMirrorImportUpdateRunner):
 *  - a full import when the source has no serial_newest_mirror yet, when
 *    force_reload is set, or without nrtm_host: every import_source
 *    (file://, http(s)://, ftp://; plain or gzip) loaded through
 *    sql_load_dump, with the serial of import_serial_source, skipped when
 *    that serial is not newer than the one we have (unless forced);
 *  - else an NRTM v3 query "-g SOURCE:3:NEWEST+1-LAST" to nrtm_host,
 *    parsed whole, applied in one transaction.
 * In RPKI-aware mode (cfg->rpki_enabled, source not rpki_excluded) route
 * objects get their RPKI state from `roas` (NULL: none loaded yet, all
 * not_found); invalid ones are stored but not journalled, and the source
 * keeps local serials (IRRd's synchronised_serials false). Failures are
 * recorded in database_status.last_error and the next run tries again.
 * Blocking: call it on a worker thread. 0, or -1 with *err (caller frees).
 */
struct nrtm_mirror_result {
	bool full_import;		/* a full import ran */
	bool skipped;			/* nothing to do (serial unchanged, no updates) */
	long applied, ignored;		/* NRTM operations applied / ignored (bad objects) */
	int64_t serial;			/* newest serial mirrored, -1 if unknown */
};
int nrtm_mirror_run(struct sql_conn *c, const struct cfg *cfg, const char *source,
		    const struct roa_set *roas, struct nrtm_mirror_result *res, char **err);

/* Apply an NRTM stream to the database in one transaction (part of
 * nrtm_mirror_run; also for tests and benchmarks). */
int nrtm_mirror_apply(struct sql_conn *c, const struct cfg *cfg, const char *source,
		      const struct nrtm_stream *s, const struct roa_set *roas,
		      struct nrtm_mirror_result *res, char **err);

/* Fetch a URL (file://, http(s)://, ftp://) to a temporary file (caller
 * unlinks and frees *path) or, with path NULL, into memory (*buf, *len). */
int nrtm_fetch(const char *url, char **path, char **buf, size_t *len, long timeout, char **err);

/*
 * The mirror scheduler the daemon drives: one worker thread that runs
 * queued jobs in order, each with its own database connection. The daemon
 * owns the timers (import_timer per source) and calls nrtm_mirrors_queue;
 * a source already queued or running is not queued twice.
 */
struct nrtm_mirrors;
struct nrtm_mirrors *nrtm_mirrors_new(const char *database_url);
/* Stop after the current job (it finishes), join, free. NULL is fine. */
void nrtm_mirrors_free(struct nrtm_mirrors *m);
/* Queue a run of source. The worker reads the configuration afresh from
 * config_path for each job (the daemon's cfg may be replaced meanwhile;
 * a file that no longer loads fails the job, recorded as its error).
 * true if queued, false if the source is already queued or running. */
bool nrtm_mirrors_queue(struct nrtm_mirrors *m, const char *config_path, const char *source);
/* Queue an export of source (export_destination) the same way. */
bool nrtm_mirrors_queue_export(struct nrtm_mirrors *m, const char *config_path, const char *source);
/* Jobs queued or running. */
size_t nrtm_mirrors_pending(struct nrtm_mirrors *m);
/*
 * The ROA set in force (RPKI-aware mode). The mirror uses it only under
 * its own lock: once this returns, the previous set is no longer used and
 * the caller may free it. NULL: no set loaded.
 */
void nrtm_mirrors_set_roas(struct nrtm_mirrors *m, const struct roa_set *roas);

/* ---- exports ------------------------------------------------------------ */

/*
 * IRRd's SourceExportRunner: every visible object of source (not RPKI
 * invalid), auth hashes removed and dummified as the source's
 * nrtm_dummified_* settings say (cs may be NULL: no dummification), each
 * followed by a blank line, then
 * "# EOF", gzipped to DIR/<source lower>.db.gz, and the source's
 * serial_newest_seen to DIR/<SOURCE>.CURRENTSERIAL, both replaced
 * atomically; records serial_last_export. One snapshot. 0 or -1 with *err.
 */
int nrtm_export_run(struct sql_conn *c, const char *source, const struct cfg_source *cs, const char *dir,
		    int64_t *serial_out, char **err);

#endif
