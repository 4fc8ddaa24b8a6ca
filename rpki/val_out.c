/*
 * val_out.c - the validator's output in rpki-client's formats: -j JSON
 * (metadata, roas, bgpsec_keys, aspas) and -c CSV.
 */
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
