/*
 * fuzz_rpki_val_cert.c - libFuzzer target for the validator's resource
 * certificate parser (RFC 6487, RFC 3779, RFC 8209). An accepted
 * certificate is checked against itself as issuer (TA-style), exercising
 * the signature, name, CRL and resource code on hostile input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	struct val_cert *c;

	val_log_quiet(true);
	memcpy(buf, data, size);
	buf[size] = 0;
	c = val_cert_parse(buf, size, "fuzz.cer");
	free(buf);
	if (c != NULL) {
		struct val_rset self, eff;
		val_key *k = c->key_rsa ? val_key_from_spki(c->spki.raw, c->spki.rawlen, "fuzz.cer") : NULL;
		struct val_issuer iss = { .cert = c, .key = k, .res = &self };
		val_res_as_rset(&c->res, &self);
		(void)val_cert_check(c, &iss, NULL, 0, &eff, "fuzz.cer");
		val_key_free(k);
		val_cert_free(c);
	}
	return 0;
}
