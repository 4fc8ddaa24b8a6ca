/*
 * conf.c - load and check the YAML configuration (IRRd 4's keys).
 *
 * The file is parsed into a tree (yaml.c), then walked against tables of
 * known keys, one table per mapping, each entry naming the key, its type,
 * and where its value goes in struct cfg (or struct cfg_source). Defaults
 * are set before the walk; checks that involve several keys run after it,
 * mirroring IRRd's conf/__init__.py. Every problem is collected; a config
 * with any problem is not returned.
 */
#include "conf/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"
#include "rpsl/log.h"

/* ---- IRRd's default texts (they appear in mail and in pseudo-IRR objects) ---- */

#define DEFAULT_ROA_SOURCE "https://rpki.gin.ntt.net/api/export.json"

#define DEFAULT_PSEUDO_IRR_REMARKS \
	"This AS{asn} route object represents routing data retrieved\n" \
	"from the RPKI. This route object is the result of an automated\n" \
	"RPKI-to-IRR conversion process performed by IRRd.\n"

#define DEFAULT_NOTIFY_INVALID_SUBJECT "route(6) objects in {sources_str} marked RPKI invalid"

#define DEFAULT_NOTIFY_INVALID_HEADER \
	"This is to notify that {object_count} route(6) objects for which you are a\n" \
	"contact have been marked as RPKI invalid. This concerns\n" \
	"objects in the {sources_str} database.\n" \
	"\n" \
	"You have received this message because your e-mail address is\n" \
	"listed in one or more of the tech-c or admin-c contacts, on\n" \
	"the maintainer(s) for these route objects.\n" \
	"\n" \
	"The {object_count} route(6) objects listed below have been validated using\n" \
	"RPKI origin validation, and found to be invalid. This means that\n" \
	"these objects are no longer visible on the IRRd instance that\n" \
	"sent this e-mail.\n" \
	"\n" \
	"This may affect routing filters based on queries to this IRRd\n" \
	"instance. It is also no longer possible to modify these objects.\n" \
	"\n" \
	"To resolve this situation, create or modify ROA objects that\n" \
	"result in these route(6) being valid, or not_found. If this\n" \
	"happens, the route(6) objects will return to being visible.\n" \
	"You may also delete these objects if they are no longer\n" \
	"relevant.\n"

#define DEFAULT_NOTIFICATION_HEADER \
	"This is to notify you of changes in the {sources_str} database\n" \
	"or object authorisation failures.\n" \
	"\n" \
	"You may receive this message because you are listed in\n" \
	"the notify attribute on the changed object(s), because\n" \
	"you are listed in the mnt-nfy or upd-to attribute on a maintainer\n" \
	"of the object(s), or the upd-to attribute on the maintainer of a\n" \
	"parent of newly created object(s).\n"

/* IRRd's text, word for word (its missing space included). */
#define NOTIFY_INVALID_REQUIRED_MSG \
	"RPKI-aware mode is enabled and authoritative sources are configured, " \
	"but rpki.notify_invalid_enabled is not set. Set to true or false." \
	"DANGER: care is required with this setting in testing setups with " \
	"live data, as it may send bulk emails to real resource contacts " \
	"unless email.recipient_override is also set. " \
	"Read documentation carefully."

#define RPKI_PSEUDO_SOURCE "RPKI"

/* ---- errors ---- */

void cfg_err(struct cfg_errs *e, const char *fmt, ...)
{
	va_list ap;
	char *line;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	n = strlen(line);
	if (e->len + n + 2 > e->cap) {
		e->cap = (e->len + n + 2) * 2;
		e->buf = xrealloc(e->buf, e->cap);
	}
	if (e->len > 0)
		e->buf[e->len++] = '\n';
	memcpy(e->buf + e->len, line, n + 1);
	e->len += n;
	e->n++;
	free(line);
}

char *cfg_errs_take(struct cfg_errs *e)
{
	char *r = e->buf;
	memset(e, 0, sizeof(*e));
	return r;
}

