/*
 * val_tal.c - Trust Anchor Locators (RFC 8630) and the check of the trust
 * anchor certificate they point at.
 *
 * A TAL is an optional block of comment lines ("#..."), one or more URIs
 * (rsync:// or https://) one per line, an empty line, and the base64 of
 * the TA's SubjectPublicKeyInfo, possibly over several lines. Lines end in
 * LF or CRLF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_TAL_SIZE (64 * 1024)
#define MAX_TAL_URIS 32

struct val_tal *val_tal_parse(const char *buf, size_t len, const char *fn)
{
	struct val_tal *t = xcalloc(1, sizeof(*t));
	const char *p = buf, *end = buf + len, *base, *slash;
	bool comments = true;
	size_t n;

	if (len > MAX_TAL_SIZE || memchr(buf, '\0', len) != NULL) {
		val_warnx("%s: RFC 8630 section 2.2: not a TAL (binary or larger than %d bytes)", fn, MAX_TAL_SIZE);
		goto fail;
	}
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le;
		char *line;
		if (nl == NULL) {
			val_warnx("%s: RFC 8630 section 2.2: missing empty line before the public key", fn);
			goto fail;
		}
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		n = (size_t)(le - p);
		if (comments && n > 0 && p[0] == '#') {
			p = nl + 1;
			continue;
		}
		comments = false;
		if (n == 0) {
			p = nl + 1;
			break;
		}
		line = xstrndup(p, n);
		p = nl + 1;
		if (val_uri_check(line, VAL_URI_RSYNC | VAL_URI_HTTPS) == NULL) {
			val_warnx("%s: RFC 8630 section 2.2: invalid or unsupported URI: %.200s", fn, line);
			free(line);
			goto fail;
		}
		if (t->nuris == MAX_TAL_URIS) {
			val_warnx("%s: RFC 8630 section 2.2: more than %d URIs", fn, MAX_TAL_URIS);
			free(line);
			goto fail;
		}
		if (n < 4 || strcasecmp(line + n - 4, ".cer") != 0)
			val_warnx("%s: RFC 8630 section 2.2: not a certificate URL: %s (kept, tried last)", fn, line);
		t->uris = xrealloc(t->uris, (t->nuris + 1) * sizeof(*t->uris));
		t->uris[t->nuris++] = line;
	}
	if (t->nuris == 0) {
		val_warnx("%s: RFC 8630 section 2.2: no URIs in TAL file", fn);
		goto fail;
	}
	t->spki = val_base64_decode(p, (size_t)(end - p), &t->spki_len);
	if (t->spki == NULL || t->spki_len == 0) {
		val_warnx("%s: RFC 8630 section 2.2: subjectPublicKeyInfo: bad base64", fn);
		goto fail;
	}
	{
		struct der d, f[2], alg[2];
		const char *what = NULL;
		if (der_read_all(t->spki, t->spki_len, &d) < 0 || DER_SEQ(&d, DER_SEQUENCE, tmpl_spki, f, &what) < 0 ||
		    DER_SEQ(&f[SPKI_ALG], DER_SEQUENCE, tmpl_algorithm, alg, &what) < 0) {
			val_warnx("%s: RFC 8630 section 2.2: subjectPublicKeyInfo: failed public key parse", fn);
			goto fail;
		}
		val_key *k = val_key_from_spki(t->spki, t->spki_len, fn);
		if (k == NULL)
			goto fail;
		val_key_free(k);
	}
	/* The name: the file name without directories and ".tal". */
	slash = strrchr(fn, '/');
	base = slash ? slash + 1 : fn;
	n = strlen(base);
	if (n > 4 && strcasecmp(base + n - 4, ".tal") == 0)
		n -= 4;
	t->name = xstrndup(base, n);
	return t;
fail:
	val_tal_free(t);
	return NULL;
}

struct val_tal *val_tal_load(const char *path)
{
	size_t len;
	uint8_t *buf = val_read_file(path, MAX_TAL_SIZE, &len);
	struct val_tal *t;

	if (buf == NULL) {
		val_warnx("%s: %s", path, errno == EFBIG ? "file too large for a TAL" : strerror(errno));
		return NULL;
	}
	t = val_tal_parse((const char *)buf, len, path);
	free(buf);
	return t;
}

void val_tal_free(struct val_tal *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nuris; i++)
		free(t->uris[i]);
	free(t->uris);
	free(t->spki);
	free(t->name);
	free(t);
}

int val_ta_check(const struct val_cert *c, const struct val_tal *tal, int64_t now, const char *fn)
{
	const uint8_t *sig;
	size_t siglen;
	unsigned unused;
	val_key *k;
	char tb[32];
	int rc;

	if (c->spki.rawlen != tal->spki_len || memcmp(c->spki.raw, tal->spki, tal->spki_len) != 0) {
		val_warnx("%s: RFC 8630 section 3: trust anchor public key does not match the TAL's", fn);
		return -1;
	}
	if (c->purpose != VAL_CERT_CA) {
		val_warnx("%s: RFC 6487 section 4.8.1: trust anchor is not a CA certificate", fn);
		return -1;
	}
	if (c->has_aki && memcmp(c->aki, c->ski, 20) != 0) {
		val_warnx("%s: RFC 6487 section 4.8.3: trust anchor AKI does not match its SKI", fn);
		return -1;
	}
	if (c->issuer.rawlen != c->subject.rawlen || memcmp(c->issuer.raw, c->subject.raw, c->issuer.rawlen)) {
		val_warnx("%s: RFC 6487 section 4.4: trust anchor is not self-issued", fn);
		return -1;
	}
	if (c->crldp != NULL) {
		val_warnx("%s: RFC 6487 section 4.8.6: trust anchor with a CRL distribution point", fn);
		return -1;
	}
	if (c->aia != NULL) {
		val_warnx("%s: RFC 6487 section 4.8.7: trust anchor with an AIA", fn);
		return -1;
	}
	if (val_res_inherits(&c->res)) {
		val_warnx("%s: RFC 8630 section 2.3: trust anchor IP/AS resources may not inherit", fn);
		return -1;
	}
	if (now < c->not_before) {
		val_warnx("%s: trust anchor certificate not yet valid (notBefore %s)", fn,
			  val_time_text(c->not_before, tb, sizeof(tb)));
		return -1;
	}
	if (now > c->not_after) {
		val_warnx("%s: trust anchor certificate has expired (notAfter %s)", fn,
			  val_time_text(c->not_after, tb, sizeof(tb)));
		return -1;
	}
	if ((k = val_key_from_spki(c->spki.raw, c->spki.rawlen, fn)) == NULL)
		return -1;
	rc = 0;
	if (der_bits(&c->sig, &sig, &siglen, &unused) < 0 || unused ||
	    val_verify(k, c->tbs.raw, c->tbs.rawlen, sig, siglen) < 0) {
		val_warnx("%s: RFC 6487 section 4.3: trust anchor self-signature does not verify", fn);
		rc = -1;
	}
	val_key_free(k);
	return rc;
}
