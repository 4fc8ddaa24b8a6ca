/*
 * mirror.c - the mirror client (nrtm_mirror_run, nrtm_mirror_apply,
 * nrtm_fetch) and its scheduler thread (nrtm_mirrors_*), after IRRd's
 * RPSLMirrorImportUpdateRunner, RPSLMirrorFullImportRunner,
 * NRTMImportUpdateStreamRunner and NRTMOperation.
 */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nrtm/nrtm.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "sql/change.h"
#include "sql/sql.h"

/* Validation against the ROA set, under the scheduler's lock if any. */
struct roa_ref {
	pthread_mutex_t *mu;
	const struct roa_set *const *set;
};

static enum rpki_state roa_state(const struct roa_ref *r, const struct ip_prefix *p, uint32_t origin)
{
	enum rpki_state st = RPKI_NOT_FOUND;

	if (r == NULL)
		return st;
	if (r->mu)
		pthread_mutex_lock(r->mu);
	if (*r->set != NULL)
		st = roa_validate(*r->set, p, origin);
	if (r->mu)
		pthread_mutex_unlock(r->mu);
	return st;
}

/* ---- fetching ---- */

struct membuf {
	char *d;
	size_t len, cap;
};

static size_t mem_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct membuf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->d = xrealloc(b->d, b->cap);
	}
	memcpy(b->d + b->len, ptr, n);
	b->len += n;
	b->d[b->len] = '\0';
	return n;
}

int nrtm_fetch(const char *url, char **path, char **buf, size_t *len, long timeout, char **err)
{
	CURL *cu = curl_easy_init();
	struct membuf mb = { 0 };
	FILE *f = NULL;
	char *tmp = NULL;
	CURLcode rc;
	long code = 0;
	char ebuf[CURL_ERROR_SIZE] = "";

	*err = NULL;
	if (cu == NULL) {
		*err = xasprintf("%s: cannot initialise libcurl", url);
		return -1;
	}
	if (path != NULL) {
		const char *td = getenv("TMPDIR");
		int fd;

		tmp = xasprintf("%s/irrd-import-XXXXXX", td && *td ? td : "/tmp");
		fd = mkstemp(tmp);
		if (fd < 0 || (f = fdopen(fd, "wb")) == NULL) {
			*err = xasprintf("%s: cannot create a temporary file %s: %s", url, tmp, strerror(errno));
			if (fd >= 0)
				close(fd);
			free(tmp);
			curl_easy_cleanup(cu);
			return -1;
		}
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, f);
	} else {
		curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, mem_write);
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, &mb);
	}
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(cu, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "file,http,https,ftp");
	if (timeout > 0)
		curl_easy_setopt(cu, CURLOPT_TIMEOUT, timeout);
	rc = curl_easy_perform(cu);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(cu);
	if (f != NULL && fclose(f) != 0 && rc == CURLE_OK) {
		*err = xasprintf("%s: cannot write %s: %s", url, tmp, strerror(errno));
		goto fail;
	}
	if (rc != CURLE_OK) {
		*err = xasprintf("%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
		goto fail;
	}
	if (code >= 400 && strncasecmp(url, "http", 4) == 0) {
		*err = xasprintf("%s: HTTP status %ld", url, code);
		goto fail;
	}
	if (path != NULL)
		*path = tmp;
	else {
		if (mb.d == NULL)
			mb.d = xstrdup("");
		*buf = mb.d;
		*len = mb.len;
	}
	return 0;
fail:
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(mb.d);
	return -1;
}

/* ---- the NRTM query ---- */

/* Set by the scheduler's worker: a stop request ends a pending NRTM read. */
static __thread const bool *tls_stop;

