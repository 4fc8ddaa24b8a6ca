/*
 * val_main.c - one validation run: the walk from the trust anchors down
 * the CA tree, on a pool of worker threads, and the results.
 *
 * Work items:
 *   TA     load (fetch) the TA certificate of a TAL and check it
 *   PP     one CA's publication point: synchronise its repository, then
 *          its manifest and CRL (RFC 9286 6.1-6.4); the manifest's files
 *          are split into FILES items
 *   FILES  a run of a manifest's files: read, hash (RFC 9286 6.5), parse
 *          and check each against the CA
 * The results of a publication point are kept with it until its last
 * FILES item is done: if any listed file was missing or had the wrong
 * hash, the whole publication point is rejected (RFC 9286 6.4, 6.5, as
 * rpki-client); otherwise its VRPs, ASPAs and router keys join the output
 * and its child CAs become PP items.
 *
 * The last valid copy (RFC 9286 section 6.7, as rpki-client's "valid"
 * tree): an accepted publication point's manifest and listed files are
 * kept under CACHEDIR/valid/<host>/<path> (hard links into the fetch
 * cache where possible). When the fetched copy turns bad (repository
 * unreachable, manifest or CRL invalid or stale, a listed file missing or
 * with the wrong hash), the last valid copy is validated instead, with a
 * warning; its objects drop out as they expire (manifest and CRL
 * nextUpdate, certificates' notAfter). A fetched manifest whose
 * manifestNumber or thisUpdate is lower than the last valid copy's is
 * rejected (RFC 9286 section 4.2.1). A listed file missing from one copy
 * is looked up in the other by its hash, as rpki-client does. Offline
 * runs (-n) use the last valid copies but do not write them.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_DEPTH 32
#define MAX_OBJECT_FILE (8u << 20)
#define CHUNK_FILES 48

struct val_ca {
	struct val_ca *parent, *next_all;
	struct val_cert *cert;
	val_key *key;
	struct val_rset eff;
	int64_t expires;
	uint32_t ta;
	int depth;
	char *uri;
};

struct vec {
	void *p;
	size_t n, cap, size;
};

static void *vec_add(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->p = xrealloc(v->p, v->cap * v->size);
	}
	return (char *)v->p + v->size * v->n++;
}

static void vec_append(struct vec *dst, const struct vec *src)
{
	if (src->n == 0)
		return;
	if (dst->n + src->n > dst->cap) {
		dst->cap = dst->n + src->n + dst->cap;
		dst->p = xrealloc(dst->p, dst->cap * dst->size);
	}
	memcpy((char *)dst->p + dst->size * dst->n, src->p, src->n * src->size);
	dst->n += src->n;
}

/* Counters a publication point contributes (added up at commit). */
struct counts {
	size_t certs, certs_failed, roas, roas_failed, aspas, aspas_failed, brks, gbrs, taks, other,
	    crls, crls_failed;
};

struct pp {
	struct val_ca *ca;
	struct val_repo *repo;
	struct val_mft *mft;
	struct val_crl *crl;
	char *crl_uri;
	char *fdir;		/* the caRepository in the fetch cache, or NULL */
	char *vdir;		/* its last valid copy (CACHEDIR/valid/...) */
	const char *dir;	/* where the manifest in use came from: fdir or vdir */
	const char *alt;	/* where a listed file is looked up second */
	uint8_t *mft_buf;	/* the manifest in use (for the valid store) */
	size_t mft_len;
	bool *alt_used;		/* per listed file: read from alt */
	bool from_valid;	/* validating the last valid copy */
	bool store;		/* when accepted, becomes the last valid copy */
	bool retry;		/* when its files fail, retry the last valid copy */
	int64_t expires;	/* min(CA chain, CRL nextUpdate) */
	atomic_size_t pending;
	atomic_bool failed;
	pthread_mutex_t mtx;
	struct vec vrps, vaps, brks, kids;	/* val_vrp, val_vap, val_brk, struct val_ca * */
	struct counts c;
};

enum job_kind { JOB_TA, JOB_PP, JOB_FILES };

struct job {
	struct job *next;
	enum job_kind kind;
	size_t tal;
	struct val_ca *ca;
	struct pp *pp;
	size_t from, to;
	bool valid_only;	/* JOB_PP: the last valid copy only */
};

struct run {
	const struct val_opts *o;
	int64_t now;
	struct val_repos *repos;
	struct val_tal **tals;
	size_t ntals;

	pthread_mutex_t qmtx;
	pthread_cond_t qcond;
	struct job *head, *tail;
	size_t active;		/* jobs queued or running */

	pthread_mutex_t rmtx;	/* results, CA list, SKI set */
	struct vec vrps, vaps, brks;
	struct val_ca *cas;
	struct counts c;
	size_t tals_ok, mfts, mfts_failed, mfts_stale, pps, pps_failed;
	size_t pps_fallback, mfts_regressed;
	uint8_t (*skis)[20];	/* open addressing set of CA SKIs */
	size_t nskis, skicap;
	struct vec vdirs;	/* char *: last valid copy directories referenced */
};

/* ---- queue ------------------------------------------------------------------------------ */

static void push(struct run *r, struct job *j)
{
	pthread_mutex_lock(&r->qmtx);
	j->next = NULL;
	if (r->tail)
		r->tail->next = j;
	else
		r->head = j;
	r->tail = j;
	r->active++;
	pthread_cond_signal(&r->qcond);
	pthread_mutex_unlock(&r->qmtx);
}

static struct job *job_new(enum job_kind k)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->kind = k;
	return j;
}

/* ---- CA bookkeeping ------------------------------------------------------------------------ */

