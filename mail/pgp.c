/*
 * pgp.c - PGP signatures of submissions with gpgme, against the keyring
 * in auth.gnupg_keyring (IRRd's validate_pgp_signature). A signature
 * counts when it is good and its key is neither expired nor revoked
 * (python-gnupg's valid with no key_status); the key's owner trust does
 * not matter, as in IRRd: what authorises is the key-cert object in the
 * database that names the key.
 */
#include <errno.h>
#include <gpgme.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mail/mail.h"
#include "rpsl/log.h"

static int pgp_ctx(const char *homedir, gpgme_ctx_t *ctx, char **err)
{
	static bool inited;
	gpgme_error_t e;

	if (!inited) {
		gpgme_check_version(NULL);
		inited = true;
	}
	if (homedir == NULL || *homedir == '\0') {
		*err = xstrdup("auth.gnupg_keyring: not set");
		return -1;
	}
	if (mkdir(homedir, 0700) < 0 && errno != EEXIST) {
		*err = xasprintf("auth.gnupg_keyring: %s: cannot create: %s", homedir, strerror(errno));
		return -1;
	}
	if ((e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)) != 0) {
		*err = xasprintf("GnuPG: not usable: %s", gpgme_strerror(e));
		return -1;
	}
	if ((e = gpgme_new(ctx)) != 0) {
		*err = xasprintf("GnuPG: %s", gpgme_strerror(e));
		return -1;
	}
	if ((e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (e = gpgme_ctx_set_engine_info(*ctx, GPGME_PROTOCOL_OpenPGP, NULL, homedir)) != 0) {
		*err = xasprintf("GnuPG: %s: %s", homedir, gpgme_strerror(e));
		gpgme_release(*ctx);
		return -1;
	}
	/* never fetch keys from the network while verifying */
	gpgme_set_offline(*ctx, 1);
	return 0;
}

void mail_pgp_result_clear(struct mail_pgp_result *res)
{
	free(res->fingerprint);
	free(res->missing_key);
	free(res->plaintext);
	free(res->log);
	memset(res, 0, sizeof(*res));
}

static bool hex40(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'A' && s[n] <= 'F') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 40;
}

int mail_pgp_verify(const char *homedir, const char *data, size_t len, const char *sig,
		    size_t siglen, struct mail_pgp_result *res, char **err)
{
	gpgme_ctx_t ctx;
	gpgme_data_t dsig = NULL, dtext = NULL, dplain = NULL;
	gpgme_verify_result_t vr;
	gpgme_signature_t s;
	gpgme_error_t e;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	*err = NULL;
	if (pgp_ctx(homedir, &ctx, err) < 0)
		return -1;
	if (sig != NULL) {
		if (gpgme_data_new_from_mem(&dsig, sig, siglen, 0) != 0 ||
		    gpgme_data_new_from_mem(&dtext, data, len, 0) != 0)
			goto nomem;
		e = gpgme_op_verify(ctx, dsig, dtext, NULL);
	} else {
		if (gpgme_data_new_from_mem(&dsig, data, len, 0) != 0 || gpgme_data_new(&dplain) != 0)
			goto nomem;
		e = gpgme_op_verify(ctx, dsig, NULL, dplain);
	}
	rc = 0;
	if (e != 0) {
		res->log = xasprintf("no valid signature: %s", gpgme_strerror(e));
		goto out;
	}
	vr = gpgme_op_verify_result(ctx);
	s = vr ? vr->signatures : NULL;
	if (s == NULL) {
		res->log = xstrdup("no signature found");
		goto out;
	}
	if (gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY) {
		res->missing_key = xstrdup(s->fpr ? s->fpr : "");
		res->log = xasprintf("signed with key %s, which is not in the keyring", res->missing_key);
		goto out;
	}
	if (s->status != 0 || (s->summary & (GPGME_SIGSUM_RED | GPGME_SIGSUM_KEY_REVOKED |
					     GPGME_SIGSUM_KEY_EXPIRED | GPGME_SIGSUM_SIG_EXPIRED))) {
		res->log = xasprintf("signature by key %s not valid: %s%s%s%s", s->fpr ? s->fpr : "?",
				     gpgme_strerror(s->status),
				     (s->summary & GPGME_SIGSUM_KEY_REVOKED) ? ", key revoked" : "",
				     (s->summary & GPGME_SIGSUM_KEY_EXPIRED) ? ", key expired" : "",
				     (s->summary & GPGME_SIGSUM_SIG_EXPIRED) ? ", signature expired" : "");
		goto out;
	}
	{
		gpgme_key_t key = NULL;

		/* the primary key's fingerprint, which key-certs are named after */
		if (s->fpr != NULL && gpgme_get_key(ctx, s->fpr, &key, 0) == 0 && key != NULL &&
		    key->subkeys != NULL && key->subkeys->fpr != NULL)
			res->fingerprint = xstrdup(key->subkeys->fpr);
		else if (s->fpr != NULL && hex40(s->fpr))
			res->fingerprint = xstrdup(s->fpr);
		if (key != NULL)
			gpgme_key_unref(key);
	}
	if (res->fingerprint == NULL) {
		res->log = xstrdup("good signature, but its key's fingerprint is unknown");
		goto out;
	}
	for (char *p = res->fingerprint; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	res->valid = true;
	res->log = xasprintf("good signature, key fingerprint %s (signing key %s)", res->fingerprint, s->fpr);
out:
	if (dplain != NULL) {
		size_t n = 0;
		char *m = gpgme_data_release_and_get_mem(dplain, &n);

		dplain = NULL;
		if (res->valid && m != NULL) {
			/* one more byte for a terminating NUL */
			res->plaintext = xmalloc(n + 1);
			memcpy(res->plaintext, m, n);
			res->plaintext[n] = '\0';
			res->plaintext_len = n;
		}
		if (m != NULL)
			gpgme_free(m);
	}
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	gpgme_release(ctx);
	return rc;
nomem:
	*err = xstrdup("GnuPG: cannot create data buffers");
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	gpgme_data_release(dplain);
	gpgme_release(ctx);
	return -1;
}

int mail_pgp_import(const char *homedir, const char *armoured, char **err)
{
	gpgme_ctx_t ctx;
	gpgme_data_t d;
	gpgme_import_result_t r;
	gpgme_error_t e;
	int rc = -1;

	*err = NULL;
	if (pgp_ctx(homedir, &ctx, err) < 0)
		return -1;
	if (gpgme_data_new_from_mem(&d, armoured, strlen(armoured), 0) != 0) {
		*err = xstrdup("GnuPG: cannot create a data buffer");
		gpgme_release(ctx);
		return -1;
	}
	e = gpgme_op_import(ctx, d);
	if (e != 0)
		*err = xasprintf("GnuPG: import: %s", gpgme_strerror(e));
	else if ((r = gpgme_op_import_result(ctx)) == NULL || r->imported + r->unchanged < 1)
		*err = xstrdup("GnuPG: import: no key imported");
	else
		rc = 0;
	gpgme_data_release(d);
	gpgme_release(ctx);
	return rc;
}
