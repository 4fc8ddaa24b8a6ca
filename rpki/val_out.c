/*
 * val_out.c - the validator's output in rpki-client's formats: -j JSON
 * (metadata, roas, bgpsec_keys, aspas) and -c CSV.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int val_output_json(const struct val_output *out, FILE *f)
{
	const struct val_stats *s = &out->stats;
	char host[256] = "", now[32], pfx[IP_PREFIX_STRLEN];
	time_t t = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);

	fprintf(f, "{\n\t\"metadata\": {\n\t\t\"buildmachine\": ");
	json_str(f, host);
	fprintf(f, ",\n\t\t\"buildtime\": \"%s\",\n", now);
	fprintf(f, "\t\t\"elapsedtime\": %lld,\n\t\t\"usertime\": %lld,\n\t\t\"systemtime\": %lld,\n",
		(long long)s->elapsed, (long long)s->user, (long long)s->system);
	fprintf(f, "\t\t\"roas\": %zu,\n\t\t\"failedroas\": %zu,\n\t\t\"invalidroas\": 0,\n", s->roas,
		s->roas_failed);
	fprintf(f, "\t\t\"aspas\": %zu,\n\t\t\"failedaspas\": %zu,\n\t\t\"invalidaspas\": 0,\n", s->aspas,
		s->aspas_failed);
	fprintf(f, "\t\t\"bgpsec_pubkeys\": %zu,\n", s->brks);
	fprintf(f, "\t\t\"certificates\": %zu,\n\t\t\"invalidcertificates\": %zu,\n", s->certs, s->certs_failed);
	fprintf(f, "\t\t\"taks\": %zu,\n\t\t\"tals\": %zu,\n\t\t\"invalidtals\": %zu,\n\t\t\"talfiles\": [", s->taks,
		s->tals, s->invalid_tals);
	for (size_t i = 0; i < out->ntalfiles; i++) {
		fprintf(f, "%s\n\t\t\t", i ? "," : "");
		json_str(f, out->talfiles[i]);
	}
	fprintf(f, "\n\t\t],\n");
	fprintf(f, "\t\t\"manifests\": %zu,\n\t\t\"failedmanifests\": %zu,\n\t\t\"stalemanifests\": %zu,\n", s->mfts,
		s->mfts_failed, s->mfts_stale);
	/* extensions: publication points validated from their last valid copy,
	 * fetched manifests rejected for going backwards (RFC 9286 4.2.1) */
	fprintf(f, "\t\t\"pubpoints\": %zu,\n\t\t\"failedpubpoints\": %zu,\n\t\t\"cachedpubpoints\": %zu,\n"
		"\t\t\"regressedmanifests\": %zu,\n\t\t\"failedrepositories\": %zu,\n", s->pubpoints,
		s->pubpoints_failed, s->pubpoints_fallback, s->mfts_regressed, s->repos_failed);
	fprintf(f, "\t\t\"crls\": %zu,\n\t\t\"gbrs\": %zu,\n\t\t\"repositories\": %zu,\n", s->crls, s->gbrs, s->repos);
	fprintf(f, "\t\t\"vrps\": %zu,\n\t\t\"uniquevrps\": %zu,\n\t\t\"vaps\": %zu,\n\t\t\"uniquevaps\": %zu\n",
		s->vrps, s->vrps_unique, s->vaps, s->vaps_unique);
	fprintf(f, "\t},\n\n\t\"roas\": [\n");
	for (size_t i = 0; i < out->nvrps; i++) {
		const struct val_vrp *v = &out->vrps[i];
		fprintf(f, "\t\t{ \"asn\": %u, \"prefix\": \"%s\", \"maxLength\": %u, \"ta\": ", v->asn,
			ip_prefix_format(&v->prefix, pfx, sizeof(pfx)), v->maxlen);
		json_str(f, v->ta < out->ntas ? out->tas[v->ta] : "");
		fprintf(f, ", \"expires\": %lld }%s\n", (long long)v->expires, i + 1 < out->nvrps ? "," : "");
	}
	fprintf(f, "\t],\n\n\t\"bgpsec_keys\": [\n");
	for (size_t i = 0; i < out->nbrks; i++) {
		const struct val_brk *b = &out->brks[i];
		char ski[41], *key = val_base64_encode(b->spki, b->spki_len);
		static const char hx[] = "0123456789ABCDEF";
		for (size_t k = 0; k < 20; k++) {
			ski[2 * k] = hx[b->ski[k] >> 4];
			ski[2 * k + 1] = hx[b->ski[k] & 15];
		}
		ski[40] = '\0';
		fprintf(f, "\t\t{ \"asn\": %u, \"ski\": \"%s\", \"pubkey\": \"%s\", \"ta\": ", b->asn, ski, key);
		json_str(f, b->ta < out->ntas ? out->tas[b->ta] : "");
		fprintf(f, ", \"expires\": %lld }%s\n", (long long)b->expires, i + 1 < out->nbrks ? "," : "");
		free(key);
	}
	fprintf(f, "\t],\n\n\t\"aspas\": [\n");
	for (size_t i = 0; i < out->nvaps; i++) {
		const struct val_vap *a = &out->vaps[i];
		fprintf(f, "\t\t{ \"customer_asid\": %u, \"expires\": %lld, \"providers\": [", a->customer,
			(long long)a->expires);
		for (size_t k = 0; k < a->nproviders; k++)
			fprintf(f, "%s%u", k ? ", " : "", a->providers[k]);
		fprintf(f, "] }%s\n", i + 1 < out->nvaps ? "," : "");
	}
	fprintf(f, "\t]\n}\n");
	return ferror(f) ? -1 : 0;
}

