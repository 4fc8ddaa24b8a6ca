/*
 * val_repo.c - the cache directory and repository synchronisation.
 *
 * Layout under the cache directory:
 *   ta/<tal name>.cer       the last good TA certificate of each TAL
 *   rrdp/<host>-<hash>/     one RRDP repository (".state", then host/path)
 *   rsync/<host>/<module>/  rsync mirrors, one per module
 *   valid/<host>/<path>/    the last valid copy of each publication point
 *                           (val_main.c)
 * After a completed online run, what no publication point of the run
 * referenced is removed from rrdp/, rsync/ and valid/ (val_prune.c).
 *
 * A repository is synchronised at most once per run, by the first worker
 * that needs it; the others wait for it. RRDP comes first (unless rsync
 * only); when it fails, the CA's rsync module is fetched instead; when
 * that fails too, the cache is used as it is (rpki-client does the same).
 * Offline, the cache is used as it is: the RRDP copy if there is one.
 * A repository's copy over the total limits (val_opts repo_max_bytes and
 * repo_max_files) is removed and counts as failed: rsync is stopped during
 * the transfer (val_rsync.c), an RRDP copy is measured after each sync
 * (its documents are bounded while they stream, val_rrdp.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_FILE (8u << 20)
#define MAX_TA_FILE (4u << 20)

enum repo_state { REPO_NEW, REPO_SYNCING, REPO_DONE };

struct val_repo {
	struct val_repo *next;
	char *key;		/* notify URI or rsync module URI */
	bool rrdp;
	char *base;		/* files of rsync://X are at base/X */
	enum repo_state state;
	bool ok;		/* synchronised in this run (or usable offline) */
	bool have_data;		/* RRDP: a complete earlier copy exists */
};

struct val_repos {
	const struct val_opts *o;
	char *cache;
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	struct val_repo *list;
	size_t nrrdp, nrsync, nfailed;
};

struct val_repos *val_repos_new(const struct val_opts *o)
{
	struct val_repos *rs = xcalloc(1, sizeof(*rs));

	rs->o = o;
	rs->cache = xstrdup(o->cache_dir);
	pthread_mutex_init(&rs->mtx, NULL);
	pthread_cond_init(&rs->cond, NULL);
	return rs;
}

void val_repos_free(struct val_repos *rs)
{
	if (rs == NULL)
		return;
	for (struct val_repo *r = rs->list, *next; r != NULL; r = next) {
		next = r->next;
		free(r->key);
		free(r->base);
		free(r);
	}
	pthread_mutex_destroy(&rs->mtx);
	pthread_cond_destroy(&rs->cond);
	free(rs->cache);
	free(rs);
}

static long timeout_of(const struct val_repos *rs)
{
	return rs->o->repo_timeout > 0 ? rs->o->repo_timeout : 300;
}

/* rsync://host/module/ of a URI, or NULL. */
static char *rsync_module(const char *uri)
{
	const char *rest = val_uri_check(uri, VAL_URI_RSYNC), *slash;

	if (rest == NULL || (slash = strchr(rest, '/')) == NULL)
		return NULL;
	slash = strchr(slash + 1, '/');
	if (slash == NULL)
		return xasprintf("%s/", uri);
	return xstrndup(uri, (size_t)(slash - uri) + 1);
}

static char *rrdp_dir(const struct val_repos *rs, const char *notify)
{
	uint8_t h[32];
	char hex[65];
	const char *host = notify + 8;
	size_t hn = strcspn(host, "/:");

	val_sha256(notify, strlen(notify), h);
	val_hex(h, 8, hex);
	return xasprintf("%s/rrdp/%.*s-%s", rs->cache, (int)(hn > 100 ? 100 : hn), host, hex);
}

/* Find or add; called with the lock held. */
static struct val_repo *repo_find(struct val_repos *rs, const char *key, bool rrdp)
{
	struct val_repo *r;

	for (r = rs->list; r != NULL; r = r->next)
		if (r->rrdp == rrdp && strcmp(r->key, key) == 0)
			return r;
	r = xcalloc(1, sizeof(*r));
	r->key = xstrdup(key);
	r->rrdp = rrdp;
	r->base = rrdp ? rrdp_dir(rs, key) : xasprintf("%s/rsync", rs->cache);
	r->next = rs->list;
	rs->list = r;
	return r;
}