static bool ends_response(const char *d, size_t len, const char *source)
{
	char end1[160], end2[160];
	static const char *const marks[] = { "\n%ERROR", "\n% ERROR",
		"\n% Warning: there are no newer updates available",
		"\n% Warning (1): there are no newer updates available" };

	snprintf(end1, sizeof(end1), "\n%%END %s\n", source);
	snprintf(end2, sizeof(end2), "\n%% END %s\n", source);
	if (memmem(d, len, end1, strlen(end1)) || memmem(d, len, end2, strlen(end2)))
		return true;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (memmem(d, len, marks[i], strlen(marks[i])))
			return true;
	/* IRRd's own framing of an error answer */
	return len >= 9 && memcmp(d, "%% ERROR:", 9) == 0 && memmem(d, len, "\n", 1) != NULL;
}

/* Send query to host:port and read until an end marker, EOF or timeout. */
static int whois_query(const char *host, int port, const char *query, const char *source, int timeout,
		       char **out, size_t *outlen, char **err)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char portstr[16];
	struct membuf mb = { 0 };
	int fd = -1, gai;
	size_t sent = 0, qlen = strlen(query);

	*err = NULL;
	snprintf(portstr, sizeof(portstr), "%d", port);
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		*err = xasprintf("%s port %d: %s", host, port, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		*err = xasprintf("%s port %d: cannot connect: %s", host, port, strerror(errno));
		return -1;
	}
	while (sent < qlen) {
		ssize_t n = write(fd, query + sent, qlen - sent);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = xasprintf("%s port %d: write: %s", host, port, strerror(errno));
			close(fd);
			return -1;
		}
		sent += (size_t)n;
	}
	for (int waited = 0;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		char buf[65536];
		ssize_t n;
		int pr = poll(&pfd, 1, 1000);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			if (tls_stop != NULL && __atomic_load_n(tls_stop, __ATOMIC_RELAXED)) {
				*err = xasprintf("%s port %d: stopped while waiting for the answer", host, port);
				close(fd);
				free(mb.d);
				return -1;
			}
			/* IRRd returns what it has on a timeout; the parser decides */
			if (++waited >= timeout)
				break;
			continue;
		}
		waited = 0;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("%s port %d: read: %s", host, port, strerror(errno));
			close(fd);
			free(mb.d);
			return -1;
		}
		if (n == 0)
			break;
		mem_write(buf, 1, (size_t)n, &mb);
		if (ends_response(mb.d, mb.len, source))
			break;
	}
	close(fd);
	if (mb.d == NULL)
		mb.d = xstrdup("");
	*out = mb.d;
	*outlen = mb.len;
	return 0;
}

/* ---- status ---- */

struct mstatus {
	const char *source;
	bool found;
	int64_t newest_mirror;
	bool force_reload, synchronised;
};

static int mstatus_cb(void *arg, const struct sql_source_status *st)
{
	struct mstatus *m = arg;

	if (strcmp(st->source, m->source) != 0)
		return 0;
	m->found = true;
	m->newest_mirror = st->serial_newest_mirror;
	m->force_reload = st->force_reload;
	m->synchronised = st->synchronised_serials;
	return 0;
}

static bool rpki_applies(const struct cfg *cfg, const struct cfg_source *cs)
{
	return cfg->rpki_enabled && !cs->rpki_excluded;
}

/* IRRd's is_serial_synchronised(settings_only=True). */
static bool serials_synchronised_by_settings(const struct cfg *cfg, const struct cfg_source *cs)
{
	return !rpki_applies(cfg, cs) && cs->route_object_preference < 0 &&
	       (cs->scopefilter_excluded || cfg->nscopefilter_prefixes + cfg->nscopefilter_asns == 0) &&
	       cs->nrtm_host != NULL;
}

static bool class_filtered(const struct cfg_source *cs, const char *cls)
{
	if (cs->object_class_filter == NULL)
		return false;
	for (size_t i = 0; i < cs->nobject_class_filter; i++)
		if (strcasecmp(cs->object_class_filter[i], cls) == 0)
			return false;
	return true;
}

static struct rpsl_options parse_options(const struct cfg *cfg)
{
	struct rpsl_options o = rpsl_options_default;