int val_output_csv(const struct val_output *out, FILE *f)
{
	char pfx[IP_PREFIX_STRLEN];

	fprintf(f, "ASN,IP Prefix,Max Length,Trust Anchor\n");
	for (size_t i = 0; i < out->nvrps; i++) {
		const struct val_vrp *v = &out->vrps[i];
		fprintf(f, "AS%u,%s,%u,%s\n", v->asn, ip_prefix_format(&v->prefix, pfx, sizeof(pfx)), v->maxlen,
			v->ta < out->ntas ? out->tas[v->ta] : "");
	}
	return ferror(f) ? -1 : 0;
}

/* ---- the daemon's form: a run's output from a child process ---------------------------- */

/*
 * Layout (host byte order: the same build writes and reads it):
 *   "IRRDVAL1", u32 sizeof(struct val_stats), the stats,
 *   u32 ntas, ntas x (u32 len, bytes), u32 ntalfiles, the same,
 *   u64 nvrps, nvrps x (u8 family, u8 len, u8 maxlen, 16 address, u32 asn, u32 ta, i64 expires),
 *   u64 nvaps, nvaps x (u32 customer, u32 ta, i64 expires, u32 n, n x u32 provider),
 *   u64 nbrks, nbrks x (u32 asn, 20 ski, u32 ta, i64 expires, u32 len, len bytes),
 *   "END1".
 */
#define IPC_MAGIC "IRRDVAL1"
#define IPC_END "END1"
#define IPC_MAX_STR 4096
#define IPC_MAX_SPKI 4096

struct wbuf {
	uint8_t *p;
	size_t n, cap;
};

static void wput(struct wbuf *w, const void *d, size_t len)
{
	if (w->n + len > w->cap) {
		w->cap = (w->n + len) * 2 + 4096;
		w->p = xrealloc(w->p, w->cap);
	}
	memcpy(w->p + w->n, d, len);
	w->n += len;
}

static void wu32(struct wbuf *w, uint32_t v)
{
	wput(w, &v, sizeof(v));
}

static void wu64(struct wbuf *w, uint64_t v)
{
	wput(w, &v, sizeof(v));
}

static void wstrs(struct wbuf *w, char *const *s, size_t n)
{
	wu32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t l = s[i] ? strlen(s[i]) : 0;
		if (l > IPC_MAX_STR)
			l = IPC_MAX_STR;
		wu32(w, (uint32_t)l);
		wput(w, s[i] ? s[i] : "", l);
	}
}

int val_output_write(const struct val_output *out, int fd)
{
	struct wbuf w = { 0 };
	uint32_t ss = sizeof(struct val_stats);
	size_t off = 0;
	int rc = 0;

	wput(&w, IPC_MAGIC, 8);
	wu32(&w, ss);
	wput(&w, &out->stats, ss);
	wstrs(&w, out->tas, out->ntas);
	wstrs(&w, out->talfiles, out->ntalfiles);
	wu64(&w, out->nvrps);
	for (size_t i = 0; i < out->nvrps; i++) {
		const struct val_vrp *v = &out->vrps[i];
		wput(&w, &v->prefix.family, 1);
		wput(&w, &v->prefix.len, 1);
		wput(&w, &v->maxlen, 1);
		wput(&w, v->prefix.a, 16);
		wu32(&w, v->asn);
		wu32(&w, v->ta);
		wu64(&w, (uint64_t)v->expires);
	}
	wu64(&w, out->nvaps);
	for (size_t i = 0; i < out->nvaps; i++) {
		const struct val_vap *a = &out->vaps[i];
		wu32(&w, a->customer);
		wu32(&w, a->ta);
		wu64(&w, (uint64_t)a->expires);
		wu32(&w, (uint32_t)a->nproviders);
		wput(&w, a->providers, a->nproviders * sizeof(uint32_t));
	}
	wu64(&w, out->nbrks);
	for (size_t i = 0; i < out->nbrks; i++) {
		const struct val_brk *b = &out->brks[i];
		wu32(&w, b->asn);
		wput(&w, b->ski, 20);
		wu32(&w, b->ta);
		wu64(&w, (uint64_t)b->expires);
		wu32(&w, (uint32_t)b->spki_len);
		wput(&w, b->spki, b->spki_len);
	}
	wput(&w, IPC_END, 4);
	while (off < w.n) {
		ssize_t k = write(fd, w.p + off, w.n - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)k;
	}
	free(w.p);
	return rc;
}

