/*
 * fuzz_rpki_val_signed.c - libFuzzer target for the validator's signed
 * objects (RFC 6488 CMS, BER re-encoding) with their eContent parsers:
 * the first byte picks manifest, ROA or ASPA, the rest is the object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	unsigned which;

	if (size < 1)
		return 0;
	val_log_quiet(true);
	which = data[0] % 4;
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	switch (which) {
	case 0: {
		struct val_mft *m = val_mft_parse(buf, size - 1, "fuzz.mft");
		val_mft_free(m);
		break;
	}
	case 1: {
		struct val_roa *r = val_roa_parse(buf, size - 1, "fuzz.roa");
		if (r != NULL)
			(void)val_roa_check_ee(r, "fuzz.roa");
		val_roa_free(r);
		break;
	}
	case 2: {
		struct val_aspa *a = val_aspa_parse(buf, size - 1, "fuzz.asa");
		if (a != NULL)
			(void)val_aspa_check_ee(a, "fuzz.asa");
		val_aspa_free(a);
		break;
	}
	default: {
		char oid[64];
		(void)val_cms_content_type(buf, size - 1, oid, sizeof(oid));
		break;
	}
	}
	free(buf);
	return 0;
}
