/*
 * auth.c - password hashes of mntner auth: lines and of the override
 * password, checked with libcrypt's crypt_r() (libxcrypt knows DES crypt,
 * MD5-crypt "$1$" and bcrypt "$2a$"/"$2b$"/"$2y$", the formats passlib
 * writes for IRRd's CRYPT-PW, MD5-PW and BCRYPT-PW).
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"
#include "rpsl/log.h"

/* Compare without an early exit. */
static bool same(const char *x, const char *y)
{
	size_t nx = strlen(x), ny = strlen(y);
	unsigned char d = (unsigned char)(nx != ny);

	for (size_t i = 0; i < nx && i < ny; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	return d == 0;
}

static bool crypt_check(const char *hash, const char *password)
{
	struct crypt_data *cd;
	const char *r;
	bool ok;

	/* passlib refuses NUL; crypt() would stop there */
	if (hash[0] == '\0')
		return false;
	cd = xcalloc(1, sizeof(*cd));
	r = crypt_r(password, hash, cd);
	/* a failure is NULL or a string starting with '*' */
	ok = r != NULL && r[0] != '*' && same(r, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static bool is_bcrypt(const char *h)
{
	return strncmp(h, "$2a$", 4) == 0 || strncmp(h, "$2b$", 4) == 0 || strncmp(h, "$2y$", 4) == 0;
}

static bool is_des(const char *h)
{
	static const char alphabet[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

	if (strlen(h) != 13)
		return false;
	for (size_t i = 0; i < 13; i++)
		if (strchr(alphabet, h[i]) == NULL)
			return false;
	return true;
}

bool mail_password_check(const char *scheme, const char *hash, const char *password)
{
	if (strcasecmp(scheme, "MD5-PW") == 0) {
		if (strncmp(hash, "$1$", 3) != 0)
			return false;
	} else if (strcasecmp(scheme, "BCRYPT-PW") == 0) {
		if (!is_bcrypt(hash))
			return false;
	} else if (strcasecmp(scheme, "CRYPT-PW") == 0) {
		if (!is_des(hash))
			return false;
	} else
		return false;
	return crypt_check(hash, password);
}

bool mail_override_check(const char *hash, const char *password)
{
	if (hash == NULL || password == NULL)
		return false;
	if (is_bcrypt(hash) || strncmp(hash, "$1$", 3) == 0)
		return crypt_check(hash, password);
	return false;
}

char *mail_bcrypt_hash(const char *password)
{
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *r;
	char *out = NULL;

	if (crypt_gensalt_rn("$2b$", 12, NULL, 0, salt, sizeof(salt)) != NULL) {
		r = crypt_r(password, salt, cd);
		if (r != NULL && r[0] != '*')
			out = xstrdup(r);
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return out;
}
