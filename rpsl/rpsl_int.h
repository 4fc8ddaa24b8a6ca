/*
 * rpsl_int.h - internals of the RPSL object model shared by rpsl_*.c:
 * the per-object arena, message lists, Python-compatible string helpers,
 * the IPy address emulation, the class tables and the field parsers.
 * Nothing outside rpsl/ includes this.
 */
#ifndef RPSL_RPSL_INT_H
#define RPSL_RPSL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/rpsl.h"

typedef unsigned __int128 u128;

/* ---- arena: one per object, freed at once (rpsl_util.c) ---- */
struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	/* data follows, 16-aligned */
};

struct arena {
	struct arena_chunk *head;	/* most recent chunk first */
	char *cur;
	size_t left;
	struct arena_chunk *first;	/* allocated by the caller, not freed here */
};

void arena_init(struct arena *a, void *buf, size_t len);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Free every chunk except the caller's first one. */
void arena_release(struct arena *a);

/* ---- messages, in order (IRRd's RPSLParserMessages) ---- */
struct msg {
	struct msg *next;
	bool error;
	char *text;
};

/* A sink either collects messages or only counts them (fields whose errors
 * IRRd discards: no formatting cost on the hot path). */
struct sink {
	struct arena *a;
	bool collect;
	size_t nerr, ninfo;
	struct msg *head, **tail;
};