void cfg_errs_free(struct cfg_errs *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

char *cfg_escape(const char *s, size_t len)
{
	const size_t maxlen = 80;
	size_t cut = len > maxlen ? maxlen : len;
	char *out, *o;

	/* Do not cut a UTF-8 sequence in half. */
	if (cut < len)
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	out = o = xmalloc(cut * 4 + 4);
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (c == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (c == '\\' || c == '\'') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	if (cut < len)
		o += sprintf(o, "...");
	*o = '\0';
	return out;
}

char *cfg_quote(const char *s, size_t len)
{
	char *e = cfg_escape(s, len);
	char *q = xasprintf("'%s'", e);
	free(e);
	return q;
}

/* ---- key tables ---- */

enum ktype {
	K_SECTION,	/* a mapping of further keys (sub) */
	K_STR,		/* a string; null keeps the default */
	K_NSTR,		/* a string; an explicit null clears the default */
	K_BOOL,
	K_INT,		/* min..max */
	K_LLONG,	/* min..max, a long long field */
	K_PORT,
	K_ADDRS,	/* one address or a list of addresses: char ** + count */
	K_STRS,		/* one string or a list of strings: char ** + count */
	K_LIST,		/* a list of strings: char ** + count */
	K_HASHER,	/* enabled / legacy / disabled */
	K_CUSTOM,	/* fn */
};

struct pctx;
typedef void (*kfn)(struct pctx *c, const struct ynode *v, const char *path, void *base);

struct kspec {
	const char *name;
	enum ktype type;
	size_t off;			/* field in base; NOFF = checked, not kept */
	size_t off2;			/* list count, or a "was set" bool; NOFF = none */
	long long min, max;		/* K_INT */
	bool lower;			/* K_STRS: lower-case the values */
	const struct kspec *sub;	/* K_SECTION */
	kfn fn;				/* K_CUSTOM */
};

struct pctx {
	struct cfg *cfg;
	struct cfg_errs *e;
	const struct ynode *irrd;	/* the mapping under "irrd" */
	bool rtr_present;
};

#define NOFF ((size_t)-1)
#define F(f) offsetof(struct cfg, f)
#define S(f) offsetof(struct cfg_source, f)

#define KSEC(n, s, flag)	{ .name = n, .type = K_SECTION, .off = NOFF, .off2 = flag, .sub = s }
#define KSTR(n, o)		{ .name = n, .type = K_STR, .off = o, .off2 = NOFF }
#define KNSTR(n, o, flag)	{ .name = n, .type = K_NSTR, .off = o, .off2 = flag }
#define KBOOL(n, o)		{ .name = n, .type = K_BOOL, .off = o, .off2 = NOFF }
#define KBOOLF(n, o, flag)	{ .name = n, .type = K_BOOL, .off = o, .off2 = flag }
#define KINT(n, o, lo, hi)	{ .name = n, .type = K_INT, .off = o, .off2 = NOFF, .min = lo, .max = hi }
#define KLLONG(n, o, lo, hi)	{ .name = n, .type = K_LLONG, .off = o, .off2 = NOFF, .min = lo, .max = hi }
#define KPORT(n, o)		{ .name = n, .type = K_PORT, .off = o, .off2 = NOFF }
#define KADDRS(n, o, cnt)	{ .name = n, .type = K_ADDRS, .off = o, .off2 = cnt }
#define KSTRS(n, o, cnt, lc)	{ .name = n, .type = K_STRS, .off = o, .off2 = cnt, .lower = lc }
#define KLIST(n, o, cnt)	{ .name = n, .type = K_LIST, .off = o, .off2 = cnt }
#define KHASH(n, o)		{ .name = n, .type = K_HASHER, .off = o, .off2 = NOFF }
#define KFN(n, f)		{ .name = n, .type = K_CUSTOM, .off = NOFF, .off2 = NOFF, .fn = f }
#define KEND			{ .name = NULL }

static void access_lists_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void sources_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void source_aliases_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void set_creation_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void scope_prefixes_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void scope_asns_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);
static void dummified_attrs_fn(struct pctx *c, const struct ynode *v, const char *path, void *base);

static const struct kspec whois_keys[] = {
	KADDRS("interface", F(whois.interfaces), F(whois.ninterfaces)),
	KPORT("port", F(whois.port)),
	KSTR("access_list", F(whois.access_list)),
	KINT("max_connections", F(whois.max_connections), 1, 1000000),
	KINT("threads", F(whois.threads), 0, 64),
	KEND
};

static const struct kspec http_keys[] = {
	KADDRS("interface", F(http.interfaces), F(http.ninterfaces)),
	KPORT("port", F(http.port)),
	KSTR("status_access_list", F(http.access_list)),
	KSTR("event_stream_access_list", F(http_event_stream_access_list)),
	KINT("workers", F(http_workers), 1, 1000),
	KSTR("forwarded_allowed_ips", F(http_forwarded_allowed_ips)),
	KSTR("url", F(http_url)),
	KEND
};

static const struct kspec rtr_tls_keys[] = {
	KSTR("certificate", F(rtr.tls_cert)),
	KSTR("key", F(rtr.tls_key)),
	KSTR("client_ca", F(rtr.tls_client_ca)),
	KPORT("port", F(rtr.tls_port)),
	KEND
};

/* RFC 8210 section 6 bounds. */
static const struct kspec rtr_keys[] = {
	KADDRS("interface", F(rtr.interfaces), F(rtr.ninterfaces)),
	KPORT("port", F(rtr.port)),
	KSTR("access_list", F(rtr.access_list)),
	KINT("refresh", F(rtr.refresh), 1, 86400),
	KINT("retry", F(rtr.retry), 1, 7200),
	KINT("expire", F(rtr.expire), 600, 172800),
	KSEC("tls", rtr_tls_keys, NOFF),
	KEND
};

static const struct kspec server_keys[] = {
	KSEC("whois", whois_keys, NOFF),
	KSEC("http", http_keys, NOFF),
	KSEC("rtr", rtr_keys, NOFF),	/* presence noted in walk_value */
	KEND
};

static const struct kspec rop_keys[] = {
	KINT("update_timer", F(route_object_preference_update_timer), 0, INT_MAX),
	KEND
};

static const struct kspec email_keys[] = {
	KSTR("from", F(email_from)),
	KSTR("footer", F(email_footer)),
	KSTR("smtp", F(email_smtp)),
	KSTR("recipient_override", F(email_recipient_override)),
	KSTR("notification_header", F(email_notification_header)),
	KEND
};

static const struct kspec hasher_keys[] = {
	KHASH("md5-pw", F(password_hashers[CFG_HASH_MD5])),
	KHASH("crypt-pw", F(password_hashers[CFG_HASH_CRYPT])),
	KHASH("bcrypt-pw", F(password_hashers[CFG_HASH_BCRYPT])),
	KEND
};

static const struct kspec auth_keys[] = {
	KSTR("override_password", F(override_password)),
	KBOOL("authenticate_parents_route_creation", F(authenticate_parents_route_creation)),
	KSTR("gnupg_keyring", F(gnupg_keyring)),
	KBOOL("irrd_internal_migration_enabled", F(irrd_internal_migration_enabled)),
	KSTR("webui_auth_failure_rate_limit", F(webui_auth_failure_rate_limit)),
	KFN("set_creation", set_creation_fn),
	KSEC("password_hashers", hasher_keys, NOFF),
	KEND
};

static const struct kspec validator_keys[] = {
	KBOOL("enabled", F(validator.enabled)),
	KSTR("tal_dir", F(validator.tal_dir)),
	KSTR("cache_dir", F(validator.cache_dir)),
	KINT("interval", F(validator.interval), 60, 86400 * 7),
	KLLONG("max_repo_size", F(validator.max_repo_size), 1, LLONG_MAX),
	KLLONG("max_repo_files", F(validator.max_repo_files), 1, LLONG_MAX),
	KINT("child_timeout", F(validator.child_timeout), 1, INT_MAX),
	KEND
};

static const struct kspec rpki_keys[] = {
	KNSTR("roa_source", F(roa_source), F(roa_source_set)),
	KINT("roa_import_timer", F(roa_import_timer), 15, INT_MAX),
	KSTR("slurm_source", F(slurm_source)),
	KSTR("pseudo_irr_remarks", F(pseudo_irr_remarks)),
	KBOOLF("notify_invalid_enabled", F(notify_invalid_enabled), F(notify_invalid_enabled_set)),
	KSTR("notify_invalid_subject", F(notify_invalid_subject)),
	KSTR("notify_invalid_header", F(notify_invalid_header)),
	KSEC("validator", validator_keys, NOFF),
	KEND
};

static const struct kspec scopefilter_keys[] = {
	KFN("prefixes", scope_prefixes_fn),
	KFN("asns", scope_asns_fn),
	KEND
};

static const struct kspec log_keys[] = {
	KSTR("logfile_path", F(log_logfile_path)),
	KSTR("level", F(log_level)),
	KSTR("logging_config_path", F(log_logging_config_path)),
	KEND
};

static const struct kspec compat_keys[] = {
	KBOOL("inetnum_search_disabled", F(compat_inetnum_search_disabled)),
	KBOOL("ipv4_only_route_set_members", F(compat_ipv4_only_route_set_members)),
	KBOOL("asdot_queries", F(compat_asdot_queries)),
	KEND
};

static const struct kspec top_keys[] = {
	KSTR("database_url", F(database_url)),
	KBOOL("readonly_standby", F(readonly_standby)),
	KSTR("redis_url", F(redis_url)),
	KSTR("piddir", F(piddir)),
	KSTR("user", F(user)),
	KSTR("group", F(group)),
	KINT("download_timeout", F(download_timeout), 0, INT_MAX),
	KSEC("server", server_keys, NOFF),
	KSEC("route_object_preference", rop_keys, NOFF),
	KSEC("email", email_keys, NOFF),
	KSEC("auth", auth_keys, NOFF),
	KSEC("rpki", rpki_keys, NOFF),
	KSEC("scopefilter", scopefilter_keys, NOFF),
	KSEC("log", log_keys, NOFF),
	KLIST("sources_default", F(sources_default), F(nsources_default)),
	KSEC("compatibility", compat_keys, NOFF),
	KFN("access_lists", access_lists_fn),
	KFN("source_aliases", source_aliases_fn),
	KFN("sources", sources_fn),
	KEND
};

/* IRRd's KNOWN_SOURCES_KEYS. */
static const struct kspec source_keys[] = {
	KBOOL("authoritative", S(authoritative)),
	KBOOL("authoritative_non_strict_mode_dangerous", S(authoritative_non_strict_mode_dangerous)),
	KBOOL("keep_journal", S(keep_journal)),
	KSTR("nrtm_host", S(nrtm_host)),
	KPORT("nrtm_port", S(nrtm_port)),
	KSTRS("import_source", S(import_sources), S(nimport_sources), false),
	KSTR("import_serial_source", S(import_serial_source)),
	KINT("import_timer", S(import_timer), 15, INT_MAX),
	KSTRS("object_class_filter", S(object_class_filter), S(nobject_class_filter), true),
	KSTR("export_destination", S(export_destination)),
	KSTR("export_destination_unfiltered", S(export_destination_unfiltered)),
	KINT("export_timer", S(export_timer), 15, INT_MAX),
	KSTR("nrtm_access_list", S(nrtm_access_list)),
	KSTR("nrtm_access_list_unfiltered", S(nrtm_access_list_unfiltered)),
	KINT("nrtm_query_serial_days_limit", S(nrtm_query_serial_days_limit), 0, INT_MAX),
	KINT("nrtm_query_serial_range_limit", S(nrtm_query_serial_range_limit), 0, INT_MAX),
	KSTR("nrtm_response_header", S(nrtm_response_header)),
	KFN("nrtm_dummified_attributes", dummified_attrs_fn),
	KSTRS("nrtm_dummified_object_classes", S(nrtm_dummified_object_classes),
	    S(nnrtm_dummified_object_classes), true),
	KSTR("nrtm_dummified_remarks", S(nrtm_dummified_remarks)),
	KSTR("nrtm4_client_notification_file_url", S(nrtm4_client_notification_file_url)),
	KSTR("nrtm4_client_initial_public_key", S(nrtm4_client_initial_public_key)),
	KSTR("nrtm4_server_private_key", S(nrtm4_server_private_key)),
	KSTR("nrtm4_server_private_key_next", S(nrtm4_server_private_key_next)),
	KSTR("nrtm4_server_local_path", S(nrtm4_server_local_path)),
	KINT("nrtm4_server_snapshot_frequency", S(nrtm4_server_snapshot_frequency), 3600, 86400),
	KBOOL("strict_import_keycert_objects", S(strict_import_keycert_objects)),
	KBOOL("rpki_excluded", S(rpki_excluded)),
	KBOOL("scopefilter_excluded", S(scopefilter_excluded)),
	KBOOL("suspension_enabled", S(suspension_enabled)),
	KINT("route_object_preference", S(route_object_preference), 0, INT_MAX),
	KBOOL("authoritative_retain_last_modified", S(authoritative_retain_last_modified)),
	KINT("nrtm3_client_timeout", S(nrtm3_client_timeout), 1, INT_MAX),
	KEND
};

/* ---- field access ---- */

static char **fld_str(void *base, size_t off) { return (char **)(void *)((char *)base + off); }
static char ***fld_list(void *base, size_t off) { return (char ***)(void *)((char *)base + off); }
static size_t *fld_size(void *base, size_t off) { return (size_t *)(void *)((char *)base + off); }
static bool *fld_bool(void *base, size_t off) { return (bool *)(void *)((char *)base + off); }
static int *fld_int(void *base, size_t off) { return (int *)(void *)((char *)base + off); }
static long long *fld_ll(void *base, size_t off) { return (long long *)(void *)((char *)base + off); }

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void list_free(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void list_push(char ***l, size_t *n, const char *v)
{
	*l = xrealloc(*l, (*n + 1) * sizeof(**l));
	(*l)[(*n)++] = xstrdup(v);
}

static char *subpath(const char *path, const struct ynode *key)
{
	char *esc = cfg_escape(key->str, key->len);
	char *p = xasprintf("%s.%s", path, esc);
	free(esc);
	return p;
}

/* The text of a scalar for a message, quoted. */
static char *node_quote(const struct ynode *v)
{
	if (v->kind != YN_SCALAR)
		return xstrdup(v->kind == YN_MAP ? "a mapping" : "a list");
	return cfg_quote(v->str, v->len);
}

/* "PATH: VALUE is WHAT", VALUE quoted: a value of the wrong kind. */
static void value_err(struct pctx *c, const char *path, const struct ynode *v, const char *what)
{
	char *q = node_quote(v);

	cfg_err(c->e, "%s: %s is %s", path, q, what);
	free(q);
}

static bool is_null(const struct ynode *v)
{
	return v == NULL || (v->kind == YN_SCALAR && v->type == YS_NULL);
}

/* A list setting: true when v is a list; false when it is null (nothing
 * to read) or something else (reported). */
static bool is_list(struct pctx *c, const struct ynode *v, const char *path)
{
	if (is_null(v))
		return false;
	if (v->kind != YN_SEQ) {
		cfg_err(c->e, "%s: list expected", path);
		return false;
	}
	return true;
}

/* A string value: 1 and *out set, 0 for null, -1 (reported) otherwise. */
static int want_str(struct pctx *c, const struct ynode *v, const char *path, const char **out)
{
	if (is_null(v))
		return 0;
	if (v->kind != YN_SCALAR || v->type != YS_STR) {
		cfg_err(c->e, "%s: string expected", path);
		return -1;
	}
	if (strlen(v->str) != v->len) {
		cfg_err(c->e, "%s: contains a NUL character", path);
		return -1;
	}
	*out = v->str;
	return 1;
}

/* An integer, or a string of digits (IRRd checks str(value).isnumeric()). */
static int int_value(const struct ynode *v, long long *out)
{
	if (v->kind != YN_SCALAR)
		return -1;
	if (v->type == YS_INT) {
		*out = v->i;
		return 0;
	}
	if (v->type == YS_STR && v->len > 0 && v->len <= 18 && strspn(v->str, "0123456789") == v->len) {
		*out = strtoll(v->str, NULL, 10);
		return 0;
	}
	return -1;
}

static void walk_map(struct pctx *c, const struct kspec *spec, const struct ynode *map,
    const char *path, void *base);

/* One list of strings (or one string, when single is allowed). */
static void take_strings(struct pctx *c, const struct kspec *k, const struct ynode *v, const char *path,
    void *base, bool single_ok, bool addresses)
{
	char ***list = fld_list(base, k->off);
	size_t *n = fld_size(base, k->off2);
	const struct ynode *const *items;
	const struct ynode *one[1];
	size_t nitems;

	if (v->kind == YN_SCALAR && single_ok && v->type == YS_STR) {
		one[0] = v;
		items = one;
		nitems = 1;
	} else if (v->kind == YN_SEQ) {
		items = (const struct ynode *const *)v->items;
		nitems = v->nitems;
	} else {
		cfg_err(c->e, "%s: %s expected", path, single_ok ? "string or list of strings" : "list");
		return;
	}
	if (nitems == 0 && addresses) {
		cfg_err(c->e, "%s: empty list", path);
		return;
	}
	list_free(*list, *n);
	*list = NULL;
	*n = 0;
	for (size_t i = 0; i < nitems; i++) {
		const struct ynode *it = items[i];
		struct ip_addr a;
		if (it->kind != YN_SCALAR || it->type != YS_STR || strlen(it->str) != it->len) {
			value_err(c, path, it, "not a string");
			continue;
		}
		if (addresses && cfg_addr_parse(it->str, &a) < 0) {
			value_err(c, path, it, "not an IP address");
			continue;
		}
		list_push(list, n, it->str);
		if (k->lower) {
			char *s = (*list)[*n - 1];
			for (char *p = s; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
		}
	}
}

static void walk_value(struct pctx *c, const struct kspec *k, const struct ynode *v, const char *path,
    void *base)
{
	const char *s;
	long long ll;

	switch (k->type) {
	case K_SECTION:
		if (k->sub == rtr_keys && !is_null(v))
			c->rtr_present = true;
		if (is_null(v))
			return;
		if (v->kind != YN_MAP) {
			cfg_err(c->e, "%s: mapping expected", path);
			return;
		}
		walk_map(c, k->sub, v, path, base);
		return;
	case K_NSTR:
		if (k->off2 != NOFF)
			*fld_bool(base, k->off2) = true;
		if (is_null(v)) {
			set_str(fld_str(base, k->off), NULL);
			return;
		}
		/* fall through */
	case K_STR:
		if (want_str(c, v, path, &s) == 1)
			set_str(fld_str(base, k->off), s);
		return;
	case K_BOOL:
		if (is_null(v))
			return;
		if (v->kind != YN_SCALAR || v->type != YS_BOOL) {
			cfg_err(c->e, "%s: boolean expected", path);
			return;
		}
		*fld_bool(base, k->off) = v->b;
		if (k->off2 != NOFF)
			*fld_bool(base, k->off2) = true;
		return;
	case K_INT:
	case K_LLONG:
		if (is_null(v))
			return;
		if (int_value(v, &ll) < 0) {
			cfg_err(c->e, "%s: integer expected", path);
			return;
		}
		if (ll < k->min || ll > k->max) {
			/* an upper bound of the type's own maximum is no bound */
			if (k->max == (k->type == K_INT ? INT_MAX : LLONG_MAX))
				cfg_err(c->e, "%s: %lld is less than the minimum of %lld", path, ll, k->min);
			else
				cfg_err(c->e, "%s: %lld is not between %lld and %lld", path, ll, k->min, k->max);
			return;
		}
		if (k->type == K_INT)
			*fld_int(base, k->off) = (int)ll;
		else
			*fld_ll(base, k->off) = ll;
		return;
	case K_PORT:
		if (is_null(v))
			return;
		if (int_value(v, &ll) < 0) {
			cfg_err(c->e, "%s: integer expected", path);
			return;
		}
		if (ll < 1 || ll > 65535) {
			cfg_err(c->e, "%s: %lld is not a valid port (1-65535)", path, ll);
			return;
		}
		*fld_int(base, k->off) = (int)ll;
		return;
	case K_ADDRS:
		if (!is_null(v))
			take_strings(c, k, v, path, base, true, true);
		return;
	case K_STRS:
		if (!is_null(v))
			take_strings(c, k, v, path, base, true, false);
		return;
	case K_LIST:
		if (!is_null(v))
			take_strings(c, k, v, path, base, false, false);
		return;
	case K_HASHER:
		if (want_str(c, v, path, &s) != 1)
			return;
		if (strcasecmp(s, "enabled") == 0)
			*fld_int(base, k->off) = CFG_HASHER_ENABLED;
		else if (strcasecmp(s, "legacy") == 0)
			*fld_int(base, k->off) = CFG_HASHER_LEGACY;
		else if (strcasecmp(s, "disabled") == 0)
			*fld_int(base, k->off) = CFG_HASHER_DISABLED;
		else
			value_err(c, path, v, "not one of enabled, legacy, disabled");
		return;
	case K_CUSTOM:
		k->fn(c, v, path, base);
		return;
	}
}

/* Setting names must be plain strings; 0 or -1 (reported). */
static int key_ok(struct pctx *c, const struct ynode *key, const char *path)
{
	if (key->kind == YN_SCALAR && strlen(key->str) == key->len && key->type != YS_NULL)
		return 0;
	cfg_err(c->e, "%s: setting names must be strings (line %u)", path, key->line);
	return -1;
}

static void walk_map(struct pctx *c, const struct kspec *spec, const struct ynode *map,
    const char *path, void *base)
{
	for (size_t i = 0; i < map->npairs; i++) {
		const struct ynode *key = map->pairs[i].key;
		const struct kspec *k;
		char *p;

		if (key_ok(c, key, path) < 0)
			continue;
		p = subpath(path, key);
		for (k = spec; k->name != NULL; k++)
			if (strcmp(k->name, key->str) == 0)
				break;
		if (k->name == NULL)
			cfg_err(c->e, "%s: unknown setting", p);
		else
			walk_value(c, k, map->pairs[i].value, p, base);
		free(p);
	}
}

/* Free every string and list a key table points at. */
static void free_by_spec(const struct kspec *spec, void *base)
{
	for (const struct kspec *k = spec; k->name != NULL; k++) {
		switch (k->type) {
		case K_SECTION:
			free_by_spec(k->sub, base);
			break;
		case K_STR:
		case K_NSTR:
			if (k->off != NOFF) {
				free(*fld_str(base, k->off));
				*fld_str(base, k->off) = NULL;
			}
			break;
		case K_ADDRS:
		case K_STRS:
		case K_LIST:
			list_free(*fld_list(base, k->off), *fld_size(base, k->off2));
			*fld_list(base, k->off) = NULL;
			*fld_size(base, k->off2) = 0;
			break;
		default:
			break;
		}
	}
}

/* ---- custom keys ---- */

/* Named entries (sources, access lists, ...): a mapping whose keys are
 * names. Checks the shape and every key, then hands each entry with its
 * own path to `entry`. */
typedef void entry_fn(struct pctx *c, const struct ynode *key, const struct ynode *val,
    const char *p, void *base);

static void walk_entries(struct pctx *c, const struct ynode *v, const char *path, void *base,
    entry_fn *entry)
{
	if (is_null(v))
		return;
	if (v->kind != YN_MAP) {
		cfg_err(c->e, "%s: mapping expected", path);
		return;
	}
	for (size_t i = 0; i < v->npairs; i++) {
		const struct ynode *key = v->pairs[i].key;
		if (key_ok(c, key, path) < 0)
			continue;
		char *p = subpath(path, key);
		entry(c, key, v->pairs[i].value, p, base);
		free(p);
	}
}

/* Appends a zeroed element to the array `arr` of `n` elements; its address. */
#define APPEND_ZEROED(arr, n) \
	((arr) = xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
	    memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static void access_list_entry(struct pctx *c, const struct ynode *key, const struct ynode *list,
    const char *p, void *base)
{
	struct cfg *cfg = base;
	struct cfg_access_list *al = APPEND_ZEROED(cfg->access_lists, cfg->naccess_lists);

	al->name = xstrdup(key->str);
	if (!is_list(c, list, p))
		return;
	al->prefixes = xcalloc(list->nitems, sizeof(*al->prefixes));
	for (size_t j = 0; j < list->nitems; j++) {
		const struct ynode *it = list->items[j];
		if (yscalar_str(it) == NULL || cfg_prefix_parse(it->str, &al->prefixes[al->nprefixes]) < 0) {
			value_err(c, p, it, "not a valid IP address or prefix");
			continue;
		}
		al->nprefixes++;
	}
}

static void access_lists_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	walk_entries(c, v, path, base, access_list_entry);
}

static void source_defaults(struct cfg_source *s)
{
	s->nrtm_port = 43;
	s->import_timer = -1;	/* 60 for NRTMv4 clients, else 300: set after the walk */
	s->export_timer = 3600;
	s->route_object_preference = -1;
	s->nrtm_query_serial_days_limit = -1;
	s->nrtm_query_serial_range_limit = -1;
	s->nrtm3_client_timeout = 15;
	s->nrtm4_server_snapshot_frequency = 4 * 3600;
}

static void source_free(struct cfg_source *s)
{
	free_by_spec(source_keys, s);
	free(s->name);
	free(s->import_source);
	for (size_t i = 0; i < s->nnrtm_dummified_attributes; i++) {
		free(s->nrtm_dummified_attributes[i].key);
		free(s->nrtm_dummified_attributes[i].value);
	}
	free(s->nrtm_dummified_attributes);
}

static void source_entry(struct pctx *c, const struct ynode *key, const struct ynode *body,
    const char *p, void *base)
{
	struct cfg *cfg = base;
	struct cfg_source *s = APPEND_ZEROED(cfg->sources, cfg->nsources);

	source_defaults(s);
	s->name = xstrdup(key->str);
	if (is_null(body))
		return;
	if (body->kind != YN_MAP)
		cfg_err(c->e, "%s: mapping expected", p);
	else
		walk_map(c, source_keys, body, p, s);
}

static void sources_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	walk_entries(c, v, path, base, source_entry);
}

static void source_alias_entry(struct pctx *c, const struct ynode *key, const struct ynode *list,
    const char *p, void *base)
{
	struct cfg *cfg = base;
	struct cfg_source_alias *a = APPEND_ZEROED(cfg->source_aliases, cfg->nsource_aliases);

	a->name = xstrdup(key->str);
	if (!is_null(list)) {
		const struct kspec k = KLIST("", offsetof(struct cfg_source_alias, sources),
		    offsetof(struct cfg_source_alias, nsources));
		take_strings(c, &k, list, p, a, false, false);
	}
}

static void source_aliases_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	walk_entries(c, v, path, base, source_alias_entry);
}

static const char *const set_class_names[CFG_SET_NCLASSES] = {
	[CFG_SET_COMMON] = "COMMON", [CFG_SET_AS] = "as-set", [CFG_SET_FILTER] = "filter-set",
	[CFG_SET_PEERING] = "peering-set", [CFG_SET_ROUTE] = "route-set", [CFG_SET_RTR] = "rtr-set",
};

static void set_creation_setting(struct pctx *c, const struct ynode *k2, const struct ynode *v2,
    const char *p2, void *base)
{
	struct cfg_set_creation *sc = base;
	const char *s;

	if (strcmp(k2->str, "prefix_required") == 0) {
		if (is_null(v2))
			;
		else if (v2->kind != YN_SCALAR || v2->type != YS_BOOL)
			cfg_err(c->e, "%s: boolean expected", p2);
		else
			sc->prefix_required = v2->b;
	} else if (strcmp(k2->str, "autnum_authentication") == 0) {
		if (want_str(c, v2, p2, &s) != 1)
			return;
		if (strcasecmp(s, "disabled") == 0)
			sc->autnum_authentication = CFG_AUTNUM_AUTH_DISABLED;
		else if (strcasecmp(s, "opportunistic") == 0)
			sc->autnum_authentication = CFG_AUTNUM_AUTH_OPPORTUNISTIC;
		else if (strcasecmp(s, "required") == 0)
			sc->autnum_authentication = CFG_AUTNUM_AUTH_REQUIRED;
		else {
			value_err(c, p2, v2, "not one of disabled, opportunistic, required");
		}
	} else {
		cfg_err(c->e, "%s: unknown setting", p2);
	}
}

static void set_creation_entry(struct pctx *c, const struct ynode *key, const struct ynode *body,
    const char *p, void *base)
{
	struct cfg *cfg = base;

	for (int j = 0; j < CFG_SET_NCLASSES; j++)
		if (strcmp(key->str, set_class_names[j]) == 0) {
			walk_entries(c, body, p, &cfg->set_creation[j], set_creation_setting);
			return;
		}
	cfg_err(c->e, "%s: unknown setting", p);
}

static void set_creation_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	walk_entries(c, v, path, base, set_creation_entry);
}

