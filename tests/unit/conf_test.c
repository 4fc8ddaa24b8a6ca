/*
 * conf_test.c - the YAML configuration: the demo-like file, IRRd's full
 * key set, defaults, every check (exact messages), YAML details, access
 * list matching, and that a failed load leaves the running config alone.
 *
 * Golden files: tests/data/conf/bad_*.yaml each have a bad_*.err with the
 * exact error text; CONF_TEST_UPDATE=1 rewrites them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf.h"
#include "rpsl/log.h"
#include "testlib.h"

#define BASE "irrd:\n  database_url: 'postgresql:///irrd'\n"
/* RPKI-aware mode is on by default (IRRd's roa_source default); many
 * tests switch it off so that only the check under test fires. */
#define NORPKI BASE "  rpki: {roa_source: null}\n"

static char *path_of(const char *name)
{
	return xasprintf("%s/conf/%s", test_data_dir(), name);
}

/* Parse text; return the error text (caller frees) or NULL on success. */
static char *errs_of(const char *text)
{
	char *errs = NULL;
	struct cfg *cfg = cfg_parse(text, strlen(text), "test.yaml", &errs);
	if (cfg != NULL) {
		CHECK(errs == NULL);
		cfg_free(cfg);
		return NULL;
	}
	CHECK(errs != NULL);
	return errs;
}

#define EXPECT_ERR(text, want) do { \
	char *e_ = errs_of(text); \
	CHECK_STR(e_, want); \
	free(e_); \
} while (0)

#define EXPECT_OK(text) do { \
	char *e_ = errs_of(text); \
	CHECK_MSG(e_ == NULL, "unexpected errors: %s", e_); \
	free(e_); \
} while (0)

static struct cfg *parse_ok(const char *text)
{
	char *errs = NULL;
	struct cfg *cfg = cfg_parse(text, strlen(text), "test.yaml", &errs);
	CHECK_MSG(cfg != NULL, "errors: %s", errs ? errs : "(none)");
	free(errs);
	return cfg;
}

static int parse_addr(const char *s, struct ip_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = IP_AF6;
		return 0;
	}
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = IP_AF4;
		return 0;
	}
	return -1;
}

static void test_good_file(void)
{
	char *path = path_of("good.yaml"), *errs = NULL;
	struct cfg *cfg = cfg_load(path, &errs);
	const struct cfg_source *s;

	CHECK_MSG(cfg != NULL, "errors: %s", errs);
	free(errs);
	if (cfg == NULL) {
		free(path);
		return;
	}
	CHECK_STR(cfg->path, path);
	CHECK_STR(cfg->database_url, "postgresql://user@127.0.0.1:5432/irrd");
	CHECK_STR(cfg->piddir, "/var/run/irrd");
	CHECK_INT(cfg->naccess_lists, 2);
	CHECK_STR(cfg->access_lists[0].name, "local");
	CHECK_INT(cfg->access_lists[0].nprefixes, 2);
	CHECK_INT(cfg->access_lists[0].prefixes[0].family, IP_AF4);
	CHECK_INT(cfg->access_lists[0].prefixes[0].len, 8);
	CHECK_INT(cfg->access_lists[0].prefixes[0].a[0], 127);
	CHECK_INT(cfg->access_lists[0].prefixes[1].family, IP_AF6);
	CHECK_INT(cfg->access_lists[0].prefixes[1].len, 128);
	CHECK_INT(cfg->access_lists[0].prefixes[1].a[15], 1);
	CHECK_STR(cfg->access_lists[1].name, "nrtm");
	CHECK_INT(cfg->access_lists[1].prefixes[0].len, 32);	/* host address */

	CHECK_INT(cfg->whois.ninterfaces, 2);
	CHECK_STR(cfg->whois.interfaces[0], "127.0.0.1");
	CHECK_STR(cfg->whois.interfaces[1], "::1");
	CHECK_INT(cfg->whois.port, 8043);
	CHECK_INT(cfg->whois.max_connections, 1000);
	CHECK_INT(cfg->whois.threads, 3);
	CHECK_STR(cfg->whois.access_list, "local");
	CHECK_INT(cfg->http.ninterfaces, 1);
	CHECK_STR(cfg->http.interfaces[0], "127.0.0.1");
	CHECK_INT(cfg->http.port, 8080);
	CHECK_STR(cfg->http.access_list, "local");
	CHECK_INT(cfg->rtr.ninterfaces, 1);
	CHECK_INT(cfg->rtr.port, 3323);
	CHECK_INT(cfg->rtr.refresh, 3600);
	CHECK_INT(cfg->rtr.retry, 600);
	CHECK_INT(cfg->rtr.expire, 7200);
	CHECK(cfg->rtr.tls_cert == NULL);

	CHECK_STR(cfg->gnupg_keyring, "/var/lib/irrd/gnupg");
	CHECK_STR(cfg->override_password, "$1$J6KycItM$MbPaBU6iFSGFV299Rk7Di0");
	CHECK_INT(cfg->password_hashers[CFG_HASH_MD5], CFG_HASHER_ENABLED);
	CHECK_INT(cfg->password_hashers[CFG_HASH_CRYPT], CFG_HASHER_LEGACY);
	CHECK_INT(cfg->password_hashers[CFG_HASH_BCRYPT], CFG_HASHER_ENABLED);

	CHECK_STR(cfg->email_from, "irrd@example.net");
	CHECK_STR(cfg->email_smtp, "127.0.0.1:25");
	CHECK_STR(cfg->email_footer, "Demo footer");
	CHECK_STR(cfg->email_recipient_override, "test@example.net");
	CHECK_STR(cfg->email_notification_header, "Changes in {sources_str}.\n");

	CHECK(cfg->rpki_enabled);
	CHECK(cfg->roa_source_set);
	CHECK_STR(cfg->roa_source, "file:///var/lib/irrd/roas.json");
	CHECK_INT(cfg->roa_import_timer, 3600);
	CHECK_STR(cfg->slurm_source, "file:///var/lib/irrd/slurm.json");
	CHECK_STR(cfg->pseudo_irr_remarks, "Pseudo AS{asn} {prefix}\n");
	CHECK(cfg->notify_invalid_enabled_set);
	CHECK(!cfg->notify_invalid_enabled);
	CHECK_STR(cfg->notify_invalid_subject, "Invalid in {sources_str}");
	CHECK(!cfg->validator.enabled);
	CHECK_STR(cfg->validator.tal_dir, "/var/lib/irrd/tals");
	CHECK_STR(cfg->validator.cache_dir, "/var/cache/irrd");
	CHECK_INT(cfg->validator.interval, 600);

	CHECK_INT(cfg->nsources_default, 3);
	CHECK_STR(cfg->sources_default[0], "TEST");
	CHECK_STR(cfg->sources_default[2], "RPKI");
	CHECK_INT(cfg->nsources, 2);
	CHECK_STR(cfg->sources[0].name, "TEST");	/* file order */
	CHECK_STR(cfg->sources[1].name, "MIRROR");
	s = cfg_source_find(cfg, "TEST");
	CHECK(s == &cfg->sources[0]);
	CHECK(s->authoritative);
	CHECK(s->keep_journal);
	CHECK(!s->rpki_excluded);
	CHECK_STR(s->nrtm_access_list, "nrtm");
	CHECK_STR(s->export_destination, "/var/ftp");
	CHECK_INT(s->export_timer, 3600);
	CHECK(s->import_source == NULL);
	CHECK_INT(s->nimport_sources, 0);
	s = cfg_source_find(cfg, "MIRROR");
	CHECK(s != NULL);
	CHECK(!s->authoritative);
	CHECK_STR(s->import_source, "file:///dump.db.gz");
	CHECK_INT(s->nimport_sources, 1);
	CHECK_STR(s->import_serial_source, "file:///dump.CURRENTSERIAL");
	CHECK_STR(s->nrtm_host, "127.0.0.1");
	CHECK_INT(s->nrtm_port, 43);
	CHECK_INT(s->import_timer, 300);
	CHECK(cfg_source_find(cfg, "mirror") == NULL);	/* case-sensitive, as IRRd */
	CHECK(cfg_source_find(cfg, "RPKI") == NULL);

	CHECK_STR(cfg->log_level, "INFO");
	CHECK_STR(cfg->log_logfile_path, "/var/log/irrd/irrd.log");
	cfg_free(cfg);
	free(path);
}