	o.hashers[RPSL_HASHER_MD5_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_MD5];
	o.hashers[RPSL_HASHER_CRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_CRYPT];
	o.hashers[RPSL_HASHER_BCRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_BCRYPT];
	return o;
}

/* ---- applying a stream ---- */

static char *first_word(const char *text, size_t len)
{
	size_t n = 0;

	while (n < len && text[n] != ':' && text[n] != '\n')
		n++;
	return xstrndup(text, n);
}

static int apply_stream(struct sql_conn *c, const struct cfg *cfg, const struct cfg_source *cs,
			const struct nrtm_stream *s, const struct roa_ref *roas, struct nrtm_mirror_result *res,
			char **err)
{
	struct mstatus ms = { .source = cs->name, .newest_mirror = -1 };
	struct rpsl_options popts = parse_options(cfg);
	char **errors = NULL;
	size_t nerrors = 0;
	bool synced, rpki = rpki_applies(cfg, cs);
	long notfound = 0;
	struct sql_change_op *ops = xcalloc(s->nops + 1, sizeof(*ops));
	struct rpsl_object **objs = xcalloc(s->nops + 1, sizeof(*objs));
	char **texts = xcalloc(s->nops + 1, sizeof(*texts));
	size_t nops = 0;
	int rc = -1;

	if (sql_status_foreach(c, mstatus_cb, &ms) < 0)
		goto dberr;
	synced = serials_synchronised_by_settings(cfg, cs) && (!ms.found || ms.synchronised);
	if (sql_begin(c) < 0)
		goto dberr;
	for (size_t i = 0; i < s->nops; i++) {
		const struct nrtm_op *op = &s->ops[i];
		struct rpsl_object *obj = rpsl_parse_ex(op->text, op->len, RPSL_NONSTRICT,
							op->add ? NULL : cs->name, &popts);
		struct sql_change_opts o = { cs->keep_journal, synced ? op->serial : -1, SQL_ORIGIN_MIRROR };
		const char *cls;

		if (obj->cls == RPSL_CLASS_UNKNOWN || obj->cls >= RPSL_CLASS_COUNT) {
			char *w = first_word(op->text, op->len);

			if (!class_filtered(cs, w))
				log_info("%s: ignoring NRTM operation %s/%" PRId64 "/%s: Unknown object class: %s",
					 cs->name, cs->name, op->serial, op->add ? "ADD" : "DEL", w);
			free(w);
			res->ignored++;
			rpsl_object_free(obj);
			continue;
		}
		cls = rpsl_class_name(obj->cls);
		if (class_filtered(cs, cls)) {
			rpsl_object_free(obj);
			res->ignored++;
			continue;
		}
		if (obj->msgs.nerrors > 0 || obj->pk == NULL) {
			char *e = xasprintf("Parsing errors: %s, original object text follows:\n%.*s",
					    obj->msgs.nerrors ? obj->msgs.errors[0] : "no primary key",
					    (int)op->len, op->text);

			log_warnx("%s: NRTM operation %" PRId64 " ignored: %s", cs->name, op->serial,
				  obj->msgs.nerrors ? obj->msgs.errors[0] : "no primary key");
			errors = xrealloc(errors, (nerrors + 1) * sizeof(char *));
			errors[nerrors++] = e;
			res->ignored++;
			rpsl_object_free(obj);
			continue;
		}
		if (obj->source != NULL && strcmp(obj->source, cs->name) != 0) {
			char *e = xasprintf("Incorrect source in NRTM object: stream has source %s, found object "
					    "with source %s in operation %" PRId64 "/%s/%s. This operation is "
					    "ignored, causing potential data inconsistencies.", cs->name,
					    obj->source, op->serial, op->add ? "ADD" : "DEL", obj->pk);

			log_warnx("%s: %s", cs->name, e);
			errors = xrealloc(errors, (nerrors + 1) * sizeof(char *));
			errors[nerrors++] = e;
			res->ignored++;
			rpsl_object_free(obj);
			continue;
		}
		{
			struct sql_change_op *co = &ops[nops];

			co->add = op->add;
			co->journal = o.journal;
			co->serial_nrtm = o.serial_nrtm;
			if (op->add) {
				size_t rlen;

				co->st = RPKI_NOT_FOUND;
				if (rpki && obj->has_origin && obj->has_prefix &&
				    (obj->cls == RPSL_ROUTE || obj->cls == RPSL_ROUTE6))
					co->st = roa_state(roas, &obj->prefix, obj->origin);
				if (co->st == RPKI_INVALID)
					co->journal = false;	/* stored, neither served nor journalled */
				co->obj = obj;
				co->text = texts[nops] = rpsl_render(obj, &rlen);
			} else {
				co->object_class = cls;
				co->pk = obj->pk;
			}
			objs[nops++] = obj;
		}
		res->applied++;
	}
	if (sql_change_batch(c, cs->name, ops, nops, SQL_ORIGIN_MIRROR, &notfound) < 0)
		goto dberr_rb;
	/* IRRd's record_serial_newest_mirror: the START line's last serial */
	if (s->version && s->last > 0 && sql_change_mirror_serial(c, cs->name, -1, s->last) < 0)
		goto dberr_rb;
	if (notfound > 0)
		log_info("%s: %ld NRTM deletions of objects that were not there", cs->name, notfound);
	{
		const char *params[2] = { cs->name, synced ? "true" : "false" };

		if (sql_exec(c, "UPDATE database_status SET synchronised_serials = $2::boolean WHERE source = $1",
			     2, params) < 0)
			goto dberr_rb;
	}
	if (nerrors > 0 && sql_change_record_error(c, cs->name, errors[nerrors - 1]) < 0)
		goto dberr_rb;
	if (sql_commit(c) < 0)
		goto dberr_rb;
	res->serial = s->version ? s->last : -1;
	rc = 0;
	goto out;

dberr_rb:
	*err = xasprintf("%s: applying NRTM operations: %s", cs->name, sql_error(c));
	sql_rollback(c);
	goto out;
dberr:
	*err = xasprintf("%s: %s", cs->name, sql_error(c));
out:
	for (size_t i = 0; i < nerrors; i++)
		free(errors[i]);
	free(errors);
	for (size_t i = 0; i < nops; i++) {
		rpsl_object_free(objs[i]);
		free(texts[i]);
	}
	free(objs);
	free(texts);
	free(ops);
	return rc;
}