static void scope_prefixes_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	struct cfg *cfg = base;

	if (!is_list(c, v, path))
		return;
	free(cfg->scopefilter_prefixes);
	cfg->scopefilter_prefixes = xcalloc(v->nitems, sizeof(*cfg->scopefilter_prefixes));
	cfg->nscopefilter_prefixes = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct ynode *it = v->items[i];
		struct ip_prefix *pf = &cfg->scopefilter_prefixes[cfg->nscopefilter_prefixes];
		if (yscalar_str(it) == NULL || cfg_prefix_parse(it->str, pf) < 0) {
			value_err(c, path, it, "not a valid prefix");
			continue;
		}
		cfg->nscopefilter_prefixes++;
	}
}

static int asn_text(const char *s, size_t len, uint32_t *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void scope_asns_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	struct cfg *cfg = base;

	if (!is_list(c, v, path))
		return;
	free(cfg->scopefilter_asns);
	cfg->scopefilter_asns = xcalloc(v->nitems, sizeof(*cfg->scopefilter_asns));
	cfg->nscopefilter_asns = 0;
	for (size_t i = 0; i < v->nitems; i++) {
		const struct ynode *it = v->items[i];
		struct cfg_asn_range *r = &cfg->scopefilter_asns[cfg->nscopefilter_asns];
		bool ok = false;

		if (it->kind == YN_SCALAR && it->type == YS_INT) {
			ok = it->i >= 0 && it->i <= (long long)UINT32_MAX;
			r->first = r->last = (uint32_t)it->i;
		} else if (yscalar_str(it) != NULL) {
			const char *dash = strchr(it->str, '-');
			if (dash == NULL)
				ok = asn_text(it->str, it->len, &r->first) == 0 && (r->last = r->first, true);
			else
				ok = asn_text(it->str, (size_t)(dash - it->str), &r->first) == 0 &&
				    asn_text(dash + 1, strlen(dash + 1), &r->last) == 0 && r->first <= r->last;
		}
		if (!ok) {
			value_err(c, path, it, "not an AS number or range");
			continue;
		}
		cfg->nscopefilter_asns++;
	}
}