static void test_irrd_all_keys(void)
{
	char *path = path_of("irrd_all_keys.yaml"), *errs = NULL;
	struct cfg *cfg = cfg_load(path, &errs);
	const struct cfg_source *s;

	CHECK_MSG(cfg != NULL, "errors: %s", errs);
	free(errs);
	free(path);
	if (cfg == NULL)
		return;
	CHECK(!cfg->readonly_standby);
	CHECK_STR(cfg->redis_url, "unix:///usr/local/var/run/redis.sock");
	CHECK_STR(cfg->user, "irrd");
	CHECK_STR(cfg->group, "irrd");
	CHECK_INT(cfg->download_timeout, 30);
	CHECK_STR(cfg->http_url, "https://irrd.example.com/");
	CHECK_STR(cfg->http_event_stream_access_list, "events");
	CHECK_STR(cfg->http_forwarded_allowed_ips, "127.0.0.1,::1");
	CHECK_INT(cfg->http_workers, 8);
	CHECK_STR(cfg->whois.interfaces[0], "::0");
	CHECK_INT(cfg->route_object_preference_update_timer, 600);
	CHECK(!cfg->authenticate_parents_route_creation);
	CHECK(cfg->irrd_internal_migration_enabled);
	CHECK_STR(cfg->webui_auth_failure_rate_limit, "10/hour");
	CHECK_INT(cfg->set_creation[CFG_SET_COMMON].prefix_required, 1);
	CHECK_INT(cfg->set_creation[CFG_SET_COMMON].autnum_authentication, CFG_AUTNUM_AUTH_REQUIRED);
	CHECK_INT(cfg->set_creation[CFG_SET_AS].autnum_authentication, CFG_AUTNUM_AUTH_OPPORTUNISTIC);
	CHECK_INT(cfg->set_creation[CFG_SET_RTR].prefix_required, 0);
	CHECK_INT(cfg->set_creation[CFG_SET_RTR].autnum_authentication, CFG_AUTNUM_AUTH_DISABLED);
	CHECK_INT(cfg->set_creation[CFG_SET_ROUTE].prefix_required, 0);
	CHECK_INT(cfg->set_creation[CFG_SET_ROUTE].autnum_authentication, -1);
	CHECK_INT(cfg->set_creation[CFG_SET_FILTER].autnum_authentication, CFG_AUTNUM_AUTH_REQUIRED);
	CHECK_INT(cfg->set_creation[CFG_SET_PEERING].prefix_required, -1);
	CHECK_INT(cfg->password_hashers[CFG_HASH_MD5], CFG_HASHER_LEGACY);
	CHECK_INT(cfg->password_hashers[CFG_HASH_CRYPT], CFG_HASHER_DISABLED);
	CHECK_STR(cfg->log_level, "DEBUG");
	CHECK(cfg->notify_invalid_enabled);
	CHECK_STR(cfg->notify_invalid_header, "Header for {object_count} objects.\n");
	CHECK_INT(cfg->nscopefilter_prefixes, 2);
	CHECK_INT(cfg->scopefilter_prefixes[1].family, IP_AF6);
	CHECK_INT(cfg->scopefilter_prefixes[1].len, 7);
	CHECK_INT(cfg->nscopefilter_asns, 3);
	CHECK_INT(cfg->scopefilter_asns[0].first, 23456);
	CHECK_INT(cfg->scopefilter_asns[0].last, 23456);
	CHECK_INT(cfg->scopefilter_asns[1].first, 64496);
	CHECK_INT(cfg->scopefilter_asns[1].last, 64511);
	CHECK_INT(cfg->scopefilter_asns[2].first, 65535);
	CHECK(cfg->compat_inetnum_search_disabled);
	CHECK(cfg->compat_ipv4_only_route_set_members);
	CHECK(cfg->compat_asdot_queries);
	CHECK_INT(cfg->nsource_aliases, 1);
	CHECK(cfg_source_alias_find(cfg, "EXAMPLE") != NULL);
	CHECK_INT(cfg_source_alias_find(cfg, "EXAMPLE")->nsources, 2);
	CHECK_STR(cfg_source_alias_find(cfg, "EXAMPLE")->sources[1], "AUTHDATABASE");
	CHECK_INT(cfg->nsources, 4);

	s = cfg_source_find(cfg, "AUTHDATABASE");
	CHECK(s != NULL && s->suspension_enabled && s->authoritative_retain_last_modified);
	CHECK_INT(s->export_timer, 7200);
	CHECK_STR(s->export_destination_unfiltered, "/var/ftp-unfiltered/");
	CHECK_STR(s->nrtm_access_list_unfiltered, "http_database_status");
	CHECK_INT(s->nrtm_query_serial_days_limit, 14);
	CHECK_INT(s->nrtm_query_serial_range_limit, 1000);
	CHECK_STR(s->nrtm_response_header, "Mirroring terms apply.\n");
	CHECK_INT(s->nnrtm_dummified_object_classes, 2);
	CHECK_INT(s->nnrtm_dummified_attributes, 2);
	CHECK_STR(s->nrtm_dummified_attributes[0].key, "person");
	CHECK_STR(s->nrtm_dummified_attributes[0].value, "Dummy name for %s");
	CHECK_INT(s->nrtm4_server_snapshot_frequency, 7200);
	CHECK_INT(s->route_object_preference, 200);
	s = cfg_source_find(cfg, "MIRROR-FIRST");
	CHECK(s != NULL && s->strict_import_keycert_objects && s->rpki_excluded);
	CHECK_INT(s->nrtm3_client_timeout, 30);
	CHECK_INT(s->nobject_class_filter, 4);
	CHECK_STR(s->object_class_filter[1], "aut-num");	/* lower-cased, as IRRd */
	CHECK_INT(s->route_object_preference, -1);
	s = cfg_source_find(cfg, "MIRROR-SECOND");
	CHECK_INT(s->nimport_sources, 2);
	CHECK_STR(s->import_source, "ftp://ftp.example.net/mirror-second.db.as-set.gz,"
	    "ftp://ftp.example.net/mirror-second.db.route.gz");
	CHECK_INT(s->import_timer, 600);
	s = cfg_source_find(cfg, "MIRROR-THIRD");
	CHECK_INT(s->import_timer, 60);	/* NRTMv4 client default */
	cfg_free(cfg);
}

static void test_defaults(void)
{
	struct cfg *cfg = parse_ok(BASE);
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->whois.ninterfaces, 1);
	CHECK_STR(cfg->whois.interfaces[0], "::0");
	CHECK_INT(cfg->whois.port, 43);
	CHECK_INT(cfg->whois.max_connections, 50);
	CHECK_INT(cfg->whois.threads, -1);
	CHECK(cfg->whois.access_list == NULL);
	CHECK_STR(cfg->http.interfaces[0], "127.0.0.1");
	CHECK_INT(cfg->http.port, 8000);
	CHECK(cfg->http.access_list == NULL);
	CHECK_INT(cfg->rtr.port, 0);	/* RTR off without server.rtr */
	CHECK_INT(cfg->rtr.ninterfaces, 0);
	CHECK_INT(cfg->rtr.refresh, 3600);
	CHECK_INT(cfg->rtr.retry, 600);
	CHECK_INT(cfg->rtr.expire, 7200);
	CHECK_INT(cfg->password_hashers[CFG_HASH_MD5], CFG_HASHER_ENABLED);
	CHECK_INT(cfg->password_hashers[CFG_HASH_CRYPT], CFG_HASHER_LEGACY);
	CHECK_INT(cfg->password_hashers[CFG_HASH_BCRYPT], CFG_HASHER_ENABLED);
	CHECK(cfg->authenticate_parents_route_creation);
	CHECK_INT(cfg->set_creation[CFG_SET_COMMON].prefix_required, 1);
	CHECK_INT(cfg->set_creation[CFG_SET_COMMON].autnum_authentication, CFG_AUTNUM_AUTH_OPPORTUNISTIC);
	CHECK_INT(cfg->set_creation[CFG_SET_AS].prefix_required, -1);
	/* IRRd's roa_source default: RPKI-aware mode is on unless set to null. */
	CHECK(cfg->rpki_enabled);
	CHECK(!cfg->roa_source_set);
	CHECK_STR(cfg->roa_source, "https://rpki.gin.ntt.net/api/export.json");
	CHECK_INT(cfg->roa_import_timer, 3600);
	CHECK_STR(cfg->pseudo_irr_remarks,
	    "This AS{asn} route object represents routing data retrieved\n"
	    "from the RPKI. This route object is the result of an automated\n"
	    "RPKI-to-IRR conversion process performed by IRRd.\n");
	CHECK_STR(cfg->notify_invalid_subject, "route(6) objects in {sources_str} marked RPKI invalid");
	CHECK(strncmp(cfg->notify_invalid_header, "This is to notify that {object_count} route(6) objects "
	    "for which you are a\ncontact have been marked as RPKI invalid.", 110) == 0);
	CHECK(strstr(cfg->notify_invalid_header, "\nrelevant.\n") != NULL);
	CHECK(!cfg->notify_invalid_enabled_set);
	CHECK(!cfg->validator.enabled);
	CHECK_INT(cfg->validator.interval, 600);
	CHECK(cfg->validator.max_repo_size == 4294967296LL);
	CHECK(cfg->validator.max_repo_files == 2000000);
	CHECK_INT(cfg->validator.child_timeout, 3600);
	CHECK_STR(cfg->email_footer, "");
	CHECK(strncmp(cfg->email_notification_header,
	    "This is to notify you of changes in the {sources_str} database\n", 63) == 0);
	CHECK(cfg->email_from == NULL);
	CHECK_STR(cfg->log_level, "INFO");
	CHECK(cfg->log_logfile_path == NULL);
	CHECK(cfg->piddir == NULL);
	CHECK_INT(cfg->download_timeout, 10);
	CHECK_INT(cfg->http_workers, 4);
	CHECK_INT(cfg->route_object_preference_update_timer, 3600);
	CHECK_INT(cfg->nsources, 0);
	CHECK_INT(cfg->nsources_default, 0);
	cfg_free(cfg);

	cfg = parse_ok(BASE "  sources:\n    EMPTY: {}\n    NULLED:\n");
	if (cfg == NULL)
		return;
	CHECK_INT(cfg->nsources, 2);
	CHECK_INT(cfg->sources[0].nrtm_port, 43);
	CHECK_INT(cfg->sources[0].import_timer, 300);
	CHECK_INT(cfg->sources[0].export_timer, 3600);
	CHECK_INT(cfg->sources[0].nrtm3_client_timeout, 15);
	CHECK_INT(cfg->sources[0].route_object_preference, -1);
	CHECK_INT(cfg->sources[0].nrtm_query_serial_range_limit, -1);
	CHECK(!cfg->sources[0].authoritative && !cfg->sources[0].keep_journal);
	CHECK_STR(cfg->sources[1].name, "NULLED");
	CHECK_INT(cfg->sources[1].import_timer, 300);
	cfg_free(cfg);

	/* A null value keeps the default. */
	cfg = parse_ok(BASE "  server:\n    whois:\n      port:\n      interface: ~\n");
	if (cfg) {
		CHECK_INT(cfg->whois.port, 43);
		CHECK_STR(cfg->whois.interfaces[0], "::0");
		cfg_free(cfg);
	}
}

