/*
 * conf.h - the YAML configuration, with IRRd 4's key names (see
 * ../shared/CONTRACT.md "Configuration").
 *
 * cfg_load() reads and checks a whole file into a new struct cfg. Every
 * problem is reported, not just the first, each as "KEY: what is wrong"
 * (KEY is the dotted path, e.g. "irrd.server.whois.port"; YAML syntax
 * errors give "line L, column C" instead). Unknown keys, wrong types and
 * duplicate keys are errors; every key IRRd 4.5 knows is accepted, even
 * where we do not use it. The daemon keeps one read-only `cfg` and
 * replaces it whole on reload, so a bad file on SIGHUP leaves the old one
 * in force.
 */
#ifndef CONF_CONF_H
#define CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpsl/prefix.h"

struct cfg_access_list {
	char *name;
	struct ip_prefix *prefixes;
	size_t nprefixes;
};

/*
 * server.whois, server.http and server.rtr. Defaults as IRRd: whois on
 * ::0 port 43, HTTP on 127.0.0.1 port 8000. RTR (an extension) is off
 * (port 0) unless server.rtr is present; then 127.0.0.1 port 3323.
 * For http, access_list is server.http.status_access_list: it guards the
 * status page and metrics, and there NULL means nobody (as IRRd), so the
 * HTTP code must check for NULL itself before calling cfg_access_allowed.
 */
struct cfg_listener {
	char **interfaces;	/* addresses, IPv6 without brackets */
	size_t ninterfaces;
	int port;		/* 0 = not configured */
	char *access_list;	/* NULL = everyone (whois, rtr) */
	int max_connections;	/* whois: default 50 (IRRd: 10, one process each) */
	int threads;		/* whois (extension): -1 = one per CPU, 0 = the main loop */
	/* RTR only */
	int refresh, retry, expire;
	char *tls_cert, *tls_key, *tls_client_ca;
	int tls_port;
};

struct cfg_source {
	char *name;		/* upper case */
	bool authoritative;
	bool keep_journal;
	bool rpki_excluded;
	char *nrtm_access_list;
	char *import_source;		/* one or more URLs, comma/list joined by ',' */
	char **import_sources;
	size_t nimport_sources;
	char *import_serial_source;
	char *nrtm_host;
	int nrtm_port;			/* default 43 */
	int import_timer;		/* default 300 (60 for NRTMv4 clients), >= 15 */
	char *export_destination;
	int export_timer;		/* default 3600, >= 15 */

	/* The rest of IRRd's source settings. */
	char *nrtm_access_list_unfiltered;
	char *export_destination_unfiltered;
	char **object_class_filter;	/* lower case; NULL = every class */
	size_t nobject_class_filter;
	bool authoritative_non_strict_mode_dangerous;
	bool authoritative_retain_last_modified;
	bool strict_import_keycert_objects;
	bool scopefilter_excluded;
	bool suspension_enabled;
	int route_object_preference;		/* -1 = not set */
	int nrtm_query_serial_days_limit;	/* -1 = no limit */
	int nrtm_query_serial_range_limit;	/* -1 = no limit */
	int nrtm3_client_timeout;		/* default 15 */
	char *nrtm_response_header;
	char *nrtm_dummified_remarks;
	char **nrtm_dummified_object_classes;
	size_t nnrtm_dummified_object_classes;
	struct cfg_kv *nrtm_dummified_attributes;	/* attribute -> dummy value */
	size_t nnrtm_dummified_attributes;
	/* NRTMv4: accepted and checked as IRRd, not implemented */
	char *nrtm4_client_notification_file_url;
	char *nrtm4_client_initial_public_key;
	char *nrtm4_server_private_key;
	char *nrtm4_server_private_key_next;
	char *nrtm4_server_local_path;
	int nrtm4_server_snapshot_frequency;	/* default 14400 */
};

struct cfg_kv {
	char *key;
	char *value;
};

/* source_aliases.NAME: a list of sources. */
struct cfg_source_alias {
	char *name;
	char **sources;
	size_t nsources;
};

/* auth.set_creation.{COMMON,as-set,...}: -1 = not set (inherit COMMON). */
enum cfg_set_class { CFG_SET_COMMON, CFG_SET_AS, CFG_SET_FILTER, CFG_SET_PEERING, CFG_SET_ROUTE,
	CFG_SET_RTR, CFG_SET_NCLASSES };
enum { CFG_AUTNUM_AUTH_DISABLED = 0, CFG_AUTNUM_AUTH_OPPORTUNISTIC = 1, CFG_AUTNUM_AUTH_REQUIRED = 2 };
struct cfg_set_creation {
	int prefix_required;		/* -1, 0 or 1; COMMON defaults to 1 */
	int autnum_authentication;	/* -1 or CFG_AUTNUM_AUTH_*; COMMON defaults to opportunistic */
};

/* scopefilter.asns entry: one AS (first == last) or a range. */
struct cfg_asn_range {
	uint32_t first, last;
};

