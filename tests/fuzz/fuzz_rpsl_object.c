/*
 * fuzz_rpsl_object.c - libFuzzer target for the RPSL object parser:
 * rpsl_parse() in strict and non-strict mode (with and without a default
 * source), rpsl_render(), the parsed-value accessors, and the round trip:
 * once the rendered text of a valid object parses as valid, rendering is a
 * fixpoint (same text, same primary key). The first round may change an
 * object, as it does in IRRd: removing a non-printable character can leave
 * leading spaces that the next parse strips, and an empty continuation
 * line after a trailing comma disappears, so the comma joins the key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "rpsl/rpsl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const char *text, size_t len, enum rpsl_mode mode, const char *default_source)
{
	struct rpsl_object *obj = rpsl_parse(text, len, mode, default_source);
	size_t rlen;
	char *r1;

	if (obj->cls != RPSL_CLASS_UNKNOWN) {
		const char *const *l = rpsl_lookup_attrs(obj->cls);
		for (; l && *l; l++) {
			struct rpsl_values v = rpsl_get(obj, *l);
			for (size_t i = 0; i < v.n; i++)
				if (v.v[i] == NULL)
					abort();
		}
	}
	for (size_t i = 0; i < obj->nattrs; i++)
		if (obj->attrs[i].name == NULL || obj->attrs[i].value == NULL || obj->attrs[i].cont == NULL)
			abort();
	r1 = rpsl_render(obj, &rlen);
	if (strlen(r1) != rlen)
		abort();
	if (rpsl_object_valid(obj)) {
		struct rpsl_object *again = rpsl_parse(r1, rlen, mode, default_source);
		size_t r2len;
		char *r2 = rpsl_render(again, &r2len);

		if (rpsl_object_valid(again)) {
			struct rpsl_object *third = rpsl_parse(r2, r2len, mode, default_source);
			char *r3 = rpsl_render(third, NULL);

			if (!rpsl_object_valid(third) || strcmp(r2, r3) != 0 || strcmp(again->pk, third->pk) != 0)
				abort();
			free(r3);
			rpsl_object_free(third);
		}
		free(r2);
		rpsl_object_free(again);
	}
	free(r1);
	rpsl_object_free(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size > RPSL_MAX_OBJECT)
		return 0;
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	exercise(text, size, RPSL_STRICT, NULL);
	exercise(text, size, RPSL_NONSTRICT, NULL);
	exercise(text, size, RPSL_NONSTRICT, "FUZZ");
	free(text);
	return 0;
}
