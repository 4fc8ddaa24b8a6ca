/*
 * fuzz_rpki_slurm.c - libFuzzer target for the SLURM (RFC 8416) parser. An
 * accepted file is applied to a small ROA set: its assertions must all be
 * in the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char roas[] = "{\"roas\":["
	"{\"asn\":\"AS64496\",\"prefix\":\"192.0.2.0/24\",\"maxLength\":24,\"ta\":\"a\"},"
	"{\"asn\":64497,\"prefix\":\"192.0.2.128/25\",\"maxLength\":26,\"ta\":\"a\"},"
	"{\"asn\":\"64498\",\"prefix\":\"2001:db8::/32\",\"maxLength\":48,\"ta\":\"b\"},"
	"{\"asn\":0,\"prefix\":\"10.0.0.0/8\",\"maxLength\":32,\"ta\":\"b\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *err = NULL;
	struct slurm *s;
	struct roa_set *set;

	memcpy(buf, data, size);
	buf[size] = '\0';
	s = slurm_parse(buf, size, "fuzz.json", &err);
	free(buf);
	if (s == NULL) {
		if (err == NULL)
			abort();
		free(err);
		return 0;
	}
	set = roa_parse(roas, sizeof(roas) - 1, "roas", s, &err);
	if (set == NULL)
		abort();
	for (size_t i = 0; i < s->nprefix_assertions; i++) {
		const struct slurm_prefix_assertion *a = &s->prefix_assertions[i];
		enum rpki_state st = roa_validate(set, &a->prefix, a->asn);

		if (st == RPKI_NOT_FOUND || (a->asn != 0 && st != RPKI_VALID))
			abort();
	}
	roa_set_free(set);
	slurm_free(s);
	return 0;
}