int nrtm_mirror_apply(struct sql_conn *c, const struct cfg *cfg, const char *source,
		      const struct nrtm_stream *s, const struct roa_set *roas,
		      struct nrtm_mirror_result *res, char **err)
{
	const struct cfg_source *cs = cfg_source_find(cfg, source);
	const struct roa_set *set = roas;
	struct roa_ref ref = { NULL, &set };

	memset(res, 0, sizeof(*res));
	res->serial = -1;
	*err = NULL;
	if (cs == NULL) {
		*err = xasprintf("%s: not a configured source", source);
		return -1;
	}
	return apply_stream(c, cfg, cs, s, &ref, res, err);
}

/* ---- a full import ---- */

/* sql_load_opts.rpki_state: called on the load's parser threads. */
static enum rpki_state load_rpki_state(void *arg, const struct ip_prefix *prefix, uint32_t origin)
{
	return roa_state(arg, prefix, origin);
}

static int parse_serial_text(const char *buf, int64_t *out)
{
	char *end;
	long long v;

	while (*buf == ' ' || *buf == '\t' || *buf == '\n' || *buf == '\r')
		buf++;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (end == buf || errno != 0 || v < 0)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static void reject_log(void *arg, const char *file, unsigned long line, const char *object_class,
		       const char *pk, const char *reason)
{
	const char *source = arg;

	log_debug("%s: import %s line %lu: %s %s rejected: %s", source, file, line,
		  object_class ? object_class : "?", pk ? pk : "?", reason);
}

static int full_import(struct sql_conn *c, const struct cfg *cfg, const struct cfg_source *cs,
		       const struct mstatus *ms, const struct roa_ref *roas, struct nrtm_mirror_result *res,
		       char **err)
{
	int64_t serial = -1;
	char **paths = NULL;
	bool *temp = NULL;
	size_t n = cs->nimport_sources;
	struct sql_load_opts lo = { 0 };
	struct sql_load_stats st;
	struct rpsl_options popts = parse_options(cfg);
	int rc = -1;

	if (n == 0) {
		log_info("%s: skipping full RPSL import, import_source not set", cs->name);
		res->skipped = true;
		return 0;
	}
	if (cs->import_serial_source != NULL) {
		char *buf = NULL;
		size_t len;

		if (nrtm_fetch(cs->import_serial_source, NULL, &buf, &len, cfg->download_timeout, err) < 0)
			return -1;
		if (parse_serial_text(buf, &serial) < 0) {
			*err = xasprintf("%s: import_serial_source %s: not a serial: %.40s", cs->name,
					 cs->import_serial_source, buf);
			free(buf);
			return -1;
		}
		free(buf);
		if (!ms->force_reload && ms->newest_mirror >= 0 && serial <= ms->newest_mirror) {
			log_info("%s: current newest serial seen from mirror is %" PRId64 ", import_serial is "
				 "%" PRId64 ", cancelling import", cs->name, ms->newest_mirror, serial);
			res->skipped = true;
			res->serial = ms->newest_mirror;
			return 0;
		}
	}
	log_info("%s: running full RPSL import from %s, serial %" PRId64, cs->name, cs->import_source, serial);
	paths = xcalloc(n, sizeof(char *));
	temp = xcalloc(n, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		const char *u = cs->import_sources[i];

		if (strncmp(u, "file://", 7) == 0) {
			paths[i] = xstrdup(u + 7);	/* read in place, gzip detected by content */
		} else if (strstr(u, "://") == NULL) {
			paths[i] = xstrdup(u);
		} else {
			if (nrtm_fetch(u, &paths[i], NULL, NULL, 0, err) < 0)
				goto out;
			temp[i] = true;
		}
	}
	lo.source = cs->name;
	lo.serial = serial;
	lo.authoritative = false;
	lo.keep_journal = cs->keep_journal;
	lo.synchronised_serials = serials_synchronised_by_settings(cfg, cs);
	lo.files = (const char *const *)paths;
	lo.nfiles = n;
	lo.jobs = 2;
	lo.parse_opts = &popts;
	lo.reject = reject_log;
	lo.arg = (void *)cs->name;
	if (rpki_applies(cfg, cs)) {
		/* routes stored with their state in the same transaction */
		lo.rpki_state = load_rpki_state;
		lo.rpki_arg = (void *)roas;
	}
	if (sql_load_dump(c, &lo, &st, err) < 0) {
		char *e = *err;

		*err = xasprintf("%s: full import: %s", cs->name, e);
		free(e);
		goto out;
	}
	log_info("%s: full import: %ld objects loaded, %ld rejected", cs->name, st.loaded, st.rejected);
	if (serial >= 0 && sql_change_mirror_serial(c, cs->name, -1, serial) < 0) {
		*err = xasprintf("%s: %s", cs->name, sql_error(c));
		goto out;
	}
	res->full_import = true;
	res->applied = st.loaded;
	res->serial = serial;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (paths[i] != NULL && temp[i])
			unlink(paths[i]);
		free(paths[i]);
	}
	free(paths);
	free(temp);
	return rc;
}