static void test_interfaces(void)
{
	struct cfg *cfg = parse_ok(BASE "  server:\n    whois: {interface: '192.0.2.1'}\n"
	    "    http: {interface: ['::1', '127.0.0.1', '2001:db8::8']}\n");
	if (cfg) {
		CHECK_INT(cfg->whois.ninterfaces, 1);
		CHECK_STR(cfg->whois.interfaces[0], "192.0.2.1");
		CHECK_INT(cfg->http.ninterfaces, 3);
		CHECK_STR(cfg->http.interfaces[2], "2001:db8::8");
		cfg_free(cfg);
	}
	EXPECT_ERR(BASE "  server:\n    whois: {interface: localhost}\n",
	    "irrd.server.whois.interface: 'localhost' is not an IP address");
	EXPECT_ERR(BASE "  server:\n    whois: {interface: ['::1', '[::1]']}\n",
	    "irrd.server.whois.interface: '[::1]' is not an IP address");
	EXPECT_ERR(BASE "  server:\n    http: {interface: '127.0.0.1/8'}\n",
	    "irrd.server.http.interface: '127.0.0.1/8' is not an IP address");
	EXPECT_ERR(BASE "  server:\n    whois: {interface: []}\n",
	    "irrd.server.whois.interface: empty list");
	EXPECT_ERR(BASE "  server:\n    whois: {interface: 5}\n",
	    "irrd.server.whois.interface: string or list of strings expected");
	EXPECT_ERR(BASE "  server:\n    whois: {interface: {a: b}}\n",
	    "irrd.server.whois.interface: string or list of strings expected");
	EXPECT_ERR(BASE "  server:\n    whois: {interface: ['::1', [x]]}\n",
	    "irrd.server.whois.interface: a list is not a string");
}

static void test_rtr(void)
{
	struct cfg *cfg = parse_ok(BASE "  server:\n    rtr: {}\n");
	if (cfg) {
		CHECK_INT(cfg->rtr.port, 3323);
		CHECK_INT(cfg->rtr.ninterfaces, 1);
		CHECK_STR(cfg->rtr.interfaces[0], "127.0.0.1");
		CHECK_INT(cfg->rtr.refresh, 3600);
		CHECK_INT(cfg->rtr.retry, 600);
		CHECK_INT(cfg->rtr.expire, 7200);
		cfg_free(cfg);
	}
	cfg = parse_ok(BASE "  server:\n    rtr:\n");
	if (cfg) {
		CHECK_INT(cfg->rtr.port, 0);
		cfg_free(cfg);
	}
	cfg = parse_ok(BASE "  access_lists: {routers: ['192.0.2.0/24']}\n"
	    "  server:\n    rtr:\n      interface: ['::', '0.0.0.0']\n      port: 8282\n"
	    "      access_list: routers\n      refresh: 1\n      retry: 7200\n      expire: 172800\n"
	    "      tls: {certificate: /c.pem, key: /k.pem, client_ca: /ca.pem, port: 8283}\n");
	if (cfg) {
		CHECK_INT(cfg->rtr.ninterfaces, 2);
		CHECK_INT(cfg->rtr.port, 8282);
		CHECK_STR(cfg->rtr.access_list, "routers");
		CHECK_INT(cfg->rtr.refresh, 1);
		CHECK_INT(cfg->rtr.retry, 7200);
		CHECK_INT(cfg->rtr.expire, 172800);
		CHECK_STR(cfg->rtr.tls_cert, "/c.pem");
		CHECK_STR(cfg->rtr.tls_key, "/k.pem");
		CHECK_STR(cfg->rtr.tls_client_ca, "/ca.pem");
		CHECK_INT(cfg->rtr.tls_port, 8283);
		cfg_free(cfg);
	}
	EXPECT_ERR(BASE "  server:\n    rtr: {refresh: 0}\n",
	    "irrd.server.rtr.refresh: 0 is not between 1 and 86400");
	EXPECT_ERR(BASE "  server:\n    rtr: {refresh: 86401}\n",
	    "irrd.server.rtr.refresh: 86401 is not between 1 and 86400");
	EXPECT_ERR(BASE "  server:\n    rtr: {retry: 7201}\n",
	    "irrd.server.rtr.retry: 7201 is not between 1 and 7200");
	EXPECT_ERR(BASE "  server:\n    rtr: {expire: 599}\n",
	    "irrd.server.rtr.expire: 599 is not between 600 and 172800");
	EXPECT_ERR(BASE "  server:\n    rtr: {expire: 172801}\n",
	    "irrd.server.rtr.expire: 172801 is not between 600 and 172800");
	EXPECT_ERR(BASE "  server:\n    rtr: {refresh: 7200, expire: 7200}\n",
	    "irrd.server.rtr.expire: must be greater than refresh and retry (RFC 8210 section 6)");
	EXPECT_ERR(BASE "  server:\n    rtr: {tls: {certificate: /c.pem, port: 324}}\n",
	    "irrd.server.rtr.tls: certificate and key must both be set");
	EXPECT_ERR(BASE "  server:\n    rtr: {tls: {certificate: /c.pem, key: /k.pem}}\n",
	    "irrd.server.rtr.tls.port: required when tls.certificate is set");
	EXPECT_ERR(BASE "  server:\n    rtr: {tls: {port: 324}}\n",
	    "irrd.server.rtr.tls: port and client_ca need certificate and key");
	EXPECT_ERR(BASE "  server:\n    rtr: {port: 3323, tls: {certificate: /c, key: /k, port: 3323}}\n",
	    "irrd.server.rtr.tls.port: must differ from server.rtr.port");
	EXPECT_ERR(BASE "  server:\n    rtr: {tls: {cert: /c.pem}}\n",
	    "irrd.server.rtr.tls.cert: unknown setting");
	EXPECT_ERR(BASE "  server:\n    rtr: {access_list: nowhere}\n",
	    "irrd.server.rtr.access_list: access list 'nowhere' is not defined");
}

