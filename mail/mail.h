/*
 * mail.h - e-mail submissions (IRRd 4.5's irrd_submit_email): the MIME
 * parser, the change-request parser, maintainer authentication, the
 * checks and the transaction that applies a message's changes, the reply
 * and notifications, and the outgoing side (SMTP with libesmtp and a spool
 * directory for mail the SMTP server did not take).
 *
 * Ownership: every x_parse()/x_new() returns memory the caller frees with
 * the matching x_free(), which accepts NULL. Parsers never log and never
 * exit; they take (buf, len) and cap what they read.
 *
 * Files: mime.c (RFC 5322/2045/2046 parsing), changes.c (the message text
 * into change requests), text.c (reports' text helpers), diff.c (unified
 * diffs for notifications), auth.c (password hashes), pgp.c (gpgme),
 * smtp.c (libesmtp), spool.c (unsent mail), submit.c (the whole
 * submission).
 */
#ifndef MAIL_MAIL_H
#define MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"

struct sql_conn;

/* ---- MIME (mime.c) ------------------------------------------------------- */

/* Limits on incoming messages: larger, deeper or busier ones are refused
 * with a reply saying why (never parsed further). */
#define MAIL_MAX_SIZE (10u << 20)	/* bytes of the raw message */
#define MAIL_MAX_DEPTH 10		/* nesting of multipart / message/rfc822 */
#define MAIL_MAX_PARTS 100		/* MIME entities in the whole message */
#define MAIL_MAX_HEADER_LINE 8192	/* bytes of one unfolded header */

struct mail_msg {
	/* Headers of the top-level message as written (unfolded, CR/LF
	 * removed); NULL when absent. */
	char *from, *message_id, *date, *subject;
	/* The sender's address from From: ("a@b.example"); NULL if From is
	 * missing or holds no usable address. */
	char *from_addr;

	/* Why the message cannot be processed ("its MIME structure is nested
	 * more than 10 levels deep"), completing the sentence "could not be
	 * processed, as ..."; NULL if it can. Static text or owned (see
	 * refusal_buf). */
	const char *refusal;
	char *refusal_buf;

	/* The last text/plain part (IRRd's choice), transfer-decoded and
	 * converted from its charset (default us-ascii) to UTF-8. NULL if
	 * there is none. Never contains NUL bytes. */
	char *body;
	size_t body_len;

	/* PGP/MIME: when that text/plain part lies in the signed (first)
	 * part of a multipart/signed whose second part is
	 * application/pgp-signature: the signed entity exactly as
	 * transmitted (headers and body, delimiters excluded) and the
	 * decoded signature. NULL otherwise. */
	char *signed_data;
	size_t signed_len;
	char *signature;
	size_t signature_len;
};

/* Parse one raw message (headers, blank line, body). Always returns a
 * message (fatal only on out-of-memory); check ->refusal and ->body. */
struct mail_msg *mail_parse(const char *buf, size_t len);
void mail_msg_free(struct mail_msg *m);

/* The address in a From/To value: the last <...>, else the first word
 * with an '@'. NULL if none or if it holds characters no address has.
 * Caller frees. */
char *mail_addr_extract(const char *value);

/* ---- change requests (changes.c) ----------------------------------------- */

/* One object of a message, as IRRd's parse_change_requests splits it. */
struct mail_request {
	char *text;		/* the object text without meta lines, each line + "\n" */
	char *delete_reason;	/* value of the last delete: line; NULL if none */
	bool is_delete;		/* a non-empty delete reason was given */
	char *suspension;	/* value of suspension: (not supported); NULL if none */
};

struct mail_changes {
	struct mail_request *reqs;
	size_t nreqs;
	/* password:, override: and api-key: lines apply to every object. */
	char **passwords;
	size_t npasswords;
	char **overrides;
	size_t noverrides;
	char **api_keys;
	size_t napi_keys;
};

/* Split a message body into change requests: CRs removed, paragraphs
 * separated by "\n\n", meta lines (password:, override:, api-key:,
 * delete:, suspension: at the start of a line) taken out. */
struct mail_changes *mail_changes_parse(const char *text, size_t len);
void mail_changes_free(struct mail_changes *ch);

/* ---- text helpers (text.c) ----------------------------------------------- */

/* IRRd's remove_auth_hashes: the rest of a line after CRYPT-PW, MD5-PW or
 * BCRYPT-PW (any case) becomes " DummyValue  # Filtered for security".
 * Caller frees. */
char *mail_remove_auth_hashes(const char *text);

