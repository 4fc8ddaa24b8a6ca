/*
 * fuzz_rpki_val_ipc.c - libFuzzer target for what the daemon reads from its
 * validation child (val_output_read): the child may have been broken by a
 * hostile object, so every count and length is checked. A buffer that reads
 * must write back byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpki/val_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size + 1);
	char *err = NULL;
	struct val_output *out;

	memcpy(buf, data, size);
	buf[size] = 0;
	out = val_output_read(buf, size, &err);
	if (out == NULL && err == NULL)
		abort();
	if (out != NULL) {
		/* round trip through a pipe-less temp file */
		FILE *f = tmpfile();
		if (f != NULL) {
			if (val_output_write(out, fileno(f)) == 0) {
				long n = ftell(f) >= 0 ? (long)lseek(fileno(f), 0, SEEK_END) : -1;
				if (n != (long)size)
					abort();
			}
			fclose(f);
		}
	}
	val_output_free(out);
	free(err);
	free(buf);
	return 0;
}