static void test_unknown_keys(void)
{
	EXPECT_ERR(BASE "  server:\n    whois: {prot: 43}\n", "irrd.server.whois.prot: unknown setting");
	EXPECT_ERR(BASE "  databse_url: x\n", "irrd.databse_url: unknown setting");
	EXPECT_ERR(BASE "  server:\n    gopher: {port: 70}\n", "irrd.server.gopher: unknown setting");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {authoritive: true}\n", "irrd.sources.TEST.authoritive: unknown setting");
	EXPECT_ERR(BASE "  auth:\n    password_hashers: {sha-pw: enabled}\n",
	    "irrd.auth.password_hashers.sha-pw: unknown setting");
	EXPECT_ERR(BASE "  auth:\n    set_creation: {aut-num: {prefix_required: true}}\n",
	    "irrd.auth.set_creation.aut-num: unknown setting");
	EXPECT_ERR(BASE "  auth:\n    set_creation: {as-set: {prefix: true}}\n",
	    "irrd.auth.set_creation.as-set.prefix: unknown setting");
	EXPECT_ERR(BASE "  rpki:\n    validator: {tals: /x}\n", "irrd.rpki.validator.tals: unknown setting");
	EXPECT_ERR(BASE "  log:\n    file: /x\n", "irrd.log.file: unknown setting");
	/* Unknown keys with control characters are escaped in the message. */
	EXPECT_ERR(BASE "  \"a\\nb\": 1\n", "irrd.a\\nb: unknown setting");
	/* Keys outside "irrd" are not ours (IRRd ignores them too). */
	EXPECT_OK(BASE "other:\n  anything: [1, 2]\n");
	/* Keys must be strings. */
	EXPECT_ERR(BASE "  ? [a, b]\n  : 1\n", "irrd: setting names must be strings (line 3)");
	EXPECT_ERR(BASE "  ~: 1\n", "irrd: setting names must be strings (line 3)");
}

static void test_types(void)
{
	EXPECT_ERR("irrd:\n  database_url: 5\n", "irrd.database_url: string expected");
	EXPECT_ERR("irrd:\n  database_url: [a]\n", "irrd.database_url: string expected");
	EXPECT_ERR("irrd:\n  database_url: yes\n", "irrd.database_url: string expected");
	EXPECT_ERR(BASE "  server:\n    whois: {port: abc}\n", "irrd.server.whois.port: integer expected");
	EXPECT_ERR(BASE "  server:\n    whois: {max_connections: 1.5}\n",
	    "irrd.server.whois.max_connections: integer expected");
	EXPECT_ERR(BASE "  server:\n    whois: {max_connections: 0}\n",
	    "irrd.server.whois.max_connections: 0 is not between 1 and 1000000");
	EXPECT_ERR(BASE "  server:\n    whois: {threads: 65}\n",
	    "irrd.server.whois.threads: 65 is not between 0 and 64");
	EXPECT_ERR(BASE "  server:\n    whois: {threads: -1}\n",
	    "irrd.server.whois.threads: -1 is not between 0 and 64");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {authoritative: 'yes'}\n",
	    "irrd.sources.TEST.authoritative: boolean expected");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {authoritative: 1}\n",
	    "irrd.sources.TEST.authoritative: boolean expected");
	EXPECT_ERR(BASE "  sources_default: TEST\n", "irrd.sources_default: list expected");
	EXPECT_ERR(BASE "  sources_default: [[TEST]]\n", "irrd.sources_default: a list is not a string");
	EXPECT_ERR(BASE "  server: 5\n", "irrd.server: mapping expected");
	EXPECT_ERR(BASE "  sources: [TEST]\n", "irrd.sources: mapping expected");
	EXPECT_ERR(BASE "  sources:\n    TEST: 5\n", "irrd.sources.TEST: mapping expected");
	EXPECT_ERR(BASE "  access_lists: [a]\n", "irrd.access_lists: mapping expected");
	EXPECT_ERR(BASE "  access_lists: {local: '127.0.0.1'}\n", "irrd.access_lists.local: list expected");
	EXPECT_ERR(BASE "  rpki: {notify_invalid_enabled: 'false'}\n",
	    "irrd.rpki.notify_invalid_enabled: boolean expected");
	EXPECT_ERR(BASE "  rpki: {roa_source: 5}\n", "irrd.rpki.roa_source: string expected");
	EXPECT_ERR(BASE "  email: {footer: \"a\\0b\"}\n", "irrd.email.footer: contains a NUL character");
	/* IRRd accepts digit strings where it wants numbers (str(v).isnumeric()). */
	{
		struct cfg *cfg = parse_ok(BASE "  server:\n    whois: {port: '8043'}\n");
		if (cfg) {
			CHECK_INT(cfg->whois.port, 8043);
			cfg_free(cfg);
		}
	}
	EXPECT_ERR(BASE "  server:\n    whois: {port: '-43'}\n", "irrd.server.whois.port: integer expected");
	/* YAML 1.1 booleans as PyYAML. */
	{
		struct cfg *cfg = parse_ok(NORPKI "  readonly_standby: off\n  compatibility:\n"
		    "    asdot_queries: Yes\n    inetnum_search_disabled: ON\n    ipv4_only_route_set_members: True\n");
		if (cfg) {
			CHECK(!cfg->readonly_standby);
			CHECK(cfg->compat_asdot_queries && cfg->compat_inetnum_search_disabled &&
			    cfg->compat_ipv4_only_route_set_members);
			cfg_free(cfg);
		}
	}
}

static void test_ports(void)
{
	EXPECT_ERR(BASE "  server:\n    whois: {port: 0}\n", "irrd.server.whois.port: 0 is not a valid port (1-65535)");
	EXPECT_ERR(BASE "  server:\n    whois: {port: 65536}\n",
	    "irrd.server.whois.port: 65536 is not a valid port (1-65535)");
	EXPECT_ERR(BASE "  server:\n    http: {port: -1}\n", "irrd.server.http.port: -1 is not a valid port (1-65535)");
	EXPECT_ERR(BASE "  server:\n    http: {port: 99999999999999999999999}\n",
	    "irrd.server.http.port: 9223372036854775807 is not a valid port (1-65535)");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {nrtm_port: 100000}\n",
	    "irrd.sources.MI.nrtm_port: 100000 is not a valid port (1-65535)");
	{
		struct cfg *cfg = parse_ok(BASE "  server:\n    whois: {port: 65535}\n    http: {port: 1}\n");
		if (cfg) {
			CHECK_INT(cfg->whois.port, 65535);
			CHECK_INT(cfg->http.port, 1);
			cfg_free(cfg);
		}
	}
	/* YAML 1.1 integer forms. */
	{
		struct cfg *cfg = parse_ok(BASE "  server:\n    whois: {port: 8_043}\n    http: {port: 0x1f90}\n");
		if (cfg) {
			CHECK_INT(cfg->whois.port, 8043);
			CHECK_INT(cfg->http.port, 8080);
			cfg_free(cfg);
		}
	}
}

static void test_access_lists_config(void)
{
	EXPECT_ERR(BASE "  access_lists:\n    local: ['127.0.0.0/8', '10.0.0.1/8']\n",
	    "irrd.access_lists.local: '10.0.0.1/8' is not a valid IP address or prefix");
	EXPECT_ERR(BASE "  access_lists:\n    local: ['300.0.0.0/8']\n",
	    "irrd.access_lists.local: '300.0.0.0/8' is not a valid IP address or prefix");
	EXPECT_ERR(BASE "  access_lists:\n    local: ['::/129', '10.0.0.0/33', '10.0.0.0/', 'a/8', 10]\n",
	    "irrd.access_lists.local: '::/129' is not a valid IP address or prefix\n"
	    "irrd.access_lists.local: '10.0.0.0/33' is not a valid IP address or prefix\n"
	    "irrd.access_lists.local: '10.0.0.0/' is not a valid IP address or prefix\n"
	    "irrd.access_lists.local: 'a/8' is not a valid IP address or prefix\n"
	    "irrd.access_lists.local: '10' is not a valid IP address or prefix");
	EXPECT_ERR(BASE "  server:\n    whois: {access_list: nowhere}\n",
	    "irrd.server.whois.access_list: access list 'nowhere' is not defined");
	EXPECT_ERR(BASE "  server:\n    http: {status_access_list: nowhere}\n",
	    "irrd.server.http.status_access_list: access list 'nowhere' is not defined");
	EXPECT_ERR(BASE "  server:\n    http: {event_stream_access_list: nowhere}\n",
	    "irrd.server.http.event_stream_access_list: access list 'nowhere' is not defined");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {nrtm_access_list: nowhere, nrtm_access_list_unfiltered: gone}\n",
	    "irrd.sources.TEST.nrtm_access_list: access list 'nowhere' is not defined\n"
	    "irrd.sources.TEST.nrtm_access_list_unfiltered: access list 'gone' is not defined");
	EXPECT_OK(BASE "  access_lists:\n    empty: []\n    nulled:\n  server:\n    whois: {access_list: nulled}\n");
}

