/*
 * fuzz_rpki_roa.c - libFuzzer target for the ROA JSON parser. An accepted
 * input is also written back as JSON, which must parse to the same set,
 * validated against, diffed and rendered as pseudo-IRR objects.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpki/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *err = NULL, *json, *remarks, text[4096];
	struct roa_set *set, *again;
	const struct roa *r;
	struct roa_diff d;
	size_t n, len;

	memcpy(buf, data, size);
	buf[size] = '\0';
	set = roa_parse(buf, size, "fuzz.json", NULL, &err);
	free(buf);
	if (set == NULL) {
		if (err == NULL)
			abort();	/* a rejection always says why */
		free(err);
		return 0;
	}
	json = roa_set_json(set, &len);
	again = roa_parse(json, len, "again.json", NULL, &err);
	if (again == NULL)
		abort();
	roa_diff(set, again, &d);
	if (d.nadded || d.nremoved || d.nretagged || roa_set_count(again) != roa_set_count(set))
		abort();
	roa_diff_free(&d);
	remarks = roa_pseudo_remarks(NULL);
	r = roa_set_roas(set, &n);
	for (size_t i = 0; i < n && i < 16; i++) {
		struct roa_route rt = { r[i].prefix, r[i].asn };
		enum rpki_state st;

		st = roa_validate(set, &rt.prefix, rt.origin);
		if (st == RPKI_NOT_FOUND || (r[i].asn != 0 && st != RPKI_VALID))
			abort();	/* a VRP's own route is covered, and valid unless AS0 */
		roa_pseudo_render(set, &r[i], remarks, text, sizeof(text));
		roa_pseudo_pk(&r[i], text, sizeof(text));
	}
	free(remarks);
	free(json);
	roa_set_free(again);
	roa_set_free(set);
	return 0;
}
