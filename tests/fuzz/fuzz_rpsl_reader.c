/*
 * fuzz_rpsl_reader.c - libFuzzer target: the dump splitter (rpsl_reader_mem)
 * on arbitrary bytes; every object it yields must be non-empty, end in a
 * newline and stay under the cap. Seeds: tests/data/load.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/rpsl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct rpsl_reader *r;
	const char *text;
	size_t len;
	unsigned long line, last = 0;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	r = rpsl_reader_mem(buf, size, "fuzz");
	while (rpsl_reader_next(r, &text, &len, &line) == 1) {
		if (len == 0 || text[len - 1] != '\n' || len > RPSL_MAX_OBJECT || line <= last ||
		    strlen(text) != len)
			abort();
		last = line;
	}
	rpsl_reader_close(r);
	free(buf);
	return 0;
}
