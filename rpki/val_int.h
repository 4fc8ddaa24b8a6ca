/*
 * val_int.h - internals of the bundled RPKI validator (rpki/val_*.c). The
 * public side is rpki/validator.h; nothing here is for other modules.
 *
 * One file per object type, each with the same verbs: *_parse() takes
 * (der, len, fn) and returns a new object the caller frees with *_free()
 * (which accepts NULL), or NULL after logging why, naming fn and the RFC
 * section. Parsers check syntax and the object's own signature; whether an
 * object fits its issuer (signature by the issuer's key, validity, CRL,
 * resources) is val_cert_check() and friends, called by the tree walk in
 * val_main.c.
 *
 *   val_der.c    strict DER reader and template matching (val_asn1.h)
 *   val_util.c   logging, files, hashes, base64, URIs
 *   val_res.c    RFC 3779 resources
 *   val_cert.c   resource certificates (RFC 6487), BGPsec router certificates
 *                (RFC 8209), RSA keys and signatures
 *   val_crl.c    CRLs
 *   val_cms.c    the signed object profile (RFC 6488)
 *   val_mft.c    manifests (RFC 9286)
 *   val_roa.c    ROAs (RFC 9582)
 *   val_aspa.c   ASPA (profile -16+ and the -08..-14 profile)
 *   val_geofeed.c signed geofeeds (RFC 9632; the one-file mode only)
 *   val_tal.c    TALs (RFC 8630) and the trust anchor certificate
 *   val_http.c   HTTPS transfers (libcurl)
 *   val_rrdp.c   RRDP (RFC 8182) with expat
 *   val_rsync.c  the rsync program
 *   val_repo.c   the cache directory and repository synchronisation
 *   val_main.c   the tree walk on worker threads, results
 *   val_out.c    JSON and CSV output
 *   val_show.c   the one-file mode (-f)
 */
#ifndef RPKI_VAL_INT_H
#define RPKI_VAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "rpki/val_asn1.h"
#include "rpki/validator.h"
#include "rpsl/prefix.h"

/* ---- val_der.c ---------------------------------------------------------------- */

/* One decoded TLV. raw/rawlen cover identifier, length and content. */
struct der {
	uint8_t tag;
	bool present;		/* false: an absent OPTIONAL component */
	const uint8_t *raw;
	size_t rawlen;
	const uint8_t *p;	/* content */
	size_t len;
};

struct der_iter {
	const uint8_t *p;
	size_t left;
};

/* Decode the TLV at the start of buf (strict DER: low tag numbers,
 * definite minimal lengths). 0 or -1. */
int der_read(const uint8_t *buf, size_t len, struct der *out);
/* As der_read, and buf must hold exactly that one TLV. */
int der_read_all(const uint8_t *buf, size_t len, struct der *out);
/* Children of a constructed value. */
void der_iter_init(struct der_iter *it, const struct der *d);
/* 1 with the next child, 0 at the end, -1 on a malformed child. */
int der_iter_next(struct der_iter *it, struct der *out);
/* Number of children, -1 if malformed. */
long der_count(const struct der *d);
/*
 * Match the children of constructed value d (of tag want_tag) against the
 * template: out[i] gets component i (present false if an OPTIONAL one is
 * absent). -1 on a wrong tag, a missing component or an unexpected child;
 * *what then names the problem (static text).
 */
int der_seq(const struct der *d, uint8_t want_tag, const struct der_field *t, size_t n,
	    struct der *out, const char **what);
#define DER_SEQ(d, tag, tmpl, out, what) der_seq((d), (tag), (tmpl), DER_NFIELDS(tmpl), (out), (what))

bool der_oid_eq(const struct der *d, const char *oid, size_t oidlen);
#define DER_OID_IS(d, oid) der_oid_eq((d), (oid), sizeof(oid) - 1)
/* INTEGER 0..UINT32_MAX, minimally encoded. */
int der_uint32(const struct der *d, uint32_t *out);
/* INTEGER > 0 (>= 0 with allow_zero) of at most 20 octets of value,
 * right-aligned into out. */
int der_serial(const struct der *d, uint8_t out[20], bool allow_zero);
int der_bool(const struct der *d, bool *out);
int der_null(const struct der *d);
/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ): seconds
 * since the epoch. */
int der_time(const struct der *d, int64_t *out);
/* BIT STRING: its octets (after the unused-bits octet) and the count of
 * unused bits; DER: those bits are zero, none unused if empty. */