static void sync_rrdp(struct val_repos *rs, struct val_repo *r)
{
	struct val_http_opts ho = { .ca_file = rs->o->ca_file, .timeout = timeout_of(rs) };
	struct val_rrdp_stats st;
	char *state = xasprintf("%s/.state", r->base);
	struct stat sb;

	r->have_data = stat(state, &sb) == 0;
	free(state);
	if (rs->o->offline) {
		r->ok = r->have_data;
		return;
	}
	if (val_rrdp_sync(r->key, r->base, &ho, &st) == 0) {
		/* the total limits of a repository's copy, as for rsync */
		size_t maxb = rs->o->repo_max_bytes ? rs->o->repo_max_bytes : VAL_REPO_MAX_BYTES;
		size_t maxf = rs->o->repo_max_files ? rs->o->repo_max_files : VAL_REPO_MAX_FILES;
		uint64_t bytes, files;
		val_tree_size(r->base, &bytes, &files);
		if (bytes > maxb || files > maxf) {
			val_warnx("%s: repository over its limit (%zu bytes, %zu files; reached %llu bytes, %llu "
				  "files): its copy removed", r->key, maxb, maxf, (unsigned long long)bytes,
				  (unsigned long long)files);
			if (val_rmtree(r->base) < 0)
				val_warnx("%s: cannot remove %s: %s", r->key, r->base, strerror(errno));
			r->have_data = false;
			val_warnx("%s: RRDP synchronisation failed", r->key);
			return;
		}
		r->ok = r->have_data = true;
		if (st.snapshot)
			val_info("%s: RRDP snapshot, %zu objects", r->key, st.published);
		else if (st.delta)
			val_info("%s: RRDP %zu delta(s), %zu published, %zu withdrawn", r->key, st.ndeltas,
				 st.published, st.withdrawn);
		else
			val_info("%s: RRDP repository is current", r->key);
	} else {
		val_warnx("%s: RRDP synchronisation failed", r->key);
	}
}

static void sync_rsync(struct val_repos *rs, struct val_repo *r)
{
	const char *rest = r->key + 8;
	char *dest = xasprintf("%s/%s", r->base, rest);
	struct stat sb;

	if (rs->o->offline) {
		r->ok = stat(dest, &sb) == 0;
		free(dest);
		return;
	}
	r->ok = val_rsync_fetch(rs->o->rsync_prog ? rs->o->rsync_prog : "rsync", r->key, dest, true,
				timeout_of(rs), MAX_FILE,
				rs->o->repo_max_bytes ? rs->o->repo_max_bytes : VAL_REPO_MAX_BYTES,
				rs->o->repo_max_files ? rs->o->repo_max_files : VAL_REPO_MAX_FILES) == 0;
	if (r->ok)
		val_info("%s: rsync done", r->key);
	free(dest);
}

/* Synchronise r once; others wait. Called with the lock held. */
static void repo_sync(struct val_repos *rs, struct val_repo *r)
{
	while (r->state == REPO_SYNCING)
		pthread_cond_wait(&rs->cond, &rs->mtx);
	if (r->state == REPO_DONE)
		return;
	r->state = REPO_SYNCING;
	pthread_mutex_unlock(&rs->mtx);
	if (r->rrdp)
		sync_rrdp(rs, r);
	else
		sync_rsync(rs, r);
	pthread_mutex_lock(&rs->mtx);
	r->state = REPO_DONE;
	if (r->ok || !rs->o->offline) {	/* offline: only the copies there are */
		if (r->rrdp)
			rs->nrrdp++;
		else
			rs->nrsync++;
	}
	if (!r->ok && !rs->o->offline)
		rs->nfailed++;
	pthread_cond_broadcast(&rs->cond);
}

struct val_repo *val_repo_get(struct val_repos *rs, const char *notify, const char *repo_uri)
{
	struct val_repo *rr = NULL, *rsy = NULL, *use;
	char *module = rsync_module(repo_uri);

	pthread_mutex_lock(&rs->mtx);
	if (notify != NULL && !rs->o->rsync_only) {
		rr = repo_find(rs, notify, true);
		repo_sync(rs, rr);
		if (rr->ok) {
			pthread_mutex_unlock(&rs->mtx);
			free(module);
			return rr;
		}
	}
	if (module == NULL) {
		pthread_mutex_unlock(&rs->mtx);
		return rr;
	}
	rsy = repo_find(rs, module, false);
	free(module);
	repo_sync(rs, rsy);
	use = rsy;
	if (!rsy->ok && rr != NULL && rr->have_data)
		use = rr;	/* both failed: the older RRDP copy */
	pthread_mutex_unlock(&rs->mtx);
	return use;
}

