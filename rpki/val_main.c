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
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rpki/rpki.h"
#include "rpki/rtr.h"
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
	char *dir;		/* local directory of the caRepository */
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
	uint8_t (*skis)[20];	/* open addressing set of CA SKIs */
	size_t nskis, skicap;
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

/* ---- publication points ------------------------------------------------------------------------ */

static void pp_free(struct pp *pp)
{
	val_mft_free(pp->mft);
	val_crl_free(pp->crl);
	free(pp->crl_uri);
	free(pp->dir);
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

static uint8_t *read_listed(struct pp *pp, const struct val_mft_file *mf, size_t *len, char **path)
{
	uint8_t h[32], *buf;

	*path = xasprintf("%s/%s", pp->dir, mf->name);
	buf = val_read_file(*path, MAX_OBJECT_FILE, len);
	if (buf == NULL) {
		val_warnx("%s: RFC 9286 section 6.4: %s listed on the manifest is %s", pp->ca->cert->mft, mf->name,
			  errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	val_sha256(buf, *len, h);
	if (memcmp(h, mf->hash, 32) != 0) {
		val_warnx("%s: RFC 9286 section 6.5: %s does not match its hash on the manifest", pp->ca->cert->mft,
			  mf->name);
		free(buf);
		return NULL;
	}
	return buf;
}

static void do_pp(struct run *r, struct val_ca *ca)
{
	struct pp *pp = xcalloc(1, sizeof(*pp));
	const struct val_cert *cc = ca->cert;
	struct val_issuer iss = { .cert = cc, .key = ca->key, .res = &ca->eff };
	struct val_rset eff;
	uint8_t *buf = NULL;
	size_t len;
	char *path = NULL, tb[32];
	const struct val_mft_file *crlf;
	bool stale = false;

	pp->ca = ca;
	pthread_mutex_init(&pp->mtx, NULL);
	pp->vrps.size = sizeof(struct val_vrp);
	pp->vaps.size = sizeof(struct val_vap);
	pp->brks.size = sizeof(struct val_brk);
	pp->kids.size = sizeof(struct val_ca *);

	pp->repo = val_repo_get(r->repos, cc->notify, cc->repo);
	if (pp->repo == NULL || (path = val_repo_path(pp->repo, cc->mft)) == NULL ||
	    (pp->dir = val_repo_path(pp->repo, cc->repo)) == NULL) {
		val_warnx("%s: no usable repository for %s", ca->uri, cc->repo);
		goto fail;
	}
	if (pp->dir[strlen(pp->dir) - 1] == '/')
		pp->dir[strlen(pp->dir) - 1] = '\0';
	if ((buf = val_read_file(path, MAX_OBJECT_FILE, &len)) == NULL) {
		val_warnx("%s: manifest %s: %s", ca->uri, cc->mft, strerror(errno));
		goto fail;
	}
	if ((pp->mft = val_mft_parse(buf, len, cc->mft)) == NULL)
		goto fail;
	free(buf);
	buf = NULL;

	/* the CRL named on the manifest (RFC 9286 6.4) */
	crlf = &pp->mft->files[pp->mft->crl];
	pp->crl_uri = xasprintf("%s%s", cc->repo, crlf->name);
	{
		char *cpath = NULL;
		buf = read_listed(pp, crlf, &len, &cpath);
		free(cpath);
		if (buf == NULL)
			goto fail;
		pp->c.crls++;
		if ((pp->crl = val_crl_parse(buf, len, pp->crl_uri)) == NULL ||
		    val_crl_check(pp->crl, &iss, r->now, pp->crl_uri) < 0) {
			pp->c.crls_failed++;
			goto fail;
		}
		free(buf);
		buf = NULL;
	}
	iss.crl_uri = pp->crl_uri;
	if (val_cert_check(pp->mft->so.ee, &iss, pp->crl, r->now, &eff, cc->mft) < 0)
		goto fail;
	if (r->now < pp->mft->this_update) {
		val_warnx("%s: RFC 9286 section 6.3: manifest not yet valid (thisUpdate %s)", cc->mft,
			  val_time_text(pp->mft->this_update, tb, sizeof(tb)));
		stale = true;
	}
	if (r->now > pp->mft->next_update) {
		val_warnx("%s: RFC 9286 section 6.3: manifest is stale (nextUpdate %s)", cc->mft,
			  val_time_text(pp->mft->next_update, tb, sizeof(tb)));
		stale = true;
	}
	if (stale) {
		pthread_mutex_lock(&r->rmtx);
		r->mfts_stale++;
		pthread_mutex_unlock(&r->rmtx);
		goto fail;
	}
	pthread_mutex_lock(&r->rmtx);
	r->mfts++;
	pthread_mutex_unlock(&r->rmtx);
	pp->expires = min64(ca->expires, pp->crl->next_update);
	free(path);

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
	free(buf);
	free(path);
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
		char *path;
		if (i == pp->mft->crl)
			continue;
		buf = read_listed(pp, mf, &len, &path);
		free(path);
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
			do_pp(r, j->ca);
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

static void finish_output(struct run *r, struct val_output *out)
{
	struct val_vrp *v = r->vrps.p;
	struct val_vap *a = r->vaps.p;
	struct val_brk *b = r->brks.p;
	size_t n, k;

	/* VRPs: sorted, one per (prefix, maxLength, ASN): the latest expiry wins */
	n = r->vrps.n;
	if (n > 1)
		qsort(v, n, sizeof(*v), vrp_cmp);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && vrp_cmp(&v[k - 1], &v[i]) == 0) {
			if (v[i].expires > v[k - 1].expires)
				v[k - 1] = v[i];
			continue;
		}
		v[k++] = v[i];
	}
	out->vrps = v;
	out->nvrps = k;
	out->stats.vrps = n;
	out->stats.vrps_unique = k;
	r->vrps.p = NULL;

	/* ASPAs: one per customer, the union of the providers */
	n = r->vaps.n;
	if (n > 1)
		qsort(a, n, sizeof(*a), vap_cmp);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && a[k - 1].customer == a[i].customer) {
			struct val_vap *m = &a[k - 1];
			m->providers = xrealloc(m->providers, (m->nproviders + a[i].nproviders) * sizeof(uint32_t));
			memcpy(m->providers + m->nproviders, a[i].providers, a[i].nproviders * sizeof(uint32_t));
			m->nproviders += a[i].nproviders;
			qsort(m->providers, m->nproviders, sizeof(uint32_t), u32_cmp);
			size_t u = 0;
			for (size_t x = 0; x < m->nproviders; x++)
				if (u == 0 || m->providers[u - 1] != m->providers[x])
					m->providers[u++] = m->providers[x];
			m->nproviders = u;
			if (a[i].expires > m->expires)
				m->expires = a[i].expires;
			free(a[i].providers);
			continue;
		}
		a[k++] = a[i];
	}
	out->vaps = a;
	out->nvaps = k;
	out->stats.vaps = n;
	out->stats.vaps_unique = k;
	r->vaps.p = NULL;

	n = r->brks.n;
	if (n > 1)
		qsort(b, n, sizeof(*b), brk_cmp);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && brk_cmp(&b[k - 1], &b[i]) == 0) {
			free(b[i].spki);
			continue;
		}
		b[k++] = b[i];
	}
	out->brks = b;
	out->nbrks = k;
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
	val_http_global_init();

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
	val_repos_stats(r.repos, &out->stats.repos, &out->stats.repos_rrdp, &out->stats.repos_rsync,
			&out->stats.repos_failed);

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