int der_bits(const struct der *d, const uint8_t **bits, size_t *nbytes, unsigned *unused);
/* Re-encode BER (indefinite lengths, long length forms, constructed
 * OCTET STRINGs) as DER; NULL if not well-formed BER. Caller frees. */
uint8_t *der_from_ber(const uint8_t *p, size_t len, size_t *outlen);
/* The dotted form of an OID, for messages. */
char *der_oid_text(const struct der *d, char *buf, size_t size);

/* ---- val_util.c ------------------------------------------------------------------ */

/* Thread-safe logging of one line (val_main runs parsers on many threads). */
void val_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define val_warnx(...) val_log(2, __VA_ARGS__)
#define val_info(...) val_log(1, __VA_ARGS__)
#define val_debug(...) val_log(0, __VA_ARGS__)
/* Silence everything (fuzz targets). */
void val_log_quiet(bool quiet);
/* Drain OpenSSL's error queue into one warning "fn: what: openssl text". */
void val_log_crypto(const char *fn, const char *what);

/* Read a whole regular file of at most max bytes. NULL with errno set. */
uint8_t *val_read_file(const char *path, size_t max, size_t *len);
/* Write atomically (temp file + rename), creating parent directories. 0/-1. */
int val_write_file(const char *path, const void *buf, size_t len);
int val_mkdirs(const char *dir);	/* mkdir -p; 0 or -1 */
int val_rmtree(const char *dir);	/* rm -rf; 0 or -1 */
/* Bytes and count of the regular files below dir. */
void val_tree_size(const char *dir, uint64_t *bytes, uint64_t *files);

void val_sha256(const void *buf, size_t len, uint8_t out[32]);
/* Base64 (RFC 4648, whitespace skipped) into a new buffer; NULL if invalid. */
uint8_t *val_base64_decode(const char *s, size_t len, size_t *outlen);
char *val_base64_encode(const uint8_t *buf, size_t len);
/* Lower-case hex of buf (2*len+1 bytes written). */
void val_hex(const uint8_t *buf, size_t len, char *out);
/* ISO 8601 UTC text of a time (buf of 32). */
char *val_time_text(int64_t t, char *buf, size_t size);

/*
 * URIs. val_uri_check: scheme "rsync://" or "https://" (as asked), then a
 * host and a path of safe characters only, no empty, "." or ".." segments,
 * no query or fragment, at most 1024 bytes. Returns the part after the
 * scheme ("host/path") or NULL.
 */
#define VAL_URI_RSYNC 1
#define VAL_URI_HTTPS 2
const char *val_uri_check(const char *uri, int schemes);
/* The file name of a URI (after its last '/'); "" if none. */
const char *val_uri_file(const char *uri);
/* Is uri below the directory URI dir (which ends in '/')? */
bool val_uri_under(const char *uri, const char *dir);
/* A file name as manifests allow it (RFC 9286 4.2.2): [A-Za-z0-9_-]+.xyz */
bool val_filename_ok(const char *name, size_t len);

/* ---- val_res.c: RFC 3779 -------------------------------------------------------- */

struct val_ipr {		/* an address range, network order, IPv4 in [0..3] */
	uint8_t min[16], max[16];
};
struct val_asr {
	uint32_t min, max;
};

/* Resources as a certificate states them. */
struct val_res {
	bool ip_ext, as_ext;		/* extensions present */
	bool v4_inherit, v6_inherit, as_inherit;
	struct val_ipr *v4, *v6;	/* sorted, disjoint (canonical) */
	size_t nv4, nv6;
	struct val_asr *as;
	size_t nas;
};

/* Effective resources (inherit resolved); arrays belong to some val_res. */
struct val_rset {
	const struct val_ipr *v4, *v6;
	size_t nv4, nv6;
	const struct val_asr *as;
	size_t nas;
};

int val_res_parse_ip(const struct der *extvalue, struct val_res *r, const char *fn);
int val_res_parse_as(const struct der *extvalue, struct val_res *r, const char *fn);
void val_res_clear(struct val_res *r);
bool val_res_inherits(const struct val_res *r);
/* Resources of a TA as an effective set (no inherit allowed). */
void val_res_as_rset(const struct val_res *r, struct val_rset *out);
/*
 * r must lie within parent (RFC 6487 7.2, RFC 3779 2.3 and 3.3); *eff gets
 * r's effective resources. Logs the first uncovered resource. 0 or -1.
 */