static void test_access_allowed(void)
{
	struct cfg *cfg = parse_ok(BASE "  access_lists:\n"
	    "    local: ['127.0.0.0/8', '::1/128']\n"
	    "    host: ['192.0.2.7', '2001:db8::7']\n"
	    "    wide: ['0.0.0.0/0']\n"
	    "    v6: ['2001:db8::/32']\n"
	    "    odd: ['192.0.2.128/25']\n"
	    "    empty: []\n");
	struct ip_addr a;

	if (cfg == NULL)
		return;
#define ALLOWED(list, text) (parse_addr(text, &a) == 0 && cfg_access_allowed(cfg, list, &a))
	CHECK(ALLOWED("local", "127.0.0.1"));
	CHECK(ALLOWED("local", "127.255.255.255"));
	CHECK(!ALLOWED("local", "128.0.0.1"));
	CHECK(ALLOWED("local", "::1"));
	CHECK(!ALLOWED("local", "::2"));
	CHECK(ALLOWED("local", "::ffff:127.0.0.1"));	/* IPv4-mapped matches IPv4 entries */
	CHECK(!ALLOWED("local", "::ffff:10.0.0.1"));
	CHECK(!ALLOWED("local", "::127.0.0.1"));	/* IPv4-compatible is not mapped */
	CHECK(ALLOWED("host", "192.0.2.7"));
	CHECK(!ALLOWED("host", "192.0.2.8"));
	CHECK(ALLOWED("host", "::ffff:192.0.2.7"));
	CHECK(ALLOWED("host", "2001:db8::7"));
	CHECK(!ALLOWED("host", "2001:db8::8"));
	CHECK(ALLOWED("wide", "203.0.113.9"));
	CHECK(ALLOWED("wide", "::ffff:203.0.113.9"));
	CHECK(!ALLOWED("wide", "2001:db8::1"));
	CHECK(ALLOWED("v6", "2001:db8:ffff::1"));
	CHECK(!ALLOWED("v6", "2001:db9::1"));
	CHECK(!ALLOWED("v6", "32.1.13.184"));	/* same leading bytes, other family */
	CHECK(ALLOWED("odd", "192.0.2.200"));
	CHECK(!ALLOWED("odd", "192.0.2.127"));
	CHECK(!ALLOWED("empty", "127.0.0.1"));
	CHECK(!ALLOWED("unknown", "127.0.0.1"));	/* an unknown list allows no one */
	CHECK(ALLOWED(NULL, "192.0.2.1"));		/* no list allows everyone */
	CHECK(ALLOWED(NULL, "2001:db8::1"));
	CHECK(cfg_access_list_find(cfg, "host") == &cfg->access_lists[1]);
	CHECK(cfg_access_list_find(cfg, "HOST") == NULL);
#undef ALLOWED
	cfg_free(cfg);
}

static void test_database_url(void)
{
	EXPECT_ERR("irrd:\n  piddir: /tmp\n", "irrd.database_url: required setting is missing");
	EXPECT_ERR("irrd:\n  database_url: ''\n", "irrd.database_url: required setting is missing");
	EXPECT_ERR("irrd:\n  database_url:\n", "irrd.database_url: required setting is missing");
}

static void test_source_names(void)
{
	static const char *const bad[] = { "test", "T", "TEST-", "1TEST", "-TEST", "TE_ST", "TEsT", "TE ST" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *text = xasprintf(NORPKI "  sources:\n    '%s': {}\n", bad[i]);
		char *want = xasprintf("irrd.sources.%s: invalid source name (upper case letters, digits and "
		    "dashes, starting with a letter and ending with a letter or digit)", bad[i]);
		EXPECT_ERR(text, want);
		free(text);
		free(want);
	}
	EXPECT_OK(NORPKI "  sources:\n    AB: {}\n    A-1: {}\n    NTTCOM: {}\n    RIPE-NONAUTH: {}\n    X9: {}\n");
}

static void test_rpki_source_name(void)
{
	EXPECT_ERR(BASE "  sources:\n    RPKI: {}\n",
	    "irrd.sources.RPKI: RPKI is a reserved source name in RPKI-aware mode");
	EXPECT_ERR(BASE "  rpki: {roa_source: 'https://example.net/roas.json'}\n  sources:\n    RPKI: {}\n",
	    "irrd.sources.RPKI: RPKI is a reserved source name in RPKI-aware mode");
	EXPECT_OK(NORPKI "  sources:\n    RPKI: {}\n");
}

#define NOTIFY_MSG "irrd.rpki.notify_invalid_enabled: RPKI-aware mode is enabled and authoritative sources " \
	"are configured, but rpki.notify_invalid_enabled is not set. Set to true or false.DANGER: care is " \
	"required with this setting in testing setups with live data, as it may send bulk emails to real " \
	"resource contacts unless email.recipient_override is also set. Read documentation carefully."

static void test_notify_invalid(void)
{
	/* RPKI-aware mode by default + an authoritative source: must be explicit. */
	EXPECT_ERR(BASE "  sources:\n    TEST: {authoritative: true}\n", NOTIFY_MSG);
	EXPECT_ERR(BASE "  rpki: {roa_source: 'file:///r.json'}\n  sources:\n    TEST: {authoritative: true}\n",
	    NOTIFY_MSG);
	/* null is not "set", as IRRd (config.get() is None) */
	EXPECT_ERR(BASE "  rpki: {notify_invalid_enabled: null}\n  sources:\n    TEST: {authoritative: true}\n",
	    NOTIFY_MSG);
	EXPECT_ERR(BASE "  rpki:\n    validator: {enabled: true, tal_dir: /t, cache_dir: /c}\n"
	    "  sources:\n    TEST: {authoritative: true}\n", NOTIFY_MSG);
	EXPECT_OK(BASE "  rpki: {notify_invalid_enabled: false}\n  sources:\n    TEST: {authoritative: true}\n");
	EXPECT_OK(BASE "  rpki: {notify_invalid_enabled: true}\n  sources:\n    TEST: {authoritative: true}\n");
	EXPECT_OK(NORPKI "  sources:\n    TEST: {authoritative: true}\n");
	EXPECT_OK(BASE "  sources:\n    TEST: {authoritative: false}\n");
}

static void test_sources_default(void)
{
	EXPECT_ERR(NORPKI "  sources_default: [TEST, NOPE]\n  sources:\n    TEST: {}\n",
	    "irrd.sources_default: unknown source 'NOPE'");
	EXPECT_ERR(NORPKI "  sources_default: [TEST, RPKI]\n  sources:\n    TEST: {}\n",
	    "irrd.sources_default: unknown source 'RPKI'");
	EXPECT_ERR(NORPKI "  sources_default: [test]\n  sources:\n    TEST: {}\n",
	    "irrd.sources_default: unknown source 'test'");
	EXPECT_OK(BASE "  sources_default: [TEST, RPKI]\n  sources:\n    TEST: {}\n");
	EXPECT_OK(BASE "  rpki:\n    roa_source: null\n    validator: {enabled: true, tal_dir: /t, cache_dir: /c}\n"
	    "  sources_default: [RPKI]\n");
	EXPECT_OK(NORPKI "  sources_default: [ALIAS]\n  source_aliases: {ALIAS: [TEST]}\n  sources:\n    TEST: {}\n");
}

static void test_source_aliases(void)
{
	EXPECT_ERR(NORPKI "  source_aliases: {alias: [TEST]}\n  sources:\n    TEST: {}\n",
	    "irrd.source_aliases.alias: invalid source alias name");
	EXPECT_ERR(NORPKI "  source_aliases: {TEST: [TEST]}\n  sources:\n    TEST: {}\n",
	    "irrd.source_aliases.TEST: conflicts with a configured source");
	EXPECT_ERR(NORPKI "  source_aliases: {ALIAS: [TEST, RPKI]}\n  sources:\n    TEST: {}\n",
	    "irrd.source_aliases.ALIAS: unknown source 'RPKI'");
	EXPECT_OK(BASE "  source_aliases: {ALIAS: [TEST, RPKI]}\n  sources:\n    TEST: {}\n");
}

