/*
 * conf_int.h - internals of the conf/ layer: a small YAML document tree
 * built from libyaml events, and the error collector the checks write to.
 * Nothing outside conf/ includes this.
 */
#ifndef CONF_CONF_INT_H
#define CONF_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Config files larger than this are refused before parsing. */
#define CFG_MAX_FILE_SIZE	(4u * 1024 * 1024)
/* Deeper nesting of sequences and mappings is refused (the schema is 5 deep). */
#define CFG_MAX_DEPTH		64

/* ---- errors ---- */

/* A growing list of "KEY: problem" lines. */
struct cfg_errs {
	char *buf;
	size_t len, cap;
	unsigned n;
};

void cfg_err(struct cfg_errs *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the text over (NULL when there were no errors) and reset e. */
char *cfg_errs_take(struct cfg_errs *e);
void cfg_errs_free(struct cfg_errs *e);

/* A printable copy of untrusted text for messages: control characters,
 * quotes and backslashes escaped, cut at 80 bytes ("..." appended).
 * cfg_quote adds single quotes around it. Caller frees. */
char *cfg_escape(const char *s, size_t len);
char *cfg_quote(const char *s, size_t len);

/* ---- the YAML tree ---- */

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

/* What a scalar resolves to, as PyYAML's safe loader would (YAML 1.1). */
enum yscalar_type { YS_NULL, YS_BOOL, YS_INT, YS_FLOAT, YS_STR };

struct ynode;

struct ypair {
	struct ynode *key;
	struct ynode *value;
};

struct ynode {
	enum ynode_kind kind;
	unsigned line, col;		/* 1-based position of the node */
	/* YN_SCALAR */
	char *str;			/* NUL-terminated; may hold inner NULs */
	size_t len;
	enum yscalar_type type;
	bool b;				/* YS_BOOL */
	long long i;			/* YS_INT (saturated on overflow) */
	bool plain;			/* plain (unquoted) style */
	/* YN_SEQ */
	struct ynode **items;
	size_t nitems;
	/* YN_MAP: keys unique, merge keys ("<<") already applied, file order */
	struct ypair *pairs;
	size_t npairs;
};

/* One document; owns every node (aliases share nodes). */
struct ydoc {
	struct ynode *root;		/* NULL for an empty document */
	struct ynode **all;
	size_t nall, capall;
};

/* Parse buf into doc. Returns 0, or -1 with messages in e ("line L,
 * column C: problem", or "KEY: duplicate key ..."). doc is always safe to
 * pass to ydoc_free afterwards. */
int ydoc_parse(const char *buf, size_t len, struct ydoc *doc, struct cfg_errs *e);
void ydoc_free(struct ydoc *doc);

/* Value of key in a mapping, or NULL. */
const struct ynode *ymap_get(const struct ynode *map, const char *key);
/* The scalar's text if it is a string without inner NULs, else NULL. */
const char *yscalar_str(const struct ynode *n);

/* ---- addresses (conf/access.c) ---- */
struct ip_addr;
struct ip_prefix;
/* "192.0.2.0/24", "2001:db8::/32" or a host address; host bits must be
 * zero, as IRRd's IPy. 0 or -1. */
int cfg_prefix_parse(const char *s, struct ip_prefix *out);
/* A bare IPv4 or IPv6 address (no brackets, no prefix length). 0 or -1. */
int cfg_addr_parse(const char *s, struct ip_addr *out);
bool cfg_prefix_match(const struct ip_prefix *p, const struct ip_addr *a);

#endif