static void dummified_attr_entry(struct pctx *c, const struct ynode *key, const struct ynode *val,
    const char *p, void *base)
{
	struct cfg_source *s = base;

	if (val->kind != YN_SCALAR || val->type == YS_NULL || strlen(val->str) != val->len) {
		cfg_err(c->e, "%s: string expected", p);
		return;
	}
	struct cfg_kv *kv = APPEND_ZEROED(s->nrtm_dummified_attributes, s->nnrtm_dummified_attributes);
	kv->key = xstrdup(key->str);
	kv->value = xstrdup(val->str);
}

static void dummified_attrs_fn(struct pctx *c, const struct ynode *v, const char *path, void *base)
{
	walk_entries(c, v, path, base, dummified_attr_entry);
}

/* ---- checks across keys (IRRd's _check_staging_config) ---- */

/* "scheme://rest": does the scheme match one of the list? */
static bool url_scheme_ok(const char *url, const char *const *schemes)
{
	const char *sep = strstr(url, "://");
	if (sep == NULL || sep[3] == '\0')
		return false;
	for (; *schemes; schemes++)
		if ((size_t)(sep - url) == strlen(*schemes) && strncasecmp(url, *schemes, (size_t)(sep - url)) == 0)
			return true;
	return false;
}

static const char *const download_schemes[] = { "http", "https", "ftp", "file", NULL };

