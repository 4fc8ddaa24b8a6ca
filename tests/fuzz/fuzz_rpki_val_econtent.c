/*
 * fuzz_rpki_val_econtent.c - libFuzzer target for the eContent parsers
 * alone (no CMS around them): the first byte picks manifest (RFC 9286),
 * ROA (RFC 9582) or ASPA (both profiles); also the BER to DER re-encoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size < 1)
		return 0;
	val_log_quiet(true);
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	switch (data[0] % 4) {
	case 0: {
		struct val_mft m;
		memset(&m, 0, sizeof(m));
		if (val_mft_econtent(buf, size - 1, "fuzz.mft", &m) == 0 && m.crl >= m.nfiles)
			abort();
		for (size_t i = 0; i < m.nfiles; i++)
			free(m.files[i].name);
		free(m.files);
		break;
	}
	case 1: {
		struct val_roa r;
		memset(&r, 0, sizeof(r));
		if (val_roa_econtent(buf, size - 1, "fuzz.roa", &r) == 0)
			for (size_t i = 0; i < r.nips; i++)
				if (r.ips[i].maxlen < r.ips[i].prefix.len)
					abort();
		free(r.ips);
		break;
	}
	case 2: {
		struct val_aspa a;
		memset(&a, 0, sizeof(a));
		if (val_aspa_econtent(buf, size - 1, "fuzz.asa", &a) == 0)
			for (size_t i = 1; i < a.nproviders; i++)
				if (a.providers[i - 1] >= a.providers[i])
					abort();
		free(a.providers);
		free(a.afi);
		break;
	}
	default: {
		size_t n;
		uint8_t *d = der_from_ber(buf, size - 1, &n);
		struct der top;
		if (d != NULL && der_read_all(d, n, &top) < 0)
			abort();	/* the output is one DER TLV */
		free(d);
		break;
	}
	}
	free(buf);
	return 0;
}