static void test_source_rules(void)
{
	EXPECT_ERR(NORPKI "  sources:\n    MIRROR: {nrtm_host: rr.example.net, import_source: 'ftp://x/y.gz'}\n",
	    "irrd.sources.MIRROR.nrtm_host: can not be set without import_serial_source");
	EXPECT_OK(NORPKI "  sources:\n    MIRROR: {nrtm_host: rr.example.net, import_serial_source: 'ftp://x/S'}\n");
	EXPECT_ERR(NORPKI "  sources:\n    MIRROR: {keep_journal: true, import_source: 'ftp://x/y.gz'}\n",
	    "irrd.sources.MIRROR.keep_journal: can not be enabled unless authoritative is enabled, or nrtm_host "
	    "and import_serial_source are set, or nrtm4_client_notification_file_url is set");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {authoritative: true, import_source: 'ftp://x/y.gz'}\n",
	    "irrd.sources.TEST.authoritative: can not be enabled when nrtm_host, import_source or "
	    "nrtm4_client_notification_file_url is set");
	EXPECT_ERR(NORPKI "  sources:\n    TEST: {suspension_enabled: true}\n",
	    "irrd.sources.TEST.suspension_enabled: can not be enabled without authoritative");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {import_timer: 14}\n",
	    "irrd.sources.MI.import_timer: 14 is less than the minimum of 15");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {export_timer: 0}\n",
	    "irrd.sources.MI.export_timer: 0 is less than the minimum of 15");
	EXPECT_ERR(BASE "  rpki: {roa_import_timer: 10}\n",
	    "irrd.rpki.roa_import_timer: 10 is less than the minimum of 15");
	EXPECT_ERR(BASE "  rpki: {roa_import_timer: '10'}\n",
	    "irrd.rpki.roa_import_timer: 10 is less than the minimum of 15");
	EXPECT_OK(BASE "  rpki: {roa_import_timer: 15}\n  sources:\n    MI: {import_timer: 15, export_timer: 15}\n");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {import_source: 'gopher://x/y'}\n",
	    "irrd.sources.MI.import_source: 'gopher://x/y' is not an http(s), ftp or file URL");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {import_source: ['ftp://x/a', '/local/path'], "
	    "import_serial_source: 'x'}\n",
	    "irrd.sources.MI.import_source: '/local/path' is not an http(s), ftp or file URL\n"
	    "irrd.sources.MI.import_serial_source: 'x' is not an http(s), ftp or file URL");
	EXPECT_ERR(NORPKI "  readonly_standby: true\n  sources:\n    MI: {export_destination: /x}\n",
	    "irrd.sources.MI: can not be authoritative, import, export or use NRTMv4 when readonly_standby "
	    "is enabled");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {nrtm4_client_notification_file_url: 'http://x/y'}\n",
	    "irrd.sources.MI.nrtm4_client_notification_file_url: not a valid https or file URL\n"
	    "irrd.sources.MI.nrtm4_client_notification_file_url: must be set together with "
	    "nrtm4_client_initial_public_key");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {nrtm4_server_local_path: /x, keep_journal: true, authoritative: true}\n",
	    "irrd.sources.MI: nrtm4_server_private_key and nrtm4_server_local_path must both be set for an "
	    "NRTMv4 server");
	EXPECT_ERR(NORPKI "  sources:\n    MI: {nrtm4_server_snapshot_frequency: 60}\n",
	    "irrd.sources.MI.nrtm4_server_snapshot_frequency: 60 is not between 3600 and 86400");
	{
		struct cfg *cfg = parse_ok(NORPKI "  sources:\n    MI: {import_source: 'ftp://x/a.gz', "
		    "object_class_filter: Route6}\n");
		if (cfg) {
			CHECK_STR(cfg->sources[0].import_source, "ftp://x/a.gz");
			CHECK_INT(cfg->sources[0].nimport_sources, 1);
			CHECK_INT(cfg->sources[0].nobject_class_filter, 1);
			CHECK_STR(cfg->sources[0].object_class_filter[0], "route6");
			cfg_free(cfg);
		}
	}
}

static void test_validator(void)
{
	struct cfg *cfg;

	EXPECT_ERR(BASE "  rpki:\n    roa_source: 'https://example.net/roas.json'\n"
	    "    validator: {enabled: true, tal_dir: /t, cache_dir: /c}\n",
	    "irrd.rpki.roa_source: must be unset or null when rpki.validator.enabled is true");
	EXPECT_ERR(BASE "  rpki:\n    validator: {enabled: true}\n",
	    "irrd.rpki.validator.tal_dir: required when rpki.validator.enabled is true\n"
	    "irrd.rpki.validator.cache_dir: required when rpki.validator.enabled is true");
	EXPECT_ERR(BASE "  rpki:\n    validator: {interval: 59}\n",
	    "irrd.rpki.validator.interval: 59 is not between 60 and 604800");
	/* roa_source unset: the default URL gives way to the validator. */
	cfg = parse_ok(BASE "  rpki:\n    validator: {enabled: true, tal_dir: /t, cache_dir: /c, interval: 900}\n");
	if (cfg) {
		CHECK(cfg->rpki_enabled);
		CHECK(cfg->roa_source == NULL);
		CHECK(cfg->validator.enabled);
		CHECK_INT(cfg->validator.interval, 900);
		cfg_free(cfg);
	}
	/* the validator's limits: positive integers, sizes beyond 32 bits */
	cfg = parse_ok(BASE "  rpki:\n    validator: {enabled: true, tal_dir: /t, cache_dir: /c,\n"
	    "      max_repo_size: 17179869184, max_repo_files: 300, child_timeout: 120}\n");
	if (cfg) {
		CHECK(cfg->validator.max_repo_size == 17179869184LL);
		CHECK(cfg->validator.max_repo_files == 300);
		CHECK_INT(cfg->validator.child_timeout, 120);
		cfg_free(cfg);
	}
	cfg = parse_ok(BASE "  rpki:\n    validator: {max_repo_size: '1000', max_repo_files: null}\n");
	if (cfg) {
		CHECK(cfg->validator.max_repo_size == 1000);
		CHECK(cfg->validator.max_repo_files == 2000000);
		CHECK_INT(cfg->validator.child_timeout, 3600);
		cfg_free(cfg);
	}
	EXPECT_ERR(BASE "  rpki:\n    validator: {max_repo_size: 0}\n",
	    "irrd.rpki.validator.max_repo_size: 0 is less than the minimum of 1");
	EXPECT_ERR(BASE "  rpki:\n    validator: {max_repo_files: -5}\n",
	    "irrd.rpki.validator.max_repo_files: -5 is less than the minimum of 1");
	EXPECT_ERR(BASE "  rpki:\n    validator: {max_repo_size: 4GB}\n",
	    "irrd.rpki.validator.max_repo_size: integer expected");
	EXPECT_ERR(BASE "  rpki:\n    validator: {child_timeout: 0}\n",
	    "irrd.rpki.validator.child_timeout: 0 is less than the minimum of 1");
	EXPECT_ERR(BASE "  rpki:\n    validator: {child_timeout: 2.5}\n",
	    "irrd.rpki.validator.child_timeout: integer expected");
	cfg = parse_ok(NORPKI);
	if (cfg) {
		CHECK(!cfg->rpki_enabled);
		CHECK(cfg->roa_source == NULL);
		CHECK(cfg->roa_source_set);
		cfg_free(cfg);
	}
	EXPECT_ERR(BASE "  rpki: {roa_source: '/var/roas.json'}\n",
	    "irrd.rpki.roa_source: '/var/roas.json' is not an http(s), ftp or file URL");
	EXPECT_ERR(BASE "  rpki: {slurm_source: 'slurm.json'}\n",
	    "irrd.rpki.slurm_source: 'slurm.json' is not an http(s), ftp or file URL");
}

static void test_auth(void)
{
	struct cfg *cfg;

	EXPECT_ERR(BASE "  auth:\n    password_hashers: {md5-pw: maybe}\n",
	    "irrd.auth.password_hashers.md5-pw: 'maybe' is not one of enabled, legacy, disabled");
	EXPECT_ERR(BASE "  auth:\n    password_hashers: {md5-pw: true}\n",
	    "irrd.auth.password_hashers.md5-pw: string expected");
	EXPECT_ERR(BASE "  auth:\n    set_creation: {COMMON: {autnum_authentication: always}}\n",
	    "irrd.auth.set_creation.COMMON.autnum_authentication: 'always' is not one of disabled, "
	    "opportunistic, required");
	EXPECT_ERR(BASE "  auth:\n    set_creation: {COMMON: {prefix_required: 'no'}}\n",
	    "irrd.auth.set_creation.COMMON.prefix_required: boolean expected");
	EXPECT_ERR(BASE "  auth:\n    irrd_internal_migration_enabled: 'x'\n",
	    "irrd.auth.irrd_internal_migration_enabled: boolean expected");
	cfg = parse_ok(BASE "  auth:\n    password_hashers: {md5-pw: Legacy, bcrypt-pw: DISABLED}\n");
	if (cfg) {
		CHECK_INT(cfg->password_hashers[CFG_HASH_MD5], CFG_HASHER_LEGACY);
		CHECK_INT(cfg->password_hashers[CFG_HASH_CRYPT], CFG_HASHER_LEGACY);	/* default kept */
		CHECK_INT(cfg->password_hashers[CFG_HASH_BCRYPT], CFG_HASHER_DISABLED);
		cfg_free(cfg);
	}
}

