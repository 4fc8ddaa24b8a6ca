/*
 * rpki.h - RPKI-aware mode, the ROA side: ROA JSON import, SLURM (RFC 8416),
 * the ROA set with RFC 6811 origin validation, differences between two sets,
 * pseudo-IRR objects, and fetching ROA/SLURM files.
 *
 * Ownership: roa_parse(), roa_load(), slurm_parse() and roa_fetch() return
 * memory the caller owns; every x_free() accepts NULL. Error texts are
 * returned in *errmsg (caller frees), one "NAME: FIELD: what is wrong" per
 * line, NAME being the file or URL. Parsers never log and never exit.
 *
 * A struct roa_set is immutable once built, so any number of threads may
 * validate against it, and the daemon replaces its current set by swapping a
 * pointer. One import cycle:
 *
 *	new = roa_load(cfg->roa_source, cfg->slurm_source, timeout, &err);
 *	if (new == NULL) -> log err, keep the old set in force
 *	roa_diff(old, new, &d);                       (old may be NULL)
 *	n = roa_revalidate(new, &d, routes, nroutes, states, &changed);
 *	for i < n: routes[changed[i]] went to states[changed[i]]
 *	    (journal DEL/ADD, rpki_status column, notifications, RTR delta from d)
 *	swap old and new; roa_set_free(the old one); roa_diff_free(&d); free(changed);
 *
 * Routes of sources with rpki_excluded are the caller's business: they are
 * always not_found and are not passed in.
 */
#ifndef RPKI_RPKI_H
#define RPKI_RPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/prefix.h"
#include "rpsl/rpsl.h"		/* enum rpki_state */

/* One VRP. */
struct roa {
	struct ip_prefix prefix;
	uint8_t maxlen;
	uint32_t asn;
	uint32_t ta;		/* trust anchor: roa_set_ta(set, ta) */
};

/* The trust anchor of SLURM prefixAssertions, as IRRd. */
#define ROA_TA_SLURM "SLURM file"

/* ---- SLURM (RFC 8416) ------------------------------------------------------ */

struct slurm_prefix_filter {
	bool has_prefix, has_asn;
	struct ip_prefix prefix;	/* drops VRPs at or below this prefix */
	uint32_t asn;
	char *comment;			/* NULL if none */
};

struct slurm_bgpsec_filter {
	bool has_asn, has_ski;
	uint32_t asn;
	char *ski_text;			/* as written */
	bool ski_ok;			/* ski_text is base64 of 20 bytes */
	uint8_t ski[20];
	char *comment;
};

struct slurm_prefix_assertion {
	struct ip_prefix prefix;
	uint32_t asn;
	bool has_maxlen;
	uint8_t maxlen;			/* prefix length if absent */
	char *comment;
};

struct slurm_bgpsec_assertion {
	uint32_t asn;
	char *ski_text, *key_text;	/* as written */
	bool ok;			/* SKI is 20 bytes and the key decodes */
	uint8_t ski[20];
	uint8_t *spki;			/* routerPublicKey decoded */
	size_t spki_len;
	char *comment;
};

struct slurm {
	struct slurm_prefix_filter *prefix_filters;
	size_t nprefix_filters;
	struct slurm_bgpsec_filter *bgpsec_filters;
	size_t nbgpsec_filters;
	struct slurm_prefix_assertion *prefix_assertions;
	size_t nprefix_assertions;
	struct slurm_bgpsec_assertion *bgpsec_assertions;
	size_t nbgpsec_assertions;
	/* Accepted but questionable content (BGPsec keys that are not
	 * base64 of the right size, as in RFC 8416's own example): one line
	 * each, NULL if none. Such entries stay with ok/ski_ok false. */
	char *warnings;
};

