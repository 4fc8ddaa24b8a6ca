/*
 * val_mft.c - manifests (RFC 9286).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

#define MAX_MANIFEST_ENTRIES 500000

static int name_cmp(const void *a, const void *b)
{
	const struct val_mft_file *x = *(const struct val_mft_file *const *)a;
	const struct val_mft_file *y = *(const struct val_mft_file *const *)b;
	return strcmp(x->name, y->name);
}

int val_mft_econtent(const uint8_t *p, size_t len, const char *fn, struct val_mft *m)
{
	struct der top, f[6], e, fh[2];
	struct der_iter it;
	const char *what = NULL;
	const struct val_mft_file **sorted = NULL;
	size_t cap = 0, ncrl = 0;
	int rc;

	if (der_read_all(p, len, &top) < 0 || DER_SEQ(&top, DER_SEQUENCE, tmpl_manifest, f, &what) < 0) {
		val_warnx("%s: RFC 9286 section 4.2: failed to parse Manifest%s%s", fn, what ? ": " : "",
			  what ? what : "");
		return -1;
	}
	if (f[MFT_VERSION].present) {
		val_warnx("%s: RFC 9286 section 4.2.1: version must be the default 0 (and not encoded)", fn);
		return -1;
	}
	if (der_serial(&f[MFT_NUMBER], m->number, true) < 0) {
		val_warnx("%s: RFC 9286 section 4.2.1: manifestNumber: want a non-negative integer of at most "
			  "20 octets", fn);
		return -1;
	}
	if (der_time(&f[MFT_THIS], &m->this_update) < 0 || der_time(&f[MFT_NEXT], &m->next_update) < 0) {
		val_warnx("%s: RFC 9286 section 4.2.1: malformed thisUpdate or nextUpdate", fn);
		return -1;
	}
	if (m->this_update >= m->next_update) {
		val_warnx("%s: RFC 9286 section 4.2.1: bad update interval", fn);
		return -1;
	}
	if (!DER_OID_IS(&f[MFT_HASHALG], OID_SHA256)) {
		val_warnx("%s: RFC 9286 section 4.2.1: fileHashAlg: want SHA-256", fn);
		return -1;
	}
	der_iter_init(&it, &f[MFT_FILES]);
	while ((rc = der_iter_next(&it, &e)) == 1) {
		const uint8_t *h;
		size_t hl;
		unsigned unused;
		struct val_mft_file *mf;

		if (m->nfiles == MAX_MANIFEST_ENTRIES) {
			val_warnx("%s: manifest has more than %d entries", fn, MAX_MANIFEST_ENTRIES);
			return -1;
		}
		if (DER_SEQ(&e, DER_SEQUENCE, tmpl_file_and_hash, fh, &what) < 0) {
			val_warnx("%s: RFC 9286 section 4.2.1: malformed FileAndHash", fn);
			return -1;
		}
		if (!val_filename_ok((const char *)fh[FAH_FILE].p, fh[FAH_FILE].len)) {
			val_warnx("%s: RFC 9286 section 4.2.2: bad filename", fn);
			return -1;
		}
		if (der_bits(&fh[FAH_HASH], &h, &hl, &unused) < 0 || hl != 32 || unused != 0) {
			val_warnx("%s: RFC 9286 section 4.2.1: hash: want 32 bytes SHA-256", fn);
			return -1;
		}
		if (m->nfiles == cap) {
			cap = cap ? cap * 2 : 16;
			m->files = xrealloc(m->files, cap * sizeof(*m->files));
		}
		mf = &m->files[m->nfiles++];
		mf->name = xstrndup((const char *)fh[FAH_FILE].p, fh[FAH_FILE].len);
		memcpy(mf->hash, h, 32);
		if (strcasecmp(mf->name + fh[FAH_FILE].len - 4, ".crl") == 0) {
			m->crl = m->nfiles - 1;
			ncrl++;
		}
	}
	if (rc < 0) {
		val_warnx("%s: RFC 9286 section 4.2.1: malformed fileList", fn);
		return -1;
	}
	if (ncrl != 1) {
		val_warnx("%s: RFC 9286 section 4.2.1: %s", fn,
			  ncrl ? "more than one CRL in the fileList" : "CRL not part of MFT fileList");
		return -1;
	}
	if (m->nfiles > 1) {
		sorted = xmalloc(m->nfiles * sizeof(*sorted));
		for (size_t i = 0; i < m->nfiles; i++)
			sorted[i] = &m->files[i];
		qsort(sorted, m->nfiles, sizeof(*sorted), name_cmp);
		for (size_t i = 1; i < m->nfiles; i++)
			if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
				val_warnx("%s: RFC 9286 section 4.2.2: duplicate file %s in the fileList", fn,
					  sorted[i]->name);
				free(sorted);
				return -1;
			}
		free(sorted);
	}
	return 0;
}

struct val_mft *val_mft_parse(const uint8_t *der, size_t len, const char *fn)
{
	struct val_mft *m = xcalloc(1, sizeof(*m));
	const struct val_res *r;

	if (val_cms_parse(der, len, fn, OID_CT_MFT, sizeof(OID_CT_MFT) - 1, &m->so) < 0)
		goto fail;
	if (val_signed_published(&m->so, fn) < 0)
		goto fail;
	if (val_mft_econtent(m->so.econtent, m->so.econtent_len, fn, m) < 0)
		goto fail;
	r = &m->so.ee->res;
	if ((r->ip_ext && (r->nv4 || r->nv6)) || (r->as_ext && r->nas) || !val_res_inherits(r)) {
		val_warnx("%s: RFC 9286 section 5.1: RFC 3779 extension not set to inherit", fn);
		goto fail;
	}
	return m;
fail:
	val_mft_free(m);
	return NULL;
}

void val_mft_free(struct val_mft *m)
{
	if (m == NULL)
		return;
	val_signed_clear(&m->so);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i].name);
	free(m->files);
	free(m);
}