static void test_misc_checks(void)
{
	EXPECT_ERR(BASE "  email: {from: irrd.example.net}\n", "irrd.email.from: must be an email address");
	EXPECT_ERR(BASE "  email: {recipient_override: nobody}\n",
	    "irrd.email.recipient_override: must be an email address");
	EXPECT_ERR(BASE "  server:\n    http: {url: 'irrd.example.net'}\n",
	    "irrd.server.http.url: must be a URL with a scheme and a host");
	EXPECT_ERR(BASE "  user: irrd\n", "irrd.group: required when irrd.user is set");
	EXPECT_ERR(BASE "  group: irrd\n", "irrd.user: required when irrd.group is set");
	EXPECT_ERR(BASE "  download_timeout: soon\n", "irrd.download_timeout: integer expected");
	EXPECT_ERR(BASE "  route_object_preference: {update_timer: -5}\n",
	    "irrd.route_object_preference.update_timer: -5 is less than the minimum of 0");
	EXPECT_ERR(BASE "  scopefilter:\n    prefixes: ['10.0.0.0/8', '10.0.0.1/8']\n    asns: [1, '2-1', 'AS3', 4294967296]\n",
	    "irrd.scopefilter.prefixes: '10.0.0.1/8' is not a valid prefix\n"
	    "irrd.scopefilter.asns: '2-1' is not an AS number or range\n"
	    "irrd.scopefilter.asns: 'AS3' is not an AS number or range\n"
	    "irrd.scopefilter.asns: '4294967296' is not an AS number or range");
}