/* Add a CA's SKI; false if it is there already (a loop or a duplicate). */
static bool ski_add(struct run *r, const uint8_t ski[20])
{
	size_t h;

	if (r->nskis * 2 >= r->skicap) {
		size_t cap = r->skicap ? r->skicap * 2 : 1024;
		uint8_t (*t)[20] = xcalloc(cap, 20);
		static const uint8_t zero[20];
		for (size_t i = 0; i < r->skicap; i++) {
			if (memcmp(r->skis[i], zero, 20) == 0)
				continue;
			size_t k;
			memcpy(&k, r->skis[i], sizeof(k));
			k %= cap;
			while (memcmp(t[k], zero, 20) != 0)
				k = (k + 1) % cap;
			memcpy(t[k], r->skis[i], 20);
		}
		free(r->skis);
		r->skis = t;
		r->skicap = cap;
	}
	memcpy(&h, ski, sizeof(h));
	h %= r->skicap;
	for (;;) {
		static const uint8_t zero[20];
		if (memcmp(r->skis[h], ski, 20) == 0)
			return false;
		if (memcmp(r->skis[h], zero, 20) == 0)
			break;
		h = (h + 1) % r->skicap;
	}
	memcpy(r->skis[h], ski, 20);
	r->nskis++;
	return true;
}

