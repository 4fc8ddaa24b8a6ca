/*
 * fuzz_rpki_val_crl.c - libFuzzer target for the validator's CRL parser
 * (RFC 5280 5, RFC 6487 5); an accepted CRL is searched for serials.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1), serial[20] = { 0 };
	struct val_crl *crl;

	val_log_quiet(true);
	memcpy(buf, data, size);
	buf[size] = 0;
	crl = val_crl_parse(buf, size, "fuzz.crl");
	free(buf);
	if (crl != NULL) {
		for (size_t i = 0; i < crl->nrevoked; i++)
			if (!val_crl_revoked(crl, crl->revoked[i]))
				abort();
		serial[19] = 1;
		(void)val_crl_revoked(crl, serial);
		val_crl_free(crl);
	}
	return 0;
}
