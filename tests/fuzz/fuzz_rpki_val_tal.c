/*
 * fuzz_rpki_val_tal.c - libFuzzer target for the TAL parser (RFC 8630).
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
	free(buf);
	return 0;
}
