/*
 * rpsl.h - the RPSL object model: parse, validate, normalise and render the
 * 19 object classes IRRd 4.5 knows, in strict mode (authoritative changes)
 * and non-strict mode (imports, mirrors), with IRRd's texts for errors and
 * infos.
 *
 * Ownership: rpsl_parse() returns an object the caller frees with
 * rpsl_object_free(). Every string inside it belongs to the object.
 */
#ifndef RPSL_RPSL_H
#define RPSL_RPSL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/prefix.h"

enum rpsl_class {
	RPSL_CLASS_UNKNOWN = -1,
	RPSL_AS_BLOCK, RPSL_AS_SET, RPSL_AUT_NUM, RPSL_DOMAIN, RPSL_FILTER_SET,
	RPSL_INET_RTR, RPSL_INET6NUM, RPSL_INETNUM, RPSL_IRT, RPSL_KEY_CERT,
	RPSL_MNTNER, RPSL_ORGANISATION, RPSL_PEERING_SET, RPSL_PERSON, RPSL_ROLE,
	RPSL_ROUTE, RPSL_ROUTE_SET, RPSL_ROUTE6, RPSL_RTR_SET,
	RPSL_CLASS_COUNT
};

/* "as-block" ... "rtr-set"; NULL for an out-of-range value. */
const char *rpsl_class_name(enum rpsl_class cls);
/* Case-insensitive; RPSL_CLASS_UNKNOWN if not one of the 19. */
enum rpsl_class rpsl_class_lookup(const char *name, size_t len);

enum rpsl_mode { RPSL_NONSTRICT, RPSL_STRICT };

enum rpki_state { RPKI_NOT_FOUND = 0, RPKI_VALID, RPKI_INVALID };
const char *rpki_state_name(enum rpki_state s);	/* "not_found" / "valid" / "invalid" */

/* One attribute occurrence, in input order. */
struct rpsl_attr {
	const char *name;	/* lower case */
	const char *value;	/* lines joined by '\n', each stripped, comments kept */
	const char *cont;	/* continuation character per extra line (' ', '+', '\t') */
};

/* One attribute's significant values: comments removed, lists split on
 * commas, upper-cased unless the field keeps case (IRRd's parsed_data). */
struct rpsl_values {
	const char *const *v;
	size_t n;
};

struct rpsl_messages {
	char **errors;
	size_t nerrors;
	char **infos;
	size_t ninfos;
};

struct rpsl_object {
	enum rpsl_class cls;
	const char *pk;		/* normalised primary key, upper case ("192.0.2.0/24AS65537") */
	const char *source;	/* upper case; NULL if missing */
	struct rpsl_attr *attrs;
	size_t nattrs;

	/* Resources derived from the primary and lookup keys (IRRd's ip_first,
	 * ip_last, prefix, prefix_length, asn_first, asn_last). */
	bool has_ip;
	struct ip_addr ip_first, ip_last;
	bool has_prefix;	/* route, route6, and inet(6)num ranges that are one prefix */
	struct ip_prefix prefix;
	bool has_asn;
	uint32_t asn_first, asn_last;
	bool has_origin;	/* route / route6 */
	uint32_t origin;

	struct rpsl_messages msgs;	/* errors make the object invalid */
	void *priv;			/* parser-owned storage */
};

/*
 * Parse one object from text (one object, no blank lines inside; leading and
 * trailing whitespace ignored). Always returns an object (fatal on OOM); check
 * obj->msgs.nerrors. default_source, if non-NULL, is used when the object has
 * no source: attribute (non-strict mode only, as IRRd). rpki-ov-state lines
 * are dropped. An unknown class gives cls == RPSL_CLASS_UNKNOWN and an error.
 */
struct rpsl_object *rpsl_parse(const char *text, size_t len, enum rpsl_mode mode,
			       const char *default_source);
void rpsl_object_free(struct rpsl_object *obj);