static void check_download_url(struct cfg_errs *e, const char *path, const char *url)
{
	if (url != NULL && !url_scheme_ok(url, download_schemes)) {
		char *q = cfg_quote(url, strlen(url));
		cfg_err(e, "%s: %s is not an http(s), ftp or file URL", path, q);
		free(q);
	}
}

static void check_access_list_ref(const struct cfg *cfg, struct cfg_errs *e, const char *path, const char *name)
{
	if (name != NULL && cfg_access_list_find(cfg, name) == NULL) {
		char *q = cfg_quote(name, strlen(name));
		cfg_err(e, "%s: access list %s is not defined", path, q);
		free(q);
	}
}

static bool source_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && !(ch == '-' && i < n - 1))
			return false;
	}
	return true;
}

static bool known_source(const struct cfg *cfg, const char *name)
{
	return cfg_source_find(cfg, name) != NULL || (cfg->rpki_enabled && strcmp(name, RPKI_PSEUDO_SOURCE) == 0);
}

static void check_source(struct cfg *cfg, struct cfg_errs *e, struct cfg_source *s, bool *authoritative)
{
	char *p, *q;
	bool nrtm4_client = s->nrtm4_client_notification_file_url != NULL;
	bool nrtm4_server = s->nrtm4_server_private_key != NULL || s->nrtm4_server_local_path != NULL;

	q = cfg_escape(s->name, strlen(s->name));
	p = xasprintf("irrd.sources.%s", q);
	free(q);

	/* Defaults that depend on other keys. */
	if (s->import_timer < 0)
		s->import_timer = nrtm4_client ? 60 : 300;
	if (s->nimport_sources > 0) {
		size_t len = 0;
		for (size_t i = 0; i < s->nimport_sources; i++)
			len += strlen(s->import_sources[i]) + 1;
		s->import_source = xcalloc(1, len + 1);
		for (size_t i = 0; i < s->nimport_sources; i++) {
			if (i > 0)
				strcat(s->import_source, ",");
			strcat(s->import_source, s->import_sources[i]);
		}
	}

	if (s->authoritative)
		*authoritative = true;
	if (!source_name_ok(s->name))
		cfg_err(e, "%s: invalid source name (upper case letters, digits and dashes, starting with a "
		    "letter and ending with a letter or digit)", p);
	if (cfg->rpki_enabled && strcmp(s->name, RPKI_PSEUDO_SOURCE) == 0)
		cfg_err(e, "%s: RPKI is a reserved source name in RPKI-aware mode", p);
	if (s->suspension_enabled && !s->authoritative)
		cfg_err(e, "%s.suspension_enabled: can not be enabled without authoritative", p);
	if (nrtm4_client) {
		const char *u = s->nrtm4_client_notification_file_url;
		bool ok = (strncmp(u, "https://", 8) == 0 && u[8] != '\0' && u[8] != '/') ||
		    (strncmp(u, "file://", 7) == 0 && u[7] != '\0');
		if (!ok)
			cfg_err(e, "%s.nrtm4_client_notification_file_url: not a valid https or file URL", p);
		if (s->nrtm4_client_initial_public_key == NULL)
			cfg_err(e, "%s.nrtm4_client_notification_file_url: must be set together with "
			    "nrtm4_client_initial_public_key", p);
		if (s->nrtm_host != NULL || s->import_serial_source != NULL)
			cfg_err(e, "%s.nrtm4_client_notification_file_url: can not be combined with nrtm_host or "
			    "import_serial_source", p);
	}
	if (s->keep_journal && !((s->nrtm_host && s->import_serial_source) || nrtm4_client || s->authoritative))
		cfg_err(e, "%s.keep_journal: can not be enabled unless authoritative is enabled, or nrtm_host and "
		    "import_serial_source are set, or nrtm4_client_notification_file_url is set", p);
	if (s->nrtm_host != NULL && s->import_serial_source == NULL)
		cfg_err(e, "%s.nrtm_host: can not be set without import_serial_source", p);
	if (s->authoritative && (nrtm4_client || s->nrtm_host || s->nimport_sources))
		cfg_err(e, "%s.authoritative: can not be enabled when nrtm_host, import_source or "
		    "nrtm4_client_notification_file_url is set", p);
	if ((nrtm4_server || s->nrtm4_server_private_key_next) &&
	    !(s->nrtm4_server_private_key && s->nrtm4_server_local_path))
		cfg_err(e, "%s: nrtm4_server_private_key and nrtm4_server_local_path must both be set for an "
		    "NRTMv4 server", p);
	if (nrtm4_server && !s->keep_journal)
		cfg_err(e, "%s.keep_journal: required for an NRTMv4 server", p);
	if (cfg->readonly_standby && (s->authoritative || s->nrtm_host || s->nimport_sources ||
	    s->export_destination || s->export_destination_unfiltered || nrtm4_client || nrtm4_server))
		cfg_err(e, "%s: can not be authoritative, import, export or use NRTMv4 when readonly_standby "
		    "is enabled", p);

	for (size_t i = 0; i < s->nimport_sources; i++) {
		char *pp = xasprintf("%s.import_source", p);
		check_download_url(e, pp, s->import_sources[i]);
		free(pp);
	}
	if (s->import_serial_source) {
		char *pp = xasprintf("%s.import_serial_source", p);
		check_download_url(e, pp, s->import_serial_source);
		free(pp);
	}
	if (s->nrtm_access_list) {
		char *pp = xasprintf("%s.nrtm_access_list", p);
		check_access_list_ref(cfg, e, pp, s->nrtm_access_list);
		free(pp);
	}
	if (s->nrtm_access_list_unfiltered) {
		char *pp = xasprintf("%s.nrtm_access_list_unfiltered", p);
		check_access_list_ref(cfg, e, pp, s->nrtm_access_list_unfiltered);
		free(pp);
	}
	free(p);
}

