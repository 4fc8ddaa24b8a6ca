/*
 * fuzz_rpki_val_tal.c - libFuzzer target for the validator's text formats:
 * TALs (RFC 8630) and signed geofeeds (RFC 9632), the same input to both.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct val_tal *t;

	val_log_quiet(true);
	memcpy(buf, data, size);
	buf[size] = '\0';
	t = val_tal_parse(buf, size, "fuzz.tal");
	if (t != NULL && (t->nuris == 0 || t->spki_len == 0))
		abort();
	val_tal_free(t);
	struct val_geofeed *g = val_geofeed_parse(buf, size, "fuzz.csv");
	if (g != NULL)
		(void)val_geofeed_check_ee(g, "fuzz.csv");
	val_geofeed_free(g);
	free(buf);
	return 0;
}