int val_res_check(const struct val_rset *parent, const struct val_res *r, struct val_rset *eff,
		  const char *fn);
bool val_rset_covers_ip(const struct val_rset *s, uint8_t family, const uint8_t min[16],
			const uint8_t max[16]);
bool val_rset_covers_as(const struct val_rset *s, uint32_t min, uint32_t max);
/* A prefix as a range. */
void val_prefix_range(const struct ip_prefix *p, uint8_t min[16], uint8_t max[16]);

/* ---- val_cert.c ---------------------------------------------------------------------- */

enum val_purpose { VAL_CERT_CA, VAL_CERT_EE, VAL_CERT_ROUTER };

struct val_cert {
	uint8_t *der;			/* own copy; the struct ders point into it */
	size_t der_len;
	struct der tbs, sigalg_outer, sigalg_tbs, sig;
	struct der issuer, subject, spki;
	uint8_t serial[20];
	int64_t not_before, not_after;
	uint8_t ski[20], aki[20];
	bool has_aki;
	enum val_purpose purpose;
	bool key_rsa;			/* else EC P-256 (router certificates) */
	char *crldp;			/* rsync URI of the issuer's CRL; NULL in a TA */
	char *aia;			/* rsync URI of the issuer's certificate */
	char *repo, *mft, *notify;	/* SIA of a CA (notify may be NULL) */
	char *signed_object;		/* SIA of an EE */
	struct val_res res;
};

struct val_cert *val_cert_parse(const uint8_t *der, size_t len, const char *fn);
void val_cert_free(struct val_cert *c);

/* RSA public keys (RFC 7935: 2048 bits, exponent 65537). The type is
 * OpenSSL's RSA; opaque here. */
typedef struct rsa_st val_key;
val_key *val_key_from_spki(const uint8_t *spki, size_t len, const char *fn);
void val_key_free(val_key *k);
/* sha256WithRSAEncryption (PKCS #1 v1.5) over data. 0 if good, -1. */
int val_verify(val_key *k, const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);

struct val_crl;
/*
 * Is c properly issued by the CA with the given subject, SKI, key and
 * effective resources, at time now, and not revoked by crl (NULL only for
 * a TA's own check)? On success *eff gets c's effective resources.
 * Logs why not. 0 or -1.
 */
struct val_issuer {
	const struct val_cert *cert;
	val_key *key;
	const struct val_rset *res;
	const char *crl_uri;		/* the CRL of the publication point, or NULL */
};
int val_cert_check(const struct val_cert *c, const struct val_issuer *iss, const struct val_crl *crl,
		   int64_t now, struct val_rset *eff, const char *fn);
/* Text of a 20-byte key identifier as hex with colons (buf of 64). */
char *val_ski_text(const uint8_t ski[20], char *buf, size_t size);

/* ---- val_crl.c ---------------------------------------------------------------------- */

struct val_crl {
	uint8_t *der;
	size_t der_len;
	struct der tbs, sigalg_outer, sigalg_tbs, sig, issuer;
	uint8_t aki[20];
	int64_t this_update, next_update;
	uint8_t (*revoked)[20];		/* sorted serials */
	size_t nrevoked;
};

struct val_crl *val_crl_parse(const uint8_t *der, size_t len, const char *fn);
void val_crl_free(struct val_crl *crl);
/* Signature by the issuer, AKI, thisUpdate <= now <= nextUpdate (RFC 9286
 * 6.4: a stale CRL fails the publication point). 0 or -1. */
int val_crl_check(const struct val_crl *crl, const struct val_issuer *iss, int64_t now, const char *fn);
bool val_crl_revoked(const struct val_crl *crl, const uint8_t serial[20]);

/* ---- val_cms.c ------------------------------------------------------------------------ */

/* A signed object (RFC 6488) whose CMS signature checked out. */
struct val_signed {
	struct val_cert *ee;
	uint8_t *der;			/* a DER copy when the object was BER, else NULL */
	const uint8_t *econtent;	/* into the caller's buffer */
	size_t econtent_len;
	bool has_signing_time;
	int64_t signing_time;
};

/* Parse der as a signed object of eContentType oid, check the EE
 * certificate's profile and the signature. 0 or -1. */
int val_cms_parse(const uint8_t *der, size_t len, const char *fn, const char *oid, size_t oidlen,
		  struct val_signed *out);
/* The same for a detached signature over content (RFC 9632 geofeeds);
 * out->econtent then points at content. */