/*
 * Parse a SLURM file. slurmVersion must be 1; members RFC 8416 lists may
 * be absent (as IRRd: absent lists are empty), unknown members are ignored
 * (IRRd ignores them, real files carry "source" or "mnt-by"), a member of
 * the wrong type or a malformed value is an error naming its path, e.g.
 * "slurm.json: locallyAddedAssertions.prefixAssertions[2].maxPrefixLength:
 * must be between 24 and 32". NULL on any error.
 */
struct slurm *slurm_parse(const char *buf, size_t len, const char *name, char **errmsg);
void slurm_free(struct slurm *s);

/* ---- ROA sets ------------------------------------------------------------------ */

struct roa_set;

/*
 * Parse a ROA export {"roas":[{"asn":..,"prefix":..,"maxLength":..,"ta":..}]}
 * (asn "AS64496", "64496" or 64496; other members and keys ignored) into a
 * new set. With slurm, its prefixFilters drop matching ROAs of the file and
 * its prefixAssertions are added with trust anchor ROA_TA_SLURM (filters do
 * not apply to assertions, as IRRd). Every malformed entry is an error
 * ("roas.json: roas[12].maxLength: must be between 24 and 32"); one is
 * enough to reject the whole file (NULL).
 */
struct roa_set *roa_parse(const char *buf, size_t len, const char *name,
			  const struct slurm *slurm, char **errmsg);
/*
 * Fetch (roa_fetch) and parse roa_url, and slurm_url unless NULL; the SLURM
 * is attached to the set (roa_set_slurm). timeout in seconds per fetch.
 */
struct roa_set *roa_load(const char *roa_url, const char *slurm_url, long timeout,
			 char **errmsg);
/*
 * A set from VRPs someone else produced (the bundled validator): tas[r->ta]
 * names each one's trust anchor. SLURM, if given, applies as in
 * roa_parse(). Copies everything. NULL if a VRP is malformed (unknown family
 * or ta, host bits set, maxlen out of range).
 */
struct roa_set *roa_set_new(const struct roa *roas, size_t n, const char *const *tas, size_t ntas,
			    const struct slurm *slurm);
/* An empty set (RPKI-aware mode with nothing loaded yet, tests). */
struct roa_set *roa_set_new_empty(void);
void roa_set_free(struct roa_set *set);

/* The VRPs, sorted: IPv4 before IPv6, then address, prefix length,
 * maxLength, ASN; unique by (prefix, maxLength, ASN). */
const struct roa *roa_set_roas(const struct roa_set *set, size_t *n);
size_t roa_set_count(const struct roa_set *set);
size_t roa_set_count_v4(const struct roa_set *set);
/* ROAs of the file that SLURM prefixFilters dropped. */
size_t roa_set_count_filtered(const struct roa_set *set);
const char *roa_set_ta(const struct roa_set *set, uint32_t ta);	/* "" if out of range */
size_t roa_set_ta_count(const struct roa_set *set);
/* Hand a SLURM over to the set (for RTR's BGPsec assertions/filters). */
void roa_set_attach_slurm(struct roa_set *set, struct slurm *slurm);
const struct slurm *roa_set_slurm(const struct roa_set *set);
/* The set in the ROA JSON format (for GET /json); caller frees. */
char *roa_set_json(const struct roa_set *set, size_t *len);

/* ---- origin validation (RFC 6811) ------------------------------------------- */

/* not_found: no VRP covers the prefix; valid: a covering VRP has this origin
 * (never AS0) and a maxLength >= the prefix length; invalid otherwise. */
enum rpki_state roa_validate(const struct roa_set *set, const struct ip_prefix *prefix,
			     uint32_t origin);
/* The VRPs covering prefix, least specific first; returns how many there
 * are (fills at most max). */
size_t roa_covering(const struct roa_set *set, const struct ip_prefix *prefix,
		    const struct roa **out, size_t max);

struct roa_route {
	struct ip_prefix prefix;
	uint32_t origin;
};

/* Validate n routes into out[]; nthreads <= 1 validates in this thread. */
void roa_validate_batch(const struct roa_set *set, const struct roa_route *routes, size_t n,
			enum rpki_state *out, int nthreads);

