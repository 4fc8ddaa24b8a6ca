/*
 * fuzz_nrtm_stream.c - libFuzzer target: the NRTM stream parser on
 * arbitrary bytes. A stream it accepts must be consistent: version 0 (no
 * START, no operations) or 1/3 with DEMO as source; v3 serials strictly
 * increasing from the START line's first serial; v1 within the range;
 * every object non-empty and ending in a newline. Seeds: tests/data/nrtm.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nrtm/nrtm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *err = NULL;
	struct nrtm_stream *s;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	s = nrtm_stream_parse(buf, size, "DEMO", &err);
	if (s == NULL) {
		if (err == NULL || *err == '\0')
			abort();
	} else {
		int64_t prev = -1;

		if (err != NULL)
			abort();
		if (s->version == 0 && s->nops != 0)
			abort();
		if (s->version != 0 && (strcmp(s->source, "DEMO") != 0 || s->last < s->first))
			abort();
		for (size_t i = 0; i < s->nops; i++) {
			const struct nrtm_op *op = &s->ops[i];

			if (op->len == 0 || op->text[op->len - 1] != '\n' || strlen(op->text) != op->len)
				abort();
			if (op->serial <= prev || op->serial < s->first)
				abort();
			if (s->version == 1 && op->serial > s->last)
				abort();
			prev = op->serial;
		}
	}
	nrtm_stream_free(s);
	free(err);
	free(buf);
	return 0;
}