void sink_init(struct sink *s, struct arena *a, bool collect);
void sink_error(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sink_info(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append every message of src to dst (both in the same arena). */
void sink_merge(struct sink *dst, struct sink *src);

/* ---- Python-compatible text helpers (rpsl_util.c) ---- */
/* Byte length of the Python whitespace character (str.isspace) starting at
 * s / ending at s+n, 0 if none. */
size_t py_space_at(const char *s, size_t n);
size_t py_space_before(const char *s, size_t n);
/* str.strip() on [*s, *s+*n). */
void py_strip(const char **s, size_t *n);
/* Is the code point printable for Python (str.isprintable), as far as
 * IRRd's NOPRINT table goes (see rpsl_util.c for the ranges used)? */
bool py_printable(uint32_t cp);
/* Decode one UTF-8 sequence; returns its length (>= 1) and the code point
 * (U+FFFD-like 0x110000 for an invalid byte, length 1). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Python repr() of a str: quotes chosen as Python does, escapes for
 * backslash, quote and non-printables. */
char *py_repr(struct arena *a, const char *s, size_t n);
/* Value (0-9) of the Unicode decimal digit (Python's \\d, category Nd)
 * starting at s, -1 if none; *len is its length in bytes. */
int py_digit(const char *s, size_t n, size_t *len);
/* Python's int(s, base) for base 10 or 16 (whitespace, sign, 0x prefix for
 * 16, underscores). Magnitude kept in v when it fits 128 bits (big set
 * otherwise); digits/ndigits are the significant digits without
 * underscores or leading zeros, in the arena. Returns false if int() would
 * raise. */
struct pyint {
	bool neg, big;
	bool toolong;		/* failed: more than 4300 decimal digits (Python >= 3.11) */
	size_t ndig_total;	/* digit characters, leading zeros included */
	u128 v;
	const char *digits;
	size_t ndigits;
	int base;
};
bool py_int(struct arena *a, const char *s, size_t n, int base, struct pyint *out);
/* Decimal / lower-case hex text of a pyint as Python prints it; NULL when
 * Python refuses (a decimal text of more than 4300 digits). */
char *pyint_str(struct arena *a, const struct pyint *p, int base);
/* Python's ValueError texts for those limits. */
#define PY_INT_LIMIT_STR "Exceeds the limit (4300 digits) for integer string conversion; use " \
			 "sys.set_int_max_str_digits() to increase the limit"
char *py_int_limit_msg(struct arena *a, size_t ndigits);
char *u128_str(char *buf, size_t size, u128 v, int base);

bool has_lower(const char *s);
char *str_upper(struct arena *a, const char *s);	/* s itself when already upper */
/* Python's str.upper() / str.lower() with Unicode mappings (rpsl_case.c);
 * s itself when nothing changes. */
char *py_upper(struct arena *a, const char *s);
char *py_lower(struct arena *a, const char *s);
void str_lower_inplace(char *s, size_t n);
char *str_replace_all(struct arena *a, const char *s, const char *old, const char *new_);

/* ---- IPy emulation (rpsl_ipy.c) ---- */
struct ipy {
	u128 ip;
	int version;		/* 4 or 6 */
	int prefixlen;
};
/* IPy's IP(s, ipversion=ipversion). On failure returns false and *err is
 * the ValueError text after IRRd's clean_ip_value_error(). */
bool ipy_parse(struct arena *a, const char *s, size_t n, int ipversion, struct ipy *out, const char **err);
/* str(IP): compressed form, "/len" unless a single address. buf >= 64. */
char *ipy_str(const struct ipy *ip, char *buf, size_t size);
void ipy_to_addr(const struct ipy *ip, u128 v, struct ip_addr *out);

/* ---- class tables (rpsl_classes.c) ---- */
enum field_kind {
	FK_TEXT, FK_IPV4_PREFIX, FK_IPV4_PREFIXES, FK_IPV6_PREFIX, FK_IPV6_PREFIXES,
	FK_IPV4_RANGE, FK_RS_MEMBERS, FK_ASN, FK_AS_BLOCK, FK_SET_NAME, FK_EMAIL,
	FK_CHANGED, FK_DNS, FK_URL, FK_GENERIC, FK_REF, FK_REF_LIST, FK_AUTH
};

#define FF_OPTIONAL	0x01
#define FF_MULTIPLE	0x02
#define FF_PK		0x04
#define FF_LOOKUP	0x08
#define FF_STRONG	0x10
#define FF_ALLOW_ANY	0x20	/* reference list: the keyword ANY */
#define FF_NS_ANY	0x40	/* generic name: anything in non-strict mode */

/* Reserved set-name prefixes, IRRd's order. */
enum { PFX_AS, PFX_RS, PFX_RTRS, PFX_FLTR, PFX_PRNG, PFX_COUNT };
extern const char *const reserved_prefixes[PFX_COUNT];

struct field_def {
	uint8_t attr;		/* attribute id */
	uint8_t kind;
	uint8_t flags;
	uint8_t arg;		/* set prefix (FK_SET_NAME), ip version (FK_RS_MEMBERS),
				 * allowed-prefix bit mask (FK_GENERIC) */
	uint8_t nrefs;
	uint8_t refs[2];	/* enum rpsl_class */
};

#define MAX_FIELDS 24
struct class_def {
	const char *name;
	uint8_t nfields;
	uint8_t npk;
	uint8_t pk[2];			/* field indexes */
	uint8_t source_field;
	int8_t pklookup_field;		/* the field both pk and lookup key (references) */
	bool discard_rpki;		/* rpki-ov-state dropped (route, route6) */
	struct field_def fields[MAX_FIELDS];
	int8_t index[128];		/* attribute id -> field index, -1 */
	const char *const *lookup_names;	/* NULL-terminated */
	const char *const *pk_names;		/* NULL-terminated */
};

extern const struct class_def *const class_defs[RPSL_CLASS_COUNT];
extern const char *const attr_names[];
/* Attribute id of a lower-case name, -1 if no class knows it. */
int attr_lookup(const char *name, size_t len);
#define ATTR_RPKI_OV_STATE (attr_rpki_ov_state())
int attr_rpki_ov_state(void);
int attr_last_modified(void);
/* Exact (case-sensitive) class name as IRRd's OBJECT_CLASS_MAPPING. */
enum rpsl_class class_lookup_exact(const char *name, size_t len);

/* ---- field parsing (rpsl_fields.c) ---- */
struct fctx {
	struct arena *a;
	struct sink *s;
	bool strict;
	const struct rpsl_options *opts;
};

struct fres {
	const char *value;	/* the parsed value */
	const char **list;	/* values_list, or NULL */
	size_t nlist;
	bool has_ip, has_prefix, has_asn;
	struct ip_addr ip_first, ip_last;
	struct ip_prefix prefix;
	uint32_t asn_first, asn_last;
};

/* IRRd's field.parse(): false when it returns None. value is the
 * normalised value (NUL-terminated, length n). */
bool field_parse(const struct fctx *c, const struct field_def *f, const char *value, size_t n,
		 struct fres *r);
/* Is the kind's parsed data kept in its case (IRRd's keep_case)? */
bool field_keep_case(const struct field_def *f);

/* The arena of a parsed object (rpsl_parse.c). */
struct arena *rpsl_object_arena(const struct rpsl_object *obj);

/* ---- key-cert structure (rpsl_keycert.c) ---- */
struct keycert_info {
	char fingerprint[41];	/* upper-case hex (v4) */
	char **uids;
	size_t nuids;
};
/* Parse the ASCII-armoured OpenPGP public key in text: exactly one primary
 * key. false with *err set when it cannot be read. */
bool keycert_parse(struct arena *a, const char *text, size_t n, struct keycert_info *out, const char **err);

#endif