static void test_log(void)
{
	EXPECT_ERR(BASE "  log: {level: debug}\n",
	    "irrd.log.level: 'debug' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
	EXPECT_ERR(BASE "  log: {level: TRACE}\n",
	    "irrd.log.level: 'TRACE' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
	EXPECT_ERR(BASE "  log: {level: INFO, logging_config_path: /etc/irrd/log.py}\n",
	    "irrd.log.logging_config_path: can not be combined with log.logfile_path or log.level");
	EXPECT_ERR(BASE "  log: {logfile_path: /x.log, logging_config_path: /etc/irrd/log.py}\n",
	    "irrd.log.logging_config_path: can not be combined with log.logfile_path or log.level");
	{
		struct cfg *cfg = parse_ok(BASE "  log: {logging_config_path: /etc/irrd/log.py}\n");
		if (cfg) {
			CHECK_STR(cfg->log_logging_config_path, "/etc/irrd/log.py");
			CHECK_STR(cfg->log_level, "INFO");
			cfg_free(cfg);
		}
	}
	{
		static const char *const lv[] = { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" };
		for (size_t i = 0; i < 5; i++) {
			char *text = xasprintf(BASE "  log: {level: %s}\n", lv[i]);
			struct cfg *cfg = parse_ok(text);
			if (cfg) {
				CHECK_STR(cfg->log_level, lv[i]);
				CHECK_INT(log_level_parse(cfg->log_level), (int)i);
				cfg_free(cfg);
			}
			free(text);
		}
	}
}

static void test_collect_all(void)
{
	/* Several problems: all are reported, not just the first. */
	EXPECT_ERR("irrd:\n  server:\n    whois: {port: 0, prot: 1}\n    http: {interface: x}\n"
	    "  sources_default: [NOPE]\n",
	    "irrd.server.whois.port: 0 is not a valid port (1-65535)\n"
	    "irrd.server.whois.prot: unknown setting\n"
	    "irrd.server.http.interface: 'x' is not an IP address\n"
	    "irrd.database_url: required setting is missing\n"
	    "irrd.sources_default: unknown source 'NOPE'");
}

static void test_root(void)
{
	const char *want = "irrd: not found (the file must be a mapping with all settings under the key 'irrd')";
	EXPECT_ERR("", want);
	EXPECT_ERR("# only a comment\n", want);
	EXPECT_ERR("- irrd\n", want);
	EXPECT_ERR("irrdd:\n  database_url: x\n", want);
	EXPECT_ERR("just a string\n", want);
	EXPECT_ERR("irrd: 5\n", "irrd: mapping expected");
	EXPECT_ERR("irrd: [database_url]\n", "irrd: mapping expected");
	EXPECT_ERR("irrd:\n", "irrd: mapping expected");
}

static void test_yaml(void)
{
	struct cfg *cfg;

	/* Syntax errors give line and column. */
	EXPECT_ERR(BASE "  server: {whois: {port: 43}\n",
	    "line 4, column 1: did not find expected ',' or '}' (while parsing a flow mapping, line 3, column 11)");
	EXPECT_ERR("irrd:\n  database_url: 'x\n",
	    "line 3, column 1: found unexpected end of stream (while scanning a quoted scalar, line 2, column 17)");
	EXPECT_ERR("irrd:\n\tdatabase_url: x\n",
	    "line 2, column 1: found character that cannot start any token (while scanning for the next token, "
	    "line 2, column 1)");
	EXPECT_ERR(BASE "---\nirrd: {}\n", "line 3, column 1: expected a single document, found another");
	EXPECT_ERR(BASE "  server: *nothing\n", "line 3, column 11: undefined alias 'nothing'");
	EXPECT_ERR(BASE "  server: !custom {}\n", "line 3, column 11: unsupported tag '!custom'");
	EXPECT_ERR(BASE "  database_url2: !!int abc\n", "line 3, column 18: 'abc' is not an integer");
	/* Duplicate keys, at any level, with their lines. */
	EXPECT_ERR(BASE "  server:\n    whois:\n      port: 43\n      port: 44\n",
	    "irrd.server.whois.port: duplicate key (lines 5 and 6)");
	EXPECT_ERR(BASE "  database_url: y\n", "irrd.database_url: duplicate key (lines 2 and 3)");
	EXPECT_ERR(BASE "irrd: {}\n", "irrd: duplicate key (lines 1 and 3)");
	EXPECT_ERR(BASE "  access_lists:\n    a: [{x: 1, x: 2}]\n",
	    "irrd.access_lists.a[0].x: duplicate key (lines 4 and 4)\n"
	    "irrd.access_lists.a: a mapping is not a valid IP address or prefix");
	/* Too deep. */
	{
		char *deep = xmalloc(200 + 2 * 100000);
		size_t n = (size_t)sprintf(deep, BASE "  x: ");
		for (int i = 0; i < 100000; i++)
			deep[n++] = '[';
		deep[n] = '\0';
		char *e = errs_of(deep);
		CHECK(e != NULL && strstr(e, "nested deeper than 64 levels") != NULL);
		free(e);
		free(deep);
	}
	/* Anchors, aliases and merge keys (as PyYAML's safe loader). */
	cfg = parse_ok("common: &mirror\n  import_timer: 600\n  keep_journal: true\n"
	    "  import_serial_source: 'ftp://x/S'\n  nrtm_host: rr.example.net\n"
	    "lists: &local ['127.0.0.1']\n"
	    NORPKI "  access_lists: {local: *local, other: *local}\n"
	    "  sources:\n    ONE:\n      <<: *mirror\n      import_source: 'ftp://x/one.gz'\n"
	    "    TWO:\n      <<: [*mirror, {nrtm_port: 4444, import_timer: 1}]\n      import_timer: 900\n");
	if (cfg) {
		const struct cfg_source *one = cfg_source_find(cfg, "ONE"), *two = cfg_source_find(cfg, "TWO");
		CHECK(one && two);
		if (one && two) {
			CHECK_INT(one->import_timer, 600);
			CHECK(one->keep_journal);
			CHECK_STR(one->nrtm_host, "rr.example.net");
			CHECK_STR(one->import_source, "ftp://x/one.gz");
			CHECK_INT(two->import_timer, 900);	/* explicit wins over merged */
			CHECK_INT(two->nrtm_port, 4444);
			CHECK(two->keep_journal);
		}
		CHECK_INT(cfg->naccess_lists, 2);
		CHECK_INT(cfg->access_lists[1].nprefixes, 1);
		cfg_free(cfg);
	}
	/* An anchor is not visible inside its own node: no cycles. */
	EXPECT_ERR(BASE "x: &loop [1, *loop]\n", "line 3, column 14: undefined alias 'loop'");
	/* Merge keys that would copy without bound are refused. */
	{
		size_t cap = 64 * 1024, n = 0;
		char *t = xmalloc(cap);
		n += (size_t)sprintf(t + n, "base: &a {");
		for (int i = 0; i < 1000; i++)
			n += (size_t)sprintf(t + n, "k%d: 1, ", i);
		n += (size_t)sprintf(t + n, "}\nbig: {<<: [");
		for (int i = 0; i < 1100; i++)
			n += (size_t)sprintf(t + n, "*a, ");
		n += (size_t)sprintf(t + n, "]}\n" BASE);
		char *e = errs_of(t);
		CHECK_MSG(e != NULL && strstr(e, "merge keys copy more than 1048576 pairs") != NULL, "got %s", e);
		free(e);
		free(t);
	}
	EXPECT_ERR(NORPKI "  sources:\n    ONE:\n      <<: 5\n",
	    "line 6, column 11: a merge key (<<) needs a mapping or a list of mappings");
	/* Quoting decides the type, as PyYAML. */
	cfg = parse_ok(BASE "  email: {from: 'yes@example.net', footer: 'yes', smtp: \"123\"}\n"
	    "  piddir: !!str 5\n  auth: {gnupg_keyring: null_dir}\n");
	if (cfg) {
		CHECK_STR(cfg->email_footer, "yes");
		CHECK_STR(cfg->email_smtp, "123");
		CHECK_STR(cfg->piddir, "5");
		CHECK_STR(cfg->gnupg_keyring, "null_dir");
		cfg_free(cfg);
	}
	EXPECT_ERR(BASE "  email: {footer: 12}\n", "irrd.email.footer: string expected");
	EXPECT_ERR(BASE "  email: {footer: 1.5}\n", "irrd.email.footer: string expected");
	EXPECT_ERR(BASE "  email: {footer: .inf}\n", "irrd.email.footer: string expected");
	/* A BOM and CRLF line ends are fine. */
	EXPECT_OK("\xef\xbb\xbfirrd:\r\n  database_url: 'postgresql:///irrd'\r\n");
}

/* Golden files: bad_*.yaml -> bad_*.err. */
static void test_golden(void)
{
	static const char *const names[] = { "bad_many", "bad_syntax", "bad_duplicate", "bad_indent",
		"bad_utf8", "bad_root" };
	bool update = getenv("CONF_TEST_UPDATE") != NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *yaml = xasprintf("%s/conf/%s.yaml", test_data_dir(), names[i]);
		char *errpath = xasprintf("%s/conf/%s.err", test_data_dir(), names[i]);
		char *errs = NULL, *want;
		struct cfg *cfg = cfg_load(yaml, &errs);

		CHECK_MSG(cfg == NULL, "%s loaded", yaml);
		cfg_free(cfg);
		if (update && errs) {
			FILE *f = fopen(errpath, "w");
			if (f) {
				fprintf(f, "%s\n", errs);
				fclose(f);
			}
		}
		want = test_slurp(errpath, NULL);
		CHECK_MSG(want != NULL, "%s missing", errpath);
		if (want && errs) {
			size_t n = strlen(want);
			if (n > 0 && want[n - 1] == '\n')
				want[n - 1] = '\0';
			CHECK_STR(errs, want);
		}
		free(want);
		free(errs);
		free(yaml);
		free(errpath);
	}
}

/* A reload with a bad file must leave the running config as it was. */
static void test_failed_reload_keeps_old(void)
{
	char *good = path_of("good.yaml"), *bad = path_of("bad_many.yaml"), *errs = NULL;
	struct cfg *live = cfg_load(good, &errs), *next;
	char *url_before, *name_before;
	const char *url_ptr;
	int port_before;
	size_t nsources_before;

	CHECK(live != NULL);
	free(errs);
	errs = NULL;
	if (live == NULL)
		goto out;
	url_ptr = live->database_url;
	url_before = xstrdup(live->database_url);
	name_before = xstrdup(live->sources[0].name);
	port_before = live->whois.port;
	nsources_before = live->nsources;

	next = cfg_load(bad, &errs);
	CHECK(next == NULL);
	CHECK(errs != NULL && strlen(errs) > 0);
	if (next != NULL) {
		cfg_free(live);
		live = next;
	}
	/* The daemon's pattern: swap only on success. Nothing of the live one changed. */
	CHECK(live->database_url == url_ptr);
	CHECK_STR(live->database_url, url_before);
	CHECK_STR(live->sources[0].name, name_before);
	CHECK_INT(live->whois.port, port_before);
	CHECK_INT(live->nsources, nsources_before);
	CHECK(cfg_source_find(live, "MIRROR") != NULL);
	CHECK(cfg_access_list_find(live, "local") != NULL);
	free(url_before);
	free(name_before);
	free(errs);
	errs = NULL;

	/* And a good reload replaces it whole. */
	next = cfg_parse(BASE "  server:\n    whois: {port: 4343}\n", strlen(BASE) + 34, "new.yaml", &errs);
	CHECK(next != NULL);
	if (next) {
		CHECK_INT(next->whois.port, 4343);
		cfg_free(live);
		live = next;
	}
	free(errs);
	cfg_free(live);
out:
	free(good);
	free(bad);
}

static void test_load_errors(void)
{
	char *errs = NULL;
	struct cfg *cfg = cfg_load("/nonexistent/irrd.yaml", &errs);
	CHECK(cfg == NULL);
	CHECK_STR(errs, "cannot open: No such file or directory");
	free(errs);
	errs = NULL;
	cfg = cfg_load(test_data_dir(), &errs);
	CHECK(cfg == NULL);
	CHECK_STR(errs, "cannot read: Is a directory");
	free(errs);
	/* errs may be NULL */
	CHECK(cfg_load("/nonexistent/irrd.yaml", NULL) == NULL);
	CHECK(cfg_parse("irrd: 5\n", 8, "x", NULL) == NULL);
}

/* cfg_load_or_exit prints "PROGRAM: FILE: KEY: problem" and exits 1. */
static void test_load_or_exit(void)
{
	int fds[2], status = 0;
	pid_t pid;
	char buf[4096];
	ssize_t n;
	size_t got = 0;
	char *bad = path_of("bad_many.yaml"), *good = path_of("good.yaml"), *want;

	if (pipe(fds) < 0) {
		CHECK(0);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		log_init("/usr/bin/conf_test");
		cfg_load_or_exit(bad);
		_exit(0);	/* not reached on a bad file */
	}
	close(fds[1]);
	while (got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	want = xasprintf("conf_test: %s: irrd.access_lists.local: '10.0.0.1/8' is not a valid IP address "
	    "or prefix\n", bad);
	CHECK_MSG(strncmp(buf, want, strlen(want)) == 0, "got: %s", buf);
	free(want);
	want = xasprintf("conf_test: %s: irrd.database_url: required setting is missing\n", bad);
	CHECK_MSG(strstr(buf, want) != NULL, "got: %s", buf);
	free(want);
	/* one line per error, each with the prefix */
	{
		size_t lines = 0, prefixed = 0;
		char *prefix = xasprintf("conf_test: %s: ", bad);
		for (char *l = buf; *l; ) {
			char *nl = strchr(l, '\n');
			lines++;
			if (strncmp(l, prefix, strlen(prefix)) == 0)
				prefixed++;
			if (nl == NULL)
				break;
			l = nl + 1;
		}
		CHECK(lines > 10);
		CHECK_INT(prefixed, lines);
		free(prefix);
	}
	{
		struct cfg *cfg = cfg_load_or_exit(good);
		CHECK(cfg != NULL);
		cfg_free(cfg);
	}
	free(bad);
	free(good);
}

int main(void)
{
	TEST_RUN(test_good_file);
	TEST_RUN(test_irrd_all_keys);
	TEST_RUN(test_defaults);
	TEST_RUN(test_interfaces);
	TEST_RUN(test_rtr);
	TEST_RUN(test_unknown_keys);
	TEST_RUN(test_types);
	TEST_RUN(test_ports);
	TEST_RUN(test_access_lists_config);
	TEST_RUN(test_access_allowed);
	TEST_RUN(test_database_url);
	TEST_RUN(test_source_names);
	TEST_RUN(test_rpki_source_name);
	TEST_RUN(test_notify_invalid);
	TEST_RUN(test_sources_default);
	TEST_RUN(test_source_aliases);
	TEST_RUN(test_source_rules);
	TEST_RUN(test_validator);
	TEST_RUN(test_auth);
	TEST_RUN(test_misc_checks);
	TEST_RUN(test_log);
	TEST_RUN(test_collect_all);
	TEST_RUN(test_root);
	TEST_RUN(test_yaml);
	TEST_RUN(test_golden);
	TEST_RUN(test_failed_reload_keeps_old);
	TEST_RUN(test_load_errors);
	TEST_RUN(test_load_or_exit);
	return test_summary("conf_test");
}