static void check_all(struct pctx *c)
{
	struct cfg *cfg = c->cfg;
	struct cfg_errs *e = c->e;
	bool authoritative = false;
	static const char *const levels[] = { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", NULL };

	/* (A value of the wrong type has been reported already.) */
	if ((cfg->database_url == NULL && is_null(ymap_get(c->irrd, "database_url"))) ||
	    (cfg->database_url != NULL && cfg->database_url[0] == '\0'))
		cfg_err(e, "irrd.database_url: required setting is missing");
	if (cfg->email_from && strchr(cfg->email_from, '@') == NULL)
		cfg_err(e, "irrd.email.from: must be an email address");
	if (cfg->email_recipient_override && strchr(cfg->email_recipient_override, '@') == NULL)
		cfg_err(e, "irrd.email.recipient_override: must be an email address");
	if (cfg->http_url) {
		const char *sep = strstr(cfg->http_url, "://");
		if (sep == NULL || sep == cfg->http_url || sep[3] == '\0' || sep[3] == '/')
			cfg_err(e, "irrd.server.http.url: must be a URL with a scheme and a host");
	}
	if (cfg->user && !cfg->group)
		cfg_err(e, "irrd.group: required when irrd.user is set");
	if (cfg->group && !cfg->user)
		cfg_err(e, "irrd.user: required when irrd.group is set");

	/* RTR: an extension, on when server.rtr is present. */
	if (c->rtr_present) {
		if (cfg->rtr.port == 0)
			cfg->rtr.port = 3323;
		if (cfg->rtr.ninterfaces == 0) {
			list_push(&cfg->rtr.interfaces, &cfg->rtr.ninterfaces, "127.0.0.1");
		}
		if (cfg->rtr.expire <= cfg->rtr.refresh || cfg->rtr.expire <= cfg->rtr.retry)
			cfg_err(e, "irrd.server.rtr.expire: must be greater than refresh and retry (RFC 8210 section 6)");
		if ((cfg->rtr.tls_cert == NULL) != (cfg->rtr.tls_key == NULL))
			cfg_err(e, "irrd.server.rtr.tls: certificate and key must both be set");
		if (cfg->rtr.tls_cert && cfg->rtr.tls_port == 0)
			cfg_err(e, "irrd.server.rtr.tls.port: required when tls.certificate is set");
		if (!cfg->rtr.tls_cert && (cfg->rtr.tls_port || cfg->rtr.tls_client_ca))
			cfg_err(e, "irrd.server.rtr.tls: port and client_ca need certificate and key");
		if (cfg->rtr.tls_port && cfg->rtr.tls_port == cfg->rtr.port)
			cfg_err(e, "irrd.server.rtr.tls.port: must differ from server.rtr.port");
	}

	/* RPKI-aware mode: roa_source (IRRd's default unless null) or our validator. */
	if (cfg->validator.enabled) {
		if (cfg->roa_source_set && cfg->roa_source != NULL)
			cfg_err(e, "irrd.rpki.roa_source: must be unset or null when rpki.validator.enabled is true");
		set_str(&cfg->roa_source, NULL);
		if (cfg->validator.tal_dir == NULL)
			cfg_err(e, "irrd.rpki.validator.tal_dir: required when rpki.validator.enabled is true");
		if (cfg->validator.cache_dir == NULL)
			cfg_err(e, "irrd.rpki.validator.cache_dir: required when rpki.validator.enabled is true");
	}
	cfg->rpki_enabled = cfg->roa_source != NULL || cfg->validator.enabled;
	check_download_url(e, "irrd.rpki.roa_source", cfg->roa_source);
	check_download_url(e, "irrd.rpki.slurm_source", cfg->slurm_source);

	for (size_t i = 0; i < cfg->nsources; i++)
		check_source(cfg, e, &cfg->sources[i], &authoritative);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const char *lp = cfg->sources[i].nrtm4_server_local_path;
		for (size_t j = 0; lp && j < i; j++) {
			if (cfg->sources[j].nrtm4_server_local_path &&
			    strcmp(lp, cfg->sources[j].nrtm4_server_local_path) == 0) {
				char *q = cfg_escape(cfg->sources[i].name, strlen(cfg->sources[i].name));
				char *r = cfg_escape(cfg->sources[j].name, strlen(cfg->sources[j].name));
				cfg_err(e, "irrd.sources.%s.nrtm4_server_local_path: same as for source %s", q, r);
				free(q);
				free(r);
				break;
			}
		}
	}

	if (cfg->rpki_enabled && authoritative && !cfg->notify_invalid_enabled_set)
		cfg_err(e, "irrd.rpki.notify_invalid_enabled: " NOTIFY_INVALID_REQUIRED_MSG);

	for (size_t i = 0; i < cfg->nsource_aliases; i++) {
		const struct cfg_source_alias *a = &cfg->source_aliases[i];
		char *n = cfg_escape(a->name, strlen(a->name));
		if (!source_name_ok(a->name))
			cfg_err(e, "irrd.source_aliases.%s: invalid source alias name", n);
		if (known_source(cfg, a->name))
			cfg_err(e, "irrd.source_aliases.%s: conflicts with a configured source", n);
		for (size_t j = 0; j < a->nsources; j++) {
			if (!known_source(cfg, a->sources[j])) {
				char *q = cfg_quote(a->sources[j], strlen(a->sources[j]));
				cfg_err(e, "irrd.source_aliases.%s: unknown source %s", n, q);
				free(q);
			}
		}
		free(n);
	}
	for (size_t i = 0; i < cfg->nsources_default; i++) {
		const char *name = cfg->sources_default[i];
		if (!known_source(cfg, name) && cfg_source_alias_find(cfg, name) == NULL) {
			char *q = cfg_quote(name, strlen(name));
			cfg_err(e, "irrd.sources_default: unknown source %s", q);
			free(q);
		}
	}

	if (cfg->log_level) {
		bool ok = false;
		for (size_t i = 0; levels[i]; i++)
			if (strcmp(cfg->log_level, levels[i]) == 0)
				ok = true;
		if (!ok) {
			char *q = cfg_quote(cfg->log_level, strlen(cfg->log_level));
			cfg_err(e, "irrd.log.level: %s is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL", q);
			free(q);
		}
	}
	if (cfg->log_logging_config_path && (cfg->log_logfile_path || cfg->log_level))
		cfg_err(e, "irrd.log.logging_config_path: can not be combined with log.logfile_path or log.level");

	check_access_list_ref(cfg, e, "irrd.server.whois.access_list", cfg->whois.access_list);
	check_access_list_ref(cfg, e, "irrd.server.http.status_access_list", cfg->http.access_list);
	check_access_list_ref(cfg, e, "irrd.server.http.event_stream_access_list",
	    cfg->http_event_stream_access_list);
	check_access_list_ref(cfg, e, "irrd.server.rtr.access_list", cfg->rtr.access_list);
}