/* ---- one run ---- */

static int mirror_run(struct sql_conn *c, const struct cfg *cfg, const char *source, const struct roa_ref *roas,
		      struct nrtm_mirror_result *res, char **err)
{
	const struct cfg_source *cs = cfg_source_find(cfg, source);
	struct mstatus ms = { .source = source, .newest_mirror = -1 };
	int rc;

	memset(res, 0, sizeof(*res));
	res->serial = -1;
	*err = NULL;
	if (cs == NULL) {
		*err = xasprintf("%s: not a configured source", source);
		return -1;
	}
	if (sql_status_foreach(c, mstatus_cb, &ms) < 0) {
		*err = xasprintf("%s: %s", source, sql_error(c));
		return -1;
	}
	if (ms.force_reload || ms.newest_mirror < 0 || cs->nrtm_host == NULL) {
		rc = full_import(c, cfg, cs, &ms, roas, res, err);
	} else {
		char *q = xasprintf("-g %s:3:%" PRId64 "-LAST\n", source, ms.newest_mirror + 1);
		char *resp = NULL;
		size_t len = 0;
		struct nrtm_stream *s;

		log_info("%s: retrieving NRTM updates from serial %" PRId64 " on %s:%d", source,
			 ms.newest_mirror + 1, cs->nrtm_host, cs->nrtm_port);
		rc = whois_query(cs->nrtm_host, cs->nrtm_port > 0 ? cs->nrtm_port : 43, q, source,
				 cs->nrtm3_client_timeout > 0 ? cs->nrtm3_client_timeout : 15, &resp, &len, err);
		free(q);
		if (rc == 0) {
			s = nrtm_stream_parse(resp, len, source, err);
			if (s == NULL)
				rc = -1;
			else {
				if (s->nops == 0)
					res->skipped = true;
				rc = apply_stream(c, cfg, cs, s, roas, res, err);
				if (rc == 0)
					log_info("%s: NRTM: %ld operations applied, %ld ignored, now at serial "
						 "%" PRId64, source, res->applied, res->ignored,
						 res->serial >= 0 ? res->serial : ms.newest_mirror);
				nrtm_stream_free(s);
			}
		}
		free(resp);
	}
	if (rc < 0) {
		log_warnx("%s", *err);
		if (sql_change_record_error(c, source, *err) < 0)
			log_warnx("%s: cannot record the error: %s", source, sql_error(c));
	}
	return rc;
}