/* A growable string. */
struct mail_buf {
	char *s;
	size_t len, cap;
};
void mail_buf_add(struct mail_buf *b, const char *s, size_t n);
void mail_buf_puts(struct mail_buf *b, const char *s);
void mail_buf_printf(struct mail_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand over the string (never NULL) and reset the buffer. */
char *mail_buf_take(struct mail_buf *b);

/* Python's difflib.unified_diff(a, b, lineterm="") without the two file
 * lines: hunks of changed lines with 3 lines of context, each line
 * followed by "\n" except the last. Inputs are texts split on "\n".
 * Caller frees. */
char *mail_unified_diff(const char *a, const char *b);

/* ---- passwords (auth.c) ---------------------------------------------------- */

/* Does password match an auth hash of a scheme ("MD5-PW", "CRYPT-PW",
 * "BCRYPT-PW", any case)? Uses crypt_r(). false for a malformed hash. */
bool mail_password_check(const char *scheme, const char *hash, const char *password);
/* The override password against auth.override_password (a bcrypt or
 * MD5-crypt hash, as IRRd). */
bool mail_override_check(const char *hash, const char *password);
/* A new "$2b$12$..." bcrypt hash of password; NULL on failure. Caller frees. */
char *mail_bcrypt_hash(const char *password);

/* ---- PGP (pgp.c) ------------------------------------------------------------ */

struct mail_pgp_result {
	bool valid;		/* a good signature by an unexpired, unrevoked key */
	char *fingerprint;	/* its primary key's fingerprint, 40 hex digits */
	char *missing_key;	/* the signature's key was not in the keyring: its id */
	char *plaintext;	/* clearsigned input: the signed text */
	size_t plaintext_len;
	char *log;		/* one line for the log */
};
/*
 * Verify with the keyring in homedir (created if missing): a detached
 * signature sig over data (PGP/MIME), or, with sig NULL, a clearsigned
 * text. 0 with *res filled (res->valid says whether it passed), -1 if
 * GnuPG could not be run (*err, caller frees).
 */
int mail_pgp_verify(const char *homedir, const char *data, size_t len, const char *sig,
		    size_t siglen, struct mail_pgp_result *res, char **err);
void mail_pgp_result_clear(struct mail_pgp_result *res);
/* Import an ASCII-armoured public key (a key-cert's certif: lines) into
 * the keyring. 0 or -1 (*err). */
int mail_pgp_import(const char *homedir, const char *armoured, char **err);

/* ---- sending (smtp.c, spool.c) --------------------------------------------- */

/*
 * Send one message over SMTP to server ("host" or "host:port", port 25 by
 * default): headers From, To (the recipients), Subject (RFC 2047 encoded
 * if not ASCII), Date, Message-ID and MIME text/plain UTF-8, then body
 * (LF line ends; quoted-printable when it is not 7-bit ASCII with short
 * lines). 0 when the server accepted it for every recipient, -1 with *err
 * (caller frees) otherwise. Connection and each reply time out after 30 s.
 */
int mail_send(const char *server, const char *from, const char *const *to, size_t nto,
	      const char *subject, const char *body, char **err);

/* The same in two steps: the RFC 5322 message text (CRLF line ends), and
 * its transfer. */
char *mail_compose(const char *from, const char *const *to, size_t nto, const char *subject,
		   const char *body, size_t *len);
int mail_transfer(const char *server, const char *from, const char *const *to, size_t nto,
		  const char *data, size_t len, char **err);

/*
 * The spool keeps mail that could not be sent yet: one file per message
 * (envelope and text) in mail_spool_dir(cfg) - irrd.piddir + "/mail-spool",
 * or /var/tmp/irrd-mail-spool without piddir. mail_queue() stores a
 * message there durably (written, fsynced, renamed into place);
 * mail_spool_flush() sends what is there, oldest first, deleting each one
 * the server took and stopping at the first failure. Any number of
 * processes may flush at once: each claims a file by renaming it.
 */
char *mail_spool_dir(const struct cfg *cfg);
/* 0 or -1 (*err). *id_out (may be NULL) names the spooled file. */
int mail_queue(const char *dir, const char *from, const char *const *to, size_t nto,
	       const char *subject, const char *body, char **id_out, char **err);
/* Messages sent; *left (may be NULL) is set to those still waiting and
 * *err (may be NULL, caller frees) to the first failure. -1 if the
 * directory could not be read. */
int mail_spool_flush(const char *dir, const char *server, int *left, char **err);

/*
 * IRRd's send_email for every sender of the project (submission replies,
 * notifications, RPKI invalid-route notifications): applies
 * email.recipient_override, appends email.footer and the "Generated by"
 * line, spools the message and flushes the spool. A message the SMTP
 * server does not take stays spooled (logged), so nothing is lost;
 * returns -1 only if it could not even be spooled.
 */
int mail_deliver(const struct cfg *cfg, const char *version, const char *to,
		 const char *subject, const char *body);

/* ---- submissions (submit.c) --------------------------------------------- */

/* Outcome of one submission, for the program's log line and tests. */
struct mail_outcome {
	int nobjects, nsaved, nfailed;
	bool success;		/* every object saved */
	int nmails;		/* reply and notifications queued */
	int nunsent;		/* of those, still in the spool */
};

/*
 * Process one raw e-mail message as IRRd's handle_email_submission: parse
 * it, verify its PGP signature, check every change (syntax, authoritative
 * source, references, authentication, RPKI, ...), apply the valid ones in
 * one transaction, reply to the sender and notify maintainers.
 *
 * Returns 0 when the message was handled (even if every change was
 * refused), 1 when it cannot be handled at all (no From address: nobody
 * to reply to; *err says why) and 2 on a temporary failure (database
 * down or failing: nothing was changed or sent, the MTA should retry).
 * version goes into the "Generated by" line.
 */
int mail_submit(const struct cfg *cfg, struct sql_conn *c, const char *version, const char *raw,
		size_t len, struct mail_outcome *out, char **err);

#endif