/* ---- differences ------------------------------------------------------------------ */

struct roa_diff {
	struct roa *added;	/* in new, not in old; ta indexes refer to new */
	size_t nadded;
	struct roa *removed;	/* in old, not in new; ta indexes refer to old */
	size_t nremoved;
	struct roa *retagged;	/* same VRP, other trust anchor (ta of new):
				 * the pseudo-IRR text changes, RTR does not */
	size_t nretagged;
};

/* old may be NULL (everything is added). */
void roa_diff(const struct roa_set *old, const struct roa_set *new_set, struct roa_diff *d);
void roa_diff_free(struct roa_diff *d);

/*
 * After a change described by d, re-validate the routes that may have
 * changed state: only those covered by an added or removed VRP. states[i]
 * holds the current state of routes[i] on entry and the new one on return.
 * Returns how many changed; their indexes, ascending, in *changed (caller
 * frees; NULL if none).
 */
size_t roa_revalidate(const struct roa_set *new_set, const struct roa_diff *d,
		      const struct roa_route *routes, size_t n, enum rpki_state *states,
		      size_t **changed);

/* ---- pseudo-IRR objects ------------------------------------------------------------ */

/* IRRd's default rpki.pseudo_irr_remarks. */
#define ROA_PSEUDO_REMARKS_DEFAULT \
	"This AS{asn} route object represents routing data retrieved\n" \
	"from the RPKI. This route object is the result of an automated\n" \
	"RPKI-to-IRR conversion process performed by IRRd.\n"
#define ROA_PSEUDO_SOURCE "RPKI"

/* Prepare a pseudo_irr_remarks setting once (NULL: the default): lines
 * after the first indented to the value column, surrounding whitespace
 * stripped, as IRRd. Caller frees. {asn} and {prefix} stay placeholders. */
char *roa_pseudo_remarks(const char *setting);
/* Primary key "192.0.2.0/24AS64496/ML26"; snprintf semantics. */
size_t roa_pseudo_pk(const struct roa *r, char *buf, size_t size);
/* The object text exactly as IRRd 4.5 renders it (route: or route6:, descr,
 * remarks, max-length, origin, "source:         RPKI  # Trust Anchor: TA"),
 * ending in "\n"; snprintf semantics (returns the full length). remarks
 * comes from roa_pseudo_remarks(). */
size_t roa_pseudo_render(const struct roa_set *set, const struct roa *r, const char *remarks,
			 char *buf, size_t size);
/* The same as an rpsl_object, for the whois index: parsed non-strict from
 * the text, then class, prefix, ip_first/ip_last, asn_first/asn_last and
 * origin set from the VRP (IRRd never parses these objects, and a /32's
 * "route: 192.0.2.1" would not parse), no messages, obj->pk the pseudo-IRR
 * key above (pointing into this struct). Free with roa_pseudo_free(). */
struct roa_pseudo {
	struct rpsl_object *obj;
	char *text;		/* as roa_pseudo_render() */
	size_t len;
	char pk[IP_PREFIX_STRLEN + 32];
};
struct roa_pseudo *roa_pseudo_new(const struct roa_set *set, const struct roa *r, const char *remarks);
void roa_pseudo_free(struct roa_pseudo *p);

/* ---- fetching ---------------------------------------------------------------------- */

#define ROA_FETCH_MAX (1024ul << 20)	/* default size cap: 1 GiB */

/*
 * Read file://, http:// or https:// url into memory (NUL-terminated; *len
 * excludes the NUL), following up to 5 HTTP redirects. Fails on an HTTP
 * status >= 400, more than max_size bytes, or after timeout seconds (0: no
 * limit). Returns 0, or -1 with *errmsg = "URL: reason".
 */
int roa_fetch(const char *url, size_t max_size, long timeout, char **buf, size_t *len,
	      char **errmsg);

#endif