static void ca_free(struct val_ca *ca)
{
	val_cert_free(ca->cert);
	val_key_free(ca->key);
	free(ca->uri);
	free(ca);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* ---- trust anchors -------------------------------------------------------------------------- */

static void do_ta(struct run *r, size_t t)
{
	const struct val_tal *tal = r->tals[t];
	struct val_cert *c = NULL;
	struct val_ca *ca;
	uint8_t *buf = NULL;
	size_t len;
	char *path = val_repo_ta(r->repos, tal);

	if (path == NULL)
		return;
	if ((buf = val_read_file(path, MAX_OBJECT_FILE, &len)) == NULL) {
		val_warnx("%s: %s", path, strerror(errno));
		goto out;
	}
	if ((c = val_cert_parse(buf, len, path)) == NULL || val_ta_check(c, tal, r->now, path) < 0)
		goto out;
	ca = xcalloc(1, sizeof(*ca));
	ca->cert = c;
	c = NULL;
	if ((ca->key = val_key_from_spki(ca->cert->spki.raw, ca->cert->spki.rawlen, path)) == NULL) {
		ca_free(ca);
		goto out;
	}
	val_res_as_rset(&ca->cert->res, &ca->eff);
	ca->expires = ca->cert->not_after;
	ca->ta = (uint32_t)t;
	ca->uri = xstrdup(path);
	pthread_mutex_lock(&r->rmtx);
	ca->next_all = r->cas;
	r->cas = ca;
	r->tals_ok++;
	bool fresh = ski_add(r, ca->cert->ski);
	pthread_mutex_unlock(&r->rmtx);
	if (!fresh) {
		val_warnx("%s: RFC 6487: duplicate SKI (the same trust anchor twice)", path);
		goto out;
	}
	val_info("%s: trust anchor %s loaded", tal->name, path);
	struct job *j = job_new(JOB_PP);
	j->ca = ca;
	push(r, j);
out:
	val_cert_free(c);
	free(buf);
	free(path);
}

/* ---- the last valid copy ---------------------------------------------------------------------- */

/* CACHEDIR/valid/<host>/<path> of an rsync URI, or NULL. */
static char *valid_path(const struct run *r, const char *uri)
{
	const char *rest = val_uri_check(uri, VAL_URI_RSYNC);

	if (rest == NULL)
		return NULL;
	return xasprintf("%s/valid/%s", r->o->cache_dir, rest);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dst becomes a copy of src: a hard link if possible, else the bytes. */
static int copy_file(const char *src, const char *dst)
{
	char *tmp = xasprintf("%s.lnk.%ld", dst, (long)getpid());
	uint8_t *buf;
	size_t len;
	int rc;

	unlink(tmp);
	if (link(src, tmp) == 0) {
		rc = rename(tmp, dst);
		if (rc < 0)
			unlink(tmp);
		free(tmp);
		return rc;
	}
	free(tmp);
	if ((buf = val_read_file(src, MAX_OBJECT_FILE, &len)) == NULL)
		return -1;
	rc = val_write_file(dst, buf, len);
	free(buf);
	return rc;
}

/*
 * An accepted publication point read from the fetch cache becomes the last
 * valid copy: the old manifest goes first (a copy cut short is then no
 * copy), the listed files are linked in, the manifest is written last and
 * files no longer listed are removed.
 */
static void store_valid(struct run *r, struct pp *pp)
{
	const struct val_cert *cc = pp->ca->cert;
	char *vmft = valid_path(r, cc->mft), **names = NULL, *p;
	const char *mname = val_uri_file(cc->mft);
	size_t n = pp->mft->nfiles;
	DIR *dp;
	struct dirent *de;

	if (vmft == NULL || val_mkdirs(pp->vdir) < 0)
		goto fail;
	if (unlink(vmft) < 0 && errno != ENOENT)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (pp->alt_used[i])
			continue;	/* read from the valid copy: there already */
		char *src = xasprintf("%s/%s", pp->fdir, pp->mft->files[i].name);
		char *dst = xasprintf("%s/%s", pp->vdir, pp->mft->files[i].name);
		int rc = copy_file(src, dst);
		free(src);
		free(dst);
		if (rc < 0)
			goto fail;
	}
	if (val_write_file(vmft, pp->mft_buf, pp->mft_len) < 0)
		goto fail;
	names = xmalloc((n + 1) * sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = pp->mft->files[i].name;
	qsort(names, n, sizeof(*names), name_cmp);
	/* files no longer listed go, unless another manifest shares the
	 * directory (a CA during a key rollover): then they may be its files */
	if ((dp = opendir(pp->vdir)) != NULL) {
		char **gone = NULL;
		size_t ngone = 0;
		bool shared = false;
		while ((de = readdir(dp)) != NULL) {
			p = de->d_name;
			if (p[0] == '.' || strcmp(p, mname) == 0 || strstr(p, ".tmp.") != NULL ||
			    strstr(p, ".lnk.") != NULL || bsearch(&p, names, n, sizeof(*names), name_cmp) != NULL)
				continue;
			size_t l = strlen(p);
			if (l > 4 && strcasecmp(p + l - 4, ".mft") == 0)
				shared = true;
			gone = xrealloc(gone, (ngone + 1) * sizeof(*gone));
			gone[ngone++] = xasprintf("%s/%s", pp->vdir, p);
		}
		closedir(dp);
		for (size_t i = 0; i < ngone; i++) {
			struct stat sb;
			if (!shared && lstat(gone[i], &sb) == 0 && S_ISREG(sb.st_mode))
				unlink(gone[i]);
			free(gone[i]);
		}
		free(gone);
	}
	free(names);
	free(vmft);
	return;
fail:
	val_warnx("%s: cannot keep the last valid copy in %s: %s", cc->mft, pp->vdir ? pp->vdir : "(none)",
		  strerror(errno));
	free(vmft);
}

/* ---- publication points ------------------------------------------------------------------------ */

static void pp_free(struct pp *pp)
{
	val_mft_free(pp->mft);
	val_crl_free(pp->crl);
	free(pp->crl_uri);
	free(pp->fdir);
	free(pp->vdir);
	free(pp->mft_buf);
	free(pp->alt_used);
	free(pp->vrps.p);
	for (size_t i = 0; i < pp->vaps.n; i++)
		free(((struct val_vap *)pp->vaps.p)[i].providers);
	free(pp->vaps.p);
	for (size_t i = 0; i < pp->brks.n; i++)
		free(((struct val_brk *)pp->brks.p)[i].spki);
	free(pp->brks.p);
	for (size_t i = 0; i < pp->kids.n; i++)
		ca_free(((struct val_ca **)pp->kids.p)[i]);
	free(pp->kids.p);
	pthread_mutex_destroy(&pp->mtx);
	free(pp);
}

static void counts_add(struct counts *a, const struct counts *b)
{
	a->certs += b->certs;
	a->certs_failed += b->certs_failed;
	a->roas += b->roas;
	a->roas_failed += b->roas_failed;
	a->aspas += b->aspas;
	a->aspas_failed += b->aspas_failed;
	a->brks += b->brks;
	a->gbrs += b->gbrs;
	a->taks += b->taks;
	a->other += b->other;
	a->crls += b->crls;
	a->crls_failed += b->crls_failed;
}

/* The last FILES item of pp is done: accept or reject the whole of it. */
static void pp_finish(struct run *r, struct pp *pp)
{
	const char *mft_uri = pp->ca->cert->mft;

	if (atomic_load(&pp->failed) && pp->retry) {
		/* the fetched copy failed on its files: the last valid copy instead */
		val_warnx("%s: the fetched publication point failed, trying the last valid copy", mft_uri);
		struct job *j = job_new(JOB_PP);
		j->ca = pp->ca;
		j->valid_only = true;
		pp_free(pp);
		push(r, j);
		return;
	}
	pthread_mutex_lock(&r->rmtx);
	r->pps++;
	counts_add(&r->c, &pp->c);
	if (atomic_load(&pp->failed)) {
		r->pps_failed++;
		r->mfts_failed++;
		pthread_mutex_unlock(&r->rmtx);
		val_warnx("%s: publication point rejected (%zu VRPs, %zu CA certificates dropped)", mft_uri,
			  pp->vrps.n, pp->kids.n);
		pp_free(pp);
		return;
	}
	if (pp->from_valid)
		r->pps_fallback++;
	vec_append(&r->vrps, &pp->vrps);
	vec_append(&r->vaps, &pp->vaps);
	vec_append(&r->brks, &pp->brks);
	pp->vaps.n = pp->brks.n = 0;	/* now owned by r */
	struct val_ca **kids = pp->kids.p;
	size_t nkids = pp->kids.n;
	size_t accepted = 0;
	for (size_t i = 0; i < nkids; i++) {
		if (!ski_add(r, kids[i]->cert->ski)) {
			val_warnx("%s: RFC 6487: duplicate SKI, certificate ignored", kids[i]->uri);
			ca_free(kids[i]);
			kids[i] = NULL;
			continue;
		}
		kids[i]->next_all = r->cas;
		r->cas = kids[i];
		accepted++;
	}
	pthread_mutex_unlock(&r->rmtx);
	if (pp->store)
		store_valid(r, pp);
	for (size_t i = 0; i < nkids; i++) {
		if (kids[i] == NULL)
			continue;
		struct job *j = job_new(JOB_PP);
		j->ca = kids[i];
		push(r, j);
	}
	pp->kids.n = 0;
	pp_free(pp);
}

/*
 * A file listed on the manifest: from dir, or else (missing or another
 * hash) from alt; *from_alt says which. NULL (logged) if neither has it.
 */
static uint8_t *read_listed(const char *mft_uri, const char *dir, const char *alt, const struct val_mft_file *mf,
			    size_t *len, bool *from_alt)
{
	uint8_t h[32], *buf = NULL;
	char *path = NULL;
	int err = ENOENT;
	bool bad_hash = false;

	*from_alt = false;
	for (int k = 0; k < 2; k++) {
		const char *d = k == 0 ? dir : alt;
		if (d == NULL)
			continue;
		path = xasprintf("%s/%s", d, mf->name);
		buf = val_read_file(path, MAX_OBJECT_FILE, len);
		free(path);
		if (buf == NULL) {
			if (k == 0 || err == ENOENT)
				err = errno;
			continue;
		}
		val_sha256(buf, *len, h);
		if (memcmp(h, mf->hash, 32) == 0) {
			*from_alt = k == 1;
			return buf;
		}
		if (k == 0)
			bad_hash = true;
		free(buf);
		buf = NULL;
	}
	if (bad_hash)
		val_warnx("%s: RFC 9286 section 6.5: %s does not match its hash on the manifest", mft_uri, mf->name);
	else
		val_warnx("%s: RFC 9286 section 6.4: %s listed on the manifest is %s", mft_uri, mf->name,
			  err == ENOENT ? "missing" : strerror(err));
	return NULL;
}

/* A candidate manifest with its CRL, checked against the CA. */
struct cand {
	struct val_mft *mft;
	struct val_crl *crl;
	char *crl_uri;
	bool crl_alt;
	bool stale;
	struct counts c;
};

static void cand_clear(struct cand *c)
{
	val_mft_free(c->mft);
	val_crl_free(c->crl);
	free(c->crl_uri);
	memset(c, 0, sizeof(*c));
}

/* Parse and check the manifest in buf, its CRL from dir (or alt), the
 * manifest's EE certificate and its times (RFC 9286 6.2-6.4). 0 or -1. */
static int cand_load(struct run *r, const struct val_ca *ca, const uint8_t *buf, size_t len, const char *fn,
		     const char *dir, const char *alt, bool last_valid, struct cand *c)
{
	const struct val_cert *cc = ca->cert;
	struct val_issuer iss = { .cert = cc, .key = ca->key, .res = &ca->eff };
	struct val_rset eff;
	const struct val_mft_file *crlf;
	uint8_t *cbuf;
	size_t clen;
	char tb[32];

	memset(c, 0, sizeof(*c));
	if ((c->mft = val_mft_parse(buf, len, fn)) == NULL)
		return -1;
	crlf = &c->mft->files[c->mft->crl];
	c->crl_uri = xasprintf("%s%s", cc->repo, crlf->name);
	if ((cbuf = read_listed(fn, dir, alt, crlf, &clen, &c->crl_alt)) == NULL)
		return -1;
	c->c.crls++;
	char *crl_fn = last_valid ? xasprintf("%s (last valid copy)", c->crl_uri) : c->crl_uri;
	c->crl = val_crl_parse(cbuf, clen, crl_fn);
	free(cbuf);
	if (c->crl == NULL || val_crl_check(c->crl, &iss, r->now, crl_fn) < 0) {
		c->c.crls_failed++;
		if (last_valid)
			free(crl_fn);
		return -1;
	}
	if (last_valid)
		free(crl_fn);
	iss.crl_uri = c->crl_uri;
	if (val_cert_check(c->mft->so.ee, &iss, c->crl, r->now, &eff, fn) < 0)
		return -1;
	if (r->now < c->mft->this_update) {
		val_warnx("%s: RFC 9286 section 6.3: manifest not yet valid (thisUpdate %s)", fn,
			  val_time_text(c->mft->this_update, tb, sizeof(tb)));
		c->stale = true;
	}
	if (r->now > c->mft->next_update) {
		val_warnx("%s: RFC 9286 section 6.3: manifest is stale (nextUpdate %s)", fn,
			  val_time_text(c->mft->next_update, tb, sizeof(tb)));
		c->stale = true;
	}
	return c->stale ? -1 : 0;
}

/* A manifest number as rpki-client prints it (hex, no leading zeros). */
static char *mft_num_text(const uint8_t num[20], char *buf)
{
	size_t i = 0;

	while (i < 19 && num[i] == 0)
		i++;
	for (size_t k = 0; i < 20; i++, k += 2)
		snprintf(buf + k, 3, "%02X", num[i]);
	return buf;
}

static void do_pp(struct run *r, struct val_ca *ca, bool valid_only)
{
	struct pp *pp = xcalloc(1, sizeof(*pp));
	const struct val_cert *cc = ca->cert;
	uint8_t *fbuf = NULL, *vbuf = NULL;
	size_t flen = 0, vlen = 0;
	char *fpath = NULL, *vpath = NULL, *vfn = NULL, nb1[48], nb2[48], tb1[32], tb2[32];
	struct cand c1, c2, *use = NULL;
	bool ok1 = false, ok2 = false, same = false;

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	pp->ca = ca;
	pthread_mutex_init(&pp->mtx, NULL);
	pp->vrps.size = sizeof(struct val_vrp);
	pp->vaps.size = sizeof(struct val_vap);
	pp->brks.size = sizeof(struct val_brk);
	pp->kids.size = sizeof(struct val_ca *);

	if ((pp->vdir = valid_path(r, cc->repo)) != NULL && (vpath = valid_path(r, cc->mft)) != NULL) {
		if (pp->vdir[strlen(pp->vdir) - 1] == '/')
			pp->vdir[strlen(pp->vdir) - 1] = '\0';
		vbuf = val_read_file(vpath, MAX_OBJECT_FILE, &vlen);
		pthread_mutex_lock(&r->rmtx);
		*(char **)vec_add(&r->vdirs) = xstrdup(pp->vdir);
		pthread_mutex_unlock(&r->rmtx);
	}
	if (!valid_only) {
		pp->repo = val_repo_get(r->repos, cc->notify, cc->repo);
		if (pp->repo == NULL || (fpath = val_repo_path(pp->repo, cc->mft)) == NULL ||
		    (pp->fdir = val_repo_path(pp->repo, cc->repo)) == NULL) {
			val_warnx("%s: no usable repository for %s", ca->uri, cc->repo);
		} else {
			if (pp->fdir[strlen(pp->fdir) - 1] == '/')
				pp->fdir[strlen(pp->fdir) - 1] = '\0';
			if ((fbuf = val_read_file(fpath, MAX_OBJECT_FILE, &flen)) == NULL)
				val_warnx("%s: manifest %s: %s", ca->uri, cc->mft, strerror(errno));
		}
	}
	same = fbuf != NULL && vbuf != NULL && flen == vlen && memcmp(fbuf, vbuf, flen) == 0;
	if (fbuf != NULL) {
		ok1 = cand_load(r, ca, fbuf, flen, cc->mft, pp->fdir, pp->vdir, false, &c1) == 0;
		if (c1.stale) {
			pthread_mutex_lock(&r->rmtx);
			r->mfts_stale++;
			pthread_mutex_unlock(&r->rmtx);
		}
	}
	/* the last valid copy: needed unless it is the manifest just checked */
	if (vbuf != NULL && !same) {
		vfn = xasprintf("%s (last valid copy)", cc->mft);
		ok2 = cand_load(r, ca, vbuf, vlen, vfn, pp->vdir, pp->fdir, true, &c2) == 0;
	}
	if (ok1 && ok2) {
		/* RFC 9286 section 4.2.1: manifestNumber and thisUpdate only go up */
		const char *why = NULL;
		if (memcmp(c1.mft->number, c2.mft->number, 20) < 0)
			why = "manifest number";
		else if (c1.mft->this_update < c2.mft->this_update)
			why = "thisUpdate";
		if (why != NULL) {
			val_warnx("%s: RFC 9286 section 4.2.1: %s went backwards (#%s of %s; the last valid copy "
				  "has #%s of %s), fetched manifest rejected", cc->mft, why,
				  mft_num_text(c1.mft->number, nb1), val_time_text(c1.mft->this_update, tb1, sizeof(tb1)),
				  mft_num_text(c2.mft->number, nb2), val_time_text(c2.mft->this_update, tb2, sizeof(tb2)));
			ok1 = false;
			pthread_mutex_lock(&r->rmtx);
			r->mfts_regressed++;
			pthread_mutex_unlock(&r->rmtx);
		}
	}
	if (ok1) {
		use = &c1;
		pp->dir = pp->fdir;
		pp->alt = pp->vdir;
		pp->store = !r->o->offline && !same && pp->vdir != NULL;
		pp->retry = ok2;
		pp->mft_buf = fbuf;
		pp->mft_len = flen;
		fbuf = NULL;
	} else if (ok2) {
		use = &c2;
		pp->dir = pp->vdir;
		pp->alt = pp->fdir;
		pp->from_valid = true;
		pp->mft_buf = vbuf;
		pp->mft_len = vlen;
		vbuf = NULL;
		val_warnx("%s: failed fetch, continuing with #%s from the last valid copy (nextUpdate %s)", cc->mft,
			  mft_num_text(c2.mft->number, nb2), val_time_text(c2.mft->next_update, tb2, sizeof(tb2)));
	} else {
		goto fail;
	}
	pp->mft = use->mft;
	pp->crl = use->crl;
	pp->crl_uri = use->crl_uri;
	counts_add(&pp->c, &use->c);
	pp->alt_used = xcalloc(pp->mft->nfiles ? pp->mft->nfiles : 1, sizeof(bool));
	pp->alt_used[pp->mft->crl] = use->crl_alt;
	use->mft = NULL;
	use->crl = NULL;
	use->crl_uri = NULL;
	cand_clear(&c1);
	cand_clear(&c2);
	free(fbuf);
	free(vbuf);
	free(fpath);
	free(vpath);
	free(vfn);

	pthread_mutex_lock(&r->rmtx);
	r->mfts++;
	pthread_mutex_unlock(&r->rmtx);
	pp->expires = min64(ca->expires, pp->crl->next_update);

	/* the files, in chunks */
	size_t n = pp->mft->nfiles, nchunks = (n + CHUNK_FILES - 1) / CHUNK_FILES;
	if (nchunks == 0) {
		pp_finish(r, pp);
		return;
	}
	atomic_store(&pp->pending, nchunks);
	for (size_t i = 0; i < nchunks; i++) {
		struct job *j = job_new(JOB_FILES);
		j->pp = pp;
		j->from = i * CHUNK_FILES;
		j->to = j->from + CHUNK_FILES < n ? j->from + CHUNK_FILES : n;
		push(r, j);
	}
	return;
fail:
	counts_add(&pp->c, &c1.c);
	cand_clear(&c1);
	cand_clear(&c2);
	free(fbuf);
	free(vbuf);
	free(fpath);
	free(vpath);
	free(vfn);
	pthread_mutex_lock(&r->rmtx);
	r->pps++;
	r->pps_failed++;
	r->mfts_failed++;
	counts_add(&r->c, &pp->c);
	pthread_mutex_unlock(&r->rmtx);
	val_warnx("%s: publication point rejected", cc->mft);
	pp_free(pp);
}

static const char *ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot + 1 : "";
}

/* One listed file, its hash already checked. */
static void do_file(struct run *r, struct pp *pp, const char *name, const uint8_t *buf, size_t len,
		    struct counts *c)
{
	const char *ext = ext_of(name);
	struct val_ca *ca = pp->ca;
	struct val_issuer iss = { .cert = ca->cert, .key = ca->key, .res = &ca->eff, .crl_uri = pp->crl_uri };
	struct val_rset eff;
	char *uri = xasprintf("%s%s", ca->cert->repo, name);

	if (strcasecmp(ext, "roa") == 0) {
		struct val_roa *roa;
		c->roas++;
		if ((roa = val_roa_parse(buf, len, uri)) == NULL || val_roa_check_ee(roa, uri) < 0 ||
		    val_cert_check(roa->so.ee, &iss, pp->crl, r->now, &eff, uri) < 0) {
			c->roas_failed++;
		} else {
			int64_t exp = min64(pp->expires, roa->so.ee->not_after);
			pthread_mutex_lock(&pp->mtx);
			for (size_t i = 0; i < roa->nips; i++) {
				struct val_vrp *v = vec_add(&pp->vrps);
				v->prefix = roa->ips[i].prefix;
				v->maxlen = roa->ips[i].maxlen;
				v->asn = roa->asid;
				v->ta = ca->ta;
				v->expires = exp;
			}
			pthread_mutex_unlock(&pp->mtx);
		}
		val_roa_free(roa);
	} else if (strcasecmp(ext, "asa") == 0) {
		struct val_aspa *a;
		c->aspas++;
		if ((a = val_aspa_parse(buf, len, uri)) == NULL || val_aspa_check_ee(a, uri) < 0 ||
		    val_cert_check(a->so.ee, &iss, pp->crl, r->now, &eff, uri) < 0) {
			c->aspas_failed++;
		} else {
			pthread_mutex_lock(&pp->mtx);
			struct val_vap *v = vec_add(&pp->vaps);
			v->customer = a->customer;
			v->providers = a->providers;
			v->nproviders = a->nproviders;
			v->ta = ca->ta;
			v->expires = min64(pp->expires, a->so.ee->not_after);
			a->providers = NULL;
			pthread_mutex_unlock(&pp->mtx);
		}
		val_aspa_free(a);
	} else if (strcasecmp(ext, "cer") == 0) {
		struct val_cert *cert;
		c->certs++;
		if ((cert = val_cert_parse(buf, len, uri)) == NULL ||
		    val_cert_check(cert, &iss, pp->crl, r->now, &eff, uri) < 0) {
			c->certs_failed++;
			val_cert_free(cert);
		} else if (cert->purpose == VAL_CERT_CA) {
			struct val_ca *kid;
			val_key *key;
			if (ca->depth + 1 >= MAX_DEPTH) {
				val_warnx("%s: certificate chain longer than %d", uri, MAX_DEPTH);
				c->certs_failed++;
				val_cert_free(cert);
			} else if ((key = val_key_from_spki(cert->spki.raw, cert->spki.rawlen, uri)) == NULL) {
				c->certs_failed++;
				val_cert_free(cert);
			} else {
				kid = xcalloc(1, sizeof(*kid));
				kid->parent = ca;
				kid->cert = cert;
				kid->key = key;
				kid->eff = eff;
				kid->expires = min64(ca->expires, cert->not_after);	/* chain only, as rpki-client */
				kid->ta = ca->ta;
				kid->depth = ca->depth + 1;
				kid->uri = uri;
				uri = NULL;
				pthread_mutex_lock(&pp->mtx);
				*(struct val_ca **)vec_add(&pp->kids) = kid;
				pthread_mutex_unlock(&pp->mtx);
			}
		} else if (cert->purpose == VAL_CERT_ROUTER) {
			int64_t exp = min64(pp->expires, cert->not_after);
			size_t added = 0;
			pthread_mutex_lock(&pp->mtx);
			for (size_t i = 0; i < cert->res.nas && added < 10000; i++)
				for (uint64_t as = cert->res.as[i].min; as <= cert->res.as[i].max && added < 10000;
				     as++, added++) {
					struct val_brk *b = vec_add(&pp->brks);
					b->asn = (uint32_t)as;
					memcpy(b->ski, cert->ski, 20);
					b->spki_len = cert->spki.rawlen;
					b->spki = xmalloc(b->spki_len);
					memcpy(b->spki, cert->spki.raw, b->spki_len);
					b->ta = ca->ta;
					b->expires = exp;
				}
			pthread_mutex_unlock(&pp->mtx);
			c->brks++;
			val_cert_free(cert);
		} else {
			val_warnx("%s: RFC 6487 section 4.8.1: EE certificate published as a .cer", uri);
			c->certs_failed++;
			val_cert_free(cert);
		}
	} else if (strcasecmp(ext, "gbr") == 0 || strcasecmp(ext, "tak") == 0) {
		struct val_signed so;
		bool gbr = strcasecmp(ext, "gbr") == 0;
		if (gbr)
			c->gbrs++;
		else
			c->taks++;
		if (val_cms_parse(buf, len, uri, gbr ? OID_CT_GBR : OID_CT_TAK,
				  gbr ? sizeof(OID_CT_GBR) - 1 : sizeof(OID_CT_TAK) - 1, &so) == 0) {
			(void)val_cert_check(so.ee, &iss, pp->crl, r->now, &eff, uri);
			val_signed_clear(&so);
		}
	} else if (strcasecmp(ext, "crl") == 0) {
		/* the manifest's one CRL: handled with the manifest */
	} else {
		val_debug("%s: unsupported file type, ignored", uri);
		c->other++;
	}
	free(uri);
}

static void do_files(struct run *r, struct job *j)
{
	struct pp *pp = j->pp;
	struct counts c;

	memset(&c, 0, sizeof(c));
	for (size_t i = j->from; i < j->to && !atomic_load(&pp->failed); i++) {
		const struct val_mft_file *mf = &pp->mft->files[i];
		uint8_t *buf;
		size_t len;
		if (i == pp->mft->crl)
			continue;
		buf = read_listed(pp->ca->cert->mft, pp->dir, pp->alt, mf, &len, &pp->alt_used[i]);
		if (buf == NULL) {
			atomic_store(&pp->failed, true);
			break;
		}
		do_file(r, pp, mf->name, buf, len, &c);
		free(buf);
	}
	pthread_mutex_lock(&pp->mtx);
	counts_add(&pp->c, &c);
	pthread_mutex_unlock(&pp->mtx);
	if (atomic_fetch_sub(&pp->pending, 1) == 1)
		pp_finish(r, pp);
}

/* ---- workers ------------------------------------------------------------------------------------ */

static void *worker(void *arg)
{
	struct run *r = arg;

	for (;;) {
		struct job *j;
		pthread_mutex_lock(&r->qmtx);
		while (r->head == NULL && r->active > 0)
			pthread_cond_wait(&r->qcond, &r->qmtx);
		if (r->head == NULL) {
			pthread_mutex_unlock(&r->qmtx);
			return NULL;
		}
		j = r->head;
		r->head = j->next;
		if (r->head == NULL)
			r->tail = NULL;
		pthread_mutex_unlock(&r->qmtx);

		switch (j->kind) {
		case JOB_TA:
			do_ta(r, j->tal);
			break;
		case JOB_PP:
			do_pp(r, j->ca, j->valid_only);
			break;
		case JOB_FILES:
			do_files(r, j);
			break;
		}
		free(j);
		pthread_mutex_lock(&r->qmtx);
		if (--r->active == 0)
			pthread_cond_broadcast(&r->qcond);
		pthread_mutex_unlock(&r->qmtx);
	}
}

/* ---- output ---------------------------------------------------------------------------------------- */

static int vrp_cmp(const void *a, const void *b)
{
	const struct val_vrp *x = a, *y = b;
	int c;

	if (x->prefix.family != y->prefix.family)
		return x->prefix.family < y->prefix.family ? -1 : 1;
	if ((c = memcmp(x->prefix.a, y->prefix.a, 16)) != 0)
		return c;
	if (x->prefix.len != y->prefix.len)
		return x->prefix.len < y->prefix.len ? -1 : 1;
	if (x->maxlen != y->maxlen)
		return x->maxlen < y->maxlen ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return 0;
}

static int vap_cmp(const void *a, const void *b)
{
	const struct val_vap *x = a, *y = b;
	return x->customer < y->customer ? -1 : x->customer > y->customer;
}

static int brk_cmp(const void *a, const void *b)
{
	const struct val_brk *x = a, *y = b;
	int c;

	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	if ((c = memcmp(x->ski, y->ski, 20)) != 0)
		return c;
	if (x->spki_len != y->spki_len)
		return x->spki_len < y->spki_len ? -1 : 1;
	return memcmp(x->spki, y->spki, x->spki_len);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts base[0..n) of `size`-byte elements by cmp and keeps the first of
 * each run of equal ones, folding every later one into it with merge (which
 * frees what the dropped one owns; NULL: nothing to fold). Returns how many
 * are kept, at the front. */
static size_t sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
			  void (*merge)(void *kept, void *dup))
{
	char *p = base, *last = NULL;
	size_t k = 0;

	if (n > 1)
		qsort(p, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		char *e = p + i * size;

		if (last != NULL && cmp(last, e) == 0) {
			if (merge != NULL)
				merge(last, e);
			continue;
		}
		last = p + k++ * size;
		if (last != e)
			memcpy(last, e, size);
	}
	return k;
}

/* VRPs: one per (prefix, maxLength, ASN): the latest expiry wins */
static void vrp_merge(void *kept, void *dup)
{
	struct val_vrp *m = kept;
	const struct val_vrp *d = dup;

	if (d->expires > m->expires)
		*m = *d;
}

/* ASPAs: one per customer, the union of the providers */
static void vap_merge(void *kept, void *dup)
{
	struct val_vap *m = kept, *d = dup;

	m->providers = xrealloc(m->providers, (m->nproviders + d->nproviders) * sizeof(uint32_t));
	memcpy(m->providers + m->nproviders, d->providers, d->nproviders * sizeof(uint32_t));
	m->nproviders = sort_unique(m->providers, m->nproviders + d->nproviders, sizeof(uint32_t), u32_cmp,
				    NULL);
	if (d->expires > m->expires)
		m->expires = d->expires;
	free(d->providers);
}

/* router keys: exact duplicates go */
static void brk_merge(void *kept, void *dup)
{
	(void)kept;
	free(((struct val_brk *)dup)->spki);
}

static void finish_output(struct run *r, struct val_output *out)
{
	out->vrps = r->vrps.p;
	out->nvrps = sort_unique(out->vrps, r->vrps.n, sizeof(*out->vrps), vrp_cmp, vrp_merge);
	out->stats.vrps = r->vrps.n;
	out->stats.vrps_unique = out->nvrps;
	r->vrps.p = NULL;

	out->vaps = r->vaps.p;
	out->nvaps = sort_unique(out->vaps, r->vaps.n, sizeof(*out->vaps), vap_cmp, vap_merge);
	out->stats.vaps = r->vaps.n;
	out->stats.vaps_unique = out->nvaps;
	r->vaps.p = NULL;

	out->brks = r->brks.p;
	out->nbrks = sort_unique(out->brks, r->brks.n, sizeof(*out->brks), brk_cmp, brk_merge);
	r->brks.p = NULL;
}

static double tv_sec(struct timeval tv)
{
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

struct val_output *val_run(const struct val_opts *o, char **errmsg)
{
	struct run r;
	struct val_output *out;
	struct timespec t0, t1;
	struct rusage ru_self, ru_kids;
	pthread_t *th;
	int nthreads, lockfd;
	char *tmp;

	*errmsg = NULL;
	if (o->ntals == 0) {
		*errmsg = xstrdup("no TAL files given");
		return NULL;
	}
	if (o->cache_dir == NULL || val_mkdirs(o->cache_dir) < 0) {
		*errmsg = xasprintf("%s: cannot create the cache directory: %s", o->cache_dir ? o->cache_dir : "(none)",
				    strerror(errno));
		return NULL;
	}
	tmp = xasprintf("%s/ta", o->cache_dir);
	val_mkdirs(tmp);
	free(tmp);
	/* One writer at a time per cache (the daemon and the command line may
	 * share one); offline runs only read. */
	tmp = xasprintf("%s/.lock", o->cache_dir);
	lockfd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(tmp);
	if (lockfd < 0 || flock(lockfd, o->offline ? LOCK_SH : LOCK_EX) < 0) {
		*errmsg = xasprintf("%s/.lock: %s", o->cache_dir, strerror(errno));
		if (lockfd >= 0)
			close(lockfd);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!o->offline && !o->rsync_only)
		val_http_global_init();	/* loads libcurl: only when it may fetch */

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.now = o->now ? (int64_t)o->now : (int64_t)time(NULL);
	r.repos = val_repos_new(o);
	pthread_mutex_init(&r.qmtx, NULL);
	pthread_cond_init(&r.qcond, NULL);
	pthread_mutex_init(&r.rmtx, NULL);
	r.vrps.size = sizeof(struct val_vrp);
	r.vaps.size = sizeof(struct val_vap);
	r.brks.size = sizeof(struct val_brk);
	r.vdirs.size = sizeof(char *);

	out = xcalloc(1, sizeof(*out));
	out->talfiles = xcalloc(o->ntals, sizeof(char *));
	out->ntalfiles = o->ntals;
	r.tals = xcalloc(o->ntals, sizeof(*r.tals));
	for (size_t i = 0; i < o->ntals; i++) {
		out->talfiles[i] = xstrdup(o->tals[i]);
		r.tals[i] = val_tal_load(o->tals[i]);
	}
	/* trust anchor names: the TAL names, in the given order */
	out->tas = xcalloc(o->ntals, sizeof(char *));
	out->ntas = o->ntals;
	for (size_t i = 0; i < o->ntals; i++) {
		if (r.tals[i] != NULL) {
			out->tas[i] = xstrdup(r.tals[i]->name);
			struct job *j = job_new(JOB_TA);
			j->tal = i;
			push(&r, j);
		} else {
			const char *s = strrchr(o->tals[i], '/');
			out->tas[i] = xstrdup(s ? s + 1 : o->tals[i]);
		}
	}

	nthreads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	th = xcalloc((size_t)nthreads, sizeof(*th));
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, &r) != 0)
			fatalx("cannot start a validator thread");
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	free(th);

	finish_output(&r, out);
	out->stats.tals = r.tals_ok;
	out->stats.invalid_tals = o->ntals - r.tals_ok;
	out->stats.certs = r.c.certs;
	out->stats.certs_failed = r.c.certs_failed;
	out->stats.mfts = r.mfts;
	out->stats.mfts_failed = r.mfts_failed;
	out->stats.mfts_stale = r.mfts_stale;
	out->stats.crls = r.c.crls;
	out->stats.crls_failed = r.c.crls_failed;
	out->stats.roas = r.c.roas;
	out->stats.roas_failed = r.c.roas_failed;
	out->stats.aspas = r.c.aspas;
	out->stats.aspas_failed = r.c.aspas_failed;
	out->stats.brks = r.c.brks;
	out->stats.gbrs = r.c.gbrs;
	out->stats.taks = r.c.taks;
	out->stats.other_files = r.c.other;
	out->stats.pubpoints = r.pps;
	out->stats.pubpoints_failed = r.pps_failed;
	out->stats.pubpoints_fallback = r.pps_fallback;
	out->stats.mfts_regressed = r.mfts_regressed;
	val_repos_stats(r.repos, &out->stats.repos, &out->stats.repos_rrdp, &out->stats.repos_rsync,
			&out->stats.repos_failed);

	/* A completed online run (every TAL gave its trust anchor): what no
	 * publication point referenced leaves the cache (val_prune.c). */
	if (!o->offline && r.tals_ok == o->ntals) {
		char **fdirs = NULL;
		size_t nfdirs = val_repos_dirs(r.repos, &fdirs);
		val_cache_prune(o->cache_dir, r.vdirs.p, r.vdirs.n, fdirs, nfdirs, !o->rsync_only);
		for (size_t i = 0; i < nfdirs; i++)
			free(fdirs[i]);
		free(fdirs);
	}
	for (size_t i = 0; i < r.vdirs.n; i++)
		free(((char **)r.vdirs.p)[i]);
	free(r.vdirs.p);

	for (struct val_ca *ca = r.cas, *next; ca != NULL; ca = next) {
		next = ca->next_all;
		ca_free(ca);
	}
	for (size_t i = 0; i < o->ntals; i++)
		val_tal_free(r.tals[i]);
	free(r.tals);
	free(r.skis);
	val_repos_free(r.repos);
	pthread_mutex_destroy(&r.qmtx);
	pthread_cond_destroy(&r.qcond);
	pthread_mutex_destroy(&r.rmtx);

	close(lockfd);	/* releases the lock */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru_self);
	getrusage(RUSAGE_CHILDREN, &ru_kids);
	out->stats.elapsed = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	out->stats.user = tv_sec(ru_self.ru_utime) + tv_sec(ru_kids.ru_utime);
	out->stats.system = tv_sec(ru_self.ru_stime) + tv_sec(ru_kids.ru_stime);
	return out;
}

void val_output_free(struct val_output *out)
{
	if (out == NULL)
		return;
	for (size_t i = 0; i < out->ntas; i++)
		free(out->tas[i]);
	free(out->tas);
	for (size_t i = 0; i < out->ntalfiles; i++)
		free(out->talfiles[i]);
	free(out->talfiles);
	free(out->vrps);
	for (size_t i = 0; i < out->nvaps; i++)
		free(out->vaps[i].providers);
	free(out->vaps);
	for (size_t i = 0; i < out->nbrks; i++)
		free(out->brks[i].spki);
	free(out->brks);
	free(out);
}