int nrtm_mirror_run(struct sql_conn *c, const struct cfg *cfg, const char *source,
		    const struct roa_set *roas, struct nrtm_mirror_result *res, char **err)
{
	const struct roa_set *set = roas;
	struct roa_ref ref = { NULL, &set };

	return mirror_run(c, cfg, source, &ref, res, err);
}

/* ---- the scheduler ---- */

enum job_kind { JOB_MIRROR, JOB_EXPORT };

struct job {
	struct job *next;
	enum job_kind kind;
	char *config_path, *source;
};

struct nrtm_mirrors {
	char *database_url;
	pthread_t thread;
	pthread_mutex_t mu, roa_mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	struct job *running;
	bool stop;		/* read without the lock by whois_query: atomic */
	const struct roa_set *roas;
	struct sql_conn *conn;
};

static void job_free(struct job *j)
{
	free(j->config_path);
	free(j->source);
	free(j);
}

static void run_job(struct nrtm_mirrors *m, struct job *j)
{
	char *errs = NULL, *err = NULL;
	struct cfg *cfg = cfg_load(j->config_path, &errs);

	if (cfg == NULL) {
		log_warnx("%s: %s: configuration not loadable for the mirror run: %s", j->source,
			  j->config_path, errs ? errs : "");
		free(errs);
		return;
	}
	if (m->conn == NULL) {
		m->conn = sql_connect(cfg->database_url, &err);
		if (m->conn == NULL) {
			log_warnx("%s: mirror: %s", j->source, err);
			free(err);
			cfg_free(cfg);
			return;
		}
	}
	if (j->kind == JOB_MIRROR) {
		struct roa_ref ref = { &m->roa_mu, &m->roas };
		struct nrtm_mirror_result res;

		if (mirror_run(m->conn, cfg, j->source, &ref, &res, &err) < 0)
			free(err);
	} else {
		const struct cfg_source *cs = cfg_source_find(cfg, j->source);
		int64_t serial;

		if (cs != NULL && cs->export_destination != NULL) {
			if (nrtm_export_run(m->conn, j->source, cs, cs->export_destination, &serial, &err) < 0) {
				log_warnx("%s", err);
				free(err);
			} else
				log_info("%s: export complete at serial %" PRId64 " in %s", j->source, serial,
					 cs->export_destination);
		}
	}
	/* a broken connection is replaced next time */
	if (sql_exec(m->conn, "SELECT 1", 0, NULL) < 0) {
		sql_close(m->conn);
		m->conn = NULL;
	}
	cfg_free(cfg);
}