char *val_repo_path(const struct val_repo *r, const char *uri)
{
	const char *rest = val_uri_check(uri, VAL_URI_RSYNC);

	if (r == NULL || rest == NULL)
		return NULL;
	return xasprintf("%s/%s", r->base, rest);
}

/* Parse and check a candidate TA certificate. */
static bool ta_good(const uint8_t *buf, size_t len, const struct val_tal *tal, int64_t now, const char *fn)
{
	struct val_cert *c = val_cert_parse(buf, len, fn);
	bool ok = c != NULL && val_ta_check(c, tal, now, fn) == 0;

	val_cert_free(c);
	return ok;
}

char *val_repo_ta(struct val_repos *rs, const struct val_tal *tal)
{
	char *path = xasprintf("%s/ta/%s.cer", rs->cache, tal->name);
	int64_t now = rs->o->now ? (int64_t)rs->o->now : (int64_t)time(NULL);
	struct stat sb;

	if (rs->o->offline) {
		if (stat(path, &sb) == 0)
			return path;
		val_warnx("%s: no cached trust anchor certificate %s (run online first)", tal->name, path);
		free(path);
		return NULL;
	}
	/* https URIs first, as rpki-client; then rsync; .cer URIs before others */
	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = 0; i < tal->nuris; i++) {
			const char *u = tal->uris[i];
			bool https = strncasecmp(u, "https://", 8) == 0;
			size_t n = strlen(u);
			bool cer = n > 4 && strcasecmp(u + n - 4, ".cer") == 0;
			if (https != (pass % 2 == 0) || cer != (pass < 2))
				continue;
			if (https && rs->o->rsync_only)
				continue;
			uint8_t *buf = NULL;
			size_t len = 0;
			if (https) {
				struct val_http_opts ho = { .ca_file = rs->o->ca_file, .timeout = timeout_of(rs),
							    .max_size = MAX_TA_FILE };
				if (val_http_fetch(u, &ho, &buf, &len) < 0)
					continue;
			} else {
				char *tmp = xasprintf("%s/ta/%s.cer.rsync", rs->cache, tal->name);
				int rc = val_rsync_fetch(rs->o->rsync_prog ? rs->o->rsync_prog : "rsync", u, tmp, false,
							 timeout_of(rs), MAX_TA_FILE, 0, 0);
				if (rc == 0)
					buf = val_read_file(tmp, MAX_TA_FILE, &len);
				remove(tmp);
				free(tmp);
				if (buf == NULL) {
					if (rc == 0)
						val_warnx("%s: fetched nothing", u);
					continue;
				}
			}
			if (ta_good(buf, len, tal, now, u)) {
				if (val_write_file(path, buf, len) < 0) {
					val_warnx("%s: %s", path, strerror(errno));
					free(buf);
					free(path);
					return NULL;
				}
				free(buf);
				return path;
			}
			free(buf);
		}
	}
	if (stat(path, &sb) == 0) {
		val_warnx("%s: no trust anchor certificate could be fetched, using the cached one", tal->name);
		return path;
	}
	val_warnx("%s: no trust anchor certificate could be fetched", tal->name);
	free(path);
	return NULL;
}

void val_repos_stats(const struct val_repos *rs, size_t *nrepos, size_t *nrrdp, size_t *nrsync,
		     size_t *nfailed)
{
	*nrrdp = rs->nrrdp;
	*nrsync = rs->nrsync;
	*nrepos = rs->nrrdp + rs->nrsync;
	*nfailed = rs->nfailed;
}

size_t val_repos_dirs(const struct val_repos *rs, char ***dirs)
{
	size_t n = 0;

	*dirs = NULL;
	for (const struct val_repo *r = rs->list; r != NULL; r = r->next) {
		char *d = r->rrdp ? xstrdup(r->base) : xasprintf("%s/%s", r->base, r->key + 8);
		size_t l = strlen(d);
		while (l > 1 && d[l - 1] == '/')
			d[--l] = '\0';
		*dirs = xrealloc(*dirs, (n + 1) * sizeof(**dirs));
		(*dirs)[n++] = d;
	}
	return n;
}