struct cfg_validator {
	bool enabled;
	char *tal_dir;
	char *cache_dir;
	int interval;		/* default 600 */
	long long max_repo_size;	/* bytes of one repository's copy; default 4 GiB */
	long long max_repo_files;	/* files of one repository's copy; default 2000000 */
	int child_timeout;	/* seconds for a validation child; default 3600 */
};

struct cfg {
	char *path;			/* file it was read from */
	char *database_url;

	struct cfg_access_list *access_lists;
	size_t naccess_lists;

	struct cfg_listener whois, http, rtr;

	/* auth */
	char *gnupg_keyring;
	char *override_password;
	/* 0 disabled, 1 legacy, 2 enabled; index by enum cfg_hasher.
	 * IRRd's defaults: md5-pw enabled, crypt-pw legacy, bcrypt-pw enabled. */
	int password_hashers[3];
	bool authenticate_parents_route_creation;	/* default true */
	bool irrd_internal_migration_enabled;
	char *webui_auth_failure_rate_limit;		/* default "30/hour" */
	struct cfg_set_creation set_creation[CFG_SET_NCLASSES];

	/* email */
	char *email_from, *email_smtp, *email_footer, *email_recipient_override,
	     *email_notification_header;

	/* rpki. As IRRd, roa_source defaults to
	 * https://rpki.gin.ntt.net/api/export.json when the key is absent;
	 * an explicit null turns RPKI-aware mode off. With validator.enabled
	 * roa_source is NULL and the validator's output is the ROA set. */
	bool rpki_enabled;		/* roa_source set or validator enabled */
	char *roa_source;		/* NULL = RPKI-aware mode off (unless validator) */
	bool roa_source_set;		/* the key was in the file (even as null) */
	int roa_import_timer;		/* default 3600, >= 15 */
	char *slurm_source;
	char *pseudo_irr_remarks;
	bool notify_invalid_enabled;
	bool notify_invalid_enabled_set;
	char *notify_invalid_subject;
	char *notify_invalid_header;
	struct cfg_validator validator;

	char **sources_default;
	size_t nsources_default;
	struct cfg_source *sources;	/* in file order */
	size_t nsources;

	char *log_level;		/* default INFO */
	char *log_logfile_path;
	char *log_logging_config_path;	/* a Python file for IRRd; accepted, unused */
	char *piddir;			/* irrd.piddir; NULL if not set */

	/* Other IRRd settings. */
	bool readonly_standby;
	char *redis_url;		/* accepted, unused */
	char *user, *group;		/* drop privileges to these; both or neither */
	int download_timeout;		/* default 10 */
	char *http_url;			/* server.http.url */
	char *http_event_stream_access_list;
	char *http_forwarded_allowed_ips;	/* default "127.0.0.1,::ffff:127.0.0.1,::1" */
	int http_workers;		/* default 4 */
	int route_object_preference_update_timer;	/* default 3600 */
	struct ip_prefix *scopefilter_prefixes;
	size_t nscopefilter_prefixes;
	struct cfg_asn_range *scopefilter_asns;
	size_t nscopefilter_asns;
	struct cfg_source_alias *source_aliases;	/* in file order */
	size_t nsource_aliases;
	bool compat_inetnum_search_disabled;
	bool compat_ipv4_only_route_set_members;
	bool compat_asdot_queries;
};

enum cfg_hasher { CFG_HASH_MD5, CFG_HASH_CRYPT, CFG_HASH_BCRYPT };
enum { CFG_HASHER_DISABLED = 0, CFG_HASHER_LEGACY = 1, CFG_HASHER_ENABLED = 2 };

/* Load and check a config file. NULL on any error; each error is written
 * to *errs (newline separated, caller frees) as "KEY: problem". */
struct cfg *cfg_load(const char *path, char **errs);
/* The same from a buffer (for tests and the fuzzer); name is used in messages. */
struct cfg *cfg_parse(const char *buf, size_t len, const char *name, char **errs);
void cfg_free(struct cfg *cfg);

/* Exact (case-sensitive) name, as IRRd. */
const struct cfg_source *cfg_source_find(const struct cfg *cfg, const char *name);
const struct cfg_source_alias *cfg_source_alias_find(const struct cfg *cfg, const char *name);
const struct cfg_access_list *cfg_access_list_find(const struct cfg *cfg, const char *name);
/* Is addr allowed by the named list? A NULL name allows everyone; an
 * unknown name allows no one. */
bool cfg_access_allowed(const struct cfg *cfg, const char *list, const struct ip_addr *addr);

/* Command-line helper shared by all programs: loads path (NULL =
 * CFG_PATH_DEFAULT) or prints every error as "PROGRAM: FILE: KEY: problem"
 * on stderr and exits 1. Argument parsing is the program's. */
#define CFG_PATH_DEFAULT "/etc/irrd.yaml"
struct cfg *cfg_load_or_exit(const char *path);

#endif