/* ---- public ---- */

static void defaults(struct cfg *cfg)
{
	list_push(&cfg->whois.interfaces, &cfg->whois.ninterfaces, "::0");
	cfg->whois.port = 43;
	cfg->whois.max_connections = 50;
	cfg->whois.threads = -1;
	list_push(&cfg->http.interfaces, &cfg->http.ninterfaces, "127.0.0.1");
	cfg->http.port = 8000;
	cfg->rtr.refresh = 3600;
	cfg->rtr.retry = 600;
	cfg->rtr.expire = 7200;
	cfg->http_workers = 4;
	cfg->http_forwarded_allowed_ips = xstrdup("127.0.0.1,::ffff:127.0.0.1,::1");
	cfg->download_timeout = 10;
	cfg->route_object_preference_update_timer = 3600;

	cfg->password_hashers[CFG_HASH_MD5] = CFG_HASHER_ENABLED;
	cfg->password_hashers[CFG_HASH_CRYPT] = CFG_HASHER_LEGACY;
	cfg->password_hashers[CFG_HASH_BCRYPT] = CFG_HASHER_ENABLED;
	cfg->authenticate_parents_route_creation = true;
	cfg->webui_auth_failure_rate_limit = xstrdup("30/hour");
	for (int i = 0; i < CFG_SET_NCLASSES; i++) {
		cfg->set_creation[i].prefix_required = -1;
		cfg->set_creation[i].autnum_authentication = -1;
	}
	cfg->set_creation[CFG_SET_COMMON].prefix_required = 1;
	cfg->set_creation[CFG_SET_COMMON].autnum_authentication = CFG_AUTNUM_AUTH_OPPORTUNISTIC;

	cfg->email_footer = xstrdup("");
	cfg->email_notification_header = xstrdup(DEFAULT_NOTIFICATION_HEADER);

	cfg->roa_source = xstrdup(DEFAULT_ROA_SOURCE);
	cfg->roa_import_timer = 3600;
	cfg->pseudo_irr_remarks = xstrdup(DEFAULT_PSEUDO_IRR_REMARKS);
	cfg->notify_invalid_subject = xstrdup(DEFAULT_NOTIFY_INVALID_SUBJECT);
	cfg->notify_invalid_header = xstrdup(DEFAULT_NOTIFY_INVALID_HEADER);
	cfg->validator.interval = 600;
	cfg->validator.max_repo_size = 4LL << 30;
	cfg->validator.max_repo_files = 2000000;
	cfg->validator.child_timeout = 3600;
}

