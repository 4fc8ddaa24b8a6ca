/*
 * fuzz_rpki_val_rrdp.c - libFuzzer target for the RRDP documents (RFC
 * 8182): the first byte picks notification, snapshot or delta (parsed
 * without writing anything).
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
	switch (data[0] % 3) {
	case 0: {
		struct val_rrdp_notification n;
		if (val_rrdp_parse_notification(buf, size - 1, "fuzz.xml", &n) == 0) {
			if (n.snapshot_uri == NULL)
				abort();
			for (size_t i = 1; i < n.ndeltas; i++)
				if (n.deltas[i - 1].serial >= n.deltas[i].serial)
					abort();
			val_rrdp_notification_clear(&n);
		}
		break;
	}
	case 1:
		(void)val_rrdp_apply_buffer(buf, size - 1, "fuzz.xml", NULL, false, NULL, 0);
		break;
	default:
		(void)val_rrdp_apply_buffer(buf, size - 1, "fuzz.xml", NULL, true, NULL, 0);
		break;
	}
	free(buf);
	return 0;
}
