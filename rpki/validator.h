/*
 * validator.h - the bundled RPKI relying party: fetch (RRDP, rsync),
 * validate (RFC 6487, 6488, 8630, 9286, 9582, 8209, ASPA) and output the
 * VRPs, ASPAs and BGPsec router keys, as rpki-client does.
 *
 * One run:
 *
 *	struct val_opts o = { .tals = paths, .ntals = n, .cache_dir = dir };
 *	struct val_output *out = val_run(&o, &err);
 *	if (out == NULL) -> log err (no TAL could be read, cache unusable)
 *	set = val_output_roa_set(out, slurm);     (a struct roa_set, rpki.h)
 *	val_output_rtr(out, rtr_set);             (VRPs, ASPAs, keys for RTR)
 *	val_output_json(out, f); val_output_csv(out, f);
 *	val_output_free(out);
 *
 * Rejected objects do not fail a run: each is logged (warning, naming the
 * file and the RFC section) and counted in out->stats. val_run() runs the
 * validation on o->threads worker threads (0: one per CPU) and returns
 * when all are done; it is safe to call from any one thread at a time and
 * keeps no state between calls apart from the cache directory (a run that
 * fetched, with every TAL giving its trust anchor, removes from the cache
 * the copies no publication point of the run referenced). It blocks
 * until done (up to the per-repository time limits when fetching): the
 * daemon runs it on a thread or in a child, never on the event loop. Runs
 * on one cache directory are serialised (an flock on CACHEDIR/.lock;
 * offline runs share it).
 */
#ifndef RPKI_VALIDATOR_H
#define RPKI_VALIDATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "rpsl/prefix.h"

struct roa_set;
struct slurm;
struct rtr_set;

struct val_opts {
	const char *const *tals;	/* TAL files */
	size_t ntals;
	const char *cache_dir;		/* created if missing */
	bool offline;			/* -n: validate the cache, fetch nothing */
	bool rsync_only;		/* -R: no RRDP, no https TA URIs */
	const char *ca_file;		/* extra HTTPS trust anchors (PEM), or NULL */
	int threads;			/* 0: one per CPU */
	time_t now;			/* evaluation time; 0: the clock */
	long repo_timeout;		/* per repository, seconds; 0: 300 */
	const char *rsync_prog;		/* NULL: "rsync" */
	size_t repo_max_bytes;		/* an rsync module's copy; 0: VAL_REPO_MAX_BYTES */
	size_t repo_max_files;		/* 0: VAL_REPO_MAX_FILES */
};

#define VAL_REPO_MAX_BYTES ((size_t)4 << 30)
#define VAL_REPO_MAX_FILES ((size_t)2000000)

struct val_vrp {
	struct ip_prefix prefix;
	uint8_t maxlen;
	uint32_t asn;
	uint32_t ta;			/* index into tas */
	int64_t expires;		/* earliest notAfter/nextUpdate on the path */
};

struct val_vap {			/* one customer's providers (ASPA) */
	uint32_t customer;
	uint32_t *providers;		/* ascending, unique */
	size_t nproviders;
	uint32_t ta;
	int64_t expires;
};

struct val_brk {			/* BGPsec router key (RFC 8209) */
	uint32_t asn;
	uint8_t ski[20];
	uint8_t *spki;			/* DER SubjectPublicKeyInfo */
	size_t spki_len;
	uint32_t ta;
	int64_t expires;
};

struct val_stats {
	size_t tals, invalid_tals;
	size_t certs, certs_failed;
	size_t mfts, mfts_failed, mfts_stale;
	size_t crls, crls_failed;
	size_t roas, roas_failed;
	size_t aspas, aspas_failed;
	size_t brks;
	size_t gbrs, taks, other_files;
	size_t pubpoints, pubpoints_failed;
	size_t pubpoints_fallback;	/* validated from their last valid copy */
	size_t mfts_regressed;		/* fetched manifests rejected: number or
					 * thisUpdate lower than the last valid copy's */
	size_t repos, repos_rrdp, repos_rsync, repos_failed;
	size_t vrps, vrps_unique;
	size_t vaps, vaps_unique;
	double elapsed, user, system;	/* seconds */
};

struct val_output {
	char **tas;			/* trust anchor names (TAL file names without .tal) */
	size_t ntas;
	struct val_vrp *vrps;		/* sorted (IPv4 first, address, length, maxLength,
					 * ASN), unique by (prefix, maxLength, ASN) */
	size_t nvrps;
	struct val_vap *vaps;		/* sorted by customer, unique customers (the
					 * union of a customer's ASPAs) */
	size_t nvaps;
	struct val_brk *brks;		/* sorted by ASN, SKI, key; unique */
	size_t nbrks;
	char **talfiles;		/* as given */
	size_t ntalfiles;
	struct val_stats stats;
};

/* One validation run. NULL (with *errmsg, caller frees) only when nothing
 * can be done: no TAL given, the cache directory cannot be created. */
struct val_output *val_run(const struct val_opts *o, char **errmsg);
void val_output_free(struct val_output *out);

/* The VRPs as a ROA set (rpki.h), SLURM applied if given; NULL if a VRP
 * is refused (cannot happen for output of val_run). */
struct roa_set *val_output_roa_set(const struct val_output *out, const struct slurm *slurm);
/* Add VRPs, ASPAs and router keys to an RTR payload set (rtr.h). 0/-1. */
int val_output_rtr(const struct val_output *out, struct rtr_set *set);

/* rpki-client's -j layout: {"metadata": {...}, "roas": [{"asn", "prefix",
 * "maxLength", "ta", "expires"}], "bgpsec_keys": [...], "aspas": [...]}. */
int val_output_json(const struct val_output *out, FILE *f);
/* "ASN,IP Prefix,Max Length,Trust Anchor" then one line per VRP. */
int val_output_csv(const struct val_output *out, FILE *f);

/*
 * The output in a compact binary form, for the daemon, which runs each
 * validation in a child process (bin/irrd_rpki_validator --ipc FD) so that
 * a crash or hang while parsing takes down only the child. write: 0/-1.
 * read checks every count and length against the buffer (the child may
 * have been broken); NULL with *errmsg (caller frees) if it is not one
 * whole, well-formed output of the same build.
 */
int val_output_write(const struct val_output *out, int fd);
struct val_output *val_output_read(const uint8_t *buf, size_t len, char **errmsg);

/* Send the validator's log lines (level 0 debug, 1 info, 2 warning) to fn
 * instead of the log (the child mode forwards them to the daemon). */
void val_log_sink(void (*fn)(int level, const char *msg));

/*
 * One-file mode (cf. rpki-client -f): parse the object in buf by its file
 * name's extension (.cer .crl .mft .roa .asa .tal, or by content) and print
 * what it holds to f. Checks the object alone (syntax, its own CMS
 * signature, times against now unless 0); no chain. 0 if it parsed.
 */
int val_file_show(const uint8_t *buf, size_t len, const char *fn, time_t now, FILE *f);

#endif