struct roa_set *val_output_roa_set(const struct val_output *out, const struct slurm *slurm)
{
	struct roa *roas = xcalloc(out->nvrps ? out->nvrps : 1, sizeof(*roas));
	struct roa_set *set;

	for (size_t i = 0; i < out->nvrps; i++) {
		roas[i].prefix = out->vrps[i].prefix;
		roas[i].maxlen = out->vrps[i].maxlen;
		roas[i].asn = out->vrps[i].asn;
		roas[i].ta = out->vrps[i].ta;
	}
	set = roa_set_new(roas, out->nvrps, (const char *const *)out->tas, out->ntas, slurm);
	free(roas);
	return set;
}

int val_output_rtr(const struct val_output *out, struct rtr_set *set)
{
	for (size_t i = 0; i < out->nvrps; i++) {
		struct rtr_vrp v = { .prefix = out->vrps[i].prefix, .max_len = out->vrps[i].maxlen,
				     .asn = out->vrps[i].asn };
		if (rtr_set_add_vrp(set, &v) < 0)
			return -1;
	}
	for (size_t i = 0; i < out->nvaps; i++)
		if (out->vaps[i].nproviders <= RTR_ASPA_MAX_PROVIDERS &&
		    rtr_set_add_aspa(set, out->vaps[i].customer, out->vaps[i].providers, out->vaps[i].nproviders) < 0)
			return -1;
	for (size_t i = 0; i < out->nbrks; i++)
		if (rtr_set_add_router_key(set, out->brks[i].ski, out->brks[i].asn, out->brks[i].spki,
					   out->brks[i].spki_len) < 0)
			return -1;
	return 0;
}