/* Settings IRRd reads from its configuration while parsing. */
enum rpsl_hasher_avail { RPSL_HASHER_DISABLED, RPSL_HASHER_LEGACY, RPSL_HASHER_ENABLED };
enum rpsl_hasher { RPSL_HASHER_CRYPT_PW, RPSL_HASHER_MD5_PW, RPSL_HASHER_BCRYPT_PW, RPSL_HASHER_COUNT };
struct rpsl_options {
	/* auth.password_hashers: mntner auth: lines in strict mode may use the
	 * enabled hashers, in non-strict mode also the legacy ones. */
	enum rpsl_hasher_avail hashers[RPSL_HASHER_COUNT];
};
/* IRRd's defaults: crypt-pw legacy, md5-pw and bcrypt-pw enabled. */
extern const struct rpsl_options rpsl_options_default;
/* rpsl_parse() with explicit options; NULL means rpsl_options_default. */
struct rpsl_object *rpsl_parse_ex(const char *text, size_t len, enum rpsl_mode mode,
				  const char *default_source, const struct rpsl_options *opts);

static inline bool rpsl_object_valid(const struct rpsl_object *o) { return o->msgs.nerrors == 0; }

/* Significant values of an attribute over all its occurrences (see
 * struct rpsl_values); n == 0 if absent. Stays valid while obj lives. */
struct rpsl_values rpsl_get(const struct rpsl_object *obj, const char *attr);
/* First value of an attribute or NULL. */
const char *rpsl_get_first(const struct rpsl_object *obj, const char *attr);

/* The object as IRRd stores and serves it: "name:" padded to 16 columns,
 * continuation lines kept, normalised key values. Caller frees. */
char *rpsl_render(const struct rpsl_object *obj, size_t *len_out);
/* As rpsl_render(); with last_modified non-NULL (e.g. "2020-01-01T00:00:00Z")
 * every last-modified: attribute is dropped and "last-modified:" with that
 * value appended, as IRRd does for authoritative sources (the caller
 * decides, as IRRd's authoritative_retain_last_modified). Caller frees. */
char *rpsl_render_ex(const struct rpsl_object *obj, const char *last_modified, size_t *len_out);

/* IRRd's clean_for_create() of the set classes (as-set, filter-set,
 * peering-set, route-set, rtr-set): with prefix_required, a new set's name
 * must start with an AS number ("AS65537:AS-FOO"). NULL when fine (always
 * for other classes), else IRRd's error text, owned by obj. *asn_segment
 * (may be NULL) gets the AS number part or NULL. */
const char *rpsl_set_create_check(const struct rpsl_object *obj, bool prefix_required, const char **asn_segment);

/* Class metadata, for queries and reference checks. */
bool rpsl_class_has_attr(enum rpsl_class cls, const char *attr);
bool rpsl_attr_is_lookup(enum rpsl_class cls, const char *attr);
/* Lookup-key attribute names of a class (NULL-terminated static array). */
const char *const *rpsl_lookup_attrs(enum rpsl_class cls);
/* Primary key attribute names of a class (NULL-terminated static array). */
const char *const *rpsl_pk_attrs(enum rpsl_class cls);
/* The classes an attribute refers to (IRRd's referring=, e.g. mnt-by ->
 * mntner); returns how many (0: not a reference) and sets *strong. */
size_t rpsl_attr_referring(enum rpsl_class cls, const char *attr, enum rpsl_class refs[2], bool *strong);
/* IRRd's `-t CLASS` template text; NULL for an unknown class. Static. */
const char *rpsl_template(enum rpsl_class cls);

/*
 * Streaming reader for dump files (plain or gzip, detected by content) and
 * for in-memory text: yields one object text at a time, split on blank
 * lines (a line of only whitespace is blank), dropping lines that start
 * with '#' or '%' wherever they are, as IRRd's file import does (so not
 * for NRTM streams, whose '%' lines matter).
 * Memory stays bounded by the largest object (capped at RPSL_MAX_OBJECT).
 */
#define RPSL_MAX_OBJECT (4u << 20)
struct rpsl_reader;
/* NULL with errmsg set (caller frees) if the file cannot be opened. */
struct rpsl_reader *rpsl_reader_open(const char *path, char **errmsg);
struct rpsl_reader *rpsl_reader_mem(const char *buf, size_t len, const char *name);
/* 1: *text and *len hold the next object (valid until the next call) and *line
 * its first line number; 0: end of input; -1: read error or truncated
 * input, with rpsl_reader_error() saying what and where. */
int rpsl_reader_next(struct rpsl_reader *r, const char **text, size_t *len, unsigned long *line);
const char *rpsl_reader_error(const struct rpsl_reader *r);
void rpsl_reader_close(struct rpsl_reader *r);

#endif