struct rbuf {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static void rget(struct rbuf *r, void *d, size_t len)
{
	if (r->bad || r->left < len) {
		r->bad = true;
		memset(d, 0, len);
		return;
	}
	memcpy(d, r->p, len);
	r->p += len;
	r->left -= len;
}

static uint32_t ru32(struct rbuf *r)
{
	uint32_t v;
	rget(r, &v, sizeof(v));
	return v;
}

static uint64_t ru64(struct rbuf *r)
{
	uint64_t v;
	rget(r, &v, sizeof(v));
	return v;
}

/* A count of records of at least min bytes each that the rest can hold. */
static size_t rcount(struct rbuf *r, uint64_t n, size_t min)
{
	if (r->bad || n > r->left / min) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

static char **rstrs(struct rbuf *r, size_t *n)
{
	size_t cnt = rcount(r, ru32(r), 4);
	char **v = xcalloc(cnt ? cnt : 1, sizeof(char *));

	*n = cnt;
	for (size_t i = 0; i < cnt; i++) {
		uint32_t l = ru32(r);
		if (l > IPC_MAX_STR || l > r->left || memchr(r->p, 0, l) != NULL)
			r->bad = true;
		if (r->bad) {
			v[i] = xstrdup("");
			continue;
		}
		v[i] = xstrndup((const char *)r->p, l);
		r->p += l;
		r->left -= l;
	}
	return v;
}

struct val_output *val_output_read(const uint8_t *buf, size_t len, char **errmsg)
{
	struct rbuf r = { .p = buf, .left = len };
	struct val_output *out = xcalloc(1, sizeof(*out));
	char magic[8], end[4];
	const char *what = "truncated";

	*errmsg = NULL;
	rget(&r, magic, 8);
	if (r.bad || memcmp(magic, IPC_MAGIC, 8) != 0) {
		what = "not the validator's output";
		goto bad;
	}
	if (ru32(&r) != sizeof(struct val_stats)) {
		what = "written by another build";
		goto bad;
	}
	rget(&r, &out->stats, sizeof(out->stats));
	out->tas = rstrs(&r, &out->ntas);
	out->talfiles = rstrs(&r, &out->ntalfiles);
	if (r.bad)
		goto bad;
	out->nvrps = rcount(&r, ru64(&r), 35);
	out->vrps = xcalloc(out->nvrps ? out->nvrps : 1, sizeof(*out->vrps));
	for (size_t i = 0; i < out->nvrps && !r.bad; i++) {
		struct val_vrp *v = &out->vrps[i];
		rget(&r, &v->prefix.family, 1);
		rget(&r, &v->prefix.len, 1);
		rget(&r, &v->maxlen, 1);
		rget(&r, v->prefix.a, 16);
		v->asn = ru32(&r);
		v->ta = ru32(&r);
		v->expires = (int64_t)ru64(&r);
		unsigned bits = v->prefix.family == 4 ? 32 : 128;
		if ((v->prefix.family != 4 && v->prefix.family != 6) || v->prefix.len > bits || v->maxlen > bits ||
		    v->maxlen < v->prefix.len || v->ta >= out->ntas) {
			what = "a malformed VRP";
			goto bad;
		}
	}
	if (r.bad)
		goto bad;
	out->nvaps = rcount(&r, ru64(&r), 20);
	out->vaps = xcalloc(out->nvaps ? out->nvaps : 1, sizeof(*out->vaps));
	for (size_t i = 0; i < out->nvaps && !r.bad; i++) {
		struct val_vap *a = &out->vaps[i];
		a->customer = ru32(&r);
		a->ta = ru32(&r);
		a->expires = (int64_t)ru64(&r);
		a->nproviders = rcount(&r, ru32(&r), 4);
		a->providers = xcalloc(a->nproviders ? a->nproviders : 1, sizeof(uint32_t));
		rget(&r, a->providers, a->nproviders * sizeof(uint32_t));
		if (a->ta >= out->ntas) {
			what = "a malformed ASPA";
			goto bad;
		}
	}
	if (r.bad)
		goto bad;
	out->nbrks = rcount(&r, ru64(&r), 40);
	out->brks = xcalloc(out->nbrks ? out->nbrks : 1, sizeof(*out->brks));
	for (size_t i = 0; i < out->nbrks && !r.bad; i++) {
		struct val_brk *b = &out->brks[i];
		b->asn = ru32(&r);
		rget(&r, b->ski, 20);
		b->ta = ru32(&r);
		b->expires = (int64_t)ru64(&r);
		b->spki_len = ru32(&r);
		if (b->spki_len > IPC_MAX_SPKI || b->ta >= out->ntas) {
			what = "a malformed router key";
			goto bad;
		}
		b->spki = xmalloc(b->spki_len ? b->spki_len : 1);
		rget(&r, b->spki, b->spki_len);
	}
	rget(&r, end, 4);
	if (r.bad || memcmp(end, IPC_END, 4) != 0 || r.left != 0) {
		what = r.bad ? "truncated" : "trailing bytes";
		goto bad;
	}
	return out;
bad:
	*errmsg = xasprintf("validator output: %s", what);
	val_output_free(out);
	return NULL;
}