static void *worker(void *arg)
{
	struct nrtm_mirrors *m = arg;

	tls_stop = &m->stop;
	pthread_mutex_lock(&m->mu);
	for (;;) {
		struct job *j;

		while (!m->stop && m->head == NULL)
			pthread_cond_wait(&m->cv, &m->mu);
		if (m->stop)
			break;
		j = m->head;
		m->head = j->next;
		if (m->head == NULL)
			m->tail = NULL;
		m->running = j;
		pthread_mutex_unlock(&m->mu);
		run_job(m, j);
		pthread_mutex_lock(&m->mu);
		m->running = NULL;
		job_free(j);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

struct nrtm_mirrors *nrtm_mirrors_new(const char *database_url)
{
	struct nrtm_mirrors *m = xcalloc(1, sizeof(*m));

	curl_global_init(CURL_GLOBAL_DEFAULT);
	m->database_url = xstrdup(database_url ? database_url : "");
	pthread_mutex_init(&m->mu, NULL);
	pthread_mutex_init(&m->roa_mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	if (pthread_create(&m->thread, NULL, worker, m) != 0)
		fatalx("cannot start the mirror thread");
	return m;
}

void nrtm_mirrors_free(struct nrtm_mirrors *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	__atomic_store_n(&m->stop, true, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	while (m->head != NULL) {
		struct job *j = m->head;

		m->head = j->next;
		job_free(j);
	}
	sql_close(m->conn);
	pthread_mutex_destroy(&m->mu);
	pthread_mutex_destroy(&m->roa_mu);
	pthread_cond_destroy(&m->cv);
	free(m->database_url);
	free(m);
}

static bool queue(struct nrtm_mirrors *m, enum job_kind kind, const char *config_path, const char *source)
{
	struct job *j;

	pthread_mutex_lock(&m->mu);
	if (m->running && m->running->kind == kind && strcmp(m->running->source, source) == 0)
		goto dup;
	for (j = m->head; j != NULL; j = j->next)
		if (j->kind == kind && strcmp(j->source, source) == 0)
			goto dup;
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->config_path = xstrdup(config_path);
	j->source = xstrdup(source);
	if (m->tail)
		m->tail->next = j;
	else
		m->head = j;
	m->tail = j;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	return true;
dup:
	pthread_mutex_unlock(&m->mu);
	return false;
}

bool nrtm_mirrors_queue(struct nrtm_mirrors *m, const char *config_path, const char *source)
{
	return queue(m, JOB_MIRROR, config_path, source);
}

bool nrtm_mirrors_queue_export(struct nrtm_mirrors *m, const char *config_path, const char *source)
{
	return queue(m, JOB_EXPORT, config_path, source);
}

size_t nrtm_mirrors_pending(struct nrtm_mirrors *m)
{
	size_t n = 0;

	pthread_mutex_lock(&m->mu);
	for (struct job *j = m->head; j != NULL; j = j->next)
		n++;
	if (m->running)
		n++;
	pthread_mutex_unlock(&m->mu);
	return n;
}

void nrtm_mirrors_set_roas(struct nrtm_mirrors *m, const struct roa_set *roas)
{
	pthread_mutex_lock(&m->roa_mu);
	m->roas = roas;
	pthread_mutex_unlock(&m->roa_mu);
}
