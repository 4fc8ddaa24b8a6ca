/*
 * conf.h - the YAML configuration, with IRRd 4's key names (see
 * ../shared/CONTRACT.md "Configuration").
 *
 * cfg_load() reads and checks a whole file into a new struct cfg; every
 * problem is reported as "FILE: KEY: what is wrong". The daemon keeps one
 * read-only `cfg` and replaces it whole on reload, so a bad file on SIGHUP
 * leaves the old one in force.
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

struct cfg_listener {
	char **interfaces;	/* addresses, IPv6 without brackets */
	size_t ninterfaces;
	int port;		/* 0 = not configured */
	char *access_list;	/* NULL = everyone */
	int max_connections;	/* whois: default 50 as IRRd */
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
	int import_timer;		/* default 300 */
	char *export_destination;
	int export_timer;		/* default 3600 */
};

struct cfg_validator {
	bool enabled;
	char *tal_dir;
	char *cache_dir;
	int interval;		/* default 600 */
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
	/* 0 disabled, 1 legacy, 2 enabled; index by enum cfg_hasher */
	int password_hashers[3];

	/* email */
	char *email_from, *email_smtp, *email_footer, *email_recipient_override,
	     *email_notification_header;

	/* rpki */
	bool rpki_enabled;		/* roa_source set or validator enabled */
	char *roa_source;		/* NULL = RPKI-aware mode off (unless validator) */
	int roa_import_timer;		/* default 3600 */
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
	char *piddir;			/* irrd.piddir, default var/run or /tmp */
};

enum cfg_hasher { CFG_HASH_MD5, CFG_HASH_CRYPT, CFG_HASH_BCRYPT };
enum { CFG_HASHER_DISABLED = 0, CFG_HASHER_LEGACY = 1, CFG_HASHER_ENABLED = 2 };

/* Load and check a config file. NULL on any error; each error is written
 * to *errs (newline separated, caller frees) as "KEY: problem". */
struct cfg *cfg_load(const char *path, char **errs);
/* The same from a buffer (for tests and the fuzzer); name is used in messages. */
struct cfg *cfg_parse(const char *buf, size_t len, const char *name, char **errs);
void cfg_free(struct cfg *cfg);

const struct cfg_source *cfg_source_find(const struct cfg *cfg, const char *name);
const struct cfg_access_list *cfg_access_list_find(const struct cfg *cfg, const char *name);
/* Is addr allowed by the named list? A NULL name allows everyone; an
 * unknown name allows no one. */
bool cfg_access_allowed(const struct cfg *cfg, const char *list, const struct ip_addr *addr);

/* Command-line helper shared by all programs: handles --config F and
 * --help; returns the loaded config or exits with "PROGRAM: FILE: ..." */
struct cfg *cfg_load_or_exit(const char *path);

#endif