int val_cms_parse_detached(const uint8_t *der, size_t len, const char *fn, const char *oid, size_t oidlen,
			   const uint8_t *content, size_t content_len, struct val_signed *out);
void val_signed_clear(struct val_signed *s);
/* A published object's EE names its location (SIA signedObject, RFC 6487
 * 4.8.8.2; RPKI Signed Checklists have none). 0 or -1. */
int val_signed_published(const struct val_signed *s, const char *fn);
/* The eContentType of a signed object without checking anything else
 * (for the one-file mode); NULL-terminated OID text in buf or NULL. */
const char *val_cms_content_type(const uint8_t *der, size_t len, char *buf, size_t size);

/* ---- val_mft.c ----------------------------------------------------------------------- */

struct val_mft_file {
	char *name;
	uint8_t hash[32];
};

struct val_mft {
	struct val_signed so;
	uint8_t number[20];
	int64_t this_update, next_update;
	struct val_mft_file *files;
	size_t nfiles;
	size_t crl;			/* index of the one .crl in files */
};

/* eContent alone (fuzzing, tests): fills everything but so. */
int val_mft_econtent(const uint8_t *p, size_t len, const char *fn, struct val_mft *m);
struct val_mft *val_mft_parse(const uint8_t *der, size_t len, const char *fn);
void val_mft_free(struct val_mft *m);

/* ---- val_roa.c ----------------------------------------------------------------------- */

struct val_roa_ip {
	struct ip_prefix prefix;
	uint8_t maxlen;
};

struct val_roa {
	struct val_signed so;
	uint32_t asid;
	struct val_roa_ip *ips;
	size_t nips;
};

int val_roa_econtent(const uint8_t *p, size_t len, const char *fn, struct val_roa *r);
struct val_roa *val_roa_parse(const uint8_t *der, size_t len, const char *fn);
void val_roa_free(struct val_roa *r);
/* Every prefix within the EE certificate's own resources (RFC 9582 4.3). */
int val_roa_check_ee(const struct val_roa *r, const char *fn);

/* ---- val_aspa.c ---------------------------------------------------------------------- */

struct val_aspa {
	struct val_signed so;
	int profile;			/* 1: -16 and later; 0: -08 to -14 */
	uint32_t customer;
	uint32_t *providers;		/* ascending, unique */
	uint8_t *afi;			/* profile 0: afiLimit 0/1/2 per provider */
	size_t nproviders;
};

int val_aspa_econtent(const uint8_t *p, size_t len, const char *fn, struct val_aspa *a);
struct val_aspa *val_aspa_parse(const uint8_t *der, size_t len, const char *fn);
void val_aspa_free(struct val_aspa *a);
int val_aspa_check_ee(const struct val_aspa *a, const char *fn);

/* ---- val_geofeed.c ---------------------------------------------------------------- */

/* A signed geofeed (RFC 9632): the CSV's prefixes and the CMS signature
 * over the CSV text before the signature block (lines ending in CRLF). */
struct val_geofeed {
	struct val_signed so;
	struct ip_prefix *prefixes;
	size_t nprefixes;
	uint8_t *signed_text;		/* what the signature covers */
};

struct val_geofeed *val_geofeed_parse(const char *buf, size_t len, const char *fn);
void val_geofeed_free(struct val_geofeed *g);
/* Every prefix within the EE certificate's resources (RFC 9632 5). */
int val_geofeed_check_ee(const struct val_geofeed *g, const char *fn);

/* ---- val_tal.c ------------------------------------------------------------------------- */

struct val_tal {
	char *name;			/* file name without ".tal": the "ta" of the output */
	char **uris;			/* in file order */
	size_t nuris;
	uint8_t *spki;			/* DER SubjectPublicKeyInfo */
	size_t spki_len;
};

struct val_tal *val_tal_parse(const char *buf, size_t len, const char *fn);
struct val_tal *val_tal_load(const char *path);
void val_tal_free(struct val_tal *t);
/* The TA certificate: self-signed by the TAL's key (RFC 8630 3), a CA with
 * explicit resources, no AKI other than its SKI, no CRLDP/AIA, current.
 * 0 or -1. */
int val_ta_check(const struct val_cert *c, const struct val_tal *tal, int64_t now, const char *fn);

/* ---- val_http.c -------------------------------------------------------------------------- */

/* Receives the body in pieces; return 0 to go on, -1 to abort. */
typedef int (*val_http_sink)(void *arg, const uint8_t *buf, size_t len);