struct cfg *cfg_parse(const char *buf, size_t len, const char *name, char **errs)
{
	struct cfg_errs e = { 0 };
	struct ydoc doc;
	struct cfg *cfg = NULL;
	const struct ynode *root, *irrd;
	struct pctx c;

	if (errs)
		*errs = NULL;
	if (ydoc_parse(buf, len, &doc, &e) < 0)
		goto out;
	root = doc.root;
	irrd = ymap_get(root, "irrd");
	if (root == NULL || root->kind != YN_MAP || irrd == NULL) {
		cfg_err(&e, "irrd: not found (the file must be a mapping with all settings under the key 'irrd')");
		goto out;
	}
	if (irrd->kind != YN_MAP) {
		cfg_err(&e, "irrd: mapping expected");
		goto out;
	}

	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(name ? name : "");
	defaults(cfg);
	c.cfg = cfg;
	c.e = &e;
	c.rtr_present = false;
	c.irrd = irrd;
	walk_map(&c, top_keys, irrd, "irrd", cfg);
	check_all(&c);
	if (cfg->log_level == NULL)
		cfg->log_level = xstrdup("INFO");
out:
	ydoc_free(&doc);
	if (e.n > 0) {
		cfg_free(cfg);
		cfg = NULL;
		if (errs)
			*errs = cfg_errs_take(&e);
	}
	cfg_errs_free(&e);
	return cfg;
}

struct cfg *cfg_load(const char *path, char **errs)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	struct cfg *cfg;

	if (errs)
		*errs = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		if (errs)
			*errs = xasprintf("cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0 || len > CFG_MAX_FILE_SIZE)
			break;
	}
	if (ferror(f)) {
		int err = errno;
		fclose(f);
		free(buf);
		if (errs)
			*errs = xasprintf("cannot read: %s", strerror(err));
		return NULL;
	}
	fclose(f);
	cfg = cfg_parse(buf, len, path, errs);
	free(buf);
	return cfg;
}

void cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	free_by_spec(top_keys, cfg);
	free(cfg->path);
	for (size_t i = 0; i < cfg->naccess_lists; i++) {
		free(cfg->access_lists[i].name);
		free(cfg->access_lists[i].prefixes);
	}
	free(cfg->access_lists);
	for (size_t i = 0; i < cfg->nsources; i++)
		source_free(&cfg->sources[i]);
	free(cfg->sources);
	for (size_t i = 0; i < cfg->nsource_aliases; i++) {
		free(cfg->source_aliases[i].name);
		list_free(cfg->source_aliases[i].sources, cfg->source_aliases[i].nsources);
	}
	free(cfg->source_aliases);
	free(cfg->scopefilter_prefixes);
	free(cfg->scopefilter_asns);
	free(cfg);
}

const struct cfg_source *cfg_source_find(const struct cfg *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

const struct cfg_source_alias *cfg_source_alias_find(const struct cfg *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nsource_aliases; i++)
		if (strcmp(cfg->source_aliases[i].name, name) == 0)
			return &cfg->source_aliases[i];
	return NULL;
}

struct cfg *cfg_load_or_exit(const char *path)
{
	char *errs = NULL, *line, *next;
	struct cfg *cfg;

	if (path == NULL)
		path = CFG_PATH_DEFAULT;
	if ((cfg = cfg_load(path, &errs)) != NULL)
		return cfg;
	for (line = errs; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(stderr, "%s: %s: %s\n", log_progname(), path, line);
	}
	free(errs);
	exit(1);
}