struct val_http_opts {
	const char *ca_file;		/* extra trust anchors (PEM) or NULL */
	long timeout;			/* seconds for the whole transfer */
	size_t max_size;		/* of the decoded body */
};

/* GET an https:// URL (redirects to https only, gzip accepted). Returns
 * the HTTP status (200..299), 0 for 304, or -1 (logged). */
int val_http_get(const char *url, const struct val_http_opts *o, val_http_sink sink, void *arg);
/* Whole body into memory. 0 or -1. */
int val_http_fetch(const char *url, const struct val_http_opts *o, uint8_t **buf, size_t *len);
void val_http_global_init(void);

/* ---- val_rrdp.c ------------------------------------------------------------------------- */

/* Parsed notification file (RFC 8182 3.5.1). */
struct val_rrdp_delta_ref {
	uint64_t serial;
	char *uri;
	uint8_t hash[32];
};
struct val_rrdp_notification {
	char session[64];
	uint64_t serial;
	char *snapshot_uri;
	uint8_t snapshot_hash[32];
	struct val_rrdp_delta_ref *deltas;	/* ascending serial */
	size_t ndeltas;
};
int val_rrdp_parse_notification(const uint8_t *buf, size_t len, const char *fn,
				struct val_rrdp_notification *n);
void val_rrdp_notification_clear(struct val_rrdp_notification *n);

/*
 * Bring the RRDP repository of notify_uri up to date in dir (which holds
 * ".state" and the files by "host/path"): deltas if the session and serials
 * allow, else the snapshot. Limits from o. 0 when dir holds the current
 * state, -1 when this fails (dir keeps its previous complete state).
 */
struct val_rrdp_stats {
	bool snapshot, delta;	/* what was fetched */
	size_t ndeltas, published, withdrawn;
};
int val_rrdp_sync(const char *notify_uri, const char *dir, const struct val_http_opts *o,
		  struct val_rrdp_stats *st);
/* Apply one snapshot or delta document from memory (tests, fuzzing): as
 * during a sync, into dir. expect_session/serial may be NULL/0. 0 or -1. */
int val_rrdp_apply_buffer(const uint8_t *buf, size_t len, const char *fn, const char *dir,
			  bool is_delta, const char *expect_session, uint64_t expect_serial);

/* ---- val_rsync.c ------------------------------------------------------------------------ */

/* rsync -rt of uri (a module or a single file) into dest, killed after
 * timeout seconds; files over max_file bytes are skipped. A module's copy
 * (dir) over max_bytes or max_files (0: no limit) stops the transfer and
 * is removed. 0 or -1. */
int val_rsync_fetch(const char *prog, const char *uri, const char *dest, bool dir, long timeout,
		    size_t max_file, size_t max_bytes, size_t max_files);

/* ---- val_repo.c -------------------------------------------------------------------------- */

struct val_repo;
struct val_repos;

struct val_repos *val_repos_new(const struct val_opts *o);
void val_repos_free(struct val_repos *rs);
/*
 * The repository holding the publication point of a CA certificate,
 * synchronised (once per run, whoever asks first; others wait): RRDP if
 * notify is set (and not rsync only), rsync of the module on failure, the
 * cache as it is when offline or when both fail.
 */
struct val_repo *val_repo_get(struct val_repos *rs, const char *notify, const char *repo_uri);
/* Local path of an rsync URI in this repository; caller frees. NULL if
 * the URI is not acceptable. */
char *val_repo_path(const struct val_repo *r, const char *uri);
/* Fetch the TA certificate of a TAL into the cache (or, offline, find it
 * there). Returns the local path (caller frees) or NULL. */
char *val_repo_ta(struct val_repos *rs, const struct val_tal *tal);
void val_repos_stats(const struct val_repos *rs, size_t *nrepos, size_t *nrrdp, size_t *nrsync,
		     size_t *nfailed);
/* The local directories of the repositories used in this run (RRDP
 * copies, rsync modules), into *dirs (caller frees each and the array). */
size_t val_repos_dirs(const struct val_repos *rs, char ***dirs);

/* ---- val_prune.c ------------------------------------------------------------------------- */

/* After a completed online run: remove from cache_dir/valid the files of
 * directories not in vdirs (and empty directories), and the RRDP copies
 * (if rrdp) and rsync modules not in fdirs. Sorts both arrays. */
void val_cache_prune(const char *cache_dir, char **vdirs, size_t nvdirs, char **fdirs, size_t nfdirs,
		     bool rrdp);

#endif
